"""A SELECT's clauses, read as influxd 1.6 reads them, and built later.

``select`` reads what follows ``SELECT`` (its fields, INTO, FROM with its
subqueries, WHERE, GROUP BY, fill, ORDER BY, the limits and ``tz()``)
into a ``PendingSelect``, which ``convert.build_query`` turns into a
``Query`` when the statement is built: text is parsed to its end first,
so a syntax error anywhere wins over what the representation refuses.
"""

from __future__ import annotations

from typing import Any

from influxpy.influxql import convert
from influxpy.influxql.parser import Bin, Call, Paren, Parser
from influxpy.query import Query

__all__ = ["PendingSelect", "select"]


class PendingSelect:
    """A parsed SELECT, built into a ``Query`` when called.

    Text is parsed to its end before anything is built, so a syntax error
    anywhere wins over a construct the representation refuses, as influxd
    reports syntax first.
    """

    __slots__ = ("args", "dims", "fields")

    def __init__(
        self, fields: list[Any], dims: list[Any], args: tuple[Any, ...]
    ) -> None:
        self.fields = fields
        self.dims = dims
        self.args = args

    @property
    def is_raw(self) -> bool:
        """Whether no function is called in the select list."""
        return not any(_calls(node) for node, _ in self.fields)

    @property
    def has_windows(self) -> bool:
        """Whether GROUP BY has ``time(…)``."""
        return any(isinstance(d, Call) and d.name == "time" for d in self.dims)

    def __call__(self) -> Query:
        fields, into, sources, where, fill, descending, limits, timezone = self.args
        return convert.build_query(
            fields,
            into,
            sources,
            where,
            self.dims,
            fill,
            descending,
            limits,
            timezone,
            pending=self,
        )


def _calls(node: Any) -> bool:
    if isinstance(node, Call):
        return True
    if isinstance(node, Bin):
        return _calls(node.lhs) or _calls(node.rhs)
    if isinstance(node, Paren):
        return _calls(node.expr)
    return False


def select(p: Parser, target: str = "optional") -> PendingSelect:
    """The clauses after ``SELECT``; *target* is ``required`` (a continuous
    query), ``optional`` or ``subquery``."""
    fields = p.fields()
    into = _target(p, target)
    token = p.next()
    if token.kind != "FROM":
        raise p.error(token, ("FROM",))
    sources = p.sources(True, lambda kind: select(p, kind))
    where = p.condition()
    dims = p.dimensions()
    fill = p.fill()
    descending = p.order_by()
    limits = (
        p.optional_int("LIMIT"),
        p.optional_int("OFFSET"),
        p.optional_int("SLIMIT"),
        p.optional_int("SOFFSET"),
    )
    timezone = p.location()
    args = (fields, into, sources, where, fill, descending, limits, timezone)
    return PendingSelect(fields, dims, args)


def _target(p: Parser, requirement: str) -> Any:
    token = p.peek()
    if token.kind != "INTO":
        if requirement == "required":
            raise p.error(p.next(), ("INTO",))
        return None
    p.next()
    idents = p.segments()
    following = p.peek()
    # ``:MEASUREMENT`` only right after a dot (``INTO db.rp.:MEASUREMENT``):
    # influxd reads ``INTO cp_:MEASUREMENT`` as the target ``cp_`` and then
    # refuses the colon where FROM must come.
    if (
        len(idents) < 3
        and p.last.kind == "."
        and following.kind == ":"
        and not following.spaced
    ):
        p.next()
        p.expect("MEASUREMENT")
        idents.append("")
    names: list[str | None] = [None, None, *idents][-3:]
    return (names[0] or None, names[1] or None, names[2] or "")
