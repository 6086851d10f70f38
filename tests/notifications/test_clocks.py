"""The clocks that run from a notification (DOMAIN §7, §11; Art. 101): the appeal term of a decision
other than an examination decision runs from the day the outbox sent it; a live decision not sent
yet starts no term; a historical decision runs from its decision date. Examination decisions keep
running from the publication.

L1's threshold refusal (tests/appeals/conftest.py ``refused``) is taken at the year end of
2024-2025 (decided 20 September 2025 by the timeline) and told; L1 has no e-mail address yet.
"""

import datetime as dt

import pytest

from appeals import services as appeals
from appeals.rules import LATE
from notifications import services
from notifications.models import Notification, Status
from notifications.selectors import unnotified
from tests.appeals.conftest import refused  # noqa: F401 - the Art. 34 world
from tests.support import personas
from tests.support.worlds import on

pytestmark = pytest.mark.django_db
D = dt.date


HAND = D(2025, 9, 1)


def _register(world, posted_on, decision_on=HAND):
    with on(posted_on):
        return appeals.appeal_register(
            student=world["student"],
            category="a",
            measure=world["measure"],
            posted_on=posted_on,
            decision_on=decision_on,  # typed by hand: the outbox's day wins over it
            facts_and_objections="The second year's efficiency was misread.",
            by=personas.make_user("clerk", password=None),
        )


def _told(world) -> Notification:
    return Notification.objects.get(kind="measure_taken", object_id=world["measure"].pk)


def test_a_live_measure_not_sent_yet_starts_no_term_and_is_flagged(refused):  # noqa: F811
    row = _told(refused)
    assert (row.status, row.decided_on) == (Status.NO_ADDRESS, refused["measure"].decided_on)
    assert list(unnotified().values_list("pk", flat=True)).count(row.pk) == 1
    # Posted a month after the decision: the term has not started, so it is in time.
    appeal = _register(refused, D(2025, 10, 25))
    assert appeal.decision_on == D(2025, 10, 25)
    assert appeal.status == "open"


@pytest.mark.parametrize(("posted_on", "late"), [(D(2025, 10, 8), False), (D(2025, 10, 9), True)])
def test_the_term_runs_from_the_day_the_resent_notification_was_sent(refused, posted_on, late):  # noqa: F811
    student = refused["student"]
    student.email = "l1@student.example"
    student.save()
    with on(D(2025, 10, 1)):
        again = services.notification_resend(notification=_told(refused))
        assert services.notification_send(notification_id=again.pk) == services.SENT
    assert not unnotified().filter(object_id=refused["measure"].pk, kind="measure_taken").exists()
    appeal = _register(refused, posted_on)
    assert appeal.decision_on == D(2025, 10, 1)  # the sent day, not the day typed by hand
    from appeals.selectors import admissibility

    assert (LATE in admissibility(appeal).problems) is late


def test_a_historical_measure_runs_from_its_decision_date(settings, refused):  # noqa: F811
    Notification.objects.all().delete()  # as if the college went live after it (never told)
    appeal = _register(refused, D(2025, 9, 25), decision_on=None)
    assert appeal.decision_on == refused["measure"].decided_on  # never told: its decision date
