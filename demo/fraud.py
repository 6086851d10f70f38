"""The fraud files of the demo college (issue 16; Art. 83-85), loaded by ``manage.py load_demo``
after the committees and before the timeline runs, so that the timeline carries out each final
sanction on its day (``fraud.effects``), exactly once.

Everything goes through ``fraud.services`` with the dates it happened on; nothing dated after
``today`` is decided. Choices are deterministic (ordered queries: student number, course code).
Both files are Health Care's (chair Jan Maes, demo user ``committee``), reported by the demo
examiner Bram Vermeulen (user ``examiner``, examiner of every BA-NURS course each year):

- **Plagiarism, 3°** (Art. 85 §1 3°), in the last first exam period published before ``today``
  (January 2026 in the demo): a written paper of the first BA-NURS student by number with a clean
  pass in that period (``demo.committees``: the last result of the line that year, a whole mark,
  no tolerance choice, the course not taken again later) who has no committee decision in it. The
  examiner reports it three days before the period ends, with the similarity report as evidence;
  the chair, the teacher and the programme head investigate the next day and weigh the four
  factors of Art. 85; the examiner and then the student (with the ombudsperson) are heard two days
  before the end; the complete committee decides on the day of its deliberation, before the
  publication: zero for the paper. The publication then announces the zero.
- **A gross irregularity, 6° + 7°** (Art. 85 §1 6°-7°, §2) in the current academic year's first
  exam period (January 2027): an interim test of the first BA-NURS student by number enrolled this
  year with a first-semester course (not the student of the chair's irregularity file in the
  committee's inventory), reported fifteen days before ``today``; the examiner heard twelve days
  before, the student nine; the committee decides six days before ``today`` on exclusion from the
  programme and one year without enrolment. It waits for the fraud authority (demo user
  ``fraudauthority``): the ombudsperson advised five days before ``today``, and the Student
  Council's chair, asked that day at 9:00, has not answered within 48 hours, so the ratification
  page says the advice may be disregarded.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile

from committee.models import CaseFile, Committee, Decision, Member
from committee.rules import Role
from fraud import services
from fraud.models import FraudFile
from fraud.rules import Sanction
from programmes.models import AcademicYear, Course, ExamPeriod
from reschedules.models import CourseExaminer
from students.models import ISPLine

from .committees import HEALTH_CARE, _clean, _meets_on, _results

DAY = datetime.timedelta(days=1)
EXAMINER = "Bram Vermeulen"
SIMILARITY_REPORT = (
    "Similarity report (text-matching software)\n"
    "Overall similarity: 62 %\n"
    "Largest match: a paper handed in for the same course in 2023-2024 (48 %), without quotation marks "
    "or reference.\n"
)
TEST_NOTE = (
    "Invigilator's note: during the interim test the student used a phone hidden in the sleeve to "
    "receive answers from outside the room; the phone was taken in and photographed.\n"
)


def _user(username: str):
    return get_user_model().objects.filter(username=username).first()


def _seat_name(committee: Committee, role: Role) -> str:
    member = Member.objects.filter(committee=committee, role=role).order_by("pk").first()
    return member.name if member else ""


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _plagiarism(today: datetime.date, by) -> FraudFile | None:
    period = (
        ExamPeriod.objects.filter(number=1, results_published_on__lt=today)
        .select_related("academic_year")
        .order_by("-results_published_on")
        .first()
    )
    committee = (
        Committee.objects.filter(academic_year=period.academic_year, name=HEALTH_CARE).first() if period else None
    )
    if committee is None:
        return None
    decided = Decision.objects.filter(deliberation__exam_period=period).values("student")
    result = (
        _clean(_results(period, committee), period)
        .filter(score__gte=10, isp_line__enrolment__programme__code="BA-NURS")
        .exclude(isp_line__enrolment__student__in=decided)
        .first()
    )
    if result is None:
        return None
    student, course = result.isp_line.enrolment.student, result.isp_line.course
    reported_on = max(period.starts_on, period.ends_on - 3 * DAY)
    fraud_file = services.fraud_file_open(
        kind="plagiarism",
        student=student,
        course=course,
        exam_period=period,
        assignment="Written paper",
        reported_by=EXAMINER,
        reported_by_user=by["examiner"],
        reported_on=reported_on,
        what_happened=(
            "The text-matching software finds 62 % of the paper in a paper handed in for this course two years "
            "ago, without quotation marks or reference; the student's own part is the introduction."
        ),
        by=by["examiner"],
    )
    services.evidence_add(
        fraud_file=fraud_file,
        upload=ContentFile(SIMILARITY_REPORT.encode(), name="similarity-report.txt"),
        on=reported_on,
        by=by["examiner"],
    )
    chair = _seat_name(committee, Role.CHAIR)
    head = _seat_name(committee, Role.MEMBER)
    services.investigation_record(
        fraud_file=fraud_file,
        chair=chair,
        teacher=EXAMINER,
        programme_head=head,
        findings="Half of the body of the paper is copied from the earlier paper; the sources it cites are its own.",
        proportion="About half of the paper, the whole of its analysis.",
        plagiarism_kind="Verbatim copy without quotation marks or acknowledgement.",
        experience="A second-year student, who followed the course on academic writing in the first year.",
        intention="The copied paragraphs were reworded in places to avoid detection: intentional.",
        on=reported_on + DAY,
        by=by["committee"],
    )
    services.hearing_record(
        fraud_file=fraud_file,
        kind="examiner",
        heard_by=chair,
        held_on=reported_on + 2 * DAY,
        notes="The examiner explains the report and the comparison with the paper of 2023-2024.",
        by=by["committee"],
    )
    services.hearing_record(
        fraud_file=fraud_file,
        kind="student",
        heard_by=chair,
        ombudsperson=_seat_name(committee, Role.OMBUDSPERSON),
        held_on=reported_on + 2 * DAY,
        notes="The student admits having used a friend's paper 'as an example' under time pressure.",
        by=by["committee"],
    )
    services.decision_record(
        fraud_file=fraud_file,
        sanctions=[Sanction.ZERO_EXAM],
        reason=(
            "Half of the paper is plagiarised, intentionally and by a student who had been taught how to cite "
            "(Art. 85, the four factors weighed in the investigation): zero for the paper; the other results "
            "of the period stand."
        ),
        decided_on=_meets_on(period),
        by=by["committee"],
    )
    return fraud_file


def _gross(today: datetime.date, by, *, exclude: set[int]) -> FraudFile | None:
    period = (
        ExamPeriod.objects.filter(number=1, academic_year__starts_on__lte=today, results_published_on__gt=today)
        .select_related("academic_year")
        .order_by("results_published_on")
        .first()
    )
    if period is None or today - 15 * DAY < period.academic_year.starts_on + 30 * DAY:
        return None
    committee = Committee.objects.filter(academic_year=period.academic_year, name=HEALTH_CARE).first()
    if committee is None:
        return None
    line = (
        ISPLine.objects.filter(
            enrolment__academic_year=period.academic_year,
            enrolment__programme__code="BA-NURS",
            enrolment__deregistered_on__isnull=True,
            removed_on__isnull=True,
            exempted=False,
            course__semester="1",
        )
        .exclude(enrolment__student__in=CaseFile.objects.values("student"))
        .exclude(enrolment__student__in=exclude)
        .select_related("course", "enrolment__student")
        .order_by("enrolment__student__number", "course__code")
        .first()
    )
    if line is None:
        return None
    reported_on = today - 15 * DAY
    fraud_file = services.fraud_file_open(
        kind="fraud",
        student=line.enrolment.student,
        course=line.course,
        exam_period=period,
        assignment=f"Interim test (closed book) of {reported_on.isoformat()}",
        reported_by=EXAMINER,
        reported_by_user=by["examiner"],
        reported_on=reported_on,
        what_happened=(
            "During the interim test the student received the answers on a phone hidden in the sleeve from a "
            "person outside the room, who had been sent photographs of the questions."
        ),
        by=by["examiner"],
    )
    services.evidence_add(
        fraud_file=fraud_file,
        upload=ContentFile(TEST_NOTE.encode(), name="invigilator-note.txt"),
        on=reported_on,
        by=by["examiner"],
    )
    chair = _seat_name(committee, Role.CHAIR)
    ombudsperson = _seat_name(committee, Role.OMBUDSPERSON)
    services.hearing_record(
        fraud_file=fraud_file,
        kind="examiner",
        heard_by=chair,
        held_on=today - 12 * DAY,
        notes="The examiner and the invigilator describe how the phone was found and what it showed.",
        by=by["committee"],
    )
    services.hearing_record(
        fraud_file=fraud_file,
        kind="student",
        heard_by=chair,
        ombudsperson=ombudsperson,
        held_on=today - 9 * DAY,
        notes="The student does not contest the facts.",
        by=by["committee"],
    )
    decision = services.decision_record(
        fraud_file=fraud_file,
        sanctions=[Sanction.PROGRAMME_EXCLUSION, Sanction.ENROLMENT_BAN],
        judged_gross=True,
        ban_years=1,
        reason=(
            "An organised fraud with outside help, prepared in advance (photographs of the questions sent out "
            "during the test): a gross irregularity. Exclusion from the programme, and no enrolment in the next "
            "academic year."
        ),
        decided_on=today - 6 * DAY,
        by=by["committee"],
    )
    services.advice_record(
        decision=decision,
        ombudsperson_advice="The hearing was fair and the facts are not contested; no objection to the sanction.",
        ombudsperson_advice_on=today - 5 * DAY,
        council_advice_requested_at=_at(today - 5 * DAY, 9),
        by=by["ombudsperson"],
    )
    return fraud_file


def load_demo_fraud(*, today: datetime.date) -> dict:
    """The demo's fraud files (see the module's docstring); returns counts."""
    by = {name: _user(name) for name in ("examiner", "committee", "ombudsperson", "fraudauthority")}
    if by["examiner"] is not None:
        # The demo examiner examines the nursing bachelor's courses every year (Art. 60): the
        # report form offers them.
        CourseExaminer.objects.bulk_create(
            [
                CourseExaminer(course=course, academic_year=year, user=by["examiner"])
                for year in AcademicYear.objects.filter(starts_on__lte=today)
                for course in Course.objects.filter(programme__code="BA-NURS")
            ],
            ignore_conflicts=True,
        )
    made = {}
    plagiarism = _plagiarism(today, by)
    exclude = {plagiarism.student_id} if plagiarism else set()
    gross = _gross(today, by, exclude=exclude)
    made["fraud files"] = sum(1 for f in (plagiarism, gross) if f is not None)
    made["awaiting ratification"] = int(gross is not None)
    return made
