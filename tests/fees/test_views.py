"""The fee statement on the student page, the open balances list and its CSV export."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from fees.models import FeeStatement

pytestmark = pytest.mark.django_db


def test_the_student_page_shows_the_fee_statement_and_its_history(client, coach_world, on_coach_day):
    statements = FeeStatement.objects.filter(student=coach_world.student)
    assert [(s.total, s.reason) for s in statements] == [(Decimal("282.10"), "enrolment")]
    client.force_login(coach_world.coach)
    response = client.get(reverse("students:student_detail", kwargs={"number": coach_world.student.number}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tuition fee" in html
    assert "282.10" in html
    assert "History of the statements" in html


def _approve(world):
    enrolment = world.enrolment
    enrolment.isp_status = "approved"
    enrolment.isp_approved_on = datetime.date(2026, 11, 23)
    enrolment.save()


def test_open_balances_list_filters_by_grant_status_and_amount(
    client, coach_world, on_coach_day, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    with django_capture_on_commit_callbacks(execute=True):
        _approve(coach_world)
    client.force_login(coach_world.administration)
    url = reverse("fees:open_balances")
    with django_assert_max_num_queries(15):
        response = client.get(url)
    html = response.content.decode()
    assert "r0000001" in html and "r0000002" in html
    assert "687.10" in html  # 30 credits approved: 282.10 + 30 x 13.50
    assert "r0000002" not in client.get(url, {"total_min": "500"}).content.decode()
    assert "r0000001" not in client.get(url, {"grant_status": "scholarship"}).content.decode()
    only_a = client.get(url, {"programme": coach_world.programme.pk}).content.decode()
    assert "r0000001" in only_a and "r0000002" not in only_a


def test_the_open_balances_page_in_the_lists_order_up_to_the_cap(
    client, coach_world, on_coach_day, django_capture_on_commit_callbacks, monkeypatch
):
    """Issue 19: the open balances read a page a year at a time, by the student's name; beyond
    the cap (1 here) the first row only, and a note that tells how to find the others."""
    from core import pagination
    from fees.models import FeeStatement

    with django_capture_on_commit_callbacks(execute=True):
        _approve(coach_world)
    client.force_login(coach_world.administration)
    url = reverse("fees:open_balances")
    listed = client.get(url).context["page"].object_list
    expected = sorted(
        (
            s
            for s in FeeStatement.objects.select_related("student")
            if s.total
            and s
            == s.student.fee_statements.filter(academic_year_code=s.academic_year_code, key=s.key)
            .order_by("on", "pk")
            .last()
        ),
        key=lambda s: (s.student.last_name, s.student.first_name, s.student.number, s.key),
    )
    expected = sorted(expected, key=lambda s: s.academic_year_code, reverse=True)
    assert [s.pk for s in listed] == [s.pk for s in expected] and len(expected) >= 2
    assert 'id="open-balances-capped"' not in client.get(url).content.decode()
    monkeypatch.setattr(pagination, "CAP", 1)
    response = client.get(url, {"page": "last"})
    assert [s.pk for s in response.context["page"].object_list] == [expected[0].pk]
    assert 'id="open-balances-capped"' in response.content.decode()


def test_the_csv_export_has_one_row_per_open_fee(client, coach_world, on_coach_day):
    client.force_login(coach_world.admin)
    response = client.get(reverse("fees:export_csv"), {"academic_year_code": "2026-2027"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # UTF-8 with BOM, ";" and decimal commas: a Belgian Excel (core.csv)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][0] == "student number"
    assert sorted(row[0] for row in rows[1:]) == ["r0000001", "r0000002"]
    assert {row[-1] for row in rows[1:]} == {"282,10"}


def test_a_coach_has_no_open_balances_page(client, coach_world, on_coach_day):
    client.force_login(coach_world.coach)
    assert client.get(reverse("fees:open_balances")).status_code == 403


def test_the_csv_export_writes_a_name_typed_as_a_formula_as_text(client, coach_world, on_coach_day):
    """Issue 14 point 1 (OWASP CSV injection): a student named "=HYPERLINK(...)" is a text in
    the finance department's spreadsheet, never a formula (core.csv)."""
    from students.models import Student

    typed = '=HYPERLINK("http://evil.example","x")'
    Student.objects.filter(pk=coach_world.student.pk).update(first_name=typed)
    client.force_login(coach_world.admin)
    response = client.get(reverse("fees:export_csv"), {"academic_year_code": "2026-2027"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    (row,) = [row for row in rows if row[0] == coach_world.student.number]
    assert row[rows[0].index("name")] == f"'{typed} {coach_world.student.last_name}"
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
