"""InfluxQL statements on the embedded engine: ``statements()``.

Text is parsed (``influxpy.influxql``) into ``query.Query``, ``query.Delete``
and the classes of ``influxpy.statements``; ``run_statements()`` answers each
with the series influxd 1.6.7 gives (names, columns, order; reference §4)
and a failed one with influxd's error text (``database not found: x``).
After a failed statement the later ones are not run and each answers
``not executed``, as influxd means to answer (1.6.7 loses the failed
statement's own error in a whole, unchunked answer; the engine keeps it).

SELECT and DELETE go through the engine compiler as QuerySets do; the
schema statements reuse the engine's administration (``admin``) and its
schema editor; SHOW statements with ``WHERE`` read the tables with the
conditions the compiler writes for a DELETE of the same tables.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from influxpy import statements as st
from influxpy.backends.duckdb.catalog import ident
from influxpy.backends.duckdb.reading import EngineQueries
from influxpy.durations import Duration
from influxpy.exceptions import (
    InfluxpyError,
    InterfaceError,
    ProgrammingError,
    UnsupportedCompilation,
)
from influxpy.expressions import Col, CombinedExpression, WhereNode
from influxpy.functions import Func
from influxpy.lineprotocol.escaping import escape_measurement, escape_tag
from influxpy.lookups import Lookup
from influxpy.query import Delete, Query, SelectItem, Source
from influxpy.results import Series, StatementResult, merge_pieces
from influxpy.retention import RetentionPolicy

if TYPE_CHECKING:
    from influxpy.compilers.duckdb import ColumnInfo

__all__ = ["EngineStatements", "go_duration"]

_NS = {"h": 3_600_000_000_000, "m": 60_000_000_000, "s": 1_000_000_000}
_RP_COLUMNS = ["name", "duration", "shardGroupDuration", "replicaN", "default"]
#: The error influxd gives each statement after a failed one.
NOT_EXECUTED = "not executed"


class StatementFailed(Exception):
    """A statement failed with influxd's *text*; the request goes on."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


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


def _matches(match: st.KeyMatch | None, name: str) -> bool:
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


def _page(items: list[Any], limit: int | None, offset: int | None) -> list[Any]:
    """*items* after LIMIT and OFFSET (influxd: 0 means no limit)."""
    start = offset or 0
    return items[start : start + limit] if limit else items[start:]


def _policy_row(policy: RetentionPolicy) -> dict[str, Any]:
    return {
        "name": policy.name,
        "duration": policy.duration.nanoseconds if policy.duration else 0,
        "shard_duration": policy.effective_shard_duration.nanoseconds,
        "replication": policy.replication,
        "default": policy.default,
    }


def _with_roles(node: Any, kinds: Mapping[str, tuple[str, str | None]]) -> Any:
    """*node* with its ``unknown`` columns given the role and type in *kinds*.

    Walks the frozen dataclasses, tuples and function calls of a query;
    a column *kinds* does not know stays ``unknown``.
    """
    if isinstance(node, Col):
        if node.role != "unknown" or node.key not in kinds:
            return node
        role, dtype = kinds[node.key]
        return dataclasses.replace(node, role=role, dtype=dtype)
    if isinstance(node, tuple):
        items = tuple(_with_roles(item, kinds) for item in node)
        return node if items == node else items
    if isinstance(node, Func):
        called = copy.copy(node)
        called.source = _with_roles(node.source, kinds)
        called.params = _with_roles(node.params, kinds)
        return called
    if isinstance(node, Query | WhereNode | SelectItem | Lookup | CombinedExpression):
        changes = {
            f.name: _with_roles(getattr(node, f.name), kinds)
            for f in dataclasses.fields(node)
            if f.init and f.name != "source"
        }
        if all(changes[k] is getattr(node, k) for k in changes):
            return node
        return dataclasses.replace(node, **changes)
    return node


