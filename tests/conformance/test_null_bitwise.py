"""A missing value in the WHERE of a SELECT, as influxd 1.6.7 reads it.

Over a subquery influxd evaluates the condition on each row with its
select-list evaluator: a missing value beside a boolean reads as
``false``, in ``&``, ``|`` and ``^`` as in ``=`` and ``!=`` (``t ^ true``
and ``t = false`` keep the row where ``t`` is missing); two missing values,
a missing integer, and a name the subquery lacks stay missing. Over stored
points a missing operand makes the answer missing, which a comparison
with a boolean reads as ``false``. Booleans compare by ``=`` and ``!=``
only. Each test runs on the server and on the engine (``conn``).
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import statement_values, stored

POINTS = [
    'm,host=a a=5i,b=3i,f=1.5,s="x",t=true 1',
    'm,host=a a=2i,b=7i,f=2.5,s="y",t=false 2',
    'm,host=b a=7i,b=0i,f=3.5,s="z",t=true 3',
    "m,host=b a=4i 4",
    "m,host=c b=9i 5",
]
AT = "(SELECT t, a FROM m)"
ALL = [[1, 5, True], [2, 2, False], [3, 7, True], [4, 4, None]]
FALSE_OR_MISSING = [[2, 2, False], [4, 4, None]]
TRUE = [[1, 5, True], [3, 7, True]]


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("t ^ true", FALSE_OR_MISSING),
        ("true ^ t", FALSE_OR_MISSING),
        ("t ^ true = true", FALSE_OR_MISSING),
        ("t ^ true = false", TRUE),
        ("t | false", TRUE),
        ("t & true", TRUE),
        ("t & true = false", FALSE_OR_MISSING),
        ("t ^ t", []),
        ("t ^ t = false", ALL),
        ("t = false", FALSE_OR_MISSING),
        ("false = t", FALSE_OR_MISSING),
        ("t != true", FALSE_OR_MISSING),
        ("t != false", TRUE),
        ("t = true OR t = false", ALL),
        ("t = false AND a = 4", [[4, 4, None]]),
        ("t > false", []),
        ("t < true", []),
        ("t & a = false", ALL),
        ("t | zz", []),
        ("zz != true", []),
        ("zz ^ true = false", ALL),
    ],
)
def test_a_missing_boolean_over_a_subquery_is_false(
    store: Any, condition: str, expected: Any
) -> None:
    text = f"SELECT * FROM {AT} WHERE {condition}"
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "SELECT * FROM (SELECT t, s, a FROM m) WHERE s != true",
            [[4, 4, None, None]],
        ),
        (
            "SELECT * FROM (SELECT t, a, f FROM m) WHERE f = false",
            [[4, 4, None, None]],
        ),
        (
            "SELECT * FROM (SELECT a, b FROM m) WHERE a & 1 = 0",
            [[2, 2, 7], [4, 4, None]],
        ),
        ("SELECT * FROM (SELECT a, b FROM m) WHERE b | 1 = 1", [[3, 7, 0]]),
        ("SELECT * FROM (SELECT a, b FROM m) WHERE a = 0", []),
    ],
)
def test_other_missing_values_over_a_subquery(
    store: Any, text: str, expected: Any
) -> None:
    """A missing text or float beside a boolean is ``false`` too; a
    missing integer beside an integer stays missing."""
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("t ^ true = true", [[2, False, 2]]),
        ("t & true = false", [[2, False, 2], [4, None, 4]]),
        ("t | false = false", [[2, False, 2], [4, None, 4]]),
        ("t = false", [[2, False, 2]]),
        ("t != true", [[2, False, 2]]),
        ("t > false", []),
        ("a & 1 = 0", [[2, False, 2], [4, None, 4]]),
    ],
)
def test_a_missing_value_over_stored_points(
    store: Any, condition: str, expected: Any
) -> None:
    text = f"SELECT t, a FROM m WHERE {condition}"
    assert statement_values(store, text) == expected
