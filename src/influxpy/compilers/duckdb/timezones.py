"""``tz()`` window maths: InfluxDB's windows aligned to local time.

Read while compiling (window bounds) and, through
``influxpy.backends.duckdb.functions``, inside DuckDB at query time.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo

__all__ = ["tz_window", "tz_window_bounds", "zone_offset"]

_SECOND = 1_000_000_000
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


@functools.lru_cache(maxsize=65536)
def _zone_offset_of_minute(minute: int, name: str) -> int:
    moment = _EPOCH + datetime.timedelta(minutes=minute)
    offset = moment.astimezone(_zone(name)).utcoffset()
    return 0 if offset is None else int(offset.total_seconds()) * _SECOND


def zone_offset(stamp: int, name: str) -> int:
    """The UTC offset of zone *name* at *stamp*, in ns (Go's ``t.Zone()``).

    Zones change their offset on whole minutes, so one lookup per minute.
    """
    return _zone_offset_of_minute(stamp // (60 * _SECOND), name)


def tz_window(stamp: int, interval: int, offset: int, name: str) -> int:
    """The start of the window holding *stamp*, aligned to local time."""
    return tz_window_bounds(stamp, interval, offset, name)[0]


def tz_window_bounds(
    stamp: int, interval: int, offset: int, name: str
) -> tuple[int, int]:
    """The window ``[start, end)`` holding *stamp*, aligned to local time.

    InfluxDB's ``IteratorOptions.Window``: truncate in the zone's offset at
    the point, then move the start by the change of offset since, unless
    the change is as long as the window (hourly windows stay hourly); the
    end moves by the change up to it, a skipped hour only when the change
    happens inside the window.
    """
    t = stamp - offset
    zone = zone_offset(t, name)
    into = (t + zone) % interval
    start = t - into
    change = zone - zone_offset(start, name)
    if change and abs(change) < interval:
        start += change
    end = t + (interval - into)
    end_zone = zone_offset(end, name)
    change = zone - end_zone
    if (
        change
        and abs(change) < interval
        and (change > 0 or zone_offset(end + change, name) == end_zone)
    ):
        end += change
    return start + offset, end + offset
