"""The demo data: a deterministic generator whose document imports, the demo appeals, and the
demo commands."""

import datetime
import io
import json
import re
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from appeals.models import Appeal
from core import roles
from demo import appeals as demo_appeals
from demo.college import DEMO_PASSWORD, DEMO_TODAY, DEMO_USERS, PROGRAMME_BY_CODE, build_records
from exams.models import Result
from exams.rules import is_pass, mark_from_parts
from exchange.records import validate
from programmes.models import Assignment
from students.models import Enrolment, LearningAccountEntry, Student

DAY = datetime.timedelta(days=1)


@pytest.fixture(scope="module")
def document():
    return build_records()


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)


def _mark(result):
    if "parts" in result:
        return mark_from_parts([(p["credits"], p["mark"]) for p in result["parts"]])
    return result["mark"]


def _final_marks(enrolment) -> dict:
    """Course -> the year's final mark: the second opportunity unless it is lower."""
    order = {"NA": -1, "F": -1, "P": 20}
    final = {}
    for result in sorted(enrolment["results"], key=lambda r: r["opportunity"]):
        mark = _mark(result)
        old = final.get(result["course"])
        if old is None or order.get(mark, mark) >= order.get(old, old):
            final[result["course"]] = mark
    return final


def _courses(document):
    return {(p["code"], c["code"]): c for p in document["programmes"] for c in p["courses"]}


def _enrolments(document):
    for student in document["students"]:
        for enrolment in student["enrolments"]:
            yield student, enrolment


# --------------------------------------------------------------------------- the generator


def test_the_same_seed_gives_the_same_document():
    first = json.dumps(build_records(seed=7, students=60), sort_keys=True)
    assert json.dumps(build_records(seed=7, students=60), sort_keys=True) == first
    assert json.dumps(build_records(seed=8, students=60), sort_keys=True) != first


@pytest.mark.django_db
def test_the_document_passes_the_importers_validation(document):
    assert validate(document) == []


@pytest.mark.django_db
def test_other_seeds_and_sizes_pass_validation_too():
    for seed, students in ((1, 120), (99, 40)):
        assert validate(build_records(seed=seed, students=students)) == [], (seed, students)


def test_three_academic_years_with_their_exam_periods(document):
    years = document["academic_years"]
    assert [y["code"] for y in years] == ["2024-2025", "2025-2026", "2026-2027"]
    for year in years:
        starts, ends = _date(year["starts_on"]), _date(year["ends_on"])
        assert starts.weekday() == 0 and 15 <= starts.day <= 28, "third or fourth Monday of September"
        assert ends.month == 9 and 10 <= ends.day <= 16
        periods = year["exam_periods"]
        assert [p["number"] for p in periods] == [1, 2, 3]
        assert [_date(p["starts_on"]).month for p in periods] == [1, 5, 8]
        previous_end = starts
        for period in periods:
            start, end, published = (_date(period[k]) for k in ("starts_on", "ends_on", "results_published_on"))
            assert previous_end < start <= end < published <= ends
            assert (published - end).days <= 5
            previous_end = published


def test_programmes_of_different_kinds(document):
    kinds = {p["code"]: p["kind"] for p in document["programmes"]}
    assert len(kinds) >= 3 and len(set(kinds.values())) == len(kinds)
    assert kinds["BA-NURS"] == "initial_bachelor"
    assert kinds["GR-ACC"] == "associate"
    assert kinds["BANABA-EMC"] == "bachelor_after_bachelor"
    for programme in document["programmes"]:
        spec = PROGRAMME_BY_CODE[programme["code"]]
        route = spec.model_route()
        assert sum(c.credits for c in route) == programme["credits"], programme["code"]
        for stage in range(1, spec.stages + 1):
            assert sum(c.credits for c in route if c.stage == stage) == 60, (programme["code"], stage)


