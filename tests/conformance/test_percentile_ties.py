"""PERCENTILE's point among tied values, in both orders, as influxd 1.6.7 picks it.

influxd sorts a group's points by value in the order it reads them (by
time, latest first with ``ORDER BY time DESC``) and takes the point at the
nearest rank. For up to 12 points Go's sort is an insertion sort, which
keeps tied points in that order, so the point picked among equal values
depends on the query's order. ``expected()`` models that rule; each test
runs on the server and on the engine (``conn``), so the server checks the
model and the model the engine.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

import influxpy

#: Values with many ties, one point a nanosecond, two series.
VALUES = [2, 1, 2, 3, 1, 2, 2, 3, 1, 1, 2, 3]
LINES = [f"m,t={'ab'[i % 2]} v={v} {i + 1}" for i, v in enumerate(VALUES)]
PERCENTILES = [1, 10, 25, 40, 50, 60, 75, 90, 100]


def expected(
    points: list[tuple[int, float]], p: float, descending: bool
) -> tuple[int, float] | None:
    """The point influxd's percentile picks from *points* (time, value)."""
    read = sorted(points, reverse=descending)
    ranked = sorted(read, key=lambda point: point[1])  # stable, as Go's for n <= 12
    k = math.floor(len(ranked) * p / 100 + 0.5)
    return ranked[k - 1] if 1 <= k <= len(ranked) else None


def answer(backend: Any, text: str) -> list[tuple[dict[str, str], list[Any]]]:
    return [
        (r.tags, [(p["time"], p["percentile"]) for p in r.points])
        for r in backend.query(text, epoch="ns")
    ]


@pytest.fixture
def points(conn: str) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(LINES)
    return backend


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("p", PERCENTILES)
def test_percentile_of_all_points(points: Any, p: int, descending: bool) -> None:
    order = " ORDER BY time DESC" if descending else ""
    text = f"SELECT percentile(v, {p}) FROM m WHERE time >= 1 AND time <= 12{order}"
    data = [(i + 1, float(v)) for i, v in enumerate(VALUES)]
    pick = expected(data, p, descending)
    assert answer(points, text) == ([({}, [pick])] if pick else [])


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("p", PERCENTILES)
def test_percentile_per_tag(points: Any, p: int, descending: bool) -> None:
    order = " ORDER BY time DESC" if descending else ""
    text = (
        f"SELECT percentile(v, {p}) FROM m WHERE time >= 1 AND time <= 12 "
        f"GROUP BY t{order}"
    )
    want = []
    for tag in "ab":
        data = [(i + 1, float(v)) for i, v in enumerate(VALUES) if "ab"[i % 2] == tag]
        pick = expected(data, p, descending)
        if pick:
            want.append(({"t": tag}, [pick]))
    assert sorted(answer(points, text), key=lambda s: s[0]["t"]) == want


@pytest.mark.parametrize("p", PERCENTILES)
def test_percentile_per_window(points: Any, p: int) -> None:
    text = (
        f"SELECT percentile(v, {p}) FROM m WHERE time >= 0 AND time < 12 "
        "GROUP BY time(6ns) fill(none)"
    )
    want = []
    for start in (0, 6):
        data = [
            (i + 1, float(v))
            for i, v in enumerate(VALUES)
            if start <= i + 1 < start + 6
        ]
        pick = expected(data, p, False)
        if pick:
            want.append((start, pick[1]))
    assert answer(points, text) == ([({}, want)] if want else [])


def test_quirk_percentile_ties_among_more_than_twelve_points(
    both: tuple[str, str],
) -> None:
    """Past 12 points Go's sort is unstable: influxd's point among tied
    values at the rank is whichever its pattern of swaps leaves there; the
    engine keeps the rule above (ties in the order the query reads them)."""
    server, engine = (influxpy.get_connection(alias) for alias in both)
    values = [VALUES[(i * 7) % len(VALUES)] for i in range(40)]
    lines = [f"m v={v} {i + 1}" for i, v in enumerate(values)]
    for backend in (server, engine):
        backend.create_database("ties")
        backend.write_lines(lines, database="ties")
    data = [(i + 1, float(v)) for i, v in enumerate(values)]
    differ = 0
    for p in PERCENTILES:
        text = f"SELECT percentile(v, {p}) FROM m WHERE time >= 1 AND time <= 40"
        ours = [
            (point["time"], point["percentile"])
            for r in engine.query(text, database="ties", epoch="ns")
            for point in r.points
        ]
        theirs = [
            (point["time"], point["percentile"])
            for r in server.query(text, database="ties", epoch="ns")
            for point in r.points
        ]
        pick = expected(data, p, False)
        assert ours == ([pick] if pick else [])
        # The same value; the server's time is another point with it.
        assert [v for _t, v in theirs] == [v for _t, v in ours]
        assert all(point in data for point in theirs)
        differ += theirs != ours
    assert differ > 0


