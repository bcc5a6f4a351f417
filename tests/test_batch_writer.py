"""The batch writers against the real InfluxDB, its faults and its death.

Behaviour runs on both backends. Faults are real where they can be (the
server is killed with SIGKILL and restarted on the same data directory) and
recorded otherwise (an ``httpx`` transport that answers 500, 503 and 429
for a while, holds writes back, or rejects them). "Every point exactly
once" is checked with unique times and values: the server's count and sum
of the values match the points added, so a lost point shows, and a point
written twice is merged into one by InfluxDB, as it must be.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import influxpy
from _influxd import InfluxServer, free_port
from influxpy import fields, models
from influxpy.backends.http import HTTPBackend
from influxpy.connection import DatabaseURL
from influxpy.exceptions import (
    BatchWriteError,
    FieldError,
    FieldTypeConflictError,
    InterfaceError,
    PartialWriteError,
)
from influxpy.writer import AsyncBatchWriter, BatchWriter

T0 = 1_650_000_000 * 10**9
SRC = Path(__file__).resolve().parent.parent / "src"


class Tick(models.InfluxMeasurement):
    """A compact point: one integer field, one tag, so writes are fast."""

    measurement = "ticks"
    value = fields.IntegerField()
    shard = fields.InfluxTag()


class TickAsFloat(models.InfluxMeasurement):
    """The same measurement with ``value`` stored as a float."""

    measurement = "ticks"
    value = fields.FloatField()
    shard = fields.InfluxTag()


def tick(n: int) -> Tick:
    """Point *n*: unique time and value, four series."""
    return Tick(value=n, shard=f"s{n % 4}", time=T0 + n)


def stored(server: InfluxServer, database: str) -> tuple[int, int]:
    """The server's count and sum of ``value`` over every tick."""
    body = server.query('SELECT count("value"), sum("value") FROM "ticks"', database)
    series = body["results"][0].get("series")
    if not series:
        return 0, 0
    _time, count, total = series[0]["values"][0]
    return int(count), int(total)


def exactly(n: int) -> tuple[int, int]:
    """What ``stored()`` gives when points 0 … n-1 are each there once."""
    return n, n * (n - 1) // 2


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the condition")
        time.sleep(0.01)


def count_of(database: str | None = None) -> int:
    """The number of ticks, through influxpy (either backend)."""
    qs = Tick.series.all()
    return qs.database(database).count() if database else qs.count()


@pytest.fixture(autouse=True)
def _fresh_connections() -> Iterator[None]:
    influxpy.connections.close_all()
    yield
    influxpy.connections.close_all()


@pytest.fixture
def url(backend_url: str) -> str:
    """The shared ``backend_url``: the real server, then the embedded engine."""
    return backend_url


