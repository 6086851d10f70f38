"""What if… (issue 18, point 5): a coach previews a change of one student without writing
anything, and the preview equals the real change once it is made.

The coach world (tests/support/worlds.py): student r0000001 enrolled on 15 September 2026 in
BA-A (initial bachelor, degree contract, non-scholarship), ISP A101 (sem. 1), A102 (sem. 1),
A103 (sem. 2), A104 (sem. 2), A105 (year), 6 credits each: learning account 140 - 30 = 110,
balance at enrolment 140. A generation student (first enrolment ever, degree contract,
bachelor). ISP still a draft. Today 23 November 2026. Calendar 2026-2027: first-semester lock
1 December 2026, generation switch deadline 25 December 2026, second-semester lock 15 March
2027; the year starts on 18 September 2026, exam period 1 ends on 2 February 2027. BA-B's
first model-route stage: B101 (6 credits, sem. 1).

Fee (appendix, 2023-2024 amounts): 282.10 fixed + 13.50 per credit, the variable part once
the ISP is approved or final at the first-semester lock (fees.services). On a deregistration
in the first semester more than 8 weeks after the start (13 November), the first-semester and
year courses stay charged (18 credits).
"""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fees.models import FeeStatement
from fees.services import fees_recalculate
from progress import whatif
from progress.risk_facts import risk_facts, signals_of
from students import services
from students.models import Enrolment, EnrolmentStatus, ISPLine, LearningAccountEntry
from students.selectors import credits_without_learning_account_of

D = datetime.date
TODAY = D(2026, 11, 23)

pytestmark = pytest.mark.usefixtures("on_coach_day")


def _preview(world, scenario):
    return whatif.preview(Enrolment.objects.get(pk=world.enrolment.pk), scenario, today=TODAY)


def _scenario(world, kind, on, *, contract=None, drop=(), switch=False):
    return whatif.Scenario(
        kind=kind,
        on=on,
        programme_id=world.other_programme.pk if switch else None,
        contract=contract,
        line_ids=tuple(world.lines[code].pk for code in drop),
    )


# --- Table-driven: figures worked out by hand from the rules ------------------------------------
CASES = [
    # Rule 5: before the first-semester lock every line without a taken opportunity (30).
    # ISP a draft before the lock: the fee is the fixed part alone, before and after.
    (
        "deregister before the lock",
        {"kind": whatif.DEREGISTER, "on": D(2026, 11, 25)},
        (110, 140),
        [(30, "deregistration")],
        (Decimal("282.10"), Decimal("282.10")),
    ),
    # From the lock: only the semester-2 lines (A103, A104: 12). Fee: 282.10 + 30 x 13.50 =
    # 687.10 before; after, 18 credits stay charged: 282.10 + 243.00 = 525.10.
    (
        "deregister after the lock",
        {"kind": whatif.DEREGISTER, "on": D(2026, 12, 10)},
        (110, 122),
        [(12, "deregistration")],
        (Decimal("687.10"), Decimal("525.10")),
    ),
    # From the second-semester lock nothing (rule 5); deregistered in the second semester
    # (from 3 February) more than 8 weeks in: every course stays charged (687.10).
    (
        "deregister after the second lock",
        {"kind": whatif.DEREGISTER, "on": D(2027, 4, 20)},
        (110, 110),
        [],
        (Decimal("687.10"), Decimal("687.10")),
    ),
    # Rule 6 and 3: generation student switching on 10 December: half of A101+A102+A105
    # (18) = 9 back; B101 deducted (6); the deregistration refunds A103+A104 (12):
    # 110 + 9 - 6 + 12 = 125. Fee: 18 (BA-A) + 6 (BA-B) = 24 credits: 282.10 + 324 = 606.10.
    (
        "switch as a generation student",
        {"kind": whatif.SWITCH, "on": D(2026, 12, 10), "switch": True},
        (110, 125),
        [(9, "generation_switch"), (-6, "isp"), (12, "deregistration")],
        (Decimal("687.10"), Decimal("606.10")),
    ),
    # Rule 4: A101 (sem. 1) dropped before its lock: refunded; A103 (sem. 2) too. Fee: a draft
    # before the lock: 282.10 both.
    (
        "drop before the lock",
        {"kind": whatif.DROP, "on": D(2026, 11, 25), "drop": ("A101", "A103")},
        (110, 122),
        [(6, "course_removed"), (6, "course_removed")],
        (Decimal("282.10"), Decimal("282.10")),
    ),
    # After the first lock A101 stays deducted, A103 (before 15 March) is refunded; the fee
    # loses both: 282.10 + 18 x 13.50 = 525.10.
    (
        "drop after the first lock",
        {"kind": whatif.DROP, "on": D(2026, 12, 10), "drop": ("A101", "A103")},
        (110, 116),
        [(6, "course_removed")],
        (Decimal("687.10"), Decimal("525.10")),
    ),
    # A credit contract in an initial bachelor uses the learning account too (rule 2): nothing
    # booked; the fee is the same (degree and credit contracts share the main group).
    (
        "contract to credit",
        {"kind": whatif.CONTRACT, "on": D(2026, 12, 10), "contract": "credit"},
        (110, 110),
        [],
        (Decimal("687.10"), Decimal("687.10")),
    ),
    # A degree-exam contract never uses it: before the lock every line is refunded as removed
    # (30). Fee: exam contract, 128.80 + 50 platform (a draft: no variable part yet).
    (
        "contract to degree-exam before the lock",
        {"kind": whatif.CONTRACT, "on": D(2026, 11, 25), "contract": "exam_degree"},
        (110, 140),
        [(6, "contract_refund")] * 5,
        (Decimal("282.10"), Decimal("178.80")),
    ),
]


