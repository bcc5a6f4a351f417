"""Conditions: WHERE on tags and fields (regex too), time bounds, and
comparisons over arithmetic (``f + 1 > 4``, ``f * 2 >= g``, ``1 = 1``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from influxpy.compilers.duckdb.bitwise import (
    bitwise,
    boolean_comparison,
    row_comparison,
)
from influxpy.compilers.duckdb.call_casts import cast_column_sql
from influxpy.compilers.duckdb.catalog import ColumnInfo, find_column
from influxpy.compilers.duckdb.context import _Bounds, _CompilerBase
from influxpy.exceptions import UnsupportedCompilation
from influxpy.expressions import (
    BITWISE,
    Col,
    CombinedExpression,
    Expression,
    Now,
    TimeValue,
    Value,
    WhereNode,
)
from influxpy.functions import Func
from influxpy.influxql.show_conditions import literal_value
from influxpy.lookups import ExpressionLookup, Lookup

#: What a comparison operand is: SQL and its kind (``None``: no value).
_Operand = tuple[str, str | None]


class ConditionsMixin(_CompilerBase):
    """SQL for the conditions of a statement and its time range."""

    def _where(
        self,
        node: WhereNode,
        columns: Mapping[str, ColumnInfo],
        *,
        with_time: bool = False,
        tags_only: bool = False,
        rows: bool = False,
        missing: frozenset[str] = frozenset(),
    ) -> str:
        """SQL for a condition tree.

        Time conditions become ``TRUE`` unless *with_time* (SELECT applies
        them as bounds); with *tags_only*, field conditions become ``TRUE``
        too, which is how the server's index picks series. *rows*: the
        condition of a query over a subquery, which influxd evaluates on
        each row as a select list (``bitwise``: a missing value beside a
        boolean reads as ``false``). *missing*: the subquery's columns
        without a type (null in every row), each a missing value there, not
        a tag.
        """
        parts = []
        for child in node.children:
            if isinstance(child, WhereNode):
                inner = self._where(
                    child,
                    columns,
                    with_time=with_time,
                    tags_only=tags_only,
                    rows=rows,
                    missing=missing,
                )
                parts.append(f"({inner})")
            elif isinstance(child, ExpressionLookup):
                # Evaluated on each point: the series index cannot pick by it.
                compared = "TRUE" if tags_only else None
                parts.append(compared or self._comparison(child, columns, rows=rows))
            elif child.lhs.role == "time":
                parts.append(self._time_condition(child) if with_time else "TRUE")
            elif tags_only:
                parts.append(self._index_lookup(child, columns))
            else:
                parts.append(self._lookup(child, columns, rows=rows, missing=missing))
        joiner = f" {node.connector} "
        return "(" + joiner.join(parts) + ")" if parts else "TRUE"

    def _index_lookup(self, lookup: Lookup, columns: Mapping[str, ColumnInfo]) -> str:
        """A condition as the server's index reads it to pick series.

        The index (``idsForExpr``) takes a name as a field, and lets every
        series through, when the text casts it to a field type or, without
        a cast, when the measurement has a field of that name; any other
        name is a tag, '' in the series without it (a name no series has
        matches only ''). The role the QuerySet's model declares does not
        count: the text the server gets has no cast.
        """
        col = lookup.lhs
        if col.cast is not None:
            if col.cast != "tag":
                return "TRUE"
        else:
            found = find_column(columns, col.key)
            if found is not None and found[1].role == "field":
                return "TRUE"
            col = dataclasses.replace(col, role="unknown")
        if lookup.lookup_name != "isnull" and _not_text(lookup.rhs):
            # A tag compared with a number or a boolean: the index lets every
            # series through and leaves the comparison to the points.
            return "TRUE"
        return self._lookup(dataclasses.replace(lookup, lhs=col), columns)

    def _lookup(
        self,
        lookup: Lookup,
        columns: Mapping[str, ColumnInfo],
        *,
        rows: bool = False,
        missing: frozenset[str] = frozenset(),
    ) -> str:
        if (
            isinstance(lookup.rhs, (Col, CombinedExpression, Value))
            and lookup.lookup_name in ExpressionLookup.names
        ):
            return self._comparison(lookup, columns, rows=rows)
        lhs, kind = cast_column_sql(lookup.lhs, columns)
        key = lookup.lhs.key
        if key in missing and find_column(columns, key) is None:
            # A subquery's column without a type is a missing value in each
            # row, whatever the cast: it matches nothing (beside a boolean
            # it reads as false), as influxd's evaluator answers nil.
            lhs, kind = "CAST(NULL AS VARCHAR)", "string"
        if isinstance(lookup.rhs, bool) and lookup.lookup_name in self.operators:
            return self._boolean_lookup(lookup, (lhs, kind), rows=rows)
        if kind is None:
            # The server reads a name it does not know as a tag, absent
            # everywhere: its value is ''.
            lhs, kind = "''", "tag"
        name = lookup.lookup_name
        if name == "isnull":
            absent = lookup.rhs != lookup.negated
            return f"{lhs} {'=' if absent else '!='} ''"
        if name in self._REGEX_LOOKUPS:
            if kind not in ("tag", "string"):
                return "FALSE"
            test = f"regexp_matches({lhs}, {self._param(lookup.rhs)})"
            return f"NOT {test}" if lookup.negated else test
        if name == "in":
            values = [v for v in lookup.rhs if _comparable(kind, v)]
            if not values:
                return "FALSE"
            placeholders = ", ".join(self._param(v) for v in values)
            op = "NOT IN" if lookup.negated else "IN"
            return f"{lhs} {op} ({placeholders})"
        positive, negative = self.operators[name]
        op = negative if lookup.negated else positive
        if not _comparable(kind, lookup.rhs) or (
            isinstance(lookup.rhs, str) and op not in ("=", "!=")
        ):
            # influxd orders no text: a tag's index (1.6's default, in
            # memory) picks no series for it, and a string field's points
            # match nothing.
            return "FALSE"
        compared = f"{lhs} {op} {self._param(lookup.rhs)}"
        if kind == "float" and op in (">", ">="):
            # A subquery's NaN: DuckDB orders it above every number, Go
            # compares it as unequal to everything.
            return f"({compared} AND NOT isnan({lhs}))"
        return compared

    def _boolean_lookup(
        self, lookup: Lookup, column: _Operand, *, rows: bool = False
    ) -> str:
        """A column compared with ``true`` or ``false``: booleans compare by
        ``=`` and ``!=`` only; over a subquery a missing value reads as
        ``false`` (``bitwise.row_comparison``)."""
        lhs, kind = column
        positive, negative = self.operators[lookup.lookup_name]
        op = negative if lookup.negated else positive
        value = self._param(lookup.rhs)
        if rows and kind is not None:
            compared = row_comparison((lhs, kind), op, (value, "boolean"))
            assert compared is not None
            return compared
        if kind != "boolean" or op not in ("=", "!="):
            return "FALSE"
        return f"{lhs} {op} {value}"

    def _comparison(
        self,
        lookup: Lookup | ExpressionLookup,
        columns: Mapping[str, ColumnInfo],
        *,
        rows: bool = False,
    ) -> str:
        """``lhs op rhs`` where a side is arithmetic, a column or a literal,
        as influxd's condition evaluator compares them: numbers with numbers
        (integer and float mixed), strings and booleans by ``=`` and ``!=``
        only; anything else, and a missing value, matches nothing (over a
        subquery, *rows*, a missing value beside a boolean is ``false``)."""
        a, ka = self._operand(lookup.lhs, columns, rows=rows)
        b, kb = self._operand(lookup.rhs, columns, rows=rows)
        positive, negative = self.operators[lookup.lookup_name]
        op = negative if lookup.negated else positive
        arithmetic = (
            isinstance(lookup.lhs, CombinedExpression),
            isinstance(lookup.rhs, CombinedExpression),
        )
        known = all(
            arithmetic[i] or kind is not None for i, kind in enumerate((ka, kb))
        )
        if rows and known:
            compared = row_comparison((a, ka), op, (b, kb))
            if compared is not None:
                return compared
        boolean = boolean_comparison((a, ka), op, (b, kb), arithmetic)
        if boolean is not None:
            return boolean
        if ka in self._NUMERIC and kb in self._NUMERIC:
            compared = f"({a} {op} {b})"
            if "float" in (ka, kb):
                # Go compares NaN (a float modulo by zero) as unequal to
                # everything; DuckDB orders it above every number.
                nan = f"isnan(CAST({a} AS DOUBLE)) OR isnan(CAST({b} AS DOUBLE))"
                unequal = "TRUE" if op == "!=" else "FALSE"
                compared = f"(CASE WHEN {nan} THEN {unequal} ELSE {compared} END)"
            return f"coalesce({compared}, FALSE)"
        texts = ("string", "tag")
        same = (ka in texts and kb in texts) or (ka == kb == "boolean")
        if same and op in ("=", "!="):
            return f"coalesce(({a} {op} {b}), FALSE)"
        return "FALSE"

    def _operand(
        self, node: Any, columns: Mapping[str, ColumnInfo], *, rows: bool = False
    ) -> _Operand:
        """SQL and kind of one side of a comparison (Go's evaluator rules:
        integer division truncates, division and integer modulo by zero
        give 0, a float modulo by zero NaN; only numbers do arithmetic, and
        a missing value stays missing)."""
        if isinstance(node, Col):
            if node.role == "time":
                return "NULL", None
            return cast_column_sql(node, columns)
        if isinstance(node, Value):
            node = node.value
        if isinstance(node, CombinedExpression):
            return self._arithmetic(
                self._operand(node.lhs, columns, rows=rows),
                node.op,
                self._operand(node.rhs, columns, rows=rows),
                rows=rows,
            )
        if (
            isinstance(node, Func)
            and node.name in self.functions
            and node.source is not None
        ):
            # Row-wise math (``abs(v) > 1``): each point's value, as in a
            # select list; NaN and ±Inf stay values the comparison reads.
            # Over a subquery's rows influxd evaluates nothing (false).
            if rows:
                return "NULL", None

            def leaf(inner: Any) -> _Operand:
                return self._operand(inner, columns, rows=rows)

            return self._math(node, leaf(node.source), leaf)
        if isinstance(node, bool):
            return self._param(node), "boolean"
        if isinstance(node, (int, float)):
            return self._param(node), "integer" if isinstance(node, int) else "float"
        if isinstance(node, str):
            return self._param(node), "string"
        return "NULL", None

    def _math(self, func: Func, arg: _Operand, leaf: Any) -> _Operand:
        """Defined in ``scalars``."""
        raise NotImplementedError

    def _arithmetic(
        self, left: _Operand, op: str, right: _Operand, *, rows: bool = False
    ) -> _Operand:
        if op in BITWISE:
            return bitwise(left, op, right, condition=True, rows=rows)
        (a, ka), (b, kb) = left, right
        if ka not in self._NUMERIC or kb not in self._NUMERIC:
            return "NULL", None
        if ka == kb == "integer":
            if op not in ("/", "%"):
                return f"({a} {op} {b})", "integer"
            sql_op = "//" if op == "/" else "%"  # both truncate, as Go's
            zero, kind = "0", "integer"
        else:
            a, b = f"CAST({a} AS DOUBLE)", f"CAST({b} AS DOUBLE)"
            if op not in ("/", "%"):
                return f"({a} {op} {b})", "float"
            # DuckDB's % on doubles is C's fmod, as Go's math.Mod (its
            # fmod() is not: it takes the divisor's sign).
            sql_op, kind = op, "float"
            zero = "0.0" if op == "/" else "'NaN'::DOUBLE"
        sql = (
            f"(CASE WHEN {a} IS NULL OR {b} IS NULL THEN NULL WHEN {b} = 0 "
            f"THEN {zero} ELSE {a} {sql_op} {b} END)"
        )
        return sql, kind

    def _time_value(self, value: Any) -> int:
        if isinstance(value, TimeValue):
            return value.ns
        if isinstance(value, Now):
            return self.now_ns + value.offset_ns
        msg = f"Unexpected time value {value!r}."
        raise UnsupportedCompilation(
            msg, dialect=self.dialect, node=type(value).__name__
        )

    def _time_condition(self, lookup: Lookup) -> str:
        positive, negative = self.operators[lookup.lookup_name]
        op = negative if lookup.negated else positive
        return f"time {op} {int(self._time_value(lookup.rhs))}"

    def _bounds(self, where: WhereNode | None) -> _Bounds:
        bounds = _Bounds()
        if where is None:
            return bounds
        stack = list(where.children) if where.connector == "AND" else []
        if where.connector != "AND" and len(where.children) == 1:
            stack = list(where.children)
        while stack:
            node = stack.pop()
            if isinstance(node, WhereNode):
                if node.connector == "AND" or len(node.children) == 1:
                    stack.extend(node.children)
                continue
            if isinstance(node, ExpressionLookup) or node.lhs.role != "time":
                continue
            value = self._time_value(node.rhs)
            name = node.lookup_name
            if node.negated:
                name = {"gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt"}.get(
                    name, name
                )
            if name in ("gt", "gte", "exact"):
                low = value + 1 if name == "gt" else value
                bounds.lower = low if bounds.lower is None else max(bounds.lower, low)
            if name in ("lt", "lte", "exact"):
                high = value - 1 if name == "lt" else value
                bounds.upper = high if bounds.upper is None else min(bounds.upper, high)
        return bounds


def _comparable(kind: str | None, value: Any) -> bool:
    """InfluxDB matches nothing when a literal's type differs from the column's."""
    if kind is None:
        return False
    if kind in ("tag", "string"):
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def index_condition_error(where: WhereNode) -> str | None:
    """influxd's error for the condition of SHOW SERIES over an expression
    (``WHERE f + 1 = 2``, ``'a' < 'b'``), which its series index refuses
    as it refuses any operator but ``=``, ``!=``, ``=~``, ``!~``, AND and
    OR, and arithmetic on either side (``host = 'b' + 1``); ``None`` when
    *where* has none.

    The store reads the literals of a SHOW condition first
    (``show_literals``): a comparison of literals is folded or read as the
    statement reads it (a cardinality evaluates every comparison of an
    expression), and a boolean literal is the store's to judge, so the walk
    stops at it. SHOW MEASUREMENTS, TAG KEYS and TAG VALUES read their
    condition in their own order (``show_where``); a DELETE or DROP SERIES
    refuses an expression as it refuses a field (``fields not supported…``,
    naming a shard).
    """
    for node in where.walk():
        if literal_value(node) is not None:
            return None
        if not isinstance(node, ExpressionLookup | Lookup):
            continue
        sides = (node.lhs, node.rhs)
        arithmetic = any(
            isinstance(n, CombinedExpression)
            for side in sides
            if isinstance(side, Expression)
            for n in side.walk()
        )
        if arithmetic or (
            isinstance(node, ExpressionLookup)
            and node.lookup_name not in ("exact", "ne")
        ):
            # A call compared by ``=`` or ``!=`` (``abs(v) = 1``) is left to
            # the points, as a field's comparison is.
            return "invalid tag comparison operator"
    return None


def _not_text(value: Any) -> bool:
    """Whether a lookup's value (or one of a list's) is not text: a number
    or a boolean, which the server's index cannot match against tags."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_not_text(v) for v in value)
    return value is not None and not isinstance(value, str)
