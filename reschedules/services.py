"""The ombudsperson's work (Art. 43, 46, 48, 50-51, 56-59, 97; DOMAIN §6): reschedule
requests logged, checked against their deadline and eligibility, decided, the missed
new moment of a force-majeure request, and the annual report.

Writes are keyword-only, transactional and name who did them (``by``); the rules are in
``reschedules.rules``. A refused write raises ``RequestRefused`` with the rule's
message and changes nothing.

What the student must be told is announced in the write's transaction
(``core.events.decision_announce``, DOMAIN §11): a decision on a request, with its new
moment (``reschedule_decided``, Art. 43, 50, 57; also the ruling on a missed new moment),
and an individual moment set or withdrawn (``exam_schedule_changed``, Art. 41, 43).
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core import events
from core.audit import audited_save
from core.errors import Problem, RefusedValidationError
from core.history import register_reasons, stored_reason
from core.validators import OUT_OF_RANGE, plausible
from exams.models import Result
from exams.publication import is_published
from exams.results import result_record
from programmes.facts import year_calendar
from programmes.models import AcademicYear, Assignment, AssignmentRole, Course, ExamPeriod
from students.models import Enrolment, ISPLine, Student

from . import rules
from .models import (
    DEFAULT_DURATION,
    ExamMoment,
    IndividualMoment,
    MomentSource,
    OmbudsReport,
    RequestKind,
    RequestStatus,
    RescheduleRequest,
    SpecialStatus,
)
from .schedule import ScheduledExam, exam_schedule

FINDING_MESSAGES = {
    "force_majeure_late": _(
        "Late: force majeure is reported before the end of the exam (Art. 43); the exam was on %(exam_on)s."
    ),
    "religious_holiday_late": _(
        "Late: a request for a religious holiday comes within 7 days after the exam schedule is announced "
        "(Art. 43), so by %(deadline)s."
    ),
    "deferral_period_1_late": _(
        "Late: an exam deferral for exam period 1 is requested at the latest on %(first_semester_lock)s (Art. 50)."
    ),
    "deferral_period_2_late": _(
        "Late: an exam deferral for exam period 2 is requested before the Easter break starts on "
        "%(easter_break_starts)s (Art. 50)."
    ),
    "deferral_exam_too_close": _(
        "Late: an exam deferral is requested at least 5 days before the exam (Art. 50), so by %(last_day)s."
    ),
    "deferral_period_3": _("Not eligible: there is no exam deferral in the third exam period (appendix Art. 3-6)."),
    "deferral_no_status": _(
        "Not eligible: an exam deferral needs a recognised status this academic year: disability (O-status), "
        "serious medical grounds, athlete or artist status A, or a working or entrepreneur status (Art. 50)."
    ),
    "deferral_working_conditions": _(
        "Not eligible: a working student or entrepreneur-student gets an exam deferral only with a degree "
        "contract and at least 27 credits in the ISP (appendix Art. 5, 6 §4)."
    ),
    "deferral_within_period_only": _(
        "Status B: the exam can be moved inside the exam period only, not outside it (appendix Art. 3 §3, 4 §3)."
    ),
    "isp_request_late": _(
        "Late: this request is submitted at the latest on the ISP deadline, %(isp_deadline)s (Art. 46, 48)."
    ),
    "representative_late": _("Late: a student representative asks before the exam of %(exam_on)s (Art. 97)."),
    "representative_no_status": _(
        "Not eligible: the student has no student representative status this academic year (Art. 97)."
    ),
    "no_exam_moment": _("This exam has no date on the schedule yet: the checks that need it were left out."),
}

REFUSALS = {
    "not_in_isp": _("%(course)s is not in this student's ISP for %(year)s: there is no exam to move (Art. 44 §2)."),
    "exempted": _("%(course)s is exempted in this student's ISP: an exempted course has no exam (Art. 25)."),
    "no_reason": _("Give the reason of the request."),
    "future": _("A request cannot be logged ahead of today (%(today)s)."),
    "requested_on_range": OUT_OF_RANGE,
    "evidence_on_range": OUT_OF_RANGE,
    "open_exists": _(
        "An open request for this exam is already logged (%(kind)s of %(requested_on)s): decide it first."
    ),
    "decided": _("This request was decided on %(decided_on)s; the ombudsperson's decision is final (Art. 57)."),
    "decision_without_reason": _("A decision states its reason."),
    "accepted_without_new_moment": _("An accepted request names the new moment: its date and start time."),
    "new_moment_past": _("The new moment cannot lie before the decision (%(decided_on)s)."),
    "new_moment_outside_period": _(
        "The new moment lies outside exam period %(number)s (%(start)s to %(end)s): a rescheduled exam stays in "
        "the same exam period (Art. 43, 57); only an eligible exam deferral for a special status may leave it "
        "(Art. 50)."
    ),
    "new_moment_outside_year": _(
        "The new moment lies outside academic year %(year)s (%(start)s to %(end)s): a deferred exam stays in its "
        "academic year (Art. 50)."
    ),
    "new_moment_outside_periods": _(
        "The new moment lies outside every exam period of %(year)s: an exam moved for an unbalanced ISP or early "
        "graduation is taken in an exam period (Art. 36, 46, 48)."
    ),
    "new_moment_not_earlier": _("Early graduation moves the exam to an earlier moment than %(exam_on)s (Art. 48)."),
    "new_moment_clash": _(
        "The new moment clashes with the student's individual exam schedule: %(clashes)s. Choose another moment, "
        "or keep this one and give the reason why (it is recorded with the decision)."
    ),
    "missed_not_force_majeure": _("A missed new moment is recorded only for force majeure (Art. 43)."),
    "missed_not_accepted": _("Only an accepted request has a new moment that can be missed."),
    "missed_already_recorded": _("The missed new moment is already recorded."),
    "missed_before_new_moment": _("The new moment of %(new_on)s has not come yet."),
    "report_submitted": _("This report was submitted to the cluster on %(submitted_on)s."),
    "result_exists": _(
        "A result of %(course)s is already entered for exam period %(number)s: the student took the exam."
    ),
}


CLASH_KINDS = {
    rules.CLASH_OVERLAP: _("%(course)s at the same time (%(day)s, %(start)s to %(end)s)"),
    rules.CLASH_SAME_DAY: _(
        "%(course)s on the same day (%(day)s, %(start)s): a model-route student has at most one compulsory exam "
        "a day (Art. 17, 43)"
    ),
}

# The form field each refusal belongs to (the others are about the form as a whole).
REFUSAL_FIELDS = {
    "no_reason": "reason",
    "future": "requested_on",
    "requested_on_range": "requested_on",
    "evidence_on_range": "evidence_received_on",
    "not_in_isp": "course",
    "exempted": "course",
    "decision_without_reason": "reason",
    "accepted_without_new_moment": "new_on",
    "new_moment_past": "new_on",
    "new_moment_outside_period": "new_on",
    "new_moment_outside_year": "new_on",
    "new_moment_outside_periods": "new_on",
    "new_moment_not_earlier": "new_on",
    "new_moment_clash": "new_starts_at",
}


class RequestRefused(RefusedValidationError):
    """A write refused by the rules: nothing was changed. ``code`` (and ``refusal``) names
    the (first) rule, ``message`` says why; ``problems`` holds every rule that refused, so
    that a form shows them all at once (``RequestRefused.every``)."""

    def __init__(self, code: str, *, message: str | None = None, **params):
        self.refusal = code
        if message is None:
            template = REFUSALS[code]
            message = template % {k: _format(v) for k, v in params.items()} if params else template
        super().__init__([Problem(code, str(message))])

    @classmethod
    def every(cls, refusals: list["RequestRefused"]) -> "RequestRefused":
        """One refusal carrying the problems of all ``refusals``."""
        first = refusals[0]
        if len(refusals) > 1:
            problems = [problem for refusal in refusals for problem in refusal.problems]
            first.problems = problems
            ValidationError.__init__(first, [ValidationError(p.message, code=p.code) for p in problems])
        return first

    def add_to(self, form) -> None:
        """Each problem under its field of ``form`` (when the form has it), the others on top."""
        for problem in self.problems:
            name = REFUSAL_FIELDS.get(problem.code)
            form.add_error(name if name in form.fields else None, str(problem.message))


def _format(value):
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return value


def finding_messages(request: RescheduleRequest) -> list[dict]:
    """The rule findings of a request as (code, article, message, kind) for the pages."""
    line = request.isp_line
    year = line.enrolment.academic_year
    params = {
        "exam_on": request.exam_moment.on if request.exam_moment else "",
        "deadline": request.deadline or "",
        "last_day": request.deadline or "",
        "first_semester_lock": year.first_semester_lock,
        "easter_break_starts": year.easter_break_starts,
        "isp_deadline": year.isp_deadline,
    }
    params = {k: _format(v) for k, v in params.items()}
    found = []
    for code in request.findings or []:
        severity, article = rules.FINDINGS.get(code, ("note", ""))
        found.append(
            {"code": code, "severity": severity, "article": article, "message": FINDING_MESSAGES[code] % params}
        )
    return found


# --- Facts for the rules ---------------------------------------------------------------------
def period_of(period: ExamPeriod) -> rules.Period:
    return rules.Period(number=period.number, starts_on=period.starts_on, ends_on=period.ends_on)


def statuses_of(student_id: int, year_id: int) -> frozenset[tuple[str, str]]:
    return frozenset(
        SpecialStatus.objects.filter(student_id=student_id, academic_year_id=year_id).values_list("kind", "level")
    )


def isp_credits(enrolment: Enrolment) -> int:
    return (
        ISPLine.objects.filter(enrolment=enrolment, removed_on__isnull=True).aggregate(total=Sum("course__credits"))[
            "total"
        ]
        or 0
    )


def request_facts(
    *, kind: str, isp_line: ISPLine, exam_period: ExamPeriod, requested_on: datetime.date
) -> tuple[rules.RequestFacts, ExamMoment | None]:
    enrolment = isp_line.enrolment
    year = enrolment.academic_year
    moment = ExamMoment.objects.filter(course_id=isp_line.course_id, exam_period=exam_period).first()
    facts = rules.RequestFacts(
        kind=kind,
        requested_on=requested_on,
        period=exam_period.number,
        period_ends_on=exam_period.ends_on,
        calendar=year_calendar(year),
        exam_on=moment.on if moment else None,
        announced_on=moment.announced_on if moment else None,
        statuses=statuses_of(enrolment.student_id, year.pk),
        contract=enrolment.contract,
        isp_credits=isp_credits(enrolment),
    )
    return facts, moment


def isp_line_for(*, student: Student, course: Course, exam_period: ExamPeriod) -> ISPLine:
    """The student's ISP line of ``course`` in the exam period's academic year; refused when
    the course is not (or no longer) in the ISP, or exempted."""
    line = (
        ISPLine.objects.filter(
            enrolment__student=student,
            course=course,
            enrolment__academic_year_id=exam_period.academic_year_id,
            removed_on__isnull=True,
        )
        .select_related("enrolment__academic_year", "enrolment__programme", "enrolment__student", "course")
        .first()
    )
    params = {"course": f"{course.code} {course.name}", "year": exam_period.academic_year.code}
    if line is None:
        raise RequestRefused("not_in_isp", **params)
    if line.exempted:
        raise RequestRefused("exempted", **params)
    return line


def check_request(*, kind: str, isp_line: ISPLine, exam_period: ExamPeriod, requested_on: datetime.date):
    """The rules' verdict on a request that would be logged now: (Check, ExamMoment or None)."""
    facts, moment = request_facts(kind=kind, isp_line=isp_line, exam_period=exam_period, requested_on=requested_on)
    return rules.request_check(facts), moment


