"""What a select list reads: its keys, its columns, its tags' values."""

from __future__ import annotations

from influxpy.compilers.duckdb.catalog import PUSHED, find_column
from influxpy.compilers.duckdb.context import _VALUE_ROLES, _Context
from influxpy.expressions import Col, Expression
from influxpy.functions import Func
from influxpy.query import SelectItem


def tags_beside_calls(items: list[SelectItem], ctx: _Context) -> frozenset[int]:
    """The output positions of the tags selected beside a selector (the
    tag arguments of TOP/BOTTOM(x, tag…, N) add columns after its own)."""
    found: set[int] = set()
    shift = 0
    for i, item in enumerate(items):
        expr = item.expression
        if reads_tag(expr, ctx):
            found.add(i + shift)
        elif isinstance(expr, Func) and expr.name in ("top", "bottom"):
            shift += len(expr.params) - 1
    return frozenset(found)


def reads_tag(expr: Expression, ctx: _Context) -> bool:
    """Whether *expr* is a tag's values: a tag, or a subquery's column of
    them (influxd types either a tag)."""
    if not isinstance(expr, Col):
        return False
    if expr.role == "tag":
        return True
    # A column read as a field (a grouping tag's values moved aside) is
    # found as one.
    found = find_column(
        ctx.columns, expr.key, "field" if expr.role == "field" else "unknown"
    )
    return expr.role in _VALUE_ROLES and found is not None and found[1].tagged


def names_a_key(items: list[SelectItem], keys: frozenset[str]) -> bool:
    """Whether *items* name a column of one of *keys*."""
    return any(
        isinstance(node, Col) and node.key in keys
        for item in items
        for node in item.expression.walk()
    )


def reads_a_column(items: list[SelectItem], ctx: _Context) -> bool:
    """Whether *items* name a column of the table read (a tag of a
    subquery's grouping counts, not one only the outer GROUP BY added)."""
    for item in items:
        for node in item.expression.walk():
            if not isinstance(node, Col):
                continue
            info = ctx.columns.get(node.key)
            if info is None:
                found = find_column(ctx.columns, node.key)
                info = found[1] if found is not None else None
            if info is not None and info.kind != PUSHED:
                return True
    return False


def key_of(item: SelectItem) -> str:
    """The key of a column item: ``*`` lists the columns in key order."""
    expression = item.expression
    assert isinstance(expression, Col)
    return expression.key
