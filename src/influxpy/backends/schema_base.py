"""The base classes of a store's schema editor and introspection.

``SchemaEditor`` (Django's schema editor) changes one connection's schema
and ``Introspection`` answers questions about one of its databases; a
backend names its subclasses in ``schema_editor_class`` and
``introspection_class``. They reach the backend only through ``Store``, so
this module needs no import of ``backends.base``, which re-exports these
names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar, Protocol

from influxpy.exceptions import NotSupportedError

if TYPE_CHECKING:
    from influxpy.compilers.base import Compiled, Compiler
    from influxpy.durations import Duration
    from influxpy.expressions import WhereNode
    from influxpy.query import Query, Source
    from influxpy.results import Series
    from influxpy.retention import RetentionPolicy

__all__ = [
    "ContinuousQueryDefinition",
    "ContinuousQueryInfo",
    "Introspection",
    "SchemaEditor",
    "Store",
]


class Store(Protocol):
    """What a schema editor and an introspection ask of their backend
    (``backends.base.Backend`` has it all)."""

    @property
    def vendor(self) -> str:
        """Short name used in messages."""

    def execute(
        self,
        compiled: Compiled,
        *,
        database: str | None = None,
        chunk_size: int | None = None,
    ) -> Iterator[Series]:
        """Run one statement and yield its result series in order."""

    def get_compiler(self, database: str | None = None) -> Compiler:
        """Return a compiler for queries on *database*."""

    def create_database(self, name: str | None = None) -> None:
        """Create a database."""

    def drop_database(self, name: str | None = None) -> None:
        """Drop a database and all its data."""

    def list_databases(self) -> list[str]:
        """Return the names of the databases."""


class ContinuousQueryDefinition(Protocol):
    """What a schema editor reads of a continuous query to create it."""

    @property
    def name(self) -> str:
        """The query's name."""

    @property
    def query(self) -> Query:
        """The SELECT … INTO the server runs."""

    @property
    def resample_every(self) -> Duration | None:
        """How often the server runs the query (``None``: every window)."""

    @property
    def resample_for(self) -> Duration | None:
        """How far back each run reads (``None``: one window)."""


class SchemaEditor:
    """Run schema statements on one connection (Django's schema editor).

    A backend names its class in ``schema_editor_class``; callers get one
    with ``backend.schema_editor()``. This base creates, drops and lists
    databases through the backend; a store's class adds retention
    policies, continuous queries, and dropping measurements and series.
    """

    def __init__(self, backend: Store) -> None:
        self.backend = backend

    def __repr__(self) -> str:
        return f"<{type(self).__name__} for {self.backend!r}>"

    def create_database(self, name: str) -> None:
        """Create a database; an existing one is kept."""
        self.backend.create_database(name)

    def drop_database(self, name: str) -> None:
        """Drop a database and every point in it."""
        self.backend.drop_database(name)

    def list_databases(self) -> list[str]:
        """Return the names of the databases."""
        return self.backend.list_databases()

    def create_retention_policy(self, policy: RetentionPolicy, database: str) -> None:
        """Create *policy* on *database*."""
        raise NotImplementedError

    def alter_retention_policy(self, policy: RetentionPolicy, database: str) -> None:
        """Give the existing policy of that name *policy*'s options."""
        raise NotImplementedError

    def drop_retention_policy(self, name: str, database: str) -> None:
        """Drop a retention policy and the points it holds."""
        raise NotImplementedError

    def create_continuous_query(
        self, cq: ContinuousQueryDefinition, database: str
    ) -> None:
        """Create a continuous query on *database*."""
        raise self._no_continuous_queries()

    def drop_continuous_query(self, name: str, database: str) -> None:
        """Drop a continuous query (nothing happens if it does not exist)."""
        raise self._no_continuous_queries()

    def drop_measurement(self, measurement: str, database: str) -> None:
        """Drop a measurement: its points in every policy, and its series."""
        raise NotImplementedError

    def drop_series(
        self, source: Source, where: WhereNode | None, database: str
    ) -> None:
        """Drop the series of *source* whose tags match *where* (all if None)."""
        raise NotImplementedError

    #: How messages name the store ("embedded engine" for the engine).
    store_name: ClassVar[str] = "backend"

    def _no_continuous_queries(self) -> NotSupportedError:
        msg = (
            f"The {self.store_name} ({self.backend.vendor}) cannot run continuous "
            "queries: they need an InfluxDB 1.x server "
            "(influxpy.connect('influxdb://…'))."
        )
        return NotSupportedError(msg)


@dataclasses.dataclass(frozen=True)
class ContinuousQueryInfo:
    """A continuous query as stored: its name, database and statement text."""

    name: str
    database: str
    query: str


class Introspection:
    """Questions about one database of one connection.

    A backend names its class in ``introspection_class``; callers get one
    with ``backend.introspection(database)``. Results are sorted as
    InfluxDB sorts them. ``field_keys()`` reads one retention policy (the
    default when none is named), because field types are kept per policy;
    tags and measurements span all policies.
    """

    def __init__(self, backend: Store, database: str) -> None:
        self.backend = backend
        self.database = database

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.database!r} on {self.backend!r}>"

    def databases(self) -> list[str]:
        """Return the names of the databases on the connection."""
        return self.backend.list_databases()

    def measurements(self) -> list[str]:
        """Return the names of the measurements that hold points."""
        raise NotImplementedError

    def tag_keys(self, measurement: str) -> list[str]:
        """Return the tag keys of *measurement*."""
        raise NotImplementedError

    def tag_values(self, measurement: str, key: str) -> list[str]:
        """Return the values the tag *key* takes in *measurement*."""
        raise NotImplementedError

    def field_keys(
        self, measurement: str, retention_policy: str | None = None
    ) -> dict[str, str]:
        """Return ``{field key: type}`` for *measurement*.

        Types are ``float``, ``integer``, ``boolean`` or ``string``; a key
        stored with several types (in different shards) maps to them joined
        by ``|``, such as ``'float|integer'``.
        """
        types: dict[str, list[str]] = {}
        for key, kind in self._field_key_rows(measurement, retention_policy):
            kinds = types.setdefault(key, [])
            if kind not in kinds:
                kinds.append(kind)
        return {key: "|".join(kinds) for key, kinds in types.items()}

    def _field_key_rows(
        self, measurement: str, retention_policy: str | None
    ) -> list[tuple[str, str]]:
        raise NotImplementedError

    def series_cardinality(self, measurement: str | None = None) -> int:
        """Return the exact number of series (of *measurement*, or of all)."""
        raise NotImplementedError

    def series_without_tag(self, measurement: str, key: str) -> int:
        """Return how many series of *measurement* lack the tag *key*."""
        raise NotImplementedError

    def retention_policies(self) -> list[RetentionPolicy]:
        """Return the retention policies, in the order they were created."""
        raise NotImplementedError

    def continuous_queries(self) -> list[ContinuousQueryInfo]:
        """Return the continuous queries of the database."""
        raise NotImplementedError

    def default_retention_policy(self) -> str | None:
        """Return the name of the default retention policy, if there is one."""
        return next((p.name for p in self.retention_policies() if p.default), None)
