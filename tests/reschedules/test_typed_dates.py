"""The dates typed in the ombudsperson's forms lie in the exam period's academic year or a
neighbour, and not more than a year after today (core.validators): a reschedule request with
requested_on 0001-01-01 was stored. 0001-01-01 and a date two years ahead get a field error
naming the range, and nothing is stored."""

import datetime

import pytest
from django.urls import reverse

from reschedules import services as ombuds
from reschedules.models import RescheduleRequest
from tests.reschedules.ombuds_world import add_ombuds_world, log

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)
# 2026-2027 runs from 18 September 2026 (tests.support.factories): the year before starts on
# 18 September 2025; a year after today is 23 November 2027.
YEAR_2026 = "Give a date from 18/09/2025 to 23/11/2027."
BAD = ["0001-01-01", "2028-11-23"]


@pytest.fixture
def world(coach_world, on_coach_day):
    return add_ombuds_world(coach_world)


def snapshot():
    return list(RescheduleRequest.objects.order_by("pk").values()), RescheduleRequest.history.count()


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("field", ["requested_on", "evidence_received_on"])
def test_logging_a_request(client, world, bad, field):
    client.force_login(world.ombudsperson)
    data = {
        "kind": "force_majeure",
        "course": world.courses["A101"].pk,
        "exam_period": world.periods[1].pk,
        "requested_on": "2026-11-23",
        "reason": "Surgery",
        "evidence": "hospital letter",
        "evidence_received_on": "2026-11-23",
        field: bad,
    }
    before = snapshot()
    response = client.post(reverse("exams:request_create", kwargs={"number": world.student.number}), data)
    assert response.status_code == 422
    ahead = field == "requested_on" and bad > "2026-11-23"  # a request comes in by today (the form's own check)
    expected = "A request cannot be logged ahead of today (23/11/2026)." if ahead else YEAR_2026
    assert response.context["form"].errors[field] == [expected]
    assert snapshot() == before


@pytest.mark.parametrize("bad", BAD)
def test_deciding_a_request(client, world, bad):
    request = log(world)
    client.force_login(world.ombudsperson)
    before = snapshot()
    response = client.post(
        reverse("exams:request_decide", kwargs={"pk": request.pk}),
        {"accepted": "yes", "reason": "certificate", "new_on": bad, "new_starts_at": "13:30", "new_room": "B.201"},
    )
    assert response.status_code == 422
    assert response.context["decision_form"].errors["new_on"] == [YEAR_2026]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("requested_on", datetime.date(1, 1, 1)),
        ("evidence_received_on", datetime.date(1, 1, 1)),
        ("evidence_received_on", datetime.date(9999, 12, 31)),
    ],
)
def test_the_service_refuses_a_date_it_cannot_reckon_with(world, field, bad):
    before = snapshot()
    with pytest.raises(ombuds.RequestRefused) as raised:
        log(world, **({"on": bad} if field == "requested_on" else {"evidence_received_on": bad}))
    assert raised.value.messages == ["Give a date from 01/01/1950 to 23/11/2027."]
    assert snapshot() == before
