"""The embedded engine's DuckDB settings from its URL, and a query that
needs more memory than they allow.

``memory_limit``, ``temp_directory`` and ``threads`` reach DuckDB as the
connection's own settings; a value DuckDB refuses is an
``ImproperlyConfigured`` naming the option and what it takes; a query
running out of that memory is a ``ProgrammingError`` saying what to
change, and the points already written stay.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import influxpy
from influxpy.exceptions import (
    ImproperlyConfigured,
    InterfaceError,
    ProgrammingError,
)

S = 1_000_000_000
T0 = 1_700_000_000 * S


@pytest.fixture
def opened() -> Iterator[list[Any]]:
    backends: list[Any] = []
    yield backends
    for backend in backends:
        backend.close()


def _setting(backend: Any, name: str) -> Any:
    cursor = backend._cursor()
    try:
        return cursor.execute(f"SELECT current_setting('{name}')").fetchone()[0]
    finally:
        cursor.close()


def test_the_urls_settings_are_duckdbs(opened: list[Any], tmp_path: Path) -> None:
    spill = tmp_path / "spill"
    url = f"duckdb://:memory:?memory_limit=200MB&threads=1&temp_directory={spill}"
    backend = influxpy.connect(url, alias="settings")
    opened.append(backend)
    assert _setting(backend, "memory_limit") == "190.7 MiB"
    assert _setting(backend, "threads") == 1
    assert _setting(backend, "temp_directory") == str(spill)
    backend.write_lines([f"m,host=a v=1 {T0}"])
    assert backend.query("SELECT v FROM m")[0].points[0]["v"] == 1.0


@pytest.mark.parametrize(
    ("option", "value", "takes"),
    [
        ("memory_limit", "lots", "a size such as 4GB"),
        ("threads", "0", "at least 1"),
        ("threads", "two", "a whole number"),
    ],
)
def test_a_refused_setting_names_its_option(
    option: str, value: str, takes: str
) -> None:
    with pytest.raises(ImproperlyConfigured) as caught:
        influxpy.connect(
            f"duckdb://:memory:?threads=1&{option}={value}", alias="refused"
        )
    message = str(caught.value)
    assert f"{option}={value!r}" in message
    assert takes in message


def test_an_unknown_option_lists_the_settings() -> None:
    with pytest.raises(ImproperlyConfigured, match="memory_limit, temp_directory"):
        influxpy.connect("duckdb://:memory:?memory=1GB", alias="unknown")


def test_a_query_out_of_memory_says_what_to_change_and_loses_nothing(
    opened: list[Any],
) -> None:
    backend = influxpy.connect(
        "duckdb://:memory:?memory_limit=40MB&threads=1", alias="small"
    )
    opened.append(backend)
    lines = [
        f"m,host=h{h} v={i % 97}.5 {T0 + i * 60 * S}"
        for h in range(4)
        for i in range(2000)
    ]
    backend.write_lines(lines)
    # Thirty days of one-second windows for four hosts: 10,368,000 rows.
    month = f"time >= {T0} AND time < {T0 + 30 * 86400 * S}"
    with pytest.raises(ProgrammingError) as caught:
        backend.query(f"SELECT mean(v) FROM m WHERE {month} GROUP BY time(1s), host")
    message = str(caught.value)
    assert "Out of Memory" in message
    assert "bound the time range" in message
    assert "memory_limit" in message
    # DuckDB's own advice (SQL settings) is not passed on.
    assert "SET memory_limit" not in message
    (result,) = backend.query("SELECT count(v) FROM m")
    assert result.points[0]["count"] == 8000


def test_a_file_open_with_other_settings_says_so(
    opened: list[Any], tmp_path: Path
) -> None:
    path = tmp_path / "data.db"
    opened.append(influxpy.connect(f"duckdb://{path}", alias="first"))
    with pytest.raises(InterfaceError, match="open already with other settings"):
        influxpy.connect(f"duckdb://{path}?memory_limit=1GB", alias="second")


def test_an_in_memory_engine_spills_under_the_temporary_directory(
    opened: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not into ``.tmp`` in the working directory (DuckDB's default), which
    may be read-only; the directory is made when DuckDB spills and goes
    when the engine closes."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    backend = influxpy.connect(
        "duckdb://:memory:?memory_limit=30MB&threads=1", alias="spills"
    )
    spill = Path(_setting(backend, "temp_directory"))
    assert spill.parent == tmp_path
    assert not spill.exists()
    cursor = backend._cursor()
    try:
        # A sort of 4,000,000 rows does not fit in 30 MB: DuckDB spills.
        (count,) = cursor.execute(
            "SELECT count(*) FROM (SELECT i, hash(i) AS h FROM range(4000000) "
            "AS t(i) ORDER BY h)"
        ).fetchone()
    finally:
        cursor.close()
    assert count == 4_000_000
    assert spill.exists()
    assert list(work.iterdir()) == []
    backend.close()
    assert not spill.exists()
