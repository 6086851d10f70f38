"""The committee's writes (Art. 69-75, 82): keyword-only, in one transaction each; a refusal
changes nothing and names the article.

A deliberation is prepared (the select committee's inventory: files, postponements), opened,
its attendance recorded; in the meeting the committee hears, decides with reasons, votes when
asked, records recusals; then it is closed and its report signed by the chair and the
secretary. A signed report is frozen: a correction is a new version, which must be signed again.
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from core import errors
from core.audit import audited_save
from core.clock import now as clock_now
from core.clock import today as clock_today
from exams.models import Level
from exams.rules import outcome
from students.models import ISPLine, LineOutcome

from . import rules, tallies
from .models import (
    Attendance,
    CaseFile,
    Decision,
    DecisionOutcome,
    Deliberation,
    DeliberationStatus,
    Hearing,
    HearingKind,
    Member,
    Postponement,
    Recusal,
    Report,
    Vote,
)


class Refused(errors.Refused):
    """A write of the committee that the regulations refuse; nothing was written."""

    default_code = "committee_refused"


DECISION_REFUSALS = {
    rules.DecisionRefusal.NO_REASON: gettext_lazy(
        "A decision of the committee is carefully justified: give the reason (Art. 70)."
    ),
    rules.DecisionRefusal.NOT_OPEN: gettext_lazy(
        "The committee decides in its deliberation: open it first (Art. 70-71)."
    ),
    rules.DecisionRefusal.SIGNED: gettext_lazy(
        "The deliberation report is signed and frozen: a change needs a corrected version of the report (Art. 82)."
    ),
    rules.DecisionRefusal.NO_QUORUM: gettext_lazy(
        "Fewer than half of the members with a vote are present: the committee cannot decide (Art. 71)."
    ),
    rules.DecisionRefusal.EXAMINER_NOT_HEARD: gettext_lazy(
        "A mark judged clearly unreasonable is adjusted only after the examiner was heard (Art. 74): "
        "record the hearing first."
    ),
    rules.DecisionRefusal.NO_COURSE: gettext_lazy("Choose the course the decision is about (Art. 70)."),
    rules.DecisionRefusal.NO_MARK: gettext_lazy("Give the adjusted mark (Art. 70 §1)."),
    rules.DecisionRefusal.SAME_MARK: gettext_lazy(
        "The adjusted mark is the examiner's mark: nothing to adjust (Art. 70 §1)."
    ),
    rules.DecisionRefusal.NOT_A_FAIL: gettext_lazy(
        "Only an intolerable fail can be considered tolerable (Art. 70); this course is not one."
    ),
    rules.DecisionRefusal.NO_LEVEL: gettext_lazy("Choose the level of achievement awarded (Art. 70, 81)."),
}

VOTE_REFUSALS = {
    rules.VoteRefusal.ADVISORY: gettext_lazy("%(member)s is an advisory member: heard, without a vote (Art. 68)."),
    rules.VoteRefusal.RECUSED: gettext_lazy(
        "%(member)s does not take part in the deliberation of this student: the vote is refused (Art. 73)."
    ),
    rules.VoteRefusal.NOT_PRESENT: gettext_lazy("%(member)s is not present with a vote at this meeting (Art. 71, 75)."),
}

CLOSED = gettext_lazy(
    "This deliberation is closed: its attendance, hearings, files, decisions, votes and recusals are final "
    "(Art. 71-75); a change after the report is signed is a corrected version (Art. 82)."
)


# --- Reading the meeting as the rules see it ----------------------------------------------------
def seats(deliberation: Deliberation, *, members=None, attendance=None) -> list[rules.Seat]:
    """Every member of the committee with their attendance at this deliberation (the committee's
    ``members`` and the ``attendance`` rows when the caller has read them already)."""
    attendance = {a.member_id: a for a in (deliberation.attendance.all() if attendance is None else attendance)}
    return [
        rules.Seat(
            member=m.pk,
            role=rules.Role(m.role),
            presence=rules.Presence(attendance[m.pk].presence) if m.pk in attendance else None,
            replaces=attendance[m.pk].replaces_id if m.pk in attendance else None,
        )
        for m in (deliberation.committee.members.all() if members is None else members)
    ]


UNREAD = object()  # a value not read yet (``None`` is "there is none")


def current_report(deliberation: Deliberation) -> Report | None:
    return deliberation.reports.order_by("-version").first()


def is_signed(deliberation: Deliberation) -> bool:
    """Whether the report's current version is signed by the chair and the secretary (Art. 82)."""
    report = current_report(deliberation)
    return report is not None and report.signed


