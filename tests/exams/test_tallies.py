"""The marks still missing before a publication, counted once and kept (exams.tallies,
issue 19): the administration's home page shows the kept count and when it was counted; beat
and each marksheet have a worker count again."""

import datetime

import pytest
import time_machine
from django.conf import settings

from committee.tasks import deliberated_count
from exams import home, tallies, tasks
from exams.models import MissingMarksTally
from exams.results import result_record
from tests.exams.test_admin_pages import term  # noqa: F401 - the fixture
from tests.exams.test_views import class_of_three, csv_file, office, upload, users  # noqa: F401 - fixtures
from tests.support import personas
from tests.support.factories import EnrolmentFactory, ISPLineFactory

JANUARY = datetime.datetime(2024, 1, 20, 10, 0)  # before the publication of period 1 (6 Feb 2024)


@pytest.fixture
def office_user(db):
    return personas.administration("tally-office")


@time_machine.travel(JANUARY, tick=False)
def test_the_count_is_kept_per_period(term):  # noqa: F811
    year, periods, lines = term
    result_record(isp_line=lines[("r1", "S1")], exam_period=periods[1], opportunity=1, mark=12)
    # Period 1 examines S1: r2, r3 and r4 miss a mark (r5 deregistered, r6 exempted).
    first = tallies.count(periods[1])
    assert (first.lines, first.courses, first.counted_at) == (
        3,
        1,
        datetime.datetime(2024, 1, 20, 10, 0, tzinfo=datetime.UTC),
    )
    # The marks entered, in all and per course: {course: [entered, missing]}.
    s1, s2 = lines[("r1", "S1")].course, lines[("r1", "S2")].course
    assert (first.entered, first.per_course) == (1, {str(s1.pk): [1, 3]})
    # Period 2 examines S2: r1 and r2.
    second = tallies.count(periods[2])
    assert (second.lines, second.courses, second.entered, second.per_course) == (2, 1, 0, {str(s2.pk): [0, 2]})
    # Period 3 counts the marks entered only: nothing is missing in the second chance.
    with time_machine.travel(datetime.datetime(2024, 8, 20, 10, 0), tick=False):
        result_record(isp_line=lines[("r2", "S2")], exam_period=periods[3], opportunity=1, mark=11)
        third = tallies.count(periods[3])
    assert (third.lines, third.courses, third.entered, third.per_course) == (0, 0, 1, {str(s2.pk): [1, 0]})
    # Counting again updates the period's one tally.
    result_record(isp_line=lines[("r2", "S1")], exam_period=periods[1], opportunity=1, mark=9)
    assert tallies.count(periods[1]).lines == 2
    assert MissingMarksTally.objects.count() == 3
    assert MissingMarksTally.objects.get(exam_period=periods[1]).per_course == {str(s1.pk): [2, 2]}


