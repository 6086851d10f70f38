"""The tuition fee statement told to the student (fee appendix Art. 2-4; DOMAIN §8, §11).

A statement is told when it is first made for an academic year and whenever its amount changes;
a recalculation that gives the same amount adds no statement and tells nothing. A fee statement
is not a decision Art. 101 lets the student appeal (DOMAIN §7): its message names no appeal.

The world: f0001 (an.fee@student.example) enrolled in BA-FEE "Fee Studies" on 15 September 2023
with ten courses of 6 credits (five of each semester), a non-scholarship student. Before the
college went live (1 January 2024, conftest) the fee was stated at 282.10 on enrolment (the fixed
part) and at 282.10 + 60 x 13.50 = 1092.10 at the first-semester lock (the ISP final): history,
never told. The 2023-2024 amounts of the appendix (Art. 3; fees.rules reads 4.90 per credit for
the nearly-scholarship student).
"""

import datetime

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fees.models import FeeStatement
from fees.services import fees_process, fees_recalculate
from notifications import services
from notifications.kinds import APPEAL_FROM_NOTIFICATION, Kind
from notifications.models import Notification
from notifications.rendering import render
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
)
from tests.support.worlds import on

pytestmark = pytest.mark.django_db
D = datetime.date
CHANGED_ON = D(2024, 2, 10)  # a 4-credit second-semester course added: 1092.10 + 4 x 13.50 = 1146.10


class Boom(Exception):
    pass


# --- The message ---------------------------------------------------------------------------------
RAISED = {
    "academic_year": "2023-2024",
    "programmes": ["BA-FEE Fee Studies"],
    "fee_group": "main",
    "grant_status": "none",
    "amount": "1362.10",
    "previous_amount": "282.10",
    "fixed": "282.10",
    "variable": "810.00",
    "credits": "60.0",
    "surcharge": "270.00",
    "surcharge_credits": "20.0",
    "platform": "0.00",
    "reason": "isp_approved",
    "decided_on": "2023-10-02",
}
# An exam contract's first statement: 128.80 fixed, 22.5 credits x 4.90 = 110.25, the platform 50.
FIRST_EXAM = RAISED | {
    "programmes": ["BA-EX Exam Studies"],
    "fee_group": "exam",
    "grant_status": "scholarship",
    "amount": "289.05",
    "previous_amount": "",
    "fixed": "128.80",
    "variable": "110.25",
    "credits": "22.5",
    "surcharge": "0.00",
    "surcharge_credits": "0",
    "platform": "50.00",
    "reason": "enrolment",
    "decided_on": "2024-02-12",
}
# A deregistration lowers a 1234.50 fee to 282.10: 952.40 less.
LOWERED = RAISED | {
    "amount": "282.10",
    "previous_amount": "1234.50",
    "variable": "0.00",
    "credits": "0",
    "surcharge": "0.00",
    "surcharge_credits": "0",
    "reason": "deregistration",
}

EXPECTED = {
    ("raised", "nl"): (
        "Je studiegeld voor 2023-2024 is herberekend: € 1.362,10",
        [
            "Op 02/10/2023 is je studiegeld voor het academiejaar 2023-2024 herberekend (reden: ISP goedgekeurd)",
            "van € 282,10 naar € 1.362,10, dat is € 1.080,00 meer",
            "Opleiding(en): BA-FEE Fee Studies",
            "diploma- en creditcontracten (tarief voor een niet-beursstudent)",
            "vast bedrag: € 282,10",
            "variabel bedrag: € 810,00 voor 60 studiepunten",
            "verhoogd studiegeld voor 20 studiepunten zonder leerkrediet: € 270,00",
            "totaal: € 1.362,10",
            "factuur voor het bijkomende bedrag",
            "14 dagen",
        ],
    ),
    ("raised", "en"): (
        "Your tuition fee for 2023-2024 has been recalculated: €1,362.10",
        [
            "On 02/10/2023 your tuition fee for the academic year 2023-2024 was recalculated (reason: ISP approved)",
            "from €282.10 to €1,362.10, that is €1,080.00 more",
            "Programme(s): BA-FEE Fee Studies",
            "degree and credit contracts (the rate of a non-scholarship student)",
            "fixed cost: €282.10",
            "variable cost: €810.00 for 60 credits",
            "increased fee for 20 credits without learning account: €270.00",
            "total: €1,362.10",
            "invoice for the additional amount",
            "14 days",
        ],
    ),
    ("first_exam", "nl"): (
        "Je studiegeld voor 2023-2024: € 289,05",
        [
            "Op 12/02/2024 is je studiegeld voor het academiejaar 2023-2024 vastgesteld op € 289,05",
            "(reden: inschrijving;",
            "Opleiding(en): BA-EX Exam Studies",
            "Studiegeld voor: examencontract\n",
            "variabel bedrag: € 110,25 voor 22,5 studiepunten",
            "digitaal leerplatform: € 50,00",
            "factuur voor dit bedrag",
        ],
    ),
    ("first_exam", "en"): (
        "Your tuition fee for 2023-2024: €289.05",
        [
            "On 12/02/2024 your tuition fee for the academic year 2023-2024 was set at €289.05",
            "(reason: enrolment;",
            "Fee for: exam contract\n",
            "variable cost: €110.25 for 22.5 credits",
            "digital learning platform: €50.00",
            "invoice for this amount",
        ],
    ),
    ("lowered", "nl"): (
        "Je studiegeld voor 2023-2024 is herberekend: € 282,10",
        [
            "(reden: uitschrijving)",
            "van € 1.234,50 naar € 282,10, dat is € 952,40 minder",
            "variabel bedrag: € 0,00 voor 0 studiepunten",
            "Heb je al meer betaald dan € 282,10, dan storten we het verschil zo snel mogelijk terug",
        ],
    ),
    ("lowered", "en"): (
        "Your tuition fee for 2023-2024 has been recalculated: €282.10",
        [
            "(reason: deregistration)",
            "from €1,234.50 to €282.10, that is €952.40 less",
            "If you have already paid more than €282.10, the difference will be transferred back",
        ],
    ),
}
DATA = {"raised": RAISED, "first_exam": FIRST_EXAM, "lowered": LOWERED}


