"""The order in which influxd merges the series' parts of a SUM or a MEAN,
run inside DuckDB.

influxd computes a float SUM or MEAN per series first (a call iterator per
series, each emitting one part per window), then merges the parts with
``NewParallelMergeIterator``: the tag set's series, in series-key order,
are cut into ``GOMAXPROCS`` slices, each slice merged by a merge heap, and
the slices' outputs merged again by another. A merge heap takes the input
whose next part has the earliest window and reads all its parts of that
window before it takes the next input; inputs whose next parts are of one
window leave the heap in the order Go's ``container/heap`` happens to hold
them. The parts are then added in that order, which decides the sum's last
bits. ``merge_order`` replays it for one tag set in one shard group, in C
where the extension is built (``_heapreplay.c``), else in Python
(``merge_order_python``, which the tests hold the C one to).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

from influxpy.backends.duckdb.heap_order import sift_down, sift_up

__all__ = ["go_max_procs", "merge_order", "merge_order_arrow", "merge_order_python"]


def go_max_procs() -> int:
    """The parallelism an influxd on this machine merges with: Go's
    ``GOMAXPROCS`` (the variable when set, else the CPUs this process may
    run on, as Go's ``runtime.NumCPU`` counts them)."""
    text = os.environ.get("GOMAXPROCS", "")
    if text.isdigit() and int(text) > 0:
        return int(text)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def merge_order(
    members: int,
    slots: list[int],
    windows: list[int],
    descending: bool,
    parallelism: int = 0,
) -> list[int]:
    """The place (from 0) of each part in influxd's merge of one tag set's
    series in one shard group (``merge_order_python``), in C where built."""
    if _COMPILED is not None:
        cores = parallelism or go_max_procs()
        result: list[int] = _COMPILED(members, slots, windows, descending, cores)
        return result
    return merge_order_python(members, slots, windows, descending, parallelism)


def merge_order_arrow(
    members: Any, slots: Any, windows: Any, descending: Any, parallelism: Any
) -> Any:
    """``influxpy_merge_order`` as DuckDB's Arrow function: a chunk of rows,
    each a tag set's parts (or points) of one shard group, replayed over
    their 64-bit integers without a Python object per element (a tag set
    writing at the same times has as many points as the query reads)."""
    import numpy as np
    import pyarrow as pa

    def lists(column: Any) -> tuple[Any, Any]:
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        values = column.values.to_numpy(zero_copy_only=False)
        return column.offsets.to_numpy(), values.astype(np.int64, copy=False)

    slot_at, slot_values = lists(slots)
    window_at, window_values = lists(windows)
    rows = zip(
        members.to_pylist(),
        descending.to_pylist(),
        parallelism.to_pylist(),
        strict=True,
    )
    placed: list[Any] = []
    lengths = []
    for i, (count, down, cores) in enumerate(rows):
        s = slot_values[slot_at[i] : slot_at[i + 1]]
        w = window_values[window_at[i] : window_at[i + 1]]
        cores = cores or go_max_procs()
        if _BUFFERS is not None:
            done = np.frombuffer(_BUFFERS(count, s, w, bool(down), cores), np.int64)
        else:
            done = np.array(
                merge_order_python(count, s.tolist(), w.tolist(), bool(down), cores),
                dtype=np.int64,
            )
        placed.append(done)
        lengths.append(len(done))
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    flat = np.concatenate(placed) if placed else np.zeros(0, dtype=np.int64)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat))


def merge_order_python(
    members: int,
    slots: list[int],
    windows: list[int],
    descending: bool,
    parallelism: int = 0,
) -> list[int]:
    """The place (from 0) of each part in influxd's merge of one tag set's
    series in one shard group.

    *members* is how many series the tag set holds in the shard group (its
    series with a point there, at any time, even outside the query's
    range: each is an input of the merge); ``slots[i]`` is the rank (from
    0, by series key) of part *i*'s series among them and ``windows[i]``
    the start of its window (any key: parts of one key are of one window).
    In descending order influxd reverses the tag set's series and reads
    the windows latest first. *parallelism* is the number of slices (0:
    Go's ``GOMAXPROCS``; 1: one merge heap, as influxd merges its shards'
    iterators).
    """
    keys = [-w for w in windows] if descending else list(windows)
    inputs: list[list[int]] = [[] for _ in range(members)]
    for i in sorted(range(len(keys)), key=keys.__getitem__):
        slot = members - 1 - slots[i] if descending else slots[i]
        inputs[slot].append(i)
    places = [0] * len(keys)
    cores = parallelism or go_max_procs()
    for place, i in enumerate(_parallel_merge(inputs, keys, cores)):
        places[i] = place
    return places


def _extension() -> Any:
    """The compiled replay's module, where it is built (not with
    ``INFLUXPY_PURE_PYTHON=1``), else None."""
    if os.environ.get("INFLUXPY_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from influxpy.backends.duckdb import _heapreplay  # type: ignore[attr-defined]
    except ImportError:  # not built here: the Python replay
        return None
    return _heapreplay


_EXTENSION = _extension()
#: The compiled replay over lists, and over buffers of 64-bit integers.
_COMPILED: Callable[..., Any] | None = (
    None if _EXTENSION is None else _EXTENSION.merge_order
)
_BUFFERS: Callable[..., Any] | None = (
    None if _EXTENSION is None else _EXTENSION.merge_order_buffers
)


def _parallel_merge(
    inputs: list[list[int]], keys: Sequence[int], parallelism: int
) -> list[int]:
    """influxd's ``NewParallelMergeIterator``: *inputs* cut into
    *parallelism* slices (the last one taking the rest), each merged, then
    the slices' outputs merged."""
    if len(inputs) <= 1:
        return inputs[0] if inputs else []
    parallelism = min(parallelism, len(inputs))
    size = len(inputs) // parallelism
    outputs = [
        _merge(inputs[i * size : (i + 1) * size if i < parallelism - 1 else None], keys)
        for i in range(parallelism)
    ]
    return _merge(outputs, keys)


def _merge(streams: list[list[int]], keys: Sequence[int]) -> list[int]:
    """influxd's merge iterator over *streams* (parts in window order): the
    heap of the non-empty streams, in their order, Init; then Pop the
    stream whose next part's window is the earliest, read all its parts of
    that window, and Push it back with its next window."""
    if len(streams) == 1:
        return streams[0]
    live = [s for s in streams if s]
    heads = [0] * len(live)
    heap = list(range(len(live)))
    heap_keys = [keys[s[0]] for s in live]
    for i in range(len(heap) // 2 - 1, -1, -1):
        sift_down(heap, heap_keys, i, len(heap))
    out: list[int] = []
    while heap:
        last = len(heap) - 1
        heap[0], heap[last] = heap[last], heap[0]
        heap_keys[0], heap_keys[last] = heap_keys[last], heap_keys[0]
        sift_down(heap, heap_keys, 0, last)
        index = heap.pop()
        window = heap_keys.pop()
        stream = live[index]
        at = heads[index]
        while at < len(stream) and keys[stream[at]] == window:
            out.append(stream[at])
            at += 1
        heads[index] = at
        if at < len(stream):
            heap.append(index)
            heap_keys.append(keys[stream[at]])
            sift_up(heap, heap_keys, len(heap) - 1)
    return out
