"""SHOW conditions influxd 1.6.7 reads in its own ways, on both backends.

- The field key cardinality counts only the measurements with a series
  passing the condition.
- SHOW TAG KEYS and TAG VALUES take the times out of the condition
  (``time > 0 OR host = 'a'`` is ``host = 'a'``) and list nothing when no
  shard group meets the time range, which intersects every condition on
  time, under OR too. The tag values cardinality counts at time 0: nothing
  when the range leaves 0 out, else the series of the shard groups the
  range meets.
- ``_name`` is the measurement's name: judged with each series by SHOW
  SERIES, SHOW MEASUREMENTS and the cardinalities, apart from the other
  conditions by SHOW TAG KEYS and TAG VALUES, never true in the tag values
  cardinality.
- A comparison of two literals is folded to ``true`` or ``false``, except
  by SHOW MEASUREMENTS.

Each test runs on the server and on the engine (``conn``).
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import stored

POINTS = [
    "m,host=a,dc=x v=3 1",
    "m,host=a,dc=y v=1 2",
    "m,host=b,dc=x v=3 3",
    "cpu,host=c u=7 4",
    "mem,dc=z w=1 5",
]
#: Points in two shard groups: 1970's first week and 2020's.
SPLIT = [
    "m,host=a,dc=x v=3 1",
    "m,host=b,dc=y v=1 1577836800000000000",
    "cpu,host=c u=7 1577836800000000000",
]
FALSE = "&influxql.BooleanLiteral{Val:false}"
EVERY_SERIES = [
    (
        "",
        [
            ["cpu,host=c"],
            ["m,dc=x,host=a"],
            ["m,dc=x,host=b"],
            ["m,dc=y,host=a"],
            ["mem,dc=z"],
        ],
    )
]
SERIES_A = [("", [["m,dc=x,host=a"], ["m,dc=y,host=a"]])]
EVERY_KEY = [("cpu", [["host"]]), ("m", [["dc"], ["host"]]), ("mem", [["dc"]])]
KEYS_OF_M = [("m", [["dc"], ["host"]])]
EVERY_HOST = [("cpu", [["host", "c"]]), ("m", [["host", "a"], ["host", "b"]])]
HOST_A = [("m", [["host", "a"]])]
HOST_B = [("m", [["host", "b"]])]
NOT_A = [("cpu", [["host", "c"]]), ("m", [["host", "b"]])]
HOSTS_OF_M = [("m", [["host", "a"], ["host", "b"]])]
HOST_COUNTS = [("cpu", [[1]]), ("m", [[2]])]
ONE_HOST_OF_M = [("m", [[1]])]
EVERY_COUNT = [("cpu", [[1]]), ("m", [[3]]), ("mem", [[1]])]
ONE_EACH = [("cpu", [[1]]), ("m", [[1]]), ("mem", [[1]])]
ONE_OF_M = [("m", [[1]])]
LEFT_SIDE = "left side of '=' must be a tag key"
ORDERING = "invalid tag comparison operator"
RANGE = "time > '1971-01-01T00:00:00Z' AND time < '2019-01-01T00:00:00Z'"


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


@pytest.fixture
def split(conn: str) -> Any:
    return stored(conn, SPLIT)


def answer(backend: Any, text: str) -> Any:
    """Each series' name and rows of the one statement *text* (``{db}``:
    the backend's database), or its error text."""
    (result,) = list(backend.statements(text.replace("{db}", backend.database)))
    if result.error is not None:
        return result.error
    return [(s.name, [list(v) for v in s.values]) for s in result.series]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SHOW FIELD KEY CARDINALITY WHERE host = 'a'", ONE_OF_M),
        ("SHOW FIELD KEY EXACT CARDINALITY WHERE host = 'a'", ONE_OF_M),
        ("SHOW FIELD KEY EXACT CARDINALITY FROM m WHERE host = 'a'", ONE_OF_M),
        ("SHOW FIELD KEY EXACT CARDINALITY FROM cpu WHERE host = 'a'", []),
        ("SHOW FIELD KEY CARDINALITY ON {db} WHERE host = 'c'", [("cpu", [[1]])]),
        ("SHOW FIELD KEY CARDINALITY WHERE false OR host = 'a'", ONE_OF_M),
        ("SHOW FIELD KEY CARDINALITY WHERE dc != 'x'", ONE_EACH),
        ("SHOW FIELD KEY CARDINALITY WHERE host =~ /./", ONE_EACH[:2]),
        ("SHOW FIELD KEY CARDINALITY WHERE host = 'zz'", []),
        ("SHOW FIELD KEY CARDINALITY WHERE v = 3", []),
    ],
)
def test_field_key_cardinality_counts_measurements_with_a_series(
    store: Any, text: str, expected: Any
) -> None:
    assert answer(store, text) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("time > 0 OR host = 'a'", HOST_A),
        ("host = 'a' OR time > 0", HOST_A),
        ("time > 100 OR host = 'a'", HOST_A),
        ("time > 0 OR time < 5", EVERY_HOST),
        ("(time > 0 OR time < 5) AND host = 'b'", HOST_B),
        ("(time > 0 OR host = 'b') OR host = 'a'", HOSTS_OF_M),
        ("(time > 0 AND time < 5) OR host = 'b'", HOST_B),
        ("time > 0 OR (host = 'a' AND time < 5)", HOST_A),
        ("time > 0 OR host != 'a'", NOT_A),
        ("time > 0 OR host =~ /b|c/", NOT_A),
        ("time > 0 OR v = 3", EVERY_HOST),
        ("time > '1971-01-01T00:00:00Z'", []),
        ("time > '1971-01-01T00:00:00Z' OR host = 'a'", []),
        ("time > 10 AND time < 5", EVERY_HOST),
    ],
)
def test_tag_values_take_time_out(store: Any, condition: str, expected: Any) -> None:
    text = f"SHOW TAG VALUES WITH KEY = host WHERE {condition}"
    assert answer(store, text) == expected


