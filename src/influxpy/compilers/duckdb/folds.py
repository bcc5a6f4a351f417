"""Aggregates whose last bits depend on the order the points are read in.

SUM and MEAN of several series: influxd adds each series' points in time
order, then the series' results in the order its parallel merge gives them
(``series_rows``, ``combined_parts``, ``part_order``).

influxd's STDDEV folds a window's points one by one in the order its merge
reads them (time, then its merge heap's order at one time, which the
engine takes as series key; descending queries the other way): a
running mean, ``mean += (v - mean) / n``, then the sum of the squared
deviations from it, ``sqrt(sum / (n - 1))``. DuckDB's ``stddev_samp``
(Welford's, in any order) rounds differently in about a third of the
windows, so the engine folds the points in the server's order and by its
formula, and answers the same value to the last bit.
"""

from __future__ import annotations

from collections.abc import Sequence

from influxpy.compilers.duckdb.aliases import HEAP, PART, PART_COUNT, READ, TIE
from influxpy.compilers.duckdb.context import _Context
from influxpy.compilers.duckdb.edge_picks import picks_at_the_edge
from influxpy.compilers.duckdb.merged import ORDINAL as SOURCE
from influxpy.compilers.duckdb.merged import is_merged, reads_stored
from influxpy.compilers.duckdb.part_order import (
    PartOrder,
    added,
    merged_total,
    ordered,
    part_terms,
    series_columns,
    with_tie,
)
from influxpy.compilers.duckdb.point_order import (
    ORDER_DEPENDENT,
    reads_in_heap_order,
)
from influxpy.compilers.duckdb.shared import SharedAggregates
from influxpy.compilers.duckdb.ties import tie_key
from influxpy.functions import Func

__all__ = [
    "adds_in_order",
    "adds_series_parts",
    "combined_parts",
    "integral_fold",
    "median_sql",
    "moving_average_rows",
    "order_columns",
    "ordered_total",
    "series_rows",
    "stddev_fold",
]


def stddev_fold(x: str, order: str, where: str | None = None) -> str:
    """SQL of influxd's STDDEV of the column *x* over a group's points read
    in *order* (an ``ORDER BY`` list), those meeting *where* if given.

    The group needs at least one such point; with one the answer is NaN
    (0 / 0), with none -0 (0 / -1): the callers answer those cases as the
    server does before this is reached.
    """
    kept = f" FILTER (WHERE {where})" if where else ""
    values = f"list(CAST({x} AS DOUBLE) ORDER BY {order}){kept}"
    mean = (
        f"list_reduce({values}, lambda influxpy_m, influxpy_v, influxpy_i: "
        "influxpy_m + (influxpy_v - influxpy_m) / influxpy_i, 0.0)"
    )
    deviations = (
        f"list_transform({values}, lambda influxpy_v: "
        "(influxpy_v - influxpy_m) * (influxpy_v - influxpy_m))"
    )
    squares = added(deviations)
    # The mean is computed once, as the one element of a list, and
    # passed to the second fold as a lambda's argument.
    total = f"list_transform([{mean}], lambda influxpy_m: {squares})[1]"
    return f"sqrt({total} / (len({values}) - 1))"


def _part_sums(x: str, *, descending: bool) -> tuple[str, str]:
    """The aggregates of one series' part of a float SUM or MEAN of *x*
    (``series_rows``): its total (in DOUBLE, as influxd's per-series
    iterator adds it; from the last point in a *descending* query) and its
    count, both of the rows where *x* has a value (a list of the values
    would hold the NULLs of rows read for another field: ``shared``)."""
    if not descending:
        return f"sum(CAST({x} AS DOUBLE))", f"count({x})"
    return ordered_total(x, "time DESC", valued=True), f"count({x})"


def integral_fold(x: str, unit: int, order: str) -> str:
    """SQL of influxd's INTEGRAL of *x* over a group's points read in
    *order* (no windows: ``integral_windows`` runs its reducer per
    window): each trapezoid ``0.5 * (v + prev) * (dt / unit)`` added in
    that order, ``dt`` negative in descending order; of points at one
    time the last read counts."""
    pairs = f"list(struct_pack(t := time, v := CAST({x} AS DOUBLE)) ORDER BY {order})"
    p, i = "influxpy_p", "influxpy_i"
    trapezoid = (
        f"0.5 * ({p}[{i} + 1].v + {p}[{i}].v) "
        f"* (CAST({p}[{i} + 1].t - {p}[{i}].t AS DOUBLE) / {float(unit)!r})"
    )
    terms = f"list_transform(range(1, len({p})), lambda {i}: {trapezoid})"
    # The points are listed once, as the one element of a list.
    return f"list_transform([{pairs}], lambda {p}: {added(terms)})[1]"


