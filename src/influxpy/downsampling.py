"""Downsampled copies: which stored measurement serves a resolution.

A model lists its downsampled copies in ``Meta.aggregated_measurements``
(read by ``influxpy.retention.declared_downsampling``); a QuerySet asks
``downsampled_source()`` which one to read for a ``resolution()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from influxpy._types import options_of
from influxpy.durations import Duration
from influxpy.query import Source

if TYPE_CHECKING:
    from influxpy._types import Measurement
    from influxpy.query import GroupByTime

__all__ = ["downsampled_source"]


def downsampled_source(
    model: type[Measurement], group_by_time: GroupByTime
) -> Source | None:
    """Pick the downsampled measurement that serves a resolution, if any.

    The rule: among ``Meta.aggregated_measurements``, the coarsest window
    whose length divides the requested interval exactly, and divides its
    offset too, is read; ``Minute(60)`` is served by ``Hour(1)`` data since
    windows compare by length here. A ``Now()`` offset, or no fitting
    window, reads the raw measurement (``None``).
    """
    offset = group_by_time.offset
    if offset is not None and not isinstance(offset, Duration):
        return None
    interval = group_by_time.interval.nanoseconds
    shift = offset.nanoseconds if offset is not None else 0
    best: tuple[int, Any] | None = None
    for window, target in options_of(model).aggregated_measurements.items():
        size = window.nanoseconds
        if interval % size or shift % size:
            continue
        if best is None or size > best[0]:
            best = (size, target)
    if best is None:
        return None
    target = best[1]
    if isinstance(target, str):
        return Source(target)
    meta = target._meta
    return Source(meta.measurement, meta.database, meta.retention_policy)
