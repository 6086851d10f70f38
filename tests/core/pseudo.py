"""A pseudo locale for tests: every string that goes through gettext comes out wrapped in
markers, so text a page shows without gettext stands out (tests/core/test_pseudo_locale.py); it also
records every message looked up, so that a message missing from the Dutch catalogue (marked
with a name makemessages does not know) stands out too.

``pseudo_locale()`` puts a catalogue in place of English whose gettext, ngettext and
pgettext return the English text between ``OPEN`` and ``CLOSE``; ``untranslated(text,
data)`` returns the words of a visible text that are neither inside markers nor data.
"""

import re
from contextlib import contextmanager
from html.parser import HTMLParser

from django.utils import translation
from django.utils.translation import trans_real

OPEN, CLOSE = "\u27e6", "\u27e7"  # ⟦ ⟧: characters no page or data uses
LANGUAGE = "en"


def _wrap(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}" if text else text


class PseudoTranslation(trans_real.DjangoTranslation):
    """English, with every message between markers. pgettext looks ``context\\x04message``
    up through gettext and falls back to the message when the separator comes back, so
    the context is cut off here, before the markers are added."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.looked_up: set[str | tuple[str, int]] = set()  # every message asked for, as a catalogue key

    def gettext(self, message):
        self.looked_up.add(message)
        result = super().gettext(message)
        if trans_real.CONTEXT_SEPARATOR in result:
            result = result.split(trans_real.CONTEXT_SEPARATOR, 1)[1]
        return _wrap(result)

    def ngettext(self, msgid1, msgid2, n):
        self.looked_up.add((msgid1, 0))
        return _wrap(super().ngettext(msgid1, msgid2, n))


@contextmanager
def pseudo_locale():
    """Within the block, English is the pseudo locale (for the test client's requests too:
    LocaleMiddleware activates English from the same cache of catalogues)."""
    saved, default = trans_real._translations.get(LANGUAGE), trans_real._default
    active = getattr(trans_real._active, "value", None)
    pseudo = PseudoTranslation(LANGUAGE)
    trans_real._translations[LANGUAGE] = pseudo
    trans_real._default = pseudo
    translation.activate(LANGUAGE)
    try:
        yield pseudo
    finally:
        if saved is None:
            trans_real._translations.pop(LANGUAGE, None)
        else:
            trans_real._translations[LANGUAGE] = saved
        trans_real._default = default
        translation.deactivate()
        if active is not None:
            trans_real._active.value = active


# --- what a page shows -----------------------------------------------------------------
# Attributes a user reads (tooltips, placeholders, screen readers, button captions).
READ_ATTRIBUTES = {"title", "placeholder", "aria-label", "alt", "aria-description"}
BUTTON_INPUTS = {"submit", "button", "reset"}
SKIPPED_ELEMENTS = {"script", "style", "template", "noscript"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)
        attributes = dict(attrs)
        for name in READ_ATTRIBUTES:
            if attributes.get(name):
                self.texts.append(attributes[name])
        if tag == "input" and (attributes.get("type") or "").lower() in BUTTON_INPUTS and attributes.get("value"):
            self.texts.append(attributes["value"])

    def handle_endtag(self, tag):
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    """The texts of a page a user reads: text nodes (outside scripts and styles) and the
    attributes in ``READ_ATTRIBUTES`` and button captions."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return [" ".join(text.split()) for text in parser.texts]


# --- what is left outside the markers ------------------------------------------------------
_INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
# A word with a digit is data: numbers, dates, student numbers, course codes, years, references.
_WORD = re.compile(r"[^\s]+")
_LETTERS = re.compile(r"[^\W\d_]{2,}")


_UNCLOSED = re.compile(f"{OPEN}.*$", re.S)
_UNOPENED = re.compile(f"^.*{CLOSE}", re.S)


def _balanced_out(text: str) -> str:
    previous = None
    while previous != text:
        previous, text = text, _INNERMOST.sub(" ", text)
    return text


def outside_markers(text: str) -> str:
    """``text`` without what stands between markers (innermost first, so a translated
    sentence with a translated value inside goes as a whole). A marker without its pair
    (a translation cut short by truncation, or split by an element inside it) hides the
    rest of the text after an opening marker, or the text before a closing one."""
    text = _balanced_out(text)
    text = _UNCLOSED.sub(" ", _UNOPENED.sub(" ", text))
    return text


def page_texts(texts: list[str]) -> list[tuple[str, str]]:
    """(text, what is left of it outside markers) for each visible text of a page. The
    pairs of markers are matched over the page first: a translation with markup inside
    (``<strong>``) spans several texts."""
    separator = "\n"
    joined = _balanced_out(separator.join(t.replace(separator, " ") for t in texts))
    rests = joined.split(separator)
    if len(rests) != len(texts):  # a pair swallowed a separator: compare text by text
        rests = texts
    return [(text, outside_markers(rest)) for text, rest in zip(texts, rests, strict=True)]


def data_pattern(phrases) -> re.Pattern | None:
    """One pattern for every data phrase, longest first (a name before its first word)."""
    phrases = sorted({p.strip() for p in phrases if p and p.strip()}, key=len, reverse=True)
    if not phrases:
        return None
    return re.compile("|".join(re.escape(p) for p in phrases))


def untranslated(
    text: str, data: re.Pattern | None, allowed_words=frozenset(), *, rest: str | None = None
) -> list[str]:
    """The words of ``text`` outside markers (or of ``rest``, what is left of it) that are
    not data: a word counts when it has two letters or more in a row and no digit, and is
    not one of ``allowed_words``."""
    rest = outside_markers(text) if rest is None else rest
    if data is not None:
        rest = data.sub(" ", rest)
    found = []
    for word in _WORD.findall(rest):
        if any(ch.isdigit() for ch in word):
            continue
        for letters in _LETTERS.findall(word):
            if letters not in allowed_words:
                found.append(letters)
    return found
