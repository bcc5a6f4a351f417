"""Server quirks the engine deliberately does not copy.

Each test pins what InfluxDB 1.6.7 answers and what the embedded engine
answers instead. The differential tests never draw these shapes.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import (
    T0,
    Reading,
    S,
    at,
    column,
    rows,
    series,
    statement_values,
    stored,
    write,
    write_both,
)
from influxpy import get_connection
from influxpy.durations import Second
from influxpy.exceptions import ProgrammingError
from influxpy.functions import (
    Abs,
    Bottom,
    Count,
    Derivative,
    Difference,
    Distinct,
    First,
    HoltWinters,
    HoltWintersWithFit,
    Integral,
    Last,
    Max,
    Mean,
    Pow,
    Sqrt,
    Sum,
    Top,
)


def test_bare_first_and_last_across_series_answer_as_the_server(
    both: tuple[str, str],
) -> None:
    """§6.5: ties between series at one time keep the larger value, except
    a bare FIRST/LAST without windows on the server, which keeps the larger
    of the two points its merge passes first (tests/conformance/
    test_edge_picks.py): not the largest here. The engine answers the same."""
    server, engine = both
    write_both(
        both,
        Reading(time=at(0), v=5.0, host="a"),
        Reading(time=at(0), v=9.0, host="b"),
        Reading(time=at(0), v=1.0, host="c"),
    )
    for call, name in ((First("v"), "first"), (Last("v"), "last")):
        expected = column(Reading.series.using(server).annotate(call), name)
        assert expected != [9.0]
        assert column(Reading.series.using(engine).annotate(call), name) == expected


def test_quirk_integral_next_to_other_functions_splits_rows(
    conn: str,
) -> None:
    """A float INTEGRAL is stamped 0 while the other calls take the lower
    bound, so the row splits in two; both backends answer the same."""
    write(conn, *(Reading(time=at(10 * k), v=float(k)) for k in range(4)))
    qs = Reading.series.using(conn).filter(time__gte=at(0))
    assert rows(qs.annotate(Integral("v"), Mean("v"))) == [
        {"time": 0, "integral": 45.0, "mean": None},
        {"time": at(0), "integral": None, "mean": 1.5},
    ]
    assert rows(Reading.series.using(conn).annotate(Integral("v"), Count("v"))) == [
        {"time": 0, "integral": 45.0, "count": 4}
    ]


@pytest.mark.parametrize("call", [Distinct("v"), Top("v", 2), Bottom("v", 2)])
def test_distinct_top_bottom_only_alone(both: tuple[str, str], call: Any) -> None:
    """Both backends refuse them beside other calls, in influxd's words."""
    write_both(both, *(Reading(time=at(k), v=float(k)) for k in range(5)))
    for alias in both:
        with pytest.raises(ProgrammingError, match="cannot be combined") as caught:
            list(Reading.series.using(alias).annotate(call, Count("v")))
        assert f"function {call.name}() cannot be combined" in str(caught.value)


def test_open_ended_slices_return_every_row_after_the_offset(
    both: tuple[str, str],
) -> None:
    """qs[2:] is every row from the third on, on both backends.

    1.6.7 answers OFFSET without LIMIT with the single row at the offset, so
    the InfluxQL compiler spells the missing LIMIT out.
    """
    write_both(both, *(Reading(time=at(10 * k), v=float(k)) for k in range(5)))
    for alias in both:
        assert column(Reading.series.using(alias).only("v")[2:], "v") == [2.0, 3.0, 4.0]
        assert column(Reading.series.using(alias).only("v")[2:4], "v") == [2.0, 3.0]


def test_series_offset_without_series_limit_skips_series(
    both: tuple[str, str],
) -> None:
    """series_offset(1) skips the first series, on both backends.

    1.6.7 answers SOFFSET without SLIMIT with nothing, so the InfluxQL
    compiler spells the missing SLIMIT out.
    """
    write_both(
        both, *(Reading(time=at(k), v=float(k), host="abc"[k]) for k in range(3))
    )
    for alias in both:
        qs = Reading.series.using(alias).only("v").group_by("host").series_offset(1)
        assert [t["host"] for t, _ in series(qs)] == ["b", "c"]


