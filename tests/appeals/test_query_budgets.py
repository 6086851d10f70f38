"""Issue 19 §2: the register, an appeal's page, the refusal-lifting requests and the corrections
read in at most 15 queries, and as many with more rows of the kind they list as with a few
(the college of tests/appeals/conftest.py: R1 failed C01 with 7, published 6 February 2024)."""

import datetime as dt

from django.urls import reverse

from appeals import services
from students.models import Measure
from tests.appeals.test_views import register
from tests.support.budgets import PAGE_BUDGET, same_again, within_budget
from tests.support.factories import EnrolmentFactory, StudentFactory
from tests.support.worlds import on

D = dt.date
BUDGET = PAGE_BUDGET


def other_student(college, number):
    student = StudentFactory(number=number)
    EnrolmentFactory(student=student, academic_year=college.year, programme=college.programme)
    return student


def test_the_register(client, college, django_assert_max_num_queries, django_assert_num_queries):
    client.force_login(college.administration)
    register(college, posted_on=D(2024, 2, 7))
    register(college, category="d", result=None, decision_text="Exemption refused", decision_on=D(2024, 2, 1))
    url = reverse("appeals:register")
    with on(D(2024, 2, 27)):
        first = within_budget(client, url, django_assert_max_num_queries)
    decided = register(college, posted_on=D(2024, 2, 14))
    with on(D(2024, 2, 27)):
        services.appeal_decide(
            appeal=decided, outcome="inadmissible", on=D(2024, 2, 27), reason="Late.", by=college.admin
        )
    for day in range(12):
        student = other_student(college, f"R{day + 10}")
        register(
            college,
            student=student,
            category="d",
            result=None,
            decision_text="Exemption refused",
            decision_on=D(2024, 2, 1),
            posted_on=D(2024, 2, 7) + dt.timedelta(days=day),
        )
    with on(D(2024, 2, 27)):
        response = same_again(client, url, first, django_assert_num_queries)
    assert len(response.context["rows"]) >= 15


def test_an_appeal(client, college, django_assert_max_num_queries, django_assert_num_queries):
    client.force_login(college.administration)
    appeal = register(college, posted_on=D(2024, 2, 7))
    register(college, category="d", result=None, decision_text="Exemption refused", decision_on=D(2024, 2, 1))
    url = reverse("appeals:appeal_detail", args=[appeal.pk])
    with on(D(2024, 2, 12)):
        first = within_budget(client, url, django_assert_max_num_queries)
    for day in range(5):
        register(
            college,
            category="d",
            result=None,
            decision_text=f"Exemption refused {day}",
            decision_on=D(2024, 2, 1),
            posted_on=D(2024, 2, 8) + dt.timedelta(days=day),
        )
    with on(D(2024, 2, 12)):
        services.appeal_postpone(
            appeal=appeal, announced_on=D(2024, 2, 12), later_on=D(2024, 3, 5), reasons="Hearing.", by=college.admin
        )
        response = same_again(client, url, first, django_assert_num_queries)
    assert len(response.context["others"]) == 6


def refusal(student, programme, year):
    return Measure.objects.create(
        student=student,
        kind="learning_account_refusal",
        programme=programme,
        from_year_code="2024-2025",
        until_year_code="2024-2025",
        decided_on=D(2024, 9, 15),
        decided_in=year,
    )


def lifting_request(college, student):
    return services.refusal_lifting_request_register(
        measure=refusal(student, college.programme, college.year),
        submitted_on=D(2024, 10, 1),
        grounds="Illness.",
        by=college.administration,
    )


def test_the_lifting_requests(client, college, django_assert_max_num_queries, django_assert_num_queries):
    client.force_login(college.administration)
    url = reverse("appeals:lifting_list") + "?status="
    with on(D(2024, 10, 6)):
        lifting_request(college, college.student)
        first = within_budget(client, url, django_assert_max_num_queries)
        for n in range(8):
            request = lifting_request(college, other_student(college, f"L{n + 10}"))
            if n % 2:
                services.refusal_lifting_decide(
                    request=request, granted=False, on=D(2024, 10, 6), reason="Not exceptional.", by=college.admin
                )
        response = same_again(client, url, first, django_assert_num_queries)
    assert len(response.context["page"].object_list) == 9


def correction(college, student, n):
    return services.correction_record(
        student=student,
        subject=f"Exemption {n}",
        decision_on=D(2024, 2, 1),
        on=D(2024, 2, 12),
        in_favour=True,
        reason="Typo.",
        by=college.administration,
    )


def test_the_corrections(client, college, django_assert_max_num_queries, django_assert_num_queries):
    client.force_login(college.administration)
    url = reverse("appeals:correction_list")
    with on(D(2024, 2, 13)):
        correction(college, college.student, 0)
        first = within_budget(client, url, django_assert_max_num_queries)
        for n in range(8):
            correction(college, other_student(college, f"K{n + 10}"), n + 1)
        services.result_correct(result=college.result, mark=12, on=D(2024, 2, 12), reason="Typo.", by=college.committee)
        response = same_again(client, url, first, django_assert_num_queries)
    assert response.content.decode().count("Typo.") == 10
