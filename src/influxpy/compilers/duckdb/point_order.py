"""The order influxd reads the points of several series at one time in,
for the calls whose answer depends on it (STDDEV, INTEGRAL, MODE, and the
transformations of raw points: DIFFERENCE, DERIVATIVE, MOVING_AVERAGE,
CUMULATIVE_SUM, ELAPSED, the technical-analysis functions).

Such a call reads a tag set's points through influxd's sorted merge
iterator, shard group by shard group: a Go heap (``container/heap``) of the
tag set's series that have a point to read (in series-key order, reversed
in descending order), keyed by each series' next point's time. Points of
one time come out in the order the heap's array happens to hold their
series, which every earlier pop and push moved: not series-key order.
STDDEV's sums then differ in the last bits, and INTEGRAL, which keeps the
last point read of one time, can differ by far more. ``heap_places`` gives
each point its place in that merge (``HEAP``), replayed by
``influxpy_merge_order`` (one heap, keyed by time) for each tag set and
shard group holding two points at one time; elsewhere time alone orders
them.
"""

from __future__ import annotations

from influxpy.compilers.duckdb.aliases import HEAP, TIE
from influxpy.compilers.duckdb.catalog import go_shard_start
from influxpy.compilers.duckdb.context import (
    _CompilerBase,
    _Context,
    innermost_transform,
)
from influxpy.expressions import Col
from influxpy.functions import Func

__all__ = ["ORDER_DEPENDENT", "heap_places", "heap_read_order", "reads_in_heap_order"]

#: The aggregates whose answer depends on the order of the points of one
#: time.
ORDER_DEPENDENT = frozenset({"stddev", "integral", "mode"})
#: The transformations (of raw points, every one of them order-dependent:
#: DIFFERENCE keeps the first point of one time, CUMULATIVE_SUM adds them
#: in order, MOVING_AVERAGE averages the last N read).
_TRANSFORMS = _CompilerBase._TRANSFORMS


def reads_in_heap_order(call: Func) -> bool:
    """Whether *call* reads points in influxd's merge order where several
    series write at one time: an order-dependent aggregate, or a
    transformation of a field's raw points (or of such a transformation)."""
    if call.name in ORDER_DEPENDENT:
        return True
    deepest = innermost_transform(call, _TRANSFORMS)
    return call.name in _TRANSFORMS and isinstance(deepest.source, Col)


_SHARD = "influxpy_pshard"
_SLOT = "influxpy_pslot"
_ROW = "influxpy_prow"


def heap_places(
    ctx: _Context, rows: str, shard_ns: int, name: str, ctes: list[str]
) -> str:
    """The name of a CTE of *rows* (the call's points: group columns,
    ``time``, ``TIE``) with each point's place in influxd's merge of its tag
    set's series in its shard group as ``HEAP`` (null where no two points of
    the tag set share a time there)."""
    points, needs, ranked, places, placed = (
        f"{name}_points",
        f"{name}_ties",
        f"{name}_slots",
        f"{name}_places",
        f"{name}_heap",
    )
    keys = [*ctx.group_columns, _SHARD]
    shard = go_shard_start("time", shard_ns)
    # Materialized: its rows are numbered once, for the places to join.
    ctes.append(
        f"{points} AS MATERIALIZED (SELECT *, {shard} AS {_SHARD}, "
        f"row_number() OVER () AS {_ROW} FROM {rows})"
    )
    ctes.append(
        f"{needs} AS (SELECT {', '.join(keys)} FROM {points} GROUP BY ALL "
        "HAVING count(*) > count(DISTINCT time))"
    )
    match = " AND ".join(f"p.{k} IS NOT DISTINCT FROM n.{k}" for k in keys)
    within = f"PARTITION BY {', '.join(keys)}"
    ctes.append(
        f"{ranked} AS (SELECT {', '.join(f'p.{k}' for k in keys)}, p.{_ROW}, p.time, "
        f"dense_rank() OVER ({within} ORDER BY p.{TIE}) - 1 AS {_SLOT} "
        f"FROM {points} p SEMI JOIN {needs} n ON {match})"
    )
    by = f"time, {_SLOT}"
    lists = (
        f"SELECT {', '.join(keys)}, max({_SLOT}) + 1 AS members, "
        f"list({_SLOT} ORDER BY {by}) AS slots, list(time ORDER BY {by}) AS times, "
        f"list({_ROW} ORDER BY {by}) AS points FROM {ranked} GROUP BY ALL"
    )
    descending = "TRUE" if ctx.query.descending else "FALSE"
    # One heap keyed by time: no slices (parallelism 1).
    merge = f"influxpy_merge_order(members, slots, times, {descending}, 1)"
    ctes.append(
        f"{places} AS (SELECT unnest(points) AS {_ROW}, unnest({merge}) AS {HEAP} "
        f"FROM ({lists}))"
    )
    ctes.append(
        f"{placed} AS (SELECT p.* EXCLUDE ({_SHARD}, {_ROW}), o.{HEAP} FROM {points} p "
        f"LEFT JOIN {places} o ON p.{_ROW} = o.{_ROW})"
    )
    return placed


def heap_read_order(ctx: _Context) -> str:
    """The ``ORDER BY`` list of points placed by ``heap_places``: by time
    in the query's direction, those of one time by their place (null only
    where no two share a time)."""
    return f"time {ctx.direction}, {HEAP}"
