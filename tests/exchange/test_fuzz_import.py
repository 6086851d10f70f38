"""Fuzzed records import (issue 14 point 15): valid records files, mutated, through
``manage.py import_records`` (EXCHANGE.md, "Commands").

The properties, for every mutated file:

- the command never ends in a traceback: it imports the file, or refuses it with
  ``CommandError`` (exit status 1), and nothing else escapes;
- a refused file writes nothing: the row count and checksum of every table of every model
  (``django.apps.get_models()``) are as before; a refusal is never the "database changed
  while importing" of a conflict the checks missed;
- a refused file that is JSON prints one line per problem, each starting with its place in
  the file (``students[0].enrolments[0].isp[4].course: ...``), a place that exists in the
  file (or the key missing there); a file that is not JSON is said to be so;
- an accepted file imported again changes nothing (row counts and checksums).

The mutations: a value of another type, numbers out of range, impossible and out-of-year dates
(and dates in other forms), missing and extra keys, duplicated list items (students,
enrolments, ISP lines, results, courses, years...), odd unicode (NUL, control characters,
right-to-left marks, emoji, non-ASCII digits), very long strings, and changes of structure
(a value wrapped in a list or an object, a list made an object, a subtree moved elsewhere,
nesting); and on the text of the file: a byte order mark, UTF-16, a truncated file, a key
twice in one object, a value nested thousands of levels deep. One to three at a time, on a
file alone in an empty database or on a file already imported.
"""

from __future__ import annotations

import copy
import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import event, given, note
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from exchange.parsing import one_line
from exchange.records import RecordsInvalid, validate
from tests.support.fuzz import (
    ANY_CHARACTER,
    database_state,
    long_texts,
    odd_texts,
    rolled_back,
    state_difference,
    texts,
)
from tests.support.paths import EXAMPLES, OWN_CASES

pytestmark = pytest.mark.django_db

CI_EXAMPLES = hypothesis_settings.default.max_examples


