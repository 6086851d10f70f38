"""Appeals, refusal lifting and corrections (Art. 34, 100-102; DOMAIN §5, §7): pure functions.

Dates in, decisions out: no ORM, no clock. Every deadline counts calendar days
(DOMAIN §1: "Calendar days count every day"); a "last day" is the last day on which
the act is still in time, so the day after it is the first day too late.
"""

import datetime
from collections.abc import Iterable

from exams import rules as exam_rules

DAY = datetime.timedelta(days=1)

APPEAL_DAYS = 7  # Art. 101: filed within seven calendar days
ELABORATION_DAYS = 5  # Art. 101: a pending-feedback appeal is elaborated within five days
DECISION_DAYS = 20  # Art. 101: the decision within twenty days, counted from the filing day
CORRECTION_DAYS = 10  # Art. 102: against the student only within ten days after the decision
DUE_SOON_DAYS = 5  # **(decided)**: "due soon" on the register = decision due within five days

# Art. 101 (a)-(h).
CATEGORIES = ("a", "b", "c", "d", "e", "f", "g", "h")
EXAMINATION = "f"
DISCIPLINARY = "g"
# The categories the examination committee decides itself **(decided)**: its own decisions.
COMMITTEE_CATEGORIES = frozenset({EXAMINATION, DISCIPLINARY})

# Which kind of decision, linked where it lives in the system, each category can name.
LINK_CATEGORIES = {
    "result": {"f", "g"},
    "exam_period": {"f", "g"},
    "programme_result": {"f"},
    "refusal_lifting_request": {"a"},
    "measure": {"a", "c"},
    "exemption": {"d"},
    "isp_line": {"b", "e"},
    "fraud_decision": {"g"},  # Art. 101 g: a sanction imposed as a result of examination facts (Art. 85)
}

# Admissibility problems (Art. 101), as codes; the services hold their messages.
NO_STUDENT = "no_student"
NO_DECISION = "no_decision"
NO_FACTS = "no_facts"
NO_DECISION_DATE = "no_decision_date"
BEFORE_DECISION = "before_decision"
LATE = "late"


# --- Filing (Art. 101) ------------------------------------------------------------------
def appeal_window_opens(*, decision_on: datetime.date) -> datetime.date:
    """Art. 101: the seven days start on the day after the announcement of the exam
    results (an examination decision) or after the notification (any other decision)."""
    return decision_on + DAY


def appeal_last_day(*, decision_on: datetime.date) -> datetime.date:
    """Art. 101: the last day to file, the seventh calendar day after the publication
    or notification (published on the 1st: in time up to the 8th, late on the 9th).
    ``decision_on`` is the publication day for category (f), the notification day
    otherwise; the postal date of the registered letter is the filing day."""
    return decision_on + APPEAL_DAYS * DAY


def decision_may_change_mark(*, category: str, linked_to_result: bool) -> bool:
    """DOMAIN §7: a new decision on an appeal against an examination decision (f) that is
    linked to a result is a new examination decision, a new mark for that result; no
    other appeal changes a mark."""
    return category == EXAMINATION and linked_to_result


def window_start_is_publication(category: str) -> bool:
    """Art. 101: only for an examination decision (f) does the period run from the
    announcement of the exam results; for every other decision from the notification."""
    return category == EXAMINATION


def admissibility_problems(
    *,
    has_student: bool,
    names_decision: bool,
    facts_and_objections: str,
    decision_on: datetime.date | None,
    posted_on: datetime.date,
    pending_feedback: bool,
    elaborated: bool,
) -> list[str]:
    """Why an appeal is inadmissible under Art. 101, as codes; [] when admissible.

    The petition names the student, the decision and the facts and objections, and is
    posted within seven calendar days (``appeal_last_day``). An appeal lodged pending
    feedback gives its facts and objections in the elaboration: before that they are
    not yet missing. Posted on the publication or notification day itself is in time
    **(decided)**: it is not late, and nothing is decided before it exists.
    """
    problems = []
    if not has_student:
        problems.append(NO_STUDENT)
    if not names_decision:
        problems.append(NO_DECISION)
    if not facts_and_objections.strip() and not (pending_feedback and not elaborated):
        problems.append(NO_FACTS)
    if decision_on is None:
        problems.append(NO_DECISION_DATE)
    elif posted_on < decision_on:
        problems.append(BEFORE_DECISION)
    elif posted_on > appeal_last_day(decision_on=decision_on):
        problems.append(LATE)
    return problems


