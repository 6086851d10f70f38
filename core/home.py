"""The home page's panels: each persona's work for today, with counts and links.

``core`` knows no app. Each app registers its panel from its ``AppConfig.ready()`` (its
``home.py``): a ``Panel`` names the capability it needs (``core.permissions.Capability``)
and a function ``items(user, today)`` that returns the panel's lines, counted within what
the user may see (``core.permissions.scope``). The home page shows, in ``order``, the
panels of the capabilities the user holds; later features add their own panel (or lines to
one) the same way, without touching the home page.

Keep ``items`` cheap: a few aggregate queries, never one per row (the home page's tests
bound its number of queries).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from .pagination import shown_count
from .permissions import Capability, scope


@dataclass(frozen=True)
class Item:
    """One line of a panel: ``count`` things to do, described by ``label`` (already
    translated, with the count in it), linking to ``url`` where they are done.
    ``tone``: "danger" (overdue, late), "warning" (due soon), "" (to do)."""

    label: str
    count: int
    url: str = ""
    tone: str = ""
    note: str = ""

    @property
    def shown(self):
        """The count as the panel shows it: "1,000+" beyond a capped count's cap (``core.pagination``)."""
        return shown_count(self.count)


@dataclass(frozen=True)
class Panel:
    """What an app adds to the home page: ``title`` (lazy translation), shown to users with
    ``capability``; ``items(user, today)`` its lines; ``link`` (url name, label) the page
    where the whole work lives."""

    key: str
    title: object
    capability: Capability
    order: int
    items: Callable[[object, datetime.date], list[Item]]
    link: tuple[str, object] | None = None


@dataclass(frozen=True)
class Shown:
    """A panel as the home page shows it to one user."""

    panel: Panel
    items: list[Item]

    @property
    def total(self) -> int:
        return sum(item.count for item in self.items)


_panels: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    """Called from an app's ``ready()``; registering the same key again replaces it."""
    _panels[panel.key] = panel


def panels() -> list[Panel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))


def panels_for(user, *, today: datetime.date) -> list[Shown]:
    """The panels ``user`` may see, in order, with their lines for ``today``."""
    user_scope = scope(user)
    return [Shown(panel, list(panel.items(user, today))) for panel in panels() if user_scope.has(panel.capability)]
