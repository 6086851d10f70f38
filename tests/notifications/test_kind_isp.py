"""The ISP decisions told to the student (DOMAIN §3, §11): the approval of the ISP (Art. 19), an
exemption decision (Art. 25; appealable from its notification, Art. 101 (d)) and a refused
derogation (Art. 22; appealable from its notification, Art. 101 (e)).

The coach's world (tests/support/worlds.py): r0000001 is new in BA-A "Bachelor A" in 2026-2027 with
the whole first stage, A101-A105 of 6 credits each (30 credits); today is 23 November 2026, before
the 1 December lock. The college went live on 1 January 2024 (conftest).
"""

import datetime

import pytest
from django.core import mail
from django.db import transaction

from notifications import services
from notifications.models import Notification
from notifications.rendering import render
from progress import services as isp_services
from students.models import ExemptionApproval, ISPDerogation
from tests.support.worlds import on

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 11, 23)
FIRST_STAGE = ["A101 Course A101", "A102 Course A102", "A103 Course A103", "A104 Course A104", "A105 Course A105"]


class Boom(Exception):
    pass


@pytest.fixture
def world(coach_world, on_coach_day):
    coach_world.student.email = "r0000001@student.example"
    coach_world.student.save()
    return coach_world


def told(kind):
    """The outbox rows of ``kind`` (the world's fee statements are another helper's)."""
    return Notification.objects.filter(kind=kind).order_by("pk")


def _approve(world, version=1):
    return isp_services.isp_approve(enrolment=world.enrolment, expected_version=version, by=world.coach)


def _exempt(world, code="A102", version=1):
    return isp_services.isp_line_exempt(
        line=world.lines[code], basis="credit certificate KU Leuven 2019", expected_version=version, by=world.coach
    )


# --- The messages ---------------------------------------------------------------------------------
APPROVED = {
    "academic_year": "2026-2027",
    "programme": "BA-A Bachelor A",
    "courses": ["A101 Course A101", "A102 Course A102", "A203 Course A203"],
    "course_credits": [6, 6, 1],
    "exempted": ["A102 Course A102"],
    "total_credits": 13,
    "approved_on": D(2026, 11, 23),
}
REFUSED = {
    "academic_year": "2026-2027",
    "derogation": "more_credits",
    "course": "",
    "reason": "Je studie-efficiëntie vorig jaar was 62 %.",
    "decided_on": D(2026, 11, 23),
}
EXEMPTION = {
    "academic_year": "2026-2027",
    "course": "A102 Course A102",
    "credits": 6,
    "granted": True,
    "decided_on": D(2026, 11, 23),
}
SENT = D(2026, 11, 24)  # an appeal runs seven days after the notification: until 1 December 2026


def test_the_approval_lists_the_courses_their_credits_and_the_total_in_dutch_and_english():
    subject, body = render("isp_approved", "nl", APPROVED, sent_on=SENT)
    assert subject == "Je individueel studieprogramma voor 2026-2027 is goedgekeurd"
    assert "Op 23/11/2026 heeft de cluster je individueel studieprogramma (ISP) voor BA-A Bachelor A" in body
    assert "(art. 19 van de onderwijs- en examenregeling)" in body
    assert "- A101 Course A101: 6 studiepunten\n" in body
    assert "- A102 Course A102: 6 studiepunten (vrijgesteld, art. 25)\n" in body
    assert "- A203 Course A203: 1 studiepunt\n" in body
    assert "Samen 13 studiepunten." in body
    assert "beroep" not in body  # not a decision of Art. 101
    subject, body = render("isp_approved", "en", APPROVED, sent_on=SENT)
    assert subject == "Your individual study programme for 2026-2027 has been approved"
    assert "On 23/11/2026 the cluster approved your individual study programme (ISP) for BA-A Bachelor A" in body
    assert "- A102 Course A102: 6 credits (exempted, Art. 25)\n" in body
    assert "- A203 Course A203: 1 credit\n" in body
    assert "13 credits in all." in body


