"""A subquery of several measurements (``FROM /re/``) first in a FROM,
beside other sources, as influxd 1.6.7 answers it: each measurement its
own series, in name order, every one with the columns of them all. Each
test runs on the server and on the engine (``conn``).
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import stored

POINTS = [
    "cpu,host=a v=1,w=10i 1",
    "cpu,host=b v=2 2",
    "cpx,host=a v=3 3",
    "mem,host=a v=4,u=7i 4",
    "mem,host=c v=5 5",
    "disk u=9i 6",
]
CP = "(SELECT v FROM /cp/)"


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


def answer(backend: Any, text: str) -> Any:
    """Each series' name, tags, columns and rows."""
    (result,) = list(backend.statements(text))
    assert result.error is None, result.error
    return [
        (s.name, s.tags, list(s.columns), [list(v) for v in s.values])
        for s in result.series
    ]


def test_a_regex_subquery_beside_a_measurement(store: Any) -> None:
    expected = [
        (
            "cpu",
            {},
            ["time", "host", "u", "v"],
            [[1, None, None, 1.0], [2, None, None, 2.0]],
        ),
        ("cpx", {}, ["time", "host", "u", "v"], [[3, None, None, 3.0]]),
        (
            "mem",
            {},
            ["time", "host", "u", "v"],
            [[4, "a", 7, 4.0], [5, "c", None, 5.0]],
        ),
    ]
    assert answer(store, f"SELECT * FROM {CP}, mem") == expected
    assert answer(store, f"SELECT * FROM mem, {CP}") == expected
    assert answer(store, f"SELECT * FROM {CP}, /m/") == expected
    assert answer(store, "SELECT * FROM (SELECT v FROM cpu, cpx), mem") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"SELECT v FROM {CP}, mem",
            [
                ("cpu", {}, ["time", "v"], [[1, 1.0], [2, 2.0]]),
                ("cpx", {}, ["time", "v"], [[3, 3.0]]),
                ("mem", {}, ["time", "v"], [[4, 4.0], [5, 5.0]]),
            ],
        ),
        (
            f"SELECT max(v) FROM {CP}, mem",
            [
                ("cpu", {}, ["time", "max"], [[2, 2.0]]),
                ("cpx", {}, ["time", "max"], [[3, 3.0]]),
                ("mem", {}, ["time", "max"], [[5, 5.0]]),
            ],
        ),
        (
            f"SELECT max(v) FROM {CP}, mem GROUP BY host",
            [
                ("cpu", {"host": "a"}, ["time", "max"], [[1, 1.0]]),
                ("cpu", {"host": "b"}, ["time", "max"], [[2, 2.0]]),
                ("cpx", {"host": "a"}, ["time", "max"], [[3, 3.0]]),
                ("mem", {"host": "a"}, ["time", "max"], [[4, 4.0]]),
                ("mem", {"host": "c"}, ["time", "max"], [[5, 5.0]]),
            ],
        ),
        (
            f"SELECT count(v) FROM {CP}, mem",
            [
                ("cpu", {}, ["time", "count"], [[0, 2]]),
                ("cpx", {}, ["time", "count"], [[0, 1]]),
                ("mem", {}, ["time", "count"], [[0, 2]]),
            ],
        ),
        (
            "SELECT * FROM (SELECT v FROM /cp/ GROUP BY host), mem",
            [
                (
                    "cpu",
                    {},
                    ["time", "host", "u", "v"],
                    [[1, "a", None, 1.0], [2, "b", None, 2.0]],
                ),
                ("cpx", {}, ["time", "host", "u", "v"], [[3, "a", None, 3.0]]),
                (
                    "mem",
                    {},
                    ["time", "host", "u", "v"],
                    [[4, "a", 7, 4.0], [5, "c", None, 5.0]],
                ),
            ],
        ),
        (
            "SELECT * FROM (SELECT max(v) FROM /cp/), mem",
            [
                (
                    "cpu",
                    {},
                    ["time", "host", "max", "u", "v"],
                    [[2, None, 2.0, None, None]],
                ),
                (
                    "cpx",
                    {},
                    ["time", "host", "max", "u", "v"],
                    [[3, None, 3.0, None, None]],
                ),
                (
                    "mem",
                    {},
                    ["time", "host", "max", "u", "v"],
                    [[4, "a", None, 7, 4.0], [5, "c", None, None, 5.0]],
                ),
            ],
        ),
        (
            f"SELECT * FROM {CP}, mem WHERE v > 1 LIMIT 1",
            [
                ("cpu", {}, ["time", "host", "u", "v"], [[2, None, None, 2.0]]),
                ("cpx", {}, ["time", "host", "u", "v"], [[3, None, None, 3.0]]),
                ("mem", {}, ["time", "host", "u", "v"], [[4, "a", 7, 4.0]]),
            ],
        ),
        (
            f"SELECT * FROM {CP}, mem ORDER BY time DESC",
            [
                (
                    "mem",
                    {},
                    ["time", "host", "u", "v"],
                    [[5, "c", None, 5.0], [4, "a", 7, 4.0]],
                ),
                ("cpx", {}, ["time", "host", "u", "v"], [[3, None, None, 3.0]]),
                (
                    "cpu",
                    {},
                    ["time", "host", "u", "v"],
                    [[2, None, None, 2.0], [1, None, None, 1.0]],
                ),
            ],
        ),
        (
            f"SELECT * FROM {CP}, (SELECT u FROM /m|d/)",
            [
                ("cpu", {}, ["time", "u", "v"], [[1, None, 1.0], [2, None, 2.0]]),
                ("cpx", {}, ["time", "u", "v"], [[3, None, 3.0]]),
                ("disk", {}, ["time", "u", "v"], [[6, 9, None]]),
                ("mem", {}, ["time", "u", "v"], [[4, 7, None]]),
            ],
        ),
        (
            f"SELECT * FROM {CP}, cpu",
            [
                (
                    "cpu",
                    {},
                    ["time", "host", "v", "w"],
                    [
                        [1, None, 1.0, None],
                        [1, "a", 1.0, 10],
                        [2, None, 2.0, None],
                        [2, "b", 2.0, None],
                    ],
                ),
                ("cpx", {}, ["time", "host", "v", "w"], [[3, None, 3.0, None]]),
            ],
        ),
        (
            "SELECT * FROM (SELECT v FROM /zz/), mem",
            [
                (
                    "mem",
                    {},
                    ["time", "host", "u", "v"],
                    [[4, "a", 7, 4.0], [5, "c", None, 5.0]],
                )
            ],
        ),
        (
            f"SELECT * FROM {CP}, zz",
            [
                ("cpu", {}, ["time", "v"], [[1, 1.0], [2, 2.0]]),
                ("cpx", {}, ["time", "v"], [[3, 3.0]]),
            ],
        ),
    ],
)
def test_the_outer_query_over_each_measurement(
    store: Any, text: str, expected: Any
) -> None:
    assert answer(store, text) == expected
