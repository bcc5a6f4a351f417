"""A change to the embedded engine's catalog, made inside one transaction.

``CatalogChange`` is the write side of ``catalog.py``: a private copy of
a ``CatalogState`` that a write, a drop or a policy statement changes
together with the stored catalog tables, in the open transaction. The
backend publishes ``state()`` after COMMIT and throws the change away on
ROLLBACK, so no reader ever sees what was not committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from influxpy.backends.duckdb.catalog import (
    DEFAULT_RETENTION_POLICY,
    POLICY_KEYS,
    TAG_CODES_COLUMNS,
    CatalogState,
    FoldedKey,
    TableKey,
    folded_key,
    ident,
    policies_table,
    policy_rows,
    table_sql,
)
from influxpy.backends.duckdb.subscription_table import SUBSCRIPTIONS
from influxpy.compilers.duckdb.catalog import (
    TAG_CODES,
    ColumnInfo,
    case_unique,
    code_column,
    field_column,
    find_column,
    schema_name,
)
from influxpy.exceptions import NotSupportedError

if TYPE_CHECKING:
    from immutables import Map

    from influxpy.backends.duckdb.batches import Batch

__all__ = ["CatalogChange"]

_SQL_TYPES = {
    "float": "DOUBLE",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
    "string": "VARCHAR",
}
_EMPTY: Mapping[str, ColumnInfo] = MappingProxyType({})
_NEW_TAG_CODES = "main.influxpy_tag_codes_new"
#: Pruning deletes unused values while they are fewer than the values that
#: stay divided by this; otherwise it copies the values that stay.
_REBUILD_RATIO = 8
#: Schemas of DuckDB's system catalog: no database can be named so.
_SYSTEM_SCHEMAS = frozenset({"information_schema", "pg_catalog"})


def _case_clash(what: str, other: str) -> None:
    msg = (
        f"The embedded engine cannot store the {what} beside {other!r}: "
        "DuckDB's names ignore case, so names differing only in case are one "
        "name to it (InfluxDB keeps them apart). None of these points were "
        "stored (points of other measurements in the same write may have "
        "been); write them with the stored name's spelling."
    )
    raise NotSupportedError(msg)


def _reachable(name: str) -> None:
    """Refuse a database name DuckDB keeps for its own schemas."""
    if name.lower() in _SYSTEM_SCHEMAS:
        msg = (
            f"The embedded engine cannot store a database named {name!r}: "
            f"DuckDB keeps that name for its own schema (reserved: "
            f"{', '.join(sorted(_SYSTEM_SCHEMAS))}). Choose another name."
        )
        raise NotSupportedError(msg)


def _stored(columns: Mapping[str, ColumnInfo], key: str, role: str) -> bool:
    """Whether *columns* hold *key* as a *role* (``tag`` or ``field``)."""
    if role == "field" and field_column(key) in columns:
        return True
    info = columns.get(key)
    if info is None:
        # A field named apart from a key differing only in case.
        found = find_column(columns, key, role)
        info = found[1] if found is not None else None
    return info is not None and info.role == role


class CatalogChange:
    """A private copy of the catalog, changed inside one transaction.

    Every method changes the stored catalog through *con* (in the open
    transaction) and this copy alike; ``state()`` freezes the copy for
    publishing once the transaction has committed.
    """

    def __init__(self, base: CatalogState, con: Any) -> None:
        self.base = base
        self.con = con
        #: The tables as this transaction changes them (a new map per change).
        self.tables: Map[TableKey, Mapping[str, ColumnInfo]] = base.tables
        self.folded: Map[FoldedKey, TableKey] = base.folded
        self.renamed: Map[TableKey, str] = base.renamed
        self.policies_of: Map[tuple[str, str], tuple[str, ...]] = base.policies_of
        self.databases = set(base.databases)
        self.default_policies = dict(base.default_policies)
        self.dropped_defaults = set(base.dropped_defaults)
        self.policies = dict(base.policies)
        #: Whether tag values were removed from the dictionary (so cached
        #: codes may be stale).
        self.pruned = False
        #: Codes given to tag values in this transaction.
        self.codes: dict[str, int] = {}
        #: Rows of ``main.influxpy_catalog`` not yet inserted (``flush()``):
        #: a write adding many tables inserts them with one statement.
        self._catalog_rows: list[Any] = []

    def flush(self) -> None:
        """Insert the catalog rows this transaction has added so far: before
        a statement that reads or changes them, and before COMMIT."""
        rows, self._catalog_rows = self._catalog_rows, []
        if rows:
            values = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * (len(rows) // 7))
            self.con.execute(f"INSERT INTO main.influxpy_catalog VALUES {values}", rows)

    def state(self) -> CatalogState:
        """The changed catalog, frozen."""
        if (
            self.tables is self.base.tables
            and self.databases == self.base.databases
            and self.default_policies == self.base.default_policies
            and self.dropped_defaults == self.base.dropped_defaults
            and self.policies == self.base.policies
        ):
            return self.base
        return CatalogState(
            self.tables,
            frozenset(self.databases),
            MappingProxyType(dict(self.default_policies)),
            self.base.store,
            frozenset(self.dropped_defaults),
            self.folded,
            self.policies_of,
            MappingProxyType(self.policies),
            self.renamed,
        )

    def table_sql(self, key: TableKey) -> str:
        """The SQL naming the table of *key*, as this transaction sees it."""
        return table_sql(self.base.store, key, self.renamed)

    def _put(
        self, key: TableKey, columns: Mapping[str, ColumnInfo], apart: str = ""
    ) -> None:
        """Record table *key* with *columns* (new or changed); a new table
        named *apart* (``CatalogState.renamed``) or by its plain name."""
        if key not in self.tables:
            if apart:
                self.renamed = self.renamed.set(key, apart)
            else:
                self.folded = self.folded.set(folded_key(key), key)
            named = (key[0], key[2])
            held = self.policies_of.get(named, ())
            self.policies_of = self.policies_of.set(named, (*held, key[1]))
        self.tables = self.tables.set(key, columns)

    def _forget(self, key: TableKey) -> None:
        """Forget table *key*, if it is known."""
        if key in self.tables:
            self.tables = self.tables.delete(key)
            if key in self.renamed:
                self.renamed = self.renamed.delete(key)
            elif self.folded.get(folded_key(key)) == key:
                self.folded = self.folded.delete(folded_key(key))
            named = (key[0], key[2])
            held = tuple(rp for rp in self.policies_of.get(named, ()) if rp != key[1])
            self.policies_of = (
                self.policies_of.set(named, held)
                if held
                else self.policies_of.delete(named)
            )

    # -- databases -------------------------------------------------------------

    def ensure_database(self, name: str) -> None:
        """Create *name* (a DuckDB schema) unless it exists."""
        if name in self.databases:
            return
        _reachable(name)
        for other in self.databases:
            if other.lower() == name.lower():
                _case_clash(f"database {name!r}", other)
        self.con.execute(
            f"CREATE SCHEMA IF NOT EXISTS {schema_name(self.base.store, name)}"
        )
        self.con.execute("INSERT INTO main.influxpy_databases VALUES (?)", [name])
        self.databases.add(name)

    def drop_database(self, name: str) -> None:
        """Drop *name* and everything in it."""
        self.flush()
        if name.lower() == "main":
            # DuckDB's own schema, which holds the engine's tables too.
            for held in [k for k in self.tables if k[0] == name]:
                table = self.table_sql(held)
                self.con.execute(f"DROP TABLE IF EXISTS {table}")
            self.con.execute(
                f"DROP TABLE IF EXISTS {policies_table(self.base.store, name)}"
            )
        else:
            # Unqualified: DuckDB finds "store"."store" ambiguous here (only).
            self.con.execute(f"DROP SCHEMA IF EXISTS {ident(name)} CASCADE")
        self.con.execute("DELETE FROM main.influxpy_catalog WHERE database = ?", [name])
        self.con.execute("DELETE FROM main.influxpy_databases WHERE name = ?", [name])
        self.con.execute(f"DELETE FROM {SUBSCRIPTIONS} WHERE database = ?", [name])
        for key in [k for k in self.tables if k[0] == name]:
            self._forget(key)
        self.databases.discard(name)
        self.default_policies.pop(name, None)
        self.dropped_defaults.discard(name)
        self.policies.pop(name, None)
        self.prune_tag_codes()

    def store_policies(
        self,
        database: str,
        policies: list[dict[str, Any]],
        dropped_default: str | None = None,
    ) -> None:
        """Replace the stored retention policies of *database*.

        When none of *policies* is the default, *dropped_default* names the
        default policy that was dropped: it stays the database's default,
        kept as a row at position -1 with no duration (never listed).
        """
        table = policies_table(self.base.store, database)
        self.con.execute(
            f"CREATE TABLE IF NOT EXISTS {table} (name VARCHAR, duration BIGINT, "
            "shard_duration BIGINT, replication INTEGER, is_default BOOLEAN, "
            "position INTEGER)"
        )
        self.con.execute(f"DELETE FROM {table}")
        # A dropped policy takes its subscriptions with it.
        self.con.execute(
            f"DELETE FROM {SUBSCRIPTIONS} WHERE database = ? AND NOT "
            "list_contains(?, retention_policy)",
            [database, [str(p["name"]) for p in policies]],
        )
        for position, p in enumerate(policies):
            self.con.execute(
                f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?)",
                [
                    p["name"],
                    p["duration"],
                    p["shard_duration"],
                    p["replication"],
                    p["default"],
                    position,
                ],
            )
        self.policies[database] = policy_rows(
            [p[key] for key in POLICY_KEYS] for p in policies
        )
        default = next((str(p["name"]) for p in policies if p["default"]), None)
        self.dropped_defaults.discard(database)
        if default is None and dropped_default is not None:
            self.con.execute(
                f"INSERT INTO {table} VALUES (?, NULL, NULL, NULL, TRUE, -1)",
                [dropped_default],
            )
            self.dropped_defaults.add(database)
            default = dropped_default
        if default is None or default == DEFAULT_RETENTION_POLICY:
            self.default_policies.pop(database, None)
        else:
            self.default_policies[database] = default

    # -- tables ------------------------------------------------------------------

    @staticmethod
    def _refuse_case_clash(
        batch: Batch, current: Mapping[str, ColumnInfo] | None
    ) -> None:
        """Refuse names DuckDB cannot tell apart from stored ones.

        DuckDB matches identifiers ignoring case, so a tag key differing
        from another only in case would meet the other's column. Refused
        before anything changes. A field key is stored under a name of its
        own instead (``case_column``), as a field named like a tag is, and
        so is a measurement's table (``_table_name``).
        """
        # A tag's column is named by its key: another column of that name to
        # DuckDB (a tag, or a field stored first under its own spelling)
        # leaves it none.
        names: dict[str, str] = {}
        for name, info in (current or _EMPTY).items():
            names.setdefault(name.lower(), info.key)
        for key in batch.tags:
            spelled = names.setdefault(key.lower(), key)
            if spelled != key:
                _case_clash(
                    f"tag key {key!r} of measurement {batch.measurement!r}", spelled
                )

    def _table_name(self, key: TableKey) -> str:
        """The name apart of new table *key* when its plain name is taken to
        DuckDB (``CPU`` beside ``cpu`` in one policy: names match ignoring
        case), else ``""``."""
        holder = self.folded.get(folded_key(key))
        if holder is None:
            return ""
        database, rp, measurement = key
        taken = [f"{holder[1]}.{holder[2]}"]
        taken += [name for k, name in self.renamed.items() if k[0] == database]
        return case_unique(f"{rp}.{measurement}", taken)

    def ensure_columns(
        self, database: str, rp: str, batch: Batch
    ) -> Mapping[str, ColumnInfo]:
        """Create the table and the columns *batch* needs; return its columns.

        A key can be a tag in some series and a field in others, as InfluxDB
        allows: the tag keeps the column named by the key and the field
        moves to ``field_column(key)`` (renamed when the field came first).
        """
        key = (database, rp, batch.measurement)
        current = self.tables.get(key)
        apart = "" if current is not None else self._table_name(key)
        # A new table named apart is not in ``renamed`` until ``_put``.
        store = self.base.store
        table = table_sql(store, key, {key: apart}) if apart else self.table_sql(key)
        wanted = [(k, "tag", "string") for k in batch.tags]
        wanted += [(k, "field", kind) for k, (kind, _v) in batch.fields.items()]
        if current is not None and all(
            _stored(current, name, role) for name, role, _kind in wanted
        ):
            return current
        self._refuse_case_clash(batch, current)
        created = current is None
        if created:
            self.ensure_database(database)
        columns = dict(current or _EMPTY)
        position = len(columns)
        definitions: list[str] = []
        rows: list[Any] = []
        for name, role, kind in wanted:
            if _stored(columns, name, role):
                continue
            column = name
            if role == "field" and name in columns:
                column = field_column(name)  # the key is a tag here
            elif role == "tag" and name in columns:
                columns = self._move_field(key, table, columns, name)
            if role == "field":
                # ``T`` beside ``t``: one name to DuckDB, two keys to InfluxDB.
                column = case_unique(column, columns)
            added = [(column, role, kind, _SQL_TYPES[kind])]
            if role == "tag":
                # The tag's values, '' for rows written before it, and their
                # codes (0 for '').
                added = [
                    (name, role, kind, "VARCHAR NOT NULL DEFAULT ''"),
                    (
                        code_column(name),
                        "code",
                        "integer",
                        "INTEGER NOT NULL DEFAULT 0",
                    ),
                ]
            for stored, column_role, column_kind, sql_type in added:
                definitions.append(f"{ident(stored)} {sql_type}")
                rows += [
                    database,
                    rp,
                    batch.measurement,
                    column if column_role == "field" else name,
                    column_role,
                    column_kind,
                    position,
                ]
            position += 1
            columns[column] = ColumnInfo(name, role, kind, coded=role == "tag")
        # A new table is made whole by one statement; each new column of a
        # stored table is added by one.
        if created:
            self.con.execute(
                f"CREATE TABLE {table} "
                f"({', '.join(['time BIGINT NOT NULL', *definitions])})"
            )
        for definition in [] if created else definitions:
            self.con.execute(f"ALTER TABLE {table} ADD COLUMN {definition}")
        self._catalog_rows += rows
        frozen = MappingProxyType(columns)
        self._put(key, frozen, apart)
        return frozen

    def _move_field(
        self, key: TableKey, table: str, columns: dict[str, ColumnInfo], name: str
    ) -> dict[str, ColumnInfo]:
        """Rename field *name*'s column to ``field_column(name)``, so a tag
        of that key can take the column named *name*."""
        moved = field_column(name)
        self.flush()
        self.con.execute(
            f"ALTER TABLE {table} RENAME COLUMN {ident(name)} TO {ident(moved)}"
        )
        self.con.execute(
            "UPDATE main.influxpy_catalog SET key = ? WHERE database = ? AND "
            "retention_policy = ? AND measurement = ? AND key = ? AND role = 'field'",
            [moved, *key, name],
        )
        return {(moved if k == name else k): c for k, c in columns.items()}

    def drop_tables(self, keys: Iterable[TableKey]) -> None:
        """Drop measurement tables and forget their columns."""
        dropped = False
        self.flush()
        for db, rp, measurement in list(keys):
            table = self.table_sql((db, rp, measurement))
            self.con.execute(f"DROP TABLE IF EXISTS {table}")
            self.con.execute(
                "DELETE FROM main.influxpy_catalog WHERE database = ? AND "
                "retention_policy = ? AND measurement = ?",
                [db, rp, measurement],
            )
            self._forget((db, rp, measurement))
            dropped = True
        if dropped:
            self.prune_tag_codes()

    def drop_unused_tags(self) -> None:
        """Drop the tag columns no point of their table carries any more.

        influxd forgets a tag key with its last series: ``*`` and ``GROUP
        BY *`` no longer list it after a DELETE removed every point with
        it (fields stay, as on the server).
        """
        self.flush()
        for key, columns in list(self.tables.items()):
            tags = [(k, c) for k, c in columns.items() if c.role == "tag"]
            if not tags:
                continue
            table = self.table_sql(key)
            checks = ", ".join(
                f"bool_or({ident(code_column(k))} <> 0)"
                if c.coded
                else f"bool_or({ident(k)} <> '')"
                for k, c in tags
            )
            row = self.con.execute(f"SELECT {checks} FROM {table}").fetchone()
            unused = [
                k for (k, _c), used in zip(tags, row or (), strict=True) if not used
            ]
            if not unused:
                continue
            for k in unused:
                self.con.execute(f"ALTER TABLE {table} DROP COLUMN {ident(k)}")
                if columns[k].coded:
                    self.con.execute(
                        f"ALTER TABLE {table} DROP COLUMN {ident(code_column(k))}"
                    )
                self.con.execute(
                    "DELETE FROM main.influxpy_catalog WHERE database = ? AND "
                    "retention_policy = ? AND measurement = ? AND key = ? AND "
                    "role IN ('tag', 'code')",
                    [*key, k],
                )
            self._put(
                key,
                MappingProxyType({k: c for k, c in columns.items() if k not in unused}),
            )

    # -- the tag-value dictionary ------------------------------------------------

    def prune_tag_codes(self) -> None:
        """Remove from the dictionary the tag values no stored table holds.

        Called in the transaction that deletes or drops points, so the
        dictionary never outgrows what is stored. Code 0 ('') stays. Tags no
        stored point carries any more leave their tables first.
        """
        self.drop_unused_tags()
        used = [
            f"SELECT {ident(code_column(k))} AS code FROM {self.table_sql(key)}"
            for key, columns in self.tables.items()
            for k, info in columns.items()
            if info.coded
        ]
        unused = f"SELECT code FROM {TAG_CODES} WHERE code <> 0"
        if used:
            unused += f" EXCEPT SELECT code FROM ({' UNION ALL '.join(used)})"
        con = self.con
        con.execute(f"CREATE OR REPLACE TEMP TABLE influxpy_unused AS {unused}")
        try:
            row = con.execute(
                f"SELECT (SELECT count(*) FROM influxpy_unused), "
                f"(SELECT count(*) FROM {TAG_CODES})"
            ).fetchone()
            gone, total = (int(row[0]), int(row[1])) if row else (0, 0)
            if gone and gone * _REBUILD_RATIO <= total - gone:
                con.execute(
                    f"DELETE FROM {TAG_CODES} WHERE code IN "
                    "(SELECT code FROM influxpy_unused)"
                )
            elif gone:
                # Deleting many rows of an indexed table costs far more than
                # copying the rows that stay into a new one.
                con.execute(f"CREATE TABLE {_NEW_TAG_CODES} ({TAG_CODES_COLUMNS})")
                con.execute(
                    f"INSERT INTO {_NEW_TAG_CODES} SELECT c.code, c.value FROM "
                    f"{TAG_CODES} AS c ANTI JOIN influxpy_unused AS u "
                    "ON c.code = u.code"
                )
                con.execute(f"DROP TABLE {TAG_CODES}")
                con.execute(
                    f"ALTER TABLE {_NEW_TAG_CODES} RENAME TO "
                    f"{TAG_CODES.rsplit('.', 1)[1]}"
                )
        finally:
            con.execute("DROP TABLE influxpy_unused")
        self.pruned = True
