"""The ``study-records/1`` format (EXCHANGE.md, "Import format"): its keys, types and defaults.

``DOCUMENT(data, "", problems)`` reads a whole file: unknown keys, missing required
fields and values of the wrong type are problems; what parses is kept (each object
with its ``_path`` in the file and the keys it ``_given``), ready for the checks of
meaning in :mod:`exchange.checks`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from exams import rules as exam_rules
from exchange.parsing import (
    ABSENT,
    BAD,
    MAX_SMALL,
    Field,
    boolean,
    choice,
    date,
    email,
    got,
    integer,
    list_of,
    object_of,
    optional,
    text,
    with_path,
)
from programmes import rules
from programmes.models import PrerequisiteKind, ProgrammeKind, Semester
from students.models import Contract, DegreeKind, GrantStatus

FORMAT = "study-records/1"


# What a mark is belongs to the exams' rules (Art. 65-66, ``exams.rules.as_mark``); the
# file adds only that a number is a JSON integer and a letter a JSON string ("12" is neither).
def _mark(value, path, problems):
    try:
        return exam_rules.as_mark(value)
    except exam_rules.MarkError as error:
        if error.reason == exam_rules.MARK_RANGE:
            problems.add(path, _("mark %(mark)d is outside 0-20") % {"mark": value})
        else:
            problems.add(path, got(_("an integer 0-20 or 'P', 'F', 'NA'"), value))
        return BAD


def _part_mark(value, path, problems):
    if type(value) is int:
        return _mark(value, path, problems)  # a number: only its range can be wrong
    problems.add(path, got(_("an integer 0-20 (a partial exam has a numeric mark)"), value))
    return BAD


_EXAM_PERIOD = object_of(
    {
        "number": Field(integer(1, 3)),
        "starts_on": Field(date),
        "ends_on": Field(date),
        "results_published_on": Field(date),
    }
)
_ACADEMIC_YEAR = object_of(
    {
        "code": Field(text(32)),
        "starts_on": Field(date),
        "ends_on": Field(date),
        "calendar": optional(
            object_of({name: optional(date, ABSENT) for name in rules.CALENDAR_FIELDS}), default=ABSENT
        ),
        "exam_periods": Field(list_of(_EXAM_PERIOD)),
    }
)
_COURSE = object_of(
    {
        "code": Field(text(32)),
        "name": Field(text(200)),
        "credits": Field(integer(1, MAX_SMALL)),
        "semester": Field(choice(Semester.values)),
        "stage": Field(integer(1, MAX_SMALL)),
        "tolerable": optional(boolean, True),
        "resit": optional(boolean, True),
        "pass_fail": optional(boolean, False),
        "elective": optional(boolean, False),
        "requires": optional(
            list_of(object_of({"course": Field(text(32)), "kind": Field(choice(PrerequisiteKind.values))})), list
        ),
        "identical_to": optional(list_of(with_path(text(32))), list),
    }
)
_PROGRAMME = object_of(
    {
        "code": Field(text(32)),
        "name": Field(text(200)),
        "kind": Field(choice(ProgrammeKind.values)),
        "cluster": Field(text(100)),
        "credits": Field(integer(1, MAX_SMALL)),
        "tolerance_cap": optional(integer(0, MAX_SMALL), nullable=True),
        "courses": Field(list_of(_COURSE)),
    }
)
_DECISION = object_of({"course": Field(text(32)), "on": Field(date)})
_ENROLMENT = object_of(
    {
        "academic_year": Field(text(32)),
        "programme": Field(text(32)),
        "contract": Field(choice(Contract.values)),
        "enrolled_on": Field(date),
        "deregistered_on": optional(date, nullable=True),
        "grant_status": optional(choice(GrantStatus.values), GrantStatus.NONE.value),
        "isp": Field(
            list_of(
                object_of(
                    {
                        "course": Field(text(32)),
                        # None (absent or null) means "defaults to enrolled_on", filled in when checking.
                        "added_on": optional(date, nullable=True),
                        "removed_on": optional(date, nullable=True),
                        "exempted": optional(boolean, False),
                    }
                )
            )
        ),
        "results": Field(
            list_of(
                object_of(
                    {
                        "course": Field(text(32)),
                        "exam_period": Field(integer()),
                        "opportunity": Field(integer()),
                        "mark": optional(_mark, ABSENT),
                        "parts": optional(
                            list_of(object_of({"credits": Field(integer(1, MAX_SMALL)), "mark": Field(_part_mark)})),
                            ABSENT,
                        ),
                    }
                )
            )
        ),
        "tolerance_choices": optional(list_of(_DECISION), list),
        "tolerance_objections": optional(list_of(_DECISION), list),
    }
)
_STUDENT = object_of(
    {
        "number": Field(text(32)),
        "first_name": Field(text(100)),
        "last_name": Field(text(100)),
        "email": optional(email, ""),
        "learning_account": optional(
            object_of(
                {
                    "opening_balance": Field(integer()),
                    "bonus_left": optional(integer(0, 60), 60),
                    "on": Field(date),
                }
            ),
            nullable=True,
        ),
        "first_enrolment_in_higher_education": optional(text(32), ABSENT, nullable=True),
        "degrees": optional(list_of(object_of({"kind": Field(choice(DegreeKind.values)), "on": Field(date)})), list),
        "enrolments": Field(list_of(_ENROLMENT)),
    }
)
DOCUMENT = object_of(
    {
        "format": Field(text(100)),
        "academic_years": Field(list_of(_ACADEMIC_YEAR)),
        "programmes": Field(list_of(_PROGRAMME)),
        "students": Field(list_of(_STUDENT)),
    }
)