def link_allowed(*, category: str, link: str | None) -> bool:
    """Whether a decision of kind ``link`` (a result, a measure ...) can be appealed under
    ``category`` (Art. 101 (a)-(h)); an appeal without a link describes its decision."""
    return link is None or category in LINK_CATEGORIES[link]


# --- Pending feedback (Art. 101) -------------------------------------------------------
def elaboration_last_day(*, posted_on: datetime.date) -> datetime.date:
    """Art. 101: an appeal lodged pending feedback must be elaborated "within the next
    five calendar days following the submission": lodged on the 1st, in time up to the 6th."""
    return posted_on + ELABORATION_DAYS * DAY


def void_on(*, posted_on: datetime.date) -> datetime.date:
    """Art. 101: the day a pending-feedback appeal that was not elaborated becomes void
    ("automatically considered invalid"): the day after the elaboration's last day."""
    return elaboration_last_day(posted_on=posted_on) + DAY


def pending_feedback_allowed(category: str) -> bool:
    """Art. 101: lodging an appeal pending feedback is for an examination decision, whose
    feedback (Art. 87) the student awaits; (g) examination disciplinary decisions rest on
    examination facts too **(decided)**."""
    return category in COMMITTEE_CATEGORIES


def elaboration_in_time(*, posted_on: datetime.date, elaborated_on: datetime.date) -> bool:
    """Art. 101: elaborated on or after the filing day and by ``elaboration_last_day``."""
    return posted_on <= elaborated_on <= elaboration_last_day(posted_on=posted_on)


def is_void(
    *, pending_feedback: bool, posted_on: datetime.date, elaborated_on: datetime.date | None, today: datetime.date
) -> bool:
    """Art. 101: void once ``void_on`` has come without an elaboration in time."""
    if not pending_feedback or today < void_on(posted_on=posted_on):
        return False
    return elaborated_on is None or not elaboration_in_time(posted_on=posted_on, elaborated_on=elaborated_on)


# --- The decision (Art. 101) -----------------------------------------------------------
def decision_last_day(*, posted_on: datetime.date) -> datetime.date:
    """Art. 101: the decision within twenty calendar days starting on the filing day,
    so at the latest on filing day + 19 **(decided, DOMAIN §7)**; overdue from + 20."""
    return posted_on + (DECISION_DAYS - 1) * DAY


# Problems of an announced later decision date, as codes.
ANNOUNCED_LATE = "announced_late"
ANNOUNCED_BEFORE_FILING = "announced_before_filing"
NOT_LATER = "not_later"
NO_REASONS = "no_reasons"


def later_date_problems(
    *, posted_on: datetime.date, announced_on: datetime.date, later_on: datetime.date, reasons: str
) -> list[str]:
    """Art. 101: the appeal authority "can announce to the student, within the provided
    time and in a reasoned way, that a decision will be made on a later date": the
    announcement by ``decision_last_day``, with reasons, for a date after it."""
    problems = []
    if announced_on < posted_on:
        problems.append(ANNOUNCED_BEFORE_FILING)
    if announced_on > decision_last_day(posted_on=posted_on):
        problems.append(ANNOUNCED_LATE)
    if later_on <= decision_last_day(posted_on=posted_on):
        problems.append(NOT_LATER)
    if not reasons.strip():
        problems.append(NO_REASONS)
    return problems


def decision_due(
    *,
    posted_on: datetime.date,
    announced_on: datetime.date | None = None,
    later_on: datetime.date | None = None,
    reasons: str = "",
) -> datetime.date:
    """Art. 101: the day the decision is due: filing day + 19, or the later date when it
    was announced in time and with reasons (``later_date_problems`` finds none)."""
    if (
        announced_on is not None
        and later_on is not None
        and not later_date_problems(posted_on=posted_on, announced_on=announced_on, later_on=later_on, reasons=reasons)
    ):
        return later_on
    return decision_last_day(posted_on=posted_on)


