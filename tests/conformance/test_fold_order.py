"""Aggregates whose last bits depend on how the points are read, on both
backends, each expecting InfluxDB 1.6.7's answer to the last bit.

influxd's STDDEV folds a window's points in the order its merge reads
them (time, then series key; the other way round in descending order): a
running mean, then the sum of the squared deviations from it. Its SUM
and MEAN add each series' points in time order (from the last in
descending order), then the series' results in series-key order (the
other way round in descending order); a MEAN merges the series' means
weighted back by their counts. Over a subquery, the rows are added in
time order. The expected values are those folds written out in Python;
the data are chosen so that another order, or DuckDB's ``stddev_samp``
(Welford's), rounds differently.
"""

from __future__ import annotations

import itertools
import math
import uuid
from collections.abc import Sequence

import pytest

import influxpy
from influxpy.backends.duckdb.functions.merge_order import go_max_procs

#: Two series, written out of time order: a at 1, 3, 5 s, b at 2, 4, 6 s.
A = [95.6, 94.8, 5.7]
B = [8.5, 83.5, 73.6]
LINES = [
    *(f"m,s=b v={v},i={round(v)}i {(2 * k + 2) * 10**9}" for k, v in enumerate(B)),
    *(f"m,s=a v={v},i={round(v)}i {(2 * k + 1) * 10**9}" for k, v in enumerate(A)),
]
#: Every value in time order.
IN_TIME = [A[0], B[0], A[1], B[1], A[2], B[2]]


def _stddev(values: Sequence[float]) -> float:
    """influxd's STDDEV of *values* read in this order."""
    mean = 0.0
    for count, value in enumerate(values, 1):
        mean += (value - mean) / count
    squares = 0.0
    for value in values:
        squares += (value - mean) ** 2
    return math.sqrt(squares / (len(values) - 1))


def _welford(values: Sequence[float]) -> float:
    """The sample standard deviation by Welford's one pass."""
    mean = squares = 0.0
    for count, value in enumerate(values, 1):
        delta = value - mean
        mean += delta / count
        squares += delta * (value - mean)
    return math.sqrt(squares / (len(values) - 1))


def _answer(alias: str, text: str, lines: Sequence[str] = LINES) -> list[list[object]]:
    backend = influxpy.get_connection(alias)
    database = f"folds_{uuid.uuid4().hex[:8]}"
    backend.create_database(database)
    try:
        backend.write_lines(list(lines), database=database)
        results = backend.query(text, database=database, epoch="s")
        return [
            [point[c] for c in point if c != "time"]
            for result in results
            for point in result.points
        ]
    finally:
        backend.drop_database(database)


def test_the_data_tell_the_orders_apart() -> None:
    # Else the cases below could pass with another order or formula.
    expected = _stddev(IN_TIME)
    assert expected != _welford(IN_TIME)
    assert expected != _stddev(IN_TIME[::-1])
    assert expected != _stddev(A + B)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT stddev(v) FROM m", [[_stddev(IN_TIME)]]),
        ("SELECT stddev(v) FROM m ORDER BY time DESC", [[_stddev(IN_TIME[::-1])]]),
        ("SELECT stddev(v) FROM m GROUP BY s", [[_stddev(A)], [_stddev(B)]]),
        (
            "SELECT stddev(v) FROM m WHERE time >= 0s AND time < 6s GROUP BY time(3s)",
            [[_stddev(IN_TIME[:2])], [_stddev(IN_TIME[2:5])]],
        ),
        ("SELECT stddev(v) FROM (SELECT v FROM m)", [[_stddev(IN_TIME)]]),
        (
            "SELECT stddev(i) FROM m",
            [[_stddev([float(round(v)) for v in IN_TIME])]],
        ),
    ],
)
def test_stddev_folds_the_points_in_the_servers_order(
    conn: str, text: str, expected: list[list[float]]
) -> None:
    assert _answer(conn, text) == expected


