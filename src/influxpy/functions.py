"""InfluxQL functions as declarative classes: ``Mean('cpu')``, ``Top('cpu', 3)``.

A function class names its InfluxQL ``function``; its ``kind``
(``aggregate``, ``selector`` or ``transform``), how many arguments it takes
and whether they must be numeric come from the function's entry in
``influxpy.function_specs``. ``__init__`` checks them and says what is
wrong in a sentence.
The first argument is what the function reads (a field name, ``F()``,
arithmetic or another function); the others are parameters (counts,
percentiles, durations, tag names).

``Func(name, *args)`` is the unchecked escape hatch for functions this
module does not declare. Functions never render themselves: compilers look
them up in their ``functions`` table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from influxpy.durations import Duration, as_duration
from influxpy.exceptions import CompileError, FieldError
from influxpy.expressions import (
    Col,
    CombinedExpression,
    Expression,
    F,
    Resolver,
    Star,
    Value,
)
from influxpy.function_specs import FUNCTIONS, FunctionSpec

__all__ = [
    "Abs",
    "Acos",
    "Aggregate",
    "Asin",
    "Atan",
    "Atan2",
    "Bottom",
    "Ceil",
    "ChandeMomentumOscillator",
    "Cos",
    "Count",
    "CumulativeSum",
    "Derivative",
    "Difference",
    "Distinct",
    "DoubleExponentialMovingAverage",
    "Elapsed",
    "Exp",
    "ExponentialMovingAverage",
    "First",
    "Floor",
    "Func",
    "HoltWinters",
    "HoltWintersWithFit",
    "Integral",
    "KaufmansAdaptiveMovingAverage",
    "KaufmansEfficiencyRatio",
    "Last",
    "Ln",
    "Log",
    "Log2",
    "Log10",
    "Max",
    "Mean",
    "Median",
    "Min",
    "Mode",
    "MovingAverage",
    "NonNegativeDerivative",
    "NonNegativeDifference",
    "Percentile",
    "Pow",
    "RelativeStrengthIndex",
    "Round",
    "Sample",
    "Selector",
    "Sin",
    "Spread",
    "Sqrt",
    "StdDev",
    "Sum",
    "Tan",
    "Top",
    "Transform",
    "TripleExponentialDerivative",
    "TripleExponentialMovingAverage",
]


def _as_expression(value: Any) -> Expression:
    if isinstance(value, Expression):
        return value
    if value == "*":
        return Star()
    if isinstance(value, str):
        return F(value)
    type_name = type(value).__name__
    msg = (
        f"A function reads a field name, F(), arithmetic or another function; "
        f"got {value!r} ({type_name})."
    )
    raise TypeError(msg)


class Func(Expression):
    """A call of an InfluxQL function.

    Subclasses declare ``function``; its entry in
    ``influxpy.function_specs.FUNCTIONS`` gives ``kind``, ``min_args``,
    ``max_args``, ``numeric`` and ``warmups`` (a subclass naming a function
    the table lacks declares them itself).
    ``Func('name', *args)`` itself builds an unchecked call of any function:
    the escape hatch for functions influxpy does not declare.
    """

    visit_name: ClassVar[str] = "func"
    function: ClassVar[str] = ""
    #: The function's entry in ``influxpy.function_specs.FUNCTIONS``
    #: (``None`` for ``Func`` itself); a class naming its ``function``
    #: takes ``kind``, arity, ``numeric`` and ``warmups`` from it.
    spec: ClassVar[FunctionSpec | None] = None
    kind: ClassVar[str] = ""
    min_args: ClassVar[int] = 1
    max_args: ClassVar[int | None] = 1
    #: Whether the argument must be numeric (int or float fields).
    numeric: ClassVar[bool] = False
    #: The warmup types InfluxDB accepts (technical analysis).
    warmups: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "function" not in cls.__dict__:
            return
        spec = FUNCTIONS.get(cls.function)
        cls.spec = spec
        if spec is None:
            # A function declared outside the table keeps its own rules.
            return
        cls.kind = spec.kind
        cls.min_args = spec.min_args
        cls.max_args = spec.max_args
        cls.numeric = spec.numeric
        cls.warmups = spec.warmups
        if issubclass(cls, Transform):
            cls.needs_group_by_time = spec.needs_group_by_time

    def __init__(self, *args: Any) -> None:
        if type(self) is Func:
            if not args or not isinstance(args[0], str):
                msg = "Func() takes the function name first: Func('mean', 'cpu')."
                raise TypeError(msg)
            self.name: str = args[0]
            args = args[1:]
        else:
            self.name = self.function
            self._check_count(len(args))
        self.source = _as_expression(args[0]) if args else None
        self.params: tuple[Any, ...] = tuple(args[1:])
        if type(self) is not Func:
            self.params = self.check_params(self.params)

    @classmethod
    def _check_count(cls, given: int) -> None:
        low, high = cls.min_args, cls.max_args
        if low <= given and (high is None or given <= high):
            return
        if high == low:
            word = "argument" if low == 1 else "arguments"
            expected = f"exactly {low} {word}"
        elif high is None:
            expected = f"at least {low} arguments"
        else:
            expected = f"from {low} to {high} arguments"
        msg = f"{cls.__name__!r} takes {expected} ({given} given)."
        raise TypeError(msg)

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """Validate the parameters after the first argument."""
        return params

    def _require_int(self, value: Any, what: str, minimum: int = 1) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            cls = type(self).__name__
            type_name = type(value).__name__
            msg = (
                f"{cls}'s {what} must be an int of at least {minimum}; got "
                f"{value!r} ({type_name})."
            )
            raise TypeError(msg)
        return value

    def _duration(self, value: Any, what: str) -> Duration:
        cls = type(self).__name__
        duration = as_duration(value, f"{cls}'s {what}")
        if duration.value <= 0:
            msg = f"{cls}'s {what} must be a positive duration; got {duration!r}."
            raise ValueError(msg)
        return duration

    # Expressions are immutable: resolving returns a copy.
    def _copy(self, source: Expression | None) -> Func:
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.source = source
        return clone

    def resolve(self, resolver: Resolver) -> Expression:
        """Resolve the argument and check its type."""
        source = self.source.resolve(resolver) if self.source is not None else None
        if isinstance(source, Col) and source.role == "tag" and self.kind:
            cls = type(self).__name__
            msg = (
                f"{cls}() cannot read the tag {source.key!r}: InfluxDB applies "
                "functions to fields only (list tag values with SHOW TAG VALUES)."
            )
            raise FieldError(msg, field=source.attname or source.key)
        if (
            self.numeric
            and isinstance(source, Col)
            and source.dtype in ("string", "boolean")
        ):
            cls = type(self).__name__
            msg = (
                f"{cls}() needs a numeric field, but {source.key!r} holds "
                f"{source.dtype} values."
            )
            raise FieldError(msg, field=source.attname or source.key)
        if (
            self.kind in ("aggregate", "selector")
            and type(self) is not Func
            and isinstance(source, CombinedExpression)
        ):
            cls = type(self).__name__
            msg = (
                f"{cls}() reads a field, not arithmetic (InfluxDB refuses "
                f"{cls.lower()}() of an expression); compute the expression in "
                "a subquery and aggregate its alias."
            )
            raise CompileError(msg)
        return self._copy(source)

    def children(self) -> tuple[Any, ...]:
        """The argument read by the function."""
        return (self.source,) if self.source is not None else ()

    def walk(self) -> Iterator[Any]:
        """Yield this node and the nodes below its argument."""
        yield self
        if self.source is not None:
            yield from self.source.walk()

    def default_alias(self) -> str | None:
        """The server's name for the column: the table's ``column`` for a
        declared function, else the function's name."""
        if self.spec is not None:
            return self.spec.column
        return self.name.lower()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Func)
        return (self.name, self.source, self.params) == (
            other.name,
            other.source,
            other.params,
        )

    def __hash__(self) -> int:
        return hash((type(self), self.name, self.source, self.params))

    def __repr__(self) -> str:
        args = [repr(self.source)] if self.source is not None else []
        args.extend(repr(p) for p in self.params)
        if type(self) is Func:
            args.insert(0, repr(self.name))
        return f"{type(self).__name__}({', '.join(args)})"


