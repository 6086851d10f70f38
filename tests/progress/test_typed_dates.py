"""The date of a request to retake a tolerated course (Art. 90 §3), typed in the ISP editor,
lies in the enrolment's academic year or a neighbour, and not after a year after today
(core.validators): 0001-01-01 and a date two years ahead get a field error, nothing stored."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from progress import services

pytestmark = pytest.mark.django_db

# 2024-2025 runs from 18 September 2024 to 15 September 2025 (tests.support.factories): the
# year before starts on 18 September 2023; today is 1 October 2024, a year after it 1 October 2025.
YEAR_2024 = "Give a date from 18/09/2023 to 01/10/2025."


@pytest.mark.parametrize("bad", ["0001-01-01", "2026-10-01"])
def test_the_request_to_retake_a_tolerated_course(client, tolerated_retake_world, bad):
    world = tolerated_retake_world
    client.force_login(world.coach)
    with time_machine.travel(datetime.datetime(2024, 10, 1, 12, 0), tick=False):
        response = client.post(
            reverse("students:isp_tolerated_retake", kwargs={"pk": world.enrolment.pk}),
            {"course": world.courses["R5"].pk, "requested_on": bad, "version": 1},
        )
    assert response.status_code == 422
    assert response.context["tolerated_retake_form"].errors["requested_on"] == [YEAR_2024]
    assert not world.enrolment.tolerated_retakes.exists()


def test_the_service_refuses_a_date_before_1950(tolerated_retake_world):
    world = tolerated_retake_world
    with time_machine.travel(datetime.datetime(2024, 10, 1, 12, 0), tick=False), pytest.raises(services.ISPRefused):
        services.tolerated_retake_approve(
            enrolment=world.enrolment,
            course=world.courses["R5"],
            requested_on=datetime.date(1, 1, 1),
            expected_version=1,
            by=world.coach,
            today=datetime.date(2024, 10, 1),
        )
    assert not world.enrolment.tolerated_retakes.exists()
