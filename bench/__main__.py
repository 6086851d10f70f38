"""Run the benchmarks: ``python -m bench [--only NAME ...] [-n N] [--runs K]``.

Every module of the ``bench`` package is a benchmark; ``-n`` is passed to each
(its size, e.g. the number of students) and each prints its own figures. With ``--runs K``
each runs K times, one after the other, and then prints the median of each of its figures
with the lowest and highest (``bench._median``). The benchmarks
in ``OPT_IN`` run only when named with ``--only`` (not in ``make bench``'s default run).
"""

import argparse
import importlib
import os
import pkgutil
import sys
import time

# Benchmarks that start servers and take minutes: ``--only NAME`` runs them, nothing else does.
OPT_IN = frozenset({"load"})


def benchmark_names() -> list[str]:
    import bench

    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))


def default_run(names: list[str]) -> list[str]:
    """The benchmarks run without ``--only``."""
    return [name for name in names if name not in OPT_IN]


def main(argv: list[str] | None = None) -> int:
    names = benchmark_names()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--only",
        action="append",
        choices=names,
        help=f"run only this benchmark (repeatable); {', '.join(sorted(OPT_IN))} run(s) only when named here",
    )
    parser.add_argument("-n", type=int, default=None, help="size passed to each benchmark (default: its own)")
    parser.add_argument(
        "--runs", type=int, default=1, help="run each benchmark this many times and print the median of its figures"
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be 1 or more")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    # Benchmarks count their own queries; DEBUG's query log would only cost memory.
    settings.DEBUG = False

    from bench import _median

    for name in args.only or default_run(names):
        module = importlib.import_module(f"bench.{name}")
        runs = []
        for run in range(1, args.runs + 1):
            started = time.perf_counter()
            runs.append(module.run(args.n))
            counted = f" (run {run} of {args.runs})" if args.runs > 1 else ""
            print(f"[{name}] done in {time.perf_counter() - started:.1f} s{counted}", flush=True)
        if args.runs > 1:
            _median.report(name, runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
