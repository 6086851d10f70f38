"""Exam fraud, plagiarism and disputes during an exam as pure functions (Art. 74, 76-77, 83-85,
92-93, 101 g; DOMAIN §10): plain values in, a decision out; no ORM, no clock.

- The file (Art. 84, 92): an examiner's report about fraud or plagiarism, or a dispute during an
  exam; evidence attached within the configured size and types.
- Plagiarism (Art. 84-85): investigated by the chair, the teacher and the programme head
  (optionally an expert), with findings and the four weighing factors of Art. 85.
- Hearings (Art. 74, 84): the examiner heard by the chair, and the student heard by the chair
  with an ombudsperson present, before the select committee prepares the file and before the
  complete committee decides.
- Sanctions (Art. 85 §1, 1°-7°), the option to set aside "the highest result of the year
  stands" (every sanction but 1°), the annulment of certificates (Art. 77, 85 §3).
- Ratification (Art. 85 §2-3): 6°, 7° and annulments are final only after the fraud
  authority's ratification, after the advice of an ombudsperson and the Student Council's
  chair; the chair's advice not given within 48 hours may be disregarded.
- Effects: the measures ``fraud_exclusion`` / ``fraud_enrolment_ban`` (EXCHANGE.md), no retake
  this academic year after 5° or 6°, no credit certificate (Art. 76-77), the year's mark when
  the highest-result rule is set aside, the code FR (Art. 85 §4).

Every refusal is a code; the services word it, citing the article given with the code.
"""

import datetime
import enum
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass

from exams.rules import NOT_TAKEN, Mark, final_mark, mark_allowed
from programmes.rules import academic_year_code


# --- The file (Art. 83-84, 92) ------------------------------------------------------------------
class FileKind(enum.StrEnum):
    FRAUD = "fraud"  # Art. 83 first paragraph
    PLAGIARISM = "plagiarism"  # Art. 83 second paragraph: investigated per Art. 84, weighed per Art. 85
    DISPUTE = "dispute"  # Art. 92: a conflict during an exam, its own outcome, no Art. 85 sanction


class Sanction(enum.StrEnum):
    """Art. 85 §1, in the order of the regulations (``number`` is the ordinal: 1 for 1°)."""

    NOT_VALIDLY_TAKEN = "not_validly_taken"  # 1° retake at a moment the cluster sets
    APPROPRIATE_MARK = "appropriate_mark"  # 2°
    ZERO_EXAM = "zero_exam"  # 3° zero for the exam or assignment, or a part of it
    ZERO_PERIOD = "zero_period"  # 4° zero for some or all exams of the period (and possibly later ones)
    COURSE_EXCLUSION = "course_exclusion"  # 5° zero, retake only in the next academic year
    PROGRAMME_EXCLUSION = "programme_exclusion"  # 6° every result of the period lost
    ENROLMENT_BAN = "enrolment_ban"  # 7° no enrolment for one or two academic years, only with 6°

    @property
    def number(self) -> int:
        return list(Sanction).index(self) + 1


class WeighingFactor(enum.StrEnum):
    """Art. 85 §1, last paragraph: what the seriousness of plagiarism and its sanction weigh."""

    PROPORTION = "proportion"  # 1° the proportions of plagiarism
    KIND = "kind"  # 2° incorrect or absent acknowledgements...
    EXPERIENCE = "experience"  # 3° the student's advancement in the programme
    INTENTION = "intention"  # 4° the intention to commit fraud


class FraudMeasure(enum.StrEnum):
    """The measure kinds of EXCHANGE.md for Art. 85 §1 6° and 7°."""

    FRAUD_EXCLUSION = "fraud_exclusion"  # 6°
    FRAUD_ENROLMENT_BAN = "fraud_enrolment_ban"  # 7°


