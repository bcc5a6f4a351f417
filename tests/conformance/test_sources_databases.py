"""A FROM naming measurements of several databases, on both backends.

influxd reads every table each source matches under its measurement's
name: ``cpu`` of two databases is one measurement (its points at one time
kept, in the sources' order), a table two sources match is read twice,
a bare name reads the statement's database, and a database or retention
policy that does not exist fails the statement whichever source names it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import influxpy
from influxpy.exceptions import DatabaseNotFoundError, RetentionPolicyNotFoundError

DATABASES = {
    "sources_a": [
        "cpu,host=a value=1,x=10i 10",
        "cpu,host=b value=2 20",
        "mem,host=a free=5 10",
    ],
    "sources_b": [
        "cpu,host=c value=7 15",
        "cpu,host=a value=8 10",
        "cpu,host=a value=9,y=1i 40",
        "disk,host=a used=3 5",
    ],
}
Rows = list[tuple[str, dict[str, str], Any]]


@pytest.fixture
def stores(both: tuple[str, str]) -> Iterator[list[Any]]:
    backends = [influxpy.get_connection(alias) for alias in both]
    for backend in backends:
        for name, lines in DATABASES.items():
            backend.create_database(name)
            backend.write_lines(lines, database=name)
    yield backends
    for backend in backends:
        for name in DATABASES:
            backend.drop_database(name)


def rows(backend: Any, text: str) -> Rows:
    results = backend.query(text, database="sources_a", epoch="ns")
    return [(r.name, r.tags, r.points) for r in results]


def same(stores: list[Any], text: str) -> Rows:
    """The answer of both backends to *text*, which must be equal."""
    server, engine = (rows(backend, text) for backend in stores)
    assert engine == server
    return server


def point(t: int, **values: Any) -> dict[str, Any]:
    return {"time": t, **values}


def test_one_measurement_of_two_databases_is_one_series(stores: list[Any]) -> None:
    answer = same(stores, "SELECT * FROM sources_a..cpu, sources_b..cpu")
    assert answer == [
        (
            "cpu",
            {},
            [
                point(10, host="a", value=1.0, x=10, y=None),
                point(10, host="a", value=8.0, x=None, y=None),
                point(15, host="c", value=7.0, x=None, y=None),
                point(20, host="b", value=2.0, x=None, y=None),
                point(40, host="a", value=9.0, x=None, y=1),
            ],
        )
    ]


def test_points_at_one_time_follow_the_sources_order(stores: list[Any]) -> None:
    answer = same(stores, "SELECT value FROM sources_b..cpu, cpu")
    assert [p["value"] for p in answer[0][2]] == [8.0, 1.0, 7.0, 2.0, 9.0]
    answer = same(stores, "SELECT * FROM cpu, sources_b..cpu ORDER BY time DESC")
    assert [p["value"] for p in answer[0][2]] == [9.0, 2.0, 7.0, 1.0, 8.0]


def test_grouped_and_aggregated_over_two_databases(stores: list[Any]) -> None:
    text = "SELECT mean(value), count(value) FROM cpu, sources_b..cpu GROUP BY host"
    assert same(stores, text) == [
        ("cpu", {"host": "a"}, [point(0, mean=6.0, count=3)]),
        ("cpu", {"host": "b"}, [point(0, mean=2.0, count=1)]),
        ("cpu", {"host": "c"}, [point(0, mean=7.0, count=1)]),
    ]
    answer = same(stores, "SELECT * FROM cpu, sources_b..cpu GROUP BY *")
    assert [(tags, len(p)) for _n, tags, p in answer] == [
        ({"host": "a"}, 3),
        ({"host": "b"}, 1),
        ({"host": "c"}, 1),
    ]


def test_policies_regexes_and_other_measurements(stores: list[Any]) -> None:
    answer = same(
        stores, "SELECT * FROM sources_a.autogen.cpu, sources_b.autogen./c.*/"
    )
    assert [p["value"] for p in answer[0][2]] == [1.0, 8.0, 7.0, 2.0, 9.0]
    answer = same(stores, "SELECT * FROM sources_b../.*/, sources_a..mem")
    assert [(name, list(p[0])) for name, _t, p in answer] == [
        ("cpu", ["time", "free", "host", "used", "value", "y"]),
        ("disk", ["time", "free", "host", "used", "value", "y"]),
        ("mem", ["time", "free", "host", "used", "value", "y"]),
    ]


def test_a_table_two_sources_match_is_read_twice(stores: list[Any]) -> None:
    for text in (
        "SELECT count(value) FROM cpu, cpu",
        "SELECT count(value) FROM /c.*/, cpu",
        "SELECT count(value) FROM sources_b..cpu, sources_b..cpu",
    ):
        assert same(stores, text)[0][2][0]["count"] in (4, 6)
    answer = same(stores, "SELECT value FROM cpu, sources_b..cpu, sources_b..cpu")
    assert [p["value"] for p in answer[0][2]] == [
        1.0,
        8.0,
        8.0,
        7.0,
        7.0,
        2.0,
        9.0,
        9.0,
    ]


def test_limits_over_two_databases(stores: list[Any]) -> None:
    text = "SELECT value FROM cpu, sources_b..cpu ORDER BY time DESC LIMIT 2 OFFSET 1"
    assert same(stores, text) == [
        ("cpu", {}, [point(20, value=2.0), point(15, value=7.0)])
    ]


@pytest.mark.parametrize(
    ("text", "error", "reason"),
    [
        (
            "SELECT * FROM cpu, nope..cpu",
            DatabaseNotFoundError,
            "database not found: nope",
        ),
        (
            "SELECT * FROM nope..cpu, cpu",
            DatabaseNotFoundError,
            "database not found: nope",
        ),
        (
            "SELECT * FROM cpu, sources_b.nope.cpu",
            RetentionPolicyNotFoundError,
            "retention policy not found: nope",
        ),
    ],
)
def test_a_missing_database_or_policy_fails_the_statement(
    stores: list[Any], text: str, error: type[Exception], reason: str
) -> None:
    for backend in stores:
        with pytest.raises(error, match=reason):
            rows(backend, text)


def test_quirk_descending_points_at_one_time(stores: list[Any]) -> None:
    """Descending, influxd's points of one series at one time from two
    databases come in its heap's order, whatever the sources' order; the
    engine keeps the sources' order both ways."""
    server, engine = stores
    for text, first in (
        ("SELECT value FROM cpu, sources_b..cpu ORDER BY time DESC", 1.0),
        ("SELECT value FROM sources_b..cpu, cpu ORDER BY time DESC", 8.0),
    ):
        ties = [p["value"] for p in rows(engine, text)[0][2] if p["time"] == 10]
        assert ties == [first, 9.0 - first]
        on_server = [p["value"] for p in rows(server, text)[0][2] if p["time"] == 10]
        assert sorted(on_server) == [1.0, 8.0]


def test_quirk_a_transformation_over_two_databases(stores: list[Any]) -> None:
    """influxd's DERIVATIVE over one measurement of two databases does not
    read the merged points in time order (it answers more rows than points
    less one, times out of order); the engine reads them in time order, as
    it reads the points of one time of merged series."""
    server, engine = stores
    text = "SELECT derivative(value) FROM cpu, sources_b..cpu"
    assert rows(engine, text) == [
        (
            "cpu",
            {},
            [
                point(15, derivative=1.2e9),
                point(20, derivative=-1e9),
                point(40, derivative=0.35e9),
            ],
        )
    ]
    assert rows(server, text) != rows(engine, text)
