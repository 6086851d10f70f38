"""Ledger reasons are data (issue 13, point 4): an entry stores a reason code with its facts
and the sentence is made when it is read, in the reader's language; rows booked before
the codes (English sentences) are converted by the migration, or shown as they are."""

import datetime
import importlib
import itertools

import pytest
from django.apps import apps
from django.utils import translation

from progress.selectors import study_progress
from students import services
from students.models import EntryKind, EntryReason, LearningAccountEntry
from tests.core.pseudo import CLOSE, OPEN, pseudo_locale
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db
migration = importlib.import_module("students.migrations.0005_ledger_reason_codes")
D = datetime.date
SOURCES = itertools.count()
BOOKED_ON = D(2026, 9, 20)


@pytest.fixture
def facts():
    year = AcademicYearFactory(first_year=2026)
    programme = ProgrammeFactory(code="BA-NURS")
    return {
        "student": StudentFactory(number="r0000001"),
        "year": year,
        "programme": programme,
        "course": CourseFactory(programme=programme, code="NUR205", credits=6),
    }


def _entry(facts, code, credits, *, kind=EntryKind.DEDUCTION, on=BOOKED_ON, course=True, params=None):
    return LearningAccountEntry.objects.create(
        student=facts["student"],
        on=on,
        credits=credits,
        kind=kind,
        source=f"test:{next(SOURCES)}",
        academic_year=facts["year"],
        programme=facts["programme"],
        course=facts["course"] if course else None,
        reason_code=code,
        reason_params=params or {},
    )


# The sentence of each code, in English, worked out from the facts: 2026-2027, BA-NURS,
# NUR205; "credits" is the number of credits the entry moves (its sign is the kind's).
ENGLISH = [
    (EntryReason.OPENING, 140, {}, "Opening balance"),
    (EntryReason.OPENING_IMPORTED, 96, {}, "Imported opening balance"),
    (EntryReason.ISP, -52, {}, "ISP 2026-2027: 52 credits"),
    (EntryReason.ISP, -1, {}, "ISP 2026-2027: 1 credit"),
    (EntryReason.COURSE_ADDED, -6, {}, "NUR205 added to ISP 2026-2027"),
    (EntryReason.COURSE_REMOVED, 6, {}, "NUR205 removed from ISP 2026-2027 before the lock"),
    (EntryReason.COURSE_EXEMPTED, 6, {}, "NUR205 exempted in ISP 2026-2027"),
    (EntryReason.PASSED, 6, {}, "NUR205 passed"),
    (EntryReason.PASSED_BONUS, 6, {}, "NUR205 passed: bonus on the first 60 credits"),
    (EntryReason.DEREGISTRATION, 24, {}, "Deregistration from BA-NURS 2026-2027: 24 credits"),
    (EntryReason.GENERATION_SWITCH, 15, {"to": "BA-LO"}, "Generation student switching to BA-LO: half of BA-NURS"),
    (EntryReason.REBUILD, 10, {}, "Learning account rebuilt at the start of 2026-2027"),
    (EntryReason.REBUILD_REVERSED, -10, {}, "Rebuild of 2026-2027 reversed: enrolled in that year"),
    (EntryReason.READMITTED, -30, {}, "ISP 2026-2027 readmitted: 30 credits"),
    (EntryReason.REFUSED, 30, {}, "Enrolment 2026-2027 refused by a measure: 30 credits back"),
    (EntryReason.MASTER_DEGREE, -140, {}, "First master's degree"),
]


@pytest.mark.parametrize(("code", "credits", "params", "sentence"), ENGLISH, ids=[row[3] for row in ENGLISH])
def test_each_reason_reads_as_a_sentence_in_english(facts, code, credits, params, sentence):
    with translation.override("en"):
        assert _entry(facts, code, credits, params=params).reason_text == sentence


def test_a_decision_date_is_shown_in_the_readers_date_format(facts):
    entry = _entry(facts, EntryReason.CERTIFICATE_WITHDRAWN, -6, kind=EntryKind.CORRECTION, on=D(2026, 11, 23))
    with translation.override("en"):
        assert entry.reason_text == "NUR205: credit certificate withdrawn by the decision of 23/11/2026"


@pytest.mark.parametrize("code", list(EntryReason), ids=str)
def test_every_reason_is_translated_when_read(facts, code):
    """With the pseudo locale every sentence comes out of gettext whole: the reason is made
    in the reader's language, not stored in the writer's."""
    entry = _entry(facts, code, -6, params={"to": "BA-LO"})
    with pseudo_locale():
        text = entry.reason_text
    assert text.startswith(OPEN)
    assert text.endswith(CLOSE)


def test_the_reason_follows_the_readers_language(facts):
    """Dutch from locale/nl (this helper's translations, /tmp/nl/i18n.json, once merged)."""
    entry = _entry(facts, EntryReason.ISP, -52)
    with translation.override("nl"):
        assert entry.reason_text == "ISP 2026-2027: 52 studiepunten"
    with translation.override("en"):
        assert entry.reason_text == "ISP 2026-2027: 52 credits"


