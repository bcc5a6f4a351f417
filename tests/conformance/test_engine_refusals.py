"""Shapes the embedded engine once refused, answered as influxd 1.6.7 does.

Where the server's own answer is broken (stamps outside the range, rows
lost to a reducer reading backwards), the engine keeps a consistent answer
and a ``test_quirk_*`` test pins both; the other tests run the same query on
both backends (``conn``) and expect the server's answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import influxpy
from conformance._common import UTC, Reading, at, column, rows, series, write_both
from influxpy.durations import Hour, Minute, Second
from influxpy.exceptions import ProgrammingError
from influxpy.functions import (
    Count,
    CumulativeSum,
    Derivative,
    Difference,
    Elapsed,
    ExponentialMovingAverage,
    First,
    HoltWinters,
    HoltWintersWithFit,
    Integral,
    KaufmansEfficiencyRatio,
    Max,
    Mean,
    Mode,
    MovingAverage,
    RelativeStrengthIndex,
    Sum,
    Top,
    TripleExponentialDerivative,
)

#: Points off the window boundaries, so each window's area is interpolated.
OFF_GRID = [(1, 4.0), (31, 8.0), (61, 14.0), (91, 6.0)]


def same_answers(both: tuple[str, str], text: str) -> None:
    """Both stores answer *text* without an error, with the same non-empty
    series (tags and rows)."""
    answers = []
    for alias in both:
        (result,) = list(influxpy.get_connection(alias).statements(text))
        assert result.error is None, (text, result.error)
        answers.append([(s.tags, [list(v) for v in s.values]) for s in result.series])
    assert answers[0] == answers[1], text
    assert answers[0], text


def test_quirk_integral_over_windows_in_descending_order(
    both: tuple[str, str],
) -> None:
    """The server sums each window backwards (so its area changes sign, as
    without windows) and stamps it with the window's end, even past the
    range; the engine stamps it with the window's start. The areas agree
    here; the server also adds 0.0 rows when points sit on window starts
    and misplaces the area of empty windows."""
    write_both(both, *(Reading(time=at(t), v=x) for t, x in OFF_GRID))
    server, engine = both

    def query(alias: str, descending: bool) -> Any:
        qs = (
            Reading.series.using(alias)
            .filter(time__gte=at(0), time__lt=at(120))
            .annotate(Integral("v"))
            .resolution(Second(30))
        )
        return qs.order_by("-time") if descending else qs

    ascending = [(p["time"], p["integral"]) for p in rows(query(engine, False))]
    assert ascending == [
        (at(0), 172.06666666666666),
        (at(30), 324.03333333333336),
        (at(60), 307.76666666666665),
        (at(90), 6.133333333333333),
    ]
    backwards = [(t, -v) for t, v in reversed(ascending)]
    on_engine = [(p["time"], p["integral"]) for p in rows(query(engine, True))]
    assert on_engine == backwards
    on_server = [(p["time"], p["integral"]) for p in rows(query(server, True))]
    assert on_server == [(t + 30 * 10**9, v) for t, v in backwards]


def test_integral_over_windows_in_descending_order_by_tag(
    both: tuple[str, str],
) -> None:
    """With GROUP BY a tag each series gets its own windows, latest first,
    and the series come in descending order of their tags, as the server's
    other calls give them."""
    write_both(
        both,
        *(Reading(time=at(t), v=x, host="a") for t, x in OFF_GRID),
        *(Reading(time=at(t + 2), v=2 * x, host="b") for t, x in OFF_GRID[:2]),
    )
    _server, engine = both
    qs = (
        Reading.series.using(engine)
        .filter(time__gte=at(0), time__lt=at(120))
        .annotate(Integral("v"))
        .resolution(Second(30))
        .group_by("host")
        .order_by("-time")
    )
    got = [(t["host"], [p["time"] for p in points]) for t, points in series(qs)]
    assert got == [("b", [at(30), at(0)]), ("a", [at(90), at(60), at(30), at(0)])]


def test_quirk_holt_winters_in_descending_order(both: tuple[str, str]) -> None:
    """The server's HOLT_WINTERS reads the windows backwards, finds no span
    and answers nothing; the engine forecasts in time order (from a
    transformation computed in time order too) and gives the ascending rows
    latest first."""
    values = [4, 6, 9, 5, 7, 10, 6, 8, 11, 7, 9, 12]
    write_both(
        both, *(Reading(time=at(10 * k), v=float(x)) for k, x in enumerate(values))
    )
    server, engine = both

    for call in (
        HoltWinters(Mean("v"), 3, 2),
        HoltWintersWithFit(Mean("v"), 2, 0),
        HoltWinters(Derivative(Mean("v")), 2, 1),
    ):

        def query(alias: str, descending: bool, call: Any = call) -> Any:
            qs = (
                Reading.series.using(alias)
                .filter(time__gte=at(0), time__lt=at(120))
                .annotate(call)
                .resolution(Second(10))
            )
            return qs.order_by("-time") if descending else qs

        assert rows(query(server, True)) == []
        ascending = rows(query(server, False))
        assert ascending
        assert rows(query(engine, False)) == ascending
        assert rows(query(engine, True)) == ascending[::-1]


def _every(start: dt.datetime, minutes: int, count: int, **tags: str) -> list[Reading]:
    """Points every *minutes* from *start*, valued 0, 1, 2… (``n`` too)."""
    return [
        Reading(time=start + dt.timedelta(minutes=minutes * k), v=float(k), n=k, **tags)
        for k in range(count)
    ]


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("Europe/Paris", dt.datetime(2020, 3, 28, 12, tzinfo=UTC)),
        ("Europe/Paris", dt.datetime(2020, 10, 24, 12, tzinfo=UTC)),
        ("America/New_York", dt.datetime(2020, 3, 7, 18, tzinfo=UTC)),
    ],
)
@pytest.mark.parametrize("interval", [Minute(90), Hour(2), Hour(5), Hour(25)])
def test_tz_windows_longer_than_a_change_of_offset(
    both: tuple[str, str], zone: str, start: dt.datetime, interval: Any
) -> None:
    """Windows longer than the zone's change of offset but not whole days
    (2h in Europe/Paris): aggregates, selectors, TOP and fill() around a
    change, in both orders, as the server cuts them."""
    write_both(
        both,
        *_every(start, 20, 3 * 36, host="a"),
        *_every(start + dt.timedelta(minutes=7), 50, 40, host="b"),
    )
    calls: list[tuple[Any, ...]] = [
        (Count("v"), Max("v")),
        (First("v"), Sum("n")),
        (Top("v", 2),),
    ]
    for called in calls:
        for fill in (None, 0, "previous"):
            for descending in (False, True):
                results = []
                for alias in both:
                    qs = (
                        Reading.series.using(alias)
                        .filter(
                            time__gte=start,
                            time__lt=start + dt.timedelta(hours=48),
                        )
                        .annotate(*called)
                        .resolution(interval)
                        .group_by("host")
                        .tz(zone)
                    )
                    if fill is not None and len(called) > 1:
                        qs = qs.fill(fill)
                    if descending:
                        qs = qs.order_by("-time")
                    results.append(series(qs))
                assert results[0] == results[1], (called, fill, descending)
                assert results[0]


def test_quirk_tz_windows_not_a_multiple_of_a_half_hour_change(
    both: tuple[str, str],
) -> None:
    """Lord Howe Island moves its clocks by half an hour; with 45-minute
    windows the server's MAX loses every value after the change (its
    COUNT of the same windows still sees the points). The engine agrees
    on the count and keeps the values."""
    start = dt.datetime(2020, 10, 3, 13, tzinfo=UTC)
    write_both(both, *_every(start, 10, 40))
    server, engine = both

    def query(alias: str, call: Any) -> Any:
        return (
            Reading.series.using(alias)
            .filter(time__gte=start, time__lt=start + dt.timedelta(hours=7))
            .annotate(call)
            .resolution(Minute(45))
            .tz("Australia/Lord_Howe")
        )

    change = int(dt.datetime(2020, 10, 3, 15, 30, tzinfo=UTC).timestamp()) * 10**9
    counts = [(p["time"], p["count"]) for p in rows(query(server, Count("v")))]
    assert counts == [(p["time"], p["count"]) for p in rows(query(engine, Count("v")))]
    assert sum(c for _, c in counts) == 40
    on_server = rows(query(server, Max("v")))
    assert all(p["max"] is None for p in on_server if p["time"] >= change)
    on_engine = rows(query(engine, Max("v")))
    assert max(p["max"] for p in on_engine if p["max"] is not None) == 39.0


def _values(alias: str, text: str) -> list[list[Any]]:
    (result,) = list(influxpy.get_connection(alias).statements(text))
    assert result.error is None, result.error
    (only,) = result.series
    return [list(v) for v in only.values]


def test_quirk_number_fill_next_to_text_or_boolean_fields(
    both: tuple[str, str],
) -> None:
    """A selector next to raw fields with fill(N): the server writes N into
    the empty cells of every field, text and boolean ones too; the engine
    fills the numeric fields and leaves the others null (a column holds
    one type), as for ``fill(N)`` of a text selector."""
    write_both(
        both,
        Reading(time=at(0), v=1.0, n=1),
        Reading(time=at(10), v=2.0, n=2, s="x", ok=True),
        Reading(time=at(30), v=3.0, n=3),
    )
    server, engine = both
    text = (
        f"SELECT max(v), s, ok, n FROM conformance WHERE time >= {at(0)} "
        f"AND time < {at(40)} GROUP BY time(10s) fill(7)"
    )
    assert _values(server, text) == [
        [at(0), 1.0, 7, 7, 1],
        [at(10), 2.0, "x", True, 2],
        [at(20), 7.0, 7, 7, 7],
        [at(30), 3.0, 7, 7, 3],
    ]
    assert _values(engine, text) == [
        [at(0), 1.0, None, None, 1],
        [at(10), 2.0, "x", True, 2],
        [at(20), 7.0, None, None, 7],
        [at(30), 3.0, None, None, 3],
    ]


def _close(left: list[Any], right: list[Any]) -> bool:
    """The same series, times and columns; values equal to the last bits
    (the engine sums in another order)."""
    if [tags for tags, _ in left] != [tags for tags, _ in right]:
        return False
    for (_, a), (_, b) in zip(left, right, strict=True):
        if [sorted(p.items()) for p in a] == [sorted(p.items()) for p in b]:
            continue
        if [list(p) for p in a] != [list(p) for p in b]:
            return False
        if any(p != pytest.approx(q) for p, q in zip(a, b, strict=True)):
            return False
    return True


@pytest.mark.parametrize(
    "outer",
    [Difference, Derivative, CumulativeSum, Elapsed, lambda x: MovingAverage(x, 2)],
)
def test_transformations_of_holt_winters(both: tuple[str, str], outer: Any) -> None:
    """DIFFERENCE, DERIVATIVE… of HOLT_WINTERS[_WITH_FIT] read the fitted
    and forecast rows as the server does, also from a lower bound inside a
    window, by tag and filled."""
    values = [4, 6, 9, 5, 7, 10, 6, 8, 11, 7, 9, 12]
    write_both(
        both,
        *(
            Reading(time=at(10 * k + j), v=float(x + 2 * j), host=host)
            for j, host in enumerate("ab")
            for k, x in enumerate(values)
            if (k + j) % 5 != 3
        ),
    )
    for inner in (HoltWinters(Mean("v"), 3, 2), HoltWintersWithFit(Max("v"), 2, 0)):
        for fill in (None, 0):
            results = []
            for alias in both:
                qs = (
                    Reading.series.using(alias)
                    .filter(time__gte=at(15), time__lt=at(120))
                    .annotate(outer(inner))
                    .resolution(Second(10))
                    .group_by("host")
                )
                results.append(series(qs if fill is None else qs.fill(fill)))
            assert _close(results[0], results[1]), (inner, fill)
            assert results[0], (inner, fill)


WINDOWED = f"WHERE time >= {at(0)} AND time < {at(60)} GROUP BY time(20s)"

#: Functions of what influxd refuses (raw values over windows, arithmetic,
#: math functions, other calls), with its error text.
REFUSED = [
    (
        f"SELECT derivative(v) FROM conformance {WINDOWED}",
        "aggregate function required inside the call to derivative",
    ),
    (
        f"SELECT exponential_moving_average(v, 2) FROM conformance {WINDOWED}",
        "aggregate function required inside the call to exponential_moving_average",
    ),
    (
        f"SELECT derivative(difference(v)) FROM conformance {WINDOWED}",
        "aggregate function required inside the call to difference",
    ),
    (
        f"SELECT derivative(mean(v) + 1) FROM conformance {WINDOWED}",
        "aggregate function required inside the call to derivative",
    ),
    (
        "SELECT derivative(v + 1) FROM conformance",
        "expected field argument in derivative()",
    ),
    (
        "SELECT exponential_moving_average(v * 2, 2) FROM conformance",
        "expected field argument in exponential_moving_average()",
    ),
    (
        "SELECT exponential_moving_average(distinct(v), 2) FROM conformance "
        + WINDOWED,
        (
            "aggregate function distinct() cannot be combined with other "
            "functions or fields"
        ),
    ),
    (
        f"SELECT difference(distinct(v * 2)) FROM conformance {WINDOWED}",
        "expected field argument in distinct()",
    ),
    (
        f"SELECT derivative(abs(v)) FROM conformance {WINDOWED}",
        "mixing aggregate and non-aggregate queries is not supported",
    ),
    (
        f"SELECT cumulative_sum(abs(mean(v))) FROM conformance {WINDOWED}",
        "unsupported call: abs",
    ),
    (
        f"SELECT difference(top(v, 2)) FROM conformance {WINDOWED}",
        "selector function top() cannot be combined with other functions",
    ),
    ("SELECT mean(v + 1) FROM conformance", "expected field argument in mean()"),
    ("SELECT max(abs(v)) FROM conformance", "expected field argument in max()"),
    (
        f"SELECT max(mean(v)) FROM conformance {WINDOWED}",
        "expected field argument in max()",
    ),
    (
        "SELECT integral(v * 2) FROM conformance",
        "expected field argument in integral()",
    ),
    (
        "SELECT count(distinct(v + 1)) FROM conformance",
        "expected field argument in distinct()",
    ),
    (
        "SELECT distinct(v * 2) FROM conformance",
        "expected field argument in distinct()",
    ),
    ("SELECT sample(v + 1, 2) FROM conformance", "expected field argument in sample()"),
    (
        f"SELECT mean(v) + n FROM conformance {WINDOWED}",
        "mixing aggregate and non-aggregate queries is not supported",
    ),
    (
        "SELECT max(v) + n, min(v) FROM conformance",
        "mixing multiple selector functions with tags or fields is not supported",
    ),
    (
        "SELECT count(v), top(v, 1) + 1 FROM conformance",
        "selector function top() cannot be combined with other functions",
    ),
    (
        f"SELECT top(v + 1, 2) FROM conformance {WINDOWED}",
        "expected first argument to be a field in top(), found v + 1",
    ),
    (
        "SELECT top(v * 2.5, host, 2) FROM conformance",
        "expected first argument to be a field in top(), found v * 2.500",
    ),
    (
        "SELECT bottom((v + 1) * 2, 2), host FROM conformance",
        "expected first argument to be a field in bottom(), found (v + 1) * 2",
    ),
    (
        f"SELECT top(mean(v), 2) FROM conformance {WINDOWED}",
        "expected first argument to be a field in top(), found mean(v)",
    ),
    (
        "SELECT distinct(v) + distinct(n) FROM conformance",
        (
            "aggregate function distinct() cannot be combined with other "
            "functions or fields"
        ),
    ),
    (
        "SELECT distinct(v) + n FROM conformance",
        (
            "aggregate function distinct() cannot be combined with other "
            "functions or fields"
        ),
    ),
    (
        "SELECT sample(v, 2), max(v), n FROM conformance",
        "mixing multiple selector functions with tags or fields is not supported",
    ),
    (
        "SELECT count(v), distinct(n) FROM conformance",
        (
            "aggregate function distinct() cannot be combined with other "
            "functions or fields"
        ),
    ),
]


@pytest.mark.parametrize(("text", "error"), REFUSED)
def test_functions_influxd_refuses(conn: str, text: str, error: str) -> None:
    """Both backends fail the statement with influxd's own words."""
    Reading.series.using(conn).bulk_create(
        Reading(time=at(10 * k), v=float(k)) for k in range(6)
    )
    (result,) = list(influxpy.get_connection(conn).statements(text))
    assert result.error == error


