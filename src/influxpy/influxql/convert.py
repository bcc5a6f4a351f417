"""Parsed InfluxQL syntax to the query representation.

The parser's syntax nodes become ``Col``, ``Value``, function objects,
lookups and ``WhereNode`` trees, as a QuerySet would build them, without a
model: a name is a ``Col`` whose role is ``time`` for ``time``, the cast's
for ``"x"::tag`` or ``"x"::field``, and ``unknown`` otherwise (the store's
schema decides). Functions are looked up by their InfluxQL name in
``influxpy.function_specs`` (case-insensitively, as InfluxDB does) and
built with the classes of ``influxpy.functions``, which check arity and
parameters.

Time in WHERE reads as InfluxDB reads it: a string is an RFC 3339 time
(or a date, or a date and time without a zone, read in the ``tz()`` zone
if the statement has one), an integer is epoch nanoseconds, a duration is
time since the epoch, and ``now()`` may be shifted by durations.
"""

from __future__ import annotations

import contextvars
import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Iterator
from functools import partial
from typing import Any

from influxpy import lookups
from influxpy._utils import parse_iso_time
from influxpy.durations import Duration
from influxpy.exceptions import CompileError, UnsupportedCompilation
from influxpy.expressions import (
    ARITHMETIC,
    Col,
    ColumnPattern,
    CombinedExpression,
    Expression,
    Now,
    Star,
    TimeValue,
    Value,
    WhereNode,
)
from influxpy.function_specs import FUNCTIONS
from influxpy.functions import Func
from influxpy.influxql import bare_terms
from influxpy.influxql.call_arguments import check_call_arguments, folded
from influxpy.influxql.fields import check_fields, without_time
from influxpy.influxql.parser import Bin, Call, Lit, Paren, Ref, Rx, Wild
from influxpy.influxql.time_conditions import hoisted
from influxpy.query import Fill, GroupByTime, Query, SelectItem, Source

__all__ = ["TextQuery", "build_query", "to_expression", "to_where"]

_DIALECT = "InfluxQL text"


def _function_classes() -> dict[str, type[Func]]:
    """InfluxQL name -> the class declaring it, for every declared function."""
    found: dict[str, type[Func]] = {}
    pending: list[type[Func]] = [Func]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        name = cls.__dict__.get("function")
        if name and name in FUNCTIONS:
            found.setdefault(name, cls)
    return found


_CLASSES: dict[str, type[Func]] | None = None

_LOOKUPS: dict[str, type[lookups.Lookup]] = {
    "=": lookups.Exact,
    "!=": lookups.NotEqual,
    ">": lookups.GreaterThan,
    ">=": lookups.GreaterThanOrEqual,
    "<": lookups.LessThan,
    "<=": lookups.LessThanOrEqual,
}
_TIME_LOOKUPS: dict[str, type[lookups.Lookup]] = {
    "=": lookups.TimeExact,
    "!=": lookups.NotEqual,
    ">": lookups.TimeGreaterThan,
    ">=": lookups.TimeGreaterThanOrEqual,
    "<": lookups.TimeLessThan,
    "<=": lookups.TimeLessThanOrEqual,
}
_FLIPPED = {"=": "=", "!=": "!=", ">": "<", ">=": "<=", "<": ">", "<=": ">="}


@dataclasses.dataclass(frozen=True, eq=False)
class TextQuery(Query):
    """A SELECT read from text that carries what the representation does
    not: ``time_name``, the name of its time column (``SELECT time AS t,
    v``: influxd names the first column after it), and ``refusal``, the
    error influxd gives the statement when it compiles it (``mixing
    aggregate and non-aggregate queries is not supported``), which the
    engine answers when the statement runs."""

    time_name: str | None = None
    refusal: str | None = None

    def __eq__(self, other: object) -> bool:
        """Equal to a ``Query`` with the same clauses and time column name
        (the refusal follows from the clauses)."""
        if not isinstance(other, Query):
            return NotImplemented
        same = all(
            getattr(self, f.name) == getattr(other, f.name)
            for f in dataclasses.fields(Query)
        )
        return same and self.time_name == getattr(other, "time_name", None)

    __hash__ = Query.__hash__


