"""Every date typed in the appeal register's forms lies in the academic year it belongs to or
a neighbour, and not more than a year after today (core.validators): 0001-01-01 and a date two
years ahead get a field error naming the range, and nothing is stored. Refusal-lifting request
of 0001-01-01 was a 500 ("year 0 is out of range"), appeals and corrections of 0001-01-01 were
stored, a later decision date of 9999-12-31 made the decision a 500."""

import datetime as dt

import pytest
from django.urls import reverse

from appeals import services
from appeals.models import Appeal, Correction, RefusalLiftingRequest
from students.models import Measure
from tests.support.worlds import on

D = dt.date
TODAY = D(2024, 2, 12)
# 2023-2024 runs from 18 September 2023 to 15 September 2024 (tests.support.factories): the
# year before it starts on 18 September 2022; a year after today is 12 February 2025.
YEAR_2023 = "Give a date from 18/09/2022 to 12/02/2025."
BAD = ["0001-01-01", "2026-02-12"]  # two years ahead


def stored():
    return (
        list(Appeal.objects.order_by("pk").values()),
        list(Correction.objects.values()),
        list(RefusalLiftingRequest.objects.order_by("pk").values()),
    )


def post(client, url, data, field, message):
    before = stored()
    with on(TODAY):
        response = client.post(url, data)
    assert response.status_code == 422
    assert response.context["form"].errors[field] == [message]
    assert message in response.content.decode()
    assert stored() == before


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("field", ["posted_on", "decision_on"])
def test_registering_an_appeal(client, college, bad, field):
    client.force_login(college.administration)
    data = {
        "student": "R1",
        "category": "d",
        "decision_text": "Exemption refused",
        "decision_on": "2024-02-08",
        "posted_on": "2024-02-12",
        "facts_and_objections": "x",
    }
    post(client, reverse("appeals:appeal_create"), {**data, field: bad}, field, YEAR_2023)


@pytest.fixture
def appeal(college):
    with on(TODAY):
        return services.appeal_register(
            student=college.student,
            category="f",
            posted_on=TODAY,
            result=college.result,
            facts_and_objections="x",
            pending_feedback=True,
            by=college.admin,
        )


FORMS = {"appeal_elaborate": "elaboration_form", "appeal_postpone": "postpone_form", "appeal_decide": "decision_form"}


def _detail_post(client, appeal, name, data, field):
    before = stored()
    with on(TODAY):
        response = client.post(reverse(f"appeals:{name}", args=[appeal.pk]), data)
    assert response.status_code == 422
    assert YEAR_2023 in response.content.decode()
    assert response.context[FORMS[name]].errors[field] == [YEAR_2023]
    assert stored() == before


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("appeal_elaborate", {"on": "@", "facts_and_objections": "Part B."}, "on"),
        ("appeal_postpone", {"announced_on": "@", "later_on": "2024-03-10", "reasons": "x"}, "announced_on"),
        ("appeal_postpone", {"announced_on": "2024-02-12", "later_on": "@", "reasons": "x"}, "later_on"),
        ("appeal_decide", {"outcome": "unfounded", "on": "@", "reason": "x"}, "on"),
    ],
)
def test_the_forms_of_an_appeals_page(client, college, appeal, bad, name, data, field):
    client.force_login(college.admin)
    _detail_post(client, appeal, name, {k: bad if v == "@" else v for k, v in data.items()}, field)


