"""The lock benchmark's core runs on the test database: lines_lock and the raw
UPDATE change the same lines (no timing asserted)."""

from bench import lock
from students.models import ISPLine


def test_lock_benchmark_app_and_raw_update_the_same_lines(db):
    figures = lock.measure(50)

    assert figures.lines == 500
    assert figures.app_rows == figures.raw_rows > 0
    assert figures.app_queries >= 1
    # Lines removed before the lock, added after it or of the second semester stay open.
    assert ISPLine.objects.filter(locked_on__isnull=True).exists()
