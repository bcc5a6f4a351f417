"""InfluxQL WHERE syntax to ``WhereNode`` trees, lookups and time values.

Time in WHERE reads as InfluxDB reads it (``time_values``): a string is
an RFC 3339 time (or a date, or a date and time without a zone, read in
the ``tz()`` zone if the statement has one), an integer is epoch
nanoseconds, a duration is time since the epoch, and ``now()`` may be
shifted by durations. Time comparisons are taken out of the condition
first (``time_conditions``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from influxpy import lookups
from influxpy.exceptions import CompileError
from influxpy.expressions import (
    Col,
    ColumnPattern,
    Expression,
    Now,
    Star,
    Value,
    WhereNode,
)
from influxpy.function_specs import names_where
from influxpy.functions import Func
from influxpy.influxql import bare_terms, regex
from influxpy.influxql.go_syntax import go_text as call_text
from influxpy.influxql.nodes import (
    column,
    describe,
    literal,
    to_expression,
    unsupported,
)
from influxpy.influxql.parser import Bin, Call, Lit, Paren, Ref, Rx
from influxpy.influxql.reduce import COMPARISONS, reduced_condition
from influxpy.influxql.time_conditions import hoisted
from influxpy.influxql.time_values import (
    check_time_operator,
    constant_term,
    time_value,
)
from influxpy.influxql.time_values import is_time as _is_time

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
#: The row-wise math functions a condition may call (each point's value).
_ROW_MATH = names_where(family="math")


def to_where(node: Any, timezone: str | None, *, calls: bool = False) -> WhereNode:
    """A condition as a ``WhereNode`` of lookups (*calls*: a call other
    than row-wise math is an expression, not influxd's error)."""
    built = _condition(node, timezone, calls=calls)
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
    node: Any,
    timezone: str | None,
    *,
    loose: bool = False,
    bare: bool = False,
    calls: bool = False,
) -> Any:
    """*node* as a lookup or ``WhereNode``; *loose*: arithmetic terms read
    as true (``_ALWAYS``), as in ``stored_where``; *bare*: they read as
    influxd reads them over a subquery (``bare_terms``)."""
    if isinstance(node, Paren):
        member = _membership(node.expr)
        if member is not None:
            return member
        return _condition(node.expr, timezone, loose=loose, bare=bare, calls=calls)
    if isinstance(node, Lit) and node.kind == "bool":
        # ``WHERE true`` keeps every point, ``WHERE false`` none.
        return _ALWAYS if node.value else _NEVER
    if isinstance(node, Ref | Lit | Call):
        # influxd's error for a bare name, literal or call as the condition.
        msg = f"invalid condition expression: {call_text(node)}"
        raise CompileError(msg)
    if not isinstance(node, Bin):
        msg = f"A condition that is not a comparison ({describe(node)})"
        raise unsupported(msg)
    if node.op in ("AND", "OR"):
        children: list[Any] = []
        for side in (node.lhs, node.rhs):
            child = _condition(side, timezone, loose=loose, bare=bare, calls=calls)
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
    check_time_operator(node, timezone)
    if node.op in _MATH and _is_constant(node):
        constant = constant_term(node, timezone)
        if constant is not None:
            msg = f"invalid condition expression: {constant}"
            raise CompileError(msg)
        # Arithmetic of literals Reduce cannot fold (``1 - 'a'``): influxd's
        # index lets every series through and its points keep it; over a
        # subquery each row reads it as no boolean, so false.
        if loose:
            return _ALWAYS
        if bare:
            return _NEVER
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
    if not calls:
        _check_calls(lhs_node)
        _check_calls(rhs_node)
    if (loose or bare) and _null_math(lhs_node, rhs_node, stored=loose):
        return _NEVER
    if _holds_now(lhs_node) or _holds_now(rhs_node):
        return _with_now(lhs_node, op, rhs_node, timezone, select=loose or bare)
    lhs = to_expression(lhs_node)
    if isinstance(rhs_node, Lit):
        rhs: Any = literal(rhs_node)
    else:
        rhs = to_expression(rhs_node)
    return _lookup(_LOOKUPS[op], lhs, rhs, False, calls=calls)


