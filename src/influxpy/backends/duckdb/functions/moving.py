"""MOVING_AVERAGE of floats as InfluxDB's reducer computes it."""

from __future__ import annotations

__all__ = ["moving_average"]


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
