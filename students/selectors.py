"""Reads about students: the study progress file (Art. 28; EXCHANGE.md)."""

from collections import defaultdict

from django.db.models import Prefetch, Sum

from core.models import Transition
from core.rounding import round_half_up
from exams import rules as exam_rules

from . import rules
from .models import Contract, EnrolmentStatus, EntryKind, ISPLine, LearningAccountEntry, LineOutcome, Student

TOLERANCE_CONTRACTS = {Contract.DEGREE, Contract.EXAM_DEGREE}


def student_by_number(number: str) -> Student | None:
    return Student.objects.filter(number=number).first()


def learning_account(student: Student) -> dict:
    entries = list(
        student.learning_account_entries.select_related("academic_year", "programme", "course").order_by("on", "id")
    )
    booked = sum(e.credits for e in entries if e.kind == EntryKind.BONUS)
    rebuilt = any(e.kind == EntryKind.REBUILD for e in entries)
    return {
        "balance": sum(e.credits for e in entries),
        "bonus_left": rules.bonus_left(
            opening_bonus=student.opening_bonus_left, bonus_booked=booked, rebuild_granted=rebuilt
        ),
        "entries": [
            {
                "on": e.on.isoformat(),
                "credits": e.credits,
                "kind": e.kind,
                "academic_year": e.academic_year.code if e.academic_year else None,
                "programme": e.programme.code if e.programme else None,
                "course": e.course.code if e.course else None,
                "reason": e.reason,
            }
            for e in entries
        ],
        "_entries": entries,
    }


def _course_status(line: ISPLine) -> str:
    if line.removed_on is not None:
        return "removed"
    if line.exempted:
        return "exempted"
    if line.tolerated_on is not None:
        return "tolerated"
    return line.outcome


def _credits_without_learning_account(enrolment, entries) -> int:
    """Rule 12, measured against the balance just before the enrolment's first deduction."""
    if enrolment.balance_at_enrolment is None:
        return 0
    own = [
        e
        for e in entries
        if (e.academic_year_id, e.programme_id) == (enrolment.academic_year_id, enrolment.programme_id)
    ]
    # Deductions minus removal and deregistration refunds; pass refunds do not
    # make the credits taken any fewer.
    charged = -sum(
        e.credits
        for e in own
        if e.kind == EntryKind.DEDUCTION or (e.kind == EntryKind.REFUND and not e.source.endswith(":generation"))
    )
    return rules.credits_without_learning_account(credits=charged, balance=enrolment.balance_at_enrolment)


def study_progress(student: Student) -> dict:
    """The study progress file of ``student``, as EXCHANGE.md defines it."""
    account = learning_account(student)
    entries = account.pop("_entries")
    enrolments = list(
        student.enrolments.select_related("academic_year", "programme")
        .prefetch_related(Prefetch("lines", queryset=ISPLine.objects.select_related("course").order_by("course__code")))
        .order_by("academic_year__starts_on", "enrolled_on", "pk")
    )
    published_days = defaultdict(list)
    for key, due_on in Transition.objects.filter(key__endswith=":publication").values_list("key", "due_on"):
        published_days[key.split(":")[1]].append(due_on)

    done_before = defaultdict(int)  # credits obtained, exempted or tolerated in a programme, before a year
    exempted_in = defaultdict(int)
    tolerated_in = defaultdict(int)
    files, programmes = [], {}
    for enrolment in enrolments:
        lines = list(enrolment.lines.all())
        active = [line for line in lines if line.removed_on is None]
        examined = [line for line in active if not line.exempted]
        certified = sum(line.course.credits for line in examined if line.certified_on is not None)
        actually_taken = sum(line.course.credits for line in examined)
        programme = enrolment.programme
        first_year_published = any(
            enrolment.enrolled_on <= day for day in published_days.get(enrolment.academic_year.code, [])
        )
        efficiency = exam_rules.study_efficiency(certified_credits=certified, actually_taken_credits=actually_taken)
        exempted_in[programme.pk] += sum(line.course.credits for line in active if line.exempted)
        tolerated_in[programme.pk] += sum(line.course.credits for line in active if line.tolerated_on)
        tolerance = None
        if enrolment.contract in TOLERANCE_CONTRACTS:
            credit = exam_rules.tolerance_credit(
                programme_credits=programme.credits,
                exempted_credits=exempted_in[programme.pk],
                cap=programme.tolerance_cap,
                programme_kind=programme.kind,
                starter=done_before[programme.pk] < exam_rules.STARTER_CREDITS,
            )
            used = tolerated_in[programme.pk]
            tolerance = {"credit": credit, "used": used, "left": credit - used}
        done_before[programme.pk] += sum(
            line.course.credits for line in active if line.exempted or line.certified_on or line.tolerated_on
        )
        files.append(
            {
                "academic_year": enrolment.academic_year.code,
                "programme": programme.code,
                "contract": enrolment.contract,
                "status": enrolment.status,
                "taken_credits": sum(line.course.credits for line in active),
                "actually_taken_credits": actually_taken,
                "obtained_credits": certified,
                "study_efficiency": float(round_half_up(efficiency, 2))
                if efficiency is not None and first_year_published
                else None,
                "credits_without_learning_account": _credits_without_learning_account(enrolment, entries),
                "courses": [
                    {
                        "course": line.course.code,
                        "credits": line.course.credits,
                        "semester": line.course.semester,
                        "mark": exam_rules.mark_from_text(line.mark),
                        "status": _course_status(line),
                    }
                    for line in lines
                ],
                "tolerance": tolerance,
            }
        )
        programmes.setdefault(programme.pk, (programme, []))[1].append((enrolment, lines))

    return {
        "student": student.number,
        "name": student.full_name,
        "learning_account": account,
        "enrolments": files,
        "programmes": [_programme_file(programme, history) for programme, history in programmes.values()],
        "measures": [],
    }


def _programme_file(programme, history) -> dict:
    applies = programme.kind == "initial_bachelor" and any(e.contract == Contract.DEGREE for e, _ in history)
    reached = None
    if applies:
        first = next((lines for e, lines in history if e.contract == Contract.DEGREE), [])
        package = {line.course_id for line in first if line.removed_on is None}
        done = {
            line.course_id
            for _, lines in history
            for line in lines
            if line.removed_on is None
            and (line.exempted or line.outcome == LineOutcome.PASSED or line.tolerated_on is not None)
        }
        reached = package <= done
    return {
        "programme": programme.code,
        "passed": False,
        "percentage": None,
        "level_of_achievement": None,
        "threshold": {"applies": applies, "reached": reached},
    }


def balance_of(student: Student) -> int:
    return LearningAccountEntry.objects.filter(student=student).aggregate(total=Sum("credits"))["total"] or 0


__all__ = ["study_progress", "student_by_number", "learning_account", "balance_of", "EnrolmentStatus"]