def median_sql(x: str) -> str:
    """SQL of influxd's MEDIAN of *x*: of an even number of points, the
    lower middle value plus half the distance to the upper one,
    ``lo + (hi - lo) / 2`` (DuckDB's ``quantile_cont`` answers
    ``(lo + hi) / 2``, which rounds otherwise in about one case in seven).
    The upper middle value is the lower middle one of the values negated."""
    value = f"CAST({x} AS DOUBLE)"
    lo = f"quantile_disc({value}, 0.5)"
    hi = f"(-quantile_disc(-{value}, 0.5))"
    return f"({lo} + ({hi} - {lo}) / 2)"


def ordered_total(x: str, order: str, *, valued: bool = False) -> str:
    """SQL of the total of *x* added up in *order* (an ``ORDER BY``
    list), as influxd adds the points it reads: a series' points from the
    last for ``ORDER BY time DESC``, a subquery's rows in time order. (A
    stored series in ascending order needs none: DuckDB's ``sum`` adds a
    small table's values in the order they are stored, which the engine
    keeps in time order.) *valued*: of the rows where *x* has a value only
    (rows read for other fields too)."""
    kept = f" FILTER (WHERE {x} IS NOT NULL)" if valued else ""
    return added(f"list(CAST({x} AS DOUBLE) ORDER BY {order}){kept}")


def combined_parts(name: str, *, descending: bool, placed: bool) -> str:
    """SQL of a float SUM or a MEAN from its series' parts
    (``series_rows``), added in influxd's merge order (``part_order``:
    ``HEAP``, else the ``TIE`` column, series key, the other way round in
    descending order): a sum one part after another; a MEAN as influxd's
    reducer merges means (``part_terms``), added up and divided by all the
    points. *placed*: the parts have their places (``merged_total``)."""
    total = merged_total(
        part_terms(name == "mean"), descending=descending, placed=placed
    )
    return total if name == "sum" else f"{total} / sum({PART_COUNT})"


def adds_series_parts(ctx: _Context, call: Func, kind: str | None) -> bool:
    """Whether *call* (of a *kind* field) is a float SUM or a MEAN whose
    groups can hold several series of a stored measurement, or whose
    windows can span shard groups (``_Context.shard_parts``), and so adds
    up series' parts (``series_rows``)."""
    if call.name not in ("sum", "mean") or isinstance(call.source, Func):
        return False
    if call.name == "sum" and kind != "float":
        return False
    return reads_stored(ctx) and (tie_key(ctx) != "0" or ctx.shard_parts)


def adds_in_order(ctx: _Context) -> bool:
    """Whether a float SUM or MEAN of *ctx* adds its points in read order
    (``ordered_total``) rather than with DuckDB's ``sum`` over the rows
    stored in time order: a subquery's rows, and any descending query."""
    return bool(ctx.subquery or ctx.query.descending)


def order_columns(ctx: _Context, calls: Sequence[Func]) -> list[str]:
    """The columns the stored rows the *calls* read carry for the order
    of their series: the ``TIE`` of each row for a STDDEV, INTEGRAL or
    MODE, which read their points in series order at one time, and for a SUM or
    MEAN adding its points in read order; the series' tags for a SUM or
    MEAN adding series' parts (``series_rows`` names each part's series
    once, not each row)."""
    tie = tie_key(ctx)
    # The calls inside transformations too (``derivative(mean(v))``).
    names = {n.name for call in calls for n in call.walk() if isinstance(n, Func)}
    stored = reads_stored(ctx)
    columns = []
    if tie != "0":
        # A SUM or MEAN not added by series' parts (of a subquery's rows,
        # of several sources, in descending order) adds its points in read
        # order.
        sums = bool(names & {"sum", "mean"}) and adds_in_order(ctx) and not stored
        per_row = bool(names & ORDER_DEPENDENT) or sums
        # Transformations of raw points read a measurement's points of one
        # time in its merge order too (``point_order``).
        per_row = per_row or (stored and any(map(reads_in_heap_order, calls)))
        columns = [f"{tie} AS {TIE}"] if per_row else []
        if per_row and is_merged(ctx.table):
            columns.append(SOURCE)  # the source (``ties.read_order``)
    parts = names & {"sum", "mean"} and stored and (tie != "0" or ctx.shard_parts)
    # A bare FIRST or LAST reads each series' first points (``edge_picks``).
    edges = any(picks_at_the_edge(ctx, call) for call in calls)
    if parts or edges:
        columns.extend(series_columns(ctx))
    return columns


