"""Arrow and polars out, and in through ``write_dataframe()``.

``to_arrow()`` builds its table from the streamed series pieces; these tests
hold its types and values to the points the same query gives, on the real
InfluxDB and on the engine (the ``conn`` fixture), and check that pieces cut
anywhere give the same table.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conformance._common import Reading, at
from influxpy._arrow import series_to_arrow
from influxpy.aggregates import Count, Mean
from influxpy.durations import Minute
from influxpy.results import Series

UTC_NS = pa.timestamp("ns", tz="UTC")


def seed(conn: str) -> Any:
    qs = Reading.series.using(conn)
    qs.bulk_create(
        [
            Reading(time=at(0), v=1.5, n=2, s="x", ok=True, host="a", dc="east"),
            Reading(time=at(30), v=2.5, n=3, s="y", ok=False, host="b", dc="east"),
            Reading(time=at(70), v=4.0, n=5, s="z", ok=True, host="a", dc="west"),
            Reading(time=at(90), v=8.0, host="b"),
        ]
    )
    return qs


def test_schema_and_values_follow_the_points(conn: str) -> None:
    qs = seed(conn)
    table = qs.to_arrow()
    assert isinstance(table, pa.Table)
    schema = dict(zip(table.schema.names, table.schema.types, strict=True))
    assert schema == {
        "time": UTC_NS,
        "dc": pa.string(),
        "host": pa.string(),
        "n": pa.int64(),
        "ok": pa.bool_(),
        "s": pa.string(),
        "v": pa.float64(),
    }
    points = list(qs.points())
    got = table.to_pylist()
    assert len(got) == len(points) == 4
    for row, point in zip(got, points, strict=True):
        for name, value in row.items():
            assert value == point.get(name), name
    assert got[3]["n"] is None
    assert got[3]["dc"] is None


def test_grouped_series_are_stacked_with_their_tags(conn: str) -> None:
    qs = seed(conn)
    grouped = (
        qs.annotate(Mean("v"), c=Count("n"))
        .filter(time__gte=at(0), time__lt=at(120))
        .resolution(Minute(1))
        .group_by("host")
    )
    table = grouped.to_arrow()
    assert table.schema.names == ["time", "mean", "c", "host"]
    assert table.schema.field("mean").type == pa.float64()
    assert table.schema.field("c").type == pa.int64()
    assert table.schema.field("host").type == pa.string()
    rows = [(r["time"], r["host"], r["mean"], r["c"]) for r in table.to_pylist()]
    t0 = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    minute = dt.timedelta(minutes=1)
    assert rows == [
        (t0, "a", 1.5, 1),
        (t0 + minute, "a", 4.0, 1),
        (t0, "b", 2.5, 1),
        (t0 + minute, "b", 8.0, 0),
    ]


def test_time_zone_and_epoch(conn: str) -> None:
    qs = seed(conn)
    local = qs.tz("Europe/Paris").to_arrow()
    assert local.schema.field("time").type == pa.timestamp("ns", tz="Europe/Paris")
    assert local["time"].cast(pa.int64()).to_pylist()[0] == at(0)
    raw = qs.epoch().to_arrow()
    assert raw.schema.field("time").type == pa.int64()
    assert raw["time"].to_pylist() == [at(0), at(30), at(70), at(90)]


def test_polars_frame(conn: str) -> None:
    qs = seed(conn)
    frame = qs.to_polars()
    assert isinstance(frame, pl.DataFrame)
    assert frame.schema["time"] == pl.Datetime("ns", "UTC")
    assert frame.schema["n"] == pl.Int64
    assert frame.schema["v"] == pl.Float64
    assert frame.schema["ok"] == pl.Boolean
    assert frame.schema["host"] == pl.String
    assert frame["v"].to_list() == [1.5, 2.5, 4.0, 8.0]
    assert frame.filter(pl.col("host") == "a")["n"].to_list() == [2, 5]


def test_async_forms(conn: str) -> None:
    qs = seed(conn)

    async def both() -> tuple[Any, Any]:
        return await qs.ato_arrow(), await qs.ato_polars()

    table, frame = asyncio.run(both())
    assert table.equals(qs.to_arrow())
    assert frame.equals(qs.to_polars())


def test_a_long_series_streamed_in_chunks(conn: str) -> None:
    qs = Reading.series.using(conn)
    count = 25_000  # more than two chunks of 10,000 rows
    qs.bulk_create(Reading(time=at(k), v=float(k), n=k, host="a") for k in range(count))
    table = qs.to_arrow()
    assert table.num_rows == count
    assert table["n"].to_pylist() == list(range(count))
    assert table.schema.field("v").type == pa.float64()


@pytest.mark.parametrize("kind", ["arrow", "polars"])
def test_write_dataframe_takes_arrow_and_polars(conn: str, kind: str) -> None:
    times = pd.to_datetime([at(0), at(10)], unit="ns", utc=True)
    source = pa.table(
        {
            "time": pa.array(times, type=UTC_NS),
            "v": [1.25, None],
            "n": pa.array([7, 8], type=pa.int64()),
            "host": ["a", "b"],
        }
    )
    frame = source if kind == "arrow" else pl.from_arrow(source)
    qs = Reading.series.using(conn)
    assert qs.write_dataframe(frame) == 2
    table = qs.to_arrow()
    assert table.select(["time", "host", "n", "v"]).to_pylist() == [
        {"time": times[0], "host": "a", "n": 7, "v": 1.25},
        {"time": times[1], "host": "b", "n": 8, "v": None},
    ]


def test_write_dataframe_refuses_other_objects(conn: str) -> None:
    with pytest.raises(TypeError, match=r"pyarrow\.Table or a polars\.DataFrame"):
        Reading.series.using(conn).write_dataframe([{"v": 1.0}])


# -- the builder alone, on pieces cut anywhere ----------------------------------


def test_columns_of_nulls_take_their_field_type() -> None:
    pieces = [Series("m", {}, ["time", "v", "n"], [[1, None, None], [2, None, 3]])]
    table = series_to_arrow(pieces, expected=[("v", "float"), ("n", "integer")])
    assert table.schema.field("v").type == pa.float64()
    assert table.schema.field("n").type == pa.int64()


def test_mixed_kinds() -> None:
    # A field written as an integer in one shard and a float in another.
    mixed = [
        Series("m", {}, ["time", "x"], [[1, 1]], partial=True),
        Series("m", {}, ["time", "x"], [[2, 2.5]]),
    ]
    assert series_to_arrow(mixed)["x"].to_pylist() == [1.0, 2.5]
    # A string and a number in one column: both kept, as text.
    text = [Series("m", {}, ["time", "x"], [[1, "a"], [2, 3]])]
    assert series_to_arrow(text)["x"].to_pylist() == ["a", "3"]


rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["a", "b"]),
        st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
        st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1)),
        st.one_of(
            st.none(),
            st.text(st.characters(codec="utf-8"), max_size=3),
        ),
    ),
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(rows=rows_strategy, cuts=st.lists(st.integers(0, 20), max_size=4))
def test_pieces_cut_anywhere_give_the_same_table(
    rows: list[tuple[str, Any, Any, Any]], cuts: list[int]
) -> None:
    values = [[k, *row[1:]] for k, row in enumerate(rows)]
    columns = ["time", "v", "n", "s"]
    whole = series_to_arrow([Series("m", {}, columns, values)])
    bounds = sorted({0, len(values), *(c for c in cuts if c <= len(values))})
    pieces = [
        Series("m", {}, columns, values[a:b], partial=b < len(values))
        for a, b in itertools.pairwise(bounds)
    ]
    assert series_to_arrow(pieces).equals(whole)
    if values:
        assert whole["n"].to_pylist() == [row[2] for row in values]
