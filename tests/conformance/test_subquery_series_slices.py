"""LIMIT/OFFSET inside a subquery grouped by * or by tags, as influxd 1.6.7 answers.

influxd spells out an inner GROUP BY * as every tag key of the
measurements it reads, whatever tags the series hold. An outer GROUP BY of
all those keys keeps each inner series whole, and the rows are sliced once
per series. If the outer query leaves out a key, even one no series of an
outer group holds, raw rows are counted per run of one inner group and
sliced twice (test_subquery_limits.py). A GROUP BY * over a subquery is
that subquery's own tags, which the outer tags join.

Each test runs on the server and on the engine (``conn``) and expects the
server's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import stored

#: One tag key; the point at 30 has no ``f``.
ONE_KEY = [
    "m,t1=a f=1 20",
    "m,t1=a i=2i 30",
    "m,t1=a f=0.125,i=1i 70",
    "m,t1=a f=16 100",
]

#: Two tag keys; ``t2`` only in the series of ``t1=b``.
TWO_KEYS = [
    *ONE_KEY,
    "m,t1=b,t2=x f=4 25",
    "m,t1=b,t2=x f=9 35",
    "m,t1=b,t2=x f=25 45",
]


def answer(backend: Any, text: str) -> list[tuple[dict[str, str], list[list[Any]]]]:
    (result,) = list(backend.statements(text))
    assert result.error is None, result.error
    return [(s.tags, [list(v) for v in s.values]) for s in result.series]


def test_an_outer_group_by_every_tag_key_slices_each_series_once(conn: str) -> None:
    """The differential test's case: a mean of the second row of t1=a."""
    backend = stored(conn, ONE_KEY)
    inner = "SELECT sqrt(f) AS m FROM m GROUP BY * LIMIT 1 OFFSET 1"
    text = f"SELECT mean(m) AS o FROM ({inner}) GROUP BY t1"
    assert answer(backend, text) == [({"t1": "a"}, [[0, 0.3535533905932738]])]
    inner = "SELECT sqrt(f) AS m FROM m GROUP BY * LIMIT 2 OFFSET 2"
    text = f"SELECT mean(m) AS o FROM ({inner}) GROUP BY t1"
    assert answer(backend, text) == [({"t1": "a"}, [[0, 4.0]])]


