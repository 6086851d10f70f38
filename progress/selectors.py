"""The study progress file (Art. 28; EXCHANGE.md): records and results together, as the
student page shows it and ``study_progress --json`` prints it."""

from collections import defaultdict

from django.db.models import Exists, OuterRef, Prefetch

from core import clock, gates
from core.rounding import round_half_up
from exams import rules as exam_rules
from exams.models import ProgrammeResult
from exams.publication import publication_day_of, with_publication
from exams.standing import Line, Standing, YearInProgramme
from programmes.models import Course, ExamPeriod
from students.models import (
    EnrolmentStatus,
    ExemptionApproval,
    ISPDerogation,
    ISPLine,
    Measure,
    MeasureKind,
    Student,
    ToleratedRetakeApproval,
)
from students.refusals import measures_of, refusals_for
from students.selectors import _credits_without_learning_account, learning_account

from . import risk
from .models import RiskSignal, StudyAdvice
from .risk_facts import student_signals


def _course_status(line: ISPLine) -> str:
    if line.removed_on is not None:
        return "removed"
    if line.exempted:
        return "exempted"
    if line.tolerated_on is not None:
        return "tolerated"
    return line.outcome


def _iso(day) -> str | None:
    return None if day is None else day.isoformat()


def _percentage(result) -> float | None:
    if result is None or result.percentage is None:
        return None
    return float(round_half_up(result.percentage, 2))


def risk_rows(signals) -> list[dict]:
    """Risk signals (``progress.risk.Signal``, computed afresh) as the file's section shows them."""
    return [
        {
            "kind": s.kind,
            "kind_label": risk.KIND_LABELS[s.kind],
            "level": s.level,
            "level_label": risk.LEVEL_LABELS[s.level],
            "programme": s.programme,
            "course": s.course or "",
            "grounds": str(s.grounds),
            "clears": str(s.clears),
            "computed_on": s.computed_on,
        }
        for s in signals
    ]


def stored_risk_rows(student: Student) -> list[dict]:
    """The student's risk signals as last computed (``progress.risk_store``), most urgent first,
    as the file's section shows them (one query)."""
    return [
        {
            "kind": row.kind,
            "kind_label": row.get_kind_display(),
            "level": row.level,
            "level_label": row.get_level_display(),
            "programme": row.programme.code,
            "course": row.course_code,
            "grounds": row.grounds_text,
            "clears": row.clears_text,
            "computed_on": row.computed_on,
        }
        for row in RiskSignal.objects.filter(student=student)
        .select_related("programme")
        .order_by("-urgency", "programme__code", "course_code", "kind")
    ]


def _risk_exchange(row: dict) -> dict:
    """A section row as the ``risk_signals`` entry of EXCHANGE.md."""
    return {
        "kind": row["kind"],
        "level": row["level"],
        "programme": row["programme"],
        "course": row["course"] or None,
        "grounds": row["grounds"],
        "computed_on": row["computed_on"].isoformat(),
    }


def with_file_parts(students):
    """``students`` with, on each, whether the optional parts of the file hold anything (one
    value each, read with the student): ``has_measures``, ``has_risks`` (stored risk signals),
    ``has_retakes`` (approved retakes of a tolerated course), ``has_results`` (programme
    results), ``has_derogation_history``, ``has_exemption_history`` and ``has_advice``. The
    student page reads a part only when it holds something."""
    student = OuterRef("pk")
    return students.annotate(
        has_measures=Exists(Measure.objects.filter(student=student)),
        has_risks=Exists(RiskSignal.objects.filter(student=student)),
        has_retakes=Exists(ToleratedRetakeApproval.objects.filter(enrolment__student=student)),
        has_results=Exists(ProgrammeResult.objects.filter(student=student)),
        has_derogation_history=Exists(ISPDerogation.history.filter(enrolment__student=student)),
        has_exemption_history=Exists(ExemptionApproval.history.filter(isp_line__enrolment__student=student)),
        has_advice=Exists(StudyAdvice.objects.filter(student=student)),
    )


def file_enrolments(student: Student, *, retakes: bool = True) -> list:
    """The student's enrolments as the file reads them, oldest first, with their lines and,
    as ``file_retakes``, the cluster's approvals of retaking a tolerated course (three queries;
    two with ``retakes`` False, when the caller knows there are none)."""
    enrolments = list(
        student.enrolments.select_related("academic_year", "programme", "isp_approved_by")
        .prefetch_related(
            Prefetch("lines", queryset=ISPLine.objects.select_related("course").order_by("course__code", "pk")),
            *(
                [
                    Prefetch(
                        "tolerated_retakes",
                        queryset=ToleratedRetakeApproval.objects.select_related("course"),
                        to_attr="file_retakes",
                    )
                ]
                if retakes
                else []
            ),
        )
        .order_by("academic_year__starts_on", "enrolled_on", "pk")
    )
    if not retakes:
        for enrolment in enrolments:
            enrolment.file_retakes = []
    return enrolments


