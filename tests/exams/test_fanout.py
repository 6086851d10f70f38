"""The publication spread over Celery workers (exams.fanout, PUBLICATION_FANOUT; issue 19): the
batches are planned by tasks, exactly once each; the chord's callback alone writes them and records
the period as published, so nothing counts before it commits; a crash mid-way and a rerun leave the
state of an uninterrupted run, which is the state of the publication in the process."""

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.db.models import Min
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from bench import publication
from core import gates
from core.models import Transition
from core.timeline import run_deadlines, transition_processed
from exams import fanout, services
from exams.models import PublicationBatch, Result
from exams.publication import publication_key
from exams.services import results_publish
from exams.standing import standings_with
from students.models import Enrolment, EntryKind, ISPLine, LineOutcome, ToleranceKind
from tests.support.publication import ENTRY_FIELDS, publication_rows

STUDENTS = 30
BATCH = 7  # 30 students: 5 batches


@pytest.fixture
def period(db):
    return publication.create_data(STUDENTS)


def in_process(period):
    """What the publication in the process writes, rolled back afterwards."""
    with transaction.atomic():
        results_publish(period=period)
        rows = publication_rows()
        transaction.set_rollback(True)
    return rows


def crash_on(monkeypatch, call: int):
    """``services.batch_publish`` fails on its ``call``-th call, as a worker killed mid-batch."""
    real, calls = services.batch_publish, []

    def batch_publish(*args, **kwargs):
        calls.append(args[2])
        if len(calls) == call:
            raise RuntimeError("worker lost")
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "batch_publish", batch_publish)
    return calls


def counted(monkeypatch):
    real, calls = services.batch_publish, []

    def batch_publish(*args, **kwargs):
        calls.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "batch_publish", batch_publish)
    return calls


@override_settings(PUBLICATION_BATCH=BATCH)
def test_spread_over_batches_it_writes_what_the_publication_in_the_process_writes(period, eager, monkeypatch):
    before = publication_rows()
    expected = in_process(period)
    calls = counted(monkeypatch)

    assert fanout.publish_spread(period=period) is not None

    assert publication_rows() == expected
    # Not vacuous: lines, refunds with bonuses and programme results were written.
    assert expected["lines"] != before["lines"]
    kinds = {row[ENTRY_FIELDS.index("kind")] for row in expected["ledger"]}
    assert {EntryKind.PASS_REFUND, EntryKind.BONUS} <= kinds
    assert expected["programme_results"]
    assert len(calls) == 5  # ceil(30 / 7) batches, each planned once
    assert transition_processed(publication_key(period))
    assert not PublicationBatch.objects.exists()  # done with


@override_settings(PUBLICATION_BATCH=BATCH)
def test_nothing_counts_until_the_last_step_writes_every_batch(period, eager, monkeypatch):
    before = publication_rows()
    expected = in_process(period)
    monkeypatch.setattr(fanout, "finish", lambda **kwargs: None)  # the callback has not run yet

    fanout.publish_spread(period=period)

    batches = list(PublicationBatch.objects.order_by("number"))
    assert len(batches) == 5 and all(batch.plan is not None for batch in batches)
    # Every batch is planned, but no mark, outcome, refund or programme result is visible.
    assert publication_rows() == before
    assert not transition_processed(publication_key(period))

    monkeypatch.undo()
    report = fanout.finish(period_id=period.pk, day=period.results_published_on, held=[], batch_count=5)

    assert report["examined"] == sum(1 for row in expected["lines"] if row[1])
    assert publication_rows() == expected
    assert transition_processed(publication_key(period))


def line_writes(queries) -> list[str]:
    """The statements of ``queries`` that write or lock ISP lines."""
    table = ISPLine._meta.db_table
    return [
        q["sql"]
        for q in queries
        if table in q["sql"] and (q["sql"].lstrip().upper().startswith("UPDATE") or "FOR UPDATE" in q["sql"].upper())
    ]


@override_settings(PUBLICATION_BATCH=BATCH)
def test_a_worker_plans_its_batch_without_writing_or_locking_a_line(period, eager, monkeypatch):
    expected = in_process(period)
    monkeypatch.setattr(fanout, "finish", lambda **kwargs: None)

    with CaptureQueriesContext(connection) as planning:
        fanout.publish_spread(period=period)

    assert PublicationBatch.objects.filter(plan__isnull=False).count() == 5
    assert line_writes(planning.captured_queries) == []
    # The automatic tolerance was decided from the plans' marks, never stored: the same lines.
    tolerated = [row[0] for row in expected["lines"] if row[6] == ToleranceKind.AUTOMATIC]
    assert tolerated  # not vacuous: the data makes the threshold and final-stage tolerance
    planned = sorted(
        pk for batch in PublicationBatch.objects.all() for pk in services.Plan.load(batch.plan).automatic_tolerated
    )
    assert planned == tolerated
    monkeypatch.undo()
    with CaptureQueriesContext(connection) as finishing:
        fanout.finish(period_id=period.pk, day=period.results_published_on, held=[], batch_count=5)
    assert line_writes(finishing.captured_queries)  # the check sees the writes where they are
    assert publication_rows() == expected


