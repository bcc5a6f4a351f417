"""The ASGI application in this process, on an in-memory engine: the same
answers the subprocess gives (those are compared with influxd in the other
modules), through httpx's ASGI transport."""

from __future__ import annotations

import base64
import gzip
from collections.abc import AsyncIterator

import httpx
import msgpack
import orjson
import pytest

import influxpy
from influxpy.exceptions import NotSupportedError
from influxpy.server import InfluxApp, Users, parse_bind
from influxpy.server.app import VERSION


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    backend = influxpy.connect("duckdb://:memory:", alias="serve-inprocess")
    app = InfluxApp(backend, max_body_size=10_000)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://serve") as http:
        created = await http.post("/query", data={"q": "CREATE DATABASE db"})
        assert created.status_code == 200
        written = await http.post(
            "/write",
            params={"db": "db", "precision": "s"},
            content=b'm,h=a v=1.5,i=2i,s="x" 1\nm,h=b v=2,i=3i 2',
        )
        assert written.status_code == 204
        yield http
    app.close()
    app.close()  # closing twice is harmless


async def test_ping_and_headers(client):
    response = await client.get("/ping")
    assert response.status_code == 204
    assert response.headers["x-influxdb-version"] == VERSION
    assert response.headers["request-id"] == response.headers["x-request-id"]