def unsupported(what: str) -> UnsupportedCompilation:
    """``UnsupportedCompilation`` naming the construct."""
    msg = f"{what} cannot be represented by influxpy's query representation."
    return UnsupportedCompilation(msg, dialect=_DIALECT, node=what)


def column(ref: Ref) -> Col:
    """The column a name stands for (see the module's docstring)."""
    if ref.name == "time" and ref.cast is None:
        return Col("time", "time")
    if ref.cast in ("tag", "field"):
        return Col(ref.name, ref.cast, cast=ref.cast)
    if ref.cast is not None:
        return Col(ref.name, "field", ref.cast, cast=ref.cast)
    return Col(ref.name, "unknown")


def _literal(node: Lit) -> Any:
    return node.value


def to_expression(node: Any) -> Expression:
    """A select-list expression, a function argument or a comparison side."""
    if isinstance(node, Ref):
        return column(node)
    if isinstance(node, Call):
        return function(node)
    if isinstance(node, Paren):
        return to_expression(node.expr)
    if isinstance(node, Bin):
        if node.op not in ARITHMETIC:
            msg = f"The operator {node.op}"
            raise unsupported(msg)
        return CombinedExpression(
            to_expression(node.lhs), node.op, to_expression(node.rhs)
        )
    if isinstance(node, Lit):
        return Value(_literal(node))
    if isinstance(node, Wild):
        return Star(node.cast)
    if isinstance(node, Rx):
        return ColumnPattern(node.pattern)
    raise unsupported(type(node).__name__)  # pragma: no cover - parser nodes only


def _param(role: str, node: Any, name: str) -> Any:
    """A function parameter as the function class takes it."""
    node = folded(node)
    if role == "expression":
        return to_expression(node)
    if role.startswith("tags") and isinstance(node, Ref):
        return node.name
    if isinstance(node, Lit):
        return node.value
    if isinstance(node, Ref) and role == "warmup":
        return node.name
    msg = f"{name}() cannot take {_describe(node)} as its {role} argument."
    raise CompileError(msg)


def _literal_text(node: Lit) -> str:
    """A literal as influxd prints it in an error."""
    if node.kind == "string":
        return "'" + str(node.value).replace("'", "\\'") + "'"
    return str(node.value)


def _describe(node: Any) -> str:
    if isinstance(node, Ref):
        return f"the name {node.name!r}"
    if isinstance(node, Lit):
        return f"the {node.kind} {node.value!r}"
    return "an expression"


def function(node: Call) -> Func:
    """A function call, built with its class from ``influxpy.functions``."""
    global _CLASSES
    if _CLASSES is None:
        _CLASSES = _function_classes()
    cls = _CLASSES.get(node.name)
    if cls is None or node.name not in FUNCTIONS:
        msg = f"undefined function {node.name}()"
        raise CompileError(msg)
    spec = FUNCTIONS[node.name]
    if not node.args:
        msg = f"invalid number of arguments for {node.name}, expected at least 1, got 0"
        raise CompileError(msg)
    source = to_expression(node.args[0])
    roles = list(spec.params)
    params: list[Any] = []
    rest = node.args[1:]
    for index, arg in enumerate(rest):
        if roles and roles[0].startswith("tags"):
            role = "tags…" if index < len(rest) - 1 else "count"
        else:
            role = roles[min(index, len(roles) - 1)] if roles else "number"
        params.append(_param(role, arg, node.name))
    try:
        call = cls(source, *params)
    except (TypeError, ValueError) as exc:
        raise CompileError(str(exc)) from None
    if spec.params and spec.params[0].startswith("tags"):
        *tags, count = call.params
        call.params = (*(Col(tag, "tag") for tag in tags), count)
    return call


# -- WHERE ----------------------------------------------------------------------


def to_where(node: Any, timezone: str | None) -> WhereNode:
    """A condition as a ``WhereNode`` of lookups."""
    built = _condition(node, timezone)
    if built is _NEVER:
        return _never()
    if isinstance(built, WhereNode):
        return built
    return WhereNode("AND", (built,))


