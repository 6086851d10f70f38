"""Demo data: a deterministic, realistic college in the EXCHANGE.md import format.

``build_records(seed=..., students=...)`` returns a ``study-records/1`` document
(academic years 2024-2025 to 2026-2027, four programmes, a few hundred students
with their enrolments, ISPs, results and tolerance choices). It goes through the
importer like any other file, so the demo shows what the rules make of it.

The generator simulates each student year by year: starters take the whole first
stage of the model route; later years take the failed courses again first, then
courses of the next stage whose prerequisites are met (an SSQ prerequisite only
when it was passed or exempted in an earlier year). Marks come from a per-student
ability and a per-course difficulty. Every random draw comes from one
``random.Random(seed)`` and nothing iterates over a set, so one seed always gives
the same document.

"Today" for the demo is 2026-11-23: 2026-2027 is in its first semester, so it has
enrolments and ISPs but no results, and no fact in the document is dated later.
"""

from __future__ import annotations

import datetime
import random
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction

from core import roles
from exams import rules as exam_rules
from exchange.records import ENROLMENT_OPENS_BEFORE_START, FORMAT
from programmes import rules as programme_rules
from students import rules as student_rules

YEARS = (2024, 2025, 2026)
# The demo's "now": every fact in the document lies before it.
DEMO_TODAY = datetime.date(2026, 11, 23)
EMAIL_DOMAIN = "student.example"
DAY = datetime.timedelta(days=1)
# The simulated students' habits, in study efficiency (%): they ask for tolerance only after a
# year of at least CHOOSING_EFFICIENCY, and a year under LOW_EFFICIENCY makes them think of leaving.
CHOOSING_EFFICIENCY = 60
LOW_EFFICIENCY = 50

# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class CourseSpec:
    code: str
    name: str
    credits: int
    semester: str  # "1", "2" or "year"
    stage: int
    tolerable: bool = True
    resit: bool = True
    pass_fail: bool = False
    elective: bool = False
    requires: tuple[tuple[str, str], ...] = ()  # (course code, "SQ" | "SSQ")
    identical_to: tuple[str, ...] = ()
    parts: tuple[int, ...] = ()  # credits of the partial exams, when examined in parts
    difficulty: float = 0.0  # mark offset of the simulation (higher is harder); not exported

    @property
    def exam_period(self) -> int:
        """Semester-1 courses are examined in January, the others in June."""
        return 1 if self.semester == "1" else 2

    def as_record(self) -> dict:
        record = {
            "code": self.code,
            "name": self.name,
            "credits": self.credits,
            "semester": self.semester,
            "stage": self.stage,
        }
        if not self.tolerable:
            record["tolerable"] = False
        if not self.resit:
            record["resit"] = False
        if self.pass_fail:
            record["pass_fail"] = True
        if self.elective:
            record["elective"] = True
        if self.requires:
            record["requires"] = [{"course": code, "kind": kind} for code, kind in self.requires]
        if self.identical_to:
            record["identical_to"] = list(self.identical_to)
        return record


def _course(code, name, credits, semester, stage, *, requires=(), **flags) -> CourseSpec:
    return CourseSpec(code, name, credits, semester, stage, requires=tuple(requires), **flags)


def _pass_fail(code, name, credits, semester, stage, *, requires=()) -> CourseSpec:
    return CourseSpec(code, name, credits, semester, stage, tolerable=False, pass_fail=True, requires=tuple(requires))


def _internship(code, name, credits, semester, stage, *, requires=()) -> CourseSpec:
    """Work placements: one opportunity a year (no resit) and never tolerable."""
    return CourseSpec(
        code, name, credits, semester, stage, tolerable=False, resit=False, requires=tuple(requires), difficulty=-1.5
    )


def _elective(code, name, credits, semester, stage, *, identical_to=()) -> CourseSpec:
    return CourseSpec(code, name, credits, semester, stage, elective=True, identical_to=tuple(identical_to))


@dataclass(frozen=True)
class ProgrammeSpec:
    code: str
    name: str
    kind: str
    cluster: str
    credits: int
    courses: tuple[CourseSpec, ...]

    @property
    def stages(self) -> int:
        return max(c.stage for c in self.courses)

    def course(self, code: str) -> CourseSpec:
        return self._by_code()[code]

    def _by_code(self) -> dict[str, CourseSpec]:
        return {c.code: c for c in self.courses}

    def stage_courses(self, stage: int) -> list[CourseSpec]:
        return [c for c in self.courses if c.stage == stage]

    def model_route(self) -> list[CourseSpec]:
        """Compulsory courses plus the first elective of each stage's elective slot."""
        route = []
        for stage in range(1, self.stages + 1):
            courses = self.stage_courses(stage)
            route += [c for c in courses if not c.elective]
            route += [c for c in courses if c.elective][:1]
        return route

    def as_record(self) -> dict:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "cluster": self.cluster,
            "credits": self.credits,
            "courses": [c.as_record() for c in self.courses],
        }


SSQ, SQ = "SSQ", "SQ"

