"""Small internal helpers: time conversion, names, iteration."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import difflib
import gc
import re
import threading
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar, cast

from influxpy.constants import MAX_TIME_NS, MIN_TIME_NS

__all__: list[str] = []

T = TypeVar("T")
U = TypeVar("U")

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = dt.datetime(1970, 1, 1)
#: The ISO 8601 times ``to_ns`` reads: a date, or a date and a time with
#: seconds, up to nine fractional digits and a zone (``Z`` or ``±HH:MM``; none
#: means UTC). ASCII digits only: ``\d`` alone would take any script's digits.
_ISO_TIME = re.compile(
    r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})"
    r"(?:[Tt ](?P<hour>[0-9]{2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]+))?"
    r"(?:[Zz]|(?P<sign>[+-])(?P<zone_hour>[0-9]{2}):(?P<zone_minute>[0-9]{2}))?"
    r")?"
)
_ISO_FORMS = (
    "use a form such as '2017-12-12T09:45:00Z' or '2017-12-12 09:45:00.123456789'"
)
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_CAMEL_1 = re.compile(r"(.)([A-Z][a-z]+)")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(name: str) -> str:
    """Turn ``ServerMeasurement`` into ``server_measurement``."""
    return _CAMEL_2.sub(r"\1_\2", _CAMEL_1.sub(r"\1_\2", name)).lower()


def suggest(name: str, choices: Iterable[str]) -> str:
    """Return `` Did you mean 'x'?`` for the closest choice, or ``''``."""
    matches = difflib.get_close_matches(name, list(choices), n=1)
    if not matches:
        return ""
    return f" Did you mean {matches[0]!r}?"


def chunks(iterable: Iterable[T], size: int) -> Iterator[list[T]]:
    """Yield lists of at most *size* items without materialising the input."""
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


async def achunks(
    iterable: Iterable[T] | AsyncIterable[T], size: int
) -> AsyncIterator[list[T]]:
    """Yield lists of at most *size* items of a sync or async iterable."""
    if not isinstance(iterable, AsyncIterable):
        for chunk in chunks(iterable, size):
            yield chunk
        return
    batch: list[T] = []
    async for item in iterable:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


async def amap(func: Callable[[T], U], iterable: AsyncIterable[T]) -> AsyncIterator[U]:
    """``map()`` over an async iterable."""
    async for item in iterable:
        yield func(item)


async def iterate_in_thread(iterator: Iterator[T]) -> AsyncIterator[T]:
    """Yield the items of a blocking *iterator*, each fetched in a worker thread.

    The iterator is closed (in a worker thread too) when iteration stops
    early, so a generator's ``finally`` releases what it holds.
    """
    done = object()
    try:
        while True:
            item = await asyncio.to_thread(next, iterator, done)
            if item is done:
                return
            yield cast(T, item)
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            try:
                await asyncio.to_thread(close)
            except ValueError:
                # Cancelled while a worker thread still runs next(): the
                # generator closes when it is collected.
                pass


def _datetime_to_ns(value: dt.datetime) -> int:
    if value.tzinfo is None or value.utcoffset() is None:
        delta = value - _NAIVE_EPOCH
    else:
        delta = value - EPOCH
    seconds = delta.days * 86_400 + delta.seconds
    return seconds * 1_000_000_000 + delta.microseconds * 1_000


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic Gregorian date (any year)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100
    return era * 146_097 + day_of_era + day_of_year - 719_468


def _month_days(year: int, month: int) -> int:
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    return 29 if month == 2 and leap else _MONTH_DAYS[month - 1]


def parse_iso_time(text: str) -> int:
    """Parse an ISO 8601 time to epoch nanoseconds, the same on every Python.

    Reads ``YYYY-MM-DD``, or ``YYYY-MM-DD`` then ``T`` (or a space) and
    ``HH:MM:SS`` with up to nine fractional digits and ``Z``, ``+HH:MM``,
    ``-HH:MM`` or no zone (UTC): the time literals InfluxDB reads, and
    the same with ``T`` and no zone. Raises ``ValueError`` naming *text*
    for anything else.
    """
    match = _ISO_TIME.fullmatch(text)
    if match is None:
        msg = f"{text!r} is not an ISO 8601 time; {_ISO_FORMS}"
        raise ValueError(msg)
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    hour, minute, second = (int(match[k] or 0) for k in ("hour", "minute", "second"))
    fraction = match["fraction"] or ""
    zone_hour, zone_minute = (
        int(match["zone_hour"] or 0),
        int(match["zone_minute"] or 0),
    )
    problem = None
    if not 1 <= month <= 12:
        problem = f"month {month:02d} is not 01 to 12"
    elif not 1 <= day <= _month_days(year, month):
        problem = f"day {day:02d} is not in {year:04d}-{month:02d}"
    elif hour > 23 or minute > 59 or second > 59:
        problem = f"{hour:02d}:{minute:02d}:{second:02d} is not a time of day"
    elif len(fraction) > 9:
        problem = f"{len(fraction)} fractional digits; nanoseconds take 9 at most"
    elif zone_hour > 23 or zone_minute > 59:
        zone = f"{match['sign']}{zone_hour:02d}:{zone_minute:02d}"
        problem = f"the offset {zone} is not -23:59 to +23:59"
    if problem is not None:
        msg = f"{text!r} is not a valid ISO 8601 time: {problem}"
        raise ValueError(msg)
    seconds = _days_from_civil(year, month, day) * 86_400
    seconds += hour * 3_600 + minute * 60 + second
    offset = zone_hour * 3_600 + zone_minute * 60
    seconds -= -offset if match["sign"] == "-" else offset
    return seconds * 1_000_000_000 + int(fraction.ljust(9, "0"))


#: Nanoseconds per numpy datetime64 unit, for the units of fixed length.
_DATETIME64_NS = {
    "W": 604_800_000_000_000,
    "D": 86_400_000_000_000,
    "h": 3_600_000_000_000,
    "m": 60_000_000_000,
    "s": 1_000_000_000,
    "ms": 1_000_000,
    "us": 1_000,
    "ns": 1,
}


def _datetime64_to_ns(value: Any) -> int:
    """Convert in Python integers: numpy's own cast to ns wraps on overflow."""
    import numpy as np

    if np.isnat(value):
        msg = "NaT is not a time"
        raise ValueError(msg)
    unit, count = np.datetime_data(value.dtype)
    if unit in ("Y", "M"):
        value = value.astype("datetime64[D]")
        unit, count = "D", 1
    ticks = int(value.astype("int64")) * count
    if unit in _DATETIME64_NS:
        return ticks * _DATETIME64_NS[unit]
    divisor = {"ps": 1_000, "fs": 1_000_000, "as": 1_000_000_000}[unit]
    return ticks // divisor


