"""Import of study records in the ``study-records/1`` format (EXCHANGE.md, "Import format").

The import is all or nothing: :func:`validate` checks the whole document and the
database and returns every problem as ``"path: message"``; :func:`import_data`
writes only when there is none, in one transaction, and raises
:class:`RecordsInvalid` otherwise.

Records are keyed by their natural keys: academic year code, programme code,
course code within its programme, student number, and enrolment (student,
academic year, programme). A record already in the database with the same
content is left alone, so importing a file twice creates nothing the second
time; with different content it is a problem naming the key. The import only
stores facts: it books no learning-account entry and sets no processed flag,
because ``run_deadlines`` processes the imported facts in date order.

How it is built: :mod:`exchange.schema` reads the keys and types of the format
(with the generic value parsers of :mod:`exchange.parsing`); :mod:`exchange.checks`
checks the meaning, subject by subject, against the file and the database, and
plans what to create (:mod:`exchange.plan`); :mod:`exchange.write` creates it in
bulk (the catalogue, the students, the exams' records).

Decisions of ours (not the regulations'):

- **Enrolment window.** Colleges enrol from May on for the next academic year, so
  every enrolment-related date (``enrolled_on``, ``added_on``, ``removed_on``,
  ``deregistered_on``) must lie between the academic year's ``starts_on`` minus
  122 days and its ``ends_on``; ``enrolled_on`` must in addition not be after the
  year's ``second_semester_lock`` (Art. 7: no registration after 15 March).
- **Student decisions.** Tolerance choices and objections come within days after a
  publication, and the last publication can fall at the very end of the year: their
  dates must lie between ``starts_on`` and ``ends_on`` plus 31 days.
- **Exam periods** lie entirely inside their academic year, publication included,
  because the year-end measures are taken on all of the year's results.
- **Identical courses** (``identical_to``) are named by course code alone, searched
  in every programme of the file and of the database; a code found in more than
  one programme is ambiguous and an error. The relation is symmetrical, so a link
  stored in the database but not repeated in the file is no difference; a new link
  between two courses that both already existed is one.
- **Defaults and existing records.** An omitted optional field means its default,
  also when comparing with a stored record, with two exceptions: calendar dates
  (editable per academic year after an import) are compared only when the file
  gives them, and an omitted ``first_enrolment_in_higher_education`` of a stored
  student is not compared (its default depends on which enrolments a file holds).
  Exam periods of a year, courses of a programme, and degrees and enrolments of a
  student that the database holds and the file does not mention are left alone;
  new ones are added. An existing enrolment is compared as a whole: contract,
  dates, grant status, ISP lines, results, tolerance choices and objections.
- **ISP policy** (credit limits, stage-1 route, prerequisites met, identical
  courses in one ISP) is not checked: imported records come from systems that
  applied it, with derogations this format does not carry.
- A result, tolerance choice or objection names a course; it belongs to the ISP
  line of that course that was not removed, or else to the one added last.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import Refused
from exchange.checks import check
from exchange.checks.enrolments import ENROLMENT_OPENS_BEFORE_START
from exchange.reading import depth_problem
from exchange.schema import FORMAT
from exchange.summary import ImportSummary
from exchange.write import write_plan

__all__ = [
    "ENROLMENT_OPENS_BEFORE_START",
    "FORMAT",
    "ImportSummary",
    "RecordsInvalid",
    "import_data",
    "validate",
]


class RecordProblem(str):
    """One reason a document cannot be imported, ``"path: message"``: the text is its message."""

    code = "records_invalid"

    @property
    def message(self) -> str:
        return str(self)


class RecordsInvalid(Refused):
    """The document cannot be imported; ``problems`` lists every reason as ``"path: message"``."""

    def __init__(self, problems: list[str]):
        problems = [RecordProblem(problem) for problem in problems]
        super().__init__(problems, summary="\n".join(problems))


def _too_deep(data: Any) -> list[str]:
    """A document nested deeper than the format needs is refused before any check reads it."""
    problem = depth_problem(data)
    return [f"{_('(top level)')}: {problem}"] if problem else []


def validate(data: Any) -> list[str]:
    """Every problem of the document, each as ``"path: message"``; empty when it can be imported."""
    return _too_deep(data) or check(data)[0]


def import_data(data: Any, *, progress: bool = False) -> ImportSummary:
    """Import the document, all or nothing; raise :class:`RecordsInvalid` on bad input.

    ``progress`` shows a progress bar on stderr while the students are written.
    """
    if too_deep := _too_deep(data):
        raise RecordsInvalid(too_deep)
    with transaction.atomic():
        problems, plan = check(data)
        if problems:
            raise RecordsInvalid(problems)
        return write_plan(plan, progress=progress)