NURSING = ProgrammeSpec(
    "BA-NURS",
    "Bachelor in Nursing",
    programme_rules.ProgrammeKind.INITIAL_BACHELOR,
    "Health Care",
    180,
    (
        # Stage 1: 60 credits
        _course("NUR101", "Anatomie en fysiologie 1", 6, "1", 1, parts=(3, 3), difficulty=1.0),
        _course("NUR102", "Verpleegkundige basiszorg", 6, "1", 1),
        _course("NUR103", "Microbiologie en hygiëne", 4, "1", 1, difficulty=0.5),
        _course("NUR104", "Psychologie en communicatie", 4, "1", 1, difficulty=-0.5),
        _course("NUR105", "Medisch rekenen", 3, "1", 1, tolerable=False, difficulty=0.8),
        _course("NUR106", "Gezondheidszorg en samenleving", 4, "1", 1, difficulty=-0.3),
        _pass_fail("NUR107", "Professionele ontwikkeling 1", 3, "year", 1),
        _course("NUR108", "Verpleegtechnische vaardigheden 1", 6, "year", 1, tolerable=False),
        _course("NUR109", "Anatomie en fysiologie 2", 5, "2", 1, requires=[("NUR101", SQ)], difficulty=1.0),
        _course("NUR110", "Farmacologie 1", 4, "2", 1, difficulty=0.7),
        _course("NUR111", "Ethiek en deontologie", 3, "2", 1, difficulty=-0.5),
        _course("NUR112", "Wetenschappelijk werken 1", 4, "2", 1),
        _internship("NUR113", "Stage 1: basiszorg", 8, "2", 1),
        # Stage 2: 56 compulsory + one 4-credit elective
        _course(
            "NUR201", "Interne geneeskunde en verpleegkunde", 6, "1", 2, requires=[("NUR101", SSQ)], difficulty=0.6
        ),
        _course("NUR202", "Heelkunde en verpleegkunde", 6, "1", 2, requires=[("NUR101", SSQ)], difficulty=0.4),
        _course("NUR203", "Farmacologie 2", 4, "1", 2, requires=[("NUR110", SQ)], difficulty=0.7),
        _course("NUR204", "Evidence-based practice", 4, "1", 2, requires=[("NUR112", SQ)]),
        _course("NUR205", "Gerontologie en geriatrie", 5, "1", 2, difficulty=-0.2),
        _course(
            "NUR206", "Verpleegtechnische vaardigheden 2", 5, "year", 2, tolerable=False, requires=[("NUR108", SSQ)]
        ),
        _pass_fail("NUR207", "Professionele ontwikkeling 2", 3, "year", 2, requires=[("NUR107", SQ)]),
        _course("NUR208", "Geestelijke gezondheidszorg", 5, "2", 2),
        _course("NUR209", "Pediatrie en verloskunde", 5, "2", 2, requires=[("NUR109", SSQ)], parts=(2, 3)),
        _internship("NUR210", "Stage 2a: ziekenhuiszorg", 6, "2", 2, requires=[("NUR113", SSQ)]),
        _internship("NUR211", "Stage 2b: thuisverpleging", 7, "2", 2, requires=[("NUR113", SSQ)]),
        _elective("NUR291", "Keuzevak: palliatieve zorg", 4, "2", 2),
        _elective("NUR292", "Keuzevak: transculturele zorg", 4, "2", 2),
        # Stage 3: 56 compulsory + one 4-credit elective
        _course("NUR301", "Kritieke zorg en urgentie", 6, "1", 3, requires=[("NUR201", SSQ)], difficulty=0.6),
        _course("NUR302", "Oncologische zorg", 4, "1", 3, requires=[("NUR201", SQ)]),
        _course("NUR303", "Wijkgezondheidszorg", 5, "1", 3),
        _course("NUR304", "Leiderschap en kwaliteitszorg", 4, "1", 3),
        _course("NUR305", "Gezondheidsrecht", 4, "1", 3, difficulty=0.3),
        _course("NUR306", "Verpleegtechnische vaardigheden 3", 4, "1", 3, tolerable=False, requires=[("NUR206", SSQ)]),
        _course("NUR307", "Klinische farmacologie", 3, "1", 3, requires=[("NUR203", SQ)], difficulty=0.5),
        _pass_fail("NUR308", "Professionele ontwikkeling 3", 3, "year", 3, requires=[("NUR207", SQ)]),
        _course("NUR309", "Bachelorproef", 8, "year", 3, tolerable=False, requires=[("NUR204", SSQ)]),
        _internship("NUR310", "Stage 3a: acute zorg", 8, "2", 3, requires=[("NUR210", SSQ)]),
        _internship("NUR311", "Stage 3b: specialisatiestage", 7, "2", 3, requires=[("NUR211", SSQ)]),
        _elective("NUR391", "Keuzevak: spoedverpleegkunde", 4, "1", 3),
        # The same palliative-care elective, offered in stage 3 too: taking it twice is not allowed.
        _elective("NUR392", "Keuzevak: palliatieve zorg", 4, "1", 3, identical_to=("NUR291",)),
    ),
)

ACCOUNTANCY = ProgrammeSpec(
    "GR-ACC",
    "Associate degree in Accountancy",
    programme_rules.ProgrammeKind.ASSOCIATE,
    "Business and Management",
    120,
    (
        # Stage 1: 60 credits
        _course("ACC101", "Boekhouden 1", 6, "1", 1, parts=(3, 3), difficulty=0.8),
        _course("ACC102", "Bedrijfseconomie", 5, "1", 1),
        _pass_fail("ACC103", "Excel voor de boekhouder", 3, "1", 1),
        _course("ACC104", "Personenbelasting", 5, "2", 1, difficulty=0.7),
        _course("ACC105", "Boekhouden 2", 6, "2", 1, requires=[("ACC101", SQ)], difficulty=0.8),
        _course("ACC106", "Zakelijk Frans 1", 4, "year", 1),
        _course("ACC107", "Business English", 4, "year", 1, difficulty=-0.4),
        _course("ACC108", "Handelsrecht", 4, "1", 1, difficulty=0.3),
        _internship("ACC109", "Werkplekleren 1", 8, "2", 1),
        _course("ACC110", "Btw", 4, "2", 1, difficulty=0.5),
        _course("ACC111", "Kostencalculatie", 5, "2", 1),
        _course("ACC112", "Professionele communicatie", 3, "1", 1, difficulty=-0.6),
        _course("ACC113", "Bedrijfsstatistiek", 3, "1", 1, tolerable=False, difficulty=0.6),
        # Stage 2: 60 credits
        _course("ACC201", "Jaarrekening", 6, "1", 2, requires=[("ACC101", SSQ)], difficulty=0.8),
        _course("ACC202", "Vennootschapsbelasting", 5, "1", 2, requires=[("ACC104", SQ)], difficulty=0.7),
        _course("ACC203", "Boekhoudsoftware", 4, "1", 2, difficulty=-0.3),
        _course("ACC204", "Financiële analyse", 5, "1", 2, requires=[("ACC201", SQ)]),
        _course("ACC205", "Sociaal recht en loonadministratie", 5, "2", 2),
        _course("ACC206", "Vennootschapsrecht", 4, "2", 2, difficulty=0.3),
        _internship("ACC207", "Werkplekleren 2", 8, "year", 2, requires=[("ACC109", SSQ)]),
        _internship("ACC208", "Werkplekleren 3", 7, "2", 2, requires=[("ACC207", SQ)]),
        _pass_fail("ACC209", "Deontologie van de boekhouder", 3, "2", 2),
        _course("ACC210", "Digitale administratie", 4, "2", 2, difficulty=-0.3),
        _course("ACC211", "Zakelijk Frans 2", 4, "1", 2, requires=[("ACC106", SQ)]),
        _course("ACC212", "Budgettering en planning", 5, "2", 2),
    ),
)

