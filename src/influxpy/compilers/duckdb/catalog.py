"""The engine's catalog as the compiler reads it: tables, columns, tag codes."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

__all__ = ["DEFAULT_RP", "TAG_CODES", "Catalog", "ColumnInfo", "code_column", "ident"]

DEFAULT_RP = "autogen"


@dataclasses.dataclass(frozen=True)
class ColumnInfo:
    """One stored column: its key, ``tag`` or ``field``, and the field type.

    ``coded`` marks a tag stored with its integer code beside it (see
    ``code_column``).
    """

    key: str
    role: str
    kind: str
    coded: bool = False


#: The dictionary of tag values: ``(code INTEGER, value VARCHAR)``, code 0
#: for ''. Shared by every table; a coded tag stores a value's code in
#: ``code_column(key)`` next to the value.
TAG_CODES = "main.influxpy_tag_codes"


def code_column(key: str) -> str:
    """The name of the column holding the codes of tag *key*'s values.

    Grouping by a small integer is faster than by a string. The name starts
    with a line break, which no InfluxDB key can hold, so it never meets a
    tag or field key.
    """
    return f"\ncode:{key}"


@dataclasses.dataclass(frozen=True)
class Catalog:
    """The tables of one database: ``(rp, measurement) -> {key: ColumnInfo}``,
    and the default retention policy."""

    database: str
    tables: Mapping[tuple[str, str], Mapping[str, ColumnInfo]]
    #: The policy a source naming none reads.
    default_rp: str = DEFAULT_RP


def ident(name: str) -> str:
    """Double-quote a DuckDB identifier, doubling ``"`` (SQL standard)."""
    return '"' + name.replace('"', '""') + '"'