def test_a_transformation_of_raw_values_over_windows_raises(conn: str) -> None:
    """The QuerySet raises ProgrammingError with the server's text."""
    Reading.series.using(conn).bulk_create([Reading(time=at(0), v=1.0)])
    qs = (
        Reading.series.using(conn)
        .filter(time__gte=at(0), time__lt=at(60))
        .annotate(Derivative("v"))
        .resolution(Second(20))
    )
    with pytest.raises(ProgrammingError, match="aggregate function required"):
        list(qs)


#: A selector with raw fields in arithmetic: they come from its point.
SELECTOR_ARITHMETIC = [
    f"SELECT max(v) + n FROM conformance WHERE time >= {at(0)} AND time < {at(60)}",
    f"SELECT max(v) * 2 + n, s FROM conformance {WINDOWED}, host",
    f"SELECT first(v) - n FROM conformance {WINDOWED} fill(5)",
    f"SELECT min(n) - n * 2 FROM conformance {WINDOWED} fill(previous)",
    f"SELECT max(v), abs(n) FROM conformance {WINDOWED}",
]


@pytest.mark.parametrize("text", SELECTOR_ARITHMETIC)
def test_raw_fields_in_arithmetic_with_a_selector(
    both: tuple[str, str], text: str
) -> None:
    write_both(
        both,
        *(
            Reading(time=at(7 * k), v=float(k % 4), n=k, s=f"x{k}", host="ab"[k % 2])
            for k in range(6)
        ),
    )
    same_answers(both, text)