def test_stddev_of_points_at_one_time_reads_them_by_series_key(conn: str) -> None:
    # Both series at each time: a's point first, then b's.
    lines = [
        f"t,s={s} v={v} {k * 10**9}"
        for k, (x, y) in enumerate(zip(A, B, strict=True))
        for s, v in (("b", y), ("a", x))
    ]
    backend = influxpy.get_connection(conn)
    database = f"folds_{uuid.uuid4().hex[:8]}"
    backend.create_database(database)
    try:
        backend.write_lines(lines, database=database)
        (result,) = backend.query("SELECT stddev(v) FROM t", database=database)
    finally:
        backend.drop_database(database)
    by_key = [v for pair in zip(A, B, strict=True) for v in pair]
    assert _stddev(by_key) != _stddev([v for p in zip(B, A, strict=True) for v in p])
    assert [p["stddev"] for p in result.points] == [_stddev(by_key)]


#: Two series for SUM and MEAN, written out of time order: c at 1, 3,
#: 5 s, d at 2, 4, 6 s.
C = [25.9, 68.5, 68.4]
D = [84.9, 18.6, 23.1]
SUM_LINES = [
    *(f"n,s=d v={v} {(2 * k + 2) * 10**9}" for k, v in enumerate(D)),
    *(f"n,s=c v={v} {(2 * k + 1) * 10**9}" for k, v in enumerate(reversed(C))),
]
#: The lines above wrote c's values from the last: c's times are 5, 3, 1.
C_IN_TIME = C[::-1]
SUM_IN_TIME = [C_IN_TIME[0], D[0], C_IN_TIME[1], D[1], C_IN_TIME[2], D[2]]


def _sum(values: Sequence[float]) -> float:
    """*values* added one after another, as Go's loop adds them."""
    total = 0.0
    for value in values:
        total += value
    return total


def _mean_of_parts(parts: Sequence[Sequence[float]]) -> float:
    """influxd's MEAN of series whose points are *parts*: each series'
    mean weighted back by its count, added up, divided by every point."""
    total = 0.0
    for part in parts:
        mean = _sum(part) / len(part)
        total += mean * len(part) if len(part) >= 2 else mean
    return total / sum(len(part) for part in parts)


def test_the_sums_tell_the_orders_apart() -> None:
    by_series = _sum([_sum(C_IN_TIME), _sum(D)])
    assert by_series != _sum(SUM_IN_TIME)
    descending = _sum([_sum(D[::-1]), _sum(C_IN_TIME[::-1])])
    assert descending not in (by_series, _sum(SUM_IN_TIME[::-1]))
    assert _mean_of_parts([C_IN_TIME, D]) != _sum(SUM_IN_TIME) / 6


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT sum(v) FROM n", [[_sum([_sum(C_IN_TIME), _sum(D)])]]),
        (
            "SELECT sum(v) FROM n ORDER BY time DESC",
            [[_sum([_sum(D[::-1]), _sum(C_IN_TIME[::-1])])]],
        ),
        ("SELECT mean(v) FROM n", [[_mean_of_parts([C_IN_TIME, D])]]),
        (
            "SELECT sum(v), mean(v) FROM n GROUP BY s",
            [
                [_sum(C_IN_TIME), _sum(C_IN_TIME) / 3],
                [_sum(D), _sum(D) / 3],
            ],
        ),
        (
            "SELECT sum(v) FROM n WHERE time >= 0s AND time < 8s GROUP BY time(4s)",
            [
                [_sum([_sum(C_IN_TIME[:2]), _sum(D[:1])])],
                [_sum([_sum(C_IN_TIME[2:]), _sum(D[1:])])],
            ],
        ),
        ("SELECT sum(v) FROM (SELECT v FROM n)", [[_sum(SUM_IN_TIME)]]),
        ("SELECT mean(v) FROM (SELECT v FROM n)", [[_sum(SUM_IN_TIME) / 6]]),
    ],
)
def test_sum_and_mean_add_series_as_the_server_does(
    conn: str, text: str, expected: list[list[float]]
) -> None:
    assert _answer(conn, text, SUM_LINES) == expected


def _at(first: int, step: int, values: Sequence[float]) -> list[tuple[int, float]]:
    """*values* at the seconds *first*, *first* + *step*, ..."""
    return [(first + step * k, v) for k, v in enumerate(values)]


