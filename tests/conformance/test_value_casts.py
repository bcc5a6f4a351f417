"""What a call reads of each field, on both stores: value casts
(``f::integer``, ``n::float``), the field types a wildcard call takes, a
tag (no points: influxd's iterators read fields only), and arithmetic of
TOP and BOTTOM (on each value they pick).

influxd converts each value of a cast field before the call reads it
(``sum(f::integer)`` of 1.5, 2.7 and 4.0 is 1 + 2 + 4 = 7). The engine
answers the casts that change no value (an integer read as a float, any
cast under COUNT) or leave none (a string read as a number) as influxd
does, and refuses a float read as an integer with an error naming the
call, rather than answer the sum of the stored values.
"""

from __future__ import annotations

import pytest

import influxpy
from conformance._common import Reading, at, write_both

BY = "GROUP BY time(2s) fill(none)"
BEFORE_10 = f"time < {at(10)}"

POINTS = [
    Reading(time=at(1), v=1.5, n=2, s="x", host="a"),
    Reading(time=at(2), v=2.7, n=3, host="a"),
    Reading(time=at(3), v=4.0, n=5, host="b"),
]


def answers(alias: str, text: str) -> tuple[str | None, list[list[object]]]:
    (result,) = list(influxpy.get_connection(alias).statements(text))
    return result.error, [list(v) for s in result.series for v in s.values]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT count(v::integer) FROM conformance",
        "SELECT sum(n::float), mean(n::float) FROM conformance",
        "SELECT max(n::float) FROM conformance GROUP BY host",
        "SELECT v::integer, n::float FROM conformance",
        "SELECT sum(x) FROM (SELECT v::integer AS x FROM conformance)",
        "SELECT sum(v::float), sum(n::integer) FROM conformance",
        "SELECT mean(s::float), max(v::string), max(n::float) FROM conformance",
    ],
)
def test_casts_that_keep_each_value_answer_as_influxd(
    both: tuple[str, str], text: str
) -> None:
    write_both(both, *POINTS)
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    assert server[1]
    assert engine == server


@pytest.mark.parametrize(
    ("text", "call", "server_rows"),
    [
        ("SELECT sum(v::integer) FROM conformance", "sum() of v::integer", [[0, 7]]),
        ("SELECT top(v::integer, 2) FROM conformance", "top() of v::integer", None),
        ("SELECT distinct(v::integer) FROM conformance", "distinct()", None),
        ("SELECT derivative(v::integer) FROM conformance", "derivative()", None),
    ],
)
def test_casts_that_change_values_are_refused_by_the_engine(
    both: tuple[str, str], text: str, call: str, server_rows: object
) -> None:
    write_both(both, *POINTS)
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    if server_rows is not None:
        assert server[1] == server_rows
    assert engine[0] is not None
    assert call in engine[0]
    assert "cannot run" in engine[0]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT max(*) FROM conformance",
        "SELECT min(*), first(*) FROM conformance",
        f"SELECT max(*) FROM conformance WHERE time >= {at(0)} AND {BEFORE_10} {BY}",
        "SELECT mean(*), count(*) FROM conformance",
    ],
)
def test_wildcard_calls_read_the_field_types_each_function_takes(
    both: tuple[str, str], text: str
) -> None:
    """``max(*)`` and ``min(*)`` read boolean fields too (MAX and MIN take
    booleans); ``mean(*)`` reads only numbers; ``count(*)`` and ``first(*)``
    every field."""
    points = [
        Reading(time=at(1), v=1.5, n=2, ok=True, s="x", host="a"),
        Reading(time=at(2), v=2.7, n=3, ok=False, s="y", host="a"),
        Reading(time=at(5), v=4.0, n=5, ok=False, host="b"),
    ]
    write_both(both, *points)
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    assert server[1]
    assert engine == server


@pytest.mark.parametrize(
    "text",
    [
        "SELECT distinct(host) FROM conformance",
        "SELECT distinct(host::tag) FROM conformance GROUP BY host",
        "SELECT count(distinct(host)) FROM conformance",
    ],
)
def test_distinct_of_a_tag_has_no_rows(both: tuple[str, str], text: str) -> None:
    """influxd's iterators read fields only: DISTINCT of a tag answers no
    rows (the engine listed the tag's values)."""
    write_both(both, *POINTS)
    server, engine = (answers(alias, text) for alias in both)
    assert server == (None, [])
    assert engine == server


@pytest.mark.parametrize(
    "text",
    [
        "SELECT top(v, 2) + 1 FROM conformance",
        "SELECT bottom(n, 2) * 2 FROM conformance",
        "SELECT abs(top(v, 2)) FROM conformance GROUP BY host",
        "SELECT -1 * bottom(v, 2) FROM conformance ORDER BY time DESC",
        f"SELECT top(v, 2) / 2 FROM conformance WHERE {BEFORE_10} GROUP BY time(2s)",
    ],
)
def test_arithmetic_of_top_and_bottom_on_each_value(
    both: tuple[str, str], text: str
) -> None:
    """Arithmetic or math of TOP or BOTTOM without tag arguments runs on
    each picked value, as influxd computes it (the engine refused it)."""
    write_both(both, *POINTS)
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    assert server[1]
    assert engine == server
