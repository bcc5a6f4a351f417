"""The arguments of the calls in a parsed select list, checked as influxd
1.6.7 compiles them.

Before it checks how the calls combine, influxd compiles each call of
each field in order, outer calls before the calls they read: a call with
the wrong number of arguments, or a parameter of the wrong kind, fails the
statement with influxd's own text (``expected float argument in
percentile()``, ``second argument to derivative must be a duration, got
*influxql.IntegerLiteral``, ``expected integer as last argument in top(),
found 1.500``). The field a call reads is checked elsewhere (the engine
refuses what influxd refuses there with influxd's texts too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from influxpy.durations import duration_from_nanoseconds
from influxpy.exceptions import CompileError
from influxpy.influxql.canonical import quote_identifier
from influxpy.influxql.parser import Bin, Call, Lit, Paren, Ref, Rx, Wild

__all__ = ["check_call_arguments", "folded", "go_text", "go_type"]

#: Go's ``%T`` of each parsed node, as influxd names it in its errors.
_GO_LITERALS = {
    "integer": "*influxql.IntegerLiteral",
    "number": "*influxql.NumberLiteral",
    "string": "*influxql.StringLiteral",
    "bool": "*influxql.BooleanLiteral",
    "duration": "*influxql.DurationLiteral",
}
#: Calls of one argument (influxd's ``compileFunction``).
_ONE_ARGUMENT = frozenset(
    (
        "count",
        "first",
        "last",
        "max",
        "min",
        "mean",
        "median",
        "mode",
        "stddev",
        "spread",
        "sum",
        "difference",
        "non_negative_difference",
        "cumulative_sum",
    )
)
_EXPONENTIAL = frozenset(
    (
        "exponential_moving_average",
        "double_exponential_moving_average",
        "triple_exponential_moving_average",
        "relative_strength_index",
        "triple_exponential_derivative",
    )
)
_KAUFMANS = frozenset(("kaufmans_efficiency_ratio", "kaufmans_adaptive_moving_average"))


def check_call_arguments(fields: Sequence[tuple[Any, str | None]]) -> None:
    """Raise ``CompileError`` with influxd's text for the first call of
    *fields* (parsed select-list items) whose arguments influxd refuses."""
    for node, _alias in fields:
        _check(node)


def folded(node: Any) -> Any:
    """*node* with arithmetic of number literals computed, as influxd
    reduces a field before it compiles it (``top(v, 5 + 1)`` is
    ``top(v, 6)``); anything else as it is."""
    if isinstance(node, Paren):
        inner = folded(node.expr)
        return inner if isinstance(inner, Lit) else node
    if not isinstance(node, Bin):
        return node
    lhs, rhs = folded(node.lhs), folded(node.rhs)
    numbers = ("integer", "number")
    if not (
        isinstance(lhs, Lit)
        and isinstance(rhs, Lit)
        and lhs.kind in numbers
        and rhs.kind in numbers
        and node.op in ("+", "-", "*", "/")
    ):
        return node
    a, b = lhs.value, rhs.value
    if node.op == "/":
        if b == 0:
            return Lit("number", 0.0, lhs.pos)
        return Lit("number", a / b, lhs.pos)
    value = a + b if node.op == "+" else a - b if node.op == "-" else a * b
    kind = "integer" if lhs.kind == rhs.kind == "integer" else "number"
    return Lit(kind, value, lhs.pos)


def _check(node: Any) -> None:
    if isinstance(node, Paren):
        _check(node.expr)
    elif isinstance(node, Bin):
        _check(node.lhs)
        _check(node.rhs)
    elif isinstance(node, Call):
        check = _CHECKS.get(node.name)
        if check is not None:
            check(node.name, tuple(folded(a) for a in node.args))
        for arg in node.args[:1] if check is not None else node.args:
            _check(arg)


def go_type(node: Any) -> str:
    if isinstance(node, Lit):
        return _GO_LITERALS.get(node.kind, "*influxql.Literal")
    if isinstance(node, Ref):
        return "*influxql.VarRef"
    if isinstance(node, Call):
        return "*influxql.Call"
    if isinstance(node, Bin):
        return "*influxql.BinaryExpr"
    if isinstance(node, Paren):
        return "*influxql.ParenExpr"
    if isinstance(node, Rx):
        return "*influxql.RegexLiteral"
    return "*influxql.Wildcard"


def go_text(node: Any) -> str:
    """*node* as influxd's ``String()`` writes it."""
    if isinstance(node, Lit):
        if node.kind == "number":
            return f"{node.value:.3f}"
        if node.kind == "string":
            escaped = str(node.value).replace("\\", "\\\\").replace("'", "\\'")
            return "'" + escaped.replace("\n", "\\n") + "'"
        if node.kind == "bool":
            return "true" if node.value else "false"
        if node.kind == "duration":
            return _go_duration(node.value.nanoseconds)
        return str(node.value)
    if isinstance(node, Ref):
        cast = f"::{node.cast}" if node.cast else ""
        return quote_identifier(node.name) + cast
    if isinstance(node, Call):
        return f"{node.name}({', '.join(go_text(a) for a in node.args)})"
    if isinstance(node, Bin):
        return f"{go_text(node.lhs)} {node.op} {go_text(node.rhs)}"
    if isinstance(node, Paren):
        return f"({go_text(node.expr)})"
    if isinstance(node, Rx):
        return f"/{node.pattern}/"
    if isinstance(node, Wild):
        return "*"
    return str(node)


def _go_duration(nanoseconds: int) -> str:
    """influxql's ``FormatDuration``: in the largest unit that divides it."""
    return str(duration_from_nanoseconds(nanoseconds)) if nanoseconds else "0s"