def _load(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def rich_base() -> dict:
    """perfect-first-year with every optional field of the format given: a calendar, a
    tolerance cap, prerequisites, an identical course in a second programme, a student's
    e-mail, learning account and first enrolment, a grant status, partial exams, and a second
    student with a deregistration, a removed and an exempted ISP line, a degree and a
    tolerance choice."""
    d = _load(EXAMPLES / "perfect-first-year.records.json")
    d["academic_years"][0]["calendar"] = {
        "isp_deadline": "2023-10-15",
        "first_semester_lock": "2023-12-01",
        "generation_switch_deadline": "2023-12-25",
        "second_semester_change_deadline": "2024-02-25",
        "second_semester_lock": "2024-03-15",
        "easter_break_starts": "2024-03-30",
    }
    nursing = d["programmes"][0]
    nursing["tolerance_cap"] = 18
    courses = {c["code"]: c for c in nursing["courses"]}
    courses["B01"]["requires"] = [{"course": "A02", "kind": "SQ"}]
    courses["B02"]["requires"] = [{"course": "A07", "kind": "SSQ"}]
    courses["B03"]["elective"] = True
    courses["B04"]["resit"] = False
    d["programmes"].append(
        {
            "code": "GR-ACC",
            "name": "Graduaat Accountancy",
            "kind": "associate",
            "cluster": "Business",
            "credits": 120,
            "tolerance_cap": None,
            "courses": [
                {"code": "G01", "name": "English for business", "credits": 4, "semester": "1", "stage": 1,
                 "identical_to": ["A01"]},
                {"code": "G02", "name": "Bookkeeping", "credits": 6, "semester": "year", "stage": 1},
                {"code": "G03", "name": "Tax law", "credits": 5, "semester": "2", "stage": 1, "tolerable": False},
            ],
        }
    )  # fmt: skip
    student = d["students"][0]
    student["email"] = "s0001@student.example"
    student["learning_account"] = {"opening_balance": 140, "bonus_left": 60, "on": "2023-09-01"}
    student["first_enrolment_in_higher_education"] = "2023-2024"
    enrolment = student["enrolments"][0]
    enrolment["grant_status"] = "nearly"
    enrolment["deregistered_on"] = None
    for result in enrolment["results"]:
        if result["course"] == "A08":
            del result["mark"]
            result["parts"] = [{"credits": 4, "mark": 10}, {"credits": 4, "mark": 12}]
    d["students"].append(
        {
            "number": "S0002",
            "first_name": "Zoë",
            "last_name": "Van den Broeck",
            "degrees": [{"kind": "bachelor", "on": "2021-07-01"}],
            "enrolments": [
                {
                    "academic_year": "2023-2024",
                    "programme": "GR-ACC",
                    "contract": "degree",
                    "enrolled_on": "2023-09-20",
                    "deregistered_on": "2024-04-15",
                    "grant_status": "scholarship",
                    "isp": [
                        {"course": "G01", "exempted": True},
                        {"course": "G02", "added_on": "2023-09-20"},
                        {"course": "G03", "added_on": "2023-09-20", "removed_on": "2023-11-20"},
                    ],
                    "results": [{"course": "G02", "exam_period": 1, "opportunity": 1, "mark": 9}],
                    "tolerance_choices": [{"course": "G02", "on": "2024-02-10"}],
                    "tolerance_objections": [],
                }
            ],
        }
    )
    return d


BASES = {
    "perfect-first-year": _load(EXAMPLES / "perfect-first-year.records.json"),
    "rich": rich_base(),
    **{
        name: _load(OWN_CASES / f"{name}.records.json")
        for name in (
            "partial-exams-weighted-mean",
            "objection-in-time-undoes-tolerance",
            "first-master-degree-and-rebuild",
            "removal-after-1-december-no-refund",
            "tolerance-credit-after-exemptions",
            "admission-refused-at-zero",
        )
    },
}


# --- Places in a document ---------------------------------------------------------------------
def nodes(doc) -> list[tuple[tuple, object]]:
    """Every (path, value) of the document, the root first; a path is a tuple of keys and indices."""
    found, stack = [], [((), doc)]
    while stack:
        path, value = stack.pop()
        found.append((path, value))
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(value))))
    return found


def get(doc, path):
    for step in path:
        doc = doc[step]
    return doc


def put(doc, path, value):
    if not path:
        return value
    get(doc, path[:-1])[path[-1]] = value
    return doc


_INDEX = re.compile(r"\[(\d+)\]")
_MISSING_KEY = re.compile(r"([a-z_]+): ")


def names_a_place(doc, problem: str) -> bool:
    """Whether ``problem`` starts with a place of ``doc`` in the importer's form
    (``students[0].enrolments[1].isp[4].course``) followed by ``": "``: every step exists,
    except that the last may be a key missing from an object that exists."""
    if problem.startswith("(top level): "):
        return True
    stack = [(doc, 0, True)]
    while stack:
        node, at, first = stack.pop()
        rest = problem[at:]
        if not first and rest.startswith(": "):
            return True
        if isinstance(node, list):
            match = _INDEX.match(rest)
            if match and int(match[1]) < len(node):
                stack.append((node[int(match[1])], at + match.end(), False))
        elif isinstance(node, dict):
            dot = "" if first else "."
            if not rest.startswith(dot):
                continue
            for key in node:
                for written in {key, one_line(key)}:  # a key with a line break is written escaped
                    if rest.startswith(dot + written):
                        stack.append((node[key], at + len(dot) + len(written), False))
            missing = _MISSING_KEY.match(rest, len(dot))
            if missing and missing[1] not in node:
                return True
    return False


def test_the_places_a_problem_may_name():
    doc = {"students": [{"number": "S1", "a.b": {"c\nd": [1]}}], "format": "x"}
    assert names_a_place(doc, "students[0].number: expected a text")
    assert names_a_place(doc, "students[0].enrolments: required field is missing")
    assert names_a_place(doc, "students[0].a.b.c\\nd[0]: unknown key")
    assert names_a_place(doc, "(top level): expected an object, got a list")
    assert not names_a_place(doc, "students[1].number: expected a text")
    assert not names_a_place(doc, "students[0].number.x.y: expected a text")
    assert not names_a_place(doc, "students.number: expected a text")
    assert not names_a_place(doc, "format.x: unknown key")
    assert not names_a_place(doc, "students[0]number: expected a text")
    assert not names_a_place(doc, "students[0]")


