"""Carrying out a final fraud decision (Art. 85 §1, §3; Art. 76-77; DOMAIN §10).

A decision is carried out exactly once, on the day it became final: the day the complete
committee decided it, or, for an exclusion (6°, 7°) or an annulment (§3), the day the fraud
authority ratified it (Art. 85 §2-3). It is a fact of the timeline (``fraud.deadlines``):
``run_deadlines`` applies it in date order, and running the timeline again changes nothing
(``FraudDecision.applied_on``). A decision not ratified is never carried out.

Every effect goes through the services that already own it:

- a mark (2°, 3°, 4°, 5°, 6°, §3): a result not yet published is changed with its history and
  the sanction as reason (as the committee's adjusted marks are, Art. 70); a published one through
  ``exams.redecisions.result_redecide`` (a new decision: outcome, certificate withdrawn with the
  learning-account correction, tolerance, programme result, study progress measures);
- no retake this academic year after 5° or 6° and no change of a sanctioned result: the result
  entry asks ``core.gates.fraud_result_refusals`` (answered by ``result_refusals`` here);
- no credit certificate for a sanctioned course and the highest result of the year set aside
  (Art. 76-77, 85 §1): the publication and the new decisions ask
  ``core.gates.fraud_sanctioned_lines`` (``sanctioned_lines`` here);
- 6° and 7° are measures (``fraud_exclusion``, ``fraud_enrolment_ban``) that refuse enrolments
  like the study progress refusals (``students.refusals``);
- 1°: the invalid attempt is marked not taken (NA) and the retake is at the exam moment the
  cluster set (``FraudDecision.retake_moment``), put on the student's individual exam schedule
  through ``reschedules.services.individual_moment_set`` (once per decision), which also answers
  ``core.gates.exam_dates`` with it.

What the sanctions replaced (the examiner's marks, their exam period and partial exams, or no
result at all) is kept on the decision (``FraudDecision.replaced``) when it is carried out, so that
a decision set aside on appeal (Art. 101 g, ``fraud.appeals.decision_set_aside``) is undone through
the same services (``decision_reverse``).
"""

import datetime
import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Min, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_noop

from core.audit import audited_save
from core.bulk import ids_filter
from exams.models import Grade, Result, ResultPart
from exams.redecisions import result_redecide
from exams.results import result_published_on
from exams.rules import FAIL, NOT_TAKEN, mark_from_parts, mark_from_text
from programmes.models import Course, ExamPeriod
from reschedules.models import MomentSource
from reschedules.services import individual_moment_set, individual_moment_withdraw
from students.models import ISPLine, Measure, MeasureKind
from students.refusals import enrolments_refuse_by_measures

from . import rules
from .models import DecisionStatus, FraudDecision

logger = logging.getLogger(__name__)
S = rules.Sanction

# The history's reason for each change (translated where it is shown).
REASONS = {
    S.NOT_VALIDLY_TAKEN: gettext_noop("exam not validly taken after exam fraud (Art. 85 §1 1°)"),
    S.APPROPRIATE_MARK: gettext_noop("appropriate mark after exam fraud (Art. 85 §1 2°)"),
    S.ZERO_EXAM: gettext_noop("zero for the exam after exam fraud (Art. 85 §1 3°)"),
    S.ZERO_PERIOD: gettext_noop("zero for the exams of the period after exam fraud (Art. 85 §1 4°)"),
    S.COURSE_EXCLUSION: gettext_noop("excluded from the course after exam fraud (Art. 85 §1 5°)"),
    S.PROGRAMME_EXCLUSION: gettext_noop("excluded from the programme after exam fraud (Art. 85 §1 6°)"),
}
ANNULMENT_REASON = gettext_noop("result annulled after serious exam fraud (Art. 77, 85 §3)")
APPLIED_REASON = gettext_noop("sanctions carried out (Art. 85)")
MEASURE_KINDS = {
    rules.FraudMeasure.FRAUD_EXCLUSION: MeasureKind.FRAUD_EXCLUSION,
    rules.FraudMeasure.FRAUD_ENROLMENT_BAN: MeasureKind.FRAUD_ENROLMENT_BAN,
}


