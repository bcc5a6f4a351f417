"""A subquery's column without a type in the outer query's WHERE, on both
backends.

A column of a field that exists nowhere (``SELECT v, zz FROM cpu``) is null
in every row. influxd evaluates the outer condition on each row, where
that column is a missing value whatever the cast: compared with a string,
a number or a regex it matches nothing (``!=`` and ``!~`` too), and beside
a boolean it reads as ``false``. A name the subquery does not select at
all is read as a tag instead, '' everywhere.
"""

from __future__ import annotations

import pytest

from conformance._common import T0, statement_values, stored

LINES = [
    f"mem free=1i {T0}",
    f'cpu,host=a v=1.5,n=2i,s="p" {T0}',
    f"cpu,host=b v=2.5,n=3i {T0 + 10 * 10**9}",
    f"cpu,host=a v=3.5 {T0 + 20 * 10**9}",
]
EVERY_ROW = [
    [T0, 1.5, None],
    [T0 + 10 * 10**9, 2.5, None],
    [T0 + 20 * 10**9, 3.5, None],
]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("zz = ''", []),
        ("zz != ''", []),
        ("zz =~ /.*/", []),
        ("zz !~ /x/", []),
        ("zz::string = ''", []),
        ("zz::tag = ''", []),
        ("zz::tag !~ /x/", []),
        ("zz = 'a' OR zz != 'a'", []),
        ("zz = 1", []),
        ("zz != 1", []),
        ("zz::float != 1", []),
        ("zz = false", EVERY_ROW),
        ("zz != true", EVERY_ROW),
        ("zz = true", []),
        ("zz != false", []),
        ("zz < true", []),
        ("zz::boolean = false", EVERY_ROW),
        ("zz::field = false", EVERY_ROW),
        ("zz::tag = false", EVERY_ROW),
        ("zz::string = false", EVERY_ROW),
        ("zz = false AND v > 2", EVERY_ROW[1:]),
    ],
)
def test_a_typeless_column_is_a_missing_value(
    conn: str, condition: str, expected: list[list[object]]
) -> None:
    backend = stored(conn, LINES)
    text = f"SELECT * FROM (SELECT v, zz FROM cpu) WHERE {condition}"
    assert statement_values(backend, text) == expected


def test_a_name_the_subquery_lacks_is_a_tag(conn: str) -> None:
    """Not selected inside at all: read as a tag, '' in every row."""
    backend = stored(conn, LINES)
    text = "SELECT * FROM (SELECT v FROM cpu) WHERE zz = ''"
    assert statement_values(backend, text) == [[r[0], r[1]] for r in EVERY_ROW]


def test_a_typeless_column_beside_an_aggregate(conn: str) -> None:
    backend = stored(conn, LINES)
    text = "SELECT * FROM (SELECT max(v), zz FROM cpu) WHERE zz = false"
    assert statement_values(backend, text) == [[T0 + 20 * 10**9, 3.5, None]]


@pytest.mark.parametrize(
    ("text", "columns"),
    [
        ("SELECT * FROM (SELECT zz FROM cpu), cpu", ["host", "n", "s", "v", "zz"]),
        (
            "SELECT * FROM (SELECT zz FROM cpu GROUP BY host), cpu",
            ["host", "n", "s", "v", "zz"],
        ),
        (
            "SELECT * FROM (SELECT max(zz) FROM cpu), cpu",
            ["host", "max", "n", "s", "v"],
        ),
        # The subquery's group tags are listed too (null in the rows of mem).
        ("SELECT * FROM (SELECT zz FROM cpu GROUP BY *), mem", ["free", "host", "zz"]),
    ],
)
def test_listed_beside_another_source(conn: str, text: str, columns: list[str]) -> None:
    """Beside another source, ``*`` lists a subquery's columns of no type
    (null), also where the subquery alone answers nothing."""
    backend = stored(conn, LINES)
    (result,) = list(backend.statements(text))
    assert result.error is None, result.error
    (series,) = result.series
    assert list(series.columns) == ["time", *columns]
    at = series.columns.index("max" if "max" in columns else "zz")
    assert [row[at] for row in series.values] == [None] * len(series.values)


def test_a_column_of_a_tag_beside_another_source(conn: str) -> None:
    """A subquery column of a tag's values is typed a tag, also where the
    subquery reads nothing: beside it a measurement lists it and reads its
    own tag there (``host``, and the tag itself as ``host_1``)."""
    backend = stored(conn, ["cpu,host=a v=1 10", "mem,host=b free=2i 20"])
    text = "SELECT * FROM (SELECT host FROM cpu WHERE host = 'zz'), mem"
    assert statement_values(backend, text) == [[20, 2, "b", "b"]]
