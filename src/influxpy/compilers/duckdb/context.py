"""What every part of the DuckDB compiler shares.

The state of one SELECT (``_Context``, its time ``_Bounds``), what a
compiled SELECT or call gives back (``_Selected``, ``_Relation``), the
function tables, ``_CompilerBase`` (the compiler's state, parameter binding,
and the methods its parts call on each other) and small SQL helpers that
need no compiler.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from typing import Any, ClassVar

from influxpy.compilers.base import Compiler
from influxpy.compilers.duckdb.aliases import group_code_column, group_column
from influxpy.compilers.duckdb.catalog import (
    DIMENSION,
    Catalog,
    ColumnInfo,
    find_column,
    ident,
)
from influxpy.compilers.duckdb.plan import Binding, HeapOrder
from influxpy.compilers.duckdb.shared import SharedAggregates
from influxpy.compilers.duckdb.stream import StreamPlan
from influxpy.exceptions import UnsupportedCompilation
from influxpy.expressions import Col, Expression, WhereNode
from influxpy.function_specs import FUNCTIONS, names_where
from influxpy.functions import Func
from influxpy.query import GroupByTime, Query, SelectItem, Source

_SECOND = 1_000_000_000
_FLOAT_NAN = "CAST('NaN' AS DOUBLE)"
#: Column roles that read a value: a stored field, or a subquery's output.
_VALUE_ROLES = frozenset({"field", "alias"})
_DIMENSION = DIMENSION
#: The technical-analysis warmup a function uses unless it names one.
_WARM_EMA = "exponential"
#: Row-wise math functions (``functions`` spells them in DuckDB).
_MATH_FUNCTIONS = names_where(family="math")


@dataclasses.dataclass
class _Bounds:
    lower: int | None = None
    upper: int | None = None  # inclusive
    #: Set on the limits an outer query imposes when an inner transformation
    #: reads before its own range: the start (the end when descending)
    #: replaces the inner query's own (``subqueries._read_back``).
    read_back: bool = False
    #: The tags of the statement's own GROUP BY, which influxd hands every
    #: subquery under it as its tag sets' keys (``Dimensions``; None for
    #: ``*``, and for the statement itself). Only on the limits an outer
    #: query imposes.
    dimensions: tuple[str, ...] | None = None


def intersect(bounds: _Bounds, limits: _Bounds) -> _Bounds:
    """The time range inside both *bounds* and *limits* (only *limits*
    when they say they replace the other, ``read_back``)."""
    lows = [b for b in (bounds.lower, limits.lower) if b is not None]
    highs = [b for b in (bounds.upper, limits.upper) if b is not None]
    if limits.read_back:
        return _Bounds(limits.lower, limits.upper)
    return _Bounds(max(lows) if lows else None, min(highs) if highs else None)


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
    #: Whether this SELECT is a subquery another one reads.
    inner: bool = False
    #: Whether it has no windows of its own but the query reading it hands
    #: some down: influxd's compiler then takes them as its interval, so a
    #: transformation of a transformation of raw points passes its checks
    #: (and runs over the points, as without windows).
    inherited: bool = False
    #: Whether its calls may share one aggregate (``shared``): it has
    #: several.
    shares: bool = False
    #: Whether ``where`` keeps only the tag sets SLIMIT/SOFFSET keep in
    #: each shard group (``series_limits``).
    shard_sliced: bool = False
    #: Whether a window can hold points of several shard groups, whose
    #: parts of a SUM or MEAN influxd adds apart (``part_order``).
    shard_parts: bool = False
    #: The text a selector's merge heap compares points of one time by,
    #: of the columns beside it (``edge_picks``): SQL over ``base``.
    beside_texts: tuple[str, ...] = ()
    #: Of a subquery: the statement's GROUP BY tags, by which influxd makes
    #: its tag sets (``_Bounds.dimensions``); None where they are its own.
    dimensions: tuple[str, ...] | None = None

    @property
    def group_columns(self) -> list[str]:
        """The output names of the group columns (``group_column()``)."""
        return [group_column(i) for i in range(len(self.groups))]

    @property
    def codes(self) -> list[str]:
        """The code columns of the groups (``group_code_column()``), when every group is
        a coded tag: aggregates group by those, then look the values up."""
        keys = self.group_keys
        if not keys or self.query.timezone is not None:
            return []
        if not all(k in self.columns and self.columns[k].coded for k in keys):
            return []
        return [group_code_column(i) for i in range(len(keys))]

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
    #: The positions of the columns of a tag's values (``ColumnInfo.tagged``).
    tags: frozenset[int] = frozenset()


@dataclasses.dataclass
class _Relation:
    """The rows of one function call: ``(groups…, time, v)`` in a CTE."""

    name: str
    kind: str | None
    #: Whether its rows carry ``ORDINAL``, their rank among the call's rows
    #: of one time (points of several series read in influxd's merge order).
    numbered: bool = False


class _CompilerBase(Compiler):
    """The state and shared helpers of ``DuckDBCompiler``, whose parts
    (conditions, windows, calls…) are mixins of this class."""

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
    #: Row-wise math functions: InfluxQL name -> DuckDB spelling. Those
    #: Go computes otherwise than C are the engine's own functions, which
    #: compute them as influxd does (``influxpy._gomath``).
    functions: ClassVar[dict[str, str]] = {
        "abs": "abs",
        "acos": "influxpy_acos",
        "asin": "influxpy_asin",
        "atan": "influxpy_atan",
        "atan2": "influxpy_atan2",
        "ceil": "ceil",
        "cos": "influxpy_cos",
        "exp": "influxpy_exp",
        "floor": "floor",
        "ln": "influxpy_ln",
        "log": "influxpy_log",
        "log2": "influxpy_log2",
        "log10": "influxpy_log10",
        "pow": "influxpy_pow",
        "round": "round",
        "sin": "influxpy_sin",
        "sqrt": "sqrt",
        "tan": "influxpy_tan",
    }
    # The function kinds, from ``influxpy.function_specs``. The engine
    # compiles TOP, BOTTOM, SAMPLE and DISTINCT apart (``multi_row``), not
    # with the aggregates and selectors their classes belong to.
    #: Math functions that keep an integer as it is (InfluxDB's MathValuer).
    _KEEP_INTEGER: ClassVar[frozenset[str]] = names_where(keeps_integer=True)
    _AGGREGATES: ClassVar[frozenset[str]] = names_where(
        kind="aggregate", multi_row=False
    )
    _SELECTORS: ClassVar[frozenset[str]] = names_where(kind="selector", multi_row=False)
    _MULTI_ROW: ClassVar[frozenset[str]] = names_where(multi_row=True)
    #: The technical-analysis transformations (InfluxDB 1.6).
    _TECHNICAL: ClassVar[frozenset[str]] = names_where(family="technical")
    #: Forecasts from an aggregate's windows.
    _HOLT_WINTERS: ClassVar[frozenset[str]] = names_where(family="predictor")
    #: Transformations that read one window before the range (server rule).
    _LOOK_BACK: ClassVar[frozenset[str]] = names_where(look_back=True)
    _EXTRA_INTERVALS: ClassVar[frozenset[str]] = names_where(extra_intervals=True)
    #: Transformations over consecutive rows (not row-wise math).
    _TRANSFORMS: ClassVar[frozenset[str]] = (
        names_where(kind="transform") - _MATH_FUNCTIONS
    )
    #: Functions whose result type does not depend on the field's.
    _FLOAT_RESULT: ClassVar[frozenset[str]] = names_where(result_type="float")
    _INTEGER_RESULT: ClassVar[frozenset[str]] = names_where(result_type="integer")
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
        #: The raw SELECTs whose ties the backend orders, by their SQL.
        self._heaps: dict[str, HeapOrder] = {}
        #: Of those replayed only where a row lacks a text value
        #: (``ties.RawTie.lacking``): the SQL finding such a row, and the
        #: statement ordering the rows by their texts, run where none does.
        self._unreplayed: dict[str, tuple[str, str]] = {}
        #: Statements whose rows bind parameters of the SQL (``_bind``).
        self._bindings: list[Binding] = []
        #: The statement's own query (``_compile_query``), not a subquery's.
        self._top_query: Query | None = None
        #: The time range the statement reading a subquery maps its shards
        #: for (``subqueries._mapped_range``): no subquery, at any depth,
        #: reads outside it.
        self._mapped = _Bounds()
        #: While one of several measurements compiles, the fields only the
        #: others store (``sources``).
        self._padding: dict[str, dict[str, ColumnInfo]] = {}
        #: The tables of a measurement read from several databases (or
        #: another one), by the key its part's source names (``sources``).
        self._merged: dict[str, tuple[str, dict[str, ColumnInfo]]] = {}
        #: The aggregates the calls of a SELECT share (``shared``).
        self._shared = SharedAggregates()
        #: The SELECTs compiled as subqueries: their NaN stays a value for
        #: the query reading them; the outermost one answers it as null.
        self._inner_selects: list[_Context] = []
        #: A subquery's columns of fields that exist nowhere (no type), by
        #: the subquery table's SQL: ``*`` over it lists them (subqueries).
        self._typeless: dict[str, tuple[str, ...]] = {}
        #: The positions of a raw SELECT's columns of a tag's values, by
        #: its SQL: a subquery's such columns are ``tagged`` (subqueries).
        self._tag_outputs: dict[str, frozenset[int]] = {}
        #: The keys some source of a FROM of subqueries beside other
        #: sources types (``beside``): a raw query over such a subquery
        #: reads every one of its rows when it names one (the server
        #: reads a key the subquery lacks as a null of that type).
        self._typed_keys: frozenset[str] = frozenset()
        #: The SQL of a subquery's TOP/BOTTOM/SAMPLE/DISTINCT rows that carry
        #: ``WINDOW_START`` and ``ROW_ORDER`` (``multirow``), and the subquery
        #: tables that keep them for the query reading them (``subqueries``).
        self._ordered_rows: set[str] = set()
        self._ordered_tables: set[str] = set()
        #: The subquery tables among those whose rows are ordered by
        #: ``ROW_ORDER`` alone, across series (``paired_calls_sql``).
        self._cursor_tables: set[str] = set()
        #: The SQL of raw subqueries, whose rows carry ``ROW_ORDER``, the
        #: order influxd hands them on in (``compiler._raw_query``).
        self._handed_rows: set[str] = set()

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

    def _bind(self, binding: Binding) -> None:
        """Keep *binding* (its own parameters taken from those bound so far)
        for the statement whose SQL reads its names (``_bindings_of``)."""
        params = self._used_params(binding.text)
        self._bindings.append(dataclasses.replace(binding, params=params))

    def _bindings_of(self, sql: str) -> tuple[Binding, ...]:
        """The bindings of the parameters *sql* reads, and those of the
        parameters they read, in the order they were made."""
        if not self._bindings:
            return ()
        needed = set(re.findall(r"\$(\w+)", sql))
        chosen: list[Binding] = []
        for binding in reversed(self._bindings):
            if needed.intersection(binding.names):
                chosen.append(binding)
                needed.update(binding.reads, binding.passes)
                if binding.when is not None:
                    needed.add(binding.when)
        return tuple(reversed(chosen))

    def _used_params(self, sql: str) -> dict[str, Any]:
        """The parameters bound so far that *sql* reads."""
        used = set(re.findall(r"\$(p\d+)\b", sql))
        return {k: v for k, v in self.params.items() if k in used}

    def _table(self, source: Source) -> tuple[str, Mapping[str, ColumnInfo]] | None:
        if source.database and source.database != self.catalog.database:
            raise self._unsupported("queries across databases")
        rp = self.catalog.policy(source.retention_policy)
        columns = self.catalog.tables.get((rp, source.measurement))
        if columns is None:
            return None
        return self.catalog.table_sql(rp, source.measurement), columns

    def _shard_duration(self, ctx: _Context) -> int | None:
        """The shard group duration of the policy *ctx* reads, None for a
        subquery's rows or a catalog without policies."""
        durations = self.catalog.shard_durations
        source = ctx.query.source
        if durations is None or not isinstance(source, Source):
            return None
        return durations(self.catalog.policy(source.retention_policy))

    def _tag_terms(self, ctx: _Context) -> str:
        """SQL of the tag terms of *ctx*'s condition, the rest counting as
        true: the series influxd's index lets into a tag set."""
        if ctx.query.where is None:
            return "TRUE"
        return self._where(ctx.query.where, ctx.columns, tags_only=True)

    # -- the methods the parts call on each other ----------------------------
    # Declared here so each part type-checks on its own; ``DuckDBCompiler``
    # inherits every part, whose definitions come first in its MRO.

    def _bounds(self, where: WhereNode | None) -> _Bounds:
        """Defined in ``conditions``."""
        raise NotImplementedError

    def _spans_shards(self, ctx: _Context) -> bool:
        """Defined in ``part_plans``."""
        raise NotImplementedError

    def _series_filter(self, ctx: _Context) -> str | None:
        """Defined in ``series_limits``."""
        raise NotImplementedError

    def _where(
        self,
        node: WhereNode,
        columns: Mapping[str, ColumnInfo],
        *,
        with_time: bool = False,
        tags_only: bool = False,
        rows: bool = False,
        missing: frozenset[str] = frozenset(),
    ) -> str:
        """Defined in ``conditions``."""
        raise NotImplementedError

    def _select(
        self,
        query: Query,
        limits: _Bounds | None = None,
        interval: GroupByTime | None = None,
    ) -> _Selected | None:
        """Defined in ``compiler``."""
        raise NotImplementedError

    def _has_call(self, expr: Expression) -> bool:
        """Defined in ``scalars``."""
        raise NotImplementedError

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
        """Defined in ``compiler``."""
        raise NotImplementedError

    def _row_expr(
        self, node: Expression, columns: Mapping[str, ColumnInfo]
    ) -> tuple[str, str | None]:
        """Defined in ``scalars``."""
        raise NotImplementedError

    def _scalar(self, node: Expression, leaf: Any) -> tuple[str, str | None]:
        """Defined in ``scalars``."""
        raise NotImplementedError

    def _symbol(
        self, node: Any, symbols: Mapping[Any, tuple[str, str | None]]
    ) -> tuple[str, str | None]:
        """Defined in ``scalars``."""
        raise NotImplementedError

    def _calls_of(self, expr: Any) -> Iterator[Func]:
        """Defined in ``scalars``."""
        raise NotImplementedError

    def _raw_of(self, expr: Any) -> Iterator[Col]:
        """Defined in ``scalars``."""
        raise NotImplementedError

    def _interval(self, ctx: _Context) -> tuple[int, int]:
        """Defined in ``windows``."""
        raise NotImplementedError

    def _interval_of(self, gbt: GroupByTime) -> tuple[int, int]:
        """Defined in ``windows``."""
        raise NotImplementedError

    def _window_sql(self, ctx: _Context, low: int | None = None) -> str:
        """Defined in ``windows``."""
        raise NotImplementedError

    def _tz_assigned(self, ctx: _Context, rows: str) -> str:
        """Defined in ``windows``."""
        raise NotImplementedError

    def _tz_shift(self, ctx: _Context) -> int:
        """Defined in ``windows``."""
        raise NotImplementedError

    def _call_range(
        self, ctx: _Context, call: Func, *, grid: bool = False
    ) -> tuple[int | None, int | None]:
        """Defined in ``windows``."""
        raise NotImplementedError

    def _query_look_back(self, query: Query, call: Func, *, grid: bool = False) -> int:
        """Defined in ``windows``."""
        raise NotImplementedError

    def _extra_intervals(self, query: Query) -> int:
        """Defined in ``windows``."""
        raise NotImplementedError

    def _span(self, ctx: _Context, calls: list[Func]) -> tuple[int | None, int | None]:
        """Defined in ``windows``."""
        raise NotImplementedError

    def _call_kind(self, call: Func, columns: Mapping[str, ColumnInfo]) -> str | None:
        """Defined in ``calls``."""
        raise NotImplementedError

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
        """Defined in ``windows``."""
        raise NotImplementedError

    def _chain_look_back(self, call: Func) -> tuple[int, Any]:
        """How many calls that read the point before (DERIVATIVE,
        DIFFERENCE, MOVING_AVERAGE, ELAPSED; not CUMULATIVE_SUM) the chain
        of transformations from *call* down holds, and what it ends at (an
        aggregate, a field): ``difference(difference(v))`` is 2 and ``v``."""
        levels = 0
        node: Any = call
        while isinstance(node, Func) and node.name in self._TRANSFORMS:
            levels += node.name in self._LOOK_BACK
            node = node.source
        return levels, node

    def _heap_shards(self, ctx: _Context, call: Func) -> int | None:
        """Defined in ``windows``."""
        raise NotImplementedError

    def _integral_windows(
        self,
        ctx: _Context,
        call: Func,
        x: str,
        kind: str | None,
        outer: Func | None = None,
        placed: str | None = None,
    ) -> str:
        """Defined in ``transforms``."""
        raise NotImplementedError

    def _fill_literal(self, value: Any, kind: str | None) -> str:
        """Defined in ``windows``."""
        raise NotImplementedError

    def _default_cell(self, ctx: _Context, symbol: str, relation: _Relation) -> str:
        """Defined in ``windows``."""
        raise NotImplementedError

    def _transform(
        self, ctx: _Context, call: Func, rows: str, *, heap: bool = False
    ) -> str:
        """Defined in ``transforms``."""
        raise NotImplementedError

    def _multi_row_query(
        self, ctx: _Context, func: Func, names: list[str], *, over: Any = None
    ) -> tuple[str, list[str], list[str | None]] | None:
        """Defined in ``multirow``."""
        raise NotImplementedError

    def _is_multi_row_with_columns(self, items: list[SelectItem]) -> bool:
        """Defined in ``multirow``."""
        raise NotImplementedError

    def _multi_row_with_columns(
        self, ctx: _Context, items: list[SelectItem], names: list[str]
    ) -> tuple[str, list[str], list[str | None]] | None:
        """Defined in ``multirow``."""
        raise NotImplementedError


