"""The individual exam schedule told to the student when it is first published and whenever the
planning changes it (Art. 41, 43; DOMAIN §6, §11; issue 17).

- ``exam_schedule_published``: on the day an exam period's exams appear on the individual exam
  schedules (``ies_opens``, 16 October), each student with exams in that period is told them, once
  (a calendar transition of the timeline: a rerun of ``run_deadlines`` tells nothing again).
- ``exam_moments_changed``: after that publication, a planning import that adds an exam, moves one
  or gives it another room tells each student whose own exam it is; not a student whose exam was
  moved for them alone by an accepted reschedule request. Before the publication nothing is told.
  Neither is appealable (not a decision of Art. 101).

World: tests/reschedules/ombuds_world.py (2026-2027, ``ies_opens`` 16 October 2026). Student
r0000001 (BA-A) has A101 on 11 January 2027 at 9:00 in B.101 and A102 on 14 January at 9:00 in B.102
(exam period 1), and A105, A103, A104 in June (exam period 2); r0000003 has A101 only; r0000004 has
A101 too, moved for them by an accepted force-majeure request. The college went live on
1 January 2024 (conftest).
"""

import datetime

import pytest
from django.core import mail
from django.db import transaction

from core.models import Transition
from core.timeline import run_deadlines
from notifications import services
from notifications.kinds import APPEAL_FROM_NOTIFICATION, Kind
from notifications.models import Notification
from notifications.rendering import render
from reschedules import services as ombuds
from reschedules.moments import MomentRow, exam_moments_import
from tests.notifications.samples import SAMPLES
from tests.reschedules.ombuds_world import add_ombuds_world
from tests.support.factories import EnrolmentFactory, ISPLineFactory
from tests.support.worlds import COACH_TODAY, on

pytestmark = pytest.mark.django_db
D = datetime.date
T = datetime.time
IES_OPENS = D(2026, 10, 16)
CHANGED = D(2026, 11, 25)
MOVED_TO = D(2027, 1, 12)  # A101, from 11 January 2027


class Boom(Exception):
    pass


# --- The templates, rendered in both languages ------------------------------------------------------------
def test_the_schedule_is_not_appealable():
    assert Kind.EXAM_SCHEDULE_PUBLISHED not in APPEAL_FROM_NOTIFICATION
    assert Kind.EXAM_MOMENTS_CHANGED not in APPEAL_FROM_NOTIFICATION


PUBLISHED = SAMPLES[Kind.EXAM_SCHEDULE_PUBLISHED]
CHANGES = SAMPLES[Kind.EXAM_MOMENTS_CHANGED]

