"""Template helpers of the application's own pages."""

from django import template

from core.permissions import ombuds_scope, scope

register = template.Library()


@register.filter
def has_student_pages(user) -> bool:
    """Whether the navigation shows the student pages to ``user`` (core.permissions)."""
    return scope(user).has_pages


@register.filter
def has_ombuds_pages(user) -> bool:
    """Whether the navigation shows the ombudsperson's pages to ``user`` (core.permissions)."""
    return ombuds_scope(user).has_pages


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
