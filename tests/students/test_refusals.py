"""Refusals by measures (students/refusals.py): a degree from another programme ends a
decree-threshold refusal (Art. 30 §2, DOMAIN §5)."""

import datetime

import pytest

from students.models import Degree, EnrolmentStatus, Measure, MeasureKind
from students.refusals import enrolments_refuse_by_measures, measures_of, refusals_for
from students.services import degrees_process
from tests.support.factories import AcademicYearFactory, EnrolmentFactory, ProgrammeFactory

D = datetime.date


@pytest.fixture
def refused(db):
    """BA-X refused by the decree threshold at the end of 2024-2025 (14 Sep 2025): 2025-2026
    up to 2030-2031. The student enrolled in BA-X again for 2027-2028 (refused) and
    2028-2029 (refused)."""
    decided_in = AcademicYearFactory(first_year=2024)
    for first in (2025, 2026):
        AcademicYearFactory(first_year=first)
    programme = ProgrammeFactory(code="BA-X")
    later = [
        EnrolmentFactory(programme=programme, academic_year=AcademicYearFactory(first_year=first))
        for first in (2027, 2028)
    ]
    student = later[0].student
    later[1].student = student
    later[1].save()
    measure = Measure.objects.create(
        student=student,
        kind=MeasureKind.THRESHOLD_REFUSAL,
        programme=programme,
        from_year_code="2025-2026",
        until_year_code="2030-2031",
        decided_on=decided_in.ends_on,
        decided_in=decided_in,
    )
    for enrolment in later:
        enrolment.enrolment_processed = True
        enrolment.save()
    enrolments_refuse_by_measures(student_ids=[student.pk])
    return student, programme, measure, later


def _statuses(enrolments):
    return [type(e).objects.get(pk=e.pk).status for e in enrolments]


def test_the_refusal_covers_six_years_without_a_degree(refused):
    student, _programme, _measure, later = refused
    assert _statuses(later) == [EnrolmentStatus.REFUSED, EnrolmentStatus.REFUSED]
    assert [m["until"] for m in measures_of(student)] == ["2030-2031"]


def test_a_degree_from_elsewhere_ends_the_refusal_with_its_academic_year(refused):
    # A bachelor's degree on 1 July 2027 (no programme: obtained elsewhere): 2026-2027 is the
    # last academic year started on or before it, so 2027-2028 and later are admitted again.
    student, _programme, measure, later = refused
    Degree.objects.create(student=student, kind="bachelor", on=D(2027, 7, 1))
    degrees_process(day=D(2027, 7, 1))
    assert _statuses(later) == [EnrolmentStatus.ENROLLED, EnrolmentStatus.ENROLLED]
    assert measures_of(student) == [
        {"kind": "threshold_refusal", "programme": "BA-X", "course": None, "from": "2025-2026", "until": "2026-2027"}
    ]
    measure.refresh_from_db()
    assert measure.until_year_code == "2030-2031"  # the measure itself stays as taken (history)
    assert refusals_for(later) == {}


def test_a_degree_in_the_first_year_of_the_refusal_keeps_that_year_refused(refused):
    student, _programme, _measure, later = refused
    Degree.objects.create(student=student, kind="master", on=D(2026, 6, 30))
    degrees_process(day=D(2026, 6, 30))
    assert [m["until"] for m in measures_of(student)] == ["2025-2026"]
    assert _statuses(later) == [EnrolmentStatus.ENROLLED, EnrolmentStatus.ENROLLED]


@pytest.mark.parametrize(
    "on",
    [
        pytest.param(D(2025, 7, 1), id="degree-before-the-refusal"),
        pytest.param(D(2025, 9, 14), id="degree-on-the-decision-day"),
    ],
)
def test_a_degree_before_the_refusal_does_not_end_it(refused, on):
    student, _programme, _measure, later = refused
    Degree.objects.create(student=student, kind="bachelor", on=on)
    degrees_process(day=on)
    assert [m["until"] for m in measures_of(student)] == ["2030-2031"]
    assert _statuses(later) == [EnrolmentStatus.REFUSED, EnrolmentStatus.REFUSED]


