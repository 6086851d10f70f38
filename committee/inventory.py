"""The select committee's inventory before a publication (Art. 69) and a student's standing for
the deliberation (Art. 70): computed from the records, never typed, in a fixed number of queries
(never one per student or per course).

- ``mark_profiles_for``: the unreasonable mark profiles (Art. 69; DOMAIN §9, decided): per course
  of the committee's programmes examined in the exam period, its numeric marks, flagged by
  ``committee.rules.mark_profiles`` with the thresholds of ``settings.COMMITTEE_PROFILE_THRESHOLDS``.
- ``files_for``: the files of irregularities and fraud (indicated by the chair) and of special
  individual circumstances (indicated by the ombudsperson), with what the ombudsperson may
  indicate as circumstances: the period's reschedule requests and the year's special statuses of
  the committee's students (Art. 43-51, 69, 97).
- ``student_page``: the examined students a page at a time, each with why a decision about them is
  open (``reasons_for``, Art. 69-70): an intolerable fail in the period, tolerable fails needing
  more tolerance credit than is left (Art. 91), a programme percentage within one point under a
  level of achievement (Art. 81), a result postponed (Art. 69, last paragraph).
- ``student_standings``: one student's standing as the publication would make it from the
  examiner's marks and the decisions adopted ("as it is"), and with a proposed decision on top:
  the same projection, by the rules of ``exams.rules`` and ``exams.standing``.

The projection (``project``) is the publication's (``exams.services.results_publish``) read
without writing: the year's final mark of every line examined in the period from its
opportunities up to this period (Art. 89), its outcome (Art. 76, 91), a credit certificate for a
pass, then the committee's decisions (Art. 70: a mark adjusted, a fail tolerated within or beyond
the tolerance credit, a level awarded), then the automatic tolerance (Art. 91 §3), then the
tolerance credit, the programme result and its level (Art. 78-81).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from core import gates
from core.dates import show_date
from core.rounding import round_half_up
from exams import rules as exam_rules
from exams.models import Level, Result, ResultPart
from exams.standing import TOLERANCE_CONTRACTS, Standing, YearInProgramme, standings_with
from programmes.models import Course, ExamPeriod, Programme
from reschedules.models import RescheduleRequest, SpecialStatus
from students.models import Enrolment, EnrolmentStatus, ISPLine, LineOutcome, Student, ToleranceKind

from . import rules
from .models import CaseFile, Decision, DecisionOutcome, Deliberation, FileKind, Postponement
from .selectors import programmes_of


def show_percentage(value) -> str:
    """A programme percentage as reported: two decimals, rounded half up (DOMAIN §4), in the
    reader's language."""
    return number_format(round_half_up(value, 2), 2)


def level_label(level: str | None) -> str:
    return str(Level(level).label) if level else ""


# --- Unreasonable mark profiles (Art. 69; DOMAIN §9) ---------------------------------------------
def profile_thresholds() -> rules.ProfileThresholds:
    """The thresholds of the flag, from ``settings.COMMITTEE_PROFILE_THRESHOLDS`` (DOMAIN §9:
    a pass rate under 40 %, or more than two standard deviations, with at least 5 students)."""
    return rules.ProfileThresholds(**getattr(settings, "COMMITTEE_PROFILE_THRESHOLDS", {}))


@dataclass(frozen=True)
class ProfileRow:
    course: Course
    programme: Programme
    stage: int
    profile: rules.Profile

    @property
    def flagged(self) -> bool:
        return self.profile.flagged

    @property
    def bars(self) -> list[dict]:
        """The distribution as the bars of a small chart 126 × 32 (one bar of 5 wide per mark,
        the highest 30 high): mark, count, x, y, height."""
        most = max(self.profile.distribution) or 1
        bars = []
        for mark, count in enumerate(self.profile.distribution):
            height = round(30 * count / most)
            bars.append({"mark": mark, "count": count, "x": 6 * mark, "y": 31 - height, "height": height})
        return bars

    @property
    def spread(self) -> list[tuple[int, int]]:
        """The marks given, with how many students had each: (mark, count)."""
        return [(mark, count) for mark, count in enumerate(self.profile.distribution) if count]


