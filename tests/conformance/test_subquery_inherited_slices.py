"""LIMIT/OFFSET of a subquery of SAMPLE or DISTINCT that takes the outer
query's windows, as influxd 1.6.7 answers.

An inner query of calls without GROUP BY time() takes the windows of the
outer query (``newIteratorOptionsSubstatement``). Its multi-row calls then
stream window by window, and when the outer query does not group by the
inner tags, LIMIT and OFFSET count the points of each run of one inner
series in that stream, not the points of a whole series. The engine sliced
each inner series whole when the windows were inherited rather than the
inner query's own (found by the differential test: ``mean`` beside
``sample`` under ``GROUP BY * LIMIT 1``). Each statement runs on influxd
and on the engine and expects the same answer.
"""

from __future__ import annotations

import pytest

from conformance._common import HOSTS_DCS, stored_answer

LINES = HOSTS_DCS
SAMPLE = "SELECT sample(v, 10) AS s FROM m GROUP BY host"
PAIRED = "SELECT mean(v) AS x, sample(v, 40) AS s FROM m GROUP BY *"
#: (outer calls, inner query, outer GROUP BY and ORDER BY).
CASES = [
    ("count(s)", f"{SAMPLE} LIMIT 1", "time(40ns)"),
    ("count(s)", f"{SAMPLE} LIMIT 1 OFFSET 1", "time(40ns)"),
    ("sum(s)", f"{SAMPLE} LIMIT 2", "time(40ns)"),
    ("sum(s)", "SELECT sample(v, 10) AS s FROM m GROUP BY * LIMIT 2", "time(40ns), dc"),
    ("sum(s)", f"{SAMPLE} LIMIT 1", "time(40ns) ORDER BY time DESC"),
    ("sum(s)", f"{SAMPLE} LIMIT 1", "time(40ns), host"),
    ("sum(s)", "SELECT distinct(v) AS s FROM m GROUP BY host LIMIT 1", "time(40ns)"),
    (
        "sum(s), sum(x)",
        "SELECT sample(v, 10) AS s, max(v) AS x FROM m GROUP BY host LIMIT 1",
        "time(40ns)",
    ),
    (
        "sum(s), sum(x)",
        "SELECT sample(v, 10) AS s, mean(v) AS x FROM m GROUP BY host LIMIT 2 OFFSET 1",
        "time(40ns)",
    ),
    ("count(x)", f"{PAIRED} LIMIT 1", "time(40ns)"),
    ("count(x)", f"{PAIRED} LIMIT 1 OFFSET 1", "time(40ns)"),
    # Through a raw SELECT: the windows reach the calls two levels down.
    ("max(s)", f"SELECT s FROM ({SAMPLE} LIMIT 1)", "time(40ns)"),
]
STATEMENTS = [
    f"SELECT {calls} FROM ({inner}) WHERE time >= 0 AND time < 130 GROUP BY {rest}"
    for calls, inner, rest in CASES
]


@pytest.mark.parametrize("text", STATEMENTS)
def test_inherited_windows_slice_runs_of_a_series(
    both: tuple[str, str], text: str
) -> None:
    server, engine = (
        stored_answer(alias, "inherited_slices", LINES, text) for alias in both
    )
    assert engine == server
