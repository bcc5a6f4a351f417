"""Where influxd's reducer stops reading a subquery's rows.

An aggregate without windows over a subquery reads the subquery's rows
group by group (its GROUP BY tags in order, reversed when descending),
each group's rows in time order, and reduces each group in the one window
of the statement's range. influxd's reducer (``reduce()`` reading
``NextInWindow``) stops at the first row outside that window, and the call
then ends: the rows before it are reduced; that row and every later one,
of any group, are not. A subquery's windows that start before the range
answer such rows (the window holding the range's start), so ``SELECT
mean(m) FROM (SELECT mean(v) AS m FROM cpu GROUP BY time(5m), host) WHERE
time > now() - 1h`` answers nothing: its first row is such a window. In
descending order those rows come last in their group: the first group
holding one is reduced up to it, the groups after it are left out. A time
range in the inner statement instead keeps every row inside.
"""

from __future__ import annotations

from influxpy.compilers.duckdb.aliases import EMITTED, OUTSIDE
from influxpy.compilers.duckdb.context import _Context, _range_sql

__all__ = ["cut_rows", "read_rows", "stops"]


def read_rows(ctx: _Context, selected: str, low: int | None, high: int | None) -> str:
    """``SELECT selected`` over the rows of *ctx*'s table a call reads
    within ``[low, high]``: of a subquery, without windows, those before
    the first row outside it (``cut_rows``)."""
    if stops(ctx, low, high):
        return cut_rows(ctx, selected, low, high)
    in_range = _range_sql(low, high)
    return f"SELECT {selected} FROM {ctx.table} WHERE {ctx.where} AND {in_range}"


def stops(ctx: _Context, low: int | None, high: int | None) -> bool:
    """Whether a call reads *ctx*'s rows up to the first outside ``[low,
    high]``: a reducer without windows over a subquery's rows (a
    transformation or INTEGRAL reads them all: ``windows._call_range``
    gives it no range)."""
    return (
        ctx.subquery and ctx.query.group_by_time is None and (low, high) != (None, None)
    )


def cut_rows(ctx: _Context, selected: str, low: int | None, high: int | None) -> str:
    """``SELECT selected`` over the rows of *ctx*'s subquery an aggregate
    without windows reduces: those its WHERE keeps that come before the
    first one outside ``[low, high]`` in the order the subquery reads them.
    """
    direction = ctx.direction
    order = [f"coalesce({g}, '') {direction}" for g in ctx.groups]
    order.append(f"time {direction}")
    emitted = (
        f"SELECT *, row_number() OVER (ORDER BY {', '.join(order)})"
        f" AS {EMITTED}, NOT ({_range_sql(low, high)}) AS {OUTSIDE} "
        f"FROM {ctx.table} WHERE {ctx.where}"
    )
    stop = f"min(CASE WHEN {OUTSIDE} THEN {EMITTED} END) OVER ()"
    return (
        f"SELECT {selected} FROM ({emitted}) "
        f"QUALIFY {stop} IS NULL OR {EMITTED} < {stop}"
    )
