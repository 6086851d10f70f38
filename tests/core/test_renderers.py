"""core.renderers.FormRenderer: what Django's renderer renders, empty error lists without a
template, the plainest widgets (an input, a select of plain options, the admin's date) written in
Python (issue 19)."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django import forms
from django.contrib.admin import widgets
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.forms.utils import ErrorDict, ErrorList
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from core import renderers
from core.renderers import FormRenderer

NAMES = ("default.html", "ul.html", "text.txt")
TEMPLATES = [f"django/forms/errors/{kind}/{name}" for kind in ("list", "dict") for name in NAMES]


def _errors(kind: str, messages: list[str]):
    if kind == "list":
        return ErrorList(messages)
    return ErrorDict({"name": ErrorList(messages)} if messages else {})


def test_it_is_the_sites_renderer():
    assert isinstance(get_default_renderer(), FormRenderer)


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("messages", [[], ["Too long & <b>bold</b>"], ["One.", "Two."]])
def test_it_renders_the_errors_as_djangos(template, messages):
    errors = _errors(template.split("/")[3], messages)

    assert errors.render(template, renderer=FormRenderer()) == errors.render(template, renderer=DjangoTemplates())


@pytest.mark.parametrize("template", TEMPLATES)
def test_the_error_templates_the_site_loads_render_nothing_for_no_errors(template):
    # Whichever template wins (an app could override Django's), what the renderer skips.
    errors = _errors(template.split("/")[3], [])

    assert DjangoTemplates().get_template(template).render(errors.get_context()).strip() == ""


def test_no_errors_load_no_template():
    renderer = FormRenderer()
    with mock.patch.object(FormRenderer, "get_template", wraps=renderer.get_template) as loaded:
        assert ErrorList().render(renderer=renderer) == ""
        assert ErrorDict().render(renderer=renderer) == ""
        assert loaded.call_count == 0
        assert "<li>Wrong.</li>" in ErrorList(["Wrong."]).render(renderer=renderer)
        assert loaded.call_count == 1


class _Form(forms.Form):
    name = forms.CharField(max_length=3)


@pytest.mark.parametrize("data", [{"name": "abc"}, {"name": "abcdef"}, {}])
def test_a_form_renders_as_with_djangos_renderer(data):
    ours = _Form(data, renderer=FormRenderer())
    djangos = _Form(data, renderer=DjangoTemplates())

    assert str(ours) == str(djangos)
    assert str(ours["name"].errors) == str(djangos["name"].errors)


# --- The plainest widgets written in Python: the HTML of Django's templates.
LAZY = gettext_lazy("Name")
WIDGETS = {
    "text": (forms.TextInput(attrs={"maxlength": 3, "required": True, "disabled": False}), 'a "b" & <c>'),
    "text, safe value": (forms.TextInput(), mark_safe("<b>safe</b>")),
    "text, no value": (forms.TextInput(attrs={"placeholder": mark_safe("a &amp; b")}), None),
    "text, empty": (forms.TextInput(attrs={"data-x": 0, "data-y": ""}), ""),
    "number": (forms.NumberInput(attrs={"min": 0, "max": 1.5, "step": Decimal("0.5")}), 12),
    "number, zero": (forms.NumberInput(), 0),
    "email": (forms.EmailInput(), "r0100001@example.org"),
    "url": (forms.URLInput(), "https://example.org/?a=1&b=2"),
    "password": (forms.PasswordInput(render_value=True), "secret"),
    "hidden": (forms.HiddenInput(), 42),
    "date": (forms.DateInput(attrs={"min": "2024-09-01"}), datetime.date(2026, 12, 5)),
    "date, formatted": (forms.DateInput(format="%d/%m/%Y"), datetime.date(2026, 12, 5)),
    "time": (forms.TimeInput(), datetime.time(9, 30)),
    "datetime": (forms.DateTimeInput(), datetime.datetime(2026, 12, 5, 9, 30)),
    "file": (forms.FileInput(), None),
    "search": (forms.SearchInput(), "Maes"),
    "tel": (forms.TelInput(), "+32 16 00 00 00"),
    "color": (forms.ColorInput(), "#ff0000"),
    "checkbox, checked": (forms.CheckboxInput(), True),
    "checkbox, unchecked": (forms.CheckboxInput(attrs={"class": "x"}), False),
    "select": (forms.Select(choices=[("", "---------"), (1, "One & <two>"), (2, LAZY), (3, 3000)]), 2),
    "select, groups": (
        forms.Select(choices=[("Group <1>", [(1, "a"), (2, "b")]), (3, "c"), (LAZY, [(4, "d")])]),
        4,
    ),
    "select, no choice": (forms.Select(choices=[]), None),
    "select multiple": (forms.SelectMultiple(choices=[(1, "a"), (2, "b"), (3, "c")]), [1, 3]),
    "null boolean": (forms.NullBooleanSelect(), True),
    "admin date": (widgets.AdminDateWidget(), datetime.date(2026, 12, 5)),
    "admin date, empty": (widgets.AdminDateWidget(attrs={"size": 10}), None),
    "admin text": (widgets.AdminTextInputWidget(), "x"),
    "admin integer": (widgets.AdminIntegerFieldWidget(), 7),
}


@pytest.mark.parametrize(("widget", "value"), WIDGETS.values(), ids=WIDGETS.keys())
@pytest.mark.parametrize("language", ["en", "nl"])
def test_a_widget_renders_as_with_djangos_templates(widget, value, language):
    with translation.override(language):
        ours = widget.render("field", value, attrs={"id": "id_field"}, renderer=FormRenderer())
        djangos = widget.render("field", value, attrs={"id": "id_field"}, renderer=DjangoTemplates())
    assert ours == djangos
    assert isinstance(ours, SafeString)


def test_an_option_with_a_template_of_its_own_is_rendered_by_it():
    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/attrs.html"  # any other template

    widget = Marked(choices=[(1, "a")])
    ours = widget.render("field", 1, renderer=FormRenderer())
    assert ours == widget.render("field", 1, renderer=DjangoTemplates())
    assert "<option" not in ours


def test_the_widgets_written_in_python_are_djangos_templates_where_the_site_loads_them():
    """What the renderer writes is what these templates render: Django's own, not a project's or
    an app's under the same name."""
    include = '{% include "django/forms/widgets/input.html" %}\n'
    renderer = DjangoTemplates()
    for name in renderers.INPUT_TEMPLATES:
        assert renderer.get_template(name).template.source == include, name
    sources = {
        "django/forms/widgets/input.html": '<input type="{{ widget.type }}" name="{{ widget.name }}"'
        "{% if widget.value != None %} value=\"{{ widget.value|stringformat:'s' }}\"{% endif %}"
        '{% include "django/forms/widgets/attrs.html" %}>\n',
        "django/forms/widgets/attrs.html": "{% for name, value in widget.attrs.items %}{% if value is not False %} "
        "{{ name }}{% if value is not True %}=\"{{ value|stringformat:'s' }}\"{% endif %}{% endif %}{% endfor %}",
        "django/forms/widgets/select_option.html": "<option value=\"{{ widget.value|stringformat:'s' }}\""
        '{% include "django/forms/widgets/attrs.html" %}>{{ widget.label }}</option>\n',
        "admin/widgets/date.html": '<p class="date">\n  {% include "django/forms/widgets/date.html" %}\n</p>\n',
    }
    for name, source in sources.items():
        assert renderer.get_template(name).template.source == source, name
    select = renderer.get_template("django/forms/widgets/select.html").template.source
    assert select.startswith('<select name="{{ widget.name }}"{% include "django/forms/widgets/attrs.html" %}>')


