"""A small college with one of every learning-account situation, built from factories."""

import datetime as dt

from exams.models import Result
from programmes.models import ExamPeriod
from students.models import Degree
from tests.support.factories import (
    AcademicYearFactory,
    CourseFactory,
    EnrolmentFactory,
    ISPLineFactory,
    ProgrammeFactory,
    StudentFactory,
)

D = dt.date


def build() -> dict:
    years = [AcademicYearFactory(first_year=y) for y in (2023, 2024, 2025)]
    y1 = years[0]
    ba = ProgrammeFactory(code="BA-X", kind="initial_bachelor")
    ba2 = ProgrammeFactory(code="BA-Y", kind="initial_bachelor")
    gr = ProgrammeFactory(code="GR-X", kind="associate", credits=120)
    # 10 courses of 6 credits: C01-C05 first semester, C06 year course, C07-C10 second semester.
    courses = [
        CourseFactory(
            programme=ba, code=f"C{i:02d}", credits=6, semester="1" if i <= 5 else ("year" if i == 6 else "2")
        )
        for i in range(1, 11)
    ]
    other = [CourseFactory(programme=ba2, code=f"Y{i:02d}", credits=6, semester="1") for i in range(1, 6)]
    gr_courses = [CourseFactory(programme=gr, code=f"G{i:02d}", credits=6) for i in range(1, 6)]
    p1 = ExamPeriod.objects.get(academic_year=y1, number=1)
    p2 = ExamPeriod.objects.get(academic_year=y1, number=2)

    def enrol(number, programme, course_list, **kwargs):
        student = kwargs.pop("student", None) or StudentFactory(number=number, **kwargs.pop("student_kwargs", {}))
        enrolment = EnrolmentFactory(
            student=student,
            academic_year=kwargs.pop("year", y1),
            programme=programme,
            enrolled_on=kwargs.pop("enrolled_on", D(2023, 9, 15)),
            **kwargs,
        )
        lines = {c.code: ISPLineFactory(enrolment=enrolment, course=c) for c in course_list}
        return student, enrolment, lines

    # Passes 24 credits in January and 30 in June; fails C06 and... bonus on all 54.
    s1, e1, l1 = enrol("S1", ba, courses)
    for code in ("C01", "C02", "C03", "C04"):
        Result.objects.create(isp_line=l1[code], exam_period=p1, opportunity=1, score=14)
    Result.objects.create(isp_line=l1["C05"], exam_period=p1, opportunity=1, score=7)
    Result.objects.create(isp_line=l1["C05"], exam_period=p2, opportunity=2, score=12)
    for code in ("C07", "C08", "C09", "C10"):
        Result.objects.create(isp_line=l1[code], exam_period=p2, opportunity=1, score=11)
    Result.objects.create(isp_line=l1["C06"], exam_period=p2, opportunity=1, score=9)

    # Removals: before the first lock (refund), after it (none), a semester-2 line before 15 March (refund).
    s2, e2, l2 = enrol("S2", ba, courses)
    l2["C01"].removed_on = D(2023, 11, 20)
    l2["C02"].removed_on = D(2023, 12, 5)
    l2["C09"].removed_on = D(2024, 2, 1)
    for line in (l2["C01"], l2["C02"], l2["C09"]):
        line.save()

    # Deregistration between the locks: only semester-2 lines come back.
    s3, e3, _ = enrol("S3", ba, courses, deregistered_on=D(2023, 12, 10))
    # Credit contract deregistering before 1 December: nothing comes back.
    s4, e4, _ = enrol("S4", ba, courses[:3], contract="credit", deregistered_on=D(2023, 10, 1))
    # Generation student switching programme in December: half of the first-semester credits.
    s5, e5, _ = enrol("S5", ba, courses, deregistered_on=D(2023, 12, 5))
    enrol("S5", ba2, other, student=s5, enrolled_on=D(2023, 12, 20))
    # Associate degree: the learning account is not used.
    s6, e6, _ = enrol("S6", gr, gr_courses)
    # Imported balance of 0: refused (Art. 33).
    s7, e7, _ = enrol("S7", ba, courses[:5], student_kwargs={"opening_balance": 0, "opening_on": D(2023, 9, 1)})
    # First master's degree leaves 10; not enrolled in 2024-2025 and 2025-2026: rebuilt to 20, then 30.
    s8 = StudentFactory(number="S8", opening_balance=150, opening_on=D(2023, 8, 1))
    Degree.objects.create(student=s8, kind="master", on=D(2024, 7, 1))
    enrol("S8", gr, gr_courses[:2], student=s8)
    return {"years": years, "students": [s1, s2, s3, s4, s5, s6, s7, s8]}


# What the rules give, worked out by hand (see the test for each derivation).
EXPECTED_BALANCES_END_OF_2023_2024 = {
    "S1": 140 - 60 + 2 * 30 + 2 * 24,  # 54 credits passed, all inside the first 60: 188
    "S2": 140 - 60 + 6 + 6,  # C01 before 1 Dec, C09 before 15 Mar: 92
    "S3": 140 - 60 + 24,  # four semester-2 lines back: 104
    "S4": 140 - 18,  # credit contract: 122
    # Deregistered 5 Dec: the 24 semester-2 credits come back; switching on 20 Dec,
    # half of the 36 semester-1 and year credits (18) too; BA-Y costs 30: 92
    "S5": 140 - 60 + 24 + 18 - 30,
    "S6": 140,
    "S7": 0,
    "S8": 150 - 140 + 10,  # first master leaves 10; not enrolled at the start of 2024-2025: +10
}