def mark_profiles_for(
    deliberation: Deliberation, thresholds: rules.ProfileThresholds | None = None
) -> list[ProfileRow]:
    """The mark profile of every course of the committee's programmes examined in the
    deliberation's exam period with at least ``min_students`` numeric marks (Art. 69): the
    flagged first, then by programme, stage and course. A flag, never a decision (DOMAIN §9).
    Two queries: the marks counted per course and mark by the database, then the courses."""
    thresholds = thresholds or profile_thresholds()
    period = deliberation.exam_period
    counts: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for course_id, score, count in (
        Result.objects.filter(
            exam_period=period,
            score__isnull=False,
            isp_line__course__programme__in=programmes_of(deliberation.committee),
        )
        .values_list("isp_line__course_id", "score")
        .annotate(count=Count("pk"))
        .order_by("isp_line__course_id", "score")
    ):
        counts[course_id].append((score, count))
    courses = Course.objects.select_related("programme").in_bulk(list(counts))
    profiles = rules.mark_profiles(
        [
            rules.CourseMarks(course=c, group=(courses[c].programme_id, courses[c].stage), counts=tuple(by_mark))
            for c, by_mark in counts.items()
        ],
        thresholds,
    )
    rows = [
        ProfileRow(course=courses[p.course], programme=courses[p.course].programme, stage=p.group[1], profile=p)
        for p in profiles
    ]
    rows.sort(key=lambda r: (not r.flagged, r.programme.code, r.stage, r.course.code))
    return rows


# --- Files (Art. 69) --------------------------------------------------------------------------
@dataclass
class Files:
    irregularities: list[CaseFile]
    circumstances: list[CaseFile]
    requests: list[RescheduleRequest]  # the period's reschedule requests of the committee's students
    statuses: list[SpecialStatus]  # the year's special statuses of the committee's students
    # The fraud and dispute files not finished (Art. 69, 84-85, 92; core.gates.open_fraud_files).
    fraud_files: list[dict] = field(default_factory=list)
    more: bool = False  # more requests or statuses than those listed (``files_for``'s ``limit``)


FILES_SHOWN = 100  # reschedule requests and special statuses listed, each, unless all are asked for


def _enrolments(deliberation: Deliberation):
    """The enrolments of the committee's programmes in the deliberation's academic year."""
    return Enrolment.objects.filter(
        academic_year_id=deliberation.exam_period.academic_year_id,
        programme__in=programmes_of(deliberation.committee),
    ).exclude(status=EnrolmentStatus.REFUSED)


def files_for(deliberation: Deliberation, *, every: bool = True) -> Files:
    """The select committee's files (Art. 69): the irregularities and fraud indicated by the
    chair, the special individual circumstances indicated by the ombudsperson, and what the
    ombudsperson may indicate as circumstances: the reschedule requests of the exam period
    (Art. 43-51) and the special statuses of the academic year (Art. 97) of the committee's
    students; and the open fraud files of the committee's programmes, which the select committee
    prepares (Art. 69, 84), answered by fraud. Four queries. Without ``every``, the first
    ``FILES_SHOWN`` requests and statuses (``more`` says whether there are others)."""
    limit = None if every else FILES_SHOWN
    files = list(deliberation.files.select_related("student", "course", "indicated_by").order_by("kind", "pk"))
    period = deliberation.exam_period
    requests = list(
        RescheduleRequest.objects.filter(
            exam_period=period, isp_line__enrolment__in=_enrolments(deliberation).values("pk")
        )
        .select_related("isp_line__course", "isp_line__enrolment__student")
        .order_by("isp_line__enrolment__student__last_name", "isp_line__enrolment__student__number", "requested_on")[
            : None if limit is None else limit + 1
        ]
    )
    statuses = list(
        SpecialStatus.objects.filter(
            academic_year_id=period.academic_year_id,
            student__in=_enrolments(deliberation).values("student_id"),
        )
        .select_related("student")
        .order_by("student__last_name", "student__number", "kind")[: None if limit is None else limit + 1]
    )
    more = limit is not None and (len(requests) > limit or len(statuses) > limit)
    if limit is not None:
        requests, statuses = requests[:limit], statuses[:limit]
    return Files(
        irregularities=[f for f in files if f.kind == FileKind.IRREGULARITY],
        circumstances=[f for f in files if f.kind == FileKind.CIRCUMSTANCES],
        requests=requests,
        statuses=statuses,
        fraud_files=gates.open_fraud_files(period.pk, programmes_of(deliberation.committee).values("pk")),
        more=more,
    )