# --- The timeline: when a decision is carried out -------------------------------------------------
def _final():
    """The final decisions with the day each became final (``final_on``): the ratification's day
    when there is one (Art. 85 §2-3), else the committee's."""
    return FraudDecision.objects.filter(status=DecisionStatus.FINAL).annotate(
        final_on=Coalesce("ratification__decided_on", "decided_on")
    )


def pending_on() -> datetime.date | None:
    """The earliest day a final decision still waits to be carried out (the timeline's fact day)."""
    return _final().filter(applied_on__isnull=True).aggregate(day=Min("final_on"))["day"]


@transaction.atomic
def sanctions_process(*, day: datetime.date) -> int:
    """Carry out every final decision not yet carried out that became final on or before ``day``,
    in the order they became final, each on its own final day (Art. 85); returns how many."""
    decisions = list(
        _final()
        .select_for_update(of=("self",))
        .filter(applied_on__isnull=True, final_on__lte=day)
        .select_related(
            "fraud_file__course__programme", "fraud_file__exam_period__academic_year", "fraud_file__student"
        )
        .order_by("final_on", "pk")
    )
    for decision in decisions:
        decision.replaced = decision_carry_out(decision, on=decision.final_on)
        decision.applied_on = decision.final_on
        audited_save(decision, by=None, reason=APPLIED_REASON, update_fields=["applied_on", "replaced"])
    return len(decisions)


# --- What the sanctions replace -------------------------------------------------------------------
class Replaced:
    """What carrying out a decision replaces, per result, in the order first touched: the result's
    exam period, score, grade and partial exams as the examiner left them (or ``created``: no
    result before), and what the sanctions set last (``set``: period, score, grade). Stored on the
    decision (``FraudDecision.replaced``) to undo it when it is set aside (Art. 101 g)."""

    def __init__(self):
        self.entries: dict[int, dict] = {}

    def before(self, result: Result) -> None:
        """Note ``result`` as stored (not as changed in memory), the first time it is touched."""
        if result.pk is None or result.pk in self.entries:
            return
        period, score, grade = Result.objects.filter(pk=result.pk).values_list("exam_period_id", "score", "grade")[0]
        parts = ResultPart.objects.filter(result_id=result.pk).order_by("position")
        self.entries[result.pk] = {
            "result": result.pk,
            "created": False,
            "period": period,
            "score": score,
            "grade": grade,
            "parts": [list(p) for p in parts.values_list("position", "credits", "score")],
        }

    def after(self, result: Result) -> None:
        entry = self.entries.setdefault(
            result.pk,
            {"result": result.pk, "created": True, "period": None, "score": None, "grade": "", "parts": []},
        )
        entry["set"] = list(Result.objects.filter(pk=result.pk).values_list("exam_period_id", "score", "grade")[0])

    def as_list(self) -> list[dict]:
        return list(self.entries.values())


# --- The effects --------------------------------------------------------------------------------
def _zero(result: Result):
    """A zero: 0, or F for a pass/fail course (Art. 65-66)."""
    return FAIL if result.isp_line.course.pass_fail else 0


def _mark_set(result: Result, mark, *, on: datetime.date, reason: str, log: Replaced | None = None) -> None:
    """Give ``result`` the sanction's mark: with its history when it is not yet published (Art. 85
    §1 4°: results not yet communicated), else by a new decision and all that follows from it.
    ``log`` notes what it replaces."""
    if log is not None:
        log.before(result)
    published_on = result_published_on(result)
    if published_on is not None:
        result_redecide(result=result, mark=mark, on=max(on, published_on), reason=reason)
        if log is not None:
            log.after(result)
        return
    if result.pk is not None:
        result.parts.all().delete()
    if isinstance(mark, int):
        result.score, result.grade = mark, ""
    else:
        result.score, result.grade = None, Grade(mark)
    audited_save(result, by=None, reason=reason)
    if log is not None:
        log.after(result)


def _results(**filters) -> list[Result]:
    return list(
        Result.objects.filter(**filters)
        .select_related("isp_line__course", "exam_period__academic_year")
        .order_by("isp_line__course__code", "opportunity", "pk")
    )