async def test_unknown_paths_and_methods(client):
    assert (await client.get("/nothing")).text == "404 page not found\n"
    refused = await client.put("/query")
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, POST, OPTIONS"
    preflight = await client.options("/write", headers={"Origin": "http://x"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "http://x"


async def test_queries_in_each_format(client):
    params = {"db": "db", "q": "SELECT * FROM m GROUP BY h", "epoch": "s"}
    body = (await client.get("/query", params=params)).json()
    assert body["results"][0]["series"][0]["values"] == [[1, 2, "x", 1.5]]
    csv = await client.get("/query", params=params, headers={"Accept": "text/csv"})
    assert csv.text.splitlines()[:2] == ["name,tags,time,i,s,v", "m,h=a,1,2,x,1.5"]
    packed = await client.get(
        "/query", params=params, headers={"Accept": "application/x-msgpack"}
    )
    assert msgpack.unpackb(packed.content)["results"][0]["statement_id"] == 0
    chunked = await client.get(
        "/query", params={**params, "chunked": "true", "chunk_size": "1"}
    )
    assert len(chunked.text.splitlines()) == 2
    pretty = await client.get("/query", params={**params, "pretty": "true"})
    assert pretty.text.startswith('{\n    "results": [')


async def test_query_errors(client):
    missing = await client.get("/query")
    assert missing.status_code == 400
    assert missing.json() == {"error": 'missing required parameter "q"'}
    bad = await client.get("/query", params={"q": "SELEC"})
    assert bad.status_code == 400
    assert bad.headers["x-influxdb-error"].startswith("error parsing query")
    params = await client.get(
        "/query", params={"q": "SELECT v FROM m", "db": "db", "params": "[1]"}
    )
    assert params.status_code == 400
    unknown = await client.get("/query", params={"q": "SELECT foo(v) FROM m"})
    # influxd finds the database before it compiles the statement.
    assert unknown.json()["results"][0]["error"] == "database name required"
    await client.post("/query", params={"q": "CREATE DATABASE db"})
    unknown = await client.get(
        "/query", params={"q": "SELECT foo(v) FROM m", "db": "db"}
    )
    assert unknown.json()["results"][0]["error"] == "undefined function foo()"
    csv_bad = await client.get(
        "/query", params={"q": "SELEC"}, headers={"Accept": "text/csv"}
    )
    assert csv_bad.text.startswith("error\n")
    packed_bad = await client.get(
        "/query", params={"q": "SELEC"}, headers={"Accept": "application/x-msgpack"}
    )
    assert "error" in msgpack.unpackb(packed_bad.content)


async def test_bound_parameters_and_tz(client):
    params = {
        "db": "db",
        "q": "SELECT v FROM m WHERE h = $h tz('Europe/Paris')",
        "params": orjson.dumps({"h": "b"}).decode(),
    }
    body = (await client.get("/query", params=params)).json()
    assert body["results"][0]["series"][0]["values"] == [
        ["1970-01-01T01:00:02+01:00", 2]
    ]


async def test_a_write_statement_by_get_is_warned_about(client):
    body = (await client.get("/query", params={"q": "CREATE DATABASE other"})).json()
    [message] = body["results"][0]["messages"]
    assert message["text"].startswith("deprecated use of 'CREATE DATABASE other'")


async def test_write_errors(client):
    async def write(content: bytes, **params: str) -> httpx.Response:
        return await client.post("/write", params=params, content=content)

    assert (await write(b"m v=1", db="nope")).status_code == 404
    assert (await write(b"m v=1")).json() == {"error": "database is required"}
    assert (await write(b"m v=1", db="db", rp="nope")).status_code == 500
    assert (await write(b"m v=1", db="db", consistency="x")).status_code == 400
    unparsable = await write(b"bad", db="db")
    assert unparsable.json() == {"error": "unable to parse 'bad': missing fields"}
    conflict = await write(b"m v=1i 5", db="db")
    assert conflict.json()["error"].startswith("partial write: field type conflict")
    too_big = await write(b"m v=1 1\n" * 2_000, db="db")
    assert too_big.status_code == 413
    zipped = await client.post(
        "/write",
        params={"db": "db"},
        content=gzip.compress(b"z v=1 1"),
        headers={"Content-Encoding": "gzip"},
    )
    assert zipped.status_code == 204
    broken = await client.post(
        "/write",
        params={"db": "db"},
        content=b"not gzip",
        headers={"Content-Encoding": "gzip"},
    )
    assert broken.status_code == 400


async def test_users_are_checked():
    backend = influxpy.connect("duckdb://:memory:", alias="serve-inprocess-auth")
    app = InfluxApp(backend, users=Users({"alice": "pw"}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://serve") as http:
        assert (await http.get("/ping")).status_code == 204
        refused = await http.get("/query", params={"q": "SHOW DATABASES"})
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == 'Basic realm="InfluxDB"'
        wrong = await http.get(
            "/query", params={"q": "SHOW DATABASES", "u": "alice", "p": "no"}
        )
        assert wrong.json() == {"error": "authorization failed"}
        token = base64.b64encode(b"alice:pw").decode()
        accepted = await http.get(
            "/query",
            params={"q": "SHOW DATABASES"},
            headers={"Authorization": f"Basic {token}"},
        )
        assert accepted.status_code == 200
    app.close()


def test_only_the_engine_is_served(influx_url):
    backend = influxpy.connect(influx_url, alias="serve-inprocess-http")
    try:
        with pytest.raises(NotSupportedError, match="serves the embedded engine"):
            InfluxApp(backend)
    finally:
        backend.close()


@pytest.mark.parametrize(
    ("bind", "address"),
    [
        ("127.0.0.1:8086", ("127.0.0.1", 8086)),
        ("[::1]:9", ("::1", 9)),
        (":5", ("127.0.0.1", 5)),
    ],
)
def test_bind_addresses(bind, address):
    assert parse_bind(bind) == address


@pytest.mark.parametrize("bind", ["localhost", "h:x", "h:70000"])
def test_bad_bind_addresses(bind):
    with pytest.raises(ValueError, match="host:port"):
        parse_bind(bind)


def test_the_command_refuses_bad_options_in_process(capsys):
    from influxpy.cli import main

    assert main(["serve", "--url", "influxdb://h/db"]) != 0
    assert main(["serve", "--user", "nocolon"]) != 0
    assert "user:password" in capsys.readouterr().err


async def test_the_warning_names_retention_policy_statements(client):
    statements = {
        "CREATE RETENTION POLICY r1 ON db DURATION 7d REPLICATION 1 "
        "SHARD DURATION 1d": "CREATE RETENTION POLICY r1 ON db "
        "DURATION 1w REPLICATION 1 SHARD DURATION 1d",
        "ALTER RETENTION POLICY r1 ON db DURATION 36h REPLICATION 1 SHARD "
        "DURATION 90m": "ALTER RETENTION POLICY r1 ON db DURATION 36h "
        "REPLICATION 1 SHARD DURATION 90m",
        "DROP RETENTION POLICY r1 ON db": "DROP RETENTION POLICY r1 ON db",
        'DROP MEASUREMENT "select"': 'DROP MEASUREMENT "select"',
        'DROP CONTINUOUS QUERY "c q" ON db': 'DROP CONTINUOUS QUERY "c q" ON db',
        'DROP DATABASE "a\\"b"': 'DROP DATABASE "a\\"b"',
    }
    for q, canonical in statements.items():
        body = (await client.get("/query", params={"q": q, "db": "db"})).json()
        [result] = body["results"]
        texts = [m["text"] for m in result.get("messages", [])]
        assert texts == [
            (
                f"deprecated use of '{canonical}' in a read only context, please use "
                "a POST request instead"
            )
        ], (q, result)


@pytest.mark.parametrize(
    ("ns", "text"),
    [(0, "0s"), (1, "1"), (1_000, "1u"), (2_000_000, "2ms"), (90 * 10**9, "90s")],
)
def test_durations_print_as_influxql_does(ns, text):
    from influxpy.durations import Duration
    from influxpy.server.messages import format_duration

    class Nanos(Duration):
        unit = "ns"
        unit_ns = 1

    assert format_duration(Nanos(ns) if ns else None) == text
