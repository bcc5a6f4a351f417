"""Administration of the embedded engine: databases, retention policies,
drops, and the introspection ``influxpy.schema`` and
``influxpy.introspection`` use (InfluxDB answers these with SHOW, DROP and
retention-policy statements).

Retention policies are recorded here and enforced by ``retention_service``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from influxpy.backends.duckdb.catalog import ident as _ident
from influxpy.backends.duckdb.core import EngineCore
from influxpy.compilers.duckdb import ColumnInfo
from influxpy.exceptions import (
    DatabaseNotFoundError,
    ProgrammingError,
)

__all__ = ["PROBES", "EngineAdmin"]


#: Tables probed for a point by one statement (``_holding_points``).
PROBES = 100


class EngineAdmin(EngineCore):
    """The administration and introspection of ``DuckDBBackend``."""

    def ping(self) -> str:
        """Return the DuckDB version the engine runs on."""
        cursor = self._cursor()
        try:
            version = cursor.execute("SELECT version()").fetchone()
        finally:
            cursor.close()
        return f"duckdb {version[0] if version else '?'}"

    def create_database(self, name: str | None = None) -> None:
        """Create a database (a DuckDB schema); existing ones are kept."""
        self._writable("create a database")
        db = self.resolve_database(name)
        if db in self._state.databases:
            return
        with self._change() as change:
            change.ensure_database(db)

    def drop_database(self, name: str | None = None) -> None:
        """Drop a database and all its measurements."""
        self._writable("drop a database")
        db = self.resolve_database(name)
        with self._change() as change:
            change.drop_database(db)
            self._forget_services(db)

    def list_databases(self) -> list[str]:
        """Return the names of the databases."""
        return sorted(self._state.databases)

    def _tables_of(
        self, database: str, measurement: str | None = None
    ) -> list[tuple[str, str, Mapping[str, ColumnInfo]]]:
        return self._state.tables_of(database, measurement)

    def _has_rows(self, database: str, rp: str, measurement: str) -> bool:
        table = self._table(database, rp, measurement)
        return (
            self._con.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() is not None
        )

    def _read_tables(
        self, count: int, select: Callable[[int], str]
    ) -> Iterator[tuple[Any, ...]]:
        """The rows of ``select(i)`` for each of *count* tables ``i``, read
        ``PROBES`` tables a statement (``UNION ALL``): a statement per table
        costs six times as much on a database of thousands of measurements.
        Each ``select(i)`` puts ``i`` first in its rows."""
        cursor = self._cursor()
        try:
            for start in range(0, count, PROBES):
                sql = " UNION ALL ".join(
                    f"({select(i)})" for i in range(start, min(count, start + PROBES))
                )
                yield from cursor.execute(sql).fetchall()
        finally:
            cursor.close()

    def _holding_points(
        self, database: str, tables: Sequence[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        """Which of the ``(rp, measurement)`` *tables* hold a point."""

        def probe(i: int) -> str:
            return f"SELECT {i} FROM {self._table(database, *tables[i])} LIMIT 1"

        return {tables[row[0]] for row in self._read_tables(len(tables), probe)}

    def show_measurements(self, database: str) -> list[str]:
        """Return the measurements of *database* that hold points, sorted."""
        tables = [(rp, m) for rp, m, _columns in self._tables_of(database)]
        return sorted({m for _rp, m in self._holding_points(database, tables)})

    def show_tag_keys(self, database: str, measurement: str) -> list[str]:
        """Return the tag keys some point of *measurement* has, sorted."""
        keys: set[str] = set()
        with self._lock:
            for rp, m, columns in self._tables_of(database, measurement):
                tags = [k for k, c in columns.items() if c.role == "tag"]
                if not tags:
                    continue
                present = ", ".join(f"bool_or({_ident(k)} <> '')" for k in tags)
                row = self._con.execute(
                    f"SELECT {present} FROM {self._table(database, rp, m)}"
                ).fetchone()
                if row is not None:
                    keys.update(k for k, found in zip(tags, row, strict=True) if found)
        return sorted(keys)

    def show_tag_values(self, database: str, measurement: str, key: str) -> list[str]:
        """Return the values the tag *key* takes in *measurement*, sorted."""
        values: set[str] = set()
        with self._lock:
            for rp, m, columns in self._tables_of(database, measurement):
                info = columns.get(key)
                if info is None or info.role != "tag":
                    continue
                rows = self._con.execute(
                    f"SELECT DISTINCT {_ident(key)} FROM "
                    f"{self._table(database, rp, m)} WHERE {_ident(key)} <> ''"
                ).fetchall()
                values.update(str(r[0]) for r in rows)
        return sorted(values)

    def show_field_keys(
        self, database: str, measurement: str, retention_policy: str | None = None
    ) -> list[tuple[str, str]]:
        """Return ``(key, type)`` of the fields of *measurement*, sorted by key.

        Without *retention_policy*, the database's default policy, where
        points naming no policy are written.
        """
        rp = retention_policy or self.default_retention_policy(database)
        with self._lock:
            columns = self._catalog.get((database, rp, measurement))
            if columns is None or not self._has_rows(database, rp, measurement):
                return []
            return sorted(
                (c.key, c.kind) for c in columns.values() if c.role == "field"
            )

    def series_cardinality(
        self,
        database: str,
        measurement: str | None = None,
        *,
        without_tag: str | None = None,
    ) -> int:
        """Count the series (distinct tag sets per measurement), exactly.

        *without_tag* counts only the series that lack that tag.
        """
        by_measurement: dict[str, list[tuple[str, Mapping[str, ColumnInfo]]]] = {}
        for rp, m, columns in self._tables_of(database, measurement):
            by_measurement.setdefault(m, []).append((rp, columns))
        total = 0
        with self._lock:
            for m, tables in by_measurement.items():
                keys = sorted(
                    {
                        k
                        for _rp, cols in tables
                        for k, c in cols.items()
                        if c.role == "tag"
                    }
                )
                selects = []
                for rp, cols in tables:
                    picked = [
                        _ident(k) if k in cols else f"'' AS {_ident(k)}" for k in keys
                    ]
                    select = ", ".join(picked) or "'' AS influxpy_no_tags"
                    where = "TRUE"
                    if without_tag is not None and without_tag in cols:
                        where = f"{_ident(without_tag)} = ''"
                    selects.append(
                        f"SELECT DISTINCT {select} FROM "
                        f"{self._table(database, rp, m)} WHERE {where}"
                    )
                row = self._con.execute(
                    f"SELECT count(*) FROM ({' UNION '.join(selects)})"
                ).fetchone()
                total += int(row[0]) if row else 0
        return total

    def retention_policies(self, database: str) -> list[dict[str, Any]]:
        """Return the policies of *database* as dicts (durations in ns).

        A database whose policies were never changed has ``autogen`` only:
        infinite, 7-day shards, the default, as InfluxDB creates it.
        """
        state = self._state
        if database not in state.databases:
            msg = (
                f"The database {database!r} does not exist on the embedded "
                "engine; create it with create_database()."
            )
            raise DatabaseNotFoundError(msg)
        return [dict(policy) for policy in state.listed_policies(database)]

    def create_retention_policy(
        self, database: str, policy: dict[str, Any], *, replace: bool = False
    ) -> None:
        """Record a retention policy (``replace`` alters an existing one).

        ``enforce_retention()`` enforces durations. Creating one that exists
        with other options raises ``ProgrammingError``, as InfluxDB does.
        """
        self._writable("create a retention policy")
        with self._lock:
            current = self.retention_policies(database)
            existing = next((p for p in current if p["name"] == policy["name"]), None)
            if existing is not None and not replace:
                keys = ("duration", "shard_duration", "replication")
                if any(existing[k] != policy[k] for k in keys):
                    msg = (
                        f"The retention policy {policy['name']!r} already exists "
                        f"on {database!r} with other options."
                    )
                    raise ProgrammingError(msg)
                policy = {
                    **existing,
                    "default": existing["default"] or policy["default"],
                }
            if policy["shard_duration"] is None:
                # ALTER without SHARD DURATION keeps the shard duration.
                kept = existing["shard_duration"] if existing else 0
                policy = {**policy, "shard_duration": kept}
            if existing is None and replace:
                msg = (
                    f"The retention policy {policy['name']!r} does not exist on "
                    f"{database!r}."
                )
                raise ProgrammingError(msg)
            policies = [p for p in current if p["name"] != policy["name"]]
            if (
                self._state.default_policy(database) == policy["name"]
                and database in self._state.dropped_defaults
            ):
                # influxd: the database's default is still the name of the
                # default policy that was dropped; a policy of that name is it.
                policy = {**policy, "default": True}
            if policy["default"]:
                policies = [{**p, "default": False} for p in policies]
            elif existing is not None and existing["default"]:
                policy = {**policy, "default": True}
            if existing is None:
                policies.append(policy)
            else:
                index = current.index(existing)
                policies.insert(index, policy)
            dropped = None
            if database in self._state.dropped_defaults:
                dropped = self._state.default_policy(database)
            with self._change() as change:
                change.store_policies(database, policies, dropped)

    def drop_retention_policy(self, database: str, name: str) -> None:
        """Forget a retention policy and drop its points (idempotent).

        Dropping the default policy leaves the database without one, as on
        InfluxDB: it keeps the dropped name as its default, so points and
        queries naming no policy fail (``retention policy not found``) until
        a policy of that name is created again or another is made the
        default.
        """
        self._writable("drop a retention policy")
        with self._lock:
            current = self.retention_policies(database)
            default = self._state.default_policy(database)
            dropped = None
            if name == default or database in self._state.dropped_defaults:
                dropped = default
            with self._change() as change:
                if any(p["name"] == name for p in current):
                    change.store_policies(
                        database, [p for p in current if p["name"] != name], dropped
                    )
                change.drop_tables(
                    [k for k in change.tables if k[:2] == (database, name)]
                )
                self._forget_services(database, name)

    def drop_measurement(self, database: str, measurement: str) -> None:
        """Drop *measurement* in every retention policy (idempotent)."""
        self._writable("drop a measurement")
        with self._change() as change:
            change.drop_tables(
                [k for k in change.tables if k[0] == database and k[2] == measurement]
            )

    def drop_series(self, database: str, measurement: str, where: Any) -> None:
        """Delete the points of the series matching *where* in every policy.

        *where* holds tag conditions only, as ``DROP SERIES`` allows.
        """
        self._writable("drop series")
        from influxpy.query import Delete, Source

        with self._change() as change:
            for rp, m, _columns in self._tables_of(database, measurement):
                statement = Delete(Source(m, None, rp), where)
                compiled = statement.compile(self.get_compiler(database))
                if compiled.text:
                    self._con.execute(compiled.text, dict(compiled.params))
            change.prune_tag_codes()
