"""What the fraud procedure tells the lower layers through ``core.gates`` (registered in
``FraudConfig.ready``):

- ``fraud_codes``: the code FR on the results a final sanction touches, for the study progress
  file (Art. 85 §4; EXCHANGE.md, the optional course ``code``), by ``rules.fr_code_applies``;
- ``open_fraud_files``: the files whose procedure is not finished, for the select committee's
  inventory (Art. 69: the select committee prepares the fraud files; Art. 84-85, 92).

Reads only; a fixed number of queries whatever the number of files or results.
"""

from collections import defaultdict

from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _

from exams.models import Result
from programmes.models import ExamPeriod
from students.models import ISPLine

from . import rules
from .models import DecisionStatus, FileKind, FraudDecision, FraudFile, FraudHearing, HearingKind

FR = "FR"  # Art. 85 §4, EXCHANGE.md
FILE_URL = "fraud:file_detail"  # the fraud file's page, with the file's id as ``pk``


def _year_first(academic_year) -> int:
    """The first calendar year of an academic year (2023 for 2023-2024)."""
    return academic_year.first_year or academic_year.starts_on.year


# --- FR in the study progress file (Art. 85 §4) -------------------------------------------------
def fraud_codes(student_id: int) -> dict[int, str]:
    """Answers ``core.gates.fraud_codes``: {ISP line id: "FR"} for the student's lines whose
    results a final decision on a fraud or plagiarism file touches (Art. 85 §4), as
    ``rules.fr_code_applies`` decides for each of the line's results:

    - 1°-3°: the line of the exam the fraud concerns (the file's course in its academic year),
      whether or not a result was entered for it;
    - 4°: the lines of the results zeroed; 5°: the excluded courses' lines of the sanction's
      academic year (not next year's); 6°: every line with a result in the sanction's exam
      period; an annulment (§3): the lines whose certificates were annulled;
    - 7° touches enrolment, not a result (its measure shows it).

    Decisions awaiting ratification, not ratified or set aside on appeal (Art. 85 §2, 101 g)
    carry no code, nor does a dispute's outcome (Art. 92). A student without such a decision
    costs one query and gets ``{}``: the file is then as it was."""
    decisions = list(
        FraudDecision.objects.filter(fraud_file__student_id=student_id, status=DecisionStatus.FINAL)
        .exclude(fraud_file__kind=FileKind.DISPUTE)
        .select_related("fraud_file__exam_period__academic_year")
    )
    if not decisions:
        return {}
    lines = {
        pk: (course_id, _year_first(year))
        for pk, course_id, year in (
            (line.pk, line.course_id, line.enrolment.academic_year)
            for line in ISPLine.objects.filter(enrolment__student_id=student_id).select_related(
                "enrolment__academic_year"
            )
        )
    }
    keys_of_line: dict[int, set[rules.ResultKey]] = defaultdict(set)
    result_keys: dict[int, rules.ResultKey] = {}
    for line_id, (course_id, year_first) in lines.items():
        # The line itself, as a result of no exam period: what 5° and §3 touch without a result.
        keys_of_line[line_id].add(rules.ResultKey(course_id, ("line", line_id), year_first))
    for result in Result.objects.filter(isp_line__enrolment__student_id=student_id).select_related(
        "isp_line", "exam_period__academic_year"
    ):
        key = rules.ResultKey(
            result.isp_line.course_id, result.exam_period_id, _year_first(result.exam_period.academic_year)
        )
        result_keys[result.pk] = key
        keys_of_line[result.isp_line_id].add(key)

    codes = {}
    for decision in decisions:
        fraud_file = decision.fraud_file
        exam = rules.ResultKey(
            fraud_file.course_id, fraud_file.exam_period_id, _year_first(fraud_file.exam_period.academic_year)
        )
        annulled = set()
        for line_id in decision.annulled_certificates:
            annulled |= keys_of_line.get(line_id, set())
        scope = rules.SanctionScope(
            sanctions=frozenset(rules.Sanction(s) for s in decision.sanctions),
            exam=exam,
            zeroed=frozenset(result_keys[pk] for pk in decision.zeroed_results if pk in result_keys),
            excluded_courses=frozenset(decision.excluded_courses),
            annulled=frozenset(annulled),
        )
        for line_id, (course_id, year_first) in lines.items():
            candidates = set(keys_of_line[line_id])
            if (course_id, year_first) == (exam.course, exam.year_first):
                candidates.add(exam)
            if any(rules.fr_code_applies(key, scope) for key in candidates):
                codes[line_id] = FR
    return codes


