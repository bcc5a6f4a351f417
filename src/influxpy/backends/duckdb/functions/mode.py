"""MODE's pick among a window's points, run inside DuckDB.

influxd 1.6.7 sorts a window's points by value with Go's ``sort.Sort``
(a quicksort that is not stable: points of equal value change places),
then walks them keeping the longest run of one value. When two values
are equally frequent, which one wins depends on the times of the points
in their runs, so on the order the sort leaves them in: the engine runs
the same sort (Go 1.19's, which the packaged influxd 1.6.7 is built with)
on the points in the order the server reads them (by time, in the
query's direction) and takes the same pick.
"""

from __future__ import annotations

from typing import Any

__all__ = ["go_sort_order", "mode_index"]


def mode_index(values: list[Any], times: list[int]) -> int:
    """MODE's pick among a window's points (1-based index into *values*).

    *values* and *times* come in the order the server reads the points.
    InfluxDB's ``FloatModeReduceSlice``: sort them by value (Go's
    ``sort.Sort``), walk the sorted points counting each run of equal
    values; a longer run wins, and an equally long run wins when its first
    point is not later than the last point seen in the best run. A run of
    one point other than the very first never counts.
    """
    if len(values) == 1:
        return 1
    order = go_sort_order(values)
    most_freq = 0
    most_index = order[0]
    most_time = times[order[0]]
    current_value = values[order[0]]
    current_freq = 0
    current_time = most_time
    for index in order:
        value, stamp = values[index], times[index]
        if value != current_value:
            current_value, current_freq, current_time = value, 1, stamp
            continue
        current_freq += 1
        if most_freq > current_freq or (
            most_freq == current_freq and current_time > most_time
        ):
            continue
        most_freq, most_index, most_time = current_freq, index, stamp
    return most_index + 1


def go_sort_order(values: list[Any]) -> list[int]:
    """The positions of *values* in the order Go's ``sort.Sort`` leaves
    them, comparing values only: the pattern-defeating quicksort of Go
    1.19, which the packaged influxd 1.6.7 is built with."""
    return _GoSort(values).run()


_MASK = (1 << 64) - 1
_UNKNOWN, _INCREASING, _DECREASING = 0, 1, 2


