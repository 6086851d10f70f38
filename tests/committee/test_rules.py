"""The examination committee's pure rules (committee/rules.py; Art. 68-75, 82; DOMAIN §9).

No database: plain values in, the expected outcome worked out by hand in a comment per case."""

from decimal import Decimal
from fractions import Fraction

import pytest

from committee.rules import (
    Ballot,
    Compliance,
    CourseMarks,
    DecisionKind,
    DecisionRefusal,
    Presence,
    ProfileThresholds,
    Role,
    Seat,
    VoteRefusal,
    count,
    decision_refusals,
    favours_student,
    level_in_reach,
    mark_profiles,
    quorum,
    vote_refusal,
    voters,
)
from exams.rules import LEVELS

P, ON, E, A = Presence.PRESENT, Presence.ONLINE, Presence.EXCUSED, Presence.ABSENT
CHAIR, SEC, MEM, OMB = Role.CHAIR, Role.SECRETARY, Role.MEMBER, Role.OMBUDSPERSON
CHAIR_SUB, SEC_SUB = Role.CHAIR_SUBSTITUTE, Role.SECRETARY_SUBSTITUTE
FOR, AGAINST, ABSTAIN, INVALID = Ballot.FOR, Ballot.AGAINST, Ballot.ABSTAIN, Ballot.INVALID


def committee(*presences, extra=()):
    """Seat 1 the chair, seat 2 the secretary, seats 3.. members, with the given presences in that
    order; ``extra`` seats (ombudsperson, substitutes) appended."""
    roles = [CHAIR, SEC] + [MEM] * (len(presences) - 2)
    return [Seat(i, role, presence) for i, (role, presence) in enumerate(zip(roles, presences, strict=True), 1)] + list(
        extra
    )


# --- Quorum (Art. 71, DOMAIN §9) ------------------------------------------------------------------
QUORUM_CASES = [
    # 6 members (chair, secretary, 4 members), 3 attend: 2*3 = 6 >= 6 -> exactly half meets it.
    pytest.param(committee(P, P, P, A, A, A), 6, 3, True, id="6-members-3-present"),
    # 6 members, 2 attend: 2*2 = 4 < 6.
    pytest.param(committee(P, P, A, A, A, A), 6, 2, False, id="6-members-2-present"),
    # 5 members, 3 attend: 2*3 = 6 >= 5.
    pytest.param(committee(A, P, P, P, A), 5, 3, True, id="5-members-3-present"),
    # 5 members, 2 attend: 2*2 = 4 < 5 (half of 5 is 2.5, 2 is under it).
    pytest.param(committee(P, A, P, A, A), 5, 2, False, id="5-members-2-present"),
    # 4 members, chair only + the ombudsperson present: the ombudsperson is neither a member (4, not 5)
    # nor present for the count (1, not 2): 2*1 = 2 < 4. (Counted present: 2*2 = 4 >= 4, met.)
    pytest.param(committee(P, A, A, A, extra=[Seat(9, OMB, P)]), 4, 1, False, id="ombudsperson-present-does-not-count"),
    # Only the ombudsperson: 0 members, 0 present; 2*0 >= 0 but a committee without members never meets.
    pytest.param([Seat(9, OMB, P)], 0, 0, False, id="no-members-never"),
    pytest.param([], 0, 0, False, id="nobody"),
    # 4 members: chair absent, secretary present, chair substitute (not a member) present in the chair's
    # place: members 4, present secretary + substitute = 2; 2*2 = 4 >= 4.
    pytest.param(
        committee(A, P, A, A, extra=[Seat(7, CHAIR_SUB, P, replaces=1)]),
        4,
        2,
        True,
        id="substitute-for-absent-chair-counts",
    ),
    # Same with the secretary absent and the secretary substitute present in their place: 2 of 4.
    pytest.param(
        committee(P, A, A, A, extra=[Seat(8, SEC_SUB, ON, replaces=2)]),
        4,
        2,
        True,
        id="substitute-for-absent-secretary-counts",
    ),
    # 4 members: chair present, others absent; the chair substitute also attends for the (present) chair:
    # the seat is already filled, present stays 1; 2*1 = 2 < 4.
    pytest.param(
        committee(P, A, A, A, extra=[Seat(7, CHAIR_SUB, P, replaces=1)]),
        4,
        1,
        False,
        id="substitute-for-present-chair-adds-nothing",
    ),
    # Chair absent, secretary present, a chair substitute attends without naming whom they replace:
    # present 1 (the secretary); 2*1 = 2 < 4.
    pytest.param(
        committee(A, P, A, A, extra=[Seat(7, CHAIR_SUB, P)]),
        4,
        1,
        False,
        id="substitute-without-replaces-does-not-count",
    ),
    # A chair substitute named for the absent secretary (seat 2) sits in no chair: present 1 of 4.
    pytest.param(
        committee(P, A, A, A, extra=[Seat(7, CHAIR_SUB, P, replaces=2)]),
        4,
        1,
        False,
        id="chair-substitute-cannot-replace-secretary",
    ),
    # A substitute replacing a member not on the committee (seat 99): present 1 of 4.
    pytest.param(
        committee(A, P, A, A, extra=[Seat(7, CHAIR_SUB, P, replaces=99)]),
        4,
        1,
        False,
        id="substitute-for-unknown-seat",
    ),
    # A substitute who is excused does not attend: chair absent, secretary present -> 1 of 4.
    pytest.param(
        committee(A, P, A, A, extra=[Seat(7, CHAIR_SUB, E, replaces=1)]),
        4,
        1,
        False,
        id="excused-substitute-does-not-count",
    ),
    # 6 members: chair absent, secretary present, two chair substitutes both attend for the chair:
    # one seat, one substitute -> present 2 (secretary + one substitute); 2*2 = 4 < 6.
    # (Counting both would give 3 and 2*3 = 6 >= 6: a quorum made by doubling the chair.)
    pytest.param(
        committee(A, P, A, A, A, A, extra=[Seat(7, CHAIR_SUB, P, replaces=1), Seat(8, CHAIR_SUB, P, replaces=1)]),
        6,
        2,
        False,
        id="two-substitutes-for-one-chair-count-once",
    ),
    # 4 members, chair and secretary online, 2 members absent: 2*2 = 4 >= 4.
    pytest.param(committee(ON, ON, A, A), 4, 2, True, id="online-counts"),
    # 4 members: chair present, secretary excused, one member absent, one member without a recorded
    # presence: only the chair attends; 2*1 = 2 < 4.
    pytest.param(committee(P, E, A, None), 4, 1, False, id="excused-absent-unrecorded-do-not"),
    # 4 members all excused but 2: 2*2 = 4 >= 4.
    pytest.param(committee(E, P, E, ON), 4, 2, True, id="two-of-four-mixed"),
    # 3 members, 2 present: 4 >= 3.
    pytest.param(committee(P, A, P), 3, 2, True, id="3-members-2-present"),
    # 3 members, 1 present: 2 < 3.
    pytest.param(committee(A, A, P), 3, 1, False, id="3-members-1-present"),
]