@pytest.mark.parametrize(("name", "scenario", "balance", "bookings", "fee"), CASES, ids=[c[0] for c in CASES])
def test_preview_figures(coach_world, name, scenario, balance, bookings, fee):
    outcome = _preview(coach_world, _scenario(coach_world, **scenario))
    assert (outcome.balance.before, outcome.balance.after) == balance
    assert [(b.credits, b.reason) for b in outcome.bookings] == bookings
    assert (outcome.fee.before, outcome.fee.after) == fee
    assert (outcome.without_account.before, outcome.without_account.after) == (0, 0)
    # A new student: no threshold or repeated-failure signal either way; tolerance credit of a
    # 180-credit initial bachelor, none used.
    assert outcome.signals_before == outcome.signals_after == []


def test_a_switch_states_its_assumed_isp(coach_world):
    outcome = _preview(coach_world, _scenario(coach_world, whatif.SWITCH, D(2026, 12, 10), switch=True))
    assert len(outcome.assumptions) == 1
    assert "B101" in str(outcome.assumptions[0])
    assert [row.programme for row in outcome.tolerance] == ["BA-A", "BA-B"]
    assert outcome.tolerance[1].before is None and outcome.tolerance[1].after is not None


def test_a_contract_change_states_it_has_no_service(coach_world):
    outcome = _preview(coach_world, _scenario(coach_world, whatif.CONTRACT, D(2026, 12, 10), contract="credit"))
    assert "No service records a change of contract" in str(outcome.assumptions[0])


def _lower_balance(world, credits):
    LearningAccountEntry.objects.create(
        student=world.student, on=D(2026, 9, 20), credits=credits, kind="correction", source="test:lower"
    )


