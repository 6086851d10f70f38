"""The coach's pages: the student list, the student page (study progress file) and the
ISP editor. Each view is guarded by ``core.permissions.requires`` and asks the scope (through
``students.selectors``) who may see (else 404) and write (else 403), and calls the services
and rules; none holds a rule of its own."""

import datetime
from itertools import groupby

from django.contrib import messages
from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from core import clock, gates
from core.history import group_imports, history_rows
from core.pagination import CappedPaginator, grouped_rows
from core.permissions import Capability, requires, scope
from exams.models import ProgrammeResult
from programmes.models import AcademicYear, Course, Programme, Semester
from programmes.selectors import year_dates
from students import rules
from students.ledger import balance_subquery
from students.models import (
    DerogationOutcome,
    Enrolment,
    ExemptionApproval,
    ISPDerogation,
    ISPLine,
    ISPStatus,
    LearningAccountEntry,
    Student,
)
from students.refusals import measures_with_end
from students.selectors import enrolments_for, require_isp_write, students_for

from . import selectors, services
from .advice import advice_section
from .facts import isp_context
from .filters import COMPUTED_SORTS, GROUPED_SORTS, TIE_BREAK, EnrolmentFilter, sort_links
from .forms import DerogationForm, ISPChangeForm, ToleratedRetakeForm, WorkflowForm
from .risk_store import risk_refresh

PAGE_SIZE = 25
HISTORY_LIMIT = 200


def _balance_subquery():
    return Coalesce(balance_subquery("student"), Value(0))


