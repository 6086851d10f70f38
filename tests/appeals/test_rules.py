"""The appeal rules (Art. 34, 101, 102), table-driven, every deadline at its boundary."""

import datetime as dt

import pytest

from appeals import rules
from exams.rules import CourseRecord

D = dt.date
PUBLISHED = D(2024, 2, 6)  # a Tuesday; the seven days run from 7 to 13 February
POSTED = D(2024, 2, 10)


def admissibility(**kwargs):
    values = {
        "has_student": True,
        "names_decision": True,
        "facts_and_objections": "The examiner did not take my paper into account.",
        "decision_on": PUBLISHED,
        "posted_on": POSTED,
        "pending_feedback": False,
        "elaborated": False,
    }
    values.update(kwargs)
    return rules.admissibility_problems(**values)


# --- Filing within seven calendar days (Art. 101) --------------------------------------------
@pytest.mark.parametrize(
    ("posted_on", "problems"),
    [
        (PUBLISHED, []),  # on the day of the publication itself: not late
        (PUBLISHED + dt.timedelta(days=1), []),  # day 1 of the window
        (D(2024, 2, 13), []),  # day 7: the last day
        (D(2024, 2, 14), [rules.LATE]),  # day 8: late
        (D(2024, 3, 1), [rules.LATE]),
        (D(2024, 2, 5), [rules.BEFORE_DECISION]),  # before the decision existed
    ],
)
def test_filing_window_counts_seven_days_from_the_day_after_the_decision(posted_on, problems):
    assert admissibility(posted_on=posted_on) == problems


def test_the_last_day_and_the_window():
    assert rules.appeal_window_opens(decision_on=PUBLISHED) == D(2024, 2, 7)
    assert rules.appeal_last_day(decision_on=PUBLISHED) == D(2024, 2, 13)
    # Across a month end: published 28 February 2024 (leap year) -> 6 March.
    assert rules.appeal_last_day(decision_on=D(2024, 2, 28)) == D(2024, 3, 6)


@pytest.mark.parametrize(
    ("category", "from_publication"),
    [("f", True), ("a", False), ("b", False), ("c", False), ("d", False), ("e", False), ("g", False), ("h", False)],
)
def test_only_examination_decisions_count_from_the_publication(category, from_publication):
    assert rules.window_start_is_publication(category) is from_publication


@pytest.mark.parametrize(
    ("kwargs", "problems"),
    [
        ({"has_student": False}, [rules.NO_STUDENT]),
        ({"names_decision": False}, [rules.NO_DECISION]),
        ({"facts_and_objections": "  "}, [rules.NO_FACTS]),
        ({"decision_on": None}, [rules.NO_DECISION_DATE]),
        # Pending feedback: the facts come with the elaboration.
        ({"facts_and_objections": "", "pending_feedback": True}, []),
        ({"facts_and_objections": "", "pending_feedback": True, "elaborated": True}, [rules.NO_FACTS]),
        (
            {"has_student": False, "names_decision": False, "facts_and_objections": "", "posted_on": D(2024, 2, 20)},
            [rules.NO_STUDENT, rules.NO_DECISION, rules.NO_FACTS, rules.LATE],
        ),
    ],
)
def test_the_required_content(kwargs, problems):
    assert admissibility(**kwargs) == problems


@pytest.mark.parametrize(
    ("category", "link", "allowed"),
    [
        ("f", "result", True),
        ("g", "result", True),
        ("a", "result", False),
        ("f", "programme_result", True),
        ("a", "refusal_lifting_request", True),
        ("f", "refusal_lifting_request", False),
        ("a", "measure", True),
        ("c", "measure", True),
        ("d", "exemption", True),
        ("f", "exemption", False),
        ("b", "isp_line", True),
        ("e", "isp_line", True),
        ("h", "isp_line", False),
        ("h", None, True),
    ],
)
def test_which_decision_each_category_can_name(category, link, allowed):
    assert rules.link_allowed(category=category, link=link) is allowed


# --- Pending feedback: elaborated within five days, else void (Art. 101) ----------------------
@pytest.mark.parametrize(
    ("elaborated_on", "in_time"),
    [
        (POSTED, True),
        (D(2024, 2, 15), True),  # day 5: the last day
        (D(2024, 2, 16), False),  # day 6: too late
        (D(2024, 2, 9), False),  # before it was lodged
    ],
)
def test_elaboration_within_five_days(elaborated_on, in_time):
    assert rules.elaboration_in_time(posted_on=POSTED, elaborated_on=elaborated_on) is in_time


@pytest.mark.parametrize(
    ("pending", "elaborated_on", "today", "void"),
    [
        (True, None, D(2024, 2, 15), False),  # day 5: still in time
        (True, None, D(2024, 2, 16), True),  # day 6: void
        (True, D(2024, 2, 15), D(2024, 2, 20), False),  # elaborated on day 5
        (True, D(2024, 2, 16), D(2024, 2, 20), True),  # elaborated on day 6: void anyway
        (False, None, D(2024, 3, 20), False),  # not lodged pending feedback
    ],
)
def test_void(pending, elaborated_on, today, void):
    assert rules.is_void(pending_feedback=pending, posted_on=POSTED, elaborated_on=elaborated_on, today=today) is void
    assert rules.void_on(posted_on=POSTED) == D(2024, 2, 16)


