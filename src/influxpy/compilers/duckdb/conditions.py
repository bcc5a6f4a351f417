"""Conditions: WHERE on tags and fields (regex too), time bounds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from influxpy.compilers.duckdb.catalog import ColumnInfo
from influxpy.compilers.duckdb.context import _Bounds, _column_sql, _CompilerBase
from influxpy.exceptions import UnsupportedCompilation
from influxpy.expressions import Now, TimeValue, WhereNode

if TYPE_CHECKING:
    from influxpy.lookups import Lookup


class ConditionsMixin(_CompilerBase):
    """SQL for the conditions of a statement and its time range."""

    def _where(
        self,
        node: WhereNode,
        columns: Mapping[str, ColumnInfo],
        *,
        with_time: bool = False,
        tags_only: bool = False,
    ) -> str:
        """SQL for a condition tree.

        Time conditions become ``TRUE`` unless *with_time* (SELECT applies
        them as bounds); with *tags_only*, field conditions become ``TRUE``
        too, which is how the server's index picks series.
        """
        parts = []
        for child in node.children:
            if isinstance(child, WhereNode):
                inner = self._where(
                    child, columns, with_time=with_time, tags_only=tags_only
                )
                parts.append(f"({inner})")
            elif child.lhs.role == "time":
                parts.append(self._time_condition(child) if with_time else "TRUE")
            elif tags_only and child.lhs.role != "tag":
                parts.append("TRUE")
            else:
                parts.append(self._lookup(child, columns))
        joiner = f" {node.connector} "
        return "(" + joiner.join(parts) + ")" if parts else "TRUE"

    def _lookup(self, lookup: Lookup, columns: Mapping[str, ColumnInfo]) -> str:
        lhs, kind = _column_sql(lookup.lhs, columns)
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
        if not _comparable(kind, lookup.rhs):
            return "FALSE"
        return f"{lhs} {op} {self._param(lookup.rhs)}"

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
            if node.lhs.role != "time":
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