def test_credits_without_learning_account_on_a_small_balance(coach_world):
    """Rule 12: a balance of -5 (110 - 115); the switch's rule-6 refund brings it to 4 at the new
    enrolment (admitted, Art. 33), so B101's 6 credits go 2 beyond it: 2 credits without learning
    account, charged 13.50 more each (fee appendix): 606.10 + 27.00 = 633.10. Then the
    deregistration's 12: -5 + 9 - 6 + 12 = 10."""
    _lower_balance(coach_world, -115)
    outcome = _preview(coach_world, _scenario(coach_world, whatif.SWITCH, D(2026, 12, 10), switch=True))
    assert (outcome.balance.before, outcome.balance.after) == (-5, 10)
    assert [(b.credits, b.reason) for b in outcome.bookings] == [
        (9, "generation_switch"),
        (-6, "isp"),
        (12, "deregistration"),
    ]
    assert (outcome.without_account.before, outcome.without_account.after) == (0, 2)
    assert (outcome.fee.before, outcome.fee.after) == (Decimal("687.10"), Decimal("633.10"))
    assert outcome.notes == []


def test_a_switch_refused_on_the_learning_account(coach_world):
    """Art. 33: -15 + 9 = -6 at the new enrolment: refused, nothing deducted; the deregistration
    still refunds 12 (-15 + 9 + 12 = 6) and only BA-A's 18 credits stay charged (525.10)."""
    _lower_balance(coach_world, -125)
    outcome = _preview(coach_world, _scenario(coach_world, whatif.SWITCH, D(2026, 12, 10), switch=True))
    assert (outcome.balance.before, outcome.balance.after) == (-15, 6)
    assert [(b.credits, b.reason) for b in outcome.bookings] == [(9, "generation_switch"), (12, "deregistration")]
    assert "would be refused" in str(outcome.notes[0])
    assert outcome.fee.after == Decimal("525.10")


# --- Nothing is written --------------------------------------------------------------------------
def _dump():
    """Every row of every table of the project's models."""
    found = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            found[model._meta.label] = sorted(map(repr, model.objects.values_list()))
    return found


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_preview_writes_nothing(coach_world, client, case, django_assert_max_num_queries):
    client.force_login(coach_world.coach)
    client.get(reverse("students:student_detail", args=[coach_world.student.number]))  # the session settles
    before = _dump()
    _name, scenario, *_rest = case
    _preview(coach_world, _scenario(coach_world, **scenario))
    params = {"kind": scenario["kind"], "on": scenario["on"].isoformat()}
    if scenario.get("switch"):
        params["programme"] = coach_world.other_programme.pk
    if scenario.get("contract"):
        params["contract"] = scenario["contract"]
    if scenario.get("drop"):
        params["lines"] = [coach_world.lines[c].pk for c in scenario["drop"]]
    queries = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(reverse("students:student_whatif", args=[coach_world.student.number]), params)
    assert response.status_code == 200
    assert "Nothing has been changed." in response.content.decode()
    assert 'id="outcome"' in response.content.decode()
    writes = [
        q
        for q in queries
        if q.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and "django_session" not in q
    ]
    assert writes == []
    assert not any("FOR UPDATE" in q.upper() for q in queries)
    assert _dump() == before


# --- The preview equals the real change ----------------------------------------------------------
def _real(world, on):
    """The figures after a real change, read as the pages and the fee recalculation read them."""
    student = world.student
    year = world.year
    fees_recalculate(student=student, academic_year=year, on=on, reason="what-if check")
    latest = {}
    for statement in FeeStatement.objects.filter(student=student, academic_year_code=year.code).order_by("on", "id"):
        latest[statement.key] = statement.total
    entries = list(LearningAccountEntry.objects.filter(student=student, academic_year=year, on__lte=on))
    enrolments = Enrolment.objects.filter(student=student, academic_year=year, enrolled_on__lte=on).exclude(
        status=EnrolmentStatus.REFUSED
    )
    facts = risk_facts([student.pk], today=TODAY).get(student.pk)
    return {
        "balance": sum(LearningAccountEntry.objects.filter(student=student).values_list("credits", flat=True)),
        "without_account": sum(credits_without_learning_account_of(e, entries) for e in enrolments),
        "fee": sum(latest.values()),
        "signals": [s.key for s in whatif.shown_signals(signals_of(facts, today=TODAY))] if facts else [],
        "tolerance": whatif.tolerance_rows(facts),
    }


