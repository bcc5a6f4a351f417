"""Arithmetic of literals, computed as influxql's ``Reduce`` computes it.

influxd reduces a condition before it reads it: ``7 / 2`` is ``3.5``,
``'a' + 'b'`` is ``'ab'``, ``1h * 2`` is ``2h``, and a comparison then
sees the literal. Only what ``Reduce`` computes is computed: numbers
(integer division gives a float, division or remainder by zero gives 0,
the remainder truncated as Go's ``%``), ``&``, ``|`` and ``^`` of
integers, strings joined by ``+``, durations added or subtracted, or
multiplied or divided by a number (Go's ``Duration`` arithmetic). Anything
else (``'a' + 1``, ``2.5 & 1``, ``2 * 1h``, ``1h + 5``) is left as
written, for the reader of the condition to refuse or evaluate as influxd
does. ``reduced`` does it to the text's syntax nodes (a SELECT's
condition, and SHOW's but SHOW MEASUREMENTS', whose index reads the
condition as written); ``arithmetic`` to Python values.
"""

from __future__ import annotations

import dataclasses
import math
import operator
from collections.abc import Callable
from functools import partial
from typing import Any

from influxpy.durations import duration_from_nanoseconds
from influxpy.function_specs import FUNCTIONS
from influxpy.influxql.syntax import Bin, Call, Lit, Paren

__all__ = [
    "COMPARISONS",
    "UNFOLDED",
    "Span",
    "Unfolded",
    "arithmetic",
    "compared",
    "is_number",
    "math_value",
    "reduced",
    "reduced_condition",
    "reduced_field",
]


@dataclasses.dataclass(frozen=True)
class Span:
    """A duration literal, kept apart from the numbers it never equals."""

    ns: int


class Unfolded:
    """What ``Reduce`` leaves as written."""


UNFOLDED = Unfolded()

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "&": operator.and_,
    "|": operator.or_,
    "^": operator.xor,
}
#: Each comparison operator of InfluxQL as a Python function.
COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
#: The operators ``arithmetic`` computes.
ARITHMETIC = frozenset((*_OPERATORS, "/", "%"))