def _exam_line(decision: FraudDecision) -> ISPLine | None:
    """The student's ISP line of the file's course in the exam period's academic year."""
    fraud_file = decision.fraud_file
    lines = ISPLine.objects.filter(
        enrolment__student_id=fraud_file.student_id,
        course_id=fraud_file.course_id,
        enrolment__academic_year_id=fraud_file.exam_period.academic_year_id,
    ).select_related("course")
    return lines.filter(removed_on__isnull=True).first() or lines.first()


def _line_result(
    decision: FraudDecision, line: ISPLine, mark, reason: str, *, on: datetime.date, log: Replaced | None = None
) -> None:
    """Give ``line``'s result of the file's exam period the sanction's mark; created when the
    examiner entered none yet (the line's next opportunity, as the committee's adjusted marks are
    written), unless both opportunities of the year are taken (Art. 89 §1)."""
    period = decision.fraud_file.exam_period
    result = Result.objects.filter(isp_line=line, exam_period=period).select_related("isp_line__course").first()
    if result is None:
        taken = set(line.results.values_list("opportunity", flat=True))
        opportunity = 1 if 1 not in taken else 2
        if opportunity in taken:
            logger.warning("fraud decision %s: no opportunity left on ISP line %s", decision.pk, line.pk)
            return
        result = Result(isp_line=line, exam_period=period, opportunity=opportunity)
    _mark_set(result, mark, on=on, reason=reason, log=log)


def _exam_result(decision: FraudDecision, mark, reason: str, *, on: datetime.date, log: Replaced | None = None) -> None:
    """1°-3°: the result of the exam the fraud concerns (``_line_result``)."""
    line = _exam_line(decision)
    if line is None:
        logger.warning("fraud decision %s: no ISP line for the file's course", decision.pk)
        return
    _line_result(decision, line, mark, reason, on=on, log=log)


def _retake_reference(decision: FraudDecision) -> str:
    return f"fraud_decision:{decision.pk}"


def _not_validly_taken(decision: FraudDecision, *, on: datetime.date, log: Replaced | None = None) -> None:
    """1°: the exam was not validly taken (Art. 85 §1 1°): its result is NA until the retake's mark
    replaces it. When the cluster set the retake in a later exam period of the year and the result
    is not yet published, the result moves to that period: the retake is the same opportunity, not
    the student's next one (Art. 89 §1). The retake's moment goes on the student's individual exam
    schedule (``reschedules.services.individual_moment_set``, once for the decision)."""
    reason = REASONS[S.NOT_VALIDLY_TAKEN]
    moment = decision.retake_moment
    line = _exam_line(decision)
    period = decision.fraud_file.exam_period
    result = (
        Result.objects.filter(isp_line=line, exam_period=period).select_related("isp_line__course").first()
        if line is not None
        else None
    )
    if (
        result is not None
        and moment is not None
        and moment.exam_period_id != period.pk
        and result_published_on(result) is None
        and not Result.objects.filter(isp_line=line, exam_period_id=moment.exam_period_id).exists()
    ):
        result.exam_period_id = moment.exam_period_id
        _mark_set(result, NOT_TAKEN, on=on, reason=reason, log=log)
    else:
        _exam_result(decision, NOT_TAKEN, reason, on=on, log=log)
    if moment is not None and line is not None:
        individual_moment_set(
            isp_line=line,
            exam_period=moment.exam_period,
            on=moment.on,
            starts_at=moment.starts_at,
            duration=moment.duration,
            room=moment.room,
            source=MomentSource.FRAUD_RETAKE,
            reference=_retake_reference(decision),
            set_on=on,
        )


def _measures(decision: FraudDecision, *, on: datetime.date) -> int:
    """6° and 7° as measures that refuse enrolments (Art. 85 §1 6°-7°; EXCHANGE.md): the exclusion
    from and until the current academic year, the ban over the next one or two; the enrolments
    already processed that they refuse are refused at once (a refused enrolment takes nothing from
    the learning account)."""
    fraud_file = decision.fraud_file
    year = fraud_file.exam_period.academic_year
    spans = rules.exclusion_years(
        year.first_year, decision.ban_years if S.ENROLMENT_BAN in decision.sanctions else None
    )
    made = 0
    for measure_kind, span in spans.items():
        measure, created = Measure.objects.get_or_create(
            student_id=fraud_file.student_id,
            kind=MEASURE_KINDS[measure_kind],
            programme_id=fraud_file.course.programme_id,
            course=None,
            from_year_code=span["from"],
            defaults={"until_year_code": span["until"], "decided_on": on, "decided_in": year},
        )
        made += created
    enrolments_refuse_by_measures(student_ids=[fraud_file.student_id])
    return made


