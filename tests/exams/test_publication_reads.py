"""The publication read with the exam periods (``exams.publication.with_publication``): the
same answers as ``publication_days``, in the query that reads the periods."""

import datetime

import pytest

from exams.models import HeldPublication
from exams.publication import (
    publication_day_of,
    publication_days,
    publication_key,
    publication_key_expression,
    with_publication,
)
from programmes.models import ExamPeriod
from tests.exams.conftest import publish_marker
from tests.support.factories import ProgrammeFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def _read(college, programme_ids):
    periods = with_publication(ExamPeriod.objects.filter(academic_year=college.year), programme_ids)
    return {period.number: period for period in periods}


def test_the_key_built_by_the_database_is_the_publication_key(college):
    for period in college.periods.values():
        built = ExamPeriod.objects.annotate(key=publication_key_expression()).get(pk=period.pk).key
        assert built == publication_key(period) == f"exam_period:2023-2024:{period.number}:publication"


def test_a_period_not_published_has_no_day(college):
    periods = _read(college, [college.programme.pk])
    assert [periods[n].published for n in (1, 2, 3)] == [False, False, False]
    assert publication_day_of(periods[1], college.programme.pk) is None


def test_a_published_period_has_its_planned_day(college):
    publish_marker(college.periods[1])
    periods = _read(college, [college.programme.pk])
    assert [periods[n].published for n in (1, 2, 3)] == [True, False, False]
    assert publication_day_of(periods[1], college.programme.pk) == D(2024, 2, 6)
    assert publication_day_of(periods[2], college.programme.pk) is None


def test_a_held_programme_has_the_day_of_its_release_or_none_yet(college):
    released, waiting = ProgrammeFactory(code="BA-REL"), ProgrammeFactory(code="BA-WAIT")
    publish_marker(college.periods[1])
    HeldPublication.objects.create(exam_period=college.periods[1], programme=released, released_on=D(2024, 2, 20))
    HeldPublication.objects.create(exam_period=college.periods[1], programme=waiting)
    periods = _read(college, [college.programme.pk, released.pk, waiting.pk])
    assert publication_day_of(periods[1], released.pk) == D(2024, 2, 20)
    assert publication_day_of(periods[1], waiting.pk) is None
    assert publication_day_of(periods[1], college.programme.pk) == D(2024, 2, 6)


def test_a_held_programme_of_a_period_not_published_has_no_day(college):
    held = ProgrammeFactory(code="BA-HELD")
    HeldPublication.objects.create(exam_period=college.periods[2], programme=held, released_on=D(2024, 7, 9))
    assert publication_day_of(_read(college, [held.pk])[2], held.pk) is None


def test_the_periods_and_their_publication_are_one_query(college, django_assert_num_queries):
    publish_marker(college.periods[1])
    with django_assert_num_queries(1):
        periods = list(
            with_publication(
                ExamPeriod.objects.filter(academic_year=college.year).select_related("academic_year"),
                [college.programme.pk, college.programme.pk + 1000],
            )
        )
        assert [p.published for p in periods] == [True, False, False]


def test_it_answers_as_publication_days_does(college):
    released, waiting = ProgrammeFactory(code="BA-REL"), ProgrammeFactory(code="BA-WAIT")
    publish_marker(college.periods[1])
    publish_marker(college.periods[2])
    HeldPublication.objects.create(exam_period=college.periods[1], programme=released, released_on=D(2024, 2, 20))
    HeldPublication.objects.create(exam_period=college.periods[2], programme=waiting)
    HeldPublication.objects.create(exam_period=college.periods[3], programme=released, released_on=D(2024, 9, 20))
    programme_ids = [college.programme.pk, released.pk, waiting.pk]
    periods = list(with_publication(ExamPeriod.objects.filter(academic_year=college.year), programme_ids))
    pairs = [(period, programme_id) for period in periods for programme_id in programme_ids]
    read = {
        (period.pk, programme_id): day
        for period, programme_id in pairs
        if (day := publication_day_of(period, programme_id)) is not None
    }
    assert read == publication_days(pairs)
    assert len(read) == 5  # period 1: three programmes; period 2: two (one waits); period 3: none