def _refused(refusal: rules.DecisionRefusal) -> Refused:
    """The refusal of ``refusal``, with the rule's code (as ``decision_record`` gives it)."""
    return Refused([errors.Problem(str(refusal), DECISION_REFUSALS[refusal])])


def _locked(deliberation: Deliberation) -> Deliberation:
    return Deliberation.objects.select_for_update(of=("self",)).select_related("committee").get(pk=deliberation.pk)


def _not_signed(deliberation: Deliberation) -> None:
    if is_signed(deliberation):
        raise _refused(rules.DecisionRefusal.SIGNED)


def _member_of(deliberation: Deliberation, member: Member) -> None:
    if member.committee_id != deliberation.committee_id:
        raise Refused([_("%(member)s is not a member of this committee (Art. 68).") % {"member": member.name}])


# --- Preparing and holding the meeting ----------------------------------------------------------
@transaction.atomic
def deliberation_open(*, deliberation: Deliberation, on: datetime.date | None = None, by=None) -> Deliberation:
    """Open the meeting (Art. 71): from now on the committee records attendance and decides."""
    deliberation = _locked(deliberation)
    _not_signed(deliberation)
    if deliberation.status == DeliberationStatus.CLOSED:
        raise Refused([CLOSED])
    if deliberation.status == DeliberationStatus.OPEN:
        return deliberation
    deliberation.status = DeliberationStatus.OPEN
    deliberation.opened_on = on or clock_today()
    audited_save(deliberation, by=by, reason=gettext_noop("deliberation opened"))
    return deliberation


@transaction.atomic
def attendance_record(
    *,
    deliberation: Deliberation,
    member: Member,
    presence: str,
    replaces: Member | None = None,
    by=None,
) -> Attendance:
    """Record whether ``member`` attends (Art. 71); a substitute who attends names the chair or
    secretary replaced."""
    deliberation = _locked(deliberation)
    _not_signed(deliberation)
    _member_of(deliberation, member)
    if deliberation.status == DeliberationStatus.CLOSED:
        raise Refused([_("This deliberation is closed: its attendance list is final (Art. 71).")])
    if presence not in {str(p) for p in rules.Presence}:
        raise Refused([_("Not a presence at the meeting: %(value)s (Art. 71).") % {"value": presence}])
    role = rules.Role(member.role)
    if replaces is not None:
        _member_of(deliberation, replaces)
        if rules.SUBSTITUTES.get(role) != rules.Role(replaces.role):
            raise Refused(
                [_("A substitute replaces the chair or the secretary only, as the composition says (Art. 68).")]
            )
    # One save, so that the history's first row names who recorded it and why.
    attendance = Attendance.objects.filter(deliberation=deliberation, member=member).first() or Attendance(
        deliberation=deliberation, member=member
    )
    attendance.presence, attendance.replaces = presence, replaces
    audited_save(attendance, by=by, reason=gettext_noop("attendance recorded"))
    return attendance


