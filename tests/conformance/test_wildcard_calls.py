"""``*`` and ``/re/`` as the argument of a call inside another call, and in
arithmetic, as influxd 1.6.7 rewrites or refuses them.

``abs(max(*))`` is ``abs(max(f))`` for each field ``f`` the inner call
takes, named ``abs_<f>`` (or ``<alias>_<f>``); a wildcard call in
arithmetic (``max(*) + 1``) and a bare ``*`` in arithmetic fail with the
server's texts. Each test runs on the server and on the engine (``conn``)
and expects the server's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import stored

POINTS = ['m,host=a v=1,n=2i,s="x" 1', "m,host=b v=3,n=4i 2", "m,host=a v=-5,n=1i 3"]


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


def answer(backend: Any, text: str) -> Any:
    (result,) = list(backend.statements(text))
    if result.error is not None:
        return result.error
    return [(s.columns, [list(v) for v in s.values]) for s in result.series]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT abs(max(*)) FROM m", [(["time", "abs_n", "abs_v"], [[0, 4, 3.0]])]),
        (
            "SELECT derivative(max(*)) FROM m WHERE time < 10 GROUP BY time(1ns)",
            [
                (
                    ["time", "derivative_n", "derivative_v"],
                    [[2, 2.0, 2.0], [3, -3.0, -8.0]],
                )
            ],
        ),
        ("SELECT abs(min(/v/)) AS q FROM m", [(["time", "q_v"], [[3, 5.0]])]),
        (
            "SELECT cumulative_sum(sum(*)) FROM m WHERE time < 10 GROUP BY time(1ns)",
            [
                (
                    ["time", "cumulative_sum_n", "cumulative_sum_v"],
                    [[1, 2, 1.0], [2, 6, 4.0], [3, 7, -1.0]],
                )
            ],
        ),
        # COUNT takes text too: so does its wildcard under ABS.
        (
            "SELECT abs(count(*)) FROM m",
            [(["time", "abs_n", "abs_s", "abs_v"], [[0, 3, 1, 3]])],
        ),
    ],
)
def test_a_call_of_a_wildcard_call_is_one_per_field(
    store: Any, text: str, expected: Any
) -> None:
    assert answer(store, text) == expected


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("SELECT max(*) + 1 FROM m", "unsupported expression with wildcard: max()"),
        (
            "SELECT max(*) * min(*) FROM m",
            "unsupported expression with wildcard: max()",
        ),
        (
            "SELECT count(*) + count(v) FROM m",
            "unsupported expression with wildcard: count()",
        ),
        (
            "SELECT 2 * count(/n/) FROM m",
            "unsupported expression with regex field: count()",
        ),
        ("SELECT * + 1 FROM m", "unable to use wildcard in a binary expression"),
        ("SELECT v + * FROM m", "unable to use wildcard in a binary expression"),
    ],
)
def test_a_wildcard_in_arithmetic_is_refused_with_the_servers_text(
    store: Any, text: str, error: str
) -> None:
    assert answer(store, text) == error
