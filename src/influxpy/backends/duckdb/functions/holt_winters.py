"""HOLT_WINTERS: InfluxDB's ``FloatHoltWintersReducer`` and its Nelder-Mead
optimiser, operation for operation so the forecasts match the server's bits,
over one series' windows; also the windows, starting points and answer
shared with the batched fit of many series (``holt_winters_batch.py``, which
DuckDB calls). benchmarks/holt_winters.py times both."""

from __future__ import annotations

import math
from functools import reduce
from itertools import accumulate
from operator import add
from typing import Any

from influxpy.backends.duckdb.functions.technical import divide

__all__ = ["fit", "holt_winters", "iterate", "output", "prepare", "starts"]


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


def _damped_sums(phi: float, count: int) -> list[float]:
    """``phiH`` at steps 1..count: ``phi``, then ``+= _go_pow(phi, t)``.

    Go multiplies the squared mantissas of the set bits of *t* in ascending
    order, so the power for *t* is the power for *t* without its highest
    bit times that bit's squared mantissa. While every product stays a
    normal float, scaling a mantissa by its power of two is exact: Go's
    ``2**k``-th power is the square of its ``2**(k-1)``-th, and the powers
    for *t* from ``2**k`` to ``2**(k+1) - 1`` are the powers below ``2**k``
    times it, one list at a time, the same products bit for bit. The sums
    are added one after another from ``phi``, as the server's forecast
    loop adds them.
    """
    if count <= 1:
        return [phi]
    if 0.0 < phi < 1.0:
        squares = [phi]
        smallest = square = phi
        for _ in range((count - 1).bit_length() - 1):
            square *= square
            squares.append(square)
            smallest *= square
        if smallest > 1e-290:  # no product nears the subnormals
            powers = [1.0]
            for square in squares:
                powers += [power * square for power in powers]
            del powers[count:]
            powers[0] = phi
            return list(accumulate(powers))
    # 0, 1, NaN, and powers so small that Go stops squaring: its loop.
    sums = [phi]
    phi_h = phi
    for t in range(1, count):
        phi_h += _go_pow(phi, t)
        sums.append(phi_h)
    return sums


def _nelder_mead(
    objective: Any, start: list[float], epsilon: float, scale: float
) -> tuple[float, list[float]]:
    """The Nelder-Mead simplex of InfluxDB's ``neldermead`` package.

    *objective* may change the vertex it is given (the Holt-Winters error
    clamps its parameters in place), as the Go slices are changed. Every
    sum runs in the server's order, so the vertices match its bits.
    """
    n = len(start)
    nf = float(n)
    pn = scale * (math.sqrt(float(n + 1)) - 1 + nf) / (nf * math.sqrt(2))
    qn = scale * (math.sqrt(float(n + 1)) - 1) / (nf * math.sqrt(2))
    v = [list(start)]
    v.extend(
        [(pn if i - 1 == j else qn) + start[j] for j in range(n)]
        for i in range(1, n + 1)
    )
    f = [objective(vertex) for vertex in v]
    return iterate(objective, v, f, 1000, epsilon)


