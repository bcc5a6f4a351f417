"""Casts of a subquery's names, read as influxd 1.6.7 reads them.

influxd finds a name the outer query reads among the subquery's columns
first, then among the tags its TOP/BOTTOM calls name, then among the tags
it groups by. A call over a column reads the values its cast converts
(``c::tag`` as ``c::string``; numbers between float and integer, no value
across other types); over a tag it reads the tag's text whatever the cast,
and ``t::field`` of a tag reads nothing where the call takes its
argument's type (``sum``, ``first``) but the text under a call of a type
of its own (``count``, ``mean``). A raw read shows a column's values as
they are (numbers converted between float and integer only), a tag's
text. A name no source holds, cast to a type, is a typed column of no
value: read alone through a subquery its rows show null, and ``fill(x)``
fills it. Each case runs on the server and on the engine (``conn``) and
expects influxd's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import (
    Reading,
    at,
    column,
    rows,
    statement_values,
    stored,
    unsupported,
    write,
)
from influxpy.aggregates import Count, First, Sum
from influxpy.expressions import F as Name

POINTS = [
    'm,t1=a f=1.5,i=3i,s="p",b=true 10',
    'm,t1=b f=-2,i=1i,s="q",b=false 20',
    "m,t1=a,t2=x f=4,i=-2i 30",
    'm,t2=y f=0.25,s="q" 40',
]
#: A column of floats, of strings, of a tag's values; a group tag; a TOP tag.
F = "(SELECT f AS c FROM m)"
S = "(SELECT s AS c FROM m)"
H = "(SELECT t1 AS h, f FROM m)"
G = "(SELECT f AS c FROM m GROUP BY t1)"
T = "(SELECT top(f, t1, 2) FROM m)"
MAX, MIN, MEAN, SUM = (unsupported(f) for f in ("max", "min", "mean", "sum"))
SUM_BOOLEAN, MEAN_B = unsupported("sum", "boolean"), unsupported("mean", "boolean")
NESTED = "(SELECT max(f) FROM (SELECT f FROM m GROUP BY t1) GROUP BY *)"
WINDOWS = "FROM m WHERE time < 100 GROUP BY time(30ns)"
BY_T1 = "GROUP BY t1"


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A column: ``::tag`` reads as ``::string`` (a string iterator, no
        # value of a float); a value cast converts numbers only.
        (f"SELECT first(c::tag) FROM {F}", []),
        (f"SELECT count(c::tag) FROM {F}", []),
        (f"SELECT distinct(c::tag) FROM {F}", []),
        (f"SELECT elapsed(c::tag) FROM {F}", []),
        (f"SELECT max(c::tag) FROM {F}", MAX),
        (f"SELECT first(c::integer) FROM {F}", [[10, 1]]),
        (f"SELECT sum(c::integer) FROM {F}", [[0, 3]]),
        (f"SELECT max(c::boolean) FROM {F}", []),
        (f"SELECT sum(c::boolean) FROM {F}", SUM_BOOLEAN),
        (f"SELECT first(c::tag) FROM {S}", [[10, "p"]]),
        (f"SELECT first(c::float) FROM {S}", []),
        # A column of a tag's values: ``::field`` reads nothing.
        (f"SELECT first(h::field) FROM {H}", []),
        (f"SELECT count(h::field) FROM {H}", []),
        (f"SELECT mean(h::field) FROM {H}", []),
        (f"SELECT first(h::tag) FROM {H}", [[10, "a"]]),
        (f"SELECT first(h::float) FROM {H}", []),
        # A group tag: every cast reads its text.
        (f"SELECT first(t1::tag) FROM {G}", [[10, "a"]]),
        (f"SELECT first(t1::float) FROM {G}", [[10, "a"]]),
        (f"SELECT count(t1::integer) FROM {G}", [[0, 4]]),
        (f"SELECT distinct(t1::boolean) FROM {G}", [[0, "a"], [0, "b"], [0, ""]]),
        (f"SELECT max(t1::boolean) FROM {G}", MAX),
        # ``::field`` of a group tag: nothing under a call of its argument's
        # type, the text under a call of a type of its own.
        (f"SELECT first(t1::field) FROM {G}", []),
        (f"SELECT sum(t1::field) FROM {G}", []),
        (f"SELECT top(t1::field, 2) FROM {G}", []),
        (f"SELECT sum(t1::field), sum(c) FROM {G}", [[0, None, 3.75]]),
        (f"SELECT abs(sum(t1::field)), sum(c) FROM {G}", [[0, None, 3.75]]),
        (f"SELECT sum(t1::field) + 1 FROM {G}", []),
        (f"SELECT count(t1::field) FROM {G}", [[0, 4]]),
        (f"SELECT count(t1::field) + 1 FROM {G}", [[0, 5]]),
        (f"SELECT count(distinct(t1::field)) FROM {G}", [[0, 3]]),
        (f"SELECT elapsed(t1::field) FROM {G}", [[20, 10], [30, 10], [40, 10]]),
        (f"SELECT mean(t1::field) FROM {G}", MEAN),
        (f"SELECT count(t1::field) FROM {G} GROUP BY t1", [[0, 1], [0, 2], [0, 1]]),
        # A tag TOP names: its text, whatever the cast.
        (f"SELECT first(t1::float) FROM {T}", [[30, "a"]]),
        (f"SELECT first(t1::field) FROM {T}", []),
        (f"SELECT count(t1::float) FROM {T}", [[0, 1]]),
        (f"SELECT sum(t1::float) FROM {T}", SUM),
        # The tags of a nested GROUP BY *, known only to the compiled query.
        (f"SELECT count(t1) FROM {NESTED}", [[0, 3]]),
        (f"SELECT sum(t1) FROM {NESTED}", SUM),
        # A cast types a column of arithmetic of no type: it runs.
        ("SELECT last(t1) - 1, min(a::tag) FROM (SELECT s * 1 AS a FROM m)", MIN),
        ("SELECT count(a::string) FROM (SELECT s * 1 AS a FROM m)", []),
    ],
)
def test_casts_in_calls_over_a_subquery(store: Any, text: str, expected: Any) -> None:
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"SELECT c::float FROM {S}", [[10, "p"], [20, "q"], [40, "q"]]),
        (f"SELECT c::integer FROM {S}", [[10, "p"], [20, "q"], [40, "q"]]),
        (f"SELECT c::string FROM {F}", [[10, 1.5], [20, -2.0], [30, 4.0], [40, 0.25]]),
        (f"SELECT c::tag FROM {F}", [[10, 1.5], [20, -2.0], [30, 4.0], [40, 0.25]]),
        (f"SELECT c::integer FROM {F}", [[10, 1], [20, -2], [30, 4], [40, 0]]),
        (
            "SELECT c::boolean, f FROM (SELECT f AS c, f FROM m)",
            [[10, 1.5, 1.5], [20, -2.0, -2.0], [30, 4.0, 4.0], [40, 0.25, 0.25]],
        ),
        (
            f"SELECT t1::float, c FROM {G}",
            [[10, "a", 1.5], [20, "b", -2.0], [30, "a", 4.0], [40, "", 0.25]],
        ),
        (
            f"SELECT t1::field, c FROM {G}",
            [[10, "a", 1.5], [20, "b", -2.0], [30, "a", 4.0], [40, "", 0.25]],
        ),
        (
            f"SELECT h::float, f FROM {H}",
            [[10, "a", 1.5], [20, "b", -2.0], [30, "a", 4.0], [40, None, 0.25]],
        ),
        (f"SELECT t1::float FROM {T}", [[30, "a"], [40, None]]),
    ],
)
def test_raw_casts_over_a_subquery(store: Any, text: str, expected: Any) -> None:
    assert statement_values(store, text) == expected


NULLS = [[10, None], [20, None], [30, None], [40, None]]
FILLED = [[0, 9, 1.5], [30, 9, 4.0], [60, 9, 9.0], [90, 9, 9.0]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT a FROM (SELECT nope::float AS a, f AS c FROM m)", NULLS),
        ("SELECT a FROM (SELECT nope::string AS a, f AS c FROM m)", NULLS),
        ("SELECT a + 1 FROM (SELECT nope::float AS a, f AS c FROM m)", NULLS),
        ("SELECT a FROM (SELECT nope::field AS a, f AS c FROM m)", []),
        ("SELECT a FROM (SELECT nope::float AS a FROM m)", []),
        ("SELECT a FROM (SELECT last(nope::string) AS a, max(f) FROM m)", [[0, None]]),
        (
            "SELECT a FROM (SELECT last(nope::string) AS a, max(f) FROM m GROUP BY t1)",
            [[0, None], [0, None], [0, None]],
        ),
        ("SELECT a FROM (SELECT last(f::string) AS a, max(f) FROM m)", [[0, None]]),
        ("SELECT a FROM (SELECT last(t1) AS a, max(f) FROM m)", [[0, None]]),
        ("SELECT a FROM (SELECT last(nope) AS a, max(f) FROM m)", []),
        # Without a cast, such a column has no type: read alone, nothing
        # of the subquery runs (not even its refused MEAN of a boolean).
        (f"SELECT a + 1 FROM (SELECT last(nope) AS a, mean(b) FROM m {BY_T1})", []),
        ("SELECT a FROM (SELECT abs(last(nope)) AS a, mean(b) FROM m)", []),
        (f"SELECT a FROM (SELECT count(nope) AS a, mean(b) FROM m {BY_T1})", MEAN_B),
        ("SELECT a FROM (SELECT last(nope) + 1 AS a, mean(b) FROM m)", MEAN_B),
        (
            f"SELECT a, c FROM (SELECT last(nope) AS a, mean(f) AS c FROM m {BY_T1})",
            [[0, None, 0.25], [0, None, 2.75], [0, None, -2.0]],
        ),
        (f"SELECT last(nope::string), max(f) {WINDOWS} fill(9)", FILLED),
        (f"SELECT last(f::string), max(f) {WINDOWS} fill(9)", FILLED),
        (f"SELECT last(t1), max(f) {WINDOWS} fill(9)", FILLED),
        (
            f"SELECT last(nope::boolean), max(f) {WINDOWS} fill(9.5)",
            [[0, 9.5, 1.5], [30, 9.5, 4.0], [60, 9.5, 9.5], [90, 9.5, 9.5]],
        ),
        (
            f"SELECT last(nope), max(f) {WINDOWS} fill(9)",
            [[0, None, 1.5], [30, None, 4.0], [60, None, 9.0], [90, None, 9.0]],
        ),
    ],
)
def test_a_name_typed_by_its_cast(store: Any, text: str, expected: Any) -> None:
    assert statement_values(store, text) == expected


def test_querysets_cast_a_subquerys_group_tag(conn: str) -> None:
    """The same through QuerySets: a subquery grouped by ``host`` read as
    ``F('host', cast='field')`` counts its text, and sums and picks
    nothing (``sum``'s and ``first``'s type is their argument's)."""
    write(
        conn,
        Reading(time=at(1), host="a", v=1.0),
        Reading(time=at(2), host="b", v=2.0),
        Reading(time=at(3), host="a", v=3.0),
    )
    inner = Reading.series.using(conn).only("v").group_by("host").subquery()
    field = Name("host", cast="field")
    assert column(inner.annotate(n=Count(field)), "n") == [3]
    assert rows(inner.annotate(n=Sum(field))) == []
    assert rows(inner.annotate(n=First(field))) == []
    assert column(inner.annotate(n=Count(field), t=Sum("v")), "n") == [3]


A_TAG = "type error: a::tag + 1: incompatible types: tag and integer"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ``x::field`` of a tag has no type in a query's own arithmetic...
        ("SELECT t1::field + 1 FROM m", []),
        ("SELECT sum(t1::field) + 1 FROM m", []),
        (f"SELECT h::field + 1 FROM {H}", []),
        (f"SELECT t1::field + 1 FROM {G}", []),
        # ...but a subquery's column of it is typed by that tag outside.
        ("SELECT a + 1 FROM (SELECT t1::field AS a, f FROM m)", A_TAG),
        (f"SELECT a + 1 FROM (SELECT last(t1::field) AS a FROM m {BY_T1})", A_TAG),
        (f"SELECT a + 1 FROM (SELECT t1::field AS a FROM {G})", A_TAG),
        (
            f"SELECT mode(a) * 1 FROM (SELECT sum(t1::field) AS a FROM m {BY_T1})",
            "type error: mode(a::tag) * 1: incompatible types: tag and integer",
        ),
    ],
)
def test_field_cast_of_a_tag_typed(store: Any, text: str, expected: Any) -> None:
    assert statement_values(store, text) == expected
