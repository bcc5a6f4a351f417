"""Series limits, GROUP BY * and row limits of subqueries, as influxd 1.6.7 answers.

influxd builds a subquery with the outer query's dimensions: the SLIMIT and
SOFFSET of both levels add up and slice the outer tag sets; a LIMIT inside
a subquery grouped by more tags than the outer query counts rows per run of
one inner group in the time-ordered stream of each outer group (raw rows
twice, after the first ``offset + limit + 1`` rows of each stored series).
Each test runs on the server and on the engine (``conn``) and expects the
server's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._common import HOSTS_DCS

POINTS = HOSTS_DCS


@pytest.fixture
def store(conn: str) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(POINTS)
    return backend


def answer(backend: Any, text: str) -> list[tuple[dict[str, str], list[list[Any]]]]:
    (result,) = list(backend.statements(text))
    assert result.error is None, result.error
    return [(s.tags, [list(v) for v in s.values]) for s in result.series]


def times(backend: Any, text: str) -> dict[str, list[int]]:
    """The times of each series, by its tags written ``k=v,…``."""
    return {
        ",".join(f"{k}={v}" for k, v in sorted(tags.items())): [r[0] for r in rows]
        for tags, rows in answer(backend, text)
    }


SERIES_CASES = [
    # SLIMIT and SOFFSET of both levels add up.
    ("SELECT v FROM (SELECT v FROM m) GROUP BY host SLIMIT 2", ["host=", "host=a"]),
    (
        "SELECT v FROM (SELECT v FROM m) GROUP BY host SLIMIT 2 SOFFSET 1",
        ["host=a", "host=b"],
    ),
    (
        "SELECT v FROM (SELECT v FROM m GROUP BY host SLIMIT 1) GROUP BY host SLIMIT 1",
        ["host=", "host=a"],
    ),
    (
        (
            "SELECT v FROM (SELECT v FROM m GROUP BY host SLIMIT 1 SOFFSET 1) "
            "GROUP BY host SLIMIT 1 SOFFSET 1"
        ),
        ["host=b", "host=c"],
    ),
    (
        (
            "SELECT max(v) FROM (SELECT v FROM m GROUP BY host) GROUP BY host "
            "SLIMIT 2 SOFFSET 2"
        ),
        ["host=b", "host=c"],
    ),
    # The tag sets are those of the outer GROUP BY.
    ("SELECT v FROM (SELECT v FROM m GROUP BY host SLIMIT 2)", [""]),
    ("SELECT v FROM (SELECT v FROM m GROUP BY host SLIMIT 2 SOFFSET 1)", []),
    ("SELECT v FROM (SELECT v FROM m GROUP BY host SLIMIT 1) GROUP BY dc", ["dc="]),
    (
        "SELECT v FROM (SELECT v FROM m GROUP BY host SLIMIT 1 SOFFSET 1) GROUP BY dc",
        ["dc=x"],
    ),
    # Counted among the series the inner tag condition keeps, whatever
    # the time range or the outer condition.
    (
        "SELECT v FROM (SELECT v FROM m WHERE host != 'a') GROUP BY host SLIMIT 2",
        ["host=", "host=b"],
    ),
    (
        "SELECT v FROM (SELECT v FROM m WHERE time > 75) GROUP BY host SLIMIT 2",
        ["host=a"],
    ),
    (
        "SELECT v FROM (SELECT v FROM m) WHERE host != '' GROUP BY host SLIMIT 2",
        ["host=a"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), SERIES_CASES)
def test_series_limits_of_a_subquery_add_up(
    store: Any, text: str, expected: list[str]
) -> None:
    assert list(times(store, text)) == expected


NESTED_CASES = [
    # Every level adds up, however deep; the tag sets are the outermost
    # GROUP BY's, among the series the innermost condition keeps.
    (
        (
            "SELECT v FROM (SELECT v FROM (SELECT v FROM m) GROUP BY host SLIMIT 1) "
            "GROUP BY host SLIMIT 1"
        ),
        ["host=", "host=a"],
    ),
    (
        (
            "SELECT v FROM (SELECT v FROM (SELECT v FROM m GROUP BY host SLIMIT 1 "
            "SOFFSET 1)) GROUP BY host SLIMIT 1"
        ),
        ["host=a", "host=b"],
    ),
    (
        (
            "SELECT v FROM (SELECT v FROM (SELECT v FROM m GROUP BY host SLIMIT 2) "
            "GROUP BY dc SLIMIT 1) GROUP BY host"
        ),
        ["host=", "host=a", "host=b"],
    ),
    (
        (
            "SELECT max(v) FROM (SELECT v FROM (SELECT v FROM m GROUP BY host "
            "SLIMIT 2) GROUP BY dc SLIMIT 1 SOFFSET 1) GROUP BY dc"
        ),
        ["dc=x", "dc=y"],
    ),
    (
        (
            "SELECT v FROM (SELECT v FROM (SELECT v FROM m) GROUP BY host SLIMIT 1 "
            "SOFFSET 2) GROUP BY host, dc SLIMIT 2"
        ),
        ["dc=x,host=b", "dc=y,host=a", "dc=y,host=b"],
    ),
    (
        (
            "SELECT v FROM (SELECT v FROM (SELECT v FROM (SELECT v FROM m "
            "GROUP BY host SLIMIT 1)) GROUP BY host SLIMIT 1 SOFFSET 1) "
            "GROUP BY host SLIMIT 1"
        ),
        ["host=a", "host=b", "host=c"],
    ),
    (
        (
            "SELECT v FROM (SELECT v FROM (SELECT v FROM m WHERE host != 'a') "
            "GROUP BY host SLIMIT 1) GROUP BY host SLIMIT 1"
        ),
        ["host=", "host=b"],
    ),
    (
        (
            "SELECT v FROM (SELECT v FROM (SELECT v FROM m) WHERE host != 'a' "
            "GROUP BY host SLIMIT 1) GROUP BY host SLIMIT 1"
        ),
        ["host="],
    ),
    (
        (
            "SELECT count(v) FROM (SELECT v FROM (SELECT v FROM m GROUP BY host "
            "SLIMIT 1) GROUP BY dc) GROUP BY dc SLIMIT 1"
        ),
        ["dc=", "dc=x"],
    ),
    (
        (
            "SELECT mean(v) FROM (SELECT max(v) AS v FROM (SELECT v FROM m) "
            "GROUP BY host, time(40ns) SLIMIT 1) GROUP BY host SLIMIT 1"
        ),
        ["host=", "host=a"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), NESTED_CASES)
def test_series_limits_of_nested_subqueries_add_up(
    store: Any, text: str, expected: list[str]
) -> None:
    assert list(times(store, text)) == expected


def test_series_limits_by_a_tag_no_series_has(store: Any) -> None:
    """Grouped outside by a tag absent everywhere, over an inner GROUP BY *:
    every series has it empty."""
    inner = "(SELECT v FROM m GROUP BY *)"
    text = f"SELECT max(v) FROM {inner} GROUP BY zone SLIMIT 1"
    assert answer(store, text) == [({"zone": ""}, [[120, 12.0]])]
    text = f"SELECT max(v) FROM {inner} GROUP BY zone, host SLIMIT 2 SOFFSET 1"
    assert answer(store, text) == [
        ({"host": "a", "zone": ""}, [[110, 11.0]]),
        ({"host": "b", "zone": ""}, [[120, 12.0]]),
    ]


def test_series_limits_keep_the_rows_of_the_series(store: Any) -> None:
    text = (
        "SELECT v FROM (SELECT v FROM m) WHERE v > 6 GROUP BY host SLIMIT 1 SOFFSET 1"
    )
    assert answer(store, text) == [({"host": "a"}, [[90, 9.0], [110, 11.0]])]


def test_group_by_star_over_a_subquery_groups_by_its_tags(store: Any) -> None:
    assert times(store, "SELECT v FROM (SELECT v FROM m) GROUP BY *") == {
        "": [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120]
    }
    assert times(store, "SELECT v FROM (SELECT v FROM m GROUP BY dc) GROUP BY *") == {
        "dc=": [70],
        "dc=x": [10, 20, 50, 90, 110],
        "dc=y": [30, 40, 60, 80, 100, 120],
    }
    text = "SELECT sum(v) FROM (SELECT v FROM m GROUP BY *) GROUP BY *"
    assert answer(store, text) == [
        ({"dc": "", "host": ""}, [[0, 7.0]]),
        ({"dc": "x", "host": "a"}, [[0, 26.0]]),
        ({"dc": "x", "host": "b"}, [[0, 2.0]]),
        ({"dc": "y", "host": "a"}, [[0, 3.0]]),
        ({"dc": "y", "host": "b"}, [[0, 28.0]]),
        ({"dc": "y", "host": "c"}, [[0, 12.0]]),
    ]
    text = "SELECT v FROM (SELECT v FROM m GROUP BY dc LIMIT 1) GROUP BY *"
    assert times(store, text) == {"dc=": [70], "dc=x": [10], "dc=y": [30]}


SLICE_CASES = [
    # Grouped by the outer tags only: the first rows of each series.
    (
        "SELECT v FROM (SELECT v FROM m GROUP BY dc LIMIT 2 OFFSET 1) GROUP BY dc",
        {"dc=x": [20, 50], "dc=y": [40, 60]},
    ),
    (
        "SELECT v FROM (SELECT v FROM m LIMIT 2) GROUP BY dc",
        {"dc=": [70], "dc=x": [10, 20], "dc=y": [30, 40]},
    ),
    # Grouped finer: rows counted per run of one inner group in time order.
    (
        "SELECT v FROM (SELECT v FROM m GROUP BY dc LIMIT 1)",
        {"": [10, 30, 50, 60, 70, 80]},
    ),
    (
        "SELECT v FROM (SELECT v FROM m GROUP BY host LIMIT 1)",
        {"": [10, 20, 30, 40, 50, 60, 70, 80, 100]},
    ),
    ("SELECT v FROM (SELECT v FROM m GROUP BY dc OFFSET 1)", {"": [100]}),
    ("SELECT v FROM (SELECT v FROM m GROUP BY dc LIMIT 2 OFFSET 1)", {}),
    (
        "SELECT v FROM (SELECT v FROM m GROUP BY host LIMIT 1) GROUP BY dc",
        {"dc=": [70], "dc=x": [10, 20, 50], "dc=y": [30, 40, 60, 80, 100]},
    ),
    (
        "SELECT v FROM (SELECT v FROM m GROUP BY * LIMIT 1) GROUP BY dc",
        {"dc=": [70], "dc=x": [10, 20, 50], "dc=y": [30, 40, 60, 80, 100]},
    ),
    ("SELECT v FROM (SELECT v FROM m GROUP BY host LIMIT 1 OFFSET 1) GROUP BY dc", {}),
    (
        "SELECT v FROM (SELECT v FROM m GROUP BY dc LIMIT 1) ORDER BY time DESC",
        {"": [120, 110, 100, 90, 80, 70, 40, 20]},
    ),
    ("SELECT sum(v) FROM (SELECT v FROM m GROUP BY dc LIMIT 1)", {"": [0]}),
]


@pytest.mark.parametrize(("text", "expected"), SLICE_CASES)
def test_a_grouped_subquery_is_sliced_per_run(
    store: Any, text: str, expected: dict[str, list[int]]
) -> None:
    assert times(store, text) == expected


def test_a_sliced_subquery_feeds_the_outer_aggregate(store: Any) -> None:
    text = "SELECT sum(v) FROM (SELECT v FROM m GROUP BY dc LIMIT 1)"
    assert answer(store, text) == [({}, [[0, 30.0]])]


def test_windows_of_a_grouped_subquery_are_sliced_once(conn: str) -> None:
    """Aggregates stream window by window; their rows are sliced once."""
    backend = influxpy.get_connection(conn)
    backend.write_lines(
        [
            "m,host=a v=1 0",
            "m,host=a v=2 10",
            "m,host=b v=3 20",
            "m,host=a v=4 30",
            "m,host=a v=5 40",
            "m,host=c v=6 45",
        ]
    )
    inner = "SELECT max(v) AS v FROM m GROUP BY host, time(10ns) LIMIT 1 OFFSET 1"
    text = f"SELECT v FROM ({inner}) WHERE time < 100"
    assert answer(backend, text) == [({}, [[10, 2.0], [40, 5.0]])]
    assert answer(backend, text + " ORDER BY time DESC") == [({}, [[0, 1.0]])]
    raw = "SELECT v FROM (SELECT v FROM m GROUP BY host LIMIT 2 OFFSET 1)"
    assert answer(backend, raw) == [({}, [[40, 5.0]])]


DAY = 86_400 * 10**9


def test_quirk_series_limits_slice_each_shard_on_the_server(
    both: tuple[str, str],
) -> None:
    """influxd slices the tag sets of each shard on its own (``LimitTagSets``
    per shard), so points eight days apart (two shard groups) keep a series
    per shard; the engine slices the tag sets of the whole measurement, as
    one shard does."""
    server, engine = (influxpy.get_connection(alias) for alias in both)
    lines = [
        "m v=0 0",
        "m,host=a v=1 10",
        f"m,host=a v=2 {8 * DAY}",
        f"m,host=b v=3 {8 * DAY + 10}",
    ]
    for backend in (server, engine):
        backend.write_lines(lines)
    text = "SELECT v FROM (SELECT v FROM m) GROUP BY host SLIMIT 1"
    assert answer(server, text) == [
        ({"host": ""}, [[0, 0.0]]),
        ({"host": "a"}, [[8 * DAY, 2.0]]),
    ]
    assert answer(engine, text) == [({"host": ""}, [[0, 0.0]])]


SHARED = [
    "net,core=a value=1 10",
    "net core=5i,value=3 30",
    "net,core=c value=6 60",
]


def test_quirk_a_subquery_tag_named_like_its_field_reads_the_field(
    both: tuple[str, str],
) -> None:
    """A subquery grouped by a tag ``core`` that also selects the field
    ``core``: influxd's outer ``core::tag`` (and the ``core_1`` column of
    ``*``) read the field, so ``WHERE core::tag = 'a'`` matches nothing
    though GROUP BY core groups by the tag. The engine reads the tag."""
    server, engine = (influxpy.get_connection(alias) for alias in both)
    for backend in (server, engine):
        backend.write_lines(SHARED)
    inner = "(SELECT core, value * 2 AS x FROM net GROUP BY *)"
    text = f"SELECT x, core::tag FROM {inner}"
    assert answer(server, text) == [
        ({}, [[10, 2.0, None], [30, 6.0, 5], [60, 12.0, None]])
    ]
    assert answer(engine, text) == [
        ({}, [[10, 2.0, "a"], [30, 6.0, ""], [60, 12.0, "c"]])
    ]
    text = f"SELECT x FROM {inner} WHERE core::tag = 'a'"
    assert answer(server, text) == []
    assert answer(engine, text) == [({}, [[10, 2.0]])]
    text = f"SELECT * FROM {inner}"
    assert answer(server, text) == [
        ({}, [[10, None, None, 2.0], [30, 5, 5, 6.0], [60, None, None, 12.0]])
    ]
    assert answer(engine, text) == [
        ({}, [[10, None, "a", 2.0], [30, 5, "", 6.0], [60, None, "c", 12.0]])
    ]


def test_an_inner_star_keeps_the_tags_only_the_outer_query_groups_by(
    store: Any,
) -> None:
    """The server spells out the inner ``*`` before the outer tags join the
    inner GROUP BY: ``dc`` stays a column (null where the tag is absent)."""
    text = "SELECT * FROM (SELECT * FROM m GROUP BY host LIMIT 1) GROUP BY dc"
    (result,) = list(store.statements(text))
    assert result.error is None, result.error
    assert [(s.tags, list(s.columns)) for s in result.series] == [
        ({"dc": ""}, ["time", "dc", "host", "v"]),
        ({"dc": "x"}, ["time", "dc", "host", "v"]),
        ({"dc": "y"}, ["time", "dc", "host", "v"]),
    ]
    assert answer(store, text)[:2] == [
        ({"dc": ""}, [[70, None, "", 7.0]]),
        ({"dc": "x"}, [[10, "x", "a", 1.0], [20, "x", "b", 2.0], [50, "x", "a", 5.0]]),
    ]