def test_a_later_decision_date_of_9999_no_longer_breaks_the_decision(client, college, appeal):
    client.force_login(college.admin)
    _detail_post(
        client,
        appeal,
        "appeal_postpone",
        {"announced_on": "2024-02-12", "later_on": "9999-12-31", "reasons": "x"},
        "later_on",
    )
    with on(TODAY):
        response = client.post(
            reverse("appeals:appeal_decide", args=[appeal.pk]),
            {"outcome": "unfounded", "on": "2024-02-12", "reason": "x"},
        )
    assert response.status_code in (302, 422)


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"result": "@result", "mark": "12", "on": "@", "reason": "Typo."}, "on"),
        (
            {"subject": "Exemption", "decision_on": "@", "in_favour": "yes", "on": "2024-02-12", "reason": "x"},
            "decision_on",
        ),
    ],
)
def test_a_correction(client, college, bad, data, field):
    client.force_login(college.admin)
    values = {"student": "R1", **{k: bad if v == "@" else v for k, v in data.items()}}
    if values.get("result") == "@result":
        values["result"] = str(college.result.pk)
    post(client, reverse("appeals:correction_create"), values, field, YEAR_2023)


# --- Refusal lifting: the academic year of the refusal -------------------------------------------
@pytest.fixture
def refusal(college):
    return Measure.objects.create(
        student=college.student,
        kind="learning_account_refusal",
        programme=college.programme,
        from_year_code="2024-2025",
        until_year_code="2024-2025",
        decided_on=D(2024, 9, 15),
        decided_in=college.year,
    )


# 2024-2025 has no calendar in this college: 1 September 2024 to 31 August 2025; the year before
# starts on 1 September 2023; a year after today (1 October 2024) is 1 October 2025.
YEAR_2024 = "Give a date from 01/09/2023 to 01/10/2025."


@pytest.mark.parametrize("bad", ["0001-01-01", "2026-10-01"])
def test_a_refusal_lifting_request(client, college, refusal, bad):
    client.force_login(college.administration)
    before = stored()
    with on(D(2024, 10, 1)):
        response = client.post(
            reverse("appeals:lifting_create"),
            {"student": "R1", "measure": refusal.pk, "submitted_on": bad, "grounds": "Illness."},
        )
    assert response.status_code == 422
    assert response.context["form"].errors["submitted_on"] == [YEAR_2024]
    assert stored() == before


@pytest.mark.parametrize("bad", ["0001-01-01", "2026-10-01"])
def test_a_refusal_lifting_decision(client, college, refusal, bad):
    with on(D(2024, 10, 1)):
        request = services.refusal_lifting_request_register(
            measure=refusal, submitted_on=D(2024, 10, 1), grounds="Illness.", by=college.admin
        )
    client.force_login(college.administration)
    before = stored()
    with on(D(2024, 10, 1)):
        response = client.post(
            reverse("appeals:lifting_decide", args=[request.pk]), {"granted": "no", "on": bad, "reason": "x"}
        )
    assert response.status_code == 422
    assert response.context["form"].errors["on"] == [YEAR_2024]
    assert stored() == before


# --- The services refuse what the forms would (a direct call, a command) ------------------------
@pytest.mark.parametrize("bad", [D(1, 1, 1), D(1949, 12, 31), D(9999, 12, 31)])
def test_the_services_refuse_a_date_they_cannot_reckon_with(college, refusal, bad):
    before = stored()
    calls = [
        lambda: services.refusal_lifting_request_register(
            measure=refusal, submitted_on=bad, grounds="x", by=college.admin, today=TODAY
        ),
        lambda: services.appeal_register(
            student=college.student,
            category="d",
            decision_text="x",
            decision_on=bad,
            posted_on=TODAY,
            by=college.admin,
            today=TODAY,
        ),
        lambda: services.correction_record(
            student=college.student,
            subject="x",
            decision_on=bad,
            on=TODAY,
            in_favour=True,
            reason="x",
            by=college.admin,
            today=TODAY,
        ),
        lambda: services.result_correct(
            result=college.result, mark=12, on=bad, reason="x", by=college.admin, today=TODAY
        ),
    ]
    for call in calls:
        with pytest.raises(services.Refused) as raised:
            call()
        assert "must lie from 01/01/1950 to 12/02/2025" in raised.value.messages[0] or "future" in str(
            raised.value.messages[0]
        )
    assert stored() == before