def test_a_page_of_widgets_loads_no_widget_template():
    renderer = FormRenderer()
    with mock.patch.object(FormRenderer, "get_template", wraps=renderer.get_template) as loaded:
        for widget, value in WIDGETS.values():
            widget.render("field", value, renderer=renderer)
    assert loaded.call_count == 0


# --- The admin's related-object wrapper written in Python: the HTML of Django's template.
def _wrapper(field: str, widget=None, **can):
    from django.contrib import admin

    from students.models import Enrolment, ISPLine

    model = {"course": ISPLine, "student": Enrolment, "programme": Enrolment, "isp_approved_by": Enrolment}[field]
    rel = model._meta.get_field(field).remote_field
    return widgets.RelatedFieldWidgetWrapper(widget or forms.Select(choices=[(1, "a & b")]), rel, admin.site, **can)


ALL_LINKS = {"can_add_related": True, "can_change_related": True, "can_delete_related": True, "can_view_related": True}
WRAPPERS = {
    "every link": ("course", "lines-0-course", None, ALL_LINKS),
    "no link": ("course", "course", None, {"can_add_related": False}),
    "change and view": ("programme", "programme", None, {"can_change_related": True, "can_view_related": True}),
    "add only": ("student", "student", None, {"can_add_related": True}),
    "delete (not cascading)": ("isp_approved_by", "isp_approved_by", None, ALL_LINKS),
    "hidden box": ("course", "course", forms.HiddenInput(), ALL_LINKS),
    "a name to escape": ("course", 'lines-0-"x"&<y>', None, ALL_LINKS),
}


