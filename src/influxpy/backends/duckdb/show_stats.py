"""``SHOW DIAGNOSTICS`` and ``SHOW STATS`` on the embedded engine.

The answers take influxd 1.6.7's series names and column names, with the
values the engine's process really has; what a Python process has no
counterpart for is left out rather than made up:

- ``SHOW DIAGNOSTICS``: ``build`` (influxpy's version; no branch, build
  time or commit), ``network`` (the host name), ``runtime`` (the machine,
  CPU count, platform and Python version in the columns influxd fills
  from Go) and ``system`` (process id, current time, when the engine was
  loaded and the uptime since). influxd's ``config-*`` series describe its
  configuration file; the engine has none, so they are absent.
- ``SHOW STATS``: ``runtime`` (garbage collections, live threads, the
  process's peak resident memory as ``Sys``; influxd's other Go heap
  figures have no Python counterpart) and one ``database`` series per
  database (``numMeasurements``, ``numSeries``, counted exactly).
  ``subscriber`` counts the points ``influxpy serve`` copied to the
  subscriptions' destinations and the copies it failed to send
  (``pointsWritten``, ``writeFailures``); without a server copying writes,
  each stored subscription is counted in ``createFailures``, a writer
  influxd would have made and the engine did not. influxd's
  ``shard``, ``tsm1_*``, ``write``, ``httpd``, ``cq`` and ``queryExecutor``
  series count its storage engine and services, which the engine does not
  keep.

``SHOW STATS FOR 'module'`` keeps the series of that name; a module the
engine does not report answers no series, as influxd does for an unknown
one.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import platform
import socket
import sys
import threading
import time

from influxpy.results import Series

__all__ = ["diagnostics", "rfc3339_nano", "started_ns", "stats"]

#: When the engine was loaded into this process (influxd: ``started``).
_STARTED_NS = time.time_ns()

#: Python's names of machines as Go's ``GOARCH`` spells them.
_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "i386": "386", "i686": "386"}


def started_ns() -> int:
    """When the engine was loaded into this process, in nanoseconds."""
    return _STARTED_NS


def rfc3339_nano(ns: int) -> str:
    """*ns* as Go's ``time.RFC3339Nano`` writes it (trailing zeros dropped)."""
    seconds, fraction = divmod(ns, 1_000_000_000)
    text = dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    if fraction:
        text += "." + f"{fraction:09d}".rstrip("0")
    return text + "Z"


def _version() -> str:
    """influxpy's version: the package this module belongs to is loaded
    before it, so it is read from there (importing it here would point up
    the layers)."""
    return str(getattr(sys.modules.get("influxpy"), "__version__", ""))


def _peak_memory() -> int | None:
    """The process's peak resident memory in bytes, where the platform
    says it (``resource`` is POSIX only)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kibibytes, macOS bytes.
    return int(peak if sys.platform == "darwin" else peak * 1024)


def diagnostics() -> list[Series]:
    """The ``SHOW DIAGNOSTICS`` series of this process, in influxd's order."""
    from influxpy.backends.duckdb.show import go_duration

    now = time.time_ns()
    machine = platform.machine().lower()
    return [
        Series(
            "build",
            {},
            ["Branch", "Build Time", "Commit", "Version"],
            [["", "", "", _version()]],
        ),
        Series("network", {}, ["hostname"], [[socket.gethostname()]]),
        Series(
            "runtime",
            {},
            ["GOARCH", "GOMAXPROCS", "GOOS", "version"],
            [
                [
                    _ARCH.get(machine, machine),
                    os.cpu_count() or 1,
                    sys.platform,
                    f"python{platform.python_version()}",
                ]
            ],
        ),
        Series(
            "system",
            {},
            ["PID", "currentTime", "started", "uptime"],
            [
                [
                    os.getpid(),
                    rfc3339_nano(now),
                    rfc3339_nano(_STARTED_NS),
                    go_duration(now - _STARTED_NS),
                ]
            ],
        ),
    ]


def stats(
    counts: dict[str, tuple[int, int]],
    module: str | None,
    subscriber: tuple[int, int, int] = (0, 0, 0),
) -> list[Series]:
    """The ``SHOW STATS`` series: *counts* holds each database's numbers of
    measurements and series; *module* keeps only the series of that name;
    *subscriber* is ``(createFailures, pointsWritten, writeFailures)``."""
    collections = sum(s["collections"] for s in gc.get_stats())
    peak = _peak_memory()
    columns = ["NumGC", "NumGoroutine"]
    row: list[int] = [collections, threading.active_count()]
    if peak is not None:
        columns.append("Sys")
        row.append(peak)
    out = [Series("runtime", {}, columns, [row])]
    out.extend(
        Series(
            "database",
            {"database": name},
            ["numMeasurements", "numSeries"],
            [[measurements, series]],
        )
        for name, (measurements, series) in counts.items()
    )
    out.append(
        Series(
            "subscriber",
            {},
            ["createFailures", "pointsWritten", "writeFailures"],
            [list(subscriber)],
        )
    )
    if module is not None:
        out = [s for s in out if s.name == module]
    return out
