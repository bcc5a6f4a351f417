"""Comparisons of two literals that influxql's ``Reduce`` leaves as written
(``'a' = 1``, ``'a' < 'b'``, ``1h = 3600000000000``, ``'a' =~ /a/``) in
the WHERE of SHOW, SELECT, DELETE and DROP SERIES, as influxd 1.6.7 reads
them: SHOW SERIES lets every series pass one, SHOW TAG KEYS takes it out,
the cardinalities evaluate it (only a string matched by a regex is true),
SHOW TAG VALUES and SHOW MEASUREMENTS refuse it, and so do DELETE and DROP
SERIES; what ``Reduce`` folds (``1 = 1``) deletes as ``true`` or ``false``
would. A literal compared with a name (``'a' = host``) is ``host = 'a'``
but to the index of SHOW TAG KEYS (taken out), TAG VALUES and
MEASUREMENTS (refused). An error of the index of SHOW MEASUREMENTS, TAG
KEYS or TAG VALUES is the statement's result, and the statements after it
run. Each test runs on the server and on the engine (``conn``).
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import statement_values, stored

POINTS = ["m,host=a,dc=x v=3 1", "m,host=b v=1 2", "n,host=a f=1 3"]
SERIES = ["m,dc=x,host=a", "m,host=b", "n,host=a"]
KEYS = [["dc"], ["host"], ["host"]]
FALSE = "&influxql.BooleanLiteral{Val:false}"
ORDERED = "invalid tag comparison operator"
REFUSED = "fields not supported in WHERE clause during deletion"
VALUES = "SHOW TAG VALUES WITH KEY = host"
RIGHT = "right side of '=' must be a tag value string"


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


def _series(backend: Any) -> list[str]:
    return [key for (key,) in statement_values(backend, "SHOW SERIES")]


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("SHOW MEASUREMENTS WHERE 1 = 2", "left side of '=' must be a tag key"),
        ("SHOW MEASUREMENTS WHERE true = true", "left side of '=' must be a tag key"),
        ("SHOW MEASUREMENTS WHERE 'a' =~ /a/", "left side of '=~' must be a tag key"),
        ("SHOW MEASUREMENTS WHERE 'a' < 'b'", ORDERED),
        ("SHOW MEASUREMENTS WHERE v + 1 = 2", "left side of '=' must be a tag key"),
        (
            "SHOW MEASUREMENTS WHERE host = 1",
            RIGHT,
        ),
        ("SHOW MEASUREMENTS WHERE host", '&influxql.VarRef{Val:"host", Type:0}'),
        ("SHOW MEASUREMENTS WHERE (dc::tag)", '&influxql.VarRef{Val:"dc", Type:7}'),
        (
            "SHOW MEASUREMENTS WHERE host = 'a' AND dc",
            '&influxql.VarRef{Val:"dc", Type:0}',
        ),
        ("SHOW MEASUREMENTS WHERE host = 1 AND dc", RIGHT),
        (
            "SHOW MEASUREMENTS WHERE dc AND host = 1",
            '&influxql.VarRef{Val:"dc", Type:0}',
        ),
        ("SHOW MEASUREMENTS WHERE -1", "&influxql.IntegerLiteral{Val:-1}"),
        ("SHOW MEASUREMENTS WHERE 1.5", "&influxql.NumberLiteral{Val:1.5}"),
        ("SHOW MEASUREMENTS WHERE 1000000.0", "&influxql.NumberLiteral{Val:1e+06}"),
        ("SHOW MEASUREMENTS WHERE 'a\"b'", '&influxql.StringLiteral{Val:"a\\"b"}'),
        ("SHOW MEASUREMENTS WHERE 1h", "&influxql.DurationLiteral{Val:3600000000000}"),
        (
            "SHOW MEASUREMENTS WHERE now()",
            '&influxql.Call{Name:"now", Args:[]influxql.Expr(nil)}',
        ),
        ("SHOW TAG KEYS WHERE 1 = 2", FALSE),
        ("SHOW TAG KEYS WHERE 'a' < 'b'", ORDERED),
        ("SHOW TAG KEYS WHERE host > 'a'", ORDERED),
        (
            "SHOW TAG KEYS WHERE _name = 1",
            RIGHT,
        ),
        (
            "SHOW TAG KEYS WHERE _name = 1 AND host > 'a'",
            RIGHT,
        ),
        (f"{VALUES} WHERE false", FALSE),
        (f"{VALUES} WHERE 'a' = 1", "left side of '=' must be a tag key"),
        (f"{VALUES} WHERE host = 'a' OR 'a' = 1", "left side of '=' must be a tag key"),
        (f"{VALUES} WHERE 1h = 3600000000000", "left side of '=' must be a tag key"),
        (f"{VALUES} WHERE 'a' !~ /a/", "left side of '!~' must be a tag key"),
        (f"{VALUES} WHERE v + 1 = 2", "left side of '=' must be a tag key"),
        (f"{VALUES} WHERE 'a' = 1 AND host > 'a'", ORDERED),
        (f"{VALUES} WHERE _name = 1", RIGHT),
        (
            f"{VALUES} WHERE _name != true",
            RIGHT.replace("=", "!=", 1),
        ),
        (f"{VALUES} WHERE 'b' = host", "left side of '=' must be a tag key"),
        ("SHOW MEASUREMENTS WHERE 'b' = host", "left side of '=' must be a tag key"),
    ],
)
def test_an_index_error_is_the_statements_result_and_the_next_ones_run(
    store: Any, statement: str, error: str
) -> None:
    """influxd sends the error its index gives as the statement's result."""
    first, second = list(store.statements(f"{statement}; SELECT v FROM m"))
    assert first.error == error
    assert second.error is None
    assert [list(v) for s in second.series for v in s.values] == [[1, 3], [2, 1]]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("'a' = 1", SERIES),
        ("1h = 3600000000000", SERIES),
        ("1 =~ /a/", SERIES),
        ("'b' =~ /a/", SERIES),
        ("host = 'b' AND 'a' = 1", ["m,host=b"]),
        ("host = 'zz' OR 'a' = 1", SERIES),
        ("'a' < 'b'", ORDERED),
        ("'a' + 1 = 'a1'", ORDERED),
        ("v + 1 = 2", ORDERED),
        ("'a' + 'b' =~ /ab/", SERIES),
        ("time > 0 AND 'a' = 1", []),
        ("time > 0 OR 'a' = 1", []),
        ("time > 0 AND 'a' =~ /a/", SERIES),
        ("time > 0 AND host = 'b' OR 'a' = 1", ["m,host=b"]),
        ("'a' = host", ["m,dc=x,host=a", "n,host=a"]),
        ("'a' != host", ["m,host=b"]),
        ("time > 0 AND 'b' = host", ["m,host=b"]),
        ("time > 0 AND 'a' < 'b'", []),
        ("time > 0 AND v + 1 = 2", []),
        ("time > 0 OR v + 1 = 4", []),
        ("time > 0 AND host = 'b' OR v + 1 = 2", ["m,host=b"]),
    ],
)
def test_show_series_lets_every_series_pass_a_comparison_of_literals(
    store: Any, condition: str, expected: Any
) -> None:
    """...which it evaluates when the condition has a time in it, as it
    evaluates any comparison then (a comparison of an expression, or an
    ordering, is false)."""
    answer = statement_values(store, f"SHOW SERIES WHERE {condition}")
    if isinstance(answer, list):
        answer = [key for (key,) in answer]
    assert answer == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("'a' = 1", KEYS),
        ("'a' =~ /a/", KEYS),
        ("v + 1 = 2", KEYS),
        ("host = 'b' AND 'a' = 1", [["host"]]),
        ("host = 'zz' OR 'a' = 1", []),
        ("'a' = 1 OR host = 'zz'", []),
        ("time > 0 OR 'a' = 1", KEYS),
        ("time > now() - 1h AND _name = 1", []),
        ("time > now() - 1h AND false", []),
        ("'b' = host", KEYS),
        ("'b' != host", KEYS),
    ],
)
def test_show_tag_keys_takes_a_comparison_without_a_name_out(
    store: Any, condition: str, expected: Any
) -> None:
    """...and lists nothing, whatever the condition, when no shard group
    meets its time range."""
    assert statement_values(store, f"SHOW TAG KEYS WHERE {condition}") == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("time > now() - 1h AND 'a' = 1", []),
        (
            "time > now() - 1h AND _name = 1",
            RIGHT,
        ),
        ("time > now() - 1h AND host > 'a'", ORDERED),
        ("time > now() - 1h AND false", FALSE),
    ],
)
def test_show_tag_values_refuses_some_conditions_before_reading_time(
    store: Any, condition: str, expected: Any
) -> None:
    """A comparison whose left side is not a name is refused only once a
    shard group meets the time range."""
    assert statement_values(store, f"{VALUES} WHERE {condition}") == expected


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("SHOW SERIES CARDINALITY WHERE 'a' = 1", []),
        ("SHOW SERIES CARDINALITY WHERE 'a' < 'b'", []),
        ("SHOW SERIES CARDINALITY WHERE 1h = 3600000000000", []),
        ("SHOW SERIES CARDINALITY WHERE 'a' =~ /a/", [[2], [1]]),
        ("SHOW SERIES CARDINALITY WHERE 'b' =~ /a/", []),
        ("SHOW SERIES CARDINALITY WHERE 1 =~ /a/", []),
        ("SHOW SERIES CARDINALITY WHERE host = 'a' OR 'a' = 1", [[1], [1]]),
        ("SHOW SERIES CARDINALITY WHERE host = 'zz' OR 'a' =~ /a/", [[2], [1]]),
        ("SHOW SERIES CARDINALITY WHERE v + 1 = 2", []),
        ("SHOW SERIES CARDINALITY WHERE host + 'x' = 'ax'", []),
        (
            "SHOW SERIES CARDINALITY WHERE time > 0 OR true",
            "SHOW SERIES EXACT CARDINALITY doesn't support time in WHERE clause",
        ),
        ("SHOW SERIES EXACT CARDINALITY WHERE 'a' =~ /a/", [[2], [1]]),
        ("SHOW TAG KEY CARDINALITY WHERE host = 'a' OR 'a' = 1", [[2], [1]]),
        ("SHOW TAG KEY EXACT CARDINALITY WHERE 'a' = 1", []),
        ("SHOW TAG VALUES CARDINALITY WITH KEY = host WHERE 'a' =~ /a/", [[2], [1]]),
        ("SHOW TAG VALUES EXACT CARDINALITY WITH KEY = host WHERE 'a' < 'b'", []),
        ("SHOW MEASUREMENT CARDINALITY WHERE 'a' =~ /a/", [[2]]),
        ("SHOW MEASUREMENT EXACT CARDINALITY WHERE 'a' = 1", []),
        ("SHOW SERIES CARDINALITY WHERE 'a' + 'b' =~ /ab/", [[2], [1]]),
        ("SHOW SERIES CARDINALITY WHERE 1h * 2 = 2h", [[2], [1]]),
        ("SHOW SERIES CARDINALITY WHERE 1h * 2 != 2h", []),
        ("SHOW MEASUREMENT CARDINALITY WHERE 1h * 1.5 = 1h", [[2]]),
        ("SHOW MEASUREMENT CARDINALITY WHERE 1h / 0 = 0s", [[2]]),
        ("SHOW MEASUREMENT CARDINALITY WHERE 1h / 7 = 514285714285ns", [[2]]),
        ("SHOW MEASUREMENT CARDINALITY WHERE 1h * 2 + 1h = 3h", [[2]]),
        ("SHOW MEASUREMENT CARDINALITY WHERE 2 * 1h = 2h", []),
        ("SHOW SERIES CARDINALITY WHERE 'a' = host", [[1], [1]]),
    ],
)
def test_a_cardinality_evaluates_a_comparison_of_literals(
    store: Any, statement: str, expected: Any
) -> None:
    """Only a string matched by a regex is true; a comparison of values of
    different types, an ordering of strings or a duration is false. A
    duration times or divided by a number folds, as Go's ``Duration``
    arithmetic computes it (the number truncated to an integer)."""
    assert statement_values(store, statement) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("'a' =~ /a/", [[1, 3], [2, 1]]),
        ("('a') =~ /a/", [[1, 3], [2, 1]]),
        ("'b' =~ /a/", []),
        ("'a' !~ /a/", []),
        ("'b' !~ /a/", [[1, 3], [2, 1]]),
        ("1 =~ /a/", []),
        ("1 !~ /a/", []),
        ("true =~ /a/", []),
        ("host = 'a' OR 'a' =~ /x/", [[1, 3]]),
        ("v > 2 AND 'a' =~ /a/", [[1, 3]]),
        ("'a' =~ /a/ AND time > 1", [[2, 1]]),
    ],
)
def test_select_evaluates_a_literal_matched_by_a_regex(
    store: Any, condition: str, expected: Any
) -> None:
    answer = statement_values(store, f"SELECT v FROM m WHERE {condition}")
    assert answer == expected


