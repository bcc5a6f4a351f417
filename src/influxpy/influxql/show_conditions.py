"""The WHERE of a SHOW statement, its boolean literals kept in place.

A SELECT folds ``true`` and ``false`` into the condition around them
(``conditions.to_where``), but influxd 1.6.7 reads them differently in each
SHOW statement: SHOW MEASUREMENTS fails on the first one its index meets,
whatever it stands beside; SHOW TAG KEYS and TAG VALUES fail when the
condition, its times taken out, folds to ``false``; SHOW SERIES and the
cardinalities then answer nothing. The store decides which, so the literal
stays in the ``WhereNode`` as a ``BooleanTerm`` (``literal``), where it
stood. A literal matched by a regex (``'a' =~ /a/``), which
``Reduce`` leaves as written too, stays as a ``LiteralMatch``, and a
literal compared with a name (``'a' = host``) as a ``LiteralFirst``; a
DELETE or DROP SERIES reads its condition the same way. This module knows nothing of
any store.
"""

from __future__ import annotations

import dataclasses
import decimal
from typing import Any, ClassVar

from influxpy import lookups
from influxpy.expressions import Value, WhereNode
from influxpy.influxql.conditions import to_where
from influxpy.influxql.go_syntax import go_quote
from influxpy.influxql.nodes import to_expression
from influxpy.influxql.parser import Bin, Call, Lit, Paren, Ref, Rx
from influxpy.influxql.reduce import reduced

__all__ = [
    "BareTerm",
    "BooleanTerm",
    "LiteralFirst",
    "LiteralMatch",
    "bare_term_error",
    "boolean_error",
    "literal",
    "literal_value",
    "show_where",
]


@dataclasses.dataclass(frozen=True, eq=True)
class BooleanTerm(lookups.ExpressionLookup):
    """``true`` or ``false`` standing as a condition (``literal``), kept
    apart from a comparison written ``true = true``."""


@dataclasses.dataclass(frozen=True, eq=True)
class LiteralMatch(lookups.ExpressionLookup):
    """A literal (or arithmetic of literals) matched by a regex: ``'a' =~
    /a/`` (``negated``: ``!~``); ``rhs`` is the pattern."""

    names: ClassVar[frozenset[str]] = frozenset(("regex",))


@dataclasses.dataclass(frozen=True, eq=True)
class BareTerm(lookups.ExpressionLookup):
    """A name or literal standing alone as a condition of SHOW MEASUREMENTS
    (``WHERE host``): ``refusal`` is influxd's error for it, which its index
    gives when its walk of the condition comes to it."""

    refusal: str = ""


@dataclasses.dataclass(frozen=True, eq=True)
class LiteralFirst(lookups.ExpressionLookup):
    """A comparison written with its literal on the left (``'a' = host``):
    ``lookup`` is the condition a SELECT reads (``host = 'a'``), which SHOW
    SERIES, the cardinalities, DELETE and DROP SERIES read too; the index
    of the other SHOW statements reads it as a left side that is no name."""

    lookup: Any = None


def literal(value: bool) -> lookups.ExpressionLookup:
    """``true`` or ``false`` as a condition."""
    return BooleanTerm(Value(value), "exact", True)


def literal_value(node: Any) -> bool | None:
    """The boolean a condition of ``show_where`` stands for, if it is one."""
    if isinstance(node, BooleanTerm) and isinstance(node.lhs, Value):
        return bool(node.lhs.value)
    return None


def boolean_error(value: bool) -> str:
    """influxd's error for a boolean literal its series index meets (its
    ``%#v`` of the literal)."""
    text = "true" if value else "false"
    return f"&influxql.BooleanLiteral{{Val:{text}}}"


#: influxql's ``DataType`` numbers of the casts a name may carry.
_TYPES = {None: 0, "float": 1, "integer": 2, "string": 3, "boolean": 4}
_TYPES.update({"tag": 7, "field": 8, "unsigned": 9})


def bare_term_error(node: Any) -> str | None:
    """influxd's error (its ``%#v`` of the node) for the first name or
    literal standing alone as a condition of *node* (``WHERE host``,
    ``WHERE 1``), which the index of SHOW MEASUREMENTS refuses; None when
    there is none it can write."""
    while isinstance(node, Paren):
        node = node.expr
    if isinstance(node, Bin):
        if node.op not in ("AND", "OR"):
            return None
        return bare_term_error(node.lhs) or bare_term_error(node.rhs)
    if isinstance(node, Ref) and node.cast in _TYPES:
        return (
            f"&influxql.VarRef{{Val:{go_quote(node.name)}, Type:{_TYPES[node.cast]}}}"
        )
    if isinstance(node, Call) and not node.args:
        return (
            f"&influxql.Call{{Name:{go_quote(node.name)}, Args:[]influxql.Expr(nil)}}"
        )
    if not isinstance(node, Lit):
        return None
    if node.kind == "string":
        return f"&influxql.StringLiteral{{Val:{go_quote(node.value)}}}"
    if node.kind == "integer":
        return f"&influxql.IntegerLiteral{{Val:{node.value}}}"
    if node.kind == "number":
        return f"&influxql.NumberLiteral{{Val:{_go_float(node.value)}}}"
    if node.kind == "duration":
        return f"&influxql.DurationLiteral{{Val:{node.value.nanoseconds}}}"
    return None


