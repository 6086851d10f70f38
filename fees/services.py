"""Writes of the fee app: recalculation into dated, append-only fee statements.

``fees_recalculate`` computes a student's fee of one academic year as the facts stand
on a day (enrolments, ISP lines, grant status, deregistrations, learning account) and
adds a statement for every fee group whose amount changed. The same amount adds
nothing, so the timeline may run it as often as it likes (``fees_process``). Every new
statement is told to its student (DOMAIN §11; appendix Art. 4), once: a run that adds
nothing tells nothing.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from core import events
from programmes.facts import year_calendar
from programmes.models import AcademicYear, Programme
from students.models import EnrolmentStatus, ISPLine, ISPStatus, LearningAccountEntry, Student
from students.selectors import _credits_without_learning_account

from . import rules
from .models import FeeSchedule, FeeStatement, Reason


def _facts(student: Student, year: AcademicYear, on: datetime.date) -> list[tuple[str, rules.EnrolmentFacts]]:
    enrolments = list(
        student.enrolments.filter(academic_year=year, enrolled_on__lte=on)
        .exclude(status=EnrolmentStatus.REFUSED)
        .select_related("programme")
        .order_by("enrolled_on", "pk")
    )
    if not enrolments:
        return []
    lines = (
        ISPLine.objects.filter(enrolment__in=enrolments, added_on__lte=on, exempted=False)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=on))
        .values_list("enrolment_id", "course__credits", "course__semester")
    )
    by_enrolment: dict[int, list[rules.Line]] = {}
    for enrolment_id, credits, semester in lines:
        by_enrolment.setdefault(enrolment_id, []).append(rules.Line(credits=credits, semester=semester))
    entries = list(LearningAccountEntry.objects.filter(student=student, academic_year=year, on__lte=on))
    found = []
    for enrolment in enrolments:
        # Appendix Art. 4: the variable part after the ISP's approval. An ISP is final at
        # the first-semester lock whether or not its approval was recorded (imported
        # ISPs carry no approval date), so from then on it is charged too (decided).
        if enrolment.isp_approved_on is not None:
            approved = enrolment.isp_approved_on <= on
        else:
            approved = enrolment.isp_status == ISPStatus.APPROVED
        approved = approved or on >= year.first_semester_lock
        deregistered = (
            enrolment.deregistered_on if enrolment.deregistered_on and enrolment.deregistered_on <= on else None
        )
        found.append(
            (
                enrolment.programme.code,
                rules.EnrolmentFacts(
                    contract=enrolment.contract,
                    programme_kind=enrolment.programme.kind,
                    grant_status=enrolment.grant_status,
                    lines=tuple(by_enrolment.get(enrolment.pk, ())),
                    credits_without_learning_account=_credits_without_learning_account(enrolment, entries),
                    isp_approved=approved,
                    enrolled_on=enrolment.enrolled_on,
                    deregistered_on=deregistered,
                ),
            )
        )
    return found


def _latest(student: Student, code: str) -> dict[str, FeeStatement]:
    latest = {}
    for statement in FeeStatement.objects.filter(student=student, academic_year_code=code).order_by("on", "id"):
        latest[statement.key] = statement
    return latest


@transaction.atomic
def fees_recalculate(*, student: Student, academic_year: AcademicYear, on: datetime.date, reason: str) -> list:
    """Recalculate ``student``'s fee of ``academic_year`` as of ``on``; new statements only
    for the fee groups whose amount changed (appendix Art. 4: reassessed as the elements
    that determine the fee evolve)."""
    schedule = FeeSchedule.for_year(academic_year.code)
    if schedule is None:
        return []
    # One recalculation of a student at a time: the latest statement is read, then added to.
    Student.objects.select_for_update().filter(pk=student.pk).first()
    facts = _facts(student, academic_year, on)
    fees = rules.fees_of_year(facts, schedule.rates(), year_calendar(academic_year))
    latest = _latest(student, academic_year.code)
    created = []
    for key, fee in fees.items():
        previous = latest.get(key)
        before = previous.total if previous else Decimal("0.00")
        if previous is not None and previous.total == fee.total:
            continue
        members = [(code, f) for code, f in facts if rules.group_key(code, f) == key]
        created.append(
            FeeStatement(
                student=student,
                academic_year_code=academic_year.code,
                group=key.split(":", 1)[0],
                key=key,
                programme_codes=", ".join(sorted({code for code, _f in members})),
                grant_status=members[-1][1].grant_status if members else "",
                on=on,
                fixed=fee.fixed,
                variable=fee.variable,
                surcharge=fee.surcharge,
                platform=fee.platform,
                total=fee.total,
                credits=fee.credits,
                surcharge_credits=fee.surcharge_credits,
                change=fee.total - before,
                reason=reason,
            )
        )
    FeeStatement.objects.bulk_create(created)
    if created:
        _announce(created, latest)
    return created


def _euro(value) -> str:
    """An amount as plain text with two decimals and a point: "1092.10"."""
    return str(rules.money(value))


def _codes(statement: FeeStatement) -> list[str]:
    return [code for code in statement.programme_codes.split(", ") if code]


def _message_data(statement: FeeStatement, before: FeeStatement | None, names: dict[str, str]) -> dict:
    """What the student is told of a statement (DOMAIN §11): amounts as plain text ("1092.10")
    and codes as codes, written in the student's language when the message is rendered."""
    return {
        "academic_year": statement.academic_year_code,
        "programmes": [f"{code} {names[code]}" if code in names else code for code in _codes(statement)],
        "fee_group": statement.group,
        "grant_status": statement.grant_status,
        "amount": _euro(statement.total),
        "previous_amount": _euro(before.total) if before is not None else "",
        "fixed": _euro(statement.fixed),
        "variable": _euro(statement.variable),
        "credits": str(statement.credits),
        "surcharge": _euro(statement.surcharge),
        "surcharge_credits": str(statement.surcharge_credits),
        "platform": _euro(statement.platform),
        "reason": statement.reason,
        "decided_on": statement.on,
    }