def test_the_home_page_shows_the_kept_count_without_counting_again(
    term,  # noqa: F811
    office_user,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    year, periods, lines = term
    queued = []
    monkeypatch.setattr(tasks.missing_marks_count, "delay", lambda period_id: queued.append(period_id))
    with time_machine.travel(JANUARY, tick=False):
        # Never counted: counted on the spot (S1 of r1, r2, r3 and r4), and a worker is asked to
        # keep the count; the page itself writes nothing.
        with django_capture_on_commit_callbacks(execute=True):
            (item,) = home.items(office_user, JANUARY.date())
        assert item.count == 4
        assert item.note.endswith("Counted just now.")
        assert queued == [periods[1].pk] and not MissingMarksTally.objects.exists()
        tasks.missing_marks_count(queued[0])  # the worker
        assert MissingMarksTally.objects.get(exam_period=periods[1]).lines == 4
        # A mark entered since: the page shows the kept count until a worker counts again.
        result_record(isp_line=lines[("r1", "S1")], exam_period=periods[1], opportunity=1, mark=12)
    with time_machine.travel(JANUARY + datetime.timedelta(minutes=7), tick=False):
        # The next publication (the periods with their tallies, and their transitions): no count.
        with django_assert_num_queries(2), django_capture_on_commit_callbacks(execute=True):
            (item,) = home.items(office_user, JANUARY.date())
        assert item.count == 4 and queued == [periods[1].pk]
        assert item.note.endswith("Counted 7\xa0minutes ago.")
        assert tasks.missing_marks_count() == 3  # what beat runs: the next publication's period
        (item,) = home.items(office_user, JANUARY.date())
        assert item.count == 3
        assert "In 1 course; the results of 2023-2024 are published on" in item.note


@time_machine.travel(JANUARY, tick=False)
def test_the_task_counts_the_period_given_or_the_next_publication(term):  # noqa: F811
    year, periods, lines = term
    assert tasks.missing_marks_count(periods[2].pk) == 2
    assert tasks.missing_marks_count() == 4  # S1 of r1, r2, r3 and r4
    assert set(MissingMarksTally.objects.values_list("exam_period__number", "lines")) == {(1, 4), (2, 2)}
    assert tasks.missing_marks_count(10**9) is None  # a period deleted since it was queued


@time_machine.travel(datetime.datetime(2024, 8, 20, 10, 0), tick=False)
def test_nothing_is_counted_before_the_second_chance(term):  # noqa: F811
    """Period 3 is taken by those who choose to: nothing is missing there (the panel shows the
    marks entered)."""
    year, periods, lines = term
    assert home.next_publication(datetime.date(2024, 8, 20)) == periods[3]
    assert tasks.missing_marks_count() is None
    assert not MissingMarksTally.objects.exists()


@time_machine.travel(JANUARY, tick=False)
def test_a_marksheet_has_a_worker_count_again_once_it_is_saved(
    office,  # noqa: F811
    class_of_three,  # noqa: F811
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    queued, deliberated = [], []
    monkeypatch.setattr(tasks.missing_marks_count, "delay", lambda period_id: queued.append(period_id))
    # The committee hears of the results entered too (core.events.results_recorded; tests/committee/test_tallies.py).
    monkeypatch.setattr(deliberated_count, "delay", lambda **asked: deliberated.append(asked["period_id"]))
    college = class_of_three
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(office, college, csv_file("student,opportunity,mark\nr0100001,1,12\n"))
    assert response.status_code == 200
    assert queued == deliberated == [college.periods[1].pk]
    # A refused marksheet writes nothing and queues nothing.
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(office, college, csv_file("student,opportunity,mark\nr9999999,1,12\n"))
    assert response.context["problems"]
    assert queued == deliberated == [college.periods[1].pk]


def test_a_broker_down_leaves_the_count_to_beat(term, monkeypatch, django_capture_on_commit_callbacks, caplog):  # noqa: F811
    def down(period_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.missing_marks_count, "delay", down)
    year, periods, lines = term
    with django_capture_on_commit_callbacks(execute=True):
        tallies.recount_soon(periods[1].pk)
    assert "could not queue the count of the missing marks" in caplog.text


def test_beat_counts_every_few_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["missing-marks-count"]
    assert entry["task"] == "exams.tasks.missing_marks_count"
    assert entry["schedule"].minute == set(range(0, 60, settings.MISSING_MARKS_EVERY))


def test_more_students_cost_the_home_page_no_more_queries(term, office_user, django_assert_num_queries):  # noqa: F811
    year, periods, lines = term
    with time_machine.travel(JANUARY, tick=False):
        tasks.missing_marks_count()
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            home.items(office_user, JANUARY.date())
        for _number in range(10):
            enrolment = EnrolmentFactory(programme=lines[("r1", "S1")].course.programme, academic_year=year)
            ISPLineFactory(enrolment=enrolment, course=lines[("r1", "S1")].course)
        with django_assert_num_queries(len(few.captured_queries)):
            (item,) = home.items(office_user, JANUARY.date())
        assert item.count == 4  # as last counted, not the 14 there are now
