"""The appeal register's pages: the register with its daily summary, an appeal's page with
its timeline, refusal-lifting requests and corrections. Each view is guarded by
``core.permissions.requires`` (the register is read by whoever reads every student), asks
the scope what the user may write and ``selectors.may_decide`` whether they decide an
appeal, and calls the services and rules; none holds a rule of its own."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import clock
from core.history import history_rows
from core.permissions import Capability, requires, scope
from exams.models import Result
from exams.services import result_mark
from programmes.models import Programme
from programmes.selectors import year_dates
from students.selectors import students_for

from . import rules, selectors, services
from .filters import AppealFilter
from .forms import (
    AppealForm,
    CorrectionForm,
    DecisionForm,
    ElaborationForm,
    LiftingDecisionForm,
    LiftingRequestForm,
    PostponeForm,
    StudentForm,
)
from .models import Appeal, AppealStatus, Correction, LiftingStatus, RefusalLiftingRequest

PAGE_SIZE = 25
HISTORY_FIELDS = (
    "status",
    "posted_on",
    "decision_on",
    "email",
    "elaborated_on",
    "decision_due_on",
    "later_decision_on",
    "overdue_since",
    "outcome",
    "decided_on",
    "new_mark",
)


def _page(request, queryset):
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def _student(request, number):
    """The student named in a form, among those the user sees (the register reads them all)."""
    return get_object_or_404(students_for(request.user), number__iexact=number.strip())


def _find_student(request, template):
    """The student a form is about: ``(student, None)``, or ``(None, response)`` with the
    search form, what was typed and the students it matches to choose from (none found:
    the form says so and keeps the text). A POST names the student by number (hidden field)."""
    if request.method == "POST":
        return _student(request, request.POST.get("student", "")), None
    typed = request.GET.get("student", "")
    if not typed.strip():
        return None, render(request, template, {"student_form": StudentForm()})
    lookup = selectors.student_lookup(request.user, typed)
    if lookup.student is not None:
        return lookup.student, None
    form = StudentForm({"student": typed})
    form.is_valid()
    if not lookup.matches:
        form.add_error(
            "student",
            _("No student found for “%(text)s”: type part of the name or the student number.") % {"text": typed},
        )
    context = {"student_form": form, "lookup": lookup}
    return None, render(request, template, context)


def _can_write(user) -> bool:
    return scope(user).has(Capability.APPEAL_WRITE)


# --- The register -------------------------------------------------------------------------
@require_GET
@requires(Capability.APPEAL_REGISTER)
def register(request):
    today = clock.today()
    filterset = AppealFilter(request.GET or None, queryset=selectors.register_queryset(), today=today)
    page, query = _page(request, filterset.qs)
    rows = []
    descriptions = selectors.decision_descriptions(page.object_list)
    for appeal in page.object_list:
        check = selectors.admissibility(appeal)
        rows.append(
            {
                "appeal": appeal,
                "description": descriptions[appeal.pk],
                "admissible": check.admissible,
                "problems": check.messages,
                "last_day": check.last_day,
                "deadline": rules.deadline_state(due_on=appeal.decision_due_on, today=today)
                if appeal.is_open
                else None,
            }
        )
    return render(
        request,
        "appeals/register.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "query": query,
            "summary": selectors.appeals_summary(today=today),
            "today": today,
            "can_write": _can_write(request.user),
            "due_soon_days": rules.DUE_SOON_DAYS,
        },
    )


# --- Registering an appeal ------------------------------------------------------------------
def _appeal_form(request, student, data=None):
    today = clock.today()
    programmes = Programme.objects.filter(enrolments__student=student).distinct()
    return AppealForm(
        data,
        decisions=selectors.decision_choices(student, today=today),
        programmes=programmes,
        initial={"posted_on": today, "email": student.email},
        date_range=year_dates(today=today),
        today=today,
    )


@require_http_methods(["GET", "POST"])
@requires(Capability.APPEAL_WRITE)
def appeal_create(request):
    student, response = _find_student(request, "appeals/appeal_form.html")
    if response is not None:
        return response
    if request.method == "GET":
        return render(request, "appeals/appeal_form.html", {"student": student, "form": _appeal_form(request, student)})
    form = _appeal_form(request, student, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            appeal = services.appeal_register(
                student=student,
                category=data["category"],
                posted_on=data["posted_on"],
                decision_text=data["decision_text"],
                decision_on=data["decision_on"],
                email=data["email"],
                facts_and_objections=data["facts_and_objections"],
                pending_feedback=data["pending_feedback"],
                programme=data["programme"],
                by=request.user,
                today=clock.today(),
                **selectors.decision_from_choice(data["decision"]),
            )
        except services.Refused as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Appeal %(reference)s was registered.") % {"reference": appeal.reference})
            return redirect(appeal)
    return render(request, "appeals/appeal_form.html", {"student": student, "form": form}, status=422)


# --- An appeal's page -----------------------------------------------------------------------
def _history(appeal):
    rows = history_rows(
        appeal.history.select_related("history_user"),
        fields=HISTORY_FIELDS,
        label=lambda name: Appeal._meta.get_field(name).verbose_name,
    )
    return list(reversed(rows))


def _detail(request, appeal, *, forms=None, status=200):
    today = clock.today()
    forms = forms or {}
    user = request.user
    is_open = appeal.status == AppealStatus.OPEN
    can_write = _can_write(user)
    can_decide = selectors.may_decide(user, appeal)
    admissibility = selectors.admissibility(appeal)
    outcomes = rules.outcomes_open(
        admissibility=admissibility.problems,
        pending_feedback=appeal.pending_feedback,
        elaborated=appeal.elaborated_on is not None,
    )
    context = {
        "appeal": appeal,
        "student": appeal.student,
        "today": today,
        "admissibility": admissibility,
        "description": selectors.decision_description(appeal),
        "place": selectors.new_decision_place(appeal),
        "outcomes_open": outcomes,
        "timeline": selectors.appeal_timeline(appeal, today=today),
        "deadline": rules.deadline_state(due_on=appeal.decision_due_on, today=today) if is_open else None,
        "elaboration_last_day": rules.elaboration_last_day(posted_on=appeal.posted_on),
        "ordinary_due": rules.decision_last_day(posted_on=appeal.posted_on),
        "history": _history(appeal),
        "can_write": can_write,
        "can_decide": can_decide,
        "changes_mark": rules.decision_may_change_mark(
            category=appeal.category, linked_to_result=appeal.result_id is not None
        ),
        "others": Appeal.objects.filter(student=appeal.student).exclude(pk=appeal.pk).order_by("-posted_on"),
    }
    if appeal.result_id:
        result = Result.objects.select_related("isp_line__course", "exam_period").get(pk=appeal.result_id)
        context["result"], context["current_mark"] = result, result_mark(result)
    if can_write and appeal.pending_feedback and appeal.elaborated_on is None and appeal.status != "decided":
        context["elaboration_form"] = forms.get("elaboration") or ElaborationForm(initial={"on": today})
    if can_write and is_open:
        context["postpone_form"] = forms.get("postpone") or PostponeForm(initial={"announced_on": today})
    if can_decide and is_open:
        context["decision_form"] = forms.get("decision") or DecisionForm(
            outcomes=outcomes, initial={"on": today, **({"outcome": outcomes[0]} if len(outcomes) == 1 else {})}
        )
    return render(request, "appeals/appeal_detail.html", context, status=status)


def _appeal(pk):
    return get_object_or_404(
        Appeal.objects.select_related(
            "student",
            "programme",
            "exam_period__academic_year",
            "measure",
            "exemption__isp_line__course",
            "exemption__isp_line__enrolment__academic_year",
            "isp_line__course",
            "isp_line__enrolment__academic_year",
            "refusal_lifting_request",
            "fraud_decision",
            "programme_result",
            "registered_by",
            "decided_by",
        ),
        pk=pk,
    )


@require_GET
@requires(Capability.APPEAL_REGISTER)
def appeal_detail(request, pk):
    return _detail(request, _appeal(pk))


def _appeal_dates(appeal, today):
    """The dates the forms of an appeal's page take: of the academic year it was filed in."""
    return {"date_range": year_dates(day=appeal.posted_on, today=today), "today": today}


