"""The students deliberated that a deliberation report states (Art. 82), counted once and kept
(committee.tallies, issue 19): the report page of a deliberation not signed yet shows the kept
count; beat and the results entered have a worker count again; closing the deliberation and
signing its report count exactly.

The world (``committee_world``, tests/support/worlds.py): Education's deliberation on January
2024, six students S1-S6 of BA-E with marks in E1-E3 in January; the meeting of
tests/committee/test_report.py's ``held`` on 1 February 2024.
"""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committee import report, services, tallies, tasks
from committee.models import DeliberatedTally, Deliberation, DeliberationStatus, Report
from exams.models import Result
from exams.results import result_record
from programmes.models import ExamPeriod
from tests.committee.test_report import MEETING, held
from tests.support import worlds
from tests.support.factories import EnrolmentFactory, ISPLineFactory, StudentFactory

pytestmark = pytest.mark.django_db

COUNTED_AT = datetime.datetime(2024, 2, 1, 12, 0, tzinfo=datetime.UTC)  # worlds.on's clock


@pytest.fixture
def world(committee_world):
    with worlds.on(MEETING):
        yield committee_world


@pytest.fixture
def queued(monkeypatch):
    """The counts asked of a worker: (deliberation id, exam period id)."""
    asked = []
    monkeypatch.setattr(
        tasks.deliberated_count,
        "delay",
        lambda deliberation_id=None, period_id=None: asked.append((deliberation_id, period_id)),
    )
    return asked


def another_student(world, *, programme=None, record=False):
    """A seventh student of the committee's programmes (BA-E2 by default) with a mark in E1 in
    January: written directly (no event), or entered as exams enters results (``record``)."""
    enrolment = EnrolmentFactory(
        student=StudentFactory(), academic_year=world.year, programme=programme or world.programme_2
    )
    line = ISPLineFactory(enrolment=enrolment, course=world.courses["E1"])
    if record:
        return result_record(isp_line=line, exam_period=world.january, opportunity=1, mark=11)
    return Result.objects.create(isp_line=line, exam_period=world.january, opportunity=1, score=11)


def page(client, world, user=None):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("committee:report", args=[world.deliberation.pk]))


@pytest.fixture
def chair(client, world):
    client.force_login(world.chair_user)
    return client


def counted_distinct(queries) -> list[str]:
    """The queries that count the students with a result of the period (the count of the tally)."""
    return [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper() and '"exams_result"' in q["sql"]]


def test_the_count_is_kept_per_deliberation(world):
    first = tallies.count(world.deliberation)
    assert (first.students, first.counted_at) == (6, COUNTED_AT)
    # BA-E2 is Education's too (cluster Education); BA-T is (Bio)Technology's.
    another_student(world)
    another_student(world, programme=world.tech)
    assert tallies.count(world.deliberation).students == 7
    assert DeliberatedTally.objects.get().students == 7  # counting again updates the one tally
    assert tallies.deliberated(world.deliberation).count() == 7


def test_a_deliberation_never_counted_is_counted_on_the_spot(chair, world, queued, django_capture_on_commit_callbacks):
    held(world, close=False)
    assert not DeliberatedTally.objects.exists()
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as read:
        response = page(chair, world)
    # Counted on the spot (the one count), and a worker is asked to keep it; the page writes nothing.
    assert response.context["content"]["students_deliberated"] == 6
    assert "6 students of the committee's programmes have a mark" in response.content.decode()
    assert len(counted_distinct(read.captured_queries)) == 1
    assert queued == [(world.deliberation.pk, None)] and not DeliberatedTally.objects.exists()
    assert tasks.deliberated_count(*queued[0]) == {world.deliberation.pk: 6}  # the worker
    assert DeliberatedTally.objects.get(deliberation=world.deliberation).students == 6


def test_the_page_of_an_open_deliberation_shows_the_kept_count_without_counting(chair, world, queued):
    held(world, close=False)
    with CaptureQueriesContext(connection) as uncounted:
        page(chair, world)
    tallies.count(world.deliberation)
    another_student(world)  # a mark entered since, not counted yet
    with CaptureQueriesContext(connection) as read:
        response = page(chair, world)
    assert response.status_code == 200
    assert response.context["content"]["students_deliberated"] == 6  # as last counted, not the 7 there are
    assert counted_distinct(read.captured_queries) == []
    # The tally is read with the deliberation: one query less than counting, within the budget.
    assert len(read) == len(uncounted) - 1 <= 15
    # A worker counts again (beat, or the results entered): the page follows.
    assert tasks.deliberated_count() == {world.deliberation.pk: 7}
    assert page(chair, world).context["content"]["students_deliberated"] == 7


def test_the_page_says_when_the_count_was_counted_in_the_readers_language(chair, world, queued):
    """The kept count may be minutes old: the page of a report not signed yet says when it was
    counted, in English and Dutch; a deliberation never counted is counted for the page."""
    held(world, close=False)
    assert 'id="deliberated-counted">Counted just now.<' in page(chair, world).content.decode()
    tallies.count(world.deliberation)
    with time_machine.travel(COUNTED_AT + datetime.timedelta(minutes=10), tick=False):
        assert 'id="deliberated-counted">Counted 10\xa0minutes ago.<' in page(chair, world).content.decode()
        chair.cookies["django_language"] = "nl"
        assert 'id="deliberated-counted">10\xa0minuten geleden geteld.<' in page(chair, world).content.decode()