# Written from the rules: dates as dd/mm/yyyy; each exam with its day, hour and room; a room not yet
# given is announced three days before the exam; a religious-holiday request within a week of the
# publication (16/10/2023 + 7 = 23/10/2023) or of the change (04/12/2023 + 7 = 11/12/2023) (Art. 43).
EXPECTED = {
    (Kind.EXAM_SCHEDULE_PUBLISHED, "nl"): (
        "Je individueel examenrooster voor examenperiode 1 (2023-2024) is bekendgemaakt",
        [
            "Op 16/10/2023 is je individueel examenrooster voor examenperiode 1 van het academiejaar 2023-2024 "
            "bekendgemaakt (art. 41, 43).",
            "- 11/01/2024 om 09:00: A101 Academic writing, lokaal B.101\n- 15/01/2024 om 13:30: A102 Ethics\n",
            "wordt ten laatste drie dagen voor het examen bekendgemaakt (art. 43)",
            "vraag dan uiterlijk op 23/10/2023 aan om het te verplaatsen",
        ],
    ),
    (Kind.EXAM_SCHEDULE_PUBLISHED, "en"): (
        "Your individual exam schedule for exam period 1 (2023-2024) has been published",
        [
            "On 16/10/2023 your individual exam schedule for exam period 1 of the academic year 2023-2024 was "
            "published (Art. 41, 43).",
            "- 11/01/2024 at 09:00: A101 Academic writing, room B.101\n- 15/01/2024 at 13:30: A102 Ethics\n",
            "announced at least three days before the exam (Art. 43)",
            "by 23/10/2023 at the latest",
        ],
    ),
    (Kind.EXAM_MOMENTS_CHANGED, "nl"): (
        "Wijziging in je individueel examenrooster voor examenperiode 1 (2023-2024)",
        [
            "Op 04/12/2023 heeft de examenplanning je individueel examenrooster voor examenperiode 1 van het "
            "academiejaar 2023-2024 gewijzigd (art. 41, 43).",
            "- 12/01/2024 om 09:00: A101 Academic writing, lokaal B.101 (verplaatst; was 11/01/2024 om 09:00)",
            "- 15/01/2024 om 13:30: A102 Ethics, lokaal C.002 (lokaal bekendgemaakt)",
            "- 18/01/2024 om 09:00: A103 Statistics (nieuw examen)",
            "uiterlijk op 11/12/2023",
        ],
    ),
    (Kind.EXAM_MOMENTS_CHANGED, "en"): (
        "Change to your individual exam schedule for exam period 1 (2023-2024)",
        [
            "On 04/12/2023 the exam planning changed your individual exam schedule for exam period 1",
            "- 12/01/2024 at 09:00: A101 Academic writing, room B.101 (moved; was 11/01/2024 at 09:00)",
            "- 15/01/2024 at 13:30: A102 Ethics, room C.002 (room announced)",
            "- 18/01/2024 at 09:00: A103 Statistics (new exam)",
            "by 11/12/2023 at the latest",
        ],
    ),
}


@pytest.mark.parametrize(("kind", "language"), sorted(EXPECTED))
def test_each_kind_renders_in_both_languages(kind, language):
    subject, body = render(kind, language, SAMPLES[kind], sent_on=D(2024, 2, 5))
    expected_subject, fragments = EXPECTED[(kind, language)]
    assert subject == expected_subject
    for fragment in fragments:
        assert fragment in body
    assert "{{" not in body and "{%" not in body and "None" not in body


def test_another_room_is_told_with_the_old_room_and_no_religious_holiday_term():
    data = CHANGES | {"moments": [["A102 Ethics", "2024-01-15", "13:30", "C.002", "2024-01-15", "13:30", "B.102"]]}
    _subject, body = render(Kind.EXAM_MOMENTS_CHANGED, "nl", data)
    assert "- 15/01/2024 om 13:30: A102 Ethics, lokaal C.002 (ander lokaal; was B.102)" in body
    assert "religieuze feestdag" not in body  # neither new nor moved
    assert "ten laatste drie dagen" not in body  # every room given


# --- The world ---------------------------------------------------------------------------------------------
@pytest.fixture
def world(coach_world):
    world = add_ombuds_world(coach_world)
    world.student.email = "r0000001@student.example"
    world.student.save()
    world.third = _student(world, "r0000003", ["A101"])
    world.moved = _student(world, "r0000004", ["A101"])
    request = ombuds.request_log(
        student=world.moved, course=world.courses["A101"], exam_period=world.periods[1], kind="force_majeure",
        requested_on=D(2026, 10, 10), reason="ill", today=D(2026, 10, 10), by=world.ombudsperson,
    )  # fmt: skip
    ombuds.request_decide(
        request=request, accepted=True, reason="Certificate.", new_on=D(2027, 1, 25), new_starts_at=T(13, 30),
        new_room="B.201", today=D(2026, 10, 12), by=world.ombudsperson,
    )  # fmt: skip
    # The world's own live decisions (fee statements, the reschedule decision) are not what is tested here.
    Notification.objects.all().delete()
    return world


def _student(world, number, codes):
    enrolment = EnrolmentFactory(
        programme=world.programme, academic_year=world.year, enrolled_on=D(2026, 9, 15), student__number=number
    )
    for code in codes:
        ISPLineFactory(enrolment=enrolment, course=world.courses[code])
    return enrolment.student