@pytest.mark.parametrize(("seats", "members", "present", "met"), QUORUM_CASES)
def test_quorum(seats, members, present, met):
    result = quorum(seats)
    assert (result.members, result.present, result.met) == (members, present, met)


def test_quorum_takes_any_iterable():
    # A generator is read once; the same as the list: 6 members, 3 present, met.
    result = quorum(seat for seat in committee(P, P, P, A, A, A))
    assert (result.members, result.present, result.met) == (6, 3, True)


VOTER_CASES = [
    # Chair (1) present, secretary (2) absent, member 3 online, member 4 excused, ombudsperson (5)
    # present, chair substitute (6) for the present chair: the chair and member 3.
    pytest.param(
        committee(P, A, ON, E, extra=[Seat(5, OMB, P), Seat(6, CHAIR_SUB, P, replaces=1)]),
        {1, 3},
        id="mixed",
    ),
    # Chair and secretary absent, both substitutes attend in their places, member 3 present.
    pytest.param(
        committee(A, A, P, extra=[Seat(6, CHAIR_SUB, P, replaces=1), Seat(7, SEC_SUB, ON, replaces=2)]),
        {3, 6, 7},
        id="both-substitutes",
    ),
    # Two substitutes (8 and 6, listed in that order) attend for the absent chair: the lowest id sits.
    pytest.param(
        committee(A, P, extra=[Seat(8, CHAIR_SUB, P, replaces=1), Seat(6, CHAIR_SUB, P, replaces=1)]),
        {2, 6},
        id="two-substitutes-lowest-id",
    ),
    # A substitute with no seat named, the ombudsperson: nobody of them votes.
    pytest.param(committee(A, A, extra=[Seat(6, CHAIR_SUB, P), Seat(5, OMB, P)]), set(), id="nobody-votes"),
    pytest.param([], set(), id="empty"),
]


@pytest.mark.parametrize(("seats", "expected"), VOTER_CASES)
def test_voters(seats, expected):
    assert voters(seats) == frozenset(expected)


