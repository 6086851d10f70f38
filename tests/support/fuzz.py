"""What the fuzzed imports share (tests/*/test_fuzz_*.py, issue 14 point 15).

- ``rolled_back()``: each Hypothesis example runs in a transaction that is rolled back, so the
  examples of one test (which share the test's ``db`` fixture) do not see each other's writes.
- ``database_state()``: the row count and a checksum of every table of every installed model
  (``django.apps.get_models``, history and many-to-many tables included): a refused import
  leaves it as it was, and an accepted file imported again leaves it as the first import did.
- strategies for odd texts (unicode without surrogates, NUL and other control characters,
  very long strings) and for tables of cells (the CSV and XLSX uploads), with the encodings,
  separators and byte order marks the uploads meet.

The Hypothesis profiles (``ci`` by default, ``thorough`` with ``HYPOTHESIS_PROFILE=thorough``)
are registered in tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import math
import re

from django.apps import apps
from django.db import connection, transaction
from hypothesis import strategies as st

# Tables a web request writes by itself (the session, login attempts): the HTTP-driven
# properties leave them out of the state they compare; the commands compare every table.
REQUEST_TABLES = ("sessions", "axes")


@contextlib.contextmanager
def rolled_back():
    """A transaction (a savepoint inside the test's) that is always rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def database_state(*, leave_out: tuple[str, ...] = ()) -> dict[str, tuple[int, str]]:
    """Model label -> (row count, checksum of its rows), for every table of every installed
    model except those of the app labels in ``leave_out`` (plain SQL: it runs twice or more
    per example)."""
    state = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            if model._meta.app_label in leave_out or not model._meta.managed or model._meta.proxy:
                continue
            table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
            cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")  # noqa: S608 (names from the models)
            rows = cursor.fetchall()
            digest = hashlib.sha256(repr(rows).encode("utf-8", "surrogatepass")).hexdigest()
            state[model._meta.label] = (len(rows), digest)
    return state


def state_difference(before: dict, after: dict) -> dict:
    """The tables whose rows differ: label -> (before, after) row counts."""
    return {
        label: (before.get(label, (0,))[0], after.get(label, (0,))[0])
        for label in before | after
        if before.get(label) != after.get(label)
    }


# --- Texts ----------------------------------------------------------------------------------
# Any character but a surrogate (a UTF-8 file cannot hold one): control characters, NUL,
# right-to-left marks, combining marks, emoji, full-width and other non-ASCII digits.
ANY_CHARACTER = st.characters(exclude_categories=("Cs",))
ODD_CHARACTERS = st.sampled_from(
    ["\x00", "\t", "\n", "\r", "\x0b", "\x1b", "\x7f", "\u0085", "\u00a0", "\u200b", "\u200e", "\u202e", "\u2028",
     "\ufeff", "\ufffd", "\uffff", "\U0001f600", "\u0301", "\uff11", "\u0661", "\u00b2", "é", "ß", "İ", "'", '"', ";",
     ",", "=", "\\", "%s", "%(x)s", "{0}", "<script>", "\x80"]
)  # fmt: skip


def odd_texts(*, max_size: int = 40) -> st.SearchStrategy[str]:
    """Short texts of odd characters, or of any character."""
    return st.one_of(
        st.lists(ODD_CHARACTERS, min_size=1, max_size=6).map("".join),
        st.text(ANY_CHARACTER, min_size=0, max_size=max_size),
    )


def long_texts() -> st.SearchStrategy[str]:
    """Texts at and just over the lengths the models allow, and very long ones."""
    lengths = st.sampled_from([32, 33, 100, 101, 200, 201, 254, 255, 1000, 131_073, 1_000_000])
    return st.tuples(lengths, st.sampled_from(["x", "é", "\U0001f600", "1", " "])).map(lambda t: t[1] * t[0])


def texts() -> st.SearchStrategy[str]:
    """An odd, a long, or a text that merely looks like another type."""
    return st.one_of(
        odd_texts(),
        long_texts(),
        st.sampled_from(["", " ", "null", "true", "12", "12.0", "1e3", "-1", "0x10", "NaN", "[]", "{}"]),
    )


# --- Tables (the CSV and XLSX uploads) --------------------------------------------------------
def cells() -> st.SearchStrategy[str]:
    """The text of a cell that replaces a good one."""
    return st.one_of(
        texts(),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from(["-1", "0", "1", "2", "3", "20", "21", "99999999999999999999", "1.5", "12,5", "1e1"]),
    )


def mutate_table(data, table: list[list[str]], *, cell_values: st.SearchStrategy[str] | None = None) -> list[str]:
    """Change ``table`` (a header and its rows) in place, one to three times; returns what was
    done, for the failure report. The header is changed less often than the rows."""
    if cell_values is None:
        cell_values = cells()
    done = []
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        kind = data.draw(
            st.sampled_from(
                ["cell", "cell", "cell", "empty_cell", "duplicate_row", "drop_row", "blank_row", "short_row",
                 "long_row", "drop_column", "rename_column", "swap_columns", "extra_column", "header_case"]
            ),
            label="kind",
        )  # fmt: skip
        rows = len(table)
        if kind in ("cell", "empty_cell") and rows > 1:
            r = data.draw(st.integers(1, rows - 1), label="row")
            c = data.draw(st.integers(0, max(len(table[r]) - 1, 0)), label="column")
            value = data.draw(cell_values, label="value") if kind == "cell" else ""
            if c < len(table[r]):
                table[r][c] = value
            done.append(f"{kind} [{r}][{c}] = {value[:60]!r}")
        elif kind == "duplicate_row" and rows > 1:
            r = data.draw(st.integers(1, rows - 1), label="row")
            table.insert(data.draw(st.integers(1, rows), label="at"), list(table[r]))
            done.append(f"duplicate row {r}")
        elif kind == "drop_row" and rows > 1:
            r = data.draw(st.integers(1, rows - 1), label="row")
            del table[r]
            done.append(f"drop row {r}")
        elif kind == "blank_row":
            table.insert(data.draw(st.integers(0, rows), label="at"), [""] * len(table[0]))
            done.append("blank row")
        elif kind == "short_row" and rows > 1:
            r = data.draw(st.integers(1, rows - 1), label="row")
            table[r] = table[r][: data.draw(st.integers(0, max(len(table[r]) - 1, 0)))]
            done.append(f"short row {r}")
        elif kind == "long_row" and rows > 1:
            r = data.draw(st.integers(1, rows - 1), label="row")
            table[r] = table[r] + data.draw(st.lists(cell_values, min_size=1, max_size=3))
            done.append(f"long row {r}")
        elif kind == "drop_column":
            c = data.draw(st.integers(0, len(table[0]) - 1), label="column")
            for row in table:
                if c < len(row):
                    del row[c]
            done.append(f"drop column {c}")
        elif kind == "rename_column":
            c = data.draw(st.integers(0, len(table[0]) - 1), label="column")
            table[0][c] = data.draw(st.one_of(odd_texts(), st.sampled_from(table[0])), label="name")
            done.append(f"rename column {c} {table[0][c]!r}")
        elif kind == "swap_columns" and len(table[0]) > 1:
            a, b = data.draw(st.permutations(range(len(table[0]))), label="order")[:2]
            for row in table:
                if max(a, b) < len(row):
                    row[a], row[b] = row[b], row[a]
            done.append(f"swap columns {a} {b}")
        elif kind == "extra_column":
            name = data.draw(st.one_of(odd_texts(), st.just("name")), label="name")
            table[0].append(name)
            for row in table[1:]:
                row.append(data.draw(cell_values, label="value"))
            done.append(f"extra column {name!r}")
        elif kind == "header_case":
            table[0] = [data.draw(st.sampled_from([c.upper(), " " + c + " ", c.title(), c])) for c in table[0]]
            done.append("header case")
    return done


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]


