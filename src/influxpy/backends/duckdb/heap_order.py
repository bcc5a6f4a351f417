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
there (one small aggregate, ``StreamPlan.firsts_sql``, which also gives
its last point, so a series that has ended is not waited for) and pops
and pushes exactly as Go's heap does. It holds the rows between a point
and the next point of the same series (one instant's rows where the series
write together), never the whole answer. LIMIT and OFFSET, which count the
rows of each series group in this order, are applied here. The heap is
replayed in C where it is built (``_heapreplay.c``'s ``HeapSegment``, keys
of times alone or of times and texts); ``_Segment`` is the same algorithm
in Python, where it is not.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Generator, Iterable, Sequence
from itertools import compress, islice
from operator import ne
from typing import Any

from influxpy._utils import gc_paused
from influxpy.backends.duckdb.retention_service import shard_start
from influxpy.backends.duckdb.stream import Batches

__all__ = [
    "HeapKey",
    "Run",
    "Runs",
    "go_heap_order",
    "heap_ordered",
    "sift_down",
    "sift_up",
]


def _compiled() -> Any:
    """The compiled replay of keys of times alone, where it is built (not
    with ``INFLUXPY_PURE_PYTHON=1``), else None."""
    if os.environ.get("INFLUXPY_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from influxpy.backends.duckdb import _heapreplay  # type: ignore[attr-defined]
    except ImportError:  # not built here: the Python replay
        return None
    return _heapreplay.HeapSegment


HeapSegment: Any = _compiled()

#: A row: group values, time, output values, the series key (last).
Row = tuple[Any, ...]
#: Rows of one group: its values, the rows (time and values), and the
#: ``[start, stop)`` of them that belong to the run; the rows are tuples,
#: which the collector stops tracking at its first pass (the reader makes
#: each piece's rows lists, ``reading._results``).
Run = tuple[tuple[Any, ...], Sequence[tuple[Any, ...]], int, int]
#: Runs from a generator the reader closes.
Runs = Generator[Run, None, None]


def go_heap_order(points: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """``(series, index)`` of *points* (each series' increasing times, the
    series in tag-set order) in the order influxd's heap merge pops them,
    replayed by the code that orders the engine's rows."""
    rows = sorted(
        (time, series, i, f"{series:012d}")
        for series, times in enumerate(points)
        for i, time in enumerate(times)
    )
    series = [
        (f"{s:012d}", times[0], times[-1], None)
        for s, times in enumerate(points)
        if times
    ]
    source = _Rows(iter(rows).__next__)
    out: list[tuple[Any, ...]] = []
    end = max((r[0] for r in rows), default=0)
    _segment(source, series, (), 0, end, descending=False, listed=False).run(
        out, len(rows)
    )
    return [(row[1], row[2]) for row in out]


class HeapKey:
    """A heap key of a SELECT whose text values are compared at one time:
    influxd's ``Less`` of two points (the time, then the texts in order,
    neither less at the first missing value or when all are equal). The
    time is given negated for a descending merge, which pops the later
    point first; the texts then compare the larger first."""

    __slots__ = ("descending", "texts", "time")

    def __init__(
        self, time: int, texts: Sequence[str | None], descending: bool
    ) -> None:
        self.time = time
        self.texts = texts
        self.descending = descending

    def __lt__(self, other: HeapKey) -> bool:
        if self.time != other.time:
            return self.time < other.time
        for a, b in zip(self.texts, other.texts, strict=False):
            if a is None or b is None:
                return False
            if a != b:
                return a > b if self.descending else a < b
        return False


class _Rows:
    """Rows one at a time: ``head`` is the next one (None after the last),
    ``take()`` moves past it; *take* reads the row after ``head``."""

    def __init__(self, take: Callable[[], Row]) -> None:
        self.read = take
        self.head: Row | None = None
        self.take()

    def take(self) -> None:
        """Move to the next row."""
        try:
            self.head = self.read()
        except StopIteration:
            self.head = None


def heap_ordered(
    batches: Batches,
    *,
    groups: int,
    firsts: dict[tuple[Any, ...], list[tuple[str, int, int, Any]]],
    shard_ns: int,
    descending: bool,
    texts: int,
    limit: int | None,
    offset: int | None,
    size: int,
    cut: bool = False,
) -> Runs:
    """The rows of *batches* (``(group values…, time, values…, TIE)``,
    ordered by group and time) as influxd's heap merge orders them, as
    runs of one group's rows (time and values), LIMIT and OFFSET applied
    per group.

    ``TIE`` is the series key, or the *texts* text values compared first
    and the series key: in the batches a column each
    (``aliases.tie_columns``), in the rows replayed a list. *firsts* maps
    ``(group values…, shard group start)`` to each series' key, first and
    last time and first ``TIE`` there (a list), in tag-set order
    (``StreamPlan.firsts_sql``); shard groups last *shard_ns* ns. *cut*:
    the rows stop at the LIMIT's bound, before the last points *firsts*
    gives (``_Segment``).
    """
    skip = offset or 0
    stop = None if limit is None else skip + limit
    listed = texts > 0
    # The first batch is read before *firsts* is looked at: the statement
    # that fills it runs as the rows start.
    ahead = iter(batches)
    first_batch = next(ahead, None)
    read_batches = itertools.chain([] if first_batch is None else [first_batch], ahead)
    if not firsts:
        # No shard group to replay: the rows come in the heap's order.
        try:
            yield from _plain_runs(read_batches, groups, skip, stop, 1 + texts)
        finally:
            batches.close()
        return
    read = (
        row for batch in read_batches for row in zip(*_tied(batch, texts), strict=True)
    ).__next__
    rows = _Rows(read)
    try:
        while (row := rows.head) is not None:
            group = row[:groups]
            taken = 0
            while (row := rows.head) is not None and row[:groups] == group:
                if stop is not None and taken >= stop:
                    if not groups:
                        return  # one group, and it is complete
                    rows.take()  # the rest of the group is not answered
                    continue
                shard = shard_start(row[groups], shard_ns)
                # The last time inside the shard group, in reading order.
                last = -shard if descending else shard + shard_ns - 1
                series = firsts.get((*group, shard), [])
                segment = _segment(
                    rows, series, group, groups, last, descending, listed, cut
                )
                done = False
                while not done and (stop is None or taken < stop):
                    out: list[tuple[Any, ...]] = []
                    room = size if stop is None else min(size, stop - taken)
                    with gc_paused():
                        done = segment.run(out, room)
                    # Rows before the OFFSET are read and dropped.
                    first = min(len(out), max(0, skip - taken))
                    taken += len(out)
                    if first < len(out):
                        yield group, out, first, len(out)
                rows.head = segment.head
    finally:
        batches.close()


def _tied(batch: Sequence[Sequence[Any]], texts: int) -> Sequence[Sequence[Any]]:
    """*batch*'s columns with its last *texts* + 1 (the texts of ``TIE``
    and the series key) made one column of lists, as the replay reads a
    ``TIE``; *batch* itself when it ends with the key alone."""
    if not texts:
        return batch
    width = texts + 1
    with gc_paused():
        ties = list(map(list, zip(*batch[-width:], strict=True)))
    return [*batch[:-width], ties]


def _plain_runs(
    batches: Iterable[Sequence[Sequence[Any]]],
    groups: int,
    skip: int,
    stop: int | None,
    tied: int = 1,
) -> Runs:
    """The rows of *batches* (group values, time, values, ``TIE`` in its
    last *tied* columns; in the heap's order already) as runs of one
    group's rows, its rows before *skip* and from *stop* on left out,
    without a Python step per row."""
    group: tuple[Any, ...] | None = None
    taken = 0
    for batch in batches:
        with gc_paused():
            keys = list(zip(*batch[:groups], strict=True)) if groups else None
            cells = list(zip(*batch[groups:-tied], strict=True))
        count = len(cells)
        starts = [0]
        if keys is not None:
            starts += compress(range(1, count), map(ne, islice(keys, 1, None), keys))
        for start, end in zip(starts, [*starts[1:], count], strict=True):
            key = keys[start] if keys is not None else ()
            if key != group:
                group, taken = key, 0
            first = start + max(0, skip - taken)
            last = end if stop is None else min(end, start + max(0, stop - taken))
            taken += end - start
            if first < last:
                yield key, cells, first, last
        if stop is not None and not groups and taken >= stop:
            return  # one group, and it is complete


def _segment(
    rows: _Rows,
    series: Sequence[tuple[str, int, int, Any]],
    group: tuple[Any, ...],
    groups: int,
    last: int,
    descending: bool,
    listed: bool,
    cut: bool = False,
) -> Any:
    """The replay of one group's heap in one shard group: the compiled one
    where it is built (*listed*: given each series' first ``TIE``), else
    ``_Segment``."""
    if HeapSegment is not None:
        sign = -1 if descending else 1
        return HeapSegment(
            rows.read,
            rows.head,
            {key: i for i, (key, *_rest) in enumerate(series)},
            [sign * first for _key, first, _last, _tie in series],
            [sign * final for _key, _first, final, _tie in series],
            group,
            groups,
            last,
            sign,
            [tie for _key, _first, _final, tie in series] if listed else None,
            cut,
        )
    return _Segment(rows, series, group, groups, last, descending, listed, cut)


class _Segment:
    """Replays the heap of one group in one shard group: *series* are its
    series (key, first time, last time, first ``TIE``) in tag-set order,
    *last* the (signed) last time of the shard group. ``run()`` gives the
    rows in the heap's order, a number at a time; ``head`` is then the
    first row after the segment.

    *cut*: the rows stop at a time before the series' last points (a
    LIMIT's bound, at or before which is every row the LIMIT takes). A
    series whose next point is not among them is pushed as beyond every
    row read: which items of the heap's array hold the points read, and
    so the order they pop in, does not depend on the times beyond (an item
    beyond them only ever moves past another beyond them). The segment is
    done once the root is such a point."""

    def __init__(
        self,
        rows: _Rows,
        series: Sequence[tuple[str, int, int, Any]],
        group: tuple[Any, ...],
        groups: int,
        last: int,
        descending: bool,
        listed: bool,
        cut: bool = False,
    ) -> None:
        self.cut = cut
        self.sign = sign = -1 if descending else 1
        self.descending, self.listed = descending, listed
        self.rows, self.group, self.groups, self.last = rows, group, groups, last
        self.index = {key: i for i, (key, *_rest) in enumerate(series)}
        self.finals = [sign * final for _key, _first, final, _tie in series]
        # The heap: series numbers and their keys (the signed time, or a
        # HeapKey of it), kept side by side at the same positions.
        self.h = list(range(len(series)))
        self.hk = [self.key(first, tie) for _key, first, _final, tie in series]
        for i in range(len(self.h) // 2 - 1, -1, -1):
            sift_down(self.h, self.hk, i, len(self.h))
        self.pending: list[deque[Row]] = [deque() for _ in series]

    @property
    def head(self) -> Row | None:
        """The row after the last one read."""
        return self.rows.head

    def key(self, time: int, tie: Any) -> Any:
        """The heap key of a point at *time* with *tie*."""
        if self.listed:
            return HeapKey(self.sign * time, tie[:-1], self.descending)
        return self.sign * time

    def _inside(self, row: Row | None, bound: int) -> bool:
        """Whether *row* is of this group, at or before (signed) *bound*."""
        groups = self.groups
        return (
            row is not None
            and row[:groups] == self.group
            and self.sign * row[groups] <= bound
        )

    def _series(self, row: Row) -> int:
        tie = row[-1]
        return self.index[tie[-1] if self.listed else tie]

    def run(self, out: list[tuple[Any, ...]], room: int) -> bool:
        """Append up to *room* rows to *out* (their time and values);
        return whether the segment is done."""
        h, hk, pending, rows = self.h, self.hk, self.pending, self.rows
        if not h:
            # No series to merge (or no prepass): the group's rows as read.
            while room > 0 and self._inside(rows.head, self.last):
                assert rows.head is not None
                out.append(rows.head[self.groups : -1])
                rows.take()
                room -= 1
            return room > 0
        groups, sign = self.groups, self.sign
        while h and room > 0:
            s, due = h[0], hk[0].time if self.listed else hk[0]
            if self.cut and due > self.last:
                return True  # the root is beyond the rows read: all left are
            # Read every row up to the root's time: its row is among them.
            while self._inside(head := rows.head, due):
                assert head is not None
                pending[self._series(head)].append(head)
                rows.take()
            if self.cut and not pending[s]:
                return True
            # Go's heap.Pop: the last item to the root, sifted down.
            n = len(h) - 1
            h[0], hk[0] = h[n], hk[n]
            h.pop()
            hk.pop()
            if n > 1:
                sift_down(h, hk, 0, n)
            waiting = pending[s]
            row = waiting.popleft()
            out.append(row[groups:-1])
            room -= 1
            if sign * row[groups] == self.finals[s]:
                continue  # the series' last point here
            while not waiting and self._inside(head := rows.head, self.last):
                # Read ahead to the series' next point.
                assert head is not None
                pending[self._series(head)].append(head)
                rows.take()
            # Go's heap.Push: appended, sifted up; a point not read (cut)
            # beyond every row read, its TIE the last's.
            head = waiting[0] if waiting or not self.cut else row
            time = head[groups] if waiting else sign * _BEYOND
            j = len(h)
            h.append(s)
            hk.append(self.key(time, head[-1]))
            sift_up(h, hk, j)
        return not h


#: The signed key of a point beyond the rows read (``_Segment``'s *cut*).
_BEYOND = 2**63 - 1


def sift_up(h: list[int], hk: list[Any], j: int) -> None:
    """Go's ``heap.up`` over parallel lists: the items *h* and their keys
    *hk*."""
    while j > 0:
        i = (j - 1) // 2
        if not hk[j] < hk[i]:
            return
        h[i], h[j] = h[j], h[i]
        hk[i], hk[j] = hk[j], hk[i]
        j = i


def sift_down(h: list[int], hk: list[Any], i: int, n: int) -> None:
    """Go's ``heap.down`` over parallel lists: the items *h* and their keys
    *hk*, the first *n* of them in the heap."""
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
