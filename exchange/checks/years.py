"""Checks of the academic years and their exam periods."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from exchange.checks.differences import differences_between, exists_differently
from exchange.checks.known import Checks, YearView
from exchange.parsing import ABSENT, join, show
from programmes import rules
from programmes.models import AcademicYear


class YearChecks(Checks):
    def check_years(self, years: list[dict]) -> None:
        seen: dict[str, str] = {}
        for year in years:
            path = year["_path"]
            code = year.get("code")
            if code is None:
                continue
            if code in seen:
                self.add(
                    join(path, "code"),
                    _("academic year '%(code)s' appears twice in the file (also at %(other)s)")
                    % {"code": code, "other": seen[code]},
                )
                continue
            seen[code] = path
            self._check_year(year, path, code)

    def _check_year(self, year: dict, path: str, code: str) -> None:
        first = rules.parse_academic_year_code(code)
        starts_on, ends_on = year.get("starts_on"), year.get("ends_on")
        if first is None:
            self.add(
                join(path, "code"),
                _("%(code)s is not an academic year code: use two consecutive years, for example 2023-2024")
                % {"code": show(code)},
            )
        else:
            if starts_on and starts_on.year != first:
                self.add(
                    join(path, "starts_on"),
                    _("academic year %(code)s starts in %(year)d, not on %(date)s")
                    % {"code": code, "year": first, "date": starts_on.isoformat()},
                )
            if ends_on and ends_on.year != first + 1:
                self.add(
                    join(path, "ends_on"),
                    _("academic year %(code)s ends in %(year)d, not on %(date)s")
                    % {"code": code, "year": first + 1, "date": ends_on.isoformat()},
                )
        if starts_on and ends_on and ends_on <= starts_on:
            self.add(
                join(path, "ends_on"),
                _("must be after starts_on (%(date)s)") % {"date": starts_on.isoformat()},
            )
            ends_on = None  # "inside the year" means nothing for such a year

        def outside(day: datetime.date) -> str | None:
            if starts_on is None or ends_on is None or starts_on <= day <= ends_on:
                return None
            return _("%(date)s is outside academic year %(code)s (%(start)s to %(end)s)") % {
                "date": day.isoformat(),
                "code": code,
                "start": starts_on.isoformat(),
                "end": ends_on.isoformat(),
            }

        calendar_in = year.get("calendar", ABSENT)
        given = {} if calendar_in is ABSENT else {k: v for k, v in calendar_in.items() if not k.startswith("_")}
        for name, day in given.items():
            if problem := outside(day):
                self.add(f"{path}.calendar.{name}", problem)
        stored = self.db.years.get(code)
        if stored is not None:
            calendar = {name: getattr(stored, name) for name in rules.CALENDAR_FIELDS}
            differences = differences_between(
                {"starts_on": stored.starts_on, "ends_on": stored.ends_on, **calendar},
                {
                    **{k: year[k] for k in ("starts_on", "ends_on") if k in year},
                    **given,
                },
            )
            if differences:
                self.add(path, exists_differently(_("academic year '%(code)s'") % {"code": code}, differences))
            calendar.update(given)
        else:
            draft = AcademicYear(code=code, starts_on=starts_on, ends_on=ends_on, **given)
            draft.fill_calendar_defaults()
            calendar = {name: getattr(draft, name) for name in rules.CALENDAR_FIELDS}

        periods: dict[int, tuple[datetime.date, datetime.date]] = {}
        period_paths: dict[int, str] = {}
        stored_periods = self.db.periods.get(code, {})
        new_periods = []
        for period in year.get("exam_periods", []):
            ppath = period["_path"]
            number = period.get("number")
            p_start, p_end, p_published = (period.get(k) for k in ("starts_on", "ends_on", "results_published_on"))
            if number is not None and number in period_paths:
                self.add(
                    join(ppath, "number"),
                    _("exam period %(number)d appears twice in academic year %(code)s (also at %(other)s)")
                    % {"number": number, "code": code, "other": period_paths[number]},
                )
                continue
            if p_start and p_end and p_end < p_start:
                self.add(
                    join(ppath, "ends_on"),
                    _("must be on or after starts_on (%(date)s)") % {"date": p_start.isoformat()},
                )
            if p_end and p_published and p_published < p_end:
                self.add(
                    join(ppath, "results_published_on"),
                    _("must be on or after ends_on (%(date)s)") % {"date": p_end.isoformat()},
                )
            for name, day in (("starts_on", p_start), ("ends_on", p_end), ("results_published_on", p_published)):
                if day and (problem := outside(day)):
                    self.add(join(ppath, name), problem)
            if number is None:
                continue
            period_paths[number] = ppath
            stored_period = stored_periods.get(number)
            if stored_period is not None:
                differences = differences_between(
                    {
                        "starts_on": stored_period.starts_on,
                        "ends_on": stored_period.ends_on,
                        "results_published_on": stored_period.results_published_on,
                    },
                    {k: period[k] for k in ("starts_on", "ends_on", "results_published_on") if k in period},
                )
                if differences:
                    self.add(
                        ppath,
                        exists_differently(
                            _("exam period %(number)d of academic year '%(code)s'") % {"number": number, "code": code},
                            differences,
                        ),
                    )
            if p_start and p_end:
                periods[number] = (p_start, p_end)
                if stored_period is None and p_published:
                    new_periods.append((code, number, p_start, p_end, p_published))
        for number, stored_period in stored_periods.items():
            periods.setdefault(number, (stored_period.starts_on, stored_period.ends_on))
        ordered = sorted(periods.items(), key=lambda item: item[1][0])
        for index, (number, (p_start, p_end)) in enumerate(ordered):
            for other, (o_start, o_end) in ordered[:index]:
                if not rules.periods_overlap(p_start, p_end, o_start, o_end):
                    continue
                # Report at a period the file gives; when both are in the file, at the later one.
                if number in period_paths:
                    self.add(
                        period_paths[number],
                        _("exam period %(number)d overlaps exam period %(other)d") % {"number": number, "other": other},
                    )
                elif other in period_paths:
                    self.add(
                        period_paths[other],
                        _("exam period %(number)d overlaps exam period %(other)d") % {"number": other, "other": number},
                    )

        self.known.years[code] = YearView(code, starts_on, ends_on, calendar, periods)
        self.plan.year_codes.add(code)
        self.plan.periods.extend(new_periods)
        if stored is None:
            self.plan.years.append({"code": code, "starts_on": starts_on, "ends_on": ends_on, **calendar})
