"""CUMULATIVE_SUM of floats to the last bit, as influxd adds them.

influxd's reducer adds each point to a running total (``total += v``) in
the order it reads them; DuckDB's windowed ``sum`` rounds otherwise on
long series (the engine's totals differed in the last bits from about the
fiftieth point). The engine now runs the total in read order
(``influxpy_running_sum``). Each case runs on influxd and on the engine
and expects the same rows, exactly.
"""

from __future__ import annotations

import random

import pytest

from conformance._common import S, text_answers

_RANDOM = random.Random(4)
LINES = [
    f"m,host=a v={_RANDOM.random() * 100:.6f},n={t % 7}i {t * S}" for t in range(2000)
]
RANGE = "WHERE time >= 0 AND time < 2000s"


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT cumulative_sum(v) FROM m {RANGE}",
        f"SELECT cumulative_sum(v) FROM m {RANGE} ORDER BY time DESC",
        f"SELECT cumulative_sum(mean(v)) FROM m {RANGE} GROUP BY time(10s)",
        f"SELECT cumulative_sum(v) FROM m {RANGE} LIMIT 100 OFFSET 1500",
        f"SELECT cumulative_sum(n) FROM m {RANGE}",
        f"SELECT cumulative_sum(v) FROM (SELECT v FROM m) {RANGE}",
    ],
)
def test_running_totals_to_the_last_bit(both: tuple[str, str], text: str) -> None:
    server, engine = text_answers(both, "cumsum_exact", LINES, text, epoch="ns")
    assert engine == server
    assert engine
    assert engine[0][1]
