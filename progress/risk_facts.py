"""The facts the risk signals of Art. 28 are judged on (``progress.risk``), read for many
students at once in a fixed number of queries, and the pure step from those facts to the
signals (``signals_of``).

The facts are plain values (``exams.standing.Standing`` and a few numbers): the study progress
file, the coach's risk list (``progress.services.risk_refresh``) and the what-if preview (a copy
of the facts, changed) all judge from the same ``signals_of``, so they never disagree.

Which programmes are judged: those in which the student's latest year is the academic year under
way or the one before it (a student between two years still has a next enrolment to think of),
not refused, and whose programme the student has not passed yet.
"""

import dataclasses
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef

from exams.models import ProgrammeResult, ToleranceChoice
from exams.publication import publication_day_of, publication_read, with_publication
from exams.standing import TOLERANCE_CONTRACTS, Standing, YearInProgramme, standings_with
from programmes.models import AcademicYear, Course, ExamPeriod, Programme
from programmes.rules import THRESHOLD_KINDS
from students.ledger import balances
from students.models import Degree, Enrolment, EnrolmentStatus, LineOutcome, Measure, MeasureKind
from students.refusals import identical_groups

from . import risk


@dataclass
class ProgrammeFacts:
    """One programme of the student, as the signals read it."""

    standing: Standing
    # The year judged: the latest year in the programme (an element of ``standing.years``).
    current: YearInProgramme
    year_ended: bool
    under_binding_conditions: bool
    # The number of the latest exam period whose results reached the programme in ``current``'s year (0: none).
    last_period: int
    # Tolerable fails awaiting the student's choice, with the latest publication that opened a window.
    pending: list[risk.PendingChoice] = field(default_factory=list)
    # The next stage of the model route: (course id, credits) of its compulsory courses not obtained.
    next_stage: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class StudentRiskFacts:
    student_id: int
    balance: int
    holds_bachelor: bool
    programmes: dict[int, ProgrammeFacts]  # by programme id
    groups: dict[int, int]  # course id -> its identical-course group (Art. 31)
    # Every programme's standing (judged or not): an identical course failed in another
    # programme counts for a repeated failure (Art. 31).
    others: list[Standing] = field(default_factory=list)


def _first_year(code: str) -> int:
    return int(code[:4])


def current_year(today: datetime.date) -> AcademicYear | None:
    """The academic year under way on ``today`` (the latest started one)."""
    return AcademicYear.objects.filter(starts_on__lte=today).order_by("-starts_on").first()


def judged_students(*, today: datetime.date) -> list[int]:
    """The students whose risks are judged on ``today``: enrolled (not refused) in the academic
    year under way or the one before it."""
    years = list(
        AcademicYear.objects.filter(starts_on__lte=today).order_by("-starts_on").values_list("pk", flat=True)[:2]
    )
    return list(
        Enrolment.objects.filter(academic_year_id__in=years)
        .exclude(status=EnrolmentStatus.REFUSED)
        .values_list("student_id", flat=True)
        .distinct()
        .order_by("student_id")
    )


# The fields of a course ``risk_facts`` reads (a caller reading the courses itself reads at least
# these, ``Course.objects.filter(...).values(*COURSE_FIELDS)``: a course identical to several
# others comes once for each).
COURSE_FIELDS = ("pk", "programme_id", "stage", "credits", "elective", "identical_to")


