"""A select list of function calls: each call on its own, joined on
(series, time) as the server's cursor joins them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from influxpy.compilers.duckdb.aliases import (
    HEAP,
    ORDINAL,
    READ,
    aux_column,
    call_column,
    call_join,
    call_rows,
    group_code_column,
    group_column,
    output_column,
)
from influxpy.compilers.duckdb.call_casts import cast_calls
from influxpy.compilers.duckdb.call_checks import CallChecksMixin
from influxpy.compilers.duckdb.catalog import (
    ColumnInfo,
    code_column,
    has_key,
    ident,
)
from influxpy.compilers.duckdb.context import (
    _column_sql,
    _Context,
    _field_exists,
    _fill_previous,
    _limit_filters,
    _ordinal,
    _output_names,
    _range_sql,
    _reads_value,
    _Relation,
    innermost_transform,
)
from influxpy.compilers.duckdb.edge_picks import heap_texts
from influxpy.compilers.duckdb.folds import order_columns
from influxpy.compilers.duckdb.merged import reads_stored
from influxpy.compilers.duckdb.picks import (
    PicksMixin,
    _once_over_each_pick,
    _over_picks_beside,
)
from influxpy.compilers.duckdb.point_order import heap_places
from influxpy.compilers.duckdb.reduce_stop import read_rows
from influxpy.compilers.duckdb.scalars import literal_kind
from influxpy.compilers.duckdb.through_calls import _runs_through_distinct
from influxpy.exceptions import ProgrammingError
from influxpy.expressions import VALUE_CASTS, Col
from influxpy.functions import Func
from influxpy.query import SelectItem


class CallsMixin(CallChecksMixin, PicksMixin):
    """The select list of function calls and the rows of each call."""

    def _call_query(
        self, ctx: _Context, items: list[SelectItem]
    ) -> tuple[str, list[str], list[str | None]] | None:
        names = _output_names(items)
        ctx, items = cast_calls(ctx, items, self.functions)
        if self._is_multi_row_with_columns(items):
            return self._multi_row_with_columns(ctx, items, names)
        calls: list[Func] = []
        aux: list[Col] = []
        for item in items:
            if isinstance(item.expression, Col):
                if item.expression not in aux:
                    aux.append(item.expression)
                continue
            for call in self._calls_of(item.expression):
                if call not in calls:
                    calls.append(call)
            # Raw fields in arithmetic with a selector: read from its point.
            for col in self._raw_of(item.expression):
                if col not in aux:
                    aux.append(col)
        if (
            len(items) == 1
            and not aux
            and len(calls) == 1
            and items[0].expression is calls[0]
            and _runs_through_distinct(calls[0])
        ):
            source = calls[0].source
            assert isinstance(source, Func)
            self._refuse_text_transform(ctx, calls[0].name, source)
            return self._through_distinct_query(ctx, calls[0], names)
        multi = [c for c in calls if c.name in self._MULTI_ROW]
        if multi:
            lone = len(items) == 1 and len(calls) == 1 and not aux
            over = items[0].expression
            if lone and over != multi[0] and _once_over_each_value(over, multi[0]):
                # Arithmetic or math of DISTINCT, or of TOP/BOTTOM without
                # tags: on each of its values.
                return self._multi_row_query(ctx, multi[0], names, over=over)
            if lone and over != multi[0] and _once_over_each_pick(over, multi[0]):
                return self._over_each_pick(ctx, multi[0], names, over)
            if len(calls) == 1 and aux and _over_picks_beside(items, multi[0]):
                return self._over_picks_with_columns(ctx, items, names, multi[0])
            # SAMPLE beside other calls, or in arithmetic (even of itself),
            # runs as any call: its points join the other calls' rows.
            beside = [m for m in multi if m.name != "sample"]
            if len(items) != 1 or items[0].expression is not multi[0]:
                self._refuse_combined(multi, calls, aux)
                if aux and len(calls) > 1:
                    msg = (
                        "mixing multiple selector functions with tags or fields "
                        "is not supported"
                    )
                    raise ProgrammingError(msg)
                if beside:
                    what = f"{multi[0].name}() with other columns"
                    raise self._unsupported(what)
            else:
                return self._multi_row_query(ctx, multi[0], names)
        selector = self._SELECTORS | {"sample"}
        if aux and len(calls) == 1 and calls[0].name not in selector:
            msg = "mixing aggregate and non-aggregate queries is not supported"
            raise ProgrammingError(msg)
        if aux and len(calls) != 1:
            msg = (
                "mixing multiple selector functions with tags or fields is not "
                "supported"
            )
            raise ProgrammingError(msg)
        for call in calls:
            self._check_call(ctx, call)
        query = ctx.query
        lone_selector = (
            query.group_by_time is None
            and len(calls) == 1
            and calls[0].name in self._SELECTORS
        )
        extra = [self._row_expr(col, ctx.columns) for col in aux]
        ctes = [f"base AS ({self._base(ctx, calls, [sql for sql, _ in extra])})"]
        relations = []
        shares = dataclasses.replace(
            ctx, shares=len(calls) > 1, beside_texts=heap_texts(ctx, aux, extra)
        )
        for index, call in enumerate(calls):
            relation = self._call_relation(
                shares, call, index, ctes, lone_selector, len(aux)
            )
            relations.append(relation)
        percentile = calls[0].name == "percentile" and not ctx.group_columns
        if _scanned_again(ctx) or (lone_selector and percentile):
            # Read by several calls (or three times for a percentile,
            # percentile.py): scanning the table again beats copying its
            # rows into a materialized CTE, which DuckDB makes of a CTE
            # read twice (10,000,000 points: the max and count of all, 4
            # ms against 15; a mean and max per 5 minutes and host, 0.16 s
            # against 0.26).
            ctes[0] = ctes[0].replace("base AS (", "base AS NOT MATERIALIZED (", 1)
        if all(r is None for r in relations):
            return None
        g = ctx.group_columns
        direction = ctx.direction
        limited = query.limit is not None or query.offset is not None
        merging = self._merges_descending(ctx, calls)
        through = any(_runs_through_distinct(call) for call in calls)
        numbered = (
            _ordinal(ctx)
            or merging
            or through
            or any(r is not None and r.numbered for r in relations)
        )
        sources: list[tuple[int, str]] = []
        cells: list[str] = []
        for index, (call, relation) in enumerate(zip(calls, relations, strict=True)):
            symbol = call_column(index)
            if relation is None:
                cells.append(self._missing_cell(ctx, call))
                continue
            name = relation.name
            if limited:
                order = self._stream_order(ctx, call)
                qualify = " AND ".join(_limit_filters(query, g, order))
                ctes.append(
                    f"{name}_limited AS (SELECT * FROM {name} QUALIFY {qualify})"
                )
                name = f"{name}_limited"
                if _runs_through_distinct(call):
                    # The cursor pairs the rows left of each time.
                    by = ", ".join([*g, "time"])
                    ctes.append(
                        f"{name}_r AS (SELECT * EXCLUDE ({ORDINAL}), row_number() "
                        f"OVER (PARTITION BY {by} ORDER BY {ORDINAL}) AS {ORDINAL} "
                        f"FROM {name})"
                    )
                    name = f"{name}_r"
            if (
                numbered
                and not _ordinal(ctx)
                and not _runs_through_distinct(call)
                and not relation.numbered
            ):
                # One row per time: the first of the time to pair.
                ctes.append(f"{name}_n AS (SELECT *, 1 AS {ORDINAL} FROM {name})")
                name = f"{name}_n"
            sources.append((index, name))
            if merging:
                symbol = self._merged_cell(ctx, symbol, relation, ORDINAL)
            elif through:
                read = f"time {direction}, {ORDINAL}"
                symbol = self._merged_cell(ctx, symbol, relation, read)
            elif len(calls) > 1:
                symbol = self._default_cell(ctx, symbol, relation)
            cells.append(symbol)
        keys = [*g, "time", *([ORDINAL] if numbered else [])]
        extra_names = [aux_column(j) for j in range(len(aux))]
        if merging:
            merged = self._merged_descending(ctx, calls, sources, extra_names)
        elif len(sources) == 1:
            index, name = sources[0]
            value = f"v AS {call_column(index)}"
            merged = f"SELECT {', '.join([*keys, value, *extra_names])} FROM {name}"
        else:
            union = " UNION ".join(
                f"SELECT {', '.join(keys)} FROM {name}" for _, name in sources
            )
            joins = "".join(
                f" LEFT JOIN (SELECT {', '.join([*keys, f'v AS {call_column(i)}'])} "
                f"FROM {name}) AS {call_join(i)} USING ({', '.join(keys)})"
                for i, name in sources
            )
            columns = [*keys, *(call_column(i) for i, _ in sources)]
            merged = f"SELECT {', '.join(columns)} FROM ({union}) AS keys{joins}"
        ctes.append(f"merged AS ({merged})")
        values = [f"{cell} AS {call_column(i)}" for i, cell in enumerate(cells)]
        values += [
            f"{self._aux_cell(ctx, aux_column(j), kind)} AS {aux_column(j)}"
            for j, (_sql, kind) in enumerate(extra)
        ]
        ctes.append(f"cells AS (SELECT {', '.join([*keys, *values])} FROM merged)")
        symbols: dict[Any, tuple[str, str | None]] = {
            call: (call_column(i), self._symbol_kind(ctx, call, relation))
            for i, (call, relation) in enumerate(zip(calls, relations, strict=True))
        }
        symbols.update(
            (col, (aux_column(j), self._aux_kind(ctx, kind)))
            for j, (col, (_sql, kind)) in enumerate(zip(aux, extra, strict=True))
        )
        outputs = []
        kinds: list[str | None] = []
        for index, item in enumerate(items):
            sql, kind = self._scalar(
                item.expression, lambda n: self._symbol(n, symbols)
            )
            outputs.append(f"{sql} AS {output_column(index)}")
            # A call of a field that does not exist has no type, unless
            # the function fixes it (COUNT, MEAN…): a subquery's column of
            # only such calls is absent for the outer query.
            used = (
                set()
                if isinstance(item.expression, Col)
                else set(self._calls_of(item.expression))
            )
            typed = [
                relation is not None or self._typed(call)
                for call, relation in zip(calls, relations, strict=True)
                if call in used
            ]
            kinds.append(kind if not typed or any(typed) else None)
        body = (
            f"WITH {', '.join(ctes)} SELECT {', '.join([*keys, *outputs])} FROM cells"
        )
        order = [] if merging else [f"time {direction}"]
        if numbered:
            order.append(f"{ORDINAL} ASC")
        if merging and ctx.inner:
            return self._merged_rows(ctx, body, names, order), names, kinds
        sql = self._finish(ctx, body, names, order=order, limit_order=None)
        return sql, names, kinds

    def _symbol_kind(
        self, ctx: _Context, call: Func, relation: _Relation | None
    ) -> str | None:
        if relation is not None:
            return relation.kind
        kind = self._call_kind(call, ctx.columns) or "float"
        return "string" if kind == "tag" else kind  # a tag's call reads text

    def _missing_cell(self, ctx: _Context, call: Func) -> str:
        """The cell of a call on a field that does not exist.

        The server still knows the type of COUNT, MEAN and the like, so
        their cells take the fill value; the others stay null.
        """
        fill = ctx.query.fill
        kind = self._call_kind(call, ctx.columns)
        if (
            self._typed(call)
            and fill is not None
            and fill.mode == "value"
            and ctx.query.group_by_time is not None
        ):
            if kind in ("string", "boolean", "tag"):
                # Typed by a cast or a tag only (``last(nope::string)``,
                # ``last(host)``): influxd fills the number as written.
                return self._param(fill.value)
            return self._fill_literal(fill.value, kind)
        if kind == "integer":
            return "CAST(NULL AS BIGINT)"
        if kind in ("string", "tag"):
            return "CAST(NULL AS VARCHAR)"
        if kind == "boolean":
            return "CAST(NULL AS BOOLEAN)"
        return "CAST(NULL AS DOUBLE)"

    def _typed(self, call: Func) -> bool:
        """Whether a call's type is known without its field (COUNT, MEAN…,
        a field cast to a type: ``last(nope::string)``, or a
        transformation of one)."""
        name = call.name
        if name in self._INTEGER_RESULT or name in self._FLOAT_RESULT:
            return True
        source = call.source
        if isinstance(source, Col):
            # A cast types the name; influxd types a tag too.
            return source.cast in VALUE_CASTS or source.role == "tag"
        return (
            name in self._TRANSFORMS
            and isinstance(source, Func)
            and (self._typed(source))
        )

    def _aux_kind(self, ctx: _Context, kind: str | None) -> str | None:
        """The type of a field's cell next to a selector, for arithmetic:
        a field the measurement never stored holds the ``fill()`` number
        (``_aux_cell``), which the server then adds as that number."""
        fill = ctx.query.fill
        if (
            kind is None
            and fill is not None
            and fill.mode == "value"
            and ctx.query.group_by_time is not None
        ):
            return literal_kind(fill.value)
        return kind

    def _aux_cell(self, ctx: _Context, name: str, kind: str | None) -> str:
        """A field next to a selector: the server's cursor fills it too.

        ``fill(previous)`` carries the last value seen in the series, a
        number replaces nulls in numeric fields. The server also writes the
        number into the empty cells of text and boolean fields; a column
        holds one type here, so they stay null
        (``test_quirk_number_fill_next_to_text_or_boolean_fields``).
        """
        fill = ctx.query.fill
        if fill is None or ctx.query.group_by_time is None:
            return name
        if fill.mode == "value":
            if kind is None:
                # A field the measurement never stored: every cell is empty,
                # and the server fills each with the number as given.
                return f"coalesce({name}, {self._param(fill.value)})"
            if kind not in self._NUMERIC:
                return name
            return f"coalesce({name}, {self._fill_literal(fill.value, kind)})"
        if fill.mode == "previous":
            return _fill_previous(ctx, name)
        return name

    def _base(self, ctx: _Context, calls: list[Func], extra: list[str]) -> str:
        """The stored rows every call reads: group keys, time, fields, and
        the raw columns next to a selector (``aux_column()``)."""
        fields = sorted(
            {
                _column_sql(c, ctx.columns)[0]
                for call in calls
                for c in call.walk()
                if _reads_value(c, ctx.columns) and has_key(ctx.columns, c.key)
            }
        )
        low, high = self._span(ctx, calls)
        for call in calls:
            reading = _reading_context(ctx, call, self._HOLT_WINTERS)
            if reading is not ctx:
                # Read in time order: the windows before the range too.
                first, _last = self._call_range(reading, call)
                low = None if low is None or first is None else min(low, first)
        codes = [ident(code_column(k)) for k in ctx.group_keys if ctx.codes]
        # STDDEV, INTEGRAL, SUM and MEAN read their points in the server's
        # order (``folds``): several series by series key.
        ordered = order_columns(ctx, calls)
        selected = ", ".join(
            [
                *(f"{g} AS {group_column(i)}" for i, g in enumerate(ctx.groups)),
                *(f"{c} AS {group_code_column(i)}" for i, c in enumerate(codes)),
                "time",
                *ordered,
                *fields,
                *(f"{sql} AS {aux_column(j)}" for j, sql in enumerate(extra)),
            ]
        )
        # Aggregates without windows of a subquery's rows stop at the first
        # row outside the range, as the server's reducer does.
        return read_rows(ctx, selected, low, high)

    def _call_relation(
        self,
        ctx: _Context,
        call: Func,
        index: int,
        ctes: list[str],
        lone_selector: bool,
        aux: int = 0,
    ) -> _Relation | None:
        """Add the CTEs computing one call's rows; None if it reads nothing."""
        if not _field_exists(call, ctx.columns):
            return None
        kind = self._call_kind(call, ctx.columns)
        name = call_rows(index)
        if _runs_through_distinct(call):
            rows = self._through_distinct_relation(ctx, call)
            if rows is None:
                return None
            ctes.append(f"{name} AS ({rows})")
            return _Relation(name, kind)
        if call.name in self._TRANSFORMS:
            source = call.source
            heap = False
            if isinstance(source, Col):
                rows, heap = self._raw_points(ctx, call, name, ctes)
            elif isinstance(innermost_transform(call, self._TRANSFORMS).source, Col):
                # ``difference(difference(v))`` in a subquery under windows
                # handed down (``call_checks``): over the points.
                assert isinstance(source, Func)
                inner, heap = self._raw_chain(ctx, source, f"{name}_source", ctes)
                rows = _transformed_rows(inner, heap)
            else:
                assert isinstance(source, Func)
                reading = _reading_context(ctx, call, self._HOLT_WINTERS)
                inner = self._chain_rows(reading, source, call, f"{name}_source", ctes)
                rows = f"SELECT * FROM {inner} WHERE v IS NOT NULL"
            transformed = self._transform(ctx, call, rows, heap=heap)
            if heap:
                # Rows of one time keep the order their points were read in.
                same = ", ".join([*ctx.group_columns, "time"])
                transformed = (
                    f"SELECT * EXCLUDE ({READ}), row_number() OVER (PARTITION BY "
                    f"{same} ORDER BY {READ}) AS {ORDINAL} FROM ({transformed})"
                )
            elif _ordinal(ctx):
                transformed = f"SELECT *, 1 AS {ORDINAL} FROM ({transformed})"
            ctes.append(f"{name} AS ({transformed})")
            return _Relation(name, kind, numbered=heap)
        if call.name == "sample":
            ctes.append(f"{name} AS ({self._sample_rows(ctx, call, aux)})")
            return _Relation(name, kind)
        self._aggregate_rows(
            ctx, call, call, name, ctes, lone_selector=lone_selector, aux=aux
        )
        return _Relation(name, kind)

    def _chain_rows(
        self, ctx: _Context, node: Func, outer: Func, name: str, ctes: list[str]
    ) -> str:
        """CTEs for what a transformation reads: an aggregate's windows, or
        another transformation's rows (of an aggregate), read from the
        range of the outermost call *outer*."""
        if node.name == "distinct":
            return self._distinct_firsts(ctx, node, outer, name, ctes)
        if node.name == "sample":
            rows = self._sample_rows(ctx, node, outer=outer)
            ctes.append(f"{name} AS ({rows})")
            return name
        if node.name not in self._TRANSFORMS:
            return self._aggregate_rows(ctx, node, outer, name, ctes)
        source = node.source
        assert isinstance(source, Func)
        inner = self._chain_rows(ctx, source, outer, f"{name}_source", ctes)
        rows = f"SELECT * FROM {inner} WHERE v IS NOT NULL"
        ctes.append(f"{name} AS ({self._transform(ctx, node, rows)})")
        return name

    def _raw_points(
        self, ctx: _Context, call: Func, name: str, ctes: list[str]
    ) -> tuple[str, bool]:
        """The rows a transformation of raw points (*call*) reads, and
        whether they hold their place in influxd's merge (``HEAP``)."""
        assert isinstance(call.source, Col)
        x, _kind = _column_sql(call.source, ctx.columns)
        low, high = self._call_range(ctx, call)
        columns = [*ctx.group_columns, "time", f"{x} AS v"]
        read = f"base WHERE {x} IS NOT NULL AND {_range_sql(low, high)}"
        heap_ns = self._heap_shards(ctx, call)
        if heap_ns is None:
            return f"SELECT {', '.join(columns)} FROM {read}", False
        # Points of several series at one time in influxd's merge order
        # (``point_order``).
        placed = heap_places(ctx, f"(SELECT * FROM {read})", heap_ns, name, ctes)
        return f"SELECT {', '.join([*columns, HEAP])} FROM {placed}", True

    def _raw_chain(
        self, ctx: _Context, node: Func, name: str, ctes: list[str]
    ) -> tuple[str, bool]:
        """CTEs for a transformation of raw points, or of such a
        transformation (``difference(v)``, ``difference(difference(v))``),
        each over its input's rows in the order they were read: the name of
        the last, and whether its rows number that order (``READ``)."""
        source = node.source
        if isinstance(source, Col):
            rows, heap = self._raw_points(ctx, node, name, ctes)
        else:
            assert isinstance(source, Func)
            inner, heap = self._raw_chain(ctx, source, f"{name}_source", ctes)
            rows = _transformed_rows(inner, heap)
        ctes.append(f"{name} AS ({self._transform(ctx, node, rows, heap=heap)})")
        return name, heap

    def _call_kind(self, call: Func, columns: Mapping[str, ColumnInfo]) -> str | None:
        """The type of a call's values (None when its field does not exist)."""
        name = call.name
        source = call.source
        if name in self._INTEGER_RESULT:
            return "integer"
        if name in self._FLOAT_RESULT:
            return "float"
        if isinstance(source, Func):
            return self._call_kind(source, columns)
        if isinstance(source, Col):
            kind = _column_sql(source, columns)[1]
            if kind is None and source.cast in VALUE_CASTS:
                return source.cast  # ``last(nope::string)``: typed, no value
            return kind
        return None


