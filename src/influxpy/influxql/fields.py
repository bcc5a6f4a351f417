"""The select list of parsed InfluxQL, checked as influxd 1.6.7 compiles it.

influxd drops a bare ``time`` from the select list (the time column is
always first; ``SELECT time, max(v)`` is ``SELECT max(v)``), then refuses
select lists its iterators cannot answer, with its own texts:

- nothing left but ``time``: ``at least 1 non-time field must be queried``;
- ``top()`` or ``bottom()`` with another call: ``selector function top()
  cannot be combined with other functions``;
- ``distinct()`` with another call, a field or a tag: ``aggregate function
  distinct() cannot be combined with other functions or fields``;
- a field or tag beside a call that is not a selector (``mean``,
  ``count``, ``derivative``…): ``mixing aggregate and non-aggregate queries
  is not supported``; beside several selectors: ``mixing multiple selector
  functions with tags or fields is not supported``.

Before those, as influxd compiles each call: a transformation of an
aggregate without GROUP BY time is refused (``derivative aggregate
requires a GROUP BY interval``), and ``holt_winters()`` of a field (``must
use aggregate function with holt_winters``). A select list without any
call refuses ``fill(none)`` and ``fill(linear)`` (``fill(none) must be used
with a function``) and GROUP BY time (``GROUP BY requires at least one
aggregate function``).

A field or tag counts when it is selected on its own, in arithmetic or in
a math function (``abs(v)``), outside the other calls; a wildcard or a
regex counts too. Every other call counts, a transformation and the
aggregate it reads alike, except ``distinct()`` inside ``count()``;
``distinct()`` inside a transformation is not refused. An aggregate or
selector of another call (``max(mean(v))``) is left to the engine, which
refuses its argument as influxd does first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from influxpy.exceptions import CompileError
from influxpy.function_specs import FUNCTIONS
from influxpy.influxql.parser import Bin, Call, Lit, Paren, Ref, Rx, Wild

__all__ = ["check_fields", "without_time"]

#: The math functions: influxd reads their arguments as plain expressions.
MATH = frozenset(name for name, spec in FUNCTIONS.items() if spec.family == "math")
#: Calls influxd answers beside fields and tags (one at a time).
SELECTORS = frozenset(
    ("max", "min", "first", "last", "percentile", "sample", "top", "bottom")
)


def without_time(
    fields: list[tuple[Any, str | None]],
) -> tuple[list[tuple[Any, str | None]], str | None]:
    """*fields* without the bare ``time`` names influxd removes, and the
    alias of the last one removed (influxd names the time column after it).

    influxd's loop removing them steps past the field after each one it
    removes, so of two ``time`` names in a row the second stays in the list
    and answers null (``SELECT time AS t, time AS u, v`` has columns ``t``,
    ``u`` (null) and ``v``)."""
    kept: list[tuple[Any, str | None]] = []
    alias: str | None = None
    skip = False
    for node, name in fields:
        if skip:
            skip = False
            kept.append((node, name))
            continue
        if isinstance(node, Ref) and node.name == "time":
            alias = name
            skip = True
            continue
        kept.append((node, name))
    if all(_is_time(node) for node, _ in kept):
        msg = "at least 1 non-time field must be queried"
        raise CompileError(msg)
    return kept, alias


def _is_time(node: Any) -> bool:
    """Whether *node* is a bare ``time`` name."""
    return isinstance(node, Ref) and node.name == "time"


def _walk(node: Any, nested: bool = False) -> Iterator[tuple[Call, bool]]:
    """Every call influxd counts in *node*, and whether it sits inside
    another counted call. A math function (``abs``) is not counted, but
    its arguments are read as the select list's own."""
    if isinstance(node, Call):
        args = node.args
        if node.name in MATH:
            for arg in args:
                yield from _walk(arg, nested)
            return
        yield node, nested
        if node.name == "count" and args and isinstance(args[0], Call):
            # count(distinct(v)) is one call to influxd.
            args = args[1:] if args[0].name == "distinct" else args
        for arg in args:
            yield from _walk(arg, True)
    elif isinstance(node, Bin):
        yield from _walk(node.lhs, nested)
        yield from _walk(node.rhs, nested)
    elif isinstance(node, Paren):
        yield from _walk(node.expr, nested)


def _auxiliary(node: Any) -> bool:
    """Whether *node* reads a field or tag outside any counted call."""
    if isinstance(node, (Ref, Wild, Rx)):
        return True
    if isinstance(node, Bin):
        return _auxiliary(node.lhs) or _auxiliary(node.rhs)
    if isinstance(node, Paren):
        return _auxiliary(node.expr)
    if isinstance(node, Call) and node.name in MATH:
        return any(_auxiliary(arg) for arg in node.args)
    return False


