"""The admin action 'replay the deadlines up to a day' runs the timeline service."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from core.models import Transition
from programmes.models import AcademicYear
from students.models import LearningAccountEntry
from tests.core import scenario

URL = reverse("admin:programmes_academicyear_changelist")


@pytest.fixture
def college(db):
    return scenario.build()


def _post(client, day, apply=True):
    year = AcademicYear.objects.get(code="2023-2024")
    data = {"action": "replay_deadlines", "_selected_action": [year.pk], "day": day}
    if apply:
        data["apply"] = "1"
    return client.post(URL, data, follow=True)


@time_machine.travel(dt.date(2026, 11, 23))
def test_the_action_asks_for_the_day_first(college, admin_client):
    response = _post(admin_client, "", apply=False)
    assert response.status_code == 200
    assert b"Run the deadlines up to" in response.content
    assert LearningAccountEntry.objects.count() == 0


@time_machine.travel(dt.date(2026, 11, 23))
def test_the_action_runs_the_timeline_up_to_the_day(college, admin_client):
    response = _post(admin_client, "2023-12-01")
    assert response.status_code == 200
    assert b"Deadlines run up to 2023-12-01" in response.content
    assert Transition.objects.filter(key="ay:2023-2024:first_semester_lock").exists()
    assert not Transition.objects.filter(key__endswith=":publication").exists()
    # S2 removed C01 on 20 November, before the lock: 140 - 60 + 6.
    assert sum(LearningAccountEntry.objects.filter(student__number="S2").values_list("credits", flat=True)) == 86


@time_machine.travel(dt.date(2026, 11, 23))
def test_a_day_after_today_is_refused_and_changes_nothing(college, admin_client):
    response = _post(admin_client, "2026-11-24")
    assert b"cannot run ahead of today" in response.content
    assert LearningAccountEntry.objects.count() == 0
    assert Transition.objects.count() == 0
