"""The individual exam schedule (IES) of a student in an academic year (Art. 17, 43).

It follows from the student's ISP lines and the planning's exam moments: the first
opportunity in exam period 1 or 2, the second in period 3 when the course is still to be
obtained after the first. An accepted reschedule request moves its exam; the schedule
shows both. An individual moment (``IndividualMoment``: the retake the cluster sets after a
fraud decision, Art. 85 §1 1°) puts the exam at that moment, also in the third exam period or in
a period without a planning moment for the course; of it and the requests the latest decision
wins (``exam_dates.latest_move``). Exams appear from ``ies_opens``, and each from the day it
was announced (an individual moment: the day it was set).
A model-route student is warned about two compulsory exams on one day; every student
about two exams that overlap in time (each exam lasts its moment's duration).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from exams.models import Result
from programmes.models import AcademicYear, Course
from students.models import Enrolment, ISPLine, LineOutcome, Student

from . import rules
from .exam_dates import latest_move
from .models import ExamMoment, IndividualMoment, RequestStatus, RescheduleRequest


@dataclass
class ScheduledExam:
    line: ISPLine
    moment: ExamMoment
    compulsory: bool
    moved_by: RescheduleRequest | None = None
    individual: IndividualMoment | None = None  # the exam's individual moment in force (moved_by: a later request)
    result_opportunity: int | None = None  # the opportunity of the result an individual moment's exam already has
    requests: list[RescheduleRequest] = field(default_factory=list)
    model_route: bool = False  # a compulsory first-opportunity exam of a model-route student
    overlaps: list["ScheduledExam"] = field(default_factory=list)  # exams at the same time (a clash)

    @property
    def course(self) -> Course:
        return self.line.course

    @property
    def period(self):
        return self.moment.exam_period

    @property
    def on(self) -> datetime.date:
        if self.moved_by:
            return self.moved_by.new_on
        return self.individual.on if self.individual else self.moment.on

    @property
    def starts_at(self) -> datetime.time:
        if self.moved_by:
            return self.moved_by.new_starts_at
        return self.individual.starts_at if self.individual else self.moment.starts_at

    @property
    def room(self) -> str:
        base = self.individual.room if self.individual else self.moment.room
        if self.moved_by:
            return self.moved_by.new_room or base
        return base

    @property
    def away_from_planning(self) -> bool:
        """Placed by its individual moment elsewhere in time than the planning's exam moment."""
        return bool(
            self.individual
            and not self.moved_by
            and self.moment.pk
            and (self.individual.on, self.individual.starts_at) != (self.moment.on, self.moment.starts_at)
        )

    @property
    def minutes(self) -> int:
        return self.individual.duration if self.individual else self.moment.duration

    @property
    def ends_at(self) -> datetime.time:
        return self.sitting.end.time()

    @property
    def sitting(self) -> rules.Sitting:
        return rules.Sitting(
            key=(self.line.pk, self.moment.exam_period_id),
            code=self.course.code,
            on=self.on,
            starts_at=self.starts_at,
            minutes=self.minutes,
            model_route=self.model_route,
        )

    @property
    def opportunity(self) -> int:
        if self.result_opportunity is not None:
            return self.result_opportunity  # a 1° retake is the same opportunity (Art. 85 §1 1°, 89 §1)
        return 2 if self.moment.exam_period.number == 3 else 1

    @property
    def outside_period(self) -> bool:
        period = self.moment.exam_period
        return not (period.starts_on <= self.on <= period.ends_on)


@dataclass
class Schedule:
    student: Student
    year: AcademicYear
    today: datetime.date
    enrolments: list[Enrolment]
    opens_on: datetime.date
    exams: list[ScheduledExam] = field(default_factory=list)
    not_announced: int = 0
    unscheduled: list[ISPLine] = field(default_factory=list)
    model_route: dict[int, int] = field(default_factory=dict)  # enrolment id -> stage
    clashes: dict[datetime.date, list[str]] = field(default_factory=dict)  # model route: two on one day

    @property
    def overlap_pairs(self) -> list[tuple["ScheduledExam", "ScheduledExam"]]:
        """Each two exams of the student that overlap in time, once, in the order of the schedule."""
        order = {id(exam): i for i, exam in enumerate(self.exams)}
        pairs = {tuple(sorted((order[id(exam)], order[id(other)]))) for exam in self.exams for other in exam.overlaps}
        return [(self.exams[i], self.exams[j]) for i, j in sorted(pairs)]

    @property
    def overlapping(self) -> list["ScheduledExam"]:
        """The exams that overlap another exam of the student in time: the clashes of every student."""
        return [exam for exam in self.exams if exam.overlaps]

    @property
    def is_open(self) -> bool:
        return self.today >= self.opens_on


def _needs_second_opportunity(line: ISPLine) -> bool:
    """After the first opportunity's publication: still to be obtained and a resit exists (Art. 45)."""
    return (
        line.course.resit
        and line.outcome in (LineOutcome.FAILED, LineOutcome.TOLERABLE)
        and line.certified_on is None
        and line.tolerated_on is None
    )


