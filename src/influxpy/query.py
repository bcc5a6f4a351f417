"""The query representation: a frozen, dialect-free description of a statement.

``Query`` is a frozen dataclass of tuples; the QuerySet changes it only
through ``dataclasses.replace``. It holds resolved expression nodes and
knows nothing about InfluxQL or SQL text: ``compile(compiler_class)`` hands
it to a compiler. ``str(query)`` borrows the InfluxQL compiler for display,
the one place this module reaches a compiler.

``check()`` refuses, with a reason, the combinations InfluxDB would answer
silently wrongly, so every dialect inherits the same guarantees.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from influxpy.durations import Duration
from influxpy.exceptions import CompileError
from influxpy.expressions import Col, Expression, Now, WhereNode
from influxpy.functions import Func, Transform

if TYPE_CHECKING:
    from influxpy.compilers.base import Compiled, Compiler

__all__ = [
    "Delete",
    "Fill",
    "GroupByTime",
    "Query",
    "SelectItem",
    "Source",
    "Target",
]

FILL_MODES = ("null", "none", "previous", "linear", "value")


@dataclasses.dataclass(frozen=True)
class Source:
    """A measurement, qualified by database and retention policy if given.

    With ``regex=True``, ``measurement`` is a regular expression (without
    slashes) and the source is every measurement whose name it matches.
    As an ``INTO`` target, an empty ``measurement`` means each row's own
    source measurement (InfluxQL's ``:MEASUREMENT``).
    """

    measurement: str
    database: str | None = None
    retention_policy: str | None = None
    regex: bool = False
    visit_name: ClassVar[str] = "source"


#: Where ``INTO`` writes: the same shape as a source.
Target = Source


@dataclasses.dataclass(frozen=True)
class SelectItem:
    """One selected expression and its alias (``None`` keeps the default)."""

    expression: Expression
    alias: str | None = None

    @property
    def output_name(self) -> str | None:
        """The column name the result will have, when predictable."""
        return self.alias or self.expression.default_alias()


@dataclasses.dataclass(frozen=True)
class GroupByTime:
    """``GROUP BY time(interval[, offset])``; offset may be ``Now()``."""

    interval: Duration
    offset: Duration | Now | None = None


@dataclasses.dataclass(frozen=True)
class Fill:
    """How empty windows are filled: ``null``, ``none``, ``previous``,
    ``linear``, or ``value`` with a number."""

    mode: str
    value: float | int | None = None


@dataclasses.dataclass(frozen=True)
class Query:
    """One SELECT statement, described without any query language.

    An empty ``select`` means every field and tag (``*``). ``source`` is a
    measurement or another ``Query`` (a subquery).

    Read from InfluxQL text, a statement may say more than a QuerySet
    builds: ``extra_sources`` holds the sources after the first
    (``FROM a, b, (SELECT …)``: the rows of each, one series per
    measurement); ``group_by_patterns`` holds the regular expressions of
    ``GROUP BY /re/`` (grouping by every tag key a pattern matches, besides
    the tags of ``group_by``). A select list may also hold ``Star`` (``*``
    beside other columns, or ``*::field``), ``ColumnPattern`` (``/re/``)
    and columns with a ``cast`` (``"x"::tag``).
    """

    source: Source | Query
    select: tuple[SelectItem, ...] = ()
    where: WhereNode | None = None
    group_by_time: GroupByTime | None = None
    group_by: tuple[str, ...] = ()
    fill: Fill | None = None
    descending: bool = False
    limit: int | None = None
    offset: int | None = None
    series_limit: int | None = None
    series_offset: int | None = None
    timezone: str | None = None
    into: Target | None = None
    extra_sources: tuple[Source | Query, ...] = ()
    group_by_patterns: tuple[str, ...] = ()
    visit_name: ClassVar[str] = "query"

    @property
    def sources(self) -> tuple[Source | Query, ...]:
        """Every source: ``source``, then ``extra_sources``."""
        return (self.source, *self.extra_sources)

    def measurements(self) -> list[Source]:
        """The measurements the query reads, its subqueries' too, in the
        order of the text."""
        found: list[Source] = []
        for source in self.sources:
            if isinstance(source, Query):
                found += source.measurements()
            else:
                found.append(source)
        return found

    def __str__(self) -> str:
        from influxpy.compilers.influxql import InfluxQLCompiler

        return self.compile(InfluxQLCompiler).text

    def compile(self, compiler: type[Compiler] | Compiler) -> Compiled:
        """Compile with *compiler* (a class or an instance) after checking."""
        self.check()
        instance = compiler() if isinstance(compiler, type) else compiler
        compiled: Compiled = instance.compile(self)
        return compiled

    def group_tags(self, tags: Iterable[str]) -> list[str]:
        """The tags this query groups by, ``*`` and the patterns of
        ``GROUP BY /re/`` read as those of *tags* they name."""
        stored = sorted(tags)
        found = [k for k in self.group_by if k != "*"]
        if "*" in self.group_by:
            found += stored
        for pattern in self.group_by_patterns:
            found += [k for k in stored if re.search(pattern, k)]
        return found

    @property
    def is_aggregate(self) -> bool:
        """Whether any selected expression uses a function."""
        return any(item.expression.contains_aggregate for item in self.select)

    @property
    def functions(self) -> list[Func]:
        """Every function call in the select list, outer ones first."""
        return [
            node
            for item in self.select
            for node in item.expression.walk()
            if isinstance(node, Func)
        ]

    def check(self, inherited: GroupByTime | None = None) -> None:
        """Raise ``CompileError`` for combinations InfluxDB answers wrongly.

        *inherited*: the time windows of the query around a subquery,
        which a subquery without its own takes (as InfluxDB's do).
        """
        if self.where is not None:
            _check_where(self.where)
        kinds = {f.kind for f in self.functions}
        raw_columns = [
            item
            for item in self.select
            if not item.expression.contains_aggregate
            and any(isinstance(n, Col) for n in item.expression.walk())
        ]
        if self.group_by_time is not None and not self.is_aggregate:
            msg = (
                "resolution() groups rows into time windows, so the query needs a "
                "function to reduce each window: add annotate(Mean('field')) or "
                "similar."
            )
            raise CompileError(msg)
        if "aggregate" in kinds and raw_columns:
            names = ", ".join(repr(i.output_name) for i in raw_columns)
            msg = (
                f"InfluxDB cannot mix aggregates with raw fields ({names}) in one "
                "query; aggregate them too, or use a selector such as Max()."
            )
            raise CompileError(msg)
        for func in self.functions:
            if (
                isinstance(func, Transform)
                and func.needs_group_by_time
                and func.source is not None
                and func.source.contains_aggregate
                and self.group_by_time is None
                and inherited is None
            ):
                name = type(func).__name__
                msg = (
                    f"{name}() of an aggregate needs time windows: add "
                    ".resolution(...) to the query."
                )
                raise CompileError(msg)
        if self.fill is not None and self.group_by_time is None:
            msg = (
                "fill() fills empty time windows, so the query needs "
                ".resolution(...) as well."
            )
            raise CompileError(msg)
        for source in self.sources:
            if isinstance(source, Query):
                source.check(self.group_by_time or inherited)

    @property
    def has_lower_time_bound(self) -> bool:
        """Whether the WHERE clause sets a lower bound on time."""
        return self.where is not None and _has_lower_bound(self.where)

    def check_runnable(self) -> None:
        """Raise ``CompileError`` for a statement that would run away on InfluxDB.

        Checked before a QuerySet sends a query, on every backend, so that
        code behaves alike on both; compiling (``str(query)``, continuous
        queries, which add their own time range) is not affected.

        Windows shifted by an offset (one that is not a whole number of
        windows, or ``Now()``) with no lower time bound make InfluxDB 1.x
        fill empty windows from the year 1677, misaligned: with
        ``resolution(Hour(1), Minute(15))`` influxd 1.6.7 grew by hundreds
        of MB a second without answering. An upper bound alone does not
        help; ``fill('none')`` does (nothing is filled). An offset on a
        subquery alone is answered at once, and is not refused.
        """
        windows = self.group_by_time
        if windows is None or windows.offset is None or self.has_lower_time_bound:
            return
        if self.fill is not None and self.fill.mode == "none":
            return
        offset = windows.offset
        if isinstance(offset, Duration):
            if offset.nanoseconds % windows.interval.nanoseconds == 0:
                return
            shift = f"{offset!r}"
        else:
            shift = "Now()"
        msg = (
            f"resolution({windows.interval!r}, {shift}) needs a lower time bound: "
            "without one, InfluxDB fills empty windows back to the year 1677 and "
            "can run out of memory, so influxpy refuses the query on every "
            "backend. Add one with filter(time__gte=...), or use fill('none')."
        )
        raise CompileError(msg)


def _has_lower_bound(node: WhereNode) -> bool:
    """Whether the conditions ANDed at the top of *node* bound time from below."""
    if node.connector != "AND" and len(node.children) > 1:
        return False
    for child in node.children:
        if isinstance(child, WhereNode):
            if _has_lower_bound(child):
                return True
            continue
        if getattr(child.lhs, "role", None) != "time":
            continue
        name = child.lookup_name
        if child.negated:
            name = {"lt": "gte", "lte": "gt"}.get(name, "")
        if name in ("gt", "gte", "exact"):
            return True
    return False


def _check_where(node: WhereNode) -> None:
    """Refuse OR involving time: InfluxDB 1.x returns nothing for it."""
    for child in node.children:
        if isinstance(child, WhereNode):
            _check_where(child)
    if node.connector == "OR" and len(node.children) > 1:
        for lookup in node.walk():
            if getattr(lookup.lhs, "role", None) == "time":
                msg = (
                    "InfluxDB does not combine a time condition with OR: it takes "
                    "every time comparison out of the condition and keeps only the "
                    "points inside all of them (time >= t OR name = 'a' keeps the "
                    "points from t named 'a'), so influxpy refuses it; run one query "
                    "per time range, or use AND (a negated time range becomes an OR)."
                )
                raise CompileError(msg)
    for lookup in node.walk():
        if getattr(lookup.lhs, "role", None) != "time":
            continue
        if lookup.lookup_name == "ne" or (
            lookup.lookup_name == "exact" and lookup.negated
        ):
            msg = (
                "InfluxDB cannot compare time with != (it rejects the query); use "
                "two queries or a range that leaves the time out."
            )
            raise CompileError(msg)
        if lookup.lookup_name == "in":
            msg = "time__in is not supported; filter with time ranges."
            raise CompileError(msg)


@dataclasses.dataclass(frozen=True)
class Delete:
    """A DELETE statement: a measurement and conditions on tags and time."""

    source: Source
    where: WhereNode | None = None
    visit_name: ClassVar[str] = "delete"

    def compile(self, compiler: type[Compiler] | Compiler) -> Compiled:
        """Compile with *compiler* (a class or an instance)."""
        instance = compiler() if isinstance(compiler, type) else compiler
        compiled: Compiled = instance.compile(self)
        return compiled

    def __str__(self) -> str:
        from influxpy.compilers.influxql import InfluxQLCompiler

        return self.compile(InfluxQLCompiler).text


def replace(obj: Any, **changes: Any) -> Any:
    """``dataclasses.replace``, re-exported for the QuerySet."""
    return dataclasses.replace(obj, **changes)
