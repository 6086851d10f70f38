"""Reads of the appeals app (queries that write nothing): who may decide an appeal, the
decisions a student can appeal, an appeal's admissibility and timeline, the day the next
appeal clock is due, the daily summary, the Art. 34 check of a lifting request and the
tolerances a lifting applies, the day of the decision a mark stands on."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Max, Min, Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import roles
from core.filters import MAX_WORD_LENGTH, search_words
from core.numbers import whole_number
from core.permissions import Capability, scope
from core.validators import DateRange, around_year
from exams.models import ProgrammeResult, Result
from exams.publication import publication_day, publication_days
from exams.standing import standings
from fraud import appeals as fraud_appeals
from fraud.models import FraudDecision
from programmes.models import ExamPeriod
from programmes.rules import academic_year_code, parse_academic_year_code
from programmes.selectors import year_dates
from students.models import Enrolment, ExemptionApproval, ISPLine, Measure, MeasureKind, Student
from students.refusals import REFUSALS, degrees_of, measure_until
from students.selectors import students_for, students_matching

from . import rules
from .models import Appeal, AppealStatus, Correction, LiftingStatus, Outcome, RefusalLiftingRequest


def may_decide(user, appeal: Appeal) -> bool:
    """Whether ``user`` records the outcome of ``appeal``: the register's keepers, or the
    examination committee for its own decisions (Art. 101 (f), (g); core.permissions)."""
    user_scope = scope(user)
    if user_scope.has(Capability.APPEAL_WRITE):
        return True
    return user_scope.has(Capability.COMMITTEE_APPEALS) and rules.committee_may_decide(appeal.category)


def register_queryset():
    return Appeal.objects.select_related("student", "programme", "refusal_lifting_request")


# --- The dates a form takes -------------------------------------------------------------------
def record_dates(student: Student, *, today: datetime.date) -> DateRange:
    """The days a decision of ``student`` can date from: the academic years of their
    enrolments with the years before and after (``core.validators.around_year``); for a
    student without enrolments, the academic year of ``today``'s."""
    span = Enrolment.objects.filter(student=student).aggregate(
        starts_on=Min("academic_year__starts_on"), ends_on=Max("academic_year__ends_on")
    )
    if span["starts_on"] is None:
        return year_dates(today=today)
    return around_year(span["starts_on"], span["ends_on"], today=today)


# --- Finding the student a form is about ---------------------------------------------------
LOOKUP_LIMIT = 20


@dataclass
class Lookup:
    """What a search for a student found: ``student`` when the text is one's number (any
    case, spaces around it ignored), else the ``matches`` of every word in a number or a
    name, at most ``LOOKUP_LIMIT`` (``more``: there are others)."""

    text: str
    student: Student | None
    matches: list[Student]
    more: bool


def student_lookup(user, text: str) -> Lookup:
    """Search the students ``user`` sees (``students.selectors.students_for``) by name or number."""
    text = " ".join(text.split())
    if not text:
        return Lookup(text, None, [], False)
    visible = students_for(user)
    # No student number is longer than a search word (core.filters: the words a search uses).
    exact = visible.filter(number__iexact=text).first() if len(text) <= MAX_WORD_LENGTH else None
    if exact is not None:
        return Lookup(text, exact, [exact], False)
    found = list(
        (visible & students_matching(search_words(text).words))
        .prefetch_related(
            Prefetch(
                "enrolments",
                queryset=Enrolment.objects.select_related("programme", "academic_year").order_by(
                    "-academic_year__starts_on"
                ),
            )
        )
        .order_by("last_name", "first_name", "number")[: LOOKUP_LIMIT + 1]
    )
    return Lookup(text, None, found[:LOOKUP_LIMIT], len(found) > LOOKUP_LIMIT)


def _published_pairs(student: Student, *, today: datetime.date) -> tuple[list[ExamPeriod], dict]:
    """The exam periods of ``student``'s academic years, the latest first, and the day each
    (period, programme of the student's enrolment that year) was published by ``today``
    (``exams.publication``: a programme a deliberation held is published on its release)."""
    periods = list(
        ExamPeriod.objects.filter(academic_year__enrolments__student=student)
        .select_related("academic_year")
        .distinct()
        .order_by("-results_published_on")
    )
    programmes = defaultdict(set)
    for year_id, programme_id in Enrolment.objects.filter(student=student).values_list(
        "academic_year_id", "programme_id"
    ):
        programmes[year_id].add(programme_id)
    days = publication_days(
        (period, programme_id) for period in periods for programme_id in programmes[period.academic_year_id]
    )
    return periods, {key: day for key, day in days.items() if day <= today}


