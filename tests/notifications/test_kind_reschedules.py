"""The ombudsperson's decisions and the individual exam schedule told to the student (DOMAIN §6, §11).

- ``reschedule_decided`` (Art. 43, 50, 57): a reschedule or deferral request accepted, with its new
  moment in the same message (one message per decision), or refused, with the reason; and the
  ruling on a missed new moment of a force-majeure request (Art. 43: the opportunity lost, NA,
  unless a very serious case). Final (Art. 57): no appeal route.
- ``exam_schedule_changed`` (Art. 41, 43): an individual moment set on the student's schedule by
  another decision (the retake of Art. 85 §1 1°), or withdrawn.

World: tests/reschedules/ombuds_world.py (2026-2027). Student r0000001 (BA-A) has A101 ("Course
A101") on 11 January 2027 at 9:00. A force-majeure request logged on 23 November 2026 is decided
that day; accepted, the exam moves to 25 January 2027 at 13:30 in B.201. The college went live on
1 January 2024 (conftest).
"""

import datetime

import pytest
from django.core import mail
from django.db import transaction

from notifications import services
from notifications.kinds import APPEAL_FROM_NOTIFICATION, Kind
from notifications.models import Notification
from notifications.rendering import render
from reschedules import services as ombuds
from reschedules.models import IndividualMoment, RescheduleRequest
from tests.notifications.samples import SAMPLES
from tests.reschedules.ombuds_world import add_ombuds_world, log
from tests.support.worlds import on

pytestmark = pytest.mark.django_db
D = datetime.date
T = datetime.time
DECIDED = D(2026, 11, 23)
SENT = D(2026, 11, 24)


class Boom(Exception):
    pass


@pytest.fixture
def world(coach_world):
    world = add_ombuds_world(coach_world)
    world.student.email = "r0000001@student.example"
    world.student.language = "nl"
    world.student.save()
    # The world's own live decisions (the fee statements of its enrolments) are not what is tested here.
    Notification.objects.all().delete()
    return world


def decide(world, request=None, *, accepted=True, reason="Medical certificate received.", **kw):
    return ombuds.request_decide(
        request=request or log(world),
        accepted=accepted,
        reason=reason,
        new_on=kw.pop("new_on", D(2027, 1, 25)) if accepted else None,
        new_starts_at=kw.pop("new_starts_at", T(13, 30)) if accepted else None,
        new_room=kw.pop("new_room", "B.201") if accepted else "",
        today=kw.pop("today", DECIDED),
        by=world.ombudsperson,
    )


def sent_mail():
    with on(SENT):
        assert services.pending_send()[services.SENT] == 1
    return mail.outbox[-1]


# --- The templates, rendered in both languages ------------------------------------------------------------
def test_an_ombudsperson_decision_has_no_appeal_route():
    # Art. 57: the ombudsperson judges sovereignly; not a decision of Art. 101 (a)-(h).
    assert Kind.RESCHEDULE_DECIDED not in APPEAL_FROM_NOTIFICATION
    assert Kind.EXAM_SCHEDULE_CHANGED not in APPEAL_FROM_NOTIFICATION


ACCEPTED = SAMPLES[Kind.RESCHEDULE_DECIDED]
REFUSED = ACCEPTED | {"accepted": False, "new_on": None, "new_starts_at": "", "new_room": "", "reason": "No proof."}
MISSED = ACCEPTED | {"missed_on": "2024-01-25", "decided_on": "2024-01-26", "reason": "Did not show."}
SERIOUS = MISSED | {"very_serious_case": True, "reason": ""}
MOMENT = SAMPLES[Kind.EXAM_SCHEDULE_CHANGED]
WITHDRAWN = MOMENT | {"withdrawn": True, "reason": "set aside on appeal R-7 (Art. 101 g)", "decided_on": "2024-01-20"}