BAN_YEARS = frozenset({1, 2})  # Art. 85 §1 7°: "the next academic year or the two next"
ADVICE_HOURS = 48  # Art. 85 §2
NEEDS_RATIFICATION = frozenset({Sanction.PROGRAMME_EXCLUSION, Sanction.ENROLMENT_BAN})  # Art. 85 §2
# 1°, 2° and 3° each decide the result of the exam the fraud concerns.
EXAM_SANCTIONS = frozenset({Sanction.NOT_VALIDLY_TAKEN, Sanction.APPROPRIATE_MARK, Sanction.ZERO_EXAM})
# After these, no further opportunity for the course in the academic year of the sanction.
NO_RETAKE_THIS_YEAR = frozenset({Sanction.COURSE_EXCLUSION, Sanction.PROGRAMME_EXCLUSION})


def _sanctions(sanctions: Iterable) -> frozenset[Sanction]:
    return frozenset(Sanction(s) for s in sanctions)


class EvidenceRefusal(enum.StrEnum):
    EMPTY = "evidence_empty"
    TOO_LARGE = "evidence_too_large"
    TYPE_NOT_ALLOWED = "evidence_type_not_allowed"


def evidence_refusals(
    *, name: str, size: int, max_bytes: int, allowed_extensions: Collection[str]
) -> list[EvidenceRefusal]:
    """Why an evidence file attached to the examiner's report (Art. 84: the incriminating
    evidence confiscated) is refused (empty: it is accepted). The limit and the types are the
    configured ones: a file of exactly ``max_bytes`` is accepted; the type is the name's last
    extension, compared without case and without its dot (``allowed_extensions``: ``{"pdf",
    "jpg"}``). The service also checks the content; this rule only judges what it is given."""
    problems = []
    if size <= 0:
        problems.append(EvidenceRefusal.EMPTY)
    elif size > max_bytes:
        problems.append(EvidenceRefusal.TOO_LARGE)
    stem, dot, extension = (name or "").rpartition(".")
    allowed = {e.lower().lstrip(".") for e in allowed_extensions}
    if not dot or not stem or extension.lower() not in allowed:
        problems.append(EvidenceRefusal.TYPE_NOT_ALLOWED)
    return problems


# --- Plagiarism: the investigation and the weighing (Art. 84-85) ---------------------------------
class InvestigationRefusal(enum.StrEnum):
    CHAIR_MISSING = "chair_missing"
    TEACHER_MISSING = "teacher_missing"
    PROGRAMME_HEAD_MISSING = "programme_head_missing"
    NO_FINDINGS = "no_findings"


def investigation_refusals(
    *, chair: bool, teacher: bool, programme_head: bool, findings: str
) -> list[InvestigationRefusal]:
    """Why a plagiarism investigation cannot be recorded as done (Art. 84): the chair of the
    committee together with the teacher concerned and the head of the programme investigate
    whether plagiarism was committed and how grave it is, and say so (the findings). An expert
    the chair assigns is optional and never replaces one of the three."""
    problems = []
    if not chair:
        problems.append(InvestigationRefusal.CHAIR_MISSING)
    if not teacher:
        problems.append(InvestigationRefusal.TEACHER_MISSING)
    if not programme_head:
        problems.append(InvestigationRefusal.PROGRAMME_HEAD_MISSING)
    if not (findings or "").strip():
        problems.append(InvestigationRefusal.NO_FINDINGS)
    return problems


def missing_factors(weighed: Iterable) -> list[WeighingFactor]:
    """The weighing factors of Art. 85 (proportion, kind, experience, intention) not yet
    recorded for a plagiarism file, in the order of the article."""
    done = {WeighingFactor(f) for f in weighed}
    return [factor for factor in WeighingFactor if factor not in done]


# --- Hearings (Art. 74, 84) ----------------------------------------------------------------------
class HearingRefusal(enum.StrEnum):
    EXAMINER_NOT_HEARD = "examiner_not_heard"  # Art. 74
    STUDENT_NOT_HEARD = "student_not_heard"  # Art. 74, 84
    NO_OMBUDSPERSON_AT_HEARING = "no_ombudsperson_at_hearing"  # Art. 74, 84


