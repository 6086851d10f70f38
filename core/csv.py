"""CSV files for people, in the form a Belgian Excel opens as it stands.

Every export of the app writes through this module, so that every file is the same:

- UTF-8 with a byte order mark (Excel reads a file without one as Windows-1252);
- ``;`` between the cells (Excel with Belgian regional settings splits on ``;``, not ``,``);
- decimal commas in numbers (``12,50``), no thousands separator; integers as they are;
- dates in ISO form (``2026-12-02``), which Excel recognises in every language and which
  sorts; times as ``HH:MM``; ``True``/``False`` as ``1``/``0``;
- lines end in CRLF (RFC 4180).

Text typed by someone (a name, a reason, a room) is neutralised against formula injection
(OWASP "CSV injection"): a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading ``'`` so that a spreadsheet shows it as text and never runs
it. Numbers are values, not text: a negative amount stays ``-12,50``.

The importers read what these files hold (and what Excel saves): ``read_rows`` takes the
byte order mark or none, UTF-8 or Windows-1252, the separator the header uses (``;``,
``,`` or a tab) and takes the neutralising ``'`` off again.
"""

import csv
import datetime
import io
import re
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django.utils.functional import Promise

BOM = "\ufeff"
DELIMITER = ";"
LINE_END = "\r\n"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPE = "text/csv; charset=utf-8"


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would take it for a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def unneutralise(text: str) -> str:
    """The typed text back from a neutralised cell (``'=A1`` -> ``=A1``)."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def decimal_comma(value: Decimal | float) -> str:
    """``Decimal("12.50")`` -> ``12,50``; no thousands separator, no exponent."""
    text = format(value, "f") if isinstance(value, Decimal) else repr(float(value))
    return text.replace(".", ",")


def cell(value) -> str:
    """One value as the text of its cell (see the module's rules)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (Decimal, float)):
        return decimal_comma(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    if isinstance(value, Promise):
        value = str(value)
    return neutralise(str(value))


class Writer:
    """Rows written to ``out`` (a text file or a ``HttpResponse``), with the byte order
    mark first. ``writer.row([...])`` takes Python values (see ``cell``)."""

    def __init__(self, out):
        self.out = out
        out.write(BOM)
        self._writer = csv.writer(out, delimiter=DELIMITER, lineterminator=LINE_END, quoting=csv.QUOTE_MINIMAL)

    def row(self, values: Iterable) -> None:
        self._writer.writerow([cell(v) for v in values])

    def rows(self, rows: Iterable[Iterable]) -> None:
        for values in rows:
            self.row(values)


def csv_text(rows: Iterable[Iterable]) -> str:
    """The CSV text (byte order mark included) of ``rows``."""
    out = io.StringIO()
    Writer(out).rows(rows)
    return out.getvalue()


def safe_filename(name: str, extension: str = "csv") -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_") + "." + extension


def csv_response(filename: str) -> tuple[HttpResponse, Writer]:
    """An attachment named ``filename`` (made safe) and the writer that fills it."""
    response = HttpResponse(content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename.removesuffix(".csv"))}"'
    return response, Writer(response)


# --- Reading ---------------------------------------------------------------------------------
def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without byte order mark), else Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """The separator the first non-empty line (the header) uses most: ``;``, ``,`` or a tab."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max([DELIMITER, ",", "\t"], key=first.count)


def read_rows(data: bytes | str) -> list[list[str]]:
    """The rows of a CSV file as texts, neutralising ``'`` taken off."""
    text = decode(data) if isinstance(data, bytes) else data.lstrip(BOM)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    return [[unneutralise(value) for value in row] for row in reader]


def parse_decimal(text: str) -> Decimal:
    """``12,50`` or ``12.50`` -> ``Decimal("12.50")``; ValueError otherwise."""
    from decimal import InvalidOperation

    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(text) from None
