"""InfluxQL statements on both backends: ``Backend.statements()``.

Each test runs once on the real server and once on the engine (the ``conn``
fixture) and expects influxd 1.6.7's answer: series names, columns, order,
value types and error texts. The HTTP backend is given the text; the engine
is given the same text once the InfluxQL parser is there, and until then
the statement objects the parser produces (``influxpy.statements``), built
here by hand.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import httpx
import pytest

import influxpy
from _influxd import InfluxServer
from _seeds import run_seed
from influxpy import fields, models
from influxpy import statements as st
from influxpy.backends.duckdb.show import go_duration
from influxpy.backends.http.statements import writes_data
from influxpy.durations import Hour, Week
from influxpy.exceptions import (
    DatabaseNotFoundError,
    InfluxQLParseError,
    InterfaceError,
    ProgrammingError,
)
from influxpy.expressions import WhereNode
from influxpy.query import Delete, Query, Source
from influxpy.retention import RetentionPolicy

S = 1_000_000_000

RP_COLUMNS = ["name", "duration", "shardGroupDuration", "replicaN", "default"]
#: Each statement's answer: (statement_id, error, [(name, tags, columns, values)]).
Answer = list[tuple[int, str | None, list[tuple[str, dict[str, str], list[str], Any]]]]


class Cpu(models.InfluxMeasurement):
    """The measurement the WHERE clauses of these tests are built on."""

    class Meta:
        measurement = "cpu"

    v = fields.FloatField()
    n = fields.IntegerField()
    s = fields.StringField()
    host = fields.InfluxTag(null=True)
    dc = fields.InfluxTag(null=True)


LINES = [
    "cpu,host=a,dc=x v=1,n=2i 1000000000",
    'cpu,host=b v=2,s="x" 2000000000',
    "mem,host=a free=3i 1000000000",
    "disk v=true 5",
]


def where(**lookups: Any) -> WhereNode:
    node = Cpu.series.filter(**lookups).query.where
    assert node is not None
    return node


def answer(
    alias: str,
    text: str,
    statements: Sequence[Any],
    **options: Any,
) -> Answer:
    """The answer to *text* on the server, to *statements* on the engine.

    ``test_text_answers_match_the_server`` gives the engine the text.
    """
    backend = influxpy.get_connection(alias)
    if backend.vendor == "duckdb":
        results: Iterator[Any] = backend.run_statements(  # type: ignore[attr-defined]
            statements, **options
        )
    else:
        results = backend.statements(text, **options)
    return summary(results)


def summary(results: Iterable[Any]) -> Answer:
    return [
        (
            r.statement_id,
            r.error,
            [(s.name, s.tags, s.columns, s.values) for s in r.series],
        )
        for r in results
    ]


@pytest.fixture
def data(conn: str) -> str:
    influxpy.get_connection(conn).write_lines(LINES)
    return conn


@pytest.fixture
def scratch(conn: str) -> Iterator[str]:
    """A database name of this test's own, dropped afterwards."""
    name = f"scratch_{uuid.uuid4().hex[:8]}"
    try:
        yield name
    finally:
        influxpy.get_connection(conn).drop_database(name)


def test_show_measurements_tag_keys_values_field_keys_and_series(data: str) -> None:
    cpu_series: list[Any] = [
        ("cpu", {}, ["tagKey"], [["dc"], ["host"]]),
        ("mem", {}, ["tagKey"], [["host"]]),
    ]
    text = (
        "SHOW MEASUREMENTS; SHOW TAG KEYS; SHOW TAG VALUES WITH KEY = host; "
        "SHOW FIELD KEYS; SHOW SERIES"
    )
    statements = [
        st.ShowMeasurements(),
        st.ShowTagKeys(),
        st.ShowTagValues(st.KeyMatch("=", ("host",))),
        st.ShowFieldKeys(),
        st.ShowSeries(),
    ]
    assert answer(data, text, statements) == [
        (0, None, [("measurements", {}, ["name"], [["cpu"], ["disk"], ["mem"]])]),
        (1, None, cpu_series),
        (
            2,
            None,
            [
                ("cpu", {}, ["key", "value"], [["host", "a"], ["host", "b"]]),
                ("mem", {}, ["key", "value"], [["host", "a"]]),
            ],
        ),
        (
            3,
            None,
            [
                (
                    "cpu",
                    {},
                    ["fieldKey", "fieldType"],
                    [["n", "integer"], ["s", "string"], ["v", "float"]],
                ),
                ("disk", {}, ["fieldKey", "fieldType"], [["v", "boolean"]]),
                ("mem", {}, ["fieldKey", "fieldType"], [["free", "integer"]]),
            ],
        ),
        (
            4,
            None,
            [
                (
                    "",
                    {},
                    ["key"],
                    [["cpu,dc=x,host=a"], ["cpu,host=b"], ["disk"], ["mem,host=a"]],
                )
            ],
        ),
    ]


