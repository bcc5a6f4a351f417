"""A bulk write that fails part-way says exactly how many points it stored.

``bulk_create()``, ``abulk_create()`` and ``write_dataframe()`` may fail
after some batches were stored: the connection is lost, a later point
cannot be written, or the caller's own iterable raises. Every error leaving
them carries ``written``, the points the store acknowledged, and that many
are stored. An error raised by the caller's iterable keeps its type and
gets a PEP 678 note with the count. Each case runs on the real InfluxDB and
on the embedded engine (the ``conn`` fixture); the lost connection is made
by a proxy that resets connections after a number of requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pandas as pd
import pytest

import influxpy
from _influxd import InfluxServer
from _models import ServerMeasurement
from _proxy import CuttingProxy
from influxpy.exceptions import FieldError, InterfaceError, LineProtocolError

T0 = 1_513_071_900_000_000_000
TOTAL = 12_000
BAD = 11_000
BATCH = 5_000


class Broken(Exception):
    """The caller's own error, raised from inside its generator."""


@pytest.fixture(autouse=True)
def _fresh_connections() -> Iterator[None]:
    influxpy.connections.close_all()
    yield
    influxpy.connections.close_all()


def point(n: int, **changes: Any) -> ServerMeasurement:
    values: dict[str, Any] = {
        "cpu": float(n),
        "memory": n,
        "free_memory": 1,
        "name": "i-1",
        "region": "eu",
        "time": T0 + n,
    }
    values.update(changes)
    return ServerMeasurement(**values)


def points(total: int = TOTAL, bad: int | None = None) -> Iterator[ServerMeasurement]:
    for n in range(total):
        yield point(n, name="bad\nname" if n == bad else "i-1")


def frame(total: int = TOTAL, bad: int | None = None) -> pd.DataFrame:
    names = ["i-1"] * total
    if bad is not None:
        names[bad] = "bad\nname"
    return pd.DataFrame(
        {
            "cpu": [float(n) for n in range(total)],
            "memory": list(range(total)),
            "free_memory": [1] * total,
            "name": names,
            "region": ["eu"] * total,
        },
        index=pd.to_datetime([T0 + n for n in range(total)], unit="ns", utc=True),
    )


def stored(alias: str) -> int:
    return ServerMeasurement.series.using(alias).count()


def notes(error: BaseException) -> list[str]:
    return list(getattr(error, "__notes__", []))


# -- a point that cannot be written, in a later batch --------------------------


def test_bulk_create_with_a_bad_point_in_the_third_batch(conn: str) -> None:
    """A tag with a line break at point 11,000: 10,000 stored, written says so."""
    series = ServerMeasurement.series.using(conn)

    with pytest.raises(LineProtocolError) as info:
        series.bulk_create(points(bad=BAD), batch_size=BATCH)

    assert info.value.written == 2 * BATCH
    assert stored(conn) == 2 * BATCH


async def test_abulk_create_with_a_bad_point_in_the_third_batch(conn: str) -> None:
    """The async form, from an async generator, counts the same way."""

    async def generate() -> AsyncIterator[ServerMeasurement]:
        for obj in points(bad=BAD):
            yield obj

    series = ServerMeasurement.series.using(conn)

    with pytest.raises(LineProtocolError) as info:
        await series.abulk_create(generate(), batch_size=BATCH)

    assert info.value.written == 2 * BATCH
    assert await series.acount() == 2 * BATCH


def test_write_dataframe_with_a_bad_row_in_the_third_batch(conn: str) -> None:
    """write_dataframe(): a line break in row 11,000's tag; written is what is stored.

    Over HTTP the rows are checked batch by batch, so the first two batches
    are stored; the engine checks the frame's columns whole before storing
    any batch, so it stores none.
    """
    series = ServerMeasurement.series.using(conn)
    expected = 0 if conn.endswith("duckdb") else 2 * BATCH

    with pytest.raises(LineProtocolError) as info:
        series.write_dataframe(frame(bad=BAD), batch_size=BATCH)

    assert info.value.written == expected
    assert stored(conn) == expected


# -- the caller's own iterable raises --------------------------------------------


