"""A subquery beside other sources in one FROM, on both backends.

influxd runs the outer query over each source: a subquery's rows are a
series of its measurement, beside the measurements named; every series has
the columns of all the sources (null where a source lacks one), the outer
GROUP BY reaches into the subquery, and the series follow each other by
measurement name (descending with ``ORDER BY time DESC``). A subquery
beside another source of its own measurement merges with it into one
series set, its rows at one time taken from each source in turn.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import influxpy

LINES = [
    "cpu,host=a value=1,x=10i 10",
    "cpu,host=b value=2 20",
    "mem,host=a free=5 10",
    "mem,host=c free=6 30",
    "disk,host=b used=4i 25",
]
Rows = list[tuple[str, dict[str, str], Any]]


@pytest.fixture
def stores(both: tuple[str, str]) -> Iterator[list[Any]]:
    backends = [influxpy.get_connection(alias) for alias in both]
    for backend in backends:
        backend.create_database("beside")
        backend.write_lines(LINES, database="beside")
    yield backends
    for backend in backends:
        backend.drop_database("beside")


def rows(backend: Any, text: str) -> Rows:
    results = backend.query(text, database="beside", epoch="ns")
    return [(r.name, r.tags, r.points) for r in results]


def same(stores: list[Any], text: str) -> Rows:
    """The answer of both backends to *text*, which must be equal."""
    server, engine = (rows(backend, text) for backend in stores)
    assert engine == server
    return server


def point(t: int, **values: Any) -> dict[str, Any]:
    return {"time": t, **values}


def test_a_subquery_beside_a_measurement(stores: list[Any]) -> None:
    nulls = {"host": None, "value": None, "x": None}
    assert same(stores, "SELECT * FROM cpu, (SELECT free FROM mem)") == [
        (
            "cpu",
            {},
            [
                point(10, free=None, host="a", value=1.0, x=10),
                point(20, free=None, host="b", value=2.0, x=None),
            ],
        ),
        ("mem", {}, [point(10, free=5.0, **nulls), point(30, free=6.0, **nulls)]),
    ]
    # The order of the sources does not matter; the columns named are kept.
    same(stores, "SELECT * FROM (SELECT free FROM mem), cpu")
    answer = same(stores, "SELECT value, free FROM cpu, (SELECT free FROM mem)")
    assert [list(p[0]) for _n, _t, p in answer] == [["time", "value", "free"]] * 2


def test_the_outer_group_by_reaches_into_the_subquery(stores: list[Any]) -> None:
    answer = same(stores, "SELECT * FROM cpu, (SELECT free FROM mem) GROUP BY host")
    assert [(name, tags) for name, tags, _p in answer] == [
        ("cpu", {"host": "a"}),
        ("cpu", {"host": "b"}),
        ("mem", {"host": "a"}),
        ("mem", {"host": "c"}),
    ]
    same(stores, "SELECT * FROM cpu, (SELECT free FROM mem GROUP BY host)")
    same(stores, "SELECT * FROM cpu, (SELECT free FROM mem) GROUP BY *")


def test_aggregates_over_a_subquery_beside_a_measurement(stores: list[Any]) -> None:
    text = "SELECT max(value), max(free) FROM cpu, (SELECT free FROM mem) GROUP BY host"
    assert same(stores, text)[2] == (
        "mem",
        {"host": "a"},
        [point(0, max=None, max_1=5.0)],
    )
    text = "SELECT max(free) FROM cpu, (SELECT free FROM mem) GROUP BY host"
    assert [name for name, _t, _p in same(stores, text)] == ["mem", "mem"]
    answer = same(stores, "SELECT count(*) FROM cpu, (SELECT free FROM mem)")
    assert answer[0][2] == [point(0, count_free=None, count_value=2, count_x=1)]
    same(
        stores,
        "SELECT mean(value) FROM cpu, (SELECT used FROM disk) "
        "WHERE time < 100 GROUP BY time(10ns)",
    )


def test_two_subqueries_in_one_from(stores: list[Any]) -> None:
    answer = same(
        stores, "SELECT * FROM (SELECT value FROM cpu), (SELECT free FROM mem)"
    )
    assert [(name, list(p[0])) for name, _t, p in answer] == [
        ("cpu", ["time", "free", "value"]),
        ("mem", ["time", "free", "value"]),
    ]
    inner = (
        "(SELECT max(value) FROM cpu GROUP BY host), "
        "(SELECT max(free) FROM mem GROUP BY host)"
    )
    same(stores, f"SELECT * FROM {inner}")
    answer = same(stores, f"SELECT max FROM {inner} GROUP BY host")
    assert len(answer) == 4
    same(stores, "SELECT * FROM /m.*/, (SELECT value FROM cpu)")
    same(stores, "SELECT * FROM (SELECT free FROM mem), (SELECT * FROM cpu)")


def test_order_and_limits_beside_a_subquery(stores: list[Any]) -> None:
    answer = same(
        stores, "SELECT * FROM cpu, (SELECT free FROM mem) ORDER BY time DESC"
    )
    assert [name for name, _t, _p in answer] == ["mem", "cpu"]
    assert [p["time"] for p in answer[0][2]] == [30, 10]
    same(stores, "SELECT * FROM cpu, (SELECT free FROM mem) LIMIT 1")
    same(stores, "SELECT * FROM cpu, (SELECT free FROM mem) ORDER BY time DESC LIMIT 1")
    same(stores, "SELECT free, value FROM cpu, (SELECT free FROM mem) WHERE time > 15")


def test_a_subquery_beside_its_own_measurement(stores: list[Any]) -> None:
    """influxd merges a subquery's rows with those of a measurement of its
    name into one series set: at one time, a row of each source in turn."""
    nulls = {"host": None, "x": None}
    assert same(stores, "SELECT * FROM cpu, (SELECT value FROM cpu)") == [
        (
            "cpu",
            {},
            [
                point(10, host="a", value=1.0, x=10),
                point(10, value=1.0, **nulls),
                point(20, host="b", value=2.0, x=None),
                point(20, value=2.0, **nulls),
            ],
        )
    ]
    answer = same(
        stores, "SELECT value FROM (SELECT value + 10 AS value FROM cpu), cpu"
    )
    assert [p["value"] for p in answer[0][2]] == [11.0, 1.0, 12.0, 2.0]
    for order in ("", " ORDER BY time DESC", " LIMIT 3", " ORDER BY time DESC LIMIT 1"):
        same(
            stores,
            f"SELECT value FROM cpu, (SELECT value + 10 AS value FROM cpu){order}",
        )
    same(stores, "SELECT * FROM (SELECT value FROM cpu), (SELECT x FROM cpu)")
    same(stores, "SELECT * FROM cpu, mem, (SELECT value FROM cpu)")
    same(stores, "SELECT * FROM cpu, (SELECT free FROM mem), (SELECT value FROM cpu)")
    same(stores, "SELECT * FROM /c.*/, (SELECT value FROM cpu)")
    same(stores, "SELECT value FROM cpu, (SELECT value FROM cpu) WHERE host = 'a'")


def test_grouped_and_aggregated_beside_its_own_measurement(stores: list[Any]) -> None:
    text = (
        "SELECT value FROM cpu, (SELECT value FROM cpu WHERE host = 'a') GROUP BY host"
    )
    assert same(stores, text) == [
        ("cpu", {"host": "a"}, [point(10, value=1.0), point(10, value=1.0)]),
        ("cpu", {"host": "b"}, [point(20, value=2.0)]),
    ]
    same(
        stores, "SELECT * FROM cpu, (SELECT value + 1 AS value FROM cpu GROUP BY host)"
    )
    same(
        stores,
        "SELECT * FROM cpu, (SELECT value FROM cpu) GROUP BY host ORDER BY time DESC",
    )
    answer = same(stores, "SELECT sum(value) FROM cpu, (SELECT value FROM cpu)")
    assert answer == [("cpu", {}, [point(0, sum=6.0)])]
    same(
        stores,
        "SELECT count(value), max(x) FROM cpu, (SELECT value FROM cpu) GROUP BY host",
    )
    same(
        stores,
        "SELECT count(value) FROM cpu, "
        "(SELECT max(value) AS value FROM cpu GROUP BY host)",
    )
    same(
        stores,
        "SELECT mean(value) FROM cpu, (SELECT max(value) AS value FROM cpu "
        "WHERE time < 40 GROUP BY time(20ns)) WHERE time < 40 GROUP BY time(10ns)",
    )
    same(
        stores,
        "SELECT first(value), last(value) FROM "
        "(SELECT value * 2 AS value FROM cpu), cpu",
    )


def test_quirk_a_subquery_beside_a_measurement_of_two_databases(
    stores: list[Any],
) -> None:
    """Three sources of one measurement: influxd's heap pops the rows of
    one time in an order of its own (the subquery's row first at one
    time, second at another); the engine keeps the sources' order."""
    server, engine = stores
    for backend in stores:
        backend.create_database("beside_b")
        backend.write_lines(["cpu,host=c value=7 15"], database="beside_b")
    try:
        text = (
            "SELECT value FROM cpu, beside_b..cpu, "
            "(SELECT value + 10 AS value FROM cpu)"
        )
        answer = rows(engine, text)
        assert [p["value"] for p in answer[0][2]] == [1.0, 11.0, 7.0, 2.0, 12.0]
        on_server = [(p["time"], p["value"]) for p in rows(server, text)[0][2]]
        assert sorted(on_server) == sorted(
            (p["time"], p["value"]) for p in answer[0][2]
        )
    finally:
        for backend in stores:
            backend.drop_database("beside_b")


