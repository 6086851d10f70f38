"""What the committee tells the publication (core.gates, answered in ``CommitteeConfig.ready``):
the adopted decisions of its closed deliberations on an exam period's results, which the
publication applies exactly once (Art. 70, EXCHANGE.md)."""

import datetime

from students.models import Enrolment

from .models import Decision, DecisionOutcome, Deliberation, DeliberationStatus, Postponement


def decisions_to_apply(period_id: int) -> list[dict]:
    rows = (
        Decision.objects.filter(
            deliberation__exam_period_id=period_id,
            deliberation__status=DeliberationStatus.CLOSED,
            outcome=DecisionOutcome.ADOPTED,
            applied_on__isnull=True,
        )
        .order_by("pk")
        .values("pk", "kind", "student_id", "isp_line_id", "result_id", "new_score", "level")
    )
    decisions = list(rows)
    if not decisions:
        return []
    # The programme a level is awarded in: the student's programme in the committee's competence
    # that year (the level decision names no course).
    programmes = dict(
        Decision.objects.filter(pk__in=[d["pk"] for d in decisions]).values_list(
            "pk", "deliberation__exam_period__academic_year_id"
        )
    )
    result = []
    for d in decisions:
        programme_id = None
        if d["isp_line_id"] is None:
            programme_id = (
                Enrolment.objects.filter(student_id=d["student_id"], academic_year_id=programmes[d["pk"]])
                .values_list("programme_id", flat=True)
                .first()
            )
        result.append({"id": d.pop("pk"), "programme_id": programme_id, **d})
    return result


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
