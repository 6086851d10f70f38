"""The appeal steps and corrections told to the student (DOMAIN §7, §11; Art. 34, 93, 101, 102).

The appeal world (tests/support/worlds.py ``appeals_college``): R1 (r1@student.example, Dutch)
scored 7 on C01 "Course C01" in January 2023-2024, published on 6 February 2024. An appeal
posted on 10 February is decided within twenty days (by 29 February); lodged pending feedback, it
must be elaborated by 15 February (five calendar days) or it is void from 16 February.
The refusal world (tests/appeals/conftest.py ``refused``): L1's threshold refusal of BA-L from
2025-2026, a request to lift it on 10 October 2025. The college went live on 1 January 2024.
"""

import datetime

import pytest
from django.core import mail
from django.db import transaction

from appeals import services as appeals
from appeals.models import Appeal, Correction, RefusalLiftingRequest
from core.timeline import run_deadlines
from notifications import services
from notifications.kinds import APPEAL_FROM_NOTIFICATION, REQUIRED, Kind
from notifications.models import Notification, Status
from notifications.rendering import render
from tests.appeals.conftest import refused  # noqa: F401 - the Art. 34 world
from tests.notifications.samples import SAMPLES
from tests.support.worlds import appeals_college, on

D = datetime.date
FILED, DECIDED, ANNOUNCED, LATER = D(2024, 2, 10), D(2024, 2, 20), D(2024, 2, 29), D(2024, 3, 15)
LIFTING_DECIDED = D(2025, 10, 15)


class Boom(Exception):
    pass


@pytest.fixture
def world(db):
    return appeals_college()


def rows(kind):
    return list(Notification.objects.filter(kind=kind).order_by("pk"))


def register(world, *, posted_on=FILED, today=None, **kwargs):
    values = {
        "student": world.student,
        "category": "f",
        "posted_on": posted_on,
        "result": world.result,
        "facts_and_objections": "Question 3 was not marked.",
        "by": world.administration,
    }
    with on(today or posted_on):
        return appeals.appeal_register(**(values | kwargs))


def decide(world, appeal, *, outcome="new_decision", day=DECIDED, **kwargs):
    with on(day):
        return appeals.appeal_decide(
            appeal=appeal, outcome=outcome, on=day, reason="Question 3 was not marked.", by=world.committee, **kwargs
        )


def sent_body(row, day):
    with on(day):
        assert services.pending_send(notification_ids=[row.pk])[services.SENT] == 1
    (message,) = [m for m in mail.outbox if m.to == ["r1@student.example"] or m.to == ["l1@student.example"]]
    return message.subject, message.body


# --- The messages ---------------------------------------------------------------------------------
def test_only_a_rejected_refusal_lifting_runs_its_appeal_from_the_notification():
    # Art. 101 (a) appeals a rejected lifting from its notification; an appeal's own steps have no
    # further internal appeal; a corrected mark is an examination decision (f): from its publication.
    ours = {
        Kind.APPEAL_DECIDED,
        Kind.APPEAL_POSTPONED,
        Kind.APPEAL_VOID,
        Kind.REFUSAL_LIFTING_DECIDED,
        Kind.RESULT_CORRECTED,
    }
    assert ours & APPEAL_FROM_NOTIFICATION == {Kind.REFUSAL_LIFTING_DECIDED}
    for kind in ours:
        assert set(SAMPLES[kind]) == REQUIRED[kind]


@pytest.mark.parametrize(
    ("language", "subject", "fragments"),
    [
        (
            "nl",
            "Beslissing over je intern beroep A-0007",
            [
                "Op 20/02/2024 heeft de interne beroepsinstantie beslist over je intern beroep A-0007",
                "(2023-2024) (art. 101",
                "Result of C01 Chemistry",
                "Je beroep leidt tot een nieuwe beslissing",
                "Je resultaat wijzigt van 7/20 naar 12/20",
                "Motivering:\nQuestion 3 was not marked.",
                "geen intern beroep meer mogelijk",
                "Raad voor betwistingen inzake studievoortgangsbeslissingen",
            ],
        ),
        (
            "en",
            "Decision on your internal appeal A-0007",
            [
                "On 20/02/2024 the internal appeal authority decided on your internal appeal A-0007",
                "Your appeal leads to a new decision",
                "Your result changes from 7/20 to 12/20",
                "Motivation:\nQuestion 3 was not marked.",
                "Council for disputes about study progress decisions",
            ],
        ),
    ],
)
def test_a_new_decision_is_told_with_the_old_and_new_mark(language, subject, fragments):
    got_subject, body = render(Kind.APPEAL_DECIDED, language, SAMPLES[Kind.APPEAL_DECIDED], sent_on=D(2024, 2, 21))
    assert got_subject == subject
    for fragment in fragments:
        assert fragment in body
    assert "{{" not in body and "{%" not in body


