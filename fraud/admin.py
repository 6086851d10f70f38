"""Fraud files in the admin (Art. 84-85), read-only with history: every write goes through
``fraud.services`` (the pages of a later increment), so that each refusal names the article and
nothing is written by hand. The administration looks up a file by the student's number."""

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin, ReadOnlyAdminMixin

from . import rules, services
from .models import Evidence, FraudDecision, FraudFile, FraudHearing, Investigation, Ratification


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["name", "size", "added_on"]
    readonly_fields = fields


class HearingInline(ReadOnlyInline):
    model = FraudHearing
    fields = ["kind", "held_on", "heard_by", "ombudsperson", "notes"]
    readonly_fields = fields


class InvestigationInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = Investigation
    extra = 0
    fields = [
        "chair",
        "teacher",
        "programme_head",
        "expert",
        "findings",
        "proportion",
        "plagiarism_kind",
        "experience",
        "intention",
        "recorded_on",
    ]
    readonly_fields = fields


class DecisionInline(ReadOnlyInline):
    model = FraudDecision
    fields = ["decided_on", "sanction_numbers", "reason", "status"]
    readonly_fields = fields


@admin.register(FraudFile)
class FraudFileAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["student", "kind", "course", "exam_period", "reported_on", "committee", "decision_status"]
    list_filter = ["kind", "exam_period__academic_year", "committee__name"]
    search_fields = ["student__number", "student__last_name", "course__code"]
    list_select_related = ["student", "course", "exam_period__academic_year", "committee__academic_year"]
    readonly_fields = ["hearings_done"]
    inlines = [EvidenceInline, HearingInline, InvestigationInline, DecisionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("decisions")

    @admin.display(description=_("decision"))
    def decision_status(self, obj):
        decisions = sorted(obj.decisions.all(), key=lambda d: d.pk)
        return decisions[-1].get_status_display() if decisions else _("not decided yet")

    @admin.display(description=_("hearings"))
    def hearings_done(self, obj):
        missing = rules.hearing_refusals(**services.hearings_held(obj))
        if not missing:
            return _("examiner and student heard (Art. 74, 84)")
        return ", ".join(str(HEARING_MISSING[code]) for code in missing)


HEARING_MISSING = {
    rules.HearingRefusal.EXAMINER_NOT_HEARD: _("examiner not heard yet"),
    rules.HearingRefusal.STUDENT_NOT_HEARD: _("student not heard yet"),
    rules.HearingRefusal.NO_OMBUDSPERSON_AT_HEARING: _("student heard without an ombudsperson"),
}


class RatificationInline(ReadOnlyAdminMixin, admin.StackedInline):
    model = Ratification
    extra = 0
    fields = [
        "ombudsperson_advice",
        "ombudsperson_advice_on",
        "council_advice_requested_at",
        "advice_deadline",
        "advice_state",
        "council_advice",
        "council_advice_given_at",
        "ratified",
        "reason",
        "decided_on",
    ]
    readonly_fields = fields

    @admin.display(description=_("48 hours end at"))
    def advice_deadline(self, obj):
        deadline = services.advice_deadline(obj)
        return date_format(timezone.localtime(deadline), "DATETIME_FORMAT") if deadline else "-"

    @admin.display(description=_("Student Council chair's advice"))
    def advice_state(self, obj):
        if obj.council_advice:
            return _("given")
        if services.council_advice_may_be_disregarded(obj):
            return _("not given within 48 hours: may be disregarded (Art. 85 §2)")
        if obj.council_advice_requested_at:
            return _("requested, within the 48 hours")
        return _("not requested yet")


@admin.register(FraudDecision)
class FraudDecisionAdmin(ReadOnlyAdminMixin, AuditedAdmin):
    list_display = ["fraud_file", "decided_on", "sanction_numbers", "status"]
    list_filter = ["status"]
    search_fields = ["fraud_file__student__number", "fraud_file__student__last_name"]
    list_select_related = ["fraud_file__student", "fraud_file__course"]
    readonly_fields = ["sanction_numbers"]
    inlines = [RatificationInline]