@pytest.mark.parametrize(
    ("statement", "left"),
    [
        ("DELETE FROM m WHERE 1 = 2", SERIES),
        ("DELETE FROM m WHERE 1 = 1", ["n,host=a"]),
        ("DELETE FROM m WHERE 'a' = 'a'", ["n,host=a"]),
        ("DELETE FROM m WHERE true = true", ["n,host=a"]),
        ("DELETE FROM m WHERE host = 'a' AND 1 = 1", ["m,host=b", "n,host=a"]),
        ("DELETE FROM m WHERE host = 'a' OR 1 = 1", ["n,host=a"]),
        ("DELETE FROM m WHERE host = 'a' AND 1 = 2", SERIES),
        ("DELETE WHERE 1 = 1", []),
        ("DROP SERIES WHERE 1 = 2", SERIES),
        ("DROP SERIES WHERE 1 = 1", []),
        ("DROP SERIES FROM m WHERE 1 = 1", ["n,host=a"]),
        ("DROP SERIES WHERE host = 'a' AND 1 = 1", ["m,host=b"]),
        ("DROP SERIES WHERE host = 'a' OR 1 = 1", []),
        ("DROP SERIES WHERE host = 'a' AND 1 = 2", SERIES),
        ("DELETE FROM m WHERE 'a' = host", ["m,host=b", "n,host=a"]),
        ("DROP SERIES WHERE 'a' = host AND 1 = 1", ["m,host=b"]),
        ("DROP SERIES WHERE 'zz' != host", []),
    ],
)
def test_a_deletion_folds_literals_as_reduce_does(
    store: Any, statement: str, left: list[str]
) -> None:
    (result,) = list(store.statements(statement))
    assert result.error is None
    assert _series(store) == left


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM m WHERE 'a' = 1",
        "DELETE FROM m WHERE 'a' =~ /a/",
        "DELETE FROM m WHERE 'a' < 'b'",
        "DELETE FROM m WHERE host = 'a' OR 'a' = 1",
        "DROP SERIES WHERE 'a' = 1",
        "DROP SERIES WHERE 'a' =~ /a/",
        "DROP SERIES WHERE 1h = 3600000000000",
        "DROP SERIES WHERE host = 'a' AND 'a' = 1",
    ],
)
def test_a_deletion_refuses_a_comparison_of_literals_reduce_leaves(
    store: Any, statement: str
) -> None:
    """influxd names a shard first (``shard 2: …``)."""
    (result,) = list(store.statements(statement))
    assert result.error is not None
    assert result.error.startswith("shard ")
    assert result.error.endswith(f": {REFUSED}")
    assert _series(store) == SERIES
