"""What the committee tells the publication (core.gates, answered in ``CommitteeConfig.ready``):
the adopted decisions of its closed deliberations on an exam period's results, which the
publication applies exactly once (Art. 70, EXCHANGE.md)."""

import datetime
from collections import defaultdict

from django.db.models import F, Q

from programmes.models import Programme
from students.models import Enrolment

from .models import CommitteeCluster, Decision, DecisionOutcome, Deliberation, DeliberationStatus, Postponement


def decisions_to_apply(period_id: int) -> list[dict]:
    decisions = list(
        Decision.objects.filter(
            deliberation__exam_period_id=period_id,
            deliberation__status=DeliberationStatus.CLOSED,
            outcome=DecisionOutcome.ADOPTED,
            applied_on__isnull=True,
        )
        .order_by("pk")
        .values(
            "pk",
            "kind",
            "student_id",
            "isp_line_id",
            "isp_line__enrolment__programme_id",
            "result_id",
            "new_score",
            "level",
            "deliberation__committee_id",
            "deliberation__exam_period__academic_year_id",
        )
    )
    # A level decision names no course: it is about the student's programme that year within the
    # committee's competence (its clusters, Art. 68). Two queries for all of them.
    levels = [d for d in decisions if d["isp_line_id"] is None]
    programme_of = {}
    if levels:
        clusters = set(
            CommitteeCluster.objects.filter(
                committee_id__in={d["deliberation__committee_id"] for d in levels}
            ).values_list("committee_id", "cluster")
        )
        for student_id, programme_id, cluster in Enrolment.objects.filter(
            academic_year_id=levels[0]["deliberation__exam_period__academic_year_id"],
            student_id__in={d["student_id"] for d in levels},
        ).values_list("student_id", "programme_id", "programme__cluster"):
            for d in levels:
                if d["student_id"] == student_id and (d["deliberation__committee_id"], cluster) in clusters:
                    programme_of.setdefault(d["pk"], programme_id)
    return [
        {
            "id": d["pk"],
            "kind": d["kind"],
            "student_id": d["student_id"],
            "programme_id": d["isp_line__enrolment__programme_id"] or programme_of.get(d["pk"]),
            "isp_line_id": d["isp_line_id"],
            "result_id": d["result_id"],
            "new_score": d["new_score"],
            "level": d["level"],
        }
        for d in decisions
    ]


def decisions_applied(ids: list[int], *, on: datetime.date) -> None:
    Decision.objects.filter(pk__in=ids, applied_on__isnull=True).update(applied_on=on)


def held_programmes(period_ids: list[int]) -> dict[tuple[int, int], datetime.date | None]:
    """The programmes whose publication of those periods a deliberation holds past the calendar's
    day (EXCHANGE.md, held publications): every programme of the committee's clusters, until the
    day it closed (None while it is open). A deliberation closed by the calendar's day holds
    nothing; one never opened holds nothing."""
    deliberations = list(
        Deliberation.objects.filter(exam_period_id__in=period_ids)
        .filter(
            Q(status=DeliberationStatus.OPEN)
            | Q(status=DeliberationStatus.CLOSED, closed_on__gt=F("exam_period__results_published_on"))
        )
        .values_list("exam_period_id", "committee_id", "status", "closed_on")
    )
    if not deliberations:
        return {}
    clusters = defaultdict(set)
    for committee_id, cluster in CommitteeCluster.objects.filter(
        committee_id__in={d[1] for d in deliberations}
    ).values_list("committee_id", "cluster"):
        clusters[cluster].add(committee_id)
    programmes = defaultdict(set)
    for programme_id, cluster in Programme.objects.filter(cluster__in=list(clusters)).values_list("pk", "cluster"):
        for committee_id in clusters[cluster]:
            programmes[committee_id].add(programme_id)
    held = {}
    for period_id, committee_id, status, closed_on in deliberations:
        release = None if status == DeliberationStatus.OPEN else closed_on
        for programme_id in programmes[committee_id]:
            held[period_id, programme_id] = release
    return held


def postponed(period_ids: list[int]) -> dict[tuple[int, int], datetime.date]:
    """The results announced later than the calendar's day (Art. 69), by (period, ISP line)."""
    return {
        (period, line): day
        for period, line, day in Postponement.objects.filter(deliberation__exam_period_id__in=period_ids).values_list(
            "deliberation__exam_period_id", "isp_line_id", "announce_on"
        )
    }
