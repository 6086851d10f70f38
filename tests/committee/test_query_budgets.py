"""Issue 19 §2: every committee page reads in at most 15 queries, and as many with more rows of
the kind it lists (deliberations, decisions, students, hearings) as with a few.

The world (``committee_world``): Education's deliberation on January 2024, six students S1-S6 of
BA-E with marks in E1-E3, the chair Cato (user ``chair``)."""

import datetime

import pytest
from django.urls import reverse

from committee import services
from committee.models import Deliberation
from programmes.models import ExamPeriod
from tests.committee.test_inventory import more_students
from tests.committee.test_report import held
from tests.support.budgets import PAGE_BUDGET, same_again, within_budget
from tests.support.worlds import on

BUDGET = PAGE_BUDGET
MEETING = datetime.date(2024, 2, 1)


@pytest.fixture
def world(committee_world):
    with on(MEETING):
        yield committee_world


def more_decisions(world, numbers):
    """A student's hearing and a level awarded after a vote for each of ``numbers`` (1-6)."""
    for n in numbers:
        student = world.students[n - 1]
        services.hearing_record(
            deliberation=world.deliberation,
            kind="student",
            student=student,
            heard=f"Student{n}",
            held_on=MEETING,
            present="Cato Chair",
        )
        decision = services.decision_record(
            deliberation=world.deliberation,
            student=student,
            kind="level_awarded",
            level="cum_laude",
            reason="Within one point.",
            vote_requested_by=world.member_mo,
        )
        services.votes_record(decision=decision, ballots={world.chair: "for", world.secretary: "for"})
        services.recusal_record(
            deliberation=world.deliberation, member=world.member_noor, student=student, ground="relative"
        )


def test_the_home(client, world, django_assert_max_num_queries, django_assert_num_queries):
    held(world)
    client.force_login(world.chair_user)
    url = reverse("committee:home")
    first = within_budget(client, url, django_assert_max_num_queries)
    for committee in (world.education, world.technology):
        for period in ExamPeriod.objects.filter(academic_year=world.year):
            Deliberation.objects.get_or_create(
                committee=committee, exam_period=period, defaults={"meets_on": MEETING, "place": "Room B"}
            )
    response = same_again(client, url, first, django_assert_num_queries)
    assert sum(len(items) for _key, _label, items in response.context["groups"]) > 1


def test_the_deliberation(client, world, django_assert_max_num_queries, django_assert_num_queries):
    held(world, close=False)
    client.force_login(world.chair_user)
    url = reverse("committee:deliberation", args=[world.deliberation.pk])
    first = within_budget(client, url, django_assert_max_num_queries)
    more_decisions(world, (2, 3, 4, 6))
    response = same_again(client, url, first, django_assert_num_queries)
    assert len(response.context["decisions"]) == 6


def the_inventory(client, world, budget, django_assert_max_num_queries, django_assert_num_queries):
    held(world, close=False)
    client.force_login(world.chair_user)
    url = reverse("committee:inventory", args=[world.deliberation.pk]) + "?profiles=1"
    first = within_budget(client, url, django_assert_max_num_queries, budget)
    more_students(world, 12, 100)
    more_decisions(world, (2, 3))
    response = same_again(client, url, first, django_assert_num_queries)
    assert response.context["examined"].count == 6 + 12


def the_students(client, world, budget, django_assert_max_num_queries, django_assert_num_queries):
    held(world, close=False)
    client.force_login(world.chair_user)
    url = reverse("committee:students", args=[world.deliberation.pk]) + "?show=all"
    first = within_budget(client, url, django_assert_max_num_queries, budget)
    more_students(world, 12, 100)
    more_decisions(world, (2, 3))
    response = same_again(client, url, first, django_assert_num_queries)
    assert len(response.context["rows"]) == 6 + 12


def the_students_page(client, world, budget, django_assert_max_num_queries, django_assert_num_queries):
    held(world, close=False)
    client.force_login(world.chair_user)
    url = reverse("committee:student", args=[world.deliberation.pk, "s0000005"])
    first = within_budget(client, url, django_assert_max_num_queries, budget)
    more_students(world, 12, 100)
    more_decisions(world, (5, 2))
    services.hearing_record(
        deliberation=world.deliberation,
        kind="examiner",
        student=world.students[4],
        course=world.courses["E1"],
        heard="Els Examiner",
        held_on=MEETING,
        present="Cato Chair",
    )
    same_again(client, url, first, django_assert_num_queries)


def test_the_inventory_reads_as_many_queries_with_more_students(
    client, world, django_assert_max_num_queries, django_assert_num_queries
):
    the_inventory(client, world, None, django_assert_max_num_queries, django_assert_num_queries)


def test_the_inventory(client, world, django_assert_max_num_queries, django_assert_num_queries):
    the_inventory(client, world, BUDGET, django_assert_max_num_queries, django_assert_num_queries)


def test_the_students_list(client, world, django_assert_max_num_queries, django_assert_num_queries):
    the_students(client, world, BUDGET, django_assert_max_num_queries, django_assert_num_queries)


def test_the_students_page_reads_as_many_queries_with_more_rows(
    client, world, django_assert_max_num_queries, django_assert_num_queries
):
    the_students_page(client, world, None, django_assert_max_num_queries, django_assert_num_queries)


def test_the_students_page(client, world, django_assert_max_num_queries, django_assert_num_queries):
    the_students_page(client, world, BUDGET, django_assert_max_num_queries, django_assert_num_queries)


def test_the_report(client, world, django_assert_max_num_queries, django_assert_num_queries):
    held(world, close=False)
    client.force_login(world.chair_user)
    url = reverse("committee:report", args=[world.deliberation.pk])
    first = within_budget(client, url, django_assert_max_num_queries)
    more_decisions(world, (2, 3, 4, 6))
    page = same_again(client, url, first, django_assert_num_queries).content.decode()
    assert page.count("Within one point.") == 4
