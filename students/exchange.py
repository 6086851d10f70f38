"""Import of study records in the ``study-records/1`` format (EXCHANGE.md, "Import format").

The import is all or nothing: :func:`validate` checks the whole document and the
database and returns every problem as ``"path: message"``; :func:`import_data`
writes only when there is none, in one transaction, and raises
:class:`RecordsInvalid` otherwise.

Records are keyed by their natural keys: academic year code, programme code,
course code within its programme, student number, and enrolment (student,
academic year, programme). A record already in the database with the same
content is left alone, so importing a file twice creates nothing the second
time; with different content it is a problem naming the key. The import only
stores facts: it books no learning-account entry and sets no processed flag,
because ``run_deadlines`` processes the imported facts in date order.

Decisions of ours (not the regulations'):

- **Enrolment window.** Colleges enrol from May on for the next academic year, so
  every enrolment-related date (``enrolled_on``, ``added_on``, ``removed_on``,
  ``deregistered_on``) must lie between the academic year's ``starts_on`` minus
  122 days and its ``ends_on``; ``enrolled_on`` must in addition not be after the
  year's ``second_semester_lock`` (Art. 7: no registration after 15 March).
- **Student decisions.** Tolerance choices and objections come within days after a
  publication, and the last publication can fall at the very end of the year: their
  dates must lie between ``starts_on`` and ``ends_on`` plus 31 days.
- **Exam periods** lie entirely inside their academic year, publication included,
  because the year-end measures are taken on all of the year's results.
- **Identical courses** (``identical_to``) are named by course code alone, searched
  in every programme of the file and of the database; a code found in more than
  one programme is ambiguous and an error. The relation is symmetrical, so a link
  stored in the database but not repeated in the file is no difference; a new link
  between two courses that both already existed is one.
- **Defaults and existing records.** An omitted optional field means its default,
  also when comparing with a stored record, with two exceptions: calendar dates
  (editable per academic year after an import) are compared only when the file
  gives them, and an omitted ``first_enrolment_in_higher_education`` of a stored
  student is not compared (its default depends on which enrolments a file holds).
  Exam periods of a year, courses of a programme, and degrees and enrolments of a
  student that the database holds and the file does not mention are left alone;
  new ones are added. An existing enrolment is compared as a whole: contract,
  dates, grant status, ISP lines, results, tolerance choices and objections.
- **ISP policy** (credit limits, stage-1 route, prerequisites met, identical
  courses in one ISP) is not checked: imported records come from systems that
  applied it, with derogations this format does not carry.
- A result, tolerance choice or objection names a course; it belongs to the ISP
  line of that course that was not removed, or else to the one added last.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy
from simple_history.utils import bulk_create_with_history
from tqdm import tqdm

from exams.models import Grade, Result, ResultPart, ToleranceChoice, ToleranceObjection
from programmes import rules
from programmes.models import (
    AcademicYear,
    Course,
    ExamPeriod,
    Prerequisite,
    PrerequisiteKind,
    Programme,
    ProgrammeKind,
    Semester,
)
from students.models import Contract, Degree, DegreeKind, Enrolment, GrantStatus, ISPLine, Student

__all__ = ["FORMAT", "ImportSummary", "RecordsInvalid", "import_data", "validate"]

FORMAT = "study-records/1"
ENROLMENT_OPENS_BEFORE_START = datetime.timedelta(days=122)
DECISIONS_AFTER_END = datetime.timedelta(days=31)
HISTORY_CHANGE_REASON = "import_records"

# SQLite refuses statements with too many parameters: look records up in slices.
_QUERY_CHUNK = 500
# Students are written in slices so that the progress bar moves; bulk_create sizes its own batches.
_WRITE_CHUNK = 500
_MAX_SMALL = 32767
_MAX_INT = 2**31 - 1
_MAX_LISTED_DIFFERENCES = 3


class RecordsInvalid(Exception):
    """The document cannot be imported; ``problems`` lists every reason as ``"path: message"``."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


_COUNT_LABELS = {
    "academic_years": ngettext_lazy("%(count)d academic year", "%(count)d academic years", "count"),
    "exam_periods": ngettext_lazy("%(count)d exam period", "%(count)d exam periods", "count"),
    "programmes": ngettext_lazy("%(count)d programme", "%(count)d programmes", "count"),
    "courses": ngettext_lazy("%(count)d course", "%(count)d courses", "count"),
    "prerequisites": ngettext_lazy("%(count)d prerequisite", "%(count)d prerequisites", "count"),
    "identical_courses": ngettext_lazy(
        "%(count)d pair of identical courses", "%(count)d pairs of identical courses", "count"
    ),
    "students": ngettext_lazy("%(count)d student", "%(count)d students", "count"),
    "degrees": ngettext_lazy("%(count)d degree", "%(count)d degrees", "count"),
    "enrolments": ngettext_lazy("%(count)d enrolment", "%(count)d enrolments", "count"),
    "isp_lines": ngettext_lazy("%(count)d ISP line", "%(count)d ISP lines", "count"),
    "results": ngettext_lazy("%(count)d result", "%(count)d results", "count"),
    "result_parts": ngettext_lazy("%(count)d partial exam", "%(count)d partial exams", "count"),
    "tolerance_choices": ngettext_lazy("%(count)d tolerance choice", "%(count)d tolerance choices", "count"),
    "tolerance_objections": ngettext_lazy("%(count)d tolerance objection", "%(count)d tolerance objections", "count"),
}


@dataclasses.dataclass
class ImportSummary:
    """How many records of each kind the import created (existing ones are not counted)."""

    academic_years: int = 0
    exam_periods: int = 0
    programmes: int = 0
    courses: int = 0
    prerequisites: int = 0
    identical_courses: int = 0
    students: int = 0
    degrees: int = 0
    enrolments: int = 0
    isp_lines: int = 0
    results: int = 0
    result_parts: int = 0
    tolerance_choices: int = 0
    tolerance_objections: int = 0

    @property
    def total(self) -> int:
        return sum(dataclasses.astuple(self))

    def __str__(self) -> str:
        if not self.total:
            return _("Nothing to import: every record in the file already exists with the same content.")
        counts = [
            str(_COUNT_LABELS[field.name] % {"count": getattr(self, field.name)})
            for field in dataclasses.fields(self)
            if getattr(self, field.name)
        ]
        return _("Imported %(counts)s.") % {"counts": ", ".join(counts)}


def validate(data: Any) -> list[str]:
    """Every problem of the document, each as ``"path: message"``; empty when it can be imported."""
    return _Checker(data).run()[0]


def import_data(data: Any, *, progress: bool = False) -> ImportSummary:
    """Import the document, all or nothing; raise :class:`RecordsInvalid` on bad input.

    ``progress`` shows a progress bar on stderr while the students are written.
    """
    with transaction.atomic():
        problems, plan = _Checker(data).run()
        if problems:
            raise RecordsInvalid(problems)
        return _Writer(plan, progress=progress).write()


# ---------------------------------------------------------------------------
# Reading the document: types, required and unknown keys
# ---------------------------------------------------------------------------

_BAD = object()  # a value that failed to parse; its problem is already reported
_ABSENT = object()  # an optional key whose absence must stay visible (not replaced by a default)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Problems(list):
    def add(self, path: str, message: str) -> None:
        self.append(f"{path}: {message}")


Parser = Callable[[Any, str, _Problems], Any]


_PATH_TOKEN = re.compile(r"\[(\d+)\]|([^.\[:]+)")


