"""What students registers on the timeline (``core.timeline``): the academic year's start
(rebuild of the learning account), the 1 December and 15 March locks, and the dated facts
of students, enrolments, ISP lines, deregistrations and degrees (DOMAIN §1)."""

from django.db.models import Min

from core.timeline import (
    CalendarTransition,
    FactKind,
    Stage,
    TransitionSource,
    register_fact_kind,
    register_transition_source,
)
from programmes.models import AcademicYear

from . import services
from .models import Degree, Enrolment, ISPLine


def _calendar(up_to):
    for year in AcademicYear.objects.filter(starts_on__lte=up_to):
        yield CalendarTransition(
            f"ay:{year.code}:start", year.starts_on, Stage.CALENDAR, lambda y=year: services.rebuild_grant(year=y)
        )
        yield CalendarTransition(
            f"ay:{year.code}:first_semester_lock",
            year.first_semester_lock,
            Stage.CALENDAR,
            lambda y=year: services.lines_lock(year=y, semesters=["1", "year"], day=y.first_semester_lock),
        )
        yield CalendarTransition(
            f"ay:{year.code}:second_semester_lock",
            year.second_semester_lock,
            Stage.CALENDAR,
            lambda y=year: services.lines_lock(year=y, semesters=["2"], day=y.second_semester_lock),
        )


def _earliest(queryset, field_name):
    return queryset.aggregate(d=Min(field_name))["d"]


def register() -> None:
    register_transition_source(TransitionSource("academic_year_calendar", Stage.CALENDAR, 10, _calendar))
    facts = (
        ("learning_account_opening", services.accounts_open, services.openings_pending_on),
        (
            "enrolment",
            services.enrolments_process,
            lambda: _earliest(Enrolment.objects.filter(enrolment_processed=False), "enrolled_on"),
        ),
        (
            "isp_line_added",
            services.isp_additions_process,
            lambda: _earliest(ISPLine.objects.filter(add_processed=False), "added_on"),
        ),
        (
            "isp_line_removed",
            services.isp_removals_process,
            lambda: _earliest(ISPLine.objects.filter(removal_processed=False, removed_on__isnull=False), "removed_on"),
        ),
        (
            "deregistration",
            services.deregistrations_process,
            lambda: _earliest(
                Enrolment.objects.filter(deregistration_processed=False, deregistered_on__isnull=False),
                "deregistered_on",
            ),
        ),
        ("degree", services.degrees_process, lambda: _earliest(Degree.objects.filter(processed=False), "on")),
    )
    for order, (name, process, pending_on) in enumerate(facts, start=1):
        register_fact_kind(FactKind(name, Stage.FACTS, order * 10, process, pending_on))
