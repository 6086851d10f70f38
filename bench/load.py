"""Load test of the real stack: gunicorn (4 workers) + PostgreSQL + Redis + a Celery worker,
with locust (headless) playing 50 concurrent users for 2 minutes.

Runs only when named: ``python -m bench --only load [-n STUDENTS]`` (not in ``make bench``'s
default run, not in CI). Everything stays on the loopback and stops by itself:

1. a scratch database ``bench_load_<pid>`` on PostgreSQL at 127.0.0.1:5432 (user postgres),
   migrated and filled by ``load_demo --students N`` (default 3,000), then prepared by
   ``python -m bench.load prepare``: coach accounts, each assigned to one programme, with
   students of their own (disjoint slices of the current year's enrolments), and open
   reschedule requests for the ombudspersons to decide; the plan goes to a JSON file; then
   ``VACUUM ANALYZE`` (the statistics autovacuum would keep; this server may run without it);
2. ``collectstatic`` into a temporary folder, then gunicorn (4 sync workers, 127.0.0.1, a
   free port) with production settings (DEBUG off, WhiteNoise) except that plain HTTP is
   allowed (``SECURE_SSL_REDIRECT=false``), and a Celery worker on a Redis database of its
   own (the first empty one of 15..8 at 127.0.0.1:6379, flushed at the end), checked with
   one ``run_deadlines_today`` task;
3. locust (``bench/_locustfile.py``): coaches, ombudspersons and student administration, each
   logging in through the login form, think time 1-4 s between pages;
4. the figures: requests/s, p50/p95/p99 per page and the errors (a status the page should
   not give: a 5xx, a redirect to the login page, a 409 that was not a deliberate conflict,
   ...), with the targets (0 errors, p95 < 300 ms) met or not; beside them the time inside
   the gunicorn worker and its CPU time per page (``bench/_gunicorn_conf.py``), which tell
   the page's own cost from the wait for a worker or for the CPU on a busy machine.

For trials: ``BENCH_LOAD_USERS`` and ``BENCH_LOAD_SECONDS`` (bounded), and
``BENCH_LOAD_TEMPLATE=name``: the first run keeps a copy of the database after ``load_demo``
under that name, later runs copy it instead of loading again (drop it when done).

Every step has a timeout; every process is started in a session of its own and its process
group is ended at the end, also on an error or Ctrl-C; the database is dropped.
"""

import contextlib
import json
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_N = 3_000
USERS = 50
COUNTS = {"coaches": 30, "ombuds": 10, "administration": 10}  # virtual users per persona
SPAWN_RATE = 5  # users started per second: every user logs in (PBKDF2) on start
RUN_SECONDS = 120
GUNICORN_WORKERS = 4
OPEN_REQUESTS = 500  # open reschedule requests made for the ombudspersons to decide
ENROLMENTS_PER_COACH = 40
TARGET_P95_MS = 300
# Pages whose time is not the application's: the login's password hash is slow on purpose
# (PBKDF2), and WhiteNoise's static files are listed for completeness.
NOT_TARGETED = {"login: submit": "PBKDF2 password hash, slow by design", "static files": "WhiteNoise"}

LOOPBACK = "127.0.0.1"
PG_PORT = 5432
REDIS_PORT = 6379
REDIS_DBS = range(15, 7, -1)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).with_name("_locustfile.py")
GUNICORN_CONF = Path(__file__).with_name("_gunicorn_conf.py")
# Seconds each step may take before it is stopped.
TIMEOUTS = {
    "migrate": 600,
    "load_demo": 3_600,
    "prepare": 900,
    "collectstatic": 300,
    "gunicorn start": 90,
    "celery task": 300,
    "locust": RUN_SECONDS + 120,
}


class LoadTestError(RuntimeError):
    pass


