"""The HTTP backend against a real InfluxDB 1.6.7, plus recorded faults."""

from __future__ import annotations

import gzip
import json
import logging
import re
import socket
import time
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

import influxpy
from _influxd import InfluxServer, free_port
from _models import ServerMeasurement
from influxpy import fields, models
from influxpy.backends.base import DEFAULT_BATCH_SIZE
from influxpy.backends.http import HTTPBackend
from influxpy.backends.http import sending as http_module
from influxpy.connection import DatabaseURL
from influxpy.exceptions import (
    AuthenticationError,
    DatabaseNotFoundError,
    FieldTypeConflictError,
    InterfaceError,
    OperationalError,
    PartialWriteError,
    ProgrammingError,
)

T0 = 1_513_071_900_000_000_000
TOKEN = "v2-t0ken-Secret"


def exact(text: str) -> str:
    """Return a pattern that matches *text* literally and entirely."""
    return f"^{re.escape(text)}$"


@pytest.fixture(autouse=True)
def _fresh_connections() -> Iterator[None]:
    influxpy.connections.close_all()
    try:
        yield
    finally:
        influxpy.connections.close_all()


@pytest.fixture
def backend(influx_url: str) -> HTTPBackend:
    """The default connection, to the test's fresh database."""
    connection = influxpy.connect(influx_url)
    assert isinstance(connection, HTTPBackend)
    return connection


def point(n: int = 0, **changes: object) -> ServerMeasurement:
    """A README point at T0 + n ns; *changes* replace values."""
    values: dict[str, object] = {
        "cpu": 34,
        "memory": 8192,
        "free_memory": 6542,
        "name": "i-3a99f2b",
        "region": "us-east-1",
        "time": T0 + n,
    }
    values.update(changes)
    return ServerMeasurement(**values)


def line_of(obj: ServerMeasurement) -> str:
    return ServerMeasurement._meta.encoder.encode(obj)


def rows(server: InfluxServer, database: str, q: str) -> list[list[object]]:
    """The rows of the first series of *q* (epoch ns), or []."""
    body = server.query(q, database, epoch="ns")
    series = body["results"][0].get("series", [])
    return series[0]["values"] if series else []


def count(server: InfluxServer, database: str, q: str) -> int:
    found = rows(server, database, q)
    return int(found[0][1]) if found else 0


def snapshot(request: httpx.Request) -> httpx.Request:
    """A copy of *request* as it was sent.

    The backend removes the credentials from a request once it is sent, so
    tests that look at them keep a copy.
    """
    return httpx.Request(
        request.method,
        request.url,
        headers=request.headers.copy(),
        content=request.read(),
    )


class Recorder(httpx.BaseTransport):
    """Forward every request to the real server and keep a copy of it."""

    def __init__(self, on_request: Callable[[httpx.Request], None] | None = None):
        self.requests: list[httpx.Request] = []
        self.on_request = on_request
        self._real = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(snapshot(request))
        if self.on_request is not None:
            self.on_request(request)
        return self._real.handle_request(request)

    def close(self) -> None:
        self._real.close()


