"""Carrying out the final sanctions (Art. 85 §1-3, Art. 76-77; issue 16 point 3) through the
existing services: marks with history, certificates, refusals of results and enrolments, the
learning account, the highest result of the year; on the timeline, exactly once.

The world (tests/fraud/conftest.py): S1 (s0000001) took E1, E2, E3 (6 credits each) in January
2023-2024 with 4, 12 and 13, not yet published; the publication is on 6 February 2024. S1's
learning account opens with 140 credits and the ISP takes 18 (balance 122); a pass gives its 6
credits back with a 6-credit bonus (DOMAIN §2 rules 7-8), so without fraud E2 and E3 bring
122 + 24 = 146. The fraud concerns S1's E1 exam of 15 January; the complete committee decides on
1 February (before the publication); an exclusion is ratified on 2 February.
"""

import datetime

import pytest

from core.timeline import run_deadlines
from exams.models import Result
from exams.results import ResultsRefused, result_record
from fraud import effects, services
from fraud.models import FraudDecision
from programmes.models import ExamPeriod
from students.ledger import balances
from students.models import Enrolment, EnrolmentStatus, EntryKind, EntryReason, ISPLine, LearningAccountEntry, Measure
from tests.support.factories import AcademicYearFactory, CourseFactory, EnrolmentFactory, ISPLineFactory
from tests.support.worlds import on

pytestmark = pytest.mark.django_db

D = datetime.date
DECIDED = D(2024, 2, 1)
RATIFIED = D(2024, 2, 2)
PUBLISHED = D(2024, 2, 6)


def _run(day):
    with on(day):
        return run_deadlines(today=day)


def _ratify(decision, day):
    """The advice of the ombudsperson and the Student Council's chair, then the ratification."""
    with on(day):
        services.advice_record(
            decision=decision,
            ombudsperson_advice="Proportionate.",
            ombudsperson_advice_on=day,
            council_advice_requested_at=datetime.datetime(day.year, day.month, day.day, 8, 0, tzinfo=datetime.UTC),
            council_advice="No objection.",
            council_advice_given_at=datetime.datetime(day.year, day.month, day.day, 9, 0, tzinfo=datetime.UTC),
        )
        services.ratification_record(decision=decision, ratified=True, on=day)


def _decide(fraud_file, sanctions, *, decided_on=DECIDED, ratify_on=RATIFIED, **details):
    with on(decided_on):
        decision = services.decision_record(
            fraud_file=fraud_file,
            sanctions=sanctions,
            reason="Notes under the exam sheet.",
            decided_on=decided_on,
            **details,
        )
    if decision.needs_ratification and ratify_on is not None:
        _ratify(decision, ratify_on)
    decision.refresh_from_db()
    return decision


def _results(w, *codes):
    return [Result.objects.get(isp_line=w.lines[w.s1.number, code], exam_period=w.january) for code in codes]


def _lines(w):
    return {line.course.code: line for line in ISPLine.objects.filter(enrolment__student=w.s1).select_related("course")}


def _refunded(w):
    return {
        e.course.code
        for e in LearningAccountEntry.objects.filter(student=w.s1, kind=EntryKind.PASS_REFUND).select_related("course")
    }


def _measures(w):
    return {
        (m.kind, m.from_year_code, m.until_year_code, m.programme.code)
        for m in Measure.objects.filter(student=w.s1).select_related("programme")
    }


EXCLUSION = ("fraud_exclusion", "2023-2024", "2023-2024", "BA-E")

