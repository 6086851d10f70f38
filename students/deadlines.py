"""What students registers on the timeline (``core.timeline``): the academic year's start
(rebuild of the learning account), the 1 December and 15 March locks, and the dated facts
of students, enrolments, ISP lines, deregistrations and degrees (DOMAIN §1)."""

from django.db import connection, models
from django.db.models import F

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
from .models import Degree, Enrolment, ISPLine, Student


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


class Earliest:
    """The earliest date ``field`` of the rows of ``queryset()`` (None: no row), as
    ``aggregate(Min(field))`` gives it; with ``more`` (further pairs of a queryset function
    and a field), the earliest over all of them, in the same single query. The timeline asks
    after every day with work, so the SQL is built once per database and run as it is,
    without the ORM's work per call."""

    _date = models.DateField()

    def __init__(self, queryset, field: str, *more):
        self.parts = [(queryset, field), *zip(more[::2], more[1::2], strict=True)]
        self.compiled: dict[tuple[str, str], tuple[str, tuple]] = {}

    def _compile(self) -> tuple[str, tuple]:
        selects, params = [], []
        for queryset, field in self.parts:
            sql, part_params = queryset().order_by().values(earliest=F(field)).query.sql_with_params()
            selects.append(sql)
            params += part_params
        return f"SELECT MIN(earliest) FROM ({' UNION ALL '.join(selects)}) pending", tuple(params)

    def __call__(self):
        key = (connection.alias, connection.vendor)
        if key not in self.compiled:
            self.compiled[key] = self._compile()
        with connection.cursor() as cursor:
            cursor.execute(*self.compiled[key])
            (value,) = cursor.fetchone()
        return self._date.to_python(value)  # SQLite gives the text of the date


# Rule 1 (``services.accounts_open``): an imported balance opens on its own date, any other
# account on the student's first enrolment.
openings_pending_on = Earliest(
    lambda: Student.objects.filter(account_opened=False, opening_balance__isnull=False),
    "opening_on",
    lambda: Enrolment.objects.filter(student__account_opened=False, student__opening_balance__isnull=True),
    "enrolled_on",
)


def register() -> None:
    register_transition_source(TransitionSource("academic_year_calendar", Stage.CALENDAR, 10, _calendar))
    facts = (
        ("learning_account_opening", services.accounts_open, openings_pending_on),
        (
            "enrolment",
            services.enrolments_process,
            Earliest(lambda: Enrolment.objects.filter(enrolment_processed=False), "enrolled_on"),
        ),
        (
            "isp_line_added",
            services.isp_additions_process,
            Earliest(lambda: ISPLine.objects.filter(add_processed=False), "added_on"),
        ),
        (
            "isp_line_removed",
            services.isp_removals_process,
            Earliest(lambda: ISPLine.objects.filter(removal_processed=False, removed_on__isnull=False), "removed_on"),
        ),
        (
            "deregistration",
            services.deregistrations_process,
            Earliest(
                lambda: Enrolment.objects.filter(deregistration_processed=False, deregistered_on__isnull=False),
                "deregistered_on",
            ),
        ),
        ("degree", services.degrees_process, Earliest(lambda: Degree.objects.filter(processed=False), "on")),
    )
    for order, (name, process, pending_on) in enumerate(facts, start=1):
        register_fact_kind(FactKind(name, Stage.FACTS, order * 10, process, pending_on))
