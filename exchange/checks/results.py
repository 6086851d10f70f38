"""Checks of an enrolment's results, tolerance choices and tolerance objections."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils.translation import gettext as _

from exchange.checks.known import Checks
from exchange.parsing import ABSENT, join
from exchange.plan import LinePlan, ResultPlan

DECISIONS_AFTER_END = datetime.timedelta(days=31)


class ResultChecks(Checks):
    def check_results(self, enrolment, programme, year, line_of: dict[str, LinePlan], broken: set) -> None:
        taken: dict[str, dict[int, tuple[str, int]]] = defaultdict(dict)  # course -> opportunity -> (path, period)
        for result in enrolment.get("results", []):
            rpath, course = result["_path"], result.get("course")
            line = line_of.get(course) if course is not None else None
            if course is not None and line is None:
                if programme is not None and course not in broken:
                    self.add(join(rpath, "course"), _("course '%(course)s' is not in this ISP") % {"course": course})
            elif line is not None and line.exempted:
                self.add(
                    join(rpath, "course"),
                    _("course '%(course)s' is exempted in this ISP: an exempted course has no results")
                    % {"course": course},
                )
            view = self.known.courses.get((programme, course)) if programme and course else None

            period = result.get("exam_period")
            if period is not None and year is not None and period not in year.periods:
                self.add(
                    join(rpath, "exam_period"),
                    _("exam period %(number)d does not exist in academic year %(code)s")
                    % {"number": period, "code": year.code},
                )
                period = None

            opportunity = result.get("opportunity")
            if opportunity is not None and opportunity not in (1, 2):
                self.add(
                    join(rpath, "opportunity"),
                    _("opportunity %(number)d: a course has at most two opportunities per academic year (1 or 2)")
                    % {"number": opportunity},
                )
                opportunity = None
            elif opportunity == 2 and view is not None and view.resit is False:
                self.add(
                    join(rpath, "opportunity"),
                    _("course '%(course)s' has no second opportunity (resit: false)") % {"course": course},
                )
            if opportunity is not None and course is not None:
                if opportunity in taken[course]:
                    self.add(
                        join(rpath, "opportunity"),
                        _("opportunity %(number)d of course '%(course)s' is given twice (also at %(other)s)")
                        % {"number": opportunity, "course": course, "other": taken[course][opportunity][0]},
                    )
                else:
                    taken[course][opportunity] = (rpath, period)

            given = result["_given"]
            mark, parts = result.get("mark", ABSENT), result.get("parts", ABSENT)
            if "mark" in given and "parts" in given:
                self.add(rpath, _("give either mark or parts, not both"))
            elif "mark" not in given and "parts" not in given:
                self.add(rpath, _("a result needs a mark or parts"))
            elif parts is not ABSENT and not parts:
                self.add(join(rpath, "parts"), _("give at least one partial exam"))
            elif view is not None and view.pass_fail is not None:
                if parts is not ABSENT and view.pass_fail:
                    self.add(
                        join(rpath, "parts"),
                        _("course '%(course)s' is pass/fail: partial exams are only for courses with numeric marks")
                        % {"course": course},
                    )
                elif mark in ("P", "F") and not view.pass_fail:
                    self.add(
                        join(rpath, "mark"),
                        _("'%(mark)s' is only for pass/fail courses; course '%(course)s' has marks 0-20")
                        % {"mark": mark, "course": course},
                    )
                elif type(mark) is int and view.pass_fail:
                    self.add(
                        join(rpath, "mark"),
                        _("course '%(course)s' is pass/fail: its mark is 'P', 'F' or 'NA', not %(mark)d")
                        % {"course": course, "mark": mark},
                    )

            if line is not None and period is not None and opportunity is not None:
                if "mark" in result:
                    score, grade = (mark, "") if type(mark) is int else (None, mark)
                    line.results.append(ResultPlan(period, opportunity, score, grade, ()))
                elif "parts" in result:
                    part_values = tuple((p["credits"], p["mark"]) for p in parts if "credits" in p and "mark" in p)
                    line.results.append(ResultPlan(period, opportunity, None, "", part_values))

        for course, opportunities in taken.items():
            if 1 in opportunities and 2 in opportunities and year is not None:
                (_first_path, first_period), (second_path, second_period) = opportunities[1], opportunities[2]
                if first_period is None or second_period is None:
                    continue
                if year.periods[second_period][0] <= year.periods[first_period][0]:
                    self.add(
                        join(second_path, "exam_period"),
                        _(
                            "the second opportunity of course '%(course)s' must be in a later exam period "
                            "than the first (exam period %(first)d)"
                        )
                        % {"course": course, "first": first_period},
                    )

    def check_decisions(self, decisions, year, line_of: dict[str, LinePlan], broken: set, attribute: str) -> None:
        seen: dict[tuple[str, datetime.date], str] = {}
        for decision in decisions:
            dpath, course, on = decision["_path"], decision.get("course"), decision.get("on")
            line = line_of.get(course) if course is not None else None
            if course is not None and line is None and course not in broken:
                self.add(join(dpath, "course"), _("course '%(course)s' is not in this ISP") % {"course": course})
            if on is not None and year is not None and year.starts_on and year.ends_on:
                last = year.ends_on + DECISIONS_AFTER_END
                if not year.starts_on <= on <= last:
                    self.add(
                        join(dpath, "on"),
                        _("%(date)s is outside %(start)s to %(end)s (academic year %(code)s and 31 days after it)")
                        % {
                            "date": on.isoformat(),
                            "start": year.starts_on.isoformat(),
                            "end": last.isoformat(),
                            "code": year.code,
                        },
                    )
            if course is None or on is None:
                continue
            if (course, on) in seen:
                self.add(
                    dpath,
                    _("course '%(course)s' on %(date)s appears twice (also at %(other)s)")
                    % {"course": course, "date": on.isoformat(), "other": seen[(course, on)]},
                )
                continue
            seen[(course, on)] = dpath
            if line is not None:
                getattr(line, attribute).append(on)
