"""The learning-account chart on the student page (issue 13, point 1): its coordinates are
numbers for the browser, never localised, in every language.

The coach world (tests.support.worlds): student r0000001 opened with 140 credits on
15 September 2026 and was charged 30 the same day (balance 110). The chart is 720 x 240 with a
padding of 40: the y scale runs from 0 (bottom, y 200) to 140 + 10 = 150 (top, y 40), so
y(140) = 40 + 160 * 10 / 150 = 50.7 and y(110) = 40 + 160 * 40 / 150 = 82.7; both entries are on
the first day (x 40) and the line runs on to the right edge (x 680)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

NUMERIC_ATTRIBUTES = ("x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "stroke-width", "font-size")


def svg_of(client, coach_world, language):
    client.force_login(coach_world.coach)
    client.cookies["django_language"] = language
    content = client.get(reverse("students:student_detail", kwargs={"number": "r0000001"})).content.decode()
    return re.search(r"<svg viewBox.*?</svg>", content, re.S).group(0)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_chart_is_drawn_with_decimal_points_in_every_language(client, coach_world, on_coach_day, language):
    svg = svg_of(client, coach_world, language)

    assert 'viewBox="0 0 720 240"' in svg
    assert re.search(r'<polyline points="([^"]*)"', svg).group(1) == "40,50.7 40,82.7 680,82.7"
    # the two dots: the opening (140) and the balance after the charge (110)
    assert re.findall(r'<circle cx="([^"]*)" cy="([^"]*)"', svg) == [("40.0", "50.7"), ("40.0", "82.7")]
    for name in NUMERIC_ATTRIBUTES:
        for value in re.findall(rf'\s{name}="([^"]*)"', svg):
            float(value)  # "200,0" would raise: the browser rejects it too


def test_the_chart_texts_follow_the_language(client, coach_world, on_coach_day):
    svg = svg_of(client, coach_world, "nl")

    assert '<title id="chart-title">Verloop van het leerkrediet</title>' in svg
    assert "15/09/2026" in svg  # the dots' dates, day-month-year
