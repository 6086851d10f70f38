"""Base pages (login, home, logout, error pages) and a walk over every admin page."""

import datetime

import pytest
from django.contrib import admin
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from core.models import Transition
from exams.models import ProgrammeResult, ResultPart, ToleranceChoice, ToleranceObjection
from programmes.models import Assignment, Prerequisite
from students.models import ExemptionApproval, ISPDerogation, Measure
from tests.factories import (
    CourseFactory,
    DegreeFactory,
    ISPLineFactory,
    LearningAccountEntryFactory,
    ResultFactory,
)

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
OUR_APPS = {"core", "programmes", "students", "exams", "appeals"}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=[m._meta.label for m, _ in REGISTERED])
def test_every_admin_changelist_and_add_page_opens(admin_client, admin_user, model, model_admin):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200

    request = RequestFactory().get("/")
    request.user = admin_user
    expected = 200 if model_admin.has_add_permission(request) else 403
    assert admin_client.get(admin_url(model, "add")).status_code == expected


@pytest.fixture
def records(admin_user):
    """One of everything: a result with parts on an ISP line, tolerance, ledger, degree,
    a measure, a programme result, a programme assignment and the ISP decisions."""
    result = ResultFactory(score=None)
    ResultPart.objects.create(result=result, position=1, credits=3, score=12)
    ResultPart.objects.create(result=result, position=2, credits=3, score=9)
    line = result.isp_line
    student = line.enrolment.student
    ToleranceChoice.objects.create(isp_line=line, on=datetime.date(2024, 2, 10))
    ToleranceObjection.objects.create(isp_line=line, on=datetime.date(2024, 2, 8))
    LearningAccountEntryFactory(student=student, credits=140)
    LearningAccountEntryFactory(student=student, credits=-6, kind="deduction", course=line.course)
    DegreeFactory(student=student)
    other = CourseFactory(programme=line.course.programme)
    Prerequisite.objects.create(course=other, required=line.course, kind="SQ")
    other.identical_to.add(line.course)
    Transition.objects.create(key="first_semester_lock:2023-2024", due_on=datetime.date(2023, 12, 1))
    enrolment = line.enrolment
    Assignment.objects.create(
        user=admin_user, programme=enrolment.programme, academic_year=enrolment.academic_year, role="coach"
    )
    Measure.objects.create(
        student=student,
        kind="repeated_failure_refusal",
        programme=enrolment.programme,
        course=line.course,
        from_year_code="2024-2025",
        until_year_code="2024-2025",
        decided_on=datetime.date(2024, 9, 15),
        decided_in=enrolment.academic_year,
    )
    ProgrammeResult.objects.create(
        student=student,
        programme=enrolment.programme,
        academic_year=enrolment.academic_year,
        passed_on=datetime.date(2024, 7, 2),
        percentage="72.5000",
        level="cum_laude",
    )
    ISPDerogation.objects.create(
        enrolment=enrolment,
        kind="more_credits",
        credits=78,
        ground="outstanding_efficiency",
        approved_on=datetime.date(2023, 9, 20),
        approved_by=admin_user,
    )
    exempted = ISPLineFactory(enrolment=enrolment, exempted=True)
    ExemptionApproval.objects.create(
        isp_line=exempted, basis="credit certificate", approved_on=datetime.date(2023, 9, 20), approved_by=admin_user
    )
    from tests.reschedules.ombuds_world import ombuds_admin_records  # exam moments, requests, statuses, reports

    ombuds_admin_records(line, admin_user)
    from tests.appeals.admin_records import appeals_admin_records  # an appeal, a lifting request, a correction

    appeals_admin_records(line, admin_user)
    return result


OUR_MODELS = [(m, a) for m, a in REGISTERED if m._meta.app_label in OUR_APPS]


@pytest.mark.parametrize(("model", "model_admin"), OUR_MODELS, ids=[m._meta.label for m, _ in OUR_MODELS])
def test_every_change_page_of_our_models_opens(admin_client, records, model, model_admin):
    obj = model.objects.first()
    assert obj is not None, f"the fixture makes no {model._meta.label}"
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(admin_url(model, "changelist"), {"q": "x"}).status_code == 200


def test_admin_site_is_named_after_the_college(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert "College student administration" in response.content.decode()


# --- Login, home, logout ------------------------------------------------------------


def test_login_page_opens_for_anonymous_users_with_a_crispy_form(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_username"' in content
    assert "form-control" in content  # rendered by crispy-bootstrap5
    assert "vendor/bootstrap/bootstrap.min.css" in content


def test_home_sends_anonymous_users_to_the_login_page(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_home_greets_staff_and_links_to_the_admin(admin_client, admin_user):
    admin_user.first_name, admin_user.last_name = "An", "Peeters"
    admin_user.save()
    response = admin_client.get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Welcome, An Peeters" in content
    assert reverse("admin:index") in content
    assert f'action="{reverse("logout")}"' in content
    assert f'action="{reverse("set_language")}"' in content


def test_home_of_a_user_without_staff_access_has_no_admin_link(client, django_user_model):
    user = django_user_model.objects.create_user("coach", password="x")
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Welcome, coach" in content
    assert reverse("admin:index") not in content


def test_logging_in_leads_home(client, django_user_model):
    django_user_model.objects.create_user("coach", password="a-long-password-1")
    response = client.post(reverse("login"), {"username": "coach", "password": "a-long-password-1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_logout_works_by_post(admin_client):
    assert admin_client.get(reverse("logout")).status_code == 405  # Django 5: never by GET
    response = admin_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert admin_client.get(reverse("home")).status_code == 302


def test_logged_out_template_renders():
    content = render_to_string("registration/logged_out.html")
    assert "You have been logged out" in content


# --- Error pages --------------------------------------------------------------------


@pytest.mark.urls("tests.core.urls_denied")
def test_permission_denied_shows_the_403_page(admin_client):
    response = admin_client.get("/test-denied/")
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    content = response.content.decode()
    assert "You do not have permission to view this page" in content
    assert f'href="{reverse("home")}"' in content


def test_unknown_page_shows_the_404_page(admin_client):
    response = admin_client.get("/no-such-page/")
    assert response.status_code == 404
    assert "404.html" in [t.name for t in response.templates]
    assert "Page not found" in response.content.decode()


def test_500_page_renders_without_a_request():
    content = render_to_string("500.html")
    assert "Something went wrong" in content


def test_a_new_approval_defaults_to_the_signed_in_user_and_today(admin_client, admin_user):
    response = admin_client.get(reverse("admin:students_ispderogation_add"))
    form = response.context["adminform"].form
    assert form.initial["approved_by"] == admin_user.pk
    assert form.initial["approved_on"] is not None
