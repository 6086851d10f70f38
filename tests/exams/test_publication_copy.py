"""The publication's set-based writes: on PostgreSQL the ledger entries and the lines' new values
go through COPY (core.pgcopy), elsewhere through the ORM. Both must leave the same rows."""

from django.db import connection, transaction

from bench import publication
from core import pgcopy
from exams.services import results_publish
from students.ledger import ledger_book_rows
from students.models import EntryKind, EntryReason, ISPLine, LearningAccountEntry
from tests.support.publication import ENTRY_FIELDS, publication_rows


def _published(period, monkeypatch, *, copy: bool):
    """The rows after publishing ``period`` with COPY or the ORM, rolled back afterwards."""
    monkeypatch.setattr(pgcopy, "available", lambda: copy)
    with transaction.atomic():
        results_publish(period=period)
        rows = publication_rows()
        transaction.set_rollback(True)
    return rows


def test_the_publication_writes_the_same_rows_through_copy_as_through_the_orm(db, monkeypatch):
    period = publication.create_data(30)
    before = publication_rows()

    orm = _published(period, monkeypatch, copy=False)
    copied = _published(period, monkeypatch, copy=connection.vendor == "postgresql")

    assert copied == orm
    # Not vacuous: the publication wrote lines, refunds with bonuses and programme results.
    assert orm["lines"] != before["lines"]
    assert {EntryKind.PASS_REFUND, EntryKind.BONUS} <= {row[ENTRY_FIELDS.index("kind")] for row in orm["ledger"]}
    assert orm["programme_results"] and len(orm["history"]) == len(orm["programme_results"])
    assert publication_rows() == before  # both rolled back


def test_booking_rows_twice_books_each_entry_once_and_skips_zero_credits(db):
    period = publication.create_data(5)
    line = ISPLine.objects.select_related("enrolment").order_by("pk").first()
    enrolment = line.enrolment
    day = period.results_published_on

    def row(credits, kind, reason):
        return (
            enrolment.student_id,
            day,
            credits,
            kind,
            f"isp_line:{line.pk}",
            enrolment.academic_year_id,
            enrolment.programme_id,
            line.course_id,
            reason,
        )

    rows = [row(6, EntryKind.PASS_REFUND, EntryReason.PASSED), row(0, EntryKind.BONUS, EntryReason.PASSED_BONUS)]
    ledger_book_rows(rows)
    ledger_book_rows(rows)

    booked = LearningAccountEntry.objects.filter(source=f"isp_line:{line.pk}")
    assert list(booked.values_list("kind", "credits", "reason_code", "reason_params", "reason", "on")) == [
        (EntryKind.PASS_REFUND, 6, EntryReason.PASSED, {}, "", day)
    ]
    assert booked.get().created_at is not None
