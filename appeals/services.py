"""Writes of the appeals app: the appeal register (Art. 101), refusal lifting (Art. 34) and
corrections (Art. 102). Keyword-only, typed, transactional; ``by`` is the user who records.

The rules live in ``appeals.rules``; a new examination decision goes through
``exams.redecisions.result_redecide`` like every changed mark, so the credit certificate,
the learning account, tolerance, the programme result and the measures follow on the
decision day. The appeal clocks (void after the elaboration window, overdue after the
decision's due day) are dated facts of the timeline (``core.timeline``): each is processed
once and stamped with the rule's own date, so processing it late or twice changes nothing.

Every write takes ``today`` (default: ``core.clock.today()``) so that a replay, such as the
demo loaded "as of" a day, judges dates against that day.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max, Min
from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from core import clock, roles
from exams import rules as exam_rules
from exams.models import ProgrammeResult, Result
from exams.redecisions import result_redecide
from exams.services import programme_results_update, result_mark
from exams.standing import standings
from programmes.models import ExamPeriod
from programmes.rules import academic_year_code, parse_academic_year_code
from students.measures import REFUSALS, measure_lift
from students.models import Enrolment, ExemptionApproval, ISPLine, Measure, MeasureKind, Student, ToleranceKind

from . import rules
from .models import (
    Appeal,
    AppealStatus,
    Correction,
    LiftingStatus,
    Outcome,
    RefusalLiftingRequest,
)

REASON_LENGTH = 100  # django-simple-history's change reason


class Refused(Exception):
    """A write the rules refuse; ``messages`` say why, in the user's language."""

    def __init__(self, messages):
        self.messages = [str(m) for m in messages]
        super().__init__("; ".join(self.messages))


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _record(instance, *, by, reason: str) -> None:
    """Save with the history's who and why (django-simple-history)."""
    instance._history_user = by
    instance._change_reason = reason[:REASON_LENGTH]
    instance.save()


def _not_in_the_future(on: datetime.date, label, today: datetime.date) -> None:
    if on > today:
        raise Refused([_("%(what)s cannot lie in the future.") % {"what": label}])


# --- The decision appealed ----------------------------------------------------------------
LINK_FIELDS = (
    "result",
    "programme_result",
    "refusal_lifting_request",
    "measure",
    "exemption",
    "isp_line",
    "exam_period",
)


@dataclass
class Linked:
    """What a linked decision tells about itself."""

    kind: str | None = None
    text: str = ""
    decision_on: datetime.date | None = None
    programme_id: int | None = None
    exam_period: ExamPeriod | None = None


def _owner_problem(owner_id: int, student: Student) -> None:
    if owner_id != student.pk:
        raise Refused([_("The decision appealed is not one of this student's.")])