# --- Votes (Art. 73, 75) --------------------------------------------------------------------------
COUNT_CASES = [
    # (ballots, favours_student, for, against, not counted, tie, adopted)
    # 2 for > 1 against: adopted, even a proposal against the student.
    pytest.param([FOR, FOR, AGAINST], False, 2, 1, 0, False, True, id="majority-for"),
    # 1 for < 2 against: rejected, even a proposal for the student (no tie to break).
    pytest.param([FOR, AGAINST, AGAINST], True, 1, 2, 0, False, False, id="majority-against"),
    # 1-1: tie, the proposal favours the student -> adopted.
    pytest.param([FOR, AGAINST], True, 1, 1, 0, True, True, id="tie-favourable"),
    # 1-1: tie, the proposal does not favour the student -> the status quo.
    pytest.param([FOR, AGAINST], False, 1, 1, 0, True, False, id="tie-unfavourable"),
    # No ballots: 0-0 is a tie.
    pytest.param([], True, 0, 0, 0, True, True, id="no-votes-favourable"),
    pytest.param([], False, 0, 0, 0, True, False, id="no-votes-unfavourable"),
    # Only abstentions and an invalid vote: 0-0 tie, 2 + 1 = 3 not counted.
    pytest.param([ABSTAIN, ABSTAIN, INVALID], True, 0, 0, 3, True, True, id="all-abstain-favourable"),
    pytest.param([ABSTAIN, INVALID, ABSTAIN], False, 0, 0, 3, True, False, id="all-abstain-unfavourable"),
    # 1-1 with 3 abstentions: still a tie; not counted 3.
    pytest.param([FOR, AGAINST, ABSTAIN, ABSTAIN, ABSTAIN], False, 1, 1, 3, True, False, id="tie-with-abstentions"),
    pytest.param([ABSTAIN, FOR, ABSTAIN, AGAINST], True, 1, 1, 2, True, True, id="tie-with-abstentions-fav"),
    # 1 for, 0 against, 3 abstentions + 1 invalid: 1 > 0 of the valid votes -> adopted; 4 not counted.
    pytest.param([FOR, ABSTAIN, ABSTAIN, ABSTAIN, INVALID], False, 1, 0, 4, False, True, id="one-valid-vote"),
    # 0 for, 1 against, 1 abstention: 0 < 1 -> rejected although favourable.
    pytest.param([AGAINST, ABSTAIN], True, 0, 1, 1, False, False, id="one-against"),
    # 3 for, 2 against, 2 invalid: 3 > 2 -> adopted; 2 not counted.
    pytest.param([FOR, INVALID, AGAINST, FOR, INVALID, AGAINST, FOR], False, 3, 2, 2, False, True, id="3-2"),
    # Plain strings are read as ballots: 2 for, 1 against.
    pytest.param(["for", "against", "for"], False, 2, 1, 0, False, True, id="strings"),
]


@pytest.mark.parametrize(
    ("ballots", "favourable", "votes_for", "votes_against", "not_counted", "tie", "adopted"), COUNT_CASES
)
def test_count(ballots, favourable, votes_for, votes_against, not_counted, tie, adopted):
    result = count(ballots, favours_student=favourable)
    assert (result.votes_for, result.votes_against, result.not_counted, result.tie, result.adopted) == (
        votes_for,
        votes_against,
        not_counted,
        tie,
        adopted,
    )


VOTE_REFUSAL_CASES = [
    # (member, role, voting, recused, expected)
    # The ombudsperson is advisory whether present (in the voting set) or not, recused or not.
    pytest.param(5, OMB, {1, 5}, set(), VoteRefusal.ADVISORY, id="ombudsperson-present"),
    pytest.param(5, OMB, {1}, set(), VoteRefusal.ADVISORY, id="ombudsperson-absent"),
    pytest.param(5, OMB, {5}, {5}, VoteRefusal.ADVISORY, id="ombudsperson-recused"),
    # A recused member does not vote on that student, present or not.
    pytest.param(3, MEM, {1, 3}, {3}, VoteRefusal.RECUSED, id="recused-present"),
    pytest.param(3, MEM, {1}, {3}, VoteRefusal.RECUSED, id="recused-absent"),
    # Not attending: no vote.
    pytest.param(3, MEM, {1, 2}, set(), VoteRefusal.NOT_PRESENT, id="member-absent"),
    pytest.param(1, CHAIR, set(), {3}, VoteRefusal.NOT_PRESENT, id="chair-absent"),
    # Present and not recused: votes (another member's recusal does not matter).
    pytest.param(3, MEM, {1, 3}, {4}, None, id="member-votes"),
    pytest.param(1, CHAIR, {1}, set(), None, id="chair-votes"),
    pytest.param(2, SEC, {2}, set(), None, id="secretary-votes"),
    pytest.param(6, CHAIR_SUB, {6}, set(), None, id="substitute-in-seat-votes"),
    pytest.param(6, CHAIR_SUB, {1}, set(), VoteRefusal.NOT_PRESENT, id="substitute-not-in-seat"),
]


@pytest.mark.parametrize(("member", "role", "voting", "recused", "expected"), VOTE_REFUSAL_CASES)
def test_vote_refusal(member, role, voting, recused, expected):
    assert vote_refusal(member=member, role=role, voting=frozenset(voting), recused=frozenset(recused)) == expected