def _action(request, appeal, key, form, call, done):
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except services.Refused as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            messages.success(request, done)
            return redirect(appeal)
    return _detail(request, appeal, forms={key: form}, status=422)


@require_POST
@requires(Capability.APPEAL_REGISTER)
def appeal_elaborate(request, pk):
    appeal = _appeal(pk)
    scope(request.user).require(Capability.APPEAL_WRITE)
    return _action(
        request,
        appeal,
        "elaboration",
        ElaborationForm(request.POST, **_appeal_dates(appeal, clock.today())),
        lambda data: services.appeal_elaborate(
            appeal=appeal,
            on=data["on"],
            facts_and_objections=data["facts_and_objections"],
            by=request.user,
            today=clock.today(),
        ),
        _("The elaboration was recorded."),
    )


@require_POST
@requires(Capability.APPEAL_REGISTER)
def appeal_postpone(request, pk):
    appeal = _appeal(pk)
    scope(request.user).require(Capability.APPEAL_WRITE)
    return _action(
        request,
        appeal,
        "postpone",
        PostponeForm(request.POST, **_appeal_dates(appeal, clock.today())),
        lambda data: services.appeal_postpone(
            appeal=appeal,
            announced_on=data["announced_on"],
            later_on=data["later_on"],
            reasons=data["reasons"],
            by=request.user,
            today=clock.today(),
        ),
        _("The later decision date was recorded."),
    )