def test_closing_counts_exactly(world):
    held(world, close=False)
    tallies.count(world.deliberation)
    another_student(world)
    services.deliberation_close(deliberation=world.deliberation)
    assert DeliberatedTally.objects.get(deliberation=world.deliberation).students == 7


def test_signing_stores_the_exact_count_in_the_report_and_the_tally(client, world):
    deliberation = held(world)  # closed: counted, 6
    another_student(world)  # a result announced later, after the close; not counted yet
    assert DeliberatedTally.objects.get(deliberation=deliberation).students == 6
    client.force_login(world.chair_user)
    client.post(reverse("committee:report", args=[deliberation.pk]), {"action": "sign", "member": world.chair.pk})
    first = Report.objects.get(deliberation=deliberation)
    assert first.chair_signed_at is not None and first.content["students_deliberated"] == 7
    assert DeliberatedTally.objects.get(deliberation=deliberation).students == 7
    # The page shows the report on the kept count: the same as signed, so no change since.
    response = page(client, world, world.secretary_user)
    assert response.context["content"]["students_deliberated"] == 7
    assert not response.context["changed_since_signature"]
    # The second signature freezes the exact count too.
    client.force_login(world.secretary_user)
    client.post(reverse("committee:report", args=[deliberation.pk]), {"action": "sign", "member": world.secretary.pk})
    signed = Report.objects.get(deliberation=deliberation)
    assert signed.signed and signed.content["students_deliberated"] == 7
    assert DeliberatedTally.objects.get(deliberation=deliberation).students == 7
    assert report.frozen_or_current(deliberation)["students_deliberated"] == 7


def test_the_signature_and_its_count_are_kept_in_one_transaction(world, monkeypatch):
    deliberation = held(world)
    content = report.report_content(deliberation)

    def fails(deliberation, students):
        raise RuntimeError("the count could not be kept")

    monkeypatch.setattr(services.tallies, "keep", fails)
    with pytest.raises(RuntimeError):
        services.report_sign(deliberation=deliberation, member=world.chair, content=content)
    assert not Report.objects.filter(deliberation=deliberation).exists()  # the signature rolled back


def test_the_task_counts_the_deliberations_not_closed_only(world):
    """Beat counts every deliberation prepared or open (a correction opens a closed one again);
    a closed one was counted when it closed, and its report is signed on that count."""
    held(world, close=False)  # Education on January: open
    technology = Deliberation.objects.create(committee=world.technology, exam_period=world.january)  # prepared
    june = ExamPeriod.objects.get(academic_year=world.year, number=2)
    closed = Deliberation.objects.create(
        committee=world.education, exam_period=june, status=DeliberationStatus.CLOSED, closed_on=MEETING
    )
    tallies.keep(closed, 42)
    assert tasks.deliberated_count() == {world.deliberation.pk: 6, technology.pk: 0}
    assert DeliberatedTally.objects.get(deliberation=closed).students == 42
    assert tasks.deliberated_count(closed.pk) == {closed.pk: 0}  # asked for by name: counted
    assert tasks.deliberated_count(10**9) == {}  # a deliberation deleted since it was queued


def test_results_entered_have_a_worker_count_the_unsigned_deliberations_of_their_period(
    client, world, queued, django_capture_on_commit_callbacks
):
    deliberation = held(world)
    for member, user in ((world.chair, world.chair_user), (world.secretary, world.secretary_user)):
        client.force_login(user)
        client.post(reverse("committee:report", args=[deliberation.pk]), {"action": "sign", "member": member.pk})
    assert services.is_signed(deliberation)
    technology = Deliberation.objects.create(committee=world.technology, exam_period=world.january)
    with django_capture_on_commit_callbacks(execute=True):
        another_student(world, programme=world.tech, record=True)
    assert queued == [(None, world.january.pk)]
    # The period's deliberations whose report is not signed: (Bio)Technology's, not Education's.
    assert tasks.deliberated_count(*queued[0]) == {technology.pk: 1}
    assert DeliberatedTally.objects.get(deliberation=deliberation).students == 6  # as signed
    # A mark changed (no student more, none less) asks for no count.
    line = world.lines["s0000001", "E2"]
    with django_capture_on_commit_callbacks(execute=True):
        result_record(isp_line=line, exam_period=world.january, opportunity=1, mark=13)
    assert queued == [(None, world.january.pk)]


def test_a_broker_down_leaves_the_count_to_beat(world, monkeypatch, django_capture_on_commit_callbacks, caplog):
    def down(**kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.deliberated_count, "delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        tallies.recount_soon(period_id=world.january.pk)
    assert "could not queue the count of the students deliberated" in caplog.text


def test_beat_counts_every_few_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["deliberated-count"]
    assert entry["task"] == "committee.tasks.deliberated_count"
    assert entry["schedule"].minute == set(range(0, 60, settings.DELIBERATED_EVERY))