def test_a_refused_derogation_names_the_rule_the_reason_and_the_appeal_deadline():
    subject, body = render("derogation_refused", "nl", REFUSED, sent_on=SENT)
    assert subject == "Je aanvraag om af te wijken van de regels voor je ISP (2026-2027) is geweigerd"
    assert "Op 23/11/2026 heeft de cluster je aanvraag geweigerd" in body
    assert "af te wijken van het maximum van 72 studiepunten per academiejaar (art. 20 §2 en 22 §1" in body
    assert "Motivering: Je studie-efficiëntie vorig jaar was 62 %." in body
    assert "meegedeeld op 24/11/2026" in body
    assert "uiterlijk op 01/12/2026 (art. 101)" in body
    subject, body = render("derogation_refused", "en", REFUSED | {"derogation": "sequencing", "course": "A201 X"})
    assert subject == "Your request to derogate from the rules for your ISP (2026-2027) has been refused"
    assert "from the sequencing (SQ) of A201 X (Art. 20 §1 and 22 §1" in body
    _subject, body = render("derogation_refused", "en", REFUSED | {"derogation": "model_route"}, sent_on=SENT)
    assert "the first stage of the model route (Art. 21 and 22 §2" in body
    assert "on 01/12/2026 at the latest (Art. 101)" in body


def test_an_exemption_decision_tells_the_course_its_credits_and_the_appeal_deadline():
    subject, body = render("exemption_decided", "nl", EXEMPTION, sent_on=SENT)
    assert subject == "Vrijstelling toegekend voor A102 Course A102 (2026-2027)"
    assert "een vrijstelling toegekend voor A102 Course A102, ter waarde van 6 studiepunten (art. 25" in body
    assert "uiterlijk op 01/12/2026 (art. 101)" in body
    subject, body = render("exemption_decided", "en", EXEMPTION | {"granted": False, "credits": 1}, sent_on=SENT)
    assert subject == "Exemption refused for A102 Course A102 (2026-2027)"
    assert "refused your request for an exemption for A102 Course A102, worth 1 credit," in body
    assert "on 01/12/2026 at the latest (Art. 101)" in body


# --- The approval of the ISP (Art. 19) ------------------------------------------------------------
def test_the_approval_writes_one_row_with_the_isp_as_approved_and_it_is_sent(world):
    enrolment = _approve(world)
    row = told("isp_approved").get()
    assert (row.student_id, row.kind, row.object_label, row.object_id, row.decided_on) == (
        world.student.pk,
        "isp_approved",
        "students.Enrolment",
        enrolment.pk,
        TODAY,
    )
    assert row.data == {
        "academic_year": "2026-2027",
        "programme": "BA-A Bachelor A",
        "courses": FIRST_STAGE,
        "course_credits": [6, 6, 6, 6, 6],
        "exempted": [],
        "total_credits": 30,
        "approved_on": "2026-11-23",
    }
    with on(D(2026, 11, 24)):
        assert services.pending_send(notification_ids=[row.pk])[services.SENT] == 1
    (message,) = mail.outbox
    assert message.to == ["r0000001@student.example"]
    assert message.subject == "Je individueel studieprogramma voor 2026-2027 is goedgekeurd"
    assert "- A105 Course A105: 6 studiepunten\n" in message.body
    assert "Samen 30 studiepunten." in message.body


def test_an_isp_approved_again_is_refused_and_told_once_a_new_approval_after_a_change_is_told(world):
    _approve(world)
    with pytest.raises(isp_services.ISPRefused):
        _approve(world, version=2)
    assert told("isp_approved").count() == 1
    isp_services.isp_line_add(
        enrolment=world.enrolment, course=world.courses["A203"], expected_version=2, by=world.coach
    )
    _approve(world, version=3)
    first, second = told("isp_approved")
    assert first.data["total_credits"] == 30
    assert second.data["total_credits"] == 35
    assert second.data["courses"] == [*FIRST_STAGE[:4], "A203 Course A203", FIRST_STAGE[4]]  # by semester, stage


