"""A free-text search uses its first words (core.filters.search_words), on the pages and in
every admin changelist: a pasted text of 1,100 words made SQLite refuse the query ("Expression
tree is too large") and a 60,000-character word its LIKE pattern, a 500 both."""

import pytest
from django.contrib import admin
from django.urls import reverse

from core.filters import MAX_SEARCH_WORDS, MAX_WORD_LENGTH, SearchWords, search_words
from core.numbers import whole_number

NOTE = "The search uses the first 10 words, each up to 100 characters: the rest was left out."
LONG = " ".join(f"word{i}" for i in range(1100))


def test_the_limits_are_the_ones_the_note_names():
    assert (MAX_SEARCH_WORDS, MAX_WORD_LENGTH) == (10, 100)


@pytest.mark.parametrize(
    ("text", "quoted", "expected"),
    [
        ("", False, SearchWords((), False)),
        ("  Jan   Peeters ", False, SearchWords(("Jan", "Peeters"), False)),
        (" ".join("abcdefghij"), False, SearchWords(tuple("abcdefghij"), False)),
        (" ".join("abcdefghijk"), False, SearchWords(tuple("abcdefghij"), True)),
        (LONG, False, SearchWords(tuple(f"word{i}" for i in range(10)), True)),
        ("x" * 100, False, SearchWords(("x" * 100,), False)),
        ("x" * 60_000 + " y", False, SearchWords(("x" * 100, "y"), True)),
        # The admin reads a phrase in quotes as one word, as Django's admin search does.
        ('"Van Damme" Jan', True, SearchWords(('"Van Damme"', "Jan"), False)),
        ('"Van Damme" Jan', False, SearchWords(('"Van', 'Damme"', "Jan"), False)),
    ],
)
def test_the_words_a_search_uses(text, quoted, expected):
    assert search_words(text, quoted=quoted) == expected


def test_the_note_says_what_was_left_out():
    assert search_words(LONG).note == NOTE
    assert search_words("Jan Peeters").note == ""


@pytest.mark.parametrize(
    ("text", "signed", "expected"),
    [
        ("12", False, 12),
        (" 007 ", False, 7),
        ("0", False, 0),
        ("", False, None),
        ("-3", False, None),
        ("-3", True, -3),
        ("+3", True, None),
        ("\u00b2", False, None),  # "²": str.isdigit() is true, int() refuses it
        ("\u2460", False, None),  # "①": likewise
        ("\u0663", False, None),  # Arabic-Indic three: int() reads it, a person means no number here
        ("1" * 18, False, int("1" * 18)),
        ("1" * 19, False, None),  # more than a 64-bit column holds
        ("1" * 5000, True, None),  # int() refuses more than 4,300 digits
        ("1 2", False, None),
        ("1.5", False, None),
        (None, False, None),
    ],
)
def test_a_whole_number_as_typed(text, signed, expected):
    assert whole_number(text, signed=signed) == expected