def iterate(
    objective: Any, v: list[list[float]], f: list[float], steps: int, epsilon: float
) -> tuple[float, list[float]]:
    """Up to *steps* iterations of the simplex *v* (errors *f*), then the
    best vertex's error and the vertex, as ``_nelder_mead`` ends."""
    n = len(v) - 1
    nf = float(n)
    rows = range(n + 1)
    for _iteration in range(steps):
        vg = vs = 0
        for i in rows:
            if f[i] > f[vg]:
                vg = i
            if f[i] < f[vs]:
                vs = i
        vh = vs
        f_vg = f[vg]
        for i in rows:
            if f[vh] < f[i] < f_vg:
                vh = i
        # The centroid: each coordinate added row after row from 0.0.
        others = zip(*v[:vg], *v[vg + 1 :], strict=True)
        vm = [reduce(add, column, 0.0) / nf for column in others]
        worst = v[vg]
        vr = [a + 1.0 * (a - w) for a, w in zip(vm, worst, strict=True)]
        fr = objective(vr)
        if f[vs] <= fr < f[vh]:
            v[vg] = vr
            f[vg] = fr
        if fr < f[vs]:
            ve = [a + 2.0 * (r - a) for a, r in zip(vm, vr, strict=True)]
            fe = objective(ve)
            if fe < fr:
                v[vg] = ve
                f[vg] = fe
            else:
                v[vg] = vr
                f[vg] = fr
        if fr >= f[vh]:
            if f[vh] <= fr < f[vg]:
                vc = [a + 0.5 * (r - a) for a, r in zip(vm, vr, strict=True)]
            else:
                vc = [a - 0.5 * (a - w) for a, w in zip(vm, v[vg], strict=True)]
            fc = objective(vc)
            if fc < f[vg]:
                v[vg] = vc
                f[vg] = fc
            else:
                best = v[vs]
                for row in rows:
                    if row != vs:
                        v[row] = [
                            b + (x - b) / 2.0 for b, x in zip(best, v[row], strict=True)
                        ]
                f[vg] = objective(v[vg])
                f[vh] = objective(v[vh])
        favg = reduce(add, f, 0.0) / float(n + 1)
        s = reduce(add, [(value - favg) * (value - favg) / nf for value in f], 0.0)
        if math.sqrt(s) < epsilon:
            break
    vs = 0
    for i in rows:
        if f[i] < f[vs]:
            vs = i
    parameters = list(v[vs])
    return objective(v[vs]), parameters


#: How many parameters of evaluated vertices a fit keeps, twice each (as
#: given and as left): 30,000 vertices with a season of 4 (a fit of 36
#: windows evaluates about 17,000), some 20 MB.
_KNOWN = 300_000


