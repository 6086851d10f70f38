"""Query budgets of the coach's pages with 2,000 students: a fixed number of queries,
whatever the number of students on the list or lines in the ISP."""

import datetime

import pytest
from django.urls import reverse

from programmes.models import Assignment
from students.models import Enrolment, ISPLine, LearningAccountEntry, Student

pytestmark = pytest.mark.django_db

STUDENTS = 2000
LIST_BUDGET = 15
STUDENT_PAGE_BUDGET = 30
EDITOR_BUDGET = 30


@pytest.fixture
def college(coach_world):
    """2,000 students of BA-A in 2026-2027, each with the first stage and a ledger, in bulk."""
    world = coach_world
    students = Student.objects.bulk_create(
        Student(number=f"q{i:05d}", first_name=f"First{i}", last_name=f"Last{i}") for i in range(STUDENTS)
    )
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(
            student=student,
            academic_year=world.year,
            programme=world.programme,
            contract="degree",
            enrolled_on=datetime.date(2026, 9, 15),
            enrolment_processed=True,
            balance_at_enrolment=140,
        )
        for student in students
    )
    stage_one = [world.courses[code] for code in ("A101", "A102", "A103", "A104", "A105")]
    ISPLine.objects.bulk_create(
        ISPLine(
            enrolment=enrolment,
            course=course,
            added_on=datetime.date(2026, 9, 15),
            add_processed=True,
            deducted_credits=course.credits,
        )
        for enrolment in enrolments
        for course in stage_one
    )
    LearningAccountEntry.objects.bulk_create(
        entry
        for student, enrolment in zip(students, enrolments, strict=True)
        for entry in (
            LearningAccountEntry(
                student=student, on=enrolment.enrolled_on, credits=140, kind="opening", source=f"q:{student.pk}"
            ),
            LearningAccountEntry(
                student=student,
                on=enrolment.enrolled_on,
                credits=-30,
                kind="deduction",
                source=f"enrolment:{enrolment.pk}:isp",
                academic_year=world.year,
                programme=world.programme,
            ),
        )
    )
    world.bulk_enrolments = enrolments
    return world


def test_the_student_list_stays_within_its_budget(client, college, on_coach_day, django_assert_max_num_queries):
    client.force_login(college.coach)
    assert Assignment.objects.filter(user=college.coach).exists()
    for query in ({}, {"page": 40}, {"q": "Last1", "ordering": "-balance"}, {"below_60": "on", "academic_year": ""}):
        with django_assert_max_num_queries(LIST_BUDGET):
            response = client.get(reverse("students:student_list"), query)
        assert response.status_code == 200
    assert response.context["page"].paginator.count == 0  # nobody below 60
    assert client.get(reverse("students:student_list")).context["page"].paginator.count == STUDENTS + 1


def test_the_student_page_stays_within_its_budget_whatever_the_number_of_lines(
    client, college, on_coach_day, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(college.coach)
    url = reverse("students:student_detail", kwargs={"number": college.student.number})
    with django_assert_max_num_queries(STUDENT_PAGE_BUDGET) as few:
        assert client.get(url).status_code == 200
    # Four more lines and an earlier year: the same number of queries.
    from tests.factories import AcademicYearFactory, EnrolmentFactory, ISPLineFactory

    earlier = EnrolmentFactory(
        student=college.student, programme=college.programme, academic_year=AcademicYearFactory(first_year=2025)
    )
    for code in ("A201", "A203", "A204"):
        ISPLineFactory(enrolment=earlier, course=college.courses[code])
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_the_editor_stays_within_its_budget_whatever_the_number_of_lines(
    client, college, on_coach_day, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(college.coach)
    enrolment = college.bulk_enrolments[0]
    url = reverse("students:isp_editor", kwargs={"pk": enrolment.pk})
    with django_assert_max_num_queries(EDITOR_BUDGET) as few:
        assert client.get(url).status_code == 200
    for code in ("A201", "A203"):
        ISPLine.objects.create(enrolment=enrolment, course=college.courses[code], added_on=datetime.date(2026, 9, 15))
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def test_query_counts_are_printed_for_the_report(client, college, on_coach_day, capsys):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(college.coach)
    counts = {}
    for label, url in (
        ("list", reverse("students:student_list")),
        ("student page", reverse("students:student_detail", kwargs={"number": college.student.number})),
        ("editor", reverse("students:isp_editor", kwargs={"pk": college.enrolment.pk})),
    ):
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts[label] = len(captured.captured_queries)
    with capsys.disabled():
        print(f"\nqueries with {STUDENTS} students: {counts}")
    assert counts["list"] <= LIST_BUDGET
