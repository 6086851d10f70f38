"""The pages with many students: every persona's main pages on a college of N students,
requested through Django's test client, their server time and queries (issue 19).

The college: three academic years (2024-2025 to 2026-2027, each with three exam periods),
four initial bachelors (clusters "Bench A": BP-1 and BP-2, "Bench B": BP-3 and BP-4) of
three stages of 10 courses (6 credits: 5 first-semester, 1 year, 4 second-semester). Student
g (numbers r1000001...) follows programme (g - 1) % 4, one stage a year: an approved ISP of
the stage's 10 courses in each of the three years, locked as the timeline locks them. The two
past years have their results (period 1 for the first semester, period 2 for the rest, about
85 % passes, certified, the publications recorded as the deadline job records them), the
current year its January results (period 1, not yet published).
The learning account: the opening (+140), a deduction per year (-60) and the refund of the
passes of each past year; one fee statement of the current year and one notification (an ISP
approval, sent) per student. All of it by set-based SQL (``INSERT ... SELECT`` from
``generate_series`` on PostgreSQL, a recursive CTE on SQLite), as the lock benchmark fills.

On top of it, through the models and the app's services: a coach of BP-1 and BP-2 (all three
years), BP-1's ombudsperson with one open reschedule request (and BP-1's exam moments of the
year), an appeal, committee "Bench A" (its chair is the committee persona) with a prepared
deliberation on January 2027, a member of student administration and a superuser. The day
is 3 February 2027 (``core.clock`` through time_machine): January's results are in, not yet
published. Then the counts Celery tasks keep for the pages (the marks entered and missing of
every exam period, the students deliberated) are counted, as beat and the workers asked when
the results were entered would have.

Each page (``pages()``: persona, name, URL; the student list with a filter, a search by name
and by number, a sort on the learning account and its last page; the admin's changelists of
students, enrolments and results with a search and their last page, and a change page; the
ledger's with a search by number; the exam periods with their marks and the publication page
of January's) is requested as its persona once to warm up (every page before any is measured,
as on a server that has served them), then ``REPEATS`` times (fewer once a page's runs
pass ``PAGE_SECONDS``; a warm-up slower than that is the page's one run). Printed per page:
p50 and p95 of the time in the test client (the server's time: no network), the queries (every
query of the request, the session and the user included, as the tests' budgets count them),
the query budget of issue 19 (student list <= 10, every other page <= 15) and whether
p95 < 100 ms and the budget are met; then the number of misses. The target: both, at
N = 250,000 on PostgreSQL:
``DATABASE_URL=postgres://... .venv/bin/python -m bench --only pages -n 250000``.
The load average is printed first: on a busy machine the times are the machine's as much as
the app's (the query counts are not).

Default (``make bench``, SQLite in memory): N = 300 and ``SMOKE_REPEATS`` runs a page, a smoke
run of the pages rather than a measure; with ``-n``, ``REPEATS`` runs a page. At N = 25,000 on
PostgreSQL the fill takes about 4 minutes on a busy 2-core machine.
"""

import datetime
import math
import os
import re
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection

from . import scratch_database, vendor_label
from .lock import QueryCounter, _insert_select, _value

DEFAULT_N = 300
REPEATS = 20
SMOKE_REPEATS = 3  # the default run (`make bench`): a smoke run of the pages, not a measure
PAGE_SECONDS = 30.0  # a page stops repeating after this much time (its runs are printed)
TARGET_MS = 100.0  # p95
LIST_BUDGET = 10  # issue 19: the student list
PAGE_BUDGET = 15  # issue 19: the student page, the ISP editor and every other page

TODAY = datetime.date(2027, 2, 3)
FIRST_YEAR = 2024  # 2024-2025, 2025-2026, 2026-2027 (the current year)
YEARS = 3
PROGRAMMES = 4
COURSE_SEMESTERS = ["1", "1", "1", "1", "1", "year", "2", "2", "2", "2"]
CREDITS = 6
NUMBER_BASE = 1_000_000  # student g is r(1,000,000 + g)
# The demo college's names (80 first names, 72 last names), drawn independently of the programme:
# student g has last name g / 4 and first name g / 288 (modulo the lists), so every programme has
# every name and each last name is carried by 1 student in 72 (1.4 %, more than Flanders' most
# common surname): a search by a name still finds thousands of students at N = 250,000.
SEARCHED_NAME = "Maes"  # one student in 72


