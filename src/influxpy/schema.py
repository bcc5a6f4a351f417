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
editor): on InfluxDB it compiles them with the InfluxQL compiler, on the
embedded engine it changes the engine's catalog. This module builds no
statement text itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from influxpy.durations import Duration, Hour, as_duration, duration_from_nanoseconds
from influxpy.exceptions import (
    ImproperlyConfigured,
    NotSupportedError,
)

if TYPE_CHECKING:
    from influxpy.backends.base import Backend
    from influxpy.backends.duckdb import DuckDBBackend
    from influxpy.expressions import WhereNode
    from influxpy.models import InfluxMeasurement
    from influxpy.query import GroupByTime, Query, Source
    from influxpy.queryset import QuerySet

__all__ = [
    "ContinuousQuery",
    "RetentionPolicy",
    "SchemaEditor",
    "default_shard_duration",
    "ensure_schema",
    "get_schema_editor",
]

_HOUR_NS = 3_600 * 1_000_000_000
_DAY_NS = 24 * _HOUR_NS
_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|h|m|s)")
_GO_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60 * 1_000_000_000,
    "h": _HOUR_NS,
}


def parse_go_duration(text: str) -> int:
    """Return the nanoseconds of a duration as InfluxDB prints it (``168h0m0s``)."""
    total = 0
    position = 0
    for match in _GO_DURATION.finditer(text):
        if match.start() != position:
            break
        whole, _, fraction = match.group(1).partition(".")
        unit = _GO_UNITS[match.group(2)]
        total += int(whole) * unit
        if fraction:
            total += int(fraction) * unit // 10 ** len(fraction)
        position = match.end()
    if position != len(text) or not text:
        msg = f"{text!r} is not a duration as InfluxDB writes one (e.g. '168h0m0s')."
        raise ValueError(msg)
    return total


def default_shard_duration(duration: Duration | None) -> Duration:
    """Return the shard-group duration InfluxDB picks for a policy *duration*.

    Under 2 days: 1 hour; under 180 days: 1 day; longer or infinite: 7
    days (reference §4.2, observed on 1.6.7).
    """
    ns = 0 if duration is None else duration.nanoseconds
    if ns == 0 or ns >= 180 * _DAY_NS:
        return duration_from_nanoseconds(7 * _DAY_NS)
    if ns >= 2 * _DAY_NS:
        return duration_from_nanoseconds(_DAY_NS)
    return Hour(1)


def _optional_duration(value: Any, what: str) -> Duration | None:
    if value is None or (isinstance(value, str) and value.upper() == "INF"):
        return None
    duration = as_duration(value, what)
    if duration.value == 0:
        return None
    return duration


