"""What students registers on the timeline (``core.timeline``): the academic year's start
(rebuild of the learning account), the 1 December and 15 March locks, and the dated facts
of students, enrolments, ISP lines, deregistrations and degrees (DOMAIN §1)."""

import datetime

from django.db import connection, models
from django.db.models import F

from core.timeline import (
    CalendarTransition,
    FactKind,
    Stage,
    TransitionSource,
    pending_from,
    pending_read,
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


# The first day of all: a read from the beginning (the placeholder of the day a read starts from).
FROM = datetime.date(1, 1, 1)


class Earliest:
    """The earliest date ``field`` of the rows of ``queryset()`` (None: no row), as
    ``aggregate(Min(field))`` gives it; with ``more`` (further pairs of a queryset function
    and a field), the earliest over all of them, in the same single query. The timeline asks
    after every day with work, so the SQL is built once per database and run as it is,
    without the ORM's work per call. Those read ``together`` answer the timeline's read of
    every kind's pending day (``core.timeline.pending_read``) from one query for all of them."""

    _date = models.DateField()

    def __init__(self, queryset, field: str, *more, together: "Together | None" = None):
        self.parts = [(queryset, field), *zip(more[::2], more[1::2], strict=True)]
        self.compiled: dict[tuple[str, str], tuple[str, tuple, set[int]]] = {}
        self.together = together
        if together is not None:
            together.members.append(self)

    def _compile(self) -> tuple[str, tuple, set[int]]:
        selects, params = [], []
        for number, (queryset, field) in enumerate(self.parts):
            # From the timeline's ``pending_from`` on, the index's range starting there (the
            # day given at each call, in ``FROM``'s places among the parameters). Each part is
            # its first row in the field's order, not a MIN: a part that joins another table
            # (the openings: enrolments of students whose account is not open) then walks the
            # field's index up to its first match instead of aggregating every row from the day.
            query = queryset().filter(**{f"{field}__gte": FROM}).order_by(field).values(earliest=F(field))[:1].query
            sql, part_params = query.sql_with_params()
            selects.append(f"SELECT earliest FROM ({sql}) part{number}")
            params += part_params
        placeholder = connection.ops.adapt_datefield_value(FROM)
        places = {i for i, param in enumerate(params) if param == placeholder}
        return f"SELECT MIN(earliest) FROM ({' UNION ALL '.join(selects)}) pending", tuple(params), places

    def sql(self) -> tuple[str, tuple]:
        """The query, built once per database, with the day it reads from (``pending_from``)."""
        key = (connection.alias, connection.vendor)
        if key not in self.compiled:
            self.compiled[key] = self._compile()
        sql, params, places = self.compiled[key]
        since = connection.ops.adapt_datefield_value(pending_from() or FROM)
        return sql, tuple(since if i in places else param for i, param in enumerate(params))

    def __call__(self):
        read = pending_read()
        if self.together is not None and read is not None:
            return self.together.value(self, read)
        with connection.cursor() as cursor:
            cursor.execute(*self.sql())
            (value,) = cursor.fetchone()
        return self._date.to_python(value)  # SQLite gives the text of the date


class Together:
    """``Earliest`` dates read in one query (one scalar subquery each) when the timeline reads
    every kind's pending day, kept for that read only: nothing is processed during it."""

    def __init__(self):
        self.members: list[Earliest] = []
        self.answer: tuple[tuple[str, int] | None, dict[int, object]] = (None, {})

    def value(self, member: Earliest, read: int):
        key = (connection.alias, read)
        if self.answer[0] != key:
            parts = [member.sql() for member in self.members]
            sql = "SELECT " + ", ".join(f"({part_sql})" for part_sql, _params in parts)
            with connection.cursor() as cursor:
                cursor.execute(sql, tuple(param for _sql, params in parts for param in params))
                row = cursor.fetchone()
            self.answer = (key, {id(m): Earliest._date.to_python(v) for m, v in zip(self.members, row, strict=True)})
        return self.answer[1][id(member)]


# The students' fact kinds: one query for all of them at each of the timeline's reads.
PENDING = Together()


# Rule 1 (``services.accounts_open``): an imported balance opens on its own date, any other
# account on the student's first enrolment.
openings_pending_on = Earliest(
    lambda: Student.objects.filter(account_opened=False, opening_balance__isnull=False),
    "opening_on",
    lambda: Enrolment.objects.filter(student__account_opened=False, student__opening_balance__isnull=True),
    "enrolled_on",
    together=PENDING,
)


def register() -> None:
    register_transition_source(TransitionSource("academic_year_calendar", Stage.CALENDAR, 10, _calendar))
    facts = (
        ("learning_account_opening", services.accounts_open, openings_pending_on),
        (
            "enrolment",
            services.enrolments_process,
            Earliest(lambda: Enrolment.objects.filter(enrolment_processed=False), "enrolled_on", together=PENDING),
        ),
        (
            "isp_line_added",
            services.isp_additions_process,
            Earliest(lambda: ISPLine.objects.filter(add_processed=False), "added_on", together=PENDING),
        ),
        (
            "isp_line_removed",
            services.isp_removals_process,
            Earliest(
                lambda: ISPLine.objects.filter(removal_processed=False, removed_on__isnull=False),
                "removed_on",
                together=PENDING,
            ),
        ),
        (
            "deregistration",
            services.deregistrations_process,
            Earliest(
                lambda: Enrolment.objects.filter(deregistration_processed=False, deregistered_on__isnull=False),
                "deregistered_on",
                together=PENDING,
            ),
        ),
        (
            "degree",
            services.degrees_process,
            Earliest(lambda: Degree.objects.filter(processed=False), "on", together=PENDING),
        ),
    )
    for order, (name, process, pending_on) in enumerate(facts, start=1):
        register_fact_kind(FactKind(name, Stage.FACTS, order * 10, process, pending_on))
