"""Change histories in the reader's language (issue 13, point 4): a change reason is stored
in English and shown through the catalogue; a changed choice shows its label and a changed
field its verbose name."""

import pytest
from django.utils import translation

from appeals.models import Outcome
from appeals.services.appeals import DECIDED
from core.audit import audited_save
from core.history import history_rows, reason_text, stored_reason
from students.models import Enrolment
from tests.core.pseudo import CLOSE, OPEN, pseudo_locale
from tests.support.factories import EnrolmentFactory


def test_a_reason_is_stored_in_english_whatever_the_writers_language():
    with translation.override("nl"):
        assert stored_reason(DECIDED, outcome=Outcome.NEW_DECISION.label) == "Decided: new decision"


def test_a_stored_reason_is_shown_through_the_catalogue_with_its_values():
    with translation.override("nl"):
        assert reason_text("Appeal registered") == "Beroep geregistreerd"
        # A registered message with a value: the value (a choice label) is translated too.
        assert reason_text("Decided: new decision") == "Beslist: nieuwe beslissing"
    with translation.override("en"):
        assert reason_text("Decided: new decision") == "Decided: new decision"


def test_text_a_person_typed_is_shown_as_it_is():
    with translation.override("nl"):
        assert reason_text("Trajectgesprek uitgesteld") == "Trajectgesprek uitgesteld"
    assert reason_text("") == ""


@pytest.mark.django_db
def test_a_changed_choice_shows_its_label_and_the_field_its_name():
    enrolment = EnrolmentFactory()
    enrolment.status = "deregistered"
    audited_save(enrolment, by=None, reason="ISP submitted")
    with pseudo_locale():
        rows = history_rows(Enrolment.history.filter(id=enrolment.pk), fields=("status",))
        (name, old, new), *_rest = rows[-1]["changes"]
        assert (str(name), str(old), str(new)) == (
            f"{OPEN}status{CLOSE}",
            f"{OPEN}enrolled{CLOSE}",
            f"{OPEN}deregistered{CLOSE}",
        )
        assert rows[-1]["what"] == f"{OPEN}ISP submitted{CLOSE}"
