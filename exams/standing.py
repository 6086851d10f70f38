"""Where a student stands in a programme, over all their years in it.

One loader (``standings``) reads, for many (student, programme) pairs at once,
the enrolments and ISP lines with a fixed number of queries; the publication,
the student decisions, the year-end measures and the study progress file all
judge from the same ``Standing``, so they always agree.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction

from core import pgcopy
from core.bulk import ids_filter
from programmes.models import Course, Programme
from programmes.rules import THRESHOLD_KINDS
from students import rules as student_rules
from students.models import Contract, Enrolment, ISPLine, LineOutcome, Student

from . import rules

TOLERANCE_CONTRACTS = {Contract.DEGREE, Contract.EXAM_DEGREE}
STUDENT_BATCH = 5000  # students per loading batch: bounded IN lists


@dataclass
class Line:
    id: int
    course_id: int
    code: str
    credits: int
    tolerable: bool
    pass_fail: bool
    elective: bool
    exempted: bool
    removed: bool
    mark: rules.Mark | None
    outcome: str
    certified_on: datetime.date | None
    tolerated_on: datetime.date | None
    tolerance_kind: str

    @property
    def done(self) -> bool:
        return not self.removed and (self.exempted or self.certified_on is not None or self.tolerated_on is not None)

    @property
    def tolerable_fail(self) -> bool:
        return (
            not self.removed
            and not self.done
            and not self.exempted
            and rules.is_tolerable(self.mark, tolerable_course=self.tolerable)
        )


@dataclass
class YearInProgramme:
    enrolment_id: int
    year_id: int
    year_code: str
    year_start: datetime.date
    contract: str
    status: str
    enrolled_on: datetime.date
    year_end: datetime.date
    lines: list[Line] = field(default_factory=list)

    @property
    def active(self) -> list[Line]:
        return [line for line in self.lines if not line.removed]

    @property
    def actually_taken(self) -> int:
        return sum(line.credits for line in self.active if not line.exempted)

    @property
    def certified(self) -> int:
        return sum(line.credits for line in self.active if not line.exempted and line.certified_on is not None)

    @property
    def efficiency(self) -> Fraction | None:
        return rules.study_efficiency(certified_credits=self.certified, actually_taken_credits=self.actually_taken)


@dataclass
class Standing:
    student_id: int
    programme: Programme
    compulsory: set[int]
    years: list[YearInProgramme]

    def year(self, enrolment_id: int) -> YearInProgramme:
        return next(y for y in self.years if y.enrolment_id == enrolment_id)

    def _before(self, year: YearInProgramme) -> list[YearInProgramme]:
        return [y for y in self.years if y.year_start < year.year_start]

    def _up_to(self, year: YearInProgramme) -> list[YearInProgramme]:
        return [y for y in self.years if y.year_start <= year.year_start]

    def _superseded(self, years: list[YearInProgramme]) -> set[int]:
        """Tolerated lines whose course was taken again in a later year with a published
        result (Art. 90 §3, DOMAIN §3): the new mark replaces the tolerated one whatever it
        is, so the tolerance lapses and the tolerance credit it used is given back."""
        tolerated: dict[int, int] = {}
        superseded = set()
        for year in years:
            for line in year.lines:
                if line.removed:
                    continue
                if tolerated:
                    earlier = tolerated.get(line.course_id)
                    if earlier is not None and line.id != earlier and line.outcome != LineOutcome.PENDING:
                        superseded.add(earlier)
                        del tolerated[line.course_id]
                if line.tolerated_on is not None and not line.exempted and line.certified_on is None:
                    tolerated[line.course_id] = line.id
        return superseded

    def records(self, up_to: YearInProgramme | None = None) -> list[rules.CourseRecord]:
        """One record per course taken: done in the year it was obtained, or the
        latest year's mark when not (yet) obtained; a tolerated fail retaken at the end
        of the programme (Art. 90 §3) counts with its new mark once it is published."""
        years = self._up_to(up_to) if up_to else self.years
        superseded = self._superseded(years)
        found: dict[int, rules.CourseRecord] = {}
        record = rules.CourseRecord
        for year in years:
            for line in year.lines:
                if line.removed or line.id in superseded:
                    continue
                earlier = found.get(line.course_id)
                if earlier is not None and earlier.done:
                    continue
                found[line.course_id] = record(
                    course=line.course_id,
                    credits=line.credits,
                    mark=None if line.exempted else line.mark,
                    passed=line.certified_on is not None,
                    exempted=line.exempted,
                    tolerated=line.tolerated_on is not None,
                    tolerable_course=line.tolerable,
                    pass_fail=line.pass_fail,
                    elective=line.elective,
                )
        return list(found.values())

    def tolerance(self, year: YearInProgramme) -> dict | None:
        """Tolerance credit fixed at the start of ``year``; used up to and including it (Art. 91 §1)."""
        if year.contract not in TOLERANCE_CONTRACTS:
            return None
        before = [line for y in self._before(year) for line in y.active]
        up_to = [line for y in self._up_to(year) for line in y.active]
        credit = rules.tolerance_credit(
            programme_credits=self.programme.credits,
            exempted_credits=sum(line.credits for line in up_to if line.exempted),
            cap=self.programme.tolerance_cap,
            programme_kind=self.programme.kind,
            starter=sum(line.credits for line in before if line.done) < rules.STARTER_CREDITS,
        )
        superseded = self._superseded(self._up_to(year))
        used = sum(line.credits for line in up_to if line.tolerated_on is not None and line.id not in superseded)
        return {"credit": credit, "used": used, "left": credit - used}

    # --- decree threshold (Art. 30) ---
    @property
    def threshold_applies(self) -> bool:
        return self.programme.kind in THRESHOLD_KINDS and any(y.contract == Contract.DEGREE for y in self.years)

    @property
    def package(self) -> set[int]:
        first = next((y for y in self.years if y.contract == Contract.DEGREE), None)
        return {line.course_id for line in first.active} if first else set()

    def package_records(
        self, up_to: YearInProgramme | None = None, *, records: list[rules.CourseRecord] | None = None
    ) -> list[rules.CourseRecord]:
        """The records of the threshold package's courses; ``records``: ``records(up_to)`` when the
        caller has them already."""
        package = self.package
        return [r for r in (self.records(up_to) if records is None else records) if r.course in package]

    def threshold_reached(self, up_to: YearInProgramme | None = None) -> bool | None:
        if not self.threshold_applies:
            return None
        return all(r.done for r in self.package_records(up_to))

    def years_enrolled(self, up_to: YearInProgramme) -> int:
        """Academic years of enrolment for the decree threshold (Art. 30 §1): degree-contract
        years up to ``up_to``, deregistered ones included (``counts_for_threshold``)."""
        return len(
            {
                y.year_id
                for y in self._up_to(up_to)
                if student_rules.counts_for_threshold(contract=y.contract, status=y.status)
            }
        )

    # --- programme result (Art. 78-81) ---
    def passed(self, up_to: YearInProgramme | None = None) -> bool:
        # A quick no, without the records (a publication asks it of every student examined): the
        # courses with a line done (passed, exempted or tolerated) hold at most the credits the
        # records have done, and Art. 79 needs the programme's credits done.
        years = self._up_to(up_to) if up_to else self.years
        done = {line.course_id: line.credits for year in years for line in year.lines if line.done}
        if sum(done.values()) < self.programme.credits:
            return False
        return rules.programme_passed(
            programme_credits=self.programme.credits, compulsory=self.compulsory, records=self.records(up_to)
        )

    def result(self) -> tuple[Fraction | None, str | None]:
        records = [r for r in self.records() if r.done]
        percentage = rules.programme_percentage(records)
        examined = [r for r in records if not r.exempted]
        level = rules.level_of_achievement(
            percentage=percentage,
            examined_credits=sum(r.credits for r in examined),
            all_pass_fail=bool(examined) and all(r.pass_fail for r in examined),
            programme_kind=self.programme.kind,
        )
        return percentage, level


def standings(pairs) -> dict[tuple[int, int], Standing]:
    """Standings of many (student id, programme id) pairs: two queries, then two
    per batch of ``STUDENT_BATCH`` students."""
    return standings_with(pairs)


def standings_with(
    pairs,
    *,
    programmes: dict[int, Programme] | None = None,
    compulsory: dict[int, set[int]] | None = None,
    overrides: dict[int, dict] | None = None,
) -> dict[tuple[int, int], Standing]:
    """``standings``, with what the caller has read already (a query fewer each): the pairs'
    programmes (id → Programme; a page of a few students reads theirs with the enrolments) and
    ``compulsory``, the compulsory courses' ids of each of the pairs' programmes (read with the
    caller's other reads of the courses; a programme missing from it has none). ``overrides``:
    line id → values the line would store (of mark as text, outcome, certified_on, tolerated_on
    and tolerance_kind), read instead of the stored ones (a publication's plan, decided but not
    written: ``exams.fanout``)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    programme_ids = {p for _, p in pairs}
    if programmes is None or not programme_ids <= programmes.keys():
        programmes = Programme.objects.in_bulk(programme_ids)
    if compulsory is None:
        compulsory = defaultdict(set)
        for course_id, programme_id in Course.objects.filter(
            programme_id__in=programme_ids, elective=False
        ).values_list("pk", "programme_id"):
            compulsory[programme_id].add(course_id)
    else:
        compulsory = defaultdict(set, compulsory)
    result = {
        key: Standing(student_id=key[0], programme=programmes[key[1]], compulsory=compulsory[key[1]], years=[])
        for key in pairs
    }
    student_ids = sorted({s for s, _ in pairs})
    for start in range(0, len(student_ids), STUDENT_BATCH):
        batch = student_ids[start : start + STUDENT_BATCH]
        # A batch of a large school reads its enrolments and lines by key (``pgcopy.by_key``).
        with pgcopy.by_key(Student, len(batch)):
            _years_load(result, batch, programme_ids, overrides or {})
    return result


def _years_load(
    result: dict[tuple[int, int], Standing],
    student_ids: list[int],
    programme_ids: set[int],
    overrides: dict[int, dict],
) -> None:
    """Add the years in the programme, with their lines, of ``student_ids`` (sorted) to their
    standings; a line in ``overrides`` with those values instead of the stored ones."""
    years: dict[int, YearInProgramme] = {}
    owner: dict[int, tuple[int, int]] = {}
    enrolments = Enrolment.objects.filter(
        programme_id__in=programme_ids, **ids_filter("student_id", student_ids)
    ).order_by("academic_year__starts_on", "enrolled_on", "pk")
    for (
        pk,
        student_id,
        programme_id,
        year_id,
        year_code,
        year_start,
        year_end,
        contract,
        status,
        enrolled_on,
    ) in enrolments.values_list(
        "pk",
        "student_id",
        "programme_id",
        "academic_year_id",
        "academic_year__code",
        "academic_year__starts_on",
        "academic_year__ends_on",
        "contract",
        "status",
        "enrolled_on",
    ):
        key = (student_id, programme_id)
        if key not in result:
            continue
        years[pk] = YearInProgramme(
            enrolment_id=pk,
            year_id=year_id,
            year_code=year_code,
            year_start=year_start,
            year_end=year_end,
            contract=contract,
            status=status,
            enrolled_on=enrolled_on,
        )
        owner[pk] = key
    lines = ISPLine.objects.filter(
        enrolment__programme_id__in=programme_ids, **ids_filter("enrolment__student_id", student_ids)
    ).order_by("course__code", "pk")
    mark_from_text = rules.mark_from_text
    for (
        pk,
        enrolment_id,
        course_id,
        code,
        credits,
        tolerable,
        pass_fail,
        elective,
        exempted,
        removed_on,
        mark,
        outcome,
        certified_on,
        tolerated_on,
        tolerance_kind,
    ) in lines.values_list(
        "pk",
        "enrolment_id",
        "course_id",
        "course__code",
        "course__credits",
        "course__tolerable",
        "course__pass_fail",
        "course__elective",
        "exempted",
        "removed_on",
        "mark",
        "outcome",
        "certified_on",
        "tolerated_on",
        "tolerance_kind",
    ):
        year = years.get(enrolment_id)
        if year is None:
            continue  # another programme's, or a student the range holds but no pair asks for
        changed = overrides.get(pk)
        if changed is not None:
            mark = changed.get("mark", mark)
            outcome = changed.get("outcome", outcome)
            certified_on = changed.get("certified_on", certified_on)
            tolerated_on = changed.get("tolerated_on", tolerated_on)
            tolerance_kind = changed.get("tolerance_kind", tolerance_kind)
        year.lines.append(
            Line(
                id=pk,
                course_id=course_id,
                code=code,
                credits=credits,
                tolerable=tolerable,
                pass_fail=pass_fail,
                elective=elective,
                exempted=exempted,
                removed=removed_on is not None,
                mark=mark_from_text(mark),
                outcome=outcome,
                certified_on=certified_on,
                tolerated_on=tolerated_on,
                tolerance_kind=tolerance_kind,
            )
        )
    for enrolment_id, year in years.items():
        result[owner[enrolment_id]].years.append(year)