@transaction.atomic
def hearing_record(
    *,
    deliberation: Deliberation,
    kind: str,
    student,
    heard: str,
    held_on: datetime.date,
    present: str,
    course=None,
    notes: str = "",
    by=None,
) -> Hearing:
    """Record a hearing of an examiner or a student (Art. 74): who, on which day, who was present."""
    deliberation = _locked(deliberation)
    _not_signed(deliberation)
    if deliberation.status == DeliberationStatus.CLOSED:
        raise Refused([CLOSED])
    if not heard.strip() or not present.strip():
        raise Refused([_("Name who was heard and who was present at the hearing (Art. 74).")])
    if kind == HearingKind.EXAMINER and course is None:
        raise Refused([_("An examiner is heard about a course: choose it (Art. 74).")])
    hearing = Hearing(
        deliberation=deliberation,
        kind=kind,
        student=student,
        course=course,
        heard=heard.strip(),
        held_on=held_on,
        present=present.strip(),
        notes=notes,
    )
    audited_save(hearing, by=by, reason=gettext_noop("hearing recorded"))
    return hearing


@transaction.atomic
def recusal_record(*, deliberation: Deliberation, member: Member, student, ground: str, by=None) -> Recusal:
    """``member`` takes no part in the deliberation of ``student`` (Art. 73): a vote already cast
    on that student is removed and the decision counted again (Art. 75). Once the deliberation is
    closed its votes are final: a late recusal is refused (a signed report is corrected by a new
    version, which opens the deliberation again, Art. 82)."""
    deliberation = _locked(deliberation)
    _not_signed(deliberation)
    _member_of(deliberation, member)
    if deliberation.status == DeliberationStatus.CLOSED:
        raise Refused([CLOSED])
    recusal = Recusal.objects.filter(deliberation=deliberation, member=member, student=student).first()
    if recusal is None or recusal.ground != ground:
        recusal = recusal or Recusal(deliberation=deliberation, member=member, student=student)
        recusal.ground = ground
        audited_save(recusal, by=by, reason=gettext_noop("recusal recorded"))
    # A vote the member already cast on that student no longer counts.
    stale = Vote.objects.filter(decision__deliberation=deliberation, decision__student=student, member=member)
    for decision in Decision.objects.filter(pk__in=stale.values("decision")):
        stale.filter(decision=decision).delete()
        _count(decision, by=by)
    return recusal


@transaction.atomic
def case_file_open(
    *, deliberation: Deliberation, kind: str, student, description: str, indicated_by: Member, course=None, by=None
) -> CaseFile:
    """A file the select committee puts before the committee (Art. 69): irregularities or fraud
    indicated by the chair, special individual circumstances indicated by the ombudsperson."""
    deliberation = _locked(deliberation)
    _not_signed(deliberation)
    if deliberation.status == DeliberationStatus.CLOSED:
        raise Refused([CLOSED])
    _member_of(deliberation, indicated_by)
    if not description.strip():
        raise Refused([_("Describe the file (Art. 69).")])
    case = CaseFile(
        deliberation=deliberation,
        kind=kind,
        student=student,
        course=course,
        description=description.strip(),
        indicated_by=indicated_by,
    )
    audited_save(case, by=by, reason=gettext_noop("file opened"))
    return case


@transaction.atomic
def postponement_record(
    *, deliberation: Deliberation, isp_line: ISPLine, announce_on: datetime.date, reason: str, by=None
) -> Postponement:
    """The select committee announces ``isp_line``'s result later than the calendar date, with
    the reason (Art. 69, last paragraph)."""
    deliberation = _locked(deliberation)
    _not_signed(deliberation)
    if deliberation.status == DeliberationStatus.CLOSED:
        raise Refused([CLOSED])
    if not reason.strip():
        raise Refused([_("A later announcement is decided in a well-founded manner: give the reason (Art. 69).")])
    planned = deliberation.exam_period.results_published_on
    if planned and announce_on <= planned:
        raise Refused([_("A postponed result is announced after the calendar's publication date (Art. 69).")])
    postponement = Postponement.objects.filter(deliberation=deliberation, isp_line=isp_line).first() or Postponement(
        deliberation=deliberation, isp_line=isp_line
    )
    postponement.announce_on, postponement.reason = announce_on, reason.strip()
    audited_save(postponement, by=by, reason=gettext_noop("result postponed"))
    return postponement


