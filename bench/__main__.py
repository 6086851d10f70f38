"""Run the benchmarks: ``python -m bench [--only NAME ...] [-n N]``.

Every module of the ``bench`` package is a benchmark; ``-n`` is passed to each
(its size, e.g. the number of students) and each prints its own figures.
"""

import argparse
import importlib
import os
import pkgutil
import sys
import time


def benchmark_names() -> list[str]:
    import bench

    return sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))


def main(argv: list[str] | None = None) -> int:
    names = benchmark_names()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", action="append", choices=names, help="run only this benchmark (repeatable)")
    parser.add_argument("-n", type=int, default=None, help="size passed to each benchmark (default: its own)")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    # Benchmarks count their own queries; DEBUG's query log would only cost memory.
    settings.DEBUG = False

    for name in args.only or names:
        module = importlib.import_module(f"bench.{name}")
        started = time.perf_counter()
        module.run(args.n)
        print(f"[{name}] done in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
