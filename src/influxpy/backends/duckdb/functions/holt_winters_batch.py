"""HOLT_WINTERS' fit for many Nelder-Mead runs at once, in numpy.

Where numba is installed, ``holt_winters_many`` fits each series with the
compiled port (``holt_winters_compiled.py``) instead, some 20 times faster
than the interpreted one; what follows is the way without it.

The server fits each series with 16 Nelder-Mead runs (8 without a season:
the runs that differ only in gamma, which a fit without a season never
reads, take the same path). Every run is a chain of Holt-Winters passes,
one after another, each a chain of steps over the windows, so nothing
inside a run can go wide without changing the server's rounding. The runs
themselves are independent: this module steps all of them (of every
series of a query that has the same number of windows and season) in
lockstep, one numpy operation per arithmetic operation of a step for all
the runs together. Each numpy operation is the IEEE operation Go makes, in
the same order, so every run ends on the same bits as the scalar port in
``holt_winters.py`` (tests/backends/test_duckdb_holt_winters.py compares
them).

A step of the optimiser evaluates the reflected vertex of every run that
is still going, then the expanded or contracted one of the runs that need
one (with the vertices a shrink would move, where the runs are few), then
the vertices a shrink moves: three passes at most, each over the runs that
need it. The last few runs finish one after another in the scalar port.
The sign of a NaN may differ from the scalar port's (the processor's 0/0
against Python's ``nan``); nothing reads it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from influxpy.backends.duckdb.functions.holt_winters import (
    _go_pow,
    _HoltWinters,
    fit,
    iterate,
    output,
    prepare,
    starts,
)
from influxpy.backends.duckdb.functions.holt_winters_compiled import compiled_fit

__all__ = [
    "BATCH_RUNS",
    "fit_many",
    "holt_winters_many",
]

#: From how many Nelder-Mead runs of the same length a query's series are
#: fitted together, with a season and without (a pass without a season has
#: fewer operations, and its scalar runs cost less): below it, numpy's cost
#: per operation outweighs the width.
BATCH_RUNS = {True: 32, False: 48}

_Array = Any  # numpy arrays (the project does not type numpy's shapes)


def _powers(phi: _Array, count: int) -> _Array:
    """Go's ``math.Pow(phi, t)`` for t in 1..count-1 (row t) for each *phi*.

    Go multiplies the squared mantissas of the set bits of *t* in ascending
    order; the power for *t* is the power for *t* without its highest bit
    times that bit's squared mantissa, one multiplication per step for all
    the runs at once. The passes add them up to the damped-trend sums
    ``phiH`` step by step, as the server does.
    """
    width = phi.shape[0]
    powers = np.empty((count, width))
    powers[0] = phi
    if count == 1:
        return powers
    levels = (count - 1).bit_length()
    mantissas = np.empty((levels, width))
    exponents = np.empty((levels, width))
    mantissa, exponent = np.frexp(phi)
    mantissas[0] = mantissa
    exponents[0] = exponent
    for level in range(1, levels):
        mantissa = mantissas[level]
        exponent = exponents[level]
        np.multiply(mantissas[level - 1], mantissas[level - 1], out=mantissa)
        np.add(exponents[level - 1], exponents[level - 1], out=exponent)
        small = mantissa < 0.5
        mantissa *= small + 1.0
        exponent -= small
    # Between 0 and 1 the exponents only fall: the last one says whether
    # Go kept squaring to the end.
    ok = (phi > 0.0) & (phi < 1.0) & (exponents[-1] >= -(1 << 12))
    a1 = np.empty((count, width))
    ae = np.empty((count, width))
    a1[0] = 1.0
    ae[0] = 0.0
    for level in range(levels):
        low, high = 1 << level, min(2 << level, count)
        np.multiply(a1[0 : high - low], mantissas[level], out=a1[low:high])
        np.add(ae[0 : high - low], exponents[level], out=ae[low:high])
    with np.errstate(over="ignore", under="ignore"):
        np.ldexp(a1[1:], ae[1:].astype(np.int32), out=powers[1:])
    if not ok.all():
        # Go's Pow(1, t) is 1 and Pow(+0, t) is +0.
        one = phi == 1.0
        zero = (phi == 0.0) & ~np.signbit(phi)
        powers[1:, one] = 1.0
        powers[1:, zero] = 0.0
        odd = ~(ok | one | zero)
        # NaN, -0 and powers so small that Go stops squaring.
        for column in np.flatnonzero(odd):
            x = float(phi[column])
            powers[1:, column] = [_go_pow(x, t) for t in range(1, count)]
    return powers


def _clamp(params: _Array) -> None:
    """The server's constrain(): the first four parameters into [0, 1]."""
    head = params[:, :4]
    head[head > 1] = 1.0
    head[head < 0] = 0.0


