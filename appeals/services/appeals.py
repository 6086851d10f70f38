"""Registering and following an appeal (Art. 101): the decision appealed, registering,
the elaboration of an appeal lodged pending feedback, a later decision date, the decision."""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core import clock, errors, gates
from core.audit import audited_save
from core.history import register_reasons, stored_reason
from exams import rules as exam_rules
from exams.models import ProgrammeResult, Result
from exams.publication import publication_day
from exams.redecisions import result_redecide
from exams.services import result_mark
from fraud import appeals as fraud_appeals
from fraud.models import FraudDecision
from programmes.models import ExamPeriod
from students.models import Enrolment, ExemptionApproval, ISPLine, Measure, Student

from .. import rules
from ..models import Appeal, AppealStatus, LiftingStatus, Outcome, RefusalLiftingRequest
from ..selectors import LINK_FIELDS, admissibility, day_text, describe_decision, programme_on, result_decision_on
from .base import REASON_LENGTH, Refused, not_in_the_future, plausible_date
from .clocks import appeal_announce, appeal_clocks_process
from .lifting import refusal_lift

# Change reasons with a value: stored in English, shown in the reader's language (core.history).
DECIDED = gettext_noop("Decided: %(outcome)s")
register_reasons(DECIDED)


# --- The decision appealed ----------------------------------------------------------------
@dataclass
class Linked:
    """What a linked decision tells about itself."""

    kind: str | None = None
    text: str = ""
    decision_on: datetime.date | None = None
    programme_id: int | None = None
    exam_period: ExamPeriod | None = None
    # A decision told through the outbox (DOMAIN §11): SENT (``decision_on`` is the day it was
    # sent), NOT_SENT (a live decision not told yet: its appeal term has not started), or "" (an
    # examination decision, or a historical decision never told: its own date counts).
    notification: str = ""


SENT, NOT_SENT = "sent", "not_sent"


def _told(model, object_id: int, decided_on: datetime.date | None) -> tuple[datetime.date | None, str]:
    """The day a decision's appeal term runs from (Art. 101, DOMAIN §7, §11): the day its
    notification was sent; for a live decision not sent yet, none (NOT_SENT); for a decision never
    told (historical: imported, or before the college went live), its decision date."""
    days = gates.notified_days(model._meta.label, [object_id])
    if object_id not in days:
        return decided_on, ""
    return (days[object_id], SENT) if days[object_id] else (None, NOT_SENT)


def _owner_problem(owner_id: int, student: Student) -> None:
    if owner_id != student.pk:
        raise Refused([_("The decision appealed is not one of this student's.")])


