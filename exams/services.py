"""Publication of an exam period's results (Art. 86): the one moment results count.

``results_publish`` runs in stages, in one transaction: (1) final marks and
outcomes of the lines examined in the period, (2) credit certificates, (3) the
learning account refunds with the bonus. Later stages (tolerance, programme
results) build on the outcomes stored by stage 1.

The stages run per batch of students (``BATCH`` students with all their lines
examined in the period), so that the number of queries and the memory grow per
batch, not per student or per line, and each stage sees a student whole.
"""

import datetime
import json
import zlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from simple_history.utils import get_history_manager_for_model

from core import events, gates, pgcopy
from core.audit import audited_save
from core.bulk import ids_filter
from core.rounding import round_half_up
from programmes.models import ExamPeriod
from programmes.rules import THRESHOLD_KINDS
from students import rules as account_rules
from students.ledger import BATCH, ROW_FIELDS, bonus_state, ledger_book_rows
from students.models import (
    Enrolment,
    EnrolmentStatus,
    EntryKind,
    EntryReason,
    ISPLine,
    LearningAccountEntry,
    LineOutcome,
    Student,
    ToleranceKind,
)

from . import rules
from .models import HeldPublication, ProgrammeResult, Result, ResultPart, ToleranceChoice, ToleranceObjection
from .publication import publication_days
from .standing import TOLERANCE_CONTRACTS, standings, standings_with


@dataclass
class PublicationReport:
    examined: int = 0
    certified: int = 0
    refunded_credits: int = 0
    bonus_credits: int = 0
    tolerated: int = 0
    programmes_passed: int = 0


@dataclass(slots=True)
class _Line:
    """What the publication reads and writes of an ISP line (with its enrolment and course)."""

    pk: int
    enrolment_id: int
    student_id: int
    programme_id: int
    programme_kind: str
    academic_year_id: int
    contract: str
    course_id: int
    code: str
    tolerable: bool
    deducted_credits: int
    certified_on: datetime.date | None
    mark: str = ""
    outcome: str = ""
    newly_certified: bool = False


@dataclass(frozen=True)
class Scope:
    """The programmes a publication reaches: ``only`` these (a held programme released), or every
    programme ``but`` these (the calendar's publication, leaving out the held ones)."""

    only: frozenset[int] | None = None
    but: frozenset[int] = frozenset()

    def filter(self, queryset, field: str):
        if self.only is not None:
            queryset = queryset.filter(**{f"{field}__in": list(self.only)})
        if self.but:
            queryset = queryset.exclude(**{f"{field}__in": list(self.but)})
        return queryset

    def __contains__(self, programme_id) -> bool:
        return (self.only is None or programme_id in self.only) and programme_id not in self.but


def result_mark(result: Result) -> rules.Mark:
    return _mark(result.score, result.grade, lambda: [(part.credits, part.score) for part in result.parts.all()])


def _mark(score: int | None, grade: str, parts) -> rules.Mark:
    """A result's mark: its score, else its grade, else the mark of its partial
    exams, ``parts()`` as (credits, score) pairs (Art. 65)."""
    if score is not None:
        return score
    if grade:
        return grade
    return rules.mark_from_parts(parts())


def student_batches(period: ExamPeriod, scope: Scope = Scope(), size: int = BATCH) -> list[tuple[int, int]]:
    """The students with a line examined in ``period`` (in ``scope``'s programmes), in batches of
    ``size`` given as (first, last) student id: a range holds no other examined student."""
    enrolments = scope.filter(Enrolment.objects.filter(academic_year_id=period.academic_year_id), "programme_id")
    ids = list(
        enrolments.filter(Exists(Result.objects.filter(isp_line__enrolment=OuterRef("pk"), exam_period=period)))
        .order_by("student_id")
        .values_list("student_id", flat=True)
        .distinct()
    )
    return [(ids[start], ids[min(start + size, len(ids)) - 1]) for start in range(0, len(ids), size)]


def _published_marks(period: ExamPeriod, students: tuple[int, int]) -> dict[int, list[rules.Mark]]:
    """The published marks (exam periods up to ``period``) of the year's lines of the
    students in the range ``students``, per line in order of opportunity."""
    results = list(
        Result.objects.filter(
            exam_period__number__lte=period.number,
            isp_line__enrolment__academic_year_id=period.academic_year_id,
            isp_line__enrolment__student_id__gte=students[0],
            isp_line__enrolment__student_id__lte=students[1],
        )
        .order_by("isp_line_id", "opportunity")
        .values_list("pk", "isp_line_id", "score", "grade")
    )
    parts = defaultdict(list)
    with_parts = [pk for pk, _line, score, grade in results if score is None and not grade]
    if with_parts:
        for result_id, credits, score in (
            ResultPart.objects.filter(result_id__in=with_parts)
            .order_by("result_id", "position")
            .values_list("result_id", "credits", "score")
        ):
            parts[result_id].append((credits, score))
    marks = defaultdict(list)
    for pk, line_id, score, grade in results:
        marks[line_id].append(_mark(score, grade, lambda pk=pk: parts[pk]))
    return marks


