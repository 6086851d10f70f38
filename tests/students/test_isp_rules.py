"""The ISP rules of DOMAIN §3 (Art. 19-25), table-driven, no database.

The calendar is the regulations' own: ISP deadline 15 October, first-semester lock
1 December, second-semester changes until 25 February, second-semester lock 15 March.
"""

import datetime
from dataclasses import replace

import pytest

from programmes.rules import YearCalendar, default_calendar
from students import rules

D = datetime.date
CAL = YearCalendar(code="2023-2024", starts_on=D(2023, 9, 18), ends_on=D(2024, 9, 15), **default_calendar(2023))
NOV = D(2023, 11, 20)


def course(id, credits=6, semester="1", stage=1, **kw):
    return rules.CourseFacts(id=id, code=f"C{id}", credits=credits, semester=semester, stage=stage, **kw)


def line(c, **kw):
    return rules.LineFacts(id=100 + c.id, course=c, **kw)


A = course(1)
B = course(2, semester="2")
Y = course(3, semester="year")
SQ_ON_A = course(4, stage=2, prerequisites=((1, "C1", "SQ"),))
SSQ_ON_A = course(5, stage=2, prerequisites=((1, "C1", "SSQ"),))
IDENTICAL_TO_A = course(6, identical=frozenset({1}))
BIG = course(7, credits=30, stage=2)


def isp(*lines, past=None, **kw):
    base = {
        "contract": "degree",
        "programme_kind": "initial_bachelor",
        "enrolled_on": D(2023, 9, 10),
        "calendar": CAL,
        "lines": tuple(lines),
        "past": past or rules.PastFacts(new_to_programme=False),
    }
    base.update(kw)
    return rules.ISPFacts(**base)


def codes(problems):
    return [p.code for p in problems]


