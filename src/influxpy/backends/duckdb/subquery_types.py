"""What influxd 1.6.7 builds of a subquery, and how a call reads its names.

influxd builds an iterator for each call of the outer query whose type it
knows (its function's result type, else its argument's; ``operand_types``)
and skips the others; a raw select is read when one of its names has a
type. A call reading a name the subquery holds builds the subquery, and
with it the subquery's own calls, whose refused types then fail the
statement. Where nothing is built (``runs_nothing``: ``SELECT max(m) FROM
(SELECT max(s) * 1 AS m FROM cpu)``, ``m`` of no type; ``SELECT
count(nothere) FROM (…)``) the answer is no rows and no error, whatever the
subquery would refuse; ``SELECT count(m) FROM (…)`` builds it.

``places`` says where each name the subquery holds is (a column, a column
of a tag's values, a tag: ``compilers.duckdb.subquery_casts``), and
``read_kind`` the type of the values a call reads through it.
"""

from __future__ import annotations

from collections.abc import Mapping

from influxpy.backends.duckdb.operand_types import (
    Tables,
    Types,
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

__all__ = ["held_names", "places", "read_kind", "runs_nothing"]


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


def runs_nothing(query: Query, tables: Tables) -> bool:
    """Whether influxd builds nothing of *query*'s subquery: no call of a
    known type reads a name it holds (a raw select: no name read has a
    type). It then answers no rows, and none of the subquery's errors."""
    source = query.source
    if not isinstance(source, Query) or query.extra_sources or not query.select:
        return False
    nodes = [node for item in query.select for node in item.expression.walk()]
    if any(isinstance(node, Star | ColumnPattern) for node in nodes):
        return False
    held = held_names(source, tables)
    if held is None:
        return False
    types = Types.of(query, tables)
    calls = [call for item in query.select for call in outer_calls(item.expression)]
    if not calls:
        names = [n for n in nodes if isinstance(n, Col) and n.role != "time"]
        return bool(names) and all(types.of_column(n) is None for n in names)
    for call in calls:
        if type_or_none(call, types) is None:
            continue  # influxd skips a call of no type
        if any(isinstance(n, Col) and n.key in held for n in call.walk()):
            return False
    return True


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