EMERGENCY_CARE = ProgrammeSpec(
    "BANABA-EMC",
    "Emergency and Intensive Care",
    programme_rules.ProgrammeKind.BACHELOR_AFTER_BACHELOR,
    "Health Care",
    60,
    (
        _course("EMC01", "Intensieve zorg: cardiologie", 6, "1", 1, parts=(3, 3), difficulty=0.5),
        _course("EMC02", "Intensieve zorg: beademing", 6, "1", 1, difficulty=0.5),
        _course("EMC03", "Spoedgevallenzorg", 6, "1", 1),
        _course("EMC04", "Neurologische intensieve zorg", 5, "2", 1),
        _course("EMC05", "Pediatrische intensieve zorg", 5, "2", 1),
        _course("EMC06", "Farmacologie in kritieke zorg", 4, "1", 1, difficulty=0.6),
        _internship("EMC07", "Stage intensieve zorg", 8, "year", 1),
        _internship("EMC08", "Stage spoedgevallen", 8, "2", 1, requires=[("EMC03", SQ)]),
        _pass_fail("EMC09", "Rampenmanagement", 3, "2", 1),
        _course("EMC10", "Eindwerk", 6, "year", 1, tolerable=False),
        _course("EMC11", "Ethiek in kritieke zorg", 3, "2", 1, difficulty=-0.5),
    ),
)

PRIMARY_EDUCATION = ProgrammeSpec(
    "BA-LO",
    "Bachelor in Education: Primary Education",
    programme_rules.ProgrammeKind.EDUCATION_BACHELOR,
    "Education",
    180,
    (
        # Stage 1: 60 credits
        _course("LO101", "Nederlands 1", 6, "1", 1, parts=(3, 3)),
        _course("LO102", "Wiskunde 1", 6, "1", 1, difficulty=0.8),
        _course("LO103", "Wereldoriëntatie 1", 5, "1", 1),
        _course("LO104", "Onderwijskunde", 5, "1", 1, difficulty=0.3),
        _course("LO105", "Ontwikkelingspsychologie", 4, "1", 1),
        _course("LO106", "Muzische vorming 1", 4, "year", 1, difficulty=-0.6),
        _course("LO107", "Bewegingsopvoeding 1", 4, "year", 1, difficulty=-0.6),
        _internship("LO108", "Stage 1: observeren en eerste lessen", 8, "2", 1),
        _course("LO109", "Nederlands 2", 5, "2", 1, requires=[("LO101", SQ)]),
        _course("LO110", "Wiskunde 2", 5, "2", 1, requires=[("LO102", SQ)], difficulty=0.8),
        _course("LO111", "Frans 1", 4, "2", 1, difficulty=0.4),
        _pass_fail("LO112", "Mediawijsheid en ICT", 4, "2", 1),
        # Stage 2: 55 compulsory + one 5-credit elective
        _course("LO201", "Didactiek Nederlands", 6, "1", 2, requires=[("LO101", SSQ)]),
        _course("LO202", "Didactiek wiskunde", 6, "1", 2, requires=[("LO102", SSQ)], difficulty=0.6),
        _course("LO203", "Wereldoriëntatie 2", 5, "1", 2, requires=[("LO103", SQ)]),
        _course("LO204", "Zorg en differentiatie", 5, "1", 2),
        _course("LO205", "Frans 2", 4, "1", 2, requires=[("LO111", SQ)], difficulty=0.4),
        _course("LO206", "Muzische vorming 2", 4, "year", 2, requires=[("LO106", SQ)], difficulty=-0.5),
        _course("LO207", "Bewegingsopvoeding 2", 4, "year", 2, requires=[("LO107", SQ)], difficulty=-0.5),
        _internship("LO208", "Stage 2a: lessenreeksen", 6, "1", 2, requires=[("LO108", SSQ)]),
        _internship("LO209", "Stage 2b: klaspraktijk", 6, "2", 2, requires=[("LO108", SSQ)]),
        _course("LO210", "Klasmanagement", 5, "2", 2),
        _course("LO211", "Levensbeschouwing en burgerschap", 4, "2", 2, difficulty=-0.3),
        _elective("LO291", "Keuzevak: taalbad Frans", 5, "2", 2),
        _elective("LO292", "Keuzevak: STEM in de klas", 5, "2", 2),
        # Stage 3: 60 credits
        _course("LO301", "Bachelorproef", 8, "year", 3, tolerable=False, requires=[("LO204", SSQ)]),
        _internship("LO302", "Lio-stage 1", 8, "1", 3, requires=[("LO208", SSQ)]),
        _internship("LO303", "Lio-stage 2", 8, "2", 3, requires=[("LO209", SSQ), ("LO302", SQ)]),
        _course("LO304", "Diversiteit en inclusie", 5, "1", 3),
        _course("LO305", "Ouderbetrokkenheid en communicatie", 4, "1", 3, difficulty=-0.3),
        _course("LO306", "Wiskunde 3: remediëring", 5, "1", 3, requires=[("LO202", SQ)], difficulty=0.5),
        _course("LO307", "Nederlands 3: leesbevordering", 5, "1", 3, requires=[("LO201", SQ)]),
        _course("LO308", "Schoolorganisatie en onderwijsrecht", 4, "1", 3, difficulty=0.3),
        _pass_fail("LO309", "Professionele identiteit", 3, "year", 3),
        _course("LO310", "Internationalisering", 5, "2", 3),
        _internship("LO311", "Stage 3c: zorgklas", 5, "2", 3, requires=[("LO209", SSQ)]),
    ),
)

PROGRAMMES = (NURSING, PRIMARY_EDUCATION, ACCOUNTANCY, EMERGENCY_CARE)
PROGRAMME_BY_CODE = {p.code: p for p in PROGRAMMES}
# Where a student who gives up a programme goes next (switching after a bad year).
SWITCH_TO = {
    "BA-NURS": ("BA-LO", "GR-ACC"),
    "BA-LO": ("BA-NURS", "GR-ACC"),
    "GR-ACC": ("BA-LO", "BA-NURS"),
}

# --------------------------------------------------------------------------- names

FIRST_NAMES = (
    "Emma", "Louise", "Olivia", "Elena", "Marie", "Noor", "Lina", "Mila", "Julie", "Nina",
    "Hanne", "Lotte", "Fien", "Ella", "Anna", "Sara", "Lore", "Lisa", "Amber", "Femke",
    "Jana", "Laura", "Eline", "Charlotte", "Margot", "Axelle", "Lien", "Ine", "Elise", "Febe",
    "Yana", "Paulien", "Kato", "Jolien", "Silke", "Britt", "Zoë", "Roos", "Amélie", "Yasmine",
    "Imane", "Selin", "Noah", "Arthur", "Louis", "Liam", "Lucas", "Jules", "Adam", "Victor",
    "Mathis", "Finn", "Lars", "Seppe", "Wout", "Jonas", "Thomas", "Robbe", "Milan", "Tibo",
    "Senne", "Arne", "Stan", "Jasper", "Kobe", "Lander", "Bram", "Ruben", "Siebe", "Warre",
    "Vic", "Matthias", "Pieter", "Jens", "Brent", "Maarten", "Wannes", "Ayoub", "Rayan", "Ilias",
)  # fmt: skip