#: Groups by ``h`` of one series (w, x) and of several (y: two regions; z:
#: one series without ``r`` and one with it), so that one query adds some
#: groups' points alone and the others' by series: each group's series in
#: series-key order (``h=z`` before ``h=z,r=1``), as ``(seconds, value)``.
GROUPS = {
    "w": {"h=w": _at(1, 1, IN_TIME[3:])},
    "x": {"h=x,r=1": _at(1, 1, A)},
    "y": {"h=y,r=1": _at(1, 2, C_IN_TIME), "h=y,r=2": _at(2, 2, D)},
    "z": {"h=z": _at(1, 1, B), "h=z,r=1": _at(1, 1, IN_TIME[:3])},
}
GROUP_LINES = [
    f"g,{key} v={v} {t * 10**9}"
    for series in GROUPS.values()
    for key, points in reversed(series.items())
    for t, v in points
]


@pytest.mark.parametrize("before", [None, 4])
def test_sum_and_mean_of_groups_of_one_series_and_of_several(
    conn: str, before: int | None
) -> None:
    text = "SELECT sum(v), mean(v) FROM g GROUP BY h"
    if before is not None:
        text = (
            f"SELECT sum(v), mean(v) FROM g WHERE time >= 0s AND time < {before}s "
            f"GROUP BY time({before}s), h"
        )
    expected = []
    for series in GROUPS.values():
        parts = [
            [v for t, v in points if before is None or t < before]
            for points in series.values()
        ]
        parts = [part for part in parts if part]
        expected.append([_sum([_sum(part) for part in parts]), _mean_of_parts(parts)])
    assert _answer(conn, text, GROUP_LINES) == expected
    if before is None:
        # y's series added one after the other, not its points in time
        # order: the data tell the two apart.
        y = sorted(p for points in GROUPS["y"].values() for p in points)
        assert expected[2][0] != _sum([v for _t, v in y])


def _integral(points: Sequence[tuple[int, float]], unit: float) -> float:
    """influxd's INTEGRAL of *points* ``(time, value)`` in their order:
    each trapezoid ``0.5 * (v + prev) * (dt / unit)`` added in turn."""
    total = 0.0
    for (t0, v0), (t1, v1) in itertools.pairwise(points):
        total += 0.5 * (v1 + v0) * (float(t1 - t0) / unit)
    return total


INTEGRAL_POINTS = [(k + 1, v) for k, v in enumerate(IN_TIME)]


def test_the_integral_tells_the_orders_apart() -> None:
    ascending = _integral(INTEGRAL_POINTS, 2.0)
    # Every trapezoid in nanoseconds, the total divided by the unit once.
    nanoseconds = 0.0
    for (t0, v0), (t1, v1) in itertools.pairwise(INTEGRAL_POINTS):
        nanoseconds += (v0 + v1) * ((t1 - t0) * 10**9) / 2.0
    assert ascending != nanoseconds / 2e9
    assert _integral(INTEGRAL_POINTS[::-1], 2.0) != -ascending


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT integral(v, 2s) FROM m", [[_integral(INTEGRAL_POINTS, 2.0)]]),
        (
            "SELECT integral(v, 2s) FROM m ORDER BY time DESC",
            [[_integral(INTEGRAL_POINTS[::-1], 2.0)]],
        ),
    ],
)
def test_integral_adds_the_trapezoids_as_the_server_does(
    conn: str, text: str, expected: list[list[float]]
) -> None:
    assert _answer(conn, text) == expected


def _moving_average(values: Sequence[float], n: int) -> list[float]:
    """influxd's MOVING_AVERAGE: a running sum, the oldest value taken out
    and the newest added, divided by *n*, from the *n*-th value on."""
    out = []
    total = 0.0
    for index, value in enumerate(values):
        if index >= n:
            total -= values[index - n]
        total += value
        if index >= n - 1:
            out.append(total / n)
    return out


def test_the_moving_average_tells_the_sums_apart() -> None:
    # Each window's values added afresh round otherwise.
    afresh = [_sum(IN_TIME[k - 1 : k + 1]) / 2 for k in range(1, len(IN_TIME))]
    assert _moving_average(IN_TIME, 2) != afresh


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "SELECT moving_average(v, 2) FROM m",
            [[v] for v in _moving_average(IN_TIME, 2)],
        ),
        (
            "SELECT moving_average(v, 4) FROM m ORDER BY time DESC",
            [[v] for v in _moving_average(IN_TIME[::-1], 4)],
        ),
        (
            "SELECT moving_average(v, 2) FROM m GROUP BY s",
            [[v] for v in _moving_average(A, 2) + _moving_average(B, 2)],
        ),
    ],
)
def test_moving_average_keeps_the_servers_running_sum(
    conn: str, text: str, expected: list[list[float]]
) -> None:
    assert _answer(conn, text) == expected


