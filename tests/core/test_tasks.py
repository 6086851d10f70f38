"""The Celery tasks: the nightly job runs the same timeline for the current day, and a real
worker on the configured broker runs a task the test sent."""

import datetime as dt
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
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


# --- A real Celery worker on the configured broker runs a task the test sent.
# (formerly tests/core/test_celery_worker.py)

needs_broker = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL"), reason="needs a real broker: set CELERY_BROKER_URL (CI uses Redis)"
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker():
    queue = f"test-{uuid.uuid4().hex[:8]}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test"},
    )
    yield queue
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@needs_broker
def test_worker_runs_a_task_sent_through_the_broker(worker):
    from core.tasks import ping

    token = uuid.uuid4().hex
    result = ping.apply_async(args=[token], queue=worker)
    assert result.get(timeout=90) == f"pong {token}"
