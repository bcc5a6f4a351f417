"""DERIVATIVE and DIFFERENCE of DISTINCT with ``tz()`` across a change of
offset, on both backends.

The server's reducer gathers a window's points from the window of the first
point it reads, which can run past an autumn change of offset, and DISTINCT
stamps each value with the window of its first point. A transformation of
DISTINCT reads the first value of each such stamp, so a window that starts
at the change holds no row of its own when every value was first seen
before it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import influxpy
from conformance._common import UTC, Reading, S, write, write_both

#: 2020-10-25T01:00Z: Europe/Paris goes from +02:00 back to +01:00.
CHANGE = int(dt.datetime(2020, 10, 25, 1, tzinfo=UTC).timestamp()) * S
MINUTE = 60 * S


def answer(conn: str, text: str) -> list[list[Any]]:
    """Rows of the one series, times in minutes from the change."""
    (result,) = list(influxpy.get_connection(conn).statements(text))
    assert result.error is None, (text, result.error)
    (series,) = result.series
    return [[(v[0] - CHANGE) // MINUTE, *v[1:]] for v in series.values]


def test_difference_of_distinct_in_a_window_running_past_the_change(
    conn: str,
) -> None:
    """Every value of the window from 00:00Z is first seen before the
    change: DISTINCT stamps them all at that window, DIFFERENCE and
    DERIVATIVE give one row for it, none at the change."""
    values = [1, 2, 3, 1, 2, 3, 1, 3, 2]
    minutes = [-100, -50, -40, -20, 10, 30, 50, 70, 100]
    write(
        conn,
        *(
            Reading(time=CHANGE + m * MINUTE, n=v, host="ab"[k % 2])
            for k, (m, v) in enumerate(zip(minutes, values, strict=True))
        ),
    )
    where = f"WHERE time >= {CHANGE - 120 * MINUTE} AND time < {CHANGE + 120 * MINUTE}"
    tail = "GROUP BY time(2h) tz('Europe/Paris')"
    distinct = answer(conn, f"SELECT distinct(n) FROM conformance {where} {tail}")
    assert distinct == [[-180, 1], [-60, 2], [-60, 3], [-60, 1]]
    text = f"SELECT difference(distinct(n)) FROM conformance {where} {tail}"
    assert answer(conn, text) == [[-60, 1]]
    text = f"SELECT derivative(distinct(n), 1h) FROM conformance {where} {tail}"
    assert answer(conn, text) == [[-60, 0.5]]


def test_tz_windows_with_a_negative_offset_across_the_change(
    both: tuple[str, str],
) -> None:
    """time(2h, -30m) tz('Europe/Paris'): influxd keeps the offset negative
    (Go's remainder), so the window from 23:30Z reads the zone before the
    change and runs an hour past it (as time(2h, 90m) would not). COUNT,
    MAX, INTEGRAL and DISTINCT with fills, both orders, as the server."""
    minutes = [-106, -80, -67, -39, -5, 4, 22, 31, 45, 61, 86, 93, 101]
    write_both(
        both,
        *(
            Reading(time=CHANGE + m * MINUTE, v=float(k % 5), n=k % 3, host="ab"[k % 2])
            for k, m in enumerate(minutes)
        ),
    )
    where = f"WHERE time >= {CHANGE - 120 * MINUTE} AND time < {CHANGE + 150 * MINUTE}"
    texts = [
        f"SELECT {calls} FROM conformance {where} "
        f"GROUP BY time({window}){group}{fill}{order} tz('Europe/Paris')"
        for calls in ["count(v), max(v)", "integral(v)", "distinct(n)"]
        for window in ["2h, -30m", "90m, -30m", "1h, -15m"]
        for group in ["", ", host"]
        for fill in ["", " fill(0)"]
        for order in ["", " ORDER BY time DESC"]
        # A grouped INTEGRAL (or one in descending order) is a server quirk.
        if not (calls == "integral(v)" and (order or group))
    ]
    server, engine = both
    for text in texts:
        assert answer_all(engine, text) == answer_all(server, text), text
    count = f"SELECT count(v) FROM conformance {where} "
    count += "GROUP BY time(2h, -30m) tz('Europe/Paris')"
    assert answer(engine, count) == [[-210, 1], [-90, 10], [90, 2]]


def answer_all(conn: str, text: str) -> list[Any]:
    """Tags and rows of every series."""
    (result,) = list(influxpy.get_connection(conn).statements(text))
    assert result.error is None, (text, result.error)
    return [(s.tags, s.values) for s in result.series]
