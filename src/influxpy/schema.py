"""Schema: databases, retention policies, continuous queries and dropping data.

What a store keeps besides points is declared the Django way and applied
by one call. A model names its retention policies in ``Meta``::

    class Reading(models.InfluxMeasurement):
        value = fields.FloatField()

        class Meta:
            retention_policy = RetentionPolicy('two_weeks', Week(2))

``Reading.series.ensure_schema()`` (or ``influxpy migrate``) then creates
the database and the policy, or alters the policy when its options
changed; running it again changes nothing. Continuous queries are built
from QuerySets (``qs.into(Target).continuous_query(name, ...)``).

A ``SchemaEditor`` runs the statements on one connection (Django's schema
editor). Each backend names its class (``schema_editor_class``, in
``influxpy.backends``): on InfluxDB it compiles them with the InfluxQL
compiler, on the embedded engine it changes the engine's catalog. This
module builds no statement text itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from influxpy.backends.base import SchemaEditor
from influxpy.backends.duckdb_schema import EmbeddedSchemaEditor as EmbeddedSchemaEditor
from influxpy.backends.influxql_schema import (
    InfluxQLSchemaEditor as InfluxQLSchemaEditor,
)
from influxpy.downsampling import downsampled_source as downsampled_source
from influxpy.durations import Duration, as_duration
from influxpy.exceptions import ImproperlyConfigured

# The values models and compilers read live in influxpy.retention; the
# names importable from here before keep working.
from influxpy.retention import (
    RetentionPolicy,
    default_shard_duration,
)
from influxpy.retention import declared_downsampling as declared_downsampling
from influxpy.retention import declared_policies as declared_policies
from influxpy.retention import parse_go_duration as parse_go_duration
from influxpy.retention import policy_from_row as policy_from_row

if TYPE_CHECKING:
    from influxpy.backends.base import Backend
    from influxpy.models import InfluxMeasurement
    from influxpy.query import Query
    from influxpy.queryset import QuerySet

__all__ = [
    "ContinuousQuery",
    "RetentionPolicy",
    "SchemaEditor",
    "default_shard_duration",
    "ensure_schema",
    "get_schema_editor",
]

# -- continuous queries -------------------------------------------------------


class ContinuousQuery:
    """A continuous query: an ``into()`` QuerySet the server runs on a schedule.

    Build one from a QuerySet with ``qs.into(Target).continuous_query(name,
    resample_every=..., resample_for=...)`` or, as in the original
    influxpy, ``ContinuousQuery(queryset, name, source, resample_every,
    resample_for)``, where *source* is the database the query runs on (the
    QuerySet's by default). Building one sends nothing: ``create()``,
    ``replace()`` (drop, then create) and ``drop()`` do. ``str(cq)`` is the
    ``CREATE CONTINUOUS QUERY`` statement.

    The query needs ``into()`` and ``resolution()``; ``into()`` keeps the
    tags (``GROUP BY *``) unless ``group_by()`` names them.
    """

    def __init__(
        self,
        queryset: QuerySet[Any],
        name: str,
        source: str | None = None,
        resample_every: Duration | dt.timedelta | None = None,
        resample_for: Duration | dt.timedelta | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            msg = f"A continuous query needs a non-empty name; got {name!r}."
            raise ValueError(msg)
        query = queryset.query
        if query.into is None:
            msg = (
                f"The continuous query {name!r} writes its results somewhere: "
                "call into(Target) on the QuerySet first."
            )
            raise ValueError(msg)
        if query.group_by_time is None:
            msg = (
                f"The continuous query {name!r} needs time windows: add "
                ".resolution(...) (and a function such as Mean) to the QuerySet."
            )
            raise ValueError(msg)
        query.check()
        self.queryset = queryset
        self.name = name
        self.source = source
        self.resample_every = (
            None
            if resample_every is None
            else as_duration(resample_every, "resample_every")
        )
        self.resample_for = (
            None if resample_for is None else as_duration(resample_for, "resample_for")
        )

    def __repr__(self) -> str:
        return f"<ContinuousQuery {self.name!r}: {self}>"

    def __str__(self) -> str:
        from influxpy.compilers.influxql import InfluxQLCompiler

        text: str = self._compile(InfluxQLCompiler(), self._database_name()).text
        return text

    def iql_query(self) -> str:
        """Return the ``CREATE CONTINUOUS QUERY`` statement (the seed's name)."""
        return str(self)

    @property
    def query(self) -> Query:
        """The SELECT … INTO the server runs."""
        return self.queryset.query

    def _database_name(self, backend: Backend | None = None) -> str:
        if self.source:
            return self.source
        backend = backend or self.queryset._backend()
        return self.queryset._database(backend)

    def _compile(self, compiler: Any, database: str) -> Any:
        return compiler.create_continuous_query(
            database,
            self.name,
            self.query,
            resample_every=self.resample_every,
            resample_for=self.resample_for,
        )

    def _editor(self) -> tuple[SchemaEditor, str]:
        backend = self.queryset._backend()
        return backend.schema_editor(), self._database_name(backend)

    def create(self) -> None:
        """Create the continuous query on the server.

        Creating the same definition again changes nothing; a different
        query of that name raises ``ProgrammingError`` (use ``replace()``).
        The embedded engine raises ``NotSupportedError``.
        """
        editor, database = self._editor()
        editor.create_continuous_query(self, database)

    def drop(self) -> None:
        """Drop the continuous query (nothing happens if it does not exist)."""
        editor, database = self._editor()
        editor.drop_continuous_query(self.name, database)

    def replace(self) -> None:
        """Drop the continuous query if it exists, then create it anew."""
        self.drop()
        self.create()

    def save(self, force: bool = False) -> None:
        """Create the query; with *force*, replace one of the same name (seed)."""
        if force:
            self.replace()
        else:
            self.create()

    def exists(self) -> bool:
        """Return whether a continuous query of this name exists."""
        backend = self.queryset._backend()
        database = self._database_name(backend)
        found = backend.introspection(database).continuous_queries()
        return any(cq.name == self.name for cq in found)


# -- schema editors -----------------------------------------------------------


def get_schema_editor(using: str | Backend = "default") -> SchemaEditor:
    """Return the schema editor of a connection (an alias or a backend)."""
    from influxpy.connection import get_connection

    backend = get_connection(using) if isinstance(using, str) else using
    return backend.schema_editor()


# -- ensure_schema ------------------------------------------------------------


def ensure_schema(
    models: Iterable[type[InfluxMeasurement]],
    *,
    using: str | None = None,
    database: str | None = None,
) -> list[str]:
    """Create the databases and retention policies *models* declare.

    Missing databases and policies are created; a policy whose options
    differ from the declaration is altered. Running it again changes
    nothing. Returns one sentence per change made (empty when the schema
    was already right). *using* and *database* override the models'
    connection and database.
    """
    plan: dict[tuple[str, str], dict[str, tuple[RetentionPolicy, str]]] = {}
    backends: dict[str, Backend] = {}
    for model in models:
        qs = model.series.all() if using is None else model.series.using(using)
        if database is not None:
            qs = qs.database(database)
        backend = qs._backend()
        backends[qs._alias()] = backend
        name = qs._database(backend)
        policies = plan.setdefault((qs._alias(), name), {})
        for policy in model._meta.retention_policies:
            known = policies.get(policy.name)
            if known is not None and known[0] != policy:
                msg = (
                    f"{model.__name__} and {known[1]} declare the retention policy "
                    f"{policy.name!r} on {name!r} with different options: "
                    f"{policy!r} and {known[0]!r}."
                )
                raise ImproperlyConfigured(msg)
            policies[policy.name] = (policy, model.__name__)
        defaults = sorted({p.name for p, _ in policies.values() if p.default})
        if len(defaults) > 1:
            names = ", ".join(defaults)
            msg = (
                f"The models declare several default retention policies on "
                f"{name!r} ({names}); a database has one default."
            )
            raise ImproperlyConfigured(msg)
    done: list[str] = []
    for (alias, db), policies in plan.items():
        backend = backends[alias]
        editor = backend.schema_editor()
        if db not in editor.list_databases():
            editor.create_database(db)
            done.append(f"Created database {db!r}.")
        stored = {p.name: p for p in backend.introspection(db).retention_policies()}
        for policy, _owner in _defaults_last(policies.values()):
            current = stored.get(policy.name)
            if current is None:
                editor.create_retention_policy(policy, db)
                done.append(f"Created retention policy {policy.name!r} on {db!r}.")
                continue
            changes = policy.differences(current)
            if changes:
                editor.alter_retention_policy(policy, db)
                what = "; ".join(changes)
                done.append(
                    f"Altered retention policy {policy.name!r} on {db!r}: {what}."
                )
    return done


def _defaults_last(
    items: Iterable[tuple[RetentionPolicy, str]],
) -> Sequence[tuple[RetentionPolicy, str]]:
    return sorted(items, key=lambda item: item[0].default)