def linked_decision(*, student: Student, **links) -> Linked:
    """Check the links (at most one decision, the student's own) and describe it."""
    given = {name: value for name, value in links.items() if value is not None}
    unknown = set(given) - set(LINK_FIELDS)
    if unknown:
        raise TypeError(f"unknown links: {sorted(unknown)}")
    if len(given) > 1:
        raise Refused([_("Link one decision only.")])
    if not given:
        return Linked()
    (kind, obj), *_rest = given.items()
    if kind == "result":
        result = Result.objects.select_related(
            "isp_line__course", "isp_line__enrolment__programme", "exam_period__academic_year"
        ).get(pk=obj.pk)
        enrolment = result.isp_line.enrolment
        _owner_problem(enrolment.student_id, student)
        period = result.exam_period
        # Art. 101-102: the mark appealed stands on its publication, or on the latest new
        # decision on it since (a correction, an appeal): the term runs from that day.
        published = publication_day(period, enrolment.programme_id)
        return Linked(
            kind,
            describe_decision(kind, result, mark=result_mark(result)),
            result_decision_on(result) if published else period.results_published_on,
            enrolment.programme_id,
            period,
        )
    if kind == "exam_period":
        period = ExamPeriod.objects.select_related("academic_year").get(pk=obj.pk)
        enrolment = (
            Enrolment.objects.filter(student=student, academic_year_id=period.academic_year_id)
            .order_by("enrolled_on", "pk")
            .first()
        )
        if enrolment is None:
            raise Refused([_("The student was not enrolled in the academic year of that publication.")])
        return Linked(
            kind,
            describe_decision(kind, period),
            publication_day(period, enrolment.programme_id) or period.results_published_on,
            enrolment.programme_id,
            period,
        )
    if kind == "programme_result":
        programme_result = ProgrammeResult.objects.select_related("programme", "academic_year").get(pk=obj.pk)
        _owner_problem(programme_result.student_id, student)
        # The publication that passed the programme: on the calendar's day, or a held
        # programme's release (exams.publication).
        period = (
            ExamPeriod.objects.filter(academic_year_id=programme_result.academic_year_id)
            .filter(
                Q(results_published_on=programme_result.passed_on)
                | Q(
                    held_publications__programme_id=programme_result.programme_id,
                    held_publications__released_on=programme_result.passed_on,
                )
            )
            .select_related("academic_year")
            .order_by("number")
            .first()
        )
        return Linked(
            kind,
            describe_decision(kind, programme_result),
            programme_result.passed_on,
            programme_result.programme_id,
            period,
        )
    if kind == "measure":
        measure = Measure.objects.select_related("programme", "course").get(pk=obj.pk)
        _owner_problem(measure.student_id, student)
        day, told = _told(Measure, measure.pk, measure.decided_on)
        return Linked(kind, describe_decision(kind, measure), day, measure.programme_id, notification=told)
    if kind == "exemption":
        exemption = ExemptionApproval.objects.select_related(
            "isp_line__course", "isp_line__enrolment__academic_year"
        ).get(pk=obj.pk)
        enrolment = exemption.isp_line.enrolment
        _owner_problem(enrolment.student_id, student)
        day, told = _told(ExemptionApproval, exemption.pk, exemption.approved_on)
        return Linked(kind, describe_decision(kind, exemption), day, enrolment.programme_id, notification=told)
    if kind == "isp_line":
        line = ISPLine.objects.select_related("course", "enrolment__academic_year").get(pk=obj.pk)
        _owner_problem(line.enrolment.student_id, student)
        # A course refused in a contract (Art. 101 e) is told with the ISP's approval.
        day, told = _told(Enrolment, line.enrolment_id, None)
        return Linked(kind, describe_decision(kind, line), day, line.enrolment.programme_id, notification=told)
    if kind == "fraud_decision":
        decision = FraudDecision.objects.select_related(
            "fraud_file__course", "fraud_file__exam_period__academic_year", "ratification"
        ).get(pk=obj.pk)
        _owner_problem(decision.fraud_file.student_id, student)
        if not fraud_appeals.is_appealable(decision):
            raise Refused(
                [
                    _(
                        "Only a final decision on a fraud or plagiarism file can be appealed: a sanction that awaits "
                        "the fraud authority's ratification is appealed once it is notified (Art. 85 §2, 101 g)."
                    )
                ]
            )
        day, told = fraud_appeals.notified_on(decision), ""
        if decision.notified_on is None:
            day, told = _told(FraudDecision, decision.pk, day)
        return Linked(
            kind,
            describe_decision(kind, decision),
            day,
            decision.fraud_file.course.programme_id,
            notification=told or (SENT if decision.notified_on else ""),
        )
    request = RefusalLiftingRequest.objects.select_related("measure__programme").get(pk=obj.pk)
    _owner_problem(request.student_id, student)
    if request.status != LiftingStatus.REJECTED:
        raise Refused([_("Only a rejected refusal-lifting request can be appealed (Art. 101 (a)).")])
    day, told = _told(RefusalLiftingRequest, request.pk, request.decided_on)
    return Linked(kind, describe_decision(kind, request), day, request.measure.programme_id, notification=told)