@pytest.mark.parametrize(
    "text",
    [
        "SELECT percentile(i, 25) FROM m GROUP BY t",
        "SELECT percentile(i, 25) * 2 FROM m GROUP BY t",
        "SELECT abs(percentile(i, 25)) FROM m GROUP BY t",
        "SELECT percentile(i, 25) FROM m WHERE time < 10 GROUP BY time(5ns), t",
    ],
)
def test_quirk_percentile_after_a_first_group_without_rank(
    both: tuple[str, str], text: str
) -> None:
    """A lone PERCENTILE (in math too) whose first series read (t=a: one
    point, rank -1) has no point at the rank: influxd answers nothing at
    all, in ascending order too; the engine answers every group that has
    a point at the rank (t=b: its first of two)."""
    server, engine = (influxpy.get_connection(alias) for alias in both)
    lines = ["m,t=a i=4i 1", "m,t=b i=5i 1", "m,t=b i=7i 2"]
    for backend in (server, engine):
        backend.create_database("firstrank")
        backend.write_lines(lines, database="firstrank")
    assert server.query(text, database="firstrank") == []
    ours = [
        (r.tags, [(p["time"], *list(p.values())[1:]) for p in r.points])
        for r in engine.query(text, database="firstrank", epoch="ns")
    ]
    value = 10 if "* 2" in text else 5
    filled = [(5, None)] if "fill" not in text and "time(" in text else []
    assert ours == [({"t": "b"}, [(1 if "time(" not in text else 0, value), *filled])]


@pytest.mark.parametrize(
    "fill",
    ["", " fill(none)"],
)
def test_quirk_percentile_descending_after_a_group_without_rank(
    both: tuple[str, str], fill: str
) -> None:
    """A lone PERCENTILE in descending order whose first group read (here
    the window 4-8: two points, rank 0) has no point at the rank: influxd
    answers nothing at all, the later windows' points included; the engine
    answers every window as in ascending order, latest first."""
    text = (
        "SELECT percentile(v, 20) FROM m WHERE time >= 0 AND time <= 7 "
        f"GROUP BY time(4ns){fill} ORDER BY time DESC"
    )
    server, engine = (influxpy.get_connection(alias) for alias in both)
    lines = ["m v=2 1", "m v=1 2", "m v=2 3", "m v=3 4", "m v=1 5"]
    for backend in (server, engine):
        backend.create_database("norank")
        backend.write_lines(lines, database="norank")
    assert server.query(text, database="norank") == []
    ours = [
        (point["time"], point["percentile"])
        for r in engine.query(text, database="norank", epoch="ns")
        for point in r.points
    ]
    filled = [] if fill else [(4, None)]
    assert ours == [*filled, (0, 1.0)]


def test_quirk_percentile_beside_a_transformation_after_a_window_without_rank(
    both: tuple[str, str],
) -> None:
    """A PERCENTILE whose first window has no point at the rank (one point,
    rank 0), beside a transformation: influxd sends the transformation's
    first row ahead of every window, as a row of its own, and the window's
    percentile later without it; the engine gives both in their window."""
    server, engine = (influxpy.get_connection(alias) for alias in both)
    second = 1_000_000_000
    lines = [f"m f=0 {t * second}" for t in (0, 10, 180, 190)]
    for backend in (server, engine):
        backend.create_database("besides")
        backend.write_lines(lines, database="besides")
    text = (
        "SELECT percentile(f, 25), derivative(mean(f)) FROM m "
        "WHERE time > 0 AND time <= 200s GROUP BY time(25s)"
    )

    def rows(backend: Any) -> list[tuple[int, Any, Any]]:
        return [
            (p["time"] // second, p["percentile"], p["derivative"])
            for r in backend.query(text, database="besides", epoch="ns")
            for p in r.points
        ]

    empty = [(t, None, None) for t in range(0, 175, 25)]
    assert rows(server) == [
        (175, None, 0.0),
        *empty,
        (175, 0.0, None),
        (200, None, None),
    ]
    assert rows(engine) == [*empty, (175, 0.0, 0.0), (200, None, None)]
