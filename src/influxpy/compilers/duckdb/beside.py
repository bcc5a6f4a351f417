"""Subqueries beside other sources: ``FROM cpu, (SELECT … FROM mem)``.

The outer query runs over each source, one after the other by measurement
name, every one with the columns of them all, as influxd reads them
(``SourcesMixin._prepare`` hands such a query here). A subquery beside a
source of its own measurement is read with it as one table
(``merged.union_table``).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from typing import Any

from influxpy.compilers.duckdb.catalog import (
    PUSHED,
    TYPELESS,
    ColumnInfo,
    field_column,
    find_column,
    ident,
)
from influxpy.compilers.duckdb.merged import MERGED, stored_table, union_table
from influxpy.compilers.duckdb.sources import (
    SourcesMixin,
    _Columns,
    _innermost,
    _resolver,
    _rewrite,
    _Stored,
)
from influxpy.expressions import Col, CombinedExpression
from influxpy.functions import Func
from influxpy.query import Query, Source

__all__ = ["BesideMixin"]


class BesideMixin(SourcesMixin):
    """Subqueries beside other sources in one FROM."""

    def _beside_subqueries(self, query: Query) -> list[Query]:
        """*query* over a FROM of subqueries beside other sources: the outer
        query over each, one after the other by measurement name, every one
        with the columns of them all (what a source lacks reads null), as
        influxd reads them.

        influxd merges the rows of sources of one measurement name into one
        series set: a subquery beside another source of its measurement is
        read with it as one table (``merged.union_table``), its rows at one
        time in the sources' order.
        """
        tables = [s for s in query.sources if isinstance(s, Source)]
        units: list[Query] = []
        # Each measurement's sources in FROM order: a subquery's part (the
        # query it runs for that measurement) or a stored table.
        pieces: dict[str, list[Query | _Stored]] = {}
        union: dict[str, ColumnInfo] = {}
        typeless: list[str] = []
        for source in query.sources:
            if isinstance(source, Source):
                for table in self._matching(source):
                    pieces.setdefault(table[2], []).append(table)
                continue
            inner = self._prepare(source)
            for part in inner if isinstance(inner, list) else [inner]:
                unit = dataclasses.replace(query, source=part, extra_sources=())
                units.append(unit)
                pieces.setdefault(_innermost(part).measurement, []).append(part)
                found = self._subquery_table(unit)
                for info in (found[1] if found else {}).values():
                    _add_column(union, info)
                if found is not None:
                    typeless += self._typeless.get(found[0], ())
                else:
                    # Nothing to read: every column is of no type (one of
                    # a tag's values is typed a tag); its group tags are
                    # still listed.
                    stored = self._stored_tags(part)
                    for name in _column_names(part):
                        if name in stored:
                            info = ColumnInfo(name, "field", "string", tagged=True)
                            _add_column(union, info)
                        else:
                            typeless.append(name)
                    for key in self._group_tags(part):
                        _add_column(union, ColumnInfo(key, "tag", "string"))
        measured: list[tuple[Source, _Columns]] = []
        if tables:
            over = dataclasses.replace(
                query, source=tables[0], extra_sources=tuple(tables[1:])
            )
            measured = self._tables_of(over)
        for _source, columns in measured:
            for info in columns.values():
                _add_column(union, info)
        for name in typeless:
            # A subquery's column of a field that exists nowhere: ``*``
            # lists it, null, unless a source types the key.
            if field_column(name) not in union and name not in union:
                union[field_column(name)] = ColumnInfo(name, "field", TYPELESS)
        # A tag only the outer GROUP BY gave a subquery types no key: the
        # other sources' types do.
        typed = {c.key for c in union.values() if c.kind != PUSHED}
        self._typed_keys = self._typed_keys | typed
        merged = {
            name
            for name, found in pieces.items()
            if len(found) > 1 and any(isinstance(p, Query) for p in found)
        }
        patterns = bool(query.group_by_patterns)
        select = self._expand(query, union, True, patterns)
        if not select:
            return []
        group_by = list(query.group_by)
        tags = sorted(k for k, c in union.items() if c.role == "tag")
        if "*" in group_by:
            group_by.remove("*")
            group_by += [k for k in tags if k not in group_by]
        for pattern in query.group_by_patterns:
            group_by += [k for k in tags if re.search(pattern, k) and k not in group_by]
        query = dataclasses.replace(
            query,
            select=tuple(select),
            group_by=tuple(group_by),
            group_by_patterns=(),
        )
        parts = [
            dataclasses.replace(
                u, select=query.select, group_by=query.group_by, group_by_patterns=()
            )
            for u in units
        ]
        if tables:
            over = dataclasses.replace(
                query, source=tables[0], extra_sources=tuple(tables[1:])
            )
            read = self._prepare(over)
            parts += read if isinstance(read, list) else [read]
        parts = [p for p in parts if _innermost(p).measurement not in merged]
        for name in sorted(merged):
            one = self._merged_part(query, name, pieces[name], union)
            if one is not None:
                parts.append(one)
        parts.sort(key=lambda p: _innermost(p).measurement, reverse=query.descending)
        return parts

    def _stored_tags(self, part: Query) -> set[str]:
        """The tags stored by the measurement *part* (a subquery's query for
        one measurement) reads."""
        tables = self._matching(_innermost(part))
        return {c.key for table in tables for c in table[3].values() if c.role == "tag"}

    def _group_tags(self, part: Query) -> list[str]:
        """The tags *part* groups by, of those its measurement stores."""
        return part.group_tags(self._stored_tags(part))

    def _merged_part(
        self,
        query: Query,
        name: str,
        pieces: list[Query | _Stored],
        union: _Columns,
    ) -> Query | None:
        """*query* over the sources of measurement *name* (*pieces*, in FROM
        order) read as one table, as influxd merges them; None when none
        of them reads anything."""
        tables: list[tuple[str, _Columns]] = []
        subqueries: list[bool] = []
        for piece in pieces:
            if isinstance(piece, Query):
                unit = dataclasses.replace(query, source=piece, extra_sources=())
                found = self._subquery_table(unit)
                if found is not None:
                    tables.append(found)
                    subqueries.append(True)
            else:
                catalog, rp, measurement, columns = piece
                tables.append((stored_table(catalog, rp, measurement), columns))
                subqueries.append(False)
        if not tables:
            return None
        tables = _stored_fields_kept(tables, subqueries)
        tables = _columns_as_tags(tables, subqueries)
        key = f"{MERGED}{len(self._merged)}"
        self._merged[key] = union_table(tables, by_source=True, subqueries=subqueries)
        columns = self._merged[key][1]
        part = dataclasses.replace(query, source=Source(name, key), extra_sources=())
        fields = {k: c for k, c in union.items() if c.role == "field"}
        own = {field_column(c.key): c for c in columns.values() if c.role == "field"}
        resolved: Query = _rewrite(part, _resolver({**fields, **columns, **own}))
        tagged: Query = _rewrite(resolved, _tagged_reader(columns))
        return _calls_read_tagged(tagged, columns)


def _stored_fields_kept(
    tables: list[tuple[str, _Columns]], subqueries: list[bool]
) -> list[tuple[str, _Columns]]:
    """*tables* without the column of a subquery's group tag values
    (``subqueries`` marks them) where a stored table beside stores a field
    of that key: the bare name reads the stored field, null in the
    subquery's rows, as every other field the subquery lacks.

    influxd reads the tag's text there instead: one column of text and
    numbers, over which its own calls fail (``unsupported max iterator
    type``); the engine keeps the column the field's type (pinned by a
    quirk test)."""
    stored = {
        c.key
        for (_table, columns), subquery in zip(tables, subqueries, strict=True)
        if not subquery
        for c in columns.values()
        if c.role == "field"
    }
    out = []
    for (table, columns), subquery in zip(tables, subqueries, strict=True):
        hidden = [
            name
            for name, c in columns.items()
            if subquery
            and c.role == "field"
            and not c.listed
            and c.tagged
            and c.key in stored
        ]
        if hidden:
            columns = {k: c for k, c in columns.items() if k not in hidden}
        out.append((table, columns))
    return out


def _column_names(query: Query) -> list[str]:
    """The names of *query*'s columns."""
    return [item.output_name for item in query.select if item.output_name is not None]


