"""The engine's HOLT_WINTERS helpers against the server's step-by-step
arithmetic (the forecasts themselves are compared with influxd in
tests/conformance/test_technical.py and test_quirks.py)."""

from __future__ import annotations

import math
import random
import struct

import numpy as np
import pytest

from influxpy.backends.duckdb.functions.holt_winters import (
    _damped_sums,
    _go_pow,
    _HoltWinters,
    _nelder_mead,
    fit,
    prepare,
    starts,
)
from influxpy.backends.duckdb.functions.holt_winters_arrow import (
    holt_winters_all_arrow,
    holt_winters_arrow,
)
from influxpy.backends.duckdb.functions.holt_winters_batch import fit_many
from influxpy.backends.duckdb.functions.holt_winters_compiled import compiled_fit


def _bits(values: list[float]) -> list[bytes]:
    """The bytes of each float: NaN equals NaN, -0.0 differs from 0.0."""
    return [struct.pack("<d", v) for v in values]


def _step_by_step(phi: float, count: int) -> list[float]:
    """``phiH`` as the server's forecast loop grows it, one Pow per step."""
    sums = [phi]
    for t in range(1, count):
        sums.append(sums[-1] + _go_pow(phi, t))
    return sums


@pytest.mark.parametrize(
    "phi",
    [0.0, -0.0, 1.0, 0.5, 0.3, 0.7, 0.999999999999, 1e-3, 1e-40, 1e-300, 5e-324],
)
@pytest.mark.parametrize("count", [1, 2, 3, 31, 64, 65, 700])
def test_damped_sums_match_go_pow_bit_for_bit(phi: float, count: int) -> None:
    """Including powers so small that Go stops squaring (1e-3 ** 512)."""
    assert _bits(_damped_sums(phi, count)) == _bits(_step_by_step(phi, count))


def test_damped_sums_of_random_damping_factors() -> None:
    rng = random.Random(14)
    for _ in range(300):
        phi = rng.random() ** rng.choice([1, 5, 60])
        count = rng.randint(1, 300)
        assert _bits(_damped_sums(phi, count)) == _bits(_step_by_step(phi, count))


def _same(values: list[float]) -> list[bytes | None]:
    """The bits of each float, any NaN as None: the sign of a NaN (Python's
    ``nan`` or the processor's 0/0) changes no result."""
    return [None if math.isnan(v) else struct.pack("<d", v) for v in values]


def _random_windows(rng: random.Random, count: int) -> list[float]:
    """Windows of a noisy level: some missing (NaN), some zero, some flat."""
    shape = rng.choice(["noisy", "flat", "zeros", "gaps"])
    y = [10 + 3 * math.sin(k / 2) + rng.random() for k in range(count)]
    if shape == "flat":
        y = [5.0] * count
    elif shape == "zeros":
        y = [0.0 if rng.random() < 0.4 else value for value in y]
    elif shape == "gaps":
        y = [
            math.nan if 0 < k < count - 1 and rng.random() < 0.3 else value
            for k, value in enumerate(y)
        ]
    return y


@pytest.mark.parametrize("season", [0, 1, 2, 3, 4])
def test_batched_runs_end_on_the_scalar_runs_bits(season: int) -> None:
    """Every Nelder-Mead run of the batched fit ends on the error and the
    parameters of the same run made alone, bit for bit, for series of
    several lengths with gaps, zeros (a season divides by them) and flat
    stretches."""
    rng = random.Random(season)
    for count in [3, 6, 9]:
        if count < season:
            continue
        windows = [_random_windows(rng, count) for _ in range(2)]
        vertices, owners, solo = [], [], []
        for index, y in enumerate(windows):
            prepared = prepare(list(range(count)), list(y), 1, season, 1)
            assert prepared is not None
            y, parameters = prepared
            model = _HoltWinters(y, season)
            for start in starts(parameters, season):
                vertices.append(start)
                owners.append(index)
                solo.append(_nelder_mead(model.sse, list(start), 1.0e-4, 1))
        errors, found = fit_many(
            np.array(windows).T, season, np.array(vertices), np.array(owners)
        )
        assert _bits(errors.tolist()) == _bits([sse for sse, _ in solo])
        for row, (_, params) in zip(found.tolist(), solo, strict=True):
            assert _same(row) == _same(params)


@pytest.mark.parametrize("season", [0, 1, 2, 3, 4, 7])
def test_compiled_fit_ends_on_the_interpreted_fits_bits(season: int) -> None:
    """numba's machine code fits the same parameters, bit for bit, as the
    interpreted port, for series of several lengths with gaps, zeros (a
    season divides by them) and flat stretches. numba is a dev dependency:
    the suite runs the compiled fit (the interpreted one beside it)."""
    compiled = compiled_fit()
    assert compiled is not None, "numba is missing: pip install '.[dev]'"
    rng = random.Random(100 + season)
    for count in [2, 3, 8, 13, 30]:
        if count < season:
            continue
        for _ in range(2):
            y = _random_windows(rng, count)
            prepared = prepare(list(range(count)), list(y), 2, season, 1)
            assert prepared is not None
            windows, parameters = prepared
            expected = fit(windows, season, list(parameters))
            assert _same(compiled(windows, season, list(parameters))) == _same(expected)


