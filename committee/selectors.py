"""The committee's reads, scoped to what the user may see (core.permissions: a seat on the
committee, or the administration; Art. 72 keeps the deliberation secret to them)."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from core.permissions import scope
from programmes.models import Programme

from .models import Committee, Deliberation


def committees_for(user) -> QuerySet[Committee]:
    return Committee.objects.filter(scope(user).committees_q()).select_related("academic_year")


def deliberations_for(user) -> QuerySet[Deliberation]:
    return Deliberation.objects.filter(scope(user).committees_q("committee__")).select_related(
        "committee", "committee__academic_year", "exam_period", "exam_period__academic_year"
    )


def deliberation_for(user, pk: int) -> Deliberation:
    """One deliberation the user may see; 404 otherwise (an object outside the user's committees
    is simply not found)."""
    return get_object_or_404(deliberations_for(user), pk=pk)


def clusters(committee: Committee) -> list[str]:
    return [c.cluster for c in committee.clusters.all()]


def programmes_of(committee: Committee) -> QuerySet[Programme]:
    """The programmes the committee is competent for: every programme of its clusters (Art. 68)."""
    return Programme.objects.filter(cluster__in=committee.clusters.values("cluster"))


def committee_of(programme: Programme, academic_year) -> Committee | None:
    """The committee competent for ``programme`` in ``academic_year`` (Art. 68), or None."""
    return Committee.objects.filter(academic_year=academic_year, clusters__cluster=programme.cluster).first()