class Aggregate(Func):
    """A function that reduces a window to one value."""

    kind: ClassVar[str] = "aggregate"


class Selector(Func):
    """A function that picks points, reporting each point's own time."""

    kind: ClassVar[str] = "selector"


class Transform(Func):
    """A function computed row by row or over consecutive rows."""

    kind: ClassVar[str] = "transform"
    #: Whether applying it to an aggregate needs GROUP BY time.
    needs_group_by_time: ClassVar[bool] = True


# -- aggregates ---------------------------------------------------------------


class Count(Aggregate):
    """COUNT(): non-null values; ``Count('*')`` counts every field."""

    function = "count"


class Distinct(Aggregate):
    """DISTINCT(): each distinct value, in order of first appearance."""

    function = "distinct"


class Integral(Aggregate):
    """INTEGRAL(field[, unit]): area under the curve (trapezoids), per unit."""

    function = "integral"

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """The unit is a duration (default 1s)."""
        return tuple(self._duration(p, "unit") for p in params)


class Mean(Aggregate):
    """MEAN(): the arithmetic mean, a float."""

    function = "mean"


class Median(Aggregate):
    """MEDIAN(): the middle value, the mean of the two middle ones if even."""

    function = "median"


class Mode(Aggregate):
    """MODE(): the most frequent value."""

    function = "mode"


