"""HOLT_WINTERS' fit compiled with numba, when numba is installed.

The same operations in the same order as the server's Go code (and as
``holt_winters.py``, the interpreted port): Go's ``math.Pow`` for whole
exponents, the Nelder-Mead simplex of InfluxDB's ``neldermead`` package
with the error function clamping and rewriting the vertex it is given, the
runs from the same 16 starting points (8 without a season). numba compiles
it to machine code without fast-math, so every addition and product
rounds as in Go and the fitted parameters match the server's bits
(tests/backends/test_duckdb_holt_winters.py compares them with the
interpreted port's; the conformance tests with influxd's).

``compiled_fit()`` gives the compiled fit, or None when numba is missing
(``pip install 'influxpy-orm[numba]'`` installs it) or ``ENABLED`` is
False; the engine then runs the interpreted port. numba is imported and
the code compiled on the first HOLT_WINTERS of a process, not before; the
machine code is cached beside this module (or in numba's user-wide cache
when that directory is read-only), so only the first process after an
upgrade pays for compiling it (a few seconds), the others for loading it.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from influxpy.backends.duckdb.functions.technical import divide as _divide

__all__ = ["ENABLED", "compiled_fit"]

#: Whether ``compiled_fit()`` may give the compiled fit (tests turn it off
#: to run the interpreted port beside it).
ENABLED = True

_log = logging.getLogger("influxpy.engine")
_lock = threading.Lock()
_built: list[Callable[[list[float], int, list[float]], list[float]] | None] = []


def _go_pow(x: float, y: int) -> float:
    """Go's ``math.Pow`` for a whole exponent (repeated squaring of the
    mantissa), as ``holt_winters._go_pow``."""
    if y == 0 or x == 1.0:
        return 1.0
    if y == 1:
        return x
    if math.isnan(x):
        return math.nan
    if x == 0.0 or math.isinf(x):
        return x**y
    result = 1.0
    exponent = 0
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
        result = 1.0 / result
        exponent = -exponent
    if exponent > 1100:  # past the largest float, as Go's Ldexp answers
        return math.copysign(math.inf, result)
    return math.ldexp(result, exponent)


def _forecast(y: Any, seasonal: bool, params: Any, h: int, out: Any) -> None:
    """``FloatHoltWintersReducer.forecast``: clamps and rewrites *params*
    in place, as the Go slice is, and fills *out* (``len(y) + h``)."""
    for i in range(4):
        if params[i] > 1.0:
            params[i] = 1.0
        if params[i] < 0.0:
            params[i] = 0.0
    y_t = y[0]
    alpha = params[0]
    beta = params[1]
    gamma = params[2]
    phi = params[3]
    phi_h = phi
    l_t = params[4]
    b_t = params[5]
    m = 0
    so = 0
    if seasonal:
        m = len(params) - 6
        if m == 1:
            params[6] = 1.0
        so = m - 1
    out[0] = y_t
    stm = 1.0
    stmh = 1.0
    for t in range(1, len(y) + h):
        if seasonal:
            hm = t % m
            stm = params[6 + (t - m + so) % m]
            stmh = params[6 + (t - m + hm + so) % m]
        l_p = l_t
        l_t = alpha * _divide(y_t, stm) + (1.0 - alpha) * (l_p + phi * b_t)
        b_next = beta * (l_t - l_p) + (1.0 - beta) * phi * b_t
        s_t = gamma * _divide(y_t, l_p + phi * b_t) + (1.0 - gamma) * stm
        b_t = b_next
        y_t = (l_t + phi_h * b_t) * stmh
        phi_h += _go_pow(phi, t)
        if seasonal:
            params[6 + (t + so) % m] = s_t
            so += 1
        out[t] = y_t


def _sse(y: Any, seasonal: bool, params: Any, work: Any) -> float:
    """The squared error of the fit through *params* (rewritten in place)."""
    _forecast(y, seasonal, params, 0, work)
    total = 0.0
    for i in range(len(y)):
        if not math.isnan(y[i]):
            if math.isnan(work[i]):
                return math.inf
            diff = work[i] - y[i]
            total += diff * diff
    return total


def _nelder_mead(y: Any, seasonal: bool, start: Any, work: Any) -> Any:
    """InfluxDB's ``neldermead.Optimize(sse, start, 1e-4, 1)``: the error
    and the vertex it ends on, in ``result[0]`` and ``result[1:]``."""
    epsilon = 1.0e-4
    scale = 1.0
    n = len(start)
    v = np.empty((n + 1, n))
    f = np.empty(n + 1)
    pn = (
        scale * (math.sqrt(float(n + 1)) - 1.0 + float(n)) / (float(n) * math.sqrt(2.0))
    )
    qn = scale * (math.sqrt(float(n + 1)) - 1.0) / (float(n) * math.sqrt(2.0))
    for j in range(n):
        v[0, j] = start[j]
    for i in range(1, n + 1):
        for j in range(n):
            v[i, j] = (pn if i - 1 == j else qn) + start[j]
    for j in range(n + 1):
        f[j] = _sse(y, seasonal, v[j], work)
    vm = np.empty(n)
    vr = np.empty(n)
    ve = np.empty(n)
    vc = np.empty(n)
    for _iteration in range(1000):
        vg = 0
        vs = 0
        for i in range(n + 1):
            if f[i] > f[vg]:
                vg = i
            if f[i] < f[vs]:
                vs = i
        vh = vs
        for i in range(n + 1):
            if f[vh] < f[i] and f[i] < f[vg]:
                vh = i
        for i in range(n):
            cent = 0.0
            for m in range(n + 1):
                if m != vg:
                    cent += v[m, i]
            vm[i] = cent / float(n)
        for i in range(n):
            vr[i] = vm[i] + 1.0 * (vm[i] - v[vg, i])
        fr = _sse(y, seasonal, vr, work)
        if f[vs] <= fr and fr < f[vh]:
            v[vg, :] = vr
            f[vg] = fr
        if fr < f[vs]:
            for i in range(n):
                ve[i] = vm[i] + 2.0 * (vr[i] - vm[i])
            fe = _sse(y, seasonal, ve, work)
            if fe < fr:
                v[vg, :] = ve
                f[vg] = fe
            else:
                v[vg, :] = vr
                f[vg] = fr
        if fr >= f[vh]:
            if f[vh] <= fr and fr < f[vg]:
                for i in range(n):
                    vc[i] = vm[i] + 0.5 * (vr[i] - vm[i])
            else:
                for i in range(n):
                    vc[i] = vm[i] - 0.5 * (vm[i] - v[vg, i])
            fc = _sse(y, seasonal, vc, work)
            if fc < f[vg]:
                v[vg, :] = vc
                f[vg] = fc
            else:
                for row in range(n + 1):
                    if row != vs:
                        for i in range(n):
                            v[row, i] = v[vs, i] + (v[row, i] - v[vs, i]) / 2.0
                f[vg] = _sse(y, seasonal, v[vg], work)
                f[vh] = _sse(y, seasonal, v[vh], work)
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
    # The vertex as it was before this last evaluation rewrites it.
    result = np.empty(n + 1)
    result[1:] = v[vs]
    result[0] = _sse(y, seasonal, v[vs], work)
    return result


def _fit(y: Any, season: int, parameters: Any) -> Any:
    """The best of the server's Nelder-Mead runs (the first of equals)."""
    seasonal = season >= 2
    guesses = (0.3, 0.7)
    work = np.empty(len(y))
    start = parameters.copy()
    best = parameters.copy()
    min_sse = math.inf
    found = False
    for alpha in guesses:
        for beta in guesses:
            for gamma in guesses:
                if not seasonal and gamma != 0.3:
                    # The fit never reads gamma without a season: the run
                    # from 0.7 repeats its twin's path and error.
                    continue
                for phi in guesses:
                    start[:] = parameters
                    start[0] = alpha
                    start[1] = beta
                    start[2] = gamma
                    start[3] = phi
                    result = _nelder_mead(y, seasonal, start, work)
                    if result[0] < min_sse or not found:
                        min_sse = result[0]
                        best[:] = result[1:]
                        found = True
    return best


