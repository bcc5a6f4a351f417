"""Subqueries: the inner SELECT with the outer options merged in."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from influxpy.compilers.duckdb.aliases import (
    ROW_ORDER,
    WINDOW_START,
    group_column,
    output_column,
)
from influxpy.compilers.duckdb.catalog import (
    PUSHED,
    ColumnInfo,
    case_unique,
    field_column,
    find_column,
    ident,
)
from influxpy.compilers.duckdb.context import (
    _DIMENSION,
    _Bounds,
    _Context,
    _output_names,
    _Selected,
)
from influxpy.compilers.duckdb.multirow import picked_tag_names
from influxpy.compilers.duckdb.sources import _rewrite
from influxpy.compilers.duckdb.subquery_casts import read_casts
from influxpy.compilers.duckdb.subquery_ranges import SubqueryRangesMixin
from influxpy.compilers.duckdb.subquery_slices import (
    SubquerySlicesMixin,
    window_start,
)
from influxpy.compilers.duckdb.subquery_windows import (
    groups_whole_series,
    paired_calls_sql,
    pairing_matters,
)
from influxpy.compilers.duckdb.through_calls import _of_sample
from influxpy.durations import Duration
from influxpy.exceptions import CompileError
from influxpy.expressions import Col, ColumnPattern, CombinedExpression, Star
from influxpy.functions import Func
from influxpy.query import Fill, GroupByTime, Query, SelectItem, Source


class SubqueriesMixin(SubquerySlicesMixin, SubqueryRangesMixin):
    """The rows of a subquery, read as a table of tags and fields."""

    #: A subquery's columns without a type, by its table's SQL (context).
    _typeless: dict[str, tuple[str, ...]]

    def _subquery_table(
        self,
        outer: Query,
        inherited: _Bounds | None = None,
        interval: GroupByTime | None = None,
    ) -> tuple[str, Mapping[str, ColumnInfo]] | None:
        """The rows of *outer*'s subquery as a table of tags and fields.

        The server runs the inner statement with the outer one's options
        merged in (``newIteratorOptionsSubstatement``): the outer GROUP BY
        tags are added to the inner ones, an inner aggregate without windows
        takes the outer windows, the time ranges intersect (``now()`` ends
        an outer query with windows), the outer order is used, and an inner
        ``fill(null)`` becomes ``fill(none)``. *inherited* is the time range
        a query reading *outer* imposes on it (a subquery of a subquery):
        the server's options of *outer* hold it, and so do its subquery's.
        *interval* is the windows *outer* takes from the query reading it
        when it has none of its own (the server's options carry them down
        through raw SELECTs: an aggregate two levels below windows of 20 s
        is taken per 20 s).
        """
        outer_gbt = outer.group_by_time or interval
        inner = outer.source
        assert isinstance(inner, Query)
        if inner.descending and not outer.descending:
            # Only an inner ORDER BY time DESC makes it descending under an
            # ascending query (one without ORDER BY takes the outer order).
            msg = "subqueries must be ordered in the same direction as the query itself"
            raise CompileError(msg)
        if outer_gbt is not None and self._raw_transforms(inner.select):
            # A derivative without a unit takes the outer interval as its
            # unit (the server hands the inner query the outer windows).
            unit = outer_gbt.interval
            inner = dataclasses.replace(
                inner,
                select=tuple(
                    dataclasses.replace(i, expression=_with_unit(i.expression, unit))
                    for i in inner.select
                ),
            )
        changes: dict[str, Any] = {"descending": outer.descending}
        grouped = _spelled_group(inner)
        if "*" not in grouped and "*" not in outer.group_by:
            changes["group_by"] = tuple(sorted({*grouped, *outer.group_by}))
            if set(outer.group_by) - set(grouped):
                changes.update(self._star_select(inner))
        inner_calls = any(self._has_call(i.expression) for i in inner.select)
        items = self._spelled_out(inner)
        gbt = inner.group_by_time
        if (
            inner_calls
            and gbt is None
            and outer_gbt is not None
            and not self._raw_transforms(items)
        ):
            # Without the outer tz(): the server's inner windows are in the
            # inner query's own zone (UTC unless it names one).
            gbt = outer_gbt
        # GROUP BY * outside groups by the subquery's tags (its groups).
        slicing = self._slice_plan(outer, changes.get("group_by", inner.group_by), gbt)
        changes.update(slicing.changes)
        streams = None
        split: list[Func] | None = None
        several = self._reads_several_calls(items)
        if (
            inner_calls
            and (len(items) > 1 or several)
            and not groups_whole_series(inner.group_by, outer.group_by)
            and (
                outer.descending
                or pairing_matters(outer, self._has_call)
                or several
                or slicing.runs is not None
            )
        ):
            # The server pairs the inner calls' points out of step
            # (subquery_windows.py).
            paired = self._call_streams(inner, items)
            if paired is not None:
                streams, split = paired
            if split is not None:
                # A column reads several calls: the calls are paired, then
                # each column is computed from the row they make.
                changes["select"] = tuple(
                    SelectItem(call, f"call_{i}") for i, call in enumerate(split)
                )
        if gbt is not inner.group_by_time:
            changes["group_by_time"] = gbt
        if inner_calls and (inner.fill is None or inner.fill.mode == "null"):
            changes["fill"] = Fill("none")
        # Other fills apply per group of the merged GROUP BY. (The server
        # fills an inner series grouped finer than the outer query once per
        # run of its windows in the time-ordered merge, an artefact.)
        limits = self._inner_limits(outer, inner, inherited, outer_gbt)
        # Inner windows can start before the range: their rows are read in
        # the outer windows holding them (windows.py, ``_early_grid``).
        slicing.windowed = gbt is not None
        selected = self._select(
            dataclasses.replace(inner, **changes), limits, outer_gbt
        )
        if selected is None:
            return None
        ordered = selected.sql in self._ordered_rows
        handed = selected.sql in self._handed_rows
        runs = slicing.runs if streams is not None else None
        if runs is not None:
            # The server slices each call's points on their own, then pairs
            # them.
            slicing.runs = None
        rows, selected = self._sliced(inner, selected, slicing, limits)
        walked = False
        if streams is not None:
            width = len(items) if split is None else len(split)
            if len(selected.names) != width:
                if outer.descending or split is not None:
                    raise self._unsupported(
                        "order_by('-time') over a subquery of several calls"
                    )
            else:
                each = None
                if runs is not None:
                    each = self._run_slicer(slicing, selected.group_keys, runs)
                windows = self._sampled_windows(inner, items, gbt, ordered)
                rows = paired_calls_sql(
                    rows,
                    selected.group_keys,
                    outer.group_by,
                    streams,
                    descending=outer.descending,
                    each=each,
                    windows=windows,
                )
                walked = windows is not None
                if split is not None:
                    rows, selected = self._computed(
                        rows, selected, items, split, walked
                    )
        # A column named like a grouping tag (a key that is a tag in some
        # series and a field in others) moves aside as stored fields do:
        # a bare name reads the field, ``::tag`` and GROUP BY the tag.
        tags = set(selected.group_keys)

        def column(name: str) -> str:
            return field_column(name) if name in tags else name

        outputs = [
            *(
                f"{group_column(i)} AS {ident(k)}"
                for i, k in enumerate(selected.group_keys)
            ),
            "time",
        ]
        # A tag only the outer GROUP BY adds groups the rows; no value of
        # it is read there.
        own = set(_spelled_group(inner))
        pushed = {
            k
            for k in selected.group_keys
            if k not in own
            and "*" not in own
            and not any(re.search(p, k) for p in inner.group_by_patterns)
        }
        columns = {
            k: ColumnInfo(k, "tag", PUSHED if k in pushed else _DIMENSION)
            for k in selected.group_keys
        }
        if split is not None:
            del changes["select"]
        names = _inner_names(dataclasses.replace(inner, **changes), selected.names)
        # TOP/BOTTOM(x, tag…, N)'s tag columns: read when named, not by *.
        names, hidden = picked_tag_names(items, names)
        seen: set[str] = set()
        named_so_far: list[str] = []
        typeless: list[str] = []
        for i, (name, kind) in enumerate(zip(names, selected.kinds, strict=True)):
            if name in seen:
                # The server names a subquery's columns without the _1
                # suffixes of its output: a repeated name reads the first.
                continue
            seen.add(name)
            # Names differing only in case (``v AS x, v * 2 AS X``) are two
            # columns to influxd, one to DuckDB: the later is named apart.
            named = case_unique(column(name), [*columns, *named_so_far])
            named_so_far.append(named)
            outputs.append(f"{output_column(i)} AS {ident(named)}")
            # A column of a field that does not exist has no type: the
            # outer query reads it as a field that does not exist either.
            if kind is not None:
                listed = name not in hidden
                columns[named] = ColumnInfo(
                    name, "field", kind, listed=listed, tagged=i in selected.tags
                )
            elif name not in tags:
                typeless.append(name)
        for i, k in enumerate(selected.group_keys):
            if field_column(k) not in columns and k not in pushed:
                # A call outside reads a grouping tag's values as a field's
                # ('' for the empty value), as influxd reads a subquery's
                # tags: ``count(host)``, ``first(host)``.
                outputs.append(f"{group_column(i)} AS {ident(field_column(k))}")
                columns[field_column(k)] = ColumnInfo(
                    k, "field", "string", listed=False, tagged=True
                )
        if streams is not None:
            # Rows the walk made keep only its order.
            ordered = walked
        elif handed:
            # A raw subquery's rows in the order it read its own subquery's
            # (its slices keep that order and the column telling it).
            walked = True
        if ordered or walked:
            # The order of a multi-row call's rows (``multirow``), or of
            # the cursor's walk over several calls (``paired_calls_sql``).
            outputs += [WINDOW_START, ROW_ORDER]
        table = f"(SELECT {', '.join(outputs)} FROM ({rows}))"
        if ordered or walked:
            self._ordered_tables.add(table)
        if walked:
            self._cursor_tables.add(table)
        if typeless:
            # ``*`` outside still lists them, null (as the server does).
            self._typeless[table] = tuple(typeless)
        return table, columns

    def _expanded_parts(self, parts: list[Query]) -> list[Query]:
        """*parts* (one query per measurement a subquery reads) with their
        wildcards made the columns of every part, as the server expands
        them for each measurement alike."""
        columns: dict[str, ColumnInfo] = {}
        for part in parts:
            found = self._subquery_table(part)
            if found is not None:
                for name, info in found[1].items():
                    columns.setdefault(name, info)
        out: list[Query] = []
        for part in parts:
            expanded = self._expanded_over(part, columns)
            out += expanded if isinstance(expanded, list) else [expanded]
        return out

    def _expanded_over(
        self, outer: Query, known: Mapping[str, ColumnInfo] | None = None
    ) -> Query | list[Query]:
        """*outer* with ``*`` and ``/re/`` beside columns, and ``GROUP BY
        /re/``, made the subquery's columns and tags (or *known* ones), as
        the server expands them (none: nothing)."""
        if known is None:
            found = self._subquery_table(outer)
            if found is None:
                return outer
            known = found[1]
        columns = dict(known)
        patterns = outer.group_by_patterns
        group_by = [
            *outer.group_by,
            *(
                c.key
                for c in sorted(columns.values(), key=lambda c: c.key)
                if c.role == "tag"
                and c.key not in outer.group_by
                and any(re.search(p, c.key) for p in patterns)
            ),
        ]
        expanded = dataclasses.replace(
            outer, group_by=tuple(group_by), group_by_patterns=()
        )
        select = self._expand(expanded, columns, False, bool(patterns))
        return dataclasses.replace(expanded, select=tuple(select)) if select else []

    def _expand(
        self,
        query: Query,
        union: dict[str, ColumnInfo],
        several: bool,
        patterns: bool,
    ) -> list[SelectItem]:
        """Defined in ``sources``."""
        raise NotImplementedError

    def _read_over(self, outer: Query, columns: Mapping[str, ColumnInfo]) -> Query:
        """*outer* with a tag it names read as the subquery's column of that
        name, as the server reads it, where the subquery does not group by
        that tag: a bare name the model declares a tag (``*`` inside spells
        out tags as columns), or ``x::tag``; a name still unknown reads the
        column of that name."""

        def leaf(node: Any) -> Any:
            if isinstance(node, Col) and node.role == "unknown":
                # A name the text left unknown (``mean_v`` of ``mean(*)``).
                known = find_column(columns, node.key)
                if known is not None and known[1].role == "field":
                    return dataclasses.replace(node, role="field", dtype=known[1].kind)
                return node
            if not isinstance(node, Col) or node.role != "tag":
                return node
            found = find_column(columns, node.key, "field")
            if found is None or found[1].role != "field":
                return node
            if node.cast == "tag" and found[0] != node.key:
                # A grouping tag named like a column: ``x::tag`` reads the
                # tag (the server reads the column, an artefact pinned by
                # a quirk test).
                return node
            return dataclasses.replace(
                node, role="field", dtype=found[1].kind, cast=None
            )

        if not outer.extra_sources:
            outer = read_casts(outer, columns, self.functions)
        read: Query = _rewrite(outer, leaf)
        return read

    def _expand_stars(
        self, items: list[SelectItem], columns: Mapping[str, ColumnInfo]
    ) -> list[SelectItem]:
        """Defined in ``compiler``."""
        raise NotImplementedError

    def _spelled_out(self, inner: Query) -> list[SelectItem]:
        """*inner*'s select list with a wildcard call made one call per field
        (``mean(*)``: ``mean_v``, ``mean_n``), as the server reads it."""
        items = list(inner.select)
        if isinstance(inner.source, Source):
            found = self._table(inner.source)
            if found is not None:
                return self._expand_stars(items, found[1])
        return items

    def _call_streams(
        self, inner: Query, items: list[SelectItem]
    ) -> tuple[list[list[int]], list[Func] | None] | None:
        """The columns of each distinct inner call (of *items*, the select
        list spelled out), for the server's pairing of several calls, and
        the calls to select instead of *items* where a column reads several
        calls (None where each column reads one).

        The server reads one iterator per distinct call and computes each
        column from the row its cursor pairs. None (rows left whole) for a
        single call, and for filled calls: each inner series then has a
        point of every call in every window, and the server's answer is
        the artefact of its fill over a merge of inner series (a difference
        pinned by quirk tests).
        """
        if inner.fill is not None and inner.fill.mode not in ("null", "none"):
            return None
        calls: list[Func] = []
        for item in items:
            for call in self._calls_of(item.expression):
                if call not in calls:
                    calls.append(call)
        raw = [col for item in items for col in self._raw_of(item.expression)]
        if len(calls) < 2 or raw:
            # Raw fields beside several calls: the inner query refuses them.
            return None
        streams: dict[str, list[int]] = {}
        for index, item in enumerate(items):
            found = {repr(call) for call in self._calls_of(item.expression)}
            if not found:
                what = "a subquery column without a function beside several calls"
                raise self._unsupported(what)
            if len(found) > 1:
                return [[i] for i in range(len(calls))], calls
            streams.setdefault(found.pop(), []).append(index)
        return list(streams.values()), None

    def _subquery_raw_order(self, ctx: _Context, order: list[str]) -> list[str]:
        """The order of a raw select's rows: *order* (by time, then series
        key in the same direction), or the server's over a subquery of one
        call, whose call iterator emits window by window (in the query's
        direction) the points of one inner series after another, by series
        key ascending, each series' points in time order."""
        inner = ctx.query.source
        if ctx.subquery and ctx.table in self._cursor_tables:
            # As the cursor's walk over the inner calls made the rows (or a
            # raw subquery read its own subquery's).
            return [f"{ROW_ORDER} ASC"]
        if not (ctx.subquery and isinstance(inner, Query) and inner.select):
            return order
        tie = order[1].rsplit(" ", 1)[0]
        if ctx.table in self._ordered_tables:
            # Window by window, series by series, each series' rows as its
            # call emitted them.
            return [f"{WINDOW_START} {ctx.direction}", f"{tie} ASC", f"{ROW_ORDER} ASC"]
        calls = [c for i in inner.select for c in self._calls_of(i.expression)]
        names = {c.name.lower() for c in calls}
        if len({repr(c) for c in calls}) != 1:
            plain = not names & (
                self._MULTI_ROW
                | self._TRANSFORMS
                | self._TECHNICAL
                | self._HOLT_WINTERS
            )
            if plain:
                # Several aggregates of one window pair whole rows (without
                # windows, of one window at the range's start).
                return [order[0], f"{tie} ASC"]
            return order
        series_first = [f"{tie} ASC", "time ASC"]
        if names <= self._HOLT_WINTERS:
            # Its points of one series, forecasts past the windows included
            # (in descending order the server answers nothing: a quirk).
            return order if ctx.query.descending else series_first
        if names & (self._TRANSFORMS | self._TECHNICAL | self._HOLT_WINTERS):
            if inner.group_by_time is None or self._raw_transforms(inner.select):
                return order
            # A transformation of windows: a row per window, as an aggregate.
            return [order[0], f"{tie} ASC"]
        if inner.group_by_time is None:
            return series_first
        if names & self._MULTI_ROW:
            if inner.timezone is not None or "distinct" in names:
                return order
            start = window_start("time", *self._interval_of(inner.group_by_time))
            return [f"{start} {ctx.direction}", f"{tie} ASC", "time ASC"]
        return [order[0], f"{tie} ASC"]

    def _reads_several_calls(self, items: list[SelectItem]) -> bool:
        """Whether a column of *items* reads several calls (its values then
        depend on how the server pairs the calls' points)."""
        return any(
            len({repr(c) for c in self._calls_of(item.expression)}) > 1
            for item in items
        )

    def _computed(
        self,
        rows: str,
        selected: _Selected,
        items: list[SelectItem],
        calls: list[Func],
        walked: bool,
    ) -> tuple[str, _Selected]:
        """*items* computed from *rows*, whose columns are *calls* paired.

        A call missing from a row is null there, and so is a column of it,
        as the server's evaluator answers arithmetic of a missing value.
        A column of only calls of a field that does not exist has no type.
        """
        symbols: dict[Any, tuple[str, str | None]] = {
            call: (output_column(i), kind or "float")
            for i, (call, kind) in enumerate(zip(calls, selected.kinds, strict=True))
        }
        typed = dict(zip(map(repr, calls), selected.kinds, strict=True))
        outputs = [
            *(group_column(i) for i in range(len(selected.group_keys))),
            "time",
        ]
        kinds: list[str | None] = []
        for index, item in enumerate(items):
            sql, kind = self._scalar(
                item.expression, lambda n: self._symbol(n, symbols)
            )
            # NaN (a float modulo by zero) stays a value for the outer query.
            outputs.append(f"{sql} AS {output_column(index)}")
            used = [typed[repr(c)] for c in self._calls_of(item.expression)]
            kinds.append(kind if any(k is not None for k in used) else None)
        names = _output_names(items)
        if walked:
            # The order of the walk's rows (``paired_calls_sql``).
            outputs += [WINDOW_START, ROW_ORDER]
        sql = f"SELECT {', '.join(outputs)} FROM ({rows})"
        return sql, dataclasses.replace(selected, names=names, kinds=kinds)

    def _sampled_windows(
        self,
        inner: Query,
        items: list[SelectItem],
        gbt: GroupByTime | None,
        ordered: bool,
    ) -> str | None:
        """SQL of the start of each inner row's window where an inner call
        is SAMPLE or reads it (its points come window by window, in time
        order inside one): None without such a call. *ordered*: the rows
        carry their window (``WINDOW_START``, descending order)."""
        if not any(
            call.name == "sample" or _of_sample(call)
            for item in items
            for call in self._calls_of(item.expression)
        ):
            return None
        if gbt is None:
            return "0"
        if inner.timezone is not None:
            return WINDOW_START if ordered else None
        return window_start("time", *self._interval_of(gbt))


