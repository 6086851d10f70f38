"""Entering results (Art. 25, 36-39, 44, 65-66, 86, 89) and student tolerance choices (Art. 91 §2).

Every way in (a marksheet upload, the admin forms, one result at a time) checks
through ``results_check`` and writes through ``results_record``, so they refuse the
same entries with the same messages. A refused entry changes nothing: the check runs
on locked lines inside the transaction, before any write.
"""

import contextlib
import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from django.db import transaction
from django.db.models import F
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core import clock, events, gates
from core.errors import Problem, Refused, RefusedValidationError
from core.timeline import run_deadlines
from programmes.models import Course, ExamPeriod
from students.models import ISPLine, Student

from . import rules
from .models import Result, ResultPart, ToleranceChoice
from .publication import publication_day, publication_days
from .services import CHOICE_REFUSALS, tolerance_choice_check

RESULT_REFUSALS = {
    "other_year": _(
        "This ISP line belongs to academic year %(line_year)s, the exam period to %(period_year)s: "
        "a result is only for a course in the ISP of that academic year (Art. 44 §2)."
    ),
    "removed": _(
        "This course was removed from the ISP on %(removed_on)s: a course that is not in the ISP "
        "has no result (Art. 44 §2)."
    ),
    "exempted": _("This course is exempted in the ISP: an exempted course has no result (Art. 25)."),
    "published": _(
        "This result was published on %(published_on)s and cannot be changed here. A published result "
        "changes only through an appeal (Art. 101) or the correction of a material error (Art. 93, 102)."
    ),
    "period_published": _(
        "The results of this exam period were published on %(published_on)s: a result cannot be added "
        "afterwards here. It goes through an appeal (Art. 101) or the correction of a material error "
        "(Art. 93, 102)."
    ),
    "third_opportunity": _("A course has at most two exam opportunities per academic year: 1 or 2 (Art. 89 §1)."),
    "used_elsewhere": _(
        "Opportunity %(opportunity)s of this course was already taken this academic year on another ISP line "
        "(Art. 89 §1)."
    ),
    "no_resit": _("This course has no second exam opportunity (no resit, Art. 39 and 89 §1)."),
    "no_first": _("Enter the first opportunity before the second (Art. 89 §1)."),
    "not_later": _(
        "The second opportunity must be in a later exam period than the first (exam period %(other)s) (Art. 36, 89)."
    ),
    "not_earlier": _(
        "The first opportunity must be in an earlier exam period than the second (exam period %(other)s) (Art. 36, 89)."
    ),
    "certified": _("This course already has a credit certificate: a passed course cannot be taken again (Art. 89 §3)."),
    "tolerated": _("This course is tolerated: a tolerated course cannot be taken again (Art. 89 §2)."),
    "pass_fail_only": _(
        "%(mark)s is only for pass/fail courses; this course is marked with an integer from 0 to 20 (Art. 65)."
    ),
    "pass_fail_course": _("This course is pass/fail: its mark is P, F or NA, not %(mark)s (Art. 65-66)."),
    "mark_range": _("A mark is an integer from 0 to 20, or P, F or NA (Art. 65-66); %(mark)s is not."),
    "mark_missing": _("A result needs a mark or partial exams (Art. 65)."),
    "parts_pass_fail": _("This course is pass/fail: partial exams are only for courses marked 0-20 (Art. 38, 65)."),
    "part_credits": _("Each partial exam needs at least 1 credit (Art. 65)."),
    "part_credits_max": _("A partial exam has at most %(max_credits)s credits."),
    "parts_mismatch": _("The mark %(mark)s does not match the partial exams, which make %(parts_mark)s (Art. 65)."),
    "duplicate": _("Opportunity %(opportunity)s of this student is given twice (also %(other_label)s)."),
    "exam_ahead": _(
        "This student's exam of %(course)s is on %(exam_on)s: a mark can be entered from the day of the exam "
        "on, not before."
    ),
    "period_ahead": _(
        "This student has no exam moment for %(course)s in exam period %(number)s, which starts on "
        "%(starts_on)s: a mark can be entered from the first day of the exam period on, not before."
    ),
    "fraud_course_exclusion": _(
        "This student is excluded from %(course)s after exam fraud: the zero stands and the exam is retaken "
        "only in the next academic year (Art. 85 §1 5°)."
    ),
    "fraud_programme_exclusion": _(
        "This student is excluded from the programme after exam fraud: every result of that exam period is "
        "lost and no exam of it is taken again this academic year (Art. 85 §1 6°)."
    ),
}
FRAUD_REFUSALS = {5: "fraud_course_exclusion", 6: "fraud_programme_exclusion"}

