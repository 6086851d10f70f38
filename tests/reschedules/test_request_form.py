"""Issue 13 point 14: the request form. The kind has no default (the user chooses it); the
exam periods offered follow the chosen course's ISP year; the student number is
case-insensitive; every validation error is shown at once. "Te laat" no longer means two
things in Dutch: a request filed late and a decision overdue have two different words."""

import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from programmes.models import AssignmentRole
from reschedules.models import RescheduleRequest
from tests.reschedules.ombuds_world import add_ombuds_world, log
from tests.support.factories import AcademicYearFactory, EnrolmentFactory, ISPLineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(coach_world, on_coach_day):
    return add_ombuds_world(coach_world)


@pytest.fixture
def ombuds_client(client, world):
    client.force_login(world.ombudsperson)
    return client


def create_url(number):
    return reverse("exams:request_create", kwargs={"number": number})


def form_data(world, **change):
    data = {
        "kind": "force_majeure",
        "course": world.courses["A101"].pk,
        "exam_period": world.periods[1].pk,
        "requested_on": "2026-11-23",
        "reason": "Surgery on the day of the exam",
    }
    data.update(change)
    return data


def test_the_kind_of_request_has_no_default(ombuds_client, world):
    response = ombuds_client.get(create_url(world.student.number))
    form = response.context["form"]
    assert form["kind"].value() is None
    html = str(form["kind"])
    assert '<option value="" selected>Choose the kind of request</option>' in html
    assert "selected" not in html.split("</option>", 1)[1]  # no kind is chosen for the user


def test_a_request_without_a_kind_is_not_logged(ombuds_client, world):
    response = ombuds_client.post(create_url(world.student.number), form_data(world, kind=""))
    assert response.status_code == 422
    assert response.context["form"].errors["kind"] == ["Choose the kind of request."]
    assert not RescheduleRequest.objects.exists()


def test_every_validation_error_is_shown_at_once(ombuds_client, world):
    response = ombuds_client.post(
        create_url(world.student.number),
        form_data(world, kind="", reason="", requested_on="2026-11-30", course=world.courses["A201"].pk),
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["kind"] == ["Choose the kind of request."]
    assert errors["reason"] == ["Give the reason of the request."]
    assert errors["requested_on"] == ["A request cannot be logged ahead of today (23/11/2026)."]
    assert errors["course"] == [
        "A201 Course A201 is not in this student's ISP for 2026-2027: there is no exam to move (Art. 44 §2)."
    ]
    content = response.content.decode()
    for message in ("Choose the kind of request.", "Give the reason of the request.", "ahead of today"):
        assert message in content


@pytest.fixture
def two_years(world):
    """r0000001 was in BA-A in 2025-2026 too, with A101 (failed) but not A102; the ombudsperson
    handled BA-A that year as well."""
    from programmes.models import Assignment

    earlier = AcademicYearFactory(first_year=2025)
    enrolment = EnrolmentFactory(programme=world.programme, academic_year=earlier, student=world.student)
    ISPLineFactory(enrolment=enrolment, course=world.courses["A101"])
    Assignment.objects.create(
        user=world.ombudsperson, programme=world.programme, academic_year=earlier, role=AssignmentRole.OMBUDSPERSON
    )
    world.earlier = earlier
    return world


def test_the_exam_periods_offered_follow_the_chosen_courses_year(ombuds_client, two_years):
    world = two_years
    response = ombuds_client.get(create_url(world.student.number))
    content = response.content.decode()
    years = json.loads(re.search(r'<script id="course-years" type="application/json">(.*?)</script>', content).group(1))
    assert years[str(world.courses["A101"].pk)] == sorted([world.earlier.pk, world.year.pk])
    assert years[str(world.courses["A102"].pk)] == [world.year.pk]
    # Each exam period says which year it belongs to, for the page to offer only those of the course.
    for period in world.earlier.exam_periods.all():
        assert f'data-year="{world.earlier.pk}" value="{period.pk}"' in content or (
            f'value="{period.pk}" data-year="{world.earlier.pk}"' in content
        )


def test_an_exam_period_of_another_year_than_the_courses_isp_is_refused(ombuds_client, two_years):
    world = two_years
    period = world.earlier.exam_periods.get(number=1)
    response = ombuds_client.post(
        create_url(world.student.number), form_data(world, course=world.courses["A102"].pk, exam_period=period.pk)
    )
    assert response.status_code == 422
    assert response.context["form"].errors["exam_period"] == [
        "A102 is not in this student's ISP for 2025-2026: choose an exam period of 2026-2027."
    ]
    # A101 was in both ISPs: either year's period is fine.
    response = ombuds_client.post(
        create_url(world.student.number), form_data(world, course=world.courses["A101"].pk, exam_period=period.pk)
    )
    assert response.status_code == 302


@pytest.mark.parametrize("typed", ["R0000001", " r0000001 ", "R0000001"])
def test_the_student_number_is_case_insensitive(ombuds_client, world, typed):
    response = ombuds_client.get(reverse("exams:request_list"), {"log_for": typed})
    assert response.status_code == 302
    assert response["Location"] == create_url("r0000001")
    assert ombuds_client.get(create_url(typed.strip())).status_code == 200
    assert ombuds_client.get(reverse("exams:schedule", kwargs={"number": typed.strip()})).status_code == 200


def test_filed_late_and_overdue_are_two_words_in_dutch():
    with translation.override("nl"):
        late = translation.pgettext("filed late", "late")
        overdue = translation.pgettext("decision not made in time", "overdue")
        report_overdue = translation.pgettext("report not submitted in time", "overdue")
        filter_late = translation.gettext("Late or not eligible")
        filter_overdue = translation.gettext("Overdue: open after its decision date")
    assert late == "laattijdig"
    assert overdue == report_overdue == "termijn verstreken"
    assert "te laat" not in (late + overdue).lower()
    assert filter_late.lower().startswith("laattijdig") and filter_overdue.lower().startswith("termijn verstreken")


def test_the_queue_badges_say_late_and_overdue_apart(ombuds_client, world):
    from tests.reschedules.ombuds_world import D

    log(world, kind="unbalanced_isp", code="A103", period=2, on=D(2026, 10, 20))  # overdue
    log(world, kind="religious_holiday", code="A101", on=D(2026, 11, 1))  # filed late
    ombuds_client.cookies["django_language"] = "nl"
    content = ombuds_client.get(reverse("exams:request_list")).content.decode()
    assert "termijn verstreken" in content and "laattijdig" in content
    assert ">te laat<" not in content


def test_an_exempted_course_is_named_as_exempted_among_the_other_errors(ombuds_client, world):
    from students.models import ISPLine

    ISPLine.objects.filter(pk=world.lines["A102"].pk).update(exempted=True)
    response = ombuds_client.post(
        create_url(world.student.number), form_data(world, course=world.courses["A102"].pk, reason="")
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["course"] == [
        "A102 Course A102 is exempted in this student's ISP: an exempted course has no exam (Art. 25)."
    ]
    assert errors["reason"] == ["Give the reason of the request."]
