"""InfluxQL WHERE syntax to ``WhereNode`` trees, lookups and time values.

Time in WHERE reads as InfluxDB reads it: a string is an RFC 3339 time
(or a date, or a date and time without a zone, read in the ``tz()`` zone
if the statement has one), an integer is epoch nanoseconds, a duration is
time since the epoch, and ``now()`` may be shifted by durations. Time
comparisons are taken out of the condition first (``time_conditions``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from typing import Any

from influxpy import lookups
from influxpy._utils import parse_iso_time
from influxpy.durations import Duration
from influxpy.exceptions import CompileError
from influxpy.expressions import (
    Col,
    ColumnPattern,
    Expression,
    Now,
    Star,
    TimeValue,
    Value,
    WhereNode,
)
from influxpy.functions import Func
from influxpy.influxql import bare_terms, regex
from influxpy.influxql.nodes import (
    column,
    describe,
    literal,
    literal_text,
    to_expression,
    unsupported,
)
from influxpy.influxql.parser import Bin, Call, Lit, Paren, Ref, Rx
from influxpy.influxql.time_conditions import hoisted

__all__ = [
    "never_true",
    "stored_where",
    "time_value",
    "to_where",
    "where_of",
]


_LOOKUPS: dict[str, type[lookups.Lookup]] = {
    "=": lookups.Exact,
    "!=": lookups.NotEqual,
    ">": lookups.GreaterThan,
    ">=": lookups.GreaterThanOrEqual,
    "<": lookups.LessThan,
    "<=": lookups.LessThanOrEqual,
}
_TIME_LOOKUPS: dict[str, type[lookups.Lookup]] = {
    "=": lookups.TimeExact,
    "!=": lookups.NotEqual,
    ">": lookups.TimeGreaterThan,
    ">=": lookups.TimeGreaterThanOrEqual,
    "<": lookups.TimeLessThan,
    "<=": lookups.TimeLessThanOrEqual,
}
_FLIPPED = {"=": "=", "!=": "!=", ">": "<", ">=": "<=", "<": ">", "<=": ">="}


def to_where(node: Any, timezone: str | None) -> WhereNode:
    """A condition as a ``WhereNode`` of lookups."""
    built = _condition(node, timezone)
    if built is _NEVER:
        return _never()
    if isinstance(built, WhereNode):
        return built
    return WhereNode("AND", (built,))


#: The operators of arithmetic and bitwise expressions.
_MATH = frozenset({"+", "-", "*", "/", "%", "&", "|", "^"})
#: A condition true for every point (see ``stored_where``).
_ALWAYS = WhereNode("AND", ())
#: A condition false for every point (``WHERE false``).
_NEVER = WhereNode("OR", ())


def _never() -> WhereNode:
    """``WHERE false`` as the representation holds it: a comparison of two
    literals that is never true."""
    return WhereNode("AND", (lookups.ExpressionLookup(Value(False), "exact", True),))


def never_true(where: WhereNode | None) -> bool:
    """Whether *where* is ``WHERE false`` (or a condition folding to it):
    a DELETE or DROP SERIES with it deletes nothing, as on influxd."""
    return where == _never()


def stored_where(node: Any, timezone: str | None) -> WhereNode | None:
    """A condition of a SELECT of stored measurements; None when it keeps
    every point.

    influxd's storage keeps every point for a term that is arithmetic or
    bitwise of fields or tags rather than a comparison (``WHERE b ^ c``,
    ``WHERE i & 1``, ``WHERE f + 1``), whatever its value: such a term
    reads as true (``AND`` leaves it out, ``OR`` with it is true).
    """
    built = _condition(node, timezone, loose=True)
    if built is _ALWAYS:
        return None
    if built is _NEVER:
        return _never()
    if isinstance(built, WhereNode):
        return built
    return WhereNode("AND", (built,))


def _always(node: Any) -> bool:
    """Whether *node* is arithmetic of a field, tag or call (not of time,
    nor of literals only): a condition influxd's storage never filters by."""
    names = [n for n in _nodes(node) if isinstance(n, Ref | Call)]
    return bool(names) and not any(_is_time(n) or _is_now(n) for n in names)


def _is_now(node: Any) -> bool:
    return isinstance(node, Call) and node.name == "now"


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, Paren):
        yield from _nodes(node.expr)
    elif isinstance(node, Bin):
        yield from _nodes(node.lhs)
        yield from _nodes(node.rhs)


