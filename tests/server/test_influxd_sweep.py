"""Cases from influxd 1.6's own server tests where ``influxpy serve`` once
answered otherwise: each request is sent to both servers and the status and
the JSON documents of the body must be the same."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import pytest

from _influxd import InfluxServer
from server._serve import Served, seeded_pair

LINES = "n rx=10,tx=3 1000000000\nn rx=11 2000000000\n"


@pytest.fixture(scope="module")
def pair(
    influx_server: InfluxServer, served: Served
) -> Iterator[tuple[InfluxServer, Served, str]]:
    with seeded_pair(influx_server, served, "sweep", LINES) as pair:
        yield pair


def assert_same(pair: Any, q: str, **params: str) -> Any:
    """Both servers' status and documents for *q* on the seeded database."""
    influxd, served, name = pair
    out = []
    for target in (influxd, served):
        response = target.request(
            "GET", "/query", params={"q": q, "db": name, **params}
        )
        documents = [orjson.loads(line) for line in response.text.splitlines()]
        out.append((response.status_code, documents))
    assert out[1] == out[0]
    return out[1]


@pytest.mark.parametrize(
    "fields",
    [
        "time AS t, time AS u, rx",
        "time, time, rx",
        "time AS t, rx, time AS u",
        "rx, time AS t, time AS u",
        "time, time AS u, time AS v, rx",
        "time AS t, time AS u, time AS v, rx",
        "time AS t, time, rx",
        "time AS t, rx, time",
        "time AS t, time AS u, max(rx)",
        "rx, time, time, time",
        "time, time",
    ],
)
@pytest.mark.parametrize("extra", [{}, {"epoch": "s"}, {"chunked": "true"}])
def test_time_names_in_the_select_list(pair, fields, extra):
    # influxd removes a bare time name and steps past the field after it: a
    # second time name in a row stays as a null column.
    assert_same(pair, f"SELECT {fields} FROM n", **extra)
