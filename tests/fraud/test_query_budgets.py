"""Issue 19 §2: the fraud files' list and a file's page read in at most 15 queries, and as many
with more files, hearings, evidence and decisions as with a few (tests/fraud/conftest.py:
S1 reported on E1 on 15 January 2024)."""

import datetime

from django.urls import reverse

from exams.models import Result
from fraud import services
from programmes.models import ExamPeriod
from reschedules.models import ExamMoment
from tests.fraud.test_views import DAY, _pdf
from tests.support.budgets import PAGE_BUDGET, same_again, within_budget
from tests.support.worlds import on

D = datetime.date
BUDGET = PAGE_BUDGET


def decided(fraud_file, heard):
    heard(fraud_file)
    return services.decision_record(
        fraud_file=fraud_file,
        sanctions=["programme_exclusion", "enrolment_ban"],
        reason="A smartphone with the notes at the exam.",
        judged_gross=True,
        ban_years=1,
        decided_on=DAY,
    )


def test_the_files(client, fraud, open_file, heard, django_assert_max_num_queries, django_assert_num_queries):
    client.force_login(fraud.chair_user)
    url = reverse("fraud:file_list")
    with on(DAY):
        decided(open_file(), heard)
        first = within_budget(client, url, django_assert_max_num_queries)
        for student in fraud.students[1:]:
            fraud_file = open_file(student=student)
            if student.number in ("s0000002", "s0000004"):
                decided(fraud_file, heard)
        open_file(kind="plagiarism", student=fraud.students[2], exam_moment=None, assignment="Bachelor paper")
        response = same_again(client, url, first, django_assert_num_queries)
    assert len(response.context["files"]) == 7


def test_a_file(client, fraud, open_file, heard, django_assert_max_num_queries, django_assert_num_queries):
    """The file before its decision: the evidence, the hearings, and the decision form with the
    student's results, courses and certificates to choose from."""
    client.force_login(fraud.chair_user)
    with on(DAY):
        fraud_file = open_file()
        services.evidence_add(fraud_file=fraud_file, upload=_pdf(), on=D(2024, 1, 15))
        url = reverse("fraud:file_detail", args=[fraud_file.pk])
        first = within_budget(client, url, django_assert_max_num_queries)
        for n in range(3):
            services.evidence_add(fraud_file=fraud_file, upload=_pdf(f"sheet{n}.pdf"), on=D(2024, 1, 16))
        heard(fraud_file)
        for student in fraud.students[1:4]:
            open_file(student=student)
        # More of the student's results: the second exam period's resits of E1-E3.
        june = ExamPeriod.objects.get(academic_year=fraud.year, number=2)
        for code in ("E1", "E2", "E3"):
            Result.objects.create(isp_line=fraud.lines["s0000001", code], exam_period=june, opportunity=2, score=11)
        ExamMoment.objects.create(
            course=fraud.e1, exam_period=june, on=D(2024, 6, 10), starts_at=datetime.time(9, 0), room="B.101"
        )
        response = same_again(client, url, first, django_assert_num_queries)
    assert len(response.context["evidence"]) == 4 and len(response.context["hearings"]) == 2
    assert response.context["forms"]["decision"].fields["zeroed_results"].queryset.count() == 6