@dataclass
class Page:
    persona: str
    name: str
    url: str
    budget: int
    status: int = 0
    runs: int = 0
    times_ms: list[float] = field(default_factory=list)
    queries: int = 0

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms) if self.times_ms else float("nan")

    @property
    def p95(self) -> float:
        if not self.times_ms:
            return float("nan")
        ordered = sorted(self.times_ms)  # the nearest rank
        return ordered[math.ceil(0.95 * len(ordered)) - 1]

    @property
    def fast(self) -> bool:
        return self.status == 200 and self.p95 < TARGET_MS

    @property
    def within_budget(self) -> bool:
        return self.status == 200 and self.queries <= self.budget


@dataclass
class Figures:
    n: int
    rows: dict[str, int]
    setup: dict[str, float]  # seconds per step
    pages: list[Page]

    @property
    def misses(self) -> int:
        return sum((not p.fast) + (not p.within_budget) for p in self.pages)

    def as_dict(self) -> dict:
        return {
            "n": self.n,
            "rows": self.rows,
            "setup": self.setup,
            "misses": self.misses,
            "pages": [
                {
                    "persona": p.persona,
                    "page": p.name,
                    "url": p.url,
                    "status": p.status,
                    "runs": p.runs,
                    "p50_ms": p.p50,
                    "p95_ms": p.p95,
                    "queries": p.queries,
                    "budget": p.budget,
                    "fast": p.fast,
                    "within_budget": p.within_budget,
                }
                for p in self.pages
            ],
        }


# --- the bulk, set-based ------------------------------------------------------------------
def _series(n: int) -> tuple[str, list, str]:
    """FROM clause, its parameters and the statement prefix counting g = 1..n."""
    if connection.vendor == "postgresql":
        return "FROM generate_series(1, %s) AS series(g)", [n], ""
    prefix = f"WITH RECURSIVE series(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM series WHERE g < {int(n)}) "
    return "FROM series", [], prefix


def _ordinal(alias: str) -> str:
    """SQL for a bench student's g, read back from its number."""
    return f"(CAST(SUBSTR({alias}.number, 2) AS INTEGER) - {NUMBER_BASE})"


def _pick(expression: str, names: Sequence[str]) -> str:
    quoted = [name.replace("'", "''") for name in names]
    whens = " ".join(f"WHEN {i} THEN '{name}'" for i, name in enumerate(quoted))
    return f"CASE ({expression}) %% {len(names)} {whens} END"


def _score(enrolment: str, course: str) -> str:
    """The mark of a line, 8-20 (about 85 % passes), from its enrolment's and course's ids."""
    return f"(20 - (({enrolment} * 7 + {course} * 3) %% 13))"


@dataclass
class College:
    years: list
    periods: dict  # (year index, number) -> ExamPeriod
    programmes: list
    courses: dict  # (programme index, stage) -> [Course]


def _catalogue():
    from core.models import Transition
    from exams.publication import publication_key
    from programmes.models import AcademicYear, Course, ExamPeriod, Programme

    years, periods = [], {}
    for k in range(YEARS):
        first = FIRST_YEAR + k
        year = AcademicYear.objects.create(
            code=f"{first}-{first + 1}", starts_on=datetime.date(first, 9, 18), ends_on=datetime.date(first + 1, 9, 15)
        )
        years.append(year)
        for number, start, end, published in (
            (1, (1, 8), (2, 2), (2, 6)),
            (2, (5, 27), (6, 28), (7, 2)),
            (3, (8, 16), (9, 11), (9, 13)),
        ):
            periods[k, number] = ExamPeriod.objects.create(
                academic_year=year,
                number=number,
                starts_on=datetime.date(first + 1, *start),
                ends_on=datetime.date(first + 1, *end),
                results_published_on=datetime.date(first + 1, *published),
            )
    # The publications done before the day, as the deadline job records them (``exams.publication``).
    Transition.objects.bulk_create(
        Transition(key=publication_key(period), due_on=period.results_published_on)
        for period in periods.values()
        if period.results_published_on < TODAY
    )
    programmes = [
        Programme.objects.create(
            code=f"BP-{i + 1}",
            name=f"Bench bachelor {i + 1}",
            kind="initial_bachelor",
            cluster="Bench A" if i < 2 else "Bench B",
            credits=180,
        )
        for i in range(PROGRAMMES)
    ]
    courses = {}
    for i, programme in enumerate(programmes):
        for stage in range(1, YEARS + 1):
            courses[i, stage] = Course.objects.bulk_create(
                Course(
                    programme=programme,
                    code=f"{programme.code}-{stage}{position:02d}",
                    name=f"Course {stage}.{position}",
                    credits=CREDITS,
                    semester=semester,
                    stage=stage,
                )
                for position, semester in enumerate(COURSE_SEMESTERS, start=1)
            )
    return College(years, periods, programmes, courses)


