"""The committee's writes (committee/services.py; Art. 68-75, 82; DOMAIN §9), in the committee
world (tests/support/worlds.py ``committee_world``): committee Education (chair Cato, secretary
Sien, members Mo and Noor: four members with a vote; Wim substitute for the chair; Olga
ombudsperson, advisory), committee (Bio)Technology (Tom, Tess, Tijl), six students S1-S6 in BA-E
with January marks E1 4 6 7 9 12 5, E2 12 13 14 11 6 15, E3 13 12 14 15 11 12; Education's
deliberation on January prepared, meeting 1 February 2024, publication planned 6 February 2024.

Every refusal is checked to write nothing: the rows, their history and the fields that matter are
the same before and after (``writes_nothing``)."""

import datetime as dt
from contextlib import contextmanager

import pytest

from committee import services
from committee.models import (
    Attendance,
    CaseFile,
    Decision,
    Deliberation,
    Hearing,
    Postponement,
    Recusal,
    Report,
    Vote,
)
from exams.models import Result
from tests.support.worlds import on

D = dt.date
MEETS = D(2024, 2, 1)
PUBLICATION = D(2024, 2, 6)
AT = dt.datetime(2024, 2, 2, 9, 30, tzinfo=dt.UTC)
VOTING = ("chair", "secretary", "member_mo", "member_noor")

AUDITED = (Deliberation, Attendance, Hearing, Decision, Recusal, CaseFile, Postponement, Report)


# --- Helpers ------------------------------------------------------------------------------------
@pytest.fixture
def world(committee_world):
    with on(MEETS):
        yield committee_world


def snapshot() -> dict:
    """What a refused write must leave as it was: the rows, the history rows, and the fields that
    a write changes."""
    state = {model.__name__: model.objects.count() for model in (*AUDITED, Vote)}
    state |= {f"{model.__name__} history": model.history.count() for model in AUDITED}
    state["deliberations"] = list(Deliberation.objects.values_list("pk", "status", "opened_on", "closed_on"))
    state["attendance"] = list(Attendance.objects.order_by("pk").values_list("pk", "presence", "replaces"))
    state["decisions"] = list(Decision.objects.order_by("pk").values_list("pk", "outcome", "vote_requested_by"))
    state["votes"] = list(Vote.objects.order_by("pk").values_list("pk", "member", "ballot"))
    state["recusals"] = list(Recusal.objects.order_by("pk").values_list("pk", "member", "ground"))
    state["reports"] = list(
        Report.objects.order_by("pk").values_list(
            "pk", "version", "content", "chair_signed_at", "secretary_signed_at", "correction"
        )
    )
    state["results"] = list(Result.objects.order_by("pk").values_list("pk", "score"))
    return state


@contextmanager
def writes_nothing():
    """The block is refused (``committee.services.Refused``) and nothing was written."""
    before = snapshot()
    with pytest.raises(services.Refused) as caught:
        yield caught
    assert snapshot() == before


def student(world, n: int):
    """S``n`` (1-6)."""
    return world.students[n - 1]


def line(world, n: int, code: str):
    return world.lines[f"s{n:07d}", code]


def open_meeting(world, *present, presence="present"):
    """Open Education's January deliberation on the meeting day and record ``present`` (names of
    the world's members) as attending."""
    services.deliberation_open(deliberation=world.deliberation, on=MEETS, by=world.chair_user)
    for name in present:
        services.attendance_record(
            deliberation=world.deliberation, member=getattr(world, name), presence=presence, by=world.secretary_user
        )


def attend(world, name, presence="present", replaces=None):
    return services.attendance_record(
        deliberation=world.deliberation,
        member=getattr(world, name),
        presence=presence,
        replaces=getattr(world, replaces) if replaces else None,
        by=world.secretary_user,
    )


def hear(world, n, code, kind="examiner"):
    return services.hearing_record(
        deliberation=world.deliberation,
        kind=kind,
        student=student(world, n),
        course=world.courses[code],
        heard="Examiner of " + code if kind == "examiner" else f"S{n}",
        held_on=D(2024, 1, 30),
        present="Cato Chair, Olga Ombuds",
        by=world.chair_user,
    )


def decide(world, n, kind, code=None, reason="The examiner's mark is clearly unreasonable.", **kwargs):
    return services.decision_record(
        deliberation=world.deliberation,
        student=student(world, n),
        kind=kind,
        reason=reason,
        isp_line=line(world, n, code) if code else None,
        by=world.secretary_user,
        **kwargs,
    )


def vote(world, decision, **ballots):
    return services.votes_record(
        decision=decision,
        ballots={getattr(world, name): ballot for name, ballot in ballots.items()},
        by=world.secretary_user,
    )


def close(world):
    return services.deliberation_close(deliberation=world.deliberation, on=MEETS, by=world.chair_user)


def sign(world, name, content=None):
    return services.report_sign(
        deliberation=world.deliberation,
        member=getattr(world, name),
        content=content if content is not None else {"by": name},
        at=AT,
        by=getattr(world, name).user,
    )


def signed_meeting(world):
    """A meeting of the four voting members with one adopted decision (S5 E2 tolerated), closed,
    its report signed by the chair and the secretary."""
    open_meeting(world, *VOTING)
    decide(world, 5, "tolerated", "E2", reason="Special circumstances in January.")
    close(world)
    sign(world, "chair")
    sign(world, "secretary", {"version": 1})