def _check_sources(query: Query) -> None:
    """Refuse what the engine compiler would answer wrongly (it reads only
    the first measurement): several sources, a regular expression of
    measurements, ``GROUP BY /re/``. Drop each check once it compiles them."""
    what = None
    if query.extra_sources:
        what = "a SELECT from several sources"
    elif isinstance(query.source, Source) and query.source.regex:
        what = "a SELECT from a regular expression of measurements"
    elif query.group_by_patterns:
        what = "GROUP BY a regular expression"
    if what is not None:
        msg = (
            f"The embedded engine (DuckDB) cannot run {what} yet; run this "
            "query on an InfluxDB server (influxpy.connect('influxdb://…'))."
        )
        raise UnsupportedCompilation(msg, dialect="duckdb", node=what)
    if isinstance(query.source, Query):
        _check_sources(query.source)


def _condition_keys(node: WhereNode) -> set[str]:
    """The keys the conditions of *node* other than time's name."""
    keys: set[str] = set()
    for child in node.children:
        if isinstance(child, WhereNode):
            keys |= _condition_keys(child)
        elif child.lhs.role != "time":
            keys.add(child.lhs.key)
    return keys


def _has_time(node: WhereNode) -> bool:
    """Whether a condition of *node* is on time."""
    return any(
        _has_time(child) if isinstance(child, WhereNode) else child.lhs.role == "time"
        for child in node.children
    )


def _check_shard_duration(row: Mapping[str, Any]) -> None:
    """Refuse shard groups longer than a finite policy, as influxd does."""
    if row["duration"] and row["shard_duration"] > row["duration"]:
        msg = "retention policy duration must be greater than the shard duration"
        raise StatementFailed(msg)


