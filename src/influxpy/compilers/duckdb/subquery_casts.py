"""Casts of a subquery's columns, read as influxd 1.6.7 reads them.

influxd maps a name the outer query reads to the subquery's select list
first (a column), then to a tag a TOP/BOTTOM call names, then to a tag the
subquery groups by. What a cast does depends on which:

- **a column** (``SELECT f AS c``): a call reads the values the cast
  converts (numbers between float and integer, no value across other
  types), ``c::tag`` as ``c::string``. A raw read shows each value as it is,
  numbers converted between float and integer only (``c::float`` of a
  string column shows the string). ``x::field`` of a column of a tag's
  values (``SELECT host AS h``) reads nothing.
- **a tag** (a group tag, a TOP/BOTTOM tag): every cast reads the tag's
  text, in a call and raw. ``t::field`` in a call whose column influxd
  cannot type (``sum(t::field)``: the call's type is its argument's, and
  ``::field`` of a tag has none) reads nothing; under a call of a fixed
  type it reads the text (``count(t::field)`` counts, ``mean(t::field)``
  fails as ``mean`` of a string).

``place`` names which of the three a name is; ``call_read`` and
``raw_read`` say what a cast reads there, for the compiler (``read_casts``)
and for the argument types checked before a query runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from typing import Any

from influxpy.compilers.duckdb.call_casts import rewrite_calls, with_source
from influxpy.compilers.duckdb.catalog import ColumnInfo, absent_column, find_column
from influxpy.expressions import Col
from influxpy.function_specs import FUNCTIONS
from influxpy.functions import Func
from influxpy.query import Query

__all__ = [
    "COLUMN",
    "NOTHING",
    "TAG",
    "TAGGED",
    "TEXT",
    "call_read",
    "fixed_type",
    "place",
    "raw_read",
    "read_casts",
]

#: What a read gives that reads no value.
NOTHING = "nothing"
#: A tag's text, whatever the cast.
TEXT = "text"
#: The places of a name in a subquery: a tag, a column of a tag's values,
#: a column of values.
TAG, TAGGED, COLUMN = "tag", "tagged", "column"
_NUMBERS = ("float", "integer")


def call_read(cast: str | None, where: str, *, fixed: bool) -> str | None:
    """What a call reads through ``name::cast`` at *where* (a ``place``):
    ``TEXT``, ``NOTHING``, or the cast to read the column's values by
    (None: the values as they are). *fixed*: a call on the way to the
    name has a type of its own (``count``, ``mean``)."""
    if where == TAG:
        return NOTHING if cast == "field" and not fixed else TEXT
    if cast == "tag":
        return "string"
    if cast == "field":
        return NOTHING if where == TAGGED else None
    return cast


def raw_read(cast: str | None, where: str, kind: str | None) -> str | None:
    """What a raw read of ``name::cast`` at *where* shows: ``TEXT`` for a
    tag, else the cast to convert a column's *kind* by (numbers only; None:
    the values as they are)."""
    if where == TAG:
        return TEXT
    if cast in _NUMBERS and kind in _NUMBERS:
        return cast
    return None


def fixed_type(call: Func) -> bool:
    """Whether *call*'s column has a type of its own, not its argument's."""
    spec = call.spec or FUNCTIONS.get(call.name.lower())
    return spec is not None and spec.result_type is not None


def place(columns: Mapping[str, ColumnInfo], key: str) -> tuple[str, ColumnInfo] | None:
    """Where *key* is among a subquery table's *columns* (``TAG``,
    ``TAGGED``, ``COLUMN``) and its column; None where it is none of them
    (not held, or a tag only the outer GROUP BY adds)."""
    found = find_column(columns, key, "field")
    if found is None or found[1].role != "field":
        return None
    info = found[1]
    if not info.listed:
        return TAG, info  # a group tag's values, a TOP/BOTTOM tag
    return (TAGGED if info.tagged else COLUMN), info


def read_casts(
    outer: Query, columns: Mapping[str, ColumnInfo], math: Collection[str]
) -> Query:
    """*outer*'s select list with each cast of a subquery's name read as
    influxd reads it (``call_read``, ``raw_read``): a tag's cast reads the
    tag, ``c::tag`` of a column reads it as ``c::string``, a raw cast shows
    the value as it is, and what reads nothing names no column. A name a
    call reads that is still unknown here reads the tag of that name.

    *math* names the row-wise math functions (``abs()``), whose arguments
    are values, not what a call reads. A cast of a column named like a
    group tag (``core::tag``) is left as it is (a quirk pinned by a test).
    """

    def group_tag(key: str) -> bool:
        info = columns.get(key)
        return info is not None and info.role == "tag"

    def resolved(col: Col, read: str | None, info: ColumnInfo) -> Col:
        if read == NOTHING:
            return Col(absent_column(col.key), "field")
        if read == TEXT:
            return Col(col.key, "field", dtype=info.kind)
        return dataclasses.replace(col, role="field", dtype=info.kind, cast=read)

    def in_call(node: Any, fixed: bool) -> Any:
        if isinstance(node, Col) and (node.cast is not None or node.role == "unknown"):
            found = place(columns, node.key)
            if found is None or _named_like_tag(node, found[0], group_tag):
                return node
            where, info = found
            if node.cast is None and where != TAG:
                return node  # a column, read as it is
            return resolved(node, call_read(node.cast, where, fixed=fixed), info)
        if isinstance(node, Func) and node.name not in math:
            return with_source(node, in_call(node.source, fixed or fixed_type(node)))
        return node

    def raw(col: Col) -> Col:
        found = place(columns, col.key)
        if found is None or _named_like_tag(col, found[0], group_tag):
            return col
        where, info = found
        read = raw_read(col.cast, where, info.kind)
        if read == TEXT:
            return Col(col.key, "unknown")
        return dataclasses.replace(col, role="field", dtype=info.kind, cast=read)

    items = []
    for item in outer.select:
        expression = item.expression
        if isinstance(expression, Col) and expression.cast is not None:
            changed = raw(expression)
            if changed is not expression:
                item = dataclasses.replace(item, expression=changed)
        items.append(item)
    items = rewrite_calls(items, math, lambda call: in_call(call, False))
    if all(a is b for a, b in zip(items, outer.select, strict=True)):
        return outer
    return dataclasses.replace(outer, select=tuple(items))


def _named_like_tag(col: Col, where: str, group_tag: Callable[[str], bool]) -> bool:
    """``x::tag`` of a column named like a group tag ``x``."""
    return col.cast == "tag" and where != TAG and group_tag(col.key)
