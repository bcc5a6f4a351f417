"""PERCENTILE over all the rows of a query, without sorting them.

The server's percentile is the point at the nearest rank: with ``n`` values
sorted, rank ``k = floor(n * p / 100 + 0.5)`` (1-based), none when ``k`` is
outside ``1..n`` (reference §6.5). The engine orders ties of value by time,
so the answer is the point at rank ``k`` by ``(value, time)``.

Ranking every row with a window sorts them all. DuckDB's ``quantile_disc``
selects one element without a full sort, but at its own rank,
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

Two aggregating scans (the selection, then the count and the greatest value
below ``v1``) and a scan for the few points with the picked value replace
the sort. tests/compilers/test_percentile_rank.py compares the answers with
a full sort on every tie pattern of up to four points over three values and
on random sets of up to 101 points with many ties, at percentiles whose rank
rounds up, rounds down or is exact.
"""

from __future__ import annotations

from influxpy.compilers.duckdb.aliases import GROUP_SIZE, ROW_NUMBER, _own

_N = _own("influxpy_pn")
_FIRST = _own("influxpy_pv")
_K = _own("influxpy_pk")
_BELOW = _own("influxpy_pc")
_LOWER = _own("influxpy_pm")
_VALUE = _own("influxpy_pval")
_NTH = _own("influxpy_pj")
_TIME_RANK = _own("influxpy_pt")
_TIES = _own("influxpy_pties")


def nearest_rank_rows(name: str, x: str, rows: str, p: str) -> tuple[list[str], str]:
    """CTEs and a relation holding the point PERCENTILE picks from *rows*.

    *rows* is a relation body (``base WHERE ...``) whose non-null values of
    *x* are the percentile's input, *p* the SQL of the percentile (0-100).
    The relation has every column of *rows* and ``ROW_NUMBER``/``GROUP_SIZE``
    set to the nearest rank and the count, so that the caller's test for the
    ranked row holds for it; it is empty when the rank is outside ``1..n``.
    """
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
        f"row_number() OVER (ORDER BY time) AS {_TIME_RANK}, "
        f"count(*) OVER () AS {_TIES} "
        f"FROM (SELECT * FROM {rows}) AS r, {name}_picked AS p "
        f"WHERE {x} = {_VALUE}"
    )
    relation = (
        f"(SELECT * EXCLUDE ({_NTH}, {_TIME_RANK}, {_TIES}) FROM ({ties}) "
        f"WHERE {_TIME_RANK} = CASE WHEN {_NTH} > 0 THEN {_NTH} ELSE {_TIES} END)"
    )
    return ctes, relation