def _changelists():
    for model, model_admin in admin.site._registry.items():
        if model_admin.search_fields:
            yield pytest.param(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist", id=model.__name__)


@pytest.mark.parametrize("url_name", list(_changelists()))
def test_every_admin_changelist_survives_a_long_search(admin_client, url_name):
    for q in (LONG, "x" * 60_000):  # 1,100 words; one word of 60,000 characters
        response = admin_client.get(reverse(url_name), {"q": q})
        assert response.status_code == 200
        assert NOTE in response.content.decode()


def test_the_admin_searches_with_the_first_words(admin_client):
    from tests.support.factories import StudentFactory

    StudentFactory(number="S1", first_name="Jan", last_name="Peeters")
    StudentFactory(number="S2", first_name="Jan", last_name="Janssens")
    url = reverse("admin:students_student_changelist")
    response = admin_client.get(url, {"q": "Jan Peeters " * 5 + LONG})  # the first ten words match S1
    assert [s.number for s in response.context["cl"].result_list] == ["S1"]
    assert NOTE in response.content.decode()
    response = admin_client.get(url, {"q": "Jan Peeters"})
    assert [s.number for s in response.context["cl"].result_list] == ["S1"]
    assert NOTE not in response.content.decode()


def test_the_autocomplete_survives_a_long_search(admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": LONG, "app_label": "students", "model_name": "enrolment", "field_name": "student"},
    )
    assert response.status_code == 200
    assert response.json()["results"] == []


# --- The list pages: each one filters by the first words and says what was left out ----------
FIRST = "r0000001 " * MAX_SEARCH_WORDS  # ten words that match the student r0000001


@pytest.fixture
def lists(coach_world, on_coach_day):
    """coach_world (r0000001 in BA-A, r0000002 in BA-B, 2026-2027) with a reschedule request
    and an appeal of each student."""
    import datetime

    from appeals.services import appeal_register
    from tests.reschedules.ombuds_world import add_ombuds_world, log

    world = add_ombuds_world(coach_world)
    log(world)
    for student, programme in (
        (world.student, world.programme),
        (world.other_enrolment.student, world.other_programme),
    ):
        appeal_register(
            student=student,
            category="d",
            decision_text="Exemption refused",
            decision_on=datetime.date(2026, 11, 18),
            posted_on=datetime.date(2026, 11, 20),
            programme=programme,
            by=world.administration,
            today=datetime.date(2026, 11, 23),
        )
    return world


def _numbers(response, url_name):
    """The student numbers a list page shows."""
    context = response.context
    if url_name == "students:student_list":
        return {e.student.number for e in context["page"].object_list}
    if url_name == "exams:request_list":
        return {row["request"].isp_line.enrolment.student.number for row in context["rows"]}
    if url_name == "appeals:register":
        return {row["appeal"].student.number for row in context["rows"]}
    return {s.student.number for s in context["page"].object_list}  # fees:open_balances


PAGES = [
    pytest.param("students:student_list", "admin", {"r0000001", "r0000002"}, id="students"),
    pytest.param("exams:request_list", "ombudsperson", {"r0000001"}, id="exam-requests"),
    pytest.param("appeals:register", "administration", {"r0000001", "r0000002"}, id="appeals"),
    pytest.param("fees:open_balances", "administration", {"r0000001", "r0000002"}, id="open-balances"),
]


@pytest.mark.parametrize(("url_name", "persona", "everyone"), PAGES)
def test_a_list_searches_with_the_first_words_of_a_long_search(client, lists, url_name, persona, everyone):
    client.force_login(getattr(lists, persona))
    url = reverse(url_name)
    assert _numbers(client.get(url, {"status": ""}), url_name) == everyone
    response = client.get(url, {"q": FIRST + LONG, "status": ""})
    assert response.status_code == 200
    assert _numbers(response, url_name) == {"r0000001"}
    assert NOTE in response.content.decode()
    # A word among the first ten that matches nobody: nothing is found.
    response = client.get(url, {"q": "nobody " + FIRST + LONG, "status": ""})
    assert (response.status_code, _numbers(response, url_name)) == (200, set())
    # A short search has no note.
    response = client.get(url, {"q": "r0000001", "status": ""})
    assert _numbers(response, url_name) == {"r0000001"}
    assert NOTE not in response.content.decode()


@pytest.mark.parametrize(("url_name", "persona", "everyone"), PAGES)
def test_a_list_survives_a_word_of_60000_characters(client, lists, url_name, persona, everyone):
    client.force_login(getattr(lists, persona))
    response = client.get(reverse(url_name), {"q": "x" * 60_000, "status": ""})
    assert (response.status_code, _numbers(response, url_name)) == (200, set())
    assert NOTE in response.content.decode()


@pytest.mark.parametrize(("url_name", "persona", "everyone"), PAGES)
def test_a_list_reads_a_number_that_is_no_number_as_a_word(client, lists, url_name, persona, everyone):
    """``GET /appeals/?q=²`` was a 500: "²".isdigit() is true and int() refuses it."""
    client.force_login(getattr(lists, persona))
    for q in ("\u00b2", "A-\u00b2", "\u2460", "9" * 40):
        response = client.get(reverse(url_name), {"q": q, "status": ""})
        assert (response.status_code, _numbers(response, url_name)) == (200, set()), q


def test_an_appeal_is_found_by_its_reference(client, lists):
    from appeals.models import Appeal

    client.force_login(lists.administration)
    first = Appeal.objects.order_by("pk").first()
    response = client.get(reverse("appeals:register"), {"q": first.reference})
    assert [row["appeal"] for row in response.context["rows"]] == [first]


@pytest.mark.parametrize("url_name", ["appeals:appeal_create", "appeals:lifting_create", "appeals:correction_create"])
def test_finding_the_student_of_a_form_survives_a_long_search(client, lists, url_name):
    client.force_login(lists.administration if url_name != "appeals:correction_create" else lists.committee)
    response = client.get(reverse(url_name), {"student": FIRST + LONG})
    assert response.status_code == 200
    assert [s.number for s in response.context["lookup"].matches] == ["r0000001"]
    response = client.get(reverse(url_name), {"student": "x" * 60_000})
    assert (response.status_code, response.context["lookup"].matches) == (200, [])


def test_the_students_admin_filter_ignores_a_number_that_is_no_number(admin_client):
    """The enrolment filters of the students' changelist read their ids with ``int()`` after
    ``str.isdigit()``: "²" was a 500."""
    from tests.support.factories import StudentFactory

    StudentFactory(number="S1")
    response = admin_client.get(
        reverse("admin:students_student_changelist"), {"enrolled_programme": "\u00b2", "enrolled_year": "\u00b2"}
    )
    assert response.status_code == 200
