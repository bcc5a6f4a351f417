"""More InfluxQL statements on both backends, each compared with influxd 1.6.7.

``EXPLAIN [ANALYZE]`` (the engine answers with its own plan in influxd's
shape), the async forms ``astatements()`` and ``aquery()``, the cardinality,
shard and user statements, and retention policy durations under one hour.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

import influxpy
from influxpy import statements as st
from influxpy.exceptions import DatabaseNotFoundError, InfluxQLParseError
from influxpy.influxql import parse
from influxpy.query import Query, Source
from influxpy.results import StatementResult

LINES = [
    "cpu,host=a,dc=x v=1,n=2i 1000000000",
    'cpu,host=b v=2,s="x" 2000000000',
    "mem,host=a free=3i 1000000000",
    "disk v=true 5",
]

Answer = list[tuple[int, str | None, list[tuple[str, dict[str, str], list[str], Any]]]]


def summary(results: Iterable[StatementResult]) -> Answer:
    return [
        (
            r.statement_id,
            r.error,
            [(s.name, s.tags, s.columns, s.values) for s in r.series],
        )
        for r in results
    ]


@pytest.fixture
def pair(influx_url: str) -> Iterator[tuple[Any, Any, str]]:
    """The server and an engine holding the same points, each in a database
    of this test's own."""
    db = f"more_{uuid.uuid4().hex[:8]}"
    server = influxpy.connect(influx_url, alias=f"more-influxdb-{db}")
    engine = influxpy.connect("duckdb://:memory:", alias=f"more-duckdb-{db}")
    try:
        for backend in (server, engine):
            backend.create_database(db)
            backend.write_lines(LINES, database=db)
        yield server, engine, db
    finally:
        server.drop_database(db)
        server.close()
        engine.close()


# -- EXPLAIN ---------------------------------------------------------------------


def test_explain_answers_the_engines_plan_in_influxds_shape(
    pair: tuple[Any, Any, str],
) -> None:
    """influxd answers EXPLAIN with one ``QUERY PLAN`` column, a row per
    line (one empty line for a measurement that does not exist), EXPLAIN
    ANALYZE with an ``EXPLAIN ANALYZE`` column ending in an empty line; the
    engine answers with its own plan in the same shape."""
    server, engine, db = pair
    text = (
        "EXPLAIN SELECT v FROM cpu; EXPLAIN ANALYZE SELECT mean(v) FROM cpu; "
        "EXPLAIN SELECT * FROM nope; EXPLAIN SELECT v FROM nodb_x.autogen.cpu"
    )
    answers = [summary(b.statements(text, database=db)) for b in (server, engine)]
    for answer in answers:
        (_0, error0, [plan]), (_1, error1, [analyzed]), missing, no_db = answer
        assert (error0, error1) == (None, None)
        assert (plan[0], plan[1], plan[2]) == ("", {}, ["QUERY PLAN"])
        assert len(plan[3]) > 1
        assert all(len(row) == 1 and isinstance(row[0], str) for row in plan[3])
        assert (analyzed[0], analyzed[2]) == ("", ["EXPLAIN ANALYZE"])
        assert len(analyzed[3]) > 1
        assert analyzed[3][-1] == [""]
        assert missing == (2, None, [("", {}, ["QUERY PLAN"], [[""]])])
        assert no_db == (3, "database not found: nodb_x", [])
    # The engine's plan is DuckDB's, with the SQL it runs.
    engine_plan = "\n".join(row[0] for row in answers[1][0][2][0][3])
    assert "SELECT" in engine_plan


# -- async forms -----------------------------------------------------------------

ASYNC_TEXT = (
    "SHOW MEASUREMENTS; SELECT v, n FROM cpu; SELECT mean(v) FROM cpu GROUP BY host; "
    "SELECT * FROM nope; SHOW TAG KEYS ON nodb_x; SHOW DATABASES"
)


async def _collected(backend: Any, text: str, **options: Any) -> Answer:
    return summary([result async for result in backend.astatements(text, **options)])


