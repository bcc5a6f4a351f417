"""influxd 1.6.7's compile stage of a SELECT (its ``query.Compile``), run
on the parsed statement before anything is read.

influxd compiles a statement after it has checked the databases the
statement names and before it looks for a single point: its GROUP BY
first, then each field of the select list in order (reduced as its
``Reduce`` reduces it: ``sin(1.3)`` is a number), each call's arguments
before the calls they read, then how the fields combine, then each
subquery with what it inherits (the outer GROUP BY time interval). The
first error is the statement's (``expected field argument in count()``,
``aggregate function required inside the call to derivative``, ``only
time() calls allowed in dimensions``...), whether or not the measurement
exists. ``compile_error`` gives it, or None.

The names of the state follow influxd's (``OnlySelectors``,
``HasAuxiliaryFields``...), so each check can be read beside its source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, NoReturn

from influxpy.function_specs import FUNCTIONS
from influxpy.influxql.go_syntax import go_text, go_type
from influxpy.influxql.reduce import reduced_field
from influxpy.influxql.syntax import Bin, Call, Lit, Paren, Ref, Rx, Wild

__all__ = ["compile_error"]

#: The math functions (influxd's ``isMathFunction``) and their arity.
_MATH = {
    name: spec.min_args for name, spec in FUNCTIONS.items() if spec.family == "math"
}
#: Selectors: beside a field or tag one at a time.
_SELECTORS = frozenset(("max", "min", "first", "last"))
#: The other plain aggregates (``compileFunction``).
_AGGREGATES = frozenset(("count", "sum", "mean", "median", "mode", "stddev", "spread"))
_EXPONENTIAL = frozenset(
    (
        "exponential_moving_average",
        "double_exponential_moving_average",
        "triple_exponential_moving_average",
        "relative_strength_index",
        "triple_exponential_derivative",
    )
)
_TECHNICAL = frozenset(
    (
        *_EXPONENTIAL,
        "kaufmans_efficiency_ratio",
        "kaufmans_adaptive_moving_average",
        "chande_momentum_oscillator",
    )
)
#: A string influxd reads as a time (``IsTimeLiteral``).
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}.+")


class _Refused(Exception):
    """The statement's compile error."""


def _fail(text: str) -> NoReturn:
    raise _Refused(text)


class _Statement:
    """What influxd's ``compiledStatement`` records while it compiles."""

    def __init__(self, pending: Any, interval: bool, inherited: bool) -> None:
        fields, into, sources, _where, fill, _desc, limits, _tz = pending.args
        self.fields = fields
        self.sources = sources
        self.fill = fill
        self.limit = limits[0] or 0
        self.has_target = into is not None
        self.interval = interval
        self.inherited = inherited
        self.function_calls = 0
        self.top_bottom: str | None = None
        self.has_distinct = False
        self.has_auxiliary = False
        self.only_selectors = True
        self.field_count = 0


def compile_error(pending: Any) -> str | None:
    """influxd's compile error for the parsed SELECT *pending* (a
    ``grammar.PendingSelect``) and its subqueries, or None."""
    try:
        statement = _Statement(pending, _dimensions(pending.dims), False)
        _compile(statement)
    except _Refused as refused:
        return str(refused)
    return None


def _dimensions(dims: Sequence[Any]) -> bool:
    """influxd's ``compileDimensions``: whether GROUP BY has a time interval."""
    interval = False
    for dim in dims:
        node = dim.expr if isinstance(dim, Paren) else dim
        if isinstance(node, Ref):
            if node.name.lower() == "time":
                msg = "time() is a function and expects at least one argument"
                _fail(msg)
        elif isinstance(node, Call):
            interval = _time_dimension(node, interval) or interval
        elif not isinstance(node, (Wild, Rx)):
            _fail("only time and tag dimensions allowed")
    return interval


def _time_dimension(call: Call, seen: bool) -> bool:
    if call.name != "time":
        _fail("only time() calls allowed in dimensions")
    if not 1 <= len(call.args) <= 2:
        _fail("time dimension expected 1 or 2 arguments")
    every = call.args[0]
    if not isinstance(every, Lit) or every.kind != "duration":
        _fail("time dimension must have duration argument")
    if seen:
        _fail("multiple time dimensions not allowed")
    if len(call.args) == 2:
        _offset(call.args[1])
    return bool(every.value.nanoseconds != 0)


