"""The engine's HOLT_WINTERS helpers against the server's step-by-step
arithmetic (the forecasts themselves are compared with influxd in
tests/conformance/test_technical.py and test_quirks.py)."""

from __future__ import annotations

import random
import struct

import pytest

from influxpy.backends.duckdb.functions.holt_winters import _damped_sums, _go_pow


def _bits(values: list[float]) -> list[bytes]:
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
