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
    # Reschedules and the individual exam schedule (reschedules)
    # Study progress measures and refusals (progress, students)
    # Appeals and corrections (appeals, exams)
    # Tuition fees (fees)


# The data each kind's announcement carries (the templates' own variables, computed when the
# message is rendered, are added by ``rendering.context``).
REQUIRED = {
    Kind.FRAUD_SANCTION: {"course", "exam_period", "academic_year", "sanctions", "annulment", "decided_on"},
    Kind.RESULTS_PUBLISHED: {"exam_period", "academic_year", "published_on"},
    # ISP decisions (progress)
    # Reschedules and the individual exam schedule (reschedules)
    # Study progress measures and refusals (progress, students)
    # Appeals and corrections (appeals, exams)
    # Tuition fees (fees)
}

# The kinds whose internal appeal (Art. 101) runs from the notification (DOMAIN §7, §11): their
# template gets ``appeal_until``, the seventh day after the day the message is sent. (An
# examination decision's appeal runs from the publication: ``results_published`` computes its own.)
APPEAL_FROM_NOTIFICATION = {
    Kind.FRAUD_SANCTION,
    # ISP decisions (progress)
    # Study progress measures and refusals (progress, students)
    # Appeals and corrections (appeals, exams)
}
