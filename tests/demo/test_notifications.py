"""The demo's notifications (issue 17 point 6): the demo college's history before its go-live date
is historical and never told; the decisions since are in the outbox and go out once. Loaded as
``make run`` loads it (300 students) on 3 December 2026, live since 19 November 2026 (``make``
writes the day two weeks before it creates .env)."""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db.models import Min

from demo.notifications import notifications_summary
from fees.models import FeeStatement
from notifications import services
from notifications.models import Notification, Status

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
D = datetime.date
TODAY = D(2026, 12, 3)
GO_LIVE = D(2026, 11, 19)


@pytest.fixture
def demo(time_machine, settings):
    settings.NOTIFICATIONS_GO_LIVE = GO_LIVE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    time_machine.move_to(datetime.datetime(2026, 12, 3, 10, 0), tick=False)
    out = io.StringIO()
    call_command("load_demo", "--today", TODAY.isoformat(), stdout=out)
    return out.getvalue()


def test_the_history_is_never_told_and_the_last_two_weeks_are(demo):
    assert Notification.objects.aggregate(first=Min("decided_on"))["first"] >= GO_LIVE
    # Fee statements were made before going live: none of them was told.
    assert FeeStatement.objects.filter(on__lt=GO_LIVE).count() > 100
    told = set(Notification.objects.values_list("kind", flat=True))
    assert {"fee_statement", "reschedule_decided", "refusal_lifting_decided"} <= told
    assert "live since 2026-11-19" in demo and "fee_statement" in demo


def test_the_demo_s_notifications_go_out_once_in_dutch(demo):
    pending = Notification.objects.filter(status=Status.PENDING).count()
    assert pending == Notification.objects.count()  # the worker sends them (not running here)
    counts = services.pending_send()
    assert counts[services.SENT] == pending == len(mail.outbox)
    assert services.pending_send() == {"retries": []}
    subjects = [message.subject for message in mail.outbox]
    assert any(subject.startswith("Je studiegeld voor 2026-2027") for subject in subjects)
    assert any(subject.startswith("Beslissing over je aanvraag") for subject in subjects)
    assert all(message.body.startswith("Beste student,") for message in mail.outbox)
    assert len({message.extra_headers["Message-ID"] for message in mail.outbox}) == len(mail.outbox)


def test_without_a_go_live_date_the_summary_says_nothing_is_told(settings, db):
    settings.NOTIFICATIONS_GO_LIVE = None
    assert notifications_summary().startswith("Notifications: not live")