@pytest.mark.parametrize(
    "make",
    [
        lambda: ExponentialMovingAverage(Difference(Mean("v")), 2),
        lambda: Difference(ExponentialMovingAverage(Mean("v"), 3)),
        lambda: Derivative(RelativeStrengthIndex(Max("v"), 2)),
        lambda: TripleExponentialDerivative(MovingAverage(Mean("v"), 2), 2),
        lambda: KaufmansEfficiencyRatio(ExponentialMovingAverage(Mean("v"), 2), 2),
    ],
)
def test_technical_analysis_with_other_transformations(
    both: tuple[str, str], make: Any
) -> None:
    """A technical-analysis function of another transformation, or the
    reverse: the server reads back as many windows as the largest period
    (as for MOVING_AVERAGE), one per level of the chain."""
    write_both(
        both,
        *(
            Reading(time=at(5 * k), v=float((k * 7) % 11), host="ab"[k % 2])
            for k in range(80)
            if k % 9 != 4
        ),
    )
    for descending in (False, True):
        for grouped in (False, True):
            results = []
            for alias in both:
                qs = (
                    Reading.series.using(alias)
                    .filter(time__gte=at(30), time__lt=at(360))
                    .annotate(make())
                    .resolution(Second(20))
                )
                if grouped:
                    qs = qs.group_by("host")
                if descending:
                    qs = qs.order_by("-time")
                results.append(series(qs))
            assert _close(results[0], results[1]), (descending, grouped)
            assert results[0]


