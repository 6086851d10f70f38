"""Every date typed in the admin is bounded (core.admin.BoundedDatesAdminMixin,
core.validators): the dates of an enrolment, its ISP lines, approvals, tolerance choices and
objections and special statuses lie in their academic year or a neighbour and not after a year
after today; degrees and the opening of a learning account from 1950; an academic year's
calendar in the years its code names, from 1950-1951. 0001-01-01 and a date two years ahead
get the field's error, and nothing is stored."""

import pytest
from django.apps import apps
from django.urls import reverse

from tests.exams.test_admin import form_data

pytestmark = pytest.mark.django_db

# Today is 23 November 2026 (on_coach_day); 2026-2027 runs from 18 September 2026 to 15
# September 2027 (tests.support.factories), the year before from 18 September 2025.
YEAR_2026 = "Give a date from 18/09/2025 to 23/11/2027."
FROM_1950 = "Give a date from 01/01/1950 to 23/11/2027."
BAD = ["0001-01-01", "2028-11-23"]


def rows() -> dict:
    """Every row of the project's models (a refused form stores nothing)."""
    found = {}
    for label in ("programmes", "students", "exams", "reschedules"):
        for model in apps.get_app_config(label).get_models():
            found[model._meta.label] = list(model._default_manager.order_by("pk").values())
    return found


@pytest.fixture
def office(client, coach_world, on_coach_day):
    client.force_login(coach_world.admin)
    return client


def refused(client, url, data, message):
    before = rows()
    response = client.post(url, data)
    assert response.status_code == 200  # the page again, with the error
    assert message in response.content.decode()
    assert rows() == before
    return response


def change(client, name, obj, **values):
    url = reverse(f"admin:{name}_change", args=[obj.pk])
    return url, {**form_data(client.get(url)), **values}


# --- Students, enrolments, ISP lines, degrees ------------------------------------------------------
@pytest.mark.parametrize("bad", BAD)
def test_the_opening_of_a_learning_account(office, coach_world, bad):
    url, data = change(office, "students_student", coach_world.student, opening_balance="100", opening_on=bad)
    response = refused(office, url, data, FROM_1950)
    assert response.context["adminform"].form.errors["opening_on"] == [FROM_1950]


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("field", ["enrolled_on", "deregistered_on", "exception_requested_on"])
def test_the_dates_of_an_enrolment(office, coach_world, bad, field):
    url, data = change(office, "students_enrolment", coach_world.enrolment, **{field: bad})
    response = refused(office, url, data, YEAR_2026)
    assert response.context["adminform"].form.errors[field] == [YEAR_2026]


@pytest.mark.parametrize("bad", BAD)
def test_the_dates_of_an_enrolment_on_the_students_page(office, coach_world, bad):
    url, data = change(office, "students_student", coach_world.student, **{"enrolments-0-enrolled_on": bad})
    response = refused(office, url, data, YEAR_2026)
    formset = next(i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == "enrolments")
    assert formset.forms[0].errors["enrolled_on"] == [YEAR_2026]


@pytest.mark.parametrize("bad", BAD)
def test_the_dates_of_an_isp_line(office, coach_world, bad):
    url, data = change(office, "students_ispline", coach_world.lines["A101"], added_on=bad)
    response = refused(office, url, data, YEAR_2026)
    assert response.context["adminform"].form.errors["added_on"] == [YEAR_2026]


@pytest.mark.parametrize("bad", BAD)
def test_the_dates_of_an_isp_line_on_the_enrolments_page(office, coach_world, bad):
    url, data = change(office, "students_enrolment", coach_world.enrolment)
    prefix = next(key for key in data if key.endswith("-0-added_on")).removesuffix("-0-added_on")
    refused(office, url, {**data, f"{prefix}-0-removed_on": bad}, YEAR_2026)


@pytest.mark.parametrize("bad", BAD)
def test_a_degree(office, coach_world, bad):
    response = refused(
        office,
        reverse("admin:students_degree_add"),
        {"student": coach_world.student.pk, "kind": "bachelor", "on": bad},
        FROM_1950,
    )
    assert response.context["adminform"].form.errors["on"] == [FROM_1950]


@pytest.mark.parametrize("bad", BAD)
def test_a_degree_on_the_students_page(office, coach_world, bad):
    url, data = change(office, "students_student", coach_world.student)
    data.update(
        {
            "degrees-TOTAL_FORMS": "1",
            "degrees-0-kind": "bachelor",
            "degrees-0-on": bad,
            "degrees-0-student": str(coach_world.student.pk),
        }
    )
    refused(office, url, data, FROM_1950)


