"""Template helpers of the application's own pages."""

from django import template

from core.permissions import Capability, scope

register = template.Library()


@register.filter
def can(user, capability: str) -> bool:
    """``{% if user|can:"student_pages" %}``: the check the views' ``@requires`` makes
    (core.permissions), so the navigation shows exactly the pages the user may open.
    An unknown capability name is an error, not a hidden link."""
    return scope(user).has(Capability(capability))


@register.filter
def signed(value) -> str:
    """Credits with their sign: +6, -6, 0."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    return f"{number:+d}" if number else "0"


@register.filter
def lookup(mapping, key):
    """``mapping[key]`` in a template, or an empty string."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