LAST_NAMES = (
    "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters",
    "De Smet", "Hermans", "Aerts", "Pauwels", "Vermeulen", "Van den Broeck", "Desmet", "Van Damme",
    "De Clercq", "Michiels", "Smets", "Verhoeven", "Lambrechts", "Martens", "Coppens", "Stevens",
    "Claeys", "Segers", "Van de Velde", "Bogaert", "De Backer", "Verstraete", "Vandenberghe",
    "Van Dyck", "Hendrickx", "Cools", "Baert", "Mahieu", "De Wilde", "Vermeiren", "Vervoort",
    "Thys", "Geerts", "Verbeke", "Goethals", "Van Hoof", "Schepers", "Wuyts", "Verschueren",
    "Lemmens", "De Vos", "Van Acker", "Bosmans", "Sels", "Heylen", "Verlinden", "De Meyer",
    "Van Hecke", "Cornelis", "Maenhout", "Beckers", "Nys", "Van Laere", "Dewulf", "D'Hondt",
    "Vanhove", "Deprez", "Van Gucht", "Rombouts", "Daems", "Van Rompuy", "El Amrani", "Yilmaz",
)  # fmt: skip

# --------------------------------------------------------------------------- calendar


def _weekday_between(year: int, month: int, first_day: int, weekday: int) -> datetime.date:
    """The day with ``weekday`` (Monday 0) among the seven days from ``first_day`` on."""
    start = datetime.date(year, month, first_day)
    return start + datetime.timedelta(days=(weekday - start.weekday()) % 7)


@dataclass(frozen=True)
class YearSpec:
    first: int
    starts_on: datetime.date
    ends_on: datetime.date
    periods: dict[int, tuple[datetime.date, datetime.date, datetime.date]]  # number -> (start, end, published)
    calendar: dict[str, datetime.date]

    @classmethod
    def for_first_year(cls, first: int) -> YearSpec:
        second = first + 1
        # The academic year starts on the third or fourth Monday of September (the
        # Monday in 20-26 September) and ends on a Sunday in mid-September.
        starts_on = _weekday_between(first, 9, 20, 0)
        ends_on = _weekday_between(second, 9, 10, 6)
        january = _weekday_between(second, 1, 4, 0)
        june = _weekday_between(second, 5, 25, 0)
        august = _weekday_between(second, 8, 16, 0)
        days = datetime.timedelta
        periods = {
            1: (january, january + days(25), january + days(29)),
            2: (june, june + days(32), june + days(36)),
            3: (august, ends_on - days(4), ends_on - days(2)),
        }
        return cls(first, starts_on, ends_on, periods, programme_rules.default_calendar(first))

    @property
    def code(self) -> str:
        return programme_rules.academic_year_code(self.first)

    @property
    def window_start(self) -> datetime.date:
        """The first day an enrolment-related date may have (EXCHANGE.md, as the importer checks it)."""
        return self.starts_on - ENROLMENT_OPENS_BEFORE_START

    def published(self, number: int) -> datetime.date:
        return self.periods[number][2]

    def period_end(self, number: int) -> datetime.date:
        return self.periods[number][1]

    @property
    def first_semester_lock(self) -> datetime.date:
        return self.calendar["first_semester_lock"]

    @property
    def second_semester_lock(self) -> datetime.date:
        return self.calendar["second_semester_lock"]

    def as_record(self) -> dict:
        return {
            "code": self.code,
            "starts_on": self.starts_on.isoformat(),
            "ends_on": self.ends_on.isoformat(),
            "exam_periods": [
                {
                    "number": number,
                    "starts_on": start.isoformat(),
                    "ends_on": end.isoformat(),
                    "results_published_on": published.isoformat(),
                }
                for number, (start, end, published) in sorted(self.periods.items())
            ],
        }


# --------------------------------------------------------------------------- marks
# The marks, their outcome and the tolerance follow the real rules (exams.rules), so the
# simulated students decide on what the application will make of their results.


def _iso(day: datetime.date) -> str:
    return day.isoformat()


# --------------------------------------------------------------------------- simulation state


@dataclass
class Track:
    """What one student has done so far in one programme."""

    programme: ProgrammeSpec
    obtained: set[str] = field(default_factory=set)  # credit certificate or exemption: meets SSQ
    tolerated: set[str] = field(default_factory=set)
    followed: set[str] = field(default_factory=set)  # in an earlier ISP: meets SQ
    retake: list[str] = field(default_factory=list)  # failed, not tolerated, last year
    electives: dict[int, str] = field(default_factory=dict)  # stage -> chosen elective
    package: list[str] = field(default_factory=list)  # the threshold package: the first ISP
    years: int = 0
    low_efficiency_years: int = 0
    tolerance_used: int = 0
    exempted_credits: int = 0

    def done(self, code: str) -> bool:
        return code in self.obtained or code in self.tolerated

    def finished(self) -> bool:
        credits = 0
        for course in self.programme.courses:
            if self.done(course.code):
                credits += course.credits
            elif not course.elective:
                return False
        return credits >= self.programme.credits


@dataclass
class StudentState:
    number: str
    first_name: str
    last_name: str
    email: str
    ability: float
    grant_status: str
    tracks: dict[str, Track] = field(default_factory=dict)
    enrolments: list[dict] = field(default_factory=list)
    learning_account: dict | None = None
    degrees: list[dict] = field(default_factory=list)
    next_enrolment_from: datetime.date | None = None

    def track(self, programme: ProgrammeSpec) -> Track:
        if programme.code not in self.tracks:
            self.tracks[programme.code] = Track(programme)
        return self.tracks[programme.code]

    def as_record(self) -> dict:
        record = {
            "number": self.number,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "email": self.email,
        }
        if self.learning_account:
            record["learning_account"] = self.learning_account
        if self.degrees:
            record["degrees"] = self.degrees
        record["enrolments"] = self.enrolments
        return record


@dataclass
class YearOutcome:
    efficiency: Fraction | None  # the study efficiency in %; None without any examined line
    deregistered: bool = False
    vanished: bool = False  # stopped sitting exams without deregistering


# --------------------------------------------------------------------------- the builder


