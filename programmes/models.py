from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core import roles
from core.dates import show_date

from . import rules


class AcademicYear(models.Model):
    """An academic year with its calendar (DOMAIN §1); every date is editable."""

    code = models.CharField(_("code"), max_length=9, unique=True, help_text=_("For example 2023-2024."))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    isp_deadline = models.DateField(_("ISP deadline"), blank=True)
    ies_opens = models.DateField(_("individual exam schedules open"), blank=True)
    first_semester_lock = models.DateField(_("first-semester lock"), blank=True)
    generation_switch_deadline = models.DateField(_("generation-student switch deadline"), blank=True)
    second_semester_change_deadline = models.DateField(_("second-semester change deadline"), blank=True)
    second_semester_lock = models.DateField(_("second-semester lock"), blank=True)
    easter_break_starts = models.DateField(_("Easter break starts"), blank=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("academic year")
        verbose_name_plural = _("academic years")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=F("starts_on")), name="academic_year_ends_after_start"),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.fill_calendar_defaults()
        super().save(*args, **kwargs)

    @property
    def first_year(self) -> int | None:
        return rules.parse_academic_year_code(self.code)

    def fill_calendar_defaults(self):
        first = self.first_year or (self.starts_on.year if self.starts_on else None)
        if first is None:
            return
        for field, value in rules.default_calendar(first).items():
            if getattr(self, field) is None:
                setattr(self, field, value)

    def clean(self):
        errors = {}
        if self.first_year is None:
            errors["code"] = _("Use two consecutive years, for example 2023-2024.")
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            errors["ends_on"] = _("The academic year must end after it starts.")
        if errors:
            raise ValidationError(errors)
        self.fill_calendar_defaults()

    def contains(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on


class ExamPeriod(models.Model):
    """One of the three exam periods of an academic year (Art. 36)."""

    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="exam_periods", verbose_name=_("academic year")
    )
    number = models.PositiveSmallIntegerField(_("number"), choices=[(1, "1"), (2, "2"), (3, "3")])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    results_published_on = models.DateField(_("results published on"))

    class Meta:
        ordering = ["academic_year__starts_on", "number"]
        verbose_name = _("exam period")
        verbose_name_plural = _("exam periods")
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "number"], name="exam_period_unique_number"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="exam_period_ends_after_start"),
            models.CheckConstraint(
                condition=Q(results_published_on__gte=F("ends_on")), name="exam_period_published_after_end"
            ),
            models.CheckConstraint(condition=Q(number__gte=1, number__lte=3), name="exam_period_number_1_to_3"),
        ]

    def __str__(self):
        return _("%(year)s exam period %(number)s") % {"year": self.academic_year, "number": self.number}

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The exam period must end on or after its first day.")
        if self.ends_on and self.results_published_on and self.results_published_on < self.ends_on:
            errors["results_published_on"] = _("Results are published after the exam period ends.")
        year = getattr(self, "academic_year", None) if self.academic_year_id else None
        if year and self.starts_on and self.ends_on:
            if not (year.contains(self.starts_on) and year.contains(self.ends_on)):
                errors["starts_on"] = _(
                    "The exam period must lie inside academic year %(year)s (%(start)s to %(end)s)."
                ) % {
                    "year": year.code,
                    "start": show_date(year.starts_on),
                    "end": show_date(year.ends_on),
                }
            else:
                others = ExamPeriod.objects.filter(academic_year=year).exclude(pk=self.pk)
                for other in others:
                    if rules.periods_overlap(self.starts_on, self.ends_on, other.starts_on, other.ends_on):
                        errors["starts_on"] = _("The exam period overlaps exam period %(number)s.") % {
                            "number": other.number
                        }
                        break
        if errors:
            raise ValidationError(errors)


class ProgrammeKind(models.TextChoices):
    """The labels of the kinds ``rules.ProgrammeKind`` defines."""

    ASSOCIATE = rules.ProgrammeKind.ASSOCIATE.value, _("associate degree")
    INITIAL_BACHELOR = rules.ProgrammeKind.INITIAL_BACHELOR.value, _("initial bachelor")
    EDUCATION_BACHELOR = rules.ProgrammeKind.EDUCATION_BACHELOR.value, _("educational bachelor")
    BACHELOR_AFTER_BACHELOR = rules.ProgrammeKind.BACHELOR_AFTER_BACHELOR.value, _("bachelor after bachelor")
    BRIDGING = rules.ProgrammeKind.BRIDGING.value, _("bridging programme")
    PREPARATORY = rules.ProgrammeKind.PREPARATORY.value, _("preparatory programme")
    INITIAL_MASTER = rules.ProgrammeKind.INITIAL_MASTER.value, _("initial master")
    MASTER_AFTER_MASTER = rules.ProgrammeKind.MASTER_AFTER_MASTER.value, _("master after master")
    POSTGRADUATE = rules.ProgrammeKind.POSTGRADUATE.value, _("postgraduate")


