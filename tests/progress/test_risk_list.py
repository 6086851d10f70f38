"""The coach's risk list (Art. 28): the risk signals as last computed, of the students the
user sees, filtered, sorted most urgent first, paginated, exported; the counts on the coach's
home. The signals are made here directly (``RiskSignal`` rows, as ``risk_refresh`` leaves them).

The small world (``coach_world``, today 23 November 2026): BA-A is coached by ``coach``,
BA-B by ``other_coach``. Signals, worked out by hand:

  a  r0000003 Aerts, Bram     BA-A  repeated failure   refusal ahead  A101  19/11/2026
  b  r0000003 Aerts, Bram     BA-A  repeated failure   refusal ahead  A102  19/11/2026
  c  r0000004 Claes, Chris    BA-A  learning account   refusal ahead        22/11/2026
  d  r0000001 Peeters, An     BA-A  decree threshold   warning              20/11/2026
  e  r0000001 Peeters, An     BA-A  tolerance          information          21/11/2026
  f  r0000002 Janssens, Dirk  BA-B  decree threshold   refusal ahead        18/11/2026

Urgency (``RiskSignal.urgency``): information 0, warning 1, refusal ahead 2.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from core import home
from progress.models import RiskSignal
from students.models import Student
from tests.support.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 11, 23)
COMPUTED = D(2026, 11, 20)
URGENCY = {"information": 0, "warning": 1, "refusal_ahead": 2}
LIST = reverse("students:risk_list")
CSV = reverse("students:risk_list_csv")


def signal(student, programme, kind, level, *, course="", on=COMPUTED):
    """A risk signal as ``risk_refresh`` stores it."""
    return RiskSignal.objects.create(
        student=student,
        programme=programme,
        kind=kind,
        level=level,
        urgency=URGENCY[level],
        course_code=course,
        computed_on=on,
    )


def enrolled(world, number, last_name, first_name, programme=None):
    """A student enrolled in ``programme`` (BA-A unless told) in 2026-2027."""
    return EnrolmentFactory(
        programme=programme or world.programme,
        academic_year=world.year,
        enrolled_on=D(2026, 9, 15),
        student__number=number,
        student__last_name=last_name,
        student__first_name=first_name,
    ).student


@pytest.fixture
def risks(coach_world, on_coach_day):
    w = coach_world
    Student.objects.filter(pk=w.student.pk).update(last_name="Peeters", first_name="An")
    other = Student.objects.get(number="r0000002")
    Student.objects.filter(pk=other.pk).update(last_name="Janssens", first_name="Dirk")
    aerts = enrolled(w, "r0000003", "Aerts", "Bram")
    claes = enrolled(w, "r0000004", "Claes", "Chris")
    ba, bb = w.programme, w.other_programme
    rows = SimpleNamespace(
        e=signal(w.student, ba, "tolerance", "information", on=D(2026, 11, 21)),
        d=signal(w.student, ba, "decree_threshold", "warning", on=D(2026, 11, 20)),
        c=signal(claes, ba, "learning_account", "refusal_ahead", on=D(2026, 11, 22)),
        b=signal(aerts, ba, "repeated_failure", "refusal_ahead", course="A102", on=D(2026, 11, 19)),
        a=signal(aerts, ba, "repeated_failure", "refusal_ahead", course="A101", on=D(2026, 11, 19)),
        f=signal(other, bb, "decree_threshold", "refusal_ahead", on=D(2026, 11, 18)),
    )
    return SimpleNamespace(world=w, rows=rows, aerts=aerts, claes=claes)


def listed(client, **query):
    response = client.get(LIST, query)
    assert response.status_code == 200
    return response


def names(response, risks):
    """The rows of the page as the letters of the module's table."""
    letters = {getattr(risks.rows, letter).pk: letter for letter in "abcdef"}
    return "".join(letters[s.pk] for s in response.context["page"].object_list)


# --- Scope ------------------------------------------------------------------------------------
def test_a_coach_sees_the_signals_of_their_programmes_students_only(client, risks):
    client.force_login(risks.world.coach)
    response = listed(client)
    assert names(response, risks) == "abcde"
    body = response.content.decode()
    assert "r0000002" not in body and "Janssens" not in body
    client.force_login(risks.world.other_coach)
    assert names(listed(client), risks) == "f"


