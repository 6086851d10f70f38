"""Exam schedules, reschedules and exam deferral (Art. 17, 43, 46, 48, 50-51, 57, 97 and the
appendix on special statuses; DOMAIN §6): pure functions, plain values in, decision out,
no ORM, no clock.

Decided where the regulations leave room (the code follows these everywhere):

- Force majeure is reported "before the end of the exam" (Art. 43); the ombudsperson logs
  the day, not the hour, so a report on the day of the exam counts as in time.
- A religious-holiday request is due within 7 calendar days after the exam appeared on
  the individual exam schedule: the later of ``ies_opens`` and the day the planning
  announced that exam (Art. 43: the schedule is "progressively updated").
- A special-status deferral (Art. 50) is due by ``first_semester_lock`` for exam period 1
  (on that day still in time: "at the latest on 1 December") or before
  ``easter_break_starts`` for exam period 2, and in any case at least 5 calendar days
  before the exam concerned (both must hold; for an exam in the period the first is the
  binding one). Never for period 3 (appendix Art. 3-6).
- Eligible statuses: disability (O-status), serious medical grounds, athlete or artist
  status A; working student and entrepreneur-student only with a degree contract and at
  least 27 credits in the ISP (appendix Art. 5 and 6 §4: the seed sets the condition for
  both, DOMAIN §6 names it for the working status only). Status B allows a reschedule
  inside the exam period only (appendix Art. 3-4 §3); status C gives nothing.
- A student-representative request (Art. 97) needs that status and comes before the exam.
- Unbalanced ISP (Art. 46) and early graduation (Art. 48) are due by ``isp_deadline``
  (inclusive) and decided within 15 days after it.
- When the exam has no date yet, the checks that need it are left out (nothing to be
  late for); the deadlines that do not depend on it still apply.
- The new moment of an accepted request lies inside the same exam period (Art. 43, 57),
  except: an eligible special-status deferral may leave it, within the academic year
  (Art. 50); an unbalanced ISP moves the exam to an exam period of the other semester
  (Art. 46) and early graduation to an earlier exam (Art. 48), in both cases inside an
  exam period of the same academic year. A new moment never lies before the decision.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from programmes.rules import YearCalendar

DAY = datetime.timedelta(days=1)

FORCE_MAJEURE = "force_majeure"
RELIGIOUS_HOLIDAY = "religious_holiday"
SPECIAL_STATUS_DEFERRAL = "special_status_deferral"
UNBALANCED_ISP = "unbalanced_isp"
EARLY_GRADUATION = "early_graduation"
STUDENT_REPRESENTATIVE = "student_representative"
KINDS = (
    FORCE_MAJEURE,
    RELIGIOUS_HOLIDAY,
    SPECIAL_STATUS_DEFERRAL,
    UNBALANCED_ISP,
    EARLY_GRADUATION,
    STUDENT_REPRESENTATIVE,
)

RELIGIOUS_HOLIDAY_DAYS = 7  # Art. 43
DEFERRAL_DAYS_BEFORE_EXAM = 5  # Art. 50
ISP_REQUEST_DECISION_DAYS = 15  # Art. 46, 48
MIN_CREDITS_FOR_WORKING_DEFERRAL = 27  # appendix Art. 5, 6 §4

# Statuses (kind, level) that allow an exam deferral outside the exam period (Art. 50).
DEFERRAL_STATUSES = frozenset({("disability", ""), ("medical", ""), ("athlete", "A"), ("artist", "A")})
# ... only with a degree contract and at least 27 credits (appendix Art. 5, 6 §4).
WORKING_STATUSES = frozenset({("working", ""), ("entrepreneur", "")})
# ... a reschedule inside the exam period only (appendix Art. 3 §3, 4 §3).
WITHIN_PERIOD_STATUSES = frozenset({("athlete", "B"), ("artist", "B")})

# Each finding: (late or ineligible, the article it comes from).
FINDINGS = {
    "force_majeure_late": ("late", "Art. 43"),
    "religious_holiday_late": ("late", "Art. 43"),
    "deferral_period_1_late": ("late", "Art. 50"),
    "deferral_period_2_late": ("late", "Art. 50"),
    "deferral_exam_too_close": ("late", "Art. 50"),
    "deferral_period_3": ("ineligible", "Art. 50; appendix Art. 3-6"),
    "deferral_no_status": ("ineligible", "Art. 50; appendix Art. 1-6"),
    "deferral_working_conditions": ("ineligible", "Appendix Art. 5, 6 §4"),
    "deferral_within_period_only": ("note", "Appendix Art. 3 §3, 4 §3"),
    "isp_request_late": ("late", "Art. 46, 48"),
    "representative_late": ("late", "Art. 97"),
    "representative_no_status": ("ineligible", "Art. 97"),
    "no_exam_moment": ("note", "Art. 43"),
}


@dataclass(frozen=True)
class RequestFacts:
    """What the rules need to know about a request when it is logged."""

    kind: str
    requested_on: datetime.date
    period: int  # the exam period of the exam concerned: 1, 2 or 3
    period_ends_on: datetime.date
    calendar: YearCalendar  # reads isp_deadline, ies_opens, first_semester_lock, easter_break_starts
    exam_on: datetime.date | None = None  # the scheduled exam, when it has a date
    announced_on: datetime.date | None = None  # the day the planning put it on the schedule
    statuses: frozenset[tuple[str, str]] = frozenset()  # (kind, level) of the student's statuses that year
    contract: str = "degree"
    isp_credits: int = 0


@dataclass(frozen=True)
class Check:
    """The outcome of the rules for one request: the deadline that applies, the day it
    should be decided by, and every finding (codes of ``FINDINGS``)."""

    deadline: datetime.date | None
    decide_by: datetime.date | None
    findings: tuple[str, ...] = ()

    @property
    def late(self) -> bool:
        return any(FINDINGS[code][0] == "late" for code in self.findings)

    @property
    def ineligible(self) -> bool:
        return any(FINDINGS[code][0] == "ineligible" for code in self.findings)

    @property
    def may_leave_period(self) -> bool:
        """Whether an accepted request may move the exam outside its exam period (Art. 50)."""
        return deferral_may_leave_period(self.findings)


def deferral_may_leave_period(findings: Iterable[str]) -> bool:
    blocking = {"deferral_period_3", "deferral_no_status", "deferral_working_conditions", "deferral_within_period_only"}
    return not blocking & set(findings)


def schedule_announced_on(*, ies_opens: datetime.date, announced_on: datetime.date | None) -> datetime.date:
    """The day an exam appears on the individual exam schedule (Art. 43): never before the
    schedules open, and not before the planning announced it."""
    return max(ies_opens, announced_on) if announced_on else ies_opens


def deferral_status(statuses: Iterable[tuple[str, str]], *, contract: str, isp_credits: int) -> str:
    """What the student's statuses allow (Art. 50; appendix Art. 2-6):
    ``"outside"`` (a deferral outside the exam period), ``"within"`` (a reschedule inside
    it only), ``"working_conditions"`` (a working or entrepreneur status without a degree
    contract and 27 credits) or ``"none"``."""
    statuses = set(statuses)
    if statuses & DEFERRAL_STATUSES:
        return "outside"
    working = bool(statuses & WORKING_STATUSES)
    if working and contract == "degree" and isp_credits >= MIN_CREDITS_FOR_WORKING_DEFERRAL:
        return "outside"
    if statuses & WITHIN_PERIOD_STATUSES:
        return "within"
    return "working_conditions" if working else "none"


def request_check(facts: RequestFacts) -> Check:
    """The deadline and eligibility of a request (DOMAIN §6); a late or ineligible request
    is still logged, marked with these findings."""
    kind, on, cal = facts.kind, facts.requested_on, facts.calendar
    findings: list[str] = []
    deadline = decide_by = None
    exam_on = facts.exam_on
    if kind == FORCE_MAJEURE:
        # Art. 43: reported in time and always before the end of the exam.
        deadline = exam_on
        if exam_on is not None and on > exam_on:
            findings.append("force_majeure_late")
        decide_by = facts.period_ends_on
    elif kind == RELIGIOUS_HOLIDAY:
        # Art. 43: within a week of the announcement of the exam schedule.
        if exam_on is not None:
            announced = schedule_announced_on(ies_opens=cal.ies_opens, announced_on=facts.announced_on)
            deadline = announced + RELIGIOUS_HOLIDAY_DAYS * DAY
            if on > deadline:
                findings.append("religious_holiday_late")
        decide_by = exam_on - DAY if exam_on else facts.period_ends_on
    elif kind == SPECIAL_STATUS_DEFERRAL:
        allowed = deferral_status(facts.statuses, contract=facts.contract, isp_credits=facts.isp_credits)
        if facts.period == 3:
            findings.append("deferral_period_3")
        elif allowed == "none":
            findings.append("deferral_no_status")
        elif allowed == "working_conditions":
            findings.append("deferral_working_conditions")
        elif allowed == "within":
            findings.append("deferral_within_period_only")
        if facts.period == 1:
            deadline = cal.first_semester_lock  # "at the latest on 1 December": inclusive
            if on > deadline:
                findings.append("deferral_period_1_late")
        elif facts.period == 2:
            deadline = cal.easter_break_starts - DAY  # "before the beginning of the Easter break"
            if on > deadline:
                findings.append("deferral_period_2_late")
        if exam_on is not None:
            last = exam_on - DEFERRAL_DAYS_BEFORE_EXAM * DAY
            deadline = min(deadline, last) if deadline else last
            if on > last:
                findings.append("deferral_exam_too_close")
        decide_by = exam_on - DAY if exam_on else facts.period_ends_on
    elif kind in (UNBALANCED_ISP, EARLY_GRADUATION):
        # Art. 46, 48: requested by the ISP deadline, decided within 15 days after it.
        deadline = cal.isp_deadline
        if on > deadline:
            findings.append("isp_request_late")
        decide_by = cal.isp_deadline + ISP_REQUEST_DECISION_DAYS * DAY
    elif kind == STUDENT_REPRESENTATIVE:
        # Art. 97: a representative's meeting that clashes with an exam, asked before it.
        if ("student_representative", "") not in facts.statuses:
            findings.append("representative_no_status")
        if exam_on is not None:
            deadline = exam_on - DAY
            if on > deadline:
                findings.append("representative_late")
        decide_by = exam_on - DAY if exam_on else facts.period_ends_on
    else:
        raise ValueError(f"unknown request kind {kind!r}")
    if exam_on is None and kind not in (UNBALANCED_ISP, EARLY_GRADUATION):
        findings.append("no_exam_moment")
    if decide_by is not None:
        decide_by = max(decide_by, on)  # a late request is not overdue on the day it comes in
    return Check(deadline=deadline, decide_by=decide_by, findings=tuple(dict.fromkeys(findings)))


# --- The decision (Art. 43, 46, 48, 50, 57) ------------------------------------------------
@dataclass(frozen=True)
class Period:
    number: int
    starts_on: datetime.date
    ends_on: datetime.date

    def contains(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on


def new_moment_problem(
    *,
    kind: str,
    findings: Iterable[str],
    period: Period,
    periods: Iterable[Period],
    year_starts_on: datetime.date,
    year_ends_on: datetime.date,
    exam_on: datetime.date | None,
    new_on: datetime.date,
    decided_on: datetime.date,
) -> str | None:
    """Why the new moment of an accepted request is refused (a code), or None.

    ``period`` is the exam period of the exam concerned, ``periods`` all exam periods of
    its academic year.
    """
    if new_on < decided_on:
        return "new_moment_past"
    if kind == SPECIAL_STATUS_DEFERRAL and deferral_may_leave_period(findings) and period.number != 3:
        if not (year_starts_on <= new_on <= year_ends_on):
            return "new_moment_outside_year"
        return None
    if kind in (UNBALANCED_ISP, EARLY_GRADUATION):
        target = next((p for p in periods if p.contains(new_on)), None)
        if target is None:
            return "new_moment_outside_periods"
        if kind == EARLY_GRADUATION:
            earlier = new_on < exam_on if exam_on is not None else target.number < period.number
            if not earlier:
                return "new_moment_not_earlier"
        return None
    if not period.contains(new_on):
        return "new_moment_outside_period"
    return None


def decision_problem(*, accepted: bool, reason: str, new_on, new_starts_at) -> str | None:
    """A decision states its reason; an acceptance names the new moment (Art. 57)."""
    if not (reason or "").strip():
        return "decision_without_reason"
    if accepted and (new_on is None or new_starts_at is None):
        return "accepted_without_new_moment"
    return None


def request_overdue(*, status: str, decide_by: datetime.date | None, today: datetime.date) -> bool:
    """A request still open after the day it should have been decided by (``Check.decide_by``)."""
    return status == "open" and decide_by is not None and decide_by < today


def missed_problem(*, kind: str, status: str, new_on: datetime.date | None, on: datetime.date, recorded: bool):
    """Whether a missed new moment can be recorded (Art. 43): an accepted force-majeure
    request whose new moment has come, recorded once."""
    if kind != FORCE_MAJEURE:
        return "missed_not_force_majeure"
    if status != "accepted" or new_on is None:
        return "missed_not_accepted"
    if recorded:
        return "missed_already_recorded"
    if on < new_on:
        return "missed_before_new_moment"
    return None


def opportunity_lost(*, very_serious_case: bool) -> bool:
    """Art. 43: a force-majeure student who cannot take the new moment either loses the exam
    opportunity (NA), unless the ombudsperson rules it a very serious case."""
    return not very_serious_case


# --- The individual exam schedule (Art. 17, 43) --------------------------------------------
def model_route_stage(*, isp: Iterable[tuple[int, int]], compulsory_by_stage: dict[int, set[int]]) -> int | None:
    """The programme stage whose model route the student follows, or None (Art. 17).

    ``isp`` holds (course id, stage) of the courses in the ISP; a model-route student takes
    every compulsory course of one stage and nothing of another stage.
    """
    isp = list(isp)
    stages = {stage for _course, stage in isp}
    if len(stages) != 1:
        return None
    (stage,) = stages
    compulsory = compulsory_by_stage.get(stage, set())
    if not compulsory or not compulsory <= {course for course, _stage in isp}:
        return None
    return stage


def same_day_clashes(exams: Iterable[tuple[datetime.date, str]]) -> dict[datetime.date, list[str]]:
    """Days with more than one exam of the given (date, course code) pairs: the warning for a
    model-route student's compulsory courses (Art. 17, 43: at most one a day)."""
    by_day: dict[datetime.date, list[str]] = defaultdict(list)
    for day, code in exams:
        by_day[day].append(code)
    return {day: sorted(codes) for day, codes in sorted(by_day.items()) if len(codes) > 1}


