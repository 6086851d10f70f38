"""The examination committees, their deliberations and the deliberation report (Art. 68-75, 82;
DOMAIN §9).

One complete committee per cluster group and academic year (Art. 68) is competent for every
programme of its clusters. It deliberates on each exam period before the period's results are
announced: attendance (quorum, Art. 71), hearings (Art. 74), decisions about one student with
their reasons (Art. 70), votes and recusals (Art. 73, 75), and a report signed by the chair and
the secretary (Art. 82), frozen once signed.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from exams.models import Level, Result
from programmes.models import AcademicYear, Course, ExamPeriod, Programme
from students.models import ISPLine, Student

from . import rules


class Committee(models.Model):
    """A complete examination committee of one academic year (Art. 68)."""

    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("academic year")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("For example: Education, Health Care."))
    approved_on = models.DateField(
        _("composition approved on"), null=True, blank=True, help_text=_("The day the composition was approved.")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["academic_year__code", "name"]
        verbose_name = _("examination committee")
        verbose_name_plural = _("examination committees")
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "name"], name="committee_unique_name_per_year"),
        ]

    def __str__(self):
        return f"{self.name} {self.academic_year}"


class CommitteeCluster(models.Model):
    """A cluster a committee is competent for: every programme whose ``cluster`` has this name.
    One committee per cluster and academic year."""

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="clusters", verbose_name=_("examination committee")
    )
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="+", editable=False)
    cluster = models.CharField(_("cluster"), max_length=100)
    history = HistoricalRecords()

    class Meta:
        ordering = ["cluster"]
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "cluster"], name="committee_one_per_cluster_and_year"),
        ]

    def __str__(self):
        return self.cluster

    def save(self, *args, **kwargs):
        self.academic_year_id = self.committee.academic_year_id
        super().save(*args, **kwargs)


class MemberRole(models.TextChoices):
    """The seats of a complete committee (Art. 68); the values are ``rules.Role``'s."""

    CHAIR = rules.Role.CHAIR.value, _("chair")
    SECRETARY = rules.Role.SECRETARY.value, _("secretary")
    MEMBER = rules.Role.MEMBER.value, _("member")
    OMBUDSPERSON = rules.Role.OMBUDSPERSON.value, _("ombudsperson (advisory)")
    CHAIR_SUBSTITUTE = rules.Role.CHAIR_SUBSTITUTE.value, _("substitute for the chair")
    SECRETARY_SUBSTITUTE = rules.Role.SECRETARY_SUBSTITUTE.value, _("substitute for the secretary")


