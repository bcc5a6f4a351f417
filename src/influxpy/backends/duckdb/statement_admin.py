"""The InfluxQL statements that change the embedded engine's schema:
CREATE/DROP DATABASE, CREATE/ALTER/DROP RETENTION POLICY, CREATE/DROP
CONTINUOUS QUERY, DROP SERIES/MEASUREMENT/SHARD, answered as influxd 1.6.7
answers them (its refusals and their texts). ``EngineStatements`` runs
them by their ``_do_<statement>`` names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from influxpy import statements as st
from influxpy.backends.duckdb.continuous import qualify_continuous_query
from influxpy.backends.duckdb.retention_service import SHARD_GROUPS
from influxpy.backends.duckdb.show import StatementFailed
from influxpy.backends.duckdb.show_meta import EngineShowMeta
from influxpy.backends.duckdb.show_where import has_time
from influxpy.backends.duckdb.users import EngineUsers
from influxpy.durations import Duration
from influxpy.exceptions import ProgrammingError, RetentionPolicyNotFoundError
from influxpy.expressions import CombinedExpression, Now, WhereNode
from influxpy.functions import Func
from influxpy.lookups import ExpressionLookup, Lookup
from influxpy.retention import DURATION_TOO_SHORT, MIN_DURATION_NS, RetentionPolicy

__all__ = ["INVALID_NAME", "EngineAdminStatements", "valid_name"]

#: influxd's error for a database or retention policy name it refuses.
INVALID_NAME = "invalid name"


def valid_name(name: str) -> bool:
    """Whether influxd accepts *name* for a database or retention policy:
    not empty, ``.`` or ``..``, without ``/``, ``\\`` or unprintable
    characters."""
    if name in ("", ".", ".."):
        return False
    return not any(c in "/\\" or not c.isprintable() for c in name)


def _policy_row(policy: RetentionPolicy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "duration": policy.duration.nanoseconds if policy.duration else 0,
        "shard_duration": policy.effective_shard_duration.nanoseconds,
        "replication": policy.replication,
        "default": policy.default,
    }


def _condition_keys(node: WhereNode) -> set[str]:
    """The keys the conditions of *node* name, but time and ``x::tag``."""
    keys: set[str] = set()
    for child in node.children:
        if isinstance(child, WhereNode):
            keys |= _condition_keys(child)
        elif (
            isinstance(child, Lookup)
            and child.lhs.role != "time"
            and child.lhs.cast != "tag"
        ):
            keys.add(child.lhs.key)
    return keys


#: A value a key is compared with that influxd's index cannot read: the
#: deletion refuses it as it refuses a field (``host = 'b' + 1``, ``host =
#: abs(v)``, ``host = now()``).
_COMPUTED = (CombinedExpression, Func, Now)


def _compares_a_number(node: WhereNode) -> bool:
    """Whether *node* tests a key for equality with a number or a boolean
    (``h = 1``), which influxd's index leaves to a field filter, whatever
    the key."""
    for child in node.children:
        if isinstance(child, WhereNode):
            if _compares_a_number(child):
                return True
        elif (
            isinstance(child, Lookup)
            and child.lhs.role != "time"
            and child.lookup_name == "exact"
            and not child.negated
            and isinstance(child.rhs, int | float)
        ):
            return True
    return False


def _check_shard_duration(row: Mapping[str, Any]) -> None:
    """Refuse shard groups longer than a finite policy, as influxd does."""
    if row["duration"] and row["shard_duration"] > row["duration"]:
        msg = "retention policy duration must be greater than the shard duration"
        raise StatementFailed(msg)


class EngineAdminStatements(EngineUsers, EngineShowMeta):
    """The schema-changing statements of ``EngineStatements``."""

    # -- databases and retention policies ----------------------------------------

    def _do_create_database(
        self, statement: st.CreateDatabase, database: str | None
    ) -> None:
        name, policy = statement.name, statement.policy
        if not valid_name(name) or (policy is not None and not valid_name(policy.name)):
            raise StatementFailed(INVALID_NAME)
        if name in self._state.databases:
            if policy is None:
                return
            row = _policy_row(policy)
            existing = next(
                (p for p in self.retention_policies(name) if p["name"] == policy.name),
                None,
            )
            keys = ("duration", "shard_duration", "replication")
            if existing is None or any(existing[k] != row[k] for k in keys):
                raise StatementFailed(
                    "retention policy conflicts with an existing policy"
                )
            return
        self.create_database(name)
        if policy is None:
            return
        if policy.name == "autogen":
            # The policy every new database has, made as the statement says.
            row = _policy_row(dataclasses.replace(policy, default=True))
            self.create_retention_policy(name, row, replace=True)
            return
        editor = self.schema_editor()
        editor.create_retention_policy(dataclasses.replace(policy, default=True), name)
        if policy.name != "autogen":
            editor.drop_retention_policy("autogen", name)

    def _do_drop_database(
        self, statement: st.DropDatabase, database: str | None
    ) -> None:
        if statement.name in self._state.databases:
            self.drop_database(statement.name)
        self.forget_privileges(statement.name)

    def _has_database(self, name: str) -> bool:
        return name in self._state.databases

    def _do_create_retention_policy(
        self, statement: st.CreateRetentionPolicy, database: str | None
    ) -> None:
        db = self._existing(statement.database or database)
        policy = statement.policy
        if not valid_name(policy.name):
            raise StatementFailed(INVALID_NAME)
        row = _policy_row(policy)
        _check_shard_duration(row)
        existing = next(
            (p for p in self.retention_policies(db) if p["name"] == policy.name), None
        )
        if existing is not None:
            # The same policy again is no change, unless it would become
            # the default; another one is refused.
            keys = ("duration", "shard_duration", "replication")
            if any(existing[k] != row[k] for k in keys):
                raise StatementFailed("retention policy already exists")
            if policy.default and not existing["default"]:
                raise StatementFailed(
                    "retention policy conflicts with an existing policy"
                )
            return
        try:
            self.schema_editor().create_retention_policy(statement.policy, db)
        except ProgrammingError as error:
            if "already exists" in str(error):
                raise StatementFailed("retention policy already exists") from None
            raise

    def _do_alter_retention_policy(
        self, statement: st.AlterRetentionPolicy, database: str | None
    ) -> None:
        db = self._existing(statement.database or database)
        existing = next(
            (p for p in self.retention_policies(db) if p["name"] == statement.name),
            None,
        )
        if existing is None:
            msg = RetentionPolicyNotFoundError.server_text(statement.name)
            raise StatementFailed(msg)
        # Checked once the database and the policy are found.
        duration = statement.duration
        ns = duration.nanoseconds if isinstance(duration, Duration) else 0
        if 0 < ns < MIN_DURATION_NS:
            raise StatementFailed(DURATION_TOO_SHORT)
        row = dict(existing)
        if statement.duration == "INF":
            row["duration"] = 0
        elif isinstance(statement.duration, Duration):
            row["duration"] = statement.duration.nanoseconds
        if statement.replication is not None:
            row["replication"] = statement.replication
        if statement.shard_duration is not None:
            row["shard_duration"] = statement.shard_duration.nanoseconds
        row["default"] = bool(existing["default"] or statement.default)
        _check_shard_duration(row)
        self.create_retention_policy(db, row, replace=True)

    def _do_drop_retention_policy(
        self, statement: st.DropRetentionPolicy, database: str | None
    ) -> None:
        db = statement.database or database
        if not db or db not in self._state.databases:
            return  # influxd: nothing to drop, and no error
        self.schema_editor().drop_retention_policy(statement.name, db)

    # -- continuous queries ------------------------------------------------------

    def _do_create_continuous_query(
        self, statement: st.CreateContinuousQuery, database: str | None
    ) -> None:
        db = statement.database
        # influxd finds the database of every measurement the query names
        # (the request's, else the continuous query's, where it names
        # none), then each one's policy, then the continuous query's own
        # database.
        # As influxd walks them: the INTO target, then the sources.
        query = statement.query
        named = [*([] if query.into is None else [query.into]), *query.measurements()]
        default = database or db
        for source in named:
            self._existing(source.database or default)
        for source in named:
            found = source.database or default
            policy = source.retention_policy or self.default_retention_policy(found)
            if policy not in {p["name"] for p in self.retention_policies(found)}:
                msg = f"retention policy not found: {found}.{policy}"
                raise StatementFailed(msg)
        if db not in self._state.databases:
            msg = f"database not found: {db}"
            raise StatementFailed(msg)
        if database:
            # influxd qualifies the measurements with the request's database.
            policy = self.default_retention_policy(database)
            query = qualify_continuous_query(statement.query, database, policy)
            statement = dataclasses.replace(statement, query=query)
        self.schema_editor().create_continuous_query(statement, db)

    def _do_drop_continuous_query(
        self, statement: st.DropContinuousQuery, database: str | None
    ) -> None:
        self.schema_editor().drop_continuous_query(statement.name, statement.database)

    # -- dropping series and measurements ----------------------------------------

    def _do_drop_series(self, statement: st.DropSeries, database: str | None) -> None:
        if statement.where is not None and has_time(statement.where):
            msg = "DROP SERIES doesn't support time in WHERE clause"
            raise StatementFailed(msg)
        db = self._named(database)
        names = self._measurement_names(db, statement.sources)
        self._refuse_field_conditions(db, statement.where, names)
        for measurement in names:
            self.drop_series(db, measurement, statement.where)

    def _refuse_field_conditions(
        self, database: str, where: WhereNode | None, names: list[str]
    ) -> None:
        """Fail a DELETE or DROP SERIES whose condition names a field, as
        influxd does: its index reads a key (not cast ``::tag``) as a field
        when a measurement the statement deletes from has that field (a
        field of another measurement only is read as a tag: ``DROP SERIES
        FROM m WHERE h = 'a'`` passes while ``h`` is a field of ``other``),
        ``key = 1`` of any key, and a comparison whose left side is not a
        key (``'a' = 1``, ``v + 1 = 2``); with no measurement to delete from,
        nothing is refused. influxd's text names the shard it found it in
        first (``shard 2: fields not …``): the latest holding points of
        those measurements, where several do (influxd names whichever of
        its shards fails first)."""
        if where is None or not names:
            return
        keys = _condition_keys(where)
        touched = set(names)
        compared = any(
            isinstance(n, ExpressionLookup)
            or isinstance(getattr(n, "rhs", None), _COMPUTED)
            for n in where.walk()
        )
        if (
            compared
            or _compares_a_number(where)
            or any(
                info.role == "field" and info.key in keys
                for _rp, measurement, columns in self._state.tables_of(database)
                if measurement in touched
                for info in columns.values()
            )
        ):
            msg = "fields not supported in WHERE clause during deletion"
            shard = self._shard_holding(database, touched)
            if shard is not None:
                msg = f"shard {shard}: {msg}"
            raise StatementFailed(msg)

    def _shard_holding(self, database: str, measurements: set[str]) -> int | None:
        """The id of the latest shard (group) of *database* holding points of
        *measurements*, if any."""
        tables = [
            (rp, measurement)
            for rp, measurement, _columns in self._state.tables_of(database)
            if measurement in measurements
        ]
        cursor = self._cursor()
        for group in sorted(self.shard_groups(database), key=lambda g: -g.id):
            for rp, measurement in tables:
                if rp != group.retention_policy:
                    continue
                table = self._table(database, rp, measurement)
                found = cursor.execute(
                    f"SELECT 1 FROM {table} WHERE time >= {group.start} "
                    f"AND time < {group.end} LIMIT 1"
                ).fetchone()
                if found is not None:
                    return group.id
        return None

    def _do_drop_shard(self, statement: st.DropShard, database: str | None) -> None:
        """Drop the shard group of that id (the engine's shard ids are its
        groups' ids) with its points, as retention does; an id that is no
        shard drops nothing, as on influxd."""
        found = [g for g in self.shard_groups() if g.id == statement.shard_id]
        if not found:
            return
        (group,) = found
        self._writable("drop a shard")
        with self._change() as change:
            for rp, measurement, _columns in self._tables_of(group.database):
                if rp == group.retention_policy:
                    table = self._table(group.database, rp, measurement)
                    self._con.execute(
                        f"DELETE FROM {table} "
                        f"WHERE time >= {group.start} AND time < {group.end}"
                    )
            self._con.execute(f"DELETE FROM {SHARD_GROUPS} WHERE id = ?", [group.id])
            change.prune_tag_codes()

    def _do_drop_measurement(
        self, statement: st.DropMeasurement, database: str | None
    ) -> None:
        db = self._named(database)
        self.drop_measurement(db, statement.name)

    def _named(self, database: str | None) -> str:
        """*database* for a statement that deletes: influxd looks it up even
        when the request names none (``database not found: ``)."""
        if not database:
            raise StatementFailed("database not found: ")
        return self._existing(database)
