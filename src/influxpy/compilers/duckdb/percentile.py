"""PERCENTILE over all the rows of a query, without sorting them.

The server's percentile is the point at the nearest rank: with ``n`` values
sorted, rank ``k = floor(n * p / 100 + 0.5)`` (1-based), none when ``k`` is
outside ``1..n`` (reference §6.5). The engine orders ties of value by time,
so the answer is the point at rank ``k`` by ``(value, time)``.

Ranking every row with a window sorts them all; even DuckDB's
``quantile_disc`` copies every value and selects among them on one thread.
Instead, a sample brackets the answer and one parallel scan finds it:

1. ``quantile_disc`` over about 1% of the rows (DuckDB's ``system``
   sample, whole vectors) gives values ``lo`` and ``hi`` at fractions
   ``p/100 - d`` and ``p/100 + d``, ``d`` chosen from a fixed ladder so that
   it is a few standard errors of a quantile of that many values. Sampled
   vectors are runs of neighbouring points, alike when values trend with
   time: the standard error is scaled by how much more the vectors' shares
   of values up to the sample's median vary than those of independent
   values would (a design effect, measured on the same sample);
2. one scan reads the tail on the percentile's short side: the rows from
   ``lo`` up when ``p >= 50``, those up to ``hi`` otherwise. When the
   sample is drawn from the table itself, step 1 is a statement of its
   own (a ``Binding``, run first: it draws the sample, whose values come
   back as arrays; ``bracket_of_values`` sorts them in numpy for the
   picks and the spread, and ``bracket_of_sample`` applies the rule
   above), and its bounds are bound to the statement as constants,
   which DuckDB evaluates inside the table's scan (9 ms for 10,000,000
   rows, against 13 ms for a bound joined as a one-row relation and
   compared row by row), so only the tail leaves it.
   Otherwise (a sample of a subquery's rows) the bounds are a one-row
   relation of the same statement. With ``n`` (a count that reads no
   value), the tail's size and its rows below ``lo`` and up to ``hi`` give
   the rows below ``lo`` and up to ``hi`` of the whole; if ``k`` lies
   between the two, the point at rank ``k`` has a value in ``[lo, hi]``;
3. the tail's rows valued in ``[lo, hi]`` (a few per thousand of the
   whole) are counted in ``BINS`` bins of equal width by value, and only
   the rows of the bin holding rank ``k`` (less the count below ``lo``)
   are ranked by ``(value, time)``: the one at that rank is the answer. A
   bin's number never falls as the value rises (halves of doubles, their
   difference, scaled and floored, are monotone and never overflow), so
   the bins' counts add up to ranks; a bracket whose bounds are not finite
   (a subquery's infinities or NaN) is one bin.

A tail expected to hold at most ``TAIL_SHARE`` of the rows is kept in
memory for step 3; a larger one (percentiles near the median) is only
counted, and step 3 reads the rows inside the bracket in a scan of its own
(the bracket's bounds are again pushed into that scan).

The sample only decides how much the last step sorts, never the answer:
any bracket bound gives the same point.
When it misses (an unlucky or tiny sample: ``k`` is outside the counts),
the exact selection below runs instead; its scans join a one-row relation
that is empty when the bracket held, so they read nothing then (DuckDB
stops a scan joined to an empty relation after its first vectors).

The exact selection: ``quantile_disc`` picks at its own rank,
``r = max(1, ceil(n * q))``. Since ``floor(x + 0.5)`` is ``ceil(x)`` or
``ceil(x) - 1``, ``k`` is ``r`` or ``r - 1`` (a rounding of ``n * p / 100``
in the last place moves ``k`` and ``r`` together or keeps ``k`` in that
pair). So, with ``v1`` the element at rank ``r`` and ``c`` the number of
values below ``v1``:

* if ``k > c``, the value at rank ``k`` is ``v1`` and the point is the
  ``(k - c)``-th earliest of the points valued ``v1``;
* otherwise ``k = c`` (``k`` is ``r - 1`` and no other point has ``v1``
  before rank ``r``): the value is the greatest below ``v1`` and the point is
  the latest of the points with that value.

tests/compilers/test_percentile_rank.py compares the answers of every way
(the bracket forced to hold, with the tail kept or read again, and forced
to miss) with a full sort on every tie pattern of up to four points over
three values, on random sets of up to 101 points with many ties and on
9,000 points that trend with time, at percentiles whose rank rounds up,
rounds down or is exact; and with brackets bound that are wrong in every
way (empty, reversed, on the wrong side, null).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from influxpy.compilers.duckdb.aliases import GROUP_SIZE, ROW_NUMBER, _own
from influxpy.compilers.duckdb.plan import Binding

__all__ = [
    "BRACKET_WIDTHS",
    "SAMPLE",
    "TAIL_SHARE",
    "bracket_of_sample",
    "nearest_rank_rows",
    "sample_source",
]

#: How the bracket's sample is drawn (DuckDB's ``USING SAMPLE``): whole
#: vectors, so that drawing it skips the rest.
SAMPLE = "1% (system)"
#: The half-widths ``d`` the bracket may take, as fractions of the rows.
BRACKET_WIDTHS = (
    0.0005,
    0.001,
    0.002,
    0.003,
    0.005,
    0.01,
    0.02,
    0.03,
    0.05,
    0.1,
    0.2,
    1.0,
)
#: A tail of the rows (beyond the bracket's far bound) is kept in memory
#: when it is expected to hold at most this share of them.
TAIL_SHARE = 0.1
#: The bracket's rows are counted in this many bins by value, and only
#: those of the bin holding the rank are sorted.
BINS = 1024
#: The bracket is this many standard errors of the sample's quantile wide.
_SIGMAS = 4.0
#: The sample counts as this many times fewer independent values than it
#: holds when its vectors' spread cannot be measured.
_CLUSTERING = 2.0
#: Rows per vector (DuckDB's ``system`` sample keeps or drops each).
_VECTOR = 2048

_N = _own("influxpy_pn")
_FIRST = _own("influxpy_pv")
_K = _own("influxpy_pk")
_BELOW = _own("influxpy_pc")
_LOWER = _own("influxpy_pm")
_VALUE = _own("influxpy_pval")
_NTH = _own("influxpy_pj")
_TIME_RANK = _own("influxpy_pt")
_TIES = _own("influxpy_pties")
_M = _own("influxpy_pm_sample")
_LOWS = _own("influxpy_plows")
_WIDTH = _own("influxpy_pd")
_LO = _own("influxpy_plo")
_HI = _own("influxpy_phi")
_UPTO = _own("influxpy_pupto")
_POS = _own("influxpy_ppos")
_MISS = _own("influxpy_pmiss")
_VECTOR_ID = _own("influxpy_pvec")
_ERROR = _own("influxpy_perr")
_UPPER = _own("influxpy_pupper")
_SMALL = _own("influxpy_psmall")
_T = _own("influxpy_ptail")
_BIN = _own("influxpy_pbin")
_AT = _own("influxpy_pat")
_C = _own("influxpy_pcount")
_BEFORE = _own("influxpy_pbefore")
_IN_BIN = _own("influxpy_pinbin")


def bounded_rows(
    read: str, bounds: str, small: str, x: str, columns: tuple[str, str, str]
) -> str:
    """The rows of *read* (aliased ``r``) on the side of the bound that the
    rows of the table *bounds* give (``columns``: the low bound, the high
    bound, and whether the pick is in the upper half), where their flag
    *small* holds: a semi join DuckDB pushes into the table's scan."""
    low, high, upper = columns
    return " UNION ALL ".join(
        f"SELECT r.* FROM {read} SEMI JOIN (SELECT * FROM {bounds} "
        f"WHERE {small} AND {side}) AS b ON r.{x} {op} b.{bound}"
        for side, op, bound in ((upper, ">=", low), (f"NOT {upper}", "<=", high))
    )