TOLERANCE_CHOICE_PENDING = _("A tolerance choice for this course is already recorded and waiting to be processed.")


@dataclass(frozen=True)
class ResultEntry:
    """One result to enter: a mark (int 0-20, P, F or NA) or partial exams ``(credits, mark)``."""

    isp_line: ISPLine
    exam_period: ExamPeriod
    opportunity: int
    mark: rules.Mark | None = None
    parts: tuple[tuple[int, int], ...] = ()
    label: str = ""  # where the entry comes from, for messages ("row 7")

    def stored(self) -> tuple:
        """(score, grade, parts) as the Result row keeps them."""
        if self.parts:
            return None, "", tuple(sorted(self.parts))
        if isinstance(self.mark, int):
            return self.mark, "", ()
        return None, self.mark or "", ()


@dataclass
class RecordSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    results: list[Result] = field(default_factory=list)


class EntryProblem(NamedTuple):
    """A refused entry: its index in the entries, and the rule's message."""

    index: int
    message: str
    code = "result_refused"


class ResultsRefused(RefusedValidationError):
    """Entries refused by the rules: ``problems`` holds (entry index, message) pairs."""

    def __init__(self, problems: list[tuple[int, str]]):
        super().__init__([EntryProblem(*problem) for problem in problems])


def _line_key(line: ISPLine):
    return line.pk if line.pk is not None else id(line)


def _stored_result(result: Result) -> tuple:
    return result.score, result.grade, tuple(sorted((p.credits, p.score) for p in result.parts.all()))


def result_published_on(result: Result) -> datetime.date | None:
    """The day ``result`` was published (its exam period's publication processed), or None."""
    return publication_day(result.exam_period, result.isp_line.enrolment.programme_id)


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


@dataclass
class _Plan:
    problems: list[tuple[int, str]] = field(default_factory=list)
    existing: dict = field(default_factory=dict)  # (line pk, opportunity) -> Result
    changed: list[bool] = field(default_factory=list)


def _exam_key(entry: ResultEntry) -> tuple:
    return (entry.isp_line.pk, entry.isp_line.course_id, entry.exam_period.pk)


