"""What an ISP change would do to the tuition fee (appendix Art. 2-4): the answer to the
gate ``core.gates.isp_change_fee`` that the ISP editor's preview asks (progress sits
below fees and cannot import it)."""

import dataclasses
import datetime

from programmes.facts import year_calendar
from students.models import Enrolment

from . import rules
from .models import FeeSchedule
from .services import _facts, facts_from_read


def _changed(facts: rules.EnrolmentFacts, *, add, remove, without_account_change: int) -> rules.EnrolmentFacts:
    lines = list(facts.lines)
    if add is not None:
        lines.append(rules.Line(credits=add[0], semester=add[1]))
    if remove is not None:
        gone = rules.Line(credits=remove[0], semester=remove[1])
        if gone in lines:
            lines.remove(gone)
    return dataclasses.replace(
        facts,
        lines=tuple(lines),
        credits_without_learning_account=max(0, facts.credits_without_learning_account + without_account_change),
    )


def isp_change_fee(
    enrolment_id: int, *, on: datetime.date, add=None, remove=None, without_account_change: int = 0
) -> tuple | None:
    """(year code, fee before, fee after, charged now) of the enrolment's fee group for a
    change that adds or removes one (credits, semester) line; "charged now": the variable
    part is charged already, else it waits for the ISP's approval. Both amounts are the fee once the ISP is
    approved (Art. 4: the variable part follows the approval), so that the coach sees the
    change's effect also on an ISP still waiting for its approval."""
    enrolment = Enrolment.objects.select_related("student", "academic_year", "programme").get(pk=enrolment_id)
    year = enrolment.academic_year
    schedule = FeeSchedule.for_year(year.code)
    if schedule is None:
        return None
    current = _facts(enrolment.student, year, max(on, enrolment.enrolled_on))
    mine = next((facts for code, facts in current if code == enrolment.programme.code), None)
    if mine is None:
        return None
    # Whether the variable part is charged already (approved, or final at the lock), or waits.
    charged = mine.isp_approved
    found = [
        (code, dataclasses.replace(facts, isp_approved=True) if code == enrolment.programme.code else facts)
        for code, facts in current
    ]
    key = rules.group_key(enrolment.programme.code, mine)
    after = [
        (code, _changed(facts, add=add, remove=remove, without_account_change=without_account_change))
        if code == enrolment.programme.code
        else (code, facts)
        for code, facts in found
    ]
    rates, calendar = schedule.rates(), year_calendar(year)
    before_fee = rules.fees_of_year(found, rates, calendar)[key].total
    after_fee = rules.fees_of_year(after, rates, calendar)[key].total
    return year.code, before_fee, after_fee, charged


@dataclasses.dataclass(frozen=True)
class YearFeeModel:
    """One student's fee facts of one academic year on one day, and the fee they make; the
    answer to the gate ``core.gates.year_fee_preview``. ``total`` is pure: the what-if
    preview of a deregistration, a switch, a contract change or dropped courses computes the
    fee "after" with the same rules (``rules.fees_of_year``) the recalculation uses."""

    year_code: str
    on: datetime.date
    facts: tuple
    rates: rules.Rates
    calendar: object

    def total(self, changes: dict | None = None):
        found = _apply(self.facts, changes or {}, on=self.on, calendar=self.calendar)
        fees = rules.fees_of_year(found, self.rates, self.calendar)
        return rules.money(sum((fee.total for fee in fees.values()), rules.money(0)))


def _apply(facts, changes: dict, *, on: datetime.date, calendar) -> list[tuple[str, rules.EnrolmentFacts]]:
    """The facts as ``fees.services._facts`` would read them on ``on`` once ``changes`` are made."""
    found = []
    for code, f in facts:
        lines = list(f.lines)
        for credits, semester in changes.get("remove", {}).get(code, ()):
            gone = rules.Line(credits=credits, semester=semester)
            if gone in lines:
                lines.remove(gone)
        replaced = {"lines": tuple(lines)}
        if code in changes.get("deregister", {}):
            day = changes["deregister"][code]
            replaced["deregistered_on"] = day if day <= on else None
        if code in changes.get("contract", {}):
            replaced["contract"] = changes["contract"][code]
        if code in changes.get("without_account", {}):
            replaced["credits_without_learning_account"] = changes["without_account"][code]
        found.append((code, dataclasses.replace(f, **replaced)))
    for new in changes.get("add", ()):
        if new["enrolled_on"] > on:
            continue
        found.append(
            (
                new["programme_code"],
                rules.EnrolmentFacts(
                    contract=new["contract"],
                    programme_kind=new["programme_kind"],
                    grant_status=new["grant_status"],
                    lines=tuple(rules.Line(credits=c, semester=s) for c, s in new["lines"]),
                    credits_without_learning_account=new["without_account"],
                    # A new ISP is a draft: charged once final at the first-semester lock
                    # (as ``fees.services._facts`` decides for an ISP without approval).
                    isp_approved=on >= calendar.first_semester_lock,
                    enrolled_on=new["enrolled_on"],
                ),
            )
        )
    return found


def year_fee_preview(
    student_id: int, academic_year_id: int, *, on: datetime.date, year=None, read: dict | None = None
) -> YearFeeModel | None:
    """The answer to ``core.gates.year_fee_preview`` (reads: a fixed number of queries);
    ``year``: the academic year with its exam periods prefetched, when the caller has it;
    ``read``: the rows the fee facts are made of when the caller has read them (keywords
    ``enrolments``, ``lines``, ``entries`` of ``services.facts_from_read``), then only the fee
    schedule is read."""
    from programmes.models import AcademicYear
    from students.models import Student

    if year is None or year.pk != academic_year_id:
        year = AcademicYear.objects.prefetch_related("exam_periods").get(pk=academic_year_id)
    schedule = FeeSchedule.for_year(year.code)
    if schedule is None:
        return None
    # The student's id is all the fee facts read of it (its enrolments and ledger entries).
    student = Student(pk=student_id)
    return YearFeeModel(
        year_code=year.code,
        on=on,
        facts=tuple(_facts(student, year, on) if read is None else facts_from_read(student_id, year, on, **read)),
        rates=schedule.rates(),
        calendar=year_calendar(year),
    )
