from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.dates import show_date
from programmes.models import AcademicYear, Course, Programme


class Student(models.Model):
    number = models.CharField(_("student number"), max_length=32, unique=True)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail address"), blank=True)
    # The language of what the application sends the student (DOMAIN §11): Dutch unless set otherwise.
    language = models.CharField(
        _("language"), max_length=8, choices=[("nl", _("Dutch")), ("en", _("English"))], default="nl"
    )
    first_enrolment_in_higher_education = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first enrolment in higher education"),
    )
    # An imported opening balance (students coming from another institution):
    # when empty, the account opens with 140 credits on the first enrolment.
    opening_balance = models.IntegerField(_("imported opening balance"), null=True, blank=True)
    opening_bonus_left = models.PositiveSmallIntegerField(
        _("imported bonus left"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    opening_on = models.DateField(_("opening balance on"), null=True, blank=True)
    account_opened = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords(excluded_fields=["account_opened"])

    class Meta:
        ordering = ["last_name", "first_name", "number"]
        verbose_name = _("student")
        verbose_name_plural = _("students")
        constraints = [
            models.CheckConstraint(
                condition=Q(opening_balance__isnull=True) | Q(opening_on__isnull=False),
                name="student_opening_balance_has_date",
            ),
        ]
        # The admin's list of students in this order (issue 19). Its search by the beginning of
        # a number or a name has PostgreSQL indexes of its own (migration 0011).
        indexes = [
            models.Index(fields=["last_name", "first_name", "number"], name="student_name_order"),
            # The timeline's next day of an account to open (students.deadlines, issue 19).
            models.Index(fields=["opening_on"], condition=Q(account_opened=False), name="student_opening_pending"),
        ]

    def __str__(self):
        return f"{self.number} {self.full_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def learning_account_balance(self) -> int:
        return self.learning_account_entries.aggregate(total=Sum("credits"))["total"] or 0


class DegreeKind(models.TextChoices):
    BACHELOR = "bachelor", _("bachelor's degree")
    MASTER = "master", _("master's degree")


class Degree(models.Model):
    """A degree the student obtained (here or elsewhere); a first master's degree
    costs 140 credits of learning account (learning-account page)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="degrees", verbose_name=_("student"))
    kind = models.CharField(_("kind"), max_length=16, choices=DegreeKind.choices)
    on = models.DateField(_("obtained on"))
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("programme")
    )
    processed = models.BooleanField(_("processed"), default=False, editable=False)

    class Meta:
        ordering = ["on"]
        verbose_name = _("degree")
        verbose_name_plural = _("degrees")
        constraints = [
            models.UniqueConstraint(fields=["student", "kind", "on"], name="degree_unique_per_day"),
        ]
        indexes = [models.Index(fields=["on"], condition=Q(processed=False), name="degree_pending")]

    def __str__(self):
        return f"{self.get_kind_display()} {show_date(self.on)}"


class Contract(models.TextChoices):
    DEGREE = "degree", _("degree contract")
    CREDIT = "credit", _("credit contract")
    EXAM_DEGREE = "exam_degree", _("degree-exam contract")
    EXAM_CREDIT = "exam_credit", _("credit-exam contract")


class GrantStatus(models.TextChoices):
    NONE = "none", _("non-scholarship student")
    NEARLY = "nearly", _("nearly-scholarship student")
    SCHOLARSHIP = "scholarship", _("scholarship student")


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("enrolled")
    DEREGISTERED = "deregistered", _("deregistered")
    REFUSED = "refused", _("refused")


class ISPStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")


class Enrolment(models.Model):
    """One student in one programme in one academic year under one contract."""

    # Neither has an index of its own: the unique index of (student, academic year, programme)
    # leads with the student, the index of (academic year, programme) with the year (issue 19).
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("student"), db_index=False
    )
    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("academic year"),
        db_index=False,
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="enrolments", verbose_name=_("programme")
    )
    contract = models.CharField(_("contract"), max_length=16, choices=Contract.choices)
    enrolled_on = models.DateField(_("enrolled on"))
    deregistered_on = models.DateField(_("deregistered on"), null=True, blank=True)
    grant_status = models.CharField(
        _("grant status"), max_length=16, choices=GrantStatus.choices, default=GrantStatus.NONE
    )
    status = models.CharField(
        _("status"), max_length=16, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED
    )
    isp_status = models.CharField(_("ISP status"), max_length=16, choices=ISPStatus.choices, default=ISPStatus.DRAFT)
    status_reason = models.CharField(_("status reason"), max_length=200, blank=True)
    # Learning account balance just before this enrolment's first deduction: the
    # credits beyond it are "credits without learning account" (DOMAIN §2 rule 12).
    balance_at_enrolment = models.IntegerField(
        _("learning account at enrolment"), null=True, blank=True, editable=False
    )
    admission_exception = models.BooleanField(
        _("admitted by the Art. 33 exception"),
        default=False,
        editable=False,
        help_text=_("Admitted for one academic year despite a learning account of 0 or less (Art. 33)."),
    )
    # Art. 33 "on condition of a written request": the exception needs its date (DOMAIN §2
    # rule 11); the import format has no field for it, so an imported enrolment is taken
    # as requested on its enrolment date.
    exception_requested_on = models.DateField(
        _("Art. 33 exception requested on"),
        null=True,
        blank=True,
        help_text=_(
            "Date of the written request to complete the programme in one more academic year "
            "despite a learning account of 0 or less (Art. 33)."
        ),
    )
    # Timeline markers: each dated fact is processed once (see core.timeline).
    enrolment_processed = models.BooleanField(default=False, editable=False)
    deregistration_processed = models.BooleanField(default=False, editable=False)
    # Optimistic concurrency: every save of the ISP through the editor bumps it.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    isp_submitted_on = models.DateField(_("ISP submitted on"), null=True, blank=True, editable=False)
    isp_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("ISP submitted by"),
        help_text=_("Empty when the student submitted the ISP outside this application."),
    )
    # The late route (DOMAIN §3): a step taken after its deadline is recorded as late,
    # with the reason and who allowed it.
    isp_submitted_late_reason = models.CharField(
        _("reason for the late submission"), max_length=300, blank=True, editable=False
    )
    isp_submitted_late_allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("late submission allowed by"),
    )
    isp_approved_on = models.DateField(_("ISP approved on"), null=True, blank=True, editable=False)
    isp_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("ISP approved by"),
    )
    isp_approved_late_reason = models.CharField(
        _("reason for the late approval"), max_length=300, blank=True, editable=False
    )
    isp_approved_late_allowed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("late approval allowed by"),
    )
    history = HistoricalRecords(excluded_fields=["enrolment_processed", "deregistration_processed"])

    class Meta:
        ordering = ["academic_year__starts_on", "programme__code", "student__number"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "academic_year", "programme"], name="enrolment_unique_per_year_programme"
            ),
            models.CheckConstraint(
                condition=Q(deregistered_on__isnull=True) | Q(deregistered_on__gte=models.F("enrolled_on")),
                name="enrolment_deregistered_after_enrolled",
            ),
        ]
        indexes = [
            models.Index(fields=["academic_year", "programme"]),
            # The timeline's next day with work and the tuition fee's facts of a day (students.deadlines,
            # fees.services): found by index, not by reading every enrolment each day (issue 19).
            models.Index(fields=["enrolled_on"], condition=Q(enrolment_processed=False), name="enrolment_pending"),
            models.Index(
                fields=["deregistered_on"],
                condition=Q(deregistration_processed=False, deregistered_on__isnull=False),
                name="deregistration_pending",
            ),
            models.Index(fields=["enrolled_on"], name="enrolment_enrolled_on"),
            models.Index(
                fields=["deregistered_on"], condition=Q(deregistered_on__isnull=False), name="enrolment_deregistered_on"
            ),
            models.Index(
                fields=["isp_approved_on"], condition=Q(isp_approved_on__isnull=False), name="enrolment_isp_approved_on"
            ),
        ]

    def __str__(self):
        return f"{self.student.number} {self.programme.code} {self.academic_year.code}"


class LineOutcome(models.TextChoices):
    PENDING = "pending", _("pending")
    PASSED = "passed", _("passed")
    TOLERABLE = "tolerable", _("tolerable fail")
    FAILED = "failed", _("failed")


class ToleranceKind(models.TextChoices):
    CHOSEN = "chosen", _("chosen by the student")
    AUTOMATIC = "automatic", _("applied automatically")
    COMMITTEE = "committee", _("decided by the examination committee (Art. 70)")


class ISPLine(models.Model):
    """A course in an enrolment's individual study programme (Art. 19-25)."""

    # No index of its own: the natural key's unique index (enrolment, course, added_on) leads with
    # it. An index fewer to write for each line inserted or moved by an update (issue 19).
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("enrolment"), db_index=False
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="isp_lines", verbose_name=_("course"))
    added_on = models.DateField(_("added on"))
    removed_on = models.DateField(_("removed on"), null=True, blank=True)
    exempted = models.BooleanField(_("exempted"), default=False)
    locked_on = models.DateField(
        _("final since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The semester lock from which this line can no longer be changed or refunded."),
    )
    # Credits this line has taken from the learning account and not yet given back
    # by a removal or deregistration refund; a pass refund gives them back too.
    deducted_credits = models.PositiveSmallIntegerField(_("deducted credits"), default=0, editable=False)
    # Published outcome of the year (set at each publication, DOMAIN §4).
    mark = models.CharField(_("final mark"), max_length=2, blank=True, editable=False)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=LineOutcome.choices, default=LineOutcome.PENDING, editable=False
    )
    certified_on = models.DateField(_("credit certificate on"), null=True, blank=True, editable=False)
    tolerated_on = models.DateField(_("tolerated on"), null=True, blank=True, editable=False)
    tolerance_kind = models.CharField(
        _("tolerance"), max_length=10, choices=ToleranceKind.choices, blank=True, editable=False
    )
    add_processed = models.BooleanField(default=False, editable=False)
    removal_processed = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords(excluded_fields=["add_processed", "removal_processed"])

    class Meta:
        ordering = ["course__stage", "course__code"]
        verbose_name = _("ISP line")
        verbose_name_plural = _("ISP lines")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "course"],
                condition=Q(removed_on__isnull=True),
                name="isp_line_course_once_in_isp",
            ),
            models.UniqueConstraint(fields=["enrolment", "course", "added_on"], name="isp_line_unique_natural_key"),
            models.CheckConstraint(
                condition=Q(removed_on__isnull=True) | Q(removed_on__gte=models.F("added_on")),
                name="isp_line_removed_after_added",
            ),
        ]
        indexes = [
            models.Index(fields=["added_on"], condition=Q(add_processed=False), name="isp_line_add_pending"),
            # The timeline's next removal to process and the tuition fee's ISP changes of a day
            # (students.deadlines, fees.services), by index (issue 19).
            models.Index(
                fields=["removed_on"],
                condition=Q(removal_processed=False, removed_on__isnull=False),
                name="isp_line_removal_pending",
            ),
            models.Index(fields=["added_on"], name="isp_line_added_on"),
            models.Index(fields=["removed_on"], condition=Q(removed_on__isnull=False), name="isp_line_removed_on"),
        ]

    def __str__(self):
        return f"{self.enrolment} {self.course.code}"

    @property
    def is_final(self) -> bool:
        return self.locked_on is not None