class _HoltWinters:
    """Holt-Winters damped forecasting, as ``FloatHoltWintersReducer``.

    :meth:`run` is the server's ``forecast`` with its error summed on the
    way; the arithmetic is the server's, operation for operation (constant
    factors such as ``1 - alpha`` are the same values it computes).
    """

    def __init__(self, y: list[float], season: int) -> None:
        self.y = y
        self.m = season
        self.seasonal = season >= 2
        self.complete = not any(math.isnan(value) for value in y)
        self._indexes: dict[int, tuple[list[int], list[int]]] = {}
        # The optimiser evaluates many vertices twice (shrinks, the final
        # fit): their damped-trend sums are kept, up to about 2M floats.
        self._sums: dict[tuple[float, int], list[float]] = {}
        # A run with a season comes back to vertices it has evaluated: a
        # third to half of its passes. The error is a function of the
        # vertex alone, and so are the seasons it leaves in it: both kept.
        self._known: dict[tuple[float, ...], tuple[float, tuple[float, ...]]] = {}

    def _ring_indexes(self, m: int, count: int) -> tuple[list[int], list[int]]:
        """Where step *t* reads ``stm`` (and writes its season) and ``stmh``.

        The server's season offset ``so`` is ``m - 1 + (t - 1)`` at step
        *t*, so its ``(t - m + so) % m`` is ``(2t - 2) % m``.
        """
        key = m * 1_000_003 + count
        if key not in self._indexes:
            stm = [(2 * t - 2) % m for t in range(count)]
            stmh = [(2 * t - 2 + t % m) % m for t in range(count)]
            self._indexes[key] = (stm, stmh)
        return self._indexes[key]

    def _damped_sums(self, phi: float, count: int) -> list[float]:
        if phi == 0:  # -0.0 and 0.0 are one key but not the same sums
            return _damped_sums(phi, count)
        key = (phi, count)
        sums = self._sums.get(key)
        if sums is None:
            sums = _damped_sums(phi, count)
            if len(self._sums) * count > 2_000_000:
                self._sums.clear()
            self._sums[key] = sums
        return sums

    @staticmethod
    def _constrain(x: list[float]) -> None:
        for i in range(4):
            if x[i] > 1:
                x[i] = 1.0
            if x[i] < 0:
                x[i] = 0.0

    def run(self, h: int, params: list[float], fit: bool) -> tuple[float, list[float]]:
        """The error (``fit``, *h* = 0) or the fit and *h* forecasts."""
        self._constrain(params)
        y = self.y
        y_t = y[0]
        alpha, beta, phi = params[0], params[1], params[3]
        l_t, b_t = params[4], params[5]
        count = len(y) + h
        sums = self._damped_sums(phi, count)
        oma = 1 - alpha
        omb_phi = (1 - beta) * phi
        if self.seasonal:
            if fit and self.complete:
                total = self._seasonal_error(params, sums)
                if total is not None:
                    return total, []
            return self._run_seasonal(h, params, fit, sums)
        if fit and self.complete:
            # No gaps: sum as the server does; a NaN forecast makes the sum
            # NaN, and then the careful loop below decides.
            diff = y_t - y_t
            total = 0.0 + diff * diff
            for damped, actual in zip(sums, y[1:], strict=False):
                l_p = l_t
                l_t = alpha * y_t + oma * (l_p + phi * b_t)
                b_t = beta * (l_t - l_p) + omb_phi * b_t
                y_t = l_t + damped * b_t
                diff = y_t - actual
                total += diff * diff
            if total == total:
                return total, []
            l_t, b_t, y_t = params[4], params[5], y[0]
        forecasted = [y_t]
        for t in range(1, count):
            l_p = l_t
            l_t = alpha * y_t + oma * (l_p + phi * b_t)
            b_t = beta * (l_t - l_p) + omb_phi * b_t
            y_t = l_t + sums[t - 1] * b_t
            forecasted.append(y_t)
        return self._error(forecasted) if fit else math.nan, forecasted

    def _seasonal_error(self, params: list[float], sums: list[float]) -> float | None:
        """The error of a fit with a season over windows without gaps, the
        forecasts summed on the way as the server sums them; None (and
        *params* as they were) where a division by zero or a NaN forecast
        leaves it to the careful loop of :meth:`_run_seasonal`."""
        alpha, beta, gamma, phi = params[0], params[1], params[2], params[3]
        l_t, b_t = params[4], params[5]
        y = self.y
        y_t = y[0]
        oma = 1 - alpha
        omb_phi = (1 - beta) * phi
        omg = 1 - gamma
        m = len(params) - 6
        if m == 1:
            params[6] = 1.0
        seasons = params[6:]
        read, read_h = self._ring_indexes(m, len(y))
        diff = y_t - y_t
        total = 0.0 + diff * diff
        try:
            for at, at_h, damped, actual in zip(
                read[1:], read_h[1:], sums, y[1:], strict=False
            ):
                stm = seasons[at]
                stmh = seasons[at_h]
                trend = l_t + phi * b_t
                l_p = l_t
                l_t = alpha * (y_t / stm) + oma * trend
                b_t = beta * (l_t - l_p) + omb_phi * b_t
                seasons[at] = gamma * (y_t / trend) + omg * stm
                y_t = (l_t + damped * b_t) * stmh
                diff = y_t - actual
                total += diff * diff
        except ZeroDivisionError:
            return None
        if total != total:
            return None
        params[6:] = seasons
        return total

    def _run_seasonal(
        self, h: int, params: list[float], fit: bool, sums: list[float]
    ) -> tuple[float, list[float]]:
        alpha, beta, gamma, phi = params[0], params[1], params[2], params[3]
        l_t, b_t = params[4], params[5]
        y_t = self.y[0]
        oma = 1 - alpha
        omb_phi = (1 - beta) * phi
        omg = 1 - gamma
        m = len(params) - 6
        if m == 1:
            params[6] = 1.0
        seasons = params[6:]
        count = len(self.y) + h
        read, read_h = self._ring_indexes(m, count)
        forecasted = [y_t]
        append = forecasted.append
        # Step t reads the season read[t] and writes it, and scales by the
        # season read_h[t] read before that write; sums[t - 1] is phiH.
        for at, at_h, damped in zip(read[1:], read_h[1:], sums, strict=False):
            stm = seasons[at]
            stmh = seasons[at_h]
            trend = l_t + phi * b_t
            level = y_t / stm if stm else divide(y_t, stm)
            l_p = l_t
            l_t = alpha * level + oma * trend
            b_t = beta * (l_t - l_p) + omb_phi * b_t
            ratio = y_t / trend if trend else divide(y_t, trend)
            seasons[at] = gamma * ratio + omg * stm
            y_t = (l_t + damped * b_t) * stmh
            append(y_t)
        params[6:] = seasons
        return self._error(forecasted) if fit else math.nan, forecasted

    def _error(self, forecasted: list[float]) -> float:
        """The server's sum of squared errors over the windows with data."""
        total = 0.0
        for value, actual in zip(forecasted, self.y, strict=True):
            if actual == actual:
                if value != value:
                    return math.inf
                diff = value - actual
                total += diff * diff
        return total

    def forecast(self, h: int, params: list[float]) -> list[float]:
        """The fitted values and *h* forecasts (changes *params* as Go does)."""
        return self.run(h, params, False)[1]

    def sse(self, params: list[float]) -> float:
        """The sum of squared errors of the fit (changes *params* as Go does)."""
        if not self.seasonal or 0.0 in params:
            # Without a season a run seldom comes back to a vertex; and
            # -0.0 and 0.0 are one key but may not fit alike.
            return self.run(0, params, True)[0]
        key = tuple(params)
        known = self._known.get(key)
        if known is not None:
            params[:] = known[1]
            return known[0]
        error = self.run(0, params, True)[0]
        if len(self._known) * len(key) >= _KNOWN:
            self._known.clear()
        self._known[key] = error, tuple(params)
        return error