def _plan(entries: Sequence[ResultEntry], *, today: datetime.date) -> _Plan:
    """Check ``entries`` together (a second opportunity may come with its first) on ``today``."""
    plan = _Plan()
    exam_dates = gates.exam_dates(_exam_key(e) for e in entries)
    # Art. 85 §1 5°-6°: a final exclusion refuses the course's results for the rest of the year.
    excluded = gates.fraud_result_refusals(
        {(e.isp_line.enrolment.student_id, e.isp_line.course_id, e.exam_period.pk) for e in entries}
    )
    line_pks = {e.isp_line.pk for e in entries if e.isp_line.pk is not None}
    for result in (
        Result.objects.filter(isp_line_id__in=line_pks)
        .select_related("exam_period__academic_year")
        .prefetch_related("parts")
    ):
        plan.existing[(result.isp_line_id, result.opportunity)] = result

    periods = {e.exam_period.pk: e.exam_period for e in entries}
    periods.update({r.exam_period_id: r.exam_period for r in plan.existing.values()})
    period_rows = {p.pk: p for p in ExamPeriod.objects.filter(pk__in=list(periods)).select_related("academic_year")}
    # The day each period's results reached each entry's programme (a held programme waits).
    pairs = {(e.exam_period.pk, e.isp_line.enrolment.programme_id) for e in entries}
    programme_of = {e.isp_line.pk: e.isp_line.enrolment.programme_id for e in entries}
    pairs |= {(r.exam_period_id, programme_of[line_pk]) for (line_pk, _o), r in plan.existing.items()}
    published = publication_days((period_rows[period_id], programme_id) for period_id, programme_id in pairs)

    # Opportunities taken on another ISP line of the same course in the same year (a
    # course removed and added again): they count towards the two (Art. 89 §1).
    elsewhere = set()
    students = {e.isp_line.enrolment.student_id for e in entries}
    courses = {e.isp_line.course_id for e in entries}
    years = {e.exam_period.academic_year_id for e in entries}
    for row in (
        Result.objects.filter(
            isp_line__enrolment__student_id__in=students,
            isp_line__course_id__in=courses,
            isp_line__enrolment__academic_year_id__in=years,
        )
        .exclude(isp_line_id__in=line_pks)
        .values_list(
            "isp_line__enrolment__student_id", "isp_line__course_id", "exam_period__academic_year_id", "opportunity"
        )
    ):
        elsewhere.add(row)

    # Each line's opportunities with the entries made: opportunity -> exam period number.
    state: dict = defaultdict(dict)
    for (line_pk, opportunity), result in plan.existing.items():
        state[line_pk][opportunity] = result.exam_period.number
    seen: dict = {}
    for index, entry in enumerate(entries):
        key = (_line_key(entry.isp_line), entry.opportunity)
        if key in seen:
            other = entries[seen[key]].label or _("an earlier entry")
            plan.problems.append(
                (index, str(RESULT_REFUSALS["duplicate"] % {"opportunity": entry.opportunity, "other_label": other}))
            )
        seen.setdefault(key, index)
        state[key[0]][entry.opportunity] = entry.exam_period.number

    refused = {index for index, _message in plan.problems}
    for index, entry in enumerate(entries):
        line, period = entry.isp_line, entry.exam_period
        existing = plan.existing.get((line.pk, entry.opportunity)) if line.pk is not None else None
        changed = existing is None or existing.exam_period_id != period.pk or _stored_result(existing) != entry.stored()
        plan.changed.append(changed)
        if not changed or index in refused:
            continue  # entering a result again as it is changes nothing, published or not
        published_on = None
        programme_id = line.enrolment.programme_id
        if existing is not None and (existing.exam_period_id, programme_id) in published:
            published_on, code = published[existing.exam_period_id, programme_id], "published"
        elif (period.pk, programme_id) in published:
            published_on, code = published[period.pk, programme_id], "period_published"
        facts = rules.EntryLine(
            in_year=line.enrolment.academic_year_id == period.academic_year_id,
            removed=line.removed_on is not None,
            exempted=line.exempted,
            pass_fail=line.course.pass_fail,
            resit=line.course.resit,
            certified=line.certified_on is not None,
            tolerated=line.tolerated_on is not None,
        )
        other_opportunity = 3 - entry.opportunity if entry.opportunity in (1, 2) else None
        other_period = state[_line_key(line)].get(other_opportunity) if other_opportunity else None
        reason = rules.result_refusal(
            line=facts,
            opportunity=entry.opportunity,
            period=period.number,
            other_period=other_period,
            used_elsewhere=(line.enrolment.student_id, line.course_id, period.academic_year_id, entry.opportunity)
            in elsewhere,
            published=published_on is not None,
        )
        if reason == "published":
            reason = code
        if reason is None:
            reason = FRAUD_REFUSALS.get(excluded.get((line.enrolment.student_id, line.course_id, period.pk)))
        exam_on = exam_dates.get(_exam_key(entry))
        if reason is None:
            reason = rules.exam_date_refusal(exam_on=exam_on, period_starts_on=period.starts_on, today=today)
        if reason is None:
            reason = rules.mark_refusal(entry.mark, entry.parts, pass_fail=line.course.pass_fail)
        if reason is None:
            continue
        params = {
            "line_year": line.enrolment.academic_year.code,
            "period_year": period.academic_year.code,
            "removed_on": _date(line.removed_on) if line.removed_on else "",
            "published_on": _date(published_on) if published_on else "",
            "opportunity": entry.opportunity,
            "other": other_period,
            "mark": "" if entry.mark is None else entry.mark,
            "parts_mark": rules.mark_from_parts(entry.parts) if entry.parts and reason == "parts_mismatch" else "",
            "course": line.course.code,
            "exam_on": _date(exam_on) if exam_on else "",
            "number": period.number,
            "starts_on": _date(period.starts_on),
            "max_credits": formats.number_format(rules.MAX_PART_CREDITS, force_grouping=True),
        }
        plan.problems.append((index, str(RESULT_REFUSALS[reason] % params)))
    plan.problems.sort()
    return plan


