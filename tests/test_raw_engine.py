"""``Raw()`` InfluxQL fragments give the same answer on both backends."""

from __future__ import annotations

import pytest

from influxpy import Raw, fields, models
from influxpy.exceptions import UnsupportedCompilation


class RawSensor(models.InfluxMeasurement):
    measurement = "raw_sensor"
    v = fields.FloatField()
    n = fields.IntegerField()
    host = fields.InfluxTag()


def _write(conn: str) -> None:
    RawSensor.series.using(conn).bulk_create(
        [
            RawSensor(time=1, v=1.0, n=2, host="a"),
            RawSensor(time=2, v=2.5, n=4, host="b"),
            RawSensor(time=3, v=-1.0, n=6, host="a"),
        ]
    )


def test_raw_aggregate_expression(conn: str) -> None:
    _write(conn)
    qs = RawSensor.series.using(conn).annotate(s=Raw('sum("v") * 2 + max(n)'))
    points = [p for r in qs.group_by("host").epoch() for p in r.points]
    assert points == [{"time": 0, "s": 6.0}, {"time": 0, "s": 9.0}]


def test_raw_row_expression(conn: str) -> None:
    _write(conn)
    qs = RawSensor.series.using(conn).annotate(x=Raw('"v" * 10'))
    assert [p["x"] for r in qs.epoch() for p in r.points] == [10.0, 25.0, -10.0]


def test_raw_text_that_is_not_an_expression_is_refused_on_the_engine() -> None:
    import influxpy

    backend = influxpy.connect("duckdb://:memory:", alias="raw-engine-refusal")
    try:
        qs = RawSensor.series.using("raw-engine-refusal").annotate(
            x=Raw("v FROM elsewhere")
        )
        with pytest.raises(UnsupportedCompilation, match=r"Raw\('v FROM elsewhere'\)"):
            list(qs.epoch())
    finally:
        backend.close()
