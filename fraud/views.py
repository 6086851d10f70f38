"""The fraud pages (Art. 74, 84-85, 92; DOMAIN §10): the examiner's report, the list of files,
the file page with the investigation, the hearings and the decision, the evidence download and
the fraud authority's ratification page.

Who sees what (the module docstring of ``core.permissions``, "the fraud files"): every view
needs ``Capability.FRAUD_PAGES`` (403 without it) and finds the file through ``files_for``: a
file outside the user's scope is not found (404).

- An examiner sees the files they reported (``reported_by_user``), without the evidence:
  decided, the reporting examiner cannot download even their own upload once it is in the file
  (the evidence is for the committee's chair and members, the ombudsperson and the
  administration only).
- The seat holders of the file's committee and the ombudspersons of the course's programme that
  year see the file and its evidence; the chair, the secretary and their substitutes
  (``Scope.runs_committee``) record the investigation, the hearings and the decision (403 for the
  other readers).
- The fraud authority sees the files whose decision needs its ratification (6°, 7°, §3), the
  decision and the advice, not the evidence, and records the advice and the ratification.
- Student administration reads every file and its evidence; a superuser does everything.

Every write goes through ``fraud.services`` in one transaction: a refusal is shown on the form
with its article and nothing is written. The evidence is served only by ``evidence_download``
(an attachment, never from the static or media URLs).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from committee.models import Deliberation, DeliberationStatus
from core import clock
from core.permissions import Capability, requires, scope
from programmes.models import Course, ExamPeriod
from programmes.selectors import year_dates
from reschedules.models import CourseExaminer, ExamMoment

from . import disputes, rules, services
from .forms import (
    SANCTION_LABELS,
    AdviceForm,
    DecisionForm,
    DisputeForm,
    FileFilterForm,
    FraudHearingForm,
    InvestigationForm,
    NotifiedForm,
    RatificationForm,
    ReportForm,
    add_refusal,
)
from .models import DecisionStatus, Evidence, FileKind, FraudDecision, FraudFile, HearingKind, Ratification

OPEN = "open"
PAGE_SIZE = 50


# --- Who sees what -----------------------------------------------------------------------------
def _latest_status():
    return Subquery(FraudDecision.objects.filter(fraud_file=OuterRef("pk")).order_by("-pk").values("status")[:1])


def _ombuds_q(user_scope) -> Q:
    q = Q(pk__in=[])
    for programme_id, year_id in sorted(user_scope.ombuds_pairs):
        q |= Q(course__programme_id=programme_id, exam_period__academic_year_id=year_id)
    return q


def _ratification_q() -> Q:
    """Files with a decision that needs (or needed) the fraud authority's ratification."""
    return Q(decisions__status=DecisionStatus.AWAITING_RATIFICATION) | Q(decisions__ratification__isnull=False)


def files_for(user) -> QuerySet[FraudFile]:
    """The files the user sees (the module docstring), each with ``latest_status``: the status
    of its decision in force, None before any decision."""
    user_scope = scope(user)
    files = FraudFile.objects.select_related(
        "student", "course", "exam_period__academic_year", "committee__academic_year"
    ).annotate(latest_status=_latest_status())
    if user_scope.superuser or user_scope.sees_all_committees:
        return files
    q = Q(committee_id__in=sorted(user_scope.committees)) | _ombuds_q(user_scope)
    if user_scope.reports_fraud:
        q |= Q(reported_by_user=user)
    if user_scope.ratifies:
        q |= _ratification_q()
    return files.filter(q).distinct()


def _file(request, pk) -> FraudFile:
    # With the exam moment and the investigation its page shows (one query, not three).
    return get_object_or_404(files_for(request.user).select_related("exam_moment", "investigation"), pk=pk)


def sees_procedure(user, fraud_file: FraudFile) -> bool:
    """Reads the whole file with its evidence, hearings and investigation: the committee's seat
    holders, the programme's ombudspersons, the administration, a superuser."""
    user_scope = scope(user)
    if user_scope.superuser or user_scope.sees_all_committees:
        return True
    if fraud_file.committee_id in user_scope.committees:
        return True
    return (fraud_file.course.programme_id, fraud_file.exam_period.academic_year_id) in user_scope.ombuds_pairs


sees_evidence = sees_procedure


