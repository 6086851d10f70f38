"""Replaying worked examples (../shared/spec/examples/README.md): the shared ones and
our own in ``tests/cases/`` (same format; an expected file may add ``"xfail": "reason"``
for a case that shows a known bug)."""

import io
import json
from pathlib import Path

from django.core.management import call_command

from tests.support.paths import EXAMPLES, OWN_CASES, case_names

DIRECTORIES = (EXAMPLES, OWN_CASES)
LIST_KEYS = {"enrolments": ("academic_year", "programme"), "courses": ("course",), "programmes": ("programme",)}


def cases(directory: Path = EXAMPLES) -> list[str]:
    return case_names(directory)


def all_cases() -> list[tuple[Path, str]]:
    """Every case of every directory: the shared examples, then ours."""
    return [(directory, name) for directory in DIRECTORIES for name in cases(directory)]


def load(name: str, directory: Path = EXAMPLES) -> tuple[Path, dict]:
    return directory / f"{name}.records.json", json.loads((directory / f"{name}.expected.json").read_text())


def study_progress_json(number: str) -> dict:
    out = io.StringIO()
    call_command("study_progress", number, "--json", stdout=out)
    return json.loads(out.getvalue())


def replay(records: Path, today: str) -> None:
    call_command("import_records", str(records), stdout=io.StringIO(), stderr=io.StringIO())
    call_command("run_deadlines", today=today, stdout=io.StringIO())


def differences(expected, actual, path="") -> list[str]:
    """Every key shown in ``expected`` must be in ``actual`` with that value; lists
    are matched by their keys, ``measures`` as a whole list, order ignored. Another
    list of objects (the learning account's ``entries``) must have as many items,
    each shown item matching a different actual one on the keys it shows, order ignored."""
    problems = []
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        for key, value in expected.items():
            if key not in actual:
                problems.append(f"{path}.{key}: missing")
            elif key == "measures":
                canon = sorted(json.dumps(m, sort_keys=True) for m in value)
                if canon != sorted(json.dumps(m, sort_keys=True) for m in actual[key]):
                    problems.append(f"{path}.measures: expected {value!r}, got {actual[key]!r}")
            elif key in LIST_KEYS and isinstance(value, list):
                keys = LIST_KEYS[key]
                index = {tuple(item.get(k) for k in keys): item for item in actual[key]}
                for item in value:
                    ident = tuple(item.get(k) for k in keys)
                    if ident not in index:
                        problems.append(f"{path}.{key}[{'/'.join(map(str, ident))}]: missing")
                    else:
                        problems += differences(item, index[ident], f"{path}.{key}[{'/'.join(map(str, ident))}]")
            elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
                problems += _unordered_differences(value, actual[key], f"{path}.{key}")
            else:
                problems += differences(value, actual[key], f"{path}.{key}")
        return problems
    if expected != actual:
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


def _unordered_differences(expected: list[dict], actual, path: str) -> list[str]:
    if not isinstance(actual, list) or len(actual) != len(expected):
        return [f"{path}: expected {len(expected)} items {expected!r}, got {actual!r}"]
    left = list(actual)
    problems = []
    for item in expected:
        match = next((i for i, candidate in enumerate(left) if not differences(item, candidate)), None)
        if match is None:
            problems.append(f"{path}: no item matches {item!r}")
        else:
            left.pop(match)
    if problems:
        problems.append(f"{path}: got {actual!r}")
    return problems
