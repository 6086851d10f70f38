"""The examination committee's home and meeting page (Art. 71-75).

Each view is guarded by ``core.permissions.requires(COMMITTEE_PAGES)`` (a seat on a committee,
or the administration) and finds the deliberation through ``selectors.deliberation_for``: a
deliberation of another committee is not found (404; Art. 72 keeps it secret). Those who run
the meeting (``Scope.runs_committee``: chair, secretary, their substitutes, a superuser) open and
close it and record attendance, hearings, recusals and votes; any seat holder may ask for a vote
(Art. 75); anyone else who reads the page gets a 403 on a write. Every write goes through
``committee.services``: a refusal is shown and nothing is written. Decisions themselves are
recorded on the per-student page (``inventory_views``).
"""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core import clock
from core.permissions import Capability, requires, scope
from programmes.selectors import year_dates
from students.models import Student

from . import rules, selectors, services
from .forms import AttendanceForm, HearingForm, RecusalForm, VoteRequestForm, VotesForm
from .models import DecisionOutcome, DeliberationStatus, Member, MemberRole, Report

# How many signed deliberations the home lists (the most recent first).
SIGNED_SHOWN = 10
ROLE_ORDER = {role: index for index, role in enumerate(MemberRole.values)}


# --- The home ----------------------------------------------------------------------------------
@require_GET
@requires(Capability.COMMITTEE_PAGES)
def home(request):
    """The user's deliberations: to prepare, open, to sign (closed, the current report not signed
    by both, Art. 82) and the last ones signed."""
    deliberations = selectors.deliberations_for(request.user).annotate(
        decision_count=Count("decisions"),
        awaiting_vote=Count("decisions", filter=Q(decisions__outcome=DecisionOutcome.PROPOSED)),
    )
    active = list(deliberations.exclude(status=DeliberationStatus.CLOSED))
    closed = deliberations.filter(status=DeliberationStatus.CLOSED).prefetch_related(
        Prefetch("reports", queryset=Report.objects.order_by("-version"), to_attr="versions")
    )
    to_sign, signed = [], []
    for deliberation in closed:
        report = deliberation.versions[0] if deliberation.versions else None
        deliberation.report = report
        (signed if report is not None and report.signed else to_sign).append(deliberation)
    groups = [
        ("prepared", _("To prepare"), [d for d in active if d.status == DeliberationStatus.PREPARED]),
        ("open", _("Open deliberations"), [d for d in active if d.status == DeliberationStatus.OPEN]),
        ("to-sign", _("To sign"), to_sign),
        ("signed", _("Signed (the latest)"), signed[:SIGNED_SHOWN]),
    ]
    seats = Member.objects.filter(user=request.user).select_related("committee__academic_year")
    return render(request, "committee/home.html", {"groups": groups, "seats": seats})


# --- The meeting page ----------------------------------------------------------------------------
def _meeting(request, pk):
    """The deliberation (404 outside the user's committees) with its committee's members and its
    attendance read once, for the page and for ``services.seats``."""
    deliberation = selectors.deliberation_for(request.user, pk)
    prefetch_related_objects(
        [deliberation],
        "attendance",
        Prefetch("committee__members", queryset=Member.objects.select_related("programme")),
    )
    return deliberation


def _runs(request, deliberation) -> bool:
    return scope(request.user).runs_committee(deliberation.committee_id)


def _require_running(request, deliberation) -> None:
    """403 for a user who reads the page but does not run the meeting (Art. 68)."""
    if not _runs(request, deliberation):
        raise PermissionDenied


def _members(deliberation) -> list[Member]:
    return sorted(deliberation.committee.members.all(), key=lambda m: (ROLE_ORDER.get(m.role, len(ROLE_ORDER)), m.name))


def _own_seat(request, deliberation) -> Member | None:
    return next((m for m in _members(deliberation) if m.user_id == request.user.pk), None)


