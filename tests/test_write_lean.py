"""The lean write path (``backends/http/lean.py``) on the real InfluxDB.

Writes on a plain ``http://`` URL skip ``httpx``'s client and post on
pooled keep-alive sockets; the request is the one ``httpx`` builds, so
authentication, errors naming the server's message and retries are those
of every other request. A custom transport still gets every request.
"""

from __future__ import annotations

import asyncio
import os
import resource
import socket
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

import influxpy
from _influxd import InfluxServer
from _models import ServerMeasurement
from influxpy.backends.http import HTTPBackend
from influxpy.connection import DatabaseURL
from influxpy.exceptions import AuthenticationError, DatabaseNotFoundError

T0 = 1_513_071_900_000_000_000


@pytest.fixture(autouse=True)
def _fresh_connections() -> Iterator[None]:
    influxpy.connections.close_all()
    yield
    influxpy.connections.close_all()


def points(count: int) -> list[ServerMeasurement]:
    return [
        ServerMeasurement(
            time=T0 + n, cpu=n / 4, memory=n, free_memory=1, name="a", region="eu"
        )
        for n in range(count)
    ]


def no_httpx_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make ``httpx.Client.send`` refuse writes; return the paths it sent."""
    sent: list[str] = []
    send = httpx.Client.send

    def refusing(self: httpx.Client, request: httpx.Request, **kw: Any) -> Any:
        sent.append(request.url.path)
        assert request.url.path != "/write", "a write went through httpx"
        return send(self, request, **kw)

    monkeypatch.setattr(httpx.Client, "send", refusing)
    return sent


def test_writes_on_a_plain_url_skip_httpx(
    influx_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_httpx_writes(monkeypatch)
    influxpy.connect(influx_url)
    objs = points(12_000)
    assert ServerMeasurement.series.bulk_create(objs, batch_size=5_000) == 12_000
    assert ServerMeasurement.series.bulk_create(objs, concurrency=2) == 12_000
    assert list(ServerMeasurement.series.order_by("time").instances()) == objs


def test_the_servers_error_is_raised_from_the_lean_path(
    influx_server: InfluxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_httpx_writes(monkeypatch)
    host = f"{influx_server.host}:{influx_server.port}"
    influxpy.connect(f"influxdb://{host}/no_such_database_here")
    with pytest.raises(DatabaseNotFoundError, match="no_such_database_here"):
        ServerMeasurement.series.bulk_create(points(3))


def test_credentials_go_with_lean_writes_and_a_wrong_one_is_refused(
    auth_server: InfluxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_httpx_writes(monkeypatch)
    host = f"{auth_server.host}:{auth_server.port}"
    user = quote(auth_server.username or "", safe="")
    password = quote(auth_server.password or "", safe="")
    auth_server.create_database("lean_auth")
    influxpy.connect(f"influxdb://{user}:{password}@{host}/lean_auth")
    assert ServerMeasurement.series.bulk_create(points(10)) == 10
    assert ServerMeasurement.series.count() == 10
    influxpy.connections.close_all()
    influxpy.connect(f"influxdb://{user}:wrong@{host}/lean_auth")
    with pytest.raises(AuthenticationError):
        ServerMeasurement.series.bulk_create(points(10))


def test_a_custom_transport_gets_the_writes(influx_url: str) -> None:
    seen: list[str] = []
    real = httpx.HTTPTransport()

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        response = real.handle_request(request)
        response.read()
        return response

    backend = HTTPBackend(
        DatabaseURL.parse(influx_url), transport=httpx.MockTransport(handler)
    )
    try:
        assert backend.write(ServerMeasurement, points(3)) == 3
    finally:
        backend.close()
        real.close()
    assert seen == ["/write"]


class _ClosingServer:
    """Answers each request 204 and then closes the connection without
    saying so (as a server's idle timeout does): a fault influxd cannot be
    made to show on demand."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.heads: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, _, body = data.partition(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length: ")[1].split()[0])
                while len(body) < length:
                    body += conn.recv(65536)
                self.heads.append(head)
                conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n")

    def close(self) -> None:
        self.sock.close()


def test_a_keep_alive_socket_the_server_closed_is_replaced() -> None:
    server = _ClosingServer()
    backend = HTTPBackend(DatabaseURL.parse(f"influxdb://127.0.0.1:{server.port}/db"))
    try:
        for _ in range(3):
            assert backend.write(ServerMeasurement, points(5)) == 5
    finally:
        backend.close()
        server.close()
    assert server.connections == 3
    head = server.heads[0].decode()
    assert head.startswith("POST /write?db=db HTTP/1.1\r\n")
    assert "content-type: text/plain; charset=utf-8" in head.lower()


def test_a_pooled_socket_past_descriptor_1023_is_reused(influx_url: str) -> None:
    """A program with many files open gets sockets past descriptor 1023,
    which ``select()`` refuses: the idle check must not fail on them."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1_200:
        pytest.skip("the descriptor limit is below 1,200")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1_200), hard))
    fillers: list[int] = []
    try:
        fillers.append(os.open(os.devnull, os.O_RDONLY))
        while fillers[-1] < 1_100:
            fillers.append(os.dup(fillers[0]))
        influxpy.connect(influx_url)
        assert ServerMeasurement.series.bulk_create(points(10)) == 10
        backend = influxpy.connections["default"]
        assert isinstance(backend, HTTPBackend)
        assert backend._lean is not None
        assert backend._lean._idle[0].fileno() > 1_023
        assert ServerMeasurement.series.bulk_create(points(20)) == 20
        assert ServerMeasurement.series.count() == 20
    finally:
        influxpy.connections.close_all()
        for fd in fillers:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def no_async_httpx_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``httpx.AsyncClient.send`` refuse writes."""
    send = httpx.AsyncClient.send

    async def refusing(
        self: httpx.AsyncClient, request: httpx.Request, **kw: Any
    ) -> Any:
        assert request.url.path != "/write", "an async write went through httpx"
        return await send(self, request, **kw)

    monkeypatch.setattr(httpx.AsyncClient, "send", refusing)


def test_async_writes_take_the_lean_path_in_a_worker_thread(
    influx_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """abulk_create() and the async batch writer post each batch on the
    lean path from a worker thread: one turn of the loop per request."""
    no_async_httpx_writes(monkeypatch)
    influxpy.connect(influx_url)
    objs = points(12_000)

    async def main() -> tuple[int, int]:
        written = await ServerMeasurement.series.abulk_create(objs, batch_size=5_000)
        async with ServerMeasurement.series.abatch_writer(batch_size=5_000) as writer:
            for obj in objs:
                await writer.add(obj)
        return written, writer.written

    assert asyncio.run(main()) == (12_000, 12_000)
    assert list(ServerMeasurement.series.order_by("time").instances()) == objs


def test_a_custom_async_transport_gets_the_async_writes(influx_url: str) -> None:
    seen: list[str] = []

    class Recording(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            seen.append(request.url.path)
            return await super().handle_async_request(request)

    backend = HTTPBackend(DatabaseURL.parse(influx_url), async_transport=Recording())

    async def main() -> int:
        try:
            return await backend.awrite(ServerMeasurement, points(3))
        finally:
            await backend.aclose()

    assert asyncio.run(main()) == 3
    assert seen == ["/write"]
