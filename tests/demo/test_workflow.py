"""The demo's ISP workflow (issue 13 point 7): most ISPs submitted and approved in time, a few
late with the reason and who allowed it, dated history; on the demo's today (2 December
2026, after the approval deadline) a few ISPs wait for the coach, who can approve them on
the late route; the ISPs of a year that ended are read-only."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from programmes.facts import year_calendar
from students import rules
from students.models import Enrolment

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
TODAY = datetime.date(2026, 12, 2)


@pytest.fixture
def demo(time_machine):
    time_machine.move_to(datetime.datetime(2026, 12, 2, 10, 0), tick=False)
    out = io.StringIO()
    call_command("load_demo", "--students", "80", "--today", TODAY.isoformat(), stdout=out)
    return out.getvalue()


def test_the_demo_follows_the_isp_workflow(demo, client):
    assert "ISPs:" in demo
    enrolments = list(
        Enrolment.objects.exclude(status="refused").select_related(
            "academic_year", "isp_approved_by", "isp_approved_late_allowed_by", "isp_submitted_late_allowed_by"
        )
    )
    approved = [e for e in enrolments if e.isp_status == "approved"]
    # Most ISPs are approved; a few are late, each with its reason and who allowed it.
    assert len(approved) >= 0.85 * len(enrolments)
    late = [e for e in enrolments if e.isp_submitted_late_reason or e.isp_approved_late_reason]
    assert 0 < len(late) <= 0.2 * len(enrolments)
    for e in late:
        if e.isp_submitted_late_reason:
            assert e.isp_submitted_late_allowed_by is not None
        if e.isp_approved_late_reason:
            assert e.isp_approved_late_allowed_by == e.isp_approved_by
    # Every step lies before today and after the enrolment; an in-time step meets its deadline.
    for e in enrolments:
        cal = year_calendar(e.academic_year)
        if e.isp_submitted_on:
            assert e.enrolled_on <= e.isp_submitted_on < TODAY
            in_time = e.isp_submitted_on <= rules.submission_deadline(enrolled_on=e.enrolled_on, calendar=cal)
            assert in_time == (not e.isp_submitted_late_reason), e
        if e.isp_status == "approved":
            assert e.isp_submitted_on <= e.isp_approved_on < TODAY
            assert e.isp_approved_by is not None
    # Every ISP of the years that ended was submitted, and approved unless deregistered first.
    for e in enrolments:
        if e.academic_year.ends_on < TODAY and e.status == "enrolled":
            assert e.isp_status == "approved", e
    # The history holds each step on its day, with who did it.
    sample = next(e for e in approved if not e.isp_submitted_late_reason)
    steps = {h.history_change_reason: h for h in sample.history.all()}
    assert steps["ISP submitted"].history_date.date() == sample.isp_submitted_on
    assert steps["ISP submitted"].history_user is None  # the student, outside this application
    approval = steps.get("ISP approved") or steps["ISP approved late: " + sample.isp_approved_late_reason]
    assert approval.history_user == sample.isp_approved_by

    # The coach has work on today: ISPs of the current year that wait, beyond the approval deadline.
    waiting = [
        e
        for e in enrolments
        if e.academic_year.starts_on <= TODAY <= e.academic_year.ends_on
        and e.status == "enrolled"
        and e.isp_status != "approved"
        and e.programme.code in ("BA-NURS", "BANABA-EMC", "GR-ACC")
    ]
    assert len(waiting) >= 4
    assert client.login(username="coach", password="demo")
    submitted = next(e for e in waiting if e.isp_status == "submitted")
    page = client.get(reverse("students:isp_editor", kwargs={"pk": submitted.pk})).content.decode()
    assert "Approve late" in page and 'data-state="missed"' in page
    response = client.post(
        reverse("students:isp_approve", kwargs={"pk": submitted.pk}),
        {"version": submitted.version, "late_reason": "Opleiding besliste op 2 december."},
    )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert (submitted.isp_status, submitted.isp_approved_on) == ("approved", TODAY)

    # A year that ended: read-only, and the student page offers no "Edit the ISP" for it.
    closed = next(e for e in approved if e.academic_year.ends_on < TODAY and e.programme.code == "BA-NURS")
    page = client.get(reverse("students:isp_editor", kwargs={"pk": closed.pk})).content.decode()
    assert 'id="read-only"' in page and 'id="approve-form"' not in page and "Add…" not in page
    student = client.get(reverse("students:student_detail", kwargs={"number": closed.student.number}))
    assert "View the ISP" in student.content.decode()