def _students(deliberation):
    """The students the committee deliberates on: enrolled in its programmes that year with a
    result in the exam period (a queryset; the forms read only the student whose number is given)."""
    committee = deliberation.committee
    return (
        Student.objects.filter(
            enrolments__academic_year_id=committee.academic_year_id,
            enrolments__programme__in=selectors.programmes_of(committee),
            enrolments__lines__results__exam_period_id=deliberation.exam_period_id,
        )
        .distinct()
        .order_by("last_name", "first_name", "number")
    )


def _attendance_form(deliberation, data=None):
    return AttendanceForm(
        data,
        members=_members(deliberation),
        attendance={a.member_id: a for a in deliberation.attendance.all()},
    )


def _hearing_form(deliberation, data=None):
    today = clock.today()
    year = deliberation.committee.academic_year
    return HearingForm(
        data,
        students=_students(deliberation),
        academic_year=year,
        date_range=year_dates(year=year, today=today),
        today=today,
        initial={"held_on": today},
    )


def _recusal_form(deliberation, data=None):
    return RecusalForm(data, members=_members(deliberation), students=_students(deliberation))


def _voters(deliberation, seats=None) -> list[Member]:
    """The members who vote at this meeting (Art. 71, 75), in the page's order."""
    voting = rules.voters(services.seats(deliberation) if seats is None else seats)
    return [m for m in _members(deliberation) if m.pk in voting]


def _votes_form(deliberation, decision, data=None, *, voters=None, recused=None):
    if recused is None:
        recused = frozenset(
            deliberation.recusals.filter(student_id=decision.student_id).values_list("member_id", flat=True)
        )
    return VotesForm(
        data,
        voters=_voters(deliberation) if voters is None else voters,
        recused=recused,
        ballots={vote.member_id: vote.ballot for vote in decision.votes.all()},
        prefix=f"v{decision.pk}",
    )


def _request_form(deliberation, decision, data=None, *, own_seat=None):
    members = _members(deliberation)
    chair = next((m for m in members if m.role == MemberRole.CHAIR), None)
    asker = own_seat or chair
    return VoteRequestForm(
        data, members=members, prefix=f"r{decision.pk}", initial={"member": asker.pk if asker else None}
    )


def _decision_rows(deliberation, *, members, seats, recusals, runs, own_seat, live, forms):
    """Each decision with its votes counted (Art. 75) and the forms the user may use on it."""
    by_pk = {m.pk: m for m in members}
    voters = _voters(deliberation, seats)
    recused = defaultdict(set)
    for recusal in recusals:
        recused[recusal.student_id].add(recusal.member_id)
    decisions = deliberation.decisions.select_related("student", "isp_line__course", "result").prefetch_related("votes")
    rows = []
    for decision in decisions:
        votes = sorted(decision.votes.all(), key=lambda v: (ROLE_ORDER.get(by_pk[v.member_id].role, 0), v.member_id))
        row = {
            "decision": decision,
            "votes": [(by_pk[v.member_id], v) for v in votes],
            "count": (
                rules.count([v.ballot for v in votes], favours_student=services.favours_student(decision))
                if votes
                else None
            ),
            "requested_by": by_pk.get(decision.vote_requested_by_id),
        }
        if ("request", decision.pk) in forms:
            row["request_form"] = forms[("request", decision.pk)]
        elif live and decision.vote_requested_by_id is None:
            if runs:
                row["request_form"] = _request_form(deliberation, decision, own_seat=own_seat)
            elif own_seat is not None:
                row["may_ask"] = True
        if ("votes", decision.pk) in forms:
            row["votes_form"] = forms[("votes", decision.pk)]
        elif live and runs and decision.vote_requested_by_id is not None:
            row["votes_form"] = _votes_form(
                deliberation, decision, voters=voters, recused=frozenset(recused[decision.student_id])
            )
        rows.append(row)
    return rows