@pytest.mark.parametrize(
    ("language", "fragments"),
    [
        (
            "nl",
            [
                "Je beroep is onontvankelijk.",
                "- Het is te laat ingediend: de laatste dag om in te dienen was 13/02/2024",
                "- Het vermeldt geen feiten en bezwaren.",
            ],
        ),
        (
            "en",
            [
                "Your appeal is inadmissible.",
                "- It was filed too late: the last day to file was 13/02/2024",
                "- It gives no facts and objections.",
            ],
        ),
    ],
)
def test_an_inadmissible_appeal_is_told_with_its_reasons(language, fragments):
    data = SAMPLES[Kind.APPEAL_DECIDED] | {
        "outcome": "inadmissible",
        "inadmissible_reasons": ["late", "no_facts"],
        "old_mark": "",
        "new_mark": "",
    }
    _subject, body = render(Kind.APPEAL_DECIDED, language, data, sent_on=D(2024, 2, 21))
    for fragment in fragments:
        assert fragment in body
    assert "12/20" not in body


@pytest.mark.parametrize(("language", "fragment"), [("nl", "Je beroep is ongegrond"), ("en", "unfounded")])
def test_an_unfounded_appeal_is_told(language, fragment):
    data = SAMPLES[Kind.APPEAL_DECIDED] | {"outcome": "unfounded", "old_mark": "", "new_mark": ""}
    _subject, body = render(Kind.APPEAL_DECIDED, language, data, sent_on=D(2024, 2, 21))
    assert fragment in body
    assert "onontvankelijk" not in body and "inadmissible" not in body


@pytest.mark.parametrize(
    ("language", "subject", "fragments"),
    [
        (
            "nl",
            "Je intern beroep A-0007: de beslissing volgt op een latere datum",
            [
                "Op 29/02/2024 heeft de interne beroepsinstantie meegedeeld dat ze uiterlijk op 15/03/2024 beslist",
                "Redenen:\nThe examiner is abroad until 10 March.",
                "begint pas na die datum te lopen (art. 101)",
            ],
        ),
        (
            "en",
            "Your internal appeal A-0007: the decision follows on a later date",
            [
                "On 29/02/2024 the internal appeal authority announced",
                "on 15/03/2024 at the latest",
                "Reasons:\nThe examiner is abroad until 10 March.",
                "only starts after that date (Art. 101)",
            ],
        ),
    ],
)
def test_a_later_decision_date_is_told_with_its_reasons(language, subject, fragments):
    got_subject, body = render(Kind.APPEAL_POSTPONED, language, SAMPLES[Kind.APPEAL_POSTPONED], sent_on=D(2024, 3, 1))
    assert got_subject == subject
    for fragment in fragments:
        assert fragment in body


@pytest.mark.parametrize(
    ("language", "subject", "fragments"),
    [
        (
            "nl",
            "Je intern beroep A-0007 is vervallen",
            [
                "Op 10/02/2024 heb je in afwachting van feedback",
                "uiterlijk op 15/02/2024",
                "vervallen sinds 16/02/2024",
            ],
        ),
        (
            "en",
            "Your internal appeal A-0007 is void",
            ["On 10/02/2024 you lodged", "on 15/02/2024 at the latest", "void since 16/02/2024"],
        ),
    ],
)
def test_a_void_appeal_is_told(language, subject, fragments):
    got_subject, body = render(Kind.APPEAL_VOID, language, SAMPLES[Kind.APPEAL_VOID], sent_on=D(2024, 2, 16))
    assert got_subject == subject
    for fragment in fragments:
        assert fragment in body