class Programme(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    degree_code = models.CharField(
        _("degree code"),
        max_length=32,
        blank=True,
        help_text=_(
            "Programmes with the same degree code lead to the same degree (Art. 29 §3); "
            "empty: the programme's own code."
        ),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ProgrammeKind.choices)
    cluster = models.CharField(_("cluster"), max_length=100)
    credits = models.PositiveSmallIntegerField(_("credits"), validators=[MinValueValidator(1)])
    tolerance_cap = models.PositiveSmallIntegerField(
        _("tolerance cap"), null=True, blank=True, help_text=_("Upper limit of the tolerance credit, if any.")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(condition=Q(credits__gt=0), name="programme_credits_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def degree(self) -> str:
        """The degree this programme leads to: its degree code, by default its own code (DOMAIN §5)."""
        return self.degree_code or self.code


class Semester(models.TextChoices):
    FIRST = "1", _("first semester")
    SECOND = "2", _("second semester")
    YEAR = "year", _("year course")


class Course(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="courses", verbose_name=_("programme")
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    credits = models.PositiveSmallIntegerField(_("credits"), validators=[MinValueValidator(1)])
    semester = models.CharField(_("semester"), max_length=4, choices=Semester.choices)
    stage = models.PositiveSmallIntegerField(_("programme stage"), validators=[MinValueValidator(1)])
    tolerable = models.BooleanField(_("tolerable"), default=True)
    resit = models.BooleanField(_("second opportunity"), default=True)
    pass_fail = models.BooleanField(_("pass/fail"), default=False)
    elective = models.BooleanField(_("elective"), default=False)
    identical_to = models.ManyToManyField("self", blank=True, symmetrical=True, verbose_name=_("identical courses"))

    class Meta:
        ordering = ["programme__code", "stage", "code"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="course_unique_code_in_programme"),
            models.CheckConstraint(condition=Q(credits__gt=0), name="course_credits_positive"),
            models.CheckConstraint(condition=Q(stage__gte=1), name="course_stage_at_least_1"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class PrerequisiteKind(models.TextChoices):
    SQ = "SQ", _("followed before or together (SQ)")
    SSQ = "SSQ", _("passed before (SSQ)")


class Prerequisite(models.Model):
    """Sequencing (Art. 20): ``course`` may be taken only when ``required`` meets ``kind``."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="prerequisites", verbose_name=_("course"))
    required = models.ForeignKey(
        Course, on_delete=models.CASCADE, related_name="required_by", verbose_name=_("required course")
    )
    kind = models.CharField(_("kind"), max_length=3, choices=PrerequisiteKind.choices)

    class Meta:
        verbose_name = _("prerequisite")
        verbose_name_plural = _("prerequisites")
        constraints = [
            models.UniqueConstraint(fields=["course", "required"], name="prerequisite_unique"),
            models.CheckConstraint(condition=~Q(course=F("required")), name="prerequisite_not_itself"),
        ]

    def __str__(self):
        return f"{self.course.code} ← {self.required.code} ({self.kind})"

    def clean(self):
        if self.course_id and self.required_id and self.course.programme_id != self.required.programme_id:
            raise ValidationError({"required": _("A prerequisite must be a course of the same programme.")})


class AssignmentRole(models.TextChoices):
    # The stored values are core.roles' (core.permissions reads them without importing this app).
    COACH = roles.ASSIGNED_COACH, _("learning path coach")
    OMBUDSPERSON = roles.ASSIGNED_OMBUDSPERSON, _("ombudsperson")
    SUBSTITUTE = roles.ASSIGNED_SUBSTITUTE, _("substitute ombudsperson")


class Assignment(models.Model):
    """A staff member assigned to a programme for one academic year: coaches and
    ombudspersons see only the students of their programmes (Art. 56, 58)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("user")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("programme")
    )
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("academic year")
    )
    role = models.CharField(_("role"), max_length=16, choices=AssignmentRole.choices)

    class Meta:
        ordering = ["academic_year__starts_on", "programme__code", "role"]
        verbose_name = _("programme assignment")
        verbose_name_plural = _("programme assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "programme", "academic_year", "role"], name="assignment_unique"),
            models.UniqueConstraint(
                fields=["programme", "academic_year", "role"],
                condition=models.Q(role__in=[roles.ASSIGNED_OMBUDSPERSON, roles.ASSIGNED_SUBSTITUTE]),
                name="assignment_one_ombudsperson_per_role",
            ),
        ]

    def __str__(self):
        return f"{self.user} {self.get_role_display()} {self.programme.code} {self.academic_year.code}"
