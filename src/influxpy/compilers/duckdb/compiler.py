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
columns…)`` ordered by series then time; ``Compiled.meta`` names the group
keys and the columns so the backend can cut the rows into series. Values
from the query are bound as parameters, never inlined; numbers the compiler
derives (window bounds, intervals) are written as integer literals.

Anything it cannot express raises ``UnsupportedCompilation`` naming the
feature.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from influxpy.compilers.base import Compiled, Compiler
from influxpy.compilers.duckdb.catalog import (
    TAG_CODES,
    Catalog,
    ColumnInfo,
    code_column,
    ident,
)
from influxpy.compilers.duckdb.stream import Finish, StreamPlan, row_width
from influxpy.compilers.duckdb.timezones import smallest_change, tz_window
from influxpy.exceptions import ProgrammingError, UnsupportedCompilation
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
from influxpy.query import Delete, Fill, GroupByTime, Query, SelectItem, Source

if TYPE_CHECKING:
    from influxpy.lookups import Lookup

__all__ = ["DuckDBCompiler"]

_SECOND = 1_000_000_000
_FLOAT_NAN = "CAST('NaN' AS DOUBLE)"
#: Column roles that read a value: a stored field, or a subquery's output.
_VALUE_ROLES = frozenset({"field", "alias"})
#: The kind of a subquery's group tag: its value is '' when absent.
_DIMENSION = "dimension"
#: The technical-analysis warmup a function uses unless it names one.
_WARM_EMA = "exponential"


@dataclasses.dataclass
class _Bounds:
    lower: int | None = None
    upper: int | None = None  # inclusive


@dataclasses.dataclass
class _Context:
    """What every part of one SELECT needs to know."""

    query: Query
    table: str
    columns: Mapping[str, ColumnInfo]
    group_keys: list[str]
    groups: list[str]
    where: str
    bounds: _Bounds
    subquery: bool = False

    @property
    def g(self) -> list[str]:
        """The output names of the group columns."""
        return [f"g{i}" for i in range(len(self.groups))]

    @property
    def codes(self) -> list[str]:
        """The code columns of the groups (``gc0``…), when every group is
        a coded tag: aggregates group by those, then look the values up."""
        keys = self.group_keys
        if not keys or self.query.timezone is not None:
            return []
        if not all(k in self.columns and self.columns[k].coded for k in keys):
            return []
        return [f"gc{i}" for i in range(len(keys))]

    @property
    def direction(self) -> str:
        return "DESC" if self.query.descending else "ASC"


@dataclasses.dataclass
class _Selected:
    """One compiled SELECT: its SQL, output names and kinds, group keys."""

    sql: str
    names: list[str]
    kinds: list[str | None]
    group_keys: list[str]