def test_the_nursing_model_route_is_180_credits_in_three_stages_of_60(document):
    nursing = next(p for p in document["programmes"] if p["code"] == "BA-NURS")
    assert nursing["cluster"] == "Health Care" and nursing["credits"] == 180
    courses = nursing["courses"]
    for stage in (1, 2, 3):
        in_stage = [c for c in courses if c["stage"] == stage]
        electives = [c for c in in_stage if c.get("elective")]
        # All the electives of a stage fill the same slot: they have the same credits.
        assert len({c["credits"] for c in electives}) <= 1
        compulsory = sum(c["credits"] for c in in_stage if not c.get("elective"))
        assert compulsory + (electives[0]["credits"] if electives else 0) == 60, stage
    assert all(3 <= c["credits"] <= 8 for c in courses)
    assert {c["semester"] for c in courses} == {"1", "2", "year"}
    assert sum(bool(c.get("pass_fail")) for c in courses) >= 2
    assert sum(c.get("tolerable") is False for c in courses) >= 3
    assert sum(bool(c.get("elective")) for c in courses) >= 2
    internships = [c for c in courses if c["name"].startswith("Stage")]
    assert internships and all(c.get("resit") is False for c in internships)
    codes = {c["code"]: c for c in courses}
    stage = {c["code"]: c["stage"] for c in courses}
    requirements = [(c, r) for c in courses for r in c.get("requires", [])]
    assert {r["kind"] for _, r in requirements} == {"SQ", "SSQ"}
    assert any(r["kind"] == "SSQ" and stage[r["course"]] < c["stage"] for c, r in requirements)
    # Internships after the first one require an earlier internship, passed.
    for internship in internships:
        if internship["stage"] > 1:
            assert any(
                r["kind"] == "SSQ" and codes[r["course"]]["name"].startswith("Stage") for r in internship["requires"]
            ), internship["code"]
    assert any(c.get("identical_to") for c in courses)


def test_about_300_students_over_three_cohorts(document):
    students = document["students"]
    assert len(students) == 300
    numbers = [s["number"] for s in students]
    assert len(set(numbers)) == len(numbers) and all(re.fullmatch(r"r\d{7}", n) for n in numbers)
    emails = [s["email"] for s in students]
    assert len(set(emails)) == len(emails)
    first_years = Counter(min(e["academic_year"] for e in s["enrolments"]) for s in students)
    assert set(first_years) == {"2024-2025", "2025-2026", "2026-2027"}
    years_enrolled = Counter(len({e["academic_year"] for e in s["enrolments"]}) for s in students)
    assert set(years_enrolled) == {1, 2, 3}
    programmes = Counter(e["programme"] for _, e in _enrolments(document))
    assert set(programmes) == set(PROGRAMME_BY_CODE)
    contracts = Counter(e["contract"] for _, e in _enrolments(document))
    assert contracts["degree"] > 0.9 * sum(contracts.values()) and contracts["credit"] >= 3
    # Students coming from elsewhere, and bachelors in the bachelor after bachelor.
    assert sum("learning_account" in s for s in students) >= 3
    assert sum("degrees" in s for s in students) >= 2
    for student in students:
        if any(e["programme"] == "BANABA-EMC" for e in student["enrolments"]):
            assert student["degrees"][0]["kind"] == "bachelor"
            assert _date(student["degrees"][0]["on"]) < min(_date(e["enrolled_on"]) for e in student["enrolments"])
        if "learning_account" in student:
            assert _date(student["learning_account"]["on"]) < min(
                _date(e["enrolled_on"]) for e in student["enrolments"]
            )


