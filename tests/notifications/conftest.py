"""The outbox's world: a college live since 1 January 2024 (``NOTIFICATIONS_GO_LIVE``), sending
from the student administration, three attempts at most with a back-off of 1, 2, 4 ... seconds
capped at 4."""

import datetime

import pytest

from tests.exams.conftest import college  # noqa: F401 - the results world of tests/exams
from tests.support.factories import StudentFactory

D = datetime.date
GO_LIVE = D(2024, 1, 1)
DECIDED_ON = D(2024, 2, 1)


@pytest.fixture(autouse=True)
def live(settings):
    settings.NOTIFICATIONS_GO_LIVE = GO_LIVE
    settings.NOTIFICATIONS_HOLD = False
    settings.NOTIFICATIONS_FROM = "Studentenadministratie <studentenadministratie@college.example>"
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_RETRY_SECONDS = 1
    settings.NOTIFICATIONS_RETRY_CAP = 4
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def student(db):
    return StudentFactory(number="r0200001", first_name="An", last_name="Peeters", email="an.peeters@student.example")


@pytest.fixture
def announce():
    """``announce(student_ids, decided_on=..., **data)``: a fraud sanction told (kind fraud_sanction)."""
    from core import events

    def announcer(student_ids, decided_on=DECIDED_ON, **data):
        values = {
            "course": "E1 Ethics",
            "exam_period": 1,
            "academic_year": "2023-2024",
            "sanctions": ["zero_exam"],
            "annulment": False,
            "decided_on": decided_on,
        }
        values.update(data)
        return events.decision_announce(
            sender="tests",
            kind="fraud_sanction",
            decided_on=decided_on,
            object_label="fraud.FraudDecision",
            object_id=None,
            student_ids=student_ids,
            data=values,
        )

    return announcer
