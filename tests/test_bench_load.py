"""The load test of bench/load.py (``python -m bench --only load``): it runs only when named,
its figures are computed as stated, and what it prepares lets each virtual user do its work
on the real views: coaches on students of their own, ombudspersons on requests of their own.
The load itself (gunicorn, locust) runs only in ``bench``; no timing is asserted here."""

import datetime
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from bench import _pages, load
from bench.__main__ import benchmark_names, default_run
from reschedules.models import RequestStatus, RescheduleRequest
from students.models import Enrolment


def test_the_load_test_runs_only_when_named():
    names = benchmark_names()

    assert "load" in names  # python -m bench --only load
    assert "load" not in default_run(names)  # make bench
    assert {"lock", "publication"} <= set(default_run(names))
    assert not any(name.startswith("_") for name in names)  # the locustfile is no benchmark


def test_figures_per_page_percentiles_errors_and_targets():
    samples = [["coach: ISP editor", ms, 200, ""] for ms in range(1, 101)]
    samples += [["admin: appeal register", 400.0, 200, ""] for _ in range(20)]
    samples += [["login: submit", 900.0, 302, ""] for _ in range(5)]
    samples += [["ombuds: decide request", 50.0, 500, "status 500 (expected 302)"]]
    samples += [["ombuds: decide request", 40.0, 503, ""]]  # a 5xx is an error even unflagged
    samples += [["coach: ISP save", 30.0, 302, "redirected to the login page: /accounts/login/"]]

    figures = load.summarise(samples, seconds=10, students=3000)

    editor = figures.pages["coach: ISP editor"]
    # Nearest rank over 1..100 ms.
    assert (editor.p(0.5), editor.p(0.95), editor.p(0.99)) == (50, 95, 99)
    assert editor.errors == 0 and editor.statuses == {200: 100}
    assert figures.pages["ombuds: decide request"].errors == 2
    assert figures.errors == 3 and figures.server_errors == 2
    assert figures.requests == 128 and figures.rate == pytest.approx(12.8)
    # The register misses the p95 target; the login's password hash has none.
    assert figures.slow_pages == ["admin: appeal register"]

    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", out)
        load.report(figures)
    printed = out.getvalue()
    assert "target 0 errors:      NOT MET (3 errors, 2 5xx)" in printed
    assert "NOT MET on 1 page(s): admin: appeal register" in printed


def test_the_workers_times_join_their_pages(tmp_path):
    # One file per gunicorn worker (bench/_gunicorn_conf.py): [page, ms, cpu ms, status].
    (tmp_path / "times.101").write_text('["coach: ISP editor", 12.5, 10.0, 200]\n["static files", 1, 1, 200]\n')
    (tmp_path / "times.102").write_text('["coach: ISP editor", 30.0, 20.0, 200]\n["", 5, 5, 200]\n')
    server = load.read_server_times(tmp_path / "times")
    assert len(server) == 4

    figures = load.summarise([["coach: ISP editor", 40.0, 200, ""]] * 2, seconds=1, students=1, server=server)

    editor = figures.pages["coach: ISP editor"]
    assert sorted(editor.server_ms) == [12.5, 30.0] and sorted(editor.cpu_ms) == [10.0, 20.0]
    assert list(figures.pages) == ["coach: ISP editor"]  # a page locust did not ask for is left out
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("sys.stdout", out)
        load.report(figures)
    assert "gunicorn workers' CPU: 0.0 s over 2 requests (15 ms a request on average" in out.getvalue()


def test_persona_counts_keep_the_total():
    assert load.persona_counts(50) == {"coaches": 30, "ombuds": 10, "administration": 10}
    assert sum(load.persona_counts(7).values()) == 7
    assert min(load.persona_counts(3).values()) == 1


TODAY = datetime.date(2026, 12, 2)


@pytest.fixture
def plan(time_machine, tmp_path, db):
    time_machine.move_to(datetime.datetime(2026, 12, 2, 10, 0), tick=False)
    call_command("load_demo", "--students", "80", "--today", TODAY.isoformat(), stdout=io.StringIO())
    path = tmp_path / "plan.json"
    load.prepare(path, counts={"coaches": 6, "ombuds": 3, "administration": 2}, open_requests=6, per_coach=4)
    return json.loads(path.read_text())