def test_an_error_of_the_callers_generator_keeps_its_type_and_gets_the_count(
    conn: str,
) -> None:
    """The generator raises at point 11,000: the same error, with a note and written."""

    def generate() -> Iterator[ServerMeasurement]:
        for obj in points():
            if obj.memory == BAD:
                raise Broken("the sensor feed ended")
            yield obj

    with pytest.raises(Broken) as info:
        ServerMeasurement.series.using(conn).bulk_create(generate(), batch_size=BATCH)

    assert (type(info.value), str(info.value)) == (Broken, "the sensor feed ended")
    assert info.value.written == 2 * BATCH  # type: ignore[attr-defined]
    note = (
        "influxpy: 10000 points were stored by this write before it failed (its "
        "attribute written)."
    )
    assert notes(info.value) == [note]
    assert stored(conn) == 2 * BATCH


def test_a_model_constructor_failing_in_the_generator(conn: str) -> None:
    """A model built with a wrong value inside the generator: FieldError, counted."""

    def generate() -> Iterator[ServerMeasurement]:
        for n in range(TOTAL):
            yield point(n, time="not a time" if n == BAD else T0 + n)

    with pytest.raises(FieldError) as info:
        ServerMeasurement.series.using(conn).bulk_create(generate(), batch_size=BATCH)

    assert info.value.written == 2 * BATCH
    assert stored(conn) == 2 * BATCH


async def test_an_error_of_the_callers_async_generator(conn: str) -> None:
    """abulk_create() from an async generator that raises: the same error, counted."""

    async def generate() -> AsyncIterator[ServerMeasurement]:
        for n, obj in enumerate(points()):
            if n == BAD:
                raise Broken("the sensor feed ended")
            yield obj
            if not n % 1000:
                await asyncio.sleep(0)

    series = ServerMeasurement.series.using(conn)

    with pytest.raises(Broken) as info:
        await series.abulk_create(generate(), batch_size=BATCH)

    assert info.value.written == 2 * BATCH  # type: ignore[attr-defined]
    assert notes(info.value)[-1].startswith("influxpy: 10000 points were stored")
    assert await series.acount() == 2 * BATCH


def test_an_error_that_has_its_own_written_attribute_keeps_it(conn: str) -> None:
    """An error whose class already has ``written`` keeps it; the note has the count."""

    class Counted(Exception):
        written = "the caller's own"

    def generate() -> Iterator[ServerMeasurement]:
        yield from points(BATCH)
        raise Counted

    with pytest.raises(Counted) as info:
        ServerMeasurement.series.using(conn).bulk_create(generate(), batch_size=BATCH)

    assert info.value.written == "the caller's own"
    assert notes(info.value) == [
        "influxpy: 5000 points were stored by this write before it failed."
    ]


# -- the connection is lost (real server behind a proxy) ---------------------------


def write(kind: str, total: int, batch: int) -> None:
    """Write *total* points in batches of *batch* the way *kind* names."""
    series = ServerMeasurement.series.all()
    if kind == "bulk_create":
        series.bulk_create(points(total), batch_size=batch)
    elif kind == "abulk_create":
        asyncio.run(series.abulk_create(points(total), batch_size=batch))
    else:
        series.write_dataframe(frame(total), batch_size=batch)


@pytest.mark.parametrize("kind", ["bulk_create", "abulk_create", "write_dataframe"])
def test_a_connection_lost_after_two_batches_reports_the_two(
    influx_server: InfluxServer, database: str, kind: str
) -> None:
    """The proxy resets every connection after 2 requests: 50,000 of 100,000 stored.

    The retries meet reset connections until retry_timeout; the
    InterfaceError says how many points the server acknowledged.
    """
    total, batch = 100_000, 25_000
    with CuttingProxy(influx_server.port, allow=2) as proxy:
        influxpy.connect(
            f"influxdb://127.0.0.1:{proxy.port}/{database}?retry_timeout=1&timeout=5"
        )
        with pytest.raises(InterfaceError) as info:
            write(kind, total, batch)
        assert (proxy.forwarded, proxy.refused > 0) == (2, True)

    assert info.value.written == 2 * batch
    influxpy.connect(f"influxdb://{influx_server.host}:{influx_server.port}/{database}")
    assert ServerMeasurement.series.count() == 2 * batch
