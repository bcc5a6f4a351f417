"""LIMIT/OFFSET inside a subquery of TOP, BOTTOM, SAMPLE, DISTINCT or
HOLT_WINTERS grouped by a tag the outer query does not group by, and the
order of a raw select over a subquery of one selector, as influxd 1.6.7
answers.

The server's call iterator emits every point of one inner series before the
next, so the rows of a raw select over such a subquery come series by series
(each in time order, in either direction), and LIMIT/OFFSET slice each inner
series. Each ``conn`` test runs on the server and on the engine and expects
the server's answer; the quirk test pins where the server's answer is broken.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._common import HOSTS_DCS, Reading, at, rows
from influxpy.functions import Distinct, Sample

POINTS = HOSTS_DCS
HW = "max(v), 2, 0) FROM m WHERE time >= 0 AND time < 130 GROUP BY time(20ns), host"


@pytest.fixture
def store(conn: str) -> Any:
    backend = influxpy.get_connection(conn)
    backend.write_lines(POINTS)
    return backend


def answer(backend: Any, text: str) -> list[tuple[dict[str, str], list[list[Any]]]]:
    (result,) = list(backend.statements(text))
    assert result.error is None, result.error
    return [(s.tags, [list(v) for v in s.values]) for s in result.series]


CASES = [
    (
        "SELECT * FROM (SELECT sample(v, 10) FROM m GROUP BY host LIMIT 2)",
        [
            [70, "", 7.0],
            [10, "a", 1.0],
            [30, "a", 3.0],
            [20, "b", 2.0],
            [60, "b", 6.0],
            [40, "c", 4.0],
            [80, "c", 8.0],
        ],
    ),
    (
        "SELECT * FROM (SELECT sample(v, 10) FROM m GROUP BY host LIMIT 2 OFFSET 1)",
        [
            [30, "a", 3.0],
            [50, "a", 5.0],
            [60, "b", 6.0],
            [100, "b", 10.0],
            [80, "c", 8.0],
        ],
    ),
    (
        "SELECT * FROM (SELECT sample(v, 10) FROM m GROUP BY host OFFSET 2)",
        [
            [50, "a", 5.0],
            [90, "a", 9.0],
            [110, "a", 11.0],
            [100, "b", 10.0],
            [120, "b", 12.0],
        ],
    ),
    (
        "SELECT * FROM (SELECT distinct(v) FROM m GROUP BY host LIMIT 1)",
        [[0, 7.0, ""], [0, 1.0, "a"], [0, 2.0, "b"], [0, 4.0, "c"]],
    ),
    (
        "SELECT * FROM (SELECT distinct(v) FROM m GROUP BY host LIMIT 1 OFFSET 1)",
        [[0, 3.0, "a"], [0, 6.0, "b"], [0, 8.0, "c"]],
    ),
    (
        "SELECT * FROM (SELECT distinct(v) FROM m GROUP BY host OFFSET 1)",
        [
            [0, 3.0, "a"],
            [0, 5.0, "a"],
            [0, 9.0, "a"],
            [0, 11.0, "a"],
            [0, 6.0, "b"],
            [0, 10.0, "b"],
            [0, 12.0, "b"],
            [0, 8.0, "c"],
        ],
    ),
    (
        "SELECT count(*) FROM (SELECT distinct(v) FROM m GROUP BY host OFFSET 1)",
        [[0, 8]],
    ),
    (
        "SELECT * FROM (SELECT top(v, 3) FROM m GROUP BY host LIMIT 3)",
        [
            [70, "", 7.0],
            [50, "a", 5.0],
            [90, "a", 9.0],
            [110, "a", 11.0],
            [60, "b", 6.0],
            [100, "b", 10.0],
            [120, "b", 12.0],
            [40, "c", 4.0],
            [80, "c", 8.0],
        ],
    ),
    (
        f"SELECT * FROM (SELECT holt_winters({HW} LIMIT 1)",
        [
            [120, 12.978695940072, "a"],
            [140, 14.050427031547468, "b"],
            [100, 13.831206578064096, "c"],
        ],
    ),
    (
        f"SELECT * FROM (SELECT holt_winters({HW} LIMIT 1 OFFSET 1)",
        [
            [140, 14.936602310319273, "a"],
            [160, 16.224053009908285, "b"],
            [120, 29.536378075285917, "c"],
        ],
    ),
    # Over windows: window by window, each inner series' run sliced.
    (
        (
            "SELECT * FROM (SELECT sample(v, 10) FROM m WHERE time < 200 "
            "GROUP BY time(50ns), host LIMIT 1)"
        ),
        [
            [10, "a", 1.0],
            [20, "b", 2.0],
            [40, "c", 4.0],
            [70, "", 7.0],
            [50, "a", 5.0],
            [60, "b", 6.0],
            [80, "c", 8.0],
            [110, "a", 11.0],
            [100, "b", 10.0],
        ],
    ),
    (
        (
            "SELECT * FROM (SELECT sample(v, 10) FROM m WHERE time < 200 "
            "GROUP BY time(50ns), host LIMIT 1) ORDER BY time DESC"
        ),
        [
            [110, "a", 11.0],
            [100, "b", 10.0],
            [70, "", 7.0],
            [50, "a", 5.0],
            [60, "b", 6.0],
            [80, "c", 8.0],
            [10, "a", 1.0],
            [20, "b", 2.0],
            [40, "c", 4.0],
        ],
    ),
    (
        (
            "SELECT * FROM (SELECT sample(v, 10) FROM m WHERE time < 200 "
            "GROUP BY time(40ns, 15ns), host OFFSET 1)"
        ),
        # Host a's run goes on from window -25 into window 15.
        [[30, "a", 3.0], [50, "a", 5.0], [120, "b", 12.0]],
    ),
    (
        (
            "SELECT * FROM (SELECT top(v, 2) FROM m WHERE time < 200 "
            "GROUP BY time(50ns), host) ORDER BY time DESC"
        ),
        [
            [110, "a", 11.0],
            [100, "b", 10.0],
            [120, "b", 12.0],
            [70, "", 7.0],
            [50, "a", 5.0],
            [90, "a", 9.0],
            [60, "b", 6.0],
            [80, "c", 8.0],
            [10, "a", 1.0],
            [30, "a", 3.0],
            [20, "b", 2.0],
            [40, "c", 4.0],
        ],
    ),
    # Several aggregates of one window: whole rows, series ascending.
    (
        (
            "SELECT * FROM (SELECT max(v), min(v) FROM m WHERE time >= 0 AND "
            "time < 130 GROUP BY time(50ns), host) ORDER BY time DESC"
        ),
        [
            [100, "a", 11.0, 11.0],
            [100, "b", 12.0, 10.0],
            [50, "", 7.0, 7.0],
            [50, "a", 9.0, 5.0],
            [50, "b", 6.0, 6.0],
            [50, "c", 8.0, 8.0],
            [0, "a", 3.0, 1.0],
            [0, "b", 2.0, 2.0],
            [0, "c", 4.0, 4.0],
        ],
    ),
    # A raw select over one selector without windows: series by series.
    (
        "SELECT * FROM (SELECT max(v) FROM m GROUP BY host)",
        [[70, "", 7.0], [110, "a", 11.0], [120, "b", 12.0], [80, "c", 8.0]],
    ),
    (
        "SELECT * FROM (SELECT count(v) FROM m GROUP BY host) ORDER BY time DESC",
        [[0, 1, ""], [0, 5, "a"], [0, 4, "b"], [0, 2, "c"]],
    ),
    (
        "SELECT * FROM (SELECT max(v) FROM m GROUP BY host) ORDER BY time DESC",
        [[70, "", 7.0], [110, "a", 11.0], [120, "b", 12.0], [80, "c", 8.0]],
    ),
    (
        "SELECT * FROM (SELECT top(v, 2) FROM m GROUP BY host) ORDER BY time DESC",
        [
            [70, "", 7.0],
            [90, "a", 9.0],
            [110, "a", 11.0],
            [100, "b", 10.0],
            [120, "b", 12.0],
            [40, "c", 4.0],
            [80, "c", 8.0],
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_a_subquery_of_one_selector_streams_series_by_series(
    store: Any, text: str, expected: list[list[Any]]
) -> None:
    assert answer(store, text) == [({}, expected)]


def test_sliced_samples_of_finer_inner_series(store: Any) -> None:
    text = (
        "SELECT * FROM (SELECT sample(v, 10) FROM m GROUP BY host, dc LIMIT 1) "
        "GROUP BY host"
    )
    assert answer(store, text) == [
        ({"host": ""}, [[70, "", 7.0]]),
        ({"host": "a"}, [[10, "x", 1.0], [30, "y", 3.0]]),
        ({"host": "b"}, [[20, "x", 2.0], [60, "y", 6.0]]),
        ({"host": "c"}, [[40, "y", 4.0]]),
    ]


@pytest.mark.parametrize("call", ["top", "bottom"])
def test_a_limit_below_the_count_of_top_is_refused(store: Any, call: str) -> None:
    text = f"SELECT * FROM (SELECT {call}(v, 3) FROM m GROUP BY host LIMIT 2)"
    (result,) = list(store.statements(text))
    assert result.error == (
        f"limit (3) in {call} function can not be larger than the LIMIT (2) "
        "in the select statement"
    )


def test_sliced_queryset_subqueries(conn: str) -> None:
    """The same slices through QuerySets."""
    backend = influxpy.get_connection(conn)
    backend.write(
        Reading,
        [
            Reading(time=at(10 * k), v=float(x), host="ab"[k % 2])
            for k, x in enumerate([3, 1, 4, 1, 5, 9, 2, 6])
        ],
    )
    qs = Reading.series.using(conn)
    distinct = qs.annotate(d=Distinct("v")).group_by("host")[1:3].subquery()
    # DISTINCT lists values as it first meets them.
    assert [(r["host"], r["d"]) for r in rows(distinct)] == [
        ("a", 4.0),
        ("a", 5.0),
        ("b", 9.0),
        ("b", 6.0),
    ]
    sample = qs.annotate(s=Sample("v", 10)).group_by("host")[1:3].subquery()
    assert [(r["time"], r["host"]) for r in rows(sample)] == [
        (at(20), "a"),
        (at(40), "a"),
        (at(30), "b"),
        (at(50), "b"),
    ]


def test_quirk_offset_inside_a_subquery_of_top(both: tuple[str, str]) -> None:
    """The server pushes LIMIT and OFFSET down to each stored series before
    TOP ranks the points (the quirk of TOP with LIMIT): inside a subquery
    grouped by a tag the outer query does not group by, an OFFSET leaves
    nothing, and a LIMIT ranks a truncated input. The engine slices the
    points TOP picks in each inner series, in time order."""
    server, engine = both
    for alias in both:
        influxpy.get_connection(alias).write_lines(POINTS)
    offset = "SELECT * FROM (SELECT top(v, 3) FROM m GROUP BY host LIMIT 3 OFFSET 1)"
    limit = "SELECT * FROM (SELECT top(v, 2) FROM m GROUP BY host LIMIT 2)"
    on_server = influxpy.get_connection(server)
    on_engine = influxpy.get_connection(engine)
    assert answer(on_server, offset) == []
    assert answer(on_engine, offset) == [
        (
            {},
            [
                [90, "a", 9.0],
                [110, "a", 11.0],
                [100, "b", 10.0],
                [120, "b", 12.0],
                [80, "c", 8.0],
            ],
        )
    ]
    assert answer(on_server, limit)[0][1][1:3] == [[50, "a", 5.0], [90, "a", 9.0]]
    assert answer(on_engine, limit)[0][1][1:3] == [[90, "a", 9.0], [110, "a", 11.0]]


#: Five hosts over two data centres, points every 7 ns.
SPREAD = [f"m,host=h{k % 5},dc=d{k % 2} v={k} {k * 7}" for k in range(60)]


WINDOWED = (
    "SELECT * FROM (SELECT {call} FROM m WHERE time >= 0 AND time < 420 "
    "GROUP BY time(50ns), host{more}) ORDER BY time DESC"
)
SPREAD_TEXTS = [
    WINDOWED.format(call="{call}", more=""),
    WINDOWED.format(call="{call}", more=", dc").replace(
        "ORDER BY", "GROUP BY dc ORDER BY"
    )
    + " LIMIT 7",
]


@pytest.mark.parametrize(
    "call",
    [
        "max(v)",
        "mean(v)",
        "count(v)",
        "first(v)",
        "difference(max(v))",
        "derivative(mean(v))",
        "moving_average(max(v), 2)",
    ],
)
@pytest.mark.parametrize("text", SPREAD_TEXTS)
def test_windows_of_a_subquery_in_descending_order_list_series_ascending(
    conn: str, call: str, text: str
) -> None:
    """Window by window, latest first; in each window the inner series by
    series key ascending (the server's call iterator, not its heap)."""
    backend = influxpy.get_connection(conn)
    backend.write_lines(SPREAD)
    at_times: dict[tuple[int, int], list[str]] = {}
    for n, (_tags, found) in enumerate(answer(backend, text.format(call=call))):
        times = [row[0] for row in found]
        assert times == sorted(times, reverse=True)
        for row in found:
            host = next(r for r in row if isinstance(r, str) and r.startswith("h"))
            at_times.setdefault((n, row[0]), []).append(host)
    assert any(len(hosts) > 1 for hosts in at_times.values())
    assert all(hosts == sorted(hosts) for hosts in at_times.values())