def results_check(entries: Sequence[ResultEntry], *, today: datetime.date | None = None) -> list[tuple[int, str]]:
    """Why entries would be refused on ``today`` (default: the clock's): (entry index, message)
    pairs; [] when all may be entered.

    Lines need not be saved (the admin checks a line being added with its results).
    """
    return _plan(entries, today=today or clock.today()).problems if entries else []


@transaction.atomic
def results_record(*, entries: Sequence[ResultEntry], by=None, today: datetime.date | None = None) -> RecordSummary:
    """Enter ``entries`` all or nothing on ``today`` (default: the clock's): raises
    ``ResultsRefused`` and writes nothing when any is refused (a mark before the student's
    exam among them); an entry equal to the stored result is left alone. The exam periods with
    a new result (or one moved to another period) are announced (``core.events.results_recorded``):
    a worker counts their marks again (``exams.tallies``), and the committee its students deliberated."""
    summary = RecordSummary()
    if not entries:
        return summary
    locked = (
        ISPLine.objects.select_for_update(of=("self",))
        .filter(pk__in={e.isp_line.pk for e in entries})
        .select_related("course", "enrolment__academic_year")
        .in_bulk()
    )
    entries = [replace(e, isp_line=locked[e.isp_line.pk]) for e in entries]
    plan = _plan(entries, today=today or clock.today())
    if plan.problems:
        raise ResultsRefused(plan.problems)

    new, updated, parts = [], [], []
    periods = set()  # the exam periods with a result more (or one less): announced to the layers above
    for entry, changed in zip(entries, plan.changed, strict=True):
        existing = plan.existing.get((entry.isp_line.pk, entry.opportunity))
        if not changed:
            summary.unchanged += 1
            summary.results.append(existing)
            continue
        if existing is None:
            periods.add(entry.exam_period.pk)
        elif existing.exam_period_id != entry.exam_period.pk:
            periods |= {existing.exam_period_id, entry.exam_period.pk}
        score, grade, _parts = entry.stored()
        result = existing or Result(isp_line=entry.isp_line, opportunity=entry.opportunity)
        result.exam_period, result.score, result.grade = entry.exam_period, score, grade
        (updated if existing else new).append(result)
        parts.append((result, entry.parts))
        summary.results.append(result)
    if updated:
        ResultPart.objects.filter(result__in=updated).delete()
        bulk_update_with_history(updated, Result, ["exam_period", "score", "grade"], default_user=by)
    if new:
        bulk_create_with_history(new, Result, default_user=by)
    ResultPart.objects.bulk_create(
        ResultPart(result=result, position=position, credits=credits, score=score)
        for result, entry_parts in parts
        for position, (credits, score) in enumerate(entry_parts, start=1)
    )
    summary.created, summary.updated = len(new), len(updated)
    if periods:
        # Heard by exams.tallies (the marks entered and missing, counted again) and the committee.
        events.results_recorded.send(sender="exams", exam_period_ids=sorted(periods))
    return summary