class _Passes:
    """Holt-Winters passes (the server's ``forecast`` with h = 0) over the
    windows *y* (shape (T, S), one column per series) for any set of
    vertices, each naming its series."""

    def __init__(self, y: _Array, season: int) -> None:
        self.y = y
        self.count = y.shape[0]
        self.m = season
        self.seasonal = season >= 2
        self.missing = np.isnan(y)
        self.complete = not self.missing.any()
        steps = np.arange(self.count)
        if self.seasonal:
            # The server's season offset at step t is m - 1 + (t - 1).
            self.read = ((2 * steps - 2) % season).tolist()
            self.read_h = ((2 * steps - 2 + steps % season) % season).tolist()

    def errors(self, params: _Array, series: _Array) -> _Array:
        """The sum of squared errors of each vertex (a row of *params*,
        changed in place as the server changes its slice)."""
        _clamp(params)
        width = params.shape[0]
        y = self.y[:, series]
        count = self.count
        forecast = np.empty((count, width))
        forecast[0] = y[0]
        # Contiguous copies: a column of params is a strided view.
        alpha, beta, gamma, phi = (np.ascontiguousarray(params[:, k]) for k in range(4))
        level = params[:, 4].copy()
        trend = params[:, 5].copy()
        powers = _powers(phi, count)
        oma = 1 - alpha
        omb_phi = (1 - beta) * phi
        with np.errstate(all="ignore"):
            if self.seasonal:
                params[:, 6:] = self._seasonal(
                    (alpha, gamma),
                    (oma, 1 - gamma),
                    (phi, beta, omb_phi),
                    params[:, 6:].T,
                    forecast,
                    level,
                    trend,
                    powers,
                ).T
            else:
                scratch = np.empty(width)
                diff = np.empty(width)
                damped = phi.copy()  # phiH: phi, then + Pow(phi, t) a step
                for t in range(1, count):
                    if t > 1:
                        damped += powers[t - 1]
                    np.multiply(phi, trend, out=scratch)
                    scratch += level
                    scratch *= oma
                    np.multiply(alpha, forecast[t - 1], out=diff)
                    diff += scratch
                    # diff is the new level; scratch becomes l_t - l_(t-1)
                    np.subtract(diff, level, out=scratch)
                    scratch *= beta
                    trend *= omb_phi
                    trend += scratch
                    level, diff = diff, level
                    row = forecast[t]
                    np.multiply(damped, trend, out=row)
                    row += level
            return self._sse(forecast, y, series)

    def _seasonal(
        self,
        weights: tuple[_Array, _Array],
        complements: tuple[_Array, _Array],
        damping: tuple[_Array, _Array, _Array],
        seasons: _Array,
        forecast: _Array,
        level: _Array,
        trend: _Array,
        powers: _Array,
    ) -> _Array:
        """The steps with a season; returns the seasons (m, W) the server
        leaves in its parameters.

        The level and the season of a step are two sums of the same shape,
        ``alpha * y/s + (1 - alpha) * smoothed`` and ``gamma * y/smoothed +
        (1 - gamma) * s``: they run as the two rows of one array.
        """
        phi, beta, omb_phi = damping
        width = level.shape[0]
        seasons = seasons.copy()  # (m, W): a row per season
        gains = np.stack(weights)  # alpha, gamma
        keeps = np.stack(complements)  # 1 - alpha, 1 - gamma
        pair = np.empty((2, width))  # s_(t-m), smoothed
        swapped = pair[::-1]
        ratios = np.empty((2, width))
        sums2 = [np.empty((2, width)), np.empty((2, width))]
        scratch = np.empty(width)
        previous_level = level
        damped = phi.copy()  # phiH: phi, then + Pow(phi, t) a step
        read, read_h = self.read, self.read_h
        for t in range(1, self.count):
            if t > 1:
                damped += powers[t - 1]
            previous = forecast[t - 1]
            stm = seasons[read[t]]
            pair[0] = stm
            smoothed = pair[1]
            np.multiply(phi, trend, out=smoothed)
            smoothed += previous_level  # l_p + phi * b_t
            np.divide(previous, pair, out=ratios)  # y/s, y/smoothed
            ratios *= gains
            new = sums2[t & 1]
            np.multiply(keeps, swapped, out=new)
            new += ratios  # new level, new season
            level = new[0]
            # b_t: beta * (l_t - l_p) + (1 - beta) * phi * b_(t-1)
            np.subtract(level, previous_level, out=scratch)
            scratch *= beta
            trend *= omb_phi
            trend += scratch
            row = forecast[t]
            np.multiply(damped, trend, out=row)
            row += level
            row *= seasons[read_h[t]]
            stm[:] = new[1]
            previous_level = level
        return seasons

    def _sse(self, forecast: _Array, y: _Array, series: _Array) -> _Array:
        """The server's error: the squares summed in time order over the
        windows with data; +Inf if a forecast there is NaN."""
        diff = forecast - y
        diff *= diff
        if not self.complete:
            missing = self.missing[:, series]
            diff[missing] = 0.0
            broken = (np.isnan(forecast) & ~missing).any(axis=0)
        else:
            broken = np.isnan(forecast).any(axis=0)
        total = _in_order(diff)
        total[broken] = math.inf
        return total


