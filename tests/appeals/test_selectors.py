"""The decisions a student can appeal: published results only, "published" meaning that the
publication was processed (exams.publication), not that its planned date has passed."""

import datetime as dt

import pytest

from appeals import selectors
from core.models import Transition
from exams.publication import publication_key
from programmes.models import ExamPeriod

D = dt.date
pytestmark = pytest.mark.django_db


def _choices(student, today):
    return {value for _group, options in selectors.decision_choices(student, today=today) for value, _ in options}


def test_only_processed_publications_and_their_results_can_be_appealed(college):
    january = college.january  # published on 6 February 2024 by the timeline
    june = ExamPeriod.objects.get(academic_year=college.year, number=2)  # planned for 2 July 2024
    # 10 July: June's planned day has passed, but its publication was not processed.
    assert [p.pk for p in selectors.published_exam_periods(college.student, today=D(2024, 7, 10))] == [january.pk]
    choices = _choices(college.student, D(2024, 7, 10))
    assert f"exam_period:{january.pk}" in choices and f"exam_period:{june.pk}" not in choices
    assert f"result:{college.result.pk}" in choices
    Transition.objects.create(key=publication_key(june), due_on=june.results_published_on)
    assert f"exam_period:{june.pk}" in _choices(college.student, D(2024, 7, 10))
    # Before its publication day a processed publication is not offered either.
    assert f"exam_period:{january.pk}" not in _choices(college.student, D(2024, 2, 5))