@pytest.mark.parametrize(
    ("language", "subject", "fragments"),
    [
        (
            "nl",
            "Beslissing over je aanvraag R-0003 tot opheffing van een weigering van inschrijving",
            [
                "Op 01/02/2024 heeft de commissie opheffing weigering beslist",
                "BA-L Bachelor in Logistics (weigering: decretale drempel (art. 30))",
                "academiejaar 2025-2026",
                "Je aanvraag is afgewezen",
                "meegedeeld op 05/02/2024",
                "uiterlijk op 12/02/2024 (art. 101 (a))",
            ],
        ),
        (
            "en",
            "Decision on your request R-0003 to lift a refusal of enrolment",
            [
                "BA-L Bachelor in Logistics (refusal: decree threshold (Art. 30))",
                "Your request is rejected",
                "notified to you on 05/02/2024",
                "on 12/02/2024 at the latest (Art. 101 (a))",
            ],
        ),
    ],
)
def test_a_rejected_lifting_is_told_with_its_appeal_from_the_notification(language, subject, fragments):
    got_subject, body = render(
        Kind.REFUSAL_LIFTING_DECIDED, language, SAMPLES[Kind.REFUSAL_LIFTING_DECIDED], sent_on=D(2024, 2, 5)
    )
    assert got_subject == subject
    for fragment in fragments:
        assert fragment in body


@pytest.mark.parametrize(
    ("language", "fragments"),
    [
        ("nl", ["Je aanvraag is toegekend", "automatisch getolereerd (art. 34): T2, T3."]),
        ("en", ["Your request is granted", "tolerated automatically (Art. 34): T2, T3."]),
    ],
)
def test_a_granted_lifting_is_told_without_an_appeal_route(language, fragments):
    data = SAMPLES[Kind.REFUSAL_LIFTING_DECIDED] | {"granted": True, "tolerated_courses": ["T2", "T3"]}
    _subject, body = render(Kind.REFUSAL_LIFTING_DECIDED, language, data, sent_on=D(2024, 2, 5))
    for fragment in fragments:
        assert fragment in body
    assert "12/02/2024" not in body


@pytest.mark.parametrize(
    ("language", "subject", "fragments"),
    [
        (
            "nl",
            "Gecorrigeerd examenresultaat voor C01 Chemistry",
            [
                "Op 09/02/2024 is een administratieve of materiële fout",
                "(examenperiode 1, examenkans 1, 2023-2024)",
                "Je resultaat is nu 12/20 in plaats van 7/20.",
                "Reden:\nTyping error.",
                "nieuwe examenbeslissing",
                "uiterlijk op 16/02/2024 (art. 101)",
            ],
        ),
        (
            "en",
            "Corrected exam result for C01 Chemistry",
            [
                "(exam period 1, exam opportunity 1, 2023-2024)",
                "Your result is now 12/20 instead of 7/20.",
                "new examination decision",
                "on 16/02/2024 at the latest (Art. 101)",
            ],
        ),
    ],
)
def test_a_correction_is_told_with_its_appeal_from_the_correction_day(language, subject, fragments):
    # Corrected on 9 February, sent on 12 February: the appeal runs from the correction (9 + 7 = 16).
    got_subject, body = render(Kind.RESULT_CORRECTED, language, SAMPLES[Kind.RESULT_CORRECTED], sent_on=D(2024, 2, 12))
    assert got_subject == subject
    for fragment in fragments:
        assert fragment in body


def test_a_pass_fail_correction_is_told_in_words():
    data = SAMPLES[Kind.RESULT_CORRECTED] | {"old_mark": "F", "new_mark": "P"}
    _subject, body = render(Kind.RESULT_CORRECTED, "nl", data, sent_on=D(2024, 2, 12))
    assert "Je resultaat is nu geslaagd in plaats van niet geslaagd." in body