def runs(user, fraud_file: FraudFile) -> bool:
    """Records the investigation, the hearings and the decision: the chair, the secretary and
    their substitutes of the file's committee, or a superuser (Art. 68, 84)."""
    return scope(user).runs_committee(fraud_file.committee_id)


# --- The list ----------------------------------------------------------------------------------
@require_GET
@requires(Capability.FRAUD_PAGES)
def file_list(request):
    """The files the user sees, filtered by status and kind; the newest report first."""
    form = FileFilterForm(request.GET or None)
    files = files_for(request.user).order_by("-reported_on", "-pk")
    if form.is_valid():
        status, kind = form.cleaned_data["status"], form.cleaned_data["kind"]
        if status == OPEN:
            files = files.filter(latest_status__isnull=True)
        elif status:
            files = files.filter(latest_status=status)
        if kind:
            files = files.filter(kind=kind)
    user_scope = scope(request.user)
    shown = list(files[:PAGE_SIZE])
    statuses = dict(DecisionStatus.choices)
    for fraud_file in shown:
        fraud_file.status_label = statuses.get(fraud_file.latest_status) or _("open: no decision yet")
    awaiting = []
    if user_scope.ratifies or user_scope.sees_all_committees:
        awaiting = list(
            FraudDecision.objects.filter(
                status=DecisionStatus.AWAITING_RATIFICATION, fraud_file__in=files_for(request.user)
            ).select_related("fraud_file__student", "fraud_file__course", "ratification")
        )
    return render(
        request,
        "fraud/file_list.html",
        {
            "form": form,
            "files": shown,
            "more": len(shown) == PAGE_SIZE and files.count() > PAGE_SIZE,
            "reports": user_scope.reports_fraud,
            "awaiting": awaiting,
            "ratifies": user_scope.ratifies,
        },
    )


# --- The examiner's report (Art. 84) ----------------------------------------------------------
def _report_form(request, data=None, files=None):
    today = clock.today()
    user_scope = scope(request.user)
    if user_scope.superuser:
        examined = None
        courses = Course.objects.select_related("programme").order_by("code")
        periods = ExamPeriod.objects.select_related("academic_year").order_by("-academic_year__starts_on", "number")
        moments = ExamMoment.objects.select_related("course").order_by("-on", "course__code")
    else:
        pairs = set(CourseExaminer.objects.filter(user=request.user).values_list("course_id", "academic_year_id"))
        examined = pairs
        courses = Course.objects.filter(pk__in={c for c, _y in pairs}).order_by("code")
        periods = ExamPeriod.objects.filter(academic_year_id__in={y for _c, y in pairs}).select_related("academic_year")
        periods = periods.order_by("-academic_year__starts_on", "number")
        moments = ExamMoment.objects.filter(
            course_id__in={c for c, _y in pairs}, exam_period__academic_year_id__in={y for _c, y in pairs}
        ).select_related("course")
        moments = moments.order_by("-on", "course__code")
    return ReportForm(
        data,
        files,
        courses=courses,
        periods=periods,
        moments=moments,
        examined=examined,
        date_range=year_dates(today=today),
        today=today,
        initial={"reported_on": today},
    )


class _RolledBack(Exception):
    pass


def _report_write(request, form) -> FraudFile | None:
    """Open the file and attach every piece of evidence in one transaction: one refused piece
    refuses the whole report, and the files already stored are removed again."""
    data = form.cleaned_data
    stored: list[str] = []
    try:
        with transaction.atomic():
            fraud_file = services.fraud_file_open(
                kind=data["kind"],
                student=data["student"],
                course=data["course"],
                exam_period=data["exam_period"],
                exam_moment=data["exam_moment"],
                assignment=data["assignment"],
                reported_on=data["reported_on"],
                reported_by=request.user.get_full_name() or request.user.get_username(),
                reported_by_user=request.user,
                what_happened=data["what_happened"],
                by=request.user,
            )
            for upload in data["evidence"]:
                try:
                    evidence = services.evidence_add(
                        fraud_file=fraud_file, upload=upload, on=data["reported_on"], by=request.user
                    )
                except services.Refused as refused:
                    for message in refused.messages:
                        form.add_error("evidence", message)
                    raise _RolledBack from refused
                stored.append(evidence.file.name)
    except services.Refused as refused:
        add_refusal(form, refused)
    except _RolledBack:
        pass
    else:
        return fraud_file
    storage = Evidence._meta.get_field("file").storage
    for name in stored:
        storage.delete(name)
    return None