def hearing_refusals(
    *, examiner_heard: bool, student_heard: bool, ombudsperson_present_at_student_hearing: bool
) -> list[HearingRefusal]:
    """Why the select committee may not yet prepare a fraud file, nor the complete committee
    decide on it (Art. 74, 84): the chair hears the examiner of the course, and hears the student
    in the presence of an ombudsperson. A student's hearing without an ombudsperson is no hearing
    in the sense of Art. 84 (the code says which is missing)."""
    problems = []
    if not examiner_heard:
        problems.append(HearingRefusal.EXAMINER_NOT_HEARD)
    if not student_heard:
        problems.append(HearingRefusal.STUDENT_NOT_HEARD)
    elif not ombudsperson_present_at_student_hearing:
        problems.append(HearingRefusal.NO_OMBUDSPERSON_AT_HEARING)
    return problems


# --- The decision (Art. 85 §1, §3) ---------------------------------------------------------------
class DecisionRefusal(enum.StrEnum):
    NO_REASON = "no_reason"  # Art. 85 (a sanction is a decision with reasons, Art. 101 g)
    NO_SANCTION = "no_sanction"  # Art. 85 §1
    EXAMINER_NOT_HEARD = "examiner_not_heard"  # Art. 74
    STUDENT_NOT_HEARD = "student_not_heard"  # Art. 74, 84
    NO_OMBUDSPERSON_AT_HEARING = "no_ombudsperson_at_hearing"  # Art. 74, 84
    SANCTION_ON_DISPUTE = "sanction_on_dispute"  # Art. 92: a dispute has its own outcome
    NOT_INVESTIGATED = "not_investigated"  # Art. 84: plagiarism
    FACTORS_NOT_WEIGHED = "factors_not_weighed"  # Art. 85: plagiarism
    NOT_VALIDLY_TAKEN_NOT_ALONE = "not_validly_taken_not_alone"  # Art. 85 §1 1°
    MARK_AND_ZERO = "mark_and_zero"  # Art. 85 §1 2°, 3°
    MARK_AND_EXCLUSION = "mark_and_exclusion"  # Art. 85 §1 2°, 6°
    NO_MARK = "no_mark"  # Art. 85 §1 2°
    MARK_NOT_ALLOWED = "mark_not_allowed"  # Art. 85 §1 2°, Art. 65-66
    MARK_WITHOUT_SANCTION = "mark_without_sanction"  # Art. 85 §1 2°
    RESULTS_ANNOUNCED = "results_announced"  # Art. 85 §1 4°
    NO_RESULTS = "no_results"  # Art. 85 §1 4°
    RESULTS_WITHOUT_SANCTION = "results_without_sanction"  # Art. 85 §1 4°
    NO_COURSES = "no_courses"  # Art. 85 §1 5°
    COURSES_WITHOUT_SANCTION = "courses_without_sanction"  # Art. 85 §1 5°
    NOT_GROSS = "not_gross"  # Art. 85 §1 6°, §3
    THESIS_CHANGE_WITHOUT_EXCLUSION = "thesis_change_without_exclusion"  # Art. 85 §1 6°
    BAN_WITHOUT_EXCLUSION = "ban_without_exclusion"  # Art. 85 §1 7°
    BAN_YEARS = "ban_years"  # Art. 85 §1 7°
    BAN_YEARS_WITHOUT_BAN = "ban_years_without_ban"  # Art. 85 §1 7°
    SET_ASIDE_NOT_ALLOWED = "set_aside_not_allowed"  # Art. 85 §1, after 7°
    NO_CERTIFICATES = "no_certificates"  # Art. 77, 85 §3
    CERTIFICATES_WITHOUT_ANNULMENT = "certificates_without_annulment"  # Art. 77, 85 §3