#: A shard-group boundary (shard groups of the default policy last a week
#: from the epoch, a Thursday): 2020-01-02T00:00:00Z.
SHARDS_MEET = 86400

#: Points on both sides of it where three values are equally frequent.
TIED = [
    (22, 3.0), (6, 0.0), (5, 1.0), (-10, 1.0), (42, 0.0), (-21, 0.0),
    (-31, 3.0), (11, 1.0), (-25, 0.0), (-46, 0.0), (26, 3.0), (49, 2.0),
    (-33, 2.0), (-15, 0.0), (-18, 3.0), (-14, 1.0), (3, 3.0), (51, 2.0),
    (-1, 1.0), (57, 3.0), (21, 1.0), (58, 2.0),
]  # fmt: skip


@pytest.mark.parametrize(
    ("points", "descending", "expected"),
    [
        (TIED, False, 0.0),
        (TIED, True, 0.0),
        ([(-30, 5.0), (-20, 3.0), (10, 3.0), (20, 5.0)], False, 5.0),
        ([(-30, 5.0), (-20, 3.0), (10, 3.0), (20, 5.0)], True, 3.0),
    ],
)
def test_mode_ties_across_shard_groups(
    conn: str, points: list[tuple[int, float]], descending: bool, expected: float
) -> None:
    """MODE between equally frequent values, in a window across a
    shard-group boundary and in both orders: influxd sorts the points it
    reads (latest first in descending order) by value with Go's unstable
    sort, and the tie goes by the times that sort leaves in each run."""
    Reading.series.using(conn).bulk_create(
        Reading(time=at(SHARDS_MEET + t), v=x) for t, x in points
    )
    for windowed in (False, True):
        qs = (
            Reading.series.using(conn)
            .filter(time__gte=at(SHARDS_MEET - 60), time__lt=at(SHARDS_MEET + 60))
            .annotate(Mode("v"))
        )
        if windowed:
            qs = qs.resolution(Minute(2), Minute(1))
        if descending:
            qs = qs.order_by("-time")
        assert [p["mode"] for p in rows(qs)] == [expected], windowed


