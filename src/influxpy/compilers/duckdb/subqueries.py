"""Subqueries: the inner SELECT with the outer options merged in."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from influxpy.compilers.duckdb.aliases import group_column, output_column
from influxpy.compilers.duckdb.catalog import (
    ColumnInfo,
    field_column,
    find_column,
    ident,
)
from influxpy.compilers.duckdb.context import _DIMENSION
from influxpy.compilers.duckdb.sources import _rewrite
from influxpy.compilers.duckdb.subquery_slices import SubquerySlicesMixin
from influxpy.compilers.duckdb.subquery_windows import (
    groups_whole_series,
    paired_calls_sql,
    pairing_matters,
)
from influxpy.expressions import Col, ColumnPattern, Star
from influxpy.query import Fill, Query, SelectItem, Source


class SubqueriesMixin(SubquerySlicesMixin):
    """The rows of a subquery, read as a table of tags and fields."""

    def _subquery_table(
        self, outer: Query
    ) -> tuple[str, Mapping[str, ColumnInfo]] | None:
        """The rows of *outer*'s subquery as a table of tags and fields.

        The server runs the inner statement with the outer one's options
        merged in (``newIteratorOptionsSubstatement``): the outer GROUP BY
        tags are added to the inner ones, an inner aggregate without windows
        takes the outer windows, the time ranges intersect (``now()`` ends
        an outer query with windows), the outer order is used, and an inner
        ``fill(null)`` becomes ``fill(none)``.
        """
        inner = outer.source
        assert isinstance(inner, Query)
        changes: dict[str, Any] = {"descending": outer.descending}
        if "*" not in inner.group_by and "*" not in outer.group_by:
            changes["group_by"] = tuple(sorted({*inner.group_by, *outer.group_by}))
            if set(outer.group_by) - set(inner.group_by):
                changes.update(self._star_select(inner))
        # GROUP BY * outside groups by the subquery's tags (its groups).
        slicing = self._slice_plan(outer, changes.get("group_by", inner.group_by))
        changes.update(slicing.changes)
        inner_calls = any(self._has_call(i.expression) for i in inner.select)
        streams = None
        items = self._spelled_out(inner)
        if (
            inner_calls
            and len(items) > 1
            and not groups_whole_series(inner.group_by, outer.group_by)
            and (outer.descending or pairing_matters(outer, self._has_call))
        ):
            # The server pairs the inner calls' points out of step
            # (subquery_windows.py).
            streams = self._call_streams(inner, items, outer.descending)
        gbt = inner.group_by_time
        if inner_calls and gbt is None and outer.group_by_time is not None:
            # Without the outer tz(): the server's inner windows are in the
            # inner query's own zone (UTC unless it names one).
            gbt = changes["group_by_time"] = outer.group_by_time
        if inner_calls and (inner.fill is None or inner.fill.mode == "null"):
            changes["fill"] = Fill("none")
        # Other fills apply per group of the merged GROUP BY. (The server
        # fills an inner series grouped finer than the outer query once per
        # run of its windows in the time-ordered merge, an artefact.)
        limits = self._bounds(outer.where)
        if outer.group_by_time is not None and limits.upper is None:
            limits.upper = self.now_ns
        back = max(
            (self._query_look_back(outer, f) for f in outer.functions),
            default=0,
        )
        if back and outer.group_by_time is not None:
            # The outer transformations read windows before the range, and
            # so does the subquery they read.
            reach = back * self._interval_of(outer.group_by_time)[0]
            if outer.descending:
                limits.upper = (limits.upper or 0) + reach
            elif limits.lower is not None:
                limits.lower -= reach
        # Inner windows can start before the range: their rows are read in
        # the outer windows holding them (windows.py, ``_early_grid``).
        slicing.windowed = gbt is not None
        selected = self._select(dataclasses.replace(inner, **changes), limits)
        if selected is None:
            return None
        runs = slicing.runs if streams is not None and outer.descending else None
        if runs is not None:
            # The server slices each call's points on their own, then pairs
            # them. (In ascending order the rows stay whole, sliced together:
            # a difference pinned by a quirk test.)
            slicing.runs = None
        rows, selected = self._sliced(inner, selected, slicing, limits)
        if streams is not None:
            if slicing.runs is not None or len(selected.names) != len(items):
                if outer.descending:
                    raise self._unsupported(
                        "order_by('-time') over a subquery of several calls"
                    )
            else:
                each = None
                if runs is not None:
                    each = self._run_slicer(slicing, selected.group_keys, runs)
                rows = paired_calls_sql(
                    rows,
                    selected.group_keys,
                    outer.group_by,
                    streams,
                    descending=outer.descending,
                    each=each,
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
        columns = {k: ColumnInfo(k, "tag", _DIMENSION) for k in selected.group_keys}
        names = _inner_names(dataclasses.replace(inner, **changes), selected.names)
        seen: set[str] = set()
        for i, (name, kind) in enumerate(zip(names, selected.kinds, strict=True)):
            if name in seen:
                # The server names a subquery's columns without the _1
                # suffixes of its output: a repeated name reads the first.
                continue
            seen.add(name)
            outputs.append(f"{output_column(i)} AS {ident(column(name))}")
            # A column of a field that does not exist has no type: the
            # outer query reads it as a field that does not exist either.
            if kind is not None:
                columns[column(name)] = ColumnInfo(name, "field", kind)
        table = f"(SELECT {', '.join(outputs)} FROM ({rows}))"
        return table, columns

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
        self, inner: Query, items: list[SelectItem], descending: bool
    ) -> list[list[int]] | None:
        """The columns of each distinct inner call (of *items*, the select
        list spelled out), for the server's pairing of several calls.

        Filled calls are left whole (None): each inner series then has a
        point of every call in every window, and the server's answer is
        the artefact of its fill over a merge of inner series (a difference
        pinned by quirk tests). Where a column reads several calls, refused
        in descending order and left whole in ascending order.
        """
        streams: dict[str, list[int]] = {}
        for index, item in enumerate(items):
            found = {repr(call) for call in self._calls_of(item.expression)}
            if len(found) != 1:
                streams.clear()
                break
            streams.setdefault(found.pop(), []).append(index)
        if inner.fill is not None and inner.fill.mode not in ("null", "none"):
            return None
        if not streams:
            if not descending:
                return None
            raise self._unsupported(
                "order_by('-time') over a subquery of several calls"
            )
        return list(streams.values())


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
