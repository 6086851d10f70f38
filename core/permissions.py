"""Who may see and change what in the application's own pages (ARCHITECTURE.md, Permissions).

Every view asks this module, and only this module:

- ``scope(user)`` says which programmes, per academic year, the user works in, and
  whether they may write there;
- ``students_for(user)`` / ``enrolments_for(user)`` are the querysets a view starts from,
  so an object outside the user's programmes is simply not found (404);
- ``require_isp_write(user, enrolment)`` refuses a read-only user with a 403.

Decided (DOMAIN §3, Art. 56-58):

- A learning path coach sees the students enrolled in the programmes they coach (the
  academic year of the assignment) and writes the ISPs of those enrolments.
- An ombudsperson (or substitute) sees the students of their programmes, read-only.
- Student administration and the examination committee see every student, read-only
  here (the office keeps records in the admin site; ISP decisions are the cluster's).
- A superuser sees and writes everything.
- Anybody else has no student pages (403).

A student is visible when any of their enrolments is in scope; the student page then
shows the whole study progress file (earlier years included), which is what a coach
needs to advise. An ISP is writable only for an enrolment whose programme and year the
user coaches.
"""

from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q

from programmes.models import Assignment, AssignmentRole
from students.models import Enrolment, Student

from . import roles

READ_ALL_ROLES = (roles.ADMINISTRATION, roles.COMMITTEE)


@dataclass(frozen=True)
class Scope:
    """The (programme id, academic year id) pairs a user sees and writes."""

    sees_all: bool = False
    writes_all: bool = False
    visible: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    writable: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    @property
    def has_pages(self) -> bool:
        return self.sees_all or bool(self.visible)

    @property
    def can_write(self) -> bool:
        return self.writes_all or bool(self.writable)

    def sees(self, programme_id: int, academic_year_id: int) -> bool:
        return self.sees_all or (programme_id, academic_year_id) in self.visible

    def writes(self, programme_id: int, academic_year_id: int) -> bool:
        return self.writes_all or (programme_id, academic_year_id) in self.writable

    def enrolment_filter(self, prefix: str = "") -> Q:
        """A Q on enrolments (``prefix`` for a relation such as ``enrolments__``)."""
        if self.sees_all:
            return Q()
        q = Q(pk__in=[])
        for programme_id, year_id in sorted(self.visible):
            q |= Q(**{f"{prefix}programme_id": programme_id, f"{prefix}academic_year_id": year_id})
        return q