def published_exam_periods(student: Student, *, today: datetime.date) -> list[ExamPeriod]:
    """The exam periods of ``student``'s academic years whose publication reached the student by
    ``today`` (``exams.publication``), the latest first; each with ``published_on``, its day."""
    periods, days = _published_pairs(student, today=today)
    found = []
    for period in periods:
        reached = [day for (period_id, _programme), day in days.items() if period_id == period.pk]
        if reached:
            period.published_on = min(reached)
            found.append(period)
    return found


def published_results(student: Student, *, today: datetime.date):
    """``student``'s results published by ``today``, the latest publication first."""
    _periods, days = _published_pairs(student, today=today)
    reached = Q(pk__in=[])
    for period_id, programme_id in days:
        reached |= Q(exam_period_id=period_id, isp_line__enrolment__programme_id=programme_id)
    return (
        Result.objects.filter(reached, isp_line__enrolment__student=student)
        .select_related("isp_line__course", "exam_period__academic_year")
        .prefetch_related("parts")
        .order_by("-exam_period__results_published_on", "isp_line__course__code", "opportunity")
    )


def decision_choices(student: Student, *, today: datetime.date) -> list[tuple[str, list[tuple[str, str]]]]:
    """The decisions of ``student`` that live in the system, grouped for a select:
    values ``"<link>:<pk>"`` (see ``LINK_FIELDS``); published results only."""
    groups = []
    results = published_results(student, today=today)
    from exams.services import result_mark

    groups.append(
        (
            _("Results (examination decisions)"),
            [(f"result:{r.pk}", result_label(r, result_mark(r))) for r in results],
        )
    )
    periods = published_exam_periods(student, today=today)
    groups.append(
        (
            _("Publications"),
            [
                (
                    f"exam_period:{p.pk}",
                    _("%(year)s exam period %(number)s, published %(day)s")
                    % {"year": p.academic_year.code, "number": p.number, "day": day_text(p.published_on)},
                )
                for p in periods
            ],
        )
    )
    groups.append(
        (
            _("Programme results"),
            [
                (
                    f"programme_result:{r.pk}",
                    f"{r.programme.code} {r.academic_year.code}: {number_format(r.percentage, 2)} %",
                )
                for r in ProgrammeResult.objects.filter(student=student).select_related("programme", "academic_year")
            ],
        )
    )
    groups.append(
        (
            _("Rejected refusal-lifting requests"),
            [
                (
                    f"refusal_lifting_request:{r.pk}",
                    f"{r.reference} · {r.measure.get_kind_display()} ({day_text(r.decided_on)})",
                )
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
                # A line removed from the ISP is no decision to appeal any more.
                for line in ISPLine.objects.filter(enrolment__student=student, removed_on__isnull=True)
                .select_related("course", "enrolment__academic_year")
                .order_by("-enrolment__academic_year__starts_on", "course__code")
            ],
        )
    )
    groups.append(
        (
            _("Fraud decisions (examination disciplinary decisions)"),
            [
                (f"fraud_decision:{d.pk}", describe_decision("fraud_decision", d))
                for d in fraud_appeals.appealable_decisions(student.pk)
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
    "fraud_decision": FraudDecision,
}


def decision_from_choice(value: str) -> dict:
    """``"result:12"`` -> ``{"result": <Result 12>}``; ``""`` -> ``{}``."""
    if not value:
        return {}
    kind, _sep, pk = value.partition(":")
    return {kind: LINK_MODELS[kind].objects.get(pk=int(pk))}


# --- The decision appealed, in words -------------------------------------------------------
ORDINALS = {1: gettext_lazy("1st"), 2: gettext_lazy("2nd"), 3: gettext_lazy("3rd")}
GRADE_WORDS = {"P": gettext_lazy("pass"), "F": gettext_lazy("fail"), "NA": gettext_lazy("not taken")}


def mark_words(mark) -> str:
    """A mark as a reader says it: "13/20", "pass", "fail", "not taken"."""
    if mark is None or mark == "":
        return "–"
    if isinstance(mark, int) or whole_number(str(mark)) is not None:
        return _("%(score)s/20") % {"score": mark}
    return str(GRADE_WORDS.get(str(mark), mark))


def _ordinal(number: int) -> str:
    return str(ORDINALS.get(number, number))


def result_words(result: Result, mark) -> str:
    """ "2nd opportunity, 1st exam period: 13/20" (``result`` with its exam period)."""
    return _("%(opportunity)s opportunity, %(period)s exam period: %(mark)s") % {
        "opportunity": _ordinal(result.opportunity),
        "period": _ordinal(result.exam_period.number),
        "mark": mark_words(mark),
    }


def result_label(result: Result, mark) -> str:
    """A result in a choice list: year, course, then ``result_words``."""
    course = result.isp_line.course
    return f"{result.exam_period.academic_year.code} · {course.code} {course.name} · {result_words(result, mark)}"


def describe_decision(kind: str, obj, *, mark=None) -> str:
    """The decision ``obj`` of link ``kind`` (``LINK_FIELDS``) in the reader's language;
    ``obj`` with the relations the text names loaded; ``mark``: a result's mark."""
    if kind == "result":
        return _("Result of %(course)s %(name)s in %(year)s, %(words)s") % {
            "course": obj.isp_line.course.code,
            "name": obj.isp_line.course.name,
            "year": obj.exam_period.academic_year.code,
            "words": result_words(obj, mark),
        }
    if kind == "exam_period":
        return _("Examination decisions published on %(day)s (exam period %(period)s of %(year)s)") % {
            "day": day_text(getattr(obj, "published_on", obj.results_published_on)),
            "period": obj.number,
            "year": obj.academic_year.code,
        }
    if kind == "programme_result":
        return _("Programme result of %(programme)s (%(year)s): %(percentage)s %%") % {
            "programme": obj.programme.code,
            "year": obj.academic_year.code,
            "percentage": number_format(obj.percentage, 2),
        }
    if kind == "measure":
        text = _("%(measure)s for %(programme)s, %(first)s to %(last)s") % {
            "measure": obj.get_kind_display(),
            "programme": obj.programme.code,
            "first": obj.from_year_code,
            "last": obj.until_year_code,
        }
        return f"{text} ({obj.course.code})" if obj.course_id else text
    if kind == "exemption":
        return _("Exemption for %(course)s %(name)s (%(year)s)") % {
            "course": obj.isp_line.course.code,
            "name": obj.isp_line.course.name,
            "year": obj.isp_line.enrolment.academic_year.code,
        }
    if kind == "isp_line":
        return _("%(course)s %(name)s in the ISP of %(year)s") % {
            "course": obj.course.code,
            "name": obj.course.name,
            "year": obj.enrolment.academic_year.code,
        }
    if kind == "refusal_lifting_request":
        return _("Rejection of refusal-lifting request %(reference)s (%(measure)s)") % {
            "reference": obj.reference,
            "measure": obj.measure.get_kind_display(),
        }
    if kind == "fraud_decision":
        fraud_file = obj.fraud_file
        return _("Sanction %(sanctions)s for %(kind)s in %(course)s (%(year)s), decided on %(day)s") % {
            "sanctions": ", ".join(filter(None, [obj.sanction_numbers, "§3" if obj.annulment else ""])) or "–",
            "kind": fraud_file.get_kind_display(),
            "course": fraud_file.course.code,
            "year": fraud_file.exam_period.academic_year.code,
            "day": day_text(obj.decided_on),
        }
    raise ValueError(kind)


# What ``decision_description`` loads for each link.
DESCRIPTION_RELATED = {
    "result": ("isp_line__course", "exam_period__academic_year"),
    "exam_period": ("academic_year",),
    "programme_result": ("programme", "academic_year"),
    "measure": ("programme", "course"),
    "exemption": ("isp_line__course", "isp_line__enrolment__academic_year"),
    "isp_line": ("course", "enrolment__academic_year"),
    "refusal_lifting_request": ("measure",),
    "fraud_decision": ("fraud_file__course", "fraud_file__exam_period__academic_year"),
}


def decision_descriptions(appeals) -> dict[int, str]:
    """Appeal id -> the decision appealed as the pages show it: written anew in the reader's
    language when it was filled in from a decision that is still linked, else as registered.
    A result's mark is the one appealed (the mark before a new decision on it). One query per
    kind of link, whatever the number of appeals."""
    from exams.services import result_mark

    found = {appeal.pk: appeal.decision_text for appeal in appeals}
    wanted: dict[str, dict[int, list[Appeal]]] = {}
    for appeal in appeals:
        kind = link_kind(appeal) if appeal.described_from_link else None
        if kind is not None:
            wanted.setdefault(kind, {}).setdefault(getattr(appeal, f"{kind}_id"), []).append(appeal)
    for kind, by_pk in wanted.items():
        objects = LINK_MODELS[kind].objects.select_related(*DESCRIPTION_RELATED[kind])
        if kind == "result":
            objects = objects.prefetch_related("parts")
        for obj in objects.filter(pk__in=list(by_pk)):
            for appeal in by_pk[obj.pk]:
                mark = (appeal.old_mark or result_mark(obj)) if kind == "result" else None
                found[appeal.pk] = describe_decision(kind, obj, mark=mark)
    return found


def decision_description(appeal: Appeal) -> str:
    return decision_descriptions([appeal])[appeal.pk]


# --- Where a new decision is carried out ----------------------------------------------------
@dataclass
class Place:
    """Where a new decision on the appeal is carried out: ``here`` (recording it carries it
    out), or on the page at ``url``; ``text`` says which and ``link`` names the page."""

    here: bool
    text: str
    url: str
    link: str


def new_decision_place(appeal: Appeal) -> Place:
    """Art. 101: a new decision replaces the decision appealed where that decision lives.
    A new examination decision on a linked result and the lifting of a refused lifting (a)
    are carried out by recording them here; the others in the ISP (an exemption, a course of
    the ISP) or in the study progress file."""
    student_page = reverse("students:student_detail", args=[appeal.student.number])
    file_link = _("The study progress file of %(name)s") % {"name": appeal.student.full_name}
    if rules.decision_may_change_mark(category=appeal.category, linked_to_result=appeal.result_id is not None):
        return Place(
            True,
            _(
                "Carried out here: the new mark replaces the linked result's on the decision day, and the "
                "credit certificate, the learning account, tolerance and the programme result follow."
            ),
            student_page,
            file_link,
        )
    if appeal.category == "a":
        lifting = appeal.refusal_lifting_request
        return Place(
            True,
            _("Carried out here: the refusal is lifted as the refusal-lifting committee would have (Art. 34)."),
            lifting.get_absolute_url() if lifting else student_page,
            _("Refusal-lifting request %(reference)s") % {"reference": lifting.reference} if lifting else file_link,
        )
    if appeal.fraud_decision_id:
        try:
            url = reverse("fraud:file_detail", kwargs={"pk": appeal.fraud_decision.fraud_file_id})
        except NoReverseMatch:
            url = student_page
        return Place(
            True,
            _(
                "Carried out here: the fraud decision is set aside, its exclusion measures are lifted, and the "
                "complete committee decides anew on the fraud file (Art. 101 g)."
            ),
            url,
            _("The fraud file"),
        )
    line = appeal.exemption.isp_line if appeal.exemption_id else appeal.isp_line
    if line is not None:
        year = line.enrolment.academic_year.code
        return Place(
            False,
            _("Carried out in the ISP of %(year)s: change the course %(course)s there (the coach or the cluster).")
            % {"year": year, "course": line.course.code},
            reverse("students:isp_editor", args=[line.enrolment_id]),
            _("The ISP of %(year)s") % {"year": year},
        )
    return Place(
        False,
        _(
            "Carried out where the decision lives: record it in the student's study progress file (the "
            "administration's records) and say what was done in the motivation."
        ),
        student_page,
        file_link,
    )


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


def day_text(value: datetime.date) -> str:
    """A date as the appeal pages and messages write it."""
    return date_format(value, "DATE_FORMAT")


# --- The decision appealed ----------------------------------------------------------------
LINK_FIELDS = (
    "fraud_decision",
    "result",
    "programme_result",
    "refusal_lifting_request",
    "measure",
    "exemption",
    "isp_line",
    "exam_period",
)


def link_kind(appeal: Appeal) -> str | None:
    """Which kind of decision ``appeal`` links, the most specific first."""
    return next((name for name in LINK_FIELDS if getattr(appeal, f"{name}_id")), None)


def programme_on(student: Student, day: datetime.date) -> int | None:
    """The programme of the student's latest enrolment by ``day`` (else their first one):
    where an appeal without a linked decision is filed on the register."""
    enrolments = Enrolment.objects.filter(student=student)
    latest = enrolments.filter(academic_year__starts_on__lte=day).order_by("-academic_year__starts_on", "-pk").first()
    chosen = latest or enrolments.order_by("academic_year__starts_on", "pk").first()
    return chosen.programme_id if chosen else None


# --- Admissibility (Art. 101) -------------------------------------------------------------
ADMISSIBILITY_MESSAGES = {
    rules.NO_STUDENT: gettext_lazy("The appeal does not name the student."),
    rules.NO_DECISION: gettext_lazy("The appeal does not name the decision appealed."),
    rules.NO_FACTS: gettext_lazy("The appeal gives no facts and objections."),
    rules.NO_DECISION_DATE: gettext_lazy("The date of the publication or notification is not known."),
    rules.BEFORE_DECISION: gettext_lazy("The appeal was posted before the decision was published or notified."),
    rules.LATE: gettext_lazy("Filed too late: the last day to file was %(last_day)s (seven calendar days)."),
}


@dataclass
class Admissibility:
    opens: datetime.date | None
    last_day: datetime.date | None
    problems: list[str]
    messages: list[str]

    @property
    def admissible(self) -> bool:
        return not self.problems


def admissibility(appeal: Appeal) -> Admissibility:
    """Whether ``appeal`` is admissible by rule (Art. 101), with the computed last day."""
    problems = rules.admissibility_problems(
        has_student=appeal.student_id is not None,
        names_decision=bool(appeal.decision_text.strip()) or link_kind(appeal) is not None,
        facts_and_objections=appeal.facts_and_objections,
        decision_on=appeal.decision_on,
        posted_on=appeal.posted_on,
        pending_feedback=appeal.pending_feedback,
        elaborated=appeal.elaborated_on is not None,
    )
    last_day = rules.appeal_last_day(decision_on=appeal.decision_on) if appeal.decision_on else None
    opens = rules.appeal_window_opens(decision_on=appeal.decision_on) if appeal.decision_on else None
    messages = [
        str(ADMISSIBILITY_MESSAGES[code]) % {"last_day": day_text(last_day) if last_day else ""} for code in problems
    ]
    return Admissibility(opens, last_day, problems, messages)


# --- The clocks -----------------------------------------------------------------------------
def appeal_clocks_pending_on() -> datetime.date | None:
    """The earliest day an appeal clock is due and not processed yet (for ``core.timeline``)."""
    open_appeals = Appeal.objects.filter(status=AppealStatus.OPEN)
    unelaborated = open_appeals.filter(pending_feedback=True, elaborated_on__isnull=True).aggregate(d=Min("posted_on"))[
        "d"
    ]
    unflagged = open_appeals.filter(overdue_since__isnull=True).aggregate(d=Min("decision_due_on"))["d"]
    days = [
        rules.void_on(posted_on=unelaborated) if unelaborated else None,
        rules.overdue_on(due_on=unflagged) if unflagged else None,
    ]
    return min((d for d in days if d is not None), default=None)


# --- The daily summary ----------------------------------------------------------------------
@dataclass
class Summary:
    today: datetime.date
    overdue: list[Appeal]
    due_soon: list[Appeal]
    awaiting_elaboration: list[Appeal]
    lifting_pending: list[RefusalLiftingRequest]

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.awaiting_elaboration or self.lifting_pending)


def appeals_summary(*, today: datetime.date) -> Summary:
    """What student administration follows up today: overdue appeals, appeals due within
    ``rules.DUE_SOON_DAYS``, appeals awaiting their elaboration, undecided lifting requests."""
    open_appeals = Appeal.objects.filter(status=AppealStatus.OPEN).select_related("student", "programme")
    soon = today + datetime.timedelta(days=rules.DUE_SOON_DAYS)
    return Summary(
        today=today,
        overdue=list(open_appeals.filter(decision_due_on__lt=today).order_by("decision_due_on", "pk")),
        due_soon=list(
            open_appeals.filter(decision_due_on__gte=today, decision_due_on__lte=soon).order_by("decision_due_on", "pk")
        ),
        awaiting_elaboration=list(
            open_appeals.filter(pending_feedback=True, elaborated_on__isnull=True).order_by("posted_on", "pk")
        ),
        lifting_pending=list(
            RefusalLiftingRequest.objects.filter(status=LiftingStatus.PENDING)
            .select_related("student", "measure__programme")
            .order_by("submitted_on", "pk")
        ),
    )


def summary_recipients() -> list[str]:
    """The e-mail addresses of the active members of student administration."""
    users = get_user_model().objects.filter(is_active=True, groups__name=roles.ADMINISTRATION).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


# --- Refusal lifting (Art. 34) -------------------------------------------------------------
LIFTING_MESSAGES = {
    rules.LIFTING_LATE: gettext_lazy(
        "Submitted too late: the last day was %(last_day)s (10 October, or before 25 February for a first "
        "request in the academic year, Art. 34)."
    ),
    rules.LIFTING_NOT_REFUSED: gettext_lazy("The refusal does not apply in academic year %(year)s."),
    rules.LIFTING_ALREADY_LIFTED: gettext_lazy("This refusal is lifted already."),
    rules.LIFTING_NO_GROUNDS: gettext_lazy("Give the special individual circumstances the request rests on."),
}


@dataclass
class LiftingCheck:
    last_day: datetime.date
    problems: list[str]
    messages: list[str]


def lifting_check(
    *, measure: Measure, submitted_on: datetime.date, grounds: str, exclude_pk: int | None = None
) -> LiftingCheck:
    """The Art. 34 rules for a request against ``measure`` submitted on ``submitted_on``."""
    first_year = rules.lifting_academic_year(submitted_on=submitted_on)
    code = academic_year_code(first_year)
    asked_earlier = (
        RefusalLiftingRequest.objects.filter(
            student_id=measure.student_id, academic_year_code=code, submitted_on__lte=submitted_on
        )
        .exclude(pk=exclude_pk)
        .exists()
    )
    problems = rules.lifting_request_problems(
        submitted_on=submitted_on,
        asked_earlier=asked_earlier,
        refusal_years=(
            parse_academic_year_code(measure.from_year_code),
            # A threshold refusal ends early with a degree from another programme (Art. 30 §2).
            parse_academic_year_code(measure_until(measure, degrees_of([measure.student_id])[measure.student_id])),
        ),
        lifted=measure.lifted_on is not None,
        grounds=grounds,
    )
    last_day = rules.lifting_last_day(first_year=first_year, asked_earlier=asked_earlier)
    context = {"last_day": day_text(last_day), "year": code}
    return LiftingCheck(last_day, problems, [str(LIFTING_MESSAGES[p]) % context for p in problems])


def lifting_tolerances(measure: Measure) -> list[ISPLine]:
    """Art. 34: the threshold lines that lifting a decree-threshold refusal tolerates
    automatically, when the tolerance credit suffices (the 50 % efficiency condition waived);
    each course on the line of its latest year up to the refusal's year. [] otherwise."""
    if measure.kind != MeasureKind.THRESHOLD_REFUSAL:
        return []
    key = (measure.student_id, measure.programme_id)
    standing = standings([key])[key]
    year = next((y for y in standing.years if y.year_id == measure.decided_in_id), None)
    position = standing.tolerance(year) if year is not None else None
    if position is None:
        return []
    courses = rules.threshold_tolerances(package=standing.package_records(year), left=position["left"])
    lines = {}
    for earlier in standing.years:
        if earlier.year_start <= year.year_start:
            for line in earlier.active:
                if line.course_id in courses and not line.done:
                    lines[line.course_id] = line
    if not courses or set(lines) != set(courses):
        return []
    return list(ISPLine.objects.filter(pk__in=[x.id for x in lines.values()]).select_related("course"))


# --- Corrections (Art. 102) -----------------------------------------------------------------
def result_decision_on(result: Result) -> datetime.date:
    """The day of the decision a result's mark stands on: its publication, or the latest
    new decision on it since (an appeal or a correction)."""
    published = publication_day(result.exam_period, result.isp_line.enrolment.programme_id)
    appealed = Appeal.objects.filter(result=result, outcome=Outcome.NEW_DECISION).aggregate(d=Max("decided_on"))["d"]
    corrected = Correction.objects.filter(result=result).aggregate(d=Max("corrected_on"))["d"]
    return max(d for d in (published, appealed, corrected) if d is not None)