# --- adding a course ----------------------------------------------------------------------
ADD_CASES = [
    # (name, course, isp, today, expected codes)
    ("an allowed course", A, isp(), NOV, []),
    ("already in the ISP", A, isp(line(A)), NOV, ["already_in_isp"]),
    ("identical course already in (Art. 20 §4)", IDENTICAL_TO_A, isp(line(A)), NOV, ["identical_in_isp"]),
    (
        "already credited in the programme (Art. 20 §4, 89-90)",
        A,
        isp(past=rules.PastFacts(new_to_programme=False, followed=frozenset({1}), obtained={1: "passed"})),
        NOV,
        ["already_credited"],
    ),
    (
        "an identical course was exempted earlier",
        IDENTICAL_TO_A,
        isp(past=rules.PastFacts(new_to_programme=False, obtained={1: "exempted"})),
        NOV,
        ["already_credited"],
    ),
    ("SQ met by the same ISP", SQ_ON_A, isp(line(A)), NOV, []),
    (
        "SQ met by an earlier ISP (failed then)",
        SQ_ON_A,
        isp(past=rules.PastFacts(new_to_programme=False, followed=frozenset({1}))),
        NOV,
        [],
    ),
    ("SQ missing", SQ_ON_A, isp(), NOV, ["sq_missing"]),
    ("SQ missing but derogation approved (Art. 22 §1)", SQ_ON_A, isp(derogations=(("sequencing", 4, None),)), NOV, []),
    ("SSQ not met by the same ISP", SSQ_ON_A, isp(line(A)), NOV, ["ssq_missing"]),
    (
        "SSQ not met by an earlier failed attempt",
        SSQ_ON_A,
        isp(past=rules.PastFacts(new_to_programme=False, followed=frozenset({1}))),
        NOV,
        ["ssq_missing"],
    ),
    (
        "SSQ met by an earlier pass",
        SSQ_ON_A,
        isp(past=rules.PastFacts(new_to_programme=False, followed=frozenset({1}), obtained={1: "passed"})),
        NOV,
        [],
    ),
    (
        "SSQ met by an earlier tolerance",
        SSQ_ON_A,
        isp(past=rules.PastFacts(new_to_programme=False, obtained={1: "tolerated"})),
        NOV,
        [],
    ),
    (
        "SSQ: a sequencing derogation does not help (Art. 22 §1)",
        SSQ_ON_A,
        isp(derogations=(("sequencing", 5, None),)),
        NOV,
        ["ssq_missing"],
    ),
    (
        "failed courses of last year first (Art. 20 §3)",
        B,
        isp(past=rules.PastFacts(new_to_programme=False, followed=frozenset({1}), retakes={1: "C1"})),
        NOV,
        ["retake_first"],
    ),
    (
        "the failed course itself can be added",
        A,
        isp(past=rules.PastFacts(new_to_programme=False, followed=frozenset({1}), retakes={1: "C1"})),
        NOV,
        [],
    ),
    (
        "other courses once the failed ones are in",
        B,
        isp(line(A), past=rules.PastFacts(new_to_programme=False, followed=frozenset({1}), retakes={1: "C1"})),
        NOV,
        [],
    ),
    ("more than 72 credits (Art. 20 §2)", A, isp(line(BIG), line(course(8, credits=40))), NOV, ["above_maximum"]),
    (
        "more than 72 with a derogation up to 80",
        A,
        isp(line(BIG), line(course(8, credits=40)), derogations=(("more_credits", None, 80),)),
        NOV,
        [],
    ),
    ("no band for a credit contract", A, isp(line(BIG), line(course(8, credits=40)), contract="credit"), NOV, []),
    ("semester 1 on the day before the lock", A, isp(), D(2023, 11, 30), []),
    ("semester 1 on the lock (Art. 19: final as of 1 December)", A, isp(), D(2023, 12, 1), ["first_semester_final"]),
    ("year course after the lock", Y, isp(), D(2023, 12, 5), ["first_semester_final"]),
    ("semester 2 after the first lock", B, isp(), D(2024, 2, 25), []),
    ("semester 2 after 25 February (Art. 19)", B, isp(), D(2024, 2, 26), ["second_semester_closed"]),
    ("nothing from 15 March (Art. 7, 19)", B, isp(), D(2024, 3, 15), ["year_final"]),
    (
        "late enrolment adds a semester-1 course within a week (Art. 19)",
        A,
        isp(enrolled_on=D(2023, 12, 4)),
        D(2023, 12, 11),
        [],
    ),
    (
        "late enrolment: not after the week",
        A,
        isp(enrolled_on=D(2023, 12, 4)),
        D(2023, 12, 12),
        ["first_semester_final"],
    ),
    ("deregistered enrolment", A, isp(enrolment_status="deregistered"), NOV, ["enrolment_inactive"]),
]


@pytest.mark.parametrize(
    ("course_", "facts", "today", "expected"), [c[1:] for c in ADD_CASES], ids=[c[0] for c in ADD_CASES]
)
def test_add(course_, facts, today, expected):
    assert codes(rules.add_problems(course_, isp=facts, today=today)) == expected


# --- removing a line --------------------------------------------------------------------
STAGE_ONE = (A, B)
REMOVE_CASES = [
    ("before the lock", line(A), isp(line(A)), NOV, []),
    ("semester 1 on the lock (Art. 23 §2)", line(A), isp(line(A)), D(2023, 12, 1), ["first_semester_final"]),
    ("a final line", line(A, final_since=D(2023, 12, 1)), isp(), D(2024, 1, 3), ["line_final"]),
    ("semester 2 in February", line(B), isp(line(B)), D(2024, 2, 20), []),
    ("semester 2 after 25 February", line(B), isp(line(B)), D(2024, 3, 1), ["second_semester_closed"]),
    ("exam opportunity taken (Art. 19, 23 §1)", line(A, opportunity_taken=True), isp(), NOV, ["opportunity_taken"]),
    ("exempted: definitive (Art. 25)", line(A, exempted=True), isp(), NOV, ["exemption_definitive"]),
    (
        "failed last year, not tolerated (Art. 23 §1)",
        line(A),
        isp(line(A), past=rules.PastFacts(new_to_programme=False, followed=frozenset({1}), retakes={1: "C1"})),
        NOV,
        ["retake_required"],
    ),
    ("the SQ prerequisite of another line", line(A), isp(line(A), line(SQ_ON_A)), NOV, ["required_by_sq"]),
    (
        "SQ prerequisite followed earlier: removable",
        line(A),
        isp(line(A), line(SQ_ON_A), past=rules.PastFacts(new_to_programme=False, followed=frozenset({1}))),
        NOV,
        [],
    ),
    (
        "model route of a new student (Art. 21)",
        line(A),
        isp(line(A), past=rules.PastFacts(new_to_programme=True), stage_one=STAGE_ONE),
        NOV,
        ["model_route_course"],
    ),
    (
        "model route with a derogation (Art. 22 §2)",
        line(A),
        isp(
            line(A),
            past=rules.PastFacts(new_to_programme=True),
            stage_one=STAGE_ONE,
            derogations=(("model_route", None, None),),
        ),
        NOV,
        [],
    ),
]


