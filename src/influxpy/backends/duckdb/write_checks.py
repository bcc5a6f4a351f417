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

from influxpy.backends.duckdb.batches import MIXED, PY_KINDS
from influxpy.backends.duckdb.type_conflicts import Key, Row, conflict_reason, settle
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


@dataclass(frozen=True)
class Dropped:
    """A point the reader dropped before the storage: its line number and
    time."""

    number: int
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


def rows_of(batch: Batch, stored: Mapping[Key, str]) -> list[Row]:
    """Each point's fields that may meet another type, as ``((measurement,
    key), type)`` in the order of its line: the values of a field stored
    with another type, and every value of a new field given several types
    in the batch. The other fields can neither drop a point nor stop the
    creation of the fields (their type is the stored one, or the only one
    the batch gives them), so they are left out: most points have none.
    """
    batch.materialize()
    name = batch.measurement
    found: dict[int, list[tuple[Key, str]]] = {}
    for key, (kind, values) in batch.fields.items():
        have = stored.get((name, key))
        if kind != MIXED and have in (None, kind):
            continue
        for i, value in enumerate(values):
            if value is None:
                continue
            given = kind if kind != MIXED else PY_KINDS[type(value)]
            if given != have:
                found.setdefault(i, []).append(((name, key), given))
    lines = batch.lines
    if lines is not None:
        for i, row in found.items():
            if len(row) > 1:
                position = {key: n for n, key in enumerate(field_types_of(lines[i]))}
                row.sort(key=lambda pair: position.get(pair[0][1], len(position)))
    # One shared empty row for the points with none of those fields.
    rows: list[Row] = [()] * batch.count
    for i, row in found.items():
        rows[i] = row
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
    every = [rows_of(batch, stored) for batch in batches]
    new_keys = any(_new_keys(rows, stored) for rows in every)
    points = _points(batches, every, dropped, group_of) if new_keys else None
    _refuse_groups(checks, batches, points, dropped, stored, group_of, exists)
    keep = [
        [group not in checks.refused for group in group_of(batch.times)]
        if checks.refused
        else None
        for batch in batches
    ]
    left = [
        rows if kept is None else [row for row, k in zip(rows, kept, strict=True) if k]
        for rows, kept in zip(every, keep, strict=True)
    ]
    if not any(_new_keys(rows, stored) for rows in left):
        # Only fields stored with another type: the first check alone, whose
        # drops are the points holding one (no field can stop the creation).
        checks.decisions = [
            _stored_conflicts(b, rows, stored)
            for b, rows in zip(batches, left, strict=True)
        ]
        return checks
    if points is None:
        points = _points(batches, every, dropped, group_of)
    points = [point for point in points if point[1] not in checks.refused]
    settled = settle([point[4] for point in points], stored)
    checks.retried = settled.stopped
    checks.reported = settled.reported
    counts = [0] * len(batches)
    decisions = [Decision([], stored=_stored_of(batch, stored)) for batch in batches]
    for position, (_number, _group, index, _row, _fields) in enumerate(points):
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


#: A point of a write: its line number, shard group, batch and row (-1 for
#: a point the reader dropped) and the fields the checks read.
_Point = tuple[int, int, int, int, Row]


def _points(
    batches: Sequence[Batch],
    rows: Sequence[Sequence[Row]],
    dropped: Sequence[Dropped],
    group_of: Callable[[Any], list[int]],
) -> list[_Point]:
    """Every point of the write, in line order."""
    points: list[_Point] = []
    for index, (batch, fields) in enumerate(zip(batches, rows, strict=True)):
        numbers = batch.numbers or list(range(batch.count))
        groups = group_of(batch.times)
        points += [
            (number, group, index, row, point)
            for row, (number, group, point) in enumerate(
                zip(numbers, groups, fields, strict=True)
            )
        ]
    if dropped:
        starts = group_of([point.time for point in dropped])
        points += [
            (p.number, g, -1, -1, None) for p, g in zip(dropped, starts, strict=True)
        ]
    if len(batches) > 1 or dropped:
        points.sort(key=lambda point: point[0])
    return points


