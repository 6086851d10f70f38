"""The deliberation report's pages (Art. 82): the printable page, with the signatures of the
chair and the secretary and, once signed, the form for a corrected version; and the same report
as a PDF in the reader's language.

Who (core.permissions, Art. 72): the committee's members and the administration read the
report (another committee's is not found: 404; a coach or anybody without a seat: 403). The
chair and the secretary sign with their own seat, and so does a substitute who replaced one of
them at this meeting; a corrected version is started by those who run the committee (chair,
secretary, their substitutes). Any other POST is a 403. The rules and the writes are
``services.report_sign`` and ``services.report_correct``; what the report says is
``report.report_content``.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, path, reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core import clock
from core.dates import counted_when
from core.permissions import Capability, requires, scope
from progress.exports import _pdf_font, _pdf_stylesheet, pdf_bytes

from . import report as report_data
from . import rules, selectors, services
from .models import DeliberatedTally, Deliberation, DeliberationStatus, Member, Report


class CorrectionForm(forms.Form):
    correction = forms.CharField(
        label=gettext_lazy("What the new version corrects"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "A signed report is frozen (Art. 82): the correction opens the deliberation again, and the new "
            "version is signed by the chair and the secretary."
        ),
    )


# --- Who may do what ----------------------------------------------------------------------------
def signing_seats(user, deliberation: Deliberation, *, members=None, attendance=None) -> list[Member]:
    """The user's own seats on the committee that sign the report for this meeting (Art. 82): the
    chair's, the secretary's, or a substitute's who replaced one of them at this meeting. From the
    committee's ``members`` and the meeting's ``attendance`` when the page has read them."""
    if not user.is_authenticated:
        return []
    if members is None or attendance is None:
        seats = list(Member.objects.filter(committee_id=deliberation.committee_id, user=user))
        replacing = set(
            deliberation.attendance.filter(member__in=seats, replaces__isnull=False).values_list("member_id", flat=True)
        )
    else:
        seats = [m for m in members if m.user_id == user.pk]
        own = {seat.pk for seat in seats}
        replacing = {a.member_id for a in attendance if a.member_id in own and a.replaces_id is not None}
    return [
        seat
        for seat in seats
        if rules.Role(seat.role) in (rules.Role.CHAIR, rules.Role.SECRETARY)
        or (rules.Role(seat.role) in rules.SUBSTITUTES and seat.pk in replacing)
    ]


def _signs_for(seat: Member) -> str:
    """The seat (chair or secretary) a member signs for."""
    role = rules.Role(seat.role)
    return str(rules.SUBSTITUTES.get(role, role))


# --- Which version is shown ---------------------------------------------------------------------
def _shown(request, deliberation: Deliberation, versions: list[Report], **read) -> tuple[Report | None, dict, bool]:
    """The version asked for (``?version=``, a signed earlier version) or the current one: the
    report row, its content, and whether that content is frozen. ``versions``: every version, in
    order; ``read``: what the page read already, for ``report_content``. A report not signed yet
    states the students deliberated as last counted (``committee.tallies``); signing counts them
    exactly and keeps that count, so the page compares a first signature with the same count."""
    current = versions[-1] if versions else None
    asked = request.GET.get("version", "")
    if asked.isdigit() and (current is None or int(asked) != current.version):
        old = next((v for v in versions if v.version == int(asked)), None)
        if old is not None and old.signed:
            return old, old.content, True
    if current is not None and current.signed:
        return current, current.content, True
    return current, report_data.report_content(deliberation, read=False, current=current, kept=True, **read), False


def _deliberated_counted(deliberation: Deliberation) -> str:
    """When the kept count of the students deliberated was counted (``committee.tallies``); a
    deliberation never counted was counted for this page."""
    try:
        counted_at = deliberation.deliberated_tally.counted_at  # read with the deliberation
    except DeliberatedTally.DoesNotExist:
        return counted_when(clock.now(), clock.now())
    return counted_when(counted_at, clock.now())


def _deliberation_url(deliberation: Deliberation) -> str | None:
    """The deliberation's own page (committee.views), when it exists."""
    try:
        return reverse("committee:deliberation", args=[deliberation.pk])
    except NoReverseMatch:
        return None


