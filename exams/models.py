from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import show_date
from programmes.models import AcademicYear, ExamPeriod, Programme
from students.models import ISPLine, Student


class Grade(models.TextChoices):
    PASS = "P", _("pass (P)")
    FAIL = "F", _("fail (F)")
    NOT_TAKEN = "NA", _("not taken (NA)")


class Result(models.Model):
    """The result of one exam opportunity of an ISP line (Art. 36-49).

    The mark is a ``score`` 0-20, a ``grade`` (P, F, NA), or, for partial exams,
    the ``parts``. A result counts only from its exam period's publication.
    """

    # No index of its own: the unique index of (ISP line, opportunity) leads with it (issue 19).
    isp_line = models.ForeignKey(
        ISPLine, on_delete=models.CASCADE, related_name="results", verbose_name=_("ISP line"), db_index=False
    )
    exam_period = models.ForeignKey(
        ExamPeriod, on_delete=models.PROTECT, related_name="results", verbose_name=_("exam period")
    )
    opportunity = models.PositiveSmallIntegerField(_("opportunity"), choices=[(1, "1"), (2, "2")])
    score = models.PositiveSmallIntegerField(
        _("mark"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(20)]
    )
    grade = models.CharField(_("grade"), max_length=2, choices=Grade.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["exam_period__academic_year__starts_on", "exam_period__number", "opportunity"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(fields=["isp_line", "opportunity"], name="result_once_per_opportunity"),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(score__lte=20), name="result_score_0_to_20"),
            models.CheckConstraint(
                condition=Q(opportunity__gte=1, opportunity__lte=2), name="result_opportunity_1_or_2"
            ),
            models.CheckConstraint(condition=Q(score__isnull=True) | Q(grade=""), name="result_score_or_grade"),
        ]

    def __str__(self):
        return f"{self.isp_line} #{self.opportunity}: {self.mark_display}"

    @property
    def mark_display(self) -> str:
        if self.score is not None:
            return str(self.score)
        if self.grade:
            return self.grade
        return _("parts")


