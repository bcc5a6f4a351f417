"""Continuous queries on the embedded engine, run as InfluxDB's CQ service runs them.

A continuous query is stored in the engine's file
(``main.influxpy_continuous_queries``) with its ``SELECT … INTO`` (sources
and target qualified with the database of the request that created it,
else its own, and that database's default retention policy of the time, as
InfluxDB rewrites the statement it stores). Each run follows InfluxDB 1.x's
``services/continuous_querier`` (``run_window``):

- a query runs when ``resample every`` (its ``GROUP BY time`` interval unless
  ``RESAMPLE EVERY`` says otherwise) has passed since its last run; a query
  never run runs at once (over nothing when that is in the middle of a window
  and no ``RESAMPLE FOR`` reaches back);
- a run covers ``[start, end)``: from the window before the one its run was due
  in (``RESAMPLE FOR`` reaches further back) to the last window that closed;
  times are truncated as Go truncates them (from January 1 of year 1, which
  puts 7-day windows on Mondays), shifted by the ``GROUP BY time`` offset;
- the query's own time conditions are dropped and ``now()`` is the clock of
  the run; results are written as ``SELECT … INTO`` writes them.

Last runs are kept in memory, as InfluxDB keeps them: a new connection runs
each query at its first tick.

The table holds the ``CREATE CONTINUOUS QUERY`` statement alone, in the
canonical text influxd 1.6.7 stores and lists (``SHOW CONTINUOUS
QUERIES``); each run reads its query back with the InfluxQL parser. Files
written by earlier versions of this module kept a pickled query beside the
statement: that column is ignored and their statements are parsed like any
other (they list as they were written, every identifier quoted). A stored
statement the parser refuses makes that query's runs fail with
``ProgrammingError`` naming it; listing and dropping it still work.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time as _time
from typing import TYPE_CHECKING, Any

from influxpy.backends.base import ContinuousQueryInfo
from influxpy.backends.duckdb.reading import EngineQueries, _plan_of
from influxpy.compilers.duckdb import DuckDBCompiler
from influxpy.compilers.duckdb.catalog import GO_ZERO_NS
from influxpy.compilers.duckdb.plan import IntoPlan
from influxpy.durations import Duration
from influxpy.exceptions import (
    InfluxQLParseError,
    NotSupportedError,
    ProgrammingError,
    UnsupportedCompilation,
)
from influxpy.expressions import Col, Now, Q, TimeValue, WhereNode
from influxpy.influxql import parse_statement
from influxpy.influxql.canonical import canonical_text
from influxpy.lookups import Lookup, TimeGreaterThanOrEqual, TimeLessThan
from influxpy.query import Query, Source
from influxpy.statements import CreateContinuousQuery

if TYPE_CHECKING:
    from collections.abc import Callable

    from influxpy.urls import DatabaseURL

__all__ = [
    "ContinuousQueryRun",
    "EngineContinuousQueries",
    "go_truncate",
    "qualify_continuous_query",
    "run_window",
]

logger = logging.getLogger("influxpy.continuous_queries")


_CQ_TABLE = "main.influxpy_continuous_queries"


def go_truncate(t_ns: int, d_ns: int) -> int:
    """Round *t_ns* down to a multiple of *d_ns* counted from Go's zero time."""
    if d_ns <= 0:
        return t_ns
    return t_ns - (t_ns + GO_ZERO_NS) % d_ns


