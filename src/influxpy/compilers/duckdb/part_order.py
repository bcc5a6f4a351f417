"""The order influxd adds the series' parts of a float SUM or MEAN in.

influxd computes a SUM or MEAN per series first, then merges the series'
parts of a window and adds them in the order of that merge
(``NewParallelMergeIterator``: the tag set's series cut into as many
slices as the server has cores, each slice merged by a heap, the slices
merged by another). Go's heaps mix the series of one window, window by
window, in an order that depends on which series have parts in which
windows (two series with parts in every window keep series-key order, a
gap can swap them), and on every series of the tag set in that shard
group (each is an input of the merge even without a point in the query's
range). The backend replays it (``influxpy_merge_order``,
``backends/duckdb/functions/merge_order.py``) for each tag set and shard
group with parts of three series or more (two parts add up to the same
in either order); ``ordered`` gives each part its place as the ``HEAP``
column, which ``folds`` adds the parts in (series key where it is null).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from influxpy.compilers.duckdb.aliases import HEAP, PART, PART_COUNT, TIE
from influxpy.compilers.duckdb.catalog import (
    TAG_CODES,
    code_column,
    go_shard_start,
    ident,
)
from influxpy.compilers.duckdb.context import _Context
from influxpy.compilers.duckdb.ties import series_tags, tie_key

__all__ = [
    "PartOrder",
    "added",
    "merge_key",
    "merged_total",
    "ordered",
    "part_terms",
    "series_columns",
    "with_tie",
]

_SHARD = "influxpy_shard"
_WINDOW = "influxpy_window"
_SLOT = "influxpy_slot"
_MEMBERS = "influxpy_members"


@dataclasses.dataclass(frozen=True)
class PartOrder:
    """What the merge order of one call's series' parts needs."""

    #: SQL of a part's window start, over the parts' columns.
    window: str
    #: ``(sql, name)`` of each group key the parts carry: its SQL over the
    #: table's rows and its column among the parts.
    groups: Sequence[tuple[str, str]]
    #: The condition's tag terms: the series a tag set holds.
    tags_where: str
    #: The shard group duration of the policy read.
    shard_ns: int
    #: The call's time range: the shard groups whose series count.
    low: int | None
    high: int | None
    descending: bool
    #: Whether the call is a MEAN (else a SUM).
    mean: bool = False
    #: SQL of a part's shard group start over the parts' columns: its own
    #: where a window can span shard groups (``spans``), else its window's.
    shard: str = ""
    #: Whether a window can span shard groups: the parts are then each
    #: shard group's, added per shard group first, then the shard groups'
    #: sums in the order influxd merges its shards' iterators.
    spans: bool = False
    #: Whether the groups are tag codes (their values looked up to order
    #: the groups as influxd does).
    coded: bool = False


def series_columns(ctx: _Context) -> list[str]:
    """The columns telling *ctx*'s series apart, in the order of their
    tags' keys: the tags' codes where coded (grouping by small integers is
    faster than by strings)."""
    return [
        ident(code_column(tag) if ctx.columns[tag].coded else tag)
        for tag in series_tags(ctx)
    ]


def with_tie(ctx: _Context, relation: str, kept: Sequence[str]) -> str:
    """SQL of the *kept* columns of *relation*, which also holds the
    series' columns (``series_columns``), and each row's series key as
    ``TIE``, the codes' values looked up once per row."""
    values = []
    joins = []
    for i, tag in enumerate(series_tags(ctx)):
        if not ctx.columns[tag].coded:
            values.append(f"p.{ident(tag)}")
            continue
        values.append(f"coalesce(c{i}.value, '') AS {ident(tag)}")
        joins.append(
            f" LEFT JOIN {TAG_CODES} c{i} ON c{i}.code = p.{ident(code_column(tag))}"
        )
    inner = [*(f"p.{n}" for n in kept), *values]
    looked_up = f"SELECT {', '.join(inner)} FROM {relation} AS p{''.join(joins)}"
    return f"SELECT {', '.join([*kept, f'{tie_key(ctx)} AS {TIE}'])} FROM ({looked_up})"


def part_terms(mean: bool) -> str:
    """SQL of the term a part adds to its window's total: a SUM's part as
    it is; a MEAN's as influxd's reducer merges means, the part's mean
    ``s / n`` weighted back by its count (``s / n * n``, rounded twice)."""
    if not mean:
        return PART
    average = f"{PART} / {PART_COUNT}"
    return (
        f"CASE WHEN {PART_COUNT} >= 2 THEN {average} * {PART_COUNT} ELSE {average} END"
    )


def added(values: str) -> str:
    """SQL adding up the list *values* one after another from 0.0, as Go's
    loop ``total += v`` does."""
    return (
        f"list_reduce({values}, lambda influxpy_a, influxpy_b: "
        "influxpy_a + influxpy_b, 0.0)"
    )


