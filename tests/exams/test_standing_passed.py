"""``Standing.passed`` answers "no" without building the records when the courses with a line
done (passed, exempted or tolerated) hold fewer credits than the programme (Art. 79: the
programme's credits done): the same answer as the rule on the records, in every case below."""

import datetime

import pytest

from exams import rules
from exams.standing import Line, Standing, YearInProgramme
from programmes.models import Programme

DAY = datetime.date(2025, 7, 1)


def _outcome(mark, passed) -> str:
    if passed:
        return "passed"
    if mark is None:
        return "pending"
    return "tolerable" if mark in (8, 9) else "failed"


def _line(pk, course, credits=6, *, mark=None, passed=False, exempted=False, tolerated=False, removed=False):
    return Line(
        id=pk,
        course_id=course,
        code=f"C{course}",
        credits=credits,
        tolerable=True,
        pass_fail=False,
        elective=False,
        exempted=exempted,
        removed=removed,
        mark=mark,
        outcome="passed"
        if passed
        else ("tolerable" if mark in (8, 9) else "failed" if mark is not None else "pending"),
        certified_on=DAY if passed else None,
        tolerated_on=DAY if tolerated else None,
        tolerance_kind="automatic" if tolerated else "",
    )


def _standing(credits, *years):
    programme = Programme(code="P", name="P", kind="bachelor_after_bachelor", credits=credits)
    return Standing(
        student_id=1,
        programme=programme,
        compulsory=set(),
        years=[
            YearInProgramme(
                enrolment_id=number,
                year_id=number,
                year_code=f"202{number}-2{number + 1}",
                year_start=datetime.date(2020 + number, 9, 14),
                contract="degree",
                status="enrolled",
                enrolled_on=datetime.date(2020 + number, 9, 1),
                year_end=datetime.date(2021 + number, 9, 13),
                lines=lines,
            )
            for number, lines in enumerate(years, start=1)
        ],
    )


CASES = {
    "every credit passed": (18, [_line(1, 1, mark=14, passed=True), _line(2, 2, mark=12, passed=True),
                                 _line(3, 3, mark=10, passed=True)], True),
    "a course short": (18, [_line(1, 1, mark=14, passed=True), _line(2, 2, mark=12, passed=True),
                            _line(3, 3, mark=6)], False),
    "exempted and tolerated count": (18, [_line(1, 1, exempted=True), _line(2, 2, mark=9, tolerated=True),
                                          _line(3, 3, mark=14, passed=True)], True),
    "a removed line does not": (18, [_line(1, 1, mark=14, passed=True), _line(2, 2, mark=12, passed=True),
                                     _line(3, 3, mark=15, passed=True, removed=True)], False),
    "a course counts once": (18, [_line(1, 1, mark=14, passed=True), _line(2, 1, mark=16, passed=True),
                                  _line(3, 2, mark=12, passed=True)], False),
    "more than enough, one failed": (12, [_line(1, 1, mark=14, passed=True), _line(2, 2, mark=12, passed=True),
                                          _line(3, 3, mark=4)], False),
}  # fmt: skip


@pytest.mark.parametrize(("credits", "lines", "expected"), CASES.values(), ids=CASES.keys())
def test_passed_is_the_rule_on_the_records(credits, lines, expected):
    standing = _standing(credits, lines)
    by_the_rule = rules.programme_passed(programme_credits=credits, compulsory=set(), records=standing.records())
    assert by_the_rule is expected
    assert standing.passed() is expected


def test_a_course_done_in_an_earlier_year_counts():
    standing = _standing(
        12, [_line(1, 1, mark=14, passed=True), _line(2, 2, mark=5)], [_line(3, 2, mark=11, passed=True)]
    )
    assert standing.passed() is True
    assert standing.passed(up_to=standing.years[0]) is False