def test_the_committee_sees_every_students_signals(client, risks):
    client.force_login(risks.world.committee)
    # The refusals ahead by student number: f (r0000002), a and b (r0000003), c; then d, e.
    assert names(listed(client), risks) == "fabcde"


def test_each_row_links_the_student_page_and_shows_the_level_in_words(client, risks):
    client.force_login(risks.world.coach)
    body = listed(client).content.decode()
    assert reverse("students:student_detail", args=["r0000003"]) in body
    assert '<span class="badge text-bg-danger">Refusal ahead</span>' in body
    assert '<span class="badge text-bg-warning">Warning</span>' in body
    assert '<span class="badge text-bg-info">Information</span>' in body
    assert "Aerts, Bram" in body and "repeated failure (Art. 31)" in body and "A101" in body
    assert "19/11/2026" in body


# --- Filters --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": "repeated_failure"}, "ab"),
        ({"kind": "tolerance"}, "e"),
        ({"level": "refusal_ahead"}, "abc"),
        ({"level": "warning"}, "d"),
        ({"level": "information"}, "e"),
        ({"q": "peet"}, "de"),
        ({"q": "r0000004"}, "c"),
        ({"q": "bram aerts"}, "ab"),
        ({"q": "r0000002"}, ""),  # another coach's student
        ({"kind": "decree_threshold", "level": "refusal_ahead"}, ""),
    ],
)
def test_each_filter(client, risks, query, expected):
    client.force_login(risks.world.coach)
    assert names(listed(client, **query), risks) == expected


def test_the_programme_filter_offers_the_users_programmes(client, risks):
    w = risks.world
    client.force_login(w.coach)
    field = listed(client).context["filter"].form.fields["programme"]
    assert list(field.queryset) == [w.programme]
    client.force_login(w.committee)
    assert names(listed(client, programme=w.other_programme.pk), risks) == "f"
    assert names(listed(client, programme=w.programme.pk), risks) == "abcde"


def test_a_coach_cannot_filter_on_another_programme(client, risks):
    client.force_login(risks.world.coach)
    response = listed(client, programme=risks.world.other_programme.pk)
    assert "programme" in response.context["filter"].form.errors
    assert "r0000002" not in response.content.decode()


def test_a_bad_filter_value_shows_a_field_error(client, risks):
    client.force_login(risks.world.coach)
    response = listed(client, level="catastrophe")
    assert "level" in response.context["filter"].form.errors
    assert "invalid-feedback" in response.content.decode()


def test_the_counts_per_level_follow_the_filter(client, risks):
    client.force_login(risks.world.coach)
    counts = {c["level"]: c["count"] for c in listed(client).context["counts"]}
    assert counts == {"refusal_ahead": 3, "warning": 1, "information": 1}
    counts = {c["level"]: c["count"] for c in listed(client, q="aerts").context["counts"]}
    assert counts == {"refusal_ahead": 2, "warning": 0, "information": 0}


def test_an_empty_list_says_so(client, risks):
    client.force_login(risks.world.coach)
    body = listed(client, q="nobody").content.decode()
    assert 'id="risk-empty"' in body and "No risk signal matches these filters." in body


# --- Sort -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("", "abcde"),  # most urgent first, then the student number (r0000003 before r0000004)
        ("-urgency", "abcde"),
        ("urgency", "edabc"),
        ("computed", "abdec"),
        ("-computed", "cedab"),
        ("student", "abcde"),  # Aerts, Claes, Peeters
        ("-student", "decab"),
        ("kind", "dcabe"),  # decree_threshold, learning_account, repeated_failure, tolerance
    ],
)
def test_the_sort(client, risks, ordering, expected):
    client.force_login(risks.world.coach)
    assert names(listed(client, ordering=ordering), risks) == expected


def test_the_urgency_header_shows_the_default_order(client, risks):
    client.force_login(risks.world.coach)
    sort = listed(client, level="refusal_ahead").context["sort"]
    assert sort["urgency"]["direction"] == "descending"
    assert sort["urgency"]["query"] == "level=refusal_ahead&ordering=urgency"
    sort = listed(client, ordering="computed").context["sort"]
    assert (sort["computed"]["direction"], sort["urgency"]["direction"]) == ("ascending", "")