@dataclasses.dataclass
class _Relation:
    """The rows of one function call: ``(g…, time, v)`` in a CTE."""

    name: str
    kind: str | None


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
        "log": "log",
        "log2": "log2",
        "log10": "log10",
        "pow": "pow",
        "round": "round",
        "sin": "sin",
        "sqrt": "sqrt",
        "tan": "tan",
    }
    #: Math functions that keep an integer as it is (InfluxDB's MathValuer).
    _KEEP_INTEGER: ClassVar[frozenset[str]] = frozenset({"ceil", "floor", "round"})
    _AGGREGATES: ClassVar[frozenset[str]] = frozenset(
        {"count", "mean", "median", "spread", "stddev", "sum", "mode", "integral"}
    )
    _SELECTORS: ClassVar[frozenset[str]] = frozenset(
        {"first", "last", "max", "min", "percentile"}
    )
    _MULTI_ROW: ClassVar[frozenset[str]] = frozenset(
        {"top", "bottom", "distinct", "sample"}
    )
    #: The technical-analysis transformations (InfluxDB 1.6).
    _TECHNICAL: ClassVar[frozenset[str]] = frozenset(
        {
            "exponential_moving_average",
            "double_exponential_moving_average",
            "triple_exponential_moving_average",
            "triple_exponential_derivative",
            "relative_strength_index",
            "chande_momentum_oscillator",
            "kaufmans_efficiency_ratio",
            "kaufmans_adaptive_moving_average",
        }
    )
    #: Forecasts from an aggregate's windows.
    _HOLT_WINTERS: ClassVar[frozenset[str]] = frozenset(
        {"holt_winters", "holt_winters_with_fit"}
    )
    #: Transformations that read one window before the range (server rule).
    _LOOK_BACK: ClassVar[frozenset[str]] = (
        frozenset(
            {
                "derivative",
                "non_negative_derivative",
                "difference",
                "non_negative_difference",
                "moving_average",
                "elapsed",
            }
        )
        | _TECHNICAL
    )
    _TRANSFORMS: ClassVar[frozenset[str]] = (
        _LOOK_BACK | {"cumulative_sum"} | _HOLT_WINTERS
    )
    #: Functions whose result type does not depend on the field's.
    _FLOAT_RESULT: ClassVar[frozenset[str]] = (
        frozenset(
            {
                "mean",
                "median",
                "stddev",
                "integral",
                "derivative",
                "non_negative_derivative",
                "moving_average",
            }
        )
        | _TECHNICAL
        | _HOLT_WINTERS
    )
    _NUMERIC: ClassVar[frozenset[str | None]] = frozenset({"float", "integer"})

    def __init__(
        self, catalog: Catalog | None = None, now_ns: int | None = None
    ) -> None:
        import time

        self.catalog = catalog or Catalog("", {})
        self.now_ns = time.time_ns() if now_ns is None else now_ns
        self.params: dict[str, Any] = {}
        #: The slice plans of the raw SELECTs compiled, by their SQL.
        self._streams: dict[str, StreamPlan] = {}

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
            f"The embedded engine (DuckDB) cannot run {what} yet; run this query "
            "on an InfluxDB server (influxpy.connect('influxdb://…'))."
        )
        return UnsupportedCompilation(msg, dialect=self.dialect, node=what)

    def _param(self, value: Any) -> str:
        """Bind *value*; numbers keep InfluxQL's integer/float distinction."""
        name = f"p{len(self.params)}"
        self.params[name] = value
        if isinstance(value, bool):
            return f"CAST(${name} AS BOOLEAN)"
        if isinstance(value, int):
            return f"CAST(${name} AS BIGINT)"
        if isinstance(value, float):
            return f"CAST(${name} AS DOUBLE)"
        return f"${name}"

    def _table(self, source: Source) -> tuple[str, Mapping[str, ColumnInfo]] | None:
        if source.database and source.database != self.catalog.database:
            raise self._unsupported("queries across databases")
        rp = source.retention_policy or self.catalog.default_rp
        columns = self.catalog.tables.get((rp, source.measurement))
        if columns is None:
            return None
        database = ident(self.catalog.database)
        return f"{database}.{ident(rp + '.' + source.measurement)}", columns

    # -- DELETE --------------------------------------------------------------

    def _compile_delete(self, delete: Delete) -> Compiled:
        found = self._table(delete.source)
        if found is None:
            return Compiled("", meta={"action": "empty"})
        table, columns = found
        where = "TRUE"
        if delete.where is not None:
            where = self._where(delete.where, columns, with_time=True)
        text = f"DELETE FROM {table} WHERE {where}"
        return Compiled(text, dict(self.params), writes=True, meta={"action": "delete"})

    # -- conditions ------------------------------------------------------------

    def _where(
        self,
        node: WhereNode,
        columns: Mapping[str, ColumnInfo],
        *,
        with_time: bool = False,
        tags_only: bool = False,
    ) -> str:
        """SQL for a condition tree.

        Time conditions become ``TRUE`` unless *with_time* (SELECT applies
        them as bounds); with *tags_only*, field conditions become ``TRUE``
        too, which is how the server's index picks series.
        """
        parts = []
        for child in node.children:
            if isinstance(child, WhereNode):
                inner = self._where(
                    child, columns, with_time=with_time, tags_only=tags_only
                )
                parts.append(f"({inner})")
            elif child.lhs.role == "time":
                parts.append(self._time_condition(child) if with_time else "TRUE")
            elif tags_only and child.lhs.role != "tag":
                parts.append("TRUE")
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
            return ident(col.key), "tag"
        return ident(col.key), info.kind

    def _lookup(self, lookup: Lookup, columns: Mapping[str, ColumnInfo]) -> str:
        lhs, kind = self._column_sql(lookup.lhs, columns)
        if kind is None:
            # The server reads a name it does not know as a tag, absent
            # everywhere: its value is ''.
            lhs, kind = "''", "tag"
        name = lookup.lookup_name
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
                return "FALSE"
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
        return f"time {op} {int(self._time_value(lookup.rhs))}"

    def _bounds(self, where: WhereNode | None) -> _Bounds:
        bounds = _Bounds()
        if where is None:
            return bounds
        stack = list(where.children) if where.connector == "AND" else []
        if where.connector != "AND" and len(where.children) == 1:
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

    @staticmethod
    def _range_sql(low: int | None, high: int | None) -> str:
        parts = []
        if low is not None:
            parts.append(f"time >= {int(low)}")
        if high is not None:
            parts.append(f"time <= {int(high)}")
        return " AND ".join(parts) or "TRUE"

    # -- SELECT --------------------------------------------------------------

    def _compile_query(self, query: Query) -> Compiled:
        gbt = query.group_by_time
        if query.timezone is not None and gbt is not None:
            interval = gbt.interval.nanoseconds
            day = 86_400 * _SECOND
            if interval % day and interval > smallest_change(query.timezone):
                # Windows longer than a change of offset but not whole days
                # are cut differently by the server's aggregates and
                # selectors around a change.
                what = (
                    "tz() with a resolution() longer than the zone's changes of "
                    "offset but not a whole number of days"
                )
                raise self._unsupported(what)
        if query.into is not None:
            return self._compile_into(query, query.into)
        selected = self._select(query)
        if selected is None:
            return Compiled("", meta={"action": "empty"})
        sql = selected.sql
        params = self._used_params(sql)
        meta: dict[str, Any] = {
            "action": "select",
            "measurement": _measurement_of(query),
            "group_keys": selected.group_keys,
            "columns": selected.names,
        }
        if sql in self._streams:
            meta["stream"] = self._streams[sql]
        return Compiled(sql, params, meta=meta)

    def _used_params(self, sql: str) -> dict[str, Any]:
        used = set(re.findall(r"\$(p\d+)\b", sql))
        return {k: v for k, v in self.params.items() if k in used}

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
        meta: dict[str, Any] = {
            "action": "into",
            "measurement": target.measurement,
            "database": target.database,
            "retention_policy": target.retention_policy,
            "group_keys": [],
            "columns": [],
            "kinds": [],
        }
        if selected is None:
            return Compiled("", writes=True, meta=meta)
        meta.update(
            group_keys=selected.group_keys,
            columns=selected.names,
            kinds=selected.kinds,
        )
        sql = selected.sql
        return Compiled(sql, self._used_params(sql), writes=True, meta=meta)

    def _select(self, query: Query, limits: _Bounds | None = None) -> _Selected | None:
        """The SQL of one SELECT, or None when it reads nothing.

        *limits* is the time range an outer query imposes on a subquery.
        """
        subquery = isinstance(query.source, Query)
        if subquery:
            found = self._subquery_table(query)
        else:
            assert isinstance(query.source, Source)
            found = self._table(query.source)
        if found is None:
            return None
        table, columns = found
        tag_keys = sorted(k for k, c in columns.items() if c.role == "tag")
        star = "*" in query.group_by
        group_keys = tag_keys if star else sorted(set(query.group_by))
        groups = [self._column_sql(Col(k, "tag"), columns)[0] for k in group_keys]
        where = "TRUE"
        if query.where is not None:
            where = self._where(query.where, columns)
        bounds = self._bounds(query.where)
        if limits is not None:
            bounds = _intersect(bounds, limits)
        ctx = _Context(
            query=query,
            table=table,
            columns=columns,
            group_keys=group_keys,
            groups=groups,
            where=where,
            bounds=bounds,
            subquery=subquery,
        )
        items = self._expand_stars(list(query.select), columns)
        if any(self._has_call(item.expression) for item in items):
            found_sql = self._call_query(ctx, items)
        else:
            found_sql = self._raw_query(ctx, items)
        if found_sql is None:
            return None
        sql, names, kinds = found_sql
        return _Selected(sql, names, kinds, group_keys)

    # -- subqueries ------------------------------------------------------------

    def _subquery_table(
        self, outer: Query
    ) -> tuple[str, Mapping[str, ColumnInfo]] | None:
        """The rows of *outer*'s subquery as a table of tags and fields.

        The server runs the inner statement with the outer one's options
        merged in (``newIteratorOptionsSubstatement``): the outer GROUP BY
        tags are added to the inner ones, an inner aggregate without windows
        takes the outer windows, the time ranges intersect (``now()`` ends
        an outer query with windows), the outer order is used, and an inner
        ``fill(null)`` becomes ``fill(none)``.
        """
        inner = outer.source
        assert isinstance(inner, Query)
        for query in (outer, inner):
            if query.series_limit is not None or query.series_offset is not None:
                raise self._unsupported("series_limit() with subqueries")
        if "*" in outer.group_by:
            raise self._unsupported("group_by('*') on a subquery")
        changes: dict[str, Any] = {"descending": outer.descending}
        if "*" not in inner.group_by:
            changes["group_by"] = tuple(sorted({*inner.group_by, *outer.group_by}))
        grouped = bool(changes.get("group_by", inner.group_by))
        if grouped and (inner.limit is not None or inner.offset is not None):
            # The server's per-series limit inside a grouped subquery does
            # not keep the first rows of each series.
            raise self._unsupported("slicing a grouped subquery")
        inner_calls = any(self._has_call(i.expression) for i in inner.select)
        if outer.descending and inner_calls and len(inner.select) > 1:
            # In descending order the server splits the inner calls of one
            # series into separate rows.
            raise self._unsupported(
                "order_by('-time') over a subquery of several calls"
            )
        gbt = inner.group_by_time
        if inner_calls and gbt is None and outer.group_by_time is not None:
            if outer.timezone is not None:
                what = "tz() windows taken by a subquery without resolution()"
                raise self._unsupported(what)
            gbt = changes["group_by_time"] = outer.group_by_time
        if inner_calls and (inner.fill is None or inner.fill.mode == "null"):
            changes["fill"] = Fill("none")
        elif inner.fill is not None and inner.fill.mode != "none":
            # The server fills a subquery's windows per stored series, not
            # per group, when several series share a group.
            what = f"fill({inner.fill.mode!r}) inside a subquery"
            raise self._unsupported(what)
        limits = self._bounds(outer.where)
        if outer.group_by_time is not None and limits.upper is None:
            limits.upper = self.now_ns
        back = max(
            (self._query_look_back(outer, f) for f in outer.functions),
            default=0,
        )
        if back and outer.group_by_time is not None:
            # The outer transformations read windows before the range, and
            # so does the subquery they read.
            reach = back * self._interval_of(outer.group_by_time)[0]
            if outer.descending:
                limits.upper = (limits.upper or 0) + reach
            elif limits.lower is not None:
                limits.lower -= reach
        if (
            gbt is not None
            and inner_calls
            and limits.lower is not None
            and any(self._has_call(i.expression) for i in outer.select)
        ):
            own = self._bounds(inner.where).lower
            low = limits.lower if own is None else max(own, limits.lower)
            interval, shift = self._interval_of(gbt)
            start = low - ((low - shift) % interval)
            if inner.timezone is not None:
                start = tz_window(low, interval, shift, inner.timezone)
            if start < limits.lower:
                # The inner windows start before the outer range: the server
                # answers nothing without outer windows, and fills earlier
                # windows with them.
                what = (
                    "functions over a subquery whose resolution() windows start "
                    "before the time range (align the lower time bound to them)"
                )
                raise self._unsupported(what)
        selected = self._select(dataclasses.replace(inner, **changes), limits)
        if selected is None:
            return None
        clash = set(selected.names) & set(selected.group_keys)
        if clash:
            what = f"a subquery column named like a tag ({sorted(clash)[0]!r})"
            raise self._unsupported(what)
        outputs = [
            *(f"g{i} AS {ident(k)}" for i, k in enumerate(selected.group_keys)),
            "time",
            *(f"c{i} AS {ident(n)}" for i, n in enumerate(selected.names)),
        ]
        table = f"(SELECT {', '.join(outputs)} FROM ({selected.sql}))"
        columns = {k: ColumnInfo(k, "tag", _DIMENSION) for k in selected.group_keys}
        # A column of a field that does not exist has no type: the outer
        # query reads it as a field that does not exist either.
        columns.update(
            (name, ColumnInfo(name, "field", kind))
            for name, kind in zip(selected.names, selected.kinds, strict=True)
            if kind is not None
        )
        return table, columns

    def _expand_stars(
        self, items: list[SelectItem], columns: Mapping[str, ColumnInfo]
    ) -> list[SelectItem]:
        """``count(*)`` -> one call per field, named ``count_<field>``."""
        out: list[SelectItem] = []
        for item in items:
            expr = item.expression
            if not any(isinstance(n, Star) for n in expr.walk()):
                out.append(item)
                continue
            if not isinstance(expr, Func) or not isinstance(expr.source, Star):
                raise self._unsupported("* inside an expression")
            prefix = item.alias or expr.name.lower()
            for key in sorted(k for k, c in columns.items() if c.role == "field"):
                kind = columns[key].kind
                if expr.numeric and kind not in self._NUMERIC:
                    continue
                call = expr._copy(Col(key, "field", kind, key))
                out.append(SelectItem(call, f"{prefix}_{key}"))
        return out

    def _has_call(self, expr: Expression) -> bool:
        """Whether *expr* calls a function other than row-wise math."""
        return any(
            isinstance(node, Func) and node.name not in self.functions
            for node in expr.walk()
        )

    def _series_filter(self, ctx: _Context) -> str | None:
        """The group keys SLIMIT/SOFFSET keep, or None without them.

        The server slices the tag sets of the series whose tags can match
        the condition (field and time conditions count as true), in
        ascending order whatever the output order.
        """
        query = ctx.query
        if query.series_limit is None and query.series_offset is None:
            return None
        tags = "TRUE"
        if query.where is not None:
            tags = self._where(query.where, ctx.columns, tags_only=True)
        g = ctx.g
        keys = ", ".join(f"{gs} AS g{i}" for i, gs in enumerate(ctx.groups))
        order = self._tag_set_key(ctx) if g else "1"
        low = (query.series_offset or 0) + 1
        filters = [f"influxpy_rank >= {low}"]
        if query.series_limit is not None:
            filters.append(f"influxpy_rank < {low + query.series_limit}")
        distinct = f"SELECT DISTINCT {keys or '1 AS g'} FROM {ctx.table} WHERE {tags}"
        ranked = (
            f"SELECT *, dense_rank() OVER (ORDER BY {order}) AS influxpy_rank "
            f"FROM ({distinct})"
        )
        return f"SELECT * FROM ({ranked}) WHERE {' AND '.join(filters)}"

    def _tag_set_key(self, ctx: _Context) -> str:
        """The server index's sort key of a tag set (``MakeTagsKey``).

        Only the tags a series has count: ``k1|k2|v1|v2``, or '' without
        any, so ``t1|a`` sorts before ``t1|t2|a|x``.
        """
        present = [f"NULLIF(g{i}, '')" for i in range(len(ctx.groups))]
        names = [
            f"CASE WHEN g{i} != '' THEN {self._param(key)} END"
            for i, key in enumerate(ctx.group_keys)
        ]
        head = f"concat_ws('|', {', '.join(names)})"
        tail = f"concat_ws('|', {', '.join(present)})"
        return f"CASE WHEN {head} = '' THEN '' ELSE {head} || '|' || {tail} END"

    def _finish(
        self,
        ctx: _Context,
        body: str,
        names: list[str],
        *,
        order: list[str],
        limit_order: list[str] | None,
    ) -> str:
        """Apply LIMIT/OFFSET per series (if *limit_order*), SLIMIT, ORDER BY."""
        finish = self._finish_parts(ctx, names, order=order, limit_order=limit_order)
        return finish.sql(body)

    def _finish_parts(
        self,
        ctx: _Context,
        names: list[str],
        *,
        order: list[str],
        limit_order: list[str] | None,
    ) -> Finish:
        """The parts of ``_finish()`` around the rows it orders."""
        query = ctx.query
        g = ctx.g
        direction = ctx.direction
        filters = []
        if limit_order is not None and (
            query.limit is not None or query.offset is not None
        ):
            filters.extend(self._limit_filters(query, g, limit_order))
        outputs = ", ".join([*g, "time", *(f"c{i}" for i in range(len(names)))])
        qualify = f" QUALIFY {' AND '.join(filters)}" if filters else ""
        series = self._series_filter(ctx)
        where = ""
        if series is not None:
            match = " AND ".join(f"r.{c} = s.{c}" for c in g) or "TRUE"
            where = f" WHERE EXISTS (SELECT 1 FROM ({series}) s WHERE {match})"
        terms = ", ".join([*(f"{c} {direction}" for c in g), *order])
        return Finish(outputs, where, qualify, terms)

    @staticmethod
    def _limit_filters(query: Query, g: list[str], order: list[str]) -> list[str]:
        partition = f"PARTITION BY {', '.join(g)} " if g else ""
        rank = f"row_number() OVER ({partition}ORDER BY {', '.join(order)})"
        low = (query.offset or 0) + 1
        filters = [f"{rank} >= {low}"]
        if query.limit is not None:
            filters.append(f"{rank} < {low + query.limit}")
        return filters

    # -- raw queries -----------------------------------------------------------

    def _raw_query(
        self, ctx: _Context, items: list[SelectItem]
    ) -> tuple[str, list[str], list[str | None]] | None:
        if not items:
            keys = sorted(
                k
                for k, c in ctx.columns.items()
                if c.role == "field" or k not in ctx.group_keys
            )
            items = [
                SelectItem(Col(k, ctx.columns[k].role, ctx.columns[k].kind))
                for k in keys
            ]
        names = _output_names(items)
        typed = [self._row_expr(i.expression, ctx.columns) for i in items]
        exprs = [sql for sql, _kind in typed]
        referenced = sorted(
            {
                self._column_sql(c, ctx.columns)[0]
                for i in items
                for c in i.expression.walk()
                if isinstance(c, Col)
                and c.role in _VALUE_ROLES
                and c.key in ctx.columns
            }
        )
        if not referenced:
            return None
        present = " OR ".join(f"{r} IS NOT NULL" for r in referenced)
        if ctx.subquery:
            # Every row of a subquery comes out, even with null values.
            present = "TRUE"
        selected = ", ".join(
            [
                *(f"{g} AS g{i}" for i, g in enumerate(ctx.groups)),
                "time",
                f"{_tie_expr(ctx)} AS influxpy_tie",
                *(f"{e} AS c{i}" for i, e in enumerate(exprs)),
            ]
        )
        # A subquery's rows are already inside the range; those of windows
        # starting before it are kept, as the server keeps them.
        bounds = (
            "TRUE"
            if ctx.subquery
            else self._range_sql(ctx.bounds.lower, ctx.bounds.upper)
        )
        body = (
            f"SELECT {selected} FROM {ctx.table} "
            f"WHERE {ctx.where} AND {bounds} AND ({present})"
        )
        order = [f"time {ctx.direction}", f"influxpy_tie {ctx.direction}"]
        finish = self._finish_parts(ctx, names, order=order, limit_order=order)
        sql = finish.sql(body)
        if not ctx.subquery:
            # The backend may run it in slices of the output order.
            query = ctx.query
            self._streams[sql] = StreamPlan(
                finish=finish,
                body=body,
                table=ctx.table,
                groups=len(ctx.groups),
                descending=query.descending,
                whole_series=query.limit is not None or query.offset is not None,
                width=row_width(
                    len(ctx.groups), _tie_expr(ctx) != "0", [k for _s, k in typed]
                ),
            )
        return sql, names, [kind for _sql, kind in typed]

    def _row_expr(
        self, node: Expression, columns: Mapping[str, ColumnInfo]
    ) -> tuple[str, str | None]:
        """SQL and kind of a row-wise expression over stored columns."""
        if isinstance(node, Col):
            sql, kind = self._column_sql(node, columns)
            info = columns.get(node.key)
            if kind == "tag" and info is not None and info.kind == _DIMENSION:
                return sql, "string"
            if kind == "tag":
                return f"NULLIF({sql}, '')", "string"
            return sql, kind
        return self._scalar(node, lambda n: self._row_expr(n, columns))

    def _scalar(self, node: Expression, leaf: Any) -> tuple[str, str | None]:
        """Literals, arithmetic and math functions over *leaf* values."""
        if isinstance(node, Value):
            value = node.value
            kind = _literal_kind(value)
            return self._param(value), kind
        if isinstance(node, CombinedExpression):
            left = self._scalar(node.lhs, leaf)
            right = self._scalar(node.rhs, leaf)
            return _arith(left, node.op, right)
        if isinstance(node, Func) and node.name in self.functions:
            if node.source is None:
                what = f"{node.name}() without an argument"
                raise self._unsupported(what)
            return self._math(node, self._scalar(node.source, leaf), leaf)
        if isinstance(node, (Col, Func)):
            result: tuple[str, str | None] = leaf(node)
            return result
        what = f"{type(node).__name__} in a select list"
        raise self._unsupported(what)

    def _math(
        self, func: Func, arg: tuple[str, str | None], leaf: Any
    ) -> tuple[str, str | None]:
        """A math function as InfluxDB's MathValuer computes it."""
        sql, kind = arg
        name = func.name
        if kind not in self._NUMERIC:
            return "CAST(NULL AS DOUBLE)", "float"
        if name in self._KEEP_INTEGER and kind == "integer":
            return sql, "integer"
        if name == "abs":
            return f"abs({sql})", kind
        if name in ("ceil", "floor"):
            return f"{name}({sql})", "float"
        if name == "round":
            return f"round({sql})", "float"
        x = f"CAST({sql} AS DOUBLE)"
        if name == "log":
            base = self._param(float(func.params[0]))
            value = f"ln({x}) / ln({base})"
        elif name == "pow":
            value = f"pow({x}, {self._param(float(func.params[0]))})"
        elif name == "atan2":
            other, other_kind = self._scalar(func.params[0], leaf)
            if other_kind not in self._NUMERIC:
                return "CAST(NULL AS DOUBLE)", "float"
            value = f"atan2({x}, CAST({other} AS DOUBLE))"
        else:
            value = f"{self.functions[name]}({x})"
        return f"influxpy_null_nan({value})", "float"

    # -- function calls ------------------------------------------------------------

    def _call_query(
        self, ctx: _Context, items: list[SelectItem]
    ) -> tuple[str, list[str], list[str | None]] | None:
        names = _output_names(items)
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
        multi = [c for c in calls if c.name in self._MULTI_ROW]
        if multi:
            if len(items) != 1 or items[0].expression is not multi[0]:
                what = f"{multi[0].name}() with other columns"
                raise self._unsupported(what)
            return self._multi_row_query(ctx, multi[0], names)
        if aux and (len(calls) != 1 or calls[0].name not in self._SELECTORS):
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
        for index, call in enumerate(calls):
            relation = self._call_relation(
                ctx, call, index, ctes, lone_selector, len(aux)
            )
            relations.append(relation)
        if all(r is None for r in relations):
            return None
        g = ctx.g
        direction = ctx.direction
        limited = query.limit is not None or query.offset is not None
        sources: list[tuple[int, str]] = []
        cells: list[str] = []
        for index, (call, relation) in enumerate(zip(calls, relations, strict=True)):
            symbol = f"s{index}"
            if relation is None:
                cells.append(self._missing_cell(ctx, call))
                continue
            name = relation.name
            if limited:
                order = [f"time {direction}"]
                qualify = " AND ".join(self._limit_filters(query, g, order))
                ctes.append(f"{name}_l AS (SELECT * FROM {name} QUALIFY {qualify})")
                name = f"{name}_l"
            sources.append((index, name))
            if len(calls) > 1:
                symbol = self._default_cell(ctx, symbol, relation)
            cells.append(symbol)
        keys = [*g, "time", *(["influxpy_n"] if self._ordinal(ctx) else [])]
        extra_names = [f"a{j}" for j in range(len(aux))]
        if len(sources) == 1:
            index, name = sources[0]
            merged = (
                f"SELECT {', '.join([*keys, f'v AS s{index}', *extra_names])} "
                f"FROM {name}"
            )
        else:
            union = " UNION ".join(
                f"SELECT {', '.join(keys)} FROM {name}" for _, name in sources
            )
            joins = "".join(
                f" LEFT JOIN (SELECT {', '.join([*keys, f'v AS s{i}'])} "
                f"FROM {name}) AS j{i} USING ({', '.join(keys)})"
                for i, name in sources
            )
            columns = [*keys, *(f"s{i}" for i, _ in sources)]
            merged = f"SELECT {', '.join(columns)} FROM ({union}) AS k{joins}"
        ctes.append(f"merged AS ({merged})")
        values = [f"{cell} AS s{i}" for i, cell in enumerate(cells)]
        values += [
            f"{self._aux_cell(ctx, f'a{j}', kind)} AS a{j}"
            for j, (_sql, kind) in enumerate(extra)
        ]
        ctes.append(f"cells AS (SELECT {', '.join([*keys, *values])} FROM merged)")
        symbols: dict[Any, tuple[str, str | None]] = {
            call: (f"s{i}", self._symbol_kind(ctx, call, relation))
            for i, (call, relation) in enumerate(zip(calls, relations, strict=True))
        }
        symbols.update(
            (col, (f"a{j}", kind))
            for j, (col, (_sql, kind)) in enumerate(zip(aux, extra, strict=True))
        )
        outputs = []
        kinds: list[str | None] = []
        for index, item in enumerate(items):
            sql, kind = self._scalar(
                item.expression, lambda n: self._symbol(n, symbols)
            )
            if kind == "float":
                sql = f"influxpy_null_nan({sql})"
            outputs.append(f"{sql} AS c{index}")
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
        order = [f"time {direction}"]
        if self._ordinal(ctx):
            order.append("influxpy_n ASC")
        sql = self._finish(ctx, body, names, order=order, limit_order=None)
        return sql, names, kinds

    def _symbol_kind(
        self, ctx: _Context, call: Func, relation: _Relation | None
    ) -> str | None:
        if relation is not None:
            return relation.kind
        return self._call_kind(call, ctx.columns) or "float"

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
            return self._fill_literal(fill.value, kind)
        if kind == "integer":
            return "CAST(NULL AS BIGINT)"
        return "CAST(NULL AS DOUBLE)"

    def _typed(self, call: Func) -> bool:
        """Whether a call's type is known without its field (COUNT, MEAN…,
        or a transformation of one)."""
        name = call.name
        if name in ("count", "elapsed") or name in self._FLOAT_RESULT:
            return True
        source = call.source
        return (
            name in self._TRANSFORMS
            and isinstance(source, Func)
            and (self._typed(source))
        )

    def _symbol(
        self, node: Any, symbols: Mapping[Any, tuple[str, str | None]]
    ) -> tuple[str, str | None]:
        if isinstance(node, (Func, Col)) and node in symbols:
            return symbols[node]
        if isinstance(node, Col):
            raise self._unsupported("raw fields inside arithmetic with functions")
        what = f"{node!r} in a select list"
        raise self._unsupported(what)

    def _aux_cell(self, ctx: _Context, name: str, kind: str | None) -> str:
        """A field next to a selector: the server's cursor fills it too.

        ``fill(previous)`` carries the last value seen in the series, a
        number replaces nulls (only numeric fields can hold it here).
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
                what = "a number fill() next to text or boolean fields"
                raise self._unsupported(what)
            return f"coalesce({name}, {self._fill_literal(fill.value, kind)})"
        if fill.mode == "previous":
            return _fill_previous(ctx, name)
        return name

    def _calls_of(self, expr: Any) -> Iterator[Func]:
        """The function calls the server evaluates on their own (not math)."""
        if isinstance(expr, Func):
            if expr.name in self.functions:
                if expr.source is not None:
                    yield from self._calls_of(expr.source)
                for param in expr.params:
                    if isinstance(param, Expression):
                        yield from self._calls_of(param)
                return
            yield expr
        elif isinstance(expr, CombinedExpression):
            yield from self._calls_of(expr.lhs)
            yield from self._calls_of(expr.rhs)
        elif isinstance(expr, Col):
            raise self._unsupported("raw fields inside arithmetic with functions")

    def _check_call(self, ctx: _Context, call: Func) -> None:
        name = call.name
        source = call.source
        windows = ctx.query.group_by_time is not None
        if name in self._TRANSFORMS:
            if isinstance(source, Col):
                if windows:
                    what = f"{name}() of raw values with resolution()"
                    raise self._unsupported(what)
                return
            if not isinstance(source, Func) or (
                source.name not in self._AGGREGATES | self._SELECTORS | self._TRANSFORMS
            ):
                what = f"{name}() of {source!r}"
                raise self._unsupported(what)
            if not windows:
                what = f"{name}() of a function without resolution()"
                raise self._unsupported(what)
            if source.name in self._TRANSFORMS and isinstance(source.source, Col):
                what = f"{name}() of {source.name}() of raw values"
                raise self._unsupported(what)
            special = self._TECHNICAL | self._HOLT_WINTERS
            if source.name in self._TRANSFORMS and (
                name in special or source.name in special
            ):
                what = f"{name}() of {source.name}()"
                raise self._unsupported(what)
            self._check_call(ctx, source)
            return
        if name == "count" and isinstance(source, Func) and source.name == "distinct":
            if not isinstance(source.source, Col):
                raise self._unsupported("count(distinct()) of an expression")
            return
        if name not in self._AGGREGATES | self._SELECTORS:
            what = f"{name}()"
            raise self._unsupported(what)
        if not isinstance(source, Col):
            what = f"{name}() of an expression"
            raise self._unsupported(what)
        if name == "integral" and windows and ctx.query.descending:
            what = "integral() with resolution() in descending order"
            raise self._unsupported(what)

    def _base(self, ctx: _Context, calls: list[Func], extra: list[str]) -> str:
        """The stored rows every call reads: group keys, time, fields, and
        the raw columns next to a selector (``a0``, ``a1``…)."""
        fields = sorted(
            {
                ident(c.key)
                for call in calls
                for c in call.walk()
                if isinstance(c, Col)
                and c.role in _VALUE_ROLES
                and c.key in ctx.columns
            }
        )
        low, high = self._span(ctx, calls)
        codes = [ident(code_column(k)) for k in ctx.group_keys if ctx.codes]
        selected = ", ".join(
            [
                *(f"{g} AS g{i}" for i, g in enumerate(ctx.groups)),
                *(f"{c} AS gc{i}" for i, c in enumerate(codes)),
                "time",
                *fields,
                *(f"{sql} AS a{j}" for j, sql in enumerate(extra)),
            ]
        )
        return (
            f"SELECT {selected} FROM {ctx.table} "
            f"WHERE {ctx.where} AND {self._range_sql(low, high)}"
        )

    def _interval(self, ctx: _Context) -> tuple[int, int]:
        gbt = ctx.query.group_by_time
        assert gbt is not None
        return self._interval_of(gbt)

    def _interval_of(self, gbt: GroupByTime) -> tuple[int, int]:
        """The window length and its offset modulo the length, in ns."""
        interval = gbt.interval.nanoseconds
        offset = gbt.offset
        if offset is None:
            shift = 0
        elif isinstance(offset, Now):
            shift = (self.now_ns + offset.offset_ns) % interval
        else:
            shift = offset.nanoseconds % interval
        return interval, shift

    def _window_sql(self, ctx: _Context, low: int | None = None) -> str:
        """SQL for the start of the window holding each row's ``time``.

        Windows align to the epoch plus the offset; with ``tz()`` to local
        time, as the server's ``IteratorOptions.Window`` computes them.
        *low*, when given, is a lower bound of the rows' times.
        """
        interval, shift = self._interval(ctx)
        if ctx.query.timezone is None and low is not None and low >= shift:
            # No row before the shift: DuckDB's truncating % is the floor.
            moved = f"time - {shift}" if shift else "time"
            return f"time - ({moved}) % {interval}"
        if ctx.query.timezone is None:
            # DuckDB's % truncates: one modulo from the shift on, a floored
            # one (two more) before it, where times are rare.
            return (
                f"CASE WHEN time >= {shift} THEN time - (time - {shift}) % {interval} "
                f"ELSE time - (((time - {shift}) % {interval}) + {interval}) "
                f"% {interval} END"
            )
        zone = self._param(ctx.query.timezone)
        return f"influxpy_tz_window(time, {interval}, {shift}, {zone})"

    @staticmethod
    def _ordinal(ctx: _Context) -> bool:
        """Whether rows carry ``influxpy_n``, their rank among rows of the
        same time (windows in local time can share a start)."""
        query = ctx.query
        return query.timezone is not None and query.group_by_time is not None

    def _tz_assigned(self, ctx: _Context, rows: str) -> str:
        """*rows* with the window each is reduced in (``influxpy_w``), for
        windows in local time (see ``tz_assign``)."""
        interval, shift = self._interval(ctx)
        zone = self._param(ctx.query.timezone)
        g = ctx.g
        descending = "TRUE" if ctx.query.descending else "FALSE"
        times = "list_sort(list_distinct(list(time)))"
        assign = (
            f"influxpy_tz_assign({times}, {interval}, {shift}, {zone}, {descending})"
        )
        grouped = f"SELECT {', '.join([*g, ''])}unnest({assign}) AS a FROM ({rows})"
        if g:
            grouped += f" GROUP BY {', '.join(g)}"
        columns = ["a.t AS time", "a.w AS influxpy_w", "a.k AS influxpy_k"]
        windows = f"SELECT {', '.join([*g, *columns])} FROM ({grouped})"
        using = ", ".join([*g, "time"])
        return f"({rows}) AS influxpy_r JOIN ({windows}) AS influxpy_a USING ({using})"

    def _window_of(self, ctx: _Context, stamp: int) -> int:
        """The start of the window holding *stamp* (see ``_window_sql``)."""
        interval, shift = self._interval(ctx)
        if ctx.query.timezone is None:
            return stamp - ((stamp - shift) % interval)
        return tz_window(stamp, interval, shift, ctx.query.timezone)

    def _call_range(
        self, ctx: _Context, call: Func, *, grid: bool = False
    ) -> tuple[int | None, int | None]:
        """The time range a call reads (inclusive bounds, None for open).

        With *grid*, the range whose windows are filled: the fill iterator
        starts from every level's look-back even where no data is read.
        """
        low, high = ctx.bounds.lower, ctx.bounds.upper
        if ctx.query.group_by_time is None:
            return low, high
        if high is None:
            high = self.now_ns
        back = self._look_back(ctx, call, grid=grid)
        if back:
            interval, _shift = self._interval(ctx)
            if ctx.query.descending:
                high += back * interval
            elif low is not None:
                low -= back * interval
        return low, high

    def _look_back(self, ctx: _Context, call: Func, *, grid: bool = False) -> int:
        """How many windows before the range a transformation of an aggregate
        reads (see ``_query_look_back``)."""
        return self._query_look_back(ctx.query, call, grid=grid)

    def _query_look_back(self, query: Query, call: Func, *, grid: bool = False) -> int:
        """How many windows before the range a transformation of an aggregate
        reads.

        Each level of DERIVATIVE, DIFFERENCE, MOVING_AVERAGE or ELAPSED in
        the chain moves the start back one window (``select.go``), but the
        shards read are limited to the query's extra intervals: 1, or N for
        MOVING_AVERAGE(…, N), the largest of the statement's calls.
        """
        levels = 0
        node: Any = call
        while isinstance(node, Func) and node.name in self._TRANSFORMS:
            levels += node.name in self._LOOK_BACK
            node = node.source
        if not isinstance(node, Func):
            return 0
        if grid:
            return levels
        extra = max(
            (
                int(f.params[0]) if f.name == "moving_average" else 1
                for f in query.functions
                if f.name in self._LOOK_BACK
            ),
            default=0,
        )
        return min(levels, extra)

    def _span(self, ctx: _Context, calls: list[Func]) -> tuple[int | None, int | None]:
        ranges = [self._call_range(ctx, call) for call in calls]
        lows = [r[0] for r in ranges]
        highs = [r[1] for r in ranges]
        low = None if None in lows else min(x for x in lows if x is not None)
        high = None if None in highs else max(x for x in highs if x is not None)
        return low, high

    def _call_kind(self, call: Func, columns: Mapping[str, ColumnInfo]) -> str | None:
        """The type of a call's values (None when its field does not exist)."""
        name = call.name
        source = call.source
        if name == "count":
            return "integer"
        if name in self._FLOAT_RESULT:
            return "float"
        if name == "elapsed":
            return "integer"
        if isinstance(source, Func):
            return self._call_kind(source, columns)
        if isinstance(source, Col):
            return self._column_sql(source, columns)[1]
        return None

    def _field_exists(self, call: Func, columns: Mapping[str, ColumnInfo]) -> bool:
        return any(
            isinstance(c, Col) and c.role in _VALUE_ROLES and c.key in columns
            for c in call.walk()
        )

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
        if not self._field_exists(call, ctx.columns):
            return None
        kind = self._call_kind(call, ctx.columns)
        name = f"c{index}"
        if call.name in self._TRANSFORMS:
            source = call.source
            if isinstance(source, Col):
                x, _kind = self._column_sql(source, ctx.columns)
                low, high = self._call_range(ctx, call)
                rows = (
                    f"SELECT {', '.join([*ctx.g, 'time', f'{x} AS v'])} FROM base "
                    f"WHERE {x} IS NOT NULL AND {self._range_sql(low, high)}"
                )
            else:
                assert isinstance(source, Func)
                inner = self._chain_rows(ctx, source, call, f"{name}_in", ctes)
                rows = f"SELECT * FROM {inner} WHERE v IS NOT NULL"
            transformed = self._transform(ctx, call, rows)
            if self._ordinal(ctx):
                transformed = f"SELECT *, 1 AS influxpy_n FROM ({transformed})"
            ctes.append(f"{name} AS ({transformed})")
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
        if node.name not in self._TRANSFORMS:
            return self._aggregate_rows(ctx, node, outer, name, ctes)
        source = node.source
        assert isinstance(source, Func)
        inner = self._chain_rows(ctx, source, outer, f"{name}_in", ctes)
        rows = f"SELECT * FROM {inner} WHERE v IS NOT NULL"
        ctes.append(f"{name} AS ({self._transform(ctx, node, rows)})")
        return name

    def _aggregate_rows(
        self,
        ctx: _Context,
        call: Func,
        outer: Func,
        name: str,
        ctes: list[str],
        *,
        lone_selector: bool = False,
        aux: int = 0,
    ) -> str:
        """CTEs for an aggregate or selector call, windowed and filled.

        *aux* raw columns of the base (``a0``…) are taken from the selected
        point, for a selector next to raw fields.
        """
        query = ctx.query
        gbt = query.group_by_time
        source = call.source
        if isinstance(source, Func):  # count(distinct(x))
            source = source.source
        assert isinstance(source, Col)
        x, kind = self._column_sql(source, ctx.columns)
        low, high = self._call_range(ctx, outer)
        g = ctx.g
        value, selected_time = self._reduce(call, x, kind, query.descending)
        if gbt is not None:
            bucket = self._window_sql(ctx, low)
        elif lone_selector and selected_time is not None:
            bucket = None
        else:
            bucket = str(ctx.bounds.lower if ctx.bounds.lower is not None else 0)
        if call.name == "integral" and gbt is not None:
            ctes.append(f"{name} AS ({self._integral_windows(ctx, call, x, kind)})")
            return name
        stamp = bucket if bucket is not None else selected_time
        # Every row read has a value, so a group by a tag or window has one;
        # without either, an empty input still makes a row to drop.
        having = "" if g or gbt is not None else f"count({x}) > 0"
        if call.name == "integral":
            # The server's reducer stamps a float integral with 0 and an
            # integer one with the lower bound, and drops the row when the
            # last point sits on that stamp.
            stamp = "0" if kind == "float" else str(bucket)
            if not query.descending:
                having = " AND ".join(filter(None, [having, f"max(time) != {stamp}"]))
        extra = [f"a{j}" for j in range(aux)]
        picked = [f"{self._selected(call, x, a)} AS {a}" for a in extra]
        rows = f"base WHERE {x} IS NOT NULL AND {self._range_sql(low, high)}"
        grouping = "ALL"
        if gbt is not None and query.timezone is not None:
            rows = self._tz_assigned(ctx, f"SELECT * FROM {rows}")
            # Windows are told apart by their sequence number (``k``).
            bucket = "influxpy_k"
            stamp = "influxpy_w"
            grouping = ", ".join([*g, "influxpy_k", "influxpy_w"])
            if selected_time is not None:
                # A selector's row is reported in the window of the point it
                # picked, which can differ from the window it was gathered in.
                stamp = self._window_sql(ctx).replace("(time,", f"({selected_time},", 1)
                grouping = ", ".join([*g, "influxpy_k"])
        if call.name == "percentile":
            # Rank the points of each group once (a window sorts per group),
            # instead of building and sorting a list of every value.
            parts = [*g, bucket] if gbt is not None and bucket is not None else g
            if parts:
                over = f"PARTITION BY {', '.join(parts)}"
                ranked = (
                    f"SELECT *, row_number() OVER ({over} ORDER BY {x}, time) "
                    f"AS influxpy_rn, count(*) OVER ({over}) AS influxpy_n "
                    f"FROM {rows}"
                )
            else:
                ranked = (
                    f"SELECT * FROM (SELECT *, row_number() OVER (ORDER BY {x}, "
                    f"time) AS influxpy_rn FROM {rows}) CROSS JOIN "
                    f"(SELECT count(*) AS influxpy_n FROM {rows})"
                )
            # Only the selected point of each group is left; a group without
            # one has no row, as when its value was NULL.
            rows = f"(SELECT * FROM ({ranked}) WHERE {self._percentile_hit(call)})"
        codes = ctx.codes if grouping == "ALL" else []
        reported = "r.time"
        if codes and gbt is not None and low is not None:
            # Windows numbered from the first: with the codes, a key of two
            # small integers, which DuckDB aggregates in a perfect hash table.
            interval, _shift = self._interval(ctx)
            first = self._window_of(ctx, low)
            stamp = f"(time - {first}) // {interval}"
            reported = f"{first} + r.time * {interval} AS time"
        outputs = [f"{stamp} AS time", f"{value} AS v", *picked]
        real = (
            f"SELECT {', '.join([*(codes or g), *outputs])} "
            f"FROM {rows} GROUP BY {grouping}{f' HAVING {having}' if having else ''}"
        )
        if codes:
            # Grouped by the tags' codes; their values are looked up once
            # per group.
            values = [f"d{i}.value AS g{i}" for i in range(len(codes))]
            kept = [reported, "r.v", *(f"r.{a}" for a in extra)]
            joins = "".join(
                f" JOIN {TAG_CODES} d{i} ON r.{c} = d{i}.code"
                for i, c in enumerate(codes)
            )
            real = f"SELECT {', '.join([*values, *kept])} FROM ({real}) AS r{joins}"
        if call.name == "percentile":
            real = f"SELECT * FROM ({real}) WHERE v IS NOT NULL"
        if self._ordinal(ctx):
            # Two windows can start at the same time: number the rows of a
            # time in window order, as the server emits them.
            over = f"PARTITION BY {', '.join([*g, 'time'])} ORDER BY influxpy_k"
            real = (
                f"SELECT * EXCLUDE (influxpy_k), row_number() OVER ({over}) "
                f"AS influxpy_n FROM ({real.replace(' AS v', ' AS v, influxpy_k', 1)})"
            )
        fill = query.fill
        mode = fill.mode if fill is not None else "null"
        if gbt is None or mode == "none":
            ctes.append(f"{name} AS ({real})")
            return name
        ctes.append(f"{name}_real AS ({real})")
        interval, _shift = self._interval(ctx)
        low, high = self._call_range(ctx, outer, grid=True)
        assert high is not None
        end = self._window_of(ctx, high)
        if low is None:
            starts = ", ".join([*g, "min(time) AS s"])
            span = f"SELECT {starts} FROM {name}_real GROUP BY ALL"
        else:
            starts = ", ".join([*g, f"{self._window_of(ctx, low)} AS s"])
            span = f"SELECT DISTINCT {starts} FROM {name}_real"
        windows = f"unnest(range(s, {end + 1}, {interval})) AS time"
        grid = f"SELECT {', '.join([*g, windows])} FROM ({span})"
        if ctx.query.timezone is not None:
            grid = self._tz_grid(ctx, f"{name}_real", low, end)
        using = ", ".join([*g, "time"])
        ordinal = (
            ["coalesce(r.influxpy_n, 1) AS influxpy_n"] if self._ordinal(ctx) else []
        )
        picked_columns = ["r.v", *(f"r.{a}" for a in extra), *ordinal]
        joined = (
            f"SELECT grid.*, {', '.join(picked_columns)}, "
            "coalesce(r.present, FALSE) AS present "
            f"FROM ({grid}) AS grid LEFT JOIN "
            f"(SELECT *, TRUE AS present FROM {name}_real) AS r USING ({using})"
        )
        filled = self._fill_value(ctx, call, interval)
        kept = [
            *g,
            "time",
            f"{filled} AS v",
            *extra,
            *(["influxpy_n"] if ordinal else []),
        ]
        ctes.append(f"{name} AS (SELECT {', '.join(kept)} FROM ({joined}) AS j)")
        return name

    def _integral_windows(
        self, ctx: _Context, call: Func, x: str, kind: str | None
    ) -> str:
        """INTEGRAL per window, as the server's integral reducer streams it.

        The reducer reads a group's points in time order across windows:
        crossing a window's end, it adds the area up to the end (the value
        there interpolated toward the next point) and emits the window; the
        area from that end to the next point goes to the next point's
        window. Empty windows have no row whatever the fill.
        """
        interval, shift = self._interval(ctx)
        unit = call.params[0].nanoseconds if call.params else _SECOND
        low, high = self._call_range(ctx, call)
        g = ctx.g
        points = f"list(time ORDER BY time), list(CAST({x} AS DOUBLE) ORDER BY time)"
        integer = "TRUE" if kind == "integer" else "FALSE"
        zone = self._param(ctx.query.timezone or "")
        reduced = (
            f"SELECT {', '.join([*g, ''])}unnest(influxpy_integral_windows("
            f"{points}, {unit}, {interval}, {shift}, {integer}, {zone})) AS p "
            f"FROM base WHERE {x} IS NOT NULL AND {self._range_sql(low, high)}"
            + (f" GROUP BY {', '.join(g)}" if g else "")
        )
        columns = [*g, "p.t AS time", "p.v AS v"]
        if self._ordinal(ctx):
            columns.append("1 AS influxpy_n")
        return f"SELECT {', '.join(columns)} FROM ({reduced})"

    def _tz_grid(self, ctx: _Context, real: str, low: int | None, end: int) -> str:
        """The windows of each series with ``tz()``: the real rows and the
        windows the fill iterator adds around them (see ``tz_fill``)."""
        interval, _shift = self._interval(ctx)
        zone = self._param(ctx.query.timezone)
        g = ctx.g
        first_window = "NULL" if low is None else str(self._window_of(ctx, low))
        if ctx.query.descending:
            first, last, descending = str(end), first_window, "TRUE"
        else:
            first, last, descending = first_window, str(end), "FALSE"
        times = f"list(time ORDER BY time {ctx.direction})"
        filled = (
            f"influxpy_tz_fill({times}, {first}, {last}, {interval}, {zone}, "
            f"{descending})"
        )
        added = f"SELECT {', '.join([*g, ''])}unnest({filled}) AS time FROM {real}"
        if g:
            added += f" GROUP BY {', '.join(g)}"
        return f"{added} UNION SELECT {', '.join([*g, 'time'])} FROM {real}"

    def _fill_value(self, ctx: _Context, call: Func, interval: int) -> str:
        """The value of a window of *call*, filled as the server fills it."""
        fill = ctx.query.fill
        mode = fill.mode if fill is not None else "null"
        kind = self._call_kind(call, ctx.columns)
        partition = f"PARTITION BY {', '.join(ctx.g)} " if ctx.g else ""
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

    def _selected(self, call: Func, x: str, column: str) -> str:
        """*column* of the point a selector picks, with the same tie rules."""
        name = call.name
        if name == "first":
            return f"first({column} ORDER BY time ASC, {x} DESC)"
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
        (``influxpy_rn``) and the group's size (``influxpy_n``).
        """
        p = self._param(float(call.params[0]))
        rank = f"CAST(floor(CAST(influxpy_n AS DOUBLE) * {p} / 100.0 + 0.5) AS BIGINT)"
        return f"influxpy_rn = {rank}"

    def _reduce(
        self, call: Func, x: str, kind: str | None, descending: bool
    ) -> tuple[str, str | None]:
        """SQL reducing a window's values, and the selected point's time."""
        name = call.name
        source = call.source
        if name == "count" and isinstance(source, Func):
            return f"count(DISTINCT {x})", None
        if name == "count":
            return f"count({x})", None
        if name == "mean":
            return f"avg(CAST({x} AS DOUBLE))", None
        if name == "sum":
            cast = "BIGINT" if kind == "integer" else "DOUBLE"
            return f"CAST(sum({x}) AS {cast})", None
        if name == "median":
            return f"CAST(quantile_cont({x}, 0.5) AS DOUBLE)", None
        if name == "spread":
            return f"(max({x}) - min({x}))", None
        if name == "stddev":
            value = f"stddev_samp(CAST({x} AS DOUBLE))"
            return f"CASE WHEN count({x}) = 1 THEN {_FLOAT_NAN} ELSE {value} END", None
        if name == "mode" and kind == "boolean":
            trues = f"count({x}) FILTER (WHERE {x})"
            return f"({trues} >= count({x}) FILTER (WHERE NOT {x}))", None
        if name == "mode":
            text = kind in ("string", "tag")
            function = "influxpy_mode_index_text" if text else "influxpy_mode_index"
            cast = "VARCHAR" if text else "DOUBLE"
            values = f"list(CAST({x} AS {cast}) ORDER BY {x}, time)"
            times = f"list(time ORDER BY {x}, time)"
            picked = f"list({x} ORDER BY {x}, time)"
            return f"{picked}[{function}({values}, {times})]", None
        if name == "integral":
            unit = call.params[0].nanoseconds if call.params else _SECOND
            pairs = f"list(struct_pack(t := time, v := {x}) ORDER BY time)"
            # The server sums the trapezoids in output order, so ORDER BY
            # time DESC flips the sign.
            sign = "-" if descending else ""
            return f"{sign}influxpy_integral({pairs}) / {unit}", None
        if name == "first":
            return f"first({x} ORDER BY time ASC, {x} DESC)", "min(time)"
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

    def _transform(self, ctx: _Context, call: Func, rows: str) -> str:
        """A transformation over ``rows`` (g…, time, v), in output order."""
        name = call.name
        if name in self._TECHNICAL:
            return self._technical(ctx, call, rows)
        if name in self._HOLT_WINTERS:
            return self._holt_winters(ctx, call, rows)
        g = ctx.g
        descending = ctx.query.descending
        partition = f"PARTITION BY {', '.join(g)} " if g else ""
        window = f"({partition}ORDER BY time {ctx.direction})"
        gbt = ctx.query.group_by_time
        keep = "TRUE"
        if name in ("derivative", "non_negative_derivative"):
            unit = (
                call.params[0].nanoseconds
                if call.params
                else (gbt.interval.nanoseconds if gbt is not None else _SECOND)
            )
            elapsed = "pt - time" if descending else "time - pt"
            diff = "CAST(x - px AS DOUBLE)"
            value = f"{diff} / (CAST({elapsed} AS DOUBLE) / CAST({unit} AS DOUBLE))"
            keep = "px IS NOT NULL"
            if name.startswith("non_negative"):
                keep += f" AND NOT ({diff} < 0)"
        elif name in ("difference", "non_negative_difference"):
            value = "x - px"
            keep = "px IS NOT NULL"
            if name.startswith("non_negative"):
                keep += " AND NOT (x - px < 0)"
        elif name == "elapsed":
            unit = call.params[0].nanoseconds if call.params else 1
            value = f"(time - pt) // {unit}"
            keep = "pt IS NOT NULL"
        elif name == "moving_average":
            n = int(call.params[0])
            value = (
                f"avg(CAST(x AS DOUBLE)) OVER ({partition}ORDER BY time "
                f"{ctx.direction} ROWS BETWEEN {n - 1} PRECEDING AND CURRENT ROW)"
            )
            keep = f"rn >= {n}"
        elif name == "cumulative_sum":
            total = (
                f"sum(x) OVER ({partition}ORDER BY time {ctx.direction} "
                "ROWS UNBOUNDED PRECEDING)"
            )
            kind = self._call_kind(call, ctx.columns)
            value = f"CAST({total} AS {'BIGINT' if kind == 'integer' else 'DOUBLE'})"
        else:
            what = f"{name}()"
            raise self._unsupported(what)
        steps = (
            f"SELECT *, lag(x) OVER {window} AS px, lag(time) OVER {window} AS pt, "
            f"row_number() OVER {window} AS rn "
            f"FROM (SELECT {', '.join([*g, 'time', 'v AS x'])} FROM ({rows}))"
        )
        values = f"SELECT {', '.join([*g, 'time', f'{value} AS v'])}, {keep} AS k"
        kept = ", ".join([*g, "time", "v"])
        return f"SELECT {kept} FROM ({values} FROM ({steps})) WHERE k"

    def _technical(self, ctx: _Context, call: Func, rows: str) -> str:
        """A technical-analysis function over each series' rows in output
        order, as the server's reducer reads them point by point."""
        name = call.name
        period = int(call.params[0])
        hold = int(call.params[1]) if len(call.params) > 1 else -1
        if name == "triple_exponential_derivative" and hold == 0:
            msg = f"{name} hold period must be greater than or equal to 1"
            raise ProgrammingError(msg)
        default = "none" if name == "chande_momentum_oscillator" else _WARM_EMA
        warmup = call.params[2].value if len(call.params) > 2 else default
        g = ctx.g
        order = f"ORDER BY time {ctx.direction}"
        points = f"list(time {order}), list(CAST(v AS DOUBLE) {order})"
        arguments = ", ".join(
            [self._param(name), points, str(period), str(hold), self._param(warmup)]
        )
        reduced = (
            f"SELECT {', '.join([*g, ''])}"
            f"unnest(influxpy_technical({arguments})) AS p FROM ({rows})"
        )
        if g:
            reduced += f" GROUP BY {', '.join(g)}"
        return f"SELECT {', '.join([*g, 'p.t AS time', 'p.v AS v'])} FROM ({reduced})"

    def _holt_winters(self, ctx: _Context, call: Func, rows: str) -> str:
        """HOLT_WINTERS[_WITH_FIT](agg, N, S) over each series' windows."""
        if ctx.query.descending:
            what = f"{call.name}() in descending order"
            raise self._unsupported(what)
        interval, _shift = self._interval(ctx)
        h, season = int(call.params[0]), int(call.params[1])
        fit = "TRUE" if call.name == "holt_winters_with_fit" else "FALSE"
        g = ctx.g
        points = "list(time ORDER BY time), list(CAST(v AS DOUBLE) ORDER BY time)"
        arguments = f"{points}, {h}, {season}, {fit}, {interval}"
        reduced = (
            f"SELECT {', '.join([*g, ''])}"
            f"unnest(influxpy_holt_winters({arguments})) AS p FROM ({rows})"
        )
        if g:
            reduced += f" GROUP BY {', '.join(g)}"
        return f"SELECT {', '.join([*g, 'p.t AS time', 'p.v AS v'])} FROM ({reduced})"

    # -- TOP, BOTTOM, DISTINCT ----------------------------------------------------

    def _multi_row_query(
        self, ctx: _Context, func: Func, names: list[str]
    ) -> tuple[str, list[str], list[str | None]] | None:
        source = func.source
        if not isinstance(source, Col):
            what = f"{func.name}() of an expression"
            raise self._unsupported(what)
        if source.key not in ctx.columns:
            return None
        x, kind = self._column_sql(source, ctx.columns)
        g = ctx.g
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
            [*(f"{gs} AS g{i}" for i, gs in enumerate(ctx.groups)), "time"]
        )
        tags = func.params[:-1] if func.name in ("top", "bottom") else ()
        # The tag values TOP/BOTTOM(x, tag…, N) picks by ('' when absent).
        for i, tag in enumerate(tags):
            selected += f", {self._column_sql(tag, ctx.columns)[0]} AS k{i}"
        base = (
            f"SELECT {selected}, {x} AS x, {window} AS w FROM {ctx.table} "
            f"WHERE {ctx.where} AND {self._range_sql(low, high)} AND {x} IS NOT NULL"
        )
        if gbt is not None and query.timezone is not None:
            points = base.replace(f", {window} AS w FROM ", " FROM ", 1)
            base = f"SELECT *, influxpy_w AS w FROM {self._tz_assigned(ctx, points)}"
        partition = ", ".join([*g, "w"])
        direction = ctx.direction
        if func.name == "sample":
            # N points of each window picked at random, reported by time;
            # ORDER BY time DESC reverses only the windows, as on the server.
            n = int(func.params[0])
            pick = f"row_number() OVER (PARTITION BY {partition} ORDER BY influxpy_r)"
            body = (
                f"SELECT {', '.join([*g, 'time', 'w'])}, x AS c0 FROM "
                f"(SELECT *, random() AS influxpy_r FROM ({base})) "
                f"QUALIFY {pick} <= {n}"
            )
            order = [f"w {direction}", "time ASC"]
            sql = self._finish(ctx, body, names, order=order, limit_order=order)
            return sql, names, [kind]
        if func.name in ("top", "bottom") and len(func.params) > 1:
            return self._top_by_tags(ctx, func, names, base, kind)
        if func.name in ("top", "bottom"):
            n = int(func.params[0])
            if query.limit is not None and query.limit < n:
                msg = (
                    f"limit ({n}) in {func.name} function can not be larger than "
                    f"the LIMIT ({query.limit}) in the select statement"
                )
                raise ProgrammingError(msg)
            best = "DESC" if func.name == "top" else "ASC"
            # The n best points by value, ties to the earliest time: one
            # top-n pass over the rows (no window sorting every row).
            if not g and gbt is None:
                body = (
                    f"SELECT time, w, x AS c0 FROM ({base}) "
                    f"ORDER BY x {best}, time ASC LIMIT {n}"
                )
            else:
                top = func.name == "top"
                key = f"struct_pack(k0 := x, k1 := {'-time' if top else 'time'})"
                point = "struct_pack(t := time, v := x)"
                picked = f"{'max_by' if top else 'min_by'}({point}, {key}, {n})"
                best_rows = (
                    f"SELECT {partition}, unnest({picked}) AS influxpy_p "
                    f"FROM ({base}) GROUP BY {partition}"
                )
                body = (
                    f"SELECT {', '.join(g)}{', ' if g else ''}influxpy_p.t AS time, "
                    f"w, influxpy_p.v AS c0 FROM ({best_rows})"
                )
            order = [f"w {direction}", "time ASC", f"c0 {best}"]
        else:
            seen = "max(time)" if query.descending else "min(time)"
            stamp = "w" if gbt is not None else str(low if low is not None else 0)
            if gbt is not None and query.timezone is not None:
                # Reported in the window of the value's first point, which
                # can differ from the window it was gathered in.
                stamp = self._window_sql(ctx).replace("(time,", "(influxpy_seen,", 1)
            firsts = (
                f"SELECT {', '.join([*g, 'w', 'x', f'{seen} AS influxpy_seen'])} "
                f"FROM ({base}) GROUP BY {', '.join([*g, 'w', 'x'])}"
            )
            body = (
                f"SELECT {', '.join([*g, f'{stamp} AS time', 'w', 'influxpy_seen'])}, "
                f"x AS c0 FROM ({firsts})"
            )
            order = [f"w {direction}", "influxpy_seen ASC", "c0 ASC"]
        sql = self._finish(ctx, body, names, order=order, limit_order=order)
        return sql, names, [kind]

    def _top_by_tags(
        self, ctx: _Context, func: Func, names: list[str], base: str, kind: str | None
    ) -> tuple[str, list[str], list[str | None]]:
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
        g = ctx.g
        partition = ", ".join([*g, "w"])
        keys = [f"k{i}" for i in range(len(tags))]
        point = ", ".join(["t := time", "v := x", *(f"{k} := {k}" for k in keys)])
        order_key = f"struct_pack(a := x, b := {'-time' if top else 'time'})"
        per_tag = (
            f"SELECT {partition}, {pick}(struct_pack({point}), {order_key}) AS p "
            f"FROM ({base}) GROUP BY {', '.join([partition, *keys])}"
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
            "q.v AS c0",
            *(f"NULLIF(q.{k}, '') AS c{i + 1}" for i, k in enumerate(keys)),
        ]
        body = f"SELECT {', '.join(outputs)} FROM ({best})"
        all_names = [*names, *(tag.key for tag in tags)]
        direction = "DESC" if top else "ASC"
        order = [f"w {ctx.direction}", "time ASC", f"c0 {direction}"]
        sql = self._finish(ctx, body, all_names, order=order, limit_order=order)
        return sql, all_names, [kind, *(["string"] * len(tags))]


