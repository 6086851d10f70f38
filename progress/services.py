"""The ISP editor's writes (DOMAIN §3, Art. 18-27): add, remove and exempt lines, record a
derogation, submit and approve — each decided by the rules on the ISP as it is, through
``progress.facts.isp_context``, and processed for today through the timeline.

Each takes ``today``: the pages and the admin pass ``core.clock.today()``; left out, it is
read from the clock (the tests set it with time-machine).
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Subquery
from django.utils.translation import gettext_lazy, gettext_noop

from core import clock, events, gates
from core.audit import audited_save
from core.errors import Conflict, Problem, Refused
from core.history import register_reasons
from core.timeline import run_deadlines
from core.validators import plausible
from students import rules
from students.ledger import ledger_book
from students.models import (
    DerogationOutcome,
    Enrolment,
    EnrolmentStatus,
    EntryKind,
    EntryReason,
    ExemptionApproval,
    ISPDerogation,
    ISPLine,
    ISPStatus,
    LearningAccountEntry,
    ToleratedRetakeApproval,
)

from . import facts as isp_facts

# The change reasons written below, stored in English and shown in the reader's language
# (core.history).
register_reasons(
    gettext_noop("%(course)s added"),
    gettext_noop("ISP: %(course)s added"),
    gettext_noop("%(course)s removed"),
    gettext_noop("ISP: %(course)s removed"),
    gettext_noop("%(course)s exempted"),
    gettext_noop("ISP: %(course)s exempted"),
    gettext_noop("derogation %(kind)s"),
    gettext_noop("ISP: derogation %(kind)s recorded"),
    gettext_noop("retake of tolerated %(course)s approved"),
    gettext_noop("ISP: retake of tolerated %(course)s approved"),
    gettext_noop("ISP submitted late: %(reason)s"),
    gettext_noop("ISP approved late: %(reason)s"),
)
REASONS = (gettext_noop("exemption approved"), gettext_noop("ISP submitted"), gettext_noop("ISP approved"))

# Every change is prepared on a version of the enrolment (``Enrolment.version``) and
# saved only if nobody saved the ISP since: the conditional UPDATE that bumps the
# version is the first statement of the transaction, so a second save of the same
# version waits for the first (a row lock on PostgreSQL, the write lock on SQLite)
# and then finds the version gone. The rules decide on the ISP as it is after that
# claim; the new fact is then processed for today through the timeline, so the
# learning account shows it before the request ends.


class ISPRefused(Refused):
    """The rules of DOMAIN §3 refuse the change; ``problems`` (``students.rules.Problem``) say why."""

    default_code = "isp_refused"


ISP_CONFLICT = gettext_lazy(
    "Someone else saved this ISP while you were working on it: nothing of yours was saved. "
    "The page now shows the current ISP; check it and do your change again."
)


class ISPConflict(Conflict):
    """Someone saved the ISP after the version the change was prepared on."""

    def __init__(self, *, expected: int, current: int | None):
        super().__init__(
            expected=expected,
            current=current,
            message=ISP_CONFLICT,
            summary=f"ISP version {expected} is out of date (now {current})",
        )


def _pk(obj) -> int:
    return obj if isinstance(obj, int) else obj.pk


def _claim(enrolment, expected_version: int) -> Enrolment:
    """Bump the version from ``expected_version``: the first statement of the transaction,
    so it takes the write lock before anything is read; ISPConflict when it is gone."""
    pk = _pk(enrolment)
    claimed = Enrolment.objects.filter(pk=pk, version=expected_version).update(version=F("version") + 1)
    if not claimed:
        current = Enrolment.objects.filter(pk=pk).values_list("version", flat=True).first()
        raise ISPConflict(expected=expected_version, current=current)
    return Enrolment.objects.select_related("student", "programme", "academic_year").get(pk=pk)


def _claim_for_line(line, expected_version: int) -> Enrolment:
    """``_claim`` for the ISP of ``line``, found by the same UPDATE (a subquery), so that
    nothing is read before the claim either; ISPLine.DoesNotExist when the line is gone."""
    line_id = _pk(line)
    claimed = Enrolment.objects.filter(
        pk=Subquery(ISPLine.objects.filter(pk=line_id).values("enrolment_id")), version=expected_version
    ).update(version=F("version") + 1)
    enrolment_id = ISPLine.objects.filter(pk=line_id).values_list("enrolment_id", flat=True).get()
    if not claimed:
        current = Enrolment.objects.filter(pk=enrolment_id).values_list("version", flat=True).first()
        raise ISPConflict(expected=expected_version, current=current)
    return Enrolment.objects.select_related("student", "programme", "academic_year").get(pk=enrolment_id)


def _save_enrolment(enrolment: Enrolment, *, by, reason: str, reopen: bool = False) -> None:
    """Record the new version; a change to an approved ISP goes back to the cluster."""
    fields = ["version"]
    if reopen and enrolment.isp_status == ISPStatus.APPROVED:
        enrolment.isp_status = ISPStatus.SUBMITTED
        fields.append("isp_status")
    audited_save(enrolment, by=by, reason=reason, update_fields=fields)


def _process_today(today: datetime.date) -> None:
    run_deadlines(today=today)


def _refuse_if(problems) -> None:
    if problems:
        raise ISPRefused(problems)


@transaction.atomic
def isp_line_add(
    *, enrolment: Enrolment | int, course, expected_version: int, by, today: datetime.date | None = None
) -> ISPLine:
    """Add ``course`` to the ISP today; its learning-account deduction is booked at once."""
    today = today or clock.today()
    enrolment = _claim(enrolment, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    facts = context.course_facts.get(_pk(course))
    if facts is None or context.course(facts.id) is None:
        raise ISPRefused([rules.Problem("not_in_programme")])
    _refuse_if(rules.add_problems(facts, isp=context.facts, today=today))
    if ISPLine.objects.filter(enrolment=enrolment, course_id=facts.id, added_on=today).exists():
        raise ISPRefused([rules.Problem("removed_today", (("course", facts.code),))])
    line = ISPLine(enrolment=enrolment, course_id=facts.id, added_on=today)
    audited_save(line, by=by, reason=f"{facts.code} added")
    _save_enrolment(enrolment, by=by, reason=f"ISP: {facts.code} added", reopen=True)
    _process_today(today)
    line.refresh_from_db()
    return line


@transaction.atomic
def isp_line_remove(*, line: ISPLine | int, expected_version: int, by, today: datetime.date | None = None) -> ISPLine:
    """Remove a line from the ISP today; refunded when the rules of DOMAIN §2 rule 4 allow."""
    today = today or clock.today()
    enrolment = _claim_for_line(line, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    current = context.line(_pk(line))
    if current is None:
        raise ISPRefused([rules.Problem("not_in_programme")])
    _refuse_if(rules.remove_problems(context.line_facts[current.pk], isp=context.facts, today=today))
    current.removed_on = today
    audited_save(current, by=by, reason=f"{current.course.code} removed", update_fields=["removed_on"])
    _save_enrolment(enrolment, by=by, reason=f"ISP: {current.course.code} removed", reopen=True)
    _process_today(today)
    current.refresh_from_db()
    return current


@transaction.atomic
def isp_line_exempt(
    *, line: ISPLine | int, basis: str, expected_version: int, by, today: datetime.date | None = None
) -> ExemptionApproval:
    """Record an exemption the cluster granted (Art. 25): definitive, never examined, and it
    gives back what the line took from the learning account (DOMAIN §2 rule 2)."""
    today = today or clock.today()
    basis = (basis or "").strip()
    enrolment = _claim_for_line(line, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    current = context.line(_pk(line))
    if current is None:
        raise ISPRefused([rules.Problem("not_in_programme")])
    problems = rules.exempt_problems(context.line_facts[current.pk], isp=context.facts, today=today)
    if not basis:
        problems.append(rules.Problem("no_exemption_basis"))
    _refuse_if(problems)
    refund = rules.line_effect(
        action="exempt",
        credits=current.course.credits,
        semester=current.course.semester,
        uses_learning_account=False,
        deducted_credits=current.deducted_credits,
        opportunity_taken=False,
        today=today,
        first_semester_lock=enrolment.academic_year.first_semester_lock,
        second_semester_lock=enrolment.academic_year.second_semester_lock,
    )
    if refund:
        ledger_book(
            [
                LearningAccountEntry(
                    student_id=enrolment.student_id,
                    on=today,
                    credits=refund,
                    kind=EntryKind.REFUND,
                    source=f"isp_line:{current.pk}:exemption",
                    academic_year=enrolment.academic_year,
                    programme=enrolment.programme,
                    course=current.course,
                    reason_code=EntryReason.COURSE_EXEMPTED,
                    created_by=by,
                )
            ]
        )
    current.exempted = True
    current.deducted_credits = 0
    audited_save(
        current, by=by, reason=f"{current.course.code} exempted", update_fields=["exempted", "deducted_credits"]
    )
    approval = ExemptionApproval(isp_line=current, basis=basis[:200], approved_on=today, approved_by=by)
    audited_save(approval, by=by, reason="exemption approved")
    _save_enrolment(enrolment, by=by, reason=f"ISP: {current.course.code} exempted", reopen=True)
    _exemption_announce(approval, enrolment=enrolment, course=current.course)
    _process_today(today)
    return approval


def _exemption_announce(approval: ExemptionApproval, *, enrolment: Enrolment, course) -> None:
    """The student is told of the exemption decision (Art. 25; DOMAIN §11), which they may appeal
    from its notification (Art. 101 (d)). Announced once: a line is exempted once, definitively."""
    events.decision_announce(
        sender="progress",
        kind="exemption_decided",
        decided_on=approval.approved_on,
        object_label=ExemptionApproval._meta.label,
        object_id=approval.pk,
        student_ids=[enrolment.student_id],
        data={
            "academic_year": str(enrolment.academic_year),
            "course": f"{course.code} {course.name}",
            "credits": course.credits,
            "granted": True,
            "decided_on": approval.approved_on,
        },
    )


@transaction.atomic
def isp_derogation_record(
    *,
    enrolment: Enrolment | int,
    kind: str,
    ground: str,
    expected_version: int,
    by,
    course=None,
    credits: int | None = None,
    motivation: str = "",
    today: datetime.date | None = None,
) -> ISPDerogation:
    """Record a derogation the cluster approved (Art. 22): credits or SQ sequencing or
    the model route; never SSQ, never the courses to take again."""
    today = today or clock.today()
    enrolment = _claim(enrolment, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    course_facts = context.course_facts.get(_pk(course)) if course is not None else None
    if course is not None and course_facts is None:
        raise ISPRefused([rules.Problem("not_in_programme")])
    _refuse_if(rules.derogation_problems(kind, course=course_facts, credits=credits, isp=context.facts, today=today))
    course_id = course_facts.id if course_facts else None
    # A refusal before (since appealed) does not stand in the way of the approval.
    if ISPDerogation.objects.approved().filter(enrolment=enrolment, kind=kind, course_id=course_id).exists():
        raise ISPRefused([rules.Problem("derogation_exists")])
    derogation = ISPDerogation(
        enrolment=enrolment,
        kind=kind,
        course_id=course_id,
        credits=credits if kind in ("fewer_credits", "more_credits") else None,
        ground=ground,
        motivation=motivation,
        approved_on=today,
        approved_by=by,
    )
    audited_save(derogation, by=by, reason=f"derogation {kind}")
    _save_enrolment(enrolment, by=by, reason=f"ISP: derogation {kind} recorded")
    return derogation


register_reasons(gettext_noop("derogation %(kind)s refused"), gettext_noop("ISP: derogation %(kind)s refused"))
REFUSAL_NEEDS_REASON = gettext_lazy("State the cluster's reason for refusing the derogation (Art. 22, 101).")
REFUSAL_DECIDED = gettext_lazy("The cluster has already decided on this derogation.")


@transaction.atomic
def isp_derogation_refuse(
    *,
    enrolment: Enrolment | int,
    kind: str,
    ground: str,
    reason: str,
    expected_version: int,
    by,
    course=None,
    credits: int | None = None,
    today: datetime.date | None = None,
) -> ISPDerogation:
    """Record that the cluster refused a derogation the student asked for (Art. 22), with its
    reason, and tell the student, who may appeal from the notification (Art. 101 (e)). The
    refusal changes nothing in the rules; refused once, and not once approved."""
    today = today or clock.today()
    reason = (reason or "").strip()
    if not reason:
        raise ISPRefused([Problem("refusal_needs_reason", REFUSAL_NEEDS_REASON)])
    enrolment = _claim(enrolment, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    course_facts = context.course_facts.get(_pk(course)) if course is not None else None
    if course is not None and course_facts is None:
        raise ISPRefused([rules.Problem("not_in_programme")])
    _refuse_if(rules.derogation_problems(kind, course=course_facts, credits=credits, isp=context.facts, today=today))
    course_id = course_facts.id if course_facts else None
    if ISPDerogation.objects.filter(enrolment=enrolment, kind=kind, course_id=course_id).exists():
        raise ISPRefused([Problem("derogation_decided", REFUSAL_DECIDED)])
    derogation = ISPDerogation(
        enrolment=enrolment,
        kind=kind,
        course_id=course_id,
        credits=credits if kind in ("fewer_credits", "more_credits") else None,
        ground=ground,
        motivation=reason,
        outcome=DerogationOutcome.REFUSED,
        approved_on=today,
        approved_by=by,
    )
    audited_save(derogation, by=by, reason=f"derogation {kind} refused")
    _save_enrolment(enrolment, by=by, reason=f"ISP: derogation {kind} refused")
    _derogation_refusal_announce(derogation, enrolment=enrolment)
    return derogation


def _derogation_refusal_announce(derogation: ISPDerogation, *, enrolment: Enrolment) -> None:
    """The student is told of the refused derogation and its reason (Art. 22; DOMAIN §11): they may
    appeal from the notification (Art. 101 (e)). Announced once: a refusal is recorded once."""
    course = derogation.course
    events.decision_announce(
        sender="progress",
        kind="derogation_refused",
        decided_on=derogation.approved_on,
        object_label=ISPDerogation._meta.label,
        object_id=derogation.pk,
        student_ids=[enrolment.student_id],
        data={
            "academic_year": str(enrolment.academic_year),
            "derogation": derogation.kind,
            "course": f"{course.code} {course.name}" if course else "",
            "reason": derogation.motivation,
            "decided_on": derogation.approved_on,
        },
    )


@transaction.atomic
def tolerated_retake_approve(
    *,
    enrolment: Enrolment | int,
    course,
    requested_on: datetime.date,
    expected_version: int,
    by,
    today: datetime.date | None = None,
) -> ToleratedRetakeApproval:
    """Record the cluster's approval of the student's request to take again a course
    accepted earlier as a tolerated fail (Art. 90 §3); the course can then be added to
    the ISP, no later than ``isp_deadline``, in an ISP that completes the programme."""
    today = today or clock.today()
    enrolment = _claim(enrolment, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    facts = context.course_facts.get(_pk(course))
    if facts is None or context.course(facts.id) is None:
        raise ISPRefused([rules.Problem("not_in_programme")])
    problems = rules.tolerated_retake_approval_problems(facts, isp=context.facts, today=today)
    if requested_on is None or requested_on > today or requested_on not in plausible(today=today):
        problems.append(rules.Problem("tolerated_retake_request_date"))
    _refuse_if(problems)
    approval = ToleratedRetakeApproval(
        enrolment=enrolment, course_id=facts.id, requested_on=requested_on, approved_on=today, approved_by=by
    )
    audited_save(approval, by=by, reason=f"retake of tolerated {facts.code} approved")
    _save_enrolment(enrolment, by=by, reason=f"ISP: retake of tolerated {facts.code} approved")
    return approval


LATE_REASON_LENGTH = 300


@transaction.atomic
def isp_submit(
    *,
    enrolment: Enrolment | int,
    expected_version: int,
    by,
    late_reason: str = "",
    today: datetime.date | None = None,
) -> Enrolment:
    """Draft → submitted, by the submission deadline (Art. 19); after it on the late route
    (DOMAIN §3): recorded as late with ``late_reason`` and ``by`` as who allowed it."""
    today = today or clock.today()
    enrolment = _claim(enrolment, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    blocking, late = rules.late_route(rules.submit_problems(context.facts, today=today), reason=late_reason)
    _refuse_if(blocking)
    enrolment.isp_status = ISPStatus.SUBMITTED
    enrolment.isp_submitted_on = today
    enrolment.isp_submitted_by = by
    enrolment.isp_submitted_late_reason = late_reason.strip()[:LATE_REASON_LENGTH] if late else ""
    enrolment.isp_submitted_late_allowed_by = by if late else None
    audited_save(
        enrolment,
        by=by,
        reason=f"ISP submitted late: {late_reason.strip()}" if late else "ISP submitted",
        update_fields=[
            "version",
            "isp_status",
            "isp_submitted_on",
            "isp_submitted_by",
            "isp_submitted_late_reason",
            "isp_submitted_late_allowed_by",
        ],
    )
    return enrolment


@transaction.atomic
def isp_approve(
    *,
    enrolment: Enrolment | int,
    expected_version: int,
    by,
    late_reason: str = "",
    today: datetime.date | None = None,
) -> Enrolment:
    """Approval by the coach for the cluster (Art. 19), within the deadlines and rules;
    after the approval deadline on the late route (DOMAIN §3): recorded as late with
    ``late_reason`` and ``by`` as who allowed it."""
    today = today or clock.today()
    enrolment = _claim(enrolment, expected_version)
    context = isp_facts.isp_context(enrolment, today=today)
    blocking, late = rules.late_route(rules.approve_problems(context.facts, today=today), reason=late_reason)
    _refuse_if(blocking)
    enrolment.isp_status = ISPStatus.APPROVED
    enrolment.isp_approved_on = today
    enrolment.isp_approved_by = by
    enrolment.isp_approved_late_reason = late_reason.strip()[:LATE_REASON_LENGTH] if late else ""
    enrolment.isp_approved_late_allowed_by = by if late else None
    audited_save(
        enrolment,
        by=by,
        reason=f"ISP approved late: {late_reason.strip()}" if late else "ISP approved",
        update_fields=[
            "version",
            "isp_status",
            "isp_approved_on",
            "isp_approved_by",
            "isp_approved_late_reason",
            "isp_approved_late_allowed_by",
        ],
    )
    _approval_announce(enrolment, lines=context.lines)
    return enrolment


def _approval_announce(enrolment: Enrolment, *, lines) -> None:
    """The student is told of the approved ISP (Art. 19; DOMAIN §11): its courses and credits as
    approved. Once per approval: an approved ISP is not approved again (``already_approved``)
    unless a change sent it back to the cluster, and that new approval is told again."""
    events.decision_announce(
        sender="progress",
        kind="isp_approved",
        decided_on=enrolment.isp_approved_on,
        object_label=Enrolment._meta.label,
        object_id=enrolment.pk,
        student_ids=[enrolment.student_id],
        data={
            "academic_year": str(enrolment.academic_year),
            "programme": f"{enrolment.programme.code} {enrolment.programme.name}",
            "courses": [f"{line.course.code} {line.course.name}" for line in lines],
            "course_credits": [line.course.credits for line in lines],
            "exempted": [f"{line.course.code} {line.course.name}" for line in lines if line.exempted],
            "total_credits": sum(line.course.credits for line in lines),
            "approved_on": enrolment.isp_approved_on,
        },
    )


@dataclass
class ISPPreview:
    """What a change would do, computed with the same rules and no writes."""

    action: str
    course: object
    line: ISPLine | None
    problems: list
    version: int
    credits_before: int
    credits_after: int
    band_after: object
    balance_before: int
    balance_after: int
    without_account_before: int
    without_account_after: int
    ledger_change: int
    booked_on: datetime.date
    uses_learning_account: bool
    status_before: str
    status_after: str
    warnings: list = field(default_factory=list)
    # (academic year code, fee before, fee after, charged now) of the enrolment's fee group,
    # as charged once the ISP is approved; None without a fee schedule for the year
    fee: tuple | None = None

    @property
    def allowed(self) -> bool:
        return not self.problems

    @property
    def ledger_credits(self) -> int:
        """The credits the learning account loses (a deduction) or gets back, without a sign."""
        return abs(self.ledger_change)

    @property
    def fee_change(self):
        return None if self.fee is None else self.fee[2] - self.fee[1]

    @property
    def fee_change_amount(self):
        return None if self.fee is None else abs(self.fee[2] - self.fee[1])


def isp_preview(
    *, enrolment: Enrolment | int, action: str, course=None, line=None, context=None, today: datetime.date | None = None
) -> ISPPreview:
    """The effect of adding ``course``, or removing or exempting ``line``, on the credits,
    the learning account balance and the credits without learning account (DOMAIN §2
    rules 2-4 and 12), and the problems that would refuse it (DOMAIN §3). No writes."""
    today = today or clock.today()
    context = context or isp_facts.isp_context(enrolment, today=today)
    enrolment = context.enrolment
    year = enrolment.academic_year
    facts = context.facts
    problems, change, credits_delta, uses = [], 0, 0, False
    current_line = None
    course_obj = None
    if action == "add":
        course_obj = context.course(_pk(course)) if course is not None else None
        if course_obj is None:
            problems = [rules.Problem("not_in_programme")]
        else:
            problems = rules.add_problems(context.course_facts[course_obj.pk], isp=facts, today=today)
            uses = context.uses_learning_account()
            credits_delta = course_obj.credits
            change = rules.line_effect(
                action="add",
                credits=course_obj.credits,
                semester=course_obj.semester,
                uses_learning_account=uses and enrolment.status != EnrolmentStatus.REFUSED,
                deducted_credits=0,
                opportunity_taken=False,
                today=today,
                first_semester_lock=year.first_semester_lock,
                second_semester_lock=year.second_semester_lock,
            )
    elif action in ("remove", "exempt"):
        current_line = context.line(_pk(line)) if line is not None else None
        if current_line is None:
            problems = [rules.Problem("not_in_programme")]
        else:
            course_obj = current_line.course
            line_facts = context.line_facts[current_line.pk]
            check = rules.remove_problems if action == "remove" else rules.exempt_problems
            problems = check(line_facts, isp=facts, today=today)
            uses = current_line.deducted_credits > 0
            if action == "remove":
                credits_delta = -course_obj.credits
            change = rules.line_effect(
                action=action,
                credits=course_obj.credits,
                semester=course_obj.semester,
                uses_learning_account=uses,
                deducted_credits=current_line.deducted_credits,
                opportunity_taken=current_line.opportunity_taken,
                today=today,
                first_semester_lock=year.first_semester_lock,
                second_semester_lock=year.second_semester_lock,
            )
    else:
        raise ValueError(action)
    total = facts.total_credits
    charged_after = context.charged - change
    status_after = enrolment.isp_status
    if not problems and enrolment.isp_status == ISPStatus.APPROVED:
        status_after = ISPStatus.SUBMITTED
    without_before = context.credits_without_learning_account()
    without_after = context.credits_without_learning_account(charged_after)
    fee = None
    if not problems and course_obj is not None and enrolment.status == EnrolmentStatus.ENROLLED:
        changed = (course_obj.credits, course_obj.semester)
        fee = gates.isp_change_fee(
            enrolment.pk,
            on=today,
            add=changed if action == "add" else None,
            remove=changed if action != "add" else None,
            without_account_change=without_after - without_before,
        )
    return ISPPreview(
        action=action,
        course=course_obj,
        line=current_line,
        problems=problems,
        version=enrolment.version,
        credits_before=total,
        credits_after=total + credits_delta,
        band_after=rules.credit_band_problem(facts, total + credits_delta),
        balance_before=context.balance,
        balance_after=context.balance + change,
        without_account_before=without_before,
        without_account_after=without_after,
        ledger_change=change,
        booked_on=max(today, enrolment.enrolled_on),
        uses_learning_account=uses,
        status_before=enrolment.isp_status,
        status_after=status_after,
        fee=fee,
    )
