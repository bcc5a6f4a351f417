"""Time comparisons taken out of a SELECT's condition, as influxd does.

influxd (influxql's ``ConditionExpr``) takes every comparison of ``time``
out of a WHERE clause, under OR as under AND, and intersects them all into
one time range ("there is no such thing as using OR with a time range");
what is left of the condition filters the points inside that range. So
``time > 2 OR a = 4`` keeps the points after 2 where ``a`` is 4, and
``time > 3 OR time < 2`` keeps none, over stored measurements and over a
subquery alike. ``hoisted`` rewrites a parsed condition to that meaning:
what is left, ANDed with each time comparison. A condition without time
under OR is returned as it is.
"""

from __future__ import annotations

from typing import Any

from influxpy.influxql.parser import Bin, Paren
from influxpy.influxql.time_values import is_time as _is_time

__all__ = ["hoisted"]

_COMPARISONS = frozenset({"=", "!=", "<", "<=", ">", ">="})


def hoisted(node: Any) -> Any:
    """*node* (a parsed condition) with its time comparisons taken out of
    any OR and ANDed to what is left of it."""
    if not _time_under_or(node, under=False):
        return node
    rest, times = _split(node)
    for time in times:
        rest = time if rest is None else Bin("AND", rest, time)
    return rest


def _is_time_comparison(node: Any) -> bool:
    return (
        isinstance(node, Bin)
        and node.op in _COMPARISONS
        and any(_is_time(side) for side in (node.lhs, node.rhs))
    )


def _time_under_or(node: Any, *, under: bool) -> bool:
    if isinstance(node, Paren):
        return _time_under_or(node.expr, under=under)
    if isinstance(node, Bin) and node.op in ("AND", "OR"):
        inside = under or node.op == "OR"
        return any(_time_under_or(s, under=inside) for s in (node.lhs, node.rhs))
    return under and _is_time_comparison(node)


def _split(node: Any) -> tuple[Any, list[Any]]:
    """What is left of *node* without its time comparisons (None: nothing),
    and those comparisons, in order."""
    if isinstance(node, Paren):
        rest, times = _split(node.expr)
        return (None if rest is None else Paren(rest)), times
    if isinstance(node, Bin) and node.op in ("AND", "OR"):
        left, on_left = _split(node.lhs)
        right, on_right = _split(node.rhs)
        times = on_left + on_right
        if left is None:
            return right, times
        if right is None:
            return left, times
        return Bin(node.op, left, right), times
    if _is_time_comparison(node):
        return None, [node]
    return node, []
