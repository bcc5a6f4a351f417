"""Parsed InfluxQL SELECT statements to the query representation.

``build_query`` assembles a ``Query`` (a ``TextQuery`` carrying what only
text says) from the parser's clauses, as a QuerySet would build it without
a model: the select list through ``nodes`` (names, literals, functions),
the WHERE clause through ``conditions`` (lookups, ``WhereNode`` trees,
time), GROUP BY, fill, ordering, limits and sources (subqueries built in
turn), checked as influxd compiles the statement.
"""

from __future__ import annotations

import contextvars
import dataclasses
from functools import partial
from typing import Any

from influxpy.durations import Duration
from influxpy.exceptions import CompileError, UnsupportedCompilation
from influxpy.expressions import (
    Col,
    Now,
)
from influxpy.influxql.compile_stage import compile_error
from influxpy.influxql.conditions import (
    where_of,
)
from influxpy.influxql.nodes import (
    describe,
    to_expression,
    unsupported,
)
from influxpy.influxql.parser import Call, Lit, Ref, Rx, Wild
from influxpy.influxql.reduce import reduced_field
from influxpy.query import Fill, GroupByTime, Query, SelectItem, Source

__all__ = ["TextQuery", "build_query"]


@dataclasses.dataclass(frozen=True, eq=False)
class TextQuery(Query):
    """A SELECT read from text that carries what the representation does
    not: ``time_name``, the name of its time column (``SELECT time AS t,
    v``: influxd names the first column after it), and ``refusal``, the
    error influxd gives the statement when it compiles it (``mixing
    aggregate and non-aggregate queries is not supported``), which the
    engine answers when the statement runs."""

    time_name: str | None = None
    refusal: str | None = None

    def __eq__(self, other: object) -> bool:
        """Equal to a ``Query`` with the same clauses and time column name
        (the refusal follows from the clauses)."""
        if not isinstance(other, Query):
            return NotImplemented
        same = all(
            getattr(self, f.name) == getattr(other, f.name)
            for f in dataclasses.fields(Query)
        )
        return same and self.time_name == getattr(other, "time_name", None)

    __hash__ = Query.__hash__


def without_time(
    fields: list[tuple[Any, str | None]],
) -> tuple[list[tuple[Any, str | None]], str | None]:
    """*fields* without the bare ``time`` names influxd removes, and the
    alias of the last one removed (influxd names the time column after it).

    influxd's loop removing them steps past the field after each one it
    removes, so of two ``time`` names in a row the second stays in the list
    and answers null (``SELECT time AS t, time AS u, v`` has columns ``t``,
    ``u`` (null) and ``v``)."""
    kept: list[tuple[Any, str | None]] = []
    alias: str | None = None
    skip = False
    for node, name in fields:
        if skip:
            skip = False
            kept.append((node, name))
            continue
        if isinstance(node, Ref) and node.name == "time":
            alias = name
            skip = True
            continue
        kept.append((node, name))
    if all(_is_time(node) for node, _ in kept):
        msg = "at least 1 non-time field must be queried"
        raise CompileError(msg)
    return kept, alias


def _is_time(node: Any) -> bool:
    """Whether *node* is a bare ``time`` name."""
    return isinstance(node, Ref) and node.name == "time"


def _check_subquery_order(sources: list[Any], descending: bool) -> None:
    """Refuse, as influxd does, a subquery (at any depth) whose ORDER BY runs
    against the direction of the query around it; a subquery without ORDER
    BY takes that direction."""
    for parsed in sources:
        if isinstance(parsed, tuple):
            continue
        _fields, _into, inner, *_rest = parsed.args
        order = parsed.args[5]
        if order is not None and bool(order) != descending:
            msg = "subqueries must be ordered in the same direction as the query itself"
            raise CompileError(msg)
        _check_subquery_order(inner, descending if order is None else bool(order))


#: Whether the statement being built is refused (a subquery is built
#: as far as it can be, as the statement around it is).
_REFUSED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "influxql_refused", default=False
)
#: Whether a subquery is being built (its order was checked from the top).
_IN_SUBQUERY: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "influxql_in_subquery", default=False
)


def _source(parsed: Any) -> Source | Query:
    if not isinstance(parsed, tuple):
        token = _IN_SUBQUERY.set(True)
        try:
            query: Query = parsed()  # a subquery, built when its statement is
        finally:
            _IN_SUBQUERY.reset(token)
        return query
    database, rp, name, regex = parsed
    return Source(name, database, rp, regex)


def _dimensions(
    dims: list[Any],
) -> tuple[GroupByTime | None, tuple[str, ...], tuple[str, ...]]:
    windows = None
    tags: list[str] = []
    patterns: list[str] = []
    for dim in dims:
        if isinstance(dim, Call) and dim.name == "time":
            windows = _group_by_time(dim)
        elif isinstance(dim, Ref):
            tags.append(dim.name)
        elif isinstance(dim, Wild):
            tags.append("*")
        elif isinstance(dim, Rx):
            patterns.append(dim.pattern)
        else:
            msg = f"GROUP BY {describe(dim)}"
            raise unsupported(msg)
    return windows, tuple(tags), tuple(patterns)