def test_quirk_top_with_limit_ranks_a_truncated_input(both: tuple[str, str]) -> None:
    """The server pushes LIMIT down to each stored series before TOP ranks
    the points, so TOP(v, 1) LIMIT 1 misses the maximum."""
    server, engine = both
    values = [5.0, 1.0, 9.0, 2.0]
    write_both(
        both,
        *(
            Reading(time=at(10 * k), v=x, host="ab"[k % 2])
            for k, x in enumerate(values)
        ),
    )
    assert column(Reading.series.using(server).annotate(Top("v", 1))[:1], "top") == [
        5.0
    ]
    assert column(Reading.series.using(engine).annotate(Top("v", 1))[:1], "top") == [
        9.0
    ]


def test_quirk_abs_of_an_integer(both: tuple[str, str]) -> None:
    """The server's abs() returns an integer unchanged."""
    server, engine = both
    write_both(both, Reading(time=at(0), n=-5))
    assert column(Reading.series.using(server).annotate(Abs("n")), "abs") == [-5]
    assert column(Reading.series.using(engine).annotate(Abs("n")), "abs") == [5]


def test_quirk_transformation_of_an_aggregate_needs_a_lower_bound(
    both: tuple[str, str],
) -> None:
    """Without a lower bound the server's look-back window overflows and it
    answers nothing; the engine computes the derivative."""
    server, engine = both
    write_both(both, *(Reading(time=at(20 * k), v=float(k * k)) for k in range(4)))

    def query(alias: str) -> Any:
        return (
            Reading.series.using(alias)
            .filter(time__lt=at(80))
            .annotate(Derivative(Mean("v")))
            .resolution(Second(20))
        )

    assert rows(query(server)) == []
    assert column(query(engine), "derivative") == [1.0, 3.0, 5.0]


@pytest.mark.parametrize("change", [Difference, Derivative])
def test_quirk_windows_over_a_raw_transformation_need_a_lower_bound(
    both: tuple[str, str], change: Any
) -> None:
    """Outer windows over a subquery of DIFFERENCE or DERIVATIVE of raw
    points pass their look-back to the inner call: without a lower bound it
    overflows and the server answers nothing (CUMULATIVE_SUM, which looks
    back at nothing, is answered); the engine gives each window's mean."""
    server, engine = both
    write_both(both, *(Reading(time=at(10 * k), v=float(k * k)) for k in range(5)))

    def query(alias: str, lower: bool = False) -> Any:
        qs = Reading.series.using(alias).annotate(m=change("v")).subquery()
        if lower:
            qs = qs.filter(time__gte=at(0))
        return qs.filter(time__lt=at(60)).annotate(o=Mean("m")).resolution(Second(30))

    assert rows(query(server)) == []
    # A derivative without a unit is per outer interval (30 s).
    expected = [2.0, 6.0] if change is Difference else [6.0, 18.0]
    assert column(query(engine), "o") == expected
    assert column(query(server, lower=True), "o") == expected


def test_quirk_integral_with_group_by_orders_series_arbitrarily(
    both: tuple[str, str],
) -> None:
    """The values agree; only the server's series order is not by tags."""
    write_both(
        both,
        *(
            Reading(time=at(10 * k), v=float(k), host=host)
            for host in "abc"
            for k in range(3)
        ),
    )
    results = []
    for alias in both:
        qs = Reading.series.using(alias).annotate(Integral("v")).group_by("host")
        results.append(sorted((t["host"], p["integral"]) for t, (p,) in series(qs)))
    assert results[0] == results[1] == [("a", 20.0), ("b", 20.0), ("c", 20.0)]
    engine_qs = Reading.series.using(both[1]).annotate(Integral("v")).group_by("host")
    assert [t["host"] for t, _ in series(engine_qs)] == ["a", "b", "c"]


def test_quirk_integer_integral_in_descending_order(both: tuple[str, str]) -> None:
    """The server stamps it with the upper bound + 1 ns and may add a second
    row; the engine gives one row stamped with the lower bound."""
    server, engine = both
    write_both(both, *(Reading(time=at(10 * k), n=k) for k in range(3)))

    def query(alias: str) -> Any:
        return (
            Reading.series.using(alias)
            .filter(time__gte=at(0), time__lt=at(60))
            .annotate(Integral("n"))
            .order_by("-time")
        )

    assert rows(query(server))[0]["time"] == at(60)
    assert rows(query(engine)) == [{"time": at(0), "integral": -20.0}]


