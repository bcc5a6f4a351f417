"""Calls of many rows read beside or through others: transformations of
DISTINCT's values, and SAMPLE's points joined with other calls' rows (in
descending order merged as influxd's cursor merges them)."""

from __future__ import annotations

from typing import Any

from influxpy.compilers.duckdb.aliases import (
    ORDINAL,
    RANDOM,
    ROW_ORDER,
    WINDOW_START,
    aux_column,
    call_column,
    group_column,
    output_column,
)
from influxpy.compilers.duckdb.call_casts import wrapped_bigint
from influxpy.compilers.duckdb.catalog import has_key
from influxpy.compilers.duckdb.context import (
    _column_sql,
    _CompilerBase,
    _Context,
    _engine,
    _ordinal,
    _range_sql,
    _Relation,
)
from influxpy.exceptions import ProgrammingError
from influxpy.expressions import Col
from influxpy.functions import Func

#: influxd's error for a function of something other than a field.
_FIELD_EXPECTED = "expected field argument in {name}()"


class ThroughCallsMixin(_CompilerBase):
    """Transformations of DISTINCT, and SAMPLE beside other calls."""

    def _check_of_distinct(
        self, ctx: _Context, name: str, source: Func, windows: bool
    ) -> None:
        """A transformation of DISTINCT: the server's refusals, and what
        the engine runs: DERIVATIVE, DIFFERENCE, their non-negative forms
        and HOLT_WINTERS read each window's first distinct value (the point
        the server's reducers keep of one time); CUMULATIVE_SUM,
        MOVING_AVERAGE and ELAPSED read every value
        (``_through_distinct_rows``)."""
        if name in self._TECHNICAL:
            msg = (
                "aggregate function distinct() cannot be combined with other "
                "functions or fields"
            )
            raise ProgrammingError(msg)
        if not windows:
            msg = f"{name} aggregate requires a GROUP BY interval"
            raise ProgrammingError(msg)
        if not isinstance(source.source, Col):
            raise ProgrammingError(_FIELD_EXPECTED.format(name="distinct"))
        if _engine(name) not in _OF_DISTINCT | _THROUGH_DISTINCT:
            what = f"{name}() of distinct()"
            raise self._unsupported(what)

    def _through_distinct_query(
        self, ctx: _Context, call: Func, names: list[str]
    ) -> tuple[str, list[str], list[str | None]] | None:
        """CUMULATIVE_SUM, MOVING_AVERAGE or ELAPSED of DISTINCT alone: over
        the distinct values in DISTINCT's order, one row each (several
        share a window's start)."""
        found = self._through_distinct_rows(ctx, call)
        if found is None:
            return None
        rows, kind = found
        g = ctx.group_columns
        body = f"SELECT {', '.join([*g, 'time', 'seq', 'v'])} AS {output_column(0)} "
        body += f"FROM ({rows})"
        order = [f"time {ctx.direction}", "seq ASC"]
        sql = self._finish(ctx, body, names, order=order, limit_order=order)
        return sql, names, [kind]

    def _through_distinct_relation(self, ctx: _Context, call: Func) -> str | None:
        """The rows of CUMULATIVE_SUM, MOVING_AVERAGE or ELAPSED of DISTINCT
        beside other calls: (g…, time, v, ``ORDINAL``), ``ORDINAL``
        numbering the rows of one window's start. The server's cursor pairs
        the first row of a time of each call, then the second…"""
        found = self._through_distinct_rows(ctx, call)
        if found is None:
            return None
        g = ctx.group_columns
        ordinal = f"row_number() OVER (PARTITION BY {', '.join([*g, 'time'])} "
        ordinal += f"ORDER BY seq) AS {ORDINAL}"
        return f"SELECT {', '.join([*g, 'time', 'v', ordinal])} FROM ({found[0]})"

    def _through_distinct_rows(
        self, ctx: _Context, call: Func
    ) -> tuple[str, str | None] | None:
        """CUMULATIVE_SUM, MOVING_AVERAGE or ELAPSED of DISTINCT's values in
        DISTINCT's order: rows (g…, time, seq, v) and their kind; None when
        the field does not exist."""
        source = call.source
        assert isinstance(source, Func)
        if ctx.query.group_by_time is None:
            msg = f"{call.name} aggregate requires a GROUP BY interval"
            raise ProgrammingError(msg)
        column = source.source
        if not isinstance(column, Col):
            raise ProgrammingError(_FIELD_EXPECTED.format(name="distinct"))
        if not has_key(ctx.columns, column.key):
            return None
        x, kind = _column_sql(column, ctx.columns)
        low, high = self._call_range(ctx, call)
        g = ctx.group_columns
        direction = ctx.direction
        groups = [f"{gs} AS {group_column(i)}" for i, gs in enumerate(ctx.groups)]
        points = (
            f"SELECT {', '.join([*groups, 'time', f'{x} AS x'])} FROM {ctx.table} "
            f"WHERE {ctx.where} AND {x} IS NOT NULL AND {_range_sql(low, high)}"
        )
        values, stamp = self._distinct_values(ctx, points, low)
        partition = f"PARTITION BY {', '.join(g)} " if g else ""
        ranked = (
            f"SELECT {', '.join([*g, f'{stamp} AS time', 'x'])}, row_number() OVER "
            f"({partition}ORDER BY w {direction}, seen ASC, x ASC) AS seq "
            f"FROM ({values})"
        )
        over = f"({partition}ORDER BY seq"
        engine = _engine(call.name)
        keep = "TRUE"
        if engine == "cumulative_sum":
            total = f"sum(x) OVER {over} ROWS UNBOUNDED PRECEDING)"
            value = (
                wrapped_bigint(total)
                if kind == "integer"
                else f"CAST({total} AS DOUBLE)"
            )
        elif engine == "moving_average":
            n = int(call.params[0])
            value = f"avg(CAST(x AS DOUBLE)) OVER {over} ROWS {n - 1} PRECEDING)"
            keep = f"seq >= {n}"
            kind = "float"
        else:
            unit = call.params[0].nanoseconds if call.params else 1
            value = f"(time - lag(time) OVER {over})) // {unit}"
            keep = "seq >= 2"
            kind = "integer"
        body = (
            f"SELECT {', '.join([*g, 'time', 'seq', f'{value} AS v'])} "
            f"FROM ({ranked}) QUALIFY {keep}"
        )
        return body, kind

    def _distinct_firsts(
        self, ctx: _Context, node: Func, outer: Func, name: str, ctes: list[str]
    ) -> str:
        """The first distinct value of each window, as DISTINCT gives them
        (by the time each value is first read, then by value), stamped with
        the window's start."""
        source = node.source
        assert isinstance(source, Col)
        x, _kind = _column_sql(source, ctx.columns)
        low, high = self._call_range(ctx, outer)
        g = ctx.group_columns
        points = (
            f"SELECT {', '.join([*g, 'time', f'{x} AS x'])} FROM base "
            f"WHERE {x} IS NOT NULL AND {_range_sql(low, high)}"
        )
        # With tz() the values are stamped as DISTINCT stamps them (the
        # window of each one's first point, inside the reducer's windows).
        values, stamp = self._distinct_values(ctx, points, low)
        first = "arg_min(x, struct_pack(a := seen, b := x))"
        stamped = f"SELECT {', '.join([*g, f'{stamp} AS w', 'x', 'seen'])} "
        stamped += f"FROM ({values})"
        ctes.append(
            f"{name} AS (SELECT {', '.join([*g, 'w AS time', f'{first} AS v'])} "
            f"FROM ({stamped}) GROUP BY ALL)"
        )
        return name

    def _distinct_values(
        self, ctx: _Context, points: str, low: int | None
    ) -> tuple[str, str]:
        """DISTINCT's values of each window of *points* (g…, time, x): rows
        (g…, w, x, seen), *seen* the time each value is first read (last in
        descending order), and the SQL of the time DISTINCT stamps it with.

        With ``tz()`` the values are gathered in the windows the server's
        reducer reads (which can run past a change of offset) and each is
        stamped with the window of its first point, as DISTINCT alone
        gives them.
        """
        g = ctx.group_columns
        if ctx.query.timezone:
            assigned = self._tz_assigned(ctx, points)
            points = f"SELECT *, {WINDOW_START} AS w FROM {assigned}"
            stamp = self._window_sql(ctx).replace("(time,", "(seen,", 1)
        else:
            points = f"SELECT *, {self._window_sql(ctx, low)} AS w FROM ({points})"
            stamp = "w"
        seen = "max(time)" if ctx.query.descending else "min(time)"
        values = (
            f"SELECT {', '.join([*g, 'w', 'x'])}, {seen} AS seen FROM ({points}) "
            "GROUP BY ALL"
        )
        return values, stamp

    def _sample_rows(
        self, ctx: _Context, call: Func, aux: int = 0, outer: Func | None = None
    ) -> str:
        """SAMPLE(x, N) beside other calls or in arithmetic: N points of
        each window picked at random, each at its own time, with the *aux*
        raw columns of ``base`` (``aux_column()``) read from each point.

        Read by a transformation *outer*, the points of the window before
        the range are read too (after it in descending order), as the
        server widens the range of what a transformation reads.
        """
        source = call.source
        assert isinstance(source, Col)
        x, _kind = _column_sql(source, ctx.columns)
        low, high = self._call_range(ctx, outer or call)
        g = ctx.group_columns
        window = "0" if ctx.query.group_by_time is None else self._window_sql(ctx, low)
        pick = (
            f"row_number() OVER (PARTITION BY {', '.join([*g, 'w'])} ORDER BY {RANDOM})"
        )
        carried = [aux_column(j) for j in range(aux)]
        columns = [*g, "time", f"{x} AS v", f"{window} AS w", f"random() AS {RANDOM}"]
        columns += carried
        rows = (
            f"SELECT {', '.join(columns)} "
            f"FROM base WHERE {x} IS NOT NULL AND {_range_sql(low, high)}"
        )
        ordinal = [f"1 AS {ORDINAL}"] if _ordinal(ctx) else []
        return (
            f"SELECT {', '.join([*g, 'time', 'v', 'w', *ordinal, *carried])} "
            f"FROM ({rows}) "
            f"QUALIFY {pick} <= {int(call.params[0])}"
        )

    def _stream_order(self, ctx: _Context, call: Func) -> list[str]:
        """The order a call's iterator emits its rows in (LIMIT and OFFSET
        count them so): SAMPLE's points by window, in time order inside a
        window, and so the rows of a transformation of SAMPLE; the other
        calls' rows by time."""
        if call.name == "sample" or _of_sample(call):
            return [f"w {ctx.direction}", "time ASC"]
        order = [f"time {ctx.direction}"]
        if _ordinal(ctx) or _runs_through_distinct(call):
            order.append(f"{ORDINAL} ASC")
        return order

    def _merges_descending(self, ctx: _Context, calls: list[Func]) -> bool:
        """Whether the calls' rows are merged as the server's cursor does in
        descending order (``_merged_descending``): SAMPLE's points come in
        time order inside each window, so rows do not follow time."""
        return ctx.query.descending and any(
            c.name == "sample" or _of_sample(c) for c in calls
        )

    def _merged_rows(
        self, ctx: _Context, body: str, names: list[str], order: list[str]
    ) -> str:
        """A subquery's rows merged by ``_merged_descending``, keeping the
        order the cursor emits them in: by window (each row's, latest
        first), then series, then their rank (``WINDOW_START``,
        ``ROW_ORDER``), as the query reading them orders the rows of a
        multi-row call (``multirow``)."""
        window = "0" if ctx.query.group_by_time is None else self._window_sql(ctx)
        ranked = (
            f"SELECT *, {window} AS {WINDOW_START}, {ORDINAL} AS {ROW_ORDER} "
            f"FROM ({body})"
        )
        keep = (WINDOW_START, ROW_ORDER)
        sql = self._finish(ctx, ranked, names, order=order, limit_order=None, keep=keep)
        self._ordered_rows.add(sql)
        return sql

    def _merged_descending(
        self,
        ctx: _Context,
        calls: list[Func],
        sources: list[tuple[int, str]],
        carried: list[str],
    ) -> str:
        """The calls' rows merged as influxd's cursor merges them in
        descending order: each output row takes the latest time among the
        calls' next rows (``influxpy_merge_descending``), so SAMPLE's points
        of a window come before the other calls' row at the window's start,
        and a time can come twice. Rows carry their rank as ``ORDINAL``,
        and the *carried* raw columns of a lone SAMPLE's points."""
        g = ctx.group_columns
        partition = f"PARTITION BY {', '.join(g)} " if g else ""
        streams = " UNION ALL BY NAME ".join(
            f"SELECT {', '.join([*g, ''])}{index} AS s, row_number() OVER "
            f"({partition}ORDER BY {', '.join(self._stream_order(ctx, calls[index]))})"
            f" AS q, {', '.join(['time', f'v AS {call_column(index)}', *carried])} "
            f"FROM {name}"
            for index, name in sources
        )
        lists = (
            f"SELECT {', '.join([*g, ''])}list(s ORDER BY s, q) AS ss, "
            "list(q ORDER BY s, q) AS qs, list(time ORDER BY s, q) AS ts "
            "FROM streams" + (f" GROUP BY {', '.join(g)}" if g else "")
        )
        emitted = (
            f"SELECT {', '.join([*g, ''])}unnest(ss) AS s, unnest(qs) AS q, "
            f"unnest(influxpy_merge_descending(ss, ts)) AS e FROM ({lists})"
        )
        values = [
            f"any_value({call_column(i)}) AS {call_column(i)}" for i, _ in sources
        ]
        values += [f"any_value({c}) AS {c}" for c in carried]
        by = ", ".join([*g, "e"])
        return (
            f"WITH streams AS ({streams}) SELECT {', '.join([*g, ''])}"
            f"e AS {ORDINAL}, any_value(time) AS time, {', '.join(values)} "
            f"FROM streams JOIN ({emitted}) USING ({', '.join([*g, 's', 'q'])}) "
            f"GROUP BY {by}"
        )

    def _merged_cell(
        self, ctx: _Context, symbol: str, relation: _Relation, order: str
    ) -> str:
        """A call's cell where several rows share a time (rows merged by
        ``_merged_descending``, or a call through DISTINCT beside others):
        the cursor fills it, ``fill(previous)`` in the *order* rows come
        out."""
        fill = ctx.query.fill
        if fill is None or fill.mode != "previous" or ctx.query.group_by_time is None:
            return self._default_cell(ctx, symbol, relation)
        partition = (
            f"PARTITION BY {', '.join(ctx.group_columns)} " if ctx.group_columns else ""
        )
        return (
            f"last_value({symbol} IGNORE NULLS) OVER ({partition}ORDER BY "
            f"{order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)"
        )


