"""A final decision set aside on appeal (Art. 101 g): what carrying it out changed is undone
through the same services (``fraud.effects.decision_reverse``), for every sanction.

World (tests/fraud/conftest.py): S1's January marks E1 4, E2 12, E3 13 (published on 6 February
2024). The committee decides on 1 February (an exclusion ratified on 2 February); the sanction is
carried out then, before the publication; the appeal sets it aside on 5 February, still before the
publication: the examiner's marks come back with their history, and the publication reads them as
if no sanction had been taken (E2 and E3 certified: 122 + 2 × 12 = 146 credits).
"""

import datetime

import pytest

from core.timeline import run_deadlines
from exams.models import Result
from fraud import effects
from fraud.appeals import decision_set_aside
from students.ledger import balances
from students.models import Enrolment, ISPLine, Measure
from tests.fraud.test_effects import _decide, _results
from tests.support.factories import CourseFactory, ISPLineFactory
from tests.support.worlds import on

pytestmark = pytest.mark.django_db

D = datetime.date
SET_ASIDE_ON = D(2024, 2, 5)
REASON = "set aside on appeal BE-2024-009 (Art. 101 g)"


def _run(day):
    with on(day):
        run_deadlines(today=day)


def _marks(w):
    return {
        line.course.code: (line.mark, line.certified_on)
        for line in ISPLine.objects.filter(enrolment__student=w.s1).select_related("course")
    }


@pytest.mark.parametrize(
    "sanctions, details, sanctioned",
    [
        (["appropriate_mark"], {"new_mark": 11}, {"E1": 11}),
        (["zero_exam"], {}, {"E1": 0}),
        (["zero_period"], {"zeroed_results": lambda w: _results(w, "E1", "E2")}, {"E1": 0, "E2": 0}),
        (["course_exclusion"], {"courses": lambda w: [w.e1, w.courses["E3"]]}, {"E1": 0, "E3": 0}),
        (["programme_exclusion"], {"judged_gross": True}, {"E1": 0, "E2": 0, "E3": 0}),
        (["not_validly_taken"], {}, {"E1": None}),
    ],
    ids=["2°", "3°", "4°", "5°", "6°", "1°"],
)
def test_every_sanction_is_undone_when_set_aside(fraud, open_file, heard, sanctions, details, sanctioned):
    w = fraud
    details = {k: v(w) if callable(v) else v for k, v in details.items()}
    decision = _decide(heard(open_file()), sanctions, **details)
    _run(D(2024, 2, 2))
    decision.refresh_from_db()
    scores = {r.isp_line.course.code: r.score for r in Result.objects.filter(isp_line__enrolment__student=w.s1)}
    assert scores == {"E1": 4, "E2": 12, "E3": 13} | sanctioned
    assert {entry["result"] for entry in decision.replaced} == {
        r.pk for r in Result.objects.filter(isp_line__enrolment__student=w.s1, isp_line__course__code__in=sanctioned)
    }
    with on(SET_ASIDE_ON):
        decision_set_aside(decision=decision, by_appeal="BE-2024-009", on=SET_ASIDE_ON)
    for result in Result.objects.filter(isp_line__enrolment__student=w.s1, isp_line__course__code__in=sanctioned):
        assert (result.exam_period, result.score, result.grade) == (
            w.january,
            {"E1": 4, "E2": 12, "E3": 13}[result.isp_line.course.code],
            "",
        )
        assert result.history.latest("history_id").history_change_reason == REASON
    assert not Measure.objects.filter(student=w.s1, lifted_on__isnull=True).exists()
    _run(D(2024, 2, 6))
    assert _marks(w) == {"E1": ("4", None), "E2": ("12", D(2024, 2, 6)), "E3": ("13", D(2024, 2, 6))}
    assert balances([w.s1.pk])[w.s1.pk] == 146


def test_a_zero_the_sanction_created_is_removed(fraud, open_file, heard):
    """5° on E4, which the examiner had not marked: the F it was given is removed again."""
    w = fraud
    e4 = CourseFactory(programme=w.programme, code="E4", credits=3, stage=1, pass_fail=True)
    line = ISPLineFactory(enrolment=Enrolment.objects.get(student=w.s1, academic_year=w.year), course=e4)
    decision = _decide(heard(open_file()), ["course_exclusion"], courses=[e4])
    _run(D(2024, 2, 2))
    assert Result.objects.get(isp_line=line).grade == "F"
    with on(SET_ASIDE_ON):
        decision_set_aside(decision=decision, by_appeal="BE-2024-009", on=SET_ASIDE_ON)
    assert not Result.objects.filter(isp_line=line).exists()
    assert Result.history.filter(isp_line_id=line.pk).latest("history_id").history_type == "-"


def test_a_decision_not_yet_carried_out_has_nothing_to_undo(fraud, open_file, heard):
    w = fraud
    decision = _decide(heard(open_file()), ["zero_exam"])
    assert decision.applied_on is None
    assert effects.decision_reverse(decision, on=SET_ASIDE_ON, reason=REASON) == 0
    with on(SET_ASIDE_ON):
        decision_set_aside(decision=decision, by_appeal="BE-2024-009", on=SET_ASIDE_ON)
    _run(D(2024, 2, 6))  # set aside: never carried out
    assert _marks(w)["E1"] == ("4", None)
    decision.refresh_from_db()
    assert (decision.applied_on, decision.replaced) == (None, [])