# --- Registering and following an appeal ---------------------------------------------------
@transaction.atomic
def appeal_register(
    *,
    student: Student,
    category: str,
    posted_on: datetime.date,
    decision_text: str = "",
    decision_on: datetime.date | None = None,
    email: str = "",
    facts_and_objections: str = "",
    pending_feedback: bool = False,
    programme=None,
    result: Result | None = None,
    exam_period: ExamPeriod | None = None,
    programme_result: ProgrammeResult | None = None,
    measure: Measure | None = None,
    exemption: ExemptionApproval | None = None,
    isp_line: ISPLine | None = None,
    refusal_lifting_request: RefusalLiftingRequest | None = None,
    fraud_decision: FraudDecision | None = None,
    by,
    today: datetime.date | None = None,
) -> Appeal:
    """Register an appeal (Art. 101) as it was posted. An inadmissible appeal is registered
    too: its page says why, and the outcome says so with reasons."""
    if category not in rules.CATEGORIES:
        raise Refused([_("Choose a category (a) to (h) of Art. 101.")])
    today = today or clock.today()
    not_in_the_future(posted_on, _("The postal date"), today)
    plausible_date(decision_on, _("The decision's date"), today)
    links = {
        "result": result,
        "exam_period": exam_period,
        "programme_result": programme_result,
        "measure": measure,
        "exemption": exemption,
        "isp_line": isp_line,
        "refusal_lifting_request": refusal_lifting_request,
        "fraud_decision": fraud_decision,
    }
    linked = linked_decision(student=student, **links)
    if pending_feedback and not rules.pending_feedback_allowed(category):
        raise Refused([_("Only an appeal against an examination decision can be lodged pending feedback (Art. 101).")])
    if not rules.link_allowed(category=category, link=linked.kind):
        raise Refused([_("That decision cannot be appealed under this category (Art. 101).")])
    if rules.window_start_is_publication(category) and linked.exam_period is not None:
        # Art. 101: for an examination decision the period runs from the publication; for a linked
        # result, from its own day (its publication, or a later new decision on the mark).
        decision_on = (
            linked.decision_on
            if linked.kind == "result"
            else publication_day(linked.exam_period, linked.programme_id) or linked.decision_on
        )
    if linked.notification == NOT_SENT:
        # DOMAIN §11: a live decision not told yet starts no appeal term: posted before its
        # notification, the appeal is in time.
        decision_on = posted_on
    elif linked.notification == SENT:
        # The notification date is the day the outbox sent it, not a date typed by hand.
        decision_on = linked.decision_on
    decision_on = decision_on or linked.decision_on
    if decision_on is None:
        raise Refused([_("Give the date on which the decision was published or notified.")])
    if not (decision_text.strip() or linked.text):
        raise Refused([_("Describe the decision appealed, or link it.")])
    programme_id = getattr(programme, "pk", programme) or linked.programme_id or programme_on(student, decision_on)
    appeal = Appeal(
        student=student,
        category=category,
        programme_id=programme_id,
        decision_text=(decision_text.strip() or linked.text)[:300],
        # Filled in from the link: the pages write it anew in the reader's language.
        described_from_link=not decision_text.strip() and bool(linked.text),
        exam_period=linked.exam_period if linked.kind in ("result", "exam_period", "programme_result") else None,
        decision_on=decision_on,
        posted_on=posted_on,
        email=email,
        facts_and_objections=facts_and_objections,
        pending_feedback=pending_feedback,
        decision_due_on=rules.decision_last_day(posted_on=posted_on),
        registered_by=by,
        **{name: value for name, value in links.items() if value is not None and name != "exam_period"},
    )
    audited_save(appeal, by=by, reason=gettext_noop("Appeal registered"))
    appeal_clocks_process(day=today, appeal_ids=[appeal.pk])
    appeal.refresh_from_db()
    return appeal


def _locked(appeal: Appeal | int) -> Appeal:
    return Appeal.objects.select_for_update().select_related("student").get(pk=getattr(appeal, "pk", appeal))


@transaction.atomic
def appeal_elaborate(
    *, appeal: Appeal | int, on: datetime.date, facts_and_objections: str, by, today: datetime.date | None = None
) -> Appeal:
    """Record the elaboration of an appeal lodged pending feedback (Art. 101). Dated on or
    before the fifth day after filing it is in time, even when it is recorded later and the
    clock has voided the appeal meanwhile: then the appeal is open again."""
    appeal = _locked(appeal)
    today = today or clock.today()
    not_in_the_future(on, _("The elaboration's date"), today)
    if not appeal.pending_feedback:
        raise Refused([_("This appeal was not lodged pending feedback.")])
    if appeal.elaborated_on is not None:
        raise Refused([_("This appeal was elaborated already.")])
    if appeal.status == AppealStatus.DECIDED:
        raise Refused([_("This appeal is decided.")])
    if not facts_and_objections.strip():
        raise Refused([_("Give the facts and objections of the elaboration.")])
    if not rules.elaboration_in_time(posted_on=appeal.posted_on, elaborated_on=on):
        last_day = rules.elaboration_last_day(posted_on=appeal.posted_on)
        raise Refused(
            [
                _("Elaborated too late: the last day was %(day)s; the appeal is void (Art. 101).")
                % {"day": day_text(last_day)}
            ]
        )
    appeal.elaborated_on = on
    text = appeal.facts_and_objections.strip()
    heading = _("Elaboration of %(day)s:") % {"day": day_text(on)}
    appeal.facts_and_objections = (
        f"{text}\n\n{heading}\n{facts_and_objections.strip()}" if text else facts_and_objections
    )
    if appeal.status == AppealStatus.VOID:
        appeal.status, appeal.voided_on = AppealStatus.OPEN, None
    audited_save(appeal, by=by, reason=gettext_noop("Elaborated"))
    appeal_clocks_process(day=today, appeal_ids=[appeal.pk])
    appeal.refresh_from_db()
    return appeal