def _condition(
    node: Any, timezone: str | None, *, loose: bool = False, bare: bool = False
) -> Any:
    """*node* as a lookup or ``WhereNode``; *loose*: arithmetic terms read
    as true (``_ALWAYS``), as in ``stored_where``; *bare*: they read as
    influxd reads them over a subquery (``bare_terms``)."""
    if isinstance(node, Paren):
        member = _membership(node.expr)
        if member is not None:
            return member
        return _condition(node.expr, timezone, loose=loose, bare=bare)
    if isinstance(node, Lit) and node.kind == "bool":
        # ``WHERE true`` keeps every point, ``WHERE false`` none.
        return _ALWAYS if node.value else _NEVER
    if isinstance(node, Ref) or (isinstance(node, Lit) and node.kind != "duration"):
        # influxd's error for a bare name or number as the condition.
        text = node.name if isinstance(node, Ref) else literal_text(node)
        msg = f"invalid condition expression: {text}"
        raise CompileError(msg)
    if not isinstance(node, Bin):
        msg = f"A condition that is not a comparison ({describe(node)})"
        raise unsupported(msg)
    if node.op in ("AND", "OR"):
        children: list[Any] = []
        for side in (node.lhs, node.rhs):
            child = _condition(side, timezone, loose=loose, bare=bare)
            if child is _NEVER:
                if node.op == "AND":
                    return _NEVER
                continue
            if child is _ALWAYS:
                if node.op == "OR":
                    # Time under OR is taken out first (``time_conditions``).
                    return _ALWAYS
                continue
            if isinstance(child, WhereNode) and child.connector == node.op:
                children.extend(child.children)
            else:
                children.append(child)
        if not children:
            return _NEVER if node.op == "OR" else _ALWAYS
        if len(children) == 1:
            return children[0]
        combined = WhereNode(node.op, tuple(children))
        if bare and node.op == "OR":
            return bare_terms.guarded(combined, _bare_sides(node))
        return combined
    if loose and node.op in _MATH and _always(node):
        return _ALWAYS
    if bare and node.op in _MATH:
        return bare_terms.truth(to_expression(node))
    if node.op in ("=~", "!~"):
        if not isinstance(node.rhs, Rx):  # pragma: no cover - the parser checks
            raise unsupported("A regex match without a regex")
        matched = _literal_match(node.lhs, node.rhs.pattern, node.op == "!~")
        if matched is not None:
            return _ALWAYS if matched else _NEVER
        lhs = to_expression(node.lhs)
        return _lookup(lookups.Regex, lhs, node.rhs.pattern, node.op == "!~")
    if node.op not in _LOOKUPS:
        msg = f"The operator {node.op} at the top of a condition"
        raise unsupported(msg)
    lhs_node, op, rhs_node = node.lhs, node.op, node.rhs
    if _is_time(rhs_node) or (_is_constant(lhs_node) and not _is_constant(rhs_node)):
        lhs_node, op, rhs_node = rhs_node, _FLIPPED[op], lhs_node
    if _is_time(lhs_node):
        value = time_value(rhs_node, timezone)
        return _lookup(_TIME_LOOKUPS[op], Col("time", "time"), value, False)
    lhs = to_expression(lhs_node)
    if isinstance(rhs_node, Lit):
        rhs: Any = literal(rhs_node)
    else:
        rhs = to_expression(rhs_node)
    return _lookup(_LOOKUPS[op], lhs, rhs, False)


def _literal_match(node: Any, pattern: str, negated: bool) -> bool | None:
    """Whether a literal matched by a regex (``'a' =~ /a/``) is true, as
    influxd evaluates it for each point: a string by the pattern, any other
    literal never; None when *node* is not a literal."""
    while isinstance(node, Paren):
        node = node.expr
    if not isinstance(node, Lit):
        return None
    if node.kind != "string":
        return False
    return regex.go_search(pattern, node.value) != negated


def _bare_sides(node: Bin) -> list[Expression]:
    """The arithmetic or bitwise terms standing as a side of *node*."""
    sides = []
    for side in (node.lhs, node.rhs):
        while isinstance(side, Paren):
            side = side.expr
        if isinstance(side, Bin) and side.op in _MATH:
            sides.append(to_expression(side))
    return sides


def where_of(node: Any, timezone: str | None, *, stored: bool) -> WhereNode | None:
    """A SELECT's condition (*stored*: it reads stored measurements only),
    its time comparisons taken out of any OR as influxd takes them."""
    if node is None:
        return None
    node = hoisted(node)
    if stored:
        return stored_where(node, timezone)
    built = _condition(node, timezone, bare=True)
    if built is _NEVER:
        return _never()
    return built if isinstance(built, WhereNode) else WhereNode("AND", (built,))


