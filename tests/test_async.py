"""The async API on the real InfluxDB and on the embedded engine.

Every async method gives what its sync form gives. Over HTTP the async path
has its own ``httpx.AsyncClient`` (one per event loop) with the sync client's
configuration: retries, error mapping, gzip and redaction are checked on it
with recorded faults; everything else runs against the real server.
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import logging
import re
import warnings
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

import influxpy
from _influxd import InfluxServer
from influxpy import fields, models
from influxpy.aggregates import Mean
from influxpy.backends.base import Backend
from influxpy.backends.http import HTTPBackend
from influxpy.connection import DatabaseURL
from influxpy.exceptions import (
    AuthenticationError,
    DatabaseNotFoundError,
    FieldTypeConflictError,
    InterfaceError,
)
from influxpy.functions import Max

T0 = 1_600_000_000 * 10**9


class Cpu(models.InfluxMeasurement):
    """A small measurement for the async tests."""

    measurement = "async_cpu"
    usage = fields.FloatField()
    cores = fields.IntegerField()
    host = fields.InfluxTag()


class CpuAsInteger(models.InfluxMeasurement):
    """The same measurement, with ``usage`` written as an integer."""

    measurement = "async_cpu"
    usage = fields.IntegerField()
    host = fields.InfluxTag()


class Hot(models.InfluxMeasurement):
    """Where ``into()`` writes."""

    measurement = "async_hot"
    usage = fields.FloatField()
    host = fields.InfluxTag()


def points(start: int, count: int) -> list[Cpu]:
    """*count* points from T0 + *start* ns, alternating hosts 'a' and 'b'."""
    return [
        Cpu(usage=float(n % 97), cores=n % 16, host="ab"[n % 2], time=T0 + n)
        for n in range(start, start + count)
    ]


@pytest.fixture
def url(backend_url: str) -> str:
    """The shared ``backend_url``: the real server, then the embedded engine."""
    return backend_url


@pytest.fixture
async def backend(url: str) -> AsyncIterator[Backend]:
    """The default connection for one test, closed with ``aclose()``."""
    influxpy.connections.close_all()
    connection = influxpy.connect(url)
    try:
        yield connection
    finally:
        await connection.aclose()
        influxpy.connections.close_all()


@pytest.fixture(autouse=True)
def _no_connections_left() -> Iterator[None]:
    yield
    influxpy.connections.close_all()


class Faults(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answer the first requests with faults, then forward to the real server.

    Each fault is a response or an exception to raise; every request is
    recorded with its body.
    """

    def __init__(self, *faults: httpx.Response | Exception) -> None:
        self.faults = list(faults)
        self.requests: list[httpx.Request] = []
        self._sync = httpx.HTTPTransport()
        self._async = httpx.AsyncHTTPTransport()

    def _fault(self, request: httpx.Request) -> httpx.Response | None:
        self.requests.append(request)
        if not self.faults:
            return None
        fault = self.faults.pop(0)
        if isinstance(fault, Exception):
            raise fault
        return fault

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self._fault(request) or self._sync.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        fault = self._fault(request)
        return fault or await self._async.handle_async_request(request)

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        await self._async.aclose()


def register(url: str, transport: Faults) -> HTTPBackend:
    backend = HTTPBackend(DatabaseURL.parse(url), "default", transport=transport)
    influxpy.connections.register("default", backend)
    return backend


# -- every async method -----------------------------------------------------------


async def test_async_writes_store_what_sync_writes_store(backend: Backend) -> None:
    """asave, acreate and abulk_create (of lists and async generators) write."""
    point = Cpu(usage=1.5, cores=4, host="a", time=T0)
    await point.asave()
    created = await Cpu.series.acreate(usage=2.5, cores=8, host="b", time=T0 + 1)

    async def generate() -> AsyncIterator[Cpu]:
        for obj in points(2, 10):
            await asyncio.sleep(0)
            yield obj

    written = await Cpu.series.abulk_create(generate(), batch_size=3)
    stamped = Cpu(usage=9.0, cores=1, host="c")
    await stamped.asave()

    assert isinstance(created, Cpu)
    assert written == 10
    assert await Cpu.series.abulk_create(points(12, 5)) == 5
    assert stamped.time_ns is not None
    assert Cpu.series.count() == 1 + 1 + 10 + 1 + 5
    assert Cpu.series.get(time=T0 + 1).cores == 8


