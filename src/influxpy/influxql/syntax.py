"""The syntax nodes of parsed InfluxQL expressions.

``Parser`` builds expressions of these small nodes (``Ref``, ``Call``,
``Lit``, ``Wild``, ``Rx``, ``Paren``, ``Bin``), which
``influxpy.influxql.convert`` and ``conditions`` turn into the query
representation; the operators' precedence is here too. This module knows
nothing of how the text is read, nor of the query representation.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = [
    "CONDITIONS",
    "PRECEDENCE",
    "Bin",
    "Call",
    "Lit",
    "Paren",
    "Ref",
    "Rx",
    "Wild",
]


class Ref(NamedTuple):
    """A name: a field, tag, alias or ``time``, with its ``::`` cast."""

    name: str
    cast: str | None
    pos: int


class Call(NamedTuple):
    """A function call; ``name`` is lower case."""

    name: str
    args: tuple[Any, ...]
    pos: int


class Lit(NamedTuple):
    """A literal: ``kind`` is string, integer, number, bool or duration
    (a ``Duration``)."""

    kind: str
    value: Any
    pos: int


class Wild(NamedTuple):
    """``*``, ``*::field`` or ``*::tag``."""

    cast: str | None


class Rx(NamedTuple):
    """A regular expression ``/…/``, with InfluxQL's ``\\/`` already undone."""

    pattern: str


class Paren(NamedTuple):
    """An expression in parentheses."""

    expr: Any


class Bin:
    """A binary operation; mutable while the expression tree is built."""

    __slots__ = ("lhs", "op", "rhs")

    def __init__(self, op: str, lhs: Any, rhs: Any) -> None:
        self.op = op
        self.lhs = lhs
        self.rhs = rhs

    def __repr__(self) -> str:
        return f"Bin({self.op!r}, {self.lhs!r}, {self.rhs!r})"


#: Operator precedence, as influxql's ``Token.Precedence``.
PRECEDENCE = {
    "OR": 1,
    "AND": 2,
    "=": 4,
    "!=": 4,
    "=~": 4,
    "!~": 4,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "|": 5,
    "^": 5,
    "*": 6,
    "/": 6,
    "%": 6,
    "&": 6,
}
#: The comparison operators the SELECT list refuses.
CONDITIONS = frozenset(("=", "!=", "=~", "!~", "<", "<=", ">", ">=", "AND", "OR"))