WHOLE_CASES = [
    # Every tag key of the measurement outside: once per series.
    (
        (
            "SELECT m FROM (SELECT f AS m FROM m GROUP BY * LIMIT 2 OFFSET 1) "
            "GROUP BY t1, t2"
        ),
        [
            ({"t1": "a", "t2": ""}, [[70, 0.125], [100, 16.0]]),
            ({"t1": "b", "t2": "x"}, [[35, 9.0], [45, 25.0]]),
        ],
    ),
    (
        (
            "SELECT m FROM (SELECT f * 2 AS m FROM m GROUP BY * LIMIT 2 OFFSET 1) "
            "GROUP BY t2, t1, zz"
        ),
        [
            ({"t1": "a", "t2": "", "zz": ""}, [[70, 0.25], [100, 32.0]]),
            ({"t1": "b", "t2": "x", "zz": ""}, [[35, 18.0], [45, 50.0]]),
        ],
    ),
    (
        (
            "SELECT m FROM (SELECT f AS m FROM m GROUP BY * LIMIT 2 OFFSET 1) "
            "GROUP BY t1, t2 ORDER BY time DESC"
        ),
        [
            ({"t1": "b", "t2": "x"}, [[35, 9.0], [25, 4.0]]),
            ({"t1": "a", "t2": ""}, [[70, 0.125], [20, 1.0]]),
        ],
    ),
    (
        (
            "SELECT m FROM (SELECT sqrt(f) AS m FROM /m/ GROUP BY * LIMIT 2 OFFSET 1) "
            "GROUP BY t1, t2"
        ),
        [
            ({"t1": "a", "t2": ""}, [[70, 0.3535533905932738], [100, 4.0]]),
            ({"t1": "b", "t2": "x"}, [[35, 3.0], [45, 5.0]]),
        ],
    ),
    (
        (
            "SELECT max(m) FROM (SELECT f AS m FROM m GROUP BY * LIMIT 1 OFFSET 1) "
            "GROUP BY t1, t2"
        ),
        [
            ({"t1": "a", "t2": ""}, [[70, 0.125]]),
            ({"t1": "b", "t2": "x"}, [[35, 9.0]]),
        ],
    ),
    # A key only the series of another outer group hold still counts:
    # t1=a is sliced twice, by runs.
    (
        "SELECT m FROM (SELECT f AS m FROM m GROUP BY * LIMIT 2 OFFSET 1) GROUP BY t1",
        [({"t1": "a"}, [[100, 16.0]]), ({"t1": "b"}, [[45, 25.0]])],
    ),
    (
        (
            "SELECT m FROM (SELECT f AS m FROM m WHERE t1 = 'a' GROUP BY * "
            "LIMIT 2 OFFSET 1) GROUP BY t1"
        ),
        [({"t1": "a"}, [[100, 16.0]])],
    ),
    # So does a key no series holds, named inside.
    (
        (
            "SELECT m FROM (SELECT f AS m FROM m GROUP BY t1, zz LIMIT 2 OFFSET 1) "
            "GROUP BY t1"
        ),
        [({"t1": "a"}, [[100, 16.0]]), ({"t1": "b"}, [[45, 25.0]])],
    ),
    # Aggregates and transformations: the same rows either way.
    (
        (
            "SELECT m FROM (SELECT max(f) AS m FROM m GROUP BY *, time(20ns) "
            "LIMIT 2 OFFSET 1) WHERE time < 200 GROUP BY t1"
        ),
        [({"t1": "a"}, [[60, 0.125], [100, 16.0]]), ({"t1": "b"}, [[40, 25.0]])],
    ),
    (
        (
            "SELECT m FROM (SELECT difference(f) AS m FROM m GROUP BY * "
            "LIMIT 1 OFFSET 1) GROUP BY t1, t2"
        ),
        [
            ({"t1": "a", "t2": ""}, [[100, 15.875]]),
            ({"t1": "b", "t2": "x"}, [[45, 16.0]]),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), WHOLE_CASES)
def test_an_inner_group_by_star_is_every_tag_key(
    conn: str, text: str, expected: list[tuple[dict[str, str], list[list[Any]]]]
) -> None:
    assert answer(stored(conn, TWO_KEYS), text) == expected


NESTED_CASES = [
    # GROUP BY * over a subquery is the subquery's tags, which the outer
    # tags join down to the measurement.
    (
        (
            "SELECT max(m) FROM (SELECT m FROM (SELECT f AS m FROM m) GROUP BY *) "
            "GROUP BY t1"
        ),
        [({"t1": "a"}, [[100, 16.0]]), ({"t1": "b"}, [[45, 25.0]])],
    ),
    (
        (
            "SELECT m FROM (SELECT m FROM (SELECT f AS m FROM m GROUP BY t2) "
            "GROUP BY * LIMIT 1 OFFSET 1) GROUP BY t1"
        ),
        [({"t1": "a"}, [[70, 0.125]]), ({"t1": "b"}, [[35, 9.0]])],
    ),
    (
        (
            "SELECT m FROM (SELECT m FROM (SELECT f AS m FROM m) GROUP BY * "
            "LIMIT 2 OFFSET 1) GROUP BY t1"
        ),
        [
            ({"t1": "a"}, [[70, 0.125], [100, 16.0]]),
            ({"t1": "b"}, [[35, 9.0], [45, 25.0]]),
        ],
    ),
    (
        (
            "SELECT * FROM (SELECT * FROM (SELECT f AS m, t1 FROM m GROUP BY t2) "
            "GROUP BY *) GROUP BY t1"
        ),
        [
            ({"t1": "a"}, [[20, 1.0, "a", ""], [70, 0.125, "a", ""]]),
            ({"t1": "b"}, [[25, 4.0, "b", "x"], [35, 9.0, "b", "x"]]),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), NESTED_CASES)
def test_group_by_star_over_a_subquery_is_its_tags(
    conn: str, text: str, expected: list[tuple[dict[str, str], list[list[Any]]]]
) -> None:
    backend = stored(conn, TWO_KEYS)
    assert [(t, rows[:2]) for t, rows in answer(backend, text)] == expected


def test_group_by_star_of_several_measurements_is_every_key_of_them(
    conn: str,
) -> None:
    """The tag keys of every measurement read count, ``m``'s ``t1`` and
    ``n``'s ``t2``: grouped outside by ``t1`` alone, ``m`` is sliced twice."""
    backend = stored(
        conn,
        [
            "m,t1=a f=1 20",
            "m,t1=a f=2 30",
            "m,t1=a f=3 70",
            "n,t2=x f=4 25",
            "n,t2=x f=5 35",
            "n,t2=x f=6 45",
        ],
    )
    for source in ("/./", "m, n"):
        inner = f"SELECT f AS m FROM {source} GROUP BY * LIMIT 1 OFFSET 1"
        assert answer(backend, f"SELECT m FROM ({inner}) GROUP BY t1") == []
        assert answer(backend, f"SELECT m FROM ({inner}) GROUP BY t1, t2") == [
            ({"t1": "a", "t2": ""}, [[30, 2.0]]),
            ({"t1": "", "t2": "x"}, [[35, 5.0]]),
        ]
    inner = "SELECT f AS m FROM m GROUP BY * LIMIT 1 OFFSET 1"
    assert answer(backend, f"SELECT m FROM ({inner}) GROUP BY t1") == [
        ({"t1": "a"}, [[30, 2.0]])
    ]
