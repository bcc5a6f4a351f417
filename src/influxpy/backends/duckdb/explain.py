"""The plans of the embedded engine: DuckDB's ``EXPLAIN`` of the compiled SQL.

``explain()`` gives the SQL the engine runs for a statement (after the
statements run first whose rows bind its parameters, each with a comment
and a blank line), a blank line, then DuckDB's physical plan
(``EXPLAIN``) or its profile of a run (``EXPLAIN ANALYZE``, which reads
the rows but writes nothing, even for an ``INTO``: the engine writes
those rows itself). A statement the engine answers without SQL (a
measurement that does not exist) has the empty plan, as influxd's
``EXPLAIN`` of such a query is one empty line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from influxpy.backends.duckdb.core import EngineCore, _duckdb
from influxpy.backends.duckdb.reading import _plan_of
from influxpy.backends.duckdb.stream import bound_statement
from influxpy.compilers.duckdb.plan import EmptyPlan, bindings_of
from influxpy.exceptions import ProgrammingError

if TYPE_CHECKING:
    from influxpy.compilers.base import Compiled

__all__ = ["EngineExplain"]


class EngineExplain(EngineCore):
    """``explain()`` of ``DuckDBBackend``: DuckDB's plan, with the SQL."""

    def explain(
        self, compiled: Compiled, *, database: str | None = None, analyze: bool = False
    ) -> str:
        """Return the SQL of *compiled* and DuckDB's plan of it."""
        self.check_open()
        if isinstance(_plan_of(compiled), EmptyPlan) or not compiled.text:
            return ""
        keyword = "EXPLAIN ANALYZE " if analyze else "EXPLAIN "
        cursor = self._cursor()
        try:
            text, params = bound_statement(cursor, compiled)
            found = cursor.execute(keyword + text, params).fetchall()
        except _duckdb().Error as exc:
            msg = f"The embedded engine failed to explain the query: {exc}"
            raise ProgrammingError(msg) from None
        finally:
            cursor.close()
        plan = "\n".join(str(row[-1]).rstrip("\n") for row in found)
        first = "".join(
            f"-- run first{f' when ${b.when} holds' if b.when else ''}, its rows "
            f"bind {', '.join('$' + n for n in b.names)}\n{b.text}\n\n"
            for b in bindings_of(compiled)
        )
        return f"{first}{compiled.text}\n\n{plan}"