# --- Opening, attendance, closing (Art. 71) -----------------------------------------------------
def test_a_deliberation_is_opened_then_closed_with_a_history_row_for_each(world):
    deliberation = world.deliberation
    assert deliberation.status == "prepared"

    services.deliberation_open(deliberation=deliberation, on=MEETS, by=world.chair_user)
    deliberation.refresh_from_db()
    assert (deliberation.status, deliberation.opened_on, deliberation.closed_on) == ("open", MEETS, None)

    # Opening an open deliberation changes nothing.
    before = snapshot()
    services.deliberation_open(deliberation=deliberation, on=D(2024, 2, 2), by=world.chair_user)
    assert snapshot() == before

    services.deliberation_close(deliberation=deliberation, on=D(2024, 2, 2), by=world.chair_user)
    deliberation.refresh_from_db()
    assert (deliberation.status, deliberation.opened_on, deliberation.closed_on) == ("closed", MEETS, D(2024, 2, 2))
    history = list(deliberation.history.order_by("history_id").values_list("status", "history_change_reason"))
    assert history == [
        ("prepared", None),
        ("open", "deliberation opened"),
        ("closed", "deliberation closed"),
    ]
    assert deliberation.history.order_by("history_id").last().history_user == world.chair_user


def test_the_day_of_opening_and_closing_is_today_when_not_given(world):
    with on(D(2024, 2, 1)):
        services.deliberation_open(deliberation=world.deliberation)
    with on(D(2024, 2, 5)):
        services.deliberation_close(deliberation=world.deliberation)
    world.deliberation.refresh_from_db()
    assert (world.deliberation.opened_on, world.deliberation.closed_on) == (D(2024, 2, 1), D(2024, 2, 5))


@pytest.mark.parametrize("status", ["prepared", "closed"])
def test_only_an_open_deliberation_is_closed(world, status):
    if status == "closed":
        open_meeting(world)
        close(world)
    with writes_nothing() as refused:
        close(world)
    assert "Art. 71" in refused.value.messages[0]


def test_a_closed_deliberation_is_not_opened_again(world):
    open_meeting(world)
    close(world)
    with writes_nothing() as refused:
        services.deliberation_open(deliberation=world.deliberation, on=D(2024, 2, 3))
    assert "closed" in refused.value.messages[0]


def test_closing_is_refused_while_a_decision_waits_for_its_votes(world):
    open_meeting(world, *VOTING)
    decision = decide(world, 5, "tolerated", "E2", vote_requested_by=world.member_mo)
    assert decision.outcome == "proposed"
    with writes_nothing() as refused:
        close(world)
    assert refused.value.messages == ["A vote was asked on 1 decision and has not been counted yet (Art. 75)."]

    decide(world, 1, "tolerated", "E1", vote_requested_by=world.member_noor)
    with writes_nothing() as refused:
        close(world)
    assert refused.value.messages == ["Votes were asked on 2 decisions and have not been counted yet (Art. 75)."]

    vote(world, decision, chair="for", secretary="for")
    vote(world, Decision.objects.get(student=student(world, 1)), chair="against", member_mo="against")
    close(world)
    world.deliberation.refresh_from_db()
    assert world.deliberation.status == "closed"


def test_attendance_is_recorded_once_per_member_and_its_history_names_who_and_why(world):
    open_meeting(world)
    first = attend(world, "member_noor", "excused")
    again = attend(world, "member_noor", "online")
    assert first.pk == again.pk
    assert list(Attendance.objects.values_list("member", "presence")) == [(world.member_noor.pk, "online")]
    history = list(
        again.history.order_by("history_id").values_list("presence", "history_user", "history_change_reason")
    )
    assert history == [
        ("excused", world.secretary_user.pk, "attendance recorded"),
        ("online", world.secretary_user.pk, "attendance recorded"),
    ]


def test_attendance_may_be_recorded_before_the_meeting_opens(world):
    attend(world, "member_mo", "excused")
    assert Attendance.objects.get().presence == "excused"


def test_a_substitute_replaces_the_chair(world):
    open_meeting(world)
    attend(world, "chair", "excused")
    substitute = attend(world, "chair_substitute", "present", replaces="chair")
    assert substitute.replaces == world.chair


@pytest.mark.parametrize(
    ("member", "replaces", "expected"),
    [
        # The chair's substitute replaces the chair only (Art. 68).
        ("chair_substitute", "member_mo", "A substitute replaces the chair or the secretary only"),
        ("chair_substitute", "secretary", "A substitute replaces the chair or the secretary only"),
        # A member is no substitute.
        ("member_mo", "member_noor", "A substitute replaces the chair or the secretary only"),
        ("member_mo", "chair", "A substitute replaces the chair or the secretary only"),
        # Members of another committee.
        ("chair_tech", None, "Tom Tech is not a member of this committee (Art. 68)."),
        ("chair_substitute", "chair_tech", "Tom Tech is not a member of this committee (Art. 68)."),
    ],
)
def test_attendance_refusals(world, member, replaces, expected):
    open_meeting(world)
    with writes_nothing() as refused:
        attend(world, member, "present", replaces=replaces)
    assert refused.value.messages[0].startswith(expected)
    assert "(Art. 68)" in refused.value.messages[0]


def test_attendance_with_an_unknown_presence_is_refused(world):
    open_meeting(world)
    with writes_nothing() as refused:
        attend(world, "member_mo", "maybe")
    assert refused.value.messages == ["Not a presence at the meeting: maybe (Art. 71)."]


def test_attendance_after_closing_is_refused(world):
    open_meeting(world, "chair")
    close(world)
    with writes_nothing() as refused:
        attend(world, "member_mo", "present")
    assert refused.value.messages == ["This deliberation is closed: its attendance list is final (Art. 71)."]
    # Changing an attendance already recorded is refused as well.
    with writes_nothing():
        attend(world, "chair", "absent")


