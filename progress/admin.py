"""The admin of students, enrolments and ISP lines: here because their pages show results
next to the records (records and results together, as the progress app does); the learning
account, degrees and measures are read-only or processed through the services."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models.functions import Coalesce, Upper
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core import clock
from core.admin import (
    AuditedAdmin,
    BoundedDatesAdminMixin,
    LongListAdminMixin,
    ProcessFactsOnSaveMixin,
    ReadOnlyAdminMixin,
    RefusalsOnSaveMixin,
)
from core.numbers import whole_number
from core.pagination import KeysFirstAdminPaginator
from core.validators import from_1950
from exams.admin import EnrolmentResultsMixin, ISPLineResultsMixin, ResultInline
from programmes.models import AcademicYear, Programme
from programmes.selectors import year_dates
from students.ledger import balance_subquery
from students.models import (
    Degree,
    DerogationOutcome,
    Enrolment,
    ExemptionApproval,
    ISPDerogation,
    ISPLine,
    LearningAccountEntry,
    Measure,
    Student,
    ToleratedRetakeApproval,
)
from students.services import enrolment_exception_request

from .models import RiskSignal, StudyAdvice
from .services import (
    ISPConflict,
    ISPRefused,
    isp_approve,
    isp_derogation_record,
    isp_derogation_refuse,
    isp_line_exempt,
    isp_submit,
)


def running_balances(student_id) -> dict[int, int]:
    """Balance after each entry of one student's ledger, in ledger order (date, then booking)."""
    balances, total = {}, 0
    entries = LearningAccountEntry.objects.filter(student_id=student_id).order_by("on", "id")
    for pk, credits in entries.values_list("pk", "credits"):
        total += credits
        balances[pk] = total
    return balances


# --- Issue 19: a page's query count does not grow with its rows. An autocomplete box shows
# the object it holds with one query of its own: on an inline, one per row. These boxes show
# the objects the page has already read (the inline's rows with their select_related, the
# page's object), and ask the database only for one they have not seen (a submitted change).
class PreloadedAutocompleteSelect(AutocompleteSelect):
    """The admin's autocomplete, rendering its chosen object from ``known`` (pk -> object)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.known = {}

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied.known = self.known  # shared by the forms of one page, filled as it is read
        return copied

    def optgroups(self, name, value, attr=None):
        chosen = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        if not chosen or not all(v in self.known for v in chosen):
            return super().optgroups(name, value, attr)
        default = (None, [], 0)
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        for v in chosen:
            label = self.choices.field.label_from_instance(self.known[v])
            default[1].append(self.create_option(name, v, label, True, len(default[1])))
        return [default]


def _known_widget(form_class, name):
    widget = form_class.base_fields[name].widget if name in form_class.base_fields else None
    widget = getattr(widget, "widget", widget)  # inside the related-object buttons
    return widget if isinstance(widget, PreloadedAutocompleteSelect) else None


def _remember(widgets: dict, obj) -> None:
    """Hand ``obj``'s related objects already read (select_related) to the boxes showing them."""
    for name, widget in widgets.items():
        field = obj._meta.get_field(name)
        if field.is_cached(obj):
            related = field.get_cached_value(obj)
            if related is not None:
                widget.known[str(related.pk)] = related


