"""Value casts inside calls (``sum(f::integer)``, ``mean(n::float)``).

influxd's cursor converts each value of a cast field before a call reads
it: a float read as an integer is truncated toward zero, an integer read
as a float keeps its value as a float, and a field of another type read as
a number gives no value (the source resolver already reads it as a missing
field; here too, as some calls read their column directly). The
engine's calls read stored columns by name, so each cast
between float and integer a call reads becomes a column of its own beside
the stored ones, computed as ``scalars._cast`` reads a cast raw field, and
the call reads that column. A cast to the stored type is dropped: the
call is the same as the one without it.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from influxpy.compilers.duckdb.catalog import (
    ColumnInfo,
    absent_column,
    find_column,
    ident,
)
from influxpy.compilers.duckdb.context import _column_sql, _Context
from influxpy.compilers.duckdb.scalars import _cast
from influxpy.expressions import Col, CombinedExpression
from influxpy.functions import Func
from influxpy.query import SelectItem

#: The casts that convert a number to the other numeric type.
_NUMBERS = frozenset({"float", "integer"})
#: The value casts, and the stored types they name.
_VALUES = frozenset({"float", "integer", "string", "boolean"})


def cast_calls(
    ctx: _Context, items: list[SelectItem], math: Collection[str]
) -> tuple[_Context, list[SelectItem]]:
    """*ctx* and *items* with each numeric cast a call reads (``v::integer``
    of a float field, ``n::float`` of an integer field) read from a column
    of the converted values; unchanged when no call reads one.

    *math* names the row-wise math functions (``abs()``): their arguments
    are values, not what a call reads.
    """
    added: dict[tuple[str, str], tuple[str, str]] = {}

    def convert(col: Col) -> Col:
        found = find_column(ctx.columns, col.key, col.role)
        if found is None or found[1].role != "field":
            return col
        column, info = found
        if col.cast == info.kind:
            # The stored type: the same call as without the cast (influxd
            # runs ``first(v::float), first(v)`` of a float as one selector).
            return dataclasses.replace(col, cast=None)
        if (
            col.cast in _VALUES
            and info.kind in _VALUES
            and not (col.cast in _NUMBERS and info.kind in _NUMBERS)
        ):
            # No conversion (``v::string`` of a float): no value, as influxd
            # reads it; a name no column has reads nothing, typed by the
            # cast (``last(v::string)`` is a column of strings, filled).
            return Col(absent_column(col.key), "field", cast=col.cast)
        if col.cast not in _NUMBERS or info.kind not in _NUMBERS:
            return col
        name = _column_name(ctx, col.key, col.cast)
        if (col.key, col.cast) not in added:
            sql, _kind = _cast(ident(column), info.kind, col.cast)
            added[(col.key, col.cast)] = (name, sql)
        return Col(name, "field", col.cast)

    def read(node: Any) -> Any:
        """What a call reads: its field, or another call's."""
        if isinstance(node, Col):
            return convert(node)
        if isinstance(node, Func) and node.name not in math:
            return with_source(node, read(node.source))
        return node

    rewritten = rewrite_calls(items, math, read)
    if not added:
        return ctx, rewritten
    columns = dict(ctx.columns)
    for (_key, cast), (name, _sql) in added.items():
        columns[name] = ColumnInfo(name, "field", cast)
    converted = ", ".join(f"{sql} AS {ident(name)}" for name, sql in added.values())
    table = f"(SELECT *, {converted} FROM {ctx.table})"
    return dataclasses.replace(ctx, table=table, columns=columns), rewritten


def cast_column_sql(
    col: Col, columns: Mapping[str, ColumnInfo]
) -> tuple[str, str | None]:
    """SQL and kind of a stored column read as its value cast says
    (``v::integer`` of a float field truncated toward zero, as influxd's
    condition reads it); ``_column_sql`` when no number is converted."""
    sql, kind = _column_sql(col, columns)
    if col.cast in _NUMBERS and kind in _NUMBERS and kind != col.cast:
        return _cast(sql, str(kind), str(col.cast))
    return sql, kind


def _column_name(ctx: _Context, key: str, cast: str) -> str:
    """A column name for *key* read as *cast*, unused by the stored ones."""
    name = f"{key}::{cast}"
    while name in ctx.columns:
        name = f"{name}_"
    return name


def rewrite_calls(
    items: Sequence[SelectItem], math: Collection[str], read: Callable[[Func], Any]
) -> list[SelectItem]:
    """*items* with each call no other call holds (in arithmetic, in the
    row-wise math functions *math* names, or alone) replaced by
    ``read(call)``; an item nothing changed is kept as it is."""

    def walk(node: Any) -> Any:
        if isinstance(node, CombinedExpression):
            lhs, rhs = walk(node.lhs), walk(node.rhs)
            if lhs is node.lhs and rhs is node.rhs:
                return node
            return dataclasses.replace(node, lhs=lhs, rhs=rhs)
        if isinstance(node, Func) and node.name in math:
            return with_source(node, walk(node.source))
        if isinstance(node, Func):
            return read(node)
        return node

    rewritten = []
    for item in items:
        expression = walk(item.expression)
        if expression is not item.expression:
            item = dataclasses.replace(item, expression=expression)
        rewritten.append(item)
    return rewritten


def with_source(call: Func, source: Any) -> Func:
    """*call* reading *source* (a copy where it changes)."""
    if source is call.source:
        return call
    changed = copy.copy(call)
    changed.source = source
    return changed


def wrapped_bigint(sql: str) -> str:
    """An integer total (*sql*, up to a HUGEINT) as influxd's int64 holds
    it: past 2**63 - 1 it wraps around, two's complement, as Go's integer
    addition does (two points of 2**62 sum to -2**63)."""
    return (
        f"CAST(((CAST({sql} AS HUGEINT) % 18446744073709551616) "
        "+ 27670116110564327424) % 18446744073709551616 "
        "- 9223372036854775808 AS BIGINT)"
    )
