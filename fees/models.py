from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.dates import show_date
from students.models import GrantStatus, Student

from . import rules


def _amount(label, **kwargs):
    return models.DecimalField(label, max_digits=9, decimal_places=2, **kwargs)


class FeeSchedule(models.Model):
    """The amounts of the tuition fee regulation for one academic year (appendix Art. 3).

    Keyed by the academic year's code, like the measures, so a schedule can be set up
    before the year exists. A year without a schedule of its own uses the latest earlier
    schedule (``for_year``).
    """

    academic_year_code = models.CharField(_("academic year"), max_length=9, unique=True)
    fixed_none = _amount(_("fixed cost, non-scholarship student"))
    per_credit_none = _amount(_("per credit, non-scholarship student"))
    fixed_nearly = _amount(_("fixed cost, nearly-scholarship student"))
    per_credit_nearly = _amount(_("per credit, nearly-scholarship student"))
    fixed_scholarship = _amount(_("fixed cost, scholarship student"))
    per_credit_scholarship = _amount(_("per credit, scholarship student"))
    fixed_bachelor_after_bachelor = _amount(_("fixed cost, bachelor-after-bachelor"))
    per_credit_bachelor_after_bachelor = _amount(_("per credit, bachelor-after-bachelor"))
    fixed_exam = _amount(_("fixed cost, exam contract"))
    per_credit_exam = _amount(_("per credit, exam contract"))
    exam_platform = _amount(_("digital learning platform, exam contract"))
    surcharge_per_credit = _amount(
        _("surcharge per credit without learning account"),
        help_text=_("Not for scholarship or nearly-scholarship students."),
    )
    secondary_school = _amount(
        _("final year of secondary school"),
        help_text=_("A pupil with a credit contract for at most 10 credits."),
    )

    class Meta:
        ordering = ["-academic_year_code"]
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")

    def __str__(self):
        return self.academic_year_code

    @classmethod
    def for_year(cls, code: str) -> "FeeSchedule | None":
        """The schedule of ``code``, else the latest earlier one (codes sort by year)."""
        return cls.objects.filter(academic_year_code__lte=code).order_by("-academic_year_code").first()

    def rates(self) -> rules.Rates:
        names = [f.name for f in rules.Rates.__dataclass_fields__.values() if f.name != "secondary_school_max_credits"]
        return rules.Rates(**{name: Decimal(getattr(self, name)) for name in names})


class FeeGroup(models.TextChoices):
    MAIN = rules.MAIN, _("degree and credit contracts")
    BACHELOR_AFTER_BACHELOR = rules.BACHELOR_AFTER_BACHELOR, _("bachelor-after-bachelor")
    EXAM = rules.EXAM, _("exam contract")


class Reason(models.TextChoices):
    ENROLMENT = "enrolment", _("enrolment")
    ISP_APPROVED = "isp_approved", _("ISP approved")
    ISP_FINAL = "isp_final", _("ISP final (first-semester lock)")
    ISP_CHANGE = "isp_change", _("courses added or removed")
    GRANT_STATUS = "grant_status", _("grant status changed")
    DEREGISTRATION = "deregistration", _("deregistration")
    RECALCULATION = "recalculation", _("recalculation")


class FeeStatement(models.Model):
    """One dated statement of a student's fee in one fee group of one academic year.

    Append-only: a recalculation that changes the amount adds a row with its date and
    reason; the latest row is the fee due. Without payments recorded here, the open
    balance is the latest amount.
    """

    # No index of its own: the index on (student, academic year, key, on) leads with it (issue 19).
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="fee_statements", verbose_name=_("student"), db_index=False
    )
    academic_year_code = models.CharField(_("academic year"), max_length=9)
    group = models.CharField(_("fee group"), max_length=32, choices=FeeGroup.choices)
    # "main", or "<group>:<programme code>" for the separately charged enrolments.
    key = models.CharField(_("key"), max_length=64)
    programme_codes = models.CharField(_("programmes"), max_length=200, blank=True)
    grant_status = models.CharField(_("grant status"), max_length=16, choices=GrantStatus.choices, blank=True)
    on = models.DateField(_("date"))
    fixed = _amount(_("fixed cost"))
    variable = _amount(_("variable cost"))
    surcharge = _amount(_("surcharge"))
    platform = _amount(_("digital learning platform"))
    total = _amount(_("amount"))
    credits = models.DecimalField(_("credits charged"), max_digits=6, decimal_places=1)
    surcharge_credits = models.DecimalField(_("credits without learning account"), max_digits=6, decimal_places=1)
    change = _amount(_("change"))
    reason = models.CharField(_("reason"), max_length=32, choices=Reason.choices)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("fee statement")
        verbose_name_plural = _("fee statements")
        indexes = [models.Index(fields=["student", "academic_year_code", "key", "on"])]

    def __str__(self):
        return f"{self.student_id} {self.academic_year_code} {self.key} {show_date(self.on)} {self.total}"
