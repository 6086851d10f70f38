"""A batch's plan kept as JSON between the worker that makes it and the callback that writes it
(exams.services.Plan, exams.fanout): by column, plain JSON values, read back to the same rows;
stored compressed (``dump``, ``load``)."""

import datetime
import json
import zlib
from decimal import Decimal

import pytest

from exams.services import Plan, PublicationReport

DAY = datetime.date(2027, 2, 5)
LATER = datetime.date(2027, 7, 1)


def _plan() -> Plan:
    return Plan(
        lines=[
            (11, "14", "passed", DAY, 6),
            (12, "8", "failed", None, 0),
            (13, "", "exempted", None, 3),
            (14, "NA", "not_taken", None, 0),
            (15, "10", "passed", LATER, 4),
        ],
        committee_tolerated=[12],
        automatic_tolerated=[16, 17],
        entries=[
            (1, DAY, 6, "refund", "Publication 2027-02-05", 3, 7, 40, "refund_passed"),
            (1, DAY, 2, "bonus", "Publication 2027-02-05", 3, 7, None, "bonus"),
            (2, LATER, -3, "refund", "Publication 2027-07-01", 3, 8, 41, ""),
        ],
        results_new=[(1, 7, 3, Decimal("68.25"), "distinction"), (2, 8, 3, None, "")],
        results_gone=[99],
        examined=[5, 6],
        report=PublicationReport(examined=5, certified=2, refunded_credits=10, bonus_credits=2, tolerated=3),
    )


@pytest.mark.parametrize("plan", [_plan(), Plan()], ids=["rows", "empty"])
def test_a_plan_comes_back_from_its_json_the_same(plan):
    text = json.dumps(plan.as_json())  # plain JSON: no encoder for dates or decimals
    assert Plan.from_json(json.loads(text)) == plan


def test_the_rows_are_kept_by_column_with_dates_as_ordinals():
    data = _plan().as_json()
    assert data["lines"] == {
        "id": [11, 12, 13, 14, 15],
        "mark": ["14", "8", "", "NA", "10"],
        "outcome": ["passed", "failed", "exempted", "not_taken", "passed"],
        "certified_on": [DAY.toordinal(), None, None, None, LATER.toordinal()],
        "deducted_credits": [6, 0, 3, 0, 4],
    }
    assert data["entries"]["on"] == [DAY.toordinal(), DAY.toordinal(), LATER.toordinal()]
    assert data["entries"]["course_id"] == [40, None, 41]
    assert data["results_new"][0] == [1, 7, 3, "68.25", "distinction"]


def test_the_dates_read_back_are_shared_per_day():
    plan = Plan.from_json(json.loads(json.dumps(_plan().as_json())))
    assert plan.entries[0][1] is plan.entries[1][1]
    assert plan.entries[2][1] == LATER


@pytest.mark.parametrize("plan", [_plan(), Plan()], ids=["rows", "empty"])
def test_a_plan_is_stored_as_its_json_compressed(plan):
    stored = plan.dump()
    assert isinstance(stored, bytes)
    assert json.loads(zlib.decompress(stored)) == plan.as_json()
    assert Plan.load(stored) == plan
    assert Plan.load(memoryview(stored)) == plan  # as a binary column may give it back


def test_a_large_plan_is_stored_smaller_than_its_json():
    lines = [(pk, "14", "passed", DAY, 6) for pk in range(100_000, 110_000)]
    plan = Plan(lines=lines, examined=list(range(1000)))
    assert len(plan.dump()) * 4 < len(json.dumps(plan.as_json()))
