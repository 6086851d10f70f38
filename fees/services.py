"""Writes of the fee app: recalculation into dated, append-only fee statements.

``fees_recalculate`` computes a student's fee of one academic year as the facts stand
on a day (enrolments, ISP lines, grant status, deregistrations, learning account) and
adds a statement for every fee group whose amount changed. The same amount adds
nothing, so the timeline may run it as often as it likes (``fees_process``). Every new
statement is told to its student (DOMAIN §11; appendix Art. 4), once: a run that adds
nothing tells nothing.
"""

import datetime
from collections import namedtuple
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from core import events
from programmes.facts import year_calendar
from programmes.models import AcademicYear, Programme
from students.models import Enrolment, EnrolmentStatus, ISPLine, ISPStatus, LearningAccountEntry, Student
from students.selectors import credits_without_learning_account_of

from . import rules
from .models import FeeSchedule, FeeStatement, Reason

# Pairs (student, academic year) recalculated with one set of queries: the timeline's day
# brings many at once, and so that a query's parameters stay within the database's limit.
CHUNK = 500


# The fields of an enrolment and of a learning-account entry the fee facts read: plain rows,
# not model instances (a day's recalculation reads every enrolment and entry of its students).
_EnrolmentRow = namedtuple(
    "_EnrolmentRow",
    "pk student_id academic_year_id programme_id programme_code programme_kind contract grant_status "
    "isp_approved_on isp_status enrolled_on deregistered_on balance_at_enrolment",
)
_EntryRow = namedtuple("_EntryRow", "student_id academic_year_id programme_id kind credits source")


def _facts_of(
    pairs: list[tuple[int, AcademicYear]], on: datetime.date
) -> dict[tuple[int, int], list[tuple[str, rules.EnrolmentFacts]]]:
    """(student id, academic year id) -> the fee facts of that student's year as of ``on``, for
    every pair of ``pairs`` (three queries, whatever their number)."""
    years = {year.pk: year for _student, year in pairs}
    wanted = {(student_id, year.pk) for student_id, year in pairs}
    enrolments = [
        enrolment
        for enrolment in map(
            _EnrolmentRow._make,
            Enrolment.objects.filter(
                student_id__in={student_id for student_id, _year in pairs},
                academic_year_id__in=list(years),
                enrolled_on__lte=on,
            )
            .exclude(status=EnrolmentStatus.REFUSED)
            .order_by("enrolled_on", "pk")
            .values_list(
                "pk",
                "student_id",
                "academic_year_id",
                "programme_id",
                "programme__code",
                "programme__kind",
                "contract",
                "grant_status",
                "isp_approved_on",
                "isp_status",
                "enrolled_on",
                "deregistered_on",
                "balance_at_enrolment",
            ),
        )
        if (enrolment.student_id, enrolment.academic_year_id) in wanted
    ]
    if not enrolments:
        return {pair: [] for pair in wanted}
    lines = (
        ISPLine.objects.filter(enrolment_id__in=[e.pk for e in enrolments], added_on__lte=on, exempted=False)
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=on))
        .values_list("enrolment_id", "course__credits", "course__semester")
    )
    entries = map(
        _EntryRow._make,
        LearningAccountEntry.objects.filter(
            student_id__in={e.student_id for e in enrolments}, academic_year_id__in=list(years), on__lte=on
        )
        .order_by("on", "id")
        .values_list(*_EntryRow._fields),
    )
    return _facts_from(wanted, years, enrolments, lines, entries, on)


def _facts_from(wanted, years, enrolments, lines, entries, on: datetime.date):
    """The fee facts of the pairs (student id, academic year id) ``wanted`` from the rows read
    for them (``_facts_of``, or ``facts_from_read`` when the caller has read them): their
    enrolments (``_EnrolmentRow``), their lines counted on ``on`` ((enrolment id, credits,
    semester)) and their entries booked by ``on`` (``_EntryRow``)."""
    found: dict[tuple[int, int], list[tuple[str, rules.EnrolmentFacts]]] = {pair: [] for pair in wanted}
    by_enrolment: dict[int, list[rules.Line]] = {}
    for enrolment_id, credits, semester in lines:
        by_enrolment.setdefault(enrolment_id, []).append(rules.Line(credits=credits, semester=semester))
    by_pair: dict[tuple[int, int], list[_EntryRow]] = {}
    for entry in entries:
        by_pair.setdefault((entry.student_id, entry.academic_year_id), []).append(entry)
    for enrolment in enrolments:
        year = years[enrolment.academic_year_id]
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
        pair = (enrolment.student_id, enrolment.academic_year_id)
        found[pair].append(
            (
                enrolment.programme_code,
                rules.EnrolmentFacts(
                    contract=enrolment.contract,
                    programme_kind=enrolment.programme_kind,
                    grant_status=enrolment.grant_status,
                    lines=tuple(by_enrolment.get(enrolment.pk, ())),
                    credits_without_learning_account=credits_without_learning_account_of(
                        enrolment, by_pair.get(pair, ())
                    ),
                    isp_approved=approved,
                    enrolled_on=enrolment.enrolled_on,
                    deregistered_on=deregistered,
                ),
            )
        )
    return found