# Written from the rules: dates as dd/mm/yyyy; the new moment with its time and room and the date it
# replaces; the force-majeure warning and the lost opportunity (Art. 43); final (Art. 57).
EXPECTED = {
    ("accepted", "nl"): (
        ACCEPTED,
        "Je examen A101 Academic writing wordt verplaatst",
        [
            "Op 12/01/2024 heeft de ombudspersoon je aanvraag voor het examen A101 Academic writing "
            "(examenperiode 1, 2023-2024) aanvaard.",
            "Soort aanvraag: overmacht (art. 43)",
            "Nieuw examenmoment: 25/01/2024 om 13:30, lokaal B.201 (in plaats van 11/01/2024).",
            "dan vervalt deze examenkans, tenzij de ombudspersoon oordeelt dat het om een zeer ernstig geval",
            "Motivering: Medical certificate received.",
            "definitief (art. 57)",
        ],
    ),
    ("accepted", "en"): (
        ACCEPTED,
        "Your exam A101 Academic writing is rescheduled",
        [
            "On 12/01/2024 the ombudsperson accepted your request for the exam A101 Academic writing "
            "(exam period 1, 2023-2024).",
            "Kind of request: force majeure (Art. 43)",
            "New exam moment: 25/01/2024 at 13:30, room B.201 (instead of 11/01/2024).",
            "this examination opportunity is lost, unless the ombudsperson judges it a very serious case",
            "Reason: Medical certificate received.",
            "final (Art. 57)",
        ],
    ),
    ("refused", "nl"): (
        REFUSED,
        "Je aanvraag om je examen A101 Academic writing te verplaatsen is geweigerd",
        [
            "(examenperiode 1, 2023-2024) geweigerd.",
            "niet verplaatst en blijft op 11/01/2024 in je individueel examenrooster staan.",
            "Motivering: No proof.",
        ],
    ),
    ("refused", "en"): (
        REFUSED,
        "Your request to reschedule your exam A101 Academic writing has been refused",
        ["(exam period 1, 2023-2024).", "not moved and stays on 11/01/2024", "Reason: No proof."],
    ),
    ("missed", "nl"): (
        MISSED,
        "Beslissing van de ombudspersoon over je gemiste examen A101 Academic writing",
        [
            "nieuw examenmoment op 25/01/2024 om 13:30 in lokaal B.201",
            "Op 26/01/2024 heeft de ombudspersoon vastgesteld",
            "vervalt deze examenkans: voor dit examen wordt NA (niet afgelegd) geregistreerd (art. 43)",
            "Motivering: Did not show.",
        ],
    ),
    ("missed", "en"): (
        MISSED,
        "Decision of the ombudsperson on your missed exam A101 Academic writing",
        ["new exam moment on 25/01/2024 at 13:30 in room B.201", "On 26/01/2024", "NA (not taken) is recorded"],
    ),
    ("serious", "nl"): (
        SERIOUS,
        "Beslissing van de ombudspersoon over je gemiste examen A101 Academic writing",
        ["zeer ernstig geval van overmacht: je examenkans vervalt niet (art. 43)"],
    ),
    ("serious", "en"): (
        SERIOUS,
        "Decision of the ombudsperson on your missed exam A101 Academic writing",
        ["very serious case of force majeure: your examination opportunity is not lost (Art. 43)"],
    ),
}
MOMENT_EXPECTED = {
    ("set", "nl"): (
        MOMENT,
        "Nieuw examenmoment in je individueel examenrooster: A101 Academic writing",
        [
            "Op 15/01/2024 is in je individueel examenrooster een examenmoment voor A101 Academic writing "
            "(examenperiode 1, 2023-2024) vastgelegd: opnieuw af te leggen na een fraudebeslissing (art. 85 §1 1°).",
            "Examenmoment: 25/01/2024 om 14:00, lokaal D.010.",
            "(art. 41, 43)",
        ],
    ),
    ("set", "en"): (
        MOMENT,
        "New exam moment on your individual exam schedule: A101 Academic writing",
        ["retake after a fraud decision (Art. 85 §1 1°)", "Exam moment: 25/01/2024 at 14:00, room D.010."],
    ),
    ("withdrawn", "nl"): (
        WITHDRAWN,
        "Examenmoment geschrapt uit je individueel examenrooster: A101 Academic writing",
        [
            "Op 20/01/2024 is het examenmoment voor A101 Academic writing (examenperiode 1, 2023-2024) van "
            "25/01/2024 om 14:00 in lokaal D.010 uit je individueel examenrooster geschrapt (art. 41, 43).",
            "Reden: vernietigd in beroep R-7 (art. 101 g)",
        ],
    ),
    ("withdrawn", "en"): (
        WITHDRAWN,
        "Exam moment removed from your individual exam schedule: A101 Academic writing",
        ["of 25/01/2024 at 14:00 in room D.010 was removed", "Reason: set aside on appeal R-7 (Art. 101 g)"],
    ),
}


