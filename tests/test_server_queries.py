"""Live tests on the real server for what only InfluxDB runs.

The conformance suite proves the features both backends share. These
check, value by value, what the embedded engine refuses (SAMPLE, which is
random, and the raw escape hatches, which hold InfluxQL text), and ATAN2
of two fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import influxpy
from influxpy import F, Func, Raw, fields, models
from influxpy.exceptions import UnsupportedCompilation
from influxpy.functions import (
    Atan2,
    Sample,
)

S = 1_000_000_000
T0 = 1_577_836_800 * S  # 2020-01-01T00:00:00Z


class Sensor(models.InfluxMeasurement):
    """A float field and a host tag."""

    measurement = "sensor"
    v = fields.FloatField()
    w = fields.FloatField()
    host = fields.InfluxTag(null=True)

    class Meta:
        using = "server"


@pytest.fixture
def server(influx_url: str) -> Iterator[str]:
    influxpy.connect(influx_url, alias="server")
    yield "server"
    influxpy.connections.close_all()


def write(*values: tuple[int, float, str | None]) -> None:
    Sensor.series.bulk_create(
        Sensor(time=T0 + t * S, v=v, w=1.0, host=host) for t, v, host in values
    )


def points(qs: Any) -> list[dict[str, Any]]:
    return list(qs.epoch().points())


def test_sample_picks_points_of_the_data(server: str) -> None:
    """SAMPLE(v, 2) returns two of the stored points, with their own times."""
    write(*((k, float(k), None) for k in range(10)))
    picked = points(Sensor.series.annotate(Sample("v", 2)))
    assert len(picked) == 2
    assert all(p["sample"] == (p["time"] - T0) / S for p in picked)


def test_atan2_and_raw_and_func_escape_hatches(server: str) -> None:
    """Two-field math and the unchecked escape hatches run on the server."""
    write((0, 1.0, None))
    assert [p["atan2"] for p in points(Sensor.series.annotate(Atan2("v", "w")))] == [
        pytest.approx(0.7853981633974483)
    ]
    assert [p["s"] for p in points(Sensor.series.annotate(s=Raw('sum("v")')))] == [1.0]
    func = Sensor.series.annotate(r=Func("round", F("v") * 2.4))
    assert [p["r"] for p in points(func)] == [2.0]


def test_the_engine_refuses_what_it_cannot_run(server: str) -> None:
    """The same QuerySets raise UnsupportedCompilation on the embedded engine."""
    influxpy.connect("duckdb://:memory:", alias="engine")
    queries = [
        Sensor.series.annotate(r=Func("no_such_function", F("v"))),
        Sensor.series.annotate(s=Raw('sum("v") FROM "other"')),
    ]
    Sensor.series.using("engine").create(v=1.0, w=1.0, time=T0)
    for qs in queries:
        with pytest.raises(UnsupportedCompilation, match="embedded engine"):
            list(qs.using("engine"))
