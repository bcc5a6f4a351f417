"""The QuerySet methods that run queries, on both backends.

Each test runs once on the server and once on the engine (the ``conn``
fixture); see ``tests/conformance/__init__.py``.
"""

from __future__ import annotations

import pytest

import influxpy
from conformance._common import Reading, at
from influxpy.functions import Count, Max, Mean, Sum


def test_count_exists_first_last_get_aggregate(hosts: str) -> None:
    qs = Reading.series.using(hosts)
    assert qs.count() == 6
    assert qs.filter(host="a").count() == 3
    assert qs.exists()
    assert not qs.filter(host="zz").exists()
    first = qs.filter(host="a").first()
    assert (first.time_ns, first.v, first.host) == (at(0), 1.0, "a")
    last = qs.filter(host="a").last()
    assert (last.time_ns, last.v, last.dc) == (at(40), 5.0, "x")
    assert qs.filter(host="zz").first() is None
    got = qs.get(host="b")
    assert (got.time_ns, got.v) == (at(30), 4.0)
    with pytest.raises(Reading.DoesNotExist):
        qs.get(host="zz")
    with pytest.raises(Reading.MultipleObjectsReturned):
        qs.get(host="a")
    assert qs.aggregate(Mean("v"), top=Max("v"), n=Count("v")) == {
        "mean": 3.5,
        "top": 6.0,
        "n": 6,
    }


def test_iterator_streams_in_chunks(hosts: str) -> None:
    qs = Reading.series.using(hosts).only("v").epoch()
    pieces = list(qs.iterator(chunk_size=2))
    assert all(len(piece.points) <= 2 for piece in pieces)
    assert [p["v"] for piece in pieces for p in piece.points] == [
        1.0, 2.0, 3.0, 4.0, 5.0, 6.0
    ]  # fmt: skip
    grouped = list(qs.group_by("host").iterator(chunk_size=2))
    assert [
        (piece.tags["host"], [p["v"] for p in piece.points]) for piece in grouped
    ] == [
        ("", [6.0]),
        ("a", [1.0, 3.0]),
        ("a", [5.0]),
        ("b", [4.0]),
        ("c", [2.0]),
    ]


def test_to_dataframe_is_the_same_on_both_backends(
    influx_url: str,
) -> None:
    import pandas as pd

    points = [
        Reading(time=at(0), v=1.5, n=1, s="a", ok=True, host="a"),
        Reading(time=at(10), v=2.5, host="b", dc="x"),
        Reading(time=at(20), n=3, s="c", host="a"),
    ]
    frames = []
    for alias, url in (("df-influxdb", influx_url), ("df-duckdb", "duckdb://:memory:")):
        backend = influxpy.connect(url, alias=alias)
        try:
            qs = Reading.series.using(alias)
            qs.bulk_create(points)
            more = pd.DataFrame(
                {"v": [7.5, None], "n": [None, 9], "host": ["c", None]},
                index=pd.DatetimeIndex(["2020-01-01T00:01", "2020-01-01T00:02"]),
            )
            assert qs.write_dataframe(more) == 2
            frames.append(
                (
                    qs.to_dataframe(),
                    qs.group_by("host").annotate(Count("v"), Sum("n")).to_dataframe(),
                )
            )
        finally:
            backend.close()
    (raw_a, agg_a), (raw_b, agg_b) = frames
    pd.testing.assert_frame_equal(raw_a, raw_b)
    pd.testing.assert_frame_equal(agg_a, agg_b)
    assert list(raw_a.columns) == ["dc", "host", "n", "ok", "s", "v"]
    assert raw_a.index[0] == pd.Timestamp("2020-01-01", tz="UTC")
    assert len(raw_a) == 5
    # The untagged series has no v at all: COUNT has no row there, so the
    # cell is null (SUM's row carries it).
    assert agg_a["count"].isna().tolist() == [True, False, False, False]
    assert agg_a["sum"].fillna(-1).tolist() == [9, 4, -1, -1]
    assert list(agg_a["host"]) == ["", "a", "b", "c"]
