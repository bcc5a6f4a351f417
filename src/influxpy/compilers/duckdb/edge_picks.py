"""The point a bare FIRST or LAST picks among several series of a group.

Without ``GROUP BY time``, influxd answers ``first(v)`` and ``last(v)`` of a
stored measurement from a raw read rather than a reducer of every point
(``Engine.CreateIterator``): per tag set and shard group, the series are
merged by its sorted merge heap (``point_order``), ascending for FIRST and
descending for LAST, and a limit iterator lets the first points of that
merge through, two of them (it stops once it has passed more than its
limit of one). The reducer then keeps the earliest (latest) of the points
passed, of one time the larger value (``false`` before ``true`` for
FIRST). Points of three or more series at the group's first time thus
give the larger of the two the heap pops first, which need not be the
largest: ``a=1, b=8, c=2`` at one time answer 2.

The answer always comes from the shard group holding the group's first
(last) point, so only its rows are read again: each series' first two
points there (the heap pops a series' second point before another series'
first only when it is earlier), Go's heap replayed over them by the
DuckDB function ``influxpy_edge_pops`` (``backends/duckdb/functions/
edge_pops.py``), and the two points it pops first kept for the reducer.

A subquery's tag sets are the statement's GROUP BY tags
(``newIteratorOptionsSubstatement`` hands the inner options the outer
``Dimensions``), while its reducer groups by its own tags too. Where those
are more, the series of several inner groups share one merge: each series
passes its first two points, and the limit after the merge passes the first
point of each run of one inner group (``LimitIterator`` restarts its count
when a point's tags change), so a group's first point always reaches the
reducer, and its other points of that time only where another group's
point was popped just before. The merge of each of the statement's tag sets
is then replayed in the shard group holding a group's first (last) point,
every point of it popped (``tests/conformance/
test_subquery_edge_picks.py``).
"""

from __future__ import annotations

from collections.abc import Sequence

from influxpy.compilers.duckdb.aliases import TIE, _own, aux_column
from influxpy.compilers.duckdb.catalog import find_column, go_shard_start
from influxpy.compilers.duckdb.context import _Context
from influxpy.compilers.duckdb.merged import reads_stored
from influxpy.compilers.duckdb.part_order import series_columns, with_tie
from influxpy.compilers.duckdb.ties import tie_key
from influxpy.expressions import Col
from influxpy.functions import Func

__all__ = ["PASSED", "edge_pick_rows", "heap_texts", "picks_at_the_edge"]

#: Points of the merge the limit iterator lets through (its limit of one,
#: plus the one it reads before it sees that it is past it).
PASSED = 2

_START = _own("influxpy_eshard")
_RANK = _own("influxpy_erank")
_SLOT = _own("influxpy_eslot")
_ID = _own("influxpy_eid")
_TEXTS = _own("influxpy_etexts")
_VALUE = _own("influxpy_evalue")
_PICK = _own("influxpy_epick")
_RUN = _own("influxpy_erun")


def picks_at_the_edge(ctx: _Context, call: Func) -> bool:
    """Whether *call* is a FIRST or LAST without windows over a stored
    measurement's groups of several series, answered from the first
    points of influxd's merge (``edge_pick_rows``)."""
    return (
        call.name in ("first", "last")
        and ctx.query.group_by_time is None
        and reads_stored(ctx)
        and tie_key(ctx) != "0"
    )


def _tag_sets_apart(ctx: _Context) -> list[str] | None:
    """Of a subquery grouped by more tags than the statement reading it:
    the columns of its groups that are the statement's GROUP BY tags, by
    which influxd makes the tag sets it merges (``Dimensions``; every
    series in one without them); None where its tag sets are its groups."""
    dims = ctx.dimensions
    if dims is None or set(ctx.group_keys) <= set(dims):
        return None
    pairs = zip(ctx.group_keys, ctx.group_columns, strict=True)
    return [column for key, column in pairs if key in dims]


def heap_texts(
    ctx: _Context, aux: Sequence[Col], extra: Sequence[tuple[str, str | None]]
) -> tuple[str, ...]:
    """What influxd's sorted merge heap compares two points of one time by:
    the columns read beside a selector (*aux*, stored as ``aux_column(j)``,
    of the kinds in *extra*) in the order of their names, while they are
    text (a tag or a string field; null where a point has none, which ends
    the comparison), the smaller first; at the first that is not text,
    nothing more."""
    texts = []
    ordered = sorted(range(len(aux)), key=lambda j: (aux[j].key, aux[j].cast or ""))
    for j in ordered:
        found = find_column(ctx.columns, aux[j].key, aux[j].role)
        tag = found is not None and found[1].role == "tag"
        if not tag and extra[j][1] != "string":
            break
        texts.append(aux_column(j))
    return tuple(texts)


