"""The plans of InfluxDB 1.x: ``EXPLAIN`` and ``EXPLAIN ANALYZE`` on ``/query``.

The server answers one series of one column (``QUERY PLAN``, or
``EXPLAIN ANALYZE`` with the tree of the run), one line a row; the plan is
those lines joined. ``EXPLAIN ANALYZE`` runs the statement's reads, but an
``INTO`` is not written (checked on 1.6.7).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from influxpy.backends.http.reading import HTTPQueries
from influxpy.compilers.base import Compiled

if TYPE_CHECKING:
    from influxpy.results import Series

__all__ = ["HTTPExplain", "explain_statement", "plan_text"]


def explain_statement(compiled: Compiled, *, analyze: bool) -> Compiled:
    """*compiled* behind ``EXPLAIN`` (or ``EXPLAIN ANALYZE``), same parameters."""
    keyword = "EXPLAIN ANALYZE " if analyze else "EXPLAIN "
    return compiled._replace(text=keyword + compiled.text)


def plan_text(pieces: Iterable[Series]) -> str:
    """The server's plan: the first column of every row, one line each."""
    return "\n".join(str(row[0]) for piece in pieces for row in piece.values)


class HTTPExplain(HTTPQueries):
    """``explain()`` of ``HTTPBackend``: the server's own plan."""

    def explain(
        self, compiled: Compiled, *, database: str | None = None, analyze: bool = False
    ) -> str:
        """Return InfluxDB's ``EXPLAIN`` (``EXPLAIN ANALYZE``) of *compiled*."""
        statement = explain_statement(compiled, analyze=analyze)
        return plan_text(self.execute(statement, database=database))

    async def aexplain(
        self, compiled: Compiled, *, database: str | None = None, analyze: bool = False
    ) -> str:
        """Async form of ``explain()``, on the event loop's client."""
        statement = explain_statement(compiled, analyze=analyze)
        pieces = [p async for p in self.aexecute(statement, database=database)]
        return plan_text(pieces)
