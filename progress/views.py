"""The coach's pages: the student list, the student page (study progress file) and the
ISP editor. Each view is guarded by ``core.permissions.requires`` and asks the scope (through
``students.selectors``) who may see (else 404) and write (else 403), and calls the services
and rules; none holds a rule of its own."""

import datetime
from itertools import groupby

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import clock
from core.history import history_rows
from core.permissions import Capability, requires, scope
from exams.models import ProgrammeResult
from programmes.models import AcademicYear, Course, Programme, Semester
from students import rules
from students.models import (
    Enrolment,
    ExemptionApproval,
    ISPDerogation,
    ISPLine,
    ISPStatus,
    LearningAccountEntry,
    Measure,
    Student,
)
from students.refusals import degrees_of, measure_until
from students.selectors import enrolments_for, require_isp_write, students_for

from . import selectors, services
from .facts import isp_context
from .filters import EnrolmentFilter
from .forms import DerogationForm, ISPChangeForm, ToleratedRetakeForm, VersionForm

PAGE_SIZE = 25
HISTORY_LIMIT = 200


def _balance_subquery():
    total = (
        LearningAccountEntry.objects.filter(student=OuterRef("student"))
        .order_by()
        .values("student")
        .annotate(total=Sum("credits"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _isp_credits_subquery():
    total = (
        ISPLine.objects.filter(enrolment=OuterRef("pk"), removed_on__isnull=True)
        .order_by()
        .values("enrolment")
        .annotate(total=Sum("course__credits"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _current_year(today: datetime.date):
    return AcademicYear.objects.filter(starts_on__lte=today).order_by("-starts_on").first()


# --- Student list -------------------------------------------------------------------------
@require_GET
@requires(Capability.STUDENT_PAGES)
def student_list(request):
    user_scope = scope(request.user)
    enrolments = (
        enrolments_for(request.user)
        .select_related("student", "programme", "academic_year")
        .annotate(balance=_balance_subquery(), isp_credits=_isp_credits_subquery())
        .order_by("-academic_year__starts_on", "programme__code", "student__last_name", "student__first_name", "pk")
    )
    if user_scope.sees_all:
        programmes, years = Programme.objects.all(), AcademicYear.objects.order_by("-starts_on")
    else:
        programme_ids = {p for p, _y in user_scope.visible}
        year_ids = {y for _p, y in user_scope.visible}
        programmes = Programme.objects.filter(pk__in=programme_ids)
        years = AcademicYear.objects.filter(pk__in=year_ids).order_by("-starts_on")
    data = request.GET.copy()
    if "academic_year" not in data:
        current = _current_year(clock.today())
        if current is not None:
            data["academic_year"] = str(current.pk)
    filterset = EnrolmentFilter(data, queryset=enrolments, programmes=programmes, years=years, request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "progress/student_list.html",
        {
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "editable": {e.pk for e in page.object_list if user_scope.writes(e.programme_id, e.academic_year_id)},
        },
    )


# --- Student page: the study progress file ------------------------------------------------
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 720, 240, 40


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

    path, dots = [], []
    for index, (day, value, entry) in enumerate(points):
        if index == 0:
            path.append(f"M{x(day)},{y(value)}")
        else:
            path.append(f"H{x(day)} V{y(value)}")
        dots.append({"x": x(day), "y": y(value), "on": day, "balance": value, "entry": entry})
    path.append(f"H{CHART_WIDTH - CHART_PAD}")
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
        "path": " ".join(path),
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
    "enrolment": ("contract", "status", "isp_status", "deregistered_on", "isp_approved_on", "grant_status"),
    "ispline": ("removed_on", "exempted", "locked_on", "deducted_credits", "mark", "outcome"),
    "derogation": ("kind", "credits", "ground"),
    "exemption": ("basis", "approved_on"),
}


def _history_rows(records, kind, describe):
    return history_rows(records, fields=HISTORY_FIELDS[kind], describe=describe, events=True)


def change_history(student: Student, enrolment_ids: list[int]) -> list[dict]:
    """Who changed what and when: the student, the enrolments, the ISP lines and the
    cluster's ISP decisions (django-simple-history), newest first."""
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
    rows += _history_rows(
        ISPDerogation.history.filter(enrolment_id__in=enrolment_ids).select_related("history_user"),
        "derogation",
        lambda r: _("derogation: %(kind)s") % {"kind": r.get_kind_display()},
    )
    rows += _history_rows(
        ExemptionApproval.history.filter(isp_line__enrolment_id__in=enrolment_ids).select_related(
            "history_user", "isp_line__course"
        ),
        "exemption",
        lambda r: _("exemption of %(course)s") % {"course": r.isp_line.course.code},
    )
    rows.sort(key=lambda row: row["when"], reverse=True)
    return rows[:HISTORY_LIMIT]


def _measures_with_end(student) -> list[Measure]:
    """The student's measures, each with ``until``: the last academic year it covers (a
    threshold refusal ends early with a degree from another programme, Art. 30 §2)."""
    measures = list(Measure.objects.filter(student=student).select_related("programme", "course"))
    degrees = degrees_of([student.pk]).get(student.pk, [])
    for measure in measures:
        measure.until = measure_until(measure, degrees)
    return measures


@require_GET
@requires(Capability.STUDENT_PAGES)
def student_detail(request, number):
    student = get_object_or_404(students_for(request.user), number=number)
    progress = selectors.study_progress(student)
    entries = list(
        LearningAccountEntry.objects.filter(student=student)
        .select_related("academic_year", "programme", "course")
        .order_by("on", "id")
    )
    running, rows = 0, []
    for entry in entries:
        running += entry.credits
        rows.append({"entry": entry, "balance": running})
    enrolments = list(
        Enrolment.objects.filter(student=student)
        .select_related("academic_year", "programme", "isp_approved_by")
        .order_by("academic_year__starts_on", "enrolled_on", "pk")
    )
    user_scope = scope(request.user)
    years = []
    for enrolment, file in zip(enrolments, progress["enrolments"], strict=False):
        years.append(
            {
                "enrolment": enrolment,
                "file": file,
                "can_edit": user_scope.writes(enrolment.programme_id, enrolment.academic_year_id),
            }
        )
    context = {
        "student": student,
        "progress": progress,
        "ledger": list(reversed(rows)),
        "chart": balance_chart(entries),
        "years": list(reversed(years)),
        "measures": _measures_with_end(student),
        "programme_results": ProgrammeResult.objects.filter(student=student).select_related(
            "programme", "academic_year"
        ),
        "history": change_history(student, [e.pk for e in enrolments]),
        "course_names": dict(
            Course.objects.filter(programme_id__in={e.programme_id for e in enrolments}).values_list("code", "name")
        ),
    }
    return render(request, "progress/student_detail.html", context)


# --- ISP editor -----------------------------------------------------------------------------
def _enrolment_for_edit(request, pk) -> Enrolment:
    """404 outside the user's students, 403 when the user may only read it."""
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("student", "programme", "academic_year", "isp_approved_by").filter(
            student__in=students_for(request.user)
        ),
        pk=pk,
    )
    require_isp_write(request.user, enrolment)
    return enrolment


SEMESTER_ORDER = {"1": 0, "year": 1, "2": 2}


def _sequencing_courses(enrolment):
    """The courses a sequencing derogation can name: those with an SQ prerequisite."""
    return Course.objects.filter(programme_id=enrolment.programme_id, prerequisites__kind="SQ").distinct()


def _tolerated_courses(context):
    """The courses tolerated earlier in the programme whose retake is not approved yet (Art. 90 §3)."""
    facts = context.facts
    ids = [cid for cid, how in facts.past.obtained.items() if how == "tolerated" and cid not in facts.tolerated_retakes]
    return Course.objects.filter(pk__in=ids).order_by("code")


def _editor_context(request, enrolment, *, derogation_form=None, tolerated_retake_form=None):
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
        problems = rules.add_problems(context.course_facts[course.pk], isp=facts, today=today)
        # Courses obtained earlier are listed apart: they can never be taken again here.
        target = obtained if any(p.code == "already_credited" for p in problems) else catalogue
        target.append({"course": course, "problems": problems})
    catalogue_stages = [(stage, list(rows)) for stage, rows in groupby(catalogue, key=lambda r: r["course"].stage)]
    total = facts.total_credits
    minimum, maximum = rules.credit_band(facts)
    scale = max(maximum + 12, total + 6, 84)
    deadline_labels = {
        "submission": _("ISP submitted by"),
        "approval": _("approved before"),
        "first_semester_lock": _("first-semester and year courses final on"),
        "second_semester_change_deadline": _("second-semester changes until"),
        "second_semester_lock": _("second-semester courses final on"),
    }
    form = derogation_form or DerogationForm(
        initial={"version": enrolment.version}, courses=_sequencing_courses(enrolment)
    )
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
        "submit_problems": rules.submit_problems(facts, today=today),
        "tolerance_file": [p for p in [rules.tolerance_file_problem(facts, today=today)] if p],
        "approve_problems": rules.approve_problems(facts, today=today),
        "deadlines": [
            {"label": deadline_labels[d.code], "on": d.on, "passed": d.passed(today)}
            for d in rules.isp_deadlines(facts)
        ],
        "derogation_form": form,
        "tolerated_retake_form": tolerated_retake_form
        or ToleratedRetakeForm(initial={"version": enrolment.version}, courses=_tolerated_courses(context)),
        "tolerated_retake_possible": any(how == "tolerated" for how in facts.past.obtained.values()),
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


@require_POST
@requires(Capability.STUDENT_PAGES)
def isp_derogation(request, pk):
    enrolment = _enrolment_for_edit(request, pk)
    form = DerogationForm(request.POST, courses=_sequencing_courses(enrolment))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.isp_derogation_record(
                enrolment=enrolment,
                kind=data["kind"],
                ground=data["ground"],
                course=data["course"],
                credits=data["credits"],
                motivation=data["motivation"],
                expected_version=data["version"],
                by=request.user,
                today=clock.today(),
            )
        except services.ISPConflict:
            messages.error(request, _conflict_message())
        except services.ISPRefused as refused:
            for problem in refused.problems:
                form.add_error(None, problem.message)
            enrolment.refresh_from_db()
            return render(
                request,
                "progress/isp_editor.html",
                _editor_context(request, enrolment, derogation_form=form),
                status=422,
            )
        else:
            messages.success(request, _("The derogation was recorded."))
            return redirect("students:isp_editor", pk=enrolment.pk)
    else:
        return render(
            request, "progress/isp_editor.html", _editor_context(request, enrolment, derogation_form=form), status=422
        )
    return redirect("students:isp_editor", pk=enrolment.pk)


@require_POST
@requires(Capability.STUDENT_PAGES)
def isp_tolerated_retake(request, pk):
    """Record the cluster's approval of a request to retake a tolerated course (Art. 90 §3)."""
    enrolment = _enrolment_for_edit(request, pk)
    form = ToleratedRetakeForm(request.POST, courses=_tolerated_courses(isp_context(enrolment, today=clock.today())))
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
        return render(
            request,
            "progress/isp_editor.html",
            _editor_context(request, enrolment, tolerated_retake_form=form),
            status=422,
        )
    return redirect("students:isp_editor", pk=enrolment.pk)


def _conflict_message():
    return str(services.ISP_CONFLICT)


def _workflow(request, pk, service, done_message):
    enrolment = _enrolment_for_edit(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _conflict_message())
        return redirect("students:isp_editor", pk=enrolment.pk)
    try:
        service(
            enrolment=enrolment, expected_version=form.cleaned_data["version"], by=request.user, today=clock.today()
        )
    except services.ISPConflict:
        messages.error(request, _conflict_message())
    except services.ISPRefused as refused:
        for problem in refused.problems:
            messages.error(request, problem.message)
    else:
        messages.success(request, done_message)
    return redirect("students:isp_editor", pk=enrolment.pk)


@require_POST
@requires(Capability.STUDENT_PAGES)
def isp_submit(request, pk):
    return _workflow(request, pk, services.isp_submit, _("The ISP was submitted."))


@require_POST
@requires(Capability.STUDENT_PAGES)
def isp_approve(request, pk):
    return _workflow(request, pk, services.isp_approve, _("The ISP was approved."))