class PreloadedAutocompleteMixin:
    """For a ModelAdmin or an inline: its autocomplete fields render from the objects read."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = PreloadedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _known_widgets(self, request, form_class) -> dict:
        found = {name: _known_widget(form_class, name) for name in self.get_autocomplete_fields(request)}
        return {name: widget for name, widget in found.items() if widget is not None}


class PreloadedAutocompleteAdminMixin(PreloadedAutocompleteMixin):
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            _remember(self._known_widgets(request, form), obj)
        return form


class PreloadedAutocompleteInlineMixin(PreloadedAutocompleteMixin):
    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        widgets = self._known_widgets(request, formset.form)
        if not widgets:
            return formset

        class Preloaded(formset):
            def get_queryset(self):
                # Asked for by every form of the formset (and more): the rows are handed to the
                # boxes the first time only.
                rows = super().get_queryset()
                if not getattr(self, "_remembered", False):
                    for row in rows:
                        _remember(widgets, row)
                    self._remembered = True
                return rows

        return Preloaded


# --- The dates typed here (core.validators): an enrolment's and its ISP lines' dates lie in its
# academic year or a neighbour, and not after a year after today; degrees and the opening of a
# learning account from 1950 on.
ENROLMENT_DATES = ("enrolled_on", "deregistered_on", "exception_requested_on")
LINE_DATES = ("added_on", "removed_on")


def _year_ranges(year, names, *, today) -> dict:
    """``names`` bounded by ``year`` (an AcademicYear, or None: left to the default range)."""
    if not isinstance(year, AcademicYear):
        return {}
    return dict.fromkeys(names, year_dates(year=year, today=today))


def _chosen(form, name):
    """The value ``form`` has for ``name``: cleaned, or the instance's (a read-only field, an inline's parent)."""
    if name in form.cleaned_data:
        return form.cleaned_data[name]
    try:
        return getattr(form.instance, name, None)
    except ObjectDoesNotExist:
        return None


def _enrolment_year(enrolment):
    try:
        return getattr(enrolment, "academic_year", None)
    except ObjectDoesNotExist:
        return None


class EnrolmentInline(PreloadedAutocompleteInlineMixin, BoundedDatesAdminMixin, admin.TabularInline):
    model = Enrolment
    fields = [
        "academic_year",
        "programme",
        "contract",
        "grant_status",
        "status",
        "isp_status",
        "enrolled_on",
        "deregistered_on",
    ]
    # The ISP status moves only through the workflow (submit, approve) on the enrolment's page.
    readonly_fields = ["isp_status"]
    autocomplete_fields = ["academic_year", "programme"]
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "academic_year", "programme")

    def date_ranges(self, form, *, today):
        return _year_ranges(_chosen(form, "academic_year"), ENROLMENT_DATES, today=today)


class DegreeDatesMixin(BoundedDatesAdminMixin):
    def date_ranges(self, form, *, today):
        return {"on": from_1950(today=today)}


class DegreeInline(PreloadedAutocompleteInlineMixin, DegreeDatesMixin, admin.TabularInline):
    model = Degree
    fields = ["kind", "on", "programme", "processed"]
    readonly_fields = ["processed"]
    autocomplete_fields = ["programme"]
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "programme")


class LearningAccountEntryInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The student's ledger with the balance after each entry. Read-only: the ledger is
    append-only and only the application books entries."""

    model = LearningAccountEntry
    fields = ["on", "credits", "kind", "reason_text", "academic_year", "programme", "course", "running_balance"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def get_queryset(self, request):
        # The student too: a row's name (its number) is shown on the page.
        return super().get_queryset(request).select_related("student", "academic_year", "programme", "course")

    @admin.display(description=_("balance"))
    def running_balance(self, entry):
        balances = getattr(self, "_balances", None)
        if balances is None or entry.pk not in balances:
            balances = self._balances = running_balances(entry.student_id)
        return balances.get(entry.pk)


class MeasureInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The student's study progress measures; decided by the application, lifted on their own page."""

    model = Measure
    fields = ["kind", "programme", "course", "from_year_code", "until_year_code", "decided_on", "lifted_on"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("student", "programme", "course")


class EnrolledFilter(admin.SimpleListFilter):
    """Students by an enrolment: the programme and the academic year filters are read
    together, so that "BA-VPK" and "2025-2026" find those enrolled in BA-VPK in 2025-2026
    (not those in BA-VPK some year and in another programme in 2025-2026)."""

    parameters = ("enrolled_programme", "enrolled_year")

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        wanted = {}
        for name, field in zip(self.parameters, ("programme_id", "academic_year_id"), strict=True):
            value = whole_number(request.GET.get(name) or "")
            if value is not None:
                wanted[field] = value
        return queryset.filter(pk__in=Enrolment.objects.filter(**wanted).values("student_id"))


class EnrolledProgrammeFilter(EnrolledFilter):
    title = _("programme")
    parameter_name = "enrolled_programme"

    def lookups(self, request, model_admin):
        return [(p.pk, f"{p.code} {p.name}") for p in Programme.objects.order_by("code")]


class EnrolledYearFilter(EnrolledFilter):
    title = _("academic year")
    parameter_name = "enrolled_year"

    def lookups(self, request, model_admin):
        return [(y.pk, y.code) for y in AcademicYear.objects.order_by("-starts_on")]


@admin.register(Student)
class StudentAdmin(PreloadedAutocompleteAdminMixin, BoundedDatesAdminMixin, ProcessFactsOnSaveMixin, AuditedAdmin):
    list_display = ["number", "last_name", "first_name", "email", "balance"]
    list_display_links = ["number", "last_name"]
    list_filter = [EnrolledProgrammeFilter, EnrolledYearFilter]
    # Issue 19: with 250,000 students, a search by the beginning of a number or a name (indexed,
    # students.Student's indexes), the list in the order of an index, no second count.
    search_fields = ["number__istartswith", "last_name__istartswith", "first_name__istartswith"]
    search_help_text = _("The beginning of a student number, a last name or a first name.")
    ordering = ["last_name", "first_name", "number"]
    sortable_by = ["number", "last_name"]
    show_full_result_count = False
    autocomplete_fields = ["first_enrolment_in_higher_education"]
    readonly_fields = ["study_progress_file"]
    inlines = [EnrolmentInline, DegreeInline, MeasureInline, LearningAccountEntryInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "first_name",
                    "last_name",
                    "email",
                    "first_enrolment_in_higher_education",
                    "study_progress_file",
                ]
            },
        ),
        (
            _("Imported opening balance"),
            {
                "fields": ["opening_balance", "opening_bonus_left", "opening_on"],
                "description": _(
                    "Only for students coming from another institution. Left empty, the learning account "
                    "opens with 140 credits at the first enrolment."
                ),
            },
        ),
    ]

    def date_ranges(self, form, *, today):
        return {"opening_on": from_1950(today=today)}

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        typed = search_term.strip()
        if typed.isdigit():
            # The college's numbers are a letter and seven digits (r0100001): a number typed
            # without its letter is found by the same prefix index.
            found = found | queryset.filter(number__istartswith=f"r{typed}")
        return found, may_have_duplicates

    def get_ordering(self, request):
        if request.GET.get(SEARCH_VAR):
            # A search finds its students by the prefix indexes and sorts the few found; in the
            # name order's index PostgreSQL would walk the list up to the names searched.
            return [Upper("last_name"), Upper("first_name"), "number"]
        return super().get_ordering(request)

    def get_queryset(self, request):
        # The balance is the sum of the ledger (never a stored copy), in the list's own query: per
        # student of the page (a subquery on the ledger's index), not an aggregate of every student.
        return (
            super()
            .get_queryset(request)
            .select_related("first_enrolment_in_higher_education")
            .annotate(balance_total=Coalesce(balance_subquery(), 0))
        )

    @admin.display(description=_("learning account"))
    def balance(self, obj):
        return obj.balance_total

    @admin.display(description=_("study progress file"))
    def study_progress_file(self, obj):
        if obj is None or obj.pk is None:
            return _("Shown once the student is saved.")
        return format_html(
            '<a href="{}" id="study-progress-link">{}</a>',
            reverse("students:student_detail", args=[obj.number]),
            _("Open the study progress file of %(number)s") % {"number": obj.number},
        )


