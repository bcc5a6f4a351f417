"""The engine's PERCENTILE over all rows equals a full sort by (value, time).

compilers/duckdb/percentile.py brackets the nearest-rank point with a
sample, or selects it with ``quantile_disc`` and a correction when the
bracket misses, instead of ranking every row; here its answers are compared
with sorting in Python on every tie pattern of up to four points over three
values, and on random sets with many ties, at percentiles whose ranks round
up, round down or land exactly. The sample is made to take every row (the
bracket holds, or with no width holds only sometimes) or none (it always
misses), so that each way is checked on every case.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator

import pytest

import influxpy
from influxpy import F, fields, models
from influxpy.compilers.duckdb import percentile
from influxpy.functions import Func

S = 1_000_000_000
T0 = 1_577_836_800 * S
PERCENTS = [0, 1, 25, 33.3, 49.9, 50, 50.1, 66.7, 99, 99.9, 100]


class Sample(models.InfluxMeasurement):
    """One data set per ``case`` tag."""

    class Meta:
        measurement = "percentile_rank"

    v = fields.FloatField()
    case = fields.InfluxTag()


def data_sets() -> list[list[tuple[int, float]]]:
    """(time, value) sets: small exhaustive patterns, then random ones."""
    rng = random.Random(7)
    sets = []
    for size in range(1, 5):
        for values in itertools.product([0.0, 1.0, 2.0], repeat=size):
            times = rng.sample(range(100), size)
            sets.append(list(zip(times, values, strict=True)))
    for size in [5, 10, 19, 101]:
        for spread in (2, 5, 1000):
            times = rng.sample(range(10_000), size)
            drawn = [float(rng.randrange(spread)) for _ in range(size)]
            sets.append(list(zip(times, drawn, strict=True)))
    return sets


def by_sort(points: list[tuple[int, float]], p: float) -> list[tuple[int, float]]:
    ranked = sorted(points, key=lambda tv: (tv[1], tv[0]))
    k = math.floor(len(points) * p / 100 + 0.5)
    return [ranked[k - 1]] if 1 <= k <= len(points) else []


@pytest.fixture
def engine() -> Iterator[str]:
    backend = influxpy.connect("duckdb://:memory:", alias="percentile-rank")
    try:
        yield "percentile-rank"
    finally:
        backend.close()


#: (sample, bracket half-widths) of compilers/duckdb/percentile.py.
WAYS = {
    "bracket": ("100% (system)", percentile.BRACKET_WIDTHS),
    "bracket without width": ("100% (system)", (0.0,)),
    "exact": ("0% (system)", percentile.BRACKET_WIDTHS),
}


@pytest.mark.parametrize("way", list(WAYS))
def test_percentile_equals_the_point_at_the_rank_of_a_full_sort(
    engine: str, way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample, widths = WAYS[way]
    monkeypatch.setattr(percentile, "SAMPLE", sample)
    monkeypatch.setattr(percentile, "BRACKET_WIDTHS", widths)
    sets = data_sets()
    Sample.series.using(engine).bulk_create(
        Sample(time=T0 + t * S, v=v, case=str(i))
        for i, points in enumerate(sets)
        for t, v in points
    )
    for i, points in enumerate(sets):
        qs = Sample.series.using(engine).filter(case=str(i))
        for p in PERCENTS:
            got = [
                ((row["time"] - T0) // S, row["percentile"])
                for row in qs.annotate(Func("percentile", F("v"), p)).epoch().points()
            ]
            assert got == by_sort(points, p), (points, p)


@pytest.mark.parametrize("sample", ["1% (system)", "50% (system)", "100% (system)"])
def test_percentile_over_several_vectors_of_trending_values(
    engine: str, sample: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Values that rise with time, in vectors of 2,048 rows: the sampled
    # vectors differ, so the bracket widens (or misses) and stays exact.
    monkeypatch.setattr(percentile, "SAMPLE", sample)
    rng = random.Random(3)
    points = [(t, float(t // 7 + rng.randrange(3))) for t in range(9_000)]
    Sample.series.using(engine).bulk_create(
        Sample(time=T0 + t * S, v=v, case="trend") for t, v in points
    )
    qs = Sample.series.using(engine).filter(case="trend")
    for p in PERCENTS:
        got = [
            ((row["time"] - T0) // S, row["percentile"])
            for row in qs.annotate(Func("percentile", F("v"), p)).epoch().points()
        ]
        assert got == by_sort(points, p), p
