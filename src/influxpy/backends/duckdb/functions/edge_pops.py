"""The first points influxd's sorted merge pops, for a bare FIRST or LAST
(``compilers/duckdb/edge_picks.py``), run inside DuckDB.

influxd's sorted merge iterator holds one item per series of a tag set
(in series-key order, reversed when descending) in a Go heap keyed by its
next point: by time (the later first when descending), then by the text
values read beside the selector in the order of their names, the smaller
first (the larger when descending), no further than a value that is not
text (a missing tag or field); neither point is less than the other at
the end. ``edge_pops`` replays Go's ``container/heap`` over each series'
first points and says which of them come out first.

Under a subquery grouped by more tags than the statement, influxd's tag
sets are the statement's (its ``Dimensions``), each series passes its first
two points, and a limit iterator after the merge passes the first point of
each run of one inner group (it restarts its count whenever the point's
group changes): with *runs*, every point is popped and only those are
kept.
"""

from __future__ import annotations

from influxpy.backends.duckdb.heap_order import HeapKey, sift_down, sift_up

__all__ = ["edge_pops"]


def edge_pops(
    slots: list[int] | None,
    times: list[int] | None,
    texts: list[list[str | None]] | None,
    descending: bool,
    count: int,
    runs: list[int] | None = None,
) -> list[int]:
    """For each point (its series' number in series-key order in *slots*,
    its time in *times*, the texts compared after it in *texts*), the place
    (from 1) at which the merge pops it among the first *count* points it
    pops, else 0. With *runs* (each point's group), every point is popped
    and only the first of each run of one group keeps its place.

    Only each series' first points need be given (in the merge's
    direction): the heap starts with every series' first point and, once
    it pops one, takes that series' next. No points (null lists: an
    aggregate of no rows) give none.
    """
    if not slots or not times:
        return []
    points: dict[int, list[int]] = {}
    for at, slot in enumerate(slots):
        points.setdefault(slot, []).append(at)
    order = sorted(points, reverse=descending)
    for slot in order:
        points[slot].sort(key=times.__getitem__, reverse=descending)

    sign = -1 if descending else 1

    def key(at: int) -> HeapKey:
        # The later first when descending: the time's sign turned.
        return HeapKey(sign * times[at], texts[at] if texts else (), descending)

    heap = list(order)
    keys = [key(points[slot][0]) for slot in heap]
    following = dict.fromkeys(order, 0)
    n = len(heap)
    for i in range(n // 2 - 1, -1, -1):
        sift_down(heap, keys, i, n)
    places = [0] * len(slots)
    if runs is not None:
        count = len(slots)
    previous: int | None = None
    for place in range(1, count + 1):
        if not heap:
            break
        # Go's heap.Pop: the root swapped with the last, sifted down, taken.
        last = len(heap) - 1
        heap[0], heap[last] = heap[last], heap[0]
        keys[0], keys[last] = keys[last], keys[0]
        sift_down(heap, keys, 0, last)
        slot = heap.pop()
        keys.pop()
        at = points[slot][following[slot]]
        if runs is None or runs[at] != previous:
            places[at] = place
        if runs is not None:
            previous = runs[at]
        following[slot] += 1
        if following[slot] < len(points[slot]):
            # heap.Push: the series' next point appended and sifted up.
            heap.append(slot)
            keys.append(key(points[slot][following[slot]]))
            sift_up(heap, keys, len(heap) - 1)
    return places
