"""Retention on the embedded engine: shard groups as InfluxDB makes them, and
expired groups dropped whole, as its retention service drops them.

Shard-group boundaries are compared with what InfluxDB 1.6.7 lists in
``SHOW SHARDS`` for the same writes; enforcement runs on an injected clock
(the engine's ``enforce_retention(now=…)`` and its scheduler's ``clock``).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

import influxpy
from _influxd import InfluxServer
from influxpy import RetentionPolicy
from influxpy.backends.duckdb.retention_service import shard_group_bounds
from influxpy.durations import Day, Hour
from influxpy.schema import get_schema_editor

S = 1_000_000_000
H = 3600 * S
D = 24 * H
#: 2024-01-03 12:00 UTC, a Wednesday.
T0 = 1_704_283_200 * S

#: Times that cross hour, day and week (Monday) boundaries.
TIMES = [T0, T0 + 30 * 60 * S, T0 + H, T0 + 13 * H, T0 + 5 * D, T0 + 12 * D + 7]


@pytest.fixture
def engine() -> Iterator[Any]:
    backend: Any = influxpy.connect(
        "duckdb://:memory:", alias=f"rp-engine-{uuid.uuid4().hex[:6]}"
    )
    # Writes drop points older than a finite policy keeps, by this clock.
    backend.clock = lambda: T0
    try:
        yield backend
    finally:
        backend.close()


def _times(backend: Any, source: str = "m") -> list[int]:
    """The times of the points a SELECT on *source* returns."""
    [result] = backend.statements(f"SELECT value FROM {source}")
    assert result.error is None, result.error
    return [row[0] for series in result.series for row in series.values]


def _lines(times: list[int]) -> list[str]:
    return [f"m,host=a value={i} {t}" for i, t in enumerate(times)]


def _iso_ns(text: str) -> int:
    stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return int(stamp.timestamp()) * S


def _server_shards(influx_server: InfluxServer, database: str) -> set[Any]:
    body = influx_server.query("SHOW SHARDS")
    found = set()
    for series in body["results"][0].get("series", []):
        if series["name"] != database:
            continue
        columns = series["columns"]
        for row in series["values"]:
            record = dict(zip(columns, row, strict=True))
            found.add(
                (
                    record["retention_policy"],
                    _iso_ns(record["start_time"]),
                    _iso_ns(record["end_time"]),
                )
            )
    return found


def test_shard_groups_match_show_shards_on_influxdb(
    influx_server: InfluxServer, database: str, engine: Any
) -> None:
    """autogen's 7-day groups (starting on Mondays) and 1-hour and 1-day
    groups of infinite policies: the same boundaries as the server's."""
    policies = [("hourly", "1h"), ("daily", "1d")]
    for name, shard in policies:
        influx_server.query(
            f"CREATE RETENTION POLICY {name} ON {database} DURATION INF "
            f"REPLICATION 1 SHARD DURATION {shard}"
        )
    editor = get_schema_editor(engine)
    editor.create_retention_policy(
        RetentionPolicy("hourly", None, shard_duration=Hour(1)), "influxpy"
    )
    editor.create_retention_policy(
        RetentionPolicy("daily", None, shard_duration=Day(1)), "influxpy"
    )
    lines = _lines(TIMES)
    for rp in ("autogen", "hourly", "daily"):
        influx_server.write("\n".join(lines), database, rp=rp)
        engine.write_lines(lines, retention_policy=rp)
    expected = _server_shards(influx_server, database)
    groups = engine.shard_groups("influxpy")
    assert {(g.retention_policy, g.start, g.end) for g in groups} == expected
    assert len(expected) == 3 + 5 + 4  # weeks, hours, days
    assert len({g.id for g in groups}) == len(groups)
    assert all(g.expiry is None for g in groups)


def test_shard_group_bounds_truncate_from_gos_zero_time():
    week = 7 * D
    monday = 1_704_067_200 * S  # 2024-01-01
    assert shard_group_bounds(T0, week) == (monday, monday + week)
    assert shard_group_bounds(T0 + 1, H) == (T0, T0 + H)


def _finite(engine: Any, duration: Any = None, shard: Any = None) -> None:
    get_schema_editor(engine).create_retention_policy(
        RetentionPolicy(
            "short", duration or Hour(1), shard_duration=shard or Hour(1), default=True
        ),
        "influxpy",
    )


def test_expired_groups_are_dropped_whole_at_end_plus_duration(engine: Any):
    _finite(engine)
    times = [T0 + 10 * S, T0 + H + 5 * S, T0 + H + 50 * 60 * S, T0 + 2 * H + 1]
    engine.write_lines(_lines(times))
    [first, second, third] = engine.shard_groups()
    assert (first.start, first.end, first.expiry) == (T0, T0 + H, T0 + 2 * H)
    # Not before its end plus the duration: InfluxDB tests "before now".
    assert engine.enforce_retention(now=T0 + 2 * H) == []
    assert [g.id for g in engine.enforce_retention(now=T0 + 2 * H + 1)] == [first.id]
    assert _times(engine) == times[1:]
    # The whole second group goes at once, the point near its end too.
    dropped = engine.enforce_retention(now=T0 + 3 * H + 1)
    assert [g.id for g in dropped] == [second.id]
    assert [g.id for g in engine.shard_groups()] == [third.id]


def test_groups_keep_their_boundaries_when_the_shard_duration_changes(
    engine: Any,
) -> None:
    _finite(engine, Day(2), Hour(1))
    engine.write_lines(_lines([T0 + 10 * S]))
    [before] = engine.shard_groups()
    get_schema_editor(engine).alter_retention_policy(
        RetentionPolicy("short", Day(2), shard_duration=Day(1)), "influxpy"
    )
    engine.write_lines(_lines([T0 + 20 * S, T0 + 3 * H]))
    groups = engine.shard_groups()
    assert groups[0] == before
    assert [(g.start, g.end) for g in groups[1:]] == [
        (T0 - 12 * H, T0 + 12 * H)
    ]  # the new point of the old hour stays in the old group


def test_infinite_policies_keep_everything(engine: Any):
    engine.write_lines(_lines(TIMES))
    assert engine.enforce_retention(now=T0 + 10_000 * D) == []
    assert len(engine.shard_groups()) == 3


def test_dropping_a_policy_forgets_its_groups(engine: Any):
    _finite(engine)
    engine.write_lines(_lines([T0]))
    assert engine.shard_groups()
    get_schema_editor(engine).alter_retention_policy(
        RetentionPolicy("autogen", None, default=True), "influxpy"
    )
    get_schema_editor(engine).drop_retention_policy("short", "influxpy")
    assert engine.shard_groups() == []


def test_the_scheduler_enforces_retention_on_its_clock():
    backend = influxpy.connect(
        "duckdb://:memory:?retention_check_interval=20ms&cq_run_interval=0s",
        alias=f"rp-bg-{uuid.uuid4().hex[:6]}",
    )
    try:
        now = [T0 + 30 * 60 * S]
        backend.clock = lambda: now[0]
        backend.write_lines(_lines([T0]))
        assert not backend.scheduler_running  # nothing to enforce yet
        _finite(backend)
        assert backend.scheduler_running
        # Written while the policy keeps it, then out of date.
        backend.write_lines(_lines([T0 + 5 * S]), retention_policy="short")
        now[0] = T0 + 10 * H
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and _times(backend, "short.m"):
            time.sleep(0.05)
        assert _times(backend, "short.m") == []
        # autogen is infinite: its point stays.
        assert _times(backend, "autogen.m") == [T0]
    finally:
        backend.close()
    assert not backend.scheduler_running
