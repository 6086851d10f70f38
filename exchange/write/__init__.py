"""Writing what the checks planned, in bulk: the catalogue first, then the students in
slices (their enrolments and ISP lines, then the exams' records about those lines).
The caller holds the transaction."""

from __future__ import annotations

from django.utils.translation import gettext as _
from tqdm import tqdm

from core import events, statistics
from exams.models import Result, ResultPart, ToleranceChoice, ToleranceObjection
from exchange.chunks import chunks
from exchange.plan import Plan
from exchange.summary import ImportSummary
from exchange.write.exams import ExamWriter
from exchange.write.programmes import CatalogueWriter
from exchange.write.students import StudentWriter
from programmes.models import Course, ExamPeriod, Programme
from students.models import Degree, Enrolment, ISPLine, LearningAccountEntry, Student

# The tables the import fills in bulk and the timeline reads first: their statistics are brought up
# to date at the end (``core.statistics.analyze``): without them the planner takes the new tables for
# the empty ones it last saw, and the timeline's first queries on them (a publication's lines and
# results) pick nested loops that grow with the square of the students.
ANALYZED = (
    Programme,
    Course,
    ExamPeriod,
    Student,
    Degree,
    Enrolment,
    ISPLine,
    LearningAccountEntry,
    Result,
    ResultPart,
    ToleranceChoice,
    ToleranceObjection,
)

# Students are written in slices so that the progress bar moves; bulk_create sizes its own batches.
WRITE_CHUNK = 500


def write_plan(plan: Plan, *, progress: bool) -> ImportSummary:
    """Create what ``plan`` holds; ``progress`` shows a progress bar on stderr while the students are written."""
    summary = ImportSummary()
    ids = CatalogueWriter(plan, summary).write()
    students = StudentWriter(ids, summary)
    exams = ExamWriter(ids, summary)
    with tqdm(
        total=len(plan.students),
        desc=_("Importing students"),
        unit=_("student"),
        disable=not (progress and plan.students),
    ) as bar:
        for chunk in chunks(plan.students, WRITE_CHUNK):
            exams.write(students.write(chunk))
            bar.update(len(chunk))
    statistics.analyze(ANALYZED)
    if exams.periods:
        # What is kept of these periods' results (the marks entered and missing, the students
        # deliberated) is counted again once the import commits.
        events.results_recorded.send(sender="exchange", exam_period_ids=sorted(exams.periods))
    return summary
