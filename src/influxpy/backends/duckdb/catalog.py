"""The embedded engine's catalog: which tables, columns, databases and default
retention policies exist, as every thread sees them.

The stored catalog lives in DuckDB tables (``main.influxpy_catalog``,
``main.influxpy_databases`` and each database's policies table). Readers
use ``CatalogState``, an immutable snapshot of what is committed. A change
(a write adding a column, a drop) builds a ``CatalogChange``
(``catalog_change.py``): a private copy of the state that only the
transaction sees. After COMMIT the backend publishes the change's new
state by swapping one reference; after ROLLBACK it throws the change away.
So no thread ever sees a column, a table or a policy that is not
committed, nor a catalog emptied by a refused write.

The tables are held in persistent maps (``immutables.Map``, a hash array
mapped trie): a change that adds or drops a table makes a new map sharing
all but a few nodes with the old one, so the cost of a change does not
grow with the tables already stored (a copy of a dict of 100,000 tables
per write made writing many measurements quadratic).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from influxpy.compilers.duckdb.catalog import (
    ColumnInfo,
    case_free,
    schema_name,
    stored_key,
)

if TYPE_CHECKING:
    from immutables import Map


__all__ = [
    "AUTOGEN_POLICY",
    "DEFAULT_RETENTION_POLICY",
    "POLICY_KEYS",
    "TAG_CODES_COLUMNS",
    "CatalogState",
    "DatabaseTables",
    "FoldedKey",
    "PolicyRow",
    "TableKey",
    "folded_key",
    "ident",
    "load_state",
    "policies_table",
    "policy_rows",
    "policy_shard_ns",
    "table_name",
    "table_sql",
]

DEFAULT_RETENTION_POLICY = "autogen"
#: ``(database, retention policy, measurement)``.
TableKey = tuple[str, str, str]
#: ``(database, "rp.measurement" in lower case)``: a table's name as DuckDB
#: matches it.
FoldedKey = tuple[str, str]
#: A retention policy as ``retention_policies()`` gives it: ``name``,
#: ``duration`` and ``shard_duration`` (ns), ``replication``, ``default``.
PolicyRow = Mapping[str, Any]
#: The keys of a ``PolicyRow``, in the policies table's column order.
POLICY_KEYS = ("name", "duration", "shard_duration", "replication", "default")
#: The policy of a database whose policies were never changed: ``autogen``,
#: infinite, 7-day shard groups, the default, as InfluxDB creates it.
AUTOGEN_POLICY: PolicyRow = MappingProxyType(
    {
        "name": DEFAULT_RETENTION_POLICY,
        "duration": 0,
        "shard_duration": 7 * 86_400 * 1_000_000_000,
        "replication": 1,
        "default": True,
    }
)
#: The columns of the tag-value dictionary (``TAG_CODES``).
TAG_CODES_COLUMNS = "code INTEGER PRIMARY KEY, value VARCHAR UNIQUE NOT NULL"


class DatabaseTables(Mapping[tuple[str, str], Mapping[str, ColumnInfo]]):
    """The tables of one database, ``(rp, measurement) -> columns``: a view
    of the catalog's map, so a query naming one measurement looks it up
    instead of copying every table of the database."""

    def __init__(self, state: CatalogState, database: str) -> None:
        self._state = state
        self._database = database

    def __getitem__(self, key: tuple[str, str]) -> Mapping[str, ColumnInfo]:
        return self._state.tables[(self._database, *key)]

    def get(self, key: tuple[str, str], default: Any = None) -> Any:
        """The columns of ``(rp, measurement)``, or *default*."""
        return self._state.tables.get((self._database, *key), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and (self._database, *key) in self._state.tables

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return ((rp, m) for rp, m, _columns in self._state.tables_of(self._database))

    def __len__(self) -> int:
        return len(self._state.tables_of(self._database))


def _persistent() -> type[Map[Any, Any]]:
    """``immutables.Map``, imported by the engine only (a program that only
    talks to InfluxDB over HTTP installs none of the engine's packages)."""
    from immutables import Map

    return Map


def _empty_map() -> Map[Any, Any]:
    return _persistent()()


def ident(name: str) -> str:
    """Double-quote a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def policy_shard_ns(policy: Mapping[str, Any] | None) -> int:
    """The shard group duration of *policy* (a ``retention_policies()``
    dict, or None for a policy that does not exist), in ns: 7 days where
    none is recorded."""
    recorded = int((policy or {}).get("shard_duration") or 0)
    return recorded or int(AUTOGEN_POLICY["shard_duration"])


def table_sql(store: str, key: TableKey, renamed: Mapping[TableKey, str]) -> str:
    """The SQL naming the table of *key*, named apart where *renamed* says."""
    database, rp, measurement = key
    name = renamed.get(key)
    if name is None:
        return table_name(store, database, rp, measurement)
    return f"{schema_name(store, database)}.{ident(name)}"


def table_name(store: str, database: str, rp: str, measurement: str) -> str:
    """The DuckDB table of a measurement in a retention policy.

    Named with the DuckDB catalog *store* too: a database (schema) named
    like a catalog (the file's name, ``memory``, ``system``, ``temp``)
    would otherwise be an ambiguous reference.
    """
    return f"{schema_name(store, database)}.{ident(rp + '.' + measurement)}"


def policies_table(store: str, database: str) -> str:
    """The table of *database*'s retention policies.

    Inside the database's schema, so dropping the database drops it too;
    measurement tables are named "rp.measurement" and never collide with it.
    """
    return f"{schema_name(store, database)}.influxpy_retention_policies"


@dataclasses.dataclass(frozen=True)
class CatalogState:
    """The committed catalog; never changed once published."""

    tables: Map[TableKey, Mapping[str, ColumnInfo]]
    databases: frozenset[str]
    #: Each database's default retention policy, where it is not ``autogen``.
    default_policies: Mapping[str, str]
    #: The DuckDB catalog the databases are schemas of (the file's name, or
    #: ``memory``), which every table name spells out.
    store: str
    #: Databases whose default policy was dropped: as on influxd, they keep
    #: its name as their default, and points and queries naming no policy
    #: fail (``retention policy not found``) until a policy of that name is
    #: created again or another is made the default.
    dropped_defaults: frozenset[str] = frozenset()
    #: Each table's key by its name as DuckDB matches names (ignoring case).
    folded: Map[FoldedKey, TableKey] = dataclasses.field(default_factory=_empty_map)
    #: ``(database, measurement) -> the policies holding a table of it``.
    policies_of: Map[tuple[str, str], tuple[str, ...]] = dataclasses.field(
        default_factory=_empty_map
    )
    #: The listed retention policies of each database that has a policies
    #: table, in their stored order; a database without one has only
    #: ``autogen`` (``retention_policies()``). Read on every query (shard
    #: durations), so kept here instead of read from the table.
    policies: Mapping[str, tuple[PolicyRow, ...]] = dataclasses.field(
        default_factory=lambda: MappingProxyType({})
    )
    #: The table names of measurements named like another of their policy
    #: but for case (``CPU`` beside ``cpu``): DuckDB matches names ignoring
    #: case, so such a table is named apart (``case_column``); every other
    #: table is named ``rp.measurement``. ``folded`` holds the latter only.
    renamed: Map[TableKey, str] = dataclasses.field(default_factory=_empty_map)

    def listed_policies(self, database: str) -> tuple[PolicyRow, ...]:
        """*database*'s retention policies in their order (``autogen`` alone
        for a database whose policies were never changed)."""
        return self.policies.get(database, (AUTOGEN_POLICY,))

    def policy(self, database: str, rp: str) -> PolicyRow | None:
        """Policy *rp* of *database*, or None when it has none of that name."""
        return next(
            (p for p in self.listed_policies(database) if p["name"] == rp), None
        )

    def table_sql(self, key: TableKey) -> str:
        """The SQL naming the table of *key*."""
        return table_sql(self.store, key, self.renamed)

    def table_names(self, database: str) -> dict[tuple[str, str], str]:
        """``(rp, measurement) -> table name`` of *database*'s tables named
        apart (``Catalog.table_names``)."""
        return {
            (rp, m): name
            for (db, rp, m), name in self.renamed.items()
            if db == database
        }

    def default_policy(self, database: str) -> str:
        """The policy points and queries naming none use on *database*."""
        return self.default_policies.get(database, DEFAULT_RETENTION_POLICY)

    def tables_of(
        self, database: str, measurement: str | None = None
    ) -> list[tuple[str, str, Mapping[str, ColumnInfo]]]:
        """``(rp, measurement, columns)`` of *database*'s tables, sorted."""
        if measurement is not None:
            return [
                (rp, measurement, self.tables[(database, rp, measurement)])
                for rp in sorted(self.policies_of.get((database, measurement), ()))
            ]
        return sorted(
            (
                (rp, m, columns)
                for (db, rp, m), columns in self.tables.items()
                if db == database
            ),
            key=lambda table: (table[1], table[0]),
        )


def load_state(con: Any) -> CatalogState:
    """Read the committed catalog through *con*."""
    rows = con.execute(
        "SELECT database, retention_policy, measurement, key, role, type "
        "FROM main.influxpy_catalog ORDER BY position"
    ).fetchall()
    tables: dict[TableKey, dict[str, ColumnInfo]] = {}
    coded = []
    for db, rp, measurement, key, role, kind in rows:
        columns = tables.setdefault((db, rp, measurement), {})
        if role == "code":
            coded.append((columns, key))
        else:
            columns[key] = ColumnInfo(stored_key(key), role, kind)
    # Tables written before tags had codes keep grouping by the values.
    for columns, key in coded:
        columns[key] = dataclasses.replace(columns[key], coded=True)
    store = str(con.execute("SELECT current_database()").fetchone()[0])
    names = con.execute("SELECT name FROM main.influxpy_databases").fetchall()
    databases = frozenset(str(r[0]) for r in names)
    with_policies = con.execute(
        "SELECT schema_name FROM duckdb_tables() "
        "WHERE table_name = 'influxpy_retention_policies'"
    ).fetchall()
    defaults = {}
    dropped = set()
    policies = {}
    for (db,) in with_policies:
        if db not in databases:
            continue
        rows = con.execute(
            "SELECT name, duration, shard_duration, replication, is_default, "
            f"position FROM {policies_table(store, db)} ORDER BY position"
        ).fetchall()
        policies[db] = policy_rows(row[:-1] for row in rows if row[-1] >= 0)
        # The default: a listed policy, or (position -1) a dropped one's name.
        default = next((row for row in rows if row[4]), None)
        if default is not None and default[0] != DEFAULT_RETENTION_POLICY:
            defaults[db] = str(default[0])
        if default is not None and default[-1] < 0:
            dropped.add(db)
    renamed = _renamed(con, tables)
    persistent = _persistent()
    holding: dict[tuple[str, str], tuple[str, ...]] = {}
    for db, rp, measurement in tables:
        holding[(db, measurement)] = (*holding.get((db, measurement), ()), rp)
    return CatalogState(
        persistent((key, MappingProxyType(columns)) for key, columns in tables.items()),
        databases,
        MappingProxyType(defaults),
        store,
        frozenset(dropped),
        persistent((folded_key(key), key) for key in tables if key not in renamed),
        persistent(holding),
        MappingProxyType(policies),
        persistent(renamed),
    )


def _renamed(con: Any, tables: Iterable[TableKey]) -> dict[TableKey, str]:
    """The tables of *tables* stored under a name apart (``renamed``): those
    whose plain name is not among the stored tables' exact names."""
    names: dict[str, set[str]] = {}
    for schema, name in con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() "
        "WHERE database_name = current_database()"
    ).fetchall():
        names.setdefault(str(schema), set()).add(str(name))
    renamed = {}
    for key in tables:
        database, rp, measurement = key
        plain = f"{rp}.{measurement}"
        stored = names.get(database, set())
        if plain in stored:
            continue
        apart = [n for n in stored if n != plain and case_free(n) == plain]
        if apart:
            renamed[key] = apart[0]
    return renamed


def policy_rows(rows: Iterable[Sequence[Any]]) -> tuple[PolicyRow, ...]:
    """Rows of a policies table (``POLICY_KEYS`` order) as read-only policies."""
    return tuple(
        MappingProxyType(dict(zip(POLICY_KEYS, row, strict=True))) for row in rows
    )


def folded_key(key: TableKey) -> FoldedKey:
    """*key*'s table name as DuckDB matches it (ignoring case)."""
    db, rp, measurement = key
    return (db, f"{rp}.{measurement}".lower())