def nearest_rank_rows(
    name: str,
    x: str,
    rows: str,
    p: str,
    base: str = "",
    table: str = "",
    *,
    descending: bool = False,
    bound: str = "bound",
    percent: float,
) -> tuple[list[str], str, Binding | None]:
    """CTEs and a relation holding the point PERCENTILE picks from *rows*,
    and the statement that draws its bracket when it is one of its own.

    *rows* is a relation body (``base WHERE ...``) whose non-null values of
    *x* are the percentile's input, *p* the SQL of the percentile (0-100).
    The relation has every column of *rows* and ``ROW_NUMBER``/``GROUP_SIZE``
    set to the nearest rank and the count, so that the caller's test for the
    ranked row holds for it; it is empty when the rank is outside ``1..n``.
    With *base*, the CTE ``base AS (SELECT ... FROM <table> WHERE ...)``
    that *rows* reads, and its *table*, the sample is drawn inside the
    table's scan, which then skips the vectors left out, and the bracket
    is a statement of its own: the returned ``Binding``, whose values the
    relation's SQL reads as parameters named from *bound*, unique in the
    statement; *percent* is the value of *p*. Ties of value are
    ordered by time as the query reads the points (``descending``: latest
    first), as influxd's sort by value keeps its input's order of ties.
    """
    later = " DESC" if descending else ""
    sample_ctes, sample, vectors = sample_source(name, rows, base, table)
    # One selection for every fraction: the median, the lows, the highs.
    f = min(max(percent / 100.0, 0.0), 1.0)
    read = f"(SELECT * FROM {rows}) AS r"
    binding: Binding | None = None
    if vectors:
        # The sample is read from the table itself: the bracket is a
        # statement of its own (``Binding``), whose values the rows are
        # compared with as constants, inside the table's scan. The
        # statement only draws the sample; its values come back as arrays
        # and the bracket is worked out from them in numpy
        # (``bracket_of_values``): 2 ms for 100,000 values, against 5.5 ms
        # for DuckDB's ``quantile_disc`` and the vectors' shares in SQL.
        names = tuple(f"{bound}_{part}" for part in ("lo", "hi", "upper", "small"))
        lo, hi, up, small = (f"${n}" for n in names)
        binding = Binding(
            f"WITH {', '.join(sample_ctes)} SELECT {_VECTOR_ID} AS vector, "
            f"{x} AS value FROM {sample}",
            {},
            names,
            functools.partial(
                bracket_of_values,
                fraction=f,
                widths=BRACKET_WIDTHS,
                tail_share=TAIL_SHARE,
            ),
            columns=True,
        )
        constants = (
            f"{lo} AS {_LO}, {hi} AS {_HI}, {up} AS {_UPPER}, {small} AS {_SMALL}"
        )
        bracket_ctes = [f"{name}_bounds AS (SELECT {constants})"]

        def tail(flag: str) -> str:
            """The rows of the tail, when the bracket's flag is *flag*."""
            side = f"CASE WHEN {up} THEN r.{x} >= {lo} ELSE r.{x} <= {hi} END"
            return f"SELECT r.* FROM {read} WHERE {flag} AND {side}"

        tails = (tail(small), tail(f"NOT {small}"))
        within_again = f"ON TRUE WHERE NOT {small} AND r.{x} >= {lo} AND r.{x} <= {hi}"
    else:
        # A sample of rows the statement makes (a subquery's): the bracket
        # is worked out in the same statement, by the rule of
        # ``bracket_of_sample`` for vectors not told apart, from one
        # selection for every fraction (the median, the lows, the highs).
        listed = ", ".join(repr(v) for v in sample_fractions(f, BRACKET_WIDTHS))
        sampled = (
            f"SELECT count({x}) AS {_M}, quantile_disc({x}, [{listed}]::DOUBLE[]) "
            f"AS {_LOWS} FROM {sample}"
        )
        bracket_ctes = [
            f"{name}_sample AS ({sampled})",
            f"{name}_bounds AS MATERIALIZED ({bounds_sql(f'{name}_sample', f)})",
        ]

        def tail(flag: str) -> str:
            """The rows of the tail, when the bracket's flag is *flag*."""
            return bounded_rows(read, f"{name}_bounds", flag, x, (_LO, _HI, _UPPER))

        tails = (tail(_SMALL), tail(f"NOT {_SMALL}"))
        within_again = f"ON r.{x} >= h.{_LO} AND r.{x} <= h.{_HI}"
    # A tail of at most TAIL_SHARE of the rows is kept (one scan: its
    # counts and the rows inside the bracket come from it); a larger one is
    # only counted, and the rows inside the bracket are read again.
    kept_tail, streamed = tails
    counts = (
        f"SELECT count(*) AS {_T}, count(*) FILTER (WHERE {x} < {_LO}) AS {_BELOW}, "
        f"count(*) FILTER (WHERE {x} <= {_HI}) AS {_UPTO} "
        f"FROM (SELECT {x} FROM {name}_tail "
        f"UNION ALL SELECT {x} FROM ({streamed})), {name}_bounds"
    )
    # Outside the tail: every row below ``lo`` (upper tail) or none.
    offset = f"CASE WHEN {_UPPER} THEN {_N} - {_T} ELSE 0 END"
    rank = f"CAST(floor(CAST({_N} AS DOUBLE) * {p} / 100.0 + 0.5) AS BIGINT)"
    counted = (
        f"SELECT *, {rank} AS {_K} FROM (SELECT {_N}, {offset} + {_BELOW} AS "
        f"{_BELOW}, {offset} + {_UPTO} AS {_UPTO}, {_LO}, {_HI}, {_SMALL} "
        f"FROM ({counts}), {name}_bounds, "
        f"(SELECT count(*) AS {_N} FROM {rows}))"
    )
    inside = f"{_K} >= 1 AND {_K} <= {_N}"
    held = f"{_K} > {_BELOW} AND {_K} <= {_UPTO}"
    missing = f"SELECT 1 AS {_MISS} FROM {name}_bracket WHERE {inside} AND NOT ({held})"
    ctes = [
        *bracket_ctes,
        f"{name}_tail AS MATERIALIZED ({kept_tail})",
        f"{name}_bracket AS MATERIALIZED ({counted})",
        f"{name}_hit AS (SELECT * FROM {name}_bracket WHERE {inside} AND {held})",
        f"{name}_miss AS ({missing})",
    ]
    kept = f"(SELECT * FROM {name}_hit WHERE {_SMALL})"
    again = f"(SELECT * FROM {name}_hit WHERE NOT {_SMALL})"
    bracketed = (
        f"SELECT t.*, h.* FROM {name}_tail AS t JOIN {kept} AS h "
        f"ON t.{x} >= h.{_LO} AND t.{x} <= h.{_HI} "
        f"UNION ALL SELECT r.*, h.* FROM {read} JOIN {again} AS h {within_again}"
    )
    # The bracket's rows fall into BINS bins of equal width by value (a
    # bin number never falls as the value rises); only the rows of the bin
    # holding the rank are sorted.
    # Halves, so that no difference of finite doubles overflows; bounds
    # that are not finite (a subquery's infinities or NaN) make one bin.
    low, high = (f"CAST({bound} AS DOUBLE)" for bound in (_LO, _HI))
    span = f"({high} / 2 - {low} / 2)"
    binned = (
        f"CASE WHEN isfinite({low}) AND isfinite({high}) AND {span} > 0 "
        f"THEN CAST(floor((CAST({x} AS DOUBLE) / 2 - {low} / 2) / {span} "
        f"* {BINS}) AS BIGINT) ELSE 0 END"
    )
    in_bins = f"SELECT *, {binned} AS {_BIN} FROM ({bracketed})"
    ctes.append(f"{name}_in AS MATERIALIZED ({in_bins})")
    counted_bins = f"SELECT {_BIN}, count(*) AS {_C} FROM {name}_in GROUP BY {_BIN}"
    before = (
        f"SELECT {_BIN} AS {_AT}, sum({_C}) OVER (ORDER BY {_BIN} ROWS UNBOUNDED "
        f"PRECEDING) - {_C} AS {_BEFORE}, {_C} AS {_IN_BIN} FROM ({counted_bins})"
    )
    within = (
        f"SELECT * EXCLUDE ({_N}, {_K}, {_BELOW}, {_UPTO}, {_LO}, {_HI}, "
        f"{_SMALL}, {_BIN}, {_AT}, {_BEFORE}, {_IN_BIN}), {_K} AS {ROW_NUMBER}, "
        f"{_N} AS {GROUP_SIZE}, {_BELOW} + {_BEFORE} + row_number() OVER "
        f"(ORDER BY {x}, time{later}) AS {_POS} "
        f"FROM {name}_in JOIN ({before}) ON {_BIN} = {_AT} "
        f"WHERE {_BELOW} + {_BEFORE} < {_K} "
        f"AND {_K} <= {_BELOW} + {_BEFORE} + {_IN_BIN}"
    )
    found = f"SELECT * EXCLUDE ({_POS}) FROM ({within}) WHERE {_POS} = {ROW_NUMBER}"
    # The exact selection reads the rows only when the bracket missed.
    missed = f"(SELECT r.* FROM {read}, {name}_miss) AS missed"
    exact_ctes, exact = _exact_rows(f"{name}_exact", x, missed, p, later)
    relation = f"(SELECT * FROM ({found}) UNION ALL BY NAME SELECT * FROM {exact})"
    if binding is not None:
        return [*ctes, *exact_ctes], relation, binding
    return [*sample_ctes, *ctes, *exact_ctes], relation, None


