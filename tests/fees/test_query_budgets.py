"""Issue 19 §2: the open balances list reads in at most 15 queries, and as many with more
students owing a fee as with a few (``coach_world``: r0000001 in BA-A, r0000002 in BA-B)."""

import datetime

import pytest
from django.urls import reverse

from fees.models import Reason
from fees.services import fees_recalculate
from tests.support.factories import EnrolmentFactory, ISPLineFactory

pytestmark = pytest.mark.django_db

BUDGET = 15  # issue 19: every other page


def test_the_open_balances(client, coach_world, on_coach_day, django_assert_max_num_queries, django_assert_num_queries):
    world = coach_world
    client.force_login(world.administration)
    url = reverse("fees:open_balances")
    with django_assert_max_num_queries(BUDGET) as first:
        assert client.get(url).status_code == 200
    for n in range(3, 15):
        programme = world.programme if n % 2 else world.other_programme
        enrolment = EnrolmentFactory(
            programme=programme,
            academic_year=world.year,
            enrolled_on=datetime.date(2026, 9, 20),
            student__number=f"r{n:07d}",
            grant_status="scholarship" if n % 3 == 0 else "none",
        )
        ISPLineFactory(enrolment=enrolment, course=world.courses["A101"] if n % 2 else world.other_course)
        fees_recalculate(
            student=enrolment.student, academic_year=world.year, on=datetime.date(2026, 11, 23), reason=Reason.ENROLMENT
        )
    with django_assert_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) >= 14
