"""The records admin: balances from the ledger, a read-only ledger, a read-only audit trail."""

import datetime

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse

from students.models import Degree, Enrolment, ISPLine, LearningAccountEntry, Student
from tests.exams.test_admin import form_data
from tests.support.factories import (
    AcademicYearFactory,
    DegreeFactory,
    EnrolmentFactory,
    ISPLineFactory,
    LearningAccountEntryFactory,
    ProgrammeFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


def test_student_changelist_shows_the_ledger_balance_in_bounded_queries(admin_client, django_assert_max_num_queries):
    students = StudentFactory.create_batch(30)
    for student in students:
        LearningAccountEntryFactory(student=student, credits=140)
        LearningAccountEntryFactory(student=student, credits=-60, kind="deduction", on=datetime.date(2023, 9, 20))
    StudentFactory(number="Z0001")  # no ledger yet: balance 0, not empty

    # Bounded whatever the number of students (the programme and year filters read their choices once).
    with django_assert_max_num_queries(7):
        response = admin_client.get(reverse("admin:students_student_changelist"))

    assert response.status_code == 200
    balances = {s.number: s.balance_total for s in response.context["cl"].result_list}
    assert balances[students[0].number] == 80
    assert balances["Z0001"] == 0
    assert len(balances) == 31


def test_student_changelist_searches_by_number_and_name(admin_client):
    StudentFactory(number="R0123456", first_name="Lotte", last_name="Peeters")
    StudentFactory(number="R0999999", first_name="Jan", last_name="Janssens")
    for query in ["R0123456", "Lotte", "Peeters"]:
        response = admin_client.get(reverse("admin:students_student_changelist"), {"q": query})
        assert [s.number for s in response.context["cl"].result_list] == ["R0123456"], query


def test_student_page_shows_the_ledger_read_only_with_a_running_balance(admin_client):
    student = StudentFactory()
    LearningAccountEntryFactory(student=student, credits=140, on=datetime.date(2023, 9, 15))
    LearningAccountEntryFactory(student=student, credits=-60, kind="deduction", on=datetime.date(2023, 9, 20))
    LearningAccountEntryFactory(student=student, credits=45, kind="pass_refund", on=datetime.date(2024, 2, 6))
    other = StudentFactory()
    LearningAccountEntryFactory(student=other, credits=999, on=datetime.date(2023, 9, 1))

    response = admin_client.get(reverse("admin:students_student_change", args=[student.pk]))

    assert response.status_code == 200
    ledger = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is LearningAccountEntry)
    assert not ledger.has_add_permission
    assert not ledger.has_change_permission
    assert not ledger.has_delete_permission
    balances = [
        field.contents()
        for inline_form in ledger
        for fieldset in inline_form
        for line in fieldset
        for field in line
        if field.field["name"] == "running_balance"
    ]
    assert balances == ["140", "80", "125"]


