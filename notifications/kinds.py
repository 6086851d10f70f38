"""What is told to a student (DOMAIN §11) and the data each kind's templates need.

A kind's templates are ``templates/notifications/<kind>.<language>.txt``: the first line is the
subject, the rest (after one empty line) the body. Keys ending in ``_on`` hold dates (ISO text in
the outbox row, dates again when rendered).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    FRAUD_SANCTION = "fraud_sanction", _("fraud sanction (Art. 85)")
    RESULTS_PUBLISHED = "results_published", _("publication of results (Art. 86, 91)")


# The data each kind's announcement carries (the templates' own variables, computed when the
# message is rendered, are added by ``rendering.context``).
REQUIRED = {
    Kind.FRAUD_SANCTION: {"course", "exam_period", "academic_year", "sanctions", "annulment", "decided_on"},
    Kind.RESULTS_PUBLISHED: {"exam_period", "academic_year", "published_on"},
}
