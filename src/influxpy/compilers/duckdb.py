"""The DuckDB compiler: the same ``Query`` as InfluxQL, with InfluxDB's answers.

It writes SQL that reproduces InfluxDB 1.x semantics (the reference's §6):
windows aligned to the epoch plus offset and reported by their start, every
window of the time range per series with fill rules (COUNT fills 0),
selectors reporting the selected point's time, median and nearest-rank
percentile, the sample standard deviation, MODE's tie rule, transformations
over consecutive non-null rows, LIMIT/OFFSET per series, SLIMIT/SOFFSET and
series ordered by tag values.

The output of every statement is rows of ``(group tag values…, time,
columns…)`` ordered by series then time; ``Compiled.meta`` names the group
keys and the columns so the backend can cut the rows into series. Values are
bound as parameters, never inlined.

Anything it cannot express raises ``UnsupportedCompilation`` naming the
feature; README's support table lists them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from influxpy.compilers.base import Compiled, Compiler
from influxpy.durations import Duration
from influxpy.exceptions import UnsupportedCompilation
from influxpy.expressions import (
    Col,
    CombinedExpression,
    Expression,
    Now,
    Star,
    TimeValue,
    Value,
    WhereNode,
)
from influxpy.functions import Func
from influxpy.query import Delete, Query, SelectItem, Source

if TYPE_CHECKING:
    from influxpy.lookups import Lookup

__all__ = ["Catalog", "ColumnInfo", "DuckDBCompiler", "register_functions"]

DEFAULT_RP = "autogen"


@dataclasses.dataclass(frozen=True)
class ColumnInfo:
    """One stored column: its key, ``tag`` or ``field``, and the field type."""

    key: str
    role: str
    kind: str


@dataclasses.dataclass(frozen=True)
class Catalog:
    """The tables of one database: ``(rp, measurement) -> {key: ColumnInfo}``."""

    database: str
    tables: Mapping[tuple[str, str], Mapping[str, ColumnInfo]]


def _ident(name: str) -> str:
    """Double-quote a DuckDB identifier, doubling ``"`` (SQL standard)."""
    return '"' + name.replace('"', '""') + '"'


def register_functions(con: Any) -> None:
    """Register the Python helpers the SQL uses (MODE's tie rule)."""
    from duckdb.sqltypes import BIGINT

    def mode_index(values: list[Any], times: list[int]) -> int:
        # InfluxDB's FloatModeReduceSlice over points sorted by value, time.
        most_freq = 0
        most_index = 0
        most_time = 0
        current_value: Any = object()
        current_freq = 0
        current_time = 0
        for index, (value, stamp) in enumerate(zip(values, times, strict=True)):
            if value != current_value:
                current_value, current_freq, current_time = value, 1, stamp
                if index:
                    continue
            else:
                current_freq += 1
            if most_freq > current_freq or (
                most_freq == current_freq and current_time > most_time
            ):
                continue
            most_freq, most_index, most_time = current_freq, index, stamp
        return most_index + 1

    con.execute(
        "CREATE OR REPLACE MACRO influxpy_integral(p) AS "
        "coalesce(list_sum(list_transform(range(1, len(p)), "
        "lambda i: (p[i].v + p[i + 1].v) * (p[i + 1].t - p[i].t) / 2.0)), 0)"
    )
    con.create_function(
        "influxpy_mode_index",
        mode_index,
        ["DOUBLE[]", "BIGINT[]"],
        BIGINT,
        null_handling="special",
    )
    con.create_function(
        "influxpy_mode_index_text",
        mode_index,
        ["VARCHAR[]", "BIGINT[]"],
        BIGINT,
        null_handling="special",
    )


@dataclasses.dataclass
class _Bounds:
    lower: int | None = None
    upper: int | None = None  # inclusive


