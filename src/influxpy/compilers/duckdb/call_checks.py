"""What the engine checks of a select list's calls before it compiles
them: influxd's errors for what it refuses (a transformation of raw values
with GROUP BY time(), of text, of TOP/BOTTOM or math; TOP, BOTTOM and
DISTINCT beside other calls; ``*`` or ``/re/`` in arithmetic), and what
the engine itself cannot run (a stored field read as unsigned)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from influxpy.compilers.duckdb.catalog import ColumnInfo, find_column
from influxpy.compilers.duckdb.context import (
    _MATH_FUNCTIONS,
    _Context,
    innermost_transform,
)
from influxpy.compilers.duckdb.through_calls import _FIELD_EXPECTED, ThroughCallsMixin
from influxpy.exceptions import ProgrammingError, UnsupportedCompilation
from influxpy.expressions import (
    VALUE_CASTS,
    Col,
    ColumnPattern,
    CombinedExpression,
    Expression,
    Star,
)
from influxpy.function_specs import FUNCTIONS
from influxpy.functions import Func
from influxpy.query import Query

__all__ = ["CallChecksMixin", "refuse_unsigned", "refuse_wildcard_arithmetic"]

#: influxd's error for a transformation of raw values (or arithmetic) with
#: GROUP BY time().
_AGGREGATE_REQUIRED = "aggregate function required inside the call to {name}"
#: The transformations of numbers only, as influxd's errors name them
#: ("unsupported cumulative sum iterator type: ...").
_TYPED_TRANSFORMS = {
    "derivative": "derivative",
    "non_negative_derivative": "derivative",
    "difference": "difference",
    "non_negative_difference": "difference",
    "cumulative_sum": "cumulative sum",
    "moving_average": "moving average",
}


class CallChecksMixin(ThroughCallsMixin):
    """influxd's checks of a select list's calls, and the engine's own."""

    def _check_of_sample(
        self, ctx: _Context, name: str, sample: Func, windows: bool
    ) -> None:
        """A transformation of SAMPLE runs on the points SAMPLE picks in
        each window, at their own times, as influxd runs it."""
        if not windows:
            msg = f"{name} aggregate requires a GROUP BY interval"
            raise ProgrammingError(msg)
        self._check_call(ctx, sample)
        self._refuse_text_transform(ctx, name, sample)

    def _refuse_text_transform(self, ctx: _Context, name: str, source: Func) -> None:
        """influxd's error for a transformation of text or booleans (its
        iterator for them does not exist): ``derivative(first(s))`` fails
        with ``unsupported derivative iterator type:
        *query.stringInterruptIterator``, named by what the call reads."""
        if name in self._HOLT_WINTERS:
            # HOLT_WINTERS first reads the points' times (its ELAPSED).
            what: str | None = "elapsed"
        elif name in self._TECHNICAL:
            what = name.replace("_", " ")
        else:
            what = _TYPED_TRANSFORMS.get(name)
        kind = self._call_kind(source, ctx.columns)
        field = source.source
        while isinstance(field, Func):
            field = field.source
        if isinstance(field, Col) and field.cast in ("float", "integer"):
            # Text or booleans cast to numbers: no values, no error.
            return
        if what is None or kind not in ("string", "boolean"):
            return
        if source.name == "sample":
            iterator = f"{kind}Reduce{kind.capitalize()}Iterator"
        elif source.name == "distinct":
            iterator = f"{kind}IntervalIterator"
        else:
            iterator = f"{kind}InterruptIterator"
        msg = f"unsupported {what} iterator type: *query.{iterator}"
        raise ProgrammingError(msg)

    def _check_call(self, ctx: _Context, call: Func) -> None:
        name = call.name
        source = call.source
        windows = ctx.query.group_by_time is not None
        if name in self._TRANSFORMS:
            if isinstance(source, Col):
                if windows:
                    raise ProgrammingError(_AGGREGATE_REQUIRED.format(name=name))
                return
            self._refuse_as_the_server(name, source, windows)
            if isinstance(source, Func) and source.name == "distinct":
                self._check_of_distinct(ctx, name, source, windows)
                self._refuse_text_transform(ctx, name, source)
                return
            if isinstance(source, Func) and source.name == "sample":
                self._check_of_sample(ctx, name, source, windows)
                return
            if not isinstance(source, Func) or (
                source.name not in self._AGGREGATES | self._SELECTORS | self._TRANSFORMS
            ):
                what = f"{name}() of {source!r}"
                raise self._unsupported(what)
            deepest = innermost_transform(call, self._TRANSFORMS)
            if ctx.inherited and isinstance(deepest.source, Col):
                # Windows handed down: influxd runs it over the points.
                self._check_call(ctx, source)
                return
            if not windows:
                msg = f"{name} aggregate requires a GROUP BY interval"
                raise ProgrammingError(msg)
            if source.name in self._TRANSFORMS and isinstance(source.source, Col):
                raise ProgrammingError(_AGGREGATE_REQUIRED.format(name=source.name))
            self._check_call(ctx, source)
            self._refuse_text_transform(ctx, name, source)
            return
        if name == "sample":
            # Beside other calls: its points join theirs on time.
            if not isinstance(source, Col):
                raise ProgrammingError(_FIELD_EXPECTED.format(name=name))
            return
        if name == "count" and isinstance(source, Func) and source.name == "distinct":
            if not isinstance(source.source, Col):
                raise ProgrammingError(_FIELD_EXPECTED.format(name="distinct"))
            return
        if name not in self._AGGREGATES | self._SELECTORS:
            what = f"{name}()"
            raise self._unsupported(what)
        if not isinstance(source, Col):
            # Arithmetic, a math function or another call: influxd wants
            # a field here.
            raise ProgrammingError(_FIELD_EXPECTED.format(name=name))
        self._refuse_column_type(ctx, call, source)

    def _refuse_column_type(self, ctx: _Context, call: Func, source: Col) -> None:
        """influxd's error for a call over a subquery's column of a type
        its function refuses (``sum(host)`` of a tag the subquery groups
        by, text). The backends check the types a query's text gives
        before it runs; this reads the subquery's table, for the columns
        only the compiled subquery knows (the tags of a nested ``GROUP BY
        *``)."""
        query = ctx.query
        if not isinstance(query.source, Query) or query.extra_sources:
            return
        spec = call.spec or FUNCTIONS.get(call.name.lower())
        if spec is None or not spec.refused_types:
            return
        found = find_column(ctx.columns, source.key, "field")
        if found is None or found[1].role != "field":
            return  # not held: a tag only the outer GROUP BY adds
        kind = source.cast if source.cast in VALUE_CASTS else found[1].kind
        if kind in spec.refused_types:
            iterator = f"*query.{kind}InterruptIterator"
            msg = f"unsupported {spec.iterator} iterator type: {iterator}"
            raise ProgrammingError(msg)

    def _refuse_combined(
        self, multi: list[Func], calls: list[Func], aux: list[Col]
    ) -> None:
        """influxd's error for TOP, BOTTOM or DISTINCT beside other calls
        or fields (``ProgrammingError``); SAMPLE it answers."""
        if len(calls) < 2 and not aux:
            return
        for call in multi:
            if call.name in ("top", "bottom"):
                msg = (
                    f"selector function {call.name}() cannot be combined with "
                    "other functions"
                )
                raise ProgrammingError(msg)
        if any(call.name == "distinct" for call in multi):
            msg = (
                "aggregate function distinct() cannot be combined with other "
                "functions or fields"
            )
            raise ProgrammingError(msg)

    def _refuse_as_the_server(self, name: str, source: Any, windows: bool) -> None:
        """Raise influxd's error for a transformation of what it refuses:
        arithmetic, TOP/BOTTOM, math functions (``ProgrammingError``)."""
        if not isinstance(source, Func):
            if windows:
                raise ProgrammingError(_AGGREGATE_REQUIRED.format(name=name))
            raise ProgrammingError(_FIELD_EXPECTED.format(name=name))
        if not windows:
            return
        if source.name in ("top", "bottom"):
            msg = (
                f"selector function {source.name}() cannot be combined with "
                "other functions"
            )
            raise ProgrammingError(msg)
        if source.name in _MATH_FUNCTIONS:
            if any(
                isinstance(node, Func) for node in source.walk() if node is not source
            ):
                msg = f"unsupported call: {source.name}"
            else:
                msg = "mixing aggregate and non-aggregate queries is not supported"
            raise ProgrammingError(msg)

    def _call_kind(self, call: Func, columns: Mapping[str, ColumnInfo]) -> str | None:
        """Defined in ``calls``."""
        raise NotImplementedError