def test_quirk_several_series_at_one_time_beside_a_subquery(stores: list[Any]) -> None:
    """influxd's merge of several series of each source at one time comes
    in the order its heaps happen to pop them (one of each source in turn
    in some answers, not in others); the engine takes one row of each
    source in turn, each source's rows in series key order."""
    server, engine = stores
    for backend in stores:
        backend.write_lines(
            ["cpu,host=c value=5 10", "cpu,host=d value=6 10"], database="beside"
        )
    text = (
        "SELECT value FROM cpu, (SELECT value + 10 AS value FROM cpu) WHERE time = 10"
    )
    ties = [p["value"] for p in rows(engine, text)[0][2]]
    assert ties == [1.0, 11.0, 5.0, 15.0, 6.0, 16.0]
    on_server = [p["value"] for p in rows(server, text)[0][2]]
    assert sorted(on_server) == sorted(ties)


def test_a_subquery_column_named_like_a_tag_beside_its_measurement(
    stores: list[Any],
) -> None:
    """influxd reads such a key as the same value in the tag's column and
    the subquery's (a column of a tag's values is typed a tag), and so
    does the engine."""
    text = "SELECT * FROM cpu, (SELECT value, host FROM cpu)"
    answer = same(stores, text)
    assert [p["host"] for p in answer[0][2]] == ["a", "a", "b", "b"]
    assert [p["host_1"] for p in answer[0][2]] == ["a", "a", "b", "b"]