# --- Processes ---------------------------------------------------------------------------------
class Processes:
    """Child processes, each in a session (and so a process group) of its own: Ctrl-C in the
    terminal reaches only this process, which then ends every group it started."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.log_path(name), "ab")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.running.append((name, process))
        return process

    def run(self, name: str, argv: list[str], env: dict[str, str]) -> float:
        """Run a step to its end within its timeout; returns its seconds."""
        started = time.perf_counter()
        process = self.start(name, argv, env)
        try:
            code = process.wait(timeout=TIMEOUTS[name])
        except subprocess.TimeoutExpired:
            self.stop(process)
            raise LoadTestError(f"{name} took more than {TIMEOUTS[name]} s; stopped. {self.tail(name)}") from None
        self.running = [(n, p) for n, p in self.running if p is not process]
        if code != 0:
            raise LoadTestError(f"{name} exited with {code}. {self.tail(name)}")
        return time.perf_counter() - started

    def log_path(self, name: str) -> Path:
        return self.logs / f"{name.replace(' ', '_')}.log"

    def tail(self, name: str, lines: int = 25) -> str:
        path = self.log_path(name)
        text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
        return "Last lines of its log:\n    " + "\n    ".join(text) if text else ""

    @staticmethod
    def stop(process: subprocess.Popen, grace: float = 15) -> None:
        """SIGTERM to the process group, SIGKILL after ``grace`` seconds."""
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def stop_all(self) -> None:
        while self.running:
            _name, process = self.running.pop()
            self.stop(process)


@contextlib.contextmanager
def sigterm_as_interrupt():
    """A SIGTERM to this process cleans up as Ctrl-C does."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# --- Services ----------------------------------------------------------------------------------
def _pg_admin():
    import psycopg

    try:
        return psycopg.connect(host=LOOPBACK, port=PG_PORT, user="postgres", dbname="postgres", autocommit=True)
    except psycopg.OperationalError as error:
        raise LoadTestError(f"PostgreSQL at {LOOPBACK}:{PG_PORT} (user postgres) is needed: {error}") from None