def exam_schedule(*, student: Student, year: AcademicYear, today: datetime.date, unannounced: bool = False) -> Schedule:
    """The student's individual exam schedule of ``year`` as it stands on ``today``; with
    ``unannounced`` also the exams the student does not see yet (to check a new moment against)."""
    enrolments = list(
        Enrolment.objects.filter(student=student, academic_year=year).select_related("programme").order_by("pk")
    )
    schedule = Schedule(
        student=student,
        year=year,
        today=today,
        enrolments=enrolments,
        opens_on=rules.schedule_announced_on(ies_opens=year.ies_opens, announced_on=None),
    )
    lines = list(
        ISPLine.objects.filter(enrolment__in=enrolments, removed_on__isnull=True)
        .select_related("course", "enrolment")
        .order_by("course__code")
    )
    # Model route (Art. 17): every compulsory course of one stage and nothing else.
    programme_ids = {e.programme_id for e in enrolments}
    compulsory: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for course_id, programme_id, stage in Course.objects.filter(
        programme_id__in=programme_ids, elective=False
    ).values_list("pk", "programme_id", "stage"):
        compulsory[programme_id][stage].add(course_id)
    for enrolment in enrolments:
        stage = rules.model_route_stage(
            isp=[(line.course_id, line.course.stage) for line in lines if line.enrolment_id == enrolment.pk],
            compulsory_by_stage=compulsory[enrolment.programme_id],
        )
        if stage is not None:
            schedule.model_route[enrolment.pk] = stage

    examined = [line for line in lines if not line.exempted]
    moments = defaultdict(list)
    for moment in ExamMoment.objects.filter(
        course_id__in={line.course_id for line in examined}, exam_period__academic_year=year
    ).select_related("exam_period"):
        moments[moment.course_id].append(moment)
    requests = defaultdict(list)
    for request in (
        RescheduleRequest.objects.filter(isp_line__in=examined)
        .select_related("exam_period")
        .order_by("decided_on", "pk")
    ):
        requests[(request.isp_line_id, request.exam_period_id)].append(request)
    individual = {}
    for own in (
        IndividualMoment.objects.filter(isp_line__in=examined, withdrawn_on__isnull=True)
        .select_related("exam_period")
        .order_by("set_on", "pk")
    ):
        individual[(own.isp_line_id, own.exam_period_id)] = own  # the latest set wins
    periods = {own.exam_period_id: own.exam_period for own in individual.values()}
    opportunities = {}
    if individual:
        opportunities = {
            (line_id, period_id): opportunity
            for line_id, period_id, opportunity in Result.objects.filter(
                isp_line_id__in={line_id for line_id, _period in individual},
                exam_period_id__in=set(periods),
            ).values_list("isp_line_id", "exam_period_id", "opportunity")
        }

    for line in examined:
        found = False
        line_moments = {moment.exam_period_id: moment for moment in moments[line.course_id]}
        for (own_line, period_id), own in individual.items():
            if own_line == line.pk and period_id not in line_moments:
                # No planning moment for the course in that period: the individual moment stands alone.
                line_moments[period_id] = ExamMoment(
                    course=line.course,
                    exam_period=periods[period_id],
                    on=own.on,
                    starts_at=own.starts_at,
                    duration=own.duration,
                    room=own.room,
                    announced_on=own.set_on,
                )
        for moment in sorted(line_moments.values(), key=lambda m: m.exam_period.number):
            on_request = requests[(line.pk, moment.exam_period_id)]
            own = individual.get((line.pk, moment.exam_period_id))
            if moment.exam_period.number == 3 and not (_needs_second_opportunity(line) or on_request or own):
                continue
            found = True
            # An individual moment is announced to the student on the day it is set.
            announced_on = own.set_on if own else moment.announced_on
            if not unannounced and (
                not schedule.is_open
                or not rules.schedule_visible(today=today, ies_opens=year.ies_opens, announced_on=announced_on)
            ):
                schedule.not_announced += 1
                continue
            accepted = [r for r in on_request if r.status == RequestStatus.ACCEPTED]
            move = latest_move(accepted[-1] if accepted else None, own)
            schedule.exams.append(
                ScheduledExam(
                    line=line,
                    moment=moment,
                    compulsory=not line.course.elective,
                    moved_by=move if isinstance(move, RescheduleRequest) else None,
                    individual=own,
                    result_opportunity=opportunities.get((line.pk, moment.exam_period_id)) if own else None,
                    requests=on_request,
                    model_route=(
                        not line.course.elective
                        and line.enrolment_id in schedule.model_route
                        and moment.exam_period.number != 3
                    ),
                )
            )
        if not found:
            schedule.unscheduled.append(line)
    schedule.exams.sort(key=lambda e: (e.on, e.starts_at, e.course.code))

    clash_exams = [(exam.on, exam.course.code) for exam in schedule.exams if exam.model_route]
    schedule.clashes = rules.same_day_clashes(clash_exams)
    by_key = {exam.sitting.key: exam for exam in schedule.exams}
    for key, others in rules.schedule_overlaps(exam.sitting for exam in schedule.exams).items():
        by_key[key].overlaps = [by_key[other.key] for other in others]
    return schedule
