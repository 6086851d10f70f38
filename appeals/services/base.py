"""What the appeals services share: their refusal and the date checks every write makes."""

import datetime

from django.utils.translation import gettext as _

from core import errors
from core.audit import REASON_LENGTH

__all__ = ["REASON_LENGTH", "Refused", "not_in_the_future"]


class Refused(errors.Refused):
    """A write of the appeals app that the rules refuse; ``messages`` say why, in the user's
    language."""

    default_code = "appeal_refused"


def not_in_the_future(on: datetime.date, label, today: datetime.date) -> None:
    if on > today:
        raise Refused([_("%(what)s cannot lie in the future.") % {"what": label}])