# --- Pagination and queries -----------------------------------------------------------------
@pytest.fixture
def many(coach_world, on_coach_day):
    """Six BA-A students, ten warnings and one piece of information each: 60 warnings."""
    w = coach_world
    for n in range(6):
        student = enrolled(w, f"r10000{n:02d}", f"Name{n}", "Test")
        for k in range(10):
            signal(student, w.programme, "repeated_failure", "warning", course=f"A1{k:02d}")
        signal(student, w.programme, "tolerance", "information")
    return w


def test_the_pages_keep_the_filters(client, many):
    client.force_login(many.coach)
    response = listed(client, level="warning")
    page = response.context["page"]
    assert (page.paginator.count, len(page.object_list), page.paginator.num_pages) == (60, 50, 2)
    assert "?level=warning&amp;page=2" in response.content.decode()
    second = listed(client, level="warning", page=2).context["page"]
    assert len(second.object_list) == 10
    assert {s.level for s in second.object_list} == {"warning"}
    # The last student's last five warnings, by course code.
    assert [s.course_code for s in second.object_list][-5:] == ["A105", "A106", "A107", "A108", "A109"]


def test_the_page_stays_cheap(client, many, django_assert_max_num_queries):
    client.force_login(many.coach)
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == 50
    with django_assert_max_num_queries(10):
        response = client.get(CSV)
    assert response.content.decode("utf-8-sig").count("\r\n") == 1 + 66


