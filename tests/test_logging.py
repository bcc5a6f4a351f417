"""Query and write logging on ``influxpy.query`` and ``influxpy.write``.

Every test that reaches a store runs on the real InfluxDB and on the
embedded engine (the ``conn`` fixture). A record per statement run, with
its text, wall time, rows and alias; a record per write call with its
points, bytes and batches; nothing (and no wrapping) with DEBUG off;
passwords never in a record.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

import influxpy
from _models import ServerMeasurement
from influxpy._logging import redact, split_statements
from influxpy.backends.base import Backend
from influxpy.compilers.base import Compiled
from influxpy.results import Series, StatementResult

T0 = 1_513_071_900_000_000_000
MINUTE = 60_000_000_000


def points(n: int) -> list[ServerMeasurement]:
    return [
        ServerMeasurement(
            cpu=float(i),
            memory=1,
            free_memory=1,
            name=f"host-{i % 2}",
            region="eu",
            time=T0 + i * MINUTE,
        )
        for i in range(n)
    ]


def records(caplog: pytest.LogCaptureFixture, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == name]


@pytest.fixture
def debug(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    with (
        caplog.at_level(logging.DEBUG, logger="influxpy.query"),
        caplog.at_level(logging.DEBUG, logger="influxpy.write"),
    ):
        yield caplog


def test_a_query_logs_one_record_with_its_statement(
    conn: str, caplog: pytest.LogCaptureFixture
) -> None:
    qs = ServerMeasurement.series.using(conn)
    qs.bulk_create(points(5))
    with caplog.at_level(logging.DEBUG, logger="influxpy.query"):
        result = list(qs.filter(name="host-0"))
    (record,) = records(caplog, "influxpy.query")
    assert sum(len(r.points) for r in result) == 3
    assert record.levelno == logging.DEBUG
    assert record.rows == 3  # type: ignore[attr-defined]
    assert record.alias == conn  # type: ignore[attr-defined]
    assert record.error is None  # type: ignore[attr-defined]
    duration = record.duration  # type: ignore[attr-defined]
    assert isinstance(duration, float)
    assert duration >= 0
    statement = record.statement  # type: ignore[attr-defined]
    assert "servers" in statement
    assert "host-0" in statement or "$" in statement or "?" in statement
    assert statement in record.getMessage()
    if conn.endswith("influxdb"):
        # The server receives the QuerySet's InfluxQL, as str(qs.query) shows.
        assert statement == str(qs.filter(name="host-0").query)


def test_async_reads_and_writes_log_once(
    conn: str, debug: pytest.LogCaptureFixture
) -> None:
    qs = ServerMeasurement.series.using(conn)

    async def run() -> int:
        await qs.abulk_create(points(4), batch_size=3)
        return await qs.acount()

    assert asyncio.run(run()) == 4
    (write,) = records(debug, "influxpy.write")
    assert write.points == 4  # type: ignore[attr-defined]
    assert write.batches == 2  # type: ignore[attr-defined]
    (query,) = records(debug, "influxpy.query")
    assert "count" in query.statement.lower()  # type: ignore[attr-defined]
    assert query.alias == conn  # type: ignore[attr-defined]
    assert query.rows == 1  # type: ignore[attr-defined]


def test_a_write_logs_points_batches_and_bytes(
    conn: str, debug: pytest.LogCaptureFixture
) -> None:
    written = ServerMeasurement.series.using(conn).bulk_create(points(7), batch_size=3)
    assert written == 7
    (record,) = records(debug, "influxpy.write")
    assert record.points == 7  # type: ignore[attr-defined]
    assert record.batches == 3  # type: ignore[attr-defined]
    assert record.alias == conn  # type: ignore[attr-defined]
    assert isinstance(record.duration, float)  # type: ignore[attr-defined]
    if conn.endswith("influxdb"):
        # The line protocol sent (before compression).
        sent = "\n".join(p._meta.encoder.encode_many([p])[0] for p in points(7))
        assert record.bytes == len(sent.encode()) - 2  # type: ignore[attr-defined]
    else:
        assert record.bytes is None  # type: ignore[attr-defined]
    assert "wrote 7 points in 3 batches" in record.getMessage()


def test_a_frame_write_logs_one_record(
    conn: str, debug: pytest.LogCaptureFixture
) -> None:
    # The default write_frame() writes through write_lines(): still one record.
    frame = pd.DataFrame(
        {
            "time": pd.to_datetime([T0, T0 + MINUTE], utc=True),
            "cpu": [1.0, 2.0],
            "memory": [1, 2],
            "free_memory": [1, 2],
            "name": ["a", "b"],
            "region": ["eu", "eu"],
        }
    )
    assert ServerMeasurement.series.using(conn).write_dataframe(frame) == 2
    (record,) = records(debug, "influxpy.write")
    assert record.points == 2  # type: ignore[attr-defined]
    assert record.batches == 1  # type: ignore[attr-defined]


def test_a_failing_statement_logs_its_error(
    conn: str, debug: pytest.LogCaptureFixture
) -> None:
    backend = influxpy.connections[conn]
    # The server cannot parse it; the engine runs only what its compiler made.
    with pytest.raises(influxpy.ProgrammingError) as raised:
        list(backend.execute(Compiled("SELECT FROM nowhere"), database="other"))
    (record,) = records(debug, "influxpy.query")
    assert record.statement == "SELECT FROM nowhere"  # type: ignore[attr-defined]
    assert record.database == "other"  # type: ignore[attr-defined]
    assert record.rows is None  # type: ignore[attr-defined]
    assert record.error == f"ProgrammingError: {raised.value}"  # type: ignore[attr-defined]


def test_a_failing_write_logs_what_it_stored(
    conn: str, debug: pytest.LogCaptureFixture
) -> None:
    backend = influxpy.connections[conn]
    line = f"servers,name=a cpu=1 {T0}"
    with pytest.raises(influxpy.DatabaseError):
        backend.write_lines([line, f'servers,name=a cpu="text" {T0 + 1}'], batch_size=1)
    (record,) = records(debug, "influxpy.write")
    assert record.error is not None  # type: ignore[attr-defined]
    assert record.points == 1  # type: ignore[attr-defined]
    assert record.batches == 2  # type: ignore[attr-defined]


def test_a_query_stopped_early_is_logged_when_closed(
    conn: str, debug: pytest.LogCaptureFixture
) -> None:
    qs = ServerMeasurement.series.using(conn)
    qs.bulk_create(points(6))
    debug.clear()
    backend = influxpy.connections[conn]
    pieces = backend.execute(qs.query.compile(backend.get_compiler()), chunk_size=2)
    next(iter(pieces))
    assert records(debug, "influxpy.query") == []
    pieces.close()  # type: ignore[attr-defined]
    (record,) = records(debug, "influxpy.query")
    assert record.rows == 2  # type: ignore[attr-defined]
    assert record.error is None  # type: ignore[attr-defined]


def test_nothing_is_logged_or_wrapped_with_debug_off(
    conn: str, caplog: pytest.LogCaptureFixture
) -> None:
    qs = ServerMeasurement.series.using(conn)
    backend = influxpy.connections[conn]
    compiled = qs.query.compile(backend.get_compiler())
    with caplog.at_level(logging.INFO, logger="influxpy"):
        qs.bulk_create(points(2))
        assert len(list(qs.points())) == 2
        pieces = backend.execute(compiled)
        # The backend's own generator, not a logging wrapper around it.
        assert pieces.__name__ == "_results"  # type: ignore[attr-defined]
        list(pieces)
    assert records(caplog, "influxpy.query") == []
    assert records(caplog, "influxpy.write") == []
    with caplog.at_level(logging.DEBUG, logger="influxpy.query"):
        pieces = backend.execute(compiled)
        assert pieces.__name__ == "_follow"  # type: ignore[attr-defined]
        list(pieces)


def test_passwords_never_appear(
    influx_url: str, debug: pytest.LogCaptureFixture
) -> None:
    backend = influxpy.connect(influx_url, alias="logging-secrets")
    user = f"u{uuid.uuid4().hex[:8]}"
    secret = "Pa55-w0rd;'x"
    quoted = secret.replace("'", "\\'")
    try:
        backend.query(f"CREATE USER \"{user}\" WITH PASSWORD '{quoted}'")
        backend.query(f"SET PASSWORD FOR \"{user}\" = '{quoted}'")
        backend.query(f'DROP USER "{user}"')
    finally:
        backend.close()
    logged = records(debug, "influxpy.query")
    assert len(logged) == 3
    for record in logged:
        assert "Pa55" not in record.getMessage()
        assert "Pa55" not in record.statement  # type: ignore[attr-defined]
    assert "WITH PASSWORD '***'" in logged[0].statement  # type: ignore[attr-defined]
    assert f"SET PASSWORD FOR \"{user}\" = '***'" in logged[1].statement  # type: ignore[attr-defined]


def test_redact_and_split() -> None:
    assert redact("create user x with password 'a\\'b' with all privileges") == (
        "create user x with password '***' with all privileges"
    )
    assert redact("SELECT * FROM \"password\" WHERE a = 'b'") == (
        "SELECT * FROM \"password\" WHERE a = 'b'"
    )
    assert redact(
        "CREATE SUBSCRIPTION s ON d.autogen DESTINATIONS ALL "
        "'http://user:pa55@host:9090', 'udp://h:1'"
    ) == (
        "CREATE SUBSCRIPTION s ON d.autogen DESTINATIONS ALL "
        "'http://***@host:9090', 'udp://h:1'"
    )
    assert split_statements("SELECT 'a;b' FROM \"x;y\"; SHOW DATABASES;") == [
        "SELECT 'a;b' FROM \"x;y\"",
        "SHOW DATABASES",
    ]


class TextBackend(Backend):
    """A store answering ``statements()`` lazily, as a streamed /query does."""

    vendor = "text"

    def __init__(self) -> None:
        self.alias = "text"
        self.database = "db"
        self.nested: list[Any] = []

    def statements(self, text: str, **options: Any) -> Iterator[StatementResult]:
        for index, _statement in enumerate(text.split(";")):
            if "bad" in _statement:
                yield StatementResult(index, error="error parsing query")
                continue
            # A statement run through execute() is logged as the statement.
            series = self.execute(Compiled(_statement))
            yield StatementResult(index, series)

    def execute(self, compiled: Compiled, **options: Any) -> Iterator[Series]:
        yield Series("m", {}, ["time", "v"], [[0, 1], [1, 2]])
        yield Series("m", {"t": "x"}, ["time", "v"], [[0, 3]])

    def write(self, *args: Any, **kwargs: Any) -> int:
        raise NotImplementedError

    def write_lines(self, *args: Any, **kwargs: Any) -> int:
        raise NotImplementedError

    def ping(self) -> str:
        return "0"

    def create_database(self, name: str | None = None) -> None:
        raise NotImplementedError

    def drop_database(self, name: str | None = None) -> None:
        raise NotImplementedError

    def list_databases(self) -> list[str]:
        return []

    def close(self) -> None:
        pass


def test_statements_log_one_record_per_statement(
    debug: pytest.LogCaptureFixture,
) -> None:
    backend = TextBackend()
    results = list(backend.statements("SELECT a FROM m; bad; SELECT b FROM m"))
    assert [r.statement_id for r in results] == [0, 1, 2]
    assert [r.error for r in results] == [None, "error parsing query", None]
    # The first statement ended when the second was asked for.
    logged = records(debug, "influxpy.query")
    assert [r.statement for r in logged] == [  # type: ignore[attr-defined]
        "SELECT a FROM m",
        "bad",
        "SELECT b FROM m",
    ]
    # Rows nobody read are unknown.
    assert [r.rows for r in logged] == [None, None, None]  # type: ignore[attr-defined]
    debug.clear()
    rows = []
    for result in backend.statements("SELECT a FROM m;SELECT b FROM m"):
        rows.append(sum(len(s.values) for s in result.series))
    assert rows == [3, 3]
    logged = records(debug, "influxpy.query")
    assert [r.rows for r in logged] == [3, 3]  # type: ignore[attr-defined]


def test_statements_text_logs_each_statement(
    conn: str, debug: pytest.LogCaptureFixture
) -> None:
    backend = influxpy.connections[conn]
    ServerMeasurement.series.using(conn).bulk_create(points(3))
    debug.clear()
    text = 'SELECT cpu FROM servers; SELECT nothing FROM "a;b"; SHOW DATABASES'
    read = [
        sum(len(s.values) for s in result.series) for result in backend.statements(text)
    ]
    assert read[:2] == [3, 0]
    logged = records(debug, "influxpy.query")
    assert [r.statement for r in logged] == [  # type: ignore[attr-defined]
        "SELECT cpu FROM servers",
        'SELECT nothing FROM "a;b"',
        "SHOW DATABASES",
    ]
    assert [r.rows for r in logged] == read  # type: ignore[attr-defined]
    assert {r.alias for r in logged} == {conn}  # type: ignore[attr-defined]


def test_statements_after_a_failed_one_are_not_logged(
    conn: str, debug: pytest.LogCaptureFixture
) -> None:
    backend = influxpy.connections[conn]
    text = 'SELECT * FROM "nowhere"."autogen"."m"; SHOW DATABASES'
    results = list(backend.statements(text))
    assert results[0].error is not None
    assert results[1].error == "not executed"
    (record,) = records(debug, "influxpy.query")
    assert record.error == results[0].error  # type: ignore[attr-defined]
    assert record.rows is None  # type: ignore[attr-defined]


CLI_WITH_LOGGING = (
    "import logging, sys\n"
    "logging.basicConfig(level=logging.WARNING, format='%(name)s|%(message)s')\n"
    "logging.getLogger('influxpy.query').setLevel(logging.DEBUG)\n"
    "from influxpy.__main__ import main\n"
    "sys.exit(main())\n"
)


def test_the_command_line_logs_its_statements(influx_url: str) -> None:
    from _cli import run

    select = 'SELECT * FROM "cpu"'
    done = run(
        "query",
        "--url",
        influx_url,
        select,
        program=[sys.executable, "-c", CLI_WITH_LOGGING],
    )
    assert done.returncode == 0, done.stderr
    logged = [line for line in done.stderr.splitlines() if line.startswith("influxpy.")]
    assert len(logged) == 1
    assert logged[0].startswith("influxpy.query|(")
    assert f"s) {select}; alias=default rows=0" in logged[0]