# --- Decisions and votes (Art. 70, 73-75) -------------------------------------------------------
def _intolerable_fail(result, isp_line: ISPLine) -> bool:
    """Whether the examiner's mark is an intolerable fail (Art. 79, 91): under 10 and not an 8 or
    9 in a tolerable course, or F or NA; marks made of parts count by the line's outcome."""
    if result is not None and (result.score is not None or result.grade):
        mark = result.score if result.score is not None else result.grade
        return outcome(mark, tolerable_course=isp_line.course.tolerable) == LineOutcome.FAILED
    return isp_line.outcome == LineOutcome.FAILED


def _mark_text(result) -> str:
    """The examiner's mark as text (a score, P, F or NA), kept on the decision."""
    if result is None:
        return ""
    if result.score is not None:
        return str(result.score)
    return result.grade


def _line_score(isp_line: ISPLine | None, deliberation: Deliberation):
    """The examiner's proposal for the line in this exam period (its result), or None."""
    if isp_line is None:
        return None
    return isp_line.results.filter(exam_period=deliberation.exam_period).order_by("-opportunity").first()


@transaction.atomic
def decision_record(
    *,
    deliberation: Deliberation,
    student,
    kind: str,
    reason: str,
    isp_line: ISPLine | None = None,
    new_score: int | None = None,
    level: str = "",
    vote_requested_by: Member | None = None,
    by=None,
) -> Decision:
    """Record a decision about ``student`` (Art. 70). The committee acts as a college: the
    decision stands unless the chair, a member or the ombudsperson asks for a vote (Art. 75),
    in which case it waits for the votes."""
    deliberation = _locked(deliberation)
    kind = rules.DecisionKind(kind)
    if isp_line is not None and isp_line.enrolment.student_id != student.pk:
        raise Refused(
            [_("The committee decides about this student's own courses: this one is not in their programme (Art. 70).")]
        )
    if kind == rules.DecisionKind.MARK_ADJUSTED and new_score is not None and not 0 <= new_score <= 20:
        raise Refused([_("A mark is a whole number from 0 to 20 (Art. 54, 70 §1).")])
    result = _line_score(isp_line, deliberation)
    old_score = result.score if result is not None else None
    examiner_heard = (
        isp_line is not None
        and deliberation.hearings.filter(
            kind=HearingKind.EXAMINER, student=student, course_id=isp_line.course_id
        ).exists()
    )
    intolerable = isp_line is not None and _intolerable_fail(result, isp_line)
    problems = rules.decision_refusals(
        kind=kind,
        reason=reason,
        is_open=deliberation.status == DeliberationStatus.OPEN,
        signed=is_signed(deliberation),
        quorum_met=rules.quorum(seats(deliberation)).met,
        has_course=isp_line is not None,
        examiner_heard=examiner_heard,
        old_score=old_score,
        new_score=new_score,
        intolerable_fail=intolerable,
        level=level if level in Level.values else "",
    )
    if problems:
        raise Refused([errors.Problem(str(p), DECISION_REFUSALS[p]) for p in problems])
    if vote_requested_by is not None:
        _member_of(deliberation, vote_requested_by)
    decision = Decision(
        deliberation=deliberation,
        student=student,
        kind=kind,
        isp_line=isp_line,
        result=result,
        examiner_mark=_mark_text(result),
        new_score=new_score if kind == rules.DecisionKind.MARK_ADJUSTED else None,
        level=level if kind == rules.DecisionKind.LEVEL_AWARDED else "",
        hearing=(
            deliberation.hearings.filter(kind=HearingKind.EXAMINER, student=student, course_id=isp_line.course_id)
            .order_by("-held_on")
            .first()
            if kind == rules.DecisionKind.MARK_ADJUSTED
            else None
        ),
        reason=reason.strip(),
        outcome=DecisionOutcome.PROPOSED if vote_requested_by else DecisionOutcome.ADOPTED,
        vote_requested_by=vote_requested_by,
    )
    audited_save(decision, by=by, reason=gettext_noop("decision recorded"))
    return decision


