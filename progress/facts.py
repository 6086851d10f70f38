"""Reads for the ISP rules: one enrolment's ISP with everything the rules of DOMAIN §3
need, gathered in a fixed number of queries whatever the number of lines or courses.

``isp_context`` turns the records into the plain values of ``rules.ISPFacts``; the
editor, the preview and the services all decide from the same context.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from exams.facts import opportunity_taken
from exams.services import tolerance_choices_open
from programmes.facts import year_calendar
from programmes.models import AcademicYear, Course, Prerequisite
from students import rules
from students.models import (
    Degree,
    Enrolment,
    EnrolmentStatus,
    EntryKind,
    ExemptionApproval,
    ISPDerogation,
    ISPLine,
    ISPStatus,
    LearningAccountEntry,
    LineOutcome,
    ToleratedRetakeApproval,
)


@dataclass
class ISPContext:
    enrolment: Enrolment
    today: datetime.date
    facts: rules.ISPFacts
    lines: list[ISPLine]  # active lines, course loaded, ``opportunity_taken`` annotated
    removed_lines: list[ISPLine]
    courses: list[Course]  # the programme's catalogue
    course_facts: dict[int, rules.CourseFacts]
    line_facts: dict[int, rules.LineFacts]
    derogations: list[ISPDerogation]
    exemptions: dict[int, ExemptionApproval]
    balance: int
    holds_bachelor: bool
    # credits this enrolment has taken from the learning account (deductions minus refunds)
    charged: int
    entries: list[LearningAccountEntry] = field(default_factory=list)
    # the cluster's approvals of retaking a tolerated course (Art. 90 §3)
    tolerated_retakes: list[ToleratedRetakeApproval] = field(default_factory=list)

    def line(self, line_id) -> ISPLine | None:
        return next((line for line in self.lines if str(line.pk) == str(line_id)), None)

    def course(self, course_id) -> Course | None:
        return next((course for course in self.courses if str(course.pk) == str(course_id)), None)

    def uses_learning_account(self, *, exempted: bool = False) -> bool:
        return rules.line_uses_learning_account(
            contract=self.enrolment.contract,
            programme_kind=self.enrolment.programme.kind,
            holds_bachelor=self.holds_bachelor,
            exempted=exempted,
        )

    def credits_without_learning_account(self, charged: int | None = None) -> int:
        """Rule 12 against the balance just before the enrolment's first deduction
        (the current balance while the enrolment is not processed yet)."""
        charged = self.charged if charged is None else charged
        start = self.enrolment.balance_at_enrolment
        if start is None:
            start = self.balance
        return rules.credits_without_learning_account(credits=charged, balance=start)


def _course_facts(courses, identical, prerequisites) -> dict[int, rules.CourseFacts]:
    return {
        c.pk: rules.CourseFacts(
            id=c.pk,
            code=c.code,
            credits=c.credits,
            semester=c.semester,
            stage=c.stage,
            elective=c.elective,
            identical=frozenset(identical.get(c.pk, ())),
            prerequisites=tuple(prerequisites.get(c.pk, ())),
        )
        for c in courses
    }


def _exemption_of(line: ISPLine) -> ExemptionApproval | None:
    """The line's exemption approval, read with the line (``select_related``)."""
    try:
        return line.exemption_approval
    except ExemptionApproval.DoesNotExist:
        return None


