"""A bare FIRST or LAST in a subquery grouped by more tags than the statement.

influxd hands a subquery the statement's GROUP BY tags as the keys of its
tag sets: the series of several inner groups are merged in one heap, each
passing its first two points, and a limit after the merge passes the first
point of each run of one inner group. Which points of an inner group's
first time reach the reducer then depends on the other groups' points
around them (``compilers/duckdb/edge_picks.py``). The series here write at
shared times with repeated values, some in a later shard group than
others, so many groups have several points at their first (last) time.
"""

from __future__ import annotations

import random

import pytest

from conformance._common import text_answers

WEEK = 7 * 24 * 3600 * 10**9


def _lines(seed: int) -> list[str]:
    """Eight series over host, dc and rack (some without rack) writing on
    a grid of shared times, a few only from a later shard group on."""
    rng = random.Random(seed)
    lines = []
    for host in "abcdefgh":
        dc = rng.choice("xy")
        rack = rng.choice(["", ",rack=r1", ",rack=r2"])
        start = rng.choice([0, 0, 0, 10, 20, WEEK + 10])
        end = rng.choice([50, 60, WEEK + 30, WEEK + 40])
        times = list(range(0, 70, 10)) + [WEEK + t for t in range(0, 50, 10)]
        for t in times:
            if t < start or t > end or rng.random() < 0.2:
                continue
            b = rng.choice(["true", "false"])
            lines.append(
                f"m,host={host},dc={dc}{rack} v={rng.randint(0, 3)},"
                f'n={rng.randint(0, 3)}i,b={b},s="{rng.choice("pq")}" '
                f"{10**12 + t}"
            )
    return lines


QUERIES = [
    "SELECT * FROM (SELECT first(v) FROM m GROUP BY dc)",
    "SELECT * FROM (SELECT last(v) FROM m GROUP BY dc)",
    "SELECT * FROM (SELECT first(v), host FROM m GROUP BY dc)",
    "SELECT * FROM (SELECT last(n), s FROM m GROUP BY rack)",
    "SELECT * FROM (SELECT first(b) FROM m GROUP BY dc, rack)",
    "SELECT * FROM (SELECT last(v) FROM m GROUP BY dc, rack) GROUP BY dc",
    "SELECT * FROM (SELECT first(v), host FROM m GROUP BY dc, rack) GROUP BY rack",
    "SELECT sum(f) FROM (SELECT first(v) AS f FROM m GROUP BY dc)",
    "SELECT max(f) FROM (SELECT last(n) AS f FROM m GROUP BY rack) GROUP BY rack",
    (
        "SELECT sum(f) FROM (SELECT * FROM "
        "(SELECT first(v) AS f FROM m GROUP BY dc, rack) GROUP BY dc)"
    ),
    (
        "SELECT count(f) FROM (SELECT * FROM "
        "(SELECT last(b) AS f FROM m GROUP BY dc, rack) WHERE f = true GROUP BY dc) "
        "GROUP BY dc"
    ),
    "SELECT * FROM (SELECT first(n) FROM m GROUP BY *)",
    "SELECT * FROM (SELECT first(v) FROM m GROUP BY dc) ORDER BY time DESC",
    "SELECT * FROM (SELECT first(v) FROM m WHERE time >= 1000000000010 GROUP BY dc)",
]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("text", QUERIES)
def test_the_first_points_of_the_statements_tag_sets(
    both: tuple[str, str], seed: int, text: str
) -> None:
    answers = text_answers(both, f"edge_{seed}", _lines(seed), text, epoch="ns")
    assert answers[0], text
    assert answers[1] == answers[0]
