"""Calendar rules (DOMAIN §1 "Academic calendar"; Art. 7, 8, 9 §4, 19, 23, 43).

Expected dates are read from DOMAIN §1's table of defaults and from the
regulations, not from the code.
"""

import dataclasses
import datetime

import pytest

from programmes.rules import (
    BACHELOR_KINDS,
    CALENDAR_FIELDS,
    FIRST_BACHELOR_KINDS,
    THRESHOLD_KINDS,
    ProgrammeKind,
    YearCalendar,
    academic_year_code,
    default_calendar,
    easter_sunday,
    parse_academic_year_code,
    periods_overlap,
)

D = datetime.date


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        # DOMAIN §1: isp_deadline 15 Oct (Art. 19 "submits his ISP by 15 October").
        pytest.param("isp_deadline", D(2023, 10, 15), id="isp_deadline-15-oct"),
        # DOMAIN §1: ies_opens 16 Oct (Art. 43).
        pytest.param("ies_opens", D(2023, 10, 16), id="ies_opens-16-oct"),
        # DOMAIN §1: first_semester_lock 1 Dec (Art. 8, 19 "final as of 1 December", 23).
        pytest.param("first_semester_lock", D(2023, 12, 1), id="first_semester_lock-1-dec"),
        # DOMAIN §1: generation_switch_deadline 25 Dec (Art. 9 §4 "between the 1st
        # of December and the 25th of December").
        pytest.param("generation_switch_deadline", D(2023, 12, 25), id="generation_switch_deadline-25-dec"),
        # DOMAIN §1: second_semester_change_deadline 25 Feb, in the second calendar
        # year (Art. 19 "until the 25th of February").
        pytest.param("second_semester_change_deadline", D(2024, 2, 25), id="second_semester_change_deadline-25-feb"),
        # DOMAIN §1: second_semester_lock 15 Mar (Art. 19 "before 15 March ... final").
        pytest.param("second_semester_lock", D(2024, 3, 15), id="second_semester_lock-15-mar"),
        # EXCHANGE.md import example for 2023-2024: easter_break_starts 2024-03-30,
        # the Saturday before Easter Sunday 31 March 2024.
        pytest.param("easter_break_starts", D(2024, 3, 30), id="easter_break_starts-2024"),
    ],
)
def test_default_calendar_2023_2024(field, expected):
    assert default_calendar(2023)[field] == expected


@pytest.mark.parametrize(
    ("first_year", "field", "expected"),
    [
        # DOMAIN §1 defaults one year later: autumn dates in the first calendar
        # year, February/March dates in the second.
        pytest.param(2024, "isp_deadline", D(2024, 10, 15), id="2024-isp_deadline"),
        pytest.param(2024, "first_semester_lock", D(2024, 12, 1), id="2024-first_semester_lock"),
        pytest.param(2024, "generation_switch_deadline", D(2024, 12, 25), id="2024-generation_switch_deadline"),
        pytest.param(2024, "second_semester_change_deadline", D(2025, 2, 25), id="2024-change_deadline"),
        pytest.param(2024, "second_semester_lock", D(2025, 3, 15), id="2024-second_semester_lock"),
        # Easter 2025 is 20 April, so the break starts Saturday 19 April.
        pytest.param(2024, "easter_break_starts", D(2025, 4, 19), id="2024-easter_break_starts"),
    ],
)
def test_default_calendar_other_year(first_year, field, expected):
    assert default_calendar(first_year)[field] == expected


def test_default_calendar_has_every_domain_date():
    # DOMAIN §1 lists these dates for every academic year.
    fields = {
        "isp_deadline",
        "ies_opens",
        "first_semester_lock",
        "generation_switch_deadline",
        "second_semester_change_deadline",
        "second_semester_lock",
    }
    assert fields <= set(default_calendar(2023))


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # Known Gregorian Easter Sundays (published church calendars).
        pytest.param(2024, D(2024, 3, 31), id="2024"),
        pytest.param(2025, D(2025, 4, 20), id="2025"),
        pytest.param(2026, D(2026, 4, 5), id="2026"),
        pytest.param(2027, D(2027, 3, 28), id="2027"),
        pytest.param(2023, D(2023, 4, 9), id="2023"),
        pytest.param(2019, D(2019, 4, 21), id="2019"),
        pytest.param(2000, D(2000, 4, 23), id="2000"),
        pytest.param(2008, D(2008, 3, 23), id="2008-early"),
        pytest.param(2011, D(2011, 4, 24), id="2011-late"),
        # Extremes of the Gregorian range: 22 March and 25 April.
        pytest.param(1818, D(1818, 3, 22), id="1818-earliest-possible"),
        pytest.param(2285, D(2285, 3, 22), id="2285-earliest-possible"),
        pytest.param(1943, D(1943, 4, 25), id="1943-latest-possible"),
        pytest.param(2038, D(2038, 4, 25), id="2038-latest-possible"),
    ],
)
def test_easter_sunday(year, expected):
    assert easter_sunday(year) == expected


