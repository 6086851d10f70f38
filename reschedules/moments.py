"""Exam moments from the planning department's CSV export (Art. 41, 43).

Columns (a header row; English or the planning tool's Dutch names, any order, comma or
semicolon separated): ``academic_year`` (academiejaar), ``exam_period`` (examenperiode),
``programme`` (opleiding), ``course`` (opo), ``date`` (datum: YYYY-MM-DD or DD/MM/YYYY),
``start`` (start: HH:MM), ``room`` (lokaal, may be empty until announced) and optionally
``duration`` (duur: minutes, or hours as 3:00 or 3u; empty is three hours).
The file may be UTF-8 (with the BOM Excel writes) or Windows-1252; the export writes the
college's one CSV form (core.csv: BOM, ";").

Every cell is checked as text before it is read as a value: a cell holding a control
character (a NUL byte, a tab or a line break inside it) or longer than its column allows
(the length of the code or room it is stored or looked up as) refuses its row, as does a
room that starts with ``=``, ``+``, ``-`` or ``@``: a room is a short code, and one that a
spreadsheet would run as a formula is refused rather than stored (the export would
neutralise it, core.csv, but the planning department's own files would not). A file that
cannot be read as CSV text at all (UTF-16, a workbook, a cell over 131,072 characters) is
refused as a whole with what to do.

The import is all or nothing: every row is checked first, and when one is refused
nothing is written and the refused rows are listed. An exam moment is one per course and
exam period: a row for a course already scheduled in that period moves it. A new exam, or
one whose date or start time changes, is announced on the day of the import; once the exam
period's schedule is published, each student whose own exam is new, moved or in another room is
told (``announcements.moments_changed_announce``, Art. 41, 43).
"""

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core import csv as college_csv
from core.errors import Refused
from core.numbers import whole_number
from programmes.models import AcademicYear, Course, ExamPeriod, Programme

from .announcements import MomentChange, moments_changed_announce
from .models import DEFAULT_DURATION, ExamMoment

COLUMNS = ("academic_year", "exam_period", "programme", "course", "date", "start", "room", "duration")
ALIASES = {
    "academiejaar": "academic_year",
    "year": "academic_year",
    "examenperiode": "exam_period",
    "period": "exam_period",
    "opleiding": "programme",
    "programme_code": "programme",
    "opo": "course",
    "course_code": "course",
    "opleidingsonderdeel": "course",
    "datum": "date",
    "starts_at": "start",
    "start_time": "start",
    "beginuur": "start",
    "uur": "start",
    "lokaal": "room",
    "duur": "duration",
    "minutes": "duration",
    "minuten": "duration",
    "duration_minutes": "duration",
}
REQUIRED = ("academic_year", "exam_period", "programme", "course", "date", "start")
MAX_BYTES = 5 * 1024 * 1024
# The longest text of a column that is read as a value (a number, a date, a time, a duration).
MAX_VALUE_LENGTH = 32
LABEL_LENGTH = 40  # of a code shown next to a refused row's number


def max_lengths() -> dict[str, int]:
    """Each column's longest text: the length of the field it is stored or looked up in."""
    return {
        "academic_year": AcademicYear._meta.get_field("code").max_length,
        "exam_period": MAX_VALUE_LENGTH,
        "programme": Programme._meta.get_field("code").max_length,
        "course": Course._meta.get_field("code").max_length,
        "date": MAX_VALUE_LENGTH,
        "start": MAX_VALUE_LENGTH,
        "room": ExamMoment._meta.get_field("room").max_length,
        "duration": MAX_VALUE_LENGTH,
    }


class MomentsFileError(Refused):
    """The file cannot be read as an exam moments CSV at all; the text says why."""

    default_code = "moments_file"

    def __init__(self, message):
        super().__init__([message])


@dataclass(frozen=True)
class MomentRow:
    number: int
    academic_year: str = ""
    exam_period: str = ""
    programme: str = ""
    course: str = ""
    on: datetime.date | None = None
    starts_at: datetime.time | None = None
    room: str = ""
    duration: int = DEFAULT_DURATION
    problem: str = ""

    @property
    def label(self) -> str:
        return " ".join(college_csv.visible(p, LABEL_LENGTH) for p in (self.programme, self.course) if p)


