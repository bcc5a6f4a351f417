"""SHOW statements about the store itself on the embedded engine.

``EngineShowMeta`` answers the cardinality statements (``SHOW SERIES``,
``MEASUREMENT``, ``TAG KEY``, ``FIELD KEY`` and ``TAG VALUES … CARDINALITY``,
estimates and ``EXACT`` forms), ``SHOW SHARDS`` and ``SHOW SHARD GROUPS``
(from the shard groups the engine records) and ``SHOW USERS`` with influxd
1.6.7's series names, columns and errors. The engine counts exactly where
influxd estimates (its estimates are exact for small counts). The engine has
no users, so ``SHOW USERS`` lists none; ``SHOW DIAGNOSTICS`` and ``SHOW
STATS`` answer from ``show_stats``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from influxpy import statements as st
from influxpy.backends.duckdb import show_stats
from influxpy.backends.duckdb.catalog import ident
from influxpy.backends.duckdb.show import Spans, StatementFailed
from influxpy.backends.duckdb.show_measurements import EngineShowMeasurements
from influxpy.backends.duckdb.show_names import bind_name
from influxpy.backends.duckdb.show_where import (
    has_time,
    is_never,
    select_condition,
    time_conditions,
    with_keys_present,
)
from influxpy.backends.duckdb.subscription_table import stored_subscriptions
from influxpy.compilers.duckdb import ColumnInfo
from influxpy.query import Source
from influxpy.results import Series

__all__ = ["EngineShowMeta"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_SHARD_COLUMNS = [
    "id",
    "database",
    "retention_policy",
    "shard_group",
    "start_time",
    "end_time",
    "expiry_time",
    "owners",
]
_GROUP_COLUMNS = [
    "id",
    "database",
    "retention_policy",
    "start_time",
    "end_time",
    "expiry_time",
]


def _rfc3339(ns: int) -> str:
    """*ns* as Go's ``time.RFC3339`` writes it (whole seconds, ``Z``)."""
    moment = _EPOCH + dt.timedelta(microseconds=ns // 1000)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _counts(counted: dict[str, int], statement: st.ShowCardinality) -> list[Series]:
    """One ``count`` series per measurement, by name; LIMIT and OFFSET page
    the one row of each, as influxd does."""
    out = []
    for name in sorted(counted):
        rows = [[counted[name]]][statement.offset or 0 :]
        if statement.limit:
            rows = rows[: statement.limit]
        if rows:
            out.append(Series(name, {}, ["count"], rows))
    return out


class EngineShowMeta(EngineShowMeasurements):
    """Cardinality, shard and user statements of ``DuckDBBackend``."""

    # -- cardinality -----------------------------------------------------------

    def _do_show_cardinality(
        self, statement: st.ShowCardinality, database: str | None
    ) -> list[Series]:
        db = statement.database or database
        if not db:
            raise StatementFailed("database name required")
        if not statement.exact:
            # Only SERIES and MEASUREMENT estimate; influxd answers 0 for
            # a database that does not exist.
            total = 0
            if db in self._state.databases:
                if statement.what == "series":
                    total = sum(len(k) for k in self._series_keys(db, ()).values())
                else:
                    total = len(self._measurement_names(db, ()))
            return [Series("", {}, ["cardinality estimation"], [[total]])]
        db = self._existing(db)
        what = statement.what
        timed = statement.where is not None and has_time(statement.where)
        if what != "tag values" and timed:
            # influxd names the field key form without EXACT, the others with.
            exact = "" if what == "field key" else " EXACT"
            msg = (
                f"SHOW {what.upper()}{exact} CARDINALITY doesn't support time "
                "in WHERE clause"
            )
            raise StatementFailed(msg)
        if is_never(statement.where):
            return []
        self._read_default(db, statement.sources)
        window: tuple[int | None, int | None] | None = None
        if statement.where is not None:
            if timed:
                # influxd counts tag values at time 0 of the shard groups the
                # time range meets, the times taken out of the condition.
                window = self._time_range(db, statement.where)
                lower, upper = window
                if (lower is not None and lower > 0) or (
                    upper is not None and upper < 0
                ):
                    return []
            # influxd counts with a SELECT, where a condition on a key that
            # is a field of any measurement is never true.
            tables = self._tables(db, statement.sources)
            fields = {
                c.key
                for _rp, _m, cs in tables
                for c in cs.values()
                if c.role == "field"
            }
            where = select_condition(statement.where, fields, drop_time=timed)
            if what == "tag values" and not isinstance(where, bool):
                # ``_name`` is a key no series of the count has.
                where = bind_name(where, None)
                if not isinstance(where, bool):
                    where = with_keys_present(where)
            if where is False:
                return []
            statement = dataclasses.replace(
                statement, where=None if where is True else where
            )
        counted: dict[str, int] = {}
        found: dict[str, set[Any]] = {}
        names: set[str] = set()
        for store, sources in self._counted_stores(db, statement.sources):
            # influxd counts each source in its own database and policy: the
            # series of each database apart, keys and values as one set.
            one = dataclasses.replace(statement, sources=sources)
            if what == "series":
                keys = self._series_keys(store, sources, statement.where)
                for m, k in keys.items():
                    counted[m] = counted.get(m, 0) + len(k)
            elif what == "measurement":
                names |= self._measurements_counted(store, one)
            else:
                spans = None if window is None else self._spans(store, *window)
                for listed in self._listed(store, one, spans):
                    values = {tuple(row) for row in listed.values}
                    found.setdefault(listed.name, set()).update(values)
        if what == "measurement":
            if not names:
                return []
            rows = [[len(names)]][statement.offset or 0 :]
            if statement.limit:
                rows = rows[: statement.limit]
            return [Series("", {}, ["count"], rows)] if rows else []
        counted.update({m: len(values) for m, values in found.items()})
        return _counts({m: n for m, n in counted.items() if n}, statement)

    def _counted_stores(
        self, db: str, sources: tuple[Any, ...]
    ) -> list[tuple[str, tuple[Any, ...]]]:
        """Each source an exact cardinality reads, in its database (a source
        naming no policy reads the default; no FROM, every measurement of
        the default policy), as influxd counts them: a source named twice
        counts its series twice."""
        if not sources:
            sources = (Source("", regex=True),)
        self._stores(db, sources)  # every database and policy must exist
        out = []
        for source in sources:
            store = source.database or db
            rp = source.retention_policy or self.default_retention_policy(store)
            one = dataclasses.replace(source, database=None, retention_policy=rp)
            out.append((store, (one,)))
        return out

    def _listed(
        self, db: str, statement: st.ShowCardinality, spans: Spans | None
    ) -> list[Series]:
        """The SHOW TAG KEYS, FIELD KEYS or TAG VALUES answer being counted
        with a SELECT over the series (of *spans* only, when given)."""
        if statement.what == "tag key":
            keys = st.ShowTagKeys(db, statement.sources, statement.where)
            return self._do_show_tag_keys(keys, db, index=False)
        if statement.what == "field key":
            fields = self._do_show_field_keys(
                st.ShowFieldKeys(db, statement.sources), db
            )
            return [s for s in fields if self._has_series(db, statement, s.name)]
        assert statement.key is not None
        values = st.ShowTagValues(statement.key, db, statement.sources, statement.where)
        # Counted with a SELECT: only the policy read, not the whole index.
        return self._do_show_tag_values(values, db, index=False, spans=spans)

    def _has_series(
        self, db: str, statement: st.ShowCardinality, measurement: str
    ) -> bool:
        """Whether *measurement* has a series passing *statement*'s
        condition in the policy its source reads (influxd counts the
        field keys of those measurements only)."""
        if statement.where is None:
            return True
        return any(
            self._read(db, rp, m, "1", statement.where, " LIMIT 1")
            for rp, m, _columns in self._tables(db, statement.sources)
            if m == measurement
        )

    def _time_range(self, db: str, where: Any) -> tuple[int | None, int | None]:
        """The inclusive ``(lower, upper)`` of influxql's time range of
        *where*: every condition on time intersected, under OR too."""
        bounds = self.get_compiler(db)._bounds(time_conditions(where))
        return bounds.lower, bounds.upper

    def _through_groups(
        self, db: str, sources: tuple[Any, ...]
    ) -> tuple[Any, ...] | None:
        """*sources* whose policy (the one named, or the default) has a
        shard group, read from the series index as influxd reads it
        through those groups; None when none has one (an empty FROM reads
        the default policy of *db*)."""
        groups: dict[str, set[str]] = {}

        def has_groups(store: str, policy: str | None) -> bool:
            policy = policy or self.default_retention_policy(store)
            if any(rp == policy for rp, _m, _c in self._state.tables_of(store)):
                # Points of the policy: it has groups (read from the
                # catalog; SHOW SERIES must not record groups every time).
                return True
            if store not in groups:
                groups[store] = {g.retention_policy for g in self.shard_groups(store)}
            return policy in groups[store]

        if not sources:
            return () if has_groups(db, None) else None
        kept = tuple(
            source
            for source in sources
            if has_groups(source.database or db, source.retention_policy)
        )
        return kept or None

    def _spans(self, store: str, lower: int | None, upper: int | None) -> Spans:
        """Each policy's shard groups of *store* that ``[lower, upper]``
        meets."""
        found: dict[str, list[tuple[int, int]]] = {}
        for group in self.shard_groups(store):
            if (lower is None or group.end > lower) and (
                upper is None or group.start <= upper
            ):
                found.setdefault(group.retention_policy, []).append(
                    (group.start, group.end)
                )
        return found

    def _measurements_counted(self, db: str, statement: st.ShowCardinality) -> set[str]:
        """influxd counts ``SELECT count(distinct(_name))`` over the series:
        a measurement counts when one of its series passes the condition."""
        tables = self._tables(db, statement.sources)
        names = {m for _rp, m, _columns in tables}
        if statement.where is not None:
            names = {
                m
                for rp, m, _columns in tables
                if self._read(db, rp, m, "1", statement.where, " LIMIT 1")
            }
        return names

    def _series_keys(
        self, db: str, sources: tuple[Any, ...], where: Any = None
    ) -> dict[str, set[tuple[Any, ...]]]:
        """Each measurement's distinct tag sets (its series) passing *where*."""
        keys: dict[str, set[tuple[Any, ...]]] = {}
        tables = self._tables(db, sources)
        if where is None:
            # Without a condition, the tables are asked 100 a statement.
            return self._all_series_keys(db, tables)
        for rp, m, columns in tables:
            tags = sorted(k for k, c in columns.items() if c.role == "tag")
            select = "DISTINCT " + (", ".join(map(ident, tags)) or "1")
            rows = self._read(db, rp, m, select, where)
            found = keys.setdefault(m, set())
            found.update(
                tuple((k, v) for k, v in zip(tags, row, strict=False) if v)
                for row in rows
            )
        return keys

    def _all_series_keys(
        self, db: str, tables: list[tuple[str, str, Mapping[str, ColumnInfo]]]
    ) -> dict[str, set[tuple[Any, ...]]]:
        """``_series_keys`` of every point of *tables*: each table's distinct
        tag sets as a list, many tables a statement (``_read_tables``)."""
        keys: dict[str, set[tuple[Any, ...]]] = {m: set() for _rp, m, _c in tables}
        named = [
            sorted(k for k, c in columns.items() if c.role == "tag")
            for _rp, _m, columns in tables
        ]

        def tag_sets(i: int) -> str:
            rp, m, _columns = tables[i]
            return (
                f"SELECT DISTINCT {i}, [{', '.join(map(ident, named[i]))}]::VARCHAR[] "
                f"FROM {self._table(db, rp, m)}"
            )

        for i, values in self._read_tables(len(tables), tag_sets):
            keys[tables[i][1]].add(
                tuple((k, v) for k, v in zip(named[i], values, strict=True) if v)
            )
        return keys

    # -- shards and users ------------------------------------------------------

    def _do_show_shards(
        self, statement: st.ShowShards, database: str | None
    ) -> list[Series]:
        groups = self.shard_groups()
        (databases,) = self._do_show_databases(st.ShowDatabases(), database)
        out = []
        for (name,) in databases.values:
            values = [
                [
                    g.id,
                    g.database,
                    g.retention_policy,
                    g.id,
                    _rfc3339(g.start),
                    _rfc3339(g.end),
                    _rfc3339(g.end if g.expiry is None else g.expiry),
                    "",
                ]
                for g in groups
                if g.database == name
            ]
            out.append(Series(name, {}, list(_SHARD_COLUMNS), values))
        return out

    def _do_show_series(
        self, statement: st.ShowSeries, database: str | None
    ) -> list[Series]:
        db = self._existing(statement.database or database)
        self._read_default(db, statement.sources)
        if is_never(statement.where):
            return []
        if statement.where is None or not has_time(statement.where):
            # influxd reads its index through the shard groups of the
            # policy each source names (or the default): none, nothing.
            self._stores(db, statement.sources)  # each must exist first
            sources = self._through_groups(db, statement.sources)
            if sources is None:
                return []
            return super()._do_show_series(
                dataclasses.replace(statement, sources=sources), database
            )
        bounds = self.get_compiler(db)._bounds(statement.where)
        return self._timed_series(
            db, statement, lambda store: self._spans(store, bounds.lower, bounds.upper)
        )

    def _do_show_shard_groups(
        self, statement: st.ShowShardGroups, database: str | None
    ) -> list[Series]:
        values = [
            [
                g.id,
                g.database,
                g.retention_policy,
                _rfc3339(g.start),
                _rfc3339(g.end),
                _rfc3339(g.end if g.expiry is None else g.expiry),
            ]
            for g in self.shard_groups()
        ]
        return [Series("shard groups", {}, list(_GROUP_COLUMNS), values)]

    def _do_show_diagnostics(
        self, statement: st.ShowDiagnostics, database: str | None
    ) -> list[Series]:
        found = show_stats.diagnostics()
        if statement.module is None:
            return found
        return [series for series in found if series.name == statement.module]

    def _do_show_stats(
        self, statement: st.ShowStats, database: str | None
    ) -> list[Series]:
        (listed,) = self._do_show_databases(st.ShowDatabases(), database)
        counts = {}
        for (name,) in listed.values:
            keys = self._series_keys(name, ())
            series = sum(len(k) for k in keys.values())
            counts[name] = (len(self._measurement_names(name, ())), series)
        served = self.subscriber_statistics
        if served is not None:
            subscriber = (0, *served())
        else:
            cursor = self._cursor()
            try:
                # No service copies writes: every subscription is a writer
                # influxd would have made and the engine did not.
                subscriber = (len(stored_subscriptions(cursor)), 0, 0)
            finally:
                cursor.close()
        return show_stats.stats(counts, statement.module, subscriber)

    def _do_invalid(self, statement: st.Invalid, database: str | None) -> list[Series]:
        raise StatementFailed(statement.error)
