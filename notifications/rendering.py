"""The message of a notification: its subject and body in the student's language (DOMAIN §11).

Templates: ``templates/notifications/<kind>.<language>.txt``, first line the subject, then an
empty line, then the body. They are rendered by an engine of their own, without autoescaping
(plain text) and with a variable that does not exist raising ``MissingVariable``: a template that
misses a variable fails its test, never a student's e-mail.
"""

import datetime
from functools import cache

from django.conf import settings
from django.template import Context, Engine
from django.utils import translation

from appeals.rules import appeal_last_day
from core.clock import today as clock_today
from exams.rules import CHOICE_DAYS, OBJECTION_DAYS
from fraud.forms import SANCTION_LABELS
from fraud.rules import Sanction

from .kinds import APPEAL_FROM_NOTIFICATION, Kind


class MissingVariable(Exception):
    """A notification template used a variable its data does not hold."""


class _Invalid(str):
    """Django formats ``string_if_invalid`` with the variable's name when it holds "%s"."""

    def __contains__(self, item):
        return item == "%s"

    def __mod__(self, name):
        raise MissingVariable(name)


@cache
def engine() -> Engine:
    return Engine(
        dirs=[settings.BASE_DIR / "templates"],
        autoescape=False,
        string_if_invalid=_Invalid("<missing>"),
        builtins=["django.templatetags.i18n", "django.templatetags.l10n"],
    )


def sender() -> str:
    return settings.NOTIFICATIONS_FROM


def sender_domain() -> str:
    address = sender().rsplit("<", 1)[-1].rstrip(">")
    return address.rsplit("@", 1)[-1] or "localhost"


def _dates(data: dict) -> dict:
    """The data with its ``*_on`` values as dates again (the outbox keeps them as ISO text)."""
    return {
        key: datetime.date.fromisoformat(value) if key.endswith("_on") and isinstance(value, str) else value
        for key, value in data.items()
    }


def _fraud_sanction(values: dict) -> dict:
    return {"sanction_labels": [str(SANCTION_LABELS[Sanction(code)]) for code in values["sanctions"]]}


def _results_published(values: dict) -> dict:
    # Art. 101: an examination decision's appeal runs from the publication; Art. 91 §2-3: the
    # tolerance choice and the objection to an automatic tolerance, from the publication too.
    published = values["published_on"]
    return {
        "appeal_until": appeal_last_day(decision_on=published),
        "choice_until": published + datetime.timedelta(days=CHOICE_DAYS),
        "objection_until": published + datetime.timedelta(days=OBJECTION_DAYS),
    }


# Per kind, what its templates compute from the announced data (dates as dates, ``sent_on``
# included): a function of the values returning the variables it adds.
EXTRAS = {
    Kind.FRAUD_SANCTION: _fraud_sanction,
    Kind.RESULTS_PUBLISHED: _results_published,
    # ISP decisions (progress)
    # Reschedules and the individual exam schedule (reschedules)
    # Study progress measures and refusals (progress, students)
    # Appeals and corrections (appeals, exams)
    # Tuition fees (fees)
}


def context(kind: str, data: dict, *, sent_on: datetime.date) -> dict:
    """The template's variables: the announced data, and what follows from the day it is sent."""
    values = _dates(data)
    values["sent_on"] = sent_on
    if kind in APPEAL_FROM_NOTIFICATION:
        # Art. 101 (DOMAIN §7): the appeal against this decision runs from its notification, this message.
        values["appeal_until"] = appeal_last_day(decision_on=sent_on)
    extra = EXTRAS.get(kind)
    if extra is not None:
        values.update(extra(values))
    return values


def render(kind: str, language: str, data: dict, *, sent_on: datetime.date | None = None) -> tuple[str, str]:
    """(subject, body) of a ``kind`` message in ``language`` with ``data``; ``MissingVariable`` when
    the template uses what the data lacks."""
    template = engine().get_template(f"notifications/{kind}.{language}.txt")
    with translation.override(language):
        text = template.render(Context(context(kind, data, sent_on=sent_on or clock_today())))
    subject, _sep, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"
