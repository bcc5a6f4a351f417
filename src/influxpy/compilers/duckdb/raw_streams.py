"""The stream plans of a raw SELECT of stored points (``stream.py``).

A raw SELECT of a stored measurement may be run by the backend in slices of
its output order: its ``StreamPlan`` says how. In influxd's heap order
(``ties.heap_order``), the plan also says how the backend reads each
series' tags (``StreamPlan.series``) and, where a LIMIT bounds the rows
(``raw_limits``), the statement of all the rows the heap's own statements
read; the statement that orders the same rows by their texts, run where no
row lacks one (``HeapOrder.unreplayed``), is streamed as a plain SELECT.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from influxpy.compilers.duckdb.aliases import group_column
from influxpy.compilers.duckdb.catalog import ident
from influxpy.compilers.duckdb.context import _Context
from influxpy.compilers.duckdb.plan import HeapOrder
from influxpy.compilers.duckdb.stream import Finish, StreamPlan, row_width
from influxpy.compilers.duckdb.ties import RawTie, series_tags, tie_key

__all__ = ["raw_stream", "unreplayed_stream"]


def raw_stream(
    ctx: _Context,
    *,
    finish: Finish,
    body: str,
    where: str,
    heap: HeapOrder | None,
    tie: RawTie,
    kinds: Sequence[str | None],
    heap_body: str | None,
) -> StreamPlan:
    """How the backend may run the raw SELECT of *ctx* (its rows *body*
    matching *where*, finished by *finish*) in slices of its output order."""
    query = ctx.query
    series = None
    if heap is not None and not tie.listed:
        # The heap's series keys, from each series' tags grouped first (not
        # a key built for every row).
        tags = [ident(t) for t in series_tags(ctx)]
        grouped = (f"{g} AS {group_column(i)}" for i, g in enumerate(ctx.groups))
        rows = ", ".join([*grouped, "time", *tags])
        series = (
            f"SELECT {rows} FROM {ctx.table} WHERE {where}",
            tie.sql,
            tuple(tags),
        )
    return StreamPlan(
        finish=finish,
        body=body,
        table=ctx.table,
        groups=len(ctx.groups),
        descending=query.descending,
        # LIMIT and OFFSET counted by the SQL (per series, in the slice it
        # reads) need whole series in a slice; the heap's are counted by the
        # backend across slices.
        whole_series=heap is None
        and (query.limit is not None or query.offset is not None),
        width=row_width(len(ctx.groups), tie_key(ctx) != "0", list(kinds)),
        series=series,
        heap_body=heap_body,
    )


def unreplayed_stream(ctx: _Context, stream: StreamPlan, finish: Finish) -> StreamPlan:
    """The plan of *stream*'s rows ordered by their texts, finished by
    *finish* (LIMIT and OFFSET counted by the SQL): no heap replay."""
    query = ctx.query
    return dataclasses.replace(
        stream,
        finish=finish,
        heap_body=None,
        whole_series=query.limit is not None or query.offset is not None,
        series=None,
    )
