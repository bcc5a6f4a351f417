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

A subquery's columns are typed as influxd types them: a call's column by
the call's result type, else its argument's (``last(s)`` a string,
``max(host)`` of a tag a tag, read as text), its group tags and its
columns of a tag's values as tags (text to a call, ``host::tag`` in a type
error). A subquery's own calls are checked too, before the outer query's,
unless the outer query reads nothing the subquery holds, or only its
arithmetic that cannot be typed: influxd then runs nothing of it and
answers no rows (``reads_only_untyped``).

Arithmetic in the select list is typed the same way before the query runs
(influxql's ``TypeValuerEval``): ``v * 2`` where ``v`` is only a tag,
``s + 1`` of a string field, ``mean(f) + max(t1)`` fail the statement with
``type error: v::tag * 2: incompatible types: tag and integer`` (the first
operation, left to right and innermost first, whose operands are not both
numbers). A name the sources do not hold has no type and passes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from influxpy.backends.duckdb.show import StatementFailed
from influxpy.compilers.duckdb.scalars import literal_kind
from influxpy.compilers.duckdb.subquery_casts import (
    COLUMN,
    NOTHING,
    TAG,
    TAGGED,
    TEXT,
    call_read,
    fixed_type,
)
from influxpy.exceptions import ProgrammingError
from influxpy.expressions import (
    BITWISE,
    Col,
    ColumnPattern,
    CombinedExpression,
    Expression,
    Star,
    Value,
)
from influxpy.function_specs import FUNCTIONS
from influxpy.functions import Func
from influxpy.influxql.canonical import quote_identifier
from influxpy.query import Query, Source

__all__ = [
    "query_check",
    "reads_only_untyped",
    "refuse_argument_types",
    "refuse_operand_types",
    "unsupported_iterator",
]

#: The tables of some sources: ``(rp, measurement, columns)`` each, the
#: columns mapping a key to its catalog entry (``role``, ``kind``).
Tables = Callable[[Sequence[Source]], Iterable[tuple[str, str, Mapping[str, Any]]]]


def unsupported_iterator(function: str, kind: str) -> str:
    """influxd's error for *function*'s iterator over a *kind* field."""
    return f"unsupported {function} iterator type: *query.{kind}InterruptIterator"


def _field_kinds(query: Query, tables: Tables) -> dict[str, str]:
    """The type of each field *query* reads, by key (a subquery's columns
    that pass a field through keep its type; a call's column over a text, a
    boolean or a tag is typed as influxd types it: ``last(s)`` a string,
    ``max(tag)`` a tag, read as text)."""
    source = query.source
    if isinstance(source, Query):
        inner = _field_kinds(source, tables)
        tags = _tag_keys(source, tables)
        kinds: dict[str, str] = {}
        types = _Types(inner, tags)
        for item in source.select:
            expression = item.expression
            if isinstance(expression, Func) and item.output_name is not None:
                kind = _call_kind(expression, types)
                if kind in _NOT_NUMBERS:
                    kinds[item.output_name] = kind
                continue
            if not isinstance(expression, Col) or expression.cast not in (None, "tag"):
                continue
            kind = inner.get(expression.key) if expression.cast is None else None
            if kind is None and (expression.cast == "tag" or expression.key in tags):
                kind = "tag"  # a tag read as a subquery's column, text
            if kind is not None:
                kinds[item.alias or expression.key] = kind
        if not query.extra_sources:
            # The tags the subquery groups by are typed tags outside it.
            for key in source.group_tags(tags):
                kinds.setdefault(key, "tag")
        return kinds
    sources = [s for s in (source, *query.extra_sources) if isinstance(s, Source)]
    kinds = {}
    for _rp, _m, columns in tables(sources):
        for info in columns.values():
            if info.role == "field":
                kinds.setdefault(info.key, info.kind)
    return kinds


def _tag_keys(query: Query, tables: Tables) -> set[str]:
    """The tag keys of the measurements *query* reads (none over a subquery)."""
    if isinstance(query.source, Query):
        return set()
    sources = [s for s in (query.source, *query.extra_sources) if isinstance(s, Source)]
    return {
        info.key
        for _rp, _m, columns in tables(sources)
        for info in columns.values()
        if info.role == "tag"
    }


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
    True when influxd runs nothing of *query* (``reads_only_untyped``)."""
    if reads_only_untyped(query, tables):
        return True
    for source in (query.source, *query.extra_sources):
        if isinstance(source, Query):
            _refuse_call_types(source, tables)
    reads = [read for item in query.select for read in _call_reads(item.expression)]
    if not reads:
        return False
    kinds = _field_kinds(query, tables)
    source = query.source
    places = (
        _places(source, kinds, tables)
        if isinstance(source, Query) and not query.extra_sources
        else None
    )
    for call, column, fixed in reads:
        spec = call.spec or FUNCTIONS.get(call.name.lower())
        if spec is None or not spec.refused_types:
            continue
        if places is None:
            kind = _read_kind(column, kinds.get(column.key))
        else:
            kind = _subquery_read_kind(column, kinds.get(column.key), places, fixed)
        if kind in spec.refused_types:
            raise StatementFailed(unsupported_iterator(spec.iterator, kind))
    return False


def _call_reads(node: Any, fixed: bool = False) -> Iterable[tuple[Func, Col, bool]]:
    """The calls of an expression that read a name, with the name and
    whether a call on the way to it has a type of its own (``fixed_type``;
    a math function, evaluated row by row, is not a call here)."""
    if isinstance(node, CombinedExpression):
        yield from _call_reads(node.lhs, fixed)
        yield from _call_reads(node.rhs, fixed)
    elif isinstance(node, Func):
        if _is_math(node):
            yield from _call_reads(node.source, fixed)
            return
        fixed = fixed or fixed_type(node)
        if isinstance(node.source, Col):
            yield node, node.source, fixed
        else:
            yield from _call_reads(node.source, fixed)


def _read_kind(column: Col, kind: str | None) -> str | None:
    """The type of the values a call reads through *column* of a stored
    measurement (``kind``: the type of its key); None where it reads no
    values: a cast to another type than the field's (numbers convert,
    left to the engine)."""
    cast = column.cast
    if cast in (None, "field"):
        return "string" if kind == "tag" else kind
    if cast == "string" and kind == "string":
        return kind
    return None


def _subquery_read_kind(
    column: Col, kind: str | None, places: Mapping[str, str] | None, fixed: bool
) -> str | None:
    """The type of the iterator a call reads a subquery's name through
    (``subquery_casts.call_read``): a tag's text is a string, a cast of a
    column names the type (its values converted or none), no cast the
    column's type; None where it reads nothing. *places*: ``place`` of
    each name the subquery holds, None when not known here."""
    if places is None:
        return _read_kind(column, kind)
    where = places.get(column.key)
    if where is None:
        return None
    read = call_read(column.cast, where, fixed=fixed)
    if read == TEXT:
        return "string"
    if read == NOTHING:
        return None
    if read is None:
        return "string" if kind == "tag" else kind
    return read


def _places(
    query: Query, kinds: Mapping[str, str], tables: Tables
) -> dict[str, str] | None:
    """Where each name a subquery *query* holds is (``subquery_casts``):
    its columns first (``TAGGED`` where *kinds*, the types outside it, say
    a tag), then the tags TOP/BOTTOM name, then its group tags; None when
    ``_held`` cannot know them."""
    held = _held(query, tables)
    if held is None:
        return None
    places: dict[str, str] = {}
    for item in query.select:
        name = item.output_name
        if name is not None and name not in places:
            places[name] = TAGGED if kinds.get(name) == "tag" else COLUMN
    for name in held:
        places.setdefault(name, TAG)
    return places


def _held(query: Query, tables: Tables) -> set[str] | None:
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
    return held | set(query.group_tags(_tag_keys(query, tables)))


def reads_only_untyped(query: Query, tables: Tables) -> bool:
    """Whether *query* reads no column its subquery holds, or only columns
    influxd cannot type: arithmetic of operands that are not both numbers
    (``SELECT m FROM (SELECT s * 1 AS m FROM cpu)``, ``s`` a string). It
    then runs nothing, not even the subquery's calls, and answers no rows;
    read beside a typed column, such a column is null."""
    source = query.source
    if not isinstance(source, Query) or query.extra_sources or not query.select:
        return False
    read: set[str] = set()
    cast: set[str] = set()  # read with a type the text gives (``a::tag``)
    for item in query.select:
        for node in item.expression.walk():
            if isinstance(node, Star | ColumnPattern):
                return False
            if isinstance(node, Col) and node.role != "time":
                read.add(node.key)  # a group tag of the subquery runs it too
                if node.cast not in (None, "field"):
                    cast.add(node.key)
    held = _held(source, tables)
    if not read or held is None:
        return False
    return not (read & (held - _untyped_columns(source, tables)) or cast & held)


def _untyped_columns(query: Query, tables: Tables) -> set[str]:
    """The output names of *query*'s columns that influxd cannot type:
    arithmetic of operands that are not both numbers, and, over stored
    measurements, a name none of them holds, read alone or through calls
    that take its type (``last(nope)``; ``count(nope)`` is an integer)."""
    found: set[str] = set()
    types: _Types | None = None
    stored = not isinstance(query.source, Query)
    for item in query.select:
        expression = item.expression
        name = item.output_name
        if name is None:
            continue
        if isinstance(expression, CombinedExpression):
            if types is None:
                types = _Types.of(query, tables)
            try:
                _operand_type(expression, types)
            except StatementFailed:
                found.add(name)
        elif stored and isinstance(expression, Func | Col):
            if types is None:
                types = _Types.of(query, tables)
            if _reads_nothing_typed(expression, types):
                found.add(name)
    return found


def _reads_nothing_typed(node: Any, types: _Types) -> bool:
    """Whether *node*, a name or calls of it, has no type: the name is
    not held and not cast, and no call on the way has a type of its own."""
    while isinstance(node, Func):
        spec = node.spec or FUNCTIONS.get(node.name.lower())
        if spec is None or spec.result_type is not None:
            return False
        node = node.source
    return (
        isinstance(node, Col)
        and node.role != "time"
        and node.cast is None
        and types.of_column(node) is None
    )


_NUMBERS = ("float", "integer", "unsigned")
_NOT_NUMBERS = ("string", "boolean", "tag")
_CASTS = ("float", "integer", "unsigned", "string", "boolean")


class _Types:
    """The type influxd gives each name of a query's sources: its *fields*'
    types by key, and its *tags*."""

    def __init__(self, fields: dict[str, str], tags: set[str]) -> None:
        self.fields = fields
        self.tags = tags

    @classmethod
    def of(cls, query: Query, tables: Tables) -> _Types:
        """The types of the names *query*'s sources hold."""
        return cls(_field_kinds(query, tables), _tag_keys(query, tables))

    def of_column(self, col: Col) -> str | None:
        """``x::integer`` is an integer; ``x::tag`` a tag; a bare name the
        field of that key, else its tag; ``None`` when unknown."""
        if col.cast in _CASTS:
            return col.cast
        if col.cast == "tag":
            return "tag"
        field = self.fields.get(col.key)
        if col.cast == "field":
            # ``t::field`` of a subquery's tag has no type (influxd's
            # AnyField): arithmetic of it is not refused.
            return None if field == "tag" else field
        if field is not None or col.role == "alias":
            return field
        return "tag" if col.key in self.tags else None