# --- Mutations of the tree --------------------------------------------------------------------
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    texts(),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(odd_texts(max_size=8), inner, max_size=3),
    max_leaves=6,
)
EDGE_INTEGERS = [-1, 0, 1, 3, 4, 20, 21, 60, 61, 32767, 32768, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1,
                 10**20, -(10**20)]  # fmt: skip
BAD_DATES = ["2023-02-30", "2023-02-29", "2024-02-29", "2023-13-01", "2023-00-10", "0000-01-01", "0001-01-01",
             "9999-12-31", "10000-01-01", "2023-1-1", "2023/01/01", "01/02/2023", "2023-01-01T00:00:00",
             "2023-01-01 ", " 2023-01-01", "\uff12\uff10\uff12\uff13-\uff10\uff11-\uff10\uff11",
             "\u0662\u0660\u0662\u0663-\u0660\u0661-\u0660\u0661", "2023-W01-1", "20230101", ""]  # fmt: skip
NAME_KEYS = ("name", "first_name", "last_name", "cluster")
KNOWN_KEYS = ["number", "course", "mark", "on", "code", "parts", "isp", "format", "_path", "_given", "__proto__"]


def _shifted(value: str, days: int) -> str:
    try:
        return (datetime.date.fromisoformat(value) + datetime.timedelta(days=days)).isoformat()
    except (ValueError, OverflowError):
        return value


