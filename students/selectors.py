"""Reads about students: the study progress file (Art. 28; EXCHANGE.md)."""

from collections import defaultdict

from django.db.models import Prefetch, Sum

from core.models import Transition
from core.rounding import round_half_up
from exams import rules as exam_rules

from . import rules
from .models import Contract, EnrolmentStatus, EntryKind, ISPLine, LearningAccountEntry, Student

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


def _percentage(result) -> float | None:
    if result is None or result.percentage is None:
        return None
    return float(round_half_up(result.percentage, 2))


def study_progress(student: Student) -> dict:
    """The study progress file of ``student``, as EXCHANGE.md defines it."""
    from exams.models import ProgrammeResult
    from exams.standing import standings

    from .measures import measures_of

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
    found = standings({(student.pk, e.programme_id) for e in enrolments})

    files = []
    for enrolment in enrolments:
        lines = list(enrolment.lines.all())
        active = [line for line in lines if line.removed_on is None]
        year = found[(student.pk, enrolment.programme_id)].year(enrolment.pk)
        published = any(enrolment.enrolled_on <= day for day in published_days.get(enrolment.academic_year.code, []))
        efficiency = year.efficiency if published else None
        files.append(
            {
                "academic_year": enrolment.academic_year.code,
                "programme": enrolment.programme.code,
                "contract": enrolment.contract,
                "status": enrolment.status,
                "taken_credits": sum(line.course.credits for line in active),
                "actually_taken_credits": year.actually_taken,
                "obtained_credits": year.certified,
                "study_efficiency": None if efficiency is None else float(round_half_up(efficiency, 2)),
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
                "tolerance": found[(student.pk, enrolment.programme_id)].tolerance(year),
            }
        )

    results = {r.programme_id: r for r in ProgrammeResult.objects.filter(student=student)}
    programmes = []
    for (_student, programme_id), standing in sorted(found.items(), key=lambda kv: kv[1].years[0].year_start):
        result = results.get(programme_id)
        programmes.append(
            {
                "programme": standing.programme.code,
                "passed": result is not None,
                "percentage": _percentage(result),
                "level_of_achievement": (result.level or None) if result else None,
                "threshold": {"applies": standing.threshold_applies, "reached": standing.threshold_reached()},
            }
        )
    return {
        "student": student.number,
        "name": student.full_name,
        "learning_account": account,
        "enrolments": files,
        "programmes": programmes,
        "measures": measures_of(student),
    }


def balance_of(student: Student) -> int:
    return LearningAccountEntry.objects.filter(student=student).aggregate(total=Sum("credits"))["total"] or 0


__all__ = ["study_progress", "student_by_number", "learning_account", "balance_of", "EnrolmentStatus"]