def test_median_of_an_even_count_is_the_lower_middle_plus_half_the_gap(
    conn: str,
) -> None:
    # influxd: lo + (hi - lo) / 2, which rounds otherwise than (lo + hi) / 2.
    lo, hi = 1.32, 83.75
    assert lo + (hi - lo) / 2 != (lo + hi) / 2
    lines = [f"md v={v} {k * 10**9}" for k, v in enumerate([hi, 0.5, lo, 90.25])]
    assert _answer(conn, "SELECT median(v) FROM md", lines) == [[lo + (hi - lo) / 2]]
    odd = [*lines, "md v=50.5 9000000000"]
    assert _answer(conn, "SELECT median(v) FROM md", odd) == [[50.5]]


def _parallel_order(series: int, cores: int) -> list[int]:
    """The order influxd 1.6 adds *series* series' parts in on *cores*
    cores: its parallel merge splits them into one run per core, and each
    run's merge heap pops the first, then the last, back to the second."""
    runs = min(cores, series)
    size = series // runs
    order: list[int] = []
    for run in range(runs):
        members = list(
            range(run * size, series if run == runs - 1 else (run + 1) * size)
        )
        if len(members) > 2:
            members = [members[0], *members[:0:-1]]
        order.extend(members)
    return order


def test_sum_of_many_series_in_the_servers_parallel_order(
    both: tuple[str, str],
) -> None:
    """SUM of six series, one point each: influxd adds the series in an
    order that depends on how many cores it runs on (0, 2, 1, 3, 5, 4 on
    two); the engine replays it for this machine's (``part_order``)."""
    values = [95.6, 94.78, 5.66, 8.49, 83.55, 73.6]
    lines = [f"six,s=s{k} v={v} {(k + 1) * 10**9}" for k, v in enumerate(values)]
    server, engine = (_answer(alias, "SELECT sum(v) FROM six", lines) for alias in both)
    here = _sum([values[k] for k in _parallel_order(6, go_max_procs())])
    assert engine == server == [[here]]
    assert {_sum([values[k] for k in _parallel_order(6, c)]) for c in (1, 2, 3)} != {
        here
    }


@pytest.mark.parametrize(
    "text",
    [
        "SELECT mean(v), count(i) FROM (SELECT v FROM m), m ORDER BY time DESC",
        "SELECT sum(v) FROM m, m ORDER BY time DESC",
        "SELECT sum(v), mean(v) FROM (SELECT v, s FROM m) ORDER BY time DESC",
        "SELECT stddev(v), integral(v) FROM (SELECT v FROM m), m ORDER BY time DESC",
    ],
)
def test_sums_of_several_sources_in_descending_order(
    both: tuple[str, str], text: str
) -> None:
    # Added in read order, points of one time by series key.
    server, engine = (_answer(alias, text) for alias in both)
    assert engine == server


def test_sums_per_window_after_a_series_missed_one(
    both: tuple[str, str],
) -> None:
    """SUM per window of three series, c without a point in the second
    window: in the third, influxd's merge heap adds the series' sums in
    another order than series key; the engine replays that merge."""
    points = [
        ("a", 6, 75.45),
        ("b", 5, 69.79),
        ("c", 9, 66.5),
        ("a", 15, 26.7),
        ("b", 14, 47.31),
        ("a", 23, 93.36),
        ("b", 27, 14.08),
        ("c", 20, 38.04),
    ]
    lines = [f"gap,s={s} v={v} {t * 10**9}" for s, t, v in points]
    text = "SELECT sum(v) FROM gap WHERE time >= 0s AND time < 30s GROUP BY time(10s)"
    server, engine = (_answer(alias, text, lines) for alias in both)
    assert engine == server
    windows = [[v for s, t, v in sorted(points) if t // 10 == w] for w in range(3)]
    orders = [
        {_sum(list(p)) for p in itertools.permutations(values)} for values in windows
    ]
    assert len(orders[2]) > 1