# --- The decision within twenty days, counted from the filing day (Art. 101) ------------------
def test_the_decision_is_due_on_filing_day_plus_19():
    assert rules.decision_last_day(posted_on=POSTED) == D(2024, 2, 29)
    assert rules.overdue_on(due_on=D(2024, 2, 29)) == D(2024, 3, 1)


@pytest.mark.parametrize(
    ("today", "state"),
    [
        (D(2024, 2, 10), rules.ON_TIME),
        (D(2024, 2, 23), rules.ON_TIME),  # six days before
        (D(2024, 2, 24), rules.DUE_SOON),  # five days before
        (D(2024, 2, 28), rules.DUE_SOON),
        (D(2024, 2, 29), rules.DUE_TODAY),  # filing day + 19
        (D(2024, 3, 1), rules.OVERDUE),  # filing day + 20
    ],
)
def test_deadline_badge(today, state):
    assert rules.deadline_state(due_on=rules.decision_last_day(posted_on=POSTED), today=today) == state


@pytest.mark.parametrize(
    ("announced_on", "later_on", "reasons", "problems", "due"),
    [
        (D(2024, 2, 29), D(2024, 3, 15), "Hearing the examiner", [], D(2024, 3, 15)),  # on day + 19: in time
        (D(2024, 3, 1), D(2024, 3, 15), "Hearing the examiner", [rules.ANNOUNCED_LATE], D(2024, 2, 29)),  # + 20
        (D(2024, 2, 20), D(2024, 2, 29), "Hearing", [rules.NOT_LATER], D(2024, 2, 29)),
        (D(2024, 2, 20), D(2024, 3, 15), " ", [rules.NO_REASONS], D(2024, 2, 29)),
        (D(2024, 2, 9), D(2024, 3, 15), "Hearing", [rules.ANNOUNCED_BEFORE_FILING], D(2024, 2, 29)),
    ],
)
def test_a_later_date_announced_in_time_with_reasons(announced_on, later_on, reasons, problems, due):
    assert (
        rules.later_date_problems(posted_on=POSTED, announced_on=announced_on, later_on=later_on, reasons=reasons)
        == problems
    )
    assert rules.decision_due(posted_on=POSTED, announced_on=announced_on, later_on=later_on, reasons=reasons) == due


# --- Outcomes (Art. 101) ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("outcome", "admissibility_", "pending", "elaborated", "decided_on", "motivation", "problems"),
    [
        (rules.INADMISSIBLE, [rules.LATE], False, False, D(2024, 2, 20), "Late.", []),
        (rules.UNFOUNDED, [], False, False, D(2024, 2, 20), "The mark stands.", []),
        (rules.NEW_DECISION, [], False, False, D(2024, 2, 20), "Recounted.", []),
        (rules.UNFOUNDED, [rules.LATE], False, False, D(2024, 2, 20), "x", [rules.NOT_ADMISSIBLE]),
        (rules.NEW_DECISION, [rules.NO_FACTS], False, False, D(2024, 2, 20), "x", [rules.NOT_ADMISSIBLE]),
        (rules.NEW_DECISION, [], True, False, D(2024, 2, 20), "x", [rules.AWAITING_ELABORATION]),
        (rules.NEW_DECISION, [], True, True, D(2024, 2, 20), "x", []),
        (rules.INADMISSIBLE, [], True, False, D(2024, 2, 20), "x", []),
        (rules.UNFOUNDED, [], False, False, D(2024, 2, 9), "x", [rules.DECIDED_BEFORE_FILING]),
        (rules.UNFOUNDED, [], False, False, D(2024, 2, 20), "", [rules.NO_MOTIVATION]),
    ],
)
def test_outcomes(outcome, admissibility_, pending, elaborated, decided_on, motivation, problems):
    assert (
        rules.outcome_problems(
            outcome=outcome,
            admissibility=admissibility_,
            pending_feedback=pending,
            elaborated=elaborated,
            posted_on=POSTED,
            decided_on=decided_on,
            motivation=motivation,
        )
        == problems
    )


@pytest.mark.parametrize(("category", "committee"), [("f", True), ("g", True), ("a", False), ("d", False)])
def test_the_examination_committee_decides_its_own_decisions(category, committee):
    assert rules.committee_may_decide(category) is committee


# --- Refusal lifting (Art. 34) ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("submitted_on", "asked_earlier", "problems"),
    [
        (D(2024, 9, 20), False, []),
        (D(2024, 10, 10), True, []),  # 10 October: the last day for a second request
        (D(2024, 10, 11), True, [rules.LIFTING_LATE]),
        (D(2024, 10, 11), False, []),  # a first request: until before 25 February
        (D(2025, 2, 24), False, []),
        (D(2025, 2, 25), False, [rules.LIFTING_LATE]),  # "before the 25th of February"
        (D(2025, 2, 24), True, [rules.LIFTING_LATE]),  # asked already this academic year
    ],
)
def test_refusal_lifting_deadlines(submitted_on, asked_earlier, problems):
    assert (
        rules.lifting_request_problems(
            submitted_on=submitted_on,
            asked_earlier=asked_earlier,
            refusal_years=(2024, 2029),
            lifted=False,
            grounds="Serious illness in the family",
        )
        == problems
    )


