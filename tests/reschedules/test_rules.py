"""The rules of exam schedules, reschedules and deferral (Art. 17, 43, 46, 48, 50-51, 57-59, 97;
appendix on special statuses; DOMAIN §6), table-driven, with their boundaries. No database."""

import datetime

import pytest

from programmes.rules import YearCalendar, default_calendar
from reschedules import rules

D = datetime.date
# 2026-2027: ISP deadline 15 Oct, schedules open 16 Oct, lock 1 Dec, Easter break from 27 Mar 2027.
CAL = YearCalendar(code="2026-2027", starts_on=D(2026, 9, 21), ends_on=D(2027, 9, 12), **default_calendar(2026))
PERIOD_END = {1: D(2027, 2, 2), 2: D(2027, 6, 28), 3: D(2027, 9, 11)}
EXAM = {1: D(2027, 1, 14), 2: D(2027, 6, 10), 3: D(2027, 8, 25)}
O_STATUS = frozenset({("disability", "")})


def facts(kind, on, *, period=1, exam_on="default", announced_on=None, statuses=frozenset(), **kw):
    return rules.RequestFacts(
        kind=kind,
        requested_on=on,
        period=period,
        period_ends_on=PERIOD_END[period],
        calendar=CAL,
        exam_on=EXAM[period] if exam_on == "default" else exam_on,
        announced_on=announced_on,
        statuses=statuses,
        **kw,
    )


def test_the_calendar_defaults_put_easter_break_on_the_saturday_before_easter():
    from programmes.rules import default_calendar

    assert default_calendar(2026)["easter_break_starts"] == CAL.easter_break_starts


# --- Force majeure (Art. 43): before the end of the exam -------------------------------------
@pytest.mark.parametrize(
    ("on", "late"),
    [
        (D(2027, 1, 10), False),  # reported ahead
        (D(2027, 1, 14), False),  # the exam day itself (decided: the day counts)
        (D(2027, 1, 15), True),  # the day after
    ],
)
def test_force_majeure_is_reported_before_the_end_of_the_exam(on, late):
    check = rules.request_check(facts(rules.FORCE_MAJEURE, on))
    assert check.late is late
    assert ("force_majeure_late" in check.findings) is late
    assert check.deadline == EXAM[1]
    assert check.decide_by == PERIOD_END[1]
    assert not check.ineligible


def test_force_majeure_without_an_exam_date_is_not_late_but_noted():
    check = rules.request_check(facts(rules.FORCE_MAJEURE, D(2027, 3, 1), exam_on=None))
    assert check.findings == ("no_exam_moment",)
    assert not check.late


# --- Religious holiday (Art. 43): within 7 days after the schedule is announced ---------------
@pytest.mark.parametrize(
    ("announced_on", "on", "late"),
    [
        (None, D(2026, 10, 16), False),  # the day the schedules open
        (None, D(2026, 10, 23), False),  # day 7 after 16 October
        (None, D(2026, 10, 24), True),  # day 8
        (D(2026, 9, 1), D(2026, 10, 23), False),  # announced before the opening: counted from 16 October
        (D(2026, 11, 5), D(2026, 11, 12), False),  # announced later (progressive schedule): day 7
        (D(2026, 11, 5), D(2026, 11, 13), True),  # day 8
    ],
)
def test_religious_holiday_within_a_week_of_the_announcement(announced_on, on, late):
    check = rules.request_check(facts(rules.RELIGIOUS_HOLIDAY, on, announced_on=announced_on))
    assert check.late is late
    assert check.deadline == max(CAL.ies_opens, announced_on or CAL.ies_opens) + datetime.timedelta(days=7)
    assert check.decide_by == EXAM[1] - datetime.timedelta(days=1)


# --- Special-status deferral (Art. 50-51, appendix) -----------------------------------------
@pytest.mark.parametrize(
    ("period", "on", "exam_on", "findings"),
    [
        (1, D(2026, 11, 30), EXAM[1], ()),
        (1, D(2026, 12, 1), EXAM[1], ()),  # "at the latest on 1 December": in time
        (1, D(2026, 12, 2), EXAM[1], ("deferral_period_1_late",)),
        (2, D(2027, 3, 26), EXAM[2], ()),  # the day before the Easter break
        (2, D(2027, 3, 27), EXAM[2], ("deferral_period_2_late",)),  # the break's first day
        # At least 5 days before the exam, here an exam early in the period:
        (1, D(2026, 11, 28), D(2026, 12, 3), ()),  # 5 days before 3 December is 28 November
        (1, D(2026, 11, 29), D(2026, 12, 3), ("deferral_exam_too_close",)),
        (1, D(2026, 11, 27), D(2026, 12, 2), ()),  # exactly 5 days before
        (1, D(2026, 11, 28), D(2026, 12, 2), ("deferral_exam_too_close",)),  # 4 days before
        (3, D(2027, 7, 1), EXAM[3], ("deferral_period_3",)),  # never for period 3
    ],
)
def test_special_status_deferral_deadlines(period, on, exam_on, findings):
    check = rules.request_check(
        facts(rules.SPECIAL_STATUS_DEFERRAL, on, period=period, exam_on=exam_on, statuses=O_STATUS)
    )
    assert check.findings == findings
    assert check.late is any(code.endswith(("late", "too_close")) for code in findings)


