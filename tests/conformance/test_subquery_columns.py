"""The columns a subquery gives the outer query, as influxd 1.6.7 names and reads them.

An inner ``SELECT *`` spells out the tags it does not group by as columns:
the outer query reads such a name (bare, a model's tag, or ``x::tag``) as
that column, null where the tag is absent. The server names a subquery's
columns after their items, without the ``_1`` suffixes of its output: a
repeated name is one column, and it reads the first item of that name.
Each test runs on the server and on the engine (``conn``) and expects the
server's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._common import Reading, at, series, write

POINTS = [
    'm,host=a,dc=x v=1.5,n=10i,s="p" 10',
    'm,host=a,dc=y v=2,n=20i,s="q" 20',
    "m,host=b,dc=x v=3,n=30i 30",
    'm,host=b n=40i,s="r" 40',
]


@pytest.fixture
def store(conn: str) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(POINTS)
    return backend


def answer(
    backend: Any, text: str
) -> list[tuple[dict[str, str], list[str], list[Any]]]:
    (result,) = list(backend.statements(text))
    assert result.error is None, result.error
    return [
        (s.tags, list(s.columns), [list(v) for v in s.values]) for s in result.series
    ]


TAG_CASES = [
    (
        "SELECT dc FROM (SELECT * FROM m)",
        [({}, ["time", "dc"], [[10, "x"], [20, "y"], [30, "x"], [40, None]])],
    ),
    (
        "SELECT n, dc::tag FROM (SELECT * FROM m)",
        [
            (
                {},
                ["time", "n", "dc"],
                [[10, 10, "x"], [20, 20, "y"], [30, 30, "x"], [40, 40, None]],
            )
        ],
    ),
    (
        "SELECT n FROM (SELECT * FROM m) WHERE dc::tag = 'x'",
        [({}, ["time", "n"], [[10, 10], [30, 30]])],
    ),
    (
        "SELECT n, dc FROM (SELECT * FROM m) GROUP BY host",
        [
            ({"host": "a"}, ["time", "n", "dc"], [[10, 10, "x"], [20, 20, "y"]]),
            ({"host": "b"}, ["time", "n", "dc"], [[30, 30, "x"], [40, 40, None]]),
        ],
    ),
    (
        "SELECT n, dc FROM (SELECT * FROM m) GROUP BY dc",
        [
            ({"dc": ""}, ["time", "n", "dc"], [[40, 40, None]]),
            ({"dc": "x"}, ["time", "n", "dc"], [[10, 10, "x"], [30, 30, "x"]]),
            ({"dc": "y"}, ["time", "n", "dc"], [[20, 20, "y"]]),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), TAG_CASES)
def test_tags_an_inner_star_spells_out_read_as_columns(
    store: Any, text: str, expected: Any
) -> None:
    """A tag the inner ``*`` does not group by is a column of the subquery:
    the outer name reads it (null where the tag is absent), also as
    ``::tag`` and grouped by the tag of that name outside."""
    assert answer(store, text) == expected


def test_a_model_tag_over_an_inner_star_reads_the_column(conn: str) -> None:
    """The QuerySet's tag is sent as a bare name: it reads the column."""
    write(
        conn,
        Reading(time=at(10), v=1.0, host="a", dc="x"),
        Reading(time=at(20), v=2.0, host="b"),
    )
    qs = Reading.series.using(conn).subquery().only("v", "dc")
    assert series(qs) == [
        (
            {},
            [
                {"time": at(10), "v": 1.0, "dc": "x"},
                {"time": at(20), "v": 2.0, "dc": None},
            ],
        )
    ]
    assert series(qs.group_by("dc")) == [
        ({"dc": ""}, [{"time": at(20), "v": 2.0, "dc": None}]),
        ({"dc": "x"}, [{"time": at(10), "v": 1.0, "dc": "x"}]),
    ]
    filtered = Reading.series.using(conn).subquery().filter(dc="x").only("v")
    assert series(filtered) == [({}, [{"time": at(10), "v": 1.0}])]


NAME_CASES = [
    (
        "SELECT * FROM (SELECT *, n FROM m)",
        ["time", "dc", "host", "n", "s", "v"],
        [10, "x", "a", 10, "p", 1.5],
    ),
    ("SELECT * FROM (SELECT n, n FROM m)", ["time", "n"], [10, 10]),
    ("SELECT * FROM (SELECT n, v AS n FROM m)", ["time", "n"], [10, 10]),
    ("SELECT * FROM (SELECT s AS v, v FROM m)", ["time", "v"], [10, "p"]),
    ("SELECT v FROM (SELECT n AS v, v FROM m)", ["time", "v"], [10, 10]),
    ("SELECT * FROM (SELECT v, n AS v_1 FROM m)", ["time", "v", "v_1"], [10, 1.5, 10]),
    (
        "SELECT * FROM (SELECT max(v), max(n) FROM m)",
        ["time", "max"],
        [0, 3.0],
    ),
]


