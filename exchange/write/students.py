"""Writing students: the students themselves, their degrees, enrolments and ISP lines."""

from __future__ import annotations

from exchange.plan import EnrolmentPlan, LinePlan, StudentPlan
from exchange.summary import ImportSummary
from exchange.write.history import bulk_create_recorded
from exchange.write.programmes import CatalogueIds
from students.models import Degree, Enrolment, ISPLine, Student

# An ISP line as written, with the plans it came from (its results and decisions are written next).
WrittenLine = tuple[ISPLine, EnrolmentPlan, LinePlan]


class StudentWriter:
    def __init__(self, ids: CatalogueIds, summary: ImportSummary):
        self.ids = ids
        self.summary = summary

    def write(self, chunk: list[StudentPlan]) -> list[WrittenLine]:
        student_ids = self._write_students(chunk)
        self._write_degrees(chunk, student_ids)
        enrolment_plans = [(plan.number, e) for plan in chunk for e in plan.enrolments]
        enrolments = self._write_enrolments(enrolment_plans, student_ids)
        return self._write_lines(enrolments, enrolment_plans)

    def _write_students(self, chunk: list[StudentPlan]) -> dict[str, int]:
        new = [
            Student(
                number=plan.number,
                first_enrolment_in_higher_education_id=self.ids.years.get(plan.first_enrolment),
                **plan.fields,
            )
            for plan in chunk
            if plan.db_id is None
        ]
        student_ids = {s.number: s.pk for s in bulk_create_recorded(new, Student)}
        self.summary.students += len(new)
        student_ids.update({plan.number: plan.db_id for plan in chunk if plan.db_id is not None})
        return student_ids

    def _write_degrees(self, chunk: list[StudentPlan], student_ids: dict[str, int]) -> None:
        degrees = [
            Degree(student_id=student_ids[plan.number], kind=kind, on=on) for plan in chunk for kind, on in plan.degrees
        ]
        Degree.objects.bulk_create(degrees)
        self.summary.degrees += len(degrees)

    def _write_enrolments(
        self, enrolment_plans: list[tuple[str, EnrolmentPlan]], student_ids: dict[str, int]
    ) -> list[Enrolment]:
        enrolments = bulk_create_recorded(
            [
                Enrolment(
                    student_id=student_ids[number],
                    academic_year_id=self.ids.years[e.academic_year],
                    programme_id=self.ids.programmes[e.programme],
                    contract=e.contract,
                    enrolled_on=e.enrolled_on,
                    deregistered_on=e.deregistered_on,
                    grant_status=e.grant_status,
                    # The import format has no written request for the Art. 33 exception:
                    # an imported enrolment is taken as requested (DOMAIN §2 rule 11).
                    exception_requested_on=e.enrolled_on,
                )
                for number, e in enrolment_plans
            ],
            Enrolment,
        )
        self.summary.enrolments += len(enrolments)
        return enrolments

    def _write_lines(
        self, enrolments: list[Enrolment], enrolment_plans: list[tuple[str, EnrolmentPlan]]
    ) -> list[WrittenLine]:
        line_plans = [
            (row.pk, e, line) for row, (_number, e) in zip(enrolments, enrolment_plans, strict=True) for line in e.lines
        ]
        lines = bulk_create_recorded(
            [
                ISPLine(
                    enrolment_id=enrolment_id,
                    course_id=self.ids.courses[(e.programme, line.course)],
                    added_on=line.added_on,
                    removed_on=line.removed_on,
                    exempted=line.exempted,
                )
                for enrolment_id, e, line in line_plans
            ],
            ISPLine,
        )
        self.summary.isp_lines += len(lines)
        return [(row, e, line) for row, (_enrolment_id, e, line) in zip(lines, line_plans, strict=True)]
