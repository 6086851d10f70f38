"""Study advice on record (Art. 27-28): who sees a coach's advice, who records it, and the
services that write it.

Art. 27 gives every student the right to meet a study path coach; Art. 28 has the coach
examine with the student the best options and assist them with personal study advice. The
college keeps that conversation on record (``progress.models.StudyAdvice``). Decided (issue 18):

- A coach of the student (a programme and academic year in which the student has an enrolment
  and which the user coaches, ``core.permissions.Scope.writes``) sees all of the student's
  advice, records new advice, changes it and marks its follow-up done. A superuser does too.
- An ombudsperson or substitute serving one of those programme-years (``Scope.ombuds_pairs``)
  sees only the advice the coach shared with the ombudsperson.
- A seat holder of an examination committee competent for one of the student's enrolments
  (the committee's clusters in its academic year) sees only the advice the coach shared with
  the committee.
- Nobody else, the student administration included, sees any advice: it is a conversation
  between the student and their coach, not a decision.

The committee's clusters live in the committee app, above this one: ``committee_clusters`` is
the gate it answers (``core.gates.committee_clusters``), asked only for users who hold a seat.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from core import clock
from core.audit import audited_save
from core.errors import Refused
from core.gates import committee_clusters
from core.permissions import pairs_q, scope
from students.models import Enrolment

from .models import AdviceTopic, StudyAdvice

COVER_ATTRIBUTE = "_college_advice_cover"

# The change reasons of the history (stored in English, shown through the catalogue).
REASON_RECORDED = gettext_noop("study advice recorded")
REASON_CHANGED = gettext_noop("study advice changed")
REASON_FOLLOWED_UP = gettext_noop("follow-up done")

FIELDS = (
    "held_on",
    "topics",
    "advice",
    "actions",
    "follow_up_on",
    "shared_with_ombuds",
    "shared_with_committee",
)


# --- who sees what ---------------------------------------------------------------------------
def committee_cover(user) -> frozenset[tuple[str, int]]:
    """The (cluster, academic year id) pairs the committees the user holds a seat on are
    competent for; read once per request (cached on the user object, like the scope)."""
    cached = getattr(user, COVER_ATTRIBUTE, None)
    if cached is not None:
        return cached
    committees = scope(user).committees
    cover = frozenset(committee_clusters(sorted(committees))) if committees else frozenset()
    if getattr(user, "is_authenticated", False):
        setattr(user, COVER_ATTRIBUTE, cover)
    return cover


def _cover_q(cover: Iterable[tuple[str, int]], prefix: str = "") -> Q:
    q = Q(pk__in=[])
    for cluster, year_id in sorted(cover):
        q |= Q(**{f"{prefix}programme__cluster": cluster, f"{prefix}academic_year_id": year_id})
    return q


@dataclass(frozen=True)
class Access:
    """What one user may do with one student's advice."""

    records: bool = False  # a coach of the student (or a superuser): sees all, records, changes
    ombuds: bool = False  # sees the advice shared with the ombudsperson
    committee: bool = False  # sees the advice shared with the examination committee

    @property
    def sees_any(self) -> bool:
        return self.records or self.ombuds or self.committee

    def q(self) -> Q | None:
        """The advice of the student the user sees, as a Q on ``StudyAdvice``; None: none."""
        if self.records:
            return Q()
        if not self.sees_any:
            return None
        q = Q(pk__in=[])
        if self.ombuds:
            q |= Q(shared_with_ombuds=True)
        if self.committee:
            q |= Q(shared_with_committee=True)
        return q


def _enrolment_keys(student, enrolments) -> list[tuple[int, int, str]]:
    if enrolments is None:
        return list(
            Enrolment.objects.filter(student=student).values_list(
                "programme_id", "academic_year_id", "programme__cluster"
            )
        )
    return [(e.programme_id, e.academic_year_id, e.programme.cluster) for e in enrolments]