#: The operators of arithmetic and bitwise expressions.
_MATH = frozenset({"+", "-", "*", "/", "%", "&", "|", "^"})
#: A condition true for every point (see ``stored_where``).
_ALWAYS = WhereNode("AND", ())
#: A condition false for every point (``WHERE false``).
_NEVER = WhereNode("OR", ())


def _never() -> WhereNode:
    """``WHERE false`` as the representation holds it: a comparison of two
    literals that is never true."""
    return WhereNode("AND", (lookups.ExpressionLookup(Value(False), "exact", True),))


def never_true(where: WhereNode | None) -> bool:
    """Whether *where* is ``WHERE false`` (or a condition folding to it):
    a DELETE or DROP SERIES with it deletes nothing, as on influxd."""
    return where == _never()


def stored_where(node: Any, timezone: str | None) -> WhereNode | None:
    """A condition of a SELECT of stored measurements; None when it keeps
    every point.

    influxd's storage keeps every point for a term that is arithmetic or
    bitwise of fields or tags rather than a comparison (``WHERE b ^ c``,
    ``WHERE i & 1``, ``WHERE f + 1``), whatever its value: such a term
    reads as true (``AND`` leaves it out, ``OR`` with it is true).
    """
    built = _condition(node, timezone, loose=True)
    if built is _ALWAYS:
        return None
    if built is _NEVER:
        return _never()
    if isinstance(built, WhereNode):
        return built
    return WhereNode("AND", (built,))


def _always(node: Any) -> bool:
    """Whether *node* is arithmetic of a field, tag or call (not of time,
    nor of literals only): a condition influxd's storage never filters by."""
    names = [n for n in _nodes(node) if isinstance(n, Ref | Call)]
    return bool(names) and not any(_is_time(n) or _is_now(n) for n in names)


def _is_now(node: Any) -> bool:
    return isinstance(node, Call) and node.name == "now"


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, Paren):
        yield from _nodes(node.expr)
    elif isinstance(node, Bin):
        yield from _nodes(node.lhs)
        yield from _nodes(node.rhs)


def _condition(
    node: Any, timezone: str | None, *, loose: bool = False, bare: bool = False
) -> Any:
    """*node* as a lookup or ``WhereNode``; *loose*: arithmetic terms read
    as true (``_ALWAYS``), as in ``stored_where``; *bare*: they read as
    influxd reads them over a subquery (``bare_terms``)."""
    if isinstance(node, Paren):
        member = _membership(node.expr)
        if member is not None:
            return member
        return _condition(node.expr, timezone, loose=loose, bare=bare)
    if isinstance(node, Lit) and node.kind == "bool":
        # ``WHERE true`` keeps every point, ``WHERE false`` none.
        return _ALWAYS if node.value else _NEVER
    if isinstance(node, Ref) or (isinstance(node, Lit) and node.kind != "duration"):
        # influxd's error for a bare name or number as the condition.
        text = node.name if isinstance(node, Ref) else _literal_text(node)
        msg = f"invalid condition expression: {text}"
        raise CompileError(msg)
    if not isinstance(node, Bin):
        msg = f"A condition that is not a comparison ({_describe(node)})"
        raise unsupported(msg)
    if node.op in ("AND", "OR"):
        children: list[Any] = []
        for side in (node.lhs, node.rhs):
            child = _condition(side, timezone, loose=loose, bare=bare)
            if child is _NEVER:
                if node.op == "AND":
                    return _NEVER
                continue
            if child is _ALWAYS:
                if node.op == "OR":
                    # Time under OR is taken out first (``time_conditions``).
                    return _ALWAYS
                continue
            if isinstance(child, WhereNode) and child.connector == node.op:
                children.extend(child.children)
            else:
                children.append(child)
        if not children:
            return _NEVER if node.op == "OR" else _ALWAYS
        if len(children) == 1:
            return children[0]
        combined = WhereNode(node.op, tuple(children))
        if bare and node.op == "OR":
            return bare_terms.guarded(combined, _bare_sides(node))
        return combined
    if loose and node.op in _MATH and _always(node):
        return _ALWAYS
    if bare and node.op in _MATH:
        return bare_terms.truth(to_expression(node))
    if node.op in ("=~", "!~"):
        if not isinstance(node.rhs, Rx):  # pragma: no cover - the parser checks
            raise unsupported("A regex match without a regex")
        lhs = to_expression(node.lhs)
        return _lookup(lookups.Regex, lhs, node.rhs.pattern, node.op == "!~")
    if node.op not in _LOOKUPS:
        msg = f"The operator {node.op} at the top of a condition"
        raise unsupported(msg)
    lhs_node, op, rhs_node = node.lhs, node.op, node.rhs
    if _is_time(rhs_node) or (_is_constant(lhs_node) and not _is_constant(rhs_node)):
        lhs_node, op, rhs_node = rhs_node, _FLIPPED[op], lhs_node
    if _is_time(lhs_node):
        value = time_value(rhs_node, timezone)
        return _lookup(_TIME_LOOKUPS[op], Col("time", "time"), value, False)
    lhs = to_expression(lhs_node)
    if isinstance(rhs_node, Lit):
        rhs: Any = _literal(rhs_node)
    else:
        rhs = to_expression(rhs_node)
    return _lookup(_LOOKUPS[op], lhs, rhs, False)