def link_kind(appeal: Appeal) -> str | None:
    """Which kind of decision ``appeal`` links, the most specific first."""
    return next((name for name in LINK_FIELDS if getattr(appeal, f"{name}_id")), None)


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
        return Linked(
            kind,
            _(
                "Result of %(course)s %(name)s, exam period %(period)s of %(year)s, "
                "opportunity %(opportunity)s: %(mark)s"
            )
            % {
                "course": result.isp_line.course.code,
                "name": result.isp_line.course.name,
                "period": period.number,
                "year": period.academic_year.code,
                "opportunity": result.opportunity,
                "mark": exam_rules.mark_to_text(result_mark(result)),
            },
            period.results_published_on,
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
            _("Examination decisions published on %(day)s (exam period %(period)s of %(year)s)")
            % {"day": _day(period.results_published_on), "period": period.number, "year": period.academic_year.code},
            period.results_published_on,
            enrolment.programme_id,
            period,
        )
    if kind == "programme_result":
        programme_result = ProgrammeResult.objects.select_related("programme", "academic_year").get(pk=obj.pk)
        _owner_problem(programme_result.student_id, student)
        period = (
            ExamPeriod.objects.filter(
                academic_year_id=programme_result.academic_year_id,
                results_published_on=programme_result.passed_on,
            )
            .select_related("academic_year")
            .first()
        )
        return Linked(
            kind,
            _("Programme result of %(programme)s (%(year)s): %(percentage)s %%")
            % {
                "programme": programme_result.programme.code,
                "year": programme_result.academic_year.code,
                "percentage": f"{programme_result.percentage:.2f}",
            },
            programme_result.passed_on,
            programme_result.programme_id,
            period,
        )
    if kind == "measure":
        measure = Measure.objects.select_related("programme", "course").get(pk=obj.pk)
        _owner_problem(measure.student_id, student)
        text = _("%(measure)s for %(programme)s, %(first)s to %(last)s") % {
            "measure": measure.get_kind_display(),
            "programme": measure.programme.code,
            "first": measure.from_year_code,
            "last": measure.until_year_code,
        }
        if measure.course_id:
            text += f" ({measure.course.code})"
        return Linked(kind, text, measure.decided_on, measure.programme_id)
    if kind == "exemption":
        exemption = ExemptionApproval.objects.select_related(
            "isp_line__course", "isp_line__enrolment__academic_year"
        ).get(pk=obj.pk)
        enrolment = exemption.isp_line.enrolment
        _owner_problem(enrolment.student_id, student)
        return Linked(
            kind,
            _("Exemption for %(course)s %(name)s (%(year)s)")
            % {
                "course": exemption.isp_line.course.code,
                "name": exemption.isp_line.course.name,
                "year": enrolment.academic_year.code,
            },
            exemption.approved_on,
            enrolment.programme_id,
        )
    if kind == "isp_line":
        line = ISPLine.objects.select_related("course", "enrolment__academic_year").get(pk=obj.pk)
        _owner_problem(line.enrolment.student_id, student)
        return Linked(
            kind,
            _("%(course)s %(name)s in the ISP of %(year)s")
            % {"course": line.course.code, "name": line.course.name, "year": line.enrolment.academic_year.code},
            None,
            line.enrolment.programme_id,
        )
    request = RefusalLiftingRequest.objects.select_related("measure__programme").get(pk=obj.pk)
    _owner_problem(request.student_id, student)
    if request.status != LiftingStatus.REJECTED:
        raise Refused([_("Only a rejected refusal-lifting request can be appealed (Art. 101 (a)).")])
    return Linked(
        kind,
        _("Rejection of refusal-lifting request %(reference)s (%(measure)s)")
        % {"reference": request.reference, "measure": request.measure.get_kind_display()},
        request.decided_on,
        request.measure.programme_id,
    )


# --- Admissibility (Art. 101) -------------------------------------------------------------
ADMISSIBILITY_MESSAGES = {
    rules.NO_STUDENT: gettext_lazy("The appeal does not name the student."),
    rules.NO_DECISION: gettext_lazy("The appeal does not name the decision appealed."),
    rules.NO_FACTS: gettext_lazy("The appeal gives no facts and objections."),
    rules.NO_DECISION_DATE: gettext_lazy("The date of the publication or notification is not known."),
    rules.BEFORE_DECISION: gettext_lazy("The appeal was posted before the decision was published or notified."),
    rules.LATE: gettext_lazy("Filed too late: the last day to file was %(last_day)s (seven calendar days)."),
}


@dataclass
class Admissibility:
    opens: datetime.date | None
    last_day: datetime.date | None
    problems: list[str]
    messages: list[str]

    @property
    def admissible(self) -> bool:
        return not self.problems


