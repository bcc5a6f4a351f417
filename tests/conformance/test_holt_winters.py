"""HOLT_WINTERS over many series: the engine fits the Nelder-Mead runs of
all of a query's series together (holt_winters_batch.py), and every
forecast still has the server's bits."""

from __future__ import annotations

import math
from typing import Any

import pytest

from conformance._common import Reading, at, series, write_both
from influxpy.backends.duckdb.functions import holt_winters_compiled
from influxpy.backends.duckdb.functions.holt_winters_batch import BATCH_RUNS
from influxpy.durations import Second
from influxpy.functions import (
    CumulativeSum,
    Derivative,
    Difference,
    Distinct,
    Elapsed,
    HoltWinters,
    HoltWintersWithFit,
    Max,
    Mean,
    MovingAverage,
    Sum,
    TripleExponentialMovingAverage,
)

HOSTS = "abcdefghijkl"


@pytest.fixture(params=["compiled", "interpreted"])
def fit_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The engine's fit compiled by numba (a dev dependency), or the
    interpreted one it runs without numba (batched here)."""
    if request.param == "compiled":
        assert holt_winters_compiled.compiled_fit() is not None
    else:
        monkeypatch.setattr(holt_winters_compiled, "ENABLED", False)
    return str(request.param)


@pytest.mark.parametrize(
    ("call", "fill", "runs"),
    [
        (HoltWinters(Mean("v"), 3, 0), None, 8),
        (HoltWintersWithFit(Mean("v"), 2, 1), 0, 8),
        (HoltWinters(Max("v"), 2, 3), None, 16),
        (HoltWintersWithFit(Mean("v"), 1, 4), None, 16),
    ],
)
def test_holt_winters_of_many_series_matches_the_server(
    both: tuple[str, str], call: Any, fill: int | None, runs: int, fit_path: str
) -> None:
    """Twelve series of 10 s windows: two start late or end early (series of
    different lengths are fitted apart), most miss a window, one has a zero
    (a season divides by it), one is flat; seasons of 0, 1, 3 and 4."""
    # The batched fit runs (for the series of the same length).
    assert (len(HOSTS) - 2) * runs >= BATCH_RUNS[runs == 16]
    points = []
    for j, host in enumerate(HOSTS):
        for k in range(16):
            if (
                (j == 1 and k < 2)
                or (j == 2 and k > 13)
                or (0 < k < 15 and (k + j) % 7 == 5)
            ):
                continue
            if j == 3:
                value = 5.0
            elif j == 4 and k == 4:
                value = 0.0
            else:
                value = 10 + 3 * math.sin(k / 2 + j) + (k * j) % 3
            points.append(Reading(time=at(10 * k + j), v=value, host=host))
    write_both(both, *points)
    results = []
    for alias in both:
        qs = (
            Reading.series.using(alias)
            .filter(time__gte=at(0), time__lt=at(160))
            .annotate(call)
            .resolution(Second(10))
            .group_by("host")
        )
        results.append(series(qs if fill is None else qs.fill(fill)))
    assert [tags["host"] for tags, _ in results[1]] == list(HOSTS)
    assert results[0] == results[1]


def _close(left: list[Any], right: list[Any]) -> bool:
    """The same series, times and columns, values equal to the last bits
    (a moving average sums in another order)."""
    if [(tags, [sorted(p) for p in points]) for tags, points in left] != [
        (tags, [sorted(p) for p in points]) for tags, points in right
    ]:
        return False
    return all(
        [p["time"] for p in a] == [p["time"] for p in b]
        and all(p == pytest.approx(q, rel=1e-9) for p, q in zip(a, b, strict=True))
        for (_, a), (_, b) in zip(left, right, strict=True)
    )


@pytest.mark.parametrize(
    "inner",
    [
        Derivative(Mean("v")),
        Difference(Max("v")),
        MovingAverage(Mean("v"), 2),
        CumulativeSum(Sum("n")),
        Elapsed(Max("v")),
        TripleExponentialMovingAverage(Mean("v"), 2),
        HoltWintersWithFit(Mean("v"), 3, 2),
    ],
)
def test_holt_winters_of_a_transformation(both: tuple[str, str], inner: Any) -> None:
    """HOLT_WINTERS[_WITH_FIT] of DERIVATIVE, MOVING_AVERAGE… of an
    aggregate forecasts from the transformation's rows as the server does:
    from a lower bound inside a window, by tag, filled, and in descending
    order the ascending rows latest first (the server answers nothing
    there, see ``test_quirk_holt_winters_in_descending_order``)."""
    write_both(
        both,
        *(
            Reading(
                time=at(10 * k + k % 3),
                v=float((k * 7) % 5 + k / 3),
                n=k % 3,
                host="ab"[k % 2],
            )
            for k in range(40)
            if k % 7 != 3
        ),
    )
    for call in (HoltWinters(inner, 3, 2), HoltWintersWithFit(inner, 2, 0)):
        for fill in (None, 0):
            answers = []
            for alias, descending in (
                (both[0], False),
                *((both[1], d) for d in (False, True)),
            ):
                qs = (
                    Reading.series.using(alias)
                    .filter(time__gte=at(15), time__lt=at(400))
                    .annotate(call)
                    .resolution(Second(20))
                    .group_by("host")
                )
                qs = qs if fill is None else qs.fill(fill)
                answers.append(series(qs.order_by("-time") if descending else qs))
            server, engine, latest_first = answers
            assert server, (call, fill)
            assert _close(server, engine), (call, fill)
            backwards = [(tags, points[::-1]) for tags, points in latest_first[::-1]]
            assert backwards == engine, (call, fill)


def test_holt_winters_of_distinct(both: tuple[str, str]) -> None:
    """HOLT_WINTERS of DISTINCT forecasts from each window's first distinct
    value (the server's reducer keeps the first point of one time), by tag
    and filled; in descending order the engine gives the ascending rows
    latest first."""
    write_both(
        both,
        *(
            Reading(
                time=at(10 * k + k % 4),
                v=float((k * 7) % 5 + k / 4),
                n=(k * 3) % 4,
                host="ab"[k % 2],
            )
            for k in range(-6, 40)
            if k % 5 != 2
        ),
    )
    for call in (
        HoltWinters(Distinct("v"), 3, 2),
        HoltWintersWithFit(Distinct("n"), 2, 0),
    ):
        for grouped in (False, True):
            answers = []
            for alias, descending in (
                (both[0], False),
                (both[1], False),
                (both[1], True),
            ):
                qs = (
                    Reading.series.using(alias)
                    .filter(time__gte=at(15), time__lt=at(400))
                    .annotate(call)
                    .resolution(Second(30))
                    .fill(0)
                )
                qs = qs.group_by("host") if grouped else qs
                answers.append(series(qs.order_by("-time") if descending else qs))
            server, engine, latest_first = answers
            assert server, (call, grouped)
            assert engine == server, (call, grouped)
            backwards = [(tags, points[::-1]) for tags, points in latest_first[::-1]]
            assert backwards == engine, (call, grouped)
