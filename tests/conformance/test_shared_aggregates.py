"""Several aggregates of one SELECT over the same rows: the engine computes
them in one ``GROUP BY`` (``compilers/duckdb/shared.py``) and answers as
InfluxDB 1.6.7 does, windows, groups, fills and HAVING-like drops included.
"""

from __future__ import annotations

import uuid

import pytest

import influxpy

#: Three hosts in two regions; b has no point in the second 10 s window and
#: a field ``w`` only some points carry.
A = list(enumerate([1.5, 7.25, 3.0, 9.5, 2.0, 4.75]))
B = [(0, 8.0), (2, 1.25), (21, 6.5)]
C = [(1, 5.5), (12, 0.5), (25, 3.25)]
LINES = [
    *(f"m,host=a,region=r1 v={v},w={v * 2} {t * 10**9}" for t, v in A),
    *(f"m,host=b,region=r1 v={v} {t * 10**9}" for t, v in B),
    *(f"m,host=c,region=r2 v={v},w={v} {t * 10**9}" for t, v in C),
]


def _answer(alias: str, text: str) -> list[object]:
    backend = influxpy.get_connection(alias)
    database = f"shared_{uuid.uuid4().hex[:8]}"
    backend.create_database(database)
    try:
        backend.write_lines(LINES, database=database)
        results = backend.query(text, database=database, epoch="s")
        return [(result.tags, result.points) for result in results]
    finally:
        backend.drop_database(database)


WINDOW = "WHERE time >= 0s AND time < 30s GROUP BY time(10s)"


@pytest.mark.parametrize(
    "text",
    [
        "SELECT mean(v), max(v), min(v), count(v), spread(v) FROM m",
        f"SELECT max(v), min(v), count(v), spread(v), stddev(v) FROM m {WINDOW}",
        f"SELECT max(v), count(v), min(v) FROM m {WINDOW}, host",
        f"SELECT max(v), count(v), count(w), max(w) FROM m {WINDOW}, host fill(0)",
        f"SELECT count(v), max(v), median(v) FROM m {WINDOW}, region fill(none)",
        f"SELECT sum(v), mean(v), max(v) - min(v), count(v) * 2 FROM m {WINDOW}, host",
        f"SELECT max(v), min(v) FROM m {WINDOW}, host fill(linear)",
        "SELECT first(v), last(v), max(v), min(v) FROM m GROUP BY host",
        f"SELECT mean(v), mean(w), sum(w), max(w) FROM m {WINDOW}, host",
        f"SELECT mean(v), mean(w), sum(v) FROM m {WINDOW}",
        "SELECT mean(v), sum(w) FROM m",
        f"SELECT sum(v), mean(w) FROM m {WINDOW} ORDER BY time DESC",
        f"SELECT mean(v), mean(w) FROM m {WINDOW}, region fill(none)",
        f"SELECT count(v), max(v) FROM m {WINDOW} ORDER BY time DESC LIMIT 2",
        (
            "SELECT max(max), min(max), count(min) FROM "
            f"(SELECT max(v), min(v) FROM m {WINDOW}, host) GROUP BY host"
        ),
        (
            "SELECT max(max), min(max) FROM "
            f"(SELECT max(v), min(v) FROM m {WINDOW}) {WINDOW}"
        ),
    ],
)
def test_several_aggregates_answer_as_the_server(
    both: tuple[str, str], text: str
) -> None:
    server, engine = (_answer(alias, text) for alias in both)
    assert engine == server
