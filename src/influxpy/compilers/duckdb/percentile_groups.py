"""PERCENTILE of each group (tags, windows), without sorting the rows.

The point at the nearest rank ``k = floor(n * p / 100 + 0.5)`` of each group,
by ``(value, time)``, as ``percentile.py`` finds it over all the rows when
its bracket misses; here per group, by hash grouping instead of one window
that sorts every group:

1. per group, the count ``n``, the least value and ``quantile_disc``'s picks
   ``v1`` at ``q = p / 100`` (rank ``r = max(1, ceil(n * q))``, ``k`` being
   ``r`` or ``r - 1``) and ``v0`` at ``q - DELTA``. When ``v0 < v1``, ``v0``'s
   rank is below ``r``, so the value at rank ``r - 1`` is at least ``v0``;
   otherwise the group's least value stands in for ``v0``;
2. only the rows near the picks are read again: for ``p >= 50`` those valued
   at least the least ``v0`` of all the groups, otherwise those valued at
   most the greatest ``v1``. That bound, joined as a one-row relation,
   becomes a filter inside the table's scan, so for a high percentile only
   a few hundredths of the rows leave it. From them, per group: the count
   ``c`` of values below ``v1`` (``n`` minus those from ``v1`` up, for
   ``p >= 50``) and the greatest value below ``v1``. If ``k > c`` the value
   is ``v1`` and the point is the ``(k - c)``-th of those valued ``v1`` in
   time order, otherwise (``k = c = r - 1``) the value is the greatest below
   ``v1``, at least ``v0``, and the point the last of those;
3. the near rows holding each group's value, numbered in time order (the
   order the query reads them), give the point.

The bound only decides how many rows steps 2 and 3 read, never the answer:
a group whose values spread unlike the others' (or too few values to tell
``v0`` from ``v1``) lowers it, at worst to every row.

tests/compilers/test_percentile_rank.py compares the answers with a full
sort per group on every tie pattern of up to four points over three values
and on random sets with many ties, in both time orders, grouped by a tag
and by windows of time.
"""

from __future__ import annotations

from collections.abc import Sequence

from influxpy.compilers.duckdb.aliases import GROUP_SIZE, ROW_NUMBER, _own
from influxpy.compilers.duckdb.percentile import bounded_rows

__all__ = ["DELTA", "KEPT_SHARE", "grouped_rank_rows"]

#: How far below the percentile's fraction ``v0`` is picked (step 1).
DELTA = 0.01
#: The near rows are kept in memory when expected to be at most this share.
KEPT_SHARE = 0.1

_N = _own("influxpy_gn")
_FIRST = _own("influxpy_gv")
_BELOW = _own("influxpy_gc")
_LOWER = _own("influxpy_gm")
_K = _own("influxpy_gk")
_VALUE = _own("influxpy_gval")
_NTH = _own("influxpy_gj")
_TIME_RANK = _own("influxpy_gt")
_TIES = _own("influxpy_gties")
_PICKS = _own("influxpy_gq")
_LEAST = _own("influxpy_gmin")
_FROM = _own("influxpy_gfrom")
_LO = _own("influxpy_glo")
_HI = _own("influxpy_ghi")
_UPPER = _own("influxpy_gup")
_SMALL = _own("influxpy_gsmall")


def _key(index: int) -> str:
    return _own(f"influxpy_gkey{index}")


