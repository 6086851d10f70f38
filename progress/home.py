"""The coach's panel on the home page (core.home): in the academic year under way, the ISPs
of the coached programmes still to submit and to approve before their next deadline, the
students whose learning account is below 60 credits, and those at risk of refusal (Art. 28)."""

import datetime
from urllib.parse import urlencode

from django.db.models import Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core import pagination
from core.home import Item, Panel, register_panel
from core.pagination import shown_count
from core.permissions import Capability, pairs_q, scope
from programmes.models import AcademicYear
from students import rules
from students.models import Enrolment, EnrolmentStatus, ISPStatus, LearningAccountEntry

from .advice import follow_ups_due
from .models import RiskLevel, RiskSignal


def current_year(today: datetime.date) -> AcademicYear | None:
    """The academic year under way on ``today`` (the latest started one)."""
    return AcademicYear.objects.filter(starts_on__lte=today).order_by("-starts_on").first()


def _balance():
    total = (
        LearningAccountEntry.objects.filter(student=OuterRef("student"))
        .order_by()
        .values("student")
        .annotate(total=Sum("credits"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def submission_deadline(year: AcademicYear, *, today: datetime.date) -> tuple[datetime.date, bool]:
    """The submission deadline of a draft (the ISP deadline, inclusive) and whether it has
    passed (then the late route of DOMAIN §3 applies)."""
    return year.isp_deadline, today > year.isp_deadline


def approval_note(year: AcademicYear, *, today: datetime.date, overdue: int, submitted: int) -> tuple[str, bool]:
    """What the coach reads under the ISPs to approve, and whether a deadline was missed:
    an ISP is approved before the first-semester lock, or before the second-semester lock
    when it was approved before and changed since or its student enrolled from the first
    lock on (``students.rules.approval_deadline``); ``overdue`` of the ``submitted`` ISPs
    missed the first lock (never approved, enrolled before it)."""
    first, second = year.first_semester_lock, year.second_semester_lock
    if today < first:
        return _("To approve before %(day)s.") % {"day": _day(first)}, False
    if today >= second:
        return _("The approval deadline was %(day)s: late route.") % {"day": _day(second)}, bool(submitted)
    if not overdue:
        return _("To approve before %(day)s.") % {"day": _day(second)}, False
    if overdue == submitted:
        return _("The approval deadline was %(day)s: late route.") % {"day": _day(first)}, True
    return (
        ngettext(
            "%(count)s missed the approval deadline of %(day)s (late route); the others are approved before %(next)s.",
            "%(count)s missed the approval deadline of %(day)s (late route); the others are approved before %(next)s.",
            overdue,
        )
        % {"count": overdue, "day": _day(first), "next": _day(second)},
        True,
    )


def _day(value: datetime.date) -> str:
    return date_format(value, "DATE_FORMAT")


def items(user, today: datetime.date) -> list[Item]:
    year = current_year(today)
    if year is None:
        return []
    user_scope = scope(user)
    enrolments = Enrolment.objects.filter(academic_year=year, status=EnrolmentStatus.ENROLLED)
    if not user_scope.writes_all:
        enrolments = enrolments.filter(pairs_q(user_scope.writable))
    # A late enrolment (after the ISP deadline) submits within seven days of enrolling (Art. 19).
    late_in_time = Q(
        enrolled_on__gt=year.isp_deadline,
        enrolled_on__gte=today - datetime.timedelta(days=rules.LATE_ENROLMENT_DAYS),
    )
    # Each count up to core.pagination.CAP + 1 (shown "1,000+" beyond), each a scalar subquery of
    # one query: the page reads a bounded number of rows whatever the number of students (issue 19).
    drafts = enrolments.filter(isp_status=ISPStatus.DRAFT)
    submitted = enrolments.filter(isp_status=ISPStatus.SUBMITTED)
    counts = (
        AcademicYear.objects.filter(pk=year.pk)
        .annotate(
            drafts=_capped(drafts.values("pk")),
            drafts_late_in_time=_capped(drafts.filter(late_in_time).values("pk")),
            submitted=_capped(submitted.values("pk")),
            approval_overdue=_capped(
                submitted.filter(isp_approved_on__isnull=True, enrolled_on__lt=year.first_semester_lock).values("pk")
            ),
            below=_capped(
                enrolments.annotate(balance=_balance()).filter(balance__lt=rules.LIMITED_BALANCE).values("pk")
            ),
            # The students at risk of refusal (Art. 28), from their signals: the home page stays cheap.
            risk_refusal=_capped(_signalled(enrolments, RiskLevel.REFUSAL_AHEAD)),
            risk_warning=_capped(_signalled(enrolments, RiskLevel.WARNING)),
            # The study advice follow-ups due (Art. 28), counted in the same query.
            follow_ups=SubqueryCount(follow_ups_due(user, today).order_by().values("pk")),
        )
        .values(
            "drafts",
            "drafts_late_in_time",
            "submitted",
            "approval_overdue",
            "below",
            "risk_refusal",
            "risk_warning",
            "follow_ups",
        )[0]
    )
    base = reverse("students:student_list")

    def url(**query) -> str:
        return f"{base}?{urlencode({'academic_year': year.pk, **query})}"

    submit_by, submit_passed = submission_deadline(year, today=today)
    drafts, submitted, below = counts["drafts"], counts["submitted"], counts["below"]
    submit_note = (
        _("The submission deadline was %(day)s: late route.") if submit_passed else _("To submit by %(day)s.")
    ) % {"day": _day(submit_by)}
    in_time = counts["drafts_late_in_time"]
    if submit_passed and in_time:
        submit_note += " " + ngettext(
            "%(count)s late enrolment still has its seven days.",
            "%(count)s late enrolments still have their seven days.",
            in_time,
        ) % {"count": in_time}
    approve_note, approve_missed = approval_note(
        year,
        today=today,
        overdue=counts["approval_overdue"] if today >= year.first_semester_lock else 0,
        submitted=submitted,
    )
    return [
        Item(
            ngettext("%(count)s ISP to submit", "%(count)s ISPs to submit", drafts) % {"count": shown_count(drafts)},
            drafts,
            url(isp_status=ISPStatus.DRAFT),
            "danger" if submit_passed and drafts > in_time else "warning",
            submit_note,
        ),
        Item(
            ngettext("%(count)s ISP to approve", "%(count)s ISPs to approve", submitted)
            % {"count": shown_count(submitted)},
            submitted,
            url(isp_status=ISPStatus.SUBMITTED),
            "danger" if approve_missed else "warning",
            approve_note,
        ),
        Item(
            ngettext("%(count)s student below 60 credits", "%(count)s students below 60 credits", below)
            % {"count": shown_count(below)},
            below,
            url(below_60="on"),
            note=_("A limited learning account: credits beyond it cost more; at 0 or below an enrolment is refused."),
        ),
        *risk_items(refusal=counts["risk_refusal"], warning=counts["risk_warning"]),
        *follow_up_items(user, today, count=counts["follow_ups"]),
    ]


def _capped(rows):
    """The number of ``rows`` (a queryset of one column) up to ``core.pagination.CAP + 1``, as a
    scalar subquery."""
    return SubqueryCount(rows.order_by()[: pagination.CAP + 1])


def _signalled(enrolments, level: str):
    """The students of ``enrolments`` with a risk signal of ``level`` (as last computed), once
    each: read from the signals of that level, each looked up among the enrolments."""
    return (
        RiskSignal.objects.filter(level=level)
        .filter(Exists(enrolments.filter(student=OuterRef("student"))))
        .order_by()
        .values("student")
        .distinct()
    )


def risk_items(*, refusal: int, warning: int) -> list[Item]:
    """The coach's students at risk of refusal (Art. 28), from the risk signals as last
    computed: the students enrolled in the coached programmes this year with a "refusal
    ahead" signal (``refusal``) and with a warning (``warning``; a student with both counts
    in both), each linking to the risk list of that level."""
    base = reverse("students:risk_list")
    return [
        Item(
            ngettext("%(count)s student with a refusal ahead", "%(count)s students with a refusal ahead", refusal)
            % {"count": shown_count(refusal)},
            refusal,
            f"{base}?{urlencode({'level': RiskLevel.REFUSAL_AHEAD.value})}",
            "danger",
            _("At risk of being refused further enrolment (Art. 28): the grounds are on each student's page."),
        ),
        Item(
            ngettext("%(count)s student with a risk warning", "%(count)s students with a risk warning", warning)
            % {"count": shown_count(warning)},
            warning,
            f"{base}?{urlencode({'level': RiskLevel.WARNING.value})}",
            "warning",
        ),
    ]


FOLLOW_UPS_LISTED = 5


class SubqueryCount(Subquery):
    """The number of rows of a queryset, as a scalar subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def follow_up_items(user, today: datetime.date, *, count: int | None = None) -> list[Item]:
    """The follow-ups of study advice (Art. 27-28) that have come and are not done yet, of the
    coach's students (``progress.advice.follow_ups_due``): their number, then up to five
    students with the follow-up's day, each linking to the student page. ``count``: their
    number when the caller counted them (no query when there is none); otherwise counted here."""
    due = follow_ups_due(user, today)
    rows = [] if count == 0 else list(due[:FOLLOW_UPS_LISTED])
    if count is None:
        count = len(rows) if len(rows) < FOLLOW_UPS_LISTED else due.count()

    def tone(day):
        return "danger" if day < today else "warning"

    summary = Item(
        ngettext("%(count)s follow-up due", "%(count)s follow-ups due", count) % {"count": count},
        count,
        tone=tone(rows[0].follow_up_on) if rows else "",
        note=_("Follow-ups agreed in a study advice conversation (Art. 28), on or before today."),
    )
    return [
        summary,
        *(
            Item(
                f"{advice.student.full_name} ({advice.student.number})",
                1,
                reverse("students:student_detail", kwargs={"number": advice.student.number}) + "#advice",
                tone(advice.follow_up_on),
                _("Follow-up on %(day)s") % {"day": _day(advice.follow_up_on)},
            )
            for advice in rows
        ),
    ]


def register() -> None:
    register_panel(
        Panel(
            "progress",
            gettext_lazy("Your students"),
            Capability.ISP_WRITE,
            10,
            items,
            ("students:student_list", gettext_lazy("Open the student list")),
        )
    )
