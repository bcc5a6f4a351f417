"""SHOW statements on the embedded engine, answered as influxd 1.6.7 does.

``EngineShow`` reads the engine's tables for SHOW TAG KEYS, TAG VALUES,
FIELD KEYS, SERIES, RETENTION POLICIES and CONTINUOUS QUERIES (reference
§4.1): the series names, columns and order influxd gives, and its error
texts (``StatementFailed``). A ``WHERE`` is the condition the engine
compiler writes for a DELETE of the same table. SHOW MEASUREMENTS is
``show_measurements``'s; ``statements`` builds on both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from influxpy import statements as st
from influxpy.backends.duckdb.catalog import ident
from influxpy.backends.duckdb.reading import EngineQueries
from influxpy.backends.duckdb.show_names import (
    bind_name,
    split_name,
    split_tag_key,
    tag_key_passes,
)
from influxpy.backends.duckdb.show_sources import names_only, source_stores
from influxpy.backends.duckdb.show_where import (
    ORDERING,
    has_time,
    is_never,
    left_side_error,
    select_condition,
    tag_index_error,
    time_conditions,
    without_time,
)
from influxpy.exceptions import RetentionPolicyNotFoundError
from influxpy.expressions import WhereNode
from influxpy.influxql.show_conditions import boolean_error
from influxpy.lineprotocol.escaping import escape_measurement, escape_tag
from influxpy.lookups import ExpressionLookup
from influxpy.query import Delete, Source
from influxpy.results import Series

if TYPE_CHECKING:
    from influxpy.backends.duckdb.retention_service import ShardGroup
    from influxpy.compilers.duckdb import ColumnInfo

#: Each policy's ``[start, end)`` of the shard groups a SHOW reads.
Spans = Mapping[str, list[tuple[int, int]]]

__all__ = ["EngineShow", "StatementFailed", "go_duration", "key_matches", "paged"]

_NS = {"h": 3_600_000_000_000, "m": 60_000_000_000, "s": 1_000_000_000}
_RP_COLUMNS = ["name", "duration", "shardGroupDuration", "replicaN", "default"]


class StatementFailed(Exception):
    """A statement failed with influxd's *text*: later ones are not run,
    unless *goes_on* (influxd sent the error as the statement's result and
    went on with the next statement)."""

    def __init__(self, text: str, *, goes_on: bool = False) -> None:
        super().__init__(text)
        self.text = text
        self.goes_on = goes_on


def go_duration(ns: int) -> str:
    """*ns* as Go prints a ``time.Duration`` (``168h0m0s``, ``0s``, ``1.5s``)."""
    if ns == 0:
        return "0s"
    sign, ns = ("-", -ns) if ns < 0 else ("", ns)
    hours, ns = divmod(ns, _NS["h"])
    minutes, ns = divmod(ns, _NS["m"])
    seconds, fraction = divmod(ns, _NS["s"])
    text = str(seconds)
    if fraction:
        text += "." + f"{fraction:09d}".rstrip("0")
    if hours:
        return f"{sign}{hours}h{minutes}m{text}s"
    if minutes:
        return f"{sign}{minutes}m{text}s"
    return f"{sign}{text}s"


def key_matches(match: st.KeyMatch | None, name: str) -> bool:
    """Whether *name* passes *match* (None passes everything)."""
    if match is None:
        return True
    op, values = match.op, match.values
    if op == "=":
        return name == values[0]
    if op == "!=":
        return name != values[0]
    if op == "=~":
        return re.search(values[0], name) is not None
    if op == "!~":
        return re.search(values[0], name) is None
    return name in values  # IN


def paged(items: list[Any], limit: int | None, offset: int | None) -> list[Any]:
    """*items* after LIMIT and OFFSET (influxd: 0 means no limit)."""
    start = offset or 0
    return items[start : start + limit] if limit else items[start:]


def _inside(spans: list[tuple[int, int]]) -> str:
    """SQL keeping the points inside one of *spans* (``[start, end)``)."""
    inside = " OR ".join(f"(time >= {start} AND time < {end})" for start, end in spans)
    return f" AND ({inside})"


def _refuse_ordering(node: WhereNode | None) -> None:
    """Fail as influxd does, whatever the measurements, when *node* orders
    a key (``>``, ``<=``…): a SHOW statement's keys are tags."""
    if node is None:
        return
    for child in node.children:
        if isinstance(child, WhereNode):
            _refuse_ordering(child)
        elif isinstance(child, ExpressionLookup):
            continue  # ``false`` (``show_where``)
        elif child.lhs.role != "time" and child.lookup_name in ORDERING:
            raise StatementFailed("invalid tag comparison operator")