def test_tag_values_of_a_source_take_time_out(store: Any) -> None:
    text = "SHOW TAG VALUES ON {db} FROM m WITH KEY = host WHERE time > 0 OR host = 'a'"
    assert answer(store, text) == HOST_A


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("time > 0 OR host = 'a'", KEYS_OF_M),
        ("(time > 0 OR host = 'a') AND dc = 'y'", KEYS_OF_M),
        ("time < '1960-01-01T00:00:00Z' AND host = 'a'", []),
    ],
)
def test_tag_keys_take_time_out(store: Any, condition: str, expected: Any) -> None:
    assert answer(store, f"SHOW TAG KEYS WHERE {condition}") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SHOW TAG VALUES WITH KEY = host WHERE time > '2019-01-01T00:00:00Z'", None),
        (f"SHOW TAG VALUES WITH KEY = host WHERE {RANGE}", []),
        (
            "SHOW TAG KEYS WHERE time < '1971-01-01T00:00:00Z'",
            [("cpu", [["host"]]), ("m", [["dc"], ["host"]])],
        ),
    ],
)
def test_any_shard_group_in_the_range_lists_the_whole_index(
    split: Any, text: str, expected: Any
) -> None:
    """influxd's in-memory index is one for the database: a shard group in
    the time range lists every series, those of other groups too."""
    assert answer(split, text) == (EVERY_HOST if expected is None else expected)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("time > 0", []),
        ("time >= 0", HOST_COUNTS),
        ("time = 0", HOST_COUNTS),
        ("time <= 0", HOST_COUNTS),
        ("time < now()", HOST_COUNTS),
        ("time > 0 OR host = 'a'", []),
        ("time >= 0 AND host = 'a'", ONE_HOST_OF_M),
        ("time < now() OR host = 'a'", ONE_HOST_OF_M),
        ("time > '2000-01-01T00:00:00Z'", []),
    ],
)
def test_tag_values_cardinality_counts_at_time_zero(
    store: Any, condition: str, expected: Any
) -> None:
    for exact in ("", " EXACT"):
        text = f"SHOW TAG VALUES{exact} CARDINALITY WITH KEY = host WHERE {condition}"
        assert answer(store, text) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("time > '2019-01-01T00:00:00Z'", []),
        ("time < now()", HOST_COUNTS),
        ("time < '1971-01-01T00:00:00Z'", ONE_HOST_OF_M),
        ("time < '1971-01-01T00:00:00Z' AND host = 'b'", []),
        ("time < now() OR host = 'b'", ONE_HOST_OF_M),
    ],
)
def test_tag_values_cardinality_counts_the_series_of_the_range(
    split: Any, condition: str, expected: Any
) -> None:
    text = f"SHOW TAG VALUES CARDINALITY WITH KEY = host WHERE {condition}"
    assert answer(split, text) == expected
    text = "SHOW TAG VALUES EXACT CARDINALITY FROM cpu WITH KEY = host WHERE time <= 0"
    assert answer(split, text) == []


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("_name = 'm'", [("", EVERY_SERIES[0][1][1:4])]),
        ("_name =~ /^c/", [("", [["cpu,host=c"]])]),
        ("_name != 'm'", [("", [["cpu,host=c"], ["mem,dc=z"]])]),
        ("_name !~ /^c/", [("", EVERY_SERIES[0][1][1:])]),
        ("_name = 'm' AND host = 'a'", SERIES_A),
        ("_name = 'm' OR host = 'c'", [("", EVERY_SERIES[0][1][:4])]),
        ("_name = 1", EVERY_SERIES),
    ],
)
def test_series_read_name_with_each_series(
    store: Any, condition: str, expected: Any
) -> None:
    assert answer(store, f"SHOW SERIES WHERE {condition}") == expected
    assert answer(store, "SHOW SERIES FROM m WHERE _name = 'cpu'") == []


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("_name = 'm'", KEYS_OF_M),
        ("_name != 'm'", [("cpu", [["host"]]), ("mem", [["dc"]])]),
        ("_name = 'm' AND host = 'a'", KEYS_OF_M),
        ("_name = 'm' OR host = 'c'", []),
    ],
)
def test_tag_keys_read_name_apart(store: Any, condition: str, expected: Any) -> None:
    assert answer(store, f"SHOW TAG KEYS WHERE {condition}") == expected
    assert answer(store, "SHOW TAG KEYS FROM m WHERE _name = 'cpu'") == []


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("_name = 'm'", HOSTS_OF_M),
        ("_name =~ /^c/", [("cpu", [["host", "c"]])]),
        ("_name != 'm'", [("cpu", [["host", "c"]])]),
        ("_name = 'm' AND host = 'a'", HOST_A),
        ("_name = 'm' OR host = 'c'", []),
        ("_name = 'm' AND (host = 'a' OR _name = 'cpu')", []),
        ("(_name = 'm' OR _name = 'cpu') AND host != 'a'", NOT_A),
        ("_name = 'm' OR false", HOSTS_OF_M),
        ("_name = 'm' AND time > 0", HOSTS_OF_M),
        ("_foo = 'x'", []),
        ("_foo != 'x'", EVERY_HOST),
    ],
)
def test_tag_values_read_name_apart(store: Any, condition: str, expected: Any) -> None:
    text = f"SHOW TAG VALUES WITH KEY = host WHERE {condition}"
    assert answer(store, text) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("_name = 'm'", [["m"]]),
        ("_name != 'm'", [["cpu"], ["mem"]]),
        ("_name !~ /^c/", [["m"], ["mem"]]),
        ("_name = 'm' AND host = 'a'", [["m"]]),
        ("_name = 'm' OR host = 'c'", [["cpu"], ["m"]]),
        ("_name = 'm' AND host = 'c'", []),
    ],
)
def test_measurements_read_name(store: Any, condition: str, expected: Any) -> None:
    found = answer(store, f"SHOW MEASUREMENTS WHERE {condition}")
    assert found == ([("measurements", expected)] if expected else [])


