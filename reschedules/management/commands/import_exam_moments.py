"""``manage.py import_exam_moments FILE``: the planning department's CSV export of exam moments."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core import clock
from reschedules.moments import MomentsFileError, MomentsRefused, exam_moments_import, read_moments_csv


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Import exam moments from a CSV file (columns academic_year, exam_period, programme, course, date, "
            "start, room): all rows or none; exits 1 listing every refused row."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            with file.open("rb") as data:
                rows = read_moments_csv(data)  # reads no more than the limit
        except OSError as error:
            raise CommandError(str(error)) from None
        except MomentsFileError as error:
            raise CommandError(str(error)) from None
        try:
            summary = exam_moments_import(rows=rows, today=clock.today())
        except MomentsRefused as refused:
            for problem in refused.problems:
                self.stderr.write(f"row {problem.row} {problem.label}: {problem.message}")
            raise CommandError(f"{len(refused.problems)} rows refused; nothing was imported.") from None
        self.stdout.write(
            f"{summary.created} new, {summary.updated} moved or changed, {summary.unchanged} unchanged exam moments."
        )
