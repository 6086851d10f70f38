"""The demo's students in each risk of refusal (issue 18, Art. 28).

Loaded on 13 July 2026: the second exam period of 2025-2026 was published on 30 June, so its
tolerance choice windows close on 15 July (a warning, 2 days left) and the associate degree's
starters and students under binding conditions have their efficiency after two periods."""

import datetime
import io
from collections import Counter

import pytest
import time_machine
from django.core.management import call_command

from progress.models import RiskSignal

pytestmark = pytest.mark.slow


def test_the_demo_has_students_in_each_risk(db):
    with time_machine.travel(datetime.datetime(2026, 7, 13, 10, 0), tick=False):
        out = io.StringIO()
        call_command("load_demo", "--today", "2026-07-13", stdout=out)
    counts = Counter(RiskSignal.objects.values_list("kind", "level"))
    kinds = {kind for kind, _level in counts}
    assert kinds == {"decree_threshold", "repeated_failure", "associate_degree", "learning_account", "tolerance"}
    assert counts["tolerance", "warning"] > 0
    assert counts["decree_threshold", "refusal_ahead"] > 0
    assert {level for _kind, level in counts} == {"information", "warning", "refusal_ahead"}
    # The summary load_demo prints names what the coach's risk list holds.
    assert "Risk signals:" in out.getvalue() and "tolerance warning" in out.getvalue()
    # Every signal was computed on the day the demo was loaded.
    assert set(RiskSignal.objects.values_list("computed_on", flat=True)) == {datetime.date(2026, 7, 13)}