# sanction(s), details (given the world), S1's line marks after the publication, the courses
# certified (and refunded), the measures, the reason in E1's history ("" when E1 is untouched).
SANCTIONS = [
    pytest.param(
        ["not_validly_taken"], {}, {"E1": "NA", "E2": "12", "E3": "13"}, {"E2", "E3"}, set(), "§1 1°", id="1°"
    ),
    pytest.param(
        ["appropriate_mark"],
        {"new_mark": 11},
        {"E1": "11", "E2": "12", "E3": "13"},
        {"E2", "E3"},  # E1 passes with 11 but a sanctioned course earns no certificate (Art. 76-77)
        set(),
        "§1 2°",
        id="2° a pass without a certificate",
    ),
    pytest.param(["zero_exam"], {}, {"E1": "0", "E2": "12", "E3": "13"}, {"E2", "E3"}, set(), "§1 3°", id="3°"),
    pytest.param(
        ["zero_period"],
        {"zeroed_results": lambda w: _results(w, "E1", "E2")},
        {"E1": "0", "E2": "0", "E3": "13"},
        {"E3"},
        set(),
        "§1 4°",
        id="4° E1 and E2",
    ),
    pytest.param(
        ["course_exclusion"],
        {"courses": lambda w: [w.e1, w.courses["E3"]]},
        {"E1": "0", "E2": "12", "E3": "0"},
        {"E2"},
        set(),
        "§1 5°",
        id="5° E1 and E3",
    ),
    pytest.param(
        ["programme_exclusion"],
        {"judged_gross": True},
        {"E1": "0", "E2": "0", "E3": "0"},
        set(),
        {EXCLUSION},
        "§1 6°",
        id="6°",
    ),
    pytest.param(
        ["programme_exclusion", "enrolment_ban"],
        {"judged_gross": True, "ban_years": 1},
        {"E1": "0", "E2": "0", "E3": "0"},
        set(),
        {EXCLUSION, ("fraud_enrolment_ban", "2024-2025", "2024-2025", "BA-E")},
        "§1 6°",
        id="6° + 7° one year",
    ),
    pytest.param(
        ["programme_exclusion", "enrolment_ban"],
        {"judged_gross": True, "ban_years": 2},
        {"E1": "0", "E2": "0", "E3": "0"},
        set(),
        {EXCLUSION, ("fraud_enrolment_ban", "2024-2025", "2025-2026", "BA-E")},
        "§1 6°",
        id="6° + 7° two years",
    ),
]


@pytest.mark.parametrize("sanctions, details, marks, certified, measures, article", SANCTIONS)
def test_each_sanction_s_effect_on_marks_certificates_ledger_and_measures(
    fraud, open_file, heard, sanctions, details, marks, certified, measures, article
):
    w = fraud
    details = {k: v(w) if callable(v) else v for k, v in details.items()}
    decision = _decide(heard(open_file()), sanctions, **details)
    _run(PUBLISHED)
    lines = _lines(w)
    assert {code: line.mark for code, line in lines.items()} == marks
    assert {code for code, line in lines.items() if line.certified_on == PUBLISHED} == certified
    assert _refunded(w) == certified
    # 140 - 18 for the ISP, + 6 + 6 bonus for each certified course.
    assert balances([w.s1.pk])[w.s1.pk] == 122 + 12 * len(certified)
    assert _measures(w) == measures
    e1 = Result.objects.get(isp_line=w.lines[w.s1.number, "E1"])
    assert f"(Art. 85 {article})" in e1.history.order_by("-history_id").first().history_change_reason
    decision.refresh_from_db()
    assert decision.applied_on == (RATIFIED if decision.needs_ratification else DECIDED)


def test_a_sanctioned_pass_gives_nothing_back_to_the_learning_account(fraud, open_file, heard):
    w = fraud
    _decide(heard(open_file()), ["appropriate_mark"], new_mark=14)
    _run(PUBLISHED)
    e1 = _lines(w)["E1"]
    assert (e1.mark, e1.outcome, e1.certified_on, e1.deducted_credits) == ("14", "passed", None, 6)
    assert not LearningAccountEntry.objects.filter(source=f"isp_line:{e1.pk}").exists()


def test_other_students_are_untouched(fraud, open_file, heard):
    w = fraud
    _decide(heard(open_file()), ["programme_exclusion"], judged_gross=True)
    _run(PUBLISHED)
    s2 = {
        line.course.code: (line.mark, line.certified_on)
        for line in ISPLine.objects.filter(enrolment__student=w.students[1]).select_related("course")
    }
    assert s2 == {"E1": ("6", None), "E2": ("13", PUBLISHED), "E3": ("12", PUBLISHED)}


