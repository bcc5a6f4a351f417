"""A subquery of a subquery reads the time range of the statement above it.

influxd hands each subquery the options of the query reading it, the time
ranges intersected (``newIteratorOptionsSubstatement``), so the range of
the statement reaches every level: ``SELECT d FROM (SELECT d FROM (SELECT
v AS d FROM m)) WHERE time >= 60s`` reads no point before 60 s. And every
iterator under a statement is clipped to the range of the shards it maps
(``LocalShardMapping``): the statement's own range, moved back by its
extra intervals only. A transformation in a middle level (``difference(
mean(d))``) or a raw DIFFERENCE in the innermost one reads no window and
no point before that, whatever it would reach as a statement of its own.
A level without windows of its own takes those of the level above, through
raw SELECTs too: ``max(v)`` two levels under ``GROUP BY time(20s)`` is
taken per 20 s; a raw DIFFERENCE in the middle moves its start back one of
those windows, and a raw DIFFERENCE under it one more.

A subquery's windows that start before the range but hold points in it
answer rows before the range, which a raw transformation of the subquery's
rows reads: ``difference(d)`` over sums per 20 s from 70 s answers at 80 s
(the sum of the window at 80 s less that of the window at 60 s).

Each case runs on influxd and on the engine and expects the same series;
one answer is written out in full.
"""

from __future__ import annotations

import random

import pytest

from conformance._common import S, text_answers

_RANDOM = random.Random(3)
#: v at every 10 s from 0 to 190 s.
LINES = [f"m,host=a v={_RANDOM.randint(0, 20)} {t * S}" for t in range(0, 200, 10)]
#: The same with a second host writing 5 s later (no two points at one time).
TWO_HOSTS = LINES + [
    f"m,host=b v={_RANDOM.randint(0, 20)} {(t + 5) * S}" for t in range(0, 200, 10)
]
RANGE = "WHERE time >= 60s AND time < 200s"
DIFF = "(SELECT difference(v) AS d FROM m)"
RAW = "(SELECT v AS d FROM m)"

CASES = [
    f"SELECT d FROM (SELECT d FROM {RAW}) {RANGE}",
    f"SELECT d FROM (SELECT d FROM {DIFF}) {RANGE}",
    f"SELECT d FROM (SELECT mean(d) AS d FROM {RAW} GROUP BY time(20s)) {RANGE}",
    f"SELECT d FROM (SELECT max(d) AS d FROM {RAW} GROUP BY time(20s)) {RANGE}",
    f"SELECT d FROM (SELECT max(d) AS d FROM {RAW}) {RANGE}",
    (
        f"SELECT d FROM (SELECT mean(d) AS d FROM {RAW} GROUP BY time(20s)) "
        "WHERE time >= 60s"
    ),
    (
        "SELECT d FROM (SELECT mean(d) AS d FROM (SELECT v AS d FROM m WHERE "
        f"time >= 30s) GROUP BY time(20s)) {RANGE}"
    ),
    (
        "SELECT d FROM (SELECT mean(d) AS d FROM (SELECT v AS d FROM m) WHERE "
        f"time < 150s GROUP BY time(20s)) {RANGE}"
    ),
    (
        f"SELECT mean(d) FROM (SELECT mean(d) AS d FROM {RAW} GROUP BY time(20s)) "
        f"{RANGE} GROUP BY time(40s)"
    ),
    f"SELECT d FROM (SELECT mean(d) AS d FROM {DIFF} GROUP BY time(20s)) {RANGE}",
    (
        f"SELECT d FROM (SELECT difference(mean(d)) AS d FROM {DIFF} "
        f"GROUP BY time(20s)) {RANGE}"
    ),
    (
        f"SELECT d FROM (SELECT cumulative_sum(mean(d)) AS d FROM {DIFF} "
        f"GROUP BY time(20s)) {RANGE}"
    ),
    (
        f"SELECT sum(d) FROM (SELECT cumulative_sum(mean(d)) AS d FROM {DIFF} "
        f"GROUP BY time(20s)) {RANGE}"
    ),
    (
        f"SELECT mean(d) FROM (SELECT cumulative_sum(mean(d)) AS d FROM {DIFF} "
        f"GROUP BY time(20s)) {RANGE} GROUP BY time(40s)"
    ),
    (
        f"SELECT difference(mean(d)) FROM (SELECT difference(mean(d)) AS d FROM "
        f"{DIFF} GROUP BY time(20s)) {RANGE} GROUP BY time(20s)"
    ),
    f"SELECT d FROM (SELECT d FROM (SELECT d FROM {RAW})) {RANGE}",
    f"SELECT d FROM (SELECT d FROM {RAW}) {RANGE} ORDER BY time DESC",
    (
        f"SELECT d FROM (SELECT mean(d) AS d FROM {DIFF} GROUP BY time(20s)) "
        f"{RANGE} ORDER BY time DESC"
    ),
    *(
        f"SELECT {call} FROM (SELECT {inner}(v) AS d FROM m GROUP BY time(20s)) "
        "WHERE time >= 70s AND time < 140s"
        for call, inner in [
            ("difference(d)", "sum"),
            ("derivative(d, 10s)", "max"),
            ("cumulative_sum(d)", "count"),
            ("moving_average(d, 2)", "mean"),
            ("elapsed(d, 10s)", "mean"),
            ("non_negative_difference(d)", "min"),
        ]
    ),
    *(
        f"SELECT max(d) FROM (SELECT {middle} AS d FROM (SELECT {inner} AS d "
        "FROM m) WHERE time >= 150s) WHERE time >= 40s AND time < 200s "
        "GROUP BY time(20s)"
        for middle, inner in [
            ("d", "max(v)"),
            ("d", "mean(v)"),
            ("difference(d)", "v"),
            ("difference(d)", "difference(v)"),
            ("difference(d)", "non_negative_difference(v)"),
            ("d", "non_negative_difference(v)"),
            ("derivative(d)", "v"),
            ("difference(d)", "max(v)"),
        ]
    ),
    (
        "SELECT difference(d) FROM (SELECT count(d) AS d FROM (SELECT "
        "derivative(v, 10s) AS d FROM m WHERE time >= 70s) WHERE time >= 40s "
        "GROUP BY time(40s)) WHERE time >= 100s AND time < 240s"
    ),
]


@pytest.mark.parametrize("text", CASES)
@pytest.mark.parametrize("lines", [LINES, TWO_HOSTS], ids=["one host", "two hosts"])
def test_the_statements_range_reaches_every_level(
    both: tuple[str, str], text: str, lines: list[str]
) -> None:
    database = "nested_one" if lines is LINES else "nested_two"
    server, engine = text_answers(both, database, lines, text, epoch="ns")
    assert engine == server


def test_no_row_before_the_range(both: tuple[str, str]) -> None:
    text = f"SELECT d FROM (SELECT d FROM {RAW}) {RANGE}"
    server, engine = text_answers(both, "nested_rows", LINES, text, epoch="ns")
    assert engine == server
    ((_tags, points),) = engine
    assert [p["time"] // S for p in points] == list(range(60, 200, 10))