# --- Quorum (Art. 71): at least half of the four members with a vote --------------------------
@pytest.mark.parametrize(
    ("attendance", "met"),
    [
        # 1 of 4: the chair alone.
        ([("chair", "present", None)], False),
        # 2 of 4.
        ([("chair", "present", None), ("secretary", "present", None)], True),
        # Online counts as present (Art. 71): 2 of 4.
        ([("member_mo", "online", None), ("member_noor", "present", None)], True),
        # 1 of 4: the others excused or absent.
        (
            [
                ("chair", "present", None),
                ("secretary", "excused", None),
                ("member_mo", "absent", None),
                ("member_noor", "excused", None),
            ],
            False,
        ),
        # The ombudsperson is advisory, not counted: 1 of 4.
        ([("chair", "present", None), ("ombuds", "present", None)], False),
        # The chair's substitute replacing the absent chair counts for the chair: 2 of 4.
        ([("chair", "excused", None), ("chair_substitute", "present", "chair"), ("secretary", "present", None)], True),
        # ... even when the chair's absence is not recorded: 2 of 4.
        ([("chair_substitute", "present", "chair"), ("member_mo", "present", None)], True),
        # A substitute who replaces no one is no member: 1 of 4.
        ([("chair_substitute", "present", None), ("secretary", "present", None)], False),
        # The chair present and the substitute for the chair: one seat, 1 of 4.
        ([("chair", "present", None), ("chair_substitute", "present", "chair")], False),
    ],
)
def test_a_decision_needs_the_quorum(world, attendance, met):
    open_meeting(world)
    for name, presence, replaces in attendance:
        attend(world, name, presence, replaces=replaces)
    if met:
        decision = decide(world, 5, "tolerated", "E2")
        assert decision.outcome == "adopted"
    else:
        with writes_nothing() as refused:
            decide(world, 5, "tolerated", "E2")
        assert refused.value.codes == ["no_quorum"]
        assert "(Art. 71)" in refused.value.messages[0]


def test_votes_are_refused_when_the_quorum_is_lost(world):
    open_meeting(world, "chair", "secretary")
    decision = decide(world, 5, "tolerated", "E2", vote_requested_by=world.chair)
    attend(world, "secretary", "excused")  # 1 of 4 left
    with writes_nothing() as refused:
        vote(world, decision, chair="for")
    assert refused.value.codes == ["no_quorum"]
    assert "(Art. 71)" in refused.value.messages[0]


# --- Decisions (Art. 70, 74) --------------------------------------------------------------------
def test_a_mark_adjustment_after_hearing_the_examiner_links_the_hearing(world):
    open_meeting(world, *VOTING)
    hearing = hear(world, 1, "E1")
    decision = decide(world, 1, "mark_adjusted", "E1", new_score=10, reason="  Question 4 was not on the syllabus. ")
    decision.refresh_from_db()
    january_e1 = Result.objects.get(isp_line=line(world, 1, "E1"), exam_period=world.january)
    assert (decision.kind, decision.isp_line, decision.result, decision.new_score, decision.hearing) == (
        "mark_adjusted",
        line(world, 1, "E1"),
        january_e1,
        10,
        hearing,
    )
    assert (decision.reason, decision.outcome, decision.vote_requested_by) == (
        "Question 4 was not on the syllabus.",
        "adopted",
        None,
    )
    # Applied by the publication, not by the decision: the examiner's mark stays 4 for now.
    assert january_e1.score == 4
    history = decision.history.get()
    assert (history.history_user, history.history_change_reason) == (world.secretary_user, "decision recorded")


@pytest.mark.parametrize(
    ("n", "kind", "code", "extra", "expected"),
    [
        # S5's E2 (6) is an intolerable fail (under 8): considered tolerable.
        (5, "tolerated", "E2", {}, {"isp_line": True, "new_score": None, "level": "", "hearing": None}),
        # S1's E1 (4) is an intolerable fail too.
        (1, "tolerated", "E1", {}, {"isp_line": True, "new_score": None, "level": "", "hearing": None}),
        # Tolerance beyond the 10 % credit for S1's E1.
        (1, "beyond_credit", "E1", {}, {"isp_line": True, "new_score": None, "level": "", "hearing": None}),
        # A level of achievement for S3, about no course; a mark or level given for another kind
        # is not kept.
        (
            3,
            "level_awarded",
            None,
            {"level": "cum_laude", "new_score": 15},
            {"isp_line": False, "new_score": None, "level": "cum_laude", "hearing": None},
        ),
        (
            5,
            "tolerated",
            "E2",
            {"level": "cum_laude"},
            {"isp_line": True, "new_score": None, "level": "", "hearing": None},
        ),
    ],
)
def test_each_decision_is_recorded_with_its_reason(world, n, kind, code, extra, expected):
    open_meeting(world, *VOTING)
    decision = decide(world, n, kind, code, reason="Carefully justified.", **extra)
    decision.refresh_from_db()
    assert (decision.student, decision.kind, decision.reason, decision.outcome) == (
        student(world, n),
        kind,
        "Carefully justified.",
        "adopted",
    )
    assert (decision.isp_line is not None, decision.new_score, decision.level, decision.hearing) == (
        expected["isp_line"],
        expected["new_score"],
        expected["level"],
        expected["hearing"],
    )


