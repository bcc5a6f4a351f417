"""Shapes the embedded engine once refused, answered as influxd 1.6.7 does.

Where the server's own answer is broken (stamps outside the range, rows
lost to a reducer reading backwards), the engine keeps a consistent answer
and a ``test_quirk_*`` test pins both; the other tests run the same query on
both backends (``conn``) and expect the server's answer.
"""

from __future__ import annotations

from typing import Any

from conformance._common import Reading, at, rows, series, write_both
from influxpy.durations import Second
from influxpy.functions import (
    HoltWinters,
    HoltWintersWithFit,
    Integral,
    Mean,
)

#: Points off the window boundaries, so each window's area is interpolated.
OFF_GRID = [(1, 4.0), (31, 8.0), (61, 14.0), (91, 6.0)]


def test_quirk_integral_over_windows_in_descending_order(
    both: tuple[str, str],
) -> None:
    """The server sums each window backwards (so its area changes sign, as
    without windows) and stamps it with the window's end, even past the
    range; the engine stamps it with the window's start. The areas agree
    here; the server also adds 0.0 rows when points sit on window starts
    and misplaces the area of empty windows."""
    write_both(both, *(Reading(time=at(t), v=x) for t, x in OFF_GRID))
    server, engine = both

    def query(alias: str, descending: bool) -> Any:
        qs = (
            Reading.series.using(alias)
            .filter(time__gte=at(0), time__lt=at(120))
            .annotate(Integral("v"))
            .resolution(Second(30))
        )
        return qs.order_by("-time") if descending else qs

    ascending = [(p["time"], p["integral"]) for p in rows(query(engine, False))]
    assert ascending == [
        (at(0), 172.06666666666666),
        (at(30), 324.03333333333336),
        (at(60), 307.76666666666665),
        (at(90), 6.133333333333333),
    ]
    backwards = [(t, -v) for t, v in reversed(ascending)]
    on_engine = [(p["time"], p["integral"]) for p in rows(query(engine, True))]
    assert on_engine == backwards
    on_server = [(p["time"], p["integral"]) for p in rows(query(server, True))]
    assert on_server == [(t + 30 * 10**9, v) for t, v in backwards]


def test_integral_over_windows_in_descending_order_by_tag(
    both: tuple[str, str],
) -> None:
    """With GROUP BY a tag each series gets its own windows, latest first,
    and the series come in descending order of their tags, as the server's
    other calls give them."""
    write_both(
        both,
        *(Reading(time=at(t), v=x, host="a") for t, x in OFF_GRID),
        *(Reading(time=at(t + 2), v=2 * x, host="b") for t, x in OFF_GRID[:2]),
    )
    _server, engine = both
    qs = (
        Reading.series.using(engine)
        .filter(time__gte=at(0), time__lt=at(120))
        .annotate(Integral("v"))
        .resolution(Second(30))
        .group_by("host")
        .order_by("-time")
    )
    got = [(t["host"], [p["time"] for p in points]) for t, points in series(qs)]
    assert got == [("b", [at(30), at(0)]), ("a", [at(90), at(60), at(30), at(0)])]


def test_quirk_holt_winters_in_descending_order(both: tuple[str, str]) -> None:
    """The server's HOLT_WINTERS reads the windows backwards, finds no span
    and answers nothing; the engine forecasts in time order and gives the
    ascending rows latest first."""
    values = [4, 6, 9, 5, 7, 10, 6, 8, 11, 7, 9, 12]
    write_both(
        both, *(Reading(time=at(10 * k), v=float(x)) for k, x in enumerate(values))
    )
    server, engine = both

    for call in (HoltWinters(Mean("v"), 3, 2), HoltWintersWithFit(Mean("v"), 2, 0)):

        def query(alias: str, descending: bool, call: Any = call) -> Any:
            qs = (
                Reading.series.using(alias)
                .filter(time__gte=at(0), time__lt=at(120))
                .annotate(call)
                .resolution(Second(10))
            )
            return qs.order_by("-time") if descending else qs

        assert rows(query(server, True)) == []
        ascending = rows(query(server, False))
        assert ascending
        assert rows(query(engine, False)) == ascending
        assert rows(query(engine, True)) == ascending[::-1]
