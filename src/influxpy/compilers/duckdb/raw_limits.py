"""LIMIT and OFFSET of a raw SELECT: only the rows they can take are read.

``LIMIT n OFFSET k`` takes each series group's first ``n + k`` rows in
output order, time first. A group's ``(n + k)``-th time (its last time
when it has fewer rows) bounds the times of the rows it can take; the
latest of those bounds over every group bounds them all. ``limit_bound``
adds that bound to the rows' condition as a scalar subquery of one top-n
aggregate (``min(time, n)``, a heap per group): DuckDB computes it first
and compares it inside the table's scan, so ``SELECT * FROM cpu LIMIT 10``
of millions of points sorts a few hundred rows instead of all of them.
Rows at the bound itself are all kept, so every two rows of one time are
still ordered by the statement's own ``ORDER BY``, and its ``QUALIFY``
still counts each group's rows exactly.
"""

from __future__ import annotations

from influxpy.compilers.duckdb.context import _Context
from influxpy.compilers.duckdb.merged import is_merged, reads_subquery

__all__ = ["MAX_BOUNDED", "limit_bound"]

#: Above this many rows per group (LIMIT plus OFFSET) the bound is not
#: computed: its per-group lists would cost about what they save.
MAX_BOUNDED = 100_000


def limit_bound(ctx: _Context, where: str, *, top: bool) -> str:
    """SQL to AND to *where* (the rows' condition over *ctx*'s table)
    keeping only rows the statement's LIMIT and OFFSET can take, or ''.

    Only for the statement's own (*top*) rows of a stored measurement
    with a LIMIT: inside a subquery LIMIT counts rows by groups the query
    around it can refine, and OFFSET alone takes every row after it.
    """
    query = ctx.query
    if not top or ctx.subquery or reads_subquery(ctx.table) or is_merged(ctx.table):
        return ""
    if not query.limit:
        return ""
    n = query.limit + (query.offset or 0)
    if n > MAX_BOUNDED:
        return ""
    descending = query.descending
    pick, overall, op = ("max", "min", ">=") if descending else ("min", "max", "<=")
    nth = f"list_last({pick}(time, {n}))"
    groups = f" GROUP BY {', '.join(ctx.groups)}" if ctx.groups else ""
    bound = (
        f"SELECT {overall}(t) FROM (SELECT {nth} AS t FROM {ctx.table} "
        f"WHERE {where}{groups})"
    )
    return f" AND time {op} ({bound})"
