"""Aggregates whose last bits depend on the order the points are read in.

influxd's STDDEV folds a window's points one by one in the order its merge
reads them (time, then series key; descending queries the other way): a
running mean, ``mean += (v - mean) / n``, then the sum of the squared
deviations from it, ``sqrt(sum / (n - 1))``. DuckDB's ``stddev_samp``
(Welford's, in any order) rounds differently in about a third of the
windows, so the engine folds the points in the server's order and by its
formula, and answers the same value to the last bit.
"""

from __future__ import annotations

__all__ = ["stddev_fold"]


def stddev_fold(x: str, order: str, where: str | None = None) -> str:
    """SQL of influxd's STDDEV of the column *x* over a group's points read
    in *order* (an ``ORDER BY`` list), those meeting *where* if given.

    The group needs at least one such point; with one the answer is NaN
    (0 / 0), with none -0 (0 / -1): the callers answer those cases as the
    server does before this is reached.
    """
    kept = f" FILTER (WHERE {where})" if where else ""
    values = f"list(CAST({x} AS DOUBLE) ORDER BY {order}){kept}"
    mean = (
        f"list_reduce({values}, lambda influxpy_m, influxpy_v, influxpy_i: "
        "influxpy_m + (influxpy_v - influxpy_m) / influxpy_i, 0.0)"
    )
    deviations = (
        f"list_transform({values}, lambda influxpy_v: "
        "(influxpy_v - influxpy_m) * (influxpy_v - influxpy_m))"
    )
    squares = (
        f"list_reduce({deviations}, lambda influxpy_a, influxpy_b: "
        "influxpy_a + influxpy_b, 0.0)"
    )
    # The mean is computed once, as the one element of a list, and
    # passed to the second fold as a lambda's argument.
    total = f"list_transform([{mean}], lambda influxpy_m: {squares})[1]"
    return f"sqrt({total} / (len({values}) - 1))"