# --- Writes -----------------------------------------------------------------------------------
@transaction.atomic
def request_log(
    *,
    student: Student,
    course: Course,
    exam_period: ExamPeriod,
    kind: str,
    requested_on: datetime.date,
    reason: str,
    evidence: str = "",
    evidence_received_on: datetime.date | None = None,
    today: datetime.date,
    by,
) -> RescheduleRequest:
    """Log a request as it came in. A late or ineligible request is logged all the same and
    marked with the rule that applies; a request for a course that is not in the student's
    ISP, without a reason or dated after ``today`` is refused."""
    if kind not in RequestKind.values:
        raise ValueError(f"unknown request kind {kind!r}")
    line = isp_line_for(student=student, course=course, exam_period=exam_period)
    if not (reason or "").strip():
        raise RequestRefused("no_reason")
    # Dates the deadlines can reckon with (the form bounds them to the academic year).
    allowed = plausible(today=today)
    for code, day in (("requested_on_range", requested_on), ("evidence_on_range", evidence_received_on)):
        if day is not None and day not in allowed:
            raise RequestRefused(code, earliest=allowed.earliest, latest=allowed.latest)
    if requested_on > today:
        raise RequestRefused("future", today=today)
    # Lock the line so that two clicks cannot log the same request twice.
    ISPLine.objects.select_for_update(of=("self",)).filter(pk=line.pk).first()
    existing = RescheduleRequest.objects.filter(
        isp_line=line, exam_period=exam_period, status=RequestStatus.OPEN
    ).first()
    if existing is not None:
        raise RequestRefused("open_exists", kind=existing.get_kind_display(), requested_on=existing.requested_on)
    check, moment = check_request(kind=kind, isp_line=line, exam_period=exam_period, requested_on=requested_on)
    request = RescheduleRequest(
        kind=kind,
        isp_line=line,
        exam_period=exam_period,
        exam_moment=moment,
        requested_on=requested_on,
        reason=reason.strip(),
        evidence=(evidence or "").strip(),
        evidence_received_on=evidence_received_on,
        deadline=check.deadline,
        decide_by=check.decide_by,
        late=check.late,
        ineligible=check.ineligible,
        findings=list(check.findings),
        logged_by=by,
    )
    audited_save(request, by=by)
    return request