def test_an_entry_without_a_code_shows_its_text():
    entry = LearningAccountEntry(reason="Correction by the college: 3 credits", reason_code="")
    assert entry.reason_text == "Correction by the college: 3 credits"


def test_a_booking_stores_the_code_and_no_sentence():
    year = AcademicYearFactory(first_year=2026)
    programme = ProgrammeFactory(code="BA-NURS")
    enrolment = EnrolmentFactory(academic_year=year, programme=programme, enrolled_on=D(2026, 9, 20))
    for code in ("NUR101", "NUR102"):
        ISPLineFactory(enrolment=enrolment, course=CourseFactory(programme=programme, code=code, credits=6))
    services.accounts_open(day=D(2026, 9, 20))
    services.enrolments_process(day=D(2026, 9, 20))
    entries = list(LearningAccountEntry.objects.filter(student=enrolment.student).order_by("on", "id"))
    assert [(e.kind, e.reason_code, e.reason) for e in entries] == [
        ("opening", "opening", ""),
        ("deduction", "isp", ""),
    ]
    with translation.override("en"):
        assert [e["reason"] for e in study_progress(enrolment.student)["learning_account"]["entries"]] == [
            "Opening balance",
            "ISP 2026-2027: 12 credits",
        ]
    with pseudo_locale():
        reasons = [e["reason"] for e in study_progress(enrolment.student)["learning_account"]["entries"]]
    assert all(r.startswith(OPEN) for r in reasons)


# --- rows booked before the codes --------------------------------------------------------
OLD_SENTENCES = [
    ("Opening balance", "opening", {}),
    ("Imported opening balance", "opening_imported", {}),
    ("ISP 2026-2027: 52 credits", "isp", {"year": "2026-2027", "credits": 52}),
    ("NUR205 passed", "passed", {"course": "NUR205"}),
    ("NUR205 passed: bonus on the first 60 credits", "passed_bonus", {"course": "NUR205"}),
    ("NUR205 added to ISP 2026-2027", "course_added", {"course": "NUR205", "year": "2026-2027"}),
    (
        "NUR205 removed from ISP 2026-2027 before the lock",
        "course_removed",
        {"course": "NUR205", "year": "2026-2027"},
    ),
    ("NUR205 exempted in ISP 2026-2027", "course_exempted", {"course": "NUR205", "year": "2026-2027"}),
    (
        "NUR205 passed (new decision 2026-11-23)",
        "passed_redecided",
        {"course": "NUR205", "date": "2026-11-23"},
    ),
    (
        "NUR205 passed (new decision 2026-11-23): bonus on the first 60 credits",
        "passed_redecided_bonus",
        {"course": "NUR205", "date": "2026-11-23"},
    ),
    (
        "NUR205: credit certificate withdrawn by the decision of 2026-11-23",
        "certificate_withdrawn",
        {"course": "NUR205", "date": "2026-11-23"},
    ),
    (
        "Deregistration from BA-NURS 2026-2027: 24 credits",
        "deregistration",
        {"programme": "BA-NURS", "year": "2026-2027", "credits": 24},
    ),
    (
        "Generation student switching to BA-LO: half of BA-NURS",
        "generation_switch",
        {"to": "BA-LO", "programme": "BA-NURS"},
    ),
    ("Learning account rebuilt at the start of 2026-2027", "rebuild", {"year": "2026-2027"}),
    ("Rebuild of 2026-2027 reversed: enrolled in that year", "rebuild_reversed", {"year": "2026-2027"}),
    ("ISP 2026-2027 readmitted: 30 credits", "readmitted", {"year": "2026-2027", "credits": 30}),
    (
        "Enrolment 2026-2027 refused by a measure: 30 credits back",
        "refused",
        {"year": "2026-2027", "credits": 30},
    ),
    ("First master's degree", "master_degree", {}),
]


@pytest.mark.parametrize(("sentence", "code", "params"), OLD_SENTENCES, ids=[row[0] for row in OLD_SENTENCES])
def test_the_migration_reads_each_old_sentence(sentence, code, params):
    assert migration.parse(sentence) == (code, params)


def test_every_code_has_an_old_sentence_read_back():
    assert {code for _sentence, code, _params in OLD_SENTENCES} == set(EntryReason.values)


def test_the_migration_converts_old_rows_and_keeps_unknown_text(facts):
    old = _entry(facts, "", -52)
    old.reason = "ISP 2026-2027: 52 credits"
    other = _entry(facts, "", 3, kind=EntryKind.CORRECTION, course=False)
    other.reason = "Correction by the college"
    LearningAccountEntry.objects.bulk_update([old, other], ["reason"])

    migration.codes_from_text(apps, None)

    old.refresh_from_db()
    other.refresh_from_db()
    assert (old.reason_code, old.reason_params, old.reason) == ("isp", {"year": "2026-2027", "credits": 52}, "")
    assert (other.reason_code, other.reason) == ("", "Correction by the college")
    with translation.override("en"):
        assert old.reason_text == "ISP 2026-2027: 52 credits"
    # Backwards: the sentence comes back.
    migration.text_from_codes(apps, None)
    old.refresh_from_db()
    assert old.reason == "ISP 2026-2027: 52 credits"
