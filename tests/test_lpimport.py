"""``influxpy import`` of line protocol on the engine: whole bodies, the fast reader.

The engine stores each body as InfluxDB stores a ``/write`` request, so a
refused line is reported with the server's own reason and its line number.
"""

from __future__ import annotations

from pathlib import Path

import influxpy
from _cli import run

FILE = (
    "# a comment\n"
    "cpu,host=a v=1.5 1000000000\n"
    "cpu,host= v=1 2000000000\n"
    "\n"
    "cpu v=abc 3000000000\r\n"
    "cpu,host=b v=2i 4000000000\n"
    'cpu,host=c s="two\n'
    'lines" 5000000000\n'
    "cpu,host=d v=4.5 6000000000\n"
    'cpu,host=e s="never closed\n'
    "cpu,host=f v=5 7000000000\n"
)


def stored(url: str) -> list[tuple[int, str, object, object]]:
    backend = influxpy.connect(url, alias="lpimport")
    try:
        (result,) = backend.statements('SELECT * FROM "cpu"', database="influxpy")
        (series,) = list(result.series)
        return [tuple(row) for row in series.values]
    finally:
        backend.close()


def test_import_on_the_engine_reports_the_servers_reasons(tmp_path: Path) -> None:
    """Bad lines keep their numbers; a string value may span lines; bodies
    of two lines never cut a string value in two."""
    path = tmp_path / "data.lp"
    path.write_bytes(FILE.encode())
    url = f"duckdb:///{tmp_path}/store.duckdb"
    result = run(
        "import", "--url", url, "--precision", "ns", "--batch-size", "2", str(path)
    )
    assert result.returncode == 1
    assert result.stdout == f"{path}: wrote 3 points, rejected 4 lines.\n"
    assert result.stderr.splitlines() == [
        f"{path}:3: missing tag value: cpu,host= v=1 2000000000",
        f"{path}:5: invalid boolean: cpu v=abc 3000000000",
        (
            f'{path}:6: field type conflict: input field "v" on measurement "cpu" '
            "is type integer, already exists as type float: cpu,host=b v=2i "
            "4000000000"
        ),
        (
            f'{path}:10: unbalanced quotes: cpu,host=e s="never closed\\ncpu,host=f '
            "v=5 7000000000"
        ),
    ]
    assert [row[:2] for row in stored(url)] == [
        (1_000_000_000, "a"),
        (5_000_000_000, "c"),
        (6_000_000_000, "d"),
    ]


def test_import_on_the_engine_applies_the_precision(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/store.duckdb"
    result = run(
        "import", "--url", url, "--precision", "s", "-", stdin="cpu v=1 3\ncpu v=2\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "stdin: wrote 2 points, rejected 0 lines.\n"
    assert stored(url)[0][0] == 3_000_000_000
