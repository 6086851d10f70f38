"""Appeals against individual decisions (Art. 101), refusal-lifting requests (Art. 34) and
corrections of administrative and material errors (Art. 102)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import show_date
from exams.models import ProgrammeResult, Result
from fraud.models import FraudDecision
from programmes.models import ExamPeriod, Programme
from students.models import ExemptionApproval, ISPLine, Measure, Student

from . import rules


class Category(models.TextChoices):
    """Art. 101 (a)-(h): the decisions that can be appealed."""

    REFUSAL_LIFTING = "a", _("(a) rejection to lift a refusal")
    COURSE_DENIAL = "b", _("(b) denial of further access to a course")
    PREPARATORY_PROGRAMME = "c", _("(c) imposed preparatory or reduced programme")
    EXEMPTION = "d", _("(d) exemption or competence decision")
    COURSE_REFUSAL = "e", _("(e) refusal of a course in a contract")
    EXAMINATION = "f", _("(f) examination decision")
    DISCIPLINARY = "g", _("(g) examination disciplinary decision")
    ADJUSTMENT = "h", _("(h) refusal of a reasonable adjustment")


class AppealStatus(models.TextChoices):
    OPEN = "open", _("open")
    VOID = "void", _("void")
    DECIDED = "decided", _("decided")


class Outcome(models.TextChoices):
    INADMISSIBLE = rules.INADMISSIBLE, _("inadmissible")
    UNFOUNDED = rules.UNFOUNDED, _("unfounded")
    NEW_DECISION = rules.NEW_DECISION, _("new decision")


class LiftingStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    GRANTED = "granted", _("refusal lifted")
    REJECTED = "rejected", _("rejected")


class RefusalLiftingRequest(models.Model):
    """A request to the refusal-lifting committee to lift a refusal (Art. 34)."""

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="refusal_lifting_requests", verbose_name=_("student")
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="lifting_requests", verbose_name=_("refusal")
    )
    academic_year_code = models.CharField(
        _("for academic year"), max_length=9, help_text=_("The academic year the student asks to enrol in.")
    )
    submitted_on = models.DateField(_("submitted on"))
    grounds = models.TextField(_("special individual circumstances"))
    status = models.CharField(
        _("status"), max_length=10, choices=LiftingStatus.choices, default=LiftingStatus.PENDING, editable=False
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("decision recorded by"),
    )
    decision_reason = models.TextField(_("motivation"), blank=True, editable=False)
    tolerated_courses = models.CharField(
        _("tolerances applied"),
        max_length=200,
        blank=True,
        editable=False,
        help_text=_("Threshold courses tolerated automatically when the refusal was lifted (Art. 34)."),
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_on", "-pk"]
        verbose_name = _("refusal-lifting request")
        verbose_name_plural = _("refusal-lifting requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", decided_on__isnull=True)
                | (~Q(status="pending") & Q(decided_on__isnull=False)),
                name="lifting_request_decided_when_not_pending",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=models.F("submitted_on")),
                name="lifting_request_decided_after_submitted",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.student.number} {self.measure.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("appeals:lifting_detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"R-{self.pk:04d}" if self.pk else "R-"


class Appeal(models.Model):
    """An internal appeal against an individual decision (Art. 101), in the register of
    student administration. The decision appealed is linked where it lives in the system
    when it does (a result, a publication, a programme result, a measure, an exemption, a
    course of an ISP, a refusal-lifting request), and always described in words."""

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="appeals", verbose_name=_("student"))
    category = models.CharField(_("category"), max_length=1, choices=Category.choices)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("programme")
    )
    decision_text = models.CharField(_("decision appealed"), max_length=300)
    described_from_link = models.BooleanField(
        _("described from the linked decision"),
        default=False,
        editable=False,
        help_text=_(
            "The description was filled in from the linked decision: the pages write it in the reader's language "
            "while the decision is linked; the text above keeps it in the registrar's language."
        ),
    )
    # The decision where it lives; SET_NULL so that no other app's work is ever blocked by
    # an appeal (a withdrawn programme result is deleted): the text above keeps what it was.
    result = models.ForeignKey(
        Result, on_delete=models.SET_NULL, null=True, blank=True, related_name="appeals", verbose_name=_("result")
    )
    exam_period = models.ForeignKey(
        ExamPeriod,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publication"),
    )
    programme_result = models.ForeignKey(
        ProgrammeResult,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme result"),
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("study progress measure"),
    )
    exemption = models.ForeignKey(
        ExemptionApproval,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exemption"),
    )
    isp_line = models.ForeignKey(
        ISPLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("course (ISP line)")
    )
    refusal_lifting_request = models.ForeignKey(
        RefusalLiftingRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("refusal-lifting request"),
    )
    # Art. 101 g: an examination disciplinary decision, the committee's decision on a fraud file.
    fraud_decision = models.ForeignKey(
        FraudDecision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("fraud decision"),
    )
    decision_on = models.DateField(
        _("published or notified on"),
        help_text=_("Examination decisions: the publication of the results; other decisions: the notification."),
    )
    posted_on = models.DateField(
        _("postal date"), help_text=_("The postal date of the registered letter: the filing day (Art. 101).")
    )
    email = models.EmailField(
        _("e-mail address for the procedure"),
        blank=True,
        help_text=_("Empty: the e-mail address the college gave the student is used (Art. 101)."),
    )
    facts_and_objections = models.TextField(_("facts and objections"), blank=True)
    pending_feedback = models.BooleanField(
        _("lodged pending feedback"),
        default=False,
        help_text=_("To be elaborated within five calendar days, or the appeal is void (Art. 101)."),
    )
    elaborated_on = models.DateField(_("elaborated on"), null=True, blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN, editable=False
    )
    voided_on = models.DateField(_("void since"), null=True, blank=True, editable=False)
    decision_due_on = models.DateField(_("decision due on"), editable=False)
    later_decision_on = models.DateField(_("decision announced for"), null=True, blank=True, editable=False)
    later_announced_on = models.DateField(_("later date announced on"), null=True, blank=True, editable=False)
    later_reasons = models.TextField(_("reasons for the later date"), blank=True, editable=False)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True, editable=False)
    decided_on = models.DateField(_("decided on"), null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("decision recorded by"),
    )
    decision_reason = models.TextField(_("motivation"), blank=True, editable=False)
    old_mark = models.CharField(_("mark before"), max_length=2, blank=True, editable=False)
    new_mark = models.CharField(_("new mark"), max_length=2, blank=True, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("registered by"),
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-posted_on", "-pk"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="decided", outcome__in=rules.OUTCOMES, decided_on__isnull=False)
                | (~Q(status="decided") & Q(outcome="", decided_on__isnull=True)),
                name="appeal_outcome_when_decided",
            ),
            models.CheckConstraint(
                condition=Q(status="void", voided_on__isnull=False) | (~Q(status="void") & Q(voided_on__isnull=True)),
                name="appeal_void_has_date",
            ),
            models.CheckConstraint(
                condition=Q(decision_due_on__gte=models.F("posted_on")), name="appeal_due_after_filing"
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=models.F("posted_on")),
                name="appeal_decided_after_filing",
            ),
            models.CheckConstraint(condition=Q(category__in=rules.CATEGORIES), name="appeal_category_a_to_h"),
        ]
        indexes = [models.Index(fields=["status", "decision_due_on"])]

    def __str__(self):
        return f"{self.reference} {self.student.number} ({self.category})"

    def get_absolute_url(self):
        return reverse("appeals:appeal_detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"A-{self.pk:04d}" if self.pk else "A-"

    @property
    def procedure_email(self) -> str:
        """Art. 101: the address the appeal names, else the one the college gave the student."""
        return self.email or self.student.email

    @property
    def is_open(self) -> bool:
        return self.status == AppealStatus.OPEN


class CorrectionException(models.TextChoices):
    LEGAL_CONDITIONS = "legal_conditions", _("the error breaches legal conditions")
    STUDENT_NEGLIGENCE = "student_negligence", _("the error results from the student's serious negligence or mistake")


class Correction(models.Model):
    """A correction of an administrative or material error (Art. 102), with who, when and why."""

    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="corrections", verbose_name=_("student")
    )
    result = models.ForeignKey(
        Result, on_delete=models.SET_NULL, null=True, blank=True, related_name="corrections", verbose_name=_("result")
    )
    subject = models.CharField(_("what was corrected"), max_length=200)
    decision_on = models.DateField(_("decision of"))
    corrected_on = models.DateField(_("corrected on"))
    in_favour = models.BooleanField(_("in the student's favour"))
    exception = models.CharField(
        _("late correction against the student because"),
        max_length=20,
        choices=CorrectionException.choices,
        blank=True,
    )
    old_value = models.CharField(_("before"), max_length=100, blank=True)
    new_value = models.CharField(_("after"), max_length=100, blank=True)
    reason = models.TextField(_("why"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-corrected_on", "-pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        constraints = [
            models.CheckConstraint(
                condition=Q(corrected_on__gte=models.F("decision_on")), name="correction_after_decision"
            ),
        ]

    def __str__(self):
        return f"{self.student.number} {show_date(self.corrected_on)} {self.subject}"
