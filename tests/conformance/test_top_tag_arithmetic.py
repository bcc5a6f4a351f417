"""Arithmetic and math of TOP and BOTTOM with tag arguments, on both
stores: ``top(v, host, 2) + 1`` computes on the value of each point the
call picks (the best point of each tag value, then the N best of those),
and answers only the computed column: the tag columns the call alone adds
are not in the answer (the engine refused these)."""

from __future__ import annotations

import pytest

import influxpy
from conformance._common import Reading, at, write_both

POINTS = [
    Reading(time=at(1), v=1.5, n=2, host="a", dc="x"),
    Reading(time=at(2), v=2.75, n=3, host="a", dc="y"),
    Reading(time=at(3), v=-4.5, n=5, host="b", dc="x"),
    Reading(time=at(4), v=4.0, n=-7, host="b", dc="y"),
    Reading(time=at(6), v=9.5, n=11, host="a", dc="x"),
    Reading(time=at(7), v=0.25, n=1, host="c"),
]
WINDOWS = f"WHERE time >= {at(0)} AND time < {at(8)} GROUP BY time(2s)"


def answers(alias: str, text: str) -> tuple[str | None, list[object]]:
    (result,) = list(influxpy.get_connection(alias).statements(text))
    return result.error, [
        (s.tags, s.columns, [list(v) for v in s.values]) for s in result.series
    ]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT top(v, host, 2) + 1 FROM conformance",
        "SELECT abs(bottom(v, host, 1)) FROM conformance",
        "SELECT -1 * bottom(n, host, 2) FROM conformance",
        "SELECT top(v, host, dc, 2) * 2 AS twice FROM conformance",
        "SELECT sqrt(top(v, dc, 3)) FROM conformance",
        "SELECT top(v, host, 2) - 1 FROM conformance GROUP BY dc",
        f"SELECT top(v, host, 2) + 1 FROM conformance {WINDOWS}",
        f"SELECT bottom(v, host, 3) / 2 FROM conformance {WINDOWS} ORDER BY time DESC",
        "SELECT top(v::integer, host, 2) + 1 FROM conformance",
        "SELECT sum(x) FROM (SELECT top(v, host, 2) + 1 AS x FROM conformance)",
        "SELECT top(v, nothing, 2) + 1 FROM conformance",
        "SELECT top(v, host, 2) + 1 FROM conformance LIMIT 1",
    ],
)
def test_arithmetic_of_top_and_bottom_by_tags_answers_as_influxd(
    both: tuple[str, str], text: str
) -> None:
    write_both(both, *POINTS)
    server, engine = (answers(alias, text) for alias in both)
    assert server[1] or server[0]
    assert engine == server


@pytest.mark.parametrize(
    "text",
    [
        "SELECT top(v, 2) + n FROM conformance",
        "SELECT top(v, 2) + 1, host FROM conformance",
        "SELECT top(v, host, 2) + v FROM conformance",
        "SELECT top(v, host, 2) + 1, host, dc FROM conformance",
        "SELECT n, bottom(v, 2) * n, host FROM conformance",
        "SELECT abs(bottom(v, host, 2)), n FROM conformance GROUP BY dc",
        f"SELECT top(v, 2) - n FROM conformance {WINDOWS}",
        "SELECT top(v, 2) + 1, v FROM conformance ORDER BY time DESC",
        "SELECT top(v, 2) + 1, max(v) FROM conformance",
    ],
)
def test_arithmetic_of_top_and_bottom_beside_columns_answers_as_influxd(
    both: tuple[str, str], text: str
) -> None:
    """Raw fields and tags in or beside the arithmetic are read from each
    picked point (the engine raised influxd's error for two calls)."""
    write_both(both, *POINTS)
    server, engine = (answers(alias, text) for alias in both)
    assert server[1] or server[0]
    assert engine == server


def test_the_tag_columns_are_not_in_the_answer(both: tuple[str, str]) -> None:
    write_both(both, *POINTS)
    text = "SELECT top(v, host, 2) + 1 FROM conformance"
    server, engine = (answers(alias, text) for alias in both)
    assert server == (
        None,
        [({}, ["time", "top"], [[at(4), 5.0], [at(6), 10.5]])],
    )
    assert engine == server