def _intersect(bounds: _Bounds, limits: _Bounds) -> _Bounds:
    """The time range inside both *bounds* and *limits*."""
    lows = [b for b in (bounds.lower, limits.lower) if b is not None]
    highs = [b for b in (bounds.upper, limits.upper) if b is not None]
    return _Bounds(max(lows) if lows else None, min(highs) if highs else None)


def _measurement_of(query: Query) -> str:
    """The measurement a query reads, through any subqueries."""
    source = query.source
    while isinstance(source, Query):
        source = source.source
    return source.measurement


def _fill_previous(ctx: _Context, column: str) -> str:
    """``fill(previous)``: the last non-null value so far in each series."""
    partition = f"PARTITION BY {', '.join(ctx.g)} " if ctx.g else ""
    return (
        f"last_value({column} IGNORE NULLS) OVER ({partition}ORDER BY "
        f"time {ctx.direction} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    )


def _tie_expr(ctx: _Context) -> str:
    """Break ties between equal times by series key, as a re-implementation must.

    Grouped by every tag, a series holds one tag set and never two rows at
    one time: no tie to break, so none to compute or sort by.
    """
    tags = sorted(k for k, c in ctx.columns.items() if c.role == "tag")
    if not tags or set(tags) <= set(ctx.group_keys):
        return "0"
    return "concat_ws(',', " + ", ".join(ident(t) for t in tags) + ")"


def _comparable(kind: str | None, value: Any) -> bool:
    """InfluxDB matches nothing when a literal's type differs from the column's."""
    if kind is None:
        return False
    if kind in ("tag", "string"):
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _literal_kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return None


def _arith(
    left: tuple[str, str | None], op: str, right: tuple[str, str | None]
) -> tuple[str, str | None]:
    """InfluxQL arithmetic: integers stay integers except in division.

    Division and integer modulo by zero give 0, as the server's evaluator
    does (a float modulo by zero is NaN, so null); anything but numbers
    gives null.
    """
    (a, ka), (b, kb) = left, right
    numeric = ("float", "integer")
    if ka not in numeric or kb not in numeric:
        return "CAST(NULL AS DOUBLE)", "float"
    both_int = ka == kb == "integer"
    if op == "/":
        return (
            f"(CASE WHEN {b} = 0 THEN 0.0 ELSE CAST({a} AS DOUBLE) / {b} END)",
            "float",
        )
    if op == "%":
        if both_int:
            return f"(CASE WHEN {b} = 0 THEN 0 ELSE {a} % {b} END)", "integer"
        remainder = f"fmod(CAST({a} AS DOUBLE), CAST({b} AS DOUBLE))"
        return f"influxpy_null_nan({remainder})", "float"
    kind = "integer" if both_int else "float"
    if not both_int:
        return f"(CAST({a} AS DOUBLE) {op} CAST({b} AS DOUBLE))", kind
    return f"({a} {op} {b})", kind


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
