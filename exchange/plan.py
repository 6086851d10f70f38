"""What the checks plan and the writers create: the new records, by natural key.

An enrolment also has a canonical form, the same whether it comes from the file
or from the database, so that an existing one is compared as a whole.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any


@dataclasses.dataclass
class ResultPlan:
    exam_period: int
    opportunity: int
    score: int | None
    grade: str
    parts: tuple[tuple[int, int], ...]


@dataclasses.dataclass
class LinePlan:
    course: str
    added_on: datetime.date
    removed_on: datetime.date | None
    exempted: bool
    results: list[ResultPlan] = dataclasses.field(default_factory=list)
    choices: list[datetime.date] = dataclasses.field(default_factory=list)
    objections: list[datetime.date] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class EnrolmentPlan:
    academic_year: str
    programme: str
    contract: str
    enrolled_on: datetime.date
    deregistered_on: datetime.date | None
    grant_status: str
    lines: list[LinePlan]


@dataclasses.dataclass
class StudentPlan:
    number: str
    db_id: int | None
    fields: dict[str, Any]
    first_enrolment: str | None
    degrees: list[tuple[str, datetime.date]]
    enrolments: list[EnrolmentPlan]


@dataclasses.dataclass
class Plan:
    """Everything the import creates; records that already exist with the same content are not in it."""

    years: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # new academic years
    periods: list[tuple[str, int, datetime.date, datetime.date, datetime.date]] = dataclasses.field(
        default_factory=list
    )
    programmes: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    courses: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    prerequisites: list[tuple[tuple[str, str], tuple[str, str], str]] = dataclasses.field(default_factory=list)
    links: set[tuple[tuple[str, str], tuple[str, str]]] = dataclasses.field(default_factory=set)
    students: list[StudentPlan] = dataclasses.field(default_factory=list)
    year_codes: set[str] = dataclasses.field(default_factory=set)
    programme_codes: set[str] = dataclasses.field(default_factory=set)


def canonical_enrolment(
    contract, enrolled_on, deregistered_on, grant_status, lines, results, choices, objections
) -> dict[str, Any]:
    """An enrolment as comparable values, the same whether it comes from the file or the database."""
    return {
        "contract": contract,
        "enrolled_on": enrolled_on,
        "deregistered_on": deregistered_on,
        "grant_status": grant_status,
        "isp": frozenset(lines),
        "results": frozenset(results),
        "tolerance_choices": frozenset(choices),
        "tolerance_objections": frozenset(objections),
    }


def canonical_of(plan: EnrolmentPlan) -> dict[str, Any]:
    """The planned enrolment in the form of :func:`canonical_enrolment`."""
    lines = [(line.course, line.added_on, line.removed_on, line.exempted) for line in plan.lines]
    results = [
        (line.course, line.added_on, r.exam_period, r.opportunity, r.score, r.grade, r.parts)
        for line in plan.lines
        for r in line.results
    ]
    choices = [(line.course, line.added_on, on) for line in plan.lines for on in line.choices]
    objections = [(line.course, line.added_on, on) for line in plan.lines for on in line.objections]
    return canonical_enrolment(
        plan.contract,
        plan.enrolled_on,
        plan.deregistered_on,
        plan.grant_status,
        lines,
        results,
        choices,
        objections,
    )
