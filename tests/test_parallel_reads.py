"""Time-sliced reads (``parallel=N``) give one query's answer, rows and order.

Every test runs on the real InfluxDB and on the embedded engine (which reads
the slices in turn) and compares the sliced read with the single query.
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Generator
from typing import Any, cast

import pandas as pd
import pytest

from influxpy import fields, models
from influxpy.aggregates import Count, Max, Mean
from influxpy.durations import Minute, Second
from influxpy.functions import Derivative
from influxpy.queryset import QuerySet

S = 1_000_000_000
T0 = 1_577_923_200 * S
N = 600
END = T0 + N * 7 * S


class Sliced(models.InfluxMeasurement):
    """Points every 7 s on four hosts, and a second host at the same times."""

    host = fields.InfluxTag()
    v = fields.InfluxField()
    i = fields.IntegerField()

    class Meta:
        measurement = "sliced"


@pytest.fixture
def qs(conn: str) -> QuerySet[Sliced]:
    """The stored points, bounded by both ends of the range."""
    points = [
        Sliced(time=T0 + n * 7 * S, host=f"h{n % 4}", v=n / 4, i=n) for n in range(N)
    ]
    points += [
        Sliced(time=T0 + n * 7 * S, host="x", v=-n / 2, i=-n) for n in range(0, N, 3)
    ]
    Sliced.series.using(conn).bulk_create(points)
    return Sliced.series.using(conn).filter(time__gte=T0, time__lt=END)


@pytest.mark.parametrize("parallel", [1, 3, 7])
def test_raw_points_same_rows_same_order(qs: QuerySet[Sliced], parallel: int) -> None:
    """Rows at one timestamp on several series stay in the server's order."""
    expected = list(qs.points())
    got = list(qs.points().iterator(chunk_size=50, parallel=parallel))
    assert len(expected) == N + N // 3
    assert got == expected


def test_raw_frames(qs: QuerySet[Sliced]) -> None:
    pd.testing.assert_frame_equal(qs.to_dataframe(parallel=4), qs.to_dataframe())
    assert qs.to_arrow(parallel=4).equals(qs.to_arrow())


def test_descending_and_narrower_filters(qs: QuerySet[Sliced]) -> None:
    narrowed = qs.filter(host__in=["h1", "x"], time__lte=T0 + 3000 * S)
    early = qs.filter(i__lt=50)  # rows in the first slice only
    queries = [qs.order_by("-time"), narrowed, narrowed.order_by("-time"), early]
    for query in (*queries, early.order_by("-time")):
        expected = list(query.points())
        assert list(query.points().iterator(parallel=5)) == expected
        frame = query.to_dataframe(parallel=5)
        pd.testing.assert_frame_equal(frame, query.to_dataframe())
        assert query.to_arrow(parallel=5).equals(query.to_arrow())


def test_between_bounds(qs: QuerySet[Sliced]) -> None:
    query = Sliced.series.using(qs._alias()).filter(
        time__between=(T0 + 7 * S, T0 + 700 * S)
    )
    expected = list(query.points())
    assert expected[0]["time"].timestamp() * S == T0 + 7 * S
    assert expected[-1]["time"].timestamp() * S == T0 + 700 * S
    assert list(query.points().iterator(parallel=3)) == expected


def test_grouped_by_tag(qs: QuerySet[Sliced]) -> None:
    """Each series' pieces from every slice, series in the server's order."""
    grouped = qs.group_by("host")
    expected = list(grouped.points())
    assert list(grouped.points().iterator(chunk_size=40, parallel=4)) == expected
    series = list(grouped.iterator(chunk_size=40, parallel=4))
    assert [s.tags for s in series] == sorted(
        (s.tags for s in series), key=lambda t: t["host"]
    )
    pd.testing.assert_frame_equal(
        grouped.to_dataframe(parallel=4), grouped.to_dataframe()
    )


