"""The virtual users of the load benchmark (``bench/load.py``), run by ``locust -f``.

Not a benchmark of its own (the leading underscore keeps it out of ``python -m bench``);
it imports locust and the standard library only, never Django. ``bench/load.py`` writes
the plan (``LOAD_PLAN``, JSON: the accounts and which students, requests and appeals each
virtual user works on) and reads back the samples (``LOAD_SAMPLES``, JSON: one
``[name, milliseconds, status, error]`` per request).

Three personas, each logging in through the login form (its CSRF token) once:

* a coach: the student list, one of their own students' page, the ISP editor, the preview
  of an add (or of removing the course they added before) and its save with the current
  version; the first save and every fourth after it is sent again on the version it was
  prepared on, a deliberate conflict that must give 409;
* an ombudsperson: the request queue, a request's page and its decision (rejected, with a
  reason), then the request page again; browsing only once their requests are decided;
* student administration: the appeal register, an appeal's page, the form to register an
  appeal for a student, and the admin's changelists of students, results and exam periods.

Every request names its page; a status the page should not give (any 5xx, a redirect to the
login page, a 409 that was not provoked, ...) is a failure. Requests go to 127.0.0.1 only and
never follow a redirect by themselves.
"""

import itertools
import json
import os
import random
import urllib.parse

# bench/_pages.py: locust puts this file's folder on the path while it imports it.
from _pages import Form, parse
from locust import HttpUser, between, events, task

LOOPBACK = "127.0.0.1"
LOGIN_URL = "/accounts/login/"


def _load_plan() -> dict:
    path = os.environ.get("LOAD_PLAN")
    if not path:  # e.g. `locust --help`: a plan with one of each, never run
        return {"coaches": [{}], "ombuds": [{}], "administration": [{}], "counts": {}}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


PLAN = _load_plan()
SAMPLES: list[list] = []


# --- Samples: every request, whatever locust does with it -------------------------------------
@events.request.add_listener
def _record(request_type, name, response_time, response, exception, **_kwargs):
    status = getattr(response, "status_code", 0) or 0
    SAMPLES.append([name, round(response_time, 3), status, str(exception) if exception else ""])


@events.test_start.add_listener
def _loopback_only(environment, **_kwargs):
    host = urllib.parse.urlsplit(environment.host or "").hostname
    if host != LOOPBACK:
        raise SystemExit(f"the load test sends traffic to {LOOPBACK} only, not to {host!r}")


_written = False


def _write_samples(**_kwargs):
    global _written
    path = os.environ.get("LOAD_SAMPLES")
    if path and not _written:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(SAMPLES, handle)
        _written = True


events.test_stop.add_listener(_write_samples)
events.quitting.add_listener(_write_samples)


