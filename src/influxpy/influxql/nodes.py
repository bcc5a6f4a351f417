"""InfluxQL syntax nodes to the query representation's expressions.

A name is a ``Col`` whose role is ``time`` for ``time``, the cast's for
``"x"::tag`` or ``"x"::field``, and ``unknown`` otherwise (the store's
schema decides); literals are ``Value``s; functions are looked up by their
InfluxQL name in ``influxpy.function_specs`` (case-insensitively, as
InfluxDB does) and built with the classes of ``influxpy.functions``, which
check arity and parameters. ``convert`` and ``conditions`` build on these.
"""

from __future__ import annotations

from typing import Any

from influxpy.exceptions import CompileError, UnsupportedCompilation
from influxpy.expressions import (
    ARITHMETIC,
    Col,
    ColumnPattern,
    CombinedExpression,
    Expression,
    Star,
    Value,
)
from influxpy.function_specs import FUNCTIONS
from influxpy.functions import Func
from influxpy.influxql.go_syntax import folded, format_duration
from influxpy.influxql.parser import Bin, Call, Lit, Paren, Ref, Rx, Wild

__all__ = [
    "column",
    "describe",
    "function",
    "literal",
    "literal_text",
    "to_expression",
    "unsupported",
]

_DIALECT = "InfluxQL text"


def _function_classes() -> dict[str, type[Func]]:
    """InfluxQL name -> the class declaring it, for every declared function."""
    found: dict[str, type[Func]] = {}
    pending: list[type[Func]] = [Func]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        name = cls.__dict__.get("function")
        if name and name in FUNCTIONS:
            found.setdefault(name, cls)
    return found


_CLASSES: dict[str, type[Func]] | None = None


def unsupported(what: str) -> UnsupportedCompilation:
    """``UnsupportedCompilation`` naming the construct."""
    msg = f"{what} cannot be represented by influxpy's query representation."
    return UnsupportedCompilation(msg, dialect=_DIALECT, node=what)


def column(ref: Ref) -> Col:
    """The column a name stands for (see the module's docstring)."""
    if ref.name == "time" and ref.cast is None:
        return Col("time", "time")
    if ref.cast in ("tag", "field"):
        return Col(ref.name, ref.cast, cast=ref.cast)
    if ref.cast is not None:
        return Col(ref.name, "field", ref.cast, cast=ref.cast)
    return Col(ref.name, "unknown")


def literal(node: Lit) -> Any:
    """The Python value of a literal."""
    return node.value


def to_expression(node: Any) -> Expression:
    """A select-list expression, a function argument or a comparison side."""
    if isinstance(node, Ref):
        return column(node)
    if isinstance(node, Call):
        return function(node)
    if isinstance(node, Paren):
        return to_expression(node.expr)
    if isinstance(node, Bin):
        if node.op not in ARITHMETIC:
            msg = f"The operator {node.op}"
            raise unsupported(msg)
        return CombinedExpression(
            to_expression(node.lhs), node.op, to_expression(node.rhs)
        )
    if isinstance(node, Lit):
        return Value(literal(node))
    if isinstance(node, Wild):
        return Star(node.cast)
    if isinstance(node, Rx):
        return ColumnPattern(node.pattern)
    raise unsupported(type(node).__name__)  # pragma: no cover - parser nodes only


def _param(role: str, node: Any, name: str) -> Any:
    """A function parameter as the function class takes it."""
    node = folded(node)
    if role == "expression":
        return to_expression(node)
    if role.startswith("tags") and isinstance(node, Ref):
        return node.name
    if isinstance(node, Lit):
        return node.value
    if role == "number":
        # pow(v, v), log(v, b): read on each point, as the first argument.
        return to_expression(node)
    if isinstance(node, Ref) and role == "warmup":
        return node.name
    msg = f"{name}() cannot take {describe(node)} as its {role} argument."
    raise CompileError(msg)


def literal_text(node: Lit) -> str:
    """A literal as influxd prints it in an error."""
    if node.kind == "string":
        return "'" + str(node.value).replace("'", "\\'") + "'"
    if node.kind == "duration":
        return format_duration(node.value.nanoseconds)
    return str(node.value)


def describe(node: Any) -> str:
    """A syntax node in words, for an error about it."""
    if isinstance(node, Ref):
        return f"the name {node.name!r}"
    if isinstance(node, Lit):
        return f"the {node.kind} {node.value!r}"
    return "an expression"


def function(node: Call) -> Func:
    """A function call, built with its class from ``influxpy.functions``."""
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = _function_classes()
    cls = _CLASSES.get(node.name)
    if cls is None or node.name not in FUNCTIONS:
        msg = f"undefined function {node.name}()"
        raise CompileError(msg)
    spec = FUNCTIONS[node.name]
    if not node.args:
        msg = f"invalid number of arguments for {node.name}, expected at least 1, got 0"
        raise CompileError(msg)
    source = to_expression(node.args[0])
    roles = list(spec.params)
    params: list[Any] = []
    rest = node.args[1:]
    for index, arg in enumerate(rest):
        if roles and roles[0].startswith("tags"):
            role = "tags…" if index < len(rest) - 1 else "count"
        else:
            role = roles[min(index, len(roles) - 1)] if roles else "number"
        params.append(_param(role, arg, node.name))
    try:
        call = cls(source, *params)
    except (TypeError, ValueError) as exc:
        raise CompileError(str(exc)) from None
    if spec.params and spec.params[0].startswith("tags"):
        *tags, count = call.params
        call.params = (*(Col(tag, "tag") for tag in tags), count)
    return call


# -- WHERE ----------------------------------------------------------------------