def _bare_sides(node: Bin) -> list[Expression]:
    """The arithmetic or bitwise terms standing as a side of *node*."""
    sides = []
    for side in (node.lhs, node.rhs):
        while isinstance(side, Paren):
            side = side.expr
        if isinstance(side, Bin) and side.op in _MATH:
            sides.append(to_expression(side))
    return sides


def _where_of(node: Any, timezone: str | None, *, stored: bool) -> WhereNode | None:
    """A SELECT's condition (*stored*: it reads stored measurements only),
    its time comparisons taken out of any OR as influxd takes them."""
    if node is None:
        return None
    node = hoisted(node)
    if stored:
        return stored_where(node, timezone)
    built = _condition(node, timezone, bare=True)
    if built is _NEVER:
        return _never()
    return built if isinstance(built, WhereNode) else WhereNode("AND", (built,))


def _membership(node: Any) -> lookups.Lookup | None:
    """``(k = 'a' OR k = 'b')`` as ``In``; ``(k != 'a' AND k != 'b')`` as its
    negation: the text an ``in`` lookup compiles to, read back as one."""
    if not isinstance(node, Bin) or node.op not in ("OR", "AND"):
        return None
    wanted = "=" if node.op == "OR" else "!="
    terms: list[Any] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, Bin) and current.op == node.op:
            pending.extend((current.rhs, current.lhs))
        else:
            terms.append(current)
    names = set()
    values = []
    for term in terms:
        if not (
            isinstance(term, Bin)
            and term.op == wanted
            and isinstance(term.lhs, Ref)
            and isinstance(term.rhs, Lit)
            and term.rhs.kind != "duration"
            and not _is_time(term.lhs)
        ):
            return None
        names.add(term.lhs)
        values.append(term.rhs.value)
    if len({(ref.name, ref.cast) for ref in names}) != 1:
        return None
    col = column(terms[0].lhs)
    return lookups.In(col, tuple(values), node.op == "AND")


def _lookup(
    cls: type[lookups.Lookup], lhs: Expression, rhs: Any, negated: bool
) -> lookups.Lookup | lookups.ExpressionLookup:
    """A lookup on a column, or a comparison over an expression
    (``f + 1 > 4``, ``1 = 1``: ``ExpressionLookup``); a regex match on an
    expression and a condition on a function call are refused."""
    if isinstance(lhs, Col):
        return cls(lhs, rhs, negated)
    if cls.lookup_name not in lookups.ExpressionLookup.names:
        what = f"A regex match on {type(lhs).__name__} rather than on a field or a tag"
        raise unsupported(what)
    for side in (lhs, rhs):
        if isinstance(side, Expression):
            for node in side.walk():
                if isinstance(node, (Func, Now, Star, ColumnPattern)):
                    what = (
                        f"A condition on {_expression_name(node)} inside "
                        "arithmetic (such as abs(f) > 1)"
                    )
                    raise unsupported(what)
                if isinstance(node, Col) and node.key == "time":
                    what = "A condition on time inside arithmetic (such as time + 1s)"
                    raise unsupported(what)
    return lookups.ExpressionLookup(lhs, cls.lookup_name, rhs, negated)