def _refuse_index_condition(
    where: WhereNode | None, *, values: bool, index: bool
) -> None:
    """Fail SHOW TAG KEYS (or TAG VALUES, *values*) as influxd's index does
    on its condition (*index*, else as the cardinality counting them does):
    ``false`` (``fold_literals``), or what ``tag_index_error`` finds.
    influxd sends the index's error as the statement's result and runs the
    statements after it."""
    if is_never(where):
        raise StatementFailed(boolean_error(False), goes_on=index)
    refused = tag_index_error(where, values=values) if index else None
    if refused is not None:
        raise StatementFailed(refused, goes_on=True)


def _series_conditions(node: WhereNode, fields: set[str]) -> WhereNode | None:
    """*node* without its conditions on time or on a key that is a field of
    the measurement (influxd lets every series pass those); None when
    nothing is left."""
    kept = []
    for child in node.children:
        if isinstance(child, WhereNode):
            inner = _series_conditions(child, fields)
        elif isinstance(child, ExpressionLookup) and child.lookup_name not in ORDERING:
            # A call compared (``abs(v) = 1``) is left to the points.
            inner = None
        elif child.lhs.role == "time":
            inner = None
        elif child.lookup_name in ORDERING:
            raise StatementFailed("invalid tag comparison operator")
        elif child.lhs.key in fields or not isinstance(child.rhs, str):
            # influxd's index passes every series for a field's key, and for
            # = or != a number or boolean, whatever the key.
            inner = None
        else:
            inner = child
        if inner is None:
            if node.connector == "OR":
                return None
            continue
        kept.append(inner)
    if not kept:
        return None
    return WhereNode(node.connector, tuple(kept))


