"""The ISP workflow of the demo college (DOMAIN §3): what the students and the coaches did
with the imported ISPs, dated, with who did it and the history to show for it.

The import format carries no ISP workflow (imported ISPs are facts), so the demo adds it
after the import and before the timeline runs, as the office would have recorded it:

- most students submit their ISP themselves by the submission deadline (15 October, or a
  week after a late enrolment); about one in twenty is submitted late by the coach, on the
  late route, with the reason;
- the cluster (the programme's coach; for a programme without a demo coach, student
  administration recording the cluster's decision) approves it after the last change and
  before the first-semester lock; about one in twenty is approved late, with the reason;
  an ISP changed after its approval is approved again before the second-semester lock;
- nothing is dated on or after today, nor on or after a deregistration;
- in the current year a few ISPs of the demo coach's programmes are left waiting: some
  submitted and not approved (the approval deadline has passed: the coach approves them on
  the late route), some never submitted, so that the coach has work on the demo's today.

Every draw comes from ``random.Random(seed)``: one seed, one workflow.
"""

from __future__ import annotations

import copy
import datetime
import random
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_noop

from programmes.facts import year_calendar
from students import rules
from students.models import Enrolment, EnrolmentStatus, ISPLine, ISPStatus

from .college import DEMO_ASSIGNMENTS

DAY = datetime.timedelta(days=1)
LATE_SHARE = 0.05
# How many ISPs of the current year wait for the coach on the demo's today.
WAITING_FOR_APPROVAL = 4
NEVER_SUBMITTED = 2

# Reasons the coach typed (free text: a Flemish coach writes them in Dutch).
LATE_SUBMISSION_REASONS = (
    "Student was ziek in oktober (doktersattest).",
    "Inschrijvingsdossier pas na de deadline volledig.",
    "Keuzeopleidingsonderdeel pas gekozen na het trajectgesprek.",
    "Student verbleef tot eind oktober in het buitenland.",
)
LATE_APPROVAL_REASONS = (
    "De opleiding besliste pas na de deadline over dit ISP.",
    "Eerst de beslissing over een vrijstelling afgewacht.",
    "Trajectgesprek met de student uitgesteld.",
    "Afwijking van het modeltraject eerst voorgelegd aan de opleiding.",
)

