"""The individual exam schedule as an iCalendar file (RFC 5545), for the student's agenda.

One event per exam on the schedule (as the student sees it: announced exams, a moved exam
at its new moment), from its start for its moment's duration. Times are the college's wall
clock: ``DTSTART;TZID=Europe/Brussels`` with the VTIMEZONE that defines it, so that an agenda
in any time zone shows the right hour, also across the change to summer time. The UID is
the exam's own (ISP line and exam period), so that importing a newer file updates the event
instead of adding a second one; SEQUENCE counts the accepted moves.
"""

import datetime
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from core import clock

from .models import RequestStatus
from .schedule import Schedule

TIME_ZONE = "Europe/Brussels"
BRUSSELS = ZoneInfo(TIME_ZONE)


def schedule_calendar(schedule: Schedule, *, host: str = "localhost") -> bytes:
    student, year = schedule.student, schedule.year
    calendar = Calendar()
    calendar.add("prodid", "-//College student administration//Individual exam schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add(
        "x-wr-calname",
        _("Exams %(number)s %(year)s") % {"number": student.number, "year": year.code},
    )
    calendar.add("x-wr-timezone", TIME_ZONE)
    stamp = clock.now().astimezone(datetime.UTC)
    for exam in schedule.exams:
        start = datetime.datetime.combine(exam.on, exam.starts_at, tzinfo=BRUSSELS)
        event = Event()
        event.add("uid", f"exam-{exam.line.pk}-{exam.moment.exam_period_id}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + datetime.timedelta(minutes=exam.minutes))
        event.add(
            "summary",
            _("Exam %(code)s %(name)s") % {"code": exam.course.code, "name": exam.course.name},
        )
        if exam.room:
            event.add("location", exam.room)
        details = [
            _("Exam period %(number)s, opportunity %(opportunity)s")
            % {"number": exam.period.number, "opportunity": exam.opportunity}
        ]
        if exam.individual:
            details.append(exam.individual.get_source_display())
        if exam.moved_by:
            details.append(_("Moved by the ombudsperson's decision."))
        event.add("description", "\n".join(str(d) for d in details))
        event.add("sequence", sum(r.status == RequestStatus.ACCEPTED for r in exam.requests))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
