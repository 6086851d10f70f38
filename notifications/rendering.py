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
from django.utils.translation import gettext_lazy

from appeals.rules import appeal_last_day, lifting_last_day
from core.clock import today as clock_today
from core.history import reason_text
from exams.rules import choice_last_day, objection_last_day
from fraud.forms import SANCTION_LABELS
from fraud.rules import Sanction
from reschedules.models import MomentSource, RequestKind
from students.models import MeasureKind
from students.refusals import FRAUD_KINDS, REFUSALS

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
        "choice_until": choice_last_day(published),
        "objection_until": objection_last_day(published),
    }


def _reschedule_decided(values: dict) -> dict:
    # Art. 43, 50, 57: the kind of request in the reader's words.
    return {"request_kind_label": str(RequestKind(values["request_kind"]).label)}


def _exam_schedule_changed(values: dict) -> dict:
    # Art. 41, 43: what set the moment, and why it was withdrawn, in the reader's words.
    return {"source_label": str(MomentSource(values["source"]).label), "reason_text": reason_text(values["reason"])}


# Study progress measures and refusals (Art. 29-34): the grounds of each measure, in the reader's words.
MEASURE_GROUNDS = {
    MeasureKind.BINDING_CONDITIONS: gettext_lazy(
        "as a starting student in an associate degree programme you obtained a study efficiency lower than "
        "50 % (Art. 29 §1)"
    ),
    MeasureKind.BINDING_CONDITIONS_REFUSAL: gettext_lazy(
        "under binding conditions you again obtained a study efficiency lower than 50 % (Art. 29 §1)"
    ),
    MeasureKind.THRESHOLD_REFUSAL: gettext_lazy(
        "after your second academic year of enrolment in the programme you have not obtained every course of "
        "your threshold package (Art. 30 §1)"
    ),
    MeasureKind.REPEATED_FAILURE_REFUSAL: gettext_lazy(
        "you did not pass this course (or a course identical to it) in two or more academic years (Art. 31 §1-2)"
    ),
    MeasureKind.LEARNING_ACCOUNT_REFUSAL: gettext_lazy("your learning account is zero or below zero (Art. 33)"),
    MeasureKind.FRAUD_EXCLUSION: gettext_lazy("a sanction after exam fraud (Art. 85 §1 6°)"),
    MeasureKind.FRAUD_ENROLMENT_BAN: gettext_lazy("a sanction after exam fraud (Art. 85 §1 7°)"),
}


def _measure(values: dict) -> dict:
    """A measure's words and routes: the refusals the refusal-lifting committee may lift (Art. 34:
    those of Art. 29, 30, 31 and 33, not a fraud sanction's), by 10 October, or by 24 February
    for a student who has not asked yet that academic year, of the first academic year the
    refusal covers (the enrolment's year for a refused enrolment); the Art. 33 exception."""
    kind = MeasureKind(values["measure_kind"])
    extra = {
        "measure": str(kind.label),
        "grounds": str(MEASURE_GROUNDS[kind]),
        "refusal": kind in REFUSALS,
        "liftable": kind in REFUSALS and kind not in FRAUD_KINDS,
        "learning_account": kind == MeasureKind.LEARNING_ACCOUNT_REFUSAL,
        "fraud": kind in FRAUD_KINDS,
    }
    year = values.get("from_year") or values.get("academic_year")
    if year:  # without it, the template's own variable is missing (``MissingVariable``)
        first_year = int(year[:4])
        extra["lifting_until"] = lifting_last_day(first_year=first_year, asked_earlier=True)
        extra["lifting_late_until"] = lifting_last_day(first_year=first_year, asked_earlier=False)
    return extra


def _measure_lifted(values: dict) -> dict:
    return {**_measure(values), "reason_text": reason_text(values["reason"])}


