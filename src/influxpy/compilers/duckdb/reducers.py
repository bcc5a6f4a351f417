"""The SQL of one call's value over a group's rows: an aggregate, or the
point a selector picks (and the other columns of that point).
"""

from __future__ import annotations

from influxpy.compilers.duckdb.aliases import GROUP_SIZE, ROW_NUMBER
from influxpy.compilers.duckdb.call_casts import wrapped_bigint
from influxpy.compilers.duckdb.context import _FLOAT_NAN, _SECOND, _CompilerBase
from influxpy.compilers.duckdb.folds import (
    integral_fold,
    median_sql,
    ordered_total,
    stddev_fold,
)
from influxpy.functions import Func

__all__ = ["ReducersMixin", "first_tie"]


class ReducersMixin(_CompilerBase):
    """What a call computes over the rows of one window and group."""

    def _selected(self, call: Func, x: str, column: str, kind: str | None) -> str:
        """*column* of the point a selector picks, with the same tie rules."""
        name = call.name
        if name == "first":
            return f"first({column} ORDER BY time ASC, {x} {first_tie(kind)})"
        if name == "last":
            return f"first({column} ORDER BY time DESC, {x} DESC)"
        if name == "max":
            return f"first({column} ORDER BY {x} DESC, time ASC)"
        if name == "min":
            return f"first({column} ORDER BY {x} ASC, time ASC)"
        return f"any_value({column}) FILTER (WHERE {self._percentile_hit(call)})"

    def _percentile_hit(self, call: Func) -> str:
        """Whether a ranked row is the nearest rank, ``floor(n * p / 100 + 0.5)``.

        The rows carry their 1-based rank by (value, time) in their group
        (``ROW_NUMBER``) and the group's size (``GROUP_SIZE``).
        """
        p = self._param(float(call.params[0]))
        rank = (
            f"CAST(floor(CAST({GROUP_SIZE} AS DOUBLE) * {p} / 100.0 + 0.5) AS BIGINT)"
        )
        return f"{ROW_NUMBER} = {rank}"

    def _reduce(
        self,
        call: Func,
        x: str,
        kind: str | None,
        descending: bool,
        read: str,
        *,
        in_order: bool = False,
    ) -> tuple[str, str | None]:
        """SQL reducing a window's values, and the selected point's time;
        *read* orders the points as the server reads them (``read_order``),
        and a float SUM or MEAN adds them in that order when *in_order*
        (``adds_in_order``)."""
        name = call.name
        source = call.source
        if name == "count" and isinstance(source, Func):
            return f"count(DISTINCT {x})", None
        if name == "count":
            return f"count({x})", None
        # Floats added in the order the server reads them (``folds``).
        total = ordered_total(x, read) if in_order else None
        if name == "mean" and total is not None:
            return f"{total} / count({x})", None
        if name == "mean":
            return f"avg(CAST({x} AS DOUBLE))", None
        if name == "sum" and kind == "integer":
            return wrapped_bigint(f"sum({x})"), None
        if name == "sum" and total is not None:
            return total, None
        if name == "sum":
            return f"CAST(sum({x}) AS DOUBLE)", None
        if name == "median":
            return median_sql(x), None
        if name == "spread":
            return f"(max({x}) - min({x}))", None
        if name == "stddev":
            value = stddev_fold(x, read)
            return f"CASE WHEN count({x}) = 1 THEN {_FLOAT_NAN} ELSE {value} END", None
        if name == "mode" and kind == "boolean":
            trues = f"count({x}) FILTER (WHERE {x})"
            return f"({trues} >= count({x}) FILTER (WHERE NOT {x}))", None
        if name == "mode":
            text = kind in ("string", "tag")
            function = "influxpy_mode_index_text" if text else "influxpy_mode_index"
            cast = "VARCHAR" if text else "DOUBLE"
            # In the order the server reads the points (mode.py sorts them
            # as influxd does): by time, points of one time in several
            # series as its merge meets them (``read_order``).
            values = f"list(CAST({x} AS {cast}) ORDER BY {read})"
            times = f"list(time ORDER BY {read})"
            picked = f"list({x} ORDER BY {read})"
            return f"{picked}[{function}({values}, {times})]", None
        if name == "integral":
            unit = call.params[0].nanoseconds if call.params else _SECOND
            return integral_fold(x, unit, read), None
        if name == "first":
            return f"first({x} ORDER BY time ASC, {x} {first_tie(kind)})", "min(time)"
        if name == "last":
            return f"first({x} ORDER BY time DESC, {x} DESC)", "max(time)"
        if name == "max":
            return f"max({x})", f"first(time ORDER BY {x} DESC, time ASC)"
        if name == "min":
            return f"min({x})", f"first(time ORDER BY {x} ASC, time ASC)"
        if name == "percentile":
            hit = self._percentile_hit(call)
            return (
                f"any_value({x}) FILTER (WHERE {hit})",
                f"any_value(time) FILTER (WHERE {hit})",
            )
        what = f"{name}()"
        raise self._unsupported(what)


def first_tie(kind: str | None) -> str:
    """Which of several points of one time FIRST picks, as an ``ORDER BY``
    direction of their values: the larger (influxd's ``FloatFirstReduce``
    and the integer and string ones), but ``false`` before ``true``
    (``BooleanFirstReduce``; LAST picks ``true``, the larger, as the
    others do)."""
    return "ASC" if kind == "boolean" else "DESC"