@pytest.mark.parametrize(("field", "name", "widget", "can"), WRAPPERS.values(), ids=WRAPPERS.keys())
@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_related_wrapper_renders_as_djangos_template(field, name, widget, can, language):
    wrapper = _wrapper(field, widget, **can)
    with translation.override(language):
        ours = wrapper.render(name, 1, attrs={"id": "id_x"}, renderer=FormRenderer())
        djangos = wrapper.render(name, 1, attrs={"id": "id_x"}, renderer=DjangoTemplates())
    assert ours == djangos
    assert isinstance(ours, SafeString)


def test_the_related_wrapper_titles_are_translated():
    wrapper = _wrapper("course", **ALL_LINKS)
    with translation.override("nl"):
        dutch = wrapper.render("course", 1, renderer=FormRenderer())
    with translation.override("en"):
        english = wrapper.render("course", 1, renderer=FormRenderer())
    assert 'title="Change selected course"' in english
    assert "Change selected" not in dutch
    assert dutch.count("title=") == 4


@pytest.mark.parametrize("limit", [{"code__startswith": "A"}, {}])
def test_the_related_wrapper_with_a_limit_of_choices(limit, monkeypatch):
    wrapper = _wrapper("course", **ALL_LINKS)
    monkeypatch.setattr(wrapper.rel, "limit_choices_to", limit)
    ours = wrapper.render("course", 1, renderer=FormRenderer())
    assert ours == wrapper.render("course", 1, renderer=DjangoTemplates())
    assert ("data-model-ref" in ours) is not bool(limit)


def test_a_callable_limit_of_choices_goes_to_the_template(monkeypatch):
    wrapper = _wrapper("course", **ALL_LINKS)
    monkeypatch.setattr(wrapper.rel, "limit_choices_to", lambda: {"code__startswith": "A"})
    renderer = FormRenderer()
    with mock.patch.object(FormRenderer, "get_template", wraps=renderer.get_template) as loaded:
        ours = wrapper.render("course", 1, renderer=renderer)
    assert [c.args[0] for c in loaded.call_args_list] == [renderers.RELATED_WRAPPER_TEMPLATE]
    assert ours == wrapper.render("course", 1, renderer=DjangoTemplates())
    assert "data-model-ref" not in ours


def test_the_related_wrapper_template_the_site_loads_is_djangos():
    import django

    source = DjangoTemplates().get_template(renderers.RELATED_WRAPPER_TEMPLATE).template.source
    path = f"{django.__path__[0]}/contrib/admin/templates/{renderers.RELATED_WRAPPER_TEMPLATE}"
    with open(path, encoding="utf-8") as djangos:
        assert source == djangos.read()
