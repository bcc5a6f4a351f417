"""Raw rows of several series at one time, in the order influxd gives them.

influxd reads a raw SELECT shard by shard. In each shard it merges the
points of a tag set's series (its series keys sorted, reversed for
``ORDER BY time DESC``) with a sorted merge iterator: a binary heap, Go's
``container/heap``, holding one item per series keyed by that series' next
point. The heap's comparison orders two points by time, then by the text
values the select list reads in the order of their names; at the first
value that is not text (a number, a missing value), or when every value is
equal, it calls neither point less than the other. Which of two such
points comes first is then decided by where each sits in the heap's array,
and that follows from every pop and push since the shard's first point:
``SELECT value FROM cpu`` over five hosts writing at the same times gives,
at the first time, the hosts in the order 0, 4, 1, 3, 2, at the next
3, 2, 4, 0, 1.

The engine's SQL orders such rows by series key (``compilers/duckdb/
ties.py``); for a raw SELECT of a stored measurement whose ties the text
values cannot break, the compiler marks the plan (``HeapOrder``) and
``heap_ordered()`` replays influxd's heap over the rows as they stream: per
series group and shard group, the heap starts with each series' first point
there (one small aggregate, ``StreamPlan.firsts_sql``) and pops and pushes
exactly as Go's heap does. It holds the rows between a point and the next
point of the same series (one instant's rows where the series write
together), never the whole answer. LIMIT and OFFSET, which count the rows
of each series group in this order, are applied here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from influxpy.backends.duckdb.stream import Batches

__all__ = ["go_heap_order", "heap_ordered"]

#: A row: group values, time, output values, the series key (last).
Row = tuple[Any, ...]


def go_heap_order(points: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """``(series, index)`` of *points* (each series' increasing times, the
    series in tag-set order) in the order influxd's heap merge pops them,
    replayed by the code that orders the engine's rows."""
    rows = sorted(
        (time, series, i, f"{series:012d}")
        for series, times in enumerate(points)
        for i, time in enumerate(times)
    )
    firsts = [(f"{s:012d}", times[0], None) for s, times in enumerate(points) if times]

    def batches() -> Batches:
        if rows:
            yield [list(column) for column in zip(*rows, strict=True)]

    ordered = _Order(0, descending=False, listed=False).segment(
        _Rows(batches()), firsts, (), max(r[0] for r in rows) if rows else 0
    )
    return [(row[1], row[2]) for row in ordered]


class _Point:
    """A heap key of a SELECT whose text values are compared at one time:
    influxd's ``Less`` of two points (the time, then the texts in order,
    neither less at the first missing value or when all are equal)."""

    __slots__ = ("descending", "texts", "time")

    def __init__(
        self, time: int, texts: Sequence[str | None], descending: bool
    ) -> None:
        self.time = time
        self.texts = texts
        self.descending = descending

    def __lt__(self, other: _Point) -> bool:
        if self.time != other.time:
            return self.time < other.time
        for a, b in zip(self.texts, other.texts, strict=False):
            if a is None or b is None:
                return False
            if a != b:
                return a > b if self.descending else a < b
        return False


class _Rows:
    """The rows of *batches* one at a time: ``head`` is the next one (None
    after the last), ``take()`` moves past it and returns it."""

    def __init__(self, batches: Batches) -> None:
        rows = (row for batch in batches for row in zip(*batch, strict=True))
        self._next = rows.__next__
        self.head: Row | None = None
        self.take()

    def take(self) -> Row | None:
        """Move to the next row; return the one that was ``head``."""
        row = self.head
        try:
            self.head = self._next()
        except StopIteration:
            self.head = None
        return row


