"""``*`` and ``/re/`` beside columns over a subquery, and ``GROUP BY /re/``
over one, as influxd 1.6.7 expands them: against the subquery's columns
(its fields and the tags it groups by), in name order, a repeated name
suffixed ``_1``; ``GROUP BY /re/`` matches the subquery's tags and leaves
every tag out of ``*``.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy

S = 1_000_000_000
POINTS = [
    f"m,host=a,dc=x v=1,n=10i {10 * S}",
    f"m,host=a,dc=y v=2 {10 * S}",
    f"m,host=b,dc=x n=30i {20 * S}",
    f"m,host=a,dc=x v=4 {20 * S}",
    f"m,host=b,dc=y v=6,n=60i {30 * S}",
]
RANGE = "WHERE time >= 0 AND time < 40s"
WINDOWS = "SELECT mean(v) AS x, max(v) AS mx FROM m GROUP BY time(10s)"
BY_TAGS = "SELECT mean(v) AS x FROM m GROUP BY time(10s), host, dc"


@pytest.fixture
def store(conn: str) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(POINTS)
    return backend


def answer(backend: Any, text: str) -> list[tuple[dict[str, str], list[str], Any]]:
    """Each series' tags, columns and rows (times in seconds)."""
    (result,) = list(backend.statements(text))
    assert result.error is None, result.error
    return [
        (s.tags, list(s.columns), [[v[0] // S, *v[1:]] for v in s.values])
        for s in result.series
    ]


def test_wildcards_beside_columns(store: Any) -> None:
    rows = [[10, 2.0, 1.5, 2.0], [20, 4.0, 4.0, 4.0], [30, 6.0, 6.0, 6.0]]
    expected: list[Any] = [({}, ["time", "mx", "x", "mx_1"], rows)]
    assert answer(store, f"SELECT /x/, mx FROM ({WINDOWS}) {RANGE}") == expected
    assert answer(store, f"SELECT *, mx FROM ({WINDOWS}) {RANGE}") == expected
    assert answer(store, f"SELECT /^m/ FROM ({WINDOWS}) {RANGE}") == [
        ({}, ["time", "mx"], [[10, 2.0], [20, 4.0], [30, 6.0]])
    ]
    assert answer(store, f"SELECT /zz/ FROM ({WINDOWS}) {RANGE}") == []
    text = f"SELECT *, v FROM (SELECT v, host FROM m) {RANGE} AND v > 3"
    assert answer(store, text) == [
        ({}, ["time", "host", "v", "v_1"], [[20, "a", 4.0, 4.0], [30, "b", 6.0, 6.0]])
    ]


def test_group_by_a_pattern_over_a_subquery(store: Any) -> None:
    text = f"SELECT * FROM ({BY_TAGS}) {RANGE} GROUP BY /h/"
    assert answer(store, text) == [
        ({"host": "a"}, ["time", "x"], [[10, 1.0], [10, 2.0], [20, 4.0]]),
        ({"host": "b"}, ["time", "x"], [[30, 6.0]]),
    ]
    text = f"SELECT mean(x) FROM ({BY_TAGS}) {RANGE} GROUP BY /d/, time(20s)"
    assert answer(store, text) == [
        ({"dc": "x"}, ["time", "mean"], [[0, 1.0], [20, 4.0]]),
        ({"dc": "y"}, ["time", "mean"], [[0, 2.0], [20, 6.0]]),
    ]


def test_wildcards_over_a_subquery_of_several_measurements(store: Any) -> None:
    """Each measurement is read on its own; the wildcards name the columns
    of them all (a column one lacks is null there)."""
    store.write_lines([f"m2,host=c,zone=z v=5,w=3 {10 * S}"])
    inner = "SELECT v, w, host FROM /m/"
    text = f"SELECT /w/, v FROM ({inner}) {RANGE} AND v > 3"
    assert answer(store, text) == [
        ({}, ["time", "w", "v"], [[20, None, 4.0], [30, None, 6.0]]),
        ({}, ["time", "w", "v"], [[10, 3.0, 5.0]]),
    ]
    inner = "SELECT mean(v) AS x FROM /m/ GROUP BY time(10s), *"
    text = f"SELECT /zone/, x FROM ({inner}) {RANGE} AND x > 3"
    assert answer(store, text) == [
        ({}, ["time", "zone", "x"], [[20, "", 4.0], [30, "", 6.0]]),
        ({}, ["time", "zone", "x"], [[10, "z", 5.0]]),
    ]