class Transport(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Forward to the real server, letting *fault* answer ``/write`` first.

    ``fault(request)`` returns a response to send instead, or None to
    forward; it may also block (sync) to hold a write back.
    """

    def __init__(
        self, fault: Callable[[httpx.Request], httpx.Response | None] | None = None
    ) -> None:
        self.fault = fault
        self.writes = 0
        self._sync = httpx.HTTPTransport()
        self._async = httpx.AsyncHTTPTransport()

    def _answer(self, request: httpx.Request) -> httpx.Response | None:
        if request.url.path != "/write" or self.fault is None:
            return None
        self.writes += 1
        return self.fault(request)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        return self._answer(request) or self._sync.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        answer = await asyncio.to_thread(self._answer, request)
        return answer or await self._async.handle_async_request(request)

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        await self._async.aclose()


def register(url: str, transport: Transport) -> HTTPBackend:
    backend = HTTPBackend(DatabaseURL.parse(url), "default", transport=transport)
    influxpy.connections.register("default", backend)
    return backend


class FaultWindow:
    """Answer 500, 503 and 429 (Retry-After: 1) in turn for *seconds*.

    The window opens at the write request number *after*.
    """

    def __init__(self, after: int, seconds: float) -> None:
        self.after = after
        self.seconds = seconds
        self.opened: float | None = None
        self.faults = 0
        self.seen = 0

    def __call__(self, request: httpx.Request) -> httpx.Response | None:
        self.seen += 1
        if self.seen == self.after:
            self.opened = time.monotonic()
        if self.opened is None or time.monotonic() > self.opened + self.seconds:
            return None
        self.faults += 1
        kind = self.faults % 3
        if kind == 0:
            return httpx.Response(
                429, json={"error": "too many requests"}, headers={"Retry-After": "1"}
            )
        status = 500 if kind == 1 else 503
        return httpx.Response(status, json={"error": "the server is overloaded"})


# -- batching --------------------------------------------------------------------


def test_every_point_added_is_written_once(url: str) -> None:
    """10,050 points go out in batches and each is stored once."""
    influxpy.connect(url)

    with Tick.series.batch_writer(batch_size=1_000) as writer:
        for n in range(10_050):
            writer.add(tick(n))

    assert count_of() == 10_050
    assert sum(p["value"] for p in Tick.series.points()) == exactly(10_050)[1]
    assert (writer.written, writer.retried, writer.failed) == (10_050, 0, 0)
    assert writer.pending == 0
    assert repr(writer) == ("<BatchWriter Tick: 10050 written, 0 pending, 0 failed>")


def test_a_full_batch_is_written_at_once(url: str) -> None:
    """A batch goes out as soon as it is full, not at the end."""
    influxpy.connect(url)

    with Tick.series.batch_writer(batch_size=10, flush_interval=None) as writer:
        for n in range(25):
            writer.add(tick(n))
        wait_until(lambda: writer.written == 20)
        assert count_of() == 20
        assert writer.pending == 5

    assert count_of() == 25


def test_a_partial_batch_is_written_after_the_flush_interval(url: str) -> None:
    """Points of a partial batch wait at most flush_interval seconds."""
    influxpy.connect(url)

    with Tick.series.batch_writer(batch_size=1_000, flush_interval=0.2) as writer:
        started = time.monotonic()
        for n in range(3):
            writer.add(tick(n))
        wait_until(lambda: writer.written == 3)
        assert time.monotonic() - started >= 0.2
        assert count_of() == 3


def test_flush_writes_every_accepted_point(url: str) -> None:
    """flush() returns once everything added is written."""
    influxpy.connect(url)
    writer = Tick.series.batch_writer(batch_size=1_000, flush_interval=None)

    for n in range(7):
        writer.add(tick(n))
    writer.flush()

    assert count_of() == 7
    writer.close()
    writer.close()
    with pytest.raises(ValueError, match=r"The batch writer for Tick is closed\."):
        writer.add(tick(8))


def test_a_point_that_cannot_be_written_is_refused_by_add(url: str) -> None:
    """add() refuses a bad point at once; the writer goes on with the others."""
    influxpy.connect(url)

    with Tick.series.batch_writer(batch_size=2) as writer:
        writer.add(tick(0))
        with pytest.raises(FieldError, match="the tag 'shard' is required"):
            writer.add(Tick(value=1, time=T0 + 1))
        with pytest.raises(TypeError, match="takes Tick instances; got 'x' \\(str\\)"):
            writer.add("x")  # type: ignore[arg-type]
        writer.add(tick(2))

    assert count_of() == 2
    assert writer.failed == 0


def test_a_point_changed_after_add_is_written_as_it_was(url: str) -> None:
    """Reusing one instance for many points writes every one of them."""
    influxpy.connect(url)
    point = tick(0)

    with Tick.series.batch_writer(batch_size=3) as writer:
        for n in range(10):
            point.value, point.time = n, T0 + n
            writer.add(point)

    assert sorted(p["value"] for p in Tick.series.points()) == list(range(10))


def test_points_without_a_time_get_the_time_they_were_added(url: str) -> None:
    """A point without a time is stamped when it is added, in nanoseconds."""
    influxpy.connect(url)
    before = time.time_ns()

    with Tick.series.batch_writer() as writer:
        for n in range(3):
            writer.add(Tick(value=n, shard="s0"))

    times = [p.time_ns for p in Tick.series.instances()]
    assert len(set(times)) == 3
    assert all(before <= t <= time.time_ns() for t in times)


def test_points_added_from_several_threads_are_each_written_once(url: str) -> None:
    """add() from four threads at once, with small batches, loses no point."""
    influxpy.connect(url)
    threads = 4
    per_thread = 2_500

    with Tick.series.batch_writer(batch_size=97, flush_interval=0.01) as writer:

        def produce(first: int) -> None:
            for n in range(first, threads * per_thread, threads):
                writer.add(tick(n))

        producers = [
            threading.Thread(target=produce, args=(i,)) for i in range(threads)
        ]
        for producer in producers:
            producer.start()
        for producer in producers:
            producer.join()

    total = threads * per_thread
    assert (writer.written, writer.failed, writer.pending) == (total, 0, 0)
    assert count_of() == total
    assert sum(p["value"] for p in Tick.series.points()) == exactly(total)[1]


def test_points_added_while_the_writer_closes_are_written_or_refused(
    url: str,
) -> None:
    """A point add() takes is written; one it refuses as closed is not."""
    influxpy.connect(url)
    writer = Tick.series.batch_writer(batch_size=50, flush_interval=None)
    accepted: list[list[int]] = [[] for _ in range(4)]
    started = threading.Barrier(5)

    def produce(index: int) -> None:
        started.wait()
        for n in range(index, 400_000, 4):
            try:
                writer.add(tick(n))
            except ValueError:
                return
            accepted[index].append(n)

    producers = [threading.Thread(target=produce, args=(i,)) for i in range(4)]
    for producer in producers:
        producer.start()
    started.wait()
    time.sleep(0.05)
    writer.close()
    for producer in producers:
        producer.join()

    values = sorted(n for numbers in accepted for n in numbers)
    assert values
    assert writer.written == len(values)
    assert sorted(p["value"] for p in Tick.series.points()) == values


def test_writer_options_are_checked() -> None:
    """Options out of range are refused with the name and the value."""
    influxpy.connect("duckdb://:memory:")

    with pytest.raises(ValueError, match="batch_size must be a whole number of at"):
        Tick.series.batch_writer(batch_size=0)
    with pytest.raises(ValueError, match=r"flush_interval must be a number of sec"):
        Tick.series.batch_writer(flush_interval=-1)
    with pytest.raises(ValueError, match=r"max_pending .* got 1\.5 \(float\)"):
        Tick.series.batch_writer(max_pending=1.5)  # type: ignore[typeddict-item]
    with pytest.raises(ValueError, match="retry_timeout must be a number"):
        Tick.series.batch_writer(retry_timeout="soon")  # type: ignore[typeddict-item]


# -- backpressure ----------------------------------------------------------------


def test_add_blocks_while_max_pending_batches_wait(influx_url: str) -> None:
    """With one batch in flight and max_pending queued, add() waits."""
    release = threading.Event()

    def hold(_request: httpx.Request) -> None:
        release.wait(30)

    register(influx_url, Transport(hold))
    writer = Tick.series.batch_writer(batch_size=10, max_pending=2)
    added: list[int] = []

    def produce() -> None:
        for n in range(50):
            writer.add(tick(n))
            added.append(n)

    producer = threading.Thread(target=produce)
    producer.start()
    # Batch 1 is in flight, 2 and 3 are queued, 4 is full and cannot queue.
    wait_until(lambda: len(added) == 39)
    time.sleep(0.3)
    try:
        assert len(added) == 39
        assert producer.is_alive()
        assert writer.pending == 40
        assert writer.written == 0
    finally:
        release.set()
    producer.join(30)
    writer.close()

    assert len(added) == 50
    assert count_of() == 50


async def test_async_add_waits_while_max_pending_batches_wait(influx_url: str) -> None:
    """The async writer's add() waits in the same way, without blocking the loop."""
    release = threading.Event()
    register(influx_url, Transport(lambda _request: release.wait(30) and None))
    added: list[int] = []

    async with Tick.series.abatch_writer(batch_size=10, max_pending=2) as writer:

        async def produce() -> None:
            for n in range(50):
                await writer.add(tick(n))
                added.append(n)

        producer = asyncio.create_task(produce())
        for _ in range(500):
            if len(added) == 39:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)
        assert len(added) == 39
        assert not producer.done()
        assert writer.pending == 40
        release.set()
        await producer

    assert count_of() == 50


