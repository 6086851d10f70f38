"""The forms' renderer (``FORM_RENDERER``)."""

from django.forms.renderers import DjangoTemplates

ERROR_TEMPLATES = "django/forms/errors/"


class FormRenderer(DjangoTemplates):
    """Django's renderer, which renders a form's errors through a template even when there
    are none: every field of every form does, once or twice (the admin's enrolment page with
    its ISP lines: 55 of its 159 template renders, each for nothing). Django's error templates
    render nothing for no errors (``{% if errors %}``, ``{% for error in errors %}``); this
    renderer returns that nothing without rendering them (issue 19). A template of a project
    or an app under the same name would be skipped too: none here renders no errors as
    something (tests.core.test_renderers)."""

    def render(self, template_name, context, request=None):
        if template_name.startswith(ERROR_TEMPLATES) and not context.get("errors"):
            return ""
        return super().render(template_name, context, request=request)