def test_measurements_read_name_beside_with_measurement(store: Any) -> None:
    text = "SHOW MEASUREMENTS WITH MEASUREMENT =~ /m/ WHERE _name !~ /e/"
    assert answer(store, text) == [("measurements", [["m"]])]
    text = "SHOW MEASUREMENTS WHERE _name = 1"
    assert answer(store, text) == "right side of '=' must be a tag value string"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SHOW SERIES CARDINALITY WHERE _name = 'm'", [("m", [[3]])]),
        (
            "SHOW SERIES EXACT CARDINALITY WHERE _name = 'm' OR host = 'c'",
            EVERY_COUNT[:2],
        ),
        ("SHOW MEASUREMENT CARDINALITY WHERE _name = 'm'", [("", [[1]])]),
        ("SHOW MEASUREMENT EXACT CARDINALITY WHERE _name =~ /m/", [("", [[2]])]),
        (
            "SHOW MEASUREMENT EXACT CARDINALITY WHERE _name = 'm' OR host = 'c'",
            [("", [[2]])],
        ),
        ("SHOW TAG KEY CARDINALITY WHERE _name = 'm'", [("m", [[2]])]),
        ("SHOW TAG KEY CARDINALITY WHERE _name = 'm' OR host = 'c'", HOST_COUNTS),
        (
            "SHOW TAG KEY EXACT CARDINALITY WHERE _name = 'cpu' OR dc = 'z'",
            [("cpu", [[1]]), ("mem", [[1]])],
        ),
        ("SHOW FIELD KEY CARDINALITY WHERE _name = 'm'", ONE_OF_M),
        (
            "SHOW FIELD KEY EXACT CARDINALITY WHERE _name = 'm' OR host = 'c'",
            ONE_EACH[:2],
        ),
        ("SHOW TAG VALUES CARDINALITY WITH KEY = host WHERE _name = 'm'", []),
        ("SHOW TAG VALUES CARDINALITY WITH KEY = host WHERE _name != 'm'", []),
        (
            "SHOW TAG VALUES CARDINALITY WITH KEY = dc WHERE _name = 'm' OR dc = 'z'",
            [("mem", [[1]])],
        ),
    ],
)
def test_cardinalities_read_name_with_each_series(
    store: Any, text: str, expected: Any
) -> None:
    assert answer(store, text) == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("1 = 1", EVERY_SERIES),
        ("1 = 2", []),
        ("host = 'a' AND 1 = 1", SERIES_A),
        ("host = 'a' OR 1 = 2", SERIES_A),
        ("1 != 1", []),
        ("1 < 1.5", EVERY_SERIES),
        ("'a' != 'b'", EVERY_SERIES),
        ("true != true", []),
        ("1 + 1 = 3", []),
        ("1d = 24h", EVERY_SERIES),
        ("time > 5 OR 1 = 2", []),
        ("1 = 2 OR host > 'a'", ORDERING),
    ],
)
def test_series_fold_literal_comparisons(
    store: Any, condition: str, expected: Any
) -> None:
    assert answer(store, f"SHOW SERIES WHERE {condition}") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SHOW TAG KEYS WHERE 1 = 1", EVERY_KEY),
        ("SHOW TAG KEYS WHERE 1 = 2", FALSE),
        ("SHOW TAG KEYS WHERE host = 'a' AND 1 = 1", KEYS_OF_M),
        ("SHOW TAG KEYS WHERE host = 'a' OR 1 = 2", KEYS_OF_M),
        ("SHOW TAG KEYS WHERE false = false", EVERY_KEY),
        ("SHOW TAG VALUES WITH KEY = host WHERE 1 = 1.0", EVERY_HOST),
        ("SHOW TAG VALUES WITH KEY = host WHERE 1 = 2", FALSE),
        ("SHOW TAG VALUES WITH KEY = host WHERE host = 'a' AND 1 = 2", FALSE),
        ("SHOW TAG VALUES WITH KEY = host WHERE host = 'a' OR 1 = 1", EVERY_HOST),
        ("SHOW TAG VALUES WITH KEY = host WHERE 1 + 1 = 3", FALSE),
        ("SHOW TAG VALUES WITH KEY = host WHERE time > 5 OR 1 = 2", FALSE),
        ("SHOW MEASUREMENTS WHERE 1 = 1", LEFT_SIDE),
        ("SHOW MEASUREMENTS WHERE host = 'a' OR 1 = 2", LEFT_SIDE),
        ("SHOW MEASUREMENTS WHERE 1 < 2", ORDERING),
        ("SHOW SERIES CARDINALITY WHERE 1 = 2", []),
        ("SHOW SERIES EXACT CARDINALITY WHERE host = 'a' AND 1 = 1", [("m", [[2]])]),
        ("SHOW MEASUREMENT EXACT CARDINALITY WHERE 1 = 1", [("", [[3]])]),
        ("SHOW TAG KEY CARDINALITY WHERE host = 'a' AND 1 = 1", [("m", [[2]])]),
        ("SHOW FIELD KEY CARDINALITY WHERE 1 = 2", []),
        (
            "SHOW TAG VALUES CARDINALITY WITH KEY = host WHERE host = 'a' AND 1 = 1",
            ONE_HOST_OF_M,
        ),
        (
            "SHOW TAG VALUES EXACT CARDINALITY WITH KEY = dc WHERE dc = 'z' OR 1 = 2",
            [("mem", [[1]])],
        ),
    ],
)
def test_other_statements_fold_literal_comparisons(
    store: Any, text: str, expected: Any
) -> None:
    """Folded as SHOW SERIES folds them; SHOW MEASUREMENTS refuses them."""
    assert answer(store, text) == expected


