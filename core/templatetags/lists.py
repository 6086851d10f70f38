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
