"""The pages of the long lists (issue 19): they stay as fast with 250,000 students as with 250.

A list counts its rows up to ``CAP`` and no further (``capped_count``: a ``COUNT(*)`` over a
``LIMIT CAP + 1`` subquery, whatever the size of the table) and pages through the first ``CAP``
of them (``CappedPaginator``): the count reads "1,000+" beyond, the last page is the last of the
first ``CAP`` rows (at most an ``OFFSET`` of ``CAP``), and the rows after it are found by
narrowing the filters or reversing the sort. A list whose ordering starts with a column of a few
values (the academic year, the programme, a status) reads a page through ``grouped_rows``: one
query of one bounded part per value, so that each part walks an index on the rest of the
ordering (the names) instead of sorting every row.
"""

import math

from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Case, F, Q, Value, When
from django.utils.formats import number_format
from django.utils.functional import cached_property

CAP = 1000


def capped_count(queryset, cap: int | None = None) -> int:
    """The number of rows of ``queryset`` up to ``cap + 1`` (``cap + 1``: more than ``cap``;
    ``CAP`` unless told), in one query that reads at most ``cap + 1`` rows."""
    cap = CAP if cap is None else cap
    return queryset.order_by().values("pk")[: cap + 1].count()


def shown_count(count: int, cap: int | None = None):
    """A capped count as a page shows it: "1,000+" (in the reader's language) beyond ``cap``
    (``CAP`` unless told)."""
    cap = CAP if cap is None else cap
    return f"{number_format(cap, force_grouping=True)}+" if count > cap else count


class CappedPaginator(Paginator):
    """A ``Paginator`` over the first ``cap`` rows of ``object_list`` (a queryset): ``count``
    is at most ``cap`` and ``capped`` tells that there are more. ``rows(offset, limit)``, when
    given, reads a page's rows (else a slice of the queryset)."""

    def __init__(self, object_list, per_page, *, cap: int | None = None, rows=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = CAP if cap is None else cap
        self.rows = rows

    @cached_property
    def counted(self) -> int:
        return capped_count(self.object_list, self.cap)

    @property
    def capped(self) -> bool:
        """More rows than the pages show."""
        return self.counted > self.cap

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.cap)

    @cached_property
    def num_pages(self) -> int:
        if self.count == 0 and not self.allow_empty_first_page:
            return 0
        return max(1, math.ceil(self.count / self.per_page))

    def get_page(self, number):
        """As ``Paginator.get_page``; "last" is the last page (of the first ``cap`` rows)."""
        return super().get_page(self.num_pages if number == "last" else number)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = min(bottom + self.per_page, self.count)
        if self.rows is not None:
            rows = self.rows(bottom, top - bottom) if top > bottom else []
        else:
            rows = list(self.object_list[bottom:top])
        return self._get_page(rows, number, self)


def grouped_rows(queryset, groups, order, offset: int, limit: int) -> list:
    """The rows ``offset`` to ``offset + limit`` of ``queryset`` ordered by ``groups``, then
    ``order``: ``groups`` the filters (dicts of lookups) of the leading keys of the ordering,
    one per value in the ordering's order (the programmes by code, ...), each group's rows
    before the next group's; ``order`` the ordering within a group (ending with a unique key).
    In two queries whatever the size of the table: the page's keys by a ``UNION ALL`` of one
    part per group, each its first ``offset + limit`` rows in ``order`` (an index walk), then the
    page's rows by their keys. On a database without ``LIMIT`` in the parts of a ``UNION``
    (SQLite), in one query that sorts every row."""
    if not groups:
        return []
    bound = offset + limit
    if not connection.features.supports_slicing_ordering_in_compound:
        # SQLite (development): one query, the group of each row by a CASE, sorted whole.
        group = Case(*(When(Q(**g), then=Value(i)) for i, g in enumerate(groups)), default=None)
        return list(queryset.alias(_group=group).filter(_group__isnull=False).order_by("_group", *order)[offset:bound])
    keys = {f"_k{i}": F(field.lstrip("-")) for i, field in enumerate(order)}
    ordering = [f"-_k{i}" if field.startswith("-") else f"_k{i}" for i, field in enumerate(order)]
    parts = [
        queryset.filter(**group)
        .annotate(_group=Value(index), **keys)
        .order_by(*ordering)
        .values_list("pk", "_group", *keys)[:bound]
        for index, group in enumerate(groups)
    ]
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    if len(parts) > 1:
        union = union.order_by("_group", *ordering)
    return rows_by_keys(queryset, [row[0] for row in union[offset:bound]])


def rows_by_keys(queryset, keys: list) -> list:
    """The rows of ``queryset`` with these primary keys, in the keys' order (one query)."""
    found = queryset.order_by().in_bulk(keys)
    return [found[key] for key in keys if key in found]


def keyed_rows(queryset, offset: int, limit: int, *, keys_first: bool = False) -> list:
    """The rows ``offset`` to ``offset + limit`` of ``queryset`` (ordered). The first page in
    one query; a later one in two: the page's keys, then its rows by those keys. An ``OFFSET``
    makes the database compute every row it skips as it computes the page's: what a list adds
    to its rows (the student list's learning account, a subquery on the ledger; the joins of
    ``list_select_related``) would be computed for the skipped rows too, 1,000 times instead of
    100 on a list's tenth page. The keys' query computes only the ordering. With
    ``keys_first`` the first page too (``KeysFirstAdminPaginator``)."""
    if offset == 0 and not keys_first:
        return list(queryset[:limit])
    return rows_by_keys(queryset, list(queryset.values_list("pk", flat=True)[offset : offset + limit]))


class AdminPaginator(CappedPaginator):
    """The admin's changelists over tables of a whole college (students, enrolments, lines,
    results, ledger entries): the first ``CAP`` rows in ``CAP // per_page`` pages, counted up to
    ``CAP`` (no ``COUNT(*)`` of 6 million results, no ``OFFSET`` of millions for the last page).
    The list says "1,000+" and to search or filter beyond (``admin/pagination.html``), and offers
    no action on every row of such a list (``admin/actions.html``): its count is not known."""

    keys_first = False  # the first page in one query (``keyed_rows``)

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True):
        # As the admin calls it (``ModelAdmin.get_paginator``): positional arguments.
        super().__init__(
            object_list,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            rows=lambda offset, limit: keyed_rows(object_list, offset, limit, keys_first=self.keys_first),
        )


class KeysFirstAdminPaginator(AdminPaginator):
    """An ``AdminPaginator`` that reads every page, the first too, by its keys first (one query
    more on the first page). For a list in the primary key's order whose filters each have an
    index of (the filtered column, id): the keys' query is answered from that index alone
    (``Index Only Scan Backward``), while the page's query, which needs every column, may walk
    the primary key instead when the planner takes the filtered rows for evenly spread. The
    ledger's openings are a sixth of its entries and all of its oldest: the primary key's walk
    passed 1.25 million newer entries to find the newest 100 at 250,000 students (228 ms; 0.3
    ms from the index)."""

    keys_first = True