@require_POST
@requires(Capability.APPEAL_REGISTER)
def appeal_decide(request, pk):
    appeal = _appeal(pk)
    if not selectors.may_decide(request.user, appeal):
        raise PermissionDenied
    return _action(
        request,
        appeal,
        "decision",
        DecisionForm(
            request.POST,
            **_appeal_dates(appeal, clock.today()),
            outcomes=rules.outcomes_open(
                admissibility=selectors.admissibility(appeal).problems,
                pending_feedback=appeal.pending_feedback,
                elaborated=appeal.elaborated_on is not None,
            ),
        ),
        lambda data: services.appeal_decide(
            appeal=appeal,
            outcome=data["outcome"],
            on=data["on"],
            reason=data["reason"],
            mark=data["mark"],
            by=request.user,
            today=clock.today(),
        ),
        _("The decision was recorded."),
    )


# --- Refusal lifting (Art. 34) -------------------------------------------------------------
@require_GET
@requires(Capability.APPEAL_REGISTER)
def lifting_list(request):
    requests = RefusalLiftingRequest.objects.select_related("student", "measure__programme").order_by(
        "status", "-submitted_on", "-pk"
    )
    status = request.GET.get("status")
    if status in LiftingStatus.values:
        requests = requests.filter(status=status)
    page, query = _page(request, requests)
    return render(
        request,
        "appeals/lifting_list.html",
        {
            "page": page,
            "query": query,
            "status": status,
            "statuses": LiftingStatus.choices,
            "can_write": _can_write(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@requires(Capability.APPEAL_WRITE)
def lifting_create(request):
    student, response = _find_student(request, "appeals/lifting_form.html")
    if response is not None:
        return response
    refusals = selectors.refusals_of(student)
    if request.method == "GET":
        form = LiftingRequestForm(refusals=refusals, initial={"submitted_on": clock.today()})
        return render(request, "appeals/lifting_form.html", {"student": student, "form": form})
    form = LiftingRequestForm(request.POST, refusals=refusals, today=clock.today())
    if form.is_valid():
        data = form.cleaned_data
        try:
            lifting = services.refusal_lifting_request_register(
                measure=data["measure"],
                submitted_on=data["submitted_on"],
                grounds=data["grounds"],
                by=request.user,
                today=clock.today(),
            )
        except services.Refused as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Request %(reference)s was registered.") % {"reference": lifting.reference})
            return redirect(lifting)
    return render(request, "appeals/lifting_form.html", {"student": student, "form": form}, status=422)


def _lifting(pk):
    return get_object_or_404(
        RefusalLiftingRequest.objects.select_related(
            "student", "measure__programme", "measure__course", "decided_by", "registered_by"
        ),
        pk=pk,
    )


def _lifting_detail(request, lifting, *, form=None, status=200):
    can_write = _can_write(request.user)
    pending = lifting.status == LiftingStatus.PENDING
    context = {
        "lifting": lifting,
        "student": lifting.student,
        "check": selectors.lifting_check(
            measure=lifting.measure, submitted_on=lifting.submitted_on, grounds=lifting.grounds, exclude_pk=lifting.pk
        ),
        "appeals": lifting.appeals.all(),
        "tolerances": selectors.lifting_tolerances(lifting.measure) if pending else [],
        "can_write": can_write,
        "history": list(
            reversed(
                history_rows(
                    lifting.history.select_related("history_user"),
                    fields=("status",),
                    label=lambda name: RefusalLiftingRequest._meta.get_field(name).verbose_name,
                )
            )
        ),
    }
    if can_write and pending:
        context["form"] = form or LiftingDecisionForm(initial={"on": clock.today()})
    return render(request, "appeals/lifting_detail.html", context, status=status)


@require_GET
@requires(Capability.APPEAL_REGISTER)
def lifting_detail(request, pk):
    return _lifting_detail(request, _lifting(pk))


@require_POST
@requires(Capability.APPEAL_REGISTER)
def lifting_decide(request, pk):
    lifting = _lifting(pk)
    scope(request.user).require(Capability.APPEAL_WRITE)
    today = clock.today()
    form = LiftingDecisionForm(
        request.POST, date_range=year_dates(code=lifting.academic_year_code, today=today), today=today
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.refusal_lifting_decide(
                request=lifting,
                granted=data["granted"],
                on=data["on"],
                reason=data["reason"],
                by=request.user,
                today=clock.today(),
            )
        except services.Refused as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The committee's decision was recorded."))
            return redirect(lifting)
    return _lifting_detail(request, lifting, form=form, status=422)


# --- Corrections (Art. 102) ----------------------------------------------------------------
@require_GET
@requires(Capability.APPEAL_REGISTER)
def correction_list(request):
    corrections = Correction.objects.select_related("student", "recorded_by", "result")
    page, query = _page(request, corrections)
    return render(
        request,
        "appeals/correction_list.html",
        {
            "page": page,
            "query": query,
            "can_correct": scope(request.user).has(Capability.MARK_CORRECTIONS),
            "correction_days": rules.CORRECTION_DAYS,
        },
    )


def _result_choices(student, today):
    results = selectors.published_results(student, today=today)
    return [(str(r.pk), selectors.result_label(r, result_mark(r))) for r in results]


@require_http_methods(["GET", "POST"])
@requires(Capability.MARK_CORRECTIONS)
def correction_create(request):
    student, response = _find_student(request, "appeals/correction_form.html")
    if response is not None:
        return response
    today = clock.today()
    results = _result_choices(student, today)
    context = {"student": student, "can_write": _can_write(request.user)}
    if request.method == "GET":
        form = CorrectionForm(results=results, initial={"on": today, "result": request.GET.get("result", "")})
        return render(request, "appeals/correction_form.html", {**context, "form": form})
    form = CorrectionForm(
        request.POST,
        results=results,
        date_range=year_dates(today=today),
        decision_range=selectors.record_dates(student, today=today),
        today=today,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["result"]:
                services.result_correct(
                    result=Result.objects.get(pk=int(data["result"])),
                    mark=data["mark"],
                    on=data["on"],
                    reason=data["reason"],
                    exception=data["exception"],
                    by=request.user,
                    today=today,
                )
            else:
                # Other administrative errors are the register keepers' (the committee corrects marks).
                scope(request.user).require(Capability.APPEAL_WRITE)
                services.correction_record(
                    student=student,
                    subject=data["subject"],
                    decision_on=data["decision_on"],
                    on=data["on"],
                    in_favour=data["in_favour"],
                    old_value=data["old_value"],
                    new_value=data["new_value"],
                    exception=data["exception"],
                    reason=data["reason"],
                    by=request.user,
                    today=today,
                )
        except services.Refused as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The correction was recorded."))
            return redirect("appeals:correction_list")
    return render(request, "appeals/correction_form.html", {**context, "form": form}, status=422)