# --- The projection: a standing as the publication would make it --------------------------------
@dataclass(frozen=True)
class Proposal:
    """A decision of Art. 70 as the projection applies it: ``line`` is an ISP line id."""

    kind: str
    line: int | None = None
    new_score: int | None = None
    level: str = ""


@dataclass(frozen=True)
class LineFigure:
    """A line of the year examined in the period, as the publication would leave it."""

    line: int
    course_id: int
    code: str
    credits: int
    mark: exam_rules.Mark | None
    outcome: str
    tolerated: bool
    tolerance_kind: str
    adjusted: bool

    @property
    def state(self) -> str:
        """passed, tolerated, tolerable, failed or pending."""
        return "tolerated" if self.tolerated and self.outcome != LineOutcome.PASSED else self.outcome


@dataclass(frozen=True)
class Figures:
    """A student's standing in a programme for the deliberation (Art. 70, 78-81, 91)."""

    lines: tuple[LineFigure, ...]
    credit: int | None  # tolerance credit (None: the contract has no tolerance)
    used: int | None
    left: int | None
    needed: int  # credits of the tolerable fails not tolerated (all years of the programme)
    efficiency: Fraction | None
    passed: bool
    result_possible: bool  # a programme result for this contract (Art. 14)
    percentage: Fraction | None
    level: str | None
    automatic: tuple[str, ...]  # the courses tolerated automatically (Art. 91 §3)
    level_awarded: bool = False

    def line(self, line_id: int) -> LineFigure | None:
        return next((f for f in self.lines if f.line == line_id), None)

    @property
    def result_reached(self) -> bool:
        return self.passed and self.result_possible

    @property
    def percentage_text(self) -> str:
        return "" if self.percentage is None else show_percentage(self.percentage)

    @property
    def level_text(self) -> str:
        return level_label(self.level)

    @property
    def beyond_credit(self) -> int:
        return -self.left if self.left is not None and self.left < 0 else 0


@dataclass
class PeriodMarks:
    """The marks of a line examined in the period: every opportunity up to this period, in order
    (period id, mark), and the examiner's mark in this period."""

    marks: list[tuple[int, exam_rules.Mark]] = field(default_factory=list)
    examiner: exam_rules.Mark | None = None


def _shallow(obj):
    """A shallow copy of a plain dataclass instance (``dataclasses.replace`` without its cost:
    the projection copies every line of every student on a page)."""
    copy = object.__new__(type(obj))
    copy.__dict__.update(obj.__dict__)
    return copy


def _copy(standing: Standing) -> Standing:
    years = []
    for year in standing.years:
        copy = _shallow(year)
        copy.lines = [_shallow(line) for line in year.lines]
        years.append(copy)
    return replace(standing, years=years)


