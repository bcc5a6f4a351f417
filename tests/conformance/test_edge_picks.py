"""A bare FIRST or LAST over several series writing at one time, on both
backends, each case expecting InfluxDB 1.6.7's answer.

Without ``GROUP BY time`` influxd reads ``first(v)``/``last(v)`` of a
measurement through its sorted merge of the tag set's series (descending
for LAST), whose limit iterator passes the first two points, and its
reducer keeps the earlier (later) of them, of one time the larger value
(``false`` for FIRST of booleans), of equal values the one passed first.
Three series at one time thus answer the larger of the two the merge's
heap pops first (compilers/duckdb/edge_picks.py). The heap compares the
texts read beside the selector after the time, in the order of their
names, the smaller first (the larger for LAST), no further than a value
that is missing.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

import influxpy

S = 1_000_000_000
#: A week: points this far apart sit in different shard groups.
WEEK = 7 * 86_400 * S
T0 = 1_577_836_800 * S  # 2020-01-01T00:00:00Z


def _answer(alias: str, lines: list[str], text: str, database: str) -> Any:
    backend = influxpy.get_connection(alias)
    backend.create_database(database)
    try:
        backend.write_lines(lines, database=database)
        results = backend.query(text, database=database, epoch="ns")
        return [(result.tags, result.points) for result in results]
    finally:
        backend.drop_database(database)


THREE = [
    'm,host=a v=1,s="x1",b=true 10',
    'm,host=b v=8,s="x8",b=false 10',
    'm,host=c v=2,s="x2",b=true 10',
]


@pytest.mark.parametrize(
    ("lines", "text", "expected"),
    [
        # Two series at one time: both passed, the larger kept.
        (THREE[:2], "SELECT first(v) FROM m", [{"time": 10, "first": 8.0}]),
        (THREE[:2], "SELECT last(v) FROM m", [{"time": 10, "last": 8.0}]),
        # Three: the heap pops a, then c (descending: c, then a).
        (THREE, "SELECT first(v) FROM m", [{"time": 10, "first": 2.0}]),
        (THREE, "SELECT last(v) FROM m", [{"time": 10, "last": 2.0}]),
        (THREE, "SELECT first(s) FROM m", [{"time": 10, "first": "x2"}]),
        (THREE, "SELECT first(b) FROM m", [{"time": 10, "first": True}]),
        (
            THREE,
            "SELECT last(v), max(v) FROM m",
            [{"time": 0, "last": 2.0, "max": 8.0}],
        ),
        # Beside a tag: the heap pops the smaller hosts first (a, b); the
        # larger for LAST (c, b).
        (
            THREE,
            "SELECT first(v), host FROM m",
            [{"time": 10, "first": 8.0, "host": "b"}],
        ),
        (
            THREE,
            "SELECT last(v), host FROM m",
            [{"time": 10, "last": 8.0, "host": "b"}],
        ),
        # A series without the tag beside the selector compares equal to
        # every other (the heap decides): not as '' would.
        (
            ["m,dc=d0,host=h5 v=1 10", "m,host=h5 v=2 10", "m,dc=d1,host=h1 v=0 10"],
            "SELECT last(v), dc, host FROM m",
            [{"time": 10, "last": 2.0, "dc": None, "host": "h5"}],
        ),
        # Only the shard group holding the first point is read.
        (
            [*THREE, f"m,host=a v=9 {10 + WEEK}", f"m,host=d v=0 {10 + 2 * WEEK}"],
            "SELECT first(v) FROM m",
            [{"time": 10, "first": 2.0}],
        ),
    ],
)
def test_a_bare_first_or_last_keeps_the_larger_of_the_two_points_passed(
    conn: str, lines: list[str], text: str, expected: list[dict[str, Any]]
) -> None:
    assert _answer(conn, lines, text, "edge_picks") == [({}, expected)]


def _dataset(rnd: random.Random) -> list[str]:
    """Series sharing a few times in three shard groups: tags sometimes
    missing, fields sometimes absent, the same series written twice."""
    times = [
        T0 + rnd.choice([0, 1, 2, 5]) * S + rnd.choice([0, 0, WEEK, 2 * WEEK])
        for _ in range(6)
    ]
    lines = []
    for _ in range(rnd.randint(2, 9)):
        tags = []
        if rnd.random() < 0.9:
            tags.append(f"host=h{rnd.randint(0, 5)}")
        if rnd.random() < 0.5:
            tags.append(f"dc=d{rnd.randint(0, 1)}")
        key = "".join(["m", *(f",{t}" for t in sorted(tags))])
        for time in rnd.sample(times, rnd.randint(1, 4)):
            fields = []
            if rnd.random() < 0.9:
                fields.append(f"v={rnd.randint(0, 9)}")
            if rnd.random() < 0.5:
                fields.append(f's="s{rnd.randint(0, 3)}"')
            if rnd.random() < 0.4:
                fields.append(f"b={rnd.choice(['true', 'false'])}")
            if rnd.random() < 0.4:
                fields.append(f"i={rnd.randint(0, 3)}i")
            if fields:
                lines.append(f"{key} {','.join(fields)} {time}")
    return lines


QUERIES = [
    "SELECT first(v) FROM m",
    "SELECT last(v) FROM m",
    "SELECT first(s), last(s) FROM m",
    "SELECT last(b), first(b) FROM m",
    "SELECT first(v), host FROM m",
    "SELECT last(v), s FROM m",
    "SELECT last(v), dc, host FROM m",
    "SELECT first(v), i FROM m",
    "SELECT first(i) FROM m GROUP BY dc",
    "SELECT last(v) FROM m GROUP BY dc",
    "SELECT first(v), last(v), count(v) FROM m",
    "SELECT first(v) FROM m WHERE time > '2020-01-01T00:00:01Z'",
    "SELECT last(v) FROM m WHERE i > 0",
    "SELECT first(v) FROM m ORDER BY time DESC",
    "SELECT last(v) * 2 FROM m",
    # A subquery's own FIRST/LAST of the measurement reads it as above (where
    # the outer query groups by the tags it groups by); one over a
    # subquery's rows keeps the larger value.
    "SELECT * FROM (SELECT last(v), host FROM m)",
    "SELECT max(f) FROM (SELECT first(v) AS f FROM m)",
    "SELECT * FROM (SELECT first(v) FROM m GROUP BY dc) GROUP BY dc",
    "SELECT first(v) FROM (SELECT v FROM m)",
]


@pytest.mark.parametrize("seed", range(12))
def test_a_bare_first_or_last_of_random_series_is_the_servers(
    both: tuple[str, str], seed: int
) -> None:
    rnd = random.Random(seed)
    for trial in range(3):
        lines = _dataset(rnd)
        database = f"edge_{seed}_{trial}"
        answers = []
        for alias in both:
            backend = influxpy.get_connection(alias)
            backend.create_database(database)
            try:
                backend.write_lines(lines, database=database)
                answers.append(
                    [
                        [
                            (r.tags, r.points)
                            for r in backend.query(text, database=database, epoch="ns")
                        ]
                        for text in QUERIES
                    ]
                )
            finally:
                backend.drop_database(database)
        server, engine = answers
        for text, expected, got in zip(QUERIES, server, engine, strict=True):
            assert got == expected, (text, lines)
