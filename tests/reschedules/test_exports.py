"""Issue 13 points 15 and 16 for the ombudsperson's pages: the annual report lists names with
the numbers; the individual exam schedule prints (a print view) and downloads as iCalendar
(one event per exam, Europe/Brussels); the exam moments CSV (admin export and import) is the
college's one CSV form and carries the duration."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from reschedules import services as ombuds
from reschedules.models import ExamMoment
from reschedules.moments import exam_moments_import, moments_csv, read_moments_csv
from tests.reschedules.ombuds_world import D, T, add_ombuds_world, log

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = datetime.UTC


@pytest.fixture
def world(coach_world, on_coach_day):
    return add_ombuds_world(coach_world)


@pytest.fixture
def ombuds_client(client, world):
    client.force_login(world.ombudsperson)
    return client


def url(name, world):
    return reverse(name, kwargs={"number": world.student.number})


# --- The annual report ------------------------------------------------------------------------
def test_the_reports_request_list_shows_names_with_the_numbers(ombuds_client, world):
    log(world)
    response = ombuds_client.get(reverse("exams:report_detail", kwargs={"programme": "BA-A", "year": "2026-2027"}))
    content = response.content.decode()
    table = content[content.index('id="report-requests"') :]
    student = world.student
    assert f"{student.number}</a> {student.last_name}, {student.first_name}" in table


def test_the_reports_csv_writes_a_reason_typed_as_a_formula_as_text(ombuds_client, world):
    """Issue 14 point 1: the ombudsperson's annual report CSV, a decision's reason "=cmd"."""
    reason = "=cmd|' /C calc'!A0"
    ombuds.request_decide(
        request=log(world), accepted=False, reason=reason, today=D(2026, 11, 23), by=world.ombudsperson
    )
    response = ombuds_client.get(reverse("exams:report_csv", kwargs={"programme": "BA-A", "year": "2026-2027"}))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    header = next(row for row in rows if "Reason for the decision" in row)
    (listed,) = [row for row in rows if len(row) == len(header) and row[1] == world.student.number]
    assert listed[header.index("Reason for the decision")] == "'" + reason
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# --- The print view ---------------------------------------------------------------------------
def test_the_schedule_prints_without_navigation_or_buttons(ombuds_client, world):
    response = ombuds_client.get(url("exams:schedule_print", world))
    assert response.status_code == 200
    content = response.content.decode()
    assert "College student administration" in content and "Individual exam schedule" in content
    assert "<nav" not in content and "<button" not in content and "btn" not in content
    assert "Log a request" not in content
    for code in ("A101", "A102", "A103", "A104", "A105"):
        assert code in content
    assert "09:00–12:00" in content


def test_the_schedule_page_links_the_print_view_and_the_calendar(ombuds_client, world):
    content = ombuds_client.get(url("exams:schedule", world)).content.decode()
    assert f'href="{url("exams:schedule_print", world)}?year=2026-2027"' in content
    assert f'href="{url("exams:schedule_ics", world)}?year=2026-2027"' in content


# --- The iCalendar file -----------------------------------------------------------------------
def events_of(response):
    calendar = icalendar.Calendar.from_ical(response.content)
    return calendar, sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


def test_the_schedule_downloads_as_icalendar_one_event_per_exam(ombuds_client, world):
    response = ombuds_client.get(url("exams:schedule_ics", world))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="exam-schedule-r0000001-2026-2027.ics"' in response["Content-Disposition"]
    calendar, events = events_of(response)
    assert calendar["version"] == "2.0" and calendar["prodid"]
    assert [str(e["summary"]).split()[1] for e in events] == ["A101", "A102", "A105", "A103", "A104"]
    assert len({str(e["uid"]) for e in events}) == 5
    first = events[0]
    # 11 January 2027 09:00 in Brussels (winter time, UTC+1) is 08:00 UTC; three hours.
    start, end = first.decoded("dtstart"), first.decoded("dtend")
    assert start == datetime.datetime(2027, 1, 11, 9, 0, tzinfo=BRUSSELS)
    assert start.astimezone(UTC) == datetime.datetime(2027, 1, 11, 8, 0, tzinfo=UTC)
    assert end - start == datetime.timedelta(hours=3)
    assert str(first["location"]) == "B.101"
    # 1 June 2027 13:30 in Brussels (summer time, UTC+2) is 11:30 UTC.
    june = next(e for e in events if "A105" in str(e["summary"]))
    assert june.decoded("dtstart").astimezone(UTC) == datetime.datetime(2027, 6, 1, 11, 30, tzinfo=UTC)
    # The time zone is named and defined in the file.
    text = response.content.decode()
    assert "DTSTART;TZID=Europe/Brussels:20270111T090000" in text
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Brussels"
    assert all(line.endswith("\r") or not line for line in text.split("\n"))  # CRLF (RFC 5545)


def test_a_moved_exam_is_in_the_calendar_at_its_new_moment_under_the_same_uid(ombuds_client, world):
    before = {str(e["uid"]) for e in events_of(ombuds_client.get(url("exams:schedule_ics", world)))[1]}
    ExamMoment.objects.filter(pk=world.moments["A101"].pk).update(duration=120)
    ombuds.request_decide(
        request=log(world),
        accepted=True,
        reason="ok",
        new_on=D(2027, 1, 25),
        new_starts_at=T(13, 30),
        today=D(2026, 11, 23),
        by=world.ombudsperson,
    )
    _calendar, events = events_of(ombuds_client.get(url("exams:schedule_ics", world)))
    moved = next(e for e in events if "A101" in str(e["summary"]))
    assert moved.decoded("dtstart") == datetime.datetime(2027, 1, 25, 13, 30, tzinfo=BRUSSELS)
    assert moved.decoded("dtend") == datetime.datetime(2027, 1, 25, 15, 30, tzinfo=BRUSSELS)
    assert moved["sequence"] == 1
    assert {str(e["uid"]) for e in events} == before


def test_the_calendar_is_in_the_readers_language(ombuds_client, world):
    ombuds_client.cookies["django_language"] = "nl"
    _calendar, events = events_of(ombuds_client.get(url("exams:schedule_ics", world)))
    assert str(events[0]["summary"]).startswith("Examen A101")


# --- The exam moments CSV ---------------------------------------------------------------------
def test_the_exam_moments_export_is_the_colleges_csv_and_imports_again_unchanged(world):
    ExamMoment.objects.filter(pk=world.moments["A102"].pk).update(duration=90, room="B-1.05")
    text = moments_csv(ExamMoment.objects.select_related("course__programme", "exam_period__academic_year"))
    assert text.startswith("\ufeffacademic_year;exam_period;programme;course;date;start;room;duration\r\n")
    assert "2026-2027;1;BA-A;A102;2027-01-14;09:00;B-1.05;90\r\n" in text
    rows = read_moments_csv(text.encode("utf-8"))
    a102 = next(row for row in rows if row.course == "A102")
    assert (a102.room, a102.duration) == ("B-1.05", 90)
    summary = exam_moments_import(rows=rows, today=D(2026, 11, 23))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, len(rows))


def test_a_room_typed_as_a_formula_is_neutralised_in_the_export_and_refused_by_the_import(world):
    """Issue 14 point 1: the export writes a typed room "=A1" as text ("'=A1", core.csv); the
    import takes no room a spreadsheet would run (tests/reschedules/test_moments_files.py)."""
    ExamMoment.objects.filter(pk=world.moments["A102"].pk).update(room="=A1")
    text = moments_csv(ExamMoment.objects.select_related("course__programme", "exam_period__academic_year"))
    assert "2026-2027;1;BA-A;A102;2027-01-14;09:00;'=A1;180\r\n" in text
    rows = read_moments_csv(text.encode("utf-8"))
    (refused,) = [row for row in rows if row.problem]
    assert refused.course == "A102" and refused.problem.startswith("A room cannot start with =, +, - or @")


@pytest.mark.parametrize(("typed", "minutes"), [("", 180), ("120", 120), ("2u30", 150), ("3:00", 180), ("1h", 60)])
def test_the_import_reads_the_duration(world, typed, minutes):
    header = "\ufeffacademiejaar;examenperiode;opleiding;opo;datum;beginuur;lokaal;duur\r\n"
    data = header + f"2026-2027;1;BA-A;A201;19/01/2027;9:00;;{typed}\r\n"
    (row,) = read_moments_csv(data.encode("utf-8"))
    assert (row.problem, row.duration) == ("", minutes)


def test_an_unreadable_duration_is_a_row_problem(world):
    header = b"academic_year;exam_period;programme;course;date;start;room;duration\n"
    (row,) = read_moments_csv(header + b"2026-2027;1;BA-A;A201;2027-01-19;09:00;;long\n")
    assert "'long' is not a duration" in row.problem


def test_the_admin_action_writes_a_room_typed_as_a_formula_as_text(client, world):
    """Issue 14 point 1: the admin's exam-moment CSV, a room "=1+1"."""
    ExamMoment.objects.filter(pk=world.moments["A101"].pk).update(room="=1+1")
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:reschedules_exammoment_changelist"),
        {"action": "export_csv", "_selected_action": [world.moments["A101"].pk]},
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")), delimiter=";"))
    assert rows[1][6] == "'=1+1"


def test_the_admin_action_downloads_the_colleges_csv(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("admin:reschedules_exammoment_changelist"),
        {"action": "export_csv", "_selected_action": [world.moments["A101"].pk]},
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.decode("utf-8") == (
        "\ufeffacademic_year;exam_period;programme;course;date;start;room;duration\r\n"
        "2026-2027;1;BA-A;A101;2027-01-11;09:00;B.101;180\r\n"
    )
