"""``QuerySet.explain()``: InfluxDB's EXPLAIN on a server, DuckDB's plan with
the SQL on the engine; each test runs on both stores (the ``conn`` fixture).

influxd 1.6.7 answers ``EXPLAIN`` with one ``QUERY PLAN`` column (the
expression, shards, series, cached values, files and blocks; one empty row
for a measurement that does not exist), ``EXPLAIN ANALYZE`` with the tree of
the run (execution, planning and total time, the statement it built), and
writes nothing for ``EXPLAIN ANALYZE … INTO``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

import influxpy
from _models import ServerMeasurement
from influxpy.aggregates import Mean
from influxpy.backends.base import Backend
from influxpy.compilers.base import Compiled
from influxpy.exceptions import NotSupportedError

T0 = 1_513_071_900_000_000_000
MINUTE = 60_000_000_000


def fill(alias: str) -> Any:
    qs = ServerMeasurement.series.using(alias)
    qs.bulk_create(
        ServerMeasurement(
            cpu=float(i),
            memory=1,
            free_memory=1,
            name=f"host-{i % 2}",
            region="eu",
            time=T0 + i * MINUTE,
        )
        for i in range(4)
    )
    return qs.filter(name="host-0").annotate(cpu_m=Mean("cpu"))


def on_server(alias: str) -> bool:
    return influxpy.connections[alias].vendor != "duckdb"


def test_explain_gives_the_stores_plan(conn: str) -> None:
    qs = fill(conn)
    plan = qs.explain()
    if on_server(conn):
        lines = plan.splitlines()
        assert lines[0] == "EXPRESSION: mean(cpu::float)"
        assert "NUMBER OF SHARDS: 1" in lines
        assert "NUMBER OF SERIES: 1" in lines
        assert "CACHED VALUES: 2" in lines
    else:
        sql, _, duckdb_plan = plan.partition("\n\n")
        assert sql == qs.compile().text
        assert "Scan" in duckdb_plan
        assert "Total Time" not in duckdb_plan
    # Explaining runs nothing: the QuerySet's rows are still to be read.
    assert qs._result_cache is None


def test_explain_analyze_runs_the_query(conn: str) -> None:
    qs = fill(conn)
    plan = qs.explain(analyze=True)
    if on_server(conn):
        lines = plan.splitlines()
        assert lines[:2] == [".", "└── select"]
        assert any("execution_time: " in line for line in lines)
        assert any(
            "statement: SELECT mean(cpu::float) AS cpu_m FROM " in line
            for line in lines
        )
    else:
        sql, _, duckdb_plan = plan.partition("\n\n")
        assert sql == qs.compile().text
        assert "Total Time" in duckdb_plan


def test_aexplain_is_the_same_plan(conn: str) -> None:
    qs = fill(conn)
    plan = asyncio.run(qs.aexplain())
    first = qs.explain().splitlines()[0]
    assert plan.splitlines()[0] == first
    analyzed = asyncio.run(qs.aexplain(analyze=True))
    assert ("Total Time" in analyzed) != on_server(conn)


def test_a_missing_measurement_has_an_empty_plan(conn: str) -> None:
    qs = ServerMeasurement.series.using(conn)
    # influxd answers one empty line; the engine runs no SQL at all.
    assert qs.explain() == ""
    assert qs.none().explain() == ""


def test_explain_analyze_of_into_writes_nothing(conn: str) -> None:
    qs = fill(conn).resolution(influxpy.Minute(1)).into("copied")
    qs = qs.filter(time__gte=T0, time__lt=T0 + 10 * MINUTE)
    assert qs.explain(analyze=True)
    measurements = influxpy.connections[conn].introspection().measurements()
    assert measurements == ["servers"]


def test_explain_is_logged_once(conn: str, caplog: pytest.LogCaptureFixture) -> None:
    qs = fill(conn)
    with caplog.at_level(logging.DEBUG, logger="influxpy.query"):
        qs.explain(analyze=True)
    (record,) = [r for r in caplog.records if r.name == "influxpy.query"]
    statement = record.statement  # type: ignore[attr-defined]
    assert statement == "EXPLAIN ANALYZE " + qs.compile().text
    assert record.rows is None  # type: ignore[attr-defined]
    assert record.alias == conn  # type: ignore[attr-defined]


def test_a_store_without_plans_says_so() -> None:
    class Plain(Backend):
        vendor = "plain"

    plain: Any = Plain
    plain.__abstractmethods__ = frozenset()
    store = object.__new__(plain)
    store.alias = "plain"
    with pytest.raises(NotSupportedError, match="The plain backend cannot explain"):
        store.explain(Compiled("SELECT * FROM m"))