def _page(request, deliberation, *, forms=None, status=200):
    forms = forms or {}
    runs = _runs(request, deliberation)
    members = _members(deliberation)
    seats = services.seats(deliberation)
    report = services.current_report(deliberation)
    signed = report is not None and report.signed
    is_open = deliberation.status == DeliberationStatus.OPEN
    closed = deliberation.status == DeliberationStatus.CLOSED
    own_seat = _own_seat(request, deliberation)
    attendance = {a.member_id: a for a in deliberation.attendance.all()}
    by_pk = {m.pk: m for m in members}
    recusals = list(
        deliberation.recusals.select_related("member", "student").order_by(
            "student__last_name", "student__first_name", "member__name"
        )
    )
    writes = runs and not signed and not closed
    context = {
        "deliberation": deliberation,
        "committee": deliberation.committee,
        "members": [
            (
                member,
                attendance.get(member.pk),
                by_pk.get(attendance[member.pk].replaces_id) if member.pk in attendance else None,
            )
            for member in members
        ],
        "quorum": rules.quorum(seats),
        "report": report,
        "signed": signed,
        "runs": runs,
        "own_seat": own_seat,
        "hearings": deliberation.hearings.select_related("student", "course"),
        "recusals": recusals,
        "decisions": _decision_rows(
            deliberation,
            members=members,
            seats=seats,
            recusals=recusals,
            runs=runs,
            own_seat=own_seat,
            live=is_open and not signed,
            forms=forms,
        ),
        "may_open": runs and not signed and deliberation.status == DeliberationStatus.PREPARED,
        "may_close": runs and not signed and is_open,
    }
    # A form sent back with its errors is shown even when the page would no longer offer it (the
    # deliberation was closed meanwhile): the user sees why nothing was written.
    for key, make in (("attendance", _attendance_form), ("hearing", _hearing_form), ("recusal", _recusal_form)):
        if key in forms:
            context[f"{key}_form"] = forms[key]
        elif writes:
            context[f"{key}_form"] = make(deliberation)
    return render(request, "committee/deliberation.html", context, status=status)


@require_GET
@requires(Capability.COMMITTEE_PAGES)
def deliberation(request, pk):
    return _page(request, _meeting(request, pk))


# --- The writes ----------------------------------------------------------------------------------
def _back(deliberation, anchor=""):
    url = reverse("committee:deliberation", args=[deliberation.pk])
    return redirect(f"{url}#{anchor}" if anchor else url)


def _refused(form, refused) -> None:
    for message in refused.messages:
        form.add_error(None, message)


def _button(request, deliberation, call, done, anchor=""):
    """A write without a form: the refusal's messages, or ``done``, through the messages framework."""
    try:
        call()
    except services.Refused as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return _back(deliberation, anchor)


@require_POST
@requires(Capability.COMMITTEE_PAGES)
def deliberation_open(request, pk):
    deliberation = _meeting(request, pk)
    _require_running(request, deliberation)
    return _button(
        request,
        deliberation,
        lambda: services.deliberation_open(deliberation=deliberation, by=request.user),
        _("The deliberation is open."),
    )


@require_POST
@requires(Capability.COMMITTEE_PAGES)
def deliberation_close(request, pk):
    deliberation = _meeting(request, pk)
    _require_running(request, deliberation)
    return _button(
        request,
        deliberation,
        lambda: services.deliberation_close(deliberation=deliberation, by=request.user),
        _("The deliberation is closed: the report can be signed."),
    )


