"""What fraud registers on the timeline: carrying out each final fraud decision on the day it became
final, exactly once (Art. 85 §1-3). Stage FACTS, after the enrolments and the ISP facts of that day
and before the day's publications, so that a publication on the same day reads the sanctioned marks
(as it reads the committee's adjusted marks, Art. 70)."""

from core.timeline import FactKind, Stage, register_fact_kind

from .effects import pending_on, sanctions_process


def register() -> None:
    register_fact_kind(FactKind("fraud_sanction", Stage.FACTS, 90, sanctions_process, pending_on))
