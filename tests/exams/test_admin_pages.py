"""The administration's admin pages (issue 13 points 19 and 20): a result is entered by
searching the student and the course (no ISP line id), each error is said once, the lists
filter by programme and academic year, the student's admin page and the study progress file
link to each other, and the exam periods show the publication planned and done with the marks
still missing per course."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode

from core.timeline import run_deadlines
from exams import tallies, tasks
from exams.models import MissingMarksTally, Result
from exams.results import result_record
from programmes.models import ExamPeriod
from students.models import EnrolmentStatus
from tests.exams.conftest import publish_marker, snapshot
from tests.exams.test_admin import ADD_URL, errors, form_data, new_result_data
from tests.support import personas
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
)

D = datetime.date


def day(value: datetime.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


# --- Point 20: a result by student and course -----------------------------------------------
def test_the_add_page_searches_the_student_and_the_course(admin_client, college):
    page = admin_client.get(ADD_URL).content.decode()
    assert 'name="isp_line"' not in page
    # Django's admin autocomplete: the students' and courses' own search fields.
    assert 'data-app-label="students" data-model-name="enrolment" data-field-name="student"' in page
    assert 'data-app-label="students" data-model-name="ispline" data-field-name="course"' in page


@pytest.mark.parametrize(
    ("field", "model", "term", "expected"),
    [
        ("student", "enrolment", "r0100001", "r0100001"),
        ("student", "enrolment", "0100001", "r0100001"),
        ("course", "ispline", "NUM2", "NUM2"),
    ],
)
def test_the_autocomplete_finds_students_and_courses(admin_client, college, field, model, term, expected):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"term": term, "app_label": "students", "model_name": model, "field_name": field},
    )
    assert response.status_code == 200
    texts = [row["text"] for row in response.json()["results"]]
    assert len(texts) == 1 and texts[0].startswith(expected)


def test_the_result_goes_to_the_line_of_the_exam_periods_year(admin_client, college):
    # The same student and course in another year: the exam period's year decides the line.
    later = AcademicYearFactory(first_year=2024)
    enrolment = EnrolmentFactory(student=college.student, programme=college.programme, academic_year=later)
    ISPLineFactory(enrolment=enrolment, course=college.courses["NUM1"])
    response = admin_client.post(ADD_URL, new_result_data(college, score=12))
    assert response.status_code == 302, errors(response)
    assert Result.objects.get().isp_line == college.lines["NUM1"]


def test_a_course_outside_the_students_isp_is_said_once_on_the_course(admin_client, college):
    data = {**new_result_data(college, score=12), "course": college.courses["OUT1"].pk}
    before = snapshot()
    response = admin_client.post(ADD_URL, data)
    message = "OUT1 is not in the ISP of r0100001 "
    assert response.status_code == 200
    assert [str(e) for e in response.context["adminform"].form.errors["course"]][0].startswith(message)
    assert response.content.decode().count(message) == 1
    assert snapshot() == before


def test_an_opportunity_already_entered_is_not_overwritten_from_the_add_page(admin_client, college):
    result_record(isp_line=college.lines["NUM1"], exam_period=college.periods[1], opportunity=1, mark=8)
    before = snapshot()
    response = admin_client.post(ADD_URL, new_result_data(college, score=15))
    assert response.status_code == 200
    assert "already has a result for opportunity 1 of NUM1 (8)" in errors(response)
    assert snapshot() == before


def test_a_mark_and_a_grade_together_are_said_once(admin_client, college):
    response = admin_client.post(ADD_URL, new_result_data(college, score=12, grade="P"))
    page = response.content.decode()
    assert errors(response) == "Give either a mark from 0 to 20 or a grade (P, F, NA), not both."
    assert page.count("not both") == 1
    assert "result_score_or_grade" not in page  # not the database constraint's words as well


def test_a_mark_and_a_grade_on_the_isp_line_page_are_said_once(admin_client, college):
    url = reverse("admin:students_ispline_change", args=[college.lines["NUM1"].pk])
    data = form_data(admin_client.get(url))
    data.update(
        {
            "results-TOTAL_FORMS": 1,
            "results-0-exam_period": college.periods[1].pk,
            "results-0-opportunity": 1,
            "results-0-score": 12,
            "results-0-grade": "P",
        }
    )
    response = admin_client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("not both") == 1
    assert "result_score_or_grade" not in page
    assert not Result.objects.exists()


# --- Point 20: list filters by programme and academic year --------------------------------------
@pytest.mark.parametrize(
    ("url", "titles"),
    [
        ("admin:students_student_changelist", {"programme", "academic year"}),
        ("admin:students_enrolment_changelist", {"programme", "academic year"}),
        ("admin:students_ispline_changelist", {"programme", "academic year"}),
        ("admin:exams_result_changelist", {"programme", "academic year"}),
        ("admin:reschedules_exammoment_changelist", {"programme", "academic year"}),
        ("admin:reschedules_reschedulerequest_changelist", {"programme", "academic year"}),
    ],
)
def test_the_lists_filter_by_programme_and_year(admin_client, college, url, titles):
    # A filter shows once there is a choice to make: a second year and programme.
    AcademicYearFactory(first_year=2024)
    ProgrammeFactory(code="BA-OTHER")
    response = admin_client.get(reverse(url))
    assert response.status_code == 200
    found = {str(spec.title).lower() for spec in response.context["cl"].filter_specs}
    assert titles <= found, found


def test_the_student_filters_read_the_programme_and_the_year_together(admin_client, db):
    y1, y2 = AcademicYearFactory(first_year=2023), AcademicYearFactory(first_year=2024)
    a, b = ProgrammeFactory(code="BA-A"), ProgrammeFactory(code="BA-B")
    both = EnrolmentFactory(programme=a, academic_year=y1, student__number="r1").student
    EnrolmentFactory(student=both, programme=b, academic_year=y2)
    only_a_later = EnrolmentFactory(programme=a, academic_year=y2, student__number="r2").student
    EnrolmentFactory(programme=b, academic_year=y1, student__number="r3")

    def numbers(**params):
        response = admin_client.get(reverse("admin:students_student_changelist"), params)
        return sorted(s.number for s in response.context["cl"].result_list)

    # r1 is in BA-A in 2023-2024 and in BA-B in 2024-2025: not "in BA-A in 2024-2025".
    assert numbers(enrolled_programme=a.pk, enrolled_year=y2.pk) == [only_a_later.number]
    assert numbers(enrolled_programme=a.pk) == ["r1", "r2"]
    assert numbers(enrolled_year=y1.pk) == ["r1", "r3"]
    assert numbers() == ["r1", "r2", "r3"]


# --- Point 20: the student's admin page and the study progress file -----------------------------
def test_the_students_admin_page_links_to_the_study_progress_file(admin_client, college):
    page = admin_client.get(reverse("admin:students_student_change", args=[college.student.pk]))
    link = reverse("students:student_detail", args=["r0100001"])
    assert f'<a href="{link}" id="study-progress-link">' in page.content.decode()


@pytest.mark.parametrize(("persona", "shown"), [("administration", True), ("committee", False)])
def test_the_study_progress_file_links_back_for_staff_who_may_change_students(client, college, persona, shown):
    client.force_login(getattr(personas, persona)(persona))
    response = client.get(reverse("students:student_detail", args=["r0100001"]))
    assert response.status_code == 200
    link = reverse("admin:students_student_change", args=[college.student.pk])
    assert (f'href="{link}"' in response.content.decode()) is shown


# --- Point 19: the publication planned and done -----------------------------------------------
@pytest.fixture
def term(db):
    """2023-2024 with four enrolled students in BA-PUB: first-semester course S1 (all four),
    second-semester course S2 (two of them); one more student deregistered with S1 and an
    exempted S1 line, which miss nothing."""
    year = AcademicYearFactory()
    programme = ProgrammeFactory(code="BA-PUB")
    s1 = CourseFactory(programme=programme, code="S1", semester="1")
    s2 = CourseFactory(programme=programme, code="S2", semester="2")
    lines = {}
    for number in ("r1", "r2", "r3", "r4"):
        enrolment = EnrolmentFactory(programme=programme, academic_year=year, student__number=number)
        lines[(number, "S1")] = ISPLineFactory(enrolment=enrolment, course=s1)
        if number in ("r1", "r2"):
            lines[(number, "S2")] = ISPLineFactory(enrolment=enrolment, course=s2)
    gone = EnrolmentFactory(
        programme=programme, academic_year=year, student__number="r5", status=EnrolmentStatus.DEREGISTERED
    )
    ISPLineFactory(enrolment=gone, course=s1)
    exempted = EnrolmentFactory(programme=programme, academic_year=year, student__number="r6")
    ISPLineFactory(enrolment=exempted, course=s1, exempted=True)
    periods = {p.number: p for p in year.exam_periods.select_related("academic_year")}
    return year, periods, lines


def changelist_row(response, period: ExamPeriod) -> str:
    page = response.content.decode()
    start = page.index(str(period))
    return page[start : page.index("</tr>", start)]


@time_machine.travel(datetime.datetime(2024, 1, 20, 10, 0), tick=False)
def test_before_the_publication_the_list_shows_the_missing_marks_a_worker_counted(
    admin_client, term, monkeypatch, django_capture_on_commit_callbacks
):
    """The list counts no period itself (seconds each with many students): a period never
    counted says so and a worker is asked to count it."""
    year, periods, lines = term
    queued = []
    monkeypatch.setattr(tasks.missing_marks_count, "delay", lambda period_id: queued.append(period_id))
    with django_capture_on_commit_callbacks(execute=True):
        result_record(isp_line=lines[("r1", "S1")], exam_period=periods[1], opportunity=1, mark=12)
    assert queued == [periods[1].pk]  # the result entered has the period counted again
    queued.clear()
    url = reverse("admin:programmes_examperiod_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.get(url)
    row = changelist_row(response, periods[1])
    assert "not counted yet: being counted in the background" in row
    assert sorted(queued) == sorted(p.pk for p in periods.values())
    assert not MissingMarksTally.objects.exists()  # a page that is read writes nothing itself
    for period_id in queued:
        tasks.missing_marks_count(period_id)  # the worker
    row = changelist_row(admin_client.get(url), periods[1])
    assert day(D(2024, 2, 6)) in row  # planned
    assert "not published yet" in row
    # S1: r2, r3 and r4 (r5 is deregistered, r6 exempted); S2 is examined in period 2.
    assert "3 missing, 1 entered" in row
    assert reverse("admin:programmes_examperiod_publication", args=[periods[1].pk]) in row
    assert "0 missing, 0 entered" not in changelist_row(admin_client.get(url), periods[2])
    assert "2 missing, 0 entered" in changelist_row(admin_client.get(url), periods[2])


@time_machine.travel(datetime.datetime(2024, 1, 20, 10, 0), tick=False)
def test_the_list_shows_the_missing_marks_as_last_counted(admin_client, term):
    """The list reads the count a Celery task keeps (``exams.tallies``), not the lines examined,
    and says when it was counted; marks entered since show once counted again."""
    year, periods, lines = term
    tallies.count(periods[1])
    result_record(isp_line=lines[("r1", "S1")], exam_period=periods[1], opportunity=1, mark=12)
    with time_machine.travel(datetime.datetime(2024, 1, 20, 10, 5), tick=False):
        row = changelist_row(admin_client.get(reverse("admin:programmes_examperiod_changelist")), periods[1])
    assert 'title="Counted 5\xa0minutes ago."' in row
    assert "4 missing, 0 entered" in row  # the mark entered since is not counted yet
    tallies.count(periods[1])
    row = changelist_row(admin_client.get(reverse("admin:programmes_examperiod_changelist")), periods[1])
    assert "3 missing, 1 entered" in row and 'title="Counted just now."' in row


@time_machine.travel(datetime.datetime(2024, 1, 20, 10, 0), tick=False)
def test_the_publication_page_lists_the_missing_marks_per_course(admin_client, term):
    year, periods, lines = term
    result_record(isp_line=lines[("r1", "S1")], exam_period=periods[1], opportunity=1, mark=12)
    response = admin_client.get(reverse("admin:programmes_examperiod_publication", args=[periods[1].pk]))
    assert response.status_code == 200
    rows = {(r["course"].code, r["entered"], r["missing"]) for r in response.context["rows"]}
    assert rows == {("S1", 1, 3)}
    assert response.context["done"] is None
    assert "Not published yet" in response.content.decode()
    # Exam period 2 examines S2 (two students) and nothing is entered yet.
    response = admin_client.get(reverse("admin:programmes_examperiod_publication", args=[periods[2].pk]))
    assert {(r["course"].code, r["entered"], r["missing"]) for r in response.context["rows"]} == {("S2", 0, 2)}


def test_the_publication_page_shows_the_counts_per_course_as_last_counted(
    admin_client, term, monkeypatch, django_capture_on_commit_callbacks
):
    """Never counted: the page counts its period once and has a worker keep the count; then it
    reads the kept counts per course (the marks entered since show once counted again), and says
    when they were counted."""
    year, periods, lines = term
    queued = []
    monkeypatch.setattr(tasks.missing_marks_count, "delay", lambda period_id: queued.append(period_id))
    url = reverse("admin:programmes_examperiod_publication", args=[periods[1].pk])
    with time_machine.travel(datetime.datetime(2024, 1, 20, 10, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.get(url)
        assert {(r["course"].code, r["entered"], r["missing"]) for r in response.context["rows"]} == {("S1", 0, 4)}
        assert queued == [periods[1].pk] and not MissingMarksTally.objects.exists()
        tasks.missing_marks_count(periods[1].pk)  # the worker
        result_record(isp_line=lines[("r1", "S1")], exam_period=periods[1], opportunity=1, mark=12)
    with time_machine.travel(datetime.datetime(2024, 1, 20, 10, 5), tick=False):
        response = admin_client.get(url)
        assert {(r["course"].code, r["entered"], r["missing"]) for r in response.context["rows"]} == {("S1", 0, 4)}
        assert "Counted 5\xa0minutes ago." in response.content.decode()
        tasks.missing_marks_count(periods[1].pk)  # the worker the result entered asked for
        response = admin_client.get(url)
    assert {(r["course"].code, r["entered"], r["missing"]) for r in response.context["rows"]} == {("S1", 1, 3)}
    page = response.content.decode()
    assert "Counted just now." in page and "3 marks are still missing before the publication." in page


def test_after_the_publication_the_list_says_when_and_who(admin_client, term):
    year, periods, lines = term
    with time_machine.travel(datetime.datetime(2024, 1, 20, 10, 0), tick=False):
        for number in ("r1", "r2", "r3", "r4"):
            result_record(isp_line=lines[(number, "S1")], exam_period=periods[1], opportunity=1, mark=12)
    with time_machine.travel(datetime.datetime(2024, 2, 7, 2, 30, tzinfo=datetime.UTC), tick=False):
        run_deadlines(today=D(2024, 2, 7))
        tasks.missing_marks_count(periods[1].pk)  # the worker asked when the marks were entered
        response = admin_client.get(reverse("admin:programmes_examperiod_changelist"))
    row = changelist_row(response, periods[1])
    assert f"published on {day(D(2024, 2, 6))} by the system" in row
    assert "run by the deadline job at" in row and "no person publishes the results" in row
    ran_at = formats.date_format(
        timezone.localtime(datetime.datetime(2024, 2, 7, 2, 30, tzinfo=datetime.UTC)), "SHORT_DATETIME_FORMAT"
    )
    assert ran_at in row
    assert "4 entered" in row
    # Exam period 2 is still to come.
    assert "not published yet" in changelist_row(response, periods[2])


def test_the_publication_page_says_the_system_published(admin_client, term):
    year, periods, lines = term
    publish_marker(periods[1])
    response = admin_client.get(reverse("admin:programmes_examperiod_publication", args=[periods[1].pk]))
    page = response.content.decode()
    assert response.context["done"] is not None
    assert "by the deadline job of the system" in page
    assert "no person publishes the results" in page


def test_the_third_exam_period_counts_nothing_as_missing(admin_client, term):
    year, periods, lines = term
    tasks.missing_marks_count(periods[3].pk)
    response = admin_client.get(reverse("admin:programmes_examperiod_changelist"))
    assert ">0 entered<" in changelist_row(response, periods[3])
    response = admin_client.get(reverse("admin:programmes_examperiod_publication", args=[periods[3].pk]))
    assert response.context["counts_missing"] is False


def test_the_exam_periods_list_reads_publications_and_counts_per_page_not_per_row(
    admin_client, term, django_assert_max_num_queries
):
    """Found by the load test (bench/load.py): the list asked for each row's publication (twice)
    and counted its results, three queries a row."""
    year, periods, lines = term
    url = reverse("admin:programmes_examperiod_changelist")
    for period in periods.values():
        publish_marker(period)
    with CaptureQueriesContext(connection) as three_periods:
        admin_client.get(url)
    for first_year in (2020, 2021, 2022):
        for period in AcademicYearFactory(first_year=first_year).exam_periods.select_related("academic_year"):
            publish_marker(period)

    with django_assert_max_num_queries(len(three_periods.captured_queries)):
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 12
    assert response.content.decode().count("by the system") == 12


@pytest.mark.parametrize(("persona", "status"), [("administration", 200), ("committee", 200), ("coach", 302)])
def test_the_publication_page_is_for_staff_who_see_the_exam_periods(client, term, persona, status):
    year, periods, lines = term
    client.force_login(getattr(personas, persona)(persona))
    response = client.get(reverse("admin:programmes_examperiod_publication", args=[periods[1].pk]))
    assert response.status_code == status


# --- Issue 19 §2: the results' admin pages in a fixed number of queries -----------------------
# Each page is read with few rows, then with more rows (more partial exams on the result's
# page): the count stays the same and within the budget of the issue.
BUDGET = 15


def _queries(client, url, django_assert_max_num_queries) -> int:
    """The queries of a page read a second time (the first read fills the process's caches)."""
    client.get(url)
    with django_assert_max_num_queries(BUDGET) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _results(college, n: int, *, first_year: int) -> list[Result]:
    """``n`` students of another year with a first-opportunity result each (a line of NUM1)."""
    year = AcademicYearFactory(first_year=first_year)
    period = year.exam_periods.get(number=1)
    found = []
    for _ in range(n):
        line = ISPLineFactory(
            enrolment=EnrolmentFactory(programme=college.programme, academic_year=year),
            course=college.courses["NUM1"],
        )
        found.append(Result.objects.create(isp_line=line, exam_period=period, opportunity=1, score=11))
    return found


def test_the_results_list_takes_the_same_queries_for_more_results(admin_client, college, django_assert_max_num_queries):
    url = reverse("admin:exams_result_changelist")
    _results(college, 3, first_year=2020)
    few = _queries(admin_client, url, django_assert_max_num_queries)
    _results(college, 30, first_year=2021)
    assert _queries(admin_client, url, django_assert_max_num_queries) == few
    # Searched, filtered and sorted by the exam period: within the budget too.
    for query in ({"q": "S0"}, {"q": "NUM"}, {"opportunity__exact": 1, "o": "3"}):
        assert _queries(admin_client, f"{url}?{urlencode(query)}", django_assert_max_num_queries) <= BUDGET


def test_the_results_list_searches_the_beginning_of_a_number_a_name_or_a_code(admin_client, college):
    mine = result_record(
        isp_line=college.lines["NUM1"], exam_period=college.periods[1], opportunity=1, mark=14, parts=(), by=None
    )
    others = _results(college, 2, first_year=2020)
    url = reverse("admin:exams_result_changelist")
    college.student.last_name = "Qwertyan"
    college.student.save()
    for query, expected in (
        ("r0100001", {mine.pk}),
        ("R01000", {mine.pk}),  # the beginning of the number, whatever the case
        ("qwe", {mine.pk}),
        ("NUM1", {mine.pk, *(r.pk for r in others)}),
        ("0100001", set()),  # not the middle of a number
    ):
        found = {r.pk for r in admin_client.get(url, {"q": query}).context["cl"].result_list}
        assert found == expected, query


def test_the_results_list_is_newest_first(admin_client, college):
    results = _results(college, 3, first_year=2020)
    response = admin_client.get(reverse("admin:exams_result_changelist"))
    assert [r.pk for r in response.context["cl"].result_list] == [r.pk for r in reversed(results)]


def test_the_result_page_takes_the_same_queries_for_more_partial_exams(
    admin_client, college, django_assert_max_num_queries
):
    two = result_record(
        isp_line=college.lines["NUM1"],
        exam_period=college.periods[1],
        opportunity=1,
        mark=None,
        parts=((3, 12), (3, 9)),
        by=None,
    )
    five = result_record(
        isp_line=college.lines["NUM2"],
        exam_period=college.periods[1],
        opportunity=1,
        mark=None,
        parts=((1, 12), (1, 9), (2, 14), (1, 8), (1, 10)),
        by=None,
    )
    assert two.parts.count() == 2 and five.parts.count() == 5
    count = _queries(admin_client, reverse("admin:exams_result_change", args=[two.pk]), django_assert_max_num_queries)
    url = reverse("admin:exams_result_change", args=[five.pk])
    assert _queries(admin_client, url, django_assert_max_num_queries) == count
