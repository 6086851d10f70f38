"""Reads about students: who the user sees (core.permissions), the learning account as the
study progress file shows it (the file itself is built by ``progress.selectors``)."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Exists, F, Lookup, OuterRef, Q, Sum

from core.permissions import scope

from . import rules
from .models import Contract, Enrolment, EnrolmentStatus, EntryKind, LearningAccountEntry, Student

TOLERANCE_CONTRACTS = {Contract.DEGREE, Contract.EXAM_DEGREE}


# --- Who sees which students (core.permissions: the student pages) ---------------------------
def enrolments_for(user):
    """The enrolments ``user`` may see."""
    return Enrolment.objects.filter(scope(user).students_q())


def students_for(user):
    """The students ``user`` may see: those with an enrolment in scope (the student page then
    shows the whole study progress file, earlier years included)."""
    user_scope = scope(user)
    if user_scope.sees_all:
        return Student.objects.all()
    in_scope = Enrolment.objects.filter(user_scope.students_q(), student=OuterRef("pk"))
    return Student.objects.filter(Exists(in_scope))


# --- A search by name or number ----------------------------------------------------------------
def students_matching(words: Iterable[str]):
    """The students every one of ``words`` matches: a part of the student number, the first name
    or the last name, in any case (the trigram indexes of migration ``0012`` find them on
    PostgreSQL)."""
    found = Student.objects.all()
    for word in words:
        found = found.filter(Q(number__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return found


def student_found_q(words: Iterable[str], path: str = "student") -> Q:
    """A filter on rows of a student (reached through ``path``) keeping those of the students
    ``words`` find (``students_matching``); no words: every row.

    On PostgreSQL the students are found first, once, in the query's init plan
    (``student_id = ANY(ARRAY(SELECT id FROM students_student WHERE ...))``), so that the rows are
    read by the index on their student, a few thousand index lookups for a common name. A join
    lets the planner read every row the other filters keep (the whole year's enrolments of the
    coach's programmes) and hash them with the students found: the student list's search by a
    name at 250,000 students took 50 ms that way, 25 ms this way (issue 19). Elsewhere: an ``IN``
    subquery."""
    words = tuple(words)
    if not words:
        return Q()
    found = students_matching(words).values("pk")
    if connection.vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        return Q(_AnyOf(F(path), ArraySubquery(found)))
    return Q(**{f"{path}__in": found})


class _AnyOf(Lookup):
    """``lhs = ANY(array)`` (PostgreSQL), the array an expression (``student_found_q``)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


def can_write_isp(user, enrolment: Enrolment) -> bool:
    """Whether ``user`` coaches the enrolment's programme in its academic year (or is a superuser)."""
    return scope(user).writes(enrolment.programme_id, enrolment.academic_year_id)


def require_isp_write(user, enrolment: Enrolment) -> None:
    """A visible ISP that the user may not change: 403 (PermissionDenied)."""
    if not can_write_isp(user, enrolment):
        raise PermissionDenied


def student_by_number(number: str) -> Student | None:
    return Student.objects.filter(number=number).first()


def learning_account(student: Student, entries=None) -> dict:
    """The student's learning account; ``entries``: the student's entries with their year,
    programme and course, oldest first, when the caller has them already."""
    if entries is None:
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
                "reason": e.reason_text,
            }
            for e in entries
        ],
        "_entries": entries,
    }


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


def credits_without_learning_account_of(enrolment, entries) -> int:
    """Rule 12 for one enrolment (DOMAIN §2; fee appendix), as the fee recalculation reckons it:
    ``enrolment`` and ``entries`` may be any objects with the fields read (``balance_at_enrolment``,
    ``academic_year_id``, ``programme_id``; ``kind``, ``credits``, ``source``), so that the what-if
    preview can count entries not booked yet."""
    return _credits_without_learning_account(enrolment, entries)


def balance_of(student: Student) -> int:
    return LearningAccountEntry.objects.filter(student=student).aggregate(total=Sum("credits"))["total"] or 0


__all__ = [
    "student_by_number",
    "learning_account",
    "balance_of",
    "EnrolmentStatus",
    "enrolments_for",
    "students_for",
    "can_write_isp",
    "require_isp_write",
]
