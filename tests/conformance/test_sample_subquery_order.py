"""SAMPLE beside other calls, and calls of SAMPLE, in descending order
inside a subquery, on both backends.

The outer query reads the subquery's rows in the order influxd's cursor
emits them: each call's iterator gives its rows window by window (latest
first), each window's series by tag values ascending, SAMPLE's points in
time order inside a window; the cursor takes the largest (inner tags,
time) among the calls' next rows. Grouped by a tag the outer query does
not group by, the inner series' rows interleave window by window.
Technical analysis of SAMPLE reads the points in that order too. N is at
least every window's point count, so SAMPLE keeps every point.
"""

from __future__ import annotations

from typing import Any

import pytest

import influxpy
from conformance._common import S, at, stored

T0 = at(0)


def _line(host: str, dc: str, seconds: int, v: float, n: int) -> str:
    return f"conformance,host={host},dc={dc} v={v},n={n}i {T0 + seconds * 10**9}"


#: Points of two hosts, several in some 30 s windows, off the grid but one.
LINES = [
    _line("a", "x", 40, 3.0, 1),
    _line("a", "y", 60, 4.0, 2),
    _line("a", "x", 62, 2.0, 3),
    _line("a", "y", 80, 1.0, 0),
    _line("a", "x", 102, 0.0, 2),
    _line("b", "x", 33, 1.0, 3),
    _line("b", "y", 51, 0.0, 1),
    _line("b", "x", 91, 3.0, 0),
    _line("b", "y", 113, 2.0, 3),
]
WHERE = f"WHERE time >= {at(15)} AND time < {at(120)}"


def answer(conn: str, text: str) -> Any:
    """Tags and rows (times in seconds from ``at(0)``) of each series."""
    (result,) = list(influxpy.get_connection(conn).statements(text))
    assert result.error is None, (text, result.error)
    return [
        (s.tags, [[(v[0] - T0) / 1e9, *v[1:]] for v in s.values]) for s in result.series
    ]


def test_inner_series_interleave_window_by_window(conn: str) -> None:
    """Grouped by host inside only: the hosts' rows come window by window,
    a window's rows of one host wait behind the other host's while the
    cursor prefers the larger tags."""
    stored(conn, LINES)
    text = (
        f"SELECT * FROM (SELECT sample(v, 20), max(v) FROM conformance {WHERE} "
        "GROUP BY time(30s), host ORDER BY time DESC) ORDER BY time DESC"
    )
    assert answer(conn, text) == [
        (
            {},
            [
                [102.0, "a", None, 0.0],
                [91.0, "b", None, 3.0],
                [113.0, "b", None, 2.0],
                [90.0, "a", 0.0, None],
                [90.0, "b", 3.0, None],
                [60.0, "a", 4.0, 4.0],
                [62.0, "a", None, 2.0],
                [80.0, "a", None, 1.0],
                [40.0, "a", None, 3.0],
                [33.0, "b", None, 1.0],
                [51.0, "b", None, 0.0],
                [30.0, "a", 3.0, None],
                [30.0, "b", 1.0, None],
            ],
        )
    ]


def test_sliced_inner_calls_of_sample_beside_others(conn: str) -> None:
    """LIMIT/OFFSET inside, grouped by a tag the outer query does not group
    by: each call's points are counted by runs of one inner series in its
    iterator's order (window by window), then the cursor pairs them."""
    stored(conn, LINES)
    text = (
        f"SELECT * FROM (SELECT sample(v, 20), max(v) FROM conformance {WHERE} "
        "GROUP BY time(30s), host LIMIT 3 OFFSET 1)"
    )
    assert answer(conn, text) == [
        (
            {},
            [
                [90.0, "a", 0.0, None],
                [51.0, "b", None, 0.0],
                [62.0, "a", None, 2.0],
                [80.0, "a", None, 1.0],
                [102.0, "a", None, 0.0],
                [113.0, "b", None, 2.0],
            ],
        )
    ]


