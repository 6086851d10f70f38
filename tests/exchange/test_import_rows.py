"""The import writes its records as plain rows (``exchange.write.rows``): the tables, history
tables included, hold what Django's ``bulk_create`` and simple_history's
``bulk_create_with_history`` write for the same records."""

import pytest
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from core import clock
from core.history import IMPORT_REASON
from demo.college import build_records
from exams.models import Result, ResultPart, ToleranceChoice, ToleranceObjection
from exchange import write as write_package
from exchange.records import import_data
from exchange.write import exams as exam_writer
from exchange.write import students as student_writer
from exchange.write.rows import DEFAULT
from programmes.models import AcademicYear, Course, ExamPeriod, Programme
from students.models import Degree, Enrolment, ISPLine, Student

pytestmark = pytest.mark.django_db

RECORDED = (Student, Enrolment, ISPLine, Result)
PLAIN = (Degree, ResultPart, ToleranceChoice, ToleranceObjection)
CATALOGUE = (AcademicYear, ExamPeriod, Programme, Course)


def _snapshot() -> dict:
    """Every row the import wrote, as plain values; primary keys and references to the
    imported records counted from the first key of their table (a rolled-back import keeps
    PostgreSQL's sequences where it left them). History rows in the order they were written,
    without ``history_id``; their ``history_date`` apart."""
    base = {model: min(model.objects.values_list("pk", flat=True), default=0) for model in RECORDED + PLAIN + CATALOGUE}

    def plain(model, row, origin):
        values = {}
        for field in model._meta.concrete_fields:
            value = getattr(row, field.attname)
            if field.attname in ("history_id", "history_date"):
                continue
            if field.attname == "id" and value is not None:
                value -= base[origin]
            elif field.is_relation and field.related_model in base and value is not None:
                value -= base[field.related_model]
            values[field.attname] = value
        return values

    tables, dates = {}, []
    for model in RECORDED + PLAIN:
        tables[model._meta.label] = [plain(model, row, model) for row in model.objects.order_by("pk")]
    for model in RECORDED:
        history = model.history.model
        rows = list(history.objects.order_by("history_id"))
        dates += [row.history_date for row in rows]
        tables[history._meta.label] = [plain(history, row, model) for row in rows]
    return {"tables": tables, "dates": dates}


def _imported(data) -> tuple[dict, object, object]:
    """Import ``data`` in a savepoint that is rolled back; the rows it wrote and the time around it."""
    with transaction.atomic():
        before = clock.now()
        import_data(data)
        after = clock.now()
        snapshot = _snapshot()
        transaction.set_rollback(True)
    return snapshot, before, after


def _reference_recorded(model, given, rows):
    """What the import wrote before: model instances, ``bulk_create_with_history``."""
    objects = [
        model(**{name: value for name, value in zip(given, row, strict=True) if value is not DEFAULT}) for row in rows
    ]
    return [obj.pk for obj in bulk_create_with_history(objects, model, default_change_reason=IMPORT_REASON)]


def _reference_rows(model, given, rows):
    return len(model.objects.bulk_create([model(**dict(zip(given, row, strict=True))) for row in rows]))


def test_rows_and_history_as_bulk_create_with_history(monkeypatch):
    # Small but with every kind of record: degrees, results with parts, tolerance decisions.
    data = build_records(seed=11, students=12)
    # The demo college objects to no tolerance: one objection, on the line with a choice.
    enrolment = next(e for s in data["students"] for e in s["enrolments"] if e.get("tolerance_choices"))
    enrolment["tolerance_objections"] = [dict(enrolment["tolerance_choices"][0])]
    # Several slices of students, so that the rows cross slices as the reference's do.
    monkeypatch.setattr(write_package, "WRITE_CHUNK", 5)
    written, before, after = _imported(data)

    for module in (student_writer, exam_writer):
        monkeypatch.setattr(module, "insert_recorded", _reference_recorded)
        monkeypatch.setattr(module, "insert_rows", _reference_rows)
    expected, _before, _after = _imported(data)

    for label, rows in expected["tables"].items():
        assert rows, label  # the file exercises every table
        assert written["tables"][label] == rows, label
    history = [label for label in expected["tables"] if label.split(".")[1].lower().startswith("historical")]
    assert len(history) == len(RECORDED)
    for label in history:
        assert {
            (row["history_type"], row["history_change_reason"], row["history_user_id"])
            for row in written["tables"][label]
        } == {("+", IMPORT_REASON, None)}
    # One time for the whole write, between the start and the end of the import.
    assert written["dates"] and all(before <= when <= after for when in written["dates"])


def test_students_with_and_without_optional_fields():
    """A field some students give and others omit takes its default where omitted."""
    data = build_records(seed=3, students=4)
    students = data["students"]
    students[0]["email"] = "given@example.org"
    students[1].pop("email", None)
    import_data(data)
    stored = dict(Student.objects.values_list("number", "email"))
    assert stored[students[0]["number"]] == "given@example.org"
    assert stored[students[1]["number"]] == ""
    assert Student.history.filter(number=students[1]["number"], email="").count() == 1


def test_the_import_announces_the_exam_periods_with_results_once(monkeypatch, django_capture_on_commit_callbacks):
    """Issue 19: what is kept of a period's results (the marks entered and missing, the students
    deliberated) is counted again after an import too: one announcement for the whole import
    (however many slices), naming every exam period with an imported result, and one count per
    period queued once the import commits."""
    from core import events
    from exams import tasks

    data = build_records(seed=11, students=12)
    monkeypatch.setattr(write_package, "WRITE_CHUNK", 5)
    heard, queued = [], []
    monkeypatch.setattr(tasks.missing_marks_count, "delay", lambda period_id: queued.append(period_id))

    def listen(sender, *, exam_period_ids, **kwargs):
        heard.append((sender, exam_period_ids))

    events.results_recorded.connect(listen, dispatch_uid="test.import")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            import_data(data)
    finally:
        events.results_recorded.disconnect(dispatch_uid="test.import")
    with_results = sorted(set(Result.objects.values_list("exam_period_id", flat=True)))
    assert with_results  # the file has results in several periods
    assert heard == [("exchange", with_results)]
    assert sorted(queued) == with_results
