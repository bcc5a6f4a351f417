"""``tz()`` windows at query time: the server's reduce and fill iterators.

The window maths itself (``tz_window_bounds``) lives with the compiler,
which also needs it while it compiles; these functions run inside DuckDB
over one series' points.
"""

from __future__ import annotations

from influxpy.compilers.duckdb.timezones import tz_window_bounds, zone_offset

__all__ = ["tz_assign", "tz_fill"]


def tz_assign(
    times: list[int], interval: int, offset: int, name: str, descending: bool
) -> list[dict[str, int]]:
    """The window each of a series' points is reduced in, with ``tz()``.

    The server's reduce iterator takes the window of the first point read
    and gathers the points that follow while they fall inside it, so
    around a change of offset a window can run past the next one's start,
    and two windows can start at the same time (``k`` tells them apart).
    """
    out: list[dict[str, int]] = []
    start = end = 0
    index = -1
    for stamp in reversed(times or []) if descending else times or []:
        if index < 0 or not start <= stamp < end:
            start, end = tz_window_bounds(stamp, interval, offset, name)
            index += 1
        out.append({"t": stamp, "w": start, "k": index})
    return out


def tz_fill(
    times: list[int],
    first: int | None,
    last: int | None,
    interval: int,
    name: str,
    descending: bool,
) -> list[int]:
    """The windows the fill iterator adds to one series' rows with ``tz()``.

    *times* are the series' rows in output order. The iterator expects a
    window, steps one interval (and the change of offset when a zone change
    was crossed, unless as long as the window) after every row it emits,
    real or filled, and fills the expected window when the next row comes
    later; after the last row it fills up to *last*. *first* None starts
    at the first row.
    """
    if not times:
        # A series without rows in the range has no windows at all.
        return []
    if first is None:
        first = times[0]
    filled = []
    window = first
    offset = zone_offset(window, name)
    step = -interval if descending else interval
    index = 0
    while True:
        stamp = times[index] if index < len(times) else None
        if stamp is None and (
            last is None or (window < last if descending else window > last)
        ):
            break
        if stamp is None or (stamp < window if descending else stamp > window):
            filled.append(window)
        else:
            index += 1
        window += step
        zone = zone_offset(window - 1, name)
        if zone != offset:
            if abs(offset - zone) < interval:
                window += offset - zone
            offset = zone
    return filled
