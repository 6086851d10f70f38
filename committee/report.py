"""The deliberation report (Art. 82) as plain data: what the chair and the secretary sign.

Art. 82: the report is drawn up and signed by the chair and the secretary; it holds the
attendance list (Art. 71), for each student the decision of Art. 70, the compliance with the
procedure of Art. 71-75, and it refers to the marks kept in a secured electronic file by the
student administrative services centre.

``report_content`` is JSON-able (strings, numbers, booleans, ISO dates, lists, dicts): it is
stored in ``Report.content`` when the report is signed and frozen (``services.report_sign``), so
a signed report reads the same whatever changes later (a renamed member, a new hearing). It
keeps codes (role, presence, kind, outcome, ground, level), never translated texts: ``display``
turns them into the reader's language when the report is shown, so a frozen report reads in
Dutch or English alike.

What the report says about the votes (decided, Art. 72, 75, 82): the counts (for, against, not
counted), whether it was a tie and, for a tie, that the proposal most favourable to the
student was taken, and who asked for the vote. Who voted how is recorded (``Vote``) but not in
the report: Art. 82 asks for the decision and the compliance with Art. 71-75, which the counts
show (a simple majority of the valid votes, the tie rule), and Art. 72 binds the members to
secrecy on the voting. For the same reason a hearing's notes stay out of the report: it names
who was heard, about which course, on which day and who was present (Art. 74).
"""

import copy
import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exams.models import Level, Result

from . import rules, services, tallies
from .models import (
    Decision,
    DecisionKind,
    DecisionOutcome,
    Deliberation,
    HearingKind,
    MemberRole,
    Presence,
    RecusalGround,
)

# The order of the attendance list: the seats with a vote first, then the advisory members and
# the substitutes (Art. 68).
ROLE_ORDER = [
    rules.Role.CHAIR,
    rules.Role.SECRETARY,
    rules.Role.MEMBER,
    rules.Role.OMBUDSPERSON,
    rules.Role.CHAIR_SUBSTITUTE,
    rules.Role.SECRETARY_SUBSTITUTE,
]
SCHEMA = 1  # the shape of ``content``; a frozen report keeps the shape it was signed in


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _mark(result: Result | None) -> str | None:
    """The examiner's mark as the marks file keeps it: a score 0-20 or a grade (P, F, NA)."""
    if result is None:
        return None
    if result.score is not None:
        return str(result.score)
    return result.grade or None


def _student(student) -> dict:
    return {"number": student.number, "name": student.full_name}


def _course(course) -> dict | None:
    return {"code": course.code, "name": course.name} if course is not None else None


def _decided_on(deliberation: Deliberation) -> dict[int, datetime.date]:
    """The day each decision was recorded (its first history row, in the college's time zone)."""
    rows = (
        Decision.history.filter(deliberation_id=deliberation.pk, history_type="+")
        .order_by("history_date")
        .values_list("id", "history_date")
    )
    days: dict[int, datetime.date] = {}
    for pk, moment in rows:
        days.setdefault(pk, timezone.localtime(moment).date())
    return days


def _version(deliberation: Deliberation, report=services.UNREAD) -> tuple[int, str]:
    if report is services.UNREAD:
        report = services.current_report(deliberation)
    if report is None:
        return 1, ""
    return report.version, report.correction


