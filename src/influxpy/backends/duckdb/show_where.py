"""How influxd 1.6.7's SHOW statements read their WHERE, on the engine.

Conditions on time (``has_time``), the condition a SELECT over the series
reads (``select_condition``, ``with_keys_present``), and ``true`` and
``false``, which ``influxql.show_conditions`` keeps in the condition: SHOW
TAG KEYS, TAG VALUES, SERIES and the cardinalities take the times out of
the condition first (``time > 5 OR false`` is ``false``), then fold the
literals as influxql's ``Reduce`` does: ``x AND false`` is ``false`` and
``x OR false`` is ``x``, whatever ``x``. A condition folding to ``false``
fails SHOW TAG KEYS and TAG VALUES with the literal's text and answers
nothing for the others. SHOW MEASUREMENTS fails on the first literal its
index meets, in the order written. A comparison of two literals those
statements fold first (``show_literals``: ``1 = 2`` is ``false``).

SHOW TAG KEYS and TAG VALUES read time as influxql's ``ConditionExpr``
does: every condition on time bounds one time range, intersected even
across OR (``time_conditions``), which picks the shard groups, and is
taken out of the condition (``without_time``: ``time > 5 OR host = 'a'``
is ``host = 'a'``).
"""

from __future__ import annotations

from typing import Any

from influxpy.backends.duckdb.show_literals import fold_comparisons
from influxpy.expressions import WhereNode
from influxpy.influxql.show_conditions import boolean_error, literal, literal_value
from influxpy.lookups import ExpressionLookup, NotEqual

__all__ = [
    "ORDERING",
    "fold_literals",
    "has_time",
    "is_never",
    "measurement_literal_error",
    "select_condition",
    "time_conditions",
    "with_keys_present",
    "without_time",
]

#: Comparisons influxd's index refuses in the WHERE of a SHOW statement.
ORDERING = ("gt", "gte", "lt", "lte")


def fold_literals(where: WhereNode | None) -> WhereNode | None:
    """*where* with its literals folded: None when it keeps every series;
    ``false`` as a condition ``is_never`` knows, the conditions on time of
    *where* beside it (the cardinalities refuse those first). A comparison
    of two literals is folded first (``show_literals``)."""
    if where is not None:
        where = fold_comparisons(where)
    if where is None or not any(literal_value(n) is not None for n in where.walk()):
        return where
    if _folded(where, drop_time=True) is False:
        times = tuple(n for n in where.walk() if _on_time(n))
        return WhereNode("AND", (*times, literal(False)))
    folded = _folded(where, drop_time=False)
    if isinstance(folded, bool) or folded is None:
        return None
    return folded if isinstance(folded, WhereNode) else WhereNode("AND", (folded,))


def is_never(where: WhereNode | None) -> bool:
    """Whether *where* is ``false`` as ``fold_literals`` leaves it."""
    return where is not None and any(
        literal_value(child) is False for child in where.children
    )


def measurement_literal_error(where: WhereNode | None) -> str | None:
    """influxd's error for SHOW MEASUREMENTS when a boolean literal is the
    first condition its index cannot read; None when another one comes
    first (its own error) or there is none."""
    if where is None:
        return None
    for node in where.walk():
        value = literal_value(node)
        if value is not None:
            return boolean_error(value)
        if isinstance(node, ExpressionLookup) or _on_time(node):
            return None
        if node.lookup_name in ORDERING:
            return None
        if node.lookup_name in ("exact", "ne") and not isinstance(node.rhs, str):
            return None
    return None


def _on_time(node: Any) -> bool:
    return not isinstance(node, ExpressionLookup) and node.lhs.role == "time"


def _folded(node: Any, *, drop_time: bool) -> Any:
    """*node* folded: True or False when a literal decides it, None when
    nothing is left (*drop_time*: a condition on time is taken out)."""
    if not isinstance(node, WhereNode):
        value = literal_value(node)
        if value is not None:
            return value
        return None if drop_time and _on_time(node) else node
    deciding = node.connector == "OR"
    kept: list[Any] = []
    seen: set[bool] = set()
    for child in node.children:
        inner = _folded(child, drop_time=drop_time)
        if inner is deciding:
            return deciding  # True in an OR, False in an AND
        if isinstance(inner, bool):
            seen.add(inner)
        elif inner is not None:
            kept.append(inner)
    if not kept:
        return seen.pop() if seen else None
    if len(kept) == 1:
        return kept[0]
    return WhereNode(node.connector, tuple(kept))