def _stage_marks(
    period: ExamPeriod,
    day: datetime.date,
    students: tuple[int, int],
    *,
    only=None,
    postponed=frozenset(),
    scope: "Scope | None" = None,
    lock: bool = True,
) -> list[_Line]:
    """Stage 1: the year's final mark and outcome of every line examined in ``period``
    (of the students in the range ``students``; ``only`` those line ids; within ``scope``'s
    programmes), except the results the select committee announces later (``postponed`` line
    ids, Art. 69). ``lock``: the lines are locked for the transaction, which writes them."""
    rows = ISPLine.objects.select_for_update(of=("self",)) if lock else ISPLine.objects.all()
    rows = (
        rows.filter(enrolment__academic_year_id=period.academic_year_id, exempted=False)
        .filter(enrolment__student_id__gte=students[0], enrolment__student_id__lte=students[1])
        .filter(Exists(Result.objects.filter(isp_line=OuterRef("pk"), exam_period=period)))
    )
    if scope is not None:
        rows = scope.filter(rows, "enrolment__programme_id")
    if only is not None:
        rows = rows.filter(pk__in=list(only))
    if postponed:
        rows = rows.exclude(pk__in=list(postponed))
    # A batch of a large period reads its students' lines and results by key (``pgcopy.by_key``).
    with pgcopy.by_key(Student, students[1] - students[0] + 1):
        # In no order (the model's, by the course, sorted every batch's rows on disk): the refunds
        # sort each student's lines themselves.
        lines = [
            _Line(*row)
            for row in rows.order_by().values_list(
                "pk",
                "enrolment_id",
                "enrolment__student_id",
                "enrolment__programme_id",
                "enrolment__programme__kind",
                "enrolment__academic_year_id",
                "enrolment__contract",
                "course_id",
                "course__code",
                "course__tolerable",
                "deducted_credits",
                "certified_on",
            )
        ]
        marks = _published_marks(period, students)
    # Exam fraud (Art. 85 §1, §3): a sanctioned course earns no credit certificate (Art. 76-77), and
    # the committee may have set aside "the highest result of the year stands" (the last one stands).
    sanctioned = (
        gates.fraud_sanctioned_lines([line.pk for line in lines], {line.student_id for line in lines}) if lines else {}
    )
    for line in lines:
        fraud = sanctioned.get(line.pk)
        if fraud is not None and fraud["highest_set_aside"]:
            mark = marks[line.pk][-1] if marks[line.pk] else None
        else:
            mark = rules.final_mark(marks[line.pk])
        line.mark = rules.mark_to_text(mark)
        line.outcome = rules.outcome(mark, tolerable_course=line.tolerable)
        # Stage 2: a credit certificate for a pass (Art. 76-77); it is never taken back here.
        line.newly_certified = (
            line.outcome == LineOutcome.PASSED and line.certified_on is None and (fraud is None or fraud["certificate"])
        )
        if line.newly_certified:
            line.certified_on = day
    return lines


def _stage_refunds(lines: list[_Line], day: datetime.date, report: PublicationReport) -> list[tuple]:
    """Stage 3: passed lines give their credits back, with the bonus (LA; DOMAIN §2 rules 7-8).
    Returns the ledger entries to book (rows of ``students.ledger.ROW_FIELDS``)."""
    refundable = [line for line in lines if line.newly_certified and line.deducted_credits > 0]
    by_student = defaultdict(list)
    for line in refundable:
        by_student[line.student_id].append(line)
    bonus_left = bonus_state(by_student)
    rebuilt = set(
        LearningAccountEntry.objects.filter(kind=EntryKind.REBUILD, **ids_filter("student_id", by_student)).values_list(
            "student_id", flat=True
        )
    )
    entries = []
    for student_id, student_lines in by_student.items():
        student_lines.sort(key=lambda line: line.code)
        passed = [
            (
                line.deducted_credits,
                account_rules.earns_bonus(
                    contract=line.contract,
                    programme_kind=line.programme_kind,
                    rebuild_granted=student_id in rebuilt,
                ),
            )
            for line in student_lines
        ]
        refunds, _left = account_rules.pass_refunds(passed, bonus_left=bonus_left[student_id])
        for line, refund in zip(student_lines, refunds, strict=True):
            # Rows of ledger.ROW_FIELDS: student, date, credits, kind, source, year, programme, course, reason.
            common = (f"isp_line:{line.pk}", line.academic_year_id, line.programme_id, line.course_id)
            entries.append((student_id, day, refund.refund, EntryKind.PASS_REFUND, *common, EntryReason.PASSED))
            report.refunded_credits += refund.refund
            if refund.bonus:
                entries.append((student_id, day, refund.bonus, EntryKind.BONUS, *common, EntryReason.PASSED_BONUS))
                report.bonus_credits += refund.bonus
            line.deducted_credits = 0
    return entries


def _lines_save(lines: list[_Line]) -> None:
    """Store stages 1-3 on the lines."""
    _line_values_save([(line.pk, line.mark, line.outcome, line.certified_on, line.deducted_credits) for line in lines])


def _line_values_save(rows: list[tuple]) -> None:
    """Set the lines' mark, outcome, certified_on and deducted credits: ``rows`` of (id, *values).
    On PostgreSQL: the new values copied in and one UPDATE ... FROM. Elsewhere: one UPDATE per
    batch of lines with the same new values (a few dozen marks and outcomes), far cheaper on
    many rows than ``bulk_update``'s CASE per row."""
    fields = ["mark", "outcome", "certified_on", "deducted_credits"]
    if pgcopy.available():
        pgcopy.update(ISPLine, fields, rows)
        return
    by_values = defaultdict(list)
    for pk, *values in rows:
        by_values[tuple(values)].append(pk)
    for values, ids in by_values.items():
        for start in range(0, len(ids), BATCH):
            ISPLine.objects.filter(pk__in=ids[start : start + BATCH]).update(**dict(zip(fields, values, strict=True)))


