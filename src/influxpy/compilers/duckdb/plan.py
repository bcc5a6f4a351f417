"""What the embedded engine needs beyond a statement's SQL: its plan.

``DuckDBCompiler`` returns a ``Compiled`` whose ``plan`` is one of these
frozen dataclasses; the engine backend (``influxpy.backends.duckdb``)
reads it by attribute to decide what to do with the statement and how to
cut its rows into series:

- ``EmptyPlan``: the statement reads nothing (no table matches); there is
  no SQL to run and no series to return.
- ``DeletePlan``: the SQL deletes points.
- ``SelectPlan``: the SQL returns rows of ``(group tag values…, time,
  columns…)`` ordered by series then time; of several measurements, its
  ``parts`` are the SELECTs to run one after the other.
- ``IntoPlan``: the SQL returns the rows a ``SELECT … INTO`` writes, and
  where to write them.

A SELECT or INTO plan may carry ``bindings``: statements the backend runs
first, in order and in the SQL's snapshot, whose rows bind parameters of
the SQL (``Binding``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from influxpy.compilers.base import Compiled, Plan
from influxpy.compilers.duckdb.stream import StreamPlan

__all__ = [
    "Binding",
    "DeletePlan",
    "EmptyPlan",
    "EnginePlan",
    "HeapOrder",
    "IntoPlan",
    "SelectPlan",
    "bindings_of",
]


@dataclasses.dataclass(frozen=True)
class EmptyPlan(Plan):
    """A statement that reads nothing: no SQL to run, no series to return."""


@dataclasses.dataclass(frozen=True)
class DeletePlan(Plan):
    """A ``DELETE``: the SQL removes the matching points."""


@dataclasses.dataclass(frozen=True)
class HeapOrder:
    """A raw SELECT whose rows at one time the backend puts in the order of
    influxd's merge heap (``backends/duckdb/heap_order.py``): its rows end
    with the series key, and its LIMIT and OFFSET are applied after."""

    #: The database and retention policy read (None: the defaults), whose
    #: shard groups the heap starts again at.
    database: str | None
    retention_policy: str | None
    limit: int | None
    offset: int | None
    #: How many text values are compared before the series key (0: the
    #: times alone): the rows end with them and the key, a column each
    #: (``aliases.tie_columns``).
    texts: int = 0
    #: Where the texts tell every two series apart unless a row lacks one
    #: (``ties.RawTie.lacking``): the statement whose one row says whether
    #: any row read does ...
    lacking: Compiled | None = dataclasses.field(default=None, repr=False)
    #: ... and the statement to run instead where none does: the same rows
    #: in the SQL's order by time and texts, LIMIT and OFFSET counted by
    #: the SQL, without the replay's columns.
    unreplayed: Compiled | None = dataclasses.field(default=None, repr=False)

    @property
    def listed(self) -> bool:
        """Whether the series key ends a list of text values compared first."""
        return self.texts > 0


@dataclasses.dataclass(frozen=True)
class Binding:
    """A statement the backend runs before the plan's SQL: its one row
    binds the SQL's parameters *names*, in order (all null without a row).

    A binding either steers how the SQL reads its rows, or answers part of
    the question in Python. The bracket a percentile draws from a sample
    (``percentile``), bound as constants, becomes a filter DuckDB
    evaluates inside the table's scan, where a one-row relation joined to
    the rows would be compared row by row; the SQL gives the same rows
    whatever bracket is bound. The point a percentile picks from the
    rows that bracket leaves (a later binding, reading the first's
    values) is then one row the SQL reads by its time and value. The
    backend runs the bindings and the SQL in one snapshot, so that the
    rows a binding saw are the rows the SQL reads.
    """

    #: The statement, complete in itself (its own CTEs).
    text: str
    #: Its own parameters.
    params: Mapping[str, Any]
    #: The parameters of the plan's SQL its row's values bind.
    names: tuple[str, ...]
    #: What the row's values give those parameters, when not the values
    #: themselves (a pure function of the row, or of the columns, below,
    #: and of the values of *passes*, in order).
    derive: Callable[..., Sequence[Any]] | None = None
    #: Whether *derive* reads every row of the statement, as a dict of
    #: numpy arrays by column name (nulls masked), instead of its one row.
    columns: bool = False
    #: Parameters of earlier bindings (their *names*) the statement reads.
    reads: tuple[str, ...] = ()
    #: Parameters of earlier bindings passed to *derive* after the row.
    passes: tuple[str, ...] = ()
    #: A parameter of an earlier binding: the statement runs only when its
    #: value is true; otherwise *names* keep the values bound before (a
    #: later binding may bind names an earlier one bound: the last wins).
    when: str | None = None


@dataclasses.dataclass(frozen=True)
class SelectPlan(Plan):
    """A SELECT whose rows the backend cuts into series."""

    #: The name of the series returned (the measurement read).
    measurement: str
    #: The tag keys of the series, in the order of the leading row values.
    group_keys: tuple[str, ...]
    #: The names of the columns after ``time``, in row order.
    columns: tuple[str, ...]
    #: For a raw SELECT, how to run it in slices of its output order.
    stream: StreamPlan | None = None
    #: A SELECT of several measurements: the compiled SELECT of each, run
    #: in this order (their series follow each other); the SQL is then empty.
    parts: tuple[Compiled, ...] = ()
    #: Rows at one time to be put in influxd's heap order by the backend.
    heap: HeapOrder | None = None
    #: Statements run first, whose rows bind parameters of the SQL.
    bindings: tuple[Binding, ...] = ()


@dataclasses.dataclass(frozen=True)
class IntoPlan(Plan):
    """A ``SELECT … INTO``: the rows to write, and where to write them."""

    #: The measurement the points are written to.
    measurement: str
    #: The database written to; None for the statement's database.
    database: str | None
    #: The retention policy written to; None for the database's default.
    retention_policy: str | None
    #: The tag keys of the rows' leading values, written as the points' tags.
    group_keys: tuple[str, ...] = ()
    #: The names of the columns after ``time``, written as the points' fields.
    columns: tuple[str, ...] = ()
    #: The field type of each column (None: a column never written).
    kinds: tuple[str | None, ...] = ()
    #: The columns written as tags, not fields: the tags TOP or BOTTOM name.
    tag_columns: tuple[str, ...] = ()
    #: Of several measurements: the compiled ``SELECT … INTO`` of each, run
    #: in this order (the rows written are their sum); the SQL is then empty.
    parts: tuple[Compiled, ...] = ()
    #: Statements run first, whose rows bind parameters of the SQL.
    bindings: tuple[Binding, ...] = ()


#: Every plan ``DuckDBCompiler`` returns.
EnginePlan = EmptyPlan | DeletePlan | SelectPlan | IntoPlan


def bindings_of(compiled: Compiled) -> tuple[Binding, ...]:
    """The statements the backend runs before *compiled*'s SQL."""
    plan = compiled.plan
    return plan.bindings if isinstance(plan, SelectPlan | IntoPlan) else ()
