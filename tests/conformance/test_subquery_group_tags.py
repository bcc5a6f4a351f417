"""A subquery's group tags read outside it, as influxd reads them.

influxd keeps the empty value of a tag a subquery groups by as ``''`` in
the subquery's rows (a stored series without the tag shows null), counts
and picks it in calls (``count(host)`` counts every group, the empty one
too; ``mode(host)`` can be ``''``), and TOP/BOTTOM(x, tag, N) shows it as
``''``. Beside a source of the same measurement, ``host`` is the
subquery's tag in its rows and the stored tag in the others; a call reads
only the subquery's. A tag selected beside a call inside a subquery is
typed a tag, as a raw query's is: beside its measurement the stored rows
show their own tag there. A tag only the outer GROUP BY adds to a
subquery's groups and filters its rows, but influxd reads no value of it
there: null in the select list, nothing for a call. Each test runs on
the server and on the engine (``conn``) and expects influxd's answer
(rows sorted where influxd's merge of a subquery beside its measurement
orders them series by series, pinned in ``test_sources_subqueries``).
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import statement_values, stored

POINTS = [
    "cpu,host=a v=1 10",
    "cpu v=4 40",
    "cpu,host=b v=2 20",
    "mem,host=a free=1i 10",
    "disk,dev=x used=1i 10",
]
GROUPED = "(SELECT max(v) FROM cpu GROUP BY host)"
BY_HOST = "(SELECT v FROM cpu GROUP BY host)"
SELECTED = "(SELECT max(v), host FROM cpu GROUP BY host)"
UNGROUPED = "(SELECT v FROM cpu)"
#: The points TOP(x, host, 3) picks, the empty host shown as null.
PICKED = [[10, 1.0, "a"], [20, 2.0, "b"], [40, 4.0, None]]


@pytest.fixture
def store(conn: str) -> Any:
    return stored(conn, POINTS)


def _sorted(values: Any) -> Any:
    assert isinstance(values, list), values
    return sorted(values, key=lambda row: [(v is None, str(v)) for v in row])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"SELECT count(host) FROM {GROUPED}", [[0, 3]]),
        (f"SELECT count(host), max(max) FROM {GROUPED}", [[0, 3, 4.0]]),
        (f"SELECT first(host) FROM {GROUPED}", [[10, "a"]]),
        (f"SELECT mode(host) FROM {GROUPED}", [[0, ""]]),
        (f"SELECT count(distinct(host)) FROM {GROUPED}", [[0, 3]]),
        (f"SELECT distinct(host) FROM {GROUPED}", [[0, "a"], [0, "b"], [0, ""]]),
        (
            f"SELECT count(host) FROM {GROUPED} GROUP BY host",
            [[0, 1], [0, 1], [0, 1]],
        ),
        (
            f"SELECT count(host) FROM {SELECTED}",
            [[0, 2]],
        ),
        (
            f"SELECT top(max, host, 3) FROM {GROUPED}",
            [[10, 1.0, "a"], [20, 2.0, "b"], [40, 4.0, ""]],
        ),
        (
            f"SELECT top(max, host, 3) FROM {SELECTED}",
            PICKED,
        ),
        (
            "SELECT top(v, host, 3) FROM cpu",
            PICKED,
        ),
    ],
)
def test_calls_read_group_tags(store: Any, text: str, expected: Any) -> None:
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"SELECT count(host) FROM {GROUPED}, cpu", [[0, 3]]),
        # Calls inside arithmetic read the subquery's tag too.
        (f"SELECT count(host) + 1 FROM {GROUPED}, cpu", [[0, 4]]),
        (f"SELECT (count(host) + 1) * 2 FROM {GROUPED}, cpu", [[0, 8]]),
        (f"SELECT count(host) * 2, count(v) FROM {GROUPED}, cpu", [[0, 6, 3]]),
        (f"SELECT count(host) FROM {BY_HOST}, cpu", [[0, 3]]),
        (f"SELECT count(host) FROM /^c/, {BY_HOST}", [[0, 3]]),
        (f"SELECT count(host) FROM (SELECT used FROM disk), {BY_HOST}", [[0, 3]]),
        ("SELECT count(host) FROM (SELECT v FROM cpu GROUP BY *), cpu", [[0, 3]]),
        ("SELECT count(host) FROM (SELECT v FROM cpu GROUP BY /h/)", [[0, 3]]),
        (f"SELECT first(host) FROM {BY_HOST}, cpu", [[10, "a"]]),
        (f"SELECT count(distinct(host)) FROM {BY_HOST}, cpu", [[0, 3]]),
        (
            f"SELECT count(host) FROM {SELECTED}, cpu",
            [[0, 2]],
        ),
        ("SELECT count(host) FROM (SELECT v, host FROM cpu), cpu", [[0, 2]]),
        (f"SELECT max(max), host FROM {GROUPED}, cpu", [[40, 4.0, ""]]),
        (f"SELECT max(v), host FROM {GROUPED}, cpu", [[40, 4.0, None]]),
        (
            f"SELECT top(max, host, 3) FROM {GROUPED}, cpu",
            [[10, 1.0, "a"], [20, 2.0, "b"], [40, 4.0, ""]],
        ),
        (
            f"SELECT top(max, host, 2) FROM {GROUPED}, cpu",
            [[20, 2.0, "b"], [40, 4.0, ""]],
        ),
        # The subquery's null and the stored series' '' are one tag value.
        (
            "SELECT top(v, host, 3) FROM (SELECT v, host FROM cpu), cpu",
            PICKED,
        ),
    ],
)
def test_calls_beside_the_measurement(store: Any, text: str, expected: Any) -> None:
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            f"SELECT * FROM {GROUPED}, cpu",
            [
                [10, "a", 1.0, None],
                [10, "a", None, 1.0],
                [20, "b", 2.0, None],
                [20, "b", None, 2.0],
                [40, "", 4.0, None],
                [40, None, None, 4.0],
            ],
        ),
        # The outer GROUP BY groups the subquery too: a condition on the
        # tag keeps its rows of that group and the stored ones.
        (
            "SELECT v FROM (SELECT v FROM cpu), cpu WHERE host = 'a' GROUP BY host",
            [[10, 1.0], [10, 1.0]],
        ),
        (
            f"SELECT * FROM {GROUPED}, cpu WHERE host = ''",
            [[40, "", 4.0, None], [40, None, None, 4.0]],
        ),
        (
            "SELECT * FROM (SELECT v FROM cpu), cpu",
            [
                [10, "a", 1.0],
                [10, None, 1.0],
                [20, "b", 2.0],
                [20, None, 2.0],
                [40, None, 4.0],
                [40, None, 4.0],
            ],
        ),
        (
            f"SELECT * FROM {SELECTED}, cpu",
            [
                [10, "a", "a", 1.0, None],
                [10, "a", "a", None, 1.0],
                [20, "b", "b", 2.0, None],
                [20, "b", "b", None, 2.0],
                [40, None, None, 4.0, None],
                [40, None, None, None, 4.0],
            ],
        ),
        (
            "SELECT * FROM (SELECT max(v), host FROM cpu), cpu",
            [
                [10, "a", "a", None, 1.0],
                [20, "b", "b", None, 2.0],
                [40, None, None, 4.0, None],
                [40, None, None, None, 4.0],
            ],
        ),
        (
            "SELECT * FROM (SELECT top(v, 3), host FROM cpu), cpu",
            [
                [10, "a", "a", 1.0, None],
                [10, "a", "a", None, 1.0],
                [20, "b", "b", 2.0, None],
                [20, "b", "b", None, 2.0],
                [40, None, None, 4.0, None],
                [40, None, None, None, 4.0],
            ],
        ),
    ],
)
def test_rows_beside_the_measurement(store: Any, text: str, expected: Any) -> None:
    assert _sorted(statement_values(store, text)) == _sorted(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "SELECT v, host FROM (SELECT v FROM cpu) GROUP BY host",
            [[40, 4.0, None], [10, 1.0, None], [20, 2.0, None]],
        ),
        (
            "SELECT max(v), host FROM (SELECT v FROM cpu) GROUP BY host",
            [[40, 4.0, None], [10, 1.0, None], [20, 2.0, None]],
        ),
        (
            f"SELECT v, host::tag FROM {UNGROUPED} WHERE host = 'a' GROUP BY host",
            [[10, 1.0, None]],
        ),
        ("SELECT count(host) FROM (SELECT v FROM cpu) GROUP BY host", []),
        # Only such a tag selected: no value, no row, unless a source
        # beside types the key (mem stores the tag host).
        (f"SELECT host FROM {UNGROUPED}, disk GROUP BY host", []),
        (
            f"SELECT host FROM {UNGROUPED}, mem GROUP BY host",
            [[40, None], [10, None], [20, None]],
        ),
        (
            "SELECT v, host FROM (SELECT v FROM cpu), cpu GROUP BY host",
            [
                [40, 4.0, None],
                [40, 4.0, None],
                [10, 1.0, None],
                [10, 1.0, "a"],
                [20, 2.0, None],
                [20, 2.0, "b"],
            ],
        ),
    ],
)
def test_tags_the_outer_group_by_adds(store: Any, text: str, expected: Any) -> None:
    assert statement_values(store, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # influxd types a subquery's column of a tag's values a tag beside
        # a measurement storing that tag: mem's rows hold no value of it.
        ("SELECT host FROM (SELECT host FROM cpu), mem", []),
        ("SELECT host FROM (SELECT host FROM cpu), mem GROUP BY host", []),
        (
            "SELECT host FROM (SELECT host, v FROM cpu), mem",
            [[10, "a"], [20, "b"], [40, None]],
        ),
        ("SELECT host, free FROM (SELECT host FROM cpu), mem", [[10, "a", 1]]),
        ("SELECT count(host) FROM (SELECT host FROM cpu), mem", []),
        ("SELECT first(host) FROM (SELECT host FROM cpu), mem", []),
        ("SELECT count(host) FROM (SELECT host, v FROM cpu), mem", [[0, 2]]),
        (
            "SELECT count(host), count(free) FROM (SELECT host FROM cpu), mem",
            [[0, None, 1]],
        ),
    ],
)
def test_a_column_of_tag_values_beside_a_measurement(
    store: Any, text: str, expected: Any
) -> None:
    assert statement_values(store, text) == expected