def test_show_statements_with_where_limit_offset_and_sources(data: str) -> None:
    text = (
        "SHOW MEASUREMENTS LIMIT 1 OFFSET 1; "
        "SHOW MEASUREMENTS WITH MEASUREMENT =~ /m/; "
        "SHOW MEASUREMENTS WHERE host = 'b'; "
        "SHOW TAG KEYS LIMIT 1 OFFSET 1; "
        "SHOW TAG KEYS WHERE host = 'b'; "
        "SHOW TAG VALUES WITH KEY IN (dc, host) WHERE host = 'a'; "
        "SHOW TAG VALUES WITH KEY =~ /./ LIMIT 1 OFFSET 1; "
        "SHOW TAG VALUES WITH KEY != host; "
        "SHOW FIELD KEYS FROM cpu, /d/ LIMIT 1 OFFSET 1; "
        "SHOW SERIES WHERE host = 'a'; "
        "SHOW SERIES FROM cpu, /m/ LIMIT 2 OFFSET 1; "
        "SHOW TAG KEYS FROM disk"
    )
    statements = [
        st.ShowMeasurements(limit=1, offset=1),
        st.ShowMeasurements(measurement=st.KeyMatch("=~", ("m",))),
        st.ShowMeasurements(where=where(host="b")),
        st.ShowTagKeys(limit=1, offset=1),
        st.ShowTagKeys(where=where(host="b")),
        st.ShowTagValues(st.KeyMatch("IN", ("dc", "host")), where=where(host="a")),
        st.ShowTagValues(st.KeyMatch("=~", (".",)), limit=1, offset=1),
        st.ShowTagValues(st.KeyMatch("!=", ("host",))),
        st.ShowFieldKeys(
            sources=(Source("cpu"), Source("d", regex=True)), limit=1, offset=1
        ),
        st.ShowSeries(where=where(host="a")),
        st.ShowSeries(
            sources=(Source("cpu"), Source("m", regex=True)), limit=2, offset=1
        ),
        st.ShowTagKeys(sources=(Source("disk"),)),
    ]
    kv = ["key", "value"]
    assert answer(data, text, statements) == [
        (0, None, [("measurements", {}, ["name"], [["disk"]])]),
        (1, None, [("measurements", {}, ["name"], [["mem"]])]),
        (2, None, [("measurements", {}, ["name"], [["cpu"]])]),
        (3, None, [("cpu", {}, ["tagKey"], [["host"]])]),
        (4, None, [("cpu", {}, ["tagKey"], [["host"]])]),
        (
            5,
            None,
            [
                ("cpu", {}, kv, [["dc", "x"], ["host", "a"]]),
                ("mem", {}, kv, [["host", "a"]]),
            ],
        ),
        (6, None, [("cpu", {}, kv, [["host", "a"]])]),
        (7, None, [("cpu", {}, kv, [["dc", "x"]])]),
        (8, None, [("cpu", {}, ["fieldKey", "fieldType"], [["s", "string"]])]),
        (9, None, [("", {}, ["key"], [["cpu,dc=x,host=a"], ["mem,host=a"]])]),
        (10, None, [("", {}, ["key"], [["cpu,host=b"], ["mem,host=a"]])]),
        (11, None, []),
    ]


def test_show_databases_and_continuous_queries_name_the_database(conn: str) -> None:
    db = influxpy.get_connection(conn).database
    assert db is not None
    text = "SHOW DATABASES; SHOW CONTINUOUS QUERIES"
    statements = [st.ShowDatabases(), st.ShowContinuousQueries()]
    (databases, queries) = answer(conn, text, statements)
    assert databases[:2] == (0, None)
    ((name, tags, columns, values),) = databases[2]
    assert (name, tags, columns) == ("databases", {}, ["name"])
    assert [db] in values
    assert queries[:2] == (1, None)
    assert ("", db, {}, ["name", "query"], []) in [
        ("", n, t, c, v) for n, t, c, v in queries[2]
    ]


def test_a_missing_database_is_an_error_except_for_show_measurements(
    conn: str,
) -> None:
    text = "SHOW MEASUREMENTS ON nodb_x; SHOW TAG KEYS ON nodb_x; SHOW DATABASES"
    statements = [
        st.ShowMeasurements(database="nodb_x"),
        st.ShowTagKeys(database="nodb_x"),
        st.ShowDatabases(),
    ]
    assert answer(conn, text, statements) == [
        (0, None, []),
        (1, "database not found: nodb_x", []),
        (2, "not executed", []),
    ]


V_FROM_NODB = Query(Source("cpu", "nodb_x"), Cpu.series.only("v").query.select)


@pytest.mark.parametrize(
    ("text", "statement"),
    [
        ("SHOW FIELD KEYS ON nodb_x", st.ShowFieldKeys(database="nodb_x")),
        ("SHOW SERIES ON nodb_x", st.ShowSeries(database="nodb_x")),
        (
            "SHOW RETENTION POLICIES ON nodb_x",
            st.ShowRetentionPolicies(database="nodb_x"),
        ),
        (
            "SHOW TAG VALUES ON nodb_x WITH KEY = host",
            st.ShowTagValues(st.KeyMatch("=", ("host",)), database="nodb_x"),
        ),
        ("SELECT v FROM nodb_x..cpu", V_FROM_NODB),
    ],
)
def test_each_statement_on_a_missing_database_fails_as_influxd_does(
    conn: str, text: str, statement: st.Statement
) -> None:
    assert answer(conn, text, [statement]) == [(0, "database not found: nodb_x", [])]


def test_statements_after_a_failed_one_are_not_executed(data: str) -> None:
    """The failed statement keeps its own error; each later one answers
    ``not executed`` (what influxd sends in chunked answers)."""
    text = "SHOW MEASUREMENTS; SELECT v FROM nodb_x..cpu; SHOW DATABASES; SHOW SERIES"
    statements = [
        st.ShowMeasurements(),
        V_FROM_NODB,
        st.ShowDatabases(),
        st.ShowSeries(),
    ]
    assert answer(data, text, statements) == [
        (0, None, [("measurements", {}, ["name"], [["cpu"], ["disk"], ["mem"]])]),
        (1, "database not found: nodb_x", []),
        (2, "not executed", []),
        (3, "not executed", []),
    ]