def _previewed(outcome):
    return {
        "balance": outcome.balance.after,
        "without_account": outcome.without_account.after,
        "fee": outcome.fee.after,
        "signals": [s.key for s in outcome.signals_after],
        "tolerance": {row.programme: row.after for row in outcome.tolerance if row.after is not None},
    }


def _deregister(world, on):
    Enrolment.objects.filter(pk=world.enrolment.pk).update(deregistered_on=on)
    services.deregistrations_process(day=on)


def _drop(world, on, codes):
    ISPLine.objects.filter(pk__in=[world.lines[c].pk for c in codes]).update(removed_on=on)
    services.isp_removals_process(day=on)


def _switch(world, on):
    """Deregister and enrol in BA-B with its first stage, processed in the timeline's order of a day."""
    Enrolment.objects.filter(pk=world.enrolment.pk).update(deregistered_on=on)
    new = Enrolment.objects.create(
        student=world.student,
        academic_year=world.year,
        programme=world.other_programme,
        contract="degree",
        enrolled_on=on,
    )
    ISPLine.objects.create(enrolment=new, course=world.other_course, added_on=on)
    services.enrolments_process(day=on)
    services.isp_additions_process(day=on)
    services.isp_removals_process(day=on)
    services.deregistrations_process(day=on)


REAL = [
    ("deregister before the lock", {"kind": whatif.DEREGISTER, "on": D(2026, 11, 25)}, _deregister, ()),
    ("deregister after the lock", {"kind": whatif.DEREGISTER, "on": D(2026, 12, 10)}, _deregister, ()),
    (
        "drop before the lock",
        {"kind": whatif.DROP, "on": D(2026, 11, 25), "drop": ("A101", "A103")},
        _drop,
        (("A101", "A103"),),
    ),
    (
        "drop after the lock",
        {"kind": whatif.DROP, "on": D(2026, 12, 10), "drop": ("A101", "A103")},
        _drop,
        (("A101", "A103"),),
    ),
    ("switch", {"kind": whatif.SWITCH, "on": D(2026, 12, 10), "switch": True}, _switch, ()),
]


@pytest.mark.parametrize(("name", "scenario", "change", "args"), REAL, ids=[r[0] for r in REAL])
@pytest.mark.parametrize("balance_change", [0, -115], ids=["full account", "small account"])
def test_the_preview_equals_the_real_change(coach_world, name, scenario, change, args, balance_change):
    if balance_change:
        _lower_balance(coach_world, balance_change)
    outcome = _preview(coach_world, _scenario(coach_world, **scenario))
    change(coach_world, scenario["on"], *args)
    assert _real(coach_world, scenario["on"]) == _previewed(outcome)


# --- Signals and tolerance: a student in the second year of a bachelor ---------------------------
class SecondYear:
    """BA-S (initial bachelor, 180 credits). 2025-2026, degree contract, enrolled 15 September
    2025: S1-S5 (6 credits each, stage 1); in January S1 6/20 (failed, not tolerable), the others
    14/20, published 6 February 2026. 2026-2027, degree contract, enrolled 15 September 2026: S1
    again and T1-T3 (6 credits each, stage 2). Today 23 November 2026.

    Art. 30: the threshold package (the first year's courses) misses S1 after the first year of
    enrolment: a threshold signal. Art. 31: S1 failed once and taken again: a repeated-failure
    signal. A credit contract is no year of enrolment for the threshold (Art. 30 §1) and has no
    tolerance (Art. 91: degree contracts)."""