# --- CSV --------------------------------------------------------------------------------------
def test_the_csv_has_the_filters_and_order_of_the_page(client, risks):
    client.force_login(risks.world.coach)
    response = client.get(CSV, {"level": "refusal_ahead"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="risk-signals-2026-11-23.csv"'
    assert response.content.decode("utf-8-sig").split("\r\n") == [
        "Student number;Last name;First name;Programme;Kind;Level;Course;Computed on",
        "r0000003;Aerts;Bram;BA-A;repeated failure (Art. 31);refusal ahead;A101;2026-11-19",
        "r0000003;Aerts;Bram;BA-A;repeated failure (Art. 31);refusal ahead;A102;2026-11-19",
        "r0000004;Claes;Chris;BA-A;learning account (Art. 33);refusal ahead;;2026-11-22",
        "",
    ]
    lines = client.get(CSV, {"ordering": "computed"}).content.decode("utf-8-sig").split("\r\n")
    assert [line.split(";")[0] for line in lines[1:-1]] == ["r0000003", "r0000003", "r0000001", "r0000001", "r0000004"]


def test_the_csv_is_within_the_users_students(client, risks):
    client.force_login(risks.world.other_coach)
    lines = client.get(CSV).content.decode("utf-8-sig").split("\r\n")
    assert lines[1:] == ["r0000002;Janssens;Dirk;BA-B;decree threshold (Art. 30);refusal ahead;;2026-11-18", ""]


def test_the_page_links_its_csv_with_the_filters(client, risks):
    client.force_login(risks.world.coach)
    body = listed(client, level="warning").content.decode()
    assert f'href="{CSV}?level=warning"' in body


# --- The student list links the risk list; the home page counts ------------------------------
def test_the_student_list_links_the_risk_list(client, risks):
    client.force_login(risks.world.coach)
    body = client.get(reverse("students:student_list")).content.decode()
    assert f'href="{LIST}"' in body and "Risk list" in body


def risk_counts(user, today=TODAY):
    """The coach's panel's two risk lines: (count, tone, url)."""
    (panel,) = [p for p in home.panels_for(user, today=today) if p.panel.key == "progress"]
    return [(i.count, i.tone, i.url) for i in panel.items if i.url.startswith(LIST)]


def test_the_coachs_home_counts_students_by_level(risks):
    w = risks.world
    refusal, warning = f"{LIST}?level=refusal_ahead", f"{LIST}?level=warning"
    # Refusal ahead: r0000003 (two signals, one student) and r0000004; a warning: r0000001.
    assert risk_counts(w.coach) == [(2, "danger", refusal), (1, "warning", warning)]
    assert risk_counts(w.other_coach) == [(1, "danger", refusal), (0, "warning", warning)]
    # A student with a warning and a refusal ahead counts in both.
    signal(risks.claes, w.programme, "decree_threshold", "warning")
    assert risk_counts(w.coach) == [(2, "danger", refusal), (2, "warning", warning)]
    assert risk_counts(w.admin) == [(3, "danger", refusal), (2, "warning", warning)]


def test_the_home_links_the_risk_list_of_the_level(client, risks):
    client.force_login(risks.world.coach)
    body = client.get(reverse("home")).content.decode()
    assert "2 students with a refusal ahead" in body and "1 student with a risk warning" in body
    assert f'href="{LIST}?level=refusal_ahead"' in body
    assert names(listed(client, level="refusal_ahead"), risks) == "abc"


# --- Dutch ------------------------------------------------------------------------------------
def test_the_risk_list_speaks_dutch(client, risks):
    client.force_login(risks.world.coach)
    client.cookies["django_language"] = "nl"
    body = listed(client).content.decode()
    assert '<h1 class="h3 mb-1">Risico op weigering</h1>' in body
    assert "Weigering in zicht" in body and "herhaaldelijk niet slagen (art. 31)" in body
    assert "19/11/2026" in body
    csv = client.get(CSV).content.decode("utf-8-sig")
    assert csv.startswith("Studentennummer;")


# --- Admin ------------------------------------------------------------------------------------
def test_the_admin_lists_the_signals_read_only(client, risks):
    admin_client = client
    admin_client.force_login(risks.world.admin)
    response = admin_client.get(reverse("admin:progress_risksignal_changelist"), {"q": "aerts"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    assert admin_client.get(reverse("admin:progress_risksignal_add")).status_code == 403
    url = reverse("admin:progress_risksignal_change", args=[risks.rows.a.pk])
    assert admin_client.get(url).status_code == 200  # a view page, no form to save
    assert admin_client.post(url, {}).status_code == 403
    assert RiskSignal.objects.filter(pk=risks.rows.a.pk).exists()


def test_every_word_of_the_page_is_translated_or_data(client, risks):
    """As tests/core/test_pseudo_locale.py reads every page: with the pseudo locale every
    translated string is between markers; what is left is data (names, codes, dates, numbers)."""
    from tests.core.pseudo import data_pattern, page_texts, pseudo_locale, untranslated, visible_texts
    from tests.core.test_pseudo_locale import ALLOWED_WORDS, data_phrases

    client.force_login(risks.world.coach)
    data = data_pattern(data_phrases())
    problems = []
    with pseudo_locale():
        for query in ({}, {"q": "nobody"}, {"level": "catastrophe"}):
            html = client.get(LIST, query).content.decode()
            for text, rest in page_texts(visible_texts(html)):
                problems += untranslated(text, data, ALLOWED_WORDS, rest=rest)
    assert problems == []


# --- Issue 19: the first CAP signals ----------------------------------------------------------
def test_the_default_order_reads_across_the_levels_page_by_page(client, many):
    """The default order (most urgent first, then the student number) is read a level at a
    time: page 2 holds the last ten warnings, then the six pieces of information by number."""
    client.force_login(many.coach)
    rows = listed(client, page=2).context["page"].object_list
    assert [s.level for s in rows] == ["warning"] * 10 + ["information"] * 6
    assert [(s.student.number, s.course_code) for s in rows][:2] == [("r1000005", "A100"), ("r1000005", "A101")]
    assert [s.student.number for s in rows][10:] == [f"r10000{n:02d}" for n in range(6)]


def test_the_list_stops_at_the_cap_and_says_so(client, many, monkeypatch):
    """Issue 19: the list counts and pages through the first ``CAP`` signals (here 25 of the
    66: the first 25 warnings by number and course), the counts per level stop one beyond the
    cap ("25+" for the 60 warnings)."""
    from core import pagination

    monkeypatch.setattr(pagination, "CAP", 25)
    client.force_login(many.coach)
    response = listed(client)
    page = response.context["page"]
    assert (page.paginator.count, page.paginator.capped, page.paginator.num_pages) == (25, True, 1)
    rows = [(s.student.number, s.course_code) for s in page.object_list]
    assert len(rows) == 25 and rows[0] == ("r1000000", "A100") and rows[-1] == ("r1000002", "A104")
    body = response.content.decode()
    assert "More than 25 signals" in body
    assert {c["level"]: c["shown"] for c in response.context["counts"]} == {
        "refusal_ahead": 0,
        "warning": "25+",
        "information": 6,
    }
    # Filtered below the cap: counted whole.
    page = listed(client, level="information").context["page"]
    assert (page.paginator.count, page.paginator.capped) == (6, False)
