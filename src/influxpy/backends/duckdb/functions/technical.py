"""The technical-analysis functions, step by step as InfluxDB 1.6 runs them.

InfluxDB's ``query/internal/gota``: the moving averages, TRIX, RSI, CMO and
Kaufman's ratio and average over one series' points, run inside DuckDB.
"""

from __future__ import annotations

import fractions
import math
from typing import Any

__all__ = ["divide", "technical"]


_WARM_EMA = "exponential"
_WARM_SMA = "simple"


def divide(a: float, b: float) -> float:
    """IEEE division, as Go's: ±Inf or NaN instead of an exception."""
    if b != 0:
        return a / b
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


class _EMA:
    """Exponential moving average; scaled (or simple) while warming up."""

    def __init__(self, period: int, warmup: str) -> None:
        self.period = period
        self.last = 0.0
        self.count = 0
        self.alpha = 2 / float(period + 1)
        self.warmup = warmup

    def copy(self) -> _EMA:
        clone = _EMA(self.period, self.warmup)
        clone.__dict__.update(self.__dict__)
        return clone

    def warm_count(self) -> int:
        return self.period - 1

    def warmed(self) -> bool:
        return self.count == self.period

    def add(self, v: float) -> float:
        if self.count == 0:
            avg = v
        elif self.warmed():
            avg = (v - self.last) * self.alpha + self.last
        elif self.warmup == _WARM_SMA:
            avg = (self.last * float(self.count) + v) / float(self.count + 1)
        else:
            alpha = 2 / float(self.count + 2)
            avg = (v - self.last) * alpha + self.last
        self.last = avg
        if self.count < self.period:
            self.count += 1
        return avg


class _Chained:
    """DEMA, TEMA and TRIX: EMAs of EMAs, the next fed once the previous is
    warm (at once with an exponential warmup)."""

    def __init__(self, period: int, warmup: str, depth: int) -> None:
        self.emas = [_EMA(period, warmup) for _ in range(depth)]
        self.warmup = warmup

    def averages(self, v: float) -> list[float]:
        out = [self.emas[0].add(v)]
        for previous, ema in zip(self.emas, self.emas[1:], strict=False):
            if previous.warmed() or self.warmup == _WARM_EMA:
                out.append(ema.add(out[-1]))
            else:
                out.append(out[-1])
        return out

    def warm_count(self) -> int:
        if self.warmup == _WARM_EMA:
            return self.emas[0].warm_count()
        return sum(ema.warm_count() for ema in self.emas)


class _DEMA(_Chained):
    def __init__(self, period: int, warmup: str) -> None:
        super().__init__(period, warmup, 2)

    def add(self, v: float) -> float:
        avg1, avg2 = self.averages(v)
        return 2 * avg1 - avg2


class _TEMA(_Chained):
    def __init__(self, period: int, warmup: str) -> None:
        super().__init__(period, warmup, 3)

    def add(self, v: float) -> float:
        avg1, avg2, avg3 = self.averages(v)
        return 3 * avg1 - 3 * avg2 + avg3


class _TRIX(_Chained):
    def __init__(self, period: int, warmup: str) -> None:
        super().__init__(period, warmup, 3)
        self.last = 0.0
        self.count = 0

    def add(self, v: float) -> float:
        first, second, third = self.emas
        cur = first.add(v)
        if first.warmed() or self.warmup == _WARM_EMA:
            cur = second.add(cur)
            if second.warmed() or self.warmup == _WARM_EMA:
                cur = third.add(cur)
        rate = (divide(cur, self.last) - 1) * 100
        self.last = cur
        if self.count != 2 and third.warmed():
            self.count += 1
        return rate

    def warm_count(self) -> int:
        if self.warmup == _WARM_EMA:
            return self.emas[0].warm_count() + 1
        return self.emas[0].warm_count() * 3 + 1


class _UpDown:
    """RSI and the smoothed CMO: EMAs of the rises and of the falls."""

    def __init__(self, period: int, warmup: str) -> None:
        ema = _EMA(period + 1, warmup)
        ema.alpha = float(1) / float(period)
        self.up = ema
        self.down = ema.copy()
        self.last_v = 0.0

    def warm_count(self) -> int:
        return self.up.warm_count()

    def step(self, v: float) -> tuple[float, float]:
        up = down = 0.0
        if v > self.last_v:
            up = v - self.last_v
        elif v < self.last_v:
            down = self.last_v - v
        self.up.add(up)
        self.down.add(down)
        self.last_v = v
        return self.up.last, self.down.last


class _RSI(_UpDown):
    def add(self, v: float) -> float:
        up, down = self.step(v)
        return 100 - divide(100, 1 + divide(up, down))


class _CMOS(_UpDown):
    def add(self, v: float) -> float:
        up, down = self.step(v)
        return 100.0 * divide(up - down, up + down)


