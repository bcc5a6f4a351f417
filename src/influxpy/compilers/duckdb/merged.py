"""One measurement read from several tables, as one table.

influxd merges the points of every table a FROM's sources match under one
measurement name into one series set: ``FROM db0..cpu, db1..cpu`` reads
both databases' ``cpu`` as one measurement, and ``FROM cpu, cpu`` (or a
regex matching a name another source names) reads its points twice.
``merged_table`` is the DuckDB SQL of such a table: each one's rows, with
the columns of them all (a column a table lacks is null there), in the
order of the sources (it breaks ties at one time, as influxd's merge does
for the sources' order, ``ORDINAL``).

A subquery beside a source of its own measurement (``FROM cpu, (SELECT …
FROM cpu)``) merges with it too: ``union_table`` reads the rows of each
(a stored table or a subquery's rows as a table) as one table whose rows
at one time come one of each source in turn (``BY_SOURCE``), as influxd's
merge yields them where each source holds at most two rows of one series
group at one time (beyond that its heaps' order is its own).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from influxpy.compilers.duckdb.catalog import (
    DIMENSION,
    PUSHED,
    Catalog,
    ColumnInfo,
    case_free,
    case_unique,
    code_column,
    field_column,
    ident,
)

if TYPE_CHECKING:
    from influxpy.compilers.duckdb.context import _Context

__all__ = [
    "BY_SOURCE",
    "MARK",
    "MERGED",
    "ORDINAL",
    "SUBQUERY_ROW",
    "is_merged",
    "merged_mark",
    "merged_table",
    "reads_stored",
    "reads_subquery",
    "stored_table",
    "tie_order",
    "union_table",
]

#: Starts the key a part's ``Source.database`` holds for a merged table (no
#: database name holds a NUL character).
MERGED = "\0merged:"

#: The column of a merged table's rows holding their source's position in
#: the FROM (no key holds a line break): the compiler breaks ties by it.
ORDINAL = ident("\nsource")

#: The column of a ``BY_SOURCE`` table's rows holding their rank in their
#: source's rows (a subquery's rows at one time come in its order).
SEQUENCE = ident("\nsequence")

#: The column of a ``BY_SOURCE`` table's rows telling whether they are a
#: subquery's: the outer query reads each of those rows, even one whose
#: values it reads are null.
SUBQUERY_ROW = ident("\nsubquery")

#: Starts the SQL of a merged table (and of one read with padding columns).
MARK = "(/* merged */ "


#: Starts the SQL of a merged table whose rows at one time come one of each
#: source in turn (a subquery beside a source of its measurement).
BY_SOURCE = "(/* merged by source */ "


def merged_mark(table: str) -> str | None:
    """The mark *table*'s SQL starts with (``MARK`` or ``BY_SOURCE``), or
    None when it is not a merged table."""
    for mark in (MARK, BY_SOURCE):
        if table.startswith(mark):
            return mark
    return None


def is_merged(table: str) -> bool:
    """Whether the table SQL *table* is a merged one, with ``ORDINAL``."""
    return merged_mark(table) is not None


def reads_subquery(table: str) -> bool:
    """Whether the table SQL *table* reads a subquery's rows (a merged table
    of sources beside a subquery): it cannot be run in slices alone."""
    return table.startswith(BY_SOURCE)


def reads_stored(ctx: _Context) -> bool:
    """Whether *ctx* reads one stored measurement (no subquery, no merge)."""
    return (
        not ctx.subquery and not is_merged(ctx.table) and not reads_subquery(ctx.table)
    )


def tie_order(
    table: str, key: str, descending: bool, groups: Sequence[str] = ()
) -> str:
    """The SQL ordering the rows of the merged *table* at one time (the
    rows are sorted by it in the query's direction).

    A ``MARK`` table: by the series *key*, then the source. A ``BY_SOURCE``
    table: influxd's merge takes one row of each source in turn (the rows
    of each in series key order, in both directions), within each group of
    *groups* (the grouping columns' SQL).
    """
    ordinal = f"-{ORDINAL}" if descending else ORDINAL
    if not table.startswith(BY_SOURCE):
        return f"row({key}, {ordinal})"
    partition = ", ".join([ORDINAL, "time", *groups])
    rank = f"row_number() OVER (PARTITION BY {partition} ORDER BY {key}, {SEQUENCE})"
    return f"row({'-' if descending else ''}{rank}, {ordinal})"


_SQL_TYPES = {
    "float": "DOUBLE",
    "integer": "BIGINT",
    "unsigned": "UBIGINT",
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
}


def merged_table(
    tables: Sequence[tuple[Catalog, str, str, Mapping[str, ColumnInfo]]],
) -> tuple[str, dict[str, ColumnInfo]]:
    """The SQL and columns of the rows of *tables* (``(catalog, policy,
    measurement, columns)`` each) read as one table.

    A tag a table lacks reads as ``''`` there, as a series without it; a
    tag's codes are kept when every table holding it codes it; a field a
    table lacks is null there, and its type is the first table's.
    """
    return union_table(
        [
            (stored_table(catalog, rp, measurement), stored)
            for catalog, rp, measurement, stored in tables
        ]
    )


def stored_table(catalog: Catalog, rp: str, measurement: str) -> str:
    """The SQL naming the stored table of *measurement* in *catalog*."""
    return catalog.table_sql(rp, measurement)


def union_table(
    tables: Sequence[tuple[str, Mapping[str, ColumnInfo]]],
    *,
    by_source: bool = False,
    subqueries: Sequence[bool] = (),
) -> tuple[str, dict[str, ColumnInfo]]:
    """The SQL and columns of the rows of *tables* (``(table SQL,
    columns)`` each, a stored table or a subquery's rows) read as one.

    As ``merged_table``; a tag of a subquery's grouping reads as a stored
    tag (without codes). *by_source*: rows at one time come one of each source
    in turn (``BY_SOURCE``), and ``SUBQUERY_ROW`` tells the rows of the
    tables *subqueries* marks true.
    """
    # Each table's columns by a name the same for a key in every table: a
    # key named apart in one (``T`` beside ``t``, ``case_column``) is one
    # column with the others' ``T``.
    named = [{case_free(name): name for name in stored} for _table, stored in tables]
    columns: dict[str, ColumnInfo] = {}
    for (_table, stored), own in zip(tables, named, strict=True):
        for name, column in own.items():
            info = stored[column]
            if info.role == "tag" and info.kind not in _SQL_TYPES:
                info = ColumnInfo(info.key, "tag", "string")
            known = columns.get(name)
            if known is None:
                columns[name] = info
            elif known.coded and not info.coded:
                columns[name] = dataclasses.replace(known, coded=False)
    for name, info in columns.items():
        kept = tuple(
            ordinal
            for ordinal, (_table, stored) in enumerate(tables)
            if info.role == "tag"
            and ordinal < len(subqueries)
            and subqueries[ordinal]
            and name in stored
            and stored[name].kind == DIMENSION
            # A column of the tag's values selected inside is what its rows
            # show for the key (null for the empty value).
            and (
                field_column(name) not in stored
                or not stored[field_column(name)].listed
            )
        )
        unread = tuple(
            ordinal
            for ordinal, (_table, stored) in enumerate(tables)
            if info.role == "tag" and name in stored and stored[name].kind == PUSHED
        )
        if kept or unread:
            columns[name] = dataclasses.replace(info, kept=kept, unread=unread)
    # Names that differ only in case across the tables (``v`` of one, ``V``
    # of another) are one name to DuckDB: the later is named apart.
    output: dict[str, str] = {}
    for name in columns:
        output[name] = case_unique(name, output.values())
    selects = []
    for ordinal, ((table, _stored), own) in enumerate(zip(tables, named, strict=True)):
        items = ["time", f"{ordinal} AS {ORDINAL}"]
        if by_source:
            items.append(f"row_number() OVER () AS {SEQUENCE}")
            mine = ordinal < len(subqueries) and subqueries[ordinal]
            items.append(f"{'TRUE' if mine else 'FALSE'} AS {SUBQUERY_ROW}")
        for name, info in columns.items():
            out = ident(output[name])
            if name in own:
                items.append(f"{ident(own[name])} AS {out}")
            elif info.role == "tag":
                items.append(f"'' AS {out}")
            else:
                sql_type = _SQL_TYPES.get(info.kind, "VARCHAR")
                items.append(f"CAST(NULL AS {sql_type}) AS {out}")
            if info.coded:
                code = ident(code_column(info.key))
                items.append(code if name in own else f"0 AS {code}")
        selects.append(f"SELECT {', '.join(items)} FROM {table}")
    columns = {output[name]: info for name, info in columns.items()}
    mark = BY_SOURCE if by_source else MARK
    return f"{mark}{' UNION ALL '.join(selects)})", columns
