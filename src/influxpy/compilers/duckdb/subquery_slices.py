"""SLIMIT/SOFFSET and LIMIT/OFFSET of subqueries, counted as influxd 1.6 counts them.

The server builds a subquery's iterators with the outer query's
dimensions (``newIteratorOptionsSubstatement`` sets the inner options'
``Dimensions`` to the outer ones and adds the outer tags to its
``GroupBy``), which decides both slices:

- SLIMIT and SOFFSET of every level add up, and the sum slices the tag
  sets the innermost measurement's index makes of the *outer* GROUP BY
  tags (among the series whose tags can match the inner condition), once.
- LIMIT and OFFSET of a subquery grouped by more tags than the outer
  query count rows per run of one inner group in the stream of each outer
  group, not per inner group: the server's ``LimitIterator`` restarts its
  count whenever the tags of the row change. The stream is in time order
  (windows, then the groups of one window, for aggregates). Raw rows are
  sliced twice, by the shard and by the statement, after the shard kept
  the first ``offset + limit + 1`` rows of each stored series; raw rows of
  a subquery stream in the order they carry (``ROW_ORDER``, the cursor's
  order passed through unsorted). When the
  outer query groups by every inner tag, each run is a whole group and
  the slice is the usual one per series; an inner GROUP BY * stands for
  every tag key of the measurements read (``RewriteFields``), whatever
  tags the series of an outer group hold.

An inner ``SELECT *`` is spelled out against the inner GROUP BY before the
outer tags join it (``_star_select``), as the server expands it first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from influxpy.compilers.duckdb.aliases import (
    ROW_ORDER,
    WINDOW_START,
    group_column,
    output_column,
)
from influxpy.compilers.duckdb.catalog import Catalog, ColumnInfo
from influxpy.compilers.duckdb.context import (
    _Bounds,
    _column_sql,
    _CompilerBase,
    _Context,
    _Selected,
)
from influxpy.exceptions import CompileError
from influxpy.expressions import Col, Star
from influxpy.functions import Func
from influxpy.query import GroupByTime, Query, SelectItem, Source

#: The SLIMIT ``series_offset()`` alone sends (QuerySet), read as no limit.
_NO_SERIES_LIMIT = 9_223_372_036_854_775_805
_HIDDEN = "series_tag_"


@dataclasses.dataclass
class SlicePlan:
    """How one subquery is sliced: what its inner query loses, what is added."""

    #: The outer query's tags (the server's ``Dimensions``); None for ``*``.
    dimensions: list[str] | None
    #: The summed (SLIMIT, SOFFSET); SLIMIT None means no limit.
    series: tuple[int | None, int] | None = None
    #: (LIMIT, OFFSET) counted by runs of inner groups, when they are not
    #: the usual per-series slice.
    runs: tuple[int | None, int] | None = None
    #: Whether the inner query is raw (sliced twice, after a per-series cut).
    raw: bool = False
    #: Whether the inner aggregates have windows (their stream order).
    windowed: bool = False
    #: Whether the rows stream in time order though not raw rows of stored
    #: series (a transformation's points).
    timed: bool = False
    #: Whether the rows stream in descending time order (the outer order).
    descending: bool = False
    #: The inner windows (length, offset in ns) of multi-row calls, whose
    #: points stream window by window, inner series by inner series.
    window: tuple[int, int] | None = None
    #: Whether those points' order is told only by the columns a multi-row
    #: call's rows carry (``WINDOW_START``, ``ROW_ORDER``): DISTINCT's values
    #: by the time each was seen, windows in local time.
    carried: bool = False
    #: The tags of stored series the inner query does not group by (raw).
    hidden: list[str] = dataclasses.field(default_factory=list)
    #: What the inner query changes (``dataclasses.replace``): the slices
    #: applied here instead, the select list with the hidden tags.
    changes: dict[str, Any] = dataclasses.field(default_factory=dict)


class SubquerySlicesMixin(_CompilerBase):
    """Slices of subqueries: series limits and grouped row limits."""

    def _matching(
        self, source: Source
    ) -> list[tuple[Catalog, str, str, Mapping[str, ColumnInfo]]]:
        """Defined in ``sources``."""
        raise NotImplementedError

    def _expanded_over(self, outer: Query) -> Query | list[Query]:
        """Defined in ``subqueries``."""
        raise NotImplementedError

    def _star_select(self, inner: Query) -> dict[str, Any]:
        """The inner ``*`` spelled out against the inner GROUP BY alone.

        The server expands an inner ``*`` before the outer tags join its
        GROUP BY, so a tag only the outer query groups by stays a column.
        """
        if inner.select:
            return {}
        if isinstance(inner.source, Query):
            # Its subquery's columns and the tags it does not group by: a
            # tag the outer query groups by stays a column there too.
            star = dataclasses.replace(inner, select=(SelectItem(Star()),))
            expanded = self._expanded_over(star)
            if isinstance(expanded, Query) and expanded.select:
                return {"select": expanded.select}
            return {}
        found = self._table(inner.source)
        if found is None:
            return {}
        return {"select": tuple(_star_items(found[1], inner.group_by))}

    def _slice_plan(
        self, outer: Query, group_by: tuple[str, ...], windows: GroupByTime | None
    ) -> SlicePlan:
        """The slices of *outer*'s subquery, whose merged GROUP BY is
        *group_by* and whose calls have the *windows* (their own or the
        outer query's)."""
        inner = outer.source
        assert isinstance(inner, Query)
        dims = None if "*" in outer.group_by else sorted(set(outer.group_by))
        plan = SlicePlan(dims, descending=outer.descending)
        levels = _levels(outer)
        if any(
            q.series_limit is not None or q.series_offset is not None for q in levels
        ):
            plan.series = _series_window(levels)
            # Summed here once: no level below slices its series again.
            plan.changes.update(
                series_limit=None,
                series_offset=None,
                source=_without_series_limits(inner.source),
            )
        if inner.limit is None and inner.offset is None:
            return plan
        _check_selector_limit(inner)
        if dims is None or not self._grouped_finer(inner, group_by, dims):
            return plan  # every run is a whole series: the usual slice
        funcs = [
            f.name.lower()
            for i in inner.select
            if self._has_call(i.expression)
            for f in i.expression.walk()
            if isinstance(f, Func)
        ]
        if any(name in self._HOLT_WINTERS for name in funcs):
            # HOLT_WINTERS streams the points of one inner series together:
            # each run is a whole series, the usual slice.
            return plan
        if any(name in self._MULTI_ROW for name in funcs):
            if windows is not None:
                calls = {
                    repr(f) for i in inner.select for f in self._calls_of(i.expression)
                }
                filled = inner.fill is not None and inner.fill.mode not in (
                    "null",
                    "none",
                )
                if len(calls) > 1 and (filled or inner.timezone is not None):
                    # Each call's points are sliced on their own, then paired
                    # (``_run_slicer``), where the calls are not filled.
                    what = (
                        "slicing a subquery of several calls over time windows "
                        "with fill() or tz()"
                    )
                    raise self._unsupported(what)
                # Window by window, each inner series' points in time order
                # (DISTINCT's as it emits them): runs of one inner series,
                # counted as the server counts them.
                plan.window = self._interval_of(windows)
                plan.carried = inner.timezone is not None or "distinct" in funcs
                plan.runs = (inner.limit, inner.offset or 0)
                plan.changes.update(limit=None, offset=None)
                return plan
            # TOP, BOTTOM, SAMPLE and DISTINCT stream the points of one inner
            # series together (in time order; DISTINCT's by value): each run
            # is a whole series, the usual slice.
            return plan
        plan.runs = (inner.limit, inner.offset or 0)
        plan.changes.update(limit=None, offset=None)
        # A transformation's points stream in time order, as raw rows of a
        # subquery do: both are sliced once, by the statement.
        transforms = self._TRANSFORMS | self._TECHNICAL
        plan.timed = any(name in transforms for name in funcs)
        if isinstance(inner.source, Query):
            # Raw rows of a subquery carry their order (``ROW_ORDER``).
            return plan
        plan.raw = not funcs
        if not plan.raw:
            return plan
        found = self._table(inner.source)
        if found is None:
            return plan
        _table, columns = found
        tags = sorted({c.key for c in columns.values() if c.role == "tag"})
        plan.hidden = [t for t in tags if "*" not in group_by and t not in group_by]
        if not plan.hidden:
            return plan
        select = list(inner.select) or _star_items(columns, inner.group_by)
        plan.changes["select"] = (*select, *_hidden_items(plan.hidden))
        return plan

    def _grouped_finer(
        self, inner: Query, group_by: tuple[str, ...], dims: list[str]
    ) -> bool:
        """Whether *group_by* (*inner*'s, the outer tags added) groups by a
        tag the outer *dims* lack.

        The server spells out an inner GROUP BY * as the tag keys of the
        measurements read (``RewriteFields``), whatever tags the series
        hold: an outer GROUP BY of all of them keeps whole series.
        """
        tags = set(group_by) - {"*"}
        if "*" in group_by:
            if not all(isinstance(s, Source) for s in inner.sources):
                return True
            for source in inner.sources:
                assert isinstance(source, Source)
                for *_where, columns in self._matching(source):
                    tags.update(c.key for c in columns.values() if c.role == "tag")
        return bool(tags - set(dims))

    def _sliced(
        self, inner: Query, selected: _Selected, plan: SlicePlan, limits: _Bounds
    ) -> tuple[str, _Selected]:
        """The rows of *selected* as the server slices them, and its columns
        without the hidden tags."""
        width = len(selected.names) - len(plan.hidden)
        shown = dataclasses.replace(
            selected, names=selected.names[:width], kinds=selected.kinds[:width]
        )
        keys = selected.group_keys
        groups = [group_column(i) for i in range(len(keys))]
        dims = keys if plan.dimensions is None else plan.dimensions
        parts = [group_column(keys.index(k)) for k in dims if k in keys]
        sql = selected.sql
        if plan.runs is not None and plan.window is not None:
            limit, offset = plan.runs
            direction = "DESC" if plan.descending else "ASC"
            start = window_start("time", *plan.window)
            within = "time"
            if sql in self._ordered_rows:
                # The window and rank the call's rows carry (``multirow``).
                start, within = WINDOW_START, ROW_ORDER
            elif plan.carried:
                what = "slicing this subquery of DISTINCT or with tz() windows"
                raise self._unsupported(what)
            order = [f"{start} {direction}", *(f"{g} ASC" for g in groups)]
            sql = _runs(sql, parts, groups, [*order, f"{within} ASC"], limit, offset)
        elif plan.runs is not None:
            limit, offset = plan.runs
            direction = "DESC" if plan.descending else "ASC"
            order = [f"{g} ASC" for g in groups]
            if sql in self._handed_rows:
                # A raw subquery's rows (of a measurement, or of its own
                # subquery) in the order they carry, the cursor's.
                order = [f"{ROW_ORDER} ASC"]
            elif plan.windowed or plan.timed:
                order.insert(0, f"time {direction}")
            if plan.raw:
                series = [
                    *groups,
                    *(output_column(width + i) for i in range(len(plan.hidden))),
                ]
                cut = offset + (limit or 0) + 1
                number = _over(series, [f"time {direction}"])
                sql = f"SELECT * FROM ({sql}) QUALIFY row_number() {number} <= {cut}"
                sql = _runs(sql, parts, groups, order, limit, offset)
            sql = _runs(sql, parts, groups, order, limit, offset)
        if plan.series is not None:
            sql = self._series_rows(inner, sql, plan, dims, keys, limits)
        return sql, shown

    def _run_slicer(
        self, plan: SlicePlan, keys: list[str], runs: tuple[int | None, int]
    ) -> Callable[[str], str]:
        """The LIMIT/OFFSET of *runs* counted per run of one inner group in
        the rows of one call, as the server slices each call's points."""
        limit, offset = runs
        groups = [group_column(i) for i in range(len(keys))]
        dims = keys if plan.dimensions is None else plan.dimensions
        parts = [group_column(keys.index(k)) for k in dims if k in keys]
        order = [f"{g} ASC" for g in groups]
        direction = "DESC" if plan.descending else "ASC"
        if plan.window is not None:
            # Window by window, inner series by inner series, SAMPLE's
            # points in time order inside a window (the others' one row).
            start = window_start("time", *plan.window)
            order = [f"{start} {direction}", *order, "time ASC"]
        elif plan.windowed:
            order.insert(0, f"time {direction}")

        def sliced(sql: str) -> str:
            return _runs(sql, parts, groups, order, limit, offset)

        return sliced

    def _series_rows(
        self,
        inner: Query,
        sql: str,
        plan: SlicePlan,
        dims: list[str],
        keys: list[str],
        limits: _Bounds,
    ) -> str:
        """Keep the rows of the tag sets the summed SLIMIT/SOFFSET keep."""
        assert plan.series is not None
        limit, offset = plan.series
        if limit is None and not offset:
            return sql
        # The series are those of the measurement the innermost level reads,
        # among those its tag condition keeps.
        innermost = _levels(inner)[-1]
        assert isinstance(innermost.source, Source)
        found = self._table(innermost.source)
        if found is None:
            return sql
        table, columns = found
        query = dataclasses.replace(
            innermost, series_limit=limit, series_offset=offset, group_by=tuple(dims)
        )
        ctx = _Context(
            query=query,
            table=table,
            columns=columns,
            group_keys=list(dims),
            groups=[_column_sql(Col(k, "tag"), columns)[0] for k in dims],
            where="TRUE",
            bounds=limits,
        )
        series = self._series_filter(ctx)
        assert series is not None
        # A tag the rows lack (GROUP BY * inside, no series has it) is ''
        # in every series and every row.
        match = " AND ".join(
            f"s.{group_column(i)} = r.{group_column(keys.index(k))}"
            for i, k in enumerate(dims)
            if k in keys
        )
        return (
            f"SELECT r.* FROM ({sql}) r WHERE EXISTS "
            f"(SELECT 1 FROM ({series}) s WHERE {match or 'TRUE'})"
        )


def window_start(time: str, interval: int, shift: int) -> str:
    """SQL of the start of the window of *interval* ns (offset *shift*)
    holding *time*."""
    return f"({time} - ((({time} - {shift}) % {interval}) + {interval}) % {interval})"


def _check_selector_limit(query: Query) -> None:
    """Refuse, with influxd's text, a TOP or BOTTOM asking for more points
    than the LIMIT of its statement."""
    if query.limit is None:
        return
    for item in query.select:
        for found in item.expression.walk():
            name = found.name.lower() if isinstance(found, Func) else ""
            if name not in ("top", "bottom") or not isinstance(found, Func):
                continue
            count = found.params[-1] if found.params else None
            if isinstance(count, int) and count > query.limit:
                msg = (
                    f"limit ({count}) in {name} function can not be larger than "
                    f"the LIMIT ({query.limit}) in the select statement"
                )
                raise CompileError(msg)


def _levels(outer: Query) -> list[Query]:
    """*outer* and the subqueries under it, outermost first."""
    levels = [outer]
    while isinstance(levels[-1].source, Query):
        levels.append(levels[-1].source)
    return levels


def _without_series_limits(source: Query | Source) -> Query | Source:
    """*source* with the SLIMIT and SOFFSET of every level under it dropped."""
    if not isinstance(source, Query):
        return source
    return dataclasses.replace(
        source,
        series_limit=None,
        series_offset=None,
        source=_without_series_limits(source.source),
    )


def _series_window(levels: list[Query]) -> tuple[int | None, int]:
    """The server's sum of every level's SLIMIT and SOFFSET.

    A level with SOFFSET but no SLIMIT is read as the QuerySet writes it,
    with the largest SLIMIT, so the sum has no limit.
    """
    limit = 0
    offset = 0
    for q in levels:
        if q.series_limit is not None:
            limit += q.series_limit
        elif q.series_offset is not None:
            limit += _NO_SERIES_LIMIT
        offset += q.series_offset or 0
    return (None if limit >= _NO_SERIES_LIMIT or limit == 0 else limit), offset


def _star_items(
    columns: Mapping[str, ColumnInfo], group_by: tuple[str, ...]
) -> list[SelectItem]:
    """``SELECT *`` spelled out: the fields and the tags not grouped by.

    A tag is named as a resolved ``x`` is (no value type): its column is
    null where the tag is absent.
    """
    infos = sorted(
        (c.key, c.role == "tag", c)
        for k, c in columns.items()
        if c.role == "field" or c.key not in group_by
    )
    fields = {c.key for c in columns.values() if c.role == "field"}
    return [
        SelectItem(
            Col(k, "tag")
            if c.role == "tag" and k not in fields
            else Col(k, c.role, c.kind)
        )
        for k, _tag, c in infos
    ]


def _hidden_items(tags: list[str]) -> list[SelectItem]:
    """The select items that carry *tags* the rows are not grouped by."""
    return [SelectItem(Col(t, "tag"), f"{_HIDDEN}{i}") for i, t in enumerate(tags)]


def _over(partition: list[str], order: list[str]) -> str:
    by = f"PARTITION BY {', '.join(partition)} " if partition else ""
    return f"OVER ({by}ORDER BY {', '.join(order)})"


def _runs(
    sql: str,
    dims: list[str],
    groups: list[str],
    order: list[str],
    limit: int | None,
    offset: int,
) -> str:
    """The server's ``LimitIterator``: rows counted per run of one group."""
    row = f"ROW({', '.join(groups)})"
    changed = (
        f"CASE WHEN lag({row}) {_over(dims, order)} IS NOT DISTINCT FROM {row} "
        "THEN 0 ELSE 1 END"
    )
    run = f"sum(slice_change) OVER ({_partition(dims)}ORDER BY slice_ordinal)"
    keep = [f"slice_n > {offset}"]
    if limit is not None:
        keep.append(f"slice_n <= {offset + limit}")
    ordinal = f"row_number() {_over(dims, order)}"
    marked = (
        f"SELECT *, {changed} AS slice_change, {ordinal} AS slice_ordinal FROM ({sql})"
    )
    counted = f"SELECT *, {run} AS slice_run FROM ({marked})"
    numbered = (
        f"SELECT *, row_number() OVER ({_partition([*dims, 'slice_run'])}"
        f"ORDER BY slice_ordinal) AS slice_n FROM ({counted})"
    )
    return (
        f"SELECT * EXCLUDE (slice_change, slice_ordinal, slice_run, slice_n) "
        f"FROM ({numbered}) WHERE {' AND '.join(keep)}"
    )


def _partition(keys: list[str]) -> str:
    return f"PARTITION BY {', '.join(keys)} " if keys else ""
