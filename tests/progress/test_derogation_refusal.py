"""A derogation the cluster refused (Art. 22): recorded with its reason, told to the student once
(DOMAIN §11; appealable from the notification, Art. 101 (e)), and of no effect on the rules.

The coach's world (tests/support/worlds.py): r0000001 is new in BA-A "Bachelor A" in 2026-2027 with
the whole first stage, A101-A105 of 6 credits each; A201 has SQ A101. Today is 23 November 2026,
before the 1 December lock. The outbox is live since 1 January 2024 unless a test says otherwise.
"""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse

from notifications.models import Notification
from progress import services
from progress.forms import DerogationForm
from students.models import ISPDerogation

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 23)
REASON = "Geen bijzonder statuut aangetoond."


class Boom(Exception):
    pass


@pytest.fixture(autouse=True)
def live(settings):
    """As tests/notifications/conftest.py: the college tells decisions since 1 January 2024."""
    settings.NOTIFICATIONS_GO_LIVE = D(2024, 1, 1)
    settings.NOTIFICATIONS_HOLD = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def world(coach_world, on_coach_day):
    return coach_world


def told():
    return Notification.objects.filter(kind="derogation_refused").order_by("pk")


def refuse(world, *, kind="model_route", version=1, reason=REASON, **extra):
    return services.isp_derogation_refuse(
        enrolment=world.enrolment,
        kind=kind,
        ground="special_status",
        reason=reason,
        expected_version=version,
        by=world.coach,
        **extra,
    )


def codes(excinfo):
    return [p.code for p in excinfo.value.problems]


# --- No effect on the rules (Art. 21, 22) ---------------------------------------------------------
def test_a_refused_model_route_derogation_still_keeps_the_first_stage(world):
    derogation = refuse(world)
    assert (derogation.outcome, derogation.motivation, derogation.approved_on) == ("refused", REASON, TODAY)
    assert derogation.approved_by == world.coach
    # Art. 21: a new student keeps the whole first stage; the refusal lifts nothing.
    with pytest.raises(services.ISPRefused) as excinfo:
        services.isp_line_remove(line=world.lines["A101"], expected_version=2, by=world.coach)
    assert codes(excinfo) == ["model_route_course"]
    assert list(ISPDerogation.objects.approved()) == []
    assert list(world.enrolment.derogations.refused()) == [derogation]


def test_a_refused_sequencing_derogation_leaves_the_sq_rule(world):
    # A101 leaves the ISP on an approved model-route derogation; A201 then lacks its SQ A101.
    services.isp_derogation_record(
        enrolment=world.enrolment, kind="model_route", ground="special_status", expected_version=1, by=world.coach
    )
    services.isp_line_remove(line=world.lines["A101"], expected_version=2, by=world.coach)
    refuse(world, kind="sequencing", course=world.courses["A201"], version=3)
    with pytest.raises(services.ISPRefused) as excinfo:
        services.isp_line_add(
            enrolment=world.enrolment, course=world.courses["A201"], expected_version=4, by=world.coach
        )
    assert codes(excinfo) == ["sq_missing"]


def test_a_refused_credit_derogation_does_not_move_the_maximum(world):
    from tests.support.factories import CourseFactory

    refuse(world, kind="more_credits", credits=80)
    big = CourseFactory(programme=world.programme, code="A299", credits=45, stage=2)
    with pytest.raises(services.ISPRefused) as excinfo:
        services.isp_line_add(enrolment=world.enrolment, course=big, expected_version=2, by=world.coach)
    assert codes(excinfo) == ["above_maximum"]


def test_an_approval_after_a_refusal_applies_but_a_second_refusal_is_refused(world):
    refuse(world)
    with pytest.raises(services.ISPRefused) as excinfo:
        refuse(world, version=2)
    assert codes(excinfo) == ["derogation_decided"]
    services.isp_derogation_record(
        enrolment=world.enrolment, kind="model_route", ground="special_status", expected_version=2, by=world.coach
    )
    services.isp_line_remove(line=world.lines["A101"], expected_version=3, by=world.coach)
    with pytest.raises(services.ISPRefused) as excinfo:
        refuse(world, version=4)
    assert codes(excinfo) == ["derogation_decided"]
    assert told().count() == 1


# --- The refusal needs a reason, and is checked as a derogation ---------------------------------
@pytest.mark.parametrize("reason", ["", "   "])
def test_a_refusal_without_a_reason_is_refused_and_writes_nothing(world, reason):
    with pytest.raises(services.ISPRefused) as excinfo:
        refuse(world, reason=reason)
    assert codes(excinfo) == ["refusal_needs_reason"]
    assert "State the cluster's reason for refusing the derogation" in excinfo.value.messages[0]
    world.enrolment.refresh_from_db()
    assert world.enrolment.version == 1
    assert not ISPDerogation.objects.exists()
    assert not told().exists()


def test_a_refusal_for_ssq_is_refused_as_no_derogation_exists(world):
    with pytest.raises(services.ISPRefused) as excinfo:
        refuse(world, kind="sequencing", course=world.courses["A202"])
    assert codes(excinfo) == ["no_sq_prerequisite"]
    assert not ISPDerogation.objects.exists()