def _membership(node: Any) -> lookups.Lookup | None:
    """``(k = 'a' OR k = 'b')`` as ``In``; ``(k != 'a' AND k != 'b')`` as its
    negation: the text an ``in`` lookup compiles to, read back as one."""
    if not isinstance(node, Bin) or node.op not in ("OR", "AND"):
        return None
    wanted = "=" if node.op == "OR" else "!="
    terms: list[Any] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, Bin) and current.op == node.op:
            pending.extend((current.rhs, current.lhs))
        else:
            terms.append(current)
    names = set()
    values = []
    for term in terms:
        if not (
            isinstance(term, Bin)
            and term.op == wanted
            and isinstance(term.lhs, Ref)
            and isinstance(term.rhs, Lit)
            and term.rhs.kind != "duration"
            and not _is_time(term.lhs)
        ):
            return None
        names.add(term.lhs)
        values.append(term.rhs.value)
    if len({(ref.name, ref.cast) for ref in names}) != 1:
        return None
    col = column(terms[0].lhs)
    return lookups.In(col, tuple(values), node.op == "AND")


def _lookup(
    cls: type[lookups.Lookup], lhs: Expression, rhs: Any, negated: bool
) -> lookups.Lookup | lookups.ExpressionLookup:
    """A lookup on a column, or a comparison over an expression
    (``f + 1 > 4``, ``1 = 1``: ``ExpressionLookup``); a regex match on an
    expression and a condition on a function call are refused."""
    if isinstance(lhs, Col):
        return cls(lhs, rhs, negated)
    if cls.lookup_name not in lookups.ExpressionLookup.names:
        what = f"A regex match on {type(lhs).__name__} rather than on a field or a tag"
        raise unsupported(what)
    for side in (lhs, rhs):
        if isinstance(side, Expression):
            for node in side.walk():
                if isinstance(node, (Func, Now, Star, ColumnPattern)):
                    what = (
                        f"A condition on {_expression_name(node)} inside "
                        "arithmetic (such as abs(f) > 1)"
                    )
                    raise unsupported(what)
                if isinstance(node, Col) and node.key == "time":
                    what = "A condition on time inside arithmetic (such as time + 1s)"
                    raise unsupported(what)
    return lookups.ExpressionLookup(lhs, cls.lookup_name, rhs, negated)


def _expression_name(node: Any) -> str:
    if isinstance(node, Func):
        return f"the function {node.name}()"
    return type(node).__name__


def _is_time(node: Any) -> bool:
    return isinstance(node, Ref) and node.name == "time" and node.cast is None


def _is_constant(node: Any) -> bool:
    if isinstance(node, Lit):
        return True
    if isinstance(node, Call):
        return node.name == "now"
    if isinstance(node, Paren):
        return _is_constant(node.expr)
    if isinstance(node, Bin):
        return _is_constant(node.lhs) and _is_constant(node.rhs)
    return False


def time_value(node: Any, timezone: str | None) -> TimeValue | Now:
    """A point in time: ``TimeValue`` (epoch ns) or ``Now`` shifted."""
    if isinstance(node, Paren):
        return time_value(node.expr, timezone)
    if isinstance(node, Lit):
        if node.kind == "string":
            return TimeValue(_parse_time(node.value, timezone))
        if node.kind == "integer":
            return TimeValue(node.value)
        if node.kind == "duration":
            return TimeValue(node.value.nanoseconds)
        if node.kind == "number":
            return TimeValue(int(node.value))
    if isinstance(node, Call) and node.name == "now" and not node.args:
        return Now()
    if isinstance(node, Bin) and node.op in ("+", "-"):
        base = time_value(node.lhs, timezone)
        shift = node.rhs
        while isinstance(shift, Paren):
            shift = shift.expr
        if isinstance(shift, Lit) and shift.kind in ("duration", "integer"):
            delta = shift.value
            if isinstance(delta, Duration):
                delta = delta.nanoseconds
            if node.op == "-":
                delta = -delta
            if isinstance(base, Now):
                return Now(base.offset_ns + delta)
            return TimeValue(base.ns + delta)
    msg = f"invalid operation: time and {describe(node)} cannot be compared."
    raise CompileError(msg)


def _parse_time(text: str, timezone: str | None) -> int:
    """Epoch ns of a time string, as InfluxDB reads it in WHERE."""
    zoned = text.endswith("Z") or (len(text) > 10 and text[-6] in "+-")
    if "T" in text and not zoned:
        msg = f"invalid timestamp string {text!r}: a 'T' time needs a zone (Z)."
        raise CompileError(msg)
    try:
        ns = parse_iso_time(text)
    except ValueError:
        msg = f"invalid timestamp string {text!r}: use RFC 3339 times."
        raise CompileError(msg) from None
    if zoned or timezone is None:
        return ns
    zone = zoneinfo.ZoneInfo(timezone)
    wall = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=ns // 1_000)
    offset = wall.replace(tzinfo=zone).utcoffset() or dt.timedelta()
    return ns - int(offset.total_seconds()) * 1_000_000_000


# -- SELECT ---------------------------------------------------------------------