@dataclass(frozen=True)
class Sitting:
    """One exam on a student's individual exam schedule: when it starts and how long it lasts.
    ``key`` tells the exams apart (the ISP line and exam period); ``model_route`` marks a
    compulsory first-opportunity exam of a model-route student (at most one a day, Art. 17)."""

    key: object
    code: str
    on: datetime.date
    starts_at: datetime.time
    minutes: int
    model_route: bool = False

    @property
    def start(self) -> datetime.datetime:
        return datetime.datetime.combine(self.on, self.starts_at)  # noqa: DTZ001 (local wall-clock time)

    @property
    def end(self) -> datetime.datetime:
        return self.start + datetime.timedelta(minutes=self.minutes)


def overlap(a: Sitting, b: Sitting) -> bool:
    """Two exams overlap when one starts before the other ends; one that starts when the other
    ends does not (the rooms are never a clash: a room seats many)."""
    return a.start < b.end and b.start < a.end


CLASH_OVERLAP = "overlap"  # two exams of the student at the same time: every student
CLASH_SAME_DAY = "same_day"  # two compulsory exams of a model-route student on one day (Art. 17, 43)


def new_moment_clashes(new: Sitting, others: Iterable[Sitting]) -> list[tuple[str, Sitting]]:
    """The exams of the student's schedule that the new moment of an exam clashes with, as
    (kind, exam): ``overlap`` for every student; ``same_day`` when both are compulsory
    first-opportunity exams of a model-route student on the same day. The exam that is moved
    (``new.key``) is not a clash with itself."""
    found = []
    for other in sorted(others, key=lambda s: (s.start, s.code)):
        if other.key == new.key:
            continue
        if overlap(new, other):
            found.append((CLASH_OVERLAP, other))
        elif new.model_route and other.model_route and new.on == other.on:
            found.append((CLASH_SAME_DAY, other))
    return found


