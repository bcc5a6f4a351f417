"""The engine's first HOLT_WINTERS port, step by step as the server's Go code
(before its optimiser was rewritten): benchmarks/holt_winters.py times the
engine against it and checks that both answer the same."""

from __future__ import annotations

import math
from typing import Any

from influxpy.backends.duckdb.functions.technical import divide

__all__ = ["holt_winters"]


def _go_pow(x: float, y: int) -> float:
    """Go's ``math.Pow`` for a whole exponent: repeated squaring of the
    mantissa, so the last bit matches the server's."""
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if math.isnan(x):
        return math.nan
    if x == 0 or math.isinf(x):
        return x**y
    result, exponent = 1.0, 0
    mantissa, mantissa_exponent = math.frexp(x)
    i = abs(y)
    while i:
        if mantissa_exponent < -(1 << 12) or mantissa_exponent > (1 << 12):
            exponent += mantissa_exponent
            break
        if i & 1:
            result *= mantissa
            exponent += mantissa_exponent
        mantissa *= mantissa
        mantissa_exponent <<= 1
        if mantissa < 0.5:
            mantissa += mantissa
            mantissa_exponent -= 1
        i >>= 1
    if y < 0:
        result = 1 / result
        exponent = -exponent
    try:
        return math.ldexp(result, exponent)
    except OverflowError:
        return math.copysign(math.inf, result)


def _nelder_mead(
    objective: Any, start: list[float], epsilon: float, scale: float
) -> tuple[float, list[float]]:
    """The Nelder-Mead simplex of InfluxDB's ``neldermead`` package.

    *objective* may change the vertex it is given (the Holt-Winters error
    clamps its parameters in place), as the Go slices are changed.
    """
    n = len(start)
    v = [[0.0] * n for _ in range(n + 1)]
    f = [0.0] * (n + 1)
    pn = scale * (math.sqrt(float(n + 1)) - 1 + float(n)) / (float(n) * math.sqrt(2))
    qn = scale * (math.sqrt(float(n + 1)) - 1) / (float(n) * math.sqrt(2))
    v[0] = list(start)
    for i in range(1, n + 1):
        for j in range(n):
            v[i][j] = (pn if i - 1 == j else qn) + start[j]
    for j in range(n + 1):
        f[j] = objective(v[j])
    for _iteration in range(1000):
        vg = vs = 0
        for i in range(n + 1):
            if f[i] > f[vg]:
                vg = i
            if f[i] < f[vs]:
                vs = i
        vh = vs
        for i in range(n + 1):
            if f[vh] < f[i] < f[vg]:
                vh = i
        vm = [0.0] * n
        for i in range(n):
            cent = 0.0
            for m in range(n + 1):
                if m != vg:
                    cent += v[m][i]
            vm[i] = cent / float(n)
        vr = [vm[i] + 1.0 * (vm[i] - v[vg][i]) for i in range(n)]
        fr = objective(vr)
        if f[vs] <= fr < f[vh]:
            v[vg] = list(vr)
            f[vg] = fr
        if fr < f[vs]:
            ve = [vm[i] + 2.0 * (vr[i] - vm[i]) for i in range(n)]
            fe = objective(ve)
            if fe < fr:
                v[vg] = list(ve)
                f[vg] = fe
            else:
                v[vg] = list(vr)
                f[vg] = fr
        if fr >= f[vh]:
            if f[vh] <= fr < f[vg]:
                vc = [vm[i] + 0.5 * (vr[i] - vm[i]) for i in range(n)]
            else:
                vc = [vm[i] - 0.5 * (vm[i] - v[vg][i]) for i in range(n)]
            fc = objective(vc)
            if fc < f[vg]:
                v[vg] = list(vc)
                f[vg] = fc
            else:
                for row in range(n + 1):
                    if row != vs:
                        v[row] = [
                            v[vs][i] + (v[row][i] - v[vs][i]) / 2.0 for i in range(n)
                        ]
                f[vg] = objective(v[vg])
                f[vh] = objective(v[vh])
        fsum = 0.0
        for i in range(n + 1):
            fsum += f[i]
        favg = fsum / float(n + 1)
        s = 0.0
        for i in range(n + 1):
            s += (f[i] - favg) * (f[i] - favg) / float(n)
        if math.sqrt(s) < epsilon:
            break
    vs = 0
    for i in range(n + 1):
        if f[i] < f[vs]:
            vs = i
    parameters = list(v[vs])
    return objective(v[vs]), parameters