def risk_facts(
    student_ids,
    *,
    today: datetime.date,
    balance: dict[int, int] | None = None,
    bachelors: set[int] | None = None,
    periods: list[ExamPeriod] | None = None,
    courses: list[dict] | None = None,
    measures: list[Measure] | None = None,
) -> dict[int, StudentRiskFacts]:
    """The facts of ``student_ids`` on ``today`` (a fixed number of queries, and two more per
    batch of the standings' loader; one more when a tolerable fail may await a choice). A
    student with no programme to judge has no entry.
    What the caller has read already, each a query fewer:

    - ``balance``: each student's learning-account balance (the sum of the entries,
      ``students.ledger.balances``);
    - ``bachelors``: the students holding a bachelor's degree on ``today``;
    - ``periods``: exam periods read by ``exams.publication.with_publication``, every period of
      their academic years; a judged year and programme they were not read for is read here;
    - ``courses``: every course (``COURSE_FIELDS``) of every programme the students have begun;
    - ``measures``: the students' measures not lifted (``students.refusals.open_measures``),
      binding conditions among them."""
    student_ids = sorted(set(student_ids))
    if not student_ids:
        return {}
    # The two academic years judged (the one under way and the one before it), as a subquery.
    recent_years = AcademicYear.objects.filter(starts_on__lte=today).order_by("-starts_on").values("pk")[:2]
    # The programmes each student has begun, with whether the student has passed it and whether
    # the student is enrolled in it in a recent year, in one query.
    pairs, passed, recent, programmes = set(), set(), set(), {}
    for programme in (
        Programme.objects.filter(
            enrolments__student_id__in=student_ids, enrolments__academic_year__starts_on__lte=today
        )
        .annotate(
            student_id=F("enrolments__student_id"),
            passed=Exists(
                ProgrammeResult.objects.filter(student_id=OuterRef("student_id"), programme_id=OuterRef("pk"))
            ),
            recent=Exists(
                Enrolment.objects.filter(
                    student_id=OuterRef("student_id"), programme_id=OuterRef("pk"), academic_year__in=recent_years
                )
            ),
        )
        .order_by()
        .distinct()
    ):
        key = (programme.student_id, programme.pk)
        pairs.add(key)
        if programme.passed:
            passed.add(key)
        if programme.recent:
            recent.add(key)
        programmes.setdefault(programme.pk, programme)
    if not pairs:
        return {}
    # The courses of those programmes, once: the standings' compulsory courses, the model
    # route's stages and the identical courses (Art. 31).
    if courses is None:
        courses = list(Course.objects.filter(programme_id__in={p for _s, p in pairs}).values(*COURSE_FIELDS))
    known, identical, stage_of = set(), [], {}
    compulsory: dict[int, set[int]] = defaultdict(set)
    stages: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for row in courses:  # in the courses' order (a stage's courses by code)
        course_id = row["pk"]
        if row["identical_to"] is not None:
            identical.append((course_id, row["identical_to"]))
        if course_id in known:
            continue
        known.add(course_id)
        stage_of[course_id] = row["stage"]
        if not row["elective"]:
            compulsory[row["programme_id"]].add(course_id)
            stages[row["programme_id"]][row["stage"]].append((course_id, row["credits"]))
    found = standings_with(pairs, programmes=programmes, compulsory=compulsory)
    judged: dict[tuple[int, int], YearInProgramme] = {}
    for key, standing in found.items():
        started = [y for y in standing.years if y.year_start <= today]
        # Its latest year is one of the two recent ones exactly when it has a year among them.
        if not started or key in passed or key not in recent:
            continue
        latest = max(started, key=lambda y: (y.year_start, y.enrolled_on, y.enrolment_id))
        if latest.status != EnrolmentStatus.REFUSED:
            judged[key] = latest
    if not judged:
        return {}
    ids = {s for s, _p in judged}
    if balance is None:
        balance = balances(ids)
    if bachelors is None:
        bachelors = set(
            Degree.objects.filter(student_id__in=ids, kind="bachelor", on__lte=today).values_list(
                "student_id", flat=True
            )
        )
    codes = {y.year_code for y in judged.values()}
    if measures is None:
        measures = Measure.objects.filter(
            student_id__in=ids, kind=MeasureKind.BINDING_CONDITIONS, lifted_on__isnull=True
        ).only("student_id", "kind", "programme_id", "from_year_code", "until_year_code", "lifted_on")
    bound = set()
    for measure in measures:
        if measure.kind != MeasureKind.BINDING_CONDITIONS or measure.lifted_on is not None:
            continue
        for code in codes:
            if measure.from_year_code <= code <= measure.until_year_code:
                bound.add((measure.student_id, measure.programme_id, code))
    # The latest exam period published for each (year, programme) judged: the periods of the
    # years judged with, in the same query, their publications (``exams.publication``); those
    # the caller read are not read again.
    wanted = {(y.year_id, p) for (_s, p), y in judged.items()}
    given: dict[int, list[ExamPeriod]] = defaultdict(list)
    for period in periods or ():
        given[period.academic_year_id].append(period)
    missing = {(y, p) for y, p in wanted if not given[y] or not all(publication_read(e, p) for e in given[y])}
    read: dict[int, list[ExamPeriod]] = defaultdict(list)
    if missing:
        for period in with_publication(
            ExamPeriod.objects.filter(academic_year_id__in={y for y, _p in missing}), {p for _y, p in missing}
        ):
            read[period.academic_year_id].append(period)
    last_period: dict[tuple[int, int], int] = defaultdict(int)
    publications: dict[tuple[int, int], list[datetime.date]] = defaultdict(list)
    for key in wanted:
        year_id, programme_id = key
        for period in (read if key in missing else given)[year_id]:
            day = publication_day_of(period, programme_id)
            if day is not None and day <= today:
                last_period[key] = max(last_period[key], period.number)
                publications[key].append(day)
    # Tolerable fails without a choice yet in the years judged (Art. 91 §2): the lines are the
    # standings' (read above); only the choices made of them by ``today`` are read, if any.
    candidates = [
        (y.enrolment_id, line)
        for y in judged.values()
        if y.contract in TOLERANCE_CONTRACTS
        for line in y.lines
        if not line.removed
        and not line.exempted
        and line.outcome == LineOutcome.TOLERABLE
        and line.tolerated_on is None
    ]
    chosen = (
        set(
            ToleranceChoice.objects.filter(isp_line_id__in=[line.id for _e, line in candidates], on__lte=today)
            .order_by()
            .values_list("isp_line_id", flat=True)
        )
        if candidates
        else set()
    )
    tolerable = defaultdict(list)
    for enrolment_id, line in candidates:
        if line.id not in chosen:
            tolerable[enrolment_id].append((line.code, line.credits))
    # The identical courses of every line read (a course outside the programmes read: read here).
    line_courses = {line.course_id for s in found.values() if s.student_id in ids for y in s.years for line in y.lines}
    groups = identical_groups(line_courses, pairs=identical if line_courses <= known else None)

    result: dict[int, StudentRiskFacts] = {}
    for (student_id, programme_id), current in sorted(judged.items()):
        standing = found[(student_id, programme_id)]
        year_key = (current.year_id, programme_id)
        opened = publications[year_key]
        pending = (
            [
                risk.PendingChoice(course=code, credits=credits, published_on=max(opened))
                for code, credits in tolerable[current.enrolment_id]
            ]
            if opened
            else []
        )
        done = {r.course for r in standing.records(current) if r.done}
        top = max((stage_of.get(line.course_id, 0) for line in current.active), default=0)
        next_stage = [(c, credits) for c, credits in stages[programme_id].get(top + 1, []) if c not in done]
        facts = result.setdefault(
            student_id,
            StudentRiskFacts(
                student_id=student_id,
                balance=balance.get(student_id, 0),
                holds_bachelor=student_id in bachelors,
                programmes={},
                groups=groups,
            ),
        )
        facts.programmes[programme_id] = ProgrammeFacts(
            standing=standing,
            current=current,
            year_ended=current.year_end < today,
            under_binding_conditions=(student_id, programme_id, current.year_code) in bound,
            last_period=last_period[year_key],
            pending=pending,
            next_stage=next_stage,
        )
    for (student_id, _programme_id), standing in found.items():
        if student_id in result:
            result[student_id].others.append(standing)
    return result


