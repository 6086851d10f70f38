"""Writing the catalogue: academic years, exam periods, programmes, courses, prerequisites
and identical courses."""

from __future__ import annotations

import dataclasses

from exchange.chunks import in_chunks
from exchange.plan import Plan
from exchange.summary import ImportSummary
from programmes.models import AcademicYear, Course, ExamPeriod, Prerequisite, Programme


@dataclasses.dataclass
class CatalogueIds:
    """Primary keys by natural key, of the records the plan names, new and existing."""

    years: dict[str, int]
    periods: dict[tuple[str, int], int]
    programmes: dict[str, int]
    courses: dict[tuple[str, str], int]


class CatalogueWriter:
    def __init__(self, plan: Plan, summary: ImportSummary):
        self.plan = plan
        self.summary = summary

    def write(self) -> CatalogueIds:
        year_ids, period_ids = self._write_years()
        programme_ids, course_ids = self._write_programmes()
        return CatalogueIds(year_ids, period_ids, programme_ids, course_ids)

    def _write_years(self) -> tuple[dict[str, int], dict[tuple[str, int], int]]:
        plan, summary = self.plan, self.summary
        AcademicYear.objects.bulk_create([AcademicYear(**fields) for fields in plan.years])
        summary.academic_years = len(plan.years)
        year_ids = dict(in_chunks(AcademicYear.objects.values_list("code", "id"), "code", plan.year_codes))
        ExamPeriod.objects.bulk_create(
            [
                ExamPeriod(
                    academic_year_id=year_ids[code],
                    number=number,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    results_published_on=published,
                )
                for code, number, starts_on, ends_on, published in plan.periods
            ]
        )
        summary.exam_periods = len(plan.periods)
        period_ids = {
            (code, number): pk
            for code, number, pk in in_chunks(
                ExamPeriod.objects.values_list("academic_year__code", "number", "id"),
                "academic_year__code",
                plan.year_codes,
            )
        }
        return year_ids, period_ids

    def _write_programmes(self) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
        plan, summary = self.plan, self.summary
        Programme.objects.bulk_create([Programme(**fields) for fields in plan.programmes])
        summary.programmes = len(plan.programmes)
        programme_ids = dict(in_chunks(Programme.objects.values_list("code", "id"), "code", plan.programme_codes))
        Course.objects.bulk_create(
            [
                Course(
                    programme_id=programme_ids[fields["programme"]],
                    **{k: v for k, v in fields.items() if k != "programme"},
                )
                for fields in plan.courses
            ]
        )
        summary.courses = len(plan.courses)
        course_ids = {
            (programme, code): pk
            for programme, code, pk in in_chunks(
                Course.objects.values_list("programme__code", "code", "id"), "programme__code", plan.programme_codes
            )
        }
        Prerequisite.objects.bulk_create(
            [
                Prerequisite(course_id=course_ids[course], required_id=course_ids[required], kind=kind)
                for course, required, kind in plan.prerequisites
            ]
        )
        summary.prerequisites = len(plan.prerequisites)
        # Writing the through table directly skips Django's mirroring of a symmetrical
        # relation: store both directions, as Course.identical_to.add() would.
        through = Course.identical_to.through
        rows = []
        for a, b in sorted(plan.links):
            rows.append(through(from_course_id=course_ids[a], to_course_id=course_ids[b]))
            rows.append(through(from_course_id=course_ids[b], to_course_id=course_ids[a]))
        through.objects.bulk_create(rows)
        summary.identical_courses = len(plan.links)
        return programme_ids, course_ids