@pytest.mark.parametrize(
    ("line_", "facts", "today", "expected"), [c[1:] for c in REMOVE_CASES], ids=[c[0] for c in REMOVE_CASES]
)
def test_remove(line_, facts, today, expected):
    assert codes(rules.remove_problems(line_, isp=facts, today=today)) == expected


EXEMPT_CASES = [
    ("before the lock", line(A), NOV, []),
    ("already exempted", line(A, exempted=True), NOV, ["already_exempted"]),
    ("an exempted line is never examined", line(A, opportunity_taken=True), NOV, ["opportunity_taken"]),
    ("after the lock", line(A), D(2023, 12, 2), ["first_semester_final"]),
]


@pytest.mark.parametrize(
    ("line_", "today", "expected"), [c[1:] for c in EXEMPT_CASES], ids=[c[0] for c in EXEMPT_CASES]
)
def test_exempt(line_, today, expected):
    assert codes(rules.exempt_problems(line_, isp=isp(line_), today=today)) == expected


# --- the credit band (Art. 20 §2, 22 §1) ---------------------------------------------------
BAND_CASES = [
    ("27 is enough", 27, {}, None),
    ("72 is allowed", 72, {}, None),
    ("26 is too few", 26, {}, "below_minimum"),
    ("73 is too many", 73, {}, "over_maximum"),
    ("fewer when not the main enrolment", 12, {"main_enrolment": False}, None),
    ("fewer when fewer than 27 remain to the degree", 20, {"credits_left_to_degree": 20}, None),
    ("fewer with a derogation down to 18", 18, {"derogations": (("fewer_credits", None, 18),)}, None),
    ("a derogation down to 18 does not allow 12", 12, {"derogations": (("fewer_credits", None, 18),)}, "below_minimum"),
    ("more with a derogation up to 80", 80, {"derogations": (("more_credits", None, 80),)}, None),
    ("a credit contract has no band", 3, {"contract": "credit"}, None),
    ("an exam contract has no band", 90, {"contract": "exam_credit"}, None),
    ("a degree-exam contract has it", 90, {"contract": "exam_degree"}, "over_maximum"),
    ("a preparatory programme has none", 90, {"programme_kind": "preparatory"}, None),
]


@pytest.mark.parametrize(("total", "kw", "expected"), [c[1:] for c in BAND_CASES], ids=[c[0] for c in BAND_CASES])
def test_credit_band(total, kw, expected):
    problem = rules.credit_band_problem(isp(**kw), total)
    assert (problem.code if problem else None) == expected


def test_model_route_incomplete_for_a_new_student_unless_derogated():
    facts = isp(line(A), past=rules.PastFacts(new_to_programme=True), stage_one=(A, B))
    facts = replace(facts, lines=(line(A), line(BIG)))
    assert "model_route_incomplete" in codes(rules.composition_problems(facts))
    assert "C2" in next(p for p in rules.composition_problems(facts) if p.code == "model_route_incomplete").message
    derogated = replace(facts, derogations=(("model_route", None, None),))
    assert "model_route_incomplete" not in codes(rules.composition_problems(derogated))