@pytest.mark.parametrize("reason", ["", "   ", "\n\t  "])
@pytest.mark.parametrize(
    ("n", "kind", "code", "extra"),
    [
        (5, "tolerated", "E2", {}),
        (1, "beyond_credit", "E1", {}),
        (3, "level_awarded", None, {"level": "cum_laude"}),
        (1, "mark_adjusted", "E1", {"new_score": 10}),
    ],
)
def test_a_decision_without_a_reason_is_refused(world, reason, n, kind, code, extra):
    open_meeting(world, *VOTING)
    hear(world, 1, "E1")
    with writes_nothing() as refused:
        decide(world, n, kind, code, reason=reason, **extra)
    assert refused.value.codes == ["no_reason"]
    assert "(Art. 70)" in refused.value.messages[0]


@pytest.mark.parametrize(
    "hearing",
    [
        None,
        ("student", 1, "E1"),  # the student was heard, not the examiner
        ("examiner", 1, "E2"),  # the examiner of another course
        ("examiner", 2, "E1"),  # the examiner, about another student
    ],
)
def test_a_mark_adjustment_before_the_examiners_hearing_is_refused(world, hearing):
    open_meeting(world, *VOTING)
    if hearing:
        kind, n, code = hearing
        hear(world, n, code, kind)
    with writes_nothing() as refused:
        decide(world, 1, "mark_adjusted", "E1", new_score=10)
    assert refused.value.codes == ["examiner_not_heard"]
    assert "(Art. 74)" in refused.value.messages[0]

    # Heard, the same adjustment is accepted.
    hearing_row = hear(world, 1, "E1")
    assert decide(world, 1, "mark_adjusted", "E1", new_score=10).hearing == hearing_row


@pytest.mark.parametrize(
    ("new_score", "codes"),
    [
        (4, ["same_mark"]),  # S1's E1 is 4: nothing to adjust
        (None, ["no_mark"]),
    ],
)
def test_a_mark_adjustment_names_another_mark(world, new_score, codes):
    open_meeting(world, *VOTING)
    hear(world, 1, "E1")
    with writes_nothing() as refused:
        decide(world, 1, "mark_adjusted", "E1", new_score=new_score)
    assert refused.value.codes == codes
    assert "(Art. 70 §1)" in refused.value.messages[0]


@pytest.mark.parametrize("new_score", [21, -1, 100])
def test_an_adjusted_mark_is_on_the_scale_of_20(world, new_score):
    open_meeting(world, *VOTING)
    hear(world, 1, "E1")
    with writes_nothing() as refused:
        decide(world, 1, "mark_adjusted", "E1", new_score=new_score)
    assert refused.value.messages == ["A mark is a whole number from 0 to 20 (Art. 54, 70 §1)."]


@pytest.mark.parametrize(
    ("n", "code", "accepted"),
    [
        (1, "E3", False),  # 13: passed
        (1, "E2", False),  # 12: passed
        (4, "E1", False),  # 9: a tolerable fail already (8 or 9 in a tolerable course)
        (5, "E2", True),  # 6: intolerable
        (1, "E1", True),  # 4: intolerable
    ],
)
def test_only_an_intolerable_fail_is_considered_tolerable(world, n, code, accepted):
    open_meeting(world, *VOTING)
    if accepted:
        assert decide(world, n, "tolerated", code).outcome == "adopted"
    else:
        with writes_nothing() as refused:
            decide(world, n, "tolerated", code)
        assert refused.value.codes == ["not_a_fail"]
        assert "(Art. 70)" in refused.value.messages[0]


@pytest.mark.parametrize(
    ("kind", "extra"), [("tolerated", {}), ("beyond_credit", {}), ("mark_adjusted", {"new_score": 9})]
)
def test_a_decision_about_a_course_names_it(world, kind, extra):
    open_meeting(world, *VOTING)
    with writes_nothing() as refused:
        decide(world, 1, kind, None, **extra)
    assert "no_course" in refused.value.codes


@pytest.mark.parametrize("level", ["", "excellent"])
def test_a_level_awarded_is_one_of_the_levels(world, level):
    open_meeting(world, *VOTING)
    with writes_nothing() as refused:
        decide(world, 3, "level_awarded", level=level)
    assert refused.value.codes == ["no_level"]
    assert "(Art. 70, 81)" in refused.value.messages[0]


def test_a_decision_about_another_students_course_is_refused(world):
    open_meeting(world, *VOTING)
    with writes_nothing() as refused:
        services.decision_record(
            deliberation=world.deliberation,
            student=student(world, 1),
            kind="tolerated",
            reason="Circumstances.",
            isp_line=line(world, 5, "E2"),  # S5's intolerable fail, not S1's
        )
    assert "(Art. 70)" in refused.value.messages[0]


@pytest.mark.parametrize("status", ["prepared", "closed"])
def test_a_decision_outside_the_open_meeting_is_refused(world, status):
    for name in VOTING:
        attend(world, name)
    if status == "closed":
        services.deliberation_open(deliberation=world.deliberation, on=MEETS)
        close(world)
    with writes_nothing() as refused:
        decide(world, 5, "tolerated", "E2")
    assert refused.value.codes == ["not_open"]
    assert "(Art. 70-71)" in refused.value.messages[0]


def test_a_vote_asked_by_a_member_of_another_committee_is_refused(world):
    open_meeting(world, *VOTING)
    with writes_nothing() as refused:
        decide(world, 5, "tolerated", "E2", vote_requested_by=world.chair_tech)
    assert refused.value.messages == ["Tom Tech is not a member of this committee (Art. 68)."]


