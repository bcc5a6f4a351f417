"""Points older than a retention policy keeps: dropped as InfluxDB 1.6.7 drops them.

influxd does not store a point older than ``now() - duration`` of the policy
written to (unless a shard group made for a newer point of the same request
covers it) and answers 400 ``partial write: points beyond retention policy
dropped=N`` (reference §1.8); the other points are stored. Each test writes
the same lines with ``write_lines`` to the server and to the engine.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

import influxpy
from conformance._common import at, column
from influxpy import fields, models
from influxpy.durations import Hour
from influxpy.exceptions import PartialWriteError
from influxpy.schema import RetentionPolicy, get_schema_editor

M = "conformance"
HOUR = 3_600 * 1_000_000_000


class InShort(models.InfluxMeasurement):
    """A measurement in the one-hour retention policy ``short``."""

    class Meta:
        measurement = "conformance"
        retention_policy = "short"

    v = fields.FloatField()


def short_policy(conn: str) -> None:
    database = influxpy.get_connection(conn).resolve_database(None)
    get_schema_editor(conn).create_retention_policy(
        RetentionPolicy("short", Hour(1), shard_duration=Hour(1)), database
    )


def write_short(conn: str, *lines: str) -> int:
    backend = influxpy.get_connection(conn)
    return backend.write_lines(list(lines), retention_policy="short")


def stored(conn: str) -> list[float]:
    return [float(v) for v in column(InShort.series.using(conn).only("v"), "v")]


def test_points_beyond_the_policy_are_dropped(conn: str) -> None:
    """An old point is dropped and counted; the recent one is stored."""
    short_policy(conn)
    now = time.time_ns()
    with pytest.raises(PartialWriteError) as info:
        write_short(conn, f"{M} v=1 {now - 60 * 1_000_000_000}", f"{M} v=2 {at(0)}")
    error = info.value
    assert type(error) is PartialWriteError
    assert error.reason == "partial write: points beyond retention policy dropped=1"
    assert error.dropped == 1
    assert stored(conn) == [1.0]


def test_a_body_of_old_points_stores_nothing(conn: str) -> None:
    """Every point beyond the policy: all counted, none stored."""
    short_policy(conn)
    with pytest.raises(PartialWriteError) as info:
        write_short(conn, f"{M} v=1 {at(0)}", f"{M} v=2 {at(1)}")
    assert info.value.reason == (
        "partial write: points beyond retention policy dropped=2"
    )
    assert info.value.dropped == 2
    assert stored(conn) == []


def test_the_retention_drop_wins_over_unparsable_lines(conn: str) -> None:
    """An unparsable line and an old point: the server names the drop."""
    short_policy(conn)
    now = time.time_ns()
    with pytest.raises(PartialWriteError) as info:
        write_short(conn, f"{M} v=1 {now}", f"{M} v= {now}", f"{M} v=3 {at(0)}")
    assert info.value.reason == (
        "partial write: points beyond retention policy dropped=1"
    )
    assert stored(conn) == [1.0]


def test_an_infinite_policy_keeps_old_points(conn: str) -> None:
    """autogen (INF) stores points of any age."""
    backend = influxpy.get_connection(conn)
    assert backend.write_lines([f"{M} v=1 {at(0)}"]) == 1


def test_a_shard_group_of_a_recent_point_keeps_an_older_one(conn: str) -> None:
    """A point just beyond the policy, in the shard group of a newer point
    of the same request, is stored as influxd stores it."""
    short_policy(conn)
    second = 1_000_000_000
    while True:
        now = time.time_ns()
        cutoff = now - HOUR
        start = cutoff - cutoff % HOUR  # hour groups start on the hour
        if 10 * second <= cutoff - start <= HOUR - 10 * second:
            break
        # Near an hour: wait until the older point, a second into the
        # group, is safely beyond the policy and the newer one, a little
        # after the cutoff, still in its group (at most twenty seconds).
        time.sleep(((10 * second - (cutoff - start)) % HOUR) / second)
    older, newer = start + second, cutoff + 5 * second
    assert older < cutoff - 5 * second
    assert newer < start + HOUR
    assert write_short(conn, f"{M} v=1 {newer}", f"{M} v=2 {older}") == 2
    assert sorted(stored(conn)) == [1.0, 2.0]


def test_the_engine_outcome_lists_the_points_beyond_the_policy() -> None:
    """With raise_on_refusal=False the outcome names each dropped line."""
    engine: Any = influxpy.connect("duckdb://:memory:", alias="retention-outcome")
    try:
        engine.create_database("db")
        engine.create_retention_policy(
            "db",
            {
                "name": "short",
                "duration": HOUR,
                "shard_duration": HOUR,
                "replication": 1,
                "default": False,
            },
        )
        body = f"{M} v=1 {time.time_ns()}\n{M} v=2 {at(0)}"
        outcome = engine.write_line_protocol(
            body, database="db", retention_policy="short", raise_on_refusal=False
        )
    finally:
        engine.close()
    assert outcome.written == 1
    assert outcome.lines == 2
    assert [(r.line_number, r.line, r.reason) for r in outcome.rejected] == [
        (2, f"{M} v=2 {at(0)}", "points beyond retention policy")
    ]
    assert outcome.error is not None
    assert outcome.error.dropped == 1
