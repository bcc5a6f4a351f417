"""``_name`` in a SHOW condition: the measurement's name, as influxd reads it.

influxd reads ``_name = 'cpu'`` (``!=``, ``=~``, ``!~``) as a condition on
the measurement's name. SHOW SERIES, SHOW MEASUREMENTS and the
cardinalities but TAG VALUES judge it with each series (``bind_name``):
``_name = 'm' OR host = 'c'`` is every series of ``m`` and those with
``host = 'c'``. SHOW TAG KEYS and TAG VALUES read it apart
(``split_name``): the ``_name`` conditions alone pick the measurements
(all when there are none), the others alone filter their series, so
``_name = 'm' OR host = 'c'`` is the series of ``m`` with ``host = 'c'``.
The count of tag values reads ``_name`` as a key no series has: never
true (``bind_name`` without a measurement). ``_name`` against a number
and orderings of it are left to the statement's other rules.

``_tagKey`` in SHOW TAG VALUES' condition picks the keys as ``WITH KEY``
does (influxd rewrites one into the other): its conditions alone, each
other condition setting no bound (``split_tag_key``, ``tag_key_passes``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from influxpy.expressions import WhereNode
from influxpy.lookups import ExpressionLookup

__all__ = ["bind_name", "split_name", "split_tag_key", "tag_key_passes"]

#: The key influxd's index reads as the measurement's name.
NAME = "_name"
#: The key influxd's index reads as a tag key (SHOW TAG VALUES).
TAG_KEY = "_tagKey"


def _is_name(node: Any, name: str = NAME) -> bool:
    """Whether *node* compares ``_name`` (or *name*) with text (``=``,
    ``!=``, a regex, or ``IN`` from ``(_name = 'a' OR _name = 'b')``)."""
    if isinstance(node, (WhereNode, ExpressionLookup)):
        return False
    if node.lhs.key != name or node.lhs.role == "time":
        return False
    if node.lookup_name == "in":
        return all(isinstance(v, str) for v in node.rhs)
    return node.lookup_name in ("exact", "ne", "regex") and isinstance(node.rhs, str)


def _passes(node: Any, measurement: str) -> bool:
    if node.lookup_name == "regex":
        hit = re.search(node.rhs, measurement) is not None
    elif node.lookup_name == "in":
        hit = measurement in node.rhs
    else:
        hit = measurement == node.rhs
        if node.lookup_name == "ne":
            hit = not hit
    return bool(hit != node.negated)


def bind_name(where: WhereNode, measurement: str | None) -> WhereNode | bool:
    """*where* for the series of *measurement*: each ``_name`` condition
    true or false (all false without a measurement), folded away; True
    or False when that decides it."""
    decided: WhereNode | bool = _decided(
        where, lambda node: _name_verdict(node, measurement)
    )
    return decided


def _name_verdict(node: Any, measurement: str | None) -> bool | None:
    if not _is_name(node):
        return None
    return measurement is not None and _passes(node, measurement)


def split_name(where: WhereNode) -> tuple[WhereNode | None, WhereNode | None]:
    """*where* as influxd's index reads it for SHOW TAG KEYS and TAG
    VALUES: its ``_name`` conditions alone, and the others alone (either
    None when there is none)."""
    return _kept(where, _is_name), _kept(where, lambda node: not _is_name(node))


def _is_tag_key(node: Any) -> bool:
    return _is_name(node, TAG_KEY)


def split_tag_key(where: WhereNode) -> tuple[WhereNode | None, WhereNode | None]:
    """*where* as influxd's index reads it for SHOW TAG VALUES: its
    ``_tagKey`` conditions alone (they pick the keys), and the others
    alone (they filter the series)."""
    keys = _kept(where, _is_tag_key)
    return keys, _kept(where, lambda node: not _is_tag_key(node))


def tag_key_passes(where: WhereNode, key: str) -> bool:
    """Whether tag *key* passes the ``_tagKey`` conditions of *where*, as
    influxd's index judges them: each other condition sets no bound, so
    ``_tagKey = 'a' OR host = 'x'`` is the key ``a`` alone."""
    verdict = _key_verdict(where, key)
    return verdict is None or verdict


def _key_verdict(node: Any, key: str) -> bool | None:
    if not isinstance(node, WhereNode):
        return _passes(node, key) if _is_tag_key(node) else None
    verdicts = [v for c in node.children if (v := _key_verdict(c, key)) is not None]
    if not verdicts:
        return None
    if node.connector == "OR":
        return any(verdicts)
    return all(verdicts)


def _decided(node: WhereNode, decide: Callable[[Any], bool | None]) -> Any:
    """*node* with each condition *decide* judges replaced by its verdict,
    folded: True or False when that decides it."""
    deciding = node.connector == "OR"
    kept: list[Any] = []
    for child in node.children:
        inner = (
            _decided(child, decide) if isinstance(child, WhereNode) else decide(child)
        )
        if inner is None:
            inner = child
        if inner is deciding:
            return deciding  # True in an OR, False in an AND
        if not isinstance(inner, bool):
            kept.append(inner)
    if not kept:
        return not deciding
    return WhereNode(node.connector, tuple(kept))


def _kept(node: WhereNode, keep: Callable[[Any], bool]) -> WhereNode | None:
    """*node* with only the conditions *keep* keeps; an AND or OR left
    empty goes (influxql's ``RewriteExpr`` dropping the others)."""
    kept: list[Any] = []
    for child in node.children:
        if isinstance(child, WhereNode):
            inner = _kept(child, keep)
            if inner is not None:
                kept.append(inner)
        elif keep(child):
            kept.append(child)
    return WhereNode(node.connector, tuple(kept)) if kept else None