@dataclasses.dataclass(frozen=True)
class RetentionPolicy:
    """A retention policy: how long a database keeps points, and where.

    ``duration`` is a ``Duration`` or ``timedelta`` of at least one hour, or
    ``None`` (or ``'INF'``) to keep points forever. ``shard_duration`` left
    ``None`` lets the server choose (see ``default_shard_duration``);
    ``default`` makes it the policy that writes and queries naming no policy
    use. Durations are compared by length (``Day(7)`` matches ``Week(1)``)
    when the schema is checked.
    """

    name: str
    duration: Duration | None
    replication: int = 1
    shard_duration: Duration | None = None
    default: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name:
            msg = f"RetentionPolicy() takes a non-empty name; got {self.name!r}."
            raise ValueError(msg)
        duration = _optional_duration(self.duration, "RetentionPolicy's duration")
        shard = _optional_duration(
            self.shard_duration, "RetentionPolicy's shard_duration"
        )
        for what, value in (("duration", duration), ("shard_duration", shard)):
            if value is not None and value.nanoseconds < _HOUR_NS:
                msg = (
                    f"RetentionPolicy {self.name!r}: InfluxDB keeps points for at "
                    f"least one hour, so {what} must be Hour(1) or longer (or None "
                    f"for ever); got {value!r}."
                )
                raise ValueError(msg)
        replication = self.replication
        if (
            isinstance(replication, bool)
            or not isinstance(replication, int)
            or replication < 1
        ):
            msg = (
                f"RetentionPolicy {self.name!r}: replication must be a whole "
                f"number of at least 1; got {replication!r}."
            )
            raise ValueError(msg)
        default: object = self.default
        if not isinstance(default, bool):
            msg = (
                f"RetentionPolicy {self.name!r}: default must be True or False; "
                f"got {self.default!r}."
            )
            raise TypeError(msg)
        object.__setattr__(self, "duration", duration)
        object.__setattr__(self, "shard_duration", shard)

    @property
    def effective_shard_duration(self) -> Duration:
        """The shard-group duration the server will use."""
        if self.shard_duration is not None:
            return max(self.shard_duration, Hour(1))
        return default_shard_duration(self.duration)

    def differences(self, stored: RetentionPolicy) -> list[str]:
        """Describe how *stored* differs from this declaration (empty if not).

        The shard duration is compared only when declared, and ``default``
        only when this declaration asks for it.
        """
        out = []
        mine = self.duration.nanoseconds if self.duration else 0
        theirs = stored.duration.nanoseconds if stored.duration else 0
        if mine != theirs:
            now, declared = _show(stored.duration), _show(self.duration)
            out.append(f"duration is {now}, declared {declared}")
        if self.replication != stored.replication:
            out.append(
                f"replication is {stored.replication}, declared {self.replication}"
            )
        if (
            self.shard_duration is not None
            and self.effective_shard_duration.nanoseconds
            != stored.effective_shard_duration.nanoseconds
        ):
            now = _show(stored.effective_shard_duration)
            declared = _show(self.shard_duration)
            out.append(f"shard duration is {now}, declared {declared}")
        if self.default and not stored.default:
            out.append("it is not the default policy, declared default")
        return out


def _show(duration: Duration | None) -> str:
    return "INF" if duration is None else str(duration)


def declared_policies(
    model_name: str, retention_policy: Any, retention_policies: Any
) -> tuple[str | None, tuple[RetentionPolicy, ...]]:
    """Read ``Meta.retention_policy`` and ``Meta.retention_policies``.

    Return the policy name the model reads and writes (``None`` for the
    database's default) and the policies it declares. A ``RetentionPolicy``
    given as ``retention_policy`` is declared and used; without
    ``retention_policy``, a declared ``default=True`` policy is used, so the
    model names it explicitly on every backend.
    """
    declared: list[RetentionPolicy] = []
    if not isinstance(retention_policies, (list, tuple)) or not all(
        isinstance(p, RetentionPolicy) for p in retention_policies
    ):
        msg = (
            f"{model_name}.Meta.retention_policies takes a list of "
            f"RetentionPolicy objects; got {retention_policies!r}."
        )
        raise ImproperlyConfigured(msg)
    declared.extend(retention_policies)
    name: str | None
    if isinstance(retention_policy, RetentionPolicy):
        if retention_policy not in declared:
            declared.append(retention_policy)
        name = retention_policy.name
    elif retention_policy is None or isinstance(retention_policy, str):
        name = retention_policy or None
    else:
        msg = (
            f"{model_name}.Meta.retention_policy takes a policy name or a "
            f"RetentionPolicy; got {retention_policy!r}."
        )
        raise ImproperlyConfigured(msg)
    seen: dict[str, RetentionPolicy] = {}
    for policy in declared:
        other = seen.setdefault(policy.name, policy)
        if other is not policy and other != policy:
            msg = (
                f"{model_name} declares the retention policy {policy.name!r} "
                f"twice with different options: {other!r} and {policy!r}."
            )
            raise ImproperlyConfigured(msg)
    defaults = sorted({p.name for p in declared if p.default})
    if len(defaults) > 1:
        names = ", ".join(defaults)
        msg = (
            f"{model_name} declares several default retention policies "
            f"({names}); a database has one default."
        )
        raise ImproperlyConfigured(msg)
    if name is None and defaults:
        name = defaults[0]
    return name, tuple(seen.values())


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
        return get_schema_editor(backend), self._database_name(backend)

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
        from influxpy.introspection import get_introspection

        backend = self.queryset._backend()
        database = self._database_name(backend)
        found = get_introspection(backend, database).continuous_queries()
        return any(cq.name == self.name for cq in found)