def test_quirk_a_whole_answer_loses_the_failed_statements_error(
    influx_server: InfluxServer, database: str
) -> None:
    """influxd 1.6.7 (reference §0.1 item 2): in a whole (unchunked)
    answer the failed statement reads ``not executed`` and the statements
    after it are missing. ``statements()`` asks for a chunked answer, which
    keeps them, and the engine answers that way too (the test above)."""
    text = "SHOW DATABASES; SELECT v FROM nodb_x..cpu; SHOW DATABASES"
    response = influx_server.request(
        "GET", "/query", params={"q": text, "db": database}
    )
    results = response.json()["results"]
    assert [r.get("error") for r in results] == [None, "not executed"]


def test_select_and_a_retention_policy_that_does_not_exist(data: str) -> None:
    db = influxpy.get_connection(data).database
    query = Cpu.series.filter(host="a").only("v", "n").query
    text = str(query)
    missing = Query(Source("cpu", db, "nope"), query.select)
    assert answer(data, f"{text}; SELECT v FROM {db}.nope.cpu", [query, missing]) == [
        (0, None, [("cpu", {}, ["time", "v", "n"], [[S, 1.0, 2]])]),
        (1, "retention policy not found: nope", []),
    ]


def test_select_streams_in_chunks(data: str) -> None:
    query = Cpu.series.only("v").query
    (result,) = answer(data, str(query), [query], chunk_size=1)
    assert result == (
        0,
        None,
        [
            ("cpu", {}, ["time", "v"], [[S, 1.0]]),
            ("cpu", {}, ["time", "v"], [[2 * S, 2.0]]),
        ],
    )


def test_retention_policy_statements(conn: str) -> None:
    db = influxpy.get_connection(conn).database
    assert db is not None
    two_hours = RetentionPolicy("r", Hour(2))
    text = (
        f'CREATE RETENTION POLICY r ON "{db}" DURATION 2h REPLICATION 1; '
        f'CREATE RETENTION POLICY r ON "{db}" DURATION 2h REPLICATION 1; '
        f'CREATE RETENTION POLICY r2 ON "{db}" DURATION 52w REPLICATION 2 '
        "SHARD DURATION 48h DEFAULT; "
        f'ALTER RETENTION POLICY r ON "{db}" DURATION 3h; '
        f'SHOW RETENTION POLICIES ON "{db}"; '
        f'ALTER RETENTION POLICY autogen ON "{db}" DEFAULT; '
        f'DROP RETENTION POLICY r2 ON "{db}"; '
        f'DROP RETENTION POLICY r2 ON "{db}"; '
        "DROP RETENTION POLICY r2 ON nodb_x; "
        f'SHOW RETENTION POLICIES ON "{db}"'
    )
    statements: list[st.Statement] = [
        st.CreateRetentionPolicy(two_hours, db),
        st.CreateRetentionPolicy(two_hours, db),
        st.CreateRetentionPolicy(
            RetentionPolicy("r2", Week(52), 2, Hour(48), default=True), db
        ),
        st.AlterRetentionPolicy("r", db, duration=Hour(3)),
        st.ShowRetentionPolicies(db),
        st.AlterRetentionPolicy("autogen", db, default=True),
        st.DropRetentionPolicy("r2", db),
        st.DropRetentionPolicy("r2", db),
        st.DropRetentionPolicy("r2", "nodb_x"),
        st.ShowRetentionPolicies(db),
    ]
    columns = ["name", "duration", "shardGroupDuration", "replicaN", "default"]
    assert answer(conn, text, statements) == [
        (0, None, []),
        (1, None, []),
        (2, None, []),
        (3, None, []),
        (
            4,
            None,
            [
                (
                    "",
                    {},
                    columns,
                    [
                        ["autogen", "0s", "168h0m0s", 1, False],
                        ["r", "3h0m0s", "1h0m0s", 1, False],
                        ["r2", "8736h0m0s", "48h0m0s", 2, True],
                    ],
                )
            ],
        ),
        (5, None, []),
        (6, None, []),
        (7, None, []),
        (8, None, []),
        (
            9,
            None,
            [
                (
                    "",
                    {},
                    columns,
                    [
                        ["autogen", "0s", "168h0m0s", 1, True],
                        ["r", "3h0m0s", "1h0m0s", 1, False],
                    ],
                )
            ],
        ),
    ]


def test_retention_policy_errors(conn: str) -> None:
    db = influxpy.get_connection(conn).database
    assert db is not None
    text = (
        f'CREATE RETENTION POLICY r ON "{db}" DURATION 2h REPLICATION 1; '
        f'CREATE RETENTION POLICY r ON "{db}" DURATION 3h REPLICATION 1'
    )
    statements = [
        st.CreateRetentionPolicy(RetentionPolicy("r", Hour(2)), db),
        st.CreateRetentionPolicy(RetentionPolicy("r", Hour(3)), db),
    ]
    assert answer(conn, text, statements) == [
        (0, None, []),
        (1, "retention policy already exists", []),
    ]
    text = f'ALTER RETENTION POLICY nope ON "{db}" DURATION 2h'
    alter = st.AlterRetentionPolicy("nope", db, duration=Hour(2))
    assert answer(conn, text, [alter]) == [(0, "retention policy not found: nope", [])]
    text = "CREATE RETENTION POLICY r ON nodb_x DURATION 2h REPLICATION 1"
    statement = st.CreateRetentionPolicy(RetentionPolicy("r", Hour(2)), "nodb_x")
    assert answer(conn, text, [statement]) == [(0, "database not found: nodb_x", [])]