def _scalar_reads(enrolment, *, student_id, programme_id, year, total, today) -> tuple[int | None, bool, bool, bool]:
    """Four single values read in one query: the academic year just before ``year``; whether
    the student holds a bachelor's degree on ``today``; whether the student had an earlier,
    not refused, enrolment in the programme; whether another enrolment of the same year
    outranks this one as the main enrolment (more ISP credits than ``total``, or as many and
    created earlier)."""
    outranking = (
        Enrolment.objects.filter(student_id=student_id, academic_year_id=year.pk, status=EnrolmentStatus.ENROLLED)
        .exclude(pk=enrolment.pk)
        .values("pk")
        .annotate(isp_credits=Coalesce(Sum("lines__course__credits", filter=Q(lines__removed_on__isnull=True)), 0))
        .filter(Q(isp_credits__gt=total) | Q(isp_credits=total, pk__lt=enrolment.pk))
    )
    return (
        Enrolment.objects.filter(pk=enrolment.pk)
        .order_by()
        .annotate(
            previous_year_pk=Subquery(
                AcademicYear.objects.filter(starts_on__lt=year.starts_on).order_by("-starts_on").values("pk")[:1]
            ),
            holds_bachelor=Exists(Degree.objects.filter(student_id=student_id, kind="bachelor", on__lte=today)),
            earlier_enrolment=Exists(
                Enrolment.objects.filter(
                    student_id=student_id, programme_id=programme_id, academic_year__starts_on__lt=year.starts_on
                ).exclude(status=EnrolmentStatus.REFUSED)
            ),
            outranked=Exists(outranking),
        )
        .values_list("previous_year_pk", "holds_bachelor", "earlier_enrolment", "outranked")
        .get()
    )