GROUPED = [
    "cpu,host=a v=1 10",
    "cpu,host=b v=5 20",
    "cpu,host=a v=3 30",
    "cpu,host=b v=2 40",
    "cpu,host=c v=9 15",
    "cpu,host=c v=0 50",
]


def test_quirk_a_grouped_subquery_beside_its_measurement_out_of_time_order(
    both: tuple[str, str],
) -> None:
    """``SELECT * FROM (SELECT max(v) FROM cpu GROUP BY host), cpu``: the
    subquery's rows come series by series (a at 30, b at 20, c at 15), and
    influxd's merge, comparing the heads of its inputs, reads them after
    the stored row at 20 and before the one at 30: out of time order. The
    engine answers the same rows in time order (at one time one row of each
    source in turn); the text differential compares such answers sorted."""
    server, engine = (influxpy.get_connection(alias) for alias in both)
    answers = []
    for backend in (server, engine):
        backend.create_database("grouped_beside")
        backend.write_lines(GROUPED, database="grouped_beside")
        text = "SELECT * FROM (SELECT max(v) FROM cpu GROUP BY host), cpu"
        (result,) = list(backend.statements(text, database="grouped_beside"))
        assert result.error is None
        answers.append([list(row) for s in result.series for row in s.values])
        backend.drop_database("grouped_beside")
    on_server, on_engine = answers
    assert [row[0] for row in on_server] == [10, 15, 20, 30, 20, 15, 30, 40, 50]
    assert [row[0] for row in on_engine] == [10, 15, 15, 20, 20, 30, 30, 40, 50]
    assert sorted(map(str, on_server)) == sorted(map(str, on_engine))


@pytest.mark.parametrize(
    ("text", "on_engine"),
    [
        ("SELECT sum(used) FROM (SELECT free FROM mem), disk", [0, 4]),
        ("SELECT max(x) FROM (SELECT free FROM mem), cpu", [10, 10]),
        ("SELECT first(x) FROM disk, (SELECT free FROM mem), cpu", [10, 10]),
    ],
)
def test_quirk_a_selector_of_a_field_a_subquery_before_it_lacks(
    stores: list[Any], text: str, on_engine: list[int]
) -> None:
    """A sum or selector (``sum``, ``max``, ``first``...) of an integer,
    string or boolean field, where a subquery lacking that field comes
    before the sources holding it in the FROM: influxd answers nothing at
    all, though a float field, ``mean``, ``count`` and ``spread`` are
    answered there, and so is the call without the subquery. The engine
    answers the call over the points of the sources holding the field."""
    server, engine = stores
    assert rows(server, text) == []
    assert rows(server, text.replace("(SELECT free FROM mem), ", "")) != []
    ((_name, _tags, points),) = rows(engine, text)
    assert [list(p.values()) for p in points] == [on_engine]
