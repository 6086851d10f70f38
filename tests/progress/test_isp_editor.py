"""The ISP editor of issue 13: the workflow shown as what happened apart from its deadlines,
the late route, the closed year, the preview's plain effect (learning account, credits
without learning account, tuition fee), blocked courses and a failed derogation.

The coach world (tests.support.worlds): BA-A 2026-2027, enrolled on 15 September 2026, five
lines of 6 credits (30), balance 140 - 30 = 110, grant status none; today 23 November 2026.
The fee schedule of 2023-2024 applies (fees migration): 282.10 fixed + 13.50 a credit, and
13.50 a credit without learning account."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation

from progress import services
from students import rules
from students.models import Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def coach_client(client, coach_world, on_coach_day):
    client.force_login(coach_world.coach)
    return client


def editor(client, world):
    return client.get(reverse("students:isp_editor", kwargs={"pk": world.enrolment.pk}))


def preview(client, world, code):
    data = {"action": "add", "course": world.courses[code].pk, "version": 1}
    return client.post(reverse("students:isp_change", kwargs={"pk": world.enrolment.pk}), data)


def text(response):
    """The page's text without tags, with runs of white space as one space."""
    html = re.sub(r"</?(span|abbr|strong)\b[^>]*>", "", response.content.decode())  # inline: no space
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- Point 9: the preview says the effect plainly, with the tuition fee ---------------------
def test_the_preview_writes_the_effect_plainly_with_the_tuition_fee(coach_client, coach_world):
    page = text(preview(coach_client, coach_world, "A201"))
    # A201: 6 credits; 110 - 6 = 104. Fee: 282.10 + 30 x 13.50 = 687.10 -> 282.10 + 36 x 13.50 = 768.10.
    assert "6 credits are deducted from the learning account on" in page
    assert "the balance goes from 110 to 104 credits." in page
    assert "-6" not in page
    assert "charged -" not in page
    assert (
        "The tuition fee for 2026-2027 goes from € 687.10 to € 768.10 (+€ 81.00), charged once the ISP is approved."
        in (page)
    )
    assert "Credits without learning account" not in page.split("What this change does")[1].split("ISP status")[1]


def test_the_preview_names_the_credits_without_learning_account_and_their_fee(coach_client, coach_world):
    # A balance of 32 before the enrolment: 30 taken leave 2; A201 takes 6, 4 of them without it.
    Enrolment.objects.filter(pk=coach_world.enrolment.pk).update(balance_at_enrolment=32)
    page = text(preview(coach_client, coach_world, "A201"))
    assert "Credits without learning account (charged at the increased tuition fee) go from 0 to 4." in page
    # 768.10 + 4 x 13.50 = 822.10; the change 822.10 - 687.10 = 135.00.
    assert "goes from € 687.10 to € 822.10 (+€ 135.00)" in page


def test_removing_a_line_gives_credits_back_and_lowers_the_fee(coach_client, coach_world):
    line = services.isp_line_add(
        enrolment=coach_world.enrolment, course=coach_world.courses["A203"], expected_version=1, by=coach_world.coach
    )
    data = {"action": "remove", "line": line.pk, "version": 2}
    page = text(coach_client.post(reverse("students:isp_change", kwargs={"pk": coach_world.enrolment.pk}), data))
    # A203 (5 credits) before the second-semester lock: 105 -> 110;
    # fee 282.10 + 35 x 13.50 = 754.60 -> 282.10 + 30 x 13.50 = 687.10, 67.50 less.
    assert "5 credits come back to the learning account on" in page
    assert "the balance goes from 105 to 110 credits." in page
    assert "goes from € 754.60 to € 687.10 (−€ 67.50)" in page


def test_after_the_first_semester_lock_the_fee_is_charged_without_waiting_for_the_approval(client, coach_world):
    # 2 December: the draft ISP is final at the lock (fees: charged from then on).
    with time_machine.travel(datetime.datetime(2026, 12, 2, 10, 0), tick=False):
        client.force_login(coach_world.coach)
        page = text(preview(client, coach_world, "A203"))
    # A203: 5 credits of the second semester: 687.10 + 5 x 13.50 = 754.60.
    assert "The tuition fee for 2026-2027 goes from € 687.10 to € 754.60 (+€ 67.50)." in page
    assert "charged once the ISP is approved" not in page