def favours_student(decision: Decision) -> bool:
    return rules.favours_student(
        decision.kind,
        old_score=decision.result.score if decision.result_id else None,
        new_score=decision.new_score,
    )


@transaction.atomic
def vote_request(*, decision: Decision, member: Member, by=None) -> Decision:
    """The chair, a member or the ombudsperson asks for a vote on ``decision`` (Art. 75)."""
    deliberation = _locked(decision.deliberation)
    _not_signed(deliberation)
    _member_of(deliberation, member)
    if deliberation.status != DeliberationStatus.OPEN:
        raise _refused(rules.DecisionRefusal.NOT_OPEN)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.vote_requested_by_id is None:
        decision.vote_requested_by = member
        decision.outcome = DecisionOutcome.PROPOSED
        audited_save(decision, by=by, reason=gettext_noop("vote requested"))
    return decision


@transaction.atomic
def votes_record(*, decision: Decision, ballots: dict[Member, str], by=None) -> rules.Count:
    """Record the members' votes on ``decision`` and count them (Art. 75). A vote of an advisory,
    absent or recused member is refused (Art. 68, 71, 73), and so is a vote without quorum."""
    deliberation = _locked(decision.deliberation)
    _not_signed(deliberation)
    if deliberation.status != DeliberationStatus.OPEN:
        raise _refused(rules.DecisionRefusal.NOT_OPEN)
    meeting = seats(deliberation)
    if not rules.quorum(meeting).met:
        raise _refused(rules.DecisionRefusal.NO_QUORUM)
    decision = Decision.objects.select_for_update(of=("self",)).select_related("result").get(pk=decision.pk)
    voting = rules.voters(meeting)
    recused = frozenset(
        deliberation.recusals.filter(student_id=decision.student_id).values_list("member_id", flat=True)
    )
    problems = []
    for member, ballot in ballots.items():
        _member_of(deliberation, member)
        refusal = rules.vote_refusal(member=member.pk, role=rules.Role(member.role), voting=voting, recused=recused)
        if refusal is not None:
            problems.append(errors.Problem(str(refusal), VOTE_REFUSALS[refusal] % {"member": member.name}))
        elif ballot not in {str(b) for b in rules.Ballot}:
            problems.append(errors.Problem("ballot", _("Not a vote: %(value)s (Art. 75).") % {"value": ballot}))
    if problems:
        raise Refused(problems)
    for member, ballot in ballots.items():
        Vote.objects.update_or_create(decision=decision, member=member, defaults={"ballot": ballot})
    if decision.vote_requested_by_id is None:
        decision.vote_requested_by = Member.objects.filter(
            committee_id=deliberation.committee_id, role=rules.Role.CHAIR
        ).first()
    return _count(decision, by=by)


def _count(decision: Decision, *, by=None) -> rules.Count:
    counted = rules.count(decision.votes.values_list("ballot", flat=True), favours_student=favours_student(decision))
    decision.outcome = DecisionOutcome.ADOPTED if counted.adopted else DecisionOutcome.REJECTED
    audited_save(decision, by=by, reason=gettext_noop("votes counted"))
    return counted


@transaction.atomic
def deliberation_close(*, deliberation: Deliberation, on: datetime.date | None = None, by=None) -> Deliberation:
    """Close the meeting: its decisions are final; a decision still waiting for votes is refused."""
    deliberation = _locked(deliberation)
    if deliberation.status != DeliberationStatus.OPEN:
        raise Refused([_("Only an open deliberation can be closed (Art. 71-75).")])
    waiting = deliberation.decisions.filter(outcome=DecisionOutcome.PROPOSED).count()
    if waiting:
        raise Refused(
            [
                ngettext(
                    "A vote was asked on %(count)s decision and has not been counted yet (Art. 75).",
                    "Votes were asked on %(count)s decisions and have not been counted yet (Art. 75).",
                    waiting,
                )
                % {"count": waiting}
            ]
        )
    deliberation.status = DeliberationStatus.CLOSED
    deliberation.closed_on = on or clock_today()
    _release(deliberation)
    audited_save(deliberation, by=by, reason=gettext_noop("deliberation closed"))
    tallies.count(deliberation)  # the report to sign states the students deliberated (Art. 82), exactly
    return deliberation


