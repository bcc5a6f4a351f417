"""CPU time per series of the embedded engine's HOLT_WINTERS fit.

    python benchmarks/holt_winters.py [--trials 3] [--series 1,20,100]

Fits series of a few dozen windows (a noisy sine, as a day of hourly means
would look) with and without a season, as one query of N series (N from
``--series``) would, and prints the median CPU time per series next to the
engine's first port (``_holt_winters_original.py``: the server's Go code
step by step, one series at a time). Every answer is checked against that
port's, value for value. The fit is the server's: 16 Nelder-Mead runs from
the corners of its starting grid, each up to 1,000 iterations of the
Holt-Winters error over every window; the engine keeps its floating-point
order, so the forecasts match the server's bits (tests/conformance/
test_holt_winters.py, test_technical.py and test_quirks.py compare them
with influxd).

How the engine gets there (``backends/duckdb/functions/``):

- without a season, the 8 runs that differ only in gamma are made once
  (the fit never reads gamma, so they take the same path);
- one series alone (or too few to gain) runs the scalar port
  (``holt_winters.py``): the damped-trend sums from Go's ``math.Pow``
  products a list per power of two (repeated squaring while the powers
  stay normal floats), the error summed in the forecast loop (a zero to
  divide by or a NaN forecast goes to the careful loop), the vertices a
  run with a season comes back to (a third of its passes) answered from
  those it has evaluated, and the centroid added column by column. Each
  pass is still ~15 dependent float operations per window in the
  interpreter, one run's passes after another: about 17,000 passes of 36
  windows for a series with a season of 4, so a single series stays far
  from the batched figures;
- where numba is installed (``pip install 'influxpy-orm[numba]'``), each
  series is fitted by the same operations compiled to machine code
  (``holt_winters_compiled.py``, the same bits); the two ways below are
  the engine's without numba, and the benchmark times both;
- the series of one query go to DuckDB's Arrow function together, and
  their runs step in lockstep in numpy, one array operation per arithmetic
  operation of the server's (``holt_winters_batch.py``). The arithmetic in
  a run stays scalar in order (each step of a pass needs the one before,
  each pass the one before), so the width is the number of runs: numpy
  pays off from two series with a season and six without.

For two series or more it also times one engine query over the same
windows (``GROUP BY host``), answers checked too. The engine gathers every
series of the query into one call (``influxpy_holt_winters_all``), so its
batches are the query's whatever thread DuckDB reads each series on.

CPU time (``time.process_time``) is less disturbed than wall time by other
work on a busy machine, but not immune to it; compare figures of one run.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from _holt_winters_original import holt_winters as original

import influxpy
from influxpy import fields, models
from influxpy.backends.duckdb.functions import holt_winters_compiled
from influxpy.backends.duckdb.functions.holt_winters import holt_winters
from influxpy.backends.duckdb.functions.holt_winters_batch import holt_winters_many
from influxpy.durations import Second
from influxpy.functions import HoltWintersWithFit, Mean

CASES = [(36, 0), (36, 4), (24, 12)]
H = 5
S = 1_000_000_000


def series(windows: int, seed: int) -> tuple[list[int], list[float]]:
    """Window start times (10 s apart) and their noisy sine means."""
    rng = random.Random(seed)
    values = [10 + 3 * math.sin(k / 2 + seed) + rng.random() for k in range(windows)]
    return [10 * k for k in range(windows)], values


class Point(models.InfluxMeasurement):
    """The engine's copy of the windows: one point per window and host."""

    class Meta:
        measurement = "hw"

    v = fields.FloatField()
    host = fields.InfluxTag()


def through_engine(
    data: list[tuple[list[int], list[float]]], season: int, trials: int
) -> tuple[float, list[list[dict[str, Any]]]]:
    """CPU time of one engine query of HoltWintersWithFit over every series
    (GROUP BY host, 10 s windows), and its points per host."""
    alias = f"hw-{len(data)}-{season}"
    influxpy.connect("duckdb://:memory:", alias=alias)
    Point.series.using(alias).bulk_create(
        Point(time=second * S, v=value, host=f"h{k:03d}")
        for k, (times, values) in enumerate(data)
        for second, value in zip(times, values, strict=True)
    )

    def query() -> list[Any]:
        # A new QuerySet each time: a QuerySet keeps the rows it has read.
        qs = (
            Point.series.using(alias)
            .filter(time__gte=0, time__lt=10 * len(data[0][0]) * S)
            .annotate(HoltWintersWithFit(Mean("v"), H, season))
            .resolution(Second(10))
            .group_by("host")
            .epoch()
        )
        return list(qs)

    took, result = cpu_median(trials, query)
    return took, [
        [{"t": p["time"] // S, "v": p["holt_winters_with_fit"]} for p in r.points]
        for r in result
    ]


def cpu_median(trials: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """The median CPU time of *trials* runs, and the last answer."""
    figures = []
    answer = None
    for _ in range(trials):
        start = time.process_time()
        answer = run()
        figures.append(time.process_time() - start)
    return statistics.median(figures), answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--series", default="1,20,100")
    args = parser.parse_args()
    counts = [int(count) for count in args.series.split(",")]
    start = time.process_time()
    compiled = holt_winters_compiled.compiled_fit()
    if compiled is None:
        print("numba is not installed: the compiled fit is left out")
        paths = ["interpreted"]
    else:
        compiled([1.0, 2.0, 3.0, 2.0], 2, [0.0, 0.0, 0.0, 0.0, 2.0, 0.5, 0.5, 1.0])
        took = time.process_time() - start
        print(f"numba: importing it and compiling (or loading) the fit: {took:.2f} s")
        paths = ["compiled", "interpreted"]
    for windows, season in CASES:
        data = [series(windows, seed=windows + season + k) for k in range(max(counts))]
        base, expected = cpu_median(
            args.trials, partial(original, *data[0], H, season, True, 10)
        )
        print(f"{windows} windows, season {season}: first port {base:.3f} s per series")
        alone, answer = cpu_median(
            args.trials, partial(holt_winters, *data[0], H, season, True, 10)
        )
        assert answer == expected, "the scalar fit answers differently"
        print(f"  one series, scalar fit: {alone:.4f} s ({base / alone:.1f}x faster)")
        for path, count in ((path, count) for path in paths for count in counts):
            holt_winters_compiled.ENABLED = path == "compiled"
            batch = data[:count]
            trials = max(1, args.trials if count < 50 or path == "compiled" else 1)
            took, answers = cpu_median(
                trials,
                partial(holt_winters_many, batch, H, season, True, 10),
            )
            assert answers[0] == expected, f"the {path} fit answers differently"
            per = took / count
            print(
                f"  {path}, a query of {count} series: {per:.4f} s per series "
                f"({base / per:.1f}x faster)",
                flush=True,
            )
            if count < 2:
                continue
            took, answers = through_engine(batch, season, trials)
            assert answers[0] == expected, "the engine answers differently"
            per = took / count
            print(
                f"  {path}, the same through an engine query: {per:.4f} s per "
                f"series ({base / per:.1f}x faster)",
                flush=True,
            )
        holt_winters_compiled.ENABLED = True
        checks = [original(*points, H, season, True, 10) for points in data[1:3]]
        assert holt_winters_many(data[1:3], H, season, True, 10) == checks


if __name__ == "__main__":
    main()
