"""The individual exam schedule told to the students (Art. 41, 43; DOMAIN §6, §11).

- ``exam_schedule_publish(period=, day=)``: on the day an exam period's exams first appear on the
  individual exam schedules (the year's ``ies_opens``, 16 October, or, when the planning announced
  none of them by then, the first day it announces one), each student with exams in that period is
  told them, once (kind ``exam_schedule_published``): a calendar transition of the timeline
  (reschedules/deadlines.py), so a rerun tells nothing again.
- ``moments_changed_announce(changes, day=)``: after that publication, a change by the planning (a new
  exam, or one moved or given another room: the import of reschedules/moments.py, the admin's form) is
  told to each student whose own exam it is (kind ``exam_moments_changed``); not to a student whose
  exam of that period was moved for them alone (an accepted reschedule request, an individual moment:
  Art. 43, 85 §1 1°), whose own moment did not change. Before the publication nothing is told: the
  publication shows the schedule as it then stands.

Each exam is a plain list ``[course "CODE Title", ISO date, "HH:MM", room]`` (a change adds the old
date, start time and room; empty for a new exam); one announcement per group of students told the
same exams. Neither is appealable (Art. 57; not a decision of Art. 101). Both are good candidates for
the daily digest (``settings.NOTIFICATIONS_DIGEST``).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from core import events, gates
from core.timeline import processed_keys
from programmes.models import ExamPeriod
from students.models import EnrolmentStatus, ISPLine, LineOutcome

from .exam_dates import latest_move
from .models import ExamMoment, IndividualMoment, RequestStatus, RescheduleRequest

BATCH = 500  # students per batch
LABEL = ExamPeriod._meta.label  # the object told about: the exam period's schedule


def schedule_key(period: ExamPeriod) -> str:
    """The calendar transition that publishes ``period``'s individual exam schedules (Art. 43)."""
    return f"exam_period:{period.academic_year.code}:{period.number}:exam_schedule"


def _clock(moment: datetime.time | None) -> str:
    return moment.strftime("%H:%M") if moment else ""


def _lines(period: ExamPeriod, day: datetime.date):
    """The ISP lines examined in ``period`` as they stand on ``day``: in an enrolment of its year
    (enrolled, not deregistered or refused), added and not removed, not exempted; in exam period 3
    only those still to be obtained after the first opportunity with a resit (Art. 45)."""
    lines = (
        ISPLine.objects.filter(
            enrolment__academic_year_id=period.academic_year_id,
            enrolment__enrolled_on__lte=day,
            exempted=False,
            added_on__lte=day,
        )
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gt=day))
        .filter(Q(enrolment__deregistered_on__isnull=True) | Q(enrolment__deregistered_on__gt=day))
        .exclude(enrolment__status=EnrolmentStatus.REFUSED)
    )
    if period.number == 3:
        lines = lines.filter(
            course__resit=True,
            outcome__in=(LineOutcome.FAILED, LineOutcome.TOLERABLE),
            certified_on__isnull=True,
            tolerated_on__isnull=True,
        )
    return lines


def _announce(kind: str, period: ExamPeriod, day: datetime.date, on_key: str, by_student: dict) -> int:
    """One announcement per group of students told the same exams; how many students."""
    groups = defaultdict(list)
    for student_id, exams in by_student.items():
        groups[tuple(tuple(exam) for exam in sorted(exams, key=lambda e: (e[1], e[2], e[0])))].append(student_id)
    for exams, student_ids in groups.items():
        events.decision_announce(
            sender="reschedules",
            kind=kind,
            decided_on=day,
            object_label=LABEL,
            object_id=period.pk,
            student_ids=sorted(student_ids),
            data={
                "academic_year": period.academic_year.code,
                "exam_period": period.number,
                on_key: day,
                "moments": [list(exam) for exam in exams],
            },
        )
    return len(by_student)


# --- The first publication (Art. 43: from 16 October) -----------------------------------------------------
def visible_moments(period: ExamPeriod, day: datetime.date):
    """The planning's exam moments of ``period`` a student sees on ``day`` (Art. 43)."""
    return ExamMoment.objects.filter(exam_period=period).filter(Q(announced_on__isnull=True) | Q(announced_on__lte=day))


def _moves(line_ids, period: ExamPeriod, day: datetime.date):
    """Per ISP line, its latest accepted reschedule request and its individual moment in force on ``day``."""
    requests, own = {}, {}
    for request in (
        RescheduleRequest.objects.filter(
            isp_line_id__in=line_ids, exam_period=period, status=RequestStatus.ACCEPTED, decided_on__lte=day
        )
        .only("isp_line_id", "decided_on", "new_on", "new_starts_at", "new_room")
        .order_by("decided_on", "pk")
    ):
        requests[request.isp_line_id] = request
    for moment in (
        IndividualMoment.objects.filter(isp_line_id__in=line_ids, exam_period=period, set_on__lte=day)
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day))
        .only("isp_line_id", "set_on", "on", "starts_at", "room")
        .order_by("set_on", "pk")
    ):
        own[moment.isp_line_id] = moment
    return requests, own


