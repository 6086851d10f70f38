"""Writing students: the students themselves, their degrees, enrolments and ISP lines, as
plain rows (``exchange.write.rows``) with their creation records."""

from __future__ import annotations

from exchange.plan import EnrolmentPlan, LinePlan, StudentPlan
from exchange.summary import ImportSummary
from exchange.write.programmes import CatalogueIds
from exchange.write.rows import DEFAULT, insert_recorded, insert_rows
from students.models import Degree, Enrolment, ISPLine, Student

# An ISP line as written (its primary key), with the plans it came from (its results and
# decisions are written next).
WrittenLine = tuple[int, EnrolmentPlan, LinePlan]

ENROLMENT_FIELDS = (
    "student_id",
    "academic_year_id",
    "programme_id",
    "contract",
    "enrolled_on",
    "deregistered_on",
    "grant_status",
    "exception_requested_on",
)
LINE_FIELDS = ("enrolment_id", "course_id", "added_on", "removed_on", "exempted")


class StudentWriter:
    def __init__(self, ids: CatalogueIds, summary: ImportSummary):
        self.ids = ids
        self.summary = summary

    def write(self, chunk: list[StudentPlan]) -> list[WrittenLine]:
        student_ids = self._write_students(chunk)
        self._write_degrees(chunk, student_ids)
        enrolment_plans = [(plan.number, e) for plan in chunk for e in plan.enrolments]
        enrolment_ids = self._write_enrolments(enrolment_plans, student_ids)
        return self._write_lines(enrolment_ids, enrolment_plans)

    def _write_students(self, chunk: list[StudentPlan]) -> dict[str, int]:
        new = [plan for plan in chunk if plan.db_id is None]
        # A plan gives some of the student's fields; the others take their defaults.
        given = sorted({name for plan in new for name in plan.fields})
        pks = insert_recorded(
            Student,
            ["number", "first_enrolment_in_higher_education_id", *given],
            [
                (
                    plan.number,
                    self.ids.years.get(plan.first_enrolment),
                    *[plan.fields.get(name, DEFAULT) for name in given],
                )
                for plan in new
            ],
        )
        student_ids = {plan.number: pk for plan, pk in zip(new, pks, strict=True)}
        self.summary.students += len(new)
        student_ids.update({plan.number: plan.db_id for plan in chunk if plan.db_id is not None})
        return student_ids

    def _write_degrees(self, chunk: list[StudentPlan], student_ids: dict[str, int]) -> None:
        self.summary.degrees += insert_rows(
            Degree,
            ("student_id", "kind", "on"),
            [(student_ids[plan.number], kind, on) for plan in chunk for kind, on in plan.degrees],
        )

    def _write_enrolments(
        self, enrolment_plans: list[tuple[str, EnrolmentPlan]], student_ids: dict[str, int]
    ) -> list[int]:
        years, programmes = self.ids.years, self.ids.programmes
        enrolment_ids = insert_recorded(
            Enrolment,
            ENROLMENT_FIELDS,
            [
                (
                    student_ids[number],
                    years[e.academic_year],
                    programmes[e.programme],
                    e.contract,
                    e.enrolled_on,
                    e.deregistered_on,
                    e.grant_status,
                    # The import format has no written request for the Art. 33 exception:
                    # an imported enrolment is taken as requested (DOMAIN §2 rule 11).
                    e.enrolled_on,
                )
                for number, e in enrolment_plans
            ],
        )
        self.summary.enrolments += len(enrolment_ids)
        return enrolment_ids

    def _write_lines(
        self, enrolment_ids: list[int], enrolment_plans: list[tuple[str, EnrolmentPlan]]
    ) -> list[WrittenLine]:
        courses = self.ids.courses
        line_plans = [
            (enrolment_id, e, line)
            for enrolment_id, (_number, e) in zip(enrolment_ids, enrolment_plans, strict=True)
            for line in e.lines
        ]
        line_ids = insert_recorded(
            ISPLine,
            LINE_FIELDS,
            [
                (enrolment_id, courses[(e.programme, line.course)], line.added_on, line.removed_on, line.exempted)
                for enrolment_id, e, line in line_plans
            ],
        )
        self.summary.isp_lines += len(line_ids)
        return [(pk, e, line) for pk, (_enrolment_id, e, line) in zip(line_ids, line_plans, strict=True)]