def _expression_name(node: Any) -> str:
    if isinstance(node, Func):
        return f"the function {node.name}()"
    return type(node).__name__


def _is_time(node: Any) -> bool:
    return isinstance(node, Ref) and node.name == "time" and node.cast is None


def _is_constant(node: Any) -> bool:
    if isinstance(node, Lit):
        return True
    if isinstance(node, Call):
        return node.name == "now"
    if isinstance(node, Paren):
        return _is_constant(node.expr)
    if isinstance(node, Bin):
        return _is_constant(node.lhs) and _is_constant(node.rhs)
    return False


def time_value(node: Any, timezone: str | None) -> TimeValue | Now:
    """A point in time: ``TimeValue`` (epoch ns) or ``Now`` shifted."""
    if isinstance(node, Paren):
        return time_value(node.expr, timezone)
    if isinstance(node, Lit):
        if node.kind == "string":
            return TimeValue(_parse_time(node.value, timezone))
        if node.kind == "integer":
            return TimeValue(node.value)
        if node.kind == "duration":
            return TimeValue(node.value.nanoseconds)
        if node.kind == "number":
            return TimeValue(int(node.value))
    if isinstance(node, Call) and node.name == "now" and not node.args:
        return Now()
    if isinstance(node, Bin) and node.op in ("+", "-"):
        base = time_value(node.lhs, timezone)
        shift = node.rhs
        while isinstance(shift, Paren):
            shift = shift.expr
        if isinstance(shift, Lit) and shift.kind in ("duration", "integer"):
            delta = shift.value
            if isinstance(delta, Duration):
                delta = delta.nanoseconds
            if node.op == "-":
                delta = -delta
            if isinstance(base, Now):
                return Now(base.offset_ns + delta)
            return TimeValue(base.ns + delta)
    msg = f"invalid operation: time and {_describe(node)} cannot be compared."
    raise CompileError(msg)


def _parse_time(text: str, timezone: str | None) -> int:
    """Epoch ns of a time string, as InfluxDB reads it in WHERE."""
    zoned = text.endswith("Z") or (len(text) > 10 and text[-6] in "+-")
    if "T" in text and not zoned:
        msg = f"invalid timestamp string {text!r}: a 'T' time needs a zone (Z)."
        raise CompileError(msg)
    try:
        ns = parse_iso_time(text)
    except ValueError:
        msg = f"invalid timestamp string {text!r}: use RFC 3339 times."
        raise CompileError(msg) from None
    if zoned or timezone is None:
        return ns
    zone = zoneinfo.ZoneInfo(timezone)
    wall = dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=ns // 1_000)
    offset = wall.replace(tzinfo=zone).utcoffset() or dt.timedelta()
    return ns - int(offset.total_seconds()) * 1_000_000_000


# -- SELECT ---------------------------------------------------------------------


def _check_subquery_order(sources: list[Any], descending: bool) -> None:
    """Refuse, as influxd does, a subquery (at any depth) whose ORDER BY runs
    against the direction of the query around it; a subquery without ORDER
    BY takes that direction."""
    for parsed in sources:
        if isinstance(parsed, tuple):
            continue
        _fields, _into, inner, *_rest = parsed.args
        order = parsed.args[5]
        if order is not None and bool(order) != descending:
            msg = "subqueries must be ordered in the same direction as the query itself"
            raise CompileError(msg)
        _check_subquery_order(inner, descending if order is None else bool(order))


#: Whether a subquery is being built (its order was checked from the top).
_IN_SUBQUERY: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "influxql_in_subquery", default=False
)


def _source(parsed: Any) -> Source | Query:
    if not isinstance(parsed, tuple):
        token = _IN_SUBQUERY.set(True)
        try:
            query: Query = parsed()  # a subquery, built when its statement is
        finally:
            _IN_SUBQUERY.reset(token)
        return query
    database, rp, name, regex = parsed
    return Source(name, database, rp, regex)