# -- schema editors -----------------------------------------------------------


class SchemaEditor:
    """Run schema statements on one connection (``get_schema_editor()``)."""

    def __init__(self, backend: Backend) -> None:
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

    def create_continuous_query(self, cq: ContinuousQuery, database: str) -> None:
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

    def _no_continuous_queries(self) -> NotSupportedError:
        name = "embedded engine" if self.backend.vendor == "duckdb" else "backend"
        msg = (
            f"The {name} ({self.backend.vendor}) cannot run continuous queries: "
            "they need an InfluxDB 1.x server (influxpy.connect('influxdb://…'))."
        )
        return NotSupportedError(msg)


class InfluxQLSchemaEditor(SchemaEditor):
    """Compile schema statements with the InfluxQL compiler and run them."""

    def _run(self, compiled: Any, database: str | None = None) -> None:
        list(self.backend.execute(compiled, database=database))

    @property
    def _compiler(self) -> Any:
        return self.backend.get_compiler()

    def create_retention_policy(self, policy: RetentionPolicy, database: str) -> None:
        """``CREATE RETENTION POLICY … ON …``."""
        self._run(self._compiler.create_retention_policy(database, policy), database)

    def alter_retention_policy(self, policy: RetentionPolicy, database: str) -> None:
        """``ALTER RETENTION POLICY … ON …`` with every declared option."""
        self._run(self._compiler.alter_retention_policy(database, policy), database)

    def drop_retention_policy(self, name: str, database: str) -> None:
        """``DROP RETENTION POLICY … ON …``."""
        self._run(self._compiler.drop_retention_policy(database, name), database)

    def create_continuous_query(self, cq: ContinuousQuery, database: str) -> None:
        """``CREATE CONTINUOUS QUERY … ON … BEGIN … END``."""
        self._run(cq._compile(self._compiler, database), database)

    def drop_continuous_query(self, name: str, database: str) -> None:
        """``DROP CONTINUOUS QUERY … ON …``."""
        self._run(self._compiler.drop_continuous_query(database, name), database)

    def drop_measurement(self, measurement: str, database: str) -> None:
        """``DROP MEASUREMENT …``."""
        self._run(self._compiler.drop_measurement(measurement), database)

    def drop_series(
        self, source: Source, where: WhereNode | None, database: str
    ) -> None:
        """``DROP SERIES FROM … [WHERE …]``."""
        self._run(self._compiler.drop_series(source, where), database)


class EmbeddedSchemaEditor(SchemaEditor):
    """Change the embedded engine's catalog.

    Retention policies are recorded (and listed as InfluxDB lists them) but
    their durations are not enforced; points written or read without a
    policy use the default policy, as on InfluxDB.
    Continuous queries raise ``NotSupportedError``.
    """

    backend: DuckDBBackend

    def create_retention_policy(self, policy: RetentionPolicy, database: str) -> None:
        """Record *policy* for *database*."""
        self.backend.create_retention_policy(
            database, _policy_row(policy), replace=False
        )

    def alter_retention_policy(self, policy: RetentionPolicy, database: str) -> None:
        """Record *policy*'s new options."""
        self.backend.create_retention_policy(
            database, _policy_row(policy, alter=True), replace=True
        )

    def drop_retention_policy(self, name: str, database: str) -> None:
        """Forget the policy and drop its points."""
        self.backend.drop_retention_policy(database, name)

    def drop_measurement(self, measurement: str, database: str) -> None:
        """Drop the measurement's tables in every policy."""
        self.backend.drop_measurement(database, measurement)

    def drop_series(
        self, source: Source, where: WhereNode | None, database: str
    ) -> None:
        """Delete the points of the matching series in every policy."""
        self.backend.drop_series(database, source.measurement, where)


def _policy_row(policy: RetentionPolicy, *, alter: bool = False) -> dict[str, Any]:
    shard: int | None = policy.effective_shard_duration.nanoseconds
    if alter and policy.shard_duration is None:
        shard = None  # ALTER without SHARD DURATION keeps the stored one
    return {
        "name": policy.name,
        "duration": policy.duration.nanoseconds if policy.duration else 0,
        "shard_duration": shard,
        "replication": policy.replication,
        "default": policy.default,
    }