def _periods(year_id: int) -> list[rules.Period]:
    return [period_of(p) for p in ExamPeriod.objects.filter(academic_year_id=year_id).order_by("number")]


def new_moment_check(
    *, request: RescheduleRequest, new_on: datetime.date, decided_on: datetime.date
) -> RequestRefused | None:
    """Why ``new_on`` cannot be the new moment of ``request`` (a RequestRefused), or None."""
    period, year = request.exam_period, request.isp_line.enrolment.academic_year
    code = rules.new_moment_problem(
        kind=request.kind,
        findings=request.findings or [],
        period=period_of(period),
        periods=_periods(year.pk),
        year_starts_on=year.starts_on,
        year_ends_on=year.ends_on,
        exam_on=request.exam_moment.on if request.exam_moment else None,
        new_on=new_on,
        decided_on=decided_on,
    )
    if code is None:
        return None
    start, end = (
        (year.starts_on, year.ends_on) if code == "new_moment_outside_year" else (period.starts_on, period.ends_on)
    )
    return RequestRefused(
        code,
        decided_on=decided_on,
        number=period.number,
        start=start,
        end=end,
        year=year.code,
        exam_on=request.exam_moment.on if request.exam_moment else "",
    )


def _locked(request: RescheduleRequest) -> RescheduleRequest:
    return (
        RescheduleRequest.objects.select_for_update(of=("self",))
        .select_related("isp_line__enrolment__academic_year", "isp_line__course", "exam_period", "exam_moment")
        .get(pk=request.pk)
    )


