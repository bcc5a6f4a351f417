"""How the engine orders the points of several series at one time.

influxd's merge meets the points of two series at one time in the order
of their series keys; the raw rows, and the aggregates whose answer
depends on the order the points are read in (STDDEV), read them so. A raw
SELECT compares the text values it reads first (``raw_tie_key``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from influxpy.compilers.duckdb.aliases import TIE
from influxpy.compilers.duckdb.catalog import ident
from influxpy.compilers.duckdb.context import _column_sql, _Context
from influxpy.compilers.duckdb.merged import ORDINAL as SOURCE
from influxpy.compilers.duckdb.merged import is_merged, reads_subquery, tie_order
from influxpy.compilers.duckdb.plan import HeapOrder
from influxpy.expressions import Col
from influxpy.query import SelectItem, Source

__all__ = [
    "RawTie",
    "handed_order",
    "heap_order",
    "key_part",
    "raw_tie",
    "read_order",
    "series_tags",
    "tie_key",
]


def tie_key(ctx: _Context) -> str:
    """Break ties between equal times by series key, as a re-implementation must.

    Grouped by every tag, a series holds one tag set and never two rows at
    one time: no tie to break, so none to compute or sort by.
    """
    tags = series_tags(ctx)
    # A table merged from several sources (``merged``): its rows at one time
    # follow the sources' order after the series key, descending too
    # (influxd's heap order there is its own: a quirk test pins both); of a
    # subquery beside a source of its measurement, one of each source in
    # turn (``merged.tie_order``).
    merged = is_merged(ctx.table)
    descending = ctx.direction == "DESC"
    if not tags or set(tags) <= set(ctx.group_keys):
        return tie_order(ctx.table, "''", descending, ctx.groups) if merged else "0"
    # A subquery's rows carry every tag it groups by ('' where a series has
    # none), which influxd's merge compares value by value; a measurement's
    # series compare by their keys.
    parts = [ident(t) for t in tags] if ctx.subquery else map(key_part, tags)
    key = "concat_ws(',', " + ", ".join(parts) + ")"
    return tie_order(ctx.table, key, descending, ctx.groups) if merged else key


def handed_order(ctx: _Context, order: Sequence[str]) -> str:
    """The ``ORDER BY`` list of *order* (a raw subquery's, over rows of its
    own subquery) with the series key whole: where every tag is grouped by,
    ``TIE`` is constant and the grouping tags, in the order of their keys,
    stand for it. The rows keep that order whatever the subquery groups
    by, as influxd passes its cursor through unsorted."""
    if tie_key(ctx) != "0":
        return ", ".join(order)
    keyed = [g for _k, g in sorted(zip(ctx.group_keys, ctx.group_columns, strict=True))]
    terms: list[str] = []
    for term in order:
        column, direction = term.split(" ")
        terms += [f"{g} {direction}" for g in keyed] if column == TIE else [term]
    return ", ".join(terms)


class RawTie(NamedTuple):
    """The ``TIE`` of a raw SELECT's rows (``raw_tie``)."""

    #: Its SQL: the series key, or a list of text values and the key.
    sql: str
    #: Whether two points of one time may compare equal in influxd's heap,
    #: whose order then decides (``heap_order``).
    heap: bool
    #: How many text values ``sql`` lists before the series key (0: ``sql``
    #: is the key alone).
    texts: int = 0
    #: Where the texts tell every two series apart unless one is missing:
    #: the SQL conditions of a row lacking each (the heap is replayed only
    #: when some row of the read does), else None.
    lacking: tuple[str, ...] | None = None

    @property
    def listed(self) -> bool:
        """Whether ``sql`` is a list of text values ending with the key."""
        return self.texts > 0