@pytest.mark.parametrize(("text", "columns", "first"), NAME_CASES)
def test_a_repeated_name_in_a_subquery_is_one_column(
    store: Any, text: str, columns: list[str], first: list[Any]
) -> None:
    """The outer ``*`` lists a name the subquery repeats once, reading its
    first item; ``v_1`` is a column only when the subquery names it so."""
    ((_tags, names, values),) = answer(store, text)
    assert names == columns
    assert values[0] == first


def test_a_suffixed_name_is_not_a_subquery_column(store: Any) -> None:
    """``v_1`` is only the output's name of a repeated ``v``."""
    assert answer(store, "SELECT v_1 FROM (SELECT v, v FROM m)") == []
    assert answer(store, "SELECT max_1 FROM (SELECT max(v), max(n) FROM m)") == []


GROUPING_TAG_CASES = [
    (
        "SELECT host FROM (SELECT min(v) FROM m GROUP BY host)",
        [({}, ["time", "host"], [[10, "a"], [30, "b"]])],
    ),
    (
        (
            "SELECT host FROM (SELECT min(v) FROM m GROUP BY host) "
            "WHERE time >= 0 AND time < 100"
        ),
        [({}, ["time", "host"], [[10, "a"], [30, "b"]])],
    ),
    (
        "SELECT host FROM (SELECT min(v) FROM m GROUP BY host) GROUP BY host",
        [
            ({"host": "a"}, ["time", "host"], [[10, "a"]]),
            ({"host": "b"}, ["time", "host"], [[30, "b"]]),
        ],
    ),
    (
        (
            "SELECT host FROM (SELECT min(v) FROM m GROUP BY time(20ns), host) "
            "WHERE time >= 0 AND time < 60"
        ),
        [({}, ["time", "host"], [[0, "a"], [20, "a"], [20, "b"]])],
    ),
    # A tag the subquery neither groups by nor selects: no column, no rows.
    ("SELECT dc FROM (SELECT min(v) FROM m GROUP BY host)", []),
]


@pytest.mark.parametrize(("text", "expected"), GROUPING_TAG_CASES)
def test_only_a_grouping_tag_of_a_subquery_gives_its_rows(
    store: Any, text: str, expected: Any
) -> None:
    """A raw outer select of only tags the subquery groups by gives a row
    per inner row (over a measurement, only tags give none)."""
    assert answer(store, text) == expected


TYPELESS_CASES = [
    (
        "SELECT * FROM (SELECT max(zz) AS x, max(v) AS y FROM m)",
        [({}, ["time", "x", "y"], [[0, None, 3.0]])],
    ),
    (
        "SELECT * FROM (SELECT max(zz) AS x, max(v) AS y FROM m GROUP BY host)",
        [
            (
                {},
                ["time", "host", "x", "y"],
                [[0, "a", None, 2.0], [0, "b", None, 3.0]],
            )
        ],
    ),
    (
        "SELECT * FROM (SELECT zz, v FROM m)",
        [
            (
                {},
                ["time", "v", "zz"],
                [[10, 1.5, None], [20, 2.0, None], [30, 3.0, None]],
            )
        ],
    ),
    # A repeated name reads the first item (null) and, with ``*``, gives a
    # row wherever the subquery has one.
    (
        "SELECT * FROM (SELECT max(zz), max(v) FROM m)",
        [({}, ["time", "max"], [[0, None]])],
    ),
    (
        "SELECT * FROM (SELECT zz AS x, v AS x FROM m)",
        [({}, ["time", "x"], [[10, None], [20, None], [30, None]])],
    ),
    # Only columns of fields that exist nowhere: no rows.
    ("SELECT * FROM (SELECT max(zz) AS x FROM m)", []),
    ("SELECT x FROM (SELECT max(zz) AS x, max(v) AS y FROM m)", []),
]


@pytest.mark.parametrize(("text", "expected"), TYPELESS_CASES)
def test_star_over_a_subquery_lists_a_column_of_a_missing_field(
    store: Any, text: str, expected: Any
) -> None:
    """``*`` lists a subquery's column of a field that exists nowhere, null,
    in key order with the others."""
    assert answer(store, text) == expected
