"""Calls given the wrong arguments in InfluxQL text, on both stores.

influxd compiles each call's arguments before anything else of the
select list and refuses a wrong count or kind with its own text; the
engine refuses them with the same text. Arithmetic of number literals is
computed first (``top(v, 5 + 1)`` is ``top(v, 6)``).
"""

from __future__ import annotations

import pytest

import influxpy
from conformance._common import Reading, at, write_both

POINTS = [
    Reading(time=at(1), v=1.5, n=2, s="x", ok=True, host="a"),
    Reading(time=at(2), v=2.75, n=3, s="y", ok=False, host="a"),
    Reading(time=at(3), v=-4.5, n=5, s="x", ok=True, host="b"),
]
RANGE = f"WHERE time >= {at(0)} AND time < {at(10)}"

REFUSED = [
    ("percentile(n, true)", "expected float argument in percentile()"),
    ("percentile(n, 'x')", "expected float argument in percentile()"),
    ("percentile(n, v)", "expected float argument in percentile()"),
    ("percentile(n, 1s)", "expected float argument in percentile()"),
    ("percentile(n)", "invalid number of arguments for percentile, expected 2, got 1"),
    ("sample(n, 1.5)", "expected integer argument in sample()"),
    ("sample(v, -1)", "sample window must be greater than 1, got -1"),
    ("sample(n)", "invalid number of arguments for sample, expected 2, got 1"),
    ("top(n, true)", "expected integer as last argument in top(), found true"),
    ("top(n, 'x')", "expected integer as last argument in top(), found 'x'"),
    ("bottom(n, 2.0)", "expected integer as last argument in bottom(), found 2.000"),
    ("top(n, now())", "expected integer as last argument in top(), found now()"),
    ("bottom(n, 1s)", "expected integer as last argument in bottom(), found 1s"),
    ("top(v, -1)", "limit (-1) in top function must be at least 1"),
    ("top(n)", "invalid number of arguments for top, expected at least 2, got 1"),
    (
        "moving_average(n, true)",
        (
            "second argument for moving_average must be an integer, got "
            "*influxql.BooleanLiteral"
        ),
    ),
    (
        "moving_average(n, v)",
        "second argument for moving_average must be an integer, got *influxql.VarRef",
    ),
    ("moving_average(v, 1)", "moving_average window must be greater than 1, got 1"),
    (
        "derivative(n, 1.5)",
        "second argument to derivative must be a duration, got *influxql.NumberLiteral",
    ),
    (
        "derivative(n, 5 + 1)",
        (
            "second argument to derivative must be a duration, got "
            "*influxql.IntegerLiteral"
        ),
    ),
    (
        "non_negative_derivative(n, 'x')",
        (
            "second argument to non_negative_derivative must be a duration, got "
            "*influxql.StringLiteral"
        ),
    ),
    (
        "elapsed(n, now())",
        "second argument to elapsed must be a duration, got *influxql.Call",
    ),
    ("integral(n, 2)", "second argument must be a duration"),
    (
        "difference(n, 1)",
        "invalid number of arguments for difference, expected 1, got 2",
    ),
    (
        "cumulative_sum(n, 1s)",
        "invalid number of arguments for cumulative_sum, expected 1, got 2",
    ),
    ("count(n, 1)", "invalid number of arguments for count, expected 1, got 2"),
    ("mean(n, v)", "invalid number of arguments for mean, expected 1, got 2"),
    ("distinct(n, 1)", "distinct function can only have one argument"),
    (
        "exponential_moving_average(n, 1.5)",
        "exponential_moving_average period must be an integer",
    ),
    (
        "relative_strength_index(v, -1)",
        "relative_strength_index period must be greater than or equal to 1",
    ),
    (
        "kaufmans_efficiency_ratio(n, 2, 'x')",
        "kaufmans_efficiency_ratio hold period must be an integer",
    ),
    (
        "chande_momentum_oscillator(n, 2, 0, 'x')",
        (
            "chande_momentum_oscillator warmup type must be one of: "
            "'none' 'exponential' 'simple'"
        ),
    ),
    (
        "holt_winters(mean(n), 1.5, 1)",
        "expected integer argument as second arg in holt_winters",
    ),
    (
        "holt_winters(n, 2)",
        "invalid number of arguments for holt_winters, expected 3, got 2",
    ),
    ("count(n), sum(n, 1)", "invalid number of arguments for sum, expected 1, got 2"),
    ("mean(n) + max(v, 1)", "invalid number of arguments for max, expected 1, got 2"),
    (
        "derivative(mean(n), 'x')",
        "second argument to derivative must be a duration, got *influxql.StringLiteral",
    ),
    ("top(v, now()), n", "expected integer as last argument in top(), found now()"),
]


def answers(alias: str, text: str) -> tuple[str | None, list[object]]:
    (result,) = list(influxpy.get_connection(alias).statements(text))
    return result.error, [
        (s.tags, s.columns, [list(v) for v in s.values]) for s in result.series
    ]


@pytest.mark.parametrize(("select", "error"), REFUSED)
def test_wrong_arguments_fail_with_influxds_text(
    conn: str, select: str, error: str
) -> None:
    write_both((conn,), *POINTS)
    text = f"SELECT {select} FROM conformance {RANGE}"
    assert answers(conn, text) == (error, [])


@pytest.mark.parametrize(
    "select",
    [
        "top(n, 5 + 1)",
        "sample(n, (2 * 3))",
        "bottom(v, 4 - 2)",
        "percentile(n, 100 / 2)",
    ],
)
def test_arithmetic_of_number_literals_is_computed_first(
    both: tuple[str, str], select: str
) -> None:
    write_both(both, *POINTS)
    text = f"SELECT {select} FROM conformance {RANGE}"
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    assert server[1]
    assert engine == server