def decision_carry_out(decision: FraudDecision, *, on: datetime.date) -> list[dict]:
    """Carry out the sanctions of a final decision on ``on`` (Art. 85 §1, §3), each through its
    service (see the module docstring). The certificate and the highest-result rule follow from the
    decision itself, which the publication and the new decisions read (``sanctioned_lines``).
    Returns what the sanctions replaced (``Replaced``), for ``FraudDecision.replaced``."""
    log = Replaced()
    chosen = {S(s) for s in decision.sanctions}
    fraud_file = decision.fraud_file
    period = fraud_file.exam_period
    if S.NOT_VALIDLY_TAKEN in chosen:
        _not_validly_taken(decision, on=on, log=log)
    if S.APPROPRIATE_MARK in chosen:
        _exam_result(decision, mark_from_text(decision.new_mark), REASONS[S.APPROPRIATE_MARK], on=on, log=log)
    if S.ZERO_EXAM in chosen:
        line = _exam_line(decision)
        zero = FAIL if line is not None and line.course.pass_fail else 0
        _exam_result(decision, zero, REASONS[S.ZERO_EXAM], on=on, log=log)
    if S.ZERO_PERIOD in chosen:
        for result in _results(pk__in=decision.zeroed_results):
            _mark_set(result, _zero(result), on=on, reason=REASONS[S.ZERO_PERIOD], log=log)
    if S.COURSE_EXCLUSION in chosen:
        # A zero for each excluded course of the year (Art. 85 §1 5°), in the sanction's exam period.
        for line in (
            ISPLine.objects.filter(
                enrolment__student_id=fraud_file.student_id,
                enrolment__academic_year_id=period.academic_year_id,
                course_id__in=decision.excluded_courses,
                removed_on__isnull=True,
                exempted=False,
            )
            .select_related("course")
            .order_by("course__code", "pk")
        ):
            zero = FAIL if line.course.pass_fail else 0
            _line_result(decision, line, zero, REASONS[S.COURSE_EXCLUSION], on=on, log=log)
    if S.PROGRAMME_EXCLUSION in chosen:
        for result in _results(
            isp_line__enrolment__student_id=fraud_file.student_id,
            isp_line__enrolment__programme_id=fraud_file.course.programme_id,
            exam_period=period,
        ):
            _mark_set(result, _zero(result), on=on, reason=REASONS[S.PROGRAMME_EXCLUSION], log=log)
        _measures(decision, on=on)
    if decision.annulment:
        for result in _results(isp_line_id__in=decision.annulled_certificates):
            _mark_set(result, _zero(result), on=on, reason=ANNULMENT_REASON, log=log)
    return log.as_list()


# --- Undoing a decision set aside on appeal (Art. 101 g) -----------------------------------------
def _replaced_mark(entry: dict):
    """The examiner's mark an entry of ``FraudDecision.replaced`` kept: score, grade or partial exams."""
    if entry["score"] is not None:
        return entry["score"]
    if entry["grade"]:
        return entry["grade"]
    return mark_from_parts([(credits, score) for _position, credits, score in entry["parts"]])