def _group_by_time(dim: Call) -> GroupByTime:
    if not 1 <= len(dim.args) <= 2:
        msg = "time dimension expected 1 or 2 arguments"
        raise CompileError(msg)
    interval = dim.args[0]
    if not isinstance(interval, Lit) or interval.kind != "duration":
        msg = "time dimension must have duration argument"
        raise CompileError(msg)
    offset: Duration | Now | None = None
    if len(dim.args) == 2:
        arg = dim.args[1]
        if isinstance(arg, Call) and arg.name == "now" and not arg.args:
            offset = Now()
        elif isinstance(arg, Lit) and arg.kind == "duration":
            offset = arg.value
        else:
            msg = "time dimension offset must be duration or now()"
            raise CompileError(msg)
    return GroupByTime(interval.value, offset)


def _select_item(node: Any, alias: str | None) -> SelectItem:
    """One select-list item; a ``time`` name influxd left in the list (see
    ``without_time``) reads as a field of that name, which no point has."""
    if isinstance(node, Ref) and node.name == "time" and node.cast is None:
        return SelectItem(Col("time", "field"), alias or "time")
    return SelectItem(to_expression(node), alias)


def build_query(
    fields: list[tuple[Any, str | None]],
    into: Any,
    sources: list[Any],
    where: Any,
    dims: list[Any],
    fill: Any,
    descending: bool | None,
    limits: tuple[int | None, int | None, int | None, int | None],
    timezone: str | None,
    *,
    pending: Any = None,
) -> Query:
    """A ``Query`` from the clauses of a parsed SELECT (*pending*, the
    parsed statement, is compiled as influxd compiles it: its error, and
    its subqueries', is the query's ``refusal``)."""
    refusal = None
    inherited = any(not isinstance(s, tuple) for s in sources)
    condition: Any = None
    outermost = pending is not None and not _IN_SUBQUERY.get()
    try:
        condition = where_of(where, timezone, stored=not inherited)
    except CompileError as exc:
        if isinstance(exc, UnsupportedCompilation) or (
            not outermost and not _REFUSED.get()
        ):
            # What the engine cannot represent is said at once.
            raise
        # influxd reads the condition first when it compiles the statement
        # (a subquery's after the statement around it).
        refusal = str(exc) if outermost else None
    if outermost:
        _check_subquery_order(sources, bool(descending))
        refusal = refusal or compile_error(pending)
    # A refused statement is built as far as it can be: its refusal is its
    # answer, given once the databases it names are found (as influxd
    # checks them before it compiles).
    lenient = refusal is not None or _REFUSED.get()
    fields = [(reduced_field(node), alias) for node, alias in fields]
    try:
        fields, time_name = without_time(fields)
    except CompileError:
        if not lenient:
            raise
        fields, time_name = [(Wild(None), None)], None
    windows_given = any(isinstance(d, Call) and d.name == "time" for d in dims)
    if not windows_given:
        # influxd ignores fill() without GROUP BY time (also over a windowed
        # subquery).
        fill = None
    if len(fields) == 1 and fields[0] == (Wild(None), None):
        select: tuple[SelectItem, ...] = ()
    else:
        try:
            select = tuple(_select_item(n, alias) for n, alias in fields)
        except CompileError:
            if not lenient:
                raise
            select = ()
    token = _REFUSED.set(lenient)
    try:
        first, *more = (_source(s) for s in sources)
    except CompileError as exc:
        if not outermost or isinstance(exc, UnsupportedCompilation):
            raise
        # A subquery's condition influxd refuses: the statement's answer,
        # after the databases are found.
        refusal, lenient = str(exc), True
        _REFUSED.set(True)
        first, *more = (_source(s) for s in sources)
    finally:
        _REFUSED.reset(token)
    try:
        windows, tags, patterns = _dimensions(dims)
    except CompileError:
        if not lenient:
            raise
        windows, tags, patterns = None, (), ()
    filling = None
    if fill is not None:
        filling = Fill(fill) if isinstance(fill, str) else Fill("value", fill)
    limit, offset, series_limit, series_offset = limits
    cls: Any = Query
    if time_name is not None or refusal is not None:
        cls = partial(TextQuery, time_name=time_name, refusal=refusal)
    query: Query = cls(
        source=first,
        select=select,
        where=condition,
        group_by_time=windows,
        group_by=tags,
        fill=filling,
        descending=bool(descending),
        # LIMIT 0 and SLIMIT 0 mean no limit to InfluxDB; SOFFSET without
        # SLIMIT keeps no series there (series_limit 0 says so).
        limit=limit or None,
        offset=offset,
        series_limit=series_limit or (0 if series_offset else None),
        series_offset=series_offset,
        timezone=timezone,
        into=Source(into[2], into[0], into[1]) if into is not None else None,
        extra_sources=tuple(more),
        group_by_patterns=patterns,
    )
    return query
