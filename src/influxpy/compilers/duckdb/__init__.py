"""The DuckDB compiler of the embedded engine, by its parts.

``compiler`` holds ``DuckDBCompiler``: the entry points and the assembly of
a SELECT, composed of its parts, each a mixin of ``context._CompilerBase``:
``conditions`` (WHERE and the time range), ``scalars`` (row-wise
expressions), ``calls`` (a select list of function calls), ``windows``
(aggregates and selectors over windows, fill()), ``transforms``
(transformations, technical analysis, HOLT_WINTERS, INTEGRAL over windows),
``multirow`` (TOP, BOTTOM, DISTINCT, SAMPLE) and ``subqueries``. ``context`` holds what
they share; ``catalog`` the tables and columns the compiler reads,
``timezones`` the ``tz()`` window maths and ``stream`` the plan of a raw
SELECT read in slices.
"""

from __future__ import annotations

from influxpy.compilers.duckdb.catalog import (
    DEFAULT_RP,
    TAG_CODES,
    Catalog,
    ColumnInfo,
    code_column,
)
from influxpy.compilers.duckdb.compiler import DuckDBCompiler
from influxpy.compilers.duckdb.timezones import tz_window, tz_window_bounds, zone_offset

__all__ = [
    "DEFAULT_RP",
    "TAG_CODES",
    "Catalog",
    "ColumnInfo",
    "DuckDBCompiler",
    "code_column",
    "tz_window",
    "tz_window_bounds",
    "zone_offset",
]