# --- Votes (Art. 73, 75) ------------------------------------------------------------------------
@pytest.mark.parametrize("asker", ["chair", "member_noor", "ombuds"])
def test_a_vote_asked_on_a_decision_makes_it_a_proposal(world, asker):
    open_meeting(world, *VOTING)
    decision = decide(world, 5, "tolerated", "E2")
    assert decision.outcome == "adopted"
    services.vote_request(decision=decision, member=getattr(world, asker), by=world.secretary_user)
    decision.refresh_from_db()
    assert (decision.outcome, decision.vote_requested_by) == ("proposed", getattr(world, asker))
    assert decision.history.order_by("history_id").last().history_change_reason == "vote requested"

    # Asked again: the first request stands.
    before = snapshot()
    services.vote_request(decision=decision, member=world.chair)
    assert snapshot() == before


def test_a_vote_asked_by_a_member_of_another_committee_or_outside_the_meeting_is_refused(world):
    open_meeting(world, *VOTING)
    decision = decide(world, 5, "tolerated", "E2")
    with writes_nothing() as refused:
        services.vote_request(decision=decision, member=world.member_tech)
    assert refused.value.messages == ["Tijl Tech is not a member of this committee (Art. 68)."]
    close(world)
    with writes_nothing() as refused:
        services.vote_request(decision=decision, member=world.chair)
    assert refused.value.codes == ["not_open"]


def proposal(world, which):
    """A decision waiting for votes: ``favourable`` S5's E2 tolerated; ``downward`` S2's E2 from
    13 to 11; ``upward`` S1's E1 from 4 to 10 (the examiner heard for both marks)."""
    if which == "favourable":
        return decide(world, 5, "tolerated", "E2", vote_requested_by=world.chair)
    if which == "downward":
        hear(world, 2, "E2")
        return decide(world, 2, "mark_adjusted", "E2", new_score=11, vote_requested_by=world.member_mo)
    hear(world, 1, "E1")
    return decide(world, 1, "mark_adjusted", "E1", new_score=10, vote_requested_by=world.ombuds)


@pytest.mark.parametrize(
    ("which", "ballots", "expected"),
    [
        # (for, against, not counted, tie, adopted), worked out by hand.
        ("favourable", {"chair": "for", "secretary": "for", "member_mo": "against"}, (2, 1, 0, False, True)),
        ("favourable", {"chair": "against", "secretary": "against", "member_mo": "for"}, (1, 2, 0, False, False)),
        ("downward", {"chair": "for", "secretary": "for", "member_mo": "against"}, (2, 1, 0, False, True)),
        ("downward", {"chair": "against", "member_mo": "against", "member_noor": "against"}, (0, 3, 0, False, False)),
        # A tie takes the proposal most favourable to the student (Art. 75).
        ("favourable", {"chair": "for", "secretary": "against"}, (1, 1, 0, True, True)),
        ("upward", {"chair": "for", "secretary": "against"}, (1, 1, 0, True, True)),
        ("downward", {"chair": "for", "secretary": "against"}, (1, 1, 0, True, False)),
        (
            "favourable",
            {"chair": "for", "secretary": "against", "member_mo": "for", "member_noor": "against"},
            (2, 2, 0, True, True),
        ),
        (
            "downward",
            {"chair": "for", "secretary": "against", "member_mo": "for", "member_noor": "against"},
            (2, 2, 0, True, False),
        ),
        # Abstentions and invalid votes are not counted: 1 for of 1 valid vote adopts.
        (
            "downward",
            {"chair": "for", "secretary": "abstain", "member_mo": "abstain", "member_noor": "invalid"},
            (1, 0, 3, False, True),
        ),
        ("downward", {"chair": "against", "secretary": "abstain", "member_mo": "invalid"}, (0, 1, 2, False, False)),
        (
            "downward",
            {"chair": "for", "secretary": "against", "member_mo": "abstain", "member_noor": "invalid"},
            (1, 1, 2, True, False),
        ),
        (
            "favourable",
            {"chair": "for", "secretary": "against", "member_mo": "abstain", "member_noor": "invalid"},
            (1, 1, 2, True, True),
        ),
        # Nothing valid: a tie of none.
        ("favourable", {"chair": "abstain", "secretary": "invalid"}, (0, 0, 2, True, True)),
        ("downward", {"chair": "abstain", "secretary": "abstain"}, (0, 0, 2, True, False)),
    ],
)
def test_the_votes_are_counted(world, which, ballots, expected):
    open_meeting(world, *VOTING, "ombuds")
    decision = proposal(world, which)
    assert decision.outcome == "proposed"
    counted = vote(world, decision, **ballots)
    assert (counted.votes_for, counted.votes_against, counted.not_counted, counted.tie, counted.adopted) == expected
    decision.refresh_from_db()
    assert decision.outcome == ("adopted" if expected[-1] else "rejected")
    assert sorted(decision.votes.values_list("member__name", "ballot")) == sorted(
        (getattr(world, name).name, ballot) for name, ballot in ballots.items()
    )
    assert decision.history.order_by("history_id").last().history_change_reason == "votes counted"


def test_votes_cast_in_rounds_are_counted_together_and_a_member_votes_once(world):
    open_meeting(world, *VOTING)
    decision = proposal(world, "downward")
    assert vote(world, decision, chair="for").adopted  # 1-0
    counted = vote(world, decision, secretary="against", member_mo="against")  # 1-2
    assert (counted.votes_for, counted.votes_against, counted.adopted) == (1, 2, False)
    counted = vote(world, decision, member_mo="for")  # Mo changes their vote: 2-1
    assert (counted.votes_for, counted.votes_against, counted.adopted) == (2, 1, True)
    assert decision.votes.count() == 3
    decision.refresh_from_db()
    assert decision.outcome == "adopted"