def publish():
    with on(COACH_TODAY):
        return run_deadlines(today=COACH_TODAY)


def rows(kind):
    return list(Notification.objects.filter(kind=kind).order_by("student__number", "object_id"))


def move_a101(world, *, today=CHANGED, on_day=MOVED_TO, room="B.101"):
    row = MomentRow(
        number=2, academic_year="2026-2027", exam_period="1", programme="BA-A", course="A101", on=on_day,
        starts_at=T(9, 0), room=room,
    )  # fmt: skip
    return exam_moments_import(rows=[row], today=today)


A101 = ["A101 Course A101", "2027-01-11", "09:00", "B.101"]
A102 = ["A102 Course A102", "2027-01-14", "09:00", "B.102"]


# --- The publication (Art. 43: from 16 October) ------------------------------------------------------------
def test_the_publication_tells_each_student_their_exams_once(world):
    report = publish()
    assert "exam_period:2026-2027:1:exam_schedule" in report.transitions
    told = rows("exam_schedule_published")
    # r0000001: periods 1 and 2; r0000003 and r0000004: period 1; nobody period 3 (no resit needed yet).
    assert [(row.student.number, row.data["exam_period"]) for row in told] == [
        ("r0000001", 1),
        ("r0000001", 2),
        ("r0000003", 1),
        ("r0000004", 1),
    ]
    first = told[0]
    assert (first.object_label, first.object_id, first.decided_on) == (
        "programmes.ExamPeriod",
        world.periods[1].pk,
        IES_OPENS,
    )
    assert first.data == {
        "academic_year": "2026-2027",
        "exam_period": 1,
        "published_on": "2026-10-16",
        "moments": [A101, A102],
    }
    assert told[1].data["moments"] == [
        ["A105 Course A105", "2027-06-01", "13:30", "C.001"],
        ["A103 Course A103", "2027-06-03", "09:00", "B.101"],
        ["A104 Course A104", "2027-06-07", "09:00", "B.101"],
    ]
    assert told[2].data["moments"] == [A101]
    # The exam moved for r0000004 alone, decided before the publication, is on their schedule.
    assert told[3].data["moments"] == [["A101 Course A101", "2027-01-25", "13:30", "B.201"]]

    again = publish()  # a rerun writes nothing more
    assert again.transitions == []
    assert len(rows("exam_schedule_published")) == 4


def test_the_publication_is_sent_in_the_students_language(world):
    publish()
    first = Notification.objects.get(student=world.student, object_id=world.periods[1].pk)
    Notification.objects.exclude(pk=first.pk).delete()
    with on(D(2026, 11, 24)):
        assert services.pending_send()[services.SENT] == 1
    message = mail.outbox[-1]
    assert message.to == ["r0000001@student.example"]
    assert message.subject == "Je individueel examenrooster voor examenperiode 1 (2026-2027) is bekendgemaakt"
    assert "- 11/01/2027 om 09:00: A101 Course A101, lokaal B.101\n" in message.body
    assert "- 14/01/2027 om 09:00: A102 Course A102, lokaal B.102\n" in message.body
    assert "uiterlijk op 23/10/2026" in message.body


def test_a_publication_before_go_live_is_not_told(settings, world):
    settings.NOTIFICATIONS_GO_LIVE = D(2026, 11, 1)
    publish()
    assert Transition.objects.filter(key="exam_period:2026-2027:1:exam_schedule").exists()
    assert not Notification.objects.exists()


def test_a_publication_that_rolls_back_tells_nothing(world):
    from reschedules.announcements import exam_schedule_publish

    with pytest.raises(Boom), transaction.atomic():
        assert exam_schedule_publish(period=world.periods[1], day=IES_OPENS) == 3
        raise Boom
    assert not Notification.objects.exists()