FAVOURS_CASES = [
    # A mark adjusted up (8 -> 10, 9 -> 11) favours the student; down (12 -> 9) does not.
    pytest.param(DecisionKind.MARK_ADJUSTED, 8, 10, True, id="mark-up"),
    pytest.param(DecisionKind.MARK_ADJUSTED, 12, 9, False, id="mark-down"),
    pytest.param("mark_adjusted", 9, 11, True, id="mark-up-string"),
    pytest.param(DecisionKind.MARK_ADJUSTED, 0, 20, True, id="mark-0-to-20"),
    # 10 -> 10 is no better for the student (and refused as the same mark anyway).
    pytest.param(DecisionKind.MARK_ADJUSTED, 10, 10, False, id="mark-same"),
    # Without both marks known, the proposal is taken as favourable.
    pytest.param(DecisionKind.MARK_ADJUSTED, None, 12, True, id="mark-old-unknown"),
    pytest.param(DecisionKind.MARK_ADJUSTED, 12, None, True, id="mark-new-unknown"),
    # The other decisions of Art. 70 are favourable by their nature.
    pytest.param(DecisionKind.TOLERATED, None, None, True, id="tolerated"),
    pytest.param(DecisionKind.BEYOND_CREDIT, None, None, True, id="beyond-credit"),
    pytest.param(DecisionKind.LEVEL_AWARDED, None, None, True, id="level-awarded"),
    pytest.param(DecisionKind.TOLERATED, 12, 9, True, id="tolerated-scores-ignored"),
]


@pytest.mark.parametrize(("kind", "old", "new", "expected"), FAVOURS_CASES)
def test_favours_student(kind, old, new, expected):
    assert favours_student(kind, old_score=old, new_score=new) is expected


# --- Decisions (Art. 70, 74, 82) ------------------------------------------------------------------
VALID = {
    "reason": "Documented serious illness during the exam period.",
    "is_open": True,
    "signed": False,
    "quorum_met": True,
    "has_course": True,
    "examiner_heard": True,
    "old_score": 7,
    "new_score": 10,
    "intolerable_fail": True,
    "level": "cum_laude",
}
MARK, TOL, BEYOND, LEVEL = (
    DecisionKind.MARK_ADJUSTED,
    DecisionKind.TOLERATED,
    DecisionKind.BEYOND_CREDIT,
    DecisionKind.LEVEL_AWARDED,
)
R = DecisionRefusal

DECISION_CASES = [
    # (kind, changes to a valid decision, expected refusals)
    # Valid, each kind: an open meeting with quorum, not signed, a reason, the course / mark / level needed.
    pytest.param(MARK, {}, [], id="valid-mark"),
    pytest.param(TOL, {}, [], id="valid-tolerated"),
    pytest.param(BEYOND, {}, [], id="valid-beyond-credit"),
    pytest.param(LEVEL, {}, [], id="valid-level"),
    # The meeting: signed beats closed beats no quorum (one refusal for the meeting's state).
    pytest.param(TOL, {"signed": True}, [R.SIGNED], id="signed"),
    pytest.param(TOL, {"signed": True, "is_open": False}, [R.SIGNED], id="signed-beats-not-open"),
    pytest.param(TOL, {"signed": True, "is_open": False, "quorum_met": False}, [R.SIGNED], id="signed-beats-all"),
    pytest.param(TOL, {"signed": True, "quorum_met": False}, [R.SIGNED], id="signed-beats-no-quorum"),
    pytest.param(TOL, {"is_open": False}, [R.NOT_OPEN], id="not-open"),
    pytest.param(TOL, {"is_open": False, "quorum_met": False}, [R.NOT_OPEN], id="not-open-beats-no-quorum"),
    pytest.param(TOL, {"quorum_met": False}, [R.NO_QUORUM], id="no-quorum"),
    # The reason (Art. 70: carefully justified): empty or only whitespace.
    pytest.param(LEVEL, {"reason": ""}, [R.NO_REASON], id="no-reason"),
    pytest.param(BEYOND, {"reason": "  \n\t "}, [R.NO_REASON], id="blank-reason"),
    # The mark adjustment (Art. 70 §1, 74).
    pytest.param(MARK, {"examiner_heard": False}, [R.EXAMINER_NOT_HEARD], id="examiner-not-heard"),
    pytest.param(MARK, {"new_score": None}, [R.NO_MARK], id="no-new-mark"),
    pytest.param(MARK, {"old_score": 7, "new_score": 7}, [R.SAME_MARK], id="same-mark"),
    pytest.param(MARK, {"old_score": None, "new_score": 12}, [], id="old-mark-unknown"),
    pytest.param(MARK, {"old_score": 12, "new_score": 9}, [], id="mark-down-allowed"),
    pytest.param(MARK, {"old_score": 9, "new_score": 0}, [], id="new-mark-zero"),
    # The hearing is required for a mark adjustment only.
    pytest.param(TOL, {"examiner_heard": False}, [], id="tolerated-no-hearing-needed"),
    # A course is needed for a mark, a tolerance, going beyond the credit; not for a level.
    pytest.param(MARK, {"has_course": False}, [R.NO_COURSE], id="mark-no-course"),
    pytest.param(TOL, {"has_course": False, "intolerable_fail": False}, [R.NO_COURSE], id="tolerated-no-course"),
    pytest.param(BEYOND, {"has_course": False}, [R.NO_COURSE], id="beyond-no-course"),
    pytest.param(LEVEL, {"has_course": False}, [], id="level-no-course-needed"),
    # Only an intolerable fail is made tolerable; going beyond the credit has no such condition.
    pytest.param(TOL, {"intolerable_fail": False}, [R.NOT_A_FAIL], id="tolerated-not-a-fail"),
    pytest.param(BEYOND, {"intolerable_fail": False}, [], id="beyond-not-a-fail"),
    # A level awarded names the level.
    pytest.param(LEVEL, {"level": ""}, [R.NO_LEVEL], id="no-level"),
    pytest.param(TOL, {"level": ""}, [], id="tolerated-no-level-needed"),
    # Combinations: every problem is listed (and the meeting's state once).
    pytest.param(
        MARK,
        {"is_open": False, "reason": "", "has_course": False, "new_score": None, "examiner_heard": False},
        [R.NOT_OPEN, R.NO_REASON, R.NO_COURSE, R.NO_MARK, R.EXAMINER_NOT_HEARD],
        id="mark-five-problems",
    ),
    pytest.param(
        MARK,
        {"signed": True, "quorum_met": False, "old_score": 12, "new_score": 12, "examiner_heard": False},
        [R.SIGNED, R.SAME_MARK, R.EXAMINER_NOT_HEARD],
        id="mark-signed-same-unheard",
    ),
    pytest.param(
        TOL,
        {"quorum_met": False, "reason": " ", "intolerable_fail": False},
        [R.NO_QUORUM, R.NO_REASON, R.NOT_A_FAIL],
        id="tolerated-three-problems",
    ),
    pytest.param(LEVEL, {"signed": True, "level": ""}, [R.SIGNED, R.NO_LEVEL], id="level-signed-no-level"),
]