def facts_from_read(
    student_id: int, year: AcademicYear, on: datetime.date, *, enrolments, lines, entries
) -> list[tuple[str, rules.EnrolmentFacts]]:
    """``_facts`` from rows the caller has read already (the what-if preview), without a query:
    ``enrolments``, the student's enrolments of ``year`` (model instances with their programme,
    refused ones may be among them); ``lines``, every ISP line of those enrolments (with its
    course); ``entries``, the student's learning-account entries (dicts or objects with
    ``academic_year_id``, ``programme_id``, ``kind``, ``credits``, ``source`` and ``on``). The
    same rows as ``_facts_of``'s queries select."""
    rows = [
        _EnrolmentRow(
            e.pk,
            e.student_id,
            e.academic_year_id,
            e.programme_id,
            e.programme.code,
            e.programme.kind,
            e.contract,
            e.grant_status,
            e.isp_approved_on,
            e.isp_status,
            e.enrolled_on,
            e.deregistered_on,
            e.balance_at_enrolment,
        )
        for e in sorted(enrolments, key=lambda e: (e.enrolled_on, e.pk))
        if e.academic_year_id == year.pk and e.enrolled_on <= on and e.status != EnrolmentStatus.REFUSED
    ]
    ids = {e.pk for e in rows}
    counted = [
        (line.enrolment_id, line.course.credits, line.course.semester)
        for line in sorted(lines, key=lambda line: line.pk)
        if line.enrolment_id in ids
        and line.added_on <= on
        and not line.exempted
        and (line.removed_on is None or line.removed_on > on)
    ]
    booked = [
        _EntryRow(student_id, e["academic_year_id"], e["programme_id"], e["kind"], e["credits"], e["source"])
        for e in entries
        if e["academic_year_id"] == year.pk and e["on"] <= on
    ]
    return _facts_from({(student_id, year.pk)}, {year.pk: year}, rows, counted, booked, on)[(student_id, year.pk)]


def _facts(student: Student, year: AcademicYear, on: datetime.date) -> list[tuple[str, rules.EnrolmentFacts]]:
    """The fee facts of ``student``'s ``year`` as of ``on`` (the what-if preview's too)."""
    return _facts_of([(student.pk, year)], on)[(student.pk, year.pk)]


def _latest_of(student_ids, codes) -> dict[tuple[int, str], dict[str, FeeStatement]]:
    """(student id, year code) -> fee group key -> the latest statement."""
    latest: dict[tuple[int, str], dict[str, FeeStatement]] = {}
    for statement in FeeStatement.objects.filter(student_id__in=student_ids, academic_year_code__in=codes).order_by(
        "on", "id"
    ):
        latest.setdefault((statement.student_id, statement.academic_year_code), {})[statement.key] = statement
    return latest


