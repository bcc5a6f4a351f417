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
schema editor; the SHOW statements are answered by ``show`` and
``show_meta``.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar

from influxpy import statements as st
from influxpy.backends.duckdb.argument_types import query_check, refuse_argument_types
from influxpy.backends.duckdb.running import RunningQueries
from influxpy.backends.duckdb.show import StatementFailed
from influxpy.backends.duckdb.show_where import deletion_where, fold_literals
from influxpy.backends.duckdb.statement_admin import EngineAdminStatements
from influxpy.compilers.duckdb import DuckDBCompiler
from influxpy.compilers.duckdb.conditions import index_condition_error
from influxpy.exceptions import (
    CompileError,
    DatabaseNotFoundError,
    InfluxpyError,
    InterfaceError,
    ProgrammingError,
    RetentionPolicyNotFoundError,
)
from influxpy.expressions import Col, CombinedExpression, WhereNode
from influxpy.functions import Func
from influxpy.influxql.conditions import never_true
from influxpy.lookups import Lookup
from influxpy.query import Delete, Query, SelectItem, Source
from influxpy.results import Series, StatementResult, merge_pieces

__all__ = ["NOT_EXECUTED", "EngineStatements", "TimeNamedSeries"]


#: The error influxd gives each statement after a failed one.
NOT_EXECUTED = "not executed"
#: The SHOW statements whose ``true`` and ``false`` fold (``show_where``),
#: and how each reads a comparison of literals ``Reduce`` leaves
#: (``show_literals.read_unfolded``).
_FOLDED_SHOW: dict[type[Any], str] = {
    st.ShowTagKeys: "dropped",
    st.ShowTagValues: "refused",
    st.ShowSeries: "series",
    st.ShowCardinality: "counted",
}
#: The SHOW statements that read their condition in their own order.
_INDEX_READ = (st.ShowMeasurements, st.ShowTagKeys, st.ShowTagValues)


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


def _refusal(query: Query) -> str | None:
    """The error influxd gives *query* or a subquery of it when compiling."""
    refusal: str | None = getattr(query, "refusal", None)
    for source in query.sources:
        if refusal is None and isinstance(source, Query):
            refusal = _refusal(source)
    return refusal


#: influxd's system measurements (influxql's ``IsSystemName``), each with
#: the statement that reads it; a SELECT may not name them.
_SYSTEM_SOURCES = {
    "_fieldKeys": "SHOW FIELD KEYS",
    "_measurements": "SHOW MEASUREMENTS",
    "_name": "the appropriate meta command",
    "_series": "SHOW SERIES",
    "_tagKey": "the appropriate meta command",
    "_tagKeys": "SHOW TAG KEYS",
    "_tags": "SHOW TAG VALUES",
}


def _refuse_system_sources(query: Query) -> None:
    """Refuse, as influxd does before anything else, a SELECT naming a
    system measurement in its FROM (not in a subquery's); the statements
    after it are not run."""
    for source in query.sources:
        if isinstance(source, Source) and not source.regex:
            command = _SYSTEM_SOURCES.get(source.measurement)
            if command is not None:
                text = (
                    f"unable to use system source '{source.measurement}': "
                    f"use {command} instead"
                )
                raise StatementFailed(text)


@dataclasses.dataclass
class TimeNamedSeries(Series):
    """A series whose first column, named otherwise, holds the time."""

    time_first: ClassVar[bool] = True


def _time_named(series: Iterable[Series], name: str) -> Iterator[Series]:
    """*series* with their time column named *name* (``SELECT time AS t``)."""
    for one in series:
        columns = [name, *one.columns[1:]] if one.columns else one.columns
        yield TimeNamedSeries(one.name, one.tags, columns, one.values, one.partial)