@pytest.mark.parametrize(("case", "language"), sorted(EXPECTED))
def test_the_statement_in_dutch_and_english(case, language):
    subject, body = render(Kind.FEE_STATEMENT, language, DATA[case], sent_on=D(2024, 2, 13))
    expected_subject, fragments = EXPECTED[(case, language)]
    assert subject == expected_subject
    for fragment in fragments:
        assert fragment in body
    assert body.startswith("Beste student," if language == "nl" else "Dear student,")


@pytest.mark.parametrize("case", sorted(DATA))
def test_only_what_applies_is_told_and_no_appeal_route(case):
    """No surcharge line without a surcharge, no platform line outside an exam contract, no
    grant status for a separate fee group (its rate does not follow it), no appeal (DOMAIN §7)."""
    assert Kind.FEE_STATEMENT not in APPEAL_FROM_NOTIFICATION
    _subject, nl = render(Kind.FEE_STATEMENT, "nl", DATA[case], sent_on=D(2024, 2, 13))
    _subject, en = render(Kind.FEE_STATEMENT, "en", DATA[case], sent_on=D(2024, 2, 13))
    assert ("zonder leerkrediet" in nl) == (case == "raised")
    assert ("leerplatform" in nl) == ("learning platform" in en) == (case == "first_exam")
    assert ("tarief voor een" in nl) == ("the rate of a" in en) == (case != "first_exam")
    assert "beroep" not in nl and "appeal" not in en
    assert "{{" not in nl + en and "{%" not in nl + en


# --- The service ---------------------------------------------------------------------------------
@pytest.fixture
def enrolment(db):
    year = AcademicYearFactory(first_year=2023)
    programme = ProgrammeFactory(code="BA-FEE", name="Fee Studies")
    enrolment = EnrolmentFactory(
        programme=programme,
        academic_year=year,
        enrolled_on=D(2023, 9, 15),
        student__number="f0001",
        student__email="an.fee@student.example",
    )
    for index in range(10):
        course = CourseFactory(programme=programme, code=f"F{index}", credits=6, semester="1" if index < 5 else "2")
        ISPLineFactory(enrolment=enrolment, course=course)
    assert year.first_semester_lock < D(2024, 1, 1)  # the history below is from before go-live
    fees_recalculate(student=enrolment.student, academic_year=year, on=D(2023, 9, 15), reason="enrolment")
    fees_recalculate(student=enrolment.student, academic_year=year, on=year.first_semester_lock, reason="isp_final")
    return enrolment


def _add_course(enrolment, day=CHANGED_ON):
    course = CourseFactory(programme=enrolment.programme, code="F99", credits=4, semester="2")
    ISPLineFactory(enrolment=enrolment, course=course, added_on=day)


def test_the_statements_before_go_live_are_history_and_never_told(enrolment):
    totals = [str(s.total) for s in FeeStatement.objects.filter(student=enrolment.student)]
    assert totals == ["282.10", "1092.10"]
    assert not Notification.objects.exists()