def test_quirk_grouped_integral_over_windows_splits_series(
    both: tuple[str, str],
) -> None:
    """With GROUP BY tags the server may emit a series' last window after
    other series, as a second series with the same tags; the engine gives
    one series per tag set. The values agree."""
    write_both(
        both,
        *(
            Reading(time=at(10 * k + j), v=float(k * k), host=host)
            for j, host in enumerate("ab")
            for k in range(6)
        ),
    )
    server, engine = both

    def query(alias: str) -> Any:
        return (
            Reading.series.using(alias)
            .filter(time__gte=at(0), time__lt=at(60))
            .annotate(Integral("v"))
            .resolution(Second(20))
            .group_by("host")
        )

    on_server = series(query(server))
    on_engine = series(query(engine))
    assert [t["host"] for t, _ in on_engine] == ["a", "b"]
    assert len(on_server) >= len(on_engine)
    merged: dict[str, list[Any]] = {}
    for tags, points in on_server:
        merged.setdefault(tags["host"], []).extend(points)
    assert [(t["host"], p) for t, p in on_engine] == [
        (host, sorted(points, key=lambda p: p["time"]))
        for host, points in sorted(merged.items())
    ]


def test_holt_winters_matches_the_server_with_gaps_and_groups(
    both: tuple[str, str],
) -> None:
    """Missing windows, two series, seasons of 0, 1 and 3, fill(0)."""
    values = [4, 6, 9, 5, 7, 10, 6, 8, 11, 7, 9, 12]
    write_both(
        both,
        *(
            Reading(time=at(10 * k + j), v=float(x + j), host=host)
            for j, host in enumerate("ab")
            for k, x in enumerate(values)
            if (k + j) % 5 != 3
        ),
    )
    shapes = [
        (HoltWinters(Mean("v"), 2, 0), None),
        (HoltWinters(Max("v"), 3, 3), None),
        (HoltWintersWithFit(Mean("v"), 1, 1), 0),
    ]
    for call, fill in shapes:
        results = []
        for alias in both:
            qs = (
                Reading.series.using(alias)
                .filter(time__gte=at(0), time__lt=at(120))
                .annotate(call)
                .resolution(Second(10))
                .group_by("host")
            )
            results.append(series(qs if fill is None else qs.fill(fill)))
        assert results[0] == results[1], call
        assert results[0]


def test_function_over_windows_starting_before_the_range(
    both: tuple[str, str],
) -> None:
    """An outer function without windows over a subquery whose windows start
    before the outer lower bound: the server's reducer stops at that window's
    row, so it answers nothing (with windows aligned to the bound it counts
    them); the engine stops there too (``compilers/duckdb/reduce_stop.py``,
    more cases in ``test_subquery_reduce_stop.py``)."""
    write_both(both, *(Reading(time=at(10 * k + 5), v=float(k)) for k in range(6)))
    server, engine = both

    def query(alias: str, lower: str) -> Any:
        inner = Reading.series.using(alias).annotate(m=Mean("v")).resolution(Second(10))
        return (
            inner.subquery()
            .filter(**{lower: at(0)}, time__lt=at(60))
            .annotate(Count("m"))
        )

    assert rows(query(server, "time__gt")) == []
    assert rows(query(server, "time__gte")) == [{"time": at(0), "count": 6}]
    assert rows(query(engine, "time__gte")) == [{"time": at(0), "count": 6}]
    assert rows(query(engine, "time__gt")) == []


def test_quirk_descending_subquery_splits_its_calls(both: tuple[str, str]) -> None:
    """In descending order the server returns the inner calls of one series
    as separate rows (its cursor pairs the calls' points out of step); the
    engine pairs them the same way (test_subquery_windows.py)."""
    write_both(
        both,
        Reading(time=at(0), v=1.0, host="a"),
        Reading(time=at(0), n=2, host="b"),
        Reading(time=at(1), v=3.0, n=4, host="b"),
    )
    server, engine = both

    def query(alias: str) -> Any:
        return (
            Reading.series.using(alias)
            .annotate(m=Mean("v"), k=Count("n"))
            .group_by("host")
            .subquery()
            .order_by("-time")
        )

    on_server = rows(query(server))
    assert len(on_server) == 3
    assert sorted((p["host"], repr(p["m"]), repr(p["k"])) for p in on_server) == [
        ("a", "1.0", "None"),
        ("b", "3.0", "None"),
        ("b", "None", "2"),
    ]
    on_engine = rows(query(engine))
    assert sorted(map(repr, on_engine)) == sorted(map(repr, on_server))