@pytest.fixture
def second_year(db, on_coach_day):
    import time_machine

    from core.timeline import run_deadlines
    from exams.results import result_record
    from tests.support.factories import (
        AcademicYearFactory,
        CourseFactory,
        EnrolmentFactory,
        ISPLineFactory,
        ProgrammeFactory,
    )
    from tests.support.worlds import ensure_fee_schedule

    ensure_fee_schedule()
    world = SecondYear()
    first, world.year = AcademicYearFactory(first_year=2025), AcademicYearFactory(first_year=2026)
    world.programme = ProgrammeFactory(code="BA-S", kind="initial_bachelor", credits=180)
    semesters = {"S1": "1", "S2": "1", "S3": "2", "S4": "2", "S5": "year", "T1": "1", "T2": "2", "T3": "year"}
    courses = {
        code: CourseFactory(
            programme=world.programme, code=code, credits=6, semester=sem, stage=1 if code[0] == "S" else 2
        )
        for code, sem in semesters.items()
    }
    earlier = EnrolmentFactory(programme=world.programme, academic_year=first, enrolled_on=D(2025, 9, 15))
    world.student = earlier.student
    january = first.exam_periods.get(number=1)
    for code in ("S1", "S2", "S3", "S4", "S5"):
        line = ISPLineFactory(enrolment=earlier, course=courses[code])
        result_record(isp_line=line, exam_period=january, opportunity=1, mark=6 if code == "S1" else 14)
    world.enrolment = EnrolmentFactory(
        student=world.student, programme=world.programme, academic_year=world.year, enrolled_on=D(2026, 9, 15)
    )
    world.lines = {
        code: ISPLineFactory(enrolment=world.enrolment, course=courses[code]) for code in ("S1", "T1", "T2", "T3")
    }
    world.other_programme = None
    with time_machine.travel(datetime.datetime(2026, 11, 23, 10, 0), tick=False):
        run_deadlines(today=TODAY)
    return world


def _kinds(signals):
    return sorted((s.kind, s.programme, s.course) for s in signals)


def test_the_second_year_has_both_signals(second_year):
    outcome = _preview(second_year, _scenario(second_year, whatif.DEREGISTER, D(2026, 12, 10)))
    assert _kinds(outcome.signals_before) == [
        ("decree_threshold", "BA-S", None),
        ("repeated_failure", "BA-S", "S1"),
    ]


def test_a_credit_contract_ends_the_threshold_signal_and_the_tolerance(second_year):
    outcome = _preview(second_year, _scenario(second_year, whatif.CONTRACT, D(2026, 11, 25), contract="credit"))
    assert _kinds(outcome.signals_after) == [("repeated_failure", "BA-S", "S1")]
    assert outcome.signals_changed
    (row,) = outcome.tolerance
    assert row.before is not None and row.after is None and row.changed


def test_dropping_the_retake_moves_the_next_opportunity_a_year(second_year):
    """Without S1 in 2026-2027 the next failure of S1 counted is one in 2027-2028 (Art. 31);
    S1 (sem. 1) dropped before the lock: its 6 credits back, 134 -> 140 (2025-2026: 140 - 30
    + 24 passed + 24 bonus = 158; 2026-2027: - 24)."""
    outcome = _preview(second_year, _scenario(second_year, whatif.DROP, D(2026, 11, 25), drop=("S1",)))
    assert (outcome.balance.before, outcome.balance.after) == (134, 140)
    before = next(s for s in outcome.signals_before if s.kind == "repeated_failure")
    after = next(s for s in outcome.signals_after if s.kind == "repeated_failure")
    assert "2026-2027" in before.grounds and "2027-2028" in after.grounds
    assert outcome.signals_changed


REAL_SECOND = [
    ("deregister", {"kind": whatif.DEREGISTER, "on": D(2026, 12, 10)}, _deregister, ()),
    ("drop the retake", {"kind": whatif.DROP, "on": D(2026, 11, 25), "drop": ("S1",)}, _drop, (("S1",),)),
    ("drop a new course", {"kind": whatif.DROP, "on": D(2026, 11, 25), "drop": ("T1", "T2")}, _drop, (("T1", "T2"),)),
]