def test_enrolment_dates_and_credits_look_like_a_real_year(document):
    years = {y["code"]: y for y in document["academic_years"]}
    enrolments = list(_enrolments(document))
    deregistered = [e for _, e in enrolments if e.get("deregistered_on")]
    assert 0.03 * len(enrolments) <= len(deregistered) <= 0.08 * len(enrolments)
    december = [e for e in deregistered if e["deregistered_on"][5:7] == "12"]
    before_lock = [e for e in deregistered if e["deregistered_on"][5:] < "12-01" and e["deregistered_on"][5:7] > "06"]
    assert december and before_lock and len(deregistered) > len(december) + len(before_lock)
    regular = 0
    for _, enrolment in enrolments:
        year = years[enrolment["academic_year"]]
        enrolled_on = _date(enrolment["enrolled_on"])
        assert enrolled_on < DEMO_TODAY
        assert datetime.date(int(year["code"][:4]), 7, 1) <= enrolled_on <= datetime.date(int(year["code"][5:]), 3, 15)
        if enrolled_on.month in (7, 8, 9) or (enrolled_on.month == 10 and enrolled_on.day <= 5):
            regular += 1
        if enrolment.get("deregistered_on"):
            assert enrolled_on <= _date(enrolment["deregistered_on"]) < DEMO_TODAY
        for line in enrolment["isp"]:
            if "removed_on" in line:
                assert _date(line.get("added_on", enrolment["enrolled_on"])) <= _date(line["removed_on"])
                assert _date(line["removed_on"]).strftime("%m-%d") < "12-01"
    assert regular > 0.9 * len(enrolments)
    assert any(e["isp"][i].get("removed_on") for _, e in enrolments for i in range(len(e["isp"])))
    assert any(line.get("exempted") for _, e in enrolments for line in e["isp"])
    credits = []
    for _, enrolment in enrolments:
        if enrolment["contract"] == "degree":
            programme = PROGRAMME_BY_CODE[enrolment["programme"]]
            credits.append(
                sum(programme.course(line["course"]).credits for line in enrolment["isp"] if "removed_on" not in line)
            )
    assert sum(45 <= c <= 66 for c in credits) > 0.8 * len(credits)
    assert max(credits) <= 72


def test_starters_take_the_whole_first_stage(document):
    for student, enrolment in _enrolments(document):
        first = student["enrolments"][0]
        if enrolment is not first or first["contract"] != "degree" or first.get("deregistered_on"):
            continue
        programme = PROGRAMME_BY_CODE[first["programme"]]
        taken = {line["course"] for line in first["isp"] if "removed_on" not in line}
        stage_one = {c.code for c in programme.stage_courses(1)}
        # Part-time students (a derogation) take part of it, never anything else.
        assert taken <= stage_one, student["number"]
    full = sum(
        {line["course"] for line in s["enrolments"][0]["isp"]}
        == {c.code for c in PROGRAMME_BY_CODE[s["enrolments"][0]["programme"]].stage_courses(1)}
        for s in document["students"]
    )
    assert full > 0.7 * len(document["students"])


def test_nobody_takes_a_course_before_its_prerequisites(document):
    """SSQ: passed or exempted in an earlier year; SQ: in an earlier ISP or in the same one."""
    courses = _courses(document)
    checked = 0
    for student in document["students"]:
        passed = defaultdict(set)  # programme -> courses passed or exempted in earlier years
        followed = defaultdict(set)
        for year in sorted({e["academic_year"] for e in student["enrolments"]}):
            this_year = [e for e in student["enrolments"] if e["academic_year"] == year]
            for enrolment in this_year:
                programme = enrolment["programme"]
                lines = [line for line in enrolment["isp"] if "removed_on" not in line]
                in_isp = {line["course"] for line in lines}
                for line in lines:
                    for required in courses[programme, line["course"]].get("requires", []):
                        checked += 1
                        if required["kind"] == "SSQ":
                            assert required["course"] in passed[programme], (student["number"], year, line)
                        else:
                            assert required["course"] in followed[programme] | in_isp, (student["number"], year, line)
            for enrolment in this_year:
                programme = enrolment["programme"]
                final = _final_marks(enrolment)
                passed[programme] |= {code for code, mark in final.items() if is_pass(mark)}
                passed[programme] |= {line["course"] for line in enrolment["isp"] if line.get("exempted")}
                followed[programme] |= {line["course"] for line in enrolment["isp"] if "removed_on" not in line}
    assert checked > 100