def report_content(
    deliberation: Deliberation,
    *,
    read: bool = True,
    members=None,
    attendance=None,
    current=services.UNREAD,
    kept: bool = False,
) -> dict:
    """The deliberation report of ``deliberation`` as it stands now (Art. 82), as plain data.
    A page that has just read the deliberation with its committee and exam period (``read=False``),
    the committee's ``members``, the meeting's ``attendance`` and the ``current`` report passes
    them down instead of reading them again. The students deliberated are counted exactly (what
    is signed and frozen), or with ``kept`` taken as last counted (``committee.tallies``: the page
    of a report not signed yet; counting walks every result of the exam period)."""
    if read:
        deliberation = Deliberation.objects.select_related(
            "committee", "committee__academic_year", "exam_period", "exam_period__academic_year"
        ).get(pk=deliberation.pk)
    committee = deliberation.committee
    if members is None:
        members = list(committee.members.all())
    if attendance is None:
        attendance = list(deliberation.attendance.all())
    meeting = services.seats(deliberation, members=members, attendance=attendance)
    members = sorted(members, key=lambda m: (ROLE_ORDER.index(rules.Role(m.role)), m.name.casefold(), m.pk))
    by_id = {m.pk: m for m in members}
    attendance = {a.member_id: a for a in attendance}
    quorum = rules.quorum(meeting)
    voting = rules.voters(meeting)

    students: dict[int, dict] = {}

    def entry(student) -> dict:
        if student.pk not in students:
            students[student.pk] = _student(student) | {
                "sort": (student.last_name.casefold(), student.first_name.casefold(), student.number),
                "decisions": [],
                "hearings": [],
                "recusals": [],
                "postponements": [],
            }
        return students[student.pk]

    # Hearings (Art. 74): who was heard, about which course, when, who was present.
    hearings = list(deliberation.hearings.select_related("student", "course").order_by("held_on", "pk"))
    for hearing in hearings:
        entry(hearing.student)["hearings"].append(
            {
                "kind": hearing.kind,
                "heard": hearing.heard,
                "course": _course(hearing.course),
                "held_on": _iso(hearing.held_on),
                "present": hearing.present,
            }
        )

    # Recusals (Art. 73).
    recused: dict[int, set[int]] = {}
    for recusal in deliberation.recusals.select_related("student", "member").order_by("member__name", "pk"):
        recused.setdefault(recusal.student_id, set()).add(recusal.member_id)
        entry(recusal.student)["recusals"].append(
            {"member": recusal.member.name, "role": recusal.member.role, "ground": recusal.ground}
        )

    # Decisions (Art. 70) with their votes (Art. 75).
    decided_on = _decided_on(deliberation)
    decisions = list(
        deliberation.decisions.select_related(
            "student", "isp_line__course", "result", "hearing", "vote_requested_by"
        ).prefetch_related("votes")
    )
    unheard: list[dict] = []
    invalid_votes: list[dict] = []
    for decision in decisions:
        ballots = list(decision.votes.all())
        vote = None
        if decision.vote_requested_by_id is not None or ballots:
            counted = rules.count([b.ballot for b in ballots], favours_student=services.favours_student(decision))
            asked = decision.vote_requested_by
            vote = {
                "requested_by": asked.name if asked else None,
                "requested_by_role": asked.role if asked else None,
                "for": counted.votes_for,
                "against": counted.votes_against,
                "not_counted": counted.not_counted,
                "tie": counted.tie,
                "favours_student": services.favours_student(decision),
            }
        for ballot in ballots:
            # A ballot is cast by a member of the committee (read above, not once per ballot).
            voter = by_id.get(ballot.member_id) or ballot.member
            refusal = rules.vote_refusal(
                member=ballot.member_id,
                role=rules.Role(voter.role),
                voting=voting,
                recused=frozenset(recused.get(decision.student_id, ())),
            )
            if refusal is not None:
                invalid_votes.append(_student(decision.student) | {"member": voter.name, "refusal": str(refusal)})
        hearing = decision.hearing
        if decision.kind == DecisionKind.MARK_ADJUSTED:
            day = decided_on.get(decision.pk) or deliberation.closed_on
            heard = (
                hearing is not None
                and hearing.kind == HearingKind.EXAMINER
                and decision.isp_line is not None
                and hearing.course_id == decision.isp_line.course_id
                and (day is None or hearing.held_on <= day)
            )
            if not heard:
                course = decision.isp_line.course if decision.isp_line else None
                unheard.append(_student(decision.student) | {"course": _course(course)})
        entry(decision.student)["decisions"].append(
            {
                "kind": decision.kind,
                "course": _course(decision.isp_line.course) if decision.isp_line else None,
                "mark": decision.examiner_mark or _mark(decision.result),
                "new_mark": decision.new_score,
                "level": decision.level or None,
                "reason": decision.reason,
                "outcome": decision.outcome,
                "decided_on": _iso(decided_on.get(decision.pk)),
                "examiner_heard_on": _iso(hearing.held_on) if hearing else None,
                "vote": vote,
            }
        )

    # Results announced later (Art. 69, last paragraph).
    for postponement in deliberation.postponements.select_related(
        "isp_line__course", "isp_line__enrolment__student"
    ).order_by("announce_on", "pk"):
        entry(postponement.isp_line.enrolment.student)["postponements"].append(
            {
                "course": _course(postponement.isp_line.course),
                "announce_on": _iso(postponement.announce_on),
                "reason": postponement.reason,
            }
        )

    # As last counted for the page of a report not signed yet (counting walks every result of the period).
    deliberated = tallies.tally_of(deliberation).students if kept else tallies.deliberated(deliberation).count()
    compliance = rules.Compliance(quorum_met=quorum.met, adjustments_heard=not unheard, votes_valid=not invalid_votes)
    version, correction = _version(deliberation, current)
    period = deliberation.exam_period
    ordered = sorted(students.values(), key=lambda s: s["sort"])
    for student in ordered:
        del student["sort"]
    return {
        "schema": SCHEMA,
        "version": version,
        "correction": correction,
        "committee": {
            "name": committee.name,
            "academic_year": committee.academic_year.code,
            "approved_on": _iso(committee.approved_on),
        },
        "exam_period": {
            "academic_year": period.academic_year.code,
            "number": period.number,
            "results_published_on": _iso(period.results_published_on),
        },
        "meets_on": _iso(deliberation.meets_on),
        "place": deliberation.place,
        "opened_on": _iso(deliberation.opened_on),
        "closed_on": _iso(deliberation.closed_on),
        "attendance": [
            {
                "member": m.name,
                "role": m.role,
                "presence": attendance[m.pk].presence if m.pk in attendance else None,
                "replaces": (
                    by_id[attendance[m.pk].replaces_id].name
                    if m.pk in attendance and attendance[m.pk].replaces_id in by_id
                    else None
                ),
                "votes": m.pk in voting,
            }
            for m in members
        ],
        "quorum": {"members": quorum.members, "present": quorum.present, "met": quorum.met},
        "students": ordered,
        "students_deliberated": deliberated,
        "compliance": {
            "quorum_met": compliance.quorum_met,
            "adjustments_heard": compliance.adjustments_heard,
            "votes_valid": compliance.votes_valid,
            "met": compliance.met,
            "unheard": unheard,
            "invalid_votes": invalid_votes,
        },
        "marks": {"academic_year": period.academic_year.code, "exam_period": period.number},
    }


