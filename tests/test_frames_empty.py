"""A result without rows has the columns the query would have.

Before, an empty result gave a DataFrame with no columns, so ``df['cpu']``
raised ``KeyError``. The columns (and their dtypes) come from the model's
fields and tags for ``SELECT *`` and from the select list otherwise, in
the order a result with rows has them; checked against a result with rows
on the real InfluxDB and on the engine (the ``conn`` fixture).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from conformance._common import Reading, at
from influxpy import fields, models
from influxpy.aggregates import Count, Max, Mean
from influxpy.durations import Minute


class Renamed(models.InfluxMeasurement):
    """Attribute names that differ from the stored keys."""

    class Meta:
        measurement = "renamed"

    load = fields.FloatField(db_name="cpu load")
    host = fields.InfluxTag(db_name="host name")


def seed(conn: str) -> Any:
    qs = Reading.series.using(conn)
    qs.bulk_create(
        [
            Reading(time=at(0), v=1.5, n=2, s="x", ok=True, host="a", dc="east"),
            Reading(time=at(70), v=4.0, n=5, s="z", ok=False, host="b", dc="west"),
        ]
    )
    return qs


SHAPES = {
    "select all": lambda qs: qs,
    "only": lambda qs: qs.only("v", "host"),
    "grouped": lambda qs: qs.group_by("host"),
    "grouped by every tag": lambda qs: qs.group_by("*"),
    "aggregate": lambda qs: (
        qs.filter(time__gte=at(0), time__lt=at(120))
        .annotate(Mean("v"), top=Max("n"), c=Count("n"))
        .resolution(Minute(1))
        .group_by("host")
    ),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_empty_frame_has_the_columns_of_a_full_one(conn: str, shape: str) -> None:
    qs = SHAPES[shape](seed(conn))
    full = qs.to_dataframe()
    empty = qs.filter(host="nobody").to_dataframe()
    assert len(empty) == 0
    assert list(empty.columns) == list(full.columns)
    assert isinstance(empty.index, pd.DatetimeIndex)
    assert str(empty.index.tz) == "UTC"
    assert empty.index.name == "time"


def test_empty_frame_dtypes(conn: str) -> None:
    empty = seed(conn).filter(host="nobody").to_dataframe()
    assert empty["v"].dtype == "float64"
    assert empty["n"].dtype == "int64"
    assert empty["ok"].dtype == "bool"
    text = pd.Series(["x", None]).dtype
    assert empty["s"].dtype == text
    assert empty["host"].dtype == text
    assert empty["v"].mean() != empty["v"].mean()  # NaN: usable as a column


def test_none_and_empty_slices_keep_the_columns(conn: str) -> None:
    qs = Reading.series.using(conn)
    for nothing in (qs.none(), qs[5:5]):
        frame = nothing.to_dataframe()
        assert list(frame.columns) == ["dc", "host", "n", "ok", "s", "v"]


def test_stored_keys_become_attribute_names(conn: str) -> None:
    qs = Renamed.series.using(conn)
    qs.bulk_create([Renamed(time=at(0), load=0.5, host="a")])
    # Sorted by stored key ("cpu load" before "host name"), named by attribute.
    assert list(qs.to_dataframe().columns) == ["load", "host"]
    empty = qs.filter(host="nobody")
    assert list(empty.to_dataframe().columns) == ["load", "host"]
    assert list(empty.only("load").to_dataframe().columns) == ["load"]
    assert empty.to_arrow().schema.names == ["time", "load", "host"]


def test_empty_arrow_and_polars(conn: str) -> None:
    qs = Reading.series.using(conn).filter(host="nobody")
    table = qs.to_arrow()
    assert table.num_rows == 0
    assert dict(zip(table.schema.names, table.schema.types, strict=True)) == {
        "time": pa.timestamp("ns", tz="UTC"),
        "dc": pa.string(),
        "host": pa.string(),
        "n": pa.int64(),
        "ok": pa.bool_(),
        "s": pa.string(),
        "v": pa.float64(),
    }
    frame = qs.to_polars()
    assert frame.columns == ["time", "dc", "host", "n", "ok", "s", "v"]
    assert frame.schema["n"] == pl.Int64
    grouped = qs.annotate(Mean("v"), c=Count("n")).group_by("dc").to_arrow()
    assert grouped.schema.names == ["time", "mean", "c", "dc"]
    assert grouped.schema.field("c").type == pa.int64()


def test_epoch_and_time_zone_of_an_empty_result(conn: str) -> None:
    qs = Reading.series.using(conn).filter(host="nobody")
    assert qs.epoch().to_dataframe().index.dtype == "int64"
    assert str(qs.tz("Europe/Paris").to_dataframe().index.tz) == "Europe/Paris"
    zone = qs.tz("Europe/Paris").to_arrow().schema.field("time").type
    assert zone == pa.timestamp("ns", tz="Europe/Paris")
