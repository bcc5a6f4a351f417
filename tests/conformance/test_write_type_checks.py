"""How a write's points are checked when fields get two types, on both
backends, each case expecting InfluxDB 1.6.7's answer: the points kept,
the reason and count of ``partial write``, or ``field type conflict`` for
a write refused whole in a shard group.

The server checks the points against the stored fields (a point with a
field of another type is dropped and brings nothing), creates the new
fields of the others in point order (each takes its first value's type),
and when a field meets a second type there, checks the points again,
counting only that check's drops; a second such stop refuses the write
whole (the engine's ``type_conflicts`` module replays this).
"""

from __future__ import annotations

import pytest

import influxpy
from influxpy.exceptions import FieldTypeConflictError

#: A shard group holding a point before each case: the measurement's own
#: stored field ``s`` (a float), or only another measurement's point.
STORED = "m s=1.5 1"
OTHER = "x a=1 1"


def _stored(alias: str) -> list[tuple[int, dict[str, object]]]:
    [result] = influxpy.connections[alias].query("SELECT * FROM m", epoch="ns") or [
        None
    ]
    if result is None:
        return []
    return [
        (row["time"], {k: v for k, v in row.items() if k != "time" and v is not None})
        for row in result.points
    ]


def _write(alias: str, setup: str, lines: list[str]) -> str | None:
    backend = influxpy.connections[alias]
    backend.write_lines([setup])
    try:
        backend.write_lines(lines)
    except FieldTypeConflictError as error:
        return error.reason
    return None


CASES = [
    # A point dropped for a stored field's type brings no field.
    pytest.param(
        STORED,
        ["m s=2i,f=3.0 2", 'm f="a" 3'],
        'partial write: field type conflict: input field "s" on measurement "m" '
        "is type integer, already exists as type float dropped=1",
        [1, 3],
        id="dropped-point-creates-nothing",
    ),
    pytest.param(
        STORED,
        ["m f=1i,s=2i 2", "m f=3.0 3"],
        'partial write: field type conflict: input field "s" on measurement "m" '
        "is type integer, already exists as type float dropped=1",
        [1, 3],
        id="fields-before-a-stored-conflict-not-created",
    ),
    # Two new fields given their types by one point: later points of their
    # other types are dropped.
    pytest.param(
        STORED,
        ["m f=3.0,b=1i 2", 'm f="a",b=true 3'],
        'partial write: field type conflict: input field "f" on measurement "m" '
        "is type string, already exists as type float dropped=1",
        [1, 2],
        id="two-new-fields-one-point",
    ),
    pytest.param(
        OTHER,
        ["m f=3.0,b=1i 2", 'm f="a",b=true 3'],
        'partial write: field type conflict: input field "f" on measurement "m" '
        "is type string, already exists as type float dropped=1",
        [2],
        id="two-new-fields-new-measurement",
    ),
    pytest.param(
        STORED,
        ["m f=3.0 2", 'm f="a",b=1i 3', "m b=true 4"],
        'partial write: field type conflict: input field "f" on measurement "m" '
        "is type string, already exists as type float dropped=1",
        [1, 2, 4],
        id="field-after-the-conflict-of-a-dropped-point",
    ),
    pytest.param(
        STORED,
        ["m f=3.0 2", 'm g=1i,f="a" 3', "m g=true 5"],
        'partial write: field type conflict: input field "f" on measurement "m" '
        "is type string, already exists as type float dropped=2",
        [1, 2],
        id="field-before-the-conflict-of-a-dropped-point",
    ),
    pytest.param(
        STORED,
        ["m f=3.0 2", "m g=1i 3", 'm f="a" 4', "m g=true 5"],
        'partial write: field type conflict: input field "f" on measurement "m" '
        "is type string, already exists as type float dropped=2",
        [1, 2, 3],
        id="two-fields-created-before-their-conflicts",
    ),
    # A field created only after the first stop, then given a second type:
    # the write is refused whole.
    pytest.param(
        STORED,
        ["m f=3.0 2", 'm f="a" 3', "m g=1i 4", "m g=true 5"],
        "field type conflict",
        [1],
        id="second-stop-refuses-the-write",
    ),
    pytest.param(
        STORED,
        ["m f=3.0 2", 'm f="a" 3', "m g=1i 4", "m g=1i 5"],
        'partial write: field type conflict: input field "f" on measurement "m" '
        "is type string, already exists as type float dropped=1",
        [1, 2, 4, 5],
        id="field-after-the-stop-of-one-type",
    ),
    # The second check reads the points as the first one left them in place:
    # it counts some drops twice, others not at all.
    pytest.param(
        STORED,
        ["m f=1.0 10", 'm f="a" 11', "m f=2.0 12", "m s=2i 13"],
        'partial write: field type conflict: input field "f" on measurement "m" '
        "is type string, already exists as type float dropped=2",
        [1, 10, 12],
        id="count-a-stored-drop-again",
    ),
    pytest.param(
        STORED,
        ["m f=1.0 10", 'm f="a" 11', "m f=2.0 12", "m s=2i 13", "m f=3.0 14"],
        'partial write: field type conflict: input field "f" on measurement "m" '
        "is type string, already exists as type float dropped=1",
        [1, 10, 12, 14],
        id="count-without-a-stored-drop",
    ),
    pytest.param(
        STORED,
        ["m s=2i 10", "m f=1.0 11", "m f=2.0 12", "m f=3.0 13", 'm f="a" 14'],
        'partial write: field type conflict: input field "f" on measurement "m" '
        "is type string, already exists as type float dropped=2",
        [1, 11, 12, 13],
        id="count-a-drop-twice",
    ),
]


@pytest.mark.parametrize(("setup", "lines", "reason", "times"), CASES)
def test_write_type_checks(
    conn: str, setup: str, lines: list[str], reason: str, times: list[int]
) -> None:
    got = _write(conn, setup, lines)
    assert got == reason
    assert [t for t, _values in _stored(conn)] == times
