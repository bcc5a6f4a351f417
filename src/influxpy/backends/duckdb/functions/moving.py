"""MOVING_AVERAGE and CUMULATIVE_SUM of floats as InfluxDB's reducers
compute them."""

from __future__ import annotations

from typing import Any

__all__ = ["moving_average", "running_sum_arrow"]


def moving_average(values: list[float], n: int) -> list[float | None]:
    """The moving average of *n* points at each of a series' *values* (in
    the order the server reads them), None before the first *n*.

    InfluxDB's ``FloatMovingAverageReducer`` keeps a running sum: the
    oldest value taken out, then the newest added, divided by *n*; its last
    bits differ from an average of the window's values, and a NaN or an
    infinity stays in the sum (as NaN) once the window has moved past it.
    """
    out: list[float | None] = []
    total = 0.0
    for index, value in enumerate(values):
        if index >= n:
            total -= values[index - n]
        total += value
        out.append(total / n if index >= n - 1 else None)
    return out


def running_sum_arrow(values: Any) -> Any:
    """``influxpy_running_sum`` as DuckDB's Arrow function: of each row's
    list of floats (a series' points in the order the server reads them),
    the running total at each point, each added to the total in turn as
    InfluxDB's ``FloatCumulativeSumReducer`` adds it (``total += v``;
    numpy's ``cumsum`` accumulates in that order, where DuckDB's windowed
    ``sum`` rounds the last bits otherwise on long series)."""
    import numpy as np
    import pyarrow as pa

    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    offsets = values.offsets.to_numpy()
    flat = values.values.to_numpy(zero_copy_only=False).astype(np.float64, copy=False)
    totals = np.empty(int(offsets[-1] - offsets[0]), dtype=np.float64)
    start = int(offsets[0])
    for i in range(len(values)):
        a, b = int(offsets[i]), int(offsets[i + 1])
        np.cumsum(flat[a:b], out=totals[a - start : b - start])
    shifted = pa.array(offsets - start, type=pa.int32())
    return pa.ListArray.from_arrays(shifted, pa.array(totals))
