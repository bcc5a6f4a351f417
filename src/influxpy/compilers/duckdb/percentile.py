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
   ``lo`` up when ``p >= 50``, those up to ``hi`` otherwise. With ``n`` (a
   count that reads no value), the tail's size and its rows below ``lo``
   and up to ``hi`` give the rows below ``lo`` and up to ``hi`` of the
   whole; if ``k`` lies between the two, the point at rank ``k`` has a
   value in ``[lo, hi]``;
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

When the sample is drawn from the table itself, the steps are statements
run first (``Binding``s, ``_table_rank_rows``), and the percentile's own
statement only reads the row they found, by its time and value (a short
statement: planning the steps inside it took longer than running them).
Step 1 draws the sample and counts the rows; its values come back as
arrays, bracketed in numpy (``percentile_arrays``). A small tail is then
fetched (its bound compared as a constant inside the table's scan, so only
the tail leaves it: 9 ms for 10,000,000 rows), else the rows inside the
bracket when few (those below it counted apart), and the point at its
rank found by two partitions in numpy; only when neither is few enough,
or on a miss, are steps 2 and 3 (or the exact selection) left to a
statement in SQL. Otherwise
(a sample of a subquery's rows) every step is in the statement, the
bracket a one-row relation of it.

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
(the bracket forced to hold, with the tail kept or fetched, the rows
inside it fetched or read again, and forced to miss) with a full sort on
every tie pattern of up to four points over three values, on random sets
of up to 101 points with many ties and on 9,000 points that trend with
time, at percentiles whose rank rounds up, rounds down or is exact, over a
table's rows and a subquery's; and with brackets bound that are wrong in
every way (empty, reversed, on the wrong side, null, either rows fetched).
"""

from __future__ import annotations

import functools

from influxpy.compilers.duckdb.aliases import GROUP_SIZE, ROW_NUMBER, _own
from influxpy.compilers.duckdb.percentile_arrays import (
    CLUSTERING,
    SIGMAS,
    bracket_of_values,
    pick_in_rows,
    sample_fractions,
)
from influxpy.compilers.duckdb.plan import Binding

__all__ = [
    "BRACKET_WIDTHS",
    "FETCH_ROWS",
    "SAMPLE",
    "TAIL_SHARE",
    "WINDOW_SHARE",
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
#: (fetched, for a table's rows) when it is expected to hold at most this
#: share of them.
TAIL_SHARE = 0.1
#: Otherwise the rows inside the bracket of a table's rows are fetched
#: when the sample's share of values inside it is at most this.
WINDOW_SHARE = 0.1
#: Either is fetched only when expected to hold at most this many rows
#: (16 bytes each in numpy); larger ones are ranked in bins by the SQL,
#: whose buffers DuckDB can spill to disk, so memory stays bounded.
FETCH_ROWS = 2_000_000
#: The bracket's rows are counted in this many bins by value, and only
#: those of the bin holding the rank are sorted.
BINS = 1024
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
) -> tuple[list[str], str, tuple[Binding, ...]]:
    """CTEs and a relation holding the point PERCENTILE picks from *rows*,
    and the statements run first when the sample is drawn from a table.

    *rows* is a relation body (``base WHERE ...``) whose non-null values of
    *x* are the percentile's input, *p* the SQL of the percentile (0-100).
    The relation has every column of *rows* and ``ROW_NUMBER``/``GROUP_SIZE``
    set to the nearest rank and the count, so that the caller's test for the
    ranked row holds for it; it is empty when the rank is outside ``1..n``.
    With *base*, the CTE ``base AS (SELECT ... FROM <table> WHERE ...)``
    that *rows* reads, and its *table*, the sample is drawn inside the
    table's scan, which then skips the vectors left out, and the bracket
    and the pick among the rows it leaves are statements of their own (the
    returned ``Binding``s, ``_table_rank_rows``), whose values the relation's SQL
    reads as parameters named from *bound*, unique in the statement;
    *percent* is the value of *p*. Ties of value are ordered by time as
    the query reads the points (``descending``: latest first), as
    influxd's sort by value keeps its input's order of ties.
    """
    later = " DESC" if descending else ""
    sample_ctes, sample, vectors = sample_source(name, rows, base, table)
    f = min(max(percent / 100.0, 0.0), 1.0)
    if vectors:
        return _table_rank_rows(
            name,
            x,
            rows,
            p,
            [base, *sample_ctes],
            sample,
            fraction=f,
            percent=percent,
            descending=descending,
            bound=bound,
        )
    read = f"(SELECT * FROM {rows}) AS r"
    # A sample of rows the statement makes (a subquery's): the bracket is
    # worked out in the same statement, by the rule of
    # ``bracket_of_sample`` for vectors not told apart, from one selection
    # for every fraction (the median, the lows, the highs).
    listed = ", ".join(repr(v) for v in sample_fractions(f, BRACKET_WIDTHS))
    sampled = (
        f"SELECT count({x}) AS {_M}, quantile_disc({x}, [{listed}]::DOUBLE[]) "
        f"AS {_LOWS} FROM {sample}"
    )
    bounds = f"{name}_bounds"

    def tail(flag: str) -> str:
        """The rows of the tail, when the bracket's flag is *flag*."""
        return bounded_rows(read, bounds, flag, x, (_LO, _HI, _UPPER))

    # A tail of at most TAIL_SHARE of the rows is kept (one scan: its
    # counts and the rows inside the bracket come from it); a larger one is
    # only counted, and the rows inside the bracket are read again.
    tails = [f"SELECT {x} FROM {name}_tail", tail(f"NOT {_SMALL}")]
    count = f"(SELECT count(*) AS {_N} FROM {rows})"
    counted = _bracket_counts(name, x, tails, count, p)
    ctes = [
        *sample_ctes,
        f"{name}_sample AS ({sampled})",
        f"{bounds} AS MATERIALIZED ({bounds_sql(f'{name}_sample', f)})",
        f"{name}_tail AS MATERIALIZED ({tail(_SMALL)})",
        *_hit_and_miss(name, counted),
    ]
    kept = f"(SELECT * FROM {name}_hit WHERE {_SMALL})"
    again = f"(SELECT * FROM {name}_hit WHERE NOT {_SMALL})"
    bracketed = (
        f"SELECT t.*, h.* FROM {name}_tail AS t JOIN {kept} AS h "
        f"ON t.{x} >= h.{_LO} AND t.{x} <= h.{_HI} "
        f"UNION ALL SELECT r.*, h.* FROM {read} JOIN {again} AS h "
        f"ON r.{x} >= h.{_LO} AND r.{x} <= h.{_HI}"
    )
    binned_ctes, found = _ranked_in_bins(name, x, bracketed, later)
    # The exact selection reads the rows only when the bracket missed.
    missed = f"(SELECT r.* FROM {read}, {name}_miss) AS missed"
    exact_ctes, exact = _exact_rows(f"{name}_exact", x, missed, p, later)
    relation = f"(SELECT * FROM ({found}) UNION ALL BY NAME SELECT * FROM {exact})"
    return [*ctes, *binned_ctes, *exact_ctes], relation, ()


def _table_rank_rows(
    name: str,
    x: str,
    rows: str,
    p: str,
    sample_ctes: list[str],
    sample: str,
    *,
    fraction: float,
    percent: float,
    descending: bool,
    bound: str,
) -> tuple[list[str], str, tuple[Binding, ...]]:
    """``nearest_rank_rows()`` of a table's rows: *sample_ctes* (``base``
    first) and *sample* draw the sample inside its scan.

    Statements run first, each a ``Binding`` (``percentile_arrays``):

    1. the sample's values and the count of the rows: the bracket, and
       which rows are few enough to fetch;
    2. those rows (the tail beyond the bracket, or the rows inside it and,
       in a statement before, the count of those below), among which numpy
       finds the point (its time and value); nothing when neither is few
       enough;
    3. only when the second found no point for the rank (nothing fetched,
       or a miss): the point found in SQL, by counting the tail and ranking
       the bracket's rows in bins, or by the exact selection when the
       bracket misses.

    The bracket's bounds are compared as constants, which DuckDB evaluates
    inside the table's scan, so only the rows fetched leave it. This
    statement then reads the one row found by its time and value: a short
    statement, planned in a fraction of the time the steps above would
    take to plan in it.
    """
    later = " DESC" if descending else ""
    read = f"(SELECT * FROM {rows}) AS r"
    # Read more than once by the steps: scanned again, not copied (DuckDB
    # materializes a CTE read twice).
    base = sample_ctes[0].replace("base AS (", "base AS NOT MATERIALIZED (", 1)
    parts = ("lo", "hi", "upper", "tail", "window", "n")
    names = tuple(f"{bound}_{part}" for part in parts)
    lo_name, hi_name, _upper, tail_name, window_name, n_name = names
    lo, hi, up, tail, window, n = (f"${name}" for name in names)
    sampled = f"SELECT {_VECTOR_ID} AS vector, {x} AS value FROM {sample}"
    bracket = Binding(
        f"WITH {', '.join(sample_ctes)} SELECT s.vector, s.value, c.n FROM "
        f"(SELECT count(*) AS n FROM {rows}) AS c LEFT JOIN ({sampled}) AS s "
        "ON TRUE",
        {},
        names,
        functools.partial(
            bracket_of_values,
            fraction=fraction,
            widths=BRACKET_WIDTHS,
            tail_share=TAIL_SHARE,
            window_share=WINDOW_SHARE,
            fetch_rows=FETCH_ROWS,
        ),
        columns=True,
    )
    inside = f"r.{x} >= {lo} AND r.{x} <= {hi}"
    below = f"{bound}_below"
    # A statement of its own: beside the rows fetched (in a UNION ALL),
    # the count would double the time they take to come back.
    counted_below = Binding(
        f"WITH {base} SELECT count(*) FROM {read} WHERE r.{x} < {lo}",
        {},
        (below,),
        reads=(lo_name,),
        when=window_name,
    )
    upper = fraction >= 0.5
    found_name, rest, t_name, v_name = (
        f"{bound}_{part}" for part in ("found", "rest", "t", "v")
    )
    side = f"r.{x} >= {lo}" if upper else f"r.{x} <= {hi}"
    pick = Binding(
        f"WITH {base} SELECT r.time AS time, r.{x} AS value FROM {read} "
        f"WHERE ({tail} AND {side}) OR (NOT {tail} AND {window} AND {inside})",
        {},
        (found_name, rest, t_name, v_name),
        functools.partial(
            pick_in_rows, percent=percent, upper=upper, descending=descending
        ),
        columns=True,
        reads=(lo_name, hi_name, tail_name, window_name),
        passes=(tail_name, window_name, below, n_name),
    )
    # Nothing fetched (or a null bound by hand): the tail is counted and
    # the rows inside the bracket read again. Rows fetched: this statement
    # runs only when the bracket missed, and the exact selection answers.
    small = f"coalesce({tail} OR {window}, FALSE)"
    constants = f"{lo} AS {_LO}, {hi} AS {_HI}, {up} AS {_UPPER}, {small} AS {_SMALL}"
    streamed = (
        f"SELECT r.{x} FROM {read} WHERE NOT {small} AND "
        f"CASE WHEN {up} THEN r.{x} >= {lo} ELSE r.{x} <= {hi} END"
    )
    count = f"(SELECT CAST({n} AS BIGINT) AS {_N})"
    counted = _bracket_counts(name, x, [streamed], count, p)
    ctes = [
        base,
        f"{name}_bounds AS (SELECT {constants})",
        *_hit_and_miss(name, f"{counted} WHERE NOT {small}", also=small),
    ]
    bracketed = (
        f"SELECT r.*, h.* FROM {read} JOIN {name}_hit AS h ON TRUE "
        f"WHERE NOT {small} AND {inside}"
    )
    binned_ctes, found = _ranked_in_bins(name, x, bracketed, later)
    missed = f"(SELECT r.* FROM {read}, {name}_miss) AS missed"
    exact_ctes, exact = _exact_rows(f"{name}_exact", x, missed, p, later)
    selected = Binding(
        f"WITH {', '.join([*ctes, *binned_ctes, *exact_ctes])} SELECT TRUE, "
        f"time, {x} FROM (SELECT * FROM ({found}) UNION ALL BY NAME "
        f"SELECT * FROM {exact})",
        {},
        (found_name, t_name, v_name),
        reads=names,
        when=rest,
    )
    rank = f"CAST(floor(CAST({n} AS DOUBLE) * {p} / 100.0 + 0.5) AS BIGINT)"
    picked = (
        f"(SELECT r.*, {rank} AS {ROW_NUMBER}, CAST({n} AS BIGINT) AS "
        f"{GROUP_SIZE} FROM {read} WHERE ${found_name} AND r.time = ${t_name} "
        f"AND r.{x} = ${v_name} LIMIT 1)"
    )
    return [], picked, (bracket, counted_below, pick, selected)


def _bracket_counts(name: str, x: str, tails: list[str], count: str, p: str) -> str:
    """The bracket's one row: the count of the rows (from the relation
    *count*), the rank, the bounds and the counts below ``lo`` and up to
    ``hi`` of the rows of the relations *tails* (the rows beyond the
    bracket's far bound) and of the rows outside them."""
    union = " UNION ALL ".join(f"SELECT {x} FROM ({tail})" for tail in tails)
    counts = (
        f"SELECT count(*) AS {_T}, count(*) FILTER (WHERE {x} < {_LO}) AS {_BELOW}, "
        f"count(*) FILTER (WHERE {x} <= {_HI}) AS {_UPTO} "
        f"FROM ({union}), {name}_bounds"
    )
    # Outside the tail: every row below ``lo`` (upper tail) or none.
    offset = f"CASE WHEN {_UPPER} THEN {_N} - {_T} ELSE 0 END"
    rank = f"CAST(floor(CAST({_N} AS DOUBLE) * {p} / 100.0 + 0.5) AS BIGINT)"
    return (
        f"SELECT *, {rank} AS {_K} FROM (SELECT {_N}, {offset} + {_BELOW} AS "
        f"{_BELOW}, {offset} + {_UPTO} AS {_UPTO}, {_LO}, {_HI}, {_SMALL} "
        f"FROM ({counts}), {name}_bounds, {count})"
    )


def _hit_and_miss(name: str, counted: str, also: str = "") -> list[str]:
    """CTEs: the bracket's row *counted*, that row when the rank is inside
    the bracket (``_hit``), a row when it is not (``_miss``, also when the
    flag *also* holds)."""
    inside = f"{_K} >= 1 AND {_K} <= {_N}"
    held = f"{_K} > {_BELOW} AND {_K} <= {_UPTO}"
    missing = f"SELECT 1 AS {_MISS} FROM {name}_bracket WHERE {inside} AND NOT ({held})"
    if also:
        missing += f" UNION ALL SELECT 1 AS {_MISS} WHERE {also}"
    return [
        f"{name}_bracket AS MATERIALIZED ({counted})",
        f"{name}_hit AS (SELECT * FROM {name}_bracket WHERE {inside} AND {held})",
        f"{name}_miss AS ({missing})",
    ]


def _ranked_in_bins(
    name: str, x: str, bracketed: str, later: str
) -> tuple[list[str], str]:
    """A CTE and the relation of the point at the rank among the bracket's
    rows *bracketed* (each beside the ``_hit`` row): they fall into BINS
    bins of equal width by value (a bin number never falls as the value
    rises), and only the rows of the bin holding the rank are sorted."""
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
    return [f"{name}_in AS MATERIALIZED ({in_bins})"], found


def bounds_sql(sampled: str, fraction: float) -> str:
    """``bracket_of_sample()`` in SQL, over the one row of *sampled* (the
    count and the picks), for vectors not told apart."""
    count = len(BRACKET_WIDTHS)
    widths = ", ".join(str(d) for d in BRACKET_WIDTHS)
    # The narrowest width at least the standard error times SIGMAS (plus
    # a rank of slack); all of them when the sample is empty (a null).
    error = (
        f"{SIGMAS} * sqrt({fraction * (1.0 - fraction)!r} * {CLUSTERING} / {_M}) "
        f"+ {SIGMAS} / {_M}"
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
