"""The statements Grafana's InfluxQL data source sends get influxd 1.6.7's
answers from ``influxpy serve``.

The statements are those its query builder and query model write (tag and
measurement lookups, ``$timeFilter`` as ``time >= …ms and time <= …ms``,
``GROUP BY time($__interval)`` with ``fill``), sent as Grafana sends them:
GET ``/query`` with ``db`` and ``epoch=ms``, several targets joined by ``;``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from _influxd import InfluxServer
from server._serve import Served

START_MS = 1_600_000_000_000
END_MS = START_MS + 3_600_000
TIME_FILTER = f"time >= {START_MS}ms and time <= {END_MS}ms"


def lines() -> str:
    out = []
    for minute in range(0, 60, 3):
        for index, (host, region) in enumerate([("a", "eu"), ("b", "eu"), ("c", "us")]):
            if (minute + index) % 7 == 0:
                continue  # gaps for fill()
            stamp = (START_MS + minute * 60_000 + index * 1_000) * 1_000_000
            usage = round(minute * 0.75 + index * 3.5, 2)
            out.append(
                f"cpu,host={host},region={region} usage={usage},n={minute}i {stamp}"
            )
    out.append(f"disk,host=a free=10i {START_MS * 1_000_000}")
    return "\n".join(out)


@pytest.fixture(scope="module")
def grafana_pair(
    influx_server: InfluxServer, served: Served
) -> Iterator[tuple[InfluxServer, Served, str]]:
    name = f"grafana_{uuid.uuid4().hex[:8]}"
    for target in (influx_server, served):
        response = target.request(
            "POST", "/query", params={"q": f'CREATE DATABASE "{name}"'}
        )
        assert response.status_code == 200
        response = target.request(
            "POST", "/write", params={"db": name}, content=lines().encode()
        )
        assert response.status_code == 204, response.text
    try:
        yield influx_server, served, name
    finally:
        for target in (influx_server, served):
            target.request("POST", "/query", params={"q": f'DROP DATABASE "{name}"'})


STATEMENTS = [
    "SHOW MEASUREMENTS LIMIT 100",
    "SHOW MEASUREMENTS WITH MEASUREMENT =~ /(?i)cp/ LIMIT 100",
    'SHOW TAG KEYS FROM "cpu"',
    'SHOW TAG VALUES FROM "cpu" WITH KEY = "host"',
    'SHOW TAG VALUES FROM "cpu" WITH KEY = "host" WHERE "region" = \'eu\'',
    'SHOW TAG VALUES WITH KEY = "host"',
    'SHOW TAG VALUES FROM "autogen"."cpu" WITH KEY = "region"',
    'SHOW FIELD KEYS FROM "cpu"',
    'SHOW FIELD KEYS FROM "autogen"."cpu"',
    'SHOW RETENTION POLICIES on "{db}"',
    f'SELECT mean("usage") FROM "cpu" WHERE {TIME_FILTER} GROUP BY time(1m) fill(null)',
    (
        f'SELECT mean("usage") FROM "cpu" WHERE {TIME_FILTER} '
        'GROUP BY time(5m), "host" fill(null)'
    ),
    (
        f'SELECT mean("usage") FROM "autogen"."cpu" WHERE ("host" = \'a\') AND '
        f"{TIME_FILTER} GROUP BY time(10m) fill(none)"
    ),
    (
        f'SELECT max("usage"), min("usage") FROM "cpu" WHERE {TIME_FILTER} '
        "GROUP BY time(10m) fill(previous)"
    ),
    f'SELECT sum("n") FROM "cpu" WHERE {TIME_FILTER} GROUP BY time(15m) fill(0)',
    (
        f'SELECT mean("usage") FROM "cpu" WHERE {TIME_FILTER} '
        "GROUP BY time(2m) fill(linear)"
    ),
    f'SELECT "usage" FROM "cpu" WHERE ("region" =~ /^eu$/) AND {TIME_FILTER}',
    f'SELECT count("usage") FROM "cpu" WHERE {TIME_FILTER} GROUP BY time(20m), *',
    (
        f'SELECT derivative(mean("usage"), 1s) FROM "cpu" WHERE {TIME_FILTER} '
        "GROUP BY time(6m) fill(null)"
    ),
    (
        f'SELECT mean("usage") FROM "cpu" WHERE {TIME_FILTER} GROUP BY time(1m) '
        f'fill(null);SELECT last("free") FROM "disk" WHERE {TIME_FILTER} '
        "GROUP BY time(30m) fill(null)"
    ),
]


@pytest.mark.parametrize("statement", STATEMENTS)
def test_grafana_statements_get_influxds_answers(grafana_pair, statement):
    influxd, served, name = grafana_pair
    params = {"db": name, "q": statement.replace("{db}", name), "epoch": "ms"}
    expected = influxd.request("GET", "/query", params=params)
    got = served.request("GET", "/query", params=params)
    assert got.status_code == expected.status_code == 200
    assert got.json() == expected.json()