def prepare(
    times: list[int], values: list[float], h: int, season: int, interval: int
) -> tuple[list[float], list[float]] | None:
    """The windows the server fits (NaN where one is missing) and its
    starting parameters, or None where it answers nothing."""
    seasonal = season >= 2
    if not times or len(times) < 2 or (seasonal and len(times) < season) or h <= 0:
        return None

    def round_time(t: int) -> int:
        # Go's integer division and remainder truncate toward zero.
        quotient = abs(t) // interval * (1 if t >= 0 else -1)
        if t - quotient * interval > interval // 2:
            return (quotient + 1) * interval
        return quotient * interval

    start, stop = round_time(times[0]), round_time(times[-1])
    if (stop - start) // interval <= 0:
        return None
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
    return y, [0.0, 0.0, 0.0, 0.0, l0, b0, *seasons]


def starts(parameters: list[float], season: int) -> list[list[float]]:
    """The vertices the server's 16 Nelder-Mead runs start from, in its
    order; without a season only the 8 with gamma 0.3: the fit never reads
    gamma, so a run from gamma 0.7 takes the same path and ends on the
    same error as its twin before it, which the server keeps."""
    guesses = [0.3, 0.3 + 0.4]  # from 0.3 below 1.0 in steps of 0.4
    gammas = guesses if season >= 2 else guesses[:1]
    return [
        [alpha, beta, gamma, phi, *parameters[4:]]
        for alpha in guesses
        for beta in guesses
        for gamma in gammas
        for phi in guesses
    ]


def output(
    times: list[int],
    y: list[float],
    forecasted: list[float],
    with_fit: bool,
    interval: int,
) -> list[dict[str, Any]]:
    """The points the server answers: the fit from the first window (with
    fit), then the forecasts after the last; NaN values left out."""
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


def holt_winters(
    times: list[int],
    values: list[float],
    h: int,
    season: int,
    with_fit: bool,
    interval: int,
) -> list[dict[str, Any]]:
    """HOLT_WINTERS[_WITH_FIT] over one series' windows in time order,
    one Nelder-Mead run after another."""
    prepared = prepare(times, values, h, season, interval)
    if prepared is None:
        return []
    y, parameters = prepared
    forecasted = _HoltWinters(y, season).forecast(h, fit(y, season, parameters))
    return output(times, y, forecasted, with_fit, interval)


def fit(y: list[float], season: int, parameters: list[float]) -> list[float]:
    """The parameters the server's fit keeps for the windows *y*: the best
    of its Nelder-Mead runs (the first of equals), one after another."""
    model = _HoltWinters(y, season)
    min_sse = math.inf
    best: list[float] | None = None
    for start in starts(parameters, season):
        sse, params = _nelder_mead(model.sse, start, 1.0e-4, 1)
        if sse < min_sse or best is None:
            min_sse, best = sse, params
    assert best is not None
    return best