@require_http_methods(["GET", "POST"])
@requires(Capability.FRAUD_PAGES)
def report(request):
    """The examiner reports an irregularity (Art. 84) or a dispute during an exam (Art. 92): the
    file goes to the committee's chair and the ombudsperson; the student may go on with the
    session."""
    if not scope(request.user).reports_fraud:
        raise PermissionDenied
    if request.method == "POST":
        form = _report_form(request, request.POST, request.FILES)
        if form.is_valid():
            fraud_file = _report_write(request, form)
            if fraud_file is not None:
                messages.success(
                    request,
                    _("The report was sent to the committee's chair and the ombudsperson (Art. 84)."),
                )
                return redirect("fraud:file_detail", fraud_file.pk)
        return render(request, "fraud/report.html", {"form": form}, status=422)
    return render(request, "fraud/report.html", {"form": _report_form(request)})


# --- The file page -------------------------------------------------------------------------------
def _forms_for(request, fraud_file, bound=None, decisions=None):
    """The forms the user may use on the file: ``bound`` replaces the one posted; ``decisions``:
    the file's decisions in order, when the page has read them."""
    bound = bound or {}
    today = clock.today()
    dates = {"date_range": year_dates(today=today, year=fraud_file.exam_period.academic_year), "today": today}
    result = {}
    if not runs(request.user, fraud_file):
        return result
    if fraud_file.kind == FileKind.PLAGIARISM:
        investigation = getattr(fraud_file, "investigation", None)
        initial = {"recorded_on": today}
        if investigation is not None:
            initial |= {
                name: getattr(investigation, name) for name in InvestigationForm.base_fields if name != "recorded_on"
            }
        else:
            chair = fraud_file.committee.members.filter(role="chair").first()
            initial["chair"] = chair.name if chair else ""
        result["investigation"] = bound.get("investigation") or InvestigationForm(initial=initial, **dates)
    held = services.hearings_held(fraud_file)
    chair = fraud_file.committee.members.filter(role="chair").first()
    result["hearing"] = bound.get("hearing") or FraudHearingForm(
        initial={
            "held_on": today,
            "heard_by": chair.name if chair else "",
            "kind": HearingKind.STUDENT if held["examiner_heard"] else HearingKind.EXAMINER,
        },
        **dates,
    )
    latest = decisions[-1] if decisions else None
    if decisions is None:
        latest = fraud_file.decisions.order_by("-pk").first()
    deliberations = _open_deliberations(fraud_file)
    if fraud_file.kind == FileKind.DISPUTE:
        if latest is None:
            result["dispute"] = bound.get("dispute") or DisputeForm(
                deliberations=deliberations, initial={"decided_on": today}, **dates
            )
    elif latest is None or latest.status in DECIDES_ANEW:
        result["decision"] = _labels_read(
            bound.get("decision")
            or DecisionForm(fraud_file=fraud_file, deliberations=deliberations, initial={"decided_on": today}, **dates)
        )
    if latest is not None and latest.status == DecisionStatus.FINAL and latest.notified_on is None:
        result["notified"] = bound.get("notified") or NotifiedForm(initial={"notified_on": today}, **dates)
        result["notified_decision"] = latest
    return result


# The committee decides anew after the fraud authority did not ratify (Art. 85 §2) or after an
# appeal set the decision aside (Art. 101 g).
DECIDES_ANEW = (DecisionStatus.NOT_RATIFIED, DecisionStatus.SET_ASIDE)


def _open_deliberations(fraud_file):
    # With what their labels show (the committee, the exam period and its year).
    return Deliberation.objects.filter(
        committee_id=fraud_file.committee_id, status=DeliberationStatus.OPEN
    ).select_related("committee", "exam_period__academic_year")


def _labels_read(form):
    """The decision form with its choices read with what their labels show, in one query each
    whatever their number: a result's exam period and its year, a retake moment's course."""
    fields = form.fields
    fields["zeroed_results"].queryset = fields["zeroed_results"].queryset.select_related("exam_period__academic_year")
    fields["retake_moment"].queryset = fields["retake_moment"].queryset.select_related(
        "course", "exam_period__academic_year"
    )
    return form


