"""Retries of HTTP requests: the total bound, the backoff and Retry-After.

By default a request that meets a connection error, a timeout, 5xx or 429
is tried again, with exponential backoff and full jitter, until
``retry_timeout`` (30 s) has passed since its first attempt; ``retries``,
when given, also caps the number of extra attempts. A ``Retry-After``
(seconds or an HTTP date) is waited for as asked, unless it runs past the
time left. The outage itself is real where it can be (influxd stopped and
restarted); faults a real server does not answer on demand (503 and 429
with Retry-After) come from a fake transport in front of the real server.
"""

from __future__ import annotations

import asyncio
import email.utils
import os
import signal
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

import influxpy
from _influxd import InfluxServer
from _models import ServerMeasurement
from influxpy.backends.http import HTTPBackend
from influxpy.backends.http import retry as _retry
from influxpy.backends.http.retry import Failure, RetryPolicy, parse_retry_after
from influxpy.connection import DatabaseURL
from influxpy.exceptions import InterfaceError, OperationalError

T0 = 1_513_071_900_000_000_000


@pytest.fixture(autouse=True)
def _fresh_connections() -> Iterator[None]:
    influxpy.connections.close_all()
    yield
    influxpy.connections.close_all()


class Clock:
    """A fake monotonic clock that the backoff's sleeps move forward."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """Sleep on a fake clock: retries take no time, and the bound is exact."""
    fake = Clock()
    real_sleep = asyncio.sleep

    async def asleep(seconds: float) -> None:
        fake.sleep(seconds)
        await real_sleep(0)

    monkeypatch.setattr(_retry, "clock", fake.monotonic)
    # The module's own names: what the backend calls between attempts.
    monkeypatch.setattr("influxpy.backends.http.sending.time.sleep", fake.sleep)
    monkeypatch.setattr("influxpy.backends.http.sending.asyncio.sleep", asleep)
    return fake


class Faults(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Answer the first requests with *faults*, then forward to the real server."""

    def __init__(self, *faults: httpx.Response | Exception) -> None:
        self.faults = list(faults)
        self.paths: list[str] = []
        self._real = httpx.HTTPTransport()
        self._areal = httpx.AsyncHTTPTransport()

    def _fault(self, request: httpx.Request) -> httpx.Response | None:
        self.paths.append(request.url.path)
        if not self.faults:
            return None
        fault = self.faults.pop(0)
        if isinstance(fault, Exception):
            raise fault
        return fault

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._fault(request) or self._real.handle_request(request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return self._fault(request) or await self._areal.handle_async_request(request)

    def close(self) -> None:
        self._real.close()

    async def aclose(self) -> None:
        await self._areal.aclose()


def unavailable(**headers: str) -> httpx.Response:
    return httpx.Response(503, json={"error": "overloaded"}, headers=headers)


def register(url: str, transport: httpx.BaseTransport) -> HTTPBackend:
    backend = HTTPBackend(DatabaseURL.parse(url), "default", transport=transport)
    influxpy.connections.register("default", backend)
    return backend


def point(n: int) -> ServerMeasurement:
    return ServerMeasurement(
        cpu=float(n), memory=n, free_memory=1, name="i-1", region="eu", time=T0 + n
    )


def count(server: InfluxServer, database: str) -> int:
    body = server.query("SELECT count(cpu) FROM servers", database)
    series = body["results"][0].get("series", [])
    return int(series[0]["values"][0][1]) if series else 0


# -- the total bound, not a count, ends the retries by default --------------------


def test_by_default_retries_go_on_past_three_until_the_server_answers(
    influx_server: InfluxServer, database: str, influx_url: str, clock: Clock
) -> None:
    """Eight 503s in a row, then the real server: bulk_create succeeds."""
    faults = Faults(*(unavailable() for _ in range(8)))
    register(influx_url, faults)

    written = ServerMeasurement.series.bulk_create(point(n) for n in range(10))

    assert written == 10
    assert faults.paths == ["/write"] * 9
    assert len(clock.sleeps) == 8
    # Full jitter under a ceiling that doubles from 0.1 s up to 5 s.
    ceilings = [min(5.0, 0.1 * 2**n) for n in range(8)]
    assert all(0 <= s <= c for s, c in zip(clock.sleeps, ceilings, strict=True))
    assert count(influx_server, database) == 10


def test_retries_stop_when_retry_timeout_has_passed(
    influx_url: str, clock: Clock
) -> None:
    """A server that is never back: no attempt starts after retry_timeout."""
    faults = Faults(*(unavailable() for _ in range(1000)))
    backend = register(f"{influx_url}?retry_timeout=20", faults)
    message = f"InfluxDB at {backend.base_url} failed with HTTP 503: overloaded."

    with pytest.raises(OperationalError, match=f"^{message}$"):
        backend.write_lines(["m v=1"])

    # The last wait ends at the bound exactly, and one last attempt is made.
    assert sum(clock.sleeps) == pytest.approx(20.0)
    assert len(faults.paths) == len(clock.sleeps) + 1
    assert len(faults.paths) > 4


def test_an_explicit_retries_caps_the_attempts_within_the_bound(
    influx_url: str, clock: Clock
) -> None:
    """retries=5: six attempts, then the error, though time is left."""
    faults = Faults(*(unavailable() for _ in range(10)))
    backend = register(f"{influx_url}?retries=5", faults)

    with pytest.raises(OperationalError):
        backend.write_lines(["m v=1"])

    assert (len(faults.paths), len(clock.sleeps)) == (6, 5)


def test_connection_errors_are_retried_until_the_bound_too(clock: Clock) -> None:
    """Refused connections for 12 attempts, then an answer: the write succeeds."""
    faults = Faults(*(httpx.ConnectError("connection refused") for _ in range(12)))
    faults.faults.append(httpx.Response(204))
    backend = register("influxdb://127.0.0.1:9/db", faults)

    assert backend.write_lines(["m v=1"]) == 1
    assert len(faults.paths) == 13


async def test_the_async_path_retries_until_the_bound(
    influx_server: InfluxServer, database: str, influx_url: str, clock: Clock
) -> None:
    """abulk_create() meets six 503s, then the server: every point is stored."""
    faults = Faults(*(unavailable() for _ in range(6)))
    register(influx_url, faults)

    written = await ServerMeasurement.series.abulk_create([point(n) for n in range(10)])

    assert written == 10
    assert len(clock.sleeps) == 6
    assert faults.paths == ["/write"] * 7
    assert count(influx_server, database) == 10


# -- Retry-After ---------------------------------------------------------------------


def test_retry_after_in_seconds_is_waited_for(
    influx_server: InfluxServer, database: str, influx_url: str, clock: Clock
) -> None:
    """429 with Retry-After: 7, then 503 with Retry-After: 2: both waited exactly."""
    faults = Faults(
        httpx.Response(429, json={"error": "slow down"}, headers={"Retry-After": "7"}),
        unavailable(**{"Retry-After": "2"}),
    )
    register(influx_url, faults)

    point(1).save()

    assert clock.sleeps == [7.0, 2.0]
    assert count(influx_server, database) == 1


def test_retry_after_as_an_http_date_is_waited_for(
    influx_server: InfluxServer, database: str, influx_url: str, clock: Clock
) -> None:
    """A 503 with Retry-After as an HTTP date about 4 s ahead: that long is waited."""
    when = email.utils.formatdate(time.time() + 4, usegmt=True)
    faults = Faults(unavailable(**{"Retry-After": when}))
    register(influx_url, faults)

    point(1).save()

    # The date has whole seconds: between 3 and 4 seconds from now.
    [wait] = clock.sleeps
    assert 2.5 <= wait <= 4.0
    assert count(influx_server, database) == 1


def test_a_retry_after_past_the_time_left_fails_at_once(
    influx_url: str, clock: Clock
) -> None:
    """Retry-After beyond what is left of retry_timeout: no wait, the error now."""
    when = email.utils.formatdate(time.time() + 3600, usegmt=True)
    faults = Faults(
        unavailable(**{"Retry-After": "12"}), unavailable(**{"Retry-After": when})
    )
    backend = register(f"{influx_url}?retry_timeout=15", faults)

    with pytest.raises(OperationalError, match="HTTP 503: overloaded"):
        backend.write_lines(["m v=1"])

    assert clock.sleeps == [12.0]
    assert len(faults.paths) == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("1.5", 1.5),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),
        ("Wednesday, 21-Oct-15 07:28:00 GMT", 30.0),
        ("", None),
        ("-5", None),
        ("soon", None),
    ],
)
def test_retry_after_values(value: str, expected: float | None) -> None:
    """Seconds, IMF dates and RFC 850 dates are read; a date passed means now."""
    now = email.utils.parsedate_to_datetime("Wed, 21 Oct 2015 07:27:30 GMT")

    assert parse_retry_after(value, now=now.timestamp()) == expected


