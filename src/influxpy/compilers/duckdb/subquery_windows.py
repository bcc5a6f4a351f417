"""How the server pairs the inner calls of a subquery in descending order.

A subquery of several calls reads one iterator per call and pairs their
points with a cursor (``multiScannerCursor`` in influxd 1.6's
``query/cursor.go``) that, in descending order, takes the largest
(inner tags, time) among the iterators' next points and joins the
iterators whose next point has that key. Each iterator's points come
ordered by the outer query's tags (descending), then by time
(descending), then by the other inner tags (ascending). When the inner
query groups by a tag the outer one does not, that order is not the
cursor's: points of one inner row wait behind another series' points and
come out as separate rows, one per call. When every inner grouping tag is
an outer one too, the orders agree and each inner row stays whole, which
is the engine's answer.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["groups_whole_series"]


def groups_whole_series(inner: Sequence[str], outer: Sequence[str]) -> bool:
    """Whether the server keeps each inner row of several calls whole in
    descending order: the outer query groups by every inner grouping tag
    (a subquery without GROUP BY takes the outer tags, so it always does).
    """
    if "*" in inner:
        return False
    return "*" in outer or set(inner) <= set(outer)
