"""Writes to the embedded engine: model instances, frames and line protocol.

Each batch is stored in one transaction (``ingest.merge``); points refused
for a field type conflict leave the others stored, then raise
``FieldTypeConflictError``; so do a write's points in a shard group InfluxDB
would refuse whole (``_check_types``). Rows are compressed by a checkpoint every
``_CHECKPOINT_ROWS`` written (the URL's ``checkpoint_rows``), run in a
thread of its own after the write that crosses the mark has committed, so
no write waits for it to return.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from influxpy._logging import note_batch
from influxpy._utils import chunks
from influxpy.backends.base import DEFAULT_BATCH_SIZE, counting_written
from influxpy.backends.duckdb.batches import (
    Batch,
    batch_from_columns,
    batch_from_objects,
)
from influxpy.backends.duckdb.catalog import AUTOGEN_POLICY, policy_shard_ns
from influxpy.backends.duckdb.catalog_change import CatalogChange
from influxpy.backends.duckdb.core import EngineCore, _duckdb
from influxpy.backends.duckdb.ingest import (
    conflict_error,
    created_group_error,
    drop_groups,
    group_starts,
    merge,
    refuse_conflicts,
    tag_codes,
)
from influxpy.backends.duckdb.lines import (
    WriteOutcome,
    WriteTally,
    batch_of,
    beyond_retention,
    dropped_points,
    utf8_body,
)
from influxpy.backends.duckdb.retention_service import shard_group_bounds
from influxpy.backends.duckdb.write_checks import (
    Decision,
    Dropped,
    WriteChecks,
    check_write,
    decide,
)
from influxpy.backends.written import lines_of
from influxpy.exceptions import (
    DatabaseNotFoundError,
    PartialWriteError,
    RetentionPolicyNotFoundError,
)
from influxpy.lineprotocol.body_lines import BodyLines

if TYPE_CHECKING:
    from influxpy._types import Measurement

__all__ = ["EngineWrites"]

#: Rows written between two checkpoints (see ``DuckDBBackend._checkpoint``).
_CHECKPOINT_ROWS = 1_000_000
#: ``autogen``'s shard groups (7 days), as ``retention_policies()`` has it.
_AUTOGEN_SHARD_DURATION = int(AUTOGEN_POLICY["shard_duration"])
#: The shard groups recorded (``retention_service``).
_SHARD_GROUPS = "main.influxpy_shard_groups"


#: A write's batches of fewer points than this together are stored in one
#: transaction (a body of many measurements: each transaction's BEGIN and
#: COMMIT and its catalog statement cost more than a small batch's rows).
_GROUP_POINTS = 10_000
#: At most this many batches share a transaction.
_GROUP_BATCHES = 1_000

_Item = TypeVar("_Item")


def _groups(
    items: list[tuple[Any, Batch, _Item]],
) -> Iterator[list[tuple[Any, Batch, _Item]]]:
    """*items* (columns, batch, decision) in runs stored together: small
    batches side by side, up to ``_GROUP_POINTS`` points or
    ``_GROUP_BATCHES`` batches; a larger batch alone."""
    group: list[tuple[Any, Batch, _Item]] = []
    points = 0
    for item in items:
        count = item[1].count
        if group and (points + count > _GROUP_POINTS or len(group) >= _GROUP_BATCHES):
            yield group
            group, points = [], 0
        group.append(item)
        points += count
    if group:
        yield group


def _no_policy(database: str, rp: str, *, named: bool) -> RetentionPolicyNotFoundError:
    """The error for points written to a policy *database* does not have:
    one they name, or the default policy that was dropped."""
    return RetentionPolicyNotFoundError.missing(database, rp, named=named)


class EngineWrites(EngineCore):
    """The writes of ``DuckDBBackend``: batches stored one transaction each."""

    if TYPE_CHECKING:

        def retention_policies(self, database: str) -> list[dict[str, Any]]:
            """The policies of *database* (``EngineAdmin``)."""
            ...

        def _record_created_groups(
            self, database: str, rp: str, bounds: list[tuple[int, int]]
        ) -> None:
            """Record shard groups no point lies in (``EngineRetention``)."""
            ...

    def _check_types(
        self,
        database: str,
        rp: str,
        batches: list[Batch],
        dropped: list[Dropped],
        shard_ns: int | None = None,
    ) -> WriteChecks:
        """The field-type checks of one write's *batches*
        (``write_checks.check_write``), and the groups refused whole taken
        out of them (``refused_lines`` of the checks holds their lines).

        A group exists once a point of the policy lies in it or it is
        recorded; the stored types are those of the policy's tables.
        """
        stored = {
            (batch.measurement, column.key): column.kind
            for batch in batches
            for column in (
                self._state.tables.get((database, rp, batch.measurement)) or {}
            ).values()
            if column.role == "field"
        }
        # The policy's shard duration is read only when a check needs it.
        durations = [shard_ns] if shard_ns else []

        def duration() -> int:
            if not durations:
                durations.append(self._shard_duration(database, rp))
            return durations[0]

        def group_of(times: Any) -> list[int]:
            return [int(start) for start in group_starts(times, duration())]

        def exists(start: int) -> bool:
            return self._group_exists(database, rp, start, duration())

        checks = check_write(batches, dropped, stored, group_of, exists)
        if checks.refused:
            shard = duration()
            checks.refused_lines = [
                drop_groups(batch, checks.refused, shard) for batch in batches
            ]
            checks.created_bounds = [
                shard_group_bounds(start, shard) for start in checks.created
            ]
        return checks

    def _group_exists(self, database: str, rp: str, start: int, shard_ns: int) -> bool:
        """Whether the shard group of *rp* starting at *start* exists: a
        recorded group overlaps it or a point of the policy lies in it."""
        end = shard_group_bounds(start, shard_ns)[1]
        with self._lock:
            con = self._con
            try:
                row = con.execute(
                    f"SELECT 1 FROM {_SHARD_GROUPS} WHERE database = ? AND "
                    "retention_policy = ? AND start_time < ? AND end_time > ? LIMIT 1",
                    [database, rp, end, start],
                ).fetchone()
            except _duckdb().CatalogException:
                row = None
            if row is not None:
                return True
            for policy, measurement, _columns in self._state.tables_of(database):
                if policy != rp:
                    continue
                table = self._state.table_sql((database, rp, measurement))
                if con.execute(
                    f"SELECT 1 FROM {table} WHERE time >= {start} AND time < {end} "
                    "LIMIT 1"
                ).fetchone():
                    return True
        return False

    def _shard_duration(self, database: str, rp: str) -> int:
        """The shard group duration of policy *rp* (7 days when it has none)."""
        return policy_shard_ns(self._state.policy(database, rp))

    def _ingest(
        self, database: str, rp: str, batch: Batch, decision: Decision | None = None
    ) -> tuple[int, Any]:
        """Store one batch in one transaction.

        Return the points stored and the ``Rejection`` of the points refused
        for a field type conflict (None when there are none).
        """
        return self._ingest_together(database, rp, [(batch, decision)])[0]

    def _ingest_together(
        self, database: str, rp: str, items: list[tuple[Batch, Decision | None]]
    ) -> list[tuple[int, Any]]:
        """Store batches (of different measurements) in one transaction:
        ``_ingest``'s answer for each. All are stored or, if the transaction
        fails, none."""
        self._writable("write points")
        answers: list[tuple[int, Any]] = [(0, None)] * len(items)
        stored = [i for i, (batch, _decision) in enumerate(items) if batch.count]
        if not stored:
            return answers
        with self._change() as change:
            for i in stored:
                note_batch()
                answers[i] = self._store(change, database, rp, *items[i])
        with self._lock:
            self._unchecked += sum(count for count, _rejection in answers)
            if self._unchecked >= (self._checkpoint_rows or _CHECKPOINT_ROWS):
                self._checkpoint_soon()
        return answers

    def _store(
        self,
        change: CatalogChange,
        database: str,
        rp: str,
        batch: Batch,
        decision: Decision | None,
    ) -> tuple[int, Any]:
        """Store *batch* inside the transaction of *change*."""
        con = self._con
        key = (database, rp, batch.measurement)
        # The types as this transaction sees them: another write may have
        # stored the batch's fields since the checks read them.
        current = {
            (batch.measurement, column.key): column.kind
            for column in (change.tables.get(key) or {}).values()
            if column.role == "field"
        }
        if decision is None or decision.stored != current:
            decision = decide(batch, current)
        rejection = refuse_conflicts(batch, decision)
        if batch.count:
            empty = key not in change.tables
            columns = change.ensure_columns(database, rp, batch)

            def codes(tags: dict[str, Any]) -> dict[str, Any]:
                return tag_codes(con, self._tag_codes, change, tags)

            merge(
                con,
                change.table_sql(key),
                batch,
                columns,
                codes,
                empty=empty,
            )
        return batch.count, rejection

    def _checkpoint_soon(self) -> None:
        """Start a checkpoint in the background unless one is running
        (under ``_lock``): the write that called has committed, and its
        caller gets its answer without waiting for the checkpoint."""
        running = self._checkpointer
        if running is not None and running.is_alive():
            return
        # Not a daemon: a program ending while it runs lets it finish.
        self._checkpointer = threading.Thread(
            target=self._checkpoint, name="influxpy-checkpoint"
        )
        self._checkpointer.start()

    def _write_policy(self, database: str, rp: str) -> dict[str, Any] | None:
        """The policy *rp* of *database* as ``retention_policies()`` gives
        it (``duration`` and ``shard_duration``), or None when it has none.

        Read from the committed catalog (no statement, no lock): every
        query asks for its policy's shard duration.
        """
        found = self._state.policy(database, rp)
        if found is None:
            return None
        return {
            "duration": found["duration"],
            "shard_duration": found["shard_duration"],
        }

    def _checkpoint(self) -> None:
        """Compress what was written since the last checkpoint.

        DuckDB keeps freshly written rows uncompressed (in memory, an
        in-memory database never checkpoints by itself). A checkpoint
        stores them dictionary/FSST-compressed strings and ALP floats: about
        a fifth of the memory, and grouping by a tag reads dictionary codes,
        so aggregations by tag run about twice as fast. Readers keep their
        snapshots; if DuckDB refuses the checkpoint, a later write retries.

        It runs on a cursor of its own, without ``_lock``: reads and the
        next bodies' parsing go on beside it, and DuckDB holds a write's
        ``INSERT`` until it ends (a write's transaction still open when it
        starts is left to the next checkpoint, whole). ``close()`` waits
        for it.
        """
        with self._lock:
            if self.closed:
                return
            counted = self._unchecked
            cursor = self._cursor()
        try:
            cursor.execute("CHECKPOINT")
        except _duckdb().Error:
            return
        finally:
            cursor.close()
        with self._lock:
            self._unchecked = max(0, self._unchecked - counted)

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
        if not retention_policy and db in self._state.dropped_defaults:
            raise _no_policy(db, rp, named=False)
        if retention_policy and self._write_policy(db, rp) is None:
            raise _no_policy(db, rp, named=True)
        written = 0
        # Any error leaving (a bad point, the caller's iterable) says how
        # many points were stored.
        with counting_written(lambda: written):
            for batch in batches:
                total = batch.count
                checks = self._check_types(db, rp, [batch], [])
                stored, rejection = self._ingest(db, rp, batch, checks.decisions[0])
                if rejection is not None and checks.retried:
                    rejection.reported = checks.reported
                if checks.refused:
                    self._record_created_groups(db, rp, checks.created_bounds)
                    (lines,) = checks.refused_lines
                    raise created_group_error(lines, rejection, total, written)
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
        lines: Iterable[str] | str,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Write line-protocol lines; return how many points were stored.

        Each batch of *batch_size* lines is written as InfluxDB writes one
        ``/write`` request (see ``write_line_protocol``): the good points
        are stored, then ``PartialWriteError`` (``FieldTypeConflictError``
        for a type conflict) names the refused lines; its ``written``
        counts every point this call stored. Raises
        ``DatabaseNotFoundError`` for a database that does not exist.
        """
        lines = lines_of(lines)
        written = 0
        if isinstance(lines, BodyLines) and len(lines) <= batch_size:
            # A batch writer's batch: its body is the lines joined already.
            bodies: Iterable[str] = [lines.body.decode("utf-8", "surrogatepass")]
        else:
            bodies = map("\n".join, chunks(lines, batch_size))
        with counting_written(lambda: written):
            for body in bodies:
                try:
                    outcome = self.write_line_protocol(
                        body,
                        database=database,
                        retention_policy=retention_policy,
                    )
                except PartialWriteError as error:
                    # counting_written() then notes every point stored.
                    written += error.written
                    raise
                written += outcome.written
        return written

    def write_line_protocol(
        self,
        body: bytes | str,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        precision: str | None = None,
        raise_on_refusal: bool = True,
    ) -> WriteOutcome:
        """Write a whole line-protocol body as InfluxDB 1.6.7's ``/write`` does.

        The entry for ``POST /write``: *body* is the request body (bytes or
        text, several lines), *database* and *retention_policy* its ``db``
        and ``rp`` (None: the connection's database, the default policy),
        *precision* its ``precision`` (``n`` default, ``u``, ``ms``, ``s``,
        ``m``, ``h``; any other value reads as nanoseconds, as on 1.6.7).
        Returns a ``WriteOutcome`` (``written``, ``lines``, ``precision``)
        when every point was stored (HTTP 204).

        Otherwise the good points are stored and the error raised carries
        the server's text as ``reason`` (its HTTP answer in brackets):

        - ``DatabaseNotFoundError`` when *database* does not exist, before
          reading the body (404 ``database not found: "<db>"``);
        - ``RetentionPolicyNotFoundError`` for an unknown *retention_policy*,
          or none after the default policy was dropped (500 ``retention
          policy not found: <rp>``);
        - ``PartialWriteError`` when lines do not parse (400 ``unable to
          parse '<line>': <why>``, lines joined by a newline; ``partial
          write: ... dropped=0`` when other points were stored), with the
          refused lines in ``lines``;
        - ``PartialWriteError`` (``FieldTypeConflictError`` for a type
          conflict) when the storage drops points (400 ``partial write:
          <first reason> dropped=<n>``): a tag or the only field named
          ``time``, a field of another type than the stored one;
        - ``FieldTypeConflictError`` with the bare reason ``field type
          conflict`` (400, no count) when every point of the body in a shard
          group is refused (``_check_types``); other groups' points
          are stored;
        - ``PartialWriteError`` when points are older than the retention
          policy keeps (400 ``partial write: points beyond retention policy
          dropped=<n>``); they are not stored.

        ``written`` on the error is the exact number of points stored.
        With ``raise_on_refusal=False`` nothing is raised for refused lines:
        the outcome lists them (``rejected``) and holds the ``error``.
        """
        from influxpy.lineprotocol.reader import read_body

        self._writable("write points")
        body = utf8_body(body)
        db = self.resolve_database(database)
        if db not in self._state.databases:
            msg = (
                f"The database {db!r} does not exist on the embedded engine "
                f'(InfluxDB answers: database not found: "{db}"). Create it with '
                f"influxpy.connect(...).create_database({db!r})."
            )
            raise DatabaseNotFoundError(msg)
        rp = retention_policy or self.default_retention_policy(db)
        policy = self._write_policy(db, rp)
        tally = WriteTally(read_body(body, precision))
        if policy is None:
            read = tally.read
            if read.rejected and not (read.points or read.dropped):
                # influxd refuses a body none of whose lines parse first.
                return tally.outcome(raise_on_refusal=raise_on_refusal)
            raise _no_policy(db, rp, named=bool(retention_policy))
        kept, tally.beyond = beyond_retention(
            tally.read.columns,
            getattr(self, "clock", time.time_ns)(),
            int((policy or {}).get("duration") or 0),
            int((policy or {}).get("shard_duration") or 0),
        )
        with counting_written(lambda: tally.written):
            batches = [batch_of(columns) for columns in kept]
            dropped = dropped_points(tally.read.dropped, precision)
            shard_ns = int(policy.get("shard_duration") or 0)
            checks = self._check_types(
                db, rp, batches, dropped, shard_ns or _AUTOGEN_SHARD_DURATION
            )
            items = list(zip(kept, batches, checks.decisions, strict=True))
            for group in _groups(items):
                answers = self._ingest_together(
                    db, rp, [(batch, decision) for _c, batch, decision in group]
                )
                for (columns, _batch, _decision), answer in zip(
                    group, answers, strict=True
                ):
                    tally.add(columns, *answer)
            tally.note_checks(checks.retried, checks.reported)
            if checks.refused:
                for columns, lines in zip(kept, checks.refused_lines, strict=True):
                    tally.refuse_group(columns, lines)
                self._record_created_groups(db, rp, checks.created_bounds)
            return tally.outcome(raise_on_refusal=raise_on_refusal)
