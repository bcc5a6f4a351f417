"""The tag columns of TOP and BOTTOM with tag arguments, read by an outer
query, on both stores.

``top(v, dc, 2)`` answers a ``dc`` column beside its own, but a query
over it sees the subquery's select list: ``*``, ``/re/`` and
``count(*)`` outside do not list ``dc`` (unless the select list names
it), while naming ``dc`` reads the picked points' values.
"""

from __future__ import annotations

import pytest

import influxpy
from conformance._common import Reading, at, write_both

POINTS = [
    Reading(time=at(1), v=1.5, n=2, host="a", dc="x"),
    Reading(time=at(2), v=2.75, n=3, host="a", dc="y"),
    Reading(time=at(3), v=-4.5, n=5, host="b", dc="x"),
    Reading(time=at(4), v=4.0, n=-7, host="b", dc="z"),
    Reading(time=at(6), v=9.5, n=11, host="a", dc="y"),
]
RANGE = f"WHERE time >= {at(0)} AND time < {at(10)}"

INNER = [
    "{f}(v, dc, 2)",
    "{f}(v, host, dc, 2)",
    "{f}(v, dc, 2), n",
    "{f}(v, dc, 2), host",
    "{f}(v, dc, 2), dc",
    "{f}(v, dc, 2) AS t",
    "{f}(v, host, 2), n, dc",
    "{f}(v, dc, 2), v",
]


def answers(alias: str, text: str) -> tuple[str | None, list[object]]:
    (result,) = list(influxpy.get_connection(alias).statements(text))
    return result.error, [
        (s.tags, s.columns, [list(v) for v in s.values]) for s in result.series
    ]


def compare(both: tuple[str, str], text: str) -> None:
    write_both(both, *POINTS)
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    assert server[1]
    assert engine == server


@pytest.mark.parametrize("function", ["top", "bottom"])
@pytest.mark.parametrize("inner", INNER)
@pytest.mark.parametrize("grouped", ["", " GROUP BY host"], ids=["whole", "host"])
def test_star_over_top_with_tags_lists_the_select_list(
    both: tuple[str, str], function: str, inner: str, grouped: str
) -> None:
    select = inner.format(f=function)
    compare(both, f"SELECT * FROM (SELECT {select} FROM conformance {RANGE}{grouped})")


@pytest.mark.parametrize("function", ["top", "bottom"])
@pytest.mark.parametrize(
    "text",
    [
        "SELECT dc FROM (SELECT {f}(v, dc, 2) FROM conformance {r})",
        "SELECT {f}, dc FROM (SELECT {f}(v, dc, 2) FROM conformance {r})",
        "SELECT * FROM (SELECT {f}(v, dc, 2) FROM conformance {r} GROUP BY time(5s))",
        "SELECT /d/, * FROM (SELECT {f}(v, dc, 2), n FROM conformance {r})",
        "SELECT count(*) FROM (SELECT {f}(v, dc, 2) FROM conformance {r})",
        "SELECT * FROM (SELECT {f}(v, dc, 2) FROM conformance {r}) GROUP BY dc",
        "SELECT * FROM (SELECT {f}(v, dc, 2) FROM conformance {r}) GROUP BY *",
        "SELECT * FROM (SELECT * FROM (SELECT {f}(v, dc, 2) FROM conformance {r}))",
        "SELECT mean({f}) FROM (SELECT {f}(v, dc, 2) FROM conformance {r})",
    ],
)
def test_tag_columns_of_top_read_outside(
    both: tuple[str, str], function: str, text: str
) -> None:
    compare(both, text.format(f=function, r=RANGE))


def test_a_pattern_matching_only_the_tag_column_selects_nothing(
    both: tuple[str, str],
) -> None:
    write_both(both, *POINTS)
    text = f"SELECT /d/ FROM (SELECT top(v, dc, 2) FROM conformance {RANGE})"
    for alias in both:
        assert answers(alias, text) == (None, [])