def csv_bytes(table: list[list[str]], *, delimiter: str, encoding: str, line_end: str) -> bytes | None:
    """The table as a CSV file; None when the encoding cannot hold its characters."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator=line_end).writerows(table)
    try:
        return out.getvalue().encode(encoding)
    except UnicodeEncodeError:
        return None


def csv_row_count(content: bytes, *, delimiter: str, encoding: str, **_options) -> int:
    """How many rows the CSV file has as a spreadsheet reads it: a line break in a cell that
    the writer did not quote (a bare carriage return) starts a row, as in Excel. For a file
    with a cell over the csv module's limit, its lines (a row is at least one line)."""
    text = content.decode(encoding).removeprefix("\ufeff")
    try:
        return len(list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    except csv.Error:  # the limit is not raised here: the importers rely on it
        return len(text.splitlines())


def csv_options() -> st.SearchStrategy[dict]:
    return st.fixed_dictionaries(
        {
            "delimiter": st.sampled_from([";", ",", "\t"]),
            "encoding": st.sampled_from(ENCODINGS),
            "line_end": st.sampled_from(["\r\n", "\n", "\r"]),
        }
    )


def xlsx_bytes(table: list[list]) -> bytes:
    """The table as an XLSX workbook; the characters XML cannot hold (control characters,
    U+FFFE, U+FFFF), which no spreadsheet writes, are left out of the cells."""
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in table:
        sheet.append([_NOT_XML.sub("", v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def as_number(text: str):
    """A cell as a spreadsheet stores a number typed into it, else the text."""
    # A spreadsheet keeps 15 significant digits: a longer number typed stays text here.
    try:
        number = int(text)
    except ValueError:
        pass
    else:
        return number if abs(number) < 10**15 else text
    try:
        number = float(text)
    except (ValueError, OverflowError):
        return text
    return number if math.isfinite(number) else text