def new_moment_clashes(
    *, request: RescheduleRequest, new_on: datetime.date, new_starts_at: datetime.time, today: datetime.date
) -> list[tuple[str, ScheduledExam]]:
    """The exams of the student's individual exam schedule (every programme of the year,
    announced or not, moved exams at their new moments) that the new moment would clash
    with, as (kind, exam): see ``rules.new_moment_clashes``. The moved exam keeps its duration."""
    line, enrolment = request.isp_line, request.isp_line.enrolment
    schedule = exam_schedule(student=enrolment.student, year=enrolment.academic_year, today=today, unannounced=True)
    key = (line.pk, request.exam_period_id)
    by_key = {exam.sitting.key: exam for exam in schedule.exams}
    moved = by_key.get(key)
    new = rules.Sitting(
        key=key,
        code=line.course.code,
        on=new_on,
        starts_at=new_starts_at,
        minutes=request.exam_moment.duration if request.exam_moment else DEFAULT_DURATION,
        model_route=moved.model_route
        if moved
        else (not line.course.elective and enrolment.pk in schedule.model_route and request.exam_period.number != 3),
    )
    others = [exam.sitting for exam in schedule.exams]
    return [(kind, by_key[other.key]) for kind, other in rules.new_moment_clashes(new, others)]


def _clash_record(kind: str, exam) -> dict:
    return {
        "kind": kind,
        "course": exam.course.code,
        "on": exam.on.isoformat(),
        "starts_at": exam.starts_at.strftime("%H:%M"),
        "ends_at": exam.ends_at.strftime("%H:%M"),
    }


