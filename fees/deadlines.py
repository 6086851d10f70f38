"""What fees registers on the timeline: the tuition fee follows the day's enrolments, ISP
lines and deregistrations (fee appendix), so it runs last among the day's facts and has no
pending day of its own."""

from core.timeline import FactKind, Stage, register_fact_kind

from .services import fees_process


def register() -> None:
    register_fact_kind(FactKind("tuition_fee", Stage.FACTS, 900, fees_process))
