"""The fraud procedure's writes (Art. 74, 83-85, 92): keyword-only, in one transaction each; a
refusal changes nothing and names the article.

A file is opened from the examiner's report and notified to the chair and the ombudsperson
(Art. 84); evidence is attached within the configured size and types; a plagiarism file is
investigated and weighed (Art. 84-85); the examiner and the student are heard (Art. 74, 84);
the complete committee decides (Art. 85 §1, §3); a 6°/7° sanction or an annulment waits for the
advice of an ombudsperson and the Student Council's chair and the fraud authority's ratification
(Art. 85 §2). This increment records the procedure; the sanctions' effects (marks, measures,
certificates) are applied by the services of a later increment.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from committee import rules as committee_rules
from committee.models import Committee, Deliberation, DeliberationStatus
from committee.selectors import committee_of
from committee.services import DECISION_REFUSALS as COMMITTEE_DECISION_REFUSALS
from committee.services import is_signed, seats
from core import errors, events, gates
from core.audit import audited_save
from core.clock import now as clock_now
from core.clock import today as clock_today
from exams.models import Result
from exams.publication import publication_days
from exams.rules import FAIL, NOT_TAKEN, PASS
from programmes.models import Course
from students.models import Enrolment, ISPLine

from . import rules
from .models import (
    DecisionStatus,
    Evidence,
    FileKind,
    FraudDecision,
    FraudFile,
    FraudHearing,
    HearingKind,
    Investigation,
    Ratification,
)


class Refused(errors.Refused):
    """A write of the fraud procedure that the regulations refuse; nothing was written."""

    default_code = "fraud_refused"


EVIDENCE_REFUSALS = {
    rules.EvidenceRefusal.EMPTY: gettext_lazy("%(name)s is empty: attach the evidence itself (Art. 84)."),
    rules.EvidenceRefusal.TOO_LARGE: gettext_lazy(
        "%(name)s is larger than the %(limit)s allowed for a piece of evidence (Art. 84)."
    ),
    rules.EvidenceRefusal.TYPE_NOT_ALLOWED: gettext_lazy(
        "%(name)s is not of a type allowed for evidence (%(types)s) (Art. 84)."
    ),
}
EVIDENCE_CONTENT = "evidence_content_mismatch"

INVESTIGATION_REFUSALS = {
    rules.InvestigationRefusal.CHAIR_MISSING: gettext_lazy(
        "The committee's chair investigates the plagiarism: name the chair (Art. 84)."
    ),
    rules.InvestigationRefusal.TEACHER_MISSING: gettext_lazy(
        "The teacher concerned investigates with the chair: name the teacher (Art. 84)."
    ),
    rules.InvestigationRefusal.PROGRAMME_HEAD_MISSING: gettext_lazy(
        "The head of the programme investigates with the chair: name the programme head (Art. 84)."
    ),
    rules.InvestigationRefusal.NO_FINDINGS: gettext_lazy(
        "Record the findings: whether plagiarism was committed and how grave it is (Art. 84)."
    ),
}

DECISION_REFUSALS = {
    rules.DecisionRefusal.NO_REASON: gettext_lazy("A sanction is a decision with reasons: give them (Art. 85)."),
    rules.DecisionRefusal.NO_SANCTION: gettext_lazy(
        "Choose at least one sanction of Art. 85 §1 or the annulment of §3 (Art. 85)."
    ),
    rules.DecisionRefusal.EXAMINER_NOT_HEARD: gettext_lazy(
        "The examiner has not been heard yet: the committee decides only after the hearings (Art. 74, 84)."
    ),
    rules.DecisionRefusal.STUDENT_NOT_HEARD: gettext_lazy(
        "The student has not been heard yet: the chair hears the student before any decision (Art. 74, 84)."
    ),
    rules.DecisionRefusal.NO_OMBUDSPERSON_AT_HEARING: gettext_lazy(
        "The student was heard without an ombudsperson present: hear the student again with one (Art. 84)."
    ),
    rules.DecisionRefusal.SANCTION_ON_DISPUTE: gettext_lazy(
        "A dispute during an exam has its own outcome, not a sanction; fraud opens a fraud file (Art. 92)."
    ),
    rules.DecisionRefusal.NOT_INVESTIGATED: gettext_lazy(
        "Plagiarism is decided on only after the investigation by the chair, the teacher and the programme head "
        "(Art. 84)."
    ),
    rules.DecisionRefusal.FACTORS_NOT_WEIGHED: gettext_lazy(
        "Weigh the proportion, the kind, the student's experience and the intention before deciding on "
        "plagiarism (Art. 85)."
    ),
    rules.DecisionRefusal.NOT_VALIDLY_TAKEN_NOT_ALONE: gettext_lazy(
        "An exam not validly taken is retaken: 1° stands alone, without other sanctions (Art. 85 §1 1°)."
    ),
    rules.DecisionRefusal.MARK_AND_ZERO: gettext_lazy(
        "An appropriate mark and a zero are two results for the same exam: choose one (Art. 85 §1 2°, 3°)."
    ),
    rules.DecisionRefusal.MARK_AND_EXCLUSION: gettext_lazy(
        "An exclusion from the programme takes every result of the period: no appropriate mark with it "
        "(Art. 85 §1 2°, 6°)."
    ),
    rules.DecisionRefusal.NO_MARK: gettext_lazy("Give the appropriate mark (Art. 85 §1 2°)."),
    rules.DecisionRefusal.MARK_NOT_ALLOWED: gettext_lazy(
        "The appropriate mark is 0 to 20, or P or F for a pass/fail course (Art. 65-66, 85 §1 2°)."
    ),
    rules.DecisionRefusal.MARK_WITHOUT_SANCTION: gettext_lazy(
        "A mark belongs to the sanction 2°: choose it or leave the mark out (Art. 85 §1 2°)."
    ),
    rules.DecisionRefusal.RESULTS_ANNOUNCED: gettext_lazy(
        "Zero for the exams of the period only for results not yet officially communicated: these were (Art. 85 §1 4°)."
    ),
    rules.DecisionRefusal.NO_RESULTS: gettext_lazy("Choose the results set to zero (Art. 85 §1 4°)."),
    rules.DecisionRefusal.RESULTS_WITHOUT_SANCTION: gettext_lazy(
        "Results set to zero belong to the sanction 4°: choose it or leave them out (Art. 85 §1 4°)."
    ),
    rules.DecisionRefusal.NO_COURSES: gettext_lazy("Choose the courses the student is excluded from (Art. 85 §1 5°)."),
    rules.DecisionRefusal.COURSES_WITHOUT_SANCTION: gettext_lazy(
        "Excluded courses belong to the sanction 5°: choose it or leave them out (Art. 85 §1 5°)."
    ),
    rules.DecisionRefusal.NOT_GROSS: gettext_lazy(
        "An exclusion from the programme or an annulment only for a gross irregularity, as the committee judges "
        "it (Art. 85 §1 6°, §3)."
    ),
    rules.DecisionRefusal.THESIS_CHANGE_WITHOUT_EXCLUSION: gettext_lazy(
        "A change of thesis subject or supervisor comes only with an exclusion from the programme (Art. 85 §1 6°)."
    ),
    rules.DecisionRefusal.BAN_WITHOUT_EXCLUSION: gettext_lazy(
        "The loss of the right to enrol is imposed only together with the exclusion from the programme (Art. 85 §1 7°)."
    ),
    rules.DecisionRefusal.BAN_YEARS: gettext_lazy(
        "The loss of the right to enrol is for the next academic year or the next two: 1 or 2 years (Art. 85 §1 7°)."
    ),
    rules.DecisionRefusal.BAN_YEARS_WITHOUT_BAN: gettext_lazy(
        "Years without enrolment belong to the sanction 7°: choose it or leave them out (Art. 85 §1 7°)."
    ),
    rules.DecisionRefusal.SET_ASIDE_NOT_ALLOWED: gettext_lazy(
        "The highest result of the year is set aside only with a sanction other than 1° (Art. 85 §1)."
    ),
    rules.DecisionRefusal.NO_CERTIFICATES: gettext_lazy("Choose the certificates annulled (Art. 77, 85 §3)."),
    rules.DecisionRefusal.CERTIFICATES_WITHOUT_ANNULMENT: gettext_lazy(
        "Certificates are annulled only by an annulment: choose it or leave them out (Art. 77, 85 §3)."
    ),
}

RATIFICATION_REFUSALS = {
    rules.RatificationRefusal.NOT_NEEDED: gettext_lazy(
        "This decision needs no ratification: only an exclusion from the programme, a loss of the right to "
        "enrol or an annulment does (Art. 85 §2-3)."
    ),
    rules.RatificationRefusal.NO_OMBUDSPERSON_ADVICE: gettext_lazy(
        "The fraud authority decides after the advice of an ombudsperson: record it first (Art. 85 §2)."
    ),
    rules.RatificationRefusal.COUNCIL_ADVICE_NOT_REQUESTED: gettext_lazy(
        "The fraud authority decides after the advice of the Student Council's chair: request it first (Art. 85 §2)."
    ),
    rules.RatificationRefusal.COUNCIL_ADVICE_PENDING: gettext_lazy(
        "The Student Council's chair has 48 hours to advise, until %(deadline)s: wait for the advice or the "
        "end of the 48 hours (Art. 85 §2)."
    ),
}


def _problems(codes, texts, **params) -> list[errors.Problem]:
    return [errors.Problem(str(code), (texts[code] % params) if params else texts[code]) for code in codes]


def _locked(fraud_file: FraudFile) -> FraudFile:
    return (
        FraudFile.objects.select_for_update(of=("self",)).select_related("exam_period", "course").get(pk=fraud_file.pk)
    )


# --- The file (Art. 84, 92) ---------------------------------------------------------------------
@transaction.atomic
def fraud_file_open(
    *,
    kind: str,
    student,
    course: Course,
    exam_period,
    reported_by: str,
    what_happened: str,
    committee: Committee | None = None,
    exam_moment=None,
    assignment: str = "",
    reported_on: datetime.date | None = None,
    reported_by_user=None,
    deliberation: Deliberation | None = None,
    notified_on: datetime.date | None = None,
    by=None,
) -> FraudFile:
    """Open a file from the examiner's report (Art. 84; a dispute during an exam, Art. 92): the
    course, the exam moment or the assignment, what happened. The report goes to the committee's
    chair and the ombudsperson (``notified_on``, the day of the report unless given). The committee
    is the one competent for the course's programme that year (Art. 68), found when not given.
    The student may go on with the session: nothing else changes."""
    kind = FileKind(kind)
    problems = []
    if not (what_happened or "").strip():
        problems.append(_("Describe what happened at the exam or in the assignment (Art. 84)."))
    if not (reported_by or "").strip():
        problems.append(_("Name the examiner who reports the irregularity (Art. 84)."))
    if exam_moment is None and not (assignment or "").strip():
        problems.append(_("Choose the exam moment, or describe the assignment, the irregularity concerns (Art. 84)."))
    if exam_moment is not None and (exam_moment.course_id != course.pk or exam_moment.exam_period_id != exam_period.pk):
        problems.append(_("The exam moment is not one of this course in this exam period (Art. 84)."))
    competent = committee_of(course.programme, exam_period.academic_year)
    if committee is None:
        committee = competent
    if committee is None or committee.pk != getattr(competent, "pk", None):
        problems.append(
            _(
                "The file goes to the examination committee competent for the course's programme that year "
                "(Art. 68, 84)."
            )
        )
    if deliberation is not None and committee is not None and deliberation.committee_id != committee.pk:
        problems.append(_("The deliberation is not one of this examination committee (Art. 68)."))
    if problems:
        raise Refused(problems)
    reported_on = reported_on or clock_today()
    notified_on = notified_on or reported_on
    fraud_file = FraudFile(
        kind=kind,
        student=student,
        course=course,
        exam_period=exam_period,
        exam_moment=exam_moment,
        assignment=(assignment or "").strip(),
        reported_on=reported_on,
        reported_by=reported_by.strip(),
        reported_by_user=reported_by_user,
        what_happened=what_happened.strip(),
        committee=committee,
        deliberation=deliberation,
        notified_chair_on=notified_on,
        notified_ombudsperson_on=notified_on,
    )
    audited_save(fraud_file, by=by, reason=gettext_noop("fraud file opened"))
    return fraud_file


# The first bytes of each allowed type (a .txt is text: UTF-8 without NUL bytes).
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "zip": (b"PK\x03\x04", b"PK\x05\x06"),
}


def _content_matches(extension: str, head: bytes) -> bool:
    """Whether the file's first bytes are of its type (a text has no NUL byte)."""
    if extension == "txt":
        return b"\x00" not in head
    signatures = _SIGNATURES.get(extension)
    return signatures is None or head.startswith(signatures)


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit} bytes"