def clash_text(record: dict) -> str:
    """A recorded clash in the reader's language."""
    day = datetime.date.fromisoformat(record["on"])
    return str(CLASH_KINDS[record["kind"]]) % {
        "course": record["course"],
        "day": formats.date_format(day, "SHORT_DATE_FORMAT"),
        "start": record["starts_at"],
        "end": record["ends_at"],
    }


@transaction.atomic
def request_decide(
    *,
    request: RescheduleRequest,
    accepted: bool,
    reason: str,
    new_on: datetime.date | None = None,
    new_starts_at: datetime.time | None = None,
    new_room: str = "",
    clash_override_reason: str = "",
    today: datetime.date,
    by,
) -> RescheduleRequest:
    """Accept (with the new moment) or reject a request, with the reason; final (Art. 57).

    The new moment is checked against the student's individual exam schedule: one that
    clashes with another exam (overlapping in time; for a model-route student also a second
    compulsory exam that day) is refused, unless ``clash_override_reason`` says why it is
    kept; the clashes and that reason are recorded. Every problem is reported at once."""
    request = _locked(request)
    if request.status != RequestStatus.OPEN:
        raise RequestRefused("decided", decided_on=request.decided_on)
    refusals = []
    if not (reason or "").strip():
        refusals.append(RequestRefused("decision_without_reason"))
    clashes = []
    if accepted:
        if new_on is None or new_starts_at is None:
            refusals.append(RequestRefused("accepted_without_new_moment"))
        if new_on is not None:
            refused = new_moment_check(request=request, new_on=new_on, decided_on=today)
            if refused:
                refusals.append(refused)
        if new_on is not None and new_starts_at is not None:
            clashes = [
                _clash_record(kind, exam)
                for kind, exam in new_moment_clashes(
                    request=request, new_on=new_on, new_starts_at=new_starts_at, today=today
                )
            ]
            if clashes and not (clash_override_reason or "").strip():
                refusals.append(RequestRefused("new_moment_clash", clashes="; ".join(clash_text(c) for c in clashes)))
    if refusals:
        raise RequestRefused.every(refusals)
    if accepted:
        request.new_on, request.new_starts_at, request.new_room = new_on, new_starts_at, (new_room or "").strip()
        request.clashes = clashes
        request.clash_override_reason = (clash_override_reason or "").strip() if clashes else ""
    request.status = RequestStatus.ACCEPTED if accepted else RequestStatus.REJECTED
    request.decided_on, request.decided_by, request.decision_reason = today, by, reason.strip()
    audited_save(request, by=by)
    # One message per decision: an accepted request's new moment is told with it (Art. 43, 50, 57).
    _request_announce(request, decided_on=today, reason=request.decision_reason)
    return request


def _course_words(line: ISPLine) -> str:
    return f"{line.course.code} {line.course.name}"