LATER_DATE_MESSAGES = {
    rules.ANNOUNCED_BEFORE_FILING: gettext_lazy("The announcement cannot come before the filing day."),
    rules.ANNOUNCED_LATE: gettext_lazy(
        "A later date must be announced within the twenty days, by %(last_day)s (Art. 101)."
    ),
    rules.NOT_LATER: gettext_lazy("The announced date must come after %(last_day)s, the ordinary last day."),
    rules.NO_REASONS: gettext_lazy("Give the reasons for the later date (Art. 101)."),
}


@transaction.atomic
def appeal_postpone(
    *,
    appeal: Appeal | int,
    announced_on: datetime.date,
    later_on: datetime.date,
    reasons: str,
    by,
    today: datetime.date | None = None,
) -> Appeal:
    """Record that the appeal authority announced, in time and with reasons, a decision on a
    later date (Art. 101): that date is then the day the decision is due."""
    appeal = _locked(appeal)
    today = today or clock.today()
    not_in_the_future(announced_on, _("The announcement's date"), today)
    plausible_date(later_on, _("The later decision date"), today)
    if appeal.status != AppealStatus.OPEN:
        raise Refused([_("Only an open appeal can be given a later decision date.")])
    problems = rules.later_date_problems(
        posted_on=appeal.posted_on, announced_on=announced_on, later_on=later_on, reasons=reasons
    )
    if problems:
        last_day = day_text(rules.decision_last_day(posted_on=appeal.posted_on))
        raise Refused([str(LATER_DATE_MESSAGES[code]) % {"last_day": last_day} for code in problems])
    # Told once (DOMAIN §11): recording the same announcement again tells nothing new.
    changed = (appeal.later_announced_on, appeal.later_decision_on, appeal.later_reasons) != (
        announced_on,
        later_on,
        reasons,
    )
    appeal.later_announced_on, appeal.later_decision_on, appeal.later_reasons = announced_on, later_on, reasons
    appeal.decision_due_on = rules.decision_due(
        posted_on=appeal.posted_on, announced_on=announced_on, later_on=later_on, reasons=reasons
    )
    # Recorded after the clock flagged the ordinary day: the announcement came in time.
    appeal.overdue_since = None
    audited_save(appeal, by=by, reason=gettext_noop("Later decision date announced"))
    if changed:
        # Art. 101: the student is told of the later date and its reasons.
        appeal_announce(
            appeal,
            kind="appeal_postponed",
            decided_on=announced_on,
            data={"later_on": later_on, "reasons": reasons, "announced_on": announced_on},
        )
    appeal_clocks_process(day=today, appeal_ids=[appeal.pk])
    appeal.refresh_from_db()
    return appeal


OUTCOME_MESSAGES = {
    rules.NOT_ADMISSIBLE: gettext_lazy("The appeal is inadmissible by rule: it can only be declared inadmissible."),
    rules.AWAITING_ELABORATION: gettext_lazy(
        "The appeal was lodged pending feedback and is not elaborated yet: it cannot be decided on its merits."
    ),
    rules.DECIDED_BEFORE_FILING: gettext_lazy("The decision cannot come before the filing day."),
    rules.NO_MOTIVATION: gettext_lazy("Give the motivation of the decision (Art. 101)."),
}