def _with_unit(node: Any, unit: Duration) -> Any:
    """*node* with *unit* given to each derivative that names none."""
    if isinstance(node, CombinedExpression):
        lhs, rhs = _with_unit(node.lhs, unit), _with_unit(node.rhs, unit)
        if lhs is node.lhs and rhs is node.rhs:
            return node
        return dataclasses.replace(node, lhs=lhs, rhs=rhs)
    if not isinstance(node, Func):
        return node
    called = copy.copy(node)
    unitless = node.name.lower() in _DERIVATIVES and not node.params
    if unitless:
        called.params = (unit,)
    # ``derivative(derivative(v))``: each level takes it.
    source = _with_unit(node.source, unit)
    if source is node.source and not unitless:
        return node
    called.source = source
    return called


_DERIVATIVES = frozenset({"derivative", "non_negative_derivative"})


def _inner_names(inner: Query, names: list[str]) -> list[str]:
    """The names the server gives a subquery's columns: each item's own
    name, without the ``_1`` suffixes of repeated ones (``SELECT v, v`` is
    ``v`` twice), where the select list is spelled out item by item."""
    items = inner.select
    if len(items) < len(names) or any(
        isinstance(node, Star | ColumnPattern)
        for item in items
        for node in item.expression.walk()
    ):
        return names
    return [item.output_name or "expr" for item in items[: len(names)]]


def _spelled_group(query: Query) -> tuple[str, ...]:
    """*query*'s GROUP BY with a ``*`` over a subquery spelled out as the
    subquery's own tags, as the server's ``RewriteFields`` spells it; so
    the outer tags join it and reach the subquery."""
    source = query.source
    if (
        "*" not in query.group_by
        or not isinstance(source, Query)
        or "*" in source.group_by
        or query.group_by_patterns
        or source.group_by_patterns
    ):
        return query.group_by
    return tuple(sorted({*source.group_by, *(t for t in query.group_by if t != "*")}))
