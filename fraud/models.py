"""Exam fraud, plagiarism and disputes during an exam: the file and its procedure (Art. 74,
83-85, 92; DOMAIN §10).

A file starts with the examiner's report to the chair and the ombudsperson (Art. 84), with the
evidence confiscated; a plagiarism file is investigated by the chair, the teacher and the
programme head and weighed on the four factors of Art. 85; the examiner and the student are
heard (Art. 74, 84); the complete committee decides its sanctions (Art. 85 §1); an exclusion (6°,
7°) or an annulment (§3) is final only after the fraud authority's ratification (Art. 85 §2-3).
Every write goes through ``fraud.services``.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from committee.models import Committee, Deliberation
from programmes.models import Course, ExamPeriod
from reschedules.models import ExamMoment
from students.models import Student

from . import rules

EVIDENCE_PREFIX = "fraud-evidence/"


class EvidenceStorage(FileSystemStorage):
    """Where the evidence is kept: ``settings.FRAUD_EVIDENCE_ROOT`` (outside the web root, served
    only through the application), or the media root when it is empty; read at every use, so that
    a changed setting (a test) applies at once. Files are under ``fraud-evidence/``."""

    @property
    def base_location(self):
        return getattr(settings, "FRAUD_EVIDENCE_ROOT", "") or settings.MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None


_evidence_storage = EvidenceStorage()


def evidence_storage():
    return _evidence_storage


class FileKind(models.TextChoices):
    FRAUD = rules.FileKind.FRAUD.value, _("exam fraud")
    PLAGIARISM = rules.FileKind.PLAGIARISM.value, _("plagiarism")
    DISPUTE = rules.FileKind.DISPUTE.value, _("dispute during an exam")


class FraudFile(models.Model):
    """The examiner's report about an irregularity in an exam or an assignment (Art. 84), or a
    dispute during an exam (Art. 92), notified to the committee's chair and the ombudsperson."""

    kind = models.CharField(_("kind"), max_length=12, choices=FileKind.choices)
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+", verbose_name=_("student"))
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+", verbose_name=_("course"))
    exam_period = models.ForeignKey(
        ExamPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("exam period")
    )
    exam_moment = models.ForeignKey(
        ExamMoment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exam moment"),
    )
    assignment = models.CharField(
        _("assignment"), max_length=200, blank=True, help_text=_("The assignment, when it was not an exam moment.")
    )
    reported_on = models.DateField(_("reported on"))
    reported_by = models.CharField(_("reported by (examiner)"), max_length=200)
    reported_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("examiner's user"),
    )
    what_happened = models.TextField(_("what happened"))
    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="fraud_files", verbose_name=_("examination committee")
    )
    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fraud_files",
        verbose_name=_("deliberation"),
    )
    notified_chair_on = models.DateField(_("chair notified on"), null=True, blank=True)
    notified_ombudsperson_on = models.DateField(_("ombudsperson notified on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-reported_on", "-pk"]
        verbose_name = _("fraud file")
        verbose_name_plural = _("fraud files")
        constraints = [
            models.CheckConstraint(condition=~Q(what_happened=""), name="fraud_file_says_what_happened"),
            models.CheckConstraint(
                condition=Q(exam_moment__isnull=False) | ~Q(assignment=""), name="fraud_file_exam_or_assignment"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.student.number} · {self.course.code}"


class Evidence(models.Model):
    """A piece of evidence attached to the report (Art. 84: the incriminating evidence
    confiscated), within the configured size and types."""

    fraud_file = models.ForeignKey(
        FraudFile, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("fraud file")
    )
    file = models.FileField(_("file"), upload_to=EVIDENCE_PREFIX, storage=evidence_storage, max_length=255)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    added_on = models.DateField(_("added on"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["added_on", "pk"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self):
        return self.name


class Investigation(models.Model):
    """The plagiarism investigation (Art. 84) by the committee's chair, the teacher and the
    programme head (optionally an expert the chair assigns), with its findings and the four
    weighing factors of Art. 85."""

    fraud_file = models.OneToOneField(
        FraudFile, on_delete=models.PROTECT, related_name="investigation", verbose_name=_("fraud file")
    )
    chair = models.CharField(_("chair"), max_length=200)
    teacher = models.CharField(_("teacher"), max_length=200)
    programme_head = models.CharField(_("programme head"), max_length=200)
    expert = models.CharField(_("expert"), max_length=200, blank=True)
    findings = models.TextField(_("findings"))
    proportion = models.TextField(_("proportions of plagiarism"), blank=True)
    plagiarism_kind = models.TextField(_("kind of plagiarism"), blank=True)
    experience = models.TextField(_("experience of the student"), blank=True)
    intention = models.TextField(_("intention to commit fraud"), blank=True)
    recorded_on = models.DateField(_("recorded on"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plagiarism investigation")
        verbose_name_plural = _("plagiarism investigations")

    def __str__(self):
        return f"{self.fraud_file}: {self._meta.verbose_name}"

    def weighed(self) -> list[rules.WeighingFactor]:
        """The factors of Art. 85 recorded (a text given)."""
        texts = {
            rules.WeighingFactor.PROPORTION: self.proportion,
            rules.WeighingFactor.KIND: self.plagiarism_kind,
            rules.WeighingFactor.EXPERIENCE: self.experience,
            rules.WeighingFactor.INTENTION: self.intention,
        }
        return [factor for factor, text in texts.items() if text.strip()]


class HearingKind(models.TextChoices):
    EXAMINER = "examiner", _("examiner heard")
    STUDENT = "student", _("student heard")


class FraudHearing(models.Model):
    """The examiner heard, or the student heard by the chair in the presence of an ombudsperson
    (Art. 74, 84)."""

    fraud_file = models.ForeignKey(
        FraudFile, on_delete=models.PROTECT, related_name="hearings", verbose_name=_("fraud file")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=HearingKind.choices)
    held_on = models.DateField(_("held on"))
    heard_by = models.CharField(_("heard by"), max_length=200)
    ombudsperson = models.CharField(
        _("ombudsperson present"), max_length=200, blank=True, help_text=_("Required when the student is heard.")
    )
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["held_on", "pk"]
        verbose_name = _("fraud hearing")
        verbose_name_plural = _("fraud hearings")

    def __str__(self):
        return f"{self.get_kind_display()} ({self.held_on})"


class DecisionStatus(models.TextChoices):
    DECIDED = "decided", _("decided")
    AWAITING_RATIFICATION = "awaiting_ratification", _("awaiting ratification")
    FINAL = "final", _("final")
    NOT_RATIFIED = "not_ratified", _("not ratified: the committee decides anew")
    # Art. 101 g: an appeal against the sanction decided with a new decision; the committee decides anew.
    SET_ASIDE = "set_aside", _("set aside on appeal: the committee decides anew")


class FraudDecision(models.Model):
    """The complete committee's decision on a file (Art. 85 §1, §3), with its reasons, taken in a
    deliberation or an earlier meeting. ``sanctions`` lists ``rules.Sanction`` values."""

    fraud_file = models.ForeignKey(
        FraudFile, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("fraud file")
    )
    deliberation = models.ForeignKey(
        Deliberation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deliberation"),
        help_text=_("Empty when decided at an earlier meeting (Art. 85 §1)."),
    )
    sanctions = models.JSONField(_("sanctions"), default=list)
    reason = models.TextField(_("reason"))
    decided_on = models.DateField(_("decided on"))
    new_mark = models.CharField(_("appropriate mark"), max_length=4, blank=True)
    zeroed_results = models.JSONField(_("results set to zero"), default=list, blank=True)
    excluded_courses = models.JSONField(_("courses excluded"), default=list, blank=True)
    judged_gross = models.BooleanField(_("judged a gross irregularity"), default=False)
    thesis_change = models.BooleanField(_("change of thesis subject or supervisor"), default=False)
    ban_years = models.PositiveSmallIntegerField(_("years without enrolment"), null=True, blank=True)
    set_aside_highest_result = models.BooleanField(_("the highest result of the year set aside"), default=False)
    annulment = models.BooleanField(_("results and certificates annulled"), default=False)
    annulled_certificates = models.JSONField(_("certificates annulled"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=24, choices=DecisionStatus.choices)
    retake_moment = models.ForeignKey(
        ExamMoment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("retake moment"),
        help_text=_("1°: the new exam moment the cluster sets for the retake (Art. 85 §1 1°)."),
    )
    applied_on = models.DateField(
        _("sanctions carried out on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The day the final decision's sanctions were carried out, exactly once (Art. 85)."),
    )
    notified_on = models.DateField(
        _("student notified on"),
        null=True,
        blank=True,
        help_text=_(
            "The day the student was told of the final decision: the appeal period runs from it (Art. 85, 101)."
        ),
    )
    replaced = models.JSONField(
        _("what the sanctions replaced"),
        default=list,
        blank=True,
        editable=False,
        help_text=_(
            "The examiner's marks the sanctions replaced when carried out, to restore them when the decision is "
            "set aside on appeal (Art. 101 g)."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_on", "pk"]
        verbose_name = _("fraud decision")
        verbose_name_plural = _("fraud decisions")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="fraud_decision_has_a_reason"),
        ]

    def __str__(self):
        return f"{self.fraud_file} · {self.decided_on}"

    @property
    def sanction_numbers(self) -> str:
        """The sanctions as the article numbers them: "6°, 7°"."""
        return ", ".join(f"{rules.Sanction(s).number}°" for s in self.sanctions)

    @property
    def needs_ratification(self) -> bool:
        return rules.needs_ratification(self.sanctions, self.annulment)


class Ratification(models.Model):
    """The fraud authority's decision on a 6°/7° sanction or an annulment (Art. 85 §2-3), after
    the advice of an ombudsperson and the Student Council's chair (48 hours to give it)."""

    decision = models.OneToOneField(
        FraudDecision, on_delete=models.PROTECT, related_name="ratification", verbose_name=_("fraud decision")
    )
    ombudsperson_advice = models.TextField(_("ombudsperson's advice"), blank=True)
    ombudsperson_advice_on = models.DateField(_("ombudsperson's advice given on"), null=True, blank=True)
    council_advice_requested_at = models.DateTimeField(
        _("Student Council chair's advice requested at"), null=True, blank=True
    )
    council_advice = models.TextField(_("Student Council chair's advice"), blank=True)
    council_advice_given_at = models.DateTimeField(_("Student Council chair's advice given at"), null=True, blank=True)
    ratified = models.BooleanField(_("ratified"), null=True, blank=True)
    reason = models.TextField(_("fraud authority's reasoning"), blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ratification")
        verbose_name_plural = _("ratifications")

    def __str__(self):
        return f"{self._meta.verbose_name}: {self.decision}"