@transaction.atomic
def evidence_add(*, fraud_file: FraudFile, upload, on: datetime.date | None = None, by=None) -> Evidence:
    """Attach a piece of evidence to the file (Art. 84: the incriminating evidence confiscated):
    at most ``settings.FRAUD_EVIDENCE_MAX_BYTES``, of a type in ``FRAUD_EVIDENCE_EXTENSIONS``, and
    its content of that type. ``upload``: a Django ``File`` (an uploaded file) with a name."""
    fraud_file = _locked(fraud_file)
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1]
    size = upload.size or 0
    limit = settings.FRAUD_EVIDENCE_MAX_BYTES
    allowed = [e.lower().lstrip(".") for e in settings.FRAUD_EVIDENCE_EXTENSIONS]
    codes = rules.evidence_refusals(name=name, size=size, max_bytes=limit, allowed_extensions=allowed)
    if codes:
        raise Refused(
            _problems(codes, EVIDENCE_REFUSALS, name=name or "?", limit=_size(limit), types=", ".join(allowed))
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _content_matches(name.rpartition(".")[2].lower(), head):
        raise Refused(
            [
                errors.Problem(
                    EVIDENCE_CONTENT,
                    _("The content of %(name)s is not what its type says (Art. 84).") % {"name": name},
                )
            ]
        )
    evidence = Evidence(fraud_file=fraud_file, name=name, size=size, added_on=on or clock_today())
    evidence.file.save(name, upload, save=False)
    stored = evidence.file.name
    try:
        audited_save(evidence, by=by, reason=gettext_noop("evidence added"))
    except Exception:
        evidence.file.storage.delete(stored)
        raise
    return evidence


# --- Plagiarism: the investigation (Art. 84-85) -------------------------------------------------
@transaction.atomic
def investigation_record(
    *,
    fraud_file: FraudFile,
    chair: str,
    teacher: str,
    programme_head: str,
    findings: str,
    expert: str = "",
    proportion: str = "",
    plagiarism_kind: str = "",
    experience: str = "",
    intention: str = "",
    on: datetime.date | None = None,
    by=None,
) -> Investigation:
    """Record the plagiarism investigation (Art. 84) by the chair, the teacher and the programme
    head (an expert optional), its findings and the weighing factors of Art. 85 (proportion, kind,
    experience, intention; each may be recorded later, the decision needs all four). Recorded
    again, it replaces the earlier record (the history keeps it)."""
    fraud_file = _locked(fraud_file)
    if fraud_file.kind != FileKind.PLAGIARISM:
        raise Refused(
            [_("Only plagiarism is investigated by the chair, the teacher and the programme head (Art. 84).")]
        )
    codes = rules.investigation_refusals(
        chair=bool(chair.strip()),
        teacher=bool(teacher.strip()),
        programme_head=bool(programme_head.strip()),
        findings=findings,
    )
    if codes:
        raise Refused(_problems(codes, INVESTIGATION_REFUSALS))
    investigation = Investigation.objects.filter(fraud_file=fraud_file).first() or Investigation(fraud_file=fraud_file)
    investigation.chair, investigation.teacher = chair.strip(), teacher.strip()
    investigation.programme_head, investigation.expert = programme_head.strip(), expert.strip()
    investigation.findings = findings.strip()
    investigation.proportion, investigation.plagiarism_kind = proportion.strip(), plagiarism_kind.strip()
    investigation.experience, investigation.intention = experience.strip(), intention.strip()
    investigation.recorded_on = on or clock_today()
    audited_save(investigation, by=by, reason=gettext_noop("plagiarism investigation recorded"))
    return investigation


# --- Hearings (Art. 74, 84, 92) -----------------------------------------------------------------
@transaction.atomic
def hearing_record(
    *,
    fraud_file: FraudFile,
    kind: str,
    heard_by: str,
    held_on: datetime.date | None = None,
    ombudsperson: str = "",
    notes: str = "",
    by=None,
) -> FraudHearing:
    """Record a hearing (Art. 74, 84): the examiner heard, or the student heard by the chair in
    the presence of an ombudsperson (a dispute's hearing, Art. 92, needs none)."""
    fraud_file = _locked(fraud_file)
    kind = HearingKind(kind)
    held_on = held_on or clock_today()
    problems = []
    if not heard_by.strip():
        problems.append(_("Name who heard (Art. 74, 84)."))
    if kind == HearingKind.STUDENT and fraud_file.kind != FileKind.DISPUTE and not ombudsperson.strip():
        problems.append(
            errors.Problem(
                str(rules.HearingRefusal.NO_OMBUDSPERSON_AT_HEARING),
                _("The chair hears the student in the presence of an ombudsperson: name the ombudsperson (Art. 84)."),
            )
        )
    if held_on < fraud_file.reported_on:
        problems.append(_("A hearing is held after the report, not before it (Art. 84)."))
    if problems:
        raise Refused(problems)
    hearing = FraudHearing(
        fraud_file=fraud_file,
        kind=kind,
        held_on=held_on,
        heard_by=heard_by.strip(),
        ombudsperson=ombudsperson.strip(),
        notes=notes,
    )
    audited_save(hearing, by=by, reason=gettext_noop("fraud hearing recorded"))
    return hearing


def hearings_held(fraud_file: FraudFile) -> dict[str, bool]:
    """The hearings as ``rules.hearing_refusals`` takes them."""
    hearings = list(fraud_file.hearings.all())
    students = [h for h in hearings if h.kind == HearingKind.STUDENT]
    return {
        "examiner_heard": any(h.kind == HearingKind.EXAMINER for h in hearings),
        "student_heard": bool(students),
        "ombudsperson_present_at_student_hearing": any(h.ombudsperson for h in students),
    }


# --- The decision (Art. 85 §1, §3) --------------------------------------------------------------
def _mark(value) -> object:
    """A mark as ``exams.rules`` has it: an int, or P / F / NA."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip().upper()
    if text.isdigit():
        return int(text)
    return text if text in (PASS, FAIL, NOT_TAKEN) else text


def _deliberation_problems(deliberation: Deliberation, fraud_file: FraudFile) -> list[errors.Problem]:
    if deliberation.committee_id != fraud_file.committee_id:
        return [
            errors.Problem("wrong_committee", _("The deliberation is not one of this examination committee (Art. 68)."))
        ]
    codes = committee_rules.decision_refusals(
        kind=committee_rules.DecisionKind.MARK_ADJUSTED,
        reason="-",
        is_open=deliberation.status == DeliberationStatus.OPEN,
        signed=is_signed(deliberation),
        quorum_met=committee_rules.quorum(seats(deliberation)).met,
        has_course=True,
        examiner_heard=True,
        old_score=None,
        new_score=None,
        intolerable_fail=False,
        level="",
    )
    meeting = {committee_rules.DecisionRefusal.NOT_OPEN, committee_rules.DecisionRefusal.SIGNED}
    meeting.add(committee_rules.DecisionRefusal.NO_QUORUM)
    return [errors.Problem(str(c), COMMITTEE_DECISION_REFUSALS[c]) for c in codes if c in meeting]


def _retake_problems(moment, chosen, fraud_file: FraudFile, decided_on: datetime.date) -> list:
    """The retake of 1° (Art. 85 §1 1°): at an exam moment the cluster sets for the file's course,
    this academic year, not before the decision; only with 1°."""
    if moment is None:
        return []
    if rules.Sanction.NOT_VALIDLY_TAKEN not in chosen:
        return [
            errors.Problem(
                "retake_without_sanction",
                _("A retake moment belongs to the sanction 1°: choose it or leave the moment out (Art. 85 §1 1°)."),
            )
        ]
    if (
        moment.course_id != fraud_file.course_id
        or moment.exam_period.academic_year_id != fraud_file.exam_period.academic_year_id
        or moment.on < decided_on
    ):
        return [
            errors.Problem(
                "retake_moment",
                _(
                    "The retake is an exam moment of the same course, this academic year, after the decision "
                    "(Art. 85 §1 1°)."
                ),
            )
        ]
    return []


@transaction.atomic
def decision_record(
    *,
    fraud_file: FraudFile,
    sanctions,
    reason: str,
    decided_on: datetime.date | None = None,
    deliberation: Deliberation | None = None,
    new_mark=None,
    zeroed_results=(),
    courses=(),
    judged_gross: bool = False,
    thesis_change: bool = False,
    ban_years: int | None = None,
    set_aside_highest_result: bool = False,
    annulment: bool = False,
    annulled_certificates=(),
    retake_moment=None,
    by=None,
) -> FraudDecision:
    """The complete committee's decision on the file (Art. 85 §1, §3), with reasons, in a
    deliberation (open, report not signed, quorum met: Art. 71, 82) or at an earlier meeting
    (``deliberation`` None). Refused before both hearings (Art. 74, 84), for plagiarism before the
    investigation and the weighing (Art. 84-85), and by every rule of ``rules.decision_refusals``
    (4° only on results not yet announced: the file's period and every period of
    ``zeroed_results`` not yet published). ``zeroed_results``: ``exams.models.Result``s or ids;
    ``courses``: ``Course``s or ids (5°); ``annulled_certificates``: the student's ``ISPLine``s or
    ids (§3); ``retake_moment``: the ``ExamMoment`` the cluster sets for the retake of 1° (optional).
    A decision that needs ratification (6°, 7°, §3) waits for it; any other is final.
    A file has one decision in force: a new one only after the fraud authority did not ratify."""
    fraud_file = _locked(fraud_file)
    chosen = [rules.Sanction(s) for s in sanctions]
    problems: list = []
    latest = fraud_file.decisions.order_by("-pk").first()
    if latest is not None and latest.status not in (DecisionStatus.NOT_RATIFIED, DecisionStatus.SET_ASIDE):
        problems.append(
            errors.Problem(
                "already_decided",
                _(
                    "The committee has decided on this file; it decides anew only when the fraud authority does not "
                    "ratify or an appeal sets the decision aside (Art. 85 §2, 101 g)."
                ),
            )
        )
    if deliberation is not None:
        problems += _deliberation_problems(deliberation, fraud_file)
    result_ids = [getattr(r, "pk", r) for r in zeroed_results]
    results = list(
        Result.objects.filter(pk__in=result_ids, isp_line__enrolment__student_id=fraud_file.student_id).select_related(
            "exam_period__academic_year"
        )
    )
    course_ids = [getattr(c, "pk", c) for c in courses]
    certificate_ids = [getattr(c, "pk", c) for c in annulled_certificates]
    certificates = ISPLine.objects.filter(pk__in=certificate_ids, enrolment__student_id=fraud_file.student_id)
    if len(results) != len(set(result_ids)) or len(certificates) != len(set(certificate_ids)):
        problems.append(
            errors.Problem("not_the_students", _("The committee decides about this student's own results (Art. 85)."))
        )
    if Course.objects.filter(pk__in=course_ids).count() != len(set(course_ids)):
        problems.append(errors.Problem("unknown_course", _("Choose existing courses (Art. 85 §1 5°).")))
    periods = {fraud_file.exam_period.pk: fraud_file.exam_period} | {r.exam_period_id: r.exam_period for r in results}
    # Announced: the period's results reached the student's programme (a held programme waits).
    programmes = dict(
        Enrolment.objects.filter(
            student_id=fraud_file.student_id, academic_year_id__in={p.academic_year_id for p in periods.values()}
        ).values_list("academic_year_id", "programme_id")
    )
    announced = bool(
        publication_days(
            (p, programmes[p.academic_year_id]) for p in periods.values() if p.academic_year_id in programmes
        )
    )
    investigation = Investigation.objects.filter(fraud_file=fraud_file).first()
    mark = _mark(new_mark)
    codes = rules.decision_refusals(
        sanctions=chosen,
        reason=reason,
        **hearings_held(fraud_file),
        file_kind=rules.FileKind(fraud_file.kind),
        investigated=investigation is not None,
        factors_weighed=investigation.weighed() if investigation else (),
        new_mark=mark,
        pass_fail=fraud_file.course.pass_fail,
        results_announced=announced,
        zeroed_results=result_ids,
        courses=course_ids,
        judged_gross=judged_gross,
        thesis_change=thesis_change,
        ban_years=ban_years,
        set_aside_highest_result=set_aside_highest_result,
        annulment=annulment,
        annulled_certificates=certificate_ids,
    )
    problems += _problems(codes, DECISION_REFUSALS)
    problems += _retake_problems(retake_moment, chosen, fraud_file, decided_on or clock_today())
    if problems:
        raise Refused(problems)
    waits = rules.needs_ratification(chosen, annulment)
    decision = FraudDecision(
        fraud_file=fraud_file,
        deliberation=deliberation,
        sanctions=[str(s) for s in sorted(chosen, key=lambda s: s.number)],
        reason=reason.strip(),
        decided_on=decided_on or clock_today(),
        new_mark="" if mark is None else str(mark),
        zeroed_results=sorted(set(result_ids)),
        excluded_courses=sorted(set(course_ids)),
        judged_gross=judged_gross,
        thesis_change=thesis_change,
        ban_years=ban_years,
        set_aside_highest_result=set_aside_highest_result,
        annulment=annulment,
        annulled_certificates=sorted(set(certificate_ids)),
        retake_moment=retake_moment,
        status=DecisionStatus.AWAITING_RATIFICATION if waits else DecisionStatus.FINAL,
    )
    audited_save(decision, by=by, reason=gettext_noop("fraud decision recorded"))
    if decision.status == DecisionStatus.FINAL:
        _final_announce(decision, final_on=decision.decided_on)
    return decision


def _final_announce(decision: FraudDecision, *, final_on: datetime.date) -> None:
    """The student is told of a final sanction (Art. 85; DOMAIN §11): announced in the decision's
    transaction; the notification's sent date becomes ``notified_on`` (``decision_notify``)."""
    if not decision.sanctions and not decision.annulment:
        return
    fraud_file = FraudFile.objects.select_related("course", "exam_period__academic_year").get(pk=decision.fraud_file_id)
    events.decision_announce(
        sender="fraud",
        kind="fraud_sanction",
        decided_on=final_on,
        object_label="fraud.FraudDecision",
        object_id=decision.pk,
        student_ids=[fraud_file.student_id],
        data={
            "course": f"{fraud_file.course.code} {fraud_file.course.name}",
            "exam_period": fraud_file.exam_period.number,
            "academic_year": str(fraud_file.exam_period.academic_year),
            "sanctions": list(decision.sanctions),
            "annulment": decision.annulment,
            "decided_on": final_on,
        },
    )


# --- Ratification (Art. 85 §2-3) ----------------------------------------------------------------
def _aware(*moments: datetime.datetime | None) -> list:
    if any(m is not None and (m.tzinfo is None or m.utcoffset() is None) for m in moments):
        return [_("Give the date and time with its time zone: the 48 hours run from it (Art. 85 §2).")]
    return []


def _awaiting(decision: FraudDecision) -> FraudDecision:
    decision = FraudDecision.objects.select_for_update().get(pk=decision.pk)
    if not decision.needs_ratification:
        code = rules.RatificationRefusal.NOT_NEEDED
        raise Refused(_problems([code], RATIFICATION_REFUSALS))
    if decision.status != DecisionStatus.AWAITING_RATIFICATION:
        raise Refused(
            [
                errors.Problem(
                    "not_awaiting", _("The fraud authority has already decided on this decision (Art. 85 §2).")
                )
            ]
        )
    return decision


@transaction.atomic
def advice_record(
    *,
    decision: FraudDecision,
    ombudsperson_advice: str | None = None,
    ombudsperson_advice_on: datetime.date | None = None,
    council_advice_requested_at: datetime.datetime | None = None,
    council_advice: str | None = None,
    council_advice_given_at: datetime.datetime | None = None,
    by=None,
) -> Ratification:
    """Record the advice the fraud authority decides after (Art. 85 §2): an ombudsperson's, and the
    Student Council chair's, with the date and time it was requested (the 48 hours run from it)
    and given. Only what is passed changes; a decision that needs no ratification has no advice."""
    decision = _awaiting(decision)
    problems = _aware(council_advice_requested_at, council_advice_given_at)
    if ombudsperson_advice is not None and not ombudsperson_advice.strip():
        problems.append(_("Give the ombudsperson's advice (Art. 85 §2)."))
    if council_advice is not None and not council_advice.strip():
        problems.append(_("Give the Student Council chair's advice (Art. 85 §2)."))
    if problems:
        raise Refused(problems)
    ratification = Ratification.objects.filter(decision=decision).first() or Ratification(decision=decision)
    if ombudsperson_advice is not None:
        ratification.ombudsperson_advice = ombudsperson_advice.strip()
        ratification.ombudsperson_advice_on = ombudsperson_advice_on or clock_today()
    if council_advice_requested_at is not None:
        ratification.council_advice_requested_at = council_advice_requested_at
    if council_advice is not None:
        if ratification.council_advice_requested_at is None:
            raise Refused([_("Record when the Student Council chair's advice was requested (Art. 85 §2).")])
        given = council_advice_given_at or clock_now()
        if given < ratification.council_advice_requested_at:
            raise Refused([_("An advice is given after it was requested (Art. 85 §2).")])
        ratification.council_advice, ratification.council_advice_given_at = council_advice.strip(), given
    audited_save(ratification, by=by, reason=gettext_noop("advice recorded"))
    return ratification


def advice_deadline(ratification: Ratification | None) -> datetime.datetime | None:
    """When the Student Council chair's 48 hours end (Art. 85 §2), or None before the request."""
    if ratification is None or ratification.council_advice_requested_at is None:
        return None
    return rules.advice_deadline(ratification.council_advice_requested_at)


def council_advice_may_be_disregarded(ratification: Ratification | None, *, now=None) -> bool:
    """Whether the chair's advice, requested and not given, may now be disregarded (Art. 85 §2)."""
    if ratification is None or ratification.council_advice_requested_at is None or ratification.council_advice:
        return False
    return rules.advice_may_be_disregarded(
        requested_at=ratification.council_advice_requested_at, now=now or clock_now()
    )


@transaction.atomic
def ratification_record(
    *, decision: FraudDecision, ratified: bool, reason: str = "", on: datetime.date | None = None, by=None
) -> Ratification:
    """The fraud authority ratifies the decision, or does not (Art. 85 §2-3), after the advice of
    an ombudsperson and of the Student Council's chair, whose advice requested and not given within
    48 hours may be disregarded. Ratified: the decision is final. Not ratified: the authority gives
    its reasoning and the committee decides anew (``decision_record`` on the same file)."""
    decision = FraudDecision.objects.select_for_update().get(pk=decision.pk)
    ratification = Ratification.objects.filter(decision=decision).first()
    codes = rules.ratification_refusals(
        sanctions=decision.sanctions,
        annulment=decision.annulment,
        ombudsperson_advice_given=bool(ratification and ratification.ombudsperson_advice),
        council_advice_given=bool(ratification and ratification.council_advice),
        council_advice_requested_at=ratification.council_advice_requested_at if ratification else None,
        now=clock_now(),
    )
    if codes:
        deadline = advice_deadline(ratification)
        shown = date_format(timezone.localtime(deadline), "DATETIME_FORMAT") if deadline else ""
        raise Refused(_problems(codes, RATIFICATION_REFUSALS, deadline=shown))
    decision = _awaiting(decision)
    if not ratified and not (reason or "").strip():
        raise Refused(
            [_("Give the fraud authority's reasoning: the committee decides anew taking it into account (Art. 85 §2).")]
        )
    ratification.ratified = bool(ratified)
    ratification.reason = (reason or "").strip()
    ratification.decided_on = on or clock_today()
    audited_save(ratification, by=by, reason=gettext_noop("ratified") if ratified else gettext_noop("not ratified"))
    decision.status = DecisionStatus.FINAL if ratified else DecisionStatus.NOT_RATIFIED
    audited_save(decision, by=by, reason=gettext_noop("ratified") if ratified else gettext_noop("not ratified"))
    if ratified:
        _final_announce(decision, final_on=ratification.decided_on)
    return ratification


# --- The student told (Art. 85, 101) -------------------------------------------------------------
@transaction.atomic
def decision_notify(*, decision: FraudDecision, on: datetime.date, by=None, outbox: bool = False) -> FraudDecision:
    """Record the day the student was told of the final decision: the appeal period of Art. 101
    runs from it (``appeals.notified_on``). The outbox records the day it sent the decision
    (``outbox``); by hand only a decision the application did not tell (DOMAIN §11: a live decision
    is told through the outbox, its day is never typed). Refused for a decision that is not final
    (a sanction waiting for the fraud authority is told once ratified, Art. 85 §2), before the day
    it became final, in the future, or when it was recorded already."""
    decision = FraudDecision.objects.select_for_update().get(pk=decision.pk)
    problems = []
    if not outbox and decision.pk in gates.notified_days(FraudDecision._meta.label, [decision.pk]):
        problems.append(
            _(
                "This decision is told to the student through the application's notifications: the day it is "
                "sent is recorded by itself (Art. 101)."
            )
        )
    if decision.status != DecisionStatus.FINAL:
        problems.append(
            _("The student is told of a final decision; a sanction that needs ratification once ratified (Art. 85 §2).")
        )
    ratification = Ratification.objects.filter(decision=decision).first()
    final_on = ratification.decided_on if ratification and ratification.decided_on else decision.decided_on
    if on < final_on:
        problems.append(
            _("The student is told on or after %(day)s, the day the decision became final (Art. 85, 101).")
            % {"day": date_format(final_on, "SHORT_DATE_FORMAT")}
        )
    if on > clock_today():
        problems.append(_("The day the student was told cannot be in the future."))
    if decision.notified_on is not None:
        problems.append(
            _("The student was told on %(day)s already: the appeal period runs from that day (Art. 101).")
            % {"day": date_format(decision.notified_on, "SHORT_DATE_FORMAT")}
        )
    if problems:
        raise Refused(problems)
    decision.notified_on = on
    audited_save(decision, by=by, reason=gettext_noop("student notified"))
    return decision