def _restore(entry: dict, *, on: datetime.date, reason: str) -> bool:
    """Give one result back what the sanctions replaced (``_replaced_mark``), through the services
    that changed it: not published, its exam period, mark and partial exams with their history (a
    result the sanctions created is deleted, with its history); published, by a new decision
    (``result_redecide``: the certificate, the learning account's refund or correction, tolerance
    and the programme result follow). A result whose mark changed since the sanctions set it (the
    examiner's mark of a 1° retake, a later new decision) is kept as it is. Whether it restored."""
    result = Result.objects.filter(pk=entry["result"]).select_related("isp_line__course", "isp_line__enrolment").first()
    if result is None or "set" not in entry:
        return False
    if [result.exam_period_id, result.score, result.grade] != entry["set"] or result.parts.exists():
        logger.info("fraud effects: result %s changed since the sanction; kept as it is", result.pk)
        return False
    if entry["created"]:
        if result_published_on(result) is not None:
            logger.warning("fraud effects: result %s created by the sanction is published; kept", result.pk)
            return False
        result._change_reason = reason
        result.delete()
        return True
    if entry["period"] != result.exam_period_id and result_published_on(result) is None:
        # 1° moved the result to the retake's exam period: back to the exam that is valid again.
        result.exam_period_id = entry["period"]
        audited_save(result, by=None, reason=reason)
    published_on = result_published_on(result)
    if published_on is not None:
        result_redecide(result=result, mark=_replaced_mark(entry), on=max(on, published_on), reason=reason)
        return True
    result.score, result.grade = entry["score"], entry["grade"]
    audited_save(result, by=None, reason=reason)
    ResultPart.objects.bulk_create(
        ResultPart(result=result, position=position, credits=credits, score=score)
        for position, credits, score in entry["parts"]
    )
    return True


def decision_reverse(decision: FraudDecision, *, on: datetime.date, reason: str) -> int:
    """Undo what carrying out ``decision`` changed, now that an appeal set it aside on ``on`` (Art.
    101 g; ``fraud.appeals.decision_set_aside`` calls it after the decision's status changed, so
    that nothing reads it as final any more): the marks the sanctions replaced are restored in
    reverse order (``_restore``), and the retake moment 1° put on the student's individual exam
    schedule is withdrawn when the retake still lies ahead (a retake already sat stays as it
    happened). The exclusion measures (6°, 7°) are lifted by ``decision_set_aside``. A decision not
    carried out yet changed nothing. ``reason``: the history's reason. Returns how many results
    were restored."""
    if decision.applied_on is None:
        return 0
    restored = sum(_restore(entry, on=on, reason=reason) for entry in reversed(decision.replaced or []))
    moment = decision.retake_moment
    if moment is not None and moment.on > on:
        individual_moment_withdraw(reference=_retake_reference(decision), on=on, reason=reason)
    return restored


# --- What the lower layers ask ------------------------------------------------------------------
def _decisions_of(student_ids) -> list[FraudDecision]:
    """The final decisions about these students (ids, or a subquery of ids)."""

    def final(**students):
        return (
            FraudDecision.objects.filter(status=DecisionStatus.FINAL, **students)
            .select_related("fraud_file__course", "fraud_file__exam_period__academic_year")
            .order_by("pk")
        )

    if isinstance(student_ids, QuerySet):
        return list(final(fraud_file__student_id__in=student_ids))
    # A publication's batch of thousands of students is asked for by their range (``ids_filter``);
    # the few decisions about other students in it are left out here.
    ids = set(student_ids)
    return [
        decision
        for decision in final(**ids_filter("fraud_file__student_id", ids))
        if decision.fraud_file.student_id in ids
    ]


def _line_sanctions(decision: FraudDecision, line: ISPLine, results: list[tuple[int, int, int]]) -> set:
    """The sanctions of ``decision`` that touch ``line`` (``results``: the line's (result id, exam
    period id, period number) in that academic year), and whether an annulment does."""
    fraud_file = decision.fraud_file
    period = fraud_file.exam_period
    touched = set()
    if line.enrolment.academic_year_id == period.academic_year_id:
        chosen = {S(s) for s in decision.sanctions}
        in_period = any(period_id == period.pk for _r, period_id, _n in results)
        if line.course_id == fraud_file.course_id:
            touched |= chosen & rules.EXAM_SANCTIONS
        if S.ZERO_PERIOD in chosen and {r for r, _p, _n in results} & set(decision.zeroed_results):
            touched.add(S.ZERO_PERIOD)
        if S.COURSE_EXCLUSION in chosen and line.course_id in decision.excluded_courses:
            touched.add(S.COURSE_EXCLUSION)
        if (
            S.PROGRAMME_EXCLUSION in chosen
            and line.enrolment.programme_id == fraud_file.course.programme_id
            and (in_period or line.course_id == fraud_file.course_id)
        ):
            touched.add(S.PROGRAMME_EXCLUSION)
    return touched


