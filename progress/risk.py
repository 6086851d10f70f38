"""Risk signals (Art. 28): when a student runs the risk of being refused further enrolment,
and on what grounds. Pure functions over plain values: no ORM, no clock.

Art. 28: "Through the study progress file, students learn when they run the risk of being
refused further enrolment due to negative study results". Each function below judges one
risk from the facts it is given and returns a ``Signal`` (or None): its level, its grounds
and what would clear it, in words rendered in the reader's language when shown. The
thresholds are those of the measures themselves (``students.rules``, ``exams.rules``): a
signal and the measure it warns of never disagree on a number.
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from django.utils import formats
from django.utils.translation import gettext, gettext_lazy, ngettext

from core.dates import show_date
from core.rounding import round_half_up
from exams.rules import MIN_EFFICIENCY, CourseRecord, automatic_tolerance_threshold, choice_last_day, tolerance_allowed
from programmes.rules import THRESHOLD_KINDS, academic_year_code
from students.rules import (
    BALANCE_REFUSED,
    LIMITED_BALANCE,
    THRESHOLD_REFUSAL_YEARS,
    admission,
    admission_covers,
    balance_warning,
    binding_conditions_due,
    binding_conditions_refusal_due,
    counts_for_threshold,
    course_count_starts,
    credits_without_learning_account,
    line_uses_learning_account,
    repeated_failure_applies,
    repeated_failure_refusal_due,
    threshold_refusal_due,
)

# Levels (EXCHANGE.md ``risk_signals``), from the least to the most urgent.
INFORMATION, WARNING, REFUSAL_AHEAD = "information", "warning", "refusal_ahead"
LEVELS = (INFORMATION, WARNING, REFUSAL_AHEAD)
URGENCY = {level: rank for rank, level in enumerate(LEVELS)}
LEVEL_LABELS = {
    INFORMATION: gettext_lazy("information"),
    WARNING: gettext_lazy("warning"),
    REFUSAL_AHEAD: gettext_lazy("refusal ahead"),
}

# Kinds, one per rule below.
THRESHOLD, REPEATED_FAILURE, ASSOCIATE, LEARNING_ACCOUNT, TOLERANCE = (
    "decree_threshold",
    "repeated_failure",
    "associate_degree",
    "learning_account",
    "tolerance",
)
KIND_LABELS = {
    THRESHOLD: gettext_lazy("decree threshold (Art. 30)"),
    REPEATED_FAILURE: gettext_lazy("repeated failure (Art. 31)"),
    ASSOCIATE: gettext_lazy("study efficiency in an associate degree programme (Art. 29)"),
    LEARNING_ACCOUNT: gettext_lazy("learning account (Art. 33)"),
    TOLERANCE: gettext_lazy("tolerance (Art. 91)"),
}

# **(decided)** A tolerance choice window closing within 5 calendar days (the last day
# included: 0 days left) is a warning; earlier it is information.
CLOSING_DAYS = 5
# **(decided)** Issue 18: "next year's ISP" is a full-time year of at most 60 credits.
MODEL_YEAR_CREDITS = 60


# --- Words in the reader's language ------------------------------------------------
class Message(NamedTuple):
    """A message kept as its message ids, translated only when shown: the grounds of a signal
    are stored (``progress.models.RiskSignal``) and read in the reader's language. ``_`` and
    ``ngettext_lazy`` below make one (makemessages finds the ids by those names)."""

    singular: str
    plural: str | None = None
    number: str | None = None  # the key of the value that picks the plural form

    def __mod__(self, values: dict) -> str:
        if self.plural is None:
            return gettext(self.singular) % values
        return ngettext(self.singular, self.plural, values[self.number]) % values


def _(message: str) -> Message:
    return Message(message)


def ngettext_lazy(singular: str, plural: str, number: str) -> Message:
    return Message(singular, plural, number)


def _text(value):
    if isinstance(value, int):
        return value  # a number stays one: a plural picks its form by it
    if isinstance(value, datetime.date):
        return show_date(value)
    if isinstance(value, Fraction):
        return formats.number_format(round_half_up(value, 2), 2)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Words:
    """Sentences, each a message and its values, joined when shown (``str``), so that a signal
    computed once reads in the language of whoever reads it, stored or not (``as_data``)."""

    sentences: tuple[tuple[Message, tuple[tuple[str, object], ...]], ...] = ()

    def __str__(self) -> str:
        return " ".join(message % {k: _text(v) for k, v in params} for message, params in self.sentences)

    def as_data(self) -> list:
        """Plain JSON data: ``[[singular, plural, number key, {name: value}], ...]`` with dates as
        ``{"date": "YYYY-MM-DD"}``, fractions as ``{"fraction": [numerator, denominator]}``."""
        return [[*message, {k: _value_data(v) for k, v in params}] for message, params in self.sentences]

    @classmethod
    def from_data(cls, data) -> "Words":
        """The words ``as_data`` gave."""
        return cls(
            tuple(
                (Message(singular, plural, number), tuple(sorted((k, _data_value(v)) for k, v in params.items())))
                for singular, plural, number, params in data
            )
        )


def _value_data(value):
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if isinstance(value, Fraction):
        return {"fraction": [value.numerator, value.denominator]}
    if isinstance(value, (list, tuple)):
        return [_value_data(v) for v in value]
    return value


def _data_value(data):
    if isinstance(data, dict) and "date" in data:
        return datetime.date.fromisoformat(data["date"])
    if isinstance(data, dict) and "fraction" in data:
        return Fraction(*data["fraction"])
    if isinstance(data, list):
        return tuple(_data_value(v) for v in data)
    return data


def _words(*sentences: tuple[Message, dict]) -> Words:
    def frozen(value):
        return tuple(value) if isinstance(value, list) else value

    return Words(
        tuple((message, tuple(sorted((k, frozen(v)) for k, v in params.items()))) for message, params in sentences)
    )


NEXT_YEAR_ISP_ASSUMPTION = _(
    "Next year's ISP is assumed to hold the failed, not tolerated courses and the next stage of the model "
    "route, up to %(credits)s credits."
)


@dataclass(frozen=True)
class Signal:
    """One risk of refusal (Art. 28): ``kind`` (``KIND_LABELS``), ``level`` (``LEVELS``), the
    programme and course (codes; course None for a programme-wide risk), the grounds, the
    day it was computed, and what would clear it."""

    kind: str
    level: str
    programme: str
    course: str | None
    grounds: Words
    computed_on: datetime.date
    clears: Words

    def as_exchange(self) -> dict:
        """The ``risk_signals`` entry of EXCHANGE.md (grounds in the active language)."""
        return {
            "kind": self.kind,
            "level": self.level,
            "programme": self.programme,
            "course": self.course,
            "grounds": str(self.grounds),
            "computed_on": self.computed_on.isoformat(),
        }


def by_urgency(signals: Iterable[Signal]) -> list[Signal]:
    """Most urgent first (refusal ahead, warning, information), then by programme and course."""
    return sorted(signals, key=lambda s: (-URGENCY[s.level], s.programme, s.course or "", s.kind))


# --- 1. Decree threshold (Art. 30) ---------------------------------------------------
def threshold_signal(
    *,
    programme: str,
    programme_kind: str,
    contract: str,
    status: str,
    package: Sequence[CourseRecord],
    years_enrolled: int,
    year_ended: bool,
    tolerance_left: int,
    computed_on: datetime.date,
) -> Signal | None:
    """Art. 30 §1: the threshold package must be obtained "by the end of the second academic
    year of enrolment"; after the first one (and through the second, until its end) a package
    not complete is a risk. ``package``: one record per course of the package, as it stands
    now; ``years_enrolled``: the degree-contract years of enrolment in the programme up to the
    current one (``Standing.years_enrolled``); ``year_ended``: the current year is over.

    Refusal ahead, unless tolerance could cover every missing course (Art. 91 §3: applied
    automatically at the end of the second year, given a study efficiency of at least 50 %
    then): a warning. Nothing once the second year has ended: the measure is taken then.
    """
    if programme_kind not in THRESHOLD_KINDS or not counts_for_threshold(contract=contract, status=status):
        return None
    completed = years_enrolled if year_ended else years_enrolled - 1
    missing = [r for r in package if not r.done]
    if completed != 1 or not missing:
        return None
    if not threshold_refusal_due(years_enrolled=completed + 1, package_reached=False):
        return None
    courses = [str(r.course) for r in missing]
    credits = sum(r.credits for r in missing)
    # Art. 91 §3 (b)-(c), as the second year-end would apply it at the least efficiency allowed
    # (a single 7/20 with the rest obtained counts as tolerable there).
    covered = automatic_tolerance_threshold(package=list(package), efficiency=MIN_EFFICIENCY, left=tolerance_left)
    tolerable = credits if covered else sum(r.credits for r in missing if r.tolerable_fail)
    grounds = [
        (
            _(
                "After the first academic year of enrolment the threshold package is not complete: "
                "%(courses)s (%(credits)s credits) still to obtain (Art. 30 §1)."
            ),
            {"courses": courses, "credits": credits},
        ),
        (
            _("Tolerance could cover %(tolerable)s of these credits; tolerance credit left: %(left)s (Art. 91)."),
            {"tolerable": tolerable, "left": tolerance_left},
        ),
    ]
    if covered:
        grounds.append(
            (
                _(
                    "With a study efficiency of at least %(minimum)s %% in the second year, tolerance is applied "
                    "to all of them automatically (Art. 91 §3)."
                ),
                {"minimum": MIN_EFFICIENCY},
            )
        )
    grounds.append(
        (
            _(
                "Not obtained by the end of the second academic year of enrolment: further enrolment in the "
                "programme is refused for %(years)s academic years (Art. 30 §1-2)."
            ),
            {"years": THRESHOLD_REFUSAL_YEARS},
        )
    )
    clears = _("Obtain (pass, exemption or tolerance) every missing course of the package: %(courses)s.")
    return Signal(
        kind=THRESHOLD,
        level=WARNING if covered else REFUSAL_AHEAD,
        programme=programme,
        course=None,
        grounds=_words(*grounds),
        computed_on=computed_on,
        clears=_words((clears, {"courses": courses})),
    )


# --- 2. Repeated failure (Art. 31) --------------------------------------------------
class FailedYear(NamedTuple):
    """An academic year (its first calendar year: 2023 for 2023-2024) in which the course, or
    one identical to it, was taken and not obtained, with that year's contract and study
    efficiency (None: none published) — the tuple ``repeated_failure_refusal_due`` reads."""

    year: int
    contract: str
    efficiency: Fraction | None


def repeated_failure_signal(
    *,
    programme: str,
    programme_kind: str,
    contract: str,
    course: str,
    failed_years: Sequence[FailedYear],
    years_in_programme: Iterable[int],
    in_threshold_package: bool,
    next_year: int,
    computed_on: datetime.date,
) -> Signal | None:
    """Art. 31 for one course, judged for the next enrolment (``next_year``, first calendar year).

    Only the years that count (Art. 10: after a break of at least one year in the programme
    the count starts again, not for a course of the threshold package; ``years_in_programme``
    as ``course_count_starts`` reads them). One counted year: a warning when a second failure
    next year could refuse the third enrolment (Art. 31 §1: under 50 % in both years, or two
    consecutive years each with a credit contract or a degree contract under 50 %: judged
    against the worst next year, a credit contract without study efficiency), information
    otherwise. Two: refusal ahead (a third failure refuses any enrolment in it, Art. 31 §2;
    when §1 already refuses the third enrolment, the grounds say so). Three or more: the
    refusal is a measure, not a risk.
    """
    if not repeated_failure_applies(programme_kind=programme_kind, contract=contract):
        return None
    starts = course_count_starts(years_in_programme=years_in_programme, in_threshold_package=in_threshold_package)
    counted = sorted(f for f in failed_years if starts is None or f.year >= starts)
    if len(counted) not in (1, 2):
        return None
    years = [academic_year_code(f.year) for f in counted]
    grounds = [
        (
            ngettext_lazy(
                "%(course)s was not passed in %(count)s academic year: %(years)s (Art. 31).",
                "%(course)s was not passed in %(count)s academic years: %(years)s (Art. 31).",
                "count",
            ),
            {"course": course, "count": len(counted), "years": years},
        )
    ]
    if len(counted) == 1:
        worst_next = FailedYear(next_year, "credit", None)
        can_refuse = repeated_failure_refusal_due(failed_years=[*counted, worst_next])
        # Art. 31 §1 (b)-(c): consecutive, each year a credit(-exam) contract or under 50 %: a
        # credit contract at 100 % next year would be refused only along that path.
        consecutive = repeated_failure_refusal_due(
            failed_years=[*counted, FailedYear(next_year, "credit", Fraction(100))]
        )
        level = WARNING if can_refuse else INFORMATION
        if consecutive:
            message = _(
                "Not passing it in %(next)s refuses a third enrolment in it when that year is a credit contract "
                "or its study efficiency is under %(minimum)s %% (Art. 31 §1)."
            )
        elif can_refuse:
            message = _(
                "Not passing it in %(next)s refuses a third enrolment in it when the study efficiency of that "
                "year is under %(minimum)s %% as well (Art. 31 §1)."
            )
        else:
            message = _(
                "A second failure in %(next)s does not refuse a third enrolment by itself; a failure in three "
                "academic years refuses any further enrolment in it (Art. 31 §1-2)."
            )
    else:
        level = REFUSAL_AHEAD
        if repeated_failure_refusal_due(failed_years=counted):
            message = _(
                "A third enrolment in it is refused for %(next)s (Art. 31 §1, §3) unless the refusal-lifting "
                "committee lifts the refusal (Art. 34)."
            )
        else:
            message = _(
                "Not passing it in %(next)s as well refuses any further enrolment in it, with any contract "
                "(Art. 31 §2)."
            )
    grounds.append((message, {"next": academic_year_code(next_year), "minimum": MIN_EFFICIENCY}))
    if in_threshold_package:
        clears = _(
            "Pass %(course)s. It belongs to the threshold package: a break does not restart the count (Art. 10)."
        )
    else:
        clears = _(
            "Pass %(course)s. A break of at least one academic year in the programme starts the count again (Art. 10)."
        )
    return Signal(
        kind=REPEATED_FAILURE,
        level=level,
        programme=programme,
        course=course,
        grounds=_words(*grounds),
        computed_on=computed_on,
        clears=_words((clears, {"course": course})),
    )


# --- 3. Associate degree (Art. 29) --------------------------------------------------
def associate_signal(
    *,
    programme: str,
    programme_kind: str,
    starter: bool,
    under_binding_conditions: bool,
    efficiency: Fraction | None,
    last_period: int,
    computed_on: datetime.date,
) -> Signal | None:
    """Art. 29 §1. ``efficiency``: the study efficiency of the year so far (credits certified
    by the publications so far / credits actually taken, ``exams.rules.study_efficiency``);
    ``last_period``: the number of the latest exam period published this year (0: none).

    Under binding conditions and under 50 % so far, after any publication: refusal ahead
    (under 50 % at the end of the year refuses the programme, and those leading to the same
    degree, for the year after, §2-3). A starter under 50 % after the second or third exam
    period: a warning (binding conditions for the next academic year). Exactly 50 % is no risk.
    """
    if last_period < 1:
        return None
    values = {"efficiency": efficiency, "minimum": MIN_EFFICIENCY}
    if binding_conditions_refusal_due(under_binding_conditions=under_binding_conditions, efficiency=efficiency):
        level = REFUSAL_AHEAD
        grounds = _(
            "Under binding conditions the study efficiency so far is %(efficiency)s %%, under %(minimum)s %%: "
            "under %(minimum)s %% at the end of the academic year refuses the programme, and those leading to "
            "the same degree, for the next academic year (Art. 29 §1-3)."
        )
        clears = _("A study efficiency of at least %(minimum)s %% by the end of this academic year.")
    elif last_period >= 2 and binding_conditions_due(
        programme_kind=programme_kind, starter=starter, efficiency=efficiency
    ):
        level = WARNING
        grounds = _(
            "As a starting student the study efficiency is %(efficiency)s %%, under %(minimum)s %%: binding "
            "conditions follow for the next academic year, in which at least %(minimum)s %% is needed to enrol "
            "again in the programme (Art. 29 §1)."
        )
        if last_period >= 3:
            clears = _("A study efficiency of at least %(minimum)s %% in the next academic year.")
        else:
            clears = _("A study efficiency of at least %(minimum)s %% after the third exam period.")
    else:
        return None
    return Signal(
        kind=ASSOCIATE,
        level=level,
        programme=programme,
        course=None,
        grounds=_words((grounds, values)),
        computed_on=computed_on,
        clears=_words((clears, values)),
    )


# --- 4. Learning account (Art. 33) --------------------------------------------------
def next_year_isp_credits(
    *, retake_credits: Iterable[int], next_stage_credits: Iterable[int], year_credits: int = MODEL_YEAR_CREDITS
) -> int:
    """Next year's ISP as the learning-account signal assumes it (``NEXT_YEAR_ISP_ASSUMPTION``):
    the credits of the courses failed and not tolerated (they must be taken again, Art. 20 §3)
    plus those of the next stage of the model route not yet obtained, up to ``year_credits``."""
    return min(sum(retake_credits) + sum(next_stage_credits), year_credits)


def learning_account_signal(
    *,
    programme: str,
    programme_kind: str,
    contract: str,
    holds_bachelor: bool,
    balance: int,
    isp_credits: int,
    credits_left_to_degree: int,
    computed_on: datetime.date,
) -> Signal | None:
    """Art. 33 and LA: the balance after next year's ISP (``isp_credits``, see
    ``next_year_isp_credits``) in the same programme and contract.

    Only for an enrolment Art. 33 covers (``admission_covers``); the ISP is deducted when its
    lines use the learning account (``line_uses_learning_account``). At 0 or below: refusal
    ahead, with the Art. 33 exception when it would apply (enrolled this year and next, at
    most 30 credits left to the degree once next year's ISP is obtained, on written request).
    From 1 to 59 (``balance_warning``: a limited learning account): a warning, as credits
    beyond the balance are credits without learning account at the increased tuition fee.
    """
    if not admission_covers(contract=contract, programme_kind=programme_kind, holds_bachelor=holds_bachelor):
        return None
    uses = line_uses_learning_account(
        contract=contract, programme_kind=programme_kind, holds_bachelor=holds_bachelor, exempted=False
    )
    deducted = isp_credits if uses else 0
    after = balance - deducted
    state = balance_warning(after)
    if state is None:
        return None
    values = {"balance": balance, "credits": isp_credits, "after": after, "limited": LIMITED_BALANCE}
    grounds = [(NEXT_YEAR_ISP_ASSUMPTION, {"credits": MODEL_YEAR_CREDITS})]
    without = credits_without_learning_account(credits=deducted, balance=balance)
    if state == BALANCE_REFUSED:
        level = REFUSAL_AHEAD
        grounds.append(
            (
                _(
                    "The learning account is %(balance)s; after next year's ISP of %(credits)s credits it would be "
                    "%(after)s: at 0 or below a further enrolment is refused (Art. 33)."
                ),
                values,
            )
        )
        left_after = max(0, credits_left_to_degree - isp_credits)
        exception = admission(
            covered=True,
            balance=after,
            enrolled_in_both_previous_years=True,
            credits_left_to_degree=left_after,
            requested=True,
        ).exception
        if exception:
            grounds.append(
                (
                    _(
                        "Exception: with %(left)s credits left to the degree after next year, a written request "
                        "allows one more academic year, at the maximum tuition fee for the part without learning "
                        "account (Art. 33)."
                    ),
                    {"left": left_after},
                )
            )
    else:
        level = WARNING
        grounds.append(
            (
                _(
                    "The learning account is %(balance)s; after next year's ISP of %(credits)s credits it would be "
                    "%(after)s, under %(limited)s: credits taken beyond it are charged the increased tuition fee."
                ),
                values,
            )
        )
    if without:
        grounds.append(
            (
                ngettext_lazy(
                    "Next year %(count)s credit would be without learning account (increased tuition fee).",
                    "Next year %(count)s credits would be without learning account (increased tuition fee).",
                    "count",
                ),
                {"count": without},
            )
        )
    clears = _("Obtaining courses gives their credits back to the learning account; a smaller ISP uses fewer credits.")
    return Signal(
        kind=LEARNING_ACCOUNT,
        level=level,
        programme=programme,
        course=None,
        grounds=_words(*grounds),
        computed_on=computed_on,
        clears=_words((clears, {})),
    )


# --- 5. Tolerance (Art. 91) ---------------------------------------------------------
class PendingChoice(NamedTuple):
    """A tolerable fail that awaits the student's choice, and the publication that opened it."""

    course: str
    credits: int
    published_on: datetime.date


def tolerance_signal(
    *,
    programme: str,
    pending: Sequence[PendingChoice],
    tolerance_left: int,
    efficiency: Fraction | None,
    today: datetime.date,
) -> Signal | None:
    """Art. 91 §2: tolerable fails with a choice window still open (the last day included).

    No signal when the window has closed (no choice means no tolerance) or when tolerance
    cannot be applied to any of them (``tolerance_allowed``: under 50 % or too little credit
    left). A warning when the first window to close has ``CLOSING_DAYS`` or fewer left,
    information before.
    """
    open_ = [p for p in pending if p.published_on <= today <= choice_last_day(p.published_on)]
    if not open_ or not tolerance_allowed(
        efficiency=efficiency, credits=min(p.credits for p in open_), left=tolerance_left
    ):
        return None
    closes_on = min(choice_last_day(p.published_on) for p in open_)
    days_left = (closes_on - today).days
    credits = sum(p.credits for p in open_)
    courses = sorted(p.course for p in open_)
    grounds = [
        (
            ngettext_lazy(
                "%(count)s tolerable fail awaits a choice: %(courses)s; the choice closes on %(closes_on)s "
                "(Art. 91 §2). No choice means no tolerance.",
                "%(count)s tolerable fails await a choice: %(courses)s; the first choice closes on "
                "%(closes_on)s (Art. 91 §2). No choice means no tolerance.",
                "count",
            ),
            {"count": len(open_), "courses": courses, "closes_on": closes_on},
        ),
        (
            _("Tolerance credit left: %(left)s; the pending fails take %(credits)s."),
            {"left": tolerance_left, "credits": credits},
        ),
    ]
    if credits > tolerance_left:
        grounds.append((_("Not all of them can be tolerated."), {}))
    grounds.append((_("The ISP of next year cannot be submitted until the tolerance file is complete."), {}))
    return Signal(
        kind=TOLERANCE,
        level=WARNING if days_left <= CLOSING_DAYS else INFORMATION,
        programme=programme,
        course=None,
        grounds=_words(*grounds),
        computed_on=today,
        clears=_words(
            (_("Record a tolerance choice for each pending course by %(closes_on)s."), {"closes_on": closes_on})
        ),
    )