@transaction.atomic
def appeal_decide(
    *,
    appeal: Appeal | int,
    outcome: str,
    on: datetime.date,
    reason: str,
    by,
    mark: exam_rules.Mark | None = None,
    today: datetime.date | None = None,
) -> Appeal:
    """Decide an appeal (Art. 101): inadmissible, unfounded, or a new decision.

    A new examination decision on a linked result changes its mark through
    ``result_redecide`` on ``on``: certificate, learning account, tolerance, programme
    result and measures follow. A new decision on a rejected refusal lifting (a) lifts the
    refusal as the committee would have (Art. 34). Other new decisions are recorded here and
    carried out where the decision lives (an exemption in the ISP, ...).
    """
    appeal = _locked(appeal)
    today = today or clock.today()
    not_in_the_future(on, _("The decision's date"), today)
    if appeal.status == AppealStatus.VOID:
        raise Refused([_("This appeal is void: it was not elaborated within five days (Art. 101).")])
    if appeal.status == AppealStatus.DECIDED:
        raise Refused([_("This appeal is decided already.")])
    if outcome not in rules.OUTCOMES:
        raise Refused([_("Choose an outcome.")])
    problems = rules.outcome_problems(
        outcome=outcome,
        admissibility=admissibility(appeal).problems,
        pending_feedback=appeal.pending_feedback,
        elaborated=appeal.elaborated_on is not None,
        posted_on=appeal.posted_on,
        decided_on=on,
        motivation=reason,
    )
    if problems:
        raise Refused([OUTCOME_MESSAGES[code] for code in problems])
    changes_mark = outcome == Outcome.NEW_DECISION and rules.decision_may_change_mark(
        category=appeal.category, linked_to_result=appeal.result_id is not None
    )
    if mark is not None and not changes_mark:
        raise Refused([_("A new mark belongs only to a new examination decision on a linked result.")])
    label = _("Appeal %(reference)s: %(reason)s") % {"reference": appeal.reference, "reason": reason}
    if changes_mark:
        if mark is None:
            raise Refused([_("Give the new mark of the new examination decision.")])
        result = Result.objects.select_related("isp_line__course").get(pk=appeal.result_id)
        old = result_mark(result)
        if old == mark:
            raise Refused([_("The new decision gives the same mark: the appeal is then unfounded.")])
        if not exam_rules.mark_allowed(mark, pass_fail=result.isp_line.course.pass_fail):
            raise Refused([_("The mark %(mark)s is not allowed for this course (Art. 65-66).") % {"mark": mark}])
        result_redecide(result=result, mark=mark, on=on, reason=label[:REASON_LENGTH])
        appeal.old_mark, appeal.new_mark = exam_rules.mark_to_text(old), exam_rules.mark_to_text(mark)
    elif outcome == Outcome.NEW_DECISION and appeal.fraud_decision_id:
        # Art. 101 g: the sanction is set aside and the committee decides anew on the fraud file.
        try:
            fraud_appeals.decision_set_aside(decision=appeal.fraud_decision, by_appeal=appeal.reference, on=on, by=by)
        except errors.Refused as refused:
            raise Refused(refused.problems) from refused
    elif outcome == Outcome.NEW_DECISION and appeal.category == "a":
        measure = appeal.refusal_lifting_request.measure if appeal.refusal_lifting_request_id else appeal.measure
        if measure is not None and measure.lifted_on is None:
            refusal_lift(measure=measure, on=on, reason=label[:200])
    appeal.status, appeal.outcome, appeal.decided_on = AppealStatus.DECIDED, outcome, on
    appeal.decided_by, appeal.decision_reason = by, reason
    # Decided after the due day: late, whether or not the clock flagged it already; decided in
    # time but recorded after the clock ran: it was never overdue.
    appeal.overdue_since = rules.overdue_on(due_on=appeal.decision_due_on) if on > appeal.decision_due_on else None
    audited_save(appeal, by=by, reason=stored_reason(DECIDED, outcome=Outcome(appeal.outcome).label))
    # Art. 101: the motivated decision is sent to the student (DOMAIN §11), once: a decided appeal
    # is not decided again. An inadmissible appeal is told with the reasons the rules find.
    check = admissibility(appeal)
    appeal_announce(
        appeal,
        kind="appeal_decided",
        decided_on=on,
        data={
            "outcome": outcome,
            "inadmissible_reasons": check.problems if outcome == Outcome.INADMISSIBLE else [],
            "filing_last_on": check.last_day,
            "old_mark": appeal.old_mark,
            "new_mark": appeal.new_mark,
            "motivation": reason,
            "decided_on": on,
        },
    )
    return appeal
