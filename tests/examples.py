"""Replaying the shared worked examples (../shared/spec/examples/README.md)."""

import io
import json
from pathlib import Path

from django.core.management import call_command

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "spec" / "examples"
LIST_KEYS = {"enrolments": ("academic_year", "programme"), "courses": ("course",), "programmes": ("programme",)}


def cases() -> list[str]:
    return sorted(p.name.removesuffix(".expected.json") for p in EXAMPLES.glob("*.expected.json"))


def load(name: str) -> tuple[Path, dict]:
    return EXAMPLES / f"{name}.records.json", json.loads((EXAMPLES / f"{name}.expected.json").read_text())


def study_progress_json(number: str) -> dict:
    out = io.StringIO()
    call_command("study_progress", number, "--json", stdout=out)
    return json.loads(out.getvalue())


def replay(records: Path, today: str) -> None:
    call_command("import_records", str(records), stdout=io.StringIO(), stderr=io.StringIO())
    call_command("run_deadlines", today=today, stdout=io.StringIO())


def differences(expected, actual, path="") -> list[str]:
    """Every key shown in ``expected`` must be in ``actual`` with that value; lists
    are matched by their keys, ``measures`` as a whole list, order ignored."""
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
            else:
                problems += differences(value, actual[key], f"{path}.{key}")
        return problems
    if expected != actual:
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []
