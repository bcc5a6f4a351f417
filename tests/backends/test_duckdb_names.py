"""Database, measurement and key names DuckDB treats specially.

A DuckDB file's catalog is named after the file, and DuckDB also has the
catalogs ``memory``, ``system`` and ``temp``: a database (a schema) with one
of those names must still be written and read. DuckDB matches names
ignoring case: measurements and field keys differing only in case are
stored apart (and read back after the file is opened again); databases and
tag keys differing only in case are refused with an error naming both,
before anything of the batch is stored.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import influxpy
from influxpy.backends.duckdb.backend import DuckDBBackend
from influxpy.exceptions import NotSupportedError


@pytest.fixture
def memory() -> Iterator[DuckDBBackend]:
    conn = influxpy.connect("duckdb://:memory:", alias="names")
    assert isinstance(conn, DuckDBBackend)
    yield conn
    influxpy.connections.close_all()


def _values(conn: DuckDBBackend, database: str, measurement: str = "m") -> list[float]:
    result = conn.query(f'SELECT v FROM "{measurement}"', database=database)
    return [p["v"] for r in result for p in r.points]


@pytest.mark.parametrize("stem", ["influxpy", "metrics"])
def test_a_database_named_like_its_file(tmp_path: Path, stem: str) -> None:
    url = f"duckdb:///{tmp_path}/{stem}.duckdb"
    conn = influxpy.connect(url, alias="file-named")
    try:
        conn.create_database(stem)
        conn.write_lines(["m v=1 1", "m v=2 2"], database=stem)
        conn.query(
            f'CREATE RETENTION POLICY week ON "{stem}" DURATION 7d REPLICATION 1'
        )
        now = time.time_ns()
        conn.write_lines([f"m v=3 {now}"], database=stem, retention_policy="week")
        assert _values(conn, stem) == [1.0, 2.0]
        conn.close()
        conn = influxpy.connect(url, alias="file-named-again")
        assert _values(conn, stem) == [1.0, 2.0]
        result = conn.query('SELECT v FROM "week"."m"', database=stem)
        assert [p["v"] for r in result for p in r.points] == [3.0]
        conn.drop_database(stem)
        assert stem not in conn.list_databases()
    finally:
        influxpy.connections.close_all()


@pytest.mark.parametrize("name", ["memory", "system", "temp", "main"])
def test_databases_named_like_duckdb_catalogs(memory: DuckDBBackend, name: str) -> None:
    memory.create_database(name)
    memory.create_database("other")
    memory.write_lines(["m v=1 1"], database=name)
    memory.write_lines(["m v=9 1"], database="other")
    assert _values(memory, name) == [1.0]
    memory.drop_database(name)
    assert name not in memory.list_databases()
    # The engine's own tables (in DuckDB's schema main) outlive it.
    assert _values(memory, "other") == [9.0]
    memory.create_database(name)
    assert memory.query("SELECT * FROM m", database=name) == []


def test_duckdb_system_schemas_are_refused_by_name(memory: DuckDBBackend) -> None:
    with pytest.raises(NotSupportedError, match="'information_schema'"):
        memory.create_database("information_schema")
    assert "information_schema" not in memory.list_databases()


@pytest.mark.parametrize(
    ("lines", "named"),
    [
        (["m,Host=a v=1 1", "m,host=b v=2 2"], "tag key 'host' of measurement 'm'"),
        (["m Value=1 1", "m,value=a v=2 2"], "tag key 'value' of measurement 'm'"),
        (["m,t=a v=1 1", "m,T=b v=2 2"], "tag key 'T' of measurement 'm' beside 't'"),
    ],
)
def test_names_differing_only_in_case_are_refused(
    memory: DuckDBBackend, lines: list[str], named: str
) -> None:
    memory.create_database("d")
    memory.write_lines(lines[:1], database="d")
    stored = memory.query("SELECT * FROM /.*/", database="d")
    with pytest.raises(NotSupportedError, match=named):
        memory.write_lines(lines[1:], database="d")
    # What was accepted stays, and the refused write changed nothing.
    assert memory.query("SELECT * FROM /.*/", database="d") == stored


def test_a_database_differing_only_in_case_is_refused(memory: DuckDBBackend) -> None:
    memory.create_database("Metrics")
    with pytest.raises(NotSupportedError, match="database 'metrics' beside 'Metrics'"):
        memory.create_database("metrics")
    assert "metrics" not in memory.list_databases()


READ = 'SELECT "t", "T", "True", "Host", "host" FROM m'


def test_field_keys_differing_only_in_case_are_kept_apart(tmp_path: Path) -> None:
    """``t``, ``T`` and ``True`` are three fields, beside a tag ``host``
    and a field ``Host``; each column is named apart in the file and read
    back by its key after the file is opened again."""
    path = tmp_path / "case.duckdb"
    lines = [
        "m,host=a t=1,T=2,True=3,Host=4 10",
        "m,host=b t=5 20",
        "m,host=b T=6,Host=7 30",
    ]
    first = influxpy.connect(f"duckdb:///{path}/d", alias="case-first")
    try:
        first.write_lines(lines)
        stored = first.query(READ, epoch="ns")
    finally:
        first.close()
    expected = [
        {"time": 10, "t": 1.0, "T": 2.0, "True": 3.0, "Host": 4.0, "host": "a"},
        {"time": 20, "t": 5.0, "T": None, "True": None, "Host": None, "host": "b"},
        {"time": 30, "t": None, "T": 6.0, "True": None, "Host": 7.0, "host": "b"},
    ]
    assert [r.points for r in stored] == [expected]
    again = influxpy.connect(f"duckdb:///{path}/d", alias="case-again")
    try:
        assert again.query(READ, epoch="ns") == stored
        again.write_lines(["m,host=c TRUE=8,true=9 40"])
        (series,) = again.query(
            'SELECT "true", "TRUE", "True" FROM m WHERE time = 40', epoch="ns"
        )
        assert series.points == [{"time": 40, "true": 9.0, "TRUE": 8.0, "True": None}]
        keys = again.query("SHOW FIELD KEYS FROM m")
        assert [p["fieldKey"] for r in keys for p in r.points] == [
            "Host",
            "T",
            "TRUE",
            "True",
            "t",
            "true",
        ]
    finally:
        again.close()


def test_measurements_differing_only_in_case_are_kept_apart(tmp_path: Path) -> None:
    """``cpu``, ``CPU`` and ``Cpu`` are three measurements, each in a table
    of its own, also after the file is opened again, and dropping one
    leaves the others."""
    path = tmp_path / "measurements.duckdb"
    first = influxpy.connect(f"duckdb:///{path}/d", alias="measurements-first")
    try:
        first.write_lines(["cpu v=1 10", "CPU v=2 20", "Cpu v=3 30"])
        first.write_lines(["cpu v=4 40"])
    finally:
        first.close()
    again = influxpy.connect(f"duckdb:///{path}/d", alias="measurements-again")
    try:
        read = {
            m: [p["v"] for r in again.query(f'SELECT v FROM "{m}"') for p in r.points]
            for m in ("cpu", "CPU", "Cpu")
        }
        assert read == {"cpu": [1.0, 4.0], "CPU": [2.0], "Cpu": [3.0]}
        again.write_lines(["CPU v=5 50", "cPU v=6 60"])
        (result,) = again.statements('DROP MEASUREMENT "cpu"')
        assert result.error is None
        shown = again.query("SHOW MEASUREMENTS")
        assert [p["name"] for r in shown for p in r.points] == ["CPU", "Cpu", "cPU"]
        assert [
            p["v"] for r in again.query('SELECT v FROM "CPU"') for p in r.points
        ] == [
            2.0,
            5.0,
        ]
        again.write_lines(["cpu v=7 70"])
        assert [p["v"] for r in again.query("SELECT v FROM cpu") for p in r.points] == [
            7.0
        ]
    finally:
        again.close()