def _operand_text(node: Any, types: _Types) -> str:
    """*node* as influxql's ``String()`` writes it, names with their type."""
    if isinstance(node, Col):
        typ = types.of_column(node)
        name = quote_identifier(node.key)
        return f"{name}::{typ}" if typ is not None else name
    if isinstance(node, Value):
        value = node.value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            return f"{value:.3f}"
        if isinstance(value, str):
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return str(value)
    if isinstance(node, Func):
        inner = ", ".join(_operand_text(a, types) for a in _arguments(node))
        return f"{node.name.lower()}({inner})"
    if isinstance(node, CombinedExpression):
        return " ".join(
            (
                _side_text(node.lhs, node.op, types, right=False),
                node.op,
                _side_text(node.rhs, node.op, types, right=True),
            )
        )
    return str(node)


_PRECEDENCE = {"+": 1, "-": 1, "|": 1, "^": 1, "*": 2, "/": 2, "%": 2, "&": 2}


def _side_text(node: Any, op: str, types: _Types, *, right: bool) -> str:
    """An operand, in parentheses where the text must have had them."""
    text = _operand_text(node, types)
    if isinstance(node, CombinedExpression):
        inner, outer = _PRECEDENCE.get(node.op, 3), _PRECEDENCE.get(op, 3)
        if inner < outer or (right and inner == outer):
            return f"({text})"
    return text


