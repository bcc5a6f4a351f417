"""Queries on the embedded engine: SELECT results streamed as series,
``SELECT … INTO`` and ``DELETE``.

A compiled statement carries the engine's plan (``compilers.duckdb.plan``);
raw and aggregate results are read in slices (``stream``) and cut into
series by their group keys, as the server's chunked responses are.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import compress, islice
from math import isinf
from operator import ne
from typing import TYPE_CHECKING, Any

from influxpy._utils import gc_paused
from influxpy.backends.duckdb.admin import EngineAdmin
from influxpy.backends.duckdb.batches import Batch
from influxpy.backends.duckdb.core import _duckdb
from influxpy.backends.duckdb.heap_order import Run, Runs, heap_ordered
from influxpy.backends.duckdb.ingest import conflict_error
from influxpy.backends.duckdb.retention_service import shard_start
from influxpy.backends.duckdb.stream import (
    Batches,
    bound_statement,
    failed_query,
    stream_batches,
)
from influxpy.backends.duckdb.writing import EngineWrites
from influxpy.compilers.duckdb.plan import (
    DeletePlan,
    EmptyPlan,
    EnginePlan,
    IntoPlan,
    SelectPlan,
)
from influxpy.exceptions import ProgrammingError, RetentionPolicyNotFoundError
from influxpy.results import Series

if TYPE_CHECKING:
    from influxpy.compilers.base import Compiled

__all__ = ["EngineQueries"]


def _plan_of(compiled: Compiled) -> EnginePlan:
    """The engine's plan of *compiled*, which ``DuckDBCompiler`` made."""
    plan = compiled.plan
    if not isinstance(plan, EmptyPlan | DeletePlan | SelectPlan | IntoPlan):
        msg = (
            "The embedded engine runs only statements its own compiler "
            f"(DuckDBCompiler) produced; this one has the plan {plan!r}."
        )
        raise ProgrammingError(msg)
    return plan


def _lacks_a_text(cursor: Any, lacking: Compiled) -> bool:
    """Begin *cursor*'s transaction and run ``HeapOrder.lacking``: whether
    a row read lacks a text value its heap compares."""
    try:
        cursor.begin()
        found = cursor.execute(lacking.text, dict(lacking.params)).fetchall()
    except _duckdb().Error as exc:
        raise failed_query(exc) from None
    return bool(found[0][0])


def _runs(batches: Batches, n_groups: int) -> Iterator[Run]:
    """The runs of rows of one group in *batches*: ``(group values, rows,
    start, stop)``, the rows (time and values) built in C as tuples: the
    collector's first pass stops tracking a tuple of plain values, where a
    batch of lists would be walked by every pass while the batch lives
    (``_results`` makes each piece's rows lists)."""
    for batch in batches:
        with gc_paused():
            if n_groups == 1:
                keys: list[tuple[Any, ...]] | list[Any] = batch[0]
            else:
                keys = list(zip(*batch[:n_groups], strict=True))
            cells = list(zip(*batch[n_groups:], strict=True))
        count = len(cells)
        starts = [0]
        if n_groups:
            changed = map(ne, islice(keys, 1, None), keys)
            starts += compress(range(1, count), changed)
        for start, stop in zip(starts, [*starts[1:], count], strict=True):
            if not n_groups:
                key: tuple[Any, ...] = ()
            elif n_groups == 1:
                key = (keys[start],)
            else:
                key = keys[start]
            yield key, cells, start, stop


