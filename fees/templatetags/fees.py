from django import template

from ..selectors import statements_of

register = template.Library()


@register.inclusion_tag("fees/_statements.html")
def fee_statements(student):
    """The student's fee statements with their history, for the student page."""
    return {"groups": statements_of(student)}
