"""Queries and writes in slices."""

from collections.abc import Iterable, Iterator

# SQLite refuses statements with too many parameters: look records up in slices.
QUERY_CHUNK = 500


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def in_chunks(queryset, field: str, values: Iterable) -> Iterator:
    """``queryset.filter(field__in=values)``, in slices small enough for every database."""
    values = list(values)
    for chunk in chunks(values, QUERY_CHUNK):
        yield from queryset.filter(**{f"{field}__in": chunk})