def vacuum_analyze(name: str) -> float:
    """``VACUUM ANALYZE`` the scratch database: the planner's statistics a running server's
    autovacuum keeps (this one may run without it: load_demo's rows were never analysed)."""
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(host=LOOPBACK, port=PG_PORT, user="postgres", dbname=name, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def database_exists(name: str) -> bool:
    with _pg_admin() as connection:
        return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def copy_database(source: str, target: str) -> None:
    """``CREATE DATABASE target TEMPLATE source`` (nobody may be connected to ``source``)."""
    with _pg_admin() as connection:
        connection.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


@contextlib.contextmanager
def scratch_postgres(name: str, template: str = ""):
    """Create the database ``name`` on 127.0.0.1:5432 (a copy of ``template`` when given) and
    drop it afterwards (FORCE)."""
    with _pg_admin() as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    if template:
        copy_database(template, name)
    else:
        with _pg_admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://postgres@{LOOPBACK}:{PG_PORT}/{name}"
    finally:
        with _pg_admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def scratch_redis():
    """The first empty Redis database of ``REDIS_DBS``, flushed afterwards; yields its number."""
    import redis

    try:
        numbers = [n for n in REDIS_DBS if redis.Redis(host=LOOPBACK, port=REDIS_PORT, db=n).dbsize() == 0]
    except redis.RedisError as error:
        raise LoadTestError(f"Redis at {LOOPBACK}:{REDIS_PORT} is needed: {error}") from None
    if not numbers:
        raise LoadTestError(f"no empty Redis database among {list(REDIS_DBS)} at {LOOPBACK}:{REDIS_PORT}")
    client = redis.Redis(host=LOOPBACK, port=REDIS_PORT, db=numbers[0])
    try:
        yield numbers[0]
    finally:
        client.flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def wait_until_serving(url: str, process: subprocess.Popen, timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise LoadTestError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise LoadTestError(f"gunicorn did not answer {url} within {timeout} s")


def environment(tmp: Path, database_url: str, redis_db: int) -> dict[str, str]:
    """Production settings for every child process, plain HTTP on the loopback."""
    broker = f"redis://{LOOPBACK}:{REDIS_PORT}/{redis_db}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "LOAD_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=LOOPBACK,
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker,
        CELERY_RESULT_BACKEND=broker,
        STATIC_ROOT=str(tmp / "static"),
        VAR_DIR=str(tmp / "var"),
        EMAIL_URL="consolemail://",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    (tmp / "var").mkdir(exist_ok=True)
    return env


def celery_round_trip(broker: str, timeout: float) -> tuple[float, dict]:
    """Send ``core.tasks.run_deadlines_today`` to the worker and wait for its answer."""
    from celery import Celery

    client = Celery("bench-load", broker=broker, backend=broker)
    started = time.perf_counter()
    try:
        result = client.send_task("core.tasks.run_deadlines_today")
        answer = result.get(timeout=timeout)
    except Exception as error:
        raise LoadTestError(f"the Celery worker did not run core.tasks.run_deadlines_today: {error!r}") from None
    finally:
        client.close()
    return time.perf_counter() - started, answer


# --- Preparing the database (run as ``python -m bench.load prepare PLAN``) --------------------
def prepare(
    plan_path: Path,
    *,
    counts: dict[str, int] = COUNTS,
    open_requests: int = OPEN_REQUESTS,
    per_coach: int = ENROLMENTS_PER_COACH,
) -> dict:
    """Coach accounts with students of their own, open requests to decide; writes the plan.

    Each coach is assigned to one programme (every academic year, so that the student pages
    show the whole file); the programme's enrolments of the current year are split among its
    coaches without overlap, so no two virtual coaches edit the same ISP. Programmes get
    coaches in proportion to their enrolments. The open requests are force-majeure requests
    for second-semester exams of other students, each for the account that may decide it.
    """
    import random

    from django.contrib.auth import get_user_model
    from django.db import transaction

    from appeals.models import Appeal
    from core import clock, roles
    from demo.college import DEMO_PASSWORD
    from programmes.models import AcademicYear, Assignment, AssignmentRole, ExamPeriod, Programme
    from reschedules import services as ombuds
    from reschedules.models import RequestStatus, RescheduleRequest
    from reschedules.selectors import can_handle
    from students.models import Enrolment, EnrolmentStatus, ISPLine, Student

    rng = random.Random(2026)
    today = clock.today()
    User = get_user_model()
    year = AcademicYear.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
    if year is None:
        raise LoadTestError(f"no academic year holds today ({today}): load_demo loads the years around today")
    years = list(AcademicYear.objects.all())
    enrolments = (
        Enrolment.objects.filter(academic_year=year, status=EnrolmentStatus.ENROLLED)
        .select_related("student")
        .order_by("student__number")
    )
    by_programme: dict[int, list[tuple[str, int]]] = {}
    for enrolment in enrolments:
        by_programme.setdefault(enrolment.programme_id, []).append((enrolment.student.number, enrolment.pk))
    if not by_programme:
        raise LoadTestError(f"no enrolled students in {year.code}")
    # Coaches per programme, in proportion to its enrolments (at least one each).
    total = sum(len(v) for v in by_programme.values())
    n_coaches = counts["coaches"]
    share = {p: max(1, round(n_coaches * len(v) / total)) for p, v in by_programme.items()}
    while sum(share.values()) > n_coaches and max(share.values()) > 1:
        share[max(share, key=share.get)] -= 1
    while sum(share.values()) < n_coaches:
        share[max(by_programme, key=lambda p: len(by_programme[p]) / share[p])] += 1

    coach_group = roles.ensure_groups()[roles.COACH]
    programmes = {p.pk: p for p in Programme.objects.filter(pk__in=by_programme)}
    coaches, taken = [], set()
    with transaction.atomic():
        for programme_id in sorted(share, key=lambda p: programmes[p].code):
            pool = by_programme[programme_id][:]
            rng.shuffle(pool)
            for k in range(share[programme_id]):
                username = f"loadcoach{len(coaches) + 1:02d}"
                user, _created = User.objects.get_or_create(
                    username=username, defaults={"first_name": "Load", "last_name": f"Coach {len(coaches) + 1}"}
                )
                user.set_password(DEMO_PASSWORD)
                user.save()
                user.groups.add(coach_group)
                for y in years:
                    Assignment.objects.get_or_create(
                        user=user, programme_id=programme_id, academic_year=y, role=AssignmentRole.COACH
                    )
                mine = pool[k :: share[programme_id]][:per_coach]
                taken.update(pk for _number, pk in mine)
                coaches.append({"username": username, "programme": programmes[programme_id].code, "enrolments": mine})

    # Open requests for second-semester exams (period 2), one per student outside the coaches' slices.
    ombudsperson = User.objects.get(username="ombudsperson")
    period = ExamPeriod.objects.get(academic_year=year, number=2)
    lines = (
        ISPLine.objects.filter(
            enrolment__academic_year=year,
            enrolment__status=EnrolmentStatus.ENROLLED,
            removed_on__isnull=True,
            exempted=False,
            course__semester__in=("2", "year"),
        )
        .exclude(enrolment_id__in=taken)
        .select_related("course", "enrolment__student")
        .order_by("enrolment__student__number", "course__code")
    )
    one_per_student: dict[int, ISPLine] = {}
    for line in lines:
        one_per_student.setdefault(line.enrolment.student_id, line)
    candidates = list(one_per_student.values())
    rng.shuffle(candidates)
    made = []
    for line in candidates:
        if len(made) >= open_requests:
            break
        try:
            with transaction.atomic():
                request = ombuds.request_log(
                    student=line.enrolment.student,
                    course=line.course,
                    exam_period=period,
                    kind="force_majeure",
                    requested_on=today,
                    reason="Load test: ill on the day of the exam.",
                    today=today,
                    by=ombudsperson,
                )
        except ombuds.RequestRefused:
            continue
        made.append((request.pk, line.enrolment))
    handled_by = {"ombudsperson": [], "substitute": []}
    for pk, enrolment in made:
        handled_by["ombudsperson" if can_handle(ombudsperson, enrolment) else "substitute"].append(pk)
    decided = list(RescheduleRequest.objects.exclude(status=RequestStatus.OPEN).values_list("pk", flat=True))
    # The ombudsperson's virtual users share their requests without overlap; one substitute.
    n_ombuds = counts["ombuds"]
    n_main = n_ombuds - 1 if handled_by["substitute"] and n_ombuds > 1 else n_ombuds
    ombuds_accounts = [
        {"username": "ombudsperson", "requests": handled_by["ombudsperson"][k::n_main], "browse": decided}
        for k in range(n_main)
    ]
    if n_main < n_ombuds:
        ombuds_accounts.append({"username": "substitute", "requests": handled_by["substitute"], "browse": decided})
    if not ombuds_accounts:
        ombuds_accounts = [{"username": "ombudsperson", "requests": [], "browse": decided}]

    numbers = list(Student.objects.order_by("number").values_list("number", flat=True))
    plan = {
        "password": DEMO_PASSWORD,
        "today": today.isoformat(),
        "academic_year": year.code,
        "counts": counts,
        "coaches": coaches,
        "ombuds": ombuds_accounts,
        "administration": [
            {
                "username": "administration",
                "appeals": list(Appeal.objects.values_list("pk", flat=True)),
                "students": rng.sample(numbers, min(200, len(numbers))),
            }
        ],
        "made": {"open requests": len(made), "students": len(numbers), "enrolments this year": total},
    }
    plan_path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    return plan


def persona_counts(users: int) -> dict[str, int]:
    """Virtual users per persona for ``users`` in all (30/10/10 of 50), at least one each."""
    base = sum(COUNTS.values())
    counts = {k: max(1, round(users * v / base)) for k, v in COUNTS.items()}
    counts["coaches"] = max(1, users - counts["ombuds"] - counts["administration"])
    return counts


def _prepare_main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] != "prepare" or not argv[2].isdecimal():
        print("usage: python -m bench.load prepare PLAN.json USERS", file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    prepare(Path(argv[1]), counts=persona_counts(int(argv[2])))
    return 0


# --- Figures -----------------------------------------------------------------------------------
def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of the values at or below it."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class PageFigures:
    name: str
    times: list[float] = field(default_factory=list)  # milliseconds
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    examples: list[str] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)  # inside the gunicorn worker
    cpu_ms: list[float] = field(default_factory=list)  # the worker's CPU time

    @property
    def count(self) -> int:
        return len(self.times)

    def p(self, q: float) -> float:
        return percentile(sorted(self.times), q)

    @property
    def targeted(self) -> bool:
        return self.name not in NOT_TARGETED

    @property
    def p95_met(self) -> bool:
        return self.p(0.95) < TARGET_P95_MS


@dataclass
class Figures:
    students: int
    seconds: float
    pages: dict[str, PageFigures]
    setup: dict[str, float] = field(default_factory=dict)
    plan_made: dict[str, int] = field(default_factory=dict)
    worker: str = ""

    @property
    def requests(self) -> int:
        return sum(p.count for p in self.pages.values())

    @property
    def errors(self) -> int:
        return sum(p.errors for p in self.pages.values())

    @property
    def server_errors(self) -> int:
        return sum(n for p in self.pages.values() for s, n in p.statuses.items() if s >= 500)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def slow_pages(self) -> list[str]:
        return [p.name for p in self.pages.values() if p.targeted and not p.p95_met]


def read_server_times(prefix: Path) -> list[list]:
    """The gunicorn workers' lines (``bench/_gunicorn_conf.py``): ``[page, ms, cpu ms, status]``."""
    rows = []
    for path in sorted(prefix.parent.glob(prefix.name + ".*")):
        rows += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows


def summarise(samples: list[list], seconds: float, students: int, server: list[list] = ()) -> Figures:
    """``samples``: ``[name, milliseconds, status, error]`` per request (the locustfile's);
    ``server``: ``[name, milliseconds, cpu milliseconds, status]`` per request (the workers')."""
    pages: dict[str, PageFigures] = {}
    for name, ms, status, error in samples:
        page = pages.setdefault(name, PageFigures(name))
        page.times.append(float(ms))
        page.statuses[int(status)] = page.statuses.get(int(status), 0) + 1
        if error or int(status) >= 500:
            page.errors += 1
            if len(page.examples) < 3:
                page.examples.append(error or f"status {status}")
    for name, ms, cpu_ms, _status in server:
        if name in pages:
            pages[name].server_ms.append(float(ms))
            pages[name].cpu_ms.append(float(cpu_ms))
    return Figures(students=students, seconds=seconds, pages=dict(sorted(pages.items())))


def report(figures: Figures) -> None:
    width = max([len(n) for n in figures.pages] + [20])
    header = (
        f"{'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'srv p50':>7} {'srv p95':>7} {'cpu p50':>7}  statuses"
    )
    print(f"  {'page':<{width}} {header}")
    for page in figures.pages.values():
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(page.statuses.items()))
        mark = "" if not page.targeted else ("" if page.p95_met else "  < p95 ABOVE TARGET")
        server = sorted(page.server_ms)
        print(
            f"  {page.name:<{width}} {page.count:>8,} {page.count / figures.seconds:>6.1f} {page.p(0.5):>7.0f} "
            f"{page.p(0.95):>7.0f} {page.p(0.99):>7.0f} {page.errors:>6} {percentile(server, 0.5):>7.0f} "
            f"{percentile(server, 0.95):>7.0f} {percentile(sorted(page.cpu_ms), 0.5):>7.0f}  {statuses}{mark}"
        )
    print(f"  {'all pages':<{width}} {figures.requests:>8,} {figures.rate:>6.1f}")
    cpu = [ms for page in figures.pages.values() for ms in page.cpu_ms]
    if cpu:
        print(
            f"  gunicorn workers' CPU: {sum(cpu) / 1000:.1f} s over {len(cpu):,} requests "
            f"({sum(cpu) / len(cpu):.0f} ms a request on average, "
            f"{sum(cpu) / 1000 / figures.seconds:.2f} CPU in use on average; database not included)"
        )
    for page in figures.pages.values():
        for example in page.examples:
            print(f"  error on {page.name}: {example}")
    print(
        "  (p50/p95/p99: as locust saw them, the targets' figures; srv: inside the gunicorn worker, without "
        "the wait for a free worker; cpu: the worker's CPU time, database not included)"
    )
    for name, why in NOT_TARGETED.items():
        if name in figures.pages:
            print(f"  (no p95 target for {name}: {why})")
    errors = "met" if figures.errors == 0 else f"NOT MET ({figures.errors:,} errors, {figures.server_errors:,} 5xx)"
    slow = figures.slow_pages
    p95 = "met on every page" if not slow else f"NOT MET on {len(slow)} page(s): {', '.join(slow)}"
    print(f"  target 0 errors:      {errors}")
    print(f"  target p95 < {TARGET_P95_MS} ms: {p95}", flush=True)


