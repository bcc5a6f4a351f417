"""SAMPLE beside other calls in descending order, on both backends.

The server's cursor merges the calls' rows latest first: each output row
takes the latest time among the calls' next rows. SAMPLE's iterator gives
its points window by window, latest window first but in time order inside
a window, so a window's points come before the other calls' row at the
window's start, and ``fill(previous)`` carries values in that order. SAMPLE
picks at random: with N at least every window's point count it keeps every
point and both backends answer the same; below that, the tests check what
the picks cannot change.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._common import Reading, at, rows, write
from influxpy.durations import Second
from influxpy.functions import Count, Max, Mean, Sample


def points() -> list[Reading]:
    """Points off the 30 s grid but one (60 s, on a window start)."""
    return [
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
        Reading(time=at(60), v=4.0, host="a"),
    ]


def answer(conn: str, text: str) -> list[tuple[dict[str, str], list[list[Any]]]]:
    """Tags and rows (times in seconds from ``at(0)``) of each series."""
    (result,) = list(influxpy.get_connection(conn).statements(text, params=None))
    assert result.error is None, (text, result.error)
    return [
        (s.tags, [[(v[0] - at(0)) / 1e9, *v[1:]] for v in s.values])
        for s in result.series
    ]


WHERE = f"WHERE time >= {at(15)} AND time < {at(120)}"


def test_sample_beside_an_aggregate_in_descending_order(conn: str) -> None:
    """Each window's points in time order, then the aggregate's row; a
    point on a window's start shares its row with the aggregate."""
    write(conn, *points())
    qs = (
        Reading.series.using(conn)
        .filter(time__gte=at(15), time__lt=at(120))
        .annotate(Sample("v", 10), Max("n"))
        .resolution(Second(30))
        .order_by("-time")
    )
    assert [(p["time"], p["sample"], p["max"]) for p in rows(qs)] == [
        (at(91), 3.0, None),
        (at(102), 0.0, None),
        (at(113), 2.0, None),
        (at(90), None, 3),
        (at(60), 4.0, 2),
        (at(62), 2.0, None),
        (at(80), 1.0, None),
        (at(33), 1.0, None),
        (at(40), 3.0, None),
        (at(51), 0.0, None),
        (at(30), None, 3),
        (at(0), None, None),
    ]


def test_sample_beside_an_aggregate_without_windows(conn: str) -> None:
    """The aggregate's row, at the range's start, comes after the points."""
    write(conn, *points())
    text = f"SELECT sample(v, 10), count(v) FROM conformance {WHERE} ORDER BY time DESC"
    assert answer(conn, text) == [
        (
            {},
            [
                [33.0, 1.0, None],
                [40.0, 3.0, None],
                [51.0, 0.0, None],
                [60.0, 4.0, None],
                [62.0, 2.0, None],
                [80.0, 1.0, None],
                [91.0, 3.0, None],
                [102.0, 0.0, None],
                [113.0, 2.0, None],
                [15.0, None, 9],
            ],
        )
    ]


def test_sample_beside_calls_with_fill_previous_in_descending_order(
    conn: str,
) -> None:
    """``fill(previous)`` carries each column's value in the order rows
    come out, SAMPLE's column too."""
    write(conn, *points())
    text = (
        f"SELECT sample(v, 10), mean(n) FROM conformance {WHERE} "
        "GROUP BY time(30s), host fill(previous) ORDER BY time DESC"
    )
    # Series come latest tag value first in descending order.
    assert answer(conn, text) == [
        (
            {"host": "b"},
            [
                [91.0, 3.0, None],
                [113.0, 2.0, None],
                [90.0, 2.0, 2.0],
                [60.0, 2.0, 2.0],
                [33.0, 1.0, 2.0],
                [51.0, 0.0, 2.0],
                [30.0, 0.0, 2.0],
                [0.0, 0.0, 2.0],
            ],
        ),
        (
            {"host": "a"},
            [
                [102.0, 0.0, None],
                [90.0, 0.0, 2.0],
                [60.0, 4.0, 1.0],
                [62.0, 2.0, 1.0],
                [80.0, 1.0, 1.0],
                [40.0, 3.0, 1.0],
                [30.0, 3.0, 0.0],
                [0.0, 3.0, 0.0],
            ],
        ),
    ]


def test_sample_beside_calls_with_limit_in_descending_order(conn: str) -> None:
    """LIMIT and OFFSET count each call's own rows, SAMPLE's in the order
    it gives them (latest window first, time order inside)."""
    write(conn, *points())
    text = (
        f"SELECT sample(v, 10), first(n) FROM conformance {WHERE} "
        "GROUP BY time(30s), host ORDER BY time DESC LIMIT 3 OFFSET 1"
    )
    assert answer(conn, text) == [
        (
            {"host": "b"},
            [
                [113.0, 2.0, None],
                [60.0, None, None],
                [33.0, 1.0, None],
                [51.0, 0.0, None],
                [30.0, None, 1],
                [0.0, None, None],
            ],
        ),
        (
            {"host": "a"},
            [
                [60.0, 4.0, 2],
                [62.0, 2.0, None],
                [80.0, 1.0, None],
                [30.0, None, 0],
                [0.0, None, None],
            ],
        ),
    ]


