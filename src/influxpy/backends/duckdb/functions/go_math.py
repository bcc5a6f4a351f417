"""InfluxQL's math functions as DuckDB functions, computed as influxd's Go
computes them (``influxpy._gomath``), one chunk of points at a time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from influxpy._gomath import GO_MATH
from influxpy.function_specs import FUNCTIONS

__all__ = ["MATH_FUNCTIONS"]


def _over_arrow(compute: Callable[..., Any], count: int) -> Callable[..., Any]:
    """*compute* of numpy arrays as a function of *count* Arrow arrays
    (DuckDB counts a function's parameters from its signature)."""

    def run(*arrays: Any) -> Any:
        import numpy as np
        import pyarrow as pa

        values = [array.to_numpy(zero_copy_only=False) for array in arrays]
        with np.errstate(all="ignore"):
            return pa.array(compute(*values), type=pa.float64())

    if count == 1:
        return lambda x: run(x)
    return lambda x, y: run(x, y)


#: ``(SQL name, function, argument count)`` of each math function the
#: engine's SQL calls (``influxpy_sin``...).
MATH_FUNCTIONS: list[tuple[str, Callable[..., Any], int]] = [
    (f"influxpy_{name}", _over_arrow(compute, count), count)
    for name, compute in GO_MATH.items()
    for count in (FUNCTIONS[name].min_args,)
]