def test_create_and_drop_database_with_a_policy(conn: str, scratch: str) -> None:
    short = RetentionPolicy("short", Hour(3))
    text = (
        f"CREATE DATABASE {scratch} WITH DURATION 3h NAME short; "
        f"SHOW RETENTION POLICIES ON {scratch}; "
        f"CREATE DATABASE {scratch}; "
        f"CREATE DATABASE {scratch} WITH DURATION 3h NAME short; "
        f"CREATE DATABASE {scratch} WITH DURATION 4h NAME short"
    )
    statements = [
        st.CreateDatabase(scratch, short),
        st.ShowRetentionPolicies(scratch),
        st.CreateDatabase(scratch),
        st.CreateDatabase(scratch, short),
        st.CreateDatabase(scratch, RetentionPolicy("short", Hour(4))),
    ]
    columns = ["name", "duration", "shardGroupDuration", "replicaN", "default"]
    assert answer(conn, text, statements) == [
        (0, None, []),
        (1, None, [("", {}, columns, [["short", "3h0m0s", "1h0m0s", 1, True]])]),
        (2, None, []),
        (3, None, []),
        (4, "retention policy conflicts with an existing policy", []),
    ]
    text = f"DROP DATABASE {scratch}; DROP DATABASE {scratch}; SHOW DATABASES"
    statements = [
        st.DropDatabase(scratch),
        st.DropDatabase(scratch),
        st.ShowDatabases(),
    ]
    (first, second, (_id, error, ((_name, _tags, _columns, values),))) = answer(
        conn, text, statements
    )
    assert (first, second, error) == ((0, None, []), (1, None, []), None)
    assert [scratch] not in values


def test_delete_drop_series_and_drop_measurement(data: str) -> None:
    text = (
        "DELETE FROM cpu WHERE host = 'b'; "
        "SHOW SERIES; "
        "DROP SERIES FROM mem WHERE host = 'a'; "
        "DROP MEASUREMENT disk; "
        "DROP MEASUREMENT nope; "
        "SHOW MEASUREMENTS; "
        "SELECT * FROM cpu"
    )
    statements = [
        Delete(Source("cpu"), where(host="b")),
        st.ShowSeries(),
        st.DropSeries((Source("mem"),), where(host="a")),
        st.DropMeasurement("disk"),
        st.DropMeasurement("nope"),
        st.ShowMeasurements(),
        Cpu.series.query,
    ]
    assert answer(data, text, statements) == [
        (0, None, []),
        (
            1,
            None,
            [("", {}, ["key"], [["cpu,dc=x,host=a"], ["disk"], ["mem,host=a"]])],
        ),
        (2, None, []),
        (3, None, []),
        (4, None, []),
        (5, None, [("measurements", {}, ["name"], [["cpu"]])]),
        (
            6,
            None,
            [
                (
                    "cpu",
                    {},
                    ["time", "dc", "host", "n", "s", "v"],
                    [[S, "x", "a", 2, None, 1.0]],
                )
            ],
        ),
    ]


def test_drop_statements_on_a_missing_database(conn: str) -> None:
    text = "DROP MEASUREMENT cpu; DROP SERIES FROM cpu"
    statements = [st.DropMeasurement("cpu"), st.DropSeries((Source("cpu"),))]
    assert answer(conn, text, statements, database="nodb_x") == [
        (0, "database not found: nodb_x", []),
        (1, "not executed", []),
    ]


@pytest.mark.parametrize(
    ("text", "writes"),
    [
        ("SELECT * FROM cpu", False),
        ("SHOW DATABASES; SHOW MEASUREMENTS", False),
        ("SELECT 'into' FROM \"INTO\" WHERE a =~ /; DROP/", False),
        ("SELECT mean(v) INTO other FROM cpu GROUP BY time(1m)", True),
        ("SHOW DATABASES; drop database x", True),
        ("create database x", True),
        ("DELETE FROM cpu", True),
        ("-- DROP DATABASE x\nSHOW DATABASES", False),
        ("ALTER RETENTION POLICY r ON d DEFAULT", True),
    ],
)
def test_text_that_writes_is_sent_with_post(text: str, writes: bool) -> None:
    assert writes_data(text) is writes


def test_the_http_backend_posts_writing_text_and_gets_reading_text() -> None:
    methods: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        return httpx.Response(200, json={"results": [{"statement_id": 0}]})

    from influxpy.backends.http import HTTPBackend
    from influxpy.urls import DatabaseURL

    backend = HTTPBackend(
        DatabaseURL.parse("influxdb://localhost:1/db"),
        transport=httpx.MockTransport(handler),
    )
    with backend:
        list(backend.statements("SHOW DATABASES"))
        list(backend.statements("CREATE DATABASE x"))
    assert methods == ["GET", "POST"]


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (0, "0s"),
        (3_600 * S, "1h0m0s"),
        (168 * 3_600 * S, "168h0m0s"),
        (90 * S, "1m30s"),
        (1_500_000_000, "1.5s"),
    ],
)
def test_go_duration(ns: int, text: str) -> None:
    assert go_duration(ns) == text