class Spread(Aggregate):
    """SPREAD(): max - min."""

    function = "spread"


class StdDev(Aggregate):
    """STDDEV(): the sample standard deviation."""

    function = "stddev"


class Sum(Aggregate):
    """SUM()."""

    function = "sum"


# -- selectors ----------------------------------------------------------------


class _TopBottom(Selector):
    """TOP and BOTTOM: optional tag names, then a count."""

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """``(*tags, n)``: optional tag names, then how many points."""
        *tags, count = params
        for tag in tags:
            if not isinstance(tag, str):
                cls = type(self).__name__
                msg = f"{cls}() takes tag names before the count; got {tag!r}."
                raise TypeError(msg)
        return (*tags, self._require_int(count, "count"))

    def resolve(self, resolver: Resolver) -> Expression:
        """Resolve the field and the tag names (to their stored keys)."""
        resolved = super().resolve(resolver)
        assert isinstance(resolved, Func)
        *tags, count = self.params
        resolved.params = (*(resolver.column(tag) for tag in tags), count)
        return resolved


class Bottom(_TopBottom):
    """BOTTOM(field[, tag…], N): the N smallest values."""

    function = "bottom"


class Top(_TopBottom):
    """TOP(field[, tag…], N): the N largest values."""

    function = "top"


class First(Selector):
    """FIRST(): the value with the oldest time."""

    function = "first"


class Last(Selector):
    """LAST(): the value with the newest time."""

    function = "last"


class Max(Selector):
    """MAX(): the largest value (earliest on ties)."""

    function = "max"


class Min(Selector):
    """MIN(): the smallest value (earliest on ties)."""

    function = "min"


class Percentile(Selector):
    """PERCENTILE(field, P): nearest-rank percentile, 0 < P <= 100."""

    function = "percentile"

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """P is a number in (0, 100]."""
        (p,) = params
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 < p <= 100:
            msg = f"Percentile's P must be a number above 0 and at most 100; got {p!r}."
            raise ValueError(msg)
        return (p,)


class Sample(Selector):
    """SAMPLE(field, N): N random points."""

    function = "sample"

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """N is a positive int."""
        return (self._require_int(params[0], "count"),)


# -- transformations ------------------------------------------------------------


class _Math(Transform):
    """A math function, computed row by row."""


class Abs(_Math):
    """ABS()."""

    function = "abs"


class Acos(_Math):
    """ACOS()."""

    function = "acos"


class Asin(_Math):
    """ASIN()."""

    function = "asin"


class Atan(_Math):
    """ATAN()."""

    function = "atan"


class Ceil(_Math):
    """CEIL()."""

    function = "ceil"


class Cos(_Math):
    """COS()."""

    function = "cos"


class Exp(_Math):
    """EXP()."""

    function = "exp"


class Floor(_Math):
    """FLOOR()."""

    function = "floor"


class Ln(_Math):
    """LN()."""

    function = "ln"


class Log2(_Math):
    """LOG2()."""

    function = "log2"


class Log10(_Math):
    """LOG10()."""

    function = "log10"


class Round(_Math):
    """ROUND()."""

    function = "round"


class Sin(_Math):
    """SIN()."""

    function = "sin"


class Sqrt(_Math):
    """SQRT()."""

    function = "sqrt"


class Tan(_Math):
    """TAN()."""

    function = "tan"


class _MathWithNumber(_Math):
    """A math function whose second argument is a number."""

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """The second argument is a number."""
        (value,) = params
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            cls = type(self).__name__
            msg = f"{cls}'s second argument must be a number; got {value!r}."
            raise TypeError(msg)
        return (value,)


class Atan2(_Math):
    """ATAN2(y, x): both are fields or expressions."""

    function = "atan2"

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """x is read like y."""
        return (_as_expression(params[0]),)

    def resolve(self, resolver: Resolver) -> Expression:
        """Resolve both y and x."""
        resolved = super().resolve(resolver)
        assert isinstance(resolved, Func)
        resolved.params = (self.params[0].resolve(resolver),)
        return resolved


class Log(_MathWithNumber):
    """LOG(x, base)."""

    function = "log"


class Pow(_MathWithNumber):
    """POW(x, power)."""

    function = "pow"