def has_time(node: WhereNode) -> bool:
    """Whether a condition of *node* is on time."""
    return any(
        has_time(child)
        if isinstance(child, WhereNode)
        else not isinstance(child, ExpressionLookup) and child.lhs.role == "time"
        for child in node.children
    )


def select_condition(
    node: WhereNode, fields: set[str], *, drop_time: bool = False
) -> WhereNode | bool:
    """*node* as influxd's SELECT over the series reads it, where SHOW
    statements with a time condition (and the exact cardinalities) go: its
    conditions on *fields* false (and on time true), as are comparisons a
    tag cannot pass there; True or False when that decides it.

    With *drop_time*, a condition on time is taken out instead, as
    influxd's SHOW SERIES takes it out for the time range: ``time > 5 OR
    host = 'a'`` reads ``host = 'a'``, and only time in an OR passes all.
    """
    kept: list[Any] = []
    dropped = False
    for child in node.children:
        if isinstance(child, WhereNode):
            inner: Any = select_condition(child, fields, drop_time=drop_time)
        elif child.lhs.role == "time":
            inner = None if drop_time else True
        elif (
            child.lhs.key in fields
            or child.lookup_name in ("gt", "gte", "lt", "lte")
            or not isinstance(child.rhs, str)
        ):
            # A field's value, an ordered tag or a tag against a number or
            # boolean: never true in influxd's SELECT over the series.
            inner = False
        else:
            inner = child
        if inner is None:
            dropped = True
            continue
        if inner is (node.connector == "OR"):
            return inner  # True in an OR, False in an AND, decides it
        if not isinstance(inner, bool):
            kept.append(inner)
    if not kept:
        if node.connector == "OR" and dropped and drop_time:
            # Every other operand was false: only the dropped time is left
            # when nothing at all is false (``time > 5 OR time < 3``).
            return all(_is_time(child) for child in node.children)
        return node.connector == "AND"
    return WhereNode(node.connector, tuple(kept))


def with_keys_present(node: WhereNode) -> WhereNode:
    """*node* with each comparison of a tag also requiring the series to
    have that tag, as influxd's count of tag values reads a condition: a
    series without the key matches none (``dc != 'x'``, ``dc = ''``), where
    ``SHOW TAG VALUES`` reads the missing tag as ``''``."""
    children: list[Any] = []
    for child in node.children:
        if isinstance(child, WhereNode):
            children.append(with_keys_present(child))
        elif child.lhs.role == "time":
            children.append(child)
        else:
            present = NotEqual(child.lhs, "")
            children.append(WhereNode("AND", (present, child)))
    return WhereNode(node.connector, tuple(children))


def _is_time(node: Any) -> bool:
    """Whether *node* holds conditions on time only."""
    if isinstance(node, WhereNode):
        return all(_is_time(child) for child in node.children)
    return bool(node.lhs.role == "time")


def time_conditions(node: WhereNode) -> WhereNode:
    """Every condition on time of *node*, as one AND: influxql's
    ``ConditionExpr`` intersects their ranges, under OR too."""
    return WhereNode("AND", tuple(n for n in node.walk() if _on_time(n)))


def without_time(node: WhereNode) -> WhereNode | None:
    """*node* with its conditions on time taken out, as influxql's
    ``ConditionExpr`` takes them out: an AND or OR keeps what is left of
    it, and goes when nothing is (None: every series passes)."""
    kept: list[Any] = []
    for child in node.children:
        if isinstance(child, WhereNode):
            inner = without_time(child)
            if inner is not None:
                kept.append(inner)
        elif not _on_time(child):
            kept.append(child)
    return WhereNode(node.connector, tuple(kept)) if kept else None
