"""A fact entered in the admin is processed at once through the timeline."""

import datetime as dt

import time_machine
from django.urls import reverse

from students.models import Degree, LearningAccountEntry
from tests.factories import StudentFactory


@time_machine.travel(dt.date(2024, 7, 1))
def test_a_first_master_degree_entered_in_the_admin_costs_140_at_once(
    db, admin_client, django_capture_on_commit_callbacks
):
    student = StudentFactory(opening_balance=150, opening_on=dt.date(2023, 8, 1))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:students_degree_add"),
            {"student": student.pk, "kind": "master", "on": "2024-07-01"},
        )
    assert response.status_code == 302
    assert Degree.objects.get(student=student).processed
    credits = dict(LearningAccountEntry.objects.filter(student=student).values_list("kind", "credits"))
    assert credits == {"opening": 150, "master_degree": -140}
