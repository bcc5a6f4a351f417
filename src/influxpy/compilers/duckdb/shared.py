"""One aggregate for the calls of a SELECT that group the same rows alike.

``SELECT mean(v), max(v), min(v) FROM m GROUP BY time(5m), host`` compiles
each call to a relation of its own (``windows``). Where two calls read the
same rows into the same groups (the same field, window and HAVING), their
aggregates differ only in the value they compute: one ``GROUP BY`` computes
them all, and each call's relation reads its column. DuckDB would otherwise
hash every row into the groups once per call.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from influxpy.compilers.duckdb.catalog import ident

__all__ = ["SharedAggregates"]


class SharedAggregates:
    """The aggregates shared by the calls of one compiled statement: for
    each, the values its calls compute, by the CTE's name."""

    def __init__(self) -> None:
        # By the CTE list (held, so that its id stays its own) and name: a
        # subquery's SELECT has a list of its own and can name the same CTE.
        self._values: dict[tuple[int, str], tuple[list[str], list[str]]] = {}

    def read(
        self, ctes: list[str], columns: Sequence[str], time: str, value: str, tail: str
    ) -> str:
        """The SELECT of ``(columns…, time, v)`` of one call, reading *value*
        from the aggregate of *columns* and *time* (the window, as an
        expression) over *tail* (``FROM … GROUP BY … [HAVING …]``) that
        *ctes* holds, which it adds to *ctes* or widens by *value*."""
        head = ", ".join([*columns, f"{time} AS time"])
        digest = hashlib.sha1(f"{head}\0{tail}".encode()).hexdigest()[:16]
        name = f"shared_{digest}"
        prefix = f"{name} AS ("
        held = self._values.get((id(ctes), name))
        index = next((i for i, c in enumerate(ctes) if c.startswith(prefix)), None)
        if held is None or index is None:
            values: list[str] = []
            self._values[(id(ctes), name)] = (ctes, values)
            ctes.append("")
            index = len(ctes) - 1
        else:
            values = held[1]
        if value in values:
            position = values.index(value)
        else:
            values.append(value)
            position = len(values) - 1
        outputs = ", ".join(f"{v} AS {_column(i)}" for i, v in enumerate(values))
        ctes[index] = f"{prefix}SELECT {head}, {outputs} {tail})"
        kept = ", ".join([*columns, "time", f"{_column(position)} AS v"])
        return f"SELECT {kept} FROM {name}"


def _column(index: int) -> str:
    """The column of the *index*-th value of a shared aggregate."""
    return ident(f"\nshared_{index}")
