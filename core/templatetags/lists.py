"""Helpers of the list pages' shared parts (``templates/includes/``)."""

from dataclasses import dataclass

from django import template

register = template.Library()

GRID = 12  # Bootstrap's columns


@dataclass
class FilterLayout:
    fields: list  # (bound field, columns) in order
    rest: int  # the columns left on the last row, for the buttons; GRID: a row of their own


@register.filter
def filter_layout(form, widths: str) -> FilterLayout:
    """``form|filter_layout:"q:3 status:2"``: the fields ``q`` and ``status`` of ``form``,
    3 and 2 columns wide, and what is left on the last row for the buttons."""
    fields, used = [], 0
    for item in widths.split():
        name, _sep, width = item.partition(":")
        columns = int(width)
        if used + columns > GRID:  # Bootstrap wraps a field that does not fit to a new row
            used = 0
        fields.append((form[name], columns))
        used = (used + columns) % GRID
    return FilterLayout(fields, GRID - used)


@register.filter
def page_numbers(page, on_each_side: int = 1) -> list:
    """``page|page_numbers``: the page numbers to link from ``page`` (a Paginator page),
    the first and last and ``on_each_side`` around the current one, with the paginator's
    ellipsis (``Paginator.ELLIPSIS``) for the gaps: 1 … 4 5 6 … 12."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=on_each_side, on_ends=1))