def test_continuing_students_need_not_take_stage_one():
    facts = isp(line(BIG), past=rules.PastFacts(new_to_programme=False), stage_one=(A, B))
    assert codes(rules.composition_problems(facts)) == []


def test_missing_retakes_block_approval_and_allow_no_derogation():
    past = rules.PastFacts(new_to_programme=False, followed=frozenset({1}), retakes={1: "C1"})
    facts = isp(line(BIG), past=past, derogations=(("sequencing", 1, None), ("model_route", None, None)))
    assert codes(rules.composition_problems(facts)) == ["retake_missing"]
    assert rules.Problem("retake_missing").derogation is None


# --- workflow deadlines (Art. 19) ------------------------------------------------------------
FULL = (line(BIG), line(course(9, credits=6, stage=2)))
WORKFLOW_CASES = [
    ("submit on 15 October", "submit", {}, D(2023, 10, 15), []),
    ("submit on 16 October", "submit", {}, D(2023, 10, 16), ["submission_deadline_passed"]),
    ("late enrolment submits within a week", "submit", {"enrolled_on": D(2023, 11, 2)}, D(2023, 11, 9), []),
    (
        "late enrolment: not after the week",
        "submit",
        {"enrolled_on": D(2023, 11, 2)},
        D(2023, 11, 10),
        ["submission_deadline_passed"],
    ),
    ("submit twice", "submit", {"isp_status": "submitted"}, D(2023, 10, 1), ["already_submitted"]),
    ("approve a submitted ISP in November", "approve", {"isp_status": "submitted"}, D(2023, 11, 30), []),
    (
        "approve on 1 December: too late",
        "approve",
        {"isp_status": "submitted"},
        D(2023, 12, 1),
        ["approval_deadline_passed"],
    ),
    ("approve a draft while the student may still submit", "approve", {}, D(2023, 10, 10), ["not_submitted_yet"]),
    ("confirm a never-submitted draft after the deadline", "approve", {}, D(2023, 10, 20), []),
    (
        "re-approve second-semester changes before 15 March",
        "approve",
        {"isp_status": "submitted", "previously_approved": True},
        D(2024, 3, 14),
        [],
    ),
    (
        "re-approve on 15 March: too late",
        "approve",
        {"isp_status": "submitted", "previously_approved": True},
        D(2024, 3, 15),
        ["approval_deadline_passed"],
    ),
    (
        "late enrolment in December approved before 15 March",
        "approve",
        {"isp_status": "submitted", "enrolled_on": D(2023, 12, 10)},
        D(2024, 1, 5),
        [],
    ),
    ("approve twice", "approve", {"isp_status": "approved"}, D(2023, 11, 1), ["already_approved"]),
]


@pytest.mark.parametrize(
    ("step", "kw", "today", "expected"), [c[1:] for c in WORKFLOW_CASES], ids=[c[0] for c in WORKFLOW_CASES]
)
def test_workflow(step, kw, today, expected):
    facts = isp(*FULL, **kw)
    check = rules.submit_problems if step == "submit" else rules.approve_problems
    assert codes(check(facts, today=today)) == expected


def test_approval_also_needs_a_valid_composition():
    facts = isp(line(A), isp_status="submitted")
    assert codes(rules.approve_problems(facts, today=NOV)) == ["below_minimum"]


# --- derogations (Art. 22) ---------------------------------------------------------------------
DEROGATION_CASES = [
    ("sequencing for an SQ course", "sequencing", SQ_ON_A, None, []),
    ("never for SSQ", "sequencing", SSQ_ON_A, None, ["no_sq_prerequisite"]),
    ("sequencing names a course", "sequencing", None, None, ["derogation_needs_course"]),
    ("fewer credits: 18", "fewer_credits", None, 18, []),
    ("fewer credits needs a number", "fewer_credits", None, None, ["derogation_needs_credits"]),
    ("fewer credits: 30 is not fewer", "fewer_credits", None, 30, ["derogation_credits_direction"]),
    ("more credits: 80", "more_credits", None, 80, []),
    ("model route", "model_route", None, None, []),
]