# -- failures --------------------------------------------------------------------


def rejecting(times: int) -> Callable[[httpx.Request], httpx.Response | None]:
    """Answer the first *times* writes with a permanent 400."""
    left = [times]

    def fault(_request: httpx.Request) -> httpx.Response | None:
        if left[0] <= 0:
            return None
        left[0] -= 1
        return httpx.Response(400, json={"error": "bad request"})

    return fault


def test_a_rejected_batch_is_raised_by_the_next_add_and_given_to_on_error(
    influx_url: str,
) -> None:
    """A 400 is not retried: on_error gets the lines, the next add() raises."""
    register(influx_url, Transport(rejecting(1)))
    reported: list[tuple[BaseException, list[str]]] = []
    lines = [Tick._meta.encoder.encode(tick(n)) for n in range(10)]

    with Tick.series.batch_writer(
        batch_size=10, on_error=lambda exc, lines: reported.append((exc, lines))
    ) as writer:
        for n in range(10):
            writer.add(tick(n))
        wait_until(lambda: writer.failed == 10)
        with pytest.raises(BatchWriteError) as error:
            writer.add(tick(10))
        for n in range(11, 21):
            writer.add(tick(n))

    assert str(error.value).startswith(
        "The batch writer for Tick could not write 10 points (1 batch); they are "
        "in this error's lines, and were passed to on_error. The first error: "
        "InfluxDB rejected 10 of 10 points (no point was written): bad request."
    )
    assert error.value.lines == tuple(lines)
    assert error.value.failed == 10
    assert isinstance(error.value.errors[0], PartialWriteError)
    assert isinstance(error.value, PartialWriteError)
    assert error.value.__cause__ is error.value.errors[0]
    assert [(type(exc), batch) for exc, batch in reported] == [
        (PartialWriteError, lines)
    ]
    assert (writer.written, writer.retried, writer.failed) == (10, 0, 10)
    assert count_of() == 10