def _tolerate(line_ids: list[int], *, day: datetime.date, kind: str) -> None:
    for start in range(0, len(line_ids), BATCH):
        ISPLine.objects.filter(pk__in=line_ids[start : start + BATCH]).update(tolerated_on=day, tolerance_kind=kind)


def _stage_automatic_tolerance(
    enrolment_ids: set[int],
    day,
    report,
    *,
    last_period: bool,
    threshold_only: bool = False,
    planned: dict[int, dict] | None = None,
) -> dict:
    """Stage 4: automatic tolerance (Art. 91 §3): (a) when it makes a student pass
    the programme; (b) at the end of the first and second academic year in an
    initial bachelor when it makes the student reach the decree threshold, with
    (c) the single 7/20 exception. The end of the year is the publication of the
    year's last exam period **(decided)**. Returns the standings as they are
    stored afterwards and the ids of the lines tolerated. ``planned``: the lines'
    values a plan decided and did not write (``batch_publish``), read instead of the
    stored ones; the tolerance is then decided, not written."""
    rows = (
        Enrolment.objects.filter(**ids_filter("pk", enrolment_ids))
        .exclude(status=EnrolmentStatus.REFUSED)
        .values_list("pk", "student_id", "programme_id", "contract")
    )
    enrolments = {
        pk: (student, programme, contract) for pk, student, programme, contract in rows if pk in enrolment_ids
    }
    found = standings_with(((student, programme) for student, programme, _c in enrolments.values()), overrides=planned)
    tolerated = []
    for enrolment_id, (student_id, programme_id, contract) in enrolments.items():
        if contract not in TOLERANCE_CONTRACTS:
            continue
        standing = found[(student_id, programme_id)]
        year = standing.year(enrolment_id)
        own = {line.course_id: line for line in year.active if not line.done}
        if not own:
            continue  # every course of the year is done: nothing this publication could tolerate
        position = standing.tolerance(year)
        records = standing.records(year)
        courses = (
            []
            if threshold_only
            else rules.automatic_tolerance_final_stage(
                records=records,
                programme_credits=standing.programme.credits,
                compulsory=standing.compulsory,
                efficiency=year.efficiency,
                left=position["left"],
            )
        )
        if not courses and last_period and standing.threshold_applies and standing.years_enrolled(year) <= 2:
            courses = rules.automatic_tolerance_threshold(
                package=standing.package_records(year, records=records),
                efficiency=year.efficiency,
                left=position["left"],
            )
        # Only lines of this year's ISP can be tolerated at this publication.
        if courses and all(c in own for c in courses):
            tolerated += [own[c] for c in courses]
    if planned is None:
        _tolerate([line.id for line in tolerated], day=day, kind=ToleranceKind.AUTOMATIC)
    for line in tolerated:
        line.tolerated_on, line.tolerance_kind = day, ToleranceKind.AUTOMATIC
    report.tolerated += len(tolerated)
    return found, [line.id for line in tolerated]


def programme_results_update(*, pairs, day: datetime.date, found: dict | None = None) -> int:
    """Stage 5: the programme result (Art. 78-81) of each (student, programme):
    recorded when the programme is passed in a year of a degree or degree-exam
    contract (Art. 14), withdrawn when it is no longer passed (an objection to
    automatic tolerance undoes it). ``found``: the pairs' standings when they are
    loaded already."""
    found = standings(set(pairs)) if found is None else found
    new, gone = _programme_results_plan(found, day)
    _programme_results_write(new, gone)
    return len(new)


def _programme_results_plan(found: dict, day: datetime.date) -> tuple[list[ProgrammeResult], list[int]]:
    """Stage 5 decided: the programme results to record and the ids of those to withdraw, of
    the standings ``found`` (as ``programme_results_update``)."""
    existing = {
        (r.student_id, r.programme_id): r
        for r in ProgrammeResult.objects.filter(
            programme_id__in={p for _s, p in found}, **ids_filter("student_id", {s for s, _p in found})
        )
    }
    new, gone = [], []
    for key, standing in found.items():
        if not standing.years:
            continue
        passed = standing.passed()
        if passed and key not in existing:
            if not _degree_possible(standing):
                continue
            percentage, level = standing.result()
            new.append(
                ProgrammeResult(
                    student_id=key[0],
                    programme_id=key[1],
                    academic_year_id=standing.years[-1].year_id,
                    passed_on=day,
                    percentage=None if percentage is None else round_half_up(percentage, 4),
                    level=level or "",
                )
            )
        elif not passed and key in existing:
            gone.append(existing[key].pk)
    return new, gone


def _programme_results_write(new: list[ProgrammeResult], gone: list[int]) -> None:
    _results_create(new)
    for result in ProgrammeResult.objects.filter(pk__in=gone):
        result.delete()  # one by one, so that the history records the withdrawal