class _Builder:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.years = {first: YearSpec.for_first_year(first) for first in YEARS}
        self.numbers: set[str] = set()
        self.emails: set[str] = set()

    # ---- helpers on the random source

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def day_between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        """A working day in [first, last] (any day when the range holds none).

        Enrolments, deregistrations and ISP changes go through the office on working
        days; it also keeps the number of distinct fact days, and the timeline's work, down.
        """
        if last <= first:
            return first
        days = [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]
        return self.rng.choice([d for d in days if d.weekday() < 5] or days)

    def peak_day(self, first: datetime.date, last: datetime.date, mode: datetime.date) -> datetime.date:
        """A working day in [first, last], most often around ``mode`` (enrolment peaks in September)."""
        if last <= first:
            return first
        mode = min(max(mode, first), last)
        offset = self.rng.triangular(0, (last - first).days, (mode - first).days)
        day = first + datetime.timedelta(days=int(offset))
        friday = day - datetime.timedelta(days=day.weekday() - 4)
        monday = day + datetime.timedelta(days=7 - day.weekday())
        if day.weekday() < 5:
            return day
        return friday if friday >= first else monday if monday <= last else day

    # ---- the document

    def build(self, count: int) -> dict:
        students = [self.student(index) for index in range(count)]
        students.sort(key=lambda s: s["number"])
        return {
            "format": FORMAT,
            "academic_years": [self.years[first].as_record() for first in YEARS],
            "programmes": [p.as_record() for p in PROGRAMMES],
            "students": students,
        }

    def new_identity(self, cohort: int) -> tuple[str, str, str, str]:
        first_name = self.rng.choice(FIRST_NAMES)
        last_name = self.rng.choice(LAST_NAMES)
        prefix = {2024: "r08", 2025: "r09", 2026: "r10"}[cohort]
        while True:
            number = f"{prefix}{self.rng.randint(0, 99999):05d}"
            if number not in self.numbers:
                self.numbers.add(number)
                break
        local = f"{_ascii(first_name)}.{_ascii(last_name)}"
        email, n = f"{local}@{EMAIL_DOMAIN}", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{EMAIL_DOMAIN}"
        self.emails.add(email)
        return number, first_name, last_name, email

    def student(self, index: int) -> dict:
        rng = self.rng
        cohort = rng.choices(YEARS, weights=(40, 31, 29))[0]
        programme = PROGRAMME_BY_CODE[rng.choices(("BA-NURS", "BA-LO", "GR-ACC", "BANABA-EMC"), (42, 24, 20, 14))[0]]
        number, first_name, last_name, email = self.new_identity(cohort)
        grant = rng.choices(("none", "scholarship", "nearly"), (75, 19, 6))[0]
        profile = "regular"
        roll = rng.random()
        if programme is EMERGENCY_CARE:
            profile = "graduate"
        elif roll < 0.05:
            profile = "credit"
        elif roll < 0.09:
            profile = "transfer"
        elif roll < 0.12:
            profile = "part_time"
        elif programme is PRIMARY_EDUCATION and roll < 0.16:
            profile = "second_degree"
        mean = {"graduate": 13.3, "credit": 12.8, "second_degree": 13.5}.get(profile, 12.2)
        ability = min(18.0, max(4.5, rng.gauss(mean, 2.6 if profile == "regular" else 2.0)))
        state = StudentState(number, first_name, last_name, email, ability, grant)

        year = cohort
        contract = "credit" if profile == "credit" else "degree"
        new_in_programme = True
        while year in self.years:
            spec = self.years[year]
            enrolled_on = self.enrolment_day(state, spec, late=new_in_programme and self.chance(0.04))
            if not state.enrolments:
                self.add_history(state, profile, programme, enrolled_on)
            outcome = self.enrolment(
                state, spec, programme, contract, enrolled_on, new_in_programme=new_in_programme, profile=profile
            )
            if outcome is None or year == YEARS[-1]:
                break
            if outcome.switched_to is not None:
                programme = outcome.switched_to
            decision = self.next_year(state.track(programme), contract, outcome)
            if decision == "stop":
                break
            if decision == "switch":
                programme = PROGRAMME_BY_CODE[rng.choice(SWITCH_TO[programme.code])]
                profile = "regular"
            new_in_programme = decision in ("switch", "restart") or contract == "credit"
            year += 1
        return state.as_record()

    def add_history(self, state: StudentState, profile: str, programme: ProgrammeSpec, enrolled_on: datetime.date):
        """Imported learning accounts and degrees of students who studied before."""
        rng = self.rng
        if profile == "transfer":
            # Coming from another institution: the government's balance and remaining bonus.
            state.learning_account = {
                "opening_balance": rng.choice((95, 72, 118, 103, 84, 126, 60)),
                "bonus_left": rng.choice((0, 12, 24, 35, 60)),
                "on": _iso(enrolled_on - datetime.timedelta(days=rng.randint(5, 40))),
            }
        elif profile in ("graduate", "second_degree"):
            # A bachelor's degree before this programme (required for a bachelor after bachelor).
            latest = min(enrolled_on - datetime.timedelta(days=10), datetime.date(enrolled_on.year, 7, 10))
            earliest = datetime.date(2024, 6, 20)
            degree_on = self.day_between(earliest, latest) if latest > earliest else earliest
            state.degrees = [{"kind": "bachelor", "on": _iso(degree_on)}]
            state.learning_account = {
                "opening_balance": rng.choice((146, 158, 171, 184, 190, 200)),
                "bonus_left": 0,
                "on": _iso(degree_on + datetime.timedelta(days=rng.randint(1, 8))),
            }

    def enrolment_day(self, state: StudentState, spec: YearSpec, *, late: bool) -> datetime.date:
        """Enrolments run from mid-July to early October; a few come later."""
        y = spec.first
        cap = min(spec.second_semester_lock, DEMO_TODAY - datetime.timedelta(days=3))
        first = datetime.date(y, 7, 15)
        if state.next_enrolment_from is not None:
            first = max(datetime.date(y, 7, 3), state.next_enrolment_from)
        first = max(first, spec.window_start)
        if late:
            return min(self.day_between(datetime.date(y, 10, 6), datetime.date(y, 11, 25)), cap)
        return min(self.peak_day(first, datetime.date(y, 10, 4), datetime.date(y, 9, 16)), cap)

    # ---- one enrolment

    def enrolment(
        self,
        state: StudentState,
        spec: YearSpec,
        programme: ProgrammeSpec,
        contract: str,
        enrolled_on: datetime.date,
        *,
        new_in_programme: bool,
        profile: str,
    ) -> _EnrolmentOutcome | None:
        rng = self.rng
        track = state.track(programme)
        exempted: list[str] = []
        if contract == "credit":
            courses = self.credit_contract_courses(track)
        elif new_in_programme and not track.followed:
            courses = self.starter_courses(programme, track, profile)
            if profile == "transfer":
                candidates = [
                    c for c in courses if c.resit and not c.pass_fail and not c.requires and c.semester != "year"
                ]
                exempted = [c.code for c in rng.sample(candidates, k=min(len(candidates), rng.randint(1, 3)))]
        else:
            courses = self.continuing_courses(track, profile)
        if not courses:
            return None

        # Generation students (first enrolment ever, degree contract, bachelor) who give up
        # in December and start another programme of the same year (DOMAIN §2 rule 6). A student
        # without an imported learning account has studied nowhere before this college.
        generation = (
            state.learning_account is None
            and student_rules.is_generation_student(
                first_enrolment_year=None,
                academic_year=spec.code,
                contract=contract,
                programme_kind=programme.kind,
                earlier_enrolments=len(state.enrolments),
            )
            and spec.first < YEARS[-1]
        )
        switch_target = None
        deregistered_on = None
        if generation and self.chance(0.06):
            deregistered_on = self.day_between(
                spec.first_semester_lock + datetime.timedelta(days=1), datetime.date(spec.first, 12, 22)
            )
            if self.chance(0.75):
                switch_target = PROGRAMME_BY_CODE[rng.choice(SWITCH_TO[programme.code])]
        elif self.chance((0.06 + (0.03 if state.ability < 9.5 else 0.0)) * (0.6 if spec.first == YEARS[-1] else 1)):
            deregistered_on = self.deregistration_day(spec, enrolled_on)

        record = {
            "academic_year": spec.code,
            "programme": programme.code,
            "contract": contract,
            "enrolled_on": _iso(enrolled_on),
        }
        if deregistered_on is not None:
            record["deregistered_on"] = _iso(deregistered_on)
        record["grant_status"] = state.grant_status
        isp = [{"course": c.code, **({"exempted": True} if c.code in exempted else {})} for c in courses]
        removed = self.maybe_remove_line(
            spec, track, courses, exempted, enrolled_on, deregistered_on, isp, new_in_programme=new_in_programme
        )
        record["isp"] = isp
        state.enrolments.append(record)

        active = [c for c in courses if c.code not in removed]
        if new_in_programme and not track.package and contract == "degree":
            track.package = [c.code for c in active]
        tolerance_credit = self.tolerance_credit(track, contract)
        track.years += 1
        track.followed.update(c.code for c in active)
        track.exempted_credits += sum(c.credits for c in active if c.code in exempted)
        track.obtained.update(exempted)
        for course in active:
            if course.elective:
                track.electives[course.stage] = course.code

        outcome = YearOutcome(None, deregistered=deregistered_on is not None)
        if spec.first < YEARS[-1]:
            examined = [c for c in active if c.code not in exempted]
            outcome = self.examine(state, spec, track, record, examined, deregistered_on, tolerance_credit, contract)
        else:
            record["results"] = []

        if switch_target is not None:
            new_on = self.day_between(
                deregistered_on + datetime.timedelta(days=3), datetime.date(spec.first + 1, 2, 20)
            )
            return _EnrolmentOutcome(self.switch_enrolment(state, spec, switch_target, new_on), switch_target)
        return _EnrolmentOutcome(outcome, None)

    def deregistration_day(self, spec: YearSpec, enrolled_on: datetime.date) -> datetime.date:
        before_lock = spec.first_semester_lock - datetime.timedelta(days=1)
        latest = DEMO_TODAY - datetime.timedelta(days=1)
        if spec.first == YEARS[-1] or self.chance(0.5):
            last = min(before_lock, latest)
            first = min(enrolled_on + datetime.timedelta(days=14), last)
            return max(self.day_between(first, last), enrolled_on)
        first = max(spec.first_semester_lock, enrolled_on)
        return self.day_between(first, datetime.date(spec.first + 1, 4, 30))

    def switch_enrolment(
        self, state: StudentState, spec: YearSpec, programme: ProgrammeSpec, enrolled_on: datetime.date
    ) -> YearOutcome:
        """The generation student's new enrolment: the second-semester courses of stage 1."""
        track = state.track(programme)
        courses = []
        for course in programme.stage_courses(1):
            if course.semester != "2" or course.elective:
                continue
            if all(kind == SQ and req in [c.code for c in courses] for req, kind in course.requires):
                courses.append(course)
        record = {
            "academic_year": spec.code,
            "programme": programme.code,
            "contract": "degree",
            "enrolled_on": _iso(enrolled_on),
            "grant_status": state.grant_status,
            "isp": [{"course": c.code} for c in courses],
        }
        state.enrolments.append(record)
        tolerance_credit = self.tolerance_credit(track, "degree")
        track.years += 1
        track.package = [c.code for c in courses]
        track.followed.update(c.code for c in courses)
        return self.examine(state, spec, track, record, courses, None, tolerance_credit, "degree")

    # ---- which courses

    def starter_courses(self, programme: ProgrammeSpec, track: Track, profile: str) -> list[CourseSpec]:
        """Stage 1 of the model route; part-time students (a derogation) take about half of it."""
        stage = self.pick_electives(track, programme.stage_courses(1))
        if programme is EMERGENCY_CARE and self.chance(0.2):
            profile = "part_time"
        if profile != "part_time":
            return stage
        target = self.rng.randint(27, 36)
        chosen: list[CourseSpec] = []
        for course in stage:
            if sum(c.credits for c in chosen) + course.credits > target:
                continue
            if self.prerequisites_met(track, course, chosen):
                chosen.append(course)
        return chosen

    def pick_electives(self, track: Track, courses: list[CourseSpec]) -> list[CourseSpec]:
        """Keep compulsory courses and one elective per stage (not one identical to a course followed)."""
        chosen = [c for c in courses if not c.elective]
        by_stage: dict[int, list[CourseSpec]] = {}
        for course in courses:
            if course.elective:
                by_stage.setdefault(course.stage, []).append(course)
        for stage, options in by_stage.items():
            if stage in track.electives:
                continue
            allowed = [c for c in options if not any(t in track.followed for t in self.identical(track.programme, c))]
            if allowed:
                chosen.append(self.rng.choice(allowed))
        return sorted(chosen, key=track.programme.courses.index)

    @staticmethod
    def identical(programme: ProgrammeSpec, course: CourseSpec) -> list[str]:
        codes = list(course.identical_to)
        codes += [c.code for c in programme.courses if course.code in c.identical_to]
        return codes

    def prerequisites_met(self, track: Track, course: CourseSpec, chosen: list[CourseSpec]) -> bool:
        chosen_codes = [c.code for c in chosen]
        for required, kind in course.requires:
            if kind == SSQ and required not in track.obtained:
                return False
            if kind == SQ and required not in track.followed and required not in chosen_codes:
                return False
        return True

    def continuing_courses(self, track: Track, profile: str) -> list[CourseSpec]:
        """Failed courses first (Art. 20 §3), then the model route onwards up to the credit target."""
        programme = track.programme
        chosen = [programme.course(code) for code in track.retake]
        credits = sum(c.credits for c in chosen)
        if profile == "part_time":
            target = max(credits, self.rng.randint(27, 36))
        elif not chosen and self.chance(0.8):
            target = 60
        else:
            target = max(credits, self.rng.randint(50, 66))
        reached = max([programme.course(code).stage for code in track.followed] or [1])
        chosen_codes = [c.code for c in chosen]
        for course in programme.courses:
            if course.stage > reached + 1 or course.code in chosen_codes or track.done(course.code):
                continue
            if course.elective:
                picked = track.electives.get(course.stage)
                if picked is None:
                    options = [
                        c
                        for c in programme.stage_courses(course.stage)
                        if c.elective
                        and not track.done(c.code)
                        and not any(t in track.followed or t in chosen_codes for t in self.identical(programme, c))
                    ]
                    if not options:
                        continue
                    picked = self.rng.choice(options).code
                    track.electives[course.stage] = picked
                if course.code != picked:
                    continue
            if any(t in track.followed or t in chosen_codes for t in self.identical(programme, course)):
                continue
            if credits + course.credits > target:
                continue
            if self.prerequisites_met(track, course, chosen):
                chosen.append(course)
                chosen_codes.append(course.code)
                credits += course.credits
        return sorted(chosen, key=programme.courses.index)

    def credit_contract_courses(self, track: Track) -> list[CourseSpec]:
        """A few courses without prerequisites, for a credit contract (6-20 credits)."""
        options = [
            c
            for c in track.programme.courses
            if c.stage <= 2 and c.resit and not c.requires and not c.elective and not track.done(c.code)
        ]
        self.rng.shuffle(options)
        target = self.rng.randint(6, 20)
        chosen, credits = [], 0
        for course in options:
            if credits + course.credits <= target:
                chosen.append(course)
                credits += course.credits
        return sorted(chosen, key=track.programme.courses.index)

    def maybe_remove_line(self, spec, track, courses, exempted, enrolled_on, deregistered_on, isp, *, new_in_programme):
        """A few ISPs change before 1 December: an elective swapped, or a second-semester course dropped."""
        last = min(spec.first_semester_lock, DEMO_TODAY) - datetime.timedelta(days=1)
        if deregistered_on is not None:
            last = min(last, deregistered_on)
        first = enrolled_on + datetime.timedelta(days=5)
        if first > last or not self.chance(0.06):
            return set()
        on = self.day_between(first, last)
        codes = [c.code for c in courses]
        electives = [c for c in courses if c.elective and c.code not in track.retake]
        if electives:
            old = electives[0]
            options = [
                c
                for c in track.programme.stage_courses(old.stage)
                if c.elective and c.code not in codes and not self.identical(track.programme, c)
            ]
            if options:
                new = self.rng.choice(options)
                for line in isp:
                    if line["course"] == old.code:
                        line["removed_on"] = _iso(on)
                isp.append({"course": new.code, "added_on": _iso(on)})
                courses.append(new)
                track.electives[old.stage] = new.code
                return {old.code}
        if new_in_programme:
            return set()
        needed = {req for c in courses for req, _ in c.requires}
        droppable = [
            c
            for c in courses
            if c.semester == "2" and c.code not in track.retake and c.code not in exempted and c.code not in needed
        ]
        if not droppable or sum(c.credits for c in courses) < 40:
            return set()
        old = self.rng.choice(droppable)
        for line in isp:
            if line["course"] == old.code:
                line["removed_on"] = _iso(on)
        return {old.code}

    def tolerance_credit(self, track: Track, contract: str) -> int:
        """The tolerance credit of Art. 91 §1 (DOMAIN §4) as exams.rules computes it."""
        if contract != "degree":
            return 0
        programme = track.programme
        done = sum(c.credits for c in programme.courses if c.code in track.obtained or c.code in track.tolerated)
        return exam_rules.tolerance_credit(
            programme_credits=programme.credits,
            exempted_credits=track.exempted_credits,
            cap=None,  # the demo's programmes set no tolerance cap
            programme_kind=programme.kind,
            starter=done < exam_rules.STARTER_CREDITS,
        )

    # ---- the exams of one year

    def mark(self, state: StudentState, course: CourseSpec, *, resit: bool = False):
        rng = self.rng
        p_absent = 0.015 + max(0.0, 10.5 - state.ability) * 0.025 + (0.05 if resit else 0.0)
        if rng.random() < p_absent:
            return "NA"
        level = state.ability - course.difficulty + (1.0 if resit else 0.0) + rng.gauss(0, 2.3)
        if course.pass_fail:
            return "P" if level >= 8.5 else "F"
        return min(20, max(0, round(level)))

    def result(self, state, course, period: int, opportunity: int) -> tuple[dict, object]:
        record = {"course": course.code, "exam_period": period, "opportunity": opportunity}
        mark = self.mark(state, course, resit=opportunity == 2)
        if course.parts and isinstance(mark, int) and self.chance(0.3):
            parts = []
            for credits in course.parts:
                level = state.ability - course.difficulty + self.rng.gauss(0, 2.6)
                parts.append((credits, min(20, max(0, round(level)))))
            record["parts"] = [{"credits": c, "mark": m} for c, m in parts]
            return record, exam_rules.mark_from_parts(parts)
        record["mark"] = mark
        return record, mark

    def examine(self, state, spec, track, record, courses, deregistered_on, tolerance_credit, contract) -> YearOutcome:
        results: list[dict] = []
        choices: list[dict] = []
        final: dict[str, object] = {}
        first_mark: dict[str, object] = {}
        vanished = contract == "degree" and self.chance(0.02 + (0.06 if state.ability < 9 else 0.0))

        def sat(period: int) -> bool:
            return deregistered_on is None or spec.period_end(period) < deregistered_on

        for period in (1, 2):
            if not sat(period):
                continue
            for course in courses:
                if course.exam_period != period:
                    continue
                if vanished and period == 2:
                    if self.chance(0.7):
                        results.append({"course": course.code, "exam_period": 2, "opportunity": 1, "mark": "NA"})
                        first_mark[course.code] = final[course.code] = "NA"
                    continue
                result, mark = self.result(state, course, period, 1)
                results.append(result)
                first_mark[course.code] = final[course.code] = mark

        actually_taken = sum(c.credits for c in courses)
        left = tolerance_credit - track.tolerance_used
        tolerated: list[str] = []

        def efficiency():
            """The study efficiency (Art. 28) as a percentage; None when nothing is actually taken."""
            certified = sum(c.credits for c in courses if exam_rules.is_pass(final.get(c.code)))
            return exam_rules.study_efficiency(certified_credits=certified, actually_taken_credits=actually_taken)

        def choose_tolerance(published: datetime.date, probability: float, latest_days: int):
            nonlocal left
            eff = efficiency()
            # Students after a weak year seldom ask for tolerance: only from CHOOSING_EFFICIENCY on,
            # above the rule's minimum (which tolerance_allowed checks).
            if contract != "degree" or eff is None or eff < CHOOSING_EFFICIENCY:
                return
            for course in courses:
                mark = final.get(course.code)
                if course.code in tolerated or not exam_rules.is_tolerable(mark, tolerable_course=course.tolerable):
                    continue
                if exam_rules.tolerance_allowed(efficiency=eff, credits=course.credits, left=left) and self.chance(
                    probability
                ):
                    on = self.day_between(published + DAY, published + datetime.timedelta(days=latest_days))
                    choices.append({"course": course.code, "on": _iso(on)})
                    tolerated.append(course.code)
                    left -= course.credits

        if sat(2) and not vanished:
            choose_tolerance(spec.published(2), 0.15, 13)

        resat = False
        if sat(3) and not vanished:
            for course in courses:
                mark = final.get(course.code)
                if course.code not in final or exam_rules.is_pass(mark) or course.code in tolerated or not course.resit:
                    continue
                if not self.chance(0.9):
                    continue
                result, mark2 = self.result(state, course, 3, 2)
                results.append(result)
                resat = True
                final[course.code] = exam_rules.final_mark((mark, mark2))
            choose_tolerance(spec.published(3), 0.25, 4)

        record["results"] = sorted(results, key=lambda r: (r["exam_period"], r["course"]))
        if choices:
            record["tolerance_choices"] = sorted(choices, key=lambda c: (c["on"], c["course"]))

        # The year's balance for the next ISP.
        passed = [c.code for c in courses if exam_rules.is_pass(final.get(c.code))]
        track.obtained.update(passed)
        track.tolerated.update(tolerated)
        track.tolerance_used += sum(track.programme.course(code).credits for code in tolerated)
        track.retake = [c.code for c in courses if c.code in final and not track.done(c.code)]
        # Lines never examined (a deregistration) are simply not obtained.
        eff = efficiency() if final else None
        if eff is not None and eff < LOW_EFFICIENCY:
            track.low_efficiency_years += 1
        if resat or choices:
            latest = max([spec.published(3)] + [datetime.date.fromisoformat(c["on"]) for c in choices])
        else:
            latest = spec.published(2)
        state.next_enrolment_from = latest + datetime.timedelta(days=1)
        return YearOutcome(eff, deregistered=deregistered_on is not None, vanished=vanished)

    # ---- between two years

    def next_year(self, track: Track, contract: str, outcome: _EnrolmentOutcome) -> str:
        """'continue', 'restart', 'switch' or 'stop' for the next academic year."""
        rng = self.rng
        year = outcome.year
        if contract == "credit":
            return "continue" if self.chance(0.3) else "stop"
        if year.deregistered:
            return (
                rng.choices(("stop", "restart", "switch"), (70, 15, 15))[0]
                if track.programme.code in SWITCH_TO
                else "stop"
            )
        if year.vanished:
            return "stop" if self.chance(0.85) else "restart"
        if track.finished():
            return "stop"
        if track.programme is EMERGENCY_CARE:
            return "continue" if self.chance(0.85) else "stop"
        # Decree threshold (Art. 30): after two years the first ISP must be obtained (or tolerated).
        if track.programme.kind in programme_rules.THRESHOLD_KINDS and student_rules.threshold_refusal_due(
            years_enrolled=track.years, package_reached=all(track.done(code) for code in track.package)
        ):
            return "switch" if self.chance(0.5) else "stop"
        if track.low_efficiency_years >= 2:
            return "switch" if self.chance(0.35) else "stop"
        eff = year.efficiency or 0
        if eff < 30:
            return rng.choices(("stop", "switch", "continue"), (50, 25, 25))[0]
        if eff < LOW_EFFICIENCY:
            return rng.choices(("stop", "switch", "continue"), (12, 13, 75))[0]
        return "stop" if self.chance(0.03) else "continue"