def decision_refusals(
    *,
    sanctions: Iterable,
    reason: str,
    examiner_heard: bool,
    student_heard: bool,
    ombudsperson_present_at_student_hearing: bool,
    file_kind: FileKind = FileKind.FRAUD,
    investigated: bool = False,
    factors_weighed: Iterable = (),
    new_mark: Mark | None = None,
    pass_fail: bool = False,
    results_announced: bool = False,
    zeroed_results: Collection = (),
    courses: Collection = (),
    judged_gross: bool = False,
    thesis_change: bool = False,
    ban_years: int | None = None,
    set_aside_highest_result: bool = False,
    annulment: bool = False,
    annulled_certificates: Collection = (),
) -> list[DecisionRefusal]:
    """Why the complete committee's decision on a fraud or plagiarism file cannot be recorded
    (empty: it can). Whether the meeting is open and has its quorum is the committee's rule
    (committee.rules.decision_refusals); this one judges the file and the sanctions.

    - A decision carries its reasons; it has at least one sanction of Art. 85 §1 or an
      annulment (§3); closing a file because no fraud was established is another decision.
    - Hearings first (Art. 74, 84; ``hearing_refusals``).
    - Plagiarism: investigated (Art. 84) and the four factors weighed (Art. 85).
    - A dispute file (Art. 92) takes no sanction: the chair mediates and the committee decides
      its outcome; conduct that is fraud opens a fraud file.
    - 1° stands alone: the exam is not validly taken and is retaken this academic year at a
      moment the cluster sets, which every other sanction contradicts (2°, 3° give the same exam
      a result; 4°, 5° a zero; 5° a retake only next year; 6°-7° an exclusion). 2° and 3° are
      two results for the same exam. 2° with 6°: the mark would be lost with every result of
      the period (6°), the exam concerned included.
    - 2° names the mark: 0-20, or P/F for a pass/fail course (``pass_fail``); NA is 1°.
    - 4° names the results zeroed (``zeroed_results``: at least one), none of them already
      announced, nor the result of the exam the fraud concerns (``results_announced``: whether
      any of these was officially communicated).
    - 5° names the courses (at least one).
    - 6° only for gross irregularities as judged by the committee (``judged_gross``); it may
      oblige a change of thesis subject or supervisor (``thesis_change``), only with 6°.
    - 7° only with 6°, for 1 or 2 academic years (``ban_years``).
    - Setting aside the highest-result rule: with any sanction of §1 but 1°.
    - An annulment of certificates (Art. 77, 85 §3) names them and needs serious fraud
      (``judged_gross``); it may stand without a §1 sanction (§3: whenever the fraud is found,
      results already announced included).
    - Every detail belongs to its sanction: a mark without 2°, results without 4°, courses
      without 5°, ban years without 7°, certificates without an annulment are refused.
    """
    chosen = _sanctions(sanctions)
    problems: list[DecisionRefusal] = []
    if not (reason or "").strip():
        problems.append(DecisionRefusal.NO_REASON)
    if not chosen and not annulment:
        problems.append(DecisionRefusal.NO_SANCTION)
    problems += [
        DecisionRefusal(code)
        for code in hearing_refusals(
            examiner_heard=examiner_heard,
            student_heard=student_heard,
            ombudsperson_present_at_student_hearing=ombudsperson_present_at_student_hearing,
        )
    ]
    file_kind = FileKind(file_kind)
    if file_kind == FileKind.DISPUTE and (chosen or annulment):
        problems.append(DecisionRefusal.SANCTION_ON_DISPUTE)
    if file_kind == FileKind.PLAGIARISM:
        if not investigated:
            problems.append(DecisionRefusal.NOT_INVESTIGATED)
        if missing_factors(factors_weighed):
            problems.append(DecisionRefusal.FACTORS_NOT_WEIGHED)
    # Combinations.
    if Sanction.NOT_VALIDLY_TAKEN in chosen and len(chosen) > 1:
        problems.append(DecisionRefusal.NOT_VALIDLY_TAKEN_NOT_ALONE)
    if {Sanction.APPROPRIATE_MARK, Sanction.ZERO_EXAM} <= chosen:
        problems.append(DecisionRefusal.MARK_AND_ZERO)
    if {Sanction.APPROPRIATE_MARK, Sanction.PROGRAMME_EXCLUSION} <= chosen:
        problems.append(DecisionRefusal.MARK_AND_EXCLUSION)
    # 2°
    if Sanction.APPROPRIATE_MARK in chosen:
        if new_mark is None:
            problems.append(DecisionRefusal.NO_MARK)
        elif new_mark == NOT_TAKEN or not mark_allowed(new_mark, pass_fail=pass_fail):
            problems.append(DecisionRefusal.MARK_NOT_ALLOWED)
    elif new_mark is not None:
        problems.append(DecisionRefusal.MARK_WITHOUT_SANCTION)
    # 4°
    if Sanction.ZERO_PERIOD in chosen:
        if results_announced:
            problems.append(DecisionRefusal.RESULTS_ANNOUNCED)
        if not zeroed_results:
            problems.append(DecisionRefusal.NO_RESULTS)
    elif zeroed_results:
        problems.append(DecisionRefusal.RESULTS_WITHOUT_SANCTION)
    # 5°
    if Sanction.COURSE_EXCLUSION in chosen:
        if not courses:
            problems.append(DecisionRefusal.NO_COURSES)
    elif courses:
        problems.append(DecisionRefusal.COURSES_WITHOUT_SANCTION)
    # 6° and §3: gross or serious fraud.
    if (Sanction.PROGRAMME_EXCLUSION in chosen or annulment) and not judged_gross:
        problems.append(DecisionRefusal.NOT_GROSS)
    if thesis_change and Sanction.PROGRAMME_EXCLUSION not in chosen:
        problems.append(DecisionRefusal.THESIS_CHANGE_WITHOUT_EXCLUSION)
    # 7°
    if Sanction.ENROLMENT_BAN in chosen:
        if Sanction.PROGRAMME_EXCLUSION not in chosen:
            problems.append(DecisionRefusal.BAN_WITHOUT_EXCLUSION)
        if type(ban_years) is not int or ban_years not in BAN_YEARS:
            problems.append(DecisionRefusal.BAN_YEARS)
    elif ban_years is not None:
        problems.append(DecisionRefusal.BAN_YEARS_WITHOUT_BAN)
    # The highest result of the year (Art. 85 §1, after 7°).
    if set_aside_highest_result and not (chosen - {Sanction.NOT_VALIDLY_TAKEN}):
        problems.append(DecisionRefusal.SET_ASIDE_NOT_ALLOWED)
    # §3
    if annulment:
        if not annulled_certificates:
            problems.append(DecisionRefusal.NO_CERTIFICATES)
    elif annulled_certificates:
        problems.append(DecisionRefusal.CERTIFICATES_WITHOUT_ANNULMENT)
    return problems