def admissibility(appeal: Appeal) -> Admissibility:
    """Whether ``appeal`` is admissible by rule (Art. 101), with the computed last day."""
    problems = rules.admissibility_problems(
        has_student=appeal.student_id is not None,
        names_decision=bool(appeal.decision_text.strip()) or link_kind(appeal) is not None,
        facts_and_objections=appeal.facts_and_objections,
        decision_on=appeal.decision_on,
        posted_on=appeal.posted_on,
        pending_feedback=appeal.pending_feedback,
        elaborated=appeal.elaborated_on is not None,
    )
    last_day = rules.appeal_last_day(decision_on=appeal.decision_on) if appeal.decision_on else None
    opens = rules.appeal_window_opens(decision_on=appeal.decision_on) if appeal.decision_on else None
    messages = [
        str(ADMISSIBILITY_MESSAGES[code]) % {"last_day": _day(last_day) if last_day else ""} for code in problems
    ]
    return Admissibility(opens, last_day, problems, messages)


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
    by,
    today: datetime.date | None = None,
) -> Appeal:
    """Register an appeal (Art. 101) as it was posted. An inadmissible appeal is registered
    too: its page says why, and the outcome says so with reasons."""
    if category not in rules.CATEGORIES:
        raise Refused([_("Choose a category (a) to (h) of Art. 101.")])
    today = today or clock.today()
    _not_in_the_future(posted_on, _("The postal date"), today)
    links = {
        "result": result,
        "exam_period": exam_period,
        "programme_result": programme_result,
        "measure": measure,
        "exemption": exemption,
        "isp_line": isp_line,
        "refusal_lifting_request": refusal_lifting_request,
    }
    linked = linked_decision(student=student, **links)
    if pending_feedback and not rules.pending_feedback_allowed(category):
        raise Refused([_("Only an appeal against an examination decision can be lodged pending feedback (Art. 101).")])
    if not rules.link_allowed(category=category, link=linked.kind):
        raise Refused([_("That decision cannot be appealed under this category (Art. 101).")])
    if rules.window_start_is_publication(category) and linked.exam_period is not None:
        # Art. 101: for an examination decision the period runs from the publication.
        decision_on = linked.exam_period.results_published_on
    decision_on = decision_on or linked.decision_on
    if decision_on is None:
        raise Refused([_("Give the date on which the decision was published or notified.")])
    if not (decision_text.strip() or linked.text):
        raise Refused([_("Describe the decision appealed, or link it.")])
    programme_id = getattr(programme, "pk", programme) or linked.programme_id or _programme_on(student, decision_on)
    appeal = Appeal(
        student=student,
        category=category,
        programme_id=programme_id,
        decision_text=(decision_text.strip() or linked.text)[:300],
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
    _record(appeal, by=by, reason=_("Appeal registered"))
    appeal_clocks_process(day=today, appeal_ids=[appeal.pk])
    appeal.refresh_from_db()
    return appeal


def _programme_on(student: Student, day: datetime.date) -> int | None:
    """The programme of the student's latest enrolment by ``day`` (else their first one):
    where an appeal without a linked decision is filed on the register."""
    enrolments = Enrolment.objects.filter(student=student)
    latest = enrolments.filter(academic_year__starts_on__lte=day).order_by("-academic_year__starts_on", "-pk").first()
    chosen = latest or enrolments.order_by("academic_year__starts_on", "pk").first()
    return chosen.programme_id if chosen else None


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
    _not_in_the_future(on, _("The elaboration's date"), today)
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
                % {"day": _day(last_day)}
            ]
        )
    appeal.elaborated_on = on
    text = appeal.facts_and_objections.strip()
    heading = _("Elaboration of %(day)s:") % {"day": _day(on)}
    appeal.facts_and_objections = (
        f"{text}\n\n{heading}\n{facts_and_objections.strip()}" if text else facts_and_objections
    )
    if appeal.status == AppealStatus.VOID:
        appeal.status, appeal.voided_on = AppealStatus.OPEN, None
    _record(appeal, by=by, reason=_("Elaborated"))
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
    _not_in_the_future(announced_on, _("The announcement's date"), today)
    if appeal.status != AppealStatus.OPEN:
        raise Refused([_("Only an open appeal can be given a later decision date.")])
    problems = rules.later_date_problems(
        posted_on=appeal.posted_on, announced_on=announced_on, later_on=later_on, reasons=reasons
    )
    if problems:
        last_day = _day(rules.decision_last_day(posted_on=appeal.posted_on))
        raise Refused([str(LATER_DATE_MESSAGES[code]) % {"last_day": last_day} for code in problems])
    appeal.later_announced_on, appeal.later_decision_on, appeal.later_reasons = announced_on, later_on, reasons
    appeal.decision_due_on = rules.decision_due(
        posted_on=appeal.posted_on, announced_on=announced_on, later_on=later_on, reasons=reasons
    )
    # Recorded after the clock flagged the ordinary day: the announcement came in time.
    appeal.overdue_since = None
    _record(appeal, by=by, reason=_("Later decision date announced"))
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
    _not_in_the_future(on, _("The decision's date"), today)
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
    changes_mark = outcome == Outcome.NEW_DECISION and appeal.category == rules.EXAMINATION and appeal.result_id
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
    elif outcome == Outcome.NEW_DECISION and appeal.category == "a":
        measure = appeal.refusal_lifting_request.measure if appeal.refusal_lifting_request_id else appeal.measure
        if measure is not None and measure.lifted_on is None:
            refusal_lift(measure=measure, on=on, reason=label[:200])
    appeal.status, appeal.outcome, appeal.decided_on = AppealStatus.DECIDED, outcome, on
    appeal.decided_by, appeal.decision_reason = by, reason
    # Decided after the due day: late, whether or not the clock flagged it already; decided in
    # time but recorded after the clock ran: it was never overdue.
    appeal.overdue_since = rules.overdue_on(due_on=appeal.decision_due_on) if on > appeal.decision_due_on else None
    _record(appeal, by=by, reason=_("Decided: %(outcome)s") % {"outcome": appeal.get_outcome_display()})
    return appeal


