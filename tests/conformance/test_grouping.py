"""GROUP BY tags, ordering and slicing on both backends.

Each test runs once on the server and once on the engine (the ``conn``
fixture); see ``tests/conformance/__init__.py``.
"""

from __future__ import annotations

import influxpy
from conformance._common import Reading, column, series
from influxpy import Q


def test_group_by_tags_orders_series_by_tag_values(hosts: str) -> None:
    qs = Reading.series.using(hosts).only("v")
    expected = [
        ({"dc": "", "host": ""}, [6.0]),
        ({"dc": "x", "host": "a"}, [1.0, 5.0]),
        ({"dc": "x", "host": "c"}, [2.0]),
        ({"dc": "y", "host": "a"}, [3.0]),
        ({"dc": "y", "host": "b"}, [4.0]),
    ]
    for grouped in (
        qs.group_by("host", "dc"),
        qs.group_by("dc", "host"),
        qs.group_by("*"),
    ):
        assert [
            (tags, [p["v"] for p in points]) for tags, points in series(grouped)
        ] == expected
    by_host = series(qs.group_by("host"))
    assert [(t, [p["v"] for p in points]) for t, points in by_host] == [
        ({"host": ""}, [6.0]),
        ({"host": "a"}, [1.0, 3.0, 5.0]),
        ({"host": "b"}, [4.0]),
        ({"host": "c"}, [2.0]),
    ]


def test_order_by_desc_reverses_rows_and_series(hosts: str) -> None:
    qs = Reading.series.using(hosts).only("v").group_by("host").order_by("-time")
    assert [(t["host"], [p["v"] for p in points]) for t, points in series(qs)] == [
        ("c", [2.0]),
        ("b", [4.0]),
        ("a", [5.0, 3.0, 1.0]),
        ("", [6.0]),
    ]
    assert column(Reading.series.using(hosts).only("v").order_by("-time"), "v") == [
        6.0, 5.0, 4.0, 3.0, 2.0, 1.0
    ]  # fmt: skip


def test_slicing_is_limit_and_offset_per_series(hosts: str) -> None:
    qs = Reading.series.using(hosts).only("v")
    assert column(qs[1:3], "v") == [2.0, 3.0]
    assert column(qs.order_by("-time")[:2], "v") == [6.0, 5.0]
    grouped = qs.group_by("host")[1:3]
    assert [(t["host"], [p["v"] for p in points]) for t, points in series(grouped)] == [
        ("a", [3.0, 5.0]),
    ]


def test_series_limit_and_offset(hosts: str) -> None:
    qs = Reading.series.using(hosts).only("v").group_by("host")
    limited = qs.series_limit(2).series_offset(1)
    assert [t["host"] for t, _ in series(limited)] == ["a", "b"]
    assert [t["host"] for t, _ in series(qs.series_limit(1))] == [""]
    # Descending output, but the tag sets are still picked in ascending order.
    desc = qs.order_by("-time").series_limit(2)
    assert [t["host"] for t, _ in series(desc)] == ["a", ""]


def test_series_limit_picks_tag_sets_as_the_index_reads_names(hosts: str) -> None:
    """SLIMIT slices the tag sets whose tags can match: the index takes a
    name as a field (every series can match) only where the measurement has
    such a field; any other name is a tag, '' in every series here."""
    qs = Reading.series.using(hosts).only("v").group_by("host").series_limit(1)
    # ``s`` is a field of the model, but no point holds it.
    assert [t["host"] for t, _ in series(qs.filter(Q(host="b") | Q(s="zz")))] == ["b"]
    assert [t["host"] for t, _ in series(qs.filter(Q(host="b") | Q(v=6.0)))] == [""]
    backend = influxpy.get_connection(hosts)
    for condition, expected in [
        ("host = 'b' OR zz = 'a'", ["b"]),
        ("host = 'b' OR dc = 'nowhere'", ["b"]),
        ("host = 'c' OR v = 4", []),
        ("host = 'b' OR zz = ''", [""]),
    ]:
        text = f"SELECT v FROM conformance WHERE {condition} GROUP BY host SLIMIT 1"
        (result,) = list(backend.statements(text))
        assert result.error is None, result.error
        assert [s.tags["host"] for s in result.series] == expected, condition