def test_special_status_deferral_deadline_is_the_earlier_of_the_two():
    check = rules.request_check(facts(rules.SPECIAL_STATUS_DEFERRAL, D(2026, 11, 1), statuses=O_STATUS))
    assert check.deadline == D(2026, 12, 1)
    early = rules.request_check(
        facts(rules.SPECIAL_STATUS_DEFERRAL, D(2026, 11, 1), exam_on=D(2026, 12, 3), statuses=O_STATUS)
    )
    assert early.deadline == D(2026, 11, 28)
    easter = rules.request_check(facts(rules.SPECIAL_STATUS_DEFERRAL, D(2027, 3, 1), period=2, statuses=O_STATUS))
    assert easter.deadline == D(2027, 3, 26)


@pytest.mark.parametrize(
    ("statuses", "contract", "credits", "finding", "leaves_period"),
    [
        ({("disability", "")}, "credit", 6, None, True),
        ({("medical", "")}, "degree", 12, None, True),
        ({("athlete", "A")}, "degree", 60, None, True),
        ({("artist", "A")}, "degree", 60, None, True),
        ({("athlete", "B")}, "degree", 60, "deferral_within_period_only", False),
        ({("artist", "B")}, "degree", 60, "deferral_within_period_only", False),
        ({("athlete", "C")}, "degree", 60, "deferral_no_status", False),
        ({("working", "")}, "degree", 27, None, True),
        ({("working", "")}, "degree", 26, "deferral_working_conditions", False),
        ({("working", "")}, "credit", 60, "deferral_working_conditions", False),
        ({("entrepreneur", "")}, "degree", 27, None, True),
        ({("entrepreneur", "")}, "exam_degree", 60, "deferral_working_conditions", False),
        ({("student_representative", "")}, "degree", 60, "deferral_no_status", False),
        (set(), "degree", 60, "deferral_no_status", False),
        ({("athlete", "C"), ("medical", "")}, "degree", 60, None, True),
    ],
)
def test_special_status_deferral_eligibility(statuses, contract, credits, finding, leaves_period):
    check = rules.request_check(
        facts(
            rules.SPECIAL_STATUS_DEFERRAL,
            D(2026, 11, 2),
            statuses=frozenset(statuses),
            contract=contract,
            isp_credits=credits,
        )
    )
    assert check.findings == ((finding,) if finding else ())
    assert check.ineligible is (finding in ("deferral_no_status", "deferral_working_conditions"))
    assert check.may_leave_period is leaves_period


# --- Unbalanced ISP (Art. 46) and early graduation (Art. 48): by the ISP deadline ------------
@pytest.mark.parametrize("kind", [rules.UNBALANCED_ISP, rules.EARLY_GRADUATION])
@pytest.mark.parametrize(
    ("on", "late"),
    [(D(2026, 9, 20), False), (D(2026, 10, 15), False), (D(2026, 10, 16), True)],
)
def test_isp_requests_by_the_isp_deadline_decided_within_15_days(kind, on, late):
    check = rules.request_check(facts(kind, on, exam_on=None))
    assert check.late is late
    assert check.deadline == CAL.isp_deadline
    assert check.decide_by == D(2026, 10, 30)
    assert "no_exam_moment" not in check.findings  # asked before the schedules exist


def test_a_late_request_is_not_overdue_on_the_day_it_comes_in():
    check = rules.request_check(facts(rules.UNBALANCED_ISP, D(2026, 11, 20), exam_on=None))
    assert check.decide_by == D(2026, 11, 20)


# --- Student representative (Art. 97) --------------------------------------------------------
@pytest.mark.parametrize(
    ("statuses", "on", "findings"),
    [
        ({("student_representative", "")}, D(2027, 1, 13), ()),
        ({("student_representative", "")}, D(2027, 1, 14), ("representative_late",)),
        (set(), D(2027, 1, 2), ("representative_no_status",)),
        ({("athlete", "A")}, D(2027, 1, 2), ("representative_no_status",)),
    ],
)
def test_student_representative_requests(statuses, on, findings):
    check = rules.request_check(facts(rules.STUDENT_REPRESENTATIVE, on, statuses=frozenset(statuses)))
    assert check.findings == findings


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        rules.request_check(facts("holiday", D(2026, 11, 1)))


