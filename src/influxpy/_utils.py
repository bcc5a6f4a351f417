"""Small internal helpers: time conversion, names, iteration."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import difflib
import gc
import re
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
_ISO_FRACTION = re.compile(r"^(?P<head>[^.,]*)[.,](?P<frac>\d+)(?P<tail>.*)$")
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


def _parse_iso(text: str) -> int:
    """Parse ISO 8601 with up to nanosecond fractions; no zone means UTC."""
    raw = text.strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    extra_ns = 0
    match = _ISO_FRACTION.match(raw)
    if match and ("T" in match["head"] or " " in match["head"]):
        frac = match["frac"]
        if len(frac) > 9:
            msg = f"has more than 9 fractional digits: {text!r}"
            raise ValueError(msg)
        extra_ns = int(frac.ljust(9, "0"))
        raw = match["head"] + match["tail"]
    parsed = dt.datetime.fromisoformat(raw)
    return _datetime_to_ns(parsed) + extra_ns


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
        try:
            ns = _parse_iso(value)
        except ValueError:
            msg = (
                f"{value!r} is not an ISO 8601 time; use a form such as "
                "'2017-12-12T09:45:00Z' or '2017-12-12 09:45:00.123456789'"
            )
            raise ValueError(msg) from None
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


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a large result is built.

    Decoding a million rows allocates millions of lists and dicts, which
    triggers collection after collection over the growing result although
    none of it is garbage; pausing it makes building results much faster.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