class DuckDBCompiler(Compiler):
    """Compile queries to DuckDB SQL with InfluxDB 1.x semantics."""

    dialect: ClassVar[str] = "DuckDB"

    #: ``lookup_name`` -> (operator, operator when negated).
    operators: ClassVar[dict[str, tuple[str, str]]] = {
        "exact": ("=", "!="),
        "ne": ("!=", "="),
        "gt": (">", "<="),
        "gte": (">=", "<"),
        "lt": ("<", ">="),
        "lte": ("<=", ">"),
    }
    _REGEX_LOOKUPS: ClassVar[frozenset[str]] = frozenset(
        {
            "regex",
            "iregex",
            "startswith",
            "istartswith",
            "endswith",
            "iendswith",
            "contains",
            "icontains",
            "iexact",
        }
    )
    #: Row-wise math functions: InfluxQL name -> DuckDB spelling.
    functions: ClassVar[dict[str, str]] = {
        "abs": "abs",
        "acos": "acos",
        "asin": "asin",
        "atan": "atan",
        "atan2": "atan2",
        "ceil": "ceil",
        "cos": "cos",
        "exp": "exp",
        "floor": "floor",
        "ln": "ln",
        "log2": "log2",
        "log10": "log10",
        "pow": "pow",
        "round": "round",
        "sin": "sin",
        "sqrt": "sqrt",
        "tan": "tan",
    }
    _AGGREGATES: ClassVar[frozenset[str]] = frozenset(
        {"count", "mean", "median", "spread", "stddev", "sum", "mode", "integral"}
    )
    _SELECTORS: ClassVar[frozenset[str]] = frozenset(
        {"first", "last", "max", "min", "percentile"}
    )
    _TRANSFORMS: ClassVar[frozenset[str]] = frozenset(
        {
            "derivative",
            "non_negative_derivative",
            "difference",
            "non_negative_difference",
            "moving_average",
            "cumulative_sum",
            "elapsed",
        }
    )

    def __init__(
        self, catalog: Catalog | None = None, now_ns: int | None = None
    ) -> None:
        import time

        self.catalog = catalog or Catalog("", {})
        self.now_ns = time.time_ns() if now_ns is None else now_ns
        self.params: dict[str, Any] = {}

    # -- entry points ------------------------------------------------------

    def compile(self, node: Any) -> Compiled:
        """Compile a ``Query`` or ``Delete``."""
        if isinstance(node, Delete):
            return self._compile_delete(node)
        if not isinstance(node, Query):
            self.visit_unsupported(node)
        return self._compile_query(node)

    def _unsupported(self, what: str) -> UnsupportedCompilation:
        msg = (
            f"The embedded engine (DuckDB) cannot run {what} yet; run this query on "
            "an InfluxDB server (influxpy.connect('influxdb://…'))."
        )
        return UnsupportedCompilation(msg, dialect=self.dialect, node=what)

    def _param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"${name}"

    def _table(self, source: Source) -> tuple[str, Mapping[str, ColumnInfo]] | None:
        if source.database and source.database != self.catalog.database:
            raise self._unsupported("queries across databases")
        rp = source.retention_policy or DEFAULT_RP
        columns = self.catalog.tables.get((rp, source.measurement))
        if columns is None:
            return None
        table = (
            f"{_ident(self.catalog.database)}.{_ident(rp + '.' + source.measurement)}"
        )
        return table, columns

    # -- DELETE --------------------------------------------------------------

    def _compile_delete(self, delete: Delete) -> Compiled:
        found = self._table(delete.source)
        if found is None:
            return Compiled("", meta={"action": "empty"})
        table, columns = found
        where = "TRUE"
        if delete.where is not None:
            where = self._where(delete.where, columns)
        text = f"DELETE FROM {table} WHERE {where}"
        return Compiled(text, dict(self.params), writes=True, meta={"action": "delete"})

    # -- conditions ------------------------------------------------------------

    def _where(self, node: WhereNode, columns: Mapping[str, ColumnInfo]) -> str:
        parts = []
        for child in node.children:
            if isinstance(child, WhereNode):
                parts.append(f"({self._where(child, columns)})")
            else:
                parts.append(self._lookup(child, columns))
        joiner = f" {node.connector} "
        return "(" + joiner.join(parts) + ")" if parts else "TRUE"

    def _column_sql(
        self, col: Col, columns: Mapping[str, ColumnInfo]
    ) -> tuple[str, str | None]:
        """SQL for a column and its kind (``None`` when it does not exist)."""
        if col.role == "time":
            return "time", "integer"
        info = columns.get(col.key)
        if info is None:
            return ("''", "tag") if col.role == "tag" else ("NULL", None)
        if info.role == "tag":
            return _ident(col.key), "tag"
        return _ident(col.key), info.kind

    def _lookup(self, lookup: Lookup, columns: Mapping[str, ColumnInfo]) -> str:
        lhs, kind = self._column_sql(lookup.lhs, columns)
        name = lookup.lookup_name
        if lookup.lhs.role == "time":
            return self._time_condition(lookup)
        if name == "isnull":
            absent = lookup.rhs != lookup.negated
            return f"{lhs} {'=' if absent else '!='} ''"
        if name in self._REGEX_LOOKUPS:
            if kind not in ("tag", "string"):
                return "FALSE"
            test = f"regexp_matches({lhs}, {self._param(lookup.rhs)})"
            return f"NOT {test}" if lookup.negated else test
        if name == "in":
            values = [v for v in lookup.rhs if _comparable(kind, v)]
            if not values:
                return "TRUE" if lookup.negated else "FALSE"
            placeholders = ", ".join(self._param(v) for v in values)
            op = "NOT IN" if lookup.negated else "IN"
            return f"{lhs} {op} ({placeholders})"
        positive, negative = self.operators[name]
        op = negative if lookup.negated else positive
        if not _comparable(kind, lookup.rhs):
            return "FALSE"
        return f"{lhs} {op} {self._param(lookup.rhs)}"

    def _time_value(self, value: Any) -> int:
        if isinstance(value, TimeValue):
            return value.ns
        if isinstance(value, Now):
            return self.now_ns + value.offset_ns
        msg = f"Unexpected time value {value!r}."
        raise UnsupportedCompilation(
            msg, dialect=self.dialect, node=type(value).__name__
        )

    def _time_condition(self, lookup: Lookup) -> str:
        positive, negative = self.operators[lookup.lookup_name]
        op = negative if lookup.negated else positive
        return f"time {op} {self._time_value(lookup.rhs)}"

    def _bounds(self, where: WhereNode | None) -> _Bounds:
        bounds = _Bounds()
        if where is None or where.connector != "AND":
            return bounds
        stack = list(where.children)
        while stack:
            node = stack.pop()
            if isinstance(node, WhereNode):
                if node.connector == "AND" or len(node.children) == 1:
                    stack.extend(node.children)
                continue
            if node.lhs.role != "time":
                continue
            value = self._time_value(node.rhs)
            name = node.lookup_name
            if node.negated:
                name = {"gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt"}.get(
                    name, name
                )
            if name in ("gt", "gte", "exact"):
                low = value + 1 if name == "gt" else value
                bounds.lower = low if bounds.lower is None else max(bounds.lower, low)
            if name in ("lt", "lte", "exact"):
                high = value - 1 if name == "lt" else value
                bounds.upper = high if bounds.upper is None else min(bounds.upper, high)
        return bounds

    # -- SELECT --------------------------------------------------------------

    def _compile_query(self, query: Query) -> Compiled:
        if isinstance(query.source, Query):
            raise self._unsupported("subqueries")
        if query.timezone is not None and query.group_by_time is not None:
            raise self._unsupported("tz() with resolution()")
        if query.into is not None:
            raise self._unsupported("INTO")
        found = self._table(query.source)
        if found is None:
            return Compiled("", meta={"action": "empty"})
        table, columns = found
        tag_keys = sorted(k for k, c in columns.items() if c.role == "tag")
        if "*" in query.group_by:
            group_keys = tag_keys
        else:
            group_keys = list(query.group_by)
        groups = [self._column_sql(Col(k, "tag"), columns)[0] for k in group_keys]
        where = self._where(query.where, columns) if query.where is not None else "TRUE"
        context = _Context(
            table=table,
            columns=columns,
            group_keys=group_keys,
            groups=groups,
            where=where,
            bounds=self._bounds(query.where),
        )
        if query.is_aggregate:
            sql, names = self._aggregate_query(query, context)
        else:
            sql, names = self._raw_query(query, context)
        meta = {
            "action": "select",
            "measurement": query.source.measurement,
            "group_keys": group_keys,
            "columns": names,
        }
        return Compiled(sql, dict(self.params), meta=meta)

    def _finish(self, body: str, query: Query, n_groups: int, names: list[str]) -> str:
        """Apply LIMIT/OFFSET per series, SLIMIT/SOFFSET and the ordering."""
        g = [f"g{i}" for i in range(n_groups)]
        direction = "DESC" if query.descending else "ASC"
        filters = []
        if query.limit is not None or query.offset is not None:
            partition = f"PARTITION BY {', '.join(g)} " if g else ""
            rank = f"row_number() OVER ({partition}ORDER BY time {direction}, influxpy_tie)"
            low = (query.offset or 0) + 1
            filters.append(f"{rank} >= {low}")
            if query.limit is not None:
                filters.append(f"{rank} < {low + query.limit}")
        if g and (query.series_limit is not None or query.series_offset is not None):
            order = ", ".join(f"{c} {direction}" for c in g)
            rank = f"dense_rank() OVER (ORDER BY {order})"
            low = (query.series_offset or 0) + 1
            filters.append(f"{rank} >= {low}")
            if query.series_limit is not None:
                filters.append(f"{rank} < {low + query.series_limit}")
        outputs = ", ".join([*g, "time", *(f"c{i}" for i in range(len(names)))])
        qualify = f" QUALIFY {' AND '.join(filters)}" if filters else ""
        order = ", ".join(
            [
                *(f"{c} {direction}" for c in g),
                f"time {direction}",
                f"influxpy_tie {direction}",
            ]
        )
        return (
            f"SELECT {outputs} FROM ({body}) AS influxpy_rows{qualify} ORDER BY {order}"
        )

    # -- raw queries -----------------------------------------------------------

    def _raw_query(self, query: Query, ctx: _Context) -> tuple[str, list[str]]:
        items = list(query.select)
        if not items or any(isinstance(i.expression, Star) for i in items):
            keys = sorted(
                k
                for k in ctx.columns
                if k not in ctx.group_keys or ctx.columns[k].role != "tag"
            )
            items = [
                SelectItem(Col(k, ctx.columns[k].role, ctx.columns[k].kind))
                for k in keys
            ]
        names = _output_names(items)
        exprs = [self._row_expr(i.expression, ctx.columns) for i in items]
        referenced = [
            self._column_sql(c, ctx.columns)[0]
            for i in items
            for c in i.expression.walk()
            if isinstance(c, Col) and c.role == "field"
        ]
        present = " OR ".join(f"{r} IS NOT NULL" for r in referenced) or "FALSE"
        tie = _tie_expr(ctx)
        selected = ", ".join(
            [
                *(f"{g} AS g{i}" for i, g in enumerate(ctx.groups)),
                "time",
                f"{tie} AS influxpy_tie",
                *(f"{e} AS c{i}" for i, e in enumerate(exprs)),
            ]
        )
        body = f"SELECT {selected} FROM {ctx.table} WHERE {ctx.where} AND ({present})"
        return self._finish(body, query, len(ctx.groups), names), names

    def _row_expr(self, node: Expression, columns: Mapping[str, ColumnInfo]) -> str:
        if isinstance(node, Col):
            sql, kind = self._column_sql(node, columns)
            return "NULLIF(" + sql + ", '')" if kind == "tag" else sql
        if isinstance(node, Value):
            return self._param(node.value)
        if isinstance(node, CombinedExpression):
            return self._arith(
                self._row_expr(node.lhs, columns),
                node.op,
                self._row_expr(node.rhs, columns),
            )
        if isinstance(node, Func) and node.name in self.functions:
            return self._math(node, self._row_expr(node.source, columns))  # type: ignore[arg-type]
        raise self._unsupported(f"{type(node).__name__} in a raw query")

    @staticmethod
    def _arith(left: str, op: str, right: str) -> str:
        if op == "/":
            return f"(CAST({left} AS DOUBLE) / NULLIF({right}, 0))"
        if op == "%":
            return f"({left} % NULLIF({right}, 0))"
        return f"({left} {op} {right})"

    def _math(self, func: Func, arg: str) -> str:
        name = func.name
        if name == "log":
            return f"(ln({arg}) / ln({self._param(float(func.params[0]))}))"
        if name == "pow":
            return f"pow({arg}, {self._param(float(func.params[0]))})"
        if name == "atan2":
            raise self._unsupported("atan2()")
        return f"{self.functions[name]}({arg})"

    # -- aggregate queries ---------------------------------------------------------

    def _aggregate_query(self, query: Query, ctx: _Context) -> tuple[str, list[str]]:
        items = list(query.select)
        names = _output_names(items)
        gbt = query.group_by_time
        bounds = ctx.bounds
        aggregates: list[tuple[Func, str]] = []  # (function, column alias)

        def collect(node: Any) -> None:
            if isinstance(node, Func) and node.kind in ("aggregate", "selector"):
                if not any(node is f for f, _ in aggregates):
                    aggregates.append((node, f"a{len(aggregates)}"))
                return
            for child in node.children() if isinstance(node, Expression) else ():
                collect(child)

        for item in items:
            collect(item.expression)
        if not aggregates:
            return self._raw_transform_query(query, ctx, names)

        # Selector time: one selector alone (math allowed) without windows.
        selector_time = None
        if gbt is None and len(aggregates) == 1 and aggregates[0][0].kind == "selector":
            selector_time = aggregates[0][0]
        if gbt is None and any(
            f.name in ("top", "bottom", "distinct", "sample") for f, _ in aggregates
        ):
            return self._multi_row_query(query, ctx, names, aggregates)

        referenced = sorted(
            {
                self._column_sql(c, ctx.columns)[0]
                for f, _ in aggregates
                for c in f.walk()
                if isinstance(c, Col) and c.role == "field"
            }
        )
        where = ctx.where
        if gbt is not None and bounds.upper is None:
            where += f" AND time <= {self.now_ns}"
        present = " OR ".join(f"{r} IS NOT NULL" for r in referenced) or "FALSE"
        group_sel = [f"{g} AS g{i}" for i, g in enumerate(ctx.groups)]
        g = [f"g{i}" for i in range(len(ctx.groups))]
        base_cols = ", ".join([*group_sel, "time", *(f"{r}" for r in referenced)])
        base = f"SELECT {base_cols} FROM {ctx.table} WHERE {where} AND ({present})"

        if gbt is not None:
            interval = gbt.interval.nanoseconds
            offset = self._offset(gbt.offset, interval)
            bucket = (
                f"(time - (((time - {offset}) % {interval}) + {interval}) % {interval})"
            )
        else:
            bucket = str(bounds.lower if bounds.lower is not None else 0)
        agg_cols = []
        for func, alias in aggregates:
            agg_cols.extend(self._aggregate(func, alias, ctx.columns, gbt is not None))
        group_by = ", ".join([*g, "influxpy_bucket"]) if g else "influxpy_bucket"
        agg = (
            f"SELECT {', '.join([*g, bucket + ' AS influxpy_bucket', *agg_cols])} "
            f"FROM base GROUP BY {group_by}"
        )
        # One row per window and series, then fill.
        if gbt is not None:
            first = (
                str(self._align(bounds.lower, interval, offset))
                if bounds.lower is not None
                else f"min(influxpy_bucket)"
            )
            upper = bounds.upper if bounds.upper is not None else self.now_ns
            last = self._align(upper, interval, offset)
            series_cols = ", ".join(g)
            series = (
                f"SELECT {series_cols + ', ' if g else ''}{first} AS influxpy_first FROM agg"
                f"{' GROUP BY ' + series_cols if g else ' LIMIT 1'}"
            )
            grid = (
                f"SELECT {series_cols + ', ' if g else ''}"
                f"unnest(range(influxpy_first, {last} + 1, {interval})) AS influxpy_bucket "
                "FROM series"
            )
            using = ", ".join([*g, "influxpy_bucket"])
            joined = (
                f"SELECT * , agg.influxpy_bucket IS NOT NULL AS influxpy_present FROM grid "
                f"LEFT JOIN agg USING ({using})"
            )
            filled_cols = []
            fill = query.fill
            for func, alias in aggregates:
                filled_cols.append(self._fill(func, alias, fill, g, query.descending))
            rows = f"SELECT {', '.join([*g, 'influxpy_bucket', *filled_cols, 'influxpy_present'])} FROM joined"
            if fill is not None and fill.mode == "none":
                rows += " WHERE influxpy_present"
            ctes = f"base AS ({base}), agg AS ({agg}), series AS ({series}), grid AS ({grid}), joined AS ({joined}), filled AS ({rows})"
        else:
            ctes = f"base AS ({base}), agg AS ({agg}), filled AS (SELECT *, TRUE AS influxpy_present FROM agg)"

        outputs = []
        transforms = []
        for index, item in enumerate(items):
            expr = item.expression
            if self._has_transform(expr):
                transforms.append((index, expr))
                outputs.append(f"NULL AS c{index}")
            else:
                outputs.append(f"{self._agg_expr(expr, aggregates)} AS c{index}")
        time_sql = "influxpy_bucket"
        if selector_time is not None:
            time_sql = f"{aggregates[0][1]}_time"
        main = f"SELECT {', '.join([*g, time_sql + ' AS time', '0 AS influxpy_tie', *outputs])} FROM filled"
        if selector_time is not None:
            main += f" WHERE {aggregates[0][1]} IS NOT NULL"
        if transforms:
            if len(transforms) != len(items):
                raise self._unsupported("transformations mixed with other columns")
            main = self._transform_rows(transforms, aggregates, g, gbt, len(items))
        body = f"WITH {ctes} {main}"
        return self._finish(body, query, len(g), names), names

    def _offset(self, offset: Duration | Now | None, interval: int) -> int:
        if offset is None:
            return 0
        if isinstance(offset, Now):
            return (self.now_ns + offset.offset_ns) % interval
        return offset.nanoseconds % interval

    @staticmethod
    def _align(value: int, interval: int, offset: int) -> int:
        return value - ((value - offset) % interval)

    def _aggregate(
        self, func: Func, alias: str, columns: Mapping[str, ColumnInfo], windows: bool
    ) -> list[str]:
        source = func.source
        name = func.name
        if name == "count" and isinstance(source, Func) and source.name == "distinct":
            inner = source.source
            if not isinstance(inner, Col):
                raise self._unsupported("count(distinct()) of an expression")
            x, _kind = self._column_sql(inner, columns)
            return [f"count(DISTINCT {x}) AS {alias}"]
        if isinstance(source, Star):
            raise self._unsupported(f"{name}(*)")
        if not isinstance(source, Col):
            raise self._unsupported(f"{name}() of an expression")
        x, kind = self._column_sql(source, columns)
        nn = f"FILTER (WHERE {x} IS NOT NULL)"
        if kind is None:
            return [f"NULL AS {alias}", f"NULL AS {alias}_time"]
        if name == "count":
            return [f"count({x}) AS {alias}"]
        if name == "mean":
            return [f"avg({x}) AS {alias}"]
        if name == "sum":
            cast = "BIGINT" if kind == "integer" else "DOUBLE"
            return [f"CAST(sum({x}) AS {cast}) AS {alias}"]
        if name == "median":
            return [f"CAST(quantile_cont({x}, 0.5) AS DOUBLE) AS {alias}"]
        if name == "spread":
            return [f"(max({x}) - min({x})) AS {alias}"]
        if name == "stddev":
            return [f"stddev_samp({x}) AS {alias}"]
        if name == "mode":
            function = (
                "influxpy_mode_index_text"
                if kind == "string"
                else "influxpy_mode_index"
            )
            cast = "VARCHAR" if kind == "string" else "DOUBLE"
            values = f"list(CAST({x} AS {cast}) ORDER BY {x}, time) {nn}"
            times = f"list(time ORDER BY {x}, time) {nn}"
            picked = f"list({x} ORDER BY {x}, time) {nn}"
            return [f"{picked}[{function}({values}, {times})] AS {alias}"]
        if name == "integral":
            if windows:
                raise self._unsupported("integral() with resolution()")
            unit = func.params[0].nanoseconds if func.params else 1_000_000_000
            pairs = f"list(struct_pack(t := time, v := {x}) ORDER BY time) {nn}"
            return [f"influxpy_integral({pairs}) / {unit} AS {alias}"]
        if name == "first":
            return [
                f"first({x} ORDER BY time ASC, {x} DESC) {nn} AS {alias}",
                f"min(time) {nn} AS {alias}_time",
            ]
        if name == "last":
            return [
                f"first({x} ORDER BY time DESC, {x} DESC) {nn} AS {alias}",
                f"max(time) {nn} AS {alias}_time",
            ]
        if name == "max":
            return [
                f"max({x}) AS {alias}",
                f"first(time ORDER BY {x} DESC, time ASC) {nn} AS {alias}_time",
            ]
        if name == "min":
            return [
                f"min({x}) AS {alias}",
                f"first(time ORDER BY {x} ASC, time ASC) {nn} AS {alias}_time",
            ]
        if name == "percentile":
            p = float(func.params[0])
            rank = f"CAST(floor(count({x}) * {p!r} / 100.0 + 0.5) AS BIGINT)"
            ordered = f"list(struct_pack(v := {x}, t := time) ORDER BY {x}, time) {nn}"
            picked = (
                f"CASE WHEN {rank} BETWEEN 1 AND count({x}) THEN {ordered}[{rank}] END"
            )
            return [f"({picked}).v AS {alias}", f"({picked}).t AS {alias}_time"]
        raise self._unsupported(f"{name}()")

    def _fill(
        self, func: Func, alias: str, fill: Any, g: list[str], descending: bool
    ) -> str:
        column = alias
        partition = f"PARTITION BY {', '.join(g)} " if g else ""
        mode = fill.mode if fill is not None else None
        if mode is None and func.name == "count":
            return f"coalesce({column}, 0) AS {column}"
        if mode == "value":
            return f"CASE WHEN influxpy_present THEN {column} ELSE {self._param(fill.value)} END AS {column}"
        if mode == "previous":
            direction = "DESC" if descending else "ASC"
            return (
                f"CASE WHEN influxpy_present THEN {column} ELSE last_value({column} IGNORE NULLS) "
                f"OVER ({partition}ORDER BY influxpy_bucket {direction} ROWS BETWEEN "
                f"UNBOUNDED PRECEDING AND CURRENT ROW) END AS {column}"
            )
        if mode == "linear":
            window = f"{partition}ORDER BY influxpy_bucket"
            prev_v = f"last_value({column} IGNORE NULLS) OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
            prev_t = (
                f"last_value(CASE WHEN {column} IS NOT NULL THEN influxpy_bucket END IGNORE NULLS) "
                f"OVER ({window} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)"
            )
            next_v = f"first_value({column} IGNORE NULLS) OVER ({window} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)"
            next_t = (
                f"first_value(CASE WHEN {column} IS NOT NULL THEN influxpy_bucket END IGNORE NULLS) "
                f"OVER ({window} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)"
            )
            interpolated = (
                f"({prev_v} + ({next_v} - {prev_v}) * CAST(influxpy_bucket - {prev_t} AS DOUBLE) "
                f"/ ({next_t} - {prev_t}))"
            )
            return f"CASE WHEN {column} IS NULL THEN {interpolated} ELSE {column} END AS {column}"
        return column

    @staticmethod
    def _has_transform(expr: Expression) -> bool:
        return any(
            isinstance(n, Func)
            and n.kind == "transform"
            and n.name not in DuckDBCompiler.functions
            for n in expr.walk()
        )

    def _agg_expr(self, expr: Any, aggregates: list[tuple[Func, str]]) -> str:
        for func, alias in aggregates:
            if func is expr:
                return alias
        if isinstance(expr, Value):
            return self._param(expr.value)
        if isinstance(expr, CombinedExpression):
            return self._arith(
                self._agg_expr(expr.lhs, aggregates),
                expr.op,
                self._agg_expr(expr.rhs, aggregates),
            )
        if isinstance(expr, Func) and expr.name in self.functions:
            return self._math(expr, self._agg_expr(expr.source, aggregates))
        raise self._unsupported(f"{expr!r} over aggregates")

    def _transform_rows(
        self,
        transforms: list[tuple[int, Expression]],
        aggregates: list[tuple[Func, str]],
        g: list[str],
        gbt: Any,
        count: int,
    ) -> str:
        if len(transforms) != 1:
            raise self._unsupported("several transformations in one query")
        index, expr = transforms[0]
        if not isinstance(expr, Func) or expr.name not in self._TRANSFORMS:
            raise self._unsupported(f"{expr!r}")
        inner = self._agg_expr(expr.source, aggregates)
        default_unit = gbt.interval.nanoseconds if gbt is not None else 1_000_000_000
        values = f"SELECT {', '.join([*g, 'influxpy_bucket AS time', inner + ' AS x'])} FROM filled WHERE {inner} IS NOT NULL"
        return self._transform_sql(expr, values, g, default_unit, count, index)

    def _transform_sql(
        self,
        func: Func,
        values: str,
        g: list[str],
        default_unit: int,
        count: int,
        index: int,
    ) -> str:
        name = func.name
        window = f"({'PARTITION BY ' + ', '.join(g) + ' ' if g else ''}ORDER BY time)"
        prev_x = f"lag(x) OVER {window}"
        prev_t = f"lag(time) OVER {window}"
        if name in ("derivative", "non_negative_derivative", "elapsed"):
            unit = (
                func.params[0].nanoseconds
                if func.params
                else (1 if name == "elapsed" else default_unit)
            )
            if name == "elapsed":
                value = f"(time - {prev_t}) // {unit}"
            else:
                value = f"(x - {prev_x}) / (CAST(time - {prev_t} AS DOUBLE) / {unit})"
        elif name in ("difference", "non_negative_difference"):
            value = f"(x - {prev_x})"
        elif name == "cumulative_sum":
            value = f"sum(x) OVER ({'PARTITION BY ' + ', '.join(g) + ' ' if g else ''}ORDER BY time ROWS UNBOUNDED PRECEDING)"
        elif name == "moving_average":
            n = int(func.params[0])
            value = (
                f"CASE WHEN row_number() OVER {window} >= {n} THEN avg(x) OVER "
                f"({'PARTITION BY ' + ', '.join(g) + ' ' if g else ''}ORDER BY time ROWS "
                f"BETWEEN {n - 1} PRECEDING AND CURRENT ROW) END"
            )
        else:
            raise self._unsupported(f"{name}()")
        nulls = ", ".join(
            f"NULL AS c{i}" if i != index else f"v AS c{i}" for i in range(count)
        )
        keep = "v IS NOT NULL"
        if name.startswith("non_negative"):
            keep += " AND v >= 0"
        inner = f"SELECT {', '.join([*g, 'time', value + ' AS v'])} FROM ({values})"
        return f"SELECT {', '.join([*g, 'time', '0 AS influxpy_tie', nulls])} FROM ({inner}) WHERE {keep}"

    def _raw_transform_query(
        self, query: Query, ctx: _Context, names: list[str]
    ) -> tuple[str, list[str]]:
        items = list(query.select)
        if len(items) != 1 or not isinstance(items[0].expression, Func):
            raise self._unsupported(
                "several transformations of raw fields in one query"
            )
        func = items[0].expression
        if func.name not in self._TRANSFORMS or not isinstance(func.source, Col):
            raise self._unsupported(f"{func.name}() of raw values")
        x, kind = self._column_sql(func.source, ctx.columns)
        g = [f"g{i}" for i in range(len(ctx.groups))]
        group_sel = [f"{gs} AS g{i}" for i, gs in enumerate(ctx.groups)]
        values = f"SELECT {', '.join([*group_sel, 'time', x + ' AS x'])} FROM {ctx.table} WHERE {ctx.where} AND {x} IS NOT NULL"
        body = self._transform_sql(func, values, g, 1_000_000_000, 1, 0)
        return self._finish(body, query, len(g), names), names

    def _multi_row_query(
        self,
        query: Query,
        ctx: _Context,
        names: list[str],
        aggregates: list[tuple[Func, str]],
    ) -> tuple[str, list[str]]:
        if len(query.select) != 1 or len(aggregates) != 1:
            raise self._unsupported("top(), bottom() or distinct() with other columns")
        func = aggregates[0][0]
        if not isinstance(func.source, Col):
            raise self._unsupported(f"{func.name}() of an expression")
        x, _kind = self._column_sql(func.source, ctx.columns)
        g = [f"g{i}" for i in range(len(ctx.groups))]
        group_sel = [f"{gs} AS g{i}" for i, gs in enumerate(ctx.groups)]
        partition = f"PARTITION BY {', '.join(g)} " if g else ""
        base = f"SELECT {', '.join([*group_sel, 'time', x + ' AS x'])} FROM {ctx.table} WHERE {ctx.where} AND {x} IS NOT NULL"
        if func.name in ("top", "bottom"):
            if len(func.params) != 1:
                raise self._unsupported(f"{func.name}() with tag arguments")
            n = int(func.params[0])
            direction = "DESC" if func.name == "top" else "ASC"
            ranked = (
                f"SELECT *, row_number() OVER ({partition}ORDER BY x {direction}, time ASC) AS influxpy_rank "
                f"FROM ({base})"
            )
            body = f"SELECT {', '.join([*g, 'time', '0 AS influxpy_tie', 'x AS c0'])} FROM ({ranked}) WHERE influxpy_rank <= {n}"
        elif func.name == "distinct":
            start = ctx.bounds.lower if ctx.bounds.lower is not None else 0
            firsts = f"SELECT {', '.join([*g, 'x', 'min(time) AS first_time'])} FROM ({base}) GROUP BY ALL"
            body = (
                f"SELECT {', '.join([*g, f'{start} AS time', 'first_time AS influxpy_tie', 'x AS c0'])} "
                f"FROM ({firsts})"
            )
        else:
            raise self._unsupported(f"{func.name}()")
        return self._finish(body, query, len(g), names), names


@dataclasses.dataclass
class _Context:
    table: str
    columns: Mapping[str, ColumnInfo]
    group_keys: list[str]
    groups: list[str]
    where: str
    bounds: _Bounds


def _tie_expr(ctx: _Context) -> str:
    """Break ties between equal times by series key, as a re-implementation must."""
    tags = sorted(k for k, c in ctx.columns.items() if c.role == "tag")
    if not tags:
        return "0"
    return "concat_ws(',', " + ", ".join(_ident(t) for t in tags) + ")"


def _comparable(kind: str | None, value: Any) -> bool:
    """InfluxDB matches nothing when a literal's type differs from the column's."""
    if kind is None:
        return False
    if kind in ("tag", "string"):
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _output_names(items: list[SelectItem]) -> list[str]:
    """InfluxQL's column names: alias or default, repeats suffixed _1, _2."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for item in items:
        name = item.output_name or "expr"
        if name in seen:
            seen[name] += 1
            candidate = f"{name}_{seen[name]}"
            while candidate in seen:
                seen[name] += 1
                candidate = f"{name}_{seen[name]}"
            name = candidate
        seen.setdefault(name, 0)
        names.append(name)
    return names