class Faults(httpx.MockTransport):
    """A mock transport that answers the first requests with faults.

    Each fault is an ``httpx.Response`` or an exception to raise; once they
    are used up, requests go on to the real server.
    """

    def __init__(self, *faults: httpx.Response | Exception) -> None:
        self.faults = list(faults)
        self.requests: list[httpx.Request] = []
        self._real = httpx.HTTPTransport()
        super().__init__(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(snapshot(request))
        if self.faults:
            fault = self.faults.pop(0)
            if isinstance(fault, Exception):
                raise fault
            return fault
        return self._real.handle_request(request)

    def close(self) -> None:
        self._real.close()


def register(
    url: str, transport: httpx.BaseTransport, alias: str = "default"
) -> HTTPBackend:
    """Build an HTTPBackend on *transport* and register it under *alias*."""
    backend = HTTPBackend(DatabaseURL.parse(url), alias, transport=transport)
    influxpy.connections.register(alias, backend)
    return backend


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the backoff waits instead of sleeping through them."""
    waits: list[float] = []
    monkeypatch.setattr(http_module.time, "sleep", waits.append)
    return waits


# -- administration --------------------------------------------------------------


def test_ping_returns_the_server_version(
    influx_server: InfluxServer, backend: HTTPBackend
) -> None:
    """ping() answers with the X-Influxdb-Version of the server."""
    version = influx_server.ping().headers["X-Influxdb-Version"]

    assert backend.ping() == version
    assert version.startswith("1.6.7")


def test_create_list_and_drop_databases(
    influx_server: InfluxServer, backend: HTTPBackend
) -> None:
    """Databases are created (idempotently), listed and dropped."""
    name = f"admin_{uuid.uuid4().hex[:8]}"
    try:
        backend.create_database(name)
        backend.create_database(name)
        assert name in backend.list_databases()
        body = influx_server.query("SHOW DATABASES")
        assert [name] in body["results"][0]["series"][0]["values"]
    finally:
        backend.drop_database(name)
    assert name not in backend.list_databases()


def test_create_and_drop_default_to_the_connections_database(
    influx_server: InfluxServer,
) -> None:
    """Without a name, the database of the URL is created and dropped."""
    name = f"own_{uuid.uuid4().hex[:8]}"
    backend = influxpy.connect(
        f"influxdb://{influx_server.host}:{influx_server.port}/{name}"
    )
    backend.create_database()
    try:
        assert name in backend.list_databases()
    finally:
        backend.drop_database()
    assert name not in backend.list_databases()


def test_a_raw_query_returns_series(
    influx_server: InfluxServer, database: str, backend: HTTPBackend
) -> None:
    """statements() runs InfluxQL and keeps integers apart from floats (msgpack)."""
    influx_server.write(f"m,host=a f=1,i=1i {T0}", database)

    [result] = backend.statements("SELECT f, i FROM m GROUP BY host")
    [series] = result.series

    assert (series.name, series.tags, series.columns) == (
        "m",
        {"host": "a"},
        ["time", "f", "i"],
    )
    assert series.values == [[T0, 1.0, 1]]
    assert [type(v) for v in series.values[0]] == [int, float, int]


# -- writes -----------------------------------------------------------------------


def test_save_create_and_bulk_create_write_to_the_server(
    influx_server: InfluxServer, database: str, backend: HTTPBackend
) -> None:
    """Each way of writing puts its points on the server, times to the ns."""
    point(1).save()
    ServerMeasurement.series.create(
        cpu=2, memory=2, free_memory=2, name="b", region="r", time=T0 + 2
    )
    written = ServerMeasurement.series.bulk_create([point(3), point(4, cpu=5.5)])

    assert written == 2
    found = rows(influx_server, database, "SELECT cpu, memory FROM servers")
    assert found == [
        [T0 + 1, 34, 8192],
        [T0 + 2, 2, 2],
        [T0 + 3, 34, 8192],
        [T0 + 4, 5.5, 8192],
    ]


def test_bulk_create_streams_a_generator_in_batches(
    influx_server: InfluxServer, database: str, influx_url: str
) -> None:
    """200,000 points from a generator go out 5,000 at a time, as produced."""
    total = 200_000
    progress = {"made": 0}
    made_at_request: list[int] = []
    recorder = Recorder(lambda _: made_at_request.append(progress["made"]))
    register(influx_url, recorder)

    def generate() -> Iterator[ServerMeasurement]:
        for n in range(total):
            progress["made"] = n + 1
            yield ServerMeasurement(
                cpu=n % 100, name=f"i-{n % 10}", region="eu", time=T0 + n
            )

    written = ServerMeasurement.series.bulk_create(generate())

    assert written == total
    writes = [r for r in recorder.requests if r.url.path == "/write"]
    assert len(writes) == total // DEFAULT_BATCH_SIZE
    assert all(r.content.count(b"\n") == DEFAULT_BATCH_SIZE - 1 for r in writes)
    # Batch k is sent once batch k (and at most batch k + 1) has been produced.
    for k, made in enumerate(made_at_request, start=1):
        assert made <= (k + 1) * DEFAULT_BATCH_SIZE
    assert count(influx_server, database, "SELECT count(cpu) FROM servers") == total


@pytest.mark.parametrize("option", ["true", "false"])
def test_write_bodies_are_gzipped_when_asked_and_carry_no_precision(
    influx_server: InfluxServer, database: str, influx_url: str, option: str
) -> None:
    """gzip=true compresses each body; no request sends a precision parameter."""
    recorder = Recorder()
    register(f"{influx_url}?gzip={option}", recorder)
    points = [point(n) for n in range(25)]

    ServerMeasurement.series.bulk_create(points, batch_size=10)

    writes = [r for r in recorder.requests if r.url.path == "/write"]
    assert len(writes) == 3
    bodies = []
    for request in writes:
        assert "precision" not in request.url.params
        assert dict(request.url.params) == {"db": database}
        if option == "true":
            assert request.headers["Content-Encoding"] == "gzip"
            bodies.append(gzip.decompress(request.content).decode())
        else:
            assert "Content-Encoding" not in request.headers
            bodies.append(request.content.decode())
    assert "\n".join(bodies).split("\n") == [line_of(p) for p in points]
    assert count(influx_server, database, "SELECT count(cpu) FROM servers") == 25


def test_meta_retention_policy_is_used_for_writes(
    influx_server: InfluxServer, database: str, backend: HTTPBackend
) -> None:
    """A model with Meta.retention_policy writes into that retention policy."""
    influx_server.query(
        f'CREATE RETENTION POLICY "one_year" ON "{database}" DURATION 52w REPLICATION 1'
    )

    class Hourly(models.InfluxMeasurement):
        mean_cpu = fields.FloatField()
        name = fields.InfluxTag()

        class Meta:
            measurement = "cpu_1h"
            retention_policy = "one_year"

    now = time.time_ns()
    Hourly(mean_cpu=0.5, name="a", time=now).save()

    assert rows(
        influx_server, database, 'SELECT mean_cpu FROM "one_year"."cpu_1h"'
    ) == [[now, 0.5]]
    assert (
        rows(influx_server, database, 'SELECT mean_cpu FROM "autogen"."cpu_1h"') == []
    )


def test_the_rp_option_is_the_default_retention_policy(
    influx_server: InfluxServer, database: str, influx_url: str
) -> None:
    """?rp= sends writes of models without Meta.retention_policy there."""
    influx_server.query(
        f'CREATE RETENTION POLICY "short" ON "{database}" DURATION 1h REPLICATION 1'
    )
    influxpy.connect(f"{influx_url}?rp=short")
    now = time.time_ns()

    point(cpu=7, time=now).save()

    assert rows(influx_server, database, 'SELECT cpu FROM "short"."servers"') == [
        [now, 7]
    ]
    assert rows(influx_server, database, 'SELECT cpu FROM "autogen"."servers"') == []


def test_an_unknown_retention_policy_is_refused_without_retrying(
    influx_server: InfluxServer, influx_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """1.x answers 500 for a missing retention policy; that is not retried."""
    backend = influxpy.connect(f"{influx_url}?rp=nope")
    message = (
        f"InfluxDB at http://{influx_server.host}:{influx_server.port} has no "
        "such retention policy: retention policy not found: nope."
    )

    with pytest.raises(ProgrammingError, match=exact(message)):
        backend.write_lines(["m v=1"])
    assert not [r for r in caplog.records if r.name == "influxpy"]


def test_an_unknown_database_says_how_to_create_it(
    influx_server: InfluxServer,
) -> None:
    """Writing to or reading from a missing database raises DatabaseNotFoundError."""
    name = f"missing_{uuid.uuid4().hex[:8]}"
    where = f"InfluxDB at http://{influx_server.host}:{influx_server.port}"
    influxpy.connect(f"influxdb://{influx_server.host}:{influx_server.port}/{name}")
    write_message = (
        f"The database {name!r} does not exist on {where}. Create it with "
        f"influxpy.connect(...).create_database({name!r}) or the statement "
        f'CREATE DATABASE "{name}".'
    )
    query_message = (
        f"The database {name!r} does not exist on {where}. Create it with "
        f"influxpy.connect(...).create_database({name!r})."
    )

    with pytest.raises(DatabaseNotFoundError, match=exact(write_message)):
        point().save()
    with pytest.raises(DatabaseNotFoundError, match=exact(query_message)):
        list(ServerMeasurement.series.all())


def test_a_field_type_conflict_names_the_rejected_points(
    influx_server: InfluxServer, database: str, backend: HTTPBackend
) -> None:
    """Points with a conflicting type are rejected and carried; the rest land."""
    influx_server.write(f"servers,name=old,region=r memory=1.5 {T0}", database)
    points = [point(n, memory=n if n % 2 else None) for n in range(1, 7)]
    rejected = [line_of(p) for p in points if p.memory is not None]
    reason = (
        'partial write: field type conflict: input field "memory" on measurement '
        '"servers" is type integer, already exists as type float dropped=3'
    )
    message = (
        "InfluxDB rejected 3 of 6 points because of a field type conflict (the "
        f"other points were written): {reason}."
    )

    with pytest.raises(FieldTypeConflictError, match=exact(message)) as info:
        ServerMeasurement.series.bulk_create(points)

    error = info.value
    assert isinstance(error, PartialWriteError)
    assert error.lines == tuple(rejected)
    assert (error.dropped, error.reason, error.written) == (3, reason, 0)
    stored = rows(influx_server, database, "SELECT cpu FROM servers")
    assert [r[0] for r in stored] == [T0 + 2, T0 + 4, T0 + 6]


def test_a_type_conflict_in_a_new_shard_rejects_the_whole_batch(
    influx_server: InfluxServer, database: str, backend: HTTPBackend
) -> None:
    """Inside one batch on a new shard, 1.6.7 rejects the batch's points in
    that shard group and says neither which nor how many: we say so."""
    points = [point(1, cpu=1), point(2, cpu="high"), point(3, cpu=2)]
    message = (
        "InfluxDB refused the points of a request of 3 points in a shard group "
        "because of a field type conflict: field type conflict. Its points "
        "there gave a field two types; points in other shard groups were "
        "written, and InfluxDB does not say which lines were refused (the "
        "error's lines are all the request's)."
    )

    with pytest.raises(FieldTypeConflictError, match=exact(message)) as info:
        ServerMeasurement.series.bulk_create(points)

    assert info.value.lines == tuple(line_of(p) for p in points)
    assert info.value.reason == "field type conflict"
    assert rows(influx_server, database, "SELECT cpu FROM servers") == []


def test_a_bulk_write_failing_part_way_reports_what_was_written(
    influx_server: InfluxServer, database: str, backend: HTTPBackend
) -> None:
    """A conflict in the 3rd batch stops the write; .written counts batches 1-2."""
    influx_server.write(f"servers,name=old,region=r memory=1.5 {T0}", database)
    consumed = []

    def generate() -> Iterator[ServerMeasurement]:
        for n in range(1, 51):
            consumed.append(n)
            # Batch 3 is points 21-30: the first five carry a conflicting int.
            yield point(n, memory=n if 21 <= n <= 25 else None)

    reason = (
        'partial write: field type conflict: input field "memory" on measurement '
        '"servers" is type integer, already exists as type float dropped=5'
    )
    message = (
        "InfluxDB rejected 5 of 10 points because of a field type conflict (the "
        f"other points were written): {reason}. 20 points of earlier batches "
        "were written."
    )

    with pytest.raises(FieldTypeConflictError, match=exact(message)) as info:
        ServerMeasurement.series.bulk_create(generate(), batch_size=10)

    assert info.value.written == 20
    assert info.value.lines == tuple(line_of(point(n, memory=n)) for n in range(21, 26))
    # Batch 4 was encoded while batch 3 was in flight, but never sent.
    assert len(consumed) == 40
    assert count(influx_server, database, "SELECT count(cpu) FROM servers") == 25


def test_an_unparsable_line_is_carried_by_the_error(
    influx_server: InfluxServer, database: str, backend: HTTPBackend
) -> None:
    """write_lines() with a bad line: PartialWriteError with .lines; others land."""
    lines = [f"m v=1 {T0}", f"m v= {T0 + 1}", f"m v=3 {T0 + 2}"]
    reason = (
        f"partial write: unable to parse 'm v= {T0 + 1}': missing field value dropped=0"
    )
    message = (
        f"InfluxDB rejected 1 of 3 points (the other points were written): {reason}."
    )

    with pytest.raises(PartialWriteError, match=exact(message)) as info:
        backend.write_lines(lines)

    assert info.value.lines == (f"m v= {T0 + 1}",)
    assert (info.value.reason, info.value.dropped) == (reason, 0)
    assert rows(influx_server, database, "SELECT v FROM m") == [[T0, 1], [T0 + 2, 3]]


def test_only_unparsable_lines_write_nothing(backend: HTTPBackend) -> None:
    """When every line is bad the server writes nothing, and the message says so."""
    message = (
        "InfluxDB rejected 2 of 2 points (no point was written): unable to parse "
        "'m v=': missing field value\nunable to parse 'x y': invalid field format."
    )

    with pytest.raises(PartialWriteError, match=exact(message)) as info:
        backend.write_lines(["m v=", "x y"])

    assert info.value.lines == ("m v=", "x y")


def test_write_lines_returns_the_count(
    influx_server: InfluxServer, database: str, backend: HTTPBackend
) -> None:
    """write_lines() writes ready-made lines in batches and counts them."""
    lines = (f"m v={n}i {T0 + n}" for n in range(12))

    assert backend.write_lines(lines, batch_size=5) == 12
    assert count(influx_server, database, "SELECT count(v) FROM m") == 12


# -- authentication -----------------------------------------------------------


def test_the_right_password_works(auth_server: InfluxServer) -> None:
    """With the admin password, databases, writes and queries all work."""
    host = f"{auth_server.host}:{auth_server.port}"
    name = f"auth_{uuid.uuid4().hex[:8]}"
    backend = influxpy.connect(f"influxdb://admin:{auth_server.password}@{host}/{name}")
    backend.create_database()
    try:
        point().save()
        [result] = list(ServerMeasurement.series.all())
        assert result.points[0]["memory"] == 8192
    finally:
        backend.drop_database()


def test_a_wrong_password_raises_authentication_error(
    auth_server: InfluxServer,
) -> None:
    """A wrong password is an AuthenticationError naming the user, not the password."""
    host = f"{auth_server.host}:{auth_server.port}"
    backend = influxpy.connect(f"influxdb://admin:not-the-pass@{host}/db")
    message = (
        f"InfluxDB at http://{host} refused the request for user 'admin' (HTTP "
        "401): authorization failed."
    )

    with pytest.raises(AuthenticationError, match=exact(message)) as info:
        backend.list_databases()

    assert isinstance(info.value, OperationalError)
    assert "not-the-pass" not in str(info.value)


def test_missing_credentials_say_where_to_put_them(auth_server: InfluxServer) -> None:
    """Without credentials the message shows the URL form that carries them."""
    host = f"{auth_server.host}:{auth_server.port}"
    backend = influxpy.connect(f"influxdb://{host}/db")
    message = (
        f"InfluxDB at http://{host} refused the request (HTTP 401): unable to "
        "parse authentication credentials. Put credentials in the URL: "
        "influxdb://user:password@host/db."
    )

    with pytest.raises(AuthenticationError, match=exact(message)):
        backend.write_lines(["m v=1"])


@pytest.mark.parametrize("auth", ["basic", "query"])
def test_credentials_travel_as_asked(auth_server: InfluxServer, auth: str) -> None:
    """auth=basic sends an Authorization header; auth=query sends u and p."""
    host = f"{auth_server.host}:{auth_server.port}"
    recorder = Recorder()
    backend = register(
        f"influxdb://admin:{auth_server.password}@{host}/db?auth={auth}", recorder
    )

    assert isinstance(backend.list_databases(), list)

    [request] = recorder.requests
    params = request.url.params
    if auth == "query":
        assert (params["u"], params["p"]) == ("admin", auth_server.password)
        assert "Authorization" not in request.headers
    else:
        assert "u" not in params
        assert "p" not in params
        assert request.headers["Authorization"].startswith("Basic ")


# -- unreachable and slow servers ---------------------------------------------------


def test_a_server_not_listening_raises_interface_error_quickly() -> None:
    """Nothing on the port: InterfaceError after the retries, well within bounds."""
    port = free_port()
    backend = influxpy.connect(
        f"influxdb://127.0.0.1:{port}/db?timeout=0.5&retries=1&retry_timeout=2"
    )
    message = (
        f"Cannot reach InfluxDB at http://127.0.0.1:{port} (2 attempts): [Errno "
        "111] Connection refused. Check that the server is running and the URL "
        "is right."
    )

    started = time.monotonic()
    with pytest.raises(InterfaceError, match=exact(message)):
        backend.ping()
    with pytest.raises(InterfaceError, match=exact(message)):
        backend.write_lines(["m v=1"])
    with pytest.raises(InterfaceError, match=exact(message)):
        list(ServerMeasurement.series.all())
    assert time.monotonic() - started < 10


def test_a_server_that_never_answers_times_out() -> None:
    """A listener that never answers: OperationalError after each attempt's timeout."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        backend = influxpy.connect(
            f"influxdb://127.0.0.1:{port}/db?timeout=0.5&retries=1&retry_timeout=2"
        )
        message = (
            f"InfluxDB at http://127.0.0.1:{port} did not answer within 0.5s (2 "
            "attempts): timed out. Raise the connection option 'timeout' for slow "
            "queries."
        )

        started = time.monotonic()
        with pytest.raises(OperationalError, match=exact(message)):
            backend.ping()
        elapsed = time.monotonic() - started

    assert 0.9 < elapsed < 10


