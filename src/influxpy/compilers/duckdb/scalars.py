"""Row-wise expressions: literals, arithmetic and math functions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from influxpy.compilers.duckdb.bitwise import bitwise
from influxpy.compilers.duckdb.catalog import PUSHED, ColumnInfo, find_column
from influxpy.compilers.duckdb.context import _DIMENSION, _column_sql, _CompilerBase
from influxpy.compilers.duckdb.merged import ORDINAL
from influxpy.expressions import BITWISE, Col, CombinedExpression, Expression, Value
from influxpy.functions import Func


class ScalarsMixin(_CompilerBase):
    """Row-wise expressions, and the calls an expression makes."""

    def _row_expr(
        self, node: Expression, columns: Mapping[str, ColumnInfo]
    ) -> tuple[str, str | None]:
        """SQL and kind of a row-wise expression over stored columns."""
        if isinstance(node, Col):
            sql, kind = _column_sql(node, columns)
            found = find_column(columns, node.key, node.role)
            info = found[1] if found is not None else None
            if kind == "tag" and info is not None and info.kind == _DIMENSION:
                return sql, "string"
            if kind == "tag" and info is not None and info.kind == PUSHED:
                return "CAST(NULL AS VARCHAR)", "string"
            if kind == "tag" and info is not None and (info.kept or info.unread):
                # Of a merged table: a subquery's group keeps '' in its rows,
                # a tag only the outer GROUP BY gave it shows null there.
                cases = [
                    f"WHEN {ORDINAL} IN ({', '.join(map(str, ordinals))}) THEN {shown}"
                    for ordinals, shown in ((info.kept, sql), (info.unread, "NULL"))
                    if ordinals
                ]
                return f"CASE {' '.join(cases)} ELSE NULLIF({sql}, '') END", "string"
            if kind == "tag":
                return f"NULLIF({sql}, '')", "string"
            if node.cast in _CASTS and info is not None and info.role == "field":
                return _cast(sql, info.kind, node.cast)
            if node.cast in _CASTS and info is None:
                # A name no source holds, typed by its cast: no value, but
                # a column of that type (a subquery's ``nope::float AS a``
                # is read outside as influxd reads a typed column).
                return f"CAST(NULL AS {_CASTS[node.cast]})", node.cast
            return sql, kind
        return self._scalar(node, lambda n: self._row_expr(n, columns))

    def _scalar(self, node: Expression, leaf: Any) -> tuple[str, str | None]:
        """Literals, arithmetic and math functions over *leaf* values."""
        if isinstance(node, Value):
            value = node.value
            kind = literal_kind(value)
            return self._param(value), kind
        if isinstance(node, CombinedExpression):
            left = self._scalar(node.lhs, leaf)
            right = self._scalar(node.rhs, leaf)
            return _arith(left, node.op, right)
        if isinstance(node, Func) and node.name in self.functions:
            if node.source is None:
                what = f"{node.name}() without an argument"
                raise self._unsupported(what)
            return self._math(node, self._scalar(node.source, leaf), leaf)
        if isinstance(node, (Col, Func)):
            result: tuple[str, str | None] = leaf(node)
            return result
        what = f"{type(node).__name__} in a select list"
        raise self._unsupported(what)

    def _math(
        self, func: Func, arg: tuple[str, str | None], leaf: Any
    ) -> tuple[str, str | None]:
        """A math function as InfluxDB's MathValuer computes it."""
        sql, kind = arg
        name = func.name
        if kind not in self._NUMERIC:
            return "CAST(NULL AS DOUBLE)", "float"
        if name in self._KEEP_INTEGER and kind == "integer":
            return sql, "integer"
        if name == "abs":
            return f"abs({sql})", kind
        if name in ("ceil", "floor"):
            return f"{name}({sql})", "float"
        if name == "round":
            return f"round({sql})", "float"
        x = f"CAST({sql} AS DOUBLE)"
        if name in ("log", "pow", "atan2"):
            param = func.params[0]
            if isinstance(param, (int, float)):
                other = self._param(float(param))
            else:
                # A field or an expression, read on each point.
                other, other_kind = self._scalar(param, leaf)
                if other_kind not in self._NUMERIC:
                    return "CAST(NULL AS DOUBLE)", "float"
                other = f"CAST({other} AS DOUBLE)"
            value = f"{self.functions[name]}({x}, {other})"
        else:
            value = f"{self.functions[name]}({x})"
        # NaN (sqrt(-1), acos(2)) and ±Inf (ln(0)) stay values, as in Go's
        # math package; the outermost SELECT answers NaN as null (``nans``).
        return value, "float"

    def _has_call(self, expr: Expression) -> bool:
        """Whether *expr* calls a function other than row-wise math."""
        return any(
            isinstance(node, Func) and node.name not in self.functions
            for node in expr.walk()
        )

    def _calls_of(self, expr: Any) -> Iterator[Func]:
        """The function calls the server evaluates on their own (not math)."""
        if isinstance(expr, Func):
            if expr.name in self.functions:
                if expr.source is not None:
                    yield from self._calls_of(expr.source)
                for param in expr.params:
                    if isinstance(param, Expression):
                        yield from self._calls_of(param)
                return
            yield expr
        elif isinstance(expr, CombinedExpression):
            yield from self._calls_of(expr.lhs)
            yield from self._calls_of(expr.rhs)

    def _raw_of(self, expr: Any) -> Iterator[Col]:
        """The raw fields and tags of *expr* outside its calls (``n`` in
        ``max(v) + n``): the server reads them from a selector's point."""
        if isinstance(expr, Col):
            yield expr
        elif isinstance(expr, Func) and expr.name in self.functions:
            if expr.source is not None:
                yield from self._raw_of(expr.source)
            for param in expr.params:
                if isinstance(param, Expression):
                    yield from self._raw_of(param)
        elif isinstance(expr, CombinedExpression):
            yield from self._raw_of(expr.lhs)
            yield from self._raw_of(expr.rhs)

    def _symbol(
        self, node: Any, symbols: Mapping[Any, tuple[str, str | None]]
    ) -> tuple[str, str | None]:
        if isinstance(node, (Func, Col)) and node in symbols:
            return symbols[node]
        if isinstance(node, Col):
            raise self._unsupported("raw fields inside arithmetic with functions")
        what = f"{node!r} in a select list"
        raise self._unsupported(what)