def test_the_policy_never_waits_past_the_deadline() -> None:
    """The backoff is cut to the time left, and nothing is waited once it is gone."""
    policy = RetryPolicy(retries=None, retry_timeout=30.0)
    deadline = _retry.clock() + 0.05
    failure = Failure(status=503)

    waits = [policy.wait(attempt, deadline, failure) for attempt in range(10, 20)]

    assert all(w is not None and 0 <= w <= 0.05 for w in waits)
    assert policy.wait(0, _retry.clock() - 1, failure) is None
    assert policy.wait(0, deadline, Failure(status=400)) is None
    assert policy.wait(0, deadline, Failure(status=500, text="x")) is not None
    permanent = Failure(status=500, text="retention policy not found: x")
    assert policy.wait(0, deadline, permanent) is None


# -- a real outage: influxd stopped and started again ------------------------------


def test_bulk_create_rides_out_a_server_restart(
    influx_server: InfluxServer, database: str, influx_url: str
) -> None:
    """influxd is killed mid-write and started 3 s later: every point is stored.

    Default options: the writes retry (connection refused) within
    retry_timeout (30 s) until the server is back on the same port and data
    directory, and bulk_create returns the full count.
    """
    total = 200_000
    influxpy.connect(influx_url)
    restarted = threading.Event()

    def kill_and_restart() -> None:
        assert influx_server.pid is not None
        os.kill(influx_server.pid, signal.SIGKILL)
        influx_server.stop()  # reaps the killed process
        time.sleep(3.0)
        influx_server.start()
        restarted.set()

    killer = threading.Thread(target=kill_and_restart)

    def generate() -> Iterator[ServerMeasurement]:
        for n in range(total):
            if n == 60_000:
                killer.start()
            yield point(n)

    try:
        written = ServerMeasurement.series.bulk_create(generate(), batch_size=5_000)
    finally:
        if killer.is_alive() or killer.ident is not None:
            killer.join()

    assert restarted.is_set()
    assert written == total
    assert count(influx_server, database) == total


def test_without_retries_the_same_restart_fails_with_interface_error(
    influx_server: InfluxServer, database: str, influx_url: str
) -> None:
    """retries=0 keeps the old single attempt: the outage is an InterfaceError
    whose ``written`` is what the server had stored.
    """
    influxpy.connect(f"{influx_url}?retries=0")
    influx_server.stop()
    try:
        with pytest.raises(InterfaceError) as info:
            ServerMeasurement.series.bulk_create(point(n) for n in range(10))
    finally:
        influx_server.start()

    assert info.value.written == 0
    assert count(influx_server, database) == 0