def policy_from_row(row: dict[str, Any]) -> RetentionPolicy:
    """Build a ``RetentionPolicy`` from a stored description (ns durations)."""
    duration = row["duration"]
    return RetentionPolicy(
        row["name"],
        duration_from_nanoseconds(duration) if duration else None,
        replication=int(row["replication"]),
        shard_duration=duration_from_nanoseconds(row["shard_duration"]),
        default=bool(row["default"]),
    )


def get_schema_editor(using: str | Backend = "default") -> SchemaEditor:
    """Return the schema editor of a connection (an alias or a backend)."""
    from influxpy.compilers.influxql import InfluxQLCompiler
    from influxpy.connection import get_connection

    backend = get_connection(using) if isinstance(using, str) else using
    if issubclass(backend.compiler_class, InfluxQLCompiler):
        return InfluxQLSchemaEditor(backend)
    if backend.vendor == "duckdb":
        return EmbeddedSchemaEditor(backend)
    msg = f"The {backend.vendor} backend has no schema editor."
    raise NotSupportedError(msg)


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
    from influxpy.introspection import get_introspection

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
        editor = get_schema_editor(backend)
        if db not in editor.list_databases():
            editor.create_database(db)
            done.append(f"Created database {db!r}.")
        stored = {
            p.name: p for p in get_introspection(backend, db).retention_policies()
        }
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


def declared_downsampling(model_name: str, value: Any) -> dict[Duration, Any]:
    """Read ``Meta.aggregated_measurements``: ``{window: name or model}``.

    Windows are durations (or timedeltas); targets are measurement names
    (in the default retention policy) or models (their own measurement,
    database and policy).
    """
    from influxpy.models import ModelBase

    if not isinstance(value, dict):
        msg = (
            f"{model_name}.Meta.aggregated_measurements takes a dict such as "
            f"{{Minute(5): 'servers_5m'}}; got {value!r}."
        )
        raise ImproperlyConfigured(msg)
    out: dict[Duration, Any] = {}
    for window, target in value.items():
        try:
            duration = as_duration(window, "aggregated_measurements")
        except TypeError:
            msg = (
                f"{model_name}.Meta.aggregated_measurements is keyed by durations "
                f"such as Minute(5); got the key {window!r}."
            )
            raise ImproperlyConfigured(msg) from None
        if duration.value <= 0:
            msg = (
                f"{model_name}.Meta.aggregated_measurements needs positive "
                f"windows; got {duration!r}."
            )
            raise ImproperlyConfigured(msg)
        if not (isinstance(target, str) and target) and not isinstance(
            target, ModelBase
        ):
            msg = (
                f"{model_name}.Meta.aggregated_measurements maps {duration!r} to "
                f"{target!r}; give a measurement name or a model."
            )
            raise ImproperlyConfigured(msg)
        out[duration] = target
    return out


def downsampled_source(
    model: type[InfluxMeasurement], group_by_time: GroupByTime
) -> Source | None:
    """Pick the downsampled measurement that serves a resolution, if any.

    The rule: among ``Meta.aggregated_measurements``, the coarsest window
    whose length divides the requested interval exactly, and divides its
    offset too, is read; ``Minute(60)`` is served by ``Hour(1)`` data since
    windows compare by length here. A ``Now()`` offset, or no fitting
    window, reads the raw measurement (``None``).
    """
    from influxpy.query import Source

    offset = group_by_time.offset
    if offset is not None and not isinstance(offset, Duration):
        return None
    interval = group_by_time.interval.nanoseconds
    shift = offset.nanoseconds if offset is not None else 0
    best: tuple[int, Any] | None = None
    for window, target in model._meta.aggregated_measurements.items():
        size = window.nanoseconds
        if interval % size or shift % size:
            continue
        if best is None or size > best[0]:
            best = (size, target)
    if best is None:
        return None
    target = best[1]
    if isinstance(target, str):
        return Source(target)
    meta = target._meta
    return Source(meta.measurement, meta.database, meta.retention_policy)