def _operand_type(node: Any, types: _Types) -> str | None:
    """The type influxd gives *node*; raises ``StatementFailed`` as influxd
    does for arithmetic whose operands are not both numbers."""
    if isinstance(node, Col):
        return types.of_column(node)
    if isinstance(node, Value):
        return literal_kind(node.value)
    if isinstance(node, Func):
        argument = (
            _operand_type(node.source, types) if node.source is not None else None
        )
        spec = node.spec or FUNCTIONS.get(node.name.lower())
        if spec is None:
            return None
        if spec.result_type is not None:
            return spec.result_type
        return argument
    if isinstance(node, CombinedExpression):
        lhs = _operand_type(node.lhs, types)
        rhs = _operand_type(node.rhs, types)
        if lhs is None or rhs is None:
            return lhs or rhs
        if node.op in BITWISE:
            # A boolean on the left takes anything (its answer is false
            # beside a non-boolean); otherwise two integers only.
            if lhs == "boolean" or lhs == rhs == "integer":
                return lhs
        elif lhs in _NUMBERS and rhs in _NUMBERS:
            return "float" if "float" in (lhs, rhs) else lhs
        text = _operand_text(node, types)
        msg = f"type error: {text}: incompatible types: {lhs} and {rhs}"
        raise StatementFailed(msg)
    return None