def file_courses(enrolments) -> list[tuple[int, str, str, int, bool]]:
    """(id, code, name, programme id, elective) of every course of the enrolments' programmes
    (one query): the names the page shows and the compulsory courses of the standings."""
    return list(
        Course.objects.filter(programme_id__in={e.programme_id for e in enrolments})
        .order_by()
        .values_list("pk", "code", "name", "programme_id", "elective")
    )


def file_standings(student: Student, enrolments, courses) -> dict[tuple[int, int], Standing]:
    """The student's standing in each programme of ``enrolments`` (``file_enrolments``: every
    enrolment of the student, oldest first, with their lines and courses), built from what the
    file has read already (no query): the same ``exams.standing.Standing`` as
    ``exams.standing.standings`` reads, its years in the same order (academic year, enrolled on,
    id), its lines by course code then id; ``courses``: ``file_courses(enrolments)``."""
    compulsory = defaultdict(set)
    for course_id, _code, _name, programme_id, elective in courses:
        if not elective:
            compulsory[programme_id].add(course_id)
    found = {}
    for enrolment in enrolments:
        key = (student.pk, enrolment.programme_id)
        standing = found.get(key)
        if standing is None:
            standing = found[key] = Standing(
                student_id=student.pk,
                programme=enrolment.programme,
                compulsory=compulsory[enrolment.programme_id],
                years=[],
            )
        lines = sorted(enrolment.lines.all(), key=lambda line: (line.course.code, line.pk))
        standing.years.append(
            YearInProgramme(
                enrolment_id=enrolment.pk,
                year_id=enrolment.academic_year_id,
                year_code=enrolment.academic_year.code,
                year_start=enrolment.academic_year.starts_on,
                year_end=enrolment.academic_year.ends_on,
                contract=enrolment.contract,
                status=enrolment.status,
                enrolled_on=enrolment.enrolled_on,
                lines=[
                    Line(
                        id=line.pk,
                        course_id=line.course_id,
                        code=line.course.code,
                        credits=line.course.credits,
                        tolerable=line.course.tolerable,
                        pass_fail=line.course.pass_fail,
                        elective=line.course.elective,
                        exempted=line.exempted,
                        removed=line.removed_on is not None,
                        mark=exam_rules.mark_from_text(line.mark),
                        outcome=line.outcome,
                        certified_on=line.certified_on,
                        tolerated_on=line.tolerated_on,
                        tolerance_kind=line.tolerance_kind,
                    )
                    for line in lines
                ],
            )
        )
    return found