async def test_async_reads_give_what_sync_reads_give(backend: Backend) -> None:
    """Every async query method answers exactly as its sync form."""
    Cpu.series.bulk_create(points(0, 40))
    qs = Cpu.series.filter(time__lt=T0 + 30)

    assert await qs.acount() == qs.count() == 30
    assert await qs.aexists() is qs.exists() is True
    assert await qs.filter(host="zz").aexists() is False
    assert await qs.afirst() == qs.first() == points(0, 1)[0]
    assert await qs.alast() == qs.last() == points(29, 1)[0]
    assert await qs.aget(time=T0 + 7) == qs.get(time=T0 + 7)
    assert await qs.aaggregate(Mean("usage"), top=Max("cores")) == qs.aggregate(
        Mean("usage"), top=Max("cores")
    )
    assert await qs.alist() == list(qs)
    assert [result async for result in qs.group_by("host")] == list(qs.group_by("host"))
    assert await qs.points().alist() == list(qs.points())
    frame = await qs.group_by("host").ato_dataframe()
    assert frame.equals(qs.group_by("host").to_dataframe())
    assert await Cpu.series.none().acount() == 0
    assert await Cpu.series.none().alist() == []


async def test_aget_raises_like_get(backend: Backend) -> None:
    """aget() raises DoesNotExist and MultipleObjectsReturned as get() does."""
    Cpu.series.bulk_create(points(0, 3))

    with pytest.raises(Cpu.DoesNotExist, match="Cpu matching the query"):
        await Cpu.series.aget(host="nobody")
    with pytest.raises(Cpu.MultipleObjectsReturned, match="more than one Cpu"):
        await Cpu.series.aget()


async def test_adelete_removes_what_delete_would(backend: Backend) -> None:
    """adelete() deletes the points of the filter and nothing else."""
    Cpu.series.bulk_create(points(0, 20))

    await Cpu.series.filter(host="a").adelete()

    assert await Cpu.series.acount() == 10
    assert {p["host"] for p in await Cpu.series.points().alist()} == {"b"}


async def test_aexecute_runs_into_queries(influx_url: str) -> None:
    """aexecute() runs an into() query and returns how many points it wrote."""
    influxpy.connect(influx_url)
    Cpu.series.bulk_create(points(0, 20))
    qs = Cpu.series.filter(usage__gte=10).only("usage").into(Hot)

    assert await qs.aexecute() == 10
    assert Hot.series.count() == 10


async def test_aiterator_streams_chunks(backend: Backend) -> None:
    """aiterator() yields the rows in pieces of at most chunk_size rows."""
    Cpu.series.bulk_create(points(0, 5_000))

    pieces = [piece async for piece in Cpu.series.aiterator(chunk_size=1_000)]
    rows = [row for piece in pieces for row in piece.points]

    assert len(pieces) >= 5
    assert max(len(piece.points) for piece in pieces) <= 1_000
    assert rows == [row for result in Cpu.series for row in result.points]


async def test_aiterator_stopped_early_leaves_the_connection_usable(
    backend: Backend,
) -> None:
    """Breaking out of aiterator() releases the response; queries go on."""
    Cpu.series.bulk_create(points(0, 3_000))

    for _ in range(3):
        async for _piece in Cpu.series.points().aiterator(chunk_size=100):
            break

    assert await Cpu.series.acount() == 3_000


async def test_a_hundred_concurrent_queries_and_writes(backend: Backend) -> None:
    """100 queries and writes gathered on one event loop all succeed."""
    await Cpu.series.abulk_create(points(0, 1_000))

    async def write(k: int) -> int:
        return await Cpu.series.abulk_create(points(1_000 + 100 * k, 100))

    async def read(k: int) -> int:
        if k % 2:
            return await Cpu.series.filter(host="a").acount()
        return len(await Cpu.series.filter(time__lt=T0 + 1_000).points().alist())

    results = await asyncio.gather(
        *(write(k) for k in range(50)), *(read(k) for k in range(50))
    )

    assert results[:50] == [100] * 50
    assert all(count == 1_000 for count in results[50::2])
    assert all(500 <= count <= 3_000 for count in results[51::2])
    assert await Cpu.series.acount() == 6_000
    assert await Cpu.series.filter(host="a").acount() == 3_000


# -- shared behaviour of the async HTTP client -----------------------------------


async def test_async_errors_are_mapped_like_sync_errors(influx_url: str) -> None:
    """A missing database and a type conflict give the sync path's errors."""
    influxpy.connect(f"{influx_url}_missing")
    with pytest.raises(DatabaseNotFoundError) as sync_error:
        Cpu.series.count()
    with pytest.raises(DatabaseNotFoundError) as async_error:
        await Cpu.series.acount()
    assert str(async_error.value) == str(sync_error.value)

    influxpy.connect(influx_url)
    Cpu.series.bulk_create(points(0, 1))
    conflict = [CpuAsInteger(usage=3, host="a", time=T0 + 5)]
    with pytest.raises(FieldTypeConflictError) as sync_conflict:
        CpuAsInteger.series.bulk_create(conflict)
    with pytest.raises(FieldTypeConflictError) as async_conflict:
        await CpuAsInteger.series.abulk_create(conflict)
    assert str(async_conflict.value) == str(sync_conflict.value)
    assert async_conflict.value.lines == sync_conflict.value.lines


