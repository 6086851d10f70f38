"""The daily summary: a beat entry and a thin task around the service."""

import datetime as dt

from django.conf import settings
from django.core import mail

from appeals import services
from appeals.tasks import appeals_daily_summary
from tests.support.worlds import on

D = dt.date


def test_the_beat_schedule_sends_the_summary_every_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["appeals-summary-daily"]
    assert entry["task"] == "appeals.tasks.appeals_daily_summary"
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}


def test_the_task_mails_todays_summary_to_student_administration(college, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with on(D(2024, 2, 10)):
        appeal = services.appeal_register(
            student=college.student,
            category="f",
            posted_on=D(2024, 2, 10),
            result=college.result,
            facts_and_objections="x",
            by=college.administration,
        )
    with on(D(2024, 3, 2)):
        assert appeals_daily_summary() == 1
    (message,) = mail.outbox
    assert message.to == ["administration@college.example"]
    assert "1 overdue" in message.subject
    assert f"{appeal.reference} R1" in message.body