def _path_order(problem: str) -> list[tuple[int, int | str]]:
    """Sort key of ``"students[2].isp[10].course: ..."``: record by record, indices as numbers."""
    path = problem.split(": ", 1)[0]
    return [(0, int(index)) if index else (1, name) for index, name in _PATH_TOKEN.findall(path)]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _show(value: Any) -> str:
    """A value as the file would write it, for messages."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _got(expected: str, value: Any) -> str:
    return _("expected %(expected)s, got %(value)s") % {"expected": expected, "value": _show(value)}


@dataclasses.dataclass(frozen=True)
class _Field:
    parse: Parser
    required: bool = True
    default: Any = None
    nullable: bool = False


def _optional(parse: Parser, default: Any = None, *, nullable: bool = False) -> _Field:
    return _Field(parse, required=False, default=default, nullable=nullable)


def _text(max_length: int, *, blank: bool = False) -> Parser:
    def parse(value, path, problems):
        if not isinstance(value, str):
            problems.add(path, _got(_("a text"), value))
            return _BAD
        if not blank and not value.strip():
            problems.add(path, _("must not be empty"))
            return _BAD
        if len(value) > max_length:
            problems.add(path, _("is longer than %(max)d characters") % {"max": max_length})
            return _BAD
        return value

    return parse


def _email(value, path, problems):
    value = _text(254, blank=True)(value, path, problems)
    if value is _BAD or value == "":
        return value
    try:
        validate_email(value)
    except ValidationError:
        problems.add(path, _("%(value)s is not an e-mail address") % {"value": _show(value)})
        return _BAD
    return value


def _integer(minimum: int = -_MAX_INT, maximum: int = _MAX_INT) -> Parser:
    def parse(value, path, problems):
        # bool is a subclass of int in Python, but true is not a number in JSON.
        if type(value) is not int:
            problems.add(path, _got(_("an integer"), value))
            return _BAD
        if not minimum <= value <= maximum:
            if maximum in (_MAX_SMALL, _MAX_INT):
                problems.add(path, _("must be at least %(min)d, got %(value)d") % {"min": minimum, "value": value})
            else:
                problems.add(
                    path,
                    _("must be between %(min)d and %(max)d, got %(value)d")
                    % {"min": minimum, "max": maximum, "value": value},
                )
            return _BAD
        return value

    return parse


def _boolean(value, path, problems):
    if not isinstance(value, bool):
        problems.add(path, _got(_("true or false"), value))
        return _BAD
    return value


def _date(value, path, problems):
    if isinstance(value, str) and _DATE_RE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    problems.add(path, _got(_("a date YYYY-MM-DD"), value))
    return _BAD


def _choice(choices: Iterable[str]) -> Parser:
    choices = tuple(choices)

    def parse(value, path, problems):
        if value not in choices or not isinstance(value, str):
            problems.add(
                path,
                _("%(value)s is not one of %(choices)s")
                % {"value": _show(value), "choices": ", ".join(f"'{c}'" for c in choices)},
            )
            return _BAD
        return value

    return parse


def _list(item: Parser) -> Parser:
    """A list; the items that parse are kept (objects carry their ``_path``)."""

    def parse(value, path, problems):
        if not isinstance(value, list):
            problems.add(path, _got(_("a list"), value))
            return _BAD
        parsed = []
        for index, raw in enumerate(value):
            item_path = f"{path}[{index}]"
            result = item(raw, item_path, problems)
            if result is not _BAD:
                parsed.append(result)
        return parsed

    return parse


def _with_path(item: Parser) -> Parser:
    """For lists of plain values whose items are checked later and need their place in the file."""

    def parse(value, path, problems):
        result = item(value, path, problems)
        return _BAD if result is _BAD else (path, result)

    return parse


def _object(fields: dict[str, _Field]) -> Parser:
    """An object with exactly these keys; parsed values are kept, bad ones left out.

    The result always holds ``_path``; a key whose value failed to parse is missing
    from it, so later checks that need that value skip it instead of repeating the
    problem in other words.
    """

    def parse(value, path, problems):
        if not isinstance(value, dict):
            problems.add(path or _("(top level)"), _got(_("an object"), value))
            return _BAD
        for key in value:
            if key not in fields:
                problems.add(
                    _join(path, str(key)), _("unknown key (expected one of %(keys)s)") % {"keys": ", ".join(fields)}
                )
        # ``_given`` tells "absent" from "given but invalid" (already reported).
        parsed: dict[str, Any] = {"_path": path, "_given": frozenset(value)}
        for name, field in fields.items():
            if name not in value:
                if field.required:
                    problems.add(_join(path, name), _("required field is missing"))
                elif field.default is not _ABSENT:
                    parsed[name] = field.default() if callable(field.default) else field.default
                continue
            raw = value[name]
            if raw is None and field.nullable:
                parsed[name] = None
                continue
            result = field.parse(raw, _join(path, name), problems)
            if result is not _BAD:
                parsed[name] = result
        return parsed

    return parse


_MARK_GRADES = tuple(Grade.values)


def _mark(value, path, problems):
    if isinstance(value, str) and value in _MARK_GRADES:
        return value
    if type(value) is int:
        if 0 <= value <= 20:
            return value
        problems.add(path, _("mark %(mark)d is outside 0-20") % {"mark": value})
        return _BAD
    problems.add(path, _got(_("an integer 0-20 or 'P', 'F', 'NA'"), value))
    return _BAD


def _part_mark(value, path, problems):
    if type(value) is int:
        if 0 <= value <= 20:
            return value
        problems.add(path, _("mark %(mark)d is outside 0-20") % {"mark": value})
        return _BAD
    problems.add(path, _got(_("an integer 0-20 (a partial exam has a numeric mark)"), value))
    return _BAD


_EXAM_PERIOD = _object(
    {
        "number": _Field(_integer(1, 3)),
        "starts_on": _Field(_date),
        "ends_on": _Field(_date),
        "results_published_on": _Field(_date),
    }
)
_ACADEMIC_YEAR = _object(
    {
        "code": _Field(_text(32)),
        "starts_on": _Field(_date),
        "ends_on": _Field(_date),
        "calendar": _optional(
            _object({name: _optional(_date, _ABSENT) for name in rules.CALENDAR_FIELDS}), default=_ABSENT
        ),
        "exam_periods": _Field(_list(_EXAM_PERIOD)),
    }
)
_COURSE = _object(
    {
        "code": _Field(_text(32)),
        "name": _Field(_text(200)),
        "credits": _Field(_integer(1, _MAX_SMALL)),
        "semester": _Field(_choice(Semester.values)),
        "stage": _Field(_integer(1, _MAX_SMALL)),
        "tolerable": _optional(_boolean, True),
        "resit": _optional(_boolean, True),
        "pass_fail": _optional(_boolean, False),
        "elective": _optional(_boolean, False),
        "requires": _optional(
            _list(_object({"course": _Field(_text(32)), "kind": _Field(_choice(PrerequisiteKind.values))})), list
        ),
        "identical_to": _optional(_list(_with_path(_text(32))), list),
    }
)
_PROGRAMME = _object(
    {
        "code": _Field(_text(32)),
        "name": _Field(_text(200)),
        "kind": _Field(_choice(ProgrammeKind.values)),
        "cluster": _Field(_text(100)),
        "credits": _Field(_integer(1, _MAX_SMALL)),
        "tolerance_cap": _optional(_integer(0, _MAX_SMALL), nullable=True),
        "courses": _Field(_list(_COURSE)),
    }
)
_DECISION = _object({"course": _Field(_text(32)), "on": _Field(_date)})
_ENROLMENT = _object(
    {
        "academic_year": _Field(_text(32)),
        "programme": _Field(_text(32)),
        "contract": _Field(_choice(Contract.values)),
        "enrolled_on": _Field(_date),
        "deregistered_on": _optional(_date, nullable=True),
        "grant_status": _optional(_choice(GrantStatus.values), GrantStatus.NONE.value),
        "isp": _Field(
            _list(
                _object(
                    {
                        "course": _Field(_text(32)),
                        # None (absent or null) means "defaults to enrolled_on", filled in when checking.
                        "added_on": _optional(_date, nullable=True),
                        "removed_on": _optional(_date, nullable=True),
                        "exempted": _optional(_boolean, False),
                    }
                )
            )
        ),
        "results": _Field(
            _list(
                _object(
                    {
                        "course": _Field(_text(32)),
                        "exam_period": _Field(_integer()),
                        "opportunity": _Field(_integer()),
                        "mark": _optional(_mark, _ABSENT),
                        "parts": _optional(
                            _list(_object({"credits": _Field(_integer(1, _MAX_SMALL)), "mark": _Field(_part_mark)})),
                            _ABSENT,
                        ),
                    }
                )
            )
        ),
        "tolerance_choices": _optional(_list(_DECISION), list),
        "tolerance_objections": _optional(_list(_DECISION), list),
    }
)
_STUDENT = _object(
    {
        "number": _Field(_text(32)),
        "first_name": _Field(_text(100)),
        "last_name": _Field(_text(100)),
        "email": _optional(_email, ""),
        "learning_account": _optional(
            _object(
                {
                    "opening_balance": _Field(_integer()),
                    "bonus_left": _optional(_integer(0, 60), 60),
                    "on": _Field(_date),
                }
            ),
            nullable=True,
        ),
        "first_enrolment_in_higher_education": _optional(_text(32), _ABSENT, nullable=True),
        "degrees": _optional(_list(_object({"kind": _Field(_choice(DegreeKind.values)), "on": _Field(_date)})), list),
        "enrolments": _Field(_list(_ENROLMENT)),
    }
)
_DOCUMENT = _object(
    {
        "format": _Field(_text(100)),
        "academic_years": _Field(_list(_ACADEMIC_YEAR)),
        "programmes": _Field(_list(_PROGRAMME)),
        "students": _Field(_list(_STUDENT)),
    }
)


# ---------------------------------------------------------------------------
# What the checks know about the catalogue, and what the writer must create
# ---------------------------------------------------------------------------


@dataclasses.dataclass
class _YearView:
    code: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    calendar: dict[str, datetime.date | None]
    periods: dict[int, tuple[datetime.date, datetime.date]]  # number -> (starts_on, ends_on)


@dataclasses.dataclass
class _CourseView:
    """What results are checked against; None where the file's value was invalid (already reported)."""

    pass_fail: bool | None
    resit: bool | None


