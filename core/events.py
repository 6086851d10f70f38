"""Events: how a lower layer announces a decision to the layers above it (ARCHITECTURE.md).

A service sends an event with plain data (ids, dates, words), inside its own
transaction; receivers in apps above it connect in their ``AppConfig.ready()`` and
write their rows in that same transaction, so a decision that rolls back leaves
nothing behind. Signals are synchronous (``django.dispatch``); ``send`` returns each
receiver's answer.
"""

from django.dispatch import Signal

# A result of an ended or running academic year changed after its publication (an
# appeal, a correction: Art. 101-102). Sent by exams with ``academic_year_id``,
# ``student_ids``, ``on`` (the day of the new decision) and ``reason``; receivers
# return ``(lifted, taken)``: the study progress measures they lifted and took.
results_redecided = Signal()


def answers(responses) -> list:
    """The receivers' answers of a ``send``, in connection order."""
    return [answer for _receiver, answer in responses]