def _detail(request, fraud_file, *, bound=None, status=200):
    full = sees_procedure(request.user, fraud_file)
    # The hearings and the evidence once, for the page, the missing hearings and the forms.
    prefetch_related_objects([fraud_file], "hearings", "evidence")
    decisions = list(fraud_file.decisions.order_by("pk").select_related("deliberation"))
    ratifications = {r.decision_id: r for r in Ratification.objects.filter(decision__in=decisions)}
    for decision in decisions:
        decision.ratification_record = ratifications.get(decision.pk)
        decision.sanction_labels = [SANCTION_LABELS[rules.Sanction(s)] for s in decision.sanctions]
    context = {
        "file": fraud_file,
        "full": full,
        "evidence": list(fraud_file.evidence.all()) if full else [],
        "evidence_count": fraud_file.evidence.count(),
        "hearings": list(fraud_file.hearings.all()) if full else [],
        "investigation": getattr(fraud_file, "investigation", None) if full else None,
        "hearing_missing": _hearing_missing(fraud_file),
        "decisions": decisions,
        "runs": runs(request.user, fraud_file),
        "forms": _forms_for(request, fraud_file, bound, decisions) if full else {},
        "ratifies": scope(request.user).ratifies,
    }
    return render(request, "fraud/file_detail.html", context, status=status)


HEARING_MISSING = {
    rules.HearingRefusal.EXAMINER_NOT_HEARD: gettext_lazy("The examiner has not been heard yet (Art. 74, 84)."),
    rules.HearingRefusal.STUDENT_NOT_HEARD: gettext_lazy("The student has not been heard yet (Art. 74, 84)."),
    rules.HearingRefusal.NO_OMBUDSPERSON_AT_HEARING: gettext_lazy(
        "The student was heard without an ombudsperson present (Art. 84)."
    ),
}


def _hearing_missing(fraud_file) -> list[str]:
    if fraud_file.kind == FileKind.DISPUTE:
        return []
    return [str(HEARING_MISSING[code]) for code in rules.hearing_refusals(**services.hearings_held(fraud_file))]


@require_GET
@requires(Capability.FRAUD_PAGES)
def file_detail(request, pk):
    return _detail(request, _file(request, pk))


def _runnable(request, pk) -> FraudFile:
    fraud_file = _file(request, pk)
    if not runs(request.user, fraud_file):
        raise PermissionDenied
    return fraud_file


def _dates(fraud_file):
    today = clock.today()
    return {"date_range": year_dates(today=today, year=fraud_file.exam_period.academic_year), "today": today}


@require_POST
@requires(Capability.FRAUD_PAGES)
def investigation_record(request, pk):
    """The chair records the plagiarism investigation and the four weighing factors (Art. 84-85)."""
    fraud_file = _runnable(request, pk)
    form = InvestigationForm(request.POST, **_dates(fraud_file))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.investigation_record(
                fraud_file=fraud_file,
                chair=data["chair"],
                teacher=data["teacher"],
                programme_head=data["programme_head"],
                expert=data["expert"],
                findings=data["findings"],
                proportion=data["proportion"],
                plagiarism_kind=data["plagiarism_kind"],
                experience=data["experience"],
                intention=data["intention"],
                on=data["recorded_on"],
                by=request.user,
            )
        except services.Refused as refused:
            add_refusal(form, refused, InvestigationForm.REFUSAL_FIELDS)
        else:
            messages.success(request, _("The investigation was recorded."))
            return redirect(reverse("fraud:file_detail", args=[fraud_file.pk]) + "#investigation")
    return _detail(request, fraud_file, bound={"investigation": form}, status=422)


@require_POST
@requires(Capability.FRAUD_PAGES)
def hearing_record(request, pk):
    """A hearing: the examiner, or the student with an ombudsperson present (Art. 74, 84)."""
    fraud_file = _runnable(request, pk)
    form = FraudHearingForm(request.POST, **_dates(fraud_file))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.hearing_record(
                fraud_file=fraud_file,
                kind=data["kind"],
                held_on=data["held_on"],
                heard_by=data["heard_by"],
                ombudsperson=data["ombudsperson"],
                notes=data["notes"],
                by=request.user,
            )
        except services.Refused as refused:
            add_refusal(form, refused, FraudHearingForm.REFUSAL_FIELDS)
        else:
            messages.success(request, _("The hearing was recorded."))
            return redirect(reverse("fraud:file_detail", args=[fraud_file.pk]) + "#hearings")
    return _detail(request, fraud_file, bound={"hearing": form}, status=422)


