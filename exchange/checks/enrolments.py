"""Checks of one enrolment and its ISP lines; its results and decisions are checked in
:mod:`exchange.checks.results`."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from exchange.checks.differences import differences_between, exists_differently
from exchange.checks.known import Checks, Known, YearView
from exchange.checks.results import ResultChecks
from exchange.parsing import join
from exchange.plan import EnrolmentPlan, LinePlan, canonical_of

ENROLMENT_OPENS_BEFORE_START = datetime.timedelta(days=122)


class EnrolmentChecks(Checks):
    def __init__(self, known: Known):
        super().__init__(known)
        self.results = ResultChecks(known)

    def check(self, number: str | None, enrolment: dict, seen: dict[tuple[str, str], str]) -> EnrolmentPlan | None:
        """Check one enrolment; the plan to create it, or None when it exists or cannot be planned."""
        path = enrolment["_path"]
        problems_before = len(self.known.problems)
        year_code, programme = enrolment.get("academic_year"), enrolment.get("programme")
        year = self.known.year(year_code) if year_code is not None else None
        if year_code is not None and year is None:
            self.add(join(path, "academic_year"), _("unknown academic year '%(code)s'") % {"code": year_code})
        known_programme = programme is not None and self.known.programme(programme)
        if programme is not None and not known_programme:
            self.add(join(path, "programme"), _("unknown programme '%(code)s'") % {"code": programme})
        if year_code is not None and programme is not None:
            if (year_code, programme) in seen:
                self.add(
                    path,
                    _("the student is enrolled twice in '%(programme)s' in %(year)s (also at %(other)s)")
                    % {"programme": programme, "year": year_code, "other": seen[(year_code, programme)]},
                )
                return None
            seen[(year_code, programme)] = path

        enrolled_on, deregistered_on = enrolment.get("enrolled_on"), enrolment.get("deregistered_on")
        if year and enrolled_on and self._check_window(year, enrolled_on, join(path, "enrolled_on")):
            lock = year.calendar.get("second_semester_lock")
            if lock and enrolled_on > lock:
                self.add(
                    join(path, "enrolled_on"),
                    _("%(date)s is after the second-semester lock of %(code)s (%(lock)s): no registration after it")
                    % {"date": enrolled_on.isoformat(), "code": year.code, "lock": lock.isoformat()},
                )
        if deregistered_on:
            if enrolled_on and deregistered_on < enrolled_on:
                self.add(
                    join(path, "deregistered_on"),
                    _("must be on or after enrolled_on (%(date)s)") % {"date": enrolled_on.isoformat()},
                )
            elif year:
                self._check_window(year, deregistered_on, join(path, "deregistered_on"))

        course_programme = programme if known_programme else None
        lines, broken = self._check_isp(enrolment, course_programme, year, enrolled_on, deregistered_on)
        line_of = {}
        for line in lines:
            # The line a result or decision is about: the one not removed, or else the last added.
            current = line_of.get(line.course)
            if current is None or (
                current.removed_on is not None and (line.removed_on is None or line.added_on >= current.added_on)
            ):
                line_of[line.course] = line
        self.results.check_results(enrolment, course_programme, year, line_of, broken)
        for field, attribute in (("tolerance_choices", "choices"), ("tolerance_objections", "objections")):
            self.results.check_decisions(enrolment.get(field, []), year, line_of, broken, attribute)

        required = ("academic_year", "programme", "contract", "enrolled_on", "grant_status")
        if number is None or year is None or not known_programme or any(k not in enrolment for k in required):
            return None
        plan = EnrolmentPlan(
            academic_year=year_code,
            programme=programme,
            contract=enrolment["contract"],
            enrolled_on=enrolled_on,
            deregistered_on=deregistered_on,
            grant_status=enrolment["grant_status"],
            lines=lines,
        )
        stored = self.db.enrolments.get((number, year_code, programme)) if number in self.db.students else None
        if stored is None:
            return plan
        if len(self.known.problems) > problems_before:
            return None  # the plan lacks what was invalid: comparing it would only repeat those problems
        differences = differences_between(stored, canonical_of(plan))
        if differences:
            self.add(
                path,
                exists_differently(
                    _("enrolment of student '%(number)s' in '%(programme)s' in %(year)s")
                    % {"number": number, "programme": programme, "year": year_code},
                    differences,
                ),
            )
        return None

    def _check_window(self, year: YearView, day: datetime.date, path: str) -> bool:
        """Enrolment-related dates lie from ``starts_on`` - 122 days to ``ends_on`` (exchange.records)."""
        if year.starts_on is None or year.ends_on is None:
            return True
        opens = year.starts_on - ENROLMENT_OPENS_BEFORE_START
        if opens <= day <= year.ends_on:
            return True
        self.add(
            path,
            _("%(date)s is outside the enrolment window of %(year)s (%(opens)s to %(end)s)")
            % {"date": day.isoformat(), "year": year.code, "opens": opens.isoformat(), "end": year.ends_on.isoformat()},
        )
        return False

    def _course_problem(self, programme: str, course: str) -> str | None:
        if (programme, course) in self.known.courses:
            return None
        if self.known.course_programmes.get(course):
            return _("course '%(course)s' is not in programme '%(programme)s'") % {
                "course": course,
                "programme": programme,
            }
        return _("unknown course '%(course)s' in programme '%(programme)s'") % {
            "course": course,
            "programme": programme,
        }

    def _check_isp(self, enrolment, programme, year, enrolled_on, deregistered_on) -> tuple[list[LinePlan], set]:
        """The ISP's lines, and the courses of lines too broken to plan (results about them stay quiet)."""
        lines: list[LinePlan] = []
        broken: set[str] = set()
        current: dict[str, str] = {}  # course -> path of its line that is not removed
        added: dict[tuple[str, datetime.date], str] = {}
        for line in enrolment.get("isp", []):
            lpath, course, given = line["_path"], line.get("course"), line["_given"]
            if course is None:
                continue
            problem = self._course_problem(programme, course) if programme is not None else None
            if problem:
                self.add(join(lpath, "course"), problem)
                broken.add(course)
                continue
            # EXCHANGE.md: added_on defaults to enrolled_on; given but invalid (reported) leaves it unknown.
            invalid_added_on = "added_on" in given and "added_on" not in line
            added_on = None if invalid_added_on else line.get("added_on") or enrolled_on
            removed_on = line.get("removed_on")
            if line.get("added_on") is not None:
                if enrolled_on and added_on < enrolled_on:
                    self.add(
                        join(lpath, "added_on"),
                        _("must be on or after enrolled_on (%(date)s)") % {"date": enrolled_on.isoformat()},
                    )
                elif deregistered_on and added_on > deregistered_on:
                    self.add(
                        join(lpath, "added_on"),
                        _("must be on or before deregistered_on (%(date)s)") % {"date": deregistered_on.isoformat()},
                    )
                elif year:
                    self._check_window(year, added_on, join(lpath, "added_on"))
            if removed_on is not None:
                if added_on and removed_on < added_on:
                    self.add(
                        join(lpath, "removed_on"),
                        _("must be on or after added_on (%(date)s)") % {"date": added_on.isoformat()},
                    )
                elif year:
                    self._check_window(year, removed_on, join(lpath, "removed_on"))
            elif "removed_on" not in given or "removed_on" in line:
                if course in current:
                    self.add(
                        join(lpath, "course"),
                        _("course '%(course)s' is twice in this ISP (also at %(other)s)")
                        % {"course": course, "other": current[course]},
                    )
                    continue
                current[course] = lpath
            if added_on is None:
                broken.add(course)
                continue
            if (course, added_on) in added:
                self.add(
                    join(lpath, "course"),
                    _("course '%(course)s' is added twice on %(date)s (also at %(other)s)")
                    % {"course": course, "date": added_on.isoformat(), "other": added[(course, added_on)]},
                )
                continue
            added[(course, added_on)] = lpath
            lines.append(LinePlan(course, added_on, removed_on, line.get("exempted", False)))
        return lines, broken
