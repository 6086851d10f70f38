"""``exams.facts``: an exam opportunity taken (Art. 89 §1)."""

import datetime

from exams.facts import opportunities_taken, opportunities_taken_and_first
from exams.models import Result


def test_both_answers_in_one_query_are_the_two_answers(college, django_assert_num_queries):
    first, second = college.periods[1], college.periods[2]
    lines = college.lines
    Result.objects.create(isp_line=lines["NUM1"], exam_period=first, opportunity=1, score=7)
    Result.objects.create(isp_line=lines["NUM1"], exam_period=second, opportunity=2, score=12)
    Result.objects.create(isp_line=lines["NUM2"], exam_period=second, opportunity=2, score=None, grade="NA")
    Result.objects.create(isp_line=lines["PF1"], exam_period=second, opportunity=1, score=None, grade="NA")
    ids = [line.pk for line in lines.values()]
    for day in (
        first.starts_on - datetime.timedelta(days=1),
        first.starts_on,
        second.starts_on - datetime.timedelta(days=1),
        second.starts_on,
    ):
        with django_assert_num_queries(1):
            taken, first_taken = opportunities_taken_and_first(ids, on=day)
        assert taken == opportunities_taken(ids, on=day)
        assert first_taken == opportunities_taken(ids, on=day, first_only=True)
    # On the second period's first day: every line with a result, the first opportunity of two.
    assert taken == {lines["NUM1"].pk, lines["NUM2"].pk, lines["PF1"].pk}
    assert first_taken == {lines["NUM1"].pk, lines["PF1"].pk}
