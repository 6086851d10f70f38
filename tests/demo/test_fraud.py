"""The demo's fraud files (issue 16 point 8): a plagiarism sanctioned with 3° and carried out by
the timeline before the publication, and a gross irregularity with 6° + 7° waiting for the fraud
authority, the Student Council chair's 48 hours passed.

The demo is loaded once, as ``make demo`` does (300 students), on its today: 2 December 2026.
"""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from exams.models import Result
from fraud import services
from fraud.models import DecisionStatus, FraudFile
from students.models import ISPLine, Measure

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
D = datetime.date
TODAY = D(2026, 12, 2)


@pytest.fixture
def demo(time_machine, settings, tmp_path):
    settings.FRAUD_EVIDENCE_ROOT = str(tmp_path / "evidence")
    time_machine.move_to(datetime.datetime(2026, 12, 2, 10, 0), tick=False)
    out = io.StringIO()
    call_command("load_demo", "--today", TODAY.isoformat(), stdout=out)
    return out.getvalue()


def test_the_demo_fraud_files(demo):
    assert "2 fraud files" in " ".join(demo.split())
    assert "examiner" in demo and "fraudauthority" in demo
    files = {f.kind: f for f in FraudFile.objects.select_related("student", "course", "exam_period__academic_year")}
    assert set(files) == {"plagiarism", "fraud"}

    # --- Plagiarism, 3°: January 2026 (published 3 February; the exams end 30 January) --------
    plagiarism = files["plagiarism"]
    assert (plagiarism.exam_period.academic_year.code, plagiarism.exam_period.number) == ("2025-2026", 1)
    assert (plagiarism.student.number, plagiarism.course.code) == ("r0806485", "NUR201")
    assert plagiarism.reported_on == D(2026, 1, 27)  # three days before the end
    assert plagiarism.reported_by_user.username == "examiner"
    assert [e.name for e in plagiarism.evidence.all()] == ["similarity-report.txt"]
    assert plagiarism.investigation.weighed()  # the four factors of Art. 85
    assert [h.kind for h in plagiarism.hearings.all()] == ["examiner", "student"]
    decision = plagiarism.decisions.get()
    assert decision.sanctions == ["zero_exam"] and decision.status == DecisionStatus.FINAL
    assert decision.decided_on == D(2026, 2, 2)  # the deliberation's day, before the publication
    result = Result.objects.get(
        isp_line__enrolment__student=plagiarism.student,
        isp_line__course=plagiarism.course,
        exam_period=plagiarism.exam_period,
    )
    assert result.score == 0
    line = ISPLine.objects.get(pk=result.isp_line_id)
    assert line.mark == "0" and line.certified_on is None  # no credit certificate (Art. 76-77)
    assert result.history.count() >= 2  # the examiner's mark is kept in the history

    # --- A gross irregularity, 6° + 7°, waiting for the fraud authority -----------------------
    gross = files["fraud"]
    assert (gross.exam_period.academic_year.code, gross.exam_period.number) == ("2026-2027", 1)
    assert gross.student_id != plagiarism.student_id
    assert gross.reported_on == D(2026, 11, 17)
    decision = gross.decisions.get()
    assert decision.sanctions == ["programme_exclusion", "enrolment_ban"] and decision.ban_years == 1
    assert decision.status == DecisionStatus.AWAITING_RATIFICATION
    assert decision.decided_on == D(2026, 11, 26)
    ratification = decision.ratification
    assert ratification.ombudsperson_advice and not ratification.council_advice
    assert timezone.localtime(ratification.council_advice_requested_at).replace(tzinfo=None) == datetime.datetime(
        2026, 11, 27, 9, 0
    )
    # Asked on 27 November at 9:00: the 48 hours ended on 29 November at 9:00.
    assert services.council_advice_may_be_disregarded(ratification)
    # Not ratified yet: no measure refuses the student's enrolment.
    assert not Measure.objects.filter(student=gross.student, kind__startswith="fraud").exists()
