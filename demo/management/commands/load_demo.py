"""``manage.py load_demo``: a demo college, brought up to today, with a login per role."""

import datetime
import io
import time

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from appeals.models import Appeal
from core import clock, roles
from demo.appeals import load as load_demo_appeals
from demo.college import DEMO_ASSIGNMENTS, DEMO_PASSWORD, DEMO_USERS, YEARS, build_records
from demo.committees import load_demo_committees
from demo.fraud import load_demo_fraud
from demo.management.commands.demo_logins import write_logins
from demo.notifications import notifications_summary
from demo.ombuds import load_ombuds_demo
from demo.risks import risks_summary
from demo.workflow import load_isp_workflow
from exams.models import Result, ToleranceChoice
from exchange.records import RecordsInvalid, import_data
from programmes import rules
from programmes.models import AcademicYear, Assignment, AssignmentRole, Course, Programme
from progress.risk_store import risk_refresh
from reschedules.models import ExamMoment, RescheduleRequest
from students.models import Enrolment, ISPLine, LearningAccountEntry, Student

# Problems shown when the demo document does not import (the rest are counted).
SHOWN_PROBLEMS = 20


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--today must be a date YYYY-MM-DD, not {value!r}") from error


class Command(BaseCommand):
    @property
    def help(self):
        return _(
            "Load the demo college (academic years, programmes, students with their records) through the "
            "ordinary import, run the deadlines up to today and create one demo login per role "
            "(password 'demo')."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help=_("Do nothing when the database already holds students.")
        )
        parser.add_argument("--seed", type=int, default=2026, help=_("Seed of the generator (default 2026)."))
        parser.add_argument("--students", type=int, default=300, help=_("Number of students (default 300)."))
        parser.add_argument("--today", type=_date, help=_("Run the deadlines up to this day (default: today)."))

    def handle(self, *args, if_empty=False, seed=2026, students=300, today=None, verbosity=1, **options):
        if if_empty and Student.objects.exists():
            self.stdout.write("The database already holds students: demo data not loaded (--if-empty).")
            return
        if isinstance(today, str):  # call_command(today="YYYY-MM-DD") skips the parser
            today = _date(today)
        today = today or clock.today()
        started = time.monotonic()

        data = build_records(seed=seed, students=students)
        # One transaction: the demo loads completely or not at all, and SQLite writes
        # the timeline's many small transactions to disk once instead of once each.
        with transaction.atomic():
            try:
                summary = import_data(data, progress=verbosity > 1)
            except RecordsInvalid as invalid:
                for problem in invalid.problems[:SHOWN_PROBLEMS]:
                    self.stderr.write(problem)
                if len(invalid.problems) > SHOWN_PROBLEMS:
                    self.stderr.write(f"... and {len(invalid.problems) - SHOWN_PROBLEMS} more.")
                raise CommandError(
                    f"The demo data did not import ({len(invalid.problems)} problems); nothing was written. "
                    "Is the database holding other records with the same keys?"
                ) from None
            imported = time.monotonic()
            if verbosity > 1:
                self.stdout.write(str(summary))

            created = self.create_users()
            self.assign_programmes()
            # The ISP workflow (submitted, approved, some late) before the timeline, so that
            # the fees follow each approval on its day.
            workflow = load_isp_workflow(today=today, seed=seed)
            # The examination committees and their deliberations before the timeline, so that
            # each publication applies the decisions of its closed deliberations (Art. 70).
            committees = load_demo_committees(today=today)
            # The fraud files (a plagiarism sanctioned, a gross case awaiting ratification), before
            # the timeline, so that it carries out each final sanction on its day.
            fraud = load_demo_fraud(today=today)

            # The timeline prints every transition; keep the demo's output short.
            timeline_output = self.stdout if verbosity > 1 else io.StringIO()
            call_command("run_deadlines", "--today", today.isoformat(), stdout=timeline_output)
            processed = time.monotonic()
            # A handful of appeals and refusal-lifting requests, as of today (after the timeline).
            load_demo_appeals(today=today)
            # Exam moments, special statuses, reschedule requests and the ombudsperson's reports.
            load_ombuds_demo(today=today)
            # The risk signals of every student (Art. 28) for the coach's risk list, as of today.
            risk_refresh(today=today)
        finished = time.monotonic()

        self.stdout.write(
            f"Demo college loaded up to {today.isoformat()} in {finished - started:.1f} s "
            f"(import {imported - started:.1f} s, deadlines {processed - imported:.1f} s):"
        )
        counts = (
            ("academic years", AcademicYear.objects.count()),
            ("programmes", Programme.objects.count()),
            ("courses", Course.objects.count()),
            ("students", Student.objects.count()),
            ("enrolments", Enrolment.objects.count()),
            ("ISP lines", ISPLine.objects.count()),
            ("results", Result.objects.count()),
            ("tolerance choices", ToleranceChoice.objects.count()),
            ("learning account entries", LearningAccountEntry.objects.count()),
            ("exam moments", ExamMoment.objects.count()),
            ("reschedule requests", RescheduleRequest.objects.count()),
            ("appeals", Appeal.objects.count()),
            ("examination committees", committees.get("committees", 0)),
            ("deliberations closed", committees.get("deliberations", 0)),
            ("deliberations to prepare", committees.get("to prepare", 0)),
            ("committee decisions", committees.get("decisions", 0)),
            ("fraud files", fraud.get("fraud files", 0)),
            ("fraud decisions awaiting ratification", fraud.get("awaiting ratification", 0)),
        )
        for label, count in counts:
            self.stdout.write(f"  {count:6d} {label}")
        self.stdout.write(notifications_summary())
        self.stdout.write(risks_summary())
        self.stdout.write(
            "ISPs: "
            + ", ".join(f"{workflow.get(k, 0)} {k}" for k in ("approved", "submitted", "draft"))
            + f" ({workflow.get('submitted late', 0)} submitted late, {workflow.get('approved late', 0)} approved late)"
        )
        if created:
            self.stdout.write(f"Created the demo users: {', '.join(created)}.")
        write_logins(self.stdout)

    def create_users(self) -> list[str]:
        """The demo users, each with password 'demo' and its role; existing ones are left alone."""
        groups = roles.ensure_groups()
        User = get_user_model()
        created = []
        for demo in DEMO_USERS:
            user, is_new = User.objects.get_or_create(
                username=demo.username,
                defaults={
                    "first_name": demo.first_name,
                    "last_name": demo.last_name,
                    "email": f"{demo.username}@college.example",
                    "is_staff": demo.is_superuser or demo.role in roles.STAFF_ROLES,
                    "is_superuser": demo.is_superuser,
                },
            )
            if not is_new:
                continue
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            if demo.role:
                user.groups.add(groups[demo.role])
            created.append(demo.username)
        return created

    def assign_programmes(self) -> None:
        """The demo coach and ombudsperson serve their programmes in every demo year.

        A programme that already has another ombudsperson in a year keeps them (one per year).
        """
        User = get_user_model()
        years = AcademicYear.objects.filter(code__in=[rules.academic_year_code(y) for y in YEARS])
        for username, role, codes in DEMO_ASSIGNMENTS:
            user = User.objects.filter(username=username).first()
            if user is None:
                continue
            for programme in Programme.objects.filter(code__in=codes):
                for year in years:
                    taken = Assignment.objects.filter(programme=programme, academic_year=year, role=role)
                    if role != AssignmentRole.COACH and taken.exclude(user=user).exists():
                        continue
                    Assignment.objects.get_or_create(user=user, programme=programme, academic_year=year, role=role)
