"""The embedded engine compresses what it stores, without changing answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests._models import ServerMeasurement

import influxpy
import influxpy.backends.duckdb.backend as engine
import influxpy.backends.duckdb.writing as writing
from influxpy.aggregates import Mean
from influxpy.backends.duckdb.catalog import ident
from influxpy.backends.duckdb.stream import column_batches
from influxpy.compilers.base import Compiled
from influxpy.compilers.duckdb import TAG_CODES, code_column
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


def _checkpointed(backend: engine.DuckDBBackend) -> None:
    """Wait for the checkpoint the last write started in the background."""
    assert backend._checkpointer is not None
    backend._checkpointer.join(timeout=60)


def test_rows_are_compressed_once_enough_are_written(
    memory: engine.DuckDBBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below the threshold rows stay as written; past it they are compressed."""
    monkeypatch.setattr(writing, "_CHECKPOINT_ROWS", 5_000)
    manager = ServerMeasurement.series.using("compressed")
    manager.bulk_create(_points(3_000))
    assert _compressions(memory) == {"Uncompressed"}
    before = _means(manager)
    manager.bulk_create(_points(3_000, start=3_000))
    _checkpointed(memory)
    assert "Uncompressed" not in _compressions(memory)
    after = _means(manager)
    assert after == before
    assert manager.count() == 6_000


