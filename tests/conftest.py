"""Fixtures for every test. The worlds, personas and factories they hand out are built in
tests/support (worlds.py, personas.py, factories.py)."""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir

# The fuzzed imports (tests/*/test_fuzz_*.py). ``ci``, the default: the same examples on every
# run (derandomized), a fixed number of them, no example database written into the tree.
# ``HYPOTHESIS_PROFILE=thorough`` runs many more, random ones, for a search on a workstation.
# Each example runs in a rolled-back transaction inside the test's ``db`` fixture, which is
# therefore shared by the examples on purpose (the function-scoped fixture health check).
_FUZZ = {
    "deadline": None,
    "database": None,
    "print_blob": True,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
}
hypothesis_settings.register_profile("ci", derandomize=True, max_examples=60, **_FUZZ)
hypothesis_settings.register_profile("thorough", derandomize=False, max_examples=2000, **_FUZZ)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# Hypothesis still caches the constants it finds in the code: under var/ (local data), not in the tree.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    _var = Path(os.environ.get("VAR_DIR") or Path(__file__).resolve().parents[1] / "var")
    set_hypothesis_home_dir(_var / "hypothesis")


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests assert English messages; the Dutch translation is tested on its own."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _same_names_every_run(request):
    """The factories' random names and numbers are seeded from the test's id: a test sees the
    same people on SQLite and PostgreSQL, in any order, so a failure can be run again."""
    import zlib

    import factory.random

    factory.random.reseed_random(zlib.crc32(request.node.nodeid.encode()))


@pytest.fixture
def coach_world(db):
    """Programme BA-A (coach, ombudsperson, substitute) and BA-B (other_coach) in 2026-2027,
    one student new in BA-A, and a committee member, a member of student administration and a
    superuser (tests/support/worlds.py, ``CoachWorld``)."""
    from tests.support import worlds

    return worlds.coach_world()


@pytest.fixture
def on_coach_day():
    """Today is 2026-11-23 (time-machine), before the 1 December lock."""
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def committee_world(db):
    """Two examination committees in 2023-2024 and Education's deliberation on January to hold
    (tests/support/worlds.py, ``CommitteeWorld``)."""
    from tests.support import worlds

    return worlds.committee_world()


@pytest.fixture
def eager():
    """Celery tasks run in the process, as a worker would run them, their errors raised."""
    from config.celery import app

    saved = {key: app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(saved)
