"""Exam fraud's pure rules (fraud/rules.py; Art. 74, 76-77, 83-85, 92, 101 g; DOMAIN §10).

No database: plain values in, the expected outcome worked out by hand from the seed regulations in
a comment per case (never copied from the code under test)."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from fraud.rules import (
    DecisionRefusal,
    DisputeRefusal,
    EvidenceRefusal,
    FileKind,
    FraudMeasure,
    HearingRefusal,
    InvestigationRefusal,
    RatificationRefusal,
    ResultKey,
    Sanction,
    SanctionScope,
    WeighingFactor,
    advice_deadline,
    advice_may_be_disregarded,
    certificate_allowed,
    decision_refusals,
    dispute_refusals,
    evidence_refusals,
    exclusion_years,
    fr_code_applies,
    hearing_refusals,
    investigation_refusals,
    is_final,
    missing_factors,
    needs_ratification,
    ratification_refusals,
    retake_refused,
    year_mark,
)

S1, S2, S3, S4, S5, S6, S7 = (
    Sanction.NOT_VALIDLY_TAKEN,
    Sanction.APPROPRIATE_MARK,
    Sanction.ZERO_EXAM,
    Sanction.ZERO_PERIOD,
    Sanction.COURSE_EXCLUSION,
    Sanction.PROGRAMME_EXCLUSION,
    Sanction.ENROLMENT_BAN,
)
R = DecisionRefusal
BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = datetime.UTC


def bxl(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BRUSSELS)


def utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


# --- The enums ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sanction, number",
    [(S1, 1), (S2, 2), (S3, 3), (S4, 4), (S5, 5), (S6, 6), (S7, 7)],
    ids=lambda v: str(v),
)
def test_sanction_numbers_follow_article_85(sanction, number):
    # Art. 85 §1 lists 1° not validly taken ... 7° the enrolment ban, in this order.
    assert sanction.number == number


def test_value_sets():
    # The codes the lead's models and the study progress file (EXCHANGE.md) use.
    assert [s.value for s in Sanction] == [
        "not_validly_taken",
        "appropriate_mark",
        "zero_exam",
        "zero_period",
        "course_exclusion",
        "programme_exclusion",
        "enrolment_ban",
    ]
    assert [k.value for k in FileKind] == ["fraud", "plagiarism", "dispute"]
    assert [f.value for f in WeighingFactor] == ["proportion", "kind", "experience", "intention"]
    assert [m.value for m in FraudMeasure] == ["fraud_exclusion", "fraud_enrolment_ban"]


# --- Evidence (Art. 84) -----------------------------------------------------------------------------
TEN_MB = 10 * 1024 * 1024
ALLOWED = {"pdf", "jpg", "png"}
EVIDENCE_CASES = [
    pytest.param("report.pdf", 1000, ALLOWED, [], id="small-pdf"),
    # The extension is compared without case: JPG is jpg.
    pytest.param("photo.JPG", 1000, ALLOWED, [], id="upper-case-extension"),
    # Exactly at the limit is within it; one byte more is over.
    pytest.param("scan.png", TEN_MB, ALLOWED, [], id="exactly-the-limit"),
    pytest.param("scan.png", TEN_MB + 1, ALLOWED, [EvidenceRefusal.TOO_LARGE], id="one-byte-over"),
    pytest.param("scan.png", 0, ALLOWED, [EvidenceRefusal.EMPTY], id="empty-file"),
    pytest.param("notes.exe", 1000, ALLOWED, [EvidenceRefusal.TYPE_NOT_ALLOWED], id="type-not-allowed"),
    # No extension at all; a bare ".pdf" has no name before the dot.
    pytest.param("pdf", 1000, ALLOWED, [EvidenceRefusal.TYPE_NOT_ALLOWED], id="no-extension"),
    pytest.param(".pdf", 1000, ALLOWED, [EvidenceRefusal.TYPE_NOT_ALLOWED], id="dot-file"),
    # Only the last extension counts: .pdf.exe is an exe, .tar.pdf a pdf.
    pytest.param("cheat.pdf.exe", 1000, ALLOWED, [EvidenceRefusal.TYPE_NOT_ALLOWED], id="double-extension-exe"),
    pytest.param("cheat.tar.pdf", 1000, ALLOWED, [], id="double-extension-pdf"),
    pytest.param(
        "movie.exe",
        TEN_MB + 1,
        ALLOWED,
        [EvidenceRefusal.TOO_LARGE, EvidenceRefusal.TYPE_NOT_ALLOWED],
        id="too-large-and-wrong-type",
    ),
    # Configured types may be written with a dot or in capitals.
    pytest.param("a.pdf", 1, {".PDF"}, [], id="configured-with-dot-and-capitals"),
]


@pytest.mark.parametrize("name, size, allowed, expected", EVIDENCE_CASES)
def test_evidence_refusals(name, size, allowed, expected):
    assert evidence_refusals(name=name, size=size, max_bytes=TEN_MB, allowed_extensions=allowed) == expected


# --- Plagiarism: the investigation and the factors (Art. 84-85) -----------------------------------
IR = InvestigationRefusal
INVESTIGATION_CASES = [
    # Chair, teacher and programme head together, with findings: done (the expert is optional).
    pytest.param(True, True, True, "40 % copied from a website", [], id="complete"),
    pytest.param(False, True, True, "x", [IR.CHAIR_MISSING], id="no-chair"),
    pytest.param(True, False, True, "x", [IR.TEACHER_MISSING], id="no-teacher"),
    pytest.param(True, True, False, "x", [IR.PROGRAMME_HEAD_MISSING], id="no-programme-head"),
    pytest.param(True, True, True, "  ", [IR.NO_FINDINGS], id="blank-findings"),
    pytest.param(
        False,
        False,
        False,
        "",
        [IR.CHAIR_MISSING, IR.TEACHER_MISSING, IR.PROGRAMME_HEAD_MISSING, IR.NO_FINDINGS],
        id="nothing",
    ),
]


@pytest.mark.parametrize("chair, teacher, head, findings, expected", INVESTIGATION_CASES)
def test_investigation_refusals(chair, teacher, head, findings, expected):
    assert investigation_refusals(chair=chair, teacher=teacher, programme_head=head, findings=findings) == expected


W = WeighingFactor


@pytest.mark.parametrize(
    "weighed, missing",
    [
        # Nothing weighed: the four factors of Art. 85, in the article's order.
        ([], [W.PROPORTION, W.KIND, W.EXPERIENCE, W.INTENTION]),
        # Intention and proportion weighed: kind (2°) and experience (3°) remain.
        ([W.INTENTION, W.PROPORTION], [W.KIND, W.EXPERIENCE]),
        # As stored strings, all four: nothing missing.
        (["kind", "intention", "experience", "proportion"], []),
    ],
)
def test_missing_factors(weighed, missing):
    assert missing_factors(weighed) == missing


# --- Hearings (Art. 74, 84) -------------------------------------------------------------------------
H = HearingRefusal
HEARING_CASES = [
    # examiner heard, student heard, ombudsperson present at the student's hearing
    pytest.param(True, True, True, [], id="both-heard-with-ombudsperson"),
    # The student heard by the chair without an ombudsperson is not the hearing of Art. 84.
    pytest.param(True, True, False, [H.NO_OMBUDSPERSON_AT_HEARING], id="student-heard-without-ombudsperson"),
    # The student not heard: the ombudsperson's presence at no hearing is beside the point.
    pytest.param(True, False, True, [H.STUDENT_NOT_HEARD], id="student-not-heard"),
    pytest.param(True, False, False, [H.STUDENT_NOT_HEARD], id="student-not-heard-no-ombudsperson"),
    pytest.param(False, True, True, [H.EXAMINER_NOT_HEARD], id="examiner-not-heard"),
    pytest.param(
        False,
        True,
        False,
        [H.EXAMINER_NOT_HEARD, H.NO_OMBUDSPERSON_AT_HEARING],
        id="examiner-not-heard-no-ombudsperson",
    ),
    pytest.param(False, False, True, [H.EXAMINER_NOT_HEARD, H.STUDENT_NOT_HEARD], id="nobody-heard"),
    pytest.param(False, False, False, [H.EXAMINER_NOT_HEARD, H.STUDENT_NOT_HEARD], id="nobody-heard-no-ombudsperson"),
]


@pytest.mark.parametrize("examiner, student, ombudsperson, expected", HEARING_CASES)
def test_hearing_refusals(examiner, student, ombudsperson, expected):
    assert (
        hearing_refusals(
            examiner_heard=examiner, student_heard=student, ombudsperson_present_at_student_hearing=ombudsperson
        )
        == expected
    )


# --- The decision (Art. 85 §1, §3) -----------------------------------------------------------------
def decide(**overrides):
    """A valid fraud decision (3°, both hearings held with an ombudsperson, reasons given), with the
    given changes."""
    values = {
        "sanctions": [S3],
        "reason": "A smartphone with the course notes was found under the exam sheet.",
        "examiner_heard": True,
        "student_heard": True,
        "ombudsperson_present_at_student_hearing": True,
    }
    values.update(overrides)
    return decision_refusals(**values)


ALL_FACTORS = list(WeighingFactor)
DECISION_CASES = [
    # --- the baseline and the general conditions
    pytest.param({}, [], id="zero-for-the-exam-after-both-hearings"),
    pytest.param({"reason": "   "}, [R.NO_REASON], id="blank-reason"),
    pytest.param({"sanctions": []}, [R.NO_SANCTION], id="no-sanction"),
    # Sanctions as stored strings are read as the enum.
    pytest.param({"sanctions": ["zero_exam"]}, [], id="sanction-as-string"),
    # --- hearings before the decision (Art. 74, 84)
    pytest.param({"examiner_heard": False}, [R.EXAMINER_NOT_HEARD], id="examiner-not-heard"),
    pytest.param({"student_heard": False}, [R.STUDENT_NOT_HEARD], id="student-not-heard"),
    pytest.param(
        {"ombudsperson_present_at_student_hearing": False},
        [R.NO_OMBUDSPERSON_AT_HEARING],
        id="student-heard-without-ombudsperson",
    ),
    pytest.param(
        {"examiner_heard": False, "student_heard": False, "ombudsperson_present_at_student_hearing": False},
        [R.EXAMINER_NOT_HEARD, R.STUDENT_NOT_HEARD],
        id="decision-before-any-hearing",
    ),
    # --- the file's kind
    pytest.param(
        {"file_kind": FileKind.PLAGIARISM, "investigated": True, "factors_weighed": ALL_FACTORS},
        [],
        id="plagiarism-investigated-and-weighed",
    ),
    pytest.param(
        {"file_kind": FileKind.PLAGIARISM, "investigated": False, "factors_weighed": ALL_FACTORS},
        [R.NOT_INVESTIGATED],
        id="plagiarism-not-investigated",
    ),
    # Three of the four factors: intention (4°) not weighed.
    pytest.param(
        {"file_kind": FileKind.PLAGIARISM, "investigated": True, "factors_weighed": ALL_FACTORS[:3]},
        [R.FACTORS_NOT_WEIGHED],
        id="plagiarism-three-factors",
    ),
    # A fraud file (not plagiarism) needs neither the investigation nor the factors.
    pytest.param({"file_kind": FileKind.FRAUD, "investigated": False}, [], id="fraud-needs-no-investigation"),
    # A dispute (Art. 92) takes no Art. 85 sanction.
    pytest.param({"file_kind": FileKind.DISPUTE}, [R.SANCTION_ON_DISPUTE], id="sanction-on-dispute"),
    # --- 1° stands alone
    pytest.param({"sanctions": [S1]}, [], id="not-validly-taken-alone"),
    # 1° (retake this year) with 3° (a zero for that same exam): two contradictory results.
    pytest.param({"sanctions": [S1, S3]}, [R.NOT_VALIDLY_TAKEN_NOT_ALONE], id="1-with-3"),
    # 1° with 5°: a retake this year and no retake before next year.
    pytest.param({"sanctions": [S1, S5], "courses": ["A"]}, [R.NOT_VALIDLY_TAKEN_NOT_ALONE], id="1-with-5-contradicts"),
    # 1°, 2° and 3°: 1° not alone, and 2° with 3° (a mark and a zero for one exam).
    pytest.param(
        {"sanctions": [S1, S2, S3], "new_mark": 5},
        [R.NOT_VALIDLY_TAKEN_NOT_ALONE, R.MARK_AND_ZERO],
        id="1-2-3-together",
    ),
    # --- 2°
    pytest.param({"sanctions": [S2], "new_mark": 8}, [], id="appropriate-mark-8"),
    pytest.param({"sanctions": [S2], "new_mark": 0}, [], id="appropriate-mark-0"),
    pytest.param({"sanctions": [S2], "new_mark": 20}, [], id="appropriate-mark-20"),
    pytest.param({"sanctions": [S2]}, [R.NO_MARK], id="appropriate-mark-missing"),
    pytest.param({"sanctions": [S2], "new_mark": 21}, [R.MARK_NOT_ALLOWED], id="appropriate-mark-21"),
    pytest.param({"sanctions": [S2], "new_mark": -1}, [R.MARK_NOT_ALLOWED], id="appropriate-mark-minus-1"),
    # NA (not taken) is what 1° decides, not a mark.
    pytest.param({"sanctions": [S2], "new_mark": "NA"}, [R.MARK_NOT_ALLOWED], id="appropriate-mark-NA"),
    # A bool is not a mark, although True == 1.
    pytest.param({"sanctions": [S2], "new_mark": True}, [R.MARK_NOT_ALLOWED], id="appropriate-mark-bool"),
    # P/F only for a pass/fail course, 0-20 only for the others (Art. 65-66).
    pytest.param({"sanctions": [S2], "new_mark": "P"}, [R.MARK_NOT_ALLOWED], id="P-on-numeric-course"),
    pytest.param({"sanctions": [S2], "new_mark": "F", "pass_fail": True}, [], id="F-on-pass-fail-course"),
    pytest.param(
        {"sanctions": [S2], "new_mark": 12, "pass_fail": True}, [R.MARK_NOT_ALLOWED], id="12-on-pass-fail-course"
    ),
    pytest.param({"sanctions": [S2, S3], "new_mark": 8}, [R.MARK_AND_ZERO], id="mark-and-zero"),
    # 6° takes every result of the period, the appropriate mark included.
    pytest.param(
        {"sanctions": [S2, S6], "new_mark": 8, "judged_gross": True},
        [R.MARK_AND_EXCLUSION],
        id="mark-and-programme-exclusion",
    ),
    pytest.param({"sanctions": [S3], "new_mark": 12}, [R.MARK_WITHOUT_SANCTION], id="mark-without-2"),
    # --- 4°
    pytest.param({"sanctions": [S4], "zeroed_results": [11, 12]}, [], id="zero-period-not-announced"),
    pytest.param(
        {"sanctions": [S4], "zeroed_results": [11, 12], "results_announced": True},
        [R.RESULTS_ANNOUNCED],
        id="zero-period-on-announced-results",
    ),
    pytest.param({"sanctions": [S4]}, [R.NO_RESULTS], id="zero-period-without-results"),
    pytest.param(
        {"sanctions": [S3], "zeroed_results": [11]}, [R.RESULTS_WITHOUT_SANCTION], id="zeroed-results-without-4"
    ),
    # An announced result matters only to 4°: 3° on it is not refused by this rule.
    pytest.param({"results_announced": True}, [], id="announced-with-3-only"),
    # 3°, 4° and 5° together are coherent: a zero for the exam, for others of the period, exclusion
    # from a course.
    pytest.param({"sanctions": [S3, S4, S5], "zeroed_results": [11], "courses": ["B"]}, [], id="3-4-5-together"),
    # --- 5°
    pytest.param({"sanctions": [S5], "courses": ["A", "B"]}, [], id="course-exclusion-two-courses"),
    pytest.param({"sanctions": [S5]}, [R.NO_COURSES], id="course-exclusion-without-courses"),
    pytest.param({"sanctions": [S3], "courses": ["A"]}, [R.COURSES_WITHOUT_SANCTION], id="courses-without-5"),
    # --- 6°
    pytest.param({"sanctions": [S6], "judged_gross": True}, [], id="programme-exclusion-gross"),
    pytest.param({"sanctions": [S6]}, [R.NOT_GROSS], id="programme-exclusion-not-gross"),
    pytest.param(
        {"sanctions": [S6], "judged_gross": True, "thesis_change": True}, [], id="programme-exclusion-thesis-change"
    ),
    pytest.param(
        {"sanctions": [S5], "courses": ["A"], "thesis_change": True},
        [R.THESIS_CHANGE_WITHOUT_EXCLUSION],
        id="thesis-change-without-6",
    ),
    # --- 7°
    pytest.param({"sanctions": [S6, S7], "judged_gross": True, "ban_years": 1}, [], id="6-and-7-one-year"),
    pytest.param({"sanctions": [S6, S7], "judged_gross": True, "ban_years": 2}, [], id="6-and-7-two-years"),
    # 7° alone: only in combination with exclusion from a programme.
    pytest.param({"sanctions": [S7], "ban_years": 1}, [R.BAN_WITHOUT_EXCLUSION], id="7-alone"),
    # 7° with 5° is still 7° without 6°.
    pytest.param(
        {"sanctions": [S5, S7], "courses": ["A"], "ban_years": 2}, [R.BAN_WITHOUT_EXCLUSION], id="7-with-5-not-6"
    ),
    pytest.param({"sanctions": [S6, S7], "judged_gross": True, "ban_years": 3}, [R.BAN_YEARS], id="7-three-years"),
    pytest.param({"sanctions": [S6, S7], "judged_gross": True, "ban_years": 0}, [R.BAN_YEARS], id="7-zero-years"),
    pytest.param({"sanctions": [S6, S7], "judged_gross": True}, [R.BAN_YEARS], id="7-years-missing"),
    pytest.param({"sanctions": [S6, S7], "judged_gross": True, "ban_years": True}, [R.BAN_YEARS], id="7-years-bool"),
    # 7° alone with three years: both wrong.
    pytest.param({"sanctions": [S7], "ban_years": 3}, [R.BAN_WITHOUT_EXCLUSION, R.BAN_YEARS], id="7-alone-three"),
    pytest.param(
        {"sanctions": [S6], "judged_gross": True, "ban_years": 1},
        [R.BAN_YEARS_WITHOUT_BAN],
        id="ban-years-without-7",
    ),
    # --- setting aside "the highest result of the year stands" (every sanction but 1°)
    pytest.param({"set_aside_highest_result": True}, [], id="set-aside-with-3"),
    pytest.param(
        {"sanctions": [S1], "set_aside_highest_result": True}, [R.SET_ASIDE_NOT_ALLOWED], id="set-aside-with-only-1"
    ),
    pytest.param({"sanctions": [S5], "courses": ["A"], "set_aside_highest_result": True}, [], id="set-aside-with-5"),
    # With no sanction at all: nothing to set it aside with.
    pytest.param(
        {"sanctions": [], "set_aside_highest_result": True},
        [R.NO_SANCTION, R.SET_ASIDE_NOT_ALLOWED],
        id="set-aside-without-sanction",
    ),
    # An annulment (§3) is no sanction of §1: the option goes with §1's sanctions.
    pytest.param(
        {
            "sanctions": [],
            "annulment": True,
            "annulled_certificates": [7],
            "judged_gross": True,
            "set_aside_highest_result": True,
        },
        [R.SET_ASIDE_NOT_ALLOWED],
        id="set-aside-with-annulment-only",
    ),
    # --- annulment (Art. 77, 85 §3)
    pytest.param(
        {"sanctions": [], "annulment": True, "annulled_certificates": [7], "judged_gross": True},
        [],
        id="annulment-alone",
    ),
    pytest.param(
        {"sanctions": [S6], "annulment": True, "annulled_certificates": [7, 8], "judged_gross": True},
        [],
        id="annulment-with-6",
    ),
    pytest.param(
        {"sanctions": [], "annulment": True, "annulled_certificates": [7]}, [R.NOT_GROSS], id="annulment-not-serious"
    ),
    pytest.param(
        {"sanctions": [], "annulment": True, "judged_gross": True}, [R.NO_CERTIFICATES], id="annulment-of-nothing"
    ),
    pytest.param(
        {"annulled_certificates": [7]}, [R.CERTIFICATES_WITHOUT_ANNULMENT], id="certificates-without-annulment"
    ),
    # --- everything wrong at once, in the function's order
    pytest.param(
        {
            "sanctions": [S1, S7],
            "reason": "",
            "examiner_heard": False,
            "ombudsperson_present_at_student_hearing": False,
            "new_mark": 4,
            "set_aside_highest_result": True,
        },
        [
            R.NO_REASON,
            R.EXAMINER_NOT_HEARD,
            R.NO_OMBUDSPERSON_AT_HEARING,
            R.NOT_VALIDLY_TAKEN_NOT_ALONE,
            R.MARK_WITHOUT_SANCTION,
            R.BAN_WITHOUT_EXCLUSION,
            R.BAN_YEARS,
        ],
        id="many-problems",
    ),
]


@pytest.mark.parametrize("overrides, expected", DECISION_CASES)
def test_decision_refusals(overrides, expected):
    assert decide(**overrides) == expected


def test_unknown_sanction_is_an_error():
    with pytest.raises(ValueError):
        decide(sanctions=["expulsion"])


# --- Disputes (Art. 92) -----------------------------------------------------------------------------
D = DisputeRefusal


@pytest.mark.parametrize(
    "outcome, examiner, student, expected",
    [
        # Both heard by the chair, an outcome stated: recorded (no ombudsperson needed at the hearing).
        ("Exam continued in another room.", True, True, []),
        ("", True, True, [D.NO_OUTCOME]),
        ("x", False, True, [D.EXAMINER_NOT_HEARD]),
        ("x", True, False, [D.STUDENT_NOT_HEARD]),
        (" ", False, False, [D.NO_OUTCOME, D.EXAMINER_NOT_HEARD, D.STUDENT_NOT_HEARD]),
    ],
)
def test_dispute_refusals(outcome, examiner, student, expected):
    assert dispute_refusals(outcome=outcome, examiner_heard=examiner, student_heard=student) == expected


# --- Ratification (Art. 85 §2-3) --------------------------------------------------------------------
@pytest.mark.parametrize(
    "sanctions, annulment, expected",
    [
        # §2: an exclusion from a programme, with or without the loss of the right to enrol.
        ([S6], False, True),
        ([S6, S7], False, True),
        # 7° alone is refused by decision_refusals; were it asked, it still needs ratification.
        ([S7], False, True),
        # §3: any annulment, with or without a §1 sanction.
        ([], True, True),
        ([S3], True, True),
        # 1°-5° alone: final when decided.
        ([S1], False, False),
        ([S2], False, False),
        ([S3], False, False),
        ([S4], False, False),
        ([S5], False, False),
        ([S3, S4, S5], False, False),
        ([], False, False),
    ],
)
def test_needs_ratification(sanctions, annulment, expected):
    assert needs_ratification(sanctions, annulment) is expected


@pytest.mark.parametrize(
    "sanctions, annulment, ratified, expected",
    [
        ([S3], False, None, True),  # no ratification needed: final at once
        ([S6], False, None, False),  # waiting for the authority
        ([S6, S7], False, True, True),  # ratified
        ([S6], False, False, False),  # not ratified: the committee decides anew
        ([], True, None, False),  # an annulment waits too
        ([], True, True, True),
    ],
)
def test_is_final(sanctions, annulment, ratified, expected):
    assert is_final(sanctions=sanctions, annulment=annulment, ratified=ratified) is expected


# Requested on Monday 6 May 2024 at 10:00 in Brussels (summer time, UTC+2), i.e. 08:00 UTC; the 48
# hours end on Wednesday 8 May at 08:00 UTC = 10:00 in Brussels.
REQUESTED = bxl(2024, 5, 6, 10, 0)
ADVICE_CASES = [
    pytest.param(REQUESTED, bxl(2024, 5, 6, 10, 0), False, id="at-the-request"),
    pytest.param(REQUESTED, bxl(2024, 5, 7, 10, 0), False, id="after-24h"),
    pytest.param(REQUESTED, bxl(2024, 5, 8, 9, 59, 59), False, id="one-second-before-48h"),
    # Exactly 48 h: an advice given now is still given within 48 hours, so it may not be disregarded.
    pytest.param(REQUESTED, bxl(2024, 5, 8, 10, 0), False, id="exactly-48h"),
    pytest.param(REQUESTED, bxl(2024, 5, 8, 10, 0, 0, 1), True, id="one-microsecond-after-48h"),
    pytest.param(REQUESTED, bxl(2024, 5, 8, 10, 0, 1), True, id="one-second-after-48h"),
    pytest.param(REQUESTED, bxl(2024, 5, 10, 9, 0), True, id="days-later"),
    # The same instants given in UTC: 08:00 UTC is the deadline itself, 08:00:01 after it.
    pytest.param(REQUESTED, utc(2024, 5, 8, 8, 0), False, id="exactly-48h-in-utc"),
    pytest.param(REQUESTED, utc(2024, 5, 8, 8, 0, 1), True, id="after-48h-in-utc"),
    # A "now" before the request (a clock set back): never.
    pytest.param(REQUESTED, bxl(2024, 5, 5, 10, 0), False, id="before-the-request"),
    # Summer time starts on Sunday 31 March 2024 at 02:00 (clocks to 03:00). Requested Saturday 30
    # March 12:00 CET = 11:00 UTC; the 48 hours end on Monday 1 April 11:00 UTC = 13:00 CEST. At 12:30
    # CEST the wall clock shows 48.5 h, but only 47.5 h have passed.
    pytest.param(bxl(2024, 3, 30, 12, 0), bxl(2024, 4, 1, 12, 30), False, id="spring-forward-wall-clock-48h30"),
    pytest.param(bxl(2024, 3, 30, 12, 0), bxl(2024, 4, 1, 13, 0), False, id="spring-forward-exactly-48h"),
    pytest.param(bxl(2024, 3, 30, 12, 0), bxl(2024, 4, 1, 13, 0, 1), True, id="spring-forward-after-48h"),
    # Summer time ends on Sunday 29 October 2023 at 03:00 (clocks to 02:00). Requested Saturday 28
    # October 12:00 CEST = 10:00 UTC; the 48 hours end on Monday 30 October 10:00 UTC = 11:00 CET. At
    # 11:30 CET the wall clock shows 47.5 h, but 48.5 h have passed.
    pytest.param(bxl(2023, 10, 28, 12, 0), bxl(2023, 10, 30, 11, 30), True, id="fall-back-wall-clock-47h30"),
    pytest.param(bxl(2023, 10, 28, 12, 0), bxl(2023, 10, 30, 11, 0), False, id="fall-back-exactly-48h"),
]


@pytest.mark.parametrize("requested_at, now, expected", ADVICE_CASES)
def test_advice_may_be_disregarded(requested_at, now, expected):
    assert advice_may_be_disregarded(requested_at=requested_at, now=now) is expected


@pytest.mark.parametrize(
    "requested_at, deadline",
    [
        (REQUESTED, utc(2024, 5, 8, 8, 0)),
        (bxl(2024, 3, 30, 12, 0), utc(2024, 4, 1, 11, 0)),  # 13:00 CEST, see above
        (bxl(2023, 10, 28, 12, 0), utc(2023, 10, 30, 10, 0)),  # 11:00 CET
    ],
)
def test_advice_deadline(requested_at, deadline):
    assert advice_deadline(requested_at) == deadline


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        advice_may_be_disregarded(requested_at=datetime.datetime(2024, 5, 6, 10, 0), now=bxl(2024, 5, 9, 10, 0))
    with pytest.raises(ValueError):
        advice_may_be_disregarded(requested_at=REQUESTED, now=datetime.datetime(2024, 5, 9, 10, 0))


RR = RatificationRefusal
NOW = bxl(2024, 5, 8, 10, 0)  # exactly 48 h after REQUESTED
RATIFICATION_CASES = [
    # sanctions, annulment, ombudsperson advice, council advice, council requested at, expected
    # A sanction that needs none: only that is said, whatever the advice.
    pytest.param([S3], False, False, False, None, [RR.NOT_NEEDED], id="3-needs-no-ratification"),
    pytest.param([S4, S5], False, True, True, None, [RR.NOT_NEEDED], id="4-5-need-no-ratification"),
    pytest.param([], False, True, True, None, [RR.NOT_NEEDED], id="nothing-to-ratify"),
    pytest.param([S6, S7], False, True, True, REQUESTED, [], id="both-advices-given"),
    # The council's advice given: when it was requested does not matter.
    pytest.param([S6], False, True, True, None, [], id="council-advice-given-request-unknown"),
    pytest.param([S6], False, False, True, REQUESTED, [RR.NO_OMBUDSPERSON_ADVICE], id="before-ombudsperson-advice"),
    pytest.param(
        [S6, S7], False, True, False, None, [RR.COUNCIL_ADVICE_NOT_REQUESTED], id="council-advice-not-requested"
    ),
    # Requested 47 h before NOW: still within the 48 hours.
    pytest.param(
        [S6], False, True, False, bxl(2024, 5, 6, 11, 0), [RR.COUNCIL_ADVICE_PENDING], id="council-advice-47h"
    ),
    # Requested exactly 48 h before NOW: the advice may still come in time (see the boundary above).
    pytest.param([S6], False, True, False, REQUESTED, [RR.COUNCIL_ADVICE_PENDING], id="council-advice-exactly-48h"),
    # Requested 48 h and 1 s before NOW: may be disregarded.
    pytest.param([S6], False, True, False, bxl(2024, 5, 6, 9, 59, 59), [], id="council-advice-48h-1s"),
    # An annulment alone, no advice yet, the council's requested 10 h ago: both missing.
    pytest.param(
        [],
        True,
        False,
        False,
        bxl(2024, 5, 8, 0, 0),
        [RR.NO_OMBUDSPERSON_ADVICE, RR.COUNCIL_ADVICE_PENDING],
        id="annulment-both-missing",
    ),
    # The council's 48 hours passed (49 h) but the ombudsperson's advice has no such term.
    pytest.param(
        [S6], False, False, False, bxl(2024, 5, 6, 9, 0), [RR.NO_OMBUDSPERSON_ADVICE], id="ombudsperson-has-no-term"
    ),
]


@pytest.mark.parametrize("sanctions, annulment, ombudsperson, council, requested_at, expected", RATIFICATION_CASES)
def test_ratification_refusals(sanctions, annulment, ombudsperson, council, requested_at, expected):
    assert (
        ratification_refusals(
            sanctions=sanctions,
            annulment=annulment,
            ombudsperson_advice_given=ombudsperson,
            council_advice_given=council,
            council_advice_requested_at=requested_at,
            now=NOW,
        )
        == expected
    )


# --- The measures of 6° and 7° (EXCHANGE.md) ------------------------------------------------------
EXCL, BAN = "fraud_exclusion", "fraud_enrolment_ban"
YEARS_CASES = [
    # Sanctioned in 2023-2024 with 6°: excluded for the rest of 2023-2024, may enrol from 2024-2025.
    pytest.param(2023, None, {EXCL: {"from": "2023-2024", "until": "2023-2024"}}, id="6-only-2023"),
    # With 7° for one year: no enrolment anywhere in 2024-2025, free again from 2025-2026.
    pytest.param(
        2023,
        1,
        {EXCL: {"from": "2023-2024", "until": "2023-2024"}, BAN: {"from": "2024-2025", "until": "2024-2025"}},
        id="6-and-7-one-year-2023",
    ),
    # For two years: 2024-2025 and 2025-2026.
    pytest.param(
        2023,
        2,
        {EXCL: {"from": "2023-2024", "until": "2023-2024"}, BAN: {"from": "2024-2025", "until": "2025-2026"}},
        id="6-and-7-two-years-2023",
    ),
    pytest.param(
        2024,
        2,
        {EXCL: {"from": "2024-2025", "until": "2024-2025"}, BAN: {"from": "2025-2026", "until": "2026-2027"}},
        id="6-and-7-two-years-2024",
    ),
]


@pytest.mark.parametrize("first, ban_years, expected", YEARS_CASES)
def test_exclusion_years(first, ban_years, expected):
    assert exclusion_years(first, ban_years) == expected


@pytest.mark.parametrize("ban_years", [0, 3, -1, True])
def test_exclusion_years_refuses_other_ban_lengths(ban_years):
    with pytest.raises(ValueError):
        exclusion_years(2023, ban_years)


# --- Retakes after 5° and 6° (Art. 85 §1) ---------------------------------------------------------
@pytest.mark.parametrize(
    "sanctions, opportunity_first, sanction_first, expected",
    [
        # 5° in 2023-2024: the second opportunity in 2023-2024 is refused, 2024-2025's is allowed.
        ([S5], 2023, 2023, True),
        ([S5], 2024, 2023, False),
        ([S3, S5], 2023, 2023, True),
        # 6°: excluded from the programme, no further opportunity this year.
        ([S6], 2023, 2023, True),
        ([S6, S7], 2024, 2023, False),
        # 1° orders a retake; 2°-4° leave the second opportunity as it is.
        ([S1], 2023, 2023, False),
        ([S2], 2023, 2023, False),
        ([S3], 2023, 2023, False),
        ([S4], 2023, 2023, False),
        ([], 2023, 2023, False),
    ],
)
def test_retake_refused(sanctions, opportunity_first, sanction_first, expected):
    assert (
        retake_refused(
            sanctions_on_course=sanctions, opportunity_year_first=opportunity_first, sanction_year_first=sanction_first
        )
        is expected
    )


# --- Credit certificates (Art. 76-77) -------------------------------------------------------------
@pytest.mark.parametrize(
    "passed, sanctions, annulled, expected",
    [
        (True, [], False, True),  # passed, no sanction: a certificate (Art. 76)
        (False, [], False, False),  # failed: none
        # 1°: the retake's pass earns the certificate.
        (True, [S1], False, True),
        (False, [S1], False, False),
        # 2° with an appropriate mark of 10 or more: passed on the mark, but sanctioned: none.
        (True, [S2], False, False),
        (True, [S3], False, False),
        (True, [S4], False, False),
        (True, [S5], False, False),
        (True, [S6], False, False),
        # An annulled certificate (Art. 77, 85 §3): none.
        (True, [], True, False),
    ],
)
def test_certificate_allowed(passed, sanctions, annulled, expected):
    assert certificate_allowed(passed=passed, sanctions_on_course=sanctions, annulled=annulled) is expected


# --- The highest result of the year (Art. 85 §1, Art. 89) --------------------------------------------
@pytest.mark.parametrize(
    "marks, set_aside, expected",
    [
        # 12 in January, fraud in June with 3° (0): the 12 stands by the highest-result rule ...
        ([12, 0], False, 12),
        # ... unless the committee set the rule aside: the sanctioned 0 stands.
        ([12, 0], True, 0),
        # Fraud first (0), 14 at the second opportunity: 14 either way.
        ([0, 14], False, 14),
        ([0, 14], True, 14),
        ([12], True, 12),
        (["P", "F"], False, "P"),
        (["P", "F"], True, "F"),
        ([], False, None),
        ([], True, None),
    ],
)
def test_year_mark(marks, set_aside, expected):
    assert year_mark(marks, highest_set_aside=set_aside) == expected


# --- FR in the study progress file (Art. 85 §4) ---------------------------------------------------
# Academic year 2023-2024: periods JAN (first), JUN (second), AUG (third); 2024-2025: JAN25.
# The fraud happened at course A's June exam.
EXAM = ResultKey("A", "JUN", 2023)
A_JAN, A_AUG, A_JAN25 = ResultKey("A", "JAN", 2023), ResultKey("A", "AUG", 2023), ResultKey("A", "JAN25", 2024)
B_JUN, B_AUG, C_JUN, C_AUG = (
    ResultKey("B", "JUN", 2023),
    ResultKey("B", "AUG", 2023),
    ResultKey("C", "JUN", 2023),
    ResultKey("C", "AUG", 2023),
)
A_2022 = ResultKey("A", "JUN22", 2022)


def scope(sanctions, **kwargs):
    return SanctionScope(sanctions=frozenset(sanctions), exam=EXAM, **kwargs)


FR_CASES = [
    # 1°-3°: the exam's result only; course A's January result is not touched, nor B's June result.
    pytest.param(scope([S1]), EXAM, True, id="1-the-exam"),
    pytest.param(scope([S2]), EXAM, True, id="2-the-exam"),
    pytest.param(scope([S3]), EXAM, True, id="3-the-exam"),
    pytest.param(scope([S3]), A_JAN, False, id="3-not-the-earlier-opportunity"),
    pytest.param(scope([S3]), B_JUN, False, id="3-not-another-course"),
    # 4° zeroes B and C in June and C in August (a following period): exactly those.
    pytest.param(scope([S4], zeroed=frozenset({B_JUN, C_JUN, C_AUG})), B_JUN, True, id="4-zeroed-B"),
    pytest.param(scope([S4], zeroed=frozenset({B_JUN, C_JUN, C_AUG})), C_AUG, True, id="4-zeroed-following-period"),
    pytest.param(scope([S4], zeroed=frozenset({B_JUN, C_JUN})), B_AUG, False, id="4-not-zeroed"),
    # 4° alone, the exam itself not among the zeroed: not touched.
    pytest.param(scope([S4], zeroed=frozenset({B_JUN})), EXAM, False, id="4-exam-not-zeroed"),
    # Zeroed results listed without 4° touch nothing.
    pytest.param(scope([S3], zeroed=frozenset({B_JUN})), B_JUN, False, id="zeroed-without-4"),
    # 5° excludes A and B: every 2023-2024 result of A and B, not next year's retake, not C.
    pytest.param(scope([S5], excluded_courses=frozenset({"A", "B"})), A_JAN, True, id="5-A-january"),
    pytest.param(scope([S5], excluded_courses=frozenset({"A", "B"})), EXAM, True, id="5-A-june"),
    pytest.param(scope([S5], excluded_courses=frozenset({"A", "B"})), B_AUG, True, id="5-B-august"),
    pytest.param(scope([S5], excluded_courses=frozenset({"A", "B"})), A_JAN25, False, id="5-not-next-year"),
    pytest.param(scope([S5], excluded_courses=frozenset({"A", "B"})), C_JUN, False, id="5-not-course-C"),
    # 6°: every result of the June period (A, B, C), not January's nor August's.
    pytest.param(scope([S6]), EXAM, True, id="6-the-exam"),
    pytest.param(scope([S6]), B_JUN, True, id="6-B-june"),
    pytest.param(scope([S6, S7]), C_JUN, True, id="6-7-C-june"),
    pytest.param(scope([S6]), A_JAN, False, id="6-not-january"),
    pytest.param(scope([S6]), C_AUG, False, id="6-not-august"),
    # 7° touches enrolment, not a result (its measure shows in the file).
    pytest.param(scope([S7]), EXAM, False, id="7-no-result"),
    # An annulment touches the annulled results, in whatever year.
    pytest.param(scope([], annulled=frozenset({A_2022})), A_2022, True, id="annulled-2022"),
    pytest.param(scope([], annulled=frozenset({A_2022})), EXAM, False, id="annulment-not-the-exam"),
    # No sanction, nothing annulled: no FR (records without fraud unchanged).
    pytest.param(scope([]), EXAM, False, id="nothing"),
]


@pytest.mark.parametrize("decision, result, expected", FR_CASES)
def test_fr_code_applies(decision, result, expected):
    assert fr_code_applies(result, decision) is expected
