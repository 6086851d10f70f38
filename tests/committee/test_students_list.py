"""The examined students a page at a time (committee:students; issue 19) and the count on the
inventory, in the committee world (tests/support/worlds.py ``committee_world``) with a few more
students. Education's programmes are BA-E (E1-E3) and BA-E2 (P1, added here); the January marks:

    number     name                 programme  marks              decision open?
    a0000002   Adams, Bea           BA-E2      P1 3               yes (intolerable fail in P1)
    s0000001   Surname1, Student1   BA-E       E1 4 E2 12 E3 13   yes (E1 4)
    s0000002   Surname2, Student2   BA-E       E1 6 ...           yes (E1 6)
    a0000001   Surname3, Anna       BA-E       E1 12 E2 12 E3 12  no (all passed)
    s0000003   Surname3, Student3   BA-E       E1 7 ...           yes (E1 7)
    s0000004   Surname4, Student4   BA-E       E1 9 ...           no (9: tolerable, within the credit)
    s0000005   Surname5, Student5   BA-E       E2 6 ...           yes (E2 6)
    s0000006   Surname6, Student6   BA-E       E1 5 ...           yes (E1 5)
    t0000009   Twofold, Tom         BA-E       E1 12              no
    t0000009   Twofold, Tom         BA-E2      P1 4               yes (P1 4)

Not examined by Education in January: Lazy (BA-E, no result in January) and Tech (BA-T, another
committee's). The order is the names' (last name, first name, number, programme): ten rows of
nine students. Every expected value is read from this table."""

import datetime as dt

import pytest
from django.urls import reverse

from committee import inventory
from exams.models import Result
from students.models import ISPLine, Student
from tests.support.factories import CourseFactory, EnrolmentFactory, StudentFactory
from tests.support.worlds import on

D = dt.date
ALL = [
    ("a0000002", "BA-E2"),
    ("s0000001", "BA-E"),
    ("s0000002", "BA-E"),
    ("a0000001", "BA-E"),
    ("s0000003", "BA-E"),
    ("s0000004", "BA-E"),
    ("s0000005", "BA-E"),
    ("s0000006", "BA-E"),
    ("t0000009", "BA-E"),
    ("t0000009", "BA-E2"),
]
OPEN = [
    ("a0000002", "BA-E2"),
    ("s0000001", "BA-E"),
    ("s0000002", "BA-E"),
    ("s0000003", "BA-E"),
    ("s0000005", "BA-E"),
    ("s0000006", "BA-E"),
    ("t0000009", "BA-E2"),
]


def examined(world, student, programme, marks):
    enrolment = EnrolmentFactory(student=student, academic_year=world.year, programme=programme)
    for course, score in marks.items():
        line = ISPLine.objects.create(enrolment=enrolment, course=course, added_on=D(2023, 9, 15))
        if score is not None:
            Result.objects.create(isp_line=line, exam_period=world.january, opportunity=1, score=score)


@pytest.fixture
def world(committee_world):
    w = committee_world
    with on(D(2024, 2, 1)):
        p1 = CourseFactory(programme=w.programme_2, code="P1", name="Course P1", credits=6, stage=1)
        t1 = CourseFactory(programme=w.tech, code="T1", name="Course T1", credits=6, stage=1)
        e = w.courses
        adams = StudentFactory(number="a0000002", first_name="Bea", last_name="Adams")
        anna = StudentFactory(number="a0000001", first_name="Anna", last_name="Surname3")
        twofold = StudentFactory(number="t0000009", first_name="Tom", last_name="Twofold")
        lazy = StudentFactory(number="l0000001", first_name="Lou", last_name="Lazy")
        tech = StudentFactory(number="t0000001", first_name="Tia", last_name="Tech")
        examined(w, adams, w.programme_2, {p1: 3})
        examined(w, anna, w.programme, {e["E1"]: 12, e["E2"]: 12, e["E3"]: 12})
        examined(w, twofold, w.programme, {e["E1"]: 12})
        examined(w, twofold, w.programme_2, {p1: 4})
        examined(w, lazy, w.programme, {e["E1"]: None})
        examined(w, tech, w.tech, {t1: 2})
        yield w


