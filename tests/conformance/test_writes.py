"""Writes on both backends: merged duplicates, field types.

Each test runs once on the server and once on the engine (the ``conn``
fixture); see ``tests/conformance/__init__.py``.
"""

from __future__ import annotations

import pytest

from conformance._common import FloatTyped, IntTyped, Reading, at, column, rows, series
from influxpy.exceptions import FieldTypeConflictError


def test_duplicate_points_merge_fields(conn: str) -> None:
    """§1.5: same tag set and time is one point; later fields win."""
    qs = Reading.series.using(conn)
    qs.bulk_create([Reading(time=at(0), v=1.0, n=1, host="a")])
    qs.bulk_create([Reading(time=at(0), v=2.0, s="x", host="a")])
    qs.bulk_create(
        [Reading(time=at(0), v=3.0, host="a"), Reading(time=at(0), v=4.0, host="a")]
    )
    qs.bulk_create([Reading(time=at(0), v=5.0, host="b")])
    assert series(qs.only("v", "n", "s").group_by("host")) == [
        ({"host": "a"}, [{"time": at(0), "v": 4.0, "n": 1, "s": "x"}]),
        ({"host": "b"}, [{"time": at(0), "v": 5.0, "n": None, "s": None}]),
    ]


def test_duplicates_inside_one_batch_merge_in_order(conn: str) -> None:
    Reading.series.using(conn).bulk_create(
        [
            Reading(time=at(0), v=1.0, n=1),
            Reading(time=at(0), v=2.0, s="x"),
            Reading(time=at(0), n=3),
        ]
    )
    assert rows(Reading.series.using(conn).only("v", "n", "s")) == [
        {"time": at(0), "v": 2.0, "n": 3, "s": "x"}
    ]


def test_field_type_conflict_keeps_the_other_points(conn: str) -> None:
    IntTyped.series.using(conn).bulk_create([IntTyped(time=at(0), x=1, y=1.0)])
    with pytest.raises(FieldTypeConflictError) as info:
        FloatTyped.series.using(conn).bulk_create(
            [FloatTyped(time=at(1), x=2.5, y=2.0), FloatTyped(time=at(2), y=3.0)]
        )
    assert info.value.dropped == 1
    assert "field type conflict" in info.value.reason
    assert rows(IntTyped.series.using(conn).only("x", "y")) == [
        {"time": at(0), "x": 1, "y": 1.0},
        {"time": at(2), "x": None, "y": 3.0},
    ]


def test_delete_with_tag_and_time_conditions(hosts: str) -> None:
    qs = Reading.series.using(hosts)
    qs.filter(host="a", time__lt=at(30)).delete()
    assert column(qs.only("v"), "v") == [2.0, 4.0, 5.0, 6.0]
    qs.filter(dc="y").delete()
    assert column(qs.only("v"), "v") == [2.0, 5.0, 6.0]
    qs.filter(time__gte=at(45)).delete()
    assert column(qs.only("v"), "v") == [2.0, 5.0]