# Per kind, what its templates compute from the announced data (dates as dates, ``sent_on``
# included): a function of the values returning the variables it adds.
EXTRAS = {
    Kind.FRAUD_SANCTION: _fraud_sanction,
    Kind.RESULTS_PUBLISHED: _results_published,
    # ISP decisions (progress)
    # Art. 19: the approved courses with their credits, side by side.
    Kind.ISP_APPROVED: lambda values: {
        "course_lines": list(zip(values["courses"], values["course_credits"], strict=True))
    },
    # Reschedules and the individual exam schedule (reschedules)
    Kind.EXAM_SCHEDULE_PUBLISHED: lambda values: _exam_schedule(values, "published_on"),  # defined below
    Kind.EXAM_MOMENTS_CHANGED: lambda values: _exam_schedule(values, "changed_on"),
    Kind.RESCHEDULE_DECIDED: _reschedule_decided,
    Kind.EXAM_SCHEDULE_CHANGED: _exam_schedule_changed,
    # Study progress measures and refusals (progress, students)
    Kind.MEASURE_TAKEN: _measure,
    Kind.MEASURE_LIFTED: _measure_lifted,
    Kind.ENROLMENT_REFUSED: _measure,
    # Appeals and corrections (appeals, exams)
    Kind.APPEAL_DECIDED: lambda values: _appeal_marks(values),  # defined at the end of this module
    Kind.REFUSAL_LIFTING_DECIDED: lambda values: _refusal_lifting_decided(values),
    Kind.RESULT_CORRECTED: lambda values: _result_corrected(values),
    # Tuition fees (fees)
    Kind.FEE_STATEMENT: lambda values: _fee_statement(values),  # defined at the end of this module
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


# Tuition fees (fees): a statement's amounts written the student's way (appendix Art. 2-4).
def _fee_number(text: str, places: int | None = 2) -> str:
    """``text`` ("1234.50", "22.5") as the active language writes it: nl 1.234,50, en 1,234.50;
    with ``places`` None (credits) a whole number without decimals, a half with one."""
    from decimal import Decimal

    from django.utils.formats import number_format

    value = Decimal(text)
    if places is None:
        places = 0 if value == value.to_integral_value() else 1
    return number_format(value, places, use_l10n=True, force_grouping=True)


def _fee_statement(values: dict) -> dict:
    """The statement's amounts and credits under their own keys as the student's language writes
    them, its codes (fee group, grant status, reason) in words, and what the message tells apart:
    a first statement or a change, up or down and by how much (Art. 4: an additional payment or a
    refund), a surcharge, the platform of an exam contract. The grant status is told for the
    degree and credit contracts only: it sets their rate (Art. 2-3). A key the data lacks stays
    missing, and so fails the template (``MissingVariable``)."""
    from decimal import Decimal

    from fees.models import FeeGroup, Reason
    from students.models import GrantStatus

    amounts = ("amount", "previous_amount", "fixed", "variable", "surcharge", "platform")
    found = {key: _fee_number(values[key]) if values[key] else "" for key in amounts if key in values}
    found |= {key: _fee_number(values[key], None) for key in ("credits", "surcharge_credits") if key in values}
    for key, choices in (("fee_group", FeeGroup), ("grant_status", GrantStatus), ("reason", Reason)):
        if key in values:
            found[key] = str(dict(choices.choices).get(values[key], values[key]))
    if values.get("fee_group") != FeeGroup.MAIN:
        found["grant_status"] = ""
    change = Decimal(values.get("amount") or 0) - Decimal(values.get("previous_amount") or 0)
    return found | {
        "raised": change > 0,
        "difference": _fee_number(abs(change)),
        "has_surcharge": Decimal(values.get("surcharge") or 0) > 0,
        "has_platform": Decimal(values.get("platform") or 0) > 0,
    }


# Appeals and corrections (appeals, exams): marks and measures in the reader's words.
def _appeal_marks(values: dict) -> dict:
    """The marks before and after ("12" -> "12/20", "P" -> "pass"), "" where none changed."""
    from appeals.selectors import mark_words

    return {f"{key}_words": mark_words(values[key]) if values[key] else "" for key in ("old_mark", "new_mark")}


def _refusal_lifting_decided(values: dict) -> dict:
    # Art. 29-34: the refusal the request was about, in the reader's words.
    from students.models import MeasureKind

    return {"measure_label": str(MeasureKind(values["measure"]).label)}


def _result_corrected(values: dict) -> dict:
    # Art. 101 (f): a corrected mark is a new examination decision; its appeal runs from the day it
    # stands in the study progress file (the correction's day), as from a publication.
    return _appeal_marks(values) | {"appeal_until": appeal_last_day(decision_on=values["decided_on"])}


# Reschedules and the individual exam schedule (reschedules): the exams of ``moments`` as dates again.
def _schedule_exam(item: list) -> dict:
    """One exam of ``moments``: [course, ISO date, "HH:MM", room] and, for a change, the old ISO date,
    "HH:MM" and room ("" for a new exam); ``new``, ``moved`` (another day or hour) or else another room."""
    course, on, starts_at, room, *old = item
    old_on, old_starts_at, old_room = (old + ["", "", ""])[:3]
    moved = bool(old_on) and (old_on, old_starts_at) != (on, starts_at)
    return {
        "course": course,
        "on": datetime.date.fromisoformat(on),
        "starts_at": starts_at,
        "room": room,
        "old_on": datetime.date.fromisoformat(old_on) if old_on else None,
        "old_starts_at": old_starts_at,
        "old_room": old_room,
        "new": len(item) > 4 and not old_on,
        "moved": moved,
    }


def _exam_schedule(values: dict, day_key: str) -> dict:
    """The exams to list (Art. 41, 43), whether a room is still to be announced (at least three days
    before the exam, Art. 43), and the last day to ask to move a new or moved exam that falls on a
    religious holiday: a week after the day it appeared on the schedule (Art. 43)."""
    from reschedules.rules import RELIGIOUS_HOLIDAY_DAYS

    exams = [_schedule_exam(item) for item in values.get("moments", ())]
    extra = {"exams": exams, "rooms_pending": any(not exam["room"] for exam in exams)}
    extra["newly_placed"] = day_key == "published_on" or any(exam["new"] or exam["moved"] for exam in exams)
    if day_key in values:  # without it, the template's own variable is missing (``MissingVariable``)
        extra["religious_until"] = values[day_key] + datetime.timedelta(days=RELIGIOUS_HOLIDAY_DAYS)
    return extra