def merge_key(descending: bool) -> str:
    """The ``ORDER BY`` of a window's parts: their place in influxd's merge
    (``HEAP``), else series key (the other way round in descending
    order)."""
    return f"{HEAP}, {TIE}{' DESC' if descending else ''}"


def merged_total(term: str, *, descending: bool, placed: bool) -> str:
    """SQL adding up a window's parts' *term*s in influxd's merge order
    (``merge_key``).

    *placed*: the parts went through ``ordered``, so a window whose parts
    have no place (``HEAP`` null) holds at most two, which add up to the
    same in either order: DuckDB's ``sum`` adds those (from 0.0, as Go's
    loop does), and only parts with a place are listed and ordered.
    Listing every window's parts was most of a statement whose windows
    hold one part each (a mean per second per host).
    """
    listed = f"list({term} ORDER BY {merge_key(descending)})"
    if not placed:
        return added(listed)
    in_order = added(f"{listed} FILTER (WHERE {HEAP} IS NOT NULL)")
    return f"CASE WHEN count({HEAP}) = 0 THEN sum({term}) ELSE {in_order} END"


def ordered(ctx: _Context, parts: str, order: PartOrder, ctes: list[str]) -> str:
    """The relation of *parts* (the SQL of their groups, windows, ``TIE``
    and values) with each part's place in influxd's merge as ``HEAP``: null
    where a tag set holds parts of at most two series in a shard group
    (their order cannot change a sum). Where windows can span shard groups
    (``order.spans``), the parts are then each shard group's sums of a
    window, in the order influxd merges its shards."""
    k = len(ctes)
    p, needs, members, places = (
        f"influxpy_parts_{k}",
        f"influxpy_needs_{k}",
        f"influxpy_members_{k}",
        f"influxpy_places_{k}",
    )
    groups = [name for _sql, name in order.groups]
    shard = order.shard or go_shard_start(order.window, order.shard_ns)
    ctes.append(
        f"{p} AS (SELECT *, {order.window} AS {_WINDOW}, {shard} AS {_SHARD} "
        f"FROM ({parts}))"
    )
    keys = [*groups, _SHARD]
    ctes.append(
        f"{needs} AS (SELECT {', '.join(keys)} FROM {p} GROUP BY ALL "
        f"HAVING count(DISTINCT {TIE}) > 2)"
    )
    ctes.append(f"{members} AS ({_members(ctx, order, needs)})")
    ctes.append(f"{places} AS ({_places(groups, p, members, order.descending)})")
    joined = [f"p.{g} IS NOT DISTINCT FROM o.{g}" for g in groups]
    joined += [f"p.{c} = o.{c}" for c in (_SHARD, TIE, _WINDOW)]
    merged = (
        f"SELECT p.*, o.{HEAP} FROM {p} p LEFT JOIN {places} o "
        f"ON {' AND '.join(joined)}"
    )
    if not order.spans:
        return f"(SELECT * EXCLUDE ({_SHARD}, {_WINDOW}) FROM ({merged})) AS parts"
    return _shard_sums(merged, order, ctes)


def _shard_sums(merged: str, order: PartOrder, ctes: list[str]) -> str:
    """The relation of each shard group's sum of a window's parts (*merged*,
    in their places), as ``PART`` and ``PART_COUNT`` with the shard group
    as ``TIE``, and its place in influxd's merge of its shards' iterators
    as ``HEAP`` (one heap over every group's windows, keyed by the group's
    tags and the window; null unless a window has three shard groups or
    more)."""
    k = len(ctes)
    sums, ranked, places = (
        f"influxpy_shard_sums_{k}",
        f"influxpy_shard_ranks_{k}",
        f"influxpy_shard_places_{k}",
    )
    total = merged_total(
        part_terms(order.mean), descending=order.descending, placed=True
    )
    ctes.append(
        f"{sums} AS (SELECT * EXCLUDE ({TIE}, {HEAP}, {PART}, {PART_COUNT}), "
        f"{total} AS {PART}, sum({PART_COUNT}) AS {PART_COUNT} FROM ({merged}) "
        "GROUP BY ALL)"
    )
    groups = [name for _sql, name in order.groups]
    values = []
    joins = []
    for i, g in enumerate(groups):
        if order.coded:
            values.append(f"coalesce(v{i}.value, '')")
            joins.append(f" LEFT JOIN {TAG_CODES} v{i} ON v{i}.code = s.{g}")
        else:
            values.append(f"s.{g}")
    direction = " DESC" if order.descending else ""
    by = ", ".join([*(f"{v}{direction}" for v in values), f"s.{_WINDOW}{direction}"])
    within = ", ".join([*(f"s.{g}" for g in groups), f"s.{_WINDOW}"])
    ctes.append(
        f"{ranked} AS (SELECT s.*, dense_rank() OVER (ORDER BY s.{_SHARD}) - 1 "
        f"AS {_SLOT}, dense_rank() OVER (ORDER BY {by}) AS influxpy_key, "
        f"count(*) OVER (PARTITION BY {within}) AS influxpy_shards "
        f"FROM {sums} s{''.join(joins)})"
    )
    lists = (
        f"SELECT max({_SLOT}) + 1 AS {_MEMBERS}, "
        f"list({_SLOT} ORDER BY {_SLOT}, influxpy_key) AS slots, "
        f"list(influxpy_key ORDER BY {_SLOT}, influxpy_key) AS windows "
        f"FROM {ranked} HAVING max(influxpy_shards) > 2"
    )
    # One heap over the shards' iterators: no slices (parallelism 1), the
    # keys already ordered for the query's direction.
    merge = f"influxpy_merge_order({_MEMBERS}, slots, windows, FALSE, 1)"
    ctes.append(
        f"{places} AS (SELECT unnest(slots) AS {_SLOT}, unnest(windows) AS "
        f"influxpy_key, unnest({merge}) AS {HEAP} FROM ({lists}))"
    )
    kept = f"r.* EXCLUDE (influxpy_key, influxpy_shards, {_SLOT}, {_SHARD}, {_WINDOW})"
    return (
        f"(SELECT {kept}, CAST(r.{_SHARD} AS VARCHAR) AS {TIE}, o.{HEAP} "
        f"FROM {ranked} r LEFT JOIN {places} o ON r.{_SLOT} = o.{_SLOT} "
        "AND r.influxpy_key = o.influxpy_key) AS parts"
    )


