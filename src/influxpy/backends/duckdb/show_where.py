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

from typing import Any, Literal

from influxpy.backends.duckdb.show_literals import (
    fold_comparisons,
    read_unfolded,
    unflipped,
)
from influxpy.expressions import WhereNode
from influxpy.influxql.show_conditions import (
    BareTerm,
    boolean_error,
    literal,
    literal_value,
)
from influxpy.lookups import ExpressionLookup, NotEqual

__all__ = [
    "ORDERING",
    "deletion_where",
    "fold_literals",
    "has_time",
    "is_never",
    "left_side_error",
    "measurement_index_error",
    "select_condition",
    "tag_index_error",
    "time_conditions",
    "with_keys_present",
    "without_time",
]

#: Comparisons influxd's index refuses in the WHERE of a SHOW statement.
ORDERING = ("gt", "gte", "lt", "lte")


def fold_literals(where: WhereNode | None, read: str = "refused") -> WhereNode | None:
    """*where* with its literals folded: None when it keeps every series;
    ``false`` as a condition ``is_never`` knows, the conditions on time of
    *where* beside it (the cardinalities refuse those first). A comparison
    of two literals is folded first, and what ``Reduce`` leaves is read as
    *read* says (``show_literals.read_unfolded``; ``series``: as SHOW
    SERIES reads it, ``counted`` with a time condition, else ``true``).
    Read as a cardinality reads it (``counted``), the conditions on time
    always stay, which it refuses first, whatever stands beside them."""
    if where is None:
        return None
    written = where
    where = fold_comparisons(where)
    if read == "series":
        # With time, influxd answers from a SELECT over the series, which
        # evaluates each comparison as a cardinality does.
        timed = "counted" if has_time(where) else "true"
        return _folded_booleans(read_unfolded(where, timed))
    folded = _folded_booleans(read_unfolded(where, read))
    if read == "counted" and has_time(written):
        return _with_times(written, folded)
    return folded


def _folded_booleans(where: WhereNode | None) -> WhereNode | None:
    if where is None or not any(literal_value(n) is not None for n in where.walk()):
        return where
    if _folded(where, drop_time=True) is False:
        times = tuple(n for n in where.walk() if _on_time(n))
        return WhereNode("AND", (*times, literal(False)))
    folded = _folded(where, drop_time=False)
    if isinstance(folded, bool) or folded is None:
        return None
    return folded if isinstance(folded, WhereNode) else WhereNode("AND", (folded,))


def _with_times(written: WhereNode, where: WhereNode | None) -> WhereNode:
    """*where*, with the conditions on time of *written* when it has none."""
    if where is not None and has_time(where):
        return where
    times = tuple(n for n in written.walk() if _on_time(n))
    return WhereNode("AND", times if where is None else (*times, where))


def deletion_where(where: WhereNode | None) -> WhereNode | Literal[False] | None:
    """The condition of a DELETE or DROP SERIES folded as influxql's
    ``Reduce`` folds it (``1 = 1``, ``true``, ``host = 'a' OR 1 = 1``):
    False when it is ``false`` (nothing is deleted), an empty AND when it
    is ``true``; a comparison of literals ``Reduce`` leaves stays, for
    the store to refuse as influxd's index does."""
    if where is None:
        return None
    folded = _folded(fold_comparisons(unflipped(where)), drop_time=False)
    if folded is False:
        return False
    if folded is True or folded is None:
        return WhereNode("AND", ())
    return folded if isinstance(folded, WhereNode) else WhereNode("AND", (folded,))


def is_never(where: WhereNode | None) -> bool:
    """Whether *where* is ``false`` as ``fold_literals`` leaves it."""
    return where is not None and any(
        literal_value(child) is False for child in where.children
    )


def measurement_index_error(where: WhereNode | None) -> str | None:
    """influxd's error for the condition of SHOW MEASUREMENTS, which its
    index reads as written, the first one it meets in the order written:
    a boolean literal, a name or literal standing alone (``BareTerm``), a
    comparison whose left side is not a name
    (``'a' = 1``, ``true = true``, ``'a' =~ /a/``), an ordering, a name
    compared with a number or a boolean."""
    if where is None:
        return None
    for node in where.walk():
        value = literal_value(node)
        if value is not None:
            return boolean_error(value)
        if isinstance(node, BareTerm):
            return node.refusal
        if _on_time(node):
            continue
        refused = _index_error(node)
        if refused is not None:
            return refused
    return None


def tag_index_error(where: WhereNode | None, *, values: bool) -> str | None:
    """influxd's error for the condition of SHOW TAG KEYS (or TAG VALUES,
    *values*) its index refuses, its literals folded (``fold_literals``):
    an ordering, first of all for TAG VALUES, or ``_name`` compared with a
    number or a boolean, the first one in the order written. (TAG KEYS
    takes a comparison whose left side is not a name out; TAG VALUES
    refuses it later: ``left_side_error``.)"""
    if where is None:
        return None
    nodes = [n for n in where.walk() if not _on_time(n) and literal_value(n) is None]
    if values and any(n.lookup_name in ORDERING for n in nodes):
        return "invalid tag comparison operator"
    for node in nodes:
        if node.lookup_name in ORDERING:
            return "invalid tag comparison operator"
        if not isinstance(node, ExpressionLookup) and node.lhs.key == "_name":
            refused = _right_side_error(node)
            if refused is not None:
                return refused
    return None


def left_side_error(where: WhereNode | None) -> str | None:
    """influxd's error for the first comparison of *where* whose left side
    is not a name (``'a' = 1``, ``v + 1 = 2``, ``'a' =~ /a/``), which SHOW
    TAG VALUES refuses once it has found shards in its time range."""
    for node in where.walk() if where is not None else ():
        if isinstance(node, ExpressionLookup) and literal_value(node) is None:
            return _index_error(node)
    return None


def _index_error(node: Any) -> str | None:
    """The error of influxd's index for one comparison of a SHOW condition:
    its left side not a name, an ordering, a number or boolean compared."""
    if node.lookup_name in ORDERING:
        return "invalid tag comparison operator"
    if isinstance(node, ExpressionLookup):
        return f"left side of '{_operator(node)}' must be a tag key"
    return _right_side_error(node)


def _right_side_error(node: Any) -> str | None:
    if node.lookup_name in ("exact", "ne") and not isinstance(node.rhs, str):
        return f"right side of '{_operator(node)}' must be a tag value string"
    return None


def _operator(node: Any) -> str:
    """The InfluxQL operator of an ``=``, ``!=``, ``=~`` or ``!~``."""
    if node.lookup_name == "regex":
        return "!~" if node.negated else "=~"
    return "!=" if node.negated != (node.lookup_name == "ne") else "="


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
