"""The embedded engine: InfluxDB's data model and query semantics on DuckDB.

Storage: one DuckDB schema per InfluxDB database and one table per
measurement and retention policy (``"db"."rp.measurement"``), with ``time``
as BIGINT nanoseconds, one VARCHAR column per tag (``''`` when absent) and
one typed column per field (DOUBLE, BIGINT, BOOLEAN, VARCHAR). A new tag or
field adds a column. A catalog table remembers which column is a tag or a
field and each field's type, so a write with another type is refused as
InfluxDB refuses it (``FieldTypeConflictError``, the other points kept).

Writes are batches turned into Arrow tables. A point with the same tag set
and time as a stored one merges its fields over the stored point, as
InfluxDB does; the check is a semi-join limited to the batch's time range,
so appending in time order stays cheap. Each batch is one transaction, so a
process killed during a bulk write leaves every completed batch intact.

Threads: every change runs in a transaction on the one connection, holding
the backend's lock, and builds its catalog changes on a private copy that
is published (one reference swapped) only after COMMIT
(``catalog``). Queries and other readers use their own cursors and
the published catalog, so they see committed data only, and never wait for
a write to finish.

Retention policies are enforced as InfluxDB enforces them (whole shard
groups dropped once past the policy's duration), and continuous queries run
as InfluxDB's CQ service runs them, in a background thread of the
connection or on demand (``services``, ``continuous``, ``retention_service``).
Points and queries naming no policy use the database's default policy
(``autogen`` until another is made the default), as on InfluxDB.

The backend's jobs live in modules of this package: ``core`` (connection,
lock, catalog), ``writing`` (batches stored), ``reading`` (queries, INTO,
DELETE), ``statements`` (InfluxQL statements), ``admin`` (databases,
retention policies, drops, introspection), beside ``catalog``, ``batches``,
``ingest``, ``stream`` and ``functions``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from influxpy.backends.duckdb.explain import EngineExplain
from influxpy.backends.duckdb.services import EngineServices
from influxpy.backends.duckdb.statements import EngineStatements
from influxpy.backends.duckdb.subscriptions import EngineSubscriptions
from influxpy.backends.duckdb_schema import EmbeddedIntrospection, EmbeddedSchemaEditor
from influxpy.compilers.duckdb import DuckDBCompiler

if TYPE_CHECKING:
    from influxpy.urls import DatabaseURL

__all__ = ["DuckDBBackend"]


class DuckDBBackend(
    EngineStatements, EngineServices, EngineExplain, EngineSubscriptions
):
    """The embedded engine: ``duckdb://:memory:`` or a file.

    The URL's path names the file (``duckdb:///abs/path.duckdb`` or
    ``duckdb://relative.duckdb``); the default database is ``influxpy``
    unless ``?database=`` names another.
    """

    compiler_class: ClassVar[type[DuckDBCompiler]] = DuckDBCompiler
    vendor: ClassVar[str] = "duckdb"
    schema_editor_class = EmbeddedSchemaEditor
    introspection_class = EmbeddedIntrospection

    @classmethod
    def from_url(cls, url: DatabaseURL, alias: str) -> DuckDBBackend:
        """Build the engine for a ``duckdb://`` URL."""
        return cls(url, alias)

    def __repr__(self) -> str:
        return (
            f"<DuckDBBackend {self.alias!r}: {self.path} (database {self.database!r})>"
        )