def to_ns(value: Any) -> int:
    """Convert any accepted time form to integer nanoseconds since the epoch.

    Raises ``TypeError`` for an unsupported type and ``ValueError`` for a
    value that cannot be parsed or lies outside InfluxDB's time range.
    Naive datetimes are taken as UTC.
    """
    cls = value.__class__
    if cls is int:
        ns = value
    elif cls.__name__ == "NaTType":
        msg = "NaT is not a time"
        raise ValueError(msg)
    elif isinstance(value, dt.datetime):
        if cls.__name__ == "Timestamp":
            # In the Timestamp's own unit: ``.value`` overflows outside ns range.
            timestamp: Any = value
            ns = _datetime64_to_ns(timestamp.to_datetime64())
        else:
            ns = _datetime_to_ns(value)
    elif isinstance(value, dt.date):
        ns = _datetime_to_ns(dt.datetime(value.year, value.month, value.day))
    elif isinstance(value, str):
        ns = parse_iso_time(value)
    elif cls.__name__ == "datetime64":
        ns = _datetime64_to_ns(value)
    elif (isinstance(value, int) and not isinstance(value, bool)) or (
        cls.__name__ in {"int64", "int32", "uint64", "uint32"}
    ):
        ns = int(value)
    else:
        type_name = cls.__name__
        msg = (
            f"expected a datetime, an int of epoch nanoseconds, an ISO 8601 "
            f"string, a pandas Timestamp or a numpy datetime64, got "
            f"{value!r} ({type_name})"
        )
        raise TypeError(msg)
    if not MIN_TIME_NS <= ns <= MAX_TIME_NS:
        msg = (
            f"{value!r} is outside the range InfluxDB can store, "
            "1677-09-21T00:12:43.145224194Z to 2262-04-11T23:47:16.854775806Z"
        )
        raise ValueError(msg)
    return int(ns)


def ns_to_datetime(ns: int, tz: dt.tzinfo | None = None) -> dt.datetime:
    """Convert epoch nanoseconds to an aware datetime (microsecond precision)."""
    value = EPOCH + dt.timedelta(microseconds=ns // 1_000)
    return value if tz is None else value.astimezone(tz)


def format_rfc3339(ns: int) -> str:
    """Format epoch nanoseconds as RFC 3339 UTC with trailing zeros removed."""
    seconds, frac = divmod(ns, 1_000_000_000)
    base = (EPOCH + dt.timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        base += "." + f"{frac:09d}".rstrip("0")
    return base + "Z"


class _GcPause:
    """The pauses of the garbage collector in flight, across threads.

    The collector is switched for the whole process, so the first pause
    turns it off and only the last one to end turns it back on (when it was
    on before the first began): one thread's read ending does not restart
    collections under another's.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.restore = False

    def enter(self) -> None:
        with self.lock:
            if self.depth == 0:
                self.restore = gc.isenabled()
                gc.disable()
            self.depth += 1

    def leave(self) -> None:
        with self.lock:
            self.depth -= 1
            if self.depth == 0 and self.restore:
                gc.enable()


_GC_PAUSE = _GcPause()


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large result is built.

    Decoding a million rows allocates millions of lists and dicts, which
    triggers collection after collection over the growing result although
    none of it is garbage; pausing it makes building results much faster.
    Pauses nest and overlap across threads: the collector runs again once
    the last of them ends, if it ran before the first began.
    """
    _GC_PAUSE.enter()
    try:
        yield
    finally:
        _GC_PAUSE.leave()