@pytest.fixture
def pair(influx_url: str) -> Iterator[tuple[Any, Any]]:
    """The server and an engine holding the same points."""
    server = influxpy.connect(influx_url, alias="statements-influxdb")
    engine = influxpy.connect("duckdb://:memory:", alias="statements-duckdb")
    try:
        for backend in (server, engine):
            backend.write_lines(LINES)
        yield server, engine
    finally:
        server.close()
        engine.close()


TEXTS = [
    (
        "SHOW MEASUREMENTS; SHOW TAG KEYS; SHOW TAG VALUES WITH KEY = host; "
        "SHOW FIELD KEYS; SHOW SERIES; SHOW RETENTION POLICIES"
    ),
    (
        "SHOW MEASUREMENTS LIMIT 1 OFFSET 1; "
        "SHOW MEASUREMENTS WITH MEASUREMENT =~ /m/; "
        "SHOW MEASUREMENTS WHERE host = 'b'"
    ),
    (
        "SHOW TAG VALUES WITH KEY IN (dc, host) WHERE host = 'a'; "
        "SHOW TAG KEYS WHERE host = 'b'"
    ),
    "SHOW SERIES FROM cpu, /m/ LIMIT 2 OFFSET 1; SHOW FIELD KEYS FROM cpu, /d/",
    "SELECT v, n FROM cpu WHERE host = 'a'",
    "SELECT * FROM cpu",
    "SELECT mean(v) FROM cpu GROUP BY host",
    "SHOW TAG KEYS ON nodb_x; SHOW DATABASES",
    "DELETE FROM cpu WHERE host = 'b'; SELECT * FROM cpu",
    "DROP MEASUREMENT disk; DROP SERIES FROM mem WHERE host = 'a'; SHOW SERIES",
    "SELECT v::field, host::tag FROM cpu; SELECT v + 1 FROM cpu WHERE n = 2",
    "SELECT mean(v) FROM (SELECT v FROM cpu); SELECT max(v) FROM (SELECT * FROM cpu)",
    (
        "SELECT mean(m) FROM (SELECT max(v) AS m FROM cpu GROUP BY time(1s), host) "
        "GROUP BY host"
    ),
    "SELECT v FROM (SELECT v, host FROM cpu) WHERE host = 'a'",
    "SELECT v FROM cpu LIMIT 1; SELECT v FROM cpu ORDER BY time DESC",
    "SELECT v, nope FROM cpu; SELECT * FROM nope; SELECT count(*) FROM cpu",
    "DELETE FROM /c/ WHERE time > 1500000000; SELECT * FROM cpu",
    "DELETE WHERE host = 'a'; SHOW SERIES",
    (
        "SHOW MEASUREMENTS WHERE dc != 'z'; SHOW MEASUREMENTS WHERE host != 'a'; "
        "SHOW MEASUREMENTS WHERE dc !~ /x/; SHOW MEASUREMENTS WHERE host = 'b' OR "
        "dc = 'x'; SHOW MEASUREMENTS WHERE host = 'a' AND dc != 'q'"
    ),
    (
        "SHOW SERIES WHERE time > 1500000000; SHOW TAG KEYS WHERE v = 1; "
        "SHOW SERIES WHERE v = 1; SHOW TAG VALUES WITH KEY = host WHERE v = 1 OR "
        "host = 'b'; SHOW SERIES WHERE free = 3 AND host = 'b'"
    ),
    "SHOW MEASUREMENTS WHERE host = 'a' AND time > 0",
    "SELECT mean(v) INTO agg FROM cpu GROUP BY time(1s), *; SELECT * FROM agg",
]


@pytest.mark.parametrize("text", TEXTS)
def test_text_answers_match_the_server(pair: tuple[Any, Any], text: str) -> None:
    """The engine parses the text and answers as influxd does."""
    server, engine = pair
    assert summary(engine.statements(text)) == summary(server.statements(text))


def test_text_with_params_and_a_parse_error_match_the_server(
    pair: tuple[Any, Any],
) -> None:
    server, engine = pair
    text = "SELECT v FROM cpu WHERE host = $h"
    answers = [
        summary(backend.statements(text, params={"h": "b"}))
        for backend in (server, engine)
    ]
    assert (
        answers[0]
        == answers[1]
        == [(0, None, [("cpu", {}, ["time", "v"], [[2 * S, 2.0]])])]
    )
    for backend in (server, engine):
        with pytest.raises(InfluxQLParseError) as caught:
            list(backend.statements("SELEC 1; SHOW DATABASES"))
        assert str(caught.value) == (
            "error parsing query: found SELEC, expected SELECT, DELETE, SHOW, "
            "CREATE, DROP, EXPLAIN, GRANT, REVOKE, ALTER, SET, KILL at line 1, "
            "char 1"
        )


def test_query_returns_influx_results(data: str) -> None:
    backend = influxpy.get_connection(data)
    text = "SELECT v FROM cpu WHERE host = 'a'; SHOW TAG KEYS FROM mem"
    assert backend.query(text) == [
        influxpy.InfluxResult(
            "cpu",
            {},
            [{"time": dt.datetime(1970, 1, 1, 0, 0, 1, tzinfo=dt.UTC), "v": 1.0}],
        ),
        influxpy.InfluxResult("mem", {}, [{"tagKey": "host"}]),
    ]
    assert backend.query(
        "SELECT v FROM cpu WHERE host = $h", params={"h": "b"}, epoch="ns"
    ) == [influxpy.InfluxResult("cpu", {}, [{"time": 2 * S, "v": 2.0}])]


