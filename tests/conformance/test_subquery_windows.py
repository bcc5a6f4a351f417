"""The windows a subquery answers: fill() inside, windows before the outer
time range, and windows the subquery takes from the outer query.

Each test runs on the server and on the engine (``conn``) and expects the
server's answer; the ``test_quirk_*`` tests pin where the server's answer is
an artefact and the engine keeps the consistent one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import influxpy
from conformance._common import Reading, S, at, rows, series, write, write_both
from influxpy.durations import Day, Nanosecond, Second
from influxpy.exceptions import CompileError
from influxpy.functions import Count, Max, Mean, Sum


def points() -> list[Reading]:
    """Host ``a`` every 10 s from 5 s; host ``b`` in two series (dc x and y)."""
    return [
        *(Reading(time=at(10 * k + 5), v=float(k + 1), host="a") for k in range(6)),
        Reading(time=at(25), v=10.0, host="b", dc="x"),
        Reading(time=at(3), v=20.0, host="b", dc="y"),
    ]


@pytest.fixture
def spread(conn: str) -> str:
    write(conn, *points())
    return conn


def filled(alias: str, fill: Any, *group: str, **where: Any) -> Any:
    """Means over 10 s windows filled inside a subquery, over [0 s, 60 s)."""
    inner = (
        Reading.series.using(alias)
        .filter(**where)
        .annotate(m=Mean("v"))
        .resolution(Second(10))
    )
    if group:
        inner = inner.group_by(*group)
    return inner.fill(fill).subquery().filter(time__gte=at(0), time__lt=at(60))


@pytest.mark.parametrize(
    ("fill", "expected"),
    [
        (0, [20.0, 0.0, 10.0, 0.0, 0.0, 0.0]),
        ("previous", [20.0, 20.0, 10.0, 10.0, 10.0, 10.0]),
        ("linear", [20.0, 15.0, 10.0, None, None, None]),
    ],
)
def test_fill_inside_a_subquery_fills_each_group(
    spread: str, fill: Any, expected: list[Any]
) -> None:
    """The inner windows are filled per group: host ``b``'s two stored
    series make one group, filled as one."""
    qs = filled(spread, fill, host="b").only("m")
    assert [p["m"] for p in rows(qs)] == expected
    assert [p["time"] for p in rows(qs)] == [at(10 * k) for k in range(6)]


def test_fill_inside_a_subquery_feeds_outer_functions(spread: str) -> None:
    """Outer functions count the filled windows; the outer GROUP BY tags
    group the inner windows (and so fill them) per tag value."""
    assert rows(filled(spread, 0).annotate(c=Count("m"), s=Sum("m"))) == [
        {"time": at(0), "c": 6, "s": 34.0}
    ]
    per_host = filled(spread, "previous").annotate(c=Count("m")).group_by("host")
    assert series(per_host) == [
        ({"host": "a"}, [{"time": at(0), "c": 6}]),
        ({"host": "b"}, [{"time": at(0), "c": 6}]),
    ]
    per_dc = (
        filled(spread, 0, "host", host="b")
        .annotate(Max("m"))
        .group_by("dc", "host")
        .resolution(Second(30))
    )
    assert series(per_dc) == [
        (
            {"dc": "x", "host": "b"},
            [{"time": at(0), "max": 10.0}, {"time": at(30), "max": 0.0}],
        ),
        (
            {"dc": "y", "host": "b"},
            [{"time": at(0), "max": 20.0}, {"time": at(30), "max": 0.0}],
        ),
    ]


def test_quirk_fill_inside_a_subquery_grouped_finer_than_the_outer_query(
    both: tuple[str, str],
) -> None:
    """An inner GROUP BY tag the outer query does not group by: the server
    merges the inner series by time before it fills, and fills each run of
    one series' windows as if it were a new series (so one series' gaps are
    filled several times). The engine fills each inner series once."""
    write_both(both, *points())
    server, engine = both
    qs = {alias: filled(alias, 0, "host").annotate(c=Count("m")) for alias in both}
    assert rows(qs[server]) == [{"time": at(0), "c": 30}]
    assert rows(qs[engine]) == [{"time": at(0), "c": 12}]
    for alias in both:
        per_host = qs[alias].group_by("host")
        assert series(per_host) == [
            ({"host": "a"}, [{"time": at(0), "c": 6}]),
            ({"host": "b"}, [{"time": at(0), "c": 6}]),
        ]


def test_tz_windows_a_subquery_takes_stay_in_its_own_zone(conn: str) -> None:
    """An inner aggregate without ``resolution()`` takes the outer windows'
    length but not the outer ``tz()``: its days are UTC days, which the
    outer query then puts in Paris days (across the 2020 spring change)."""
    midnight = dt.datetime(2020, 3, 28, tzinfo=dt.UTC)
    write(
        conn,
        *(Reading(time=midnight + dt.timedelta(hours=h), v=1.0) for h in range(-2, 50)),
    )
    qs = (
        Reading.series.using(conn)
        .annotate(m=Count("v"))
        .subquery()
        .filter(time__gte=midnight, time__lt=midnight + dt.timedelta(days=2))
        .annotate(s=Sum("m"))
        .resolution(Day(1))
        .tz("Europe/Paris")
    )
    hour = 3600 * S
    assert [(p["time"] - ns(midnight), p["s"]) for p in rows(qs)] == [
        (-hour, 24),
        (23 * hour, 24),
        (46 * hour, None),
    ]


def ns(moment: dt.datetime) -> int:
    return int(moment.timestamp()) * S


def calls(alias: str) -> Any:
    """Two calls per 10 s window of each host, over [0 s, 40 s)."""
    return (
        Reading.series.using(alias)
        .annotate(m=Mean("v"), k=Count("n"))
        .resolution(Second(10))
        .group_by("host")
        .subquery()
        .filter(time__gte=at(0), time__lt=at(40))
    )


def paired() -> list[Reading]:
    return [
        Reading(time=at(1), v=1.0, host="a"),
        Reading(time=at(11), v=2.0, host="a"),
        Reading(time=at(2), v=3.0, n=5, host="b"),
        Reading(time=at(22), v=4.0, n=2, host="b"),
    ]


def test_several_inner_calls_in_descending_order_grouped_outside(conn: str) -> None:
    """In descending order each inner row stays whole when the outer query
    groups by the inner tags, in raw rows and under outer functions."""
    write(conn, *paired())
    assert series(calls(conn).only("m", "k").group_by("host").order_by("-time")) == [
        (
            {"host": "b"},
            [
                {"time": at(20), "m": 4.0, "k": 1},
                {"time": at(0), "m": 3.0, "k": 1},
            ],
        ),
        (
            {"host": "a"},
            [
                {"time": at(10), "m": 2.0, "k": None},
                {"time": at(0), "m": 1.0, "k": None},
            ],
        ),
    ]
    outer = (
        calls(conn)
        .annotate(top=Max("m"), n=Sum("k"))
        .group_by("host")
        .resolution(Second(20))
        .order_by("-time")
    )
    assert series(outer) == [
        (
            {"host": "b"},
            [
                {"time": at(20), "top": 4.0, "n": 1},
                {"time": at(0), "top": 3.0, "n": 1},
            ],
        ),
        (
            {"host": "a"},
            [
                {"time": at(20), "top": None, "n": None},
                {"time": at(0), "top": 2.0, "n": None},
            ],
        ),
    ]


def test_several_inner_calls_in_descending_order_split_rows(
    both: tuple[str, str],
) -> None:
    """Merged across inner series (no outer GROUP BY host), the server's
    descending cursor pairs the calls' points out of step: host ``b``'s
    count at 0 s comes out before host ``a``'s later mean, apart from its
    own mean. The engine pairs them the same way; outer functions read the
    split rows (a filter on one call drops the other's value)."""
    write_both(both, *paired())
    expected = [
        (at(0), "1.0", "None"),
        (at(0), "3.0", "None"),
        (at(0), "None", "1"),
        (at(10), "2.0", "None"),
        (at(20), "4.0", "1"),
    ]
    for alias in both:
        split = calls(alias).only("m", "k").order_by("-time")
        assert sorted((p["time"], repr(p["m"]), repr(p["k"])) for p in rows(split)) == (
            expected
        )
        counted = calls(alias).filter(m__gt=0).annotate(c=Count("k")).order_by("-time")
        assert rows(counted) == [{"time": at(0), "c": 1}]


def test_quirk_split_rows_of_several_calls_in_descending_order_repeat_series(
    both: tuple[str, str],
) -> None:
    """Grouped outside by a tag the inner query groups by along with
    another, the server's split rows come out as several series with the
    same tags (one per run of the outer tags in its pairing order); the
    engine answers the same rows as one series per tag set."""
    write_both(
        both,
        Reading(time=at(1), v=1.0, n=9, host="a", dc="y"),
        Reading(time=at(1), n=1, host="b", dc="x"),
        Reading(time=at(21), v=8.0, host="b", dc="x"),
    )

    def query(alias: str) -> Any:
        return (
            Reading.series.using(alias)
            .annotate(m=Mean("v"), k=Count("n"))
            .resolution(Second(10))
            .group_by("host", "dc")
            .subquery()
            .filter(time__gte=at(0), time__lt=at(40))
            .only("m", "k")
            .group_by("host")
            .order_by("-time")
        )

    a_mean = {"time": at(0), "m": 1.0, "k": None}
    a_count = {"time": at(0), "m": None, "k": 1}
    b_mean = {"time": at(20), "m": 8.0, "k": None}
    b_count = {"time": at(0), "m": None, "k": 1}
    server, engine = both
    assert series(query(server)) == [
        ({"host": "b"}, [b_mean]),
        ({"host": "a"}, [a_mean]),
        ({"host": "b"}, [b_count]),
        ({"host": "a"}, [a_count]),
    ]
    assert series(query(engine)) == [
        ({"host": "b"}, [b_mean, b_count]),
        ({"host": "a"}, [a_mean, a_count]),
    ]


def test_several_inner_calls_split_in_ascending_order_under_a_filter(
    conn: str,
) -> None:
    """In ascending order too the server pairs the calls out of step when
    an outer raw select or WHERE merges inner groups: host ``b``'s count at
    10 s waits behind host ``c``'s mean at 0 s and comes out alone, so a
    filter on the mean leaves no count."""
    write(
        conn,
        Reading(time=at(0), v=1.0, host="b"),
        Reading(time=at(10), v=2.0, n=5, host="b"),
        Reading(time=at(0), v=3.0, host="c"),
    )
    split = (
        Reading.series.using(conn)
        .annotate(m=Mean("v"), k=Count("n"))
        .resolution(Second(10))
        .group_by("host")
        .subquery()
        .filter(time__gte=at(0), time__lt=at(40), m__gt=0)
        .annotate(c=Count("k"), s=Sum("m"))
    )
    assert rows(split) == [{"time": at(0), "c": None, "s": 6.0}]


EARLY = [
    *(f"m,host=a v={k + 1} {(10 * k + 5) * S}" for k in range(8)),
    f"m,host=b v=10 {25 * S}",
    f"m,host=b v=20 {3 * S}",
]
#: Means over inner windows of 40 s; the range starts at 25 s, inside the
#: inner window at 0 s, after the first outer (10 s) window holding it.
OVER_EARLY = (
    "SELECT {call} FROM (SELECT mean(v) AS m FROM m GROUP BY time(40s)) "
    "WHERE time >= 25s AND time < 80s GROUP BY time(10s){more}"
)


def early_answer(conn: str, call: str, more: str = "") -> list[Any]:
    backend = influxpy.get_connection(conn)
    backend.write_lines(EARLY)
    (result,) = list(backend.statements(OVER_EARLY.format(call=call, more=more)))
    assert result.error is None, result.error
    return [(s.tags, [[r[0] // S, *r[1:]] for r in s.values]) for s in result.series]


EARLY_CASES = [
    # The early row has a window of its own; the fill goes on after the
    # first window of the range, which it skips.
    ("sum(m)", "", [[0, 17 / 3], [30, None], [40, 6.5], [50, None], [60, None]]),
    ("count(m)", "", [[0, 1], [30, 0], [40, 1], [50, 0], [60, 0]]),
    ("sum(m)", " fill(0)", [[0, 17 / 3], [30, 0.0], [40, 6.5], [50, 0.0]]),
    ("sum(m)", " fill(none)", [[0, 17 / 3], [40, 6.5]]),
    ("sum(m)", " fill(previous)", [[0, 17 / 3], [30, 17 / 3], [40, 6.5]]),
    ("sum(m)", " fill(linear)", [[0, 17 / 3], [30, 6.291666666666667], [40, 6.5]]),
    ("derivative(max(m))", "", [[40, 0.4375]]),
    # In descending order every window down to the early row's is filled.
    (
        "sum(m)",
        " ORDER BY time DESC",
        [
            *([t, None] for t in (70, 60, 50)),
            [40, 6.5],
            *([t, None] for t in (30, 20, 10)),
            [0, 17 / 3],
        ],
    ),
    (
        "sum(m)",
        " fill(linear) ORDER BY time DESC",
        [
            *([t, None] for t in (70, 60, 50)),
            [40, 6.5],
            [30, 6.291666666666667],
            [20, 6.083333333333334],
            [10, 5.875],
            [0, 17 / 3],
        ],
    ),
]


@pytest.mark.parametrize(("call", "more", "expected"), EARLY_CASES)
def test_outer_windows_over_inner_windows_starting_before_the_range(
    conn: str, call: str, more: str, expected: list[list[Any]]
) -> None:
    """The row of the inner window holding the lower bound (before it) is
    read by the outer functions, in the outer window holding its time."""
    ((tags, values),) = early_answer(conn, call, more)
    assert tags == {}
    assert [r[0] for r in values[: len(expected)]] == [r[0] for r in expected]
    assert [r[1] for r in values[: len(expected)]] == pytest.approx(
        [r[1] for r in expected]
    )
    if "DESC" not in more and "none" not in more and "derivative" not in call:
        assert [r[0] for r in values] == [0, *range(30, 80, 10)]


def test_outer_windows_over_early_inner_windows_per_group(conn: str) -> None:
    """Each group has its early row and skips its first window of the range."""
    answer = early_answer(conn, "sum(m)", ", host")
    assert answer == [
        (
            {"host": "a"},
            [[0, 3.5], [30, None], [40, 6.5], *([t, None] for t in (50, 60, 70))],
        ),
        ({"host": "b"}, [[0, 10.0], *([t, None] for t in range(30, 80, 10))]),
    ]


def test_outer_windows_in_the_window_holding_the_range_start(conn: str) -> None:
    """An early row inside the first outer window is read there."""
    backend = influxpy.get_connection(conn)
    backend.write_lines(EARLY)
    text = (
        "SELECT count(m) FROM (SELECT mean(v) AS m FROM m GROUP BY time(10s)) "
        "WHERE time > 1s AND time < 40s GROUP BY time(20s)"
    )
    (result,) = list(backend.statements(text))
    assert [list(r) for s in result.series for r in s.values] == [
        [0, 2],
        [20 * S, 2],
    ]


def test_outer_windows_without_a_time_bound_start_at_the_first_point(
    conn: str,
) -> None:
    """Without a time bound the windows run from the first point's window
    to now, filled (both stores answer the day windows since 1970)."""
    backend = influxpy.get_connection(conn)
    backend.write_lines(["m v=1 5000000000", "m v=2 90000000000000"])
    text = "SELECT count(v) FROM (SELECT v FROM m) GROUP BY time(1d)"
    (result,) = list(backend.statements(text))
    (found,) = result.series
    assert [list(r) for r in found.values[:3]] == [
        [0, 1],
        [86400 * S, 1],
        [2 * 86400 * S, 0],
    ]
    assert len(found.values) > 20_000


def test_windows_too_many_to_fill_fail_with_a_clear_error() -> None:
    """More windows of a series than the engine fills (influxd runs out of
    memory or does not answer): an error naming resolution() and the way
    out, before running when the lower time bound says so."""
    backend = influxpy.connect("duckdb://:memory:", alias="too-many-windows")
    try:
        backend.write_lines(["m v=1 5000000000"])
        text = "SELECT count(v) FROM (SELECT v FROM m) GROUP BY time(1ms)"
        (result,) = list(backend.statements(text))
        assert result.error is not None
        assert "resolution(Millisecond(1)) without fill('none') fills more" in (
            result.error
        )
        assert "filter(time__gte=...)" in result.error
        write("too-many-windows", Reading(time=at(5), v=1.0))
        qs = (
            Reading.series.using("too-many-windows")
            .filter(time__gte=dt.datetime(1900, 1, 1, tzinfo=dt.UTC))
            .annotate(Count("v"))
            .resolution(Nanosecond(1))
        )
        with pytest.raises(CompileError, match="more than 10000000 windows"):
            list(qs)
        assert rows(qs.fill("none")) == [{"time": at(5), "count": 1}]
    finally:
        backend.close()
