"""Filters shared by the lists (django-filter)."""

import django_filters
from django.forms.utils import pretty_name
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def _descending(label) -> str:
    return gettext("%(field)s (descending)") % {"field": label}


descending = lazy(_descending, str)


class OrderingFilter(django_filters.OrderingFilter):
    """django-filter's ordering choices with the descending labels translated when they are
    shown: django-filter formats them once, when the filter set is defined, so they stay
    in the language of that moment (English)."""

    def build_choices(self, fields, labels):
        ascending = [(param, labels.get(field, _(pretty_name(param)))) for field, param in fields.items()]
        descending_ = [(f"-{param}", labels.get(f"-{param}") or descending(label)) for param, label in ascending]
        return [choice for pair in zip(ascending, descending_, strict=True) for choice in pair]
