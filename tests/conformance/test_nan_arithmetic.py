"""NaN and ±Inf that arithmetic and math functions make, on both backends.

influxd computes in IEEE doubles: a float modulo by zero, SQRT of a
negative or LN(-1) is NaN, LN(0) is -Inf (a division by zero is 0, an
integer modulo by zero 0). Its answer holds null for NaN and keeps ±Inf;
inside a subquery NaN is a value the outer query reads: COUNT counts it,
MEAN and SUM are NaN, MAX and MIN keep a NaN they read first, a condition
finds it unequal to everything, a fill carries it.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from conformance._common import Reading, at, rows, series, write
from influxpy.connection import connections
from influxpy.durations import Second
from influxpy.expressions import F
from influxpy.functions import (
    Count,
    CumulativeSum,
    Difference,
    Distinct,
    First,
    Last,
    Ln,
    Max,
    Mean,
    Min,
    Spread,
    Sqrt,
    StdDev,
    Sum,
)

INF = math.inf


def _values(qs: Any, *names: str) -> list[tuple[Any, ...]]:
    return [(p["time"], *(p[n] for n in names)) for p in rows(qs)]


@pytest.fixture
def roots(conn: str) -> str:
    """Host a: v -1, 4, 9, -4, 1 at 1…5 s; host b: 16, -9, 0 at 1.5…3.5 s.

    ``sqrt(v)`` is NaN at 1, 2.5 and 4 s; ``ln(v)`` is -Inf at 3.5 s.
    """
    a = [(1, -1.0), (2, 4.0), (3, 9.0), (4, -4.0), (5, 1.0)]
    b = [(1.5, 16.0), (2.5, -9.0), (3.5, 0.0)]
    write(
        conn,
        *(Reading(time=at(t), v=v, n=int(v), host="a") for t, v in a),
        *(Reading(time=at(t), v=v, n=int(v), host="b") for t, v in b),
    )
    return conn


def _inner(conn: str, host: str | None = None, **exprs: Any) -> Any:
    qs = Reading.series.using(conn).filter(time__gte=at(0), time__lt=at(10))
    if host is not None:
        qs = qs.filter(host=host)
    return qs.annotate(**exprs).subquery()


def test_answer_holds_null_for_nan_and_keeps_infinities(roots: str) -> None:
    """NaN is answered as null, ±Inf as itself; division by zero and an
    integer modulo by zero are 0, a float modulo by zero NaN."""
    qs = (
        Reading.series.using(roots)
        .filter(host="b", time__gte=at(0), time__lt=at(10))
        .annotate(r=Sqrt("v"), y=Ln("v"), fm=F("v") % 0, im=F("n") % 0, d=F("v") / 0)
    )
    got = _values(qs, "r", "y", "fm", "im", "d")
    assert got == [
        (at(1.5), 4.0, math.log(16), None, 0, 0.0),
        (at(2.5), None, None, None, 0, 0.0),
        (at(3.5), 0.0, -INF, None, 0, 0.0),
    ]


def test_raw_rows_of_a_subquery_keep_their_nan_rows(roots: str) -> None:
    """A row whose every value is NaN is still a row (answered as nulls)."""
    got = _values(_inner(roots, x=Sqrt("v"), y=Ln("v")).only("x", "y"), "x", "y")
    assert [t for t, *_ in got] == [at(t) for t in (1, 1.5, 2, 2.5, 3, 3.5, 4, 5)]
    assert got[0][1:] == (None, None)
    assert got[5][1:] == (0.0, -INF)


def test_outer_aggregates_read_nan(roots: str) -> None:
    """COUNT counts NaN (COUNT(DISTINCT()) each NaN apart); MEAN, SUM and
    SPREAD are NaN (null); FIRST is the NaN point; STDDEV leaves NaN out of
    its sums."""
    inner = _inner(roots, x=Sqrt("v")).group_by("host")
    qs = inner.annotate(
        c=Count("x"),
        m=Mean("x"),
        s=Sum("x"),
        sp=Spread("x"),
        f=First("x"),
        la=Last("x"),
        sd=StdDev("x"),
        cd=Count(Distinct("x")),
    )
    got = {tags["host"]: points[0] for tags, points in series(qs)}
    a, b = got["a"], got["b"]
    assert (a["c"], a["m"], a["s"], a["sp"], a["f"], a["la"]) == (
        5,
        None,
        None,
        None,
        None,
        1.0,
    )
    assert a["sd"] == pytest.approx(1.0)  # of 2, 3, 1
    assert (a["cd"], b["cd"]) == (5, 3)  # each NaN apart
    assert (b["c"], b["m"], b["f"], b["la"]) == (3, None, 4.0, 0.0)
    assert b["sd"] == pytest.approx(math.sqrt(8))  # of 4, 0


def test_outer_max_and_min_keep_a_nan_read_first(roots: str) -> None:
    """influxd's MAX and MIN replace the first point they read by a greater
    (smaller) one: a NaN read first stays, a later NaN is passed over; in
    descending order the latest point is read first."""
    inner = _inner(roots, x=Sqrt("v"))
    grouped = inner.group_by("host").annotate(hi=Max("x"), lo=Min("x"))
    got = {tags["host"]: points[0] for tags, points in series(grouped)}
    assert (got["a"]["hi"], got["a"]["lo"]) == (None, None)
    assert (got["b"]["hi"], got["b"]["lo"]) == (4.0, 0.0)
    assert _values(inner.annotate(hi=Max("x")), "hi") == [(at(1), None)]
    latest_first = inner.annotate(hi=Max("x")).order_by("-time")
    assert _values(latest_first, "hi") == [(at(1.5), 4.0)]
    later = _inner(roots, x=Sqrt("v")).filter(time__gt=at(1))
    assert _values(later.annotate(hi=Max("x")), "hi") == [(at(1.5), 4.0)]


def test_outer_max_and_min_next_to_a_field_take_the_picked_point(
    roots: str,
) -> None:
    """The columns beside MAX come from the point it picks, a NaN one too."""
    inner = _inner(roots, x=Sqrt("v"), w=F("v"))
    qs = inner.group_by("host").annotate(hi=Max("x")).only("w")
    got = {tags["host"]: points[0] for tags, points in series(qs)}
    assert (got["a"]["time"], got["a"]["hi"], got["a"]["w"]) == (at(1), None, -1.0)
    assert (got["b"]["time"], got["b"]["hi"], got["b"]["w"]) == (at(1.5), 4.0, 16.0)


def test_outer_aggregates_of_infinities(roots: str) -> None:
    """-Inf is a number: MIN picks it, SUM and MEAN are -Inf, SPREAD +Inf."""
    inner = _inner(roots, "b", y=Ln("v"))
    qs = inner.annotate(lo=Min("y"), s=Sum("y"), sp=Spread("y"), c=Count("y"))
    (point,) = rows(qs)
    assert (point["lo"], point["sp"], point["c"]) == (-INF, None, 3)
    # ln(-9) is NaN: the sum is NaN.
    assert point["s"] is None
    finite = _inner(roots, "b", y=Ln("v")).filter(time__gt=at(2.6))
    assert _values(finite.annotate(s=Sum("y"), m=Mean("y")), "s", "m") == [
        (at(2.6) + 1, -INF, -INF)
    ]


@pytest.mark.parametrize(
    ("lookup", "times"),
    [
        ({"x__gt": 1}, [1.5, 2, 3]),
        ({"x__gte": 0}, [1.5, 2, 3, 3.5, 5]),
        ({"x__lt": 100}, [1.5, 2, 3, 3.5, 5]),
        ({"x__lte": 2}, [2, 3.5, 5]),
    ],
    ids=["gt", "gte", "lt", "lte"],
)
def test_conditions_on_a_nan_column_never_match(
    roots: str, lookup: dict[str, Any], times: list[float]
) -> None:
    """NaN compares as unequal to every number, so no ordering holds."""
    qs = _inner(roots, x=Sqrt("v")).filter(**lookup).only("x")
    assert [t for t, _x in _values(qs, "x")] == [at(t) for t in times]


def test_condition_on_a_nan_column_unequal(roots: str) -> None:
    """``x != 5`` holds for NaN, ``x = 2`` does not."""
    inner = _inner(roots, x=Sqrt("v"))
    assert len(_values(inner.exclude(x=5).only("x"), "x")) == 8
    assert _values(inner.filter(x=2).only("x"), "x") == [(at(2), 2.0)]


def test_windows_of_nan_are_not_filled(roots: str) -> None:
    """A window whose mean is NaN has a value: fill(N) leaves it (null in
    the answer), fill(previous) carries it to the empty windows after it."""
    inner = _inner(roots, "a", x=Sqrt("v"))

    def windows(fill: Any) -> list[Any]:
        qs = inner.filter(time__gte=at(0), time__lt=at(6))
        qs = qs.annotate(m=Mean("x")).resolution(Second(1)).fill(fill)
        return [value for _t, value in _values(qs, "m")]

    assert windows(7) == [7.0, None, 2.0, 3.0, None, 1.0]
    assert windows("previous") == [None, None, 2.0, 3.0, None, 1.0]


def test_transformations_carry_nan(roots: str) -> None:
    """A running sum stays NaN after a NaN, a difference next to one is NaN."""
    inner = _inner(roots, "b", x=Sqrt("v"))
    qs = inner.annotate(cs=CumulativeSum("x"), d=Difference("x"))
    assert _values(qs, "cs", "d") == [
        (at(1.5), 4.0, None),
        (at(2.5), None, None),
        (at(3.5), None, None),
    ]


def test_into_leaves_nan_out_and_drops_points_holding_an_infinity(
    roots: str,
) -> None:
    """INTO writes a NaN field as no field (the point keeps its others) and
    drops a point holding ±Inf whole (the line protocol cannot carry it),
    as influxd's points writer does; the count leaves it out too."""
    qs = (
        Reading.series.using(roots)
        .filter(host="b", time__gte=at(0), time__lt=at(10))
        .annotate(r=Sqrt("v"), y=Ln("v"), w=F("v") * 1)
    )
    assert qs.into("nan_copy").execute() == 2
    copied = connections[roots].query("SELECT r, y, w FROM nan_copy", epoch="ns")
    got = [
        (p["time"], p["r"], p["y"], p["w"]) for result in copied for p in result.points
    ]
    assert got == [(at(1.5), 4.0, math.log(16), 16.0), (at(2.5), None, None, -9.0)]