def _results_create(new: list[ProgrammeResult]) -> None:
    """``bulk_create_with_history(new, ignore_conflicts=True)``: the rows (one that exists already
    for its student and programme is skipped) and a creation record of each row written. The rows
    are read back by (student, programme, day) in one query, not by simple_history's OR of every
    field of every row (costly to build for thousands of rows)."""
    if not new:
        return
    ProgrammeResult.objects.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
    keys = {(r.student_id, r.programme_id, r.academic_year_id, r.passed_on, r.percentage, r.level) for r in new}
    written = [
        result
        for result in ProgrammeResult.objects.filter(
            student_id__in={r.student_id for r in new},
            programme_id__in={r.programme_id for r in new},
            passed_on__in={r.passed_on for r in new},
        ).order_by("pk")
        if (
            result.student_id,
            result.programme_id,
            result.academic_year_id,
            result.passed_on,
            result.percentage,
            result.level,
        )
        in keys
    ]
    # As bulk_create_with_history makes them: no user or change reason given.
    get_history_manager_for_model(ProgrammeResult).bulk_history_create(
        written, batch_size=BATCH, default_change_reason=None
    )


def _degree_possible(standing) -> bool:
    """Art. 14: the programme is completed in the first academic year up to which it
    is passed; a degree needs a degree or degree-exam contract in that year."""
    completed = next(y for y in standing.years if standing.passed(up_to=y))
    return any(
        rules.programme_result_possible(contract=y.contract)
        for y in standing.years
        if y.year_start == completed.year_start
    )


@transaction.atomic
def results_publish(*, period: ExamPeriod, day: datetime.date | None = None) -> PublicationReport:
    """Publish ``period``'s results on ``day`` (default: its publication date), with the
    examination committees' decisions on them applied (Art. 70): adjusted marks before the
    marks are read, fails considered tolerable before the automatic tolerance, levels awarded
    with the programme results; each decision exactly once. The programmes a committee's
    deliberation still holds on ``day`` are left out and recorded (``HeldPublication``): they
    are published when it is released (``results_release``, EXCHANGE.md)."""
    day = day or period.results_published_on
    held = held_on(period, day)
    held_record(period, held)
    return _publish(period, day, Scope(but=frozenset(held)))


def held_on(period: ExamPeriod, day: datetime.date) -> list[int]:
    """The programmes whose results of ``period`` a deliberation still holds on ``day``."""
    return sorted(
        programme_id
        for (period_id, programme_id), release in gates.held_programmes([period.pk]).items()
        if period_id == period.pk and (release is None or release > day)
    )


def held_record(period: ExamPeriod, held: list[int]) -> None:
    HeldPublication.objects.bulk_create(
        [HeldPublication(exam_period=period, programme_id=programme_id) for programme_id in held],
        ignore_conflicts=True,
    )


@transaction.atomic
def results_release(*, period: ExamPeriod, programme_id: int, day: datetime.date) -> PublicationReport:
    """Publish the results of ``period`` of a programme the publication held (EXCHANGE.md), on
    the day the deliberation holding them is released, with its decisions; exactly once."""
    held = HeldPublication.objects.select_for_update().get(exam_period=period, programme_id=programme_id)
    if held.released_on is not None:
        return PublicationReport()
    held.released_on = day
    held.save(update_fields=["released_on"])
    return _publish(period, day, Scope(only=frozenset({programme_id})))


@dataclass(frozen=True)
class PublicationContext:
    """What every batch of a publication shares: the committee's decisions to apply (those of
    the postponed results wait for their own publication), the postponed results' lines, and
    whether the period is the year's last (the end of the year for tolerance, Art. 91 §3)."""

    decisions: list[dict]
    postponed: frozenset[int]
    last_period: bool


def publication_context(period: ExamPeriod, scope: Scope) -> PublicationContext:
    decisions = [d for d in gates.committee_decisions(period.pk) if d["programme_id"] in scope]
    postponed = frozenset(line for (_period, line) in gates.postponed_results([period.pk]))
    last_period = period.number == max(
        ExamPeriod.objects.filter(academic_year_id=period.academic_year_id).values_list("number", flat=True)
    )
    return PublicationContext([d for d in decisions if d["isp_line_id"] not in postponed], postponed, last_period)