def frozen_or_current(deliberation: Deliberation) -> dict:
    """The report to show: the content signed and frozen when the current version is signed by
    the chair and the secretary (Art. 82), else the report as it stands now."""
    report = services.current_report(deliberation)
    if report is not None and report.signed:
        return report.content
    return report_content(deliberation)


# --- Showing a report in the reader's language ---------------------------------------------------
VOTE_REFUSAL_LABELS = {
    rules.VoteRefusal.ADVISORY: gettext_lazy("an advisory member, without a vote"),
    rules.VoteRefusal.RECUSED: gettext_lazy("recused for this student"),
    rules.VoteRefusal.NOT_PRESENT: gettext_lazy("not present with a vote"),
}


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _label(choices, code) -> str:
    """The label of ``code`` in the reader's language; a code the application no longer knows
    (a report frozen long ago) is shown as it was stored."""
    if not code:
        return ""
    try:
        return choices(code).label
    except ValueError:
        return str(code)


def _refusal_label(code: str) -> str:
    try:
        return str(VOTE_REFUSAL_LABELS[rules.VoteRefusal(code)])
    except ValueError:
        return code


def display(content: dict) -> dict:
    """``content`` for the template: dates as dates, codes with their labels in the current
    language. The stored content is not changed."""
    shown = copy.deepcopy(content)
    period = shown["exam_period"]
    period["label"] = _("%(year)s exam period %(number)s") % {
        "year": period["academic_year"],
        "number": period["number"],
    }
    period["results_published_on"] = _day(period.get("results_published_on"))
    shown["committee"]["approved_on"] = _day(shown["committee"].get("approved_on"))
    for key in ("meets_on", "opened_on", "closed_on"):
        shown[key] = _day(shown.get(key))
    for row in shown["attendance"]:
        row["role_label"] = _label(MemberRole, row["role"])
        row["presence_label"] = _label(Presence, row["presence"])
    for student in shown["students"]:
        for decision in student["decisions"]:
            decision["kind_label"] = _label(DecisionKind, decision["kind"])
            decision["outcome_label"] = _label(DecisionOutcome, decision["outcome"])
            decision["level_label"] = _label(Level, decision["level"])
            decision["decided_on"] = _day(decision.get("decided_on"))
            decision["examiner_heard_on"] = _day(decision.get("examiner_heard_on"))
            vote = decision.get("vote")
            if vote:
                vote["requested_by_role_label"] = _label(MemberRole, vote.get("requested_by_role"))
        for hearing in student["hearings"]:
            hearing["kind_label"] = _label(HearingKind, hearing["kind"])
            hearing["held_on"] = _day(hearing["held_on"])
        for recusal in student["recusals"]:
            recusal["role_label"] = _label(MemberRole, recusal["role"])
            recusal["ground_label"] = _label(RecusalGround, recusal["ground"])
        for postponement in student["postponements"]:
            postponement["announce_on"] = _day(postponement["announce_on"])
    for vote in shown["compliance"]["invalid_votes"]:
        vote["refusal_label"] = _refusal_label(vote["refusal"])
    shown["marks"]["period_label"] = period["label"]
    return shown


def signatures(report) -> list[dict]:
    """Who signed ``report`` (a ``Report`` or None) for the chair and for the secretary, and when."""
    rows = []
    for seat, member, at in (
        (MemberRole.CHAIR, getattr(report, "chair_signed_by", None), getattr(report, "chair_signed_at", None)),
        (
            MemberRole.SECRETARY,
            getattr(report, "secretary_signed_by", None),
            getattr(report, "secretary_signed_at", None),
        ),
    ):
        rows.append(
            {
                "seat": seat.value,
                "seat_label": str(seat.label),
                "member": member.name if member else None,
                "member_role_label": str(_label(MemberRole, member.role)) if member else "",
                "at": at,
            }
        )
    return rows
