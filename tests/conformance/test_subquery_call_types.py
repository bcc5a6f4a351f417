"""A subquery's call columns typed as influxd types them.

influxd types the column of a call in a subquery by the call's result type,
else by its argument's: ``last(s)`` of a string field is a string,
``last(b)`` a boolean, ``max(v)`` where ``v`` is only a tag a tag (read as
text). An outer call refusing that type fails the statement with its
iterator's error, as over a string field (``unsupported max iterator type:
*query.stringInterruptIterator``), and outer arithmetic over it is a type
error. A subquery's own calls are checked the same way, whatever the
outer query reads. Arithmetic in a subquery whose operands are not both
numbers (``s * 1``) gives a column of no type: read alone, influxd runs
nothing (not even the subquery's refused calls) and answers no rows;
beside a typed column it is null. Each case runs on the server and on the
engine (``conn``) and expects influxd 1.6.7's answer.
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
from influxpy.aggregates import Last, Max
from influxpy.exceptions import ProgrammingError
from influxpy.expressions import F

POINTS = [
    'cpu,host=a v=1,s="p",b=true 10',
    "cpu,host=b v=3 20",
    'cpu,host=a v=5,s="q" 30',
    "cpu,host=c v=-2.5,b=false 40",
    "mem,host=a free=10i,v=0.5 15",
    "net,v=tagged x=1i 11",
    "net,v=other x=2i 21",
]
MAX, MEAN = unsupported("max"), unsupported("mean")
SUM_BOOLEAN = unsupported("sum", "boolean")
LAST_S = "(SELECT last(s) AS m FROM cpu)"
BY_HOST = "(SELECT max(v) FROM cpu GROUP BY host)"


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT max(m) FROM (SELECT last(s) AS m FROM cpu)", MAX),
        ("SELECT max(m) FROM (SELECT first(s) AS m FROM cpu GROUP BY host)", MAX),
        ("SELECT max(m) FROM (SELECT mode(s) AS m FROM cpu)", MAX),
        ("SELECT max(m) FROM (SELECT sample(s, 2) AS m FROM cpu)", MAX),
        ("SELECT max(m) FROM (SELECT last(s) AS m, max(v) FROM cpu)", MAX),
        ("SELECT mean(m) FROM (SELECT distinct(s) AS m FROM cpu)", MEAN),
        ("SELECT sum(m) FROM (SELECT last(b) AS m FROM cpu)", SUM_BOOLEAN),
        ("SELECT max(m) FROM (SELECT last(s) AS m FROM cpu), mem", MAX),
        # A call of a tag is typed a tag, its iterator text.
        ("SELECT max(m) FROM (SELECT max(v) AS m FROM net)", MAX),
        ("SELECT mean(m) FROM (SELECT last(v) AS m FROM /^n/)", MEAN),
        # Nested: the middle query's call over the innermost's text.
        (f"SELECT max(m) FROM (SELECT max(m) AS m FROM {LAST_S})", MAX),
        # Calls that take the type, or a type of no such refusal.
        ("SELECT count(m) FROM (SELECT last(s) AS m FROM cpu)", [[0, 1]]),
        ("SELECT first(m) FROM (SELECT last(s) AS m FROM cpu)", [[30, "q"]]),
        ("SELECT max(m) FROM (SELECT top(v, 2) AS m FROM cpu)", [[30, 5.0]]),
        ("SELECT mean(m) FROM (SELECT max(v) AS m FROM mem, net)", [[0, 0.5]]),
        ("SELECT mean(m) FROM (SELECT count(v) AS m FROM net)", []),
        ("SELECT last(m) FROM (SELECT max(v) AS m FROM net)", []),
    ],
)
def test_outer_calls_over_a_call_column(store: Any, text: str, expected: Any) -> None:
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "SELECT m + 1 FROM (SELECT last(s) AS m FROM cpu)",
            "type error: m::string + 1: incompatible types: string and integer",
        ),
        (
            "SELECT max(m) + 1 FROM (SELECT last(s) AS m FROM cpu)",
            "type error: max(m::string) + 1: incompatible types: string and integer",
        ),
        (
            "SELECT m + 1 FROM (SELECT last(b) AS m FROM cpu)",
            "type error: m::boolean + 1: incompatible types: boolean and integer",
        ),
        (
            "SELECT m + 1 FROM (SELECT max(v) AS m FROM net)",
            "type error: m::tag + 1: incompatible types: tag and integer",
        ),
    ],
)
def test_outer_arithmetic_over_a_call_column(
    store: Any, text: str, expected: Any
) -> None:
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A subquery's own refused call fails whatever the outer reads.
        ("SELECT m FROM (SELECT max(s) AS m FROM cpu)", MAX),
        ("SELECT m FROM (SELECT abs(max(s)) AS m FROM cpu)", MAX),
        ("SELECT m FROM (SELECT mean(s) + 1 AS m FROM cpu)", MEAN),
        ("SELECT * FROM (SELECT mean(m) FROM (SELECT last(s) AS m FROM cpu))", MEAN),
        ("SELECT v FROM (SELECT max(s) * 1 AS m, max(v) AS v FROM cpu)", MAX),
        ("SELECT * FROM (SELECT max(s) * 1 AS m, max(v) AS v FROM cpu)", MAX),
        # Arithmetic of no type read alone: nothing runs, no rows.
        ("SELECT m FROM (SELECT max(s) * 1 AS m, max(v) AS v FROM cpu)", []),
        ("SELECT max(m) FROM (SELECT max(s) * 1 AS m FROM cpu)", []),
        ("SELECT m FROM (SELECT s + 1 AS m FROM cpu)", []),
        ("SELECT m FROM (SELECT s * 1 AS m, v FROM cpu)", []),
        ("SELECT m + 1 FROM (SELECT s * 1 AS m, v FROM cpu)", []),
        ("SELECT count(m) FROM (SELECT s * 1 AS m, v FROM cpu)", []),
        ("SELECT m FROM (SELECT b + 1 AS m, v FROM cpu)", []),
        ("SELECT m FROM (SELECT host * 1 AS m, v FROM cpu)", []),
        ("SELECT m FROM (SELECT s * 1 AS m, v FROM cpu) GROUP BY host", []),
        # Beside a typed column, or a group tag of the subquery: null.
        (
            "SELECT m, v FROM (SELECT s + 1 AS m, v FROM cpu)",
            [[10, None, 1.0], [20, None, 3.0], [30, None, 5.0], [40, None, -2.5]],
        ),
        (
            "SELECT m, host FROM (SELECT s * 1 AS m, v FROM cpu GROUP BY host)",
            [[10, None, "a"], [20, None, "b"], [30, None, "a"], [40, None, "c"]],
        ),
        (
            "SELECT * FROM (SELECT s * 1 AS m, v FROM cpu)",
            [[10, None, 1.0], [20, None, 3.0], [30, None, 5.0], [40, None, -2.5]],
        ),
    ],
)
def test_a_subquerys_own_types(store: Any, text: str, expected: Any) -> None:
    assert statement_values(store, text) == expected


def test_a_queryset_reading_only_arithmetic_of_no_type(conn: str) -> None:
    """The same through QuerySets: ``F('s') * 1`` of a string read alone
    answers no rows; a string call's column refused by an outer MAX raises
    ``ProgrammingError`` naming influxd's error, on both backends."""
    write(conn, Reading(time=at(1), s="p", v=1.0), Reading(time=at(2), v=2.0))
    inner = Reading.series.using(conn).annotate(m=F("s") * 1, v2=F("v"))
    assert rows(inner.subquery().only("m")) == []
    assert column(inner.subquery().only("m", "v2"), "v2") == [1.0, 2.0]
    last = Reading.series.using(conn).annotate(m=Last("s"))
    with pytest.raises(ProgrammingError, match="unsupported max iterator type"):
        rows(last.subquery().annotate(o=Max("m")))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A subquery's group tag and its column of a tag's values are typed
        # tags outside it: text to a call, a tag to arithmetic.
        ("SELECT max(host) FROM (SELECT max(v) FROM cpu GROUP BY host)", MAX),
        (
            "SELECT sum(host) FROM (SELECT max(v) FROM cpu GROUP BY host)",
            "unsupported sum iterator type: *query.stringInterruptIterator",
        ),
        (
            "SELECT host + 1 FROM (SELECT max(v) FROM cpu GROUP BY host)",
            "type error: host::tag + 1: incompatible types: tag and integer",
        ),
        (
            "SELECT last(host) * 2 FROM (SELECT max(v) FROM cpu GROUP BY host)",
            "type error: last(host::tag) * 2: incompatible types: tag and integer",
        ),
        (
            "SELECT a + 1 FROM (SELECT host AS a, v FROM cpu)",
            "type error: a::tag + 1: incompatible types: tag and integer",
        ),
        ("SELECT max(a) FROM (SELECT host AS a, v FROM cpu)", MAX),
        (f"SELECT count(host), mode(host) FROM {BY_HOST}", [[0, 3, "a"]]),
        # Casts: ``::field`` reads the field's type; ``::tag`` of a
        # subquery's column is text, of a stored tag no points.
        ("SELECT mean(s::field) FROM cpu", MEAN),
        ("SELECT mean(host::field) FROM cpu", []),
        ("SELECT mean(host::tag) FROM cpu", []),
        ("SELECT mean(v::tag) FROM cpu", []),
        ("SELECT mean(a::field) FROM (SELECT s AS a FROM cpu)", MEAN),
        ("SELECT mean(a::tag) FROM (SELECT v AS a FROM cpu)", MEAN),
        ("SELECT mean(a::tag) FROM (SELECT host AS a, v FROM cpu)", MEAN),
        ("SELECT mean(host::field) FROM (SELECT max(v) FROM cpu GROUP BY host)", MEAN),
    ],
)
def test_tags_and_casts_outside_a_subquery(
    store: Any, text: str, expected: Any
) -> None:
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A cast to another type than the field's, where no number is
        # converted, reads no value in every call.
        ("SELECT distinct(v::string) FROM cpu", []),
        ("SELECT count(distinct(v::string)) FROM cpu", []),
        ("SELECT distinct(v::boolean) FROM cpu", []),
        ("SELECT distinct(s::float) FROM cpu", []),
        ("SELECT top(v::string, 2) FROM cpu", []),
        ("SELECT sample(v::string, 2) FROM cpu", []),
        ("SELECT mode(v::string) FROM cpu", []),
        ("SELECT derivative(v::string) FROM cpu", []),
        ("SELECT max(v::string), max(v) FROM cpu", [[0, None, 5.0]]),
        ("SELECT distinct(s::string) FROM cpu", [[0, "p"], [0, "q"]]),
        ("SELECT mean(a::float) FROM (SELECT last(s) AS a FROM cpu)", []),
        ("SELECT mean(a::float) FROM (SELECT s AS a FROM cpu)", []),
        # ``::string`` of a subquery's column is its text, whatever its type.
        ("SELECT max(a::string) FROM (SELECT v AS a FROM cpu)", MAX),
        (f"SELECT max(host::string) FROM {BY_HOST}", MAX),
        ("SELECT max(v::string) FROM cpu", []),
        ("SELECT max(s::string) FROM cpu", MAX),
        # A subquery's group tag read as a number is still its text; a
        # name the subquery does not hold reads nothing, cast or not.
        ("SELECT mean(host::float) FROM (SELECT v FROM cpu GROUP BY host)", MEAN),
        ("SELECT mean(host) FROM (SELECT v FROM cpu GROUP BY host)", MEAN),
        (
            "SELECT count(a), median(nothere::string) FROM (SELECT v AS a FROM cpu)",
            [[0, 4, None]],
        ),
        # The outer query reads nothing the subquery holds: nothing runs.
        ("SELECT nothere FROM (SELECT max(s) FROM cpu)", []),
        ("SELECT count(t1::field) FROM (SELECT min(s) AS a FROM cpu)", []),
        ("SELECT host FROM (SELECT max(s) FROM cpu GROUP BY host)", MAX),
    ],
)
def test_casts_in_calls(store: Any, text: str, expected: Any) -> None:
    assert statement_values(store, text) == expected