def test_a_changed_amount_is_told_once_with_the_previous_amount(enrolment):
    _add_course(enrolment)
    with on(CHANGED_ON):
        fees_process(day=CHANGED_ON)
    statement = FeeStatement.objects.filter(student=enrolment.student).last()
    row = Notification.objects.get()
    assert (row.student_id, row.kind, row.object_label, row.object_id, row.decided_on) == (
        enrolment.student_id,
        "fee_statement",
        "fees.FeeStatement",
        statement.pk,
        CHANGED_ON,
    )
    assert row.data == {
        "academic_year": "2023-2024",
        "programmes": ["BA-FEE Fee Studies"],
        "fee_group": "main",
        "grant_status": "none",
        "amount": "1146.10",
        "previous_amount": "1092.10",
        "fixed": "282.10",
        "variable": "864.00",
        "credits": "64",
        "surcharge": "0.00",
        "surcharge_credits": "0",
        "platform": "0.00",
        "reason": "isp_change",
        "decided_on": "2024-02-10",
    }
    with on(D(2024, 2, 11)):
        assert services.pending_send()[services.SENT] == 1
    message = mail.outbox[0]
    assert message.to == ["an.fee@student.example"]
    assert message.subject == "Je studiegeld voor 2023-2024 is herberekend: € 1.146,10"
    assert "Op 10/02/2024" in message.body
    assert "van € 1.092,10 naar € 1.146,10, dat is € 54,00 meer" in message.body
    assert "variabel bedrag: € 864,00 voor 64 studiepunten" in message.body
    # The timeline runs the day again, and a recalculation the day after: the same amount, nothing told.
    with on(CHANGED_ON):
        fees_process(day=CHANGED_ON)
    year = enrolment.academic_year
    assert fees_recalculate(student=enrolment.student, academic_year=year, on=D(2024, 2, 11), reason="x") == []
    assert Notification.objects.count() == 1


def test_a_first_statement_of_a_separate_fee_group_is_told(enrolment):
    """An exam contract is a fee group of its own (appendix Art. 2): 128.80 + 2 x 6 x 4.90 + 50."""
    programme = ProgrammeFactory(code="BA-EX", name="Exam Studies")
    exam = EnrolmentFactory(
        student=enrolment.student,
        programme=programme,
        academic_year=enrolment.academic_year,
        contract="exam_degree",
        enrolled_on=D(2024, 2, 12),
    )
    for index in range(2):
        ISPLineFactory(enrolment=exam, course=CourseFactory(programme=programme, code=f"X{index}", credits=6))
    with on(D(2024, 2, 12)):
        fees_process(day=D(2024, 2, 12))
    row = Notification.objects.get()
    assert row.object_id == FeeStatement.objects.get(student=enrolment.student, group="exam").pk
    assert (row.data["fee_group"], row.data["programmes"]) == ("exam", ["BA-EX Exam Studies"])
    assert (row.data["amount"], row.data["previous_amount"], row.data["platform"]) == ("237.60", "", "50.00")


def test_a_live_grant_status_change_is_told_with_the_refund(enrolment, django_capture_on_commit_callbacks):
    """A scholarship student pays 128.80 fixed and nothing per credit (appendix Art. 3)."""
    with on(D(2024, 3, 4)), django_capture_on_commit_callbacks(execute=True):
        enrolment.refresh_from_db()
        enrolment.grant_status = "scholarship"
        enrolment.save()
    row = Notification.objects.get()
    assert row.decided_on == D(2024, 3, 4)
    assert (row.data["reason"], row.data["grant_status"]) == ("grant_status", "scholarship")
    assert (row.data["amount"], row.data["previous_amount"]) == ("128.80", "1092.10")
    _subject, body = render(row.kind, "nl", row.data, sent_on=D(2024, 3, 4))
    assert "tarief voor een beursstudent" in body
    assert "van € 1.092,10 naar € 128,80, dat is € 963,30 minder" in body
    assert "storten we het verschil zo snel mogelijk terug" in body


def test_a_recalculation_rolled_back_leaves_no_row(enrolment):
    _add_course(enrolment)
    with on(CHANGED_ON), pytest.raises(Boom), transaction.atomic():
        fees_process(day=CHANGED_ON)
        assert Notification.objects.count() == 1
        raise Boom
    assert not Notification.objects.exists()
    assert FeeStatement.objects.filter(student=enrolment.student).count() == 2


def test_a_change_dated_before_go_live_is_not_told(enrolment, settings):
    settings.NOTIFICATIONS_GO_LIVE = D(2024, 3, 1)
    _add_course(enrolment)
    with on(CHANGED_ON):
        fees_process(day=CHANGED_ON)
    assert FeeStatement.objects.filter(student=enrolment.student).count() == 3
    assert not Notification.objects.exists()


def test_an_unchanged_recalculation_asks_nothing_more(enrolment):
    """The daily job over many students: an unchanged fee reads no programme and writes no row."""
    with CaptureQueriesContext(connection) as queries:
        assert (
            fees_recalculate(
                student=enrolment.student, academic_year=enrolment.academic_year, on=CHANGED_ON, reason="recalculation"
            )
            == []
        )
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert 'FROM "programmes_programme"' not in sql
    assert "notifications_notification" not in sql
