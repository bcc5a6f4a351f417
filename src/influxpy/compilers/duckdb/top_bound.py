"""The least value TOP can pick (the greatest for BOTTOM), from a sample.

``TOP(x, N)`` over all the rows of a query (no GROUP BY) picks the ``N``
greatest values, ties to the earliest time: one top-n pass over every row
(``multirow.py``). The ``N``-th greatest value of a sample of those rows is
at most the ``N``-th greatest of them all, so every point TOP picks has a
value at least that. Bound as a constant, ``x >= bound`` is a filter DuckDB
evaluates inside the table's scan: only the few rows that may be picked
leave it for the top-n pass (over 10,000,000 points, 6.5 ms against 15
ms, the sample's statement 1 ms). BOTTOM is the same with the least
values and ``x <= bound``.

The sample (DuckDB's ``system`` sample, whole vectors, drawn inside the
scan) is read with the query's own conditions, in the query's snapshot
(a ``Binding``), so its rows are some of the rows the query reads. With
fewer than ``N`` of them (a small table: few vectors to draw from) the bound
is the least (greatest) value of the column's type and keeps every row.
The sample only decides how many rows the top-n pass reads, never the
answer: ``tests/conformance/test_top_bound.py`` compares the answers with
samples of every row, of none and of some, against influxd's.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from influxpy.compilers.duckdb.plan import Binding

__all__ = ["SAMPLE", "best_bound"]

#: How much of the rows the bound is drawn from (whole vectors).
SAMPLE = "1% (system)"

#: What keeps every row, by the kind of the column compared: the least
#: (TOP) and the greatest (BOTTOM) value of its type.
_EVERY_ROW = {
    "float": (float("-inf"), float("inf")),
    "integer": (-(2**63), 2**63 - 1),
}


def best_bound(
    name: str,
    x: str,
    kind: str | None,
    n: int,
    *,
    top: bool,
    table: str,
    where: str,
) -> tuple[str, Binding] | None:
    """The condition that keeps the rows TOP (*top*) or BOTTOM of *n* points
    of column *x* (of *kind*) may pick from *table*'s rows matching *where*
    (the query's rows with a value of *x*),
    and the binding of its bound, the parameter *name*; None where no bound
    applies (a column of another kind, rows that are not a table's)."""
    if kind not in _EVERY_ROW or not table.startswith('"') or n < 1:
        return None
    least, greatest = _EVERY_ROW[kind]
    pick = "max" if top else "min"
    sampled = Binding(
        f"SELECT {pick}({x}, {n}) FROM {table} TABLESAMPLE {SAMPLE} WHERE {where}",
        {},
        (name,),
        functools.partial(_nth_best, n=n, missing=least if top else greatest),
    )
    return f"{x} {'>=' if top else '<='} ${name}", sampled


def _nth_best(row: Sequence[Any], *, n: int, missing: Any) -> tuple[Any]:
    """The bound from the sample's row: the *n*-th of its best values, in
    DuckDB's order (*missing* when it has fewer)."""
    values = row[0]
    if values is None or len(values) < n:
        return (missing,)
    return (values[n - 1],)