@pytest.mark.parametrize(("kind", "changes", "expected"), DECISION_CASES)
def test_decision_refusals(kind, changes, expected):
    refusals = decision_refusals(kind=kind, **{**VALID, **changes})
    assert sorted(refusals) == sorted(expected)


def test_decision_refusals_kind_as_string():
    # The kind as stored ("tolerated"), not a fail: the same as DecisionKind.TOLERATED.
    assert decision_refusals(kind="tolerated", **{**VALID, "intolerable_fail": False}) == [R.NOT_A_FAIL]


# --- Unreasonable mark profiles (Art. 69, DOMAIN §9) ----------------------------------------------
STAGE = (1, 1)  # programme 1, stage 1


def course(course_id, *marks, group=STAGE):
    return CourseMarks(course=course_id, group=group, marks=tuple(marks))


def by_course(profiles):
    return {p.course: p for p in profiles}


def test_profile_of_a_stage_with_four_courses():
    # Course means 10, 10, 14, 14 (5 students each): stage mean (10+10+14+14)/4 = 12; each mean is
    # 2 away, variance (4+4+4+4)/4 = 4, SD 2: every course exactly 1 SD away, none far.
    # Pass rates per course below (a mark of 10 passes); none under 40 %.
    profiles = by_course(
        mark_profiles(
            [
                course(101, 6, 8, 10, 12, 14),  # sum 50, mean 10; passes 10, 12, 14 -> 3/5 = 60 %
                course(102, 10, 10, 10, 10, 10),  # mean 10; 5/5 = 100 %
                course(103, 10, 12, 14, 16, 18),  # sum 70, mean 14; 5/5
                course(104, 20, 20, 20, 9, 1),  # sum 70, mean 14; 3/5 = 60 %
            ]
        )
    )
    assert sorted(profiles) == [101, 102, 103, 104]
    expected = {101: (10, Fraction(3, 5)), 102: (10, Fraction(1)), 103: (14, Fraction(1)), 104: (14, Fraction(3, 5))}
    for course_id, (mean, pass_rate) in expected.items():
        p = profiles[course_id]
        assert p.group == STAGE
        assert p.students == 5
        assert p.mean == mean
        assert p.pass_rate == pass_rate
        assert p.stage_mean == 12
        assert p.stage_deviation == pytest.approx(2)
        assert not p.low_pass_rate
        assert not p.far_from_stage
        assert not p.flagged
    assert profiles[101].pass_percentage == pytest.approx(60)
    assert profiles[103].pass_percentage == pytest.approx(100)