class EntryKind(models.TextChoices):
    OPENING = "opening", _("opening balance")
    DEDUCTION = "deduction", _("deduction")
    REFUND = "refund", _("refund")
    PASS_REFUND = "pass_refund", _("refund on passing")
    BONUS = "bonus", _("bonus on the first 60 credits")
    MASTER_DEGREE = "master_degree", _("first master's degree")
    REBUILD = "rebuild", _("rebuild")
    CORRECTION = "correction", _("correction")


# The kinds of most of the ledger's entries (every ISP line, every pass): not in the rare kinds'
# index (``LearningAccountEntry.Meta``).
FREQUENT_ENTRY_KINDS = [EntryKind.DEDUCTION, EntryKind.PASS_REFUND, EntryKind.BONUS]


class EntryReason(models.TextChoices):
    """Why an entry was booked. The sentence is rendered in the reader's language from
    the code and the entry's facts (course, academic year, programme, credits, date);
    ``reason_params`` holds the few facts an entry has no field for."""

    OPENING = "opening", _("opening balance")
    OPENING_IMPORTED = "opening_imported", _("imported opening balance")
    ISP = "isp", _("ISP deduction")
    COURSE_ADDED = "course_added", _("course added to the ISP")
    COURSE_REMOVED = "course_removed", _("course removed from the ISP before the lock")
    COURSE_EXEMPTED = "course_exempted", _("course exempted")
    PASSED = "passed", _("course passed")
    PASSED_BONUS = "passed_bonus", _("course passed: bonus")
    PASSED_REDECIDED = "passed_redecided", _("course passed by a new decision")
    PASSED_REDECIDED_BONUS = "passed_redecided_bonus", _("course passed by a new decision: bonus")
    CERTIFICATE_WITHDRAWN = "certificate_withdrawn", _("credit certificate withdrawn")
    DEREGISTRATION = "deregistration", _("deregistration")
    GENERATION_SWITCH = "generation_switch", _("generation student switching programme")
    REBUILD = "rebuild", _("learning account rebuilt")
    REBUILD_REVERSED = "rebuild_reversed", _("rebuild reversed")
    READMITTED = "readmitted", _("ISP readmitted")
    REFUSED = "refused", _("enrolment refused by a measure")
    MASTER_DEGREE = "master_degree", _("first master's degree")


