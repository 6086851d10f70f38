import datetime

import factory

from programmes.models import AcademicYear, Course, ExamPeriod, Programme
from students.models import Enrolment, ISPLine, Student


class AcademicYearFactory(factory.django.DjangoModelFactory):
    """2023-2024 by default, with the calendar of DOMAIN §1 and three exam periods."""

    class Meta:
        model = AcademicYear
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    class Params:
        first_year = 2023

    code = factory.LazyAttribute(lambda o: f"{o.first_year}-{o.first_year + 1}")
    starts_on = factory.LazyAttribute(lambda o: datetime.date(o.first_year, 9, 18))
    ends_on = factory.LazyAttribute(lambda o: datetime.date(o.first_year + 1, 9, 15))

    @factory.post_generation
    def exam_periods(obj, create, extracted, **kwargs):
        if not create or extracted is False or obj.exam_periods.exists():
            return
        y = obj.starts_on.year + 1
        for number, start, end, pub in (
            (1, (1, 8), (2, 2), (2, 6)),
            (2, (5, 27), (6, 28), (7, 2)),
            (3, (8, 16), (9, 11), (9, 13)),
        ):
            ExamPeriod.objects.create(
                academic_year=obj,
                number=number,
                starts_on=datetime.date(y, *start),
                ends_on=datetime.date(y, *end),
                results_published_on=datetime.date(y, *pub),
            )


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"BA-P{n:02d}")
    name = factory.LazyAttribute(lambda o: f"Bachelor {o.code}")
    kind = "initial_bachelor"
    cluster = "Health Care"
    credits = 180


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    programme = factory.SubFactory(ProgrammeFactory)
    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.LazyAttribute(lambda o: f"Course {o.code}")
    credits = 6
    semester = "1"
    stage = 1


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Student

    number = factory.Sequence(lambda n: f"S{n:05d}")
    first_name = factory.Faker("first_name", locale="nl_BE")
    last_name = factory.Faker("last_name", locale="nl_BE")


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    student = factory.SubFactory(StudentFactory)
    academic_year = factory.SubFactory(AcademicYearFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    contract = "degree"
    enrolled_on = factory.LazyAttribute(lambda o: o.academic_year.starts_on - datetime.timedelta(days=3))


class ISPLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ISPLine

    enrolment = factory.SubFactory(EnrolmentFactory)
    course = factory.SubFactory(CourseFactory, programme=factory.SelfAttribute("..enrolment.programme"))
    added_on = factory.LazyAttribute(lambda o: o.enrolment.enrolled_on)


# --- Ledger, degrees, results (added for the admin tests; models named as strings so
# that this block only appends) ---


class LearningAccountEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "students.LearningAccountEntry"

    student = factory.SubFactory(StudentFactory)
    on = datetime.date(2023, 9, 15)
    credits = 140
    kind = "opening"
    source = factory.Sequence(lambda n: f"factory:{n}")
    reason = "opening balance"


class DegreeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "students.Degree"

    student = factory.SubFactory(StudentFactory)
    kind = "bachelor"
    on = datetime.date(2023, 7, 1)


class ResultFactory(factory.django.DjangoModelFactory):
    """A first-opportunity mark in the first exam period of the line's academic year."""

    class Meta:
        model = "exams.Result"

    isp_line = factory.SubFactory(ISPLineFactory)
    exam_period = factory.LazyAttribute(lambda o: o.isp_line.enrolment.academic_year.exam_periods.get(number=1))
    opportunity = 1
    score = 12