PASS_RATE_CASES = [
    # (marks, pass rate, low): under 40 % is low, exactly 40 % is not; 10 is a pass.
    pytest.param((0, 0, 0, 10, 20), Fraction(2, 5), False, id="2-of-5-is-40-not-low"),
    pytest.param((0, 0, 0, 0, 10), Fraction(1, 5), True, id="1-of-5-is-20-low"),
    pytest.param((9, 9, 9, 9, 9), Fraction(0), True, id="none-pass"),
    pytest.param((10, 10, 10, 10, 10), Fraction(1), False, id="all-pass-on-10"),
    pytest.param((9, 9, 9, 9, 10, 11), Fraction(2, 6), True, id="2-of-6-is-33-low"),
    pytest.param((9, 9, 9, 10, 11, 12, 13), Fraction(4, 7), False, id="4-of-7-is-57"),
    pytest.param((19, 19, 9, 9, 9, 9, 9, 9, 9, 9), Fraction(2, 10), True, id="2-of-10-high-mean-still-low"),
    pytest.param((10, 10, 9, 9, 9), Fraction(2, 5), False, id="two-on-the-pass-mark"),
]


@pytest.mark.parametrize(("marks", "pass_rate", "low"), PASS_RATE_CASES)
def test_pass_rate(marks, pass_rate, low):
    # One course alone in its stage: nothing to compare, only the pass rate can flag it.
    (profile,) = mark_profiles([course(1, *marks)])
    assert profile.pass_rate == pass_rate
    assert profile.low_pass_rate is low
    assert profile.flagged is low
    assert profile.stage_mean is None
    assert profile.stage_deviation is None
    assert profile.far_from_stage is False


FAR_CASES = [
    # (course means, one course per mean with 5 identical marks; the courses expected far)
    # 2 courses, means 2 and 18: stage mean 10, SD 8, each exactly 1 SD away -> never far.
    pytest.param([2, 18], set(), id="two-courses-never"),
    # 3 courses 0, 0, 20: mean 20/3, deviations -20/3, -20/3, 40/3; variance (400/9*2 + 1600/9)/3 = 800/9,
    # SD = 20*sqrt(2)/3 ~ 9.43; 40/3 ~ 13.33 < 2 SD ~ 18.86 -> none far (max is sqrt(2) SD with 3 courses).
    pytest.param([0, 0, 20], set(), id="three-courses-never"),
    # 5 courses 10, 10, 10, 10, 15: mean 55/5 = 11; deviations -1 (x4), +4; variance (4*1 + 16)/5 = 4,
    # SD 2; 4 = exactly 2 SD -> not more than 2 SD, not far.
    pytest.param([10, 10, 10, 10, 15], set(), id="five-courses-exactly-2-sd"),
    # 6 courses 10 (x5), 16: mean 66/6 = 11; deviations -1 (x5), +5; variance (5*1 + 25)/6 = 5,
    # SD sqrt(5) ~ 2.236, 2 SD ~ 4.472 < 5 -> the sixth far; the others, 1 < 4.472, not.
    pytest.param([10, 10, 10, 10, 10, 16], {6}, id="six-courses-one-high"),
    # 6 courses 12 (x5), 6: mean 66/6 = 11; deviations +1 (x5), -5; same variance 5 -> the low one far.
    pytest.param([12, 12, 12, 12, 12, 6], {6}, id="six-courses-one-low"),
    # 6 courses 10 (x4), 16, 16: mean 72/6 = 12; deviations -2 (x4), +4 (x2); variance (4*4 + 2*16)/6 = 8,
    # SD ~ 2.83, 2 SD ~ 5.66 > 4 -> none far.
    pytest.param([10, 10, 10, 10, 16, 16], set(), id="six-courses-two-high"),
    # All equal: SD 0, nothing is far (no division, no flag).
    pytest.param([11, 11, 11, 11, 11, 11], set(), id="all-equal"),
]


@pytest.mark.parametrize(("means", "far"), FAR_CASES)
def test_far_from_stage(means, far):
    profiles = by_course(mark_profiles([course(i, *[m] * 5) for i, m in enumerate(means, 1)]))
    assert {c for c, p in profiles.items() if p.far_from_stage} == far


def test_far_from_stage_values():
    # The six-courses-one-high case in full: stage mean 11, SD sqrt(5), the sixth course mean 16,
    # pass rate 5/5, so flagged only as far from the stage.
    profiles = by_course(mark_profiles([course(i, *[10] * 5) for i in range(1, 6)] + [course(6, *[16] * 5)]))
    p = profiles[6]
    assert p.mean == 16
    assert p.stage_mean == 11
    assert p.stage_deviation == pytest.approx(5**0.5)
    assert (p.far_from_stage, p.low_pass_rate, p.flagged) == (True, False, True)


def test_exactly_two_deviations_with_fractional_means_is_not_far():
    # Four courses of all 8s (mean 8) and one of all 9s (mean 9): stage mean (4*8 + 9)/5 = 8.2;
    # deviations -0.2 (x4), +0.8; variance (4*0.04 + 0.64)/5 = 0.8/5 = 0.16, SD 0.4; 0.8 is exactly
    # 2 SD -> not "more than" two. (In floating point, 0.8 > 2 * 0.4 came out true: a false flag.)
    profiles = by_course(mark_profiles([course(i, *[8] * 5) for i in range(1, 5)] + [course(5, *[9] * 5)]))
    assert profiles[5].stage_mean == pytest.approx(8.2)
    assert profiles[5].stage_deviation == pytest.approx(0.4)
    assert not any(p.far_from_stage for p in profiles.values())