@dataclasses.dataclass
class _ResultPlan:
    exam_period: int
    opportunity: int
    score: int | None
    grade: str
    parts: tuple[tuple[int, int], ...]


@dataclasses.dataclass
class _LinePlan:
    course: str
    added_on: datetime.date
    removed_on: datetime.date | None
    exempted: bool
    results: list[_ResultPlan] = dataclasses.field(default_factory=list)
    choices: list[datetime.date] = dataclasses.field(default_factory=list)
    objections: list[datetime.date] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _EnrolmentPlan:
    academic_year: str
    programme: str
    contract: str
    enrolled_on: datetime.date
    deregistered_on: datetime.date | None
    grant_status: str
    lines: list[_LinePlan]


@dataclasses.dataclass
class _StudentPlan:
    number: str
    db_id: int | None
    fields: dict[str, Any]
    first_enrolment: str | None
    degrees: list[tuple[str, datetime.date]]
    enrolments: list[_EnrolmentPlan]


@dataclasses.dataclass
class _Plan:
    years: list[dict[str, Any]] = dataclasses.field(default_factory=list)  # new academic years
    periods: list[tuple[str, int, datetime.date, datetime.date, datetime.date]] = dataclasses.field(
        default_factory=list
    )
    programmes: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    courses: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    prerequisites: list[tuple[tuple[str, str], tuple[str, str], str]] = dataclasses.field(default_factory=list)
    links: set[tuple[tuple[str, str], tuple[str, str]]] = dataclasses.field(default_factory=set)
    students: list[_StudentPlan] = dataclasses.field(default_factory=list)
    year_codes: set[str] = dataclasses.field(default_factory=set)
    programme_codes: set[str] = dataclasses.field(default_factory=set)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _canonical_enrolment(
    contract, enrolled_on, deregistered_on, grant_status, lines, results, choices, objections
) -> dict[str, Any]:
    """An enrolment as comparable values, the same whether it comes from the file or the database."""
    return {
        "contract": contract,
        "enrolled_on": enrolled_on,
        "deregistered_on": deregistered_on,
        "grant_status": grant_status,
        "isp": frozenset(lines),
        "results": frozenset(results),
        "tolerance_choices": frozenset(choices),
        "tolerance_objections": frozenset(objections),
    }


def _describe_item(field: str, item: tuple) -> str:
    if field == "isp":
        course, added_on, removed_on, exempted = item
        text = _("%(course)s added %(added)s") % {"course": course, "added": added_on.isoformat()}
        if removed_on:
            text += " " + _("removed %(date)s") % {"date": removed_on.isoformat()}
        if exempted:
            text += " " + _("exempted")
        return text
    if field == "results":
        course, _added_on, period, opportunity, score, grade, parts = item
        if parts:
            mark = " + ".join(f"{credits}x{score}" for credits, score in parts)
        else:
            mark = str(score) if score is not None else grade
        return _("%(course)s opportunity %(opportunity)d in exam period %(period)d: %(mark)s") % {
            "course": course,
            "opportunity": opportunity,
            "period": period,
            "mark": mark,
        }
    course, _added_on, on = item
    return _("%(course)s on %(date)s") % {"course": course, "date": on.isoformat()}


def _differences(stored: dict[str, Any], incoming: dict[str, Any]) -> list[str]:
    """``field: X in the database, Y in the file`` for every field that differs."""
    out = []
    for field, file_value in incoming.items():
        db_value = stored[field]
        if db_value == file_value:
            continue
        if isinstance(file_value, frozenset):
            only_db = sorted(db_value - file_value, key=str)
            only_file = sorted(file_value - db_value, key=str)

            def listing(items, field=field):
                shown = [_describe_item(field, item) for item in items[:_MAX_LISTED_DIFFERENCES]]
                if len(items) > _MAX_LISTED_DIFFERENCES:
                    shown.append("...")
                return ", ".join(shown) if shown else _("nothing")

            out.append(
                _("%(field)s: %(db)s only in the database, %(file)s only in the file")
                % {"field": field, "db": listing(only_db), "file": listing(only_file)}
            )
        else:
            out.append(
                _("%(field)s: %(db)s in the database, %(file)s in the file")
                % {"field": field, "db": _show_value(db_value), "file": _show_value(file_value)}
            )
    return out


def _show_value(value: Any) -> str:
    if isinstance(value, str):
        return value if value else "''"
    return _show(value)


def _exists_differently(what: str, differences: list[str]) -> str:
    return _("%(what)s already exists with different content (%(differences)s)") % {
        "what": what,
        "differences": "; ".join(differences),
    }


# ---------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------