#: More shapes; N larger than any window's points, so both backends answer
#: the same rows.
SHAPES = [
    "SELECT sample(v, 10) + 1, count(v) * 2 FROM conformance {where}, host",
    "SELECT sample(v, 10), mean(n) FROM conformance {where} fill(0)",
    "SELECT sample(v, 10), mean(n) FROM conformance {where}, host fill(none)",
    "SELECT sample(v, 10), mean(n) FROM conformance {where}, host fill(linear)",
    "SELECT sample(v, 10), max(n), min(v) FROM conformance {where} OFFSET 4",
    "SELECT sample(v, 10), derivative(max(n)) FROM conformance {where}",
    "SELECT sample(v, 10), sample(n, 10) FROM conformance {where} SLIMIT 1",
    "SELECT sample(v, 10), max(n) FROM conformance {where} tz('Europe/Paris')",
    "SELECT sample(v, 10), percentile(n, 50) FROM conformance {where}, host",
    "SELECT sample(v, 10), spread(v) FROM conformance {range} GROUP BY host",
    "SELECT sample(v, 10), max(nope) FROM conformance {where}",
    "SELECT sample(nope, 10), max(v) FROM conformance {where}",
]


@pytest.mark.parametrize("shape", SHAPES)
def test_sample_beside_calls_in_descending_order(
    both: tuple[str, str], shape: str
) -> None:
    for alias in both:
        write(alias, *points())
    text = shape.format(where=f"{WHERE} GROUP BY time(30s)", range=WHERE)
    head, _, tail = text.partition(" tz(")
    head, _, offset = head.partition(" OFFSET ")
    head, _, slimit = head.partition(" SLIMIT ")
    text = head + " ORDER BY time DESC"
    text += f" OFFSET {offset}" if offset else ""
    text += f" SLIMIT {slimit}" if slimit else ""
    text += f" tz({tail}" if tail else ""
    server, engine = (answer(alias, text) for alias in both)
    if not server:
        # influxd once answered the percentile's shape with no series at
        # all (a result without error, in one CI run of hundreds; never
        # again in 700 runs of the same points and text): asked again, it
        # answers. The engine is still held to that answer.
        server = answer(both[0], text)
    assert server, text
    assert engine == server, text


def greedy_merge(streams: list[list[int]]) -> list[int]:
    """The server cursor's order: the latest of the calls' next rows."""
    heads = [0] * len(streams)
    merged: list[int] = []
    while True:
        live = [i for i, s in enumerate(streams) if heads[i] < len(s)]
        if not live:
            return merged
        latest = max(streams[i][heads[i]] for i in live)
        merged.append(latest)
        for i in live:
            if streams[i][heads[i]] == latest:
                heads[i] += 1


def test_random_samples_beside_calls_in_descending_order(conn: str) -> None:
    """Two samples of fewer points than a window holds: each keeps N points
    of every window, read from the window's points, and the rows follow
    the cursor's merge of the two, so one time can come twice."""
    by_time = {3 * k + k % 3: (float(k % 10), k % 7) for k in range(60)}
    write(conn, *(Reading(time=at(t), v=v, n=n) for t, (v, n) in by_time.items()))
    lo, hi = 15, 170
    text = (
        f"SELECT sample(v, 3), sample(n, 2), count(v) FROM conformance "
        f"WHERE time >= {at(lo)} AND time < {at(hi)} GROUP BY time(30s) "
        "ORDER BY time DESC"
    )
    for _ in range(5):
        ((tags, values),) = answer(conn, text)
        times = [round(t) for t, *_ in values]
        streams: list[list[int]] = [[], [], []]
        for t, v, n, count in values:
            second = round(t)
            window = second - second % 30
            if v is not None:
                assert by_time[second][0] == v
                streams[0].append(second)
            if n is not None:
                assert by_time[second][1] == n
                streams[1].append(second)
            if count is not None:
                assert second == window
                streams[2].append(second)
        for stream, size in zip(streams[:2], (3, 2), strict=True):
            windows = [t - t % 30 for t in stream]
            assert windows == sorted(windows, reverse=True)
            for window in range(0, hi, 30):
                inside = [t for t in stream if t - t % 30 == window]
                held = [
                    t
                    for t in range(max(window, lo), min(window + 30, hi))
                    if t in by_time
                ]
                assert inside == sorted(inside)
                assert len(inside) == min(size, len(held))
        assert streams[2] == list(range(150, -1, -30))
        assert greedy_merge(streams) == times
        assert tags == {}


def test_sample_beside_calls_in_descending_order_from_the_queryset(
    conn: str,
) -> None:
    """The same through the QuerySet, with the calls in either order."""
    write(conn, *points())
    base = (
        Reading.series.using(conn)
        .filter(time__gte=at(15), time__lt=at(120))
        .resolution(Second(30))
        .order_by("-time")
    )
    got = rows(base.annotate(c=Count("v"), s=Sample("v", 10), m=Mean("n")))
    assert [(p["time"], p["c"], p["s"]) for p in got][:5] == [
        (at(91), None, 3.0),
        (at(102), None, 0.0),
        (at(113), None, 2.0),
        (at(90), 3, None),
        (at(60), 3, 4.0),
    ]


def test_sample_beside_calls_in_a_subquery_in_descending_order(conn: str) -> None:
    """The outer query reads the subquery's rows in the cursor's order:
    each window's points in time order, then the other call's row at the
    window's start."""
    write(conn, *points())
    text = (
        "SELECT * FROM (SELECT sample(v, 10), max(n) FROM conformance "
        f"{WHERE} GROUP BY time(30s)) ORDER BY time DESC"
    )
    assert answer(conn, text) == [
        (
            {},
            [
                [91.0, None, 3.0],
                [102.0, None, 0.0],
                [113.0, None, 2.0],
                [90.0, 3, None],
                [60.0, 2, 4.0],
                [62.0, None, 2.0],
                [80.0, None, 1.0],
                [33.0, None, 1.0],
                [40.0, None, 3.0],
                [51.0, None, 0.0],
                [30.0, 3, None],
            ],
        )
    ]
