"""HOLT_WINTERS as DuckDB's Arrow functions: each call takes a chunk of
series (``influxpy_holt_winters``) or every series of a query
(``influxpy_holt_winters_all``) and fits their runs together
(``holt_winters_batch.holt_winters_many``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from influxpy.backends.duckdb.functions.holt_winters_batch import holt_winters_many

__all__ = ["holt_winters_all_arrow", "holt_winters_arrow"]


def _rows(*columns: Any) -> Iterator[tuple[Any, ...]]:
    """The rows of DuckDB's Arrow argument *columns*, as Python values."""
    return zip(*(column.to_pylist() for column in columns), strict=True)


def holt_winters_arrow(
    times: Any, values: Any, h: Any, season: Any, with_fit: Any, interval: Any
) -> Any:
    """``influxpy_holt_winters`` as DuckDB's Arrow function: a chunk of
    series (one row each) at once, so their runs are fitted together."""
    import pyarrow as pa

    rows = _rows(times, values, h, season, with_fit, interval)
    calls: dict[tuple[int, int, bool, int], list[int]] = {}
    points: list[tuple[list[int], list[float]]] = []
    for index, (t, v, steps, length, fitted, every) in enumerate(rows):
        points.append((t, v))
        calls.setdefault((steps, length, fitted, every), []).append(index)
    answers: list[list[dict[str, Any]]] = [[] for _ in points]
    for (steps, length, fitted, every), indexes in calls.items():
        found = holt_winters_many(
            [points[i] for i in indexes], steps, length, fitted, every
        )
        for index, answer in zip(indexes, found, strict=True):
            answers[index] = answer
    point = pa.struct([("t", pa.int64()), ("v", pa.float64())])
    return pa.array(answers, type=pa.list_(point))


def holt_winters_all_arrow(
    times: Any, values: Any, h: Any, season: Any, with_fit: Any, interval: Any
) -> Any:
    """``influxpy_holt_winters_all`` as DuckDB's Arrow function: each row
    holds every series of a query (a list of series' times and values), so
    all their runs are fitted together in one call, whatever thread DuckDB
    would have handed each series to."""
    import pyarrow as pa

    rows = _rows(times, values, h, season, with_fit, interval)
    answers: list[list[list[dict[str, Any]]] | None] = []
    for t, v, steps, length, fitted, every in rows:
        if t is None or v is None:
            answers.append(None)
            continue
        series = list(zip(t, v, strict=True))
        answers.append(holt_winters_many(series, steps, length, fitted, every))
    point = pa.struct([("t", pa.int64()), ("v", pa.float64())])
    return pa.array(answers, type=pa.list_(pa.list_(point)))