# --- From the facts to the signals (pure) ----------------------------------------------
def _failed(line, year: YearInProgramme, *, running: YearInProgramme | None) -> bool:
    """A line not obtained in its year: for a year over, any line not done (as the measures
    judge it); for the year under way, only once its result is out."""
    if line.done or line.exempted:
        return False
    if running is not None and year.enrolment_id == running.enrolment_id:
        return line.outcome in (LineOutcome.FAILED, LineOutcome.TOLERABLE)
    return True


def _repeated_failure_signals(facts: StudentRiskFacts, programme: ProgrammeFacts, *, today) -> list[risk.Signal]:
    standing, current = programme.standing, programme.current
    kind = standing.programme.kind
    running = None if programme.year_ended else current
    years_in_programme = [
        _first_year(y.year_code)
        for y in standing.years
        if y.year_start <= current.year_start and y.status != EnrolmentStatus.REFUSED
    ]
    package = standing.package if standing.threshold_applies else set()
    others = facts.others or [p.standing for p in facts.programmes.values()]
    group = facts.groups
    done_groups = {
        group.get(line.course_id, line.course_id)
        for s in others
        for y in s.years
        if y.year_start <= current.year_start
        for line in y.active
        if line.done
    }
    # Every course failed in a year of this programme and not obtained since.
    candidates = {}
    for y in standing.years:
        if y.year_start > current.year_start or y.status == EnrolmentStatus.REFUSED:
            continue
        for line in y.active:
            key = group.get(line.course_id, line.course_id)
            if key not in done_groups and _failed(line, y, running=running):
                candidates.setdefault(key, line)
    signals = []
    for key, line in sorted(candidates.items(), key=lambda kv: kv[1].code):
        in_package = line.course_id in package
        failed_years = {}
        for s in others:
            for y in s.years:
                if y.year_start > current.year_start or y.status == EnrolmentStatus.REFUSED:
                    continue
                for other in y.active:
                    if group.get(other.course_id, other.course_id) == key and _failed(other, y, running=running):
                        failed_years[y.year_id] = risk.FailedYear(_first_year(y.year_code), y.contract, y.efficiency)
        retaking = running is not None and any(
            group.get(other.course_id, other.course_id) == key and other.outcome == LineOutcome.PENDING
            for other in current.active
        )
        first = _first_year(current.year_code)
        signal = risk.repeated_failure_signal(
            programme=standing.programme.code,
            programme_kind=kind,
            contract=current.contract,
            course=line.code,
            failed_years=list(failed_years.values()),
            years_in_programme=years_in_programme,
            in_threshold_package=in_package,
            next_year=first if retaking else first + 1,
            computed_on=today,
        )
        if signal is not None:
            signals.append(signal)
    return signals