def _go_mod(a: int, b: int) -> int:
    """``a % b`` with the sign of *a*, as Go's ``%``."""
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def run_window(
    now: int,
    interval: int,
    offset: int,
    *,
    every: int = 0,
    for_: int = 0,
    last_run: int | None = None,
) -> tuple[int | None, tuple[int, int] | None]:
    """Decide one tick of a continuous query, as InfluxDB's CQ service does.

    Returns ``(last_run, window)``: the new last run (``None`` when the
    query was not due, which keeps the old one) and the ``[start, end)``
    time range to run it over (``None`` when there is none). All values are
    nanoseconds; *every* and *for_* are ``RESAMPLE EVERY`` and ``FOR``
    (``0``: not given).
    """
    resample_every = every or interval
    if last_run is not None:
        next_run = last_run + resample_every
        if next_run > now:
            return None, None
    else:
        next_run = now
    new_last = go_truncate(now - offset, resample_every) + offset
    resample_for = for_ or (resample_every if interval < resample_every else interval)
    resample_every = min(resample_every, interval)
    start = go_truncate(next_run + interval - resample_for - offset - 1, interval)
    end = go_truncate(now + interval - resample_every - offset, interval)
    if end <= start:
        return new_last, None
    return new_last, (start + offset, end + offset)


@dataclasses.dataclass(frozen=True)
class ContinuousQueryRun:
    """One run of a continuous query: its time range and the points written."""

    database: str
    name: str
    start: int
    end: int
    written: int


@dataclasses.dataclass(frozen=True)
class _StoredCQ:
    database: str
    name: str
    statement: str

    def definition(self) -> tuple[Query, int, int]:
        """The query and its ``RESAMPLE EVERY`` and ``FOR`` (ns, ``0``: not
        given), read back from the stored statement."""
        try:
            parsed = parse_statement(self.statement)
        except (InfluxQLParseError, UnsupportedCompilation) as exc:
            parsed, error = None, str(exc)
        else:
            error = "it is not a CREATE CONTINUOUS QUERY statement"
        if not isinstance(parsed, CreateContinuousQuery):
            msg = (
                f"The stored continuous query {self.name!r} on {self.database!r} "
                f"cannot be read ({error}); drop it and create it again. "
                f"Stored text: {self.statement}"
            )
            raise ProgrammingError(msg)
        every, for_ = parsed.resample_every, parsed.resample_for
        return (
            parsed.query,
            every.nanoseconds if every else 0,
            for_.nanoseconds if for_ else 0,
        )


def _is_time(node: Any) -> bool:
    return (
        isinstance(node, Lookup)
        and isinstance(node.lhs, Col)
        and (node.lhs.role == "time" or node.lhs.key == "time")
    )


def _without_time(node: WhereNode) -> WhereNode | None:
    """*node* with every time condition taken as true (``None``: all true)."""
    kept: list[Any] = []
    for child in node.children:
        sub = _without_time(child) if isinstance(child, WhereNode) else child
        if sub is None or _is_time(sub):
            if node.connector == Q.OR:
                return None
            continue
        kept.append(sub)
    return WhereNode(node.connector, tuple(kept)) if kept else None


def with_time_range(query: Query, start: int, end: int) -> Query:
    """*query* over ``[start, end)`` alone, its own time conditions dropped."""
    time_col = Col("time", "time")
    bounds: tuple[Any, ...] = (
        TimeGreaterThanOrEqual(time_col, TimeValue(start)),
        TimeLessThan(time_col, TimeValue(end)),
    )
    rest = None if query.where is None else _without_time(query.where)
    where = WhereNode(Q.AND, bounds if rest is None else (*bounds, rest))
    return dataclasses.replace(query, where=where)


def _qualify(source: Source, database: str, policy: str) -> Source:
    return dataclasses.replace(
        source,
        database=source.database or database,
        retention_policy=source.retention_policy or policy,
    )


def qualify_continuous_query(query: Query, database: str, policy: str) -> Query:
    """*query* with its target and every measurement it reads (subqueries'
    too) qualified with *database* and *policy* where they name none, as
    influxd qualifies a continuous query it stores.

    influxd qualifies with the database of the request (the ``db``
    parameter) and its default policy, and with the continuous query's own
    database only when the request names none.
    """
    sources = tuple(
        _qualify(source, database, policy)
        if isinstance(source, Source)
        else qualify_continuous_query(source, database, policy)
        for source in query.sources
    )
    into = None if query.into is None else _qualify(query.into, database, policy)
    return dataclasses.replace(
        query, source=sources[0], extra_sources=sources[1:], into=into
    )