def project(
    standing: Standing,
    year: YearInProgramme,
    marks: dict[int, PeriodMarks],
    proposals: Iterable[Proposal] = (),
    *,
    period: ExamPeriod,
    last_period: bool,
) -> Figures:
    """``standing`` in ``year`` as the publication of ``period`` would leave it, with
    ``proposals`` (the committee's decisions, Art. 70) applied; ``standing`` is not changed.

    As ``exams.services.results_publish``: the year's final mark of each line examined in the
    period from its opportunities (Art. 89 §2), the outcome (Art. 76, 91), a credit certificate
    for a pass; then the decisions: a mark adjusted replaces the examiner's mark of this period
    (Art. 70 §1), a fail tolerated uses tolerance credit, within the credit or beyond it (Art. 70,
    91); then the automatic tolerance (Art. 91 §3 (a), and (b)-(c) after the year's last
    period); then the tolerance credit (Art. 91 §1), the programme result (Art. 79) and its
    percentage and level (Art. 78, 81), or the level awarded (Art. 70)."""
    standing = _copy(standing)
    year = standing.year(year.enrolment_id)
    day = period.results_published_on
    proposals = list(proposals)
    adjusted = {
        p.line: p.new_score
        for p in proposals
        if p.kind == rules.DecisionKind.MARK_ADJUSTED and p.line is not None and p.new_score is not None
    }
    tolerated = {
        p.line for p in proposals if p.kind in (rules.DecisionKind.TOLERATED, rules.DecisionKind.BEYOND_CREDIT)
    }
    awarded = next((p.level for p in proposals if p.kind == rules.DecisionKind.LEVEL_AWARDED and p.level), "")
    examined = []
    for line in year.lines:
        found = marks.get(line.id)
        if found is None or line.removed or line.exempted:
            continue
        examined.append(line)
        in_order = [
            adjusted[line.id] if line.id in adjusted and period_id == period.pk else mark
            for period_id, mark in found.marks
        ]
        mark = exam_rules.final_mark(in_order)
        line.mark = mark
        line.outcome = exam_rules.outcome(mark, tolerable_course=line.tolerable)
        if line.outcome == LineOutcome.PASSED and line.certified_on is None:
            line.certified_on = day
    for line in examined:  # as the publication: the lines examined in the period, not passed
        if line.id in tolerated and line.outcome != LineOutcome.PASSED and line.tolerated_on is None:
            line.tolerated_on, line.tolerance_kind = day, ToleranceKind.COMMITTEE
    automatic = _automatic_tolerance(standing, year, day=day, last_period=last_period)
    position = standing.tolerance(year)
    records = standing.records()
    percentage, level = standing.result()
    return Figures(
        lines=tuple(
            LineFigure(
                line=line.id,
                course_id=line.course_id,
                code=line.code,
                credits=line.credits,
                mark=line.mark,
                outcome=line.outcome,
                tolerated=line.tolerated_on is not None,
                tolerance_kind=line.tolerance_kind,
                adjusted=line.id in adjusted,
            )
            for line in examined
        ),
        credit=position["credit"] if position else None,
        used=position["used"] if position else None,
        left=position["left"] if position else None,
        needed=sum(r.credits for r in records if r.tolerable_fail),
        efficiency=year.efficiency,
        passed=standing.passed(),
        result_possible=exam_rules.programme_result_possible(contract=year.contract),
        percentage=percentage,
        level=awarded or level,
        automatic=tuple(automatic),
        level_awarded=bool(awarded),
    )


def _automatic_tolerance(standing: Standing, year: YearInProgramme, *, day: datetime.date, last_period: bool):
    """Art. 91 §3 as the publication applies it (``exams.services._stage_automatic_tolerance``):
    the tolerable fails tolerated when that makes the student pass the programme, or, after the
    year's last period in the first two years under the decree threshold, reach the threshold.
    Marks the lines tolerated; returns their course codes."""
    if year.contract not in TOLERANCE_CONTRACTS:
        return []
    position = standing.tolerance(year)
    own = {line.course_id: line for line in year.active if not line.done}
    courses = exam_rules.automatic_tolerance_final_stage(
        records=standing.records(year),
        programme_credits=standing.programme.credits,
        compulsory=standing.compulsory,
        efficiency=year.efficiency,
        left=position["left"],
    )
    if not courses and last_period and standing.threshold_applies and standing.years_enrolled(year) <= 2:
        courses = exam_rules.automatic_tolerance_threshold(
            package=standing.package_records(year), efficiency=year.efficiency, left=position["left"]
        )
    if not courses or not all(c in own for c in courses):
        return []
    for course in courses:
        own[course].tolerated_on, own[course].tolerance_kind = day, ToleranceKind.AUTOMATIC
    return sorted(own[c].code for c in courses)