# --- The timeline: on the day it became final, exactly once, replayable ---------------------------
def test_carried_out_on_the_day_it_became_final_exactly_once(fraud, open_file, heard):
    w = fraud
    decision = _decide(heard(open_file()), ["zero_exam"])
    assert effects.pending_on() == DECIDED
    _run(D(2024, 1, 31))
    assert Result.objects.get(isp_line=w.lines[w.s1.number, "E1"]).score == 4  # not yet: final on 1 February
    _run(DECIDED)
    decision.refresh_from_db()
    assert decision.applied_on == DECIDED
    assert effects.pending_on() is None
    assert Result.objects.get(isp_line=w.lines[w.s1.number, "E1"]).score == 0
    _run(D(2024, 2, 20))
    histories = (Result.history.count(), FraudDecision.history.count(), LearningAccountEntry.objects.count())
    again = _run(D(2024, 2, 20))
    assert (again.days, again.facts) == (0, 0)
    assert (Result.history.count(), FraudDecision.history.count(), LearningAccountEntry.objects.count()) == histories
    assert decision.history.filter(history_change_reason="sanctions carried out (Art. 85)").count() == 1


def test_an_exclusion_waits_for_the_ratification_and_a_refused_one_is_never_carried_out(fraud, open_file, heard):
    w = fraud
    decision = _decide(heard(open_file()), ["programme_exclusion"], judged_gross=True, ratify_on=None)
    assert effects.pending_on() is None
    _run(PUBLISHED)
    assert _lines(w)["E2"].certified_on == PUBLISHED
    with on(D(2024, 2, 7)):
        services.advice_record(
            decision=decision,
            ombudsperson_advice="Too heavy for a first offence.",
            council_advice_requested_at=datetime.datetime(2024, 2, 7, 8, 0, tzinfo=datetime.UTC),
            council_advice="Too heavy.",
            council_advice_given_at=datetime.datetime(2024, 2, 7, 9, 0, tzinfo=datetime.UTC),
        )
        services.ratification_record(decision=decision, ratified=False, reason="A first offence: 5° suffices.")
    _run(D(2024, 2, 20))
    decision.refresh_from_db()
    assert decision.status == "not_ratified" and decision.applied_on is None
    assert not Measure.objects.filter(student=w.s1).exists()
    assert {code: line.mark for code, line in _lines(w).items()} == {"E1": "4", "E2": "12", "E3": "13"}


# --- Results already published: a new decision, with its ledger corrections -----------------------
def test_an_exclusion_ratified_after_the_publication_withdraws_the_certificates_as_corrections(fraud, open_file, heard):
    w = fraud
    decision = _decide(
        heard(open_file()), ["programme_exclusion", "enrolment_ban"], judged_gross=True, ban_years=1, ratify_on=None
    )
    _run(PUBLISHED)
    assert balances([w.s1.pk])[w.s1.pk] == 146
    _ratify(decision, D(2024, 2, 12))
    _run(D(2024, 2, 12))
    lines = _lines(w)
    assert {code: (line.mark, line.certified_on) for code, line in lines.items()} == {
        "E1": ("0", None),
        "E2": ("0", None),
        "E3": ("0", None),
    }
    corrections = LearningAccountEntry.objects.filter(student=w.s1, kind=EntryKind.CORRECTION).order_by("source")
    assert [(c.credits, c.reason_code, c.on, c.course.code) for c in corrections] == [
        (-12, EntryReason.CERTIFICATE_WITHDRAWN, D(2024, 2, 12), "E2"),
        (-12, EntryReason.CERTIFICATE_WITHDRAWN, D(2024, 2, 12), "E3"),
    ]
    assert balances([w.s1.pk])[w.s1.pk] == 122
    assert len(_measures(w)) == 2


def test_an_annulment_withdraws_a_certificate_already_granted_through_the_ledger(fraud, open_file, heard):
    """Art. 77, 85 §3: serious fraud found after the publication; E2's certificate is annulled."""
    w = fraud
    _run(PUBLISHED)
    e2 = _lines(w)["E2"]
    assert e2.certified_on == PUBLISHED
    decision = _decide(
        heard(open_file()),
        [],
        decided_on=D(2024, 3, 1),
        ratify_on=D(2024, 3, 5),
        judged_gross=True,
        annulment=True,
        annulled_certificates=[e2],
    )
    assert decision.applied_on is None
    _run(D(2024, 3, 5))
    lines = _lines(w)
    assert {code: (line.mark, line.certified_on) for code, line in lines.items()} == {
        "E1": ("4", None),
        "E2": ("0", None),
        "E3": ("13", PUBLISHED),
    }
    correction = LearningAccountEntry.objects.get(student=w.s1, kind=EntryKind.CORRECTION)
    assert (correction.credits, correction.reason_code, correction.on) == (
        -12,
        EntryReason.CERTIFICATE_WITHDRAWN,
        D(2024, 3, 5),
    )
    assert balances([w.s1.pk])[w.s1.pk] == 134
    result = Result.objects.get(isp_line=e2)
    assert "(Art. 77, 85 §3)" in result.history.order_by("-history_id").first().history_change_reason


