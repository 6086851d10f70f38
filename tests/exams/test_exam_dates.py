"""No mark before the exam (issue 13 point 18): a mark is refused before the day of the
student's exam moment (moved by an accepted reschedule request or not), or, without a
moment, before the exam period starts — in the service, the admin and the marksheet upload.

The college of tests/exams/conftest.py: 2023-2024, exam period 1 from 8 January to
2 February 2024."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats

from exams import rules
from exams.models import Result
from exams.results import ResultEntry, ResultsRefused, result_record, results_check
from reschedules.models import ExamMoment, RequestKind, RequestStatus, RescheduleRequest
from tests.exams.conftest import snapshot
from tests.exams.test_admin import ADD_URL, errors, form_data, new_result_data
from tests.support import personas
from tests.support.factories import EnrolmentFactory, ISPLineFactory

D = datetime.date


def day(value: datetime.date) -> str:
    """A date as the messages write it (the short date format of the language)."""
    return formats.date_format(value, "SHORT_DATE_FORMAT")


# --- The rule, as a table -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("exam_on", "period_starts_on", "today", "expected"),
    [
        # the student's exam moment decides
        (D(2024, 1, 15), D(2024, 1, 8), D(2024, 1, 14), "exam_ahead"),  # the day before the exam
        (D(2024, 1, 15), D(2024, 1, 8), D(2024, 1, 15), None),  # on the exam's own day
        (D(2024, 1, 15), D(2024, 1, 8), D(2024, 2, 1), None),  # after it
        (D(2024, 1, 15), D(2024, 1, 8), D(2023, 12, 20), "exam_ahead"),  # before the period too
        # a moment moved after the period's start still counts, not the period's start
        (D(2024, 2, 20), D(2024, 1, 8), D(2024, 2, 1), "exam_ahead"),
        # no moment for the student: the exam period's first day decides
        (None, D(2024, 1, 8), D(2024, 1, 7), "period_ahead"),
        (None, D(2024, 1, 8), D(2024, 1, 8), None),
        (None, D(2024, 1, 8), D(2024, 6, 1), None),
    ],
)
def test_exam_date_refusal(exam_on, period_starts_on, today, expected):
    assert rules.exam_date_refusal(exam_on=exam_on, period_starts_on=period_starts_on, today=today) == expected


# --- The service --------------------------------------------------------------------------------
EXAM_DAY = D(2024, 1, 15)


def moment(college, code="NUM1", period=1, on=EXAM_DAY):
    return ExamMoment.objects.create(
        course=college.courses[code],
        exam_period=college.periods[period],
        on=on,
        starts_at=datetime.time(9, 0),
        announced_on=D(2023, 10, 16),
    )


def entry(college, code="NUM1", period=1, mark=12):
    return ResultEntry(
        isp_line=college.lines[code], exam_period=college.periods[period], opportunity=1, mark=mark, label="row 2"
    )


def test_a_mark_before_the_exam_moment_is_refused_and_changes_nothing(college):
    moment(college, on=D(2024, 1, 15))
    before = snapshot()
    with pytest.raises(ResultsRefused) as refused:
        result_record(
            isp_line=college.lines["NUM1"], exam_period=college.periods[1], opportunity=1, mark=12, today=D(2024, 1, 14)
        )
    assert refused.value.messages == [
        f"This student's exam of NUM1 is on {day(D(2024, 1, 15))}: a mark can be entered from the day of the exam on, "
        "not before."
    ]
    assert snapshot() == before


def test_a_mark_on_the_day_of_the_exam_is_entered(college):
    moment(college, on=D(2024, 1, 15))
    result = result_record(
        isp_line=college.lines["NUM1"], exam_period=college.periods[1], opportunity=1, mark=12, today=D(2024, 1, 15)
    )
    assert (result.score, result.exam_period) == (12, college.periods[1])


def test_not_taken_is_refused_before_the_exam_as_well(college):
    moment(college, on=D(2024, 1, 15))
    assert [index for index, _message in results_check([entry(college, mark="NA")], today=D(2024, 1, 10))] == [0]


def test_without_a_moment_the_exam_period_start_decides(college):
    # NUM2 has no exam moment; exam period 1 starts on 8 January 2024.
    problems = results_check([entry(college, "NUM2")], today=D(2024, 1, 7))
    assert problems == [
        (
            0,
            f"This student has no exam moment for NUM2 in exam period 1, which starts on {day(D(2024, 1, 8))}: a "
            "mark can be entered from the first day of the exam period on, not before.",
        )
    ]
    assert results_check([entry(college, "NUM2")], today=D(2024, 1, 8)) == []


def test_the_moment_of_another_course_or_period_does_not_count(college):
    moment(college, "NUM1", period=1, on=D(2024, 1, 9))
    moment(college, "NUM2", period=2, on=D(2024, 6, 3))
    # NUM2 in period 1 has no moment: the period start (8 January) decides, not NUM1's 9 January
    # nor NUM2's own moment in period 2.
    assert results_check([entry(college, "NUM2")], today=D(2024, 1, 8)) == []


def accepted_request(college, *, new_on, code="NUM1"):
    ombudsperson = personas.ombudsperson("ombuds")
    return RescheduleRequest.objects.create(
        kind=RequestKind.FORCE_MAJEURE,
        isp_line=college.lines[code],
        exam_period=college.periods[1],
        requested_on=D(2024, 1, 9),
        reason="ill",
        logged_by=ombudsperson,
        status=RequestStatus.ACCEPTED,
        decided_on=D(2024, 1, 10),
        decided_by=ombudsperson,
        decision_reason="doctor's note",
        new_on=new_on,
        new_starts_at=datetime.time(13, 0),
    )


def test_a_moment_moved_by_an_accepted_request_decides(college):
    moment(college, on=D(2024, 1, 15))
    accepted_request(college, new_on=D(2024, 1, 29))
    # The planned day has passed, the student's own new moment has not.
    problems = results_check([entry(college)], today=D(2024, 1, 20))
    assert [message for _index, message in problems] == [
        f"This student's exam of NUM1 is on {day(D(2024, 1, 29))}: a mark can be entered from the day of the exam on, "
        "not before."
    ]
    assert results_check([entry(college)], today=D(2024, 1, 29)) == []


def test_a_rejected_or_open_request_moves_nothing(college):
    moment(college, on=D(2024, 1, 15))
    request = accepted_request(college, new_on=D(2024, 1, 29))
    RescheduleRequest.objects.filter(pk=request.pk).update(status=RequestStatus.OPEN, new_on=None, new_starts_at=None)
    assert results_check([entry(college)], today=D(2024, 1, 20)) == []


def test_the_moved_moment_is_that_of_the_student_only(college):
    moment(college, on=D(2024, 1, 15))
    accepted_request(college, new_on=D(2024, 1, 29))
    other = EnrolmentFactory(programme=college.programme, academic_year=college.year, student__number="r0100002")
    line = ISPLineFactory(enrolment=other, course=college.courses["NUM1"])
    other_entry = ResultEntry(isp_line=line, exam_period=college.periods[1], opportunity=1, mark=14)
    assert results_check([other_entry], today=D(2024, 1, 20)) == []


# --- The admin --------------------------------------------------------------------------------
@time_machine.travel(datetime.datetime(2024, 1, 12, 10, 0), tick=False)
def test_the_admin_refuses_a_mark_before_the_exam_with_one_message(admin_client, college):
    moment(college, on=D(2024, 1, 15))
    before = snapshot()
    response = admin_client.post(ADD_URL, new_result_data(college, score=12))
    assert response.status_code == 200
    message = (
        f"This student&#x27;s exam of NUM1 is on {day(D(2024, 1, 15))}: a mark can be entered from the day of the "
        "exam on, not before."
    )
    assert response.content.decode().count(message) == 1  # one message, not the same twice
    assert day(D(2024, 1, 15)) in errors(response)
    assert snapshot() == before


@time_machine.travel(datetime.datetime(2024, 1, 15, 10, 0), tick=False)
def test_the_admin_enters_a_mark_on_the_day_of_the_exam(admin_client, college):
    moment(college, on=D(2024, 1, 15))
    response = admin_client.post(ADD_URL, new_result_data(college, score=12))
    assert response.status_code == 302
    assert Result.objects.get().score == 12


@time_machine.travel(datetime.datetime(2024, 1, 5, 10, 0), tick=False)
def test_the_isp_line_page_refuses_a_mark_before_the_exam_period(admin_client, college):
    line = college.lines["NUM2"]
    url = reverse("admin:students_ispline_change", args=[line.pk])
    page = admin_client.get(url)
    data = form_data(page)
    data.update(
        {
            "results-TOTAL_FORMS": 1,
            "results-0-exam_period": college.periods[1].pk,
            "results-0-opportunity": 1,
            "results-0-score": 13,
            "results-0-grade": "",
        }
    )
    before = snapshot()
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.content.decode().count(f"which starts on {day(D(2024, 1, 8))}") == 1
    assert snapshot() == before


# --- The marksheet upload -----------------------------------------------------------------
@time_machine.travel(datetime.datetime(2024, 1, 12, 10, 0), tick=False)
def test_the_marksheet_upload_refuses_the_rows_before_the_exam(client, college):
    moment(college, on=D(2024, 1, 15))
    client.force_login(personas.administration("office"))
    upload = SimpleUploadedFile("marks.csv", b"student;opportunity;mark\r\nr0100001;1;12\r\n", content_type="text/csv")
    before = snapshot()
    response = client.post(
        reverse("exams:marksheet"),
        {"course": college.courses["NUM1"].pk, "exam_period": college.periods[1].pk, "file": upload},
    )
    assert response.status_code == 200
    problems = response.context["problems"]
    assert [(p.row, p.student) for p in problems] == [(2, "r0100001")]
    assert f"is on {day(D(2024, 1, 15))}" in problems[0].message
    assert snapshot() == before
