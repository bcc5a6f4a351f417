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

from influxpy.compilers.duckdb.aliases import HEAP, TIE
from influxpy.compilers.duckdb.catalog import (
    TAG_CODES,
    code_column,
    go_shard_start,
    ident,
)
from influxpy.compilers.duckdb.context import _Context
from influxpy.compilers.duckdb.ties import series_tags, tie_key

__all__ = ["PartOrder", "ordered", "series_columns", "with_tie"]

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


def ordered(ctx: _Context, parts: str, order: PartOrder, ctes: list[str]) -> str:
    """The relation of *parts* (the SQL of their groups, windows, ``TIE``
    and values) with each part's place in influxd's merge as ``HEAP``: null
    where a tag set holds parts of at most two series in a shard group
    (their order cannot change a sum)."""
    k = len(ctes)
    p, needs, members, places = (
        f"influxpy_parts_{k}",
        f"influxpy_needs_{k}",
        f"influxpy_members_{k}",
        f"influxpy_places_{k}",
    )
    groups = [name for _sql, name in order.groups]
    shard_ns = order.shard_ns
    ctes.append(
        f"{p} AS (SELECT *, {order.window} AS {_WINDOW}, "
        f"{go_shard_start(order.window, shard_ns)} AS {_SHARD} FROM ({parts}))"
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
    return (
        f"(SELECT p.* EXCLUDE ({_SHARD}, {_WINDOW}), o.{HEAP} "
        f"FROM {p} p LEFT JOIN {places} o ON {' AND '.join(joined)}) AS parts"
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
        f"{'TRUE' if descending else 'FALSE'})"
    )
    return (
        f"SELECT {', '.join([*groups, _SHARD])}, unnest(ties) AS {TIE}, "
        f"unnest(windows) AS {_WINDOW}, unnest({merge}) AS {HEAP} FROM ({lists})"
    )
