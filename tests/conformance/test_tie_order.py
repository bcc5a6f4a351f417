"""Raw rows of two series at one time, on both backends, each case
expecting InfluxDB 1.6.7's answer.

With two series in a measurement, influxd's merge meets them in series-key
order, so the rows of one time come in that order (the mirror of it in
descending order): the key written ``m,k1=v1,k2=v2`` with the tags a series
has, so a series without a tag goes before one with it only when no later
tag follows (``m`` before ``m,t=a``, but ``m,t=x,u=a`` before ``m,u=v``),
and ``t1`` before ``t`` (``1`` sorts before ``=``). With three or more
series the order is its merge heap's, which the engine replays.
"""

from __future__ import annotations

import pytest

import influxpy

#: Measurements of two series each, with points at one time.
LINES = [
    "a,t=x,u=a f=1 2",
    "a,u=v f=2 2",
    "b,t1=x f=4 3",
    "b,t=b f=5 3",
    "c f=6 4",
    "c,t=a f=7 4",
    "d,t=a,u=q f=9 5",
    "d,t=ab f=8 5",
    "e,t=b f=12 7",
    "e,t=b,u=c f=13 7",
    "g,u=a f=14 8",
    "g,t=z,u=a f=15 8",
]


def _values(alias: str, text: str) -> list[float]:
    backend = influxpy.get_connection(alias)
    backend.create_database("ties")
    backend.write_lines(LINES, database="ties")
    results = backend.query(text, database="ties", epoch="ns")
    return [point["f"] for result in results for point in result.points]


@pytest.mark.parametrize(
    ("measurement", "ascending"),
    [
        ("a", [1, 2]),
        ("b", [4, 5]),
        ("c", [6, 7]),
        ("d", [9, 8]),
        ("e", [12, 13]),
        ("g", [15, 14]),
    ],
)
@pytest.mark.parametrize("descending", [False, True])
def test_rows_of_two_series_at_one_time_in_series_key_order(
    conn: str, measurement: str, ascending: list[float], descending: bool
) -> None:
    order = " ORDER BY time DESC" if descending else ""
    got = _values(conn, f"SELECT f FROM {measurement}{order}")
    assert got == (ascending[::-1] if descending else ascending)
    star = _values(conn, f"SELECT * FROM {measurement}{order}")
    assert star == got


def test_rows_of_five_series_at_one_time_in_heap_order(both: tuple[str, str]) -> None:
    """Five series with a point each at one time: influxd's merge heap pops
    them in an order of its own (not the series keys'), which the engine
    replays (``test_heap_order.py``)."""
    lines = ["h,t=a,u=b f=1 2", "h,u=c f=2 2", "h f=3 2", "h,t1=x f=4 2", "h,t=b f=5 2"]
    answers = []
    for alias in both:
        backend = influxpy.get_connection(alias)
        backend.create_database("ties_five")
        backend.write_lines(lines, database="ties_five")
        results = backend.query("SELECT f FROM h", database="ties_five")
        answers.append([point["f"] for result in results for point in result.points])
    server, engine = answers
    assert engine == server
    assert engine != [3, 4, 1, 5, 2]  # the series keys' order


def test_rows_of_a_grouped_subquery_at_one_time_compare_its_tags_value_by_value(
    conn: str,
) -> None:
    """A subquery's rows carry every tag it groups by ('' where a series has
    none): influxd's merge of three such series at one time compares them
    value by value (t1 then t2), not by the stored series' keys."""
    lines = [
        "s f=0 1577836800000000000",
        "s,t2=x f=0.5 1577836800000000000",
        "s,t1=a f=0.125 1577836800000000000",
    ]
    backend = influxpy.get_connection(conn)
    backend.create_database("ties_sub")
    backend.write_lines(lines, database="ties_sub")
    text = "SELECT m FROM (SELECT top(f, 1) AS m FROM s GROUP BY t1, t2)"
    results = backend.query(text, database="ties_sub")
    assert [p["m"] for r in results for p in r.points] == [0.0, 0.5, 0.125]
