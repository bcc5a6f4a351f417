"""One aggregate for the calls of a SELECT that group the same rows alike.

``SELECT mean(v), max(v), min(v) FROM m GROUP BY time(5m), host`` compiles
each call to a relation of its own (``windows``). Where two calls read the
same rows into the same groups (the same field, window and HAVING), their
aggregates differ only in the value they compute: one ``GROUP BY`` computes
them all, and each call's relation reads its column. DuckDB would otherwise
hash every row into the groups once per call.

The series' parts of float SUMs and MEANs (``folds.series_rows``) are
shared across fields too: ``mean(cpu), mean(memory)`` group the rows by
window and series once, each field's total and count kept apart, and each
call reads the parts where its field has points.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from influxpy.compilers.duckdb.aliases import PART, PART_COUNT
from influxpy.compilers.duckdb.catalog import ident

__all__ = ["SharedAggregates"]

#: A field's series' part: its column, its total and its count
#: (``folds._part_sums``).
_Part = tuple[str, str, str]


class SharedAggregates:
    """The aggregates shared by the calls of one compiled statement: for
    each, the values its calls compute, by the CTE's name."""

    def __init__(self) -> None:
        # By the CTE list (held, so that its id stays its own) and name: a
        # subquery's SELECT has a list of its own and can name the same CTE.
        self._held: dict[tuple[int, str], tuple[list[str], list[Any]]] = {}

    def _widen(
        self, ctes: list[str], kind: str, key: str, item: Any
    ) -> tuple[str, int, list[Any], int]:
        """The CTE of *kind* that the text *key* names: its name, its place
        in *ctes* (a new, empty one when *ctes* has no such CTE yet), what
        it computes, with *item* added, and *item*'s position there."""
        name = f"{kind}_{hashlib.sha1(key.encode()).hexdigest()[:16]}"
        prefix = f"{name} AS ("
        held = self._held.get((id(ctes), name))
        index = next((i for i, c in enumerate(ctes) if c.startswith(prefix)), None)
        if held is None or index is None:
            items: list[Any] = []
            self._held[(id(ctes), name)] = (ctes, items)
            ctes.append("")
            index = len(ctes) - 1
        else:
            items = held[1]
        if item not in items:
            items.append(item)
        return name, index, items, items.index(item)

    def read(
        self, ctes: list[str], columns: Sequence[str], time: str, value: str, tail: str
    ) -> str:
        """The SELECT of ``(columns…, time, v)`` of one call, reading *value*
        from the aggregate of *columns* and *time* (the window, as an
        expression) over *tail* (``FROM … GROUP BY … [HAVING …]``) that
        *ctes* holds, which it adds to *ctes* or widens by *value*."""
        head = ", ".join([*columns, f"{time} AS time"])
        name, index, values, position = self._widen(
            ctes, "shared", f"{head}\0{tail}", value
        )
        outputs = ", ".join(f"{v} AS {_column(i)}" for i, v in enumerate(values))
        ctes[index] = f"{name} AS (SELECT {head}, {outputs} {tail})"
        kept = ", ".join([*columns, "time", f"{_column(position)} AS v"])
        return f"SELECT {kept} FROM {name}"

    def parts(
        self,
        ctes: list[str],
        keys: Sequence[tuple[str, str]],
        series: Sequence[str],
        where: str,
        part: _Part,
    ) -> str:
        """The relation of one field's series' parts ``(keys' names…,
        series…, PART, PART_COUNT)``: *part* is the field's column, total
        and count (aggregates that skip the rows without the field's
        value), over the rows of ``base`` meeting *where* that hold a value
        of any field, grouped by the *keys* (``(sql, name)``) and the
        *series* columns, in the aggregate of *ctes* shared by every field
        so grouped (added to *ctes*, or widened by the field). A call reads
        the parts where its field has points."""
        names = [n for _sql, n in keys]
        selected = [sql if sql == n else f"{sql} AS {n}" for sql, n in keys]
        head = ", ".join([*selected, *series])
        name, index, fields, position = self._widen(
            ctes, "shared_parts", f"{head}\0{where}", part
        )
        sums = []
        for i, (_x, total, count) in enumerate(fields):
            sums.append(f"{total} AS {_column(2 * i)}")
            sums.append(f"{count} AS {_column(2 * i + 1)}")
        present = " OR ".join(f"{x} IS NOT NULL" for x, _t, _c in fields)
        ctes[index] = (
            f"{name} AS (SELECT {head}, {', '.join(sums)} FROM base "
            f"WHERE ({present}) AND {where} GROUP BY ALL)"
        )
        count = _column(2 * position + 1)
        kept = ", ".join(
            [
                *names,
                *series,
                f"{_column(2 * position)} AS {PART}",
                f"{count} AS {PART_COUNT}",
            ]
        )
        return f"(SELECT {kept} FROM {name} WHERE {count} > 0)"


def _column(index: int) -> str:
    """The column of the *index*-th value of a shared aggregate."""
    return ident(f"\nshared_{index}")
