"""SLIMIT and SOFFSET of a measurement, sliced shard group by shard group.

influxd applies SLIMIT/SOFFSET inside each shard (``LimitTagSets`` in the
engine's iterators): of the tag sets whose series are in that shard group
(hold a point there, at any time) and whose tags can match the condition,
sorted by their tags, it keeps ``[soffset, soffset + slimit)``. A tag set
absent from one shard group so moves the others' ranks there: ``SLIMIT 1
SOFFSET 1`` keeps a second tag set's points only in the shard groups that
hold two. ``shard_slices()`` is the condition on the stored rows that keeps
the same points; the output order and the groups are unchanged.
``SeriesLimitsMixin`` applies it to a measurement's SELECT, and slices the
tag sets of a whole measurement for a subquery (``_series_filter``).
"""

from __future__ import annotations

from influxpy.compilers.duckdb.aliases import SERIES_RANK, group_column
from influxpy.compilers.duckdb.catalog import go_shard_start
from influxpy.compilers.duckdb.context import _CompilerBase, _Context
from influxpy.compilers.duckdb.merged import is_merged, reads_subquery
from influxpy.query import Query

__all__ = ["SeriesLimitsMixin", "kept_ranks", "shard_slices"]

#: The column of a row's shard group start in the slices' SQL.
_SHARD = "influxpy_shard"


def kept_ranks(series_limit: int | None, series_offset: int | None) -> str:
    """SQL of the ranks (from 1) of the tag sets a series limit keeps:
    ``[offset, offset + limit)``; with no limit (None, ``series_offset()``
    alone) every one after the offset. A limit of 0 is InfluxQL text's
    SOFFSET without SLIMIT (``convert``): influxd's ``LimitTagSets`` then
    slices ``a[offset:offset]``, nothing."""
    offset = series_offset or 0
    if series_limit is None:
        return f"{SERIES_RANK} > {offset}"
    if series_limit == 0:
        return "FALSE" if offset else "TRUE"
    return f"{SERIES_RANK} > {offset} AND {SERIES_RANK} <= {offset + series_limit}"


def shard_slices(
    table: str,
    groups: list[str],
    tags_where: str,
    order: str,
    shard_ns: int,
    series_limit: int | None,
    series_offset: int | None,
) -> str:
    """SQL of a condition on the rows of *table* keeping the tag sets
    SLIMIT/SOFFSET keep in each shard group of *shard_ns* ns.

    *groups* are the SQL of the GROUP BY tags over the table's rows,
    *tags_where* the condition's tag terms (the rest counting as true),
    *order* the SQL of a tag set's sort key over the slices' group columns.
    """
    shard = go_shard_start("time", shard_ns)
    keys = [f"{g} AS {group_column(i)}" for i, g in enumerate(groups)]
    distinct = (
        f"SELECT DISTINCT {', '.join([*keys, f'{shard} AS {_SHARD}'])} "
        f"FROM {table} WHERE {tags_where}"
    )
    kept = [kept_ranks(series_limit, series_offset)]
    ranked = (
        f"SELECT *, dense_rank() OVER (PARTITION BY {_SHARD} ORDER BY {order}) "
        f"AS {SERIES_RANK} FROM ({distinct})"
    )
    match = [
        f"s.{group_column(i)} IS NOT DISTINCT FROM {g}" for i, g in enumerate(groups)
    ]
    match.append(f"s.{_SHARD} = {shard}")
    return (
        f"EXISTS (SELECT 1 FROM ({ranked}) s WHERE {' AND '.join(kept)} "
        f"AND {' AND '.join(match)})"
    )


class SeriesLimitsMixin(_CompilerBase):
    """SLIMIT and SOFFSET: the tag sets of a SELECT's rows they keep."""

    def _slice_by_shard(self, ctx: _Context) -> None:
        """Keep, of a stored measurement's rows, the tag sets SLIMIT and
        SOFFSET keep in each shard group, as influxd slices them
        (``series_limits``); the series filter is then not needed."""
        query = ctx.query
        shard_ns = self._shard_duration(ctx)
        if (
            (query.series_limit is None and query.series_offset is None)
            or shard_ns is None
            or ctx.subquery
            or is_merged(ctx.table)
            or reads_subquery(ctx.table)
        ):
            return
        order = self._tag_set_key(ctx) if ctx.groups else "1"
        sliced = shard_slices(
            ctx.table,
            ctx.groups,
            self._tag_terms(ctx),
            order,
            shard_ns,
            query.series_limit,
            query.series_offset,
        )
        ctx.where = f"({ctx.where}) AND {sliced}"
        ctx.shard_sliced = True

    def _series_filter(self, ctx: _Context) -> str | None:
        """The group keys SLIMIT/SOFFSET keep, or None without them.

        The server slices the tag sets of the series whose tags can match
        the condition (field and time conditions count as true), in
        ascending order whatever the output order.
        """
        query = ctx.query
        if query.series_limit is None and query.series_offset is None:
            return None
        if ctx.shard_sliced:
            return None  # the rows were sliced shard group by shard group
        if isinstance(query.source, Query):
            return None  # sliced where the subquery reads (subquery_slices)
        tags = self._tag_terms(ctx)
        g = ctx.group_columns
        keys = ", ".join(
            f"{gs} AS {group_column(i)}" for i, gs in enumerate(ctx.groups)
        )
        order = self._tag_set_key(ctx) if g else "1"
        filters = [kept_ranks(query.series_limit, query.series_offset)]
        distinct = f"SELECT DISTINCT {keys or '1 AS grp'} FROM {ctx.table} WHERE {tags}"
        ranked = (
            f"SELECT *, dense_rank() OVER (ORDER BY {order}) AS {SERIES_RANK} "
            f"FROM ({distinct})"
        )
        return f"SELECT * FROM ({ranked}) WHERE {' AND '.join(filters)}"

    def _tag_set_key(self, ctx: _Context) -> str:
        """The server index's sort key of a tag set (``MakeTagsKey``).

        Only the tags a series has count: ``k1|k2|v1|v2``, or '' without
        any, so ``t1|a`` sorts before ``t1|t2|a|x``.
        """
        present = [f"NULLIF({c}, '')" for c in ctx.group_columns]
        names = [
            f"CASE WHEN {c} != '' THEN {self._param(key)} END"
            for c, key in zip(ctx.group_columns, ctx.group_keys, strict=True)
        ]
        head = f"concat_ws('|', {', '.join(names)})"
        tail = f"concat_ws('|', {', '.join(present)})"
        return f"CASE WHEN {head} = '' THEN '' ELSE {head} || '|' || {tail} END"
