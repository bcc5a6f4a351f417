"""Concurrent reads and writes give exact answers, on the server and the engine.

1,000 points are stored in measurement ``stress_a`` first. While threads
and asyncio tasks write measurement ``stress_b`` (good batches, batches
with points refused for a field type conflict, and lines storing a tag key
as a field too), readers count and read
``stress_a`` again and again: every answer must be exactly the 1,000 points.
At the end ``stress_b`` holds exactly the points the stores acknowledged.
Loops are bounded by iteration counts, never by time.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import influxpy
from influxpy import fields, models
from influxpy.exceptions import FieldTypeConflictError

S = 1_000_000_000
#: 2020-01-02T00:00:00Z, the start of a 7-day shard group: every point of
#: the test lies in one shard, where the server checks field types.
T0 = 1_577_923_200 * S
STORED = 1_000
WRITERS = 2
ROUNDS = 40
BATCH = 5
READS = 60


class StressA(models.InfluxMeasurement):
    """The measurement readers check."""

    class Meta:
        measurement = "stress_a"

    v = fields.FloatField()
    host = fields.InfluxTag()


class StressB(models.InfluxMeasurement):
    """The measurement writers hammer; ``v`` is a float once written."""

    class Meta:
        measurement = "stress_b"

    v = fields.InfluxField()
    host = fields.InfluxTag()


@pytest.fixture(params=["influxdb", "duckdb"])
def store(request: pytest.FixtureRequest) -> Iterator[str]:
    """An alias on a fresh database of the server, then on a fresh engine."""
    if request.param == "influxdb":
        url = str(request.getfixturevalue("influx_url"))
    else:
        url = "duckdb://:memory:"
    alias = f"stress-{request.param}"
    backend = influxpy.connect(url, alias=alias)
    StressA.series.using(alias).bulk_create(
        StressA(time=T0 + n * S, v=float(n), host=f"h{n % 4}") for n in range(STORED)
    )
    StressB.series.using(alias).bulk_create([StressB(time=T0, v=0.0, host="w")])
    try:
        yield alias
    finally:
        backend.close()


class Tally:
    """What the writers were told: points acknowledged as stored."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acknowledged = 1  # the point the fixture stored
        self.refused = 0

    def add(self, stored: int, refused: int = 0) -> None:
        with self.lock:
            self.acknowledged += stored
            self.refused += refused


def write_round(alias: str, writer: int, round_: int, tally: Tally) -> None:
    """One good batch, one batch with a conflicting point, one refused line."""
    backend = influxpy.connections[alias]
    base = T0 + (writer * 10_000 + round_ * 10) * S
    good = [
        StressB(time=base + n * S, v=float(n), host=f"w{writer}") for n in range(BATCH)
    ]
    tally.add(StressB.series.using(alias).bulk_create(good))
    mixed = [
        StressB(time=base + (BATCH + n) * S, v="text" if n == 1 else 1.0, host="m")
        for n in range(3)
    ]
    try:
        tally.add(StressB.series.using(alias).bulk_create(mixed))
    except FieldTypeConflictError as exc:
        tally.add(3 - exc.dropped, exc.dropped)
    # "host" is a tag of stress_b: InfluxDB 1.x also stores it as a field
    # (a key that is a tag in some series and a field in others).
    line = f'stress_b,host=t host="x",v=1 {base + 9 * S}'
    tally.add(backend.write_lines([line]))


def check_reads(alias: str, failures: list[str], done: Callable[[], bool]) -> int:
    """Read stress_a until the writers finish (at most READS rounds)."""
    qs = StressA.series.using(alias)
    reads = 0
    while reads < READS and not (done() and reads >= 3):
        reads += 1
        answers = {
            "count": qs.count(),
            "points": sum(len(r.points) for r in qs.only("v")),
            "iterator": sum(len(r.points) for r in qs.only("v").iterator(250)),
            "hosts": len(list(qs.only("v").group_by("host"))),
        }
        if answers != {
            "count": STORED,
            "points": STORED,
            "iterator": STORED,
            "hosts": 4,
        }:
            failures.append(f"read {reads}: {answers}")
    return reads