# --- The new moment (Art. 43, 46, 48, 50, 57) ------------------------------------------------
P1 = rules.Period(1, D(2027, 1, 8), D(2027, 2, 2))
P2 = rules.Period(2, D(2027, 5, 27), D(2027, 6, 28))
P3 = rules.Period(3, D(2027, 8, 16), D(2027, 9, 11))


DECIDED_ON = D(2026, 11, 23)


def new_moment(kind, new_on, *, findings=(), period=P1, exam_on=EXAM[1], decided_on=DECIDED_ON):
    return rules.new_moment_problem(
        kind=kind,
        findings=findings,
        period=period,
        periods=[P1, P2, P3],
        year_starts_on=D(2026, 9, 21),
        year_ends_on=D(2027, 9, 12),
        exam_on=exam_on,
        new_on=new_on,
        decided_on=decided_on,
    )


@pytest.mark.parametrize(
    ("kind", "new_on", "findings", "problem"),
    [
        (rules.FORCE_MAJEURE, D(2027, 1, 8), (), None),  # the period's first day
        (rules.FORCE_MAJEURE, D(2027, 2, 2), (), None),  # its last day
        (rules.FORCE_MAJEURE, D(2027, 2, 3), (), "new_moment_outside_period"),
        (rules.FORCE_MAJEURE, D(2027, 1, 7), (), "new_moment_outside_period"),
        (rules.RELIGIOUS_HOLIDAY, D(2027, 6, 1), (), "new_moment_outside_period"),
        (rules.STUDENT_REPRESENTATIVE, D(2027, 1, 20), (), None),
        (rules.SPECIAL_STATUS_DEFERRAL, D(2027, 3, 10), (), None),  # eligible: outside the period
        (rules.SPECIAL_STATUS_DEFERRAL, D(2027, 9, 13), (), "new_moment_outside_year"),
        (rules.SPECIAL_STATUS_DEFERRAL, D(2027, 3, 10), ("deferral_within_period_only",), "new_moment_outside_period"),
        (rules.SPECIAL_STATUS_DEFERRAL, D(2027, 3, 10), ("deferral_no_status",), "new_moment_outside_period"),
        (rules.SPECIAL_STATUS_DEFERRAL, D(2027, 1, 20), ("deferral_no_status",), None),
        (rules.SPECIAL_STATUS_DEFERRAL, D(2027, 1, 20), ("deferral_period_1_late",), None),
        (rules.UNBALANCED_ISP, D(2027, 6, 3), (), None),  # moved to the other semester's period
        (rules.UNBALANCED_ISP, D(2027, 3, 3), (), "new_moment_outside_periods"),
        (rules.EARLY_GRADUATION, D(2027, 1, 10), (), None),
        (rules.EARLY_GRADUATION, D(2027, 1, 20), (), "new_moment_not_earlier"),
        (rules.FORCE_MAJEURE, D(2026, 11, 22), (), "new_moment_past"),
    ],
)
def test_the_new_moment(kind, new_on, findings, problem):
    assert new_moment(kind, new_on, findings=findings) == problem


def test_a_period_3_deferral_stays_in_the_period_even_when_wrongly_flagged_eligible():
    assert new_moment(rules.SPECIAL_STATUS_DEFERRAL, D(2027, 7, 1), period=P3, exam_on=EXAM[3]) == (
        "new_moment_outside_period"
    )


def test_early_graduation_without_an_exam_date_moves_to_an_earlier_period():
    assert new_moment(rules.EARLY_GRADUATION, D(2027, 1, 20), period=P2, exam_on=None) is None
    assert new_moment(rules.EARLY_GRADUATION, D(2027, 6, 20), period=P2, exam_on=None) == "new_moment_not_earlier"


@pytest.mark.parametrize(
    ("accepted", "reason", "new_on", "starts", "problem"),
    [
        (True, "certificate", D(2027, 1, 20), datetime.time(9), None),
        (False, "no evidence", None, None, None),
        (False, "  ", None, None, "decision_without_reason"),
        (True, "", D(2027, 1, 20), datetime.time(9), "decision_without_reason"),
        (True, "ok", None, datetime.time(9), "accepted_without_new_moment"),
        (True, "ok", D(2027, 1, 20), None, "accepted_without_new_moment"),
    ],
)
def test_a_decision_has_a_reason_and_an_acceptance_a_new_moment(accepted, reason, new_on, starts, problem):
    assert rules.decision_problem(accepted=accepted, reason=reason, new_on=new_on, new_starts_at=starts) == problem


