import datetime

from django.core.management.base import BaseCommand, CommandError

from core import clock
from core.timeline import run_deadlines


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today must be a date YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = "Process every dated fact and calendar transition due on or before a day (EXCHANGE.md)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="YYYY-MM-DD (default: today in Europe/Brussels)")

    def handle(self, *args, today=None, **options):
        day = _date(today) if isinstance(today, str) else (today or clock.today())
        report = run_deadlines(today=day)
        self.stdout.write(
            f"Up to {day}: {report.days} day(s), {report.facts} fact(s), {len(report.transitions)} transition(s)."
        )
        for key in report.transitions:
            self.stdout.write(f"  {key}")