def advice_access(user, student, enrolments=None) -> Access:
    """What ``user`` may do with ``student``'s advice (the rules of the module docstring).
    ``enrolments``: the student's enrolments with their programmes, when the caller has them
    (the student page); otherwise they are read."""
    user_scope = scope(user)
    if not user_scope.active:
        return Access()
    if user_scope.superuser:
        return Access(records=True)
    keys = _enrolment_keys(student, enrolments)
    if any((programme, year) in user_scope.coach for programme, year, _cluster in keys):
        return Access(records=True)
    ombuds = any((programme, year) in user_scope.ombuds_pairs for programme, year, _cluster in keys)
    cover = committee_cover(user) if user_scope.committees else frozenset()
    committee = any((cluster, year) in cover for _programme, year, cluster in keys)
    return Access(ombuds=ombuds, committee=committee)


def advice_visible_to(user, student, enrolments=None) -> QuerySet:
    """The advice of ``student`` that ``user`` may see, newest first, with who recorded it."""
    q = advice_access(user, student, enrolments).q()
    advice = StudyAdvice.objects.filter(student=student).select_related("recorded_by")
    return advice.none() if q is None else advice.filter(q)


def can_record_advice(user, student, enrolments=None) -> bool:
    """Records, changes and follows up the student's advice: a coach of the student (Art. 27-28)."""
    return advice_access(user, student, enrolments).records


def advice_q(user) -> Q | None:
    """Every advice ``user`` may see, of any student, as a Q on ``StudyAdvice``; None: none."""
    user_scope = scope(user)
    if not user_scope.active:
        return None
    if user_scope.superuser:
        return Q()
    q = Q(pk__in=[])
    if user_scope.coach:
        q |= Q(student__in=Enrolment.objects.filter(pairs_q(user_scope.coach)).values("student_id"))
    if user_scope.ombuds_pairs:
        q |= Q(
            shared_with_ombuds=True,
            student__in=Enrolment.objects.filter(pairs_q(user_scope.ombuds_pairs)).values("student_id"),
        )
    cover = committee_cover(user) if user_scope.committees else frozenset()
    if cover:
        q |= Q(shared_with_committee=True, student__in=Enrolment.objects.filter(_cover_q(cover)).values("student_id"))
    return q


def follow_ups_due(user, today: datetime.date) -> QuerySet:
    """The advice of the students the user coaches (a superuser: every student) whose
    follow-up date has come (on or before ``today``) and which is not followed up yet,
    earliest first (Art. 28)."""
    user_scope = scope(user)
    advice = StudyAdvice.objects.filter(follow_up_on__lte=today, followed_up_on__isnull=True)
    if not user_scope.superuser:
        coached = Enrolment.objects.filter(pairs_q(user_scope.coach)).values("student_id")
        advice = advice.filter(student__in=coached)
    return advice.select_related("student").order_by("follow_up_on", "student__number", "pk")


# --- the dates -------------------------------------------------------------------------------
NO_DATE = _("Give the date of the conversation.")
FUTURE_CONVERSATION = _("The conversation cannot lie in the future.")
PAST_FOLLOW_UP = _("A follow-up lies after today.")
NO_TOPIC = _("Choose at least one topic.")
NO_ADVICE = _("Write down the advice given.")


def held_on_problem(held_on: datetime.date | None, *, today: datetime.date):
    """The conversation took place: on or before today."""
    if held_on is None:
        return NO_DATE
    if held_on > today:
        return FUTURE_CONVERSATION
    return None


def follow_up_problem(
    follow_up_on: datetime.date | None, *, today: datetime.date, unchanged: datetime.date | None = None
) -> str | None:
    """A follow-up lies after today; a follow-up date already on record may stay as it is."""
    if follow_up_on is None or follow_up_on == unchanged:
        return None
    if follow_up_on <= today:
        return gettext_noop("A follow-up lies after today.")
    return None


# --- the services ----------------------------------------------------------------------------
class AdviceRefused(Refused):
    default_code = "advice"


