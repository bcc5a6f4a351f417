"""aioinflux (0.9.0), an asyncio client nobody here wrote, gets the same
answers from ``influxpy serve`` as from influxd 1.6.7: writes of strings,
dicts and lists, queries as JSON, chunked and as DataFrames, the SHOW
helpers and the errors it raises."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable
from typing import Any

import pandas as pd
import pytest
from aioinflux import InfluxDBClient

from _influxd import InfluxServer
from server._serve import Served

LINES = "\n".join(
    f"cpu,host={host},region={region} usage={0.5 + i / 4},count={i}i,"
    f'ok={str(i % 2 == 0).lower()},note="n {i}" {1_600_000_000 + 10 * i}000000000'
    for i, (host, region) in enumerate([("a", "eu"), ("b", "eu"), ("c", "us")] * 3)
)


async def outcome(call: Awaitable[Any]) -> Any:
    """What a call gives: its answer, or its error's type and text."""
    try:
        answer = await call
    except Exception as exc:  # the client's own errors, compared as text
        return f"{type(exc).__name__}: {exc}"
    if isinstance(answer, AsyncIterator):
        return [chunk async for chunk in answer]
    return answer


async def own_series(call: Awaitable[Any], database: str) -> Any:
    """An answer listing every database's series (SHOW CONTINUOUS QUERIES),
    cut to *database*'s: the servers are shared with other tests."""
    answer = await call
    for result in answer["results"]:
        result["series"] = [
            s for s in result.get("series", []) if s["name"] == database
        ]
    return answer


async def session(port: int, database: str) -> list[tuple[str, Any]]:
    """One client's whole conversation with the server on *port*."""
    async with InfluxDBClient(host="127.0.0.1", port=port, db=database) as client:
        steps: list[tuple[str, Awaitable[Any]]] = [
            ("create", client.create_database(db=database)),
            ("write text", client.write(LINES)),
            (
                "write dict",
                client.write(
                    {
                        "measurement": "mem",
                        "tags": {"host": "a"},
                        "fields": {"used": 5, "ok": True, "note": "x y"},
                        "time": 1_600_000_000_000_000_000,
                    }
                ),
            ),
            (
                "write list",
                client.write(
                    [
                        {
                            "measurement": "mem",
                            "tags": {"host": "b"},
                            "fields": {"used": 7},
                            "time": 1_600_000_010_000_000_000,
                        }
                    ]
                ),
            ),
            ("select", client.query("SELECT * FROM cpu")),
            ("epoch", client.query("SELECT * FROM mem", epoch="s")),
            (
                "grouped",
                client.query(
                    "SELECT mean(usage), max(count) FROM cpu "
                    "WHERE time >= 1600000000s AND time < 1600000100s "
                    "GROUP BY time(30s), region fill(none)"
                ),
            ),
            (
                "several",
                client.query("SELECT count(usage) FROM cpu; SHOW MEASUREMENTS"),
            ),
            ("chunked", client.query("SELECT * FROM cpu", chunked=True, chunk_size=2)),
            ("measurements", client.show_measurements()),
            ("tag keys", client.show_tag_keys()),
            ("field keys", client.show_field_keys()),
            ("series", client.show_series()),
            ("policies", client.show_retention_policies()),
            ("continuous", own_series(client.show_continuous_queries(), database)),
            ("tag values", client.query('SHOW TAG VALUES FROM cpu WITH KEY = "host"')),
            ("bad query", client.query("SELECT FROM cpu")),
            ("no database", client.query("SELECT * FROM cpu", db="nowhere_db")),
            ("conflict", client.write('cpu,host=a usage="text" 1600000000000000000')),
            ("bad line", client.write("cpu,host=a")),
            ("drop", client.drop_measurement("mem")),
            ("after drop", client.query("SHOW MEASUREMENTS")),
            ("drop database", client.drop_database(db=database)),
        ]
        return [(name, await outcome(call)) for name, call in steps]


async def frames(port: int, database: str) -> list[pd.DataFrame]:
    """The DataFrames aioinflux builds from the server's answers."""
    async with InfluxDBClient(
        host="127.0.0.1", port=port, db=database, output="dataframe"
    ) as client:
        await client.create_database(db=database)
        await client.write(LINES)
        try:
            return [
                await client.query("SELECT * FROM cpu"),
                await client.query("SELECT mean(usage) FROM cpu GROUP BY host"),
            ]
        finally:
            await client.drop_database(db=database)


@pytest.fixture
def database() -> str:
    return f"aioclient_{uuid.uuid4().hex[:8]}"


async def test_every_call_gives_the_same_answer(
    influx_server: InfluxServer, served: Served, database: str
) -> None:
    expected = await session(influx_server.port, database)
    got = await session(served.port, database)
    assert [name for name, _ in got] == [name for name, _ in expected]
    for (name, answer), (_, wanted) in zip(got, expected, strict=True):
        assert answer == wanted, name
    # The conversation did read points and meet errors, on both.
    answers = dict(expected)
    assert len(answers["chunked"]) == 5
    assert answers["bad query"].startswith("InfluxDBError")
    assert "field type conflict" in answers["conflict"]


async def test_dataframe_output_gives_the_same_frames(
    influx_server: InfluxServer, served: Served, database: str
) -> None:
    expected = await frames(influx_server.port, database)
    got = await frames(served.port, database)
    assert len(expected[0]) == 9
    pd.testing.assert_frame_equal(got[0], expected[0])
    assert got[1].keys() == expected[1].keys()
    for key in expected[1]:
        pd.testing.assert_frame_equal(got[1][key], expected[1][key])