def _offset(offset: Any) -> None:
    if isinstance(offset, Lit) and offset.kind == "duration":
        return
    if isinstance(offset, Call):
        if offset.name != "now":
            _fail("time dimension offset function must be now()")
        if offset.args:
            msg = "time dimension offset now() function requires no arguments"
            _fail(msg)
        return
    if isinstance(offset, Lit) and offset.kind == "string":
        text = str(offset.value)
        if _DATE_TIME.match(text) or _DATE.fullmatch(text):
            # Read as a time; influxd then fails to take it as an offset.
            msg = f"invalid time dimension offset: {go_text(offset)}"
            _fail(msg)
    _fail("time dimension offset must be duration or now()")


def _compile(statement: _Statement) -> None:
    """``compile``: the fields, how they combine, then the subqueries."""
    for node, _alias in statement.fields:
        if isinstance(node, Ref) and node.name == "time":
            continue
        statement.field_count += 1
        _Field(statement).expr(reduced_field(node))
    _validate(statement)
    for source in statement.sources:
        if not isinstance(source, tuple):
            _subquery(statement, source)


def _subquery(parent: _Statement, pending: Any) -> None:
    """``subquery``: a subquery inherits the outer interval if it has none;
    its fill is none where it groups by time itself and says nothing."""
    own = _dimensions(pending.dims)
    inner = _Statement(pending, own or parent.interval, not own and parent.interval)
    if own and inner.fill is None:
        inner.fill = "none"
    _compile(inner)


def _validate(s: _Statement) -> None:
    """``validateFields``: how the fields combine."""
    if s.field_count == 0:
        _fail("at least 1 non-time field must be queried")
    if s.function_calls > 1 and s.top_bottom is not None:
        msg = (
            f"selector function {s.top_bottom}() cannot be combined with "
            "other functions"
        )
        _fail(msg)
    if s.function_calls == 0:
        if s.fill in ("none", "linear"):
            _fail(f"fill({s.fill}) must be used with a function")
        if s.interval and not s.inherited:
            _fail("GROUP BY requires at least one aggregate function")
    if s.has_distinct and (s.function_calls != 1 or s.has_auxiliary):
        msg = (
            "aggregate function distinct() cannot be combined with other "
            "functions or fields"
        )
        _fail(msg)
    if s.has_auxiliary:
        if not s.only_selectors:
            msg = "mixing aggregate and non-aggregate queries is not supported"
            _fail(msg)
        if s.function_calls > 1:
            msg = (
                "mixing multiple selector functions with tags or fields is not "
                "supported"
            )
            _fail(msg)


def _count(name: str, args: Sequence[Any], low: int, high: int) -> None:
    got = len(args)
    if low == high and got != low:
        msg = f"invalid number of arguments for {name}, expected {low}, got {got}"
        _fail(msg)
    if not low <= got <= high:
        msg = (
            f"invalid number of arguments for {name}, expected at least {low} "
            f"but no more than {high}, got {got}"
        )
        _fail(msg)


def _integer(node: Any) -> int | None:
    return int(node.value) if isinstance(node, Lit) and node.kind == "integer" else None


