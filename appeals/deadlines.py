"""What appeals registers on the timeline: the appeal clocks (Art. 101) — void when not
elaborated in time, flagged when overdue — after the day's student decisions."""

from core.timeline import FactKind, Stage, register_fact_kind

from .selectors import appeal_clocks_pending_on
from .services.clocks import appeal_clocks_process


def register() -> None:
    register_fact_kind(FactKind("appeal_clock", Stage.DECISIONS, 30, appeal_clocks_process, appeal_clocks_pending_on))