@pytest.mark.parametrize(("name", "scenario", "change", "args"), REAL_SECOND, ids=[r[0] for r in REAL_SECOND])
def test_the_preview_equals_the_real_change_with_signals(second_year, name, scenario, change, args):
    outcome = _preview(second_year, _scenario(second_year, **scenario))
    assert outcome.signals_before  # something to compare
    change(second_year, scenario["on"], *args)
    assert _real(second_year, scenario["on"]) == _previewed(outcome)


# --- Bad input: a form error, nothing written ---------------------------------------------------
def _refuse_bab(world):
    from students.models import Measure

    Measure.objects.create(
        student=world.student,
        kind="threshold_refusal",
        programme=world.other_programme,
        from_year_code="2026-2027",
        until_year_code="2031-2032",
        decided_on=D(2026, 9, 1),
        decided_in=world.year,
    )


BAD = [
    ("before the enrolment", lambda w: {"kind": "deregister", "on": "2026-09-14"}, "on", None),
    ("after the year", lambda w: {"kind": "deregister", "on": "2027-09-16"}, "on", None),
    ("no date", lambda w: {"kind": "deregister", "on": ""}, "on", None),
    ("own programme", lambda w: {"kind": "switch", "on": "2026-12-10", "programme": w.programme.pk}, "programme", None),
    ("no programme", lambda w: {"kind": "switch", "on": "2026-12-10"}, "programme", None),
    (
        "refused programme",
        lambda w: {"kind": "switch", "on": "2026-12-10", "programme": w.other_programme.pk},
        "programme",
        _refuse_bab,
    ),
    (
        "switch after the second lock",
        lambda w: {"kind": "switch", "on": "2027-03-15", "programme": w.other_programme.pk},
        "on",
        None,
    ),
    ("same contract", lambda w: {"kind": "contract", "on": "2026-12-10", "contract": "degree"}, "contract", None),
    ("no contract", lambda w: {"kind": "contract", "on": "2026-12-10"}, "contract", None),
    ("no course", lambda w: {"kind": "drop", "on": "2026-12-10"}, "lines", None),
    (
        "another student's course",
        lambda w: {"kind": "drop", "on": "2026-12-10", "lines": [w.other_enrolment.lines.get().pk]},
        "lines",
        None,
    ),
]