@pytest.mark.slow
def test_the_plan_lets_every_virtual_user_work_on_the_real_pages(plan, client):
    """One demo college for the three personas (load_demo takes a while)."""
    each_virtual_coach_works_on_students_of_their_own(plan, client)
    each_virtual_ombudsperson_decides_requests_of_their_own(plan, client)
    the_administration_pages_of_the_plan_answer(plan, client)


def each_virtual_coach_works_on_students_of_their_own(plan, client):
    coaches = plan["coaches"]
    assert len(coaches) == 6 and plan["counts"]["coaches"] == 6
    slices = [{pk for _number, pk in coach["enrolments"]} for coach in coaches]
    assert all(0 < len(s) <= 4 for s in slices)
    assert sum(len(s) for s in slices) == len(set().union(*slices))  # no enrolment twice
    assert len({c["programme"] for c in coaches}) > 1  # spread over the programmes

    User = get_user_model()
    first, other = coaches[0], next(c for c in coaches if c["programme"] != coaches[0]["programme"])
    user = User.objects.get(username=first["username"])
    assert user.check_password(plan["password"])
    client.force_login(user)
    number, pk = first["enrolments"][0]
    assert client.get(f"/students/{number}/").status_code == 200
    # Another programme's students are not this coach's.
    assert client.get(f"/isp/{other['enrolments'][0][1]}/").status_code == 404

    # The virtual coach's round on the real pages: an add that the editor offers, its
    # preview, its save on the current version, and the same form again: 409.
    for _number, pk in first["enrolments"]:
        editor = _pages.parse(client.get(f"/isp/{pk}/").content.decode())
        change = f"/isp/{pk}/change/"
        adds = [f for f in editor.forms if f.action == change and f.submit_enabled and f.inputs["action"] == "add"]
        if adds:
            break
    else:
        pytest.fail("no ISP of the coach's students offers a course to add")
    form = adds[0]
    assert form.course and form.inputs["version"] == str(Enrolment.objects.get(pk=pk).version)
    fields = {k: v for k, v in form.inputs.items() if k != "csrfmiddlewaretoken"}
    assert client.post(change, fields).status_code == 200
    saved = client.post(change, {**fields, "confirm": "on"})
    assert saved.status_code == 302 and saved["Location"] == f"/isp/{pk}/"
    assert client.post(change, {**fields, "confirm": "on"}).status_code == 409
    # The added course's line now offers its removal, found by the course code.
    editor = _pages.parse(client.get(f"/isp/{pk}/").content.decode())
    assert any(f.inputs.get("action") == "remove" and f.course == form.course for f in editor.forms)


def each_virtual_ombudsperson_decides_requests_of_their_own(plan, client):
    accounts = plan["ombuds"]
    assert len(accounts) == 3
    requests = [pk for account in accounts for pk in account["requests"]]
    assert requests and len(requests) == len(set(requests))
    assert RescheduleRequest.objects.filter(pk__in=requests, status=RequestStatus.OPEN).count() == len(requests)

    User = get_user_model()
    for account in accounts:
        if not account["requests"]:
            continue
        client.force_login(User.objects.get(username=account["username"]))
        pk = account["requests"][0]
        page = _pages.parse(client.get(f"/exams/requests/{pk}/").content.decode())
        assert any(f.action == f"/exams/requests/{pk}/decide/" for f in page.forms)
        decided = client.post(f"/exams/requests/{pk}/decide/", {"accepted": "no", "reason": "Not proven."})
        assert decided.status_code == 302
        assert RescheduleRequest.objects.get(pk=pk).status == RequestStatus.REJECTED


def the_administration_pages_of_the_plan_answer(plan, client):
    admin = plan["administration"][0]
    client.force_login(get_user_model().objects.get(username=admin["username"]))
    assert client.get("/appeals/").status_code == 200
    assert client.get(f"/appeals/{admin['appeals'][0]}/").status_code == 200
    assert client.get("/appeals/new/", {"student": admin["students"][0]}).status_code == 200
    for url in ("/admin/students/student/", "/admin/exams/result/", "/admin/programmes/examperiod/"):
        assert client.get(url).status_code == 200, url