def test_the_exempted_course_is_marked_in_the_approval_sent_in_the_students_language(world):
    world.student.language = "en"
    world.student.save()
    _exempt(world)
    _approve(world, version=2)
    row = told("isp_approved").get()
    assert (row.language, row.data["exempted"], row.data["total_credits"]) == ("en", ["A102 Course A102"], 30)
    with on(D(2026, 11, 24)):
        services.pending_send(notification_ids=[row.pk])
    (message,) = mail.outbox
    assert message.subject == "Your individual study programme for 2026-2027 has been approved"
    assert "- A102 Course A102: 6 credits (exempted, Art. 25)\n" in message.body


def test_an_approval_that_rolls_back_tells_nothing(world):
    with pytest.raises(Boom), transaction.atomic():
        _approve(world)
        raise Boom
    world.enrolment.refresh_from_db()
    assert world.enrolment.isp_status == "draft"
    assert not told("isp_approved").exists()


def test_an_approval_before_the_go_live_date_is_not_told(settings, world):
    settings.NOTIFICATIONS_GO_LIVE = D(2027, 1, 1)
    _approve(world)
    assert not told("isp_approved").exists()


# --- An exemption decision (Art. 25) --------------------------------------------------------------
def test_an_exemption_writes_one_row_about_its_approval_and_the_appeal_runs_from_the_sent_day(world):
    approval = _exempt(world)
    row = told("exemption_decided").get()
    assert (row.student_id, row.kind, row.object_label, row.object_id, row.decided_on) == (
        world.student.pk,
        "exemption_decided",
        "students.ExemptionApproval",
        approval.pk,
        TODAY,
    )
    assert row.data == {
        "academic_year": "2026-2027",
        "course": "A102 Course A102",
        "credits": 6,
        "granted": True,
        "decided_on": "2026-11-23",
    }
    with on(D(2026, 11, 25)):
        assert services.pending_send(notification_ids=[row.pk])[services.SENT] == 1
    (message,) = mail.outbox
    assert message.subject == "Vrijstelling toegekend voor A102 Course A102 (2026-2027)"
    assert "meegedeeld op 25/11/2026" in message.body
    assert "uiterlijk op 02/12/2026 (art. 101)" in message.body  # 25 November + 7 days


def test_a_line_exempted_again_is_refused_and_told_once(world):
    _exempt(world)
    with pytest.raises(isp_services.ISPRefused):
        _exempt(world, version=2)
    assert told("exemption_decided").count() == 1


def test_an_exemption_that_rolls_back_tells_nothing(world):
    with pytest.raises(Boom), transaction.atomic():
        _exempt(world)
        raise Boom
    assert not ExemptionApproval.objects.exists()
    assert not told("exemption_decided").exists()


def test_an_exemption_before_the_go_live_date_is_not_told(settings, world):
    settings.NOTIFICATIONS_GO_LIVE = D(2027, 1, 1)
    _exempt(world)
    assert not told("exemption_decided").exists()


# --- Derogations (Art. 22) ------------------------------------------------------------------------
def test_recording_an_approved_derogation_or_a_refused_entry_tells_nothing(world):
    """The service records derogations the cluster approved; a refusal of the rules (SSQ here) is an
    error on the coach's entry, rolled back, not a decision of the cluster on the student's request."""
    with pytest.raises(isp_services.ISPRefused):
        isp_services.isp_derogation_record(
            enrolment=world.enrolment,
            kind="sequencing",
            course=world.courses["A202"],
            ground="special_status",
            expected_version=1,
            by=world.coach,
        )
    isp_services.isp_derogation_record(
        enrolment=world.enrolment,
        kind="sequencing",
        course=world.courses["A201"],
        ground="work_route",
        expected_version=1,
        by=world.coach,
    )
    assert ISPDerogation.objects.count() == 1
    assert not Notification.objects.filter(kind__in=["derogation_refused", "isp_approved"]).exists()
