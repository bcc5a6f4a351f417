"""The QuerySet methods that read frames: pandas, Arrow and polars."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from influxpy._utils import gc_paused
from influxpy.expressions import Col, Expression
from influxpy.functions import Func
from influxpy.models import ModelT
from influxpy.query import Query, Source
from influxpy.queryset._display import DisplayMixin
from influxpy.queryset._parallel import (
    adrive_sliced,
    check_parallel,
    drive_sliced,
    frames_agree,
    frames_by_slice,
)
from influxpy.results import Series

if TYPE_CHECKING:
    from influxpy.queryset._base import _Steps

__all__ = ["FramesMixin"]


class FramesMixin(DisplayMixin[ModelT]):
    """``to_dataframe()``, ``to_arrow()``, ``to_polars()`` and their async forms;
    ``plot()`` and the notebook display come from ``DisplayMixin``."""

    def to_dataframe(self, *, wide: bool = False, parallel: int | None = None) -> Any:
        """Return one pandas DataFrame: a UTC time index, tag and value columns.

        Grouped results are stacked into the same frame with their tags as
        columns. With ``wide=True`` the frame has one column per series and
        value column instead (``cpu{host=a}``), for charting. A result
        without rows has the columns the query would give. Needs the
        ``pandas`` extra.

        ``parallel=N`` splits the query's time range (both ends given by
        ``filter()``) into *N* slices read at the same time, for the same
        frame: raw selects and aggregates grouped by ``time()`` only
        (``ValueError`` otherwise). The embedded engine reads the slices in turn.
        """
        if parallel is not None:
            count = check_parallel(parallel)
            if not wide:
                frame = self._stacked_slices(count, arrow=False)
                if frame is not None:
                    return frame
            return drive_sliced(self, self._to_dataframe(wide=wide), count)
        steps = self._to_dataframe(wide=wide)
        # The frame stacks rows whatever the series, so the chunks of a long
        # one need not be joined first.
        return self._drive(steps, merge=False)

    async def ato_dataframe(
        self, *, wide: bool = False, parallel: int | None = None
    ) -> Any:
        """Async form of ``to_dataframe()``; ``parallel`` slices run as tasks."""
        steps = self._to_dataframe(wide=wide)
        if parallel is not None:
            return await adrive_sliced(self, steps, check_parallel(parallel))
        return await self._adrive(steps)

    def to_arrow(self, *, parallel: int | None = None) -> Any:
        """Return one ``pyarrow.Table`` built from the stream, without pandas.

        ``time`` is ``timestamp[ns, UTC]`` (or the zone of ``tz()``; integer
        nanoseconds after ``epoch()``), tags are string columns and fields
        keep their types: ``double``, ``int64``, ``bool``, ``string``.
        Grouped results are stacked with their tags as columns, as in
        ``to_dataframe()``; ``parallel=N`` reads time slices at the same time,
        as there.
        """
        if parallel is not None:
            count = check_parallel(parallel)
            table = self._stacked_slices(count, arrow=True)
            if table is not None:
                return table
            return drive_sliced(self, self._to_arrow(), count)
        return self._drive(self._to_arrow(), merge=False)

    def _stacked_slices(self, parallel: int, *, arrow: bool) -> Any:
        """The frame (or table) of an ungrouped query built from one per time
        slice, each built as its slice arrives, stacked in order; None when
        the query is grouped or the slices do not stack into its answer."""
        if arrow:
            parts = frames_by_slice(self, parallel, lambda part: part.to_arrow())
        else:
            # Each slice's columns are gathered as it arrives; the frame is
            # built once from all of them, as from one stream.
            parts = frames_by_slice(
                self,
                parallel,
                lambda part: part._drive(part._frame_parts(), merge=False),
            )
        if parts is None or not frames_agree(self._state.query, parts):
            return None
        full = [part for part in parts if len(part)] or parts[:1]
        if arrow:
            import pyarrow as pa

            return pa.concat_tables(full) if len(full) > 1 else full[0]
        gathered = full[0]
        for part in full[1:]:
            gathered.extend(part)
        with gc_paused():
            return gathered.frame(tz=self._tzinfo(), epoch=self._state.epoch)

    async def ato_arrow(self, *, parallel: int | None = None) -> Any:
        """Async form of ``to_arrow()``; ``parallel`` slices run as tasks."""
        if parallel is not None:
            steps = self._to_arrow()
            return await adrive_sliced(self, steps, check_parallel(parallel))
        return await self._adrive(self._to_arrow())

    def to_polars(self) -> Any:
        """Return one ``polars.DataFrame``: ``to_arrow()``'s table, zero-copy.

        Needs the ``polars`` extra.
        """
        return _polars_frame(self.to_arrow())

    async def ato_polars(self) -> Any:
        """Async form of ``to_polars()``."""
        return _polars_frame(await self.ato_arrow())

    def plot(self, ax: Any = None, *, title: str | None = None, **kwargs: Any) -> Any:
        """Draw the result and return the matplotlib ``Axes``.

        One line per series and value column (``to_dataframe(wide=True)``),
        labelled with its tags (``cpu{host=a}``); the time axis reads in UTC
        or the zone of ``tz()``. *ax* is drawn into when given; *kwargs* go
        to every line (``marker='o'``…). Needs the ``plot`` extra.
        """
        from influxpy._plot import plot_frame

        return plot_frame(self.to_dataframe(wide=True), ax=ax, title=title, **kwargs)

    def _to_dataframe(self, *, wide: bool = False) -> _Steps[Any]:
        from influxpy._dataframe import wide_frame

        parts = yield from self._frame_parts()
        with gc_paused():
            frame = parts.frame(tz=self._tzinfo(), epoch=self._state.epoch)
        if wide:
            frame = wide_frame(frame, self._tag_names())
        return frame

    def _frame_parts(self) -> _Steps[Any]:
        """The result's columns, gathered as they stream in (``FrameParts``)."""
        from influxpy._dataframe import FrameParts

        parts = FrameParts(self._column_names(), self._expected_columns())
        empty = self._state.empty
        series: Iterable[Series] = () if empty else (yield self._state.query)
        with gc_paused():
            parts.add(series)
        return parts

    def _to_arrow(self) -> _Steps[Any]:
        from influxpy._arrow import series_to_arrow

        empty = self._state.empty
        series: Iterable[Series] = () if empty else (yield self._state.query)
        with gc_paused():
            return series_to_arrow(
                series,
                names=self._column_names(),
                tz=self._state.query.timezone,
                epoch=self._state.epoch,
                expected=self._expected_columns(),
            )

    def _tag_names(self) -> list[str]:
        """The attribute names of the model's tags."""
        return [field.name for field in self.model._meta.tags]

    def _expected_columns(self) -> list[tuple[str, str]]:
        """The columns (output name, kind) the query gives, ``time`` aside.

        Every field and tag for ``SELECT *`` (by stored key, as InfluxDB
        sorts them), else the select list; then the tags grouped by.
        """
        query: Query = self._downsample(self._state.query)
        meta = self.model._meta
        names = self._column_names()
        if "*" in query.group_by:
            grouped = sorted(field.db_name for field in meta.tags)
        else:
            grouped = sorted(query.group_by)
        columns: list[tuple[str, str]] = []
        if query.select:
            for item in query.select:
                name = item.output_name
                if name is not None:
                    columns.append((name, _kind(item.expression)))
        elif self._state.aliases:
            columns = [(n, col.dtype or "any") for n, col in self._state.aliases]
        elif isinstance(query.source, Source):
            fields = {
                field.db_name: "tag" if field.is_tag else field.kind
                for field in meta.fields.values()
                if field.name != "time"
            }
            columns = [(key, fields[key]) for key in sorted(fields)]
        columns = [(k, kind) for k, kind in columns if k not in grouped]
        columns += [(key, "tag") for key in grouped]
        seen: set[str] = set()
        out: list[tuple[str, str]] = []
        for key, kind in columns:
            name = names.get(key, key)
            if name not in seen and name != "time":
                seen.add(name)
                out.append((name, kind))
        return out


def _kind(expression: Expression) -> str:
    """The kind of the values an expression gives (``any`` when unknown)."""
    if isinstance(expression, Col):
        return "tag" if expression.role == "tag" else (expression.dtype or "any")
    if isinstance(expression, Func):
        if expression.name == "count":
            return "integer"
        if expression.kind == "selector" and expression.source is not None:
            return _kind(expression.source)
        return "float"
    return "any"


def _polars_frame(table: Any) -> Any:
    try:
        import polars
    except ImportError:
        from influxpy.exceptions import ImproperlyConfigured

        msg = (
            "to_polars() needs polars: install it with "
            "pip install 'influxpy-orm[polars]'."
        )
        raise ImproperlyConfigured(msg) from None
    return polars.from_arrow(table)
