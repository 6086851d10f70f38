"""A binding-conditions refusal (Art. 29) taken at the year end, shown in the study progress
file, and lifted by the refusal-lifting committee (Art. 34), on the worked case
tests/cases/binding-conditions-refusal-next-year."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from appeals import services
from students.models import Enrolment, EnrolmentStatus, Measure, MeasureKind
from tests.support import personas
from tests.support.examples import replay
from tests.support.paths import OWN_CASES
from tests.support.worlds import on

D = dt.date
CASE = OWN_CASES / "binding-conditions-refusal-next-year.records.json"


@pytest.fixture
def bound(db):
    replay(CASE, "2025-10-01")
    return Measure.objects.get(student__number="S2901", kind=MeasureKind.BINDING_CONDITIONS_REFUSAL)


def test_the_study_progress_text_shows_the_refusal(bound):
    out = io.StringIO()
    call_command("study_progress", "S2901", stdout=out)
    assert "refusal of enrolment: binding conditions not met (Art. 29): GRAD-ICT" in out.getvalue()


def test_the_committee_lifts_a_binding_conditions_refusal_and_readmits(bound):
    refused = Enrolment.objects.get(student__number="S2901", academic_year__code="2025-2026")
    assert refused.status == EnrolmentStatus.REFUSED
    office = personas.make_user("office", password=None, email="office@college.example")
    with on(D(2025, 10, 10)):
        request = services.refusal_lifting_request_register(
            measure=bound, submitted_on=D(2025, 10, 10), grounds="Long illness in the second year.", by=office
        )
    assert (request.status, request.academic_year_code) == ("pending", "2025-2026")
    with on(D(2025, 10, 20)):
        decided = services.refusal_lifting_decide(
            request=request, granted=True, on=D(2025, 10, 20), reason="Exceptional circumstances.", by=office
        )
    assert (decided.status, decided.tolerated_courses) == ("granted", "")
    bound.refresh_from_db()
    assert bound.lifted_on == D(2025, 10, 20)
    refused.refresh_from_db()
    assert refused.status == EnrolmentStatus.ENROLLED
