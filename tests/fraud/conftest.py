"""A small fraud world on top of the committee world (tests/support/worlds.py, ``CommitteeWorld``).

Course E1 of BA-E is examined in January 2024 on 15 January at 9:00 (an exam moment); student S1
(s0000001) is reported by the examiner Eva Examiner that day. January's results are published on
6 February 2024 (the calendar's day); nothing is published unless a test runs the timeline.
"""

import datetime

import pytest

from reschedules.models import ExamMoment

D = datetime.date


class FraudWorld:
    pass


@pytest.fixture
def fraud(committee_world, settings, tmp_path):
    settings.FRAUD_EVIDENCE_ROOT = str(tmp_path / "evidence")
    settings.FRAUD_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    settings.FRAUD_EVIDENCE_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "docx", "txt", "zip"]
    w = committee_world
    world = FraudWorld()
    world.__dict__.update(w.__dict__)
    world.evidence_root = tmp_path / "evidence"
    world.e1, world.e2 = w.courses["E1"], w.courses["E2"]
    world.s1 = w.students[0]
    world.moment = ExamMoment.objects.create(
        course=world.e1, exam_period=w.january, on=D(2024, 1, 15), starts_at=datetime.time(9, 0), room="B.204"
    )
    return world


@pytest.fixture
def open_file(fraud):
    """``open_file(kind="fraud", **overrides)``: S1's file on E1 at the January exam moment,
    reported on 15 January 2024 by Eva Examiner."""
    from fraud import services

    def opener(kind="fraud", **overrides):
        fields = {
            "kind": kind,
            "student": fraud.s1,
            "course": fraud.e1,
            "exam_period": fraud.january,
            "exam_moment": fraud.moment,
            "reported_on": D(2024, 1, 15),
            "reported_by": "Eva Examiner",
            "what_happened": "A smartphone with the course notes under the exam sheet.",
        }
        fields.update(overrides)
        return services.fraud_file_open(**fields)

    return opener


@pytest.fixture
def heard(fraud):
    """``heard(fraud_file)``: the examiner heard on 17 January, the student on 18 January by the
    chair with the ombudsperson Olga present."""
    from fraud import services

    def hear(fraud_file):
        services.hearing_record(fraud_file=fraud_file, kind="examiner", held_on=D(2024, 1, 17), heard_by="Cato Chair")
        services.hearing_record(
            fraud_file=fraud_file,
            kind="student",
            held_on=D(2024, 1, 18),
            heard_by="Cato Chair",
            ombudsperson="Olga Ombuds",
        )
        return fraud_file

    return hear