def _release(deliberation: Deliberation) -> None:
    """Closing after the calendar's publication day releases the programmes the deliberation held:
    their results are published on the day it closes, and every clock that runs from the
    publication runs from that day for their students (EXCHANGE.md, held publications; the
    publication asks ``publication.held_programmes``). The calendar's day is kept on the
    deliberation."""
    period = deliberation.exam_period
    if deliberation.closed_on > period.results_published_on:
        deliberation.publication_planned_on = deliberation.publication_planned_on or period.results_published_on


# --- The report (Art. 82) -----------------------------------------------------------------------
@transaction.atomic
def report_sign(*, deliberation: Deliberation, member: Member, content: dict, at=None, by=None) -> Report:
    """The chair or the secretary (or their substitute at this meeting) signs the current version
    of the report; when both have signed, ``content`` (the report as shown) is frozen (Art. 82).
    ``content`` counts the students deliberated exactly (``report.report_content``): that count
    is kept (``committee.tallies``) in this transaction, so the page, which shows the kept count,
    compares the signed content with the report as it stands on the same count."""
    deliberation = _locked(deliberation)
    _member_of(deliberation, member)
    if deliberation.status != DeliberationStatus.CLOSED:
        raise Refused([_("The report is signed after the deliberation is closed (Art. 82).")])
    role = rules.Role(member.role)
    attendance = {a.member_id: a for a in deliberation.attendance.all()}
    seat_of = rules.SUBSTITUTES.get(role, role)
    if seat_of not in (rules.Role.CHAIR, rules.Role.SECRETARY):
        raise Refused([_("The report is signed by the chair and the secretary (Art. 82).")])
    if role in rules.SUBSTITUTES and (member.pk not in attendance or attendance[member.pk].replaces_id is None):
        raise Refused([_("A substitute signs only for the chair or secretary replaced at this meeting (Art. 68, 82).")])
    report = Report.objects.select_for_update().filter(deliberation=deliberation).order_by("-version").first()
    if report is None:
        report = Report(deliberation=deliberation, version=1)
    if report.signed:
        raise _refused(rules.DecisionRefusal.SIGNED)
    moment = at or clock_now()
    if seat_of == rules.Role.CHAIR:
        report.chair_signed_by, report.chair_signed_at = member, moment
    else:
        report.secretary_signed_by, report.secretary_signed_at = member, moment
    report.content = content
    audited_save(report, by=by, reason=gettext_noop("report signed"))
    if isinstance(content.get("students_deliberated"), int):
        tallies.keep(deliberation, content["students_deliberated"])
    return report


@transaction.atomic
def report_correct(*, deliberation: Deliberation, correction: str, by=None) -> Report:
    """Start a corrected version of a signed report (Art. 82): the deliberation is open again for
    the correction, and the new version must be signed by the chair and the secretary."""
    deliberation = _locked(deliberation)
    report = current_report(deliberation)
    if report is None or not report.signed:
        raise Refused([_("Only a signed report is corrected by a new version (Art. 82); this one is not signed yet.")])
    if not correction.strip():
        raise Refused([_("Say what the new version corrects (Art. 82).")])
    new = Report(deliberation=deliberation, version=report.version + 1, correction=correction.strip())
    audited_save(new, by=by, reason=gettext_noop("report corrected"))
    deliberation.status = DeliberationStatus.OPEN
    audited_save(deliberation, by=by, reason=gettext_noop("deliberation reopened for a correction"))
    return new
