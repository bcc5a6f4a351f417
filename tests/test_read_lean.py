"""Streamed queries on the lean path (``backends/http/lean_reads.py``).

Queries on a plain ``http://`` URL skip ``httpx``'s client: the request
``httpx`` built goes out on a pooled socket and ``http.client`` reads the
chunked answer in large pieces. Answers equal those read through ``httpx``
(a custom transport still gets every request); a socket goes back to the
pool only once its answer was read to the end; an answer cut short raises
instead of passing for a shorter one.
"""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import influxpy
from _influxd import InfluxServer
from _models import ServerMeasurement
from influxpy.backends.http import HTTPBackend
from influxpy.backends.http.lean_reads import _Dechunker
from influxpy.connection import DatabaseURL
from influxpy.exceptions import InterfaceError

T0 = 1_513_071_900_000_000_000
COUNT = 25_000


@pytest.fixture(autouse=True)
def _fresh_connections() -> Iterator[None]:
    influxpy.connections.close_all()
    yield
    influxpy.connections.close_all()


def no_httpx_queries(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make ``httpx.Client.send`` refuse queries; return the paths it sent."""
    sent: list[str] = []
    send = httpx.Client.send

    def refusing(self: httpx.Client, request: httpx.Request, **kw: Any) -> Any:
        sent.append(request.url.path)
        assert request.url.path != "/query", "a query went through httpx"
        return send(self, request, **kw)

    monkeypatch.setattr(httpx.Client, "send", refusing)
    return sent


def stored(influx_url: str) -> list[ServerMeasurement]:
    objs = [
        ServerMeasurement(
            time=T0 + n,
            cpu=n / 4,
            memory=n,
            free_memory=1,
            name=f"h{n % 3}",
            region="eu",
        )
        for n in range(COUNT)
    ]
    influxpy.connect(influx_url)
    ServerMeasurement.series.bulk_create(objs)
    return objs


def test_queries_on_a_plain_url_skip_httpx_and_read_the_same(
    influx_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    objs = stored(influx_url)
    qs = ServerMeasurement.series.order_by("time")
    through_httpx = list(qs.points())
    frame = qs.to_dataframe()
    influxpy.connections.close_all()

    no_httpx_queries(monkeypatch)
    influxpy.connect(influx_url)
    assert list(qs.points()) == through_httpx
    assert list(qs.instances()) == objs
    assert qs.to_dataframe().equals(frame)
    assert list(qs.points().iterator(chunk_size=1_000)) == through_httpx
    assert qs.count() == COUNT


def test_a_custom_transport_still_gets_every_query(influx_url: str) -> None:
    stored(influx_url)
    paths: list[str] = []
    real = httpx.HTTPTransport()

    def handler(request: httpx.Request) -> httpx.Response:
        paths.append(request.url.path)
        return real.handle_request(request)

    transport = httpx.MockTransport(handler)
    backend = HTTPBackend(DatabaseURL.parse(influx_url), transport=transport)
    influxpy.connections.register("custom", backend)
    try:
        qs = ServerMeasurement.series.using("custom")
        assert len(list(qs.points())) == COUNT
    finally:
        backend.close()
        real.close()
    assert "/query" in paths


def test_an_abandoned_answer_closes_its_socket(
    influx_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A socket whose answer was not read to the end must not serve the next
    # query: its rest would be read as that query's answer.
    stored(influx_url)
    influxpy.connections.close_all()
    influxpy.connect(influx_url)
    opened = opened_sockets(monkeypatch)
    no_httpx_queries(monkeypatch)
    qs = ServerMeasurement.series.order_by("time").epoch()
    for round in range(1, 4):
        items: Any = qs.points().iterator(chunk_size=1_000)
        assert next(items)["time"] == T0
        items.close()
        assert len(opened) == round
        assert opened[-1].fileno() == -1
    assert len(list(qs.points())) == COUNT


def opened_sockets(monkeypatch: pytest.MonkeyPatch) -> list[socket.socket]:
    """Record the sockets ``socket.create_connection`` opens from now on."""
    opened: list[socket.socket] = []
    create = socket.create_connection

    def counting(*args: Any, **kwargs: Any) -> socket.socket:
        sock = create(*args, **kwargs)
        opened.append(sock)
        return sock

    monkeypatch.setattr(socket, "create_connection", counting)
    return opened


def test_reads_reuse_the_pooled_socket(
    influx_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored(influx_url)
    influxpy.connections.close_all()
    influxpy.connect(influx_url)
    opened = opened_sockets(monkeypatch)
    qs = ServerMeasurement.series.all()
    for _ in range(4):
        assert len(list(qs.points())) == COUNT
    assert len(opened) == 1


class _CuttingRelay:
    """Relay one request to the real server and only the first *keep* bytes
    of its answer, then close: an answer cut short on the wire."""

    def __init__(self, server: InfluxServer, keep: int) -> None:
        self.server = server
        self.keep = keep
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        client, _ = self.listener.accept()
        with (
            client,
            socket.create_connection((self.server.host, self.server.port)) as upstream,
        ):
            head = b""
            while b"\r\n\r\n" not in head:
                head += client.recv(65536)
            upstream.sendall(head)
            sent = 0
            while sent < self.keep:
                data = upstream.recv(min(65536, self.keep - sent))
                if not data:
                    break
                client.sendall(data)
                sent += len(data)
        self.listener.close()


def test_an_answer_cut_short_raises(
    influx_server: InfluxServer,
    influx_url: str,
    database: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stored(influx_url)
    no_httpx_queries(monkeypatch)
    relay = _CuttingRelay(influx_server, keep=200_000)
    url = influx_url.replace(
        f"{influx_server.host}:{influx_server.port}", f"127.0.0.1:{relay.port}"
    )
    influxpy.connect(url, alias="cut", retries=0)
    with pytest.raises(InterfaceError, match="incomplete chunked read"):
        list(ServerMeasurement.series.using("cut").points())
    relay.thread.join(timeout=30)


def _chunked(payload: bytes, sizes: list[int], *, extension: bytes = b"") -> bytes:
    """*payload* framed as chunks of *sizes* (cycled), with a trailer line."""
    out, pos, index = [], 0, 0
    while pos < len(payload):
        size = sizes[index % len(sizes)]
        piece = payload[pos : pos + size]
        out.append(b"%X%s\r\n%s\r\n" % (len(piece), extension, piece))
        pos += size
        index += 1
    out.append(b"0" + extension + b"\r\nX-Checksum: none\r\n\r\n")
    return b"".join(out)


@pytest.mark.parametrize("step", [1, 2, 3, 7, 4096])
def test_chunks_are_joined_whatever_the_reads(step: int) -> None:
    payload = bytes(range(256)) * 40
    body = _chunked(payload, [1, 300, 2048, 17], extension=b";name=value")
    dechunker = _Dechunker()
    got = [dechunker.feed(body[i : i + step]) for i in range(0, len(body), step)]
    assert b"".join(got) == payload
    assert dechunker.done
    assert dechunker.feed(b"more") == b""


@pytest.mark.parametrize(
    "body", [b"zz\r\nab\r\n0\r\n\r\n", b"-2\r\nab\r\n0\r\n\r\n", b"2\r\nabXY0\r\n\r\n"]
)
def test_a_malformed_chunk_raises(body: bytes) -> None:
    with pytest.raises(http.client.IncompleteRead):
        _Dechunker().feed(body)


def test_a_body_closed_after_its_last_chunk_is_whole() -> None:
    # http.client accepts a server that closes without the trailer's CRLF.
    dechunker = _Dechunker()
    assert dechunker.feed(b"3\r\nabc\r\n0\r\n") == b"abc"
    assert not dechunker.done
    assert dechunker.feed(b"") == b""
    assert dechunker.done


class _RechunkingRelay:
    """Relay requests to the real server and send each answer back framed
    otherwise: chunks of odd sizes with extensions, a trailer, and writes of
    a few bytes at a time (influxd itself sends none of these)."""

    def __init__(self, server: InfluxServer) -> None:
        self.server = server
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.requests = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        client, _ = self.listener.accept()
        self.listener.close()
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = client.makefile("rb")
        with client, reader:
            while True:
                head = b""
                while not head.endswith(b"\r\n\r\n"):
                    line = reader.readline()
                    if not line:
                        return
                    head += line
                self.requests += 1
                self._relay(client, head)

    def _relay(self, client: socket.socket, head: bytes) -> None:
        with socket.create_connection((self.server.host, self.server.port)) as upstream:
            upstream.sendall(head)
            response = http.client.HTTPResponse(upstream, method="GET")
            response.begin()
            body = response.read()
            response.close()
        headers = [
            f"{k}: {v}"
            for k, v in response.getheaders()
            if k.lower() not in ("transfer-encoding", "content-length")
        ]
        lines = [f"HTTP/1.1 {response.status} {response.reason}", *headers]
        lines += ["Transfer-Encoding: chunked", "", ""]
        framed = "\r\n".join(lines).encode("latin-1")
        framed += _chunked(body, [5, 1, 3000, 70_000], extension=b";x=1")
        for start in range(0, len(framed), 65_536):
            piece = framed[start : start + 65_536]
            client.sendall(piece[:3])
            client.sendall(piece[3:])


def test_answers_framed_otherwise_read_the_same(
    influx_server: InfluxServer, influx_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored(influx_url)
    qs = ServerMeasurement.series.order_by("time")
    expected = list(qs.points())
    relay = _RechunkingRelay(influx_server)
    url = influx_url.replace(
        f"{influx_server.host}:{influx_server.port}", f"127.0.0.1:{relay.port}"
    )
    no_httpx_queries(monkeypatch)
    influxpy.connect(url, alias="rechunked")
    other = qs.using("rechunked")
    assert list(other.points()) == expected
    assert list(other.points().iterator(chunk_size=777)) == expected
    assert other.count() == COUNT
    # One socket (the relay accepts one) carried every query: each answer
    # was read to its trailer's end.
    assert relay.requests == 3
