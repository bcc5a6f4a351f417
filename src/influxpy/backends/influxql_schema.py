"""Schema editing and introspection with InfluxQL statements.

The HTTP backend names these classes (``schema_editor_class``,
``introspection_class``): every change is a statement built by the
InfluxQL compiler and every question a ``SHOW`` statement, run through
``backend.execute()``. No statement text is written here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from influxpy.backends.base import (
    ContinuousQueryDefinition,
    ContinuousQueryInfo,
    Introspection,
    SchemaEditor,
)
from influxpy.retention import RetentionPolicy, parse_go_duration, policy_from_row

if TYPE_CHECKING:
    from influxpy.compilers.base import Compiled
    from influxpy.expressions import WhereNode
    from influxpy.query import Source
    from influxpy.results import Series

__all__ = ["InfluxQLIntrospection", "InfluxQLSchemaEditor"]


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

    def create_continuous_query(
        self, cq: ContinuousQueryDefinition, database: str
    ) -> None:
        """``CREATE CONTINUOUS QUERY … ON … BEGIN … END``."""
        compiled = self._compiler.create_continuous_query(
            database,
            cq.name,
            cq.query,
            resample_every=cq.resample_every,
            resample_for=cq.resample_for,
        )
        self._run(compiled, database)

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


class InfluxQLIntrospection(Introspection):
    """Answer with SHOW statements built by the InfluxQL compiler."""

    def _show(self, compiled: Compiled) -> list[Series]:
        return list(self.backend.execute(compiled, database=self.database))

    @property
    def _compiler(self) -> Any:
        return self.backend.get_compiler()

    def measurements(self) -> list[str]:
        """``SHOW MEASUREMENTS``."""
        series = self._show(self._compiler.show_measurements(self.database))
        return [str(row[0]) for s in series for row in s.values]

    def tag_keys(self, measurement: str) -> list[str]:
        """``SHOW TAG KEYS FROM``."""
        series = self._show(self._compiler.show_tag_keys(self.database, measurement))
        return [str(row[0]) for s in series for row in s.values]

    def tag_values(self, measurement: str, key: str) -> list[str]:
        """``SHOW TAG VALUES FROM … WITH KEY =``."""
        compiled = self._compiler.show_tag_values(self.database, measurement, key)
        return [str(row[1]) for s in self._show(compiled) for row in s.values]

    def _field_key_rows(
        self, measurement: str, retention_policy: str | None
    ) -> list[tuple[str, str]]:
        compiled = self._compiler.show_field_keys(
            self.database, measurement, retention_policy
        )
        return [
            (str(row[0]), str(row[1])) for s in self._show(compiled) for row in s.values
        ]

    def _count_series(self, measurement: str | None, without_tag: str | None) -> int:
        compiled = self._compiler.show_series(
            self.database, measurement, without_tag=without_tag
        )
        pieces = self.backend.execute(
            compiled, database=self.database, chunk_size=10_000
        )
        return sum(len(piece.values) for piece in pieces)

    def series_cardinality(self, measurement: str | None = None) -> int:
        """The rows of ``SHOW SERIES``, counted as they stream."""
        return self._count_series(measurement, None)

    def series_without_tag(self, measurement: str, key: str) -> int:
        """The rows of ``SHOW SERIES FROM … WHERE "key" = ''``."""
        return self._count_series(measurement, key)

    def retention_policies(self) -> list[RetentionPolicy]:
        """``SHOW RETENTION POLICIES``."""
        compiled = self._compiler.show_retention_policies(self.database)
        policies: list[RetentionPolicy] = []
        for series in self._show(compiled):
            index = {name: i for i, name in enumerate(series.columns)}
            policies.extend(
                policy_from_row(
                    {
                        "name": row[index["name"]],
                        "duration": parse_go_duration(row[index["duration"]]),
                        "shard_duration": parse_go_duration(
                            row[index["shardGroupDuration"]]
                        ),
                        "replication": row[index["replicaN"]],
                        "default": row[index["default"]],
                    }
                )
                for row in series.values
            )
        return policies

    def continuous_queries(self) -> list[ContinuousQueryInfo]:
        """``SHOW CONTINUOUS QUERIES``, kept to this database."""
        compiled = self._compiler.show_continuous_queries()
        return [
            ContinuousQueryInfo(str(row[0]), series.name, str(row[1]))
            for series in self._show(compiled)
            if series.name == self.database
            for row in series.values
        ]