def test_without_retries_one_attempt_is_made() -> None:
    """retries=0 means a single attempt, and the message says so."""
    port = free_port()
    backend = influxpy.connect(f"influxdb://127.0.0.1:{port}/db?retries=0")
    message = (
        f"Cannot reach InfluxDB at http://127.0.0.1:{port} (1 attempt): [Errno "
        "111] Connection refused. Check that the server is running and the URL "
        "is right."
    )

    with pytest.raises(InterfaceError, match=exact(message)):
        backend.ping()


# -- retries (faults injected in front of the real server) --------------------------


def fault(status: int, text: str, **headers: str) -> httpx.Response:
    return httpx.Response(status, json={"error": text}, headers=headers)


def test_server_errors_are_retried_with_backoff_then_succeed(
    influx_server: InfluxServer,
    database: str,
    influx_url: str,
    sleeps: list[float],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """500, 503 and 429 are retried, waiting longer each time; then it works."""
    faults = Faults(
        fault(500, "engine hiccup"),
        fault(503, "overloaded"),
        fault(429, "slow down", **{"Retry-After": "2"}),
    )
    register(f"{influx_url}?retries=3", faults)

    with caplog.at_level(logging.WARNING, logger="influxpy"):
        point().save()

    assert len(faults.requests) == 4
    assert [r.url.path for r in faults.requests] == ["/write"] * 4
    assert len({r.content for r in faults.requests}) == 1
    assert 0 <= sleeps[0] <= 0.1
    assert 0 <= sleeps[1] <= 0.2
    assert sleeps[2] == 2.0
    where = f"InfluxDB at http://{influx_server.host}:{influx_server.port}"
    pattern = re.compile(
        rf"{re.escape(where)}: HTTP (\d+) on POST /write; retrying in "
        rf"\d+\.\d\ds \(attempt (\d) of 3\)\."
    )
    logged = [pattern.fullmatch(r.getMessage()) for r in caplog.records]
    assert [(m[1], m[2]) for m in logged if m] == [
        ("500", "1"),
        ("503", "2"),
        ("429", "3"),
    ]
    assert rows(influx_server, database, "SELECT cpu FROM servers") == [[T0, 34]]


def test_queries_are_retried_too(
    influx_server: InfluxServer, database: str, influx_url: str, sleeps: list[float]
) -> None:
    """A query that meets a 503 is sent again."""
    influx_server.write(f"servers,name=a,region=b cpu=1 {T0}", database)
    faults = Faults(fault(503, "overloaded"))
    register(influx_url, faults)

    [result] = list(ServerMeasurement.series.all())

    assert result.points[0]["cpu"] == 1.0
    assert [r.url.path for r in faults.requests] == ["/query", "/query"]
    assert len(sleeps) == 1


def test_connection_errors_are_retried(
    influx_server: InfluxServer, database: str, influx_url: str, sleeps: list[float]
) -> None:
    """A refused or reset connection is retried like a 5xx."""
    faults = Faults(
        httpx.ConnectError("connection refused"),
        httpx.RemoteProtocolError("server disconnected"),
    )
    register(influx_url, faults)

    point().save()

    assert len(faults.requests) == 3
    assert len(sleeps) == 2
    assert rows(influx_server, database, "SELECT cpu FROM servers") == [[T0, 34]]


def test_retries_give_up_after_the_configured_count(
    influx_server: InfluxServer, database: str, influx_url: str, sleeps: list[float]
) -> None:
    """With retries=2 a fourth 503 is never waited for: the error is raised."""
    faults = Faults(*(fault(503, "overloaded") for _ in range(4)))
    register(f"{influx_url}?retries=2", faults)
    message = (
        f"InfluxDB at http://{influx_server.host}:{influx_server.port} failed "
        "with HTTP 503: overloaded."
    )

    with pytest.raises(OperationalError, match=exact(message)):
        point().save()

    assert len(faults.requests) == 3
    assert len(sleeps) == 2
    assert rows(influx_server, database, "SELECT cpu FROM servers") == []


def test_connection_errors_give_up_with_interface_error(
    influx_url: str, sleeps: list[float]
) -> None:
    """Connection errors on every attempt end in InterfaceError."""
    faults = Faults(*(httpx.ConnectError("connection refused") for _ in range(3)))
    backend = register(f"{influx_url}?retries=2", faults)
    message = (
        f"Cannot reach InfluxDB at {backend.base_url} (3 attempts): connection "
        "refused. Check that the server is running and the URL is right."
    )

    with pytest.raises(InterfaceError, match=exact(message)):
        backend.ping()
    assert len(faults.requests) == 3


def test_a_retry_after_beyond_the_retry_timeout_is_not_waited_for(
    influx_url: str, sleeps: list[float]
) -> None:
    """A Retry-After longer than retry_timeout fails at once instead of hanging."""
    faults = Faults(fault(429, "slow down", **{"Retry-After": "600"}))
    backend = register(f"{influx_url}?retry_timeout=5", faults)
    message = f"InfluxDB at {backend.base_url} failed with HTTP 429: slow down."

    with pytest.raises(OperationalError, match=exact(message)):
        backend.write_lines(["m v=1"])
    assert (len(faults.requests), sleeps) == (1, [])


def test_client_errors_are_not_retried(influx_url: str, sleeps: list[float]) -> None:
    """A 400 is an answer, not a hiccup: it is raised at once."""
    faults = Faults(fault(400, "unable to parse 'm v=': missing field value"))
    backend = register(influx_url, faults)

    with pytest.raises(PartialWriteError):
        backend.write_lines(["m v="])
    assert (len(faults.requests), sleeps) == (1, [])


# -- InfluxDB 2.x / 3.x through the v1 API (recorded exchanges) ---------------------


def v2_server(requests: list[httpx.Request]) -> httpx.MockTransport:
    """A recorded InfluxDB 2.x v1-compatibility API that demands a token."""

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(snapshot(request))
        headers = {"X-Influxdb-Version": "v2.7.12", "X-Influxdb-Build": "OSS"}
        if request.headers.get("Authorization") != f"Token {TOKEN}":
            body = {"code": "unauthorized", "message": "unauthorized access"}
            return httpx.Response(401, json=body, headers=headers)
        if request.url.path == "/ping":
            return httpx.Response(204, headers=headers)
        if request.url.path == "/write":
            text = request.content.decode()
            if "cpu=" not in text:
                body = {
                    "code": "invalid",
                    "message": f"unable to parse '{text}': missing fields",
                }
                return httpx.Response(400, json=body, headers=headers)
            return httpx.Response(204, headers=headers)
        body = {
            "results": [
                {
                    "statement_id": 0,
                    "series": [
                        {
                            "name": "servers",
                            "tags": {"name": "i-3a99f2b"},
                            "columns": ["time", "cpu"],
                            "values": [[T0, 34.0]],
                        }
                    ],
                }
            ]
        }
        return httpx.Response(200, json=body, headers=headers)

    return httpx.MockTransport(handle)


def test_token_is_sent_as_an_authorization_header() -> None:
    """token= sends ``Authorization: Token …`` on every request; JSON is read."""
    requests: list[httpx.Request] = []
    backend = register(
        f"influxdb://v2.example:8086/metrics?token={TOKEN}&gzip=false",
        v2_server(requests),
    )

    assert backend.ping() == "v2.7.12"
    point().save()
    [result] = list(ServerMeasurement.series.group_by("name"))

    # ping() checks the token with a query: /ping itself needs none.
    assert [r.url.path for r in requests] == ["/ping", "/query", "/write", "/query"]
    assert {r.headers["Authorization"] for r in requests} == {f"Token {TOKEN}"}
    write = requests[2]
    assert dict(write.url.params) == {"db": "metrics"}
    assert write.content.decode() == line_of(point())
    assert result.tags == {"name": "i-3a99f2b"}
    assert result.points == [{"time": point().time, "cpu": 34.0}]
    assert TOKEN not in repr(backend)


def test_a_2x_error_body_is_mapped() -> None:
    """``{"code": …, "message": …}`` bodies become our exceptions with the message."""
    requests: list[httpx.Request] = []
    register(
        f"influxdb://v2.example:8086/metrics?token={TOKEN}&gzip=false",
        v2_server(requests),
    )
    message = (
        "InfluxDB rejected 1 of 1 points (no point was written): unable to parse "
        f"'servers,name=a,region=b memory=1i {T0}': missing fields."
    )

    with pytest.raises(PartialWriteError, match=exact(message)) as info:
        point(cpu=None, free_memory=None, memory=1, name="a", region="b").save()

    assert info.value.lines == (f"servers,name=a,region=b memory=1i {T0}",)


def test_a_wrong_token_is_an_authentication_error_without_the_token() -> None:
    """A 2.x 401 body maps to AuthenticationError; the token is never shown."""
    requests: list[httpx.Request] = []
    wrong = "wr0ng-t0ken"
    backend = register(
        f"influxdb://v2.example:8086/metrics?token={wrong}", v2_server(requests)
    )
    message = (
        "InfluxDB at http://v2.example:8086 refused the request (HTTP 401): "
        "unauthorized access."
    )

    with pytest.raises(AuthenticationError, match=exact(message)) as info:
        backend.list_databases()

    assert requests[0].headers["Authorization"] == f"Token {wrong}"
    assert wrong not in str(info.value)


def test_a_2x_server_answering_json_to_a_query_error() -> None:
    """A query error in a JSON result is a ProgrammingError with the server text."""

    def handle(request: httpx.Request) -> httpx.Response:
        body = {"results": [{"statement_id": 0, "error": "undefined function foo()"}]}
        return httpx.Response(200, content=json.dumps(body).encode())

    backend = register(
        f"influxdb://v2.example:8086/metrics?token={TOKEN}", httpx.MockTransport(handle)
    )
    message = (
        "Statement 0 of the query failed on the influxdb backend: undefined "
        "function foo()."
    )

    with pytest.raises(ProgrammingError, match=exact(message)):
        backend.query("SELECT foo(cpu) FROM servers")


def test_a_2x_database_without_a_dbrp_mapping() -> None:
    """2.x answers 404 "no dbrp mapping found"; the error says how to map it."""

    def handle(request: httpx.Request) -> httpx.Response:
        body = {"code": "not found", "message": "no dbrp mapping found"}
        return httpx.Response(404, json=body)

    register(
        f"influxdb://v2.example:8086/metrics?token={TOKEN}&gzip=false",
        httpx.MockTransport(handle),
    )
    message = (
        "The database 'metrics' maps to no bucket on InfluxDB at "
        "http://v2.example:8086 (no dbrp mapping found). On InfluxDB 2.x, create "
        "a bucket and a DBRP mapping for it (influx v1 dbrp create)."
    )

    with pytest.raises(DatabaseNotFoundError, match=exact(message)):
        point().save()
