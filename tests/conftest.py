"""Fixtures for every test. The worlds, personas and factories they hand out are built in
tests/support (worlds.py, personas.py, factories.py)."""

import pytest


@pytest.fixture(autouse=True)
def _english(settings):
    """Tests assert English messages; the Dutch translation is tested on its own."""
    settings.LANGUAGE_CODE = "en"


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
