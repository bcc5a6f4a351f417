"""Closing a connection: open batch writers are written out first, and a
closed connection says so when used.

Each test runs on the real InfluxDB and on the embedded engine in a file
(so what was written can be read back after the close).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import influxpy
from _models import ServerMeasurement
from influxpy.backends.base import Backend
from influxpy.exceptions import InterfaceError

T0 = 1_513_071_900_000_000_000


@pytest.fixture(autouse=True)
def _fresh_connections() -> Iterator[None]:
    influxpy.connections.close_all()
    yield
    influxpy.connections.close_all()


@pytest.fixture(params=["influxdb", "duckdb"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The server's fresh test database, then an engine file."""
    if request.param == "influxdb":
        return str(request.getfixturevalue("influx_url"))
    return f"duckdb:///{tmp_path / 'store.duckdb'}"


def point(n: int) -> ServerMeasurement:
    return ServerMeasurement(cpu=float(n), name="i-1", region="eu", time=T0 + n)


def stored(url: str) -> int:
    """Points stored, read through a new connection."""
    influxpy.connect(url, alias="reader")
    try:
        return ServerMeasurement.series.using("reader").count()
    finally:
        influxpy.connections["reader"].close()


# -- a closed connection --------------------------------------------------------------


def closed_message(backend: Backend) -> str:
    return (
        f"The connection 'default' to {backend.url} is closed; open a new one "
        "with influxpy.connect(url) to use it again."
    )


def uses(backend: Backend) -> list[Callable[[], object]]:
    series = ServerMeasurement.series.all()
    return [
        backend.ping,
        backend.list_databases,
        lambda: backend.write_lines([f"servers,name=a,region=b cpu=1 {T0}"]),
        lambda: list(series),
        series.count,
        lambda: series.bulk_create([point(1)]),
        lambda: asyncio.run(series.acount()),
        lambda: asyncio.run(series.abulk_create([point(2)])),
        series.batch_writer,
    ]


def test_a_closed_connection_raises_interface_error(store_url: str) -> None:
    """Every use after close() raises InterfaceError saying how to reopen."""
    backend = influxpy.connect(store_url)
    backend.ping()
    backend.close()
    message = re.escape(closed_message(backend))

    for use in uses(backend):
        with pytest.raises(InterfaceError, match=f"^{message}$"):
            use()
    backend.close()  # closing twice is harmless


async def test_a_closed_connection_raises_interface_error_async(
    store_url: str,
) -> None:
    """The same after aclose(), for the async forms."""
    backend = influxpy.connect(store_url)
    await backend.aclose()
    message = re.escape(closed_message(backend))

    with pytest.raises(InterfaceError, match=f"^{message}$"):
        await ServerMeasurement.series.acount()
    with pytest.raises(InterfaceError, match=f"^{message}$"):
        await ServerMeasurement.series.abulk_create([point(1)])
    await backend.aclose()


# -- open batch writers are written out ------------------------------------------


def test_close_writes_out_an_open_batch_writer(store_url: str) -> None:
    """Points waiting in a writer are written before the connection closes."""
    backend = influxpy.connect(store_url)
    writer = ServerMeasurement.series.batch_writer(flush_interval=None)
    for n in range(5):
        writer.add(point(n))
    assert writer.pending == 5

    backend.close()

    assert (writer.written, writer.pending, writer.failed) == (5, 0, 0)
    assert stored(store_url) == 5
    with pytest.raises(ValueError, match="is closed"):
        writer.add(point(9))


def test_closing_all_connections_writes_out_their_writers(store_url: str) -> None:
    """connections.close_all() (and replacing an alias) closes through close()."""
    influxpy.connect(store_url)
    writer = ServerMeasurement.series.batch_writer(flush_interval=None)
    writer.add(point(1))

    influxpy.connections.close_all()

    assert (writer.written, writer.pending) == (1, 0)
    assert stored(store_url) == 1


async def test_aclose_writes_out_open_writers(store_url: str) -> None:
    """aclose() waits for an async writer's task, and a sync writer's thread."""
    backend = influxpy.connect(store_url)
    awriter = ServerMeasurement.series.abatch_writer(flush_interval=None)
    writer = ServerMeasurement.series.batch_writer(flush_interval=None)
    for n in range(3):
        await awriter.add(point(n))
        writer.add(point(100 + n))

    await backend.aclose()

    assert (awriter.written, awriter.pending) == (3, 0)
    assert (writer.written, writer.pending) == (3, 0)
    assert stored(store_url) == 6


async def test_a_sync_close_refuses_while_an_async_writer_runs(
    store_url: str,
) -> None:
    """close() cannot wait for a running task: it says to aclose() instead."""
    backend = influxpy.connect(store_url)
    awriter = ServerMeasurement.series.abatch_writer(flush_interval=None)
    await awriter.add(point(1))
    message = (
        "The connection 'default' cannot close while the async batch writer for "
        "ServerMeasurement still runs (1 points pending): await "
        "writer.aclose(), or await backend.aclose(), in its event loop first."
    )

    with pytest.raises(InterfaceError, match=f"^{re.escape(message)}$"):
        backend.close()

    await awriter.aclose()
    assert awriter.written == 1
    assert stored(store_url) == 1