class _CMO:
    """Chande momentum oscillator over the last period points, unsmoothed."""

    def __init__(self, period: int) -> None:
        self.points = [(0.0, 0.0)] * (period - 1)
        self.sum_up = 0.0
        self.sum_down = 0.0
        self.count = 0
        self.idx = 0

    def warm_count(self) -> int:
        return len(self.points)

    def add(self, v: float) -> float:
        oldest_idx = self.idx + 1
        if oldest_idx == len(self.points):
            oldest_idx = 0
        diff = 0.0
        if self.count != 0:
            diff = v - self.points[self.idx][0]
            if diff > 0:
                self.sum_up += diff
            elif diff < 0:
                self.sum_down -= diff
        out = 0.0
        if self.sum_up != 0 or self.sum_down != 0:
            out = 100.0 * divide(
                self.sum_up - self.sum_down, self.sum_up + self.sum_down
            )
        oldest = self.points[oldest_idx][1]
        if oldest > 0:
            self.sum_up -= oldest
        elif oldest < 0:
            self.sum_down += oldest
        self.points[oldest_idx] = (v, diff)
        self.idx = oldest_idx
        if self.count != len(self.points) + 2:
            self.count += 1
        return out


class _KER:
    """Kaufman's efficiency ratio: net change over the sum of changes."""

    def __init__(self, period: int) -> None:
        self.points = [(0.0, 0.0)] * period
        self.noise = 0.0
        self.count = 0
        self.idx = 0

    def warm_count(self) -> int:
        return len(self.points)

    def warmed(self) -> bool:
        return self.count == len(self.points) + 1

    def add(self, v: float) -> float:
        oldest_idx = self.idx + 1
        if oldest_idx >= len(self.points):
            oldest_idx = 0
        signal = abs(v - self.points[oldest_idx][0])
        change = abs(v - self.points[self.idx][0])
        self.noise -= self.points[oldest_idx][1]
        self.noise += change
        noise = self.noise
        self.idx = oldest_idx
        self.points[oldest_idx] = (v, change)
        if not self.warmed():
            self.count += 1
        if signal == 0 or noise == 0:
            return 0.0
        return signal / noise


#: Go folds the constant 2/3 - 2/31 exactly before rounding it to a float.
_KAMA_FAST_SLOW = float(fractions.Fraction(2, 3) - fractions.Fraction(2, 31))
_KAMA_SLOW = 2.0 / 31.0


class _KAMA:
    """Kaufman's adaptive moving average."""

    def __init__(self, period: int) -> None:
        self.ker = _KER(period)
        self.last = 0.0

    def warm_count(self) -> int:
        return self.ker.warm_count()

    def add(self, v: float) -> float:
        if not self.ker.warmed():
            self.last = self.ker.points[self.ker.idx][0]
        ratio = self.ker.add(v)
        smoothing = ratio * _KAMA_FAST_SLOW + _KAMA_SLOW
        self.last = self.last + smoothing * smoothing * (v - self.last)
        return self.last


def _technical_algorithm(name: str, period: int, warmup: str) -> Any:
    if name == "exponential_moving_average":
        return _EMA(period, warmup)
    if name == "double_exponential_moving_average":
        return _DEMA(period, warmup)
    if name == "triple_exponential_moving_average":
        return _TEMA(period, warmup)
    if name == "triple_exponential_derivative":
        return _TRIX(period, warmup)
    if name == "relative_strength_index":
        return _RSI(period, warmup)
    if name == "chande_momentum_oscillator":
        return _CMO(period) if warmup == "none" else _CMOS(period, warmup)
    if name == "kaufmans_efficiency_ratio":
        return _KER(period)
    return _KAMA(period)


#: Functions whose reducer drops infinite values instead of emitting them.
_DROPS_INFINITY = frozenset(
    {
        "triple_exponential_derivative",
        "kaufmans_efficiency_ratio",
        "kaufmans_adaptive_moving_average",
    }
)


def technical(
    name: str,
    times: list[int],
    values: list[float],
    period: int,
    hold: int,
    warmup: str,
) -> list[dict[str, Any]]:
    """A technical-analysis function over one series' values in order.

    Each point feeds the algorithm; its value is emitted once more points
    than the hold period were read (-1: the algorithm's warm-up count).
    """
    if not times:
        return []
    algorithm = _technical_algorithm(name, period, warmup)
    if hold == -1:
        hold = algorithm.warm_count()
    out: list[dict[str, Any]] = []
    for count, (stamp, value) in enumerate(zip(times, values, strict=True), 1):
        result = algorithm.add(value)
        if count <= hold:
            continue
        if name in _DROPS_INFINITY and math.isinf(result):
            continue
        out.append({"t": stamp, "v": result})
    return out