def mutate(data, doc):
    """One change of the tree, drawn by ``data``; returns the new document and what was done."""
    everything = nodes(doc)
    inner = [(p, v) for p, v in everything if p]
    leaves = [(p, v) for p, v in inner if not isinstance(v, (dict, list))]
    if not inner:
        return doc, "nothing (an empty document)"
    kind = data.draw(
        st.sampled_from(
            ["retype", "number", "date", "drop_key", "extra_key", "duplicate", "duplicate_changed", "string",
             "long_string", "restructure", "transplant", "empty_list", "rename", "rename", "rename", "new_student",
             "new_student", "other_mark"]
        ),
        label="mutation",
    )  # fmt: skip
    # Changes that often leave the file valid, so that accepted files are fuzzed too.
    if kind == "rename":
        names = [(p, v) for p, v in leaves if isinstance(v, str) and p[-1] in NAME_KEYS]
        if names:
            path, _old = data.draw(st.sampled_from(names))
            value = data.draw(st.one_of(odd_texts(max_size=30), st.text(ANY_CHARACTER, min_size=1, max_size=200)))
            return put(doc, path, value), f"{kind} {path} = {value!r}"
    if kind == "new_student":
        students = doc.get("students") if isinstance(doc, dict) else None
        if isinstance(students, list) and students and isinstance(students[0], dict):
            student = copy.deepcopy(data.draw(st.sampled_from(students)))
            student["number"] = data.draw(
                st.one_of(st.from_regex(r"[A-Za-z0-9]{1,32}", fullmatch=True), odd_texts(max_size=32))
            )
            students.append(student)
            return doc, f"{kind} {student.get('number')!r}"
    if kind == "other_mark":
        marks = [(p, v) for p, v in leaves if p[-1] == "mark"]
        if marks:
            path, _old = data.draw(st.sampled_from(marks))
            value = data.draw(st.sampled_from([*range(21), "P", "F", "NA"]))
            return put(doc, path, value), f"{kind} {path} = {value!r}"
    if kind == "retype":
        path, _old = data.draw(st.sampled_from(inner))
        value = data.draw(JSON_VALUES)
        return put(doc, path, value), f"{kind} {path} = {value!r:.80}"
    if kind == "number":
        numbers = [(p, v) for p, v in leaves if type(v) is int]
        if numbers:
            path, old = data.draw(st.sampled_from(numbers))
            value = data.draw(
                st.one_of(
                    st.sampled_from(EDGE_INTEGERS),
                    st.integers(-3, 3).map(lambda delta, old=old: old + delta),
                    st.integers(min_value=-(2**80), max_value=2**80),
                    st.floats(allow_nan=False).map(lambda f, old=old: old + f),
                )
            )
            return put(doc, path, value), f"{kind} {path} = {value!r}"
    if kind == "date":
        dates = [(p, v) for p, v in leaves if isinstance(v, str) and _DATE.fullmatch(v)]
        if dates:
            path, old = data.draw(st.sampled_from(dates))
            value = data.draw(
                st.one_of(
                    st.integers(-800, 800).map(lambda days, old=old: _shifted(old, days)),
                    st.integers(-400_000, 400_000).map(lambda days, old=old: _shifted(old, days)),
                    st.dates().map(datetime.date.isoformat),
                    st.sampled_from(BAD_DATES),
                )
            )
            return put(doc, path, value), f"{kind} {path} = {value!r}"
    if kind == "drop_key":
        entries = [(p, v) for p, v in inner if isinstance(p[-1], str)]
        if entries:
            path, _old = data.draw(st.sampled_from(entries))
            del get(doc, path[:-1])[path[-1]]
            return doc, f"{kind} {path}"
    if kind == "extra_key":
        objects = [(p, v) for p, v in everything if isinstance(v, dict)]
        if objects:
            path, target = data.draw(st.sampled_from(objects))
            key = data.draw(st.one_of(st.sampled_from(KNOWN_KEYS), odd_texts(max_size=12)))
            value = data.draw(JSON_VALUES)
            target[key] = value
            return doc, f"{kind} {path} {key!r} = {value!r:.80}"
    if kind in ("duplicate", "duplicate_changed"):
        items = [(p, v) for p, v in inner if isinstance(p[-1], int)]
        if not items:
            return doc, "nothing (no list item)"
        path, item = data.draw(st.sampled_from(items))
        copied = copy.deepcopy(item)
        if kind == "duplicate_changed" and isinstance(copied, dict):
            strings = [(p, v) for p, v in nodes(copied) if p and isinstance(v, str)]
            if strings:
                where, _old = data.draw(st.sampled_from(strings))
                copied = put(copied, where, data.draw(odd_texts(max_size=10)))
        siblings = get(doc, path[:-1])
        siblings.insert(data.draw(st.integers(0, len(siblings))), copied)
        return doc, f"{kind} {path}"
    if kind in ("string", "long_string"):
        strings = [(p, v) for p, v in leaves if isinstance(v, str)]
        if not strings:
            return doc, "nothing (no string)"
        path, _old = data.draw(st.sampled_from(strings))
        value = data.draw(texts() if kind == "string" else long_texts())
        return put(doc, path, value), f"{kind} {path} = {value!r:.80} ({len(value)} characters)"
    if kind == "restructure":
        path, old = data.draw(st.sampled_from(everything))
        how = data.draw(st.sampled_from(["list", "object", "as_object", "as_list", "empty", "nest"]))
        if how == "list":
            value = [old]
        elif how == "object":
            value = {"value": old}
        elif how == "as_object" and isinstance(old, list):
            value = {str(i): v for i, v in enumerate(old)}
        elif how == "as_list" and isinstance(old, dict):
            value = list(old.values())
        elif how == "nest":
            value = old
            for _ in range(data.draw(st.integers(2, 50))):
                value = [value]
        else:
            value = {} if isinstance(old, list) else []
        return put(doc, path, value), f"{kind} {path} {how}"
    if kind == "transplant":
        target, _old = data.draw(st.sampled_from(inner))
        _source, value = data.draw(st.sampled_from(everything))
        return put(doc, target, copy.deepcopy(value)), f"{kind} {target} = {_source}"
    lists = [(p, v) for p, v in inner if isinstance(v, list) and v]
    if lists:
        path, _old = data.draw(st.sampled_from(lists))
        return put(doc, path, []), f"empty_list {path}"
    return doc, "nothing"