# The reasons of the frequent kinds' entries (every ISP, every pass): not in the rare reasons'
# index (``LearningAccountEntry.Meta``).
FREQUENT_ENTRY_REASONS = [EntryReason.ISP, EntryReason.PASSED, EntryReason.PASSED_BONUS]


class LearningAccountEntry(models.Model):
    """One dated entry of the append-only learning account ledger.

    The balance is the sum of a student's entries; a correction is a new entry.
    ``source`` names the fact that caused the entry: with ``kind`` it is unique,
    so processing a fact twice can never book it twice.
    """

    # No index of its own: the index on (student, on, credits) leads with it (issue 19: an index fewer to
    # write for each of the millions of entries a publication or a replay books).
    student = models.ForeignKey(
        Student,
        on_delete=models.PROTECT,
        related_name="learning_account_entries",
        verbose_name=_("student"),
        db_index=False,
    )
    on = models.DateField(_("date"))
    credits = models.IntegerField(_("credits"))
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    source = models.CharField(_("source"), max_length=120)
    # No index of their own: the year's and the programme's indexes hold the entry's id too
    # (``ledger_entry_year``, ``ledger_entry_programme``).
    # No constraint in the database either, for the year, the programme and the course: they say
    # where an entry comes from, and each is a catalogue row that is never deleted while entries
    # name it (``on_delete=PROTECT`` is Django's: it still refuses the deletion). PostgreSQL checks
    # a foreign key row by row when the transaction commits; a publication books 1.5 million
    # entries at 125,000 students, and these three checks took a fifth of its time (issue 19:
    # 16.9 -> 13.6 s at 25,000). The student's stays: an entry without its student is no entry.
    academic_year = models.ForeignKey(
        AcademicYear,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("academic year"),
        db_index=False,
        db_constraint=False,
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme"),
        db_index=False,
        db_constraint=False,
    )
    course = models.ForeignKey(
        Course,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("course"),
        db_constraint=False,
    )
    # The reason is data: a code (plus ``reason_params`` for facts without a field),
    # rendered by ``reason_text`` in the reader's language. ``reason`` keeps free text
    # that has no code (rows from before the codes that could not be recognised).
    reason_code = models.CharField(_("reason"), max_length=32, choices=EntryReason.choices, blank=True)
    reason_params = models.JSONField(_("reason details"), default=dict, blank=True)
    reason = models.CharField(_("reason (text)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    # Only entries booked by hand have an author: its index holds only them (``ledger_entry_author``),
    # so that the millions the timeline books write nothing there (issue 19).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["on", "id"]
        verbose_name = _("learning account entry")
        verbose_name_plural = _("learning account entries")
        constraints = [
            models.UniqueConstraint(fields=["source", "kind"], name="ledger_entry_once_per_source_and_kind"),
        ]
        indexes = [
            # A student's entries in date order, and their balance (the sum of their credits) read
            # from the index alone: one index for both (issue 19).
            models.Index(fields=["student", "on", "credits"], name="ledger_entry_student_on"),
            models.Index(fields=["created_by"], condition=Q(created_by__isnull=False), name="ledger_entry_author"),
            # The administration's list of the ledger, newest first, filtered by year, programme or
            # kind (issue 19: 1.5 million entries at 250,000 students). Each filter walks its own
            # index in the list's order and stops at the page, instead of the whole ledger in the
            # primary key's order for the few entries of an old year or a rare kind. The kinds'
            # index holds only the rare kinds: the frequent ones are found at once in the primary
            # key's order, and the millions of deductions, refunds and bonuses a replay and a
            # publication book write nothing there.
            models.Index(fields=["academic_year", "id"], name="ledger_entry_year"),
            models.Index(fields=["programme", "id"], name="ledger_entry_programme"),
            models.Index(
                fields=["kind", "id"],
                condition=~Q(kind__in=FREQUENT_ENTRY_KINDS),
                name="ledger_entry_rare_kind",
            ),
            # The reasons likewise: the openings, the courses added, removed and exempted, the
            # deregistrations, rebuilds, ... (the list's filter by reason walked every entry).
            models.Index(
                fields=["reason_code", "id"],
                condition=~Q(reason_code__in=FREQUENT_ENTRY_REASONS),
                name="ledger_entry_rare_reason",
            ),
        ]

    def __str__(self):
        return f"{self.student.number} {show_date(self.on)} {self.credits:+d} {self.get_kind_display()}"

    def _reason_text(self) -> str:
        """The reason as a sentence in the active language (see ``students.ledger``)."""
        from .ledger import reason_text

        return reason_text(self)

    _reason_text.short_description = _("reason")
    reason_text = property(_reason_text)


class MeasureKind(models.TextChoices):
    THRESHOLD_REFUSAL = "threshold_refusal", _("refusal: decree threshold (Art. 30)")
    REPEATED_FAILURE_REFUSAL = "repeated_failure_refusal", _("refusal: repeated failure (Art. 31)")
    BINDING_CONDITIONS = "binding_conditions", _("binding conditions (Art. 29)")
    BINDING_CONDITIONS_REFUSAL = "binding_conditions_refusal", _("refusal: binding conditions not met (Art. 29)")
    LEARNING_ACCOUNT_REFUSAL = "learning_account_refusal", _("refusal: learning account (Art. 33)")
    FRAUD_EXCLUSION = "fraud_exclusion", _("exclusion from the programme after exam fraud (Art. 85 §1 6°)")
    FRAUD_ENROLMENT_BAN = (
        "fraud_enrolment_ban",
        _("loss of the right to enrol in every programme after exam fraud (Art. 85 §1 7°)"),
    )


class Measure(models.Model):
    """A study progress measure taken at the end of an academic year (Art. 29-33)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="measures", verbose_name=_("student"))
    kind = models.CharField(_("kind"), max_length=32, choices=MeasureKind.choices)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+", verbose_name=_("programme"))
    course = models.ForeignKey(
        Course, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("course")
    )
    # Academic year codes: a refusal can reach years not in the calendar yet.
    from_year_code = models.CharField(_("from academic year"), max_length=9)
    until_year_code = models.CharField(_("until academic year"), max_length=9)
    decided_on = models.DateField(_("decided on"))
    decided_in = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided at the end of")
    )
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    lifted_reason = models.CharField(_("lifted because"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_on", "kind"]
        verbose_name = _("study progress measure")
        verbose_name_plural = _("study progress measures")
        constraints = [
            # One measure per kind, programme, course and first year; two partial
            # constraints because a measure without a course must be unique too.
            models.UniqueConstraint(
                fields=["student", "kind", "programme", "course", "from_year_code"],
                condition=Q(course__isnull=False),
                name="measure_once_per_course",
            ),
            models.UniqueConstraint(
                fields=["student", "kind", "programme", "from_year_code"],
                condition=Q(course__isnull=True),
                name="measure_once",
            ),
        ]

    def __str__(self):
        return f"{self.student.number} {self.get_kind_display()} {self.programme.code}"


# --- ISP decisions of the cluster (Art. 22, 25) ---------------------------------------
class DerogationKind(models.TextChoices):
    FEWER_CREDITS = "fewer_credits", _("fewer than 27 credits (Art. 22 §1)")
    MORE_CREDITS = "more_credits", _("more than 72 credits (Art. 22 §1)")
    SEQUENCING = "sequencing", _("sequencing SQ for one course (Art. 22 §1)")
    MODEL_ROUTE = "model_route", _("not the whole first stage of the model route (Art. 22 §2)")


class DerogationGround(models.TextChoices):
    SPECIAL_STATUS = "special_status", _("special status")
    WORK_ROUTE = "work_route", _("recognised work route")
    LATE_REGISTRATION = "late_registration", _("late registration")
    OUTSTANDING_EFFICIENCY = "outstanding_efficiency", _("outstanding study efficiency or highly gifted")
    EXEMPTIONS = "exemptions", _("exemptions or an earlier degree")
    INDIVIDUAL_DECISION = "individual_decision", _("individual file with a motivated decision")


class DerogationOutcome(models.TextChoices):
    """The cluster's decision on a request to derogate from the ISP rules (Art. 22)."""

    APPROVED = "approved", _("approved by the cluster")
    REFUSED = "refused", _("refused by the cluster")


class ISPDerogationQuerySet(models.QuerySet):
    def approved(self):
        """The derogations the rules apply (Art. 22): a refused one changes nothing."""
        return self.filter(outcome=DerogationOutcome.APPROVED)

    def refused(self):
        return self.filter(outcome=DerogationOutcome.REFUSED)


class ISPDerogation(models.Model):
    """The cluster's decision on a derogation from the ISP rules (Art. 22), recorded by the coach:
    approved (the rules apply it) or refused (told to the student, appealable, Art. 101 (e); the
    rules ignore it). ``approved_on``/``approved_by`` are the day and the person of the decision,
    ``motivation`` the cluster's reason (required for a refusal).

    Derogations exist for the credit band and for SQ sequencing; never for SSQ nor
    for the courses that must be taken again first (Art. 20 §3, 22 §1).
    """

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="derogations", verbose_name=_("enrolment")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=DerogationKind.choices)
    course = models.ForeignKey(
        Course,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("course"),
        help_text=_("For a sequencing derogation: the course that may be taken without its SQ prerequisite."),
    )
    credits = models.PositiveSmallIntegerField(
        _("credits"),
        null=True,
        blank=True,
        help_text=_("For a credit derogation: the smallest or largest number of credits allowed."),
    )
    ground = models.CharField(_("ground"), max_length=32, choices=DerogationGround.choices)
    motivation = models.TextField(_("motivation"), blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=DerogationOutcome.choices, default=DerogationOutcome.APPROVED
    )
    approved_on = models.DateField(_("approved on"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    history = HistoricalRecords()

    objects = ISPDerogationQuerySet.as_manager()

    class Meta:
        ordering = ["approved_on", "pk"]
        verbose_name = _("ISP derogation")
        verbose_name_plural = _("ISP derogations")
        constraints = [
            # One decision of each outcome: a derogation refused may still be approved later (appeal).
            models.UniqueConstraint(
                fields=["enrolment", "kind", "course", "outcome"],
                condition=Q(course__isnull=False),
                name="isp_derogation_once",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "kind", "outcome"],
                condition=Q(course__isnull=True),
                name="isp_derogation_once_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="sequencing", course__isnull=False) | (~Q(kind="sequencing") & Q(course__isnull=True)),
                name="isp_derogation_course_only_for_sequencing",
            ),
        ]

    def __str__(self):
        return f"{self.enrolment} {self.get_kind_display()}"

    @property
    def is_approved(self) -> bool:
        return self.outcome == DerogationOutcome.APPROVED


class ExemptionApproval(models.Model):
    """Who granted an exemption (``ISPLine.exempted``) and when (Art. 25): definitive."""

    isp_line = models.OneToOneField(
        ISPLine, on_delete=models.CASCADE, related_name="exemption_approval", verbose_name=_("ISP line")
    )
    basis = models.CharField(
        _("basis"), max_length=200, help_text=_("The credit certificate or other proof the exemption rests on.")
    )
    approved_on = models.DateField(_("approved on"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["approved_on", "pk"]
        verbose_name = _("exemption approval")
        verbose_name_plural = _("exemption approvals")

    def __str__(self):
        return f"{self.isp_line} {show_date(self.approved_on)}"


class ToleratedRetakeApproval(models.Model):
    """The cluster's approval of a student's request to take again, at the end of the
    programme, a course accepted earlier as a tolerated fail (Art. 90 §3, DOMAIN §3)."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="tolerated_retakes", verbose_name=_("enrolment")
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+", verbose_name=_("course"))
    requested_on = models.DateField(_("requested on"))
    approved_on = models.DateField(_("approved on"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("approved by")
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["approved_on", "pk"]
        verbose_name = _("approved retake of a tolerated course")
        verbose_name_plural = _("approved retakes of tolerated courses")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "course"], name="tolerated_retake_once"),
            models.CheckConstraint(
                condition=Q(approved_on__gte=models.F("requested_on")), name="tolerated_retake_approved_after_request"
            ),
        ]

    def __str__(self):
        return f"{self.enrolment} {self.course.code} {show_date(self.approved_on)}"