def result_record(
    *,
    isp_line: ISPLine,
    exam_period: ExamPeriod,
    opportunity: int,
    mark: rules.Mark | None,
    parts: Sequence[tuple[int, int]] | None = None,
    by=None,
    today: datetime.date | None = None,
) -> Result:
    """Enter one result (created, or the opportunity's result changed); raises a
    ``ResultsRefused`` (a ``ValidationError``) naming the rule and changes nothing when it is refused."""
    if isinstance(mark, str):
        with contextlib.suppress(rules.MarkError):  # not a mark: refused below, with the rules' message
            mark = rules.parse_mark(mark)
    entry = ResultEntry(
        isp_line=isp_line,
        exam_period=exam_period,
        opportunity=opportunity,
        mark=mark,
        parts=tuple((int(c), int(s)) for c, s in parts or ()),
    )
    try:
        summary = results_record(entries=[entry], by=by, today=today)
    except ResultsRefused as refused:
        raise ResultsRefused(refused.problems[:1]) from None
    return summary.results[0]


# --- Marksheets ------------------------------------------------------------------------
@dataclass(frozen=True)
class MarksheetRow:
    """One row of a marksheet as read from the file; ``problem`` when it cannot be read."""

    number: int
    student: str
    opportunity: int | None = None
    mark: rules.Mark | None = None
    parts: tuple[tuple[int, int], ...] = ()
    problem: str = ""


@dataclass(frozen=True)
class RowProblem:
    row: int
    student: str
    message: str
    code = "marksheet_row"


