"""§3: conditions whose left side is not a plain column, as influxd 1.6.7 answers.

influxd evaluates ``WHERE f + 1 > 4``, ``WHERE 1 = 1`` and ``WHERE f * 2 >= g``
on each point: numbers are compared after arithmetic (an integer divided
by an integer truncates, division and integer modulo by zero give 0, a
float modulo by zero is NaN, unequal to everything), a missing value, a tag,
a string or a boolean inside arithmetic matches nothing, and a condition
between literals is true or false for every point. Each test runs on the
server and on the engine (``conn``) and expects the server's answer.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

import influxpy
from influxpy.influxql import parse_statement
from influxpy.query import Query

S = 1_000_000_000

LINES = [
    'cond,t=a f=1,g=3,i=5i,s="x" 1000000000',
    'cond,t=b f=2,g=2,i=6i,s="y" 2000000000',
    'cond,t=a f=4,g=1,i=7i,s="z" 3000000000',
    "cond,t=b f=5,g=9,i=8i 4000000000",
    "cond,t=c g=7,b=true 5000000000",
    "cond,t=c f=-7,g=0,i=-7i 6000000000",
]

#: The condition, then the seconds of the points influxd answers with.
CASES: list[tuple[str, list[int]]] = [
    ("f + 1 > 4", [3, 4]),
    ("4 < f + 1", [3, 4]),
    ("f * 2 >= g", [2, 3, 4]),
    ("2 * f = g + 1", [4]),
    ("(f + 1) * 2 > 10", [4]),
    ("-f < -3", [3, 4]),
    ("f + g = 5", [3]),
    ("f + 1 != 100", [1, 2, 3, 4, 6]),  # the point without f is left out
    ("i - 1 = 5", [2]),
    ("i / 2 = 3", [2, 3]),  # integer division truncates
    ("i / 2 = -3", [6]),
    ("i / -2 = 3", [6]),
    ("i + 0.5 > 5", [1, 2, 3, 4]),
    ("g / 2 = 3.5", [5]),
    ("f % 2 = 1", [1, 4]),
    ("f % 2 = -1", [6]),  # the remainder takes the dividend's sign
    ("i % 3 = -1", [6]),
    ("i / 0 = 0", [1, 2, 3, 4, 6]),
    ("f / g = 0", [6]),
    ("i % 0 = 0", [1, 2, 3, 4, 6]),
    ("f % 0 = 0", []),  # NaN
    ("f % 0 != 0", [1, 2, 3, 4, 6]),
    ("f % 0 > 0", []),
    ("g - f < 0", [3]),
    ("t + 1 > 4", []),
    ("s + 'a' = 'xa'", []),
    ("b + 1 > 0", []),
    ("1 = 1", [1, 2, 3, 4, 5, 6]),
    ("1 + 1 = 2", [1, 2, 3, 4, 5, 6]),
    ("1 = 1.0", [1, 2, 3, 4, 5, 6]),
    ("1 = 2", []),
    ("1 != 1", []),
    ("'a' = 'a'", [1, 2, 3, 4, 5, 6]),
    ("'a' < 'b'", []),
    ("f = 1 + 1", [2]),
    ("f > g", [3]),
    ("f + 1 > 4 AND t = 'b'", [4]),
    ("f + 1 > 4 OR t = 'c'", [3, 4, 5, 6]),
    ("t = 'c' AND 3 > 2", [5, 6]),
    ("2 > 1 OR f > 100", [1, 2, 3, 4, 5, 6]),
    ("1 = 1 AND time > 2s", [3, 4, 5, 6]),
]


@pytest.fixture
def cond(conn: str) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(LINES)
    return backend


def _times(backend: Any, text: str) -> list[int]:
    (result,) = list(backend.statements(text))
    assert result.error is None
    return [row[0] // S for series in result.series for row in series.values]


@pytest.mark.parametrize(("condition", "seconds"), CASES)
def test_a_condition_over_an_expression(
    cond: Any, condition: str, seconds: list[int]
) -> None:
    assert _times(cond, f"SELECT g FROM cond WHERE {condition}") == seconds


def test_an_aggregate_over_points_an_expression_picks(cond: Any) -> None:
    (result,) = list(cond.statements("SELECT mean(f) FROM cond WHERE f * 2 > 3"))
    assert [s.values for s in result.series] == [[[0, 11 / 3]]]


def test_the_negation_of_an_expression_condition_compiles_to_the_opposite(
    cond: Any,
) -> None:
    """A negated expression lookup (``~``) is written with the opposite
    operator, InfluxQL having no NOT: a missing value still matches nothing."""
    query = parse_statement("SELECT g FROM cond WHERE f + 1 > 4")
    assert isinstance(query, Query)
    assert query.where is not None
    text = str(dataclasses.replace(query, where=query.where.negate()))
    assert text.endswith('WHERE "f" + 1 <= 4')
    assert _times(cond, text) == [1, 2, 6]


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("SHOW MEASUREMENTS WHERE 1 != 2", "left side of '!=' must be a tag key"),
        (
            "SHOW TAG VALUES WITH KEY = t WHERE t + 'a' = 'ba'",
            "left side of '=' must be a tag key",
        ),
        (
            "SHOW TAG VALUES WITH KEY = t WHERE f + 1 > 2",
            "invalid tag comparison operator",
        ),
        ("SHOW TAG KEYS WHERE f + 1 > 2", "invalid tag comparison operator"),
        (
            "SHOW MEASUREMENTS WHERE t = 'a' AND f + 1 > 2",
            "invalid tag comparison operator",
        ),
        ("SHOW SERIES WHERE f + 1 > 2", "invalid tag comparison operator"),
        (
            "DELETE FROM cond WHERE f + 1 > 100",
            "fields not supported in WHERE clause during deletion",
        ),
        (
            "DROP SERIES FROM cond WHERE f + 1 > 100",
            "fields not supported in WHERE clause during deletion",
        ),
    ],
)
def test_the_series_index_refuses_an_expression_condition(
    cond: Any, text: str, error: str
) -> None:
    """SHOW, DELETE and DROP SERIES pick series by their index, which cannot
    read a condition over an expression (influxd prefixes its deletion
    error with the shard, ``shard 1: ``)."""
    (result,) = list(cond.statements(text))
    assert result.error is not None
    assert result.error.endswith(error)
    assert _times(cond, "SELECT g FROM cond") == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("expression", "values"),
    [
        ("f % 2", [1.0, 0.0, 0.0, 1.0, -1.0]),  # the dividend's sign, as Go's math.Mod
        ("f % -2", [1.0, 0.0, 0.0, 1.0, -1.0]),
        ("f % 0.75", [0.25, 0.5, 0.25, 0.5, -0.25]),
    ],
)
def test_a_float_remainder_in_the_select_list_takes_the_dividends_sign(
    cond: Any, expression: str, values: list[float]
) -> None:
    (result,) = list(cond.statements(f"SELECT {expression} FROM cond WHERE f = f"))
    assert result.error is None
    assert [row[1] for series in result.series for row in series.values] == values
