"""The ombudsperson's pages (Art. 43-51, 56-59, 97): the queue of reschedule requests, the
request form, the request with its decision, a student's individual exam schedule, and the
annual report (page and CSV).

Each view is guarded by ``core.permissions.requires`` and asks ``reschedules.selectors``
(on top of ``core.permissions.scope``) who may see (else 404) and act (else 403), and calls
the services in ``reschedules.services``; none holds a rule of its own.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from core import clock
from core.csv import csv_response, safe_filename
from core.history import history_rows
from core.permissions import Capability, requires, scope
from programmes.models import AcademicYear, Assignment, AssignmentRole, Course, ExamPeriod, Programme
from programmes.selectors import year_dates
from students.models import Enrolment, ISPLine
from students.selectors import students_for

from . import services as ombuds
from .calendar import schedule_calendar
from .filters import RequestFilter
from .forms import DecisionForm, MissedForm, RequestForm
from .models import ExamMoment, OmbudsReport, RequestKind, RequestStatus, RescheduleRequest
from .schedule import exam_schedule
from .selectors import can_handle, examines_student, may_act, require_request_write, reschedule_requests_for

PAGE_SIZE = 25
REQUEST_RELATED = (
    "isp_line__course",
    "isp_line__enrolment__student",
    "isp_line__enrolment__programme",
    "isp_line__enrolment__academic_year",
    "exam_period__academic_year",
    "exam_moment",
    "decided_by",
    "logged_by",
    "na_result",
)


def _handler(request_obj, people: dict) -> dict:
    """Who handles a request: the programme's ombudsperson, or the substitute when the
    ombudsperson examines the student (Art. 58)."""
    enrolment = request_obj.isp_line.enrolment
    found = people.get((enrolment.programme_id, enrolment.academic_year_id), {})
    conflicted = getattr(request_obj, "ombudsperson_examines", False)
    role = AssignmentRole.SUBSTITUTE if conflicted else AssignmentRole.OMBUDSPERSON
    return {"user": found.get(role), "substitute": conflicted}


# --- The queue --------------------------------------------------------------------------------
@require_GET
@requires(Capability.OMBUDS_PAGES)
def request_list(request):
    user, user_scope, today = request.user, scope(request.user), clock.today()
    number = request.GET.get("log_for", "").strip()
    if number:
        student = students_for(user).filter(number__iexact=number).first()
        if student is None:
            messages.error(request, _("No student %(number)s in your programmes.") % {"number": number})
            return redirect("exams:request_list")
        return redirect("exams:request_create", number=student.number)
    requests = (
        reschedule_requests_for(user)
        .select_related(*REQUEST_RELATED)
        .order_by(F("decide_by").asc(nulls_last=True), "requested_on", "pk")
    )
    if user_scope.sees_all:
        programmes, periods = Programme.objects.all(), ExamPeriod.objects.all()
    else:
        programmes = Programme.objects.filter(pk__in={p for p, _y in user_scope.ombuds_pairs})
        periods = ExamPeriod.objects.filter(academic_year_id__in={y for _p, y in user_scope.ombuds_pairs})
    periods = periods.select_related("academic_year").order_by("-academic_year__starts_on", "number")
    data = request.GET.copy()
    if "status" not in data:
        data["status"] = RequestStatus.OPEN
    filterset = RequestFilter(data, queryset=requests, today=today, programmes=programmes, periods=periods)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    people = ombuds.ombudspersons(
        {(r.isp_line.enrolment.programme_id, r.isp_line.enrolment.academic_year_id) for r in page.object_list}
    )
    rows = [
        {
            "request": r,
            "handler": _handler(r, people),
            "overdue": ombuds.rules.request_overdue(status=r.status, decide_by=r.decide_by, today=today),
            "may_act": may_act(user, r),
        }
        for r in page.object_list
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reschedules/ombuds/request_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "today": today,
            "can_log": user_scope.has(Capability.OMBUDS_WRITE),
        },
    )


# --- Logging a request ------------------------------------------------------------------------
def _handled_enrolments(user, student):
    return [
        e
        for e in Enrolment.objects.filter(student=student)
        .select_related("programme", "academic_year")
        .order_by("-academic_year__starts_on", "programme__code")
        if can_handle(user, e)
    ]


@requires(Capability.OMBUDS_PAGES)
def request_create(request, number):
    user, today = request.user, clock.today()
    student = get_object_or_404(students_for(user), number__iexact=number)
    enrolments = _handled_enrolments(user, student)
    if not enrolments:
        raise PermissionDenied
    lines = list(
        ISPLine.objects.filter(enrolment__in=enrolments, removed_on__isnull=True, exempted=False)
        .select_related("course", "enrolment__academic_year")
        .order_by("-enrolment__academic_year__starts_on", "course__code")
    )
    courses = Course.objects.filter(programme_id__in={e.programme_id for e in enrolments})
    periods = (
        ExamPeriod.objects.filter(academic_year_id__in={e.academic_year_id for e in enrolments})
        .select_related("academic_year")
        .order_by("-academic_year__starts_on", "number")
    )
    exempted = set(
        ISPLine.objects.filter(enrolment__in=enrolments, removed_on__isnull=True, exempted=True).values_list(
            "course_id", flat=True
        )
    )
    status = 200
    if request.method == "POST":
        form = RequestForm(request.POST, lines=lines, courses=courses, periods=periods, today=today, exempted=exempted)
        if form.is_valid():
            data = form.cleaned_data
            try:
                line = ombuds.isp_line_for(student=student, course=data["course"], exam_period=data["exam_period"])
                require_request_write(user, line.enrolment)
                logged = ombuds.request_log(
                    student=student,
                    course=data["course"],
                    exam_period=data["exam_period"],
                    kind=data["kind"],
                    requested_on=data["requested_on"],
                    reason=data["reason"],
                    evidence=data["evidence"],
                    evidence_received_on=data["evidence_received_on"],
                    today=today,
                    by=user,
                )
            except ombuds.RequestRefused as refused:
                refused.add_to(form)
            else:
                messages.success(request, _("The request was logged."))
                if logged.late or logged.ineligible:
                    messages.warning(
                        request, _("It is marked late or not eligible; the rule that applies is shown below.")
                    )
                return redirect("exams:request_detail", pk=logged.pk)
        status = 422
    else:
        initial = {"requested_on": today}
        for name in ("course", "exam_period", "kind"):
            if request.GET.get(name):
                initial[name] = request.GET[name]
        form = RequestForm(initial=initial, lines=lines, courses=courses, periods=periods, today=today)
    return render(
        request,
        "reschedules/ombuds/request_form.html",
        {"student": student, "form": form, "enrolments": enrolments},
        status=status,
    )


# --- One request, its decision and the missed new moment --------------------------------------
def _request_for(request, pk):
    return get_object_or_404(reschedule_requests_for(request.user).select_related(*REQUEST_RELATED), pk=pk)


HISTORY_FIELDS = ("new_on", "new_starts_at", "new_room")


def _field_label(name: str) -> str:
    return RescheduleRequest._meta.get_field(name).verbose_name


def _state(record) -> str:
    """What a version of a request says: logged, or its status (and a missed new moment)."""
    if record.history_type == "+":
        return _("logged")
    state = record.get_status_display()
    if record.missed_on:
        missed = _("new moment missed")
        state = f"{state} · {missed}"
    return state


def _detail(request, obj, *, decision_form=None, missed_form=None, status=200):
    user, today = request.user, clock.today()
    enrolment = obj.isp_line.enrolment
    may_act = can_handle(user, enrolment)
    people = ombuds.ombudspersons({(enrolment.programme_id, enrolment.academic_year_id)})
    moment = obj.exam_moment or (
        ExamMoment.objects.filter(course_id=obj.isp_line.course_id, exam_period=obj.exam_period).first()
    )
    can_record_missed = (
        may_act
        and ombuds.rules.missed_problem(
            kind=obj.kind, status=obj.status, new_on=obj.new_on, on=today, recorded=obj.missed_on is not None
        )
        is None
    )
    context = {
        "obj": obj,
        "student": enrolment.student,
        "enrolment": enrolment,
        "moment": moment,
        "findings": ombuds.finding_messages(obj),
        "clash_texts": [ombuds.clash_text(record) for record in obj.clashes or []],
        "handler": _handler(obj, people),
        "may_act": may_act,
        "examines": examines_student(user, enrolment),
        "overdue": ombuds.rules.request_overdue(status=obj.status, decide_by=obj.decide_by, today=today),
        "decision_form": decision_form
        or (DecisionForm(initial={"new_room": moment.room if moment else ""}) if may_act else None),
        "missed_form": missed_form or (MissedForm() if can_record_missed else None),
        "history": history_rows(
            obj.history.select_related("history_user"), fields=HISTORY_FIELDS, label=_field_label, describe=_state
        ),
        "today": today,
    }
    return render(request, "reschedules/ombuds/request_detail.html", context, status=status)


@require_GET
@requires(Capability.OMBUDS_PAGES)
def request_detail(request, pk):
    return _detail(request, _request_for(request, pk))


@require_POST
@requires(Capability.OMBUDS_PAGES)
def request_decide(request, pk):
    obj = _request_for(request, pk)
    require_request_write(request.user, obj.isp_line.enrolment)
    today = clock.today()
    form = DecisionForm(
        request.POST, date_range=year_dates(year=obj.isp_line.enrolment.academic_year, today=today), today=today
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            decided = ombuds.request_decide(
                request=obj,
                accepted=data["accepted"],
                reason=data["reason"],
                new_on=data["new_on"] if data["accepted"] else None,
                new_starts_at=data["new_starts_at"] if data["accepted"] else None,
                new_room=data["new_room"] if data["accepted"] else "",
                clash_override_reason=data["clash_override_reason"] if data["accepted"] else "",
                today=clock.today(),
                by=request.user,
            )
        except ombuds.RequestRefused as refused:
            if "new_moment_clash" in refused.codes:
                form.show_clash_override()
            refused.add_to(form)
        else:
            if decided.status == RequestStatus.ACCEPTED:
                messages.success(
                    request,
                    _("The request was accepted: the exam moves to %(day)s at %(time)s.")
                    % {
                        "day": formats.date_format(decided.new_on, "SHORT_DATE_FORMAT"),
                        "time": decided.new_starts_at.strftime("%H:%M"),
                    },
                )
            else:
                messages.success(request, _("The request was rejected."))
            return redirect("exams:request_detail", pk=obj.pk)
    return _detail(request, obj, decision_form=form, status=422)


@require_POST
@requires(Capability.OMBUDS_PAGES)
def request_missed(request, pk):
    obj = _request_for(request, pk)
    require_request_write(request.user, obj.isp_line.enrolment)
    form = MissedForm(request.POST)
    if form.is_valid():
        try:
            recorded = ombuds.request_missed_record(
                request=obj,
                very_serious_case=form.cleaned_data["very_serious_case"],
                note=form.cleaned_data["note"],
                today=clock.today(),
                by=request.user,
            )
        except ombuds.RequestRefused as refused:
            form.add_error(None, refused.message)
        else:
            if recorded.na_result_id:
                messages.success(request, _("The new moment was missed: the opportunity is lost and NA was entered."))
            else:
                messages.success(request, _("The new moment was missed in a very serious case: the opportunity stays."))
            return redirect("exams:request_detail", pk=obj.pk)
    return _detail(request, obj, missed_form=form, status=422)


# --- The individual exam schedule ------------------------------------------------------------
def _schedule_context(request, number):
    user, today = request.user, clock.today()
    student = get_object_or_404(students_for(user), number__iexact=number)
    years = list(AcademicYear.objects.filter(enrolments__student=student).distinct().order_by("-starts_on"))
    if not years:
        raise Http404
    code = request.GET.get("year")
    year = next((y for y in years if y.code == code), None)
    if year is None:
        # The latest of the student's years begun by today (the current year's or before it).
        year = next((y for y in years if y.starts_on <= today), years[-1])
    result = exam_schedule(student=student, year=year, today=today)
    user_scope = scope(user)
    handled = [e for e in result.enrolments if can_handle(user, e)]
    handled_ids = {e.pk for e in handled}
    substitute_only = [
        e
        for e in result.enrolments
        if (e.programme_id, e.academic_year_id) in user_scope.ombudsperson and e not in handled
    ]
    return {
        "student": student,
        "year": year,
        "years": years,
        "schedule": result,
        "can_log": bool(handled),
        "can_log_lines": {exam.line.pk for exam in result.exams if exam.line.enrolment_id in handled_ids},
        "substitute_only": substitute_only,
        "sees_requests": user_scope.has(Capability.OMBUDS_PAGES),
        "clash_days": set(result.clashes),
        "today": today,
    }


@require_GET
@requires(Capability.STUDENT_PAGES)
def schedule(request, number):
    return render(request, "reschedules/ombuds/schedule.html", _schedule_context(request, number))


@require_GET
@requires(Capability.STUDENT_PAGES)
def schedule_print(request, number):
    """The individual exam schedule to print: no navigation, no buttons, the college's header."""
    return render(request, "reschedules/ombuds/schedule_print.html", _schedule_context(request, number))


