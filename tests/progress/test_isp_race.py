"""Coaches saving the same ISP at the same moment (issue 14, point 4): N threads, each with
its own client and its own database connection, post the same change on the same version at
once. Exactly one is saved (the redirect to the editor); every other gets the 409 page that
shows the current ISP; none gets a 500 (such as SQLite's "database is locked"), and nothing
is lost or saved twice.

The threads need committed data and real locks: the tests run on PostgreSQL (CI's
``make test``) and on a file-based SQLite database (``TEST_SQLITE_FILE=1``, a step of
``.ci/run``). SQLite's in-memory test database (shared cache) locks per table without
waiting, so there they are skipped."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from progress import services
from students.models import Enrolment, ExemptionApproval, ISPLine, LearningAccountEntry
from tests.support import personas, worlds

CONFLICT_TEXT = "This ISP was changed by someone else"  # the 409 page
CONFLICT_MESSAGE = "Someone else saved this ISP while you were working on it"  # the editor's message


@pytest.fixture
def race_world(transactional_db, on_coach_day):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("threads need a file-based SQLite test database (TEST_SQLITE_FILE=1) or PostgreSQL")
    return worlds.coach_world()


def _coaches(world, count: int) -> list[Client]:
    """``count`` clients, each logged in as a coach of the programme (one user each)."""
    clients = []
    for n in range(count):
        user = personas.coach(f"race-coach-{n}", programme=world.programme, academic_year=world.year)
        client = Client(raise_request_exception=False)  # an error in the view is a 500 here, as for a user
        client.force_login(user)
        clients.append(client)
    return clients


def _race(clients, url, data, *, follow=False):
    """Every client posts ``data`` to ``url`` at the same moment; their responses."""
    barrier = threading.Barrier(len(clients))
    responses = [None] * len(clients)

    def post(index, client):
        try:
            barrier.wait(timeout=30)
            responses[index] = client.post(url, data, follow=follow)
        finally:
            connections.close_all()  # this thread's connection: PostgreSQL drops the test database later

    threads = [threading.Thread(target=post, args=(n, client)) for n, client in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(not thread.is_alive() for thread in threads), "a request hung"
    return responses


def _outcome(responses) -> dict:
    statuses = [response.status_code for response in responses]
    return {status: statuses.count(status) for status in sorted(set(statuses))}


def _version(world) -> int:
    return Enrolment.objects.values_list("version", flat=True).get(pk=world.enrolment.pk)


def _assert_one_saved_the_others_told(responses, world, version):
    count = len(responses)
    assert _outcome(responses) == {302: 1, 409: count - 1}
    editor = reverse("students:isp_editor", kwargs={"pk": world.enrolment.pk})
    (saved,) = [r for r in responses if r.status_code == 302]
    assert saved["Location"] == editor
    for response in responses:
        if response.status_code == 409:
            assert CONFLICT_TEXT in response.content.decode()
            # The loser's change is offered again on the version the winner saved.
            assert response.context["preview"].version == version + 1


def _history_reasons(model, **filters) -> list[str]:
    return list(model.history.filter(**filters).values_list("history_change_reason", flat=True))


def _balance(student) -> int:
    return sum(LearningAccountEntry.objects.filter(student=student).values_list("credits", flat=True))


@pytest.mark.parametrize("coaches", [2, 6])
def test_removing_the_same_line_at_once_saves_it_once(race_world, coaches):
    world = race_world
    # A course of the second stage (a new student keeps the first stage's model route).
    line = services.isp_line_add(
        enrolment=world.enrolment, course=world.courses["A203"], expected_version=_version(world), by=world.coach
    )
    version, balance = _version(world), _balance(world.student)
    clients = _coaches(world, coaches)
    url = reverse("students:isp_change", kwargs={"pk": world.enrolment.pk})
    data = {"action": "remove", "line": line.pk, "version": version, "confirm": "1"}

    responses = _race(clients, url, data)

    _assert_one_saved_the_others_told(responses, world, version)
    assert _version(world) == version + 1
    assert ISPLine.objects.get(pk=line.pk).removed_on == worlds.COACH_TODAY
    assert _balance(world.student) == balance + line.course.credits  # given back once
    assert _history_reasons(ISPLine, id=line.pk).count("A203 removed") == 1
    assert _history_reasons(Enrolment, id=world.enrolment.pk).count("ISP: A203 removed") == 1


@pytest.mark.parametrize("coaches", [2, 6])
def test_exempting_the_same_line_at_once_records_it_and_its_refund_once(race_world, coaches):
    world = race_world
    line = ISPLine.objects.get(pk=world.lines["A101"].pk)
    version, deducted, balance = _version(world), line.deducted_credits, _balance(world.student)
    assert deducted > 0  # the line took credits from the learning account
    clients = _coaches(world, coaches)
    url = reverse("students:isp_change", kwargs={"pk": world.enrolment.pk})
    data = {
        "action": "exempt",
        "line": line.pk,
        "basis": "credit certificate 2020",
        "version": version,
        "confirm": "1",
    }

    responses = _race(clients, url, data)

    _assert_one_saved_the_others_told(responses, world, version)
    assert _version(world) == version + 1
    assert ExemptionApproval.objects.filter(isp_line=line).count() == 1
    assert ISPLine.objects.get(pk=line.pk).exempted
    assert _balance(world.student) == balance + deducted  # given back once
    assert _history_reasons(ISPLine, id=line.pk).count("A101 exempted") == 1
    assert _history_reasons(Enrolment, id=world.enrolment.pk).count("ISP: A101 exempted") == 1


@pytest.mark.parametrize("coaches", [2, 6])
def test_adding_the_same_course_at_once_adds_it_once(race_world, coaches):
    world, course = race_world, race_world.courses["A203"]
    version, balance = _version(world), _balance(world.student)
    clients = _coaches(world, coaches)
    url = reverse("students:isp_change", kwargs={"pk": world.enrolment.pk})
    data = {"action": "add", "course": course.pk, "version": version, "confirm": "1"}

    responses = _race(clients, url, data)

    _assert_one_saved_the_others_told(responses, world, version)
    assert _version(world) == version + 1
    (added,) = ISPLine.objects.filter(enrolment=world.enrolment, course=course)
    assert _balance(world.student) == balance - course.credits  # deducted once
    assert _history_reasons(ISPLine, id=added.pk).count("A203 added") == 1
    assert _history_reasons(Enrolment, id=world.enrolment.pk).count("ISP: A203 added") == 1


@pytest.mark.parametrize(
    ("step", "data", "done"),
    [
        ("isp_submit", {"late_reason": "enrolment documents came late"}, "The ISP was submitted."),
        ("isp_derogation", {"kind": "model_route", "ground": "work_route"}, "The derogation was recorded."),
    ],
)
def test_the_other_isp_writes_at_once_are_done_once_and_the_others_told(race_world, step, data, done):
    """The workflow step and the derogation answer a conflict with a message on the editor."""
    world = race_world
    version = _version(world)
    clients = _coaches(world, 6)
    url = reverse(f"students:{step}", kwargs={"pk": world.enrolment.pk})

    responses = _race(clients, url, {**data, "version": version}, follow=True)

    assert _outcome(responses) == {200: 6}
    pages = [response.content.decode() for response in responses]
    assert sum(done in page for page in pages) == 1
    assert sum(CONFLICT_MESSAGE in page for page in pages) == 5
    assert _version(world) == version + 1
    enrolment = Enrolment.objects.get(pk=world.enrolment.pk)
    if step == "isp_submit":
        assert enrolment.isp_status == "submitted"
        reason = "ISP submitted late: enrolment documents came late"
    else:
        assert enrolment.derogations.filter(kind="model_route").count() == 1
        reason = "ISP: derogation model_route recorded"
    assert _history_reasons(Enrolment, id=world.enrolment.pk).count(reason) == 1
