"""PERCENTILE's P outside (0, 100], as influxd 1.6.7 answers it.

influxd takes any number as P and picks the point of nearest rank
``floor(N * P / 100 + 0.5)``; where that rank is outside the N points
(P of 0 or below, P well above 100, a small P of few points) there is no
value: no row when the percentile is alone, null beside other calls.
``Percentile('x', 0)`` is therefore not the minimum. Each test runs on the
server and on the engine (``conn``) and expects the server's answer.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance._common import Reading, at, write
from influxpy import Count, Percentile
from influxpy.durations import Second


@pytest.fixture
def three(conn: str) -> str:
    write(
        conn,
        Reading(time=at(1), n=5, v=5.0, host="a"),
        Reading(time=at(2), n=6, v=6.0, host="a"),
        Reading(time=at(3), n=-7, v=-7.0, host="b"),
    )
    return conn


def _points(qs: Any) -> list[tuple[dict[str, str], list[dict[str, Any]]]]:
    return [(r.tags, r.points) for r in qs.epoch()]


@pytest.mark.parametrize(
    ("p", "value"),
    [
        (0, None),
        (0.0, None),
        (-5, None),
        (16.6, None),
        (16.7, -7),
        (100, 6),
        (116, 6),
        (117, None),
        (1000, None),
    ],
)
def test_rank_outside_the_points_has_no_value(
    three: str, p: float, value: int | None
) -> None:
    qs = Reading.series.using(three).aggregate(x=Percentile("n", p), c=Count("n"))
    assert qs == {"x": value, "c": 3}


def test_alone_it_answers_no_row(three: str) -> None:
    qs = Reading.series.using(three).annotate(Percentile("v", 0))
    assert _points(qs) == []
    qs = Reading.series.using(three).annotate(Percentile("v", 0)).group_by("host")
    assert _points(qs) == []


def test_per_window(three: str) -> None:
    qs = (
        Reading.series.using(three)
        .filter(time__gte=at(0), time__lt=at(4))
        .annotate(lo=Percentile("n", 0), hi=Percentile("n", 150), c=Count("n"))
        .resolution(Second(2))
    )
    assert [(p["lo"], p["hi"], p["c"]) for p in _points(qs)[0][1]] == [
        (None, None, 1),
        (None, None, 2),
    ]


@pytest.mark.parametrize("p", [True, "50", float("nan"), float("inf")])
def test_p_must_be_a_finite_number(p: Any) -> None:
    with pytest.raises(ValueError, match="Percentile's P must be a finite number"):
        Percentile("v", p)