FIELDS = [
    "version",
    "isp_status",
    "isp_submitted_on",
    "isp_submitted_by",
    "isp_submitted_late_reason",
    "isp_submitted_late_allowed_by",
    "isp_approved_on",
    "isp_approved_by",
    "isp_approved_late_reason",
    "isp_approved_late_allowed_by",
]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def _day_between(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    if last <= first:
        return first
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


class _Plan:
    """The dated steps of one enrolment's workflow, applied in order."""

    def __init__(self, enrolment: Enrolment):
        self.enrolment = enrolment
        self.steps: list[tuple[datetime.date, str, object, str]] = []

    def add(self, on, step, by=None, late_reason=""):
        self.steps.append((on, step, by, late_reason))


def _plan(enrolment, *, rng, today, changes, who, waiting, never) -> _Plan:
    plan = _Plan(enrolment)
    if enrolment.pk in never:
        return plan
    cal = year_calendar(enrolment.academic_year)
    stop = min(today, enrolment.deregistered_on or today)

    submit_by = rules.submission_deadline(enrolled_on=enrolment.enrolled_on, calendar=cal)
    if rng.random() < LATE_SHARE:
        submitted = submit_by + datetime.timedelta(days=rng.randint(1, 12))
        late = rng.choice(LATE_SUBMISSION_REASONS)
    else:
        submitted = _day_between(rng, enrolment.enrolled_on, submit_by)
        late = ""
    if submitted >= stop:
        return plan
    # On time the student submits (outside this application); late, the coach does.
    plan.add(submitted, "submit", who if late else None, late)
    if enrolment.pk in waiting:
        return plan

    approve_before = rules.approval_deadline(enrolled_on=enrolment.enrolled_on, previously_approved=False, calendar=cal)
    earliest = max([submitted, *(d for d in changes if d < approve_before)]) + DAY
    if earliest >= approve_before or rng.random() < LATE_SHARE:
        approved = max(earliest, approve_before) + datetime.timedelta(days=rng.randint(0, 14))
        late = rng.choice(LATE_APPROVAL_REASONS)
    else:
        approved = _day_between(rng, earliest, approve_before - DAY)
        late = ""
    if approved >= stop:
        return plan
    plan.add(approved, "approve", who, late)

    later = sorted(d for d in changes if d >= approved)
    if later:
        # A change after the approval sends the ISP back to the cluster (DOMAIN §3).
        plan.add(later[0], "reopen", who)
        again = later[-1] + datetime.timedelta(days=rng.randint(1, 10))
        if again < stop:
            late = rng.choice(LATE_APPROVAL_REASONS) if again >= cal.second_semester_lock else ""
            plan.add(again, "approve", who, late)
    return plan


def _apply(plan: _Plan) -> list[Enrolment]:
    """Run the steps on the enrolment; one history snapshot per step, dated that day."""
    enrolment, snapshots = plan.enrolment, []
    for on, step, by, late_reason in sorted(plan.steps, key=lambda s: s[0]):
        enrolment.version += 1
        if step == "submit":
            enrolment.isp_status = ISPStatus.SUBMITTED
            enrolment.isp_submitted_on = on
            enrolment.isp_submitted_by = by
            enrolment.isp_submitted_late_reason = late_reason
            enrolment.isp_submitted_late_allowed_by = by if late_reason else None
            reason = f"ISP submitted late: {late_reason}" if late_reason else "ISP submitted"
            hour = 20  # students submit in the evening
        elif step == "approve":
            enrolment.isp_status = ISPStatus.APPROVED
            enrolment.isp_approved_on = on
            enrolment.isp_approved_by = by
            enrolment.isp_approved_late_reason = late_reason
            enrolment.isp_approved_late_allowed_by = by if late_reason else None
            reason = f"ISP approved late: {late_reason}" if late_reason else "ISP approved"
            hour = 11
        else:
            enrolment.isp_status = ISPStatus.SUBMITTED
            reason = gettext_noop("ISP changed after its approval")
            hour = 10
        snapshot = copy.copy(enrolment)
        snapshot._history_date = _at(on, hour)
        snapshot._history_user = by
        snapshot._change_reason = reason[:100]
        snapshots.append(snapshot)
    return snapshots


def load_isp_workflow(*, today: datetime.date, seed: int = 2026) -> dict[str, int]:
    """Record the demo's ISP workflow up to the day before ``today``; returns counts."""
    rng = random.Random(seed)
    User = get_user_model()
    coach = User.objects.get(username="coach")
    office = User.objects.get(username="administration")
    coached = {code for username, role, codes in DEMO_ASSIGNMENTS if role == "coach" for code in codes}

    enrolments = list(
        Enrolment.objects.exclude(status=EnrolmentStatus.REFUSED)
        .filter(enrolled_on__lt=today)
        .select_related("academic_year", "programme")
        .order_by("academic_year__starts_on", "programme__code", "student__number", "pk")
    )
    changes: dict[int, list[datetime.date]] = defaultdict(list)
    for enrolment_id, added_on, removed_on, enrolled_on in ISPLine.objects.values_list(
        "enrolment_id", "added_on", "removed_on", "enrolment__enrolled_on"
    ):
        if added_on > enrolled_on:
            changes[enrolment_id].append(added_on)
        if removed_on is not None:
            changes[enrolment_id].append(removed_on)

    # The current year's ISPs left waiting for the coach: in the coach's programmes, enrolled
    # in time, not deregistered.
    candidates = [
        e.pk
        for e in enrolments
        if e.academic_year.starts_on <= today <= e.academic_year.ends_on
        and e.programme.code in coached
        and e.deregistered_on is None
        and e.enrolled_on <= e.academic_year.isp_deadline
    ]
    chosen = rng.sample(candidates, k=min(len(candidates), WAITING_FOR_APPROVAL + NEVER_SUBMITTED))
    waiting, never = set(chosen[:WAITING_FOR_APPROVAL]), set(chosen[WAITING_FOR_APPROVAL:])

    snapshots, changed = [], []
    counts = defaultdict(int)
    for enrolment in enrolments:
        who = coach if enrolment.programme.code in coached else office
        plan = _plan(
            enrolment, rng=rng, today=today, changes=changes[enrolment.pk], who=who, waiting=waiting, never=never
        )
        if not plan.steps:
            counts["draft"] += 1
            continue
        snapshots += _apply(plan)
        changed.append(enrolment)
        counts[enrolment.isp_status] += 1
        counts["submitted late"] += bool(enrolment.isp_submitted_late_reason)
        counts["approved late"] += bool(enrolment.isp_approved_late_reason)
    Enrolment.objects.bulk_update(changed, FIELDS, batch_size=500)
    Enrolment.history.bulk_history_create(snapshots, update=True, batch_size=500)
    return dict(counts)
