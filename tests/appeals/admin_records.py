"""One appeal, refusal-lifting request and correction, for the walk over every admin page
(tests/core/test_admin.py)."""

import datetime

from appeals.models import Appeal, Correction, RefusalLiftingRequest
from students.models import Measure

D = datetime.date


def appeals_admin_records(line, user) -> None:
    student = line.enrolment.student
    result = line.results.first()
    measure = Measure.objects.filter(student=student).first()
    request = RefusalLiftingRequest.objects.create(
        student=student,
        measure=measure,
        academic_year_code="2024-2025",
        submitted_on=D(2024, 9, 20),
        grounds="Illness.",
        registered_by=user,
    )
    Appeal.objects.create(
        student=student,
        category="f",
        programme=line.enrolment.programme,
        decision_text="Result of the course",
        result=result,
        exam_period=result.exam_period if result else None,
        measure=measure,
        refusal_lifting_request=request,
        decision_on=D(2024, 2, 6),
        posted_on=D(2024, 2, 10),
        facts_and_objections="Question 3 was not marked.",
        decision_due_on=D(2024, 2, 29),
        registered_by=user,
    )
    Correction.objects.create(
        student=student,
        result=result,
        subject="Mark",
        decision_on=D(2024, 2, 6),
        corrected_on=D(2024, 2, 10),
        in_favour=True,
        old_value="7",
        new_value="12",
        reason="Typing error.",
        recorded_by=user,
    )
