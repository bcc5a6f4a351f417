"""TOP and BOTTOM over all the rows, read past a bound drawn from a sample.

The engine reads only the rows valued at least the ``N``-th greatest of a
sample of the query's rows (at most for BOTTOM; ``compilers/duckdb/
top_bound.py``). The sample only decides how many rows the top-n pass
reads: with every row, none, or a random part of them sampled, the
answers are influxd's. The values repeat (ties at the bound), integers
and floats, and conditions on tags, fields and time narrow the rows.
"""

from __future__ import annotations

import pytest

from conformance._common import text_answers
from influxpy.compilers.duckdb import top_bound

#: 3,000 points of three hosts: ``v`` takes 1,500 float values (each twice),
#: ``n`` 1,000 integers (negative ones too, each three times), ``k`` 20;
#: ``w`` is missing from every fourth point.
LINES = [
    f"m,host=h{t % 3} v={(t * 7919) % 1500 / 4},n={(t * 104729) % 1000 - 500}i"
    f",k={(t * 31) % 20}i" + (f",w={t % 17}" if t % 4 else "") + f" {1_000 + t * 10}"
    for t in range(3_000)
]

QUERIES = [
    "SELECT top(v, 5) FROM m",
    "SELECT bottom(v, 5) FROM m",
    "SELECT top(n, 7) FROM m",
    "SELECT bottom(n, 3) FROM m",
    "SELECT top(v, 1) FROM m",
    "SELECT top(v, 200) FROM m",
    "SELECT top(v, 5), host, n FROM m",
    "SELECT top(v, 4) FROM m WHERE host = 'h1'",
    "SELECT top(v, 6) FROM m WHERE w > 10",
    "SELECT bottom(n, 6) FROM m WHERE w < 3 AND host <> 'h2'",
    "SELECT top(v, 5) FROM m WHERE time >= 5000 AND time < 12000",
    "SELECT bottom(v, 5) FROM m ORDER BY time DESC",
    "SELECT top(v, 3), n FROM m WHERE n > 5 ORDER BY time DESC",
    "SELECT top(w, 8) FROM m",
    "SELECT top(k, 9) FROM m",
    "SELECT bottom(k, 4) FROM m WHERE host = 'h2'",
]


@pytest.fixture(
    params=["100% (system)", "0% (system)", "30% (bernoulli)", "2% (bernoulli)"]
)
def sample(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The sample the bound is drawn from: every row, none, or some."""
    monkeypatch.setattr(top_bound, "SAMPLE", request.param)
    return str(request.param)


@pytest.mark.parametrize("text", QUERIES)
def test_the_bound_keeps_every_point_picked(
    both: tuple[str, str], sample: str, text: str
) -> None:
    answers = text_answers(both, "top_bound", LINES, text, epoch="ns")
    assert answers[0], text
    assert answers[1] == answers[0]
