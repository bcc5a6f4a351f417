"""The engine's ``write_line_protocol``: a whole ``/write`` body, as influxd stores it.

What the server shows (texts, statuses, what is stored) is compared on both
backends in ``conformance/test_line_protocol_writes.py``; these tests pin
the entry's own contract: its outcome, precision, and refusals.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import influxpy
from influxpy.backends.duckdb.lines import WriteOutcome
from influxpy.exceptions import (
    DatabaseNotFoundError,
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