def refuse_wildcard_arithmetic(expr: Expression) -> None:
    """influxd's errors for ``*`` and ``/re/`` in arithmetic: of a call's
    argument (``max(*) + 1``, ``max(/v/) + 1``), or a bare ``*``."""
    if not isinstance(expr, CombinedExpression):
        return
    for node in expr.walk():
        if isinstance(node, Func) and isinstance(node.source, Star):
            msg = f"unsupported expression with wildcard: {node.name.lower()}()"
            raise ProgrammingError(msg)
        if isinstance(node, Func) and isinstance(node.source, ColumnPattern):
            msg = f"unsupported expression with regex field: {node.name.lower()}()"
            raise ProgrammingError(msg)
    if any(isinstance(node, Star) for node in expr.walk()):
        msg = "unable to use wildcard in a binary expression"
        raise ProgrammingError(msg)


def refuse_unsigned(
    query: Query, tables: Mapping[tuple[str, str], Mapping[str, ColumnInfo]]
) -> None:
    """Refuse a stored field read as unsigned (``v::unsigned``): the engine
    stores no unsigned integers, and reading one as a signed integer or a
    float would answer other numbers than InfluxDB's. A name no table
    stores is no value either way (influxd answers nothing for it)."""
    nodes = [node for item in query.select for node in item.expression.walk()]
    for node in nodes:
        if not (isinstance(node, Col) and node.cast == "unsigned"):
            continue
        if not any(_stores_field(columns, node.key) for columns in tables.values()):
            continue
        msg = (
            f"The embedded engine cannot read {node.key!r} as unsigned "
            f"({node.key}::unsigned): it stores no unsigned integers. Read it "
            f"as an integer ({node.key}::integer) instead."
        )
        raise UnsupportedCompilation(msg, dialect="DuckDB", node="unsigned")
    for source in query.sources:
        if isinstance(source, Query):
            refuse_unsigned(source, tables)


def _stores_field(columns: Mapping[str, ColumnInfo], key: str) -> bool:
    found = find_column(columns, key, "field")
    return found is not None and found[1].role == "field"