def _add_column(union: dict[str, ColumnInfo], info: ColumnInfo) -> None:
    """Add *info* to the columns of every source, *union*.

    Keyed as stored columns are, a field of a subquery and one of a
    measurement are one column. influxd types a key by the sources' types
    in order of precedence (float, integer, string, boolean, then tag): a
    subquery's column of a tag's values (``tagged``) gives way to a field
    of that key, and a tag only the outer GROUP BY gave a subquery to any
    other; otherwise the first source's type stays.
    """
    name = field_column(info.key) if info.role == "field" else info.key
    known = union.get(name)
    if (
        known is None
        or (known.tagged and not info.tagged)
        or (known.kind == PUSHED and info.kind != PUSHED)
    ):
        union[name] = info


def _columns_as_tags(
    tables: list[tuple[str, _Columns]], subqueries: list[bool]
) -> list[tuple[str, _Columns]]:
    """*tables* (of one measurement, merged) with a subquery's column (of
    the tables *subqueries* marks) named like a tag of another also read
    as that tag (a number or a boolean as its text).

    influxd reads a tag of a subquery's rows as its column of that name
    (``SELECT * FROM (SELECT * FROM /cp/), cpu``: ``host`` and its repeat
    ``host_1`` are the column there, the tag in the stored rows). The
    column keeps its value as a field (``field_column``) beside the tag;
    a null stays null there (no condition on the tag holds for it, as
    none holds for the server's missing value).
    """
    tags = {
        info.key
        for _table, columns in tables
        for info in columns.values()
        if info.role == "tag"
    }
    out: list[tuple[str, _Columns]] = []
    for (table, columns), subquery in zip(tables, subqueries, strict=True):
        named = [
            name
            for name, info in columns.items()
            if subquery and info.role == "field" and name == info.key and name in tags
        ]
        if not named:
            out.append((table, columns))
            continue
        moved = dict(columns)
        extra = []
        renamed = []
        for name in named:
            info = moved.pop(name)
            moved[field_column(name)] = info
            moved[name] = ColumnInfo(name, "tag", "string")
            extra.append(f"{ident(name)} AS {ident(field_column(name))}")
            if info.kind != "string":
                # A tag is text: a number or a boolean reads as its text
                # (influxd keeps its type there, an artefact pinned by a
                # quirk test).
                renamed.append(f"{_as_text(ident(name), info.kind)} AS {ident(name)}")
        replaced = f" REPLACE ({', '.join(renamed)})" if renamed else ""
        sql = f"(SELECT *{replaced}, {', '.join(extra)} FROM {table})"
        out.append((sql, moved))
    return out


