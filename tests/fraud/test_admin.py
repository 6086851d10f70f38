"""The fraud files in the admin: read-only, with history, searchable by student number."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse

from fraud import services

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def decided(fraud, open_file, heard):
    fraud_file = heard(open_file())
    services.evidence_add(fraud_file=fraud_file, upload=ContentFile(b"%PDF-1.7\n", name="sheet.pdf"))
    other = open_file(student=fraud.students[1], what_happened="Talking during the exam.")
    decision = services.decision_record(
        fraud_file=fraud_file,
        sanctions=["programme_exclusion"],
        reason="Earpiece.",
        judged_gross=True,
        decided_on=D(2024, 1, 25),
    )
    services.advice_record(
        decision=decision,
        council_advice_requested_at=datetime.datetime(2024, 1, 26, 10, 0, tzinfo=ZoneInfo("Europe/Brussels")),
    )
    return fraud_file, other, decision


def test_the_files_are_found_by_student_number(client, fraud, decided, django_assert_max_num_queries):
    client.force_login(fraud.admin)
    url = reverse("admin:fraud_fraudfile_changelist")
    with django_assert_max_num_queries(12):
        page = client.get(url, {"q": "s0000002"})
    assert page.status_code == 200
    assert list(page.context["cl"].result_list) == [decided[1]]
    assert "Not decided yet" in page.text or "not decided yet" in page.text


def test_a_file_shows_its_evidence_hearings_and_decision_read_only(client, fraud, decided):
    client.force_login(fraud.admin)
    page = client.get(reverse("admin:fraud_fraudfile_change", args=[decided[0].pk]))
    assert page.status_code == 200
    text = page.text
    assert "sheet.pdf" in text
    assert "examiner and student heard (Art. 74, 84)" in text
    assert "awaiting ratification" in text.lower()
    assert 'name="_save"' not in text  # written through the services only
    assert client.get(reverse("admin:fraud_fraudfile_add")).status_code == 403


def test_a_decision_shows_when_the_48_hours_end(client, fraud, decided):
    client.force_login(fraud.admin)
    with time_machine.travel(datetime.datetime(2024, 1, 28, 10, 0, tzinfo=ZoneInfo("Europe/Brussels")), tick=False):
        page = client.get(reverse("admin:fraud_frauddecision_change", args=[decided[2].pk]))
    assert page.status_code == 200
    assert "6°" in page.text
    assert "requested, within the 48 hours" in page.text
    assert "28/01/2024 10:00" in page.text  # requested 26 January 10:00, + 48 hours
    assert "may be disregarded" not in page.text


def test_after_the_48_hours_the_decision_says_the_advice_may_be_disregarded(client, fraud, decided):
    client.force_login(fraud.admin)
    with time_machine.travel(datetime.datetime(2024, 1, 28, 10, 1, tzinfo=ZoneInfo("Europe/Brussels")), tick=False):
        page = client.get(reverse("admin:fraud_frauddecision_change", args=[decided[2].pk]))
    assert "not given within 48 hours: may be disregarded (Art. 85 §2)" in page.text


def test_the_history_of_a_file_names_the_reason(client, fraud, decided):
    client.force_login(fraud.admin)
    page = client.get(reverse("admin:fraud_fraudfile_history", args=[decided[0].pk]))
    assert page.status_code == 200
    assert "fraud file opened" in page.text
