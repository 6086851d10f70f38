"""The learning account ledger (ARCHITECTURE.md): an append-only table of entries whose sum
is the balance; nothing stores a second copy."""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.utils.translation import gettext, ngettext

from core import clock, pgcopy
from core.bulk import ids_filter
from core.dates import show_date

from . import rules
from .models import EntryKind, EntryReason, LearningAccountEntry, Student

BATCH = 5000


def ledger_book(entries: Iterable[LearningAccountEntry]) -> int:
    """Append entries; one that exists already for its (source, kind) is skipped."""
    entries = [e for e in entries if e.credits != 0]
    LearningAccountEntry.objects.bulk_create(entries, batch_size=BATCH, ignore_conflicts=True)
    return len(entries)


# The fields of a row given to ``ledger_book_rows``, in this order.
ROW_FIELDS = (
    "student_id",
    "on",
    "credits",
    "kind",
    "source",
    "academic_year_id",
    "programme_id",
    "course_id",
    "reason_code",
)


def ledger_book_rows(rows: Iterable[tuple]) -> int:
    """``ledger_book`` for many entries given as plain rows of ``ROW_FIELDS`` (no reason details
    or text, booked now by nobody): the same rows, written on PostgreSQL through COPY without
    building a model instance per entry, elsewhere through ``ledger_book``."""
    rows = [row for row in rows if row[2] != 0]
    if not pgcopy.available():
        return ledger_book(LearningAccountEntry(**dict(zip(ROW_FIELDS, row, strict=True))) for row in rows)
    now = clock.now()  # auto_now_add's value, once for the whole write
    pgcopy.insert(
        LearningAccountEntry,
        [*ROW_FIELDS, "reason_params", "reason", "created_at"],
        (row + ("{}", "", now) for row in rows),
        ignore_conflicts=True,
    )
    return len(rows)


def balance_subquery(student_ref: str = "pk") -> Subquery:
    """A student's balance (the sum of the entries) as a subquery for an annotation, by the
    entries' student index: ``student_ref`` names the student in the outer query. NULL for a
    student without entries (``Coalesce`` it to 0 where that is the balance to show)."""
    return Subquery(
        LearningAccountEntry.objects.filter(student=OuterRef(student_ref))
        .order_by()
        .values("student")
        .annotate(total=Sum("credits"))
        .values("total"),
        output_field=IntegerField(),
    )


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
    # A publication's batch asks for thousands of students: their range, not a list of ids.
    opening = dict(Student.objects.filter(**ids_filter("id", ids)).values_list("id", "opening_bonus_left"))
    for row in (
        LearningAccountEntry.objects.filter(
            **ids_filter("student_id", ids), kind__in=[EntryKind.BONUS, EntryKind.REBUILD]
        )
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


# --- reasons -------------------------------------------------------------------
# An entry stores why it was booked as a code (EntryReason) and its facts; the
# sentence is made here, at display time, in the reader's language. Facts come from
# the entry (course, academic year, programme, credits, date) and ``reason_params``,
# which override them (rows converted from the old English sentences keep the values
# they named) and carry what an entry has no field for (``to``: the new programme).
def _sentence(code: str, facts: dict) -> str | None:  # noqa: C901 - one branch per code, flat
    n = facts["credits"]
    match code:
        case EntryReason.OPENING:
            return gettext("Opening balance")
        case EntryReason.OPENING_IMPORTED:
            return gettext("Imported opening balance")
        case EntryReason.ISP:
            return ngettext("ISP %(year)s: %(credits)s credit", "ISP %(year)s: %(credits)s credits", n) % facts
        case EntryReason.COURSE_ADDED:
            return gettext("%(course)s added to ISP %(year)s") % facts
        case EntryReason.COURSE_REMOVED:
            return gettext("%(course)s removed from ISP %(year)s before the lock") % facts
        case EntryReason.COURSE_EXEMPTED:
            return gettext("%(course)s exempted in ISP %(year)s") % facts
        case EntryReason.PASSED:
            return gettext("%(course)s passed") % facts
        case EntryReason.PASSED_BONUS:
            return gettext("%(course)s passed: bonus on the first 60 credits") % facts
        case EntryReason.PASSED_REDECIDED:
            return gettext("%(course)s passed (new decision of %(date)s)") % facts
        case EntryReason.PASSED_REDECIDED_BONUS:
            return gettext("%(course)s passed (new decision of %(date)s): bonus on the first 60 credits") % facts
        case EntryReason.CERTIFICATE_WITHDRAWN:
            return gettext("%(course)s: credit certificate withdrawn by the decision of %(date)s") % facts
        case EntryReason.DEREGISTRATION:
            return (
                ngettext(
                    "Deregistration from %(programme)s %(year)s: %(credits)s credit",
                    "Deregistration from %(programme)s %(year)s: %(credits)s credits",
                    n,
                )
                % facts
            )
        case EntryReason.GENERATION_SWITCH:
            return gettext("Generation student switching to %(to)s: half of %(programme)s") % facts
        case EntryReason.REBUILD:
            return gettext("Learning account rebuilt at the start of %(year)s") % facts
        case EntryReason.REBUILD_REVERSED:
            return gettext("Rebuild of %(year)s reversed: enrolled in that year") % facts
        case EntryReason.READMITTED:
            return (
                ngettext(
                    "ISP %(year)s readmitted: %(credits)s credit", "ISP %(year)s readmitted: %(credits)s credits", n
                )
                % facts
            )
        case EntryReason.REFUSED:
            return (
                ngettext(
                    "Enrolment %(year)s refused by a measure: %(credits)s credit back",
                    "Enrolment %(year)s refused by a measure: %(credits)s credits back",
                    n,
                )
                % facts
            )
        case EntryReason.MASTER_DEGREE:
            return gettext("First master's degree")
    return None


def reason_text(entry: LearningAccountEntry) -> str:
    """The reason of ``entry`` as a sentence in the active language; an entry without a
    code shows its stored text as it is."""
    if not entry.reason_code:
        return entry.reason
    facts = {
        "course": entry.course.code if entry.course_id else "",
        "year": entry.academic_year.code if entry.academic_year_id else "",
        "programme": entry.programme.code if entry.programme_id else "",
        "credits": abs(entry.credits),
        "date": entry.on,
        "to": "",
    }
    facts.update(entry.reason_params or {})
    if isinstance(facts["date"], str):
        facts["date"] = datetime.date.fromisoformat(facts["date"])
    facts["date"] = show_date(facts["date"])
    return _sentence(entry.reason_code, facts) or entry.reason or entry.get_reason_code_display()