class _Checker:
    """Checks a document against itself and the database, and plans what to create."""

    def __init__(self, data: Any):
        self.data = data
        self.problems = _Problems()
        self.plan = _Plan()
        self.years: dict[str, _YearView] = {}
        self.programmes: set[str] = set()
        self.courses: dict[tuple[str, str], _CourseView] = {}
        self.course_programmes: dict[str, set[str]] = defaultdict(set)

    def add(self, path: str, message: str) -> None:
        self.problems.add(path, message)

    def run(self) -> tuple[list[str], _Plan | None]:
        data = self.data
        if not isinstance(data, dict):
            self.add(_("(top level)"), _got(_("an object"), data))
            return list(self.problems), None
        # Another format means another layout: its other problems would only be noise.
        if data.get("format") != FORMAT:
            if "format" not in data:
                self.add("format", _("required field is missing (expected '%(format)s')") % {"format": FORMAT})
            else:
                self.add("format", _got(f"'{FORMAT}'", data["format"]))
            return list(self.problems), None
        document = _DOCUMENT(data, "", self.problems)
        years = document.get("academic_years", [])
        programmes = document.get("programmes", [])
        students = document.get("students", [])
        self._load_catalogue(years, programmes, students)
        self._check_years(years)
        self._check_programmes(programmes)
        self._check_students(students)
        if self.problems:
            # Checks run in phases (types first, then meaning): list the problems in file order.
            return sorted(self.problems, key=_path_order), None
        return [], self.plan

    # -- database ----------------------------------------------------------

    def _load_catalogue(self, years, programmes, students) -> None:
        """Load the stored records the document names, in a few queries."""
        year_codes = {y["code"] for y in years if "code" in y}
        programme_codes = {p["code"] for p in programmes if "code" in p}
        identical_codes = set()
        for programme in programmes:
            for course in programme.get("courses", []):
                identical_codes.update(code for _path, code in course.get("identical_to", []))
        for student in students:
            if isinstance(student.get("first_enrolment_in_higher_education"), str):
                year_codes.add(student["first_enrolment_in_higher_education"])
            for enrolment in student.get("enrolments", []):
                year_codes.update([enrolment["academic_year"]] if "academic_year" in enrolment else [])
                programme_codes.update([enrolment["programme"]] if "programme" in enrolment else [])

        self.db_years = {y.code: y for y in _in_chunks(AcademicYear.objects.all(), "code", year_codes)}
        self.db_periods: dict[str, dict[int, ExamPeriod]] = defaultdict(dict)
        for period in _in_chunks(ExamPeriod.objects.select_related("academic_year"), "academic_year__code", year_codes):
            self.db_periods[period.academic_year.code][period.number] = period
        self.db_programmes = {p.code: p for p in _in_chunks(Programme.objects.all(), "code", programme_codes)}
        self.db_courses: dict[tuple[str, str], Course] = {
            (c.programme.code, c.code): c
            for c in _in_chunks(Course.objects.select_related("programme"), "programme__code", programme_codes)
        }
        # Courses a file course may be declared identical to, in programmes the file does not name.
        self.db_courses_by_code: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for key in self.db_courses:
            self.db_courses_by_code[key[1]].add(key)
        for course in _in_chunks(Course.objects.select_related("programme"), "code", identical_codes):
            key = (course.programme.code, course.code)
            self.db_courses.setdefault(key, course)
            self.db_courses_by_code[course.code].add(key)
        course_codes_by_id = {c.id: key for key, c in self.db_courses.items()}
        self.db_requires: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        for course_id, required, kind in _in_chunks(
            Prerequisite.objects.values_list("course_id", "required__code", "kind"), "course_id", course_codes_by_id
        ):
            self.db_requires[course_codes_by_id[course_id]].add((required, kind))
        self.db_links: set[frozenset[tuple[str, str]]] = set()
        through = Course.identical_to.through
        for from_id, to_id in _in_chunks(
            through.objects.values_list("from_course_id", "to_course_id"), "from_course_id", course_codes_by_id
        ):
            if to_id in course_codes_by_id:
                self.db_links.add(frozenset((course_codes_by_id[from_id], course_codes_by_id[to_id])))

    def _load_students(self, numbers: set[str]) -> None:
        """Load the stored students the document names, with everything their enrolments hold."""
        self.db_students: dict[str, dict[str, Any]] = {
            s["number"]: s
            for s in _in_chunks(
                Student.objects.values(
                    "id",
                    "number",
                    "first_name",
                    "last_name",
                    "email",
                    "opening_balance",
                    "opening_bonus_left",
                    "opening_on",
                    "first_enrolment_in_higher_education__code",
                ),
                "number",
                numbers,
            )
        }
        self.db_degrees: dict[str, set[tuple[str, datetime.date]]] = defaultdict(set)
        self.db_enrolments: dict[tuple[str, str, str], dict[str, Any]] = {}
        if not self.db_students:
            return
        student_ids = {s["id"] for s in self.db_students.values()}
        for number, kind, on in _in_chunks(
            Degree.objects.values_list("student__number", "kind", "on"), "student_id", student_ids
        ):
            self.db_degrees[number].add((kind, on))
        enrolments = {}
        for e in _in_chunks(
            Enrolment.objects.values(
                "id",
                "student__number",
                "academic_year__code",
                "programme__code",
                "contract",
                "enrolled_on",
                "deregistered_on",
                "grant_status",
            ),
            "student_id",
            student_ids,
        ):
            enrolments[e["id"]] = e
        lines = {}
        for line in _in_chunks(
            ISPLine.objects.values("id", "enrolment_id", "course__code", "added_on", "removed_on", "exempted"),
            "enrolment_id",
            enrolments,
        ):
            lines[line["id"]] = line
        parts = defaultdict(list)
        for result_id, position, credits, score in _in_chunks(
            ResultPart.objects.values_list("result_id", "position", "credits", "score"),
            "result__isp_line__enrolment_id",
            enrolments,
        ):
            parts[result_id].append((position, credits, score))
        per_enrolment = {eid: {"isp": [], "results": [], "choices": [], "objections": []} for eid in enrolments}
        for line in lines.values():
            per_enrolment[line["enrolment_id"]]["isp"].append(
                (line["course__code"], line["added_on"], line["removed_on"], line["exempted"])
            )
        for result in _in_chunks(
            Result.objects.values("id", "isp_line_id", "exam_period__number", "opportunity", "score", "grade"),
            "isp_line__enrolment_id",
            enrolments,
        ):
            line = lines[result["isp_line_id"]]
            result_parts = tuple((credits, score) for _position, credits, score in sorted(parts[result["id"]]))
            per_enrolment[line["enrolment_id"]]["results"].append(
                (
                    line["course__code"],
                    line["added_on"],
                    result["exam_period__number"],
                    result["opportunity"],
                    result["score"],
                    result["grade"],
                    result_parts,
                )
            )
        for model, key in ((ToleranceChoice, "choices"), (ToleranceObjection, "objections")):
            for line_id, on in _in_chunks(
                model.objects.values_list("isp_line_id", "on"), "isp_line__enrolment_id", enrolments
            ):
                line = lines[line_id]
                per_enrolment[line["enrolment_id"]][key].append((line["course__code"], line["added_on"], on))
        for eid, e in enrolments.items():
            held = per_enrolment[eid]
            self.db_enrolments[(e["student__number"], e["academic_year__code"], e["programme__code"])] = (
                _canonical_enrolment(
                    e["contract"],
                    e["enrolled_on"],
                    e["deregistered_on"],
                    e["grant_status"],
                    held["isp"],
                    held["results"],
                    held["choices"],
                    held["objections"],
                )
            )

    # -- academic years ----------------------------------------------------

    def _check_years(self, years: list[dict]) -> None:
        seen: dict[str, str] = {}
        for year in years:
            path = year["_path"]
            code = year.get("code")
            if code is None:
                continue
            if code in seen:
                self.add(
                    _join(path, "code"),
                    _("academic year '%(code)s' appears twice in the file (also at %(other)s)")
                    % {"code": code, "other": seen[code]},
                )
                continue
            seen[code] = path
            self._check_year(year, path, code)

    def _check_year(self, year: dict, path: str, code: str) -> None:
        first = rules.parse_academic_year_code(code)
        starts_on, ends_on = year.get("starts_on"), year.get("ends_on")
        if first is None:
            self.add(
                _join(path, "code"),
                _("%(code)s is not an academic year code: use two consecutive years, for example 2023-2024")
                % {"code": _show(code)},
            )
        else:
            if starts_on and starts_on.year != first:
                self.add(
                    _join(path, "starts_on"),
                    _("academic year %(code)s starts in %(year)d, not on %(date)s")
                    % {"code": code, "year": first, "date": starts_on.isoformat()},
                )
            if ends_on and ends_on.year != first + 1:
                self.add(
                    _join(path, "ends_on"),
                    _("academic year %(code)s ends in %(year)d, not on %(date)s")
                    % {"code": code, "year": first + 1, "date": ends_on.isoformat()},
                )
        if starts_on and ends_on and ends_on <= starts_on:
            self.add(
                _join(path, "ends_on"),
                _("must be after starts_on (%(date)s)") % {"date": starts_on.isoformat()},
            )
            ends_on = None  # "inside the year" means nothing for such a year

        def outside(day: datetime.date) -> str | None:
            if starts_on is None or ends_on is None or starts_on <= day <= ends_on:
                return None
            return _("%(date)s is outside academic year %(code)s (%(start)s to %(end)s)") % {
                "date": day.isoformat(),
                "code": code,
                "start": starts_on.isoformat(),
                "end": ends_on.isoformat(),
            }

        calendar_in = year.get("calendar", _ABSENT)
        given = {} if calendar_in is _ABSENT else {k: v for k, v in calendar_in.items() if not k.startswith("_")}
        for name, day in given.items():
            if problem := outside(day):
                self.add(f"{path}.calendar.{name}", problem)
        stored = self.db_years.get(code)
        if stored is not None:
            calendar = {name: getattr(stored, name) for name in rules.CALENDAR_FIELDS}
            differences = _differences(
                {"starts_on": stored.starts_on, "ends_on": stored.ends_on, **calendar},
                {
                    **{k: year[k] for k in ("starts_on", "ends_on") if k in year},
                    **given,
                },
            )
            if differences:
                self.add(path, _exists_differently(_("academic year '%(code)s'") % {"code": code}, differences))
            calendar.update(given)
        else:
            draft = AcademicYear(code=code, starts_on=starts_on, ends_on=ends_on, **given)
            draft.fill_calendar_defaults()
            calendar = {name: getattr(draft, name) for name in rules.CALENDAR_FIELDS}

        periods: dict[int, tuple[datetime.date, datetime.date]] = {}
        period_paths: dict[int, str] = {}
        stored_periods = self.db_periods.get(code, {})
        new_periods = []
        for period in year.get("exam_periods", []):
            ppath = period["_path"]
            number = period.get("number")
            p_start, p_end, p_published = (period.get(k) for k in ("starts_on", "ends_on", "results_published_on"))
            if number is not None and number in period_paths:
                self.add(
                    _join(ppath, "number"),
                    _("exam period %(number)d appears twice in academic year %(code)s (also at %(other)s)")
                    % {"number": number, "code": code, "other": period_paths[number]},
                )
                continue
            if p_start and p_end and p_end < p_start:
                self.add(
                    _join(ppath, "ends_on"),
                    _("must be on or after starts_on (%(date)s)") % {"date": p_start.isoformat()},
                )
            if p_end and p_published and p_published < p_end:
                self.add(
                    _join(ppath, "results_published_on"),
                    _("must be on or after ends_on (%(date)s)") % {"date": p_end.isoformat()},
                )
            for name, day in (("starts_on", p_start), ("ends_on", p_end), ("results_published_on", p_published)):
                if day and (problem := outside(day)):
                    self.add(_join(ppath, name), problem)
            if number is None:
                continue
            period_paths[number] = ppath
            stored_period = stored_periods.get(number)
            if stored_period is not None:
                differences = _differences(
                    {
                        "starts_on": stored_period.starts_on,
                        "ends_on": stored_period.ends_on,
                        "results_published_on": stored_period.results_published_on,
                    },
                    {k: period[k] for k in ("starts_on", "ends_on", "results_published_on") if k in period},
                )
                if differences:
                    self.add(
                        ppath,
                        _exists_differently(
                            _("exam period %(number)d of academic year '%(code)s'") % {"number": number, "code": code},
                            differences,
                        ),
                    )
            if p_start and p_end:
                periods[number] = (p_start, p_end)
                if stored_period is None and p_published:
                    new_periods.append((code, number, p_start, p_end, p_published))
        for number, stored_period in stored_periods.items():
            periods.setdefault(number, (stored_period.starts_on, stored_period.ends_on))
        ordered = sorted(periods.items(), key=lambda item: item[1][0])
        for index, (number, (p_start, p_end)) in enumerate(ordered):
            for other, (o_start, o_end) in ordered[:index]:
                if not rules.periods_overlap(p_start, p_end, o_start, o_end):
                    continue
                # Report at a period the file gives; when both are in the file, at the later one.
                if number in period_paths:
                    self.add(
                        period_paths[number],
                        _("exam period %(number)d overlaps exam period %(other)d") % {"number": number, "other": other},
                    )
                elif other in period_paths:
                    self.add(
                        period_paths[other],
                        _("exam period %(number)d overlaps exam period %(other)d") % {"number": other, "other": number},
                    )

        self.years[code] = _YearView(code, starts_on, ends_on, calendar, periods)
        self.plan.year_codes.add(code)
        self.plan.periods.extend(new_periods)
        if stored is None:
            self.plan.years.append({"code": code, "starts_on": starts_on, "ends_on": ends_on, **calendar})

    def _year(self, code: str) -> _YearView | None:
        """The academic year of that code, from the file or else from the database."""
        if code not in self.years and code in self.db_years:
            stored = self.db_years[code]
            self.years[code] = _YearView(
                code,
                stored.starts_on,
                stored.ends_on,
                {name: getattr(stored, name) for name in rules.CALENDAR_FIELDS},
                {n: (p.starts_on, p.ends_on) for n, p in self.db_periods.get(code, {}).items()},
            )
            self.plan.year_codes.add(code)
        return self.years.get(code)

    # -- programmes and courses --------------------------------------------

    def _check_programmes(self, programmes: list[dict]) -> None:
        # Register every course first: prerequisites and identical courses may point forward.
        accepted = []
        seen: dict[str, str] = {}
        for programme in programmes:
            path, code = programme["_path"], programme.get("code")
            if code is None:
                continue
            if code in seen:
                self.add(
                    _join(path, "code"),
                    _("programme '%(code)s' appears twice in the file (also at %(other)s)")
                    % {"code": code, "other": seen[code]},
                )
                continue
            seen[code] = path
            self._programme(code)
            course_paths: dict[str, str] = {}
            courses = []
            for course in programme.get("courses", []):
                ccode = course.get("code")
                if ccode is None:
                    continue
                if ccode in course_paths:
                    self.add(
                        _join(course["_path"], "code"),
                        _("course '%(course)s' appears twice in programme '%(programme)s' (also at %(other)s)")
                        % {"course": ccode, "programme": code, "other": course_paths[ccode]},
                    )
                    continue
                course_paths[ccode] = course["_path"]
                self.courses[(code, ccode)] = _CourseView(course.get("pass_fail"), course.get("resit"))
                self.course_programmes[ccode].add(code)
                courses.append(course)
            accepted.append((programme, courses))
        for programme, courses in accepted:
            self._check_programme(programme, courses)

    def _programme(self, code: str) -> bool:
        """Whether the programme exists in the file or the database; registers its stored courses."""
        if code in self.programmes:
            return True
        if code not in self.db_programmes:
            return False
        self.programmes.add(code)
        self.plan.programme_codes.add(code)
        for (pcode, ccode), course in self.db_courses.items():
            if pcode == code and (pcode, ccode) not in self.courses:
                self.courses[(pcode, ccode)] = _CourseView(course.pass_fail, course.resit)
                self.course_programmes[ccode].add(pcode)
        return True

    def _check_programme(self, programme: dict, courses: list[dict]) -> None:
        path, code = programme["_path"], programme["code"]
        fields = ("name", "kind", "cluster", "credits", "tolerance_cap")
        stored = self.db_programmes.get(code)
        if stored is not None:
            differences = _differences(
                {f: getattr(stored, f) for f in fields}, {f: programme[f] for f in fields if f in programme}
            )
            if differences:
                self.add(path, _exists_differently(_("programme '%(code)s'") % {"code": code}, differences))
        else:
            self.plan.programmes.append({f: programme.get(f) for f in ("code", *fields)})
        self.programmes.add(code)
        self.plan.programme_codes.add(code)
        for course in courses:
            self._check_course(code, course)

    def _check_course(self, programme: str, course: dict) -> None:
        path, code = course["_path"], course["code"]
        key = (programme, code)
        requires: set[tuple[str, str]] = set()
        for requirement in course.get("requires", []):
            rpath, required, kind = requirement["_path"], requirement.get("course"), requirement.get("kind")
            if required is None:
                continue
            if required == code:
                self.add(_join(rpath, "course"), _("a course cannot require itself"))
            elif (programme, required) not in self.courses:
                self.add(
                    _join(rpath, "course"),
                    _("course '%(course)s' is not a course of programme '%(programme)s'")
                    % {"course": required, "programme": programme},
                )
            elif required in {r for r, _k in requires}:
                self.add(_join(rpath, "course"), _("course '%(course)s' is required twice") % {"course": required})
            elif kind is not None:
                requires.add((required, kind))

        links: set[frozenset[tuple[str, str]]] = set()
        for ipath, name in course.get("identical_to", []):
            candidates = {(p, name) for p in self.course_programmes.get(name, ())}
            candidates |= self.db_courses_by_code.get(name, set())
            candidates.discard(key)
            if not candidates:
                if name == code and (programme, name) in self.courses:
                    self.add(ipath, _("a course cannot be identical to itself"))
                else:
                    self.add(ipath, _("unknown course '%(course)s'") % {"course": name})
            elif len(candidates) > 1:
                self.add(
                    ipath,
                    _("course code '%(course)s' is ambiguous: it is a course of programmes %(programmes)s")
                    % {"course": name, "programmes": ", ".join(sorted(p for p, _c in candidates))},
                )
            else:
                links.add(frozenset((key, candidates.pop())))

        stored = self.db_courses.get(key)
        fields = ("name", "credits", "semester", "stage", "tolerable", "resit", "pass_fail", "elective")
        if stored is not None:
            differences = _differences(
                {f: getattr(stored, f) for f in fields}, {f: course[f] for f in fields if f in course}
            )
            stored_requires = self.db_requires.get(key, set())
            if "requires" in course and requires != stored_requires:
                differences.append(
                    _("requires: %(db)s in the database, %(file)s in the file")
                    % {"db": _show_requires(stored_requires), "file": _show_requires(requires)}
                )
            for link in sorted(links, key=sorted):
                (other,) = link - {key}
                if other in self.db_courses and link not in self.db_links:
                    differences.append(
                        _("identical_to: %(course)s of programme '%(programme)s' only in the file")
                        % {"course": other[1], "programme": other[0]}
                    )
            if differences:
                self.add(
                    path,
                    _exists_differently(
                        _("course '%(course)s' of programme '%(programme)s'")
                        % {"course": code, "programme": programme},
                        differences,
                    ),
                )
        else:
            self.plan.courses.append({"programme": programme, **{f: course.get(f) for f in ("code", *fields)}})
            self.plan.prerequisites.extend((key, (programme, required), kind) for required, kind in sorted(requires))
        for link in links:
            if link not in self.db_links:
                a, b = sorted(link)
                self.plan.links.add((a, b))
                self.plan.programme_codes.update((a[0], b[0]))

    # -- students ----------------------------------------------------------

    def _check_students(self, students: list[dict]) -> None:
        self._load_students({s["number"] for s in students if "number" in s})
        seen: dict[str, str] = {}
        for student in students:
            path, number = student["_path"], student.get("number")
            if number is not None:
                if number in seen:
                    self.add(
                        _join(path, "number"),
                        _("student number '%(number)s' appears twice in the file (also at %(other)s)")
                        % {"number": number, "other": seen[number]},
                    )
                    continue
                seen[number] = path
            self._check_student(student, path, number)

    def _check_student(self, student: dict, path: str, number: str | None) -> None:
        stored = self.db_students.get(number) if number is not None else None
        enrolments = []
        enrolment_paths: dict[tuple[str, str], str] = {}
        for enrolment in student.get("enrolments", []):
            planned = self._check_enrolment(number, enrolment, enrolment_paths)
            if planned is not None:
                enrolments.append(planned)

        account = student.get("learning_account")
        fields = {
            "first_name": student.get("first_name"),
            "last_name": student.get("last_name"),
            "email": student.get("email"),
            "opening_balance": account.get("opening_balance") if account else None,
            "opening_bonus_left": account.get("bonus_left") if account else None,
            "opening_on": account.get("on") if account else None,
        }
        # Compare only what parsed: an invalid value is already reported, "different content" would repeat it.
        comparable = {k: student[k] for k in ("first_name", "last_name", "email") if k in student}
        if "learning_account" in student:
            opening = {"opening_balance": "opening_balance", "opening_bonus_left": "bonus_left", "opening_on": "on"}
            comparable.update({k: fields[k] for k, key in opening.items() if account is None or key in account})

        first = student.get("first_enrolment_in_higher_education", _ABSENT)
        fpath = _join(path, "first_enrolment_in_higher_education")
        if first is not _ABSENT and first is not None:
            year = self._year(first)
            if year is None:
                self.add(fpath, _("unknown academic year '%(code)s'") % {"code": first})
            else:
                known = [e.academic_year for e in enrolments if self._year(e.academic_year)]
                earliest = min(known, default=None)
                if earliest is not None and first > earliest:
                    self.add(
                        fpath,
                        _("%(code)s is later than the student's enrolment in %(earliest)s")
                        % {"code": first, "earliest": earliest},
                    )
        if first is not _ABSENT:
            comparable["first_enrolment_in_higher_education"] = first
        elif stored is None:
            # EXCHANGE.md: defaults to the student's earliest enrolment in the file.
            first = min((e.academic_year for e in enrolments), default=None)

        degrees = []
        degree_paths: dict[tuple[str, datetime.date], str] = {}
        for degree in student.get("degrees", []):
            if "kind" not in degree or "on" not in degree:
                continue
            key = (degree["kind"], degree["on"])
            if key in degree_paths:
                self.add(
                    degree["_path"],
                    _("the %(kind)s degree of %(date)s appears twice (also at %(other)s)")
                    % {"kind": key[0], "date": key[1].isoformat(), "other": degree_paths[key]},
                )
                continue
            degree_paths[key] = degree["_path"]
            if stored is None or key not in self.db_degrees.get(number, set()):
                degrees.append(key)

        if stored is not None:
            db_fields = {
                "first_name": stored["first_name"],
                "last_name": stored["last_name"],
                "email": stored["email"],
                "opening_balance": stored["opening_balance"],
                "opening_bonus_left": stored["opening_bonus_left"],
                "opening_on": stored["opening_on"],
                "first_enrolment_in_higher_education": stored["first_enrolment_in_higher_education__code"],
            }
            differences = _differences(db_fields, comparable)
            if differences:
                self.add(path, _exists_differently(_("student '%(number)s'") % {"number": number}, differences))
        if number is None:
            return
        if stored is None or degrees or enrolments:
            self.plan.students.append(
                _StudentPlan(
                    number=number,
                    db_id=stored["id"] if stored else None,
                    fields=fields,
                    first_enrolment=None if first is _ABSENT else first,
                    degrees=degrees,
                    enrolments=enrolments,
                )
            )

    def _check_enrolment(
        self, number: str | None, enrolment: dict, seen: dict[tuple[str, str], str]
    ) -> _EnrolmentPlan | None:
        """Check one enrolment; the plan to create it, or None when it exists or cannot be planned."""
        path = enrolment["_path"]
        problems_before = len(self.problems)
        year_code, programme = enrolment.get("academic_year"), enrolment.get("programme")
        year = self._year(year_code) if year_code is not None else None
        if year_code is not None and year is None:
            self.add(_join(path, "academic_year"), _("unknown academic year '%(code)s'") % {"code": year_code})
        known_programme = programme is not None and self._programme(programme)
        if programme is not None and not known_programme:
            self.add(_join(path, "programme"), _("unknown programme '%(code)s'") % {"code": programme})
        if year_code is not None and programme is not None:
            if (year_code, programme) in seen:
                self.add(
                    path,
                    _("the student is enrolled twice in '%(programme)s' in %(year)s (also at %(other)s)")
                    % {"programme": programme, "year": year_code, "other": seen[(year_code, programme)]},
                )
                return None
            seen[(year_code, programme)] = path

        enrolled_on, deregistered_on = enrolment.get("enrolled_on"), enrolment.get("deregistered_on")
        if year and enrolled_on and self._check_window(year, enrolled_on, _join(path, "enrolled_on")):
            lock = year.calendar.get("second_semester_lock")
            if lock and enrolled_on > lock:
                self.add(
                    _join(path, "enrolled_on"),
                    _("%(date)s is after the second-semester lock of %(code)s (%(lock)s): no registration after it")
                    % {"date": enrolled_on.isoformat(), "code": year.code, "lock": lock.isoformat()},
                )
        if deregistered_on:
            if enrolled_on and deregistered_on < enrolled_on:
                self.add(
                    _join(path, "deregistered_on"),
                    _("must be on or after enrolled_on (%(date)s)") % {"date": enrolled_on.isoformat()},
                )
            elif year:
                self._check_window(year, deregistered_on, _join(path, "deregistered_on"))

        course_programme = programme if known_programme else None
        lines, broken = self._check_isp(enrolment, course_programme, year, enrolled_on, deregistered_on)
        line_of = {}
        for line in lines:
            # The line a result or decision is about: the one not removed, or else the last added.
            current = line_of.get(line.course)
            if current is None or (
                current.removed_on is not None and (line.removed_on is None or line.added_on >= current.added_on)
            ):
                line_of[line.course] = line
        self._check_results(enrolment, course_programme, year, line_of, broken)
        for field, attribute in (("tolerance_choices", "choices"), ("tolerance_objections", "objections")):
            self._check_decisions(enrolment.get(field, []), year, line_of, broken, attribute)

        required = ("academic_year", "programme", "contract", "enrolled_on", "grant_status")
        if number is None or year is None or not known_programme or any(k not in enrolment for k in required):
            return None
        plan = _EnrolmentPlan(
            academic_year=year_code,
            programme=programme,
            contract=enrolment["contract"],
            enrolled_on=enrolled_on,
            deregistered_on=deregistered_on,
            grant_status=enrolment["grant_status"],
            lines=lines,
        )
        stored = self.db_enrolments.get((number, year_code, programme)) if number in self.db_students else None
        if stored is None:
            return plan
        if len(self.problems) > problems_before:
            return None  # the plan lacks what was invalid: comparing it would only repeat those problems
        differences = _differences(stored, _canonical_of(plan))
        if differences:
            self.add(
                path,
                _exists_differently(
                    _("enrolment of student '%(number)s' in '%(programme)s' in %(year)s")
                    % {"number": number, "programme": programme, "year": year_code},
                    differences,
                ),
            )
        return None

    def _check_window(self, year: _YearView, day: datetime.date, path: str) -> bool:
        """Enrolment-related dates lie from ``starts_on`` - 122 days to ``ends_on`` (module docstring)."""
        if year.starts_on is None or year.ends_on is None:
            return True
        opens = year.starts_on - ENROLMENT_OPENS_BEFORE_START
        if opens <= day <= year.ends_on:
            return True
        self.add(
            path,
            _("%(date)s is outside the enrolment window of %(year)s (%(opens)s to %(end)s)")
            % {"date": day.isoformat(), "year": year.code, "opens": opens.isoformat(), "end": year.ends_on.isoformat()},
        )
        return False

    def _course_problem(self, programme: str, course: str) -> str | None:
        if (programme, course) in self.courses:
            return None
        if self.course_programmes.get(course):
            return _("course '%(course)s' is not in programme '%(programme)s'") % {
                "course": course,
                "programme": programme,
            }
        return _("unknown course '%(course)s' in programme '%(programme)s'") % {
            "course": course,
            "programme": programme,
        }

    def _check_isp(self, enrolment, programme, year, enrolled_on, deregistered_on) -> tuple[list[_LinePlan], set]:
        """The ISP's lines, and the courses of lines too broken to plan (results about them stay quiet)."""
        lines: list[_LinePlan] = []
        broken: set[str] = set()
        current: dict[str, str] = {}  # course -> path of its line that is not removed
        added: dict[tuple[str, datetime.date], str] = {}
        for line in enrolment.get("isp", []):
            lpath, course, given = line["_path"], line.get("course"), line["_given"]
            if course is None:
                continue
            problem = self._course_problem(programme, course) if programme is not None else None
            if problem:
                self.add(_join(lpath, "course"), problem)
                broken.add(course)
                continue
            # EXCHANGE.md: added_on defaults to enrolled_on; given but invalid (reported) leaves it unknown.
            invalid_added_on = "added_on" in given and "added_on" not in line
            added_on = None if invalid_added_on else line.get("added_on") or enrolled_on
            removed_on = line.get("removed_on")
            if line.get("added_on") is not None:
                if enrolled_on and added_on < enrolled_on:
                    self.add(
                        _join(lpath, "added_on"),
                        _("must be on or after enrolled_on (%(date)s)") % {"date": enrolled_on.isoformat()},
                    )
                elif deregistered_on and added_on > deregistered_on:
                    self.add(
                        _join(lpath, "added_on"),
                        _("must be on or before deregistered_on (%(date)s)") % {"date": deregistered_on.isoformat()},
                    )
                elif year:
                    self._check_window(year, added_on, _join(lpath, "added_on"))
            if removed_on is not None:
                if added_on and removed_on < added_on:
                    self.add(
                        _join(lpath, "removed_on"),
                        _("must be on or after added_on (%(date)s)") % {"date": added_on.isoformat()},
                    )
                elif year:
                    self._check_window(year, removed_on, _join(lpath, "removed_on"))
            elif "removed_on" not in given or "removed_on" in line:
                if course in current:
                    self.add(
                        _join(lpath, "course"),
                        _("course '%(course)s' is twice in this ISP (also at %(other)s)")
                        % {"course": course, "other": current[course]},
                    )
                    continue
                current[course] = lpath
            if added_on is None:
                broken.add(course)
                continue
            if (course, added_on) in added:
                self.add(
                    _join(lpath, "course"),
                    _("course '%(course)s' is added twice on %(date)s (also at %(other)s)")
                    % {"course": course, "date": added_on.isoformat(), "other": added[(course, added_on)]},
                )
                continue
            added[(course, added_on)] = lpath
            lines.append(_LinePlan(course, added_on, removed_on, line.get("exempted", False)))
        return lines, broken

    def _check_results(self, enrolment, programme, year, line_of: dict[str, _LinePlan], broken: set) -> None:
        taken: dict[str, dict[int, tuple[str, int]]] = defaultdict(dict)  # course -> opportunity -> (path, period)
        for result in enrolment.get("results", []):
            rpath, course = result["_path"], result.get("course")
            line = line_of.get(course) if course is not None else None
            if course is not None and line is None:
                if programme is not None and course not in broken:
                    self.add(_join(rpath, "course"), _("course '%(course)s' is not in this ISP") % {"course": course})
            elif line is not None and line.exempted:
                self.add(
                    _join(rpath, "course"),
                    _("course '%(course)s' is exempted in this ISP: an exempted course has no results")
                    % {"course": course},
                )
            view = self.courses.get((programme, course)) if programme and course else None

            period = result.get("exam_period")
            if period is not None and year is not None and period not in year.periods:
                self.add(
                    _join(rpath, "exam_period"),
                    _("exam period %(number)d does not exist in academic year %(code)s")
                    % {"number": period, "code": year.code},
                )
                period = None

            opportunity = result.get("opportunity")
            if opportunity is not None and opportunity not in (1, 2):
                self.add(
                    _join(rpath, "opportunity"),
                    _("opportunity %(number)d: a course has at most two opportunities per academic year (1 or 2)")
                    % {"number": opportunity},
                )
                opportunity = None
            elif opportunity == 2 and view is not None and view.resit is False:
                self.add(
                    _join(rpath, "opportunity"),
                    _("course '%(course)s' has no second opportunity (resit: false)") % {"course": course},
                )
            if opportunity is not None and course is not None:
                if opportunity in taken[course]:
                    self.add(
                        _join(rpath, "opportunity"),
                        _("opportunity %(number)d of course '%(course)s' is given twice (also at %(other)s)")
                        % {"number": opportunity, "course": course, "other": taken[course][opportunity][0]},
                    )
                else:
                    taken[course][opportunity] = (rpath, period)

            given = result["_given"]
            mark, parts = result.get("mark", _ABSENT), result.get("parts", _ABSENT)
            if "mark" in given and "parts" in given:
                self.add(rpath, _("give either mark or parts, not both"))
            elif "mark" not in given and "parts" not in given:
                self.add(rpath, _("a result needs a mark or parts"))
            elif parts is not _ABSENT and not parts:
                self.add(_join(rpath, "parts"), _("give at least one partial exam"))
            elif view is not None and view.pass_fail is not None:
                if parts is not _ABSENT and view.pass_fail:
                    self.add(
                        _join(rpath, "parts"),
                        _("course '%(course)s' is pass/fail: partial exams are only for courses with numeric marks")
                        % {"course": course},
                    )
                elif mark in ("P", "F") and not view.pass_fail:
                    self.add(
                        _join(rpath, "mark"),
                        _("'%(mark)s' is only for pass/fail courses; course '%(course)s' has marks 0-20")
                        % {"mark": mark, "course": course},
                    )
                elif type(mark) is int and view.pass_fail:
                    self.add(
                        _join(rpath, "mark"),
                        _("course '%(course)s' is pass/fail: its mark is 'P', 'F' or 'NA', not %(mark)d")
                        % {"course": course, "mark": mark},
                    )

            if line is not None and period is not None and opportunity is not None:
                if "mark" in result:
                    score, grade = (mark, "") if type(mark) is int else (None, mark)
                    line.results.append(_ResultPlan(period, opportunity, score, grade, ()))
                elif "parts" in result:
                    part_values = tuple((p["credits"], p["mark"]) for p in parts if "credits" in p and "mark" in p)
                    line.results.append(_ResultPlan(period, opportunity, None, "", part_values))

        for course, opportunities in taken.items():
            if 1 in opportunities and 2 in opportunities and year is not None:
                (_first_path, first_period), (second_path, second_period) = opportunities[1], opportunities[2]
                if first_period is None or second_period is None:
                    continue
                if year.periods[second_period][0] <= year.periods[first_period][0]:
                    self.add(
                        _join(second_path, "exam_period"),
                        _(
                            "the second opportunity of course '%(course)s' must be in a later exam period "
                            "than the first (exam period %(first)d)"
                        )
                        % {"course": course, "first": first_period},
                    )

    def _check_decisions(self, decisions, year, line_of: dict[str, _LinePlan], broken: set, attribute: str) -> None:
        seen: dict[tuple[str, datetime.date], str] = {}
        for decision in decisions:
            dpath, course, on = decision["_path"], decision.get("course"), decision.get("on")
            line = line_of.get(course) if course is not None else None
            if course is not None and line is None and course not in broken:
                self.add(_join(dpath, "course"), _("course '%(course)s' is not in this ISP") % {"course": course})
            if on is not None and year is not None and year.starts_on and year.ends_on:
                last = year.ends_on + DECISIONS_AFTER_END
                if not year.starts_on <= on <= last:
                    self.add(
                        _join(dpath, "on"),
                        _("%(date)s is outside %(start)s to %(end)s (academic year %(code)s and 31 days after it)")
                        % {
                            "date": on.isoformat(),
                            "start": year.starts_on.isoformat(),
                            "end": last.isoformat(),
                            "code": year.code,
                        },
                    )
            if course is None or on is None:
                continue
            if (course, on) in seen:
                self.add(
                    dpath,
                    _("course '%(course)s' on %(date)s appears twice (also at %(other)s)")
                    % {"course": course, "date": on.isoformat(), "other": seen[(course, on)]},
                )
                continue
            seen[(course, on)] = dpath
            if line is not None:
                getattr(line, attribute).append(on)