def literal_kind(value: Any) -> str | None:
    """The InfluxQL type of a literal *value* (``None``: not a literal type)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return None


def _arith(
    left: tuple[str, str | None], op: str, right: tuple[str, str | None]
) -> tuple[str, str | None]:
    """InfluxQL arithmetic: integers stay integers except in division.

    Division and integer modulo by zero give 0, as the server's evaluator
    does (a float modulo by zero is NaN, which stays a value: ``nans``),
    but null of a missing dividend; anything but numbers gives null.
    """
    if op in BITWISE:
        sql, kind = bitwise(left, op, right)
        return (sql, kind) if kind is not None else ("CAST(NULL AS BIGINT)", "integer")
    (a, ka), (b, kb) = left, right
    numeric = ("float", "integer")
    if ka not in numeric or kb not in numeric:
        return "CAST(NULL AS DOUBLE)", "float"
    both_int = ka == kb == "integer"
    if op == "/":
        zero = f"WHEN {a} IS NULL THEN NULL WHEN {b} = 0 THEN 0.0"
        return f"(CASE {zero} ELSE CAST({a} AS DOUBLE) / {b} END)", "float"
    if op == "%":
        if both_int:
            zero = f"WHEN {a} IS NULL THEN NULL WHEN {b} = 0 THEN 0"
            return f"(CASE {zero} ELSE {a} % {b} END)", "integer"
        # DuckDB's % on doubles takes the dividend's sign, as Go's math.Mod
        # (its fmod() takes the divisor's); by a zero it would raise where
        # the divisor is a constant.
        remainder = f"(CAST({a} AS DOUBLE) % CAST({b} AS DOUBLE))"
        zero = f"WHEN {a} IS NOT NULL AND {b} = 0 THEN CAST('NaN' AS DOUBLE)"
        return f"(CASE {zero} ELSE {remainder} END)", "float"
    kind = "integer" if both_int else "float"
    if not both_int:
        return f"(CAST({a} AS DOUBLE) {op} CAST({b} AS DOUBLE))", kind
    return f"({a} {op} {b})", kind


#: The value casts of InfluxQL text (``v::integer``) and their SQL types.
_CASTS = {
    "float": "DOUBLE",
    "integer": "BIGINT",
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
}


def _cast(sql: str, kind: str, cast: str) -> tuple[str, str | None]:
    """A stored field read as *cast*, as the server's cursors convert it:
    numbers between float and integer (a float truncated toward zero,
    out of range the smallest integer), any other pair null."""
    numeric = ("float", "integer")
    if kind == cast:
        return sql, kind
    if kind == "float" and cast == "integer":
        # Go's int64() of a float out of range (±Inf too) is the smallest
        # integer on amd64; a subquery's NaN, and no value, read as null.
        inside = f"{sql} >= -9223372036854775808.0 AND {sql} < 9223372036854775808.0"
        value = (
            f"CASE WHEN {sql} IS NULL OR isnan({sql}) THEN NULL WHEN {inside} THEN "
            f"CAST(trunc({sql}) AS BIGINT) ELSE -9223372036854775808 END"
        )
        return f"({value})", cast
    if kind in numeric and cast in numeric:
        return f"CAST({sql} AS {_CASTS[cast]})", cast
    return f"CAST(NULL AS {_CASTS[cast]})", cast