def _reads_a_call(call: Call) -> bool:
    """Whether an aggregate or selector reads another call (``max(mean(v))``),
    which influxd refuses while compiling it; ``count(distinct(v))`` is one."""
    spec = FUNCTIONS.get(call.name)
    if spec is None or spec.kind == "transform" or not call.args:
        return False
    first = call.args[0]
    if not isinstance(first, Call):
        return False
    return not (call.name == "count" and first.name == "distinct")


def _check_windows(call: Call, windows: bool) -> None:
    """A transformation's argument as influxd checks it against GROUP BY
    time: an aggregate's transformation needs windows, and a predictor
    reads an aggregate."""
    spec = FUNCTIONS.get(call.name)
    if spec is None or spec.kind != "transform" or spec.family == "math":
        return
    reads_call = bool(call.args) and isinstance(call.args[0], Call)
    if spec.family == "predictor" and not reads_call:
        msg = f"must use aggregate function with {call.name}"
        raise CompileError(msg)
    if reads_call and not windows:
        msg = f"{call.name} aggregate requires a GROUP BY interval"
        raise CompileError(msg)


def check_fields(
    fields: list[tuple[Any, str | None]],
    *,
    windows: bool,
    fill: Any,
) -> None:
    """Refuse, with influxd's text, a select list it cannot answer.

    *windows*: whether GROUP BY has ``time()``; *fill* the ``fill()``
    option.
    """
    for node, _alias in fields:
        check_literals(node)
    walked = [found for node, _ in fields for found in _walk(node)]
    calls = [call for call, _ in walked]
    if any(_reads_a_call(call) for call in calls):
        # influxd refuses the argument first (``expected field argument in
        # max()``), as the engine does.
        return
    for call in calls:
        # Windows of a subquery do not count (influxd refuses
        # derivative(max(x)) over one without GROUP BY time of its own).
        _check_windows(call, windows)
    auxiliary = any(_auxiliary(node) for node, _ in fields)
    names = [call.name for call in calls]
    top_bottom = next((n for n in names if n in ("top", "bottom")), None)
    if top_bottom is not None and len(calls) > 1:
        msg = (
            f"selector function {top_bottom}() cannot be combined with other functions"
        )
        raise CompileError(msg)
    if not calls:
        if fill in ("none", "linear"):
            msg = f"fill({fill}) must be used with a function"
            raise CompileError(msg)
        if windows:
            msg = "GROUP BY requires at least one aggregate function"
            raise CompileError(msg)
    distinct = any(call.name == "distinct" and not nested for call, nested in walked)
    if distinct and (len(calls) != 1 or auxiliary):
        msg = (
            "aggregate function distinct() cannot be combined with other "
            "functions or fields"
        )
        raise CompileError(msg)
    if not auxiliary:
        return
    if not all(n in SELECTORS for n in names):
        msg = "mixing aggregate and non-aggregate queries is not supported"
        raise CompileError(msg)
    if len(calls) > 1:
        msg = "mixing multiple selector functions with tags or fields is not supported"
        raise CompileError(msg)


#: The operators influxd folds between two literals, by the literals' kinds
#: (its ``reduce``): the kind of the literal they make.
_ARITHMETIC = ("+", "-", "*", "/", "%")
_FOLDS: dict[tuple[str, str], dict[str, str]] = {
    ("integer", "integer"): dict.fromkeys((*_ARITHMETIC, "&", "|", "^"), "integer"),
    ("integer", "number"): dict.fromkeys(_ARITHMETIC, "number"),
    ("number", "integer"): dict.fromkeys(_ARITHMETIC, "number"),
    ("number", "number"): dict.fromkeys(_ARITHMETIC, "number"),
    ("string", "string"): {"+": "string"},
    ("bool", "bool"): dict.fromkeys(("&", "|", "^"), "bool"),
}


def _constant(node: Any) -> str | None:
    """The kind of the literal *node* folds to, or None when it reads a
    value; two literals influxd cannot fold are refused with its text."""
    if isinstance(node, Paren):
        return _constant(node.expr)
    if isinstance(node, Lit):
        # A duration beside a number is left to the engine's own checks.
        return None if node.kind == "duration" else node.kind
    if not isinstance(node, Bin):
        return None
    left, right = _constant(node.lhs), _constant(node.rhs)
    if left is None or right is None:
        return None
    folded = _FOLDS.get((left, right), {}).get(node.op)
    if folded is None:
        raise CompileError("cannot perform a binary expression on two literals")
    return folded


def check_literals(node: Any) -> None:
    """Refuse, as influxd does, a select-list field of literals only
    (``SELECT 5 & 3, i``: ``field must contain at least one variable``,
    after folding them) or with two literals it cannot fold (``5.0 & 3``)."""
    _constant(node)
    if isinstance(node, Bin | Lit | Paren) and not _has_variable(node):
        raise CompileError("field must contain at least one variable")


def _has_variable(node: Any) -> bool:
    if isinstance(node, Paren):
        return _has_variable(node.expr)
    if isinstance(node, Bin):
        return _has_variable(node.lhs) or _has_variable(node.rhs)
    return not isinstance(node, Lit)