@dataclass
class _EnrolmentOutcome:
    year: YearOutcome
    switched_to: ProgrammeSpec | None


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def build_records(*, seed: int = 2026, students: int = 300) -> dict:
    """A deterministic demo college in the EXCHANGE.md import format."""
    return _Builder(seed).build(students)


# --------------------------------------------------------------------------- demo logins


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str | None  # a group of core.roles; None for the superuser
    first_name: str
    last_name: str
    can: str  # what the login is for, shown by ``demo_logins``
    is_superuser: bool = False


DEMO_PASSWORD = "demo"
# Programme assignments of the demo staff, every academic year: (username, assignment role, programmes).
DEMO_ASSIGNMENTS = (
    # Health Care and the associate degree in accountancy: a bachelor and an associate degree to coach.
    ("coach", "coach", (*(p.code for p in PROGRAMMES if p.cluster == "Health Care"), "GR-ACC")),
    ("ombudsperson", "ombudsperson", tuple(p.code for p in PROGRAMMES)),
    ("substitute", "substitute", tuple(p.code for p in PROGRAMMES)),
)
DEMO_USERS = (
    DemoUser("admin", None, "Ada", "Admin", "everything, including users and groups", is_superuser=True),
    DemoUser(
        "administration",
        roles.ADMINISTRATION,
        "Sofie",
        "Peeters",
        "admin site: catalogue, students, enrolments, ISPs, results, tolerance; reads the learning account",
    ),
    DemoUser(
        "committee",
        roles.COMMITTEE,
        "Jan",
        "Maes",
        "chair of the Health Care examination committee (Committees in the menu); admin site: reads every "
        "record, changes results",
    ),
    DemoUser(
        "secretary",
        roles.COMMITTEE,
        "Griet",
        "Vandenberghe",
        "secretary of the Health Care examination committee: records the deliberation, signs its report",
    ),
    DemoUser(
        "coach",
        roles.COACH,
        "Katrien",
        "De Wilde",
        "students' ISPs and study progress in BA-NURS, BANABA-EMC and GR-ACC (Students in the menu)",
    ),
    DemoUser(
        "ombudsperson",
        roles.OMBUDSPERSON,
        "Marc",
        "Verhoeven",
        "exam reschedule requests and complaints, in every programme",
    ),
    DemoUser(
        "substitute",
        roles.OMBUDSPERSON,
        "Els",
        "Claes",
        "substitute ombudsperson: stands in, and handles the students the ombudsperson examines (Art. 58)",
    ),
    DemoUser(
        "examiner",
        roles.EXAMINER,
        "Bram",
        "Vermeulen",
        "examiner in Health Care: reports irregularities and fraud with their evidence (Fraud in the menu)",
    ),
    DemoUser(
        "fraudauthority",
        roles.FRAUD_AUTHORITY,
        "Hanne",
        "Lemmens",
        "the fraud authority: ratifies exclusions and enrolment bans after the advice (Art. 85 §2)",
    ),
)
