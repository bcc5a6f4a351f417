"""SHOW statements whose FROM names measurements of several databases.

influxd runs ``SHOW SERIES`` and ``SHOW FIELD KEYS`` as SELECTs of each
source's database (and policy), every source's measurement name searched in
each: ``SHOW FIELD KEYS FROM show_a..mem, show_b..net`` lists ``mem`` and
``net`` of both. ``SHOW SERIES`` reads a database's index, every policy
alike. ``SHOW TAG KEYS`` and ``SHOW TAG VALUES`` read the statement's
database only, whatever a source names. The exact cardinalities count each
source in its database and policy (the default when it names none): the
series of each source apart, keys and values as one set. A database or
policy a source names that does not exist fails the statement.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import influxpy
from influxpy.exceptions import DatabaseNotFoundError, RetentionPolicyNotFoundError

DATABASES = {
    "show_a": [
        "cpu,host=a value=1,x=10i 10",
        "cpu,host=b value=2 20",
        "mem,host=a free=5 10",
    ],
    "show_b": [
        "cpu,host=b value=7,y=1i 15",
        "cpu,dc=w value=8 40",
        "net,host=q rx=1 5",
    ],
}
#: Points of the first database in a second policy.
OTHER = ["cpu,host=o value=9 10", "mem,host=o free=9 10"]

Rows = list[tuple[str, list[dict[str, Any]]]]


@pytest.fixture
def stores(both: tuple[str, str]) -> Iterator[list[Any]]:
    backends = [influxpy.get_connection(alias) for alias in both]
    for backend in backends:
        for name, lines in DATABASES.items():
            backend.create_database(name)
            backend.write_lines(lines, database=name)
        backend.query(
            "CREATE RETENTION POLICY other ON show_a DURATION 0s REPLICATION 1",
            database="show_a",
        )
        backend.write_lines(OTHER, database="show_a", retention_policy="other")
    yield backends
    for backend in backends:
        for name in DATABASES:
            backend.drop_database(name)


def rows(backend: Any, text: str) -> Rows:
    results = backend.query(text, database="show_a", epoch="ns")
    return [(r.name, r.points) for r in results]


def same(stores: list[Any], text: str) -> Rows:
    """The answer of both backends to *text*, which must be equal."""
    server, engine = (rows(backend, text) for backend in stores)
    assert engine == server
    return server


def keys(answer: Rows) -> list[str]:
    return [p["key"] for _name, points in answer for p in points]


def fields(answer: Rows) -> dict[str, list[str]]:
    return {name: [p["fieldKey"] for p in points] for name, points in answer}


def test_field_keys_of_two_databases(stores: list[Any]) -> None:
    answer = same(stores, "SHOW FIELD KEYS FROM show_a..cpu, show_b..cpu")
    assert fields(answer) == {"cpu": ["value", "x", "y"]}
    same(stores, "SHOW FIELD KEYS FROM show_b..cpu, cpu")
    # Every name a source says is searched in each source's database.
    answer = same(stores, "SHOW FIELD KEYS FROM show_a..mem, show_b..net")
    assert fields(answer) == {"mem": ["free"], "net": ["rx"]}
    answer = same(stores, "SHOW FIELD KEYS FROM show_a..cpu, show_b..mem")
    assert fields(answer) == {"cpu": ["value", "x", "y"], "mem": ["free"]}
    answer = same(stores, "SHOW FIELD KEYS FROM show_b..cpu, show_b..net")
    assert fields(answer) == {"cpu": ["value", "y"], "net": ["rx"]}
    same(stores, "SHOW FIELD KEYS ON show_b FROM cpu, show_a..mem")
    same(stores, "SHOW FIELD KEYS FROM show_a../c.*/, show_b../n.*/")
    answer = same(stores, "SHOW FIELD KEYS FROM show_a..cpu, show_b..cpu OFFSET 1")
    assert fields(answer) == {"cpu": ["x", "y"]}


def test_series_of_two_databases(stores: list[Any]) -> None:
    answer = same(stores, "SHOW SERIES FROM show_a..cpu, show_b..cpu")
    # Of every policy, each series once.
    assert keys(answer) == ["cpu,dc=w", "cpu,host=a", "cpu,host=b", "cpu,host=o"]
    answer = same(stores, "SHOW SERIES FROM show_a..mem, show_b..net")
    assert keys(answer) == ["mem,host=a", "mem,host=o", "net,host=q"]
    same(stores, "SHOW SERIES FROM show_b../.*/, show_a..mem")
    same(stores, "SHOW SERIES ON show_b FROM cpu, show_a..mem")
    answer = same(stores, "SHOW SERIES FROM show_a..cpu, show_b..cpu LIMIT 2 OFFSET 1")
    assert keys(answer) == ["cpu,host=a", "cpu,host=b"]
    same(stores, "SHOW SERIES FROM show_a..cpu, show_b..net WHERE host = 'q'")


def test_series_read_every_policy_of_the_index(stores: list[Any]) -> None:
    answer = same(stores, "SHOW SERIES FROM other.mem")
    assert keys(answer) == ["mem,host=a", "mem,host=o"]
    same(stores, "SHOW SERIES FROM autogen.cpu, other.mem")
    # With time, through the shard groups of the policy read.
    answer = same(stores, "SHOW SERIES FROM cpu WHERE time > 0")
    assert keys(answer) == ["cpu,host=a", "cpu,host=b"]
    answer = same(stores, "SHOW SERIES FROM show_a..cpu, show_b..cpu WHERE time > 0")
    assert keys(answer) == ["cpu,dc=w", "cpu,host=a", "cpu,host=b"]


def test_tag_keys_and_values_read_the_statements_database(
    stores: list[Any],
) -> None:
    answer = same(stores, "SHOW TAG KEYS FROM show_a..cpu, show_b..cpu")
    assert answer == [("cpu", [{"tagKey": "host"}])]
    same(stores, "SHOW TAG KEYS FROM show_b..cpu, show_a..mem")
    same(stores, "SHOW TAG KEYS FROM show_b.nope.cpu")
    same(stores, "SHOW TAG KEYS FROM nope..cpu")
    answer = same(stores, "SHOW TAG VALUES FROM show_b..cpu WITH KEY = host")
    assert [p["value"] for p in answer[0][1]] == ["a", "b", "o"]
    same(stores, "SHOW TAG VALUES FROM other.mem WITH KEY = host")


@pytest.mark.parametrize(
    "text",
    [
        "SHOW SERIES EXACT CARDINALITY FROM show_a..cpu, show_b..cpu",
        "SHOW SERIES CARDINALITY FROM show_a..cpu, show_b..net",
        "SHOW SERIES EXACT CARDINALITY FROM cpu, cpu",
        "SHOW SERIES EXACT CARDINALITY",
        "SHOW SERIES EXACT CARDINALITY FROM other.cpu, cpu",
        "SHOW SERIES EXACT CARDINALITY FROM show_b..cpu, cpu WHERE host = 'b'",
        "SHOW TAG VALUES EXACT CARDINALITY FROM show_b..cpu, cpu WITH KEY = host",
        "SHOW TAG VALUES EXACT CARDINALITY WITH KEY = host",
        "SHOW TAG KEY EXACT CARDINALITY FROM show_b..cpu, show_a..cpu",
        "SHOW FIELD KEY EXACT CARDINALITY FROM show_b..cpu, show_a..cpu",
        "SHOW FIELD KEY CARDINALITY FROM show_a..cpu, show_b..net",
        "SHOW MEASUREMENT EXACT CARDINALITY FROM show_b..cpu, show_a..mem",
    ],
)
def test_exact_cardinalities_count_each_source(stores: list[Any], text: str) -> None:
    same(stores, text)


def test_counts_of_two_databases(stores: list[Any]) -> None:
    text = "SHOW SERIES EXACT CARDINALITY FROM show_a..cpu, show_b..cpu"
    # Each source's series apart: host=b counts in both databases.
    assert same(stores, text) == [("cpu", [{"count": 4}])]
    text = "SHOW TAG VALUES EXACT CARDINALITY FROM show_b..cpu, cpu WITH KEY = host"
    assert same(stores, text) == [("cpu", [{"count": 2}])]


@pytest.mark.parametrize(
    ("text", "error", "reason"),
    [
        ("SHOW FIELD KEYS FROM nope..cpu, show_b..cpu", DatabaseNotFoundError, "nope"),
        ("SHOW SERIES FROM show_b..cpu, nope..cpu", DatabaseNotFoundError, "nope"),
        ("SHOW FIELD KEYS FROM show_b.nope.cpu", RetentionPolicyNotFoundError, "nope"),
        ("SHOW SERIES FROM nope.cpu", RetentionPolicyNotFoundError, "nope"),
    ],
)
def test_a_missing_database_or_policy_fails(
    stores: list[Any], text: str, error: type[Exception], reason: str
) -> None:
    for backend in stores:
        with pytest.raises(error, match=f"not found: {reason}"):
            rows(backend, text)