# --- The highest result of the year (Art. 85 §1, after 7°) --------------------------------------
@pytest.fixture
def june_resit(fraud, heard):
    """S1's E1 in January is a 9 (tolerable, published on 6 February); at the June resit (period 2,
    published on 2 July 2024) the examiner reports fraud; the examiner entered an 11."""
    w = fraud
    Result.objects.filter(isp_line=w.lines[w.s1.number, "E1"]).update(score=9)
    _run(PUBLISHED)
    w.june = ExamPeriod.objects.get(academic_year=w.year, number=2)
    Result.objects.create(isp_line=w.lines[w.s1.number, "E1"], exam_period=w.june, opportunity=2, score=11)
    fraud_file = services.fraud_file_open(
        kind="fraud",
        student=w.s1,
        course=w.e1,
        exam_period=w.june,
        assignment="June resit of E1",
        reported_on=D(2024, 6, 10),
        reported_by="Eva Examiner",
        what_happened="Copied from a neighbour.",
    )
    services.hearing_record(fraud_file=fraud_file, kind="examiner", held_on=D(2024, 6, 12), heard_by="Cato Chair")
    services.hearing_record(
        fraud_file=fraud_file, kind="student", held_on=D(2024, 6, 13), heard_by="Cato Chair", ombudsperson="Olga Ombuds"
    )
    w.june_file = fraud_file
    return w


@pytest.mark.parametrize(
    "sanctions, details, set_aside, mark, outcome",
    [
        (["zero_exam"], {}, False, "9", "tolerable"),  # the January 9 stands: the highest of the year
        (["zero_exam"], {}, True, "0", "failed"),  # set aside: the sanctioned zero stands
        (["appropriate_mark"], {"new_mark": 7}, False, "9", "tolerable"),
        (["appropriate_mark"], {"new_mark": 7}, True, "7", "failed"),
    ],
)
def test_the_highest_result_of_the_year_is_set_aside_only_when_the_committee_decides_so(
    june_resit, sanctions, details, set_aside, mark, outcome
):
    w = june_resit
    _decide(w.june_file, sanctions, decided_on=D(2024, 6, 20), set_aside_highest_result=set_aside, **details)
    _run(D(2024, 7, 2))
    e1 = _lines(w)["E1"]
    assert (e1.mark, e1.outcome, e1.certified_on) == (mark, outcome, None)


# --- No retake this academic year after 5° or 6° (Art. 85 §1 5°-6°) -------------------------------
@pytest.mark.parametrize(
    "sanctions, details, course, refused_article",
    [
        (["course_exclusion"], {"courses": lambda w: [w.e1]}, "E1", "(Art. 85 §1 5°)"),
        (["course_exclusion"], {"courses": lambda w: [w.e1]}, "E2", None),
        (["programme_exclusion"], {"judged_gross": True}, "E2", "(Art. 85 §1 6°)"),
        (["zero_exam"], {}, "E1", None),  # 3°: the resit is the student's right
    ],
)
def test_a_later_opportunity_this_year_is_refused_after_an_exclusion(
    fraud, open_file, heard, sanctions, details, course, refused_article
):
    w = fraud
    details = {k: v(w) if callable(v) else v for k, v in details.items()}
    _decide(heard(open_file()), sanctions, **details)
    _run(DECIDED)
    june = ExamPeriod.objects.get(academic_year=w.year, number=2)
    line = ISPLine.objects.get(pk=w.lines[w.s1.number, course].pk)
    entry = {"isp_line": line, "exam_period": june, "opportunity": 2, "mark": 12, "today": D(2024, 6, 10)}
    if refused_article is None:
        assert result_record(**entry).score == 12
        return
    with pytest.raises(ResultsRefused) as refused:
        result_record(**entry)
    assert refused_article in refused.value.messages[0]
    assert not Result.objects.filter(isp_line=line, exam_period=june).exists()


