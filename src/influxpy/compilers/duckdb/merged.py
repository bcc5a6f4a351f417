"""One measurement read from several tables, as one table.

influxd merges the points of every table a FROM's sources match under one
measurement name into one series set: ``FROM db0..cpu, db1..cpu`` reads
both databases' ``cpu`` as one measurement, and ``FROM cpu, cpu`` (or a
regex matching a name another source names) reads its points twice.
``merged_table`` is the DuckDB SQL of such a table: each one's rows, with
the columns of them all (a column a table lacks is null there), in the
order of the sources (it breaks ties at one time, as influxd's merge does
for the sources' order, ``ORDINAL``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from influxpy.compilers.duckdb.catalog import (
    Catalog,
    ColumnInfo,
    code_column,
    ident,
    schema_name,
)

__all__ = ["MARK", "MERGED", "ORDINAL", "is_merged", "merged_table"]

#: Starts the key a part's ``Source.database`` holds for a merged table (no
#: database name holds a NUL character).
MERGED = "\0merged:"

#: The column of a merged table's rows holding their source's position in
#: the FROM (no key holds a line break): the compiler breaks ties by it.
ORDINAL = ident("\nsource")

#: Starts the SQL of a merged table (and of one read with padding columns).
MARK = "(/* merged */ "


def is_merged(table: str) -> bool:
    """Whether the table SQL *table* is a merged one, with ``ORDINAL``."""
    return table.startswith(MARK)


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
    columns: dict[str, ColumnInfo] = {}
    for *_where, stored in tables:
        for name, info in stored.items():
            known = columns.get(name)
            if known is None:
                columns[name] = info
            elif known.coded and not info.coded:
                columns[name] = dataclasses.replace(known, coded=False)
    selects = []
    for ordinal, (catalog, rp, measurement, stored) in enumerate(tables):
        items = ["time", f"{ordinal} AS {ORDINAL}"]
        for name, info in columns.items():
            if name in stored:
                items.append(ident(name))
            elif info.role == "tag":
                items.append(f"'' AS {ident(name)}")
            else:
                sql_type = _SQL_TYPES.get(info.kind, "VARCHAR")
                items.append(f"CAST(NULL AS {sql_type}) AS {ident(name)}")
            if info.coded:
                code = ident(code_column(info.key))
                items.append(code if name in stored else f"0 AS {code}")
        schema = schema_name(catalog.store, catalog.database)
        table = f"{schema}.{ident(rp + '.' + measurement)}"
        selects.append(f"SELECT {', '.join(items)} FROM {table}")
    return f"{MARK}{' UNION ALL '.join(selects)})", columns
