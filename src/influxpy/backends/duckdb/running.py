"""The statements an embedded engine is running, for ``SHOW QUERIES``.

Each statement gets an id (``qid``, counting from 1 per backend) when it
starts and is listed until its answer has been read. ``SHOW QUERIES``
lists them with influxd 1.6.7's columns (``qid``, ``query``, ``database``,
``duration`` as Go prints it, ``status``), itself included. The ``query``
column is the engine's own text of the statement (a SELECT as influxpy
writes it, another statement by its kind, ``SHOW QUERIES``), which can
differ from influxd's canonical form.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from influxpy.backends.duckdb.show import go_duration
from influxpy.query import Query
from influxpy.results import Series

__all__ = ["QUERY_COLUMNS", "RunningQueries", "short_duration", "statement_text"]

#: influxd's columns of ``SHOW QUERIES``.
QUERY_COLUMNS = ["qid", "query", "database", "duration", "status"]


def short_duration(ns: int) -> str:
    """*ns* as Go's ``time.Duration.String`` prints it (``14µs``, ``1.5ms``,
    ``2.25s``, ``1m3s``)."""
    if ns == 0:
        return "0s"
    if ns < 1_000:
        return f"{ns}ns"
    for unit, size in (("µs", 1_000), ("ms", 1_000_000)):
        if ns < size * 1_000:
            whole, fraction = divmod(ns, size)
            digits = len(str(size)) - 1
            text = f"{fraction:0{digits}d}".rstrip("0")
            return f"{whole}.{text}{unit}" if text else f"{whole}{unit}"
    return go_duration(ns)


def statement_text(statement: Any) -> str:
    """The engine's text of *statement* for the ``query`` column (written
    only when listed: a SELECT the InfluxQL compiler refuses is ``SELECT``)."""
    if isinstance(statement, Query):
        try:
            return str(statement)
        except Exception:  # a listing never fails
            return "SELECT"
    name = getattr(statement, "visit_name", type(statement).__name__)
    return str(name).replace("_", " ").upper()


def _whole_us(ns: int) -> int:
    """*ns* cut to whole microseconds, as influxd lists durations."""
    return ns - ns % 1_000


class RunningQueries:
    """The statements one backend is running (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._running: dict[int, tuple[Any, str, int]] = {}

    def start(self, statement: Any, database: str | None) -> int:
        """Record *statement* starting now; return its id."""
        with self._lock:
            qid = next(self._ids)
            self._running[qid] = (statement, database or "", time.monotonic_ns())
        return qid

    def finish(self, qid: int) -> None:
        """Forget the statement *qid* (once its answer has been read)."""
        with self._lock:
            self._running.pop(qid, None)

    def __contains__(self, qid: object) -> bool:
        with self._lock:
            return qid in self._running

    def series(self) -> list[Series]:
        """``SHOW QUERIES``: one unnamed series, a row per statement."""
        now = time.monotonic_ns()
        with self._lock:
            running = sorted(self._running.items())
        rows = [
            [
                qid,
                statement_text(statement),
                db,
                short_duration(_whole_us(now - started)),
                "running",
            ]
            for qid, (statement, db, started) in running
        ]
        return [Series("", {}, list(QUERY_COLUMNS), rows)]
