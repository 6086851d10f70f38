"""Publications told per programme and per result (Art. 69, 86, 91, 101; DOMAIN §11): a programme
held by an open deliberation is told when it is released, with the windows from the release; a
result the committee postponed is told on its own day. The world of tests/committee (Education
deliberates on January 2024, published on 6 February; Technology's Tom is not held)."""

import datetime as dt

import pytest
from django.core import mail

from committee import services as committee_services
from notifications import services
from notifications.models import Notification
from tests.committee.test_publication import PUBLISHED, _publish, held, tech_student  # noqa: F401
from tests.support.worlds import on

pytestmark = pytest.mark.django_db
D = dt.date


def _told(kind="results_published"):
    return sorted(
        (row.student.number, row.data["published_on"], row.data.get("course"))
        for row in Notification.objects.filter(kind=kind).select_related("student")
    )


def test_a_held_programme_is_told_on_its_release_with_the_windows_from_it(held, tech_student):  # noqa: F811
    w = held
    s1 = w.students[0]
    s1.email = "s1@student.example"
    s1.save()
    _publish(PUBLISHED)
    assert _told() == [("t0000001", "2024-02-06", None)]  # Education waits for its deliberation
    with on(D(2024, 2, 9)):
        committee_services.deliberation_close(deliberation=w.deliberation)
    _publish(D(2024, 2, 9))
    told = _told()
    education = sorted(s.number for s in w.students)
    assert told == sorted([("t0000001", "2024-02-06", None)] + [(n, "2024-02-09", None) for n in education])
    with on(D(2024, 2, 9)):
        services.pending_send()
    (message,) = [m for m in mail.outbox if m.to == ["s1@student.example"]]
    assert "Op 09/02/2024 zijn je examenresultaten van examenperiode 1" in message.body
    assert "uiterlijk op 16/02/2024 (art. 101)" in message.body  # seven days from the release
    _publish(D(2024, 3, 1))  # told once
    assert len(_told()) == len(told)


def test_a_postponed_result_is_told_on_its_own_day(held):  # noqa: F811
    w = held
    s1 = w.students[0]
    s1.email = "s1@student.example"
    s1.save()
    with on(D(2024, 2, 1)):
        committee_services.postponement_record(
            deliberation=w.deliberation,
            isp_line=w.lines[s1.number, "E1"],
            announce_on=D(2024, 2, 20),
            reason="The examiner's second marking is still under way.",
        )
        committee_services.deliberation_close(deliberation=w.deliberation)
    _publish(PUBLISHED)
    before = len(_told())
    _publish(D(2024, 2, 20))
    course = w.lines[s1.number, "E1"].course
    late = [row for row in _told() if row[1] == "2024-02-20"]
    assert late == [(s1.number, "2024-02-20", f"{course.code} {course.name}")]
    assert len(_told()) == before + 1
    row = Notification.objects.get(kind="results_published", student=s1, data__published_on="2024-02-20")
    with on(D(2024, 2, 20)):
        services.notification_send(notification_id=row.pk)
    message = mail.outbox[-1]
    assert (
        message.subject
        == f"Je examenresultaat voor {course.code} {course.name} (examenperiode 1, 2023-2024) is bekendgemaakt"
    )
    assert "uiterlijk op 27/02/2024 (art. 101)" in message.body