def _announce(statements: list[FeeStatement], previous: dict[str, FeeStatement]) -> None:
    """Each new statement is told to its student, in the recalculation's transaction (DOMAIN §11;
    appendix Art. 4: the account statement on registration, the variable part after the ISP's
    approval, every reassessment and its balance). A fee statement is none of the decisions
    Art. 101 lets the student appeal (DOMAIN §7): its message names no appeal route."""
    codes = {code for statement in statements for code in _codes(statement)}
    names = dict(Programme.objects.filter(code__in=codes).values_list("code", "name"))
    for statement in statements:
        events.decision_announce(
            sender="fees",
            kind="fee_statement",
            decided_on=statement.on,
            object_label=FeeStatement._meta.label,
            object_id=statement.pk,
            student_ids=[statement.student_id],
            data=_message_data(statement, previous.get(statement.key), names),
        )


def _changed_on(day: datetime.date) -> dict[tuple[int, int], str]:
    """(student id, academic year id) -> reason, for every fee fact dated ``day``."""
    from students.models import Enrolment

    found: dict[tuple[int, int], str] = {}

    def add(rows, reason):
        for pair in rows:
            found.setdefault(pair, reason)

    enrolments = Enrolment.objects.values_list("student_id", "academic_year_id")
    # The most telling reason first: a day with a deregistration is the deregistration's.
    add(enrolments.filter(deregistered_on=day), Reason.DEREGISTRATION)
    add(enrolments.filter(enrolled_on=day), Reason.ENROLMENT)
    add(
        ISPLine.objects.filter(Q(added_on=day) | Q(removed_on=day)).values_list(
            "enrolment__student_id", "enrolment__academic_year_id"
        ),
        Reason.ISP_CHANGE,
    )
    add(enrolments.filter(isp_approved_on=day), Reason.ISP_APPROVED)
    # The first-semester lock makes every ISP of the year final (Art. 19).
    add(
        enrolments.filter(academic_year__first_semester_lock=day, enrolled_on__lte=day).exclude(
            status=EnrolmentStatus.REFUSED
        ),
        Reason.ISP_FINAL,
    )
    return found


def fees_process(*, day: datetime.date) -> int:
    """Timeline stage: recalculate the fees of the students whose facts changed on ``day``.

    Returns 0: statements are a consequence of facts, not facts of their own, so the
    timeline's report counts the same facts as before.
    """
    changed = _changed_on(day)
    if not changed:
        return 0
    students = Student.objects.in_bulk({student_id for student_id, _year in changed})
    years = AcademicYear.objects.in_bulk({year_id for _student, year_id in changed})
    for (student_id, year_id), reason in sorted(changed.items()):
        fees_recalculate(student=students[student_id], academic_year=years[year_id], on=day, reason=reason)
    return 0