class Member(models.Model):
    """A seat on a committee: the chair (the cluster director), the secretary and the other
    members (programme heads), the ombudspersons (advisory: heard, no vote) and the substitutes
    for the chair and the secretary (Art. 68). A member linked to a user sees the committee's
    pages."""

    committee = models.ForeignKey(
        Committee, on_delete=models.CASCADE, related_name="members", verbose_name=_("examination committee")
    )
    name = models.CharField(_("name"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_seats",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=24, choices=MemberRole.choices)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme"),
        help_text=_("The programme the member heads, or serves as ombudsperson."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["committee", "role", "name"]
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "role"],
                condition=Q(role__in=["chair", "secretary"]),
                name="committee_one_chair_one_secretary",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"

    @property
    def votes(self) -> bool:
        return rules.Role(self.role) in rules.VOTING_ROLES


class DeliberationStatus(models.TextChoices):
    PREPARED = "prepared", _("to prepare")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class Deliberation(models.Model):
    """A committee's deliberation on the results of one exam period (Art. 69-75)."""

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="deliberations", verbose_name=_("examination committee")
    )
    exam_period = models.ForeignKey(
        ExamPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("exam period")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=DeliberationStatus.choices, default=DeliberationStatus.PREPARED
    )
    meets_on = models.DateField(_("meets on"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("A room, or 'online'."))
    opened_on = models.DateField(_("opened on"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    publication_planned_on = models.DateField(
        _("publication planned on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The calendar's publication day, when the deliberation held the publication past it."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-exam_period__academic_year__code", "-exam_period__number", "committee__name"]
        verbose_name = _("deliberation")
        verbose_name_plural = _("deliberations")
        constraints = [
            models.UniqueConstraint(fields=["committee", "exam_period"], name="deliberation_one_per_period"),
        ]

    def __str__(self):
        return f"{self.committee.name} · {self.exam_period}"


class Presence(models.TextChoices):
    PRESENT = rules.Presence.PRESENT.value, _("present")
    ONLINE = rules.Presence.ONLINE.value, _("present online")
    EXCUSED = rules.Presence.EXCUSED.value, _("excused")
    ABSENT = rules.Presence.ABSENT.value, _("absent")


class Attendance(models.Model):
    """Whether a member attended (Art. 71); a substitute who attends names the member replaced."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("deliberation")
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    presence = models.CharField(_("presence"), max_length=12, choices=Presence.choices)
    replaces = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replaces"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["member__role", "member__name"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "member"], name="attendance_once_per_member"),
        ]

    def __str__(self):
        return f"{self.member.name}: {self.get_presence_display()}"


class HearingKind(models.TextChoices):
    EXAMINER = "examiner", _("examiner heard")
    STUDENT = "student", _("student heard")


class Hearing(models.Model):
    """A hearing of an examiner or a student (Art. 74), with the day and who was present."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="hearings", verbose_name=_("deliberation")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=HearingKind.choices)
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+", verbose_name=_("student"))
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("course")
    )
    heard = models.CharField(_("person heard"), max_length=200)
    held_on = models.DateField(_("held on"))
    present = models.TextField(_("present"), help_text=_("Who was present at the hearing."))
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["held_on", "pk"]
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.heard} ({self.held_on})"


class DecisionKind(models.TextChoices):
    """The decisions about one student (Art. 70); the values are ``rules.DecisionKind``'s."""

    MARK_ADJUSTED = rules.DecisionKind.MARK_ADJUSTED.value, _("mark adjusted (clearly unreasonable)")
    TOLERATED = rules.DecisionKind.TOLERATED.value, _("intolerable fail considered tolerable")
    BEYOND_CREDIT = rules.DecisionKind.BEYOND_CREDIT.value, _("tolerance beyond the tolerance credit")
    LEVEL_AWARDED = rules.DecisionKind.LEVEL_AWARDED.value, _("level of achievement awarded")


class DecisionOutcome(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ADOPTED = "adopted", _("adopted")
    REJECTED = "rejected", _("rejected")


class Decision(models.Model):
    """A decision of the committee about one student (Art. 70), always with its reason."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("deliberation")
    )
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+", verbose_name=_("student"))
    kind = models.CharField(_("decision"), max_length=16, choices=DecisionKind.choices)
    isp_line = models.ForeignKey(
        ISPLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("course")
    )
    result = models.ForeignKey(
        Result, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("result")
    )
    examiner_mark = models.CharField(
        _("examiner's mark"),
        max_length=2,
        blank=True,
        editable=False,
        help_text=_("The examiner's mark when the decision was recorded (the result may change afterwards)."),
    )
    new_score = models.PositiveSmallIntegerField(
        _("new mark"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(20)]
    )
    level = models.CharField(_("level of achievement"), max_length=40, choices=Level.choices, blank=True)
    hearing = models.ForeignKey(
        Hearing, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hearing")
    )
    reason = models.TextField(_("reason"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=DecisionOutcome.choices, default=DecisionOutcome.PROPOSED
    )
    vote_requested_by = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vote requested by"),
    )
    applied_on = models.DateField(_("applied on"), null=True, blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["student__last_name", "student__first_name", "student__number", "pk"]
        verbose_name = _("committee decision")
        verbose_name_plural = _("committee decisions")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="decision_has_a_reason"),
        ]

    def __str__(self):
        return f"{self.student.number}: {self.get_kind_display()}"


class Ballot(models.TextChoices):
    FOR = rules.Ballot.FOR.value, pgettext_lazy("ballot", "for")
    AGAINST = rules.Ballot.AGAINST.value, pgettext_lazy("ballot", "against")
    ABSTAIN = rules.Ballot.ABSTAIN.value, pgettext_lazy("ballot", "abstention")
    INVALID = rules.Ballot.INVALID.value, pgettext_lazy("ballot", "invalid")


class Vote(models.Model):
    """One member's vote on a decision (Art. 75)."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes", verbose_name=_("decision"))
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    ballot = models.CharField(_("vote"), max_length=10, choices=Ballot.choices)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["decision", "member"], name="vote_once_per_member"),
        ]

    def __str__(self):
        return f"{self.member.name}: {self.get_ballot_display()}"


class RecusalGround(models.TextChoices):
    RELATIVE = rules.RecusalGround.RELATIVE.value, _("relative up to the fourth degree")
    OWN_MARK = rules.RecusalGround.OWN_MARK.value, _("own mark under review")


class Recusal(models.Model):
    """A member who does not deliberate or vote on one student (Art. 73)."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="recusals", verbose_name=_("deliberation")
    )
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+", verbose_name=_("student"))
    ground = models.CharField(_("ground"), max_length=12, choices=RecusalGround.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recusal")
        verbose_name_plural = _("recusals")
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "member", "student"], name="recusal_once"),
        ]

    def __str__(self):
        return f"{self.member.name} · {self.student.number}: {self.get_ground_display()}"


class FileKind(models.TextChoices):
    IRREGULARITY = "irregularity", _("irregularity or fraud (indicated by the chair)")
    CIRCUMSTANCES = "circumstances", _("special individual circumstances (indicated by the ombudsperson)")


class CaseFile(models.Model):
    """A file the select committee puts before the committee (Art. 69): irregularities and fraud
    indicated by the chair, special individual circumstances indicated by the ombudsperson."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="files", verbose_name=_("deliberation")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FileKind.choices)
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+", verbose_name=_("student"))
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("course")
    )
    description = models.TextField(_("description"))
    indicated_by = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+", verbose_name=_("indicated by"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("file for the committee")
        verbose_name_plural = _("files for the committee")

    def __str__(self):
        return f"{self.get_kind_display()} · {self.student.number}"


class Postponement(models.Model):
    """A result the select committee decides to announce later than the calendar date, with the
    reason (Art. 69, last paragraph)."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="postponements", verbose_name=_("deliberation")
    )
    isp_line = models.ForeignKey(ISPLine, on_delete=models.PROTECT, related_name="+", verbose_name=_("course"))
    announce_on = models.DateField(_("announced on"))
    reason = models.TextField(_("reason"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["announce_on", "pk"]
        verbose_name = _("postponed result")
        verbose_name_plural = _("postponed results")
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "isp_line"], name="postponement_once"),
            models.CheckConstraint(condition=~Q(reason=""), name="postponement_has_a_reason"),
        ]

    def __str__(self):
        return f"{self.isp_line} → {self.announce_on}"


class Report(models.Model):
    """A version of the deliberation report (Art. 82). Signed by the chair and the secretary it is
    frozen: ``content`` keeps what was signed; a correction is a new version."""

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.PROTECT, related_name="reports", verbose_name=_("deliberation")
    )
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    content = models.JSONField(_("content"), default=dict, editable=False)
    correction = models.TextField(_("what this version corrects"), blank=True)
    chair_signed_by = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("signed by (chair)")
    )
    chair_signed_at = models.DateTimeField(_("chair signed at"), null=True, blank=True)
    secretary_signed_by = models.ForeignKey(
        Member,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by (secretary)"),
    )
    secretary_signed_at = models.DateTimeField(_("secretary signed at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["deliberation", "-version"]
        verbose_name = _("deliberation report")
        verbose_name_plural = _("deliberation reports")
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "version"], name="report_version_once"),
        ]

    def __str__(self):
        return f"{self.deliberation} v{self.version}"

    @property
    def signed(self) -> bool:
        return self.chair_signed_at is not None and self.secretary_signed_at is not None


class DeliberatedTally(models.Model):
    """How many students the report of a deliberation says were deliberated (Art. 82: the students
    of the committee's programmes with a result in the exam period, ``committee.tallies``), as last
    counted: the report page of a deliberation not signed yet shows it without counting every
    result of the period on every visit (issue 19). Counted again by a Celery task every few
    minutes while the deliberation is not closed and after results are entered, and exactly when
    it is closed and when its report is signed (``committee.tallies``)."""

    deliberation = models.OneToOneField(Deliberation, on_delete=models.CASCADE, related_name="deliberated_tally")
    students = models.PositiveIntegerField()
    counted_at = models.DateTimeField()

    def __str__(self):
        return f"{self.deliberation} · {self.students}"
