"""Subscriptions served: ``influxpy serve`` copies the writes it takes to the
destinations of the subscriptions on their database and policy, as
influxd's subscriber service does: over HTTP to a real influxd (which then
holds the same points), over UDP to sockets of the test (``ALL`` to each,
``ANY`` to one in turn), counted by ``SHOW STATS``."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from _influxd import InfluxServer
from server._serve import Served

LINES = 'm,host=a v=1 1000\nm,host=b v=2.5,s="x y" 2000\n'


def q(target: Any, text: str, db: str = "", method: str = "POST") -> Any:
    params = {"q": text, **({"db": db} if db else {})}
    response = target.request(method, "/query", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def write(target: Any, db: str, body: str, **params: str) -> None:
    response = target.request(
        "POST", "/write", params={"db": db, **params}, content=body.encode()
    )
    assert response.status_code == 204, response.text


def subscriber_stats(served: Served) -> dict[str, int]:
    (series,) = q(served, "SHOW STATS FOR 'subscriber'")["results"][0]["series"]
    return dict(zip(series["columns"], series["values"][0], strict=True))


@pytest.fixture
def db(influx_server: InfluxServer, served: Served) -> Iterator[str]:
    name = f"subs_{uuid.uuid4().hex[:8]}"
    for target in (influx_server, served):
        q(target, f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        for target in (influx_server, served):
            q(target, f"DROP DATABASE {name}")


@pytest.fixture
def listeners() -> Iterator[list[socket.socket]]:
    sockets = []
    for _ in range(2):
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(10.0)
        sockets.append(sock)
    try:
        yield sockets
    finally:
        for sock in sockets:
            sock.close()


def _url(sock: socket.socket) -> str:
    return f"udp://127.0.0.1:{sock.getsockname()[1]}"


def test_writes_reach_an_influxd_subscribed_over_http(
    influx_server: InfluxServer, served: Served, db: str
) -> None:
    auth = ""
    if influx_server.username is not None:
        auth = f"{influx_server.username}:{influx_server.password or ''}@"
    destination = f"http://{auth}127.0.0.1:{influx_server.port}"
    q(served, f"CREATE SUBSCRIPTION s ON {db}.autogen DESTINATIONS ALL '{destination}'")
    before = subscriber_stats(served)
    write(served, db, LINES, precision="u")
    expected = q(served, "SELECT * FROM m", db)
    deadline = time.monotonic() + 20
    got = None
    while time.monotonic() < deadline:
        got = q(influx_server, "SELECT * FROM m", db)
        if got == expected:
            break
        time.sleep(0.1)
    assert got == expected
    assert expected["results"][0]["series"][0]["values"][0][0] == (
        "1970-01-01T00:00:00.001Z"
    )
    after = subscriber_stats(served)
    assert after["pointsWritten"] - before["pointsWritten"] == 2
    assert after["writeFailures"] == before["writeFailures"]


def test_udp_destinations_all_and_any(
    served: Served, db: str, listeners: list[socket.socket]
) -> None:
    first, second = listeners
    q(
        served,
        f"CREATE SUBSCRIPTION everyone ON {db}.autogen DESTINATIONS ALL "
        f"'{_url(first)}', '{_url(second)}'",
    )
    write(served, db, LINES)
    assert {first.recv(65536), second.recv(65536)} == {LINES.strip().encode()}
    q(served, f"DROP SUBSCRIPTION everyone ON {db}.autogen")
    q(
        served,
        f"CREATE SUBSCRIPTION turns ON {db}.autogen DESTINATIONS ANY "
        f"'{_url(first)}', '{_url(second)}'",
    )
    write(served, db, "m v=1 1")
    write(served, db, "m v=2 2")
    assert first.recv(65536) == b"m v=1 1"
    assert second.recv(65536) == b"m v=2 2"


def test_a_write_of_another_policy_or_database_is_not_copied(
    served: Served, db: str, listeners: list[socket.socket]
) -> None:
    first, _second = listeners
    q(served, f"CREATE RETENTION POLICY other ON {db} DURATION 1d REPLICATION 1")
    q(served, f"CREATE SUBSCRIPTION s ON {db}.other DESTINATIONS ALL '{_url(first)}'")
    now = time.time_ns()
    write(served, db, f"m v=1 {now}")  # the default policy, autogen
    write(served, db, f"m v=2 {now}", rp="other")
    assert first.recv(65536) == f"m v=2 {now}".encode()
    first.settimeout(0.5)
    with pytest.raises(TimeoutError):
        first.recv(65536)


def test_udp_takes_nanoseconds_only_and_failures_are_counted(
    served: Served, db: str, listeners: list[socket.socket]
) -> None:
    first, _second = listeners
    q(served, f"CREATE SUBSCRIPTION s ON {db}.autogen DESTINATIONS ALL '{_url(first)}'")
    before = subscriber_stats(served)
    write(served, db, "m v=1 1", precision="s")  # stored; no copy over UDP
    write(served, db, "m v=2 2")
    assert first.recv(65536) == b"m v=2 2"
    after = subscriber_stats(served)
    assert after["writeFailures"] - before["writeFailures"] == 1
    assert after["pointsWritten"] - before["pointsWritten"] == 1
    assert q(served, "SELECT count(v) FROM m", db)["results"][0]["series"][0][
        "values"
    ] == [["1970-01-01T00:00:00Z", 2]]
