"""Comparisons of two literals in a SHOW condition, folded as influxd does.

influxql's ``Reduce`` folds ``1 = 1``, ``10 / 4 = 2.5``, ``'a' != 'b'`` or
``1d = 24h`` to ``true`` or ``false`` before SHOW TAG KEYS, TAG VALUES,
SERIES and the cardinalities read the condition, which then read it as
that literal (``show_where``). Only what ``Reduce`` folds is folded:
numbers (integer division gives a float, division or remainder by zero
gives 0, the remainder truncated as Go's ``%``), ``&``, ``|`` and ``^`` of
integers, strings compared by ``=`` and ``!=`` or joined by ``+``, booleans
by ``=`` and ``!=``, durations compared, added or subtracted, or
multiplied or divided by a number (``1h * 2 = 2h``). Any other
comparison of literals (``'a' = 1``, ``'a' < 'b'``, ``2.5 & 1 = 0``, a
literal matched by a regex: ``'a' =~ /a/``) is left as written, and each
statement reads what is left its own way (``read_unfolded``): SHOW SERIES
lets every series pass it, SHOW TAG KEYS takes it out of the condition
(with any ``=``, ``!=``, ``=~`` or ``!~`` whose left side is not a name),
the cardinalities and SHOW SERIES with a time condition evaluate it as
influxql's evaluator does for each point (``evaluated``: only a string
matched by a regex can be true; the cardinalities read an ordering of
literals, and any comparison of an expression, as false too), and SHOW
TAG VALUES, SHOW MEASUREMENTS, DELETE and DROP SERIES refuse it; an
ordering of literals is refused by all but the cardinalities. SHOW
MEASUREMENTS folds none (its index refuses them).
"""

from __future__ import annotations

from typing import Any

from influxpy.durations import Duration
from influxpy.expressions import Col, CombinedExpression, Expression, Value, WhereNode
from influxpy.influxql.reduce import (
    UNFOLDED,
    Span,
    Unfolded,
    arithmetic,
    compared,
)
from influxpy.influxql.regex import go_search
from influxpy.influxql.show_conditions import (
    LiteralFirst,
    LiteralMatch,
    literal,
    literal_value,
)
from influxpy.lookups import ExpressionLookup

__all__ = [
    "UNFOLDED_READS",
    "evaluated",
    "fold_comparisons",
    "is_literal_comparison",
    "read_unfolded",
    "unflipped",
]

#: How each statement reads a comparison of literals ``Reduce`` leaves.
UNFOLDED_READS = ("true", "dropped", "evaluated", "counted", "refused")
_ORDER_NAMES = ("gt", "gte", "lt", "lte")


#: The operator of each comparison's lookup name.
_OPERATOR = {"exact": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


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
    if isinstance(node, LiteralMatch):
        return None  # ``Reduce`` never folds a regex match
    lhs, rhs = _constant(node.lhs), _constant(node.rhs)
    if isinstance(lhs, Unfolded) or isinstance(rhs, Unfolded):
        return None
    verdict = compared(lhs, _OPERATOR[node.lookup_name], rhs)
    if verdict is None:
        return None
    return verdict != node.negated


def _constant(node: Any) -> Any:
    """The value of a literal or of arithmetic of literals, as ``Reduce``
    computes it; ``UNFOLDED`` for anything else."""
    if isinstance(node, Value):
        node = node.value
    elif isinstance(node, CombinedExpression):
        return arithmetic(_constant(node.lhs), node.op, _constant(node.rhs))
    if isinstance(node, Expression):
        return UNFOLDED
    if isinstance(node, Duration):
        return Span(node.nanoseconds)
    if isinstance(node, (bool, int, float, str)):
        return node
    return UNFOLDED


def is_literal_comparison(node: Any) -> bool:
    """Whether *node* compares literals only (a ``LiteralMatch``, or a
    comparison ``fold_comparisons`` left: ``'a' = 1``)."""
    if not isinstance(node, ExpressionLookup) or literal_value(node) is not None:
        return False
    sides = [node.lhs] if isinstance(node, LiteralMatch) else [node.lhs, node.rhs]
    return not any(
        isinstance(n, Col)
        for side in sides
        if isinstance(side, Expression)
        for n in side.walk()
    )


def evaluated(node: ExpressionLookup) -> bool:
    """A comparison of literals ``Reduce`` leaves as influxql's evaluator
    reads it for each point: a string matched by a regex by the pattern;
    anything else false (it compares values of different types, orders
    strings or booleans, or holds a duration or arithmetic it cannot do)."""
    if not isinstance(node, LiteralMatch):
        return False
    value = _constant(node.lhs)
    if not isinstance(value, str):
        return False
    return go_search(node.rhs, value) != node.negated


def read_unfolded(where: WhereNode | None, read: str) -> WhereNode | None:
    """*where* with each comparison of literals ``Reduce`` leaves read as
    *read* says (``UNFOLDED_READS``): ``true``; ``dropped``, with every
    ``=``, ``!=``, ``=~`` or ``!~`` of an expression (an AND or OR left
    with nothing goes too, None when nothing is left); ``evaluated``;
    ``counted``: evaluated, and so is a comparison of an expression of
    names (false: a series has no field values); ``refused``: kept for the
    index to refuse. A literal compared with a name (``LiteralFirst``) is
    the condition it stands for, but ``dropped``. An ordering of literals
    (``'a' < 'b'``), or one with arithmetic left in it (``'a' + 1 =
    'a1'``), is kept for the index to refuse unless ``counted`` or
    ``dropped``."""
    if where is None or read == "refused":
        return where
    children: list[Any] = []
    for child in where.children:
        if isinstance(child, WhereNode):
            inner = read_unfolded(child, read)
            if inner is not None:
                children.append(inner)
            continue
        if isinstance(child, LiteralFirst) and read != "dropped":
            child = child.lookup  # ``host = 'a'`` as written ``'a' = host``
        if not isinstance(child, ExpressionLookup) or literal_value(child) is not None:
            children.append(child)
        elif read == "counted":
            children.append(literal(evaluated(child)))
        elif read == "dropped" and _dropped(child):
            continue
        elif (
            not is_literal_comparison(child)
            or child.lookup_name in _ORDER_NAMES
            or _hasarithmetic(child)
        ):
            children.append(child)
        else:
            children.append(literal(read == "true" or evaluated(child)))
    if not children:
        return None
    return WhereNode(where.connector, tuple(children))


def unflipped(where: WhereNode) -> WhereNode:
    """*where* with each ``LiteralFirst`` (``'a' = host``) the condition it
    stands for (``host = 'a'``), as DELETE and DROP SERIES read it."""
    children = [
        unflipped(child)
        if isinstance(child, WhereNode)
        else child.lookup
        if isinstance(child, LiteralFirst)
        else child
        for child in where.children
    ]
    return WhereNode(where.connector, tuple(children))


def _hasarithmetic(node: ExpressionLookup) -> bool:
    """Whether *node* holds arithmetic ``Reduce`` left, which SHOW SERIES
    refuses as it refuses an ordering."""
    return any(
        isinstance(side, CombinedExpression) and isinstance(_constant(side), Unfolded)
        for side in (node.lhs, node.rhs)
    )


def _dropped(node: Any) -> bool:
    """Whether SHOW TAG KEYS takes *node* out: ``=``, ``!=``, ``=~`` or
    ``!~`` whose left side is not a name."""
    return (
        isinstance(node, ExpressionLookup)
        and literal_value(node) is None
        and node.lookup_name in ("exact", "ne", "regex")
    )
