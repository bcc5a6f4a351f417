"""The values of a plan's bindings, written into its SQL as constants."""

from __future__ import annotations

import math
from typing import Any

import duckdb
import numpy as np
import pytest

import influxpy
from influxpy import Percentile, Top, fields, models
from influxpy.backends.duckdb.constants import sql_constant, with_constants
from influxpy.backends.duckdb.stream import bound_params, bound_statement
from influxpy.compilers.duckdb.plan import bindings_of

VALUES = [
    (True, "BOOLEAN"),
    (False, "BOOLEAN"),
    (np.bool_(True), "BOOLEAN"),
    (0, "BIGINT"),
    (-(2**63), "BIGINT"),
    (2**63 - 1, "BIGINT"),
    (np.int64(-7), "BIGINT"),
    (0.1, "DOUBLE"),
    (-0.0, "DOUBLE"),
    (5e-324, "DOUBLE"),
    (1.7976931348623157e308, "DOUBLE"),
    (math.inf, "DOUBLE"),
    (-math.inf, "DOUBLE"),
    (np.float64(98.504), "DOUBLE"),
]


@pytest.mark.parametrize(("value", "kind"), VALUES)
def test_a_constant_reads_back_as_its_value_and_type(value: Any, kind: str) -> None:
    constant = sql_constant(value)
    assert constant is not None
    read, typed = duckdb.execute(f"SELECT {constant}, typeof({constant})").fetchone()
    assert typed == kind
    expected = value.item() if isinstance(value, np.generic) else value
    assert read == expected
    assert type(read) is type(expected)
    if isinstance(value, float):
        assert math.copysign(1.0, read) == math.copysign(1.0, value)


def test_nan_reads_back_as_nan() -> None:
    constant = sql_constant(math.nan)
    (read,) = duckdb.execute(f"SELECT {constant}").fetchone()
    assert math.isnan(read)


@pytest.mark.parametrize("value", [None, "a'b", [1.0, 2.0], 2**63, b"x"])
def test_nulls_texts_lists_and_wide_integers_stay_parameters(value: Any) -> None:
    assert sql_constant(value) is None
    text, left = with_constants("SELECT $v AS x", {"v": value}, {"v"})
    assert text == "SELECT $v AS x"
    assert left == {"v": value}


def test_only_the_named_parameters_outside_quotes_are_written_out() -> None:
    text = (
        "SELECT '$lo' AS \"$lo\", $lo AS a, $lox AS b, $hi AS c, $tail AS d "
        "WHERE $tail AND 'it''s $lo' <> ''"
    )
    params = {"lo": 1.5, "lox": 2, "hi": 3.0, "tail": True}
    written, left = with_constants(text, params, {"lo", "lox", "tail"})
    assert left == {"hi": 3.0}
    assert written == (
        "SELECT '$lo' AS \"$lo\", CAST('1.5' AS DOUBLE) AS a, "
        "CAST(2 AS BIGINT) AS b, $hi AS c, TRUE AS d "
        "WHERE TRUE AND 'it''s $lo' <> ''"
    )
    # The same row as with every value a parameter.
    assert (
        duckdb.execute(written, left).fetchall()
        == duckdb.execute(text, params).fetchall()
    )


class Load(models.InfluxMeasurement):
    """An integer field of three hosts."""

    class Meta:
        measurement = "load"

    v = fields.IntegerField()
    h = fields.InfluxTag()


def test_a_plans_bindings_reach_its_sql_as_constants() -> None:
    # The percentile's bracket and the point it picks, and the top-n's
    # bound, are given to the SQL as constants, which DuckDB compares
    # inside the table's scan; the statement answers what it answers with
    # them as parameters.
    backend = influxpy.connect("duckdb://:memory:", alias="constants")
    try:
        Load.series.using("constants").bulk_create(
            Load(time=i, v=i % 97, h=f"h{i % 3}") for i in range(1, 5000)
        )
        series = Load.series.using("constants")
        for qs in (
            series.annotate(Percentile("v", 99)),
            series.filter(h="h1").annotate(Percentile("v", 50)),
            series.annotate(Top("v", 3)),
        ):
            compiled = qs.query.compile(backend.get_compiler(None))
            assert bindings_of(compiled)
            cursor = backend._cursor()
            try:
                cursor.begin()
                written, left = bound_statement(cursor, compiled)
                params = bound_params(cursor, compiled)
                assert set(left) < set(params)
                assert "$bound" not in written
                assert (
                    cursor.execute(written, left).fetchall()
                    == cursor.execute(compiled.text, params).fetchall()
                )
            finally:
                cursor.close()
    finally:
        backend.close()
