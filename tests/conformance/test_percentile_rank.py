"""PERCENTILE picks the point at the nearest rank on both backends.

The engine finds that point without sorting every value
(compilers/duckdb/percentile.py); these small sets are the edge cases of
its rank arithmetic: one, two and three points at p = 0, 50, 99 and 100
and ranks that round up or down.
"""

from __future__ import annotations

import math

import pytest

from conformance._common import Reading, at, pairs, write
from influxpy.expressions import F
from influxpy.functions import Func

# Values written out of time order, so that rank and time differ.
SETS = {1: [7.0], 2: [9.0, 3.0], 3: [5.0, 1.0, 8.0]}
PERCENTS = [0, 1, 25, 33.3, 49, 50, 51, 66.7, 75, 99, 100]


def nearest_rank(values: list[float], p: float) -> list[tuple[int, float]]:
    """The server's answer (reference §6.5) for points one second apart."""
    ranked = sorted((v, at(k)) for k, v in enumerate(values))
    k = math.floor(len(values) * p / 100 + 0.5)
    if not 1 <= k <= len(values):
        return []
    value, time = ranked[k - 1]
    return [(time, value)]


@pytest.mark.parametrize("size", sorted(SETS))
def test_percentile_of_one_two_and_three_points(conn: str, size: int) -> None:
    values = SETS[size]
    write(conn, *(Reading(time=at(k), v=v) for k, v in enumerate(values)))
    qs = Reading.series.using(conn)
    for p in PERCENTS:
        # Func: Percentile() refuses P = 0, which the server answers.
        got = pairs(qs.annotate(Func("percentile", F("v"), p)), "percentile")
        assert got == nearest_rank(values, p), (size, p)