async def test_astatements_answers_as_statements_on_both_backends(
    pair: tuple[Any, Any, str],
) -> None:
    """``astatements()`` yields what ``statements()`` does, on the HTTP
    backend's async client and on the engine in a worker thread; both
    answer as influxd does."""
    server, engine, db = pair
    answers = []
    for backend in (server, engine):
        expected = summary(backend.statements(ASYNC_TEXT, database=db))
        got = await _collected(backend, ASYNC_TEXT, database=db)
        assert got == expected
        chunked = await _collected(
            backend, "SELECT v FROM cpu", database=db, chunk_size=1
        )
        # Chunked answers are read whole, their pieces merged.
        assert chunked == summary(backend.statements("SELECT v FROM cpu", database=db))
        answers.append([a for a in got if a[0] != 5])  # databases differ
    assert answers[0] == answers[1]
    assert answers[0][4] == (4, "database not found: nodb_x", [])


async def test_aquery_returns_what_query_does_and_raises_the_same(
    pair: tuple[Any, Any, str],
) -> None:
    server, engine, db = pair
    text = "SELECT v FROM cpu WHERE host = $h; SELECT free FROM mem"
    for backend in (server, engine):
        expected = backend.query(text, database=db, params={"h": "a"}, epoch="ns")
        got = await backend.aquery(text, database=db, params={"h": "a"}, epoch="ns")
        assert got == expected
        assert [p["v"] for p in got[0].points] == [1.0]
        with pytest.raises(DatabaseNotFoundError, match="database not found: nodb_x"):
            await backend.aquery("SELECT v FROM cpu", database="nodb_x")
        with pytest.raises(InfluxQLParseError, match="error parsing query: found"):
            await backend.aquery("SELECT FROM", database=db)


# -- cardinality, shards and users -------------------------------------------------

CARDINALITY_TEXTS = [
    (
        "SHOW SERIES CARDINALITY; SHOW SERIES EXACT CARDINALITY; "
        "SHOW SERIES CARDINALITY ON {db} FROM cpu; "
        "SHOW SERIES EXACT CARDINALITY FROM cpu WHERE host = 'a'; "
        "SHOW SERIES CARDINALITY WHERE host = 'a'; SHOW SERIES CARDINALITY LIMIT 1; "
        "SHOW SERIES EXACT CARDINALITY LIMIT 1 OFFSET 1"
    ),
    (
        "SHOW MEASUREMENT CARDINALITY; SHOW MEASUREMENT EXACT CARDINALITY; "
        "SHOW MEASUREMENT EXACT CARDINALITY FROM /c/; "
        "SHOW MEASUREMENT CARDINALITY FROM cpu; "
        "SHOW MEASUREMENT CARDINALITY WHERE host = 'a'; "
        "SHOW MEASUREMENT EXACT CARDINALITY FROM cpu, mem; "
        "SHOW MEASUREMENT EXACT CARDINALITY LIMIT 1 OFFSET 1"
    ),
    (
        "SHOW TAG KEY CARDINALITY; SHOW TAG KEY EXACT CARDINALITY FROM cpu; "
        "SHOW TAG KEY CARDINALITY WHERE host = 'b'; "
        "SHOW TAG KEY CARDINALITY LIMIT 1 OFFSET 1"
    ),
    "SHOW FIELD KEY CARDINALITY; SHOW FIELD KEY EXACT CARDINALITY FROM /m/",
    (
        "SHOW TAG VALUES CARDINALITY WITH KEY = host; "
        "SHOW TAG VALUES EXACT CARDINALITY WITH KEY IN (host, dc); "
        "SHOW TAG VALUES EXACT CARDINALITY WITH KEY =~ /h/ WHERE host = 'a'"
    ),
    (
        "SHOW SERIES CARDINALITY ON {empty}; SHOW SERIES EXACT CARDINALITY ON {empty}; "
        "SHOW MEASUREMENT CARDINALITY ON {empty}; "
        "SHOW MEASUREMENT EXACT CARDINALITY ON {empty}; "
        "SHOW TAG KEY CARDINALITY ON {empty}; SHOW FIELD KEY CARDINALITY ON {empty}; "
        "SHOW TAG VALUES CARDINALITY ON {empty} WITH KEY = host"
    ),
    "SHOW SERIES CARDINALITY ON nodb_x; SHOW MEASUREMENT CARDINALITY ON nodb_x",
    "SHOW TAG KEY CARDINALITY ON nodb_x",
    "SHOW FIELD KEY CARDINALITY ON nodb_x",
    "SHOW TAG VALUES CARDINALITY ON nodb_x WITH KEY = host",
    "SHOW SERIES EXACT CARDINALITY ON nodb_x",
    "SHOW SERIES EXACT CARDINALITY WHERE time > 0",
    "SHOW USERS",
]


