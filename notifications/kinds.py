"""What is told to a student (DOMAIN §11) and the data each kind's templates need.

A kind's templates are ``templates/notifications/<kind>.<language>.txt``: the first line is the
subject, the rest (after one empty line) the body. Keys ending in ``_on`` hold dates (ISO text in
the outbox row, dates again when rendered).

The object a notification is about is named by its model's label (``Model._meta.label``, e.g.
"students.Measure") and primary key: the outbox's sent date for that object is the notification
date the clocks of DOMAIN §7 and §11 run from (``selectors.notified_on``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    FRAUD_SANCTION = "fraud_sanction", _("fraud sanction (Art. 85)")
    RESULTS_PUBLISHED = "results_published", _("publication of results (Art. 86, 91)")
    # ISP decisions (progress)
    ISP_APPROVED = "isp_approved", _("approval of the ISP (Art. 19)")
    DEROGATION_REFUSED = "derogation_refused", _("refused derogation from the ISP rules (Art. 22)")
    EXEMPTION_DECIDED = "exemption_decided", _("exemption decision (Art. 25)")
    # Reschedules and the individual exam schedule (reschedules)
    EXAM_SCHEDULE_PUBLISHED = "exam_schedule_published", _("publication of the individual exam schedule (Art. 41, 43)")
    EXAM_MOMENTS_CHANGED = "exam_moments_changed", _("exam moments changed by the planning (Art. 41, 43)")
    RESCHEDULE_DECIDED = "reschedule_decided", _("reschedule or deferral decision (Art. 43, 50, 57)")
    EXAM_SCHEDULE_CHANGED = "exam_schedule_changed", _("change to the individual exam schedule (Art. 41, 43)")
    # Study progress measures and refusals (progress, students)
    MEASURE_TAKEN = "measure_taken", _("study progress measure (Art. 29-33, 101)")
    MEASURE_LIFTED = "measure_lifted", _("lifting of a study progress measure (Art. 34)")
    ENROLMENT_REFUSED = "enrolment_refused", _("enrolment refused by a study progress measure (Art. 29-34)")
    # Appeals and corrections (appeals, exams)
    APPEAL_DECIDED = "appeal_decided", _("decision on an internal appeal (Art. 101)")
    APPEAL_POSTPONED = "appeal_postponed", _("later decision date of an internal appeal (Art. 101)")
    APPEAL_VOID = "appeal_void", _("internal appeal void: not elaborated in time (Art. 101)")
    REFUSAL_LIFTING_DECIDED = "refusal_lifting_decided", _("decision on a request to lift a refusal (Art. 34)")
    RESULT_CORRECTED = "result_corrected", _("corrected exam result (Art. 93, 102)")
    # Tuition fees (fees)
    FEE_STATEMENT = "fee_statement", _("tuition fee statement (fee appendix Art. 4)")


# The data each kind's announcement carries (the templates' own variables, computed when the
# message is rendered, are added by ``rendering.context``).
REQUIRED = {
    Kind.FRAUD_SANCTION: {"course", "exam_period", "academic_year", "sanctions", "annulment", "decided_on"},
    Kind.RESULTS_PUBLISHED: {"exam_period", "academic_year", "published_on"},
    # ISP decisions (progress)
    Kind.ISP_APPROVED: {
        "academic_year",
        "programme",
        "courses",
        "course_credits",
        "exempted",
        "total_credits",
        "approved_on",
    },
    Kind.DEROGATION_REFUSED: {"academic_year", "derogation", "course", "reason", "decided_on"},
    Kind.EXEMPTION_DECIDED: {"academic_year", "course", "credits", "granted", "decided_on"},
    # Reschedules and the individual exam schedule (reschedules)
    # The individual exam schedule of an exam period, published and changed by the planning (Art. 41, 43;
    # reschedules.announcements): ``moments`` lists the student's exams, each [course "CODE Title", ISO date,
    # "HH:MM", room]; a change adds the old ISO date, "HH:MM" and room ("" for a new exam). Not appealable
    # (not in APPEAL_FROM_NOTIFICATION); good candidates for the daily digest (settings.NOTIFICATIONS_DIGEST).
    Kind.EXAM_SCHEDULE_PUBLISHED: {"academic_year", "exam_period", "published_on", "moments"},
    Kind.EXAM_MOMENTS_CHANGED: {"academic_year", "exam_period", "changed_on", "moments"},
    # Final decisions of the ombudsperson (Art. 57): not in APPEAL_FROM_NOTIFICATION. A refusal has no
    # new moment (``exam_on``, ``new_on``, ``missed_on`` may be None); ``missed_on``: the ruling on a
    # missed new moment (Art. 43).
    Kind.RESCHEDULE_DECIDED: {
        "course",
        "exam_period",
        "academic_year",
        "request_kind",
        "accepted",
        "exam_on",
        "new_on",
        "new_starts_at",
        "new_room",
        "reason",
        "decided_on",
        "missed_on",
        "very_serious_case",
    },
    Kind.EXAM_SCHEDULE_CHANGED: {
        "course",
        "exam_period",
        "academic_year",
        "moment_on",
        "starts_at",
        "room",
        "source",
        "withdrawn",
        "reason",
        "decided_on",
    },
    # Study progress measures and refusals (progress, students)
    Kind.MEASURE_TAKEN: {
        "academic_year",
        "measure_kind",
        "programme",
        "course",
        "from_year",
        "until_year",
        "study_efficiency",
        "decided_on",
    },
    Kind.MEASURE_LIFTED: {
        "academic_year",
        "measure_kind",
        "programme",
        "course",
        "from_year",
        "until_year",
        "lifted_on",
        "reason",
    },
    Kind.ENROLMENT_REFUSED: {"academic_year", "programme", "measure_kind", "course", "decided_on"},
    # Appeals and corrections (appeals, exams)
    # The steps of an appeal (Art. 101) are not appealed internally again: the external route is
    # the Council (appeal_decided). ``filing_last_on``: the appeal's last day to file (an
    # inadmissible reason "late"); ``old_mark``/``new_mark``: "" unless a new decision changed a mark.
    Kind.APPEAL_DECIDED: {
        "reference",
        "decision",
        "academic_year",
        "outcome",
        "inadmissible_reasons",
        "filing_last_on",
        "old_mark",
        "new_mark",
        "motivation",
        "decided_on",
    },
    Kind.APPEAL_POSTPONED: {"reference", "decision", "academic_year", "later_on", "reasons", "announced_on"},
    Kind.APPEAL_VOID: {"reference", "decision", "academic_year", "posted_on", "elaboration_last_on", "voided_on"},
    Kind.REFUSAL_LIFTING_DECIDED: {
        "reference",
        "measure",
        "programme",
        "academic_year",
        "granted",
        "tolerated_courses",
        "motivation",
        "decided_on",
    },
    # A corrected mark is a new examination decision (Art. 101 f): its appeal runs from the day it
    # stands in the study progress file, ``decided_on`` (rendering), not from the notification.
    Kind.RESULT_CORRECTED: {
        "course",
        "exam_period",
        "opportunity",
        "academic_year",
        "old_mark",
        "new_mark",
        "reason",
        "decided_on",
    },
    # Tuition fees (fees)
    # Not appealable (no category of Art. 101, DOMAIN §7): not in APPEAL_FROM_NOTIFICATION.
    Kind.FEE_STATEMENT: {
        "academic_year",
        "programmes",
        "fee_group",
        "grant_status",
        "amount",
        "previous_amount",
        "fixed",
        "variable",
        "credits",
        "surcharge",
        "surcharge_credits",
        "platform",
        "reason",
        "decided_on",
    },
}

# The kinds whose internal appeal (Art. 101) runs from the notification (DOMAIN §7, §11): their
# template gets ``appeal_until``, the seventh day after the day the message is sent. (An
# examination decision's appeal runs from the publication: ``results_published`` computes its own.)
APPEAL_FROM_NOTIFICATION = {
    Kind.FRAUD_SANCTION,
    # ISP decisions (progress)
    Kind.DEROGATION_REFUSED,  # Art. 101 (e): a course refused in the contract (sequencing, model route)
    Kind.EXEMPTION_DECIDED,  # Art. 101 (d): the granting and the size of an exemption
    # Study progress measures and refusals (progress, students)
    # Art. 101: the appeal against a study progress measure runs from its notification (the register
    # links a measure under (a) and (c)). A refused enrolment applies a measure already told: its
    # route is the request to lift the refusal (Art. 34), whose rejection is appealed (Art. 101 a).
    Kind.MEASURE_TAKEN,
    # Appeals and corrections (appeals, exams)
    Kind.REFUSAL_LIFTING_DECIDED,  # Art. 101 (a): a rejection (a granted request is not appealed)
}
