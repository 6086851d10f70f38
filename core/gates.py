"""Gates: questions a lower layer asks and a higher layer answers (ARCHITECTURE.md).

A lower app may need to know something only a higher app can tell — the ledger asks
whether an exam opportunity was taken, which results hold. The question is declared
here, the answering app registers its function in ``AppConfig.ready()``, and asking a
question nobody answers is a configuration error, never a silent default.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured


class Gate:
    """One question with one answering function."""

    def __init__(self, name: str, doc: str):
        self.name = name
        self.__doc__ = doc
        self._answer: Callable | None = None

    def answer_with(self, function: Callable) -> None:
        self._answer = function

    @property
    def answered(self) -> bool:
        return self._answer is not None

    def __call__(self, *args, **kwargs):
        if self._answer is None:
            raise ImproperlyConfigured(f"nobody answers the gate {self.name!r}: is the answering app installed?")
        return self._answer(*args, **kwargs)


opportunities_taken = Gate(
    "opportunities_taken",
    "opportunities_taken(line_ids, *, on, first_only=False) -> set of ISP line ids with an exam "
    "opportunity taken by ``on`` (Art. 89 §1: an exam not taken counts). Answered by exams.",
)

exam_dates = Gate(
    "exam_dates",
    "exam_dates(keys) -> {key: date} for keys (isp_line_id or None, course_id, exam_period_id): the day "
    "the student sits that course's exam in that exam period (the exam moment, or the new moment of an "
    "accepted reschedule request); a key without a moment is left out. Answered by reschedules.",
)

isp_change_fee = Gate(
    "isp_change_fee",
    "isp_change_fee(enrolment_id, *, on, add=None, remove=None, without_account_change=0) -> "
    "(year code, fee before, fee after, charged now) in euro of the enrolment's fee group as charged "
    "once its ISP is approved (charged now: already so), for a change that adds or removes one "
    "(credits, semester) line, or None when the year has no fee schedule. Answered by fees.",
)

committee_decisions = Gate(
    "committee_decisions",
    "committee_decisions(period_id) -> list of dicts (id, kind, student_id, programme_id, isp_line_id, "
    "result_id, new_score, level) of the examination committees' adopted decisions on that exam period's "
    "results (Art. 70) that the publication has not applied yet, from closed deliberations. Answered by committee.",
)

committee_decisions_applied = Gate(
    "committee_decisions_applied",
    "committee_decisions_applied(ids, *, on) -> marks those decisions applied by the publication of ``on`` "
    "(exactly once). Answered by committee.",
)

publication_held = Gate(
    "publication_held",
    "publication_held(period_ids) -> the ids of those exam periods whose publication is held today: an "
    "examination committee's deliberation on them is open (Art. 68-69, EXCHANGE.md). Answered by committee.",
)

postponed_results = Gate(
    "postponed_results",
    "postponed_results(period_ids) -> {(period_id, isp_line_id): announce_on} of the results the select "
    "committee decided to announce later than the calendar's day (Art. 69). Answered by committee.",
)