def series_rows(
    ctx: _Context,
    rows: str,
    keys: Sequence[tuple[str, str]],
    x: str,
    descending: bool,
    shared: SharedAggregates | None,
    ctes: list[str],
    where: str,
    order: PartOrder | None = None,
) -> str:
    """The relation of the series' parts of a float SUM or MEAN of *x*
    over *rows*: grouped by *keys* (``(sql, name)`` of the group's and the
    window's) and the series' tags (their codes where coded), each part
    with its series key as ``TIE``, then ``PART`` and ``PART_COUNT``; with
    *shared*, from the aggregate the SELECT's fields share over the
    ``base`` rows meeting *where* (*rows* are those holding *x*); with
    *order*, each part's place in influxd's merge as ``HEAP``
    (``part_order``; null otherwise).

    influxd computes SUM and MEAN per series and then adds the series'
    results in the order it merges them (``combined_parts``): ``a + b + c``
    of three series' sums rounds otherwise than the points added in time
    order. (A sum of integers is exact in any order and needs no parts.)
    """
    total, count = _part_sums(x, descending=descending)
    columns = series_columns(ctx)
    names = [name for _sql, name in keys]
    if shared is not None:
        grouped = shared.parts(ctes, keys, columns, where, (x, total, count))
    else:
        selected = [sql if sql == name else f"{sql} AS {name}" for sql, name in keys]
        parts = f"{total} AS {PART}, {count} AS {PART_COUNT}"
        grouped = (
            f"(SELECT {', '.join([*selected, *columns])}, {parts} "
            f"FROM {rows} GROUP BY ALL)"
        )
    tied = with_tie(ctx, grouped, [*names, PART, PART_COUNT])
    if order is None:
        return f"(SELECT *, NULL::BIGINT AS {HEAP} FROM ({tied})) AS parts"
    return ordered(ctx, tied, order, ctes)


def moving_average_rows(
    groups: Sequence[str],
    rows: str,
    order: str,
    n: int,
    carried: Sequence[str],
    *,
    read: bool = False,
    running: bool = False,
) -> str:
    """MOVING_AVERAGE of *n* points over *rows* (``groups``, time, v and
    the *carried* columns), each group's points in *order*: influxd's
    running sum, the oldest value taken out and the newest added, as
    ``influxpy_moving_average`` keeps it (a window's average rounds
    otherwise). Rows from the *n*-th point of each group on; with *read*,
    each with its place in read order as ``READ``. With *running*, the
    running total instead (CUMULATIVE_SUM of floats, ``total += v`` in
    read order, ``influxpy_running_sum``), at every point (*n* is 1)."""
    g = list(groups)
    values = f"list(CAST(v AS DOUBLE) ORDER BY {order})"
    lists = [
        f"list(time ORDER BY {order}) AS influxpy_ts",
        *(f"list({c} ORDER BY {order}) AS influxpy_{c}s" for c in carried),
        (
            f"influxpy_running_sum({values}) AS influxpy_vs"
            if running
            else f"influxpy_moving_average({values}, {n}) AS influxpy_vs"
        ),
    ]
    grouped = f"SELECT {', '.join([*g, *lists])} FROM ({rows})"
    if g:
        grouped += f" GROUP BY {', '.join(g)}"
    unnested = [
        *g,
        "unnest(influxpy_ts) AS time",
        *(f"unnest(influxpy_{c}s) AS {c}" for c in carried),
        "unnest(influxpy_vs) AS v",
        "unnest(range(1, len(influxpy_ts) + 1)) AS influxpy_rn",
    ]
    # A Python NaN comes back from the function as NULL: a NaN average.
    kept = [*g, "time", *carried, "coalesce(v, 'NaN'::DOUBLE) AS v"]
    if read:
        # Each row's place in read order (``READ``).
        kept.append(f"influxpy_rn AS {READ}")
    return (
        f"SELECT {', '.join(kept)} FROM (SELECT {', '.join(unnested)} "
        f"FROM ({grouped})) WHERE influxpy_rn >= {n}"
    )
