"""The ombudsperson's part of the demo college, loaded by ``manage.py load_demo`` after the
timeline has run: exam moments of 2025-2026 and 2026-2027, a few special statuses, a
course examined by the ombudsperson (Art. 58), reschedule requests (some decided, one
overdue, one late, one ineligible) and the annual reports of the finished years.

Everything goes through the services, with the dates they happened on; nothing dated after
``today`` is made. The choice of students is deterministic (by student number).
"""

import datetime
from collections import defaultdict
from itertools import groupby

from django.contrib.auth import get_user_model
from simple_history.utils import bulk_create_with_history

from programmes.models import AcademicYear, ExamPeriod, Programme
from reschedules import services as ombuds
from reschedules.models import CourseExaminer, ExamMoment, OmbudsReport, SpecialStatus
from students.models import EnrolmentStatus, ISPLine

D = datetime.date
T = datetime.time
DAY = datetime.timedelta(days=1)
STAGE_TIMES = {1: T(9, 0), 2: T(13, 30), 3: T(9, 0)}


def _weekdays(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    days, day = [], start
    while day <= end:
        if day.weekday() < 5:
            days.append(day)
        day += DAY
    return days


def plan_exam_moments(*, year: AcademicYear, announced: dict[int, datetime.date]) -> int:
    """One exam moment per course and exam period: semester-1 courses in period 1, the others
    in period 2, every course with a resit in period 3; the courses of one stage each on
    their own weekday, so that a model route has at most one exam a day (Art. 17)."""
    periods = {p.number: p for p in ExamPeriod.objects.filter(academic_year=year)}
    existing = set(
        ExamMoment.objects.filter(exam_period__academic_year=year).values_list("course_id", "exam_period_id")
    )
    moments = []
    for index, programme in enumerate(Programme.objects.order_by("code")):
        courses = list(programme.courses.order_by("stage", "code"))
        for number, period in sorted(periods.items()):
            if number == 1:
                chosen = [c for c in courses if c.semester == "1"]
            elif number == 2:
                chosen = [c for c in courses if c.semester in ("2", "year")]
            else:
                chosen = [c for c in courses if c.resit]
            days = _weekdays(period.starts_on, period.ends_on)
            for stage, group in groupby(chosen, key=lambda c: c.stage):
                group = list(group)
                step = max(1, min(2, len(days) // max(len(group), 1)))
                taken: set[int] = set()
                for k, course in enumerate(group):
                    slot = (k * step + stage - 1) % len(days)
                    while slot in taken:
                        slot = (slot + 1) % len(days)
                    taken.add(slot)
                    if (course.pk, period.pk) in existing:
                        continue
                    moments.append(
                        ExamMoment(
                            course=course,
                            exam_period=period,
                            on=days[slot],
                            starts_at=STAGE_TIMES.get(stage, T(9, 0)),
                            room=f"{'ABCD'[index % 4]}.{stage}{k + 1:02d}",
                            announced_on=announced.get(number),
                        )
                    )
    bulk_create_with_history(moments, ExamMoment)
    return len(moments)


def _candidates(year, programme_code, *, semesters=("1",), stage=None):
    """ISP lines of enrolled students, one per student, by student number."""
    lines = (
        ISPLine.objects.filter(
            enrolment__academic_year=year,
            enrolment__programme__code=programme_code,
            enrolment__status=EnrolmentStatus.ENROLLED,
            removed_on__isnull=True,
            exempted=False,
            course__semester__in=semesters,
        )
        .select_related("course", "enrolment__student")
        .order_by("enrolment__student__number", "course__code")
    )
    if stage is not None:
        lines = lines.filter(course__stage=stage)
    per_student = {}
    for line in lines:
        per_student.setdefault(line.enrolment.student_id, line)
    return list(per_student.values())


class _Picker:
    """Hands out ISP lines of distinct students."""

    def __init__(self):
        self.used: set[int] = set()
        self.pools: dict = {}

    def __call__(self, year, programme_code, **kw):
        key = (year.pk, programme_code, tuple(sorted(kw.items())))
        if key not in self.pools:
            self.pools[key] = _candidates(year, programme_code, **kw)
        for line in self.pools[key]:
            if line.enrolment.student_id not in self.used:
                self.used.add(line.enrolment.student_id)
                return line
        return None


def _period(line, number):
    return ExamPeriod.objects.get(academic_year_id=line.enrolment.academic_year_id, number=number)


def _moment(line, period):
    return ExamMoment.objects.filter(course_id=line.course_id, exam_period=period).first()


def _status(line, kind, level, *, granted_by, granted_on):
    SpecialStatus.objects.get_or_create(
        student=line.enrolment.student,
        academic_year_id=line.enrolment.academic_year_id,
        kind=kind,
        defaults={"level": level, "granted_by": granted_by, "granted_on": granted_on},
    )


def _request(line, number, kind, on, reason, *, by, evidence="", decision=None, today):
    """Log a request on ``on`` and, when ``decision`` = (accepted, day, reason, days after the
    exam or None) is given, decide it on that day; skipped when any date is after ``today``."""
    if line is None or on > today:
        return None
    period = _period(line, number)
    request = ombuds.request_log(
        student=line.enrolment.student,
        course=line.course,
        exam_period=period,
        kind=kind,
        requested_on=on,
        reason=reason,
        evidence=evidence,
        evidence_received_on=on if evidence else None,
        today=on,
        by=by,
    )
    if decision is None:
        return request
    accepted, decided_on, decision_reason, new_on = decision
    if decided_on > today:
        return request
    moment = _moment(line, period)
    if not accepted:
        return ombuds.request_decide(request=request, accepted=False, reason=decision_reason, today=decided_on, by=by)
    # The ombudsperson picks a new moment that fits the student's individual exam schedule:
    # the planned day and hour, else another hour, else the next days.
    first = moment.starts_at if moment else T(9, 0)
    tries = [
        (new_on + datetime.timedelta(days=d), t) for d in range(4) for t in dict.fromkeys((first, T(9, 0), T(13, 30)))
    ]
    for day, starts_at in tries:
        try:
            return ombuds.request_decide(
                request=request,
                accepted=True,
                reason=decision_reason,
                new_on=day,
                new_starts_at=starts_at,
                new_room="Ombuds room E.001",
                today=decided_on,
                by=by,
            )
        except ombuds.RequestRefused:
            continue
    return request


def _exam_on(line, number, default):
    moment = _moment(line, _period(line, number))
    return moment.on if moment else default


def load_ombuds_demo(*, today: datetime.date) -> dict:
    """The ombudsperson's demo data; returns counts for the load_demo summary."""
    User = get_user_model()
    ombudsperson = User.objects.filter(username="ombudsperson").first()
    substitute = User.objects.filter(username="substitute").first() or ombudsperson
    years = {y.starts_on.year: y for y in AcademicYear.objects.filter(code__in=["2025-2026", "2026-2027"])}
    if ombudsperson is None or len(years) < 2:
        return {}
    previous, current = years[2025], years[2026]
    counts = defaultdict(int)
    counts["exam moments"] += plan_exam_moments(
        year=previous, announced={1: D(2025, 10, 1), 2: D(2025, 10, 1), 3: D(2026, 7, 10)}
    )
    counts["exam moments"] += plan_exam_moments(
        year=current, announced={1: D(2026, 10, 1), 2: D(2026, 10, 1), 3: D(2027, 7, 10)}
    )
    # A planning slip the schedule warns about (Art. 17): two stage-1 nursing exams on one day.
    p1 = ExamPeriod.objects.get(academic_year=current, number=1)
    first, second = (ExamMoment.objects.filter(exam_period=p1, course__code=c).first() for c in ("NUR103", "NUR104"))
    if first and second:
        second.on, second.starts_at = first.on, T(13, 30)
        second.save()

    pick = _Picker()
    # --- 2026-2027: statuses and requests up to today -------------------------------------
    o_status = pick(current, "BA-NURS", stage=1)
    athlete_b = pick(current, "BA-NURS", stage=1)
    representative = pick(current, "GR-ACC")
    working = pick(current, "BA-LO")
    artist = pick(current, "BA-NURS", stage=2)
    for line, kind, level, granted_by, granted_on in (
        (o_status, "disability", "", "care coordinator (STUVO)", D(2026, 10, 5)),
        (athlete_b, "athlete", "B", "Student Athlete Committee", D(2026, 10, 9)),
        (representative, "student_representative", "", "General Student Council", D(2026, 10, 1)),
        (working, "working", "", "Student Administrative Services Centre", D(2026, 10, 12)),
        (artist, "artist", "A", "Art Committee", D(2026, 10, 13)),
    ):
        if line is not None:
            _status(line, kind, level, granted_by=granted_by, granted_on=granted_on)
            counts["special statuses"] += 1

    by = ombudsperson
    made = [
        _request(
            pick(current, "BA-NURS", stage=2),
            1,
            "unbalanced_isp",
            D(2026, 10, 9),
            "Prerequisites leave the first semester light and the second one heavy.",
            by=by,
            decision=(True, D(2026, 10, 22), "The cluster can examine it in June.", D(2027, 6, 9)),
            today=today,
        ),
        _request(
            pick(current, "GR-ACC"),
            1,
            "early_graduation",
            D(2026, 10, 16),
            "Wants to graduate in February.",
            by=by,
            decision=(False, D(2026, 10, 28), "Requested after the ISP deadline and more than the thesis left.", None),
            today=today,
        ),
        _request(
            pick(current, "GR-ACC"),
            1,
            "unbalanced_isp",
            D(2026, 10, 14),
            "Only two courses in the first semester after the exemptions.",
            by=by,
            today=today,
        ),
        _request(
            o_status,
            1,
            "special_status_deferral",
            D(2026, 11, 18),
            "Needs more time between exams (O-status).",
            evidence="Care coordinator's advice of 5 October",
            by=by,
            today=today,
        ),
        _request(
            athlete_b,
            1,
            "special_status_deferral",
            D(2026, 11, 19),
            "European championship in January.",
            evidence="Calendar of the federation",
            by=by,
            today=today,
        ),
        _request(
            pick(current, "BA-NURS", stage=1),
            1,
            "special_status_deferral",
            D(2026, 11, 16),
            "Wants to spread the exams.",
            by=by,
            decision=(False, D(2026, 11, 20), "No recognised special status this academic year (Art. 50).", None),
            today=today,
        ),
        _request(
            representative,
            1,
            "student_representative",
            D(2026, 11, 21),
            "Board meeting of the General Student Council on the day of the exam.",
            evidence="Invitation to the meeting",
            by=by,
            today=today,
        ),
    ]
    line = pick(current, "BA-NURS", stage=1)
    if line is not None:
        exam_on = _exam_on(line, 1, p1.starts_on)
        made.append(
            _request(
                line,
                1,
                "religious_holiday",
                D(2026, 10, 20),
                "The exam falls on Orthodox Christmas.",
                by=by,
                decision=(True, D(2026, 10, 27), "A recognised holiday, asked in time.", exam_on + 2 * DAY),
                today=today,
            )
        )
    # Art. 58: the ombudsperson examines a course in primary education this year; requests of
    # those students go to the substitute.
    examined = pick(current, "BA-LO")
    if examined is not None:
        CourseExaminer.objects.get_or_create(course=examined.course, academic_year=current, user=ombudsperson)
        made.append(
            _request(
                examined,
                1,
                "force_majeure",
                D(2026, 11, 20),
                "Surgery planned on the day of the exam after an accident.",
                evidence="Hospital letter",
                by=substitute,
                today=today,
            )
        )

    # --- 2025-2026: a finished year -----------------------------------------------------
    p1_previous = ExamPeriod.objects.get(academic_year=previous, number=1)
    for index, (code, accepted, reason) in enumerate(
        (
            ("BA-NURS", True, "Medical certificate for the day of the exam."),
            ("BA-NURS", False, "The certificate covers another day."),
            ("GR-ACC", True, "Death in the family; a new moment in the same period."),
            ("BA-LO", True, "Train strike, attested by the railway company."),
            ("BANABA-EMC", True, "Hospitalised; certificate received."),
        )
    ):
        line = pick(previous, code)
        if line is None:
            continue
        exam_on = _exam_on(line, 1, p1_previous.starts_on + 3 * DAY)
        request = _request(
            line,
            1,
            "force_majeure",
            exam_on,
            "Ill on the day of the exam." if index % 2 == 0 else "Could not reach the campus.",
            evidence="Certificate",
            by=by,
            decision=(accepted, exam_on + DAY, reason, min(exam_on + 7 * DAY, p1_previous.ends_on)),
            today=today,
        )
        made.append(request)
        if index == 4 and request is not None and request.status == "accepted" and request.new_on <= today:
            # Missed the new moment too, ruled a very serious case (Art. 43): the opportunity stays.
            ombuds.request_missed_record(
                request=request, very_serious_case=True, note="Still in hospital.", today=request.new_on, by=by
            )
    made.append(
        _request(
            pick(previous, "BA-NURS", semesters=("2",)),
            2,
            "religious_holiday",
            D(2025, 10, 28),
            "The exam falls on Eid al-Adha.",
            by=by,
            decision=(False, D(2025, 11, 4), "Requested after the week that follows the announcement.", None),
            today=today,
        )
    )
    counts["reschedule requests"] = sum(1 for r in made if r is not None)

    # --- The annual reports (Art. 59) -----------------------------------------------------
    for year in (years[2025],):
        first_year_report = AcademicYear.objects.filter(code="2024-2025").first()
        for report_year, submitted_on in ((first_year_report, D(2025, 11, 10)), (year, D(2026, 11, 12))):
            if report_year is None:
                continue
            period_3 = ExamPeriod.objects.get(academic_year=report_year, number=3)
            prepared_on = period_3.results_published_on + DAY
            if prepared_on > today:
                continue
            ombuds.ombuds_reports_prepare(today=prepared_on)
            reports = OmbudsReport.objects.filter(academic_year=report_year, submitted_on__isnull=True)
            if report_year == year:
                reports = reports.filter(programme__code="BA-NURS")  # the others are overdue
            if submitted_on <= today:
                for report in reports:
                    ombuds.ombuds_report_submit(report=report, today=submitted_on, by=by)
    ombuds.ombuds_reports_prepare(today=today)
    counts["ombudsperson's reports"] = OmbudsReport.objects.count()
    return dict(counts)