def test_the_standings_read_a_plan_s_values_instead_of_the_stored_ones(period):
    line, other = ISPLine.objects.select_related("enrolment").order_by("pk")[:2]
    pair = (line.enrolment.student_id, line.enrolment.programme_id)
    planned = {line.pk: {"mark": "17", "outcome": LineOutcome.PASSED, "certified_on": period.results_published_on}}

    stored = standings_with({pair})[pair]
    read = standings_with({pair}, overrides=planned)[pair]

    def of(standing, pk):
        return next(x for year in standing.years for x in year.lines if x.id == pk)

    assert (of(stored, line.pk).mark, of(stored, line.pk).certified_on) == (None, None)
    planned_line = of(read, line.pk)
    assert (planned_line.mark, planned_line.outcome, planned_line.certified_on) == (
        17,
        LineOutcome.PASSED,
        period.results_published_on,
    )
    assert planned_line.tolerated_on is None  # a value the plan leaves is the stored one
    if other.enrolment_id == line.enrolment_id:
        assert of(read, other.pk) == of(stored, other.pk)
    assert ISPLine.objects.get(pk=line.pk).mark == ""  # read, not written


@override_settings(PUBLICATION_BATCH=BATCH)
def test_a_committee_tolerance_the_plan_decided_counts_in_its_standings(period, eager, monkeypatch):
    """A bachelor-after-bachelor student whose one fail is a 9 in the course that is not tolerable
    passes the programme when the committee tolerates that fail (Art. 70, 78-81): the worker's
    standings see the tolerance its plan decided and did not write."""
    passed = (
        Result.objects.filter(exam_period=period, isp_line__enrolment__programme__code="PUB-BAB")
        .values("isp_line__enrolment_id")
        .annotate(low=Min("score"))
        .filter(low__gte=10)
        .order_by("isp_line__enrolment_id")
        .values_list("isp_line__enrolment_id", flat=True)
    )
    enrolment = Enrolment.objects.get(pk=passed[0])
    result = Result.objects.get(exam_period=period, isp_line__enrolment=enrolment, isp_line__course__tolerable=False)
    Result.objects.filter(pk=result.pk).update(score=9)
    decision = {
        "id": 1,
        "kind": "tolerated",
        "student_id": enrolment.student_id,
        "programme_id": enrolment.programme_id,
        "isp_line_id": result.isp_line_id,
        "result_id": result.pk,
        "new_score": None,
        "level": "",
    }
    monkeypatch.setattr(gates.committee_decisions, "_answer", lambda period_id: [decision])
    monkeypatch.setattr(gates.committee_decisions_applied, "_answer", lambda ids, on: None)
    expected = in_process(period)
    tolerated = [row for row in expected["lines"] if row[0] == result.isp_line_id][0]
    assert tolerated[6] == ToleranceKind.COMMITTEE
    assert enrolment.student_id in [row[0] for row in expected["programme_results"]]  # not vacuous

    fanout.publish_spread(period=period)

    assert publication_rows() == expected


@override_settings(PUBLICATION_BATCH=BATCH)
def test_a_batch_is_planned_once_and_the_period_published_once(period, eager, monkeypatch):
    expected = in_process(period)
    monkeypatch.setattr(fanout, "finish", lambda **kwargs: None)
    fanout.publish_spread(period=period)
    monkeypatch.undo()
    batch = PublicationBatch.objects.order_by("number").first()
    plan, planned_at = batch.plan, batch.planned_at

    # A task delivered twice: the second finds its batch planned and leaves it.
    assert fanout.batch_plan(batch_id=batch.pk, held=[]) is False
    batch.refresh_from_db()
    assert (batch.plan, batch.planned_at) == (plan, planned_at)

    day = period.results_published_on
    assert fanout.finish(period_id=period.pk, day=day, held=[], batch_count=5) is not None
    # A callback run twice: the period is published already, nothing is written again.
    assert fanout.finish(period_id=period.pk, day=day, held=[], batch_count=5) is None
    assert fanout.publish_spread(period=period) is False
    assert publication_rows() == expected
    assert Transition.objects.filter(key=publication_key(period)).count() == 1