def _clock(moment: datetime.time | None) -> str:
    return moment.strftime("%H:%M") if moment else ""


def _request_announce(request: RescheduleRequest, *, decided_on: datetime.date, reason: str) -> None:
    """Tell the student the ombudsperson's decision on ``request`` (DOMAIN §6, §11; Art. 43, 50, 57):
    accepted with the new moment or refused, with the reason; or, after a missed new moment
    (``missed_on``), whether the opportunity is lost (Art. 43). Final (Art. 57): no appeal route."""
    line = request.isp_line
    events.decision_announce(
        sender="reschedules",
        kind="reschedule_decided",
        decided_on=decided_on,
        object_label=RescheduleRequest._meta.label,
        object_id=request.pk,
        student_ids=[line.enrolment.student_id],
        data={
            "course": _course_words(line),
            "exam_period": request.exam_period.number,
            "academic_year": line.enrolment.academic_year.code,
            "request_kind": request.kind,
            "accepted": request.status == RequestStatus.ACCEPTED,
            "exam_on": request.exam_moment.on if request.exam_moment else None,
            "new_on": request.new_on,
            "new_starts_at": _clock(request.new_starts_at),
            "new_room": request.new_room,
            "reason": reason,
            "decided_on": decided_on,
            "missed_on": request.missed_on,
            "very_serious_case": request.very_serious_case,
        },
    )


def _opportunity(line: ISPLine, period: ExamPeriod) -> int:
    """The opportunity the exam of ``period`` is for: the first, unless it was taken before."""
    taken = dict(Result.objects.filter(isp_line=line).values_list("opportunity", "exam_period_id"))
    if 1 in taken and taken[1] != period.pk:
        return 2
    return 1


@transaction.atomic
def request_missed_record(
    *,
    request: RescheduleRequest,
    very_serious_case: bool,
    note: str = "",
    today: datetime.date,
    by,
) -> RescheduleRequest:
    """The student did not take the new moment of an accepted force-majeure request either:
    the opportunity is lost and an NA result entered (through ``result_record``, under the
    result rules), unless the ombudsperson rules a very serious case (Art. 43)."""
    request = _locked(request)
    code = rules.missed_problem(
        kind=request.kind,
        status=request.status,
        new_on=request.new_on,
        on=today,
        recorded=request.missed_on is not None,
    )
    if code:
        raise RequestRefused(code, new_on=request.new_on)
    line, period = request.isp_line, request.exam_period
    request.missed_on, request.very_serious_case, request.missed_note = today, very_serious_case, (note or "").strip()
    if rules.opportunity_lost(very_serious_case=very_serious_case):
        if Result.objects.filter(isp_line=line, exam_period=period).exists():
            raise RequestRefused("result_exists", course=line.course.code, number=period.number)
        try:
            request.na_result = result_record(
                isp_line=line,
                exam_period=period,
                opportunity=_opportunity(line, period),
                mark="NA",
                by=by,
                today=today,
            )
        except ValidationError as refused:
            # The result rules' own message (a course without resit, a published period ...).
            raise RequestRefused("result_refused", message=refused.messages[0]) from None
    audited_save(request, by=by)
    # The ombudsperson's ruling on the missed moment: the opportunity lost, or kept (Art. 43).
    _request_announce(request, decided_on=today, reason=request.missed_note)
    return request


# --- Who handles a request (Art. 56, 58) ------------------------------------------------------
def ombudspersons(pairs) -> dict[tuple[int, int], dict[str, object]]:
    """(programme id, year id) -> {"ombudsperson": user, "substitute": user} of those pairs."""
    found: dict[tuple[int, int], dict[str, object]] = {}
    pairs = set(pairs)
    if not pairs:
        return found
    programme_ids = {p for p, _y in pairs}
    year_ids = {y for _p, y in pairs}
    for assignment in Assignment.objects.filter(
        programme_id__in=programme_ids,
        academic_year_id__in=year_ids,
        role__in=[AssignmentRole.OMBUDSPERSON, AssignmentRole.SUBSTITUTE],
    ).select_related("user"):
        key = (assignment.programme_id, assignment.academic_year_id)
        if key in pairs:
            found.setdefault(key, {})[assignment.role] = assignment.user
    return found