#: What the engine computes of DISTINCT's values, by ``_engine()``.
_OF_DISTINCT = frozenset({"derivative", "difference", "holt_winters"})
#: ... and those it computes over every distinct value, one row each.
_THROUGH_DISTINCT = frozenset({"cumulative_sum", "moving_average", "elapsed"})


#: The transformations ``_transform`` computes (technical analysis too):
#: their rows keep the window ``w`` of the SAMPLE points they read.
_KEEPS_WINDOW = frozenset(
    {
        "derivative",
        "difference",
        "elapsed",
        "moving_average",
        "cumulative_sum",
        "technical",
    }
)


def _of_sample(call: Func) -> bool:
    """Whether *call* is a transformation of SAMPLE (or of one of those)
    that ``_transform`` computes: its rows follow SAMPLE's points, by
    window, in time order inside a window."""
    node: Any = call
    while isinstance(node, Func) and _engine(node.name) in _KEEPS_WINDOW:
        node = node.source
        if isinstance(node, Func) and node.name == "sample":
            return True
    return False


def _runs_through_distinct(call: Func) -> bool:
    """Whether *call* is CUMULATIVE_SUM, MOVING_AVERAGE or ELAPSED of
    DISTINCT (computed over its values, see ``_through_distinct_rows``)."""
    source = call.source
    return (
        isinstance(source, Func)
        and source.name == "distinct"
        and _engine(call.name) in _THROUGH_DISTINCT
    )