def _check_calls(node: Any) -> None:
    """Refuse a call in a comparison other than row-wise math (``abs(v) >
    1`` is evaluated on each point) or ``now()``, with influxd's text."""
    if isinstance(node, Paren):
        _check_calls(node.expr)
    elif isinstance(node, Bin):
        _check_calls(node.lhs)
        _check_calls(node.rhs)
    elif isinstance(node, Call) and node.name != "now":
        if node.name not in _ROW_MATH:
            msg = f"invalid function call in condition: {call_text(node)}"
            raise CompileError(msg)
        if node.name == "log" and len(node.args) != 1:
            # influxd's condition checker takes log() of one argument only.
            msg = (
                f"invalid number of arguments for log, expected 1, got {len(node.args)}"
            )
            raise CompileError(msg)
        for arg in node.args:
            _check_calls(arg)


def _null_math(*sides: Any, stored: bool) -> bool:
    """Whether a SELECT's comparison of *sides* holds a math call influxd
    evaluates to nothing, so that it is false for every point: a call over
    a subquery (not *stored*), one whose first argument is arithmetic or
    another call (``abs(v + 0)``, ``abs(abs(v))``), or ``log()`` of one
    argument."""
    for side in sides:
        for call in _calls(side):
            if call.name not in _ROW_MATH:
                continue
            first = call.args[0] if call.args else None
            while isinstance(first, Paren):
                first = first.expr
            if not stored or not isinstance(first, Ref | Lit) or call.name == "log":
                return True
    return False


def _calls(node: Any) -> Iterator[Call]:
    if isinstance(node, Paren):
        yield from _calls(node.expr)
    elif isinstance(node, Bin):
        yield from _calls(node.lhs)
        yield from _calls(node.rhs)
    elif isinstance(node, Call):
        yield node
        for arg in node.args:
            yield from _calls(arg)


def _holds_now(node: Any) -> bool:
    if isinstance(node, Paren):
        return _holds_now(node.expr)
    if isinstance(node, Bin):
        return _holds_now(node.lhs) or _holds_now(node.rhs)
    if isinstance(node, Call):
        return _is_now(node) or any(_holds_now(a) for a in node.args)
    return False


def _with_now(
    lhs: Any, op: str, rhs: Any, timezone: str | None, *, select: bool
) -> Any:
    """A comparison holding ``now()`` whose left side is not time.

    In a SELECT (*select*) influxd reduces ``now()`` to a time, which it
    compares with a time only: two times (``now() > now() - 1h``) fold to
    true or false, anything else (``host = now()``, ``v > now() - 1h``,
    ``now() > 5``) is false for every point. SHOW leaves ``now()`` as
    written: a name compared with it is a tag compared with what is no
    text, as ``host = 1`` is (the series index lets every series pass it,
    the cardinalities count none, SHOW MEASUREMENTS refuses it).
    """
    if select:
        if _is_constant(lhs) and _is_constant(rhs):
            a, b = (_now_offset(side, timezone) for side in (lhs, rhs))
            if a is not None and b is not None:
                return _ALWAYS if COMPARISONS[op](a, b) else _NEVER
        return _NEVER
    bare = lhs
    while isinstance(bare, Paren):
        bare = bare.expr
    if isinstance(bare, Ref):
        value = time_value(rhs, timezone)
        return _lookup(_LOOKUPS[op], column(bare), value, False)
    msg = "A comparison of now() with an expression in a SHOW condition"
    raise unsupported(msg)


def _now_offset(node: Any, timezone: str | None) -> int | None:
    """The shift of ``now() ± d`` from now, None for any other side."""
    try:
        value = time_value(node, timezone)
    except CompileError:
        return None
    return value.offset_ns if isinstance(value, Now) else None


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
    node = hoisted(reduced_condition(node))
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
    cls: type[lookups.Lookup],
    lhs: Expression,
    rhs: Any,
    negated: bool,
    *,
    calls: bool = False,
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
                if isinstance(node, Func) and (calls or node.name in _ROW_MATH):
                    continue
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


# -- SELECT ---------------------------------------------------------------------