# --- The missed new moment (Art. 43) ---------------------------------------------------------
@pytest.mark.parametrize(
    ("kind", "status", "on", "recorded", "problem"),
    [
        (rules.FORCE_MAJEURE, "accepted", D(2027, 1, 20), False, None),  # the new moment's day
        (rules.FORCE_MAJEURE, "accepted", D(2027, 1, 19), False, "missed_before_new_moment"),
        (rules.FORCE_MAJEURE, "accepted", D(2027, 1, 21), True, "missed_already_recorded"),
        (rules.FORCE_MAJEURE, "rejected", D(2027, 1, 21), False, "missed_not_accepted"),
        (rules.FORCE_MAJEURE, "open", D(2027, 1, 21), False, "missed_not_accepted"),
        (rules.RELIGIOUS_HOLIDAY, "accepted", D(2027, 1, 21), False, "missed_not_force_majeure"),
    ],
)
def test_a_missed_new_moment(kind, status, on, recorded, problem):
    new_on = D(2027, 1, 20) if status == "accepted" else None
    assert rules.missed_problem(kind=kind, status=status, new_on=new_on, on=on, recorded=recorded) == problem


@pytest.mark.parametrize(("very_serious", "lost"), [(False, True), (True, False)])
def test_the_opportunity_is_lost_unless_a_very_serious_case(very_serious, lost):
    assert rules.opportunity_lost(very_serious_case=very_serious) is lost


# --- The individual exam schedule (Art. 17, 43) ----------------------------------------------
STAGES = {1: {1, 2, 3}, 2: {4, 5}}


@pytest.mark.parametrize(
    ("isp", "stage"),
    [
        ([(1, 1), (2, 1), (3, 1)], 1),
        ([(1, 1), (2, 1), (3, 1), (9, 1)], 1),  # an elective of the stage too
        ([(1, 1), (2, 1)], None),  # not every compulsory course
        ([(1, 1), (2, 1), (3, 1), (4, 2)], None),  # a course of another stage
        ([(4, 2), (5, 2)], 2),
        ([], None),
    ],
)
def test_model_route(isp, stage):
    assert rules.model_route_stage(isp=isp, compulsory_by_stage=STAGES) == stage


def test_same_day_clashes():
    exams = [(D(2027, 1, 11), "B"), (D(2027, 1, 11), "A"), (D(2027, 1, 12), "C"), (D(2027, 1, 14), "D")]
    assert rules.same_day_clashes(exams) == {D(2027, 1, 11): ["A", "B"]}
    assert rules.same_day_clashes([]) == {}


@pytest.mark.parametrize(
    ("today", "announced_on", "visible"),
    [
        (D(2026, 10, 15), None, False),
        (D(2026, 10, 16), None, True),  # ies_opens
        (D(2026, 10, 16), D(2026, 9, 30), True),
        (D(2026, 10, 16), D(2026, 11, 2), False),  # announced later
        (D(2026, 11, 2), D(2026, 11, 2), True),
    ],
)
def test_the_schedule_is_visible_from_ies_opens(today, announced_on, visible):
    assert rules.schedule_visible(today=today, ies_opens=CAL.ies_opens, announced_on=announced_on) is visible


# --- The annual report (Art. 59) -------------------------------------------------------------
@pytest.mark.parametrize(
    ("today", "submitted_on", "overdue"),
    [
        (D(2027, 11, 15), None, False),  # the due day itself
        (D(2027, 11, 16), None, True),
        (D(2027, 11, 16), D(2027, 11, 10), False),
        (D(2027, 12, 1), D(2027, 11, 20), False),  # submitted late, no longer open
    ],
)
def test_the_report_is_due_on_15_november_after_the_year(today, submitted_on, overdue):
    due = rules.report_due_on(first_year=2026)
    assert due == D(2027, 11, 15)
    assert rules.report_overdue(today=today, due_on=due, submitted_on=submitted_on) is overdue


@pytest.mark.parametrize(
    ("status", "decide_by", "today", "overdue"),
    [
        ("open", D(2026, 11, 20), D(2026, 11, 21), True),
        ("open", D(2026, 11, 20), D(2026, 11, 20), False),  # the decision day itself is in time
        ("open", None, D(2026, 11, 21), False),
        ("accepted", D(2026, 11, 20), D(2026, 11, 21), False),
        ("rejected", D(2026, 11, 20), D(2026, 12, 1), False),
    ],
)
def test_request_overdue(status, decide_by, today, overdue):
    assert rules.request_overdue(status=status, decide_by=decide_by, today=today) is overdue
