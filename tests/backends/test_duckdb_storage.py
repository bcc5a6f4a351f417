"""The embedded engine compresses what it stores, without changing answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests._models import ServerMeasurement

import influxpy
import influxpy.backends.duckdb as engine
from influxpy.aggregates import Mean
from influxpy.durations import Minute

T0 = 1_704_067_200_000_000_000
SECOND = 1_000_000_000


@pytest.fixture
def memory() -> Iterator[engine.DuckDBBackend]:
    conn = influxpy.connect("duckdb://:memory:", alias="compressed")
    assert isinstance(conn, engine.DuckDBBackend)
    yield conn
    influxpy.connections.close_all()


def _points(n: int, start: int = 0) -> list[ServerMeasurement]:
    return [
        ServerMeasurement(
            time=T0 + (start + i) * SECOND,
            name=f"host-{i % 7}",
            region=f"region-{i % 3}",
            cpu=float(i % 100) / 4,
            memory=i,
            free_memory=i % 11,
        )
        for i in range(n)
    ]


def _compressions(conn: engine.DuckDBBackend) -> set[str]:
    table = conn._table(conn.database, "autogen", "servers")
    rows = conn._con.execute(
        f"SELECT DISTINCT compression FROM pragma_storage_info('{table}') "
        "WHERE segment_type = 'VARCHAR'"
    ).fetchall()
    return {row[0] for row in rows}


def _means(manager: Any) -> list[dict[str, Any]]:
    """The mean cpu per 5 minutes and host over the first 3,000 seconds."""
    window = manager.filter(time__gte=T0, time__lt=T0 + 3_000 * SECOND)
    by_host = window.annotate(Mean("cpu")).resolution(Minute(5)).group_by("name")
    return list(by_host.epoch().points())


def test_rows_are_compressed_once_enough_are_written(
    memory: engine.DuckDBBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below the threshold rows stay as written; past it they are compressed."""
    monkeypatch.setattr(engine, "_CHECKPOINT_ROWS", 5_000)
    manager = ServerMeasurement.series.using("compressed")
    manager.bulk_create(_points(3_000))
    assert _compressions(memory) == {"Uncompressed"}
    before = _means(manager)
    manager.bulk_create(_points(3_000, start=3_000))
    assert "Uncompressed" not in _compressions(memory)
    after = _means(manager)
    assert after == before
    assert manager.count() == 6_000


def test_a_checkpoint_beside_an_open_reader_loses_nothing(
    memory: engine.DuckDBBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader keeps its snapshot through a checkpoint; no write is lost."""
    monkeypatch.setattr(engine, "_CHECKPOINT_ROWS", 1_000)
    manager = ServerMeasurement.series.using("compressed")
    manager.bulk_create(_points(500))
    table = memory._table(memory.database, "autogen", "servers")
    reader = memory._con.cursor()
    reader.execute("BEGIN TRANSACTION")
    assert reader.execute(f"SELECT count(*) FROM {table}").fetchall() == [(500,)]
    manager.bulk_create(_points(2_000, start=500))
    assert memory._unchecked == 0
    assert reader.execute(f"SELECT count(*) FROM {table}").fetchall() == [(500,)]
    reader.execute("ROLLBACK")
    reader.close()
    assert manager.count() == 2_500