#: From how few runs still going on the batched fit makes them one after
#: another.
_ALONE = 6

#: Up to how many runs in a step's second pass the vertices a shrink
#: would evaluate are evaluated with it.
_SPECULATE = 256


def _in_order(rows: _Array) -> _Array:
    """The sum of the rows of a C-ordered array, one row after another, as
    Go's loops add (never pairwise)."""
    if rows.shape[1] >= 16:
        # Along the slow axis numpy adds row after row; a single column it
        # would add pairwise, so narrow arrays take the slower cumsum.
        return np.add.reduce(rows, axis=0)
    return np.cumsum(rows, axis=0)[-1]


def _first_max_below(f: _Array, vg: _Array, vs: _Array) -> _Array:
    """The server's ``vh``: from ``vs``, each later error between the one
    held and the worst's; the first of the largest below the worst."""
    rows = np.arange(f.shape[0])
    worst = f[rows, vg]
    below = np.where(f < worst[:, None], f, -math.inf)
    vh = np.argmax(below, axis=1)
    return np.where(below[rows, vh] > f[rows, vs], vh, vs)


def fit_many(
    y: _Array, season: int, starts: _Array, series: _Array
) -> tuple[_Array, _Array]:
    """Run the server's Nelder-Mead from each row of *starts* over the
    windows of its series (*series*: column of *y*), all at once.

    Returns each run's final error and parameters, as ``_nelder_mead`` in
    ``holt_winters.py`` does for one run.
    """
    with np.errstate(all="ignore"):  # Go's arithmetic: Inf and NaN, silently
        return _fit_many(y, season, starts, series)