def test_a_failure_at_the_end_is_raised_on_exit(influx_url: str) -> None:
    """Leaving the with block raises for a batch given up on at the end."""
    register(influx_url, Transport(rejecting(1)))

    with (  # noqa: PT012
        pytest.raises(BatchWriteError, match="could not write 3 points"),
        Tick.series.batch_writer() as writer,
    ):
        for n in range(3):
            writer.add(tick(n))

    assert (writer.written, writer.failed) == (0, 3)


def test_flush_raises_for_points_given_up_on(influx_url: str) -> None:
    """flush() waits for the batch and raises for it."""
    register(influx_url, Transport(rejecting(1)))
    writer = Tick.series.batch_writer()
    writer.add(tick(0))

    with pytest.raises(BatchWriteError, match="could not write 1 point"):
        writer.flush()
    writer.add(tick(1))
    writer.close()

    assert count_of() == 1


def test_a_failure_while_another_exception_leaves_is_logged(
    influx_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The with block's own exception goes on; the failure is logged."""
    register(influx_url, Transport(rejecting(1)))

    with pytest.raises(KeyError), Tick.series.batch_writer() as writer:  # noqa: PT012
        writer.add(tick(0))
        raise KeyError("boom")

    assert "could not write 1 point" in caplog.text
    assert writer.failed == 1


def test_failures_that_may_pass_are_retried_until_retry_timeout() -> None:
    """An unreachable server is retried, then given up on after retry_timeout."""
    url = f"influxdb://127.0.0.1:{free_port()}/db?retries=0&timeout=0.5"
    influxpy.connect(url)
    started = time.monotonic()

    with (  # noqa: PT012
        pytest.raises(BatchWriteError) as error,
        Tick.series.batch_writer(retry_timeout=1.0) as writer,
    ):
        for n in range(5):
            writer.add(tick(n))

    assert 1.0 <= time.monotonic() - started < 10
    assert isinstance(error.value.errors[0], InterfaceError)
    assert writer.retried >= 5
    assert (writer.written, writer.failed) == (0, 5)


def test_the_embedded_engine_reports_a_type_conflict() -> None:
    """A conflict on the embedded engine is reported with its dropped count."""
    influxpy.connect("duckdb://:memory:")
    TickAsFloat.series.create(value=1.5, shard="s0", time=T0 - 1)
    reported: list[list[str]] = []

    with (  # noqa: PT012
        pytest.raises(BatchWriteError) as error,
        Tick.series.batch_writer(
            on_error=lambda _exc, lines: reported.append(lines)
        ) as writer,
    ):
        for n in range(4):
            writer.add(tick(n))

    assert isinstance(error.value.errors[0], FieldTypeConflictError)
    assert (writer.written, writer.failed) == (0, 4)
    assert len(reported[0]) == 4


async def test_the_async_writer_reports_failures_the_same_way(
    influx_url: str,
) -> None:
    """The async writer raises on the next add() and calls on_error."""
    register(influx_url, Transport(rejecting(1)))
    reported: list[list[str]] = []

    writer = Tick.series.abatch_writer(
        batch_size=5, on_error=lambda _exc, lines: reported.append(lines)
    )
    for n in range(5):
        await writer.add(tick(n))
    for _ in range(500):
        if writer.failed:
            break
        await asyncio.sleep(0.01)
    with pytest.raises(BatchWriteError, match="could not write 5 points"):
        await writer.add(tick(5))
    await writer.add(tick(6))
    await writer.aclose()

    assert len(reported) == 1
    assert (writer.written, writer.failed) == (1, 5)
    assert count_of() == 1


# -- faults: every point exactly once -------------------------------------------


def write_ticks(
    kind: str,
    total: int,
    before: Callable[[int], None] = lambda _n: None,
    **options: Any,
) -> BatchWriter[Tick] | AsyncBatchWriter[Tick]:
    """Add ticks 0 … total-1 through a sync or async writer, then close it.

    ``before(n)`` runs before tick *n* is added.
    """
    if kind == "sync":
        with Tick.series.batch_writer(**options) as writer:
            for n in range(total):
                before(n)
                writer.add(tick(n))
        return writer

    async def stream() -> AsyncBatchWriter[Tick]:
        async with Tick.series.abatch_writer(**options) as writer:
            for n in range(total):
                before(n)
                await writer.add(tick(n))
        return writer

    return asyncio.run(stream())


@pytest.mark.parametrize(
    ("kind", "total"), [("sync", 1_000_000), ("async", 200_000)], ids=["sync", "async"]
)
def test_a_killed_and_restarted_server_loses_no_point(
    influx_server: InfluxServer, database: str, influx_url: str, kind: str, total: int
) -> None:
    """SIGKILL of influxd while points stream, then a restart: each is stored once.

    The sync writer streams 1,000,000 points, the async one 200,000.
    """
    influxpy.connect(f"{influx_url}?retries=0&timeout=5")
    restarted = threading.Event()

    def kill_and_restart() -> None:
        assert influx_server.pid is not None
        os.kill(influx_server.pid, signal.SIGKILL)
        influx_server.stop()  # reaps the killed process
        time.sleep(0.5)
        influx_server.start()
        restarted.set()

    killer = threading.Thread(target=kill_and_restart)

    def before(n: int) -> None:
        if n == total * 3 // 10:
            killer.start()

    writer = write_ticks(kind, total, before, batch_size=5_000)
    killer.join()

    assert restarted.is_set()
    assert writer.retried > 0
    assert (writer.written, writer.failed) == (total, 0)
    assert stored(influx_server, database) == exactly(total)


@pytest.mark.parametrize(
    ("kind", "total"), [("sync", 250_000), ("async", 100_000)], ids=["sync", "async"]
)
def test_500_503_and_429_for_a_while_lose_no_point(
    influx_server: InfluxServer, database: str, influx_url: str, kind: str, total: int
) -> None:
    """Three seconds of 500, 503 and 429 (Retry-After) lose no point."""
    window = FaultWindow(after=5, seconds=3.0)
    register(f"{influx_url}?retries=1", Transport(window))

    writer = write_ticks(kind, total, batch_size=5_000)

    assert window.faults >= 3
    assert writer.retried > 0
    assert (writer.written, writer.failed) == (total, 0)
    assert stored(influx_server, database) == exactly(total)


# -- async writer ----------------------------------------------------------------


async def test_the_async_writer_writes_every_point(url: str) -> None:
    """abatch_writer() writes full batches, partial ones and the rest on exit."""
    influxpy.connect(url)

    async with Tick.series.abatch_writer(batch_size=100, flush_interval=0.1) as writer:
        assert isinstance(writer, AsyncBatchWriter)
        for n in range(250):
            await writer.add(tick(n))
        for _ in range(500):
            if writer.written == 250:
                break
            await asyncio.sleep(0.01)
        assert writer.written == 250
        await writer.add(tick(250))
        await writer.flush()
        assert await Tick.series.acount() == 251

    assert await Tick.series.acount() == 251
    assert (writer.written, writer.failed, writer.pending) == (251, 0, 0)


def test_an_async_writer_goes_on_in_a_second_event_loop(url: str) -> None:
    """Points added in one asyncio.run() and then in another are all
    written: the first loop's end writes its points, the second add()
    starts the writer's task in the new loop."""
    influxpy.connect(url)
    writer = Tick.series.abatch_writer(batch_size=1000, flush_interval=None)

    async def add(first: int) -> None:
        for n in range(first, first + 700):
            await writer.add(tick(n))
        assert writer.pending > 0

    asyncio.run(add(0))
    assert writer.written == 700
    asyncio.run(add(700))

    async def close() -> None:
        await writer.aclose()

    asyncio.run(close())
    assert (writer.written, writer.failed, writer.pending) == (1400, 0, 0)
    assert count_of() == 1400


async def test_the_async_add_lets_a_ready_task_run_at_once(url: str) -> None:
    """A task ready to run (the one sending a batch takes many short turns)
    runs at the next add(), not after hundreds of points: a producer that
    never waits must not hold a request back meanwhile."""
    influxpy.connect(url)
    steps: list[int] = []

    async def stepping() -> None:
        for step in range(20):
            steps.append(step)
            await asyncio.sleep(0)

    async with Tick.series.abatch_writer(batch_size=1_000) as writer:
        await writer.add(tick(0))
        other = asyncio.create_task(stepping())
        for n in range(1, 100):
            await writer.add(tick(n))
        assert len(steps) == 20
        await other


def test_the_writers_are_exported() -> None:
    """Both writers are importable from the package."""
    assert influxpy.BatchWriter is BatchWriter
    assert influxpy.AsyncBatchWriter is AsyncBatchWriter
    assert influxpy.BatchWriteError is BatchWriteError


# -- interpreter exit ------------------------------------------------------------

_CHILD = """
import asyncio, sys
import influxpy
from influxpy import fields, models

class Tick(models.InfluxMeasurement):
    measurement = "ticks"
    value = fields.IntegerField()
    shard = fields.InfluxTag()

influxpy.connect(sys.argv[1])
T0 = {t0}

def ticks():
    return (Tick(value=n, shard="s0", time=T0 + n) for n in range(2_500))
"""

_SYNC_CHILD = """
writer = Tick.series.batch_writer(batch_size=1_000, flush_interval=60)
for point in ticks():
    writer.add(point)
print("added", writer.pending > 0)
"""

_ASYNC_CHILD = """
async def main():
    writer = Tick.series.abatch_writer(batch_size=1_000, flush_interval=60)
    for point in ticks():
        await writer.add(point)
    print("added", writer.pending > 0)

asyncio.run(main())
"""

_ABANDONED_LOOP_CHILD = """
async def main():
    writer = Tick.series.abatch_writer(batch_size=1_000, flush_interval=60)
    for point in ticks():
        await writer.add(point)
    print("added", writer.pending > 0)

asyncio.new_event_loop().run_until_complete(main())
"""


def run_child(script: str, url: str) -> subprocess.CompletedProcess[str]:
    """Run *script* after the child's set-up in a new interpreter."""
    code = textwrap.dedent(_CHILD.format(t0=T0)) + textwrap.dedent(script)
    return subprocess.run(
        [sys.executable, "-c", code, url],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "script",
    [_SYNC_CHILD, _ASYNC_CHILD, _ABANDONED_LOOP_CHILD],
    ids=["sync", "asyncio.run", "abandoned-loop"],
)
def test_points_left_in_a_writer_are_written_at_interpreter_exit(
    influx_server: InfluxServer, database: str, influx_url: str, script: str
) -> None:
    """A process that exits without closing its writer still writes every point."""
    result = run_child(script, influx_url)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "added True\n"
    assert "Traceback" not in result.stderr
    assert stored(influx_server, database) == exactly(2_500)


def test_a_writer_that_cannot_write_at_exit_says_so() -> None:
    """Points that cannot be written at exit are logged, never dropped silently."""
    url = f"influxdb://127.0.0.1:{free_port()}/db?retries=0&timeout=0.2"
    script = """
writer = Tick.series.batch_writer(flush_interval=60, retry_timeout=0.5)
for point in ticks():
    writer.add(point)
"""
    result = run_child(script, url)

    assert "could not write 2500 points" in result.stderr
    assert "BatchWriteError" in result.stderr


def test_the_writer_logs_each_retry(
    influx_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A retried batch leaves a warning naming the model and the wait."""
    caplog.set_level(logging.WARNING, logger="influxpy")
    register(f"{influx_url}?retries=0", Transport(FaultWindow(after=1, seconds=0.3)))

    with Tick.series.batch_writer() as writer:
        writer.add(tick(0))

    assert "The batch writer for Tick sends 1 points again in" in caplog.text
    assert writer.retried >= 1
    assert count_of() == 1
