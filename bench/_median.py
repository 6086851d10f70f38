"""The median of a benchmark's figures over several runs (``python -m bench --runs 3``; issue 19:
"each figure the median of three runs").

A benchmark's ``run`` returns its figures: a dataclass (its fields and numeric properties), a
dict, or a list of them. ``leaves`` flattens one run's figures into named numbers (a list's items
named by their persona and page, or their ``n``, else their place), ``medians`` gives each name
found in every run its median, lowest and highest value, and ``report`` prints them."""

import dataclasses
import statistics
from collections.abc import Iterable

# The fields that name an item of a list of figures (the pages benchmark's pages: persona, page).
LABELS = ("persona", "page", "name")


def _members(value) -> dict | None:
    """A dataclass's fields and numeric properties, or a dict's items; None for anything else."""
    if isinstance(value, dict):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        members = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        for name in dir(type(value)):
            if not name.startswith("_") and isinstance(getattr(type(value), name), property):
                members[name] = getattr(value, name)
        return members
    return None


def _label(item, place: int) -> str:
    members = _members(item) or {}
    named = [str(members[key]) for key in LABELS if isinstance(members.get(key), str)]
    if named:
        return ": ".join(named)
    if isinstance(members.get("n"), int):
        return f"n={members['n']:,}"
    return str(place)


def leaves(value, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], float]:
    """Every number of ``value`` by its path (booleans are verdicts, not figures)."""
    if isinstance(value, bool):
        return {}
    if isinstance(value, int | float):
        return {path: value}
    members = _members(value)
    found = {}
    if members is not None:
        for key, member in members.items():
            found.update(leaves(member, (*path, str(key))))
    elif isinstance(value, list | tuple):
        for place, item in enumerate(value):
            found.update(leaves(item, (*path, _label(item, place) if _members(item) is not None else str(place))))
    return found


@dataclasses.dataclass(frozen=True)
class Median:
    name: str
    median: float
    low: float
    high: float


def medians(runs: Iterable) -> list[Median]:
    """The median, lowest and highest value of each number found in every run, in the first
    run's order."""
    flat = [leaves(run) for run in runs]
    if not flat:
        return []
    return [
        Median(" / ".join(path), statistics.median(values), min(values), max(values))
        for path in flat[0]
        if all(path in run for run in flat)
        for values in [[run[path] for run in flat]]
    ]


def _shown(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.3f}".rstrip("0").rstrip(".")


def report(name: str, runs: list) -> None:
    print(f"[{name}] the median of {len(runs)} runs (lowest-highest)", flush=True)
    for figure in medians(runs):
        spread = "" if figure.low == figure.high else f" ({_shown(figure.low)}-{_shown(figure.high)})"
        print(f"  {figure.name:<60} {_shown(figure.median)}{spread}", flush=True)
