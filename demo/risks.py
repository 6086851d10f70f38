"""The demo's risk signals (Art. 28): what the coach's risk list holds once the demo is loaded."""

from collections import Counter

from progress.models import RiskSignal


def risks_summary() -> str:
    """One line: the signals stored, by kind and level."""
    counts = Counter(RiskSignal.objects.values_list("kind", "level"))
    if not counts:
        return "Risk signals: none."
    parts = ", ".join(f"{n} {kind} {level}" for (kind, level), n in sorted(counts.items()))
    return f"Risk signals: {parts}."
