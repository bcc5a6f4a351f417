"""Functions of many rows: TOP, BOTTOM, DISTINCT and SAMPLE (the
transformations are in ``transforms``)."""

from __future__ import annotations

from collections.abc import Sequence

from influxpy.compilers.duckdb.aliases import (
    PICKED,
    RANDOM,
    ROW_ORDER,
    SEEN,
    WINDOW_START,
    aux_column,
    group_column,
    output_column,
    tag_column,
    tag_key_column,
)
from influxpy.compilers.duckdb.catalog import has_key
from influxpy.compilers.duckdb.context import (
    _column_sql,
    _CompilerBase,
    _Context,
    _engine,
    _output_names,
    _range_sql,
)
from influxpy.compilers.duckdb.reduce_stop import cut_rows, stops
from influxpy.compilers.duckdb.top_bound import best_bound
from influxpy.compilers.influxql import InfluxQLCompiler
from influxpy.exceptions import ProgrammingError
from influxpy.expressions import Col, Expression
from influxpy.functions import Func
from influxpy.influxql.canonical import canonical_text
from influxpy.query import SelectItem

#: The functions of many rows the server answers next to other columns.
_WITH_COLUMNS = frozenset({"top", "bottom", "sample"})


class MultiRowMixin(_CompilerBase):
    """Functions that read or return many rows of a series."""

    def _multi_row_with_columns(
        self, ctx: _Context, items: list[SelectItem], names: list[str]
    ) -> tuple[str, list[str], list[str | None]] | None:
        """TOP, BOTTOM or SAMPLE next to fields, tags and arithmetic of them.

        The server keeps the other columns of each point it selects (its
        auxiliary fields), so every other column is read from the selected
        point: ``SELECT top(v, 2), host, v - n`` gives the host and the
        difference of the two points with the largest ``v``.
        """
        position = next(
            i
            for i, item in enumerate(items)
            if isinstance(item.expression, Func)
            and item.expression.name in self._MULTI_ROW
        )
        func = items[position].expression
        assert isinstance(func, Func)
        # The server names the tag columns of TOP/BOTTOM(x, tag…, N) as
        # columns right after the call: a repeated name takes a suffix.
        tags = func.params[:-1] if _engine(func.name) == "top_bottom" else ()
        expanded = [
            *items[: position + 1],
            *(SelectItem(tag) for tag in tags if isinstance(tag, Col)),
            *items[position + 1 :],
        ]
        names = _output_names(expanded)
        others = [
            (index, *self._row_expr(item.expression, ctx.columns))
            for index, item in enumerate(items)
            if index != position
        ]
        return self._multi_row_query(ctx, func, names, position, others)

    def _is_multi_row_with_columns(self, items: list[SelectItem]) -> bool:
        """Whether *items* are one TOP, BOTTOM or SAMPLE and columns of the
        selected points (no other call)."""
        calls = [i.expression for i in items if self._has_call(i.expression)]
        return (
            len(items) > 1
            and len(calls) == 1
            and isinstance(calls[0], Func)
            and calls[0].name in _WITH_COLUMNS
        )

    def _multi_row_query(
        self,
        ctx: _Context,
        func: Func,
        names: list[str],
        position: int = 0,
        others: Sequence[tuple[int, str, str | None]] = (),
        *,
        over: Expression | None = None,
    ) -> tuple[str, list[str], list[str | None]] | None:
        """The rows of TOP, BOTTOM, SAMPLE or DISTINCT (select-list item
        *position*), with *others* (item index, SQL over the stored row,
        kind) read from each selected point; with *others*, *names* already
        name the tag columns of TOP/BOTTOM(x, tag…, N). *over* is
        arithmetic or math of the DISTINCT call (``distinct(v) + 1``),
        computed on each of its values."""
        source = func.source
        if not isinstance(source, Col) and func.name in ("distinct", "sample"):
            msg = f"expected field argument in {func.name}()"
            raise ProgrammingError(msg)
        if not isinstance(source, Col):
            found = canonical_text(InfluxQLCompiler().visit(source))
            msg = (
                f"expected first argument to be a field in {func.name}(), found {found}"
            )
            raise ProgrammingError(msg)
        if not has_key(ctx.columns, source.key):
            return None
        x, kind = _column_sql(source, ctx.columns)
        if kind == "tag" and not ctx.subquery:
            # influxd's iterators read fields only: a tag has no points.
            return None
        g = ctx.group_columns
        col0 = output_column(position)
        query = ctx.query
        gbt = query.group_by_time
        low, high = ctx.bounds.lower, ctx.bounds.upper
        if gbt is not None:
            window = self._window_sql(ctx, low)
            if high is None:
                high = self.now_ns
        else:
            window = "0"
        selected = ", ".join(
            [*(f"{gs} AS {group_column(i)}" for i, gs in enumerate(ctx.groups)), "time"]
        )
        engine = _engine(func.name)
        tags = func.params[:-1] if engine == "top_bottom" else ()
        # The tag values TOP/BOTTOM(x, tag…, N) picks by ('' when absent,
        # stored or a subquery's null), and as each point shows them.
        for i, tag in enumerate(tags):
            stored = _column_sql(tag, ctx.columns)[0]
            shown = self._row_expr(tag, ctx.columns)[0]
            selected += f", {shown} AS {tag_column(i)}"
            selected += f", COALESCE({stored}, '') AS {tag_key_column(i)}"
        for j, (_index, sql, _kind) in enumerate(others):
            selected += f", {sql} AS {aux_column(j)}"
        # The other columns go to their select-list places, after the tags
        # TOP/BOTTOM(x, tag…, N) adds next to its own column.
        shift = len(tags)
        places = [index + (shift if index > position else 0) for index, *_ in others]
        carried = [
            f"{aux_column(j)} AS {output_column(place)}"
            for j, place in enumerate(places)
        ]
        all_names = names
        if not others:
            all_names = [*names[: position + 1], *(t.key for t in tags)]
            all_names += names[position + 1 :]
        kinds: list[str | None] = [*([None] * position), kind, *(["string"] * shift)]
        kinds += [None] * (len(all_names) - len(kinds))
        for place, (_index, _sql, other_kind) in zip(places, others, strict=True):
            kinds[place] = other_kind
        matched = f"{ctx.where} AND {_range_sql(low, high)} AND {x} IS NOT NULL"
        base = (
            f"SELECT {selected}, {x} AS x, {window} AS w FROM {ctx.table} "
            f"WHERE {matched}"
        )
        if stops(ctx, low, high):
            # Of a subquery's rows, up to the first outside the range.
            cut = cut_rows(ctx, f"{selected}, {x} AS x, {window} AS w", low, high)
            base = f"SELECT * FROM ({cut}) WHERE x IS NOT NULL"
        if gbt is not None and query.timezone is not None:
            points = base.replace(f", {window} AS w FROM ", " FROM ", 1)
            base = (
                f"SELECT *, {WINDOW_START} AS w FROM {self._tz_assigned(ctx, points)}"
            )
        partition = ", ".join([*g, "w"])
        direction = ctx.direction
        if engine == "sample":
            # N points of each window picked at random, reported by time;
            # ORDER BY time DESC reverses only the windows, as on the server.
            n = int(func.params[0])
            pick = f"row_number() OVER (PARTITION BY {partition} ORDER BY {RANDOM})"
            body = (
                f"SELECT {', '.join([*g, 'time', 'w', f'x AS {col0}', *carried])} "
                f"FROM (SELECT *, random() AS {RANDOM} FROM ({base})) "
                f"QUALIFY {pick} <= {n}"
            )
            order = [f"w {direction}", "time ASC"]
            return self._finish_picks(ctx, body, all_names, order), all_names, kinds
        if engine == "top_bottom" and len(func.params) > 1:
            sql = self._top_by_tags(ctx, func, all_names, base, position, places)
            return sql, all_names, kinds
        if engine == "top_bottom":
            n = int(func.params[0])
            if query.limit is not None and query.limit < n:
                msg = (
                    f"limit ({n}) in {func.name} function can not be larger than "
                    f"the LIMIT ({query.limit}) in the select statement"
                )
                raise ProgrammingError(msg)
            best = "DESC" if func.name == "top" else "ASC"
            # The n best points by value, ties to the earliest time: one
            # top-n pass over the rows (no window sorting every row). Its
            # one window and the value's copy are added to the n rows only:
            # each column the pass carries costs it a copy per row.
            if not g and gbt is None:
                bounded = None
                if not stops(ctx, low, high):
                    bounded = best_bound(
                        f"bound{len(self._bindings)}_best",
                        x,
                        kind,
                        n,
                        top=func.name == "top",
                        table=ctx.table,
                        where=matched,
                    )
                if bounded is not None:
                    # Only the rows a sample says may be picked leave the
                    # table's scan (top_bound.py).
                    condition, binding = bounded
                    self._bind(binding)
                    base = f"{base} AND {condition}"
                picked = f"SELECT * FROM ({base}) ORDER BY x {best}, time ASC"
                columns = ["time", "0 AS w", "x", f"x AS {col0}", *carried]
                body = f"SELECT {', '.join(columns)} FROM ({picked} LIMIT {n})"
            else:
                top = func.name == "top"
                key = f"struct_pack(k0 := x, k1 := {'-time' if top else 'time'})"
                fields = ["t := time", "v := x"]
                fields += [f"a{j} := {aux_column(j)}" for j in range(len(others))]
                point = f"struct_pack({', '.join(fields)})"
                picked = f"{'max_by' if top else 'min_by'}({point}, {key}, {n})"
                best_rows = (
                    f"SELECT {partition}, unnest({picked}) AS {PICKED} "
                    f"FROM ({base}) GROUP BY {partition}"
                )
                extra = "".join(
                    f", {PICKED}.a{j} AS {output_column(place)}"
                    for j, place in enumerate(places)
                )
                body = (
                    f"SELECT {', '.join(g)}{', ' if g else ''}{PICKED}.t AS time, "
                    f"w, {PICKED}.v AS x, {PICKED}.v AS {col0}{extra} "
                    f"FROM ({best_rows})"
                )
            if over is not None:
                # Arithmetic or math of the call, on each picked value.
                sql, result = self._scalar(over, lambda _call: ("x", kind))
                kinds[position] = result
                body = f"SELECT * REPLACE ({sql} AS {col0}) FROM ({body})"
            order = [f"w {direction}", "time ASC", f"x {best}"]
        else:
            assert not others, "DISTINCT takes no other columns"
            seen = "max(time)" if query.descending else "min(time)"
            stamp = "w" if gbt is not None else str(low if low is not None else 0)
            if gbt is not None and query.timezone is not None:
                # Reported in the window of the value's first point, which
                # can differ from the window it was gathered in.
                stamp = self._window_sql(ctx).replace("(time,", f"({SEEN},", 1)
            firsts = (
                f"SELECT {', '.join([*g, 'w', 'x', f'{seen} AS {SEEN}'])} "
                f"FROM ({base}) GROUP BY {', '.join([*g, 'w', 'x'])}"
            )
            value = f"x, x AS {col0}"
            if over is not None:
                read = ("x", kind)
                sql, result = self._scalar(over, lambda _call: read)
                kinds[position] = result
                value = f"x, {sql} AS {col0}"
            body = (
                f"SELECT {', '.join([*g, f'{stamp} AS time', 'w', SEEN])}, "
                f"{value} FROM ({firsts})"
            )
            order = [f"w {direction}", f"{SEEN} ASC", "x ASC"]
        return self._finish_picks(ctx, body, all_names, order), all_names, kinds

    def _finish_picks(
        self, ctx: _Context, body: str, names: list[str], order: list[str]
    ) -> str:
        """The rows of *body* (a multi-row call's, with its window ``w``) in
        *order*: by window, then as the call emits one window's rows.

        A subquery's rows keep their window and their rank within it
        (``WINDOW_START``, ``ROW_ORDER``): the query reading them orders by
        window, then series, then that rank, as the server's iterator emits
        them (a DISTINCT's values by the time each was seen, which no column
        of the answer shows).
        """
        if not ctx.inner:
            return self._finish(ctx, body, names, order=order, limit_order=order)
        partition = ", ".join([*ctx.group_columns, "w"])
        within = ", ".join(order[1:])
        rank = f"row_number() OVER (PARTITION BY {partition} ORDER BY {within})"
        ranked = f"SELECT *, w AS {WINDOW_START}, {rank} AS {ROW_ORDER} FROM ({body})"
        sql = self._finish(
            ctx,
            ranked,
            names,
            order=order,
            limit_order=order,
            keep=(WINDOW_START, ROW_ORDER),
        )
        self._ordered_rows.add(sql)
        return sql

    def _top_by_tags(
        self,
        ctx: _Context,
        func: Func,
        all_names: list[str],
        base: str,
        position: int,
        places: list[int],
    ) -> str:
        """TOP/BOTTOM(x, tag…, N): the best point of each tag value, then
        the N best of those, each with its tag values (null when absent).

        Ties go to the earliest point, rows come out by time within each
        window, and ORDER BY time DESC reverses only the windows, as on the
        server.
        """
        *tags, count = func.params
        n = int(count)
        query = ctx.query
        if query.limit is not None and query.limit < n:
            msg = (
                f"limit ({n}) in {func.name} function can not be larger than "
                f"the LIMIT ({query.limit}) in the select statement"
            )
            raise ProgrammingError(msg)
        top = func.name == "top"
        pick = "max_by" if top else "min_by"
        g = ctx.group_columns
        partition = ", ".join([*g, "w"])
        keys = [tag_column(i) for i in range(len(tags))]
        by = [tag_key_column(i) for i in range(len(tags))]
        aux = [aux_column(j) for j in range(len(places))]
        col0 = output_column(position)
        point = ", ".join(
            ["t := time", "v := x", *(f"{k} := {k}" for k in [*keys, *aux])]
        )
        order_key = f"struct_pack(a := x, b := {'-time' if top else 'time'})"
        per_tag = (
            f"SELECT {partition}, {pick}(struct_pack({point}), {order_key}) AS p "
            f"FROM ({base}) GROUP BY {', '.join([partition, *by])}"
        )
        best_key = f"struct_pack(a := p.v, b := {'-p.t' if top else 'p.t'})"
        best = (
            f"SELECT {partition}, unnest({pick}(p, {best_key}, {n})) AS q "
            f"FROM ({per_tag}) GROUP BY {partition}"
        )
        outputs = [
            *g,
            "q.t AS time",
            "w",
            f"q.v AS {col0}",
            *(
                f"q.{k} AS {output_column(position + i + 1)}"
                for i, k in enumerate(keys)
            ),
            *(
                f"q.{a} AS {output_column(place)}"
                for a, place in zip(aux, places, strict=True)
            ),
        ]
        body = f"SELECT {', '.join(outputs)} FROM ({best})"
        direction = "DESC" if top else "ASC"
        order = [f"w {ctx.direction}", "time ASC", f"{col0} {direction}"]
        return self._finish_picks(ctx, body, all_names, order)


def picked_tag_names(
    items: Sequence[SelectItem], names: list[str]
) -> tuple[list[str], set[str]]:
    """A subquery's column *names* (one per output column) where its select
    list holds TOP/BOTTOM(x, tag…, N), and the names the outer query's
    wildcards leave out.

    The server names a subquery's columns after its select list: the tag
    columns TOP/BOTTOM adds after its own are read when the outer query
    names them, but ``*``, ``/re/`` and ``count(*)`` outside do not list
    them, unless the select list names the tag itself (the same value).
    """
    spelled: list[str] = []
    tags: set[str] = set()
    for item in items:
        spelled.append(item.output_name or "expr")
        expression = item.expression
        if (
            isinstance(expression, Func)
            and _engine(expression.name) == "top_bottom"
            and len(expression.params) > 1
        ):
            keys = [p.key for p in expression.params[:-1] if isinstance(p, Col)]
            spelled += keys
            tags.update(keys)
    if not tags or len(spelled) != len(names):
        return names, set()
    return spelled, tags - {item.output_name for item in items}