# --- The run -----------------------------------------------------------------------------------
def bounded(name: str, default: int, low: int, high: int) -> int:
    """An environment override for a trial run, kept within bounds."""
    value = int(os.environ.get(name, default))
    if not low <= value <= high:
        raise LoadTestError(f"{name}={value} is outside {low}..{high}")
    return value


def run(n: int | None = None) -> Figures:
    try:
        return measure(n or DEFAULT_N)
    except LoadTestError as error:
        print(f"  load test stopped: {error}", flush=True)
        raise SystemExit(1) from None


def measure(students: int) -> Figures:
    users = bounded("BENCH_LOAD_USERS", USERS, 3, 200)
    seconds = bounded("BENCH_LOAD_SECONDS", RUN_SECONDS, 10, 600)
    print(
        f"load: {users} users for {seconds} s on gunicorn ({GUNICORN_WORKERS} workers) + PostgreSQL + Redis + "
        f"Celery, load_demo --students {students:,}",
        flush=True,
    )
    # A trial run can start from a copy of an earlier run's demo college (load_demo takes minutes):
    # BENCH_LOAD_TEMPLATE=name copies that database if it exists, else keeps a copy under that name.
    template = os.environ.get("BENCH_LOAD_TEMPLATE", "")
    if template and not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", template):
        raise LoadTestError(f"BENCH_LOAD_TEMPLATE={template!r} is not a plain database name")
    reuse = bool(template) and database_exists(template)
    scratch = f"bench_load_{os.getpid()}"
    with (
        sigterm_as_interrupt(),
        tempfile.TemporaryDirectory(prefix="bench-load-") as tmp_name,
        scratch_postgres(scratch, template if reuse else "") as database_url,
        scratch_redis() as redis_db,
    ):
        tmp = Path(tmp_name)
        processes = Processes(tmp)
        env = environment(tmp, database_url, redis_db)
        server_times = tmp / "server-times"
        env["LOAD_SERVER_TIMES"] = str(server_times)
        python = [sys.executable]
        setup: dict[str, float] = {}
        try:
            setup["migrate"] = processes.run("migrate", [*python, "manage.py", "migrate", "--noinput"], env)
            print(f"  migrated           {setup['migrate']:.1f} s", flush=True)
            if reuse:
                print(f"  load_demo          skipped: a copy of {template} (BENCH_LOAD_TEMPLATE)", flush=True)
            else:
                setup["load_demo"] = processes.run(
                    "load_demo", [*python, "manage.py", "load_demo", "--students", str(students)], env
                )
                print(f"  load_demo          {setup['load_demo']:.1f} s ({students:,} students)", flush=True)
                if template:
                    copy_database(scratch, template)
                    print(f"  kept a copy        {template} (BENCH_LOAD_TEMPLATE; drop it when done)", flush=True)
            plan_path = tmp / "plan.json"
            setup["prepare"] = processes.run(
                "prepare", [*python, "-m", "bench.load", "prepare", str(plan_path), str(users)], env
            )
            plan = json.loads(plan_path.read_text(encoding="utf-8"))
            made = plan["made"]
            print(
                f"  prepared           {setup['prepare']:.1f} s: {plan['counts']['coaches']} coach users over "
                f"{len({c['programme'] for c in plan['coaches']})} programmes, {made['open requests']} open requests, "
                f"{made['enrolments this year']:,} enrolments in {plan['academic_year']} (today {plan['today']})",
                flush=True,
            )
            setup["vacuum analyze"] = vacuum_analyze(scratch)
            print(f"  vacuum analyze     {setup['vacuum analyze']:.1f} s", flush=True)
            setup["collectstatic"] = processes.run(
                "collectstatic", [*python, "manage.py", "collectstatic", "--noinput"], env
            )

            port = free_port()
            host = f"http://{LOOPBACK}:{port}"
            gunicorn = processes.start(
                "gunicorn",
                [
                    str(BIN / "gunicorn"),
                    "config.wsgi",
                    "--config",
                    str(GUNICORN_CONF),
                    "--workers",
                    str(GUNICORN_WORKERS),
                    "--bind",
                    f"{LOOPBACK}:{port}",
                    "--timeout",
                    "60",
                    "--graceful-timeout",
                    "10",
                ],
                env,
            )
            processes.start(
                "celery worker",
                [
                    str(BIN / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--concurrency",
                    "1",
                    "--loglevel",
                    "WARNING",
                    "--without-gossip",
                    "--without-mingle",
                    "--hostname",
                    f"bench-load-{os.getpid()}@{LOOPBACK}",
                ],
                env,
            )
            started = wait_until_serving(f"{host}/accounts/login/", gunicorn, TIMEOUTS["gunicorn start"])
            print(f"  gunicorn           serving on {host} after {started:.1f} s", flush=True)
            task_seconds, answer = celery_round_trip(env["CELERY_BROKER_URL"], TIMEOUTS["celery task"])
            worker = f"run_deadlines_today in {task_seconds:.1f} s on redis db {redis_db} ({answer})"
            print(f"  celery worker      {worker}", flush=True)

            samples_path = tmp / "samples.json"
            locust_env = {**env, "LOAD_PLAN": str(plan_path), "LOAD_SAMPLES": str(samples_path)}
            spawn_rate = min(SPAWN_RATE, users)
            print(f"  locust             {users} users, spawn rate {spawn_rate}/s, {seconds} s ...", flush=True)
            TIMEOUTS["locust"] = seconds + 120
            load_before = os.getloadavg()[0]
            locust_started = time.perf_counter()
            processes.run(
                "locust",
                [
                    str(BIN / "locust"),
                    "-f",
                    str(LOCUSTFILE),
                    "--headless",
                    "--host",
                    host,
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(spawn_rate),
                    "--run-time",
                    f"{seconds}s",
                    "--stop-timeout",
                    "10",
                    "--only-summary",
                    "--exit-code-on-error",
                    "0",
                ],
                locust_env,
            )
            elapsed = time.perf_counter() - locust_started
            load_after = os.getloadavg()
            print(
                f"  locust finished    after {elapsed:.0f} s; load average {load_before:.1f} before, "
                f"{load_after[0]:.1f} at the end (1 min), {load_after[1]:.1f} (5 min) on {os.cpu_count()} CPUs",
                flush=True,
            )
            if not samples_path.exists():
                raise LoadTestError(f"locust wrote no samples. {processes.tail('locust')}")
            samples = json.loads(samples_path.read_text(encoding="utf-8"))
            figures = summarise(samples, seconds, students, server=read_server_times(server_times))
            figures.setup, figures.plan_made, figures.worker = setup, made, worker
            report(figures)
            if figures.server_errors:
                print(processes.tail("gunicorn", 60))
            return figures
        finally:
            processes.stop_all()


if __name__ == "__main__":
    sys.exit(_prepare_main(sys.argv[1:]))