@pytest.mark.parametrize(
    ("comparison", "true"),
    [
        ("10 / 4 = 2.5", True),
        ("7 / 2 * 2 = 7", True),
        ("1 / 0 = 0", True),
        ("1 % 0 = 0", True),
        ("-5 % 3 = -2", True),
        ("1.5 % 1 = 0.5", True),
        ("3 ^ 1 = 2", True),
        ("'a' + 'b' = 'ab'", True),
        ("1h + 1h = 2h", True),
        ("1d > 24h", False),
        ("9007199254740993 = 9007199254740992.0", True),
    ],
)
def test_literal_arithmetic_folds_as_influxql_reduces_it(
    store: Any, comparison: str, true: bool
) -> None:
    text = f"SHOW SERIES CARDINALITY WHERE {comparison}"
    assert answer(store, text) == (EVERY_COUNT if true else [])


@pytest.mark.parametrize("condition", ["h", "true", "host = 'a' OR false"])
def test_an_error_of_show_measurements_condition_lets_the_next_statements_run(
    store: Any, condition: str
) -> None:
    """influxd sends the index's error about a SHOW MEASUREMENTS condition as
    the statement's result and runs the statements after it."""
    text = f"SHOW MEASUREMENTS WHERE {condition}; SELECT v FROM m WHERE host = 'a'"
    first, second = list(store.statements(text))
    assert first.error is not None
    assert second.error is None
    assert [list(v) for s in second.series for v in s.values] == [[1, 3.0], [2, 1.0]]
