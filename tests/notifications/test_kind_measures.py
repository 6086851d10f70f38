"""Study progress measures, their lifting and the enrolments they refuse, told to the student
(DOMAIN §5, §11; Art. 29-34, 101).

The world is the worked case tests/cases/binding-conditions-refusal-next-year (its ``why``):
S2901, a starter in GRAD-ICT "Associate Degree in ICT" with 40 % in 2023-2024, gets binding
conditions for 2024-2025 at the end of 2023-2024 (15 September 2024); with 30 % in 2024-2025
under them, a refusal for 2025-2026 at the end of 2024-2025 (14 September 2025); its 2025-2026
enrolment (17 September 2025) is refused when processed. S2902 gets the binding conditions
(40 %) and meets them (50 %); S2903 gets nothing. The college went live on 1 January 2024
(conftest): every one of these decisions is live.

Expected messages, by hand: a measure sent on 16 September 2025 can be appealed up to
23 September 2025 (seven calendar days after the notification, Art. 101); a refusal of 2025-2026
can be asked lifted by 10 October 2025, or by 24 February 2026 (before 25 February) by a student
who has not asked yet that year (Art. 34).
"""

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from appeals import services as appeal_services
from exams.models import Result
from exams.redecisions import result_redecide
from notifications import services
from notifications.models import Notification
from notifications.rendering import render
from programmes.models import AcademicYear
from progress.measures import measures_take
from students.models import Enrolment, EnrolmentStatus, Measure, MeasureKind, Student
from students.refusals import measure_lift
from tests.notifications.samples import SAMPLES
from tests.support import personas
from tests.support.paths import OWN_CASES
from tests.support.worlds import on

pytestmark = pytest.mark.django_db
D = datetime.date
CASE = OWN_CASES / "binding-conditions-refusal-next-year.records.json"
ADMISSION = OWN_CASES / "admission-refused-at-zero.records.json"
KINDS = ("measure_taken", "measure_lifted", "enrolment_refused")
ICT = "GRAD-ICT Associate Degree in ICT"
REASON = "Appeal granted by the internal appeal body"


class Boom(Exception):
    pass


def _import(records=CASE):
    call_command("import_records", str(records), stdout=io.StringIO(), stderr=io.StringIO())
    Student.objects.filter(number__in=["S2901", "S2902", "S2903", "S1022"]).update(email="s@student.example")


def _run(today: str):
    call_command("run_deadlines", today=today, stdout=io.StringIO())


def _rows(kind=None, number=None):
    rows = Notification.objects.filter(kind__in=KINDS).order_by("decided_on", "pk")
    if kind:
        rows = rows.filter(kind=kind)
    if number:
        rows = rows.filter(student__number=number)
    return list(rows)


def _measure(kind) -> Measure:
    return Measure.objects.get(student__number="S2901", kind=kind)


@pytest.fixture
def refused(db):
    """The case replayed up to 1 October 2025, the students with an e-mail address."""
    _import()
    _run("2025-10-01")
    enrolment = Enrolment.objects.get(student__number="S2901", academic_year__code="2025-2026")
    assert enrolment.status == EnrolmentStatus.REFUSED
    return enrolment


