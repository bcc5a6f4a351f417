"""Arithmetic and math of the points TOP and BOTTOM pick
(``top(v, host, 2) + 1``, ``top(v, 2) + n, host``), as influxd computes
them: on each picked point, without the tag columns TOP/BOTTOM(x, tag…, N)
alone adds."""

from __future__ import annotations

from typing import Any

from influxpy.compilers.duckdb.aliases import output_column
from influxpy.compilers.duckdb.context import _CompilerBase, _Context, _output_names
from influxpy.compilers.duckdb.nans import null_nan
from influxpy.functions import Func
from influxpy.query import SelectItem


class PicksMixin(_CompilerBase):
    """Arithmetic of TOP/BOTTOM over the rows of ``_multi_row_query``."""

    def _over_each_pick(
        self, ctx: _Context, call: Func, names: list[str], over: Any
    ) -> tuple[str, list[str], list[str | None]] | None:
        """Arithmetic or math of TOP/BOTTOM(x, tag…, N) (``top(v, host, 2)
        + 1``): on the value of each point it picks, without the tag
        columns the call alone adds, as influxd answers it."""
        found = self._multi_row_query(ctx, call, names)
        if found is None:
            return None
        sql, _names, kinds = found
        value = output_column(0)
        computed, kind = self._scalar(over, lambda _call: (value, kinds[0]))
        if not any(ctx is inner for inner in self._inner_selects):
            # The answer holds null where the arithmetic computed NaN.
            computed = null_nan(f"({computed})")
        columns = [*ctx.group_columns, "time", f"{computed} AS {value}"]
        return f"SELECT {', '.join(columns)} FROM ({sql})", names, [kind]

    def _over_picks_with_columns(
        self, ctx: _Context, items: list[SelectItem], names: list[str], call: Func
    ) -> tuple[str, list[str], list[str | None]] | None:
        """Arithmetic or math of TOP/BOTTOM beside raw fields and tags, or
        of raw fields (``top(v, 2) + v``, ``top(v, 2) + 1, host``): the
        columns of each picked point, as influxd answers them; the tag
        columns of TOP/BOTTOM(x, tag…, N) are not in the answer."""
        position = next(
            i for i, item in enumerate(items) if call in item.expression.walk()
        )
        over = items[position].expression
        raws = list(dict.fromkeys(self._raw_of(over)))
        inner = [
            *items[:position],
            SelectItem(call),
            *items[position + 1 :],
            *(SelectItem(col) for col in raws),
        ]
        found = self._multi_row_with_columns(ctx, inner, _output_names(inner))
        if found is None:
            return None
        sql, _names, kinds = found
        shift = len(call.params) - 1
        value = output_column(position)
        read = {
            col: output_column(len(items) + shift + k) for k, col in enumerate(raws)
        }
        raw_kinds = {col: kinds[len(items) + shift + k] for k, col in enumerate(raws)}

        def leaf(node: Any) -> tuple[str, str | None]:
            if node == call:
                return value, kinds[position]
            return read[node], raw_kinds[node]

        computed, kind = self._scalar(over, leaf)
        if not any(ctx is inner for inner in self._inner_selects):
            computed = null_nan(f"({computed})")
        columns = [*ctx.group_columns, "time"]
        out_kinds: list[str | None] = []
        for i in range(len(items)):
            if i == position:
                columns.append(f"{computed} AS {value}")
                out_kinds.append(kind)
                continue
            at = i + shift if i > position else i
            columns.append(f"{output_column(at)} AS {output_column(i)}")
            out_kinds.append(kinds[at])
        return f"SELECT {', '.join(columns)} FROM ({sql})", names, out_kinds


def _once_over_each_pick(expression: Any, call: Func) -> bool:
    """Whether *expression* is arithmetic or math of one TOP/BOTTOM with
    tag arguments (``top(v, host, 2) + 1``)."""
    if call.name not in ("top", "bottom") or len(call.params) < 2:
        return False
    return sum(1 for node in expression.walk() if node == call) == 1


def _over_picks_beside(items: list[SelectItem], call: Func) -> bool:
    """Whether one of *items* is arithmetic or math of TOP/BOTTOM *call*
    (once) and the others read no call (raw fields and tags beside it)."""
    if call.name not in ("top", "bottom"):
        return False
    holding = [i for i in items if call in i.expression.walk()]
    if len(holding) != 1 or holding[0].expression == call:
        return False
    return sum(1 for node in holding[0].expression.walk() if node == call) == 1