class EngineQueries(EngineWrites, EngineAdmin):
    """The queries of ``DuckDBBackend``: results, INTO and DELETE."""

    def execute(
        self,
        compiled: Compiled,
        *,
        database: str | None = None,
        chunk_size: int | None = None,
    ) -> Iterator[Series]:
        """Run a compiled statement and yield its series."""
        return self._results(compiled, chunk_size, database)

    def _results(
        self, compiled: Compiled, chunk_size: int | None, database: str | None = None
    ) -> Iterator[Series]:
        plan = _plan_of(compiled)
        if isinstance(plan, EmptyPlan):
            return
        if not isinstance(plan, SelectPlan):
            self._writable("run INTO or DELETE")
        if isinstance(plan, IntoPlan):
            # The server's answer to SELECT … INTO: one row at time 0.
            db = self.resolve_database(database)
            if plan.parts:
                # Several measurements: each writes its own rows.
                written = 0
                for part in plan.parts:
                    part_plan = _plan_of(part)
                    assert isinstance(part_plan, IntoPlan)
                    written += self._run_into(part, part_plan, db)
            else:
                written = self._run_into(compiled, plan, db)
            yield Series("result", {}, ["time", "written"], [[0, written]])
            return
        if isinstance(plan, DeletePlan):
            self._delete(compiled)
            return
        if plan.parts:
            # Several measurements: the series of each, one after the other.
            for part in plan.parts:
                yield from self._results(part, chunk_size, database)
            return
        cursor = self._cursor()
        batches: Batches | Runs | None = None
        begun = False
        try:
            heap = plan.heap
            if heap is not None and heap.lacking is not None:
                # One snapshot for the check and the rows.
                begun = True
                if not _lacks_a_text(cursor, heap.lacking):
                    # The texts order every two rows of one time.
                    assert heap.unreplayed is not None
                    compiled = heap.unreplayed
                    plan = _plan_of(compiled)
                    assert isinstance(plan, SelectPlan)
            n_groups = len(plan.group_keys)
            name = plan.measurement
            columns = ["time", *plan.columns]
            group_keys = plan.group_keys
            current_key: tuple[Any, ...] | None = None
            values: list[list[Any]] = []

            def piece(partial: bool) -> Series:
                """The rows gathered so far as a series, handed over whole:
                this generator keeps none of them while suspended, so a
                reader done with the piece frees its rows before the
                collector sees them."""
                nonlocal values
                assert current_key is not None
                tags = dict(zip(group_keys, current_key, strict=True))
                rows, values = values, []
                return Series(name, tags, columns, rows, partial=partial)

            # Like the server's chunked responses: each series is cut into
            # pieces of chunk_size rows, all but its last marked partial.
            size = max(chunk_size or 0, 25_000)
            if plan.heap is None:
                batches = stream_batches(
                    cursor, compiled, plan.stream, size, self._slice_rows, begun=begun
                )
                runs: Iterator[Run] = _runs(batches, n_groups)
            else:
                runs = batches = self._heap_runs(
                    cursor, compiled, plan, database, size, begun
                )
            for key, cells, start, stop in runs:
                if key != current_key:
                    if current_key is not None and values:
                        yield piece(False)
                    current_key = key
                while start < stop:
                    if chunk_size and len(values) >= chunk_size:
                        yield piece(True)
                    room = chunk_size - len(values) if chunk_size else stop
                    with gc_paused():
                        # A piece's rows are lists, as the server's are.
                        values += map(list, cells[start : min(stop, start + room)])
                    start += room
            if current_key is not None and values:
                yield piece(False)
        finally:
            if batches is not None:
                # Its reading thread stops before the cursor closes.
                batches.close()
            cursor.close()

    def _heap_runs(
        self,
        cursor: Any,
        compiled: Compiled,
        plan: SelectPlan,
        database: str | None,
        size: int,
        begun: bool,
    ) -> Runs:
        """The rows of a raw SELECT whose rows at one time take influxd's
        heap order (``heap_order``): each series' first and last time in
        each shard group is read first, in the same snapshot as the rows."""
        heap, stream = plan.heap, plan.stream
        assert heap is not None
        assert stream is not None
        db = heap.database or self.resolve_database(database)
        rp = heap.retention_policy or self.default_retention_policy(db)
        shard_ns = self._shard_duration(db, rp)
        firsts: dict[tuple[Any, ...], list[tuple[str, int, int, Any]]] = {}

        def read_firsts(cursor: Any) -> None:
            until = None
            if heap.limit:
                # LIMIT and OFFSET take each group's first rows: the shard
                # groups after the one of the latest group's last row
                # taken are never replayed.
                n = heap.limit + (heap.offset or 0)
                text, params = stream.nth_time_sql(n, compiled.params)
                (last,) = cursor.execute(text, params).fetchall()[0]
                if last is not None:
                    until = shard_start(last, shard_ns)
                    if not stream.descending:
                        until += shard_ns
            text, params = stream.firsts_sql(
                shard_ns, heap.listed, compiled.params, until
            )
            for *key, series, first, last, tie in cursor.execute(
                text, params
            ).fetchall():
                firsts.setdefault(tuple(key), []).append((series, first, last, tie))
            for found in firsts.values():
                # Tag-set order: series keys sorted, reversed descending.
                found.sort(reverse=stream.descending)
            if heap.listed:
                # Where texts order every two rows of one time, the rows
                # come in the heap's order already: no replay there.
                text, params = stream.replayed_sql(shard_ns, compiled.params, until)
                replayed = {
                    tuple(key) for key in cursor.execute(text, params).fetchall()
                }
                for key in [k for k in firsts if k not in replayed]:
                    del firsts[key]

        batches = stream_batches(
            cursor,
            compiled,
            stream,
            size,
            self._slice_rows,
            first=read_firsts,
            begun=begun,
        )
        return heap_ordered(
            batches,
            groups=len(plan.group_keys),
            firsts=firsts,
            shard_ns=shard_ns,
            descending=stream.descending,
            texts=heap.texts,
            limit=heap.limit,
            offset=heap.offset,
            size=size,
            # The rows stop at the LIMIT's bound (``raw_limits``).
            cut=stream.heap_body is not None,
        )

    def _delete(self, compiled: Compiled) -> None:
        """Run a DELETE; tag values no table holds any more leave the
        dictionary in the same transaction."""
        with self._change() as change:
            self._con.execute(compiled.text, dict(compiled.params))
            change.prune_tag_codes()

    def _run_into(self, compiled: Compiled, plan: IntoPlan, database: str) -> int:
        """Write the rows of a ``SELECT … INTO``; return how many were written.

        Each row with a value becomes a point: the group tags are its tags
        (absent when ''), the columns with a value its fields. Like the
        server, a missing database is always an error, a missing retention
        policy only when there is something to write.
        """
        db = plan.database or database
        if db not in self._state.databases:
            self._not_found(db, ", so INTO cannot write there")
        if not compiled.text:
            return 0
        duckdb = _duckdb()
        cursor = self._cursor()
        try:
            # The bindings and the statement read one snapshot.
            cursor.begin()
            rows = cursor.execute(*bound_statement(cursor, compiled)).fetchall()
        except duckdb.Error as exc:
            raise failed_query(exc) from None
        finally:
            cursor.close()
        group_keys = plan.group_keys
        n = len(group_keys)
        # A point holding ±Inf is dropped whole, as influxd's points writer
        # drops it (its line protocol cannot carry one); NaN is null here.
        rows = [
            r
            for r in rows
            if any(v is not None for v in r[n + 1 :])
            and not any(v.__class__ is float and isinf(v) for v in r[n + 1 :])
        ]
        if not rows:
            return 0
        rp = plan.retention_policy or self.default_retention_policy(db)
        if all(p["name"] != rp for p in self.retention_policies(db)):
            raise RetentionPolicyNotFoundError.missing(
                db, rp, named=bool(plan.retention_policy)
            )
        batch = Batch(plan.measurement, len(rows))
        batch.times = [int(r[n]) for r in rows]
        for index, key in enumerate(group_keys):
            values = [r[index] or "" for r in rows]
            if any(values):
                batch.tags[key] = values
        for index, (name, kind) in enumerate(
            zip(plan.columns, plan.kinds, strict=True)
        ):
            values = [r[n + 1 + index] for r in rows]
            if name in plan.tag_columns:
                # A tag TOP or BOTTOM names stays a tag, as in influxd.
                tags = [str(v) if v is not None else "" for v in values]
                if any(tags):
                    known = batch.tags.get(name, [""] * len(tags))
                    batch.tags[name] = [
                        t or k for t, k in zip(tags, known, strict=True)
                    ]
            elif kind is not None and any(v is not None for v in values):
                batch.fields[name] = (kind, values)
        stored, rejection = self._ingest(db, rp, batch)
        if rejection is not None:
            raise conflict_error(rejection)
        return stored