def url(world, **query):
    base = reverse("committee:students", args=[world.deliberation.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def listed(response) -> list[tuple[str, str]]:
    return [(row.student.number, row.programme.code) for row in response.context["rows"]]


def walk(client, first_url) -> list[list[tuple[str, str]]]:
    """Every page from ``first_url`` on, following the "next page" links."""
    pages, address = [], first_url
    while address:
        response = client.get(address)
        assert response.status_code == 200
        pages.append(listed(response))
        following = response.context["next_url"]
        address = following and address.split("?")[0] + following
    return pages


def test_the_first_page_lists_the_students_with_a_decision_open(client, world):
    client.force_login(world.chair_user)
    response = client.get(url(world))
    assert listed(response) == OPEN
    content = response.content.decode()
    assert "Intolerable fail in P1: 3 (Art. 70, 79)." in content
    assert "Intolerable fail in E2: 6 (Art. 70, 79)." in content
    assert "9 examined students." in content
    assert response.context["next_url"] == "" and response.context["previous_url"] == ""


def test_every_examined_student_with_show_all(client, world):
    client.force_login(world.chair_user)
    response = client.get(url(world, show="all"))
    assert listed(response) == ALL
    reasons = {(row.student.number, row.programme.code): row.reasons for row in response.context["rows"]}
    assert reasons["s0000004", "BA-E"] == ()
    assert reasons["t0000009", "BA-E2"] == ("Intolerable fail in P1: 4 (Art. 70, 79).",)
    assert "No decision open." in response.content.decode()


def test_the_pages_go_through_every_student_once(client, world, monkeypatch):
    monkeypatch.setattr(inventory, "PAGE_SIZE", 3)
    client.force_login(world.chair_user)
    pages = walk(client, url(world, show="all"))
    assert pages == [ALL[0:3], ALL[3:6], ALL[6:9], ALL[9:10]]
    # Only those with a decision open: the same pages of three, without the others.
    assert walk(client, url(world)) == [
        [("a0000002", "BA-E2"), ("s0000001", "BA-E"), ("s0000002", "BA-E")],
        [("s0000003", "BA-E")],
        [("s0000005", "BA-E"), ("s0000006", "BA-E")],
        [("t0000009", "BA-E2")],
    ]


def test_the_previous_page(client, world, monkeypatch):
    monkeypatch.setattr(inventory, "PAGE_SIZE", 3)
    client.force_login(world.chair_user)
    last = client.get(url(world, show="all", after=_enrolment(world, "t0000009", "BA-E")))
    assert listed(last) == ALL[9:10]
    assert last.context["next_url"] == ""
    previous = client.get(url(world) + last.context["previous_url"])
    assert listed(previous) == ALL[6:9]
    first = client.get(url(world) + previous.context["previous_url"])
    first = client.get(url(world) + first.context["previous_url"])
    assert listed(first) == ALL[0:3]
    assert first.context["previous_url"] == ""


def _enrolment(world, number, code):
    from students.models import Enrolment

    return Enrolment.objects.get(student__number=number, programme__code=code, academic_year=world.year).pk


def test_the_filters_are_kept_from_page_to_page(client, world, monkeypatch):
    monkeypatch.setattr(inventory, "PAGE_SIZE", 1)
    client.force_login(world.chair_user)
    programme = world.programme_2.pk
    assert walk(client, url(world, programme=programme, show="all")) == [
        [("a0000002", "BA-E2")],
        [("t0000009", "BA-E2")],
    ]
    assert walk(client, url(world, q="Surname3", show="all")) == [[("a0000001", "BA-E")], [("s0000003", "BA-E")]]
    # A number's beginning; with a decision open only: Anna (a0000001) has none.
    assert walk(client, url(world, q="a000")) == [[("a0000002", "BA-E2")], []]
    response = client.get(url(world, q="surname3", show="all"))
    assert "q=surname3" in response.context["next_url"] and "show=all" in response.context["next_url"]
    assert "2 examined students." in response.content.decode()


def test_a_programme_of_another_committee_is_no_filter(client, world):
    client.force_login(world.chair_user)
    response = client.get(url(world, programme=world.tech.pk, show="all"))
    assert listed(response) == ALL


def test_the_inventory_counts_the_students_examined(client, world, monkeypatch):
    client.force_login(world.chair_user)
    inventory_url = reverse("committee:inventory", args=[world.deliberation.pk])
    content = client.get(inventory_url).content.decode()
    assert "9 students of the committee's programmes were examined in this exam period." in content
    monkeypatch.setattr(inventory, "COUNT_CAP", 4)
    content = client.get(inventory_url).content.decode()
    assert "More than 4 students of the committee's programmes were examined in this exam period." in content
    assert "More than 4 examined students." in client.get(url(world)).content.decode()


def test_the_page_reads_as_many_queries_with_more_students(
    client, world, django_assert_max_num_queries, django_assert_num_queries
):
    from tests.committee.test_inventory import more_students
    from tests.support.budgets import PAGE_BUDGET, same_again, within_budget

    client.force_login(world.chair_user)
    first = within_budget(client, url(world, show="all"), django_assert_max_num_queries, PAGE_BUDGET)
    more_students(world, 30, 100)  # 40 rows: a page of 25
    response = same_again(client, url(world, show="all"), first, django_assert_num_queries)
    assert len(response.context["rows"]) == inventory.PAGE_SIZE


def test_the_inventory_lists_the_first_special_statuses_and_all_when_asked(client, world, monkeypatch):
    from reschedules.models import SpecialStatus

    # Statuses of S1, S2 and S3 (the committee's), and of Tech (another committee's: never listed).
    for number in ("s0000001", "s0000002", "s0000003", "t0000001"):
        SpecialStatus.objects.create(
            student=Student.objects.get(number=number),
            academic_year=world.year,
            kind="working",
            granted_by="Care",
            granted_on=D(2023, 10, 1),
        )
    monkeypatch.setattr(inventory, "FILES_SHOWN", 2)
    client.force_login(world.chair_user)
    inventory_url = reverse("committee:inventory", args=[world.deliberation.pk])
    response = client.get(inventory_url)
    assert [s.student.number for s in response.context["files"].statuses] == ["s0000001", "s0000002"]
    assert "Only the first 2 reschedule requests and special statuses are listed." in response.content.decode()
    response = client.get(inventory_url + "?files=all")
    assert [s.student.number for s in response.context["files"].statuses] == ["s0000001", "s0000002", "s0000003"]
    assert 'id="files-more"' not in response.content.decode()
