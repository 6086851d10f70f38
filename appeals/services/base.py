"""What the appeals services share: their refusal and the date checks every write makes."""

import datetime

from django.utils.translation import gettext as _

from core import errors
from core.audit import REASON_LENGTH
from core.dates import show_date
from core.validators import plausible

__all__ = ["REASON_LENGTH", "Refused", "not_in_the_future", "plausible_date"]


class Refused(errors.Refused):
    """A write of the appeals app that the rules refuse; ``messages`` say why, in the user's
    language."""

    default_code = "appeal_refused"


def plausible_date(on: datetime.date | None, label, today: datetime.date) -> None:
    """A typed date the rules can reckon days and years from (``core.validators.plausible``);
    the forms bound it more closely, this keeps a direct call from failing on year 1 or 9999."""
    allowed = plausible(today=today)
    if on is not None and on not in allowed:
        raise Refused(
            [
                _("%(what)s must lie from %(earliest)s to %(latest)s.")
                % {"what": label, "earliest": show_date(allowed.earliest), "latest": show_date(allowed.latest)}
            ]
        )


def not_in_the_future(on: datetime.date, label, today: datetime.date) -> None:
    plausible_date(on, label, today)
    if on > today:
        raise Refused([_("%(what)s cannot lie in the future.") % {"what": label}])
