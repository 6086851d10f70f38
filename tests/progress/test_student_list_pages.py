"""The student list's pages with many students (issue 19): the count stops at the cap ("More
than ..."), the pages cover the first rows of the cap in the list's order, each row once (equal
names in the order of the student number), the last page is the cap's; a sort on the learning
account is left out beyond the cap. The cap is made small here (7 rows, pages of 3)."""

import datetime

import pytest
from django.urls import reverse

from core import pagination
from programmes.models import Assignment
from students.models import Enrolment, LearningAccountEntry, Student

pytestmark = pytest.mark.django_db

CAP, PER_PAGE = 7, 3


@pytest.fixture
def small_cap(monkeypatch):
    monkeypatch.setattr(pagination, "CAP", CAP)
    monkeypatch.setattr("progress.views.PAGE_SIZE", PER_PAGE)


def enrol(world, programme, number, last, first, balance=None):
    student = Student.objects.create(number=number, last_name=last, first_name=first)
    if balance is not None:
        LearningAccountEntry.objects.create(
            student=student, on=datetime.date(2026, 9, 1), credits=balance, kind="opening", source=f"test:{number}"
        )
    return Enrolment.objects.create(
        student=student,
        academic_year=world.year,
        programme=programme,
        contract="degree",
        enrolled_on=datetime.date(2026, 9, 15),
        enrolment_processed=True,
        balance_at_enrolment=140,
    )


@pytest.fixture
def listed(coach_world, on_coach_day, small_cap, client):
    """Five students of BA-B and five of BA-A (besides the world's r0000002 and r0000001),
    three of them called Janssens Emma: the administration sees them all."""
    world = coach_world
    names = [("Peeters", "Ann"), ("Janssens", "Emma"), ("Claes", "Bart"), ("Janssens", "Emma"), ("Aerts", "Dirk")]
    for i, (last, first) in enumerate(names):
        enrol(world, world.other_programme, f"r09000{9 - i:02d}", last, first)
        enrol(world, world.programme, f"r08000{9 - i:02d}", last, first if i != 3 else "Eva")
    client.force_login(world.administration)
    return world


def expected_order(world, *, descending_programme=False, programme=None):
    """The enrolments of the year (of ``programme`` if told) in the list's order: the
    programme, the name, the number."""
    rows = Enrolment.objects.filter(academic_year=world.year).select_related("student", "programme")
    if programme is not None:
        rows = rows.filter(programme=programme)
    by_name = sorted(rows, key=lambda e: (e.student.last_name, e.student.first_name, e.student.number, e.pk))
    programmes = sorted({e.programme.code for e in rows}, reverse=descending_programme)
    return [e.student.number for code in programmes for e in by_name if e.programme.code == code]


def numbers(response) -> list[str]:
    return [e.student.number for e in response.context["page"].object_list]


def walk(client, query) -> tuple[list[str], list]:
    """Every page from the first, following the next page's number; the pages' numbers."""
    url = reverse("students:student_list")
    seen, pages, number = [], [], 1
    while True:
        response = client.get(url, {**query, "page": number})
        assert response.status_code == 200
        page = response.context["page"]
        pages.append(page.number)
        seen += numbers(response)
        if not page.has_next():
            return seen, pages
        number = page.next_page_number()


def test_the_pages_show_the_first_rows_of_the_cap_in_order_each_once(client, listed):
    seen, pages = walk(client, {})
    assert len(expected_order(listed)) == 12
    assert seen == expected_order(listed)[:CAP]
    assert pages == [1, 2, 3]


def test_equal_names_are_in_the_order_of_the_number_on_every_page(client, listed):
    seen, _pages = walk(client, {"programme": listed.other_programme.pk})
    emmas = [
        e.student.number
        for e in Enrolment.objects.filter(programme=listed.other_programme, student__last_name="Janssens")
    ]
    assert [n for n in seen if n in emmas] == sorted(emmas)
    assert seen == expected_order(listed, programme=listed.other_programme)
    assert len(seen) == 6


