"""``QuerySet.explain()``: how the store would run the query, as text."""

from __future__ import annotations

from influxpy.models import ModelT
from influxpy.queryset._base import QuerySetBase

__all__ = ["ExplainMixin"]


class ExplainMixin(QuerySetBase[ModelT]):
    """The store's plan of the QuerySet's query."""

    def explain(self, analyze: bool = False) -> str:
        """Return the store's plan of this query, as Django's ``explain()`` does.

        On InfluxDB, the server's ``EXPLAIN`` (with *analyze*, ``EXPLAIN
        ANALYZE``: the query runs and the plan reports its times and
        counts). On the embedded engine, the SQL it runs, a blank line and
        DuckDB's ``EXPLAIN`` (``EXPLAIN ANALYZE``) of it. Nothing is
        written, even for an ``into()`` query. A QuerySet known to be empty
        (``none()``) runs nothing, and its plan is ``''``.
        """
        if self._state.empty:
            return ""
        backend, compiled, database = self._prepare(self._state.query)
        return backend.explain(compiled, database=database, analyze=analyze)

    async def aexplain(self, analyze: bool = False) -> str:
        """Async form of ``explain()``."""
        if self._state.empty:
            return ""
        backend, compiled, database = self._prepare(self._state.query)
        return await backend.aexplain(compiled, database=database, analyze=analyze)
