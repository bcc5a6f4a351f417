"""Planning the order influxd adds a SUM's or MEAN's series' parts in
(``part_order``): whether a SELECT's windows can span shard groups, and
what the replay of influxd's merges needs for one call."""

from __future__ import annotations

from influxpy.compilers.duckdb.aliases import PART_SHARD
from influxpy.compilers.duckdb.catalog import code_column, go_shard_start_of, ident
from influxpy.compilers.duckdb.context import _CompilerBase, _Context
from influxpy.compilers.duckdb.merged import reads_stored
from influxpy.compilers.duckdb.part_order import PartOrder
from influxpy.functions import Func

__all__ = ["PartPlansMixin"]


class PartPlansMixin(_CompilerBase):
    """The shard groups a SELECT's windows span, and a call's
    ``PartOrder``."""

    def _part_order(
        self,
        ctx: _Context,
        call: Func,
        window: str,
        codes: list[str],
        low: int | None,
        high: int | None,
    ) -> PartOrder | None:
        """What the merge order of a SUM's or MEAN's (*call*) series' parts
        needs (``part_order``): *window* is a part's window start over the
        parts' columns, *codes* the group code columns the parts are
        grouped by (else the group columns), *low* and *high* the call's
        range. None without shard groups to tell apart (a catalog without
        policies)."""
        shard_ns = self._shard_duration(ctx)
        if shard_ns is None:
            return None
        if codes:
            groups = [
                (ident(code_column(k)), c)
                for k, c in zip(ctx.group_keys, codes, strict=True)
            ]
        else:
            groups = list(zip(ctx.groups, ctx.group_columns, strict=True))
        spans = ctx.shard_parts
        return PartOrder(
            window=window,
            groups=groups,
            tags_where=self._tag_terms(ctx),
            shard_ns=shard_ns,
            low=low,
            high=high,
            descending=ctx.query.descending,
            mean=call.name == "mean",
            shard=PART_SHARD if spans else "",
            spans=spans,
            coded=bool(codes),
        )

    def _spans_shards(self, ctx: _Context) -> bool:
        """Whether a window of *ctx*, a SELECT of a stored measurement, can
        hold points of two shard groups: one window over the range (no
        ``resolution()``) unless the range lies in one shard group; windows
        whose boundaries are not all shard group boundaries (a length that
        does not divide the shard duration, an offset off the shard groups'
        starts, ``tz()``)."""
        shard_ns = self._shard_duration(ctx)
        if shard_ns is None or not reads_stored(ctx):
            return False
        if ctx.query.group_by_time is None:
            low, high = ctx.bounds.lower, ctx.bounds.upper
            if low is None or high is None:
                return True
            return go_shard_start_of(low, shard_ns) != go_shard_start_of(high, shard_ns)
        if ctx.query.timezone is not None:
            return True
        interval, offset = self._interval(ctx)
        first = go_shard_start_of(0, shard_ns)
        return shard_ns % interval != 0 or (first - offset) % interval != 0
