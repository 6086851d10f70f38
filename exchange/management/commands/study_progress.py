import json

from django.core.management.base import BaseCommand, CommandError

from core import gates
from exchange.text import study_progress_text
from programmes.models import Course
from progress.selectors import study_progress
from students.selectors import student_by_number


class Command(BaseCommand):
    help = "Print the study progress file of one student (EXCHANGE.md), as JSON with --json."

    def add_arguments(self, parser):
        parser.add_argument("number", help="student number")
        parser.add_argument("--json", action="store_true", help="print JSON instead of readable text")

    def handle(self, *args, number, **options):
        student = student_by_number(number)
        if student is None:
            raise CommandError(f"Unknown student number {number!r}.")
        notifications = gates.student_notifications(student.pk)
        data = study_progress(student, notifications=notifications)
        if options["json"]:
            self.stdout.write(_dumps(data))
        else:
            names = dict(
                Course.objects.filter(isp_lines__enrolment__student=student).values_list("code", "name").distinct()
            )
            labels = {row["kind"]: str(row["kind_label"]) for row in notifications}
            self.stdout.write(study_progress_text(data, names, labels))


def _dumps(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)
