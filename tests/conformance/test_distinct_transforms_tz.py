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
from conformance._common import UTC, Reading, S, write

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
