"""Continuous queries on the embedded engine, run as InfluxDB's CQ service runs them.

The live tests write the same points to InfluxDB 1.6.7 and to the engine,
create the same continuous query on both and run it for the same clock: the
engine with ``run_continuous_queries(now=T)``, the server through its own
``POST /data/process_continuous_queries?time=T`` (which makes its CQ service
run with ``now = T``, as its scheduler would at that moment). The target
measurement must then hold the same points on both.

The schedule itself (``run_window``) is checked against the rules of
influxd's ``services/continuous_querier/service.go``.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import influxpy
from _influxd import InfluxServer
from influxpy import fields, models
from influxpy.aggregates import Count, Max, Mean, Sum
from influxpy.backends.duckdb.continuous import go_truncate, run_window
from influxpy.durations import Day, Duration, Minute, Second
from influxpy.exceptions import (
    ImproperlyConfigured,
    NotSupportedError,
    ProgrammingError,
)

S = 1_000_000_000
M = 60 * S
H = 60 * M
#: A Monday at 00:00 UTC far from now (2024-01-01), where windows of any
#: size used here start.
T0 = 1_704_067_200 * S


class Cpu(models.InfluxMeasurement):
    measurement = "cpu"
    value = fields.FloatField()
    host = fields.InfluxTag()


class CpuRollup(models.InfluxMeasurement):
    measurement = "cpu_rollup"
    value = fields.FloatField()
    host = fields.InfluxTag()


# -- the schedule, rule by rule (service.go) ------------------------------------


def test_a_first_run_on_a_window_boundary_covers_the_window_that_closed():
    last, window = run_window(T0 + 10 * M, 10 * M, 0)
    assert last == T0 + 10 * M
    assert window == (T0, T0 + 10 * M)


def test_a_first_run_inside_a_window_runs_nothing_but_starts_the_schedule():
    """start and end both truncate to the current window: no range, yet the
    last run is recorded, so the next run comes at the window's end."""
    last, window = run_window(T0 + 13 * M, 10 * M, 0)
    assert (last, window) == (T0 + 10 * M, None)
    assert run_window(T0 + 19 * M, 10 * M, 0, last_run=last) == (None, None)
    last, window = run_window(T0 + 20 * M + 3 * S, 10 * M, 0, last_run=last)
    assert (last, window) == (T0 + 20 * M, (T0 + 10 * M, T0 + 20 * M))


def test_missed_runs_are_caught_up_in_one_range():
    last, window = run_window(T0 + 45 * M, 10 * M, 0, last_run=T0 + 10 * M)
    assert (last, window) == (T0 + 40 * M, (T0 + 10 * M, T0 + 40 * M))


def test_resample_for_reaches_back_and_every_reruns_the_current_window():
    # RESAMPLE EVERY 5m FOR 30m on 10m windows: the run at 25m covers
    # [0m, 30m), the current window included.
    last, window = run_window(T0 + 25 * M, 10 * M, 0, every=5 * M, for_=30 * M)
    assert (last, window) == (T0 + 25 * M, (T0, T0 + 30 * M))
    # EVERY longer than the interval: FOR defaults to EVERY.
    last, window = run_window(T0 + 30 * M, 10 * M, 0, every=30 * M)
    assert (last, window) == (T0 + 30 * M, (T0, T0 + 30 * M))


def test_offsets_shift_the_windows():
    last, window = run_window(T0 + 12 * M, 10 * M, 2 * M)
    assert (last, window) == (T0 + 12 * M, (T0 + 2 * M, T0 + 12 * M))


def test_times_truncate_from_gos_zero_time():
    """Go truncates from 1 January of year 1, a Monday: 7-day windows
    start on Mondays, not on the Thursdays epoch multiples fall on."""
    week = 7 * 86_400 * S
    monday = T0  # 2024-01-01 was a Monday
    assert go_truncate(monday + 3 * 86_400 * S, week) == monday
    assert monday % week != 0
    assert go_truncate(T0 + 7 * M, M) == T0 + 7 * M


# -- the engine against InfluxDB ------------------------------------------------

# influxd 1.6.7 runs its CQs on its own clock only (its
# /data/process_continuous_queries endpoint is gone), every second here
# (tests/_influxd.py sets run-interval = "1s"). So the live tests write
# points in the recent past, in windows of 10 seconds, and let both
# schedulers run on the real clock.

W = 10 * S


@pytest.fixture
def engine() -> Iterator[Any]:
    alias = f"cq-engine-{uuid.uuid4().hex[:6]}"
    backend = influxpy.connect("duckdb://:memory:", alias=alias)
    try:
        yield backend
    finally:
        backend.close()


