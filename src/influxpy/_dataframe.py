"""Build one pandas DataFrame from result series (the ``pandas`` extra).

Columns are assembled series by series from transposed rows, so the cost
is one pass over the values and one frame, whatever the number of series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from influxpy.exceptions import ImproperlyConfigured
from influxpy.results import Series

__all__ = ["series_to_dataframe"]


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        msg = (
            "to_dataframe() needs pandas: install it with "
            "pip install 'influxpy-orm[pandas]'."
        )
        raise ImproperlyConfigured(msg) from None
    return pandas


def series_to_dataframe(
    series: Iterable[Series],
    *,
    names: Mapping[str, str] | None = None,
    tz: dt.tzinfo | None = None,
    epoch: str | None = None,
) -> Any:
    """Return one DataFrame indexed by time, with tag and value columns.

    Tags of grouped series become columns; the index is named ``time`` and
    is UTC (or *tz*), or integer nanoseconds with ``epoch='ns'``.
    """
    pd = _pandas()
    import numpy as np

    names = dict(names or {})
    columns: dict[str, list[Any]] = {}
    times: list[Any] = []
    measurements: set[str] = set()
    total = 0
    for piece in series:
        rows = piece.values
        count = len(rows)
        if not count:
            continue
        measurements.add(piece.name)
        transposed = list(zip(*rows, strict=True))
        for index, key in enumerate(piece.columns):
            name = names.get(key, key)
            if name == "time" and index == 0:
                times.extend(transposed[0])
                continue
            target = columns.get(name)
            if target is None:
                target = columns[name] = [None] * total
            target.extend(transposed[index])
        for key, value in piece.tags.items():
            name = names.get(key, key)
            target = columns.get(name)
            if target is None:
                target = columns[name] = [None] * total
            target.extend([value] * count)
        total += count
        for target in columns.values():
            if len(target) < total:
                target.extend([None] * (total - len(target)))
    stamps = np.asarray(times, dtype="int64")
    if epoch is not None:
        index = pd.Index(stamps, name="time")
    else:
        index = pd.DatetimeIndex(
            pd.to_datetime(stamps, unit="ns", utc=True), name="time"
        )
        if tz is not None:
            index = index.tz_convert(tz)
    frame = pd.DataFrame(columns, index=index)
    if len(measurements) > 1:
        frame.attrs["measurements"] = sorted(measurements)
    return frame
