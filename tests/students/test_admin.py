"""The records admin: balances from the ledger, a read-only ledger, a read-only audit trail."""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse

from students.models import ISPLine, LearningAccountEntry, Student
from tests.factories import ISPLineFactory, LearningAccountEntryFactory, StudentFactory

pytestmark = pytest.mark.django_db


def test_student_changelist_shows_the_ledger_balance_in_bounded_queries(admin_client, django_assert_max_num_queries):
    students = StudentFactory.create_batch(30)
    for student in students:
        LearningAccountEntryFactory(student=student, credits=140)
        LearningAccountEntryFactory(student=student, credits=-60, kind="deduction", on=datetime.date(2023, 9, 20))
    StudentFactory(number="Z0001")  # no ledger yet: balance 0, not empty

    with django_assert_max_num_queries(6):
        response = admin_client.get(reverse("admin:students_student_changelist"))

    assert response.status_code == 200
    balances = {s.number: s.balance_total for s in response.context["cl"].result_list}
    assert balances[students[0].number] == 80
    assert balances["Z0001"] == 0
    assert len(balances) == 31


def test_student_changelist_searches_by_number_and_name(admin_client):
    StudentFactory(number="R0123456", first_name="Lotte", last_name="Peeters")
    StudentFactory(number="R0999999", first_name="Jan", last_name="Janssens")
    for query in ["R0123456", "Lotte", "Peeters"]:
        response = admin_client.get(reverse("admin:students_student_changelist"), {"q": query})
        assert [s.number for s in response.context["cl"].result_list] == ["R0123456"], query


def test_student_page_shows_the_ledger_read_only_with_a_running_balance(admin_client):
    student = StudentFactory()
    LearningAccountEntryFactory(student=student, credits=140, on=datetime.date(2023, 9, 15))
    LearningAccountEntryFactory(student=student, credits=-60, kind="deduction", on=datetime.date(2023, 9, 20))
    LearningAccountEntryFactory(student=student, credits=45, kind="pass_refund", on=datetime.date(2024, 2, 6))
    other = StudentFactory()
    LearningAccountEntryFactory(student=other, credits=999, on=datetime.date(2023, 9, 1))

    response = admin_client.get(reverse("admin:students_student_change", args=[student.pk]))

    assert response.status_code == 200
    ledger = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is LearningAccountEntry)
    assert not ledger.has_add_permission
    assert not ledger.has_change_permission
    assert not ledger.has_delete_permission
    balances = [
        field.contents()
        for inline_form in ledger
        for fieldset in inline_form
        for line in fieldset
        for field in line
        if field.field["name"] == "running_balance"
    ]
    assert balances == ["140", "80", "125"]


def test_ledger_admin_is_read_only(admin_client):
    entry = LearningAccountEntryFactory()
    model_admin = admin.site._registry[LearningAccountEntry]
    request = type("Request", (), {"user": None})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)

    assert admin_client.get(reverse("admin:students_learningaccountentry_add")).status_code == 403
    delete_url = reverse("admin:students_learningaccountentry_delete", args=[entry.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    change_url = reverse("admin:students_learningaccountentry_change", args=[entry.pk])
    assert admin_client.get(change_url).status_code == 200  # view only
    assert admin_client.post(change_url, {"credits": "500"}).status_code == 403
    entry.refresh_from_db()
    assert entry.credits == 140
    assert LearningAccountEntry.objects.count() == 1


def test_ledger_changelist_filters_by_kind_and_searches_by_student_number(admin_client):
    opening = LearningAccountEntryFactory(student=StudentFactory(number="R1"))
    LearningAccountEntryFactory(student=opening.student, kind="deduction", credits=-6)
    LearningAccountEntryFactory(student=StudentFactory(number="R2"))
    url = reverse("admin:students_learningaccountentry_changelist")

    response = admin_client.get(url, {"kind__exact": "deduction"})
    assert [e.credits for e in response.context["cl"].result_list] == [-6]
    response = admin_client.get(url, {"q": "R1"})
    assert {e.student.number for e in response.context["cl"].result_list} == {"R1"}


def test_isp_line_changelist_filters_final_lines(admin_client):
    final = ISPLineFactory()
    ISPLine.objects.filter(pk=final.pk).update(locked_on=datetime.date(2023, 12, 1))
    open_line = ISPLineFactory()
    url = reverse("admin:students_ispline_changelist")

    response = admin_client.get(url, {"final": "yes"})
    assert [line.pk for line in response.context["cl"].result_list] == [final.pk]
    response = admin_client.get(url, {"final": "no"})
    assert [line.pk for line in response.context["cl"].result_list] == [open_line.pk]


def test_enrolment_page_shows_the_isp_with_final_since(admin_client):
    line = ISPLineFactory()
    ISPLine.objects.filter(pk=line.pk).update(locked_on=datetime.date(2023, 12, 1))
    response = admin_client.get(reverse("admin:students_enrolment_change", args=[line.enrolment.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Final since" in content
    assert "Dec. 1, 2023" in content


def test_student_history_is_listed_but_cannot_be_reverted(admin_client):
    student = StudentFactory(first_name="Lotte")
    student.first_name = "Lotta"
    student.save()
    history_url = reverse("admin:students_student_history", args=[student.pk])
    response = admin_client.get(history_url)
    assert response.status_code == 200
    assert response.context["revert_disabled"] is True

    old = student.history.earliest()
    version_url = reverse("admin:students_student_simple_history", args=[student.pk, old.history_id])
    assert admin_client.get(version_url).status_code == 200
    response = admin_client.post(version_url, {"number": student.number, "first_name": "Lotte", "last_name": "X"})
    assert response.status_code == 403
    student.refresh_from_db()
    assert student.first_name == "Lotta"
    assert Student.objects.count() == 1


def test_student_can_be_edited_with_the_read_only_ledger_on_the_page(admin_client):
    student = StudentFactory(first_name="Lotte", last_name="Peeters")
    entry = LearningAccountEntryFactory(student=student, credits=140)
    data = {
        "number": student.number,
        "first_name": "Lotta",
        "last_name": "Peeters",
        "email": "",
        "enrolments-TOTAL_FORMS": "0",
        "enrolments-INITIAL_FORMS": "0",
        "degrees-TOTAL_FORMS": "0",
        "degrees-INITIAL_FORMS": "0",
        "measures-TOTAL_FORMS": "0",
        "measures-INITIAL_FORMS": "0",
        "learning_account_entries-TOTAL_FORMS": "1",
        "learning_account_entries-INITIAL_FORMS": "1",
        "learning_account_entries-0-id": str(entry.pk),
        "learning_account_entries-0-student": str(student.pk),
        "learning_account_entries-0-credits": "999",  # ignored: the inline is read-only
    }
    response = admin_client.post(reverse("admin:students_student_change", args=[student.pk]), data)
    assert response.status_code == 302
    student.refresh_from_db()
    entry.refresh_from_db()
    assert student.first_name == "Lotta"
    assert entry.credits == 140
    assert student.history.count() == 2
    assert student.history.first().history_user is not None