def test_a_checkpoint_beside_an_open_reader_loses_nothing(
    memory: engine.DuckDBBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader keeps its snapshot through a checkpoint; no write is lost."""
    monkeypatch.setattr(writing, "_CHECKPOINT_ROWS", 1_000)
    manager = ServerMeasurement.series.using("compressed")
    manager.bulk_create(_points(500))
    table = memory._table(memory.database, "autogen", "servers")
    reader = memory._con.cursor()
    reader.execute("BEGIN TRANSACTION")
    assert reader.execute(f"SELECT count(*) FROM {table}").fetchall() == [(500,)]
    manager.bulk_create(_points(2_000, start=500))
    _checkpointed(memory)
    assert memory._unchecked == 0
    assert reader.execute(f"SELECT count(*) FROM {table}").fetchall() == [(500,)]
    reader.execute("ROLLBACK")
    reader.close()
    assert manager.count() == 2_500


def _by_region(manager: Any) -> list[tuple[dict[str, str], list[dict[str, Any]]]]:
    grouped = manager.annotate(Mean("cpu")).group_by("region").epoch()
    return [(result.tags, result.points) for result in grouped]


def test_tag_values_share_one_dictionary_of_codes(
    memory: engine.DuckDBBackend,
) -> None:
    """Each tag value gets one code, whatever the batch, tag or table."""
    manager = ServerMeasurement.series.using("compressed")
    manager.bulk_create(_points(100))
    manager.bulk_create(_points(100, start=100))
    memory.write_lines(
        ["other,name=host-1,zone=region-2 v=1 1", "other,name=new v=2 2"]
    )
    values = memory._con.execute(
        f"SELECT value FROM {TAG_CODES} ORDER BY code"
    ).fetchall()
    expected = ["", *sorted({f"host-{i}" for i in range(7)} | {"region-0"})]
    assert [v for (v,) in values][:9] == expected
    assert sorted(v for (v,) in values) == sorted(
        [*expected, "region-1", "region-2", "new"]
    )
    for measurement, tag in [
        ("servers", "name"),
        ("servers", "region"),
        ("other", "name"),
        ("other", "zone"),
    ]:
        table = memory._table(memory.database, "autogen", measurement)
        code = ident(code_column(tag))
        wrong = memory._con.execute(
            f"SELECT count(*) FROM {table} t LEFT JOIN {TAG_CODES} d "
            f'ON t.{code} = d.code WHERE d.value IS DISTINCT FROM t."{tag}"'
        ).fetchall()
        assert wrong == [(0,)], (measurement, tag)


def test_a_tag_added_later_groups_earlier_points_under_empty(
    memory: engine.DuckDBBackend,
) -> None:
    """Rows from before a tag existed have '' for it, and code 0."""
    memory.write_lines(
        [
            f"servers,name=a cpu=1 {T0}",
            f"servers,name=b cpu=3 {T0}",
            f"servers,name=a,region=r1 cpu=10 {T0 + SECOND}",
        ]
    )
    manager = ServerMeasurement.series.using("compressed")
    assert _by_region(manager) == [
        ({"region": ""}, [{"time": 0, "mean": 2.0}]),
        ({"region": "r1"}, [{"time": 0, "mean": 10.0}]),
    ]


def test_tables_stored_without_codes_still_group_by_value(
    memory: engine.DuckDBBackend,
) -> None:
    """Tables written before tags had codes are read by the tag values."""
    manager = ServerMeasurement.series.using("compressed")
    manager.bulk_create(_points(600))
    coded = _means(manager)
    query = manager.annotate(Mean("cpu")).group_by("name").query
    assert TAG_CODES in query.compile(memory.get_compiler()).text
    memory._reload_catalog()
    assert memory._catalog[(memory.database, "autogen", "servers")]["name"].coded
    # What an older version left: no code columns, no code rows.
    table = memory._table(memory.database, "autogen", "servers")
    for tag in ("name", "region"):
        column = ident(code_column(tag))
        memory._con.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    memory._con.execute("DELETE FROM main.influxpy_catalog WHERE role = 'code'")
    memory._reload_catalog()
    assert TAG_CODES not in query.compile(memory.get_compiler()).text
    assert _means(manager) == coded
    manager.bulk_create(_points(600, start=600))
    assert manager.count() == 1_200


@pytest.mark.parametrize(
    ("select", "expected"),
    [
        # Plain types come through Arrow, NULLs included.
        (
            (
                "SELECT * FROM (VALUES (1::BIGINT, 'a', 1.5::DOUBLE, TRUE), "
                "(NULL, NULL, NULL, NULL), (-3, '', 'NaN'::DOUBLE, FALSE)) "
                "AS t(i, s, f, b) WHERE i IS NULL OR i > $low"
            ),
            [[1, None, -3], ["a", None, ""], [1.5, None, "nan"], [True, None, False]],
        ),
        # A HUGEINT would come through Arrow as a Decimal: fetched as rows.
        (
            "SELECT (2::HUGEINT ** 70)::HUGEINT AS h, 'x' AS s WHERE $low < 0",
            [[2**70], ["x"]],
        ),
    ],
)
def test_result_columns_keep_duckdbs_python_values(
    memory: engine.DuckDBBackend, select: str, expected: list[list[Any]]
) -> None:
    """Results read by column give the values DuckDB's rows give."""
    compiled = Compiled(select, {"low": -10})
    batches = list(column_batches(memory._con.cursor(), compiled, 2))
    columns: list[list[Any]] = [[] for _ in expected]
    for batch in batches:
        for column, values in zip(columns, batch, strict=True):
            column.extend(values)
    shown = [["nan" if v != v else v for v in column] for column in columns]
    assert shown == expected
    assert {type(v) for v in columns[0] if v is not None} == {int}


def _stored_out_of_order(backend: engine.DuckDBBackend) -> int:
    """How many stored points follow a later point of their series."""
    table = backend._table(backend.database, "autogen", "servers")
    ((count,),) = backend._con.execute(
        "SELECT count(*) FROM (SELECT time, lag(time) OVER (PARTITION BY name, "
        f"region ORDER BY rowid) AS before FROM {table}) WHERE time <= before"
    ).fetchall()
    return int(count)


@pytest.mark.parametrize("overlapping", [False, True])
def test_each_write_is_stored_in_time_order_in_a_large_table(
    memory: engine.DuckDBBackend, overlapping: bool
) -> None:
    """Sums add a series' points in storage order where influxd adds them
    in time order, so a write appended to a table of many rows is stored
    in time order too: DuckDB's anti-join (which finds the points already
    stored) gives its rows back in another order once the table is large.
    *overlapping*: each write shares its first second with the last one
    (that point merged, the others stored through the anti-join)."""
    pd = pytest.importorskip("pandas")
    hosts, per_write, writes = 4, 100_000, 9
    manager = ServerMeasurement.series.using("compressed")
    for k in range(writes):
        first = k * (per_write // hosts - overlapping)
        seconds = [first + i // hosts for i in range(per_write)]
        frame = pd.DataFrame(
            {
                "time": [T0 + s * SECOND for s in seconds],
                "name": [f"host-{i % hosts}" for i in range(per_write)],
                "region": "region-0",
                "cpu": [float(i % 97) for i in range(per_write)],
            }
        )
        manager.write_dataframe(frame, batch_size=per_write)
        assert _stored_out_of_order(memory) == 0, k
    assert manager.count() == writes * per_write - (writes - 1) * hosts * overlapping