def _go_float(value: float) -> str:
    """*value* as Go's ``%v`` writes a float64: its shortest digits, with
    an exponent below 1e-4 or from 1e6 (``1e+06``)."""
    sign, digits, exponent = decimal.Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits))
    power = exponent + len(text) - 1
    if power < -4 or power >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        written = f"{mantissa}e{'-' if power < 0 else '+'}{abs(power):02d}"
    else:
        written = format(decimal.Decimal(repr(value)).normalize(), "f").lstrip("-")
    return ("-" if sign else "") + written


def show_where(
    node: Any, *, bare: bool = False, calls: bool = False
) -> WhereNode | None:
    """A SHOW statement's condition: as a SELECT's when it holds no
    ``true`` or ``false``, else with each of them a ``literal`` where it
    stands, AND and OR around them kept as written (*bare*: a name or
    literal standing alone as a ``BareTerm``, for SHOW MEASUREMENTS;
    *calls*: a call other than row-wise math is an expression the store
    reads, as the index of SHOW MEASUREMENTS, TAG KEYS and TAG VALUES and
    a deletion read it, instead of influxd's ``invalid function call in
    condition``)."""
    if node is None:
        return None
    if not bare:
        # SHOW MEASUREMENTS' index reads the condition as written.
        node = reduced(node)
    if not _has_boolean(node, bare):
        return to_where(node, None, calls=calls)
    built = _kept(node, bare, calls)
    if isinstance(built, WhereNode):
        return built
    return WhereNode("AND", (built,))


def _has_boolean(node: Any, bare: bool) -> bool:
    """Whether *node* holds ``true``, ``false``, a ``LiteralMatch`` or a
    ``LiteralFirst`` (or a ``BareTerm``, when *bare*)."""
    if isinstance(node, Paren):
        return _has_boolean(node.expr, bare)
    if isinstance(node, Lit) and node.kind == "bool":
        return True
    if isinstance(node, Bin) and node.op in ("AND", "OR"):
        return _has_boolean(node.lhs, bare) or _has_boolean(node.rhs, bare)
    if bare and not isinstance(node, Bin) and bare_term_error(node) is not None:
        return True
    return _literal_match(node) or _literal_first(node)


def _literal_first(node: Any) -> bool:
    """Whether *node* is ``=`` or ``!=`` of a literal and a name, in that
    order (a condition on time is not one)."""
    if not (isinstance(node, Bin) and node.op in ("=", "!=")):
        return False
    rhs = node.rhs
    while isinstance(rhs, Paren):
        rhs = rhs.expr
    return (
        _constant(node.lhs)
        and isinstance(rhs, Ref)
        and not (rhs.name == "time" and rhs.cast is None)
    )


def _literal_match(node: Any) -> bool:
    """Whether *node* matches a regex against literals only."""
    return (
        isinstance(node, Bin)
        and node.op in ("=~", "!~")
        and isinstance(node.rhs, Rx)
        and _constant(node.lhs)
    )


def _constant(node: Any) -> bool:
    if isinstance(node, Paren):
        return _constant(node.expr)
    if isinstance(node, Bin):
        return _constant(node.lhs) and _constant(node.rhs)
    return isinstance(node, Lit)


def _kept(node: Any, bare: bool, calls: bool) -> Any:
    if isinstance(node, Paren):
        inner = node.expr
        if _has_boolean(inner, bare):
            return _kept(inner, bare, calls)
        return _single(node, calls)
    if isinstance(node, Lit) and node.kind == "bool":
        return literal(bool(node.value))
    refusal = None if isinstance(node, Bin) or not bare else bare_term_error(node)
    if refusal is not None:
        return BareTerm(Value(None), "exact", None, refusal=refusal)
    if _literal_match(node):
        lhs = to_expression(node.lhs)
        return LiteralMatch(lhs, "regex", node.rhs.pattern, node.op == "!~")
    if _literal_first(node):
        name = "exact" if node.op == "=" else "ne"
        lhs, rhs = to_expression(node.lhs), to_expression(node.rhs)
        return LiteralFirst(lhs, name, rhs, lookup=_single(node, calls))
    if not (isinstance(node, Bin) and node.op in ("AND", "OR")):
        return _single(node, calls)
    children: list[Any] = []
    for side in (node.lhs, node.rhs):
        if _has_boolean(side, bare):
            child = _kept(side, bare, calls)
        else:
            child = _single(side, calls)
        if isinstance(child, WhereNode) and child.connector == node.op:
            children.extend(child.children)
        else:
            children.append(child)
    return WhereNode(node.op, tuple(children))


def _single(node: Any, calls: bool) -> Any:
    """A part without boolean literals, as a SELECT reads it."""
    built = to_where(node, None, calls=calls)
    return built.children[0] if len(built.children) == 1 else built
