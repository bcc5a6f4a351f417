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

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from influxpy.backends.base import SchemaEditor
from influxpy.backends.duckdb_schema import EmbeddedSchemaEditor as EmbeddedSchemaEditor
from influxpy.backends.influxql_schema import (
    InfluxQLSchemaEditor as InfluxQLSchemaEditor,
)
from influxpy.downsampling import downsampled_source as downsampled_source
from influxpy.exceptions import ImproperlyConfigured
from influxpy.queryset._continuous import ContinuousQuery

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

__all__ = [
    "ContinuousQuery",
    "RetentionPolicy",
    "SchemaEditor",
    "default_shard_duration",
    "ensure_schema",
    "get_schema_editor",
]

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