# --- The clocks (timeline facts) ------------------------------------------------------------
def appeal_clocks_pending_on() -> datetime.date | None:
    """The earliest day an appeal clock is due and not processed yet (for ``core.timeline``)."""
    open_appeals = Appeal.objects.filter(status=AppealStatus.OPEN)
    unelaborated = open_appeals.filter(pending_feedback=True, elaborated_on__isnull=True).aggregate(d=Min("posted_on"))[
        "d"
    ]
    unflagged = open_appeals.filter(overdue_since__isnull=True).aggregate(d=Min("decision_due_on"))["d"]
    days = [
        rules.void_on(posted_on=unelaborated) if unelaborated else None,
        rules.overdue_on(due_on=unflagged) if unflagged else None,
    ]
    return min((d for d in days if d is not None), default=None)


@transaction.atomic
def appeal_clocks_process(*, day: datetime.date, appeal_ids=None) -> int:
    """Process the appeal clocks due on or before ``day`` (Art. 101), once each:

    - an appeal lodged pending feedback and not elaborated becomes void on the day after
      the elaboration's last day;
    - an open appeal not decided by its due day is flagged overdue from the day after.

    Each stamp is the rule's date, not the day of processing. Returns how many changed."""
    rows = Appeal.objects.select_for_update().filter(status=AppealStatus.OPEN)
    if appeal_ids is not None:
        rows = rows.filter(pk__in=list(appeal_ids))
    # void_on(posted_on) <= day, with void_on = posted_on + a fixed number of days
    latest_posted = day - (rules.void_on(posted_on=day) - day)
    voided = list(rows.filter(pending_feedback=True, elaborated_on__isnull=True, posted_on__lte=latest_posted))
    for appeal in voided:
        appeal.status, appeal.voided_on = AppealStatus.VOID, rules.void_on(posted_on=appeal.posted_on)
    bulk_update_with_history(
        voided, Appeal, ["status", "voided_on"], default_change_reason=_("Void: not elaborated within five days")
    )
    overdue = list(
        rows.filter(overdue_since__isnull=True, decision_due_on__lt=day).exclude(pk__in=[a.pk for a in voided])
    )
    for appeal in overdue:
        appeal.overdue_since = rules.overdue_on(due_on=appeal.decision_due_on)
    bulk_update_with_history(
        overdue, Appeal, ["overdue_since"], default_change_reason=_("Overdue: no decision in time")
    )
    return len(voided) + len(overdue)


# --- The daily summary ----------------------------------------------------------------------
@dataclass
class Summary:
    today: datetime.date
    overdue: list[Appeal]
    due_soon: list[Appeal]
    awaiting_elaboration: list[Appeal]
    lifting_pending: list[RefusalLiftingRequest]

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.awaiting_elaboration or self.lifting_pending)


def appeals_summary(*, today: datetime.date) -> Summary:
    """What student administration follows up today: overdue appeals, appeals due within
    ``rules.DUE_SOON_DAYS``, appeals awaiting their elaboration, undecided lifting requests."""
    open_appeals = Appeal.objects.filter(status=AppealStatus.OPEN).select_related("student", "programme")
    soon = today + datetime.timedelta(days=rules.DUE_SOON_DAYS)
    return Summary(
        today=today,
        overdue=list(open_appeals.filter(decision_due_on__lt=today).order_by("decision_due_on", "pk")),
        due_soon=list(
            open_appeals.filter(decision_due_on__gte=today, decision_due_on__lte=soon).order_by("decision_due_on", "pk")
        ),
        awaiting_elaboration=list(
            open_appeals.filter(pending_feedback=True, elaborated_on__isnull=True).order_by("posted_on", "pk")
        ),
        lifting_pending=list(
            RefusalLiftingRequest.objects.filter(status=LiftingStatus.PENDING)
            .select_related("student", "measure__programme")
            .order_by("submitted_on", "pk")
        ),
    )