def test_quirk_raw_select_over_grouped_calls_splits_rows(
    both: tuple[str, str],
) -> None:
    """A raw SELECT that merges the series of a grouped subquery of several
    calls: the server takes each call's points in time order across series
    but pairs them series first, so a row whose calls wait behind another
    series' earlier point comes apart (a row per call). The engine pairs
    them the same way (subquery_windows.py) but answers the rows in time
    order, where the server answers them in its pairing order; grouped by
    the inner tags, both keep each row whole."""
    write_both(
        both,
        Reading(time=at(0), v=1.0, host="b"),
        Reading(time=at(10), v=2.0, n=5, host="b"),
        Reading(time=at(0), v=3.0, host="c"),
    )
    server, engine = both

    def query(alias: str) -> Any:
        inner = (
            Reading.series.using(alias)
            .annotate(m=Mean("v"), k=Count("n"))
            .resolution(Second(10))
            .group_by("host")
        )
        return inner.subquery().filter(time__lt=at(120)).only("m", "k")

    assert rows(query(server)) == [
        {"time": at(0), "m": 1.0, "k": None},
        {"time": at(10), "m": None, "k": 1},
        {"time": at(0), "m": 3.0, "k": None},
        {"time": at(10), "m": 2.0, "k": None},
    ]
    assert rows(query(engine)) == [
        {"time": at(0), "m": 1.0, "k": None},
        {"time": at(0), "m": 3.0, "k": None},
        {"time": at(10), "m": None, "k": 1},
        {"time": at(10), "m": 2.0, "k": None},
    ]
    for alias in both:
        assert series(query(alias).group_by("host")) == [
            (
                {"host": "b"},
                [
                    {"time": at(0), "m": 1.0, "k": None},
                    {"time": at(10), "m": 2.0, "k": 1},
                ],
            ),
            ({"host": "c"}, [{"time": at(0), "m": 3.0, "k": None}]),
        ]


@pytest.mark.parametrize(
    ("values", "on_server"),
    [
        # The first series has one window: nothing for any series.
        ({"a": [5.0], "b": [1.0, 3.0], "c": [2.0, 4.0]}, []),
        # Two series in a row without a forecast: nothing after them.
        ({"a": [1.0, 3.0], "b": [5.0], "c": [7.0], "d": [2.0, 4.0]}, ["a"]),
    ],
)
def test_quirk_grouped_holt_winters_after_series_without_a_forecast(
    both: tuple[str, str], values: dict[str, list[float]], on_server: list[str]
) -> None:
    """Grouped by tags, the server's HOLT_WINTERS stops answering after a
    series without a forecast (a single window) in some layouts: when it
    is the first series, or two such series come in a row. The engine
    gives the forecast of every series that has one."""
    write_both(
        both,
        *(
            Reading(time=at(10 * k), v=x, host=host)
            for host, xs in values.items()
            for k, x in enumerate(xs)
        ),
    )
    server, engine = both

    def hosts(alias: str) -> list[str]:
        qs = (
            Reading.series.using(alias)
            .filter(time__gte=at(0), time__lt=at(60))
            .annotate(HoltWinters(Mean("v"), 1, 0))
            .group_by("host")
            .resolution(Second(10))
        )
        return [tags["host"] for tags, points in series(qs) if points]

    assert hosts(server) == on_server
    assert hosts(engine) == [host for host, xs in values.items() if len(xs) > 1]