def test_course_under_min_students_is_ignored():
    # Courses 1 (mean 10) and 2 (mean 14) with 5 students; course 3 with 4 marks of 0 is not profiled
    # and does not weigh on the stage: mean (10+14)/2 = 12, SD 2 (with it: 0, 10, 14 -> mean 8).
    profiles = by_course(mark_profiles([course(1, *[10] * 5), course(2, *[14] * 5), course(3, 0, 0, 0, 0)]))
    assert sorted(profiles) == [1, 2]
    assert profiles[1].stage_mean == 12
    assert profiles[1].stage_deviation == pytest.approx(2)


def test_only_small_courses():
    # 4 students each: nothing profiled.
    assert mark_profiles([course(1, 0, 0, 0, 0), course(2, 20, 20, 20, 20)]) == []
    assert mark_profiles([]) == []


def test_groups_are_separate():
    # Programme 1 stage 1: five courses with mean 10 -> SD 0, none far.
    # Programme 1 stage 2: one course with mean 16, alone -> no stage comparison.
    # Programme 2 stage 1: two courses, means 4 and 8 -> stage mean 6, SD 2.
    # Together in one stage (10 x5, 16) course 6 would be far (see six-courses-one-high).
    courses = [course(i, *[10] * 5) for i in range(1, 6)]
    courses.append(course(6, *[16] * 5, group=(1, 2)))
    courses += [course(7, *[4] * 5, group=(2, 1)), course(8, *[8] * 5, group=(2, 1))]
    profiles = by_course(mark_profiles(courses))
    assert not any(p.far_from_stage for p in profiles.values())
    assert [profiles[i].stage_mean for i in range(1, 6)] == [10] * 5
    assert [profiles[i].stage_deviation for i in range(1, 6)] == [0] * 5
    assert (profiles[6].group, profiles[6].stage_mean, profiles[6].stage_deviation) == ((1, 2), None, None)
    assert (profiles[7].stage_mean, profiles[8].stage_mean) == (6, 6)
    assert profiles[7].stage_deviation == pytest.approx(2)
    # The low pass rates still flag: course 7 (all 4s) 0 %, course 8 (all 8s) 0 %.
    assert {c for c, p in profiles.items() if p.flagged} == {7, 8}


def test_distribution():
    # Marks 0, 20, 20, 7, 7, 7, 13: one 0, three 7s, one 13, two 20s; 21 entries (0..20), summing to 7.
    (p,) = mark_profiles([course(1, 0, 20, 20, 7, 7, 7, 13)])
    expected = [0] * 21
    expected[0], expected[7], expected[13], expected[20] = 1, 3, 1, 2
    assert p.distribution == tuple(expected)
    assert len(p.distribution) == 21
    assert sum(p.distribution) == p.students == 7
    # Mean (0 + 40 + 21 + 13)/7 = 74/7; passes 20, 20, 13 -> 3/7 ~ 42.9 %, not low.
    assert p.mean == pytest.approx(74 / 7)
    assert p.pass_rate == Fraction(3, 7)
    assert not p.low_pass_rate


def test_custom_thresholds():
    # Courses of 3 students: with the default (5) none is profiled.
    courses = [course(i, 10, 10, 10) for i in range(1, 4)] + [course(4, 14, 14, 14), course(5, 10, 9, 9)]
    assert mark_profiles(courses) == []
    # min_students 3, pass rate under 50 %, more than 1.5 SD.
    thresholds = ProfileThresholds(min_pass_rate=50, max_deviations=1.5, min_students=3)
    # Means 10, 10, 10, 14 and 28/3 (course 5): leave course 5 in another stage to keep the sums easy.
    courses[4] = course(5, 10, 9, 9, group=(1, 2))
    profiles = by_course(mark_profiles(courses, thresholds))
    assert sorted(profiles) == [1, 2, 3, 4, 5]
    # Stage (1, 1): means 10, 10, 10, 14 -> mean 11; deviations -1 (x3), +3; variance (3 + 9)/4 = 3,
    # SD sqrt(3) ~ 1.732; 1.5 SD ~ 2.598 < 3 -> course 4 far (with 2 SD ~ 3.464 > 3 it would not be).
    assert {c for c, p in profiles.items() if p.far_from_stage} == {4}
    # Course 5: 1 pass of 3 = 33 % < 50 -> low; the others 100 %.
    assert {c for c, p in profiles.items() if p.low_pass_rate} == {5}
    # With 2 SD (and the other settings the same), course 4 is no longer far.
    two = ProfileThresholds(min_pass_rate=50, max_deviations=2, min_students=3)
    assert not any(p.far_from_stage for p in mark_profiles(courses, two))