def summary_recipients() -> list[str]:
    """The e-mail addresses of the active members of student administration."""
    users = get_user_model().objects.filter(is_active=True, groups__name=roles.ADMINISTRATION).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def appeals_summary_send(*, today: datetime.date) -> int:
    """E-mail the daily summary to student administration; nothing when there is nothing to
    follow up. Returns the number of recipients."""
    summary = appeals_summary(today=today)
    recipients = summary_recipients()
    if summary.empty or not recipients:
        return 0
    subject = _("Appeals on %(day)s: %(overdue)s overdue, %(soon)s due soon") % {
        "day": _day(today),
        "overdue": len(summary.overdue),
        "soon": len(summary.due_soon),
    }
    body = render_to_string("appeals/summary_email.txt", {"summary": summary})
    send_mail(subject, body, None, recipients)
    return len(recipients)


# --- Refusal lifting (Art. 34) -------------------------------------------------------------
LIFTING_MESSAGES = {
    rules.LIFTING_LATE: gettext_lazy(
        "Submitted too late: the last day was %(last_day)s (10 October, or before 25 February for a first "
        "request in the academic year, Art. 34)."
    ),
    rules.LIFTING_NOT_REFUSED: gettext_lazy("The refusal does not apply in academic year %(year)s."),
    rules.LIFTING_ALREADY_LIFTED: gettext_lazy("This refusal is lifted already."),
    rules.LIFTING_NO_GROUNDS: gettext_lazy("Give the special individual circumstances the request rests on."),
}


@dataclass
class LiftingCheck:
    last_day: datetime.date
    problems: list[str]
    messages: list[str]


def lifting_check(
    *, measure: Measure, submitted_on: datetime.date, grounds: str, exclude_pk: int | None = None
) -> LiftingCheck:
    """The Art. 34 rules for a request against ``measure`` submitted on ``submitted_on``."""
    first_year = rules.lifting_academic_year(submitted_on=submitted_on)
    code = academic_year_code(first_year)
    asked_earlier = (
        RefusalLiftingRequest.objects.filter(
            student_id=measure.student_id, academic_year_code=code, submitted_on__lte=submitted_on
        )
        .exclude(pk=exclude_pk)
        .exists()
    )
    problems = rules.lifting_request_problems(
        submitted_on=submitted_on,
        asked_earlier=asked_earlier,
        refusal_years=(
            parse_academic_year_code(measure.from_year_code),
            parse_academic_year_code(measure.until_year_code),
        ),
        lifted=measure.lifted_on is not None,
        grounds=grounds,
    )
    last_day = rules.lifting_last_day(first_year=first_year, asked_earlier=asked_earlier)
    context = {"last_day": _day(last_day), "year": code}
    return LiftingCheck(last_day, problems, [str(LIFTING_MESSAGES[p]) % context for p in problems])


@transaction.atomic
def refusal_lifting_request_register(
    *, measure: Measure, submitted_on: datetime.date, grounds: str, by, today: datetime.date | None = None
) -> RefusalLiftingRequest:
    """Register a request to the refusal-lifting committee (Art. 34). A late request is
    registered too (the committee rejects it); one against no refusal, a lifted refusal or
    without grounds is refused."""
    today = today or clock.today()
    _not_in_the_future(submitted_on, _("The request's date"), today)
    measure = Measure.objects.select_for_update().get(pk=measure.pk)
    if measure.kind not in REFUSALS:
        raise Refused([_("Only a refusal of enrolment can be lifted (Art. 34).")])
    check = lifting_check(measure=measure, submitted_on=submitted_on, grounds=grounds)
    blocking = [m for p, m in zip(check.problems, check.messages, strict=True) if p != rules.LIFTING_LATE]
    if blocking:
        raise Refused(blocking)
    request = RefusalLiftingRequest(
        student_id=measure.student_id,
        measure=measure,
        academic_year_code=academic_year_code(rules.lifting_academic_year(submitted_on=submitted_on)),
        submitted_on=submitted_on,
        grounds=grounds,
        registered_by=by,
    )
    _record(request, by=by, reason=_("Refusal-lifting request registered"))
    return request