class DisputeRefusal(enum.StrEnum):
    NO_OUTCOME = "no_outcome"
    EXAMINER_NOT_HEARD = "examiner_not_heard"
    STUDENT_NOT_HEARD = "student_not_heard"


def dispute_refusals(*, outcome: str, examiner_heard: bool, student_heard: bool) -> list[DisputeRefusal]:
    """Why the complete committee's final decision on a dispute during an exam cannot be
    recorded (Art. 92): the chair hears the student and the examiner (no ombudsperson required at
    the hearing: the ombudsperson carries the report and may be consulted), and the decision
    states its outcome. Material errors (Art. 93) are corrections, not disputes."""
    problems = []
    if not (outcome or "").strip():
        problems.append(DisputeRefusal.NO_OUTCOME)
    if not examiner_heard:
        problems.append(DisputeRefusal.EXAMINER_NOT_HEARD)
    if not student_heard:
        problems.append(DisputeRefusal.STUDENT_NOT_HEARD)
    return problems


# --- Ratification (Art. 85 §2-3) -----------------------------------------------------------------
def needs_ratification(sanctions: Iterable, annulment: bool) -> bool:
    """Whether the decision becomes final only after the competent fraud authority ratifies it:
    an exclusion from the programme (6°), with or without the loss of the right to enrol (7°),
    and any annulment of results and certificates (§3)."""
    return bool(_sanctions(sanctions) & NEEDS_RATIFICATION) or bool(annulment)


