"""The math functions of InfluxDB's InfluxQL, bit for bit, over numpy arrays.

influxd computes ``sin(v)``, ``log2(v)``, ``pow(v, 3.14)`` and the others
with Go's ``math`` package, whose algorithms are not C's: the same point
can differ in its last bit (``log10(7.5)`` is 0.8750612633917001 in C and
0.8750612633917 in Go). These are the same algorithms, step by step in
float64 (numpy runs each operation apart, with no fused multiply-add, as
Go's compiler does on amd64), so the engine answers what influxd answers:

- sin, cos, tan (Cephes polynomials after a reduction by pi/4 in three
  parts), asin, acos, atan, atan2 (Cephes' rational approximation);
- ln, log2, log10 and log(x, b) (the algorithm of Go's assembly ``Log``,
  FreeBSD's ``e_log.c``);
- exp (Shibata's method, as Go's assembly runs it on a CPU with fused
  multiply-add, which every x86-64 CPU since 2013 has; the fused steps
  are emulated exactly) and pow (``exp`` of the exponent's fraction times
  ``log(x)``, then repeated squaring for its whole part).

sin, cos and tan past 2**29 radians are C's (Go reduces those with
Payne-Hanek, which is not reproduced here).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np

__all__ = ["GO_MATH", "go_math"]

Array = Any

# Go's math constants, as const.go writes them; Go computes an expression
# of constants exactly and rounds the result once.
_PI = Fraction("3.14159265358979323846264338327950288419716939937510582097494459")
_LN2 = Fraction("0.693147180559945309417232121458176568075500134360255254120680009")
_LN10 = Fraction("2.30258509299404568401799145468436420760110148862877297603332790")
PI = float(_PI)
_PI_2 = float(_PI / 2)
_PI_4 = float(_PI / 4)
_FOUR_OVER_PI = float(4 / _PI)
_INV_LN2 = float(1 / _LN2)
_INV_LN10 = float(1 / _LN10)

# Pi/4 in three parts, for the reduction of sin, cos and tan.
_PI4A = 7.85398125648498535156e-1
_PI4B = 3.77489470793079817668e-8
_PI4C = 2.69515142907905952645e-15
_REDUCE_LIMIT = float(1 << 29)
_SIN = (
    1.58962301576546568060e-10,
    -2.50507477628578072866e-8,
    2.75573136213857245213e-6,
    -1.98412698295895385996e-4,
    8.33333333332211858878e-3,
    -1.66666666666666307295e-1,
)
_COS = (
    -1.13585365213876817300e-11,
    2.08757008419747316778e-9,
    -2.75573141792967388112e-7,
    2.48015872888517045348e-5,
    -1.38888888888730564116e-3,
    4.16666666666665929218e-2,
)
_TAN_P = (
    -1.30936939181383777646e4,
    1.15351664838587416140e6,
    -1.79565251976484877988e7,
)
_TAN_Q = (
    1.0,
    1.36812963470692954678e4,
    -1.32089234440210967447e6,
    2.50083801823357915839e7,
    -5.38695755929454629881e7,
)
_ATAN_P = (
    -8.750608600031904122785e-01,
    -1.615753718733365076637e01,
    -7.500855792314704667340e01,
    -1.228866684490136173410e02,
    -6.485021904942025371773e01,
)
_ATAN_Q = (
    1.0,
    2.485846490142306297962e01,
    1.650270098316988542046e02,
    4.328810604912902668951e02,
    4.853903996359136964868e02,
    1.945506571482613964425e02,
)
_MOREBITS = 6.123233995736765886130e-17
_TAN3PIO8 = 2.41421356237309504880
# Log: ln 2 in two parts and the polynomial of e_log.c.
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_L = (
    6.666666666666735130e-01,
    3.999999999940941908e-01,
    2.857142874366239149e-01,
    2.222219843214978396e-01,
    1.818357216161805012e-01,
    1.531383769920937332e-01,
    1.479819860511658591e-01,
)
_HALF_SQRT2 = 7.07106781186547524401e-01
# Exp: ln 2 in two parts and the Taylor series of its assembly.
_LOG2E = 1.4426950408889634073599246810018920
_LN2U = 0.69314718055966295651160180568695068359375
_LN2L = 0.28235290563031577122588448175013436025525412068e-12
_EXP_OVERFLOW = 7.09782712893384e02
_EXP_TAYLOR = (
    2.4801587301587301587e-5,
    1.9841269841269841270e-4,
    1.3888888888888888889e-3,
    8.3333333333333333333e-3,
    4.1666666666666666667e-2,
    1.6666666666666666667e-1,
    0.5,
    1.0,
)


def _two_sum(a: Array, b: Array) -> tuple[Array, Array]:
    """``a + b`` rounded, and its exact error."""
    total = a + b
    part = total - a
    return total, (a - (total - part)) + (b - part)


def _split(a: Array) -> tuple[Array, Array]:
    """*a* as two halves of 26 bits (Dekker's split)."""
    scaled = 134217729.0 * a  # 2**27 + 1
    high = scaled - (scaled - a)
    return high, a - high


def _two_product(
    a: Array, b: Array, b_halves: tuple[Array, Array] | None = None
) -> tuple[Array, Array]:
    """``a * b`` rounded, and its exact error (*b_halves*: ``_split(b)``,
    when *b* is split already)."""
    product = a * b
    ah, al = _split(a)
    bh, bl = _split(b) if b_halves is None else b_halves
    return product, ((ah * bh - product) + ah * bl + al * bh) + al * bl


def _fma(
    a: Array, b: Array, c: Array, b_halves: tuple[Array, Array] | None = None
) -> Array:
    """``a * b + c`` rounded once, as the CPU's fused multiply-add rounds
    it (Boldo and Melquiond's emulation: the low parts are added rounding
    to odd, so the last rounding is the only one)."""
    high, low = _two_product(a, b, b_halves)
    top, rest = _two_sum(c, high)
    total, error = _two_sum(rest, low)
    inexact = (error != 0) & ((total.view(np.int64) & 1) == 0)
    if inexact.any():
        toward = np.where(error > 0, np.inf, -np.inf)
        total = np.where(inexact, np.nextafter(total, toward), total)
    return top + total


def _horner(x: Array, coefficients: tuple[float, ...]) -> Array:
    """``((c0*x + c1)*x + c2)...``, each step rounded as Go rounds it
    (a leading 1.0 makes the first step ``x + c1``, exactly)."""
    acc = coefficients[0]
    for coefficient in coefficients[1:]:
        acc = acc * x + coefficient
    return acc


def _reduced(x: Array) -> tuple[Array, Array]:
    """The octant ``j`` and the remainder ``z`` of ``x / (pi/4)`` for
    0 <= x < 2**29, odd octants moved up to the next."""
    j = (x * _FOUR_OVER_PI).astype(np.uint64)
    y = j.astype(np.float64)
    odd = (j & np.uint64(1)) == 1
    j = j + odd.astype(np.uint64)
    y = y + odd
    z = ((x - y * _PI4A) - y * _PI4B) - y * _PI4C
    return j, z


def _sin_poly(z: Array, zz: Array) -> Array:
    return z + z * zz * _horner(zz, _SIN)


def _cos_poly(zz: Array) -> Array:
    return 1.0 - 0.5 * zz + zz * zz * _horner(zz, _COS)


def _trig(x: Array, which: str) -> Array:
    x = np.asarray(x, dtype=np.float64)
    negative = x < 0
    ax = np.abs(x)
    usable = np.isfinite(ax) & (ax < _REDUCE_LIMIT)
    safe = np.where(usable, ax, 0.0)
    j, z = _reduced(safe)
    zz = z * z
    if which == "tan":
        big = zz > 1e-14
        numerator = zz * _horner(zz, _TAN_P)
        denominator = _horner(zz, _TAN_Q)
        y = np.where(big, z + z * (numerator / denominator), z)
        y = np.where((j & np.uint64(2)) == 2, -1 / y, y)
        sign = negative
    else:
        j = j & np.uint64(7)
        over = j > 3
        j = np.where(over, j - np.uint64(4), j)
        if which == "sin":
            sign = negative ^ over
            use_cos = (j == 1) | (j == 2)
        else:
            sign = over ^ (j > 1)
            use_cos = ~((j == 1) | (j == 2))
        y = np.where(use_cos, _cos_poly(zz), _sin_poly(z, zz))
    y = np.where(sign, -y, y)
    if not usable.all():
        fallback = {"sin": np.sin, "cos": np.cos, "tan": np.tan}[which]
        y = np.where(usable, y, fallback(x))
    if which != "cos":
        # sin and tan keep a zero's sign.
        y = np.where(x == 0, x, y)
    return y


def _xatan(x: Array) -> Array:
    z = x * x
    z = z * _horner(z, _ATAN_P) / _horner(z, _ATAN_Q)
    return x * z + x


def _satan(x: Array) -> Array:
    """atan of x >= 0."""
    small = x <= 0.66
    large = x > _TAN3PIO8
    inverse = np.where(large, 1 / np.where(large, x, 1.0), 0.0)
    middle = (x - 1) / (x + 1)
    return np.where(
        small,
        _xatan(x),
        np.where(
            large,
            _PI_2 - _xatan(inverse) + _MOREBITS,
            _PI_4 + _xatan(middle) + 0.5 * _MOREBITS,
        ),
    )


def atan(x: Array) -> Array:
    """Go's ``math.Atan``."""
    x = np.asarray(x, dtype=np.float64)
    y = np.where(x > 0, _satan(np.abs(x)), -_satan(np.abs(x)))
    return np.where(x == 0, x, y)


def asin(x: Array) -> Array:
    """Go's ``math.Asin``."""
    x = np.asarray(x, dtype=np.float64)
    ax = np.abs(x)
    inside = ax <= 1
    a = np.where(inside, ax, 0.5)
    temp = np.sqrt(1 - a * a)
    high = a > 0.7
    y = np.where(
        high,
        _PI_2 - _satan(temp / np.where(high, a, 1.0)),
        _satan(a / np.where(high, 1.0, temp)),
    )
    y = np.where(x < 0, -y, y)
    y = np.where(inside, y, np.nan)
    return np.where(x == 0, x, y)


def acos(x: Array) -> Array:
    """Go's ``math.Acos``."""
    return _PI_2 - asin(x)


def atan2(y: Array, x: Array) -> Array:
    """Go's ``math.Atan2``."""
    y = np.asarray(y, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    q = atan(y / np.where(x == 0, 1.0, x))
    general = np.where(x < 0, np.where(q <= 0, q + PI, q - PI), q)
    positive_x = (x >= 0) & ~np.signbit(x)
    y_zero = np.where(positive_x, np.copysign(0.0, y), np.copysign(PI, y))
    x_inf = np.where(
        np.isposinf(x),
        np.where(np.isinf(y), np.copysign(_PI_4, y), np.copysign(0.0, y)),
        np.where(np.isinf(y), np.copysign(float(3 * _PI / 4), y), np.copysign(PI, y)),
    )
    return np.select(
        [np.isnan(y) | np.isnan(x), y == 0, x == 0, np.isinf(x), np.isinf(y)],
        [np.nan, y_zero, np.copysign(_PI_2, y), x_inf, np.copysign(_PI_2, y)],
        general,
    )


def ln(x: Array) -> Array:
    """Go's ``math.Log`` (its amd64 assembly)."""
    x = np.asarray(x, dtype=np.float64)
    bits = x.view(np.uint64)
    mantissa = bits & np.uint64(0x000FFFFFFFFFFFFF)
    f1 = (mantissa | np.uint64(0x3FE0000000000000)).view(np.float64)
    k = ((bits >> np.uint64(52)) & np.uint64(0x7FF)).astype(np.int64) - 0x3FE
    k = k.astype(np.float64)
    low = f1 <= _HALF_SQRT2
    k = k - low
    f1 = f1 * (1.0 + low)
    f = f1 - 1
    s = f / (2 + f)
    s2 = s * s
    s4 = s2 * s2
    t1 = s2 * (_L[0] + s4 * (_L[2] + s4 * (_L[4] + s4 * _L[6])))
    t2 = s4 * (_L[1] + s4 * (_L[3] + s4 * _L[5]))
    r = t1 + t2
    hfsq = 0.5 * f * f
    y = k * _LN2_HI - ((hfsq - (s * (hfsq + r) + k * _LN2_LO)) - f)
    return np.select(
        [x == 0, x < 0, np.isnan(x) | np.isposinf(x)], [-np.inf, np.nan, x], y
    )


def log2(x: Array) -> Array:
    """Go's ``math.Log2``."""
    x = np.asarray(x, dtype=np.float64)
    frac, exp = np.frexp(x)
    y = np.where(frac == 0.5, exp - 1.0, ln(frac) * _INV_LN2 + exp)
    return np.where(np.isfinite(x) & (x > 0), y, ln(x))


def log10(x: Array) -> Array:
    """Go's ``math.Log10``."""
    return ln(x) * _INV_LN10


def log(x: Array, base: Array) -> Array:
    """influxd's ``log(x, b)``: ``Log(x) / Log(b)``."""
    return ln(x) / ln(base)


def pow(x: Array, y: Array) -> Array:
    """Go's ``math.Pow``: ``exp(yf * log(x))`` for the fraction of the
    exponent, repeated squaring for its whole part."""
    x, y = np.broadcast_arrays(
        np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    )
    special = (y == 0) | (x == 1) | (y == 1) | (x == 0) | (np.abs(y) == 0.5)
    special |= ~np.isfinite(x) | ~np.isfinite(y)
    yi = np.trunc(np.abs(y))
    yf = np.abs(y) - yi
    general = ~special & ~((yf != 0) & (x < 0)) & (yi < 2.0**63)
    xs = np.where(general, x, 2.0)
    up = yf > 0.5
    yf = np.where(up, yf - 1, yf)
    yi = np.where(up, yi + 1, yi)
    fraction = yf != 0
    a1 = np.where(fraction, exp(yf * ln(np.where(fraction, xs, 1.0))), 1.0)
    ae = np.zeros(x.shape, dtype=np.int64)
    x1, xe = np.frexp(xs)
    xe = xe.astype(np.int64)
    i = np.where(general, yi, 0).astype(np.int64)
    while np.any(i != 0):
        runaway = (i != 0) & ((xe < -(1 << 12)) | (xe > (1 << 12)))
        ae = np.where(runaway, ae + xe, ae)
        i = np.where(runaway, 0, i)
        step = (i & 1) == 1
        a1 = np.where(step, a1 * x1, a1)
        ae = np.where(step, ae + xe, ae)
        going = i != 0
        x1 = np.where(going, x1 * x1, x1)
        xe = np.where(going, xe << 1, xe)
        small = going & (x1 < 0.5)
        x1 = np.where(small, x1 + x1, x1)
        xe = np.where(small, xe - 1, xe)
        i = i >> 1
    negative = y < 0
    a1 = np.where(negative, 1 / a1, a1)
    ae = np.clip(np.where(negative, -ae, ae), -4000, 4000)
    # Go's Ldexp rounds once, as C's does.
    result = np.ldexp(a1, ae.astype(np.int32))
    return np.where(general, result, _pow_special(x, y))


def _pow_special(x: Array, y: Array) -> Array:
    """Go's special cases of ``Pow``, which C's agree with, and ``y`` of
    one half (Go's square root)."""
    root = np.sqrt(x)
    return np.where(np.abs(y) == 0.5, np.where(y > 0, root, 1 / root), np.power(x, y))


def exp(x: Array) -> Array:
    """Go's ``math.Exp`` on amd64 with FMA (Shibata's method, its assembly's
    fused path; influxd on a CPU without FMA rounds some points otherwise)."""
    x = np.asarray(x, dtype=np.float64)
    finite = np.isfinite(x) & (x <= _EXP_OVERFLOW)
    safe = np.where(finite, x, 0.0)
    k = np.rint(_LOG2E * safe)
    r = _fma(-k, _LN2U, safe)
    r = _fma(-k, _LN2L, r)
    r = r * 0.0625
    halves = _split(r)
    acc = np.full_like(r, _EXP_TAYLOR[0])
    for coefficient in _EXP_TAYLOR[1:]:
        acc = _fma(acc, r, coefficient, halves)
    r = r * acc
    for _ in range(3):
        r = r * (r + 2.0)
    r = _fma(r + 2.0, r, 1.0)
    biased = k.astype(np.int64) + 0x3FF
    low = biased <= 0
    scale = np.where(low, biased + 0x3FE, np.clip(biased, 1, 0x7FE))
    r = r * (scale.astype(np.int64) << 52).view(np.float64)
    r = np.where(low, r * 2.0**-1022, r)
    r = np.where(low & (biased < -52), 0.0, r)
    r = np.where(biased >= 0x7FF, np.inf, r)
    return np.select(
        [np.isneginf(x), np.isnan(x), x > _EXP_OVERFLOW], [0.0, x, np.inf], r
    )


def sin(x: Array) -> Array:
    """Go's ``math.Sin``."""
    return _trig(x, "sin")


def cos(x: Array) -> Array:
    """Go's ``math.Cos``."""
    return _trig(x, "cos")


def tan(x: Array) -> Array:
    """Go's ``math.Tan``."""
    return _trig(x, "tan")


#: InfluxQL's math functions computed as Go computes them, by name.
GO_MATH: dict[str, Callable[..., Array]] = {
    "sin": sin,
    "cos": cos,
    "tan": tan,
    "asin": asin,
    "acos": acos,
    "exp": exp,
    "atan": atan,
    "atan2": atan2,
    "ln": ln,
    "log2": log2,
    "log10": log10,
    "log": log,
    "pow": pow,
}


def go_math(name: str, *args: float) -> float:
    """One value of the math function *name*, as Go computes it."""
    with np.errstate(all="ignore"):
        return float(GO_MATH[name](*(np.float64(a) for a in args)))