@require_POST
@requires(Capability.COMMITTEE_PAGES)
def attendance_record(request, pk):
    """Every changed row of the attendance list, all or nothing (Art. 71)."""
    deliberation = _meeting(request, pk)
    _require_running(request, deliberation)
    form = _attendance_form(deliberation, request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                for member, presence, replaces in form.changes():
                    services.attendance_record(
                        deliberation=deliberation, member=member, presence=presence, replaces=replaces, by=request.user
                    )
        except services.Refused as refused:
            _refused(form, refused)
        else:
            messages.success(request, _("The attendance was recorded."))
            return _back(deliberation, "attendance")
    return _page(request, deliberation, forms={"attendance": form}, status=422)


@require_POST
@requires(Capability.COMMITTEE_PAGES)
def hearing_record(request, pk):
    deliberation = _meeting(request, pk)
    _require_running(request, deliberation)
    form = _hearing_form(deliberation, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.hearing_record(
                deliberation=deliberation,
                kind=data["kind"],
                student=data["student"],
                course=data["course"],
                heard=data["heard"],
                held_on=data["held_on"],
                present=data["present"],
                notes=data["notes"],
                by=request.user,
            )
        except services.Refused as refused:
            _refused(form, refused)
        else:
            messages.success(request, _("The hearing was recorded."))
            return _back(deliberation, "hearings")
    return _page(request, deliberation, forms={"hearing": form}, status=422)


@require_POST
@requires(Capability.COMMITTEE_PAGES)
def recusal_record(request, pk):
    deliberation = _meeting(request, pk)
    _require_running(request, deliberation)
    form = _recusal_form(deliberation, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.recusal_record(
                deliberation=deliberation,
                member=data["member"],
                student=data["student"],
                ground=data["ground"],
                by=request.user,
            )
        except services.Refused as refused:
            _refused(form, refused)
        else:
            messages.success(request, _("The recusal was recorded."))
            return _back(deliberation, "recusals")
    return _page(request, deliberation, forms={"recusal": form}, status=422)


@require_POST
@requires(Capability.COMMITTEE_PAGES)
def vote_request(request, pk, decision):
    """Any seat holder asks for a vote with their own seat (Art. 75); whoever runs the meeting
    records who asked (the form's member)."""
    deliberation = _meeting(request, pk)
    decision = get_object_or_404(deliberation.decisions.all(), pk=decision)
    member = _own_seat(request, deliberation)
    if _runs(request, deliberation) and (f"r{decision.pk}-member" in request.POST or member is None):
        form = _request_form(deliberation, decision, request.POST)
        if not form.is_valid():
            return _page(request, deliberation, forms={("request", decision.pk): form}, status=422)
        member = form.cleaned_data["member"]
    elif member is None:
        raise PermissionDenied
    return _button(
        request,
        deliberation,
        lambda: services.vote_request(decision=decision, member=member, by=request.user),
        _("%(member)s asked for a vote.") % {"member": member.name},
        f"decision-{decision.pk}",
    )


@require_POST
@requires(Capability.COMMITTEE_PAGES)
def votes_record(request, pk, decision):
    """The ballots of the members present with a vote, counted (Art. 75); a refused vote writes
    nothing (Art. 71, 73)."""
    deliberation = _meeting(request, pk)
    _require_running(request, deliberation)
    decision = get_object_or_404(deliberation.decisions.select_related("result").prefetch_related("votes"), pk=decision)
    form = _votes_form(deliberation, decision, request.POST)
    if form.is_valid():
        try:
            counted = services.votes_record(decision=decision, ballots=form.ballots(), by=request.user)
        except services.Refused as refused:
            _refused(form, refused)
        else:
            outcome = _("adopted") if counted.adopted else _("rejected")
            messages.success(
                request,
                _("The votes were counted: %(for)s for, %(against)s against, %(not_counted)s not counted; %(outcome)s.")
                % {
                    "for": counted.votes_for,
                    "against": counted.votes_against,
                    "not_counted": counted.not_counted,
                    "outcome": outcome,
                },
            )
            return _back(deliberation, f"decision-{decision.pk}")
    return _page(request, deliberation, forms={("votes", decision.pk): form}, status=422)


urls = [
    path("", home, name="home"),
    path("deliberations/<int:pk>/", deliberation, name="deliberation"),
    path("deliberations/<int:pk>/open/", deliberation_open, name="deliberation_open"),
    path("deliberations/<int:pk>/close/", deliberation_close, name="deliberation_close"),
    path("deliberations/<int:pk>/attendance/", attendance_record, name="attendance_record"),
    path("deliberations/<int:pk>/hearings/", hearing_record, name="hearing_record"),
    path("deliberations/<int:pk>/recusals/", recusal_record, name="recusal_record"),
    path("deliberations/<int:pk>/decisions/<int:decision>/vote-request/", vote_request, name="vote_request"),
    path("deliberations/<int:pk>/decisions/<int:decision>/votes/", votes_record, name="votes_record"),
]
