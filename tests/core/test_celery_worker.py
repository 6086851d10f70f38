"""A real Celery worker on the configured broker runs a task the test sent."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
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


def test_worker_runs_a_task_sent_through_the_broker(worker):
    from core.tasks import ping

    token = uuid.uuid4().hex
    result = ping.apply_async(args=[token], queue=worker)
    assert result.get(timeout=90) == f"pong {token}"
