"""The engine compiler on what only InfluxQL text says, and ``Raw()``."""

from __future__ import annotations

import pytest

from influxpy.compilers.duckdb import DuckDBCompiler
from influxpy.compilers.duckdb.catalog import Catalog, ColumnInfo
from influxpy.compilers.duckdb.plan import SelectPlan
from influxpy.exceptions import UnsupportedCompilation
from influxpy.expressions import Raw
from influxpy.influxql import parse_statement
from influxpy.query import Query, SelectItem, Source

CATALOG = Catalog(
    "db",
    {
        ("autogen", "cpu"): {
            "host": ColumnInfo("host", "tag", "string"),
            "v": ColumnInfo("v", "field", "float"),
        },
        ("autogen", "mem"): {"free": ColumnInfo("free", "field", "integer")},
    },
)


def _compile(query: Query) -> SelectPlan:
    plan = query.compile(DuckDBCompiler(CATALOG, now_ns=0)).plan
    assert isinstance(plan, SelectPlan)
    return plan


def test_raw_is_parsed_as_an_expression() -> None:
    query = Query(Source("cpu"), select=(SelectItem(Raw('mean("v") * 2')),))
    plan = _compile(query)
    assert plan.columns == ("mean",)


def test_raw_that_is_not_one_expression_is_refused_naming_it() -> None:
    query = Query(Source("cpu"), select=(SelectItem(Raw("v FROM x")),))
    with pytest.raises(UnsupportedCompilation, match=r"Raw\('v FROM x'\)"):
        query.compile(DuckDBCompiler(CATALOG, now_ns=0))


def test_several_measurements_compile_to_one_part_each_in_name_order() -> None:
    query = parse_statement("SELECT * FROM mem, /c/")
    assert isinstance(query, Query)
    plan = _compile(query)
    names = [p.plan.measurement for p in plan.parts]  # type: ignore[union-attr]
    assert names == ["cpu", "mem"]
    assert all(p.plan.columns == ("free", "host", "v") for p in plan.parts)  # type: ignore[union-attr]


def test_descending_order_reverses_the_measurements() -> None:
    query = parse_statement("SELECT v FROM cpu, mem ORDER BY time DESC")
    assert isinstance(query, Query)
    plan = _compile(query)
    # mem has no v: it reads it as a field without points.
    assert [p.plan.measurement for p in plan.parts] == ["mem", "cpu"]  # type: ignore[union-attr]
