"""The base classes of InfluxQL function calls: ``Func`` and its kinds.

``Func`` holds what every call shares (its argument, parameters, the
checks of its arity and argument type, equality and hashing);
``Aggregate``, ``Selector`` and ``Transform`` name the three kinds. The
declared functions (``Mean``, ``Top``…) live in ``influxpy.functions``,
which re-exports these classes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from influxpy.durations import Duration, as_duration
from influxpy.exceptions import CompileError, FieldError
from influxpy.expressions import (
    Col,
    CombinedExpression,
    Expression,
    F,
    Resolver,
    Star,
)
from influxpy.function_specs import FUNCTIONS, FunctionSpec

__all__ = ["Aggregate", "Func", "Selector", "Transform"]


def _as_expression(value: Any) -> Expression:
    if isinstance(value, Expression):
        return value
    if value == "*":
        return Star()
    if isinstance(value, str):
        return F(value)
    type_name = type(value).__name__
    msg = (
        f"A function reads a field name, F(), arithmetic or another function; "
        f"got {value!r} ({type_name})."
    )
    raise TypeError(msg)


class Func(Expression):
    """A call of an InfluxQL function.

    Subclasses declare ``function``; its entry in
    ``influxpy.function_specs.FUNCTIONS`` gives ``kind``, ``min_args``,
    ``max_args``, ``numeric`` and ``warmups`` (a subclass naming a function
    the table lacks declares them itself).
    ``Func('name', *args)`` itself builds an unchecked call of any function:
    the escape hatch for functions influxpy does not declare.
    """

    visit_name: ClassVar[str] = "func"
    function: ClassVar[str] = ""
    #: The function's entry in ``influxpy.function_specs.FUNCTIONS``
    #: (``None`` for ``Func`` itself); a class naming its ``function``
    #: takes ``kind``, arity, ``numeric`` and ``warmups`` from it.
    spec: ClassVar[FunctionSpec | None] = None
    kind: ClassVar[str] = ""
    min_args: ClassVar[int] = 1
    max_args: ClassVar[int | None] = 1
    #: Whether the argument must be numeric (int or float fields).
    numeric: ClassVar[bool] = False
    #: The warmup types InfluxDB accepts (technical analysis).
    warmups: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "function" not in cls.__dict__:
            return
        spec = FUNCTIONS.get(cls.function)
        cls.spec = spec
        if spec is None:
            # A function declared outside the table keeps its own rules.
            return
        cls.kind = spec.kind
        cls.min_args = spec.min_args
        cls.max_args = spec.max_args
        cls.numeric = spec.numeric
        cls.warmups = spec.warmups
        if issubclass(cls, Transform):
            cls.needs_group_by_time = spec.needs_group_by_time

    def __init__(self, *args: Any) -> None:
        if type(self) is Func:
            if not args or not isinstance(args[0], str):
                msg = "Func() takes the function name first: Func('mean', 'cpu')."
                raise TypeError(msg)
            self.name: str = args[0]
            args = args[1:]
        else:
            self.name = self.function
            self._check_count(len(args))
        self.source = _as_expression(args[0]) if args else None
        self.params: tuple[Any, ...] = tuple(args[1:])
        if type(self) is not Func:
            self.params = self.check_params(self.params)

    @classmethod
    def _check_count(cls, given: int) -> None:
        low, high = cls.min_args, cls.max_args
        if low <= given and (high is None or given <= high):
            return
        if high == low:
            word = "argument" if low == 1 else "arguments"
            expected = f"exactly {low} {word}"
        elif high is None:
            expected = f"at least {low} arguments"
        else:
            expected = f"from {low} to {high} arguments"
        msg = f"{cls.__name__!r} takes {expected} ({given} given)."
        raise TypeError(msg)

    def check_params(self, params: tuple[Any, ...]) -> tuple[Any, ...]:
        """Validate the parameters after the first argument."""
        return params

    def _require_int(self, value: Any, what: str, minimum: int = 1) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            cls = type(self).__name__
            type_name = type(value).__name__
            msg = (
                f"{cls}'s {what} must be an int of at least {minimum}; got "
                f"{value!r} ({type_name})."
            )
            raise TypeError(msg)
        return value

    def _duration(self, value: Any, what: str) -> Duration:
        cls = type(self).__name__
        duration = as_duration(value, f"{cls}'s {what}")
        if duration.value <= 0:
            msg = f"{cls}'s {what} must be a positive duration; got {duration!r}."
            raise ValueError(msg)
        return duration

    def _takes_type(self, dtype: str) -> bool:
        """Whether influxd answers this numeric function of a *dtype* field.

        MAX and MIN take booleans; the math functions answer null for any
        non-number, which influxpy refuses as a mistake.
        """
        spec = self.spec
        return (
            spec is not None
            and spec.family != "math"
            and spec.refused_types is not None
            and dtype not in spec.refused_types
        )

    # Expressions are immutable: resolving returns a copy.
    def _copy(self, source: Expression | None) -> Func:
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone.source = source
        return clone

    def resolve(self, resolver: Resolver) -> Expression:
        """Resolve the argument and check its type."""
        source = self.source.resolve(resolver) if self.source is not None else None
        if isinstance(source, Col) and source.role == "tag" and self.kind:
            cls = type(self).__name__
            msg = (
                f"{cls}() cannot read the tag {source.key!r}: InfluxDB applies "
                "functions to fields only (list tag values with SHOW TAG VALUES). "
                "Where a subquery's column or a series' field is named like the "
                f"tag, read it as a field: {cls}(F({source.key!r}, cast='field'))."
            )
            raise FieldError(msg, field=source.attname or source.key)
        if (
            self.numeric
            and isinstance(source, Col)
            and source.dtype in ("string", "boolean")
            and not self._takes_type(source.dtype)
        ):
            cls = type(self).__name__
            msg = (
                f"{cls}() needs a numeric field, but {source.key!r} holds "
                f"{source.dtype} values."
            )
            raise FieldError(msg, field=source.attname or source.key)
        if (
            self.kind in ("aggregate", "selector")
            and type(self) is not Func
            and isinstance(source, CombinedExpression)
        ):
            cls = type(self).__name__
            msg = (
                f"{cls}() reads a field, not arithmetic (InfluxDB refuses "
                f"{cls.lower()}() of an expression); compute the expression in "
                "a subquery and aggregate its alias."
            )
            raise CompileError(msg)
        return self._copy(source)

    def children(self) -> tuple[Any, ...]:
        """The argument read by the function."""
        return (self.source,) if self.source is not None else ()

    def walk(self) -> Iterator[Any]:
        """Yield this node and the nodes below its argument."""
        yield self
        if self.source is not None:
            yield from self.source.walk()

    def default_alias(self) -> str | None:
        """The server's name for the column: the table's ``column`` for a
        declared function, else the function's name."""
        if self.spec is not None:
            return self.spec.column
        return self.name.lower()

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Func)
        return (self.name, self.source, self.params) == (
            other.name,
            other.source,
            other.params,
        )

    def __hash__(self) -> int:
        return hash((type(self), self.name, self.source, self.params))

    def __repr__(self) -> str:
        args = [repr(self.source)] if self.source is not None else []
        args.extend(repr(p) for p in self.params)
        if type(self) is Func:
            args.insert(0, repr(self.name))
        return f"{type(self).__name__}({', '.join(args)})"


class Aggregate(Func):
    """A function that reduces a window to one value."""

    kind: ClassVar[str] = "aggregate"


class Selector(Func):
    """A function that picks points, reporting each point's own time."""

    kind: ClassVar[str] = "selector"


class Transform(Func):
    """A function computed row by row or over consecutive rows."""

    kind: ClassVar[str] = "transform"
    #: Whether applying it to an aggregate needs GROUP BY time.
    needs_group_by_time: ClassVar[bool] = True