def test_mode_ties_between_series_at_one_time(both: tuple[str, str]) -> None:
    """MODE over several series with points at the same time, equally
    frequent values: the pick depends on the order the series' points of
    one time are merged in, which the engine reads as the server does."""
    points = [
        (-49, "b", 1.0), (-48, "a", 1.0), (-31, "a", 3.0), (-29, "", 1.0),
        (-20, "a", 3.0), (-19, "", 0.0), (-18, "b", 1.0), (-17, "", 3.0),
        (-17, "b", 0.0), (-7, "b", 2.0), (-4, "b", 1.0), (15, "", 3.0),
        (19, "b", 0.0), (21, "a", 2.0), (33, "", 0.0), (38, "b", 3.0),
        (48, "a", 3.0), (50, "a", 1.0),
    ]  # fmt: skip
    write_both(
        both,
        *(
            Reading(time=at(SHARDS_MEET + t), v=x, host=host or None)
            for t, host, x in points
        ),
    )
    answers = []
    for alias in both:
        qs = (
            Reading.series.using(alias)
            .filter(time__gte=at(SHARDS_MEET - 60), time__lt=at(SHARDS_MEET + 60))
            .annotate(Mode("v"))
        )
        answers.append(column(qs, "mode"))
    assert answers == [[1.0], [1.0]]


