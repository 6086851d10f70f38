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

# Results were entered (a marksheet, the admin, an exam not taken): new results, or results moved
# to another exam period; or imported (a records file). Sent by exams, and by exchange after an
# import, inside the transaction with ``exam_period_ids`` (the periods that have them); receivers
# only listen (a count kept of a period's results, such as the marks entered and missing of exams
# or the committee report's students deliberated, is counted again once the transaction commits)
# and return nothing.
results_recorded = Signal()


def answers(responses) -> list:
    """The receivers' answers of a ``send``, in connection order; a receiver that only listens
    (it returns None) gives none."""
    return [answer for _receiver, answer in responses if answer is not None]


# A decision a student must be told of (DOMAIN §11; Art. 85, 86, 91, 101). Sent by the deciding
# service inside its transaction, with plain data:
# - ``kind``: what is told (the notifications app's ``Kind``, e.g. "fraud_sanction");
# - ``student_ids``: the students told (a list; one for most decisions), or ``enrolment_ids`` for a
#   publication, which knows its enrolments (the receiver finds their students);
# - ``object_label`` and ``object_id``: the object it is about ("fraud.FraudDecision", 12);
# - ``decided_on``: the decision's date (a publication: its day); a decision dated before the
#   college went live is historical and never told (EXCHANGE.md);
# - ``data``: the template's data (str, int, bool, date values and lists of them);
# - ``address``: where to send it when not the student's own address (an appeal names the address
#   for its procedure, Art. 101); empty: the student's.
# The notifications app writes its outbox rows in that transaction: a decision that rolls back
# leaves none.
decision_notified = Signal()


def decision_announce(
    *,
    sender: str,
    kind: str,
    decided_on,
    object_label: str,
    object_id: int | None = None,
    student_ids=(),
    enrolment_ids=(),
    data: dict | None = None,
    address: str = "",
) -> list:
    """Announce a decision a student must be told of (``decision_notified``); the receivers' answers."""
    return answers(
        decision_notified.send(
            sender=sender,
            kind=kind,
            decided_on=decided_on,
            object_label=object_label,
            object_id=object_id,
            student_ids=list(student_ids),
            enrolment_ids=list(enrolment_ids),
            data=dict(data or {}),
            address=address,
        )
    )
