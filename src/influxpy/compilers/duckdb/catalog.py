"""The engine's catalog as the compiler reads it: tables, columns, tag codes."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence

from influxpy.exceptions import RetentionPolicyNotFoundError

__all__ = [
    "DEFAULT_RP",
    "GO_ZERO_NS",
    "TAG_CODES",
    "Catalog",
    "ColumnInfo",
    "case_column",
    "case_free",
    "case_unique",
    "code_column",
    "field_column",
    "find_column",
    "go_shard_start",
    "go_shard_start_of",
    "has_key",
    "ident",
    "stored_key",
]

DEFAULT_RP = "autogen"


@dataclasses.dataclass(frozen=True)
class ColumnInfo:
    """One stored column: its key, ``tag`` or ``field``, and the field type.

    ``coded`` marks a tag stored with its integer code beside it (see
    ``code_column``). A column not ``listed`` is read when named but left
    out of wildcards (a subquery's tag columns of TOP/BOTTOM(x, tag…, N)).
    ``tagged`` marks a subquery's column of a tag's values (``SELECT *``
    or ``SELECT host`` inside): influxd types it a tag, so beside other
    sources ``*`` lists it as one, and a measurement reads its own tag of
    that name there. ``kept`` lists the sources of a merged table
    (``merged.union_table``) whose rows hold this tag as a subquery's group:
    there the empty value is shown as '' (influxd's subquery rows keep it),
    elsewhere as null; ``unread`` the sources where it is a tag only the
    outer GROUP BY added to a subquery's (``PUSHED``): null there.
    """

    key: str
    role: str
    kind: str
    coded: bool = False
    listed: bool = True
    tagged: bool = False
    kept: tuple[int, ...] = ()
    unread: tuple[int, ...] = ()


#: The kind of a subquery's group tag: its value is '' when absent.
DIMENSION = "dimension"
#: The kind of a subquery's column of a field that exists nowhere: no
#: value, but ``*`` lists it beside other sources.
TYPELESS = "typeless"
#: The kind of a tag only the outer query's GROUP BY adds to a subquery's:
#: it groups and filters the rows, but influxd reads no value of it there
#: (null in the select list, nothing for a call).
PUSHED = "pushed"


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


_FIELD_PREFIX = "\nfield:"


def absent_column(key: str) -> str:
    """A name no table has a column of: what a call reads where influxd
    reads no value of *key* (``sum(t::field)`` of a subquery's tag,
    ``first(v::string)`` of a float field). It starts with a line break,
    which no InfluxDB key can hold."""
    return f"\nabsent:{key}"


def field_column(key: str) -> str:
    """The column of field *key* in a table where *key* is also a tag.

    InfluxDB lets one key be a tag in some series and a field in others.
    The tag keeps the column named *key*; the field moves to this name,
    which starts with a line break (no InfluxDB key holds one). A table's
    columns map this name to ``ColumnInfo(key, "field", kind)``.
    """
    return f"{_FIELD_PREFIX}{key}"


_CASE_PREFIX = "\ncase"


def case_column(key: str, n: int) -> str:
    """The *n*-th column name of a key whose name differs from another
    column's only in case (``X`` beside ``x``).

    DuckDB matches names ignoring case, so the two would be one name to it
    (and a query would read either); InfluxDB keeps them apart. The name
    starts with a line break, which no InfluxDB key holds; the columns map
    it to ``ColumnInfo(key, …)`` and ``find_column`` finds it by its key.
    """
    return f"{_CASE_PREFIX}{n}:{key}"


def case_unique(name: str, taken: Iterable[str]) -> str:
    """*name*, or a ``case_column`` of it when a name of *taken* is the
    same to DuckDB (equal ignoring case)."""
    folded = {t.lower() for t in taken}
    if name.lower() not in folded:
        return name
    n = 1
    while case_column(name, n).lower() in folded:
        n += 1
    return case_column(name, n)


def case_free(column: str) -> str:
    """*column* without the ``case_column`` naming apart (``T`` for ``T``
    named apart from ``t``; ``field_column("T")`` for that column named
    apart): the same for a key in every table."""
    while column.startswith(_CASE_PREFIX):
        column = column.split(":", 1)[1]
    return column


def stored_key(column: str) -> str:
    """The InfluxDB key a stored column name holds (see ``field_column``
    and ``case_column``)."""
    column = case_free(column)
    if column.startswith(_FIELD_PREFIX):
        return column[len(_FIELD_PREFIX) :]
    return column


def find_column(
    columns: Mapping[str, ColumnInfo], key: str, role: str = "unknown"
) -> tuple[str, ColumnInfo] | None:
    """The stored column name and info of *key* read in *role*.

    A field is found first, as InfluxDB reads a bare name (``unknown``) or
    ``::field``; ``tag`` looks for the tag. A key stored in one role only is
    found whatever *role* asks (the caller decides what a mismatch means).
    """
    moved = field_column(key)
    if role != "tag" and moved in columns:
        info = columns[moved]
        # A subquery's hidden column of a group tag's values (read by
        # calls as a field) gives way to the tag a bare name reads.
        hidden = info.tagged and not info.listed and key in columns
        if role == "field" or not hidden:
            return moved, info
    found = columns.get(key)
    if found is not None:
        return key, found
    # A key named apart from another differing only in case: the field
    # first, as above.
    renamed = [
        (name, info)
        for name, info in columns.items()
        if name.startswith(_CASE_PREFIX) and info.key == key
    ]
    renamed.sort(key=lambda column: (column[1].role == "tag") != (role == "tag"))
    return renamed[0] if renamed else None


def has_key(columns: Mapping[str, ColumnInfo], key: str) -> bool:
    """Whether *columns* hold a column of *key* (in any role, under any of
    the names ``find_column`` looks for)."""
    return find_column(columns, key) is not None


#: Nanoseconds from Go's zero time (January 1 of year 1) to the Unix epoch:
#: influxd's shard groups start at multiples of their duration from there
#: (``Time.Truncate``), so 7-day groups start on Mondays.
GO_ZERO_NS = 62_135_596_800 * 1_000_000_000


def go_shard_start(time: str, shard_ns: int) -> str:
    """SQL of the start of the shard group of *shard_ns* ns holding *time*."""
    shift = GO_ZERO_NS % shard_ns
    return f"({time} - (({time} % {shard_ns}) + {shard_ns} + {shift}) % {shard_ns})"


def go_shard_start_of(time: int, shard_ns: int) -> int:
    """The start of the shard group of *shard_ns* ns holding *time*
    (``go_shard_start`` computed here)."""
    return time - (time + GO_ZERO_NS) % shard_ns


@dataclasses.dataclass(frozen=True)
class Catalog:
    """The tables of one database: ``(rp, measurement) -> {key: ColumnInfo}``,
    and the default retention policy."""

    database: str
    tables: Mapping[tuple[str, str], Mapping[str, ColumnInfo]]
    #: The policy a source naming none reads.
    default_rp: str = DEFAULT_RP
    #: The DuckDB catalog holding the database's schema (empty: unnamed).
    store: str = ""
    #: Whether the default policy was dropped (its name stays the default).
    default_dropped: bool = False
    #: The shard group duration of a policy, in ns (None: 7 days each); a
    #: way to look it up, not part of what the catalog holds.
    shard_durations: Callable[[str], int] | None = dataclasses.field(
        default=None, compare=False, repr=False
    )
    #: ``(rp, measurement) -> its table's name`` where that is not
    #: ``rp.measurement``: a measurement named like another but for case
    #: (``CPU`` beside ``cpu``), whose table is named apart.
    table_names: Mapping[tuple[str, str], str] = dataclasses.field(default_factory=dict)
    #: Which of some ``(rp, measurement)`` tables hold a point (None: all):
    #: a way to look it up. influxd's index forgets a measurement whose
    #: series were all deleted, so a query of several measurements reads
    #: none of its fields (``SHOW FIELD KEYS`` still lists them).
    holding: Callable[[Sequence[tuple[str, str]]], set[tuple[str, str]]] | None = (
        dataclasses.field(default=None, compare=False, repr=False)
    )

    def table_sql(self, rp: str, measurement: str) -> str:
        """The SQL naming the stored table of *measurement* in policy *rp*."""
        name = self.table_names.get((rp, measurement), f"{rp}.{measurement}")
        return f"{schema_name(self.store, self.database)}.{ident(name)}"

    def policy(self, named: str | None) -> str:
        """The policy a source naming *named* (None: none) reads.

        Raises ``RetentionPolicyNotFoundError`` (``reason`` influxd's text)
        when it names none and the database's default policy was dropped.
        """
        if named:
            return named
        if self.default_dropped:
            raise RetentionPolicyNotFoundError.missing(
                self.database, self.default_rp, named=False
            )
        return self.default_rp


def ident(name: str) -> str:
    """Double-quote a DuckDB identifier, doubling ``"`` (SQL standard)."""
    return '"' + name.replace('"', '""') + '"'


def schema_name(store: str, database: str) -> str:
    """The DuckDB schema of *database*, in the catalog *store* when given.

    A database named like a DuckDB catalog (the file's name, ``memory``,
    ``system``, ``temp``) is an ambiguous reference unless the catalog is
    spelled out.
    """
    if not store:
        return ident(database)
    return f"{ident(store)}.{ident(database)}"