def _check(data: dict, *, today: datetime.date, unchanged_follow_up=None) -> dict:
    problems = []
    if problem := held_on_problem(data.get("held_on"), today=today):
        problems.append(str(problem))
    if problem := follow_up_problem(data.get("follow_up_on"), today=today, unchanged=unchanged_follow_up):
        problems.append(str(problem))
    topics = [str(topic) for topic in data.get("topics") or []]
    if not topics or any(topic not in AdviceTopic.values for topic in topics):
        problems.append(str(NO_TOPIC))
    if not (data.get("advice") or "").strip():
        problems.append(str(NO_ADVICE))
    if problems:
        raise AdviceRefused(problems)
    return {
        "held_on": data["held_on"],
        "topics": [topic for topic in AdviceTopic.values if topic in topics],  # the list's order
        "advice": data["advice"].strip(),
        "actions": (data.get("actions") or "").strip(),
        "follow_up_on": data.get("follow_up_on"),
        "shared_with_ombuds": bool(data.get("shared_with_ombuds")),
        "shared_with_committee": bool(data.get("shared_with_committee")),
    }


@transaction.atomic
def advice_record(*, student, by, data: dict, today: datetime.date | None = None) -> StudyAdvice:
    """Record a coach's study advice conversation with ``student`` (Art. 28); ``data`` has the
    fields of ``FIELDS``. Refused (nothing written) without a date, with a date in the future,
    with a follow-up on or before today, without a topic or without the advice."""
    values = _check(data, today=today or clock.today())
    advice = StudyAdvice(student=student, recorded_by=by, **values)
    audited_save(advice, by=by, reason=REASON_RECORDED)
    return advice


@transaction.atomic
def advice_update(advice: StudyAdvice, *, by, data: dict, today: datetime.date | None = None) -> StudyAdvice:
    """Change recorded advice; the earlier version stays in its history (who, when). A
    follow-up date already on record may stay even when it has come."""
    advice = StudyAdvice.objects.select_for_update().get(pk=advice.pk)
    values = _check(data, today=today or clock.today(), unchanged_follow_up=advice.follow_up_on)
    changed = [name for name, value in values.items() if getattr(advice, name) != value]
    if not changed:
        return advice
    for name in changed:
        setattr(advice, name, values[name])
    if "follow_up_on" in changed and advice.followed_up_on is not None:
        advice.followed_up_on = None  # a new follow-up date is due again
        changed.append("followed_up_on")
    audited_save(advice, by=by, reason=REASON_CHANGED, update_fields=changed)
    return advice


@transaction.atomic
def advice_follow_up_done(advice: StudyAdvice, by, on: datetime.date | None = None) -> StudyAdvice:
    """Mark the follow-up of ``advice`` done on ``on`` (today by default): it leaves the coach's
    home. Refused when the advice has no follow-up or it is done already."""
    advice = StudyAdvice.objects.select_for_update().get(pk=advice.pk)
    on = on or clock.today()
    if advice.follow_up_on is None:
        raise AdviceRefused([str(_("This advice has no follow-up."))])
    if advice.followed_up_on is not None:
        raise AdviceRefused([str(_("The follow-up is done already."))])
    if on > clock.today():
        raise AdviceRefused([str(_("A follow-up cannot be done in the future."))])
    advice.followed_up_on = on
    audited_save(advice, by=by, reason=REASON_FOLLOWED_UP, update_fields=["followed_up_on"])
    return advice


def advice_section(user, student, enrolments, *, has_advice: bool = True) -> dict:
    """The student page's "Study advice" section: ``shown`` (whether the user sees the section
    at all), ``entries`` (the advice they see, newest first), ``can_record`` and ``today``.
    ``has_advice`` False: the caller knows the student has no advice on record (not read)."""
    access = advice_access(user, student, enrolments)
    if not access.sees_any:
        return {"shown": False, "entries": [], "can_record": False}
    return {
        "shown": True,
        "entries": list(advice_visible_to(user, student, enrolments)) if has_advice else [],
        "can_record": access.records,
        "only_shared": not access.records,
        "today": clock.today(),
    }
