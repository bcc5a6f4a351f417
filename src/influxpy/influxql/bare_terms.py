"""An arithmetic or bitwise term standing as a condition over a subquery.

influxd evaluates the WHERE of a SELECT over a subquery on each row and
keeps the rows where it is the boolean ``true``: a term that is not a
comparison (``WHERE t | u``, ``WHERE b ^ c``, ``WHERE f + 1``) keeps the
rows where its value is ``true``, so a number never passes. Beside it, OR
is false whenever the term is not a boolean (``a = 2 OR b ^ c`` of
integers keeps nothing), as AND already is. The term becomes ``term =
true`` (``truth``), and such an OR requires the term to be a boolean
(``guarded``). Only the store knows the term's type.
"""

from __future__ import annotations

from collections.abc import Sequence

from influxpy.expressions import Expression, WhereNode
from influxpy.lookups import ExpressionLookup

__all__ = ["guarded", "truth"]


def truth(term: Expression) -> ExpressionLookup:
    """*term* as a condition: its value is ``true``."""
    return ExpressionLookup(term, "exact", True)


def guarded(condition: WhereNode, terms: Sequence[Expression]) -> WhereNode:
    """An OR *condition* true only where each of its *terms* (the sides of
    it that are arithmetic or bitwise) is a boolean."""
    if not terms:
        return condition
    checks = tuple(
        WhereNode("OR", (truth(term), ExpressionLookup(term, "exact", False)))
        for term in terms
    )
    return WhereNode("AND", (condition, *checks))
