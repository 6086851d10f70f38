from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import clock
from .errors import Refused
from .filters import search_words
from .models import Transition
from .pagination import AdminPaginator
from .timeline import run_deadlines
from .validators import BoundedDatesMixin, DateRange, check_dates, plausible


class SearchWordsAdminMixin:
    """The admin's search (a changelist's search box, the autocomplete of a select) with the
    words a search uses (``core.filters.search_words``): Django's admin matches every word in
    every search field, so a pasted text of a thousand words built a query SQLite refuses. A
    changelist says when words were left out. ``cap_admin_search`` gives it to every admin."""

    def get_search_results(self, request, queryset, search_term):
        found = search_words(search_term, quoted=True)
        match = getattr(request, "resolver_match", None)
        if found.cut and match is not None and (match.url_name or "").endswith("_changelist"):
            self.message_user(request, found.note, messages.WARNING)
        return super().get_search_results(request, queryset, " ".join(found.words))


def cap_admin_search(site: admin.AdminSite) -> None:
    """Give every admin registered on ``site`` (the project's, Django's and the libraries')
    ``SearchWordsAdminMixin``; called once the admin modules are loaded (``CoreConfig.ready``)."""
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if isinstance(model_admin, SearchWordsAdminMixin):
            continue
        capped = type(cls.__name__, (SearchWordsAdminMixin, cls), {"__module__": cls.__module__})
        site.unregister(model)
        site.register(model, capped)


class BoundedDatesAdminMixin:
    """For an admin or an inline whose form has dates a person types: each lies in its range
    or the field gets an error naming it (``core.validators``). Every date field is bounded by
    ``plausible`` (1950 to a year after today); ``date_ranges`` names closer ranges, from the
    form's other values (``form.cleaned_data``) or its instance."""

    def date_ranges(self, form, *, today) -> dict[str, DateRange | None]:
        return {}

    def _bounded(self, form_class):
        model_admin = self

        class BoundedForm(form_class):
            def clean(self):
                # Before the form's own checks, which may reckon with the dates.
                today = clock.today()
                dates = [name for name, field in self.fields.items() if isinstance(field, forms.DateField)]
                ranges = dict.fromkeys(dates, plausible(today=today))
                ranges.update(model_admin.date_ranges(self, today=today))
                check_dates(self, ranges)
                return super().clean()

        BoundedForm.__name__ = BoundedForm.__qualname__ = form_class.__name__
        return BoundedForm

    def get_form(self, request, obj=None, **kwargs):
        return self._bounded(super().get_form(request, obj, **kwargs))

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = self._bounded(formset.form)
        return formset


class ReadOnlyAdminMixin:
    """For records that only the application writes (the ledger, processed transitions):
    staff may look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RefusedOnSave(Refused):
    """A service refused, at the save, what the form's check had accepted: something
    changed in between (say a publication was processed). Raised from ``save_model`` or
    ``save_formset`` so that the admin's transaction rolls back; ``RefusalsOnSaveMixin``
    shows the messages. (A service's own ``Refused`` raised there is shown the same way.)"""

    default_code = "refused_on_save"


class RefusalsOnSaveMixin:
    """For admins whose save calls a service: a refusal at the save changes nothing and
    comes back as error messages on the page (the form's own check shows the usual ones)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as refused:
            for message in refused.messages:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class RowLinksChangeList(ChangeList):
    """Django's changelist, its rows' links built once each. Django adds the list's filters to
    each row's link (``add_preserved_filters``: back on the same page after a save) and, to
    do so, resolves each link against every URL of the site to see whether it is the list's own
    (a row's link never is): on a list's tenth page, 100-200 resolutions a page, a fifth of its
    rendering. Here a row's link carries the filters itself, the same query string Django
    builds."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.row_filters, self.preserved_filters = self.preserved_filters, ""

    def url_for_result(self, result):
        url = super().url_for_result(result)
        return f"{url}?{self.row_filters}" if self.row_filters else url


class LongListAdminMixin:
    """The admin's lists of a whole college's rows (issue 19): the first 1,000 rows in pages
    (``core.pagination.AdminPaginator``), the rows' links built once each
    (``RowLinksChangeList``), the rows' checkboxes written directly: Django renders each through
    the form's widget templates, another fifth of a list's rendering. No counts per filter choice
    (``show_facets``)."""

    paginator = AdminPaginator
    # No "Show counts" (Django's facets): it counted every row for each choice of each filter,
    # 1.3 s for the students' list and 4.4 s for the results' at 250,000 students.
    show_facets = admin.ShowFacets.NEVER

    def get_changelist(self, request, **kwargs):
        return RowLinksChangeList

    def action_checkbox(self, obj):
        # As ``ModelAdmin.action_checkbox`` renders it (tests/core/test_admin_lists.py compares the two).
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )


class AuditedAdmin(LongListAdminMixin, SimpleHistoryAdmin):
    """simple_history's admin with a read-only audit trail: every change is listed with
    who and when, but a past version cannot be restored from the history page — a
    correction is a new, visible change made through the ordinary form. Its list is a long
    list's (``LongListAdminMixin``, issue 19)."""

    def revert_disabled(self, request, obj=None):
        return True

    def has_change_history_permission(self, request, obj=None):
        return False

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["key", "due_on", "processed_at"]
    search_fields = ["key"]
    date_hierarchy = "due_on"


class ReplayForm(BoundedDatesMixin, forms.Form):
    day = forms.DateField(
        label=_("Run the deadlines up to"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Every fact and calendar transition due on or before this day is processed once."),
    )

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > clock.today():
            raise forms.ValidationError(
                _("The deadlines cannot run ahead of today (%(today)s).") % {"today": clock.today()}
            )
        return day


@admin.action(description=_("Replay the deadlines up to a day"), permissions=["change"])
def replay_deadlines(modeladmin, request, queryset):
    """Run the timeline up to a chosen day: the same service as the nightly job and
    ``manage.py run_deadlines``. Running it for a day already done changes nothing."""
    if "apply" in request.POST:
        form = ReplayForm(request.POST)
        if form.is_valid():
            report = run_deadlines(today=form.cleaned_data["day"])
            modeladmin.message_user(
                request,
                _("Deadlines run up to %(day)s: %(days)s day(s), %(facts)s fact(s), %(transitions)s transition(s).")
                % {
                    "day": form.cleaned_data["day"],
                    "days": report.days,
                    "facts": report.facts,
                    "transitions": len(report.transitions),
                },
                messages.SUCCESS,
            )
            return None
    else:
        form = ReplayForm(initial={"day": clock.today()})
    return TemplateResponse(
        request,
        "admin/core/replay_deadlines.html",
        {
            **modeladmin.admin_site.each_context(request),
            "title": _("Replay the deadlines up to a day"),
            "form": form,
            "queryset": queryset,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "opts": modeladmin.model._meta,
        },
    )


class ProcessFactsOnSaveMixin:
    """A live change made in the admin (an enrolment, an ISP line, a deregistration,
    a degree) processes its own fact at once through the timeline, as the browser
    pages do; the nightly job would otherwise only pick it up tonight."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        transaction.on_commit(lambda: run_deadlines(today=clock.today()))