def test_votes_on_a_decision_nobody_asked_a_vote_on_are_the_chairs_request(world):
    open_meeting(world, *VOTING)
    decision = decide(world, 5, "tolerated", "E2")
    vote(world, decision, chair="against", secretary="against", member_mo="for")
    decision.refresh_from_db()
    assert (decision.outcome, decision.vote_requested_by) == ("rejected", world.chair)


@pytest.mark.parametrize(
    ("ballots", "codes", "message"),
    [
        # The ombudsperson is heard, never votes (Art. 68; DOMAIN §9).
        ({"ombuds": "for"}, ["advisory"], "Olga Ombuds is an advisory member: heard, without a vote (Art. 68)."),
        # Noor is excused: no vote.
        (
            {"member_noor": "for"},
            ["not_present"],
            "Noor Member is not present with a vote at this meeting (Art. 71, 75).",
        ),
        # The substitute did not replace the chair, who is present.
        (
            {"chair_substitute": "for"},
            ["not_present"],
            "Wim Substitute is not present with a vote at this meeting (Art. 71, 75).",
        ),
        # A valid vote with a refused one: nothing is recorded.
        (
            {"chair": "for", "ombuds": "against"},
            ["advisory"],
            "Olga Ombuds is an advisory member: heard, without a vote (Art. 68).",
        ),
        ({"chair": "maybe"}, ["ballot"], "Not a vote: maybe (Art. 75)."),
        ({"chair_tech": "for"}, ["committee_refused"], "Tom Tech is not a member of this committee (Art. 68)."),
    ],
)
def test_votes_refused(world, ballots, codes, message):
    open_meeting(world, "chair", "secretary", "member_mo", "ombuds", "chair_substitute")
    attend(world, "member_noor", "excused")
    decision = proposal(world, "favourable")
    with writes_nothing() as refused:
        vote(world, decision, **ballots)
    assert refused.value.codes == codes
    assert refused.value.messages == [message]
    decision.refresh_from_db()
    assert decision.outcome == "proposed"


def test_a_recused_members_vote_is_refused(world):
    open_meeting(world, *VOTING)
    services.recusal_record(
        deliberation=world.deliberation, member=world.member_mo, student=student(world, 5), ground="relative"
    )
    decision = proposal(world, "favourable")
    with writes_nothing() as refused:
        vote(world, decision, chair="for", member_mo="for")
    assert refused.value.codes == ["recused"]
    assert refused.value.messages == [
        "Mo Member does not take part in the deliberation of this student: the vote is refused (Art. 73)."
    ]
    # Mo votes on another student.
    hear(world, 2, "E2")
    other = decide(world, 2, "mark_adjusted", "E2", new_score=11, vote_requested_by=world.chair)
    assert vote(world, other, member_mo="for").adopted


def test_a_recusal_after_the_vote_removes_the_members_vote_and_counts_again(world):
    open_meeting(world, *VOTING)
    decision = proposal(world, "downward")  # S2's E2 from 13 to 11
    tolerated = decide(world, 5, "tolerated", "E2", vote_requested_by=world.chair)
    vote(world, tolerated, member_mo="for", chair="against", secretary="against")  # 1-2: rejected
    assert vote(world, decision, chair="for", member_mo="for", secretary="against").adopted  # 2-1

    # Mo marked S2's E2: own mark under review (Art. 73). Without Mo's vote: 1-1, a tie on a
    # downward adjustment keeps the examiner's mark.
    recusal = services.recusal_record(
        deliberation=world.deliberation,
        member=world.member_mo,
        student=student(world, 2),
        ground="own_mark",
        by=world.chair_user,
    )
    decision.refresh_from_db()
    assert decision.outcome == "rejected"
    assert sorted(decision.votes.values_list("member__name", "ballot")) == [
        ("Cato Chair", "for"),
        ("Sien Secretary", "against"),
    ]
    # Mo's vote on S5 is not touched.
    tolerated.refresh_from_db()
    assert (tolerated.outcome, tolerated.votes.count()) == ("rejected", 3)
    history = recusal.history.get()
    assert (history.ground, history.history_user, history.history_change_reason) == (
        "own_mark",
        world.chair_user,
        "recusal recorded",
    )

    # Recorded again: nothing new.
    before = snapshot()
    services.recusal_record(
        deliberation=world.deliberation, member=world.member_mo, student=student(world, 2), ground="own_mark"
    )
    assert snapshot() == before


@pytest.mark.parametrize(("member", "status"), [("chair_tech", "open"), ("member_mo", "closed")])
def test_recusal_refusals(world, member, status):
    open_meeting(world, *VOTING)
    if status == "closed":
        close(world)
    with writes_nothing():
        services.recusal_record(
            deliberation=world.deliberation, member=getattr(world, member), student=student(world, 2), ground="relative"
        )


# --- Hearings (Art. 74) -------------------------------------------------------------------------
def test_a_hearing_is_recorded_with_the_day_and_who_was_present(world):
    hearing = hear(world, 2, "E2")
    hearing.refresh_from_db()
    assert (hearing.kind, hearing.student, hearing.course, hearing.held_on, hearing.present) == (
        "examiner",
        student(world, 2),
        world.courses["E2"],
        D(2024, 1, 30),
        "Cato Chair, Olga Ombuds",
    )