def sample_fractions(fraction: float, widths: Sequence[float]) -> list[float]:
    """The fractions the bracket's sample is picked at: the median, then
    *fraction* less and plus each of *widths* (within 0-1)."""
    lows = [max(fraction - d, 0.0) for d in widths]
    return [0.5, *lows, *(min(fraction + d, 1.0) for d in widths)]


def bounds_sql(sampled: str, fraction: float) -> str:
    """``bracket_of_sample()`` in SQL, over the one row of *sampled* (the
    count and the picks), for vectors not told apart."""
    count = len(BRACKET_WIDTHS)
    widths = ", ".join(str(d) for d in BRACKET_WIDTHS)
    # The narrowest width at least the standard error times _SIGMAS (plus
    # a rank of slack); all of them when the sample is empty (a null).
    error = (
        f"{_SIGMAS} * sqrt({fraction * (1.0 - fraction)!r} * {_CLUSTERING} / {_M}) "
        f"+ {_SIGMAS} / {_M}"
    )
    wider = (
        f"CASE WHEN {_ERROR} IS NULL THEN {count} "
        f"ELSE len(list_filter([{widths}], lambda d: {_ERROR} > d)) END"
    )
    # The side of the bracket with fewer rows is the tail read: above
    # ``lo`` from the median up, up to ``hi`` below it.
    upper = fraction >= 0.5
    side = 1.0 - fraction if upper else fraction
    return (
        f"SELECT {_LOWS}[1 + {_WIDTH}] AS {_LO}, "
        f"{_LOWS}[1 + {count} + {_WIDTH}] AS {_HI}, {upper} AS {_UPPER}, "
        f"{side!r} + [{widths}][{_WIDTH}] <= {TAIL_SHARE} AS {_SMALL} "
        f"FROM (SELECT *, least(1 + {wider}, {count}) AS {_WIDTH} FROM "
        f"(SELECT *, {error} AS {_ERROR} FROM {sampled}))"
    )


