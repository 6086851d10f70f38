"""Writes of the appeals app: the appeal register (Art. 101), refusal lifting (Art. 34) and
corrections (Art. 102). Keyword-only, typed, transactional; ``by`` is the user who records.

One module per section: ``appeals`` (registering and following an appeal), ``lifting``,
``corrections``, ``clocks`` (the timeline's appeal clocks) and ``summary`` (the daily
e-mail); ``base`` holds their refusal. Reads live in ``appeals.selectors``; the ones the
pages and the timeline used to find here are re-exported, so ``from appeals import
services`` keeps offering every public name.

The rules live in ``appeals.rules``; a new examination decision goes through
``exams.redecisions.result_redecide`` like every changed mark, so the credit certificate,
the learning account, tolerance, the programme result and the measures follow on the
decision day. The appeal clocks (void after the elaboration window, overdue after the
decision's due day) are dated facts of the timeline (``core.timeline``): each is processed
once and stamped with the rule's own date, so processing it late or twice changes nothing.

Every write takes ``today`` (default: ``core.clock.today()``) so that a replay, such as the
demo loaded "as of" a day, judges dates against that day.
"""

from ..selectors import (
    ADMISSIBILITY_MESSAGES,
    LIFTING_MESSAGES,
    LINK_FIELDS,
    Admissibility,
    LiftingCheck,
    Summary,
    admissibility,
    appeal_clocks_pending_on,
    appeals_summary,
    lifting_check,
    lifting_tolerances,
    link_kind,
    result_decision_on,
    summary_recipients,
)
from .appeals import (
    LATER_DATE_MESSAGES,
    OUTCOME_MESSAGES,
    Linked,
    appeal_decide,
    appeal_elaborate,
    appeal_postpone,
    appeal_register,
    linked_decision,
)
from .base import REASON_LENGTH, Refused
from .clocks import appeal_clocks_process
from .corrections import CORRECTION_MESSAGES, correction_record, result_correct
from .lifting import refusal_lift, refusal_lifting_decide, refusal_lifting_request_register
from .summary import appeals_summary_send

__all__ = [
    "ADMISSIBILITY_MESSAGES",
    "CORRECTION_MESSAGES",
    "LATER_DATE_MESSAGES",
    "LIFTING_MESSAGES",
    "LINK_FIELDS",
    "OUTCOME_MESSAGES",
    "REASON_LENGTH",
    "Admissibility",
    "LiftingCheck",
    "Linked",
    "Refused",
    "Summary",
    "admissibility",
    "appeal_clocks_pending_on",
    "appeal_clocks_process",
    "appeal_decide",
    "appeal_elaborate",
    "appeal_postpone",
    "appeal_register",
    "appeals_summary",
    "appeals_summary_send",
    "correction_record",
    "lifting_check",
    "lifting_tolerances",
    "link_kind",
    "linked_decision",
    "refusal_lift",
    "refusal_lifting_decide",
    "refusal_lifting_request_register",
    "result_correct",
    "result_decision_on",
    "summary_recipients",
]