# --- The annual report (Art. 59) --------------------------------------------------------------
OUTCOMES = ("accepted", "rejected", "open")


def report_requests(*, programme_id: int, year_id: int):
    return (
        RescheduleRequest.objects.filter(
            isp_line__enrolment__programme_id=programme_id, isp_line__enrolment__academic_year_id=year_id
        )
        .select_related(
            "isp_line__course",
            "isp_line__enrolment__student",
            "exam_period",
            "exam_moment",
            "decided_by",
            "na_result",
        )
        .order_by("kind", "requested_on", "pk")
    )


def report_counts(requests) -> dict:
    """Counts by kind and outcome (accepted, rejected, open), with late, ineligible and the
    force-majeure opportunities lost; every kind is listed, also with zero."""
    counts = {kind: dict.fromkeys((*OUTCOMES, "late", "ineligible", "lost", "total"), 0) for kind in RequestKind.values}
    for request in requests:
        row = counts[request.kind]
        row[request.status] += 1
        row["total"] += 1
        row["late"] += request.late
        row["ineligible"] += request.ineligible
        row["lost"] += request.na_result_id is not None
    totals = Counter()
    for row in counts.values():
        totals.update(row)
    counts["total"] = {key: totals[key] for key in (*OUTCOMES, "late", "ineligible", "lost", "total")}
    return counts


def third_period_published(year: AcademicYear) -> bool:
    period = ExamPeriod.objects.filter(academic_year=year, number=3).select_related("academic_year").first()
    return period is not None and is_published(period)


@dataclass
class ReportsSummary:
    prepared: int = 0
    flagged_overdue: int = 0


@transaction.atomic
def ombuds_reports_prepare(*, today: datetime.date) -> ReportsSummary:
    """Prepare the annual report of every programme with an ombudsperson, for each academic
    year whose third exam period has been published (Art. 59), and flag as overdue those not
    submitted by 15 November. Runs every night; running it again changes nothing."""
    summary = ReportsSummary()
    existing = set(OmbudsReport.objects.values_list("programme_id", "academic_year_id"))
    for year in AcademicYear.objects.filter(starts_on__lte=today).order_by("starts_on"):
        if not third_period_published(year):
            continue
        programme_ids = (
            Assignment.objects.filter(academic_year=year, role=AssignmentRole.OMBUDSPERSON)
            .values_list("programme_id", flat=True)
            .distinct()
        )
        for programme_id in sorted(programme_ids):
            if (programme_id, year.pk) in existing:
                continue
            report = OmbudsReport(
                programme_id=programme_id,
                academic_year=year,
                prepared_on=today,
                due_on=rules.report_due_on(first_year=year.starts_on.year),
                counts=report_counts(report_requests(programme_id=programme_id, year_id=year.pk)),
            )
            report.save()
            summary.prepared += 1
    for report in OmbudsReport.objects.select_for_update().filter(overdue=False, submitted_on__isnull=True):
        if rules.report_overdue(today=today, due_on=report.due_on, submitted_on=report.submitted_on):
            report.overdue = True
            report.save(update_fields=["overdue"])
            summary.flagged_overdue += 1
    return summary


@transaction.atomic
def ombuds_report_submit(*, report: OmbudsReport, today: datetime.date, by) -> OmbudsReport:
    """The ombudsperson submitted the report to the cluster: its counts are taken as they
    stand today. A late submission stays marked overdue (it was)."""
    report = OmbudsReport.objects.select_for_update().get(pk=report.pk)
    if report.submitted_on is not None:
        raise RequestRefused("report_submitted", submitted_on=report.submitted_on)
    report.counts = report_counts(report_requests(programme_id=report.programme_id, year_id=report.academic_year_id))
    report.submitted_on, report.submitted_by = today, by
    audited_save(report, by=by)
    return report