@pytest.mark.parametrize(
    ("fields", "article"),
    [
        ({"heard": "  "}, "(Art. 74)"),
        ({"present": ""}, "(Art. 74)"),
        ({"course": None}, "(Art. 74)"),  # an examiner is heard about a course
    ],
)
def test_hearing_refusals(world, fields, article):
    values = {
        "deliberation": world.deliberation,
        "kind": "examiner",
        "student": student(world, 2),
        "course": world.courses["E2"],
        "heard": "Examiner",
        "held_on": D(2024, 1, 30),
        "present": "Cato Chair",
    } | fields
    with writes_nothing() as refused:
        services.hearing_record(**values)
    assert article in refused.value.messages[0]


# --- The report (Art. 82) -----------------------------------------------------------------------
def test_the_report_is_signed_by_the_chair_then_the_secretary_and_keeps_what_was_signed(world):
    open_meeting(world, *VOTING)
    decide(world, 5, "tolerated", "E2")
    close(world)
    first = sign(world, "chair", {"draft": True})
    assert (first.version, first.chair_signed_by, first.chair_signed_at, first.secretary_signed_at) == (
        1,
        world.chair,
        AT,
        None,
    )
    assert not first.signed
    assert not services.is_signed(world.deliberation)

    report = sign(world, "secretary", {"attendance": ["Cato Chair"], "decisions": 1})
    report.refresh_from_db()
    assert report.pk == first.pk
    assert (report.signed, report.chair_signed_by, report.secretary_signed_by, report.secretary_signed_at) == (
        True,
        world.chair,
        world.secretary,
        AT,
    )
    assert report.content == {"attendance": ["Cato Chair"], "decisions": 1}
    assert services.is_signed(world.deliberation)
    assert services.current_report(world.deliberation) == report
    history = list(report.history.order_by("history_id").values_list("history_user", "history_change_reason"))
    assert history == [(world.chair_user.pk, "report signed"), (world.secretary_user.pk, "report signed")]


def test_the_secretary_may_sign_first(world):
    open_meeting(world, *VOTING)
    close(world)
    sign(world, "secretary")
    report = sign(world, "chair", {"final": True})
    assert report.signed and report.content == {"final": True}


@pytest.mark.parametrize(
    ("signer", "substitute_attends", "message"),
    [
        ("member_mo", None, "The report is signed by the chair and the secretary (Art. 82)."),
        ("ombuds", None, "The report is signed by the chair and the secretary (Art. 82)."),
        # A substitute who did not attend, or attended without replacing anyone.
        (
            "chair_substitute",
            None,
            "A substitute signs only for the chair or secretary replaced at this meeting (Art. 68, 82).",
        ),
        (
            "chair_substitute",
            "present",
            "A substitute signs only for the chair or secretary replaced at this meeting (Art. 68, 82).",
        ),
        ("chair_tech", None, "Tom Tech is not a member of this committee (Art. 68)."),
    ],
)
def test_report_signature_refusals(world, signer, substitute_attends, message):
    open_meeting(world, *VOTING)
    if substitute_attends:
        attend(world, "chair_substitute", substitute_attends)
    close(world)
    with writes_nothing() as refused:
        sign(world, signer)
    assert refused.value.messages == [message]
    assert not Report.objects.exists()


def test_the_substitute_who_replaced_the_chair_signs_in_the_chairs_place(world):
    open_meeting(world, "secretary", "member_mo")
    attend(world, "chair", "excused")
    attend(world, "chair_substitute", "present", replaces="chair")
    close(world)
    sign(world, "chair_substitute")
    report = sign(world, "secretary")
    assert (report.signed, report.chair_signed_by, report.secretary_signed_by) == (
        True,
        world.chair_substitute,
        world.secretary,
    )


@pytest.mark.parametrize("status", ["prepared", "open"])
def test_the_report_is_signed_after_the_deliberation_is_closed(world, status):
    if status == "open":
        open_meeting(world, *VOTING)
    with writes_nothing() as refused:
        sign(world, "chair")
    assert refused.value.messages == ["The report is signed after the deliberation is closed (Art. 82)."]


def after_signing(world):
    """Each write on the deliberation, with valid values: refused once the report is signed."""
    deliberation = world.deliberation
    decision = Decision.objects.get()
    return {
        "decision": lambda: decide(world, 1, "tolerated", "E1"),
        "attendance": lambda: attend(world, "member_noor", "excused"),
        "hearing": lambda: hear(world, 2, "E2"),
        "recusal": lambda: services.recusal_record(
            deliberation=deliberation, member=world.member_mo, student=student(world, 5), ground="relative"
        ),
        "vote": lambda: vote(world, decision, chair="for"),
        "vote request": lambda: services.vote_request(decision=decision, member=world.chair),
        "case file": lambda: services.case_file_open(
            deliberation=deliberation,
            kind="circumstances",
            student=student(world, 5),
            description="Hospitalised in January.",
            indicated_by=world.ombuds,
        ),
        "postponement": lambda: services.postponement_record(
            deliberation=deliberation, isp_line=line(world, 5, "E2"), announce_on=D(2024, 3, 1), reason="Fraud file."
        ),
        "opening": lambda: services.deliberation_open(deliberation=deliberation),
        "signature": lambda: sign(world, "chair", {"changed": True}),
    }


@pytest.mark.parametrize(
    "write",
    [
        "decision",
        "attendance",
        "hearing",
        "recusal",
        "vote",
        "vote request",
        "case file",
        "postponement",
        "opening",
        "signature",
    ],
)
def test_after_signing_every_write_is_refused(world, write):
    signed_meeting(world)
    with writes_nothing() as refused:
        after_signing(world)[write]()
    assert refused.value.codes == ["signed"]
    assert len(refused.value.messages) == 1
    assert "signed" in refused.value.messages[0] and "(Art. 82)" in refused.value.messages[0]