def study_progress(
    student: Student,
    *,
    notifications: list[dict] | None = None,
    measures=None,
    risks: list[dict] | None = None,
    entries=None,
    enrolments=None,
    courses=None,
    programme_results=None,
) -> dict:
    """The study progress file of ``student``, as EXCHANGE.md defines it. When the caller has them:
    ``notifications``, the student's notifications (``core.gates.student_notifications``),
    ``measures``, ``students.refusals.measures_with_end(student)``, ``risks``, the risk
    signals' rows (``risk_rows`` or ``stored_risk_rows``; computed afresh when left out),
    ``entries``, the learning-account entries (as ``students.selectors.learning_account`` reads
    them), ``enrolments`` (``file_enrolments``), ``courses`` (``file_courses(enrolments)``) and
    ``programme_results``, the student's ``ProgrammeResult`` rows."""
    if risks is None:
        risks = risk_rows(student_signals(student.pk, today=clock.today()))
    account = learning_account(student, entries)
    entries = account.pop("_entries")
    enrolments = file_enrolments(student) if enrolments is None else enrolments
    courses = file_courses(enrolments) if courses is None else courses
    # The exam periods of the enrolments' years with, in the same query, the days their
    # publications reached each enrolment's programme (exams.publication).
    periods = list(
        with_publication(
            ExamPeriod.objects.filter(academic_year__in={e.academic_year_id for e in enrolments}).select_related(
                "academic_year"
            ),
            {e.programme_id for e in enrolments},
        )
    )
    published = {
        (period, enrolment.programme_id): publication_day_of(period, enrolment.programme_id)
        for enrolment in enrolments
        for period in periods
        if period.academic_year_id == enrolment.academic_year_id
    }
    published_days = defaultdict(list)
    for (period, programme_id), day in published.items():
        if day is not None:
            published_days[period.academic_year.code, programme_id].append(day)
    # The standings from the enrolments and lines read above (``exams.standing.standings``
    # would read them again).
    found = file_standings(student, enrolments, courses)

    # Art. 85 §4: the code FR on the results a fraud sanction touches (answered by fraud).
    codes = gates.fraud_codes(student.pk)
    files = []
    for enrolment in enrolments:
        lines = list(enrolment.lines.all())
        active = [line for line in lines if line.removed_on is None]
        year = found[(student.pk, enrolment.programme_id)].year(enrolment.pk)
        published = any(
            enrolment.enrolled_on <= day
            for day in published_days.get((enrolment.academic_year.code, enrolment.programme_id), [])
        )
        efficiency = year.efficiency if published else None
        files.append(
            {
                "academic_year": enrolment.academic_year.code,
                "programme": enrolment.programme.code,
                "contract": enrolment.contract,
                "status": enrolment.status,
                "taken_credits": sum(line.course.credits for line in active),
                "actually_taken_credits": year.actually_taken,
                "obtained_credits": year.certified,
                "study_efficiency": None if efficiency is None else float(round_half_up(efficiency, 2)),
                "credits_without_learning_account": _credits_without_learning_account(enrolment, entries),
                "courses": [
                    {
                        "course": line.course.code,
                        "credits": line.course.credits,
                        "semester": line.course.semester,
                        "mark": exam_rules.mark_from_text(line.mark),
                        "status": _course_status(line),
                        # Optional (EXCHANGE.md): present only on a result a fraud sanction touches.
                        **({"code": codes[line.pk]} if line.pk in codes else {}),
                    }
                    for line in lines
                ],
                "tolerance": found[(student.pk, enrolment.programme_id)].tolerance(year),
                # Optional additions (EXCHANGE.md): the Art. 33 written request and whether
                # the enrolment was admitted by that exception (DOMAIN §2 rule 11), and the
                # cluster's approvals of retaking a tolerated course (Art. 90 §3, DOMAIN §3).
                "exception_requested_on": _iso(enrolment.exception_requested_on),
                "admission_exception": enrolment.admission_exception,
                "tolerated_retakes": [
                    {
                        "course": approval.course.code,
                        "requested_on": _iso(approval.requested_on),
                        "approved_on": _iso(approval.approved_on),
                    }
                    for approval in sorted(enrolment.file_retakes, key=lambda a: a.course.code)
                ],
            }
        )

    if programme_results is None:
        programme_results = ProgrammeResult.objects.filter(student=student)
    results = {r.programme_id: r for r in programme_results}
    programmes = []
    for (_student, programme_id), standing in sorted(found.items(), key=lambda kv: kv[1].years[0].year_start):
        result = results.get(programme_id)
        programmes.append(
            {
                "programme": standing.programme.code,
                "passed": result is not None,
                "percentage": _percentage(result),
                "level_of_achievement": (result.level or None) if result else None,
                "threshold": {"applies": standing.threshold_applies, "reached": standing.threshold_reached()},
            }
        )
    return {
        "student": student.number,
        "name": student.full_name,
        "learning_account": account,
        "enrolments": files,
        "programmes": programmes,
        "measures": measures_of(student, measures),
        # Optional (EXCHANGE.md): what the student was told and when (DOMAIN §11).
        "notifications": [
            {"kind": row["kind"], "sent_on": _iso(row["sent_on"]), "status": row["status"]}
            for row in (gates.student_notifications(student.pk) if notifications is None else notifications)
        ],
        # Optional (EXCHANGE.md): the risks of refusal of further enrolment (Art. 28).
        "risk_signals": [_risk_exchange(row) for row in risks],
    }


def refusal_texts(enrolments) -> dict[int, str]:
    """For each refused enrolment of ``enrolments``, the refusal in the reader's language:
    the measure that refuses it (its kind, and the course of a repeated-failure refusal) or
    the learning account of 0 or less at the enrolment (Art. 33)."""
    refused = [e for e in enrolments if e.status == EnrolmentStatus.REFUSED]
    if not refused:
        return {}
    measures = refusals_for(refused)
    texts = {}
    for enrolment in refused:
        measure = measures.get(enrolment.pk)
        if measure is None:
            # Refused at the enrolment on a balance of 0 or less: no measure behind it.
            texts[enrolment.pk] = str(MeasureKind.LEARNING_ACCOUNT_REFUSAL.label)
        elif measure.course_id:
            texts[enrolment.pk] = f"{measure.get_kind_display()} ({measure.course.code})"
        else:
            texts[enrolment.pk] = str(measure.get_kind_display())
    return texts
