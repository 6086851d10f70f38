"""The examination committee's rules as pure functions (Art. 68-75, 82; DOMAIN §9): plain values
in, a decision out; no ORM, no clock.

- Quorum (Art. 71): at least half of the members with a vote present; a substitute who attends
  counts for the member replaced. The ombudsperson is an advisory member: heard, never votes,
  not counted for the quorum (DOMAIN §9, decided).
- Votes (Art. 75): more than half of the valid votes of the members present and not recused;
  abstentions and invalid votes are not counted; a tie takes the proposal most favourable to the
  student.
- Recusal (Art. 73): relatives up to the fourth degree; the examiner whose mark is judged
  unreasonable, for those students. A recused member neither deliberates nor votes on them.
- Unreasonable mark profiles (Art. 69, DOMAIN §9): a flag for the select committee, never a
  decision.
- Decisions about one student (Art. 70) each carry a written reason; a mark is adjusted only
  after the examiner was heard (Art. 74).
"""

import enum
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

PASS_MARK = 10


class Role(enum.StrEnum):
    CHAIR = "chair"
    SECRETARY = "secretary"
    MEMBER = "member"
    OMBUDSPERSON = "ombudsperson"
    CHAIR_SUBSTITUTE = "chair_substitute"
    SECRETARY_SUBSTITUTE = "secretary_substitute"


# The seats with a vote of their own (Art. 73); a substitute votes only in the seat replaced.
VOTING_ROLES = frozenset({Role.CHAIR, Role.SECRETARY, Role.MEMBER})
SUBSTITUTES = {Role.CHAIR_SUBSTITUTE: Role.CHAIR, Role.SECRETARY_SUBSTITUTE: Role.SECRETARY}


class Presence(enum.StrEnum):
    PRESENT = "present"
    ONLINE = "online"  # Art. 71: the meeting may be online; the participants' list is the attendance list
    EXCUSED = "excused"
    ABSENT = "absent"


ATTENDING = frozenset({Presence.PRESENT, Presence.ONLINE})


class Ballot(enum.StrEnum):
    FOR = "for"
    AGAINST = "against"
    ABSTAIN = "abstain"
    INVALID = "invalid"


class RecusalGround(enum.StrEnum):
    RELATIVE = "relative"
    OWN_MARK = "own_mark"


class DecisionKind(enum.StrEnum):
    """Art. 70: what the complete committee may decide about one student."""

    MARK_ADJUSTED = "mark_adjusted"  # §1: a mark judged clearly unreasonable
    TOLERATED = "tolerated"  # an intolerable fail considered tolerable, within the tolerance credit
    BEYOND_CREDIT = "beyond_credit"  # deviate from the 10 % rule
    LEVEL_AWARDED = "level_awarded"  # a level of achievement the criteria of Art. 81 do not give


# --- Attendance and quorum (Art. 71) ----------------------------------------------------------
@dataclass(frozen=True)
class Seat:
    """A member as the rules see them: their role, whether they attend, and for a substitute who
    attends, the member (id) replaced."""

    member: int
    role: Role
    presence: Presence | None = None
    replaces: int | None = None

    @property
    def attends(self) -> bool:
        return self.presence in ATTENDING


@dataclass(frozen=True)
class Quorum:
    members: int  # members with a vote
    present: int  # of them, present in person, online or through a substitute
    met: bool


def voters(seats: Iterable[Seat]) -> frozenset[int]:
    """The members (ids) who vote at this meeting: the members with a vote who attend, and the
    substitutes who attend in the place of a chair or secretary who does not. A substitute counts
    for the member replaced (Art. 71): one seat, one vote; when two substitutes attend for the
    same absent member, the first (lowest id) takes the seat."""
    seats = list(seats)
    by_id = {seat.member: seat for seat in seats}
    result = {seat.member for seat in seats if seat.role in VOTING_ROLES and seat.attends}
    filled: set[int] = set()
    for seat in sorted(seats, key=lambda s: s.member):
        if seat.role in SUBSTITUTES and seat.attends and seat.replaces is not None and seat.replaces not in filled:
            replaced = by_id.get(seat.replaces)
            if replaced is not None and replaced.role == SUBSTITUTES[seat.role] and not replaced.attends:
                result.add(seat.member)
                filled.add(seat.replaces)
    return frozenset(result)


def quorum(seats: Iterable[Seat]) -> Quorum:
    """Art. 71: a valid decision needs at least 50 % of the members (or their substitutes)
    present. The ombudsperson and unused substitutes are not members for this count."""
    seats = list(seats)
    members = sum(1 for seat in seats if seat.role in VOTING_ROLES)
    present = len(voters(seats))
    return Quorum(members=members, present=present, met=members > 0 and 2 * present >= members)


# --- Votes (Art. 73, 75) ----------------------------------------------------------------------
class VoteRefusal(enum.StrEnum):
    NOT_PRESENT = "not_present"
    ADVISORY = "advisory"
    RECUSED = "recused"


