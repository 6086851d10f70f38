"""``python -m bench --runs K``: each benchmark run K times and the median of each of its figures
printed with the lowest and highest (bench._median; issue 19: "each figure the median of three
runs")."""

from dataclasses import dataclass, field

import pytest

from bench import _median
from bench.__main__ import main


@dataclass
class _Figures:
    n: int
    seconds: float
    raw_seconds: float
    spread: dict[int, float] = field(default_factory=dict)
    fast: bool = True
    pages: list = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.seconds / self.raw_seconds


def _run(seconds: float, raw: float, page_ms: float) -> _Figures:
    return _Figures(
        n=1000,
        seconds=seconds,
        raw_seconds=raw,
        spread={1: seconds * 2},
        pages=[
            {"persona": "coach", "page": "student list", "p95_ms": page_ms, "fast": True},
            {"persona": "admin", "page": "ledger", "p95_ms": 40.0},
        ],
    )


def test_the_leaves_are_a_runs_numbers_by_name_properties_included_verdicts_not():
    found = _median.leaves(_run(10.0, 5.0, 30.0))
    assert found == {
        ("n",): 1000,
        ("seconds",): 10.0,
        ("raw_seconds",): 5.0,
        ("spread", "1"): 20.0,
        ("pages", "coach: student list", "p95_ms"): 30.0,
        ("pages", "admin: ledger", "p95_ms"): 40.0,
        ("ratio",): 2.0,
    }


def test_a_list_of_sizes_is_named_by_their_n_and_other_items_by_their_place():
    assert _median.leaves([{"n": 2500, "ms": 1.5}, {"n": 25000, "ms": 1.25}, [7]]) == {
        ("n=2,500", "n"): 2500,
        ("n=2,500", "ms"): 1.5,
        ("n=25,000", "n"): 25000,
        ("n=25,000", "ms"): 1.25,
        ("2", "0"): 7,
    }


def test_each_figure_gets_the_median_of_the_runs_with_the_lowest_and_highest():
    runs = [_run(12.0, 6.0, 31.0), _run(10.0, 4.0, 90.0), _run(11.0, 5.0, 30.0)]
    by_name = {m.name: m for m in _median.medians(runs)}
    assert by_name["seconds"] == _median.Median("seconds", 11.0, 10.0, 12.0)
    assert by_name["raw_seconds"] == _median.Median("raw_seconds", 5.0, 4.0, 6.0)
    # The median of the ratios, not the ratio of the medians (2.0, 2.5, 2.2).
    assert by_name["ratio"] == _median.Median("ratio", 2.2, 2.0, 2.5)
    assert by_name["pages / coach: student list / p95_ms"] == _median.Median(
        "pages / coach: student list / p95_ms", 31.0, 30.0, 90.0
    )
    assert by_name["n"] == _median.Median("n", 1000, 1000, 1000)


def test_a_figure_missing_from_a_run_has_no_median():
    runs = [{"a": 1, "b": 2}, {"a": 3}]
    assert [m.name for m in _median.medians(runs)] == ["a"]
    assert _median.medians([]) == []


def test_the_command_runs_a_benchmark_k_times_and_prints_the_medians(capsys):
    assert main(["--only", "records_depth", "-n", "3", "--runs", "3"]) == 0
    out = capsys.readouterr().out
    assert out.count("records file of 3 students") == 3
    assert "[records_depth] done in" in out and "(run 3 of 3)" in out
    assert "[records_depth] the median of 3 runs (lowest-highest)" in out
    assert "  depth " in out and "  load_seconds " in out


def test_the_command_refuses_fewer_than_one_run(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--only", "records_depth", "--runs", "0"])
    assert exit_.value.code == 2
    assert "--runs must be 1 or more" in capsys.readouterr().err
