"""Aggregates and selectors over windows, and how windows are filled."""

from __future__ import annotations

from influxpy.compilers.duckdb.aliases import (
    ORDINAL,
    PART_SHARD,
    PART_TIME,
    WINDOW_NUMBER,
    WINDOW_START,
    aux_column,
    group_column,
)
from influxpy.compilers.duckdb.catalog import (
    TAG_CODES,
    go_shard_start,
)
from influxpy.compilers.duckdb.context import (
    _column_sql,
    _Context,
    _engine,
    _ordinal,
    _range_sql,
)
from influxpy.compilers.duckdb.edge_picks import edge_pick_rows, picks_at_the_edge
from influxpy.compilers.duckdb.fills import FillsMixin
from influxpy.compilers.duckdb.folds import (
    adds_in_order,
    adds_series_parts,
    combined_parts,
    series_rows,
)
from influxpy.compilers.duckdb.merged import reads_stored
from influxpy.compilers.duckdb.nans import reduce_with_nan, selected_with_nan
from influxpy.compilers.duckdb.part_plans import PartPlansMixin
from influxpy.compilers.duckdb.percentile import nearest_rank_rows
from influxpy.compilers.duckdb.percentile_groups import grouped_rank_rows
from influxpy.compilers.duckdb.percentile_tails import in_tail, tail_rank_rows
from influxpy.compilers.duckdb.point_order import (
    heap_places,
    heap_read_order,
    reads_in_heap_order,
)
from influxpy.compilers.duckdb.reducers import ReducersMixin, first_tie
from influxpy.compilers.duckdb.ties import read_order, tie_key
from influxpy.compilers.duckdb.timezones import tz_window
from influxpy.durations import Duration
from influxpy.exceptions import CompileError
from influxpy.expressions import Col, Now
from influxpy.functions import Func
from influxpy.query import GroupByTime, Query

#: The most windows the engine fills for a series: ten million (a list of
#: them and the rows they make take a gigabyte or two). influxd fills any
#: number, until it runs out of memory (its ``max-select-buckets``, off by
#: default, is the same guard).
_MAX_WINDOWS = 10_000_000


