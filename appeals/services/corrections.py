"""Corrections (Art. 102): a material error in a published mark, through a new decision on
the result, and other administrative errors corrected where the record lives."""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from core import clock, events
from core.audit import audited_save
from exams import rules as exam_rules
from exams.models import Result
from exams.redecisions import result_redecide
from exams.results import result_published_on
from exams.services import result_mark
from students.models import Student

from .. import rules
from ..models import Correction
from ..selectors import day_text, result_decision_on
from .base import REASON_LENGTH, Refused, not_in_the_future, plausible_date

CORRECTION_MESSAGES = {
    rules.CORRECTION_LATE: gettext_lazy(
        "A correction against the student is possible only within ten calendar days after the decision, "
        "so by %(last_day)s (Art. 102)."
    ),
    rules.CORRECTION_BEFORE_DECISION: gettext_lazy("A correction cannot come before the decision it corrects."),
    rules.CORRECTION_NO_CHANGE: gettext_lazy("The new mark is the same: there is nothing to correct."),
    rules.CORRECTION_NO_REASON: gettext_lazy("Say why the correction is made."),
}


def _correction_refused(problems, decision_on: datetime.date) -> None:
    if problems:
        last_day = day_text(rules.correction_last_day(decision_on=decision_on))
        raise Refused([str(CORRECTION_MESSAGES[p]) % {"last_day": last_day} for p in problems])


@transaction.atomic
def result_correct(
    *,
    result: Result,
    mark: exam_rules.Mark,
    on: datetime.date,
    reason: str,
    by,
    exception: str = "",
    today: datetime.date | None = None,
) -> Correction:
    """Correct a material error in a published mark (Art. 102) through ``result_redecide``:
    always in the student's favour, against it only within ten days after the decision
    (or in the two exceptional cases)."""
    today = today or clock.today()
    not_in_the_future(on, _("The correction's date"), today)
    result = Result.objects.select_related(
        "isp_line__course", "isp_line__enrolment__student", "exam_period__academic_year"
    ).get(pk=result.pk)
    published_on = result_published_on(result)
    if published_on is None or published_on > on:
        raise Refused([_("This result is not published yet: change it in the results, not by a correction.")])
    old = result_mark(result)
    if not exam_rules.mark_allowed(mark, pass_fail=result.isp_line.course.pass_fail):
        raise Refused([_("The mark %(mark)s is not allowed for this course (Art. 65-66).") % {"mark": mark}])
    in_favour = rules.mark_in_favour(old, mark)
    decision_on = result_decision_on(result)
    problems = [rules.CORRECTION_NO_CHANGE] if in_favour is None else []
    problems += rules.correction_problems(
        in_favour=bool(in_favour), decision_on=decision_on, corrected_on=on, exception=exception, reason=reason
    )
    _correction_refused(problems, decision_on)
    label = _("Correction (Art. 102): %(reason)s") % {"reason": reason}
    result_redecide(result=result, mark=mark, on=on, reason=label[:REASON_LENGTH])
    course = result.isp_line.course
    correction = Correction(
        student=result.isp_line.enrolment.student,
        result=result,
        subject=_("Mark of %(course)s, exam period %(period)s of %(year)s, opportunity %(opportunity)s")
        % {
            "course": course.code,
            "period": result.exam_period.number,
            "year": result.exam_period.academic_year.code,
            "opportunity": result.opportunity,
        },
        decision_on=decision_on,
        corrected_on=on,
        in_favour=bool(in_favour),
        exception="" if in_favour else exception,
        old_value=exam_rules.mark_to_text(old),
        new_value=exam_rules.mark_to_text(mark),
        reason=reason,
        recorded_by=by,
    )
    audited_save(correction, by=by, reason=gettext_noop("Correction recorded"))
    _corrected_announce(correction, result)
    return correction


def _corrected_announce(correction: Correction, result: Result) -> None:
    """The student is given the corrected result (Art. 93: "the student administrative services
    centre will provide the student with a corrected examination result"; DOMAIN §11), once per
    correction; the object is the correction (``appeals.Correction``).

    A corrected mark is a new examination decision (Art. 101 f: "an evaluation of a separate course
    is determined definitively"), taken and standing in the study progress file from the day of
    the correction (``result_redecide`` on ``on``; ``result_decision_on``). Its appeal runs, as for
    every examination decision, from that publication, not from this message (Art. 101; DOMAIN §7,
    §11): the kind is not in ``APPEAL_FROM_NOTIFICATION``; its template computes the last day from
    ``decided_on``."""
    course = result.isp_line.course
    events.decision_announce(
        sender="appeals",
        kind="result_corrected",
        decided_on=correction.corrected_on,
        object_label=Correction._meta.label,
        object_id=correction.pk,
        student_ids=[correction.student_id],
        data={
            "course": f"{course.code} {course.name}",
            "exam_period": result.exam_period.number,
            "opportunity": result.opportunity,
            "academic_year": result.exam_period.academic_year.code,
            "old_mark": correction.old_value,
            "new_mark": correction.new_value,
            "reason": correction.reason,
            "decided_on": correction.corrected_on,
        },
    )


@transaction.atomic
def correction_record(
    *,
    student: Student,
    subject: str,
    decision_on: datetime.date,
    on: datetime.date,
    in_favour: bool,
    reason: str,
    by,
    old_value: str = "",
    new_value: str = "",
    exception: str = "",
    today: datetime.date | None = None,
) -> Correction:
    """Record a correction of another administrative error (Art. 102), made where the record
    lives (the admin, the ISP): who, when and why, and whether the rules allow it.

    Nothing is told from here (DOMAIN §11): this is the register's entry of a change made, and told,
    where the record lives (an ISP or exemption decision is notified by the service that makes it);
    the entry names neither a course nor a result the student's message could be written from."""
    today = today or clock.today()
    not_in_the_future(on, _("The correction's date"), today)
    plausible_date(decision_on, _("The date of the decision corrected"), today)
    if not subject.strip():
        raise Refused([_("Say what was corrected.")])
    problems = rules.correction_problems(
        in_favour=in_favour, decision_on=decision_on, corrected_on=on, exception=exception, reason=reason
    )
    _correction_refused(problems, decision_on)
    correction = Correction(
        student=student,
        subject=subject,
        decision_on=decision_on,
        corrected_on=on,
        in_favour=in_favour,
        exception="" if in_favour else exception,
        old_value=old_value,
        new_value=new_value,
        reason=reason,
        recorded_by=by,
    )
    audited_save(correction, by=by, reason=gettext_noop("Correction recorded"))
    return correction
