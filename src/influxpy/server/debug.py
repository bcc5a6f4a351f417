"""``/debug/vars`` and ``/debug/requests`` of ``influxpy serve``.

``/debug/requests?seconds=N`` (any method, no authentication) counts the
``/query`` and ``/write`` requests that arrive in the next N seconds (10
by default, at most 6 hours) by client, ``user:address`` when the
request named a user, else the address, and answers them as influxd
does: ``{"127.0.0.1": {"writes":2,"queries":4}}`` one client a line.

influxd 1.6 answers ``/debug/vars`` (any method, without authentication)
with Go's expvar text: one ``"key": value`` line per variable between
``{`` and ``}``. The engine's document has ``system`` (current time,
start, uptime in whole seconds), ``cmdline`` (this process's arguments)
and one entry per ``SHOW STATS`` series, keyed as influxd keys them
(``runtime``, ``database:<name>``), each ``{"name", "tags", "values"}``.
Go's ``memstats`` has no Python counterpart and is left out, as are the
statistics the engine does not keep (see ``backends.duckdb.show_stats``).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import orjson

from influxpy.backends.duckdb.show_stats import rfc3339_nano, started_ns
from influxpy.influxql.go_syntax import format_duration, go_quote

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = ["IntervalError", "RequestCounts", "debug_vars", "requests_interval"]

#: ``/debug/requests``'s default and longest intervals, in nanoseconds.
DEFAULT_INTERVAL = 10_000_000_000
MAX_INTERVAL = 6 * 3_600_000_000_000
_INT64 = 1 << 63


class IntervalError(ValueError):
    """A ``seconds`` parameter influxd refuses, with its error text."""


def requests_interval(seconds: str) -> int:
    """The nanoseconds ``/debug/requests`` waits for *seconds* (``IntervalError``
    when influxd would refuse it); Go's multiplication wraps past int64."""
    if not seconds:
        return DEFAULT_INTERVAL
    digits = seconds[1:] if seconds[:1] in "+-" else seconds
    if not digits.isascii() or not digits.isdigit():
        msg = f"strconv.ParseInt: parsing {go_quote(seconds)}: invalid syntax"
        raise IntervalError(msg)
    count = int(seconds)
    if not -_INT64 <= count < _INT64:
        msg = f"strconv.ParseInt: parsing {go_quote(seconds)}: value out of range"
        raise IntervalError(msg)
    nanoseconds = (count * 1_000_000_000 + _INT64) % (2 * _INT64) - _INT64
    if nanoseconds > MAX_INTERVAL:
        msg = (
            f"exceeded maximum interval time: {format_duration(nanoseconds)} "
            f"> {format_duration(MAX_INTERVAL)}"
        )
        raise IntervalError(msg)
    return nanoseconds


class RequestCounts:
    """The ``/query`` and ``/write`` requests of one ``/debug/requests``
    interval, by client, in the order the clients first came."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, int]] = {}

    def add(self, kind: str, address: str, user: str | None) -> None:
        """Count one request of *kind* (``writes`` or ``queries``)."""
        client = f"{user}:{address}" if user else address
        counts = self.counts.setdefault(client, {"writes": 0, "queries": 0})
        counts[kind] += 1

    def body(self) -> bytes:
        """influxd's answer: one ``"client": {...}`` a line between braces."""
        lines = [
            go_quote(client).encode() + b": " + orjson.dumps(counts)
            for client, counts in self.counts.items()
        ]
        return b"{\n" + b",\n".join(lines) + b"\n}\n"


def _key(name: str, tags: dict[str, str]) -> str:
    """The variable's name: the series name, then its one tag's value."""
    if not tags:
        return name
    return f"{name}:{':'.join(tags.values())}"


def debug_vars(backend: Backend) -> bytes:
    """The ``/debug/vars`` body for *backend*'s ``SHOW STATS``."""
    now = time.time_ns()
    started = started_ns()
    entries: list[tuple[str, Any]] = [
        (
            "system",
            {
                "currentTime": rfc3339_nano(now),
                "started": rfc3339_nano(started),
                "uptime": (now - started) // 1_000_000_000,
            },
        ),
        ("cmdline", list(sys.argv)),
    ]
    for result in backend.statements("SHOW STATS"):
        for series in result.series:
            tags = dict(series.tags)
            values = dict(zip(series.columns, series.values[0], strict=True))
            entry = {
                "name": series.name,
                "tags": tags if tags or series.name == "runtime" else None,
                "values": values,
            }
            entries.append((_key(series.name, tags), entry))
    lines = [orjson.dumps(k) + b": " + orjson.dumps(v) for k, v in entries]
    return b"{\n" + b",\n".join(lines) + b"\n}\n"