def isp_context(enrolment: Enrolment | int, *, today: datetime.date) -> ISPContext:
    """Everything the ISP rules need about one enrolment, on ``today``."""
    if not isinstance(enrolment, Enrolment):
        enrolment = Enrolment.objects.select_related("student", "programme", "academic_year", "isp_approved_by").get(
            pk=enrolment
        )
    year, programme, student = enrolment.academic_year, enrolment.programme, enrolment.student

    all_lines = list(
        ISPLine.objects.filter(enrolment=enrolment)
        # the exemption approvals (one per line at most) come with the lines
        .select_related("course", "exemption_approval__approved_by")
        .annotate(opportunity_taken=opportunity_taken(today))
        .order_by("course__semester", "course__stage", "course__code", "pk")
    )
    lines = [line for line in all_lines if line.removed_on is None]
    removed = [line for line in all_lines if line.removed_on is not None]
    total = sum(line.course.credits for line in lines)
    previous_year_id, holds_bachelor, earlier_enrolment, outranked = _scalar_reads(
        enrolment, student_id=student.pk, programme_id=programme.pk, year=year, total=total, today=today
    )

    courses = list(Course.objects.filter(programme=programme).order_by("stage", "semester", "code"))
    known = {c.pk for c in courses} | {line.course_id for line in all_lines}
    identical = defaultdict(set)
    for a, b in Course.identical_to.through.objects.filter(from_course_id__in=known).values_list(
        "from_course_id", "to_course_id"
    ):
        identical[a].add(b)
        identical[b].add(a)
    prerequisites = defaultdict(list)
    for course_id, required_id, required_code, kind in (
        Prerequisite.objects.filter(course_id__in=known)
        .order_by("required__code")
        .values_list("course_id", "required_id", "required__code", "kind")
    ):
        prerequisites[course_id].append((required_id, required_code, kind))
    extra = [line.course for line in all_lines if line.course_id not in {c.pk for c in courses}]
    course_facts = _course_facts([*courses, *extra], identical, prerequisites)

    # Earlier years in the same programme.
    past_rows = list(
        ISPLine.objects.filter(
            enrolment__student_id=student.pk,
            enrolment__programme_id=programme.pk,
            enrolment__academic_year__starts_on__lt=year.starts_on,
        ).values_list(
            "course_id",
            "course__code",
            "course__credits",
            "course__elective",
            "removed_on",
            "exempted",
            "certified_on",
            "tolerated_on",
            "outcome",
            "enrolment__academic_year_id",
            "enrolment__status",
        )
    )
    followed, obtained, retakes = set(), {}, {}
    obtained_credits = 0
    for (
        cid,
        code,
        credits,
        elective,
        removed_on,
        exempted,
        certified_on,
        tolerated_on,
        outcome,
        year_id,
        status,
    ) in past_rows:
        if removed_on is not None:
            continue
        followed.add(cid)
        how = None
        if exempted:
            how = "exempted"
        elif certified_on is not None or outcome == LineOutcome.PASSED:
            how = "passed"
        elif tolerated_on is not None:
            how = "tolerated"
        if how and cid not in obtained:
            obtained[cid] = how
            obtained_credits += credits
        if year_id == previous_year_id and status == EnrolmentStatus.ENROLLED and how is None and not elective:
            retakes[cid] = code
    retakes = {cid: code for cid, code in retakes.items() if cid not in obtained}
    if enrolment.contract not in rules.ISP_BAND_CONTRACTS:
        retakes = {}

    # Decided: the main enrolment of a year is the one with the most ISP credits (the earliest on a tie):
    # no other enrolment of the same year outranks it (see ``_scalar_reads``).
    main = not outranked

    derogations = list(ISPDerogation.objects.filter(enrolment=enrolment).select_related("course", "approved_by"))
    tolerated_retakes = list(
        ToleratedRetakeApproval.objects.filter(enrolment=enrolment).select_related("course", "approved_by")
    )
    exemptions = {line.pk: approval for line in all_lines if (approval := _exemption_of(line)) is not None}
    entries = list(
        LearningAccountEntry.objects.filter(student_id=student.pk).only(
            "on", "credits", "kind", "source", "academic_year_id", "programme_id"
        )
    )
    balance = sum(e.credits for e in entries)
    own = [e for e in entries if (e.academic_year_id, e.programme_id) == (year.pk, programme.pk)]
    charged = -sum(
        e.credits
        for e in own
        if e.kind == EntryKind.DEDUCTION or (e.kind == EntryKind.REFUND and not e.source.endswith(":generation"))
    )
    new_to_programme = not earlier_enrolment
    # The tolerance file of the earlier years (Art. 91 §2): it blocks a draft's submission.
    tolerance_choices = (
        ()
        if new_to_programme or enrolment.isp_status != ISPStatus.DRAFT
        else tuple(
            tolerance_choices_open(student_id=student.pk, programme_id=programme.pk, before=year.starts_on, today=today)
        )
    )

    line_facts = {
        line.pk: rules.LineFacts(
            id=line.pk,
            course=course_facts[line.course_id],
            exempted=line.exempted,
            opportunity_taken=line.opportunity_taken,
            final_since=line.locked_on,
        )
        for line in lines
    }
    facts = rules.ISPFacts(
        contract=enrolment.contract,
        programme_kind=programme.kind,
        enrolled_on=enrolment.enrolled_on,
        calendar=year_calendar(year),
        lines=tuple(line_facts.values()),
        past=rules.PastFacts(
            new_to_programme=new_to_programme,
            followed=frozenset(followed),
            obtained=obtained,
            retakes=retakes,
        ),
        isp_status=enrolment.isp_status,
        enrolment_status=enrolment.status,
        previously_approved=enrolment.isp_approved_on is not None,
        main_enrolment=main,
        credits_left_to_degree=max(0, programme.credits - obtained_credits),
        stage_one=tuple(course_facts[c.pk] for c in courses if c.stage == 1 and not c.elective),
        # Only the approved derogations lift a rule (Art. 22); a refused one is listed, never applied.
        derogations=tuple((d.kind, d.course_id, d.credits) for d in derogations if d.is_approved),
        tolerance_choices=tolerance_choices,
        tolerated_retakes=frozenset(a.course_id for a in tolerated_retakes),
    )
    return ISPContext(
        enrolment=enrolment,
        today=today,
        facts=facts,
        lines=lines,
        removed_lines=removed,
        courses=courses,
        course_facts=course_facts,
        line_facts=line_facts,
        derogations=derogations,
        exemptions=exemptions,
        balance=balance,
        holds_bachelor=holds_bachelor,
        charged=charged,
        entries=entries,
        tolerated_retakes=tolerated_retakes,
    )
