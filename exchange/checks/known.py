"""What the checks of every subject share: the problems found, the plan, and the
academic years, programmes and courses known so far (from the file, or else the database)."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict

from exchange.checks.stored import Stored
from exchange.parsing import Problems
from exchange.plan import Plan
from programmes import rules


@dataclasses.dataclass
class YearView:
    code: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    calendar: dict[str, datetime.date | None]
    periods: dict[int, tuple[datetime.date, datetime.date]]  # number -> (starts_on, ends_on)


@dataclasses.dataclass
class CourseView:
    """What results are checked against; None where the file's value was invalid (already reported)."""

    pass_fail: bool | None
    resit: bool | None


class Known:
    """The records known so far, the problems found and the plan of what to create."""

    def __init__(self, stored: Stored):
        self.db = stored
        self.problems = Problems()
        self.plan = Plan()
        self.years: dict[str, YearView] = {}
        self.programmes: set[str] = set()
        self.courses: dict[tuple[str, str], CourseView] = {}
        self.course_programmes: dict[str, set[str]] = defaultdict(set)

    def add(self, path: str, message: str) -> None:
        self.problems.add(path, message)

    def year(self, code: str) -> YearView | None:
        """The academic year of that code, from the file or else from the database."""
        if code not in self.years and code in self.db.years:
            stored = self.db.years[code]
            self.years[code] = YearView(
                code,
                stored.starts_on,
                stored.ends_on,
                {name: getattr(stored, name) for name in rules.CALENDAR_FIELDS},
                {n: (p.starts_on, p.ends_on) for n, p in self.db.periods.get(code, {}).items()},
            )
            self.plan.year_codes.add(code)
        return self.years.get(code)

    def programme(self, code: str) -> bool:
        """Whether the programme exists in the file or the database; registers its stored courses."""
        if code in self.programmes:
            return True
        if code not in self.db.programmes:
            return False
        self.programmes.add(code)
        self.plan.programme_codes.add(code)
        for (pcode, ccode), course in self.db.courses.items():
            if pcode == code and (pcode, ccode) not in self.courses:
                self.courses[(pcode, ccode)] = CourseView(course.pass_fail, course.resit)
                self.course_programmes[ccode].add(pcode)
        return True


class Checks:
    """The checks of one subject; they report to and plan into the shared :class:`Known`."""

    def __init__(self, known: Known):
        self.known = known
        self.db = known.db
        self.plan = known.plan

    def add(self, path: str, message: str) -> None:
        self.known.add(path, message)