# --- Loading many students at once ---------------------------------------------------------------
@dataclass
class Loaded:
    """What the projection reads for a set of enrolments, in a fixed number of queries."""

    deliberation: Deliberation
    enrolments: list[Enrolment]
    standings: dict[tuple[int, int], Standing]
    marks: dict[int, PeriodMarks]  # by ISP line id: the lines examined in the period
    decisions: dict[int, list[Proposal]]  # the adopted decisions, by student id
    postponements: dict[int, list[Postponement]]  # by student id
    last_period: bool

    def year(self, enrolment: Enrolment) -> tuple[Standing, YearInProgramme] | None:
        standing = self.standings.get((enrolment.student_id, enrolment.programme_id))
        if standing is None or not any(y.enrolment_id == enrolment.pk for y in standing.years):
            return None
        return standing, standing.year(enrolment.pk)

    def figures(self, enrolment: Enrolment, proposals: Iterable[Proposal] = ()) -> Figures | None:
        """The enrolment's standing with the adopted decisions ("as it is"), and ``proposals``."""
        found = self.year(enrolment)
        if found is None:
            return None
        standing, year = found
        return project(
            standing,
            year,
            self.marks,
            [*self.decisions.get(enrolment.student_id, []), *proposals],
            period=self.deliberation.exam_period,
            last_period=self.last_period,
        )


def _period_marks(
    deliberation: Deliberation, enrolments, decisions: list[Decision] | None = None
) -> dict[int, PeriodMarks]:
    """The marks of every line (of ``enrolments``, a queryset or a list of ids) examined in the
    deliberation's period: its opportunities in the year's periods up to this one, in order
    (Art. 89 §2), as the publication reads them; a mark of parts is the mark the parts make
    (Art. 65); the examiner's mark of a result the publication adjusted is the one the decision
    kept. Three queries; two when the deliberation's ``decisions`` about these students are given
    (a line of the committee's programmes is decided on in this deliberation only: one a
    committee and exam period)."""
    period = deliberation.exam_period
    rows = list(
        Result.objects.filter(
            isp_line__enrolment__in=enrolments,
            exam_period__academic_year_id=period.academic_year_id,
            exam_period__number__lte=period.number,
        )
        .order_by("isp_line_id", "opportunity")
        .values_list("pk", "isp_line_id", "exam_period_id", "score", "grade")
    )
    parts = defaultdict(list)
    with_parts = [pk for pk, _line, _period, score, grade in rows if score is None and not grade]
    if with_parts:
        for result_id, credits, score in (
            ResultPart.objects.filter(result_id__in=with_parts)
            .order_by("result_id", "position")
            .values_list("result_id", "credits", "score")
        ):
            parts[result_id].append((credits, score))
    by_line: dict[int, PeriodMarks] = defaultdict(PeriodMarks)
    examined = set()
    for pk, line_id, period_id, score, grade in rows:
        if score is not None:
            mark = score
        elif grade:
            mark = grade
        elif parts[pk]:
            mark = exam_rules.mark_from_parts(parts[pk])
        else:
            continue
        by_line[line_id].marks.append((period_id, mark))
        if period_id == period.pk:
            by_line[line_id].examiner = mark
            examined.add(line_id)
    # A mark the publication adjusted (Art. 70) was the examiner's before: show that one.
    if decisions is None:
        adjusted = Decision.objects.filter(
            deliberation__exam_period=period, kind="mark_adjusted", applied_on__isnull=False, isp_line_id__in=examined
        ).values_list("isp_line_id", "examiner_mark")
    else:
        adjusted = [
            (d.isp_line_id, d.examiner_mark)
            for d in decisions
            if d.kind == "mark_adjusted" and d.applied_on is not None and d.isp_line_id in examined
        ]
    for line_id, examiner_mark in adjusted:
        if examiner_mark:
            by_line[line_id].examiner = exam_rules.mark_from_text(examiner_mark)
    return {line_id: marks for line_id, marks in by_line.items() if line_id in examined}