def raw_tie(ctx: _Context, items: Sequence[SelectItem]) -> RawTie:
    """The ``TIE`` of a raw SELECT's rows of a stored measurement.

    influxd's merge of raw points (its sorted merge heap) meets two points
    of one time by the values of the columns the select list reads, in
    the order of their names: while both are text (a tag or a string
    field) the smaller goes first (the larger, descending); at the first
    value that is not text (a number, or a missing tag or string), or when
    all are equal, neither is less. So ``SELECT "level description",
    water_level`` orders the points of one time by their ``level
    description``, ``SELECT water_level, host`` by ``host``; where the
    texts leave two points unordered (``SELECT v``: no texts) influxd's
    order is its heap's, which the backend replays with the series key
    last in ``TIE``.
    """
    key = tie_key(ctx)
    if key == "0" or ctx.subquery or is_merged(ctx.table):
        return RawTie(key, heap=False)
    refs = {
        (node.key, node.cast or ""): node
        for item in items
        for node in item.expression.walk()
        if isinstance(node, Col) and node.role != "time"
    }
    texts: list[str] = []
    # A row lacking each text: a condition on its column alone, which
    # DuckDB's scan tests against each row group's statistics first.
    missing: list[str] = []
    tags = set(series_tags(ctx)) - set(ctx.group_keys)
    # How many texts tell every two series of a group apart, where none
    # of them is missing (None: they never do).
    telling: int | None = None
    for ref in sorted(refs):
        sql, kind = _column_sql(refs[ref], ctx.columns)
        if kind not in ("tag", "string"):
            break
        # A series without the tag stores '', read as missing.
        texts.append(f"NULLIF({sql}, '')" if kind == "tag" else sql)
        missing.append(
            f"({sql} = '' OR {sql} IS NULL)" if kind == "tag" else f"{sql} IS NULL"
        )
        if kind == "tag" and tags and ref[0] in tags:
            tags.discard(ref[0])
            if not tags:
                telling = len(texts)
    if not texts:
        return RawTie(key, heap=True)
    # influxd's heap leaves two rows of one time in its own order where
    # their texts do not tell them apart: equal texts, or a missing one
    # (a series without the tag, a point without the string), which ends
    # its comparison. The backend replays the heap there
    # (``StreamPlan.replayed_sql``); elsewhere the SQL's order by the
    # texts is the heap's. A tag the groups are keyed by is equal within
    # each group, but missing in the group of series without it: compared
    # all the same. Where the texts hold every other tag, only a missing
    # one can leave two rows untold: ``lacking`` finds whether any row
    # lacks one, so a read where none does is not replayed at all.
    lacking = None if telling is None else tuple(missing[:telling])
    return RawTie(
        f"[{', '.join([*texts, key])}]",
        heap=True,
        texts=len(texts),
        lacking=lacking,
    )


def heap_order(ctx: _Context, tie: RawTie, *, top: bool) -> HeapOrder | None:
    """What the backend needs to order the rows of one time as influxd's
    merge heap does, or None: for the statement's own (*top*) raw SELECT
    of a stored measurement whose ties the text values it reads may leave
    (``raw_tie``)."""
    if not top or not tie.heap or reads_subquery(ctx.table):
        return None
    query = ctx.query
    source = query.source
    assert isinstance(source, Source)
    return HeapOrder(
        source.database,
        source.retention_policy,
        query.limit,
        query.offset,
        texts=tie.texts,
    )


def key_part(tag: str) -> str:
    """SQL of a tag's part of the series key, ``key=value``, NULL when the
    row has no value: joined by commas, the parts sort as influxd's series
    keys sort (a series without a tag goes before one with it only when no
    later tag follows). The values are not escaped as the line protocol
    escapes them (that costs a raw read about a tenth more), so of two
    series whose values differ first at a space, comma or equals sign,
    which influxd's key writes after a backslash, the order can differ."""
    escaped_key = "".join("\\" + c if c in ",= " else c for c in tag)
    prefix = escaped_key.replace("'", "''") + "="
    column = ident(tag)
    return f"CASE WHEN {column} <> '' THEN '{prefix}' || {column} END"


def series_tags(ctx: _Context) -> list[str]:
    """The tags whose values tell the series of *ctx*'s table apart, in
    the order of their keys."""
    return sorted(k for k, c in ctx.columns.items() if c.role == "tag")


def read_order(ctx: _Context) -> str:
    """The ``ORDER BY`` list of the points of a call's group as the server
    reads them: by time in the query's direction, points at one time by
    series key (``tie_key``, the ``TIE`` column the call's rows carry
    where a group can hold several series); of several sources, one
    source after another."""
    direction = ctx.direction
    order = f"time {direction}"
    if tie_key(ctx) != "0":
        order += f", {TIE} {direction}"
    if is_merged(ctx.table):
        # Several sources: influxd's unordered merge reads a window's
        # points one source after another, each in time order.
        order = f"{SOURCE}, {order}"
    return order