@pytest.mark.parametrize(
    ("marks", "min_pass_rate", "low"),
    [
        # 2 of 4 = 50 %: not under 50; under 51 it is.
        pytest.param((10, 10, 9, 9), 50, False, id="50-at-50"),
        pytest.param((10, 10, 9, 9), 51, True, id="50-under-51"),
        # 1 of 4 = 25 %: under 26, not under 25.
        pytest.param((10, 9, 9, 9), 25, False, id="25-at-25"),
        pytest.param((10, 9, 9, 9), 26, True, id="25-under-26"),
        # 0 %: under any positive threshold; a threshold of 0 never flags.
        pytest.param((9, 9, 9, 9), 0, False, id="0-at-0"),
    ],
)
def test_custom_pass_rate_threshold(marks, min_pass_rate, low):
    (p,) = mark_profiles([course(1, *marks)], ProfileThresholds(min_pass_rate=min_pass_rate, min_students=4))
    assert p.low_pass_rate is low


# --- The level in reach (Art. 70, 81) ------------------------------------------------------------
LEVEL_CASES = [
    # (percentage, expected): the next level up, if at most 1 point away.
    pytest.param(67, "cum_laude", id="67"),  # 68 - 67 = 1 <= 1
    pytest.param(67.5, "cum_laude", id="67.5"),  # 68 - 67.5 = 0.5
    pytest.param(66.9, None, id="66.9"),  # 68 - 66.9 = 1.1 > 1
    pytest.param(50, None, id="50"),  # 18 points from cum laude
    pytest.param(0, None, id="0"),
    pytest.param(68, None, id="68"),  # has cum laude; next 77 is 9 away
    pytest.param(75.9, None, id="75.9"),  # 77 - 75.9 = 1.1
    pytest.param(76, "magna_cum_laude", id="76"),  # 77 - 76 = 1
    pytest.param(77, None, id="77"),  # has magna; next 85 is 8 away
    pytest.param(84.2, "summa_cum_laude", id="84.2"),  # 85 - 84.2 = 0.8
    pytest.param(89, "summa_cum_laude_congratulations", id="89"),  # 90 - 89 = 1
    pytest.param(89.99, "summa_cum_laude_congratulations", id="89.99"),
    pytest.param(90, None, id="90"),  # the highest level: nothing above
    pytest.param(97.3, None, id="97.3"),
    pytest.param(None, None, id="none"),
    # Fractions and decimals, as the programme percentage is computed and stored.
    pytest.param(Fraction(135, 2), "cum_laude", id="fraction-67.5"),  # 68 - 135/2 = 1/2
    pytest.param(Fraction(201, 3), "cum_laude", id="fraction-67"),  # 201/3 = 67
    pytest.param(Fraction(2009, 30), None, id="fraction-66.97"),  # 68 - 2009/30 = 31/30 > 1
    pytest.param(Decimal("67.00"), "cum_laude", id="decimal-67"),
    pytest.param(Decimal("76.5"), "magna_cum_laude", id="decimal-76.5"),
    pytest.param(Decimal("66.99"), None, id="decimal-66.99"),  # 1.01 > 1
]


@pytest.mark.parametrize(("percentage", "expected"), LEVEL_CASES)
def test_level_in_reach(percentage, expected):
    assert level_in_reach(percentage, LEVELS) == expected


@pytest.mark.parametrize(
    ("percentage", "margin", "expected"),
    [
        pytest.param(66, 2, "cum_laude", id="66-margin-2"),  # 68 - 66 = 2 <= 2
        pytest.param(65.5, 2, None, id="65.5-margin-2"),  # 2.5 > 2
        pytest.param(67.5, 0, None, id="67.5-margin-0"),  # 0.5 > 0
        pytest.param(68, 0, None, id="68-margin-0"),  # 77 - 68 = 9
    ],
)
def test_level_in_reach_margin(percentage, margin, expected):
    assert level_in_reach(percentage, LEVELS, margin=margin) == expected


def test_level_in_reach_order_of_levels_does_not_matter():
    # The same as LEVELS, lowest first: 84.2 is 0.8 from summa cum laude (85).
    assert level_in_reach(84.2, tuple(reversed(LEVELS))) == "summa_cum_laude"
    assert level_in_reach(84.2, ()) is None


# --- Compliance for the report (Art. 82) ----------------------------------------------------------
@pytest.mark.parametrize(
    ("quorum_met", "heard", "valid", "met"),
    [
        (True, True, True, True),
        (False, True, True, False),
        (True, False, True, False),
        (True, True, False, False),
        (False, False, False, False),
    ],
)
def test_compliance(quorum_met, heard, valid, met):
    assert Compliance(quorum_met=quorum_met, adjustments_heard=heard, votes_valid=valid).met is met
