"""What a publication writes, read back for comparison (tests of the publication's ways of
writing: COPY or the ORM, in the process or spread over Celery workers)."""

from exams.models import ProgrammeResult
from students.models import ISPLine, LearningAccountEntry

ENTRY_FIELDS = [
    "student_id",
    "on",
    "credits",
    "kind",
    "source",
    "academic_year_id",
    "programme_id",
    "course_id",
    "reason_code",
    "reason_params",
    "reason",
    "created_by_id",
]


def publication_rows():
    """What the publication writes, without the ids and times of the rows it adds."""
    return {
        "lines": list(
            ISPLine.objects.order_by("pk").values_list(
                "pk", "mark", "outcome", "certified_on", "deducted_credits", "tolerated_on", "tolerance_kind"
            )
        ),
        "ledger": list(LearningAccountEntry.objects.order_by("source", "kind").values_list(*ENTRY_FIELDS)),
        "programme_results": list(
            ProgrammeResult.objects.order_by("student_id").values_list(
                "student_id", "programme_id", "academic_year_id", "passed_on", "percentage", "level"
            )
        ),
        "history": list(
            ProgrammeResult.history.order_by("student_id").values_list(
                "student_id", "passed_on", "percentage", "level", "history_type"
            )
        ),
    }