async def check_async_reads(
    alias: str, failures: list[str], done: Callable[[], bool]
) -> int:
    qs = StressA.series.using(alias)
    reads = 0
    while reads < READS and not (done() and reads >= 3):
        reads += 1
        counted = await qs.acount()
        if counted != STORED:
            failures.append(f"async read {reads}: count {counted}")
    return reads


async def async_writes(alias: str, tally: Tally) -> None:
    for round_ in range(ROUNDS // 4):
        base = T0 + (90_000 + round_ * 10) * S
        good = [StressB(time=base + n * S, v=float(n), host="async") for n in range(3)]
        tally.add(await StressB.series.using(alias).abulk_create(good))
        bad = [StressB(time=base + 5 * S, v=True, host="async")]
        try:
            tally.add(await StressB.series.using(alias).abulk_create(bad))
        except FieldTypeConflictError as exc:
            tally.add(0, exc.dropped)


def test_reads_stay_exact_while_writes_are_refused(store: str) -> None:
    tally = Tally()
    failures: list[str] = []
    errors: list[BaseException] = []
    finished = threading.Event()
    reads: list[int] = []

    def guarded(target: Callable[[], Any]) -> Callable[[], None]:
        def run() -> None:
            try:
                result = target()
                if isinstance(result, int):
                    reads.append(result)
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)

        return run

    def writer(index: int) -> Callable[[], None]:
        def run() -> None:
            for round_ in range(ROUNDS):
                write_round(store, index, round_, tally)

        return run

    async def with_tasks() -> None:
        counts = await asyncio.gather(
            check_async_reads(store, failures, finished.is_set),
            check_async_reads(store, failures, finished.is_set),
            async_writes(store, tally),
        )
        reads.extend(c for c in counts if c is not None)

    writers = [
        threading.Thread(target=guarded(writer(i)), name=f"writer-{i}")
        for i in range(WRITERS)
    ]
    readers = [
        threading.Thread(
            target=guarded(lambda: check_reads(store, failures, finished.is_set)),
            name=f"reader-{i}",
        )
        for i in range(2)
    ]
    tasks = threading.Thread(target=guarded(lambda: asyncio.run(with_tasks())))
    for thread in [*readers, tasks, *writers]:
        thread.start()
    for thread in writers:
        thread.join(timeout=300)
    finished.set()
    for thread in [*readers, tasks]:
        thread.join(timeout=300)

    assert errors == []
    assert failures == []
    assert sum(reads) >= 2 * 3
    # Each round refused one point of the mixed batch; async rounds one more.
    assert tally.refused >= WRITERS * ROUNDS + ROUNDS // 4
    assert StressB.series.using(store).count() == tally.acknowledged
    assert StressA.series.using(store).count() == STORED