@dataclass
class Plan:
    """What the publication writes for one batch of students, decided: the lines' new values
    (id, mark, outcome, certified_on, deducted credits), the lines tolerated by the committee and
    automatically, the ledger entries (rows of ``students.ledger.ROW_FIELDS``), the programme
    results recorded (student, programme, year, percentage, level) and withdrawn (ids), the
    enrolments examined, and the batch's figures. Plain values: a batch planned by a Celery
    worker is kept (``dump``: JSON, compressed) until the publication writes every batch at once
    (``exams.fanout``)."""

    lines: list[tuple] = field(default_factory=list)
    committee_tolerated: list[int] = field(default_factory=list)
    automatic_tolerated: list[int] = field(default_factory=list)
    entries: list[tuple] = field(default_factory=list)
    results_new: list[tuple] = field(default_factory=list)
    results_gone: list[int] = field(default_factory=list)
    examined: list[int] = field(default_factory=list)
    report: PublicationReport = field(default_factory=PublicationReport)

    # The plan's rows kept by column: JSON writes and reads a list of numbers or strings several
    # times faster than as many short lists, and a column of dates is converted once per date.
    LINE_COLUMNS = ("id", "mark", "outcome", "certified_on", "deducted_credits")
    DATES = frozenset({"certified_on", "on"})

    def as_json(self) -> dict:
        def columns(rows: list[tuple], names: tuple[str, ...]) -> dict:
            values = list(zip(*rows, strict=True)) if rows else [() for _name in names]
            return {
                name: _ordinals(column) if name in self.DATES else list(column)
                for name, column in zip(names, values, strict=True)
            }

        return {
            "lines": columns(self.lines, self.LINE_COLUMNS),
            "committee_tolerated": self.committee_tolerated,
            "automatic_tolerated": self.automatic_tolerated,
            "entries": columns(self.entries, ROW_FIELDS),
            "results_new": [
                [student, programme, year, None if percentage is None else str(percentage), level]
                for student, programme, year, percentage, level in self.results_new
            ],
            "results_gone": self.results_gone,
            "examined": self.examined,
            "report": asdict(self.report),
        }

    def dump(self) -> bytes:
        """The plan as a batch keeps it (``PublicationBatch.plan``): ``as_json``'s JSON, compressed
        by zlib at its fastest level. Kept as JSON in a ``jsonb`` column, the plans of 125,000
        students cost PostgreSQL 7 s to parse and compress (its own, slower compression) and more
        to turn back into text for the last step; compressed here, they are stored as they come
        (issue 19)."""
        return zlib.compress(json.dumps(self.as_json(), separators=(",", ":")).encode(), 1)

    @classmethod
    def load(cls, data: bytes) -> "Plan":
        """``dump`` undone."""
        return cls.from_json(json.loads(zlib.decompress(data)))

    @classmethod
    def from_json(cls, data: dict) -> "Plan":
        def rows(columns: dict, names: tuple[str, ...]) -> list[tuple]:
            return list(
                zip(*(_dates(columns[name]) if name in cls.DATES else columns[name] for name in names), strict=True)
            )

        return cls(
            lines=rows(data["lines"], cls.LINE_COLUMNS),
            committee_tolerated=data["committee_tolerated"],
            automatic_tolerated=data["automatic_tolerated"],
            entries=rows(data["entries"], ROW_FIELDS),
            results_new=[
                (student, programme, year, None if percentage is None else Decimal(percentage), level)
                for student, programme, year, percentage, level in data["results_new"]
            ],
            results_gone=data["results_gone"],
            examined=data["examined"],
            report=PublicationReport(**data["report"]),
        )


def _ordinals(days) -> list[int | None]:
    """Dates as their proleptic ordinals (``date.toordinal``), None kept: a plan's column."""
    return [None if day is None else day.toordinal() for day in days]


def _dates(ordinals: list[int | None]) -> list[datetime.date | None]:
    """``_ordinals`` undone, each distinct day built once (a publication books its entries on
    one or a few days)."""
    known = {None: None}
    return [known[o] if o in known else known.setdefault(o, datetime.date.fromordinal(o)) for o in ordinals]


def batch_publish(
    period: ExamPeriod, day: datetime.date, students: tuple[int, int], scope: Scope, context, *, write: bool = True
):
    """Stages 1-5 of one batch of students (the range ``students``). With ``write`` (the
    publication in the process) the lines are locked and their marks, outcomes and certificates
    and the committee's and the automatic tolerance written (the standings of the automatic
    tolerance read them). Without (a worker's plan, ``exams.fanout``) no line is locked or
    written: the standings read the plan's values instead of the stored ones. The ledger entries
    and programme results are decided, not written. Returns the batch's plan (``Plan``), which
    ``plan_write`` completes."""
    plan = Plan()
    report = plan.report
    lines = _stage_marks(period, day, students, postponed=context.postponed, scope=scope, lock=write)
    report.examined += len(lines)
    report.certified += sum(1 for line in lines if line.newly_certified)
    plan.entries = _stage_refunds(lines, day, report)
    if write:
        _lines_save(lines)
    plan.lines = [(line.pk, line.mark, line.outcome, line.certified_on, line.deducted_credits) for line in lines]
    enrolment_ids = {line.enrolment_id for line in lines}
    plan.examined = sorted(enrolment_ids)
    plan.committee_tolerated = _committee_tolerance(context.decisions, lines, day, report, write=write)
    planned = None
    if not write:
        planned = {
            line.pk: {"mark": line.mark, "outcome": line.outcome, "certified_on": line.certified_on} for line in lines
        }
        for pk in plan.committee_tolerated:
            planned[pk].update(tolerated_on=day, tolerance_kind=ToleranceKind.COMMITTEE)
    found, plan.automatic_tolerated = _stage_automatic_tolerance(
        enrolment_ids, day, report, last_period=context.last_period, planned=planned
    )
    new, plan.results_gone = _programme_results_plan(found, day)
    plan.results_new = [(r.student_id, r.programme_id, r.academic_year_id, r.percentage, r.level) for r in new]
    report.programmes_passed += len(new)
    return plan


def plan_write(plan: Plan, day: datetime.date, *, lines: bool) -> None:
    """Write a batch's plan: the ledger entries and programme results, and with ``lines`` also
    the lines' new values and tolerance (a plan made by a worker, whose writes were undone)."""
    if lines:
        _line_values_save(plan.lines)
        _tolerate(plan.committee_tolerated, day=day, kind=ToleranceKind.COMMITTEE)
        _tolerate(plan.automatic_tolerated, day=day, kind=ToleranceKind.AUTOMATIC)
    ledger_book_rows(plan.entries)
    _programme_results_write(
        [
            ProgrammeResult(
                student_id=student,
                programme_id=programme,
                academic_year_id=year,
                passed_on=day,
                percentage=percentage,
                level=level,
            )
            for student, programme, year, percentage, level in plan.results_new
        ],
        plan.results_gone,
    )