def schedule_overlaps(sittings: Iterable[Sitting]) -> dict[object, list[Sitting]]:
    """For each exam of a schedule that overlaps another in time: the exams it overlaps."""
    sittings = sorted(sittings, key=lambda s: (s.start, s.code))
    found: dict[object, list[Sitting]] = defaultdict(list)
    for i, a in enumerate(sittings):
        for b in sittings[i + 1 :]:
            if b.start >= a.end:
                break
            if overlap(a, b):
                found[a.key].append(b)
                found[b.key].append(a)
    return dict(found)


def schedule_visible(*, today: datetime.date, ies_opens: datetime.date, announced_on: datetime.date | None) -> bool:
    """An exam is on the individual exam schedule from the day it is announced, never before
    ``ies_opens`` (Art. 43)."""
    return today >= schedule_announced_on(ies_opens=ies_opens, announced_on=announced_on)


# --- The annual report (Art. 59) -----------------------------------------------------------
REPORT_MONTH_DAY = (11, 15)


def report_due_on(*, first_year: int) -> datetime.date:
    """The report of academic year ``first_year``-(+1) is discussed in the cluster at the
    latest on 15 November after its third exam period (Art. 59)."""
    return datetime.date(first_year + 1, *REPORT_MONTH_DAY)


def report_overdue(*, today: datetime.date, due_on: datetime.date, submitted_on: datetime.date | None) -> bool:
    """Overdue from the day after the due date while it has not been submitted."""
    return submitted_on is None and today > due_on