@pytest.mark.parametrize(
    ("kind", "case"),
    [(Kind.RESCHEDULE_DECIDED, case) for case in sorted(EXPECTED)]
    + [(Kind.EXAM_SCHEDULE_CHANGED, case) for case in sorted(MOMENT_EXPECTED)],
)
def test_each_variant_renders_in_both_languages(kind, case):
    data, expected_subject, fragments = (EXPECTED if kind == Kind.RESCHEDULE_DECIDED else MOMENT_EXPECTED)[case]
    subject, body = render(kind, case[1], data, sent_on=D(2024, 2, 5))
    assert subject == expected_subject
    for fragment in fragments:
        assert fragment in body
    assert "{{" not in body and "{%" not in body and "None" not in body


def test_a_new_moment_without_a_room_says_when_the_room_is_announced():
    _subject, body = render(Kind.RESCHEDULE_DECIDED, "nl", ACCEPTED | {"new_room": "", "exam_on": None})
    assert "Nieuw examenmoment: 25/01/2024 om 13:30. Het lokaal wordt ten laatste drie dagen" in body
    _subject, body = render(Kind.EXAM_SCHEDULE_CHANGED, "en", MOMENT | {"room": ""})
    assert "at 14:00; the room is announced at least three days before the exam (Art. 43)." in body


# --- A reschedule decision (Art. 43, 50, 57) ---------------------------------------------------------------
def test_an_accepted_request_is_told_once_with_its_new_moment(world):
    request = decide(world)
    row = Notification.objects.get()
    assert (row.student_id, row.kind, row.object_label, row.object_id, row.decided_on) == (
        world.student.pk,
        "reschedule_decided",
        "reschedules.RescheduleRequest",
        request.pk,
        DECIDED,
    )
    assert row.data == {
        "course": "A101 Course A101",
        "exam_period": 1,
        "academic_year": "2026-2027",
        "request_kind": "force_majeure",
        "accepted": True,
        "exam_on": "2027-01-11",
        "new_on": "2027-01-25",
        "new_starts_at": "13:30",
        "new_room": "B.201",
        "reason": "Medical certificate received.",
        "decided_on": "2026-11-23",
        "missed_on": None,
        "very_serious_case": False,
    }
    message = sent_mail()
    assert message.to == ["r0000001@student.example"]
    assert message.subject == "Je examen A101 Course A101 wordt verplaatst"
    assert "Nieuw examenmoment: 25/01/2027 om 13:30, lokaal B.201 (in plaats van 11/01/2027)." in message.body
    assert "Op 23/11/2026 heeft de ombudspersoon" in message.body


def test_an_english_student_is_told_in_english(world):
    world.student.language = "en"
    world.student.save()
    decide(world)
    message = sent_mail()
    assert message.subject == "Your exam A101 Course A101 is rescheduled"
    assert "New exam moment: 25/01/2027 at 13:30, room B.201 (instead of 11/01/2027)." in message.body