ENROLMENT_ORDER = ("student__last_name", "student__first_name", "student__number", "programme__code")


def load(
    deliberation: Deliberation,
    enrolments,
    *,
    postponements: list[Postponement] | None = None,
    decisions: list[Decision] | None = None,
) -> Loaded:
    """Everything the projection needs for ``enrolments`` (a queryset of the deliberation's
    year, or a list of them already read with their student and programme, in the page's
    order): a fixed number of queries, whatever their number. ``postponements``: every
    postponement of the deliberation with its line's course and enrolment, when the page has
    read them already; ``decisions``: every decision of the deliberation about these students
    (whatever their outcome), when the page has read them."""
    if isinstance(enrolments, list):
        enrolment_list = enrolments
        enrolments = [e.pk for e in enrolment_list]
        student_ids = sorted({e.student_id for e in enrolment_list})
    else:
        enrolment_list = list(enrolments.select_related("student", "programme").order_by(*ENROLMENT_ORDER))
        student_ids = enrolments.values("student_id")
    found = standings_with(
        ((e.student_id, e.programme_id) for e in enrolment_list),
        programmes={e.programme_id: e.programme for e in enrolment_list},
    )
    if decisions is None:
        adopted = deliberation.decisions.filter(outcome=DecisionOutcome.ADOPTED, student__in=student_ids).values_list(
            "student_id", "kind", "isp_line_id", "new_score", "level"
        )
    else:
        adopted = [
            (d.student_id, d.kind, d.isp_line_id, d.new_score, d.level)
            for d in decisions
            if d.outcome == DecisionOutcome.ADOPTED
        ]
    by_decision: dict[int, list[Proposal]] = defaultdict(list)
    for student_id, kind, line_id, new_score, level in adopted:
        by_decision[student_id].append(Proposal(kind=kind, line=line_id, new_score=new_score, level=level))
    by_student: dict[int, list[Postponement]] = defaultdict(list)
    if postponements is None:
        postponements = deliberation.postponements.filter(isp_line__enrolment__in=enrolments).select_related(
            "isp_line__course", "isp_line__enrolment"
        )
    else:
        listed = {e.pk for e in enrolment_list}
        postponements = [p for p in postponements if p.isp_line.enrolment_id in listed]
    for postponement in postponements:
        by_student[postponement.isp_line.enrolment.student_id].append(postponement)
    period = deliberation.exam_period
    last = getattr(deliberation, "last_period_number", None)  # read with it (selectors.deliberation_for)
    if last is None:
        last = ExamPeriod.objects.filter(academic_year_id=period.academic_year_id).aggregate(last=Max("number"))["last"]
    return Loaded(
        deliberation=deliberation,
        enrolments=enrolment_list,
        standings=found,
        marks=_period_marks(deliberation, enrolments, decisions),
        decisions=by_decision,
        postponements=by_student,
        last_period=period.number == last,
    )


# --- The students with a decision open (Art. 69-70) -----------------------------------------------
def reasons_for(figures: Figures, *, postponed: Iterable[Postponement] = ()) -> list[str]:
    """Why a decision about the student is open (Art. 69-70), as short texts citing the
    article, from ``figures`` as it is."""
    reasons = [
        _("Intolerable fail in %(course)s: %(mark)s (Art. 70, 79).")
        % {"course": f.code, "mark": exam_rules.mark_to_text(f.mark)}
        for f in figures.lines
        if f.outcome == LineOutcome.FAILED and not f.tolerated
    ]
    if figures.left is not None and figures.needed > figures.left:
        reasons.append(
            _("Tolerable fails of %(needed)s credits, %(left)s credits of tolerance credit left (Art. 70, 91).")
            % {"needed": figures.needed, "left": figures.left}
        )
    if figures.result_reached and figures.level is not None and not figures.level_awarded:
        in_reach = rules.level_in_reach(figures.percentage, exam_rules.LEVELS)
        if in_reach:
            reasons.append(
                _("Programme percentage %(percentage)s %%: within one point of %(level)s (Art. 70, 81).")
                % {"percentage": figures.percentage_text, "level": level_label(in_reach)}
            )
    for postponement in postponed:
        reasons.append(
            _("Result of %(course)s announced later, on %(day)s (Art. 69).")
            % {"course": postponement.isp_line.course.code, "day": show_date(postponement.announce_on)}
        )
    return reasons