# --- Point 10: a blocked course cannot be clicked and says why, SQ/SSQ explained -------------
def course_item(html, code):
    """The catalogue's item of ``code``, up to the next course or the end of the list."""
    item = html.split(f'id="course-{code}"')[1]
    return re.split(r'id="course-|id="catalogue-list-end"|</ul>\s*</section>', item)[0]


def test_a_blocked_course_has_a_disabled_add_button_with_its_reason_next_to_it(coach_client, coach_world):
    html = editor(coach_client, coach_world).content.decode()
    row = course_item(html, "A202")
    assert re.search(r'<button type="button"[^>]*disabled[^>]*aria-describedby="why-A202"', row)
    assert 'type="submit"' not in row
    assert "<details" not in row  # the reason is visible, not folded away
    assert "A202 requires A103 to have been passed earlier (SSQ)" in row
    addable = course_item(html, "A203")
    assert re.search(r'<button type="submit"[^>]*>\s*Add…', addable)
    assert "disabled" not in addable


def test_sq_and_ssq_are_explained(coach_client, coach_world):
    page = text(editor(coach_client, coach_world))
    assert "SQ sequentiality (volgtijdelijkheid): the required course was in an earlier ISP or is in this one" in page
    assert "SSQ strict sequentiality (strikte volgtijdelijkheid): the required course was passed" in page
    html = editor(coach_client, coach_world).content.decode()
    # each course names its prerequisites: A202 needs A103 strictly
    assert '<abbr title="strict sequentiality">SSQ</abbr> A103' in course_item(html, "A202")


def test_a_failed_derogation_shows_the_error_at_the_top_and_focuses_the_field(coach_client, coach_world):
    url = reverse("students:isp_derogation", kwargs={"pk": coach_world.enrolment.pk})
    response = coach_client.post(url, {"kind": "fewer_credits", "ground": "work_route", "version": 1})
    html = response.content.decode()
    assert response.status_code == 422
    top = html.split('<div class="row g-3">')[0]
    assert 'id="form-errors"' in top
    assert "A credit derogation states the number of credits allowed." in top
    assert 'href="#derogation-form"' in top
    assert re.search(r'<input[^>]*name="credits"[^>]*autofocus|<input[^>]*autofocus[^>]*name="credits"', html)
    assert re.search(r'<details open\s+id="derogation-form"', html)


# --- Points 7 and 8: the workflow, its deadlines and the late route -------------------------
def test_the_workflow_shows_what_happened_apart_from_the_deadlines(coach_client, coach_world):
    html = editor(coach_client, coach_world).content.decode()
    submission = text_of(html, "step-submission")
    approval = text_of(html, "step-approval")
    # 23 November: never submitted and the 15 October deadline passed; approval due before 1 December.
    assert "Not submitted." in submission and 'data-state="missed"' in submission
    assert "✓" not in html
    assert "Not approved." in approval and 'data-state="upcoming"' in approval
    # The late route is offered, with its reason field, and says why.
    assert "The submission deadline" in html and 'name="late_reason"' in html
    assert "Submit late" in html


def text_of(html, element_id):
    return html.split(f'id="{element_id}"')[1].split("</div>\n        {% endwith %}")[0][:2500]


def test_a_late_submission_and_approval_show_on_the_page(coach_client, coach_world):
    enrolment = coach_world.enrolment
    services.isp_submit(enrolment=enrolment, expected_version=1, by=coach_world.coach, late_reason="ill in October")
    with time_machine.travel(datetime.datetime(2026, 12, 2, 10, 0), tick=False):
        page = text(editor(coach_client, coach_world))
        assert "Approve late" in page and "Reason for the late approval" in page
        services.isp_approve(
            enrolment=enrolment, expected_version=2, by=coach_world.coach, late_reason="cluster met late"
        )
        page = text(editor(coach_client, coach_world))
    assert "Submitted on 23/11/2026 by Katrien De Wilde." in page or "Submitted on" in page
    assert "Submitted late: ill in October (allowed by Katrien De Wilde)." in page
    assert "Approved late: cluster met late (allowed by Katrien De Wilde)." in page
    assert "Approve late" not in page and "Submit late" not in page


