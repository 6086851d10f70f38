"""The notifications app listens to ``core.events.decision_notified`` (ARCHITECTURE.md)."""

from . import services


def decision_notified(
    sender, *, kind, decided_on, object_label, object_id, student_ids, enrolment_ids, data, address="", **kw
):
    """Write the outbox rows of an announced decision, in the decision's transaction (DOMAIN §11)."""
    return services.notifications_write(
        kind=kind,
        decided_on=decided_on,
        object_label=object_label,
        object_id=object_id,
        student_ids=student_ids,
        enrolment_ids=enrolment_ids,
        data=data,
        address=address,
    )
