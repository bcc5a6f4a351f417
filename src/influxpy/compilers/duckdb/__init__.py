"""The DuckDB compiler of the embedded engine, by its parts.

``compiler`` holds ``DuckDBCompiler``; ``catalog`` the tables and columns it
reads, ``timezones`` the ``tz()`` window maths and ``stream`` the plan of a
raw SELECT read in slices.
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