@pytest.mark.parametrize(
    ("kind", "course_", "credits", "expected"), [c[1:] for c in DEROGATION_CASES], ids=[c[0] for c in DEROGATION_CASES]
)
def test_derogation(kind, course_, credits, expected):
    problems = rules.derogation_problems(kind, course=course_, credits=credits, isp=isp(), today=NOV)
    assert codes(problems) == expected


# --- the effect on the learning account (DOMAIN §2 rules 2-4) -----------------------------------
EFFECT_CASES = [
    ("adding deducts", "add", "1", True, 0, False, NOV, -6),
    ("adding a line that does not use the account", "add", "1", False, 0, False, NOV, 0),
    ("removing before the lock refunds", "remove", "1", True, 6, False, NOV, 6),
    ("removing on the lock does not", "remove", "1", True, 6, False, D(2023, 12, 1), 0),
    ("semester 2 removed in February refunds", "remove", "2", True, 6, False, D(2024, 2, 20), 6),
    ("a taken opportunity never refunds", "remove", "1", True, 6, True, NOV, 0),
    ("an exemption gives back what was deducted", "exempt", "1", False, 6, False, NOV, 6),
]


@pytest.mark.parametrize(
    ("action", "semester", "uses", "deducted", "taken", "today", "expected"),
    [c[1:] for c in EFFECT_CASES],
    ids=[c[0] for c in EFFECT_CASES],
)
def test_line_effect(action, semester, uses, deducted, taken, today, expected):
    effect = rules.line_effect(
        action=action,
        credits=6,
        semester=semester,
        uses_learning_account=uses,
        deducted_credits=deducted,
        opportunity_taken=taken,
        today=today,
        first_semester_lock=CAL.first_semester_lock,
        second_semester_lock=CAL.second_semester_lock,
    )
    assert effect == expected


def test_every_reason_has_an_explanation_citing_its_source():
    for code, message in rules.ISP_MESSAGES.items():
        assert str(message), code
    problem = rules.add_problems(SSQ_ON_A, isp=isp(), today=NOV)[0]
    assert problem.message == (
        "C5 requires C1 to have been passed earlier (SSQ); it has not been passed, exempted or tolerated in an "
        "earlier year. No derogation is possible for SSQ (Art. 20 §1, 22 §1)."
    )
    assert problem.derogation is None
    assert rules.add_problems(SQ_ON_A, isp=isp(), today=NOV)[0].derogation == "sequencing"


def test_the_dutch_explanations_keep_their_placeholders():
    """A translation with another placeholder would fail when the message is shown."""
    import re

    from django.utils import translation

    for code, message in rules.ISP_MESSAGES.items():
        with translation.override("en"):
            english = str(message)
        with translation.override("nl"):
            dutch = str(message)
        assert set(re.findall(r"%\((\w+)\)s", dutch)) == set(re.findall(r"%\((\w+)\)s", english)), code


# --- the band the ISP page draws, and its deadlines ------------------------------------------
@pytest.mark.parametrize(
    ("derogations", "band"),
    [
        # Art. 20 §2: 27 to 72 credits.
        ((), (27, 72)),
        # Art. 22 §1: an approved derogation moves the bound it is about.
        ((("fewer_credits", None, 20),), (20, 72)),
        ((("more_credits", None, 80),), (27, 80)),
        ((("fewer_credits", None, 12), ("more_credits", None, 75)), (12, 75)),
        ((("sequencing", 4, None),), (27, 72)),
    ],
)
def test_credit_band_bounds(derogations, band):
    assert rules.credit_band(isp(derogations=derogations)) == band