def test_query_raises_for_the_first_failed_statement(data: str) -> None:
    backend = influxpy.get_connection(data)
    with pytest.raises(DatabaseNotFoundError) as missing:
        backend.query("SHOW DATABASES; SELECT v FROM nodb_x..cpu; SHOW DATABASES")
    assert str(missing.value) == (
        f"Statement 1 of the query failed on the {backend.vendor} backend: "
        "database not found: nodb_x."
    )
    with pytest.raises(ProgrammingError, match="retention policy not found: nope"):
        backend.query(f'SELECT v FROM "{backend.database}".nope.cpu')
    with pytest.raises(InfluxQLParseError, match=r"^error parsing query: found SELEC"):
        backend.query("SELEC 1")


def test_refused_conditions_of_drop_series_and_delete(data: str) -> None:
    backend = influxpy.get_connection(data)
    dropped = summary(backend.statements("DROP SERIES FROM cpu WHERE time > 0"))
    assert dropped == [(0, "DROP SERIES doesn't support time in WHERE clause", [])]
    deleted = summary(
        backend.statements("DELETE FROM cpu WHERE v = 1 OR host = 'a'; SHOW SERIES")
    )
    errors = [error for _id, error, _series in deleted]
    assert errors[1:] == ["not executed"]
    assert errors[0] is not None
    assert errors[0].endswith("fields not supported in WHERE clause during deletion")
    assert backend.query("SELECT count(v) FROM cpu", epoch="ns")[0].points == [
        {"time": 0, "count": 2}
    ]


def test_a_refused_delete_names_the_shard_it_found_the_field_in(
    pair: tuple[Any, Any],
) -> None:
    """influxd names the shard it was deleting from (``shard 6: fields not
    supported…``), and so does the engine: its shard of those points (the
    server's ids depend on what this session wrote before)."""
    _server, engine = pair
    text = "DELETE FROM cpu WHERE v = 1"
    pattern = r"shard (\d+): fields not supported in WHERE clause during deletion"
    for backend in pair:
        ((_id, error, _series),) = summary(backend.statements(text))
        assert error is not None
        assert re.fullmatch(pattern, error)
    ((_id, error, _series),) = summary(engine.statements(text))
    shards = [
        row[0]
        for result in engine.statements("SHOW SHARDS")
        for series in result.series
        if series.name == engine.database
        for row in series.values
    ]
    found = re.fullmatch(pattern, error or "")
    assert found is not None
    assert int(found.group(1)) == max(shards)


def test_continuous_query_statements(data: str) -> None:
    backend = influxpy.get_connection(data)
    db = backend.database
    text = (
        f'CREATE CONTINUOUS QUERY c1 ON "{db}" BEGIN SELECT mean(v) INTO x '
        "FROM cpu GROUP BY time(1m) END; "
        "CREATE CONTINUOUS QUERY c1 ON nodb_x BEGIN SELECT mean(v) INTO x "
        "FROM cpu GROUP BY time(1m) END"
    )
    assert summary(backend.statements(text)) == [
        (0, None, []),
        (1, "database not found: nodb_x", []),
    ]
    (shown,) = summary(backend.statements("SHOW CONTINUOUS QUERIES"))
    ours = [values for name, _t, _c, values in shown[2] if name == db]
    assert [[row[0] for row in values] for values in ours] == [["c1"]]
    text = (
        f'DROP CONTINUOUS QUERY c1 ON "{db}"; DROP CONTINUOUS QUERY c1 ON "{db}"; '
        "DROP CONTINUOUS QUERY c1 ON nodb_x; SHOW CONTINUOUS QUERIES"
    )
    *drops, (_id, _error, series) = summary(backend.statements(text))
    assert drops == [(0, None, []), (1, None, []), (2, None, [])]
    assert (db, {}, ["name", "query"], []) in series


#: CREATE CONTINUOUS QUERY statements whose stored text the engine writes as
#: influxd does (``{db}`` is the database): sources and targets qualified
#: with the default retention policy of the time of creation, identifiers
#: quoted only where needed, floats with three decimals, ``TZ()``.
CQ_TEXTS = [
    (
        "CREATE CONTINUOUS QUERY c1 ON {db} BEGIN SELECT mean(v) INTO x FROM cpu "
        "GROUP BY time(1m) END"
    ),
    (
        'CREATE CONTINUOUS QUERY "c 2" ON {db} RESAMPLE EVERY 2m FOR 1h BEGIN '
        'SELECT mean(v) AS m, max("a b") INTO {db}."r".:MEASUREMENT FROM /c.*/ '
        "WHERE host =~ /a\\/b/ AND time > now() - 1h GROUP BY time(1m, 30s), * "
        "fill(0) END"
    ),
    (
        "CREATE CONTINUOUS QUERY c3 ON {db} RESAMPLE FOR 1h BEGIN SELECT "
        'count(v) / 2, (max("v") * 1.5) + 2 AS "select" INTO {db}.autogen.z '
        "FROM {db}.r.cpu, mem WHERE (\"host\" = 'it\\'s' OR h != 'a') AND v > 1.0 "
        "AND time >= '2024-01-01T00:00:00Z' AND x =~ /^a.b$/ GROUP BY "
        "time(1h, -5m), host fill(1.5) LIMIT 3 OFFSET 1 SLIMIT 2 "
        "tz('Europe/Paris') END"
    ),
    (
        "CREATE CONTINUOUS QUERY c4 ON {db} BEGIN SELECT percentile(v, 90), "
        "derivative(mean(v), 1s), top(v, host, 3) INTO z FROM cpu WHERE i = 3 "
        "AND b = true GROUP BY time(10s) fill(none) ORDER BY time DESC END"
    ),
    (
        "CREATE CONTINUOUS QUERY c5 ON {db} BEGIN SELECT mean(v) INTO z FROM "
        "(SELECT max(v) AS v FROM cpu GROUP BY time(1s)) GROUP BY time(10s) "
        "fill(previous) END"
    ),
]