def _publish(period: ExamPeriod, day: datetime.date, scope: Scope) -> PublicationReport:
    context = publication_context(period, scope)
    committee_marks(context.decisions)
    plans = []
    for students in student_batches(period, scope):
        plan = batch_publish(period, day, students, scope, context)
        plan_write(plan, day, lines=False)
        plans.append(Plan(examined=plan.examined, report=plan.report))
    return publish_finish(period, day, scope, context, plans)


def publish_finish(period: ExamPeriod, day: datetime.date, scope: Scope, context, plans) -> PublicationReport:
    """What needs every batch written: the year-end tolerance of the students not examined, the
    committee's levels and decisions marked applied, and one announcement to the students."""
    report = PublicationReport()
    examined = set()
    for plan in plans:
        for name, value in asdict(plan.report).items():
            setattr(report, name, getattr(report, name) + value)
        examined.update(plan.examined)
    if context.last_period:
        _stage_threshold_tolerance_not_examined(period, examined, day, report, scope)
    _committee_levels(context.decisions)
    if context.decisions:
        gates.committee_decisions_applied([d["id"] for d in context.decisions], on=day)
    # The students examined are told, with the appeal route and the tolerance windows (Art. 86,
    # 91 §2-3, 101; DOMAIN §11): one announcement for the whole publication.
    if examined:
        events.decision_announce(
            sender="exams",
            kind="results_published",
            decided_on=day,
            object_label="programmes.ExamPeriod",
            object_id=period.pk,
            enrolment_ids=sorted(examined),
            data={"exam_period": period.number, "academic_year": str(period.academic_year), "published_on": day},
        )
    return report


@transaction.atomic
def postponed_result_publish(*, period: ExamPeriod, isp_line_id: int, day: datetime.date) -> PublicationReport:
    """Publish one result the select committee announced later than the calendar's day (Art. 69),
    on ``day``: its mark and outcome, certificate and refund, the committee's decisions on it, and
    the student's automatic tolerance and programme result recomputed (EXCHANGE.md)."""
    report = PublicationReport()
    student_id = ISPLine.objects.filter(pk=isp_line_id).values_list("enrolment__student_id", flat=True).get()
    decisions = [d for d in gates.committee_decisions(period.pk) if d["isp_line_id"] == isp_line_id]
    committee_marks(decisions)
    lines = _stage_marks(period, day, (student_id, student_id), only=[isp_line_id])
    report.examined += len(lines)
    report.certified += sum(1 for line in lines if line.newly_certified)
    ledger_book_rows(_stage_refunds(lines, day, report))
    _lines_save(lines)
    _committee_tolerance(decisions, lines, day, report)
    last_period = period.number == max(
        ExamPeriod.objects.filter(academic_year_id=period.academic_year_id).values_list("number", flat=True)
    )
    found, _tolerated = _stage_automatic_tolerance(
        {line.enrolment_id for line in lines}, day, report, last_period=last_period
    )
    report.programmes_passed += programme_results_update(pairs=found.keys(), day=day, found=found)
    if decisions:
        gates.committee_decisions_applied([d["id"] for d in decisions], on=day)
    if lines:
        # The student is told of the result published on its own, with the appeal route and the
        # tolerance windows, which run from this publication (Art. 69, 86, 91, 101; DOMAIN §11).
        course = ISPLine.objects.filter(pk=isp_line_id).values_list("course__code", "course__name").get()
        events.decision_announce(
            sender="exams",
            kind="results_published",
            decided_on=day,
            object_label="programmes.ExamPeriod",
            object_id=period.pk,
            student_ids=[student_id],
            data={
                "exam_period": period.number,
                "academic_year": str(period.academic_year),
                "published_on": day,
                "course": " ".join(course),
            },
        )
    return report


# --- The examination committee's decisions (Art. 70), applied by the publication -------------
COMMITTEE_MARK_REASON = gettext_noop("mark adjusted by the examination committee (Art. 70)")
COMMITTEE_LEVEL_REASON = gettext_noop("level of achievement awarded by the examination committee (Art. 70)")
COMMITTEE_TOLERANCE = frozenset({"tolerated", "beyond_credit"})


def committee_marks(decisions: list[dict]) -> None:
    """A mark judged clearly unreasonable replaces the examiner's, with history, before the
    publication reads the marks."""
    for decision in decisions:
        if decision["kind"] != "mark_adjusted":
            continue
        result = Result.objects.select_for_update().get(pk=decision["result_id"])
        result.score, result.grade = decision["new_score"], ""
        audited_save(result, by=None, reason=COMMITTEE_MARK_REASON)
        result.parts.all().delete()