# --- The users ---------------------------------------------------------------------------------
class Persona(HttpUser):
    abstract = True
    wait_time = between(1, 4)  # a person reads a page before the next click
    plan_key = ""
    _counters: dict[str, itertools.count] = {}

    def on_start(self):
        if urllib.parse.urlsplit(self.host).hostname != LOOPBACK:
            raise SystemExit(f"refusing to send traffic to {self.host}")
        counter = Persona._counters.setdefault(self.plan_key, itertools.count())
        accounts = PLAN[self.plan_key]
        self.index = next(counter)
        self.account = accounts[self.index % len(accounts)]
        self.login()

    # --- requests: never follow a redirect; a status outside ``expected`` is a failure
    def call(self, method, url, name, expected=(200,), data=None, params=None):
        with self.client.request(
            method,
            url,
            name=name,
            data=data,
            params=params,
            headers={"X-Bench-Page": name},  # for the server's own times (bench/_gunicorn_conf.py)
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # The production settings mark the session and CSRF cookies Secure; requests would not
            # send them back over plain HTTP. Here gunicorn listens on the loopback, where a
            # TLS-terminating proxy would stand in production: send them all the same.
            for cookie in self.client.cookies:
                cookie.secure = False
            location = response.headers.get("Location", "")
            if response.status_code not in expected:
                response.failure(f"status {response.status_code} (expected {'/'.join(map(str, expected))})")
            elif response.status_code == 302 and location.startswith(LOGIN_URL):
                response.failure(f"redirected to the login page: {location}")
            else:
                response.success()  # an expected 4xx (the deliberate 409) is no failure
            return response

    def get(self, url, name, **kwargs):
        return self.call("GET", url, name, **kwargs)

    def post(self, url, name, data, referer_form: Form | None = None, **kwargs):
        token = (referer_form.inputs if referer_form else {}).get("csrfmiddlewaretoken") or self.client.cookies.get(
            "csrftoken", ""
        )
        return self.call("POST", url, name, data={"csrfmiddlewaretoken": token, **data}, **kwargs)

    def login(self):
        page = self.get(LOGIN_URL, "login: form")
        parsed = parse(page.text)
        # A browser with an empty cache fetches the stylesheets and scripts once (WhiteNoise).
        for asset in dict.fromkeys(a for a in parsed.assets if a.startswith("/static/")):
            self.get(asset, "static files")
        form = next((f for f in parsed.forms if f.action == LOGIN_URL), None)
        token = form.inputs.get("csrfmiddlewaretoken", "") if form else ""
        self.call(
            "POST",
            LOGIN_URL,
            "login: submit",
            expected=(302,),
            data={
                "csrfmiddlewaretoken": token,
                "username": self.account["username"],
                "password": PLAN["password"],
                "next": "",
            },
        )
        self.get("/", "home")


class Coach(Persona):
    plan_key = "coaches"
    fixed_count = PLAN["counts"].get("coaches", 0)
    CONFLICT_EVERY = 4  # the 1st, 5th, 9th ... save is sent again on its old version: a deliberate 409

    def on_start(self):
        super().on_start()
        self.enrolments = self.account["enrolments"]  # [student number, enrolment id]
        self.added: dict[int, str] = {}  # enrolment id -> code of the course this coach added
        self.saves = 0

    @task
    def work_on_an_isp(self):
        self.get("/students/", "coach: student list", params={"page": random.choice((1, 1, 2))})
        self.wait()
        number, pk = random.choice(self.enrolments)
        self.get(f"/students/{number}/", "coach: student page")
        self.wait()
        editor = parse(self.get(f"/isp/{pk}/", "coach: ISP editor").text)
        change = f"/isp/{pk}/change/"
        forms = [f for f in editor.forms if f.action == change and f.submit_enabled]
        removable = [f for f in forms if f.inputs.get("action") == "remove" and f.course == self.added.get(pk)]
        addable = [f for f in forms if f.inputs.get("action") == "add"]
        if removable:
            form, kind = removable[0], "remove"
        elif addable:
            form, kind = random.choice(addable), "add"
        else:
            return
        self.wait()
        fields = {k: v for k, v in form.inputs.items() if k != "csrfmiddlewaretoken"}
        self.post(change, f"coach: ISP preview ({kind})", fields, referer_form=form)
        self.wait()
        saved = self.post(change, "coach: ISP save", {**fields, "confirm": "on"}, referer_form=form, expected=(302,))
        if saved.status_code != 302:
            return
        if kind == "add":
            self.added[pk] = form.course
        else:
            self.added.pop(pk, None)
        self.get(f"/isp/{pk}/", "coach: ISP editor")  # the redirect, as a browser follows it
        self.saves += 1
        if self.saves % self.CONFLICT_EVERY == 1:
            # The same form again (a second tab, a double click): its version is gone.
            self.post(
                change,
                "coach: ISP save, stale version (409 expected)",
                {**fields, "confirm": "on"},
                referer_form=form,
                expected=(409,),
            )


class Ombudsperson(Persona):
    plan_key = "ombuds"
    fixed_count = PLAN["counts"].get("ombuds", 0)

    def on_start(self):
        super().on_start()
        self.to_decide = list(self.account.get("requests", []))
        random.shuffle(self.to_decide)
        self.browse = list(self.account.get("browse", [])) or self.to_decide[:]

    @task
    def handle_a_request(self):
        self.get("/exams/requests/", "ombuds: request queue", params={"page": random.choice((1, 1, 2))})
        self.wait()
        if not self.to_decide:
            if self.browse:
                self.get(f"/exams/requests/{random.choice(self.browse)}/", "ombuds: request page")
            return
        pk = self.to_decide.pop()
        page = parse(self.get(f"/exams/requests/{pk}/", "ombuds: request page").text)
        decide = f"/exams/requests/{pk}/decide/"
        form = next((f for f in page.forms if f.action == decide), None)
        if form is None:
            return
        self.wait()
        self.post(
            decide,
            "ombuds: decide request",
            {"accepted": "no", "reason": "Load test: not enough evidence of force majeure."},
            referer_form=form,
            expected=(302,),
        )
        self.browse.append(pk)
        self.get(f"/exams/requests/{pk}/", "ombuds: request page")  # the redirect


class Administration(Persona):
    plan_key = "administration"
    fixed_count = PLAN["counts"].get("administration", 0)

    @task(3)
    def appeal_register(self):
        self.get("/appeals/", "admin: appeal register")
        appeals = self.account.get("appeals") or []
        if appeals:
            self.wait()
            self.get(f"/appeals/{random.choice(appeals)}/", "admin: appeal page")

    @task(2)
    def register_an_appeal_form(self):
        students = self.account.get("students") or []
        if students:
            self.get("/appeals/new/", "admin: register an appeal (form)", params={"student": random.choice(students)})

    @task(2)
    def students_changelist(self):
        self.get("/admin/students/student/", "admin: students (changelist)")

    @task(2)
    def results_changelist(self):
        self.get("/admin/exams/result/", "admin: results (changelist)")

    @task(1)
    def exam_periods_changelist(self):
        self.get("/admin/programmes/examperiod/", "admin: exam periods (changelist)")
