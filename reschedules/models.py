"""The ombudsperson's records (Art. 43-51, 56-60): exam moments from the planning department,
course examiners, special statuses, reschedule requests and the annual report."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import show_date
from exams.models import Result
from programmes.models import AcademicYear, ExamPeriod, Programme
from students.models import ISPLine, Student

# --- Exam schedule, reschedules and the ombudsperson (Art. 17, 43-51, 56-59) -------------
DEFAULT_DURATION = 180  # minutes: an exam lasts three hours unless the planning says otherwise


class ExamMoment(models.Model):
    """When and where a course is examined in an exam period (Art. 41, 43): the planning
    department's schedule, from which each student's individual exam schedule follows."""

    course = models.ForeignKey(
        "programmes.Course", on_delete=models.CASCADE, related_name="exam_moments", verbose_name=_("course")
    )
    exam_period = models.ForeignKey(
        ExamPeriod, on_delete=models.CASCADE, related_name="exam_moments", verbose_name=_("exam period")
    )
    on = models.DateField(_("date"))
    starts_at = models.TimeField(_("start time"))
    duration = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=DEFAULT_DURATION,
        validators=[MinValueValidator(15), MaxValueValidator(12 * 60)],
        help_text=_(
            "How long the exam lasts, in minutes (three hours unless the planning says otherwise): two exams of "
            "a student that overlap in time clash."
        ),
    )
    room = models.CharField(
        _("room"), max_length=100, blank=True, help_text=_("Announced at least three days before the exam (Art. 43).")
    )
    announced_on = models.DateField(
        _("announced on"),
        null=True,
        blank=True,
        help_text=_(
            "The day the exam was put on the schedule; students see it from this day, never before the "
            "individual exam schedules open (Art. 43)."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["on", "starts_at", "course__code"]
        verbose_name = _("exam moment")
        verbose_name_plural = _("exam moments")
        constraints = [
            models.UniqueConstraint(fields=["course", "exam_period"], name="exam_moment_once_per_period"),
        ]

    def __str__(self):
        return f"{self.course.code} {show_date(self.on)} {self.starts_at:%H:%M}"

    def clean(self):
        period = self.exam_period if self.exam_period_id else None
        if period and self.on and not (period.starts_on <= self.on <= period.ends_on):
            raise ValidationError(
                {
                    "on": _("An exam moment lies inside its exam period (%(start)s to %(end)s, Art. 36, 41).")
                    % {"start": show_date(period.starts_on), "end": show_date(period.ends_on)}
                }
            )


class CourseExaminer(models.Model):
    """Who examines a course in an academic year (Art. 60); an ombudsperson who examines a
    student's course hands that student's requests to the substitute (Art. 58)."""

    course = models.ForeignKey(
        "programmes.Course", on_delete=models.CASCADE, related_name="examiners", verbose_name=_("course")
    )
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("academic year")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="examined_courses", verbose_name=_("examiner")
    )

    class Meta:
        ordering = ["academic_year__starts_on", "course__code"]
        verbose_name = _("course examiner")
        verbose_name_plural = _("course examiners")
        constraints = [
            models.UniqueConstraint(fields=["course", "academic_year", "user"], name="course_examiner_once"),
        ]

    def __str__(self):
        return f"{self.course.code} {self.academic_year.code} {self.user}"


class SpecialStatusKind(models.TextChoices):
    DISABILITY = "disability", _("disability (O-status)")
    MEDICAL = "medical", _("serious medical grounds")
    ATHLETE = "athlete", _("athlete")
    ARTIST = "artist", _("artist")
    WORKING = "working", _("working student")
    ENTREPRENEUR = "entrepreneur", _("entrepreneur-student")
    STUDENT_REPRESENTATIVE = "student_representative", _("student representative")


class StatusLevel(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"


LEVELLED_STATUSES = (SpecialStatusKind.ATHLETE, SpecialStatusKind.ARTIST)


class SpecialStatus(models.Model):
    """A special status of a student for one academic year (appendix on special statuses,
    Art. 97), with who granted it and when."""

    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="special_statuses", verbose_name=_("student")
    )
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("academic year")
    )
    kind = models.CharField(_("status"), max_length=32, choices=SpecialStatusKind.choices)
    level = models.CharField(
        _("level"),
        max_length=1,
        choices=StatusLevel.choices,
        blank=True,
        help_text=_("A, B or C for an athlete or artist status; empty for the others."),
    )
    granted_by = models.CharField(
        _("granted by"),
        max_length=200,
        help_text=_("The person or committee that granted it, e.g. the care coordinator or the Art Committee."),
    )
    granted_on = models.DateField(_("granted on"))
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["academic_year__starts_on", "student__number", "kind"]
        verbose_name = _("special status")
        verbose_name_plural = _("special statuses")
        constraints = [
            models.UniqueConstraint(fields=["student", "academic_year", "kind"], name="special_status_once_per_year"),
            models.CheckConstraint(
                condition=(Q(kind__in=LEVELLED_STATUSES) & ~Q(level=""))
                | (~Q(kind__in=LEVELLED_STATUSES) & Q(level="")),
                name="special_status_level_only_for_athlete_artist",
            ),
        ]

    def __str__(self):
        return f"{self.student.number} {self.label} {self.academic_year.code}"

    @property
    def label(self) -> str:
        label = str(self.get_kind_display())
        return f"{label} {self.level}" if self.level else label

    def clean(self):
        if self.kind in LEVELLED_STATUSES and not self.level:
            raise ValidationError({"level": _("An athlete or artist status has a level: A, B or C.")})
        if self.kind not in LEVELLED_STATUSES and self.level:
            raise ValidationError({"level": _("Only an athlete or artist status has a level.")})


class RequestKind(models.TextChoices):
    FORCE_MAJEURE = "force_majeure", _("force majeure (Art. 43)")
    RELIGIOUS_HOLIDAY = "religious_holiday", _("religious holiday (Art. 43)")
    SPECIAL_STATUS_DEFERRAL = "special_status_deferral", _("exam deferral, special status (Art. 50-51)")
    UNBALANCED_ISP = "unbalanced_isp", _("unbalanced ISP (Art. 46)")
    EARLY_GRADUATION = "early_graduation", _("early graduation (Art. 48)")
    STUDENT_REPRESENTATIVE = "student_representative", _("student representative (Art. 97)")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("open")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class RescheduleRequest(models.Model):
    """A student's request to move an exam, logged and decided by the ombudsperson
    (Art. 43, 46, 48, 50-51, 56-58, 97). A late or ineligible request is logged all the
    same and marked so (``findings``); a decision is final (Art. 57)."""

    kind = models.CharField(_("kind"), max_length=32, choices=RequestKind.choices)
    isp_line = models.ForeignKey(
        ISPLine, on_delete=models.PROTECT, related_name="reschedule_requests", verbose_name=_("ISP line")
    )
    exam_period = models.ForeignKey(
        ExamPeriod, on_delete=models.PROTECT, related_name="reschedule_requests", verbose_name=_("exam period")
    )
    exam_moment = models.ForeignKey(
        ExamMoment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reschedule_requests",
        verbose_name=_("exam moment"),
    )
    requested_on = models.DateField(_("requested on"))
    reason = models.TextField(_("reason"))
    evidence = models.TextField(_("evidence received"), blank=True)
    evidence_received_on = models.DateField(_("evidence received on"), null=True, blank=True)
    # The rule check made when the request was logged (reschedules.rules).
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    decide_by = models.DateField(_("decide by"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    ineligible = models.BooleanField(_("ineligible"), default=False)
    findings = models.JSONField(_("findings"), default=list, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("logged by")
    )
    logged_at = models.DateTimeField(_("logged at"), auto_now_add=True)
    # The decision (Art. 57).
    status = models.CharField(
        _("status"), max_length=16, choices=RequestStatus.choices, default=RequestStatus.OPEN, db_index=True
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    new_on = models.DateField(_("new date"), null=True, blank=True)
    new_starts_at = models.TimeField(_("new start time"), null=True, blank=True)
    new_room = models.CharField(_("new room"), max_length=100, blank=True)
    # The new moment against the student's individual exam schedule: the other exams it
    # clashed with when decided, kept only with the ombudsperson's reason (issue 13).
    clashes = models.JSONField(_("clashes with other exams"), default=list, blank=True)
    clash_override_reason = models.TextField(_("reason to keep the clashing new moment"), blank=True)
    # A force-majeure student who misses the new moment too (Art. 43).
    missed_on = models.DateField(_("new moment missed on"), null=True, blank=True)
    very_serious_case = models.BooleanField(_("very serious case of force majeure"), default=False)
    missed_note = models.TextField(_("note on the missed moment"), blank=True)
    na_result = models.ForeignKey(
        Result,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("NA result"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_on", "-pk"]
        verbose_name = _("reschedule request")
        verbose_name_plural = _("reschedule requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open") | (Q(decided_on__isnull=False) & ~Q(decision_reason="")),
                name="reschedule_decision_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | (Q(new_on__isnull=False) & Q(new_starts_at__isnull=False)),
                name="reschedule_accepted_has_new_moment",
            ),
            models.CheckConstraint(
                condition=Q(status="accepted") | (Q(new_on__isnull=True) & Q(missed_on__isnull=True)),
                name="reschedule_new_moment_only_when_accepted",
            ),
        ]
        indexes = [models.Index(fields=["status", "decide_by"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.isp_line}"

    @property
    def student(self):
        return self.isp_line.enrolment.student

    @property
    def enrolment(self):
        return self.isp_line.enrolment

    @property
    def course(self):
        return self.isp_line.course


class MomentSource(models.TextChoices):
    FRAUD_RETAKE = "fraud_retake", _("retake after a fraud decision (Art. 85 §1 1°)")


class IndividualMoment(models.Model):
    """A moment set for one student's exam in an exam period by a decision outside the planning
    and the ombudsperson's requests (Art. 43; Art. 85 §1 1°: the retake of an exam not validly
    taken, at a moment the cluster sets). It is on the student's individual exam schedule and
    answers ``core.gates.exam_dates``: of it and the accepted reschedule requests of the same exam,
    the latest decision wins (a request decided on the same day moves it). Written only through
    ``reschedules.services.individual_moment_set`` / ``individual_moment_withdraw``, once per
    ``reference`` (the deciding record, e.g. ``fraud_decision:12``)."""

    isp_line = models.ForeignKey(
        ISPLine, on_delete=models.PROTECT, related_name="individual_moments", verbose_name=_("ISP line")
    )
    exam_period = models.ForeignKey(
        ExamPeriod, on_delete=models.PROTECT, related_name="+", verbose_name=_("exam period")
    )
    on = models.DateField(_("date"))
    starts_at = models.TimeField(_("start time"))
    duration = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=DEFAULT_DURATION,
        validators=[MinValueValidator(15), MaxValueValidator(12 * 60)],
    )
    room = models.CharField(_("room"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=24, choices=MomentSource.choices)
    reference = models.CharField(_("reference"), max_length=64, unique=True, editable=False)
    set_on = models.DateField(_("set on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawn_reason = models.CharField(_("reason for the withdrawal"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["on", "starts_at", "pk"]
        verbose_name = _("individual exam moment")
        verbose_name_plural = _("individual exam moments")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | ~Q(withdrawn_reason=""),
                name="individual_moment_withdrawn_with_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()} {self.isp_line} {show_date(self.on)} {self.starts_at:%H:%M}"


class OmbudsReport(models.Model):
    """The ombudsperson's annual report to the cluster (Art. 59): prepared after the third
    exam period's publication, due on 15 November; overdue when not submitted by then."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("programme"))
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, related_name="+", verbose_name=_("academic year")
    )
    prepared_on = models.DateField(_("prepared on"))
    due_on = models.DateField(_("due on"))
    overdue = models.BooleanField(_("overdue"), default=False)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    submitted_on = models.DateField(_("submitted to the cluster on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-academic_year__starts_on", "programme__code"]
        verbose_name = _("ombudsperson's report")
        verbose_name_plural = _("ombudsperson's reports")
        constraints = [
            models.UniqueConstraint(fields=["programme", "academic_year"], name="ombuds_report_once"),
        ]

    def __str__(self):
        return f"{self.programme.code} {self.academic_year.code}"