def test_a_refused_request_is_told_with_its_reason(world):
    request = decide(world, accepted=False, reason="No certificate.")
    row = Notification.objects.get()
    assert (row.object_id, row.data["accepted"], row.data["new_on"], row.data["reason"]) == (
        request.pk,
        False,
        None,
        "No certificate.",
    )
    message = sent_mail()
    assert message.subject == "Je aanvraag om je examen A101 Course A101 te verplaatsen is geweigerd"
    assert "Motivering: No certificate." in message.body


def test_a_deferral_outside_the_period_is_told_with_its_new_moment(world):
    from reschedules.models import SpecialStatus

    SpecialStatus.objects.create(
        student=world.student, academic_year=world.year, kind="athlete", level="A", granted_by="committee",
        granted_on=D(2026, 10, 1),
    )  # fmt: skip
    decide(world, log(world, kind="special_status_deferral"), new_on=D(2027, 3, 15), new_room="")
    row = Notification.objects.get()
    assert (row.data["request_kind"], row.data["new_on"], row.data["new_room"]) == (
        "special_status_deferral",
        "2027-03-15",
        "",
    )
    body = sent_mail().body
    assert "Soort aanvraag: examenspreiding, bijzonder statuut (art. 50-51)" in body
    assert (
        "Nieuw examenmoment: 15/03/2027 om 13:30 (in plaats van 11/01/2027). Het lokaal wordt ten laatste drie "
        "dagen voor het examen bekendgemaakt (art. 43)." in body
    )
    assert "Kun je ook op dit nieuwe moment niet deelnemen" not in body  # only for force majeure (Art. 43)


def test_a_decision_is_final_and_told_once(world):
    request = decide(world)
    with pytest.raises(ombuds.RequestRefused, match="final"):
        decide(world, request, accepted=False, reason="changed my mind")
    assert Notification.objects.count() == 1


def test_an_accepted_request_tells_no_second_message_about_the_schedule(world):
    decide(world)
    assert list(Notification.objects.values_list("kind", flat=True)) == ["reschedule_decided"]


def test_a_decision_that_rolls_back_tells_nothing(world):
    request = log(world)
    with pytest.raises(Boom), transaction.atomic():
        decide(world, request)
        raise Boom
    assert RescheduleRequest.objects.get().status == "open"
    assert not Notification.objects.exists()


def test_a_decision_before_go_live_is_not_told(settings, world):
    settings.NOTIFICATIONS_GO_LIVE = D(2027, 1, 1)
    decide(world)
    assert not Notification.objects.exists()


# --- The missed new moment (Art. 43) ---------------------------------------------------------------------
def test_a_missed_new_moment_is_told_with_the_lost_opportunity(world):
    request = decide(world)
    ombuds.request_missed_record(
        request=request, very_serious_case=False, note="Did not show.", today=D(2027, 1, 25), by=world.ombudsperson
    )
    row = Notification.objects.order_by("pk").last()
    assert (row.kind, row.object_id, row.decided_on) == ("reschedule_decided", request.pk, D(2027, 1, 25))
    assert (row.data["missed_on"], row.data["very_serious_case"], row.data["reason"]) == (
        "2027-01-25",
        False,
        "Did not show.",
    )
    Notification.objects.exclude(pk=row.pk).delete()
    message = sent_mail()
    assert message.subject == "Beslissing van de ombudspersoon over je gemiste examen A101 Course A101"
    assert "voor dit examen wordt NA (niet afgelegd) geregistreerd (art. 43)" in message.body
    with pytest.raises(ombuds.RequestRefused, match="already recorded"):
        ombuds.request_missed_record(
            request=request, very_serious_case=True, today=D(2027, 1, 26), by=world.ombudsperson
        )
    assert Notification.objects.count() == 1


