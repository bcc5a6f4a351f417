"""Comparisons of two literals in a SHOW condition, folded as influxd does.

influxql's ``Reduce`` folds ``1 = 1``, ``10 / 4 = 2.5``, ``'a' != 'b'`` or
``1d = 24h`` to ``true`` or ``false`` before SHOW TAG KEYS, TAG VALUES,
SERIES and the cardinalities read the condition, which then read it as
that literal (``show_where``). Only what ``Reduce`` folds is folded:
numbers (integer division gives a float, division or remainder by zero
gives 0, the remainder truncated as Go's ``%``), ``&``, ``|`` and ``^`` of
integers, strings compared by ``=`` and ``!=`` or joined by ``+``, booleans
by ``=`` and ``!=``, durations compared, added or subtracted. Any other
comparison of literals (``'a' = 1``, ``'a' < 'b'``, ``2.5 & 1 = 0``) is
left as written. SHOW MEASUREMENTS folds none (its index refuses them).
"""

from __future__ import annotations

import dataclasses
import math
import operator
from collections.abc import Callable
from typing import Any

from influxpy.durations import Duration
from influxpy.expressions import CombinedExpression, Expression, Value, WhereNode
from influxpy.influxql.show_conditions import literal, literal_value
from influxpy.lookups import ExpressionLookup

__all__ = ["fold_comparisons"]


@dataclasses.dataclass(frozen=True)
class _Span:
    """A duration literal, kept apart from the numbers it never equals."""

    ns: int


class _Unfolded:
    """What ``Reduce`` leaves as written."""


_UNFOLDED = _Unfolded()

_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}
_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "&": operator.and_,
    "|": operator.or_,
    "^": operator.xor,
}


def fold_comparisons(where: WhereNode) -> WhereNode:
    """*where* with each comparison of two literals ``Reduce`` folds as
    the ``literal`` it folds to."""
    children: list[Any] = []
    for child in where.children:
        if isinstance(child, WhereNode):
            children.append(fold_comparisons(child))
            continue
        value = _folded(child)
        children.append(child if value is None else literal(value))
    return WhereNode(where.connector, tuple(children))


def _folded(node: Any) -> bool | None:
    """The boolean a comparison of literals folds to, or None."""
    if not isinstance(node, ExpressionLookup) or literal_value(node) is not None:
        return None
    lhs, rhs = _constant(node.lhs), _constant(node.rhs)
    if isinstance(lhs, _Unfolded) or isinstance(rhs, _Unfolded):
        return None
    verdict = _compare(lhs, node.lookup_name, rhs)
    if verdict is None:
        return None
    return verdict != node.negated


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _constant(node: Any) -> Any:
    """The value of a literal or of arithmetic of literals, as ``Reduce``
    computes it; ``_UNFOLDED`` for anything else."""
    if isinstance(node, Value):
        node = node.value
    elif isinstance(node, CombinedExpression):
        return _arithmetic(_constant(node.lhs), node.op, _constant(node.rhs))
    if isinstance(node, Expression):
        return _UNFOLDED
    if isinstance(node, Duration):
        return _Span(node.nanoseconds)
    if isinstance(node, (bool, int, float, str)):
        return node
    return _UNFOLDED


def _arithmetic(lhs: Any, op: str, rhs: Any) -> Any:
    if isinstance(lhs, _Span) and isinstance(rhs, _Span) and op in "+-":
        return _Span(_ARITHMETIC[op](lhs.ns, rhs.ns))
    if isinstance(lhs, str) and isinstance(rhs, str) and op == "+":
        return lhs + rhs
    if not (_is_number(lhs) and _is_number(rhs)):
        return _UNFOLDED
    integers = isinstance(lhs, int) and isinstance(rhs, int)
    if op in ("/", "%"):
        if rhs == 0:
            return 0 if op == "/" or integers else _UNFOLDED
        if op == "/":
            return float(lhs) / float(rhs)
        if integers:
            # Go's remainder takes the sign of the dividend.
            remainder = abs(lhs) % abs(rhs)
            return -remainder if lhs < 0 else remainder
        return math.fmod(lhs, rhs)
    if integers:
        return _ARITHMETIC[op](lhs, rhs)
    if op in "+-*":
        return _ARITHMETIC[op](float(lhs), float(rhs))
    return _UNFOLDED  # ``&``, ``|``, ``^`` of a float


def _compare(lhs: Any, name: str, rhs: Any) -> bool | None:
    if _is_number(lhs) and _is_number(rhs):
        if isinstance(lhs, float) or isinstance(rhs, float):
            lhs, rhs = float(lhs), float(rhs)
        return _ORDER[name](lhs, rhs)
    if isinstance(lhs, _Span) and isinstance(rhs, _Span):
        return _ORDER[name](lhs.ns, rhs.ns)
    same = type(lhs) is type(rhs) and isinstance(lhs, (str, bool))
    if same and name in ("exact", "ne"):
        return _ORDER[name](lhs, rhs)
    return None