# --- The messages, written from the rules --------------------------------------------------------
MESSAGES = {
    ("measure_taken", "nl"): (
        f"Studievoortgangsmaatregel: weigering: bindende voorwaarden niet behaald (art. 29) ({ICT})",
        [
            "Op 14/09/2025 heeft de hogeschool naar aanleiding van je studievoortgang in het academiejaar 2024-2025",
            "- van het academiejaar 2025-2026 tot en met het academiejaar 2025-2026",
            "bedroeg 30,00 %",
            "uiterlijk op 10/10/2025, of uiterlijk op 24/02/2026 als je in dat academiejaar nog geen aanvraag",
            "(art. 34)",
            "Deze beslissing is je meegedeeld op 16/09/2025",
            "dus uiterlijk op 23/09/2025 (art. 101)",
        ],
    ),
    ("measure_taken", "en"): (
        f"Study progress measure: refusal: binding conditions not met (Art. 29) ({ICT})",
        [
            "On 14/09/2025, following your study progress in the academic year 2024-2025",
            "under binding conditions you again obtained a study efficiency lower than 50 % (Art. 29 §1)",
            "was 30.00 %",
            "by 10/10/2025 at the latest, or by 24/02/2026 at the latest",
            "notified to you on 16/09/2025",
            "on 23/09/2025 at the latest (Art. 101)",
        ],
    ),
    ("measure_lifted", "nl"): (
        "Studievoortgangsmaatregel opgeheven: weigering: herhaald niet slagen (art. 31) (BA-X Bachelor X)",
        [
            "Op 20/10/2025 is de volgende studievoortgangsmaatregel opgeheven",
            "opleidingsonderdeel X1 Statistics",
            "Reden: Refusal lifted (R-0001): Long illness.",
            "opnieuw toegelaten (art. 34)",
        ],
    ),
    ("measure_lifted", "en"): (
        "Study progress measure lifted: refusal: repeated failure (Art. 31) (BA-X Bachelor X)",
        ["On 20/10/2025 the following study progress measure", "course X1 Statistics", "admitted again (Art. 34)"],
    ),
    ("enrolment_refused", "nl"): (
        "Inschrijving geweigerd: BA-X Bachelor X (2025-2026)",
        [
            "Op 17/09/2025 is je inschrijving in de opleiding BA-X Bachelor X voor het academiejaar 2025-2026",
            "- weigering: leerkrediet (art. 33)",
            "schriftelijke aanvraag bij het studentensecretariaat",
            "uiterlijk op 10/10/2025, of uiterlijk op 24/02/2026",
            "(art. 101 (a))",
        ],
    ),
    ("enrolment_refused", "en"): (
        "Enrolment refused: BA-X Bachelor X (2025-2026)",
        [
            "On 17/09/2025 your enrolment in the programme BA-X Bachelor X for the academic year 2025-2026 was refused",
            "your learning account is zero or below zero (Art. 33)",
            "by 10/10/2025 at the latest, or by 24/02/2026 at the latest",
        ],
    ),
}


@pytest.mark.parametrize(("kind", "language"), sorted(MESSAGES))
def test_the_message_in_both_languages(kind, language):
    subject, body = render(kind, language, SAMPLES[kind], sent_on=D(2025, 9, 16))
    expected_subject, fragments = MESSAGES[(kind, language)]
    assert subject == expected_subject
    for fragment in fragments:
        assert fragment in body
    assert "{{" not in body and "{%" not in body


def test_binding_conditions_tell_the_condition_and_no_lifting():
    data = dict(SAMPLES["measure_taken"], measure_kind="binding_conditions", from_year="2024-2025")
    data.update(until_year="2024-2025", academic_year="2023-2024", study_efficiency="40.00")
    _subject, body = render("measure_taken", "en", data, sent_on=D(2024, 9, 16))
    assert "you must achieve a study efficiency of at least 50 % in 2024-2025 (Art. 29 §1)" in body
    assert "Refusal Lifting Committee" not in body
    assert "on 23/09/2024 at the latest (Art. 101)" in body


def test_an_enrolment_refused_by_a_fraud_sanction_names_it_and_no_lifting():
    data = dict(SAMPLES["enrolment_refused"], measure_kind="fraud_enrolment_ban")
    _subject, body = render("enrolment_refused", "nl", data, sent_on=D(2025, 9, 18))
    assert "na examenfraude oplegde (art. 85 §1)" in body
    assert "commissie opheffing weigering" not in body


# --- The year end: measures taken and the enrolment they refuse ----------------------------------
def test_each_measure_taken_is_told_once_with_its_data(refused):
    refusal = _measure(MeasureKind.BINDING_CONDITIONS_REFUSAL)
    conditions = _measure(MeasureKind.BINDING_CONDITIONS)
    rows = _rows("measure_taken", "S2901")
    assert [(r.object_label, r.object_id, r.decided_on) for r in rows] == [
        ("students.Measure", conditions.pk, D(2024, 9, 15)),
        ("students.Measure", refusal.pk, D(2025, 9, 14)),
    ]
    assert rows[1].student_id == refused.student_id
    assert rows[1].data == {
        "academic_year": "2024-2025",
        "measure_kind": "binding_conditions_refusal",
        "programme": ICT,
        "course": "",
        "from_year": "2025-2026",
        "until_year": "2025-2026",
        "study_efficiency": "30.00",
        "decided_on": "2025-09-14",
    }
    assert rows[0].data["study_efficiency"] == "40.00"
    # S2902: the binding conditions only; S2903: nothing.
    assert [r.data["measure_kind"] for r in _rows("measure_taken", "S2902")] == ["binding_conditions"]
    assert _rows(number="S2903") == []


