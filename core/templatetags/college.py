"""Template helpers of the application's own pages."""

from django import template
from django.utils.safestring import mark_safe

from core.dates import show_weekday_date
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


@register.filter
def dash_if_empty(value):
    """A value of a change history: "–" for none (None or an empty text); 0 and False stay."""
    return "–" if value is None or value == "" else value


@register.filter
def weekday_date(value) -> str:
    """``{{ day|weekday_date }}``: "Monday 18/01/2027", "maandag 18/01/2027" (core.dates)."""
    return show_weekday_date(value) if value else ""


# Icons drawn by the page itself: a symbol glyph (the no-entry sign U+26D4) needs a font
# that has it, and Debian's default fonts do not (an empty box). Each icon is decorative (aria-hidden): the text next to
# it says what it means.
ICONS = {
    # a no-entry sign: what cannot be done
    "no-entry": '<circle cx="8" cy="8" r="8" fill="currentColor"/>'
    '<rect x="3.5" y="6.75" width="9" height="2.5" rx=".5" fill="#fff"/>',
    # a warning triangle
    "warning": '<path d="M8 .8 15.6 14.6H.4z" fill="currentColor"/>'
    '<rect x="7.2" y="5.2" width="1.6" height="5.4" rx=".6" fill="#fff"/>'
    '<circle cx="8" cy="12.4" r=".95" fill="#fff"/>',
    # a tick: done, met
    "check": '<path d="M2 8.5 6.2 12.5 14 4" fill="none" stroke="currentColor" stroke-width="2.2" '
    'stroke-linecap="round" stroke-linejoin="round"/>',
}


@register.simple_tag
def icon(name: str, css_class: str = "") -> str:
    """``{% icon "no-entry" %}``: an inline SVG icon (ICONS) in the text's colour, 1em high."""
    classes = f"college-icon {css_class}".strip()
    return mark_safe(  # noqa: S308 - fixed markup from ICONS, no user input
        f'<svg class="{classes}" viewBox="0 0 16 16" aria-hidden="true" focusable="false" '
        f'data-icon="{name}">{ICONS[name]}</svg>'
    )