def innermost_transform(call: Func, transforms: AbstractSet[str]) -> Func:
    """The call a chain of transformations (*transforms*) of *call* ends
    at: ``difference(v)`` for ``difference(difference(v))``, ``mean(v)``
    for ``difference(mean(v))``."""
    while call.name.lower() in transforms and isinstance(call.source, Func):
        if call.source.name.lower() not in transforms:
            break
        call = call.source
    return call


def _engine(name: str) -> str | None:
    """The key of the engine implementation of the function *name*
    (``FunctionSpec.engine``), None for a function the table lacks."""
    spec = FUNCTIONS.get(name)
    return spec.engine if spec is not None else None


def _column_sql(col: Col, columns: Mapping[str, ColumnInfo]) -> tuple[str, str | None]:
    """SQL for a column and its kind (``None`` when it does not exist)."""
    if col.role == "time":
        return "time", "integer"
    found = find_column(columns, col.key, col.role)
    if found is None:
        return ("''", "tag") if col.role == "tag" else ("NULL", None)
    column, info = found
    if col.role == "tag" and info.role == "field":
        # No such tag here (the key is only a field): read as the server
        # reads a missing tag, '' (one of several measurements, ``x::tag``).
        return "''", "tag"
    if info.role == "tag" and (col.role == "field" or col.cast not in (None, "tag")):
        # No such field here (the key is only a tag): ``x::field``,
        # ``x::integer``.
        return "NULL", None
    if info.role == "tag":
        return ident(column), "tag"
    return ident(column), info.kind