def _committee_tolerance(decisions: list[dict], lines: list[_Line], day, report, *, write: bool = True) -> list[int]:
    """An intolerable fail the committee considered tolerable, within the tolerance credit or
    beyond it, is tolerated by the publication (Art. 70), before the automatic tolerance reckons
    the credit left. Returns the lines' ids; ``write``: tolerates them too."""
    examined = {line.pk: line for line in lines}
    chosen = [
        d["isp_line_id"]
        for d in decisions
        if d["kind"] in COMMITTEE_TOLERANCE
        and d["isp_line_id"] in examined
        and examined[d["isp_line_id"]].outcome != LineOutcome.PASSED
    ]
    if write:
        _tolerate(chosen, day=day, kind=ToleranceKind.COMMITTEE)
    report.tolerated += len(chosen)
    return chosen


def _committee_levels(decisions: list[dict]) -> None:
    """A level of achievement the criteria do not give, awarded by the committee (Art. 70), on the
    programme result when the programme is passed."""
    for decision in decisions:
        if decision["kind"] != "level_awarded":
            continue
        result = ProgrammeResult.objects.filter(
            student_id=decision["student_id"], programme_id=decision["programme_id"]
        ).first()
        if result is not None:
            result.level = decision["level"]
            audited_save(result, by=None, reason=COMMITTEE_LEVEL_REASON)