# --- The select committee's inventory (Art. 69) -------------------------------------------------
AWAITING_HEARINGS = "awaiting_hearings"
READY = "ready_for_decision"


def _status_labels() -> dict[str, str]:
    return {
        AWAITING_HEARINGS: _("awaiting the hearings (Art. 74, 84)"),
        READY: _("heard: ready for the committee's decision (Art. 84)"),
        DecisionStatus.DECIDED: str(DecisionStatus.DECIDED.label),
        DecisionStatus.AWAITING_RATIFICATION: str(DecisionStatus.AWAITING_RATIFICATION.label),
        DecisionStatus.NOT_RATIFIED: str(DecisionStatus.NOT_RATIFIED.label),
        DecisionStatus.SET_ASIDE: str(DecisionStatus.SET_ASIDE.label),
    }


def open_fraud_files(period_id: int, programme_ids) -> list[dict]:
    """Answers ``core.gates.open_fraud_files``: the fraud, plagiarism and dispute files on courses
    of ``programme_ids`` reported for the exam period ``period_id`` or an earlier one of its
    academic year whose procedure is not finished (Art. 69, 84-85, 92): no decision yet (awaiting
    the hearings, or heard and ready for the committee), a decision awaiting the fraud
    authority's ratification, not ratified or set aside on appeal (the committee decides anew). A
    final decision closes the file. Students by name, then the report's day. ``programme_ids``: ids,
    or a query of them (then used as a subquery). One query."""
    period = ExamPeriod.objects.filter(pk=period_id)
    latest = FraudDecision.objects.filter(fraud_file=OuterRef("pk")).order_by("-pk").values("status")[:1]
    hearings = FraudHearing.objects.filter(fraud_file=OuterRef("pk"))
    files = (
        FraudFile.objects.filter(
            course__programme_id__in=programme_ids,
            exam_period__academic_year_id=Subquery(period.values("academic_year_id")[:1]),
            exam_period__number__lte=Subquery(period.values("number")[:1]),
        )
        .annotate(
            latest_status=Subquery(latest),
            examiner_heard=Exists(hearings.filter(kind=HearingKind.EXAMINER)),
            student_heard=Exists(
                hearings.filter(kind=HearingKind.STUDENT).filter(
                    # Art. 84: with an ombudsperson present; a dispute's hearing needs none (Art. 92).
                    ~Q(ombudsperson="") | Q(fraud_file__kind=FileKind.DISPUTE)
                )
            ),
        )
        .filter(Q(latest_status__isnull=True) | ~Q(latest_status=DecisionStatus.FINAL))
        .select_related("student", "course")
        .order_by("student__last_name", "student__first_name", "student__number", "reported_on", "pk")
    )
    labels = _status_labels()
    kinds = dict(FileKind.choices)
    rows = []
    for fraud_file in files:
        status = fraud_file.latest_status or (
            READY if fraud_file.examiner_heard and fraud_file.student_heard else AWAITING_HEARINGS
        )
        rows.append(
            {
                "id": fraud_file.pk,
                "student_number": fraud_file.student.number,
                "student_name": fraud_file.student.full_name,
                "course_code": fraud_file.course.code,
                "kind": fraud_file.kind,
                "kind_label": str(kinds[fraud_file.kind]),
                "status": status,
                "status_label": labels.get(status, status),
                "reported_on": fraud_file.reported_on,
                "url_name": FILE_URL,
            }
        )
    return rows
