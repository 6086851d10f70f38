"""The learning account ledger (ARCHITECTURE.md): an append-only table of entries whose sum
is the balance; nothing stores a second copy."""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Sum

from . import rules
from .models import EntryKind, LearningAccountEntry, Student

BATCH = 5000


def ledger_book(entries: Iterable[LearningAccountEntry]) -> int:
    """Append entries; one that exists already for its (source, kind) is skipped."""
    entries = [e for e in entries if e.credits != 0]
    LearningAccountEntry.objects.bulk_create(entries, batch_size=BATCH, ignore_conflicts=True)
    return len(entries)


def balances(student_ids: Iterable[int]) -> dict[int, int]:
    """Current balance of each student: the sum of their entries."""
    ids = list(set(student_ids))
    result = dict.fromkeys(ids, 0)
    for start in range(0, len(ids), BATCH):
        rows = (
            LearningAccountEntry.objects.filter(student_id__in=ids[start : start + BATCH])
            .values("student_id")
            .annotate(total=Sum("credits"))
        )
        result.update({row["student_id"]: row["total"] for row in rows})
    return result


def bonus_state(student_ids: Iterable[int]) -> dict[int, int]:
    """Bonus left per student (LA: the first 60 credits come back twice)."""
    ids = list(set(student_ids))
    booked = defaultdict(int)
    rebuilt = set()
    opening = dict(Student.objects.filter(id__in=ids).values_list("id", "opening_bonus_left"))
    for row in (
        LearningAccountEntry.objects.filter(student_id__in=ids, kind__in=[EntryKind.BONUS, EntryKind.REBUILD])
        .values("student_id", "kind")
        .annotate(total=Sum("credits"))
    ):
        if row["kind"] == EntryKind.BONUS:
            booked[row["student_id"]] = row["total"]
        else:
            rebuilt.add(row["student_id"])
    return {
        sid: rules.bonus_left(opening_bonus=opening.get(sid), bonus_booked=booked[sid], rebuild_granted=sid in rebuilt)
        for sid in ids
    }
