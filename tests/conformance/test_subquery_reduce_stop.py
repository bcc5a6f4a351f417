"""An aggregate without windows over a subquery stops at its first row
outside the range, as influxd's reducer does.

``SELECT mean(m) FROM (SELECT mean(v) AS m FROM cpu GROUP BY time(5m),
host) WHERE time > now() - 1h`` answers nothing on InfluxDB 1.x (a known,
documented behaviour): the inner windows are those holding the outer
range, the first one starts before it, and the reducer (``reduce()`` over
``NextInWindow`` in the one window of the range) ends the call at the
first row outside that window. It reads the rows group by group (the outer
GROUP BY, reversed in descending order), each group in time order: in
ascending order a group whose first row is such a window ends the answer
there, in descending order a group is reduced up to it and the groups
after it are left out. A transformation or an INTEGRAL reads every row.
Each case runs on influxd and on the engine and expects the same series;
the documented case is written out.
"""

from __future__ import annotations

import random

import pytest

from conformance._common import S, text_answers

_RANDOM = random.Random(5)
#: Three hosts (a and c in dc x, b in dc y) writing every 10 s, 0, 3 and 6 s
#: apart, a few points missing.
LINES = [
    f"m,host={host},dc={'y' if host == 'b' else 'x'} v={_RANDOM.randint(0, 20)} "
    f"{(t + shift) * S}"
    for host, shift in (("a", 0), ("b", 3), ("c", 6))
    for t in range(0, 300, 10)
    if _RANDOM.random() < 0.85
]
#: host a's first window of the range starts before it, b's does not.
FEW = [
    f"m,host=a v=1 {115 * S}",
    f"m,host=a v=2 {125 * S}",
    f"m,host=b v=3 {130 * S}",
    f"m,host=b v=4 {160 * S}",
    f"m,host=c v=5 {116 * S}",
    f"m,host=c v=6 {170 * S}",
]
INNER = [
    "SELECT max(v) AS d FROM m GROUP BY time(30s), host",
    "SELECT mean(v) AS d FROM m GROUP BY time(30s)",
    "SELECT count(v) AS d FROM m GROUP BY time(40s), dc",
]
CALLS = [
    "count(d)",
    "mean(d)",
    "first(d)",
    "median(d)",
    "mode(d)",
    "top(d, 2)",
    "distinct(d)",
    "count(d), max(d)",
]
TAILS = ["", " GROUP BY host", " ORDER BY time DESC", " GROUP BY dc ORDER BY time DESC"]


@pytest.mark.parametrize("tail", TAILS)
@pytest.mark.parametrize("where", ["time >= 110s AND time < 250s", "time >= 115s"])
@pytest.mark.parametrize("inner", INNER)
@pytest.mark.parametrize("call", CALLS)
def test_the_reducer_stops_at_a_row_outside_the_range(
    both: tuple[str, str], call: str, inner: str, where: str, tail: str
) -> None:
    text = f"SELECT {call} FROM ({inner}) WHERE {where}{tail}"
    server, engine = text_answers(both, "reduce_stop", LINES, text, epoch="ns")
    assert engine == server


@pytest.mark.parametrize(
    ("tail", "expected"),
    [
        # a's first row is the window at 90 s: nothing at all.
        (" GROUP BY host", []),
        ("", []),
        # c (read first) up to its window at 90 s; then the answer ends.
        (" GROUP BY host ORDER BY time DESC", [({"host": "c"}, 1)]),
        # Every row of the range comes before those windows.
        (" ORDER BY time DESC", [({}, 4)]),
    ],
)
def test_where_the_answer_ends(
    both: tuple[str, str], tail: str, expected: list[tuple[dict[str, str], int]]
) -> None:
    text = (
        "SELECT count(d) FROM (SELECT max(v) AS d FROM m GROUP BY time(30s), host) "
        f"WHERE time >= 115s{tail}"
    )
    server, engine = text_answers(both, "reduce_stop_few", FEW, text, epoch="ns")
    assert engine == server
    assert [(tags, points[0]["count"]) for tags, points in engine] == expected


@pytest.mark.parametrize(
    "text",
    [
        (
            "SELECT count(d) FROM (SELECT max(v) AS d FROM m WHERE time >= 115s "
            "GROUP BY time(30s), host)"
        ),
        (
            "SELECT difference(d) FROM (SELECT max(v) AS d FROM m GROUP BY time(30s)) "
            "WHERE time >= 115s"
        ),
        (
            "SELECT integral(d) FROM (SELECT max(v) AS d FROM m GROUP BY time(30s)) "
            "WHERE time >= 115s"
        ),
        (
            "SELECT count(d) FROM (SELECT max(v) AS d FROM m GROUP BY time(30s), host) "
            "WHERE time >= 115s AND time < 300s GROUP BY time(1m)"
        ),
    ],
)
def test_what_reads_every_row(both: tuple[str, str], text: str) -> None:
    server, engine = text_answers(both, "reduce_stop_all", FEW, text, epoch="ns")
    assert engine == server
    assert engine
