"""influxdb-python (5.3.2), a client nobody here wrote, gets the same
answers from ``influxpy serve`` as from influxd 1.6.7."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from influxdb import DataFrameClient, InfluxDBClient

from _influxd import InfluxServer
from server._serve import Served

POINTS = [
    {
        "measurement": "cpu",
        "tags": {"host": host, "region": region},
        "time": 1_600_000_000 + i * 10,
        "fields": {"usage": 0.5 + i / 4, "count": i, "ok": i % 2 == 0, "note": f"n{i}"},
    }
    for i, (host, region) in enumerate(
        [("a", "eu"), ("b", "eu"), ("a", "us"), ("c", "us"), ("b", "eu")] * 3
    )
]


@pytest.fixture
def clients(
    influx_server: InfluxServer, served: Served
) -> Iterator[tuple[InfluxDBClient, InfluxDBClient, str]]:
    """A client of influxd and one of ``influxpy serve``, on a new database
    that each creates with ``create_database``."""
    name = f"pyclient_{uuid.uuid4().hex[:8]}"
    made = []
    for port in (influx_server.port, served.port):
        client = InfluxDBClient("127.0.0.1", port, database=name)
        client.create_database(name)
        made.append(client)
    try:
        yield made[0], made[1], name
    finally:
        for client in made:
            client.drop_database(name)
            client.close()


def points(client: InfluxDBClient, q: str, **kwargs: Any) -> list[list[dict[str, Any]]]:
    """Each series' points (tags merged in), as get_points gives them."""
    result = client.query(q, **kwargs)
    if isinstance(result, list):  # several statements
        return [list(r.get_points()) for r in result]
    # ResultSet.keys() lists (measurement, tags) pairs; iterating one gives
    # points instead.
    if not hasattr(result, "keys"):  # chunked: a generator of result sets
        return [
            list(r.get_points(tags=t))
            for r in result
            for _k, t in r.keys()  # noqa: SIM118
        ]
    return [
        list(result.get_points(tags=tags))
        for _key, tags in result.keys()  # noqa: SIM118
    ]


QUERIES = [
    "SELECT * FROM cpu",
    "SELECT usage, count FROM cpu WHERE host = 'a'",
    "SELECT mean(usage), max(count) FROM cpu GROUP BY region",
    "SELECT count(note) FROM cpu GROUP BY *",
    (
        "SELECT last(usage) FROM cpu WHERE time >= 1600000000s "
        "AND time < 1600000200s GROUP BY time(30s), host fill(null)"
    ),
    "SHOW MEASUREMENTS",
    "SHOW TAG KEYS FROM cpu",
    'SHOW TAG VALUES FROM cpu WITH KEY = "host"',
    "SHOW FIELD KEYS FROM cpu",
]


@pytest.mark.parametrize("precision", ["s", "ms", "u", "n", "m", "h"])
def test_write_points_then_query_give_the_same_points(clients, precision):
    influxd, served, _name = clients
    scale = {"s": 1, "ms": 1_000, "u": 1_000_000, "n": 1_000_000_000}.get(precision)
    batch = []
    for index, point in enumerate(POINTS):
        stamp = point["time"] * scale if scale else index
        batch.append({**point, "time": stamp})
    for client in (influxd, served):
        assert client.write_points(batch, time_precision=precision)
    for q in QUERIES:
        for epoch in (None, "ms", "s"):
            kwargs = {"epoch": epoch} if epoch else {}
            assert points(served, q, **kwargs) == points(influxd, q, **kwargs), q


def test_chunked_queries_give_the_same_points(clients):
    """Chunked, as JSON lines: influxdb-python 5.3.2 cannot read chunked
    msgpack (from influxd either), so these clients ask for JSON."""
    *_, name = clients
    json = {"Accept": "application/json"}
    influxd, served = (
        InfluxDBClient("127.0.0.1", c._port, database=name, headers=json)
        for c in clients[:2]
    )
    for client in (influxd, served):
        assert client.write_points(POINTS, time_precision="s")
    for size in (1, 4, 100):
        for q in ("SELECT * FROM cpu", "SELECT * FROM cpu GROUP BY host"):
            got = points(served, q, chunked=True, chunk_size=size)
            assert got == points(influxd, q, chunked=True, chunk_size=size), q


def test_several_statements_give_a_result_each(clients):
    influxd, served, _name = clients
    for client in (influxd, served):
        client.write_points(POINTS, time_precision="s")
    q = "SELECT count(usage) FROM cpu; SELECT max(count) FROM cpu"
    assert points(served, q) == points(influxd, q)


def test_retention_policies_are_created_listed_altered_and_dropped(clients):
    influxd, served, name = clients
    answers = []
    for client in (influxd, served):
        client.create_retention_policy("week", "7d", 1, database=name)
        client.create_retention_policy("hours", "2h", 1, database=name, default=True)
        client.alter_retention_policy("week", database=name, duration="14d")
        listed = client.get_list_retention_policies(name)
        client.drop_retention_policy("week", database=name)
        answers.append((listed, client.get_list_retention_policies(name)))
    assert answers[1] == answers[0]


def test_points_written_to_a_retention_policy_are_read_from_it(clients):
    influxd, served, name = clients
    answers = []
    now = int(time.time())
    recent = [{**p, "time": now - 60 + i} for i, p in enumerate(POINTS[:3])]
    for client in (influxd, served):
        client.create_retention_policy("keep", "30d", 1, database=name)
        client.write_points(
            recent, time_precision="s", retention_policy="keep", database=name
        )
        answers.append(
            (
                points(client, 'SELECT * FROM "keep".cpu'),
                points(client, "SELECT * FROM cpu"),
            )
        )
    assert answers[1] == answers[0]


# influxdb-python 5.3.2 uses pandas APIs that pandas now deprecates.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_dataframe_client_writes_and_reads_the_same_frames(
    influx_server: InfluxServer, served: Served
):
    name = f"pyframe_{uuid.uuid4().hex[:8]}"
    frame = pd.DataFrame(
        {
            "usage": [0.5, 1.5, 2.25, 3.0],
            "count": [1, 2, 3, 4],
            "host": ["a", "b", "a", "b"],
        },
        index=pd.date_range("2020-09-13T12:26:40Z", periods=4, freq="1s", unit="ns"),
    )
    frames = []
    for port in (influx_server.port, served.port):
        client = DataFrameClient("127.0.0.1", port, database=name)
        client.create_database(name)
        try:
            for precision in ("s", "ms", None):
                client.write_points(
                    frame,
                    "frames",
                    tag_columns=["host"],
                    time_precision=precision,
                    batch_size=3,
                )
            frames.append(
                (
                    client.query("SELECT * FROM frames")["frames"],
                    client.query("SELECT mean(usage) FROM frames GROUP BY host"),
                )
            )
        finally:
            client.drop_database(name)
            client.close()
    assert len(frames[0][0]) == 4
    pd.testing.assert_frame_equal(frames[1][0], frames[0][0])
    assert frames[1][1].keys() == frames[0][1].keys()
    for key in frames[0][1]:
        pd.testing.assert_frame_equal(frames[1][1][key], frames[0][1][key])