# --- Mutations of the file's text -------------------------------------------------------------
SENTINEL = "\u0000fuzz-sentinel\u0000"
_SENTINEL_JSON = json.dumps(SENTINEL)


def file_bytes(data, doc) -> tuple[bytes, object, str]:
    """The document as a file, sometimes with its text changed; returns the bytes, the
    document its problems' places are looked up in, and what was done."""
    how = data.draw(
        st.sampled_from(["as_is"] * 6 + ["bom", "utf16", "latin1", "truncate", "key_twice", "deep"]),
        label="file",
    )
    text = json.dumps(doc, ensure_ascii=data.draw(st.booleans(), label="ascii"))
    if how == "bom":
        return ("\ufeff" + text).encode("utf-8"), doc, how
    if how == "utf16":
        return text.encode("utf-16"), doc, how
    if how == "latin1":
        content = text.encode("latin-1", errors="replace")
        try:  # characters Latin-1 lacks became "?": the places are those of the file as read
            return content, json.loads(content.decode("utf-8")), how
        except ValueError:
            return content, doc, how  # not UTF-8: refused as a whole
    if how == "truncate":
        at = data.draw(st.integers(0, max(len(text) - 1, 0)))
        return text[:at].encode("utf-8"), doc, f"{how} at {at}"
    objects = [(p, v) for p, v in nodes(doc) if p and isinstance(p[-1], str)]
    if how == "as_is" or not objects:
        return text.encode("utf-8"), doc, "as_is"
    path, value = data.draw(st.sampled_from(objects))
    marked = put(copy.deepcopy(doc), path, SENTINEL)
    marked_text = json.dumps(marked)
    if how == "key_twice":
        # the key given twice in its object, with the same value
        replacement = f"{json.dumps(value)}, {json.dumps(path[-1])}: {json.dumps(value)}"
        return marked_text.replace(_SENTINEL_JSON, replacement).encode("utf-8"), doc, f"{how} {path}"
    depth = data.draw(st.sampled_from([20, 500, 5_000, 100_000]), label="depth")
    replacement = "[" * depth + json.dumps(value) + "]" * depth
    shown = value
    for _ in range(min(depth, 10)):
        shown = [shown]
    return (
        marked_text.replace(_SENTINEL_JSON, replacement).encode("utf-8"),
        put(copy.deepcopy(doc), path, shown),
        f"deep {depth} at {path}",
    )


# --- The command ------------------------------------------------------------------------------
def _event(outcome: str) -> None:
    """Count the outcome in Hypothesis's statistics (``--hypothesis-show-statistics``)."""
    if currently_in_test_context():
        event(outcome)


def run_import(path) -> tuple[CommandError | None, str]:
    err = io.StringIO()
    try:
        call_command("import_records", str(path), "--no-progress", stdout=io.StringIO(), stderr=err)
    except CommandError as refused:
        return refused, err.getvalue()
    return None, err.getvalue()


def assert_import_keeps_its_promises(path, places) -> str:
    """Import the file at ``path`` (the database holds what the example put there): refused,
    with nothing written and every problem named by its place in ``places``; or accepted,
    and then importing it again changes nothing. Returns "refused" or "accepted"."""
    before = database_state()
    refused, err = run_import(path)
    after = database_state()
    if refused is not None:
        note(f"refused: {refused}\n{err[:2000]}")
        assert refused.returncode == 1
        assert after == before, f"a refused file wrote rows: {state_difference(before, after)}"
        assert "database changed while importing" not in str(refused), "a conflict the checks did not see"
        invalid = refused.__context__
        if isinstance(invalid, RecordsInvalid):
            assert invalid.problems
            assert err.splitlines() == list(invalid.problems), "one line per problem"
            unplaced = [p for p in invalid.problems if not names_a_place(places, p)]
            assert not unplaced, f"problems not named by a place in the file: {unplaced[:5]}"
            _event("refused, with the problems' places")
        else:
            assert "is not valid JSON" in str(refused), str(refused)
            _event("refused: not JSON")
        return "refused"
    _event("accepted")
    again, err = run_import(path)
    assert again is None, f"an accepted file was refused the second time: {again}\n{err[:2000]}"
    assert database_state() == after, f"importing again wrote rows: {state_difference(after, database_state())}"
    return "accepted"