#: Arithmetic and math of DISTINCT: on each distinct value, in its order.
DISTINCT_ARITHMETIC = [
    f"SELECT distinct(v) + 1 FROM conformance WHERE time < {at(60)}",
    f"SELECT distinct(v) * 2 FROM conformance {WINDOWED}, host",
    f"SELECT distinct(v) - 1 FROM conformance {WINDOWED} ORDER BY time DESC",
    f"SELECT abs(distinct(v) - 2) AS a FROM conformance {WINDOWED} fill(0)",
    f"SELECT distinct(n) / 2 FROM conformance {WINDOWED} LIMIT 2 OFFSET 1",
    f"SELECT sqrt(distinct(n) - 2) FROM conformance {WINDOWED}",
    f"SELECT distinct(n) % 0 FROM conformance {WINDOWED} tz('Europe/Paris')",
]


@pytest.mark.parametrize("text", DISTINCT_ARITHMETIC)
def test_arithmetic_of_distinct(both: tuple[str, str], text: str) -> None:
    write_both(
        both,
        *(
            Reading(time=at(7 * k), v=float(k * 3 % 4), n=k % 5, host="ab"[k % 2])
            for k in range(9)
        ),
    )
    same_answers(both, text)


def test_arithmetic_of_text_distinct_fails(conn: str) -> None:
    """Both backends fail it with influxd's type error."""
    Reading.series.using(conn).bulk_create([Reading(time=at(0), s="x")])
    text = "SELECT distinct(s) + 1 FROM conformance"
    (result,) = list(influxpy.get_connection(conn).statements(text))
    assert result.error == (
        "type error: distinct(s::string) + 1: incompatible types: string and integer"
    )