def _exam(course: str, planned, request, own) -> list[str] | None:
    """A line's exam as its schedule shows it (reschedules.schedule.ScheduledExam)."""
    move = latest_move(request, own)
    base_room = own.room if own else (planned[2] if planned else "")
    if isinstance(move, RescheduleRequest):
        return [course, move.new_on.isoformat(), _clock(move.new_starts_at), move.new_room or base_room]
    if move is not None:
        return [course, move.on.isoformat(), _clock(move.starts_at), move.room]
    if planned is None:
        return None
    return [course, planned[0].isoformat(), _clock(planned[1]), planned[2]]


def exam_schedule_publish(*, period: ExamPeriod, day: datetime.date) -> int:
    """Tell each student with exams in ``period`` their individual exam schedule of it as it stands on
    ``day``, its publication (Art. 41, 43; DOMAIN §6, §11): their exams with the moment of an accepted
    reschedule request or an individual moment where one places it. Queries per batch of students,
    not per student; returns how many students were told."""
    if not gates.decisions_told(day):
        return 0  # historical: nothing to gather (DOMAIN §11)
    planned = {
        course_id: (on, starts_at, room)
        for course_id, on, starts_at, room in visible_moments(period, day).values_list(
            "course_id", "on", "starts_at", "room"
        )
    }
    own_moment = IndividualMoment.objects.filter(isp_line=OuterRef("pk"), exam_period=period, set_on__lte=day).filter(
        Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day)
    )
    lines = _lines(period, day).filter(Q(course_id__in=list(planned)) | Exists(own_moment))
    student_ids = sorted(set(lines.values_list("enrolment__student_id", flat=True)))
    told = 0
    for start in range(0, len(student_ids), BATCH):
        rows = list(
            lines.filter(enrolment__student_id__in=student_ids[start : start + BATCH]).values_list(
                "pk", "enrolment__student_id", "course_id", "course__code", "course__name"
            )
        )
        requests, own = _moves([pk for pk, *_rest in rows], period, day)
        by_student = defaultdict(list)
        for pk, student_id, course_id, code, name in rows:
            exam = _exam(f"{code} {name}", planned.get(course_id), requests.get(pk), own.get(pk))
            if exam is not None and exam not in by_student[student_id]:
                by_student[student_id].append(exam)
        told += _announce("exam_schedule_published", period, day, "published_on", by_student)
    return told


# --- A change by the planning after the publication ---------------------------------------------------------
@dataclass(frozen=True)
class MomentChange:
    """An exam moment as it is now and as it was (``old_on`` None: a new exam)."""

    moment: ExamMoment
    old_on: datetime.date | None = None
    old_starts_at: datetime.time | None = None
    old_room: str = ""

    @property
    def told(self) -> bool:
        """A change the student sees: a new exam, another day, hour or room (not only its duration)."""
        m = self.moment
        return (m.on, m.starts_at, m.room) != (self.old_on, self.old_starts_at, self.old_room)

    def exam(self, course: str) -> list[str]:
        m = self.moment
        old_on = self.old_on.isoformat() if self.old_on else ""
        old = [old_on, _clock(self.old_starts_at), self.old_room]
        return [course, m.on.isoformat(), _clock(m.starts_at), m.room, *old]


def moments_changed_announce(changes: list[MomentChange], *, day: datetime.date) -> int:
    """Tell each student whose own exam a change of the planning on ``day`` moved, added or gave
    another room, once the exam period's schedule is published (Art. 41, 43; DOMAIN §6, §11); a
    student whose exam of that period is placed by an accepted reschedule request or an individual
    moment is not told (their moment did not change). Returns how many students were told."""
    if not changes or not gates.decisions_told(day):
        return 0
    by_period = defaultdict(dict)
    for change in changes:
        moment = change.moment
        if change.told and (moment.announced_on is None or moment.announced_on <= day):
            by_period[moment.exam_period_id][moment.course_id] = change
    if not by_period:
        return 0
    periods = ExamPeriod.objects.select_related("academic_year").filter(pk__in=list(by_period))
    published = {p.pk: p for p in periods}
    done = processed_keys(schedule_key(p) for p in published.values())
    told = 0
    for period_id, changed in by_period.items():
        period = published[period_id]
        if schedule_key(period) not in done:
            continue  # not published yet: its publication will show the schedule as it stands
        accepted = RescheduleRequest.objects.filter(
            isp_line=OuterRef("pk"), exam_period=period, status=RequestStatus.ACCEPTED
        )
        own = IndividualMoment.objects.filter(isp_line=OuterRef("pk"), exam_period=period, withdrawn_on__isnull=True)
        moved = Exists(accepted) | Exists(own)
        rows = (
            _lines(period, day)
            .filter(course_id__in=list(changed))
            .filter(~moved)
            .values_list("enrolment__student_id", "course_id", "course__code", "course__name")
            .order_by("enrolment__student_id", "course__code")
        )
        by_student = defaultdict(list)
        for student_id, course_id, code, name in rows.iterator(chunk_size=2000):
            exam = changed[course_id].exam(f"{code} {name}")
            if exam not in by_student[student_id]:
                by_student[student_id].append(exam)
        told += _announce("exam_moments_changed", period, day, "changed_on", by_student)
    return told
