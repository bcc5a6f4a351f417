"""PERCENTILE of each group (tags, windows), without sorting the rows.

The point at the nearest rank ``k = floor(n * p / 100 + 0.5)`` of each group,
by ``(value, time)``, as ``percentile.py`` finds it over all the rows when
its bracket misses; here per group, in three passes that group by hash
instead of one window that sorts every group:

1. per group, the count ``n`` and ``quantile_disc``'s pick ``v1`` (at rank
   ``r = max(1, ceil(n * q))``, ``k`` being ``r`` or ``r - 1``);
2. per group, the count ``c`` of values below ``v1`` and the greatest of
   them: if ``k > c`` the value is ``v1`` and the point is the
   ``(k - c)``-th of those valued ``v1`` in time order, otherwise (``k = c``)
   the value is the greatest below ``v1`` and the point the last of those;
3. the rows holding each group's value, numbered in time order (the order
   the query reads them), give the point.

tests/compilers/test_percentile_rank.py compares the answers with a full
sort per group on every tie pattern of up to four points over three values
and on random sets with many ties, in both time orders, grouped by a tag
and by windows of time.
"""

from __future__ import annotations

from collections.abc import Sequence

from influxpy.compilers.duckdb.aliases import GROUP_SIZE, ROW_NUMBER, _own

__all__ = ["grouped_rank_rows"]

_N = _own("influxpy_gn")
_FIRST = _own("influxpy_gv")
_BELOW = _own("influxpy_gc")
_LOWER = _own("influxpy_gm")
_K = _own("influxpy_gk")
_VALUE = _own("influxpy_gval")
_NTH = _own("influxpy_gj")
_TIME_RANK = _own("influxpy_gt")
_TIES = _own("influxpy_gties")


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
    rank = f"CAST(floor(CAST({_N} AS DOUBLE) * {p} / 100.0 + 0.5) AS BIGINT)"
    listed = ", ".join(keys)
    named = ", ".join(f"{part} AS {key}" for part, key in zip(parts, keys, strict=True))

    def joined(other: str) -> str:
        return " AND ".join(
            f"r.{key} IS NOT DISTINCT FROM {other}.{key}" for key in keys
        )

    keyed = f"SELECT *, {named} FROM {rows}"
    selected = (
        f"SELECT {listed}, count({x}) AS {_N}, "
        f"quantile_disc({x}, {fraction}) AS {_FIRST} FROM {name}_keyed GROUP BY ALL"
    )
    counted = (
        f"SELECT {', '.join(f'r.{key}' for key in keys)}, any_value({_N}) AS {_N}, "
        f"any_value({_FIRST}) AS {_FIRST}, "
        f"count(*) FILTER (WHERE {x} < {_FIRST}) AS {_BELOW}, "
        f"max({x}) FILTER (WHERE {x} < {_FIRST}) AS {_LOWER} "
        f"FROM {name}_keyed AS r JOIN {name}_selected AS s ON {joined('s')} "
        f"GROUP BY ALL"
    )
    picked = (
        f"SELECT {listed}, {_N}, {_K}, "
        f"CASE WHEN {_K} > {_BELOW} THEN {_FIRST} ELSE {_LOWER} END AS {_VALUE}, "
        f"CASE WHEN {_K} > {_BELOW} THEN {_K} - {_BELOW} ELSE 0 END AS {_NTH} "
        f"FROM (SELECT *, {rank} AS {_K} FROM {name}_counted) "
        f"WHERE {_K} >= 1 AND {_K} <= {_N} AND {_K} >= {_BELOW}"
    )
    ctes = [
        f"{name}_keyed AS NOT MATERIALIZED ({keyed})",
        f"{name}_selected AS ({selected})",
        f"{name}_counted AS ({counted})",
        f"{name}_picked AS ({picked})",
    ]
    over = f"PARTITION BY {', '.join(f'r.{key}' for key in keys)}"
    ties = (
        f"SELECT r.*, g.{_K} AS {ROW_NUMBER}, g.{_N} AS {GROUP_SIZE}, g.{_NTH}, "
        f"row_number() OVER ({over} ORDER BY r.time{later}) AS {_TIME_RANK}, "
        f"count(*) OVER ({over}) AS {_TIES} "
        f"FROM {name}_keyed AS r JOIN {name}_picked AS g "
        f"ON {joined('g')} AND r.{x} = g.{_VALUE}"
    )
    relation = (
        f"(SELECT * EXCLUDE ({listed}, {_NTH}, {_TIME_RANK}, {_TIES}) FROM ({ties}) "
        f"WHERE {_TIME_RANK} = CASE WHEN {_NTH} > 0 THEN {_NTH} ELSE {_TIES} END)"
    )
    return ctes, relation
