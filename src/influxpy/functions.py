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

import math
from collections.abc import Iterator
from typing import Any

from influxpy.expressions import Expression, Resolver, Value
from influxpy.function_base import Aggregate, Func, Selector, Transform, _as_expression

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
    """PERCENTILE(field, P): the nearest-rank percentile of N points.

    The point of rank ``floor(N * P / 100 + 0.5)`` (1 for the smallest),
    as InfluxDB picks it; where that rank is outside the points (``P`` of
    0 or below, ``P`` well above 100, or a small ``P`` of few points)
    there is no value, as in InfluxDB: ``Percentile('x', 0)`` is not the
    minimum (``Min('x')`` is).
    """

    function = "percentile"

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """P is a finite number."""
        (p,) = params
        if (
            isinstance(p, bool)
            or not isinstance(p, (int, float))
            or not math.isfinite(p)
        ):
            msg = f"Percentile's P must be a finite number (a percent); got {p!r}."
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
    """A math function whose second argument is a number, or a field or an
    expression read on each point as the first is (``pow(v, v)``)."""

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """The second argument is a number, a field name or an expression."""
        (value,) = params
        if isinstance(value, (str, Expression)):
            return (_as_expression(value),)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            cls = type(self).__name__
            msg = (
                f"{cls}'s second argument must be a number, a field name or an "
                f"expression; got {value!r}."
            )
            raise TypeError(msg)
        return (value,)

    def resolve(self, resolver: Resolver) -> Expression:
        """Resolve the second argument too when it is an expression."""
        resolved = super().resolve(resolver)
        assert isinstance(resolved, Func)
        (value,) = self.params
        if isinstance(value, Expression):
            resolved.params = (value.resolve(resolver),)
        return resolved

    def children(self) -> tuple[Any, ...]:
        """The first argument, and the second when it is read on each
        point too (``pow(2, v)`` reads ``v``)."""
        (value,) = self.params
        extra = (value,) if isinstance(value, Expression) else ()
        return (*super().children(), *extra)

    def walk(self) -> Iterator[Any]:
        """Yield this node and the nodes below both arguments."""
        yield self
        for child in self.children():
            yield from child.walk()


class Atan2(_MathWithNumber):
    """ATAN2(y, x): both are fields or expressions."""

    function = "atan2"

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """x is read like y (resolved as ``_MathWithNumber`` resolves it)."""
        return (_as_expression(params[0]),)


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
    """HOLT_WINTERS and its variant: a forecast from an aggregate (or a
    transformation of one, as ``Derivative(Mean('cpu'))``)."""

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """N predicted points and S season length."""
        source = self.source
        read: Any = source
        while isinstance(read, Transform) and not isinstance(read, _Math):
            read = read.source
        if not isinstance(read, Func) or read.kind not in ("aggregate", "selector"):
            cls = type(self).__name__
            msg = (
                f"{cls}() predicts from an aggregate or a transformation of one: "
                f"{cls}(Mean('cpu'), 10, 4); got {source!r}."
            )
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
