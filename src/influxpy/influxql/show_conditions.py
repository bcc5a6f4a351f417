"""The WHERE of a SHOW statement, its boolean literals kept in place.

A SELECT folds ``true`` and ``false`` into the condition around them
(``conditions.to_where``), but influxd 1.6.7 reads them differently in each
SHOW statement: SHOW MEASUREMENTS fails on the first one its index meets,
whatever it stands beside; SHOW TAG KEYS and TAG VALUES fail when the
condition, its times taken out, folds to ``false``; SHOW SERIES and the
cardinalities then answer nothing. The store decides which, so the literal
stays in the ``WhereNode`` as a comparison of two literals (``literal``),
where it stood. This module knows nothing of any store.
"""

from __future__ import annotations

from typing import Any

from influxpy import lookups
from influxpy.expressions import Value, WhereNode
from influxpy.influxql.conditions import to_where
from influxpy.influxql.parser import Bin, Lit, Paren

__all__ = ["boolean_error", "literal", "literal_value", "show_where"]


def literal(value: bool) -> lookups.ExpressionLookup:
    """``true`` or ``false`` as a condition: ``value = true``."""
    return lookups.ExpressionLookup(Value(value), "exact", True)


def literal_value(node: Any) -> bool | None:
    """The boolean a condition of ``show_where`` stands for, if it is one."""
    if (
        isinstance(node, lookups.ExpressionLookup)
        and isinstance(node.lhs, Value)
        and isinstance(node.lhs.value, bool)
        and node.lookup_name == "exact"
        and node.rhs is True
        and not node.negated
    ):
        return node.lhs.value
    return None


def boolean_error(value: bool) -> str:
    """influxd's error for a boolean literal its series index meets (its
    ``%#v`` of the literal)."""
    text = "true" if value else "false"
    return f"&influxql.BooleanLiteral{{Val:{text}}}"


def show_where(node: Any) -> WhereNode | None:
    """A SHOW statement's condition: as a SELECT's when it holds no
    ``true`` or ``false``, else with each of them a ``literal`` where it
    stands, AND and OR around them kept as written."""
    if node is None:
        return None
    if not _has_boolean(node):
        return to_where(node, None)
    built = _kept(node)
    if isinstance(built, WhereNode):
        return built
    return WhereNode("AND", (built,))


def _has_boolean(node: Any) -> bool:
    if isinstance(node, Paren):
        return _has_boolean(node.expr)
    if isinstance(node, Lit):
        return node.kind == "bool"
    if isinstance(node, Bin) and node.op in ("AND", "OR"):
        return _has_boolean(node.lhs) or _has_boolean(node.rhs)
    return False


def _kept(node: Any) -> Any:
    if isinstance(node, Paren):
        return _kept(node.expr) if _has_boolean(node.expr) else _single(node)
    if isinstance(node, Lit) and node.kind == "bool":
        return literal(bool(node.value))
    if not (isinstance(node, Bin) and node.op in ("AND", "OR")):
        return _single(node)
    children: list[Any] = []
    for side in (node.lhs, node.rhs):
        child = _kept(side) if _has_boolean(side) else _single(side)
        if isinstance(child, WhereNode) and child.connector == node.op:
            children.extend(child.children)
        else:
            children.append(child)
    return WhereNode(node.op, tuple(children))


def _single(node: Any) -> Any:
    """A part without boolean literals, as a SELECT reads it."""
    built = to_where(node, None)
    return built.children[0] if len(built.children) == 1 else built
