"""MODE's pick among a window's points, run inside DuckDB."""

from __future__ import annotations

from typing import Any

__all__ = ["mode_index"]


def mode_index(values: list[Any], times: list[int]) -> int:
    """MODE's pick among points sorted by value then time (1-based index).

    InfluxDB's ``FloatModeReduceSlice``: walk the sorted points counting
    each run of equal values; a longer run wins, and an equally long run
    wins when its first point is not later than the last point seen in the
    best run. A run of one point other than the very first never counts.
    """
    most_freq = 0
    most_index = 0
    most_time = 0
    current_value: Any = object()
    current_freq = 0
    current_time = 0
    for index, (value, stamp) in enumerate(zip(values, times, strict=True)):
        if value != current_value:
            current_value, current_freq, current_time = value, 1, stamp
            if index:
                continue
        else:
            current_freq += 1
        if most_freq > current_freq or (
            most_freq == current_freq and current_time > most_time
        ):
            continue
        most_freq, most_index, most_time = current_freq, index, stamp
    return most_index + 1
