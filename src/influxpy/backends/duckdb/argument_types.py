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

A subquery's columns are typed as influxd types them (``operand_types``).
A subquery's own calls are checked too, before the outer query's, unless
influxd builds nothing of it (``subquery_types.built_subqueries``); where
it builds none, it answers no rows.

Arithmetic in the select list is typed the same way before the query runs
(influxql's ``TypeValuerEval``): ``v * 2`` where ``v`` is only a tag,
``s + 1`` of a string field, ``mean(f) + max(t1)`` fail the statement with
``type error: v::tag * 2: incompatible types: tag and integer`` (the first
operation, left to right and innermost first, whose operands are not both
numbers). A name the sources do not hold has no type and passes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from influxpy.backends.duckdb.operand_types import (
    Tables,
    Types,
    arguments,
    field_kinds,
    is_math,
    operand_type,
    outer_calls,
)
from influxpy.backends.duckdb.show import StatementFailed
from influxpy.backends.duckdb.subquery_types import (
    built_subqueries,
    places,
    read_kind,
)
from influxpy.compilers.duckdb.subquery_casts import fixed_type
from influxpy.exceptions import ProgrammingError
from influxpy.expressions import Col, CombinedExpression, Expression
from influxpy.function_specs import FUNCTIONS
from influxpy.functions import Func
from influxpy.query import Query

__all__ = [
    "query_check",
    "refuse_argument_types",
    "refuse_operand_types",
    "unsupported_iterator",
]


def unsupported_iterator(function: str, kind: str) -> str:
    """influxd's error for *function*'s iterator over a *kind* field."""
    return f"unsupported {function} iterator type: *query.{kind}InterruptIterator"


def refuse_argument_types(query: Query, tables: Tables) -> None:
    """Fail the statement as influxd does when its arithmetic mixes types
    (``refuse_operand_types``: the outer query's, as influxd types only
    that before it runs), or when a function of *query* or of a subquery
    (checked first) reads a field of a type its
    ``FunctionSpec.refused_types`` names."""
    refuse_operand_types(query, tables)
    _refuse_call_types(query, tables)


def _refuse_call_types(query: Query, tables: Tables) -> bool:
    """The function part of ``refuse_argument_types``, subqueries first;
    True when influxd runs nothing of *query* (``built_subqueries``)."""
    built = built_subqueries(query, tables)
    if built is not None and not built:
        return True
    for source in (query.source, *query.extra_sources):
        if isinstance(source, Query) and (built is None or _among(source, built)):
            _refuse_call_types(source, tables)
    reads = [read for item in query.select for read in _call_reads(item.expression)]
    if not reads:
        return False
    kinds = field_kinds(query, tables)
    source = query.source
    where = (
        places(source, kinds, tables)
        if isinstance(source, Query) and not query.extra_sources
        else None
    )
    for call, column, fixed in reads:
        spec = call.spec or FUNCTIONS.get(call.name.lower())
        if spec is None or not spec.refused_types:
            continue
        if where is None:
            kind = _read_kind(column, kinds.get(column.key))
        else:
            kind = read_kind(column, kinds.get(column.key), where, fixed)
        if kind in spec.refused_types:
            raise StatementFailed(unsupported_iterator(spec.iterator, kind))
    return False


def _among(subquery: Query, built: list[Query]) -> bool:
    return any(subquery is other for other in built)


def _call_reads(node: Any, fixed: bool = False) -> Iterable[tuple[Func, Col, bool]]:
    """The calls of an expression that read a name, with the name and
    whether a call on the way to it has a type of its own (``fixed_type``;
    a math function, evaluated row by row, is not a call here)."""
    if isinstance(node, CombinedExpression):
        yield from _call_reads(node.lhs, fixed)
        yield from _call_reads(node.rhs, fixed)
    elif isinstance(node, Func):
        if is_math(node):
            yield from _call_reads(node.source, fixed)
            return
        fixed = fixed or fixed_type(node)
        if isinstance(node.source, Col):
            yield node, node.source, fixed
        else:
            yield from _call_reads(node.source, fixed)


def _read_kind(column: Col, kind: str | None) -> str | None:
    """The type of the values a call reads through *column* of a stored
    measurement (``kind``: the type of its key), or of a subquery whose
    names are not known here; None where it reads no values: a cast to
    another type than the field's (numbers convert, left to the engine)."""
    cast = column.cast
    if cast in (None, "field"):
        return "string" if kind == "tag" else kind
    if cast == "string" and kind == "string":
        return kind
    return None


def _raw_columns(node: Any) -> bool:
    """Whether an expression reads a column outside any call."""
    if isinstance(node, Col):
        return node.role != "time"
    if isinstance(node, Func) and is_math(node):
        return any(_raw_columns(arg) for arg in arguments(node))
    if isinstance(node, CombinedExpression):
        return _raw_columns(node.lhs) or _raw_columns(node.rhs)
    return False


def _compile_fails_first(query: Query) -> bool:
    """Whether influxd refuses the select list before typing it: raw
    columns beside calls other than one selector (``mixing aggregate and
    non-aggregate queries``), or DISTINCT beside anything."""
    expressions = [item.expression for item in query.select]
    calls = [call for e in expressions for call in outer_calls(e)]
    if any(call.name.lower() == "distinct" for call in calls):
        # Arithmetic of a lone DISTINCT is typed; beside anything it is not.
        return len(calls) > 1 or len(expressions) > 1 or _raw_columns(expressions[0])
    if not calls or not any(_raw_columns(e) for e in expressions):
        return False
    spec = calls[0].spec or FUNCTIONS.get(calls[0].name.lower())
    return len(calls) > 1 or spec is None or spec.kind != "selector"


def refuse_operand_types(query: Query, tables: Tables) -> None:
    """Fail the statement as influxd does when arithmetic in *query*'s
    select list has an operand that is not a number (a tag, a string, a
    boolean) beside a typed one."""
    items = [
        item.expression
        for item in query.select
        if isinstance(item.expression, Expression)
        and any(isinstance(n, CombinedExpression) for n in item.expression.walk())
    ]
    if not items or _compile_fails_first(query):
        return
    types = Types.of(query, tables)
    for expression in items:
        operand_type(expression, types)


def query_check(tables: Tables) -> Callable[[Query], bool]:
    """The compiler's ``check``: what ``refuse_argument_types`` refuses
    raises ``ProgrammingError``, as the HTTP backend raises for the server's
    answer to the same query; True when influxd runs nothing of the query
    and answers no rows (``built_subqueries``)."""

    def check(query: Query) -> bool:
        try:
            refuse_operand_types(query, tables)
            nothing = _refuse_call_types(query, tables)
        except StatementFailed as failure:
            msg = f"The embedded engine rejected the query: {failure.text}."
            raise ProgrammingError(msg) from None
        return query.into is None and nothing

    return check