def _show_requires(requires: set[tuple[str, str]]) -> str:
    return ", ".join(f"{course} ({kind})" for course, kind in sorted(requires)) or _("nothing")


def _canonical_of(plan: _EnrolmentPlan) -> dict[str, Any]:
    lines = [(line.course, line.added_on, line.removed_on, line.exempted) for line in plan.lines]
    results = [
        (line.course, line.added_on, r.exam_period, r.opportunity, r.score, r.grade, r.parts)
        for line in plan.lines
        for r in line.results
    ]
    choices = [(line.course, line.added_on, on) for line in plan.lines for on in line.choices]
    objections = [(line.course, line.added_on, on) for line in plan.lines for on in line.objections]
    return _canonical_enrolment(
        plan.contract,
        plan.enrolled_on,
        plan.deregistered_on,
        plan.grant_status,
        lines,
        results,
        choices,
        objections,
    )


def _in_chunks(queryset, field: str, values: Iterable) -> Iterator:
    """``queryset.filter(field__in=values)``, in slices small enough for every database."""
    values = list(values)
    for chunk in _chunks(values, _QUERY_CHUNK):
        yield from queryset.filter(**{f"{field}__in": chunk})


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


class _Writer:
    """Creates what the plan holds, in bulk; the caller holds the transaction."""

    def __init__(self, plan: _Plan, *, progress: bool):
        self.plan = plan
        self.progress = progress
        self.summary = ImportSummary()

    def write(self) -> ImportSummary:
        self._write_catalogue()
        self._write_students()
        return self.summary

    def _write_catalogue(self) -> None:
        plan, summary = self.plan, self.summary
        AcademicYear.objects.bulk_create([AcademicYear(**fields) for fields in plan.years])
        summary.academic_years = len(plan.years)
        self.year_ids = dict(_in_chunks(AcademicYear.objects.values_list("code", "id"), "code", plan.year_codes))
        ExamPeriod.objects.bulk_create(
            [
                ExamPeriod(
                    academic_year_id=self.year_ids[code],
                    number=number,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    results_published_on=published,
                )
                for code, number, starts_on, ends_on, published in plan.periods
            ]
        )
        summary.exam_periods = len(plan.periods)
        self.period_ids = {
            (code, number): pk
            for code, number, pk in _in_chunks(
                ExamPeriod.objects.values_list("academic_year__code", "number", "id"),
                "academic_year__code",
                plan.year_codes,
            )
        }

        Programme.objects.bulk_create([Programme(**fields) for fields in plan.programmes])
        summary.programmes = len(plan.programmes)
        self.programme_ids = dict(_in_chunks(Programme.objects.values_list("code", "id"), "code", plan.programme_codes))
        Course.objects.bulk_create(
            [
                Course(
                    programme_id=self.programme_ids[fields["programme"]],
                    **{k: v for k, v in fields.items() if k != "programme"},
                )
                for fields in plan.courses
            ]
        )
        summary.courses = len(plan.courses)
        self.course_ids = {
            (programme, code): pk
            for programme, code, pk in _in_chunks(
                Course.objects.values_list("programme__code", "code", "id"), "programme__code", plan.programme_codes
            )
        }
        Prerequisite.objects.bulk_create(
            [
                Prerequisite(course_id=self.course_ids[course], required_id=self.course_ids[required], kind=kind)
                for course, required, kind in plan.prerequisites
            ]
        )
        summary.prerequisites = len(plan.prerequisites)
        # Writing the through table directly skips Django's mirroring of a symmetrical
        # relation: store both directions, as Course.identical_to.add() would.
        through = Course.identical_to.through
        rows = []
        for a, b in sorted(plan.links):
            rows.append(through(from_course_id=self.course_ids[a], to_course_id=self.course_ids[b]))
            rows.append(through(from_course_id=self.course_ids[b], to_course_id=self.course_ids[a]))
        through.objects.bulk_create(rows)
        summary.identical_courses = len(plan.links)

    def _write_students(self) -> None:
        students = self.plan.students
        with tqdm(
            total=len(students),
            desc=_("Importing students"),
            unit=_("student"),
            disable=not (self.progress and students),
        ) as bar:
            for chunk in _chunks(students, _WRITE_CHUNK):
                self._write_student_chunk(chunk)
                bar.update(len(chunk))

    def _bulk(self, objects: list, model) -> list:
        if not objects:
            return []
        return bulk_create_with_history(objects, model, default_change_reason=HISTORY_CHANGE_REASON)

    def _write_student_chunk(self, chunk: list[_StudentPlan]) -> None:
        summary = self.summary
        new = [
            Student(
                number=plan.number,
                first_enrolment_in_higher_education_id=self.year_ids.get(plan.first_enrolment),
                **plan.fields,
            )
            for plan in chunk
            if plan.db_id is None
        ]
        student_ids = {s.number: s.pk for s in self._bulk(new, Student)}
        summary.students += len(new)
        student_ids.update({plan.number: plan.db_id for plan in chunk if plan.db_id is not None})

        degrees = [
            Degree(student_id=student_ids[plan.number], kind=kind, on=on) for plan in chunk for kind, on in plan.degrees
        ]
        Degree.objects.bulk_create(degrees)
        summary.degrees += len(degrees)

        enrolment_plans = [(plan.number, e) for plan in chunk for e in plan.enrolments]
        enrolments = self._bulk(
            [
                Enrolment(
                    student_id=student_ids[number],
                    academic_year_id=self.year_ids[e.academic_year],
                    programme_id=self.programme_ids[e.programme],
                    contract=e.contract,
                    enrolled_on=e.enrolled_on,
                    deregistered_on=e.deregistered_on,
                    grant_status=e.grant_status,
                )
                for number, e in enrolment_plans
            ],
            Enrolment,
        )
        summary.enrolments += len(enrolments)

        line_plans = [
            (row.pk, e, line) for row, (_number, e) in zip(enrolments, enrolment_plans, strict=True) for line in e.lines
        ]
        lines = self._bulk(
            [
                ISPLine(
                    enrolment_id=enrolment_id,
                    course_id=self.course_ids[(e.programme, line.course)],
                    added_on=line.added_on,
                    removed_on=line.removed_on,
                    exempted=line.exempted,
                )
                for enrolment_id, e, line in line_plans
            ],
            ISPLine,
        )
        summary.isp_lines += len(lines)

        result_plans = []
        results = []
        choices = []
        objections = []
        for row, (_enrolment_id, e, line) in zip(lines, line_plans, strict=True):
            for r in line.results:
                result_plans.append(r)
                results.append(
                    Result(
                        isp_line_id=row.pk,
                        exam_period_id=self.period_ids[(e.academic_year, r.exam_period)],
                        opportunity=r.opportunity,
                        score=r.score,
                        grade=r.grade,
                    )
                )
            choices.extend(ToleranceChoice(isp_line_id=row.pk, on=on) for on in line.choices)
            objections.extend(ToleranceObjection(isp_line_id=row.pk, on=on) for on in line.objections)
        results = self._bulk(results, Result)
        summary.results += len(results)
        parts = [
            ResultPart(result_id=row.pk, position=position, credits=credits, score=score)
            for row, r in zip(results, result_plans, strict=True)
            for position, (credits, score) in enumerate(r.parts)
        ]
        ResultPart.objects.bulk_create(parts)
        summary.result_parts += len(parts)
        ToleranceChoice.objects.bulk_create(choices)
        summary.tolerance_choices += len(choices)
        ToleranceObjection.objects.bulk_create(objections)
        summary.tolerance_objections += len(objections)