def _statements(
    student: Student | int,  # an id: the statement names the student by id
    academic_year: AcademicYear,
    facts: list[tuple[str, rules.EnrolmentFacts]],
    fees: dict[str, rules.Fee],
    latest: dict[str, FeeStatement],
    *,
    on: datetime.date,
    reason: str,
) -> list[FeeStatement]:
    """The new statements of one student's year: one for every fee group whose amount changed."""
    created = []
    for key, fee in fees.items():
        previous = latest.get(key)
        before = previous.total if previous else Decimal("0.00")
        if previous is not None and previous.total == fee.total:
            continue
        members = [(code, f) for code, f in facts if rules.group_key(code, f) == key]
        created.append(
            FeeStatement(
                **({"student": student} if isinstance(student, Student) else {"student_id": student}),
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
    return created


@transaction.atomic
def fees_recalculate_many(
    changes: list[tuple[Student | int, AcademicYear, str]], *, on: datetime.date
) -> list[FeeStatement]:
    """Recalculate, as of ``on``, the fee of each (student, academic year, reason) of
    ``changes``, in their order, with a fixed number of queries per chunk of them (and one
    per academic year for its schedule and calendar): the same statements, told the same
    way, as ``fees_recalculate`` of each in turn."""
    found: list[FeeStatement] = []
    schedules: dict[str, FeeSchedule | None] = {}
    calendars: dict[int, object] = {}
    for start in range(0, len(changes), CHUNK):
        chunk = changes[start : start + CHUNK]
        for _student, year, _reason in chunk:
            if year.code not in schedules:
                schedules[year.code] = FeeSchedule.for_year(year.code)
        chunk = [change for change in chunk if schedules[change[1].code] is not None]
        if not chunk:
            continue
        ids = sorted({student if isinstance(student, int) else student.pk for student, _year, _reason in chunk})
        # One recalculation of a student at a time: the latest statement is read, then added to.
        locked = set(Student.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        pairs = [(student if isinstance(student, int) else student.pk, year) for student, year, _reason in chunk]
        facts = _facts_of(pairs, on)
        latest = _latest_of(ids, sorted({year.code for _student, year, _reason in chunk}))
        created: list[FeeStatement] = []
        previous: list[dict[str, FeeStatement]] = []
        for (student, year, reason), (student_id, _year) in zip(chunk, pairs, strict=True):
            if not isinstance(student, Student) and student_id not in locked:
                continue
            if year.pk not in calendars:
                calendars[year.pk] = year_calendar(year)
            mine = facts[(student_id, year.pk)]
            fees = rules.fees_of_year(mine, schedules[year.code].rates(), calendars[year.pk])
            before = latest.get((student_id, year.code), {})
            new = _statements(
                student if isinstance(student, Student) else student_id,
                year,
                mine,
                fees,
                before,
                on=on,
                reason=reason,
            )
            created += new
            previous += [before] * len(new)
        FeeStatement.objects.bulk_create(created)
        if created:
            _announce(created, previous)
        found += created
    return found


def fees_recalculate(*, student: Student, academic_year: AcademicYear, on: datetime.date, reason: str) -> list:
    """Recalculate ``student``'s fee of ``academic_year`` as of ``on``; new statements only
    for the fee groups whose amount changed (appendix Art. 4: reassessed as the elements
    that determine the fee evolve)."""
    return fees_recalculate_many([(student, academic_year, reason)], on=on)


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


def _announce(statements: list[FeeStatement], previous: list[dict[str, FeeStatement]]) -> None:
    """Each new statement is told to its student, in the recalculation's transaction (DOMAIN §11;
    appendix Art. 4: the account statement on registration, the variable part after the ISP's
    approval, every reassessment and its balance). A fee statement is none of the decisions
    Art. 101 lets the student appeal (DOMAIN §7): its message names no appeal route."""
    codes = {code for statement in statements for code in _codes(statement)}
    names = dict(Programme.objects.filter(code__in=codes).values_list("code", "name"))
    for statement, before in zip(statements, previous, strict=True):
        events.decision_announce(
            sender="fees",
            kind="fee_statement",
            decided_on=statement.on,
            object_label=FeeStatement._meta.label,
            object_id=statement.pk,
            student_ids=[statement.student_id],
            data=_message_data(statement, before.get(statement.key), names),
        )


def _changed_on(day: datetime.date) -> dict[tuple[int, int], str]:
    """(student id, academic year id) -> reason, for every fee fact dated ``day`` (two queries)."""
    reasons: dict[str, set[tuple[int, int]]] = {reason: set() for reason in Reason.values}
    fields = (
        "student_id",
        "academic_year_id",
        "deregistered_on",
        "enrolled_on",
        "isp_approved_on",
        "academic_year__first_semester_lock",
        "status",
    )
    # Two parts, each read by its own index (a day's facts by their dates; a lock day's enrolments
    # by their year), rather than one condition that reads every enrolment on every day.
    # Gathered into sets: no ordering, no join for it.
    dated = Enrolment.objects.filter(Q(deregistered_on=day) | Q(enrolled_on=day) | Q(isp_approved_on=day))
    # The first-semester lock makes every ISP of the year final (Art. 19).
    locked = Enrolment.objects.filter(academic_year__first_semester_lock=day, enrolled_on__lte=day)
    enrolments = (
        dated.order_by().values_list(*fields).union(locked.order_by().values_list(*fields), all=True).order_by()
    )
    for student_id, year_id, deregistered_on, enrolled_on, approved_on, lock, status in enrolments:
        pair = (student_id, year_id)
        if deregistered_on == day:
            reasons[Reason.DEREGISTRATION].add(pair)
        if enrolled_on == day:
            reasons[Reason.ENROLMENT].add(pair)
        if approved_on == day:
            reasons[Reason.ISP_APPROVED].add(pair)
        if lock == day and enrolled_on <= day and status != EnrolmentStatus.REFUSED:
            reasons[Reason.ISP_FINAL].add(pair)
    # Distinct in the database: a day's enrolments bring a dozen lines each.
    reasons[Reason.ISP_CHANGE] = set(
        ISPLine.objects.filter(Q(added_on=day) | Q(removed_on=day))
        .order_by()
        .values_list("enrolment__student_id", "enrolment__academic_year_id")
        .distinct()
    )
    found: dict[tuple[int, int], str] = {}
    # The most telling reason first: a day with a deregistration is the deregistration's.
    for reason in (
        Reason.DEREGISTRATION,
        Reason.ENROLMENT,
        Reason.ISP_CHANGE,
        Reason.ISP_APPROVED,
        Reason.ISP_FINAL,
    ):
        for pair in reasons[reason]:
            found.setdefault(pair, reason)
    return found


def fees_process(*, day: datetime.date) -> int:
    """Timeline stage: recalculate the fees of the students whose facts changed on ``day``.

    Returns 0: statements are a consequence of facts, not facts of their own, so the
    timeline's report counts the same facts as before.
    """
    changed = _changed_on(day)
    if not changed:
        return 0
    years = AcademicYear.objects.prefetch_related("exam_periods").in_bulk({year_id for _student, year_id in changed})
    fees_recalculate_many(
        [(student_id, years[year_id], reason) for (student_id, year_id), reason in sorted(changed.items())], on=day
    )
    return 0
