"""The day a student sits an exam, for the lower layers (``core.gates.exam_dates``): the
result rules refuse a mark before it (exams.results)."""

import datetime
from collections.abc import Iterable

from .models import ExamMoment, RequestStatus, RescheduleRequest

Key = tuple[int | None, int, int]  # (ISP line id or None for a line not saved yet, course id, exam period id)


def exam_dates(keys: Iterable[Key]) -> dict[Key, datetime.date]:
    """The day of each key's exam: the new moment of the latest accepted reschedule request of
    the ISP line in that exam period, else the course's exam moment; keys without one are left out."""
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
    moved = {}
    if lines:
        for line, period, on in (
            RescheduleRequest.objects.filter(
                isp_line_id__in=lines, exam_period_id__in=periods, status=RequestStatus.ACCEPTED
            )
            .order_by("decided_on", "pk")
            .values_list("isp_line_id", "exam_period_id", "new_on")
        ):
            moved[(line, period)] = on  # the latest decision wins, as on the exam schedule
    found = {}
    for key in keys:
        line, course, period = key
        on = moved.get((line, period)) if line is not None else None
        on = on or moments.get((course, period))
        if on is not None:
            found[key] = on
    return found