def is_number(value: Any) -> bool:
    """Whether *value* is an integer or float literal's value."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def arithmetic(lhs: Any, op: str, rhs: Any) -> Any:
    """``lhs op rhs`` of literal values (``Span`` for a duration) as
    ``Reduce`` computes it; ``UNFOLDED`` where it leaves it as written."""
    if isinstance(lhs, Span) and isinstance(rhs, Span) and op in "+-":
        return Span(_OPERATORS[op](lhs.ns, rhs.ns))
    if isinstance(lhs, Span) and is_number(rhs) and op in "*/":
        return _scaled(lhs.ns, op, rhs)
    if isinstance(lhs, str) and isinstance(rhs, str) and op == "+":
        return lhs + rhs
    if not (is_number(lhs) and is_number(rhs)):
        return UNFOLDED
    integers = isinstance(lhs, int) and isinstance(rhs, int)
    if op in ("/", "%"):
        if rhs == 0:
            return 0 if op == "/" or integers else UNFOLDED
        if op == "/":
            return float(lhs) / float(rhs)
        if integers:
            # Go's remainder takes the sign of the dividend.
            remainder = abs(lhs) % abs(rhs)
            return -remainder if lhs < 0 else remainder
        return math.fmod(lhs, rhs)
    if integers:
        return _OPERATORS[op](lhs, rhs)
    if op in "+-*":
        return _OPERATORS[op](float(lhs), float(rhs))
    return UNFOLDED  # ``&``, ``|``, ``^`` of a float


def _scaled(ns: int, op: str, factor: float) -> Any:
    """A duration times or divided by a number, as Go's ``Duration``
    arithmetic does it: the number truncated to an integer, the quotient
    truncated too, and ``1h / 0`` 0; a float truncated to 0 divides by
    zero (influxd panics), so that is left as written."""
    whole = int(factor)
    if op == "*":
        return Span(ns * whole)
    if whole == 0:
        return Span(0) if isinstance(factor, int) else UNFOLDED
    quotient = abs(ns) // abs(whole)
    return Span(quotient if (ns < 0) == (whole < 0) else -quotient)


def compared(lhs: Any, op: str, rhs: Any) -> bool | None:
    """``lhs op rhs`` of literal values as ``Reduce`` folds it: numbers
    and durations by any comparison, strings and booleans by ``=`` and
    ``!=``; None where it leaves it as written (``'a' = 1``, ``'a' <
    'b'``, ``1h = 3600000000000``)."""
    if is_number(lhs) and is_number(rhs):
        if isinstance(lhs, float) or isinstance(rhs, float):
            lhs, rhs = float(lhs), float(rhs)
        return COMPARISONS[op](lhs, rhs)
    if isinstance(lhs, Span) and isinstance(rhs, Span):
        return COMPARISONS[op](lhs.ns, rhs.ns)
    same = type(lhs) is type(rhs) and isinstance(lhs, (str, bool))
    if same and op in ("=", "!="):
        return COMPARISONS[op](lhs, rhs)
    return None


def reduced(node: Any) -> Any:
    """*node* (syntax) with each arithmetic of literals ``Reduce`` computes
    made the literal it computes, and parentheses around a literal gone;
    the rest as written. Comparisons are left to the condition's reader
    (each SHOW statement reads a comparison of literals its own way)."""
    if isinstance(node, Paren):
        inner = reduced(node.expr)
        return inner if isinstance(inner, Lit) else Paren(inner)
    if not isinstance(node, Bin):
        return node
    return _folded(node, reduced(node.lhs), reduced(node.rhs), booleans=False)


def _folded(node: Bin, lhs: Any, rhs: Any, *, booleans: bool) -> Any:
    """*node* with its reduced sides *lhs* and *rhs*: the literal their
    arithmetic makes (with *booleans*, ``&``, ``|`` and ``^`` of booleans
    too), else the operation of the two."""
    if isinstance(lhs, Lit) and isinstance(rhs, Lit) and node.op in ARITHMETIC:
        if booleans and lhs.kind == rhs.kind == "bool" and node.op in "&|^":
            value = _OPERATORS[node.op](bool(lhs.value), bool(rhs.value))
            return Lit("bool", bool(value), lhs.pos)
        value = arithmetic(_value(lhs), node.op, _value(rhs))
        if not isinstance(value, Unfolded):
            return _literal(value, lhs.pos)
    if lhs is node.lhs and rhs is node.rhs:
        return node
    return Bin(node.op, lhs, rhs)


def reduced_field(node: Any) -> Any:
    """*node* (a select-list field) reduced as influxd reduces a field
    before it compiles it: ``reduced``, and each math function of literals
    computed (``sin(1.3)``; ``sin('a')`` is the nil literal, kind
    ``nil``); parentheses kept around arithmetic only."""
    if isinstance(node, Paren):
        inner = reduced_field(node.expr)
        return Paren(inner) if isinstance(inner, Bin) else inner
    if isinstance(node, Call):
        args = tuple(reduced_field(arg) for arg in node.args)
        if args and all(isinstance(arg, Lit) for arg in args):
            value = math_value(node.name, tuple(_value(arg) for arg in args))
            if value is None:
                return Lit("nil", None, node.pos)
            if not isinstance(value, Unfolded):
                return _literal(value, node.pos)
        if args == node.args:
            return node
        return Call(node.name, args, node.pos)
    if not isinstance(node, Bin):
        return node
    lhs, rhs = reduced_field(node.lhs), reduced_field(node.rhs)
    # In a field, booleans fold by the bitwise operators too.
    return _folded(node, lhs, rhs, booleans=True)


def _go_float(compute: Callable[..., float]) -> Callable[..., float]:
    """*compute* of floats, giving what Go's ``math`` gives where Python's
    raises: NaN outside the domain, ±Inf past the range (``log(0)`` is
    -Inf, ``pow(0, -1)`` +Inf)."""

    def call(*args: float) -> float:
        import numpy as np

        with np.errstate(all="ignore"):
            return float(compute(*(np.float64(a) for a in args)))

    return call


def _kept_integer(compute: Callable[[float], float]) -> Callable[[Any], Any]:
    """abs, floor, ceil and round: an integer stays as it is."""
    return lambda value: value if isinstance(value, int) else compute(float(value))


def _finite(compute: Callable[[float], float]) -> Callable[[float], float]:
    """*compute* of a finite float; NaN and ±Inf as they are."""
    return lambda value: float(compute(value)) if math.isfinite(value) else value


def _go_round(value: float) -> float:
    """Go's round of influxd (half away from zero)."""
    whole = math.trunc(value)
    if abs(value - whole) >= 0.5:
        return whole + math.copysign(1, value)
    return float(whole)