def _integer(node: Any) -> int | None:
    """The value of an integer literal, None for anything else."""
    if isinstance(node, Lit) and node.kind == "integer":
        return int(node.value)
    return None


def _fail(msg: str) -> NoReturn:
    raise CompileError(msg)


def _count(name: str, args: Sequence[Any], low: int, high: int) -> None:
    got = len(args)
    if low == high and got != low:
        _fail(f"invalid number of arguments for {name}, expected {low}, got {got}")
    if not low <= got <= high:
        _fail(
            f"invalid number of arguments for {name}, expected at least {low} "
            f"but no more than {high}, got {got}"
        )


def _one(name: str, args: Sequence[Any]) -> None:
    _count(name, args, 1, 1)


def _distinct(_name: str, args: Sequence[Any]) -> None:
    if not args:
        _fail("distinct function requires at least one argument")
    if len(args) != 1:
        _fail("distinct function can only have one argument")


def _percentile(name: str, args: Sequence[Any]) -> None:
    _count(name, args, 2, 2)
    if not (isinstance(args[1], Lit) and args[1].kind in ("integer", "number")):
        _fail("expected float argument in percentile()")


def _sample(name: str, args: Sequence[Any]) -> None:
    _count(name, args, 2, 2)
    n = _integer(args[1])
    if n is None:
        _fail("expected integer argument in sample()")
    elif n <= 0:
        _fail(f"sample window must be greater than 1, got {n}")


def _unit(name: str, args: Sequence[Any]) -> None:
    """DERIVATIVE, ELAPSED and INTEGRAL: an optional positive duration."""
    _count(name, args, 1, 2)
    if len(args) < 2:
        return
    unit = args[1]
    if isinstance(unit, Lit) and unit.kind == "duration":
        if unit.value.nanoseconds <= 0:
            _fail(
                "duration argument must be positive, got "
                + _go_duration(unit.value.nanoseconds)
            )
        return
    if name == "integral":
        _fail("second argument must be a duration")
    _fail(f"second argument to {name} must be a duration, got {go_type(unit)}")


def _moving_average(name: str, args: Sequence[Any]) -> None:
    _count(name, args, 2, 2)
    n = _integer(args[1])
    if n is None:
        _fail(
            f"second argument for moving_average must be an integer, got "
            f"{go_type(args[1])}"
        )
    elif n <= 1:
        _fail(f"moving_average window must be greater than 1, got {n}")


def _technical(name: str, args: Sequence[Any]) -> None:
    """The technical-analysis functions: a period, a hold period, a warmup."""
    most = 3 if name in _KAUFMANS else 4
    _count(name, args, 2, most)
    period = _integer(args[1])
    if period is None:
        _fail(f"{name} period must be an integer")
    elif period < 1:
        _fail(f"{name} period must be greater than or equal to 1")
    if len(args) >= 3:
        hold = _integer(args[2])
        if hold is None:
            _fail(f"{name} hold period must be an integer")
        elif name == "triple_exponential_derivative" and hold < 1 and hold != -1:
            _fail(f"{name} hold period must be greater than or equal to 1")
        elif hold < 0 and hold != -1:
            _fail(f"{name} hold period must be greater than or equal to 0")
    if len(args) >= 4:
        warmup = args[3]
        kinds: tuple[str, ...] = ("exponential", "simple")
        if name == "chande_momentum_oscillator":
            kinds = ("none", *kinds)
        if not (isinstance(warmup, Lit) and warmup.kind == "string"):
            _fail(f"{name} warmup type must be a string")
        elif warmup.value not in kinds:
            listed = " ".join(f"'{k}'" for k in kinds)
            _fail(f"{name} warmup type must be one of: {listed}")


def _holt_winters(name: str, args: Sequence[Any]) -> None:
    _count(name, args, 3, 3)
    n = _integer(args[1])
    if n is None:
        _fail(f"expected integer argument as second arg in {name}")
    elif n <= 0:
        _fail(f"second arg to {name} must be greater than 0, got {n}")
    season = _integer(args[2])
    if season is None:
        _fail(f"expected integer argument as third arg in {name}")
    elif season < 0:
        _fail(f"third arg to {name} cannot be negative, got {season}")


def _top_bottom(name: str, args: Sequence[Any]) -> None:
    if len(args) < 2:
        _fail(
            f"invalid number of arguments for {name}, expected at least 2, "
            f"got {len(args)}"
        )
    limit = _integer(args[-1])
    if limit is None:
        _fail(
            f"expected integer as last argument in {name}(), found {go_text(args[-1])}"
        )
    elif limit <= 0:
        _fail(f"limit ({limit}) in {name} function must be at least 1")
    if not isinstance(args[0], Ref):
        found = go_text(args[0])
        _fail(f"expected first argument to be a field in {name}(), found {found}")
    for tag in args[1:-1]:
        if not isinstance(tag, Ref):
            _fail(f"only fields or tags are allowed in {name}(), found {go_text(tag)}")


_CHECKS: dict[str, Callable[[str, Sequence[Any]], None]] = {
    **dict.fromkeys(_ONE_ARGUMENT, _one),
    "distinct": _distinct,
    "percentile": _percentile,
    "sample": _sample,
    **dict.fromkeys(
        ("derivative", "non_negative_derivative", "elapsed", "integral"), _unit
    ),
    "moving_average": _moving_average,
    **dict.fromkeys(
        (*_EXPONENTIAL, *_KAUFMANS, "chande_momentum_oscillator"), _technical
    ),
    **dict.fromkeys(("holt_winters", "holt_winters_with_fit"), _holt_winters),
    "top": _top_bottom,
    "bottom": _top_bottom,
}