def _range_sql(low: int | None, high: int | None) -> str:
    parts = []
    if low is not None:
        parts.append(f"time >= {int(low)}")
    if high is not None:
        parts.append(f"time <= {int(high)}")
    return " AND ".join(parts) or "TRUE"


def _limit_filters(query: Query, g: list[str], order: list[str]) -> list[str]:
    partition = f"PARTITION BY {', '.join(g)} " if g else ""
    rank = f"row_number() OVER ({partition}ORDER BY {', '.join(order)})"
    low = (query.offset or 0) + 1
    filters = [f"{rank} >= {low}"]
    if query.limit is not None:
        filters.append(f"{rank} < {low + query.limit}")
    return filters


def _ordinal(ctx: _Context) -> bool:
    """Whether rows carry ``ORDINAL``, their rank among rows of the
    same time (windows in local time can share a start)."""
    query = ctx.query
    return query.timezone is not None and query.group_by_time is not None


def _reads_value(col: Any, columns: Mapping[str, ColumnInfo]) -> bool:
    """Whether *col* reads a value of *columns*: a field, or a subquery's
    column. A subquery's output name read over a measurement storing that
    key as a tag reads no value there (``count(host)`` of ``(SELECT host
    FROM cpu), mem`` counts nothing of mem, as influxd types ``host`` a
    tag)."""
    if not isinstance(col, Col) or col.role not in _VALUE_ROLES:
        return False
    found = find_column(columns, col.key, col.role)
    return found is not None and found[1].role != "tag"


def _field_exists(call: Func, columns: Mapping[str, ColumnInfo]) -> bool:
    return any(_reads_value(c, columns) for c in call.walk())


def _fill_previous(ctx: _Context, column: str) -> str:
    """``fill(previous)``: the last non-null value so far in each series."""
    partition = (
        f"PARTITION BY {', '.join(ctx.group_columns)} " if ctx.group_columns else ""
    )
    return (
        f"last_value({column} IGNORE NULLS) OVER ({partition}ORDER BY "
        f"time {ctx.direction} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
    )


def _output_names(items: list[SelectItem]) -> list[str]:
    """InfluxQL's column names: alias or default, repeated defaults suffixed
    _1, _2; an alias is kept as written, even repeated, as the server keeps
    it (``count(*)`` names its calls so: ``count_v``)."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for item in items:
        name = item.output_name or "expr"
        if item.alias is not None:
            seen.setdefault(name, 0)
        elif name in seen:
            seen[name] += 1
            candidate = f"{name}_{seen[name]}"
            while candidate in seen:
                seen[name] += 1
                candidate = f"{name}_{seen[name]}"
            name = candidate
        seen.setdefault(name, 0)
        names.append(name)
    return names