@pytest.mark.parametrize(
    ("enrolled_on", "previously_approved", "today", "passed"),
    [
        # 15 Oct (inclusive), before 1 Dec, 1 Dec, until 25 Feb (inclusive), 15 Mar (Art. 19, 23).
        (D(2023, 9, 10), False, D(2023, 10, 15), []),
        (D(2023, 9, 10), False, D(2023, 10, 16), ["submission"]),
        (D(2023, 9, 10), False, D(2023, 12, 1), ["submission", "approval", "first_semester_lock"]),
        (D(2023, 9, 10), False, D(2024, 2, 25), ["submission", "approval", "first_semester_lock"]),
        (
            D(2023, 9, 10),
            False,
            D(2024, 2, 26),
            ["submission", "approval", "first_semester_lock", "second_semester_change_deadline"],
        ),
        # A changed approved ISP is approved before the second lock.
        (D(2023, 9, 10), True, D(2023, 12, 1), ["submission", "first_semester_lock"]),
        # A late enrolment submits within 7 days.
        (D(2023, 11, 20), False, D(2023, 11, 27), []),
        (D(2023, 11, 20), False, D(2023, 11, 28), ["submission"]),
    ],
)
def test_isp_deadlines(enrolled_on, previously_approved, today, passed):
    deadlines = rules.isp_deadlines(isp(enrolled_on=enrolled_on, previously_approved=previously_approved))
    assert [d.code for d in deadlines] == [
        "submission",
        "approval",
        "first_semester_lock",
        "second_semester_change_deadline",
        "second_semester_lock",
    ]
    assert [d.code for d in deadlines if d.passed(today)] == passed


# --- the tolerance file first (Art. 91 §2) ----------------------------------------------------
# Last year's third exam period published on 13 September 2023: the choice window runs to
# 13 + 15 = 28 September 2023 included (Art. 91 §2: "within 15 calendar days").
WINDOW_END = D(2023, 9, 28)
TOLERANCE_FILE_CASES = [
    # (name, tolerance_choices, kw, today, expected codes)
    ("no tolerable fail waiting for a choice", (), {}, D(2023, 9, 20), []),
    ("a tolerable fail with its window open", (("C8", WINDOW_END),), {}, D(2023, 9, 20), ["tolerance_file_open"]),
    ("the window's last day", (("C8", WINDOW_END),), {}, WINDOW_END, ["tolerance_file_open"]),
    ("the day after the window", (("C8", WINDOW_END),), {}, D(2023, 9, 29), []),
    (
        "an ISP already submitted says so only",
        (("C8", WINDOW_END),),
        {"isp_status": "submitted"},
        D(2023, 9, 20),
        ["already_submitted"],
    ),
]


@pytest.mark.parametrize(
    ("choices", "kw", "today", "expected"),
    [c[1:] for c in TOLERANCE_FILE_CASES],
    ids=[c[0] for c in TOLERANCE_FILE_CASES],
)
def test_the_tolerance_file_first(choices, kw, today, expected):
    facts = isp(*FULL, tolerance_choices=choices, **kw)
    assert codes(rules.submit_problems(facts, today=today)) == expected


def test_the_tolerance_file_problem_names_the_courses_and_the_last_day():
    facts = isp(*FULL, tolerance_choices=(("NUR2B", WINDOW_END), ("NUR2A", D(2023, 9, 25))))
    problem = rules.tolerance_file_problem(facts, today=D(2023, 9, 20))
    assert problem.code == "tolerance_file_open"
    assert problem.derogation is None  # no derogation lifts it
    assert "NUR2A, NUR2B" in problem.message and "28/09/2023" in problem.message
    # On 26 September only NUR2B's window is still open.
    assert "NUR2A" not in rules.tolerance_file_problem(facts, today=D(2023, 9, 26)).message


# --- retaking a tolerated course (Art. 90 §3, DOMAIN §3) --------------------------------------
TOLERATED_A = rules.PastFacts(new_to_programme=False, followed=frozenset({1}), obtained={1: "tolerated"})
OCT = D(2023, 10, 10)
ISP_DEADLINE = CAL.isp_deadline  # 15 October

