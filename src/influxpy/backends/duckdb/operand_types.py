"""The types influxd 1.6.7 gives the names and expressions of a query.

influxql's ``TypeValuerEval``, as the engine needs it before a query runs:
a name is typed by the field of that key in the query's measurements, else
by their tag (``tag``); ``x::integer`` by its cast. Over a subquery, a name
is typed by the subquery's column of that name (the first one), else by
the tag it groups by: a call's column by the call's result type, else by
its argument's (``last(s)`` a string, ``max(host)`` of a tag a tag),
arithmetic by its operands (none where they are not both numbers), a name
nothing holds by nothing. ``x::field`` of a tag has no type (influxd's
``AnyField``).

``operand_type`` fails arithmetic whose operands are not both numbers as
influxd does: ``type error: v::tag * 2: incompatible types: tag and
integer`` (``operand_text`` writes the operation as influxql's
``String()`` does).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from influxpy.backends.duckdb.show import StatementFailed
from influxpy.compilers.duckdb.scalars import literal_kind
from influxpy.expressions import BITWISE, Col, CombinedExpression, Value
from influxpy.function_specs import FUNCTIONS
from influxpy.functions import Func
from influxpy.influxql.canonical import quote_identifier
from influxpy.query import Query, Source

__all__ = [
    "Tables",
    "Types",
    "arguments",
    "field_kinds",
    "is_math",
    "operand_type",
    "outer_calls",
    "tag_keys",
    "type_or_none",
]

#: The tables of some sources: ``(rp, measurement, columns)`` each, the
#: columns mapping a key to its catalog entry (``role``, ``kind``).
Tables = Callable[[Sequence[Source]], Iterable[tuple[str, str, Mapping[str, Any]]]]

_NUMBERS = ("float", "integer", "unsigned")
_CASTS = ("float", "integer", "unsigned", "string", "boolean")


def field_kinds(query: Query, tables: Tables) -> dict[str, str]:
    """The type of each name *query* reads as a field, by key: the fields
    of its measurements, or a subquery's typed columns, the tags its
    TOP/BOTTOM calls name and the tags it groups by (``tag``)."""
    source = query.source
    kinds: dict[str, str] = {}
    if isinstance(source, Query):
        # A subquery's column is typed by looking its names up: ``x::field``
        # of a tag is that tag there (``sum(host::field) AS a``: ``a`` is a
        # tag outside).
        inner = Types.of(source, tables, lookup=True)
        named: set[str] = set()
        for item in source.select:
            name = item.output_name
            if name is None or name in named:
                continue  # influxd reads the first column of a name
            named.add(name)
            kind = type_or_none(item.expression, inner)
            if kind is not None:
                kinds[name] = kind
        for item in source.select:
            expression = item.expression
            if isinstance(expression, Func):
                # TOP/BOTTOM(x, tag, N): a name of a tag they read is typed
                # as that tag, after the columns.
                for param in expression.params:
                    if isinstance(param, Col) and param.key not in named:
                        kind = type_or_none(param, inner)
                        if kind is not None:
                            kinds.setdefault(param.key, kind)
        if not query.extra_sources:
            for key in source.group_tags(inner.tags):
                kinds.setdefault(key, "tag")
        return kinds
    sources = [s for s in (source, *query.extra_sources) if isinstance(s, Source)]
    for _rp, _m, columns in tables(sources):
        for info in columns.values():
            if info.role == "field":
                kinds.setdefault(info.key, info.kind)
    return kinds


def tag_keys(query: Query, tables: Tables) -> set[str]:
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


class Types:
    """The type influxd gives each name of a query's sources: its *fields*'
    types by key, and its *tags*. *lookup*: ``x::field`` of a tag is that
    tag, as influxd types a subquery's column by its expression, instead
    of no type (influxd's ``AnyField`` in the query's own select list)."""

    def __init__(
        self,
        fields: dict[str, str],
        tags: set[str],
        *,
        lookup: bool = False,
    ) -> None:
        self.fields = fields
        self.tags = tags
        self.lookup = lookup

    @classmethod
    def of(cls, query: Query, tables: Tables, *, lookup: bool = False) -> Types:
        """The types of the names *query*'s sources hold."""
        return cls(field_kinds(query, tables), tag_keys(query, tables), lookup=lookup)

    def of_column(self, col: Col) -> str | None:
        """``x::integer`` is an integer; ``x::tag`` a tag; a bare name the
        field of that key, else its tag; ``None`` when unknown."""
        if col.cast in _CASTS:
            return col.cast
        if col.cast == "tag":
            return "tag"
        field = self.fields.get(col.key)
        if col.cast == "field":
            if self.lookup:
                return field or ("tag" if col.key in self.tags else None)
            # ``t::field`` of a tag has no type (influxd's AnyField):
            # arithmetic of it is not refused.
            return None if field == "tag" else field
        if field is not None or col.role == "alias":
            return field
        return "tag" if col.key in self.tags else None