async def test_async_requests_retry_5xx_and_429_with_retry_after(
    influx_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """503, 429 (Retry-After: 1) and a dropped connection are retried."""
    faults = Faults(
        httpx.Response(503, json={"error": "busy"}),
        httpx.Response(429, json={"error": "slow down"}, headers={"Retry-After": "1"}),
        httpx.ConnectError("connection refused"),
    )
    register(f"{influx_url}?retries=3", faults)
    caplog.set_level(logging.WARNING, logger="influxpy")

    assert await Cpu.series.abulk_create(points(0, 10)) == 10

    waits = [float(w) for w in re.findall(r"retrying in ([\d.]+)s", caplog.text)]
    assert len(faults.requests) == 4
    assert len(waits) == 3
    assert waits[1] == 1.0
    assert Cpu.series.count() == 10


async def test_async_requests_give_up_like_sync_ones(influx_url: str) -> None:
    """Out of retries, a connection error is an InterfaceError naming the tries."""
    errors = [httpx.ConnectError("connection refused") for _ in range(3)]
    register(f"{influx_url}?retries=1", Faults(*errors))

    with pytest.raises(InterfaceError, match=r"\(2 attempts\): connection refused"):
        await Cpu.series.acount()


async def test_async_writes_are_gzipped_when_asked(influx_url: str) -> None:
    """gzip=true compresses async write bodies, as it does sync ones."""
    faults = Faults()
    register(f"{influx_url}?gzip=true", faults)

    await Cpu.series.abulk_create(points(0, 3))

    (write,) = [r for r in faults.requests if r.url.path == "/write"]
    assert write.headers["Content-Encoding"] == "gzip"
    assert "precision" not in write.url.params
    body = gzip.decompress(write.content).decode()
    assert body.splitlines() == [Cpu._meta.encoder.encode(p) for p in points(0, 3)]


async def test_async_errors_and_logs_never_show_the_password(
    auth_server: InfluxServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A refused async request names the user, never the password."""
    secret = "wr0ng-Secret"
    host = f"{auth_server.host}:{auth_server.port}"
    caplog.set_level(logging.DEBUG)
    influxpy.connect(f"influxdb://admin:{secret}@{host}/db?auth=query")

    with pytest.raises(AuthenticationError, match="for user 'admin'") as error:
        await Cpu.series.acount()

    assert secret not in str(error.value)
    assert secret not in caplog.text
    assert secret not in repr(influxpy.get_connection())


# -- lifecycle -------------------------------------------------------------------


async def test_async_with_closes_both_clients(influx_url: str) -> None:
    """Leaving ``async with`` closes the async client and the sync one."""
    async with influxpy.connect(influx_url) as backend:
        await Cpu.series.acreate(usage=1.0, cores=1, host="a", time=T0)
        assert await Cpu.series.acount() == 1  # writes may skip the async client
        assert isinstance(backend, HTTPBackend)
        (client, _closer) = next(iter(backend._async_clients.values()))

    assert client.is_closed
    assert backend._client.is_closed


def test_each_event_loop_gets_its_own_client_and_closes_it(influx_url: str) -> None:
    """asyncio.run() twice works, and each loop's client closes with its loop."""
    backend = influxpy.connect(influx_url)
    assert isinstance(backend, HTTPBackend)
    clients: list[httpx.AsyncClient] = []

    async def work(n: int) -> int:
        await Cpu.series.acreate(usage=1.0, cores=1, host="a", time=T0 + n)
        count = await Cpu.series.acount()  # writes may skip the async client
        clients.extend(client for client, _ in backend._async_clients.values())
        return count

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert asyncio.run(work(0)) == 1
        assert asyncio.run(work(1)) == 2
        gc.collect()

    assert len(clients) == 2
    assert clients[0] is not clients[1]
    assert all(client.is_closed for client in clients)
    assert backend._async_clients == {}
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


async def test_a_failed_async_write_counts_the_earlier_batches(
    backend: Backend,
) -> None:
    """awrite_lines() says how many points earlier batches wrote."""
    lines = [
        f"async_cpu,host=a usage=1.5 {T0}",
        f"async_cpu,host=a usage=2.5 {T0 + 1}",
        f"async_cpu,host=a usage=3i {T0 + 2}",
    ]
    database = backend.resolve_database(None)

    with pytest.raises(FieldTypeConflictError) as error:
        await backend.awrite_lines(lines, database=database, batch_size=2)

    assert error.value.written == 2
    assert await Cpu.series.acount() == 2
