"""The committee's reads, scoped to what the user may see (core.permissions: a seat on the
committee, or the administration; Art. 72 keeps the deliberation secret to them)."""

from django.db.models import BooleanField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from core.permissions import scope
from programmes.models import ExamPeriod, Programme

from .models import Committee, Deliberation, Report


def committees_for(user) -> QuerySet[Committee]:
    return Committee.objects.filter(scope(user).committees_q()).select_related("academic_year")


def deliberations_for(user) -> QuerySet[Deliberation]:
    return Deliberation.objects.filter(scope(user).committees_q("committee__")).select_related(
        "committee", "committee__academic_year", "exam_period", "exam_period__academic_year"
    )


def report_signed() -> Coalesce:
    """Whether a deliberation's current report is signed by the chair and the secretary (as
    ``services.is_signed``), as an expression to annotate deliberations with."""
    current = Report.objects.filter(deliberation_id=OuterRef("pk")).order_by("-version")
    signed = Q(chair_signed_at__isnull=False, secretary_signed_at__isnull=False)
    return Coalesce(
        Subquery(current.annotate(both=signed).values("both")[:1]), Value(False), output_field=BooleanField()
    )


def deliberation_for(user, pk: int) -> Deliberation:
    """One deliberation the user may see; 404 otherwise (an object outside the user's committees
    is simply not found). Read with it, for its pages: the number of the year's last exam period
    (``last_period_number``), whether the report's current version is signed
    (``report_signed``, as ``services.is_signed`` when the page was asked for) and the report's
    kept count of the students deliberated (``deliberated_tally``, ``committee.tallies``)."""
    last_period = ExamPeriod.objects.filter(academic_year_id=OuterRef("exam_period__academic_year_id"))
    return get_object_or_404(
        deliberations_for(user)
        .select_related("deliberated_tally")
        .annotate(
            last_period_number=Subquery(last_period.order_by("-number").values("number")[:1]),
            report_signed=report_signed(),
        ),
        pk=pk,
    )


def clusters(committee: Committee) -> list[str]:
    return [c.cluster for c in committee.clusters.all()]


def programmes_of(committee: Committee) -> QuerySet[Programme]:
    """The programmes the committee is competent for: every programme of its clusters (Art. 68)."""
    return Programme.objects.filter(cluster__in=committee.clusters.values("cluster"))


def committee_of(programme: Programme, academic_year) -> Committee | None:
    """The committee competent for ``programme`` in ``academic_year`` (Art. 68), or None."""
    return Committee.objects.filter(academic_year=academic_year, clusters__cluster=programme.cluster).first()