def bracket_of_sample(
    row: Sequence[Any],
    *,
    fraction: float,
    widths: Sequence[float],
    tail_share: float,
) -> tuple[Any, Any, bool, bool]:
    """The bracket's ``(lo, hi, upper, small)`` from the sample's row ``(m,
    the selection at the median, the lows and the highs, the vectors
    sampled, the variance of their shares)``, by the rule of the SQL of
    ``nearest_rank_rows()``'s ``bounds`` (module docstring, step 1)."""
    m, picks, vectors, spread = row
    count = len(widths)
    upper = fraction >= 0.5
    lo = hi = None
    width = count
    if m and picks is not None:
        clustering = _CLUSTERING
        if spread is not None and vectors:
            clustering = max(spread * 4.0 * m / vectors, 1.0)
        error = _SIGMAS * math.sqrt(fraction * (1.0 - fraction) * clustering / m)
        error += _SIGMAS / m
        width = min(1 + sum(error > d for d in widths), count)
        lo, hi = picks[width], picks[count + width]
    share = (1.0 - fraction if upper else fraction) + widths[width - 1]
    return lo, hi, upper, share <= tail_share


def bracket_of_values(
    columns: Mapping[str, Any],
    *,
    fraction: float,
    widths: Sequence[float],
    tail_share: float,
) -> tuple[Any, Any, bool, bool]:
    """``bracket_of_sample()`` of the sampled values themselves: *columns*
    holds each one (``value``) and the number of its vector (``vector``);
    ``sample_row()`` makes the row the rule reads, picked at
    ``sample_fractions()``."""
    return bracket_of_sample(
        sample_row(columns, sample_fractions(fraction, widths)),
        fraction=fraction,
        widths=widths,
        tail_share=tail_share,
    )