def test_quirk_math_of_an_integer_inside_a_subquery_is_an_integer(
    both: tuple[str, str],
) -> None:
    """Inside a subquery, the server types POW and SQRT of an integer field
    as integers (SQRT(2) reads 1), though it answers floats for the same
    columns of an outer query; the engine answers floats in both places."""
    write_both(both, *(Reading(time=at(10 * k), n=x) for k, x in enumerate([2, 3])))
    server, engine = both

    def answer(alias: str) -> list[dict[str, Any]]:
        qs = Reading.series.using(alias).filter(time__gte=at(0), time__lt=at(60))
        inner = qs.annotate(x=Pow("n", 2), z=Sqrt("n")).subquery()
        return rows(inner.only("x", "z"))

    assert [(p["x"], p["z"]) for p in answer(server)] == [(4, 1), (9, 1)]
    floats = [(4.0, 2**0.5), (9.0, 3**0.5)]
    assert [(p["x"], p["z"]) for p in answer(engine)] == floats
    outer = Reading.series.using(server).filter(time__gte=at(0), time__lt=at(60))
    assert [p["z"] for p in rows(outer.annotate(z=Sqrt("n")))] == [2**0.5, 3**0.5]


def test_quirk_tz_windows_shorter_than_an_hour_change_merge_on_the_server(
    both: tuple[str, str],
) -> None:
    """45-minute windows in New York over the 2020 autumn change (an hour):
    the window holding the change keeps its 45 minutes (the change is not
    shorter than the window), so the next point's window starts inside it.
    The server reduces each shard's points in those windows, then reduces
    the partial rows again by their times: the second window's COUNT and
    SUM join the first's, and its fill adds an empty window after them
    (MEDIAN, computed in one pass, answers two rows at one time instead).
    The engine answers each window's points once, at the window's start."""
    change = at((305 * 24 + 6) * 3600)  # 2020-11-01T06:00:00Z, 02:00 EDT
    write_both(
        both, *(Reading(time=change + (300 * k - 3600) * S, n=k) for k in range(36))
    )
    server, engine = both

    def answer(alias: str) -> list[tuple[int, Any, Any]]:
        qs = (
            Reading.series.using(alias)
            .filter(time__gte=change - 3600 * S, time__lt=change + 7200 * S)
            .annotate(Count("n"), Sum("n"))
            .resolution(Second(2700))
            .tz("America/New_York")
        )
        return [((p["time"] - change) // S, p["count"], p["sum"]) for p in rows(qs)]

    # The window at -30 min (01:30 EDT) ends at +15 min; the point there
    # (01:15 EST) opens a window from 00:45 EST, -15 min.
    common = [(-4500, 6, 15), (1800, 9, 198), (4500, 9, 279)]
    merged = [(-1800, 12, 138), (900, 0, None)]
    assert answer(server) == sorted([*common, *merged])
    assert answer(engine) == sorted([*common, (-1800, 9, 90), (-900, 3, 48)])


@pytest.mark.parametrize("inner", ["difference", "max"])
@pytest.mark.parametrize("call", ["mean", "max"])
def test_an_aggregate_of_a_tag_call_inside_a_subquery_fails_on_both(
    both: tuple[str, str], call: str, inner: str
) -> None:
    """A call of a key that is only a tag has no points, alone or as a
    subquery's column (COUNT over it answers nothing); influxd types its
    column a tag, read as text, so an outer MEAN or MAX fails with its
    iterator's error. The engine types it so too (it answered nothing
    before; ``test_subquery_call_types.py``)."""
    write_both(both, Reading(time=at(0), v=1.0, host="a"), Reading(time=at(10), v=2.0))
    server, engine = both
    text = f"SELECT {call}(m) FROM (SELECT {inner}(host) AS m FROM conformance)"
    (on_server,) = list(get_connection(server).statements(text))
    assert on_server.error is not None
    assert on_server.error.startswith(f"unsupported {call} iterator type: ")
    (on_engine,) = list(get_connection(engine).statements(text))
    assert on_engine.error == on_server.error


def test_quirk_a_subquery_number_named_like_a_tag_beside_its_measurement(
    both: tuple[str, str],
) -> None:
    """``SELECT * FROM (SELECT v AS host FROM cpu), cpu``: the subquery's
    column is a field ``host`` and, in its rows, the tag ``host`` too
    (listed again as ``host_1``). influxd gives that tag the column's own
    number; the engine gives its text, as tags are text (so ``host::tag =
    '1.5'`` holds there). The field, and every other value, agree."""
    server, engine = both
    lines = [
        f"cpu,host=a v=1.5,n=2i {T0}",
        f"cpu,host=b v=2.5,n=3i {T0 + 10 * S}",
    ]
    for alias in both:
        stored(alias, lines)
    text = "SELECT * FROM (SELECT v AS host FROM cpu), cpu"
    expected = [
        [T0, 1.5, "1.5", None, None],
        [T0, None, "a", 2, 1.5],
        [T0 + 10 * S, 2.5, "2.5", None, None],
        [T0 + 10 * S, None, "b", 3, 2.5],
    ]
    assert statement_values(get_connection(engine), text) == expected
    expected[0][2], expected[2][2] = 1.5, 2.5
    assert statement_values(get_connection(server), text) == expected
    for alias in both:
        backend = get_connection(alias)
        same = "SELECT host, n FROM (SELECT v AS host FROM cpu), cpu"
        assert statement_values(backend, same) == [
            [T0, 1.5, None],
            [T0, None, 2],
            [T0 + 10 * S, 2.5, None],
            [T0 + 10 * S, None, 3],
        ]
        grouped = "SELECT max(host) FROM (SELECT v AS host FROM cpu), cpu"
        assert statement_values(backend, grouped) == [[T0 + 10 * S, 2.5]]


def test_quirk_raw_rows_of_a_sliced_subquery_are_sliced_per_shard(
    both: tuple[str, str],
) -> None:
    """LIMIT/OFFSET of raw rows grouped finer than the outer query: influxd
    slices each shard's rows before the statement's slice, so points in two
    7-day shard groups keep more rows. The engine answers as one shard does."""
    day = 86_400 * S
    lines = [f"m,t1=a f={v} {d * day}" for v, d in [(1, 1), (2, 2), (3, 8), (4, 9)]]
    for alias in both:
        stored(alias, [*lines, f"m,t1=b f=5 {3 * day}"])
    one = "SELECT f FROM (SELECT f FROM m GROUP BY t1 LIMIT 1 OFFSET 1)"
    two = "SELECT f FROM (SELECT f FROM m GROUP BY t1 LIMIT 2)"
    server, engine = (get_connection(alias) for alias in both)
    assert statement_values(server, one) == [[9 * day, 4.0]]
    assert statement_values(engine, one) == []
    assert [r[0] // day for r in statement_values(server, two)] == [1, 2, 3, 8, 9]
    assert [r[0] // day for r in statement_values(engine, two)] == [1, 2, 3, 8]


def test_quirk_text_offset_without_limit_keeps_a_shard_groups_first_points(
    both: tuple[str, str],
) -> None:
    """InfluxQL text with OFFSET and no LIMIT: each shard keeps only the
    first OFFSET + 1 points of a series set (its limit iterator counts to
    offset + limit + 1), so influxd answers the row at the offset of each
    shard group's first points; TOP and BOTTOM rank only those. The engine
    answers every row after the offset, TOP and BOTTOM over every point.
    (QuerySets spell the missing LIMIT out, so ``qs[2:]`` agrees.)"""
    day = 86_400 * S
    points = [(1, 1.0, "a"), (2, 5.0, "b"), (3, 2.0, "a"), (4, 7.0, "b")]
    points += [(8, 4.0, "a"), (9, 3.0, "a"), (10, 6.0, "a")]
    for alias in both:
        stored(alias, [f"m,h={h} f={v} {d * day}" for d, v, h in points])
    server, engine = (get_connection(alias) for alias in both)

    def days(backend: Any, text: str) -> list[int]:
        return [r[0] // day for r in statement_values(backend, text)]

    # Shard groups of 7 days from a Monday: days -3 to 3 and 4 to 10.
    raw = "SELECT f FROM m OFFSET 1"
    assert days(server, raw) == [2, 4, 8]
    assert days(engine, raw) == [2, 3, 4, 8, 9, 10]
    grouped = "SELECT f FROM m GROUP BY h OFFSET 1"
    assert days(server, grouped) == [3, 8, 9, 4]
    assert days(engine, grouped) == [3, 8, 9, 10, 4]
    top = "SELECT top(f, 2) FROM m OFFSET 1"
    assert statement_values(server, top) == [[4 * day, 7.0]]
    assert statement_values(engine, top) == [[10 * day, 6.0]]
