"""Subqueries beside other sources: ``FROM cpu, (SELECT … FROM mem)``.

The outer query runs over each source, one after the other by measurement
name, every one with the columns of them all, as influxd reads them
(``SourcesMixin._prepare`` hands such a query here). A subquery beside a
source of its own measurement is read with it as one table
(``merged.union_table``).
"""

from __future__ import annotations

import dataclasses
import re

from influxpy.compilers.duckdb.catalog import ColumnInfo, field_column
from influxpy.compilers.duckdb.merged import MERGED, stored_table, union_table
from influxpy.compilers.duckdb.sources import (
    SourcesMixin,
    _Columns,
    _innermost,
    _resolver,
    _rewrite,
    _Stored,
)
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
                    # Keyed as the stored columns below are: a field of a
                    # subquery and one of a measurement are one column.
                    name = field_column(info.key) if info.role == "field" else info.key
                    union.setdefault(name, info)
        measured: list[tuple[Source, _Columns]] = []
        if tables:
            over = dataclasses.replace(
                query, source=tables[0], extra_sources=tuple(tables[1:])
            )
            measured = self._tables_of(over)
        for _source, columns in measured:
            for info in columns.values():
                name = field_column(info.key) if info.role == "field" else info.key
                union.setdefault(name, info)
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
        for piece in pieces:
            if isinstance(piece, Query):
                unit = dataclasses.replace(query, source=piece, extra_sources=())
                found = self._subquery_table(unit)
                if found is not None:
                    tables.append(found)
            else:
                catalog, rp, measurement, columns = piece
                tables.append((stored_table(catalog, rp, measurement), columns))
        if not tables:
            return None
        roles: dict[str, set[str]] = {}
        for _table, columns in tables:
            for info in columns.values():
                roles.setdefault(info.key, set()).add(info.role)
        both = sorted(k for k, r in roles.items() if len(r) > 1)
        if both:
            # influxd reads such a key as the one value in both columns.
            what = (
                f"a subquery beside another source of measurement {name!r} "
                f"with a column named like a tag of the other ({both[0]!r})"
            )
            raise self._unsupported(what)
        key = f"{MERGED}{len(self._merged)}"
        self._merged[key] = union_table(tables, by_source=True)
        columns = self._merged[key][1]
        part = dataclasses.replace(query, source=Source(name, key), extra_sources=())
        fields = {k: c for k, c in union.items() if c.role == "field"}
        own = {field_column(c.key): c for c in columns.values() if c.role == "field"}
        resolved: Query = _rewrite(part, _resolver({**fields, **columns, **own}))
        return resolved