class MarksheetRefused(Refused):
    """Rows of a marksheet refused: nothing was entered. ``problems`` are ``RowProblem``s."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__(problems, summary=f"{len(problems)} rows refused")


def marksheet_lines(*, course: Course, exam_period: ExamPeriod, numbers=None) -> dict[str, ISPLine]:
    """Student number -> the ISP line of ``course`` in the exam period's academic year;
    a line still in the ISP before a removed one."""
    lines = (
        ISPLine.objects.filter(course=course, enrolment__academic_year_id=exam_period.academic_year_id)
        .select_related("course", "enrolment__student", "enrolment__academic_year")
        .order_by("enrolment__student__number", F("removed_on").asc(nulls_last=True), "added_on")
    )
    if numbers is not None:
        lines = lines.filter(enrolment__student__number__in=numbers)
    found = {}
    for line in lines:
        found[line.enrolment.student.number] = line  # the last one wins: a current line over a removed one
    return found


@transaction.atomic
def marksheet_import(
    *,
    course: Course,
    exam_period: ExamPeriod,
    rows: Sequence[MarksheetRow],
    by=None,
    today: datetime.date | None = None,
):
    """Record a marksheet of ``course`` for ``exam_period`` all or nothing.

    Raises ``MarksheetRefused`` listing every refused row (unreadable, unknown
    student, course not in the student's ISP, or refused by the result rules) and
    writes nothing; otherwise returns the ``RecordSummary``.
    """
    numbers = {row.student for row in rows}
    lines = marksheet_lines(course=course, exam_period=exam_period, numbers=numbers)
    known = set(Student.objects.filter(number__in=numbers).values_list("number", flat=True))
    problems, entries, entry_rows = [], [], []
    summary = RecordSummary()
    for row in rows:
        if row.problem:
            problems.append(RowProblem(row.number, row.student, row.problem))
        elif row.student not in known:
            problems.append(RowProblem(row.number, row.student, str(_("Unknown student number."))))
        elif row.student not in lines:
            message = _("%(course)s is not in this student's ISP for %(year)s (Art. 44 §2).") % {
                "course": course.code,
                "year": exam_period.academic_year.code,
            }
            problems.append(RowProblem(row.number, row.student, str(message)))
        else:
            entries.append(
                ResultEntry(
                    isp_line=lines[row.student],
                    exam_period=exam_period,
                    opportunity=row.opportunity,
                    mark=row.mark,
                    parts=row.parts,
                    label=str(_("row %(number)s") % {"number": row.number}),
                )
            )
            entry_rows.append(row)
    if entries:
        try:
            summary = results_record(entries=entries, by=by, today=today)
        except ResultsRefused as refused:
            problems += [
                RowProblem(entry_rows[i].number, entry_rows[i].student, message) for i, message in refused.problems
            ]
    if problems:
        raise MarksheetRefused(sorted(problems, key=lambda p: p.row))
    return summary


def marksheet_template_rows(*, course: Course, exam_period: ExamPeriod) -> list[dict]:
    """The rows of a blank marksheet: every student whose ISP has the course in the exam
    period's year and who can still get a result in it, with the opportunity filled in
    (and the mark when one is already entered in this period)."""
    lines = [
        line
        for line in marksheet_lines(course=course, exam_period=exam_period).values()
        if line.removed_on is None and not line.exempted
    ]
    results = defaultdict(dict)
    for result in Result.objects.filter(isp_line__in=lines).select_related("exam_period").prefetch_related("parts"):
        results[result.isp_line_id][result.opportunity] = result
    rows = []
    for line in lines:
        taken = results[line.pk]
        here = next((r for r in taken.values() if r.exam_period_id == exam_period.pk), None)
        if here is not None:
            opportunity, mark = here.opportunity, here.mark_display
            parts = ";".join(f"{p.credits}:{p.score}" for p in here.parts.all())
            if parts:
                mark = ""
        elif 1 not in taken:
            opportunity, mark, parts = 1, "", ""
        elif (
            2 not in taken
            and course.resit
            and taken[1].exam_period.number < exam_period.number
            and line.certified_on is None
            and line.tolerated_on is None
        ):
            opportunity, mark, parts = 2, "", ""
        else:
            continue  # nothing left to take in this period
        student = line.enrolment.student
        rows.append(
            {
                "student": student.number,
                "name": student.full_name,
                "opportunity": opportunity,
                "mark": mark,
                "parts": parts,
            }
        )
    return rows


# --- Tolerance choices (Art. 91 §2) ----------------------------------------------------
def tolerance_choice_problem(*, isp_line: ISPLine, on: datetime.date) -> str | None:
    """Why a choice to tolerate ``isp_line`` on ``on`` would be refused (a message), or None."""
    reason = tolerance_choice_check(line=isp_line, on=on)
    if reason:
        return str(CHOICE_REFUSALS[reason])
    if ToleranceChoice.objects.filter(isp_line=isp_line, processed=False).exists():
        return str(TOLERANCE_CHOICE_PENDING)
    return None


@transaction.atomic
def tolerance_choice_record(*, isp_line: ISPLine, on: datetime.date, today: datetime.date, by=None) -> ToleranceChoice:
    """Record a student's choice to tolerate ``isp_line`` on ``on``: refused with the
    rule's message (nothing changed), or recorded and, when ``on`` is not after
    ``today``, processed at once by the timeline."""
    line = ISPLine.objects.select_for_update(of=("self",)).select_related("course", "enrolment").get(pk=isp_line.pk)
    problem = tolerance_choice_problem(isp_line=line, on=on)
    if problem:
        raise RefusedValidationError([Problem("tolerance_choice_refused", problem)])
    choice = ToleranceChoice.objects.create(isp_line=line, on=on)
    if on <= today:
        run_deadlines(today=on)
        choice.refresh_from_db()
    return choice