def create_data(n: int) -> College:
    """The catalogue and N students with three years each (see the module's docstring)."""
    from core import clock
    from demo.college import FIRST_NAMES, LAST_NAMES
    from exams.models import Result
    from fees.models import FeeStatement
    from notifications.models import Notification
    from programmes.models import Course, Programme
    from students.models import Enrolment, EntryKind, EntryReason, ISPLine, LearningAccountEntry, Student

    college = _catalogue()
    table = {m: m._meta.db_table for m in (Student, Enrolment, ISPLine, Course, LearningAccountEntry)}
    now = _value(LearningAccountEntry._meta.get_field("created_at"), clock.now())

    def day(value):
        return _value(ISPLine._meta.get_field("added_on"), value)

    programme_of = " ".join(f"WHEN {i} THEN {p.pk}" for i, p in enumerate(college.programmes))
    with connection.cursor() as cursor:
        series, series_params, prefix = _series(n)
        _insert_select(
            cursor,
            Student,
            {
                "number": (f"'r' || ({NUMBER_BASE} + g)", []),
                "first_name": (_pick(f"g / {PROGRAMMES * len(LAST_NAMES)}", FIRST_NAMES), []),
                "last_name": (_pick(f"g / {PROGRAMMES}", LAST_NAMES), []),
                "language": ("%s", ["nl"]),
                "account_opened": ("%s", [True]),
            },
            series,
            series_params,
            prefix=prefix,
        )
        students = f"FROM {table[Student]} s WHERE s.number LIKE %s"
        first_day = college.years[0].starts_on - datetime.timedelta(days=3)
        _insert_select(
            cursor,
            LearningAccountEntry,
            {
                "student_id": ("s.id", []),
                "on": ("%s", [day(first_day)]),
                "credits": ("140", []),
                "kind": ("%s", [EntryKind.OPENING]),
                "reason_code": ("%s", [EntryReason.OPENING]),
                "source": ("'student:' || s.id", []),
                "reason": ("'Opening balance'", []),
                "created_at": ("%s", [now]),
            },
            students,
            ["r%"],
        )
        for k, year in enumerate(college.years):
            enrolled = year.starts_on - datetime.timedelta(days=3)
            current = k == YEARS - 1
            _insert_select(
                cursor,
                Enrolment,
                {
                    "student_id": ("s.id", []),
                    "academic_year_id": ("%s", [year.pk]),
                    "programme_id": (f"CASE ({_ordinal('s')} - 1) %% {PROGRAMMES} {programme_of} END", []),
                    "contract": ("'degree'", []),
                    "enrolled_on": ("%s", [day(enrolled)]),
                    "isp_status": ("'approved'", []),
                    "enrolment_processed": ("%s", [True]),
                    "balance_at_enrolment": ("%s", [140 - 12 * k]),
                },
                students,
                ["r%"],
            )
            # The stage's 10 courses; the first semester and year courses locked on 1 December,
            # the second semester's on its lock (the current year's not yet).
            score = _score("e.id", "c.id")
            past_values = {}
            if not current:
                one, two = college.periods[k, 1].results_published_on, college.periods[k, 2].results_published_on
                past_values = {
                    "mark": (f"CAST({score} AS VARCHAR(2))", []),
                    "outcome": (f"CASE WHEN {score} >= 10 THEN 'passed' ELSE 'failed' END", []),
                    "certified_on": (
                        f"CASE WHEN {score} < 10 THEN NULL WHEN c.semester = '1' THEN %s ELSE %s END",
                        [day(one), day(two)],
                    ),
                }
            second_lock = None if current else day(year.second_semester_lock)
            _insert_select(
                cursor,
                ISPLine,
                {
                    "enrolment_id": ("e.id", []),
                    "course_id": ("c.id", []),
                    "added_on": ("%s", [day(enrolled)]),
                    "locked_on": (
                        "CASE WHEN c.semester = '2' THEN %s ELSE %s END",
                        [second_lock, day(year.first_semester_lock)],
                    ),
                    "deducted_credits": ("c.credits", []),
                    "add_processed": ("%s", [True]),
                    **past_values,
                },
                f"FROM {table[Enrolment]} e JOIN {table[Course]} c ON c.programme_id = e.programme_id "
                "WHERE e.academic_year_id = %s AND c.stage = %s",
                [year.pk, k + 1],
            )
            # Results: the past years' every line, the current year's first semester (January).
            periods = [college.periods[k, 1].pk, college.periods[k, 2].pk]
            _insert_select(
                cursor,
                Result,
                {
                    "isp_line_id": ("l.id", []),
                    "exam_period_id": ("CASE WHEN c.semester = '1' THEN %s ELSE %s END", periods),
                    "opportunity": ("1", []),
                    "score": (_score("l.enrolment_id", "l.course_id"), []),
                    "grade": ("''", []),
                },
                f"FROM {table[ISPLine]} l JOIN {table[Enrolment]} e ON e.id = l.enrolment_id "
                f"JOIN {table[Course]} c ON c.id = l.course_id WHERE e.academic_year_id = %s"
                + (" AND c.semester = '1'" if current else ""),
                [year.pk],
            )
            _insert_select(
                cursor,
                LearningAccountEntry,
                {
                    "student_id": ("e.student_id", []),
                    "on": ("%s", [day(enrolled)]),
                    "credits": (str(-CREDITS * len(COURSE_SEMESTERS)), []),
                    "kind": ("%s", [EntryKind.DEDUCTION]),
                    "reason_code": ("%s", [EntryReason.ISP]),
                    "source": ("'enrolment:' || e.id || ':isp'", []),
                    "academic_year_id": ("e.academic_year_id", []),
                    "programme_id": ("e.programme_id", []),
                    "reason": (f"'ISP {year.code}: {CREDITS * len(COURSE_SEMESTERS)} credits'", []),
                    "created_at": ("%s", [now]),
                },
                f"FROM {table[Enrolment]} e WHERE e.academic_year_id = %s",
                [year.pk],
            )
            if not current:
                passed = (
                    f"(SELECT SUM(l.deducted_credits) FROM {table[ISPLine]} l "
                    "WHERE l.enrolment_id = e.id AND l.outcome = 'passed')"
                )
                _insert_select(
                    cursor,
                    LearningAccountEntry,
                    {
                        "student_id": ("e.student_id", []),
                        "on": ("%s", [day(college.periods[k, 2].results_published_on)]),
                        "credits": (passed, []),
                        "kind": ("%s", [EntryKind.PASS_REFUND]),
                        "reason_code": ("%s", [EntryReason.PASSED]),
                        "source": ("'enrolment:' || e.id || ':passes'", []),
                        "academic_year_id": ("e.academic_year_id", []),
                        "programme_id": ("e.programme_id", []),
                        "reason": ("'Credits passed'", []),
                        "created_at": ("%s", [now]),
                    },
                    f"FROM {table[Enrolment]} e WHERE e.academic_year_id = %s AND {passed} > 0",
                    [year.pk],
                )
        year = college.years[-1]
        enrolled = day(year.starts_on - datetime.timedelta(days=3))
        _insert_select(
            cursor,
            FeeStatement,
            {
                "student_id": ("e.student_id", []),
                "academic_year_code": ("%s", [year.code]),
                "group": ("'main'", []),
                "key": ("'main'", []),
                "programme_codes": ("p.code", []),
                "on": ("%s", [enrolled]),
                "fixed": ("%s", ["265.30"]),
                "variable": ("%s", ["742.80"]),
                "surcharge": ("%s", ["0"]),
                "platform": ("%s", ["0"]),
                "total": ("%s", ["1008.10"]),
                "credits": ("%s", ["60.0"]),
                "surcharge_credits": ("%s", ["0"]),
                "change": ("%s", ["1008.10"]),
                "reason": ("'enrolment'", []),
                "created_at": ("%s", [now]),
            },
            f"FROM {table[Enrolment]} e JOIN {Programme._meta.db_table} p ON p.id = e.programme_id "
            "WHERE e.academic_year_id = %s",
            [year.pk],
        )
        _insert_select(
            cursor,
            Notification,
            {
                "student_id": ("e.student_id", []),
                "kind": ("'isp_approved'", []),
                "object_label": ("'students.Enrolment'", []),
                "object_id": ("e.id", []),
                "decided_on": ("%s", [day(year.starts_on + datetime.timedelta(days=20))]),
                "language": ("'nl'", []),
                "status": ("'sent'", []),
                "attempts": ("1", []),
                "message_key": ("'bench-' || e.id", []),
                "created_at": ("%s", [now]),
                "sent_at": ("%s", [now]),
            },
            f"FROM {table[Enrolment]} e WHERE e.academic_year_id = %s",
            [year.pk],
        )
    return college