UNTYPED = "(SELECT max(s) * 1 AS m FROM cpu)"
UNTYPED_BY_HOST = "(SELECT max(s) * 1 AS m FROM cpu GROUP BY host)"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # influxd skips a call of no type (its argument's type, none here):
        # nothing of the subquery is built, not even its refused MAX.
        (f"SELECT max(m) FROM {UNTYPED}", []),
        (f"SELECT max(m) + 1 FROM {UNTYPED}", []),
        (f"SELECT abs(max(m)) FROM {UNTYPED}", []),
        (f"SELECT sum(m), first(m) FROM {UNTYPED}", []),
        (f"SELECT max(m), host FROM {UNTYPED_BY_HOST}", []),
        (f"SELECT max(m) FROM {UNTYPED_BY_HOST} GROUP BY host", []),
        ("SELECT max(m) FROM (SELECT min(host) + 1 AS m, mean(b) FROM cpu)", []),
        # A call of a type of its own reads the column: the subquery is
        # built, and its refused call fails the statement.
        (f"SELECT count(m) FROM {UNTYPED}", MAX),
        (f"SELECT mean(m) FROM {UNTYPED}", MAX),
        (f"SELECT median(m) FROM {UNTYPED}", MAX),
        (f"SELECT elapsed(m) FROM {UNTYPED}", MAX),
        (f"SELECT count(distinct(m)) FROM {UNTYPED}", MAX),
        (
            "SELECT median(m) FROM (SELECT min(host) + 1 AS m, mean(b) FROM cpu)",
            "unsupported mean iterator type: *query.booleanInterruptIterator",
        ),
        ("SELECT max(w) FROM (SELECT max(s) AS m, max(v) * 2 AS w FROM cpu)", MAX),
        # A name the subquery does not hold builds nothing in a call; read
        # raw with a type (its cast), it reads the subquery.
        (f"SELECT count(nothere) FROM {UNTYPED}", []),
        (f"SELECT count(nothere), count(m) FROM {UNTYPED}", MAX),
        (f"SELECT nothere::float FROM {UNTYPED}", MAX),
        ("SELECT count(m) FROM (SELECT s * 1 AS m, v FROM cpu)", []),
        # Of several subqueries, each one a call reads a name of is built.
        (f"SELECT count(w) FROM {UNTYPED}, (SELECT v AS w FROM cpu)", [[0, 4]]),
        (f"SELECT count(m) FROM {UNTYPED}, (SELECT v AS w FROM cpu)", MAX),
        (f"SELECT w FROM {UNTYPED}, (SELECT v AS w FROM cpu)", MAX),
        ("SELECT m FROM (SELECT free AS m FROM cpu), (SELECT v AS w FROM cpu)", []),
    ],
)
def test_what_influxd_builds_of_a_subquery(
    store: Any, text: str, expected: Any
) -> None:
    assert statement_values(store, text) == expected