@pytest.fixture
def server(influx_url: str) -> Iterator[Any]:
    alias = f"cq-server-{uuid.uuid4().hex[:6]}"
    backend = influxpy.connect(influx_url, alias=alias)
    try:
        yield backend
    finally:
        backend.close()


def _points(start: int, count: int = 40, step: int = M) -> str:
    """Points every *step* from *start*, over hosts h0 and h1, one on h2."""
    lines = []
    for i in range(count):
        t = start + i * step + (i % 3) * (step // 7)
        lines.append(f"cpu,host=h{i % 2} value={float(i * i % 17)} {t}")
    lines.append(f"cpu,host=h2 value=100 {start + (count * 5 // 8) * step}")
    return "\n".join(lines)


def _rows(alias: str) -> set[tuple[int, str, float]]:
    return {
        (p.time_ns, p.host, p.value) for p in CpuRollup.series.using(alias).instances()
    }


def _wait_for(alias: str, expected: set[tuple[int, str, float]]) -> set[Any]:
    """Poll the target until it holds *expected* (bounded; no timing asserted)."""
    deadline = time.monotonic() + 40
    found: set[Any] = set()
    while time.monotonic() < deadline:
        found = _rows(alias)
        if found == expected:
            break
        time.sleep(0.25)
    return found


def _write_both(influx_server: InfluxServer, database: str, engine: Any, lines: str):
    influx_server.write(lines, database)
    engine.write_lines(lines.splitlines())


CASES: list[tuple[str, Any, dict[str, Any]]] = [
    ("mean", Mean, {}),
    ("max_offset", Max, {"offset": Second(3)}),
    ("sum_tag_filter", Sum, {"filter": {"host__in": ["h0", "h2"]}}),
    ("count_time_filter", Count, {"filter": {"time__gte": T0}}),
]


@pytest.mark.parametrize(("name", "function", "shape"), CASES)
def test_the_engine_writes_what_influxdb_writes(
    influx_server: InfluxServer,
    database: str,
    engine: Any,
    server: Any,
    name: str,
    function: Any,
    shape: dict[str, Any],
) -> None:
    """RESAMPLE FOR 2m over points in closed windows: both fill the same
    target (a time condition in the query is dropped, as influxd drops it)."""
    now = time.time_ns()
    start = (now - 70 * S) // W * W
    _write_both(influx_server, database, engine, _points(start, 25, 2 * S))
    for backend in (engine, server):
        qs = Cpu.series.using(backend.alias)
        if "filter" in shape:
            qs = qs.filter(**shape["filter"])
        (
            qs.annotate(value=function("value"))
            .resolution(Second(10), offset=shape.get("offset"))
            .into(CpuRollup)
            .continuous_query(name, resample_for=Minute(2))
            .create()
        )
    runs = engine.run_continuous_queries(now=time.time_ns())
    assert [r.name for r in runs] == [name]
    expected = _rows(engine.alias)
    assert len(expected) >= 6, "too few rows for the case to prove anything"
    assert _wait_for(server.alias, expected) == expected


def test_the_default_schedule_matches_influxdb_on_the_real_clock(
    influx_server: InfluxServer, database: str, server: Any, tmp_path: Path
) -> None:
    """Without RESAMPLE, a CQ created inside a window rolls up that window
    when it closes, and never the windows before it: on both, each running
    its own scheduler on the real clock."""
    alias = f"cq-live-{uuid.uuid4().hex[:6]}"
    engine = influxpy.connect(f"duckdb:///{tmp_path / 'live.duckdb'}", alias=alias)
    try:
        # Start 2 to 5 seconds into a window, far from either boundary.
        while not 2 * S <= time.time_ns() % W < 5 * S:
            time.sleep(0.1)
        now = time.time_ns()
        current = now // W * W
        lines = _points(current - 3 * W, 15, 2 * S)  # 3 closed windows
        lines += "\n" + "\n".join(
            f"cpu,host=h{i} value={i + 0.5} {current + i * 500_000_000}"
            for i in range(2)
        )
        _write_both(influx_server, database, engine, lines)
        for backend in (engine, server):
            _rollup_cq(backend.alias, resolution=Second(10)).create()
        expected = {(current, "h0", 0.5), (current, "h1", 1.5)}
        assert _wait_for(alias, expected) == expected
        assert _wait_for(server.alias, expected) == expected
    finally:
        engine.close()


# -- the engine's scheduler ------------------------------------------------------


def _rollup_cq(
    alias: str,
    name: str = "rollup",
    resolution: Duration | None = None,
    **resample: Any,
) -> Any:
    return (
        Cpu.series.using(alias)
        .annotate(value=Mean("value"))
        .resolution(resolution or Minute(10))
        .into(CpuRollup)
        .continuous_query(name, **resample)
    )


def test_later_runs_cover_each_window_once(engine: Any):
    engine.write_lines(_points(T0).splitlines())
    _rollup_cq(engine.alias).create()
    first = engine.run_continuous_queries(now=T0 + 10 * M)
    assert [(r.start, r.end) for r in first] == [(T0, T0 + 10 * M)]
    assert engine.run_continuous_queries(now=T0 + 15 * M) == []
    later = engine.run_continuous_queries(now=T0 + 31 * M)
    assert [(r.start, r.end) for r in later] == [(T0 + 10 * M, T0 + 30 * M)]
    times = sorted({t for t, _h, _v in _rows(engine.alias)})
    assert times == [T0, T0 + 10 * M, T0 + 20 * M]


def test_the_background_scheduler_runs_on_the_injected_clock(tmp_path: Path):
    alias = f"cq-bg-{uuid.uuid4().hex[:6]}"
    backend = influxpy.connect(
        f"duckdb:///{tmp_path / 'bg.duckdb'}?cq_run_interval=20ms", alias=alias
    )
    try:
        backend.clock = lambda: T0 + 40 * M
        assert not backend.scheduler_running
        backend.write_lines(_points(T0).splitlines())
        _rollup_cq(alias, resample_for=Minute(40)).create()
        assert backend.scheduler_running
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(_rows(alias)) < 9:
            time.sleep(0.05)
        assert sorted({t for t, _h, _v in _rows(alias)}) == [
            T0 + k * 10 * M for k in range(4)
        ]
    finally:
        backend.close()
    assert not backend.scheduler_running


def test_continuous_queries_survive_reopening_a_file(tmp_path: Path):
    url = f"duckdb:///{tmp_path / 'cq.duckdb'}"
    first = influxpy.connect(url, alias="cq-file-1")
    try:
        _rollup_cq("cq-file-1").create()
    finally:
        first.close()
    second = influxpy.connect(url, alias="cq-file-2")
    try:
        second.write_lines(_points(T0).splitlines())
        [info] = second.introspection("influxpy").continuous_queries()
        assert info.name == "rollup"
        [run] = second.run_continuous_queries(now=T0 + 10 * M)
        assert run.written == 2
    finally:
        second.close()


def test_dropping_the_database_drops_its_continuous_queries(engine: Any):
    _rollup_cq(engine.alias).create()
    engine.drop_database("influxpy")
    engine.create_database("influxpy")
    assert engine.introspection("influxpy").continuous_queries() == []


def test_a_bad_interval_option_is_refused():
    with pytest.raises(ImproperlyConfigured, match="cq_run_interval='soon'"):
        influxpy.connect("duckdb://:memory:?cq_run_interval=soon", alias="cq-bad")


def test_week_windows_follow_gos_truncation(engine: Any):
    """A 7-day CQ run on a Monday covers the week from the previous Monday."""
    monday = T0 + 14 * 86_400 * S
    engine.write_lines([f"cpu,host=a value=1 {monday - 86_400 * S}"])
    (
        Cpu.series.using(engine.alias)
        .annotate(value=Sum("value"))
        .resolution(Day(7))
        .into(CpuRollup)
        .continuous_query("weekly")
        .create()
    )
    [run] = engine.run_continuous_queries(now=monday)
    assert (run.start, run.end) == (monday - 7 * 86_400 * S, monday)


def test_an_influxdb_server_runs_its_own_continuous_queries(server: Any):
    """The HTTP backend leaves CQs and retention to influxd's own services."""
    with pytest.raises(NotSupportedError, match=r"\[continuous_queries\]"):
        server.run_continuous_queries(now=T0)
    with pytest.raises(NotSupportedError, match=r"\[retention\] check-interval"):
        server.enforce_retention(now=T0)


# -- the stored statement --------------------------------------------------------


def test_a_queryset_continuous_query_lists_as_influxdb_lists_it(
    database: str, engine: Any, server: Any
) -> None:
    """The engine stores the statement influxd stores for the same QuerySet
    (qualified, identifiers quoted only where needed, floats as Go writes
    them) and runs the query it reads back from that text."""
    listed = []
    for backend, db in ((engine, "influxpy"), (server, database)):
        (
            Cpu.series.using(backend.alias)
            .filter(host__in=["h0", "h 2"], value__gt=1.5)
            .annotate(value=Max("value") * 2.5)
            .resolution(Minute(10), offset=Second(30))
            .into(CpuRollup)
            .continuous_query("select", resample_every=Minute(20))
            .create()
        )
        [info] = backend.introspection(db).continuous_queries()
        listed.append(info.query.replace(f" {db}", " DB"))
    assert listed[0] == listed[1]
    assert listed[0].startswith('CREATE CONTINUOUS QUERY "select" ON ')
    assert " ON DB RESAMPLE EVERY 20m BEGIN SELECT max(value) * 2.500 AS " in listed[0]
    assert " INTO DB.autogen.cpu_rollup FROM DB.autogen.cpu " in listed[0]
    engine.write_lines(["cpu,host=h0 value=2 0", f"cpu,host=h0 value=3 {T0 + M}"])
    [run] = engine.run_continuous_queries(now=T0 + 11 * M)
    assert run.written == 1
    [point] = CpuRollup.series.using(engine.alias).instances()
    assert (point.time_ns, point.value) == (T0 + 30 * S, 7.5)


def test_a_file_of_the_pickled_layout_is_read_by_its_statements(
    tmp_path: Path,
) -> None:
    """A file whose table still has the pickled-query column keeps working:
    the column is ignored and the statement parsed; a statement that cannot
    be read fails its own runs with a clear error, and is listed and dropped."""
    url = f"duckdb:///{tmp_path / 'old.duckdb'}"
    import duckdb

    backend = influxpy.connect(url, alias="cq-old-1")
    backend.close()
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    con.execute(
        "CREATE TABLE main.influxpy_continuous_queries (database VARCHAR, "
        "name VARCHAR, statement VARCHAR, definition BLOB, every BIGINT, "
        "for_ BIGINT, position BIGINT)"
    )
    quoted = (
        'CREATE CONTINUOUS QUERY "rollup" ON "influxpy" BEGIN SELECT '
        'mean("value") AS "value" INTO "influxpy"."autogen"."cpu_rollup" '
        'FROM "influxpy"."autogen"."cpu" GROUP BY time(10m), "host" END'
    )
    con.execute(
        "INSERT INTO main.influxpy_continuous_queries VALUES "
        "('influxpy', 'rollup', ?, '\\x80\\x05junk'::BLOB, 0, 0, 1), "
        "('influxpy', 'broken', 'CREATE CONTINUOUS QUERY broken ON influxpy "
        "BEGIN SELECT', NULL, 0, 0, 2)",
        [quoted],
    )
    con.close()
    backend = influxpy.connect(url, alias="cq-old-2")
    try:
        backend.write_lines(_points(T0).splitlines())
        infos = backend.introspection("influxpy").continuous_queries()
        assert [(i.name, i.query) for i in infos] == [
            ("rollup", quoted),
            ("broken", "CREATE CONTINUOUS QUERY broken ON influxpy BEGIN SELECT"),
        ]
        with pytest.raises(ProgrammingError, match="'broken' on 'influxpy' cannot"):
            backend.run_continuous_queries(now=T0 + 10 * M)
        assert len(_rows(backend.alias)) == 2  # the readable one ran
        backend.drop_continuous_query("influxpy", "broken")
        _rollup_cq(backend.alias, "again").create()
        [run] = backend.run_continuous_queries(now=T0 + 10 * M)
        assert run.name == "again"
    finally:
        backend.close()


def test_a_raw_continuous_query_is_kept_listed_and_never_run(
    influx_server: InfluxServer, engine: Any
):
    """influxd keeps a continuous query without GROUP BY time (a raw
    SELECT ... INTO) and lists it, and its service never runs it."""
    name = f"raw_{uuid.uuid4().hex[:6]}"
    text = f"CREATE CONTINUOUS QUERY cq ON {name} BEGIN SELECT v INTO c FROM m END"
    influx_server.create_database(name)
    try:
        influx_server.query(text, db=name)
        shown = influx_server.query("SHOW CONTINUOUS QUERIES")["results"][0]
    finally:
        influx_server.drop_database(name)
    (theirs,) = [s["values"] for s in shown["series"] if s["name"] == name]
    engine.create_database(name)
    (created,) = engine.statements(text, database=name)
    assert created.error is None
    (result,) = engine.statements("SHOW CONTINUOUS QUERIES")
    (ours,) = [s.values for s in result.series if s.name == name]
    assert ours == theirs
    engine.write_lines([f"m v=1 {T0}"], database=name)
    assert engine.run_continuous_queries(now=T0 + 10 * M) == []
    (measurements,) = engine.statements("SHOW MEASUREMENTS", database=name)
    assert [s.values for s in measurements.series] == [[["m"]]]