def test_results_follow_the_examination_rules(document):
    courses = _courses(document)
    years = {y["code"]: y for y in document["academic_years"]}
    marks = Counter()
    parts = 0
    for student, enrolment in _enrolments(document):
        year = years[enrolment["academic_year"]]
        published = {p["number"]: _date(p["results_published_on"]) for p in year["exam_periods"]}
        period_end = {p["number"]: _date(p["ends_on"]) for p in year["exam_periods"]}
        if enrolment["academic_year"] == "2026-2027":
            assert enrolment["results"] == [] and "tolerance_choices" not in enrolment
            continue
        active = {line["course"] for line in enrolment["isp"] if "removed_on" not in line and not line.get("exempted")}
        opportunities = defaultdict(dict)
        for result in enrolment["results"]:
            course = courses[enrolment["programme"], result["course"]]
            assert result["course"] in active
            opportunities[result["course"]][result["opportunity"]] = result
            if result["opportunity"] == 1:
                assert result["exam_period"] == (1 if course["semester"] == "1" else 2)
            else:
                assert result["exam_period"] == 3 and course.get("resit", True)
            if enrolment.get("deregistered_on"):
                assert period_end[result["exam_period"]] < _date(enrolment["deregistered_on"])
            mark = _mark(result)
            if "parts" in result:
                parts += 1
                assert not course.get("pass_fail")
                assert sum(p["credits"] for p in result["parts"]) == course["credits"]
            if course.get("pass_fail"):
                assert mark in ("P", "F", "NA")
            else:
                assert mark == "NA" or (isinstance(mark, int) and 0 <= mark <= 20)
            marks["NA" if mark == "NA" else mark if isinstance(mark, str) else min(mark // 2, 9)] += 1
        for course, results in opportunities.items():
            if 2 in results:
                assert 1 in results and not is_pass(_mark(results[1])), (student["number"], course)
        final = _final_marks(enrolment)
        for choice in enrolment.get("tolerance_choices", []):
            course = courses[enrolment["programme"], choice["course"]]
            assert course.get("tolerable", True) and final[choice["course"]] in (8, 9)
            on = _date(choice["on"])
            assert any(0 < (on - day).days <= 15 for day in published.values())
    numeric = sum(marks[k] for k in range(10))
    assert marks[5] + marks[6] + marks[7] + marks[8] > 0.5 * numeric, "most marks 10-17"
    assert marks[4] > 0.05 * numeric, "some 8-9"
    assert marks[0] + marks[1] + marks[2] + marks[3] > 0.02 * numeric, "some 0-7"
    assert marks["NA"] and marks["P"] > marks["F"] > 0 and parts >= 5
    choices = sum(len(e.get("tolerance_choices", [])) for _, e in _enrolments(document))
    assert 5 <= choices <= 100


# --------------------------------------------------------------------------- the demo appeals
# Registered and decided through the services, as of the demo's today, in the appeal tests'
# college (tests/demo/conftest.py). (formerly tests/demo/test_appeals_demo.py)


def test_the_demo_appeals_follow_the_rules_as_of_today(college):
    assert demo_appeals.load(today=datetime.date(2024, 3, 1)) == 1
    appeal = Appeal.objects.get()
    # C01 (7) of the January publication: posted three days after it, a new decision nine days later.
    assert (appeal.category, appeal.posted_on, appeal.decided_on, appeal.outcome) == (
        "f",
        datetime.date(2024, 2, 9),
        datetime.date(2024, 2, 18),
        "new_decision",
    )
    assert (appeal.old_mark, appeal.new_mark, appeal.overdue_since) == ("7", "10", None)
    assert Result.objects.get(pk=college.result.pk).score == 10


def test_before_a_decision_can_be_taken_only_the_recent_appeals_are_made(college):
    # 10 February: twelve days after the publication have not passed; R1 gets the recent (e) appeal.
    assert demo_appeals.load(today=datetime.date(2024, 2, 10)) == 1
    appeal = Appeal.objects.get()
    assert (appeal.category, appeal.status, appeal.decision_due_on) == ("e", "open", datetime.date(2024, 2, 12))
    assert appeal.isp_line.enrolment.student == college.student


# --------------------------------------------------------------------------- roles and commands


@pytest.mark.django_db
def test_ensure_groups_is_idempotent():
    first = {role: set(g.permissions.values_list("codename", flat=True)) for role, g in roles.ensure_groups().items()}
    second = {role: set(g.permissions.values_list("codename", flat=True)) for role, g in roles.ensure_groups().items()}
    assert first == second
    assert {"change_ispline", "add_result", "view_learningaccountentry"} <= first[roles.ADMINISTRATION]
    assert "change_learningaccountentry" not in first[roles.ADMINISTRATION]
    assert {"view_student", "view_learningaccountentry", "change_result"} <= first[roles.COMMITTEE]
    assert "change_student" not in first[roles.COMMITTEE]


@pytest.mark.django_db
def test_demo_logins_says_to_load_the_demo_first():
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    assert "load_demo" in out.getvalue() and "password" not in out.getvalue()


@pytest.mark.slow
@pytest.mark.django_db
def test_load_demo_creates_logins_and_if_empty_adds_nothing(client):
    out = io.StringIO()
    call_command("load_demo", "--if-empty", "--students", "40", "--today", "2026-11-23", stdout=out)
    assert Student.objects.count() == 40
    # The timeline ran up to today: every enrolment processed, the learning accounts booked.
    assert not Enrolment.objects.filter(enrolment_processed=False).exists()
    assert LearningAccountEntry.objects.filter(kind="pass_refund").exists()
    assert "40 students" in " ".join(out.getvalue().split())

    User = get_user_model()
    expected_groups = {
        "admin": set(),
        "coach": {roles.COACH},
        "ombudsperson": {roles.OMBUDSPERSON},
        "substitute": {roles.OMBUDSPERSON},
        "administration": {roles.ADMINISTRATION},
        "committee": {roles.COMMITTEE},
        # Issue 15: the Health Care committee's secretary, who signs its reports with the chair.
        "secretary": {roles.COMMITTEE},
        # Issue 16: who reports fraud, and who ratifies exclusions and enrolment bans (Art. 84-85).
        "examiner": {roles.EXAMINER},
        "fraudauthority": {roles.FRAUD_AUTHORITY},
    }
    assert {d.username for d in DEMO_USERS} == set(expected_groups)
    for username, groups in expected_groups.items():
        user = User.objects.get(username=username)
        assert set(user.groups.values_list("name", flat=True)) == groups
        assert client.login(username=username, password=DEMO_PASSWORD), username
        client.logout()
    assert User.objects.get(username="admin").is_superuser
    administration = User.objects.get(username="administration")
    assert administration.is_staff and administration.has_perm("students.change_ispline")
    assert not administration.has_perm("students.change_learningaccountentry")
    committee = User.objects.get(username="committee")
    assert committee.is_staff and committee.has_perm("exams.change_result")
    assert not committee.has_perm("students.change_enrolment")
    assert not User.objects.get(username="coach").is_staff
    # The coach serves the Health Care programmes and GR-ACC, the ombudsperson every programme, each year.
    coaching = Assignment.objects.filter(user__username="coach", role="coach")
    assert sorted(set(coaching.values_list("programme__code", flat=True))) == ["BA-NURS", "BANABA-EMC", "GR-ACC"]
    assert coaching.count() == 9
    assert Assignment.objects.filter(user__username="ombudsperson", role="ombudsperson").count() == 12

    counts = (Student.objects.count(), Enrolment.objects.count(), User.objects.count())
    again = io.StringIO()
    call_command("load_demo", "--if-empty", "--students", "40", stdout=again)
    assert "already holds students" in again.getvalue()
    assert (Student.objects.count(), Enrolment.objects.count(), User.objects.count()) == counts

    logins = io.StringIO()
    call_command("demo_logins", stdout=logins)
    for username in expected_groups:
        assert username in logins.getvalue()
    assert "password changed" not in logins.getvalue()

    coach_user = User.objects.get(username="coach")
    coach_user.set_password("something else")
    coach_user.save()
    logins = io.StringIO()
    call_command("demo_logins", stdout=logins)
    coach_line = next(line for line in logins.getvalue().splitlines() if line.strip().startswith("coach"))
    assert "password changed" in coach_line
