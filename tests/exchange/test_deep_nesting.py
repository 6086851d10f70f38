"""A records file nested deeper than the format needs is refused as not valid JSON, exit
status 1 and nothing written: 100,000 levels made Python's JSON reader raise a RecursionError
that ``import_records`` printed as a traceback (exchange.reading)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from exchange.reading import MAX_DEPTH, nesting_depth
from exchange.records import RecordsInvalid, import_data, validate
from students.models import Student
from tests.support.paths import EXAMPLES

pytestmark = pytest.mark.django_db

TOO_DEEP = "is not valid JSON: its values are nested more than 20 levels deep"
BASE = (EXAMPLES / "perfect-first-year.records.json").read_text()


def nested(depth: int, inner: str = "1") -> str:
    """``depth`` lists in one another around ``inner``, as JSON text."""
    return "[" * depth + inner + "]" * depth


def deep_records(depth: int) -> str:
    """A valid records file whose first student's number is ``depth`` lists deep (the rest of
    the file nests nine levels at most)."""
    data = json.loads(BASE)
    data["students"][0]["number"] = "@DEEP@"
    return json.dumps(data).replace('"@DEEP@"', nested(depth, '"r1"'))


def import_file(tmp_path, text: str) -> str:
    path = tmp_path / "records.json"
    path.write_text(text, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_records", str(path), stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    return err.getvalue() + str(raised.value)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(nested(100_000), id="100000-levels"),
        pytest.param('{"a":' * 100_000 + "1" + "}" * 100_000, id="100000-objects"),
        pytest.param(deep_records(100_000), id="a-value-100000-levels-deep"),
        pytest.param(deep_records(1_000), id="a-value-1000-levels-deep"),  # about where json.loads gives up
        pytest.param(deep_records(500), id="a-value-500-levels-deep"),  # json.loads reads it
        pytest.param(deep_records(MAX_DEPTH - 2), id="a-value-just-too-deep"),  # 3 + 18 levels
        pytest.param('{"format": ' + nested(100_000) + "}", id="the-format-100000-levels-deep"),
        pytest.param('{"format": "study-records/1", "extra": ' + nested(900) + "}", id="an-unknown-key"),
    ],
)
def test_a_file_nested_too_deeply_is_not_valid_json(tmp_path, text):
    output = import_file(tmp_path, text)
    assert TOO_DEEP in output
    assert "Traceback" not in output
    assert not Student.objects.exists()


def test_the_format_itself_is_not_too_deep(tmp_path):
    """A records file as deep as the format allows imports (every worked example does)."""
    path = tmp_path / "records.json"
    # The number sits in three containers (the document, students, a student): 3 + 17 levels.
    path.write_text(deep_records(MAX_DEPTH - 3), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_records", str(path), stdout=io.StringIO(), stderr=err)
    # Refused for its meaning (a number is a text), not for its depth.
    assert "students[0].number: expected a text, got a list" in err.getvalue()
    assert all(nesting_depth(json.loads(p.read_text())) <= 9 for p in EXAMPLES.glob("*.records.json"))


def test_the_api_refuses_a_document_nested_too_deeply():
    data = json.loads(deep_records(500))
    assert validate(data) == ["(top level): its values are nested more than 20 levels deep"]
    with pytest.raises(RecordsInvalid) as raised:
        import_data(data)
    assert raised.value.problems == ["(top level): its values are nested more than 20 levels deep"]
    assert not Student.objects.exists()


@pytest.mark.parametrize(
    ("value", "depth"),
    [
        (1, 0),
        ("[[[]]]", 0),  # a text is no nesting
        ([], 1),
        ({}, 1),
        ([1, [2, [3]]], 3),
        ({"a": [{"b": []}], "c": 1}, 4),
        ([[], [[[[]]]], []], 5),
    ],
)
def test_the_nesting_depth_of_a_value(value, depth):
    assert nesting_depth(value) == depth


def test_the_count_stops_past_its_limit_without_recursing():
    value: list = []
    for _ in range(100_000):
        value = [value]
    assert nesting_depth(value, limit=MAX_DEPTH) == MAX_DEPTH + 1


def test_the_benchmark_reads_a_demo_records_file():
    """``python -m bench --only records_depth`` (its figures are printed, not asserted)."""
    from bench import records_depth

    figures = records_depth.measure(3)
    assert (figures["depth"], figures["max_depth"]) == (9, MAX_DEPTH)
