"""Which reschedule requests and reports a user sees, and on which they act (Art. 56-59).

Built on ``core.permissions.scope`` (see its docstring for who sees what): the queryset a
view starts from leaves out what is outside the user's programmes (404), and
``require_request_write`` refuses a user who sees a request but may not act on it (403):
a read-only role, or an ombudsperson who examines the student (Art. 58).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef

from core.permissions import scope
from programmes.models import AssignmentRole
from students.models import Enrolment

from .models import CourseExaminer, OmbudsReport, RescheduleRequest


def ombudsperson_examines(enrolment_ref="isp_line__enrolment"):
    """An Exists() that is true when the programme's ombudsperson of that year examines a
    course in the ISP of the enrolment at ``enrolment_ref`` (Art. 58)."""
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
    return RescheduleRequest.objects.filter(scope(user).requests_q("isp_line__enrolment__")).annotate(
        ombudsperson_examines=ombudsperson_examines()
    )


def ombuds_reports_for(user):
    """The annual reports ``user`` may see."""
    return OmbudsReport.objects.filter(scope(user).requests_q())


def examines_student(user, enrolment: Enrolment) -> bool:
    """Whether ``user`` examines a course in the enrolment's ISP that year (Art. 58)."""
    return CourseExaminer.objects.filter(
        user=user,
        academic_year_id=enrolment.academic_year_id,
        course__isp_lines__enrolment=enrolment,
        course__isp_lines__removed_on__isnull=True,
    ).exists()


def can_handle(user, enrolment: Enrolment) -> bool:
    """Whether ``user`` may log, decide and record requests of this enrolment's student."""
    user_scope = scope(user)
    key = (enrolment.programme_id, enrolment.academic_year_id)
    # Only an ombudsperson of the programme needs the examiner query (Art. 58).
    examines = (
        key in user_scope.ombudsperson
        and key not in user_scope.substitute
        and not user_scope.writes_all
        and examines_student(user, enrolment)
    )
    return user_scope.handles(*key, examines_student=examines)


def can_handle_request(user, request) -> bool:
    return can_handle(user, request.isp_line.enrolment)


def may_act(user, request) -> bool:
    """``can_handle`` for a request from ``reschedule_requests_for`` (annotated), without a query."""
    enrolment = request.isp_line.enrolment
    return scope(user).handles(
        enrolment.programme_id, enrolment.academic_year_id, examines_student=request.ombudsperson_examines
    )


def require_request_write(user, enrolment: Enrolment) -> None:
    """403 for a user who sees the request but may not act on it (read-only, or Art. 58)."""
    if not can_handle(user, enrolment):
        raise PermissionDenied
