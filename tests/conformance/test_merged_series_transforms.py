"""Transformations of raw points over merged series with points at one time.

Without GROUP BY, ``WHERE host = 'a'`` merges the series of dc x and dc y,
which hold points at the same times. influxd's DIFFERENCE and DERIVATIVE
reducers skip a point that does not advance time, so of the points at one
time they read one: the first its merge heap pops (the engine replays the
heap, ``compilers/duckdb/point_order.py``); both give one row per time.
"""

from __future__ import annotations

import math

import pytest

import influxpy

LINES = [
    "m,host=a,dc=x v=1 1",
    "m,host=a,dc=y v=5 1",
    "m,host=a,dc=x v=2 2",
    "m,host=a,dc=y v=7 3",
    "m,host=a,dc=x v=4 3",
    "m,host=a,dc=x v=9 4",
]


@pytest.mark.parametrize(
    ("call", "ascending", "descending"),
    [
        (
            "difference(v)",
            [(2, 1.0), (3, 5.0), (4, 2.0)],
            [(3, -2.0), (2, -5.0), (1, 3.0)],
        ),
        (
            "derivative(v, 1ns)",
            [(2, 1.0), (3, 5.0), (4, 2.0)],
            [(3, -2.0), (2, -5.0), (1, 3.0)],
        ),
        ("non_negative_difference(v)", [(2, 1.0), (3, 5.0), (4, 2.0)], [(1, 3.0)]),
    ],
)
def test_merged_points_at_one_time_read_once(
    both: tuple[str, str],
    call: str,
    ascending: list[tuple[int, float]],
    descending: list[tuple[int, float]],
) -> None:
    """One row per time, with finite values (the engine once computed a row
    per point, an infinite derivative at a repeated time): of the points of
    one time the first its merge heap pops, as on the server."""
    for order, expected in (("", ascending), (" ORDER BY time DESC", descending)):
        text = f"SELECT {call} FROM m WHERE host = 'a'{order}"
        got = []
        for alias in both:
            backend = influxpy.get_connection(alias)
            backend.create_database("merged")
            backend.write_lines(LINES, database="merged")
            got.append(
                [
                    (p["time"], p[call.split("(")[0]])
                    for r in backend.query(text, database="merged", epoch="ns")
                    for p in r.points
                ]
            )
        server, engine = got
        assert engine == server
        assert all(math.isfinite(v) for _t, v in engine)
        assert len({t for t, _v in engine}) == len(engine)
        assert engine == expected