class ResultPart(models.Model):
    """A partial exam of a course (Art. 65): credit-weighted in the course mark."""

    # No index of its own: the unique index of (result, position) leads with it (issue 19).
    result = models.ForeignKey(
        Result, on_delete=models.CASCADE, related_name="parts", verbose_name=_("result"), db_index=False
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    credits = models.PositiveSmallIntegerField(_("credits"), validators=[MinValueValidator(1)])
    score = models.PositiveSmallIntegerField(_("mark"), validators=[MinValueValidator(0), MaxValueValidator(20)])

    class Meta:
        ordering = ["position"]
        verbose_name = _("partial exam")
        verbose_name_plural = _("partial exams")
        constraints = [
            models.CheckConstraint(condition=Q(score__lte=20), name="result_part_score_0_to_20"),
            models.CheckConstraint(condition=Q(credits__gt=0), name="result_part_credits_positive"),
            models.UniqueConstraint(fields=["result", "position"], name="result_part_unique_position"),
        ]

    def __str__(self):
        return f"{self.credits} cr: {self.score}"


class ToleranceDecision(models.Model):
    """A student's dated decision on the tolerance of an ISP line (Art. 91): a dated fact of
    the timeline, processed once on its day — applied, or kept with the rule's ``refusal``.

    Each kind declares its ``isp_line`` (with its own related name) and its ``on`` (with its
    own label), one decision per line and day."""

    processed = models.BooleanField(default=False, editable=False)
    refusal = models.CharField(_("refused because"), max_length=200, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["on"]

    def __str__(self):
        return f"{self.isp_line} {show_date(self.on)}"


class ToleranceChoice(ToleranceDecision):
    """A student's choice to tolerate a tolerable fail (Art. 91 §2), within 15 days."""

    isp_line = models.ForeignKey(
        ISPLine, on_delete=models.CASCADE, related_name="tolerance_choices", verbose_name=_("ISP line")
    )
    on = models.DateField(_("chosen on"))

    class Meta(ToleranceDecision.Meta):
        verbose_name = _("tolerance choice")
        verbose_name_plural = _("tolerance choices")
        constraints = [models.UniqueConstraint(fields=["isp_line", "on"], name="tolerance_choice_unique")]


class ToleranceObjection(ToleranceDecision):
    """A student's objection to an automatic tolerance, within 5 days (Art. 91 §3)."""

    isp_line = models.ForeignKey(
        ISPLine, on_delete=models.CASCADE, related_name="tolerance_objections", verbose_name=_("ISP line")
    )
    on = models.DateField(_("objected on"))

    class Meta(ToleranceDecision.Meta):
        verbose_name = _("tolerance objection")
        verbose_name_plural = _("tolerance objections")
        constraints = [models.UniqueConstraint(fields=["isp_line", "on"], name="tolerance_objection_unique")]


class Level(models.TextChoices):
    PASSED = "passed", _("passed")
    CUM_LAUDE = "cum_laude", _("cum laude")
    MAGNA_CUM_LAUDE = "magna_cum_laude", _("magna cum laude")
    SUMMA_CUM_LAUDE = "summa_cum_laude", _("summa cum laude")
    SUMMA_CUM_LAUDE_CONGRATULATIONS = (
        "summa_cum_laude_congratulations",
        _("summa cum laude with the congratulations of the examination committee"),
    )


class ProgrammeResult(models.Model):
    """A student's result for a whole programme, decided at a publication (Art. 78-81)."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="programme_results", verbose_name=_("student")
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("academic year")
    )
    passed_on = models.DateField(_("passed on"))
    # None when no numeric mark counts, e.g. a programme of pass/fail courses only (Art. 78).
    percentage = models.DecimalField(_("percentage"), max_digits=7, decimal_places=4, null=True, blank=True)
    level = models.CharField(_("level of achievement"), max_length=40, choices=Level.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["passed_on"]
        verbose_name = _("programme result")
        verbose_name_plural = _("programme results")
        constraints = [models.UniqueConstraint(fields=["student", "programme"], name="programme_result_once")]

    def __str__(self):
        return f"{self.student.number} {self.programme.code} {self.percentage}"


class HeldPublication(models.Model):
    """A programme whose results of an exam period the publication left out on the calendar's day
    because an examination committee's deliberation on them was still open (EXCHANGE.md, held
    publications; Art. 68-69): they are published on the day it is released, and every clock that
    runs from the publication runs from that day for the programme's students."""

    exam_period = models.ForeignKey(
        ExamPeriod, on_delete=models.PROTECT, related_name="held_publications", verbose_name=_("exam period")
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    released_on = models.DateField(_("published on"), null=True, blank=True)

    class Meta:
        ordering = ["exam_period", "programme__code"]
        verbose_name = _("held publication")
        verbose_name_plural = _("held publications")
        constraints = [
            models.UniqueConstraint(fields=["exam_period", "programme"], name="held_publication_once"),
        ]

    def __str__(self):
        return f"{self.exam_period} · {self.programme}"


class PublicationBatch(models.Model):
    """One batch of students of a publication spread over Celery workers (``exams.fanout``,
    ``PUBLICATION_FANOUT``): the range of student ids it covers and, once a worker has claimed
    and planned it, what the publication writes for them (``exams.services.Plan.dump``: JSON,
    compressed).
    Nothing of it counts until the last step writes every batch's plan and records the period as
    published, in one transaction; then the batches are deleted. ``basis`` is a digest of what
    the plans were computed from: a rerun keeps the plans made on the same basis and plans the
    rest."""

    exam_period = models.ForeignKey(ExamPeriod, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    number = models.PositiveIntegerField()
    first_student = models.BigIntegerField()
    last_student = models.BigIntegerField()
    basis = models.CharField(max_length=64)
    plan = models.BinaryField(null=True, blank=True)
    planned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["exam_period", "number"]
        constraints = [
            models.UniqueConstraint(fields=["exam_period", "day", "number"], name="publication_batch_once"),
        ]

    def __str__(self):
        return f"{self.exam_period} · {self.number}"


class MissingMarksTally(models.Model):
    """How many marks are still missing for an exam period before its publication
    (``exams.tallies.missing_marks``) and how many are entered, in all and per course, as last
    counted: the home page of student administration, the exam periods' list and a period's
    publication page show them without counting every line the period examines on every visit
    (issue 19). Counted again by a Celery task every few minutes and after results are entered
    (``exams.tallies``)."""

    exam_period = models.OneToOneField(ExamPeriod, on_delete=models.CASCADE, related_name="missing_marks_tally")
    lines = models.PositiveIntegerField()  # the marks missing
    courses = models.PositiveIntegerField()  # the courses with a mark missing
    entered = models.PositiveIntegerField(default=0)  # the results entered in the period
    # Per course: {course id: [marks entered, marks missing]}, the courses with either.
    per_course = models.JSONField(default=dict)
    counted_at = models.DateTimeField()

    def __str__(self):
        return f"{self.exam_period} · {self.lines}"
