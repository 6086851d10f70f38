"""Filters shared by the lists (django-filter), and the words of a free-text search."""

from dataclasses import dataclass

import django_filters
from django.forms.utils import pretty_name
from django.utils.functional import lazy
from django.utils.text import smart_split
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# A search matches every word it is given, each in a name or a number: one condition per word,
# so a pasted text of a thousand words would build a query too large for the database (SQLite
# refuses a tree deeper than 1,000, or a LIKE pattern over 50,000 bytes). The first words say
# enough; no name or student number is longer than ``MAX_WORD_LENGTH`` characters.
MAX_SEARCH_WORDS = 10
MAX_WORD_LENGTH = 100
SEARCH_CUT = _("The search uses the first %(words)s words, each up to %(length)s characters: the rest was left out.")


@dataclass(frozen=True)
class SearchWords:
    """The words a search uses (``words``) and whether some of the text was left out (``cut``)."""

    words: tuple[str, ...]
    cut: bool

    @property
    def note(self) -> str:
        """What to tell the user when ``cut``, else an empty string."""
        if not self.cut:
            return ""
        return str(SEARCH_CUT) % {"words": MAX_SEARCH_WORDS, "length": MAX_WORD_LENGTH}


def search_words(text: str, *, quoted: bool = False) -> SearchWords:
    """The first ``MAX_SEARCH_WORDS`` words of ``text``, each cut to ``MAX_WORD_LENGTH``
    characters. ``quoted``: a phrase in quotes is one word (as the admin's search reads it,
    ``django.utils.text.smart_split``)."""
    found = list(smart_split(text)) if quoted else text.split()
    words = tuple(word[:MAX_WORD_LENGTH] for word in found[:MAX_SEARCH_WORDS])
    cut = len(found) > MAX_SEARCH_WORDS or any(len(word) > MAX_WORD_LENGTH for word in found[:MAX_SEARCH_WORDS])
    return SearchWords(words, cut)


class WordSearchMixin:
    """For a FilterSet whose free-text filter matches word by word: ``self.words(value)`` gives
    the words to use and keeps ``search_note`` for the page (the filter card shows it)."""

    search_note = ""

    def words(self, value: str) -> tuple[str, ...]:
        found = search_words(value)
        self.search_note = found.note
        return found.words


def _descending(label) -> str:
    return gettext("%(field)s (descending)") % {"field": label}


descending = lazy(_descending, str)


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's ordering choices with the descending labels translated when they are
    shown: django-filter formats them once, when the filter set is defined, so they stay
    in the language of that moment (English)."""

    def build_choices(self, fields, labels):
        ascending = [(param, labels.get(field, _(pretty_name(param)))) for field, param in fields.items()]
        descending_ = [(f"-{param}", labels.get(f"-{param}") or descending(label)) for param, label in ascending]
        return [choice for pair in zip(ascending, descending_, strict=True) for choice in pair]
