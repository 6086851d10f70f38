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
    "result_id, new_score, level; programme_id: the programme the decision is about) of the examination "
    "committees' adopted decisions on that exam period's "
    "results (Art. 70) that the publication has not applied yet, from closed deliberations. Answered by committee.",
)

committee_decisions_applied = Gate(
    "committee_decisions_applied",
    "committee_decisions_applied(ids, *, on) -> marks those decisions applied by the publication of ``on`` "
    "(exactly once). Answered by committee.",
)

held_programmes = Gate(
    "held_programmes",
    "held_programmes(period_ids) -> {(period_id, programme_id): release day or None} of the programmes whose "
    "publication of those exam periods an examination committee's deliberation holds past the calendar's day: "
    "None while it is open, the day it closed when that is after the calendar's day (Art. 68-69, EXCHANGE.md). "
    "Answered by committee.",
)

postponed_results = Gate(
    "postponed_results",
    "postponed_results(period_ids) -> {(period_id, isp_line_id): announce_on} of the results the select "
    "committee decided to announce later than the calendar's day (Art. 69). Answered by committee.",
)

fraud_sanctioned_lines = Gate(
    "fraud_sanctioned_lines",
    "fraud_sanctioned_lines(line_ids, student_ids=None) -> {isp_line_id: {'certificate': bool, "
    "'highest_set_aside': bool, "
    "'sanctions': [Art. 85 sanction values]}} for those ISP lines a final fraud decision touches "
    "(Art. 85 §1, §3): 'certificate' False when the course earns no credit certificate (Art. 76-77), "
    "'highest_set_aside' True when the last result stands instead of the highest of the year (Art. 85 §1). "
    "Lines no sanction touches are left out; 'student_ids', the lines' students when the caller knows "
    "them. Answered by fraud.",
)

fraud_result_refusals = Gate(
    "fraud_result_refusals",
    "fraud_result_refusals(keys) -> {key: sanction number (5 or 6)} for keys (student_id, course_id, "
    "exam_period_id) on which a final exclusion refuses a result: the course excluded (Art. 85 "
    "§1 5°) or the programme excluded (6°), in the sanction's exam period or a later one of the same academic "
    "year. Keys not refused are left out. Answered by fraud.",
)

fraud_codes = Gate(
    "fraud_codes",
    "fraud_codes(student_id) -> {isp_line_id: 'FR'} for the student's ISP lines whose results a final fraud "
    "decision touches (Art. 85 §4: the code FR in the study progress file); lines untouched are left out. "
    "Answered by fraud.",
)

open_fraud_files = Gate(
    "open_fraud_files",
    "open_fraud_files(period_id, programme_ids) -> list of dicts (id, student_number, student_name, course_code, "
    "kind, kind_label, status, status_label, reported_on, url_name) of the fraud and dispute files of courses of "
    "those programmes, of that exam period or an earlier one of its academic year, whose procedure is not "
    "finished: no decision yet, awaiting ratification, not ratified or set aside on appeal (Art. 69, 84-85, 92). "
    "``url_name`` with the file's id as ``pk`` is its page. Answered by fraud.",
)

notified_days = Gate(
    "notified_days",
    "notified_days(object_label, object_ids) -> {object_id: date | None}: for each object (named by its "
    "model's label, e.g. 'students.Measure') a live notification was written about, the day it was first "
    "sent to the student (DOMAIN §11: the notification date), None while it is not sent; an object "
    "without a notification (a historical decision, never told) is left out. Answered by notifications.",
)

student_notifications = Gate(
    "student_notifications",
    "student_notifications(student_id) -> list of dicts (id, kind, kind_label, decided_on, sent_on, status, "
    "status_label, resent_from_id, resendable), newest first: what the student was told and when (DOMAIN §11, the "
    "study progress file's optional 'notifications'). Answered by notifications.",
)

decisions_told = Gate(
    "decisions_told",
    "decisions_told(day) -> bool: whether a decision dated ``day`` is told to the students (the college "
    "is live for notifications on that day, DOMAIN §11); a service that gathers a costly announcement "
    "for many students asks first. Answered by notifications.",
)

year_fee_preview = Gate(
    "year_fee_preview",
    "year_fee_preview(student_id, academic_year_id, *, on, year=None, read=None) -> None when the year has no "
    "fee schedule, else "
    "an object with ``year_code`` and a pure ``total(changes=None) -> Decimal``: the student's tuition fee of "
    "that academic year in euro (all fee groups) as the facts stand on ``on``, and as it would be after "
    "``changes``, a dict of plain values keyed by programme code: 'deregister' {code: date}, 'remove' {code: "
    "[(credits, semester)]}, 'contract' {code: contract}, 'without_account' {code: credits without learning "
    "account}, and 'add': [dicts (programme_code, programme_kind, contract, grant_status, lines [(credits, "
    "semester)], without_account, enrolled_on)] for a new enrolment. It reads nothing after it is made: the "
    "what-if preview (progress) simulates with it. ``read``: the caller's rows of the student's year (dict of "
    "'enrolments' with programmes, 'lines' of them with courses, 'entries' as dicts of the ledger), so that only "
    "the fee schedule is read. Answered by fees.",
)

committee_clusters = Gate(
    "committee_clusters",
    "committee_clusters(committee_ids) -> iterable of (cluster, academic_year_id) the examination committees "
    "with those ids are competent for (Art. 68: a committee per cluster and academic year); progress asks it "
    "to show a student's study advice shared with the committee. Answered by committee.",
)