def heap_ordered(
    batches: Batches,
    *,
    groups: int,
    firsts: dict[tuple[Any, ...], list[tuple[str, int, Any]]],
    shard_ns: int,
    shard_of: Callable[[int], int],
    descending: bool,
    listed: bool,
    limit: int | None,
    offset: int | None,
    size: int,
) -> Batches:
    """*batches* (rows of ``(group values…, time, values…, TIE)`` ordered
    by group and time) reordered as influxd's heap merge orders them,
    without ``TIE``, LIMIT and OFFSET applied per group.

    ``TIE`` is the series key, or (*listed*) a list of the text values
    compared first and the series key. *firsts* maps ``(group values…,
    shard group start)`` to each series' key, first time and first ``TIE``
    there, in tag-set order (``StreamPlan.firsts_sql``); *shard_of* gives
    the start of the shard group of *shard_ns* ns holding a time.
    """
    rows = _Rows(batches)
    order = _Order(groups, descending, listed)
    skip = offset or 0
    stop = None if limit is None else skip + limit
    out: list[Row] = []
    try:
        while (row := rows.head) is not None:
            group = row[:groups]
            taken = 0
            while (row := rows.head) is not None and row[:groups] == group:
                if stop is not None and taken >= stop:
                    if not groups:
                        rows.head = None  # one group, and it is complete
                        break
                    rows.take()  # the rest of the group is not answered
                    continue
                shard = shard_of(row[groups])
                # The last time inside the shard group, in reading order.
                last = -shard if descending else shard + shard_ns - 1
                series = firsts.get((*group, shard), [])
                for ordered in order.segment(rows, series, group, last):
                    if taken >= skip:
                        out.append(ordered[:-1])
                        if len(out) >= size:
                            yield list(map(list, zip(*out, strict=True)))
                            out = []
                    taken += 1
                    if stop is not None and taken >= stop:
                        break
        if out:
            yield list(map(list, zip(*out, strict=True)))
    finally:
        batches.close()


class _Order:
    """Replays the heap of one group in one shard group (``segment``)."""

    def __init__(self, groups: int, descending: bool, listed: bool) -> None:
        self.groups = groups
        self.sign = -1 if descending else 1
        self.descending = descending
        self.listed = listed

    def key(self, time: int, tie: Any) -> Any:
        """The heap key of a point at *time* with *tie*."""
        if self.listed:
            return _Point(self.sign * time, tie[:-1], self.descending)
        return self.sign * time

    def segment(
        self,
        rows: _Rows,
        series: list[tuple[str, int, Any]],
        group: tuple[Any, ...],
        last: int,
    ) -> Iterator[Row]:
        """The rows of *group* up to the (signed) time *last*, the end of
        their shard group, in the heap's order: *series* are its series
        (key, first time, first ``TIE``) in tag-set order."""
        groups, sign, listed, take = self.groups, self.sign, self.listed, rows.take

        if len(series) < 2:
            # One series: nothing to merge.
            while (
                (head := rows.head) is not None
                and head[:groups] == group
                and sign * head[groups] <= last
            ):
                yield head
                take()
            return
        index = {key: i for i, (key, _time, _tie) in enumerate(series)}
        # The heap: series numbers and their keys (the signed time, or a
        # _Point of it), kept side by side at the same positions.
        h = list(range(len(series)))
        hk = [self.key(time, tie) for _key, time, tie in series]
        for i in range(len(h) // 2 - 1, -1, -1):
            _sift_down(h, hk, i, len(h))
        pending: list[deque[Row]] = [deque() for _ in series]
        while h:
            s, due = h[0], hk[0].time if listed else hk[0]
            # Read every row up to the root's time: its row is among them.
            while (
                (head := rows.head) is not None
                and head[:groups] == group
                and sign * head[groups] <= due
            ):
                tie = head[-1]
                pending[index[tie[-1] if listed else tie]].append(head)
                take()
            # Go's heap.Pop: the last item to the root, sifted down.
            n = len(h) - 1
            h[0], hk[0] = h[n], hk[n]
            h.pop()
            hk.pop()
            if n > 1:
                _sift_down(h, hk, 0, n)
            waiting = pending[s]
            yield waiting.popleft()
            if not waiting:
                # Read ahead to the series' next point, if it has one here.
                while (
                    (head := rows.head) is not None
                    and head[:groups] == group
                    and sign * head[groups] <= last
                ):
                    tie = head[-1]
                    i = index[tie[-1] if listed else tie]
                    pending[i].append(head)
                    take()
                    if i == s:
                        break
            if waiting:
                # Go's heap.Push: appended, sifted up.
                head = waiting[0]
                key = self.key(head[groups], head[-1])
                j = len(h)
                h.append(s)
                hk.append(key)
                while j > 0:
                    i = (j - 1) // 2
                    if not hk[j] < hk[i]:
                        break
                    h[i], h[j] = h[j], h[i]
                    hk[i], hk[j] = hk[j], hk[i]
                    j = i


def _sift_down(h: list[int], hk: list[Any], i: int, n: int) -> None:
    """Go's ``heap.down`` over the parallel lists of ``segment``."""
    while True:
        j = 2 * i + 1
        if j >= n:
            return
        if j + 1 < n and hk[j + 1] < hk[j]:
            j += 1
        if not hk[j] < hk[i]:
            return
        h[i], h[j] = h[j], h[i]
        hk[i], hk[j] = hk[j], hk[i]
        i = j
