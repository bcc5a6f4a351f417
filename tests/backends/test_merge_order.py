"""The replay of influxd's merge of the series' parts of a SUM or MEAN
(``backends/duckdb/functions/merge_order.py``), held to a literal
transcription of influxd's iterators written here from Go's source:
``NewParallelMergeIterator``, the merge iterator's ``Next`` (pop the input
whose next point has the earliest window, read its points of that window,
unread the next one and push the input back) and ``container/heap``."""

from __future__ import annotations

import importlib
import random
from typing import Any

import pytest

from influxpy.backends.duckdb.functions.merge_order import (
    go_max_procs,
    merge_order,
    merge_order_arrow,
    merge_order_python,
)

module = importlib.import_module("influxpy.backends.duckdb.functions.merge_order")


class _Input:
    """An iterator over ``(window, label)`` points with peek and unread."""

    def __init__(self, points: list[tuple[int, Any]]) -> None:
        self.points = points
        self.at = 0

    def peek(self) -> tuple[int, Any] | None:
        return self.points[self.at] if self.at < len(self.points) else None

    def next(self) -> tuple[int, Any] | None:
        point = self.peek()
        if point is not None:
            self.at += 1
        return point

    def unread(self) -> None:
        self.at -= 1


class _GoHeap:
    """Go's container/heap (Init, Pop, Push) over inputs, Less comparing
    the windows of their next points."""

    def __init__(self, items: list[_Input]) -> None:
        self.items = items
        for i in range(len(items) // 2 - 1, -1, -1):
            self.down(i, len(items))

    def less(self, i: int, j: int) -> bool:
        a, b = self.items[i].peek(), self.items[j].peek()
        assert a is not None
        assert b is not None
        return a[0] < b[0]

    def swap(self, i: int, j: int) -> None:
        self.items[i], self.items[j] = self.items[j], self.items[i]

    def down(self, i: int, n: int) -> None:
        while True:
            j = 2 * i + 1
            if j >= n:
                return
            if j + 1 < n and self.less(j + 1, j):
                j += 1
            if not self.less(j, i):
                return
            self.swap(i, j)
            i = j

    def up(self, j: int) -> None:
        while j > 0 and self.less(j, (j - 1) // 2):
            self.swap(j, (j - 1) // 2)
            j = (j - 1) // 2

    def pop(self) -> _Input:
        n = len(self.items) - 1
        self.swap(0, n)
        self.down(0, n)
        return self.items.pop()

    def push(self, item: _Input) -> None:
        self.items.append(item)
        self.up(len(self.items) - 1)


def _go_merge(inputs: list[_Input]) -> _Input:
    if len(inputs) == 1:
        return inputs[0]
    heap = _GoHeap([i for i in inputs if i.peek() is not None])
    out: list[tuple[int, Any]] = []
    current: _Input | None = None
    window = 0
    while True:
        if current is None:
            if not heap.items:
                return _Input(out)
            current = heap.pop()
            point = current.next()
            assert point is not None
            window = point[0]
            out.append(point)
            continue
        point = current.next()
        if point is None:
            current = None
        elif point[0] != window:
            current.unread()
            heap.push(current)
            current = None
        else:
            out.append(point)


def _go_parallel_merge(inputs: list[_Input], parallelism: int) -> _Input:
    if len(inputs) == 1:
        return inputs[0]
    parallelism = min(parallelism, len(inputs))
    n = len(inputs) // parallelism
    outputs = [
        _go_merge(
            inputs[i * n : (i + 1) * n] if i < parallelism - 1 else inputs[i * n :]
        )
        for i in range(parallelism)
    ]
    return _go_merge(outputs)


def _through_arrow(
    members: int, slots: list[int], windows: list[int], descending: bool
) -> list[int]:
    """The replay as DuckDB runs it (``merge_order_arrow``), over a slice of
    a chunk (its lists' offsets not starting at 0)."""
    import pyarrow as pa

    def lists(values: list[int]) -> Any:
        return pa.array([[5, 6, 7], values], type=pa.list_(pa.int64()))[1:]

    found = merge_order_arrow(
        pa.array([members]),
        lists(slots),
        lists(windows),
        pa.array([descending]),
        pa.array([0]),
    )
    places: list[int] = found.to_pylist()[0]
    return places


def _through_arrow_in_python(
    members: int, slots: list[int], windows: list[int], descending: bool
) -> list[int]:
    """``merge_order_arrow`` where the extension is not built."""
    saved = module._BUFFERS
    module._BUFFERS = None
    try:
        return _through_arrow(members, slots, windows, descending)
    finally:
        module._BUFFERS = saved


#: The replays to check: Python's, and C's where it is built, each also as
#: DuckDB's Arrow function.
REPLAYS = [
    merge_order_python,
    _through_arrow_in_python,
    *([merge_order, _through_arrow] if module._COMPILED else []),
]


@pytest.mark.parametrize("replay", REPLAYS)
@pytest.mark.parametrize("cores", [1, 2, 3, 4, 8])
def test_merge_order_replays_influxds_parallel_merge(
    monkeypatch: pytest.MonkeyPatch, cores: int, replay: Any
) -> None:
    monkeypatch.setenv("GOMAXPROCS", str(cores))
    assert go_max_procs() == cores
    rng = random.Random(cores)
    for _ in range(400):
        members = rng.randint(1, 16)
        windows = [
            sorted(rng.sample(range(20), rng.randint(0, rng.choice([3, 20]))))
            for _ in range(members)
        ]
        descending = rng.random() < 0.3
        parts = [(s, w) for s, ws in enumerate(windows) for w in ws]
        rng.shuffle(parts)
        places = replay(
            members, [s for s, _w in parts], [w for _s, w in parts], descending
        )
        replayed = [parts[i] for i in sorted(range(len(parts)), key=places.__getitem__)]
        # influxd reverses a tag set's series, and reads windows latest
        # first, in descending order.
        order = range(members - 1, -1, -1) if descending else range(members)
        inputs = [
            _Input(
                [
                    ((-w if descending else w), (s, w))
                    for w in sorted(windows[s], reverse=descending)
                ]
            )
            for s in order
        ]
        merged = _go_parallel_merge(inputs, cores) if inputs else _Input([])
        assert replayed == [label for _window, label in merged.points]


def test_the_compiled_replay_is_used_where_built() -> None:
    """The engine runs the C replay where the extension is built."""
    from influxpy.backends.duckdb import _heapreplay  # type: ignore[attr-defined]

    assert module._COMPILED is _heapreplay.merge_order


@pytest.mark.parametrize("replay", REPLAYS)
def test_five_series_of_one_window_on_two_cores(
    monkeypatch: pytest.MonkeyPatch, replay: Any
) -> None:
    """Five series with parts in one window, on 2 cores: slices [0, 1] and
    [2, 3, 4]; Go's heap pops the second slice as 2, 4, 3."""
    monkeypatch.setenv("GOMAXPROCS", "2")
    places = replay(5, [0, 1, 2, 3, 4], [7] * 5, False)
    assert sorted(range(5), key=places.__getitem__) == [0, 1, 2, 4, 3]