def next_year_credits(programme: ProgrammeFacts) -> int:
    """Next year's ISP as the learning-account signal assumes it (``risk.NEXT_YEAR_ISP_ASSUMPTION``):
    the courses failed and not tolerated, and the next stage of the model route not obtained."""
    records = programme.standing.records(programme.current)
    retake = [r.credits for r in records if not r.done and not r.exempted and r.mark is not None]
    retake_ids = {r.course for r in records if not r.done and r.mark is not None}
    stage = [credits for course_id, credits in programme.next_stage if course_id not in retake_ids]
    return risk.next_year_isp_credits(retake_credits=retake, next_stage_credits=stage)


def signals_of(facts: StudentRiskFacts, *, today: datetime.date) -> list[risk.Signal]:
    """Every risk signal of the student on ``today``, most urgent first (``risk.by_urgency``)."""
    signals = []
    for programme in facts.programmes.values():
        standing, current = programme.standing, programme.current
        code, kind = standing.programme.code, standing.programme.kind
        tolerance = standing.tolerance(current)
        left = tolerance["left"] if tolerance else 0
        if kind in THRESHOLD_KINDS and standing.threshold_applies:
            package = standing.package_records(current)
            codes = {line.course_id: line.code for y in standing.years for line in y.lines}
            signals.append(
                risk.threshold_signal(
                    programme=code,
                    programme_kind=kind,
                    contract=current.contract,
                    status=current.status,
                    # By course code: the grounds name the courses.
                    package=[dataclasses.replace(r, course=codes.get(r.course, r.course)) for r in package],
                    years_enrolled=standing.years_enrolled(current),
                    year_ended=programme.year_ended,
                    tolerance_left=left,
                    computed_on=today,
                )
            )
        signals += _repeated_failure_signals(facts, programme, today=today)
        starter = standing.years[0].enrolment_id == current.enrolment_id
        # Once the year has ended its Art. 29 measures are taken: a measure, no longer a risk.
        signals.append(
            None
            if programme.year_ended
            else risk.associate_signal(
                programme=code,
                programme_kind=kind,
                starter=starter,
                under_binding_conditions=programme.under_binding_conditions,
                efficiency=current.efficiency,
                last_period=programme.last_period,
                computed_on=today,
            )
        )
        records = standing.records(current)
        obtained = sum(r.credits for r in records if r.done)
        signals.append(
            risk.learning_account_signal(
                programme=code,
                programme_kind=kind,
                contract=current.contract,
                holds_bachelor=facts.holds_bachelor,
                balance=facts.balance,
                isp_credits=next_year_credits(programme),
                credits_left_to_degree=max(0, standing.programme.credits - obtained),
                computed_on=today,
            )
        )
        if tolerance is not None and programme.pending:
            signals.append(
                risk.tolerance_signal(
                    programme=code,
                    pending=programme.pending,
                    tolerance_left=left,
                    efficiency=current.efficiency,
                    today=today,
                )
            )
    return risk.by_urgency(s for s in signals if s is not None)


def student_signals(student_id: int, *, today: datetime.date) -> list[risk.Signal]:
    """The risk signals of one student on ``today`` (the study progress file)."""
    facts = risk_facts([student_id], today=today).get(student_id)
    return [] if facts is None else signals_of(facts, today=today)
