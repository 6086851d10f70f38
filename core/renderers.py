"""The forms' renderer (``FORM_RENDERER``)."""

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.template.defaultfilters import stringformat
from django.templatetags.static import static
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext

ERROR_TEMPLATES = "django/forms/errors/"

WIDGETS = "django/forms/widgets/"
# Django's widget templates that are ``{% include "django/forms/widgets/input.html" %}`` and a
# line's end, nothing else (tests.core.test_renderers checks each against its file).
INPUT_TEMPLATES = frozenset(
    f"{WIDGETS}{name}.html"
    for name in (
        "checkbox",
        "color",
        "date",
        "datetime",
        "email",
        "file",
        "hidden",
        "number",
        "password",
        "search",
        "tel",
        "text",
        "time",
        "url",
    )
)
SELECT_TEMPLATE = f"{WIDGETS}select.html"
OPTION_TEMPLATE = f"{WIDGETS}select_option.html"
ADMIN_DATE_TEMPLATE = "admin/widgets/date.html"
RELATED_WRAPPER_TEMPLATE = "admin/widgets/related_widget_wrapper.html"
# The related-object links' titles: the template's ``{% blocktranslate %}``s, translated by
# Django's admin catalogue (held in constants, so that the project's makemessages leaves them).
RELATED_TITLES = {
    "change": "Change selected %(model)s",
    "add": "Add another %(model)s",
    "delete": "Delete selected %(model)s",
    "view": "View selected %(model)s",
}

_CONTEXT = Context(autoescape=True)  # read only: how ``{{ value }}`` renders (localised, escaped)


def _shown(value) -> str:
    """``{{ value }}`` in a template."""
    return render_value_in_context(value, _CONTEXT)


def _formatted(value) -> str:
    """``{{ value|stringformat:'s' }}`` in a template (the filter keeps a safe value safe)."""
    formatted = stringformat(value, "s")
    return conditional_escape(mark_safe(formatted) if isinstance(value, SafeData) else formatted)


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    return "".join(
        f" {_shown(name)}" if value is True else f' {_shown(name)}="{_formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> str:
    """``django/forms/widgets/input.html``, without the whitespace around it."""
    value = f' value="{_formatted(widget["value"])}"' if widget["value"] != None else ""  # noqa: E711 (the template's !=)
    return f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _select(widget: dict) -> str | None:
    """``django/forms/widgets/select.html``; None when an option has a template of its own. As the
    renderer returns it: without the whitespace around it (``BaseRenderer.render``'s strip)."""
    parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION_TEMPLATE:
                return None
            parts.append(
                f'\n  <option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_shown(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _related_link(kind: str, name: str, attributes: list[str], model: str, *, indent: int = 12) -> str:
    """One link of ``admin/widgets/related_widget_wrapper.html``, as its ``{% spaceless %}`` leaves it."""
    pad = "\n" + " " * indent
    title = gettext(RELATED_TITLES[kind]) % {"model": model}
    icon = conditional_escape(static(f"admin/img/icon-{kind}link.svg"))
    return (
        f'<a class="related-widget-wrapper-link {kind}-related" id="{kind}_id_{name}"'
        f'{"".join(pad + attribute for attribute in attributes)}{pad}title="{title}">'
        f'<img src="{icon}" alt="" width="24" height="24"></a>'
    )


def _related_wrapper(context: dict) -> str | None:
    """``admin/widgets/related_widget_wrapper.html`` (the admin's box of a related object and its
    change, add, delete and view links); None for a callable ``limit_choices_to``, which the
    template would call."""
    limited = context["model_has_limit_choices_to"]
    if callable(limited):
        return None
    links = []
    if not context["is_hidden"]:
        name, params, model = _shown(context["name"]), _shown(context["url_params"]), _shown(context["model"])
        if context["can_change_related"]:
            change = f"{_shown(context['change_related_template_url'])}?{params}"
            links.append(_related_link("change", name, [f'data-href-template="{change}"', 'data-popup="yes"'], model))
        if context["can_add_related"]:
            add = f"{_shown(context['add_related_url'])}?{params}"
            links.append(_related_link("add", name, ['data-popup="yes"', f'href="{add}"'], model))
        if context["can_delete_related"]:
            delete = f"{_shown(context['delete_related_template_url'])}?{params}"
            links.append(_related_link("delete", name, [f'data-href-template="{delete}"', 'data-popup="yes"'], model))
        if context["can_view_related"]:
            view = f"{_shown(context['change_related_template_url'])}?{_shown(context['view_related_url_params'])}"
            links.append(_related_link("view", name, [f'data-href-template="{view}"'], model, indent=13))
    reference = "" if limited else f'data-model-ref="{_shown(context["model_name"])}"'
    return (
        f'<div class="related-widget-wrapper" {reference}>\n    {_shown(context["rendered_widget"])}\n    \n'
        f"        {''.join(links)}\n    \n</div>"
    )


class FormRenderer(DjangoTemplates):
    """Django's renderer, with two shortcuts to the same HTML (issue 19: the admin's student and
    enrolment pages, their inlines' forms, spent most of their 100 ms rendering widgets):

    - A form's errors: Django renders them through a template even when there are none, every
      field of every form, once or twice (the admin's enrolment page with its ISP lines: 55 of
      its 159 template renders, each for nothing). Django's error templates render nothing for
      no errors (``{% if errors %}``, ``{% for error in errors %}``); this renderer returns that
      nothing without rendering them.
    - The plainest widgets, an ``<input>`` and a ``<select>`` of plain ``<option>``s (and the
      admin's date, an input in a paragraph): Django renders each through two to four
      templates (the widget's, ``input.html``, ``attrs.html``; each option's); this renderer
      writes the same text in Python (338 template renders on the enrolment page: 103 of them
      ``attrs.html``, 62 ``input.html``).
    - The admin's wrapper of a related object's box with its change, add, delete and view links
      (``related_widget_wrapper.html``: a block, ``{% spaceless %}``, four ``{% blocktranslate %}``
      and ``{% static %}``), around every foreign key of an admin form and of each inline row.

    A template of a project or an app under one of these names would be skipped too: none here
    (tests.core.test_renderers compares the output with Django's for every widget and checks
    that the site loads Django's own templates under these names)."""

    def render(self, template_name, context, request=None):
        if template_name.startswith(ERROR_TEMPLATES) and not context.get("errors"):
            return ""
        # What Django's renderer returns: the template's output without the whitespace around it.
        if template_name in INPUT_TEMPLATES:
            return mark_safe(_input(context["widget"]))
        if template_name == ADMIN_DATE_TEMPLATE:
            return mark_safe(f'<p class="date">\n  {_input(context["widget"])}\n\n\n</p>')
        if template_name == SELECT_TEMPLATE:
            rendered = _select(context["widget"])
            if rendered is not None:
                return mark_safe(rendered)
        if template_name == RELATED_WRAPPER_TEMPLATE:
            rendered = _related_wrapper(context)
            if rendered is not None:
                return mark_safe(rendered)
        return super().render(template_name, context, request=request)
