"""Outer transformations of windows over a subquery of a raw DIFFERENCE or
DERIVATIVE: how far back the inner call reads.

The outer statement maps the shards from the lower bound minus its extra
intervals (1 for each transformation, CUMULATIVE_SUM too, or N for
MOVING_AVERAGE(…, N)); each outer level of
transformation moves the outer start back one window, and the inner
call, which takes the outer windows, moves it back one more, as far as
those shards reach. The outer windows then read the inner rows from there,
so a window before the range can answer a row. Each test runs on the
server and on the engine (``conn``) and expects the server's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._common import S

#: v = k² every 10 s, and a spike at 65 s.
POINTS = [
    *(f"m v={float(k * k)} {10 * k * S}" for k in range(12)),
    f"m v=100 {65 * S}",
]
MOVING = "moving_average(mean(d), {n})"
OVER = (
    "SELECT {call} FROM (SELECT {inner}(v) AS d FROM m{where}) "
    "WHERE time >= {lower} AND time < {upper} GROUP BY time(30s){more}"
)


def answer(
    conn: str,
    call: str,
    inner: str,
    lower: str,
    more: str = "",
    upper: str = "180s",
    where: str = "",
) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(POINTS)
    text = OVER.format(
        call=call, inner=inner, lower=lower, upper=upper, more=more, where=where
    )
    (result,) = list(backend.statements(text))
    assert result.error is None, result.error
    return [[r[0] // S, *r[1:]] for s in result.series for r in s.values]


CASES = [
    # Two extra intervals: the inner DIFFERENCE reads from 0 s, and the
    # moving average of the windows at 0 s and 30 s is answered at 30 s.
    (MOVING.format(n=2), "difference", "60s", "", [[30, 4.5], [60, 8.375]]),
    (MOVING.format(n=2), "difference", "61s", "", [[30, 5.0], [60, 8.375]]),
    (MOVING.format(n=2), "difference", "90s", "", [[60, 8.875], [90, 14.375]]),
    (MOVING.format(n=3), "difference", "60s", "", [[60, 6.25], [90, 71.5 / 6]]),
    (MOVING.format(n=2), "difference", "60s", " fill(0)", [[30, 4.5], [60, 8.375]]),
    # A derivative without a unit is per outer interval (30 s).
    (MOVING.format(n=2), "derivative", "60s", "", [[30, 13.5], [60, 30.0]]),
    # One extra interval: the inner call reads from the window before.
    ("derivative(mean(d))", "difference", "60s", "", [[60, 1.75], [90, 9.25]]),
    # CUMULATIVE_SUM reads no point before: no earlier row.
    (MOVING.format(n=2), "cumulative_sum", "60s", "", [[60, 114.75], [90, 344.25]]),
    # An outer CUMULATIVE_SUM reads no window before the range itself, but
    # maps the shards one interval earlier, so the inner call reads from
    # there and the window before the range is answered.
    ("cumulative_sum(mean(d))", "difference", "60s", "", [[30, 8], [60, 17.75]]),
    ("cumulative_sum(max(d))", "derivative", "61s", "", [[30, 27], [60, 411]]),
]


@pytest.mark.parametrize(("call", "inner", "lower", "more", "expected"), CASES)
def test_outer_transformation_over_a_raw_difference_reads_back(
    conn: str, call: str, inner: str, lower: str, more: str, expected: Any
) -> None:
    values = answer(conn, call, inner, lower, more)
    assert [r[0] for r in values[: len(expected)]] == [r[0] for r in expected]
    assert [r[1] for r in values[: len(expected)]] == pytest.approx(
        [r[1] for r in expected]
    )


@pytest.mark.parametrize(
    ("n", "upper", "expected"),
    [
        (2, "61s", [[60, -15.625], [30, -10.125], [0, -6.0]]),
        (3, "61s", [[30, -161 / 12], [0, -7.75]]),
        # The window after the range (60 s) is answered too, as the window
        # before the range in ascending order.
        (2, "60s", [[60, -15.625], [30, -10.125], [0, -6.0]]),
        (3, "60s", [[30, -161 / 12], [0, -7.75]]),
    ],
)
def test_descending_outer_transformation_over_a_raw_difference_reads_on(
    conn: str, n: int, upper: str, expected: Any
) -> None:
    """In descending order the inner DIFFERENCE reads past the upper bound
    as far as the extra intervals: the window holding the bound is whole,
    and the rows past the range are read by the outer windows."""
    call = MOVING.format(n=n)
    values = answer(conn, call, "difference", "0s", " ORDER BY time DESC", upper)
    assert [r[0] for r in values] == [r[0] for r in expected]
    assert [r[1] for r in values] == pytest.approx([r[1] for r in expected])


@pytest.mark.parametrize(
    ("call", "where", "expected"),
    [
        # A plain aggregate maps no shard before the range: the inner call
        # moves its own start (75 s) back a window, to 45 s, and reads from
        # the range's start (60 s).
        ("mean(d)", " WHERE time >= 75s", [[60, 28 / 3], [90, 19], [120, None]]),
        ("cumulative_sum(mean(d))", " WHERE time >= 75s", [[60, 9.75], [90, 28.75]]),
        # The outer DERIVATIVE moves the outer start to 30 s; the inner
        # query starts at its own 95 s, which the inner call moves to 65 s.
        ("derivative(mean(d))", " WHERE time >= 95s", [[90, 37]]),
        (
            "moving_average(mean(d), 2)",
            " WHERE time >= 65s",
            [[60, 9.375], [90, 14.375]],
        ),
    ],
)
def test_inner_start_moves_back_with_the_inner_call(
    conn: str, call: str, where: str, expected: Any
) -> None:
    """The inner WHERE's time range only says where the subquery starts:
    an inner DIFFERENCE under outer windows reads a window before it, as
    far as the outer statement's shards reach."""
    values = answer(conn, call, "difference", "60s", where=where)
    assert [r[0] for r in values[: len(expected)]] == [r[0] for r in expected]
    assert [r[1] for r in values[: len(expected)]] == pytest.approx(
        [r[1] for r in expected]
    )