def examined_enrolments(deliberation: Deliberation):
    """The enrolments of the committee's programmes in the year with a line examined in the
    deliberation's exam period."""
    return _enrolments(deliberation).filter(
        Exists(Result.objects.filter(isp_line__enrolment=OuterRef("pk"), exam_period=deliberation.exam_period))
    )


# --- The students, a page at a time (issue 19: clusters of many thousands) -----------------------
PAGE_SIZE = 25  # examined students (enrolments) a page: their standings are built, nobody else's
COUNT_CAP = 1000  # the examined students are counted up to this many: "more than 1,000" beyond


@dataclass(frozen=True)
class Counted:
    """A count up to ``COUNT_CAP`` (a cluster of many thousands is not counted on every page)."""

    count: int
    capped: bool  # more than ``count``

    @classmethod
    def of(cls, queryset, cap: int | None = None) -> "Counted":
        cap = COUNT_CAP if cap is None else cap
        found = queryset.order_by()[: cap + 1].count()
        return cls(count=min(found, cap), capped=found > cap)


@dataclass(frozen=True)
class StudentRow:
    """An examined enrolment of the page, with why a decision is open (empty: none is)."""

    enrolment: Enrolment
    reasons: tuple[str, ...]
    url: str

    @property
    def student(self) -> Student:
        return self.enrolment.student

    @property
    def programme(self) -> Programme:
        return self.enrolment.programme


@dataclass
class StudentPage:
    """A page of the examined students, in the order of their names: every one of them with
    their reasons (``rows``), how many students the filters keep in all (``total``, counted by
    the database up to ``COUNT_CAP``) and whether there are pages before and after (keyset: ``first`` and ``last``
    are the enrolment ids the links start from)."""

    rows: list[StudentRow]
    total: Counted
    has_previous: bool
    has_next: bool

    @property
    def open_rows(self) -> list[StudentRow]:
        return [row for row in self.rows if row.reasons]

    @property
    def first(self) -> int | None:
        return self.rows[0].enrolment.pk if self.rows else None

    @property
    def last(self) -> int | None:
        return self.rows[-1].enrolment.pk if self.rows else None


def examined_filtered(deliberation: Deliberation, *, programme: int | None = None, query: str = ""):
    """The examined enrolments (``examined_enrolments``) of ``programme`` (an id), of the students
    whose number or last name starts with ``query``."""
    enrolments = examined_enrolments(deliberation)
    if programme:
        enrolments = enrolments.filter(programme_id=programme)
    query = query.strip()
    if query:
        enrolments = enrolments.filter(Q(student__number__istartswith=query) | Q(student__last_name__istartswith=query))
    return enrolments


def _beyond(cursor: int, *, forward: bool) -> Q:
    """The enrolments after (``forward``) or before the enrolment ``cursor`` in the order of
    ``ENROLMENT_ORDER``; the cursor's key is read by the same query (subqueries). The bound on
    the last name alone lets the database start from it in the index of the names."""
    key = Enrolment.objects.filter(pk=cursor).order_by()
    last, first, number, code = (Subquery(key.values(field)[:1]) for field in ENROLMENT_ORDER)
    op, bound = ("gt", "gte") if forward else ("lt", "lte")
    return Q(**{f"student__last_name__{bound}": last}) & (
        Q(**{f"student__last_name__{op}": last})
        | Q(student__last_name=last, **{f"student__first_name__{op}": first})
        | Q(student__last_name=last, student__first_name=first, **{f"student__number__{op}": number})
        | Q(student__number=number, **{f"programme__code__{op}": code})
    )


