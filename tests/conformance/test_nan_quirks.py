"""Where influxd's answer over a subquery's NaN is arbitrary: the engine's
consistent answer, and the server's, pinned side by side.

Go's sorts and heaps compare NaN as unequal to every number, so a NaN stays
wherever the algorithm happens to leave it (its insertion sort, for up to
12 points, does not move it; its map of DISTINCT values holds each NaN
apart, in random order). The engine orders NaN above every number, as
DuckDB does. NaN reads as null in the answers.
"""

from __future__ import annotations

from typing import Any

from conformance._common import Reading, at, series, write_both
from influxpy.functions import Bottom, Distinct, Median, Percentile, Sqrt, Top

#: Host a: ``sqrt(v)`` is NaN, 2, 3, NaN, 1 at 1…5 s; host b: 4, NaN, 0.
A = [(1, -1.0), (2, 4.0), (3, 9.0), (4, -4.0), (5, 1.0)]
B = [(1.5, 16.0), (2.5, -9.0), (3.5, 0.0)]


def _write(both: tuple[str, str]) -> None:
    write_both(
        both,
        *(Reading(time=at(t), v=v, host="a") for t, v in A),
        *(Reading(time=at(t), v=v, host="b") for t, v in B),
    )


def _per_host(alias: str, call: Any, *names: str) -> dict[str, list[Any]]:
    qs = Reading.series.using(alias).filter(time__gte=at(0), time__lt=at(10))
    outer = qs.annotate(x=Sqrt("v")).subquery().group_by("host").annotate(call)
    return {
        tags["host"]: [tuple(p[n] for n in names) for p in points]
        for tags, points in series(outer)
    }


def test_quirk_nan_inside_a_subquery_sorts_where_the_server_leaves_it(
    both: tuple[str, str],
) -> None:
    """MEDIAN and PERCENTILE of 4, NaN, 0: the server's sort leaves the
    NaN in the middle (null), the engine sorts it last (4)."""
    _write(both)
    server, engine = both
    for call, name in [(Median("x"), "median"), (Percentile("x", 50), "percentile")]:
        assert _per_host(server, call, name)["b"] == [(None,)]
        assert _per_host(engine, call, name)["b"] == [(4.0,)]


def test_quirk_top_and_bottom_over_nan_inside_a_subquery(
    both: tuple[str, str],
) -> None:
    """TOP and BOTTOM of NaN, 2, 3, NaN, 1: the server's heap keeps the
    first NaN and 2 for both; the engine ranks NaN above every number."""
    _write(both)
    server, engine = both
    top, bottom = Top("x", 2), Bottom("x", 2)
    first_nan_and_two = [(at(1), None), (at(2), 2.0)]
    assert _per_host(server, top, "time", "top")["a"] == first_nan_and_two
    assert _per_host(server, bottom, "time", "bottom")["a"] == first_nan_and_two
    assert _per_host(engine, top, "time", "top")["a"] == [(at(1), None), (at(4), None)]
    assert _per_host(engine, bottom, "time", "bottom")["a"] == [
        (at(2), 2.0),
        (at(5), 1.0),
    ]


def test_quirk_distinct_of_nan_inside_a_subquery(both: tuple[str, str]) -> None:
    """DISTINCT of NaN, 2, 3, NaN, 1: the server lists each NaN apart (its
    map holds them as different keys), the engine one NaN."""
    _write(both)
    server, engine = both
    got = _per_host(server, Distinct("x"), "distinct")["a"]
    assert sorted(got, key=lambda v: -1.0 if v[0] is None else v[0]) == [
        (None,),
        (None,),
        (1.0,),
        (2.0,),
        (3.0,),
    ]
    assert _per_host(engine, Distinct("x"), "distinct")["a"] == [
        (None,),
        (2.0,),
        (3.0,),
        (1.0,),
    ]
