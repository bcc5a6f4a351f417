"""How the server pairs the inner calls of a subquery in descending order.

A subquery of several calls reads one iterator per call and pairs their
points with a cursor (``multiScannerCursor`` in influxd 1.6's
``query/cursor.go``) that, in descending order, takes the largest
(inner tags, time) among the iterators' next points and joins the
iterators whose next point has that key. Each iterator's points come
ordered by the outer query's tags (descending), then by time
(descending), then by the other inner tags (ascending). When the inner
query groups by a tag the outer one does not, that order is not the
cursor's: points of one inner row wait behind another series' points and
come out as separate rows, one per call (``paired_calls_sql`` pairs them
the same way). When every inner grouping tag is an outer one too, the
orders agree and each inner row stays whole, as the engine's SELECT
answers it.

In ascending order the server pairs them the same way, mirrored (smallest
key; outer tags, time and inner tags ascending), and rows split there too.
The walk costs about 30 µs a row, so in ascending order it runs only where
the pairing changes the answer (``pairing_matters``; also where a column
reads several calls, or LIMIT/OFFSET slice each call's points: see
``subqueries.py``). A column of several calls (``mean(v) + count(n)``) is
computed after the walk from the row it makes, null where a call it reads
has no point in that row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from influxpy.compilers.duckdb.aliases import (
    ROW_ORDER,
    WINDOW_START,
    group_column,
    output_column,
)
from influxpy.expressions import Col, Expression
from influxpy.lookups import ExpressionLookup
from influxpy.query import Query

__all__ = ["groups_whole_series", "paired_calls_sql", "pairing_matters"]


def groups_whole_series(inner: Sequence[str], outer: Sequence[str]) -> bool:
    """Whether the server keeps each inner row of several calls whole in
    descending order: the outer query groups by every inner grouping tag
    (a subquery without GROUP BY takes the outer tags, so it always does).
    Grouped by every tag inside, so is it only by GROUP BY * outside.
    """
    if "*" in inner:
        return "*" in outer
    return "*" in outer or set(inner) <= set(outer)


def pairing_matters(outer: Query, has_call: Callable[[Expression], bool]) -> bool:
    """Whether *outer*'s answer depends on how the inner calls' values are
    paired into rows: a raw column, a column of several inner columns, or a
    WHERE on anything but time. (Functions of one column each read the same
    values however they are paired.)"""
    if not any(has_call(item.expression) for item in outer.select):
        return True  # raw rows (also ``*``)
    for item in outer.select:
        names = {n.key for n in item.expression.walk() if isinstance(n, Col)}
        if not has_call(item.expression) or len(names) > 1:
            return True
    if outer.where is None:
        return False
    return any(
        isinstance(node, ExpressionLookup) or node.lhs.role != "time"
        for node in outer.where.walk()
    )


def paired_calls_sql(
    sql: str,
    group_keys: Sequence[str],
    outer_keys: Sequence[str],
    streams: Sequence[Sequence[int]],
    *,
    descending: bool = True,
    each: Callable[[str], str] | None = None,
    windows: str | None = None,
) -> str:
    """*sql*'s rows (``(groups…, time, columns…)``) re-paired as the
    server's descending cursor pairs the calls' points.

    *streams* lists, per distinct inner call, the indexes of the columns it
    computes (the first one tells whether the call has a point). Each call's
    points are numbered in the server's iterator order; a recursive walk
    then takes the largest (inner tags, time) among the calls' next points
    and joins the calls whose next point has it, as ``multiScannerCursor``
    does. The walk takes one step per row it answers. *each*, when given,
    slices each call's points (its LIMIT and OFFSET) before the walk.

    *windows*, SQL of the start of each row's window, where a call is
    SAMPLE or reads it: its iterator gives its points window by window,
    then by inner tags, each window's points in time order, so each call's
    points are numbered so, and the rows answered carry the step of the
    walk that made each (``ROW_ORDER``, beside a ``WINDOW_START`` of 0):
    the order the cursor emits them in, which the outer query reads.
    """
    way = "DESC" if descending else "ASC"
    tags = sorted(range(len(group_keys)), key=lambda i: group_keys[i])
    outer = [i for i in tags if group_keys[i] in set(outer_keys)]
    within = [f"time {way}", *(f"{group_column(i)} ASC" for i in tags)]
    if windows is not None:
        within = [
            f"{windows} {way}",
            *(f"{group_column(i)} ASC" for i in tags),
            "time ASC",
        ]
    order = ", ".join([*(f"{group_column(i)} {way}" for i in outer), *within])
    key = ", ".join(
        [*(f"k{n} := {group_column(i)}" for n, i in enumerate(tags)), "t := time"]
    )
    ctes = [f"src AS MATERIALIZED (SELECT * FROM ({sql}))"]
    for j, chosen in enumerate(streams):
        values = ", ".join(output_column(i) for i in chosen)
        points = f"SELECT * FROM src WHERE {output_column(chosen[0])} IS NOT NULL"
        if each is not None:
            points = each(points)
        ctes.append(
            f"s{j} AS MATERIALIZED (SELECT row_number() OVER (ORDER BY {order}) "
            f"AS idx, struct_pack({key}) AS key, {values} FROM ({points}))"
        )
    n = range(len(streams))
    start = ", ".join(
        [
            *(f"1::BIGINT AS p{j}" for j in n),
            *(f"false AS a{j}" for j in n),
            "0::BIGINT AS step",
        ]
    )
    moved = ", ".join(f"w.p{j} + w.a{j}::BIGINT AS p{j}" for j in n)
    heads = " ".join(
        f"LEFT JOIN s{j} h{j} ON h{j}.idx = w.p{j} + w.a{j}::BIGINT" for j in n
    )
    best = (
        f"{'greatest' if descending else 'least'}({', '.join(f'h{j}.key' for j in n)})"
    )
    step = (
        f"SELECT {', '.join(f'x.p{j}' for j in n)}, "
        + ", ".join(f"coalesce(x.k{j} = x.best, false) AS a{j}" for j in n)
        + ", x.step"
        + f" FROM (SELECT {moved}, w.step + 1 AS step, "
        + ", ".join(f"h{j}.key AS k{j}" for j in n)
        + f", {best} AS best FROM walk w {heads}) x WHERE x.best IS NOT NULL"
    )
    ctes.append(f"walk AS (SELECT {start} UNION ALL {step})")
    rows = " ".join(f"LEFT JOIN s{j} h{j} ON w.a{j} AND h{j}.idx = w.p{j}" for j in n)
    found = f"coalesce({', '.join(f'h{j}.key' for j in n)})"
    columns = [
        *(f"{found}.k{tags.index(i)} AS {group_column(i)}" for i in range(len(tags))),
        f"{found}.t AS time",
        *(
            f"h{j}.{output_column(i)} AS {output_column(i)}"
            for i, j in sorted((i, j) for j, cols in enumerate(streams) for i in cols)
        ),
    ]
    if windows is not None:
        columns += [f"0 AS {WINDOW_START}", f"w.step AS {ROW_ORDER}"]
    return (
        f"WITH RECURSIVE {', '.join(ctes)} SELECT {', '.join(columns)} "
        f"FROM walk w {rows} WHERE {' OR '.join(f'w.a{j}' for j in n)}"
    )