@pytest.mark.parametrize(
    "text",
    [
        (
            "SELECT * FROM (SELECT sample(v, 20), max(v) FROM conformance {w} "
            "GROUP BY time(30s), host ORDER BY time DESC) GROUP BY host "
            "ORDER BY time DESC"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20), max(v), min(n) FROM conformance {w} "
            "GROUP BY time(30s), host, dc ORDER BY time DESC) GROUP BY dc "
            "ORDER BY time DESC"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20), max(v) FROM conformance {w} "
            "GROUP BY time(30s), host ORDER BY time DESC) ORDER BY time DESC "
            "LIMIT 5 OFFSET 2"
        ),
        (
            "SELECT sample + max FROM (SELECT sample(v, 20), max(v) FROM conformance "
            "{w} GROUP BY time(30s), host ORDER BY time DESC) ORDER BY time DESC"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20), max(v) FROM conformance {w} "
            "GROUP BY time(30s), host ORDER BY time DESC) WHERE sample > 1 OR max > 0 "
            "ORDER BY time DESC"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20), count(v) FROM conformance {w} "
            "ORDER BY time DESC) ORDER BY time DESC"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20), mean(n) FROM conformance {w} "
            "GROUP BY time(30s), host fill(previous) ORDER BY time DESC) "
            "GROUP BY host ORDER BY time DESC"
        ),
        (
            "SELECT max(sample), min(max) FROM (SELECT sample(v, 20), max(v) "
            "FROM conformance {w} GROUP BY time(30s), host ORDER BY time DESC) "
            "{w} GROUP BY time(1m) ORDER BY time DESC"
        ),
        (
            "SELECT * FROM (SELECT derivative(sample(v, 20)) FROM conformance {w} "
            "GROUP BY time(30s) ORDER BY time DESC) ORDER BY time DESC"
        ),
        (
            "SELECT * FROM (SELECT derivative(sample(v, 20)) FROM conformance {w} "
            "GROUP BY time(30s), host ORDER BY time DESC) ORDER BY time DESC"
        ),
        (
            "SELECT * FROM (SELECT derivative(sample(v, 20)), count(v) "
            "FROM conformance {w} GROUP BY time(30s), host ORDER BY time DESC) "
            "ORDER BY time DESC"
        ),
        (
            "SELECT * FROM (SELECT exponential_moving_average(sample(v, 20), 2) "
            "FROM conformance {w} GROUP BY time(30s), host ORDER BY time DESC) "
            "ORDER BY time DESC"
        ),
        (
            "SELECT exponential_moving_average(sample(v, 20), 2) FROM conformance {w} "
            "GROUP BY time(30s) ORDER BY time DESC"
        ),
        (
            "SELECT derivative(exponential_moving_average(sample(v, 20), 2)) "
            "FROM conformance {w} GROUP BY time(30s) ORDER BY time DESC"
        ),
        (
            "SELECT kaufmans_efficiency_ratio(derivative(sample(v, 20)), 2) "
            "FROM conformance {w} GROUP BY time(30s) ORDER BY time DESC"
        ),
        (
            "SELECT triple_exponential_moving_average(sample(v, 20), 2), max(v) "
            "FROM conformance {w} GROUP BY time(30s), host ORDER BY time DESC"
        ),
        (
            "SELECT chande_momentum_oscillator(sample(n, 20), 2) FROM conformance {w} "
            "GROUP BY time(30s), host ORDER BY time DESC"
        ),
        (
            "SELECT relative_strength_index(sample(n, 20), 2) FROM conformance {w} "
            "GROUP BY time(30s), host ORDER BY time DESC LIMIT 2 OFFSET 1"
        ),
        (
            "SELECT double_exponential_moving_average(sample(n, 20), 2) "
            "FROM conformance {w} GROUP BY time(30s) tz('Europe/Paris')"
        ),
        (
            "SELECT holt_winters_with_fit(sample(v, 20), 2, 1) FROM conformance {w} "
            "GROUP BY time(30s), host"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20), max(v) FROM conformance {w} "
            "GROUP BY time(30s), host LIMIT 3 OFFSET 1) ORDER BY time DESC"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20), max(v) FROM conformance {w} "
            "GROUP BY time(30s), host LIMIT 2)"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20), max(v), min(n) FROM conformance "
            "{w} GROUP BY time(30s), host, dc LIMIT 2 OFFSET 1) GROUP BY dc"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20), max(v) FROM conformance {w} "
            "GROUP BY time(30s), host OFFSET 2) ORDER BY time DESC"
        ),
        (
            "SELECT mean(sample), count(max) FROM (SELECT sample(v, 20), max(v) "
            "FROM conformance {w} GROUP BY time(30s), host LIMIT 2)"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20), sample(v, 20) * 2 "
            "FROM conformance {w} GROUP BY time(30s), host LIMIT 2 OFFSET 1)"
        ),
        (
            "SELECT * FROM (SELECT derivative(sample(v, 20)), max(v) "
            "FROM conformance {w} GROUP BY time(30s), host LIMIT 2 OFFSET 1) "
            "ORDER BY time DESC"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20), count(v) FROM conformance {w} "
            "GROUP BY host)"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20), count(v) FROM conformance {w} "
            "GROUP BY host LIMIT 3 OFFSET 1)"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20) + max(v), max(v) FROM conformance "
            "{w} GROUP BY time(30s), host LIMIT 3 OFFSET 1)"
        ),
        (
            "SELECT * FROM (SELECT sample(v, 20) + max(v), min(v) FROM conformance "
            "{w} GROUP BY time(30s), host ORDER BY time DESC) ORDER BY time DESC"
        ),
    ],
)
def test_calls_of_sample_read_in_the_servers_order(
    both: tuple[str, str], text: str
) -> None:
    server, engine = both
    for alias in both:
        stored(alias, LINES)
    query = text.format(w=WHERE)
    expected = answer(server, query)
    assert expected
    assert answer(engine, query) == expected


