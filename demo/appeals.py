"""Demo appeals for ``manage.py load_demo``: a handful on the demo college, as of ``today``.

Everything goes through the services (``today`` passed in), so the register shows what the
rules make of it: an examination decision changed by a new decision (its certificate and
refund follow), an unfounded appeal, one void for want of an elaboration, a refusal-lifting
request to decide, a rejected one under appeal, and recent appeals that are due soon,
overdue, inadmissible by rule and awaiting their elaboration. Whatever the demo data does not
hold on ``today`` (no publication yet, no refusal) is left out.
"""

import datetime

from django.contrib.auth import get_user_model

from appeals import services
from core import roles
from exams.models import Result
from exams.publication import published_periods
from programmes.models import AcademicYear, ExamPeriod
from students.models import Measure, Student
from students.refusals import REFUSALS

DAY = datetime.timedelta(days=1)


def _office_user():
    users = get_user_model().objects.filter(groups__name=roles.ADMINISTRATION, is_active=True).order_by("pk")
    return users.first() or get_user_model().objects.filter(is_superuser=True).order_by("pk").first()


def _failed_results(period: ExamPeriod) -> list[Result]:
    """Results of ``period`` that stand as the year's failed mark (7-9, not tolerated)."""
    results = (
        Result.objects.filter(
            exam_period=period,
            score__in=(7, 8, 9),
            isp_line__certified_on__isnull=True,
            isp_line__tolerated_on__isnull=True,
            isp_line__course__pass_fail=False,
        )
        .select_related("isp_line__enrolment__student", "isp_line__course")
        .order_by("isp_line__enrolment__student__number", "isp_line__course__code")
    )
    return [r for r in results if r.isp_line.mark == str(r.score)]


def load(*, today: datetime.date) -> int:
    """Register the demo appeals and lifting requests as of ``today``; returns how many appeals."""
    by = _office_user()
    if by is None:
        return 0
    made = 0
    used: set[int] = set()

    def register(student, category, posted_on, **kwargs):
        nonlocal made
        used.add(student.pk)
        made += 1
        # Registered on its postal day, as the office would have: the clocks run up to today below.
        return services.appeal_register(
            student=student, category=category, posted_on=posted_on, by=by, today=posted_on, **kwargs
        )

    # Examination decisions of the latest publication.
    periods = ExamPeriod.objects.select_related("academic_year").order_by("-results_published_on")
    published_on = {pk: day for pk, day in published_periods(periods).items() if day <= today}
    period = next((p for p in periods if p.pk in published_on), None)
    if period is not None:
        published = published_on[period.pk]
        candidates = []
        for result in _failed_results(period):
            if result.isp_line.enrolment.student_id not in {r.isp_line.enrolment.student_id for r in candidates}:
                candidates.append(result)
        plans = [
            (3, 12, "new_decision", "Part B of the exam was not marked; marked now: 10/20."),
            (2, 10, "unfounded", "The exam was marked in full; the mark stands."),
        ]
        for result, (posted, decided, outcome, reason) in zip(candidates, plans, strict=False):
            if published + decided * DAY > today:
                continue
            student = result.isp_line.enrolment.student
            appeal = register(
                student,
                "f",
                published + posted * DAY,
                result=result,
                email=f"{student.number}@mail.example",
                facts_and_objections=(
                    f"I received {result.score}/20 for {result.isp_line.course.code}. At the feedback session I saw "
                    "that my answers to part B were not marked."
                ),
            )
            services.appeal_decide(
                appeal=appeal,
                outcome=outcome,
                on=published + decided * DAY,
                reason=reason,
                mark=10 if outcome == "new_decision" else None,
                by=by,
                today=published + decided * DAY,
            )
        if len(candidates) > 2 and published + 4 * DAY <= today:
            result = candidates[2]
            register(
                result.isp_line.enrolment.student,
                "f",
                published + 4 * DAY,
                result=result,
                pending_feedback=True,
                facts_and_objections="I lodge this appeal pending the feedback on my exam.",
            )

    # Refusal lifting (Art. 34): one request to decide, one rejected and appealed.
    refusals = list(
        Measure.objects.filter(kind__in=REFUSALS, lifted_on__isnull=True, decided_on__lt=today)
        .exclude(student_id__in=used)
        .select_related("student")
        .order_by("decided_on", "student__number", "pk")
    )
    if refusals:
        measure = refusals[0]
        services.refusal_lifting_request_register(
            measure=measure,
            submitted_on=min(today, measure.decided_on + 25 * DAY),
            grounds="During the second year my mother was seriously ill and I cared for her; a medical "
            "certificate is attached.",
            by=by,
            today=today,
        )
        used.add(measure.student_id)
    if len(refusals) > 1:
        measure = refusals[1]
        submitted = min(today, measure.decided_on + 18 * DAY)
        rejected_on = max(submitted, today - 9 * DAY)
        if rejected_on + 4 * DAY <= today:
            request = services.refusal_lifting_request_register(
                measure=measure,
                submitted_on=submitted,
                grounds="I had a student job of 30 hours a week to pay my rent.",
                by=by,
                today=today,
            )
            services.refusal_lifting_decide(
                request=request,
                granted=False,
                on=rejected_on,
                reason="A student job is not a special individual circumstance; the study track gives little "
                "chance of completing the programme.",
                by=by,
                today=today,
            )
            request.refresh_from_db()
            register(
                measure.student,
                "a",
                rejected_on + 4 * DAY,
                refusal_lifting_request=request,
                facts_and_objections="The committee did not consider that the job was needed to support my family.",
            )

    # Recent appeals of students enrolled this academic year.
    year = AcademicYear.objects.filter(starts_on__lte=today).order_by("-starts_on").first()
    if year is None:
        services.appeal_clocks_process(day=today)
        return made
    students = list(
        Student.objects.filter(enrolments__academic_year=year).exclude(pk__in=used).distinct().order_by("number")[:4]
    )
    recent = [
        ("e", 19, 17, "The course HR301 was refused in my contract.", "I need HR301 to graduate next year."),
        ("h", 30, 25, "Refusal of extra time in exams (reasonable adjustment).", "My dyslexia is documented."),
        ("c", 16, 6, "Imposed preparatory programme of 20 credits.", "My earlier degree covers these courses."),
        ("g", 3, 1, "Examination disciplinary decision: exam annulled for plagiarism.", ""),
    ]
    for student, (category, notified, posted, decision, facts) in zip(students, recent, strict=False):
        if year.starts_on > today - notified * DAY:
            continue
        kwargs = {"pending_feedback": True} if category == "g" else {}
        if category == "e":
            line = student.enrolments.filter(academic_year=year).first().lines.order_by("course__code").last()
            if line is not None:
                kwargs["isp_line"] = line
        register(
            student,
            category,
            today - posted * DAY,
            decision_text=decision,
            decision_on=today - notified * DAY,
            facts_and_objections=facts,
            **kwargs,
        )
    services.appeal_clocks_process(day=today)
    return made