def edge_pick_rows(
    ctx: _Context,
    rows: str,
    shard_ns: int,
    name: str,
    ctes: list[str],
    *,
    last: bool,
    x: str,
    value_order: str,
) -> str:
    """The name of a CTE of the point of each group of *rows* (the call's
    points, with the group and series columns) a bare FIRST (LAST when
    *last*) of *x* picks: of the first ``PASSED`` points of its merge in
    the shard group holding its first (last) point, the one influxd's
    reducer keeps (of one time, by *x* in *value_order*, ``DESC`` or
    ``ASC``, then the one the merge popped first)."""
    groups = ctx.group_columns
    edge, shard, series, slotted, placed, picks = (
        f"{name}_edge",
        f"{name}_edge_rows",
        f"{name}_edge_series",
        f"{name}_edge_slots",
        f"{name}_edge_placed",
        f"{name}_edge_picks",
    )
    extreme = "max" if last else "min"
    start = go_shard_start(f"{extreme}(time)", shard_ns)
    ctes.append(
        f"{edge} AS (SELECT {', '.join([*groups, f'{start} AS {_START}'])} "
        f"FROM {rows} AS r GROUP BY ALL)"
    )
    apart = _tag_sets_apart(ctx)
    # The merges replayed: each group's, or each of the statement's tag sets
    # in the shard group holding a group's first (last) point.
    replays, merged, started = edge, groups, ""
    if apart is not None:
        replays = f"{name}_edge_replays"
        merged = [*apart, _START]
        started = f", e.{_START}"
        ctes.append(f"{replays} AS (SELECT DISTINCT {', '.join(merged)} FROM {edge})")
    in_shard = " AND ".join(
        [
            *(
                f"r.{g} IS NOT DISTINCT FROM e.{g}"
                for g in (groups if apart is None else apart)
            ),
            f"r.time >= e.{_START}",
            f"r.time < e.{_START} + {shard_ns}",
        ]
    )
    # Read twice (each series' first points, then the points kept): scanned
    # again rather than copied.
    ctes.append(
        f"{shard} AS NOT MATERIALIZED (SELECT r.*{started} FROM {rows} AS r "
        f"JOIN {replays} AS e ON {in_shard})"
    )
    keys = [*groups, *series_columns(ctx), *([_START] if apart is not None else [])]
    listed = (
        f"SELECT {', '.join(keys)}, {extreme}(time, {PASSED}) AS times "
        f"FROM {shard} GROUP BY ALL"
    )
    firsts = f"(SELECT {', '.join(keys)}, unnest(times) AS time FROM ({listed}))"
    ctes.append(f"{series} AS ({with_tie(ctx, firsts, [*keys, 'time'])})")
    # The texts the heap compares after the time, of each series' first
    # points (null where a point has none: a missing tag or field).
    texts = "NULL"
    candidates = f"SELECT *, NULL AS {_TEXTS} FROM {series}"
    if ctx.beside_texts:
        same = " AND ".join(
            [*(f"r.{k} IS NOT DISTINCT FROM f.{k}" for k in keys), "r.time = f.time"]
        )
        texts = f"list({_TEXTS} ORDER BY {_SLOT}, time)"
        candidates = (
            f"SELECT f.*, [{', '.join(f'r.{t}' for t in ctx.beside_texts)}] "
            f"AS {_TEXTS} FROM {series} AS f JOIN {shard} AS r ON {same}"
        )
    within = f"PARTITION BY {', '.join(merged)} " if merged else ""
    by = f"{_SLOT}, time"
    run, runs = "", "NULL"
    if apart is not None:
        # Of the statement's tag sets, each point's group numbered: a limit
        # after the merge passes the first point of each run of one group.
        run = f", dense_rank() OVER ({within}ORDER BY {', '.join(groups)}) AS {_RUN}"
        runs = f"list({_RUN} ORDER BY {by})"
    ctes.append(
        f"{slotted} AS MATERIALIZED (SELECT *, dense_rank() OVER ({within}ORDER BY "
        f"{TIE}) - 1 AS {_SLOT}, row_number() OVER () AS {_ID}{run} "
        f"FROM ({candidates}))"
    )
    flag = "TRUE" if last else "FALSE"
    pops = (
        f"influxpy_edge_pops(list({_SLOT} ORDER BY {by}), list(time ORDER BY {by}), "
        f"{texts}, {flag}, {PASSED}, {runs})"
    )
    grouped = f" GROUP BY {', '.join(merged)}" if merged else ""
    lists = (
        f"SELECT list({_ID} ORDER BY {by}) AS ids, {pops} AS places "
        f"FROM {slotted}{grouped}"
    )
    ctes.append(
        f"{placed} AS (SELECT s.*, p.{_RANK} FROM (SELECT unnest(ids) AS {_ID}, "
        f"unnest(places) AS {_RANK} FROM ({lists})) AS p JOIN {slotted} AS s "
        f"ON s.{_ID} = p.{_ID} WHERE p.{_RANK} > 0)"
    )
    direction = "DESC" if last else "ASC"
    same = " AND ".join(
        [*(f"r.{k} IS NOT DISTINCT FROM p.{k}" for k in keys), "r.time = p.time"]
    )
    # The reducer keeps the earliest (latest) point passed, of one time the
    # larger value (*value_order*), of equal values the one popped first.
    within = f"PARTITION BY {', '.join(f'r.{g}' for g in groups)} " if groups else ""
    chosen = (
        f"SELECT r.*, row_number() OVER ({within}ORDER BY r.time {direction}, "
        f"r.{_VALUE} {value_order}, p.{_RANK}) AS {_PICK} "
        f"FROM (SELECT *, {x} AS {_VALUE} FROM {shard}) AS r "
        f"JOIN {placed} AS p ON {same}"
    )
    ctes.append(
        f"{picks} AS (SELECT * EXCLUDE ({_VALUE}, {_PICK}) FROM ({chosen}) "
        f"WHERE {_PICK} = 1)"
    )
    return picks