# --- Individual moments set by another decision (Art. 43; Art. 85 §1 1°) ----------------------------
MOMENT_SET = gettext_noop("individual exam moment set: %(source)s")
MOMENT_WITHDRAWN = gettext_noop("individual exam moment withdrawn: %(reason)s")
register_reasons(MOMENT_SET, MOMENT_WITHDRAWN)


def _moment_announce(moment: IndividualMoment, *, decided_on: datetime.date) -> None:
    """Tell the student their individual exam schedule changed (DOMAIN §11; Art. 41, 43): the moment
    set (or withdrawn, with the stored reason) for one exam. Told once: setting a moment again for
    its reference, or withdrawing one withdrawn already, changes nothing and tells nothing."""
    line = moment.isp_line
    events.decision_announce(
        sender="reschedules",
        kind="exam_schedule_changed",
        decided_on=decided_on,
        object_label=IndividualMoment._meta.label,
        object_id=moment.pk,
        student_ids=[line.enrolment.student_id],
        data={
            "course": _course_words(line),
            "exam_period": moment.exam_period.number,
            "academic_year": line.enrolment.academic_year.code,
            "moment_on": moment.on,
            "starts_at": _clock(moment.starts_at),
            "room": moment.room,
            "source": moment.source,
            "withdrawn": moment.withdrawn_on is not None,
            "reason": moment.withdrawn_reason,
            "decided_on": decided_on,
        },
    )


@transaction.atomic
def individual_moment_set(
    *,
    isp_line: ISPLine,
    exam_period: ExamPeriod,
    on: datetime.date,
    starts_at: datetime.time,
    source: str,
    reference: str,
    set_on: datetime.date,
    room: str = "",
    duration: int = DEFAULT_DURATION,
    by=None,
) -> IndividualMoment:
    """Put an exam of ``isp_line`` in ``exam_period`` at a moment of its own on the student's
    individual exam schedule (Art. 43), decided elsewhere: ``source`` says by what (Art. 85 §1 1°:
    the retake the cluster sets after a fraud decision). ``reference`` names the deciding record
    (``fraud_decision:12``): the moment is set once for it, and setting it again (a replay of the
    timeline) returns the moment as it is, changing nothing. Refused, with nothing written, for an
    exam period of another academic year than the ISP line's, or a day outside that academic year."""
    existing = IndividualMoment.objects.filter(reference=reference).first()
    if existing is not None:
        return existing
    year = isp_line.enrolment.academic_year
    if exam_period.academic_year_id != year.pk or not (year.starts_on <= on <= year.ends_on):
        raise RefusedValidationError(
            [
                Problem(
                    "individual_moment_year",
                    _(
                        "An individual exam moment lies in the academic year of the student's ISP line and in one "
                        "of its exam periods (Art. 43)."
                    ),
                )
            ]
        )
    moment = IndividualMoment(
        isp_line=isp_line,
        exam_period=exam_period,
        on=on,
        starts_at=starts_at,
        duration=duration,
        room=room,
        source=MomentSource(source),
        reference=reference,
        set_on=set_on,
    )
    audited_save(moment, by=by, reason=stored_reason(MOMENT_SET, source=moment.get_source_display()))
    _moment_announce(moment, decided_on=set_on)
    return moment


@transaction.atomic
def individual_moment_withdraw(*, reference: str, on: datetime.date, reason: str, by=None) -> IndividualMoment | None:
    """Take the individual moment set for ``reference`` off the student's schedule on ``on`` (its
    deciding record was set aside, e.g. a fraud decision on appeal, Art. 101 g); it is kept, with its
    history, as withdrawn. None when there is none; a moment withdrawn already stays as it is."""
    moment = IndividualMoment.objects.select_for_update().filter(reference=reference).first()
    if moment is None or moment.withdrawn_on is not None:
        return moment
    moment.withdrawn_on, moment.withdrawn_reason = on, str(reason)[:200]
    audited_save(moment, by=by, reason=stored_reason(MOMENT_WITHDRAWN, reason=moment.withdrawn_reason))
    _moment_announce(moment, decided_on=on)
    return moment