def test_the_refusal_is_audited(world):
    derogation = refuse(world)
    record = derogation.history.get()
    assert (record.history_user, record.history_change_reason, record.outcome) == (
        world.coach,
        "derogation model_route refused",
        "refused",
    )
    world.enrolment.refresh_from_db()
    assert world.enrolment.version == 2
    assert world.enrolment.history.order_by("-history_id").first().history_change_reason == (
        "ISP: derogation model_route refused"
    )


# --- Told once (DOMAIN §11) -----------------------------------------------------------------------
def test_the_refusal_is_told_once_with_the_decision(world):
    derogation = refuse(world, kind="sequencing", course=world.courses["A201"])
    row = told().get()
    assert (row.student_id, row.object_label, row.object_id, row.decided_on) == (
        world.student.pk,
        "students.ISPDerogation",
        derogation.pk,
        TODAY,
    )
    assert row.data == {
        "academic_year": "2026-2027",
        "derogation": "sequencing",
        "course": "A201 Course A201",
        "reason": REASON,
        "decided_on": "2026-11-23",
    }


def test_a_credit_refusal_names_no_course(world):
    refuse(world, kind="fewer_credits", credits=18)
    assert told().get().data["course"] == ""


def test_an_approved_derogation_is_not_told(world):
    services.isp_derogation_record(
        enrolment=world.enrolment, kind="model_route", ground="special_status", expected_version=1, by=world.coach
    )
    assert not told().exists()


def test_a_refusal_that_rolls_back_tells_nothing(world):
    with pytest.raises(Boom), transaction.atomic():
        refuse(world)
        raise Boom
    assert not ISPDerogation.objects.exists()
    assert not told().exists()


def test_a_refusal_before_the_go_live_date_is_not_told(world, live):
    live.NOTIFICATIONS_GO_LIVE = D(2027, 1, 1)
    refuse(world)
    assert ISPDerogation.objects.refused().count() == 1
    assert not told().exists()


# --- The form and the editor page ---------------------------------------------------------------
def _form(world, **data):
    values = {"version": 1, "kind": "model_route", "ground": "special_status", "outcome": "refused"}
    values.update(data)
    return DerogationForm(values, courses=world.enrolment.programme.courses.all())


def test_the_form_refuses_a_refusal_without_reason_and_defaults_to_approved(world):
    form = _form(world, motivation="  ")
    assert not form.is_valid()
    assert form.errors["motivation"] == ["State the cluster's reason for refusing the derogation (Art. 22, 101)."]
    form = _form(world, outcome="")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["outcome"] == "approved"
    assert _form(world, motivation=REASON).is_valid()


@pytest.fixture
def coach_client(client, world):
    client.force_login(world.coach)
    return client


def test_the_editor_posts_a_refusal_and_lists_it_as_refused(coach_client, world):
    url = reverse("students:isp_derogation", kwargs={"pk": world.enrolment.pk})
    response = coach_client.post(
        url,
        {"version": 1, "kind": "model_route", "ground": "special_status", "outcome": "refused", "motivation": REASON},
    )
    assert response.status_code == 302
    derogation = ISPDerogation.objects.get()
    assert (derogation.outcome, derogation.motivation) == ("refused", REASON)
    assert told().count() == 1
    page = coach_client.get(response.url).content.decode()
    assert "The refused derogation was recorded; the student is told." in page
    assert '<span class="badge text-bg-danger">refused</span>' in page
    assert f"Reason: {REASON}" in page


def test_the_editor_refuses_a_refusal_without_reason_with_a_field_error(coach_client, world):
    url = reverse("students:isp_derogation", kwargs={"pk": world.enrolment.pk})
    response = coach_client.post(
        url, {"version": 1, "kind": "model_route", "ground": "special_status", "outcome": "refused", "motivation": ""}
    )
    assert response.status_code == 422
    assert "State the cluster&#x27;s reason for refusing the derogation (Art. 22, 101)." in response.content.decode()
    assert not ISPDerogation.objects.exists()
    world.enrolment.refresh_from_db()
    assert world.enrolment.version == 1


def test_the_editor_records_an_approval_by_default(coach_client, world):
    url = reverse("students:isp_derogation", kwargs={"pk": world.enrolment.pk})
    response = coach_client.post(url, {"version": 1, "kind": "model_route", "ground": "special_status"})
    assert response.status_code == 302
    assert ISPDerogation.objects.approved().count() == 1
    assert not told().exists()


# --- The admin records a refusal through the same service -----------------------------------------
def _admin_post(client, world, motivation):
    return client.post(
        reverse("admin:students_ispderogation_add"),
        {
            "enrolment": world.enrolment.pk,
            "kind": "model_route",
            "ground": "special_status",
            "outcome": "refused",
            "motivation": motivation,
            "approved_by": world.admin.pk,
            "approved_on": "2026-11-23",
        },
    )


def test_the_admin_records_a_refusal_and_tells_it_but_not_without_a_reason(client, world):
    client.force_login(world.admin)
    response = _admin_post(client, world, "")
    assert not ISPDerogation.objects.exists()
    assert "State the cluster" in client.get(response.url).content.decode()
    response = _admin_post(client, world, REASON)
    assert response.status_code == 302
    derogation = ISPDerogation.objects.get()
    assert (derogation.outcome, derogation.approved_by) == ("refused", world.admin)
    assert told().get().object_id == derogation.pk
    assert ISPDerogation.objects.refused().count() == 1
