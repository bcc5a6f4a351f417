"""The QuerySet methods that read pandas DataFrames."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from influxpy._utils import gc_paused
from influxpy.models import ModelT
from influxpy.queryset._base import QuerySetBase
from influxpy.results import Series

if TYPE_CHECKING:
    from influxpy.queryset._base import _Steps

__all__ = ["FramesMixin"]


class FramesMixin(QuerySetBase[ModelT]):
    """``to_dataframe()`` and its async form."""

    def to_dataframe(self) -> Any:
        """Return one pandas DataFrame: a UTC time index, tag and value columns.

        Grouped results are stacked into the same frame with their tags as
        columns. Needs the ``pandas`` extra.
        """
        # The frame stacks rows whatever the series, so the chunks of a long
        # one need not be joined first.
        return self._drive(self._to_dataframe(), merge=False)

    async def ato_dataframe(self) -> Any:
        """Async form of ``to_dataframe()``."""
        return await self._adrive(self._to_dataframe())

    def _to_dataframe(self) -> _Steps[Any]:
        from influxpy._dataframe import series_to_dataframe

        empty = self._state.empty
        series: Iterable[Series] = () if empty else (yield self._state.query)
        with gc_paused():
            return series_to_dataframe(
                series,
                names=self._column_names(),
                tz=self._tzinfo(),
                epoch=self._state.epoch,
            )