def test_a_degree_of_the_refused_programme_does_not_end_it(refused):
    student, programme, _measure, later = refused
    Degree.objects.create(student=student, kind="bachelor", on=D(2027, 7, 1), programme=programme)
    degrees_process(day=D(2027, 7, 1))
    assert [m["until"] for m in measures_of(student)] == ["2030-2031"]
    assert _statuses(later) == [EnrolmentStatus.REFUSED, EnrolmentStatus.REFUSED]


def test_a_degree_not_yet_processed_does_not_end_it(refused):
    # A degree is a dated fact: it counts once processed on its date.
    student, _programme, _measure, later = refused
    Degree.objects.create(student=student, kind="bachelor", on=D(2027, 7, 1))
    assert [m["until"] for m in measures_of(student)] == ["2030-2031"]
    assert set(refusals_for(later)) == {e.pk for e in later}


# --- Art. 29 §3, DOMAIN §5: the binding-conditions refusal covers the programmes of the same degree
@pytest.mark.parametrize(
    ("refused_in", "enrols_in", "refused"),
    [
        # (code, degree code) of the refused programme, of the programme enrolled in
        (("GRAD-ICT", ""), ("GRAD-ICT", ""), True),  # the same programme
        (("GRAD-ICT", "GRAD-IT"), ("GRAD-ICT-EVE", "GRAD-IT"), True),  # another programme, same degree code
        (("GRAD-ICT", ""), ("GRAD-ICT-EVE", "GRAD-ICT"), True),  # default: the refused programme's own code
        (("GRAD-ICT", "GRAD-IT"), ("GRAD-NET", "GRAD-NW"), False),  # another degree
        (("GRAD-ICT", ""), ("GRAD-NET", ""), False),  # no degree codes: only the same programme
    ],
)
def test_a_binding_conditions_refusal_covers_the_programmes_of_the_same_degree(refused_in, enrols_in, refused):
    from programmes.models import AcademicYear, Programme
    from students.models import Enrolment, Measure, MeasureKind
    from students.refusals import refusing_measure

    programmes = {}
    for pk, (code, degree_code) in enumerate((refused_in, enrols_in), start=1):
        programmes.setdefault(code, Programme(pk=pk, code=code, degree_code=degree_code, kind="associate_degree"))
    measure = Measure(
        kind=MeasureKind.BINDING_CONDITIONS_REFUSAL,
        programme=programmes[refused_in[0]],
        from_year_code="2025-2026",
        until_year_code="2025-2026",
        decided_on=datetime.date(2025, 9, 14),
    )
    enrolment = Enrolment(programme=programmes[enrols_in[0]], academic_year=AcademicYear(code="2025-2026"))
    found = refusing_measure(enrolment=enrolment, measures=[measure], course_groups={}, programme_courses={})
    assert (found is measure) is refused


@pytest.mark.django_db
def test_identical_groups_from_the_callers_pairs_are_those_it_reads():
    """A - B and B - C are identical pairs, D - E another; the groups of A and D. Read by
    ``identical_groups``, or handed the pairs of every course (both directions, as stored): the
    pairs without A or D are left out (C joins A's group only through B's pair with A), so both
    answers are the same."""
    from programmes.models import Course
    from students.refusals import identical_groups
    from tests.support.factories import CourseFactory

    programme = ProgrammeFactory()
    a, b, c, d, e = (CourseFactory(programme=programme, code=code) for code in "ABCDE")
    a.identical_to.add(b)
    b.identical_to.add(c)
    d.identical_to.add(e)
    read = identical_groups({a.pk, d.pk})
    every = list(Course.identical_to.through.objects.values_list("from_course_id", "to_course_id"))
    assert len(every) == 6  # both directions
    assert identical_groups({a.pk, d.pk}, pairs=every) == read
    assert read[a.pk] == read[b.pk] == min(a.pk, b.pk)
    assert c.pk not in read
    assert read[d.pk] == read[e.pk] != read[a.pk]