def test_show_continuous_queries_lists_influxds_stored_text(
    pair: tuple[Any, Any],
) -> None:
    """The engine stores and lists a continuous query's statement in the
    text influxd stores: measurements qualified with the request's database
    (the query's own when the request names none) and its default policy of
    the time of creation (changing the default later changes nothing)."""
    db = f"cq_{uuid.uuid4().hex[:8]}"
    setup = (
        f"CREATE DATABASE {db}; "
        f"CREATE RETENTION POLICY r ON {db} DURATION 1d REPLICATION 1"
    )
    listed = []
    for backend in pair:
        try:
            assert all(r.error is None for r in backend.statements(setup))
            texts = "; ".join(text.format(db=db) for text in CQ_TEXTS)
            answers = summary(backend.statements(texts))
            assert [error for _id, error, _s in answers] == [None] * len(CQ_TEXTS)
            later = f"ALTER RETENTION POLICY r ON {db} DEFAULT"
            assert all(r.error is None for r in backend.statements(later))
            ((_id, _error, series),) = summary(
                backend.statements("SHOW CONTINUOUS QUERIES")
            )
            # Measurements are qualified with the request's database.
            listed.append(
                [
                    [name, text.replace(f" {backend.database}.", " {request}.")]
                    for values in (v for n, _t, _c, v in series if n == db)
                    for name, text in values
                ]
            )
        finally:
            backend.drop_database(db)
    server, engine = listed
    assert engine == server
    assert server[0][1] == (
        f"CREATE CONTINUOUS QUERY c1 ON {db} BEGIN SELECT mean(v) INTO "
        "{request}.autogen.x FROM {request}.autogen.cpu GROUP BY time(1m) END"
    )


def test_select_into_and_the_rp_parameter(data: str) -> None:
    backend = influxpy.get_connection(data)
    db = backend.database
    text = (
        f'CREATE RETENTION POLICY r ON "{db}" DURATION INF REPLICATION 1; '
        "SELECT v INTO r.copied FROM cpu; SELECT v FROM r.copied"
    )
    assert summary(backend.statements(text)) == [
        (0, None, []),
        (1, None, [("result", {}, ["time", "written"], [[0, 2]])]),
        (2, None, [("copied", {}, ["time", "v"], [[S, 1.0], [2 * S, 2.0]])]),
    ]
    assert summary(
        backend.statements("SELECT v FROM copied", retention_policy="r")
    ) == [(0, None, [("copied", {}, ["time", "v"], [[S, 1.0], [2 * S, 2.0]])])]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT v FROM /c/",
        "SELECT free FROM cpu, mem",
        "SELECT v FROM cpu GROUP BY /h/",
    ],
)
def test_engine_reads_several_measurements_and_group_by_regex(
    pair: tuple[Any, Any], text: str
) -> None:
    """Several sources, a regex of measurements and GROUP BY /re/ read
    every measurement, as influxd does."""
    server, engine = pair
    ((_id, error, series),) = summary(server.statements(text))
    assert error is None
    assert series
    assert summary(engine.statements(text)) == summary(server.statements(text))


def test_unread_series_are_skipped_and_a_closed_backend_refuses(
    pair: tuple[Any, Any],
) -> None:
    text = "SELECT v FROM cpu; SHOW TAG KEYS; SHOW MEASUREMENTS"
    for backend in pair:
        results = backend.statements(text, chunk_size=1)
        first = next(results)
        assert next(iter(first.series)).values == [[S, 1.0]]
        assert [r.statement_id for r in results] == [1, 2]
        backend.close()
        with pytest.raises(InterfaceError):
            list(backend.statements("SHOW DATABASES"))


def test_shard_groups_longer_than_the_policy_are_refused(conn: str) -> None:
    backend = influxpy.get_connection(conn)
    db = backend.database
    text = (
        f'CREATE RETENTION POLICY a ON "{db}" DURATION 2h REPLICATION 1 '
        "SHARD DURATION 3h; "
    )
    refused = "retention policy duration must be greater than the shard duration"
    assert summary(backend.statements(text)) == [(0, refused, [])]
    text = (
        f'CREATE RETENTION POLICY b ON "{db}" DURATION 2h REPLICATION 1 '
        "SHARD DURATION 2h; "
        f'ALTER RETENTION POLICY b ON "{db}" DURATION 3h; '
        f'ALTER RETENTION POLICY b ON "{db}" SHARD DURATION 3h; '
        f'ALTER RETENTION POLICY b ON "{db}" SHARD DURATION 4h'
    )
    assert summary(backend.statements(text)) == [
        (0, None, []),
        (1, None, []),
        (2, None, []),
        (3, refused, []),
    ]
    shown = backend.query(f'SHOW RETENTION POLICIES ON "{db}"')[0].points
    assert shown[-1] == {
        "name": "b",
        "duration": "3h0m0s",
        "shardGroupDuration": "3h0m0s",
        "replicaN": 1,
        "default": False,
    }