def _dimensions(
    dims: list[Any],
) -> tuple[GroupByTime | None, tuple[str, ...], tuple[str, ...]]:
    windows = None
    tags: list[str] = []
    patterns: list[str] = []
    for dim in dims:
        if isinstance(dim, Call) and dim.name == "time":
            windows = _group_by_time(dim)
        elif isinstance(dim, Ref):
            tags.append(dim.name)
        elif isinstance(dim, Wild):
            tags.append("*")
        elif isinstance(dim, Rx):
            patterns.append(dim.pattern)
        else:
            msg = f"GROUP BY {_describe(dim)}"
            raise unsupported(msg)
    return windows, tuple(tags), tuple(patterns)


def _group_by_time(dim: Call) -> GroupByTime:
    if not 1 <= len(dim.args) <= 2:
        msg = "time dimension expected 1 or 2 arguments"
        raise CompileError(msg)
    interval = dim.args[0]
    if not isinstance(interval, Lit) or interval.kind != "duration":
        msg = "time dimension must have duration argument"
        raise CompileError(msg)
    offset: Duration | Now | None = None
    if len(dim.args) == 2:
        arg = dim.args[1]
        if isinstance(arg, Call) and arg.name == "now" and not arg.args:
            offset = Now()
        elif isinstance(arg, Lit) and arg.kind == "duration":
            offset = arg.value
        else:
            msg = "time dimension offset must be duration or now()"
            raise CompileError(msg)
    return GroupByTime(interval.value, offset)


def _select_item(node: Any, alias: str | None) -> SelectItem:
    """One select-list item; a ``time`` name influxd left in the list (see
    ``without_time``) reads as a field of that name, which no point has."""
    if isinstance(node, Ref) and node.name == "time" and node.cast is None:
        return SelectItem(Col("time", "field"), alias or "time")
    return SelectItem(to_expression(node), alias)


def build_query(
    fields: list[tuple[Any, str | None]],
    into: Any,
    sources: list[Any],
    where: Any,
    dims: list[Any],
    fill: Any,
    descending: bool | None,
    limits: tuple[int | None, int | None, int | None, int | None],
    timezone: str | None,
) -> Query:
    """A ``Query`` from the clauses of a parsed SELECT."""
    fields, time_name = without_time(fields)
    windows_given = any(isinstance(d, Call) and d.name == "time" for d in dims)
    inherited = any(not isinstance(s, tuple) for s in sources)
    if not _IN_SUBQUERY.get():
        _check_subquery_order(sources, bool(descending))
    refusal = None
    try:
        # influxd compiles each call's arguments before it combines them.
        check_call_arguments(fields)
        check_fields(fields, windows=windows_given, fill=fill, inherited=inherited)
    except CompileError as exc:
        refusal = str(exc)
    if not windows_given:
        # influxd ignores fill() without GROUP BY time (also over a windowed
        # subquery).
        fill = None
    if len(fields) == 1 and fields[0] == (Wild(None), None):
        select: tuple[SelectItem, ...] = ()
    else:
        try:
            select = tuple(_select_item(n, alias) for n, alias in fields)
        except CompileError:
            if refusal is None:
                raise
            # influxd's own check of the list comes first (holt_winters(v)).
            raise CompileError(refusal) from None
    first, *more = (_source(s) for s in sources)
    windows, tags, patterns = _dimensions(dims)
    filling = None
    if fill is not None:
        filling = Fill(fill) if isinstance(fill, str) else Fill("value", fill)
    limit, offset, series_limit, series_offset = limits
    cls: Any = Query
    if time_name is not None or refusal is not None:
        cls = partial(TextQuery, time_name=time_name, refusal=refusal)
    query: Query = cls(
        source=first,
        select=select,
        where=_where_of(where, timezone, stored=not inherited),
        group_by_time=windows,
        group_by=tags,
        fill=filling,
        descending=bool(descending),
        # LIMIT 0 and SLIMIT 0 mean no limit to InfluxDB.
        limit=limit or None,
        offset=offset,
        series_limit=series_limit or None,
        series_offset=series_offset,
        timezone=timezone,
        into=Source(into[2], into[0], into[1]) if into is not None else None,
        extra_sources=tuple(more),
        group_by_patterns=patterns,
    )
    return query