def _refuse_groups(
    checks: WriteChecks,
    batches: Sequence[Batch],
    points: Sequence[_Point] | None,
    dropped: Sequence[Dropped],
    stored: Mapping[Key, str],
    group_of: Callable[[Any], list[int]],
    exists: Callable[[int], bool],
) -> None:
    """Note in *checks* the shard groups influxd refuses whole: where the
    creation of the fields stops again after the second check, or at all
    in a group the write creates, which stores no field yet (its points'
    fields read apart from the stored types). *points* are the write's
    points as the checks read them against the stored types, None when no
    field of them is new (then no group that exists can be refused)."""
    candidates = _mixed_groups(batches, group_of)
    if not candidates:
        return
    created: list[int] = []
    for start in sorted(candidates):
        # The group's existence (a query) is asked only where a field has
        # two types in it.
        if not exists(start):
            created.append(start)
            continue
        if points is None:
            continue
        mine = [point[4] for point in points if point[1] == start]
        if settle(mine, stored).refused:
            checks.refused.add(start)
    if created:
        fresh = _points(batches, [rows_of(b, {}) for b in batches], dropped, group_of)
        for start in created:
            if settle([point[4] for point in fresh if point[1] == start], {}).stopped:
                checks.refused.add(start)
                checks.created.append(start)


def _mixed_groups(
    batches: Sequence[Batch], group_of: Callable[[Any], list[int]]
) -> set[int]:
    """The shard groups in which a field gets values of two types."""
    found: set[int] = set()
    for batch in batches:
        mixed = [values for kind, values in batch.fields.values() if kind == MIXED]
        if not mixed:
            continue
        groups = group_of(batch.times)
        for values in mixed:
            seen: dict[int, type] = {}
            for group, value in zip(groups, values, strict=True):
                if value is not None and (
                    seen.setdefault(group, value.__class__) is not value.__class__
                ):
                    found.add(group)
    return found


def _new_keys(rows: Sequence[Row], stored: Mapping[Key, str]) -> bool:
    """Whether *rows* hold a field not stored yet (one of several types)."""
    return any(key not in stored for row in rows for key, _kind in row or ())


def _stored_conflicts(
    batch: Batch, rows: Sequence[Row], stored: Mapping[Key, str]
) -> Decision:
    """The decision for points whose only fields of another type are stored
    ones: each such point dropped, its first one named."""
    decision = Decision([not row for row in rows], stored=_stored_of(batch, stored))
    for i, row in enumerate(rows):
        if row:
            (key, given), *_rest = row
            decision.reasons[i] = conflict_reason(*key, given, stored[key])
    return decision


def decide(batch: Batch, stored: Mapping[Key, str]) -> Decision | None:
    """The ``Decision`` for *batch* alone against *stored* (the types its
    measurement has in the write's transaction), None when no field of it
    can meet another type."""
    if not _may_conflict([batch], stored):
        return None
    rows = rows_of(batch, stored)
    if not _new_keys(rows, stored):
        return _stored_conflicts(batch, rows, stored)
    settled = settle(rows, stored)
    decision = Decision(settled.keep, stored=_stored_of(batch, stored))
    decision.reasons = {
        i: reason for i, reason in settled.reasons.items() if not settled.keep[i]
    }
    decision.fresh = settled.fresh
    return decision


def _stored_of(batch: Batch, stored: Mapping[Key, str]) -> dict[Key, str]:
    """The stored types of *batch*'s measurement."""
    return {key: kind for key, kind in stored.items() if key[0] == batch.measurement}


def _may_conflict(batches: Sequence[Batch], stored: Mapping[Key, str]) -> bool:
    """Whether a field of the batches may meet another type: a field of two
    types in a batch, or one typed otherwise than it is stored."""
    return any(
        kind == MIXED or stored.get((batch.measurement, key), kind) != kind
        for batch in batches
        for key, (kind, _values) in batch.fields.items()
    )