def overdue_on(*, due_on: datetime.date) -> datetime.date:
    """Art. 101: the first day a decision due on ``due_on`` is late (the register flags it)."""
    return due_on + DAY


OVERDUE, DUE_TODAY, DUE_SOON, ON_TIME = "overdue", "due_today", "due_soon", "on_time"


def deadline_state(*, due_on: datetime.date, today: datetime.date) -> str:
    """The register's badge for an open appeal (Art. 101; "due soon" within
    ``DUE_SOON_DAYS`` **(decided)**)."""
    if today >= overdue_on(due_on=due_on):
        return OVERDUE
    if today == due_on:
        return DUE_TODAY
    if (due_on - today).days <= DUE_SOON_DAYS:
        return DUE_SOON
    return ON_TIME


# --- Outcomes (Art. 101) ----------------------------------------------------------------
INADMISSIBLE, UNFOUNDED, NEW_DECISION = "inadmissible", "unfounded", "new_decision"
OUTCOMES = (INADMISSIBLE, UNFOUNDED, NEW_DECISION)

# Problems of an outcome, as codes.
NOT_ADMISSIBLE = "not_admissible"
AWAITING_ELABORATION = "awaiting_elaboration"
DECIDED_BEFORE_FILING = "decided_before_filing"
NO_MOTIVATION = "no_motivation"
NOT_DECIDED_BY_COMMITTEE = "not_committee"


def outcome_problems(
    *,
    outcome: str,
    admissibility: Iterable[str],
    pending_feedback: bool,
    elaborated: bool,
    posted_on: datetime.date,
    decided_on: datetime.date,
    motivation: str,
) -> list[str]:
    """Art. 101: the procedure ends in "a motivated denial of the appeal on the basis of
    inadmissibility or groundlessness" or "a new decision". Inadmissible can always be
    decided; a decision on the merits (unfounded, new decision) needs an admissible appeal
    and, when it was lodged pending feedback, its elaboration. Every outcome is motivated
    and decided on or after the filing day."""
    problems = []
    if outcome != INADMISSIBLE:
        if list(admissibility):
            problems.append(NOT_ADMISSIBLE)
        if pending_feedback and not elaborated:
            problems.append(AWAITING_ELABORATION)
    if decided_on < posted_on:
        problems.append(DECIDED_BEFORE_FILING)
    if not motivation.strip():
        problems.append(NO_MOTIVATION)
    return problems


def outcomes_open(*, admissibility: Iterable[str], pending_feedback: bool, elaborated: bool) -> list[str]:
    """The outcomes a decision on the appeal can have (``outcome_problems`` before the day
    and the motivation): only "inadmissible" for an appeal inadmissible by rule or lodged
    pending feedback and not elaborated yet; all three otherwise."""
    blocking = {NOT_ADMISSIBLE, AWAITING_ELABORATION}
    problems = list(admissibility)
    return [
        outcome
        for outcome in OUTCOMES
        if not blocking
        & set(
            outcome_problems(
                outcome=outcome,
                admissibility=problems,
                pending_feedback=pending_feedback,
                elaborated=elaborated,
                posted_on=datetime.date.min,
                decided_on=datetime.date.min,
                motivation="-",
            )
        )
    ]


def committee_may_decide(category: str) -> bool:
    """The examination committee decides the appeals against its own decisions, (f)
    examination and (g) disciplinary decisions (Art. 101) **(decided)**."""
    return category in COMMITTEE_CATEGORIES


# --- Refusal lifting (Art. 34) ------------------------------------------------------------
LIFTING_AUTUMN = (10, 10)  # Art. 34: "no later than 10th of October"
LIFTING_SPRING = (2, 25)  # Art. 34: "before the 25th of February" (so the 24th is the last day)
LIFTING_YEAR_TURNS = 8  # **(decided)**: from 1 August a request is for the academic year that starts then


def lifting_academic_year(*, submitted_on: datetime.date) -> int:
    """The first calendar year of the academic year a refusal-lifting request is for:
    from 1 August on, the academic year starting that autumn **(decided)**."""
    return submitted_on.year if submitted_on.month >= LIFTING_YEAR_TURNS else submitted_on.year - 1


