"""The select committee's inventory (Art. 69) and the page of one student for the deliberation
(Art. 70): read by the committee's members and the administration (Art. 72; 403 for anybody
else, 404 for another committee's deliberation). The writes call ``committee.services``; a
refusal is the form's error and nothing is written.

Who writes here: a file of irregularities or fraud is indicated by the chair, one of special
individual circumstances by the ombudsperson (Art. 69), each with their own seat; a later
announcement is decided by the select committee (Art. 69: the chair and the ombudsperson) and
recorded by them or by those who run the meeting; a decision about a student is recorded by
those who run the meeting (the chair, the secretary, their substitutes), who may ask for a vote
with their seat (Art. 75)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import clock
from core.permissions import Capability, requires, scope
from exams import rules as exam_rules
from exams.models import Level
from programmes.selectors import year_dates
from students.models import ISPLine

from . import inventory, rules, selectors, services
from .forms_decision import CaseFileForm, DecisionForm, PostponementForm, ProposalForm
from .models import DecisionKind, DeliberationStatus, FileKind, Member, Postponement

# Who indicates a file (Art. 69): the chair the irregularities and fraud, the ombudsperson the
# special individual circumstances.
FILE_SEATS = {FileKind.IRREGULARITY: rules.Role.CHAIR, FileKind.CIRCUMSTANCES: rules.Role.OMBUDSPERSON}
FILE_REFUSALS = {
    FileKind.IRREGULARITY: gettext_lazy("Files of irregularities and fraud are indicated by the chair (Art. 69)."),
    FileKind.CIRCUMSTANCES: gettext_lazy(
        "Files of special individual circumstances are indicated by the ombudsperson (Art. 69)."
    ),
}


def _seats(user, deliberation) -> list[Member]:
    """The user's seats on the deliberation's committee."""
    if not user.is_authenticated:
        return []
    return list(Member.objects.filter(committee_id=deliberation.committee_id, user=user).order_by("pk"))


def _roles(user, deliberation) -> set[str]:
    """The roles of the user's seats on the deliberation's committee (``Scope.seats``: read with
    the user's scope, no query of its own)."""
    return {role for committee, role in scope(user).seats if committee == deliberation.committee_id}


def _may_postpone(user, deliberation) -> bool:
    """The select committee decides a later announcement (Art. 69): the chair and the
    ombudsperson; those who run the meeting record it."""
    return scope(user).runs_committee(deliberation.committee_id) or rules.Role.OMBUDSPERSON in _roles(
        user, deliberation
    )


def _signed(deliberation) -> bool:
    """``services.is_signed``, read with the deliberation when it was (selectors.deliberation_for)."""
    signed = getattr(deliberation, "report_signed", None)
    return services.is_signed(deliberation) if signed is None else bool(signed)


def _writable(deliberation) -> bool:
    return deliberation.status != DeliberationStatus.CLOSED and not _signed(deliberation)


# --- The inventory ----------------------------------------------------------------------------
def _inventory(request, deliberation, *, forms=None, status=200):
    forms = forms or {}
    user = request.user
    writable = _writable(deliberation)
    roles = _roles(user, deliberation)
    shows_profiles = request.method == "GET" and request.GET.get("profiles") == "1"
    file_kinds = [kind for kind, role in FILE_SEATS.items() if role in roles]
    postponements = list(
        deliberation.postponements.select_related("isp_line__course", "isp_line__enrolment__student").order_by(
            "announce_on", "isp_line__enrolment__student__last_name", "pk"
        )
    )
    context = {
        "deliberation": deliberation,
        "committee": deliberation.committee,
        "thresholds": inventory.profile_thresholds(),
        # The profiles count every mark of the period in the committee's programmes (a cluster
        # of many thousands: seconds): computed when asked for (``?profiles=1``).
        "profiles": inventory.mark_profiles_for(deliberation) if shows_profiles else None,
        "profiles_url": "?" + urlencode({**request.GET.dict(), "profiles": "1"}) + "#profiles",
        "files": inventory.files_for(deliberation, every=request.GET.get("files") == "all"),
        "files_shown": inventory.FILES_SHOWN,
        "files_url": "?" + urlencode({**request.GET.dict(), "files": "all"}) + "#files",
        "postponements": postponements,
        # Why a decision is open needs each student's standing: the students' pages build them a
        # page at a time (``students_page``); here, what the database counts.
        "examined": inventory.Counted.of(inventory.examined_enrolments(deliberation).values("student_id").distinct()),
        "page_size": inventory.PAGE_SIZE,
        "writable": writable,
        "runs": scope(user).runs_committee(deliberation.committee_id),
        "indicates_circumstances": writable and FileKind.CIRCUMSTANCES in file_kinds,
    }
    if writable and (file_kinds or "file" in forms):
        initial = {key: request.GET[key] for key in ("student", "course") if key in request.GET}
        kind = request.GET.get("kind")
        initial["kind"] = kind if kind in file_kinds else file_kinds[0] if file_kinds else None
        context["file_form"] = forms.get("file") or CaseFileForm(deliberation=deliberation, initial=initial)
    if writable and _may_postpone(user, deliberation):
        context["postponement_form"] = forms.get("postponement") or PostponementForm(deliberation=deliberation)
    return render(request, "committee/inventory.html", context, status=status)


@require_GET
@requires(Capability.COMMITTEE_PAGES)
def inventory_page(request, pk):
    return _inventory(request, selectors.deliberation_for(request.user, pk))


@require_POST
@requires(Capability.COMMITTEE_PAGES)
def case_file_open(request, pk):
    """Open a file for the committee (Art. 69) with the user's own seat: the chair's for
    irregularities and fraud, the ombudsperson's for special individual circumstances."""
    deliberation = selectors.deliberation_for(request.user, pk)
    seats = _seats(request.user, deliberation)
    if not seats and not request.user.is_superuser:
        raise PermissionDenied
    form = CaseFileForm(request.POST, deliberation=deliberation)
    if form.is_valid():
        data = form.cleaned_data
        kind = FileKind(data["kind"])
        seat = next((s for s in seats if s.role == FILE_SEATS[kind]), None)
        if seat is None:
            form.add_error(None, FILE_REFUSALS[kind])
        else:
            try:
                services.case_file_open(
                    deliberation=deliberation,
                    kind=kind,
                    student=data["student"],
                    course=data["course"],
                    description=data["description"],
                    indicated_by=seat,
                    by=request.user,
                )
            except services.Refused as refused:
                for message in refused.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The file was opened for the committee."))
                return redirect(reverse("committee:inventory", args=[deliberation.pk]) + "#files")
    return _inventory(request, deliberation, forms={"file": form}, status=422)


@require_POST
@requires(Capability.COMMITTEE_PAGES)
def postponement_record(request, pk):
    """The select committee announces a result later, with the reason (Art. 69)."""
    deliberation = selectors.deliberation_for(request.user, pk)
    if not _may_postpone(request.user, deliberation):
        raise PermissionDenied
    today = clock.today()
    form = PostponementForm(
        request.POST,
        deliberation=deliberation,
        date_range=year_dates(today=today, year=deliberation.exam_period.academic_year),
        today=today,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.postponement_record(
                deliberation=deliberation,
                isp_line=data["isp_line"],
                announce_on=data["announce_on"],
                reason=data["reason"],
                by=request.user,
            )
        except services.Refused as refused:
            for message in refused.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The result will be announced later."))
            return redirect(reverse("committee:inventory", args=[deliberation.pk]) + "#postponements")
    return _inventory(request, deliberation, forms={"postponement": form}, status=422)


# --- The students, a page at a time -----------------------------------------------------------------
def _cursor(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_GET
@requires(Capability.COMMITTEE_PAGES)
def students_page(request, pk):
    """The examined students of the committee's programmes, ``inventory.PAGE_SIZE`` a page in the
    order of their names, each with why a decision about them is open (Art. 69-70): only those
    with a decision open (the default), or every one (``?show=all``); of one programme
    (``?programme=``), by number or last name (``?q=``); the pages by keyset (``?after=`` /
    ``?before=``: an enrolment id)."""
    deliberation = selectors.deliberation_for(request.user, pk)
    programmes = list(selectors.programmes_of(deliberation.committee).order_by("code"))
    programme = _cursor(request.GET.get("programme"))
    if programme not in {p.pk for p in programmes}:
        programme = None
    query = request.GET.get("q", "").strip()[:64]
    show_all = request.GET.get("show") == "all"
    page = inventory.student_page(
        deliberation,
        after=_cursor(request.GET.get("after")),
        before=_cursor(request.GET.get("before")),
        programme=programme,
        query=query,
    )
    filters = {
        key: value
        for key, value in (("programme", programme), ("q", query), ("show", "all" if show_all else ""))
        if value
    }
    context = {
        "deliberation": deliberation,
        "committee": deliberation.committee,
        "programmes": programmes,
        "programme": programme,
        "query": query,
        "show_all": show_all,
        "page": page,
        "rows": page.rows if show_all else page.open_rows,
        "page_size": inventory.PAGE_SIZE,
        "filters": urlencode(filters),
        "previous_url": "?" + urlencode({**filters, "before": page.first}) if page.has_previous and page.rows else "",
        "next_url": "?" + urlencode({**filters, "after": page.last}) if page.has_next and page.rows else "",
    }
    return render(request, "committee/students.html", context)


# --- One student ----------------------------------------------------------------------------
STATES = {
    "passed": gettext_lazy("passed"),
    "tolerable": gettext_lazy("tolerable fail"),
    "failed": gettext_lazy("intolerable fail"),
    "pending": gettext_lazy("no mark"),
    "tolerated": gettext_lazy("tolerated"),
}


def _credits(count: int) -> str:
    return ngettext("%(count)s credit", "%(count)s credits", count) % {"count": count}


def _figure_texts(figures: inventory.Figures) -> list[str]:
    """The figures of a standing as texts, in the order of ``FIGURE_LABELS``."""
    no_tolerance = _("no tolerance for this contract (Art. 91)")
    if figures.left is None:
        left = no_tolerance
    elif figures.left < 0:
        left = _("%(credits)s beyond the credit (Art. 70)") % {"credits": _credits(-figures.left)}
    else:
        left = _credits(figures.left)
    if figures.result_reached:
        result = _("reached")
    elif figures.passed:
        result = _("passed, but no programme result for this contract (Art. 14)")
    else:
        result = _("not reached")
    if not figures.result_reached:
        level = "–"
    elif figures.level is None:
        level = _("none (Art. 81)")
    elif figures.level_awarded:
        level = _("%(level)s, awarded by the committee (Art. 70)") % {"level": figures.level_text}
    else:
        level = figures.level_text
    return [
        no_tolerance if figures.credit is None else _credits(figures.credit),
        no_tolerance if figures.used is None else _credits(figures.used),
        left,
        _credits(figures.needed),
        "–" if figures.efficiency is None else f"{inventory.show_percentage(figures.efficiency)} %",
        result,
        "–" if figures.percentage is None else f"{figures.percentage_text} %",
        level,
        ", ".join(figures.automatic) or _("none"),
    ]


FIGURE_LABELS = (
    gettext_lazy("Tolerance credit (Art. 91)"),
    gettext_lazy("Tolerance credit used"),
    gettext_lazy("Tolerance credit left"),
    gettext_lazy("Tolerable fails not tolerated"),
    gettext_lazy("Study efficiency this year"),
    gettext_lazy("Programme result (Art. 79)"),
    gettext_lazy("Programme percentage (Art. 78)"),
    gettext_lazy("Level of achievement (Art. 81)"),
    gettext_lazy("Automatic tolerance (Art. 91 §3)"),
)


def _mark_text(figure: inventory.LineFigure | None) -> str:
    if figure is None:
        return "–"
    mark = exam_rules.mark_to_text(figure.mark) or "–"
    return f"{mark} · {STATES[figure.state]}"


def _present(section: inventory.Section) -> dict:
    """A section as rows for the page: the period's lines and the figures, as it is and with the
    proposed decision."""
    now, proposed = section.now, section.proposed
    names = {line.pk: line.course for line in section.lines}
    lines = []
    for figure in now.lines if now else ():
        after = proposed.line(figure.line) if proposed else None
        course = names.get(figure.line)
        lines.append(
            {
                "code": figure.code,
                "name": course.name if course else "",
                "credits": figure.credits,
                "examiner": exam_rules.mark_to_text(section.examiner.get(figure.line)) or "–",
                "now": _mark_text(figure),
                "proposed": _mark_text(after) if proposed else "",
                "changed": proposed is not None and _mark_text(after) != _mark_text(figure),
            }
        )
    figures = []
    if now is not None:
        before = _figure_texts(now)
        after = _figure_texts(proposed) if proposed else [""] * len(before)
        for label, old, new in zip(FIGURE_LABELS, before, after, strict=True):
            figures.append({"label": label, "now": old, "proposed": new, "changed": bool(proposed) and old != new})
    return {"section": section, "lines": lines, "figures": figures}


def _proposal(data) -> inventory.Proposal:
    kind = rules.DecisionKind(data["kind"])
    return inventory.Proposal(
        kind=kind,
        line=data.get("line") if kind != rules.DecisionKind.LEVEL_AWARDED else None,
        new_score=data.get("new_score") if kind == rules.DecisionKind.MARK_ADJUSTED else None,
        level=data.get("level") or "" if kind == rules.DecisionKind.LEVEL_AWARDED else "",
    )


def _proposal_text(proposal: inventory.Proposal | None, lines: dict[int, ISPLine]) -> str:
    """The proposal in words: "Mark adjusted (clearly unreasonable): E1, new mark 10"."""
    if proposal is None:
        return ""
    kind = rules.DecisionKind(proposal.kind)
    text = str(DecisionKind(kind).label)
    line = lines.get(proposal.line) if proposal.line is not None else None
    if line is not None:
        text += f": {line.course.code} {line.course.name}"
    if kind == rules.DecisionKind.MARK_ADJUSTED and proposal.new_score is not None:
        text += ", " + _("new mark %(mark)s") % {"mark": proposal.new_score}
    if kind == rules.DecisionKind.LEVEL_AWARDED and proposal.level:
        text += ": " + str(Level(proposal.level).label)
    return text


def _lines_and_postponements(deliberation, enrolments) -> tuple[list[ISPLine], list[Postponement]]:
    """The student's ISP lines of the year (not removed) with their course, and the deliberation's
    postponements of their results (Art. 69; one a line): one query, the postponement read with
    its line."""
    postponed = Postponement.objects.filter(deliberation=deliberation, isp_line=OuterRef("pk"))
    read = (
        ISPLine.objects.filter(enrolment__in=enrolments)
        .select_related("course", "enrolment")
        .annotate(
            postponement_pk=Subquery(postponed.values("pk")[:1]),
            postponement_on=Subquery(postponed.values("announce_on")[:1]),
            postponement_reason=Subquery(postponed.values("reason")[:1]),
        )
        .order_by("course__code", "pk")
    )
    lines, postponements = [], []
    for line in read:
        if line.postponement_pk is not None:
            postponements.append(
                Postponement(
                    pk=line.postponement_pk,
                    deliberation=deliberation,
                    isp_line=line,
                    announce_on=line.postponement_on,
                    reason=line.postponement_reason,
                )
            )
        if line.removed_on is None:
            lines.append(line)
    return lines, postponements


def _student_page(request, deliberation, number, *, decision_form=None, status=200):
    enrolments = inventory.student_enrolments(deliberation, number)
    decisions = list(
        deliberation.decisions.filter(student__number=number)
        .select_related("isp_line__course", "result", "vote_requested_by", "hearing")
        .order_by("pk")
    )
    lines, postponements = _lines_and_postponements(deliberation, enrolments)
    loaded = inventory.load(deliberation, enrolments, postponements=postponements, decisions=decisions)
    if not loaded.enrolments:
        raise Http404
    student = loaded.enrolments[0].student
    choices = [(line, loaded.marks[line.pk].examiner if line.pk in loaded.marks else None) for line in lines]
    user = request.user
    runs = scope(user).runs_committee(deliberation.committee_id)
    proposal = None
    if decision_form is not None:
        preview_form = ProposalForm(decision_form.data, lines=choices)
        # A refused decision keeps its preview: the proposal's own fields are valid.
        proposal_fields = ("kind", "line", "new_score", "level")
        if decision_form.is_bound and not any(name in decision_form.errors for name in proposal_fields):
            proposal = _proposal(decision_form.cleaned_data)
    else:
        preview_form = ProposalForm(request.GET if "kind" in request.GET else None, lines=choices)
        if preview_form.is_bound and preview_form.is_valid():
            proposal = _proposal(preview_form.cleaned_data)
    by_line = {line.pk: line for line in lines}
    open_meeting = deliberation.status == DeliberationStatus.OPEN and not _signed(deliberation)
    if runs and decision_form is None and proposal is not None and open_meeting:
        decision_form = DecisionForm(
            lines=choices,
            initial={
                "kind": proposal.kind,
                "line": proposal.line,
                "new_score": proposal.new_score,
                "level": proposal.level,
            },
        )
    context = {
        "deliberation": deliberation,
        "committee": deliberation.committee,
        "student": student,
        "sections": [_present(section) for section in inventory.student_sections(loaded, lines, proposal)],
        "proposal": proposal,
        "proposal_text": _proposal_text(proposal, by_line),
        "preview_form": preview_form,
        "decision_form": decision_form if runs else None,
        "runs": runs,
        "open_meeting": open_meeting,
        "decisions": decisions,
        "hearings": list(deliberation.hearings.filter(student=student).select_related("course")),
        "recusals": list(deliberation.recusals.filter(student=student).select_related("member")),
        "files": list(deliberation.files.filter(student=student).select_related("course", "indicated_by")),
    }
    return render(request, "committee/student.html", context, status=status)


@require_http_methods(["GET", "POST"])
@requires(Capability.COMMITTEE_PAGES)
def student_page(request, pk, number):
    """The student's standing for the deliberation, as it is and with a proposed decision given
    in the query string (?kind=&line=&new_score=&level=), computed by the rules before it is
    recorded; the decisions, hearings, recusals and files; the decision form (Art. 70) for
    those who run the meeting."""
    deliberation = selectors.deliberation_for(request.user, pk)
    if request.method == "GET":
        return _student_page(request, deliberation, number)
    if not scope(request.user).runs_committee(deliberation.committee_id):
        raise PermissionDenied
    enrolments = inventory.student_enrolments(deliberation, number)
    lines = {
        line.pk: line
        for line in ISPLine.objects.filter(enrolment__in=enrolments, removed_on__isnull=True).select_related(
            "course", "enrolment__student"
        )
    }
    if not lines and not enrolments.exists():
        raise Http404
    form = DecisionForm(request.POST, lines=[(line, None) for line in lines.values()])
    if form.is_valid():
        data = form.cleaned_data
        proposal = _proposal(data)
        seat = None
        if data["ask_vote"]:
            seat = next(iter(_seats(request.user, deliberation)), None)
            if seat is None:
                form.add_error("ask_vote", _("A vote is asked by a member of the committee (Art. 75)."))
        if not form.errors:
            student = enrolments.select_related("student").first().student
            try:
                decision = services.decision_record(
                    deliberation=deliberation,
                    student=student,
                    kind=proposal.kind,
                    reason=data["reason"],
                    isp_line=lines.get(proposal.line) if proposal.line is not None else None,
                    new_score=proposal.new_score,
                    level=proposal.level,
                    vote_requested_by=seat,
                    by=request.user,
                )
            except services.Refused as refused:
                for message in refused.messages:
                    form.add_error(None, message)
            else:
                if decision.vote_requested_by_id:
                    messages.success(request, _("The decision was proposed; it waits for the votes (Art. 75)."))
                else:
                    messages.success(request, _("The decision was recorded."))
                return redirect("committee:student", deliberation.pk, student.number)
    return _student_page(request, deliberation, number, decision_form=form, status=422)


urls = [
    path("deliberations/<int:pk>/inventory/", inventory_page, name="inventory"),
    path("deliberations/<int:pk>/inventory/files/", case_file_open, name="case_file_open"),
    path("deliberations/<int:pk>/inventory/postponements/", postponement_record, name="postponement_record"),
    path("deliberations/<int:pk>/students/", students_page, name="students"),
    path("deliberations/<int:pk>/students/<str:number>/", student_page, name="student"),
]