@pytest.mark.parametrize(
    ("submitted_on", "first_year"),
    [(D(2024, 7, 31), 2023), (D(2024, 8, 1), 2024), (D(2024, 12, 31), 2024), (D(2025, 2, 24), 2024)],
)
def test_the_academic_year_a_request_is_for(submitted_on, first_year):
    assert rules.lifting_academic_year(submitted_on=submitted_on) == first_year


def test_a_request_needs_a_refusal_in_that_year_and_grounds():
    problems = rules.lifting_request_problems(
        submitted_on=D(2024, 9, 20), asked_earlier=False, refusal_years=(2025, 2025), lifted=True, grounds=""
    )
    assert problems == [rules.LIFTING_NOT_REFUSED, rules.LIFTING_ALREADY_LIFTED, rules.LIFTING_NO_GROUNDS]


def record(course, mark, *, done=False, tolerable=True, credits=6):
    return CourseRecord(
        course=course,
        credits=credits,
        mark=mark,
        passed=done,
        exempted=False,
        tolerated=False,
        tolerable_course=tolerable,
        pass_fail=False,
        elective=False,
    )


@pytest.mark.parametrize(
    ("package", "left", "courses"),
    [
        ([record(1, 12, done=True), record(2, 8), record(3, 9)], 12, [2, 3]),  # tolerance credit suffices
        ([record(1, 12, done=True), record(2, 8), record(3, 9)], 11, []),  # one credit short
        ([record(1, 12, done=True), record(2, 8), record(3, 5)], 18, []),  # an intolerable fail
        ([record(1, 12, done=True), record(2, 7)], 12, [2]),  # a single 7/20 (Art. 91 §3 (c))
        ([record(1, 12, done=True), record(2, 8, tolerable=False)], 12, []),  # not a tolerable course
        ([record(1, 12, done=True)], 12, []),  # nothing missing
    ],
)
def test_lifting_a_threshold_refusal_tolerates_the_package_when_the_credit_suffices(package, left, courses):
    assert rules.threshold_tolerances(package=package, left=left) == courses


# --- Corrections (Art. 102) ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("in_favour", "corrected_on", "exception", "problems"),
    [
        (False, D(2024, 2, 16), "", []),  # day 10 after the decision: in time
        (False, D(2024, 2, 17), "", [rules.CORRECTION_LATE]),  # day 11: too late
        (True, D(2024, 9, 1), "", []),  # in the student's favour: always
        (False, D(2024, 9, 1), "legal_conditions", []),
        (False, D(2024, 9, 1), "student_negligence", []),
        (False, D(2024, 9, 1), "something else", [rules.CORRECTION_LATE]),
        (True, D(2024, 2, 5), "", [rules.CORRECTION_BEFORE_DECISION]),
    ],
)
def test_corrections_against_the_student_only_within_ten_days(in_favour, corrected_on, exception, problems):
    assert (
        rules.correction_problems(
            in_favour=in_favour,
            decision_on=PUBLISHED,
            corrected_on=corrected_on,
            exception=exception,
            reason="Typing error in the marksheet",
        )
        == problems
    )
    assert rules.correction_last_day(decision_on=PUBLISHED) == D(2024, 2, 16)


def test_a_correction_says_why():
    problems = rules.correction_problems(in_favour=True, decision_on=PUBLISHED, corrected_on=PUBLISHED, reason=" ")
    assert problems == [rules.CORRECTION_NO_REASON]


@pytest.mark.parametrize(
    ("old", "new", "favour"),
    [
        (7, 12, True),
        (12, 7, False),
        (12, 12, None),
        ("F", "P", True),
        ("P", "F", False),
        ("NA", 0, True),
        (None, 5, True),
    ],
)
def test_whether_a_new_mark_is_in_the_students_favour(old, new, favour):
    assert rules.mark_in_favour(old, new) is favour


@pytest.mark.parametrize(("category", "allowed"), [("f", True), ("g", True), ("a", False), ("h", False)])
def test_only_examination_decisions_can_be_appealed_pending_feedback(category, allowed):
    assert rules.pending_feedback_allowed(category) is allowed


@pytest.mark.parametrize(
    ("category", "linked_to_result", "changes"),
    [
        (rules.EXAMINATION, True, True),
        (rules.EXAMINATION, False, False),  # an examination decision described, not linked
        (rules.DISCIPLINARY, True, False),
        ("a", False, False),
    ],
)
def test_only_a_new_examination_decision_on_a_linked_result_changes_a_mark(category, linked_to_result, changes):
    assert rules.decision_may_change_mark(category=category, linked_to_result=linked_to_result) is changes
