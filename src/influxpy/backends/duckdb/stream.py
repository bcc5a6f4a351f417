"""The embedded engine's query results, read in batches as they stream.

``column_batches()`` runs one SELECT and yields its rows by column, through
numpy where the types allow. ``stream_batches()`` does the same for a
statement the compiler planned in slices (``StreamPlan``): when the table
holds more rows than one slice, it first asks DuckDB how the output order
cuts into slices of about ``rows`` rows (one small aggregate over the
series), then runs the statement once per slice, so DuckDB never sorts
more than one slice at a time and memory stays flat however many rows the
answer has. All of it runs in one transaction, so every slice sees the same
snapshot of the data.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from queue import Full, Queue
from typing import Any

from influxpy._utils import gc_paused
from influxpy.backends.duckdb.constants import with_constants
from influxpy.compilers.base import Compiled
from influxpy.compilers.duckdb.plan import Binding, bindings_of
from influxpy.compilers.duckdb.stream import Slice, StreamPlan
from influxpy.exceptions import ProgrammingError

__all__ = [
    "SLICE_ROWS",
    "Batches",
    "binding_values",
    "bound_params",
    "bound_statement",
    "column_batches",
    "damaged",
    "failed_query",
    "stream_batches",
]

#: Rows DuckDB sorts at a time for a raw query's answer, when a row has two
#: tags, a time and three numbers (wider rows make smaller slices): about
#: 50 MB of DuckDB's memory.
SLICE_ROWS = 196_608
#: Batches read ahead of the reader while it converts one.
_AHEAD = 4

#: Batches of rows by column, from a generator the reader closes.
Batches = Generator[list[list[Any]], None, None]

#: Result column types whose numpy form converts to the same Python values
#: as DuckDB's own rows (a HUGEINT sum, say, would come back as a float).
_NUMPY_SAFE = frozenset(
    {
        "BIGINT",
        "INTEGER",
        "SMALLINT",
        "TINYINT",
        "DOUBLE",
        "FLOAT",
        "VARCHAR",
        "BOOLEAN",
    }
)


#: What DuckDB says of a database file whose pages it cannot read back.
_DAMAGE = ("Corrupt database file", "Could not read enough bytes")


def damaged(exc: BaseException) -> str | None:
    """Advice for a DuckDB error that says the file is damaged, else None."""
    if not any(mark in str(exc) for mark in _DAMAGE):
        return None
    return (
        "The database file is damaged (cut short, or changed by something "
        "other than this engine): restore it from a copy, or move it aside "
        "to start an empty database there."
    )


#: Advice for a query that needed more memory than DuckDB may use.
OUT_OF_MEMORY = (
    "The answer, or a step of it, needed more memory than the engine may "
    "use. A GROUP BY time() query without an upper time bound fills every "
    "window up to now(), and without a lower one from each series' first "
    "point, as influxd does: bound the time range, choose a coarser "
    "interval or fill(none), or read fewer series at a time; or let the "
    "engine use more memory, or spill to disk, with the memory_limit and "
    "temp_directory options of its URL (duckdb://file.db?memory_limit=8GB)."
)


def failed_query(exc: Exception) -> ProgrammingError:
    """The error of a query DuckDB could not run, with advice when the
    database file is damaged or the query ran out of memory (DuckDB's own
    advice there names SQL settings the engine's URL gives instead)."""
    import duckdb

    text = str(exc)
    advice = damaged(exc)
    if advice is None and isinstance(exc, duckdb.OutOfMemoryException):
        text = text.split("\n", 1)[0]
        advice = OUT_OF_MEMORY
    msg = f"The embedded engine failed to run the query: {text}"
    return ProgrammingError(f"{msg}. {advice}" if advice else msg)


def bound_params(cursor: Any, compiled: Compiled) -> dict[str, Any]:
    """The parameters to run *compiled*'s SQL with: its own, and those its
    plan's bindings give, each binding's statement run on *cursor* first
    (``compilers.duckdb.plan.Binding``). DuckDB's errors pass through."""
    params = dict(compiled.params)
    bindings = bindings_of(compiled)
    for binding in bindings:
        if binding.when is not None and not params.get(binding.when):
            for name in binding.names:
                params.setdefault(name, None)
            continue
        values = binding_values(cursor, binding, params)
        params.update(zip(binding.names, values, strict=True))
    if bindings:
        # Only what the SQL names (a value may be for later bindings only).
        named = set(re.findall(r"\$(\w+)", compiled.text))
        params = {name: value for name, value in params.items() if name in named}
    return params


def bound_statement(cursor: Any, compiled: Compiled) -> tuple[str, dict[str, Any]]:
    """*compiled*'s SQL and the parameters to run it with, its plan's
    bindings run on *cursor* first (``bound_params``); the values they give
    are written into the SQL as constants where their type allows
    (``constants``), so that DuckDB plans with them."""
    params = bound_params(cursor, compiled)
    given = set(params) - set(compiled.params)
    return with_constants(compiled.text, params, given)


def binding_values(
    cursor: Any, binding: Binding, bound: Mapping[str, Any]
) -> Sequence[Any]:
    """The values *binding* gives its names: its statement run on *cursor*
    with its own parameters and those of *bound* it reads."""
    params = {**binding.params, **{name: bound[name] for name in binding.reads}}
    # What earlier bindings gave, as constants (``bound_statement``).
    text, params = with_constants(binding.text, params, set(binding.reads))
    passed = [bound[name] for name in binding.passes]
    if binding.columns:
        assert binding.derive is not None, "a binding of columns derives"
        # A relation's numpy columns: a DB-API result's copy the rows once
        # more (16 ms against 9 ms for 120,000 rows of two columns).
        arrays = cursor.sql(text, params=params or None).fetchnumpy()
        return binding.derive(arrays, *passed)
    # Every row fetched: a result left unfinished blocks the cursor's
    # next relation.
    rows = cursor.execute(text, params).fetchall()
    if not rows:
        return (None,) * len(binding.names)
    row = rows[0]
    if binding.derive is not None:
        return binding.derive(row, *passed)
    return tuple(row)


def column_batches(
    cursor: Any, compiled: Compiled, size: int
) -> Iterator[list[list[Any]]]:
    """Run a SELECT; yield its rows in batches of at most *size*, by column.

    The statement is planned once (a relation would bind it before running
    it, which costs as much as the run for a small answer with a long
    text). Columns of plain types come through numpy (masked arrays, whose
    nulls become None), several times faster than DuckDB's row tuples;
    others are fetched as rows. The numpy form holds the whole answer: a
    raw query's answer is read in slices (``stream_batches()``) and an
    aggregate's has one row per group, which DuckDB holds anyway.
    """
    import duckdb

    try:
        cursor.execute(*bound_statement(cursor, compiled))
        kinds = {str(column[1]) for column in cursor.description}
        if kinds <= _NUMPY_SAFE:
            arrays = list(cursor.fetchnumpy().values())
        else:
            while True:
                # A tuple per row from DuckDB, without the collector's full
                # passes over them (``gc_paused``).
                with gc_paused():
                    rows = cursor.fetchmany(size)
                    columns = list(map(list, zip(*rows, strict=True)))
                if not rows:
                    return
                yield columns
    except duckdb.Error as exc:
        raise failed_query(exc) from None
    total = len(arrays[0]) if arrays else 0
    for start in range(0, total, size):
        yield [array[start : start + size].tolist() for array in arrays]


def stream_batches(
    cursor: Any,
    compiled: Compiled,
    plan: StreamPlan | None,
    size: int,
    rows: int | None,
    first: Callable[[Any], None] | None = None,
    *,
    begun: bool = False,
) -> Batches:
    """Like ``column_batches()``, a slice of at most about *rows* rows at a
    time when the compiler planned the statement in slices (*plan*).

    *first* runs on the cursor before anything else, in the same snapshot
    as the statement and its bindings; *begun*: the caller has begun the
    cursor's transaction already (its snapshot).
    """
    import duckdb

    if plan is None or not rows:
        if first is not None or bindings_of(compiled):
            try:
                if not begun:
                    cursor.begin()
                if first is not None:
                    first(cursor)
            except duckdb.Error as exc:
                raise failed_query(exc) from None
        yield from column_batches(cursor, compiled, size)
        return
    rows = plan.slice_rows(rows)
    params = dict(compiled.params)
    try:
        # One snapshot for the plan and every slice.
        if not begun:
            cursor.begin()
        if first is not None:
            first(cursor)
        stored = cursor.execute(plan.count_sql()).fetchall()[0][0]
        found = []
        if stored > rows:
            text, bound = plan.slices_sql(rows, params)
            found = cursor.execute(text, bound).fetchall()
    except duckdb.Error as exc:
        raise failed_query(exc) from None
    if stored <= rows:
        yield from column_batches(cursor, compiled, size)
        return
    statements = (
        Compiled(*plan.slice_sql(part, params))
        for part in _slices(cursor, plan, found, rows, params)
    )
    yield from _ahead(cursor, statements, size)


class _Done:
    """The last item of ``_ahead()``'s queue."""


def _ahead(cursor: Any, statements: Iterator[Compiled], size: int) -> Batches:
    """The batches of *statements*, run one after another on *cursor* in a
    thread that keeps a few batches ahead: DuckDB scans and sorts the next
    slice while this thread turns the last one into Python values.

    Closing the generator stops the thread (after the statement it is
    running) before it returns, so the cursor is free again.
    """
    queue: Queue[Any] = Queue(maxsize=_AHEAD)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
            except Full:
                continue
            return True
        return False

    def work() -> None:
        try:
            for compiled in statements:
                for batch in column_batches(cursor, compiled, size):
                    if not put(batch):
                        return
            put(_Done)
        except BaseException as exc:  # handed to the reader, raised there
            put(exc)

    thread = threading.Thread(target=work, name="influxpy-slices", daemon=True)
    thread.start()
    try:
        while (item := queue.get()) is not _Done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _slices(
    cursor: Any,
    plan: StreamPlan,
    found: list[tuple[Any, ...]],
    rows: int,
    params: Mapping[str, Any],
) -> Iterator[Slice]:
    """The slices of *found* (``StreamPlan.slices_sql()``'s rows), a series
    larger than a slice cut by the times of its histogram."""
    g = plan.groups
    for row in found:
        n, low, high, single = row[:4]
        first, last = tuple(row[4 : 4 + g]), tuple(row[4 + g :])
        if not single or plan.whole_series or n <= rows:
            yield Slice(first, last)
            continue
        spans = _spans(cursor, plan, first, (int(low), int(high), n), rows, params)
        pieces = _pack(spans, rows)
        # The first and last piece are open-ended, so no row of the series
        # can fall outside them.
        pieces[0] = (None, pieces[0][1])
        pieces[-1] = (pieces[-1][0], None)
        if plan.descending:
            pieces.reverse()
        for start, stop in pieces:
            yield Slice(first, first, start, stop)


#: A bucket holding more than this many slices' rows, and more than
#: ``_REFINED_ROWS``, is cut again (a statement each: a slice a few times
#: its size, or of few rows, costs less).
_REFINED = 4
_REFINED_ROWS = 50_000
#: A time range of a series and its count of rows: ``(first, last, n)``.
_Span = tuple[int, int, int]


def _spans(
    cursor: Any,
    plan: StreamPlan,
    key: tuple[Any, ...],
    span: _Span,
    rows: int,
    params: Mapping[str, Any],
    *,
    within: bool = False,
) -> list[_Span]:
    """The series *key*'s rows in *span*, counted in consecutive time
    ranges (the first and last time of their rows) of at most *rows* rows
    each where times allow: buckets of equal width, and any bucket holding
    more than ``_REFINED`` times *rows* rows (and ``_REFINED_ROWS``) at
    more than one time cut again, between its first and last time, by a
    histogram of its own (a few times far from the rest would otherwise
    put most rows in one bucket). *within*: *span* is part of the series,
    so its histogram reads only the rows inside it."""
    import duckdb

    low, high, n = span
    width = max(1, -(-(high - low + 1) // plan.buckets(n, rows)))
    text, bound = plan.histogram_sql(key, low, width, params, high, within=within)
    try:
        counts = cursor.execute(text, bound).fetchall()
    except duckdb.Error as exc:
        raise failed_query(exc) from None
    spans: list[_Span] = []
    for _bucket, count, first, last in counts:
        part = (int(first), int(last), int(count))
        if count > max(_REFINED * rows, _REFINED_ROWS) and last > first:
            spans += _spans(cursor, plan, key, part, rows, params, within=True)
        else:
            spans.append(part)
    return spans


def _pack(spans: Sequence[_Span], rows: int) -> list[Any]:
    """Consecutive *spans* joined into ``(first, last)`` time ranges holding
    at most *rows* rows each (or one span, when it alone holds more), each
    range reaching to the next one's first time."""
    pieces: list[Any] = []
    start = spans[0][0]
    total = 0
    for first, _last, count in spans:
        if total and total + count > rows:
            pieces.append((start, first - 1))
            start, total = first, 0
        total += count
    pieces.append((start, spans[-1][1]))
    return pieces
