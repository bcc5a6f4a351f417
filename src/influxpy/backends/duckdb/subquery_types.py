"""What influxd 1.6.7 builds of a subquery, and how a call reads its names.

influxd builds an iterator for each call of the outer query whose type it
knows (its function's result type, else its argument's; ``operand_types``)
and skips the others; a raw select is read when one of its names has a
type. A call reading a name the subquery holds builds the subquery, and
with it the subquery's own calls, whose refused types then fail the
statement. Where nothing is built (``built_subqueries``: ``SELECT max(m) FROM
(SELECT max(s) * 1 AS m FROM cpu)``, ``m`` of no type; ``SELECT
count(nothere) FROM (…)``) the answer is no rows and no error, whatever the
subquery would refuse; ``SELECT count(m) FROM (…)`` builds it.

``places`` says where each name the subquery holds is (a column, a column
of a tag's values, a tag: ``compilers.duckdb.subquery_casts``), and
``read_kind`` the type of the values a call reads through it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from influxpy.backends.duckdb.operand_types import (
    Tables,
    Types,
    field_kinds,
    outer_calls,
    tag_keys,
    type_or_none,
)
from influxpy.compilers.duckdb.subquery_casts import (
    COLUMN,
    NOTHING,
    TAG,
    TAGGED,
    TEXT,
    call_read,
)
from influxpy.expressions import Col, ColumnPattern, Star
from influxpy.functions import Func
from influxpy.query import Query

__all__ = ["built_subqueries", "held_names", "places", "read_kind"]


def held_names(query: Query, tables: Tables) -> set[str] | None:
    """The names a subquery *query* holds for the query over it: its
    columns and the tags it groups by; None when a ``*`` or a pattern in
    its select list leaves them unknown here."""
    held: set[str] = set()
    for item in query.select:
        if any(isinstance(n, Star | ColumnPattern) for n in item.expression.walk()):
            return None
        if item.output_name is not None:
            held.add(item.output_name)
        expression = item.expression
        if isinstance(expression, Func):
            # TOP/BOTTOM(x, tag, N) hold a column of each tag they name.
            held.update(p.key for p in expression.params if isinstance(p, Col))
    if not query.select:
        return None
    if isinstance(query.source, Query) and (
        "*" in query.group_by or query.group_by_patterns
    ):
        return None  # the tags of a nested subquery: not known here
    return held | set(query.group_tags(tag_keys(query, tables)))


def built_subqueries(query: Query, tables: Tables) -> list[Query] | None:
    """The subqueries among *query*'s sources (all subqueries) that influxd
    builds: those a call of a known type reads a name of (a raw select
    builds them all when a name it reads has a type in one of them). None
    where this is not known here (a measurement among the sources, a
    ``*``): every one is built. A subquery not built runs nothing, so
    none of its errors; where none is, the answer is no rows."""
    sources = [query.source, *query.extra_sources]
    subqueries = [s for s in sources if isinstance(s, Query)]
    if len(subqueries) < len(sources) or not query.select:
        return None
    nodes = [node for item in query.select for node in item.expression.walk()]
    if any(isinstance(node, Star | ColumnPattern) for node in nodes):
        return None
    holds: list[set[str]] = []
    kinds: dict[str, str] = {}
    for subquery in subqueries:
        names = held_names(subquery, tables)
        if names is None:
            return None
        holds.append(names)
        alone = dataclasses.replace(query, source=subquery, extra_sources=())
        for key, kind in field_kinds(alone, tables).items():
            kinds.setdefault(key, kind)
    types = Types(kinds, set())
    calls = [call for item in query.select for call in outer_calls(item.expression)]
    if not calls:
        read = [n for n in nodes if isinstance(n, Col) and n.role != "time"]
        typed = any(types.of_column(n) is not None for n in read)
        return subqueries if typed else []
    keys = {
        n.key
        for call in calls
        if type_or_none(call, types) is not None  # influxd skips the others
        for n in call.walk()
        if isinstance(n, Col)
    }
    return [s for s, held in zip(subqueries, holds, strict=True) if keys & held]


def places(
    query: Query, kinds: Mapping[str, str], tables: Tables
) -> dict[str, str] | None:
    """Where each name a subquery *query* holds is (``subquery_casts``):
    its columns first (``TAGGED`` where *kinds*, the types outside it, say
    a tag), then the tags TOP/BOTTOM name, then its group tags; None when
    ``held_names`` cannot know them."""
    held = held_names(query, tables)
    if held is None:
        return None
    found: dict[str, str] = {}
    for item in query.select:
        name = item.output_name
        if name is not None and name not in found:
            found[name] = TAGGED if kinds.get(name) == "tag" else COLUMN
    for name in held:
        found.setdefault(name, TAG)
    return found


def read_kind(
    column: Col, kind: str | None, where: Mapping[str, str], fixed: bool
) -> str | None:
    """The type of the iterator a call reads a subquery's name through
    (``subquery_casts.call_read``): a tag's text is a string, a cast of a
    column names the type (its values converted or none), no cast the
    column's type (*kind*); None where it reads nothing. *where*: the
    ``places`` of the subquery's names; *fixed*: a call on the way has a
    type of its own."""
    place = where.get(column.key)
    if place is None:
        return None
    read = call_read(column.cast, place, fixed=fixed)
    if read == TEXT:
        return "string"
    if read == NOTHING:
        return None
    if read is None:
        return "string" if kind == "tag" else kind
    return read