def lifting_tolerances(measure: Measure) -> list[ISPLine]:
    """Art. 34: the threshold lines that lifting a decree-threshold refusal tolerates
    automatically, when the tolerance credit suffices (the 50 % efficiency condition waived);
    each course on the line of its latest year up to the refusal's year. [] otherwise."""
    if measure.kind != MeasureKind.THRESHOLD_REFUSAL:
        return []
    key = (measure.student_id, measure.programme_id)
    standing = standings([key])[key]
    year = next((y for y in standing.years if y.year_id == measure.decided_in_id), None)
    position = standing.tolerance(year) if year is not None else None
    if position is None:
        return []
    courses = rules.threshold_tolerances(package=standing.package_records(year), left=position["left"])
    lines = {}
    for earlier in standing.years:
        if earlier.year_start <= year.year_start:
            for line in earlier.active:
                if line.course_id in courses and not line.done:
                    lines[line.course_id] = line
    if not courses or set(lines) != set(courses):
        return []
    return list(ISPLine.objects.filter(pk__in=[x.id for x in lines.values()]).select_related("course"))


def refusal_lift(*, measure: Measure, on: datetime.date, reason: str) -> list[str]:
    """Lift a refusal (Art. 34) on ``on``: the tolerances of ``lifting_tolerances`` are
    applied (tolerance kind "automatic") and the programme result follows; the enrolments the
    refusal held back are readmitted. Returns the course codes tolerated."""
    tolerated = []
    for line in lifting_tolerances(measure):
        line.tolerated_on, line.tolerance_kind = on, ToleranceKind.AUTOMATIC
        line._change_reason = reason[:REASON_LENGTH]
        line.save(update_fields=["tolerated_on", "tolerance_kind"])
        tolerated.append(line.course.code)
    if tolerated:
        programme_results_update(pairs=[(measure.student_id, measure.programme_id)], day=on)
    measure_lift(measure=measure, on=on, reason=reason[:200])
    return sorted(tolerated)


@transaction.atomic
def refusal_lifting_decide(
    *,
    request: RefusalLiftingRequest | int,
    granted: bool,
    on: datetime.date,
    reason: str,
    by,
    today: datetime.date | None = None,
) -> RefusalLiftingRequest:
    """Record the refusal-lifting committee's decision (Art. 34). Granting lifts the refusal
    (``refusal_lift``); a late request can only be rejected. A rejection can be appealed
    under Art. 101 (a)."""
    request = RefusalLiftingRequest.objects.select_for_update().get(pk=getattr(request, "pk", request))
    today = today or clock.today()
    _not_in_the_future(on, _("The decision's date"), today)
    if request.status != LiftingStatus.PENDING:
        raise Refused([_("This request is decided already.")])
    if on < request.submitted_on:
        raise Refused([_("The decision cannot come before the request.")])
    if not reason.strip():
        raise Refused([_("Give the motivation of the decision.")])
    measure = Measure.objects.select_for_update().get(pk=request.measure_id)
    if granted:
        check = lifting_check(
            measure=measure, submitted_on=request.submitted_on, grounds=request.grounds, exclude_pk=request.pk
        )
        if check.problems:
            raise Refused(check.messages)
        label = _("Refusal lifted (%(reference)s): %(reason)s") % {"reference": request.reference, "reason": reason}
        request.tolerated_courses = ", ".join(refusal_lift(measure=measure, on=on, reason=label))
    request.status = LiftingStatus.GRANTED if granted else LiftingStatus.REJECTED
    request.decided_on, request.decided_by, request.decision_reason = on, by, reason
    _record(request, by=by, reason=_("Decided: %(status)s") % {"status": request.get_status_display()})
    return request


# --- Corrections (Art. 102) -----------------------------------------------------------------
CORRECTION_MESSAGES = {
    rules.CORRECTION_LATE: gettext_lazy(
        "A correction against the student is possible only within ten calendar days after the decision, "
        "so by %(last_day)s (Art. 102)."
    ),
    rules.CORRECTION_BEFORE_DECISION: gettext_lazy("A correction cannot come before the decision it corrects."),
    rules.CORRECTION_NO_CHANGE: gettext_lazy("The new mark is the same: there is nothing to correct."),
    rules.CORRECTION_NO_REASON: gettext_lazy("Say why the correction is made."),
}