def test_a_very_serious_case_is_told_the_opportunity_is_kept(world):
    request = decide(world)
    ombuds.request_missed_record(request=request, very_serious_case=True, today=D(2027, 1, 26), by=world.ombudsperson)
    row = Notification.objects.order_by("pk").last()
    assert (row.data["very_serious_case"], row.data["reason"], row.decided_on) == (True, "", D(2027, 1, 26))
    _subject, body = render(row.kind, "nl", row.data)
    assert "je examenkans vervalt niet (art. 43)" in body


# --- The individual exam schedule (Art. 41, 43) -----------------------------------------------------------
RETAKE_SET_ON, RETAKE_ON = D(2026, 11, 25), D(2027, 1, 25)


def set_retake(world, *, on_day=RETAKE_ON):
    return ombuds.individual_moment_set(
        isp_line=world.lines["A101"],
        exam_period=world.periods[1],
        on=on_day,
        starts_at=T(14, 0),
        room="D.010",
        duration=120,
        source="fraud_retake",
        reference="fraud_decision:7",
        set_on=RETAKE_SET_ON,
    )


def test_an_individual_moment_is_told_once(world):
    moment = set_retake(world)
    set_retake(world, on_day=D(2027, 1, 30))  # a replay of the deciding record changes nothing
    row = Notification.objects.get()
    assert (row.student_id, row.kind, row.object_label, row.object_id, row.decided_on) == (
        world.student.pk,
        "exam_schedule_changed",
        "reschedules.IndividualMoment",
        moment.pk,
        D(2026, 11, 25),
    )
    assert row.data == {
        "course": "A101 Course A101",
        "exam_period": 1,
        "academic_year": "2026-2027",
        "moment_on": "2027-01-25",
        "starts_at": "14:00",
        "room": "D.010",
        "source": "fraud_retake",
        "withdrawn": False,
        "reason": "",
        "decided_on": "2026-11-25",
    }
    message = sent_mail()
    assert message.subject == "Nieuw examenmoment in je individueel examenrooster: A101 Course A101"
    assert "Examenmoment: 25/01/2027 om 14:00, lokaal D.010." in message.body


def test_a_withdrawn_moment_is_told_once(world):
    moment = set_retake(world)
    reason = "set aside on appeal R-7 (Art. 101 g)"
    ombuds.individual_moment_withdraw(reference="fraud_decision:7", on=D(2026, 12, 10), reason=reason)
    ombuds.individual_moment_withdraw(reference="fraud_decision:7", on=D(2026, 12, 11), reason=reason)
    rows = list(Notification.objects.order_by("pk"))
    assert len(rows) == 2
    row = rows[1]
    assert (row.object_id, row.decided_on, row.data["withdrawn"], row.data["reason"]) == (
        moment.pk,
        D(2026, 12, 10),
        True,
        reason,
    )
    rows[0].delete()
    message = sent_mail()
    assert message.subject == "Examenmoment geschrapt uit je individueel examenrooster: A101 Course A101"
    assert "van 25/01/2027 om 14:00 in lokaal D.010 uit je individueel examenrooster geschrapt" in message.body
    assert "Reden: vernietigd in beroep R-7 (art. 101 g)" in message.body


def test_an_individual_moment_that_rolls_back_tells_nothing(world):
    with pytest.raises(Boom), transaction.atomic():
        set_retake(world)
        raise Boom
    assert not IndividualMoment.objects.exists()
    assert not Notification.objects.exists()


def test_an_individual_moment_before_go_live_is_not_told(settings, world):
    settings.NOTIFICATIONS_GO_LIVE = D(2026, 12, 1)
    set_retake(world)
    assert not Notification.objects.exists()
    ombuds.individual_moment_withdraw(reference="fraud_decision:7", on=D(2026, 12, 10), reason="set aside")
    assert Notification.objects.get().data["withdrawn"] is True  # the withdrawal is live