@require_POST
@requires(Capability.FRAUD_PAGES)
def decision_record(request, pk):
    """The complete committee's decision (Art. 85 §1, §3): refused with the article before the
    hearings, before the investigation of plagiarism, and by every rule of the sanctions."""
    fraud_file = _runnable(request, pk)
    form = DecisionForm(
        request.POST, fraud_file=fraud_file, deliberations=_open_deliberations(fraud_file), **_dates(fraud_file)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.decision_record(
                fraud_file=fraud_file,
                sanctions=data["sanctions"],
                reason=data["reason"],
                decided_on=data["decided_on"],
                deliberation=data["deliberation"],
                new_mark=data["new_mark"] or None,
                zeroed_results=list(data["zeroed_results"]),
                courses=list(data["excluded_courses"]),
                judged_gross=data["judged_gross"],
                thesis_change=data["thesis_change"],
                ban_years=data["ban_years"],
                set_aside_highest_result=data["set_aside_highest_result"],
                annulment=data["annulment"],
                annulled_certificates=list(data["annulled_certificates"]),
                retake_moment=data["retake_moment"],
                by=request.user,
            )
        except services.Refused as refused:
            add_refusal(form, refused, DecisionForm.REFUSAL_FIELDS)
        else:
            if decision.status == DecisionStatus.AWAITING_RATIFICATION:
                messages.success(
                    request,
                    _("The decision was recorded; it waits for the fraud authority's ratification (Art. 85 §2)."),
                )
            else:
                messages.success(request, _("The decision was recorded; it is final."))
            return redirect(reverse("fraud:file_detail", args=[fraud_file.pk]) + "#decisions")
    return _detail(request, fraud_file, bound={"decision": form}, status=422)


@require_POST
@requires(Capability.FRAUD_PAGES)
def decision_notify(request, pk, decision):
    """The day the student was told of the final decision (Art. 85, 101): the appeal runs from it."""
    fraud_file = _runnable(request, pk)
    decision = get_object_or_404(FraudDecision, pk=decision, fraud_file=fraud_file)
    form = NotifiedForm(request.POST, **_dates(fraud_file))
    if form.is_valid():
        try:
            services.decision_notify(decision=decision, on=form.cleaned_data["notified_on"], by=request.user)
        except services.Refused as refused:
            for problem in refused.problems:
                form.add_error("notified_on", str(problem.message))
        else:
            messages.success(request, _("The day the student was told was recorded."))
            return redirect(reverse("fraud:file_detail", args=[fraud_file.pk]) + "#decisions")
    return _detail(request, fraud_file, bound={"notified": form}, status=422)


@require_POST
@requires(Capability.FRAUD_PAGES)
def dispute_decide(request, pk):
    """The complete committee's final decision on a dispute during an exam, its outcome (Art. 92)."""
    fraud_file = _runnable(request, pk)
    form = DisputeForm(request.POST, deliberations=_open_deliberations(fraud_file), **_dates(fraud_file))
    if form.is_valid():
        data = form.cleaned_data
        try:
            disputes.dispute_decide(
                fraud_file=fraud_file,
                outcome=data["outcome"],
                decided_on=data["decided_on"],
                deliberation=data["deliberation"],
                by=request.user,
            )
        except services.Refused as refused:
            add_refusal(form, refused, DisputeForm.REFUSAL_FIELDS)
        else:
            messages.success(request, _("The outcome of the dispute was recorded (Art. 92)."))
            return redirect(reverse("fraud:file_detail", args=[fraud_file.pk]) + "#decisions")
    return _detail(request, fraud_file, bound={"dispute": form}, status=422)


# --- The evidence --------------------------------------------------------------------------------
@require_GET
@requires(Capability.FRAUD_PAGES)
def evidence_download(request, pk, evidence):
    """A piece of evidence as an attachment, to the committee, the ombudsperson and the
    administration only (403 for an examiner or the fraud authority who see the file; 404 for
    anybody who does not see it). Never served from the static or media URLs."""
    fraud_file = _file(request, pk)
    if not sees_evidence(request.user, fraud_file):
        raise PermissionDenied
    item = get_object_or_404(Evidence, pk=evidence, fraud_file=fraud_file)
    try:
        handle = item.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(handle, as_attachment=True, filename=item.name)


# --- The fraud authority (Art. 85 §2-3) -----------------------------------------------------------
def _decision(request, pk) -> FraudDecision:
    decision = get_object_or_404(
        FraudDecision.objects.select_related("fraud_file"), pk=pk, fraud_file__in=files_for(request.user)
    )
    if not decision.needs_ratification:
        raise Http404
    if not (scope(request.user).ratifies or sees_procedure(request.user, decision.fraud_file)):
        raise PermissionDenied
    return decision


def _ratification_page(request, decision, *, advice_form=None, ratification_form=None, status=200):
    ratification = Ratification.objects.filter(decision=decision).first()
    fraud_file = get_object_or_404(files_for(request.user), pk=decision.fraud_file_id)
    awaiting = decision.status == DecisionStatus.AWAITING_RATIFICATION
    writes = scope(request.user).ratifies and awaiting
    today = clock.today()
    context = {
        "decision": decision,
        "file": fraud_file,
        "ratification": ratification,
        "sanction_labels": [SANCTION_LABELS[rules.Sanction(s)] for s in decision.sanctions],
        "deadline": services.advice_deadline(ratification),
        "may_disregard": services.council_advice_may_be_disregarded(ratification),
        "awaiting": awaiting,
        "writes": writes,
        "advice_form": (advice_form or AdviceForm(initial={"ombudsperson_advice_on": today})) if writes else None,
        "ratification_form": (ratification_form or RatificationForm(initial={"on": today})) if writes else None,
    }
    return render(request, "fraud/ratification.html", context, status=status)


@require_GET
@requires(Capability.FRAUD_PAGES)
def ratification(request, pk):
    """The fraud authority's page for one decision: the decision, the advice of the ombudsperson
    and of the Student Council's chair with the 48 hours (Art. 85 §2), and the ratification."""
    return _ratification_page(request, _decision(request, pk))


def _ratifying(request, pk) -> FraudDecision:
    decision = _decision(request, pk)
    if not scope(request.user).ratifies:
        raise PermissionDenied
    return decision


@require_POST
@requires(Capability.FRAUD_PAGES)
def advice_record(request, pk):
    """Record the advice of the ombudsperson and of the Student Council's chair (Art. 85 §2)."""
    decision = _ratifying(request, pk)
    form = AdviceForm(request.POST)
    if form.is_valid():
        try:
            services.advice_record(decision=decision, by=request.user, **form.arguments())
        except services.Refused as refused:
            add_refusal(form, refused)
        else:
            messages.success(request, _("The advice was recorded."))
            return redirect("fraud:ratification", decision.pk)
    return _ratification_page(request, decision, advice_form=form, status=422)


@require_POST
@requires(Capability.FRAUD_PAGES)
def ratification_record(request, pk):
    """The fraud authority ratifies, or does not with its reasoning (Art. 85 §2-3)."""
    decision = _ratifying(request, pk)
    form = RatificationForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.ratification_record(
                decision=decision, ratified=data["ratified"], reason=data["reason"], on=data["on"], by=request.user
            )
        except services.Refused as refused:
            add_refusal(form, refused)
        else:
            if data["ratified"]:
                messages.success(request, _("The decision was ratified: it is final (Art. 85 §2)."))
            else:
                messages.success(request, _("The decision was not ratified: the committee decides anew (Art. 85 §2)."))
            return redirect("fraud:ratification", decision.pk)
    return _ratification_page(request, decision, ratification_form=form, status=422)


urls = [
    path("", file_list, name="file_list"),
    path("report/", report, name="report"),
    path("<int:pk>/", file_detail, name="file_detail"),
    path("<int:pk>/investigation/", investigation_record, name="investigation_record"),
    path("<int:pk>/hearing/", hearing_record, name="hearing_record"),
    path("<int:pk>/decision/", decision_record, name="decision_record"),
    path("<int:pk>/dispute/", dispute_decide, name="dispute_decide"),
    path("<int:pk>/decisions/<int:decision>/notified/", decision_notify, name="decision_notify"),
    path("<int:pk>/evidence/<int:evidence>/", evidence_download, name="evidence_download"),
    path("decisions/<int:pk>/ratification/", ratification, name="ratification"),
    path("decisions/<int:pk>/advice/", advice_record, name="advice_record"),
    path("decisions/<int:pk>/ratify/", ratification_record, name="ratification_record"),
]