def test_easter_sunday_is_a_sunday_between_22_march_and_25_april():
    # Gregorian Easter is always a Sunday from 22 March to 25 April.
    for year in range(1900, 2201):
        easter = easter_sunday(year)
        assert easter.weekday() == 6, year
        assert D(year, 3, 22) <= easter <= D(year, 4, 25), year


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # DOMAIN vocabulary: academic year `2023-2024`.
        pytest.param("2023-2024", 2023, id="2023-2024"),
        pytest.param("1999-2000", 1999, id="1999-2000-century-turn"),
        # Not two consecutive years.
        pytest.param("2023-2025", None, id="gap-of-two"),
        pytest.param("2023-2023", None, id="same-year"),
        pytest.param("2024-2023", None, id="reversed"),
        # Not the `YYYY-YYYY` form.
        pytest.param("23-24", None, id="two-digit-years"),
        pytest.param("2023-24", None, id="short-second-year"),
        pytest.param("2023/2024", None, id="slash"),
        pytest.param("2023-2024-2025", None, id="three-parts"),
        pytest.param("2023", None, id="one-year"),
        pytest.param("", None, id="empty"),
        pytest.param("abcd-efgh", None, id="letters"),
        pytest.param("+023-2024", None, id="sign"),
        # Non-ASCII digits are not an academic year code (and must not crash).
        pytest.param("\u0662\u0660\u0662\u0663-\u0662\u0660\u0662\u0664", None, id="arabic-indic-digits"),
        pytest.param("\u00b2\u2070\u00b2\u00b3-\u00b2\u2070\u00b2\u2074", None, id="superscript-digits"),
    ],
)
def test_parse_academic_year_code(code, expected):
    assert parse_academic_year_code(code) == expected


@pytest.mark.parametrize(
    ("first_year", "code"),
    [
        pytest.param(2023, "2023-2024", id="2023"),
        pytest.param(1999, "1999-2000", id="1999"),
    ],
)
def test_academic_year_code_round_trip(first_year, code):
    assert academic_year_code(first_year) == code
    assert parse_academic_year_code(code) == first_year


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # DOMAIN §1 "Calendar days count every day": periods include both ends.
        pytest.param((D(2024, 1, 8), D(2024, 2, 2)), (D(2024, 2, 2), D(2024, 2, 10)), True, id="share-last-day"),
        pytest.param((D(2024, 1, 8), D(2024, 2, 2)), (D(2024, 2, 3), D(2024, 2, 10)), False, id="next-day"),
        pytest.param((D(2024, 1, 8), D(2024, 2, 2)), (D(2024, 1, 10), D(2024, 1, 12)), True, id="contained"),
        pytest.param((D(2024, 1, 10), D(2024, 1, 12)), (D(2024, 1, 8), D(2024, 2, 2)), True, id="containing"),
        pytest.param((D(2024, 5, 27), D(2024, 6, 28)), (D(2024, 1, 8), D(2024, 2, 2)), False, id="before"),
        pytest.param((D(2024, 1, 8), D(2024, 1, 8)), (D(2024, 1, 8), D(2024, 1, 8)), True, id="same-single-day"),
    ],
)
def test_periods_overlap(a, b, expected):
    assert periods_overlap(*a, *b) is expected
    assert periods_overlap(*b, *a) is expected


# --- Programme kinds: each regulation's set, defined once in programmes.rules ----------------
KINDS = list(ProgrammeKind)


@pytest.mark.parametrize(
    ("kind", "bachelor", "first_bachelor", "threshold"),
    [
        # Art. 31 and 91 §1 "bachelor's programme": every bachelor, bachelor-after-bachelor included.
        # Art. 9 §4, LA "Extra rule" (and DOMAIN §2 rule 11 for Art. 33): the bachelors leading to a
        # first bachelor's degree. Art. 30: the decree threshold binds initial bachelors only.
        ("associate", False, False, False),
        ("initial_bachelor", True, True, True),
        ("education_bachelor", True, True, False),
        ("bachelor_after_bachelor", True, False, False),
        ("bridging", False, False, False),
        ("preparatory", False, False, False),
        ("initial_master", False, False, False),
        ("master_after_master", False, False, False),
        ("postgraduate", False, False, False),
    ],
)
def test_the_programme_kind_sets(kind, bachelor, first_bachelor, threshold):
    assert (kind in BACHELOR_KINDS) is bachelor
    assert (kind in FIRST_BACHELOR_KINDS) is first_bachelor
    assert (kind in THRESHOLD_KINDS) is threshold


def test_the_kinds_are_domain_md_vocabulary_and_the_models_label_the_same_values():
    from programmes.models import ProgrammeKind as LabelledKind

    # DOMAIN.md "Programme kinds", in its order.
    assert [k.value for k in KINDS] == [
        "associate",
        "initial_bachelor",
        "education_bachelor",
        "bachelor_after_bachelor",
        "bridging",
        "preparatory",
        "initial_master",
        "master_after_master",
        "postgraduate",
    ]
    assert LabelledKind.values == [k.value for k in KINDS]
    assert FIRST_BACHELOR_KINDS < BACHELOR_KINDS and THRESHOLD_KINDS < FIRST_BACHELOR_KINDS


# --- The calendar of a year, as every rule reads it --------------------------------------------
def test_the_year_calendar_has_every_calendar_date():
    fields = {f.name for f in dataclasses.fields(YearCalendar)}
    assert set(CALENDAR_FIELDS) <= fields
    assert {"code", "starts_on", "ends_on", "first_exam_period_ends_on"} <= fields
    calendar = YearCalendar(
        code="2023-2024", starts_on=D(2023, 9, 18), ends_on=D(2024, 9, 15), **default_calendar(2023)
    )
    assert calendar.first_exam_period_ends_on is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        calendar.isp_deadline = D(2023, 10, 20)