def test_the_refused_enrolment_is_told(refused):
    (row,) = _rows("enrolment_refused")
    assert (row.student_id, row.object_label, row.object_id, row.decided_on) == (
        refused.student_id,
        "students.Enrolment",
        refused.pk,
        D(2025, 9, 17),
    )
    assert row.data == {
        "academic_year": "2025-2026",
        "programme": ICT,
        "measure_kind": "binding_conditions_refusal",
        "course": "",
        "decided_on": "2025-09-17",
    }


def test_the_outbox_sends_the_measure(refused):
    refusal = _measure(MeasureKind.BINDING_CONDITIONS_REFUSAL)
    Notification.objects.exclude(kind="measure_taken", object_id=refusal.pk).delete()
    with on(D(2025, 9, 16)):
        assert services.pending_send()[services.SENT] == 1
    (message,) = mail.outbox
    assert message.to == ["s@student.example"]
    assert message.subject == MESSAGES[("measure_taken", "nl")][0]
    assert "dus uiterlijk op 23/09/2025 (art. 101)" in message.body
    assert "uiterlijk op 10/10/2025, of uiterlijk op 24/02/2026" in message.body


def test_a_second_run_of_the_year_end_tells_nothing_again(refused):
    before = len(_rows())
    with on(D(2025, 9, 20)):
        measures_take(year=AcademicYear.objects.get(code="2024-2025"))
    _run("2025-10-01")
    assert len(_rows()) == before


def test_a_year_end_that_rolls_back_tells_nothing(db):
    _import()
    _run("2025-09-13")
    assert _rows("measure_taken", "S2901")[-1].decided_on == D(2024, 9, 15)  # the conditions only
    with pytest.raises(Boom), transaction.atomic(), on(D(2025, 9, 14)):
        measures_take(year=AcademicYear.objects.get(code="2024-2025"))
        raise Boom
    assert not Measure.objects.filter(kind=MeasureKind.BINDING_CONDITIONS_REFUSAL).exists()
    assert [r.decided_on for r in _rows("measure_taken", "S2901")] == [D(2024, 9, 15)]


def test_measures_and_refusals_before_go_live_are_not_told(settings, db):
    settings.NOTIFICATIONS_GO_LIVE = D(2025, 10, 2)
    _import()
    _run("2025-10-01")
    assert Measure.objects.filter(student__number="S2901").count() == 2
    assert _rows() == []


def test_an_enrolment_refused_on_the_learning_account_is_told(settings, db):
    """Art. 33 (admission-refused-at-zero): S1022, a balance of 0, enrols in BA-NURS on 15 September
    2023 and is refused when the enrolment is processed. Live since 1 September 2023 here."""
    settings.NOTIFICATIONS_GO_LIVE = D(2023, 9, 1)
    _import(ADMISSION)
    _run("2023-10-01")
    (row,) = _rows("enrolment_refused")
    enrolment = Enrolment.objects.get(student__number="S1022")
    assert (row.student_id, row.object_id, row.decided_on) == (enrolment.student_id, enrolment.pk, D(2023, 9, 15))
    assert row.data == {
        "academic_year": "2023-2024",
        "programme": "BA-NURS Bachelor in Nursing",
        "measure_kind": "learning_account_refusal",
        "course": "",
        "decided_on": "2023-09-15",
    }
    _run("2023-10-01")
    assert len(_rows("enrolment_refused")) == 1


# --- Lifting ---------------------------------------------------------------------------------------
def _redecide(year: str, course: str, mark: int, day: D):
    result = Result.objects.get(
        isp_line__enrolment__student__number="S2901",
        isp_line__enrolment__academic_year__code=year,
        isp_line__course__code=course,
    )
    with on(day):
        return result_redecide(result=result, mark=mark, on=day, reason=REASON)


