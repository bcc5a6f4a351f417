"""The functions the engine's SQL calls, registered on each connection.

They run inside DuckDB at query time, over one series' points or windows:
the math functions as influxd's Go computes them, MODE's tie rule, ``tz()``
windows, INTEGRAL over windows, MOVING_AVERAGE's running sum, the technical
analysis functions, HOLT_WINTERS, the order of SAMPLE's points beside
other calls in descending order and the order influxd merges the series'
parts of a SUM or MEAN in. The compiler only names them
(``influxpy_…``) in the SQL it writes.
"""

from __future__ import annotations

from typing import Any

from influxpy.backends.duckdb.functions.edge_pops import edge_pops
from influxpy.backends.duckdb.functions.go_math import MATH_FUNCTIONS
from influxpy.backends.duckdb.functions.holt_winters_arrow import (
    holt_winters_all_arrow,
    holt_winters_arrow,
)
from influxpy.backends.duckdb.functions.integral import integral_windows
from influxpy.backends.duckdb.functions.merge import merge_descending
from influxpy.backends.duckdb.functions.merge_order import merge_order_arrow
from influxpy.backends.duckdb.functions.mode import mode_index
from influxpy.backends.duckdb.functions.moving import moving_average, running_sum_arrow
from influxpy.backends.duckdb.functions.technical import technical
from influxpy.backends.duckdb.functions.timezones import tz_assign, tz_fill
from influxpy.compilers.duckdb.timezones import tz_window

__all__ = ["register_functions"]


def register_functions(con: Any, *, read_only: bool = False) -> None:
    """Register the helpers the SQL uses (MODE's tie rule, INTEGRAL per
    window, NaN).

    The macros are stored in the database; a read-only one uses those its
    writer stored.
    """
    import duckdb
    from duckdb.sqltypes import BIGINT

    if not read_only:
        con.execute(
            "CREATE OR REPLACE MACRO influxpy_null_nan(x) AS "
            "CASE WHEN isnan(x) THEN NULL ELSE x END"
        )
    udfs: list[tuple[str, Any, list[Any], Any]] = [
        ("influxpy_mode_index", mode_index, ["DOUBLE[]", "BIGINT[]"], BIGINT),
        ("influxpy_mode_index_text", mode_index, ["VARCHAR[]", "BIGINT[]"], BIGINT),
        (
            "influxpy_tz_window",
            tz_window,
            ["BIGINT", "BIGINT", "BIGINT", "VARCHAR"],
            BIGINT,
        ),
        (
            "influxpy_integral_windows",
            integral_windows,
            [
                "BIGINT[]",
                "DOUBLE[]",
                "BIGINT",
                "BIGINT",
                "BIGINT",
                "BOOLEAN",
                "VARCHAR",
            ],
            "STRUCT(t BIGINT, v DOUBLE)[]",
        ),
        (
            "influxpy_technical",
            technical,
            ["VARCHAR", "BIGINT[]", "DOUBLE[]", "BIGINT", "BIGINT", "VARCHAR"],
            "STRUCT(t BIGINT, v DOUBLE)[]",
        ),
        (
            "influxpy_holt_winters",
            holt_winters_arrow,
            ["BIGINT[]", "DOUBLE[]", "BIGINT", "BIGINT", "BOOLEAN", "BIGINT"],
            "STRUCT(t BIGINT, v DOUBLE)[]",
        ),
        (
            "influxpy_holt_winters_all",
            holt_winters_all_arrow,
            ["BIGINT[][]", "DOUBLE[][]", "BIGINT", "BIGINT", "BOOLEAN", "BIGINT"],
            "STRUCT(t BIGINT, v DOUBLE)[][]",
        ),
        ("influxpy_moving_average", moving_average, ["DOUBLE[]", "BIGINT"], "DOUBLE[]"),
        ("influxpy_running_sum", running_sum_arrow, ["DOUBLE[]"], "DOUBLE[]"),
        (
            "influxpy_merge_descending",
            merge_descending,
            ["BIGINT[]", "BIGINT[]"],
            "BIGINT[]",
        ),
        (
            "influxpy_merge_order",
            merge_order_arrow,
            ["BIGINT", "BIGINT[]", "BIGINT[]", "BOOLEAN", "BIGINT"],
            "BIGINT[]",
        ),
        (
            "influxpy_edge_pops",
            edge_pops,
            ["BIGINT[]", "BIGINT[]", "VARCHAR[][]", "BOOLEAN", "BIGINT", "BIGINT[]"],
            "BIGINT[]",
        ),
        (
            "influxpy_tz_assign",
            tz_assign,
            ["BIGINT[]", "BIGINT", "BIGINT", "VARCHAR", "BOOLEAN"],
            "STRUCT(t BIGINT, w BIGINT, k BIGINT)[]",
        ),
        (
            "influxpy_tz_fill",
            tz_fill,
            ["BIGINT[]", "BIGINT", "BIGINT", "BIGINT", "VARCHAR", "BOOLEAN"],
            "BIGINT[]",
        ),
    ]
    # HOLT_WINTERS takes a chunk of series at once, to fit them together;
    # the math functions a chunk of points.
    arrow = {holt_winters_arrow, holt_winters_all_arrow, merge_order_arrow}
    arrow.add(running_sum_arrow)
    for name, function, count in MATH_FUNCTIONS:
        udfs.append((name, function, ["DOUBLE"] * count, "DOUBLE"))
        arrow.add(function)
    for name, function, arguments, result in udfs:
        nulls = "special" if function in (mode_index, tz_fill, edge_pops) else "default"
        kind = "arrow" if function in arrow else "native"
        try:
            con.create_function(
                name, function, arguments, result, null_handling=nulls, type=kind
            )
        except duckdb.CatalogException as error:
            # A second connection to a file this process has open shares
            # the first one's (asking the catalog first costs more than
            # the whole registration).
            if "already exists" not in str(error):
                raise