class WindowsMixin(FillsMixin, ReducersMixin, PartPlansMixin):
    """Windows (also in local time), reducers, selectors and fill()."""

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

    def _tz_shift(self, ctx: _Context) -> int:
        """The offset ``tz()`` windows are computed with: influxd keeps a
        negative duration offset negative (Go's remainder), and the instant
        whose zone offset it reads moves with it."""
        interval, shift = self._interval(ctx)
        gbt = ctx.query.group_by_time
        assert gbt is not None
        offset = gbt.offset
        negative = isinstance(offset, Duration) and offset.nanoseconds < 0
        return shift - interval if shift and negative else shift

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
        shift = self._tz_shift(ctx)
        return f"influxpy_tz_window(time, {interval}, {shift}, {zone})"

    def _tz_assigned(self, ctx: _Context, rows: str) -> str:
        """*rows* with the window each is reduced in (``WINDOW_START``), for
        windows in local time (see ``tz_assign``)."""
        interval, _shift = self._interval(ctx)
        shift = self._tz_shift(ctx)
        zone = self._param(ctx.query.timezone)
        g = ctx.group_columns
        descending = "TRUE" if ctx.query.descending else "FALSE"
        times = "list_sort(list_distinct(list(time)))"
        assign = (
            f"influxpy_tz_assign({times}, {interval}, {shift}, {zone}, {descending})"
        )
        grouped = (
            f"SELECT {', '.join([*g, ''])}unnest({assign}) AS assigned FROM ({rows})"
        )
        if g:
            grouped += f" GROUP BY {', '.join(g)}"
        columns = [
            "assigned.t AS time",
            f"assigned.w AS {WINDOW_START}",
            f"assigned.k AS {WINDOW_NUMBER}",
        ]
        windows = f"SELECT {', '.join([*g, *columns])} FROM ({grouped})"
        using = ", ".join([*g, "time"])
        return f"({rows}) AS influxpy_r JOIN ({windows}) AS influxpy_a USING ({using})"

    def _window_of(self, ctx: _Context, stamp: int) -> int:
        """The start of the window holding *stamp* (see ``_window_sql``)."""
        interval, shift = self._interval(ctx)
        if ctx.query.timezone is None:
            return stamp - ((stamp - shift) % interval)
        return tz_window(stamp, interval, self._tz_shift(ctx), ctx.query.timezone)

    def _call_range(
        self, ctx: _Context, call: Func, *, grid: bool = False
    ) -> tuple[int | None, int | None]:
        """The time range a call reads (inclusive bounds, None for open).

        With *grid*, the range whose windows are filled: the fill iterator
        starts from every level's look-back even where no data is read.
        """
        low, high = ctx.bounds.lower, ctx.bounds.upper
        if ctx.query.group_by_time is None:
            if ctx.subquery and (
                call.name in self._TRANSFORMS or _engine(call.name) == "integral"
            ):
                # A subquery's rows are inside the range but for those of
                # its windows starting before it, which a transformation or
                # an INTEGRAL (a stream of its own) reads as the server
                # does (``difference(d)`` over sums per 20 s from 70 s
                # answers at 80 s). Another aggregate's reducer stops at
                # them (``reduce_stop``).
                return None, None
            return low, high
        if high is None:
            high = self.now_ns
        if ctx.subquery and not grid:
            # The rows of inner windows that start before the range are
            # read too, in the outer windows holding them; and every row the
            # subquery reads (in descending order an inner DIFFERENCE reads
            # past the range as far as the extra intervals, subqueries.py).
            low = None
            if ctx.query.descending:
                return low, None
        back = self._look_back(ctx, call, grid=grid)
        if back:
            interval, _shift = self._interval(ctx)
            if ctx.query.descending:
                high += back * interval
            elif low is not None:
                low -= back * interval
        return low, high

    def _heap_shards(self, ctx: _Context, call: Func) -> int | None:
        """The shard group duration of *ctx*'s policy when *call* reads the
        points of several series at one time in influxd's merge order
        (``point_order``): a STDDEV, INTEGRAL, MODE or transformation of raw
        points of a measurement's groups of several series; else None."""
        if not reads_in_heap_order(call) or not reads_stored(ctx):
            return None
        if tie_key(ctx) == "0":
            return None
        return self._shard_duration(ctx)

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
        MOVING_AVERAGE(…, N) and the period N of a technical-analysis
        function, the largest of the statement's calls.
        """
        levels, node = self._chain_look_back(call)
        if not isinstance(node, Func):
            return 0
        if grid:
            return levels
        return min(levels, self._extra_intervals(query))

    def _extra_intervals(self, query: Query) -> int:
        """How many windows before the range the shards read reach: 1 (a
        CUMULATIVE_SUM counts too), or N for MOVING_AVERAGE(…, N) and the
        period N of a technical-analysis function, the largest of the
        statement's calls (``compile.go``)."""
        return max(
            (
                int(f.params[0])
                if f.name == "moving_average" or f.name in self._TECHNICAL
                else 1
                for f in query.functions
                if f.name in self._EXTRA_INTERVALS
            ),
            default=0,
        )

    def _span(self, ctx: _Context, calls: list[Func]) -> tuple[int | None, int | None]:
        ranges = [self._call_range(ctx, call) for call in calls]
        lows = [r[0] for r in ranges]
        highs = [r[1] for r in ranges]
        low = None if None in lows else min(x for x in lows if x is not None)
        high = None if None in highs else max(x for x in highs if x is not None)
        return low, high

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

        *aux* raw columns of the base (``aux_column()``) are taken from the selected
        point, for a selector next to raw fields.
        """
        query = ctx.query
        gbt = query.group_by_time
        source = call.source
        if isinstance(source, Func):  # count(distinct(x))
            source = source.source
        assert isinstance(source, Col)
        x, kind = _column_sql(source, ctx.columns)
        low, high = self._call_range(ctx, outer)
        g = ctx.group_columns
        read = read_order(ctx)
        heap_ns = self._heap_shards(ctx, call)
        if heap_ns is not None:
            read = heap_read_order(ctx)
        value, selected_time = self._reduce(
            call, x, kind, query.descending, read, in_order=adds_in_order(ctx)
        )
        nan = ctx.subquery and kind == "float"  # a subquery's column holds NaN
        if nan:
            value, selected_time = reduce_with_nan(
                call, x, value, selected_time, descending=query.descending, read=read
            )
        if gbt is not None:
            bucket = self._window_sql(ctx, low)
        elif lone_selector and selected_time is not None:
            bucket = None
        else:
            bucket = str(ctx.bounds.lower if ctx.bounds.lower is not None else 0)
        integral = _engine(call.name) == "integral"
        if integral and gbt is not None:
            placed = None
            if heap_ns is not None:
                points = f"(SELECT * FROM base WHERE {x} IS NOT NULL)"
                placed = heap_places(ctx, points, heap_ns, name, ctes)
            windows = self._integral_windows(ctx, call, x, kind, outer, placed)
            ctes.append(f"{name} AS ({windows})")
            return name
        stamp = bucket if bucket is not None else selected_time
        # Every row read has a value, so a group by a tag or window has one;
        # without either, an empty input still makes a row to drop.
        having = "" if g or gbt is not None else f"count({x}) > 0"
        if integral:
            # The server's reducer stamps a float integral with 0 and an
            # integer one with the lower bound, and drops the row when the
            # last point sits on that stamp.
            stamp = "0" if kind == "float" else str(bucket)
            if not query.descending:
                having = " AND ".join(filter(None, [having, f"max(time) != {stamp}"]))
        extra = [aux_column(j) for j in range(aux)]
        picked = [f"{self._selected(call, x, a, kind)} AS {a}" for a in extra]
        if nan:
            picked = [
                selected_with_nan(
                    call.name, x, a, self._selected(call, x, a, kind), query.descending
                )
                + f" AS {a}"
                for a in extra
            ]
        in_range = _range_sql(low, high)
        rows = f"base WHERE {x} IS NOT NULL AND {in_range}"
        if heap_ns is not None:
            # Points of several series at one time in influxd's merge order.
            placed = heap_places(ctx, f"(SELECT * FROM {rows})", heap_ns, name, ctes)
            rows = f"{placed} WHERE TRUE"
        elif picks_at_the_edge(ctx, call) and (edge_ns := self._shard_duration(ctx)):
            # The first points of influxd's merge (``edge_picks``).
            picks = edge_pick_rows(
                ctx,
                f"(SELECT * FROM {rows})",
                edge_ns,
                name,
                ctes,
                last=call.name == "last",
                x=x,
                value_order="DESC" if call.name == "last" else first_tie(kind),
            )
            rows = f"{picks} WHERE TRUE"
        grouping = "ALL"
        if gbt is not None and query.timezone is not None:
            rows = self._tz_assigned(ctx, f"SELECT * FROM {rows}")
            # Windows are told apart by their sequence number (``k``).
            bucket = WINDOW_NUMBER
            stamp = WINDOW_START
            grouping = ", ".join([*g, WINDOW_NUMBER, WINDOW_START])
            if selected_time is not None:
                # A selector's row is reported in the window of the point it
                # picked, which can differ from the window it was gathered in.
                stamp = self._window_sql(ctx).replace("(time,", f"({selected_time},", 1)
                grouping = ", ".join([*g, WINDOW_NUMBER])
        if call.name == "percentile":
            parts = [*g, bucket] if gbt is not None and bucket is not None else g
            if parts:
                # Each group's point by grouping, not by sorting every group
                # (percentile_groups.py); by the tags' codes where coded. A
                # group without a point at the rank has no row.
                codes = ctx.codes if grouping == "ALL" else []
                keys = [*codes, *parts[len(g) :]] if codes else parts
                percent = float(call.params[0])
                p = self._param(percent)
                if in_tail(percent / 100):
                    # Near 0 or 100: from a sample's thresholds per group.
                    more, rows, bindings = tail_rank_rows(
                        name,
                        x,
                        rows,
                        p,
                        percent >= 50,
                        keys,
                        ctes[0],
                        ctx.table,
                        descending=query.descending,
                        bound=f"bound{len(self._bindings)}",
                        percent=percent,
                    )
                    for binding in bindings:
                        self._bind(binding)
                else:
                    more, rows = grouped_rank_rows(
                        name, x, rows, p, keys, descending=query.descending
                    )
                ctes.extend(more)
                # Read three times: scanning the table each time beats
                # copying every row into a materialized CTE.
                ctes[0] = ctes[0].replace("base AS (", "base AS NOT MATERIALIZED (", 1)
            else:
                # Over all the rows: a selection, not a sort (percentile.py).
                percent = float(call.params[0])
                p = self._param(percent)
                more, rows, bindings = nearest_rank_rows(
                    name,
                    x,
                    rows,
                    p,
                    ctes[0],
                    ctx.table,
                    descending=query.descending,
                    bound=f"bound{len(self._bindings)}",
                    percent=percent,
                )
                ctes.extend(more)
                for binding in bindings:
                    self._bind(binding)
        codes = ctx.codes if grouping == "ALL" else []
        reported = "r.time"
        # The start of a series' part's window, over the parts' columns.
        part_window = PART_TIME if grouping == "ALL" else WINDOW_START
        if codes and gbt is not None and low is not None:
            # Windows numbered from the first: with the codes, a key of two
            # small integers, which DuckDB aggregates in a perfect hash table.
            interval, _shift = self._interval(ctx)
            first = self._window_of(ctx, low)
            stamp = f"(time - {first}) // {interval}"
            reported = f"{first} + r.time * {interval} AS time"
            part_window = f"({first} + {PART_TIME} * {interval})"
        if adds_series_parts(ctx, call, kind) and not extra:
            # A float SUM or a MEAN of several series per group: each
            # series' part first, then the parts in series-key order
            # (``folds``).
            window_keys = (
                [(stamp, PART_TIME)]
                if grouping == "ALL"
                else [(WINDOW_NUMBER, WINDOW_NUMBER), (WINDOW_START, WINDOW_START)]
            )
            part_keys = [*((c, c) for c in codes or g), *window_keys]
            order = self._part_order(ctx, call, part_window, codes, low, high)
            if order is not None and order.spans:
                # Each shard group's part of a window apart (part_order).
                shard = go_shard_start("time", order.shard_ns)
                part_keys.append((shard, PART_SHARD))
            # Of several calls, one grouping by series for every field's
            # parts (``shared``), where the windows are the engine's own.
            shared = self._shared if ctx.shares and grouping == "ALL" else None
            rows = series_rows(
                ctx,
                rows,
                part_keys,
                x,
                query.descending,
                shared,
                ctes,
                in_range,
                order,
            )
            stamp = PART_TIME if grouping == "ALL" else stamp
            value = combined_parts(
                call.name, descending=query.descending, placed=order is not None
            )
            having = "count(*) > 0" if having else ""
        tail = f"FROM {rows} GROUP BY {grouping}{f' HAVING {having}' if having else ''}"
        if not ctx.shares or extra or call.name == "percentile" or _ordinal(ctx):
            outputs = [f"{stamp} AS time", f"{value} AS v", *picked]
            real = f"SELECT {', '.join([*(codes or g), *outputs])} {tail}"
        else:
            # One aggregate for the calls grouping these rows alike (shared).
            real = self._shared.read(ctes, codes or g, str(stamp), value, tail)
        if codes:
            # Grouped by the tags' codes; their values are looked up once
            # per group.
            values = [
                f"codes_{i}.value AS {group_column(i)}" for i in range(len(codes))
            ]
            kept = [reported, "r.v", *(f"r.{a}" for a in extra)]
            joins = "".join(
                f" JOIN {TAG_CODES} codes_{i} ON r.{c} = codes_{i}.code"
                for i, c in enumerate(codes)
            )
            real = f"SELECT {', '.join([*values, *kept])} FROM ({real}) AS r{joins}"
        if call.name == "percentile":
            real = f"SELECT * FROM ({real}) WHERE v IS NOT NULL"
        if _ordinal(ctx):
            # Two windows can start at the same time: number the rows of a
            # time in window order, as the server emits them.
            over = f"PARTITION BY {', '.join([*g, 'time'])} ORDER BY {WINDOW_NUMBER}"
            numbered = real.replace(" AS v", f" AS v, {WINDOW_NUMBER}", 1)
            real = (
                f"SELECT * EXCLUDE ({WINDOW_NUMBER}), row_number() OVER ({over}) "
                f"AS {ORDINAL} FROM ({numbered})"
            )
        fill = query.fill
        mode = fill.mode if fill is not None else "null"
        if gbt is None or mode == "none":
            ctes.append(f"{name} AS ({real})")
            return name
        ctes.append(f"{name}_unfilled AS ({real})")
        interval, _shift = self._interval(ctx)
        low, high = self._call_range(ctx, outer, grid=True)
        assert high is not None
        end = self._window_of(ctx, high)
        if low is None:
            starts = ", ".join([*g, "min(time) AS first_window"])
            span = f"SELECT {starts} FROM {name}_unfilled GROUP BY ALL"
        elif ctx.subquery:
            # A row of an inner window starting before the range sits in an
            # earlier outer window (see ``_early_grid``).
            start = self._window_of(ctx, low)
            starts = ", ".join([*g, f"least(min(time), {start}) AS first_window"])
            if ctx.query.descending:
                # And a row past the range's last window, in descending order.
                starts += f", greatest(max(time), {end}) AS last_window"
            span = (
                f"SELECT {starts} FROM {name}_unfilled GROUP BY ALL HAVING count(*) > 0"
            )
        else:
            starts = ", ".join([*g, f"{self._window_of(ctx, low)} AS first_window"])
            span = f"SELECT DISTINCT {starts} FROM {name}_unfilled"
        windows = f"unnest({self._window_range(ctx, low, end, interval)})"
        grid = f"SELECT {', '.join([*g, f'{windows} AS time'])} FROM ({span})"
        if ctx.subquery and low is not None:
            start = self._window_of(ctx, low)
            if ctx.query.descending:
                windows = f"unnest(range(first_window, last_window + 1, {interval}))"
                start = end
            grid = _early_grid(
                ctx, span, f"{windows} AS time", start, f"{name}_unfilled"
            )
        if ctx.query.timezone is not None:
            grid = self._tz_grid(ctx, f"{name}_unfilled", low, end)
        using = ", ".join([*g, "time"])
        ordinal = [f"coalesce(r.{ORDINAL}, 1) AS {ORDINAL}"] if _ordinal(ctx) else []
        picked_columns = ["r.v", *(f"r.{a}" for a in extra), *ordinal]
        joined = (
            f"SELECT grid.*, {', '.join(picked_columns)}, "
            "coalesce(r.present, FALSE) AS present "
            f"FROM ({grid}) AS grid LEFT JOIN "
            f"(SELECT *, TRUE AS present FROM {name}_unfilled) AS r USING ({using})"
        )
        filled = self._fill_value(ctx, call, interval)
        kept = [
            *g,
            "time",
            f"{filled} AS v",
            *extra,
            *([ORDINAL] if ordinal else []),
        ]
        ctes.append(f"{name} AS (SELECT {', '.join(kept)} FROM ({joined}) AS filled)")
        return name

    def _window_range(
        self, ctx: _Context, low: int | None, end: int, interval: int
    ) -> str:
        """The filled windows of a series from ``first_window`` to *end*.

        More than ``_MAX_WINDOWS`` fail with an error saying so, where
        influxd, filling them, runs out of memory or does not answer: at
        compile time with a lower time bound, when the query runs (from the
        series' first point) without one.
        """
        windows = f"range(first_window, {end + 1}, {interval})"
        gbt = ctx.query.group_by_time
        assert gbt is not None
        msg = (
            f"resolution({gbt.interval!r}) without fill('none') fills more than "
            f"{_MAX_WINDOWS} windows of a series up to the end of the time range, "
            "more than the embedded engine fills (InfluxDB runs out of memory "
            "filling them). Add a lower time bound with "
            "filter(time__gte=...), or use fill('none')."
        )
        if low is not None:
            if (end - self._window_of(ctx, low)) // interval >= _MAX_WINDOWS:
                raise CompileError(msg)
            return windows
        count = f"({end} - first_window) // {interval}"
        return (
            f"CASE WHEN {count} >= {_MAX_WINDOWS} THEN error({self._param(msg)}) "
            f"ELSE {windows} END"
        )

    def _tz_grid(self, ctx: _Context, real: str, low: int | None, end: int) -> str:
        """The windows of each series with ``tz()``: the real rows and the
        windows the fill iterator adds around them (see ``tz_fill``)."""
        interval, _shift = self._interval(ctx)
        zone = self._param(ctx.query.timezone)
        g = ctx.group_columns
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


def _early_grid(
    ctx: _Context, span: str, windows: str, start: int, unfilled: str
) -> str:
    """The windows filled over a subquery whose inner windows start before
    the range, as influxd's fill iterator walks them.

    A row before the first window of the range (*start*) is emitted in its
    own window and moves the iterator's next window one ahead; in ascending
    order the first window from *start* without a row of its own is then
    skipped (not filled; a row of a window is always emitted), in descending
    order it fills every window down to that row's. In descending order a
    row after the range's last window (*start* then; an inner DIFFERENCE
    reading on) moves it one ahead the same way, downwards.
    """
    g = ctx.group_columns
    descending = ctx.query.descending
    edge = "last_window" if descending else "first_window"
    grid = f"SELECT {', '.join([*g, edge, windows])} FROM ({span})"
    using = ", ".join([*g, "time"])
    partition = f"PARTITION BY {', '.join(g)}" if g else ""
    ahead = f"time <= {start}" if descending else f"time >= {start}"
    first = "max" if descending else "min"
    marked = (
        f"SELECT grid.*, r.held, {first}(CASE WHEN {ahead} AND r.held IS NULL "
        f"THEN time END) OVER ({partition}) AS skipped FROM ({grid}) AS grid "
        f"LEFT JOIN (SELECT DISTINCT {using}, TRUE AS held FROM {unfilled}) AS r "
        f"USING ({using})"
    )
    later = f"{ahead} AND time IS DISTINCT FROM skipped"
    keep = f"{edge} = {start} OR r.held OR ({later})"
    return f"SELECT {', '.join([*g, 'time'])} FROM ({marked}) AS r WHERE {keep}"