TOLERATED_RETAKE_CASES = [
    # (name, course, isp, today, expected codes)
    ("tolerated, no approval: refused", A, isp(past=TOLERATED_A), OCT, ["tolerated_retake_unapproved"]),
    ("tolerated, approved: allowed", A, isp(past=TOLERATED_A, tolerated_retakes=frozenset({1})), OCT, []),
    (
        "approved, on the ISP deadline itself",
        A,
        isp(past=TOLERATED_A, tolerated_retakes=frozenset({1})),
        ISP_DEADLINE,
        [],
    ),
    (
        "approved, after the ISP deadline",
        A,
        isp(past=TOLERATED_A, tolerated_retakes=frozenset({1})),
        ISP_DEADLINE + datetime.timedelta(days=1),
        ["tolerated_retake_late"],
    ),
    (
        "an approval does not reopen a passed course (Art. 90 §2)",
        A,
        isp(
            past=rules.PastFacts(new_to_programme=False, obtained={1: "passed"}),
            tolerated_retakes=frozenset({1}),
        ),
        OCT,
        ["already_credited"],
    ),
    (
        "an identical course of a tolerated one stays credited",
        IDENTICAL_TO_A,
        isp(past=TOLERATED_A, tolerated_retakes=frozenset({1})),
        OCT,
        ["already_credited"],
    ),
    (
        "approved for another course only",
        A,
        isp(past=TOLERATED_A, tolerated_retakes=frozenset({2})),
        OCT,
        ["tolerated_retake_unapproved"],
    ),
]


@pytest.mark.parametrize(
    ("course_", "facts", "today", "expected"),
    [c[1:] for c in TOLERATED_RETAKE_CASES],
    ids=[c[0] for c in TOLERATED_RETAKE_CASES],
)
def test_retaking_a_tolerated_course(course_, facts, today, expected):
    assert codes(rules.add_problems(course_, isp=facts, today=today)) == expected


END_CASES = [
    # (name, other lines' credits, credits left to the degree, expected)
    ("the other lines complete the programme", 24, 24, None),
    ("more than what is left", 30, 24, None),
    ("the programme is not completed: not at its end", 18, 24, "tolerated_retake_not_final"),
    ("credits left unknown: not judged", 18, None, None),
]


@pytest.mark.parametrize(("others", "left", "expected"), [c[1:] for c in END_CASES], ids=[c[0] for c in END_CASES])
def test_a_tolerated_retake_only_at_the_end_of_the_programme(others, left, expected):
    other = course(9, credits=others, stage=3)
    facts = isp(line(A), line(other), past=TOLERATED_A, tolerated_retakes=frozenset({1}), credits_left_to_degree=left)
    problem = rules.tolerated_retake_problem(facts)
    assert (problem.code if problem else None) == expected
    if expected:
        assert problem in rules.composition_problems(facts)
        assert "C1" in problem.message and str(others) in problem.message


def test_a_tolerated_retake_needs_no_end_check_without_one():
    facts = isp(line(A), past=TOLERATED_A, credits_left_to_degree=60)  # no approval: not a retake line
    assert rules.tolerated_retake_problem(facts) is None


APPROVAL_CASES = [
    # (name, past, approved, today, expected codes)
    ("a tolerated course, in time", TOLERATED_A, frozenset(), OCT, []),
    ("not tolerated earlier", rules.PastFacts(new_to_programme=False), frozenset(), OCT, ["not_tolerated"]),
    (
        "passed, not tolerated",
        rules.PastFacts(new_to_programme=False, obtained={1: "passed"}),
        frozenset(),
        OCT,
        ["not_tolerated"],
    ),
    ("already approved", TOLERATED_A, frozenset({1}), OCT, ["tolerated_retake_exists"]),
    ("after the ISP deadline", TOLERATED_A, frozenset(), D(2023, 10, 16), ["tolerated_retake_late"]),
]


@pytest.mark.parametrize(
    ("past", "approved", "today", "expected"), [c[1:] for c in APPROVAL_CASES], ids=[c[0] for c in APPROVAL_CASES]
)
def test_recording_the_approval_of_a_tolerated_retake(past, approved, today, expected):
    facts = isp(past=past, tolerated_retakes=approved)
    assert codes(rules.tolerated_retake_approval_problems(A, isp=facts, today=today)) == expected
