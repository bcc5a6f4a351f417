"""NaN and the infinities in the engine's SQL, as influxd holds them.

influxd computes in IEEE doubles: a float modulo by zero, ``sqrt`` of a
negative, ``ln(-1)``, ``acos(2)`` or ``Inf - Inf`` is NaN, ``ln(0)`` is
-Inf. Only its answer turns NaN into null (the JSON, CSV and MessagePack
answers all hold null there); inside a subquery NaN is a value like any
other, which the outer query reads: COUNT counts it, MEAN and SUM are NaN,
a condition compares it as unequal to everything. ±Inf stays a number
everywhere (the CSV and MessagePack answers hold it; influxd's JSON answer
fails, see the README's quirk table).

DuckDB's doubles are IEEE too, so the compiled expressions keep NaN, and
only the outermost SELECT reads NaN as null (``null_nan``). What differs is
how the two order NaN: DuckDB sorts it above every number, while Go's
reducers compare it as unequal to everything. ``reduce_with_nan`` and
``selected_with_nan`` give MAX, MIN, FIRST, LAST, STDDEV and
COUNT(DISTINCT()) of a subquery's column influxd's answers.

Known difference: of NaN and numbers at one time in several inner series
that one outer group merges, influxd's MAX, MIN, FIRST and LAST read them
in series order, which the engine's rows no longer carry; it takes the
numbers to be read first. Of a subquery of selectors grouped by tags,
influxd's MAX and MIN read the rows window by window, each window's series
one after another (by series key), the engine in the order of the times
the selectors picked. MEDIAN, PERCENTILE, TOP, BOTTOM and DISTINCT
leave NaN where Go's sort, heap or map happens to (quirks, pinned in
``tests/conformance/test_nan_quirks.py``).
"""

from __future__ import annotations

from influxpy.compilers.duckdb.folds import stddev_fold
from influxpy.functions import Func

__all__ = ["null_nan", "reduce_with_nan", "selected_with_nan"]

_NAN = "CAST('NaN' AS DOUBLE)"


def null_nan(column: str) -> str:
    """*column* with NaN read as null, whatever the column's type.

    DuckDB folds the type test to a constant, so a column that is not a
    double is left as it is and costs nothing.
    """
    nan = f"typeof({column}) = 'DOUBLE' AND isnan(TRY_CAST({column} AS DOUBLE))"
    return f"CASE WHEN {nan} THEN NULL ELSE {column} END"


def _first_read(expr: str, x: str, descending: bool) -> str:
    """*expr* of the first point influxd's reducer reads in a window: the
    earliest, or the latest in descending order.

    Of points of several series at that time, influxd reads them in series
    order, which the rows here no longer carry: a number is taken to come
    first (NaN is read first only when every point of that time is NaN).
    """
    return f"first({expr} ORDER BY time {'DESC' if descending else 'ASC'}, isnan({x}))"


def reduce_with_nan(
    call: Func,
    x: str,
    value: str,
    selected: str | None,
    *,
    descending: bool,
    read: str,
) -> tuple[str, str | None]:
    """The SQL of *call* over the float column *x*, which may hold NaN,
    and of the selected point's time (*value* and *selected*: the SQL for
    a column without NaN).

    influxd's MAX and MIN keep the first point they read and replace it by
    a greater (smaller) value: a NaN read first is never replaced, a NaN
    read later never replaces anything. Its STDDEV leaves NaN out of the
    mean and the squares, but answers NaN for fewer than two points
    counting the NaN ones (and -0 when every point is NaN: 0 / -1), the
    others folded in the order *read* (``folds``). Its COUNT(DISTINCT())
    counts each NaN apart.
    """
    name = call.name
    number = f"NOT isnan({x})"
    first_nan = f"isnan({_first_read(x, x, descending)})"
    if name == "count" and isinstance(call.source, Func):
        # COUNT(DISTINCT(x)): Go's map of values holds each NaN apart.
        nans = f"count({x}) FILTER (WHERE isnan({x}))"
        return f"(count(DISTINCT {x}) FILTER (WHERE {number}) + {nans})", selected
    if name in ("max", "min"):
        order = "DESC" if name == "max" else "ASC"
        best = f"{name}({x}) FILTER (WHERE {number})"
        picked = f"first(time ORDER BY {x} {order}, time ASC) FILTER (WHERE {number})"
        value = f"(CASE WHEN {first_nan} THEN {_NAN} ELSE {best} END)"
        when = f"(CASE WHEN {first_nan} THEN {_first_read('time', x, descending)} "
        return value, f"{when}ELSE {picked} END)"
    if name in ("first", "last"):
        # Of points at one time, Go keeps the first read unless a greater
        # value follows, and NaN is never greater: a number wins over NaN
        # (as ``_first_read`` takes a number to be read first).
        order = "ASC" if name == "first" else "DESC"
        return f"first({x} ORDER BY time {order}, isnan({x}), {x} DESC)", selected
    if name == "median":
        # NaN sorted last, the middle values averaged (the negated values
        # of ``median_sql`` would sort it last too: first of the others).
        nans = f"count({x}) FILTER (WHERE isnan({x}))"
        middle = f"CAST(quantile_cont({x}, 0.5) AS DOUBLE)"
        return f"(CASE WHEN {nans} > 0 THEN {middle} ELSE {value} END)", selected
    if name == "stddev":
        numbers = f"count({x}) FILTER (WHERE {number})"
        spread = stddev_fold(x, read, number)
        value = (
            f"(CASE WHEN count({x}) < 2 OR {numbers} = 1 THEN {_NAN} "
            f"WHEN {numbers} = 0 THEN CAST('-0.0' AS DOUBLE) ELSE {spread} END)"
        )
        return value, selected
    return value, selected


def selected_with_nan(
    name: str, x: str, column: str, default: str, descending: bool
) -> str:
    """*column* of the point MAX or MIN picks when *x* may hold NaN (see
    ``reduce_with_nan``); *default* is the SQL for a column without NaN."""
    if name in ("first", "last"):
        order = "ASC" if name == "first" else "DESC"
        return f"first({column} ORDER BY time {order}, isnan({x}), {x} DESC)"
    if name not in ("max", "min"):
        return default
    order = "DESC" if name == "max" else "ASC"
    number = f"NOT isnan({x})"
    first_nan = f"isnan({_first_read(x, x, descending)})"
    picked = f"first({column} ORDER BY {x} {order}, time ASC) FILTER (WHERE {number})"
    return (
        f"(CASE WHEN {first_nan} THEN {_first_read(column, x, descending)} "
        f"ELSE {picked} END)"
    )