def sanctioned_lines(line_ids, student_ids=None) -> dict[int, dict]:
    """Answers ``core.gates.fraud_sanctioned_lines``: for each ISP line a final decision touches,
    whether it may earn a credit certificate (Art. 76-77, ``rules.certificate_allowed``: none after
    2°-7° or an annulment, §3) and whether the highest result of the year is set aside (Art. 85 §1:
    only when the decision says so, never for 1°). ``student_ids``: the lines' students, when the
    caller knows them (a publication's tens of thousands of lines are then not sent back)."""
    line_ids = set(line_ids)
    if not line_ids:
        return {}
    # One query when no student of these lines has a final decision (the publication's usual case).
    if student_ids is None:
        student_ids = ISPLine.objects.filter(pk__in=list(line_ids)).values("enrolment__student_id")
    decisions = _decisions_of(student_ids)
    if not decisions:
        return {}
    # Then only the lines and results of the few students decided about.
    decided = {decision.fraud_file.student_id for decision in decisions}
    lines = [
        line
        for line in ISPLine.objects.filter(enrolment__student_id__in=decided).select_related("enrolment")
        if line.pk in line_ids
    ]
    results = defaultdict(list)
    for result_id, line_id, period_id, number in Result.objects.filter(
        isp_line__enrolment__student_id__in=decided
    ).values_list("pk", "isp_line_id", "exam_period_id", "exam_period__number"):
        results[line_id].append((result_id, period_id, number))
    found = {}
    for line in lines:
        sanctions, annulled, set_aside = set(), False, False
        for decision in decisions:
            if decision.fraud_file.student_id != line.enrolment.student_id:
                continue
            touched = _line_sanctions(decision, line, results[line.pk])
            annulled_here = decision.annulment and line.pk in decision.annulled_certificates
            if touched - {S.NOT_VALIDLY_TAKEN} and decision.set_aside_highest_result:
                set_aside = True
            sanctions |= touched
            annulled = annulled or annulled_here
        if sanctions or annulled:
            found[line.pk] = {
                "certificate": rules.certificate_allowed(passed=True, sanctions_on_course=sanctions, annulled=annulled),
                "highest_set_aside": set_aside,
                "sanctions": sorted(str(s) for s in sanctions),
            }
    return found


def result_refusals(keys) -> dict[tuple, int]:
    """Answers ``core.gates.fraud_result_refusals``: the (student, course, exam period) keys on
    which a final exclusion refuses a result (Art. 85 §1 5°-6°, ``rules.retake_refused``): after
    5° no result for an excluded course, after 6° none for a course of the programme, in the
    sanction's exam period (the zero stands) or a later one of that academic year; the next
    academic year is free. The number of the sanction that refuses it (5 or 6)."""
    keys = list(keys)
    if not keys:
        return {}
    decisions = [
        d
        for d in _decisions_of({student for student, _course, _period in keys})
        if {S.COURSE_EXCLUSION, S.PROGRAMME_EXCLUSION} & {S(s) for s in d.sanctions}
    ]
    if not decisions:
        return {}
    periods = ExamPeriod.objects.select_related("academic_year").in_bulk({p for _s, _c, p in keys})
    programmes = dict(Course.objects.filter(pk__in={c for _s, c, _p in keys}).values_list("pk", "programme_id"))
    found = {}
    for key in keys:
        student_id, course_id, period_id = key
        period = periods.get(period_id)
        if period is None:
            continue
        for decision in decisions:
            sanction_period = decision.fraud_file.exam_period
            if decision.fraud_file.student_id != student_id:
                continue
            if period.academic_year_id != sanction_period.academic_year_id or period.number < sanction_period.number:
                continue
            chosen = {S(s) for s in decision.sanctions}
            on_course = set()
            if S.COURSE_EXCLUSION in chosen and course_id in decision.excluded_courses:
                on_course.add(S.COURSE_EXCLUSION)
            if S.PROGRAMME_EXCLUSION in chosen and programmes.get(course_id) == decision.fraud_file.course.programme_id:
                on_course.add(S.PROGRAMME_EXCLUSION)
            # Same academic year (checked above): refused; the next academic year is free.
            year = sanction_period.academic_year.first_year
            if on_course and rules.retake_refused(
                sanctions_on_course=on_course, opportunity_year_first=year, sanction_year_first=year
            ):
                found[key] = max(s.number for s in on_course)
                break
    return found