@pytest.mark.parametrize("fill", [None, "none", 0])
def test_aggregate_windows_aligned(qs: QuerySet[Sliced], fill: Any) -> None:
    """Slice edges fall on window edges, so no window is split."""
    agg = (
        qs.filter(time__gte=T0 + 100 * S)
        .annotate(Mean("v"), Count("i"), Max("i"))
        .resolution(Minute(7))
        .group_by("host")
    )
    if fill is not None:
        agg = agg.fill(fill)
    pd.testing.assert_frame_equal(agg.to_dataframe(parallel=5), agg.to_dataframe())
    assert list(agg.points().iterator(parallel=5)) == list(agg.points())
    ungrouped = qs.annotate(Mean("v")).resolution(Second(90))
    assert list(ungrouped.points().iterator(parallel=6)) == list(ungrouped.points())


def test_async_forms(qs: QuerySet[Sliced]) -> None:
    async def read() -> tuple[Any, Any]:
        return await qs.ato_dataframe(parallel=3), await qs.ato_arrow(parallel=3)

    frame, table = asyncio.run(read())
    pd.testing.assert_frame_equal(frame, qs.to_dataframe())
    assert table.equals(qs.to_arrow())


def test_refused_queries(conn: str) -> None:
    unbounded = Sliced.series.using(conn).all()
    bounded = unbounded.filter(time__gte=T0, time__lt=END)
    cases: list[tuple[QuerySet[Sliced, Any, Any], str]] = [
        (unbounded, "needs both time bounds"),
        (unbounded.filter(time__gte=T0), "needs both time bounds"),
        (unbounded.filter(time__gte=Minute(5), time__lt=END), "absolute times"),
        (bounded[:10], "LIMIT and OFFSET"),
        (bounded.annotate(Mean("v")), "without GROUP BY time()"),
        (
            bounded.annotate(Derivative(Mean("v"))).resolution(Minute(1)),
            "derivative() reads across",
        ),
        (
            bounded.annotate(Mean("v")).resolution(Minute(1)).fill("previous"),
            "fill(previous)",
        ),
        (
            bounded.annotate(Mean("v")).resolution(Minute(1)).tz("Europe/Paris"),
            "tz()",
        ),
    ]
    for query, words in cases:
        with pytest.raises(ValueError, match=re.escape(words)):
            query.to_dataframe(parallel=2)
    bad: Any
    for bad in (0, -1, True, 1.5):
        with pytest.raises(ValueError, match="parallel takes a whole number"):
            bounded.to_dataframe(parallel=bad)


@pytest.mark.parametrize("fill", [None, 0, "none"])
def test_filled_aggregate_with_a_series_missing_from_slices(
    qs: QuerySet[Sliced], fill: Any
) -> None:
    """One query fills every window of a series seen anywhere in the range; a
    slice without the series cannot, so such a read is made whole instead."""
    alias = qs._alias()
    Sliced.series.using(alias).bulk_create(
        [Sliced(time=T0 + k * S, host="early", v=1.0, i=k) for k in range(0, 300, 10)]
    )
    grouped = qs.annotate(Mean("v"), Count("i")).resolution(Minute(5)).group_by("host")
    alone = qs.filter(host="early").annotate(Mean("v")).resolution(Minute(5))
    for agg in (grouped, alone):
        query = agg if fill is None else agg.fill(fill)
        expected = list(query.points())
        assert list(query.points().iterator(parallel=5)) == expected
        pd.testing.assert_frame_equal(
            query.to_dataframe(parallel=5), query.to_dataframe()
        )


class SlicedLater(models.InfluxMeasurement):
    """The same measurement with a field first written weeks later."""

    host = fields.InfluxTag()
    w = fields.InfluxField()

    class Meta:
        measurement = "sliced"


def test_select_star_over_shards_with_other_fields(qs: QuerySet[Sliced]) -> None:
    """``SELECT *`` gives the fields of every shard the range reaches, a slice
    only those of its own shards: the read is made whole then."""
    alias = qs._alias()
    later = T0 + 21 * 86_400 * S
    SlicedLater.series.using(alias).bulk_create(
        [SlicedLater(time=later + k * S, host="h0", w=float(k)) for k in range(5)]
    )
    wide = Sliced.series.using(alias).filter(time__gte=T0, time__lt=later + 10 * S)
    expected = list(wide.points())
    assert "w" in expected[0]
    assert list(wide.points().iterator(parallel=4)) == expected
    pd.testing.assert_frame_equal(wide.to_dataframe(parallel=4), wide.to_dataframe())


