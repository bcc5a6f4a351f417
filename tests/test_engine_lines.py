"""The engine's ``write_line_protocol``: a whole ``/write`` body, as influxd stores it.

What the server shows (texts, statuses, what is stored) is compared on both
backends in ``conformance/test_line_protocol_writes.py``; these tests pin
the entry's own contract: its outcome, precision, and refusals.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import influxpy
from influxpy.backends.duckdb import writing
from influxpy.backends.duckdb.lines import WriteOutcome
from influxpy.exceptions import (
    DatabaseNotFoundError,
    ImproperlyConfigured,
    PartialWriteError,
    ProgrammingError,
)


@pytest.fixture
def engine() -> Iterator[object]:
    backend = influxpy.connect("duckdb://:memory:", alias="engine-lines")
    try:
        yield backend
    finally:
        backend.close()


def times(engine: object, measurement: str = "m") -> list[int]:
    (result,) = engine.statements(  # type: ignore[attr-defined]
        f'SELECT * FROM "{measurement}"', database="influxpy"
    )
    series = list(result.series)
    return [row[0] for row in series[0].values] if series else []


def test_a_good_body_returns_its_outcome(engine: object) -> None:
    body = b"m,h=a v=1 1\n\n# note\nm,h=b v=2 2\nn ok=t 3\n"
    outcome = engine.write_line_protocol(body, database="influxpy")  # type: ignore[attr-defined]
    assert outcome == WriteOutcome(written=3, lines=3, precision="n")
    assert times(engine) == [1, 2]


def test_precision_applies_to_the_body(engine: object) -> None:
    engine.write_line_protocol("m v=1 2", database="influxpy", precision="h")  # type: ignore[attr-defined]
    assert times(engine) == [2 * 3_600_000_000_000]


def test_refusals_can_be_returned_instead_of_raised(engine: object) -> None:
    engine.write_line_protocol("m v=1i 1", database="influxpy")  # type: ignore[attr-defined]
    outcome = engine.write_line_protocol(  # type: ignore[attr-defined]
        "m v=2i 2\nm v=oops 3\nm v=2.5 4\nm,time=1 v=5i 5",
        database="influxpy",
        raise_on_refusal=False,
    )
    assert outcome.written == 1
    assert [(r.line_number, r.reason) for r in outcome.rejected] == [
        (2, "invalid boolean"),
        (
            3,
            (
                'field type conflict: input field "v" on measurement "m" is type '
                "float, already exists as type integer"
            ),
        ),
        (4, 'invalid tag key: input tag "time" on measurement "m" is invalid'),
    ]
    assert type(outcome.error) is PartialWriteError
    # A tag named time gives the reason wherever it is, as on the server.
    assert outcome.error.reason == (
        'partial write: invalid tag key: input tag "time" on measurement "m" is '
        "invalid dropped=2"
    )
    assert outcome.error.written == 1


def test_written_counts_every_point_stored_by_write_lines(engine: object) -> None:
    lines = ["m v=1 1", "m v=2 2", "m v=3 3", "m v=x 4", "m v=5 5"]
    with pytest.raises(PartialWriteError) as info:
        engine.write_lines(lines, database="influxpy", batch_size=2)  # type: ignore[attr-defined]
    # The first two bodies were stored whole, the third's good line too.
    assert info.value.written == 3
    assert times(engine) == [1, 2, 3]


def test_a_missing_database_or_policy_is_refused(engine: object) -> None:
    with pytest.raises(DatabaseNotFoundError, match='database not found: "nope"'):
        engine.write_line_protocol("m v=1", database="nope")  # type: ignore[attr-defined]
    with pytest.raises(ProgrammingError, match="retention policy not found: rp"):
        engine.write_line_protocol(  # type: ignore[attr-defined]
            "m v=1", database="influxpy", retention_policy="rp"
        )
    assert times(engine) == []


def lines_of(start: int, count: int) -> bytes:
    """The points of times *start* to *start* + *count*, over three series
    and three field types (each field's value derived from the time)."""
    return "\n".join(
        f'm,host=h{t % 3} v={t / 4!r},n={t}i,s="p{t}" {t}'
        for t in range(start, start + count)
    ).encode()


def rows(backend: Any) -> list[tuple[Any, ...]]:
    (result,) = backend.statements("SELECT * FROM m", database="influxpy")
    return [tuple(row) for series in result.series for row in series.values]


def expected(points: int) -> list[tuple[Any, ...]]:
    return [(i, f"h{i % 3}", i, f"p{i}", i / 4) for i in range(points)]


def test_the_write_crossing_the_checkpoint_mark_does_not_wait_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checkpoint runs after the write that calls for it has returned;
    writes and reads go on while it runs."""
    monkeypatch.setattr(writing, "_CHECKPOINT_ROWS", 1_000)
    backend: Any = influxpy.connect(
        f"duckdb://{tmp_path / 'data.duckdb'}", alias="engine-lines-held"
    )
    started, release = threading.Event(), threading.Event()
    checkpoint = backend._checkpoint

    def held() -> None:
        started.set()
        release.wait(timeout=20)
        checkpoint()

    monkeypatch.setattr(backend, "_checkpoint", held)
    try:
        assert backend.write_line_protocol(lines_of(0, 1_500), database="influxpy")
        assert started.wait(timeout=20)
        assert not release.is_set()
        assert backend._checkpointer.is_alive()
        for start in (1_500, 2_500):
            backend.write_line_protocol(lines_of(start, 1_000), database="influxpy")
        assert rows(backend) == expected(3_500)
        release.set()
        backend._checkpointer.join(timeout=60)
        assert backend._unchecked == 0
    finally:
        release.set()
        backend.close()


def test_close_waits_for_a_running_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writing, "_CHECKPOINT_ROWS", 1_000)
    path = tmp_path / "data.duckdb"
    backend: Any = influxpy.connect(f"duckdb://{path}", alias="engine-lines-close")
    started, release = threading.Event(), threading.Event()
    checkpoint = backend._checkpoint

    def held() -> None:
        started.set()
        release.wait(timeout=20)
        checkpoint()

    monkeypatch.setattr(backend, "_checkpoint", held)
    backend.write_line_protocol(lines_of(0, 1_500), database="influxpy")
    assert started.wait(timeout=20)
    closer = threading.Thread(target=backend.close)
    closer.start()
    closer.join(timeout=0.5)
    assert closer.is_alive()
    release.set()
    closer.join(timeout=60)
    assert not closer.is_alive()
    assert not backend._checkpointer.is_alive()
    reopened: Any = influxpy.connect(f"duckdb://{path}", alias="engine-lines-close2")
    try:
        assert rows(reopened) == expected(1_500)
    finally:
        reopened.close()


def test_writes_beside_background_checkpoints_read_back_exactly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bodies written while checkpoints run (new points and points merged
    over stored ones) are all there, before and after a close that comes
    while one may still run."""
    monkeypatch.setattr(writing, "_CHECKPOINT_ROWS", 3_000)
    path = tmp_path / "data.duckdb"
    backend: Any = influxpy.connect(f"duckdb://{path}", alias="engine-lines-ck")
    checkpoints = 0
    try:
        for start in range(0, 40_000, 1_000):
            backend.write_line_protocol(lines_of(start, 1_000), database="influxpy")
            if start % 4_000 == 0:
                # Rewrite points already stored: merged, not added.
                backend.write_line_protocol(
                    lines_of(start // 2, 500), database="influxpy"
                )
            running = backend._checkpointer
            checkpoints += running is not None and running.is_alive()
        assert rows(backend) == expected(40_000)
    finally:
        backend.close()
    assert checkpoints > 0
    reopened: Any = influxpy.connect(f"duckdb://{path}", alias="engine-lines-ck2")
    try:
        assert rows(reopened) == expected(40_000)
    finally:
        reopened.close()


def test_checkpoint_rows_sets_the_rows_between_checkpoints(tmp_path: Path) -> None:
    url = f"duckdb://{tmp_path / 'data.duckdb'}?checkpoint_rows=500"
    backend: Any = influxpy.connect(url, alias="engine-lines-rows")
    try:
        backend.write_line_protocol(lines_of(0, 400), database="influxpy")
        assert backend._checkpointer is None
        backend.write_line_protocol(lines_of(400, 200), database="influxpy")
        started: Any = backend._checkpointer
        started.join(timeout=60)
        assert backend._unchecked == 0
        assert rows(backend) == expected(600)
    finally:
        backend.close()


@pytest.mark.parametrize("rows_given", ["0", "-5", "1e6", "many"])
def test_checkpoint_rows_must_be_a_count(rows_given: str) -> None:
    with pytest.raises(ImproperlyConfigured) as error:
        influxpy.connect(f"duckdb://:memory:?checkpoint_rows={rows_given}")
    assert str(error.value) == (
        "The embedded engine's option checkpoint_rows must be a whole number of "
        "rows above 0 (the rows written between two checkpoints), not "
        f"{rows_given!r}."
    )


def test_a_file_is_not_checkpointed_inside_a_write(tmp_path: Path) -> None:
    """DuckDB would checkpoint in the COMMIT that takes the log past 16 MB;
    the engine leaves checkpoints to its own thread, every
    ``checkpoint_rows``."""
    path = tmp_path / "data.duckdb"
    backend: Any = influxpy.connect(f"duckdb://{path}", alias="engine-lines-wal")
    text = "x" * 2_000
    try:
        for start in range(0, 12_000, 1_000):
            body = "\n".join(
                f'wide,host=h{t % 3} s="{text}{t}" {t}'
                for t in range(start, start + 1_000)
            )
            backend.write_line_protocol(body, database="influxpy")
        assert backend._checkpointer is None
        wal = path.with_name(path.name + ".wal")
        assert wal.stat().st_size > 20_000_000
        (result,) = backend.statements("SELECT count(s) FROM wide", database="influxpy")
        assert next(iter(result.series)).values[0][1] == 12_000
    finally:
        backend.close()