def student_page(
    deliberation: Deliberation,
    *,
    after: int | None = None,
    before: int | None = None,
    programme: int | None = None,
    query: str = "",
    size: int | None = None,
) -> StudentPage:
    """The page of ``size`` examined students after the enrolment ``after`` (or before
    ``before``; the first page without either; ``size``: ``PAGE_SIZE`` unless given), with the
    filters of ``examined_filtered``; the standing of each, and why a decision about them is open
    (``reasons_for``), computed for them only. A fixed number of queries, whatever the number of
    students in the committee's programmes."""
    size = size or PAGE_SIZE
    enrolments = examined_filtered(deliberation, programme=programme, query=query)
    total = Counted.of(enrolments.values("student_id").distinct())
    read = enrolments.select_related("student", "programme")
    if before is not None:
        found = list(
            read.filter(_beyond(before, forward=False)).order_by(*[f"-{f}" for f in ENROLMENT_ORDER])[: size + 1]
        )
        has_previous, has_next = len(found) > size, True
        found = found[:size][::-1]
    else:
        if after is not None:
            read = read.filter(_beyond(after, forward=True))
        found = list(read.order_by(*ENROLMENT_ORDER)[: size + 1])
        has_previous, has_next = after is not None, len(found) > size
        found = found[:size]
    rows = []
    if found:
        decisions = list(deliberation.decisions.filter(student_id__in={e.student_id for e in found}))
        loaded = load(deliberation, found, decisions=decisions)
        for enrolment in found:
            figures = loaded.figures(enrolment)
            postponed = [
                p for p in loaded.postponements.get(enrolment.student_id, []) if p.isp_line.enrolment_id == enrolment.pk
            ]
            reasons = reasons_for(figures, postponed=postponed) if figures is not None else []
            rows.append(
                StudentRow(
                    enrolment=enrolment,
                    reasons=tuple(reasons),
                    url=reverse("committee:student", args=[deliberation.pk, enrolment.student.number]),
                )
            )
    return StudentPage(rows=rows, total=total, has_previous=has_previous, has_next=has_next)


# --- One student's page -------------------------------------------------------------------------
@dataclass
class Section:
    """A student's standing in one programme: as it is, and with the proposal."""

    enrolment: Enrolment
    lines: list[ISPLine]  # the year's lines (for the form and the table)
    examiner: dict[int, exam_rules.Mark | None]  # the examiner's mark in this period, by line id
    now: Figures | None
    proposed: Figures | None
    reasons: list[str]


def student_enrolments(deliberation: Deliberation, number: str):
    """The enrolments of student ``number`` in the committee's programmes in the year."""
    return _enrolments(deliberation).filter(student__number=number)


def student_sections(loaded: Loaded, lines: list[ISPLine], proposal: Proposal | None = None) -> list[Section]:
    """The student's standing per programme (``loaded`` for the student's enrolments, ``lines``
    their ISP lines of the year), as it is and with ``proposal`` (Art. 70)."""
    by_enrolment = defaultdict(list)
    for line in lines:
        by_enrolment[line.enrolment_id].append(line)
    sections = []
    for enrolment in loaded.enrolments:
        own = {line.pk for line in by_enrolment[enrolment.pk]}
        now = loaded.figures(enrolment)
        applies = proposal is not None and (proposal.line is None or proposal.line in own)
        postponed = [
            p for p in loaded.postponements.get(enrolment.student_id, []) if p.isp_line.enrolment_id == enrolment.pk
        ]
        sections.append(
            Section(
                enrolment=enrolment,
                lines=by_enrolment[enrolment.pk],
                examiner={pk: m.examiner for pk, m in loaded.marks.items() if pk in own},
                now=now,
                proposed=loaded.figures(enrolment, [proposal]) if applies and now is not None else None,
                reasons=reasons_for(now, postponed=postponed) if now is not None else [],
            )
        )
    return sections
