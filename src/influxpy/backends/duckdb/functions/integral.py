"""INTEGRAL per window, run inside DuckDB as the server's reducers do."""

from __future__ import annotations

from typing import Any

from influxpy.compilers.duckdb.timezones import tz_window_bounds

__all__ = ["integral_windows"]


def integral_windows(
    times: list[int],
    values: list[float],
    unit: int,
    interval: int,
    offset: int,
    integer: bool,
    zone: str,
) -> list[dict[str, Any]]:
    """INTEGRAL per window over one group's points in time order.

    InfluxDB's ``FloatIntegralReducer`` and ``IntegerIntegralReducer``,
    step by step, float arithmetic in the same order. Integers keep their
    previous value at a window's end and carry the interpolated value into
    the next window's first trapezoid, as that reducer does.
    """
    out: list[dict[str, Any]] = []
    if not times:
        return out
    total = 0.0
    prev_time = prev_value = start = end = None

    def window(stamp: int) -> tuple[int, int]:
        if zone:
            return tz_window_bounds(stamp, interval, offset, zone)
        start = stamp - (stamp - offset) % interval
        return start, start + interval

    for stamp, value in zip(times, values, strict=True):
        if prev_time is None or prev_value is None or start is None or end is None:
            prev_time, prev_value = stamp, value
            start, end = window(stamp)
            continue
        if stamp == prev_time:
            prev_value = value
            continue
        current = value
        if stamp >= end:
            if prev_time != end:
                current = prev_value + (value - prev_value) / float(
                    stamp - prev_time
                ) * float(end - prev_time)
                elapsed = float(end - prev_time) / float(unit)
                total += 0.5 * (current + prev_value) * elapsed
                if not integer:
                    prev_value = current
                prev_time = end
            out.append({"t": start, "v": total})
            start, end = window(stamp)
            total = 0.0
            if not integer:
                current = value
        elapsed = float(stamp - prev_time) / float(unit)
        total += 0.5 * (current + prev_value) * elapsed
        prev_time, prev_value = stamp, value
    if prev_time is not None and prev_time != start:
        out.append({"t": start, "v": total})
    return out