class ISPLineInline(PreloadedAutocompleteInlineMixin, BoundedDatesAdminMixin, ISPLineResultsMixin, admin.TabularInline):
    model = ISPLine
    fields = ["course", "added_on", "removed_on", "exempted", "locked_on", *ISPLineResultsMixin.results_readonly_fields]
    readonly_fields = ["exempted", "locked_on", *ISPLineResultsMixin.results_readonly_fields]
    autocomplete_fields = ["course"]
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("course", "enrolment__student", "enrolment__programme", "enrolment__academic_year")
        )

    def date_ranges(self, form, *, today):
        return _year_ranges(_enrolment_year(_chosen(form, "enrolment")), LINE_DATES, today=today)


ISP_CONFLICT = _(
    "Someone else saved the ISP of %(enrolment)s in the meantime: nothing was changed. "
    "Check the ISP as it is now and try again."
)


# The ISP workflow's steps in the admin: the same services as the ISP editor's buttons.
ISP_STEPS = {
    "submit": (isp_submit, _("Submit the ISP"), _("The ISP of %(enrolment)s was submitted.")),
    "approve": (isp_approve, _("Approve the ISP"), _("The ISP of %(enrolment)s was approved.")),
}


@admin.register(Enrolment)
class EnrolmentAdmin(
    PreloadedAutocompleteAdminMixin,
    BoundedDatesAdminMixin,
    EnrolmentResultsMixin,
    RefusalsOnSaveMixin,
    ProcessFactsOnSaveMixin,
    AuditedAdmin,
):
    """Enrolments. The ISP status is read-only: it moves only through the workflow
    (``isp_submit``, ``isp_approve``), from the actions of the list or the buttons of the
    page, which record who and when and refuse what the rules refuse. The date of the
    Art. 33 written request goes through ``enrolment_exception_request``: on an enrolment
    refused for its learning account it admits it again, or is refused with the reason."""

    def date_ranges(self, form, *, today):
        return _year_ranges(_chosen(form, "academic_year"), ENROLMENT_DATES, today=today)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "exception_requested_on" in form.changed_data and obj.exception_requested_on:
            enrolment_exception_request(
                enrolment=obj, requested_on=obj.exception_requested_on, by=request.user, today=clock.today()
            )
            obj.refresh_from_db()

    change_form_template = "admin/students/enrolment/change_form.html"
    list_display = [
        "student",
        "programme",
        "academic_year",
        "contract",
        "status",
        "isp_status",
        "enrolled_on",
        "deregistered_on",
    ]
    list_filter = ["academic_year", "programme", "contract", "status", "isp_status"]
    list_select_related = ["student", "programme", "academic_year"]
    # Issue 19: the newest first by the primary key (the model's ordering sorts every enrolment
    # by joined columns), sortable only on indexed columns, no second count, a search by the
    # beginning of a student number or name (students.Student's indexes).
    ordering = ["-pk"]
    sortable_by = ["enrolled_on"]
    show_full_result_count = False
    search_fields = [
        "student__number__istartswith",
        "student__last_name__istartswith",
        "student__first_name__istartswith",
    ]
    search_help_text = _("The beginning of a student number, a last name or a first name.")
    autocomplete_fields = ["student", "academic_year", "programme"]
    readonly_fields = [
        "isp_status",
        "balance_at_enrolment",
        "admission_exception",
        "version",
        "isp_submitted_on",
        "isp_approved_on",
        "isp_approved_by",
    ]
    inlines = [ISPLineInline]
    actions = ["submit_isp", "approve_isp"]

    def get_queryset(self, request):
        # The page's enrolment with what it shows (its name, the boxes, who approved the ISP).
        return super().get_queryset(request).select_related("student", "programme", "academic_year", "isp_approved_by")

    def isp_step(self, request, enrolment, step: str, expected_version: int) -> None:
        """Take one workflow step through its service; a refusal changes nothing and is
        reported with the rule's reasons."""
        service, _label, done = ISP_STEPS[step]
        try:
            service(enrolment=enrolment, expected_version=expected_version, by=request.user, today=clock.today())
        except ISPConflict:
            self.message_user(request, ISP_CONFLICT % {"enrolment": enrolment}, messages.ERROR)
        except ISPRefused as refused:
            for problem in refused.problems:
                self.message_user(
                    request,
                    _("%(enrolment)s: %(reason)s") % {"enrolment": enrolment, "reason": problem.message},
                    messages.ERROR,
                )
        else:
            self.message_user(request, done % {"enrolment": enrolment}, messages.SUCCESS)

    def _isp_steps(self, request, queryset, step):
        for enrolment in queryset.select_related("student", "programme", "academic_year"):
            self.isp_step(request, enrolment, step, enrolment.version)

    @admin.action(description=ISP_STEPS["submit"][1], permissions=["change"])
    def submit_isp(self, request, queryset):
        self._isp_steps(request, queryset, "submit")

    @admin.action(description=ISP_STEPS["approve"][1], permissions=["change"])
    def approve_isp(self, request, queryset):
        self._isp_steps(request, queryset, "approve")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        steps = [(step, label) for step, (_service, label, _done) in ISP_STEPS.items()]
        return super().change_view(request, object_id, form_url, {"isp_steps": steps, **(extra_context or {})})

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        urls = [
            path(
                "<path:object_id>/isp/<slug:step>/",
                self.admin_site.admin_view(self.isp_step_view),
                name="{}_{}_isp_step".format(*info),
            )
        ]
        return urls + super().get_urls()

    def isp_step_view(self, request, object_id, step):
        """A workflow button of the enrolment's page, on the ISP version the page showed."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if step not in ISP_STEPS:
            raise Http404
        enrolment = self.get_object(request, unquote(object_id))
        if enrolment is None:
            raise Http404
        if not self.has_change_permission(request, enrolment):
            raise PermissionDenied
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            self.message_user(request, ISP_CONFLICT % {"enrolment": enrolment}, messages.ERROR)
        else:
            self.isp_step(request, enrolment, step, version)
        info = self.opts.app_label, self.opts.model_name
        return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[enrolment.pk]))


class FinalFilter(admin.SimpleListFilter):
    """ISP lines that a semester lock has made final (Art. 19), or not yet."""

    title = _("final")
    parameter_name = "final"

    def lookups(self, request, model_admin):
        return [("yes", _("final")), ("no", _("not final"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(locked_on__isnull=False)
        if self.value() == "no":
            return queryset.filter(locked_on__isnull=True)
        return queryset


@admin.register(ISPLine)
class ISPLineAdmin(BoundedDatesAdminMixin, RefusalsOnSaveMixin, ProcessFactsOnSaveMixin, AuditedAdmin):
    """An ISP line; its results inline are entered through ``results_record``. An exemption is
    granted through the exemption approvals (``isp_line_exempt``: the refund follows), never
    by ticking the box here."""

    list_display = ["course", "enrolment", "added_on", "removed_on", "exempted", "final", "outcome"]
    list_filter = [
        "enrolment__academic_year",
        "course__programme",
        "course__semester",
        "exempted",
        FinalFilter,
        "outcome",
    ]
    list_select_related = ["course", "enrolment__student", "enrolment__programme", "enrolment__academic_year"]
    search_fields = ["enrolment__student__number", "enrolment__student__last_name", "course__code", "course__name"]
    autocomplete_fields = ["enrolment", "course"]
    fields = [
        "enrolment",
        "course",
        "added_on",
        "removed_on",
        "exempted",
        "locked_on",
        "deducted_credits",
        "mark",
        "outcome",
        "certified_on",
        "tolerated_on",
        "tolerance_kind",
    ]
    readonly_fields = [
        "exempted",
        "locked_on",
        "deducted_credits",
        "mark",
        "outcome",
        "certified_on",
        "tolerated_on",
        "tolerance_kind",
    ]
    inlines = [ResultInline]

    @admin.display(description=_("final"), boolean=True, ordering="locked_on")
    def final(self, obj):
        return obj.is_final

    def date_ranges(self, form, *, today):
        return _year_ranges(_enrolment_year(_chosen(form, "enrolment")), LINE_DATES, today=today)


@admin.register(LearningAccountEntry)
class LearningAccountEntryAdmin(ReadOnlyAdminMixin, LongListAdminMixin, admin.ModelAdmin):
    """The ledger is append-only (DOMAIN §2): a correction is a new entry booked by the
    application, never an edit here.

    A long list (issue 19: 1.5 million entries at 250,000 students, where this list took 1.7 s):
    its first 1,000 rows in pages (``LongListAdminMixin``), the newest booking first by the
    primary key (the model's date order sorted every entry), no full count, a search by the
    beginning of a student number (the students' prefix index), and the academic year's filter
    instead of a date hierarchy, which read every entry's year (300 ms). Each filter has an index
    of (its column, id), partial for the kinds and reasons (the rare ones), and every page reads
    its keys from that index first (``KeysFirstAdminPaginator``): the openings, a sixth of the
    entries and the oldest, took 228 ms by the primary key's walk."""

    paginator = KeysFirstAdminPaginator
    list_display = ["student", "on", "credits", "kind", "reason_text", "academic_year", "programme", "course"]
    list_filter = ["kind", "reason_code", "academic_year", "programme"]
    list_select_related = ["student", "academic_year", "programme", "course"]
    ordering = ["-pk"]
    sortable_by = []
    show_full_result_count = False
    search_fields = ["student__number__istartswith"]
    search_help_text = _("The beginning of a student number.")


@admin.register(Degree)
class DegreeAdmin(DegreeDatesMixin, ProcessFactsOnSaveMixin, admin.ModelAdmin):
    list_display = ["student", "kind", "on", "programme", "processed"]
    list_filter = ["kind", "processed", "programme"]
    list_select_related = ["student", "programme"]
    search_fields = ["student__number", "student__last_name"]
    autocomplete_fields = ["student", "programme"]
    readonly_fields = ["processed"]


class LiftedFilter(admin.SimpleListFilter):
    title = _("lifted")
    parameter_name = "lifted"

    def lookups(self, request, model_admin):
        return [("yes", _("lifted")), ("no", _("in force"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(lifted_on__isnull=False)
        if self.value() == "no":
            return queryset.filter(lifted_on__isnull=True)
        return queryset


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    """Study progress measures (Art. 29-33), read-only: the timeline takes them at the end of
    the year, and a refusal is lifted through the refusal-lifting register (Art. 34), whose
    service also readmits the enrolments it refused — a date typed here would not."""

    list_display = [
        "student",
        "kind",
        "programme",
        "course",
        "from_year_code",
        "until_year_code",
        "decided_on",
        "lifted_on",
    ]
    list_filter = ["kind", "decided_in", "programme", LiftedFilter]
    list_select_related = ["student", "programme", "course"]
    search_fields = ["student__number", "student__last_name", "programme__code", "course__code"]
    autocomplete_fields = ["student", "programme", "course", "decided_in"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "student",
                    "kind",
                    "programme",
                    "course",
                    "from_year_code",
                    "until_year_code",
                    "decided_on",
                    "decided_in",
                ]
            },
        ),
        (_("Lifted"), {"fields": ["lifted_on", "lifted_reason"]}),
    ]


ENROLMENT_RELATED = ["enrolment__student", "enrolment__programme", "enrolment__academic_year"]


class ApprovalDefaultsMixin:
    """A new approval is by the signed-in user, today, unless changed. It is recorded through
    the ISP service (the rules, the version, the learning account), never saved by hand; an
    approval once recorded is read-only (a correction is a new decision)."""

    approval_fields = ("approved_by", "approved_on")

    def get_changeform_initial_data(self, request):
        return {
            "approved_by": request.user.pk,
            "approved_on": clock.today(),
            **super().get_changeform_initial_data(request),
        }

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.pk:
            return [f.name for f in self.model._meta.fields]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None and "approved_on" in form.base_fields:
            field = form.base_fields["approved_on"]
            today = clock.today()

            def clean_approved_on(self, _field=field):
                day = self.cleaned_data.get("approved_on")
                if day and day > today:
                    raise forms.ValidationError(_("An approval cannot be dated after today."))
                return day

            form.clean_approved_on = clean_approved_on
        return form


@admin.register(ISPDerogation)
class ISPDerogationAdmin(BoundedDatesAdminMixin, RefusalsOnSaveMixin, ApprovalDefaultsMixin, AuditedAdmin):
    """The cluster's decisions on derogations from the ISP rules (Art. 22), approved or refused;
    none exist for SSQ. Recorded through ``isp_derogation_record`` or, for a refusal (with its
    reason, told to the student), ``isp_derogation_refuse``, as in the ISP editor."""

    def save_model(self, request, obj, form, change):
        if change:
            return
        common = {
            "enrolment": obj.enrolment,
            "kind": obj.kind,
            "ground": obj.ground,
            "course": obj.course,
            "credits": obj.credits,
            "expected_version": obj.enrolment.version,
            "by": obj.approved_by or request.user,
            "today": obj.approved_on or clock.today(),
        }
        if obj.outcome == DerogationOutcome.REFUSED:
            recorded = isp_derogation_refuse(reason=obj.motivation, **common)
        else:
            recorded = isp_derogation_record(motivation=obj.motivation, **common)
        obj.pk = recorded.pk

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "outcome" in form.base_fields:
            form.base_fields["outcome"].required = False  # left out: approved (the model's default)
        return form

    def date_ranges(self, form, *, today):
        return _year_ranges(_enrolment_year(_chosen(form, "enrolment")), ["approved_on"], today=today)

    list_display = ["enrolment", "kind", "course", "credits", "ground", "outcome", "approved_on", "approved_by"]
    list_filter = ["outcome", "kind", "ground", "enrolment__academic_year", "enrolment__programme"]
    list_select_related = [*ENROLMENT_RELATED, "course", "approved_by"]
    search_fields = ["enrolment__student__number", "enrolment__student__last_name", "course__code"]
    autocomplete_fields = ["enrolment", "course", "approved_by"]
    date_hierarchy = "approved_on"


@admin.register(ExemptionApproval)
class ExemptionApprovalAdmin(BoundedDatesAdminMixin, RefusalsOnSaveMixin, ApprovalDefaultsMixin, AuditedAdmin):
    """Who granted an exemption and on what basis (Art. 25). Recorded through
    ``isp_line_exempt``, as in the ISP editor, so the line is exempted and what it took from
    the learning account comes back (DOMAIN §2 rule 2)."""

    def save_model(self, request, obj, form, change):
        if change:
            return
        recorded = isp_line_exempt(
            line=obj.isp_line,
            basis=obj.basis,
            expected_version=obj.isp_line.enrolment.version,
            by=obj.approved_by or request.user,
            today=obj.approved_on or clock.today(),
        )
        obj.pk = recorded.pk

    def date_ranges(self, form, *, today):
        line = _chosen(form, "isp_line")
        return _year_ranges(_enrolment_year(getattr(line, "enrolment", None)), ["approved_on"], today=today)

    list_display = ["isp_line", "basis", "approved_on", "approved_by"]
    list_filter = ["isp_line__enrolment__academic_year", "isp_line__course__programme"]
    list_select_related = [
        "isp_line__course",
        "isp_line__enrolment__student",
        "isp_line__enrolment__programme",
        "isp_line__enrolment__academic_year",
        "approved_by",
    ]
    search_fields = ["isp_line__enrolment__student__number", "isp_line__course__code", "basis"]
    autocomplete_fields = ["isp_line", "approved_by"]
    date_hierarchy = "approved_on"


@admin.register(ToleratedRetakeApproval)
class ToleratedRetakeApprovalAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    """Approved retakes of tolerated courses (Art. 90 §3), read-only here: they are recorded in
    the ISP editor through ``tolerated_retake_approve``, which checks the rules and the version."""

    list_display = ["enrolment", "course", "requested_on", "approved_on", "approved_by"]
    list_filter = ["enrolment__academic_year", "enrolment__programme"]
    list_select_related = [*ENROLMENT_RELATED, "course", "approved_by"]
    search_fields = ["enrolment__student__number", "enrolment__student__last_name", "course__code"]
    date_hierarchy = "approved_on"


@admin.register(RiskSignal)
class RiskSignalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The risk signals as last computed (Art. 28), read-only: ``progress.services.risk_refresh``
    fills them after each publication; the coach's risk list reads them."""

    list_display = ["student", "kind", "level", "programme", "course_code", "computed_on"]
    list_filter = ["kind", "level"]
    list_select_related = ["student", "programme"]
    search_fields = ["student__number", "student__last_name", "student__first_name"]


@admin.register(StudyAdvice)
class StudyAdviceAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    """Study advice on record (Art. 27-28), read-only here with its history: coaches record and
    change it on the student page (``progress.advice``), which keeps it to the student's
    coaches and to whom they share it with."""

    list_display = ["student", "held_on", "follow_up_on", "followed_up_on", "recorded_by"]
    list_filter = ["shared_with_ombuds", "shared_with_committee"]
    list_select_related = ["student", "recorded_by"]
    search_fields = ["student__number", "student__last_name", "student__first_name"]
    date_hierarchy = "held_on"