def _isp_credits_subquery():
    total = (
        ISPLine.objects.filter(enrolment=OuterRef("pk"), removed_on__isnull=True)
        .order_by()
        .values("enrolment")
        .annotate(total=Sum("course__credits"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


# --- Student list -------------------------------------------------------------------------
# The list's order unless the coach sorts it: the academic years newest first, the programmes,
# the names.
LIST_ORDER = ("-academic_year__starts_on", "programme__code", *TIE_BREAK)


def student_filter(request) -> EnrolmentFilter:
    """The student list's filters on the enrolments the user sees (the list and its CSV
    export); the current academic year unless the request names one (or "all")."""
    user_scope = scope(request.user)
    enrolments = (
        enrolments_for(request.user)
        .select_related("student", "programme", "academic_year")
        .annotate(balance=_balance_subquery(), isp_credits=_isp_credits_subquery())
        .order_by(*LIST_ORDER)
    )
    today = clock.today()
    if user_scope.sees_all:
        programmes, years = Programme.objects.all(), AcademicYear.objects.order_by("-starts_on")
        # One query for the year choices and the current year (the latest one begun).
        year_rows = list(years)
        started = [year for year in year_rows if year.starts_on <= today]
    else:
        programme_ids = {p for p, _y in user_scope.visible}
        year_ids = {y for _p, y in user_scope.visible}
        programmes = Programme.objects.filter(pk__in=programme_ids)
        years = AcademicYear.objects.filter(pk__in=year_ids).order_by("-starts_on")
        # One query for the user's years (the choices) and the years begun (the latest is the
        # current year, which need not be one of the user's).
        rows = list(AcademicYear.objects.filter(Q(pk__in=year_ids) | Q(starts_on__lte=today)).order_by("-starts_on"))
        year_rows = [year for year in rows if year.pk in year_ids]
        started = [year for year in rows if year.starts_on <= today]
    data = request.GET.copy()
    if "academic_year" not in data and started:
        data["academic_year"] = str(started[0].pk)
    return EnrolmentFilter(
        data, queryset=enrolments, programmes=programmes, years=years, year_rows=year_rows, request=request
    )


def sort_groups(filterset, key: str, descending: bool) -> list[dict]:
    """The groups of a sort on ``key`` (``filters.GROUPED_SORTS``; "": the default ordering,
    the academic years newest first, then the programmes by code), in the sort's order: the
    filters of one part of ``core.pagination.grouped_rows`` each. The years and programmes are
    those of the filter's choices (read once for the form), or the one chosen."""
    form = filterset.form
    chosen = form.cleaned_data if form.is_valid() else {}

    def listed(name):
        picked = chosen.get(name)
        return [picked] if picked else list(form.fields[name].rows)

    def years(newest_first):
        return sorted(listed("academic_year"), key=lambda y: y.starts_on, reverse=newest_first)

    def programmes(descending):
        return sorted(listed("programme"), key=lambda p: p.code, reverse=descending)

    if not key:
        return [{"academic_year": y.pk, "programme": p.pk} for y in years(True) for p in programmes(False)]
    if key == "year":
        return [{"academic_year": y.pk} for y in years(descending)]
    if key == "programme":
        return [{"programme": p.pk} for p in programmes(descending)]
    field = GROUPED_SORTS[key]
    values = sorted(value for value, _label in Enrolment._meta.get_field(field).choices)
    return [{field: value} for value in (reversed(values) if descending else values)]


def student_pages(filterset) -> tuple[CappedPaginator, bool]:
    """The student list's pages (issue 19): the first ``core.pagination.CAP`` enrolments, a
    page read by an index walk (``grouped_rows`` for the sorts on a key of a few values); and
    whether a sort on a computed column (the credits, the learning account) was left out
    because the list is longer than that (the default ordering instead)."""
    queryset = filterset.qs
    value = (filterset.form.cleaned_data.get("ordering") or [""])[0] if filterset.form.is_valid() else ""
    key = value.lstrip("-")
    paginator = CappedPaginator(queryset, PAGE_SIZE)
    unsorted = key in COMPUTED_SORTS and paginator.capped
    if unsorted:
        key = value = ""
        paginator.object_list = queryset = queryset.order_by(*LIST_ORDER)
    # A search reads its students through the indexes of the search (a few, or a part of the
    # college) and sorts them; without one, a page walks the index of the names a group at a time.
    searched = bool(filterset.form.cleaned_data.get("q")) if filterset.form.is_valid() else False
    if (key in GROUPED_SORTS or not key) and not searched:
        groups = sort_groups(filterset, key, value.startswith("-"))
        paginator.rows = lambda offset, limit: grouped_rows(queryset, groups, TIE_BREAK, offset, limit)
    return paginator, unsorted


@require_GET
@requires(Capability.STUDENT_PAGES)
def student_list(request):
    user_scope = scope(request.user)
    filterset = student_filter(request)
    paginator, unsorted = student_pages(filterset)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort = sort_links(query)
    if unsorted:  # no column header says the list is sorted by it
        for link in sort.values():
            link["direction"] = ""
    return render(
        request,
        "progress/student_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "sort": sort,
            "unsorted": unsorted,
            "refusals": selectors.refusal_texts(page.object_list),
            "editable": {e.pk for e in page.object_list if user_scope.writes(e.programme_id, e.academic_year_id)},
        },
    )


# --- Student page: the study progress file ------------------------------------------------
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 720, 240, 40


def svg_number(value) -> str:
    """A coordinate as SVG reads it: 200, 12.5 (a decimal point, whatever the reader's language)."""
    return format(value, "g") if isinstance(value, float) else str(value)


def balance_chart(entries) -> dict | None:
    """The learning account balance over time as SVG coordinates (a step line)."""
    if not entries:
        return None
    points, balance = [], 0
    for entry in entries:
        balance += entry.credits
        points.append((entry.on, balance, entry))
    first, last = points[0][0], points[-1][0]
    span = max((last - first).days, 1)
    low = min(0, *(b for _d, b, _e in points))
    high = max(rules.OPENING_CREDITS, *(b for _d, b, _e in points)) + 10
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD

    def x(day):
        return round(CHART_PAD + inner_w * (day - first).days / span, 1)

    def y(value):
        return round(CHART_PAD + inner_h * (high - value) / (high - low), 1)

    # The step line's corners: along at the old balance to the entry's day, then up or down.
    # Written here with a decimal point: the browser reads SVG numbers, never a decimal comma.
    line, dots = [], []
    for index, (day, value, entry) in enumerate(points):
        for corner in ([(x(day), line[-1][1])] if index else []) + [(x(day), y(value))]:
            if not line or corner != line[-1]:
                line.append(corner)
        dots.append({"x": x(day), "y": y(value), "on": day, "balance": value, "entry": entry})
    line.append((CHART_WIDTH - CHART_PAD, line[-1][1]))
    # The balances the rules draw lines at: 0 (Art. 33), a limited account and the opening.
    ticks = sorted({low, 0, rules.LIMITED_BALANCE, rules.OPENING_CREDITS, points[-1][1]})
    years = []
    for year in range(first.year, last.year + 1):
        start = datetime.date(year, 9, 1)
        if first < start <= last:
            years.append({"x": x(start), "label": f"{year}-{year + 1}"})
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_PAD,
        "right": CHART_WIDTH - CHART_PAD,
        "bottom": CHART_HEIGHT - CHART_PAD,
        "points": " ".join(f"{svg_number(px)},{svg_number(py)}" for px, py in line),
        "dots": dots,
        "ticks": [
            {"y": y(t), "value": t, "strong": t in (0, rules.LIMITED_BALANCE), "dashed": t == rules.LIMITED_BALANCE}
            for t in ticks
        ],
        "years": years,
        "first": first,
        "last": last,
    }


HISTORY_FIELDS = {
    "student": ("number", "first_name", "last_name", "email", "opening_balance", "opening_on"),
    "enrolment": (
        "contract",
        "status",
        "isp_status",
        "deregistered_on",
        "isp_submitted_on",
        "isp_submitted_late_reason",
        "isp_approved_on",
        "isp_approved_late_reason",
        "grant_status",
    ),
    "ispline": ("removed_on", "exempted", "locked_on", "deducted_credits", "mark", "outcome"),
    "derogation": ("kind", "credits", "ground", "outcome"),
    "exemption": ("basis", "approved_on"),
}


def _history_rows(records, kind, describe):
    return history_rows(records, fields=HISTORY_FIELDS[kind], describe=describe, events=True)


def change_history(
    student: Student,
    enrolment_ids: list[int],
    limit: int | None = HISTORY_LIMIT,
    *,
    derogations: bool = True,
    exemptions: bool = True,
) -> list[dict]:
    """Who changed what and when: the student, the enrolments, the ISP lines and the
    cluster's ISP decisions (django-simple-history), newest first. ``derogations`` and
    ``exemptions`` False: the caller knows those have no history (``with_file_parts``)."""
    rows = _history_rows(
        Student.history.filter(id=student.pk).select_related("history_user"),
        "student",
        lambda r: _("student %(number)s") % {"number": r.number},
    )
    rows += _history_rows(
        Enrolment.history.filter(id__in=enrolment_ids).select_related("history_user", "programme", "academic_year"),
        "enrolment",
        lambda r: f"{r.programme.code} {r.academic_year.code}",
    )
    rows += _history_rows(
        ISPLine.history.filter(enrolment_id__in=enrolment_ids).select_related(
            "history_user", "course", "enrolment__academic_year"
        ),
        "ispline",
        lambda r: f"{r.course.code} ({r.enrolment.academic_year.code})",
    )
    if derogations:
        rows += _history_rows(
            ISPDerogation.history.filter(enrolment_id__in=enrolment_ids).select_related("history_user"),
            "derogation",
            lambda r: _("derogation: %(kind)s") % {"kind": r.get_kind_display()},
        )
    if exemptions:
        rows += _history_rows(
            ExemptionApproval.history.filter(isp_line__enrolment_id__in=enrolment_ids).select_related(
                "history_user", "isp_line__course"
            ),
            "exemption",
            lambda r: _("exemption of %(course)s") % {"course": r.isp_line.course.code},
        )
    rows.sort(key=lambda row: row["when"], reverse=True)
    # One entry per import ("imported on X: 40 records"), then the newest ``limit`` entries.
    return group_imports(rows)[:limit]


@require_GET
@requires(Capability.STUDENT_PAGES)
def student_detail(request, number):
    # With the student, whether each optional part of the file holds anything: an empty part
    # is not read.
    student = get_object_or_404(selectors.with_file_parts(students_for(request.user)), number=number)
    notifications = gates.student_notifications(student.pk)
    measures = measures_with_end(student) if student.has_measures else []
    # Art. 28: the risks of refusal as last computed (after every decision told, and every night).
    risks = selectors.stored_risk_rows(student) if student.has_risks else []
    entries = list(
        LearningAccountEntry.objects.filter(student=student)
        .select_related("academic_year", "programme", "course")
        .order_by("on", "id")
    )
    enrolments = selectors.file_enrolments(student, retakes=student.has_retakes)
    # The courses of the enrolments' programmes (their names; the standings' compulsory courses)
    # and the programme results, read once for the file and the page.
    courses = selectors.file_courses(enrolments)
    programme_results = (
        list(ProgrammeResult.objects.filter(student=student).select_related("programme", "academic_year"))
        if student.has_results
        else []
    )
    progress = selectors.study_progress(
        student,
        notifications=notifications,
        measures=measures,
        risks=risks,
        entries=entries,
        enrolments=enrolments,
        courses=courses,
        programme_results=programme_results,
    )
    running, rows = 0, []
    for entry in entries:
        running += entry.credits
        rows.append({"entry": entry, "balance": running})
    user_scope = scope(request.user)
    years = []
    for enrolment, file in zip(enrolments, progress["enrolments"], strict=False):
        years.append(
            {
                "enrolment": enrolment,
                "file": file,
                "can_edit": user_scope.writes(enrolment.programme_id, enrolment.academic_year_id),
                # an ISP of a year that ended is read-only (DOMAIN §3 late route, decided)
                "closed": enrolment.academic_year.ends_on < clock.today(),
            }
        )
    context = {
        "student": student,
        "progress": progress,
        "ledger": list(reversed(rows)),
        "chart": balance_chart(entries),
        "years": list(reversed(years)),
        "measures": measures,
        "risks": risks,
        "can_refresh_risks": user_scope.has(Capability.ISP_WRITE),
        "programme_results": programme_results,
        "history": change_history(
            student,
            [e.pk for e in enrolments],
            derogations=student.has_derogation_history,
            exemptions=student.has_exemption_history,
        ),
        # What the student was told and when (DOMAIN §11); the administration may resend.
        "notifications": notifications,
        "can_resend": user_scope.has(Capability.NOTIFICATION_OUTBOX),
        "course_names": {code: name for _pk, code, name, _programme, _elective in courses},
        # Study advice on record (Art. 27-28): what the user may see of it, and whether they record.
        "advice": advice_section(request.user, student, enrolments, has_advice=student.has_advice),
    }
    return render(request, "progress/student_detail.html", context)


@require_POST
@requires(Capability.ISP_WRITE)
def student_risks_refresh(request, number):
    """Compute the student's risk signals again now (Art. 28), e.g. after a change the nightly
    refresh would otherwise pick up."""
    student = get_object_or_404(students_for(request.user), number=number)
    count = risk_refresh([student.pk], today=clock.today())
    messages.success(
        request,
        ngettext(
            "The risk signals were computed again: %(count)s signal.",
            "The risk signals were computed again: %(count)s signals.",
            count,
        )
        % {"count": count},
    )
    return redirect(reverse("students:student_detail", args=[student.number]) + "#risks")


# --- ISP editor -----------------------------------------------------------------------------
def _enrolment_for_edit(request, pk) -> Enrolment:
    """404 outside the user's students, 403 when the user may only read it."""
    enrolment = get_object_or_404(
        Enrolment.objects.select_related(
            "student",
            "programme",
            "academic_year",
            "isp_approved_by",
            "isp_submitted_by",
            "isp_submitted_late_allowed_by",
            "isp_approved_late_allowed_by",
        ).filter(student__in=students_for(request.user)),
        pk=pk,
    )
    require_isp_write(request.user, enrolment)
    return enrolment


SEMESTER_ORDER = {"1": 0, "year": 1, "2": 2}


def _sequencing_courses(enrolment):
    """The courses a sequencing derogation can name: those with an SQ prerequisite."""
    return Course.objects.filter(programme_id=enrolment.programme_id, prerequisites__kind="SQ").distinct()


def _sequencing_choices(context, field) -> list:
    """The choices ``_sequencing_courses`` gives ``field``, taken from the catalogue and the
    prerequisites ``isp_context`` has read already (same courses, same order): no query."""
    courses = [
        course
        for course in context.courses
        if any(kind == "SQ" for _id, _code, kind in context.course_facts[course.pk].prerequisites)
    ]
    courses.sort(key=lambda c: (c.stage, c.code))
    choices = [] if field.empty_label is None else [("", field.empty_label)]
    return choices + [(course.pk, field.label_from_instance(course)) for course in courses]


def _tolerated_ids(context) -> list[int]:
    """The ids of ``_tolerated_courses``."""
    facts = context.facts
    return [
        cid for cid, how in facts.past.obtained.items() if how == "tolerated" and cid not in facts.tolerated_retakes
    ]


def _tolerated_courses(context):
    """The courses tolerated earlier in the programme whose retake is not approved yet (Art. 90 §3)."""
    return Course.objects.filter(pk__in=_tolerated_ids(context)).order_by("code")


CALENDAR_LABELS = {
    "first_semester_lock": gettext_lazy("First-semester and year courses final on"),
    "second_semester_change_deadline": gettext_lazy("Second-semester changes until"),
    "second_semester_lock": gettext_lazy("Second-semester courses final on"),
}


def workflow_steps(enrolment, facts, *, today) -> dict:
    """What happened in the ISP workflow (submitted on, by; approved on, by; late with the
    reason and who allowed it), apart from the deadlines and their state: met, missed,
    upcoming (DOMAIN §3)."""
    cal = facts.calendar
    submission = rules.Deadline(
        "submission", rules.submission_deadline(enrolled_on=enrolment.enrolled_on, calendar=cal), True
    )
    approved = enrolment.isp_status == ISPStatus.APPROVED
    if approved:
        approval_on = rules.approval_deadline_of(
            enrolled_on=enrolment.enrolled_on,
            calendar=cal,
            approved_on=enrolment.isp_approved_on,
            approved_late=bool(enrolment.isp_approved_late_reason),
        )
    else:
        approval_on = rules.approval_deadline(
            enrolled_on=enrolment.enrolled_on,
            previously_approved=enrolment.isp_approved_on is not None,
            calendar=cal,
        )
    approval = rules.Deadline("approval", approval_on, False)
    return {
        "submission": {
            "deadline": submission,
            "state": rules.deadline_state(submission, today=today, done_on=enrolment.isp_submitted_on, action=True),
            "on": enrolment.isp_submitted_on,
            "by": enrolment.isp_submitted_by,
            "late_reason": enrolment.isp_submitted_late_reason,
            "allowed_by": enrolment.isp_submitted_late_allowed_by,
        },
        "approval": {
            "deadline": approval,
            "state": rules.deadline_state(
                approval, today=today, done_on=enrolment.isp_approved_on if approved else None, action=True
            ),
            "on": enrolment.isp_approved_on if approved else None,
            "by": enrolment.isp_approved_by if approved else None,
            "late_reason": enrolment.isp_approved_late_reason if approved else "",
            "allowed_by": enrolment.isp_approved_late_allowed_by if approved else None,
            # an approved ISP changed since: waits for a new approval
            "earlier_on": None if approved else enrolment.isp_approved_on,
            "earlier_by": None if approved else enrolment.isp_approved_by,
        },
        "calendar": [
            {
                "label": CALENDAR_LABELS[d.code],
                "on": d.on,
                "state": rules.deadline_state(d, today=today, done_on=None, action=False),
            }
            for d in rules.isp_deadlines(facts)
            if d.code in CALENDAR_LABELS
        ],
    }


def _editor_context(
    request, enrolment, *, derogation_form=None, tolerated_retake_form=None, workflow_form=None, workflow_action=""
):
    today = clock.today()
    context = isp_context(enrolment, today=today)
    facts = context.facts
    line_rows = []
    for line in context.lines:
        line_facts = context.line_facts[line.pk]
        line_rows.append(
            {
                "line": line,
                "remove_problems": rules.remove_problems(line_facts, isp=facts, today=today),
                "exempt_problems": rules.exempt_problems(line_facts, isp=facts, today=today),
                "exemption": context.exemptions.get(line.pk),
                "retake": line.course_id in facts.past.retakes,
            }
        )
    line_rows.sort(
        key=lambda r: (SEMESTER_ORDER[r["line"].course.semester], r["line"].course.stage, r["line"].course.code)
    )
    semesters = []
    labels = dict(Semester.choices)
    for semester, rows in groupby(line_rows, key=lambda r: r["line"].course.semester):
        rows = list(rows)
        stages = [(stage, list(group)) for stage, group in groupby(rows, key=lambda r: r["line"].course.stage)]
        semesters.append(
            {"label": labels[semester], "stages": stages, "credits": sum(r["line"].course.credits for r in rows)}
        )
    in_isp = facts.course_ids
    catalogue, obtained = [], []
    for course in context.courses:
        if course.pk in in_isp:
            continue
        course_facts = context.course_facts[course.pk]
        problems = rules.add_problems(course_facts, isp=facts, today=today)
        # Courses obtained earlier are listed apart: they can never be taken again here.
        target = obtained if any(p.code == "already_credited" for p in problems) else catalogue
        target.append(
            {
                "course": course,
                "problems": problems,
                "prerequisites": [(code, kind) for _id, code, kind in course_facts.prerequisites],
            }
        )
    catalogue_stages = [(stage, list(rows)) for stage, rows in groupby(catalogue, key=lambda r: r["course"].stage)]
    total = facts.total_credits
    minimum, maximum = rules.credit_band(facts)
    scale = max(maximum + 12, total + 6, 84)
    form = derogation_form
    if form is None:
        form = DerogationForm(initial={"version": enrolment.version}, courses=_sequencing_courses(enrolment))
        # A form only shown: its choices come from the courses read above instead of a query.
        form.fields["course"].choices = _sequencing_choices(context, form.fields["course"])
    submit_problems = rules.submit_problems(facts, today=today)
    approve_problems = rules.approve_problems(facts, today=today)
    # What still refuses each step once a reason is given; a passed deadline only makes it late.
    submit_blocking, submit_late = rules.late_route(submit_problems, reason="-")
    approve_blocking, approve_late = rules.late_route(approve_problems, reason="-")
    return {
        "enrolment": enrolment,
        "student": enrolment.student,
        "today": today,
        "isp": context,
        "semesters": semesters,
        "catalogue_stages": catalogue_stages,
        "obtained": obtained,
        "removed_lines": context.removed_lines,
        "total": total,
        "band": {
            "minimum": minimum,
            "maximum": maximum,
            "entitled": rules.ENTITLED_ISP_CREDITS,
            "problem": rules.credit_band_problem(facts),
            "applies": facts.band_applies,
            "percent": min(100, round(100 * total / scale)),
            "min_percent": round(100 * minimum / scale),
            "max_percent": round(100 * maximum / scale),
        },
        "composition_problems": rules.composition_problems(facts),
        "closed": rules.year_closed(facts, today=today),
        "submit_problems": submit_blocking,
        "submit_late": submit_late,
        "approve_problems": approve_blocking,
        "approve_late": approve_late,
        "workflow_form": workflow_form or WorkflowForm(initial={"version": enrolment.version}),
        "workflow_action": workflow_action,
        "forms_with_errors": [f for f in (derogation_form, tolerated_retake_form, workflow_form) if f and f.errors],
        "workflow": workflow_steps(enrolment, facts, today=today),
        "tolerance_file": [p for p in [rules.tolerance_file_problem(facts, today=today)] if p],
        "derogation_form": form,
        "tolerated_retake_form": tolerated_retake_form
        or ToleratedRetakeForm(initial={"version": enrolment.version}, courses=_tolerated_courses(context)),
        "tolerated_retake_possible": any(how == "tolerated" for how in facts.past.obtained.values()),
        # a course the retake form can name (the form's courses, without asking the database again)
        "tolerated_retake_open": bool(_tolerated_ids(context)),
        "without_account": context.credits_without_learning_account(),
        "retakes": sorted(facts.past.retakes.values()),
    }


@require_GET
@requires(Capability.STUDENT_PAGES)
def isp_editor(request, pk):
    enrolment = _enrolment_for_edit(request, pk)
    return render(request, "progress/isp_editor.html", _editor_context(request, enrolment))


def _preview_response(request, enrolment, data, *, conflict=False, refused=None, status=200):
    preview = services.isp_preview(
        enrolment=enrolment,
        action=data["action"],
        course=data.get("course"),
        line=data.get("line"),
        today=clock.today(),
    )
    if refused:
        preview.problems = refused
    return render(
        request,
        "progress/isp_preview.html",
        {
            "enrolment": enrolment,
            "student": enrolment.student,
            "preview": preview,
            "basis": data.get("basis") or "",
            "conflict": conflict,
            "status_labels": dict(ISPStatus.choices),
        },
        status=status,
    )


@require_POST
@requires(Capability.STUDENT_PAGES)
def isp_change(request, pk):
    """Preview an ISP change (first POST) and save it (POST with ``confirm``)."""
    enrolment = _enrolment_for_edit(request, pk)
    form = ISPChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("students:isp_editor", pk=enrolment.pk)
    data = form.cleaned_data
    if data["line"] and not ISPLine.objects.filter(pk=data["line"], enrolment=enrolment).exists():
        raise Http404  # a line of another ISP: checked against this enrolment's scope only
    if not data["confirm"]:
        return _preview_response(request, enrolment, data)
    today = clock.today()
    try:
        if data["action"] == "add":
            line = services.isp_line_add(
                enrolment=enrolment,
                course=data["course"],
                expected_version=data["version"],
                by=request.user,
                today=today,
            )
            messages.success(request, _("%(course)s was added to the ISP.") % {"course": line.course})
        elif data["action"] == "remove":
            line = services.isp_line_remove(
                line=data["line"], expected_version=data["version"], by=request.user, today=today
            )
            messages.success(request, _("%(course)s was removed from the ISP.") % {"course": line.course})
        else:
            approval = services.isp_line_exempt(
                line=data["line"], basis=data["basis"], expected_version=data["version"], by=request.user, today=today
            )
            messages.success(
                request, _("The exemption for %(course)s was recorded.") % {"course": approval.isp_line.course}
            )
    except ISPLine.DoesNotExist:
        messages.error(request, _("That line is no longer in the ISP."))
    except services.ISPConflict:
        enrolment.refresh_from_db()
        return _preview_response(request, enrolment, data, conflict=True, status=409)
    except services.ISPRefused as refused:
        return _preview_response(request, enrolment, data, refused=refused.problems, status=422)
    return redirect("students:isp_editor", pk=enrolment.pk)


# The field a refused derogation is about: the error is shown there and focused.
DEROGATION_FIELDS = {
    "derogation_needs_course": "course",
    "no_sq_prerequisite": "course",
    "derogation_needs_credits": "credits",
    "derogation_credits_direction": "credits",
    "refusal_needs_reason": "motivation",
}


@require_POST
@requires(Capability.STUDENT_PAGES)
def isp_derogation(request, pk):
    enrolment = _enrolment_for_edit(request, pk)
    form = DerogationForm(request.POST, courses=_sequencing_courses(enrolment))
    if form.is_valid():
        data = form.cleaned_data
        refused = data["outcome"] == DerogationOutcome.REFUSED
        common = {
            "enrolment": enrolment,
            "kind": data["kind"],
            "ground": data["ground"],
            "course": data["course"],
            "credits": data["credits"],
            "expected_version": data["version"],
            "by": request.user,
            "today": clock.today(),
        }
        try:
            if refused:
                services.isp_derogation_refuse(reason=data["motivation"], **common)
            else:
                services.isp_derogation_record(motivation=data["motivation"], **common)
        except services.ISPConflict:
            messages.error(request, _conflict_message())
        except services.ISPRefused as refusal:
            for problem in refusal.problems:
                form.add_error(DEROGATION_FIELDS.get(problem.code), problem.message)
            enrolment.refresh_from_db()
        else:
            if refused:
                messages.success(request, _("The refused derogation was recorded; the student is told."))
            else:
                messages.success(request, _("The derogation was recorded."))
            return redirect("students:isp_editor", pk=enrolment.pk)
    if form.errors:
        _focus_first_error(form)
        return render(
            request, "progress/isp_editor.html", _editor_context(request, enrolment, derogation_form=form), status=422
        )
    return redirect("students:isp_editor", pk=enrolment.pk)


def _focus_first_error(form) -> None:
    """Put the focus (and so the browser's view) on the field the error is about, or on the
    form's first field for an error of the whole form."""
    names = [name for name in form.fields if name in form.errors] or [
        name for name, field in form.fields.items() if not field.widget.is_hidden
    ]
    if names:
        form.fields[names[0]].widget.attrs["autofocus"] = True


@require_POST
@requires(Capability.STUDENT_PAGES)
def isp_tolerated_retake(request, pk):
    """Record the cluster's approval of a request to retake a tolerated course (Art. 90 §3)."""
    enrolment = _enrolment_for_edit(request, pk)
    today = clock.today()
    form = ToleratedRetakeForm(
        request.POST,
        courses=_tolerated_courses(isp_context(enrolment, today=today)),
        date_range=year_dates(year=enrolment.academic_year, today=today),
        today=today,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.tolerated_retake_approve(
                enrolment=enrolment,
                course=data["course"],
                requested_on=data["requested_on"],
                expected_version=data["version"],
                by=request.user,
                today=clock.today(),
            )
        except services.ISPConflict:
            messages.error(request, _conflict_message())
        except services.ISPRefused as refused:
            for problem in refused.problems:
                form.add_error(None, problem.message)
        else:
            messages.success(request, _("The approved retake was recorded: the course can now be added."))
            return redirect("students:isp_editor", pk=enrolment.pk)
        if form.errors:
            enrolment.refresh_from_db()
    if form.errors:
        _focus_first_error(form)
        return render(
            request,
            "progress/isp_editor.html",
            _editor_context(request, enrolment, tolerated_retake_form=form),
            status=422,
        )
    return redirect("students:isp_editor", pk=enrolment.pk)


def _conflict_message():
    return str(services.ISP_CONFLICT)


def _workflow(request, pk, service, done_message, action):
    enrolment = _enrolment_for_edit(request, pk)
    form = WorkflowForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            messages.error(request, _conflict_message())
            return redirect("students:isp_editor", pk=enrolment.pk)
        _focus_first_error(form)
        return render(
            request,
            "progress/isp_editor.html",
            _editor_context(request, enrolment, workflow_form=form, workflow_action=action),
            status=422,
        )
    try:
        service(
            enrolment=enrolment,
            expected_version=form.cleaned_data["version"],
            by=request.user,
            late_reason=form.cleaned_data["late_reason"],
            today=clock.today(),
        )
    except services.ISPConflict:
        messages.error(request, _conflict_message())
    except services.ISPRefused as refused:
        for problem in refused.problems:
            form.add_error("late_reason" if problem.code == "late_reason_missing" else None, problem.message)
        enrolment.refresh_from_db()
        _focus_first_error(form)
        return render(
            request,
            "progress/isp_editor.html",
            _editor_context(request, enrolment, workflow_form=form, workflow_action=action),
            status=422,
        )
    else:
        messages.success(request, done_message)
    return redirect("students:isp_editor", pk=enrolment.pk)


@require_POST
@requires(Capability.STUDENT_PAGES)
def isp_submit(request, pk):
    return _workflow(request, pk, services.isp_submit, _("The ISP was submitted."), "submit")


@require_POST
@requires(Capability.STUDENT_PAGES)
def isp_approve(request, pk):
    return _workflow(request, pk, services.isp_approve, _("The ISP was approved."), "approve")