def _reading_context(ctx: _Context, call: Func, predictors: frozenset[str]) -> _Context:
    """The context what *call* reads is computed in: HOLT_WINTERS forecasts
    in time order whatever the output order, so a transformation it reads
    is computed in time order too."""
    if (
        call.name in predictors
        and ctx.query.descending
        and isinstance(call.source, Func)
        and (
            call.source.kind == "transform"
            or call.source.name in ("distinct", "sample")
        )
    ):
        query = dataclasses.replace(ctx.query, descending=False)
        return dataclasses.replace(ctx, query=query)
    return ctx


def _once_over_each_value(expression: Any, call: Func) -> bool:
    """Whether *expression* is arithmetic or math of one DISTINCT, or of one
    TOP/BOTTOM without tag arguments (influxd computes it on each value)."""
    if call.name not in ("distinct", "top", "bottom"):
        return False
    if call.name != "distinct" and len(call.params) != 1:
        return False
    return sum(1 for node in expression.walk() if node == call) == 1


def _scanned_again(ctx: _Context) -> bool:
    """Whether the rows every call reads are read from the stored table
    each time: a measurement read straight, unless a regular expression
    filters it (a materialized copy of the rows it keeps is cheaper than
    matching each row again). A subquery's rows are computed once."""
    return reads_stored(ctx) and "regexp_" not in ctx.where


def _transformed_rows(name: str, heap: bool) -> str:
    """A transformation's rows (CTE *name*) as the next one reads them: its
    read order (``READ``) becomes the place that orders rows of one time."""
    if heap:
        renamed = f"* EXCLUDE ({READ}), {READ} AS {HEAP}"
        return f"SELECT {renamed} FROM {name} WHERE v IS NOT NULL"
    return f"SELECT * FROM {name} WHERE v IS NOT NULL"
