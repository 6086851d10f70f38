"""The publication of an exam period spread over Celery workers (issue 19): on when the setting
``PUBLICATION_FANOUT`` is; off by default, in the tests and in a replay that runs inside one
transaction (``load_demo``), where the publication runs in the process (``results_publish``).

1. ``publish_spread`` (the timeline's publication transition): the programmes a deliberation
   holds (as ``results_publish``), the batches of students (``services.student_batches``) as
   ``PublicationBatch`` rows, and a chord: one ``exams.tasks.publication_batch`` per batch not
   planned yet, ``exams.tasks.publication_finish`` as its callback. It waits for the callback, so
   that ``run_deadlines`` goes on to later stages and days only once the period is published.
2. ``batch_plan`` (a worker): claims its batch (a row lock; a batch already planned is left as it
   is: each batch is planned exactly once however often its task is delivered), decides stages
   1-5 for the batch's students and keeps them as the batch's plan (``services.Plan``). It writes
   no line: the standings of the automatic tolerance read the plan's marks, outcomes,
   certificates and committee tolerance instead of the stored ones. Only the committee's adjusted
   marks are written, for the marks to read them, inside a savepoint that is undone.
3. ``finish`` (the chord's callback, the only step that records the period as published): in
   one transaction it records the publication's transition (a second finish finds it taken and
   does nothing), the held programmes and the committee's adjusted marks, writes every batch's
   plan, then what needs every batch (``services.publish_finish``), and deletes the batches.
   Until it commits nothing of the publication is visible: no mark, outcome, certificate,
   refund or programme result of a half-published period.

A worker killed mid-way leaves its batch unplanned (its transaction is rolled back); the task is
delivered again (``acks_late``) or the next ``run_deadlines`` sends it again, and the plans made
meanwhile are kept when what they were computed from is unchanged (``basis``: the day, the held
programmes, the batches, the committee's decisions, the postponed results and the period's
results); otherwise they are made again. Either way the state is that of an uninterrupted run.
"""

import datetime
import hashlib
import json

from celery import chord
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max

from core import clock, gates
from core.timeline import transition_processed, transition_record
from programmes.models import ExamPeriod

from . import services
from .models import PublicationBatch, Result
from .publication import publication_key


def enabled() -> bool:
    """Whether the calendar's publications are spread over workers: ``PUBLICATION_FANOUT`` is on
    and no transaction is open (workers see only what is committed: a replay inside one
    transaction, as ``load_demo``'s, publishes in the process)."""
    return settings.PUBLICATION_FANOUT and not transaction.get_connection().in_atomic_block


def _basis(period: ExamPeriod, day: datetime.date, held: list[int], batches: list[tuple[int, int]]) -> str:
    """A digest of what the batches' plans are computed from (two queries besides the decisions)."""
    results = Result.objects.filter(exam_period=period).aggregate(count=Count("pk"), last=Max("pk"))
    changed = Result.history.filter(exam_period_id=period.pk).aggregate(last=Max("history_id"))["last"]
    decisions = sorted((d["id"], d["kind"]) for d in gates.committee_decisions(period.pk))
    postponed = sorted(line for (_period, line) in gates.postponed_results([period.pk]))
    facts = [day.isoformat(), held, batches, decisions, postponed, results["count"], results["last"], changed]
    return hashlib.sha256(json.dumps(facts, default=str).encode()).hexdigest()


def publish_spread(*, period: ExamPeriod, day: datetime.date | None = None) -> bool:
    """Publish ``period``'s results on ``day`` (default: its publication date) by batches of
    students on the Celery workers, and wait until the publication is recorded. Returns whether
    this call published it (False: it was already). Raises when a batch or the last step fails:
    nothing is published then, and a rerun picks up where it stopped."""
    day = day or period.results_published_on
    if transition_processed(publication_key(period)):
        return False
    held = services.held_on(period, day)
    batches = services.student_batches(period, services.Scope(but=frozenset(held)), settings.PUBLICATION_BATCH)
    basis = _basis(period, day, held, batches)
    with transaction.atomic():
        PublicationBatch.objects.filter(exam_period=period).exclude(day=day, basis=basis).delete()
        kept = set(PublicationBatch.objects.filter(exam_period=period, day=day).values_list("number", flat=True))
        PublicationBatch.objects.bulk_create(
            [
                PublicationBatch(
                    exam_period=period, day=day, number=number, first_student=first, last_student=last, basis=basis
                )
                for number, (first, last) in enumerate(batches)
                if number not in kept
            ]
        )
    todo = PublicationBatch.objects.filter(exam_period=period, day=day, plan__isnull=True).order_by("number")
    from . import tasks  # the tasks call back into this module

    options = {"queue": settings.PUBLICATION_QUEUE} if settings.PUBLICATION_QUEUE else {}
    header = [tasks.publication_batch.si(pk, held).set(**options) for pk in todo.values_list("pk", flat=True)]
    body = tasks.publication_finish.si(period.pk, day.isoformat(), held, len(batches)).set(**options)
    result = chord(header)(body) if header else body.apply_async()
    return result.get(timeout=settings.PUBLICATION_TIMEOUT, disable_sync_subtasks=False)


def batch_plan(*, batch_id: int, held: list[int]) -> bool:
    """Plan one batch (a worker's part): False when it is planned already or gone."""
    with transaction.atomic():
        batch = (
            PublicationBatch.objects.select_for_update(of=("self",))
            .select_related("exam_period__academic_year")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None or batch.plan is not None:
            return False
        period, students = batch.exam_period, (batch.first_student, batch.last_student)
        scope = services.Scope(but=frozenset(held))
        context = services.publication_context(period, scope)
        # The committee's adjusted marks are written for the marks to read them, and undone; the
        # rest of the plan is decided without writing (``write=False``).
        undo = transaction.savepoint()
        try:
            services.committee_marks([d for d in context.decisions if students[0] <= d["student_id"] <= students[1]])
            plan = services.batch_publish(period, batch.day, students, scope, context, write=False)
        finally:
            transaction.savepoint_rollback(undo)
        batch.plan, batch.planned_at = plan.dump(), clock.now()
        batch.save(update_fields=["plan", "planned_at"])
    return True


def finish(*, period_id: int, day: datetime.date, held: list[int], batch_count: int) -> dict | None:
    """Write every batch's plan and record the period as published, in one transaction. Returns the
    publication's figures, or None when it was published already."""
    period = ExamPeriod.objects.select_related("academic_year").get(pk=period_id)
    with transaction.atomic():
        if not transition_record(publication_key(period), day):
            return None
        services.held_record(period, held)
        scope = services.Scope(but=frozenset(held))
        context = services.publication_context(period, scope)
        services.committee_marks(context.decisions)
        batches = PublicationBatch.objects.filter(exam_period=period, day=day).order_by("number")
        summaries = []
        for batch in batches.iterator(chunk_size=1):
            if batch.plan is None:
                raise RuntimeError(f"publication batch {batch.number} of {period} is not planned")
            plan = services.Plan.load(batch.plan)
            services.plan_write(plan, day, lines=True)
            summaries.append(services.Plan(examined=plan.examined, report=plan.report))
        if len(summaries) != batch_count:
            raise RuntimeError(f"{period}: {len(summaries)} batches planned of {batch_count}")
        report = services.publish_finish(period, day, scope, context, summaries)
        batches.delete()
    return {"period": period_id, **report.__dict__}
