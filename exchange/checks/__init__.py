"""The all-or-nothing checks of a ``study-records/1`` document (the decisions they
apply are listed in :mod:`exchange.records`).

The document is read in phases: first its keys and types (:mod:`exchange.schema`),
then the meaning of each subject against the file and the database (academic
years, programmes and courses, students, their enrolments, results and decisions).
Every problem reads ``"path: message"``, naming its place in the file.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from exchange.checks.known import Known
from exchange.checks.programmes import ProgrammeChecks
from exchange.checks.stored import Stored
from exchange.checks.students import StudentChecks
from exchange.checks.years import YearChecks
from exchange.parsing import got, path_order
from exchange.plan import Plan
from exchange.schema import DOCUMENT, FORMAT


def check(data: Any) -> tuple[list[str], Plan | None]:
    """Every problem of the document in file order, or none and the plan of what to create."""
    known = Known(Stored())
    if not isinstance(data, dict):
        known.add(_("(top level)"), got(_("an object"), data))
        return list(known.problems), None
    # Another format means another layout: its other problems would only be noise.
    if data.get("format") != FORMAT:
        if "format" not in data:
            known.add("format", _("required field is missing (expected '%(format)s')") % {"format": FORMAT})
        else:
            known.add("format", got(f"'{FORMAT}'", data["format"]))
        return list(known.problems), None
    document = DOCUMENT(data, "", known.problems)
    years = document.get("academic_years", [])
    programmes = document.get("programmes", [])
    students = document.get("students", [])
    known.db.load_catalogue(years, programmes, students)
    YearChecks(known).check_years(years)
    ProgrammeChecks(known).check_programmes(programmes)
    StudentChecks(known).check_students(students)
    if known.problems:
        # Checks run in phases (types first, then meaning): list the problems in file order.
        return sorted(known.problems, key=path_order), None
    return [], known.plan
