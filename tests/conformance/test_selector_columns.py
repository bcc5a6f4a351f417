"""TOP, BOTTOM and SAMPLE next to other columns, on both backends.

The server keeps the other fields and tags of every point a selector of
many rows picks, so ``SELECT top(v, 2), host, v - n`` reads the host and
the difference from each picked point; arithmetic of raw fields beside the
call works the same way, also inside a subquery.
"""

from __future__ import annotations

import pytest

import influxpy
from conformance._common import Reading, at, rows, series, write
from influxpy.durations import Second
from influxpy.exceptions import ProgrammingError
from influxpy.expressions import F
from influxpy.functions import Bottom, Count, Max, Mean, Sample, Sum, Top


@pytest.fixture
def mixed(conn: str) -> str:
    """Twelve points 10 s apart; ties of ``v`` (9 at 10 s and 20 s)."""
    points = [
        (3.0, 9, None, "a", "y"),
        (9.0, 7, "y", None, "x"),
        (9.0, 0, None, "b", "x"),
        (3.0, 7, "y", None, "y"),
        (6.0, 2, "x", None, "x"),
        (8.0, 6, None, "a", "x"),
        (2.0, 9, "x", "b", "x"),
        (4.0, 7, "y", None, "y"),
        (6.0, 6, "y", "b", "y"),
        (2.0, 5, "x", "a", "x"),
        (7.0, 3, None, "a", "y"),
        (4.0, 6, None, "b", "x"),
    ]
    write(
        conn,
        *(
            Reading(time=at(10 * k), v=v, n=n, s=s, host=host, dc=dc)
            for k, (v, n, s, host, dc) in enumerate(points)
        ),
    )
    return conn


def test_top_next_to_fields_and_tags_reads_the_picked_points(mixed: str) -> None:
    qs = Reading.series.using(mixed)
    assert rows(qs.annotate(Top("v", 2)).only("host", "s")) == [
        {"time": at(10), "top": 9.0, "host": None, "s": "y"},
        {"time": at(20), "top": 9.0, "host": "b", "s": None},
    ]
    # The columns keep their select-list places.
    assert rows(qs.only("n").annotate(Top("v", 2))) == [
        {"time": at(10), "n": 7, "top": 9.0},
        {"time": at(20), "n": 0, "top": 9.0},
    ]
    # A field the measurement never stored is null.
    assert [p["ok"] for p in rows(qs.annotate(Top("v", 2)).only("ok"))] == [
        None,
        None,
    ]


def test_top_by_tag_next_to_fields(mixed: str) -> None:
    """The tag columns of top(v, tag, N) come right after its own column."""
    qs = Reading.series.using(mixed)
    assert rows(qs.only("n").annotate(Top("v", "host", 2))) == [
        {"time": at(10), "n": 7, "top": 9.0, "host": None},
        {"time": at(20), "n": 0, "top": 9.0, "host": "b"},
    ]
    # A tag column named like another column takes the server's suffix.
    assert rows(qs.only("host").annotate(Top("v", "host", 1))) == [
        {"time": at(10), "host": None, "top": 9.0, "host_1": None}
    ]
    windows = (
        qs.filter(time__gte=at(0), time__lt=at(120))
        .resolution(Second(60))
        .annotate(Bottom("v", "dc", 2))
        .only("n", "s")
    )
    assert rows(windows) == [
        {"time": at(0), "bottom": 3.0, "dc": "y", "n": 9, "s": None},
        {"time": at(40), "bottom": 6.0, "dc": "x", "n": 2, "s": "x"},
        {"time": at(60), "bottom": 2.0, "dc": "x", "n": 9, "s": "x"},
        {"time": at(70), "bottom": 4.0, "dc": "y", "n": 7, "s": "y"},
    ]


def test_bottom_next_to_fields_in_windows_groups_and_descending(mixed: str) -> None:
    qs = Reading.series.using(mixed)
    windows = qs.filter(time__gte=at(0), time__lt=at(120)).resolution(Second(40))
    assert [
        (p["time"], p["bottom"], p["n"], p["host"])
        for p in rows(windows.annotate(Bottom("v", 2)).only("n", "host"))
    ] == [
        (at(0), 3.0, 9, "a"),
        (at(30), 3.0, 7, None),
        (at(60), 2.0, 9, "b"),
        (at(70), 4.0, 7, None),
        (at(90), 2.0, 5, "a"),
        (at(110), 4.0, 6, "b"),
    ]
    # ORDER BY time DESC reverses the windows only.
    descending = windows.annotate(Top("v", 2)).only("n").order_by("-time")
    assert [(p["time"], p["n"]) for p in rows(descending)] == [
        (at(80), 6),
        (at(100), 3),
        (at(40), 2),
        (at(50), 6),
        (at(10), 7),
        (at(20), 0),
    ]
    grouped = qs.annotate(Top("v", 2)).only("n").group_by("dc")
    assert [
        (tags["dc"], [(p["time"], p["n"]) for p in points])
        for tags, points in series(grouped)
    ] == [
        ("x", [(at(10), 7), (at(20), 0)]),
        ("y", [(at(80), 6), (at(100), 3)]),
    ]


def test_top_next_to_fields_with_limit_and_offset(mixed: str) -> None:
    qs = Reading.series.using(mixed)
    assert rows(qs.annotate(Top("v", 2)).only("n")[1:3]) == [
        {"time": at(20), "top": 9.0, "n": 0}
    ]
    with pytest.raises(ProgrammingError, match="can not be larger than the LIMIT"):
        list(qs.annotate(Top("v", 3)).only("n")[1:3])


