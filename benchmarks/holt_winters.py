"""Time per series of the embedded engine's HOLT_WINTERS fit.

    python benchmarks/holt_winters.py [--trials 3]

Fits one series of a few dozen windows (a noisy sine, as a day of hourly
means would look) with and without a season, and prints the median time
per series. The fit is the server's: 16 Nelder-Mead runs from the corners
of its starting grid, each up to 1,000 iterations of the Holt-Winters
error over every window; the engine keeps its floating-point order, so the
forecasts match the server's bits (tests/conformance/test_technical.py and
test_quirks.py compare them with influxd).

Before the optimiser's inner loops were rewritten (the damped-trend sums
``phiH`` built from a table of Go's ``math.Pow`` products instead of one
call per step and kept for vertices evaluated again, the error summed in
the forecast loop, no per-step function calls), measured in one run beside
the new code on a loaded 2-core machine (figures vary by 2x from run to
run there):

    36 windows, season 0: 0.34-1.9 s per series (now 3.3-7.8x faster)
    36 windows, season 4: 2.2-8.1 s per series (now 2.5-3.2x faster)

The per-step arithmetic is the server's and must stay scalar to keep its
rounding; numpy across the 16 runs does not pay at this width (a ufunc on
16 floats costs as much as 16 Python float operations).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time

from influxpy.backends.duckdb.functions.holt_winters import holt_winters

CASES = [(36, 0), (36, 4), (24, 12)]


def series(windows: int, seed: int) -> tuple[list[int], list[float]]:
    """Window start times (10 s apart) and their noisy sine means."""
    rng = random.Random(seed)
    values = [10 + 3 * math.sin(k / 2) + rng.random() for k in range(windows)]
    return [10 * k for k in range(windows)], values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    for windows, season in CASES:
        times, values = series(windows, seed=windows + season)
        figures = []
        for _ in range(args.trials):
            start = time.perf_counter()
            holt_winters(times, values, 5, season, False, 10)
            figures.append(time.perf_counter() - start)
        print(
            f"{windows} windows, season {season}: "
            f"{statistics.median(figures):.3f} s per series "
            f"(median of {args.trials})"
        )


if __name__ == "__main__":
    main()