@dataclass(frozen=True)
class RowProblem:
    row: int
    label: str
    message: str
    code = "moments_row"


class MomentsRefused(Refused):
    """Rows of an exam moments file refused: nothing was imported. ``problems`` are ``RowProblem``s."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__(problems, summary=f"{len(problems)} rows refused")


@dataclass
class MomentsSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    moments: list[ExamMoment] = field(default_factory=list)


def _header(name: str) -> str:
    key = re.sub(r"[\s-]+", "_", name.strip().lower().lstrip("\ufeff"))
    return ALIASES.get(key, key)


def parse_date(text: str) -> datetime.date | None:
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a calendar day, no moment)
        except ValueError:
            continue
    return None


def parse_time(text: str) -> datetime.time | None:
    match = re.fullmatch(r"(\d{1,2})[:.hu](\d{2})(?::\d{2})?", text.strip().lower())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    return datetime.time(hour, minute)


def parse_duration(text: str) -> int | None:
    """Minutes (``180``) or hours and minutes (``3:00``, ``3u``, ``2u30``, ``3h``); empty is
    three hours; None when unreadable or outside 15 minutes to 12 hours."""
    text = text.strip().lower()
    if not text:
        return DEFAULT_DURATION
    minutes = whole_number(text)
    if minutes is None:
        match = re.fullmatch(r"(\d{1,2})\s*[:.uh]\s*(\d{2})?", text)
        if not match:
            return None
        minutes = int(match.group(1)) * 60 + int(match.group(2) or 0)
    return minutes if 15 <= minutes <= 12 * 60 else None


def _text_problem(column: str, value: str, max_length: int) -> str | None:
    """Why the text of ``column`` cannot be taken as it is, or None."""
    problem = college_csv.text_problem(column, value, max_length)
    if problem:
        return problem
    if column == "room" and value.startswith(college_csv.FORMULA_STARTS):
        return _(
            'A room cannot start with =, +, - or @: a spreadsheet would run "%(value)s" as a formula. '
            "Write the room's code as it is on its door."
        ) % {"value": value}
    return None


def read_moments_csv(upload) -> list[MomentRow]:
    """The rows of an uploaded CSV (a file object or bytes); unreadable values become row problems."""
    raw = upload if isinstance(upload, bytes) else upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise MomentsFileError(_("The file is larger than 5 MB."))
    try:
        table = college_csv.read_rows(raw)  # BOM or none, UTF-8 or Windows-1252, ";" or ","
    except college_csv.UnreadableFile as error:
        raise MomentsFileError(error.messages[0]) from None
    reader = iter(table)
    try:
        header = [_header(name) for name in next(reader)]
    except StopIteration:
        raise MomentsFileError(_("The file is empty.")) from None
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise MomentsFileError(
            _("The file has no column %(columns)s; the columns are %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ", ".join(COLUMNS)}
        )
    lengths = max_lengths()
    rows = []
    for number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        record = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}
        problems = [
            problem for column in COLUMNS if (problem := _text_problem(column, record.get(column, ""), lengths[column]))
        ]
        if problems:  # the values are not read: a message would only repeat the text
            rows.append(
                MomentRow(
                    number=number,
                    programme=record["programme"],
                    course=record["course"],
                    problem=" ".join(str(p) for p in problems),
                )
            )
            continue
        on = parse_date(record["date"])
        if on is None:
            problems.append(_("%(value)r is not a date (YYYY-MM-DD or DD/MM/YYYY).") % {"value": record["date"]})
        starts_at = parse_time(record["start"])
        if starts_at is None:
            problems.append(_("%(value)r is not a start time (HH:MM).") % {"value": record["start"]})
        duration = parse_duration(record.get("duration", ""))
        if duration is None:
            problems.append(
                _("%(value)r is not a duration (minutes, or hours as 3:00), from 15 minutes to 12 hours.")
                % {"value": record["duration"]}
            )
        rows.append(
            MomentRow(
                number=number,
                academic_year=record["academic_year"],
                exam_period=record["exam_period"],
                programme=record["programme"],
                course=record["course"],
                on=on,
                starts_at=starts_at,
                room=record.get("room", ""),
                duration=duration or DEFAULT_DURATION,
                problem=" ".join(str(p) for p in problems),
            )
        )
    return rows


def _date(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


@transaction.atomic
def exam_moments_import(*, rows: Sequence[MomentRow], today: datetime.date, by=None) -> MomentsSummary:
    """Create or move the exam moments of ``rows``, all or nothing; raises ``MomentsRefused``
    listing every refused row and writes nothing when any is refused."""
    periods = {
        (p.academic_year.code, str(p.number)): p for p in ExamPeriod.objects.select_related("academic_year").all()
    }
    courses = {(c.programme.code, c.code): c for c in Course.objects.select_related("programme")}
    problems, planned = [], {}
    for row in rows:
        if row.problem:
            problems.append(RowProblem(row.number, row.label, row.problem))
            continue
        period = periods.get((row.academic_year, row.exam_period))
        course = courses.get((row.programme, row.course))
        if period is None:
            message = _("There is no exam period %(number)s in academic year %(year)s.") % {
                "number": row.exam_period,
                "year": row.academic_year,
            }
        elif course is None:
            message = _("There is no course %(course)s in programme %(programme)s.") % {
                "course": row.course,
                "programme": row.programme,
            }
        elif not (period.starts_on <= row.on <= period.ends_on):
            message = _("%(date)s lies outside exam period %(number)s of %(year)s (%(start)s to %(end)s).") % {
                "date": _date(row.on),
                "number": period.number,
                "year": period.academic_year.code,
                "start": _date(period.starts_on),
                "end": _date(period.ends_on),
            }
        elif (course.pk, period.pk) in planned:
            message = _("This course is already scheduled in this exam period on row %(row)s.") % {
                "row": planned[(course.pk, period.pk)][0].number
            }
        else:
            planned[(course.pk, period.pk)] = (row, course, period)
            continue
        problems.append(RowProblem(row.number, row.label, str(message)))
    if problems:
        raise MomentsRefused(sorted(problems, key=lambda p: p.row))

    summary = MomentsSummary()
    existing = {
        (m.course_id, m.exam_period_id): m
        for m in ExamMoment.objects.select_for_update().filter(
            course_id__in={c for c, _p in planned}, exam_period_id__in={p for _c, p in planned}
        )
    }
    new, changed, told = [], [], []
    for key, (row, course, period) in planned.items():
        moment = existing.get(key)
        if moment is None:
            moment = ExamMoment(
                course=course,
                exam_period=period,
                on=row.on,
                starts_at=row.starts_at,
                duration=row.duration,
                room=row.room,
                announced_on=today,
            )
            new.append(moment)
            told.append(MomentChange(moment))
        elif (moment.on, moment.starts_at, moment.duration, moment.room) == (
            row.on,
            row.starts_at,
            row.duration,
            row.room,
        ):
            summary.unchanged += 1
        else:
            told.append(MomentChange(moment, old_on=moment.on, old_starts_at=moment.starts_at, old_room=moment.room))
            if (moment.on, moment.starts_at) != (row.on, row.starts_at):
                moment.announced_on = today  # a moved exam is announced again
            moment.on, moment.starts_at, moment.duration, moment.room = row.on, row.starts_at, row.duration, row.room
            changed.append(moment)
        summary.moments.append(moment)
    if new:
        bulk_create_with_history(new, ExamMoment, default_user=by)
    if changed:
        bulk_update_with_history(
            changed, ExamMoment, ["on", "starts_at", "duration", "room", "announced_on"], default_user=by
        )
    summary.created, summary.updated = len(new), len(changed)
    # After the schedule's publication, each student whose own exam changed is told (Art. 41, 43).
    moments_changed_announce(told, day=today)
    return summary


def moments_csv(moments) -> str:
    """Exam moments in the import's own columns (a template for the planning department),
    in the college's one CSV form (core.csv)."""
    return college_csv.csv_text(
        [
            COLUMNS,
            *(
                [
                    m.exam_period.academic_year.code,
                    m.exam_period.number,
                    m.course.programme.code,
                    m.course.code,
                    m.on,
                    m.starts_at,
                    m.room,
                    m.duration,
                ]
                for m in moments
            ),
        ]
    )