def test_sample_next_to_fields_with_limit_and_offset(mixed: str) -> None:
    """With N at least the number of points, SAMPLE keeps every point."""
    qs = Reading.series.using(mixed).annotate(Sample("v", 20)).only("n", "host")
    assert rows(qs[2:5]) == [
        {"time": at(20), "sample": 9.0, "n": 0, "host": "b"},
        {"time": at(30), "sample": 3.0, "n": 7, "host": None},
        {"time": at(40), "sample": 6.0, "n": 2, "host": None},
    ]


def test_arithmetic_of_raw_fields_beside_a_selector(mixed: str) -> None:
    qs = Reading.series.using(mixed)
    assert rows(qs.annotate(Top("v", 2), value=F("v") - F("n"))) == [
        {"time": at(10), "top": 9.0, "value": 2.0},
        {"time": at(20), "top": 9.0, "value": 9.0},
    ]
    # Integers stay integers; division by zero gives 0.
    assert rows(qs.annotate(Top("n", 2), value=F("n") * 2 + F("n"))) == [
        {"time": at(0), "top": 9, "value": 27},
        {"time": at(60), "top": 9, "value": 27},
    ]
    assert [
        (p["bottom"], p["value"])
        for p in rows(qs.annotate(Bottom("n", 3), value=F("v") / F("n")))
    ] == [(0, 0.0), (2, 3.0), (3, pytest.approx(7 / 3, rel=1e-15))]


def test_subqueries_of_a_selector_beside_arithmetic(mixed: str) -> None:
    """SELECT … FROM (SELECT top(v, N), v - n AS value …)."""
    qs = Reading.series.using(mixed)
    inner = qs.annotate(Top("v", 3), value=F("v") - F("n"))
    assert rows(inner.subquery().annotate(Sum("value"))) == [{"time": 0, "sum": 13.0}]
    assert rows(inner.subquery().only("value", "top")) == [
        {"time": at(10), "value": 2.0, "top": 9.0},
        {"time": at(20), "value": 9.0, "top": 9.0},
        {"time": at(50), "value": 2.0, "top": 8.0},
    ]
    grouped = (
        qs.annotate(Top("v", 2), value=F("v") - F("n"))
        .group_by("dc")
        .subquery()
        .annotate(Mean("value"))
        .group_by("dc")
    )
    assert [(t["dc"], p[0]["mean"]) for t, p in series(grouped)] == [
        ("x", 5.5),
        ("y", 2.0),
    ]
    windows = (
        qs.filter(time__gte=at(0), time__lt=at(120))
        .resolution(Second(40))
        .annotate(Top("v", 2), d=F("v") - F("n"))
        .subquery()
        .filter(time__gte=at(0), time__lt=at(120))
        .annotate(Max("d"))
        .resolution(Second(40))
    )
    assert [(p["time"], p["max"]) for p in rows(windows)] == [
        (at(0), 9.0),
        (at(40), 4.0),
        (at(80), 4.0),
    ]
    strings = qs.annotate(Top("v", 4)).only("s", "host").subquery()
    assert rows(strings.annotate(Count("s"))) == [{"time": 0, "count": 1}]


#: Arithmetic of a lone SAMPLE (also of itself, or with raw fields read
#: from each picked point). N is above every window's point count, so the
#: sample is every point and both backends answer the same rows.
SAMPLE_ARITHMETIC = [
    "SELECT sample(v, 20) + 1 FROM conformance {r}",
    "SELECT sample(v, 20), sample(v, 20) + 1 FROM conformance {r}",
    "SELECT sample(v, 20) * sample(v, 20) FROM conformance {r}",
    "SELECT sample(v, 20), sample(v, 20) FROM conformance {r}",
    "SELECT sample(n, 20) / 2 FROM conformance {r}",
    "SELECT sample(v, 20) + 1 FROM conformance {w} ORDER BY time DESC",
    (
        "SELECT sample(v, 20) + 1, sample(v, 20) FROM conformance {w}, host "
        "ORDER BY time DESC LIMIT 3"
    ),
    "SELECT sample(v, 20) + 1 FROM conformance {w} fill(0) LIMIT 2 OFFSET 1",
    "SELECT abs(sample(v, 20)) FROM conformance {w} tz('Europe/Paris')",
    "SELECT sample(v, 20) + n FROM conformance {r}",
    "SELECT sample(v, 20) + 1, n, host FROM conformance {w} fill(0)",
    "SELECT sample(v, 20) - n FROM conformance {w}, host ORDER BY time DESC",
    "SELECT sample(v, 20) + n FROM conformance {w} LIMIT 3",
    "SELECT mean(x) FROM (SELECT sample(v, 20) + 1 AS x FROM conformance {r})",
]


@pytest.mark.parametrize("shape", SAMPLE_ARITHMETIC)
def test_arithmetic_of_a_lone_sample(both: tuple[str, str], shape: str) -> None:
    r = f"WHERE time >= {at(15)} AND time < {at(120)}"
    text = shape.format(r=r, w=f"{r} GROUP BY time(30s)")
    answers = []
    for alias in both:
        write(
            alias,
            *(
                Reading(
                    time=at(10 * k + k % 4),
                    v=float((k * 7) % 5),
                    n=(k * 3) % 4,
                    host="ab"[k % 2],
                )
                for k in range(-6, 14)
                if k % 5 != 2
            ),
        )
        (result,) = list(influxpy.get_connection(alias).statements(text))
        assert result.error is None, (alias, text, result.error)
        answers.append([(s.tags, s.columns, s.values) for s in result.series])
    assert answers[0], text
    assert answers[1] == answers[0], text