def _math_values() -> dict[str, Callable[..., Any]]:
    import numpy as np

    from influxpy._gomath import GO_MATH, go_math

    values: dict[str, Callable[..., Any]] = {
        "abs": _kept_integer(abs),
        "floor": _kept_integer(_finite(math.floor)),
        "ceil": _kept_integer(_finite(math.ceil)),
        "round": _kept_integer(_finite(_go_round)),
        "sqrt": _go_float(np.sqrt),
    }
    for name in GO_MATH:
        values[name] = partial(go_math, name)
    return values


_MATH_VALUES: dict[str, Callable[..., Any]] = {}


def math_value(name: str, args: tuple[Any, ...]) -> Any:
    """The value of math function *name* of literal values *args*, as
    influxd's ``MathValuer`` computes it while it reduces a field
    (``sin(1.3)`` is a number); None for a value it gives no number
    (``sin('a')``); ``UNFOLDED`` for a call it leaves as written (another
    function, or the wrong number of arguments)."""
    if not _MATH_VALUES:
        _MATH_VALUES.update(_math_values())
    compute = _MATH_VALUES.get(name)
    if compute is None or len(args) != FUNCTIONS[name].min_args:
        return UNFOLDED
    if not all(is_number(arg) for arg in args):
        return None
    return compute(*args)


def _value(node: Lit) -> Any:
    if node.kind == "duration":
        return Span(node.value.nanoseconds)
    if node.kind in ("integer", "number", "string", "bool"):
        return node.value
    return UNFOLDED


def _literal(value: Any, pos: int) -> Lit:
    if isinstance(value, Span):
        return Lit("duration", duration_from_nanoseconds(value.ns), pos)
    if isinstance(value, str):
        return Lit("string", value, pos)
    if isinstance(value, int):
        return Lit("integer", value, pos)
    return Lit("number", value, pos)


def reduced_condition(node: Any) -> Any:
    """*node* (a SELECT's condition) ``reduced``, each comparison of two
    literals ``Reduce`` folds made the boolean literal it folds to (``1h =
    60m``: ``true``)."""
    if isinstance(node, Paren):
        inner = reduced_condition(node.expr)
        return inner if isinstance(inner, Lit) else Paren(inner)
    if isinstance(node, Bin) and node.op in ("AND", "OR"):
        # Each side reduced once (AND and OR fold nothing themselves).
        return Bin(node.op, reduced_condition(node.lhs), reduced_condition(node.rhs))
    node = reduced(node)
    if not isinstance(node, Bin):
        return node
    lhs, rhs = node.lhs, node.rhs
    if isinstance(lhs, Lit) and isinstance(rhs, Lit) and node.op in COMPARISONS:
        verdict = compared(_value(lhs), node.op, _value(rhs))
        if verdict is not None:
            return Lit("bool", verdict, lhs.pos)
    return node