def _context(request, deliberation: Deliberation) -> dict:
    # Read once: every version (the last is the current one), the committee's members and the
    # meeting's attendance, for the report, its signatures and the user's seats.
    versions = list(deliberation.reports.select_related("chair_signed_by", "secretary_signed_by").order_by("version"))
    read = {"members": list(deliberation.committee.members.all()), "attendance": list(deliberation.attendance.all())}
    report, content, frozen = _shown(request, deliberation, versions, **read)
    current = versions[-1] if versions else None
    is_current = report is None or current is None or report.pk == current.pk
    signatures = report_data.signatures(report)
    signed_sides = {row["seat"] for row in signatures if row["at"] is not None}
    closed = deliberation.status == DeliberationStatus.CLOSED
    seats = signing_seats(request.user, deliberation, **read) if is_current and not frozen else []
    return {
        # A report not signed yet states the students deliberated as last counted: say when.
        "deliberated_counted": "" if frozen else _deliberated_counted(deliberation),
        "deliberation": deliberation,
        "report": report,
        "content": report_data.display(content),
        "frozen": frozen,
        "is_current": is_current,
        "signatures": signatures,
        "versions": versions,
        # The second signature is put on the report as it stands then; say so when it changed
        # since the first one.
        "changed_since_signature": bool(report and not frozen and report.content and report.content != content),
        "sign_seats": [
            {"member": seat, "signs_for": _signs_for(seat)}
            for seat in seats
            if closed and _signs_for(seat) not in signed_sides
        ],
        "may_correct": frozen and is_current and scope(request.user).runs_committee(deliberation.committee_id),
        "deliberation_url": _deliberation_url(deliberation),
    }


# --- The pages ------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
@requires(Capability.COMMITTEE_PAGES)
def report(request, pk):
    """The deliberation report to read, print, sign and correct (Art. 82)."""
    deliberation = selectors.deliberation_for(request.user, pk)
    form = CorrectionForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "sign":
            return _sign(request, deliberation)
        if action != "correct":
            return HttpResponseBadRequest()
        if not scope(request.user).runs_committee(deliberation.committee_id):
            raise PermissionDenied
        form = CorrectionForm(request.POST)
        if form.is_valid():
            try:
                new = services.report_correct(
                    deliberation=deliberation, correction=form.cleaned_data["correction"], by=request.user
                )
            except services.Refused as refusal:
                for message in refusal.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _(
                        "Version %(version)s of the report is started and the deliberation is open again: "
                        "record the correction, close the deliberation and sign the new version (Art. 82)."
                    )
                    % {"version": new.version},
                )
                return redirect("committee:report", pk=deliberation.pk)
        deliberation.refresh_from_db()
    context = _context(request, deliberation) | {"correction_form": form}
    return render(request, "committee/report.html", context)


def _sign(request, deliberation: Deliberation):
    seats = {seat.pk: seat for seat in signing_seats(request.user, deliberation)}
    try:
        seat = seats[int(request.POST.get("member", ""))]
    except (KeyError, ValueError):
        raise PermissionDenied from None
    try:
        signed = services.report_sign(
            deliberation=deliberation,
            member=seat,
            content=report_data.report_content(deliberation),
            by=request.user,
        )
    except services.Refused as refusal:
        for message in refusal.messages:
            messages.error(request, message)
    else:
        if signed.signed:
            messages.success(
                request,
                _("The report is signed by the chair and the secretary: version %(version)s is frozen (Art. 82).")
                % {"version": signed.version},
            )
        else:
            messages.success(request, _("Your signature is recorded; the report waits for the other signature."))
    return redirect("committee:report", pk=deliberation.pk)


@require_GET
@requires(Capability.COMMITTEE_PAGES)
def report_pdf(request, pk):
    """The deliberation report as a PDF download, in the reader's language (Art. 82)."""
    deliberation = selectors.deliberation_for(request.user, pk)
    context = _context(request, deliberation) | {
        "pdf": True,
        "font": _pdf_font(),
        "stylesheet": _pdf_stylesheet(),
    }
    html = render_to_string("committee/report_pdf.html", context, request=request)
    response = HttpResponse(pdf_bytes(html), content_type="application/pdf")
    content = context["content"]
    filename = _("deliberation-report-%(committee)s-%(year)s-period-%(number)s-v%(version)s.pdf") % {
        "committee": slugify(content["committee"]["name"]) or "committee",
        "year": content["exam_period"]["academic_year"],
        "number": content["exam_period"]["number"],
        "version": content["version"],
    }
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


urls = [
    path("deliberations/<int:pk>/report/", report, name="report"),
    path("deliberations/<int:pk>/report.pdf", report_pdf, name="report_pdf"),
]