def test_integer_cast_of_nan_infinities_and_huge_floats(roots: str) -> None:
    """``::integer`` of NaN is null; of ±Inf, or of a float past the int64
    range, the smallest integer (Go's conversion on amd64). The engine
    failed the whole query."""
    text = (
        "SELECT y::integer, w::integer, z::integer FROM (SELECT ln(v) AS y, "
        "-ln(v) AS w, pow(v, 200) AS z FROM conformance WHERE host = 'b')"
    )
    answer = connections[roots].query(text, epoch="ns")
    got = [
        (p["time"], p["y"], p["w"], p["z"]) for result in answer for p in result.points
    ]
    smallest = -(2**63)
    assert got == [
        (at(1.5), 2, -2, smallest),
        (at(2.5), None, None, smallest),
        (at(3.5), smallest, smallest, 0),
    ]


def test_first_of_a_number_and_nan_at_one_time(conn: str) -> None:
    """Of points at one time, FIRST keeps the first read (series a: 2) as
    NaN is never greater; the engine took NaN, which DuckDB orders last."""
    write(
        conn,
        Reading(time=at(1), v=4.0, host="a"),
        Reading(time=at(1), v=-1.0, host="b"),
        Reading(time=at(2), v=9.0, host="a"),
    )
    inner = _inner(conn, x=Sqrt("v"))
    qs = inner.annotate(f=First("x"), hi=Max("x"), c=Count("x"))
    assert [(p["f"], p["hi"], p["c"]) for p in rows(qs)] == [(2.0, 3.0, 3)]


def test_nan_of_arithmetic_over_several_inner_calls(roots: str) -> None:
    """A subquery's column computed from two calls (MAX % (MIN * 0)) holds
    NaN the outer query counts; the engine made it null."""
    inner = (
        Reading.series.using(roots)
        .filter(time__gte=at(0), time__lt=at(10))
        .group_by("host")
        .annotate(x=Max("v") % (Min("v") * 0))
        .subquery()
    )
    assert _values(inner.annotate(c=Count("x"), m=Mean("x")), "c", "m") == [
        (0, 2, None)
    ]


def test_integer_cast_of_a_missing_value_is_null(conn: str) -> None:
    """``v::integer`` in a row where the float field ``v`` has no value is
    null, not the smallest integer (the NaN rule above must not take in
    missing values)."""
    write(
        conn,
        Reading(time=at(1), v=2.5, n=1, host="a"),
        Reading(time=at(2), n=9, host="b"),
    )
    text = "SELECT n, v::integer FROM conformance"
    answer = connections[conn].query(text, epoch="ns")
    got = [(p["time"], p["n"], p["v"]) for result in answer for p in result.points]
    assert got == [(at(1), 1, 2), (at(2), 9, None)]
