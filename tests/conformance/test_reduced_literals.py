"""Arithmetic and comparisons of literals in a condition, reduced as
influxql's ``Reduce`` reduces them before influxd reads the condition:
``7 / 2`` is ``3.5``, ``'a' + 'b'`` is ``'ab'``, ``2h - 1h`` is ``1h``
and ``1h = 60m`` is true, in SELECT, SHOW SERIES, SHOW TAG VALUES and DROP
SERIES alike; what it leaves (``1h + 5``, ``'a' + 1``) is read as
written. What a time is compared with follows influxd's rules too: a
time string, ``now()`` or an integer shifted by a duration or an integer,
a duration added to a time string; anything else fails with influxd's
``time and *influxql.<type> are not compatible``. Each test runs on the
server and on the engine (``conn``) and expects influxd's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import statement_values, stored

POINTS = ["cpu,host=a v=1 10", "cpu,host=b v=2 20", "mem,host=a v=3 30"]
BOTH = [[10, "a", 1.0], [20, "b", 2.0]]
A = [[10, "a", 1.0]]
B = [[20, "b", 2.0]]
NOT = "invalid operation: time and *influxql.{} are not compatible"


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("7 / 2 = 3.5", BOTH),
        ("1 / 0 = 0", BOTH),
        ("5 % 2 = 1", BOTH),
        ("-7 % 2 = -1", BOTH),
        ("6 & 3 = 2", BOTH),
        ("v = 3 - 2", A),
        ("v = 1.5 + 0.5", B),
        ("host = 'a' + ''", A),
        ("host != 'a' + ''", B),
        ("'a' + 'b' = 'ab'", BOTH),
        ("'a' + 'b' != 'ab'", []),
        ("('a' + 'b') + 'c' = 'abc'", BOTH),
        ("host =~ /a/ AND 'x' + 'y' = 'xy'", A),
        ("'a' + 'b' =~ /ab/", BOTH),
        ("'a' + 'b' !~ /ab/", []),
        ("2h - 1h = 1h", BOTH),
        ("1h = 60m", BOTH),
        ("1h * 2 = 2h", BOTH),
        ("1h < 2h", BOTH),
        ("1h != 60m", []),
        ("1h = 3600000000000", []),
        ("v < 2h", []),
        ("true = true", BOTH),
        ("'a' < 'b'", []),
        ("'a' = 1", []),
        ("1 = 2 OR host = 'b'", B),
        ("1 = 1 OR time > 15", B),
    ],
)
def test_select_conditions(store: Any, condition: str, expected: Any) -> None:
    assert statement_values(store, f"SELECT * FROM cpu WHERE {condition}") == expected


@pytest.mark.parametrize(
    ("bound", "expected"),
    [
        ("time < 10ns * 2", A),
        ("time < 5ns + 10ns", A),
        ("time < 5 + 10ns", A),
        ("time < 25 - 10ns", A),
        ("time < '1970-01-01T00:00:00Z' + 15", A),
        ("time < 5ns + 10ns + '1970-01-01T00:00:00Z'", A),
        ("time < now() + 10ns + 5", BOTH),
        ("time > now() - 10", []),
        ("time > 10ns + now() - 1h", []),
        ("time < 15 * 1", A),
        ("time < 15ns + 10", NOT.format("BinaryExpr")),
        ("time < 2 * 10ns", NOT.format("BinaryExpr")),
        ("time < 1h - '1970-01-01T00:00:00Z'", NOT.format("BinaryExpr")),
        ("time < 10 + 'x'", NOT.format("BinaryExpr")),
        ("time < 'abc' + 1h", NOT.format("BinaryExpr")),
        ("time < '2020-13-01' + 1h", NOT.format("BinaryExpr")),
        ("time < now() * 2", NOT.format("BinaryExpr")),
        ("time < 15.5 + 1ns", NOT.format("BinaryExpr")),
        ("time < true", NOT.format("BooleanLiteral")),
        ("time < host", NOT.format("VarRef")),
        ("time < mean(v)", NOT.format("Call")),
        ("time < 'abc'", NOT.format("StringLiteral")),
        ("time < '202-01-01'", NOT.format("StringLiteral")),
    ],
)
def test_time_bounds(store: Any, bound: str, expected: Any) -> None:
    assert statement_values(store, f"SELECT * FROM cpu WHERE {bound}") == expected


def test_an_invalid_time_string_starts_with_influxds_text(store: Any) -> None:
    """influxd says ``invalid timestamp string``; the engine goes on to say
    what is wrong with it."""
    for text in ("'2020-13-01'", "'2020-01-01T00:00:00'", "'2020-01-01x'"):
        found = statement_values(store, f"SELECT * FROM cpu WHERE time < {text}")
        assert isinstance(found, str)
        assert found.startswith("invalid timestamp string")


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SHOW SERIES WHERE host = 'a' + ''", [["cpu,host=a"], ["mem,host=a"]]),
        ("SHOW SERIES WHERE host = 'b' + 1", "invalid tag comparison operator"),
        (
            "SHOW TAG VALUES FROM cpu WITH KEY = host WHERE host = 'a' + ''",
            [["host", "a"]],
        ),
        ("SHOW TAG VALUES FROM cpu WITH KEY = host WHERE host = 'a' + 'b'", []),
        ("SHOW TAG KEYS FROM cpu WHERE host = 'a' + ''", [["host"]]),
        # SHOW MEASUREMENTS' index reads the condition as written.
        (
            "SHOW MEASUREMENTS WHERE host = 'a' + ''",
            "right side of '=' must be a tag value string",
        ),
    ],
)
def test_show_conditions(store: Any, statement: str, expected: Any) -> None:
    assert statement_values(store, statement) == expected


def test_drop_series_with_a_reduced_value(store: Any) -> None:
    assert statement_values(store, "DROP SERIES WHERE host = 'b' + ''") == []
    assert statement_values(store, "SHOW SERIES") == [["cpu,host=a"], ["mem,host=a"]]
