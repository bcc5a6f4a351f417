"""The field types influxd 1.6.7 refuses as a function's argument.

``MEAN(s)`` of a string field, ``SUM(b)`` of a boolean one, ``MAX(s)``:
influxd fails the statement with ``unsupported mean iterator type:
*query.stringInterruptIterator`` (the function's ``iterator`` name and the
field's type, from ``influxpy.function_specs``), whether or not a point
falls in the time range, also inside a transformation (``HOLT_WINTERS(
MEAN(s), …)``) or over a subquery's column. ``refuse_argument_types``
raises that error before the engine compiles the query; a field cast
(``s::float``) is left to the engine, which reads nothing, as influxd.

When several calls are refused, influxd names one of them in no fixed
order; the first in the SELECT list is named here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from influxpy.backends.duckdb.show import StatementFailed
from influxpy.expressions import Col
from influxpy.function_specs import FUNCTIONS
from influxpy.functions import Func
from influxpy.query import Query, Source

__all__ = ["refuse_argument_types", "unsupported_iterator"]

#: The tables of some sources: ``(rp, measurement, columns)`` each, the
#: columns mapping a key to its catalog entry (``role``, ``kind``).
Tables = Callable[[Sequence[Source]], Iterable[tuple[str, str, Mapping[str, Any]]]]


def unsupported_iterator(function: str, kind: str) -> str:
    """influxd's error for *function*'s iterator over a *kind* field."""
    return f"unsupported {function} iterator type: *query.{kind}InterruptIterator"


def _field_kinds(query: Query, tables: Tables) -> dict[str, str]:
    """The type of each field *query* reads, by key (a subquery's columns
    that pass a field through keep its type)."""
    source = query.source
    if isinstance(source, Query):
        inner = _field_kinds(source, tables)
        kinds: dict[str, str] = {}
        for item in source.select:
            expression = item.expression
            if isinstance(expression, Col) and expression.cast is None:
                kind = inner.get(expression.key)
                if kind is not None:
                    kinds[item.alias or expression.key] = kind
        return kinds
    sources = [s for s in (source, *query.extra_sources) if isinstance(s, Source)]
    kinds = {}
    for _rp, _m, columns in tables(sources):
        for info in columns.values():
            if info.role == "field":
                kinds.setdefault(info.key, info.kind)
    return kinds


def refuse_argument_types(query: Query, tables: Tables) -> None:
    """Fail the statement as influxd does when a function of *query* reads
    a field of a type its ``FunctionSpec.refused_types`` names."""
    calls = [
        node
        for item in query.select
        for node in item.expression.walk()
        if isinstance(node, Func) and isinstance(node.source, Col)
    ]
    if not calls:
        return
    kinds: dict[str, str] | None = None
    for call in calls:
        spec = call.spec or FUNCTIONS.get(call.name.lower())
        column = call.source
        if (
            not isinstance(column, Col)
            or spec is None
            or not spec.refused_types
            or column.cast is not None
        ):
            continue
        if column.role not in ("field", "unknown", "alias"):
            continue
        if kinds is None:
            kinds = _field_kinds(query, tables)
        kind = kinds.get(column.key)
        if kind in spec.refused_types:
            raise StatementFailed(unsupported_iterator(spec.iterator, kind))
