"""PERCENTILE of each group near 0 or 100, from a sample's thresholds.

A percentile in a tail (``p <= 10`` or ``p >= 90``) picks its point among
few of a group's rows: those past the group's value at a fraction a little
short of ``p / 100``. A sample finds that value per group, so no step of
this needs every group's values in memory (``percentile_groups.py``'s
``quantile_disc`` over all the rows copies them all):

1. over about ``SAMPLE`` of the rows (whole vectors, drawn inside the
   table's scan where the rows are a table's), per group: the count ``m``
   of its sampled values and ``quantile_disc``'s picks at fractions
   ``p / 100 -+ d`` (toward the median) for a ladder of widths ``d``; the
   group's threshold is the pick at the narrowest ``d`` of at least a few
   standard errors of a quantile of ``m`` values. Groups with fewer than
   ``MIN_SAMPLED`` sampled values get none;
2. one scan counts every group's rows ``n``, giving the nearest rank
   ``k = floor(n * p / 100 + 0.5)``;
3. one scan reads the rows past the least (or greatest) threshold, a
   bound DuckDB pushes into the table's scan, and keeps those past their
   own group's threshold: the near rows, ``a`` of them in a group;
4. a group holds when its rank falls among its near rows: for ``p >= 50``
   the ``n - a`` rows below the threshold are fewer than ``k``, for
   ``p < 50`` ``k <= a``. Its point is then the near row at position ``k``
   (minus ``n - a`` for ``p >= 50``) by ``(value, time)``;
5. the groups that do not hold (an unlucky sample, too few sampled values,
   a group the sample missed) have all their rows ranked beside the near
   rows, their point at position ``k``: few rows, since those groups hold
   less than half the sampled rows and a miss is rare.

When the groups given a threshold hold less than ``SAMPLED_SHARE`` of the
sampled rows (many small groups: windows of a few hundred points), steps
2 to 5 read nothing and ``grouped_rank_rows`` answers every group from the
rows as they are, as if this module were not used.

Over a table's rows, step 1 is a statement run first (a ``Binding``): its
groups' thresholds come to the percentile's statement as lists, their
least (greatest) as a constant DuckDB compares inside the table's scan,
and which of the two ways is taken as a constant too, so that DuckDB drops
the other when it plans the statement (planning both took 16 ms of a 99th
percentile per host of 10,000,000 points; 8 ms now). Over a subquery's
rows every step is in the statement. Of the ladder of widths, those no
group can take at the percentile are left out of the sample's selection
(``widths_for``; each pick costs it time).

The sample only decides how many rows steps 3 to 5 read, never the answer.
Ties of value are ordered by time as the query reads the points.

tests/compilers/test_percentile_rank.py compares the answers with a full
sort per group, the sample taking every row (every group holds, or with
thresholds just short of the rank some miss), none (``grouped_rank_rows``
answers every group) or some; test_percentile_tails.py checks step 1's
choices.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import Any

from influxpy.compilers.duckdb.aliases import GROUP_SIZE, ROW_NUMBER, _own
from influxpy.compilers.duckdb.percentile import sample_source
from influxpy.compilers.duckdb.percentile_groups import grouped_rank_rows
from influxpy.compilers.duckdb.plan import Binding

__all__ = [
    "MIN_SAMPLED",
    "SAMPLE",
    "SAMPLED_SHARE",
    "TAIL",
    "WIDTHS",
    "tail_rank_rows",
    "thresholds_of_sample",
    "thresholds_used",
    "widths_for",
]

#: How much of the rows the thresholds are drawn from (whole vectors).
SAMPLE = "10% (system)"
#: A percentile this close to 0 or 100 (as a fraction) is in a tail.
TAIL = 0.1
#: Groups with fewer sampled values get no threshold (step 5 answers them).
MIN_SAMPLED = 64
#: Thresholds are used only when groups that get one hold at least this
#: share of the sampled rows.
SAMPLED_SHARE = 0.5
#: The widths ``d`` a threshold may lie short of the fraction by.
WIDTHS = (0.002, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 1.0)
#: A threshold is this many standard errors short of the fraction: a group
#: it misses is answered by step 5 alone, so a tight threshold pays (3
#: against 4 took a tenth off the 99th percentile per host of 10,000,000
#: points, random or trending with time).
_SIGMAS = 3.0
#: Sampled vectors are runs of neighbouring points: count them as this many
#: times fewer independent values.
_CLUSTERING = 2.0

_M = _own("influxpy_tm")
_PICKS = _own("influxpy_tq")
_TH = _own("influxpy_tth")
_N = _own("influxpy_tn")
_A = _own("influxpy_ta")
_K = _own("influxpy_tk")
_BELOW = _own("influxpy_tb")
_BOUND = _own("influxpy_tbound")
_POS = _own("influxpy_tpos")
_ON = _own("influxpy_ton")


def _key(index: int) -> str:
    return _own(f"influxpy_tkey{index}")


def in_tail(fraction: float) -> bool:
    """Whether a percentile of *fraction* (0-1) is answered here."""
    return min(fraction, 1.0 - fraction) <= TAIL


def tail_rank_rows(
    name: str,
    x: str,
    rows: str,
    p: str,
    upper: bool,
    parts: Sequence[str],
    base: str = "",
    table: str = "",
    *,
    descending: bool = False,
    bound: str,
    percent: float,
) -> tuple[list[str], str, tuple[Binding, ...]]:
    """CTEs and a relation holding the point PERCENTILE picks in each group,
    for a percentile in a tail (``in_tail``; *upper*: ``p >= 50``), and the
    statements run first when the sample is drawn from a table.

    As ``grouped_rank_rows`` (*rows*, *p*, *parts*, *descending* alike);
    with *base*, the CTE ``base AS (SELECT ... FROM <table> WHERE ...)``
    that *rows* reads, and its *table*, the sample is drawn inside the
    table's scan, and step 1 is a statement of its own (a ``Binding``):
    the thresholds come to the SQL as lists (parameters named from *bound*,
    unique in the statement), the least (greatest) of them as a constant
    DuckDB compares inside the table's scan, and whether thresholds are used
    as a constant too, so that DuckDB drops the way not taken when it plans
    the statement. *percent* is the value of *p*: the widths no group can
    take at it are left out of the ladder (each pick costs the selection
    its time).
    """
    keys = [_key(i) for i in range(len(parts))]
    later = " DESC" if descending else ""
    listed = ", ".join(keys)
    named = ", ".join(f"{part} AS {key}" for part, key in zip(parts, keys, strict=True))

    def same(left: str, right: str) -> str:
        return " AND ".join(
            f"{left}.{key} IS NOT DISTINCT FROM {right}.{key}" for key in keys
        )

    sample_ctes, sampled, vectors = sample_source(name, rows, base, table, SAMPLE)
    fraction = f"least(greatest({p} / 100.0, 0.0), 1.0)"
    ladder = widths_for(percent / 100.0)
    widths = ", ".join(str(d) for d in ladder)
    toward = (
        f"greatest({fraction} - d, 0.0)" if upper else f"least({fraction} + d, 1.0)"
    )
    error = (
        f"{_SIGMAS} * sqrt({fraction} * (1.0 - {fraction}) * {_CLUSTERING} / {_M}) "
        f"+ {_SIGMAS} / {_M}"
    )
    narrowest = f"1 + len(list_filter([{widths}], lambda d: {error} > d))"
    picks = (
        f"SELECT {named}, count({x}) AS {_M}, quantile_disc({x}, "
        f"list_transform([{widths}], lambda d: {toward})) AS {_PICKS} "
        f"FROM (SELECT * FROM {sampled}) GROUP BY ALL"
    )
    threshold = f"{_PICKS}[least({narrowest}, {len(ladder)})]"
    past = ">=" if upper else "<="
    read = f"(SELECT * FROM {name}_keyed) AS r"
    ctes = [f"{name}_keyed AS NOT MATERIALIZED (SELECT *, {named} FROM {rows})"]
    bindings: tuple[Binding, ...] = ()
    if vectors:
        # Step 1 first: its groups' thresholds bound as lists, their least
        # (greatest) and the way taken as constants.
        on_name, edge_name, th_name = (f"{bound}_{s}" for s in ("on", "edge", "th"))
        key_names = [f"{bound}_k{i}" for i in range(len(keys))]
        columns = ", ".join(f"{key} AS k{i}" for i, key in enumerate(keys))
        bindings = (
            Binding(
                f"WITH {', '.join(sample_ctes)} SELECT {columns}, {_M} AS m, "
                f"{threshold} AS th FROM ({picks})",
                {},
                (on_name, edge_name, th_name, *key_names),
                functools.partial(
                    thresholds_of_sample,
                    upper=upper,
                    least=MIN_SAMPLED,
                    share=SAMPLED_SHARE,
                    keys=len(keys),
                ),
                columns=True,
            ),
        )
        unnested = ", ".join(
            f"unnest(${name_}) AS {key}"
            for name_, key in zip(key_names, keys, strict=True)
        )
        on, off = f"${on_name}", f"NOT ${on_name}"
        thresholds = f"SELECT {unnested}, unnest(${th_name}) AS {_TH}"
        scanned = f"SELECT r.* FROM {read} WHERE {on} AND r.{x} {past} ${edge_name}"
        counted = f"{name}_keyed WHERE {on}"
    else:
        thresholds = (
            f"SELECT {listed}, {threshold} AS {_TH} "
            f"FROM {name}_picks WHERE {_M} >= {MIN_SAMPLED} "
            f"AND EXISTS (SELECT 1 FROM {name}_on)"
        )
        # Thresholds pay off when most sampled rows are in groups that get
        # one; otherwise (many small groups) every group goes the other way
        # at once.
        mode = f"SELECT {thresholds_used(_M)} AS {_ON} FROM {name}_picks"
        on = f"EXISTS (SELECT 1 FROM {name}_on)"
        off = f"EXISTS (SELECT 1 FROM {name}_off)"
        edge = f"{'min' if upper else 'max'}({_TH}) AS {_BOUND}"
        # The near rows: past the least (greatest) threshold inside the
        # scan, then past their own group's.
        scanned = (
            f"SELECT r.* FROM {read} SEMI JOIN (SELECT {edge} FROM "
            f"{name}_thresholds) AS b ON r.{x} {past} b.{_BOUND}"
        )
        counted = f"{name}_keyed"
        off_rows = f"SELECT 1 FROM {name}_mode WHERE {_ON} IS NOT TRUE"
        ctes += [
            *sample_ctes,
            f"{name}_picks AS MATERIALIZED ({picks})",
            f"{name}_mode AS MATERIALIZED ({mode})",
            f"{name}_on AS MATERIALIZED (SELECT 1 FROM {name}_mode WHERE {_ON})",
            f"{name}_off AS MATERIALIZED ({off_rows})",
        ]
    rank = f"CAST(floor(CAST({_N} AS DOUBLE) * {p} / 100.0 + 0.5) AS BIGINT)"
    counts = (
        f"SELECT *, {rank} AS {_K} FROM "
        f"(SELECT {listed}, count(*) AS {_N} FROM {counted} GROUP BY ALL)"
    )
    near = (
        f"SELECT r.* FROM ({scanned}) AS r JOIN {name}_thresholds AS t "
        f"ON {same('r', 't')} AND r.{x} {past} t.{_TH}"
    )
    below = f"c.{_N} - coalesce(a.{_A}, 0)" if upper else "0"
    held = (
        f"SELECT c.*, {below} AS {_BELOW} FROM {name}_counts AS c "
        f"JOIN {name}_thresholds AS t ON {same('c', 't')} "
        f"LEFT JOIN (SELECT {listed}, count(*) AS {_A} FROM {name}_near "
        f"GROUP BY ALL) AS a ON {same('c', 'a')} "
        f"WHERE c.{_K} >= 1 AND c.{_K} <= c.{_N} AND c.{_K} > {below} "
        f"AND c.{_K} - {below} <= coalesce(a.{_A}, 0)"
    )
    # Every other group with a point at its rank.
    rest = (
        f"SELECT c.* FROM {name}_counts AS c WHERE {on} AND c.{_K} >= 1 "
        f"AND c.{_K} <= c.{_N} AND NOT EXISTS (SELECT 1 FROM {name}_held AS h "
        f"WHERE {same('h', 'c')})"
    )
    slow = f"SELECT r.* FROM {read} SEMI JOIN {name}_rest AS s ON {same('r', 's')}"
    ctes += [
        f"{name}_thresholds AS MATERIALIZED ({thresholds})",
        f"{name}_counts AS MATERIALIZED ({counts})",
        f"{name}_near AS MATERIALIZED ({near})",
        f"{name}_held AS MATERIALIZED ({held})",
        f"{name}_rest AS MATERIALIZED ({rest})",
        f"{name}_slow AS MATERIALIZED ({slow})",
    ]
    # Off, every group is read as percentile_groups.py reads them.
    every = f"{name}_keyed WHERE {off}"
    all_ctes, all_rows = grouped_rank_rows(
        f"{name}_a", x, every, p, keys, descending=descending
    )
    ctes.extend(all_ctes)
    # On, each held group's near rows are ranked, and every row of the
    # groups the thresholds do not answer (few: those of a miss, or with
    # too few sampled values), from the first.
    ranked = (
        f"SELECT r.* FROM {name}_near AS r SEMI JOIN {name}_held AS h "
        f"ON {same('r', 'h')} UNION ALL SELECT * FROM {name}_slow"
    )
    targets = (
        f"SELECT {listed}, {_K}, {_N}, {_BELOW} FROM {name}_held UNION ALL "
        f"SELECT {listed}, {_K}, {_N}, 0 AS {_BELOW} FROM {name}_rest"
    )
    over = f"PARTITION BY {', '.join(f'r.{key}' for key in keys)}"
    positioned = (
        f"SELECT r.*, row_number() OVER ({over} ORDER BY r.{x}, r.time{later}) "
        f"AS {_POS} FROM ({ranked}) AS r"
    )
    fast = (
        f"SELECT r.* EXCLUDE ({_POS}), h.{_K} AS {ROW_NUMBER}, "
        f"h.{_N} AS {GROUP_SIZE} FROM ({positioned}) AS r "
        f"JOIN ({targets}) AS h ON {same('r', 'h')} "
        f"WHERE r.{_POS} = h.{_K} - h.{_BELOW}"
    )
    relation = (
        f"(SELECT * EXCLUDE ({listed}) FROM ({fast}) "
        f"UNION ALL BY NAME SELECT * EXCLUDE ({listed}) FROM {all_rows})"
    )
    return ctes, relation, bindings


def widths_for(fraction: float) -> tuple[float, ...]:
    """The widths of ``WIDTHS`` a group's threshold may take at *fraction*:
    those up to the first at least the standard error's allowance for the
    fewest sampled values a threshold is drawn from (``MIN_SAMPLED``), the
    allowance taken a little wide against rounding in SQL; a group with more
    values takes a narrower one."""
    f = min(max(fraction, 0.0), 1.0)
    m = max(MIN_SAMPLED, 1)
    widest = _SIGMAS * math.sqrt(f * (1.0 - f) * _CLUSTERING / m) + _SIGMAS / m
    wider = [i for i, d in enumerate(WIDTHS) if d >= widest * (1 + 1e-9)]
    return WIDTHS[: wider[0] + 1] if wider else WIDTHS


def thresholds_used(m: str) -> str:
    """SQL: whether thresholds are used, over the sample's groups (one row
    each, the count of sampled values *m*): the rule of
    ``thresholds_of_sample``, null (not used) when nothing was sampled."""
    return (
        f"coalesce(sum({m}) FILTER (WHERE {m} >= {MIN_SAMPLED}), 0) "
        f">= {SAMPLED_SHARE} * sum({m})"
    )


def thresholds_of_sample(
    arrays: Mapping[str, Any],
    *,
    upper: bool,
    least: int,
    share: float,
    keys: int,
) -> list[Any]:
    """Step 1's values from the sample's groups (the columns ``k0``…, the
    count ``m`` of sampled values and the threshold ``th`` of each): whether
    thresholds are used (the groups with at least *least* sampled values
    hold at least *share* of them), the least (*upper*) or greatest
    threshold, the thresholds and the groups' keys (*keys* of them), as
    lists; no threshold when they are not used."""
    import numpy as np

    m = np.asarray(arrays["m"], dtype=np.int64)
    chosen = m >= least
    total = int(m.sum())
    on = total > 0 and bool(chosen.any()) and int(m[chosen].sum()) >= share * total
    if not on:
        return [False, None, [], *([] for _ in range(keys))]
    th = np.ma.asarray(arrays["th"])[chosen]
    edge = th.min() if upper else th.max()
    columns = [np.ma.asarray(arrays[f"k{i}"])[chosen].tolist() for i in range(keys)]
    return [True, edge.item(), th.tolist(), *columns]