def _fit_many(
    y: _Array, season: int, starts: _Array, series: _Array
) -> tuple[_Array, _Array]:
    passes = _Passes(y, season)
    runs, n = starts.shape
    nf = float(n)
    epsilon = 1.0e-4
    pn = (math.sqrt(float(n + 1)) - 1 + nf) / (nf * math.sqrt(2))
    qn = (math.sqrt(float(n + 1)) - 1) / (nf * math.sqrt(2))
    offsets = np.full((n + 1, n), qn)
    offsets[0] = 0.0
    offsets[np.arange(1, n + 1), np.arange(n)] = pn
    v = offsets[None, :, :] + starts[:, None, :]
    v[:, 0] = starts
    flat = v.reshape(runs * (n + 1), n)
    f = passes.errors(flat, np.repeat(series, n + 1)).reshape(runs, n + 1)
    v = flat.reshape(runs, n + 1, n)
    final_v = np.empty((runs, n + 1, n))
    final_f = np.empty((runs, n + 1))
    ids = np.arange(runs)
    own = np.asarray(series)
    alone: dict[int, tuple[float, list[float]]] = {}
    for iteration in range(1000):
        if ids.size <= _ALONE:
            # A few runs go on one after another: a pass over a few costs
            # as much as over many.
            models: dict[int, _HoltWinters] = {}
            for k, run in enumerate(ids.tolist()):
                column = int(own[k])
                if column not in models:
                    models[column] = _HoltWinters(y[:, column].tolist(), season)
                alone[run] = iterate(
                    models[column].sse,
                    v[k].tolist(),
                    f[k].tolist(),
                    1000 - iteration,
                    epsilon,
                )
            ids, v, f = ids[:0], v[:0], f[:0]
            break
        _step(passes, v, f, own, nf)
        across = f.T.copy()  # a row per vertex, to add them in order
        favg = _in_order(across) / float(n + 1)
        across -= favg
        across *= across
        across /= nf
        done = np.sqrt(_in_order(across)) < epsilon
        if done.any():
            final_v[ids[done]] = v[done]
            final_f[ids[done]] = f[done]
            keep = ~done
            ids, v, f, own = ids[keep], v[keep], f[keep], own[keep]
    final_v[ids] = v
    final_f[ids] = f
    batched = np.setdiff1d(np.arange(runs), np.fromiter(alone, dtype=np.int64))
    vs = np.argmin(final_f[batched], axis=1)
    parameters = np.empty((runs, n))
    parameters[batched] = final_v[batched, vs]
    best = parameters[batched].copy()
    errors = np.empty(runs)
    errors[batched] = passes.errors(best, np.asarray(series)[batched])
    for run, (error, params) in alone.items():
        errors[run] = error
        parameters[run] = params
    return errors, parameters


def _step(passes: _Passes, v: _Array, f: _Array, series: _Array, nf: float) -> None:
    """One iteration of the simplex of every run (*v*, *f* change)."""
    runs, points, n = v.shape
    rows = np.arange(runs)
    vg = np.argmax(f, axis=1)
    vs = np.argmin(f, axis=1)
    vh = _first_max_below(f, vg, vs)
    # The centroid: every vertex but the worst, added in order from 0.0 (a
    # sum from +0.0 is never -0.0, so adding 0.0 for the worst changes no
    # bit; and + 0.0 turns the sum of -0.0s into Go's +0.0).
    others = v.transpose(1, 0, 2).copy()
    others[vg, rows] = 0.0
    cent = _in_order(others.reshape(points, runs * n)).reshape(runs, n) + 0.0
    vm = cent / nf
    worst = v[rows, vg]
    vr = vm + 1.0 * (vm - worst)
    fr = passes.errors(vr, series)
    f_vs, f_vh, f_vg = f[rows, vs], f[rows, vh], f[rows, vg]
    accept = (f_vs <= fr) & (fr < f_vh)
    v[rows[accept], vg[accept]] = vr[accept]
    f[rows[accept], vg[accept]] = fr[accept]
    expand = fr < f_vs
    contract = fr >= f_vh
    second = np.flatnonzero(expand | contract)
    if not second.size:
        return
    outside = (f_vh <= fr) & (fr < f_vg)
    vm2, vr2, worst2 = vm[second], vr[second], worst[second]
    toward = np.where(
        (expand[second])[:, None],
        vm2 + 2.0 * (vr2 - vm2),
        np.where(
            outside[second][:, None],
            vm2 + 0.5 * (vr2 - vm2),
            vm2 - 0.5 * (vm2 - worst2),
        ),
    )
    is_expand = expand[second]
    # Where few runs go on, the vertices a shrink would evaluate ride along
    # (a pass costs about the same for a few more): they do not depend on
    # the contraction's error.
    guess = second[~is_expand] if second.size <= _SPECULATE else second[:0]
    guess = guess[vh[guess] != vg[guess]]
    count = second.size
    if guess.size:
        best = v[guess, vs[guess]]
        halfway_g = best + (v[guess, vg[guess]] - best) / 2.0
        at_best = (vh[guess] == vs[guess])[:, None]
        halfway_h = np.where(at_best, best, best + (v[guess, vh[guess]] - best) / 2.0)
        toward = np.concatenate([toward, halfway_g, halfway_h])
        owners = np.concatenate([series[second], series[guess], series[guess]])
        errors = passes.errors(toward, owners)
        fs = errors[:count]
    else:
        fs = passes.errors(toward, series[second])
    fr2 = fr[second]
    take_e = is_expand & (fs < fr2)
    take_r = is_expand & ~(fs < fr2)
    take_c = ~is_expand & (fs < f_vg[second])
    shrink = ~is_expand & ~(fs < f_vg[second])
    for mask, new_v, new_f in (
        (take_e, toward, fs),
        (take_r, vr2, fr2),
        (take_c, toward, fs),
    ):
        at = second[mask]
        v[at, vg[at]] = new_v[:count][mask]
        f[at, vg[at]] = new_f[mask]
    at = second[shrink]
    if not at.size:
        return
    if guess.size:
        slot = np.full(runs, -1)
        slot[guess] = np.arange(guess.size)
        done = at[slot[at] >= 0]
        if done.size:
            k = slot[done]
            _halve(v, done, vs[done])
            v[done, vg[done]] = toward[count + k]
            f[done, vg[done]] = errors[count + k]
            k = k + guess.size
            v[done, vh[done]] = toward[count + k]
            f[done, vh[done]] = errors[count + k]
        at = at[slot[at] < 0]
        if not at.size:
            return
    _shrink(passes, v, f, series, at, vs[at], vg[at], vh[at])