def test_quirk_holt_winters_of_sample_in_descending_order(
    both: tuple[str, str],
) -> None:
    """The server's HOLT_WINTERS of SAMPLE in descending order answers
    nothing (as of an aggregate: ``test_quirk_holt_winters_in_descending_order``);
    the engine forecasts in time order and gives the ascending rows latest
    first."""
    server, engine = both
    for alias in both:
        stored(alias, LINES)
    text = (
        f"SELECT holt_winters(sample(v, 20), 2, 1) FROM conformance {WHERE} "
        "GROUP BY time(30s)"
    )
    ascending = answer(server, text)
    assert ascending
    assert answer(server, f"{text} ORDER BY time DESC") == []
    assert answer(engine, text) == ascending
    ((tags, rows),) = ascending
    assert answer(engine, f"{text} ORDER BY time DESC") == [(tags, rows[::-1])]


def test_quirk_a_sample_point_after_its_window_in_descending_outer_windows(
    both: tuple[str, str],
) -> None:
    """SAMPLE beside calls inside 60 s windows, read by 30 s outer windows in
    descending order: influxd reads the SAMPLE point at +30 s after the row
    of its inner window at +0, so the +30 s window comes twice, the second
    time out of order. The engine gives each window once, latest first."""
    lines = ["m f=0 {t}", "m,t2=x f=0 {t}", "m,t2=x f=0 {t30}"]
    for alias in both:
        stored(alias, [line.format(t=T0, t30=T0 + 30 * S) for line in lines])
    text = (
        "SELECT mean(m) AS o FROM (SELECT mean(f) + count(f) AS m, "
        "sample(f, 40) AS s FROM m GROUP BY t2, time(60s) fill(0)) "
        f"WHERE time >= {T0} AND time < {T0 + 120 * S} "
        "GROUP BY t2, time(30s) ORDER BY time DESC"
    )
    server, engine = (influxpy.get_connection(alias) for alias in both)
    assert _seconds_of_x(server, text) == [90, 60, 30, 0, 30]
    assert _seconds_of_x(engine, text) == [90, 60, 30, 0]


def _seconds_of_x(backend: Any, text: str) -> list[int]:
    """The times (seconds after T0) of the rows of the series t2=x."""
    (result,) = list(backend.statements(text))
    assert result.error is None, result.error
    (found,) = [s for s in result.series if (s.tags or {}).get("t2") == "x"]
    return [(row[0] - T0) // S for row in found.values]