class EngineStatements(EngineQueries):
    """InfluxQL statements on ``DuckDBBackend``, answered as influxd does."""

    def statements(
        self,
        text: str,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        params: Mapping[str, Any] | None = None,
        chunk_size: int | None = None,
    ) -> Iterator[StatementResult]:
        """Run InfluxQL *text* (one or more statements separated by ``;``).

        Yields one ``StatementResult`` per statement, in order; a failed
        statement carries influxd's error text and the ones after it
        ``not executed``. *params* binds ``$name`` placeholders. Text that
        does not parse raises ``InfluxQLParseError`` with influxd's message,
        before any statement runs.
        """
        from influxpy.influxql import parse

        self.check_open()
        parsed = parse(text, params)
        return self.run_statements(
            parsed,
            database=database,
            retention_policy=retention_policy,
            chunk_size=chunk_size,
        )

    def run_statements(
        self,
        statements: Iterable[st.Statement],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        chunk_size: int | None = None,
    ) -> Iterator[StatementResult]:
        """Answer parsed *statements* in order, as ``statements()`` does.

        A SELECT's series stream with *chunk_size* (an error while they
        stream is raised, as a dropped connection would be); otherwise each
        statement is answered whole before it is yielded.
        """
        self.check_open()
        db = database or self.database
        failed = False
        for index, statement in enumerate(statements):
            if failed:
                yield StatementResult(index, (), NOT_EXECUTED)
                continue
            try:
                series: Iterable[Series] = self._answer(
                    statement, db, retention_policy, chunk_size
                )
                if not chunk_size:
                    # Read whole: errors become the statement's, and the
                    # series can be read again.
                    series = list(merge_pieces(series))
            except StatementFailed as failure:
                failed = True
                yield StatementResult(index, (), failure.text)
                continue
            except InterfaceError:
                raise
            except InfluxpyError as error:
                failed = True
                yield StatementResult(index, (), str(error))
                continue
            yield StatementResult(index, series)

    # -- dispatch ------------------------------------------------------------

    def _answer(
        self,
        statement: st.Statement,
        database: str | None,
        retention_policy: str | None,
        chunk_size: int | None,
    ) -> Iterator[Series]:
        if isinstance(statement, Query):
            return self._select(statement, database, retention_policy, chunk_size)
        if isinstance(statement, Delete):
            self._delete_statement(statement, self._existing(database))
            return iter(())
        if isinstance(statement, st.Explain):
            msg = (
                "The embedded engine does not answer EXPLAIN: its plans are "
                "DuckDB's, not influxd's."
            )
            raise StatementFailed(msg)
        handler = getattr(self, f"_do_{statement.visit_name}", None)
        if handler is None:
            msg = f"The embedded engine does not run {type(statement).__name__}."
            raise StatementFailed(msg)
        found: list[Series] | None = handler(statement, database)
        return iter(found or ())

    def _existing(self, database: str | None) -> str:
        """*database*, which must be named and exist, as influxd requires."""
        if not database:
            raise StatementFailed("database name required")
        if database not in self._state.databases:
            msg = f"database not found: {database}"
            raise StatementFailed(msg)
        return database

    # -- SELECT and DELETE ---------------------------------------------------

    def _select(
        self,
        query: Query,
        database: str | None,
        retention_policy: str | None,
        chunk_size: int | None,
    ) -> Iterator[Series]:
        source = query.source
        if isinstance(source, Source):
            database = source.database or database
            if source.retention_policy is None and retention_policy:
                source = dataclasses.replace(source, retention_policy=retention_policy)
                query = dataclasses.replace(query, source=source)
        db = self._existing(database)
        if isinstance(source, Source) and source.retention_policy is not None:
            names = [p["name"] for p in self.retention_policies(db)]
            if source.retention_policy not in names:
                msg = f"retention policy not found: {source.retention_policy}"
                raise StatementFailed(msg)
        _check_sources(query)
        query = self._resolved(query, db)
        query.check_runnable()
        compiled = query.compile(self.get_compiler(db))
        return self.execute(compiled, database=db, chunk_size=chunk_size)

    def _resolved(self, query: Query, database: str) -> Query:
        """*query* with each column its text left ``unknown`` made a tag or a
        field (with its type), as the tables of its measurement store it;
        a subquery's own columns are resolved from its source."""
        source = query.source
        if isinstance(source, Query):
            inner = self._resolved(source, database)
            # The outer query reads the inner one's outputs and group tags.
            kinds = self._kinds(inner, database) if not inner.select else {}
            for item in inner.select:
                name = item.output_name
                if name is not None:
                    kinds[name] = ("alias", None)
            kinds.update(dict.fromkeys(inner.group_by, ("tag", None)))
            outer: Query = _with_roles(query, kinds)
            return dataclasses.replace(outer, source=inner)
        resolved: Query = _with_roles(query, self._kinds(query, database))
        return resolved

    def _kinds(self, query: Query, database: str) -> dict[str, tuple[str, str | None]]:
        """Each stored key of *query*'s measurement: its role and field type."""
        kinds: dict[str, tuple[str, str | None]] = {}
        source = query.source
        if not isinstance(source, Source) or source.regex:
            return kinds
        for rp, _m, columns in self._state.tables_of(
            source.database or database, source.measurement
        ):
            if source.retention_policy not in (None, rp):
                continue
            for key, info in columns.items():
                if info.role == "field" or key not in kinds:
                    kinds[key] = (
                        info.role,
                        info.kind if info.role == "field" else None,
                    )
        return kinds

    def _delete_statement(self, delete: Delete, database: str) -> None:
        """``DELETE FROM m`` (or ``/re/``: every matching measurement).

        As influxd, a condition on a field refuses the whole statement
        (influxd's text names the shard first: ``shard 2: fields not …``).
        """
        keys = _condition_keys(delete.where) if delete.where is not None else set()
        for _rp, _m, columns in self._tables(database, (delete.source,)):
            if any(k in columns and columns[k].role == "field" for k in keys):
                msg = "fields not supported in WHERE clause during deletion"
                raise StatementFailed(msg)
        for measurement in self._measurement_names(database, (delete.source,)):
            for rp in self._policies_of(database, measurement):
                source = Source(measurement, None, rp)
                compiled = Delete(source, delete.where).compile(
                    self.get_compiler(database)
                )
                if compiled.text:
                    list(self.execute(compiled, database=database))

    # -- reading the tables ----------------------------------------------------

    def _tables(
        self, database: str, sources: Sequence[Source]
    ) -> list[tuple[str, str, Mapping[str, ColumnInfo]]]:
        """``(rp, measurement, columns)`` of the tables *sources* name (all
        when none), sorted by measurement."""
        found = []
        for rp, m, columns in self._state.tables_of(database):
            if sources and not any(
                (s.retention_policy is None or s.retention_policy == rp)
                and (re.search(s.measurement, m) if s.regex else s.measurement == m)
                for s in sources
            ):
                continue
            found.append((rp, m, columns))
        return sorted(found, key=lambda t: (t[1], t[0]))

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
        written by the engine compiler, as for a DELETE of the same table."""
        table = self._table(database, rp, measurement)
        condition, params = "TRUE", {}
        if where is not None:
            compiled = Delete(Source(measurement, None, rp), where).compile(
                self.get_compiler(database)
            )
            if not compiled.text:
                return []
            condition = compiled.text.split(" WHERE ", 1)[1]
            params = dict(compiled.params)
        sql = f"SELECT {select} FROM {table} WHERE {condition}{extra}"
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

    def _do_show_measurements(
        self, statement: st.ShowMeasurements, database: str | None
    ) -> list[Series]:
        db = statement.database or database
        if not db:
            raise StatementFailed("database name required")
        if db not in self._state.databases:
            return []  # influxd answers nothing, and no error
        names = set()
        for rp, m, _columns in self._tables(db, ()):
            if m in names or not _matches(statement.measurement, m):
                continue
            if self._read(db, rp, m, "1", statement.where, " LIMIT 1"):
                names.add(m)
        values = [[m] for m in _page(sorted(names), statement.limit, statement.offset)]
        return [Series("measurements", {}, ["name"], values)] if values else []

    def _do_show_tag_keys(
        self, statement: st.ShowTagKeys, database: str | None
    ) -> list[Series]:
        db = self._existing(statement.database or database)
        keys: dict[str, set[str]] = {}
        for rp, m, columns in self._tables(db, statement.sources):
            found = self._tag_keys_present(db, rp, m, columns, statement.where)
            keys.setdefault(m, set()).update(found)
        out = []
        for m in sorted(keys):
            page = _page(sorted(keys[m]), statement.limit, statement.offset)
            if page:
                out.append(Series(m, {}, ["tagKey"], [[k] for k in page]))
        return out

    def _do_show_tag_values(
        self, statement: st.ShowTagValues, database: str | None
    ) -> list[Series]:
        db = self._existing(statement.database or database)
        pairs: dict[str, set[tuple[str, str]]] = {}
        for rp, m, columns in self._tables(db, statement.sources):
            for key, info in columns.items():
                if info.role != "tag" or not _matches(statement.key, key):
                    continue
                column = ident(key)
                rows = self._read(db, rp, m, f"DISTINCT {column}", statement.where)
                found = {(key, str(r[0])) for r in rows if r[0]}
                pairs.setdefault(m, set()).update(found)
        out = []
        for m in sorted(pairs):
            page = _page(sorted(pairs[m]), statement.limit, statement.offset)
            if page:
                out.append(Series(m, {}, ["key", "value"], [list(p) for p in page]))
        return out

    def _do_show_field_keys(
        self, statement: st.ShowFieldKeys, database: str | None
    ) -> list[Series]:
        db = self._existing(statement.database or database)
        wanted: dict[str, str | None] = {}
        if statement.sources:
            for _rp, m, _columns in self._tables(db, statement.sources):
                source_rp = next(
                    (
                        s.retention_policy
                        for s in statement.sources
                        if not s.regex and s.measurement == m
                    ),
                    None,
                )
                wanted.setdefault(m, source_rp)
        else:
            wanted = dict.fromkeys(self._measurement_names(db, ()))
        out = []
        for m in sorted(wanted):
            rows = self.show_field_keys(db, m, wanted[m])
            page = _page(rows, statement.limit, statement.offset)
            if page:
                values = [[k, kind] for k, kind in page]
                out.append(Series(m, {}, ["fieldKey", "fieldType"], values))
        return out

    def _do_show_series(
        self, statement: st.ShowSeries, database: str | None
    ) -> list[Series]:
        db = self._existing(statement.database or database)
        keys: set[str] = set()
        for rp, m, columns in self._tables(db, statement.sources):
            tags = sorted(k for k, c in columns.items() if c.role == "tag")
            select = "DISTINCT " + (", ".join(map(ident, tags)) or "1")
            prefix = escape_measurement(m)
            for row in self._read(db, rp, m, select, statement.where):
                parts = [
                    f"{escape_tag(k)}={escape_tag(str(v))}"
                    for k, v in zip(tags, row, strict=False)
                    if v
                ]
                keys.add(",".join([prefix, *parts]))
        page = _page(sorted(keys), statement.limit, statement.offset)
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

    # -- databases and retention policies ----------------------------------------

    def _do_create_database(
        self, statement: st.CreateDatabase, database: str | None
    ) -> None:
        name, policy = statement.name, statement.policy
        if name in self._state.databases:
            if policy is None:
                return
            row = _policy_row(policy)
            existing = next(
                (p for p in self.retention_policies(name) if p["name"] == policy.name),
                None,
            )
            keys = ("duration", "shard_duration", "replication")
            if existing is None or any(existing[k] != row[k] for k in keys):
                raise StatementFailed(
                    "retention policy conflicts with an existing policy"
                )
            return
        self.create_database(name)
        if policy is None:
            return
        editor = self.schema_editor()
        editor.create_retention_policy(dataclasses.replace(policy, default=True), name)
        if policy.name != "autogen":
            editor.drop_retention_policy("autogen", name)

    def _do_drop_database(
        self, statement: st.DropDatabase, database: str | None
    ) -> None:
        if statement.name in self._state.databases:
            self.drop_database(statement.name)

    def _do_create_retention_policy(
        self, statement: st.CreateRetentionPolicy, database: str | None
    ) -> None:
        db = self._existing(statement.database or database)
        _check_shard_duration(_policy_row(statement.policy))
        try:
            self.schema_editor().create_retention_policy(statement.policy, db)
        except ProgrammingError as error:
            if "already exists" in str(error):
                raise StatementFailed("retention policy already exists") from None
            raise

    def _do_alter_retention_policy(
        self, statement: st.AlterRetentionPolicy, database: str | None
    ) -> None:
        db = self._existing(statement.database or database)
        existing = next(
            (p for p in self.retention_policies(db) if p["name"] == statement.name),
            None,
        )
        if existing is None:
            msg = f"retention policy not found: {statement.name}"
            raise StatementFailed(msg)
        row = dict(existing)
        if statement.duration == "INF":
            row["duration"] = 0
        elif isinstance(statement.duration, Duration):
            row["duration"] = statement.duration.nanoseconds
        if statement.replication is not None:
            row["replication"] = statement.replication
        if statement.shard_duration is not None:
            row["shard_duration"] = statement.shard_duration.nanoseconds
        row["default"] = bool(existing["default"] or statement.default)
        _check_shard_duration(row)
        self.create_retention_policy(db, row, replace=True)

    def _do_drop_retention_policy(
        self, statement: st.DropRetentionPolicy, database: str | None
    ) -> None:
        db = statement.database or database
        if not db or db not in self._state.databases:
            return  # influxd: nothing to drop, and no error
        self.schema_editor().drop_retention_policy(statement.name, db)

    # -- continuous queries ------------------------------------------------------

    def _do_create_continuous_query(
        self, statement: st.CreateContinuousQuery, database: str | None
    ) -> None:
        db = statement.database
        if db not in self._state.databases:
            msg = f"database not found: {db}"
            raise StatementFailed(msg)
        self.schema_editor().create_continuous_query(statement, db)

    def _do_drop_continuous_query(
        self, statement: st.DropContinuousQuery, database: str | None
    ) -> None:
        self.schema_editor().drop_continuous_query(statement.name, statement.database)

    # -- dropping series and measurements ----------------------------------------

    def _do_drop_series(self, statement: st.DropSeries, database: str | None) -> None:
        if statement.where is not None and _has_time(statement.where):
            msg = "DROP SERIES doesn't support time in WHERE clause"
            raise StatementFailed(msg)
        db = self._existing(database)
        for measurement in self._measurement_names(db, statement.sources):
            self.drop_series(db, measurement, statement.where)

    def _do_drop_measurement(
        self, statement: st.DropMeasurement, database: str | None
    ) -> None:
        db = self._existing(database)
        self.drop_measurement(db, statement.name)
