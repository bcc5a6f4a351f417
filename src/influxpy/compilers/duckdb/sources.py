"""What only InfluxQL text says, made into queries the engine compiler runs.

Before a SELECT compiles, ``SourcesMixin._prepare`` rewrites it as the
server's query rewriting does:

- ``Raw('…')`` holds an InfluxQL fragment: it is parsed as an expression
  (``influxpy.influxql``) and compiled like any other; text that is not one
  expression is refused with ``UnsupportedCompilation`` naming it.
- Columns the text left ``unknown`` become the tag or field (with its type)
  the measurement stores; a key it lacks stays unknown and reads as null.
- ``*`` beside other columns, ``*::field``, ``*::tag`` and ``/re/`` in a
  select list become the matching keys of every measurement read, sorted,
  leaving out the GROUP BY tags; ``count(/re/)`` (and ``count(*)`` over
  several measurements) one call per matching field, ``count_<key>``.
- ``GROUP BY /re/`` groups by every tag key a pattern matches.
- ``FROM a, b`` and ``FROM /re/`` read each measurement as its own query,
  every one with the columns of all of them (a key a measurement lacks is
  null there, a field another stores one without points): the plan runs
  them one after the other, by measurement name (descending with ``ORDER
  BY time DESC``), as the server orders them; with INTO, each writes its
  rows (``:MEASUREMENT`` to its own measurement).
- Measurements of other databases (``FROM db0..cpu, db1..cpu``) are read
  through the backend's catalogs (``catalogs``); the tables of one
  measurement name are read as one table (``merged``), as influxd merges them.
- A subquery beside other sources (``FROM cpu, (SELECT … FROM mem)``) is
  one more part: the outer query over it, with the columns of every source
  (``beside``).
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from influxpy.compilers.base import Compiled
from influxpy.compilers.duckdb.catalog import (
    Catalog,
    ColumnInfo,
    case_unique,
    field_column,
    find_column,
    ident,
)
from influxpy.compilers.duckdb.context import _CompilerBase
from influxpy.compilers.duckdb.merged import (
    MERGED,
    merged_mark,
    merged_table,
)
from influxpy.compilers.duckdb.plan import EmptyPlan, IntoPlan, SelectPlan
from influxpy.expressions import (
    FIELD_TYPE_ORDER,
    Col,
    ColumnPattern,
    CombinedExpression,
    Raw,
    Star,
    WhereNode,
)
from influxpy.functions import Func
from influxpy.lookups import Lookup
from influxpy.query import Query, SelectItem, Source

__all__ = ["SourcesMixin", "parse_raw"]

_Columns = Mapping[str, ColumnInfo]
#: A stored table: its catalog, retention policy, measurement and columns.
_Stored = tuple[Catalog, str, str, _Columns]
_VALUE_CASTS = frozenset({"float", "integer", "string", "boolean"})
_SQL_TYPES = {
    "float": "DOUBLE",
    "integer": "BIGINT",
    "unsigned": "UBIGINT",
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
}


def parse_raw(raw: Raw) -> Any:
    """The expression an InfluxQL fragment says; refuse any other text."""
    from influxpy.exceptions import UnsupportedCompilation
    from influxpy.influxql.nodes import to_expression
    from influxpy.influxql.parser import Parser

    try:
        parser = Parser(raw.text)
        node = parser.expr()
        if parser.peek().kind != "EOF":
            raise ValueError(raw.text)
        return to_expression(node)
    except Exception as error:
        msg = (
            f"The embedded engine (DuckDB) runs Raw() text only when it is one "
            f"InfluxQL expression it can compile; Raw({raw.text!r}) is not "
            f"({error})."
        )
        raise UnsupportedCompilation(msg, dialect="duckdb", node="Raw") from None


def _rewrite(node: Any, leaf: Callable[[Any], Any]) -> Any:
    """*node* with *leaf* applied to every expression leaf (Col, Raw), rebuilt
    only where something changed; subquery sources are left alone."""
    if isinstance(node, Col | Raw):
        return leaf(node)
    if isinstance(node, tuple):
        items = tuple(_rewrite(item, leaf) for item in node)
        return node if all(a is b for a, b in zip(items, node, strict=True)) else items
    if isinstance(node, list):
        return [_rewrite(item, leaf) for item in node]
    if isinstance(node, Func):
        source = _rewrite(node.source, leaf)
        params = _rewrite(node.params, leaf)
        if source is node.source and params is node.params:
            return node
        called = copy.copy(node)
        called.source = source
        called.params = params
        return called
    if isinstance(node, Query | WhereNode | SelectItem | Lookup | CombinedExpression):
        changes = {
            f.name: _rewrite(getattr(node, f.name), leaf)
            for f in dataclasses.fields(node)
            if f.init and f.name not in ("source", "extra_sources")
        }
        if all(changes[k] is getattr(node, k) for k in changes):
            return node
        return dataclasses.replace(node, **changes)
    return node


def _unraw(node: Any) -> Any:
    return parse_raw(node) if isinstance(node, Raw) else node


def _resolver(columns: _Columns) -> Callable[[Any], Any]:
    def leaf(node: Any) -> Any:
        found = find_column(columns, node.key) if isinstance(node, Col) else None
        if isinstance(node, Col) and node.cast in _VALUE_CASTS and found:
            stored = found[1].kind
            if stored != node.cast and {stored, node.cast} != {"float", "integer"}:
                # No conversion: the server reads no such field.
                return dataclasses.replace(node, role="unknown")
        if isinstance(node, Col) and node.role == "unknown" and found:
            info = found[1]
            dtype = info.kind if info.role == "field" else None
            return dataclasses.replace(node, role=info.role, dtype=dtype)
        return node

    return leaf


def _holding(found: dict[str, list[_Stored]]) -> dict[str, list[_Stored]]:
    """*found* without the tables holding no point, when there are several:
    influxd's index has forgotten such a measurement (its series were all
    deleted), so it types no name and lists no column of the query."""
    tables = [table for held in found.values() for table in held]
    if len(tables) < 2:
        return found
    kept: set[tuple[int, str, str]] = set()
    catalogs = {id(catalog): catalog for catalog, _rp, _m, _c in tables}
    for key, catalog in catalogs.items():
        pairs = sorted({(rp, m) for c, rp, m, _x in tables if c is catalog})
        held = catalog.holding(pairs) if catalog.holding is not None else pairs
        kept |= {(key, rp, m) for rp, m in held}
    out = {}
    for name, tables_of_name in found.items():
        left = [t for t in tables_of_name if (id(t[0]), t[1], t[2]) in kept]
        if left:
            out[name] = left
    return out


def _typed_once(tables: Sequence[tuple[Any, _Columns]]) -> dict[str, str]:
    """Each field key of *tables* and the one type it is read as in all of
    them: the first in ``FIELD_TYPE_ORDER`` of the types they store it as."""
    kinds: dict[str, str] = {}
    for _source, columns in tables:
        for info in columns.values():
            if info.role != "field" or info.kind not in FIELD_TYPE_ORDER:
                continue
            known = kinds.get(info.key, info.kind)
            kinds[info.key] = min(known, info.kind, key=FIELD_TYPE_ORDER.index)
    return kinds


def _read_as(typed: Mapping[str, str], columns: _Columns) -> Callable[[Any], Any]:
    """A leaf rewrite reading a field of *columns* stored with another type
    than the one the query reads its key as (*typed*) as a cast to that type:
    an integer as floats, any other pair as nothing (``cast_calls``, the
    raw select's casts), as influxd reads it."""
    own = {c.key: c.kind for c in columns.values() if c.role == "field"}

    def leaf(node: Any) -> Any:
        if not isinstance(node, Col) or node.cast is not None:
            return node
        if node.role not in ("field", "unknown"):
            return node
        kind, mine = typed.get(node.key), own.get(node.key)
        if kind is None or mine is None or kind == mine:
            return node
        return dataclasses.replace(node, cast=kind)

    return leaf


def _has_text_forms(query: Query) -> bool:
    """Whether *query*'s select list or GROUP BY says what only text can."""
    if query.group_by_patterns:
        return True
    for item in query.select:
        expr = item.expression
        if isinstance(expr, Star | ColumnPattern):
            return True
        if isinstance(expr, Func) and isinstance(expr.source, ColumnPattern):
            return True
    return False


class SourcesMixin(_CompilerBase):
    """Several sources, regex sources and select lists only text can say."""

    #: While a measurement of several compiles: the fields of the others.
    _padding: dict[str, dict[str, ColumnInfo]]
    #: The tables of a measurement read from several databases, by key.
    _merged: dict[str, tuple[str, dict[str, ColumnInfo]]]
    #: The catalog of another database a FROM names (the backend sets it);
    #: None: only the compiler's own database can be read.
    catalogs: Callable[[str], Catalog] | None = None

    def _catalog_of(self, database: str | None) -> Catalog:
        """The catalog of *database* (None: the statement's)."""
        if not database or database == self.catalog.database:
            return self.catalog
        if self.catalogs is None:
            what = (
                "measurements of another database than "
                f"{self.catalog.database!r} ({database!r}) beside other sources"
            )
            raise self._unsupported(what)
        return self.catalogs(database)

    #: A query over a subquery with its wildcards made columns (subqueries).
    _expanded_over: Callable[..., Query | list[Query]]
    #: Queries over the parts of a subquery of several measurements with
    #: their wildcards made the columns of them all (subqueries).
    _expanded_parts: Callable[[list[Query]], list[Query]]
    #: The rows of a query's subquery as a table and its columns (subqueries).
    _subquery_table: Callable[..., tuple[str, _Columns] | None]

    def _stored(self, query: Query) -> _Columns:
        """The columns of the table *query* reads, through any subqueries
        (none when it has none)."""
        found = self._own_table(_innermost(query))
        return found[1] if found is not None else {}

    def _tables_of(self, query: Query) -> list[tuple[Source, _Columns]]:
        """Each measurement *query* reads, in the server's order.

        Every table each source matches is read, as often as the sources
        match it (``FROM cpu, cpu`` reads its points twice); the tables of
        one measurement name (of several databases or policies, or matched
        twice) merge into one, which the part's source names by a key.
        """
        found: dict[str, list[_Stored]] = {}
        for source in query.sources:
            if not isinstance(source, Source):
                raise self._unsupported("a subquery beside other sources")
            for table in self._matching(source):
                found.setdefault(table[2], []).append(table)
        found = _holding(found)
        out = []
        for name in sorted(found, reverse=query.descending):
            tables = found[name]
            if len(tables) == 1 and tables[0][0] is self.catalog:
                out.append((Source(name, None, tables[0][1]), tables[0][3]))
                continue
            key = f"{MERGED}{len(self._merged)}"
            self._merged[key] = merged_table(tables)
            out.append((Source(name, key), self._merged[key][1]))
        return out

    def _matching(self, source: Source) -> list[_Stored]:
        """The stored tables *source* names or matches, by name."""
        catalog = self._catalog_of(source.database)
        rp = catalog.policy(source.retention_policy)
        out = []
        for (table_rp, name), columns in sorted(catalog.tables.items()):
            if table_rp != rp:
                continue
            hit = (
                re.search(source.measurement, name)
                if source.regex
                else name == source.measurement
            )
            if hit:
                out.append((catalog, rp, name, columns))
        return out

    def _prepare(self, query: Query) -> Query | list[Query]:
        """*query* as the compiler reads it: one query, or one per measurement."""
        if isinstance(query.source, Query):
            inner = self._prepare(query.source)
            if isinstance(inner, list):
                # Read per measurement, as the server reads such a subquery.
                if query.extra_sources:
                    return self._beside_subqueries(_rewrite(query, _unraw))
                outer = _rewrite(query, _unraw)
                parts = [dataclasses.replace(outer, source=part) for part in inner]
                if _has_text_forms(query):
                    parts = self._expanded_parts(parts)
                parts.sort(
                    key=lambda part: _innermost(part).measurement,
                    reverse=query.descending,
                )
                return parts
            query = dataclasses.replace(query, source=inner)
        if query.extra_sources and any(isinstance(s, Query) for s in query.sources):
            return self._beside_subqueries(_rewrite(query, _unraw))
        query = _rewrite(query, _unraw)
        several = bool(query.extra_sources) or (
            isinstance(query.source, Source) and query.source.regex
        )
        if not several and not _has_text_forms(query):
            if isinstance(query.source, Source):
                found = self._table(query.source)
                if found is not None:
                    resolved: Query = _rewrite(query, _resolver(found[1]))
                    return resolved
            return query
        if isinstance(query.source, Query):
            # Wildcards and patterns name the subquery's columns.
            return self._expanded_over(query)
        tables = self._tables_of(query)
        union: dict[str, ColumnInfo] = {}
        for _source, columns in tables:
            for info in columns.values():
                # A key can be a field in one measurement, a tag in another:
                # wildcards list both (a field under its own column name).
                name = field_column(info.key) if info.role == "field" else info.key
                union.setdefault(name, info)
        select = self._expand(query, union, several, bool(query.group_by_patterns))
        if not select:
            # Wildcards that match nothing select nothing (not ``*``).
            return []
        group_by = list(query.group_by)
        if several and "*" in group_by:
            # Every tag key of every measurement read.
            group_by.remove("*")
            group_by += [
                k
                for k, c in sorted(union.items())
                if c.role == "tag" and k not in group_by
            ]
        for pattern in query.group_by_patterns:
            group_by += [
                k
                for k, c in sorted(union.items())
                if c.role == "tag" and re.search(pattern, k) and k not in group_by
            ]
        query = dataclasses.replace(
            query,
            group_by=tuple(group_by),
            group_by_patterns=(),
            select=tuple(select),
        )
        fields = {k: c for k, c in union.items() if c.role == "field"}
        typed = _typed_once(tables) if several else {}
        parts = []
        for source, columns in tables:
            part = dataclasses.replace(query, source=source, extra_sources=())
            # A bare name is a field if any measurement holds it as one, else
            # a tag if any holds it as one (the server types a name once for
            # every source: a call over a tag another measurement has reads
            # no points here, and fill() fills it).
            own = {
                field_column(c.key): c for c in columns.values() if c.role == "field"
            }
            seen = {**union, **fields, **columns, **own} if several else columns
            if typed:
                part = _rewrite(part, _read_as(typed, columns))
            parts.append(_rewrite(part, _resolver(seen)))
        if not several:
            return parts[0] if parts else query
        return parts

    def _beside_subqueries(self, query: Query) -> list[Query]:
        """Defined in ``beside``."""
        raise NotImplementedError

    def _expand(
        self,
        query: Query,
        union: dict[str, ColumnInfo],
        several: bool,
        patterns: bool,
    ) -> list[SelectItem]:
        """The select list with wildcards and patterns made columns."""
        excluded = set(query.group_by)
        if "*" in query.group_by or patterns:
            # With GROUP BY /re/ the server leaves every tag out of them.
            excluded |= {k for k, c in union.items() if c.role == "tag"}
        items = list(query.select)
        if not items and (several or patterns):
            items = [SelectItem(Star())]
        out: list[SelectItem] = []
        for item in items:
            expr = item.expression
            if isinstance(expr, Star | ColumnPattern):
                out += [
                    SelectItem(_listed(c))
                    for k, c in sorted(union.items(), key=_by_key)
                    if _matches(expr, c.key, c)
                    and c.listed
                    and (c.role == "field" or k not in excluded)
                ]
                continue
            source = expr.source if isinstance(expr, Func) else None
            if isinstance(source, ColumnPattern) or (
                several and isinstance(source, Star)
            ):
                assert isinstance(expr, Func)
                prefix = item.alias or expr.name.lower()
                for _column, c in sorted(union.items(), key=_by_key):
                    key = c.key
                    if (
                        c.role != "field"
                        or c.tagged
                        or not c.listed
                        or not _matches(source, key, c)
                    ):
                        continue
                    if (
                        expr.numeric
                        and c.kind not in self._NUMERIC
                        and not expr._takes_type(c.kind)
                    ):
                        continue
                    call = expr._copy(Col(key, "field", c.kind, key))
                    out.append(SelectItem(call, f"{prefix}_{key}"))
                continue
            out.append(item)
        return out

    def _table(self, source: Source) -> tuple[str, _Columns] | None:
        """The table of *source*; read beside other measurements, with the
        fields only those have as null columns: the server reads such a
        field as one without points there (filled windows). A wildcard
        leaves them out (``*`` of a subquery reads its measurement alone)."""
        found = self._own_table(source)
        padding = self._padding.get(source.measurement) if found else None
        if found is None or not padding:
            return found
        table, columns = found
        # ``v`` of another measurement beside this one's ``V``: one name to
        # DuckDB, so the null column is named apart.
        named: dict[str, ColumnInfo] = {}
        for key, info in sorted(padding.items()):
            column = case_unique(key, [*columns, *named])
            named[column] = dataclasses.replace(info, listed=False)
        nulls = ", ".join(
            f"CAST(NULL AS {_SQL_TYPES.get(info.kind, 'VARCHAR')}) AS {ident(column)}"
            for column, info in named.items()
        )
        # A merged table stays one (its rows' order is read from it).
        start = merged_mark(table) or "("
        return f"{start}SELECT *, {nulls} FROM {table})", {**columns, **named}

    def _own_table(self, source: Source) -> tuple[str, _Columns] | None:
        """The stored table of *source*, or the tables merged under its key."""
        database = source.database
        if database and database in self._merged:
            return self._merged[database]
        if database and database != self.catalog.database and self.catalogs:
            # Another database's measurement, read beside the statement's.
            catalog = self.catalogs(database)
            rp = catalog.policy(source.retention_policy)
            columns = catalog.tables.get((rp, source.measurement))
            if columns is None:
                return None
            return merged_table([(catalog, rp, source.measurement, columns)])
        return super()._table(source)

    def _compile_parts(self, query: Query, parts: list[Query]) -> Compiled:
        """One compiled query per measurement, run one after the other."""
        fields = {
            info.key: info
            for part in parts
            for info in self._stored(part).values()
            if info.role == "field"
        }
        compiled = []
        for part in parts:
            name = _innermost(part).measurement
            stored = self._stored(part)
            missing = {
                # A key this measurement holds as a tag: the field's own name.
                (field_column(k) if k in stored else k): i
                for k, i in fields.items()
                if not any(c.key == k and c.role == "field" for c in stored.values())
            }
            self._padding[name] = missing
            try:
                compiled.append(self._compile_query(part))
            finally:
                del self._padding[name]
        if query.into is not None:
            target = query.into
            into = IntoPlan(
                target.measurement,
                target.database,
                target.retention_policy,
                parts=tuple(c for c in compiled if c.text),
            )
            return Compiled("", writes=True, plan=into)
        runs = tuple(c for c in compiled if not isinstance(c.plan, EmptyPlan))
        if not runs:
            return Compiled("", plan=EmptyPlan())
        first = runs[0].plan
        assert isinstance(first, SelectPlan)
        plan = dataclasses.replace(first, stream=None, parts=runs, bindings=())
        return Compiled("", plan=plan)

    def _compile_query(self, query: Query) -> Compiled:
        """Defined in ``compiler``."""
        raise NotImplementedError


def _by_key(item: tuple[str, ColumnInfo]) -> tuple[str, bool]:
    """Wildcards list keys in order, a field before a tag of the same key."""
    return item[1].key, item[1].role == "tag"


def _listed(info: ColumnInfo) -> Col:
    """The column a wildcard lists for *info*: a subquery's column of a
    tag's values as a tag, which a measurement beside it reads as its own
    tag of that key (influxd types the column a tag)."""
    if info.role == "field" and not info.tagged:
        return Col(info.key, "field", info.kind)
    return Col(info.key, "tag")


def _matches(pattern: Star | ColumnPattern, key: str, info: ColumnInfo) -> bool:
    if isinstance(pattern, ColumnPattern):
        return re.search(pattern.pattern, key) is not None
    tag = info.role == "tag" or info.tagged
    if pattern.cast == "field":
        return not tag
    if pattern.cast == "tag":
        return tag
    return True


def _innermost(query: Query) -> Source:
    """The measurement *query* reads, through any subqueries."""
    source = query.source
    while isinstance(source, Query):
        source = source.source
    return source
