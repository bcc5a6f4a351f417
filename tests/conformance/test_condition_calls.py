"""Calls in a condition, as influxd 1.6.7 reads them.

A SELECT evaluates row-wise math on each point (``WHERE abs(v) > 1``,
``sin(v)``, ``pow(v, 2)``, ``atan2(v, v)``) when the call's first argument
is a field or a literal of a stored measurement; over a subquery, or with
arithmetic or another call as that argument (``abs(v + 0)``), or with
``log()``, influxd evaluates nothing and the comparison is false. Any other
call fails with ``invalid function call in condition``. ``now()`` compared
with anything but time is false (two ``now()`` times compare). In SHOW,
a call compared by ``=`` or ``!=`` is left to the points as a field's
comparison is; SHOW MEASUREMENTS, TAG KEYS and TAG VALUES read any call as
an expression; a deletion refuses them all as it refuses a field. Each
test runs on the server and on the engine (``conn``) and expects
influxd's answer.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pytest

from conformance._common import statement_values, stored

POINTS = ["cpu,host=a v=1 10", "cpu,host=b v=2 20", "mem,host=a v=3 30"]
BOTH = [[10, "a", 1.0], [20, "b", 2.0]]
A = [[10, "a", 1.0]]
B = [[20, "b", 2.0]]
SERIES = [["cpu,host=a"], ["cpu,host=b"], ["mem,host=a"]]
ORDER = "invalid tag comparison operator"
DELETION = "fields not supported in WHERE clause during deletion"


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("abs(v) > 1", B),
        ("abs(v) = 2", B),
        ("abs(v::float) > 1", B),
        ("abs((v)) > 1", B),
        ("abs(2) > 1", BOTH),
        ("sin(v) > 0.85", B),
        ("pow(v, 2) > 3", B),
        ("pow(v, 1 + 1) > 3", B),
        ("pow(v, 2.0) > 3", B),
        ("atan2(v, 1) > 1", B),
        ("atan2(v, v) > 0", BOTH),
        ("floor(v) = 2", B),
        ("ceil(v) >= 2", B),
        ("sqrt(v) > 1", B),
        ("log2(v) > 0.5", B),
        ("log10(v) < 0.5", BOTH),
        ("exp(v) > 5", B),
        ("abs(v) + abs(v) > 3", B),
        ("abs(v) + 1 > 2.5", B),
        ("abs(v) > 1 OR host = 'a'", BOTH),
        ("host = 'a' AND abs(v) >= 1", A),
        ("abs(v) > 1 AND time > 15", B),
        ("abs(host) = 'a'", []),
        ("abs(host) > 1", []),
        # influxd evaluates nothing for these: false for every point.
        ("abs(v + 0) > 1", []),
        ("abs(v * 1.0) > 1", []),
        ("abs(-1 * v) > 1", []),
        ("abs(abs(v)) > 1", []),
        ("floor(v / 2) = 1", []),
        ("sqrt(v - 1.5) != 0", []),
        ("ln(v - 1) < 0", []),
        ("log(v) > 0", []),
        ("log(v, 2) = 1", "invalid number of arguments for log, expected 1, got 2"),
        ("max(v) > 1", "invalid function call in condition: max(v)"),
        ("mean(v) = 1 OR host = 'a'", "invalid function call in condition: mean(v)"),
        ("derivative(v) > 1", "invalid function call in condition: derivative(v)"),
        ("abs(mean(v)) > 1", "invalid function call in condition: mean(v)"),
        ("host = now()", []),
        ("host != now()", []),
        ("v > now() - 1h", []),
        ("now() > 5", []),
        ("now() > now() - 1h", BOTH),
        ("now() < now() - 1h OR host = 'b'", B),
    ],
)
def test_select_conditions(store: Any, condition: str, expected: Any) -> None:
    assert statement_values(store, f"SELECT * FROM cpu WHERE {condition}") == expected


def test_math_over_a_subquery_is_false(store: Any) -> None:
    text = "SELECT * FROM (SELECT v, host FROM cpu) WHERE {}"
    assert statement_values(store, text.format("abs(v) > 1")) == []
    assert statement_values(store, text.format("v > 1")) == [[20, "b", 2.0]]


def test_math_in_a_grouped_query(store: Any) -> None:
    text = "SELECT mean(v) FROM cpu WHERE abs(v) >= 1 GROUP BY host"
    assert statement_values(store, text) == [[0, 1.0], [0, 2.0]]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SHOW SERIES WHERE abs(v) = 1", SERIES),
        ("SHOW SERIES WHERE abs(v) != 1", SERIES),
        ("SHOW SERIES WHERE 1 = abs(v)", SERIES),
        ("SHOW SERIES WHERE abs(v) = 'a'", SERIES),
        ("SHOW SERIES WHERE host = abs(v)", SERIES),
        (
            "SHOW SERIES WHERE host = 'a' AND abs(v) = 1",
            [["cpu,host=a"], ["mem,host=a"]],
        ),
        ("SHOW SERIES WHERE abs(v) > 1", ORDER),
        ("SHOW SERIES WHERE host = 'b' + 1", ORDER),
        ("SHOW SERIES WHERE host = v + 1", ORDER),
        (
            "SHOW SERIES WHERE mean(v) > 1",
            "invalid function call in condition: mean(v)",
        ),
        ("SHOW SERIES WHERE host = now()", SERIES),
        ("SHOW SERIES WHERE host != now() - 1h", SERIES),
        ("SHOW SERIES WHERE host = 'a' OR host = now()", SERIES),
        ("SHOW SERIES CARDINALITY WHERE host = now()", []),
        ("SHOW SERIES CARDINALITY WHERE abs(v) > 1", []),
        ("SHOW SERIES CARDINALITY WHERE host = now() OR host = 'a'", [[1], [1]]),
        (
            "SHOW MEASUREMENT CARDINALITY WHERE mean(v) = 1",
            "invalid function call in condition: mean(v)",
        ),
        ("SHOW TAG KEYS WHERE mean(v) > 1", ORDER),
        ("SHOW TAG KEYS WHERE host = now()", [["host"], ["host"]]),
        ("SHOW TAG VALUES WITH KEY = host WHERE mean(v) > 1", ORDER),
        (
            "SHOW TAG VALUES WITH KEY = host WHERE host = now()",
            [["host", "a"], ["host", "b"], ["host", "a"]],
        ),
        ("SHOW TAG VALUES CARDINALITY WITH KEY = host WHERE mean(v) > 1", []),
        ("SHOW MEASUREMENTS WHERE mean(v) > 1", ORDER),
        ("SHOW MEASUREMENTS WHERE mean(v) = 1", "left side of '=' must be a tag key"),
        ("SHOW MEASUREMENTS WHERE abs(v) > 1", ORDER),
        (
            "SHOW MEASUREMENTS WHERE host = now()",
            "right side of '=' must be a tag value string",
        ),
    ],
)
def test_show_conditions(store: Any, statement: str, expected: Any) -> None:
    assert statement_values(store, statement) == expected


@pytest.mark.parametrize("statement", ["DROP SERIES", "DELETE"])
@pytest.mark.parametrize(
    "condition",
    [
        "host = 'b' + 1",
        "host = v + 1",
        "v + 1 = host",
        "host = now()",
        "mean(v) > 1",
        "abs(v) = 1",
    ],
)
def test_deletions_refuse_computed_values(
    store: Any, statement: str, condition: str
) -> None:
    found = statement_values(store, f"{statement} WHERE {condition}")
    assert isinstance(found, str)
    assert re.fullmatch(rf"shard \d+: {DELETION}", found)
    assert statement_values(store, "SHOW SERIES") == SERIES


def test_a_field_as_the_second_argument_of_pow_and_log(store: Any) -> None:
    """``pow(v, v)`` and ``log(v, v + 1)`` read the second argument on each
    point, as the first, in the select list and in WHERE."""
    assert statement_values(store, "SELECT pow(v, v) FROM cpu") == [
        [10, 1.0],
        [20, 4.0],
    ]
    assert statement_values(store, "SELECT * FROM cpu WHERE pow(v, v) > 3") == B
    logs = statement_values(store, "SELECT log(v, v + 1) FROM cpu")
    assert [t for t, _ in logs] == [10, 20]
    assert [round(v, 12) for _, v in logs] == [0.0, round(math.log(2, 3), 12)]
    text = "SELECT pow(v, host) FROM cpu"
    assert statement_values(store, text) == [[10, None], [20, None]]