def test_runs_from_either_gamma_take_one_path_without_a_season() -> None:
    """Without a season the fit never reads gamma, so the server's runs from
    gamma 0.3 and 0.7 end on the same error (the engine makes one)."""
    y = [10 + 3 * math.sin(k / 2) + (k % 3) for k in range(12)]
    model = _HoltWinters(y, 0)
    for alpha, beta, phi in [(0.3, 0.7, 0.3), (0.7, 0.3, 0.7)]:
        low = _nelder_mead(model.sse, [alpha, beta, 0.3, phi, 5.0, 0.5], 1e-4, 1)
        high = _nelder_mead(model.sse, [alpha, beta, 0.7, phi, 5.0, 0.5], 1e-4, 1)
        assert _bits([low[0]]) == _bits([high[0]])
        del low[1][2], high[1][2]
        assert _bits(low[1]) == _bits(high[1])


def test_every_series_in_one_call_gives_each_series_answer() -> None:
    """``influxpy_holt_winters_all`` (every series of a query in one row)
    answers each series as ``influxpy_holt_winters`` does one per row;
    a null row (no series) stays null."""
    import pyarrow as pa

    rng = random.Random(7)
    series = [
        (
            [k * 10 for k in range(length)],
            [10 + rng.random() * 3 + (k % 4) for k in range(length)],
        )
        for length in (12, 12, 12, 9, 3)
    ]
    one_each = holt_winters_arrow(
        pa.array([t for t, _ in series]),
        pa.array([v for _, v in series]),
        pa.array([3] * len(series)),
        pa.array([4] * len(series)),
        pa.array([True] * len(series)),
        pa.array([10] * len(series)),
    ).to_pylist()
    together = holt_winters_all_arrow(
        pa.array([[t for t, _ in series], None]),
        pa.array([[v for _, v in series], None]),
        pa.array([3, 3]),
        pa.array([4, 4]),
        pa.array([True, True]),
        pa.array([10, 10]),
    ).to_pylist()
    assert together == [one_each, None]
    assert one_each[0]
    assert not one_each[-1]


def _careful(model: _HoltWinters, params: list[float]) -> float:
    """The error of one pass through the loop that handles every case (a
    zero to divide by, a NaN forecast) and the error summed after it."""
    model._constrain(params)
    count = len(model.y)
    sums = _damped_sums(params[3], count)
    if model.seasonal:
        return model._run_seasonal(0, params, True, sums)[0]
    forecasted = model.run(0, params, False)[1]
    return model._error(forecasted)


@pytest.mark.parametrize("season", [0, 1, 2, 4])
def test_the_error_summed_in_the_loop_is_the_careful_loops(season: int) -> None:
    """Over windows without gaps the error is summed in the forecast loop;
    it ends on the bits of the careful loop, the seasons it leaves in the
    vertex too, also where a season or the smoothed level is zero (Go's
    division gives an infinity or NaN) and where a forecast turns NaN."""
    rng = random.Random(40 + season)
    for _ in range(200):
        count = rng.randint(max(season, 3), 14)
        y = [v for v in _random_windows(rng, count) if v == v] or [1.0, 2.0]
        if len(y) < max(season, 2):
            continue
        prepared = prepare(list(range(len(y))), y, 1, season, 1)
        assert prepared is not None
        y, start = prepared
        params = [rng.choice([0.0, 1.0, 0.5, rng.random() * 1.4 - 0.2]) for _ in "abcd"]
        params += start[4:]
        if rng.random() < 0.2:
            params[4 + rng.randrange(len(params) - 4)] = 0.0
        if rng.random() < 0.05:
            params[5] = math.inf
        fast, careful = list(params), list(params)
        error = _HoltWinters(y, season).sse(fast)
        assert _same([error]) == _same([_careful(_HoltWinters(y, season), careful)])
        assert _same(fast) == _same(careful)


def test_a_vertex_evaluated_again_leaves_what_its_first_pass_left() -> None:
    """The optimiser comes back to vertices it has evaluated: the fit keeps
    each one's error and the seasons its pass leaves in it, and gives them
    again, as a second pass would; a vertex holding a zero (0.0 and -0.0
    are one key) is always evaluated."""
    y = [10 + 3 * math.sin(k / 2) + (k % 3) for k in range(16)]
    prepared = prepare(list(range(16)), y, 1, 4, 1)
    assert prepared is not None
    y, start = prepared
    model = _HoltWinters(y, 4)
    vertex = [0.4, 0.2, 0.6, 0.8, *start[4:]]
    first, again = list(vertex), list(vertex)
    error = model.sse(first)
    assert _bits([model.sse(again)]) == _bits([error])
    assert _bits(again) == _bits(first)
    assert _bits([_careful(_HoltWinters(y, 4), vertex)]) == _bits([error])
    assert _bits(vertex) == _bits(first)
    assert (0.4, 0.2, 0.6, 0.8, *start[4:]) in model._known
    model.sse([0.4, 0.2, -0.0, 0.8, *start[4:]])
    assert not any(0.0 in key for key in model._known)