def scope(user) -> Scope:
    """What ``user`` may see and write; cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope()
    cached = getattr(user, "_college_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        result = Scope(sees_all=True, writes_all=True)
    else:
        groups = set(user.groups.values_list("name", flat=True))
        visible, writable = set(), set()
        assignments = Assignment.objects.filter(user=user).values_list("programme_id", "academic_year_id", "role")
        for programme_id, year_id, role in assignments:
            if role == AssignmentRole.COACH and roles.COACH in groups:
                visible.add((programme_id, year_id))
                writable.add((programme_id, year_id))
            elif role in (AssignmentRole.OMBUDSPERSON, AssignmentRole.SUBSTITUTE) and roles.OMBUDSPERSON in groups:
                visible.add((programme_id, year_id))
        result = Scope(
            sees_all=bool(groups & set(READ_ALL_ROLES)),
            visible=frozenset(visible),
            writable=frozenset(writable),
        )
    user._college_scope = result
    return result


def enrolments_for(user):
    """The enrolments ``user`` may see."""
    return Enrolment.objects.filter(scope(user).enrolment_filter())


def students_for(user):
    """The students ``user`` may see: those with an enrolment in scope."""
    user_scope = scope(user)
    if user_scope.sees_all:
        return Student.objects.all()
    in_scope = Enrolment.objects.filter(user_scope.enrolment_filter(), student=OuterRef("pk"))
    return Student.objects.filter(Exists(in_scope))


def can_write_isp(user, enrolment: Enrolment) -> bool:
    return scope(user).writes(enrolment.programme_id, enrolment.academic_year_id)


def require_isp_write(user, enrolment: Enrolment) -> None:
    """A visible ISP that the user may not change: 403 (PermissionDenied)."""
    if not can_write_isp(user, enrolment):
        raise PermissionDenied


def student_pages(view):
    """Login required (302 to the login page), then a role with student pages (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not scope(request.user).has_pages:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# --- The ombudsperson's pages (Art. 56-59) -------------------------------------------------
# Decided:
# - The ombudsperson and the substitute of a programme in an academic year see its
#   reschedule requests and reports and write them (log, decide, record a missed moment,
#   submit the report); the substitute stands in for every request (Art. 56).
# - An ombudsperson who examines a course in a student's ISP that year (exams.CourseExaminer)
#   hands that student's requests to the substitute: they still see them, but may not
#   log, decide or record on them (Art. 58).
# - Student administration and the examination committee read everything; a superuser
#   reads and writes everything; anybody else has no ombudsperson pages (403).
# - A student's individual exam schedule is a student page: whoever sees the student sees it.
OMBUDS_ROLES = (AssignmentRole.OMBUDSPERSON, AssignmentRole.SUBSTITUTE)


@dataclass(frozen=True)
class OmbudsScope:
    """The (programme id, academic year id) pairs a user serves as ombudsperson or substitute."""

    sees_all: bool = False
    writes_all: bool = False
    ombudsperson: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    substitute: frozenset[tuple[int, int]] = field(default_factory=frozenset)

    @property
    def pairs(self) -> frozenset[tuple[int, int]]:
        return self.ombudsperson | self.substitute

    @property
    def has_pages(self) -> bool:
        return self.sees_all or bool(self.pairs)

    @property
    def can_write(self) -> bool:
        return self.writes_all or bool(self.pairs)

    def sees(self, programme_id: int, academic_year_id: int) -> bool:
        return self.sees_all or (programme_id, academic_year_id) in self.pairs

    def writes(self, programme_id: int, academic_year_id: int) -> bool:
        return self.writes_all or (programme_id, academic_year_id) in self.pairs

    def filter(self, prefix: str = "") -> Q:
        """A Q on rows with ``{prefix}programme_id`` and ``{prefix}academic_year_id``."""
        if self.sees_all:
            return Q()
        q = Q(pk__in=[])
        for programme_id, year_id in sorted(self.pairs):
            q |= Q(**{f"{prefix}programme_id": programme_id, f"{prefix}academic_year_id": year_id})
        return q


def ombuds_scope(user) -> OmbudsScope:
    """Where ``user`` works as ombudsperson or substitute; cached on the user for the request."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return OmbudsScope()
    cached = getattr(user, "_college_ombuds_scope", None)
    if cached is not None:
        return cached
    if user.is_superuser:
        result = OmbudsScope(sees_all=True, writes_all=True)
    else:
        groups = set(user.groups.values_list("name", flat=True))
        pairs: dict[str, set] = {role: set() for role in OMBUDS_ROLES}
        if roles.OMBUDSPERSON in groups:
            for programme_id, year_id, role in Assignment.objects.filter(user=user, role__in=OMBUDS_ROLES).values_list(
                "programme_id", "academic_year_id", "role"
            ):
                pairs[role].add((programme_id, year_id))
        result = OmbudsScope(
            sees_all=bool(groups & set(READ_ALL_ROLES)),
            ombudsperson=frozenset(pairs[AssignmentRole.OMBUDSPERSON]),
            substitute=frozenset(pairs[AssignmentRole.SUBSTITUTE]),
        )
    user._college_ombuds_scope = result
    return result


def ombudsperson_examines(enrolment_ref="isp_line__enrolment"):
    """An Exists() that is true when the programme's ombudsperson of that year examines a
    course in the ISP of the enrolment at ``enrolment_ref`` (Art. 58)."""
    from exams.models import CourseExaminer  # exams imports students; keep the import order light

    return Exists(
        CourseExaminer.objects.filter(
            academic_year_id=OuterRef(f"{enrolment_ref}__academic_year_id"),
            course__isp_lines__enrolment_id=OuterRef(f"{enrolment_ref}_id"),
            course__isp_lines__removed_on__isnull=True,
            user__assignments__programme_id=OuterRef(f"{enrolment_ref}__programme_id"),
            user__assignments__academic_year_id=OuterRef(f"{enrolment_ref}__academic_year_id"),
            user__assignments__role=AssignmentRole.OMBUDSPERSON,
        )
    )


def reschedule_requests_for(user):
    """The reschedule requests ``user`` may see, annotated with ``ombudsperson_examines``."""
    from exams.models import RescheduleRequest

    return RescheduleRequest.objects.filter(ombuds_scope(user).filter("isp_line__enrolment__")).annotate(
        ombudsperson_examines=ombudsperson_examines()
    )


def examines_student(user, enrolment: Enrolment) -> bool:
    """Whether ``user`` examines a course in the enrolment's ISP that year (Art. 58)."""
    from exams.models import CourseExaminer

    return CourseExaminer.objects.filter(
        user=user,
        academic_year_id=enrolment.academic_year_id,
        course__isp_lines__enrolment=enrolment,
        course__isp_lines__removed_on__isnull=True,
    ).exists()


def can_handle(user, enrolment: Enrolment) -> bool:
    """Whether ``user`` may log, decide and record requests of this enrolment's student."""
    user_scope = ombuds_scope(user)
    key = (enrolment.programme_id, enrolment.academic_year_id)
    if user_scope.writes_all or key in user_scope.substitute:
        return True
    return key in user_scope.ombudsperson and not examines_student(user, enrolment)


def can_handle_request(user, request) -> bool:
    return can_handle(user, request.isp_line.enrolment)


def require_request_write(user, enrolment: Enrolment) -> None:
    """403 for a user who sees the request but may not act on it (read-only, or Art. 58)."""
    if not can_handle(user, enrolment):
        raise PermissionDenied


def ombuds_reports_for(user):
    """The annual reports ``user`` may see."""
    from exams.models import OmbudsReport

    return OmbudsReport.objects.filter(ombuds_scope(user).filter())


def ombuds_pages(view):
    """Login required (302 to the login page), then an ombudsperson's pages role (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not ombuds_scope(request.user).has_pages:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


# --- Tuition fees (fee appendix) -------------------------------------------------------------
# Decided: student administration and superusers see the open balances and export them for
# the finance department; whoever sees a student page sees that student's fee statements.
def can_see_fees(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name=roles.ADMINISTRATION).exists()


def fee_pages(view):
    """Login required (302 to the login page), then student administration (else 403)."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not can_see_fees(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