class _GoSort:
    """Go 1.19's ``sort.Sort`` (``pdqsort``) over the positions of values."""

    def __init__(self, values: list[Any]) -> None:
        self.values = values
        self.order = list(range(len(values)))

    def less(self, i: int, j: int) -> bool:
        return bool(self.values[self.order[i]] < self.values[self.order[j]])

    def swap(self, i: int, j: int) -> None:
        order = self.order
        order[i], order[j] = order[j], order[i]

    def run(self) -> list[int]:
        n = len(self.order)
        if n > 1:
            self.pdqsort(0, n, n.bit_length())
        return self.order

    def insertion_sort(self, a: int, b: int) -> None:
        for i in range(a + 1, b):
            j = i
            while j > a and self.less(j, j - 1):
                self.swap(j, j - 1)
                j -= 1

    def sift_down(self, lo: int, hi: int, first: int) -> None:
        root = lo
        while True:
            child = 2 * root + 1
            if child >= hi:
                return
            if child + 1 < hi and self.less(first + child, first + child + 1):
                child += 1
            if not self.less(first + root, first + child):
                return
            self.swap(first + root, first + child)
            root = child

    def heap_sort(self, a: int, b: int) -> None:
        first, hi = a, b - a
        for i in range((hi - 1) // 2, -1, -1):
            self.sift_down(i, hi, first)
        for i in range(hi - 1, -1, -1):
            self.swap(first, first + i)
            self.sift_down(0, i, first)

    def pdqsort(self, a: int, b: int, limit: int) -> None:
        was_balanced = was_partitioned = True
        while True:
            length = b - a
            if length <= 12:
                self.insertion_sort(a, b)
                return
            if limit == 0:
                self.heap_sort(a, b)
                return
            if not was_balanced:
                self.break_patterns(a, b)
                limit -= 1
            pivot, hint = self.choose_pivot(a, b)
            if hint == _DECREASING:
                self.reverse_range(a, b)
                pivot = (b - 1) - (pivot - a)
                hint = _INCREASING
            if (
                was_balanced
                and was_partitioned
                and hint == _INCREASING
                and self.partial_insertion_sort(a, b)
            ):
                return
            if a > 0 and not self.less(a - 1, pivot):
                a = self.partition_equal(a, b, pivot)
                continue
            mid, was_partitioned = self.partition(a, b, pivot)
            left, right = mid - a, b - mid
            threshold = length // 8
            if left < right:
                was_balanced = left >= threshold
                self.pdqsort(a, mid, limit)
                a = mid + 1
            else:
                was_balanced = right >= threshold
                self.pdqsort(mid + 1, b, limit)
                b = mid

    def partition(self, a: int, b: int, pivot: int) -> tuple[int, bool]:
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while i <= j and self.less(i, a):
            i += 1
        while i <= j and not self.less(j, a):
            j -= 1
        if i > j:
            self.swap(j, a)
            return j, True
        self.swap(i, j)
        i += 1
        j -= 1
        while True:
            while i <= j and self.less(i, a):
                i += 1
            while i <= j and not self.less(j, a):
                j -= 1
            if i > j:
                break
            self.swap(i, j)
            i += 1
            j -= 1
        self.swap(j, a)
        return j, False

    def partition_equal(self, a: int, b: int, pivot: int) -> int:
        self.swap(a, pivot)
        i, j = a + 1, b - 1
        while True:
            while i <= j and not self.less(a, i):
                i += 1
            while i <= j and self.less(a, j):
                j -= 1
            if i > j:
                return i
            self.swap(i, j)
            i += 1
            j -= 1

    def partial_insertion_sort(self, a: int, b: int) -> bool:
        i = a + 1
        for _step in range(5):
            while i < b and not self.less(i, i - 1):
                i += 1
            if i == b:
                return True
            if b - a < 50:
                return False
            self.swap(i, i - 1)
            if i - a >= 2:
                for j in range(i - 1, 0, -1):
                    if not self.less(j, j - 1):
                        break
                    self.swap(j, j - 1)
            if b - i >= 2:
                for j in range(i + 1, b):
                    if not self.less(j, j - 1):
                        break
                    self.swap(j, j - 1)
        return False

    def break_patterns(self, a: int, b: int) -> None:
        length = b - a
        if length < 8:
            return
        random = length
        modulus = 1 << length.bit_length()
        for idx in range(a + (length // 4) * 2 - 1, a + (length // 4) * 2 + 2):
            random ^= (random << 13) & _MASK
            random ^= random >> 17
            random ^= (random << 5) & _MASK
            other = random & (modulus - 1)
            if other >= length:
                other -= length
            self.swap(idx, a + other)

    def choose_pivot(self, a: int, b: int) -> tuple[int, int]:
        length = b - a
        swaps = [0]
        i, j, k = a + length // 4, a + length // 4 * 2, a + length // 4 * 3
        if length >= 8:
            if length >= 50:
                i = self.median(i - 1, i, i + 1, swaps)
                j = self.median(j - 1, j, j + 1, swaps)
                k = self.median(k - 1, k, k + 1, swaps)
            j = self.median(i, j, k, swaps)
        if swaps[0] == 0:
            return j, _INCREASING
        if swaps[0] == 12:
            return j, _DECREASING
        return j, _UNKNOWN

    def median(self, a: int, b: int, c: int, swaps: list[int]) -> int:
        a, b = self.order2(a, b, swaps)
        b, c = self.order2(b, c, swaps)
        a, b = self.order2(a, b, swaps)
        return b

    def order2(self, a: int, b: int, swaps: list[int]) -> tuple[int, int]:
        if self.less(b, a):
            swaps[0] += 1
            return b, a
        return a, b

    def reverse_range(self, a: int, b: int) -> None:
        i, j = a, b - 1
        while i < j:
            self.swap(i, j)
            i += 1
            j -= 1
