"""core.renderers.FormRenderer: what Django's renderer renders, empty error lists without a
template (issue 19)."""

from unittest import mock

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.forms.utils import ErrorDict, ErrorList

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
