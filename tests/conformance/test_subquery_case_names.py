"""A subquery's columns whose names differ only in case are two columns.

``SELECT X FROM (SELECT v AS x, v * 2 AS X FROM cpu)`` reads ``X`` on
influxd; DuckDB matches names ignoring case, so the engine's subquery
table had one name for both and read ``x`` there: a wrong answer, with no
error. The later name is now a column of its own (``case_column``), found
by its key. Each statement runs on influxd and on the engine and expects
the same answer.
"""

from __future__ import annotations

import pytest

from conformance._common import text_answers

LINES = [
    "cpu,host=a v=1 10",
    "cpu,host=a v=2 20",
    "cpu,host=b v=5 10",
    "cpu,host=b v=7 30",
    "mem,host=a free=3 10",
]
PAIR = "(SELECT v AS x, v * 2 AS X FROM cpu)"
STATEMENTS = [
    f"SELECT X FROM {PAIR}",
    f"SELECT x FROM {PAIR}",
    f"SELECT * FROM {PAIR}",
    f"SELECT X, x FROM {PAIR} ORDER BY time DESC",
    f"SELECT X FROM {PAIR} WHERE X > 3",
    f"SELECT x FROM {PAIR} WHERE X > 3",
    f"SELECT max(X), min(x) FROM {PAIR}",
    f"SELECT mean(X) FROM {PAIR} GROUP BY host",
    f"SELECT X FROM (SELECT x, X FROM {PAIR})",
    f"SELECT top(X, 2) FROM {PAIR}",
    f"SELECT distinct(X) FROM {PAIR}",
    f"SELECT percentile(X, 50) FROM {PAIR}",
    f"SELECT X::field, x::float FROM {PAIR}",
    f"SELECT max(*) FROM {PAIR}",
    f"SELECT /X/ FROM {PAIR}",
    f"SELECT X, free FROM {PAIR}, mem",
    (
        "SELECT difference(X) FROM (SELECT v AS x, v * 2 AS X FROM cpu GROUP BY host) "
        "GROUP BY host"
    ),
    "SELECT HOST FROM (SELECT max(v) AS HOST FROM cpu GROUP BY host)",
    "SELECT host, HOST FROM (SELECT max(v) AS HOST FROM cpu GROUP BY host)",
    "SELECT count(HOST) FROM (SELECT max(v) AS HOST FROM cpu GROUP BY host)",
    "SELECT M FROM (SELECT mean(v) AS m, max(v) AS M FROM cpu)",
    (
        "SELECT mean(m), max(M) FROM (SELECT mean(v) AS m, max(v) AS M FROM cpu "
        "GROUP BY time(10ns), host) WHERE time >= 0 AND time < 40 GROUP BY time(20ns)"
    ),
    "SELECT V FROM (SELECT v, v * 3 AS V FROM cpu)",
    "SELECT Free FROM (SELECT free, free * 2 AS Free FROM mem)",
]


@pytest.mark.parametrize("text", STATEMENTS)
def test_names_differing_in_case_are_two_columns(
    both: tuple[str, str], text: str
) -> None:
    server, engine = text_answers(both, "case_names", LINES, text, epoch="ns")
    assert engine == server