def test_measures_lifted_by_a_review_are_told_once(refused):
    """C05 of 2023-2024 5 -> 12: no binding conditions after all, and the refusal resting on them
    goes too (tests/progress/test_measures_in_the_file.py): two measures lifted on 5 October 2025."""
    _redecide("2023-2024", "C05", 12, D(2025, 10, 5))
    rows = _rows("measure_lifted")
    assert sorted((r.object_id, r.decided_on) for r in rows) == sorted(
        [
            (_measure(MeasureKind.BINDING_CONDITIONS).pk, D(2025, 10, 5)),
            (_measure(MeasureKind.BINDING_CONDITIONS_REFUSAL).pk, D(2025, 10, 5)),
        ]
    )
    refusal_row = next(r for r in rows if r.data["measure_kind"] == "binding_conditions_refusal")
    assert refusal_row.data == {
        "academic_year": "2024-2025",
        "measure_kind": "binding_conditions_refusal",
        "programme": ICT,
        "course": "",
        "from_year": "2025-2026",
        "until_year": "2025-2026",
        "lifted_on": "2025-10-05",
        "reason": f"{REASON}: no longer under binding conditions in 2024-2025 (Art. 29)",
    }
    _redecide("2023-2024", "C05", 13, D(2025, 10, 6))  # nothing more to lift
    assert len(_rows("measure_lifted")) == 2
    assert _rows("measure_taken", "S2901")[-1].decided_on == D(2025, 9, 14)  # and nothing new taken


def test_a_review_that_rolls_back_tells_nothing(refused):
    with pytest.raises(Boom), transaction.atomic():
        _redecide("2023-2024", "C05", 12, D(2025, 10, 5))
        raise Boom
    assert _rows("measure_lifted") == []


def test_the_committee_lifting_a_refusal_is_told_once(refused):
    office = personas.make_user("office", password=None, email="office@college.example")
    refusal = _measure(MeasureKind.BINDING_CONDITIONS_REFUSAL)
    with on(D(2025, 10, 10)):
        request = appeal_services.refusal_lifting_request_register(
            measure=refusal, submitted_on=D(2025, 10, 10), grounds="Long illness in the second year.", by=office
        )
    with on(D(2025, 10, 20)):
        appeal_services.refusal_lifting_decide(
            request=request, granted=True, on=D(2025, 10, 20), reason="Exceptional circumstances.", by=office
        )
    # One message for one decision: the lifting decision's, which says the refusal is lifted.
    assert _rows("measure_lifted") == []
    (row,) = Notification.objects.filter(kind="refusal_lifting_decided")
    assert (row.object_id, row.decided_on, row.data["granted"]) == (request.pk, D(2025, 10, 20), True)
    refusal.refresh_from_db()
    assert refusal.lifted_on == D(2025, 10, 20)
    with on(D(2025, 10, 21)):
        measure_lift(measure=refusal, on=D(2025, 10, 21), reason="Again.")  # already lifted: not told again
    assert _rows("measure_lifted") == []


def test_a_lifting_the_caller_tells_itself_is_not_told_twice(refused):
    refusal = _measure(MeasureKind.BINDING_CONDITIONS_REFUSAL)
    with on(D(2025, 10, 20)):
        measure_lift(measure=refusal, on=D(2025, 10, 20), reason="Exceptional circumstances.", tell=False)
    assert _rows("measure_lifted") == []


def test_a_fraud_measure_lifted_is_not_told_here(refused):
    """Art. 85 §1 6°-7°: the fraud procedure tells its own measures and their lifting."""
    refusal = _measure(MeasureKind.BINDING_CONDITIONS_REFUSAL)
    ban = Measure.objects.create(
        student_id=refused.student_id,
        kind=MeasureKind.FRAUD_ENROLMENT_BAN,
        programme_id=refusal.programme_id,
        from_year_code="2026-2027",
        until_year_code="2026-2027",
        decided_on=D(2025, 10, 2),
        decided_in=refusal.decided_in,
    )
    with on(D(2025, 10, 20)):
        measure_lift(measure=ban, on=D(2025, 10, 20), reason="Appeal granted.")
    assert _rows("measure_lifted") == []