def _stage_threshold_tolerance_not_examined(
    period: ExamPeriod, examined: set[int], day, report, scope: Scope = Scope()
) -> None:
    """Art. 91 §3 (b)-(c) at the end of the academic year also reaches students
    under the decree threshold who sat no exam in the last period: their
    tolerable fails of earlier periods can make them reach the threshold."""
    candidates = list(
        scope.filter(Enrolment.objects, "programme_id")
        .filter(
            academic_year_id=period.academic_year_id,
            programme__kind__in=THRESHOLD_KINDS,
            contract__in=TOLERANCE_CONTRACTS,
        )
        .exclude(status=EnrolmentStatus.REFUSED)
        .exclude(pk__in=examined)
        .filter(
            Exists(
                ISPLine.objects.filter(
                    enrolment=OuterRef("pk"),
                    removed_on__isnull=True,
                    tolerated_on__isnull=True,
                    outcome__in=[LineOutcome.TOLERABLE, LineOutcome.FAILED],
                )
            )
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(candidates), BATCH):
        found, _tolerated = _stage_automatic_tolerance(
            set(candidates[start : start + BATCH]), day, report, last_period=True, threshold_only=True
        )
        report.programmes_passed += programme_results_update(pairs=found.keys(), day=day, found=found)


# --- Student decisions (Art. 91 §2-3) ------------------------------------------------
CHOICE_REFUSALS = {
    "already_tolerated": _("This course is already tolerated."),
    "passed": _("This course is passed: there is nothing to tolerate (Art. 91)."),
    "not_tolerable": _("Only a tolerable fail (8 or 9 in a tolerable course) can be tolerated (Art. 91 §1)."),
    "window_closed": _("The 15 calendar days after the publication have passed (Art. 91 §2)."),
    "efficiency": _("Tolerance needs a study efficiency of at least 50 % this academic year (Art. 91 §1)."),
    "credit_short": _("Not enough tolerance credit is left for this course (Art. 91 §1)."),
    "no_result": _("This course has no published result yet."),
    "no_tolerance": _("This contract has no tolerance (Art. 91)."),
}


def _publication_days_of(year_id: int, programme_id: int) -> list[datetime.date]:
    """The days the year's publications reached the programme (exams.publication)."""
    return _publication_days_by({(year_id, programme_id)})[(year_id, programme_id)]


def _publication_days_by(keys) -> dict[tuple[int, int], list[datetime.date]]:
    """``_publication_days_of`` of each (academic year id, programme id) of ``keys``, in three
    queries whatever their number."""
    keys = set(keys)
    periods: dict[int, list[ExamPeriod]] = defaultdict(list)
    for period in ExamPeriod.objects.filter(academic_year_id__in={year for year, _p in keys}).select_related(
        "academic_year"
    ):
        periods[period.academic_year_id].append(period)
    days = publication_days((period, programme) for year, programme in keys for period in periods[year])
    return {
        (year, programme): [days[(period.pk, programme)] for period in periods[year] if (period.pk, programme) in days]
        for year, programme in keys
    }


def _choice_refusal(
    standing, year, *, outcome: str, tolerated_on, credits: int, on: datetime.date, published
) -> str | None:
    """Why a choice made ``on`` to tolerate a line of ``year`` (its outcome, tolerance and
    credits) would be refused (a reason code), or None; ``published()``: the days the year's
    publications reached the programme (asked only when the rule needs them)."""
    position = standing.tolerance(year)
    if position is None:
        return "no_tolerance"
    if outcome == LineOutcome.PENDING and tolerated_on is None:
        return "no_result"
    return rules.tolerance_choice_refusal(
        outcome=outcome,
        tolerated=tolerated_on is not None,
        chosen_on=on,
        publications=published(),
        efficiency=year.efficiency,
        credits=credits,
        left=position["left"],
    )


def tolerance_choice_check(*, line: ISPLine, on: datetime.date) -> str | None:
    """Why a choice to tolerate ``line`` on ``on`` would be refused (a reason code), or None."""
    enrolment = line.enrolment
    key = (enrolment.student_id, enrolment.programme_id)
    standing = standings([key])[key]
    year = standing.year(enrolment.pk)
    # The year's publications that reached the line's programme, with their days (a held
    # programme's window runs from its release).
    return _choice_refusal(
        standing,
        year,
        outcome=line.outcome,
        tolerated_on=line.tolerated_on,
        credits=line.course.credits,
        on=on,
        published=lambda: _publication_days_of(year.year_id, enrolment.programme_id),
    )


def tolerance_choices_open(
    *, student_id: int, programme_id: int, before: datetime.date, today: datetime.date
) -> list[tuple[str, datetime.date]]:
    """The student's tolerance file (Art. 91 §2) in ``programme_id`` for the years that
    started before ``before``: the tolerable fails, not tolerated and with no choice made
    for them yet, on which a choice made ``today`` would stand, each with the last day
    of the open choice window (publication day + 15), in course code order."""
    lines = (
        ISPLine.objects.filter(
            enrolment__student_id=student_id,
            enrolment__programme_id=programme_id,
            enrolment__academic_year__starts_on__lt=before,
            enrolment__contract__in=TOLERANCE_CONTRACTS,
            removed_on__isnull=True,
            exempted=False,
            outcome=LineOutcome.TOLERABLE,
            tolerated_on__isnull=True,
        )
        .exclude(Exists(ToleranceChoice.objects.filter(isp_line=OuterRef("pk"), on__lte=today)))
        .select_related("course", "enrolment")
        .order_by("course__code", "pk")
    )
    found = []
    windows: dict[tuple[int, int], list[datetime.date]] = {}
    for line in lines:
        if tolerance_choice_check(line=line, on=today) is not None:
            continue
        key = (line.enrolment.academic_year_id, line.enrolment.programme_id)
        if key not in windows:
            windows[key] = _publication_days_of(*key)
        ends = [rules.choice_last_day(day) for day in windows[key] if day <= today <= rules.choice_last_day(day)]
        found.append((line.course.code, max(ends)))
    return found


@transaction.atomic
def tolerance_choices_process(*, day: datetime.date) -> int:
    """Student choices due by ``day``: applied, or refused with the rule's reason, in the order
    they were made (a choice uses tolerance credit a later one of the student no longer has).
    A fixed number of queries for the day's choices: the students' standings are read once and
    kept as the choices tolerate their lines."""
    choices = list(
        ToleranceChoice.objects.select_for_update(of=("self",))
        .filter(processed=False, on__lte=day)
        .select_related("isp_line__course", "isp_line__enrolment")
        .order_by("on", "pk")
    )
    if not choices:
        return 0
    found = standings({(c.isp_line.enrolment.student_id, c.isp_line.enrolment.programme_id) for c in choices})
    published = _publication_days_by(
        (c.isp_line.enrolment.academic_year_id, c.isp_line.enrolment.programme_id) for c in choices
    )
    pairs, tolerated = set(), defaultdict(list)
    for choice in choices:
        enrolment = choice.isp_line.enrolment
        key = (enrolment.student_id, enrolment.programme_id)
        standing = found[key]
        year = standing.year(enrolment.pk)
        # The line as stored, with what the day's earlier choices tolerated.
        line = next(line for line in year.lines if line.id == choice.isp_line_id)
        reason = _choice_refusal(
            standing,
            year,
            outcome=line.outcome,
            tolerated_on=line.tolerated_on,
            credits=line.credits,
            on=choice.on,
            published=lambda key=(enrolment.academic_year_id, enrolment.programme_id): published[key],
        )
        choice.processed = True
        if reason:
            choice.refusal = str(CHOICE_REFUSALS[reason])
        else:
            line.tolerated_on, line.tolerance_kind = choice.on, ToleranceKind.CHOSEN
            tolerated[choice.on].append(line.id)
            pairs.add(key)
    for on, line_ids in sorted(tolerated.items()):
        _tolerate(line_ids, day=on, kind=ToleranceKind.CHOSEN)
    ToleranceChoice.objects.bulk_update(choices, ["processed", "refusal"], batch_size=BATCH)
    if pairs:
        programme_results_update(pairs=pairs, day=day, found={key: found[key] for key in pairs})
    return len(choices)


OBJECTION_REFUSALS = {
    "not_automatic": _("Only a tolerance applied automatically can be objected to (Art. 91 §3)."),
    "late": _("The 5 calendar days after the publication have passed (Art. 91 §3)."),
}


@transaction.atomic
def tolerance_objections_process(*, day: datetime.date) -> int:
    """Objections due by ``day``: one in time undoes the automatic tolerance and what
    followed from it (the programme result)."""
    objections = list(
        ToleranceObjection.objects.select_for_update(of=("self",))
        .filter(processed=False, on__lte=day)
        .select_related("isp_line__enrolment")
        .order_by("on", "pk")
    )
    pairs = set()
    for objection in objections:
        line = objection.isp_line
        objection.processed = True
        if line.tolerance_kind != ToleranceKind.AUTOMATIC or line.tolerated_on is None:
            objection.refusal = str(OBJECTION_REFUSALS["not_automatic"])
        elif not rules.objection_in_time(tolerated_on=line.tolerated_on, objected_on=objection.on):
            objection.refusal = str(OBJECTION_REFUSALS["late"])
        else:
            ISPLine.objects.filter(pk=line.pk).update(tolerated_on=None, tolerance_kind="")
            pairs.add((line.enrolment.student_id, line.enrolment.programme_id))
        objection.save(update_fields=["processed", "refusal"])
    if pairs:
        programme_results_update(pairs=pairs, day=day)
    return len(objections)
