"""The exchange's commands: ``import_records`` and exchange.records (the import format of
EXCHANGE.md, all or nothing), and ``study_progress`` (the JSON contract and the readable text)."""

import copy
import datetime
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from exams.models import Result, ResultPart, ToleranceChoice, ToleranceObjection
from exchange.records import ImportSummary, RecordsInvalid, import_data, validate
from programmes.models import AcademicYear, Course, ExamPeriod, Prerequisite, Programme
from students.models import Degree, Enrolment, ISPLine, LearningAccountEntry, Student
from tests.support.examples import load, replay, study_progress_json
from tests.support.paths import EXAMPLES

EXAMPLE_FILES = sorted(EXAMPLES.glob("*.records.json"))
BASE = json.loads((EXAMPLES / "perfect-first-year.records.json").read_text())

pytestmark = pytest.mark.django_db

E = "students[0].enrolments[0]"


def row_counts() -> dict[str, int]:
    """Rows of every model of the project's apps, history and many-to-many tables included."""
    counts = {}
    for label in ("core", "programmes", "students", "exams", "appeals"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            counts[model._meta.label] = model._default_manager.count()
    counts["identical_to"] = Course.identical_to.through.objects.count()
    return counts


def base() -> dict:
    return copy.deepcopy(BASE)


def write(tmp_path: Path, data, name="records.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def run(path: Path, *args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_records", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path: Path) -> tuple[str, CommandError]:
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_records", str(path), stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    return err.getvalue() + str(raised.value), raised.value


def enrolment(d: dict) -> dict:
    return d["students"][0]["enrolments"][0]


def results(d: dict) -> list:
    return enrolment(d)["results"]


def isp(d: dict) -> list:
    return enrolment(d)["isp"]


def course(d: dict, code: str) -> dict:
    return next(c for c in d["programmes"][0]["courses"] if c["code"] == code)


def period(d: dict, index: int) -> dict:
    return d["academic_years"][0]["exam_periods"][index]


def other_programme(d: dict) -> None:
    d["programmes"].append(
        {
            "code": "BA-SOC",
            "name": "Bachelor in Social Work",
            "kind": "initial_bachelor",
            "cluster": "Social Studies",
            "credits": 180,
            "courses": [{"code": "S01", "name": "Sociology", "credits": 6, "semester": "1", "stage": 1}],
        }
    )


def setter(getter, key, value):
    def mutate(d):
        getter(d)[key] = value

    return mutate


def deleter(getter, key):
    def mutate(d):
        del getter(d)[key]

    return mutate


def appender(getter, value):
    def mutate(d):
        getter(d).append(copy.deepcopy(value))

    return mutate


def steps(*mutations):
    def mutate(d):
        for mutation in mutations:
            mutation(d)

    return mutate


def student0(d: dict) -> dict:
    return d["students"][0]


def year0(d: dict) -> dict:
    return d["academic_years"][0]


def programme0(d: dict) -> dict:
    return d["programmes"][0]


def result(i):
    return lambda d: results(d)[i]


def line(i):
    return lambda d: isp(d)[i]


def with_parts(d, index, parts):
    del results(d)[index]["mark"]
    results(d)[index]["parts"] = parts


# (id, mutation of perfect-first-year, expected path, a key part of its message)
BAD_INPUT = [
    # shape and types
    ("bad format value", setter(lambda d: d, "format", "study-records/2"), "format", "expected 'study-records/1'"),
    ("missing format", deleter(lambda d: d, "format"), "format", "required field is missing"),
    (
        "wrong type: string for an integer",
        setter(result(0), "exam_period", "1"),
        f"{E}.results[0].exam_period",
        "expected an integer, got '1'",
    ),
    (
        "wrong type: boolean for an integer",
        setter(lambda d: course(d, "A01"), "credits", True),
        "programmes[0].courses[0].credits",
        "expected an integer, got true",
    ),
    (
        "wrong type: integer for a boolean",
        setter(line(0), "exempted", 1),
        f"{E}.isp[0].exempted",
        "expected true or false, got 1",
    ),
    (
        "wrong type: list expected",
        setter(enrolment, "isp", {"course": "A01"}),
        f"{E}.isp",
        "expected a list, got an object",
    ),
    ("bad date format", setter(enrolment, "enrolled_on", "15/09/2023"), f"{E}.enrolled_on", "a date YYYY-MM-DD"),
    ("impossible date", setter(enrolment, "enrolled_on", "2023-02-30"), f"{E}.enrolled_on", "a date YYYY-MM-DD"),
    ("missing required field", deleter(student0, "last_name"), "students[0].last_name", "required field is missing"),
    ("missing results list", deleter(enrolment, "results"), f"{E}.results", "required field is missing"),
    ("empty name", setter(student0, "first_name", " "), "students[0].first_name", "must not be empty"),
    ("too long number", setter(student0, "number", "S" * 40), "students[0].number", "longer than 32 characters"),
    ("unknown key", setter(student0, "nickname", "Anneke"), "students[0].nickname", "unknown key"),
    ("unknown key in a result", setter(result(0), "grade", "A"), f"{E}.results[0].grade", "unknown key"),
    (
        "unknown calendar key",
        setter(year0, "calendar", {"exam_deadline": "2023-10-15"}),
        "academic_years[0].calendar.exam_deadline",
        "unknown key",
    ),
    ("bad e-mail", setter(student0, "email", "an.peeters"), "students[0].email", "is not an e-mail address"),
    ("bad contract", setter(enrolment, "contract", "full_time"), f"{E}.contract", "'full_time' is not one of"),
    ("bad grant status", setter(enrolment, "grant_status", "rich"), f"{E}.grant_status", "is not one of"),
    ("bad programme kind", setter(programme0, "kind", "doctorate"), "programmes[0].kind", "is not one of"),
    ("bad semester", setter(lambda d: course(d, "A01"), "semester", "3"), "programmes[0].courses[0].semester", "'3'"),
    (
        "course without credits",
        setter(lambda d: course(d, "A01"), "credits", 0),
        "programmes[0].courses[0].credits",
        "must be at least 1",
    ),
    ("stage 0", setter(lambda d: course(d, "A01"), "stage", 0), "programmes[0].courses[0].stage", "at least 1"),
    ("programme credits 0", setter(programme0, "credits", 0), "programmes[0].credits", "must be at least 1"),
    (
        "bad degree kind",
        setter(student0, "degrees", [{"kind": "doctor", "on": "2020-06-30"}]),
        "students[0].degrees[0].kind",
        "'doctor' is not one of",
    ),
    (
        "bonus left above 60",
        setter(student0, "learning_account", {"opening_balance": 100, "bonus_left": 61, "on": "2023-09-01"}),
        "students[0].learning_account.bonus_left",
        "must be between 0 and 60, got 61",
    ),
    (
        "learning account without date",
        setter(student0, "learning_account", {"opening_balance": 100}),
        "students[0].learning_account.on",
        "required field is missing",
    ),
    # academic years and exam periods
    (
        "academic year code not two consecutive years",
        setter(year0, "code", "2023-2025"),
        "academic_years[0].code",
        "use two consecutive years",
    ),
    (
        "academic year ends before it starts",
        setter(year0, "ends_on", "2023-09-01"),
        "academic_years[0].ends_on",
        "must be after starts_on",
    ),
    (
        "duplicate academic year",
        appender(lambda d: d["academic_years"], BASE["academic_years"][0]),
        "academic_years[3].code",
        "academic year '2023-2024' appears twice",
    ),
    (
        "calendar date outside its academic year",
        setter(year0, "calendar", {"second_semester_lock": "2024-10-15"}),
        "academic_years[0].calendar.second_semester_lock",
        "outside academic year 2023-2024",
    ),
    (
        "overlapping exam periods",
        setter(lambda d: period(d, 1), "starts_on", "2024-02-01"),
        "academic_years[0].exam_periods[1]",
        "exam period 2 overlaps exam period 1",
    ),
    (
        "exam period outside its academic year",
        setter(lambda d: period(d, 0), "starts_on", "2023-09-01"),
        "academic_years[0].exam_periods[0].starts_on",
        "2023-09-01 is outside academic year 2023-2024",
    ),
    (
        "exam period number 4",
        setter(lambda d: period(d, 2), "number", 4),
        "academic_years[0].exam_periods[2].number",
        "must be between 1 and 3",
    ),
    (
        "duplicate exam period number",
        setter(lambda d: period(d, 2), "number", 2),
        "academic_years[0].exam_periods[2].number",
        "exam period 2 appears twice",
    ),
    (
        "exam period ends before it starts",
        setter(lambda d: period(d, 0), "ends_on", "2024-01-07"),
        "academic_years[0].exam_periods[0].ends_on",
        "must be on or after starts_on (2024-01-08)",
    ),
    (
        "results published before the exam period ends",
        setter(lambda d: period(d, 0), "results_published_on", "2024-02-01"),
        "academic_years[0].exam_periods[0].results_published_on",
        "must be on or after ends_on (2024-02-02)",
    ),
    # programmes and courses
    (
        "duplicate programme",
        appender(lambda d: d["programmes"], BASE["programmes"][0]),
        "programmes[1].code",
        "programme 'BA-NURS' appears twice",
    ),
    (
        "duplicate course in a programme",
        appender(lambda d: programme0(d)["courses"], BASE["programmes"][0]["courses"][0]),
        "programmes[0].courses[21].code",
        "course 'A01' appears twice in programme 'BA-NURS'",
    ),
    (
        "prerequisite of another programme",
        setter(lambda d: course(d, "A07"), "requires", [{"course": "ZZZ", "kind": "SQ"}]),
        "programmes[0].courses[6].requires[0].course",
        "course 'ZZZ' is not a course of programme 'BA-NURS'",
    ),
    (
        "prerequisite of a bad kind",
        setter(lambda d: course(d, "A07"), "requires", [{"course": "A02", "kind": "XQ"}]),
        "programmes[0].courses[6].requires[0].kind",
        "'XQ' is not one of 'SQ', 'SSQ'",
    ),
    (
        "identical to an unknown course",
        setter(lambda d: course(d, "A01"), "identical_to", ["NOPE"]),
        "programmes[0].courses[0].identical_to[0]",
        "unknown course 'NOPE'",
    ),
    # students and enrolments
    (
        "duplicate student number",
        appender(lambda d: d["students"], BASE["students"][0]),
        "students[1].number",
        "student number 'S0001' appears twice",
    ),
    (
        "duplicate enrolment",
        appender(lambda d: student0(d)["enrolments"], BASE["students"][0]["enrolments"][0]),
        "students[0].enrolments[1]",
        "enrolled twice in 'BA-NURS' in 2023-2024",
    ),
    (
        "unknown academic year",
        setter(enrolment, "academic_year", "2030-2031"),
        f"{E}.academic_year",
        "unknown academic year '2030-2031'",
    ),
    ("unknown programme", setter(enrolment, "programme", "BA-XYZ"), f"{E}.programme", "unknown programme 'BA-XYZ'"),
    (
        "unknown first enrolment year",
        setter(student0, "first_enrolment_in_higher_education", "1999-2000"),
        "students[0].first_enrolment_in_higher_education",
        "unknown academic year '1999-2000'",
    ),
    (
        "enrolment before the enrolment window",
        setter(enrolment, "enrolled_on", "2023-05-01"),
        f"{E}.enrolled_on",
        "2023-05-01 is outside the enrolment window of 2023-2024 (2023-05-19 to 2024-09-15)",
    ),
    (
        "enrolment after the second-semester lock",
        setter(enrolment, "enrolled_on", "2024-03-16"),
        f"{E}.enrolled_on",
        "after the second-semester lock of 2023-2024 (2024-03-15)",
    ),
    (
        "deregistration after the academic year",
        setter(enrolment, "deregistered_on", "2024-09-16"),
        f"{E}.deregistered_on",
        "outside the enrolment window",
    ),
    (
        "deregistration before enrolment",
        setter(enrolment, "deregistered_on", "2023-09-14"),
        f"{E}.deregistered_on",
        "must be on or after enrolled_on (2023-09-15)",
    ),
    # ISP lines
    (
        "unknown course",
        setter(line(4), "course", "XYZ"),
        f"{E}.isp[4].course",
        "unknown course 'XYZ' in programme 'BA-NURS'",
    ),
    (
        "ISP line of another programme's course",
        steps(other_programme, appender(isp, {"course": "S01"})),
        f"{E}.isp[11].course",
        "course 'S01' is not in programme 'BA-NURS'",
    ),
    (
        "ISP line date outside its academic year",
        setter(line(0), "added_on", "2024-10-01"),
        f"{E}.isp[0].added_on",
        "2024-10-01 is outside the enrolment window of 2023-2024",
    ),
    (
        "ISP line added before enrolment",
        setter(line(0), "added_on", "2023-09-01"),
        f"{E}.isp[0].added_on",
        "must be on or after enrolled_on",
    ),
    (
        "ISP line removed before added",
        setter(line(0), "removed_on", "2023-09-01"),
        f"{E}.isp[0].removed_on",
        "must be on or after added_on (2023-09-15)",
    ),
    (
        "duplicate course in ISP",
        appender(isp, {"course": "A01"}),
        f"{E}.isp[11].course",
        "course 'A01' is twice in this ISP",
    ),
    # results
    ("mark 21", setter(result(0), "mark", 21), f"{E}.results[0].mark", "mark 21 is outside 0-20"),
    ("mark -1", setter(result(0), "mark", -1), f"{E}.results[0].mark", "mark -1 is outside 0-20"),
    ("mark as text", setter(result(0), "mark", "12"), f"{E}.results[0].mark", "expected an integer 0-20"),
    ("mark as a fraction", setter(result(0), "mark", 12.5), f"{E}.results[0].mark", "got 12.5"),
    (
        "P on a numeric course",
        setter(result(0), "mark", "P"),
        f"{E}.results[0].mark",
        "'P' is only for pass/fail courses; course 'A01' has marks 0-20",
    ),
    (
        "number on a pass/fail course",
        setter(result(4), "mark", 12),
        f"{E}.results[4].mark",
        "course 'A05' is pass/fail: its mark is 'P', 'F' or 'NA', not 12",
    ),
    (
        "third opportunity",
        appender(results, {"course": "A01", "exam_period": 3, "opportunity": 3, "mark": 12}),
        f"{E}.results[11].opportunity",
        "at most two opportunities",
    ),
    (
        "opportunity given twice",
        appender(results, {"course": "A01", "exam_period": 3, "opportunity": 1, "mark": 12}),
        f"{E}.results[11].opportunity",
        "opportunity 1 of course 'A01' is given twice",
    ),
    (
        "second opportunity on a resit: false course",
        appender(results, {"course": "A10", "exam_period": 3, "opportunity": 2, "mark": 12}),
        f"{E}.results[11].opportunity",
        "course 'A10' has no second opportunity (resit: false)",
    ),
    (
        "second opportunity not after the first",
        steps(
            setter(result(0), "exam_period", 3),
            appender(results, {"course": "A01", "exam_period": 1, "opportunity": 2, "mark": 12}),
        ),
        f"{E}.results[11].exam_period",
        "must be in a later exam period than the first (exam period 3)",
    ),
    (
        "result for a course not in the ISP",
        appender(results, {"course": "B01", "exam_period": 1, "opportunity": 1, "mark": 12}),
        f"{E}.results[11].course",
        "course 'B01' is not in this ISP",
    ),
    (
        "result in an unknown exam period",
        setter(result(0), "exam_period", 4),
        f"{E}.results[0].exam_period",
        "exam period 4 does not exist in academic year 2023-2024",
    ),
    (
        "result for an exempted course",
        setter(line(0), "exempted", True),
        f"{E}.results[0].course",
        "course 'A01' is exempted in this ISP",
    ),
    (
        "mark and parts",
        setter(result(0), "parts", [{"credits": 2, "mark": 12}, {"credits": 2, "mark": 14}]),
        f"{E}.results[0]",
        "give either mark or parts, not both",
    ),
    ("neither mark nor parts", deleter(result(0), "mark"), f"{E}.results[0]", "a result needs a mark or parts"),
    (
        "parts on a pass/fail course",
        lambda d: with_parts(d, 4, [{"credits": 3, "mark": 12}]),
        f"{E}.results[4].parts",
        "course 'A05' is pass/fail: partial exams are only for courses with numeric marks",
    ),
    (
        "partial mark 21",
        lambda d: with_parts(d, 0, [{"credits": 2, "mark": 21}, {"credits": 2, "mark": 14}]),
        f"{E}.results[0].parts[0].mark",
        "mark 21 is outside 0-20",
    ),
    (
        "partial exam without credits",
        lambda d: with_parts(d, 0, [{"credits": 0, "mark": 12}]),
        f"{E}.results[0].parts[0].credits",
        "must be at least 1",
    ),
    # tolerance decisions
    (
        "tolerance choice for a course not in the ISP",
        setter(enrolment, "tolerance_choices", [{"course": "B01", "on": "2024-07-05"}]),
        f"{E}.tolerance_choices[0].course",
        "course 'B01' is not in this ISP",
    ),
    (
        "tolerance objection too late",
        setter(enrolment, "tolerance_objections", [{"course": "A01", "on": "2024-10-17"}]),
        f"{E}.tolerance_objections[0].on",
        "2024-10-17 is outside 2023-09-18 to 2024-10-16",
    ),
    (
        "duplicate tolerance choice",
        setter(enrolment, "tolerance_choices", [{"course": "A02", "on": "2024-07-05"}] * 2),
        f"{E}.tolerance_choices[1]",
        "course 'A02' on 2024-07-05 appears twice",
    ),
]


def assert_refused(tmp_path, data, path, message):
    before = row_counts()
    output, _error = run_failing(write(tmp_path, data))
    lines = output.splitlines()
    expected = [line for line in lines if line.startswith(f"{path}: ")]
    assert expected, f"no problem at {path!r} in:\n{output}"
    assert any(message in line for line in expected), f"{message!r} not in:\n{output}"
    assert row_counts() == before
    return lines


@pytest.mark.parametrize(("mutate", "path", "message"), [case[1:] for case in BAD_INPUT], ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_refused_naming_its_place(tmp_path, mutate, path, message):
    data = base()
    mutate(data)
    assert_refused(tmp_path, data, path, message)


# Records that exist with other content: the file is imported once, then changed.
CHANGED = [
    (
        "course credits",
        setter(lambda d: course(d, "A04"), "credits", 6),
        "programmes[0].courses[3]",
        "course 'A04' of programme 'BA-NURS' already exists with different content (credits: 5 in the database, "
        "6 in the file)",
    ),
    (
        "course flag left out means its default",
        deleter(lambda d: course(d, "A05"), "pass_fail"),
        "programmes[0].courses[4]",
        "(pass_fail: true in the database, false in the file)",
    ),
    (
        "programme name",
        setter(programme0, "name", "Nursing"),
        "programmes[0]",
        "programme 'BA-NURS' already exists with different content (name: Bachelor in Nursing in the database, "
        "Nursing in the file)",
    ),
    (
        "academic year end",
        setter(year0, "ends_on", "2024-09-14"),
        "academic_years[0]",
        "academic year '2023-2024' already exists with different content (ends_on: 2024-09-15 in the database",
    ),
    (
        "calendar date",
        setter(year0, "calendar", {"isp_deadline": "2023-10-16"}),
        "academic_years[0]",
        "(isp_deadline: 2023-10-15 in the database, 2023-10-16 in the file)",
    ),
    (
        "exam period",
        setter(lambda d: period(d, 0), "results_published_on", "2024-02-07"),
        "academic_years[0].exam_periods[0]",
        "exam period 1 of academic year '2023-2024' already exists with different content",
    ),
    (
        "student name",
        setter(student0, "first_name", "Anneke"),
        "students[0]",
        "student 'S0001' already exists with different content (first_name: Student in the database, Anneke in the",
    ),
    (
        "enrolment contract",
        setter(enrolment, "contract", "credit"),
        E,
        "enrolment of student 'S0001' in 'BA-NURS' in 2023-2024 already exists with different content "
        "(contract: degree in the database, credit in the file)",
    ),
    (
        "enrolment mark",
        setter(result(0), "mark", 15),
        E,
        "results: A01 opportunity 1 in exam period 1: 14 only in the database, "
        "A01 opportunity 1 in exam period 1: 15 only in the file",
    ),
    (
        "enrolment ISP",
        appender(isp, {"course": "B01", "added_on": "2023-09-20", "removed_on": "2023-09-25"}),
        E,
        "isp: nothing only in the database, B01 added 2023-09-20 removed 2023-09-25 only in the file",
    ),
    (
        "enrolment tolerance choice",
        setter(enrolment, "tolerance_choices", [{"course": "A02", "on": "2024-07-05"}]),
        E,
        "tolerance_choices: nothing only in the database, A02 on 2024-07-05 only in the file",
    ),
]


@pytest.mark.parametrize(("mutate", "path", "message"), [case[1:] for case in CHANGED], ids=[c[0] for c in CHANGED])
def test_changed_content_of_an_existing_record_is_refused(tmp_path, mutate, path, message):
    run(write(tmp_path, base(), "first.json"))
    data = base()
    mutate(data)
    assert_refused(tmp_path, data, path, message)


@pytest.mark.parametrize("example", EXAMPLE_FILES, ids=lambda p: p.name.removesuffix(".records.json"))
def test_every_worked_example_imports_and_a_second_import_changes_nothing(example):
    assert validate(json.loads(example.read_text())) == []
    before = row_counts()
    output, errors = run(example)
    assert errors == ""
    assert len(output.strip().splitlines()) == 1
    assert output.startswith("Imported ")
    first = row_counts()
    assert first != before

    output, errors = run(example)
    assert output.strip() == "Nothing to import: every record in the file already exists with the same content."
    assert row_counts() == first  # history tables included: nothing was touched


def test_several_problems_are_all_reported_at_once(tmp_path):
    data = base()
    results(data)[0]["mark"] = 21
    isp(data)[4]["course"] = "XYZ"
    del data["students"][0]["last_name"]
    period(data, 1)["starts_on"] = "2024-02-01"
    enrolment(data)["contract"] = "full_time"
    before = row_counts()
    output, error = run_failing(write(tmp_path, data))
    for expected in (
        f"{E}.results[0].mark: mark 21 is outside 0-20",
        f"{E}.isp[4].course: unknown course 'XYZ' in programme 'BA-NURS'",
        "students[0].last_name: required field is missing",
        "academic_years[0].exam_periods[1]: exam period 2 overlaps exam period 1",
        f"{E}.contract: 'full_time' is not one of",
    ):
        assert expected in output
    assert "problems in" in str(error) and "nothing was imported" in str(error)
    assert row_counts() == before


def test_invalid_json_file(tmp_path):
    before = row_counts()
    output, _error = run_failing(write(tmp_path, '{"format": "study-records/1", '))
    assert "is not valid JSON" in output and "line 1" in output
    assert row_counts() == before


def test_a_key_twice_in_one_object_is_invalid(tmp_path):
    output, _error = run_failing(write(tmp_path, '{"format": "study-records/1", "format": "study-records/1"}'))
    assert "the key 'format' appears twice in one object" in output


def test_unreadable_file(tmp_path):
    output, _error = run_failing(tmp_path / "missing.json")
    assert "Cannot read" in output and "missing.json" in output


def test_a_document_that_is_not_an_object(tmp_path):
    output, _error = run_failing(write(tmp_path, "[]"))
    assert "(top level): expected an object, got a list" in output


def test_api_validate_and_import_data():
    bad = base()
    results(bad)[0]["mark"] = 21
    assert validate(bad) == [f"{E}.results[0].mark: mark 21 is outside 0-20"]
    with pytest.raises(RecordsInvalid) as raised:
        import_data(bad)
    assert raised.value.problems == [f"{E}.results[0].mark: mark 21 is outside 0-20"]
    assert not Student.objects.exists()

    summary = import_data(base())
    assert isinstance(summary, ImportSummary)
    assert (summary.academic_years, summary.exam_periods, summary.programmes, summary.courses) == (3, 9, 1, 21)
    assert (summary.students, summary.enrolments, summary.isp_lines, summary.results) == (1, 1, 11, 11)
    assert import_data(base()).total == 0


def test_records_are_mapped_to_the_models(tmp_path):
    data = base()
    other_programme(data)
    data["academic_years"][0]["calendar"] = {"isp_deadline": "2023-10-13", "second_semester_lock": "2024-03-14"}
    course(data, "A07")["requires"] = [{"course": "A02", "kind": "SSQ"}, {"course": "A03", "kind": "SQ"}]
    course(data, "A01")["identical_to"] = ["S01"]
    student = data["students"][0]
    student.update(
        {
            "email": "s0001@student.example",
            "learning_account": {"opening_balance": 95, "on": "2023-09-01"},
            "degrees": [{"kind": "bachelor", "on": "2022-06-30"}],
        }
    )
    e = enrolment(data)
    e["grant_status"] = "scholarship"
    e["isp"][1]["added_on"] = "2023-09-20"
    e["isp"].append({"course": "B01", "added_on": "2023-09-16", "removed_on": "2023-10-01"})
    e["isp"].append({"course": "B02", "exempted": True})
    e["results"][2] = {
        "course": "A03",
        "exam_period": 1,
        "opportunity": 1,
        "parts": [{"credits": 4, "mark": 12}, {"credits": 2, "mark": 6}],
    }
    e["results"][1]["mark"] = 9
    e["results"].append({"course": "A02", "exam_period": 3, "opportunity": 2, "mark": "NA"})
    e["tolerance_choices"] = [{"course": "A02", "on": "2024-02-10"}]
    e["tolerance_objections"] = [{"course": "A11", "on": "2024-09-15"}]
    output, _errors = run(write(tmp_path, data))
    assert "2 programmes" in output and "2 partial exams" in output

    year = AcademicYear.objects.get(code="2023-2024")
    assert year.isp_deadline == datetime.date(2023, 10, 13)
    assert year.second_semester_lock == datetime.date(2024, 3, 14)
    assert year.first_semester_lock == datetime.date(2023, 12, 1)  # default filled in
    assert AcademicYear.objects.get(code="2024-2025").second_semester_lock == datetime.date(2025, 3, 15)
    assert ExamPeriod.objects.count() == 9

    a07 = Course.objects.get(programme__code="BA-NURS", code="A07")
    assert {(p.required.code, p.kind) for p in Prerequisite.objects.filter(course=a07)} == {
        ("A02", "SSQ"),
        ("A03", "SQ"),
    }
    a01 = Course.objects.get(programme__code="BA-NURS", code="A01")
    s01 = Course.objects.get(programme__code="BA-SOC", code="S01")
    assert list(a01.identical_to.all()) == [s01] and list(s01.identical_to.all()) == [a01]
    a05 = Course.objects.get(programme__code="BA-NURS", code="A05")
    assert (a05.pass_fail, a05.resit, a05.tolerable, a05.elective) == (True, True, True, False)

    s = Student.objects.get(number="S0001")
    assert (s.email, s.opening_balance, s.opening_bonus_left, s.opening_on) == (
        "s0001@student.example",
        95,
        60,
        datetime.date(2023, 9, 1),
    )
    assert s.first_enrolment_in_higher_education == year  # default: the earliest enrolment in the file
    assert list(Degree.objects.values_list("kind", "on", "processed")) == [
        ("bachelor", datetime.date(2022, 6, 30), False)
    ]
    enrolment_row = Enrolment.objects.get()
    assert (enrolment_row.grant_status, enrolment_row.status, enrolment_row.deregistered_on) == (
        "scholarship",
        "enrolled",
        None,
    )
    assert not enrolment_row.enrolment_processed
    lines = {(line.course.code, line.added_on): line for line in ISPLine.objects.select_related("course")}
    assert len(lines) == 13
    assert lines[("A01", datetime.date(2023, 9, 15))].removed_on is None
    assert ("A02", datetime.date(2023, 9, 20)) in lines
    assert lines[("B01", datetime.date(2023, 9, 16))].removed_on == datetime.date(2023, 10, 1)
    assert lines[("B02", datetime.date(2023, 9, 15))].exempted
    assert not any(line.add_processed or line.removal_processed for line in lines.values())

    a03 = Result.objects.get(isp_line__course__code="A03")
    assert (a03.score, a03.grade) == (None, "")
    assert list(a03.parts.values_list("position", "credits", "score")) == [(0, 4, 12), (1, 2, 6)]
    assert Result.objects.get(isp_line__course__code="A05").grade == "P"
    assert Result.objects.get(isp_line__course__code="A01").score == 14
    second = Result.objects.get(isp_line__course__code="A02", opportunity=2)
    assert (second.grade, second.exam_period.number) == ("NA", 3)
    assert ToleranceChoice.objects.get().isp_line.course.code == "A02"
    assert ToleranceObjection.objects.get().isp_line.course.code == "A11"
    assert not LearningAccountEntry.objects.exists()  # run_deadlines books the ledger, not the import

    assert Student.history.count() == 1
    assert Enrolment.history.count() == 1
    assert ISPLine.history.count() == 13 and Result.history.count() == 12
    assert Student.history.get().history_change_reason == "import_records"

    # Importing the same richer file again is still a no-op.
    before = row_counts()
    output, _errors = run(write(tmp_path, data))
    assert output.startswith("Nothing to import")
    assert row_counts() == before


def test_new_courses_enrolments_and_students_are_added_to_existing_records(tmp_path):
    run(write(tmp_path, base(), "first.json"))
    data = base()
    programme0(data)["courses"].append({"code": "C01", "name": "Nursing 11", "credits": 6, "semester": "1", "stage": 3})
    data["students"][0]["enrolments"].append(
        {
            "academic_year": "2024-2025",
            "programme": "BA-NURS",
            "contract": "degree",
            "enrolled_on": "2024-09-20",
            "isp": [{"course": "B01"}, {"course": "C01"}],
            "results": [],
        }
    )
    data["students"][0]["degrees"] = [{"kind": "bachelor", "on": "2023-06-30"}]
    output, _errors = run(write(tmp_path, data))
    assert output.strip() == "Imported 1 course, 1 degree, 1 enrolment, 2 ISP lines."
    assert Enrolment.objects.count() == 2 and Student.objects.count() == 1

    # A file with only students may lean on the catalogue already in the database.
    newcomer = copy.deepcopy(BASE["students"][0])
    newcomer["number"] = "S0099"
    newcomer["enrolments"][0]["results"] = []
    output, _errors = run(
        write(tmp_path, {"format": "study-records/1", "academic_years": [], "programmes": [], "students": [newcomer]})
    )
    assert output.strip() == "Imported 1 student, 1 enrolment, 11 ISP lines."
    assert Student.objects.get(number="S0099").first_enrolment_in_higher_education.code == "2023-2024"


def test_identical_course_codes_must_be_unambiguous(tmp_path):
    data = base()
    other_programme(data)
    data["programmes"].append(copy.deepcopy(data["programmes"][1]) | {"code": "BA-SOC2", "name": "Social Work 2"})
    course(data, "A01")["identical_to"] = ["S01"]
    assert_refused(
        tmp_path,
        data,
        "programmes[0].courses[0].identical_to[0]",
        "course code 'S01' is ambiguous: it is a course of programmes BA-SOC, BA-SOC2",
    )


def test_a_course_can_be_removed_and_added_again(tmp_path):
    data = base()
    isp(data)[0]["removed_on"] = "2023-10-01"
    isp(data).append({"course": "A01", "added_on": "2023-10-05"})
    run(write(tmp_path, data))
    assert ISPLine.objects.filter(course__code="A01").count() == 2
    # The result belongs to the line that was not removed.
    assert Result.objects.get(isp_line__course__code="A01").isp_line.removed_on is None


def test_progress_bar_for_large_files(tmp_path, capfd):
    data = base()
    template = data["students"][0]
    data["students"] = [copy.deepcopy(template) | {"number": f"S{n:05d}"} for n in range(201)]
    path = write(tmp_path, data)
    output, _errors = run(path)
    assert "201 students" in output
    assert "Importing students" in capfd.readouterr().err
    assert Result.objects.count() == 201 * 11 and ResultPart.objects.count() == 0

    run(path, "--no-progress")
    assert "Importing students" not in capfd.readouterr().err


@pytest.mark.slow
def test_manage_py_exits_with_status_1_on_bad_input(tmp_path):
    """The real process: exit status 1, the problem on stderr, nothing on stdout."""
    bad = base()
    bad["format"] = "study-records/0"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings_test", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"}
    process = subprocess.run(
        [sys.executable, "manage.py", "import_records", str(write(tmp_path, bad))],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 1
    assert "format: expected 'study-records/1', got 'study-records/0'" in process.stderr
    assert process.stdout == ""


def test_null_means_the_default_for_optional_values(tmp_path):
    data = base()
    other_programme(data)
    data["programmes"][1]["tolerance_cap"] = None
    student = data["students"][0]
    student.update({"learning_account": None, "first_enrolment_in_higher_education": None})
    enrolment(data)["deregistered_on"] = None
    isp(data)[0].update({"added_on": None, "removed_on": None})
    run(write(tmp_path, data))
    assert Student.objects.get().first_enrolment_in_higher_education is None
    assert ISPLine.objects.get(course__code="A01").added_on == datetime.date(2023, 9, 15)
    assert Programme.objects.get(code="BA-SOC").tolerance_cap is None


def test_an_invalid_file_of_thousands_of_problems_still_lists_each(tmp_path):
    data = base()
    for r in results(data):
        r["mark"] = 21
    lines = assert_refused(tmp_path, data, f"{E}.results[10].mark", "mark 21 is outside 0-20")
    assert sum("mark 21 is outside 0-20" in line for line in lines) == 11


def test_a_calendar_edited_after_import_is_no_difference_when_the_file_gives_none(tmp_path):
    run(write(tmp_path, base(), "first.json"))
    AcademicYear.objects.filter(code="2023-2024").update(second_semester_lock=datetime.date(2024, 3, 14))
    output, _errors = run(write(tmp_path, base()))
    assert output.startswith("Nothing to import")


def test_identical_courses_across_files(tmp_path):
    first = base()
    other_programme(first)
    run(write(tmp_path, first, "first.json"))
    a01 = Course.objects.get(programme__code="BA-NURS", code="A01")

    # A link between two courses that both exist already is a change of an existing course.
    second = base()
    course(second, "A01")["identical_to"] = ["S01"]
    assert_refused(
        tmp_path,
        second,
        "programmes[0].courses[0]",
        "(identical_to: S01 of programme 'BA-SOC' only in the file)",
    )

    # A new course may be declared identical to a stored course of a programme the file does not name.
    third = base()
    programme0(third)["courses"].append(
        {
            "code": "A12",
            "name": "Sociology for nurses",
            "credits": 6,
            "semester": "2",
            "stage": 1,
            "identical_to": ["S01"],
        }
    )
    output, _errors = run(write(tmp_path, third))
    assert output.strip() == "Imported 1 course, 1 pair of identical courses."
    a12 = Course.objects.get(code="A12")
    assert [c.code for c in a12.identical_to.all()] == ["S01"]
    assert [c.code for c in Course.objects.get(code="S01").identical_to.all()] == ["A12"]
    assert not a01.identical_to.exists()
    output, _errors = run(write(tmp_path, third))
    assert output.startswith("Nothing to import")


# --- ``manage.py study_progress``: the JSON contract and the readable text.
# (formerly tests/exchange/test_study_progress_command.py)


@pytest.fixture
def perfect_year(db):
    records, expected = load("perfect-first-year")
    replay(records, expected["today"])


def _text(number: str) -> str:
    out = io.StringIO()
    call_command("study_progress", number, stdout=out)
    return out.getvalue()


def test_the_text_reads_like_the_official_file(perfect_year):
    text = _text("S0001")
    assert text.startswith("STUDY PROGRESS FILE\n")
    assert "Student number: S0001" in text
    assert "Balance: 200 credits; bonus on the first 60 credits still to earn: 0" in text
    assert "Academic year 2023-2024 - BA-NURS (degree contract, enrolled)" in text
    assert "Study efficiency: 100.00 %" in text
    assert "Tolerance credit 12, used 0, left 12." in text
    assert "Decree threshold reached." in text
    # Each course with its name, mark and status; the running balance after each entry.
    assert "A01        Academic English" in text
    assert "passed - credit certificate" in text
    assert "=  200" in text


def test_json_and_text_tell_the_same_balance(perfect_year):
    data = study_progress_json("S0001")
    assert f"Balance: {data['learning_account']['balance']} credits" in _text("S0001")


def test_an_unknown_student_number_exits_with_a_reason(db):
    with pytest.raises(CommandError, match="Unknown student number 'NOPE'"):
        call_command("study_progress", "NOPE", "--json", stdout=io.StringIO())