def test_a_correction_is_a_new_unsigned_version_that_opens_the_deliberation_again(world):
    signed_meeting(world)
    signed = Report.objects.get()
    new = services.report_correct(
        deliberation=world.deliberation, correction="  S5's reason was incomplete. ", by=world.chair_user
    )
    new.refresh_from_db()
    assert (new.version, new.correction, new.signed, new.content) == (2, "S5's reason was incomplete.", False, {})
    world.deliberation.refresh_from_db()
    assert world.deliberation.status == "open"
    assert (
        world.deliberation.history.order_by("history_id").last().history_change_reason
        == "deliberation reopened for a correction"
    )
    assert not services.is_signed(world.deliberation)
    assert services.current_report(world.deliberation) == new

    # The committee decides again, closes and signs the new version; the first stays as signed.
    decide(world, 1, "tolerated", "E1")
    close(world)
    sign(world, "chair")
    second = sign(world, "secretary", {"version": 2})
    assert (second.pk, second.version, second.signed, second.content) == (new.pk, 2, True, {"version": 2})
    signed_before = Report.objects.get(pk=signed.pk)
    assert (signed_before.content, signed_before.signed, signed_before.secretary_signed_at) == (
        {"version": 1},
        True,
        signed.secretary_signed_at,
    )


@pytest.mark.parametrize("correction", ["", "   "])
def test_a_correction_says_what_it_corrects(world, correction):
    signed_meeting(world)
    with writes_nothing() as refused:
        services.report_correct(deliberation=world.deliberation, correction=correction)
    assert refused.value.messages == ["Say what the new version corrects (Art. 82)."]


@pytest.mark.parametrize("signatures", [(), ("chair",)])
def test_only_a_signed_report_is_corrected(world, signatures):
    open_meeting(world, *VOTING)
    close(world)
    for name in signatures:
        sign(world, name)
    with writes_nothing() as refused:
        services.report_correct(deliberation=world.deliberation, correction="A typo.")
    assert "(Art. 82)" in refused.value.messages[0]


# --- The select committee's preparation (Art. 69) -----------------------------------------------
def test_a_result_is_postponed_after_the_publication_with_a_reason(world):
    postponement = services.postponement_record(
        deliberation=world.deliberation,
        isp_line=line(world, 5, "E2"),
        announce_on=D(2024, 2, 7),
        reason=" Waiting for the fraud file. ",
        by=world.chair_user,
    )
    postponement.refresh_from_db()
    assert (postponement.announce_on, postponement.reason) == (D(2024, 2, 7), "Waiting for the fraud file.")
    # Recorded again: the same row, moved.
    services.postponement_record(
        deliberation=world.deliberation, isp_line=line(world, 5, "E2"), announce_on=D(2024, 2, 20), reason="Later."
    )
    assert list(Postponement.objects.values_list("announce_on", "reason")) == [(D(2024, 2, 20), "Later.")]
    history = list(postponement.history.order_by("history_id").values_list("announce_on", "history_change_reason"))
    assert history == [(D(2024, 2, 7), "result postponed"), (D(2024, 2, 20), "result postponed")]
    assert postponement.history.order_by("history_id").first().history_user == world.chair_user


@pytest.mark.parametrize(
    ("announce_on", "reason", "message"),
    [
        (D(2024, 2, 7), "", "A later announcement is decided in a well-founded manner: give the reason (Art. 69)."),
        (D(2024, 2, 7), " \n ", "A later announcement is decided in a well-founded manner: give the reason (Art. 69)."),
        (
            PUBLICATION,
            "Fraud file.",
            "A postponed result is announced after the calendar's publication date (Art. 69).",
        ),
        (
            D(2024, 2, 5),
            "Fraud file.",
            "A postponed result is announced after the calendar's publication date (Art. 69).",
        ),
    ],
)
def test_postponement_refusals(world, announce_on, reason, message):
    with writes_nothing() as refused:
        services.postponement_record(
            deliberation=world.deliberation, isp_line=line(world, 5, "E2"), announce_on=announce_on, reason=reason
        )
    assert refused.value.messages == [message]


def test_a_case_file_is_opened_with_its_description(world):
    case = services.case_file_open(
        deliberation=world.deliberation,
        kind="irregularity",
        student=student(world, 4),
        course=world.courses["E1"],
        description="  Notes found during the exam. ",
        indicated_by=world.chair,
        by=world.chair_user,
    )
    case.refresh_from_db()
    assert (case.kind, case.student, case.course, case.description, case.indicated_by) == (
        "irregularity",
        student(world, 4),
        world.courses["E1"],
        "Notes found during the exam.",
        world.chair,
    )
    assert case.history.get().history_change_reason == "file opened"


@pytest.mark.parametrize(
    ("description", "indicated_by", "message"),
    [
        ("", "ombuds", "Describe the file (Art. 69)."),
        ("  \t", "ombuds", "Describe the file (Art. 69)."),
        ("Hospitalised.", "chair_tech", "Tom Tech is not a member of this committee (Art. 68)."),
    ],
)
def test_case_file_refusals(world, description, indicated_by, message):
    with writes_nothing() as refused:
        services.case_file_open(
            deliberation=world.deliberation,
            kind="circumstances",
            student=student(world, 5),
            description=description,
            indicated_by=getattr(world, indicated_by),
        )
    assert refused.value.messages == [message]
