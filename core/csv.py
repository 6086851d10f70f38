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
``,`` or a tab) and takes the neutralising ``'`` off again. A file it cannot read as such
text raises ``UnreadableFile`` with a message for the person who uploaded it: UTF-16 (what
Excel saves as "Unicode text"), a workbook saved under a ``.csv`` name, a cell longer than
Python's CSV field limit (131,072 characters: in practice a quote that is never closed).
"""

import codecs
import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.errors import Refused

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
FIELD_LIMIT = csv.field_size_limit()  # Python's default, 131,072 characters; never raised here
NOT_UTF8 = _(
    "This file is not saved as UTF-8 or Windows-1252 text but as UTF-16 (what Excel calls "
    '"Unicode text"). In Excel, choose Save as and the file type "CSV UTF-8 (comma delimited)", '
    "then upload that file."
)
WORKBOOK = _(
    "This file is an Excel workbook, not a CSV file. In Excel, choose Save as and the file type "
    '"CSV UTF-8 (comma delimited)", then upload that file.'
)
FIELD_TOO_LONG = _(
    'Row %(row)s cannot be read: it has a cell of more than %(count)s characters, or a quote (") that is never closed.'
)


class UnreadableFile(Refused):
    """An upload that cannot be read as the text of a CSV file; the message says why and what to do."""

    default_code = "csv_unreadable"

    def __init__(self, message):
        super().__init__([message])


def _utf16(data: bytes) -> bool:
    """A byte order mark of UTF-16 (or UTF-32), or the NUL byte of every other position that
    UTF-16 without one has in a text of Latin letters. A stray NUL in UTF-8 text is not this."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    sample = data[:4096]
    return len(sample) >= 4 and sample.count(0) * 4 >= len(sample)


def decode(data: bytes) -> str:
    """The text of an uploaded file: UTF-8 (with or without byte order mark), else Windows-1252.

    Raises ``UnreadableFile`` for UTF-16 (which would otherwise read as Windows-1252 with a
    NUL between the letters, and be refused for its columns) and for a workbook."""
    if _utf16(data):
        raise UnreadableFile(NOT_UTF8)
    if data.startswith(b"PK\x03\x04"):  # a zip archive: an XLSX saved under another name
        raise UnreadableFile(WORKBOOK)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def sniff_delimiter(text: str) -> str:
    """The separator the first non-empty line (the header) uses most: ``;``, ``,`` or a tab."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return max([DELIMITER, ",", "\t"], key=first.count)


def iter_rows(data: bytes | str) -> Iterator[list[str]]:
    """The rows of a CSV file as texts, neutralising ``'`` taken off, one at a time (an importer
    can stop at its limit). Raises ``UnreadableFile`` naming the row (the header is row 1)
    that cannot be read."""
    text = decode(data) if isinstance(data, bytes) else data.lstrip(BOM)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    number = 0
    while True:
        number += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            # In Python 3.11 the reader's only error on text: a field over the limit.
            raise UnreadableFile(
                FIELD_TOO_LONG % {"row": number, "count": formats.number_format(FIELD_LIMIT, force_grouping=True)}
            ) from None
        yield [unneutralise(value) for value in row]


def read_rows(data: bytes | str) -> list[list[str]]:
    """The rows of a CSV file as texts, neutralising ``'`` taken off (see ``iter_rows``)."""
    return list(iter_rows(data))


def control_character(text: str) -> bool:
    """Whether ``text`` holds a control character (a NUL byte, a tab, a line break...): never
    part of a code, a name or a room typed in a cell (and PostgreSQL stores no NUL byte)."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def text_problem(column: str, value: str, max_length: int) -> str | None:
    """Why the text of a cell of ``column`` cannot be taken as typed, or None: a control
    character, or more characters than the field it is stored or looked up in holds."""
    if control_character(value):
        return _(
            "The cell in column %(column)s holds a control character (such as a NUL byte, a tab or a line break)."
        ) % {"column": column}
    if len(value) > max_length:
        return _("The cell in column %(column)s has %(length)s characters; at most %(max)s fit.") % {
            "column": column,
            "length": len(value),
            "max": max_length,
        }
    return None


def visible(text: str, length: int = 40) -> str:
    """A typed text as a message shows it: control characters made visible, cut to ``length``."""
    text = "".join("\ufffd" if control_character(ch) else ch for ch in text)
    return text if len(text) <= length else text[: length - 1] + "…"


def parse_decimal(text: str) -> Decimal:
    """``12,50`` or ``12.50`` -> ``Decimal("12.50")``; ValueError otherwise."""
    from decimal import InvalidOperation

    try:
        return Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(text) from None