def test_refused_writes_never_hide_a_table_from_other_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A write that fails inside its transaction, after it added a column,
    rolls back without touching the catalog other threads read: a reader
    looking at it meanwhile always finds the stored table, whole."""
    import influxpy.backends.duckdb.writing as engine

    backend = influxpy.connect("duckdb://:memory:", alias="catalog-refused")
    try:
        StressB.series.using("catalog-refused").bulk_create(
            [StressB(time=T0, v=1.0, host="a")]
        )
        expected = backend.catalog(backend.database)
        seen: list[Any] = []
        stop = threading.Event()
        merge = engine.merge

        def failing_merge(*args: Any, **kwargs: Any) -> None:
            merge(*args, **kwargs)
            raise RuntimeError("the disk is full")

        monkeypatch.setattr(engine, "merge", failing_merge)

        def read() -> None:
            for _ in range(20_000):
                catalog = backend.catalog(backend.database)
                if catalog != expected:
                    seen.append(catalog)
                if stop.is_set():
                    break

        reader = threading.Thread(target=read)
        reader.start()
        for n in range(200):
            with pytest.raises(RuntimeError, match="disk is full"):
                backend.write_lines([f"stress_b,host=a new=1,v=2 {T0 + n}"])
        stop.set()
        reader.join(timeout=120)
        assert seen == []
        assert backend.catalog(backend.database) == expected
    finally:
        backend.close()


def test_columns_added_by_a_write_are_seen_only_once_committed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While a write that adds a measurement and a column is still in its
    transaction, another thread's catalog and queries know neither."""
    import influxpy.backends.duckdb.writing as engine

    backend = influxpy.connect("duckdb://:memory:", alias="catalog-uncommitted")
    inside = threading.Event()
    go_on = threading.Event()
    merge = engine.merge

    def slow_merge(*args: Any, **kwargs: Any) -> None:
        merge(*args, **kwargs)
        inside.set()
        assert go_on.wait(timeout=60)

    monkeypatch.setattr(engine, "merge", slow_merge)
    try:
        thread = threading.Thread(
            target=backend.write_lines,
            args=([f"fresh,host=a v=1,extra=2 {T0}"],),
        )
        thread.start()
        assert inside.wait(timeout=60)
        seen = backend.catalog(backend.database)
        assert ("autogen", "fresh") not in seen.tables
        assert backend._cursor().execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'autogen.fresh'"
        ).fetchone() == (0,)
        go_on.set()
        thread.join(timeout=60)
        seen = backend.catalog(backend.database)
        assert set(seen.tables[("autogen", "fresh")]) == {"host", "v", "extra"}
    finally:
        go_on.set()
        backend.close()


def test_policies_are_read_as_committed_while_changes_are_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """Queries read retention policies (their shard durations) from the
    published catalog: a policy change that fails inside its transaction
    leaves every other thread the committed policies, the next committed
    change is seen at once, and a file opened again reads them back."""
    from influxpy.backends.duckdb.catalog_change import CatalogChange

    path = tmp_path / "policies.duckdb"
    backend = influxpy.connect(f"duckdb:///{path}", alias="catalog-policies")
    db = backend.database
    hour = 3_600 * S
    try:
        backend.create_retention_policy(
            db,
            {
                "name": "week",
                "duration": 168 * hour,
                "shard_duration": 2 * hour,
                "replication": 1,
                "default": False,
            },
        )
        expected = backend.retention_policies(db)
        assert [p["name"] for p in expected] == ["autogen", "week"]
        store_policies = CatalogChange.store_policies

        def failing(self: Any, *args: Any, **kwargs: Any) -> None:
            store_policies(self, *args, **kwargs)
            raise RuntimeError("the disk is full")

        monkeypatch.setattr(CatalogChange, "store_policies", failing)
        seen: list[Any] = []
        stop = threading.Event()

        def read() -> None:
            for _ in range(20_000):
                policies = backend.retention_policies(db)
                shard = backend._shard_duration(db, "week")
                if policies != expected or shard != 2 * hour:
                    seen.append((policies, shard))
                if stop.is_set():
                    break

        reader = threading.Thread(target=read)
        reader.start()
        for n in range(100):
            with pytest.raises(RuntimeError, match="disk is full"):
                backend.create_retention_policy(
                    db,
                    {
                        "name": "week",
                        "duration": 168 * hour,
                        "shard_duration": (3 + n) * hour,
                        "replication": 1,
                        "default": True,
                    },
                    replace=True,
                )
        stop.set()
        reader.join(timeout=120)
        assert seen == []
        assert backend.retention_policies(db) == expected
        monkeypatch.setattr(CatalogChange, "store_policies", store_policies)
        (result,) = backend.statements(
            f'ALTER RETENTION POLICY "week" ON "{db}" SHARD DURATION 3h DEFAULT'
        )
        assert result.error is None
        assert backend._shard_duration(db, "week") == 3 * hour
        assert backend.default_retention_policy(db) == "week"
        changed = backend.retention_policies(db)
    finally:
        backend.close()
    again = influxpy.connect(f"duckdb:///{path}", alias="catalog-policies-again")
    try:
        assert again.retention_policies(db) == changed
        assert again._shard_duration(db, "week") == 3 * hour
        assert again._shard_duration(db, "gone") == 7 * 24 * hour
    finally:
        again.close()
