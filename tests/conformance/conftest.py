"""Datasets that tests of several topics share."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

import influxpy
from conformance._common import Reading, at, write

#: The backends each case runs on: both, unless ``INFLUXPY_CONFORMANCE_BACKENDS``
#: names some. ``scripts/test`` runs the cases again at the lowest declared
#: versions of the dependencies on the engine only: influxd's answers do not
#: change with them, and the HTTP code they run is tested at those versions
#: by the backends' own tests.
BACKENDS = os.environ.get("INFLUXPY_CONFORMANCE_BACKENDS", "influxdb,duckdb")


@pytest.fixture(params=BACKENDS.split(","))
def backend_url(request: pytest.FixtureRequest) -> str:
    """A fresh store for one case: the server's test database, then an
    engine in memory (``tests/conftest.py``'s, limited to ``BACKENDS``)."""
    if request.param == "influxdb":
        return str(request.getfixturevalue("influx_url"))
    if request.param == "duckdb":
        return "duckdb://:memory:"
    msg = f"INFLUXPY_CONFORMANCE_BACKENDS names {request.param!r}: influxdb or duckdb"
    raise ValueError(msg)


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