def _correction_refused(problems, decision_on: datetime.date) -> None:
    if problems:
        last_day = _day(rules.correction_last_day(decision_on=decision_on))
        raise Refused([str(CORRECTION_MESSAGES[p]) % {"last_day": last_day} for p in problems])


def result_decision_on(result: Result) -> datetime.date:
    """The day of the decision a result's mark stands on: its publication, or the latest
    new decision on it since (an appeal or a correction)."""
    published = result.exam_period.results_published_on
    appealed = Appeal.objects.filter(result=result, outcome=Outcome.NEW_DECISION).aggregate(d=Max("decided_on"))["d"]
    corrected = Correction.objects.filter(result=result).aggregate(d=Max("corrected_on"))["d"]
    return max(d for d in (published, appealed, corrected) if d is not None)


@transaction.atomic
def result_correct(
    *,
    result: Result,
    mark: exam_rules.Mark,
    on: datetime.date,
    reason: str,
    by,
    exception: str = "",
    today: datetime.date | None = None,
) -> Correction:
    """Correct a material error in a published mark (Art. 102) through ``result_redecide``:
    always in the student's favour, against it only within ten days after the decision
    (or in the two exceptional cases)."""
    today = today or clock.today()
    _not_in_the_future(on, _("The correction's date"), today)
    result = Result.objects.select_related(
        "isp_line__course", "isp_line__enrolment__student", "exam_period__academic_year"
    ).get(pk=result.pk)
    if result.exam_period.results_published_on > on:
        raise Refused([_("This result is not published yet: change it in the results, not by a correction.")])
    old = result_mark(result)
    if not exam_rules.mark_allowed(mark, pass_fail=result.isp_line.course.pass_fail):
        raise Refused([_("The mark %(mark)s is not allowed for this course (Art. 65-66).") % {"mark": mark}])
    in_favour = rules.mark_in_favour(old, mark)
    decision_on = result_decision_on(result)
    problems = [rules.CORRECTION_NO_CHANGE] if in_favour is None else []
    problems += rules.correction_problems(
        in_favour=bool(in_favour), decision_on=decision_on, corrected_on=on, exception=exception, reason=reason
    )
    _correction_refused(problems, decision_on)
    label = _("Correction (Art. 102): %(reason)s") % {"reason": reason}
    result_redecide(result=result, mark=mark, on=on, reason=label[:REASON_LENGTH])
    course = result.isp_line.course
    correction = Correction(
        student=result.isp_line.enrolment.student,
        result=result,
        subject=_("Mark of %(course)s, exam period %(period)s of %(year)s, opportunity %(opportunity)s")
        % {
            "course": course.code,
            "period": result.exam_period.number,
            "year": result.exam_period.academic_year.code,
            "opportunity": result.opportunity,
        },
        decision_on=decision_on,
        corrected_on=on,
        in_favour=bool(in_favour),
        exception="" if in_favour else exception,
        old_value=exam_rules.mark_to_text(old),
        new_value=exam_rules.mark_to_text(mark),
        reason=reason,
        recorded_by=by,
    )
    _record(correction, by=by, reason=_("Correction recorded"))
    return correction


@transaction.atomic
def correction_record(
    *,
    student: Student,
    subject: str,
    decision_on: datetime.date,
    on: datetime.date,
    in_favour: bool,
    reason: str,
    by,
    old_value: str = "",
    new_value: str = "",
    exception: str = "",
    today: datetime.date | None = None,
) -> Correction:
    """Record a correction of another administrative error (Art. 102), made where the record
    lives (the admin, the ISP): who, when and why, and whether the rules allow it."""
    today = today or clock.today()
    _not_in_the_future(on, _("The correction's date"), today)
    if not subject.strip():
        raise Refused([_("Say what was corrected.")])
    problems = rules.correction_problems(
        in_favour=in_favour, decision_on=decision_on, corrected_on=on, exception=exception, reason=reason
    )
    _correction_refused(problems, decision_on)
    correction = Correction(
        student=student,
        subject=subject,
        decision_on=decision_on,
        corrected_on=on,
        in_favour=in_favour,
        exception="" if in_favour else exception,
        old_value=old_value,
        new_value=new_value,
        reason=reason,
        recorded_by=by,
    )
    _record(correction, by=by, reason=_("Correction recorded"))
    return correction
