"""The examination committees of the demo college (issue 15; Art. 68-75, 82), loaded by
``manage.py load_demo`` after the import and before the timeline runs, so that the publications
apply the committees' adopted decisions (``exams.services.results_publish``, exactly once).

Everything goes through ``committee.services`` with the dates it happened on; nothing dated
after ``today`` is decided. Choices are deterministic (ordered queries: student number, course
code).

**Composition** (Art. 68), every academic year that has started by ``today``: one committee per
cluster used, approved 22 days after the year starts, with the cluster's programmes:

- *Health Care* (BA-NURS, BANABA-EMC): chair Jan Maes (demo user ``committee``), secretary Griet
  Vandenberghe (demo user ``secretary``, head of BANABA-EMC), members Hilde Van Damme and Koen
  Mertens (BA-NURS) and Bart Hendrickx (BANABA-EMC), substitutes Dirk Wouters (chair) and Ann
  Coppens (secretary);
- *Business Management* (cluster "Business and Management": GR-ACC): chair Luc Jacobs, secretary
  Inge Goethals, members Pieter Smets and Nathalie Segers, substitutes Wim Bogaert and Karen Heylen;
- *Education* (BA-LO): chair Veerle Geerts, secretary Tom Verbeke, members Sarah Aerts, Joris De
  Smet and Eva Nys, substitutes Filip Cools and Lies Daems;
- the demo ombudsperson Marc Verhoeven (user ``ombudsperson``) is the advisory member of each.

**Past deliberations**: every exam period published before ``today`` is deliberated by each
committee on the last working day before the publication (the exams end one or two working days
before it, so "a few days" is one), in a room, or online for the August-September period (every
attendant online). Everybody with a seat attends, the substitutes only when they replace; a
member is excused in every fourth deliberation (in the order period, committee: the 3rd, 7th,
...), and in Education's deliberation on 2025-2026 period 2 the chair is excused and the chair's
substitute replaces her. Each deliberation is closed the same day and its report signed by the
chair (or the substitute who replaced her) at 17:00 and the secretary at 17:15.

**Decisions** in Health Care's past deliberations (Art. 70). A decision the publication applies
is taken on a "clean" result only: the line's last result that year, a whole mark (no parts), no
tolerance choice on it, and the course not taken again in a later year, so that the rest of the
imported history stays consistent; and each on a student without another applied decision (but
for the tolerance beyond the credit, rare enough to take any student not decided on in that
meeting). In each deliberation, where a candidate exists (the first by student number, course
code):

- *mark adjusted*: a clean result of 9 raised to 10 after the examiner was heard that morning;
- *intolerable fail considered tolerable*: a clean result of 5-7 in a tolerable course;
- *beyond the tolerance credit*: a clean result of 8 or 9 in a tolerable course of a student
  whose tolerable fails of the year, up to the period, need more credits than the tolerance
  credit (``exams.rules.tolerance_credit``); the ombudsperson asks for a vote, which ties (half
  for, half against, an odd one out abstains): adopted, the proposal being the more favourable to
  the student (Art. 75);
- *level of achievement awarded*: a BANABA-EMC student (a one-year programme; one enrolment in
  it) whose results up to the period pass the programme (``exams.rules.programme_passed``, no
  tolerance needed) with their last result in the period, and whose percentage is within one
  point of the next level (``committee.rules.level_in_reach``): the next level is awarded;
- *a recusal and a rejected proposal*: the first member present who is neither chair nor
  secretary is a relative of the first student with a result of 3-6 in the period (not 7: the
  automatic tolerance's 7/20 exception would blur the story; a different student each time);
  another member proposes to consider that fail tolerable and asks for a vote: the proposer for,
  the others against: rejected, nothing applied.

In the demo as ``make demo`` loads it (seed 2026, 300 students, today 2 December 2026) that gives
(student, course, mark):

- 2024-2025 period 1: tolerated r0839047 NUR101 7; rejected r0808194 NUR103 6;
- 2024-2025 period 2: mark adjusted r0863807 EMC08 9 → 10; level r0872807 magna cum laude
  (76.49 %); rejected r0821261 NUR109 6;
- 2024-2025 period 3 (Koen Mertens excused): level r0867246 magna cum laude (76.05 %); rejected
  r0888489 NUR109 3;
- 2025-2026 period 1: mark adjusted r0821261 NUR203 9 → 10; tolerated r0888489 NUR104 7; rejected
  r0859786 NUR101 6;
- 2025-2026 period 2: mark adjusted r0815024 EMC10 9 → 10; tolerated r0859786 NUR208 6; rejected
  r0884794 NUR110 5;
- 2025-2026 period 3: mark adjusted r0879234 NUR292 9 → 10; beyond the credit r0888489 NUR101 9
  (20 credits of tolerable fails, a credit of 12; 2 for, 2 against, 1 abstention); rejected
  r0913752 EMC03 6 (no intolerable fail considered tolerable: the clean ones are of students
  decided on before; who fails in August mostly takes the course again in 2026-2027);

Hilde Van Damme is the recused relative each time. In Education's deliberation on the last
January period published (2025-2026), a file of special circumstances indicated by the
ombudsperson, on the first BA-LO student with a result then (r0801514, LO201).

**The next exam period** after ``today`` (January 2027 for the demo): each committee's
deliberation is prepared (status "to prepare"), meeting on the last working day before the
publication (Monday 1 February 2027), with one file each on the first enrolled student by number
with a first-semester course (on that course) who has no file yet: Health Care a suspected
irregularity indicated by the chair, Business Management and Education special circumstances
indicated by the ombudsperson.

The history rows of what the committees wrote are dated on the day it happened (the meeting,
the approval, the signatures), so the report's "decided on" reads the meeting day.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from committee import report, rules, services
from committee.models import (
    Attendance,
    CaseFile,
    Committee,
    CommitteeCluster,
    Decision,
    Deliberation,
    DeliberationStatus,
    Hearing,
    Member,
    Recusal,
    Report,
)
from exams import rules as exam_rules
from exams.models import Result, ToleranceChoice
from programmes.models import AcademicYear, ExamPeriod, Programme
from students.models import Enrolment, ISPLine

DAY = datetime.timedelta(days=1)
APPROVED_AFTER = 22 * DAY
ZONE = ZoneInfo(settings.TIME_ZONE)

# Seat roles.
CHAIR, SECRETARY, MEMBER = rules.Role.CHAIR, rules.Role.SECRETARY, rules.Role.MEMBER
OMBUDSPERSON = rules.Role.OMBUDSPERSON
CHAIR_SUBSTITUTE, SECRETARY_SUBSTITUTE = rules.Role.CHAIR_SUBSTITUTE, rules.Role.SECRETARY_SUBSTITUTE


@dataclass(frozen=True)
class Seat:
    name: str
    role: rules.Role
    programme: str | None = None  # the programme headed
    username: str | None = None  # a demo user


@dataclass(frozen=True)
class CommitteeSpec:
    name: str
    clusters: tuple[str, ...]
    room: str
    seats: tuple[Seat, ...]


OMBUDS_SEAT = Seat("Marc Verhoeven", OMBUDSPERSON, username="ombudsperson")
COMMITTEES = (
    CommitteeSpec(
        "Health Care",
        ("Health Care",),
        "Campus Zorg, room Z.1.05",
        (
            Seat("Jan Maes", CHAIR, username="committee"),
            Seat("Griet Vandenberghe", SECRETARY, "BANABA-EMC", username="secretary"),
            Seat("Hilde Van Damme", MEMBER, "BA-NURS"),
            Seat("Koen Mertens", MEMBER, "BA-NURS"),
            Seat("Bart Hendrickx", MEMBER, "BANABA-EMC"),
            Seat("Dirk Wouters", CHAIR_SUBSTITUTE),
            Seat("Ann Coppens", SECRETARY_SUBSTITUTE, "BA-NURS"),
            OMBUDS_SEAT,
        ),
    ),
    CommitteeSpec(
        "Business Management",
        ("Business and Management",),
        "Campus Centrum, room B.0.12",
        (
            Seat("Luc Jacobs", CHAIR),
            Seat("Inge Goethals", SECRETARY, "GR-ACC"),
            Seat("Pieter Smets", MEMBER, "GR-ACC"),
            Seat("Nathalie Segers", MEMBER, "GR-ACC"),
            Seat("Wim Bogaert", CHAIR_SUBSTITUTE),
            Seat("Karen Heylen", SECRETARY_SUBSTITUTE, "GR-ACC"),
            OMBUDS_SEAT,
        ),
    ),
    CommitteeSpec(
        "Education",
        ("Education",),
        "Campus Centrum, room L.2.03",
        (
            Seat("Veerle Geerts", CHAIR),
            Seat("Tom Verbeke", SECRETARY, "BA-LO"),
            Seat("Sarah Aerts", MEMBER, "BA-LO"),
            Seat("Joris De Smet", MEMBER, "BA-LO"),
            Seat("Eva Nys", MEMBER, "BA-LO"),
            Seat("Filip Cools", CHAIR_SUBSTITUTE),
            Seat("Lies Daems", SECRETARY_SUBSTITUTE, "BA-LO"),
            OMBUDS_SEAT,
        ),
    ),
)
HEALTH_CARE = "Health Care"
# The one meeting the chair misses: (committee, academic year, exam period number).
CHAIR_REPLACED = ("Education", "2025-2026", 2)
EXCUSED_EVERY = 4  # a member is excused in the 3rd, 7th, ... deliberation
ONLINE_PERIOD = 3  # the August-September period meets online
LEVELS = [(threshold, level) for threshold, level in exam_rules.LEVELS]


def _moment(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ZONE)


def _dated(history, moment: datetime.datetime) -> None:
    """Date the history rows ``history`` (a queryset of historical records) at ``moment``."""
    history.update(history_date=moment)


def _meets_on(period: ExamPeriod) -> datetime.date:
    """The last working day before the publication, after the exams (Art. 69, 71)."""
    day = rules.working_days_before(period.results_published_on, 1)
    return max(day, period.ends_on + DAY)


# --------------------------------------------------------------------------- composition
def _compose(spec: CommitteeSpec, year: AcademicYear, today: datetime.date) -> Committee | None:
    """The committee ``spec`` of ``year`` (Art. 68), made once."""
    committee = Committee.objects.filter(academic_year=year, name=spec.name).first()
    if committee is not None:
        return committee
    if CommitteeCluster.objects.filter(academic_year=year, cluster__in=spec.clusters).exists():
        return None  # the admin composed another committee for the cluster
    approved_on = year.starts_on + APPROVED_AFTER
    committee = Committee.objects.create(
        academic_year=year, name=spec.name, approved_on=approved_on if approved_on <= today else None
    )
    for cluster in spec.clusters:
        CommitteeCluster.objects.create(committee=committee, cluster=cluster)
    users = {u.username: u for u in get_user_model().objects.filter(username__in=[s.username for s in spec.seats])}
    programmes = {p.code: p for p in Programme.objects.all()}
    for seat in spec.seats:
        Member.objects.create(
            committee=committee,
            name=seat.name,
            role=seat.role,
            user=users.get(seat.username),
            programme=programmes.get(seat.programme),
        )
    day = min(approved_on, today)
    moment = _moment(day, 10)
    _dated(Committee.history.filter(id=committee.pk), moment)
    _dated(CommitteeCluster.history.filter(committee_id=committee.pk), moment)
    _dated(Member.history.filter(committee_id=committee.pk), moment)
    return committee


def _seat(committee: Committee, role: rules.Role) -> Member | None:
    return committee.members.filter(role=role).order_by("pk").first()


# --------------------------------------------------------------------------- choosing students
def _results(period: ExamPeriod, committee: Committee):
    """The period's results in the committee's programmes, of students still enrolled on a degree
    contract, by student number and course code."""
    return (
        Result.objects.filter(
            exam_period=period,
            isp_line__enrolment__programme__cluster__in=committee.clusters.values("cluster"),
            isp_line__enrolment__contract="degree",
            isp_line__enrolment__deregistered_on__isnull=True,
            isp_line__removed_on__isnull=True,
            isp_line__course__pass_fail=False,
        )
        .select_related(
            "exam_period", "isp_line__course", "isp_line__enrolment__student", "isp_line__enrolment__programme"
        )
        .order_by("isp_line__enrolment__student__number", "isp_line__course__code", "opportunity")
    )


def _clean(results, period: ExamPeriod):
    """Results a publication may change without making the imported history inconsistent: the
    line's last result that year, a whole mark, no tolerance choice, the course not taken again
    in a later year."""
    later = Result.objects.filter(isp_line=OuterRef("isp_line"), exam_period__number__gt=period.number)
    again = ISPLine.objects.filter(
        enrolment__student=OuterRef("isp_line__enrolment__student"),
        course=OuterRef("isp_line__course"),
        enrolment__academic_year__starts_on__gt=period.academic_year.starts_on,
    )
    chosen = ToleranceChoice.objects.filter(isp_line=OuterRef("isp_line"))
    return (
        results.filter(parts__isnull=True, score__isnull=False)
        .exclude(Exists(later))
        .exclude(Exists(again))
        .exclude(Exists(chosen))
    )


def _first(results, used: set[int]) -> Result | None:
    for result in results:
        student = result.isp_line.enrolment.student_id
        if student not in used:
            used.add(student)
            return result
    return None


def _mark(result: Result):
    if result.score is not None:
        return result.score
    if result.grade:
        return result.grade
    parts = [(p.credits, p.score) for p in result.parts.all()]
    return exam_rules.mark_from_parts(parts) if parts else None


def _level_candidate(period: ExamPeriod, used: set[int]):
    """A BANABA-EMC student who passes the programme at this period's publication with a
    percentage within one point of the next level (Art. 70, 81), or None; the first by number."""
    programme = Programme.objects.filter(code="BANABA-EMC").first()
    if programme is None:
        return None
    compulsory = set(programme.courses.filter(elective=False).values_list("pk", flat=True))
    enrolments = (
        Enrolment.objects.filter(
            academic_year=period.academic_year,
            programme=programme,
            contract="degree",
            deregistered_on__isnull=True,
        )
        .select_related("student")
        .order_by("student__number")
    )
    for enrolment in enrolments:
        if enrolment.student_id in used:
            continue
        if Enrolment.objects.filter(student_id=enrolment.student_id, programme=programme).count() != 1:
            continue
        records, last_period = [], 0
        for line in enrolment.lines.filter(removed_on__isnull=True).select_related("course"):
            results = list(
                line.results.filter(exam_period__number__lte=period.number)
                .select_related("exam_period")
                .prefetch_related("parts")
                .order_by("exam_period__number", "opportunity")
            )
            mark = exam_rules.final_mark([_mark(r) for r in results]) if results else None
            last_period = max([last_period, *(r.exam_period.number for r in results)])
            records.append(
                exam_rules.CourseRecord(
                    course=line.course_id,
                    credits=line.course.credits,
                    mark=mark,
                    passed=exam_rules.is_pass(mark),
                    exempted=line.exempted,
                    tolerable_course=line.course.tolerable,
                    pass_fail=line.course.pass_fail,
                    elective=line.course.elective,
                )
            )
        if last_period != period.number:
            continue
        if not exam_rules.programme_passed(programme_credits=programme.credits, compulsory=compulsory, records=records):
            continue
        percentage = exam_rules.programme_percentage(records)
        level = rules.level_in_reach(percentage, LEVELS)
        if level is not None:
            used.add(enrolment.student_id)
            return enrolment.student, percentage, level
    return None


def _beyond_candidate(results, here: set[int]):
    """The first result of ``results`` whose student's tolerable fails of the year, up to the
    period, need more than the tolerance credit (Art. 91 §1: ``exams.rules.tolerance_credit`` with
    the year's exemptions; tolerance used in earlier years only makes it more so): (result,
    credits needed, credit), or None. A student may have an applied decision in another period."""
    for result in results:
        enrolment = result.isp_line.enrolment
        if enrolment.student_id in here:
            continue
        programme = enrolment.programme
        period = result.exam_period
        lines = list(enrolment.lines.filter(removed_on__isnull=True).select_related("course"))
        needed = 0
        for line in lines:
            last = (
                line.results.filter(exam_period__number__lte=period.number)
                .order_by("-exam_period__number", "-opportunity")
                .first()
            )
            if last is not None and line.course.tolerable and last.score in (8, 9):
                needed += line.course.credits
        # A starter has fewer than 60 credits passed or exempted in the programme before this year.
        earlier = ISPLine.objects.filter(
            enrolment__student_id=enrolment.student_id,
            enrolment__programme=programme,
            enrolment__academic_year__starts_on__lt=enrolment.academic_year.starts_on,
            removed_on__isnull=True,
        ).filter(Q(exempted=True) | Q(results__score__gte=10) | Q(results__grade="P"))
        done = sum(earlier.distinct().values_list("course__credits", flat=True))
        credit = exam_rules.tolerance_credit(
            programme_credits=programme.credits,
            exempted_credits=sum(line.course.credits for line in lines if line.exempted),
            cap=programme.tolerance_cap,
            programme_kind=programme.kind,
            starter=done < exam_rules.STARTER_CREDITS,
        )
        if needed > credit:
            return result, needed, credit
    return None


# --------------------------------------------------------------------------- a past deliberation
def _attend(deliberation: Deliberation, committee: Committee, *, index: int, online: bool, by) -> list[Member]:
    """Record the attendance (Art. 71); returns the members with a vote at the meeting."""
    members = list(committee.members.order_by("pk"))
    presence = "online" if online else "present"
    excused: set[int] = set()
    replaced = {}
    key = (committee.name, deliberation.exam_period.academic_year.code, deliberation.exam_period.number)
    if key == CHAIR_REPLACED:
        chair = _seat(committee, CHAIR)
        substitute = _seat(committee, CHAIR_SUBSTITUTE)
        if chair and substitute:
            excused.add(chair.pk)
            replaced[substitute.pk] = chair
    elif index % EXCUSED_EVERY == EXCUSED_EVERY - 2:
        ordinary = [m for m in members if m.role == MEMBER]
        if ordinary:
            excused.add(ordinary[(index // EXCUSED_EVERY) % len(ordinary)].pk)
    for member in members:
        if member.pk in excused:
            services.attendance_record(deliberation=deliberation, member=member, presence="excused", by=by)
        elif member.role in (CHAIR_SUBSTITUTE, SECRETARY_SUBSTITUTE):
            if member.pk in replaced:
                services.attendance_record(
                    deliberation=deliberation, member=member, presence=presence, replaces=replaced[member.pk], by=by
                )
        else:
            services.attendance_record(deliberation=deliberation, member=member, presence=presence, by=by)
    voting = rules.voters(services.seats(deliberation))
    return [m for m in members if m.pk in voting]


def _tie(voters: list[Member]) -> dict[Member, str]:
    """Half for, half against; an odd one out abstains (not counted, Art. 75)."""
    half = len(voters) // 2
    ballots = dict.fromkeys(voters[:half], "for")
    ballots |= dict.fromkeys(voters[half : 2 * half], "against")
    ballots |= dict.fromkeys(voters[2 * half :], "abstain")
    return ballots


def _health_care_decisions(
    deliberation: Deliberation, committee: Committee, voters: list[Member], used: set[int], rejected: set[int], by
) -> None:
    """The decisions of Art. 70 in a Health Care deliberation (see the module's docstring)."""
    period = deliberation.exam_period
    day = deliberation.meets_on
    results = _results(period, committee)
    chair = _seat(committee, CHAIR)
    secretary = _seat(committee, SECRETARY)
    ombudsperson = _seat(committee, OMBUDSPERSON)

    raised = _first(_clean(results.filter(score=9), period), used)
    if raised is not None:
        line = raised.isp_line
        services.hearing_record(
            deliberation=deliberation,
            kind="examiner",
            student=line.enrolment.student,
            course=line.course,
            heard=f"The examiner of {line.course.code}",
            held_on=day,
            present=f"{chair.name} (chair), {ombudsperson.name} (ombudsperson)",
            notes="The examiner confirms that question 4 was marked on 2 points instead of 4.",
            by=by,
        )
        services.decision_record(
            deliberation=deliberation,
            student=line.enrolment.student,
            kind="mark_adjusted",
            isp_line=line,
            new_score=10,
            reason=(
                "Question 4 was marked on 2 points instead of the 4 announced; the examiner, heard this "
                "morning, agrees that the mark is clearly unreasonable: 10/20."
            ),
            by=by,
        )

    tolerated = _first(_clean(results.filter(score__in=(5, 6, 7), isp_line__course__tolerable=True), period), used)
    if tolerated is not None:
        line = tolerated.isp_line
        services.decision_record(
            deliberation=deliberation,
            student=line.enrolment.student,
            kind="tolerated",
            isp_line=line,
            reason=(
                f"A fail of {tolerated.score}/20; the student was ill during the preparation (medical "
                "certificate in the ombudsperson's file). The committee considers it tolerable, within the "
                "tolerance credit."
            ),
            by=by,
        )

    here = set(deliberation.decisions.values_list("student_id", flat=True))
    beyond = _beyond_candidate(_clean(results.filter(score__in=(8, 9), isp_line__course__tolerable=True), period), here)
    if beyond is not None:
        result, needed, credit = beyond
        line = result.isp_line
        used.add(line.enrolment.student_id)
        decision = services.decision_record(
            deliberation=deliberation,
            student=line.enrolment.student,
            kind="beyond_credit",
            isp_line=line,
            reason=(
                f"Tolerable fails of {needed} credits this year, more than the tolerance credit of {credit}; on "
                f"the programme head's proposal the committee tolerates this one ({result.score}/20) beyond the "
                "credit: the internship mentors confirm the competences the course assesses."
            ),
            vote_requested_by=ombudsperson,
            by=by,
        )
        services.votes_record(decision=decision, ballots=_tie(voters), by=by)

    level = _level_candidate(period, used)
    if level is not None:
        student, percentage, awarded = level
        services.decision_record(
            deliberation=deliberation,
            student=student,
            kind="level_awarded",
            level=awarded,
            reason=(
                f"A programme percentage of {float(percentage):.2f} %, within one point of the threshold; on "
                "the programme head's proposal, for the quality of the final paper and the internships."
            ),
            by=by,
        )

    # Not applied: the student may have an applied decision in another period, not another refusal.
    refused = _first(results.filter(score__in=(3, 4, 5, 6)), used | rejected)
    if refused is not None:
        line = refused.isp_line
        student = line.enrolment.student
        rejected.add(student.pk)
        relative = next((m for m in voters if m.role == MEMBER), None)
        if relative is not None:
            services.recusal_record(
                deliberation=deliberation, member=relative, student=student, ground="relative", by=by
            )
        voting = [m for m in voters if m != relative]
        proposer = next((m for m in voting if m.role == MEMBER), secretary)
        decision = services.decision_record(
            deliberation=deliberation,
            student=student,
            kind="tolerated",
            isp_line=line,
            reason=(
                f"Proposed by a member: consider the fail ({refused.score}/20) tolerable, as the student "
                "works 20 hours a week."
            ),
            vote_requested_by=proposer,
            by=by,
        )
        ballots = {m: ("for" if m == proposer else "against") for m in voting}
        services.votes_record(decision=decision, ballots=ballots, by=by)


def _circumstances(deliberation: Deliberation, committee: Committee, by) -> None:
    """Education: a file of special individual circumstances from the ombudsperson (Art. 69)."""
    result = _results(deliberation.exam_period, committee).first()
    ombudsperson = _seat(committee, OMBUDSPERSON)
    if result is None or ombudsperson is None:
        return
    services.case_file_open(
        deliberation=deliberation,
        kind="circumstances",
        student=result.isp_line.enrolment.student,
        course=result.isp_line.course,
        description=(
            "The student's father died in the second week of the exam period; the student sat the "
            "remaining exams. The ombudsperson asks the committee to take it into account."
        ),
        indicated_by=ombudsperson,
        by=by,
    )


def _date_meeting(deliberation: Deliberation, moment: datetime.datetime) -> None:
    _dated(Deliberation.history.filter(id=deliberation.pk), moment)
    for model in (Attendance, Hearing, Decision, Recusal, CaseFile):
        _dated(model.history.filter(deliberation_id=deliberation.pk), moment)


def _sign(deliberation: Deliberation, committee: Committee, by_user: dict) -> None:
    """The chair (or the substitute who replaced her) and the secretary sign the report (Art. 82)."""
    day = deliberation.meets_on
    attendance = {a.member_id: a for a in deliberation.attendance.all()}
    signers = []
    for seat, substitute, minute in ((CHAIR, CHAIR_SUBSTITUTE, 0), (SECRETARY, SECRETARY_SUBSTITUTE, 15)):
        member = _seat(committee, seat)
        stand_in = _seat(committee, substitute)
        if stand_in is not None and stand_in.pk in attendance and attendance[stand_in.pk].replaces_id:
            member = stand_in
        signers.append((member, _moment(day, 17, minute)))
    for member, at in signers:
        signed = services.report_sign(
            deliberation=deliberation,
            member=member,
            content=report.report_content(deliberation),
            at=at,
            by=by_user.get(member.user_id),
        )
        _dated(Report.history.filter(id=signed.pk, history_date__gt=at), at)


def _deliberate(
    committee: Committee,
    period: ExamPeriod,
    *,
    index: int,
    used: set[int],
    rejected: set[int],
    by_user: dict,
    with_file: bool,
) -> None:
    """A past deliberation: opened, attended, decided, closed and signed on its meeting day."""
    meets_on = _meets_on(period)
    online = period.number == ONLINE_PERIOD
    deliberation = Deliberation.objects.create(
        committee=committee, exam_period=period, meets_on=meets_on, place="online" if online else _room(committee)
    )
    secretary = _seat(committee, SECRETARY)
    by = by_user.get(secretary.user_id) if secretary else None
    services.deliberation_open(deliberation=deliberation, on=meets_on, by=by)
    voters = _attend(deliberation, committee, index=index, online=online, by=by)
    if committee.name == HEALTH_CARE:
        _health_care_decisions(deliberation, committee, voters, used, rejected, by)
    if committee.name == "Education" and with_file:
        _circumstances(deliberation, committee, by)
    services.deliberation_close(deliberation=deliberation, on=meets_on, by=by)
    _date_meeting(deliberation, _moment(meets_on, 14))
    _sign(deliberation, committee, by_user)


def _room(committee: Committee) -> str:
    spec = next((s for s in COMMITTEES if s.name == committee.name), None)
    return spec.room if spec else ""


# --------------------------------------------------------------------------- the next period
def _prepare(committee: Committee, period: ExamPeriod, *, today: datetime.date, by_user: dict) -> None:
    """The deliberation on the next period, to prepare, with one file (Art. 69)."""
    deliberation = Deliberation.objects.create(
        committee=committee, exam_period=period, meets_on=_meets_on(period), place=_room(committee)
    )
    health_care = committee.name == HEALTH_CARE
    indicated_by = _seat(committee, CHAIR if health_care else OMBUDSPERSON)
    line = (
        ISPLine.objects.filter(
            enrolment__academic_year=period.academic_year,
            enrolment__programme__cluster__in=committee.clusters.values("cluster"),
            enrolment__deregistered_on__isnull=True,
            removed_on__isnull=True,
            exempted=False,
            course__semester="1",
        )
        .exclude(enrolment__student__in=CaseFile.objects.values("student"))
        .select_related("course", "enrolment__student")
        .order_by("enrolment__student__number", "course__code")
        .first()
    )
    if line is not None and indicated_by is not None:
        if health_care:
            kind, description = (
                "irregularity",
                "The examiner reports that the paper handed in for this course overlaps for 40 % with a "
                "paper of last year; the chair puts the file before the committee.",
            )
        else:
            kind, description = (
                "circumstances",
                "Admitted to hospital for ten days in December; the student asks the committee to take the "
                "missed preparation into account (certificate with the ombudsperson).",
            )
        services.case_file_open(
            deliberation=deliberation,
            kind=kind,
            student=line.enrolment.student,
            course=line.course,
            description=description,
            indicated_by=indicated_by,
            by=by_user.get(indicated_by.user_id),
        )
    moment = _moment(today, 9)
    _dated(Deliberation.history.filter(id=deliberation.pk), moment)
    _dated(CaseFile.history.filter(deliberation_id=deliberation.pk), moment)


# --------------------------------------------------------------------------- entry point
def load_demo_committees(*, today: datetime.date) -> dict:
    """The committees, their past deliberations and the next ones to prepare; returns counts."""
    User = get_user_model()
    years = list(AcademicYear.objects.filter(starts_on__lte=today).order_by("starts_on"))
    committees: dict[int, list[Committee]] = {}
    for year in years:
        made = [_compose(spec, year, today) for spec in COMMITTEES]
        committees[year.pk] = [c for c in made if c is not None]
    by_user = {u.pk: u for u in User.objects.filter(committee_seats__isnull=False).distinct()}

    periods = list(
        ExamPeriod.objects.filter(academic_year__in=years)
        .select_related("academic_year")
        .order_by("results_published_on", "pk")
    )
    past = [p for p in periods if p.results_published_on < today]
    januaries = [p.pk for p in past if p.number == 1]
    used: set[int] = set()  # students with a decision the publication applies
    rejected: set[int] = set()  # students of a rejected proposal
    index = 0
    for period in past:
        for committee in committees.get(period.academic_year_id, []):
            if Deliberation.objects.filter(committee=committee, exam_period=period).exists():
                continue
            if not _results(period, committee).exists():
                continue
            _deliberate(
                committee,
                period,
                index=index,
                used=used,
                rejected=rejected,
                by_user=by_user,
                with_file=bool(januaries) and period.pk == januaries[-1],
            )
            index += 1
    upcoming = next(
        (p for p in ExamPeriod.objects.filter(results_published_on__gte=today).order_by("results_published_on")),
        None,
    )
    if upcoming is not None:
        for committee in committees.get(upcoming.academic_year_id, []):
            if not Deliberation.objects.filter(committee=committee, exam_period=upcoming).exists():
                _prepare(committee, upcoming, today=today, by_user=by_user)
    return {
        "committees": Committee.objects.count(),
        "deliberations": Deliberation.objects.filter(status=DeliberationStatus.CLOSED).count(),
        "to prepare": Deliberation.objects.filter(status=DeliberationStatus.PREPARED).count(),
        "decisions": Decision.objects.count(),
    }
