"""Expression nodes: columns, literals, arithmetic, ``F``, ``Q`` and ``Now``.

Users build unresolved expressions (``F('free_memory') * 100 / F('memory')``,
``Q(name='a') | Q(name='b')``, ``Now() - Hour(1)``); the QuerySet resolves
them against the model into ``Col`` and literal nodes. Every node is a
frozen dataclass naming its ``visit_name``; nodes never render themselves,
compilers do.

This module knows fields and durations, not InfluxQL or SQL.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from influxpy.durations import Duration, as_duration

if TYPE_CHECKING:
    from influxpy.fields import Field

__all__ = [
    "ARITHMETIC",
    "BITWISE",
    "FIELD_TYPE_ORDER",
    "ROLE_CASTS",
    "VALUE_CASTS",
    "Col",
    "ColumnPattern",
    "CombinedExpression",
    "Expression",
    "F",
    "Now",
    "Q",
    "Raw",
    "Resolver",
    "Star",
    "TimeValue",
    "Value",
    "WhereNode",
    "cast_column",
]

#: Bitwise operators (``F('a').bitand(3)``): of integers, or of booleans.
BITWISE = ("&", "|", "^")

#: Arithmetic operators shared by every dialect, the bitwise ones included
#: (InfluxQL binds ``&`` as ``*`` and ``|``, ``^`` as ``+``).
ARITHMETIC = ("+", "-", "*", "/", "%", *BITWISE)


class Resolver:
    """Turns names into columns for one source (a model or a subquery)."""

    def column(self, name: str) -> Col:  # pragma: no cover - interface
        """Return the column *name* refers to, or raise ``FieldError``."""
        raise NotImplementedError

    def field(self, name: str) -> Field[Any] | None:  # pragma: no cover
        """Return the model field *name* refers to, if it is one."""
        raise NotImplementedError

    def annotation(self, name: str) -> Expression | None:
        """The expression an annotation named *name* selects, when *name*
        is no field or column (a filter on it compares that expression)."""
        return None


class Expression:
    """Base of every node that stands for a value."""

    visit_name: ClassVar[str] = "expression"
    #: ``aggregate``, ``selector``, ``transform``, or ``''`` for row values.
    kind: ClassVar[str] = ""

    def resolve(self, resolver: Resolver) -> Expression:
        """Return this expression with names replaced by columns."""
        return self

    def children(self) -> tuple[Any, ...]:
        """Return the nodes this one is made of."""
        return ()

    def walk(self) -> Iterator[Any]:
        """Yield this node and every node below it."""
        yield self
        for child in self.children():
            if isinstance(child, Expression):
                yield from child.walk()
            else:
                yield child

    @property
    def contains_aggregate(self) -> bool:
        """Whether an aggregate, selector or transform appears in the tree."""
        return any(getattr(node, "kind", "") for node in self.walk())

    def default_alias(self) -> str | None:
        """The column name InfluxDB gives this expression, if predictable."""
        return None

    def _combine(self, other: Any, op: str, reverse: bool) -> CombinedExpression:
        other_expr = other if isinstance(other, Expression) else Value(other)
        if reverse:
            return CombinedExpression(other_expr, op, self)
        return CombinedExpression(self, op, other_expr)

    def __add__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "+", reverse=False)

    def __radd__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "+", reverse=True)

    def __sub__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "-", reverse=False)

    def __rsub__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "-", reverse=True)

    def __mul__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "*", reverse=False)

    def __rmul__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "*", reverse=True)

    def __truediv__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "/", reverse=False)

    def __rtruediv__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "/", reverse=True)

    def __mod__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "%", reverse=False)

    def __rmod__(self, other: Any) -> CombinedExpression:
        return self._combine(other, "%", reverse=True)

    def __neg__(self) -> CombinedExpression:
        # InfluxQL reads ``-"x"`` as ``-1 * "x"``; the column keeps the name.
        return CombinedExpression(Value(-1), "*", self)

    def bitand(self, other: Any) -> CombinedExpression:
        """Bitwise AND (InfluxQL's ``a & b``) of two integers or booleans."""
        return self._combine(other, "&", reverse=False)

    def bitor(self, other: Any) -> CombinedExpression:
        """Bitwise OR (InfluxQL's ``a | b``) of two integers or booleans."""
        return self._combine(other, "|", reverse=False)

    def bitxor(self, other: Any) -> CombinedExpression:
        """Bitwise XOR (InfluxQL's ``a ^ b``) of two integers or booleans."""
        return self._combine(other, "^", reverse=False)

    def _bitwise_operator(self, other: Any) -> Any:
        msg = (
            "Expressions take .bitand(), .bitor() and .bitxor() for InfluxQL's "
            "bitwise &, | and ^; the operators &, | and ~ combine Q objects."
        )
        raise TypeError(msg)

    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = _bitwise_operator


#: The roles ``F(name, cast=...)`` and ``name__tag`` / ``name__field``
#: lookups pick, as InfluxQL's ``name::tag`` and ``name::field`` do.
ROLE_CASTS = ("field", "tag")

#: The value types ``F(name, cast=...)`` reads a field as, as InfluxQL's
#: ``name::integer`` does (a float truncated toward zero, an integer made a
#: float; any other pair reads nothing).
VALUE_CASTS = ("float", "integer", "string", "boolean")
#: Field types in InfluxQL's ``DataType`` order. A name the measurements of
#: one query hold with different types is read as the first of them in
#: every one (influxd's ``Shards.FieldDimensions`` keeps the lowest): an
#: integer field is then read as floats, any other pair reads nothing.
FIELD_TYPE_ORDER = ("float", "integer", "string", "boolean")


def cast_column(col: Col, cast: str) -> Col:
    """*col* read as the tag or the field of its key (``"key"::tag``).

    InfluxDB lets one key be a tag in some series and a field in others; a
    bare name then reads the field. ``cast`` picks one explicitly, or reads
    the field as a value type (``"v"::integer``, one of ``VALUE_CASTS``).
    """
    if cast not in ROLE_CASTS and cast not in VALUE_CASTS:
        msg = (
            f"The cast of {col.key!r} must be 'field' or 'tag' (InfluxQL's "
            f"::field and ::tag) or a value type ({', '.join(VALUE_CASTS)}); "
            f"got {cast!r}."
        )
        raise ValueError(msg)
    if col.role == "time":
        msg = f"The point's time cannot be read as a {cast}; drop the cast."
        raise ValueError(msg)
    if cast in VALUE_CASTS:
        return dataclasses.replace(col, role="field", dtype=cast, cast=cast)
    dtype = col.dtype if cast == "field" and col.role == "field" else None
    return dataclasses.replace(col, role=cast, dtype=dtype, cast=cast)


@dataclasses.dataclass(frozen=True, eq=True)
class F(Expression):
    """A reference to a field, tag or alias by name: ``F('cpu')``.

    ``cast='tag'`` or ``cast='field'`` reads the key as a tag or as a field
    (InfluxQL's ``"cpu"::tag``), for a key that is a tag in some series and
    a field in others: a bare name reads the field there. ``cast='integer'``
    (or ``'float'``, ``'string'``, ``'boolean'``) reads the field as that
    type (InfluxQL's ``"cpu"::integer``).
    """

    name: str
    cast: str | None = None
    visit_name: ClassVar[str] = "f"

    def __post_init__(self) -> None:
        if self.cast is not None and self.cast not in (*ROLE_CASTS, *VALUE_CASTS):
            msg = (
                f"F({self.name!r}, cast=...) takes 'field' or 'tag' (InfluxQL's "
                f"::field and ::tag) or a value type ({', '.join(VALUE_CASTS)}); "
                f"got {self.cast!r}."
            )
            raise ValueError(msg)

    def __repr__(self) -> str:
        cast = "" if self.cast is None else f", cast={self.cast!r}"
        return f"F(name={self.name!r}{cast})"

    def resolve(self, resolver: Resolver) -> Expression:
        """Return the ``Col`` this name refers to."""
        col = resolver.column(self.name)
        return col if self.cast is None else cast_column(col, self.cast)

    def default_alias(self) -> str | None:
        """A field keeps its name in InfluxQL output."""
        return self.name


@dataclasses.dataclass(frozen=True, eq=True)
class Col(Expression):
    """A resolved column: its stored key, its role and its value type.

    ``role`` is ``tag``, ``field``, ``time`` or ``alias`` (an output of a
    subquery); ``dtype`` is the field kind (``float``, ``integer``, …) when
    known; ``attname`` is the model attribute, when there is one.

    A name read from InfluxQL text has no model to say what it is: its
    ``role`` is ``unknown`` (a field or a tag: whoever runs the query
    decides from the store's schema, as InfluxDB does per shard), unless
    the text says it with a cast. ``cast`` is the type the text asked for
    after ``::``: ``field`` or ``tag`` (then ``role`` says the same) or
    ``float``, ``integer``, ``unsigned``, ``string``, ``boolean`` (a field
    read as that type); ``None`` when there was no cast. The QuerySet
    sets ``field`` or ``tag`` from ``F(name, cast=...)`` and the
    ``name__tag`` / ``name__field`` lookups.
    """

    key: str
    role: str = "field"
    dtype: str | None = None
    attname: str | None = None
    cast: str | None = None
    visit_name: ClassVar[str] = "col"

    def default_alias(self) -> str | None:
        """A column keeps its key in InfluxQL output."""
        return self.key


@dataclasses.dataclass(frozen=True, eq=True)
class Value(Expression):
    """A literal number, string or bool."""

    value: Any
    visit_name: ClassVar[str] = "value"


@dataclasses.dataclass(frozen=True, eq=True)
class TimeValue(Expression):
    """A point in time as epoch nanoseconds."""

    ns: int
    visit_name: ClassVar[str] = "time_value"


@dataclasses.dataclass(frozen=True, eq=True)
class Now(Expression):
    """The server's current time, optionally shifted: ``Now() - Hour(1)``."""

    offset_ns: int = 0
    visit_name: ClassVar[str] = "now"

    def _shift(self, other: Any, sign: int) -> Now:
        if isinstance(other, (Duration, dt.timedelta)):
            return Now(self.offset_ns + sign * as_duration(other, "Now()").nanoseconds)
        type_name = type(other).__name__
        msg = (
            f"Now() can only be shifted by a Duration or a timedelta, not {type_name}."
        )
        raise TypeError(msg)

    def __add__(self, other: Any) -> Now:  # type: ignore[override]
        return self._shift(other, 1)

    def __sub__(self, other: Any) -> Now:  # type: ignore[override]
        return self._shift(other, -1)


@dataclasses.dataclass(frozen=True, eq=True)
class CombinedExpression(Expression):
    """Arithmetic between two expressions: ``lhs op rhs``."""

    lhs: Expression
    op: str
    rhs: Expression
    visit_name: ClassVar[str] = "combined"

    def __post_init__(self) -> None:
        if self.op not in ARITHMETIC:
            ops = ", ".join(ARITHMETIC)
            msg = f"Unknown arithmetic operator {self.op!r}; operators are: {ops}."
            raise ValueError(msg)

    def resolve(self, resolver: Resolver) -> Expression:
        """Resolve both sides."""
        return CombinedExpression(
            self.lhs.resolve(resolver), self.op, self.rhs.resolve(resolver)
        )

    def children(self) -> tuple[Any, ...]:
        """The two operands."""
        return (self.lhs, self.rhs)

    def default_alias(self) -> str | None:
        """InfluxQL names math after its fields and calls, joined by ``_``
        (``v * 2`` is ``v``, ``w + v`` is ``w_v``)."""
        left, right = self.lhs.default_alias(), self.rhs.default_alias()
        if self.lhs.contains_aggregate and self.rhs.contains_aggregate:
            return f"{left}_{right}" if left and right else None
        if left and right:
            return f"{left}_{right}"
        return left or right


@dataclasses.dataclass(frozen=True, eq=True)
class Star(Expression):
    """Every field: ``Count('*')``.

    In a select list (parsed from InfluxQL text), ``SelectItem(Star())`` is
    ``*`` beside other columns: every field and tag. ``cast`` narrows it as
    ``*::field`` (every field) or ``*::tag`` (every tag) do; ``None``
    otherwise.
    """

    cast: str | None = None
    visit_name: ClassVar[str] = "star"


@dataclasses.dataclass(frozen=True, eq=True)
class ColumnPattern(Expression):
    """Every field (or tag) whose key a regular expression matches.

    InfluxQL's ``SELECT /re/`` and ``COUNT(/re/)``: ``pattern`` is the RE2
    pattern (unanchored, without slashes or InfluxQL's ``\\/`` escaping).
    In a select list it stands for the matching fields and tags, each a
    column named by its key; as a function's argument, for each matching
    field, one column named ``<function>_<key>``.
    """

    pattern: str
    visit_name: ClassVar[str] = "column_pattern"


@dataclasses.dataclass(frozen=True, eq=True)
class Raw(Expression):
    """Text passed to the server unchanged: the escape hatch.

    Nothing in it is quoted or checked, so never build it from user input.
    Only the InfluxQL compiler accepts it.
    """

    text: str
    visit_name: ClassVar[str] = "raw"


class Q:
    """Filter conditions combined with ``&``, ``|`` and ``~`` (as in Django).

    ``Q(name='a') | Q(name='b')``; keyword conditions inside one ``Q`` are
    joined with AND.
    """

    AND = "AND"
    OR = "OR"

    def __init__(
        self, *args: Q, _connector: str = "AND", _negated: bool = False, **kwargs: Any
    ) -> None:
        self.children: tuple[Q | tuple[str, Any], ...] = (
            *args,
            *sorted(kwargs.items()),
        )
        self.connector = _connector
        self.negated = _negated

    def _combine(self, other: object, connector: str) -> Q:
        if not isinstance(other, Q):
            type_name = type(other).__name__
            msg = f"Q objects combine only with Q objects, not {type_name}."
            raise TypeError(msg)
        return Q(self, other, _connector=connector)

    def __and__(self, other: Q) -> Q:
        return self._combine(other, self.AND)

    def __or__(self, other: Q) -> Q:
        return self._combine(other, self.OR)

    def __invert__(self) -> Q:
        return Q(self, _negated=True)

    def __repr__(self) -> str:
        inner = f" {self.connector} ".join(repr(c) for c in self.children)
        return f"<Q: {'NOT ' if self.negated else ''}({inner})>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Q):
            return NotImplemented
        return (self.children, self.connector, self.negated) == (
            other.children,
            other.connector,
            other.negated,
        )

    def __hash__(self) -> int:
        return hash((self.children, self.connector, self.negated))

    def resolve(self, build: Callable[[str, Any], Any]) -> WhereNode:
        """Turn the conditions into a ``WhereNode`` of lookups via *build*.

        An empty ``Q()`` matches everything, so it drops out of the group.
        """
        resolved = (
            child.resolve(build) if isinstance(child, Q) else build(*child)
            for child in self.children
        )
        children = tuple(
            child
            for child in resolved
            if not (isinstance(child, WhereNode) and not child.children)
        )
        node = WhereNode(self.connector, children)
        return node.negate() if self.negated else node


@dataclasses.dataclass(frozen=True, eq=True)
class WhereNode:
    """Conditions joined by AND or OR. Negation is pushed down to lookups.

    InfluxQL has no NOT, so ``~`` is applied by De Morgan's laws, leaving
    each lookup to know its own negation.
    """

    connector: str
    children: tuple[Any, ...]
    visit_name: ClassVar[str] = "where"

    def negate(self) -> WhereNode:
        """Return the logical negation of this node."""
        connector = Q.OR if self.connector == Q.AND else Q.AND
        return WhereNode(connector, tuple(child.negate() for child in self.children))

    def walk(self) -> Iterator[Any]:
        """Yield every lookup below this node."""
        for child in self.children:
            if isinstance(child, WhereNode):
                yield from child.walk()
            else:
                yield child

    def has_or(self) -> bool:
        """Whether an OR with more than one branch appears anywhere."""
        if self.connector == Q.OR and len(self.children) > 1:
            return True
        return any(isinstance(c, WhereNode) and c.has_or() for c in self.children)

    def __and__(self, other: WhereNode) -> WhereNode:
        return WhereNode(Q.AND, (self, other))
