"""The field-type checks of one write, over all its batches at once.

A write (a line-protocol body, or one batch of instances or a frame) is
checked as influxd's storage checks it (``type_conflicts.settle``): per
shard group, over the points of every measurement in line order, with the
points the reader dropped (a field or tag named ``time``) among them. A
group is refused whole where influxd refuses it (``field type conflict``);
the other points are then checked together, against the stored types (the
engine keeps one type per field across groups), and each batch gets its
``Decision``: the rows kept, each refused row's reason, the conflict
influxd names first, and the ``dropped=`` count influxd answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from influxpy.backends.duckdb.batches import MIXED
from influxpy.backends.duckdb.type_conflicts import Key, Row, settle
from influxpy.lineprotocol.parsing import field_types_of

if TYPE_CHECKING:
    from influxpy.backends.duckdb.batches import Batch

__all__ = [
    "Decision",
    "Dropped",
    "WriteChecks",
    "check_write",
    "decide",
    "rows_of",
]

_PY_KIND = {float: "float", int: "integer", bool: "boolean", str: "string"}


@dataclass(frozen=True)
class Dropped:
    """A point the reader dropped before the storage: its line number,
    measurement and time."""

    number: int
    measurement: str
    time: int


@dataclass
class Decision:
    """What the checks decided for one batch's rows (after the rows of the
    groups refused whole are taken out)."""

    keep: list[bool]
    reasons: dict[int, str] = field(default_factory=dict)
    #: The conflict influxd names first, when it is one of this batch's.
    fresh: str | None = None
    #: The stored types of the batch's measurement it was decided against:
    #: decided again, in the write's transaction, when they changed since.
    stored: dict[Key, str] = field(default_factory=dict)


@dataclass
class WriteChecks:
    """The groups refused whole and each batch's ``Decision``."""

    #: The starts of the shard groups refused whole, and those of them the
    #: write would have created.
    refused: set[int] = field(default_factory=set)
    created: list[int] = field(default_factory=list)
    decisions: list[Decision | None] = field(default_factory=list)
    #: Whether the storage checked the points twice, and the count of drops
    #: influxd then answers (``dropped=``).
    retried: bool = False
    reported: int = 0
    #: The lines of each batch in the groups refused whole (taken out of
    #: the batches by the caller), and the bounds of the groups created.
    refused_lines: list[list[str]] = field(default_factory=list)
    created_bounds: list[tuple[int, int]] = field(default_factory=list)


def rows_of(batch: Batch) -> list[list[tuple[Key, str]]]:
    """Each point's fields as ``((measurement, key), type)``, in the order of
    its line (of the batch's columns for points not written as lines)."""
    batch.materialize()
    name = batch.measurement
    columns = [(key, kind, values) for key, (kind, values) in batch.fields.items()]
    lines = batch.lines
    rows: list[list[tuple[Key, str]]] = []
    for i in range(batch.count):
        row = [
            ((name, key), kind if kind != MIXED else _PY_KIND[type(values[i])])
            for key, kind, values in columns
            if values[i] is not None
        ]
        if lines is not None and len(row) > 1:
            position = {key: n for n, key in enumerate(field_types_of(lines[i]))}
            row.sort(key=lambda pair: position.get(pair[0][1], len(position)))
        rows.append(row)
    return rows


def check_write(
    batches: Sequence[Batch],
    dropped: Sequence[Dropped],
    stored: Mapping[Key, str],
    group_of: Callable[[Any], list[int]],
    exists: Callable[[int], bool],
) -> WriteChecks:
    """Check a write's *batches* (see the module documentation).

    *stored* holds the stored fields' types, *group_of* gives the shard
    group start of each time of a list, *exists* whether a group exists.
    The rows of the groups refused whole are left in the batches: the
    caller takes them out (``drop_groups``) before applying the decisions,
    which count the other rows.
    """
    checks = WriteChecks(decisions=[None] * len(batches))
    if not _may_conflict(batches, stored):
        return checks
    # Every point of the write: (line number, group, batch, row, fields).
    points: list[tuple[int, int, int, int, Row]] = []
    for index, batch in enumerate(batches):
        numbers = batch.numbers or list(range(batch.count))
        groups = group_of(batch.times)
        rows = rows_of(batch)
        for row, (number, group, fields) in enumerate(
            zip(numbers, groups, rows, strict=True)
        ):
            points.append((number, group, index, row, fields))
    if dropped:
        starts = group_of([point.time for point in dropped])
        points += [
            (p.number, g, -1, -1, None) for p, g in zip(dropped, starts, strict=True)
        ]
    points.sort(key=lambda point: point[0])
    by_group: dict[int, list[Row]] = {}
    for point in points:
        by_group.setdefault(point[1], []).append(point[4])
    for start, mine in sorted(by_group.items()):
        # Only a field of two types in the group can stop the creation; the
        # group's existence (a query) is asked only then.
        if not _two_types(mine):
            continue
        if exists(start):
            if settle(mine, stored).refused:
                checks.refused.add(start)
        elif settle(mine, {}).stopped:
            checks.refused.add(start)
            checks.created.append(start)
    left = [point for point in points if point[1] not in checks.refused]
    settled = settle([point[4] for point in left], stored)
    checks.retried = settled.stopped
    checks.reported = settled.reported
    counts = [0] * len(batches)
    decisions = [Decision([], stored=_stored_of(batch, stored)) for batch in batches]
    for position, (_number, _group, index, _row, _fields) in enumerate(left):
        if index < 0:
            continue
        decision = decisions[index]
        if not settled.keep[position]:
            decision.reasons[counts[index]] = settled.reasons[position]
            if position == settled.fresh_at:
                decision.fresh = settled.fresh
        decision.keep.append(settled.keep[position])
        counts[index] += 1
    checks.decisions = list(decisions)
    return checks


def decide(batch: Batch, stored: Mapping[Key, str]) -> Decision | None:
    """The ``Decision`` for *batch* alone against *stored* (the types its
    measurement has in the write's transaction), None when no field of it
    can meet another type."""
    if not _may_conflict([batch], stored):
        return None
    settled = settle(rows_of(batch), stored)
    decision = Decision(settled.keep, stored=_stored_of(batch, stored))
    decision.reasons = {
        i: reason for i, reason in settled.reasons.items() if not settled.keep[i]
    }
    decision.fresh = settled.fresh
    return decision


def _stored_of(batch: Batch, stored: Mapping[Key, str]) -> dict[Key, str]:
    """The stored types of *batch*'s measurement."""
    return {key: kind for key, kind in stored.items() if key[0] == batch.measurement}


def _two_types(rows: Sequence[Row]) -> bool:
    """Whether a field of *rows* has values of two types."""
    seen: dict[Key, str] = {}
    return any(
        seen.setdefault(key, kind) != kind for row in rows for key, kind in row or ()
    )


def _may_conflict(batches: Sequence[Batch], stored: Mapping[Key, str]) -> bool:
    """Whether a field of the batches may meet another type: a field of two
    types in a batch, or one typed otherwise than it is stored."""
    return any(
        kind == MIXED or stored.get((batch.measurement, key), kind) != kind
        for batch in batches
        for key, (kind, _values) in batch.fields.items()
    )
