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
from influxpy.exceptions import DatabaseNotFoundError, InfluxQLParseError
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