@pytest.mark.parametrize(("name", "params", "field", "setup"), BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_a_form_error_and_writes_nothing(coach_world, client, name, params, field, setup):
    if setup:
        setup(coach_world)
    client.force_login(coach_world.coach)
    client.get(reverse("students:student_detail", args=[coach_world.student.number]))
    before = _dump()
    response = client.get(reverse("students:student_whatif", args=[coach_world.student.number]), params(coach_world))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert 'id="outcome"' not in response.content.decode()
    assert _dump() == before


def test_a_deregistered_enrolment_has_nothing_to_preview(coach_world, client):
    Enrolment.objects.filter(pk=coach_world.enrolment.pk).update(deregistered_on=D(2026, 11, 20))
    services.deregistrations_process(day=D(2026, 11, 20))
    client.force_login(coach_world.coach)
    response = client.get(
        reverse("students:student_whatif", args=[coach_world.student.number]), {"kind": "drop", "on": "2026-11-25"}
    )
    assert response.status_code == 422
    assert "deregistered already" in response.context["form"].non_field_errors()[0]


# --- The page ------------------------------------------------------------------------------------
def test_the_page_shows_before_and_after_within_its_query_budget(coach_world, client, django_assert_max_num_queries):
    client.force_login(coach_world.coach)
    url = reverse("students:student_whatif", args=[coach_world.student.number])
    # A fixed number of queries, whatever the size of the ISP or the ledger: the page's own reads,
    # the snapshot, the fee gate and the risk facts (``progress.risk_facts``, about 19); a switch
    # reads the new programme's first stage and the measures that could refuse it too.
    with django_assert_max_num_queries(46):
        client.get(url, {"kind": "switch", "on": "2026-12-10", "programme": coach_world.other_programme.pk})
    with django_assert_max_num_queries(46):
        response = client.get(url, {"kind": "deregister", "on": "2026-12-10"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing has been changed." in html
    # Changed values are marked in words, not by colour alone.
    assert html.count(">changed<") >= 2
    assert "+12" in html


WHATIF_BUDGET = 15  # issue 19


def _whatif_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured.captured_queries)


SCENARIOS = [
    lambda w: {"kind": "deregister", "on": "2026-12-10"},
    lambda w: {"kind": "switch", "on": "2026-12-10", "programme": w.other_programme.pk},
    lambda w: {"kind": "contract", "on": "2026-12-10", "contract": "credit"},
    lambda w: {"kind": "drop", "on": "2026-12-10", "lines": [w.lines["A101"].pk]},
]


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_number_of_lines(coach_world, client):
    client.force_login(coach_world.coach)
    url = reverse("students:student_whatif", args=[coach_world.student.number])
    client.get(url)  # the session settles
    before = [_whatif_queries(client, url, params(coach_world)) for params in SCENARIOS]
    # Two more lines, one removed, and more ledger entries: the same number of queries.
    for code in ("A201", "A203"):
        ISPLine.objects.create(
            enrolment=coach_world.enrolment, course=coach_world.courses[code], added_on=D(2026, 9, 20)
        )
    ISPLine.objects.filter(enrolment=coach_world.enrolment, course__code="A201").update(removed_on=D(2026, 10, 1))
    for credits in (-6, 6):
        LearningAccountEntry.objects.create(
            student=coach_world.student, on=D(2026, 10, 1), credits=credits, kind="deduction", source=f"t:{credits}"
        )
    assert [_whatif_queries(client, url, params(coach_world)) for params in SCENARIOS] == before


def test_the_page_stays_within_its_budget(coach_world, client, django_assert_max_num_queries):
    client.force_login(coach_world.coach)
    url = reverse("students:student_whatif", args=[coach_world.student.number])
    client.get(url)  # the session settles
    for params in SCENARIOS:
        with django_assert_max_num_queries(WHATIF_BUDGET):
            assert client.get(url, params(coach_world)).status_code == 200


def test_the_empty_form(coach_world, client):
    client.force_login(coach_world.coach)
    response = client.get(reverse("students:student_whatif", args=[coach_world.student.number]))
    assert response.status_code == 200
    assert response.context["outcome"] is None


def test_the_student_page_links_the_coach_to_it(coach_world, client):
    url = reverse("students:student_whatif", args=[coach_world.student.number])
    client.force_login(coach_world.coach)
    assert url in client.get(reverse("students:student_detail", args=[coach_world.student.number])).content.decode()
    client.force_login(coach_world.ombudsperson)
    assert url not in client.get(reverse("students:student_detail", args=[coach_world.student.number])).content.decode()


def test_who_reaches_the_page(coach_world, client):
    """The coach of BA-A previews; the ombudsperson sees the student but may not change the ISP
    (403); BA-B's coach does not see the student (404), nor does anyone an unknown number. With
    the year's only enrolment refused, the coach is told there is nothing to preview."""
    url = reverse("students:student_whatif", args=[coach_world.student.number])
    client.force_login(coach_world.coach)
    assert client.get(url).status_code == 200
    assert client.get(reverse("students:student_whatif", args=["r9999999"])).status_code == 404
    client.force_login(coach_world.ombudsperson)
    assert client.get(url).status_code == 403
    client.force_login(coach_world.other_coach)
    assert client.get(url).status_code == 404
    Enrolment.objects.filter(pk=coach_world.enrolment.pk).update(status=EnrolmentStatus.REFUSED)
    client.force_login(coach_world.coach)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["enrolment"] is None
    assert 'id="no-enrolment"' in response.content.decode()
