"""``core.bulk.ids_filter``: a batch of thousands of ids that fill most of their range is asked
for by the range (no list of thousands of parameters); a sparse or short list by the ids."""

import pytest

from core.bulk import ids_filter
from students.models import Student
from tests.support.factories import StudentFactory


@pytest.mark.parametrize(
    ("ids", "expected"),
    [
        (range(1, 5001), {"student_id__gte": 1, "student_id__lte": 5000}),  # a batch of a publication
        ([*range(10, 210), *range(300, 400)], {"student_id__gte": 10, "student_id__lte": 399}),  # 300 of 390
        (range(0, 1000, 3), {"student_id__in": list(range(0, 1000, 3))}),  # a third of the range: the ids
        ([7, 3, 3, 5], {"student_id__in": [3, 5, 7]}),  # a few, sorted, once each
        (range(1, 101), {"student_id__in": list(range(1, 101))}),  # 100 or fewer: the ids
    ],
)
def test_ids_filter(ids, expected):
    assert ids_filter("student_id", ids) == expected


@pytest.mark.django_db
def test_the_range_keeps_every_id_and_the_caller_skips_the_others():
    students = StudentFactory.create_batch(260)
    wanted = {s.pk for s in students if s.pk % 4}  # three in four
    found = set(Student.objects.filter(**ids_filter("pk", wanted)).values_list("pk", flat=True))
    assert wanted <= found
    assert len(found - wanted) > 0  # the range also holds the others: the caller skips them