def _mutated(data) -> tuple[str, bytes, object]:
    name = data.draw(st.sampled_from(sorted(BASES)), label="base")
    doc = copy.deepcopy(BASES[name])
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        doc, done = mutate(data, doc)
        note(done)
    content, places, done = file_bytes(data, doc)
    note(done)
    return name, content, places


# --- The properties ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(BASES))
def test_every_base_file_is_valid_and_imports_once(name, tmp_path):
    """The files the properties mutate import, and a second import changes nothing."""
    assert validate(copy.deepcopy(BASES[name])) == []
    path = tmp_path / "records.json"
    path.write_text(json.dumps(BASES[name]), encoding="utf-8")
    assert assert_import_keeps_its_promises(path, BASES[name]) == "accepted"


@hypothesis_settings(max_examples=CI_EXAMPLES)
@given(data=st.data())
def test_a_mutated_file_is_refused_naming_each_place_or_imported_once(data, tmp_path):
    _name, content, places = _mutated(data)
    path = tmp_path / "records.json"
    path.write_bytes(content)
    with rolled_back():
        assert_import_keeps_its_promises(path, places)


@hypothesis_settings(max_examples=CI_EXAMPLES // 2)
@given(data=st.data())
def test_a_mutated_file_over_its_imported_original_is_refused_naming_each_place_or_imported_once(data, tmp_path):
    """The same over the stored records of the unmutated file: different content is refused
    naming the key, and what is new is added."""
    name, content, places = _mutated(data)
    original, path = tmp_path / "original.json", tmp_path / "records.json"
    original.write_text(json.dumps(BASES[name]), encoding="utf-8")
    path.write_bytes(content)
    with rolled_back():
        refused, err = run_import(original)
        assert refused is None, err
        assert_import_keeps_its_promises(path, places)


# --- What the fuzzing found -------------------------------------------------------------------
def _refused_lines(tmp_path, doc) -> list[str]:
    path = tmp_path / "records.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    before = database_state()
    refused, err = run_import(path)
    assert refused is not None and refused.returncode == 1
    assert database_state() == before
    return err.splitlines()


def test_a_problem_quoting_a_line_break_is_printed_on_one_line(tmp_path):
    """A value with a line break or another control character, quoted in a problem, is
    written escaped: each problem stays one line that starts with its place."""
    doc = copy.deepcopy(BASES["perfect-first-year"])
    enrolment = doc["students"][0]["enrolments"][0]
    enrolment["contract"] = "degree\r\nexam"
    enrolment["isp"][0]["course"] = "A01\u2028"
    assert _refused_lines(tmp_path, doc) == [
        "students[0].enrolments[0].contract: 'degree\\r\\nexam' is not one of 'degree', 'credit', 'exam_degree', "
        "'exam_credit'",
        "students[0].enrolments[0].isp[0].course: unknown course 'A01\\u2028' in programme 'BA-NURS'",
        "students[0].enrolments[0].results[0].course: course 'A01' is not in this ISP",
    ]


def test_a_nul_character_in_a_text_is_refused_with_its_place(tmp_path):
    """PostgreSQL cannot store a NUL character (the import ended in a DataError there, and
    stored it on SQLite): a text holding one is refused at its place."""
    doc = copy.deepcopy(BASES["perfect-first-year"])
    doc["programmes"][0]["name"] = "Bachelor in Nursing\x00"
    doc["students"][0]["first_name"] = "\x00"
    assert _refused_lines(tmp_path, doc) == [
        "programmes[0].name: contains a NUL character",
        "students[0].first_name: contains a NUL character",
    ]