def test_a_period_announced_after_ies_opens_is_published_on_its_first_announcement(world):
    from reschedules.models import ExamMoment

    ExamMoment.objects.filter(exam_period=world.periods[2]).update(announced_on=D(2026, 11, 20))
    publish()
    told = Notification.objects.get(student=world.student, object_id=world.periods[2].pk)
    assert (told.decided_on, told.data["published_on"]) == (D(2026, 11, 20), "2026-11-20")


# --- A change by the planning (Art. 41, 43) ----------------------------------------------------------------
def test_a_moved_exam_tells_exactly_the_students_concerned(world):
    publish()
    summary = move_a101(world)
    assert summary.updated == 1
    told = rows("exam_moments_changed")
    # r0000004's exam was moved for them alone (an accepted request): their moment did not change.
    assert [row.student.number for row in told] == ["r0000001", "r0000003"]
    row = told[0]
    assert (row.object_label, row.object_id, row.decided_on) == ("programmes.ExamPeriod", world.periods[1].pk, CHANGED)
    assert row.data == {
        "academic_year": "2026-2027",
        "exam_period": 1,
        "changed_on": "2026-11-25",
        "moments": [["A101 Course A101", "2027-01-12", "09:00", "B.101", "2027-01-11", "09:00", "B.101"]],
    }
    Notification.objects.exclude(pk=row.pk).delete()
    with on(D(2026, 11, 26)):
        assert services.pending_send()[services.SENT] == 1
    body = mail.outbox[-1].body
    assert "- 12/01/2027 om 09:00: A101 Course A101, lokaal B.101 (verplaatst; was 11/01/2027 om 09:00)" in body
    assert "uiterlijk op 02/12/2026" in body  # a week after the change (Art. 43)

    move_a101(world)  # the same file again changes nothing and tells nothing
    assert Notification.objects.filter(kind="exam_moments_changed").count() == 1


def test_a_duration_alone_is_not_told_and_another_room_is(world):
    publish()
    moment = world.moments["A101"]
    moment.duration = 120
    moment.save()
    move_a101(world, on_day=D(2027, 1, 11))  # the duration back to three hours only
    assert not rows("exam_moments_changed")
    move_a101(world, on_day=D(2027, 1, 11), room="C.002")
    told = rows("exam_moments_changed")
    assert [row.data["moments"][0][3:] for row in told] == [["C.002", "2027-01-11", "09:00", "B.101"]] * 2


def test_a_change_before_the_publication_is_not_told(world):
    move_a101(world, today=D(2026, 10, 10))
    assert not Notification.objects.exists()
    publish()  # the publication shows the schedule as it then stands
    first = Notification.objects.get(
        student=world.student, kind="exam_schedule_published", object_id=world.periods[1].pk
    )
    assert first.data["moments"][0] == ["A101 Course A101", "2027-01-12", "09:00", "B.101"]
    assert not rows("exam_moments_changed")


def test_a_change_that_rolls_back_tells_nothing(world):
    publish()
    with pytest.raises(Boom), transaction.atomic():
        move_a101(world)
        raise Boom
    assert not rows("exam_moments_changed")


def test_a_change_before_go_live_is_not_told(settings, world):
    publish()
    settings.NOTIFICATIONS_GO_LIVE = D(2026, 12, 1)
    move_a101(world)
    assert not rows("exam_moments_changed")


def test_a_room_changed_in_the_admin_is_told(world, rf):
    from types import SimpleNamespace

    from django.contrib.admin.sites import site

    from reschedules.models import ExamMoment

    publish()
    moment = ExamMoment.objects.get(pk=world.moments["A102"].pk)
    moment.room = "C.002"
    request = rf.post("/")
    request.user = world.admin
    with on(CHANGED):
        site._registry[ExamMoment].save_model(request, moment, SimpleNamespace(changed_data=["room"]), True)
    told = rows("exam_moments_changed")
    assert [row.student.number for row in told] == ["r0000001"]  # A102: r0000001 only
    assert told[0].data["moments"] == [
        ["A102 Course A102", "2027-01-14", "09:00", "C.002", "2027-01-14", "09:00", "B.102"]
    ]
