"""Retention on the embedded engine: shard groups, and the old ones dropped.

InfluxDB keeps a retention policy's points in shard groups, each covering
one shard duration: ``[t.Truncate(shard duration), + shard duration)``,
truncated as Go truncates times (from January 1 of year 1, so 7-day groups
start on Mondays). Its retention service deletes, every check interval
(30 minutes by default), each shard group of a policy with a finite duration
whose end time plus the duration is before now, with all its points.

The engine records a shard group (``main.influxpy_shard_groups``) for the
points of each policy the first time it looks (``shard_groups()``, each
enforcement, each scheduler check) and keeps its boundaries from then on,
as InfluxDB does; ids come from one sequence and are never reused. A group
whose points were all deleted stays until it expires, as on InfluxDB, but
a group is only recorded once it holds points when the engine looks.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from influxpy.backends.duckdb.admin import EngineAdmin
from influxpy.backends.duckdb.catalog import policy_shard_ns
from influxpy.compilers.duckdb.catalog import GO_ZERO_NS

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "SHARD_GROUPS",
    "EngineRetention",
    "ShardGroup",
    "shard_group_bounds",
    "shard_start",
]

#: The largest time a point may have, plus one: InfluxDB ends the last
#: shard group there.
_MAX_END_NS = 2**63 - 1

_GROUPS = "main.influxpy_shard_groups"
#: The table recording the shard groups (``DROP SHARD`` removes one).
SHARD_GROUPS = _GROUPS
_IDS = "main.influxpy_shard_group_ids"


def shard_group_bounds(t_ns: int, shard_ns: int) -> tuple[int, int]:
    """The ``[start, end)`` of the shard group InfluxDB makes for time *t_ns*."""
    start = shard_start(t_ns, shard_ns)
    return start, min(start + shard_ns, _MAX_END_NS)


def shard_start(t_ns: int, shard_ns: int) -> int:
    """The start of the shard group of *shard_ns* holding time *t_ns*."""
    return t_ns - (t_ns + GO_ZERO_NS) % shard_ns


@dataclasses.dataclass(frozen=True)
class ShardGroup:
    """A shard group, as ``SHOW SHARDS`` lists one: its id, database,
    retention policy, ``[start, end)`` in epoch nanoseconds, and the time
    after which retention drops it (``None`` for an infinite policy)."""

    id: int
    database: str
    retention_policy: str
    start: int
    end: int
    expiry: int | None


class EngineRetention(EngineAdmin):
    """Shard groups and retention enforcement of ``DuckDBBackend``."""

    #: The time retention is enforced at, in epoch nanoseconds (``services``).
    clock: Callable[[], int]

    def _ensure_group_tables(self) -> None:
        self._con.execute(
            f"CREATE TABLE IF NOT EXISTS {_GROUPS} (id BIGINT, database VARCHAR, "
            "retention_policy VARCHAR, start_time BIGINT, end_time BIGINT)"
        )
        self._con.execute(f"CREATE SEQUENCE IF NOT EXISTS {_IDS} START 1")

    def _groups_exist(self, con: Any) -> bool:
        found = con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' "
            "AND table_name = 'influxpy_shard_groups'"
        ).fetchone()
        return bool(found and found[0])

    def _record_shard_groups(self) -> None:
        """Record a shard group for every point no recorded group holds.

        Runs inside a change (the lock held, a transaction open).
        """
        self._ensure_group_tables()
        recorded: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for db, rp, start, end in self._con.execute(
            f"SELECT database, retention_policy, start_time, end_time FROM {_GROUPS}"
        ).fetchall():
            recorded.setdefault((db, rp), []).append((int(start), int(end)))
        for database in sorted(self._state.databases):
            for policy in self.retention_policies(database):
                shard = policy_shard_ns(policy)
                name = policy["name"]
                groups = recorded.setdefault((database, name), [])
                starts: set[int] = set()
                for rp, m, _columns in self._tables_of(database):
                    if rp != name:
                        continue
                    table = self._table(database, rp, m)
                    shift = GO_ZERO_NS % shard
                    rows = self._con.execute(
                        f"SELECT DISTINCT time - ((time % {shard}) + {shard} + "
                        f"{shift}) % {shard} FROM {table}"
                    ).fetchall()
                    for (start,) in rows:
                        start = int(start)
                        if start in starts:
                            continue
                        if self._uncovered(table, start, shard, groups):
                            starts.add(start)
                for start in sorted(starts):
                    begin, end = shard_group_bounds(start, shard)
                    self._con.execute(
                        f"INSERT INTO {_GROUPS} SELECT nextval('{_IDS}'), ?, ?, ?, ?",
                        [database, name, begin, end],
                    )
                    groups.append((begin, end))

    def _record_created_groups(
        self, database: str, rp: str, bounds: list[tuple[int, int]]
    ) -> None:
        """Record the groups ``[start, end)`` of *bounds* a write created
        but stored no point in (InfluxDB keeps the groups it made for a
        refused write); the groups of stored points are recorded first, so
        ids follow the order the groups were made in."""
        with self._change():
            self._record_shard_groups()
            for start, end in bounds:
                self._con.execute(
                    f"INSERT INTO {_GROUPS} SELECT nextval('{_IDS}'), ?, ?, ?, ? "
                    f"WHERE NOT EXISTS (SELECT 1 FROM {_GROUPS} WHERE database = ? "
                    "AND retention_policy = ? AND start_time < ? AND end_time > ?)",
                    [database, rp, start, end, database, rp, end, start],
                )

    def _uncovered(
        self, table: str, start: int, shard: int, groups: list[tuple[int, int]]
    ) -> bool:
        """Whether a point of *table* in ``[start, start + shard)`` lies in
        no recorded group."""
        stop = start + shard
        if any(s <= start and stop <= e for s, e in groups):
            return False
        overlapping = [(s, e) for s, e in groups if s < stop and start < e]
        if not overlapping:
            return True
        outside = " AND ".join(
            f"NOT (time >= {s} AND time < {e})" for s, e in overlapping
        )
        row = self._con.execute(
            f"SELECT 1 FROM {table} WHERE time >= {start} AND time < {stop} "
            f"AND {outside} LIMIT 1"
        ).fetchone()
        return row is not None

    def shard_groups(self, database: str | None = None) -> list[ShardGroup]:
        """The shard groups of every database (or of *database*), by id.

        Groups for points not yet in one are recorded first (see the module
        documentation). ``expiry`` is ``end + duration`` of the policy.
        """
        if self.read_only:
            return self._read_groups(database)
        with self._change():
            self._record_shard_groups()
        return self._read_groups(database)

    def _read_groups(self, database: str | None) -> list[ShardGroup]:
        cursor = self._cursor()
        try:
            if not self._groups_exist(cursor):
                return []
            rows = cursor.execute(
                "SELECT id, database, retention_policy, start_time, end_time "
                f"FROM {_GROUPS} ORDER BY id"
            ).fetchall()
        finally:
            cursor.close()
        durations: dict[tuple[str, str], int] = {}
        groups = []
        for gid, db, rp, start, end in rows:
            if db not in self._state.databases or database not in (None, db):
                continue
            if (db, rp) not in durations:
                for policy in self.retention_policies(db):
                    durations[(db, policy["name"])] = int(policy["duration"] or 0)
            if (db, rp) not in durations:
                continue
            duration = durations[(db, rp)]
            expiry = end + duration if duration else None
            groups.append(ShardGroup(int(gid), db, rp, int(start), int(end), expiry))
        return groups

    def enforce_retention(self, now: int | None = None) -> list[ShardGroup]:
        """Drop the expired shard groups and their points; return them.

        A group expires when its end plus its policy's duration is before
        *now* (epoch nanoseconds; the backend's ``clock()`` when ``None``),
        as InfluxDB's retention service decides. Policies of infinite
        duration keep everything. The background scheduler calls this
        every ``retention_check_interval`` (30 minutes by default).
        """
        self._writable("enforce retention policies")
        at = self.clock() if now is None else int(now)
        dropped: list[ShardGroup] = []
        with self._change() as change:
            self._record_shard_groups()
            for group in self._read_groups_locked():
                if group.expiry is None or not group.expiry < at:
                    continue
                for rp, m, _columns in self._tables_of(group.database):
                    if rp == group.retention_policy:
                        self._con.execute(
                            f"DELETE FROM {self._table(group.database, rp, m)} "
                            f"WHERE time >= {group.start} AND time < {group.end}"
                        )
                self._con.execute(f"DELETE FROM {_GROUPS} WHERE id = ?", [group.id])
                dropped.append(group)
            if dropped:
                change.prune_tag_codes()
        return dropped

    def _read_groups_locked(self) -> list[ShardGroup]:
        """The recorded groups, read on the changing connection."""
        rows = self._con.execute(
            "SELECT id, database, retention_policy, start_time, end_time "
            f"FROM {_GROUPS} ORDER BY id"
        ).fetchall()
        groups = []
        for gid, db, rp, start, end in rows:
            if db not in self._state.databases:
                continue
            policy = next(
                (p for p in self.retention_policies(db) if p["name"] == rp), None
            )
            if policy is None:
                continue
            duration = int(policy["duration"] or 0)
            expiry = int(end) + duration if duration else None
            groups.append(ShardGroup(int(gid), db, rp, int(start), int(end), expiry))
        return groups

    def _forget_shard_groups(self, database: str, policy: str | None = None) -> None:
        """Forget the groups of a dropped database (or of one of its policies)."""
        if not self._groups_exist(self._con):
            return
        if policy is None:
            self._con.execute(f"DELETE FROM {_GROUPS} WHERE database = ?", [database])
        else:
            self._con.execute(
                f"DELETE FROM {_GROUPS} WHERE database = ? AND retention_policy = ?",
                [database, policy],
            )

    def has_finite_retention(self) -> bool:
        """Whether some policy of some database has a finite duration."""
        return any(
            policy["duration"]
            for database in self._state.databases
            for policy in self.retention_policies(database)
        )