def _halve(v: _Array, at: _Array, vs: _Array) -> None:
    """Every vertex of the runs *at* but the best halfway to the best."""
    moved = v[at]
    rows = np.arange(at.size)
    best = moved[rows, vs]
    moved -= best[:, None, :]
    moved /= 2.0
    moved += best[:, None, :]
    moved[rows, vs] = best  # (the best itself stays, Inf or not)
    v[at] = moved


def _shrink(
    passes: _Passes,
    v: _Array,
    f: _Array,
    series: _Array,
    at: _Array,
    vs: _Array,
    vg: _Array,
    vh: _Array,
) -> None:
    """Every vertex but the best halfway to it; then the server evaluates
    the worst and the second worst again (and only those)."""
    _halve(v, at, vs)
    twice = vh == vg
    if not twice.any():
        both = np.concatenate([v[at, vg], v[at, vh]])
        errors = passes.errors(both, np.concatenate([series[at], series[at]]))
        half = at.size
        v[at, vg] = both[:half]
        f[at, vg] = errors[:half]
        v[at, vh] = both[half:]
        f[at, vh] = errors[half:]
        return
    for column in (vg, vh):
        vertices = v[at, column]
        f[at, column] = passes.errors(vertices, series[at])
        v[at, column] = vertices


def holt_winters_many(
    series: list[tuple[list[int], list[float]]],
    h: int,
    season: int,
    with_fit: bool,
    interval: int,
) -> list[list[dict[str, Any]]]:
    """HOLT_WINTERS[_WITH_FIT] over each series' windows (times and values
    in time order): the answers of ``holt_winters()`` for each, with the
    runs of all series of the same length fitted together (one after
    another where they are too few to gain from it)."""
    answers: list[list[dict[str, Any]]] = [[] for _ in series]
    groups: dict[int, list[tuple[int, list[float], list[float]]]] = {}
    for index, (times, values) in enumerate(series):
        prepared = prepare(times, values, h, season, interval)
        if prepared is not None:
            y, parameters = prepared
            groups.setdefault(len(y), []).append((index, y, parameters))
    compiled = compiled_fit()
    for members in groups.values():
        vertices = [starts(parameters, season) for _, _, parameters in members]
        per_series = len(vertices[0])
        if compiled is not None:
            fitted = [compiled(y, season, parameters) for _, y, parameters in members]
        elif per_series * len(members) < BATCH_RUNS[season >= 2]:
            fitted = [fit(y, season, parameters) for _, y, parameters in members]
        else:
            errors, found = fit_many(
                np.array([y for _, y, _ in members], dtype=np.float64).T,
                season,
                np.array([row for rows in vertices for row in rows], dtype=np.float64),
                np.repeat(np.arange(len(members)), per_series),
            )
            fitted = []
            for k in range(len(members)):
                own = errors[k * per_series : (k + 1) * per_series]
                fitted.append(found[k * per_series + int(np.argmin(own))].tolist())
        for (index, y, _), best in zip(members, fitted, strict=True):
            forecasted = _HoltWinters(y, season).forecast(h, best)
            times = series[index][0]
            answers[index] = output(times, y, forecasted, with_fit, interval)
    return answers
