"""A records file's dates lie from 1950 on (exchange.parsing.date, core.validators.EARLIEST):
a degree or a learning account opened on 0001-01-01 was imported, and the next run of the
deadlines started on that day and failed ("date value out of range")."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.timeline import run_deadlines
from students.models import Student
from tests.support.paths import EXAMPLES

pytestmark = pytest.mark.django_db

BASE = json.loads((EXAMPLES / "perfect-first-year.records.json").read_text())


@pytest.mark.parametrize(
    ("change", "problems"),
    [
        (
            {"degrees": [{"kind": "bachelor", "on": "0001-01-01"}]},
            ["students[0].degrees[0].on: 0001-01-01 lies before 1950-01-01"],
        ),
        (
            {"learning_account": {"opening_balance": 100, "on": "1949-12-31"}},
            ["students[0].learning_account.on: 1949-12-31 lies before 1950-01-01"],
        ),
    ],
)
def test_a_degree_or_an_opening_before_1950_is_refused(tmp_path, change, problems):
    data = json.loads(json.dumps(BASE))
    data["students"][0].update(change)
    path = tmp_path / "records.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_records", str(path), stdout=io.StringIO(), stderr=err)
    assert raised.value.returncode == 1
    assert err.getvalue().splitlines() == problems
    assert not Student.objects.exists()


def test_a_degree_of_1950_is_imported_and_the_deadlines_run(tmp_path):
    import datetime

    data = json.loads(json.dumps(BASE))
    data["students"][0]["degrees"] = [{"kind": "bachelor", "on": "1950-01-01"}]
    path = tmp_path / "records.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("import_records", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    run_deadlines(today=datetime.date(2024, 9, 30))
    assert Student.objects.get().degrees.get().processed
