"""The order in which the server's cursor merges several calls' rows in
descending order, run inside DuckDB."""

from __future__ import annotations

__all__ = ["merge_descending"]


def merge_descending(streams: list[int], times: list[int]) -> list[int]:
    """The output row of each of one series' call rows, merged latest first.

    *streams* and *times* list every row of every call, grouped by call,
    each call's rows in the order its iterator emits them (SAMPLE's points
    by window latest first and in time order inside a window, the others
    latest first). As influxd's cursor does in descending order, each
    output row takes the latest time among the calls' next rows, and every
    call whose next row has that time gives it to that output row. The
    result holds, for each input row, the number of its output row
    (counting from 0).
    """
    runs: list[list[int]] = []
    start = 0
    for end in range(1, len(times) + 1):
        if end == len(times) or streams[end] != streams[start]:
            runs.append([start, end])
            start = end
    emitted = [0] * len(times)
    row = 0
    while runs:
        latest = max(times[run[0]] for run in runs)
        for run in runs:
            if times[run[0]] == latest:
                emitted[run[0]] = row
                run[0] += 1
        runs = [run for run in runs if run[0] < run[1]]
        row += 1
    return emitted
