"""What "published" means (exams.publication): the publication transition has been processed.
The decisions that follow a publication ask it, never the planned date alone."""

import datetime

import pytest

from core.timeline import run_deadlines
from exams.publication import is_published, published_periods
from exams.redecisions import result_redecide
from exams.results import result_record
from exams.services import tolerance_choice_check
from students.models import ISPLine
from tests.exams.conftest import publish_marker

D = datetime.date
pytestmark = pytest.mark.django_db


def test_a_period_is_published_once_its_publication_is_processed(college):
    period = college.periods[2]  # planned for 2 July 2024
    assert not is_published(period)
    assert published_periods([period]) == {}
    publish_marker(period)
    assert is_published(period)
    assert published_periods([period]) == {period.pk: D(2024, 7, 2)}


def test_a_tolerance_choice_counts_only_processed_publications(college):
    result_record(isp_line=college.lines["NUM2"], exam_period=college.periods[1], opportunity=1, mark=9)
    run_deadlines(today=D(2024, 2, 6))  # period 1 published: NUM2 is a tolerable fail
    line = ISPLine.objects.select_related("course", "enrolment").get(pk=college.lines["NUM2"].pk)
    # 10 July: the 15 days after 6 February have passed; 2 July is period 2's planned
    # publication, but it has not been processed: no choice window is open (Art. 91 §2).
    assert tolerance_choice_check(line=line, on=D(2024, 7, 10)) == "window_closed"
    publish_marker(college.periods[2])
    # Published: the window of 2 July is open; the next rule speaks (no efficiency this year).
    assert tolerance_choice_check(line=line, on=D(2024, 7, 10)) == "efficiency"


def test_a_new_decision_counts_only_published_opportunities(college):
    first = result_record(isp_line=college.lines["NUM1"], exam_period=college.periods[1], opportunity=1, mark=6)
    run_deadlines(today=D(2024, 2, 6))
    # A second opportunity entered in period 2, whose publication (2 July) is not processed yet.
    result_record(isp_line=college.lines["NUM1"], exam_period=college.periods[2], opportunity=2, mark=15)
    # A new decision on the first opportunity on 10 July: only the published one counts.
    decision = result_redecide(result=first, mark=8, on=D(2024, 7, 10), reason="Appeal")
    assert (decision.old_mark, decision.new_mark) == (6, 8)