def test_an_approval_of_0001(office, coach_world):
    """Dated after today it was refused already; before the academic year's neighbour, now too."""
    refused(
        office,
        reverse("admin:students_exemptionapproval_add"),
        {
            "isp_line": coach_world.lines["A102"].pk,
            "basis": "credit certificate",
            "approved_by": coach_world.admin.pk,
            "approved_on": "0001-01-01",
        },
        YEAR_2026,
    )
    refused(
        office,
        reverse("admin:students_ispderogation_add"),
        {
            "enrolment": coach_world.enrolment.pk,
            "kind": "fewer_credits",
            "credits": "20",
            "ground": "other",
            "approved_by": coach_world.admin.pk,
            "approved_on": "0001-01-01",
        },
        YEAR_2026,
    )


# --- Tolerance, special statuses ---------------------------------------------------------------------
@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("model", ["tolerancechoice", "toleranceobjection"])
def test_a_students_tolerance_decision(office, coach_world, bad, model):
    refused(
        office, reverse(f"admin:exams_{model}_add"), {"isp_line": coach_world.lines["A101"].pk, "on": bad}, YEAR_2026
    )


@pytest.mark.parametrize("bad", BAD)
def test_a_special_status(office, coach_world, bad):
    refused(
        office,
        reverse("admin:reschedules_specialstatus_add"),
        {
            "student": coach_world.student.pk,
            "academic_year": coach_world.year.pk,
            "kind": "medical",
            "granted_by": "cluster",
            "granted_on": bad,
        },
        YEAR_2026,
    )


def test_an_exam_moment_of_0001(office, coach_world):
    """Its date lies in its exam period (ExamMoment.clean): 0001-01-01 too is refused."""
    period = coach_world.year.exam_periods.get(number=1)
    refused(
        office,
        reverse("admin:reschedules_exammoment_add"),
        {
            "course": coach_world.courses["A101"].pk,
            "exam_period": period.pk,
            "on": "0001-01-01",
            "starts_at": "09:00",
            "duration": "180",
            "room": "B.101",
        },
        "An exam moment lies inside its exam period",
    )


# --- The catalogue's calendar --------------------------------------------------------------------------
YEAR_DATA = {
    "exam_periods-TOTAL_FORMS": "0",
    "exam_periods-INITIAL_FORMS": "0",
    "exam_periods-MIN_NUM_FORMS": "0",
    "exam_periods-MAX_NUM_FORMS": "3",
}


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"code": "0000-0001"}, "code", "Give an academic year from 1950-1951 to 2031-2032."),
        ({"code": "1900-1901"}, "code", "Give an academic year from 1950-1951 to 2031-2032."),
        ({"code": "2040-2041"}, "code", "Give an academic year from 1950-1951 to 2031-2032."),
        ({"starts_on": "0001-01-01"}, "starts_on", "Give a date from 01/01/2027 to 31/12/2030."),
        ({"ends_on": "9999-12-31"}, "ends_on", "Give a date from 01/01/2027 to 31/12/2030."),
        ({"isp_deadline": "0001-01-01"}, "isp_deadline", "Give a date from 01/01/2027 to 31/12/2030."),
    ],
)
def test_an_academic_year(office, coach_world, values, field, message):
    data = {**YEAR_DATA, "code": "2028-2029", "starts_on": "2028-09-18", "ends_on": "2029-09-16", **values}
    response = refused(office, reverse("admin:programmes_academicyear_add"), data, message)
    assert response.context["adminform"].form.errors[field] == [message]


def test_an_exam_periods_publication(office, coach_world):
    period = coach_world.year.exam_periods.get(number=1)
    url, data = change(office, "programmes_examperiod", period, results_published_on="9999-12-31")
    # 2026-2027 with the years before and after it (a calendar is planned ahead: no bound by today).
    refused(office, url, data, "Give a date from 18/09/2025 to 15/09/2028.")


def test_the_replay_of_the_deadlines_from_0001(office, coach_world):
    response = refused(
        office,
        reverse("admin:programmes_academicyear_changelist"),
        {"action": "replay_deadlines", "_selected_action": [coach_world.year.pk], "day": "0001-01-01", "apply": "1"},
        FROM_1950,
    )
    assert response.status_code == 200