class EngineContinuousQueries(EngineQueries):
    """The continuous queries of ``DuckDBBackend``: stored, listed and run."""

    #: The time of the scheduler and of ``now()`` in the queries it runs,
    #: in epoch nanoseconds; replace it to drive the scheduler in tests.
    clock: Callable[[], int]

    def __init__(self, url: DatabaseURL, alias: str = "default") -> None:
        super().__init__(url, alias)
        self.clock = _time.time_ns
        #: Held while continuous queries run (scheduler or on demand).
        self._cq_lock = threading.Lock()
        #: The last run of each query, ``(database, name) -> ns``: kept in
        #: memory, as InfluxDB keeps it.
        self._cq_last_runs: dict[tuple[str, str], int] = {}

    def _cq_table_exists(self, con: Any) -> bool:
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' "
            "AND table_name = 'influxpy_continuous_queries'"
        ).fetchone()
        return bool(found and found[0])

    def _stored_cqs(self, database: str | None = None) -> list[_StoredCQ]:
        cursor = self._cursor()
        try:
            if not self._cq_table_exists(cursor):
                return []
            rows = cursor.execute(
                f"SELECT database, name, statement FROM {_CQ_TABLE} ORDER BY position"
            ).fetchall()
        finally:
            cursor.close()
        databases = self._state.databases
        found = []
        for db, name, statement in rows:
            if db not in databases or (database is not None and db != database):
                continue
            found.append(_StoredCQ(db, name, statement))
        return found

    def create_continuous_query(
        self,
        database: str,
        name: str,
        query: Query,
        *,
        resample_every: Duration | None = None,
        resample_for: Duration | None = None,
    ) -> None:
        """Store a continuous query; the background scheduler runs it.

        Creating the same definition again changes nothing; another query of
        that name raises ``ProgrammingError``, as InfluxDB answers.
        """
        from influxpy.compilers.influxql import InfluxQLCompiler

        self._writable("create a continuous query")
        if database not in self._state.databases:
            self._not_found(database, ", so no continuous query can be created on it")
        windows = query.group_by_time
        if query.into is None or (windows is None and query.is_aggregate):
            msg = (
                f"The continuous query {name!r} needs into(target) and "
                "resolution(...): InfluxDB requires INTO and GROUP BY time()."
            )
            raise ProgrammingError(msg)
        # A raw query without windows is kept, and never run (as influxd
        # keeps and skips it).
        if windows is not None and isinstance(windows.offset, Now):
            msg = (
                f"The continuous query {name!r} offsets its windows by now(); "
                "InfluxDB's continuous queries take a duration offset only."
            )
            raise NotSupportedError(msg)
        policy = self.default_retention_policy(database)
        query = qualify_continuous_query(query, database, policy)
        statement = canonical_text(
            InfluxQLCompiler()
            .create_continuous_query(
                database,
                name,
                query,
                resample_every=resample_every,
                resample_for=resample_for,
            )
            .text
        )
        with self._change():
            con = self._con
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {_CQ_TABLE} (database VARCHAR, "
                "name VARCHAR, statement VARCHAR, position BIGINT)"
            )
            row = con.execute(
                f"SELECT statement FROM {_CQ_TABLE} WHERE database = ? AND name = ?",
                [database, name],
            ).fetchone()
            if row is not None:
                if row[0] == statement:
                    return
                msg = (
                    f"The continuous query {name!r} already exists on {database!r} "
                    "with another definition (continuous query already exists); "
                    "drop it first or use replace()."
                )
                raise ProgrammingError(msg)
            con.execute(
                f"INSERT INTO {_CQ_TABLE} (database, name, statement, position) "
                "SELECT ?, ?, ?, "
                f"coalesce((SELECT max(position) FROM {_CQ_TABLE}), 0) + 1",
                [database, name, statement],
            )
        self._services_changed()

    def drop_continuous_query(self, database: str, name: str) -> None:
        """Drop a continuous query (nothing happens if it does not exist)."""
        self._writable("drop a continuous query")
        with self._change():
            if self._cq_table_exists(self._con):
                self._con.execute(
                    f"DELETE FROM {_CQ_TABLE} WHERE database = ? AND name = ?",
                    [database, name],
                )
        with self._cq_lock:
            self._cq_last_runs.pop((database, name), None)

    def _forget_continuous_queries(self, database: str) -> None:
        """Drop the continuous queries of *database* (it is being dropped)."""
        if self._cq_table_exists(self._con):
            self._con.execute(f"DELETE FROM {_CQ_TABLE} WHERE database = ?", [database])

    def continuous_queries(self, database: str) -> list[ContinuousQueryInfo]:
        """The continuous queries of *database*, in the order they were created."""
        return [
            ContinuousQueryInfo(cq.name, cq.database, cq.statement)
            for cq in self._stored_cqs(database)
        ]

    def has_continuous_queries(self) -> bool:
        """Whether any database of the engine has a continuous query."""
        return bool(self._stored_cqs())

    def run_continuous_queries(
        self, now: int | None = None, *, database: str | None = None
    ) -> list[ContinuousQueryRun]:
        """Run the continuous queries that are due at *now*, as InfluxDB's
        CQ service does at one of its ticks; return the runs made.

        *now* is epoch nanoseconds (the backend's ``clock()`` when ``None``);
        it is ``now()`` inside the queries. A query never run on this
        connection runs at once, over the windows that closed in the last
        ``RESAMPLE EVERY`` (or that ``RESAMPLE FOR`` covers): at a window's
        boundary the window just closed, in the middle of one nothing, as
        influxd's first tick (the window open then is run once it closes).
        Later calls run each query once per
        ``RESAMPLE EVERY`` (its ``GROUP BY time`` interval by default), over
        every window closed since. The background scheduler makes the same
        calls every ``cq_run_interval``. A query that fails does not stop
        the others; the first failure is raised after all have run.
        """
        self._writable("run continuous queries")
        at = self.clock() if now is None else int(now)
        done: list[ContinuousQueryRun] = []
        failure: BaseException | None = None
        with self._cq_lock:
            for cq in self._stored_cqs(database):
                try:
                    run = self._tick(cq, at, self._cq_last_runs)
                except Exception as exc:
                    logger.warning(
                        "The continuous query %r on %r failed: %s",
                        cq.name,
                        cq.database,
                        exc,
                    )
                    failure = failure or exc
                    continue
                if run is not None:
                    done.append(run)
        if failure is not None:
            raise failure
        return done

    def _tick(
        self, cq: _StoredCQ, now: int, runs: dict[tuple[str, str], int]
    ) -> ContinuousQueryRun | None:
        stored, every, for_ = cq.definition()
        group = stored.group_by_time
        if group is None:
            # A raw query without windows: influxd's service never runs it.
            return None
        interval = group.interval.nanoseconds
        offset = group.offset.nanoseconds if isinstance(group.offset, Duration) else 0
        offset = _go_mod(offset, interval) if interval else 0
        key = (cq.database, cq.name)
        last, window = run_window(
            now, interval, offset, every=every, for_=for_, last_run=runs.get(key)
        )
        if last is not None:
            runs[key] = last
        if window is None:
            return None
        start, end = window
        query = with_time_range(stored, start, end)
        compiler = DuckDBCompiler(self.catalog(cq.database), now_ns=now)
        compiled = query.compile(compiler)
        plan = _plan_of(compiled)
        written = 0
        if isinstance(plan, IntoPlan):
            written = self._run_into(compiled, plan, cq.database)
        return ContinuousQueryRun(cq.database, cq.name, start, end, written)

    def _services_changed(self) -> None:
        """Called when a continuous query or a retention policy is stored
        (the scheduler starts its thread)."""
