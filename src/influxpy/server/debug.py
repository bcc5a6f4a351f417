"""``/debug/vars`` of ``influxpy serve``: influxd's expvar document.

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

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = ["debug_vars"]


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
