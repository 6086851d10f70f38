"""The nesting check of ``import_records`` (exchange.reading) on a demo college's records
file: what counting the depth of every value adds to reading the JSON.

The file is the demo college (``demo.college.build_records``) with N students, as JSON text;
no database is touched. Printed: the file's size, json.loads's time, nesting_depth's time and
their ratio, and the time nesting_depth takes to refuse 100,000 nested lists (it stops once past
the limit, without recursion).
"""

import json
import time

DEFAULT_N = 3000


def _best_of(three, call):
    best = float("inf")
    for _ in range(three):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best


def measure(n: int) -> dict:
    from demo.college import build_records
    from exchange.reading import MAX_DEPTH, nesting_depth

    text = json.dumps(build_records(students=n))
    data = json.loads(text)
    load_seconds = _best_of(3, lambda: json.loads(text))
    depth_seconds = _best_of(3, lambda: nesting_depth(data))
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    refuse_seconds = _best_of(3, lambda: nesting_depth(deep))
    return {
        "n": n,
        "megabytes": len(text.encode()) / 1e6,
        "depth": nesting_depth(data),
        "max_depth": MAX_DEPTH,
        "load_seconds": load_seconds,
        "depth_seconds": depth_seconds,
        "refuse_seconds": refuse_seconds,
    }


def run(n: int | None = None) -> dict:
    figures = measure(n or DEFAULT_N)
    print(
        f"records file of {figures['n']} students: {figures['megabytes']:.1f} MB, nested {figures['depth']} deep "
        f"(limit {figures['max_depth']})"
    )
    print(f"  json.loads      {figures['load_seconds'] * 1000:8.1f} ms")
    print(
        f"  nesting_depth   {figures['depth_seconds'] * 1000:8.1f} ms "
        f"({figures['depth_seconds'] / figures['load_seconds']:.2f} x json.loads)"
    )
    print(f"  100,000 nested lists refused in {figures['refuse_seconds'] * 1e6:.0f} µs")
    return figures
