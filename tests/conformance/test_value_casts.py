"""What a call reads of each field, on both stores: value casts
(``f::integer``, ``n::float``), the field types a wildcard call takes, a
tag (no points: influxd's iterators read fields only), and arithmetic of
TOP and BOTTOM (on each value they pick).

influxd converts each value of a cast field before the call reads it
(``sum(v::integer)`` of 1.5, 2.75, 4.0 and -4.5 is 1 + 2 + 4 - 4 = 3): a
float read as an integer is truncated toward zero, an integer read as a
float keeps its value, a string or a boolean read as a number gives none.
The engine applies the cast where its calls read their rows.
"""

from __future__ import annotations

import pytest

import influxpy
from conformance._common import Reading, at, write_both

BY = "GROUP BY time(2s) fill(none)"
BEFORE_10 = f"time < {at(10)}"

POINTS = [
    Reading(time=at(1), v=1.5, n=2, s="x", host="a"),
    Reading(time=at(2), v=2.75, n=3, host="a"),
    Reading(time=at(3), v=4.0, n=5, host="b"),
    Reading(time=at(4), v=-4.5, n=-7, ok=True, host="b"),
]
WINDOWS = f"WHERE time >= {at(0)} AND time < {at(6)} GROUP BY time(2s)"


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


def test_a_float_read_as_an_integer_is_truncated_before_the_call(
    both: tuple[str, str],
) -> None:
    write_both(both, *POINTS)
    text = "SELECT sum(v::integer), sum(v), max(v::integer) FROM conformance"
    server, engine = (answers(alias, text) for alias in both)
    assert server == (None, [[0, 3, 3.75, 4]])
    assert engine == server


@pytest.mark.parametrize(
    "text",
    [
        "SELECT mean(v::integer), count(v::integer) FROM conformance",
        "SELECT max(v::integer), min(v::integer) FROM conformance",
        "SELECT first(v::integer), last(v::integer) FROM conformance",
        "SELECT spread(v::integer), stddev(v::integer) FROM conformance",
        "SELECT median(v::integer), mode(v::integer) FROM conformance",
        "SELECT percentile(v::integer, 50) FROM conformance",
        "SELECT top(v::integer, 2) FROM conformance",
        "SELECT bottom(v::integer, host, 2) FROM conformance",
        "SELECT top(v::integer, 3), host FROM conformance",
        "SELECT distinct(v::integer) FROM conformance",
        "SELECT count(distinct(v::integer)) FROM conformance",
        "SELECT sample(v::integer, 10) FROM conformance",
        "SELECT integral(v::integer) FROM conformance",
        "SELECT derivative(v::integer) FROM conformance",
        "SELECT difference(v::integer) FROM conformance ORDER BY time DESC",
        "SELECT cumulative_sum(v::integer) FROM conformance",
        "SELECT moving_average(v::integer, 2) FROM conformance",
        "SELECT max(v::integer), v FROM conformance",
        "SELECT max(v::integer) + 1, -1 * min(v::integer) FROM conformance",
        "SELECT sum(v::integer), sum(n::float) FROM conformance GROUP BY host",
        "SELECT median(v::integer) FROM conformance GROUP BY host",
        f"SELECT sum(v::integer) FROM conformance {WINDOWS}",
        f"SELECT derivative(sum(v::integer)) FROM conformance {WINDOWS}",
        f"SELECT last(v::integer) FROM conformance {WINDOWS} fill(previous)",
        "SELECT sum(x::integer) FROM (SELECT v AS x FROM conformance)",
        "SELECT distinct(n::float) FROM conformance",
        "SELECT count(s::integer), count(n::float) FROM conformance",
        "SELECT sum(s::integer), max(ok::integer) FROM conformance",
    ],
)
def test_calls_of_cast_fields_answer_as_influxd(
    both: tuple[str, str], text: str
) -> None:
    """Every call reads the converted values (the engine refused a float
    read as an integer: it read the stored column)."""
    write_both(both, *POINTS)
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    assert engine == server


@pytest.mark.parametrize(
    "text",
    [
        "SELECT n FROM conformance WHERE v::integer > 2",
        "SELECT sum(n) FROM conformance WHERE v::integer >= 2",
        "SELECT v FROM conformance WHERE v::integer = -4",
        "SELECT n FROM conformance WHERE v::integer + 1 = 3",
        "SELECT v FROM conformance WHERE n::float / 2 = 1.5 OR v::integer != 1",
        "SELECT v FROM conformance WHERE s::integer = 7",
    ],
)
def test_conditions_read_cast_fields_as_influxd(
    both: tuple[str, str], text: str
) -> None:
    """A condition compares the converted value (the engine compared the
    stored float: ``v::integer > 2`` kept 2.75)."""
    write_both(both, *POINTS)
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    assert engine == server


@pytest.mark.parametrize(
    "text",
    [
        "SELECT first(v::float), first(v) FROM conformance",
        "SELECT max(n::integer), max(n) FROM conformance",
        "SELECT max(v::integer), max(v::integer) FROM conformance",
    ],
)
def test_one_selector_read_twice_reports_its_point(
    both: tuple[str, str], text: str
) -> None:
    """A cast to the stored type is the same call as none: influxd answers
    the selector's time (the engine answered time 0, as for two calls)."""
    write_both(both, *POINTS)
    server, engine = (answers(alias, text) for alias in both)
    assert server[0] is None
    assert server[1][0][0] != 0
    assert engine == server


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
