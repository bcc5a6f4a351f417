"""SHOW SERIES with time in its WHERE, as influxd 1.6.7 answers it.

influxd then answers from a SELECT over the series of the shard groups the
time range overlaps, not from its index: a series is listed when it has a
point in one of those groups (before the range's start too), the
conditions on time are taken out of the condition (``time > x OR host =
'a'`` reads ``host = 'a'``), and a field's key, an ordering or a number in
it is never true. Both backends
hold points in three weekly shard groups.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import influxpy

DAY = 86_400 * 10**9
T0 = 1_577_836_800 * 10**9  # 2020-01-01
LINES = [
    f"cpu,host=a v=1 {T0}",
    f"cpu,host=b v=3 {T0 + 20 * DAY}",
    f"mem,host=c free=2i {T0 + 40 * DAY}",
]


@pytest.fixture
def stores(both: tuple[str, str]) -> Iterator[list[Any]]:
    backends = [influxpy.get_connection(alias) for alias in both]
    for backend in backends:
        backend.create_database("shows")
        backend.write_lines(LINES, database="shows")
    yield backends
    for backend in backends:
        backend.drop_database("shows")


@pytest.mark.parametrize(
    "text",
    [
        "SHOW SERIES WHERE time > '2020-01-10T00:00:00Z'",
        # b's point is before the range, in the shard group it overlaps.
        "SHOW SERIES WHERE time > '2020-01-21T00:00:01Z'",
        "SHOW SERIES WHERE time < '2020-01-03' AND time > '2019-12-31'",
        "SHOW SERIES WHERE time > '2020-01-10T00:00:00Z' AND host = 'b'",
        "SHOW SERIES FROM cpu WHERE time > '2020-01-10T00:00:00Z'",
        "SHOW SERIES WHERE time > '2020-01-10T00:00:00Z' AND v > 1",
        "SHOW SERIES WHERE time > '2020-01-10T00:00:00Z' AND free = 2",
        "SHOW SERIES WHERE time > now()",
        "SHOW SERIES WHERE time > '2019-01-01T00:00:00Z' LIMIT 1 OFFSET 1",
        # Time is taken out of the condition, also from an OR. (Which
        # shard groups a time inside an OR selects is not known yet: the
        # engine reads them all.)
        "SHOW SERIES WHERE (time > '2020-01-10' OR host = 'a') AND host = 'b'",
        "SHOW SERIES WHERE time > '2020-01-10T00:00:00Z' OR v > 1",
    ],
)
def test_show_series_with_time(stores: list[Any], text: str) -> None:
    server, engine = (
        [(r.name, r.tags, r.points) for r in backend.query(text, database="shows")]
        for backend in stores
    )
    assert engine == server