def _call_kind(call: Func, types: _Types) -> str | None:
    """The type influxd gives the column of *call* in a subquery: its
    function's result type, else its argument's (``last(s)`` a string,
    ``max(host)`` of a tag a tag); None when unknown."""
    spec = call.spec or FUNCTIONS.get(call.name.lower())
    if spec is None:
        return None
    if spec.result_type is not None:
        return spec.result_type
    source = call.source
    if isinstance(source, Col):
        return types.of_column(source)
    if isinstance(source, Func):
        return _call_kind(source, types)
    return None


def _arguments(call: Func) -> list[Any]:
    return [call.source, *call.params] if call.source is not None else []


def _is_math(call: Func) -> bool:
    spec = call.spec or FUNCTIONS.get(call.name.lower())
    return spec is not None and spec.family == "math"


def _outer_calls(node: Any) -> list[Func]:
    """The calls of an expression that no other call holds (a math
    function, evaluated row by row, is not one: its arguments are)."""
    if isinstance(node, Func):
        if not _is_math(node):
            return [node]
        return [c for arg in _arguments(node) for c in _outer_calls(arg)]
    if isinstance(node, CombinedExpression):
        return [*_outer_calls(node.lhs), *_outer_calls(node.rhs)]
    return []


def _raw_columns(node: Any) -> bool:
    """Whether an expression reads a column outside any call."""
    if isinstance(node, Col):
        return node.role != "time"
    if isinstance(node, Func) and _is_math(node):
        return any(_raw_columns(arg) for arg in _arguments(node))
    if isinstance(node, CombinedExpression):
        return _raw_columns(node.lhs) or _raw_columns(node.rhs)
    return False


def _compile_fails_first(query: Query) -> bool:
    """Whether influxd refuses the select list before typing it: raw
    columns beside calls other than one selector (``mixing aggregate and
    non-aggregate queries``), or DISTINCT beside anything."""
    expressions = [item.expression for item in query.select]
    calls = [call for e in expressions for call in _outer_calls(e)]
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
    types = _Types.of(query, tables)
    for expression in items:
        _operand_type(expression, types)


def query_check(tables: Tables) -> Callable[[Query], bool]:
    """The compiler's ``check``: what ``refuse_argument_types`` refuses
    raises ``ProgrammingError``, as the HTTP backend raises for the server's
    answer to the same query; True when influxd runs nothing of the query
    and answers no rows (``reads_only_untyped``)."""

    def check(query: Query) -> bool:
        try:
            refuse_operand_types(query, tables)
            nothing = _refuse_call_types(query, tables)
        except StatementFailed as failure:
            msg = f"The embedded engine rejected the query: {failure.text}."
            raise ProgrammingError(msg) from None
        return query.into is None and nothing

    return check
