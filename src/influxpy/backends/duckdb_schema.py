"""Schema editing and introspection on the embedded engine.

The engine backend names these classes (``schema_editor_class``,
``introspection_class``): changes go to the engine's catalog and questions
are answered from it. ``EngineCatalog`` lists what they ask of the engine,
so this module needs no import of the engine backend itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol, cast

from influxpy.backends.base import (
    ContinuousQueryDefinition,
    ContinuousQueryInfo,
    Introspection,
    SchemaEditor,
)
from influxpy.retention import RetentionPolicy, policy_from_row

if TYPE_CHECKING:
    from influxpy.durations import Duration
    from influxpy.expressions import WhereNode
    from influxpy.query import Query, Source

__all__ = ["EmbeddedIntrospection", "EmbeddedSchemaEditor", "EngineCatalog"]


class EngineCatalog(Protocol):
    """The catalog methods of the embedded engine these classes call."""

    def create_retention_policy(
        self, database: str, policy: dict[str, Any], *, replace: bool = False
    ) -> None:
        """Record a retention policy (``replace``: give it new options)."""

    def drop_retention_policy(self, database: str, name: str) -> None:
        """Forget a retention policy and drop its points."""

    def drop_measurement(self, database: str, measurement: str) -> None:
        """Drop a measurement's tables in every policy."""

    def drop_series(self, database: str, measurement: str, where: Any) -> None:
        """Delete the points of the matching series in every policy."""

    def show_measurements(self, database: str) -> list[str]:
        """The measurements whose tables hold points."""

    def show_tag_keys(self, database: str, measurement: str) -> list[str]:
        """The tag keys some point of *measurement* sets."""

    def show_tag_values(self, database: str, measurement: str, key: str) -> list[str]:
        """The distinct values of a tag."""

    def show_field_keys(
        self, database: str, measurement: str, retention_policy: str | None = None
    ) -> list[tuple[str, str]]:
        """``(field key, type)`` rows of one policy."""

    def series_cardinality(
        self,
        database: str,
        measurement: str | None = None,
        *,
        without_tag: str | None = None,
    ) -> int:
        """The number of distinct tag sets."""

    def retention_policies(self, database: str) -> list[dict[str, Any]]:
        """The recorded policies, as rows with durations in ns."""

    def create_continuous_query(
        self,
        database: str,
        name: str,
        query: Query,
        *,
        resample_every: Duration | None = None,
        resample_for: Duration | None = None,
    ) -> None:
        """Store a continuous query the engine's scheduler runs."""

    def drop_continuous_query(self, database: str, name: str) -> None:
        """Drop a continuous query (idempotent)."""

    def continuous_queries(self, database: str) -> list[ContinuousQueryInfo]:
        """The stored continuous queries of *database*."""


class EmbeddedSchemaEditor(SchemaEditor):
    """Change the embedded engine's catalog.

    Retention policies are recorded (and listed as InfluxDB lists them) and
    enforced as InfluxDB enforces them (whole shard groups dropped once past
    the policy's duration); points written or read without a policy use the
    default policy, as on InfluxDB. Continuous queries are stored in the
    engine and run by the connection's scheduler (or on demand with
    ``run_continuous_queries()``), as InfluxDB's CQ service runs them.
    """

    store_name: ClassVar[str] = "embedded engine"

    @property
    def _engine(self) -> EngineCatalog:
        return cast("EngineCatalog", self.backend)

    def create_retention_policy(self, policy: RetentionPolicy, database: str) -> None:
        """Record *policy* for *database*."""
        self._engine.create_retention_policy(
            database, _policy_row(policy), replace=False
        )

    def alter_retention_policy(self, policy: RetentionPolicy, database: str) -> None:
        """Record *policy*'s new options."""
        self._engine.create_retention_policy(
            database, _policy_row(policy, alter=True), replace=True
        )

    def drop_retention_policy(self, name: str, database: str) -> None:
        """Forget the policy and drop its points."""
        self._engine.drop_retention_policy(database, name)

    def create_continuous_query(
        self, cq: ContinuousQueryDefinition, database: str
    ) -> None:
        """Store *cq*; the connection's scheduler runs it from now on.

        The same definition again changes nothing; another definition of
        that name raises ``ProgrammingError``, as on InfluxDB.
        """
        self._engine.create_continuous_query(
            database,
            cq.name,
            cq.query,
            resample_every=cq.resample_every,
            resample_for=cq.resample_for,
        )

    def drop_continuous_query(self, name: str, database: str) -> None:
        """Drop the continuous query (nothing happens if it does not exist)."""
        self._engine.drop_continuous_query(database, name)

    def drop_measurement(self, measurement: str, database: str) -> None:
        """Drop the measurement's tables in every policy."""
        self._engine.drop_measurement(database, measurement)

    def drop_series(
        self, source: Source, where: WhereNode | None, database: str
    ) -> None:
        """Delete the points of the matching series in every policy."""
        self._engine.drop_series(database, source.measurement, where)


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


class EmbeddedIntrospection(Introspection):
    """Answer from the embedded engine's catalog."""

    @property
    def _engine(self) -> EngineCatalog:
        return cast("EngineCatalog", self.backend)

    def measurements(self) -> list[str]:
        """The measurements whose tables hold points."""
        return self._engine.show_measurements(self.database)

    def tag_keys(self, measurement: str) -> list[str]:
        """The tag columns some point sets."""
        return self._engine.show_tag_keys(self.database, measurement)

    def tag_values(self, measurement: str, key: str) -> list[str]:
        """The distinct values of a tag column."""
        return self._engine.show_tag_values(self.database, measurement, key)

    def _field_key_rows(
        self, measurement: str, retention_policy: str | None
    ) -> list[tuple[str, str]]:
        return self._engine.show_field_keys(
            self.database, measurement, retention_policy
        )

    def series_cardinality(self, measurement: str | None = None) -> int:
        """The distinct tag sets, per measurement, summed."""
        return self._engine.series_cardinality(self.database, measurement)

    def series_without_tag(self, measurement: str, key: str) -> int:
        """The distinct tag sets in which *key* is empty."""
        return self._engine.series_cardinality(
            self.database, measurement, without_tag=key
        )

    def retention_policies(self) -> list[RetentionPolicy]:
        """The recorded policies (``autogen`` alone until one is created)."""
        return [
            policy_from_row(r) for r in self._engine.retention_policies(self.database)
        ]

    def continuous_queries(self) -> list[ContinuousQueryInfo]:
        """The continuous queries of the database, in creation order."""
        return self._engine.continuous_queries(self.database)
