"""Template filters of the coach's pages: the rules' decisions, never a threshold of their own."""

import datetime

from django import template

from students import rules

register = template.Library()


@register.filter
def balance_warning(balance) -> str:
    """``"refused"``, ``"limited"`` or ``""`` for a learning-account balance (``students.rules.balance_warning``)."""
    if balance is None or balance == "":
        return ""
    return rules.balance_warning(int(balance)) or ""


@register.filter
def iso_date(value):
    """A date of the study progress file (``YYYY-MM-DD``) as a date, for ``|date``; None stays None."""
    if not value:
        return None
    return datetime.date.fromisoformat(str(value))