def lifting_last_day(*, first_year: int, asked_earlier: bool) -> datetime.date:
    """Art. 34: a request reaches the refusal-lifting committee by 10 October; a student
    who has not asked yet in that academic year may still ask before 25 February,
    so by 24 February. (DOMAIN §5 says "by 10 October (or 25 February)"; the seed says
    "before the 25th of February", and the seed is followed.)"""
    autumn = datetime.date(first_year, *LIFTING_AUTUMN)
    if asked_earlier:
        return autumn
    return datetime.date(first_year + 1, *LIFTING_SPRING) - DAY


LIFTING_LATE = "late"
LIFTING_NOT_REFUSED = "not_refused"
LIFTING_ALREADY_LIFTED = "already_lifted"
LIFTING_NO_GROUNDS = "no_grounds"


def lifting_request_problems(
    *,
    submitted_on: datetime.date,
    asked_earlier: bool,
    refusal_years: tuple[int, int],
    lifted: bool,
    grounds: str,
) -> list[str]:
    """Art. 34: a written, motivated request, in time (``lifting_last_day``), against a
    refusal that applies in the academic year asked for (``refusal_years``: its first
    and last academic year, by first calendar year) and is not lifted already."""
    problems = []
    first_year = lifting_academic_year(submitted_on=submitted_on)
    if submitted_on > lifting_last_day(first_year=first_year, asked_earlier=asked_earlier):
        problems.append(LIFTING_LATE)
    if not refusal_years[0] <= first_year <= refusal_years[1]:
        problems.append(LIFTING_NOT_REFUSED)
    if lifted:
        problems.append(LIFTING_ALREADY_LIFTED)
    if not grounds.strip():
        problems.append(LIFTING_NO_GROUNDS)
    return problems


def threshold_tolerances(*, package: list[exam_rules.CourseRecord], left: int) -> list:
    """Art. 34: a student refused under the decree threshold because a study efficiency
    under 50 % in the second year kept them from tolerance may ask the committee to lift
    the refusal "if their tolerance credit is sufficient to tolerate the threshold
    courses"; lifting it applies those tolerances automatically. The threshold rule of
    Art. 91 §3 (b)-(c) with the efficiency condition waived. Returns the courses, or []."""
    return exam_rules.automatic_tolerance_threshold(package=package, efficiency=exam_rules.MIN_EFFICIENCY, left=left)


# --- Corrections (Art. 102) ---------------------------------------------------------------
CORRECTION_LATE = "late"
CORRECTION_BEFORE_DECISION = "before_decision"
CORRECTION_NO_CHANGE = "no_change"
CORRECTION_NO_REASON = "no_reason"

# Art. 102: the two cases in which a late correction against the student is still possible.
EXCEPTIONS = ("legal_conditions", "student_negligence")


def correction_last_day(*, decision_on: datetime.date) -> datetime.date:
    """Art. 102: a correction at the expense of the student "only within 10 calendar days
    after the decision is made": decided on the 1st, possible up to the 11th."""
    return decision_on + CORRECTION_DAYS * DAY


def correction_problems(
    *,
    in_favour: bool,
    decision_on: datetime.date,
    corrected_on: datetime.date,
    exception: str = "",
    reason: str,
) -> list[str]:
    """Art. 102: an administrative or material error in favour of the student can always
    be corrected; at the student's expense only by ``correction_last_day``, unless the
    error breaches legal conditions or results from the student's serious negligence or
    mistake (``EXCEPTIONS``). Every correction says why."""
    problems = []
    if corrected_on < decision_on:
        problems.append(CORRECTION_BEFORE_DECISION)
    if not in_favour and exception not in EXCEPTIONS and corrected_on > correction_last_day(decision_on=decision_on):
        problems.append(CORRECTION_LATE)
    if not reason.strip():
        problems.append(CORRECTION_NO_REASON)
    return problems


def mark_in_favour(old: exam_rules.Mark | None, new: exam_rules.Mark) -> bool | None:
    """Whether a new mark is in the student's favour: True when better, False when worse,
    None when it is the same mark. P is better than F; NA is the lowest (Art. 65-66, 89)."""
    if old is not None and old == new:
        return None
    if old is None:
        return True
    return exam_rules.final_mark([old, new]) == new