class _Field:
    """influxd's ``compiledField``: one field of the select list."""

    def __init__(self, statement: _Statement) -> None:
        self.s = statement
        self.allow_wildcard = True

    def expr(self, node: Any) -> None:
        """``compileExpr``."""
        s = self.s
        if isinstance(node, Ref):
            s.has_auxiliary = True
        elif isinstance(node, (Wild, Rx)):
            s.has_auxiliary = True
            if not self.allow_wildcard:
                what = "wildcard" if isinstance(node, Wild) else "regex"
                _fail(f"unable to use {what} in a binary expression")
        elif isinstance(node, Call):
            self.call(node)
        elif isinstance(node, Bin):
            self.allow_wildcard = False
            left, right = isinstance(node.lhs, Lit), isinstance(node.rhs, Lit)
            if left and right:
                _fail("cannot perform a binary expression on two literals")
            if not left:
                self.expr(node.lhs)
            if not right:
                self.expr(node.rhs)
        elif isinstance(node, Paren):
            self.expr(node.expr)
        elif isinstance(node, Lit):
            _fail("field must contain at least one variable")

    def nested(self, node: Any) -> None:
        """``compileNestedExpr``: ``distinct()`` as an argument."""
        if isinstance(node, Call) and node.name == "distinct":
            self.distinct(node.args, nested=True)
        else:
            self.expr(node)

    def symbol(self, name: str, node: Any) -> None:
        """``compileSymbol``: a call's field argument."""
        if isinstance(node, Ref):
            return
        if isinstance(node, (Wild, Rx)):
            if not self.allow_wildcard:
                what = "wildcard" if isinstance(node, Wild) else "regex field"
                _fail(f"unsupported expression with {what}: {name}()")
            self.s.only_selectors = False
            return
        _fail(f"expected field argument in {name}()")

    def call(self, call: Call) -> None:
        name, args = call.name, call.args
        if name in _MATH:
            _count(name, args, _MATH[name], _MATH[name])
            for arg in args:
                if not isinstance(arg, Lit):
                    self.expr(arg)
            return
        self.s.function_calls += 1
        if name == "percentile":
            self.percentile(args)
        elif name == "sample":
            self.sample(args)
        elif name == "distinct":
            self.distinct(args, nested=False)
        elif name in ("top", "bottom"):
            self.top_bottom(call)
        elif name in ("derivative", "non_negative_derivative", "elapsed"):
            self.with_unit(name, args)
        elif name in ("difference", "non_negative_difference", "cumulative_sum"):
            _count(name, args, 1, 1)
            self.transform(name, args[0], nested=True)
        elif name == "moving_average":
            self.moving_average(args)
        elif name in _TECHNICAL:
            self.technical(name, args)
        elif name == "integral":
            self.integral(args)
        elif name in ("holt_winters", "holt_winters_with_fit"):
            self.holt_winters(name, args)
        else:
            self.function(call)

    def function(self, call: Call) -> None:
        """``compileFunction``: the plain aggregates and selectors."""
        name, args = call.name, call.args
        if name in _AGGREGATES:
            self.s.only_selectors = False
        elif name not in _SELECTORS:
            _fail(f"undefined function {name}()")
        _count(name, args, 1, 1)
        first = args[0]
        if name == "count" and isinstance(first, Call) and first.name == "distinct":
            self.distinct(first.args, nested=True)
            return
        self.symbol(name, first)

    def percentile(self, args: Sequence[Any]) -> None:
        _count("percentile", args, 2, 2)
        if not (isinstance(args[1], Lit) and args[1].kind in ("integer", "number")):
            _fail("expected float argument in percentile()")
        self.symbol("percentile", args[0])

    def sample(self, args: Sequence[Any]) -> None:
        _count("sample", args, 2, 2)
        size = _integer(args[1])
        if size is None:
            _fail("expected integer argument in sample()")
        if size <= 0:
            _fail(f"sample window must be greater than 1, got {size}")
        self.symbol("sample", args[0])

    def with_unit(self, name: str, args: Sequence[Any]) -> None:
        """derivative, non_negative_derivative and elapsed."""
        _count(name, args, 1, 2)
        if len(args) == 2:
            unit = args[1]
            if not (isinstance(unit, Lit) and unit.kind == "duration"):
                got = go_type(unit)
                msg = f"second argument to {name} must be a duration, got {got}"
                _fail(msg)
            if unit.value.nanoseconds <= 0:
                msg = f"duration argument must be positive, got {go_text(unit)}"
                _fail(msg)
        self.transform(name, args[0], nested=True)

    def transform(self, name: str, first: Any, *, nested: bool) -> None:
        """The argument of a transformation: an aggregate needs GROUP BY
        time, a field needs none of its own."""
        s = self.s
        s.only_selectors = False
        if isinstance(first, Call):
            if not s.interval:
                _fail(f"{name} aggregate requires a GROUP BY interval")
            if nested:
                self.nested(first)
            else:
                self.expr(first)
            return
        if s.interval and not s.inherited:
            _fail(f"aggregate function required inside the call to {name}")
        self.symbol(name, first)

    def moving_average(self, args: Sequence[Any]) -> None:
        _count("moving_average", args, 2, 2)
        window = _integer(args[1])
        if window is None:
            msg = (
                "second argument for moving_average must be an integer, got "
                f"{go_type(args[1])}"
            )
            _fail(msg)
        if window <= 1:
            msg = f"moving_average window must be greater than 1, got {window}"
            _fail(msg)
        self.transform("moving_average", args[0], nested=True)

    def technical(self, name: str, args: Sequence[Any]) -> None:
        """The technical analysis functions' period, hold and warmup."""
        chande = name == "chande_momentum_oscillator"
        _count(name, args, 2, 3 if name.startswith("kaufmans_") else 4)
        period = _integer(args[1])
        if period is None:
            _fail(f"{name} period must be an integer")
        if period < 1:
            _fail(f"{name} period must be greater than or equal to 1")
        if len(args) >= 3:
            hold = _integer(args[2])
            if hold is None:
                _fail(f"{name} hold period must be an integer")
            if name == "triple_exponential_derivative" and hold < 1 and hold != -1:
                _fail(f"{name} hold period must be greater than or equal to 1")
            if hold < 0 and hold != -1:
                _fail(f"{name} hold period must be greater than or equal to 0")
        if len(args) >= 4:
            warmup = args[3]
            if not (isinstance(warmup, Lit) and warmup.kind == "string"):
                _fail(f"{name} warmup type must be a string")
            kinds: tuple[str, ...] = ("exponential", "simple")
            if chande:
                kinds = ("none", *kinds)
            if warmup.value not in kinds:
                allowed = " ".join(f"'{kind}'" for kind in kinds)
                _fail(f"{name} warmup type must be one of: {allowed}")
        self.transform(name, args[0], nested=False)

    def integral(self, args: Sequence[Any]) -> None:
        _count("integral", args, 1, 2)
        if len(args) == 2:
            unit = args[1]
            if not (isinstance(unit, Lit) and unit.kind == "duration"):
                _fail("second argument must be a duration")
            if unit.value.nanoseconds <= 0:
                msg = f"duration argument must be positive, got {go_text(unit)}"
                _fail(msg)
        self.s.only_selectors = False
        self.symbol("integral", args[0])

    def holt_winters(self, name: str, args: Sequence[Any]) -> None:
        _count(name, args, 3, 3)
        n = _integer(args[1])
        if n is None:
            _fail(f"expected integer argument as second arg in {name}")
        if n <= 0:
            _fail(f"second arg to {name} must be greater than 0, got {n}")
        season = _integer(args[2])
        if season is None:
            _fail(f"expected integer argument as third arg in {name}")
        if season < 0:
            _fail(f"third arg to {name} cannot be negative, got {season}")
        self.s.only_selectors = False
        first = args[0]
        if not isinstance(first, Call):
            _fail(f"must use aggregate function with {name}")
        if not self.s.interval:
            _fail(f"{name} aggregate requires a GROUP BY interval")
        self.nested(first)

    def distinct(self, args: Sequence[Any], *, nested: bool) -> None:
        if not args:
            _fail("distinct function requires at least one argument")
        if len(args) != 1:
            _fail("distinct function can only have one argument")
        if not isinstance(args[0], Ref):
            _fail("expected field argument in distinct()")
        if not nested:
            self.s.has_distinct = True
        self.s.only_selectors = False

    def top_bottom(self, call: Call) -> None:
        s, name, args = self.s, call.name, call.args
        if s.top_bottom is not None:
            msg = (
                f"selector function {s.top_bottom}() cannot be combined with "
                "other functions"
            )
            _fail(msg)
        if len(args) < 2:
            msg = (
                f"invalid number of arguments for {name}, expected at least 2, "
                f"got {len(args)}"
            )
            _fail(msg)
        limit = _integer(args[-1])
        if limit is None:
            found = go_text(args[-1])
            msg = f"expected integer as last argument in {name}(), found {found}"
            _fail(msg)
        if limit <= 0:
            _fail(f"limit ({limit}) in {name} function must be at least 1")
        if 0 < s.limit < limit:
            msg = (
                f"limit ({limit}) in {name} function can not be larger than the "
                f"LIMIT ({s.limit}) in the select statement"
            )
            _fail(msg)
        if not isinstance(args[0], Ref):
            found = go_text(args[0])
            msg = f"expected first argument to be a field in {name}(), found {found}"
            _fail(msg)
        for tag in args[1:-1]:
            if not isinstance(tag, Ref):
                found = go_text(tag)
                msg = f"only fields or tags are allowed in {name}(), found {found}"
                _fail(msg)
            if not s.has_target:
                s.field_count += 1
                _Field(s).expr(tag)
        s.top_bottom = name