def is_final(*, sanctions: Iterable, annulment: bool, ratified: bool | None) -> bool:
    """Whether the decision is final (Art. 85 §2-3): at once when it needs no ratification, else
    only once ratified (``ratified``: None while the authority has not decided, False when it
    did not ratify, and the committee decides anew)."""
    return not needs_ratification(sanctions, annulment) or ratified is True


def _utc(moment: datetime.datetime, name: str) -> datetime.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return moment.astimezone(datetime.UTC)


def advice_deadline(requested_at: datetime.datetime) -> datetime.datetime:
    """The end of the Student Council chair's 48 hours (Art. 85 §2), counted from the request's
    date and time as elapsed time (in UTC: a change to or from summer time does not lengthen or
    shorten it). Aware datetimes only."""
    return _utc(requested_at, "requested_at") + datetime.timedelta(hours=ADVICE_HOURS)


def advice_may_be_disregarded(*, requested_at: datetime.datetime, now: datetime.datetime) -> bool:
    """Whether the Student Council chair's advice, requested at ``requested_at`` and not given,
    may be disregarded at ``now`` (Art. 85 §2: "does not give an advice within 48 hours").
    Decided: an advice given at exactly 48 hours is still given within them, so the condition can
    be disregarded only once the 48 hours have passed: strictly after the deadline, not at it."""
    return _utc(now, "now") > advice_deadline(requested_at)


class RatificationRefusal(enum.StrEnum):
    NOT_NEEDED = "not_needed"  # Art. 85 §2-3
    NO_OMBUDSPERSON_ADVICE = "no_ombudsperson_advice"  # Art. 85 §2
    COUNCIL_ADVICE_NOT_REQUESTED = "council_advice_not_requested"  # Art. 85 §2
    COUNCIL_ADVICE_PENDING = "council_advice_pending"  # Art. 85 §2: within the 48 hours


def ratification_refusals(
    *,
    sanctions: Iterable,
    annulment: bool,
    ombudsperson_advice_given: bool,
    council_advice_given: bool,
    council_advice_requested_at: datetime.datetime | None,
    now: datetime.datetime,
) -> list[RatificationRefusal]:
    """Why the fraud authority may not yet decide (ratify or not) on a committee decision (Art. 85
    §2): a decision that needs no ratification has none (only that code is returned); otherwise
    after the ombudsperson's advice and the Student Council chair's, or once the chair's advice
    was requested and not given within 48 hours (``advice_may_be_disregarded``)."""
    if not needs_ratification(sanctions, annulment):
        return [RatificationRefusal.NOT_NEEDED]
    problems = []
    if not ombudsperson_advice_given:
        problems.append(RatificationRefusal.NO_OMBUDSPERSON_ADVICE)
    if not council_advice_given:
        if council_advice_requested_at is None:
            problems.append(RatificationRefusal.COUNCIL_ADVICE_NOT_REQUESTED)
        elif not advice_may_be_disregarded(requested_at=council_advice_requested_at, now=now):
            problems.append(RatificationRefusal.COUNCIL_ADVICE_PENDING)
    return problems


# --- Effects ------------------------------------------------------------------------------------
def exclusion_years(current_year_first: int, ban_years: int | None) -> dict[FraudMeasure, dict[str, str]]:
    """The measures of a 6° (and 7°) sanction as academic year codes, ``from`` and ``until``
    inclusive (EXCHANGE.md). ``current_year_first``: the first calendar year of the academic year
    of the exam period in question.

    - ``fraud_exclusion`` (6°): from and until the current year: the student may enrol at the
      earliest for the next academic year.
    - ``fraud_enrolment_ban`` (7°, ``ban_years`` 1 or 2): the next academic year, or the next
      two; absent when ``ban_years`` is None. Any other value is a ``ValueError``
      (``decision_refusals`` refuses it first)."""
    if ban_years is not None and (type(ban_years) is not int or ban_years not in BAN_YEARS):
        raise ValueError(f"ban_years must be 1 or 2, not {ban_years!r}")
    current = academic_year_code(current_year_first)
    measures = {FraudMeasure.FRAUD_EXCLUSION: {"from": current, "until": current}}
    if ban_years is not None:
        measures[FraudMeasure.FRAUD_ENROLMENT_BAN] = {
            "from": academic_year_code(current_year_first + 1),
            "until": academic_year_code(current_year_first + ban_years),
        }
    return measures


