"""Which points of a write InfluxDB 1.6.7 keeps when fields get two types.

``settle`` replays, over the points of one write in one shard group (each
a list of ``((measurement, field key), type)`` in the order the line gives
them, the points in line order), what influxd's storage does with a
write, as measured against the server:

1. Each point is checked against the fields the shard stores; a point with
   a field of another type is dropped (the first such field of the point
   is its reason), and adds nothing.
2. The new fields of the points left are created one after another, in
   point order, each with the type of its first value; a second type for
   one of them stops the creation there (for every measurement of the
   write), the fields created before it kept.
3. When the creation stopped, the points left are checked again, now
   against those fields too (dropping the points of a field's other type,
   the first of these drops named as the write's reason), and the new
   fields of the points still left are created. A second stop refuses the
   write in that shard group whole (``field type conflict``); so does the
   first one in a shard group the write creates.

The second round reads the points as influxd's retry finds them after the
first moved the points it kept to the front of the list in place: the
points kept, then those from that position on as they were (some twice,
some dropped ones not at all). It stores the same points, but its count,
the ``dropped=`` of the answer, counts its own drops only, each time it
meets one.

So ``f=1.5`` then ``f="a"`` drops the second point, ``f=1.5, f="a", g=1i,
g=true`` refuses all four (``g`` is created only in the second round), and
``f=1.5,g=1i, f="a", g=true`` drops two. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

__all__ = ["Key", "Row", "Settled", "conflict_reason", "settle"]

#: A field: its measurement and key.
Key = tuple[str, str]
#: A point's fields: ``(key, type)`` in the order of its line; None for a
#: point of the write dropped before (a field or tag named ``time``), which
#: the checks meet, and drop, as any other.
Row = Sequence[tuple[Key, str]] | None


def conflict_reason(measurement: str, key: str, given: str, stored: str) -> str:
    """InfluxDB's reason for a value of type *given* into a *stored* field."""
    return (
        f'field type conflict: input field "{key}" on measurement '
        f'"{measurement}" is type {given}, already exists as type {stored}'
    )


@dataclass
class Settled:
    """What ``settle`` found: the points kept, each dropped one's reason,
    and whether and where the creation of the fields stopped."""

    keep: list[bool]
    #: The reason of each dropped point, by its position.
    reasons: dict[int, str] = field(default_factory=dict)
    #: The first drop of the second round (a conflict among the values of
    #: a field the write brings), which InfluxDB names before any other,
    #: and its position.
    fresh: str | None = None
    fresh_at: int | None = None
    #: Whether creating the fields stopped at a second type: a shard group
    #: the write creates is then refused whole.
    stopped: bool = False
    #: Whether it stopped again in the second round: the write is refused
    #: whole in that shard group.
    refused: bool = False
    #: The count of drops InfluxDB answers (``dropped=``).
    reported: int = 0


def settle(rows: Sequence[Row], stored: Mapping[Key, str]) -> Settled:
    """Replay influxd's checks of the points of one write in one shard group
    (see the module documentation); *stored* holds the types of the fields
    already stored."""
    kinds = dict(stored)
    reasons: dict[int, str] = {}

    def check(indices: Sequence[int]) -> list[int]:
        left = []
        for i in indices:
            row = rows[i]
            if row is None:
                continue
            for key, kind in row:
                have = kinds.get(key)
                if have is not None and have != kind:
                    reasons[i] = conflict_reason(*key, kind, have)
                    break
            else:
                left.append(i)
        return left

    def create(indices: Sequence[int]) -> bool:
        for i in indices:
            for key, kind in rows[i] or ():
                have = kinds.setdefault(key, kind)
                if have != kind:
                    return False
        return True

    left = check(range(len(rows)))
    settled = Settled([], reasons, reported=len(rows) - len(left))
    if not create(left):
        settled.stopped = True
        first_round = set(reasons)
        # The list as the first round left it: its points kept moved to the
        # front, the rest as they were.
        aliased = [*left, *range(len(left), len(rows))]
        again = check(aliased)
        settled.reported = len(aliased) - len(again)
        retried = [i for i in aliased if i in reasons and i not in first_round]
        if retried:
            settled.fresh_at = retried[0]
            settled.fresh = reasons[retried[0]]
        left = [i for i in left if i not in reasons]
        if not create(left):
            settled.refused = True
            # Points of one type per field, should the caller store some.
            left = _consistent(rows, left, kinds, reasons)
    kept = set(left)
    settled.keep = [i in kept for i in range(len(rows))]
    return settled


def _consistent(
    rows: Sequence[Row],
    indices: Sequence[int],
    kinds: dict[Key, str],
    reasons: dict[int, str],
) -> list[int]:
    """The points of *indices* whose fields all have the types of *kinds*
    (each new field taking its first value's), the others dropped."""
    left = []
    for i in indices:
        row = rows[i] or ()
        clash = next(
            (
                (key, kind, kinds[key])
                for key, kind in row
                if kinds.get(key, kind) != kind
            ),
            None,
        )
        if clash is not None:
            key, kind, have = clash
            reasons[i] = conflict_reason(*key, kind, have)
            continue
        for key, kind in row:
            kinds.setdefault(key, kind)
        left.append(i)
    return left