@pytest.mark.parametrize("text", CARDINALITY_TEXTS)
def test_cardinality_statements_and_show_users_match_the_server(
    pair: tuple[Any, Any, str], text: str
) -> None:
    """Column names, series names, estimates and errors as influxd gives
    them (the engine counts exactly where influxd estimates; the counts
    here are small enough for influxd's estimates to be exact)."""
    server, engine, db = pair
    empty = f"{db}_empty"
    text = text.format(db=db, empty=empty)
    answers = []
    try:
        for backend in (server, engine):
            backend.create_database(empty)
            answers.append(summary(backend.statements(text, database=db)))
    finally:
        server.drop_database(empty)
    assert answers[1] == answers[0]


def test_show_shards_and_shard_groups_match_the_server(
    pair: tuple[Any, Any, str],
) -> None:
    """The shard groups of a database, as both list them (ids aside: the
    server numbers the groups of every test's databases)."""
    server, engine, db = pair
    lines = ["cpu v=1 1700000000000000000", "cpu v=2 1702000000000000000"]
    found = []
    for backend in (server, engine):
        backend.write_lines(lines, database=db)
        ((_s, error, shards), (_g, error2, groups)) = summary(
            backend.statements("SHOW SHARDS; SHOW SHARD GROUPS")
        )
        assert (error, error2) == (None, None)
        ((name, tags, columns, values),) = [s for s in shards if s[0] == db]
        assert (name, tags, columns) == (
            db,
            {},
            [
                "id",
                "database",
                "retention_policy",
                "shard_group",
                "start_time",
                "end_time",
                "expiry_time",
                "owners",
            ],
        )
        ((gname, gtags, gcolumns, gvalues),) = groups
        assert (gname, gtags) == ("shard groups", {})
        assert gcolumns == [
            "id",
            "database",
            "retention_policy",
            "start_time",
            "end_time",
            "expiry_time",
        ]
        own = [row[1:] for row in gvalues if row[1] == db]
        assert [row[1:3] + row[4:7] for row in values] == own
        assert {row[7] for row in values} == {""}
        found.append(own)
    assert found[1] == found[0]
    assert found[0][0] == [
        db,
        "autogen",
        "1969-12-29T00:00:00Z",
        "1970-01-05T00:00:00Z",
        "1970-01-05T00:00:00Z",
    ]
    assert len(found[0]) == 3


def test_diagnostics_and_stats_answer_on_the_engine(
    pair: tuple[Any, Any, str],
) -> None:
    """The engine answers SHOW DIAGNOSTICS and SHOW STATS with influxd's
    series names (what it has of them, see backends/duckdb/show_stats.py),
    each statement on its own."""
    _server, engine, db = pair
    for text, name in (("SHOW DIAGNOSTICS", "build"), ("SHOW STATS", "runtime")):
        ((_id, error, series), (_next, after, _)) = summary(
            engine.statements(f"{text}; SHOW USERS", database=db)
        )
        assert error is None
        assert name in [found[0] for found in series]
        assert after is None
    ((_id, error, series),) = summary(engine.statements("SHOW STATS FOR 'runtime'"))
    assert error is None
    assert [found[0] for found in series] == ["runtime"]


# -- retention policies under one hour ----------------------------------------------