def analyze() -> None:
    """Fresh statistics (and, outside a transaction on PostgreSQL, a vacuum), as a database
    that grew over the years would have."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


# --- the few rows of the personas ------------------------------------------------------------
@dataclass
class Personas:
    users: dict  # persona -> user
    student: object  # r1000001, in BP-1
    enrolment: object  # its current enrolment
    result: object  # one of its results
    request: object  # the open reschedule request
    appeal: object
    deliberation: object


def create_personas(college: College) -> Personas:
    from django.contrib.auth import get_user_model

    from appeals.models import Appeal
    from committee.models import Committee, CommitteeCluster, Deliberation, Member
    from core import roles
    from exams.models import Result
    from programmes.models import Assignment
    from reschedules.models import ExamMoment
    from reschedules.services import request_log
    from students.models import Enrolment, Student

    groups = roles.ensure_groups()
    User = get_user_model()

    def user(name, role=None, **fields):
        account = User.objects.create_user(name, password=None, **fields)
        if role:
            account.groups.add(groups[role])
        return account

    users = {
        "coach": user("bench_coach", roles.COACH),
        "ombudsperson": user("bench_ombudsperson", roles.OMBUDSPERSON),
        "administration": user("bench_administration", roles.ADMINISTRATION, is_staff=True),
        "committee": user("bench_committee", roles.COMMITTEE, is_staff=True),
        "admin": user("bench_admin", is_staff=True, is_superuser=True),
    }
    current = college.years[-1]
    bp1, bp2 = college.programmes[0], college.programmes[1]
    Assignment.objects.bulk_create(
        [
            Assignment(user=users["coach"], programme=p, academic_year=y, role=roles.ASSIGNED_COACH)
            for p in (bp1, bp2)
            for y in college.years
        ]
        + [
            Assignment(
                user=users["ombudsperson"], programme=bp1, academic_year=current, role=roles.ASSIGNED_OMBUDSPERSON
            )
        ]
    )
    # BP-1's exam moments of the current year: period 1 for the first semester and the year
    # courses, period 2 for the second semester, one a weekday.
    moments = []
    for position, course in enumerate(college.courses[0, YEARS]):
        number = 2 if course.semester == "2" else 1
        period = college.periods[YEARS - 1, number]
        moments.append(
            ExamMoment(
                course=course,
                exam_period=period,
                on=period.starts_on + datetime.timedelta(days=3 + 2 * position),
                starts_at=datetime.time(9, 0),
                room="B.101",
                announced_on=datetime.date(current.starts_on.year, 10, 1),
            )
        )
    ExamMoment.objects.bulk_create(moments)
    student = Student.objects.get(number=f"r{NUMBER_BASE + 1}")
    enrolment = Enrolment.objects.get(student=student, academic_year=current)
    second = next(c for c in college.courses[0, YEARS] if c.semester == "2")
    request = request_log(
        student=student,
        course=second,
        exam_period=college.periods[YEARS - 1, 2],
        kind="force_majeure",
        requested_on=TODAY,
        reason="Surgery planned in June.",
        today=TODAY,
        by=users["ombudsperson"],
    )
    appeal = Appeal.objects.create(
        student=student,
        category="g",
        decision_text="Examination disciplinary decision: exam annulled",
        decision_on=TODAY - datetime.timedelta(days=10),
        posted_on=TODAY - datetime.timedelta(days=9),
        pending_feedback=True,
        decision_due_on=TODAY + datetime.timedelta(days=20),
    )
    committee = Committee.objects.create(academic_year=current, name="Bench A", approved_on=current.starts_on)
    CommitteeCluster.objects.create(committee=committee, cluster="Bench A")
    Member.objects.create(committee=committee, name="Chair Bench", role="chair", user=users["committee"])
    Member.objects.create(committee=committee, name="Secretary Bench", role="secretary", programme=bp1)
    Member.objects.create(committee=committee, name="Member Bench", role="member", programme=bp2)
    deliberation = Deliberation.objects.create(
        committee=committee,
        exam_period=college.periods[YEARS - 1, 1],
        meets_on=TODAY + datetime.timedelta(days=1),
        place="Room A.101",
    )
    result = Result.objects.filter(isp_line__enrolment=enrolment).order_by("pk").first()
    return Personas(users, student, enrolment, result, request, appeal, deliberation)


# --- the pages -----------------------------------------------------------------------------------
def pages(college: College, people: Personas) -> list[Page]:
    from django.urls import reverse

    number = people.student.number
    whatif_day = (TODAY + datetime.timedelta(days=7)).isoformat()
    student_list = reverse("students:student_list")

    def admin(model, action="changelist", *args):
        return reverse(f"admin:{model}_{action}", args=args)

    oldest = college.years[0].pk
    table = [
        ("coach", "home", reverse("home")),
        ("coach", "student list", student_list),
        ("coach", "student list: programme", f"{student_list}?programme={college.programmes[1].pk}"),
        ("coach", "student list: name", f"{student_list}?q={SEARCHED_NAME}"),
        ("coach", "student list: number", f"{student_list}?q={number}"),
        ("coach", "student list: by balance", f"{student_list}?ordering=balance"),
        ("coach", "student list: last page", f"{student_list}?page=last"),
        ("coach", "student page", reverse("students:student_detail", args=[number])),
        ("coach", "ISP editor", reverse("students:isp_editor", args=[people.enrolment.pk])),
        ("coach", "risk list", reverse("students:risk_list")),
        ("coach", "what-if", f"{reverse('students:student_whatif', args=[number])}?kind=deregister&on={whatif_day}"),
        ("ombudsperson", "request queue", reverse("exams:request_list")),
        ("ombudsperson", "request", reverse("exams:request_detail", args=[people.request.pk])),
        ("ombudsperson", "schedule", reverse("exams:schedule", args=[number])),
        ("administration", "appeal register", reverse("appeals:register")),
        ("administration", "appeal", reverse("appeals:appeal_detail", args=[people.appeal.pk])),
        ("administration", "open balances", reverse("fees:open_balances")),
        ("administration", "outbox", reverse("notifications:outbox")),
        ("administration", "fraud files", reverse("fraud:file_list")),
        ("administration", "exam periods", admin("programmes_examperiod")),
        (
            "administration",
            "publication",
            admin("programmes_examperiod", "publication", college.periods[YEARS - 1, 1].pk),
        ),
        ("committee", "home", reverse("committee:home")),
        ("committee", "deliberation", reverse("committee:deliberation", args=[people.deliberation.pk])),
        ("committee", "inventory", reverse("committee:inventory", args=[people.deliberation.pk])),
        ("committee", "students", reverse("committee:students", args=[people.deliberation.pk])),
        ("committee", "students: every", f"{reverse('committee:students', args=[people.deliberation.pk])}?show=all"),
        ("committee", "students: number", f"{reverse('committee:students', args=[people.deliberation.pk])}?q={number}"),
        ("committee", "student", reverse("committee:student", args=[people.deliberation.pk, number])),
        ("committee", "report", reverse("committee:report", args=[people.deliberation.pk])),
        ("admin", "students", admin("students_student")),
        ("admin", "students: search", f"{admin('students_student')}?q={SEARCHED_NAME}"),
        ("admin", "students: last page", f"{admin('students_student')}?p=last"),
        ("admin", "student", admin("students_student", "change", people.student.pk)),
        ("admin", "enrolments", admin("students_enrolment")),
        ("admin", "enrolments: search", f"{admin('students_enrolment')}?q={number}"),
        ("admin", "enrolments: last page", f"{admin('students_enrolment')}?p=last"),
        ("admin", "enrolment", admin("students_enrolment", "change", people.enrolment.pk)),
        ("admin", "results", admin("exams_result")),
        ("admin", "results: search", f"{admin('exams_result')}?q={number}"),
        ("admin", "results: last page", f"{admin('exams_result')}?p=last"),
        ("admin", "result", admin("exams_result", "change", people.result.pk)),
        ("admin", "ledger", admin("students_learningaccountentry")),
        ("admin", "ledger: number", f"{admin('students_learningaccountentry')}?q={number}"),
        # The oldest year's entries and a rare kind's: the newest-first list must not walk the ledger.
        ("admin", "ledger: first year", f"{admin('students_learningaccountentry')}?academic_year__id__exact={oldest}"),
        ("admin", "ledger: corrections", f"{admin('students_learningaccountentry')}?kind=correction"),
        # The openings: a sixth of the entries and the oldest (the primary key's walk passed every later one).
        ("admin", "ledger: openings", f"{admin('students_learningaccountentry')}?kind=opening"),
        ("admin", "ledger: reason", f"{admin('students_learningaccountentry')}?reason_code=opening"),
    ]
    return [
        Page(persona, name, url, LIST_BUDGET if name.startswith("student list") else PAGE_BUDGET)
        for persona, name, url in table
    ]


def _last_page(html: str, parameter: str) -> int | None:
    """The highest page number a page links to (its paginator's last page)."""
    found = [int(m) for m in re.findall(rf"[?&](?:amp;)?{parameter}=(\d+)", html)]
    return max(found) if found else None


def _get(client, url: str):
    return client.get(url, secure=True)


def measure_pages(people: Personas, listed: list[Page], *, repeats: int = REPEATS, on_page=None) -> list[Page]:
    """Request every page as its persona: once to warm up, then ``repeats`` times;
    ``on_page(page)`` after each page."""
    import logging

    from django.test import Client

    # django-axes logs every login (force_login too).
    axes = logging.getLogger("axes")
    level = axes.level
    axes.setLevel(logging.WARNING)
    try:
        clients = {}
        for persona, account in people.users.items():
            clients[persona] = Client(raise_request_exception=False)
            clients[persona].force_login(account)
    finally:
        axes.setLevel(level)
    # Every page is warmed up before any is measured, as on a server that has served them: the
    # process's first requests also settle its heap (core.middleware.HeapMiddleware).
    for page in listed:
        _warm_page(clients[page.persona], page)
    for page in listed:
        _measure_page(clients[page.persona], page, repeats)
        if on_page:
            on_page(page)
    return listed


def _warm_page(client, page: Page) -> None:
    if "=last" in page.url:
        # The last page: the highest page number the first page links to.
        base, _sep, _rest = page.url.partition("?")
        parameter = "p" if "/admin/" in base else "page"
        first = _get(client, base)
        last = _last_page(first.content.decode(), parameter) if first.status_code == 200 else None
        page.url = f"{base}?{parameter}={last or 1}"
    # The warm-up; a page slower than PAGE_SECONDS is not requested again: it counts as the one run.
    status, elapsed, queries = _timed(client, page.url)
    page.status = status
    if status == 200 and elapsed > PAGE_SECONDS:
        page.times_ms, page.queries, page.runs = [elapsed * 1000], queries, 1


def _measure_page(client, page: Page, repeats: int) -> None:
    if page.runs:  # its warm-up was its one run
        return
    spent = 0.0
    while page.status == 200 and page.runs < repeats and spent <= PAGE_SECONDS:
        page.status, elapsed, queries = _timed(client, page.url)
        if page.status == 200:
            page.times_ms.append(elapsed * 1000)
            page.queries = max(page.queries, queries)
            page.runs += 1
            spent += elapsed


def _timed(client, url: str) -> tuple[int, float, int]:
    """(status, seconds, queries) of one request."""
    counter = QueryCounter()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        response = _get(client, url)
    return response.status_code, time.perf_counter() - started, counter.count


def count_rows() -> dict[str, int]:
    from exams.models import Result
    from students.models import Enrolment, ISPLine, LearningAccountEntry, Student

    return {
        "students": Student.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "ISP lines": ISPLine.objects.count(),
        "results": Result.objects.count(),
        "ledger entries": LearningAccountEntry.objects.count(),
    }


def keep_tallies() -> None:
    """Count what the Celery tasks keep for the pages, as beat and the workers asked when the
    results were entered would have before anybody asks: the marks entered and missing of every
    exam period, the students deliberated."""
    from committee.tasks import deliberated_count
    from exams.tasks import missing_marks_count
    from programmes.models import ExamPeriod

    for period_id in ExamPeriod.objects.values_list("pk", flat=True):
        missing_marks_count(period_id)
    deliberated_count()


def measure(n: int, *, repeats: int = REPEATS, report=None, on_page=None) -> Figures:
    """Fill the current database with N students and request every page. Works inside a
    transaction too (the test suite's), but then skips VACUUM. ``report(text)`` is told of
    each step of the fill as it ends, ``on_page(page)`` of each page measured."""
    import time_machine

    report = report or (lambda text: None)
    setup = {}
    from zoneinfo import ZoneInfo

    noon = datetime.datetime(TODAY.year, TODAY.month, TODAY.day, 12, 0, tzinfo=ZoneInfo("Europe/Brussels"))
    with time_machine.travel(noon, tick=False):
        started = time.perf_counter()
        college = create_data(n)
        setup["data"] = time.perf_counter() - started
        report(f"data {setup['data']:.1f} s")
        started = time.perf_counter()
        people = create_personas(college)
        setup["personas"] = time.perf_counter() - started
        started = time.perf_counter()
        analyze()
        setup["analyze"] = time.perf_counter() - started
        report(f"analyze {setup['analyze']:.1f} s")
        # What the workers keep for the pages (issue 19): the marks entered and missing (the
        # administration's home, the exam periods) and the students deliberated (the report).
        started = time.perf_counter()
        keep_tallies()
        setup["tallies"] = time.perf_counter() - started
        report(f"tallies {setup['tallies']:.1f} s")
        rows = count_rows()
        report(", ".join(f"{name} {count:,}" for name, count in rows.items()))
        listed = measure_pages(people, pages(college, people), repeats=repeats, on_page=on_page)
    return Figures(n, rows, setup, listed)


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


HEADER = (
    f"  {'persona':<15}{'page':<27}{'runs':>5}{'p50 ms':>9}{'p95 ms':>9}  {'p95<100':<8}"
    f"{'queries':>8}{'budget':>7}  budget"
)


def page_line(page: Page) -> str:
    if page.status != 200:
        return f"  {page.persona:<15}{page.name:<27} HTTP {page.status} ({page.url})  MISSED MISSED"
    return (
        f"  {page.persona:<15}{page.name:<27}{page.runs:>5}{page.p50:>9.1f}{page.p95:>9.1f}  "
        f"{_verdict(page.fast):<8}{page.queries:>8}{page.budget:>7}  {_verdict(page.within_budget)}"
    )


def print_pages(figures: Figures) -> None:
    print(HEADER)
    for page in figures.pages:
        print(page_line(page))
    print(f"  misses             {figures.misses} (of {2 * len(figures.pages)} targets)", flush=True)


def run(n: int | None = None) -> dict:
    from django.conf import settings

    repeats = REPEATS if n else SMOKE_REPEATS
    n = n or DEFAULT_N
    print(f"pages: N = {n:,} students x 3 years on {vendor_label()}, {repeats} runs a page", flush=True)
    # The timings are the machine's as much as the app's: say how busy it was.
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"  load average       {load} ({os.cpu_count()} CPUs) at the start", flush=True)
    shown = []

    def on_page(page):
        if not shown:
            print(HEADER)
        shown.append(page)
        print(page_line(page), flush=True)

    hosts = settings.ALLOWED_HOSTS
    settings.ALLOWED_HOSTS = [*hosts, "testserver"]  # the test client's host
    try:
        with scratch_database("pages") as created:
            print(f"  scratch database   {connection.settings_dict['NAME']}, migrated in {created:.1f} s", flush=True)
            figures = measure(
                n,
                repeats=repeats,
                report=lambda text: print(f"  fill               {text}", flush=True),
                on_page=on_page,
            )
    finally:
        settings.ALLOWED_HOSTS = hosts
    steps = ", ".join(f"{step} {seconds:.1f} s" for step, seconds in figures.setup.items())
    print(f"  fill               {sum(figures.setup.values()):.1f} s in all ({steps})")
    print(f"  misses             {figures.misses} (of {2 * len(figures.pages)} targets)", flush=True)
    return figures.as_dict()
