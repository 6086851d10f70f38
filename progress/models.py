"""What the study progress app keeps of its own: the risk signals as last computed (the coach's
risk list reads them; the student page computes them afresh) and the coaches' study advice
(Art. 27-28)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programmes.models import Programme
from students.models import Student

from . import risk


class RiskKind(models.TextChoices):
    THRESHOLD = risk.THRESHOLD, risk.KIND_LABELS[risk.THRESHOLD]
    REPEATED_FAILURE = risk.REPEATED_FAILURE, risk.KIND_LABELS[risk.REPEATED_FAILURE]
    ASSOCIATE = risk.ASSOCIATE, risk.KIND_LABELS[risk.ASSOCIATE]
    LEARNING_ACCOUNT = risk.LEARNING_ACCOUNT, risk.KIND_LABELS[risk.LEARNING_ACCOUNT]
    TOLERANCE = risk.TOLERANCE, risk.KIND_LABELS[risk.TOLERANCE]


class RiskLevel(models.TextChoices):
    INFORMATION = risk.INFORMATION, risk.LEVEL_LABELS[risk.INFORMATION]
    WARNING = risk.WARNING, risk.LEVEL_LABELS[risk.WARNING]
    REFUSAL_AHEAD = risk.REFUSAL_AHEAD, risk.LEVEL_LABELS[risk.REFUSAL_AHEAD]


class RiskSignal(models.Model):
    """One risk signal (``progress.risk.Signal``) of a student as last computed
    (``progress.risk_store.risk_refresh``): what the coach's risk list filters and sorts and the
    student page shows. The grounds and what would clear them are kept as their messages and
    values (``risk.Words.as_data``), shown in the reader's language."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="risk_signals", verbose_name=_("student")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=RiskKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=RiskLevel.choices)
    # ``progress.risk.URGENCY`` of the level: the list sorts on it (most urgent first).
    urgency = models.PositiveSmallIntegerField(_("urgency"))
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("programme"))
    course_code = models.CharField(_("course"), max_length=20, blank=True)
    computed_on = models.DateField(_("computed on"))
    # ``progress.risk.Words.as_data``: the messages and their values, read in the reader's language.
    grounds = models.JSONField(_("grounds"), default=list)
    clears = models.JSONField(_("what would clear it"), default=list)

    class Meta:
        ordering = ["-urgency", "student__number", "kind", "course_code"]
        verbose_name = _("risk signal")
        verbose_name_plural = _("risk signals")
        indexes = [
            models.Index(fields=["kind", "level"], name="risk_kind_level"),
            models.Index(fields=["-urgency", "student"], name="risk_urgency"),
        ]

    def __str__(self):
        return f"{self.student_id} {self.kind} {self.level}"

    @property
    def grounds_text(self) -> str:
        """The grounds in the reader's language."""
        return str(risk.Words.from_data(self.grounds))

    @property
    def clears_text(self) -> str:
        """What would clear the signal, in the reader's language."""
        return str(risk.Words.from_data(self.clears))


class AdviceTopic(models.TextChoices):
    """The topics of a study advice conversation (Art. 27-28), a short list."""

    STUDY_PROGRESS = "study_progress", _("study progress and results")
    THRESHOLD = "threshold", _("decree threshold (Art. 30)")
    REPEATED_FAILURE = "repeated_failure", _("repeated failure (Art. 31)")
    BINDING_CONDITIONS = "binding_conditions", _("binding conditions (Art. 29)")
    LEARNING_ACCOUNT = "learning_account", _("learning account and tuition fee")
    TOLERANCE = "tolerance", _("tolerance")
    ISP = "isp", _("individual study programme")
    REORIENTATION = "reorientation", _("reorientation or another programme")
    DEREGISTRATION = "deregistration", _("deregistration")
    OTHER = "other", _("other")


class StudyAdvice(models.Model):
    """A coach's study advice conversation with a student, on record (Art. 27-28): when, about
    what, the advice, the actions agreed and a follow-up date. Seen by the student's coaches
    only, and by the ombudsperson or the examination committee when the coach shares it."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="study_advice", verbose_name=_("student")
    )
    held_on = models.DateField(_("conversation on"))
    topics = models.JSONField(_("topics"), default=list)
    advice = models.TextField(_("advice given"))
    actions = models.TextField(_("agreed actions"), blank=True)
    follow_up_on = models.DateField(_("follow-up on"), null=True, blank=True)
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    shared_with_ombuds = models.BooleanField(_("shared with the ombudsperson"), default=False)
    shared_with_committee = models.BooleanField(_("shared with the examination committee"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("study advice")
        verbose_name_plural = _("study advice")
        indexes = [models.Index(fields=["follow_up_on"], name="advice_follow_up")]

    def __str__(self):
        return f"{self.student_id} {self.held_on}"

    def topic_labels(self) -> list[str]:
        labels = dict(AdviceTopic.choices)
        return [str(labels.get(topic, topic)) for topic in self.topics]