def compiled_fit() -> Callable[[list[float], int, list[float]], list[float]] | None:
    """The compiled fit, ``fit(y, season, parameters) -> parameters`` (the
    best run's parameters, as ``holt_winters.fit``), or None."""
    if not ENABLED:
        return None
    if not _built:
        with _lock:
            if not _built:
                _built.append(_build())
    return _built[0]


def _build() -> Callable[[list[float], int, list[float]], list[float]] | None:
    try:
        import numba
    except ImportError:
        return None

    names = ("_divide", "_go_pow", "_forecast", "_sse", "_nelder_mead", "_fit")
    module = globals()
    interpreted = {name: module[name] for name in names}
    run = None
    # With nowhere to cache the machine code (no writable directory), numba
    # refuses cache=True: compile it for this process alone.
    for cache in (True, False):
        try:
            jit = numba.njit(cache=cache, error_model="numpy", fastmath=False)
            # Each function calls the others by their global names: the
            # compiled ones replace them, then a first fit compiles them all.
            compiled = {name: jit(interpreted[name]) for name in names}
            module.update(compiled)
            run = compiled["_fit"]
            run(
                np.array([1.0, 2.0, 3.0]),
                2,
                np.array([0.3, 0.3, 0.3, 0.3, 1.0, 1.0, 1.0, 1.0]),
            )
            break
        except Exception as exc:  # any failure leaves the interpreted fit
            module.update(interpreted)
            run = None
            if not cache:
                _log.warning(
                    "HOLT_WINTERS runs interpreted: numba could not compile "
                    "its fit (%s: %s).",
                    type(exc).__name__,
                    exc,
                )
    if run is None:
        return None

    def fit(y: list[float], season: int, parameters: list[float]) -> list[float]:
        found = run(
            np.asarray(y, dtype=np.float64),
            season,
            np.asarray(parameters, dtype=np.float64),
        )
        return [float(x) for x in found]

    return fit