def vote_refusal(*, member: int, role: Role, voting: frozenset[int], recused: frozenset[int]) -> VoteRefusal | None:
    """Why ``member``'s vote is refused (Art. 73, 75), or None: the ombudsperson is advisory, a
    member who does not attend has no vote, a recused member does not vote on that student."""
    if role == Role.OMBUDSPERSON:
        return VoteRefusal.ADVISORY
    if member in recused:
        return VoteRefusal.RECUSED
    if member not in voting:
        return VoteRefusal.NOT_PRESENT
    return None


@dataclass(frozen=True)
class Count:
    votes_for: int
    votes_against: int
    not_counted: int  # abstentions and invalid votes
    tie: bool
    adopted: bool


def count(ballots: Iterable[Ballot], *, favours_student: bool) -> Count:
    """Art. 75: the proposal is adopted by more than half of the valid votes; abstentions and
    invalid votes are not counted; a tie (no valid vote included) takes the proposal most
    favourable to the student: the proposal when it favours the student, else the status quo."""
    ballots = [Ballot(b) for b in ballots]
    votes_for = ballots.count(Ballot.FOR)
    votes_against = ballots.count(Ballot.AGAINST)
    tie = votes_for == votes_against
    adopted = favours_student if tie else votes_for > votes_against
    return Count(votes_for, votes_against, len(ballots) - votes_for - votes_against, tie, adopted)


def favours_student(kind: DecisionKind, *, old_score: int | None = None, new_score: int | None = None) -> bool:
    """Whether a proposal is the more favourable to the student (the tie rule of Art. 75): every
    decision of Art. 70 is, except a mark adjusted downwards."""
    if DecisionKind(kind) == DecisionKind.MARK_ADJUSTED:
        return old_score is None or new_score is None or new_score > old_score
    return True


# --- Decisions (Art. 70, 74) -------------------------------------------------------------------
class DecisionRefusal(enum.StrEnum):
    NO_REASON = "no_reason"  # Art. 70: carefully justified
    NOT_OPEN = "not_open"  # decided in the meeting, which must be open
    SIGNED = "signed"  # Art. 82: the signed report is frozen
    NO_QUORUM = "no_quorum"  # Art. 71
    EXAMINER_NOT_HEARD = "examiner_not_heard"  # Art. 74
    NO_COURSE = "no_course"  # a mark, a tolerance is about one course
    NO_MARK = "no_mark"  # a mark adjustment names the new mark
    SAME_MARK = "same_mark"
    NOT_A_FAIL = "not_a_fail"  # only an intolerable fail is made tolerable (Art. 70)
    NO_LEVEL = "no_level"


def decision_refusals(
    *,
    kind: DecisionKind,
    reason: str,
    is_open: bool,
    signed: bool,
    quorum_met: bool,
    has_course: bool,
    examiner_heard: bool = False,
    old_score: int | None = None,
    new_score: int | None = None,
    intolerable_fail: bool = False,
    level: str = "",
) -> list[DecisionRefusal]:
    """Why a decision about one student cannot be recorded (empty: it can)."""
    kind = DecisionKind(kind)
    problems = []
    if signed:
        problems.append(DecisionRefusal.SIGNED)
    elif not is_open:
        problems.append(DecisionRefusal.NOT_OPEN)
    elif not quorum_met:
        problems.append(DecisionRefusal.NO_QUORUM)
    if not (reason or "").strip():
        problems.append(DecisionRefusal.NO_REASON)
    if kind in (DecisionKind.MARK_ADJUSTED, DecisionKind.TOLERATED, DecisionKind.BEYOND_CREDIT) and not has_course:
        problems.append(DecisionRefusal.NO_COURSE)
    if kind == DecisionKind.MARK_ADJUSTED:
        if new_score is None:
            problems.append(DecisionRefusal.NO_MARK)
        elif old_score is not None and new_score == old_score:
            problems.append(DecisionRefusal.SAME_MARK)
        if not examiner_heard:
            problems.append(DecisionRefusal.EXAMINER_NOT_HEARD)
    if kind == DecisionKind.TOLERATED and has_course and not intolerable_fail:
        problems.append(DecisionRefusal.NOT_A_FAIL)
    if kind == DecisionKind.LEVEL_AWARDED and not level:
        problems.append(DecisionRefusal.NO_LEVEL)
    return problems


# --- Unreasonable mark profiles (Art. 69, DOMAIN §9) --------------------------------------------
@dataclass(frozen=True)
class ProfileThresholds:
    """The settings of the flag (DOMAIN §9): a pass rate under ``min_pass_rate`` %, or a mean more
    than ``max_deviations`` standard deviations from the stage's mean of course means, for a course
    with at least ``min_students`` marks."""

    min_pass_rate: int = 40
    max_deviations: float = 2.0
    min_students: int = 5


