"""Many measurements on the embedded engine: each is a table of its own, and
the catalog that lists them is a persistent map, so a write adding one more
does not copy the others (writing 100,000 measurements, as InfluxDB's own
cardinality tests do, was quadratic when each write copied a dict of them).

These tests check what is stored and read back, not time: every measurement
of one write, and of several writes, is listed, read and reloaded from the
file, and a refused measurement (a name differing from a stored one only in
case) leaves the catalog as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import influxpy
from influxpy.backends.base import Backend
from influxpy.exceptions import InfluxpyError

COUNT = 3_000
TIME = 1_257_894_001_000_000_000


def _body(first: int, count: int) -> str:
    return "\n".join(
        f"cpu-{i:05d},host=h{i % 7} v={i} {TIME + i}"
        for i in range(first, first + count)
    )


def _rows(conn: Backend, text: str) -> list[list[object]]:
    (result,) = list(conn.statements(text))
    assert result.error is None, result.error
    return [list(row) for series in result.series for row in series.values]


def test_one_write_of_many_measurements_lists_reads_and_reloads_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "many.duckdb"
    conn = influxpy.connect(f"duckdb://{path}", alias="many")
    try:
        conn.write_line_protocol(_body(0, COUNT))
        conn.write_line_protocol(_body(COUNT, 500))
        names = [row[0] for row in _rows(conn, "SHOW MEASUREMENTS")]
        assert names == [f"cpu-{i:05d}" for i in range(COUNT + 500)]
        assert _rows(conn, "SHOW MEASUREMENT EXACT CARDINALITY") == [[COUNT + 500]]
        assert _rows(conn, 'SELECT v, host FROM "cpu-01234"') == [
            [TIME + 1234, 1234.0, "h2"]
        ]
    finally:
        conn.close()
    again = influxpy.connect(f"duckdb://{path}", alias="many-again")
    try:
        assert _rows(again, "SHOW MEASUREMENT EXACT CARDINALITY") == [[COUNT + 500]]
        assert _rows(again, 'SELECT v FROM "cpu-03499"') == [[TIME + 3499, 3499.0]]
    finally:
        again.close()


def test_a_write_refused_for_a_tag_keys_case_leaves_the_catalog_as_it_was() -> None:
    conn = influxpy.connect("duckdb://:memory:", alias="many-case")
    try:
        conn.write_line_protocol(_body(0, 200))
        # A tag V beside the field v: one column name to DuckDB.
        with pytest.raises(InfluxpyError, match="ignore case"):
            conn.write_line_protocol(f"cpu-00007,V=x v=1 {TIME}")
        names = [row[0] for row in _rows(conn, "SHOW MEASUREMENTS")]
        assert len(names) == 200
        assert _rows(conn, 'SHOW TAG KEYS FROM "cpu-00007"') == [["host"]]
        # The catalog still takes new measurements and columns, also a
        # measurement named like another but for case.
        conn.write_line_protocol(f"cpu-00007,host=h0 w=2i {TIME + 7}")
        assert _rows(conn, 'SELECT v, w, host FROM "cpu-00007"') == [
            [TIME + 7, 7.0, 2, "h0"]
        ]
        conn.write_line_protocol(f"CPU-00007 v=1 {TIME}")
        assert _rows(conn, 'SELECT v FROM "CPU-00007"') == [[TIME, 1.0]]
        assert len(_rows(conn, "SHOW MEASUREMENTS")) == 201
    finally:
        conn.close()