# --- Appeal decisions (Art. 101) ------------------------------------------------------------------
def test_an_appeal_decision_is_written_with_it_and_sent(world):
    appeal = register(world)
    decide(world, appeal, mark=12)
    (row,) = rows(Kind.APPEAL_DECIDED)
    assert (row.student_id, row.object_label, row.object_id, row.decided_on) == (
        world.student.pk,
        "appeals.Appeal",
        appeal.pk,
        D(2024, 2, 20),
    )
    decision = row.data.pop("decision")
    assert "C01" in decision and "7" in decision  # the decision appealed, with the mark appealed
    assert row.data == {
        "reference": appeal.reference,
        "academic_year": "2023-2024",
        "outcome": "new_decision",
        "inadmissible_reasons": [],
        "filing_last_on": "2024-02-13",
        "old_mark": "7",
        "new_mark": "12",
        "motivation": "Question 3 was not marked.",
        "decided_on": "2024-02-20",
    }
    subject, body = sent_body(row, D(2024, 2, 21))
    assert subject == f"Beslissing over je intern beroep {appeal.reference}"
    assert "Je resultaat wijzigt van 7/20 naar 12/20" in body
    row.refresh_from_db()
    assert row.status == Status.SENT


def test_an_appeal_is_decided_and_told_once(world):
    appeal = register(world)
    decide(world, appeal, outcome="unfounded")
    with pytest.raises(appeals.Refused):
        decide(world, appeal, outcome="unfounded", day=D(2024, 2, 21))
    assert len(rows(Kind.APPEAL_DECIDED)) == 1


def test_a_late_appeal_is_told_inadmissible_with_the_last_day_to_file(world):
    appeal = register(world, posted_on=D(2024, 2, 14))
    decide(world, appeal, outcome="inadmissible")
    (row,) = rows(Kind.APPEAL_DECIDED)
    assert (row.data["outcome"], row.data["inadmissible_reasons"], row.data["old_mark"]) == (
        "inadmissible",
        ["late"],
        "",
    )
    _subject, body = sent_body(row, D(2024, 2, 20))
    assert "de laatste dag om in te dienen was 13/02/2024" in body


def test_the_decision_appealed_is_described_in_the_students_language(world):
    world.student.language = "en"
    world.student.save()
    decide(world, register(world), outcome="unfounded")
    (row,) = rows(Kind.APPEAL_DECIDED)
    assert row.language == "en"
    assert row.data["decision"].startswith("Result of C01")


def test_an_appeal_decision_that_rolls_back_tells_nothing(world):
    appeal = register(world)
    with pytest.raises(Boom), transaction.atomic():
        decide(world, appeal, mark=12)
        raise Boom
    assert Appeal.objects.get(pk=appeal.pk).status == "open"
    assert rows(Kind.APPEAL_DECIDED) == []


def test_an_appeal_decided_before_going_live_is_not_told(settings, world):
    settings.NOTIFICATIONS_GO_LIVE = D(2024, 3, 1)
    decide(world, register(world), outcome="unfounded")
    assert rows(Kind.APPEAL_DECIDED) == []


# --- A later decision date (Art. 101) -------------------------------------------------------------
def postpone(world, appeal, *, later_on=LATER, announced_on=ANNOUNCED):
    with on(announced_on):
        return appeals.appeal_postpone(
            appeal=appeal,
            announced_on=announced_on,
            later_on=later_on,
            reasons="The examiner is abroad until 10 March.",
            by=world.administration,
        )


def test_a_later_decision_date_is_told_once(world):
    appeal = register(world)
    postpone(world, appeal)
    postpone(world, appeal)  # the same announcement recorded again
    (row,) = rows(Kind.APPEAL_POSTPONED)
    assert (row.student_id, row.object_label, row.object_id, row.decided_on) == (
        world.student.pk,
        "appeals.Appeal",
        appeal.pk,
        D(2024, 2, 29),
    )
    assert {key: row.data[key] for key in ("reference", "later_on", "reasons", "announced_on", "academic_year")} == {
        "reference": appeal.reference,
        "later_on": "2024-03-15",
        "reasons": "The examiner is abroad until 10 March.",
        "announced_on": "2024-02-29",
        "academic_year": "2023-2024",
    }
    subject, body = sent_body(row, D(2024, 2, 29))
    assert subject == f"Je intern beroep {appeal.reference}: de beslissing volgt op een latere datum"
    assert "uiterlijk op 15/03/2024" in body
    postpone(world, appeal, later_on=D(2024, 3, 20))  # a new date is told again
    assert len(rows(Kind.APPEAL_POSTPONED)) == 2