@require_GET
@requires(Capability.STUDENT_PAGES)
def schedule_ics(request, number):
    """The individual exam schedule as an iCalendar file: one event per exam, Europe/Brussels."""
    context = _schedule_context(request, number)
    student, year = context["student"], context["year"]
    body = schedule_calendar(context["schedule"], host=request.get_host().split(":")[0] or "localhost")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    name = f"{_('exam-schedule')}-{student.number}-{year.code}"
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(name, "ics")}"'
    return response


# --- The annual report (Art. 59) -------------------------------------------------------------
def _report_pairs(user_scope):
    if user_scope.sees_all:
        pairs = set(
            Assignment.objects.filter(role=AssignmentRole.OMBUDSPERSON).values_list("programme_id", "academic_year_id")
        )
        pairs |= set(OmbudsReport.objects.values_list("programme_id", "academic_year_id"))
        return pairs
    return set(user_scope.ombuds_pairs)


@require_GET
@requires(Capability.OMBUDS_PAGES)
def report_list(request):
    user_scope, today = scope(request.user), clock.today()
    pairs = _report_pairs(user_scope)
    programmes = Programme.objects.in_bulk({p for p, _y in pairs})
    years = AcademicYear.objects.in_bulk({y for _p, y in pairs})
    reports = {
        (r.programme_id, r.academic_year_id): r
        for r in OmbudsReport.objects.filter(programme_id__in=list(programmes), academic_year_id__in=list(years))
    }
    rows = sorted(
        (
            {"programme": programmes[p], "year": years[y], "report": reports.get((p, y))}
            for p, y in pairs
            if p in programmes and y in years
        ),
        key=lambda row: (-row["year"].starts_on.toordinal(), row["programme"].code),
    )
    return render(request, "reschedules/ombuds/report_list.html", {"rows": rows, "today": today})