def _members(ctx: _Context, order: PartOrder, needs: str) -> str:
    """SQL of the series of each tag set and shard group that *needs*
    lists, each with its rank by series key (``_SLOT``, from 0) and how
    many there are (``_MEMBERS``)."""
    shard = go_shard_start("time", order.shard_ns)
    terms = [order.tags_where]
    if order.low is not None:
        terms.append(f"time >= {go_shard_start(str(order.low), order.shard_ns)}")
    if order.high is not None:
        end = f"{go_shard_start(str(order.high), order.shard_ns)} + {order.shard_ns}"
        terms.append(f"time < {end}")
    selected = [
        *(f"{sql} AS {name}" for sql, name in order.groups),
        *series_columns(ctx),
        f"{shard} AS {_SHARD}",
    ]
    rows = f"SELECT {', '.join(selected)} FROM {ctx.table} WHERE {' AND '.join(terms)}"
    # A semi join, not a correlated EXISTS: DuckDB would first list the
    # distinct keys of every row read.
    match = [
        f"r.{name} IS NOT DISTINCT FROM n.{name}"
        for name in (*(name for _sql, name in order.groups), _SHARD)
    ]
    distinct = (
        f"(SELECT DISTINCT r.* FROM ({rows}) r SEMI JOIN {needs} n "
        f"ON {' AND '.join(match)})"
    )
    keys = [*(name for _sql, name in order.groups), _SHARD]
    tied = with_tie(ctx, distinct, keys)
    within = f"PARTITION BY {', '.join(keys)}"
    return (
        f"SELECT *, row_number() OVER ({within} ORDER BY {TIE}) - 1 AS {_SLOT}, "
        f"count(*) OVER ({within}) AS {_MEMBERS} FROM ({tied})"
    )


def _places(groups: Sequence[str], parts: str, members: str, descending: bool) -> str:
    """SQL of each part's place in the merge of its tag set and shard
    group, by ``influxpy_merge_order``."""
    keys = [*(f"p.{g}" for g in groups), f"p.{_SHARD}"]
    by = f"m.{_SLOT}, p.{_WINDOW}"
    joined = [f"p.{g} IS NOT DISTINCT FROM m.{g}" for g in groups]
    joined += [f"p.{_SHARD} = m.{_SHARD}", f"p.{TIE} = m.{TIE}"]
    lists = (
        f"SELECT {', '.join(keys)}, any_value(m.{_MEMBERS}) AS {_MEMBERS}, "
        f"list(m.{_SLOT} ORDER BY {by}) AS slots, "
        f"list(p.{_WINDOW} ORDER BY {by}) AS windows, "
        f"list(p.{TIE} ORDER BY {by}) AS ties "
        f"FROM {parts} p JOIN {members} m ON {' AND '.join(joined)} "
        f"GROUP BY {', '.join(keys)}"
    )
    merge = (
        f"influxpy_merge_order({_MEMBERS}, slots, windows, "
        f"{'TRUE' if descending else 'FALSE'}, 0)"
    )
    return (
        f"SELECT {', '.join([*groups, _SHARD])}, unnest(ties) AS {TIE}, "
        f"unnest(windows) AS {_WINDOW}, unnest({merge}) AS {HEAP} FROM ({lists})"
    )
