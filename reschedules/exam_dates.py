"""The day a student sits an exam, for the lower layers (``core.gates.exam_dates``): the
result rules refuse a mark before it (exams.results). Of the exam's accepted reschedule requests
and its individual moments (``IndividualMoment``: the retake of Art. 85 §1 1°), the latest
decision wins, a request decided on the same day last (``latest_move``)."""

import datetime
from collections.abc import Iterable

from .models import ExamMoment, IndividualMoment, RequestStatus, RescheduleRequest

Key = tuple[int | None, int, int]  # (ISP line id or None for a line not saved yet, course id, exam period id)


def latest_move(request: RescheduleRequest | None, individual: IndividualMoment | None):
    """Which of the exam's latest accepted reschedule request and its individual moment in force
    places the exam (Art. 43, 57; Art. 85 §1 1°): the later decision, the request on the same day
    (it moves the moment set before); None when neither."""
    if request is None or individual is None:
        return request or individual
    return request if request.decided_on >= individual.set_on else individual


def exam_dates(keys: Iterable[Key]) -> dict[Key, datetime.date]:
    """The day of each key's exam: the latest of the ISP line's accepted reschedule requests and
    individual moments in force in that exam period (``latest_move``), else the course's exam
    moment; keys without one are left out."""
    keys = set(keys)
    if not keys:
        return {}
    courses = {course for _line, course, _period in keys}
    periods = {period for _line, _course, period in keys}
    lines = {line for line, _course, _period in keys if line is not None}
    moments = {
        (course, period): on
        for course, period, on in ExamMoment.objects.filter(
            course_id__in=courses, exam_period_id__in=periods
        ).values_list("course_id", "exam_period_id", "on")
    }
    requests, individual = {}, {}
    if lines:
        for request in (
            RescheduleRequest.objects.filter(
                isp_line_id__in=lines, exam_period_id__in=periods, status=RequestStatus.ACCEPTED
            )
            .only("isp_line_id", "exam_period_id", "decided_on", "new_on")
            .order_by("decided_on", "pk")
        ):
            requests[(request.isp_line_id, request.exam_period_id)] = request  # the latest decision wins
        for moment in (
            IndividualMoment.objects.filter(
                isp_line_id__in=lines, exam_period_id__in=periods, withdrawn_on__isnull=True
            )
            .only("isp_line_id", "exam_period_id", "set_on", "on")
            .order_by("set_on", "pk")
        ):
            individual[(moment.isp_line_id, moment.exam_period_id)] = moment
    found = {}
    for key in keys:
        line, course, period = key
        move = latest_move(requests.get((line, period)), individual.get((line, period))) if line is not None else None
        on = None
        if isinstance(move, RescheduleRequest):
            on = move.new_on
        elif move is not None:
            on = move.on
        on = on or moments.get((course, period))
        if on is not None:
            found[key] = on
    return found
