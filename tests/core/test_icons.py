"""Icons that do not depend on the installed fonts, and a favicon (issue 13, point 6).

Debian's default fonts (DejaVu) have no glyph for the symbols and pictographs blocks
(U+2600-U+27BF, U+1F000 and up: "⛔" showed as an empty box): the pages draw such icons as
inline SVG ({% icon %}), and no template or message uses those characters."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template

from students.rules import Problem

# The blocks a plain Debian install has no font for: miscellaneous symbols, dingbats, emoji.
NEEDS_A_SYMBOL_FONT = re.compile("[\u2600-\u27bf\U0001f000-\U0001faff\ufe0f]")


def project_files():
    base = Path(settings.BASE_DIR)
    for folder in [base / "templates", *base.glob("*/templates")]:
        yield from folder.rglob("*.html")
        yield from folder.rglob("*.txt")
    for path in base.glob("*/**/*.py"):
        relative = path.relative_to(base).as_posix()
        if not relative.startswith((".venv/", "tests/")):
            yield path
    yield from (base / "locale").rglob("*.po")


def test_no_page_or_message_needs_a_symbol_font():
    found = [
        f"{path.relative_to(settings.BASE_DIR)}: {''.join(sorted(set(chars)))}"
        for path in project_files()
        if (chars := NEEDS_A_SYMBOL_FONT.findall(path.read_text(encoding="utf-8")))
    ]
    assert found == []


def test_an_icon_is_inline_svg_in_the_texts_colour():
    html = Template('{% load college %}{% icon "no-entry" %}').render(Context())
    assert html.startswith('<svg class="college-icon" viewBox="0 0 16 16" aria-hidden="true"')
    assert 'fill="currentColor"' in html and html.endswith("</svg>")


def test_an_unknown_icon_is_an_error_not_an_empty_box():
    with pytest.raises(KeyError):
        Template('{% load college %}{% icon "nothing" %}').render(Context())


def test_a_refusal_is_marked_with_the_no_entry_icon():
    problem = Problem("submission_deadline_passed", (("deadline", datetime.date(2026, 10, 15)),))
    html = Template('{% include "progress/_problems.html" %}').render(Context({"problems": [problem]}))
    assert 'data-icon="no-entry"' in html
    assert "\u26d4" not in html


@pytest.mark.django_db
def test_the_favicon_is_served_at_the_sites_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    assert b"".join(response.streaming_content if response.streaming else [response.content])[:4] == (
        b"\x00\x00\x01\x00"  # the ICO file signature
    )


def test_every_page_names_its_icon():
    base = (Path(settings.BASE_DIR) / "templates" / "base.html").read_text()
    assert '<link rel="icon" href="/favicon.ico"' in base
