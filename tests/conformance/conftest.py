"""Datasets that tests of several topics share."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import influxpy
from conformance._common import Reading, at, write


@pytest.fixture
def ten(conn: str) -> str:
    """§3.9: one point every 10 s from t=0, values 2,4,4,4,5,5,7,9,1,3."""
    values = [2, 4, 4, 4, 5, 5, 7, 9, 1, 3]
    write(
        conn,
        *(
            Reading(time=at(10 * k), v=float(x), n=x, host="a")
            for k, x in enumerate(values)
        ),
    )
    return conn


@pytest.fixture
def hosts(conn: str) -> str:
    """§6.8: series sorted by tag values whatever the GROUP BY order."""
    write(
        conn,
        Reading(time=at(0), v=1.0, host="a", dc="x"),
        Reading(time=at(10), v=2.0, host="c", dc="x"),
        Reading(time=at(20), v=3.0, host="a", dc="y"),
        Reading(time=at(30), v=4.0, host="b", dc="y"),
        Reading(time=at(40), v=5.0, host="a", dc="x"),
        Reading(time=at(50), v=6.0),
    )
    return conn


@pytest.fixture
def both(influx_url: str) -> Iterator[tuple[str, str]]:
    """The server and the engine side by side, for the quirk tests."""
    server = influxpy.connect(influx_url, alias="quirk-influxdb")
    engine = influxpy.connect("duckdb://:memory:", alias="quirk-duckdb")
    try:
        yield "quirk-influxdb", "quirk-duckdb"
    finally:
        server.close()
        engine.close()
