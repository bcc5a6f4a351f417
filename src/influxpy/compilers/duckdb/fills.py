"""``fill()``: the value of an empty window, and a call's cell where it has
no row, as the server fills them."""

from __future__ import annotations

from typing import Any

from influxpy.compilers.duckdb.context import (
    _CompilerBase,
    _Context,
    _fill_previous,
    _Relation,
)
from influxpy.functions import Func

__all__ = ["FillsMixin"]


class FillsMixin(_CompilerBase):
    """The fills of windows without points (``fill(null|none|x|previous|linear)``)."""

    def _fill_value(self, ctx: _Context, call: Func, interval: int) -> str:
        """The value of a window of *call*, filled as the server fills it."""
        fill = ctx.query.fill
        mode = fill.mode if fill is not None else "null"
        kind = self._call_kind(call, ctx.columns)
        partition = (
            f"PARTITION BY {', '.join(ctx.group_columns)} " if ctx.group_columns else ""
        )
        window = f"{partition}ORDER BY time {ctx.direction}"
        if mode == "null" and call.name == "count":
            return "CASE WHEN present THEN v ELSE 0 END"
        if mode == "value":
            assert fill is not None
            filler = self._fill_literal(fill.value, kind)
            return f"CASE WHEN present THEN v ELSE {filler} END"
        if mode == "previous":
            return (
                f"CASE WHEN present THEN v ELSE last_value(v IGNORE NULLS) OVER "
                f"({window} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) END"
            )
        if mode == "linear" and kind in self._NUMERIC:
            point = "CASE WHEN present THEN struct_pack(t := time, v := v) END"
            prev = (
                f"last_value({point} IGNORE NULLS) OVER ({window} ROWS BETWEEN "
                "UNBOUNDED PRECEDING AND 1 PRECEDING)"
            )
            after = (
                f"first_value({point} IGNORE NULLS) OVER ({window} ROWS BETWEEN "
                "1 FOLLOWING AND UNBOUNDED FOLLOWING)"
            )
            pv, pt = f"struct_extract({prev}, 'v')", f"struct_extract({prev}, 't')"
            nv, nt = f"struct_extract({after}, 'v')", f"struct_extract({after}, 't')"
            slope = (
                f"CAST(coalesce({nv}, 0) - {pv} AS DOUBLE) / "
                f"CAST({nt} // {interval} - {pt} // {interval} AS DOUBLE)"
            )
            steps = f"CAST(time // {interval} - {pt} // {interval} AS DOUBLE)"
            line = f"{slope} * {steps} + CAST({pv} AS DOUBLE)"
            if kind == "integer":
                line = f"CAST(trunc({line}) AS BIGINT)"
            return (
                f"CASE WHEN present THEN v WHEN {nt} IS NULL THEN NULL ELSE {line} END"
            )
        return "v"

    def _fill_literal(self, value: Any, kind: str | None) -> str:
        """``fill(x)`` cast to the call's type, as the server casts it."""
        if kind == "integer":
            return self._param(int(value))
        if kind == "float":
            return self._param(float(value))
        if kind == "string":
            return "''"
        if kind == "boolean":
            return "FALSE"
        return "NULL"

    def _default_cell(self, ctx: _Context, symbol: str, relation: _Relation) -> str:
        """A call's cell when the call has no row at that time (cursor rule)."""
        fill = ctx.query.fill
        if fill is None or ctx.query.group_by_time is None:
            return symbol
        if fill.mode == "value":
            if relation.kind in self._NUMERIC:
                filler = self._fill_literal(fill.value, relation.kind)
                return f"coalesce({symbol}, {filler})"
            return symbol
        if fill.mode == "previous":
            return _fill_previous(ctx, symbol)
        return symbol
