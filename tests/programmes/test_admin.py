"""The catalogue admin refuses what the regulations and the calendar do not allow."""

import datetime

import pytest
from django.urls import reverse

from programmes.models import AcademicYear, Course, ExamPeriod, Programme
from tests.support.factories import AcademicYearFactory, CourseFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

EMPTY_PREREQUISITES = {
    "prerequisites-TOTAL_FORMS": "0",
    "prerequisites-INITIAL_FORMS": "0",
    "prerequisites-MIN_NUM_FORMS": "0",
    "prerequisites-MAX_NUM_FORMS": "1000",
}


def form_errors(response) -> dict:
    assert response.status_code == 200, "an invalid form is shown again, not saved and redirected"
    return response.context["adminform"].form.errors


def inline_errors(response) -> tuple[list, list]:
    """(errors of each inline form, non-form errors) of the first inline formset."""
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    return [form.errors for form in formset.forms], list(formset.non_form_errors())


def course_data(programme, **overrides):
    data = {
        "programme": programme.pk,
        "code": "NEW1",
        "name": "Anatomy",
        "credits": "6",
        "semester": "1",
        "stage": "1",
        "tolerable": "on",
        "resit": "on",
        **EMPTY_PREREQUISITES,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("credits", ["0", "-1"])
def test_course_admin_refuses_credits_below_one(admin_client, credits):
    programme = ProgrammeFactory()
    response = admin_client.post(reverse("admin:programmes_course_add"), course_data(programme, credits=credits))
    assert "Credits must be a whole number of at least 1." in form_errors(response)["credits"]
    assert not Course.objects.exists()


def test_course_admin_refuses_stage_zero(admin_client):
    programme = ProgrammeFactory()
    response = admin_client.post(reverse("admin:programmes_course_add"), course_data(programme, stage="0"))
    assert "The programme stage starts at 1." in form_errors(response)["stage"]
    assert not Course.objects.exists()


def test_course_admin_saves_a_valid_course(admin_client):
    programme = ProgrammeFactory()
    response = admin_client.post(reverse("admin:programmes_course_add"), course_data(programme))
    assert response.status_code == 302
    course = Course.objects.get()
    assert (course.code, course.credits, course.stage) == ("NEW1", 6, 1)


@pytest.mark.parametrize("credits", ["0", "-1"])
def test_programme_admin_refuses_credits_below_one(admin_client, credits):
    data = {
        "code": "BA-NEW",
        "name": "Bachelor of Nursing",
        "kind": "initial_bachelor",
        "cluster": "Health Care",
        "credits": credits,
        "courses-TOTAL_FORMS": "0",
        "courses-INITIAL_FORMS": "0",
        "courses-MIN_NUM_FORMS": "0",
        "courses-MAX_NUM_FORMS": "1000",
    }
    response = admin_client.post(reverse("admin:programmes_programme_add"), data)
    assert "Credits must be a whole number of at least 1." in form_errors(response)["credits"]
    assert not Programme.objects.exists()


def test_course_inline_of_a_programme_refuses_credits_zero(admin_client):
    programme = ProgrammeFactory(credits=180)
    data = {
        "code": programme.code,
        "name": programme.name,
        "kind": programme.kind,
        "cluster": programme.cluster,
        "credits": "180",
        "courses-TOTAL_FORMS": "1",
        "courses-INITIAL_FORMS": "0",
        "courses-MIN_NUM_FORMS": "0",
        "courses-MAX_NUM_FORMS": "1000",
        "courses-0-code": "X1",
        "courses-0-name": "Ethics",
        "courses-0-credits": "0",
        "courses-0-semester": "2",
        "courses-0-stage": "0",
    }
    response = admin_client.post(reverse("admin:programmes_programme_change", args=[programme.pk]), data)
    errors, _ = inline_errors(response)
    assert "Credits must be a whole number of at least 1." in errors[0]["credits"]
    assert "The programme stage starts at 1." in errors[0]["stage"]
    assert not Course.objects.exists()


def test_programme_changelist_counts_courses(admin_client):
    programme = ProgrammeFactory()
    CourseFactory.create_batch(3, programme=programme)
    ProgrammeFactory()
    response = admin_client.get(reverse("admin:programmes_programme_changelist"))
    counts = {p.code: p.course_count for p in response.context["cl"].result_list}
    assert counts[programme.code] == 3
    assert sorted(counts.values()) == [0, 3]


# --- Academic years and exam periods ---------------------------------------------------


def year_data(*periods, code="2030-2031", initial=0, **overrides):
    """POST data for the academic year form with its exam periods inline.

    Each period is (number, start, end, published) with ISO dates, or a dict with an ``id``.
    """
    data = {
        "code": code,
        "starts_on": "2030-09-16",
        "ends_on": "2031-09-14",
        "exam_periods-TOTAL_FORMS": str(len(periods)),
        "exam_periods-INITIAL_FORMS": str(initial),
        "exam_periods-MIN_NUM_FORMS": "0",
        "exam_periods-MAX_NUM_FORMS": "3",
    }
    for i, period in enumerate(periods):
        if isinstance(period, dict):
            for key, value in period.items():
                data[f"exam_periods-{i}-{key}"] = value
            continue
        number, start, end, published = period
        data.update(
            {
                f"exam_periods-{i}-number": str(number),
                f"exam_periods-{i}-starts_on": start,
                f"exam_periods-{i}-ends_on": end,
                f"exam_periods-{i}-results_published_on": published,
            }
        )
    data.update(overrides)
    return data


def test_new_academic_year_takes_calendar_defaults_and_its_exam_periods(admin_client):
    data = year_data(
        (1, "2031-01-06", "2031-02-01", "2031-02-05"),
        (2, "2031-05-26", "2031-06-27", "2031-07-01"),
    )
    response = admin_client.post(reverse("admin:programmes_academicyear_add"), data)
    assert response.status_code == 302, response.context and inline_errors(response)
    year = AcademicYear.objects.get(code="2030-2031")
    assert year.isp_deadline == datetime.date(2030, 10, 15)
    assert year.first_semester_lock == datetime.date(2030, 12, 1)
    assert year.second_semester_lock == datetime.date(2031, 3, 15)
    assert list(year.exam_periods.values_list("number", flat=True)) == [1, 2]


def test_academic_year_form_keeps_an_entered_calendar_date(admin_client):
    data = year_data(first_semester_lock="2030-12-02")
    response = admin_client.post(reverse("admin:programmes_academicyear_add"), data)
    assert response.status_code == 302
    year = AcademicYear.objects.get(code="2030-2031")
    assert year.first_semester_lock == datetime.date(2030, 12, 2)
    assert year.second_semester_lock == datetime.date(2031, 3, 15)


def test_two_overlapping_exam_periods_in_one_submission_are_refused(admin_client):
    data = year_data(
        (1, "2031-01-06", "2031-02-01", "2031-02-05"),
        (2, "2031-01-20", "2031-02-10", "2031-02-12"),
    )
    response = admin_client.post(reverse("admin:programmes_academicyear_add"), data)
    errors, non_form_errors = inline_errors(response)
    assert errors[1]["starts_on"] == ["The exam period overlaps exam period 1."]
    assert non_form_errors == ["Exam periods 1 and 2 overlap."]
    assert not AcademicYear.objects.exists()
    assert not ExamPeriod.objects.exists()


def test_exam_period_outside_a_new_academic_year_is_refused(admin_client):
    data = year_data((3, "2031-09-01", "2031-09-20", "2031-09-22"))
    response = admin_client.post(reverse("admin:programmes_academicyear_add"), data)
    errors, _ = inline_errors(response)
    assert errors[0]["starts_on"] == [
        "The exam period must lie inside academic year 2030-2031 (16/09/2030 to 14/09/2031)."
    ]
    assert not AcademicYear.objects.exists()


def test_moving_the_year_end_before_an_exam_period_is_refused(admin_client):
    year = AcademicYearFactory(first_year=2023)
    periods = [
        {
            "id": str(p.pk),
            "academic_year": str(year.pk),
            "number": str(p.number),
            "starts_on": p.starts_on.isoformat(),
            "ends_on": p.ends_on.isoformat(),
            "results_published_on": p.results_published_on.isoformat(),
        }
        for p in year.exam_periods.all()
    ]
    data = year_data(
        *periods,
        code=year.code,
        initial=3,
        starts_on=year.starts_on.isoformat(),
        ends_on="2024-08-31",
        isp_deadline=year.isp_deadline.isoformat(),
    )
    response = admin_client.post(reverse("admin:programmes_academicyear_change", args=[year.pk]), data)
    errors, _ = inline_errors(response)
    assert "starts_on" in errors[2]
    year.refresh_from_db()
    assert year.ends_on == datetime.date(2024, 9, 15)


def test_exam_period_admin_refuses_a_period_outside_its_academic_year(admin_client):
    year = AcademicYearFactory(first_year=2023, exam_periods=False)
    data = {
        "academic_year": year.pk,
        "number": "3",
        "starts_on": "2024-09-10",
        "ends_on": "2024-09-20",
        "results_published_on": "2024-09-21",
    }
    response = admin_client.post(reverse("admin:programmes_examperiod_add"), data)
    assert form_errors(response)["starts_on"] == [
        "The exam period must lie inside academic year 2023-2024 (18/09/2023 to 15/09/2024)."
    ]
    assert not ExamPeriod.objects.exists()


def test_exam_period_admin_refuses_overlap_with_an_existing_period(admin_client):
    year = AcademicYearFactory(first_year=2023, exam_periods=False)
    ExamPeriod.objects.create(
        academic_year=year,
        number=1,
        starts_on=datetime.date(2024, 1, 8),
        ends_on=datetime.date(2024, 2, 2),
        results_published_on=datetime.date(2024, 2, 6),
    )
    data = {
        "academic_year": year.pk,
        "number": "2",
        "starts_on": "2024-02-01",
        "ends_on": "2024-02-20",
        "results_published_on": "2024-02-22",
    }
    response = admin_client.post(reverse("admin:programmes_examperiod_add"), data)
    assert form_errors(response)["starts_on"] == ["The exam period overlaps exam period 1."]
    assert ExamPeriod.objects.count() == 1


def test_exam_period_added_inline_overlapping_an_existing_one_is_refused(admin_client):
    year = AcademicYearFactory(first_year=2023, exam_periods=False)
    existing = ExamPeriod.objects.create(
        academic_year=year,
        number=1,
        starts_on=datetime.date(2024, 1, 8),
        ends_on=datetime.date(2024, 2, 2),
        results_published_on=datetime.date(2024, 2, 6),
    )
    data = year_data(
        {
            "id": str(existing.pk),
            "academic_year": str(year.pk),
            "number": "1",
            "starts_on": "2024-01-08",
            "ends_on": "2024-02-02",
            "results_published_on": "2024-02-06",
        },
        {
            "academic_year": str(year.pk),
            "number": "2",
            "starts_on": "2024-01-29",
            "ends_on": "2024-02-10",
            "results_published_on": "2024-02-12",
        },
        code=year.code,
        initial=1,
        starts_on=year.starts_on.isoformat(),
        ends_on=year.ends_on.isoformat(),
    )
    response = admin_client.post(reverse("admin:programmes_academicyear_change", args=[year.pk]), data)
    errors, _ = inline_errors(response)
    assert errors[1]["starts_on"] == ["The exam period overlaps exam period 1."]
    assert ExamPeriod.objects.count() == 1


def test_academic_year_changelist_shows_the_locks(admin_client):
    AcademicYearFactory(first_year=2023)
    response = admin_client.get(reverse("admin:programmes_academicyear_changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "First-semester lock" in content
    assert "Second-semester lock" in content


def test_the_same_exam_period_number_twice_in_one_submission_is_refused(admin_client):
    data = year_data(
        (1, "2031-01-06", "2031-02-01", "2031-02-05"),
        (1, "2031-05-26", "2031-06-27", "2031-07-01"),
    )
    response = admin_client.post(reverse("admin:programmes_academicyear_add"), data)
    _, non_form_errors = inline_errors(response)
    assert non_form_errors == ["Please correct the duplicate data for number."]
    assert not AcademicYear.objects.exists()