@override_settings(PUBLICATION_BATCH=BATCH)
def test_a_crash_mid_way_publishes_nothing_and_a_rerun_finishes_the_same(period, eager, monkeypatch):
    before = publication_rows()
    expected = in_process(period)
    crash_on(monkeypatch, call=3)

    with pytest.raises(RuntimeError, match="worker lost"):
        fanout.publish_spread(period=period)

    assert publication_rows() == before
    assert not transition_processed(publication_key(period))
    assert PublicationBatch.objects.filter(plan__isnull=False).count() == 2

    monkeypatch.undo()
    calls = counted(monkeypatch)
    fanout.publish_spread(period=period)

    assert len(calls) == 3  # the two batches planned before the crash are not planned again
    assert publication_rows() == expected
    assert transition_processed(publication_key(period))


@override_settings(PUBLICATION_BATCH=BATCH)
def test_plans_made_before_a_result_changed_are_made_again(period, eager, monkeypatch):
    crash_on(monkeypatch, call=2)
    with pytest.raises(RuntimeError):
        fanout.publish_spread(period=period)
    assert PublicationBatch.objects.filter(plan__isnull=False).count() == 1
    monkeypatch.undo()

    # Between the two attempts a result of the first batch is corrected (with its history).
    first = PublicationBatch.objects.get(number=0)
    result = (
        Result.objects.filter(
            exam_period=period,
            isp_line__enrolment__student_id=first.first_student,
            score__gte=10,
        )
        .order_by("pk")
        .first()
    )
    result.score = 3
    result.save()
    expected = in_process(period)
    calls = counted(monkeypatch)

    fanout.publish_spread(period=period)

    assert len(calls) == 5  # every batch planned again on the new basis
    assert publication_rows() == expected
    line = [row for row in publication_rows()["lines"] if row[0] == result.isp_line_id][0]
    assert line[1] == "3"


def test_the_spread_needs_the_setting_and_committed_data(db):
    with override_settings(PUBLICATION_FANOUT=True):
        assert connection.in_atomic_block
        assert fanout.enabled() is False  # inside a transaction (a replay, a test) it stays in the process
    assert fanout.enabled() is False


@pytest.mark.django_db(transaction=True)
@override_settings(PUBLICATION_FANOUT=True, PUBLICATION_BATCH=BATCH)
def test_run_deadlines_publishes_through_the_workers_and_records_the_publication_once(eager, monkeypatch):
    period = publication.create_data(STUDENTS)
    calls = counted(monkeypatch)
    assert fanout.enabled()

    report = run_deadlines(today=period.results_published_on)

    assert publication_key(period) in report.transitions
    assert len(calls) == 5
    assert Transition.objects.filter(key=publication_key(period)).count() == 1
    assert any(row[1] for row in publication_rows()["lines"])
    assert run_deadlines(today=period.results_published_on).transitions == []


# --- A real worker on the broker, killed mid-way ----------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
real_services = pytest.mark.skipif(
    not os.environ.get("CELERY_BROKER_URL") or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="needs a real broker and PostgreSQL (CI: Redis and PostgreSQL)",
)


def start_worker(queue: str) -> subprocess.Popen:
    """A Celery worker on the test database, consuming ``queue``."""
    database = connection.settings_dict
    url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    return subprocess.Popen(
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
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "DATABASE_URL": url},
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@real_services
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_way_and_a_rerun_leave_the_state_of_an_uninterrupted_run():
    queue = f"test-publication-{uuid.uuid4().hex[:8]}"
    period = publication.create_data(STUDENTS)
    before = publication_rows()
    expected = in_process(period)
    with override_settings(PUBLICATION_QUEUE=queue, PUBLICATION_BATCH=2, PUBLICATION_TIMEOUT=15):
        worker = start_worker(queue)
        failed = []

        def publish():
            try:
                fanout.publish_spread(period=period)
            except Exception as error:  # the wait times out: the worker is gone
                failed.append(error)
            finally:
                connection.close()

        thread = threading.Thread(target=publish)
        thread.start()
        deadline = time.monotonic() + 120
        while not PublicationBatch.objects.filter(plan__isnull=False).exists():
            assert time.monotonic() < deadline, "no batch was planned"
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)  # mid-way: 15 batches, at least one planned
        worker.wait(timeout=20)
        thread.join(timeout=60)

        planned = PublicationBatch.objects.filter(plan__isnull=False).count()
        # Killed mid-way: the wait failed, some batches are planned, nothing of it is visible.
        assert failed and 1 <= planned < 15
        assert not transition_processed(publication_key(period))
        assert publication_rows() == before

        worker = start_worker(queue)
        try:
            fanout.publish_spread(period=period)
        finally:
            stop(worker)

    assert publication_rows() == expected
    assert transition_processed(publication_key(period))
    assert not PublicationBatch.objects.exists()
