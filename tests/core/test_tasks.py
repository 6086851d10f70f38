"""The nightly Celery job runs the same timeline for the current day."""

import datetime as dt

import time_machine
from django.conf import settings

from core.models import Transition
from core.tasks import ping, run_deadlines_today
from tests.core import scenario


def test_the_beat_schedule_runs_the_deadlines_every_night():
    entry = settings.CELERY_BEAT_SCHEDULE["run-deadlines-nightly"]
    assert entry["task"] == "core.tasks.run_deadlines_today"
    assert entry["schedule"].hour == {0} and entry["schedule"].minute == {5}
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


@time_machine.travel(dt.datetime(2023, 12, 1, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=1))))
def test_the_task_processes_what_is_due_today_in_brussels(db):
    scenario.build()
    report = run_deadlines_today()
    assert report["today"] == "2023-12-01"
    assert "ay:2023-2024:first_semester_lock" in report["transitions"]
    assert not Transition.objects.filter(key="ay:2023-2024:second_semester_lock").exists()


def test_ping_answers_with_its_token():
    assert ping("abc") == "pong abc"