def _tagged_reader(columns: _Columns) -> Callable[[Any], Any]:
    """A leaf rewrite reading a tag the merged *columns* lack as the
    subquery's column of a tag's values of that key, as influxd reads a
    tag of a subquery's rows (the stored rows lack it: null)."""

    def leaf(node: Any) -> Any:
        if not isinstance(node, Col) or node.role != "tag":
            return node
        stored = columns.get(node.key)
        if stored is not None and stored.role == "tag":
            return node
        found = find_column(columns, node.key, "field")
        if found is None or not found[1].tagged:
            return node
        kind = found[1].kind
        return dataclasses.replace(node, role="field", dtype=kind, cast=None)

    return leaf


def _calls_read_tagged(query: Query, columns: _Columns) -> Query:
    """*query* with the calls of its select list reading a tag that a
    subquery of the merged *columns* holds as a column of its values
    (``ColumnInfo.tagged``) as that column: influxd's calls read a
    subquery's tags, not a stored measurement's (``count(host)`` counts
    the subquery's rows, its empty group too; also inside arithmetic,
    ``count(host) + 1``)."""
    tagged = {c.key for c in columns.values() if c.role == "field" and c.tagged}
    if not tagged:
        return query

    def leaf(node: Any) -> Any:
        if isinstance(node, Col) and node.role == "tag" and node.key in tagged:
            return dataclasses.replace(node, role="field", dtype="string", cast=None)
        return node

    def argument(node: Any) -> Any:
        if isinstance(node, CombinedExpression):
            # The calls inside arithmetic too (``count(host) + 1``).
            return dataclasses.replace(
                node, lhs=argument(node.lhs), rhs=argument(node.rhs)
            )
        if not isinstance(node, Func):
            return node
        called = copy.copy(node)
        called.source = (
            argument(node.source)
            if isinstance(node.source, Func)
            else _rewrite(node.source, leaf)
        )
        return called

    select = tuple(
        dataclasses.replace(item, expression=argument(item.expression))
        for item in query.select
    )
    return dataclasses.replace(query, select=select)


def _as_text(column: str, kind: str | None) -> str:
    """SQL of a number or boolean *column* as the text InfluxQL writes for
    it (``true``/``false``; floats in their shortest form)."""
    if kind == "boolean":
        return f"CASE WHEN {column} THEN 'true' ELSE 'false' END"
    return f"CAST({column} AS VARCHAR)"