def retake_refused(*, sanctions_on_course: Iterable, opportunity_year_first: int, sanction_year_first: int) -> bool:
    """Whether an opportunity for a course is refused because of a sanction on that course
    (Art. 85 §1): after 5° the student retakes only in the next academic year; after 6° the
    student, excluded from the programme, enrols at the earliest for the next academic year (the
    service passes 6° for every course of that programme). Years are the first calendar year of
    the academic year. The retake that 1° orders is allowed."""
    return bool(_sanctions(sanctions_on_course) & NO_RETAKE_THIS_YEAR) and opportunity_year_first <= sanction_year_first


def certificate_allowed(*, passed: bool, sanctions_on_course: Iterable, annulled: bool = False) -> bool:
    """Whether a passed course earns a credit certificate (Art. 76-77; DOMAIN §10: none for a
    sanctioned course): not when a sanction 2°-7° touches the course's result of that academic
    year, nor when the certificate was annulled (Art. 77, 85 §3). Decided: 1° does not count,
    since it takes away the invalid attempt and orders a retake, whose passed result earns the
    certificate like any other (otherwise the retake 1° orders could never lead to one)."""
    touched = _sanctions(sanctions_on_course) - {Sanction.NOT_VALIDLY_TAKEN}
    return bool(passed) and not touched and not annulled


def year_mark(marks_in_order: Sequence[Mark], *, highest_set_aside: bool) -> Mark | None:
    """The course's mark of the year from its results in order (Art. 89 §2, Art. 85 §1 after
    7°): the highest stands (``exams.rules.final_mark``), unless the committee set that rule
    aside with its sanction, when the last result (the sanctioned one or a later one) stands."""
    if not highest_set_aside:
        return final_mark(marks_in_order)
    return marks_in_order[-1] if marks_in_order else None


# --- FR in the study progress file (Art. 85 §4) --------------------------------------------------
@dataclass(frozen=True)
class ResultKey:
    """A result as the FR rule sees it: its course, its exam period (any hashable id; a period
    belongs to one academic year) and the first calendar year of its academic year."""

    course: Hashable
    period: Hashable
    year_first: int


@dataclass(frozen=True)
class SanctionScope:
    """What a decision touches: its sanctions, the result of the exam the fraud concerns, the
    results 4° zeroes (that period and possibly later ones), the courses 5° excludes, the results
    annulled (§3)."""

    sanctions: frozenset[Sanction]
    exam: ResultKey
    zeroed: frozenset[ResultKey] = frozenset()
    excluded_courses: frozenset = frozenset()
    annulled: frozenset[ResultKey] = frozenset()


def fr_code_applies(result: ResultKey, scope: SanctionScope) -> bool:
    """Whether ``result`` carries the code FR in the study progress file (Art. 85 §4): every
    result a sanction touches.

    - 1°-3°: the result of the exam the fraud concerns;
    - 4°: the results zeroed;
    - 5°: the excluded courses' results of the academic year of the sanction (not the next
      year's retake);
    - 6°: every result of the exam period in question (all lost);
    - 7° touches enrolment, not a result (the measure shows it);
    - an annulment (§3): the results annulled, in whatever year."""
    sanctions = _sanctions(scope.sanctions)
    if sanctions & EXAM_SANCTIONS and result == scope.exam:
        return True
    if Sanction.ZERO_PERIOD in sanctions and result in scope.zeroed:
        return True
    if (
        Sanction.COURSE_EXCLUSION in sanctions
        and result.course in scope.excluded_courses
        and result.year_first == scope.exam.year_first
    ):
        return True
    if Sanction.PROGRAMME_EXCLUSION in sanctions and result.period == scope.exam.period:
        return True
    return result in scope.annulled