def test_the_zero_of_an_exclusion_cannot_be_overwritten_by_the_examiner(fraud, open_file, heard):
    w = fraud
    _decide(heard(open_file()), ["course_exclusion"], courses=[w.e1])
    _run(DECIDED)
    line = ISPLine.objects.get(pk=w.lines[w.s1.number, "E1"].pk)
    with pytest.raises(ResultsRefused) as refused:
        result_record(isp_line=line, exam_period=w.january, opportunity=1, mark=4, today=D(2024, 2, 2))
    assert "(Art. 85 §1 5°)" in refused.value.messages[0]
    # Entering the zero again changes nothing and is not refused.
    assert result_record(isp_line=line, exam_period=w.january, opportunity=1, mark=0, today=D(2024, 2, 2)).score == 0
    # Another student's E1 resit is not touched.
    s2_line = ISPLine.objects.get(pk=w.lines[w.students[1].number, "E1"].pk)
    june = ExamPeriod.objects.get(academic_year=w.year, number=2)
    assert result_record(isp_line=s2_line, exam_period=june, opportunity=2, mark=10, today=D(2024, 6, 10)).score == 10


# --- 6° and 7° refuse enrolments like the refusal measures (Art. 85 §1 6°-7°) -----------------------
@pytest.mark.parametrize(
    "sanctions, details, programme, refused_article",
    [
        (["programme_exclusion", "enrolment_ban"], {"ban_years": 1}, "bio", "(Art. 85 §1 7°)"),
        (["programme_exclusion", "enrolment_ban"], {"ban_years": 1}, "programme", "(Art. 85 §1 7°)"),
        (["programme_exclusion"], {}, "programme", None),  # 6°: enrols again at the earliest next year
    ],
)
def test_an_enrolment_in_the_years_of_the_ban_is_refused_with_the_article(
    fraud, open_file, heard, sanctions, details, programme, refused_article
):
    w = fraud
    _decide(heard(open_file()), sanctions, judged_gross=True, **details)
    next_year = AcademicYearFactory(first_year=2024)
    enrolment = EnrolmentFactory(
        student=w.s1, academic_year=next_year, programme=getattr(w, programme), enrolled_on=D(2024, 9, 20)
    )
    course = w.courses["E1"] if programme == "programme" else CourseFactory(programme=w.bio, code="B1", credits=6)
    ISPLineFactory(enrolment=enrolment, course=course)
    _run(D(2024, 9, 20))
    enrolment.refresh_from_db()
    if refused_article is None:
        assert enrolment.status == EnrolmentStatus.ENROLLED
        return
    assert enrolment.status == EnrolmentStatus.REFUSED
    assert refused_article in enrolment.status_reason
    # A refused enrolment takes nothing from the learning account.
    assert not LearningAccountEntry.objects.filter(source=f"enrolment:{enrolment.pk}:isp").exists()


def test_the_exclusion_does_not_refuse_the_enrolment_it_ends_nor_another_programme(fraud, open_file, heard):
    """6° excludes from one programme: the enrolment of the year keeps its status (its January results
    are lost instead, its later opportunities refused) and the student may enrol in another one."""
    w = fraud
    other = EnrolmentFactory(student=w.s1, academic_year=w.year, programme=w.programme_2, enrolled_on=D(2024, 2, 5))
    ISPLineFactory(enrolment=other, course=CourseFactory(programme=w.programme_2, code="P1", credits=6))
    _decide(heard(open_file()), ["programme_exclusion"], judged_gross=True)
    _run(D(2024, 2, 5))
    assert FraudDecision.objects.get().applied_on == RATIFIED
    assert _measures(w) == {EXCLUSION}
    statuses = {e.programme.code: e.status for e in Enrolment.objects.filter(student=w.s1).select_related("programme")}
    assert statuses == {"BA-E": EnrolmentStatus.ENROLLED, "BA-E2": EnrolmentStatus.ENROLLED}