class _HoltWinters:
    """Holt-Winters damped forecasting, as ``FloatHoltWintersReducer``."""

    def __init__(self, y: list[float], season: int) -> None:
        self.y = y
        self.m = season
        self.seasonal = season >= 2

    @staticmethod
    def _constrain(x: list[float]) -> None:
        for i in range(4):
            if x[i] > 1:
                x[i] = 1.0
            if x[i] < 0:
                x[i] = 0.0

    def forecast(self, h: int, params: list[float]) -> list[float]:
        self._constrain(params)
        y_t = self.y[0]
        alpha, beta, gamma, phi = params[0], params[1], params[2], params[3]
        phi_h = phi
        l_t, b_t = params[4], params[5]
        m = so = 0
        if self.seasonal:
            m = len(params) - 6
            if m == 1:
                params[6] = 1.0
            so = m - 1
        length = len(self.y)
        forecasted = [0.0] * (length + h)
        forecasted[0] = y_t
        stm = stmh = 1.0
        for t in range(1, length + h):
            if self.seasonal:
                hm = t % m
                stm = params[6 + (t - m + so) % m]
                stmh = params[6 + (t - m + hm + so) % m]
            l_p = l_t
            l_t = alpha * divide(y_t, stm) + (1 - alpha) * (l_p + phi * b_t)
            b_next = beta * (l_t - l_p) + (1 - beta) * phi * b_t
            s_t = gamma * divide(y_t, l_p + phi * b_t) + (1 - gamma) * stm
            b_t = b_next
            y_t = (l_t + phi_h * b_t) * stmh
            phi_h += _go_pow(phi, t)
            if self.seasonal:
                params[6 + (t + so) % m] = s_t
                so += 1
            forecasted[t] = y_t
        return forecasted

    def sse(self, params: list[float]) -> float:
        total = 0.0
        forecasted = self.forecast(0, params)
        for i, value in enumerate(forecasted):
            if not math.isnan(self.y[i]):
                if math.isnan(value):
                    return math.inf
                diff = value - self.y[i]
                total += diff * diff
        return total


def holt_winters(
    times: list[int],
    values: list[float],
    h: int,
    season: int,
    with_fit: bool,
    interval: int,
) -> list[dict[str, Any]]:
    """HOLT_WINTERS[_WITH_FIT] over one series' windows in time order."""
    seasonal = season >= 2
    if not times or len(times) < 2 or (seasonal and len(times) < season) or h <= 0:
        return []

    def round_time(t: int) -> int:
        # Go's integer division and remainder truncate toward zero.
        quotient = abs(t) // interval * (1 if t >= 0 else -1)
        if t - quotient * interval > interval // 2:
            return (quotient + 1) * interval
        return quotient * interval

    start, stop = round_time(times[0]), round_time(times[-1])
    if (stop - start) // interval <= 0:
        return []
    y = [values[0]]
    t = start
    for stamp, value in zip(times[1:], values[1:], strict=True):
        rounded = round_time(stamp)
        if rounded <= t:
            continue
        t += interval
        while rounded != t:
            y.append(math.nan)
            t += interval
        y.append(value)
    m = season
    l0 = 0.0
    if seasonal:
        for i in range(m):
            if not math.isnan(y[i]):
                l0 += (1 / float(m)) * y[i]
    else:
        l0 += 0.5 * y[0]
    b0 = 0.0
    if seasonal:
        i = 0
        while i < m and m + i < len(y):
            if not math.isnan(y[i]) and not math.isnan(y[m + i]):
                b0 += 1 / float(m * m) * (y[m + i] - y[i])
            i += 1
    elif not math.isnan(y[1]):
        b0 = 0.5 * (y[1] - y[0])
    seasons = []
    if seasonal:
        seasons = [0.0 if math.isnan(y[i]) else divide(y[i], l0) for i in range(m)]
    parameters = [0.0, 0.0, 0.0, 0.0, l0, b0, *seasons]
    model = _HoltWinters(y, season)
    guesses = [0.3, 0.3 + 0.4]  # from 0.3 below 1.0 in steps of 0.4
    min_sse = math.inf
    best: list[float] | None = None
    for alpha in guesses:
        for beta in guesses:
            for gamma in guesses:
                for phi in guesses:
                    parameters[0:4] = [alpha, beta, gamma, phi]
                    sse, params = _nelder_mead(model.sse, parameters, 1.0e-4, 1)
                    if sse < min_sse or best is None:
                        min_sse, best = sse, params
    assert best is not None
    forecasted = model.forecast(h, best)
    out: list[dict[str, Any]] = []
    if with_fit:
        for i, value in enumerate(forecasted):
            if not math.isnan(value):
                out.append({"t": times[0] + interval * i, "v": value})
    else:
        for i, value in enumerate(forecasted[len(y) :]):
            if not math.isnan(value):
                out.append({"t": times[-1] + interval * (i + 1), "v": value})
    return out
