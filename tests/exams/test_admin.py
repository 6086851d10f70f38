"""The records admin enters results and tolerance choices through the same rules as the
marksheet, and shows an enrolment's marks, tolerance and programme result read-only."""

import contextlib
import datetime
from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from core.timeline import run_deadlines
from exams import results as result_services
from exams.models import ProgrammeResult, Result, ToleranceChoice, ToleranceObjection
from exams.results import result_record, results_check
from students.models import ISPLine
from tests.exams.conftest import publish_marker, snapshot

D = datetime.date


def form_data(response) -> dict:
    """The POST data of an admin add/change page as it was rendered: the main form and
    every inline formset with its management form."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            if isinstance(value, list | tuple):
                value = value[0] if value else ""
            data[form.add_prefix(name)] = value.isoformat() if isinstance(value, datetime.date) else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.initial_forms:
            add(form)
    return data


def new_result_data(college, code="NUM1", *, period=1, opportunity=1, score="", grade="", parts=()):
    line = college.lines[code]
    data = {
        "student": line.enrolment.student_id,
        "course": line.course_id,
        "exam_period": college.periods[period].pk,
        "opportunity": opportunity,
        "score": score,
        "grade": grade,
        "parts-TOTAL_FORMS": len(parts),
        "parts-INITIAL_FORMS": 0,
        "parts-MIN_NUM_FORMS": 0,
        "parts-MAX_NUM_FORMS": 1000,
    }
    for i, (credits, mark) in enumerate(parts):
        data.update({f"parts-{i}-position": i + 1, f"parts-{i}-credits": credits, f"parts-{i}-score": mark})
    return data


def errors(response) -> str:
    """Every error message the admin page shows (the form's and the inlines')."""
    found = list(response.context["adminform"].form.non_field_errors())
    for inline in response.context["inline_admin_formsets"]:
        found += list(inline.formset.non_form_errors())
        for form in inline.formset.forms:
            found += list(form.non_field_errors())
    return " ".join(found)


ADD_URL = reverse("admin:exams_result_add")


# --- The result admin ---------------------------------------------------------------------------


def test_adding_a_valid_result(admin_client, college, admin_user):
    response = admin_client.post(ADD_URL, new_result_data(college, score=12))
    assert response.status_code == 302
    result = Result.objects.get()
    assert (result.score, result.history.get().history_user) == (12, admin_user)


@pytest.mark.parametrize(
    ("code", "fields", "message"),
    [
        ("NUM1", {"grade": "P"}, "P is only for pass/fail courses"),
        ("PF1", {"score": 12}, "This course is pass/fail: its mark is P, F or NA, not 12"),
        ("NUM1", {"score": 12, "grade": "NA"}, "Give either a mark from 0 to 20 or a grade (P, F, NA), not both."),
        ("NUM1", {}, "A result needs a mark or partial exams"),
        ("PF1", {"parts": [(3, 12)]}, "partial exams are only for courses marked 0-20"),
        ("NUM1", {"score": 12, "parts": [(3, 12), (3, 6)]}, "does not match the partial exams"),
        ("NR1", {"period": 3, "opportunity": 2, "score": 12}, "This course has no second exam opportunity"),
        ("NUM1", {"period": 3, "opportunity": 2, "score": 12}, "Enter the first opportunity before the second"),
    ],
)
def test_the_result_form_refuses_what_the_rules_refuse(admin_client, college, code, fields, message):
    before = snapshot()
    response = admin_client.post(ADD_URL, new_result_data(college, code, **fields))
    assert response.status_code == 200
    assert message in errors(response)
    assert snapshot() == before


def test_a_mark_of_21_is_refused(admin_client, college):
    response = admin_client.post(ADD_URL, new_result_data(college, score=21))
    message = "A mark is an integer from 0 to 20, or P, F or NA (Art. 65-66); 21 is not."
    assert errors(response) == message
    # One message for the one error: not the field's own "at most 20" as well.
    assert response.content.decode().count(message) == 1
    assert "less than or equal to 20" not in response.content.decode()
    assert not Result.objects.exists()


def test_a_result_with_partial_exams(admin_client, college):
    response = admin_client.post(ADD_URL, new_result_data(college, parts=[(3, 12), (3, 14)]))
    assert response.status_code == 302
    assert list(Result.objects.get().parts.values_list("credits", "score")) == [(3, 12), (3, 14)]


def test_a_removed_line_is_refused(admin_client, college):
    ISPLine.objects.filter(pk=college.lines["NUM1"].pk).update(removed_on=D(2023, 10, 20))
    response = admin_client.post(ADD_URL, new_result_data(college, score=12))
    assert "This course was removed from the ISP on" in errors(response)
    assert not Result.objects.exists()


def test_a_published_result_cannot_be_changed_or_deleted_in_the_admin(admin_client, college):
    result = result_record(isp_line=college.lines["NUM1"], exam_period=college.periods[1], opportunity=1, mark=8)
    publish_marker(college.periods[1])
    change_url = reverse("admin:exams_result_change", args=[result.pk])
    page = admin_client.get(change_url)
    data = form_data(page)

    unchanged = admin_client.post(change_url, data)
    assert unchanged.status_code == 302  # saving it as it is changes nothing

    before = snapshot()
    response = admin_client.post(change_url, {**data, "score": 10})
    assert response.status_code == 200
    assert "This result was published on" in errors(response)
    assert "appeal (Art. 101)" in errors(response)
    assert snapshot() == before

    assert admin_client.post(reverse("admin:exams_result_delete", args=[result.pk]), {"post": "yes"}).status_code == 403
    assert Result.objects.filter(pk=result.pk).exists()
    action_form = admin_client.get(reverse("admin:exams_result_changelist")).context["action_form"]
    assert action_form is None or "delete_selected" not in dict(action_form.fields["action"].choices)


def test_an_unpublished_result_can_be_changed(admin_client, college):
    result = result_record(isp_line=college.lines["NUM1"], exam_period=college.periods[1], opportunity=1, mark=8)
    change_url = reverse("admin:exams_result_change", args=[result.pk])
    data = form_data(admin_client.get(change_url))
    assert admin_client.post(change_url, {**data, "score": 10}).status_code == 302
    assert Result.objects.get().score == 10


@contextlib.contextmanager
def recorded_through_the_service():
    """Watch ``results_record``, the one writer of results every way in goes through
    (``result_record`` calls it; the admin's ISP line page calls it directly)."""
    spy = mock.MagicMock(wraps=result_services.results_record)
    with (
        mock.patch.object(result_services, "results_record", spy),
        mock.patch("exams.admin.results_record", spy, create=True),
    ):
        yield spy


def published_during_the_check(period):
    """The form's check, after which the exam period's publication is processed: what the
    form accepted is then refused by the service when the page saves."""

    def check(entries):
        problems = results_check(entries)
        publish_marker(period)
        return problems

    return mock.patch("exams.admin.results_check", side_effect=check)


def shown_messages(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


def test_a_result_saved_in_the_admin_is_entered_by_the_service(admin_client, college, admin_user):
    with recorded_through_the_service() as service:
        response = admin_client.post(ADD_URL, new_result_data(college, parts=[(3, 12), (3, 14)]))
    assert response.status_code == 302
    service.assert_called_once()
    assert service.call_args.kwargs["by"] == admin_user
    result = Result.objects.get()
    assert list(result.parts.values_list("position", "credits", "score")) == [(1, 3, 12), (2, 3, 14)]
    assert [(h.history_type, h.history_user) for h in result.history.all()] == [("+", admin_user)]

    change_url = reverse("admin:exams_result_change", args=[result.pk])
    data = form_data(admin_client.get(change_url))
    with recorded_through_the_service() as service:
        response = admin_client.post(change_url, {**data, "score": 13, "parts-TOTAL_FORMS": 0})
    assert response.status_code == 302
    service.assert_called_once()
    result.refresh_from_db()
    assert (result.score, result.parts.count(), result.history.count()) == (13, 0, 2)


def test_a_result_refused_by_the_service_at_the_save_changes_nothing(admin_client, college):
    """The exam period is published between the form's check and the save: the service,
    which checks again on the locked ISP line, refuses with its message."""
    before = snapshot()
    with published_during_the_check(college.periods[1]):
        response = admin_client.post(ADD_URL, new_result_data(college, score=12), follow=True)
    assert "The results of this exam period were published on" in shown_messages(response)
    assert "appeal (Art. 101)" in shown_messages(response)
    assert not Result.objects.exists()
    assert snapshot()[:2] == before[:2]


# --- The results inline on an ISP line's page ----------------------------------------------------


def inline_rows(data, rows):
    data = {**data, "results-TOTAL_FORMS": int(data["results-INITIAL_FORMS"]) + len(rows)}
    start = int(data["results-INITIAL_FORMS"])
    for i, row in enumerate(rows, start=start):
        for name, value in row.items():
            data[f"results-{i}-{name}"] = value
    return data


def test_the_isp_line_page_enters_both_opportunities_at_once(admin_client, college):
    url = reverse("admin:students_ispline_change", args=[college.lines["NUM1"].pk])
    data = inline_rows(
        form_data(admin_client.get(url)),
        [
            {"exam_period": college.periods[1].pk, "opportunity": 1, "score": 6},
            {"exam_period": college.periods[3].pk, "opportunity": 2, "score": 12},
        ],
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, errors(response)
    assert sorted(Result.objects.values_list("opportunity", "score")) == [(1, 6), (2, 12)]


@pytest.mark.parametrize(
    ("code", "rows", "message"),
    [
        (
            "NR1",
            [{"period": 1, "opportunity": 1, "score": 6}, {"period": 3, "opportunity": 2, "score": 12}],
            "This course has no second exam opportunity",
        ),
        (
            "NUM1",
            [{"period": 2, "opportunity": 1, "score": 6}, {"period": 2, "opportunity": 2, "score": 12}],
            "must be in a later exam period than the first",
        ),
        ("PF1", [{"period": 1, "opportunity": 1, "score": 12}], "This course is pass/fail"),
        ("NUM1", [{"period": 1, "opportunity": 1, "grade": "P"}], "P is only for pass/fail courses"),
    ],
)
def test_the_isp_line_page_refuses_what_the_rules_refuse(admin_client, college, code, rows, message):
    url = reverse("admin:students_ispline_change", args=[college.lines[code].pk])
    rows = [
        {**{k: v for k, v in row.items() if k != "period"}, "exam_period": college.periods[row["period"]].pk}
        for row in rows
    ]
    before = snapshot()
    response = admin_client.post(url, inline_rows(form_data(admin_client.get(url)), rows))
    assert response.status_code == 200
    assert message in errors(response)
    assert snapshot() == before


def test_the_isp_line_page_does_not_delete_a_published_result(admin_client, college):
    result = result_record(isp_line=college.lines["NUM1"], exam_period=college.periods[1], opportunity=1, mark=8)
    publish_marker(college.periods[1])
    url = reverse("admin:students_ispline_change", args=[college.lines["NUM1"].pk])
    data = form_data(admin_client.get(url))
    data["results-0-DELETE"] = "on"
    response = admin_client.post(url, data)
    assert "This result was published on" in errors(response)
    assert Result.objects.filter(pk=result.pk).exists()


def test_the_isp_line_page_enters_its_results_through_the_service(admin_client, college, admin_user):
    url = reverse("admin:students_ispline_change", args=[college.lines["NUM1"].pk])
    data = inline_rows(
        form_data(admin_client.get(url)),
        [
            {"exam_period": college.periods[1].pk, "opportunity": 1, "score": 6},
            {"exam_period": college.periods[3].pk, "opportunity": 2, "score": 12},
        ],
    )
    with recorded_through_the_service() as service:
        response = admin_client.post(url, data)
    assert response.status_code == 302, errors(response)
    service.assert_called_once()
    assert (len(service.call_args.kwargs["entries"]), service.call_args.kwargs["by"]) == (2, admin_user)
    assert {r.history.get().history_user for r in Result.objects.all()} == {admin_user}


def test_the_isp_line_page_saves_nothing_when_the_service_refuses(admin_client, college):
    url = reverse("admin:students_ispline_change", args=[college.lines["NUM1"].pk])
    data = inline_rows(
        form_data(admin_client.get(url)), [{"exam_period": college.periods[1].pk, "opportunity": 1, "score": 6}]
    )
    data["added_on"] = "2023-09-20"  # the line's own change is rolled back with the results
    before = snapshot()
    with published_during_the_check(college.periods[1]):
        response = admin_client.post(url, data, follow=True)
    assert "The results of this exam period were published on" in shown_messages(response)
    assert snapshot()[:2] == before[:2]
    assert ISPLine.objects.get(pk=college.lines["NUM1"].pk).added_on == D(2023, 9, 15)


def test_a_new_isp_line_is_added_with_its_result(admin_client, college, admin_user):
    data = {
        "enrolment": college.enrolment.pk,
        "course": college.courses["OUT1"].pk,
        "added_on": "2023-09-15",
        "removed_on": "",
        "results-TOTAL_FORMS": 1,
        "results-INITIAL_FORMS": 0,
        "results-MIN_NUM_FORMS": 0,
        "results-MAX_NUM_FORMS": 2,
        "results-0-exam_period": college.periods[1].pk,
        "results-0-opportunity": 1,
        "results-0-score": 15,
        "results-0-grade": "",
    }
    with recorded_through_the_service() as service:
        response = admin_client.post(reverse("admin:students_ispline_add"), data)
    assert response.status_code == 302, errors(response)
    service.assert_called_once()
    result = Result.objects.get()
    assert (result.isp_line.course.code, result.score, result.history.get().history_user) == ("OUT1", 15, admin_user)


def test_an_existing_result_keeps_its_opportunity_on_the_isp_line_page(admin_client, college):
    result = result_record(isp_line=college.lines["NUM1"], exam_period=college.periods[1], opportunity=1, mark=8)
    url = reverse("admin:students_ispline_change", args=[college.lines["NUM1"].pk])
    data = form_data(admin_client.get(url))
    response = admin_client.post(url, {**data, "results-0-opportunity": 2, "results-0-score": 9})
    assert response.status_code == 302, errors(response)
    assert list(Result.objects.values_list("pk", "opportunity", "score")) == [(result.pk, 1, 9)]


# --- Tolerance choices in the admin --------------------------------------------------------------


@pytest.fixture
def published(college):
    """NUM1 14, PF1 P, NUM2 9 (tolerable), NR1 6, published on 6 February 2024."""
    for code, mark in (("NUM1", 14), ("PF1", "P"), ("NUM2", 9), ("NR1", 6)):
        result_record(isp_line=college.lines[code], exam_period=college.periods[1], opportunity=1, mark=mark)
    run_deadlines(today=D(2024, 2, 6))
    return college


CHOICE_ADD = reverse("admin:exams_tolerancechoice_add")


def test_a_tolerance_choice_outside_its_window_is_refused(admin_client, published):
    before = snapshot()
    response = admin_client.post(CHOICE_ADD, {"isp_line": published.lines["NUM2"].pk, "on": "2024-02-25"})
    assert response.status_code == 200
    assert "The 15 calendar days after the publication have passed (Art. 91 §2)." in errors(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("code", "message"),
    [("NUM1", "This course is passed"), ("NR1", "Only a tolerable fail (8 or 9 in a tolerable course)")],
)
def test_a_tolerance_choice_for_a_course_that_cannot_be_tolerated_is_refused(admin_client, published, code, message):
    response = admin_client.post(CHOICE_ADD, {"isp_line": published.lines[code].pk, "on": "2024-02-10"})
    assert message in errors(response)
    assert not ToleranceChoice.objects.exists()


def test_a_tolerance_choice_in_time_is_applied_at_once(admin_client, published):
    with time_machine.travel(datetime.datetime(2024, 2, 12, 10, 0), tick=False):
        response = admin_client.post(CHOICE_ADD, {"isp_line": published.lines["NUM2"].pk, "on": "2024-02-10"})
    assert response.status_code == 302
    choice = ToleranceChoice.objects.get()
    assert choice.processed and not choice.refusal
    line = ISPLine.objects.get(pk=published.lines["NUM2"].pk)
    assert (line.tolerated_on, line.tolerance_kind) == (D(2024, 2, 10), "chosen")
    # a recorded choice is a fact: its page is read-only
    page = admin_client.get(reverse("admin:exams_tolerancechoice_change", args=[choice.pk]))
    assert {"isp_line", "on"} <= set(page.context["adminform"].readonly_fields)


OBJECTION_ADD = reverse("admin:exams_toleranceobjection_add")


def test_a_tolerance_objection_recorded_in_the_admin_is_processed_at_once(
    admin_client, published, django_capture_on_commit_callbacks
):
    line = published.lines["NUM2"]
    ISPLine.objects.filter(pk=line.pk).update(tolerated_on=D(2024, 2, 6), tolerance_kind="automatic")
    with (
        time_machine.travel(datetime.datetime(2024, 2, 9, 10, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = admin_client.post(OBJECTION_ADD, {"isp_line": line.pk, "on": "2024-02-08"})
    assert response.status_code == 302
    objection = ToleranceObjection.objects.get()
    assert (objection.processed, objection.refusal) == (True, "")
    line.refresh_from_db()
    assert (line.tolerated_on, line.tolerance_kind) == (None, "")
    # a recorded objection is a fact: its page is read-only
    page = admin_client.get(reverse("admin:exams_toleranceobjection_change", args=[objection.pk]))
    assert {"isp_line", "on"} <= set(page.context["adminform"].readonly_fields)


def test_a_tolerance_objection_the_rules_refuse_is_processed_with_its_refusal(
    admin_client, published, django_capture_on_commit_callbacks
):
    with (
        time_machine.travel(datetime.datetime(2024, 2, 9, 10, 0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        admin_client.post(OBJECTION_ADD, {"isp_line": published.lines["NUM2"].pk, "on": "2024-02-08"})
    objection = ToleranceObjection.objects.get()
    assert objection.processed
    assert objection.refusal == "Only a tolerance applied automatically can be objected to (Art. 91 §3)."


# --- The enrolment's page -------------------------------------------------------------------------


def test_the_enrolment_page_shows_marks_tolerance_and_programme_result(admin_client, published):
    college = published
    with time_machine.travel(datetime.datetime(2024, 2, 12, 10, 0), tick=False):
        admin_client.post(CHOICE_ADD, {"isp_line": college.lines["NUM2"].pk, "on": "2024-02-10"})
    ProgrammeResult.objects.create(
        student=college.student,
        programme=college.programme,
        academic_year=college.year,
        passed_on=D(2024, 7, 2),
        percentage="72.5000",
        level="cum_laude",
    )
    response = admin_client.get(reverse("admin:students_enrolment_change", args=[college.enrolment.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Results, tolerance and programme result" in content
    assert "50.00 % (9 of 18 credits with a credit certificate)" in content
    assert "12 credits, 6 used, 6 left" in content  # a starter's cap of 12 (Art. 91 §1)
    assert "passed on" in content and "72.50 %" in content and "cum laude" in content
    assert "1: 9 (exam period 1)" in content
    assert "chosen by the student, " in content

    lines = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is ISPLine)
    shown = {
        field.field["name"]: field.contents()
        for inline_form in lines
        if inline_form.original is not None and inline_form.original.pk == college.lines["NUM1"].pk
        for fieldset in inline_form
        for line in fieldset
        for field in line
        if field.is_readonly
    }
    assert shown["mark"] == "14"
    assert shown["outcome"] == "passed"
    assert shown["certified_on"] not in ("", "-")


def test_the_enrolment_page_without_results(admin_client, college, django_assert_max_num_queries):
    response = admin_client.get(reverse("admin:students_enrolment_change", args=[college.enrolment.pk]))
    content = response.content.decode()
    assert "0.00 % (0 of 18 credits with a credit certificate)" in content
    assert "12 credits, 0 used, 12 left" in content
    assert "not passed (yet)" in content


def test_programme_results_and_measures_are_read_only_in_the_admin(admin_client):
    """Both are decided by the services (publication, year end, new decisions); lifting a
    refusal goes through the refusal-lifting register, which readmits the enrolments."""
    from django.urls import reverse

    for name in ("admin:exams_programmeresult_add", "admin:students_measure_add"):
        assert admin_client.get(reverse(name)).status_code == 403