def test_the_default_policy_is_dropped_and_its_name_stays_the_default(
    pair: tuple[Any, Any],
) -> None:
    """Dropping the default policy leaves none: SHOW lists the others, and
    writes, SELECTs and the SHOWs influxd runs as SELECTs (SERIES, FIELD
    KEYS, exact cardinalities) naming no policy fail with its name, until a
    policy of that name is created again (it is the default then)."""
    answers = []
    for backend in pair:
        db = f'"{backend.database}"'
        steps = [
            f"CREATE RETENTION POLICY two ON {db} DURATION 0s REPLICATION 1",
            f"DROP RETENTION POLICY autogen ON {db}",
            "SHOW RETENTION POLICIES",
            "SELECT count(v) FROM cpu",
            "SHOW SERIES; SHOW FIELD KEYS; SHOW TAG KEY EXACT CARDINALITY",
            "SHOW SERIES CARDINALITY",
        ]
        got: list[Any] = [summary(backend.statements(text)) for text in steps]
        with pytest.raises(ProgrammingError, match="retention policy not found"):
            backend.write_lines(["cpu v=1 1"])
        backend.write_lines(["cpu v=2 2"], retention_policy="two")
        got.append(summary(backend.statements("SELECT v FROM two.cpu")))
        again = f"CREATE RETENTION POLICY autogen ON {db} DURATION 0s REPLICATION 1"
        got.append(summary(backend.statements(again)))
        backend.write_lines(["cpu v=3 3"])
        got.append(
            summary(backend.statements("SHOW RETENTION POLICIES; SELECT v FROM cpu"))
        )
        answers.append(got)
    assert answers[0] == answers[1]
    assert answers[1][2] == [
        (0, None, [("", {}, RP_COLUMNS, [["two", "0s", "168h0m0s", 1, False]])])
    ]
    assert answers[1][3] == [(0, "retention policy not found: autogen", [])]


def _random_show(rng: random.Random) -> str:
    """One SHOW statement over the measurements and tags of ``_random_lines``."""
    kind = rng.choice(
        ["MEASUREMENTS", "TAG KEYS", "TAG VALUES", "FIELD KEYS", "SERIES"]
    )
    parts = [f"SHOW {kind}"]
    if (
        kind in ("TAG KEYS", "TAG VALUES", "FIELD KEYS", "SERIES")
        and rng.random() < 0.5
    ):
        sources = rng.sample(["m0", "m1", "m2", "/m[12]/", "/^m0$/"], rng.randint(1, 2))
        parts.append("FROM " + ", ".join(sources))
    if kind == "MEASUREMENTS" and rng.random() < 0.4:
        parts.append(rng.choice(["WITH MEASUREMENT =~ /1|2/", "WITH MEASUREMENT = m1"]))
    if kind == "TAG VALUES":
        parts.append(
            rng.choice(
                [
                    "WITH KEY = a",
                    "WITH KEY IN (a, c)",
                    "WITH KEY =~ /[bc]/",
                    "WITH KEY != a",
                ]
            )
        )
    if kind != "FIELD KEYS" and rng.random() < 0.6:
        conditions = []
        for _ in range(rng.randint(1, 2)):
            tag, value = rng.choice("abc"), rng.choice(["x", "y", "z"])
            op = rng.choice(["=", "!=", "=~", "!~"])
            right = f"/{value}/" if "~" in op else f"'{value}'"
            conditions.append(f"{tag} {op} {right}")
        parts.append("WHERE " + rng.choice([" AND ", " OR "]).join(conditions))
    if rng.random() < 0.4:
        parts.append(f"LIMIT {rng.randint(1, 3)}")
        if rng.random() < 0.5:
            parts.append(f"OFFSET {rng.randint(1, 2)}")
    return " ".join(parts)


def _random_lines(rng: random.Random) -> list[str]:
    lines = []
    for index in range(40):
        measurement = rng.choice(["m0", "m1", "m2"])
        tags = "".join(
            f",{key}={rng.choice(['x', 'y', 'z'])}"
            for key in "abc"
            if rng.random() < 0.6
        )
        field = rng.choice(["f=1", "g=2i", 'h="s"', "k=true"])
        lines.append(f"{measurement}{tags} {field} {index * S}")
    return lines


def test_random_show_statements_match_the_server(influx_url: str) -> None:
    """Generated SHOW statements over generated points: influxd's answers."""
    seed = run_seed("INFLUXPY_SHOW_SEED", 1207)
    print(f"seed {seed}")
    rng = random.Random(seed)
    server = influxpy.connect(influx_url, alias="random-show-influxdb")
    engine = influxpy.connect("duckdb://:memory:", alias="random-show-duckdb")
    try:
        lines = _random_lines(rng)
        for backend in (server, engine):
            backend.write_lines(lines)
        for _ in range(60):
            text = "; ".join(_random_show(rng) for _ in range(3))
            expected = summary(server.statements(text))
            assert summary(engine.statements(text)) == expected, (seed, text)
    finally:
        server.close()
        engine.close()