def test_the_approve_button_disabled_says_why_in_visible_text(coach_client, coach_world):
    """A draft before its submission deadline cannot be approved yet: the reason shows beside it."""
    with time_machine.travel(datetime.datetime(2026, 10, 1, 10, 0), tick=False):
        html = editor(coach_client, coach_world).content.decode()
    form = html.split('id="approve-form"')[1].split("</form>")[0]
    assert re.search(r"<button[^>]*disabled[^>]*>\s*Approve", form)
    assert 'id="approve-why"' in form
    assert "The student can still submit the ISP until" in form


def test_a_late_approval_without_a_reason_shows_the_error_at_the_top_and_focuses_the_reason(coach_client, coach_world):
    services.isp_submit(enrolment=coach_world.enrolment, expected_version=1, by=coach_world.coach, late_reason="x")
    with time_machine.travel(datetime.datetime(2026, 12, 2, 10, 0), tick=False):
        response = coach_client.post(
            reverse("students:isp_approve", kwargs={"pk": coach_world.enrolment.pk}), {"version": 2}
        )
    html = response.content.decode()
    assert response.status_code == 422
    assert "State why this step is taken after its deadline" in html.split('<div class="row g-3">')[0]
    assert re.search(r'id="id_approve_late_reason"[^>]*autofocus', html)
    assert Enrolment.objects.get(pk=coach_world.enrolment.pk).isp_status == "submitted"


def test_an_isp_of_a_closed_year_is_read_only(client, coach_world):
    after = coach_world.year.ends_on + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(after, datetime.time(10)), tick=False):
        client.force_login(coach_world.coach)
        html = editor(client, coach_world).content.decode()
        student = client.get(reverse("students:student_detail", kwargs={"number": coach_world.student.number}))
    assert 'id="read-only"' in html
    assert "this ISP is read-only" in html
    for action in ("Add…", "Remove…", "Exempt…", 'id="submit-form"', 'id="approve-form"', "Record a derogation"):
        assert action not in html, action
    page = student.content.decode()
    assert "Edit the ISP" not in page
    assert "View the ISP" in page


# --- The "(passed)/(tolerated)/(exempted)" label is translated -------------------------------
def test_how_a_course_was_obtained_is_translated():
    problem = rules._problem("already_credited", course="A101", how=rules.OBTAINED_LABELS["passed"])
    assert "(passed)" in problem.message
    with translation.override("nl"):
        assert "(geslaagd)" in problem.message


# --- Rules of the late route and the deadline states ----------------------------------------
D = datetime.date


@pytest.mark.parametrize(
    ("inclusive", "done_on", "today", "state"),
    [
        (True, D(2026, 10, 15), D(2026, 12, 2), "met"),  # submitted on the day itself
        (True, D(2026, 10, 16), D(2026, 12, 2), "missed"),  # submitted late
        (True, None, D(2026, 10, 15), "upcoming"),
        (True, None, D(2026, 10, 16), "missed"),
        (False, D(2026, 11, 30), D(2026, 12, 2), "met"),  # approved before 1 December
        (False, D(2026, 12, 1), D(2026, 12, 2), "missed"),  # "before": the day itself is late
        (False, None, D(2026, 11, 30), "upcoming"),
        (False, None, D(2026, 12, 1), "missed"),
    ],
)
def test_deadline_states(inclusive, done_on, today, state):
    deadline = rules.Deadline("x", D(2026, 10, 15) if inclusive else D(2026, 12, 1), inclusive)
    assert rules.deadline_state(deadline, today=today, done_on=done_on, action=True) == state


def test_calendar_dates_are_passed_or_ahead():
    lock = rules.Deadline("first_semester_lock", D(2026, 12, 1), False)
    assert rules.deadline_state(lock, today=D(2026, 11, 30), done_on=None, action=False) == "upcoming"
    assert rules.deadline_state(lock, today=D(2026, 12, 1), done_on=None, action=False) == "passed"