class EngineStatements(EngineAdminStatements):
    """InfluxQL statements on ``DuckDBBackend``, answered as influxd does."""

    def get_compiler(self, database: str | None = None) -> DuckDBCompiler:
        """A compiler that knows the tables of *database* and refuses, with
        ``ProgrammingError``, the argument and operand types influxd does."""
        compiler = super().get_compiler(database)
        db = self.resolve_database(database)
        compiler.check = query_check(lambda sources: self._tables(db, sources))
        return compiler

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
        from influxpy.influxql.grammar import statement
        from influxpy.influxql.parser import Parser

        self.check_open()
        builders = Parser(text, params).statements(statement)
        return self._built(builders, database, retention_policy, chunk_size)

    def _built(
        self,
        builders: list[Callable[[], st.Statement]],
        database: str | None,
        retention_policy: str | None,
        chunk_size: int | None,
    ) -> Iterator[StatementResult]:
        """Build and answer each statement: one its construction refuses
        (``undefined function foo()``) fails when its turn comes, after the
        statements before it have run, as influxd plans each in turn."""
        built: list[st.Statement] = []
        refusal = None
        for build in builders:
            try:
                built.append(build())
            except (CompileError, ProgrammingError) as exc:
                refusal = str(exc)
                break
        failed = False
        for result in self.run_statements(
            built,
            database=database,
            retention_policy=retention_policy,
            chunk_size=chunk_size,
        ):
            failed = failed or result.error is not None
            yield result
        if refusal is None:
            return
        yield StatementResult(len(built), (), NOT_EXECUTED if failed else refusal)
        for later in range(len(built) + 1, len(builders)):
            yield StatementResult(later, (), NOT_EXECUTED)

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
        # None: the connection's database; "" (a server request without
        # ``db``): none, so statements that need one fail as influxd's do.
        db = self.database if database is None else database
        failed = False
        running = self.running_queries()
        for index, statement in enumerate(statements):
            if failed:
                yield StatementResult(index, (), NOT_EXECUTED)
                continue
            qid = running.start(statement, db)
            try:
                for result in self._run_one(
                    index, statement, db, retention_policy, chunk_size
                ):
                    failed = failed or (result.error is not None and not result.goes_on)
                    yield result
            finally:
                running.finish(qid)

    def running_queries(self) -> RunningQueries:
        """The statements this backend is running (``SHOW QUERIES``)."""
        running = self.__dict__.get("_running_queries")
        if running is None:
            running = self.__dict__.setdefault("_running_queries", RunningQueries())
        assert isinstance(running, RunningQueries)
        return running

    def _run_one(
        self,
        index: int,
        statement: st.Statement,
        db: str | None,
        retention_policy: str | None,
        chunk_size: int | None,
    ) -> Iterator[StatementResult]:
        """The answer of one statement of ``run_statements``."""
        try:
            series: Iterable[Series] = self._answer(
                statement, db, retention_policy, chunk_size
            )
            if not chunk_size:
                # Read whole: errors become the statement's, and the
                # series can be read again.
                series = list(merge_pieces(series))
        except StatementFailed as failure:
            yield StatementResult(index, (), failure.text, goes_on=failure.goes_on)
            return
        except InterfaceError:
            raise
        except (RetentionPolicyNotFoundError, DatabaseNotFoundError) as error:
            # influxd's text, as the checks above answer it.
            yield StatementResult(index, (), error.reason or str(error))
            return
        except InfluxpyError as error:
            yield StatementResult(index, (), str(error))
            return
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
        read = _FOLDED_SHOW.get(type(statement))
        if read is not None:
            # ``true`` and ``false`` folded as influxd's index reads them.
            where = fold_literals(getattr(statement, "where", None), read)
            statement = dataclasses.replace(statement, where=where)  # type: ignore[arg-type]
        if isinstance(statement, (Delete, st.DropSeries)):
            # Folded as influxql's ``Reduce`` folds it.
            kept = deletion_where(statement.where)
            if kept is False or never_true(kept):
                return iter(())  # ``WHERE false``: nothing to delete
            statement = dataclasses.replace(statement, where=kept)
        where = getattr(statement, "where", None)
        if isinstance(where, WhereNode) and not isinstance(
            statement, (*_INDEX_READ, Delete, st.DropSeries)
        ):
            refused = index_condition_error(where)
            if refused is not None:
                raise StatementFailed(refused)
        if isinstance(statement, Delete):
            self._delete_statement(statement, self._named(database))
            return iter(())
        if isinstance(statement, st.Explain):
            return iter(self._explain_statement(statement, database, retention_policy))
        handler = getattr(self, f"_do_{statement.visit_name}", None)
        if handler is None:
            msg = f"The embedded engine does not run {type(statement).__name__}."
            raise StatementFailed(msg)
        found: list[Series] | None = handler(statement, database)
        return iter(found or ())

    # -- SELECT and DELETE ---------------------------------------------------

    def _select(
        self,
        query: Query,
        database: str | None,
        retention_policy: str | None,
        chunk_size: int | None,
    ) -> Iterator[Series]:
        query, db = self._prepared(query, database, retention_policy)
        compiled = query.compile(self.get_compiler(db))
        series = self.execute(compiled, database=db, chunk_size=chunk_size)
        name = getattr(query, "time_name", None)
        return series if name is None else _time_named(series, name)

    def _prepared(
        self, query: Query, database: str | None, retention_policy: str | None
    ) -> tuple[Query, str]:
        """*query* ready to compile, its columns resolved, and its database;
        a select list influxd refuses (``TextQuery.refusal``), a missing
        database or retention policy fails the statement."""
        _refuse_system_sources(query)
        source = query.source
        if isinstance(source, Source):
            # Of several sources, a bare name reads the statement's database.
            first = database if query.extra_sources and database else None
            database = first or source.database or database
            if source.retention_policy is None and retention_policy:
                source = dataclasses.replace(source, retention_policy=retention_policy)
                query = dataclasses.replace(query, source=source)
        db = self._existing(database)
        for named in query.measurements():
            # influxd finds every database the statement names first.
            if named.database:
                self._existing(named.database)
        refusal = _refusal(query)
        if refusal is not None:
            # Then it compiles the statement.
            raise StatementFailed(refusal)
        for other in query.sources if query.extra_sources else ():
            if isinstance(other, Source) and other.database:
                # influxd checks every policy a FROM names.
                names = [p["name"] for p in self.retention_policies(other.database)]
                if other.retention_policy and other.retention_policy not in names:
                    text = RetentionPolicyNotFoundError.server_text(
                        other.retention_policy
                    )
                    raise StatementFailed(text)
        if isinstance(source, Source) and source.retention_policy is not None:
            names = [p["name"] for p in self.retention_policies(db)]
            if source.retention_policy not in names:
                msg = RetentionPolicyNotFoundError.server_text(source.retention_policy)
                raise StatementFailed(msg)
        elif isinstance(source, Source) and db in self._state.dropped_defaults:
            # Its default policy was dropped: influxd answers with its name.
            policy = self.default_retention_policy(db)
            raise StatementFailed(RetentionPolicyNotFoundError.server_text(policy))
        query = self._resolved(query, db)
        query.check_runnable()
        refuse_argument_types(query, lambda sources: self._tables(db, sources))
        return query, db

    def _explain_statement(
        self, statement: st.Explain, database: str | None, retention_policy: str | None
    ) -> list[Series]:
        """``EXPLAIN [ANALYZE]``: the engine's plan (``explain()``) in
        influxd's shape, one row per line under ``QUERY PLAN`` (``EXPLAIN
        ANALYZE`` for a run, ending with an empty line as influxd's does)."""
        query, db = self._prepared(statement.query, database, retention_policy)
        compiled = query.compile(self.get_compiler(db))
        plan = self.explain(compiled, database=db, analyze=statement.analyze)
        lines = plan.split("\n")
        if statement.analyze:
            column = "EXPLAIN ANALYZE"
            if plan:
                lines.append("")
        else:
            column = "QUERY PLAN"
        return [Series("", {}, [column], [[line] for line in lines])]

    def _resolved(self, query: Query, database: str) -> Query:
        """*query* with each column its text left ``unknown`` made a tag or a
        field (with its type), as the tables of its measurement store it;
        a subquery's own columns are resolved from its source."""
        source = query.source
        inner: Query | Source = source
        if isinstance(source, Query):
            inner = self._resolved(source, database)
            # The outer query reads the inner one's outputs and group tags.
            kinds = self._kinds(inner, database) if not inner.select else {}
            for item in inner.select:
                name = item.output_name
                if name is not None:
                    kinds[name] = ("alias", None)
            kinds.update(
                dict.fromkeys(self._group_tags(inner, database), ("tag", None))
            )
            for key, kind in self._beside_kinds(query, database).items():
                if kinds.get(key) == ("tag", None):
                    kinds[key] = kind
        else:
            kinds = self._kinds(query, database)
        for extra in query.extra_sources:
            if isinstance(extra, Query):
                # A subquery's group tag beside the first source: a tag there
                # too.
                for key in self._group_tags(extra, database):
                    kinds.setdefault(key, ("tag", None))
        resolved: Query = _with_roles(query, kinds)
        return dataclasses.replace(resolved, source=inner)

    def _group_tags(self, query: Query, database: str) -> list[str]:
        """The tags *query* groups by, of those its measurement stores."""
        if "*" not in query.group_by and not query.group_by_patterns:
            return list(query.group_by)
        stored = self._kinds(query, database)
        return query.group_tags(
            k for k, (role, _kind) in stored.items() if role == "tag"
        )

    def _beside_kinds(
        self, query: Query, database: str
    ) -> dict[str, tuple[str, str | None]]:
        """The keys the sources after *query*'s first hold as values: a
        stored field (with its type), a subquery's column (``alias``).

        Beside them, a bare name a subquery groups by reads that value, as
        it does in their rows; the subquery's tag is ``name::tag``.
        """
        found: dict[str, tuple[str, str | None]] = {}
        for extra in query.extra_sources:
            if isinstance(extra, Query):
                for item in extra.select:
                    name = item.output_name
                    if name is not None:
                        found.setdefault(name, ("alias", None))
                continue
            for _rp, _m, columns in self._tables(extra.database or database, [extra]):
                for info in columns.values():
                    if info.role == "field":
                        found[info.key] = ("field", info.kind)
        return found

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
            for info in columns.values():
                # A key both a tag and a field is read as the field.
                if info.role == "field" or info.key not in kinds:
                    kinds[info.key] = (
                        info.role,
                        info.kind if info.role == "field" else None,
                    )
        return kinds

    def _delete_statement(self, delete: Delete, database: str) -> None:
        """``DELETE FROM m`` (or ``/re/``: every matching measurement).

        As influxd, a condition on a field refuses the whole statement
        (the text names a shard first: ``shard 2: fields not …``).
        """
        names = self._measurement_names(database, (delete.source,))
        self._refuse_field_conditions(database, delete.where, names)
        for measurement in names:
            for rp in self._policies_of(database, measurement):
                source = Source(measurement, None, rp)
                compiled = Delete(source, delete.where).compile(
                    self.get_compiler(database)
                )
                if compiled.text:
                    list(self.execute(compiled, database=database))

    def _do_kill_query(self, statement: st.KillQuery, database: str | None) -> None:
        """influxd's error for an id no statement runs under; the engine
        cannot stop a statement that runs (DuckDB reads are not interrupted
        midway), so it says so."""
        if statement.query_id in self.running_queries():
            msg = (
                f"KILL QUERY cannot stop query {statement.query_id}: the "
                "embedded engine does not interrupt a running statement."
            )
        else:
            msg = f"no such query id: {statement.query_id}"
        raise StatementFailed(msg)

    def _do_show_queries(
        self, statement: st.ShowQueries, database: str | None
    ) -> list[Series]:
        return self.running_queries().series()
