"""Transformations, technical analysis, HOLT_WINTERS and INTEGRAL over
windows: functions that read a series' points (or windows) one after
another, in the order the server's reducers read them."""

from __future__ import annotations

from influxpy.compilers.duckdb.aliases import (
    HEAP,
    ORDINAL,
    READ,
    TIE,
)
from influxpy.compilers.duckdb.call_casts import wrapped_bigint
from influxpy.compilers.duckdb.context import (
    _SECOND,
    _WARM_EMA,
    _CompilerBase,
    _Context,
    _engine,
    _ordinal,
    _range_sql,
)
from influxpy.compilers.duckdb.folds import moving_average_rows
from influxpy.compilers.duckdb.through_calls import _of_sample
from influxpy.compilers.duckdb.ties import tie_key
from influxpy.exceptions import ProgrammingError
from influxpy.functions import Func

__all__ = ["TransformsMixin"]


class TransformsMixin(_CompilerBase):
    """The rows of transformations, technical analysis, HOLT_WINTERS and
    INTEGRAL over windows."""

    def _integral_windows(
        self,
        ctx: _Context,
        call: Func,
        x: str,
        kind: str | None,
        outer: Func | None = None,
        placed: str | None = None,
    ) -> str:
        """INTEGRAL per window, as the server's integral reducer streams it.

        The reducer reads a group's points in time order across windows:
        crossing a window's end, it adds the area up to the end (the value
        there interpolated toward the next point) and emits the window; the
        area from that end to the next point goes to the next point's
        window. Empty windows have no row whatever the fill.

        In descending order the server's reducer sums the same areas
        backwards, so each window's integral changes sign (as without
        windows); the engine stamps them with the window starts, one row
        per window (the server's stamps are broken there: see
        ``test_quirk_integral_over_windows_in_descending_order``).
        """
        interval, shift = self._interval(ctx)
        if ctx.query.timezone:
            shift = self._tz_shift(ctx)
        unit = call.params[0].nanoseconds if call.params else _SECOND
        # A transformation of the integral (*outer*) reads windows before
        # the range too.
        low, high = self._call_range(ctx, outer or call)
        g = ctx.group_columns
        # Points of several series at one time in series-key order, or in
        # influxd's merge order where *placed* holds them (``point_order``):
        # the reducer keeps the last one read.
        order = "time" if tie_key(ctx) == "0" else f"time, {TIE}"
        rows = "base"
        if placed is not None:
            order, rows = f"time, {HEAP}", placed
        points = (
            f"list(time ORDER BY {order}), list(CAST({x} AS DOUBLE) ORDER BY {order})"
        )
        integer = "TRUE" if kind == "integer" else "FALSE"
        zone = self._param(ctx.query.timezone or "")
        reduced = (
            f"SELECT {', '.join([*g, ''])}unnest(influxpy_integral_windows("
            f"{points}, {unit}, {interval}, {shift}, {integer}, {zone})) AS p "
            f"FROM {rows} WHERE {x} IS NOT NULL AND {_range_sql(low, high)}"
            + (f" GROUP BY {', '.join(g)}" if g else "")
        )
        value = "-p.v" if ctx.query.descending else "p.v"
        columns = [*g, "p.t AS time", f"{value} AS v"]
        if _ordinal(ctx):
            columns.append(f"1 AS {ORDINAL}")
        return f"SELECT {', '.join(columns)} FROM ({reduced})"

    def _transform(
        self, ctx: _Context, call: Func, rows: str, *, heap: bool = False
    ) -> str:
        """A transformation over ``rows`` (g…, time, v), in output order;
        with *heap*, the rows also hold each point's place in influxd's
        merge (``HEAP``), which orders points of one time."""
        name = call.name
        engine = _engine(name)
        if engine == "technical":
            return self._technical(ctx, call, rows, heap=heap)
        if engine == "holt_winters":
            return self._holt_winters(ctx, call, rows)
        g = ctx.group_columns
        descending = ctx.query.descending
        partition = f"PARTITION BY {', '.join(g)} " if g else ""
        # Points of merged series at one time in influxd's merge order where
        # known (a measurement's, ``point_order``), else by value, smallest
        # first (of a subquery's rows, a quirk).
        tied = HEAP if heap else "x"
        order = f"time {ctx.direction}, {tied}"
        of_sample = _of_sample(call)
        if of_sample:
            # SAMPLE's points come by window, in time order inside each
            # (windows latest first in descending order): the transformation
            # reads them so, and its rows keep their window ``w``.
            order = f"w {ctx.direction}, time ASC, x"
        window = f"({partition}ORDER BY {order})"
        carried = ["w"] if of_sample else []
        kind = self._call_kind(call, ctx.columns)
        if engine == "moving_average" or (
            engine == "cumulative_sum" and kind != "integer"
        ):
            # Running sums over each series' list of points, read from
            # ``rows`` itself, whose values are ``v``: a float CUMULATIVE_SUM
            # adds them one after another in read order, as Go adds them.
            listed = order.removesuffix(", x") + ("" if heap else ", v")
            running = engine == "cumulative_sum"
            n = 1 if running else int(call.params[0])
            return moving_average_rows(
                g, rows, listed, n, carried, read=heap, running=running
            )
        gbt = ctx.query.group_by_time
        keep = "TRUE"
        if engine == "derivative":
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
        elif engine == "difference":
            value = "x - px"
            keep = "px IS NOT NULL"
            if name.startswith("non_negative"):
                keep += " AND NOT (x - px < 0)"
        elif engine == "elapsed":
            unit = call.params[0].nanoseconds if call.params else 1
            value = f"(time - pt) // {unit}"
            keep = "pt IS NOT NULL"
        elif engine == "cumulative_sum":
            # Integers (floats run above): exact, wrapping as Go's int64.
            total = (
                f"sum(x) OVER ({partition}ORDER BY {order} ROWS UNBOUNDED PRECEDING)"
            )
            value = wrapped_bigint(total)
        else:
            what = f"{name}()"
            raise self._unsupported(what)
        heaped = [HEAP] if heap else []
        source = (
            f"SELECT {', '.join([*g, 'time', *carried, 'v AS x', *heaped])} "
            f"FROM ({rows})"
        )
        if engine in ("derivative", "difference"):
            # influxd's reducer skips a point that does not advance time: of
            # merged series' points at one time it reads the first (its merge
            # heap's pick; of a subquery's rows, the smallest value here).
            same = ", ".join([*g, "time"])
            source += (
                f" QUALIFY row_number() OVER (PARTITION BY {same} ORDER BY {tied}) = 1"
            )
        steps = (
            f"SELECT *, lag(x) OVER {window} AS px, lag(time) OVER {window} AS pt, "
            f"row_number() OVER {window} AS rn FROM ({source})"
        )
        numbered = [f"rn AS {READ}"] if heap else []
        values = (
            f"SELECT {', '.join([*g, 'time', *carried, f'{value} AS v', *numbered])}"
        )
        values += f", {keep} AS keep"
        kept = ", ".join([*g, "time", *carried, "v", *([READ] if heap else [])])
        return f"SELECT {kept} FROM ({values} FROM ({steps})) WHERE keep"

    def _technical(
        self, ctx: _Context, call: Func, rows: str, *, heap: bool = False
    ) -> str:
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
        g = ctx.group_columns
        # Points of one time (merged series) as ``_transform`` reads them.
        order = f"ORDER BY time {ctx.direction}, {HEAP if heap else 'v'}"
        of_sample = _of_sample(call)
        if of_sample:
            # SAMPLE's points by window, in time order inside each (windows
            # latest first in descending order), as the reducer reads them.
            order = f"ORDER BY w {ctx.direction}, time ASC, v"
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
        if heap:
            # Each row's place in read order (``READ``) beside it.
            listed = (
                f"SELECT {', '.join([*g, ''])}influxpy_technical({arguments}) AS ps "
                f"FROM ({rows})" + (f" GROUP BY {', '.join(g)}" if g else "")
            )
            reduced = (
                f"SELECT {', '.join([*g, ''])}unnest(ps) AS p, "
                f"unnest(range(1, len(ps) + 1)) AS {READ} FROM ({listed})"
            )
        # DuckDB hands a Python NaN back as NULL, and every value the
        # function emits is a number: a NULL is a NaN (0/0), which a
        # transformation of this one reads as a point, as the server does.
        value = "coalesce(p.v, 'NaN'::DOUBLE) AS v"
        columns = [*g, "p.t AS time", value, *([READ] if heap else [])]
        rows = f"SELECT {', '.join(columns)} FROM ({reduced})"
        if not of_sample:
            return rows
        # Its rows keep the window of the SAMPLE point each is computed at.
        return f"SELECT *, {self._window_sql(ctx)} AS w FROM ({rows})"

    def _holt_winters(self, ctx: _Context, call: Func, rows: str) -> str:
        """HOLT_WINTERS[_WITH_FIT](agg, N, S) over each series' windows.

        The forecast is made in time order whatever the output order: in
        descending order the server answers nothing (its reducer reads the
        windows backwards and finds no span), the engine the same rows as
        ascending, latest first (``test_quirk_holt_winters_in_descending_order``).
        """
        interval, _shift = self._interval(ctx)
        h, season = int(call.params[0]), int(call.params[1])
        fit = "TRUE" if call.name == "holt_winters_with_fit" else "FALSE"
        g = ctx.group_columns
        points = "list(time ORDER BY time), list(CAST(v AS DOUBLE) ORDER BY time)"
        if not g:
            arguments = f"{points}, {h}, {season}, {fit}, {interval}"
            return (
                "SELECT p.t AS time, p.v AS v FROM (SELECT "
                f"unnest(influxpy_holt_winters({arguments})) AS p FROM ({rows}))"
            )
        # Every series in one call, so their runs are fitted together (a
        # function called per row group would see each thread's series apart).
        by = ", ".join(g)
        series = (
            f"SELECT {by}, {points.replace(', list', ' AS t, list', 1)} AS v "
            f"FROM ({rows}) GROUP BY {by}"
        )
        key = ", ".join(f"k{i} := {c}" for i, c in enumerate(g))
        arguments = (
            f"list(t ORDER BY {by}), list(v ORDER BY {by}), {h}, {season}, "
            f"{fit}, {interval}"
        )
        together = (
            f"SELECT unnest(list(struct_pack({key}) ORDER BY {by})) AS k, "
            f"unnest(influxpy_holt_winters_all({arguments})) AS o FROM ({series})"
        )
        keys = [f"k.k{i} AS {c}" for i, c in enumerate(g)]
        return (
            f"SELECT {', '.join([*keys, 'p.t AS time', 'p.v AS v'])} "
            f"FROM (SELECT k, unnest(o) AS p FROM ({together}))"
        )