@dataclass(frozen=True)
class CourseMarks:
    course: int
    group: tuple  # the programme stage: (programme id, stage)
    marks: tuple[int, ...] = ()  # the numeric marks (0-20) of the exam period
    counts: tuple[tuple[int, int], ...] = ()  # or: how many students had each mark, (mark, count)

    def tally(self) -> Counter:
        """How many students had each mark."""
        tally = Counter(self.marks)
        for mark, count in self.counts:
            tally[mark] += count
        return tally


@dataclass(frozen=True)
class Profile:
    course: int
    group: tuple
    students: int
    pass_rate: Fraction
    mean: float
    stage_mean: float | None
    stage_deviation: float | None
    distribution: tuple[int, ...]  # how many students had each mark 0..20
    low_pass_rate: bool
    far_from_stage: bool

    @property
    def flagged(self) -> bool:
        return self.low_pass_rate or self.far_from_stage

    @property
    def pass_percentage(self) -> float:
        return float(self.pass_rate * 100)


def _mean(values: Sequence[Fraction]) -> Fraction:
    return Fraction(sum(values)) / len(values)


def mark_profiles(courses: Iterable[CourseMarks], thresholds: ProfileThresholds = ProfileThresholds()) -> list[Profile]:
    """Every course with at least ``min_students`` marks, with its profile and its flags. The
    stage's mean and (population) standard deviation are those of the course means of the
    same programme stage in that period; with fewer than two courses there is nothing to compare.
    The comparison is exact (squares of fractions): a mean exactly ``max_deviations`` standard
    deviations away is not "more than" (DOMAIN §9), whatever floating point would round to."""
    courses = list(courses)
    tallies = {c.course: c.tally() for c in courses}
    sizes = {course: sum(tally.values()) for course, tally in tallies.items()}
    counted = [c for c in courses if sizes[c.course] >= thresholds.min_students]
    means = {
        c.course: Fraction(sum(mark * count for mark, count in tallies[c.course].items()), sizes[c.course])
        for c in counted
    }
    by_group: dict[tuple, list[Fraction]] = defaultdict(list)
    for c in counted:
        by_group[c.group].append(means[c.course])
    max_deviations = Fraction(str(thresholds.max_deviations))
    profiles = []
    for c in counted:
        stage = by_group[c.group]
        stage_mean = stage_deviation = None
        far = False
        if len(stage) >= 2:
            exact_mean = _mean(stage)
            variance = _mean([(m - exact_mean) ** 2 for m in stage])
            stage_mean = float(exact_mean)
            stage_deviation = math.sqrt(variance)
            far = variance > 0 and (means[c.course] - exact_mean) ** 2 > max_deviations**2 * variance
        tally, size = tallies[c.course], sizes[c.course]
        pass_rate = Fraction(sum(count for mark, count in tally.items() if mark >= PASS_MARK), size)
        distribution = tuple(tally[mark] for mark in range(21))
        profiles.append(
            Profile(
                course=c.course,
                group=c.group,
                students=size,
                pass_rate=pass_rate,
                mean=float(means[c.course]),
                stage_mean=stage_mean,
                stage_deviation=stage_deviation,
                distribution=distribution,
                low_pass_rate=pass_rate * 100 < thresholds.min_pass_rate,
                far_from_stage=far,
            )
        )
    return profiles


# --- The students with a decision open (Art. 69-70) ---------------------------------------------
def level_in_reach(percentage, levels: Sequence[tuple[int, str]], *, margin: int = 1) -> str | None:
    """The next level of achievement (Art. 81) that a programme percentage misses by at most
    ``margin`` point, or None: the committee may award it (Art. 70). ``levels``: (threshold %,
    level)."""
    if percentage is None:
        return None
    above = sorted((threshold, level) for threshold, level in levels if threshold > percentage)
    if not above:
        return None
    threshold, level = above[0]
    return level if threshold - percentage <= margin else None


# --- The report (Art. 82) -----------------------------------------------------------------------
@dataclass(frozen=True)
class Compliance:
    """Whether the procedure of Art. 71-75 was followed, for the report (Art. 82)."""

    quorum_met: bool
    adjustments_heard: bool  # every adjusted mark after hearing the examiner (Art. 74)
    votes_valid: bool  # no recused or absent member's vote counted (Art. 73, 75)

    @property
    def met(self) -> bool:
        return self.quorum_met and self.adjustments_heard and self.votes_valid


# --- The administration's warning (issue 15, point 4) -------------------------------------------
def working_days_before(day, count: int):
    """The day ``count`` working days (Monday to Friday) before ``day``; public holidays are not
    known to the application and count as working days."""
    import datetime

    while count > 0:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def publication_warning(*, today, publication_day, deliberation_closed: bool, days: int = 5) -> bool:
    """Whether the administration is warned about a publication whose deliberation is not closed:
    from ``days`` working days before the publication day until it is closed."""
    return not deliberation_closed and working_days_before(publication_day, days) <= today