def test_a_field_missing_from_a_whole_slice(conn: str) -> None:
    """A slice where an integer field has no value at all gives the column the
    single query gives (floats with NaN), not the values stacked as objects."""
    points = [
        Sliced(time=T0 + n * 7 * S, host="h0", v=n / 4, i=n if n < N // 2 else None)
        for n in range(N)
    ]
    Sliced.series.using(conn).bulk_create(points)
    qs = Sliced.series.using(conn).filter(time__gte=T0, time__lt=END)
    frame = qs.to_dataframe()
    assert frame["i"].dtype == "float64"
    pd.testing.assert_frame_equal(qs.to_dataframe(parallel=2), frame)
    pd.testing.assert_frame_equal(qs.to_dataframe(parallel=5), frame)
    assert qs.to_arrow(parallel=2).equals(qs.to_arrow())


def _held_back(
    qs: QuerySet[Sliced], release: threading.Event
) -> tuple[list[str], list[str]]:
    """Make every slice of *qs* but the one starting at ``T0`` wait for
    *release* (at most 20 s) after its first piece; return the texts of the
    statements sent, and of those that waited in vain."""
    backend = qs._backend()
    execute = backend.execute
    sent: list[str] = []
    stuck: list[str] = []

    def held(compiled: Any, **options: Any) -> Any:
        sent.append(compiled.text)
        pieces = execute(compiled, **options)
        if f">= {T0}" in compiled.text or "time >=" not in compiled.text:
            return pieces

        def after_first() -> Any:
            for number, piece in enumerate(pieces):
                if number == 1 and not release.wait(20):
                    stuck.append(compiled.text)
                yield piece

        return after_first()

    backend.execute = held  # type: ignore[method-assign]
    return sent, stuck


# The embedded engine reads the slices in turn: these run on the server only.
@pytest.mark.parametrize("backend_url", ["influxdb"], indirect=True)
def test_raw_slices_stream_while_later_ones_are_read(qs: QuerySet[Sliced]) -> None:
    """An ungrouped raw read hands on the first slice's rows as they arrive:
    while the later slices are still being read, the first rows are there
    (reading every slice whole first left them waiting for the last one)."""
    expected = list(qs.points())
    release = threading.Event()
    sent, stuck = _held_back(qs, release)
    try:
        items = qs.points().iterator(chunk_size=50, parallel=3)
        first = next(items)
        release.set()
        assert [first, *items] == expected
    finally:
        release.set()
        del qs._backend().execute
    assert len(sent) == 3
    assert stuck == []


def test_raw_slices_stopped_early(qs: QuerySet[Sliced]) -> None:
    """A sliced read left after its first rows stops its readers; the
    connection answers the next query as before."""
    expected = list(qs.points())
    for _ in range(3):
        items = cast("Generator[Any, None, None]", qs.points().iterator(20, parallel=4))
        assert next(items) == expected[0]
        items.close()
    assert list(qs.points().iterator(chunk_size=20, parallel=4)) == expected


# The embedded engine reads the slices in turn: these run on the server only.
@pytest.mark.parametrize("backend_url", ["influxdb"], indirect=True)
def test_raw_slice_error_reaches_the_caller(qs: QuerySet[Sliced]) -> None:
    """A slice whose read fails raises its error where the rows are taken."""
    backend = qs._backend()
    execute = backend.execute

    def failing(compiled: Any, **options: Any) -> Any:
        if f">= {T0}" not in compiled.text and "time >=" in compiled.text:
            msg = "The slice cannot be read."
            raise RuntimeError(msg)
        return execute(compiled, **options)

    backend.execute = failing  # type: ignore[method-assign]
    try:
        with pytest.raises(RuntimeError, match="slice cannot be read"):
            list(qs.points().iterator(chunk_size=50, parallel=3))
    finally:
        del backend.execute
