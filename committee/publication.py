"""What the committee tells the publication (core.gates, answered in ``CommitteeConfig.ready``):
the adopted decisions of its closed deliberations on an exam period's results, which the
publication applies exactly once (Art. 70, EXCHANGE.md)."""

import datetime

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
            "programme_id": programme_of.get(d["pk"]),
            "isp_line_id": d["isp_line_id"],
            "result_id": d["result_id"],
            "new_score": d["new_score"],
            "level": d["level"],
        }
        for d in decisions
    ]


def decisions_applied(ids: list[int], *, on: datetime.date) -> None:
    Decision.objects.filter(pk__in=ids, applied_on__isnull=True).update(applied_on=on)


def held_periods(period_ids: list[int]) -> set[int]:
    """The exam periods a deliberation holds: one is open on them (EXCHANGE.md, held publications)."""
    return set(
        Deliberation.objects.filter(exam_period_id__in=period_ids, status=DeliberationStatus.OPEN).values_list(
            "exam_period_id", flat=True
        )
    )


def postponed(period_ids: list[int]) -> dict[tuple[int, int], datetime.date]:
    """The results announced later than the calendar's day (Art. 69), by (period, ISP line)."""
    return {
        (period, line): day
        for period, line, day in Postponement.objects.filter(deliberation__exam_period_id__in=period_ids).values_list(
            "deliberation__exam_period_id", "isp_line_id", "announce_on"
        )
    }
