"""The admin: every changelist, add and change page opens (a walk over every registered
model), the records admin's defaults, and the action 'replay the deadlines up to a day',
which runs the timeline service."""

import datetime

import pytest
import time_machine
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from core.models import Transition
from exams.models import ProgrammeResult, ResultPart, ToleranceChoice, ToleranceObjection
from programmes.models import AcademicYear, Assignment, Prerequisite
from students.models import ExemptionApproval, ISPDerogation, LearningAccountEntry, Measure
from tests.core import scenario
from tests.support.factories import (
    CourseFactory,
    DegreeFactory,
    ISPLineFactory,
    LearningAccountEntryFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
OUR_APPS = {"core", "programmes", "students", "exams", "appeals"}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _ in REGISTERED])
def test_every_admin_changelist_and_add_page_opens(admin_client, admin_user, model, model_admin):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200

    request = RequestFactory().get("/")
    request.user = admin_user
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert admin_client.get(admin_url(model, "add")).status_code == expected


@pytest.fixture
def records(admin_user):
    """One of everything: a result with parts on an ISP line, tolerance, ledger, degree,
    a measure, a programme result, a programme assignment and the ISP decisions."""
    result = ResultFactory(score=None)
    ResultPart.objects.create(result=result, position=1, credits=3, score=12)
    ResultPart.objects.create(result=result, position=2, credits=3, score=9)
    line = result.isp_line
    student = line.enrolment.student
    ToleranceChoice.objects.create(isp_line=line, on=datetime.date(2024, 2, 10))
    ToleranceObjection.objects.create(isp_line=line, on=datetime.date(2024, 2, 8))
    LearningAccountEntryFactory(student=student, credits=140)
    LearningAccountEntryFactory(student=student, credits=-6, kind="deduction", course=line.course)
    DegreeFactory(student=student)
    other = CourseFactory(programme=line.course.programme)
    Prerequisite.objects.create(course=other, required=line.course, kind="SQ")
    other.identical_to.add(line.course)
    Transition.objects.create(key="first_semester_lock:2023-2024", due_on=datetime.date(2023, 12, 1))
    enrolment = line.enrolment
    Assignment.objects.create(
        user=admin_user, programme=enrolment.programme, academic_year=enrolment.academic_year, role="coach"
    )
    Measure.objects.create(
        student=student,
        kind="repeated_failure_refusal",
        programme=enrolment.programme,
        course=line.course,
        from_year_code="2024-2025",
        until_year_code="2024-2025",
        decided_on=datetime.date(2024, 9, 15),
        decided_in=enrolment.academic_year,
    )
    from exams.models import HeldPublication

    HeldPublication.objects.create(exam_period=result.exam_period, programme=enrolment.programme)
    ProgrammeResult.objects.create(
        student=student,
        programme=enrolment.programme,
        academic_year=enrolment.academic_year,
        passed_on=datetime.date(2024, 7, 2),
        percentage="72.5000",
        level="cum_laude",
    )
    ISPDerogation.objects.create(
        enrolment=enrolment,
        kind="more_credits",
        credits=78,
        ground="outstanding_efficiency",
        approved_on=datetime.date(2023, 9, 20),
        approved_by=admin_user,
    )
    exempted = ISPLineFactory(enrolment=enrolment, exempted=True)
    ExemptionApproval.objects.create(
        isp_line=exempted, basis="credit certificate", approved_on=datetime.date(2023, 9, 20), approved_by=admin_user
    )
    from students.models import ToleratedRetakeApproval

    ToleratedRetakeApproval.objects.create(
        enrolment=enrolment,
        course=line.course,
        requested_on=datetime.date(2023, 9, 18),
        approved_on=datetime.date(2023, 9, 20),
        approved_by=admin_user,
    )
    from tests.reschedules.ombuds_world import ombuds_admin_records  # exam moments, requests, statuses, reports

    ombuds_admin_records(line, admin_user)
    from tests.appeals.admin_records import appeals_admin_records  # an appeal, a lifting request, a correction

    appeals_admin_records(line, admin_user)
    return result


OUR_MODELS = [(m, a) for m, a in REGISTERED if m._meta.app_label in OUR_APPS]


@pytest.mark.parametrize(("model", "model_admin"), OUR_MODELS, ids=[m._meta.label for m, _ in OUR_MODELS])
def test_every_change_page_of_our_models_opens(admin_client, records, model, model_admin):
    obj = model.objects.first()
    assert obj is not None, f"the fixture makes no {model._meta.label}"
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "x"}).status_code == 200


def test_admin_site_is_named_after_the_college(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert "College student administration" in response.content.decode()


def test_a_new_approval_defaults_to_the_signed_in_user_and_today(admin_client, admin_user):
    response = admin_client.get(reverse("admin:students_ispderogation_add"))
    form = response.context["adminform"].form
    assert form.initial["approved_by"] == admin_user.pk
    assert form.initial["approved_on"] is not None


# --- The action 'replay the deadlines up to a day' runs the timeline service.
# (formerly tests/core/test_admin_replay.py)

URL = reverse("admin:programmes_academicyear_changelist")


@pytest.fixture
def college(db):
    return scenario.build()


def _post(client, day, apply=True):
    year = AcademicYear.objects.get(code="2023-2024")
    data = {"action": "replay_deadlines", "_selected_action": [year.pk], "day": day}
    if apply:
        data["apply"] = "1"
    return client.post(URL, data, follow=True)


@time_machine.travel(datetime.date(2026, 11, 23))
def test_the_action_asks_for_the_day_first(college, admin_client):
    response = _post(admin_client, "", apply=False)
    assert response.status_code == 200
    assert b"Run the deadlines up to" in response.content
    assert LearningAccountEntry.objects.count() == 0


@time_machine.travel(datetime.date(2026, 11, 23))
def test_the_action_runs_the_timeline_up_to_the_day(college, admin_client):
    response = _post(admin_client, "2023-12-01")
    assert response.status_code == 200
    assert b"Deadlines run up to 2023-12-01" in response.content
    assert Transition.objects.filter(key="ay:2023-2024:first_semester_lock").exists()
    assert not Transition.objects.filter(key__endswith=":publication").exists()
    # S2 removed C01 on 20 November, before the lock: 140 - 60 + 6.
    assert sum(LearningAccountEntry.objects.filter(student__number="S2").values_list("credits", flat=True)) == 86


@time_machine.travel(datetime.date(2026, 11, 23))
def test_a_day_after_today_is_refused_and_changes_nothing(college, admin_client):
    response = _post(admin_client, "2026-11-24")
    assert b"cannot run ahead of today" in response.content
    assert LearningAccountEntry.objects.count() == 0
    assert Transition.objects.count() == 0
