"""Reads of the appeal register: the decisions a student can appeal and an appeal's timeline."""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from exams.models import ProgrammeResult, Result
from programmes.models import ExamPeriod
from students.measures import REFUSALS
from students.models import ExemptionApproval, ISPLine, Measure, Student

from . import rules
from .models import Appeal, AppealStatus, Correction, LiftingStatus, RefusalLiftingRequest
from .services import admissibility


def register_queryset():
    return Appeal.objects.select_related("student", "programme", "refusal_lifting_request")


def decision_choices(student: Student, *, today: datetime.date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The decisions of ``student`` that live in the system, grouped for a select:
    values ``"<link>:<pk>"`` (see ``services.LINK_FIELDS``); published results only."""
    groups = []
    results = (
        Result.objects.filter(isp_line__enrolment__student=student, exam_period__results_published_on__lte=today)
        .select_related("isp_line__course", "exam_period__academic_year")
        .prefetch_related("parts")
        .order_by("-exam_period__results_published_on", "isp_line__course__code", "opportunity")
    )
    from exams.services import result_mark

    groups.append(
        (
            _("Results (examination decisions)"),
            [
                (
                    f"result:{r.pk}",
                    f"{r.exam_period.academic_year.code} P{r.exam_period.number} · {r.isp_line.course.code} "
                    f"{r.isp_line.course.name} · #{r.opportunity}: {result_mark(r)}",
                )
                for r in results
            ],
        )
    )
    periods = (
        ExamPeriod.objects.filter(academic_year__enrolments__student=student, results_published_on__lte=today)
        .select_related("academic_year")
        .distinct()
        .order_by("-results_published_on")
    )
    groups.append(
        (
            _("Publications"),
            [
                (
                    f"exam_period:{p.pk}",
                    _("%(year)s exam period %(number)s, published %(day)s")
                    % {"year": p.academic_year.code, "number": p.number, "day": p.results_published_on},
                )
                for p in periods
            ],
        )
    )
    groups.append(
        (
            _("Programme results"),
            [
                (f"programme_result:{r.pk}", f"{r.programme.code} {r.academic_year.code}: {r.percentage:.2f} %")
                for r in ProgrammeResult.objects.filter(student=student).select_related("programme", "academic_year")
            ],
        )
    )
    groups.append(
        (
            _("Rejected refusal-lifting requests"),
            [
                (f"refusal_lifting_request:{r.pk}", f"{r.reference} · {r.measure.get_kind_display()} ({r.decided_on})")
                for r in RefusalLiftingRequest.objects.filter(
                    student=student, status=LiftingStatus.REJECTED
                ).select_related("measure")
            ],
        )
    )
    groups.append(
        (
            _("Study progress measures"),
            [
                (
                    f"measure:{m.pk}",
                    f"{m.get_kind_display()} · {m.programme.code}"
                    + (f" {m.course.code}" if m.course_id else "")
                    + f" · {m.from_year_code}",
                )
                for m in Measure.objects.filter(student=student).select_related("programme", "course")
            ],
        )
    )
    groups.append(
        (
            _("Exemptions"),
            [
                (
                    f"exemption:{e.pk}",
                    f"{e.isp_line.enrolment.academic_year.code} · {e.isp_line.course.code} {e.isp_line.course.name}",
                )
                for e in ExemptionApproval.objects.filter(isp_line__enrolment__student=student).select_related(
                    "isp_line__course", "isp_line__enrolment__academic_year"
                )
            ],
        )
    )
    groups.append(
        (
            _("Courses (denial of access, refusal in the contract)"),
            [
                (
                    f"isp_line:{line.pk}",
                    f"{line.enrolment.academic_year.code} · {line.course.code} {line.course.name}",
                )
                for line in ISPLine.objects.filter(enrolment__student=student)
                .select_related("course", "enrolment__academic_year")
                .order_by("-enrolment__academic_year__starts_on", "course__code")
            ],
        )
    )
    return [(label, options) for label, options in groups if options]


LINK_MODELS = {
    "result": Result,
    "exam_period": ExamPeriod,
    "programme_result": ProgrammeResult,
    "refusal_lifting_request": RefusalLiftingRequest,
    "measure": Measure,
    "exemption": ExemptionApproval,
    "isp_line": ISPLine,
}


def decision_from_choice(value: str) -> dict:
    """``"result:12"`` -> ``{"result": <Result 12>}``; ``""`` -> ``{}``."""
    if not value:
        return {}
    kind, _sep, pk = value.partition(":")
    return {kind: LINK_MODELS[kind].objects.get(pk=int(pk))}


@dataclass
class Step:
    """One dated step of an appeal's timeline."""

    on: datetime.date
    label: str
    state: str  # "done", "due", "missed", "info"
    note: str = ""


def appeal_timeline(appeal: Appeal, *, today: datetime.date) -> list[Step]:
    """The appeal's dates in order (Art. 101): publication or notification, filing window,
    filing, elaboration, a later date announced, the decision (due, overdue, taken)."""
    check = admissibility(appeal)
    steps = [
        Step(
            appeal.decision_on,
            _("Decision published") if appeal.category == rules.EXAMINATION else _("Decision notified"),
            "info",
        ),
    ]
    if check.last_day:
        late = rules.LATE in check.problems
        steps.append(Step(check.last_day, _("Last day to file"), "missed" if late else "done"))
    steps.append(Step(appeal.posted_on, _("Appeal posted (filing day)"), "done"))
    by = appeal.registered_by
    steps.append(
        Step(
            appeal.registered_at.date(), _("Registered"), "done", by.get_full_name() or by.get_username() if by else ""
        )
    )
    if appeal.pending_feedback:
        last = rules.elaboration_last_day(posted_on=appeal.posted_on)
        if appeal.elaborated_on:
            steps.append(Step(appeal.elaborated_on, _("Elaborated"), "done"))
        steps.append(
            Step(
                last,
                _("Last day to elaborate"),
                "done" if appeal.elaborated_on else ("missed" if today > last else "due"),
            )
        )
        if appeal.voided_on:
            steps.append(Step(appeal.voided_on, _("Void: not elaborated in time"), "missed"))
    ordinary = rules.decision_last_day(posted_on=appeal.posted_on)
    if appeal.later_announced_on:
        steps.append(
            Step(
                appeal.later_announced_on,
                _("Later decision date announced"),
                "done",
                appeal.later_reasons,
            )
        )
    decided = appeal.decided_on is not None
    steps.append(
        Step(
            appeal.decision_due_on,
            _("Decision due") if appeal.decision_due_on == ordinary else _("Decision due (announced date)"),
            "done"
            if decided and appeal.decided_on <= appeal.decision_due_on
            else (
                "missed"
                if (decided or today > appeal.decision_due_on) and appeal.status != AppealStatus.VOID
                else "due"
            ),
        )
    )
    if appeal.overdue_since:
        steps.append(Step(appeal.overdue_since, _("Overdue"), "missed"))
    if decided:
        note = appeal.get_outcome_display()
        if appeal.new_mark:
            note += f": {appeal.old_mark} → {appeal.new_mark}"
        steps.append(Step(appeal.decided_on, _("Decided"), "done", note))
    return sorted(steps, key=lambda s: s.on)


def student_files(student: Student):
    """The student's other appeals, requests and corrections, for the appeal's page."""
    return {
        "appeals": Appeal.objects.filter(student=student).order_by("-posted_on"),
        "lifting_requests": RefusalLiftingRequest.objects.filter(student=student).select_related("measure"),
        "corrections": Correction.objects.filter(student=student),
    }


def refusals_of(student: Student):
    """The refusals of ``student`` a lifting request can name: not lifted."""
    return Measure.objects.filter(student=student, kind__in=REFUSALS, lifted_on__isnull=True).select_related(
        "programme", "course"
    )
