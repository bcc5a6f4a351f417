"""``true`` and ``false`` in the WHERE of the SHOW statements, as influxd
1.6.7 reads them: the times taken out and the literals folded, a condition
that is ``false`` answers nothing for SHOW SERIES and the cardinalities and
fails SHOW TAG KEYS and TAG VALUES with the literal's text; SHOW
MEASUREMENTS fails on any literal. Each test runs on the server and on the
engine (``conn``).
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import statement_values, stored

POINTS = [
    "m,host=a,dc=x v=3 1",
    "m,host=a,dc=y v=1 2",
    "m,host=b,dc=x v=3 3",
    "cpu,host=c u=7 4",
]
FALSE = "&influxql.BooleanLiteral{Val:false}"
TRUE = "&influxql.BooleanLiteral{Val:true}"
SERIES = ["cpu,host=c", "m,dc=x,host=a", "m,dc=x,host=b", "m,dc=y,host=a"]


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("false", []),
        ("(false)", []),
        ("true", SERIES),
        ("host = 'a' OR false", SERIES[1::2]),
        ("false OR host = 'a'", SERIES[1::2]),
        ("host = 'a' AND false", []),
        ("false AND true", []),
        ("false OR true", SERIES),
        ("(host = 'a' AND false) OR dc = 'y'", SERIES[3:]),
        ("dc = 'y' AND (host = 'a' OR false)", SERIES[3:]),
        ("host > 'a' AND false", []),
        ("v + 1 = 2 AND false", []),
        ("time > 5 AND false", []),
        ("time > 5 OR false", []),
        ("(time > 5 OR false) AND host = 'a'", []),
        ("time > 5 OR time < 3 OR false", []),
        ("time > 5 OR true", SERIES),
        ("time > 0 AND true", SERIES),
        ("host > 'a' OR false", "invalid tag comparison operator"),
    ],
)
def test_show_series(store: Any, condition: str, expected: Any) -> None:
    answer = statement_values(store, f"SHOW SERIES WHERE {condition}")
    if isinstance(answer, list):
        answer = [key for (key,) in answer]
    assert answer == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("false", FALSE),
        ("(false)", FALSE),
        ("true AND false", FALSE),
        ("false OR false", FALSE),
        ("host = 'a' AND false", FALSE),
        ("host > 'a' AND false", FALSE),
        ("v + 1 = 2 AND false", FALSE),
        ("time > 0 OR false", FALSE),
        ("time > 0 AND host = 'a' AND false", FALSE),
        ("host = 'a' OR false", [["host", "a"]]),
        ("false OR host = 'a'", [["host", "a"]]),
        ("(host = 'a' AND false) OR dc = 'y'", [["host", "a"]]),
        ("host = 'zz' OR false", []),
        ("false OR true", [["host", "c"], ["host", "a"], ["host", "b"]]),
        ("time > 5 OR true", [["host", "c"], ["host", "a"], ["host", "b"]]),
        ("v + 1 = 2 OR false", "left side of '=' must be a tag key"),
    ],
)
def test_show_tag_values(store: Any, condition: str, expected: Any) -> None:
    text = f"SHOW TAG VALUES WITH KEY = host WHERE {condition}"
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("false", FALSE),
        ("host = 'zz' AND false", FALSE),
        ("time > 5 OR false", FALSE),
        ("host = 'a' OR false", [["dc"], ["host"]]),
        ("host = 'zz' OR false", []),
        ("true OR false", [["host"], ["dc"], ["host"]]),
        ("host > 'a' OR false", "invalid tag comparison operator"),
    ],
)
def test_show_tag_keys(store: Any, condition: str, expected: Any) -> None:
    text = f"SHOW TAG KEYS WHERE {condition}"
    assert statement_values(store, text) == expected


def test_false_fails_tag_keys_and_values_of_any_source(store: Any) -> None:
    """Whatever FROM names, after the database is found."""
    for text in (
        "SHOW TAG KEYS FROM m WHERE false",
        "SHOW TAG KEYS FROM zz WHERE false SLIMIT 1",
        "SHOW TAG VALUES FROM zz WITH KEY = host WHERE false LIMIT 1",
    ):
        assert statement_values(store, text) == FALSE
    text = "SHOW TAG KEYS ON nodb WHERE false"
    assert statement_values(store, text) == "database not found: nodb"


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("false", FALSE),
        ("true", TRUE),
        ("host = 'a' OR false", FALSE),
        ("host = 'zz' AND true", TRUE),
        ("true AND false", TRUE),
        ("false OR true", FALSE),
        ("(host = 'a' AND false) OR dc = 'y'", FALSE),
        ("false OR host > 'a'", FALSE),
        ("false OR host = 1", FALSE),
        ("false OR 1 = 2", FALSE),
        ("host > 'a' OR false", "invalid tag comparison operator"),
        ("host = 1 OR false", "right side of '=' must be a tag value string"),
        ("1 = 2 OR false", "left side of '=' must be a tag key"),
        (
            "false AND time > 0",
            "SHOW MEASUREMENTS doesn't support time in WHERE clause",
        ),
        ("true OR time > 0", "SHOW MEASUREMENTS doesn't support time in WHERE clause"),
    ],
)
def test_show_measurements(store: Any, condition: str, expected: Any) -> None:
    text = f"SHOW MEASUREMENTS WHERE {condition}"
    assert statement_values(store, text) == expected


def test_show_measurements_of_a_missing_database_answers_nothing(store: Any) -> None:
    assert statement_values(store, "SHOW MEASUREMENTS ON nodb WHERE false") == []
    text = "SHOW MEASUREMENTS WITH MEASUREMENT = m WHERE true"
    assert statement_values(store, text) == TRUE


@pytest.mark.parametrize(
    "what",
    [
        "SERIES",
        "SERIES EXACT",
        "MEASUREMENT",
        "MEASUREMENT EXACT",
        "TAG KEY",
        "TAG KEY EXACT",
        "FIELD KEY",
        "FIELD KEY EXACT",
        "TAG VALUES",
        "TAG VALUES EXACT",
    ],
)
def test_a_false_cardinality_answers_nothing(store: Any, what: str) -> None:
    key = " WITH KEY = host" if what.startswith("TAG VALUES") else ""
    for condition in ("false", "host = 'a' AND false", "false OR false"):
        text = f"SHOW {what} CARDINALITY{key} WHERE {condition}"
        assert statement_values(store, text) == []


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("SERIES", [[2]]),
        ("SERIES EXACT", [[2]]),
        ("MEASUREMENT", [[1]]),
        ("TAG KEY EXACT", [[2]]),
        ("TAG VALUES", [[1]]),
        ("TAG VALUES EXACT", [[1]]),
    ],
)
def test_a_cardinality_with_false_in_or(store: Any, what: str, expected: Any) -> None:
    key = " WITH KEY = host" if what.startswith("TAG VALUES") else ""
    text = f"SHOW {what} CARDINALITY{key} WHERE false OR host = 'a'"
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("what", "named"),
    [
        ("SERIES", "SERIES EXACT"),
        ("SERIES EXACT", "SERIES EXACT"),
        ("MEASUREMENT EXACT", "MEASUREMENT EXACT"),
        ("TAG KEY", "TAG KEY EXACT"),
        ("FIELD KEY EXACT", "FIELD KEY"),
    ],
)
def test_a_cardinality_refuses_time_beside_false(
    store: Any, what: str, named: str
) -> None:
    text = f"SHOW {what} CARDINALITY WHERE false AND time > 0"
    expected = f"SHOW {named} CARDINALITY doesn't support time in WHERE clause"
    assert statement_values(store, text) == expected


def test_a_false_tag_values_cardinality_with_time_answers_nothing(
    store: Any,
) -> None:
    text = "SHOW TAG VALUES CARDINALITY WITH KEY = host WHERE time > 0 AND false"
    assert statement_values(store, text) == []


def test_deleting_and_dropping_where_false_keep_every_series(store: Any) -> None:
    for text in (
        "DROP SERIES WHERE host = 'zz' AND false",
        "DELETE FROM m WHERE host = 'a' AND false",
    ):
        assert statement_values(store, text) == []
    assert len(statement_values(store, "SHOW SERIES")) == 4