def test_a_later_date_that_rolls_back_or_before_going_live_tells_nothing(settings, world):
    appeal = register(world)
    with pytest.raises(Boom), transaction.atomic():
        postpone(world, appeal)
        raise Boom
    assert rows(Kind.APPEAL_POSTPONED) == []
    settings.NOTIFICATIONS_GO_LIVE = D(2024, 3, 1)
    postpone(world, appeal)
    assert rows(Kind.APPEAL_POSTPONED) == []


# --- A void appeal (Art. 101) ---------------------------------------------------------------------
def clocks(day):
    with on(day):
        run_deadlines(today=day)


def test_an_appeal_not_elaborated_in_time_is_told_void_once(world):
    appeal = register(world, pending_feedback=True, facts_and_objections="")
    clocks(D(2024, 2, 15))
    assert rows(Kind.APPEAL_VOID) == []  # the fifth day: still in time
    clocks(D(2024, 2, 16))
    clocks(D(2024, 2, 18))
    (row,) = rows(Kind.APPEAL_VOID)
    assert (row.student_id, row.object_label, row.object_id, row.decided_on) == (
        world.student.pk,
        "appeals.Appeal",
        appeal.pk,
        D(2024, 2, 16),
    )
    assert {key: row.data[key] for key in ("posted_on", "elaboration_last_on", "voided_on", "academic_year")} == {
        "posted_on": "2024-02-10",
        "elaboration_last_on": "2024-02-15",
        "voided_on": "2024-02-16",
        "academic_year": "2023-2024",
    }
    subject, body = sent_body(row, D(2024, 2, 18))
    assert subject == f"Je intern beroep {appeal.reference} is vervallen"
    assert "vervallen sinds 16/02/2024" in body


def test_an_appeal_registered_after_its_void_day_is_told_void_once(world):
    register(world, pending_feedback=True, facts_and_objections="", today=D(2024, 2, 19))
    clocks(D(2024, 2, 20))
    assert [row.decided_on for row in rows(Kind.APPEAL_VOID)] == [D(2024, 2, 16)]


def test_a_void_that_rolls_back_or_before_going_live_tells_nothing(settings, world):
    appeal = register(world, pending_feedback=True, facts_and_objections="")
    with pytest.raises(Boom), transaction.atomic():
        clocks(D(2024, 2, 16))
        raise Boom
    assert rows(Kind.APPEAL_VOID) == []
    settings.NOTIFICATIONS_GO_LIVE = D(2024, 3, 1)
    clocks(D(2024, 2, 16))
    assert Appeal.objects.get(pk=appeal.pk).status == "void"
    assert rows(Kind.APPEAL_VOID) == []


# --- Refusal lifting (Art. 34, 101 a) -------------------------------------------------------------
def lifting_decide(refused, *, granted, day=LIFTING_DECIDED):  # noqa: F811
    refused["student"].email = "l1@student.example"
    refused["student"].save()
    with on(D(2025, 10, 10)):
        request = appeals.refusal_lifting_request_register(
            measure=refused["measure"], submitted_on=D(2025, 10, 10), grounds="Illness.", by=refused["office"]
        )
    with on(day):
        return appeals.refusal_lifting_decide(
            request=request, granted=granted, on=day, reason="Decided.", by=refused["office"]
        )


def test_a_rejected_lifting_is_told_and_its_appeal_runs_from_the_sent_day(refused):  # noqa: F811
    request = lifting_decide(refused, granted=False)
    (row,) = rows(Kind.REFUSAL_LIFTING_DECIDED)
    assert (row.student_id, row.object_label, row.object_id, row.decided_on) == (
        refused["student"].pk,
        "appeals.RefusalLiftingRequest",
        request.pk,
        D(2025, 10, 15),
    )
    assert row.data == {
        "reference": request.reference,
        "measure": "threshold_refusal",
        "programme": f"BA-L {refused['measure'].programme.name}",
        "academic_year": "2025-2026",
        "granted": False,
        "tolerated_courses": [],
        "motivation": "Decided.",
        "decided_on": "2025-10-15",
    }
    _subject, body = sent_body(row, D(2025, 10, 16))
    assert "uiterlijk op 23/10/2025 (art. 101 (a))" in body  # sent 16 October + 7 days
    with on(D(2025, 10, 16)), pytest.raises(appeals.Refused, match="decided already"):
        appeals.refusal_lifting_decide(request=request, granted=True, on=D(2025, 10, 16), reason="x", by=None)
    assert len(rows(Kind.REFUSAL_LIFTING_DECIDED)) == 1


