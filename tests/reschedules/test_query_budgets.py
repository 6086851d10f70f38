"""Issue 19 §2: the ombudsperson's pages (queue, request, schedule, reports) read in at most 15
queries, and as many with more rows of the kind they list as with a few (``ombuds_world``)."""

import pytest
from django.urls import reverse

from reschedules import services as ombuds
from reschedules.models import ExamMoment, OmbudsReport
from tests.reschedules.ombuds_world import TODAY, D, T, add_ombuds_world, log
from tests.support import personas
from tests.support.budgets import PAGE_BUDGET, same_again, within_budget
from tests.support.factories import AcademicYearFactory, EnrolmentFactory, ISPLineFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

BUDGET = PAGE_BUDGET


@pytest.fixture
def world(coach_world, on_coach_day):
    return add_ombuds_world(coach_world)


@pytest.fixture
def ombuds_client(client, world):
    client.force_login(world.ombudsperson)
    return client


def other_students_requests(world, numbers):
    """A force-majeure request on A101 in January for each new BA-A student of ``numbers``."""
    for number in numbers:
        enrolment = EnrolmentFactory(programme=world.programme, academic_year=world.year, student__number=number)
        line = ISPLineFactory(enrolment=enrolment, course=world.courses["A101"])
        ombuds.request_log(
            student=line.enrolment.student,
            course=line.course,
            exam_period=world.periods[1],
            kind="force_majeure",
            requested_on=TODAY,
            reason="ill",
            today=TODAY,
            by=world.ombudsperson,
        )


def test_the_queue(ombuds_client, world, django_assert_max_num_queries, django_assert_num_queries):
    log(world)
    other_students_requests(world, ["r0000003"])
    url = reverse("exams:request_list")
    first = within_budget(ombuds_client, url, django_assert_max_num_queries)
    log(world, code="A102")
    log(world, kind="unbalanced_isp", code="A103", period=2, on=D(2026, 10, 20))
    other_students_requests(world, [f"r{n:07d}" for n in range(4, 12)])
    response = same_again(ombuds_client, url + "?status=", first, django_assert_num_queries)
    assert len(response.context["rows"]) == 12


def test_a_request(ombuds_client, world, django_assert_max_num_queries, django_assert_num_queries):
    request = log(world)
    url = reverse("exams:request_detail", kwargs={"pk": request.pk})
    first = within_budget(ombuds_client, url, django_assert_max_num_queries)
    log(world, code="A102")
    other_students_requests(world, [f"r{n:07d}" for n in range(3, 8)])
    ombuds.request_decide(
        request=request,
        accepted=True,
        reason="documented",
        new_on=D(2027, 1, 20),
        new_starts_at=T(9, 0),
        new_room="B.103",
        today=TODAY,
        by=world.ombudsperson,
    )
    response = same_again(ombuds_client, url, first, django_assert_num_queries)
    assert len(response.context["history"]) >= 2


def test_the_schedule(ombuds_client, world, django_assert_max_num_queries, django_assert_num_queries):
    log(world)
    url = reverse("exams:schedule", kwargs={"number": world.student.number})
    first = within_budget(ombuds_client, url, django_assert_max_num_queries)
    # More exams: the second stage's courses in the ISP, with moments, and more requests.
    for i, code in enumerate(("A201", "A203", "A204")):
        ISPLineFactory(enrolment=world.enrolment, course=world.courses[code])
        ExamMoment.objects.create(
            course=world.courses[code],
            exam_period=world.periods[1],
            on=D(2027, 1, 18 + i),
            starts_at=T(9, 0),
            room="B.201",
            announced_on=D(2026, 10, 1),
        )
    log(world, code="A102")
    log(world, code="A105", period=2)
    response = same_again(ombuds_client, url, first, django_assert_num_queries)
    assert len(response.context["schedule"].exams) > 6


def test_the_reports(client, world, django_assert_max_num_queries, django_assert_num_queries):
    client.force_login(world.admin)
    url = reverse("exams:report_list")
    first = within_budget(client, url, django_assert_max_num_queries)
    earlier = AcademicYearFactory(first_year=2025)
    for code in ("BA-C", "BA-D", "BA-E"):
        programme = ProgrammeFactory(code=code, name=f"Bachelor {code}")
        for year in (world.year, earlier):
            personas.ombudsperson(f"ombuds-{code}-{year.first_year}", programme=programme, academic_year=year)
        OmbudsReport.objects.create(
            programme=programme, academic_year=earlier, prepared_on=D(2026, 9, 1), due_on=D(2026, 10, 1)
        )
    response = same_again(client, url, first, django_assert_num_queries)
    assert len(response.context["rows"]) >= 2 + 6