def sample_row(columns: Mapping[str, Any], listed: Sequence[float]) -> tuple[Any, ...]:
    """The sample's ``(m, picks, vectors, spread)`` from its values
    (``bracket_of_values()``), nulls left out.

    The picks are ``quantile_disc``'s at the fractions *listed* (the
    median, the lows, the highs): the value at rank ``max(1, ceil(m * q))``
    of the ``m`` sorted values; the spread is the variance between the
    vectors (``var_samp``) of the share of their values up to the median,
    None for fewer than two vectors.
    """
    import numpy as np

    kept = ~np.ma.getmaskarray(columns["value"])
    values = np.asarray(columns["value"])[kept]
    vectors = np.asarray(columns["vector"])[kept]
    m = len(values)
    if not m:
        return (0, None, 0, None)
    ordered = np.sort(values)
    picks = ordered[[max(1, math.ceil(m * q)) - 1 for q in listed]].tolist()
    ids = vectors - vectors.min()
    counts = np.bincount(ids)
    low = np.bincount(ids, weights=values <= picks[0])
    held = counts > 0
    sampled = int(held.sum())
    shares = low[held] / counts[held]
    spread = float(shares.var(ddof=1)) if sampled > 1 else None
    return (m, picks, sampled, spread)


def sample_source(
    name: str, rows: str, base: str, table: str, sample: str | None = None
) -> tuple[list[str], str, bool]:
    """CTEs and a relation: about *sample* (``SAMPLE``, as it is when
    called, by default) of the rows of *rows* (drawn in
    *table*'s scan where *base* reads it); and whether its rows carry the
    number of their vector (``_VECTOR_ID``)."""
    if sample is None:
        sample = SAMPLE
    head = "base AS (SELECT "
    scan = f" FROM {table} WHERE "
    if (
        table.startswith('"')
        and base.startswith(head)
        and scan in base
        and rows.startswith("base ")
    ):
        body = base[len(head) : -1].replace(
            scan, f" FROM {table} TABLESAMPLE {sample} WHERE ", 1
        )
        # Each caller reads the sample once (the bracket's statement, the
        # tails' picks): no copy of it is kept.
        cte = (
            f"{name}_base AS NOT MATERIALIZED (SELECT rowid // {_VECTOR} "
            f"AS {_VECTOR_ID}, {body})"
        )
        return [cte], f"{name}_base {rows[len('base ') :]}", True
    return [], f"(SELECT * FROM {rows}) USING SAMPLE {sample}", False


