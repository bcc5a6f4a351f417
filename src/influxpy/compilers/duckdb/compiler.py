"""The DuckDB compiler: the same ``Query`` as InfluxQL, with InfluxDB's answers.

It writes SQL that reproduces how InfluxDB 1.x evaluates a SELECT (the
reference's §6, checked against the server's source and a live 1.6.7):

- A raw query returns the rows where at least one selected field has a
  value, LIMIT/OFFSET counted per series.
- Every function call of the select list is evaluated on its own, as the
  server builds one iterator per call: its windows are aligned to the epoch
  plus the offset and reported by their start; with ``fill()`` each call
  covers every window from the lower bound (or the series' first window of
  that call) to the upper bound (``now()`` when absent), COUNT filling 0;
  LIMIT/OFFSET apply to each call. The calls are then joined on (series,
  time) as the server's cursor does: a call without a row at that time takes
  the fill value (or the previous value, for ``fill(previous)``).
- A lone selector without windows reports the selected point's time; other
  aggregates report the lower bound, or the epoch without one.
- Transformations run over the call's rows in output order (so ORDER BY
  time DESC changes their sign), skipping nulls; of an aggregate, they also
  read the window before the range, as the server does.
- TOP/BOTTOM report each point's own time, DISTINCT the first appearance
  order, SAMPLE N random points of each window by time; median,
  nearest-rank percentile, the sample standard deviation (NaN for one
  value, which fills carry as a value), MODE's tie rule.
- Series are ordered by their tag values; SLIMIT/SOFFSET pick tag sets in
  ascending order among the series whose tags can match, as the index does.
- A subquery is compiled first, with the outer query's options merged in as
  the server merges them, and read as a table of tags and fields.
- ``tz()`` windows follow local time as the server's ``Window``, reduce and
  fill iterators step through changes of offset; INTEGRAL over windows,
  the technical-analysis functions and HOLT_WINTERS run the server's
  algorithms step by step in Python functions registered on the connection.
- INTO compiles to the rows to write; the backend writes them.

The output of every statement is rows of ``(group tag values…, time,
columns…)`` ordered by series then time; ``Compiled.plan`` (``plan.py``)
names the group keys and the columns so the backend can cut the rows into
series. Values from the query are bound as parameters, never inlined;
numbers the compiler derives (window bounds, intervals) are written as
integer literals.

Anything it cannot express raises ``UnsupportedCompilation`` naming the
feature.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from influxpy.compilers.base import Compiled
from influxpy.compilers.duckdb.aliases import (
    ROW_ORDER,
    TIE,
    WINDOW_START,
    group_column,
    output_column,
    tie_columns,
)
from influxpy.compilers.duckdb.beside import BesideMixin
from influxpy.compilers.duckdb.call_checks import (
    refuse_unsigned,
    refuse_wildcard_arithmetic,
)
from influxpy.compilers.duckdb.calls import CallsMixin
from influxpy.compilers.duckdb.catalog import (
    ColumnInfo,
    has_key,
)
from influxpy.compilers.duckdb.conditions import ConditionsMixin
from influxpy.compilers.duckdb.context import (
    _Bounds,
    _column_sql,
    _CompilerBase,
    _Context,
    _limit_filters,
    _output_names,
    _range_sql,
    _reads_value,
    _Selected,
    intersect,
)
from influxpy.compilers.duckdb.merged import (
    SUBQUERY_ROW,
    reads_subquery,
)
from influxpy.compilers.duckdb.multirow import MultiRowMixin
from influxpy.compilers.duckdb.nans import null_nan
from influxpy.compilers.duckdb.plan import (
    DeletePlan,
    EmptyPlan,
    IntoPlan,
    SelectPlan,
)
from influxpy.compilers.duckdb.raw_limits import limit_bound
from influxpy.compilers.duckdb.raw_streams import raw_stream, unreplayed_stream
from influxpy.compilers.duckdb.scalars import ScalarsMixin
from influxpy.compilers.duckdb.select_columns import (
    key_of,
    names_a_key,
    reads_a_column,
    reads_tag,
    tags_beside_calls,
)
from influxpy.compilers.duckdb.series_limits import SeriesLimitsMixin
from influxpy.compilers.duckdb.stream import Finish
from influxpy.compilers.duckdb.subqueries import SubqueriesMixin
from influxpy.compilers.duckdb.ties import handed_order, heap_order, raw_tie
from influxpy.compilers.duckdb.transforms import TransformsMixin
from influxpy.compilers.duckdb.windows import WindowsMixin
from influxpy.expressions import (
    Col,
    ColumnPattern,
    F,
    Star,
)
from influxpy.functions import Func
from influxpy.query import Delete, Fill, GroupByTime, Query, SelectItem, Source

__all__ = ["DuckDBCompiler"]


class DuckDBCompiler(
    BesideMixin,
    CallsMixin,
    MultiRowMixin,
    TransformsMixin,
    WindowsMixin,
    SubqueriesMixin,
    SeriesLimitsMixin,
    ScalarsMixin,
    ConditionsMixin,
    _CompilerBase,
):
    """Compile queries to DuckDB SQL with InfluxDB 1.x semantics."""

    #: Run on each query before it compiles: the backend's checks of what
    #: influxd refuses before it reads a point (argument and operand types):
    #: raises for those; True when the query reads nothing at all.
    check: Callable[[Query], bool] | None = None

    # -- entry points ------------------------------------------------------

    def compile(self, node: Any) -> Compiled:
        """Compile a ``Query`` or ``Delete``."""
        if isinstance(node, Delete):
            return self._compile_delete(node)
        if not isinstance(node, Query):
            self.visit_unsupported(node)
        refuse_unsigned(node, self.catalog.tables)
        if self.check is not None and self.check(node):
            return Compiled("", plan=EmptyPlan())
        prepared = self._prepare(node)
        if isinstance(prepared, list):
            return self._compile_parts(node, prepared)
        return self._compile_query(prepared)

    # -- DELETE --------------------------------------------------------------

    def _compile_delete(self, delete: Delete) -> Compiled:
        found = self._table(delete.source)
        if found is None:
            return Compiled("", plan=EmptyPlan())
        table, columns = found
        where = "TRUE"
        if delete.where is not None:
            where = self._where(delete.where, columns, with_time=True)
        text = f"DELETE FROM {table} WHERE {where}"
        return Compiled(text, dict(self.params), writes=True, plan=DeletePlan())

    # -- SELECT --------------------------------------------------------------

    def _compile_query(self, query: Query) -> Compiled:
        if query.into is not None:
            target = query.into
            if not target.measurement:
                # INTO :MEASUREMENT writes to the measurement read.
                target = dataclasses.replace(target, measurement=_measurement_of(query))
            return self._compile_into(query, target)
        self._top_query = query
        selected = self._select(query)
        if selected is None:
            return Compiled("", plan=EmptyPlan())
        sql = selected.sql
        plan = SelectPlan(
            measurement=_measurement_of(query),
            group_keys=tuple(selected.group_keys),
            columns=tuple(selected.names),
            stream=self._streams.get(sql),
            heap=self._heaps.get(sql),
            bindings=self._bindings_of(sql),
        )
        if plan.heap is not None and sql in self._unreplayed and not plan.bindings:
            lacking, ordered = self._unreplayed[sql]
            unreplayed = dataclasses.replace(
                plan, stream=self._streams.get(ordered), heap=None
            )
            heap = dataclasses.replace(
                plan.heap,
                lacking=Compiled(lacking, self._used_params(lacking)),
                unreplayed=Compiled(
                    ordered, self._used_params(ordered), plan=unreplayed
                ),
            )
            plan = dataclasses.replace(plan, heap=heap)
        return Compiled(sql, self._used_params(sql), plan=plan)

    def _compile_into(self, query: Query, target: Source) -> Compiled:
        """``SELECT … INTO``: the rows to write, and where to write them.

        The backend writes each row with a value as a point of *target*:
        the group tags as its tags, the columns with a value as fields.
        Writing through INTO, the server leaves empty windows out even for
        COUNT (its default fill of 0 does not apply), so ``fill(null)``
        is ``fill(none)`` here.
        """
        if query.group_by_time is not None and (
            query.fill is None or query.fill.mode == "null"
        ):
            query = dataclasses.replace(query, fill=Fill("none"))
        selected = self._select(dataclasses.replace(query, into=None))
        plan = IntoPlan(target.measurement, target.database, target.retention_policy)
        if selected is None:
            return Compiled("", writes=True, plan=plan)
        plan = dataclasses.replace(
            plan,
            group_keys=tuple(selected.group_keys),
            columns=tuple(selected.names),
            kinds=tuple(selected.kinds),
            tag_columns=_top_tags(query, selected.names),
            bindings=self._bindings_of(selected.sql),
        )
        sql = selected.sql
        return Compiled(sql, self._used_params(sql), writes=True, plan=plan)

    def _select(
        self,
        query: Query,
        limits: _Bounds | None = None,
        interval: GroupByTime | None = None,
    ) -> _Selected | None:
        """The SQL of one SELECT, or None when it reads nothing.

        *limits* is the time range an outer query imposes on a subquery,
        *interval* the windows it hands down (``_subquery_table``).
        """
        subquery = isinstance(query.source, Query)
        if subquery:
            found = self._subquery_table(query, limits, interval)
            if found is not None:
                query = self._read_over(query, found[1])
        else:
            assert isinstance(query.source, Source)
            found = self._table(query.source)
        if found is None:
            return None
        table, columns = found
        tag_keys = sorted(k for k, c in columns.items() if c.role == "tag")
        star = "*" in query.group_by
        group_keys = tag_keys if star else sorted(set(query.group_by))
        groups = [_column_sql(Col(k, "tag"), columns)[0] for k in group_keys]
        where = "TRUE"
        if query.where is not None:
            missing = frozenset(self._typeless.get(table, ())) if subquery else None
            where = self._where(
                query.where, columns, rows=subquery, missing=missing or frozenset()
            )
        bounds = self._bounds(query.where)
        if limits is not None:
            bounds = intersect(bounds, limits)
        ctx = _Context(
            query=query,
            table=table,
            columns=columns,
            group_keys=group_keys,
            groups=groups,
            where=where,
            bounds=bounds,
            subquery=subquery,
            inner=limits is not None,
            inherited=interval is not None and query.group_by_time is None,
            dimensions=None if limits is None else limits.dimensions,
        )
        if limits is not None:
            self._inner_selects.append(ctx)
        self._slice_by_shard(ctx)
        ctx.shard_parts = self._spans_shards(ctx)
        items = self._expand_stars(list(query.select), columns)
        calls = any(self._has_call(item.expression) for item in items)
        if calls:
            found_sql = self._call_query(ctx, items)
        else:
            found_sql = self._raw_query(ctx, items)
        if found_sql is None:
            return None
        sql, names, kinds = found_sql
        if calls:
            tags = tags_beside_calls(items, ctx)
        else:
            tags = self._tag_outputs.get(sql, frozenset())
        return _Selected(sql, names, kinds, group_keys, tags)

    def _expand_stars(
        self, items: list[SelectItem], columns: Mapping[str, ColumnInfo]
    ) -> list[SelectItem]:
        """``count(*)`` -> one call per field, named ``count_<field>``;
        ``derivative(max(*))`` -> ``derivative(max(<field>))`` per field,
        named ``derivative_<field>`` (of ``/re/``: per field it matches), as
        influxd rewrites them."""
        out: list[SelectItem] = []
        for item in items:
            expr = item.expression
            if not any(isinstance(n, Star | ColumnPattern) for n in expr.walk()):
                out.append(item)
                continue
            refuse_wildcard_arithmetic(expr)
            if not isinstance(expr, Func):
                raise self._unsupported("* inside an expression")
            inner = expr.source
            calls: list[Func] = [expr]
            if isinstance(inner, Func):
                calls.append(inner)
                inner = inner.source
            if not isinstance(inner, Star | ColumnPattern):
                raise self._unsupported("* inside an expression")
            pattern = inner.pattern if isinstance(inner, ColumnPattern) else ""
            prefix = item.alias or expr.name.lower()
            for key, kind in sorted(
                (c.key, c.kind)
                for c in columns.values()
                if c.role == "field"
                and c.listed
                and not c.tagged
                and re.search(pattern, c.key)
            ):
                # The fields the innermost call takes (``abs(count(*))``
                # counts text too, as on the server).
                call = calls[-1]
                if (
                    call.numeric
                    and kind not in self._NUMERIC
                    and not call._takes_type(kind)
                ):
                    continue
                made = calls[-1]._copy(Col(key, "field", kind, key))
                if len(calls) == 2:
                    made = expr._copy(made)
                out.append(SelectItem(made, f"{prefix}_{key}"))
        return out

    def _finish(
        self,
        ctx: _Context,
        body: str,
        names: list[str],
        *,
        order: list[str],
        limit_order: list[str] | None,
        keep: Sequence[str] = (),
    ) -> str:
        """Apply LIMIT/OFFSET per series (if *limit_order*), SLIMIT, ORDER BY;
        the columns *keep* of *body* stay beside the outputs."""
        finish = self._finish_parts(
            ctx, names, order=order, limit_order=limit_order, keep=keep
        )
        return finish.sql(body)

    def _finish_parts(
        self,
        ctx: _Context,
        names: list[str],
        *,
        order: list[str],
        limit_order: list[str] | None,
        keep: Sequence[str] = (),
    ) -> Finish:
        """The parts of ``_finish()`` around the rows it orders."""
        query = ctx.query
        g = ctx.group_columns
        direction = ctx.direction
        filters = []
        if limit_order is not None and (
            query.limit is not None or query.offset is not None
        ):
            filters.extend(_limit_filters(query, g, limit_order))
        values = [output_column(i) for i in range(len(names))]
        if not any(ctx is inner for inner in self._inner_selects):
            # The answer holds null where the statement computed NaN.
            values = [f"{null_nan(v)} AS {v}" for v in values]
        outputs = ", ".join([*g, "time", *values, *keep])
        qualify = f" QUALIFY {' AND '.join(filters)}" if filters else ""
        series = self._series_filter(ctx)
        where = ""
        if series is not None:
            match = " AND ".join(f"r.{c} = series.{c}" for c in g) or "TRUE"
            where = f" WHERE EXISTS (SELECT 1 FROM ({series}) series WHERE {match})"
        terms = ", ".join([*(f"{c} {direction}" for c in g), *order])
        return Finish(outputs, where, qualify, terms)

    # -- raw queries -----------------------------------------------------------

    def _raw_query(
        self, ctx: _Context, items: list[SelectItem]
    ) -> tuple[str, list[str], list[str | None]] | None:
        star = not items
        if not items:
            infos = sorted(
                (c.key, c.role == "tag", c)
                for k, c in ctx.columns.items()
                if c.listed and (c.role == "field" or k not in ctx.group_keys)
            )
            items = [SelectItem(Col(k, c.role, c.kind)) for k, _tag, c in infos]
            # A subquery's columns of fields that exist nowhere: null.
            missing = self._typeless.get(ctx.table, ())
            typeless = [SelectItem(Col(k, "unknown")) for k in missing]
            if typeless:
                items = sorted([*items, *typeless], key=key_of)
        names = _output_names(items)
        typed = [self._row_expr(i.expression, ctx.columns) for i in items]
        exprs = [sql for sql, _kind in typed]
        # The values a row must hold one of: a tag a subquery's column
        # names beside a measurement is no value there (``host`` of
        # ``(SELECT host FROM cpu), mem`` reads no field of mem).
        referenced = sorted(
            {
                _column_sql(c, ctx.columns)[0]
                for i in items
                for c in i.expression.walk()
                if _reads_value(c, ctx.columns) and has_key(ctx.columns, c.key)
            }
        )
        # Beside other sources, a key one of them types is read as a null
        # of that type where a subquery lacks it (``beside``).
        known = not ctx.inner and names_a_key(items, self._typed_keys)
        beside = reads_subquery(ctx.table) and known
        if (
            not referenced
            and not beside
            and not (
                ctx.subquery
                and ((star and items) or reads_a_column(items, ctx) or known)
            )
        ):
            # Only tags of a measurement: no rows. Of a subquery, every row
            # comes out (its tags are columns the server reads; ``*`` lists
            # even columns without a type).
            return None
        present = " OR ".join(
            [*(f"{r} IS NOT NULL" for r in referenced), *([SUBQUERY_ROW] * beside)]
        )
        if ctx.subquery:
            # Every row of a subquery comes out, even with null values.
            present = "TRUE"
        tie = raw_tie(ctx, items)
        heap = heap_order(ctx, tie, top=ctx.query is self._top_query)
        selected = ", ".join(
            [
                *(f"{g} AS {group_column(i)}" for i, g in enumerate(ctx.groups)),
                "time",
                f"{tie.sql} AS {TIE}",
                *(f"{e} AS {output_column(i)}" for i, e in enumerate(exprs)),
                # The order of a subquery's multi-row call (``multirow``).
                *(
                    (WINDOW_START, ROW_ORDER)
                    if ctx.table in self._ordered_tables
                    else ()
                ),
            ]
        )
        # A subquery's rows are already inside the range; those of windows
        # starting before it are kept, as the server keeps them.
        bounds = (
            "TRUE" if ctx.subquery else _range_sql(ctx.bounds.lower, ctx.bounds.upper)
        )
        where = f"{ctx.where} AND {bounds} AND ({present})"
        body = f"SELECT {selected} FROM {ctx.table} WHERE {where}"
        # The rows LIMIT and OFFSET can take; the heap's own statements
        # read all of them (``StreamPlan.heap_body``).
        bound = limit_bound(ctx, where, top=ctx.query is self._top_query)
        heap_body = body if heap is not None and bound else None
        body += bound
        by_time = [f"time {ctx.direction}", f"{TIE} {ctx.direction}"]
        order = self._subquery_raw_order(ctx, by_time)
        finish = self._finish_parts(
            ctx,
            names,
            order=order,
            # In heap order the backend counts LIMIT and OFFSET itself.
            limit_order=None if heap else order,
            keep=tie_columns(tie.texts) if heap else (),
        )
        if ctx.inner:
            # The rows carry their order (their subquery's, or their stored
            # series' by time): the query reading them reads them in it, as
            # influxd passes a subquery's cursor through a raw select
            # unsorted, whatever that select groups by.
            terms = handed_order(ctx, order)
            ranked = f"row_number() OVER (ORDER BY {terms}) AS {ROW_ORDER}"
            outputs = f"{finish.outputs}, {ranked}, 0 AS {WINDOW_START}"
            finish = dataclasses.replace(finish, outputs=outputs)
        sql = finish.sql(body)
        if ctx.inner:
            self._handed_rows.add(sql)
        plain: tuple[str, Finish] | None = None
        if heap is not None:
            self._heaps[sql] = heap
            if tie.lacking:
                # Where no row lacks a text, the statement of rows ordered
                # by their texts, LIMIT and OFFSET counted by the SQL.
                ordered = self._finish_parts(ctx, names, order=order, limit_order=order)
                plain = (ordered.sql(body), ordered)
                lacking = " OR ".join(
                    f"EXISTS (SELECT 1 FROM {ctx.table} WHERE {where} AND {missing})"
                    for missing in tie.lacking
                )
                self._unreplayed[sql] = (f"SELECT {lacking}", plain[0])
        if not ctx.subquery and not reads_subquery(ctx.table):
            # The backend may run it in slices of the output order.
            stream = raw_stream(
                ctx,
                finish=finish,
                body=body,
                where=where,
                heap=heap,
                tie=tie,
                kinds=[k for _s, k in typed],
                heap_body=heap_body,
            )
            self._streams[sql] = stream
            if plain is not None:
                self._streams[plain[0]] = unreplayed_stream(ctx, stream, plain[1])
        self._tag_outputs[sql] = frozenset(
            i for i, item in enumerate(items) if reads_tag(item.expression, ctx)
        )
        return sql, names, [kind for _sql, kind in typed]


def _measurement_of(query: Query) -> str:
    """The measurement a query reads, through any subqueries."""
    source = query.source
    while isinstance(source, Query):
        source = source.source
    return source.measurement


def _top_tags(query: Query, names: list[str]) -> tuple[str, ...]:
    """The columns of the tags TOP or BOTTOM name: INTO writes them as tags,
    as influxd does (a field named there gives no column)."""
    keys = {
        param.key if isinstance(param, Col) else param.name
        for item in query.select
        if isinstance(item.expression, Func)
        and item.expression.name in ("top", "bottom")
        for param in item.expression.params[:-1]
        if isinstance(param, Col | F)
    }
    return tuple(name for name in names if name in keys)