def type_or_none(node: Any, types: Types) -> str | None:
    """``operand_type``, None where influxd cannot type *node*."""
    try:
        return operand_type(node, types)
    except StatementFailed:
        return None


def operand_type(node: Any, types: Types) -> str | None:
    """The type influxd gives *node*; raises ``StatementFailed`` as influxd
    does for arithmetic whose operands are not both numbers."""
    if isinstance(node, Col):
        return types.of_column(node)
    if isinstance(node, Value):
        return literal_kind(node.value)
    if isinstance(node, Func):
        argument = operand_type(node.source, types) if node.source is not None else None
        spec = node.spec or FUNCTIONS.get(node.name.lower())
        if spec is None:
            return None
        if spec.result_type is not None:
            return spec.result_type
        return argument
    if isinstance(node, CombinedExpression):
        lhs = operand_type(node.lhs, types)
        rhs = operand_type(node.rhs, types)
        if lhs is None or rhs is None:
            return lhs or rhs
        if node.op in BITWISE:
            # A boolean on the left takes anything (its answer is false
            # beside a non-boolean); otherwise two integers only.
            if lhs == "boolean" or lhs == rhs == "integer":
                return lhs
        elif lhs in _NUMBERS and rhs in _NUMBERS:
            return "float" if "float" in (lhs, rhs) else lhs
        text = operand_text(node, types)
        msg = f"type error: {text}: incompatible types: {lhs} and {rhs}"
        raise StatementFailed(msg)
    return None


def operand_text(node: Any, types: Types) -> str:
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
        inner = ", ".join(operand_text(a, types) for a in arguments(node))
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


def _side_text(node: Any, op: str, types: Types, *, right: bool) -> str:
    """An operand, in parentheses where the text must have had them."""
    text = operand_text(node, types)
    if isinstance(node, CombinedExpression):
        inner, outer = _PRECEDENCE.get(node.op, 3), _PRECEDENCE.get(op, 3)
        if inner < outer or (right and inner == outer):
            return f"({text})"
    return text


def arguments(call: Func) -> list[Any]:
    """*call*'s arguments: what it reads, then its parameters."""
    return [call.source, *call.params] if call.source is not None else []


def is_math(call: Func) -> bool:
    """Whether *call* is a row-wise math function (``abs()``)."""
    spec = call.spec or FUNCTIONS.get(call.name.lower())
    return spec is not None and spec.family == "math"


def outer_calls(node: Any) -> list[Func]:
    """The calls of an expression that no other call holds (a math
    function, evaluated row by row, is not one: its arguments are)."""
    if isinstance(node, Func):
        if not is_math(node):
            return [node]
        return [c for arg in arguments(node) for c in outer_calls(arg)]
    if isinstance(node, CombinedExpression):
        return [*outer_calls(node.lhs), *outer_calls(node.rhs)]
    return []