def test_a_granted_lifting_is_told_with_the_tolerances_applied(refused):  # noqa: F811
    lifting_decide(refused, granted=True, day=D(2025, 10, 20))
    (row,) = rows(Kind.REFUSAL_LIFTING_DECIDED)
    assert (row.data["granted"], row.data["tolerated_courses"]) == (True, ["T2", "T3"])


def test_a_lifting_that_rolls_back_or_before_going_live_tells_nothing(settings, refused):  # noqa: F811
    with pytest.raises(Boom), transaction.atomic():
        lifting_decide(refused, granted=False)
        raise Boom
    assert rows(Kind.REFUSAL_LIFTING_DECIDED) == [] and not RefusalLiftingRequest.objects.exists()
    settings.NOTIFICATIONS_GO_LIVE = D(2026, 1, 1)
    lifting_decide(refused, granted=False)
    assert rows(Kind.REFUSAL_LIFTING_DECIDED) == []


# --- Corrections (Art. 93, 102) -------------------------------------------------------------------
def correct(world, mark, day):
    with on(day):
        return appeals.result_correct(
            result=world.result, mark=mark, on=day, reason="Typing error.", by=world.committee
        )


def test_a_corrected_mark_is_told_and_its_appeal_runs_from_the_correction(world):
    correction = correct(world, 12, D(2024, 2, 20))
    (row,) = rows(Kind.RESULT_CORRECTED)
    assert (row.student_id, row.object_label, row.object_id, row.decided_on) == (
        world.student.pk,
        "appeals.Correction",
        correction.pk,
        D(2024, 2, 20),
    )
    assert row.data == {
        "course": "C01 Course C01",
        "exam_period": 1,
        "opportunity": 1,
        "academic_year": "2023-2024",
        "old_mark": "7",
        "new_mark": "12",
        "reason": "Typing error.",
        "decided_on": "2024-02-20",
    }
    subject, body = sent_body(row, D(2024, 2, 23))
    assert subject == "Gecorrigeerd examenresultaat voor C01 Course C01"
    assert "Je resultaat is nu 12/20 in plaats van 7/20." in body
    assert "uiterlijk op 27/02/2024 (art. 101)" in body  # 20 February + 7 days, whenever it is sent


def test_each_correction_is_told_once(world):
    correct(world, 12, D(2024, 2, 20))
    with pytest.raises(appeals.Refused, match="nothing to correct"):
        correct(world, 12, D(2024, 2, 21))
    correct(world, 13, D(2024, 2, 22))
    assert [row.data["new_mark"] for row in rows(Kind.RESULT_CORRECTED)] == ["12", "13"]


def test_a_correction_that_rolls_back_or_before_going_live_tells_nothing(settings, world):
    with pytest.raises(Boom), transaction.atomic():
        correct(world, 12, D(2024, 2, 20))
        raise Boom
    assert rows(Kind.RESULT_CORRECTED) == [] and not Correction.objects.exists()
    settings.NOTIFICATIONS_GO_LIVE = D(2024, 3, 1)
    correct(world, 12, D(2024, 2, 20))
    assert rows(Kind.RESULT_CORRECTED) == []


def test_another_administrative_correction_is_only_registered(world):
    with on(D(2024, 3, 1)):
        appeals.correction_record(
            student=world.student,
            subject="Exemption credits",
            decision_on=D(2024, 2, 1),
            on=D(2024, 3, 1),
            in_favour=True,
            reason="Wrong number of credits typed.",
            by=world.administration,
        )
    assert rows(Kind.RESULT_CORRECTED) == []