@pytest.mark.parametrize(
    "call",
    [
        "derivative(distinct(v))",
        "difference(distinct(n))",
        "non_negative_derivative(distinct(v), 5s)",
        "non_negative_difference(distinct(v))",
        "cumulative_sum(distinct(n))",
        "moving_average(distinct(v), 3)",
        "elapsed(distinct(v), 1s)",
    ],
)
def test_transformations_of_distinct(both: tuple[str, str], call: str) -> None:
    """Transformations of DISTINCT over windows, from the window before the
    range, by tag, in both orders; fill() changes nothing. DERIVATIVE and
    DIFFERENCE read each window's first distinct value (the server's
    reducer keeps the first of the points of one time), also beside
    another call; CUMULATIVE_SUM, MOVING_AVERAGE and ELAPSED read every
    distinct value, in DISTINCT's order."""
    alone = call.split("(")[0] in ("cumulative_sum", "moving_average", "elapsed")
    write_both(
        both,
        *(
            Reading(
                time=at(10 * k + k % 4),
                v=float((k * 7) % 5),
                n=(k * 3) % 4,
                host="ab"[k % 2],
            )
            for k in range(-6, 14)
            if k % 5 != 2
        ),
    )
    where = f"WHERE time >= {at(15)} AND time < {at(120)} GROUP BY time(30s)"
    for tail in ("", ", host", " fill(0)", " ORDER BY time DESC", ", host LIMIT 2"):
        for beside in ("",) if alone else ("", ", mean(v)"):
            text = f"SELECT {call}{beside} FROM conformance {where}{tail}"
            same_answers(both, text)


#: SAMPLE beside other calls: its points join their rows on time (N larger
#: than any window's points, so the sample is every point).
SAMPLE_BESIDE = [
    "SELECT sample(v, 10), max(v) FROM conformance WHERE time >= {lo} AND time < {hi}",
    "SELECT sample(v, 10), count(v) FROM conformance {where}",
    "SELECT sample(v, 10) + 1, count(v) * 2 FROM conformance {where}, host",
    "SELECT sample(v, 10), mean(n) FROM conformance {where} fill(0)",
    "SELECT sample(v, 10), mean(n) FROM conformance {where}, host fill(previous)",
    "SELECT sample(v, 10), first(n) FROM conformance {where}, host LIMIT 3 OFFSET 1",
    "SELECT sample(v, 10), sample(n, 10) FROM conformance {where} tz('Europe/Paris')",
]


@pytest.mark.parametrize("text", SAMPLE_BESIDE)
def test_sample_beside_other_calls(both: tuple[str, str], text: str) -> None:
    write_both(
        both,
        *(
            Reading(
                time=at(10 * k + k % 4),
                v=float((k * 7) % 5),
                n=(k * 3) % 4,
                host="ab"[k % 2],
            )
            for k in range(-3, 14)
            if k % 5 != 2
        ),
    )
    lo, hi = at(15), at(120)
    where = f"WHERE time >= {lo} AND time < {hi} GROUP BY time(30s)"
    statement = text.format(lo=lo, hi=hi, where=where)
    same_answers(both, statement)
