"""How a QuerySet shows in a notebook: ``_repr_html_()``.

The HTML is built only when a notebook displays the QuerySet: its InfluxQL
(on the embedded engine also the SQL that runs), then the first rows, read
with a LIMIT one row past those shown to tell whether more rows follow.
``repr()`` stays lazy and runs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from influxpy._html import SHOWN_ROWS, queryset_html
from influxpy.exceptions import InfluxpyError
from influxpy.models import ModelT
from influxpy.queryset._base import QuerySetBase

if TYPE_CHECKING:
    from influxpy.queryset._base import _Steps

__all__ = ["DisplayMixin"]


class DisplayMixin(QuerySetBase[ModelT]):
    """``_repr_html_()``: the QuerySet's statement and first rows as HTML."""

    def _repr_html_(self) -> str:
        """The InfluxQL and the first rows as HTML (runs one query)."""
        from influxpy.compilers.influxql import InfluxQLCompiler

        name = self.model.__name__
        query = self._downsample(self._state.query)
        try:
            influxql = str(query)
        except InfluxpyError as exc:
            return queryset_html(name, "", error=f"Cannot compile: {exc}")
        sql = None
        try:
            backend = self._backend()
            if not issubclass(backend.compiler_class, InfluxQLCompiler):
                sql = query.compile(backend.get_compiler(self._state.database)).text
            rows, more = self._drive(self._preview(), merge=False)
        except (InfluxpyError, OSError) as exc:
            return queryset_html(
                name, influxql, sql=sql, error=f"The query could not run: {exc}"
            )
        return queryset_html(name, influxql, sql=sql, rows=rows, more=more)

    def _preview(self) -> _Steps[tuple[list[dict[str, Any]], bool]]:
        """The first rows as flat dicts, and whether there are more."""
        limited = self._slice(0, SHOWN_ROWS + 1)
        if limited._state.empty:
            return [], False
        converter = self._converter()
        rows: list[dict[str, Any]] = []
        for series in (yield limited._state.query):
            rows.extend(converter.points(series))
        return rows[:SHOWN_ROWS], len(rows) > SHOWN_ROWS