# --- 1°: not validly taken, retaken at the moment the cluster sets (Art. 85 §1 1°) ------------------
@pytest.fixture
def june_moment(fraud):
    from reschedules.models import ExamMoment

    june = ExamPeriod.objects.get(academic_year=fraud.year, number=2)
    return ExamMoment.objects.create(
        course=fraud.e1, exam_period=june, on=D(2024, 6, 12), starts_at=datetime.time(9, 0), room="B.204"
    )


def test_the_retake_is_the_same_opportunity_at_the_moment_the_cluster_set(fraud, open_file, heard, june_moment):
    w = fraud
    decision = _decide(heard(open_file()), ["not_validly_taken"], retake_moment=june_moment)
    assert decision.retake_moment == june_moment
    _run(PUBLISHED)
    result = Result.objects.get(isp_line=w.lines[w.s1.number, "E1"])
    assert (result.exam_period, result.opportunity, result.grade) == (june_moment.exam_period, 1, "NA")
    assert _lines(w)["E1"].mark == ""  # nothing of E1 was examined in January any more
    # The examiner enters the retake's mark from the day of the retake; it earns the certificate.
    line = ISPLine.objects.get(pk=w.lines[w.s1.number, "E1"].pk)
    result_record(isp_line=line, exam_period=june_moment.exam_period, opportunity=1, mark=13, today=D(2024, 6, 12))
    _run(D(2024, 7, 2))
    e1 = _lines(w)["E1"]
    assert (e1.mark, e1.certified_on) == ("13", D(2024, 7, 2))


@pytest.mark.parametrize(
    "sanctions, moment_course, code",
    [
        (["zero_exam"], "E1", "retake_without_sanction"),
        (["not_validly_taken"], "E2", "retake_moment"),
    ],
)
def test_a_retake_moment_only_with_one_and_for_the_file_s_course(
    fraud, open_file, heard, sanctions, moment_course, code
):
    from reschedules.models import ExamMoment

    june = ExamPeriod.objects.get(academic_year=fraud.year, number=2)
    moment = ExamMoment.objects.create(
        course=fraud.courses[moment_course], exam_period=june, on=D(2024, 6, 12), starts_at=datetime.time(9, 0)
    )
    with pytest.raises(services.Refused) as refused:
        _decide(heard(open_file()), sanctions, retake_moment=moment)
    assert refused.value.codes == [code]
    assert "(Art. 85 §1 1°)" in refused.value.messages[0]
    assert not FraudDecision.objects.exists()


def test_an_excluded_course_without_a_result_yet_gets_its_zero(fraud, open_file, heard):
    """5°: "a zero mark for the courses in question", also for a course the examiner has not
    marked yet (E4, pass/fail: F), as its first opportunity in the sanction's exam period."""
    w = fraud
    e4 = CourseFactory(programme=w.programme, code="E4", credits=3, stage=1, pass_fail=True)
    line = ISPLineFactory(enrolment=Enrolment.objects.get(student=w.s1, academic_year=w.year), course=e4)
    _decide(heard(open_file()), ["course_exclusion"], courses=[e4])
    _run(DECIDED)
    result = Result.objects.get(isp_line=line)
    assert (result.exam_period, result.opportunity, result.score, result.grade) == (w.january, 1, None, "F")
    assert "(Art. 85 §1 5°)" in result.history.get().history_change_reason


def test_a_new_decision_after_the_year_end_leaves_the_fraud_measures_in_force(fraud, open_file, heard):
    """A new examination decision after the year's measures were taken (an appeal on E2, Art. 102)
    reviews the study progress measures (Art. 29-33); the sanction's measures (Art. 85 §1 6°-7°)
    are no study progress measures and stay."""
    w = fraud
    _decide(heard(open_file()), ["programme_exclusion", "enrolment_ban"], judged_gross=True, ban_years=1)
    _run(D(2024, 9, 20))  # the year-end measures of 2023-2024 are taken
    from exams.redecisions import result_redecide

    with on(D(2024, 10, 1)):
        result_redecide(
            result=Result.objects.get(isp_line=w.lines[w.s1.number, "E2"]),
            mark=0,
            on=D(2024, 10, 1),
            reason="appeal",
        )
    assert list(Measure.objects.filter(student=w.s1).values_list("lifted_on", flat=True)) == [None, None]