class EngineShow(EngineQueries):
    """The SHOW statements of ``DuckDBBackend``."""

    if TYPE_CHECKING:

        def shard_groups(self, database: str | None = None) -> list[ShardGroup]:
            """The shard groups the engine records (``EngineRetention``)."""

    def _existing(self, database: str | None) -> str:
        """*database*, which must be named and exist, as influxd requires."""
        if not database:
            raise StatementFailed("database name required")
        if database not in self._state.databases:
            msg = f"database not found: {database}"
            raise StatementFailed(msg)
        return database

    # -- reading the tables ----------------------------------------------------

    def _tables(
        self, database: str, sources: Sequence[Source]
    ) -> list[tuple[str, str, Mapping[str, ColumnInfo]]]:
        """``(rp, measurement, columns)`` of the tables *sources* name (all
        when none), sorted by measurement."""
        state = self._state
        if sources and not any(s.regex for s in sources):
            # Named measurements: looked up, not searched for.
            named = {s.measurement for s in sources}
            tables = [t for m in sorted(named) for t in state.tables_of(database, m)]
        else:
            tables = state.tables_of(database)
        found = []
        for rp, m, columns in tables:
            if sources and not any(
                (s.retention_policy is None or s.retention_policy == rp)
                and (re.search(s.measurement, m) if s.regex else s.measurement == m)
                for s in sources
            ):
                continue
            found.append((rp, m, columns))
        return sorted(found, key=lambda t: (t[1], t[0]))

    def _read_default(self, database: str, sources: Sequence[Source]) -> None:
        """Fail as influxd does a SHOW it runs as a SELECT (SERIES, FIELD
        KEYS, the exact cardinalities) that reads the default policy (a
        source naming none, or no FROM) after that policy was dropped."""
        if database in self._state.dropped_defaults and (
            not sources or any(s.retention_policy is None for s in sources)
        ):
            policy = self.default_retention_policy(database)
            raise StatementFailed(RetentionPolicyNotFoundError.server_text(policy))

    def _stores(
        self, database: str, sources: Sequence[Source]
    ) -> list[tuple[str, str | None]]:
        """The ``(database, policy)`` pairs a SHOW run as a SELECT reads
        (``show_sources``), each checked to exist."""
        return source_stores(
            database, sources, self._existing, self.retention_policies, StatementFailed
        )

    def _measurement_names(self, database: str, sources: Sequence[Source]) -> list[str]:
        return sorted({m for _rp, m, _c in self._tables(database, sources)})

    def _policies_of(self, database: str, measurement: str) -> list[str]:
        return [rp for rp, _m, _c in self._state.tables_of(database, measurement)]

    def _read(
        self,
        database: str,
        rp: str,
        measurement: str,
        select: str,
        where: WhereNode | None,
        extra: str = "",
    ) -> list[tuple[Any, ...]]:
        """Rows of ``SELECT select FROM table WHERE where``; *where* is
        written by the engine compiler, as for a DELETE of the same table,
        after dropping its conditions on time and fields, which influxd's
        SHOW statements pass over, ``_name`` read as *measurement*."""
        table = self._table(database, rp, measurement)
        condition, params = "TRUE", {}
        if where is not None:
            named = bind_name(where, measurement)
            if named is False:
                return []
            where = None if named is True else named
        if where is not None:
            # The fields of this measurement's table: influxd's index lets
            # every series pass a condition on a key its shard's field set
            # has; a key that is a field elsewhere is an absent tag here.
            fields = {
                info.key
                for other, _m, columns in self._state.tables_of(database, measurement)
                if other == rp
                for info in columns.values()
                if info.role == "field"
            }
            where = _series_conditions(where, fields)
        if where is not None:
            compiled = Delete(Source(measurement, None, rp), where).compile(
                self.get_compiler(database)
            )
            if not compiled.text:
                return []
            condition = compiled.text.split(" WHERE ", 1)[1]
            params = dict(compiled.params)
        sql = f"SELECT {select} FROM {table} WHERE ({condition}){extra}"
        cursor = self._cursor()
        try:
            rows: list[tuple[Any, ...]] = cursor.execute(sql, params).fetchall()
        finally:
            cursor.close()
        return rows

    def _tag_keys_present(
        self,
        database: str,
        rp: str,
        measurement: str,
        columns: Mapping[str, ColumnInfo],
        where: WhereNode | None,
    ) -> list[str]:
        tags = [k for k, c in columns.items() if c.role == "tag"]
        if not tags:
            return []
        present = ", ".join(f"coalesce(bool_or({ident(k)} <> ''), false)" for k in tags)
        rows = self._read(database, rp, measurement, present, where)
        if not rows:
            return []
        return [k for k, found in zip(tags, rows[0], strict=True) if found]

    # -- SHOW ------------------------------------------------------------------

    def _do_show_databases(
        self, statement: st.ShowDatabases, database: str | None
    ) -> list[Series]:
        published = self._state.databases
        cursor = self._cursor()
        try:
            rows = cursor.execute(
                "SELECT name FROM main.influxpy_databases ORDER BY rowid"
            ).fetchall()
        finally:
            cursor.close()
        names = [[str(r[0])] for r in rows if r[0] in published]
        return [Series("databases", {}, ["name"], names)]

    def _outside_shards(self, db: str, where: WhereNode | None, index: bool) -> bool:
        """Whether no shard group of *db* meets the time range of *where*
        read from the index (*index*): SHOW TAG KEYS and TAG VALUES then
        list nothing."""
        if where is None or not index or not has_time(where):
            return False
        bounds = self.get_compiler(db)._bounds(time_conditions(where))
        return not any(
            (bounds.lower is None or group.end > bounds.lower)
            and (bounds.upper is None or group.start <= bounds.upper)
            for group in self.shard_groups(db)
        )

    def _index_where(
        self, where: WhereNode | None, index: bool
    ) -> tuple[WhereNode | None, WhereNode | None]:
        """*where* as SHOW TAG KEYS and TAG VALUES read it: from the index
        (*index*), its ``_name`` conditions and the others (``split_name``)
        with the times taken out; else ``(None, where)``."""
        if where is None or not index:
            return None, where
        if has_time(where):
            where = without_time(where)
        return (None, None) if where is None else split_name(where)

    def _do_show_tag_keys(
        self, statement: st.ShowTagKeys, database: str | None, *, index: bool = True
    ) -> list[Series]:
        """SHOW TAG KEYS: from the index (*index*), or counted with a SELECT
        (``_name`` and time read as the cardinality reads them)."""
        if not index:
            _refuse_ordering(statement.where)
        db = self._existing(statement.database or database)
        if self._outside_shards(db, statement.where, index):
            return []
        _refuse_index_condition(statement.where, values=False, index=index)
        names, where = self._index_where(statement.where, index)
        keys: dict[str, set[str]] = {}
        # influxd reads the statement's database whatever a source names;
        # its index every policy alike, a count the policy a source names.
        sources = names_only(statement.sources) if index else statement.sources
        for rp, m, columns in self._tables(db, sources):
            if names is not None and bind_name(names, m) is not True:
                continue
            found = self._tag_keys_present(db, rp, m, columns, where)
            keys.setdefault(m, set()).update(found)
        out = []
        for m in sorted(keys):
            page = paged(sorted(keys[m]), statement.limit, statement.offset)
            if page:
                out.append(Series(m, {}, ["tagKey"], [[k] for k in page]))
        return out

    def _do_show_tag_values(
        self,
        statement: st.ShowTagValues,
        database: str | None,
        *,
        index: bool = True,
        spans: Spans | None = None,
    ) -> list[Series]:
        """SHOW TAG VALUES: of the statement's database, every policy alike
        (*index*), or only those the sources name, with *spans* only the
        series with points in them."""
        if not index:
            _refuse_ordering(statement.where)
        db = self._existing(statement.database or database)
        _refuse_index_condition(statement.where, values=True, index=index)
        if self._outside_shards(db, statement.where, index):
            return []
        if index and (refused := left_side_error(statement.where)) is not None:
            raise StatementFailed(refused, goes_on=True)
        names, where = self._index_where(statement.where, index)
        # ``_tagKey`` conditions pick the keys, as WITH KEY does.
        keys, where = (None, None) if where is None else split_tag_key(where)
        pairs: dict[str, set[tuple[str, str]]] = {}
        sources = names_only(statement.sources) if index else statement.sources
        for rp, m, columns in self._tables(db, sources):
            if names is not None and bind_name(names, m) is not True:
                continue
            extra = ""
            if spans is not None:
                if not spans.get(rp):
                    continue
                extra = _inside(spans[rp])
            for key, info in columns.items():
                if info.role != "tag" or not key_matches(statement.key, key):
                    continue
                if keys is not None and not tag_key_passes(keys, key):
                    continue
                column = ident(key)
                rows = self._read(db, rp, m, f"DISTINCT {column}", where, extra)
                found = {(key, str(r[0])) for r in rows if r[0]}
                pairs.setdefault(m, set()).update(found)
        out = []
        for m in sorted(pairs):
            page = paged(sorted(pairs[m]), statement.limit, statement.offset)
            if page:
                out.append(Series(m, {}, ["key", "value"], [list(p) for p in page]))
        return out

    def _do_show_field_keys(
        self, statement: st.ShowFieldKeys, database: str | None
    ) -> list[Series]:
        db = self._existing(statement.database or database)
        fields: dict[str, set[tuple[str, str]]] = {}
        names = names_only(statement.sources)
        for store, rp in self._stores(db, statement.sources):
            # Each source's database and policy, for every name a source says.
            if rp is None:
                self._read_default(store, names)
            for m in self._measurement_names(store, names):
                found = self.show_field_keys(store, m, rp)
                fields.setdefault(m, set()).update(found)
        out = []
        for m in sorted(fields):
            page = paged(sorted(fields[m]), statement.limit, statement.offset)
            if page:
                values = [[k, kind] for k, kind in page]
                out.append(Series(m, {}, ["fieldKey", "fieldType"], values))
        return out

    def _do_show_series(
        self, statement: st.ShowSeries, database: str | None
    ) -> list[Series]:
        _refuse_ordering(statement.where)
        db = self._existing(statement.database or database)
        if is_never(statement.where):
            return []
        return self._series_answer(db, statement, statement.where)

    def _timed_series(
        self,
        db: str,
        statement: st.ShowSeries,
        spans: Callable[[str], Spans],
    ) -> list[Series]:
        """SHOW SERIES with time in its WHERE, which influxd answers from a
        SELECT over the series of the shard groups the time range overlaps
        (*spans* of a database: each policy's ``[start, end)`` of them)
        instead of its index: a field's key, an ordering or a number is never
        true there."""
        assert statement.where is not None
        names = names_only(statement.sources)
        fields = {
            c.key
            for store in dict(self._stores(db, statement.sources))
            for _rp, _m, cs in self._tables(store, names)
            for c in cs.values()
            if c.role == "field"
        }
        decided = select_condition(statement.where, fields, drop_time=True)
        if decided is False:
            return []
        where = None if decided is True else decided
        return self._series_answer(db, statement, where, spans)

    def _series_answer(
        self,
        db: str,
        statement: st.ShowSeries,
        where: WhereNode | None,
        spans_of: Callable[[str], Spans] | None = None,
    ) -> list[Series]:
        """The series keys of *statement*'s measurements passing *where*
        (with *spans_of*, only those with points in one of their policy's
        shard groups), of every database a source names (``show_sources``),
        every policy alike."""
        keys: set[tuple[str, tuple[tuple[str, str], ...], str]] = set()
        names = names_only(statement.sources)
        stores = self._stores(db, statement.sources)
        if spans_of is None:
            # The index: every policy of each database alike.
            stores = [(store, None) for store in dict(stores)]
        tables = [
            (store, *table)
            for store, policy in stores
            for table in self._tables(store, names)
            # Through shard groups: the policy a source names, or the default.
            if spans_of is None
            or table[0] == (policy or self.default_retention_policy(store))
        ]
        for store, rp, m, columns in tables:
            extra = ""
            if spans_of is not None:
                spans = spans_of(store)
                if not spans.get(rp):
                    continue
                extra = _inside(spans[rp])
            tags = sorted(k for k, c in columns.items() if c.role == "tag")
            select = "DISTINCT " + (", ".join(map(ident, tags)) or "1")
            prefix = escape_measurement(m)
            for row in self._read(store, rp, m, select, where, extra):
                pairs = tuple((k, str(v)) for k, v in zip(tags, row, strict=False) if v)
                key = ",".join(
                    [prefix, *(f"{escape_tag(k)}={escape_tag(v)}" for k, v in pairs)]
                )
                keys.add((m, pairs, key))
        # influxd lists measurements by name, then each one's series by their
        # tags (keys and values as written, not escaped): ``host=a b`` comes
        # before ``host=a"b``, ``my m`` before ``my"m``.
        ordered = [k for *_order, k in sorted(keys)]
        page = paged(ordered, statement.limit, statement.offset)
        return [Series("", {}, ["key"], [[k] for k in page])] if page else []

    def _do_show_retention_policies(
        self, statement: st.ShowRetentionPolicies, database: str | None
    ) -> list[Series]:
        db = self._existing(statement.database or database)
        values = [
            [
                p["name"],
                go_duration(int(p["duration"])),
                go_duration(int(p["shard_duration"])),
                int(p["replication"]),
                bool(p["default"]),
            ]
            for p in self.retention_policies(db)
        ]
        return [Series("", {}, list(_RP_COLUMNS), values)]

    def _do_show_continuous_queries(
        self, statement: st.ShowContinuousQueries, database: str | None
    ) -> list[Series]:
        (databases,) = self._do_show_databases(st.ShowDatabases(), database)
        out = []
        for (name,) in databases.values:
            queries = self.introspection(name).continuous_queries()
            values = [[cq.name, cq.query] for cq in queries]
            out.append(Series(name, {}, ["name", "query"], values))
        return out