def grouped_rank_rows(
    name: str,
    x: str,
    rows: str,
    p: str,
    parts: Sequence[str],
    *,
    descending: bool = False,
) -> tuple[list[str], str]:
    """CTEs and a relation holding the point PERCENTILE picks in each group.

    *rows* is what follows ``FROM`` for the percentile's input (non-null
    values of *x*), *p* the SQL of the percentile (0-100) and *parts* the
    SQL of the expressions (over the rows) that tell the groups apart. The
    relation has every column of *rows*, one row per group that has a point
    at the rank, with ``ROW_NUMBER`` set to the nearest rank and
    ``GROUP_SIZE`` to the group's count, so that the caller's test for the
    ranked row holds for it. Ties of value are ordered by time as the query
    reads the points (``descending``: latest first).
    """
    keys = [_key(i) for i in range(len(parts))]
    later = " DESC" if descending else ""
    fraction = f"least(greatest({p} / 100.0, 0.0), 1.0)"
    below = f"greatest({fraction} - {DELTA}, 0.0)"
    rank = f"CAST(floor(CAST({_N} AS DOUBLE) * {p} / 100.0 + 0.5) AS BIGINT)"
    listed = ", ".join(keys)
    named = ", ".join(f"{part} AS {key}" for part, key in zip(parts, keys, strict=True))

    def joined(other: str) -> str:
        return " AND ".join(
            f"r.{key} IS NOT DISTINCT FROM {other}.{key}" for key in keys
        )

    keyed = f"SELECT *, {named} FROM {rows}"
    selected = (
        f"SELECT {listed}, count({x}) AS {_N}, min({x}) AS {_LEAST}, "
        f"quantile_disc({x}, [{below}, {fraction}]) AS {_PICKS} "
        f"FROM {name}_keyed GROUP BY ALL"
    )
    # Per group: the value the near rows start from (p >= 50).
    start = (
        f"SELECT *, {_PICKS}[2] AS {_FIRST}, coalesce(CASE WHEN {_PICKS}[1] < "
        f"{_PICKS}[2] THEN {_PICKS}[1] END, {_LEAST}) AS {_FROM} "
        f"FROM {name}_selected"
    )
    bounds = (
        f"SELECT min({_FROM}) AS {_LO}, max({_FIRST}) AS {_HI}, "
        f"{fraction} >= 0.5 AS {_UPPER}, least({fraction}, 1.0 - {fraction}) "
        f"+ {DELTA} <= {KEPT_SHARE} AS {_SMALL} FROM {name}_start "
        # No groups, no bound: the scans joined to it read nothing.
        "HAVING count(*) > 0"
    )
    # The rows near the picks: from the least start up (p >= 50), else up
    # to the greatest pick; the bound is pushed into the table's scan. When
    # they are expected to be few (a percentile near 0 or 100) they are
    # kept for steps 2 and 3, otherwise read twice.
    read = f"(SELECT * FROM {name}_keyed) AS r"

    def near(small: str) -> str:
        return bounded_rows(read, f"{name}_bounds", small, x, (_LO, _HI, _UPPER))

    counted = (
        f"SELECT {', '.join(f'r.{key}' for key in keys)}, any_value({_N}) AS {_N}, "
        f"any_value({_FIRST}) AS {_FIRST}, "
        f"CASE WHEN any_value({_UPPER}) THEN any_value({_N}) - "
        f"count(*) FILTER (WHERE {x} >= {_FIRST}) "
        f"ELSE count(*) FILTER (WHERE {x} < {_FIRST}) END AS {_BELOW}, "
        f"max({x}) FILTER (WHERE {x} < {_FIRST}) AS {_LOWER} "
        f"FROM {name}_near AS r JOIN {name}_start AS s ON {joined('s')}, "
        f"{name}_bounds GROUP BY ALL"
    )
    picked = (
        f"SELECT {listed}, {_N}, {_K}, "
        f"CASE WHEN {_K} > {_BELOW} THEN {_FIRST} ELSE {_LOWER} END AS {_VALUE}, "
        f"CASE WHEN {_K} > {_BELOW} THEN {_K} - {_BELOW} ELSE 0 END AS {_NTH} "
        f"FROM (SELECT *, {rank} AS {_K} FROM {name}_counted) "
        f"WHERE {_K} >= 1 AND {_K} <= {_N} AND {_K} >= {_BELOW}"
    )
    streamed = f"SELECT * FROM {name}_kept UNION ALL {near(f'NOT {_SMALL}')}"
    ctes = [
        f"{name}_keyed AS NOT MATERIALIZED ({keyed})",
        f"{name}_selected AS MATERIALIZED ({selected})",
        f"{name}_start AS ({start})",
        f"{name}_bounds AS MATERIALIZED ({bounds})",
        f"{name}_kept AS MATERIALIZED ({near(_SMALL)})",
        f"{name}_near AS NOT MATERIALIZED ({streamed})",
        f"{name}_counted AS ({counted})",
        f"{name}_picked AS ({picked})",
    ]
    over = f"PARTITION BY {', '.join(f'r.{key}' for key in keys)}"
    ties = (
        f"SELECT r.*, g.{_K} AS {ROW_NUMBER}, g.{_N} AS {GROUP_SIZE}, g.{_NTH}, "
        f"row_number() OVER ({over} ORDER BY r.time{later}) AS {_TIME_RANK}, "
        f"count(*) OVER ({over}) AS {_TIES} "
        f"FROM {name}_near AS r JOIN {name}_picked AS g "
        f"ON {joined('g')} AND r.{x} = g.{_VALUE}"
    )
    relation = (
        f"(SELECT * EXCLUDE ({listed}, {_NTH}, {_TIME_RANK}, {_TIES}) FROM ({ties}) "
        f"WHERE {_TIME_RANK} = CASE WHEN {_NTH} > 0 THEN {_NTH} ELSE {_TIES} END)"
    )
    return ctes, relation