def _report_context(request, programme_code, year_code):
    programme = get_object_or_404(Programme, code=programme_code)
    year = get_object_or_404(AcademicYear, code=year_code)
    user_scope = scope(request.user)
    if not user_scope.sees_requests(programme.pk, year.pk):
        raise Http404
    requests = list(ombuds.report_requests(programme_id=programme.pk, year_id=year.pk))
    counts = ombuds.report_counts(requests)
    report = OmbudsReport.objects.filter(programme=programme, academic_year=year).first()
    return {
        "programme": programme,
        "year": year,
        "report": report,
        "requests": requests,
        "counts": [(RequestKind(kind).label, counts[kind]) for kind in RequestKind.values],
        "total": counts["total"],
        "may_submit": report is not None
        and report.submitted_on is None
        and user_scope.writes_requests(programme.pk, year.pk),
        "due_on": ombuds.rules.report_due_on(first_year=year.starts_on.year),
    }


@require_GET
@requires(Capability.OMBUDS_PAGES)
def report_detail(request, programme, year):
    context = _report_context(request, programme, year)
    return render(request, "reschedules/ombuds/report_detail.html", context)


COUNT_KEYS = ("accepted", "rejected", "open", "total", "late", "ineligible", "lost")


@require_GET
@requires(Capability.OMBUDS_PAGES)
def report_csv(request, programme, year):
    """The report as a CSV for the cluster (core.csv: a Belgian Excel opens it as it stands)."""
    context = _report_context(request, programme, year)
    name = f"{_('ombudsperson-report')}-{context['programme'].code}-{context['year'].code}"
    response, writer = csv_response(name)
    writer.row([_("Report of the ombudsperson (Art. 59)"), context["programme"].code, context["year"].code])
    writer.row([])
    writer.row(
        [
            _("Kind"),
            _("accepted"),
            _("rejected"),
            _("open"),
            _("total"),
            pgettext("filed late", "late"),
            _("not eligible"),
            _("NA"),
        ]
    )
    for label, row in [*context["counts"], (_("Total"), context["total"])]:
        writer.row(
            [label, *(row[key] for key in ("accepted", "rejected", "open", "total", "late", "ineligible", "lost"))]
        )
    writer.row([])
    writer.row(
        [
            _("Kind"),
            _("Student number"),
            _("Name"),
            _("Course"),
            _("Exam period"),
            _("Exam date"),
            _("Requested on"),
            pgettext("filed late", "Late"),
            _("Not eligible"),
            _("Status"),
            _("Decided on"),
            _("Reason for the decision"),
            _("New date"),
            _("New start time"),
            _("New room"),
            _("Clashes kept (reason)"),
            _("New moment missed on"),
            _("Very serious case"),
            _("NA"),
        ]
    )
    for r in context["requests"]:
        student = r.isp_line.enrolment.student
        writer.row(
            [
                r.get_kind_display(),
                student.number,
                f"{student.last_name}, {student.first_name}",
                r.isp_line.course.code,
                r.exam_period.number,
                r.exam_moment.on if r.exam_moment else None,
                r.requested_on,
                r.late,
                r.ineligible,
                r.get_status_display(),
                r.decided_on,
                r.decision_reason,
                r.new_on,
                r.new_starts_at,
                r.new_room,
                r.clash_override_reason,
                r.missed_on,
                r.very_serious_case,
                r.na_result_id is not None,
            ]
        )
    return response


@require_POST
@requires(Capability.OMBUDS_PAGES)
def report_submit(request, programme, year):
    context = _report_context(request, programme, year)
    programme, year, report = context["programme"], context["year"], context["report"]
    if not scope(request.user).writes_requests(programme.pk, year.pk):
        raise PermissionDenied
    if report is None:
        messages.error(request, _("The report is prepared after the third exam period's publication (Art. 59)."))
    else:
        try:
            ombuds.ombuds_report_submit(report=report, today=clock.today(), by=request.user)
        except ombuds.RequestRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("The report is marked as submitted to the cluster."))
    return redirect("exams:report_detail", programme=programme.code, year=year.code)