def _exact_rows(
    name: str, x: str, rows: str, p: str, later: str = ""
) -> tuple[list[str], str]:
    """``nearest_rank_rows()`` by the exact selection (module docstring)."""
    fraction = f"least(greatest({p} / 100.0, 0.0), 1.0)"
    rank = f"CAST(floor(CAST({_N} AS DOUBLE) * {p} / 100.0 + 0.5) AS BIGINT)"
    selected = (
        f"SELECT count({x}) AS {_N}, quantile_disc({x}, {fraction}) AS {_FIRST} "
        f"FROM {rows}"
    )
    # One row: an aggregate without GROUP BY, next to the one selected row.
    counted = (
        f"SELECT any_value({_N}) AS {_N}, any_value({_FIRST}) AS {_FIRST}, "
        f"count_if({x} < {_FIRST}) AS {_BELOW}, "
        f"max({x}) FILTER (WHERE {x} < {_FIRST}) AS {_LOWER} "
        f"FROM (SELECT * FROM {rows}), {name}_selected"
    )
    ranked = f"SELECT *, {rank} AS {_K} FROM {name}_counted"
    picked = (
        f"SELECT {_N}, {_K}, "
        f"CASE WHEN {_K} > {_BELOW} THEN {_FIRST} ELSE {_LOWER} END AS {_VALUE}, "
        f"CASE WHEN {_K} > {_BELOW} THEN {_K} - {_BELOW} ELSE 0 END AS {_NTH} "
        f"FROM ({ranked}) WHERE {_K} >= 1 AND {_K} <= {_N} AND {_K} >= {_BELOW}"
    )
    ctes = [
        f"{name}_selected AS ({selected})",
        f"{name}_counted AS ({counted})",
        f"{name}_picked AS ({picked})",
    ]
    ties = (
        f"SELECT r.*, {_K} AS {ROW_NUMBER}, {_N} AS {GROUP_SIZE}, {_NTH}, "
        f"row_number() OVER (ORDER BY time{later}) AS {_TIME_RANK}, "
        f"count(*) OVER () AS {_TIES} "
        f"FROM (SELECT * FROM {rows}) AS r, {name}_picked AS p "
        f"WHERE {x} = {_VALUE}"
    )
    relation = (
        f"(SELECT * EXCLUDE ({_NTH}, {_TIME_RANK}, {_TIES}) FROM ({ties}) "
        f"WHERE {_TIME_RANK} = CASE WHEN {_NTH} > 0 THEN {_NTH} ELSE {_TIES} END)"
    )
    return ctes, relation