def test_policies_under_an_hour_fail_their_statement_and_short_shards_are_raised(
    pair: tuple[Any, Any, str],
) -> None:
    """influxd fails a retention policy (or database) shorter than 1h in
    its own statement, and raises a shard duration under 1h to 1h."""
    server, engine, db = pair
    other = f"{db}_short"
    texts = [
        f"CREATE RETENTION POLICY r1 ON {db} DURATION 30m REPLICATION 1",
        (
            f"CREATE RETENTION POLICY r2 ON {db} DURATION 2h REPLICATION 1 "
            "SHARD DURATION 10m"
        ),
        f"ALTER RETENTION POLICY r2 ON {db} DURATION 59m59s",
        (
            f"CREATE RETENTION POLICY r3 ON {db} DURATION 0s REPLICATION 1 "
            "SHARD DURATION 1s"
        ),
        f"CREATE RETENTION POLICY r4 ON {db} DURATION 2d REPLICATION 1",
        f"ALTER RETENTION POLICY r4 ON {db} SHARD DURATION 5m",
        (
            f"CREATE RETENTION POLICY r6 ON {db} DURATION 30m REPLICATION 1 "
            "SHARD DURATION 2h"
        ),
        f"CREATE DATABASE {other} WITH DURATION 30m",
        f"CREATE DATABASE {other} WITH DURATION 2h SHARD DURATION 1m",
        f"SHOW RETENTION POLICIES ON {db}; SHOW RETENTION POLICIES ON {other}",
    ]
    answers = []
    try:
        for backend in (server, engine):
            answers.append(
                [summary(backend.statements(text, database=db)) for text in texts]
            )
    finally:
        server.drop_database(other)
    assert answers[1] == answers[0]
    too_short = "retention policy duration must be at least 1h0m0s"
    assert [a[0][1] for a in answers[0][:-1]] == [
        too_short,
        None,
        too_short,
        None,
        None,
        None,
        too_short,
        too_short,
        None,
    ]


# -- parsing ------------------------------------------------------------------------

BAD_TEXTS = [
    "SHOW MEASUREMENT x",
    "SHOW SERIES EXACT x",
    "SHOW TAG KEY x",
    "SHOW FIELD KEY EXACT x",
    "SHOW TAG VALUES EXACT x",
    "SHOW SHARD x",
    "SHOW SHARDS ON d",
    "SHOW USERS ON d",
]


@pytest.mark.parametrize("text", BAD_TEXTS)
def test_parse_errors_of_the_new_statements_read_as_influxds(
    pair: tuple[Any, Any, str], text: str
) -> None:
    server, engine, db = pair
    errors = []
    for backend in (server, engine):
        with pytest.raises(InfluxQLParseError) as caught:
            list(backend.statements(text, database=db))
        errors.append(str(caught.value))
    assert errors[1] == errors[0]


def test_the_parser_builds_the_new_statements() -> None:
    select = parse("SELECT v FROM cpu WHERE dc = 'x'")[0]
    assert isinstance(select, Query)
    assert parse(
        "SHOW SERIES CARDINALITY; SHOW MEASUREMENT EXACT CARDINALITY ON d; "
        "SHOW TAG VALUES CARDINALITY FROM cpu WITH KEY = host WHERE dc = 'x' "
        "LIMIT 2 OFFSET 1; SHOW SHARDS; SHOW SHARD GROUPS; SHOW USERS; "
        "SHOW DIAGNOSTICS; SHOW STATS FOR 'runtime'; "
        "CREATE RETENTION POLICY r ON d DURATION 59m REPLICATION 1"
    ) == [
        st.ShowCardinality("series"),
        st.ShowCardinality("measurement", exact=True, database="d"),
        st.ShowCardinality(
            "tag values",
            exact=True,
            sources=(Source("cpu"),),
            key=st.KeyMatch("=", ("host",)),
            where=select.where,
            limit=2,
            offset=1,
        ),
        st.ShowShards(),
        st.ShowShardGroups(),
        st.ShowUsers(),
        st.ShowDiagnostics(),
        st.ShowStats("runtime"),
        st.Invalid("retention policy duration must be at least 1h0m0s"),
    ]
