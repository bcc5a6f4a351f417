"""Writes to the embedded engine: model instances, frames and line protocol.

Each batch is stored in one transaction (``ingest.merge``); points refused
for a field type conflict leave the others stored, then raise
``FieldTypeConflictError``. Rows are compressed by a checkpoint every
``_CHECKPOINT_ROWS`` written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from influxpy._logging import note_batch
from influxpy._utils import chunks
from influxpy.backends.base import DEFAULT_BATCH_SIZE, counting_written
from influxpy.backends.duckdb.batches import (
    Batch,
    batch_from_columns,
    batch_from_objects,
    batch_from_points,
    check_names,
)
from influxpy.backends.duckdb.catalog import table_name
from influxpy.backends.duckdb.core import EngineCore, _duckdb
from influxpy.backends.duckdb.ingest import (
    conflict_error,
    merge,
    refuse_conflicts,
    tag_codes,
)
from influxpy.lineprotocol import parse_line

if TYPE_CHECKING:
    from influxpy._types import Measurement

__all__ = ["EngineWrites"]

#: Rows written between two checkpoints (see ``DuckDBBackend._checkpoint``).
_CHECKPOINT_ROWS = 1_000_000


class EngineWrites(EngineCore):
    """The writes of ``DuckDBBackend``: batches stored one transaction each."""

    def _ingest(self, database: str, rp: str, batch: Batch) -> tuple[int, Any]:
        """Store one batch in one transaction.

        Return the points stored and the ``Rejection`` of the points refused
        for a field type conflict (None when there are none).
        """
        self._writable("write points")
        if batch.count == 0:
            return 0, None
        note_batch()
        con = self._con
        with self._change() as change:
            key = (database, rp, batch.measurement)
            rejection = refuse_conflicts(batch, change.tables.get(key))
            if batch.count:
                columns = change.ensure_columns(database, rp, batch)

                def codes(tags: dict[str, Any]) -> dict[str, Any]:
                    return tag_codes(con, self._tag_codes, change, tags)

                merge(con, table_name(*key), batch, columns, codes)
        self._unchecked += batch.count
        if self._unchecked >= _CHECKPOINT_ROWS:
            self._checkpoint()
        return batch.count, rejection

    def _checkpoint(self) -> None:
        """Compress what was written since the last checkpoint.

        DuckDB keeps freshly written rows uncompressed (in memory, an
        in-memory database never checkpoints by itself). A checkpoint
        stores them dictionary/FSST-compressed strings and ALP floats: about
        a fifth of the memory, and grouping by a tag reads dictionary codes,
        so aggregations by tag run about twice as fast. Readers keep their
        snapshots; if DuckDB refuses the checkpoint, a later write retries.
        """
        with self._lock:
            try:
                self._con.execute("CHECKPOINT")
            except _duckdb().Error:
                return
            self._unchecked = 0

    def write(
        self,
        model: type[Measurement],
        objs: Iterable[Measurement],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Write model instances batch by batch; return how many were stored."""
        batches = (batch_from_objects(model, c) for c in chunks(objs, batch_size))
        return self._ingest_all(database, retention_policy, batches)

    def _ingest_all(
        self,
        database: str | None,
        retention_policy: str | None,
        batches: Iterable[Batch],
    ) -> int:
        """Store batches one transaction each; return the points stored.

        A batch with points refused for a field type conflict stores the
        others, then raises ``FieldTypeConflictError`` (its ``written``
        counts the points of the earlier batches).
        """
        db = self.resolve_database(database)
        rp = retention_policy or self.default_retention_policy(db)
        written = 0
        # Any error leaving (a bad point, the caller's iterable) says how
        # many points were stored.
        with counting_written(lambda: written):
            for batch in batches:
                stored, rejection = self._ingest(db, rp, batch)
                if rejection is not None:
                    raise conflict_error(rejection, written)
                written += stored
        return written

    def write_frame(
        self,
        model: type[Measurement],
        frame: Any,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Write a pandas DataFrame as Arrow batches, without line protocol.

        The checks are those of the line-protocol path every backend shares
        (tag text, a field per point, one type per untyped field), so both
        backends accept and store the same frames.
        """
        from influxpy._dataframe import frame_arrays, frame_batches

        pieces = frame_batches(*frame_arrays(model, frame), batch_size)
        batches = (batch_from_columns(model, *piece) for piece in pieces)
        return self._ingest_all(database, retention_policy, batches)

    def write_lines(
        self,
        lines: Iterable[str],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Parse and write line-protocol lines; return how many were stored.

        Each batch of *batch_size* lines is written whole, as InfluxDB
        writes a request: points refused for a field type conflict leave
        the others stored, and then ``FieldTypeConflictError`` carries the
        refused lines.
        """
        db = self.resolve_database(database)
        rp = retention_policy or self.default_retention_policy(db)
        written = 0
        for chunk in chunks(lines, batch_size):
            by_measurement: dict[str, tuple[list[tuple[Any, ...]], list[str]]] = {}
            for line in chunk:
                text = line.strip()
                if not text or text.startswith("#"):
                    continue
                measurement, tags, fields, stamp = parse_line(text)
                if not text.isascii():
                    check_names(measurement, tags, fields)
                points, sources = by_measurement.setdefault(measurement, ([], []))
                points.append((tags, fields, stamp))
                sources.append(text)
            batches = []
            for measurement, (points, sources) in by_measurement.items():
                batch = batch_from_points(measurement, points)
                batch.lines = sources
                batches.append(batch)
            refused = None
            for batch in batches:
                stored, rejection = self._ingest(db, rp, batch)
                written += stored
                if rejection is not None and refused is None:
                    refused = rejection
                elif rejection is not None and refused is not None:
                    refused.lines += rejection.lines
                    refused.reasons += rejection.reasons
            if refused is not None:
                refused.total = sum(len(p) for p, _s in by_measurement.values())
                raise conflict_error(
                    refused, written - refused.total + len(refused.lines)
                )
        return written