def test_ledger_admin_is_read_only(admin_client):
    entry = LearningAccountEntryFactory()
    model_admin = admin.site._registry[LearningAccountEntry]
    request = type("Request", (), {"user": None})()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)

    assert admin_client.get(reverse("admin:students_learningaccountentry_add")).status_code == 403
    delete_url = reverse("admin:students_learningaccountentry_delete", args=[entry.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    change_url = reverse("admin:students_learningaccountentry_change", args=[entry.pk])
    assert admin_client.get(change_url).status_code == 200  # view only
    assert admin_client.post(change_url, {"credits": "500"}).status_code == 403
    entry.refresh_from_db()
    assert entry.credits == 140
    assert LearningAccountEntry.objects.count() == 1


def test_ledger_changelist_filters_by_kind_and_searches_by_student_number(admin_client):
    opening = LearningAccountEntryFactory(student=StudentFactory(number="R1"))
    LearningAccountEntryFactory(student=opening.student, kind="deduction", credits=-6)
    LearningAccountEntryFactory(student=StudentFactory(number="R2"))
    url = reverse("admin:students_learningaccountentry_changelist")

    response = admin_client.get(url, {"kind__exact": "deduction"})
    assert [e.credits for e in response.context["cl"].result_list] == [-6]
    response = admin_client.get(url, {"q": "R1"})
    assert {e.student.number for e in response.context["cl"].result_list} == {"R1"}


def test_isp_line_changelist_filters_final_lines(admin_client):
    final = ISPLineFactory()
    ISPLine.objects.filter(pk=final.pk).update(locked_on=datetime.date(2023, 12, 1))
    open_line = ISPLineFactory()
    url = reverse("admin:students_ispline_changelist")

    response = admin_client.get(url, {"final": "yes"})
    assert [line.pk for line in response.context["cl"].result_list] == [final.pk]
    response = admin_client.get(url, {"final": "no"})
    assert [line.pk for line in response.context["cl"].result_list] == [open_line.pk]


def test_enrolment_page_shows_the_isp_with_final_since(admin_client):
    line = ISPLineFactory()
    ISPLine.objects.filter(pk=line.pk).update(locked_on=datetime.date(2023, 12, 1))
    response = admin_client.get(reverse("admin:students_enrolment_change", args=[line.enrolment.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Final since" in content
    assert "01/12/2023" in content  # day/month/year (issue 13, point 3)


def test_the_isp_lines_are_handed_to_their_course_boxes_once(admin_client, monkeypatch):
    """The inline's course boxes show the courses its rows were read with (no query each): every
    row is handed to them once per page, not again each time the formset asks for its rows."""
    from progress import admin as progress_admin

    enrolment = EnrolmentFactory()
    for _ in range(4):
        ISPLineFactory(enrolment=enrolment)
    handed = []
    remember = progress_admin._remember
    monkeypatch.setattr(progress_admin, "_remember", lambda widgets, obj: handed.append(obj) or remember(widgets, obj))
    response = admin_client.get(reverse("admin:students_enrolment_change", args=[enrolment.pk]))
    assert response.status_code == 200
    lines = [obj for obj in handed if isinstance(obj, ISPLine)]
    assert sorted(line.pk for line in lines) == sorted(enrolment.lines.values_list("pk", flat=True))


def test_enrolment_page_records_the_art_33_written_request(admin_client):
    """DOMAIN §2 rule 11: the exception's written request is a date on the enrolment,
    shown and editable on its admin page."""
    line = ISPLineFactory()
    response = admin_client.get(reverse("admin:students_enrolment_change", args=[line.enrolment.pk]))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "exception_requested_on" in form.fields
    assert "exception_requested_on" not in response.context["adminform"].readonly_fields


def test_student_history_is_listed_but_cannot_be_reverted(admin_client):
    student = StudentFactory(first_name="Lotte")
    student.first_name = "Lotta"
    student.save()
    history_url = reverse("admin:students_student_history", args=[student.pk])
    response = admin_client.get(history_url)
    assert response.status_code == 200
    assert response.context["revert_disabled"] is True

    old = student.history.earliest()
    version_url = reverse("admin:students_student_simple_history", args=[student.pk, old.history_id])
    assert admin_client.get(version_url).status_code == 200
    response = admin_client.post(version_url, {"number": student.number, "first_name": "Lotte", "last_name": "X"})
    assert response.status_code == 403
    student.refresh_from_db()
    assert student.first_name == "Lotta"
    assert Student.objects.count() == 1


def test_student_can_be_edited_with_the_read_only_ledger_on_the_page(admin_client):
    student = StudentFactory(first_name="Lotte", last_name="Peeters")
    entry = LearningAccountEntryFactory(student=student, credits=140)
    data = {
        "number": student.number,
        "first_name": "Lotta",
        "last_name": "Peeters",
        "email": "",
        "enrolments-TOTAL_FORMS": "0",
        "enrolments-INITIAL_FORMS": "0",
        "degrees-TOTAL_FORMS": "0",
        "degrees-INITIAL_FORMS": "0",
        "measures-TOTAL_FORMS": "0",
        "measures-INITIAL_FORMS": "0",
        "learning_account_entries-TOTAL_FORMS": "1",
        "learning_account_entries-INITIAL_FORMS": "1",
        "learning_account_entries-0-id": str(entry.pk),
        "learning_account_entries-0-student": str(student.pk),
        "learning_account_entries-0-credits": "999",  # ignored: the inline is read-only
    }
    response = admin_client.post(reverse("admin:students_student_change", args=[student.pk]), data)
    assert response.status_code == 302
    student.refresh_from_db()
    entry.refresh_from_db()
    assert student.first_name == "Lotta"
    assert entry.credits == 140
    assert student.history.count() == 2
    assert student.history.first().history_user is not None


# --- The ISP status moves only through the workflow --------------------------------------------


@pytest.fixture
def office(client, coach_world):
    """The coach world's superuser signed in to the admin (``admin_client`` would take its name)."""
    client.force_login(coach_world.admin)
    return client


def enrolment_page_data(client, enrolment) -> dict:
    return form_data(client.get(reverse("admin:students_enrolment_change", args=[enrolment.pk])))


def isp_state(enrolment):
    enrolment.refresh_from_db()
    return (
        enrolment.isp_status,
        enrolment.isp_submitted_on,
        enrolment.isp_approved_on,
        enrolment.isp_approved_by,
        enrolment.version,
    )


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_isp_status_cannot_be_set_by_hand_in_the_admin(office, coach_world, on_coach_day):
    enrolment = coach_world.enrolment
    url = reverse("admin:students_enrolment_change", args=[enrolment.pk])
    data = enrolment_page_data(office, enrolment)

    response = office.post(url, {**data, "isp_status": "approved"})

    assert response.status_code == 302
    assert isp_state(enrolment) == ("draft", None, None, None, 1)
    assert "isp_status" in office.get(url).context["adminform"].readonly_fields


def test_the_isp_status_is_read_only_on_the_students_page(office, coach_world):
    page = office.get(reverse("admin:students_student_change", args=[coach_world.student.pk]))
    enrolments = next(f for f in page.context["inline_admin_formsets"] if f.formset.model is Enrolment)
    assert "isp_status" in enrolments.readonly_fields
    assert "isp_status" not in enrolments.formset.forms[0].fields


def run_action(client, action, *enrolments):
    return client.post(
        reverse("admin:students_enrolment_changelist"),
        {"action": action, "_selected_action": [e.pk for e in enrolments]},
        follow=True,
    )


def test_the_approve_action_approves_through_the_workflow_with_who_and_when(office, coach_world, on_coach_day):
    enrolment = coach_world.enrolment
    response = run_action(office, "approve_isp", enrolment)

    assert response.status_code == 200
    assert shown_messages(response) == [f"The ISP of {enrolment} was approved."]
    assert isp_state(enrolment) == ("approved", None, datetime.date(2026, 11, 23), coach_world.admin, 2)
    latest = enrolment.history.order_by("history_id").last()
    assert (latest.history_change_reason, latest.history_user) == ("ISP approved", coach_world.admin)


def test_the_approve_action_reports_the_workflows_refusal_and_changes_nothing(office, coach_world):
    enrolment = coach_world.enrolment
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0), tick=False):
        response = run_action(office, "approve_isp", enrolment)

    # After the deadline only the late route approves, with a reason the admin action cannot give.
    messages = shown_messages(response)
    assert messages[0].startswith(f"{enrolment}: The cluster approves ISPs before ")
    assert "A later approval is recorded as late" in messages[0]
    assert messages[1] == f"{enrolment}: State why this step is taken after its deadline: it is recorded as late."
    assert [m.level_tag for m in response.context["messages"]] == ["error", "error"]
    assert isp_state(enrolment) == ("draft", None, None, None, 1)


def test_the_submit_and_approve_buttons_of_the_enrolment_page(office, coach_world):
    enrolment = coach_world.enrolment
    page = office.get(reverse("admin:students_enrolment_change", args=[enrolment.pk]))
    assert "Submit the ISP" in page.content.decode() and "Approve the ISP" in page.content.decode()

    def step(name, version):
        url = reverse("admin:students_enrolment_isp_step", args=[enrolment.pk, name])
        return office.post(url, {"version": version}, follow=True)

    with time_machine.travel(datetime.datetime(2026, 10, 10, 10, 0), tick=False):
        submitted = step("submit", 1)
        assert shown_messages(submitted) == [f"The ISP of {enrolment} was submitted."]
        assert isp_state(enrolment) == ("submitted", datetime.date(2026, 10, 10), None, None, 2)

        # A page showing an earlier version of the ISP: refused, nothing changes.
        stale = step("approve", 1)
        assert "Someone else saved the ISP" in shown_messages(stale)[0]
        assert isp_state(enrolment)[0] == "submitted"

    with time_machine.travel(datetime.datetime(2026, 11, 30, 10, 0), tick=False):
        step("approve", 2)
    assert isp_state(enrolment) == (
        "approved",
        datetime.date(2026, 10, 10),
        datetime.date(2026, 11, 30),
        coach_world.admin,
        3,
    )
    not_a_post = office.get(reverse("admin:students_enrolment_isp_step", args=[enrolment.pk, "approve"]))
    assert not_a_post.status_code == 405


# --- A fact entered in the admin is processed at once through the timeline.
# (formerly tests/students/test_admin_live.py)


@time_machine.travel(datetime.date(2024, 7, 1))
def test_a_first_master_degree_entered_in_the_admin_costs_140_at_once(
    db, admin_client, django_capture_on_commit_callbacks
):
    student = StudentFactory(opening_balance=150, opening_on=datetime.date(2023, 8, 1))
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:students_degree_add"),
            {"student": student.pk, "kind": "master", "on": "2024-07-01"},
        )
    assert response.status_code == 302
    assert Degree.objects.get(student=student).processed
    credits = dict(LearningAccountEntry.objects.filter(student=student).values_list("kind", "credits"))
    assert credits == {"opening": 150, "master_degree": -140}


def test_an_exemption_recorded_in_the_admin_goes_through_the_isp_service(office, coach_world, on_coach_day):
    """Art. 25, DOMAIN §2 rule 2: the line is exempted and what it took comes back, as in the
    ISP editor; ticking a box by hand would book no refund."""
    line = coach_world.lines["A102"]
    before = coach_world.student.learning_account_balance()
    version = coach_world.enrolment.version
    response = office.post(
        reverse("admin:students_exemptionapproval_add"),
        {
            "isp_line": line.pk,
            "basis": "credit certificate",
            "approved_by": coach_world.admin.pk,
            "approved_on": "2026-11-23",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    line.refresh_from_db()
    coach_world.enrolment.refresh_from_db()
    assert line.exempted
    assert coach_world.student.learning_account_balance() == before + 6
    assert coach_world.enrolment.version == version + 1


def test_an_approval_dated_after_today_is_refused_in_the_admin(office, coach_world, on_coach_day):
    line = coach_world.lines["A102"]
    response = office.post(
        reverse("admin:students_exemptionapproval_add"),
        {
            "isp_line": line.pk,
            "basis": "credit certificate",
            "approved_by": coach_world.admin.pk,
            "approved_on": "2026-12-24",
        },
    )
    assert response.status_code == 200
    assert "An approval cannot be dated after today." in response.content.decode()
    line.refresh_from_db()
    assert not line.exempted


def test_a_derogation_recorded_in_the_admin_goes_through_the_isp_service(office, coach_world, on_coach_day):
    version = coach_world.enrolment.version
    response = office.post(
        reverse("admin:students_ispderogation_add"),
        {
            "enrolment": coach_world.enrolment.pk,
            "kind": "model_route",
            "ground": "special_status",
            "motivation": "",
            "approved_by": coach_world.admin.pk,
            "approved_on": "2026-11-23",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    coach_world.enrolment.refresh_from_db()
    assert coach_world.enrolment.version == version + 1
    derogation = coach_world.enrolment.derogations.get()
    assert (derogation.kind, derogation.approved_by) == ("model_route", coach_world.admin)
    assert derogation.history.first().history_change_reason == "derogation model_route"


def test_a_recorded_exemption_is_read_only_and_the_line_box_too(office, coach_world, on_coach_day):
    line = coach_world.lines["A102"]
    office.post(
        reverse("admin:students_exemptionapproval_add"),
        {
            "isp_line": line.pk,
            "basis": "credit certificate",
            "approved_by": coach_world.admin.pk,
            "approved_on": "2026-11-23",
        },
    )
    approval = line.__class__.objects.get(pk=line.pk).exemption_approval
    page = office.get(reverse("admin:students_exemptionapproval_change", args=[approval.pk])).content.decode()
    assert 'name="basis"' not in page
    line_page = office.get(reverse("admin:students_ispline_change", args=[line.pk])).content.decode()
    assert 'name="exempted"' not in line_page


# --- The Art. 33 written request on an enrolment refused on the learning account ---------------
def test_the_written_request_entered_in_the_admin_readmits_a_refused_enrolment(admin_client):
    """The worked case of ``test_services.test_a_written_request_readmits_...``: balance 0,
    enrolled in both previous years, 30 credits left: the date entered on the enrolment's page
    readmits it (30 deducted -> -30)."""
    from students.models import EnrolmentStatus
    from tests.students.test_services import _balance, _refused_for_the_account

    enrolment = _refused_for_the_account()
    url = reverse("admin:students_enrolment_change", args=[enrolment.pk])
    with time_machine.travel(datetime.datetime(2025, 10, 1, 12, 0), tick=False):
        data = form_data(admin_client.get(url))
        response = admin_client.post(url, {**data, "exception_requested_on": "2025-09-25"})
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.admission_exception) == (EnrolmentStatus.ENROLLED, True)
    assert enrolment.exception_requested_on == datetime.date(2025, 9, 25)
    assert _balance(enrolment.student) == -30


def test_a_written_request_that_does_not_meet_art_33_is_refused_in_the_admin(admin_client):
    """Only 2024-2025 before: the request cannot admit it; the page says why (Art. 33) and
    nothing is saved."""
    from students.models import EnrolmentStatus
    from tests.students.test_services import _refused_for_the_account

    enrolment = _refused_for_the_account(previous=(2024,))
    url = reverse("admin:students_enrolment_change", args=[enrolment.pk])
    with time_machine.travel(datetime.datetime(2025, 10, 1, 12, 0), tick=False):
        data = form_data(admin_client.get(url))
        response = admin_client.post(url, {**data, "exception_requested_on": "2025-09-25"}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert any("Art. 33" in m and "both previous academic years" in m for m in shown), shown
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.exception_requested_on) == (EnrolmentStatus.REFUSED, None)


# --- Issue 19 §2: the admin pages of students and enrolments in a fixed number of queries ---
# Each page is read with few rows, then with more rows (and more rows in each inline): the
# count stays the same and within the budget of the issue.
BUDGET = 15
# The student and enrolment admins live in progress/admin.py (their pages show results):
# until it reads the inlines' related objects with the rows, these pages are over the budget.


def _queries(client, url, django_assert_max_num_queries) -> int:
    """The queries of a page read a second time (the first read fills the process's caches)."""
    client.get(url)
    with django_assert_max_num_queries(BUDGET) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def _student_with_records(n: int) -> Student:
    """A student with ``n`` enrolments (a year each), degrees, ledger entries and measures."""
    from students.models import Measure

    student = StudentFactory()
    programme = ProgrammeFactory()
    for i in range(n):
        year = AcademicYearFactory(first_year=2015 + i)
        EnrolmentFactory(student=student, academic_year=year, programme=programme)
        DegreeFactory(student=student, programme=programme, on=datetime.date(2016 + i, 7, 1))
        LearningAccountEntryFactory(student=student, credits=10 + i, on=datetime.date(2015 + i, 9, 20))
        Measure.objects.create(
            student=student,
            kind=Measure._meta.get_field("kind").choices[0][0],
            programme=programme,
            from_year_code=year.code,
            until_year_code=year.code,
            decided_on=datetime.date(2016 + i, 7, 10),
            decided_in=year,
        )
    return student


def test_the_student_list_takes_the_same_queries_for_more_students(admin_client, django_assert_max_num_queries):
    url = reverse("admin:students_student_changelist")
    for student in StudentFactory.create_batch(3):
        LearningAccountEntryFactory(student=student, credits=140)
    few = _queries(admin_client, url, django_assert_max_num_queries)
    for student in StudentFactory.create_batch(40):
        LearningAccountEntryFactory(student=student, credits=140)
        LearningAccountEntryFactory(student=student, credits=-6, kind="deduction", on=datetime.date(2023, 9, 20))
    assert _queries(admin_client, url, django_assert_max_num_queries) == few
    _queries(admin_client, f"{url}?q=S0", django_assert_max_num_queries)  # a search within the budget too


def test_the_student_page_takes_the_same_queries_for_more_records(admin_client, django_assert_max_num_queries):
    few = _student_with_records(1)
    many = _student_with_records(6)
    count = _queries(
        admin_client, reverse("admin:students_student_change", args=[few.pk]), django_assert_max_num_queries
    )
    url = reverse("admin:students_student_change", args=[many.pk])
    assert _queries(admin_client, url, django_assert_max_num_queries) == count


def test_the_enrolment_list_takes_the_same_queries_for_more_enrolments(admin_client, django_assert_max_num_queries):
    url = reverse("admin:students_enrolment_changelist")
    EnrolmentFactory.create_batch(3)
    few = _queries(admin_client, url, django_assert_max_num_queries)
    EnrolmentFactory.create_batch(30, academic_year=AcademicYearFactory(first_year=2024))
    assert _queries(admin_client, url, django_assert_max_num_queries) == few
    _queries(admin_client, f"{url}?q=S0", django_assert_max_num_queries)  # a search within the budget too


def _enrolment_with_lines(n: int) -> Enrolment:
    """An enrolment with ``n`` ISP lines, each with a result (two with a second opportunity)."""
    from tests.support.factories import ResultFactory

    enrolment = EnrolmentFactory()
    for i in range(n):
        result = ResultFactory(isp_line=ISPLineFactory(enrolment=enrolment), score=8 + i % 10)
        if i < 2:
            second = result.isp_line.enrolment.academic_year.exam_periods.get(number=2)
            ResultFactory(isp_line=result.isp_line, exam_period=second, opportunity=2, score=12)
    return enrolment


def test_the_enrolment_page_takes_the_same_queries_for_more_isp_lines(admin_client, django_assert_max_num_queries):
    few = _enrolment_with_lines(2)
    many = _enrolment_with_lines(12)
    url = reverse("admin:students_enrolment_change", args=[few.pk])
    count = _queries(admin_client, url, django_assert_max_num_queries)
    url = reverse("admin:students_enrolment_change", args=[many.pk])
    assert _queries(admin_client, url, django_assert_max_num_queries) == count


def test_a_long_list_pages_through_its_first_rows_and_says_there_are_more(admin_client, monkeypatch):
    """Issue 19: the admin's lists count up to ``core.pagination.CAP`` rows and page through
    those (here a cap of 5 and 2 a page: pages 1-3, the third with the fifth student); the list
    says there are more and to search, and offers no action on "all" of them. A shorter list
    shows its count as before."""
    from core import pagination
    from progress.admin import StudentAdmin

    monkeypatch.setattr(pagination, "CAP", 5)
    monkeypatch.setattr(StudentAdmin, "list_per_page", 2)
    for i in range(8):
        StudentFactory(number=f"r09000{i:02d}", last_name=f"Name{i}")
    url = reverse("admin:students_student_changelist")
    page = admin_client.get(url).content.decode()
    assert "More than 5 students: the pages show the first 5. Search or filter to find the others." in page
    assert "across all pages" not in page
    assert "?p=3" in page and "?p=4" not in page
    last = admin_client.get(url, {"p": 3})
    assert last.status_code == 200
    assert [s.number for s in last.context["cl"].result_list] == ["r0900004"]
    # Beyond the pages shown: the admin's own answer to a page out of range.
    assert admin_client.get(url, {"p": 4}).status_code == 302
    narrowed = admin_client.get(url, {"q": "r0900001"}).content.decode()
    assert "More than" not in narrowed and "1 student" in narrowed


def test_a_later_page_of_the_students_sums_the_ledger_of_its_students_only(admin_client, monkeypatch):
    """Issue 19: the tenth page of the list would sum the ledger of the 900 students it skips
    as well (an ``OFFSET`` computes the rows it skips); the page's students are found first,
    then their balances are summed."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from progress.admin import StudentAdmin

    monkeypatch.setattr(StudentAdmin, "list_per_page", 2)
    for i, credits in enumerate([140, 80, 60, 20, 10]):
        student = StudentFactory(number=f"r09100{i:02d}", last_name=f"Name{i}")
        LearningAccountEntryFactory(student=student, credits=credits)

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:students_student_changelist"), {"p": 2})

    assert [(s.number, s.balance_total) for s in response.context["cl"].result_list] == [
        ("r0910002", 60),
        ("r0910003", 20),
    ]
    ledger = [q["sql"].upper() for q in queries.captured_queries if "LEARNINGACCOUNTENTRY" in q["sql"].upper()]
    assert ledger and all("OFFSET" not in sql for sql in ledger)


def test_the_ledger_list_is_a_long_list_newest_booking_first(admin_client, monkeypatch, django_assert_max_num_queries):
    """Issue 19: 1.5 million entries at 250,000 students. The list pages through its first rows
    (a cap of 5 here) with no count of every entry, the newest booking first; it has no date
    hierarchy (which read every entry's year) and searches by the beginning of a number."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core import pagination

    monkeypatch.setattr(pagination, "CAP", 5)
    students = [StudentFactory(number=f"r09200{i:02d}") for i in range(4)]
    entries = [LearningAccountEntryFactory(student=s, credits=140, on=datetime.date(2024, 9, 20)) for s in students]
    entries += [
        LearningAccountEntryFactory(student=s, credits=-60, kind="deduction", on=datetime.date(2023, 9, 20))
        for s in students
    ]
    url = reverse("admin:students_learningaccountentry_changelist")

    admin_client.get(url)
    with django_assert_max_num_queries(BUDGET), CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)

    page = response.content.decode()
    assert [e.pk for e in response.context["cl"].result_list] == [e.pk for e in reversed(entries)]
    assert "More than 5 learning account entries" in page
    assert 'class="xfull"' not in page and "date_hierarchy" not in page and "?on__year=" not in page
    counts = [q["sql"].upper() for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql for sql in counts)
    found = admin_client.get(url, {"q": "r0920001"}).context["cl"].result_list
    assert sorted(e.credits for e in found) == [-60, 140]
    assert {e.student.number for e in found} == {"r0920001"}
    assert not admin_client.get(url, {"q": "0920001"}).context["cl"].result_list  # the beginning only
