"""Dates (issue 13, point 3): one day-month-year format per language, on pages, in messages
and e-mails (config/formats); month names in Dutch in lower case; date fields accept
day/month/year and ISO; files keep ISO.

Worked by hand: 1 December 2026 is a Tuesday ("dinsdag"); 18 January 2027 a Monday."""

import datetime
import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from core.dates import show_date, show_datetime, show_weekday_date

D = datetime.date
DECEMBER_1 = D(2026, 12, 1)
LANGUAGES = ["en", "nl"]


def render(source, **context):
    return Template("{% load college %}" + source).render(Context(context))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_date_format_of_a_page_writes_day_month_year(language):
    with translation.override(language):
        shown = render(
            '{{ d }}|{{ d|date }}|{{ d|date:"DATE_FORMAT" }}|{{ d|date:"SHORT_DATE_FORMAT" }}',
            d=DECEMBER_1,
        )
    assert shown == "01/12/2026|01/12/2026|01/12/2026|01/12/2026"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_moment_is_day_month_year_and_the_24_hour_clock(language):
    moment = datetime.datetime(2026, 12, 1, 14, 30)
    with translation.override(language):
        assert render("{{ m }}|{{ m|date:'SHORT_DATETIME_FORMAT' }}|{{ m|time }}", m=moment) == (
            "01/12/2026 14:30|01/12/2026 14:30|14:30"
        )
        assert show_datetime(moment) == "01/12/2026 14:30"


def test_a_moment_is_shown_in_brussels_time():
    # 13:30 UTC on 1 December is 14:30 in Brussels (winter time, UTC+1)
    moment = datetime.datetime(2026, 12, 1, 13, 30, tzinfo=datetime.UTC)
    assert show_datetime(moment) == "01/12/2026 14:30"


@pytest.mark.parametrize(
    ("language", "weekday", "month"),
    [("en", "Tuesday 01/12/2026", "December 2026"), ("nl", "dinsdag 01/12/2026", "december 2026")],
)
def test_names_of_days_and_months_follow_the_language_in_lower_case_in_dutch(language, weekday, month):
    with translation.override(language):
        assert show_weekday_date(DECEMBER_1) == weekday
        assert render("{{ d|weekday_date }}", d=DECEMBER_1) == weekday
        assert render('{{ d|date:"YEAR_MONTH_FORMAT" }}', d=DECEMBER_1) == month
        assert show_date(DECEMBER_1) == "01/12/2026"


def test_the_short_weekday_of_the_exam_schedule():
    with translation.override("en"):
        assert render('{{ d|date:"D" }} {{ d|date:"SHORT_DATE_FORMAT" }}', d=D(2027, 1, 18)) == "Mon 18/01/2027"
    with translation.override("nl"):
        assert render('{{ d|date:"D" }} {{ d|date:"SHORT_DATE_FORMAT" }}', d=D(2027, 1, 18)) == "ma 18/01/2027"


class DayForm(forms.Form):
    day = forms.DateField()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("typed", ["01/12/2026", "1/12/2026", "01-12-2026", "1.12.2026", "01/12/26", "2026-12-01"])
def test_a_date_field_accepts_day_month_year_and_iso(language, typed):
    with translation.override(language):
        form = DayForm({"day": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == DECEMBER_1


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_date_field_refuses_the_us_order(language):
    with translation.override(language):
        assert not DayForm({"day": "12/31/2026"}).is_valid()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_date_field_shows_its_date_day_month_year(language):
    with translation.override(language):
        assert 'value="01/12/2026"' in str(DayForm(initial={"day": DECEMBER_1})["day"])


@pytest.mark.django_db
def test_a_browser_date_input_keeps_iso():
    """<input type="date"> reads and sends ISO whatever the language: the widgets that use it say so."""
    from programmes.models import Course
    from progress.forms import ToleratedRetakeForm

    with translation.override("nl"):
        form = ToleratedRetakeForm(initial={"requested_on": DECEMBER_1}, courses=Course.objects.none())
        assert 'value="2026-12-01"' in str(form["requested_on"])


@pytest.mark.parametrize(("language", "text"), [("en", "15/10/2026"), ("nl", "15/10/2026")])
def test_an_isp_rule_message_shows_the_date_day_month_year(language, text):
    from students import rules

    problem = rules.Problem("submission_deadline_passed", (("deadline", D(2026, 10, 15)),))
    with translation.override(language):
        message = problem.message
    assert text in message and "2026-10-15" not in message


@pytest.mark.django_db
def test_an_exam_period_outside_its_year_is_refused_with_day_month_year():
    from django.core.exceptions import ValidationError

    from programmes.models import ExamPeriod
    from tests.support.factories import AcademicYearFactory

    year = AcademicYearFactory(first_year=2026, exam_periods=False)  # 18/09/2026 to 15/09/2027
    period = ExamPeriod(academic_year=year, number=1, starts_on=D(2026, 9, 1), ends_on=D(2026, 9, 20))
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        period.clean()
    assert "(18/09/2026" in str(refused.value) and "15/09/2027)" in str(refused.value)


# --- The templates and messages themselves -------------------------------------------------
NAMED = {"DATE_FORMAT", "SHORT_DATE_FORMAT", "DATETIME_FORMAT", "SHORT_DATETIME_FORMAT", "YEAR_MONTH_FORMAT"}
# A weekday before the date (the exam schedule), and ISO in data attributes for scripts and tests.
ALLOWED = {"D", "l", "Y-m-d", "H:i"}


def template_files():
    base = Path(settings.BASE_DIR)
    for folder in [base / "templates", *base.glob("*/templates")]:
        yield from sorted(folder.rglob("*.html"))
        yield from sorted(folder.rglob("*.txt"))


def test_templates_write_dates_only_in_the_named_formats():
    """A format spelled out in a template ("D j M Y", "l j F Y", "N j, Y") is what mixed three
    styles on one page: pages use the named formats of config/formats."""
    odd = []
    for path in template_files():
        for fmt in re.findall(r"""\|date:["']([^"']*)["']""", path.read_text()):
            if fmt not in NAMED | ALLOWED:
                odd.append(f"{path.relative_to(settings.BASE_DIR)}: {fmt}")
    assert odd == []


MESSAGE_WITH_ISO = re.compile(r"""_\(\s*(?:"[^"]*"\s*)+\)\s*%\s*\{[^}]*\.isoformat\(\)""", re.S)


def test_no_translated_message_is_filled_with_an_iso_date():
    """``_("... %(date)s") % {"date": day.isoformat()}`` shows 2026-12-01 to the reader; the
    exchange files' checks quote the file's own ISO values and are left out."""
    base = Path(settings.BASE_DIR)
    found = []
    for path in sorted(base.glob("*/**/*.py")):
        relative = path.relative_to(base).as_posix()
        if relative.startswith((".venv/", "tests/", "exchange/")) or "/migrations/" in relative:
            continue
        for match in MESSAGE_WITH_ISO.finditer(path.read_text()):
            if not re.search(r"\.(pdf|csv|ics|xlsx)\b", match.group(0)):  # a file's name sorts by ISO date
                found.append(relative)
    assert found == []
