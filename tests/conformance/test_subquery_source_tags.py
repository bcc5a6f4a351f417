"""A subquery beside other sources, where a column of the subquery holds a
tag's values, as influxd 1.6.7 answers it.

influxd types each column by the sources' types (a field's type before a
tag): a subquery's column of a tag's values (``SELECT *`` or ``SELECT
host`` inside) is a tag, so ``*`` lists it as a tag (also among
``*::tag``, not ``*::field`` nor ``count(*)``), and a measurement beside
it reads its own tag of that key there; the tag of another source is
listed again (``host_1``). A key some source types is read as a null of
that type where a subquery lacks it: every row of the subquery comes out.
Each test runs on the server and on the engine (``conn``).
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
    "mem,dc=x v=6 6",
    'hf host="zz",v=7 7',
]
CPU = "(SELECT * FROM cpu)"
ALL = ["time", "dc", "host", "host_1", "u", "v", "w"]
CPU_ROWS = [[1, None, "a", "a", None, 1.0, 10], [2, None, "b", "b", None, 2.0, None]]
MEM_ROWS = [
    [4, None, "a", "a", 7, 4.0, None],
    [5, None, "c", "c", None, 5.0, None],
    [6, "x", None, None, None, 6.0, None],
]


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


@pytest.mark.parametrize(
    "text", [f"SELECT * FROM {CPU}, mem", f"SELECT * FROM mem, {CPU}"]
)
def test_a_measurement_beside_reads_its_tag_in_the_column(
    store: Any, text: str
) -> None:
    assert answer(store, text) == [
        ("cpu", {}, ALL, CPU_ROWS),
        ("mem", {}, ALL, MEM_ROWS),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"SELECT * FROM {CPU}, mem WHERE host = 'a'",
            [("cpu", {}, ALL, CPU_ROWS[:1]), ("mem", {}, ALL, MEM_ROWS[:1])],
        ),
        (
            f"SELECT * FROM {CPU}, mem GROUP BY host",
            [
                (
                    "cpu",
                    {"host": "a"},
                    ["time", "dc", "host", "u", "v", "w"],
                    [[1, None, "a", None, 1.0, 10]],
                ),
                (
                    "cpu",
                    {"host": "b"},
                    ["time", "dc", "host", "u", "v", "w"],
                    [[2, None, "b", None, 2.0, None]],
                ),
                (
                    "mem",
                    {"host": ""},
                    ["time", "dc", "host", "u", "v", "w"],
                    [[6, "x", None, None, 6.0, None]],
                ),
                (
                    "mem",
                    {"host": "a"},
                    ["time", "dc", "host", "u", "v", "w"],
                    [[4, None, "a", 7, 4.0, None]],
                ),
                (
                    "mem",
                    {"host": "c"},
                    ["time", "dc", "host", "u", "v", "w"],
                    [[5, None, "c", None, 5.0, None]],
                ),
            ],
        ),
        (
            f"SELECT host, v FROM {CPU}, mem",
            [
                ("cpu", {}, ["time", "host", "v"], [[1, "a", 1.0], [2, "b", 2.0]]),
                (
                    "mem",
                    {},
                    ["time", "host", "v"],
                    [[4, "a", 4.0], [5, "c", 5.0], [6, None, 6.0]],
                ),
            ],
        ),
        (
            f"SELECT *::tag FROM {CPU}, mem",
            [
                (
                    "cpu",
                    {},
                    ["time", "dc", "host", "host_1"],
                    [[1, None, "a", "a"], [2, None, "b", "b"]],
                )
            ],
        ),
        (
            f"SELECT *::field FROM {CPU}, mem",
            [
                (
                    "cpu",
                    {},
                    ["time", "u", "v", "w"],
                    [[1, None, 1.0, 10], [2, None, 2.0, None]],
                ),
                (
                    "mem",
                    {},
                    ["time", "u", "v", "w"],
                    [[4, 7, 4.0, None], [5, None, 5.0, None], [6, None, 6.0, None]],
                ),
            ],
        ),
        (
            f"SELECT count(*) FROM {CPU}, mem",
            [
                (
                    "cpu",
                    {},
                    ["time", "count_u", "count_v", "count_w"],
                    [[0, None, 2, 1]],
                ),
                (
                    "mem",
                    {},
                    ["time", "count_u", "count_v", "count_w"],
                    [[0, 1, 3, None]],
                ),
            ],
        ),
        (
            "SELECT * FROM (SELECT host AS h, v FROM cpu), mem",
            [
                (
                    "cpu",
                    {},
                    ["time", "dc", "h", "host", "u", "v"],
                    [[1, None, "a", None, None, 1.0], [2, None, "b", None, None, 2.0]],
                ),
                (
                    "mem",
                    {},
                    ["time", "dc", "h", "host", "u", "v"],
                    [
                        [4, None, None, "a", 7, 4.0],
                        [5, None, None, "c", None, 5.0],
                        [6, "x", None, None, None, 6.0],
                    ],
                ),
            ],
        ),
        (
            f"SELECT * FROM {CPU}, hf",
            [
                (
                    "cpu",
                    {},
                    ["time", "host", "v", "w"],
                    [[1, "a", 1.0, 10], [2, "b", 2.0, None]],
                ),
                ("hf", {}, ["time", "host", "v", "w"], [[7, "zz", 7.0, None]]),
            ],
        ),
        (
            f"SELECT dc FROM {CPU}, mem",
            [("cpu", {}, ["time", "dc"], [[1, None], [2, None]])],
        ),
        (
            "SELECT u FROM (SELECT v FROM cpu), mem WHERE v > 1",
            [
                ("cpu", {}, ["time", "u"], [[2, None]]),
                ("mem", {}, ["time", "u"], [[4, 7]]),
            ],
        ),
        ("SELECT zz FROM (SELECT v FROM cpu), mem", []),
    ],
)
def test_columns_and_rows_beside_a_subquery(
    store: Any, text: str, expected: Any
) -> None:
    assert answer(store, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"SELECT *::tag FROM {CPU}",
            [("cpu", {}, ["time", "host"], [[1, "a"], [2, "b"]])],
        ),
        (
            f"SELECT count(*) FROM {CPU}",
            [("cpu", {}, ["time", "count_v", "count_w"], [[0, 2, 1]])],
        ),
    ],
)
def test_a_column_of_a_tag_is_a_tag_to_wildcards(
    store: Any, text: str, expected: Any
) -> None:
    assert answer(store, text) == expected


TWICE = [
    [1, "a", "a", 1.0, 10],
    [1, "a", "a", 1.0, 10],
    [2, "b", "b", 2.0, None],
    [2, "b", "b", 2.0, None],
]
CPU_COLUMNS = ["time", "host", "host_1", "v", "w"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "SELECT * FROM (SELECT * FROM /cp/), cpu",
            [
                ("cpu", {}, CPU_COLUMNS, TWICE),
                ("cpx", {}, CPU_COLUMNS, [[3, "a", "a", 3.0, None]]),
            ],
        ),
        (
            f"SELECT * FROM {CPU}, cpu WHERE host = 'b' OR v = 1",
            [("cpu", {}, CPU_COLUMNS, TWICE)],
        ),
        (
            f"SELECT w FROM {CPU}, cpu",
            [("cpu", {}, ["time", "w"], [[1, 10], [1, 10], [2, None]])],
        ),
        (
            "SELECT * FROM (SELECT * FROM mem), mem WHERE host = ''",
            [
                (
                    "mem",
                    {},
                    ["time", "dc", "dc_1", "host", "host_1", "u", "v"],
                    [[6, "x", "x", None, None, None, 6.0]],
                )
            ],
        ),
        (
            "SELECT * FROM (SELECT host AS h, v FROM cpu), cpu",
            [
                (
                    "cpu",
                    {},
                    ["time", "h", "host", "v", "w"],
                    [
                        [1, "a", None, 1.0, None],
                        [1, None, "a", 1.0, 10],
                        [2, "b", None, 2.0, None],
                        [2, None, "b", 2.0, None],
                    ],
                )
            ],
        ),
    ],
)
def test_beside_a_source_of_its_own_measurement(
    store: Any, text: str, expected: Any
) -> None:
    """The rows of both merge into one series set; the subquery's column
    and the measurement's tag are one column."""
    assert answer(store, text) == expected