class CumulativeSum(Transform):
    """CUMULATIVE_SUM(): the running total."""

    function = "cumulative_sum"


class _WithUnit(Transform):
    """A transformation with an optional unit (a duration)."""

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """The optional unit is a duration."""
        return tuple(self._duration(p, "unit") for p in params)


class Derivative(_WithUnit):
    """DERIVATIVE(x[, unit]): rate of change per unit (1s; GROUP BY interval)."""

    function = "derivative"


class NonNegativeDerivative(_WithUnit):
    """NON_NEGATIVE_DERIVATIVE(x[, unit]): derivative without negative rows."""

    function = "non_negative_derivative"


class Difference(Transform):
    """DIFFERENCE(): the change from the previous row."""

    function = "difference"


class NonNegativeDifference(Transform):
    """NON_NEGATIVE_DIFFERENCE(): difference without negative rows."""

    function = "non_negative_difference"


class Elapsed(_WithUnit):
    """ELAPSED(field[, unit]): time between consecutive points (default 1ns)."""

    function = "elapsed"


class MovingAverage(Transform):
    """MOVING_AVERAGE(x, N): the mean of the last N rows."""

    function = "moving_average"

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """N is an int of at least 2 (InfluxDB refuses a window of 1)."""
        return (self._require_int(params[0], "window", minimum=2),)


class _HoltWintersBase(Transform):
    """HOLT_WINTERS and its variant: a forecast from an aggregate."""

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """N predicted points and S season length."""
        if not isinstance(self.source, Func) or self.source.kind not in (
            "aggregate",
            "selector",
        ):
            cls = type(self).__name__
            msg = f"{cls}() predicts from an aggregate: {cls}(Mean('cpu'), 10, 4)."
            raise TypeError(msg)
        count, season = params
        return (
            self._require_int(count, "number of predicted points"),
            self._require_int(season, "season", minimum=0),
        )


class HoltWinters(_HoltWintersBase):
    """HOLT_WINTERS(agg, N, S): N predicted values with season S."""

    function = "holt_winters"


class HoltWintersWithFit(_HoltWintersBase):
    """HOLT_WINTERS_WITH_FIT(agg, N, S): the prediction and the fitted history."""

    function = "holt_winters_with_fit"


class _Technical(Transform):
    """A technical-analysis function: period, hold period, warmup."""

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """period, then optional hold period and warmup type (a string)."""
        checked: list[Any] = []
        if params:
            checked.append(self._require_int(params[0], "period"))
        if len(params) > 1:
            checked.append(self._require_int(params[1], "hold period", minimum=-1))
        if len(params) > 2:
            if params[2] not in self.warmups:
                cls = type(self).__name__
                *most, last = (repr(w) for w in self.warmups)
                choices = f"{', '.join(most)} or {last}"
                msg = f"{cls}'s warmup is {choices}; got {params[2]!r}."
                raise ValueError(msg)
            checked.append(Value(params[2]))
        return tuple(checked)


class ExponentialMovingAverage(_Technical):
    """EXPONENTIAL_MOVING_AVERAGE(x, period[, hold_period[, warmup]])."""

    function = "exponential_moving_average"


class DoubleExponentialMovingAverage(_Technical):
    """DOUBLE_EXPONENTIAL_MOVING_AVERAGE(x, period[, hold_period[, warmup]])."""

    function = "double_exponential_moving_average"


class TripleExponentialMovingAverage(_Technical):
    """TRIPLE_EXPONENTIAL_MOVING_AVERAGE(x, period[, hold_period[, warmup]])."""

    function = "triple_exponential_moving_average"


class TripleExponentialDerivative(_Technical):
    """TRIPLE_EXPONENTIAL_DERIVATIVE(x, period[, hold_period[, warmup]])."""

    function = "triple_exponential_derivative"


class RelativeStrengthIndex(_Technical):
    """RELATIVE_STRENGTH_INDEX(x, period[, hold_period[, warmup]])."""

    function = "relative_strength_index"


class ChandeMomentumOscillator(_Technical):
    """CHANDE_MOMENTUM_OSCILLATOR(x, period[, hold_period[, warmup]])."""

    function = "chande_momentum_oscillator"


class KaufmansEfficiencyRatio(_Technical):
    """KAUFMANS_EFFICIENCY_RATIO(x, period[, hold_period])."""

    function = "kaufmans_efficiency_ratio"


class KaufmansAdaptiveMovingAverage(_Technical):
    """KAUFMANS_ADAPTIVE_MOVING_AVERAGE(x, period[, hold_period])."""

    function = "kaufmans_adaptive_moving_average"