def test_the_count_is_capped_and_said_so(client, listed):
    response = client.get(reverse("students:student_list"))
    content = response.content.decode()
    page = response.context["page"]
    assert (page.paginator.count, page.paginator.capped, page.paginator.num_pages) == (CAP, True, 3)
    assert "More than 7 enrolments" in content
    assert 'id="list-capped"' in content
    # Under the cap: the count itself.
    response = client.get(reverse("students:student_list"), {"programme": listed.other_programme.pk})
    assert response.context["page"].paginator.capped is False
    assert "6 enrolments" in response.content.decode()
    assert 'id="list-capped"' not in response.content.decode()


def test_the_last_page_is_the_caps(client, listed):
    response = client.get(reverse("students:student_list"), {"page": "last"})
    assert response.context["page"].number == 3
    assert numbers(response) == expected_order(listed)[6:CAP]
    # A page beyond the cap is the last one.
    assert client.get(reverse("students:student_list"), {"page": 9}).context["page"].number == 3


def test_the_reversed_sort_on_the_programme_shows_the_other_end(client, listed):
    seen, _pages = walk(client, {"ordering": "-programme"})
    assert seen == expected_order(listed, descending_programme=True)[:CAP]
    assert seen[0].startswith("r09")  # BA-B first


@pytest.mark.parametrize(("key", "field"), [("isp", "isp_status"), ("status", "status"), ("contract", "contract")])
def test_a_sort_on_a_status_lists_its_values_in_order_then_the_names(client, listed, key, field):
    Enrolment.objects.filter(student__number__in=["r0900009", "r0800005"]).update(
        isp_status="submitted", status="refused", contract="credit"
    )
    for ordering, descending in ((key, False), (f"-{key}", True)):
        seen, _pages = walk(client, {"ordering": ordering, "programme": listed.programme.pk})
        rows = Enrolment.objects.filter(programme=listed.programme).select_related("student")
        expected = sorted(rows, key=lambda e: (e.student.last_name, e.student.first_name, e.student.number))
        expected = sorted(expected, key=lambda e: getattr(e, field), reverse=descending)
        assert seen == [e.student.number for e in expected]


def test_the_sort_on_the_learning_account_beyond_the_cap_is_left_out_and_said_so(client, listed):
    response = client.get(reverse("students:student_list"), {"ordering": "balance"})
    assert response.context["unsorted"] is True
    assert 'id="list-unsorted"' in response.content.decode()
    assert response.context["sort"]["balance"]["direction"] == ""  # no header claims the sort
    assert numbers(response) == expected_order(listed)[:PER_PAGE]


def test_the_sort_on_the_learning_account_under_the_cap(client, coach_world, on_coach_day, small_cap):
    world = coach_world
    for i, balance in enumerate([90, 20, 55, 20]):
        enrol(world, world.other_programme, f"r07000{i:02d}", "Vos", "Finn", balance)
    client.force_login(world.administration)
    response = client.get(
        reverse("students:student_list"), {"ordering": "balance", "programme": world.other_programme.pk}
    )
    assert response.context["unsorted"] is False
    assert numbers(response) == ["r0700001", "r0700003", "r0700002"]  # 20, 20 (by number), 55
    assert [e.balance for e in response.context["page"].object_list] == [20, 20, 55]


def test_a_coach_pages_through_their_own_programme_only(client, listed):
    client.force_login(listed.coach)
    assert Assignment.objects.filter(user=listed.coach, programme=listed.programme).exists()
    seen, _pages = walk(client, {})
    assert seen == expected_order(listed, programme=listed.programme)
    response = client.get(reverse("students:student_list"), {"q": "r0800008"})
    assert numbers(response) == ["r0800008"]


def test_a_search_beyond_the_cap_sorted_on_the_learning_account_reads_in_the_lists_order(client, listed):
    response = client.get(reverse("students:student_list"), {"ordering": "-balance", "q": "r0"})
    assert response.context["unsorted"] is True
    assert numbers(response) == expected_order(listed)[:PER_PAGE]
    response = client.get(reverse("students:student_list"), {"q": "janssens", "page": "last"})
    emmas = [n for n in expected_order(listed) if n in {"r0900008", "r0900006", "r0800008", "r0800006"}]
    assert response.context["page"].paginator.capped is False
    assert numbers(response) == emmas[PER_PAGE:]
