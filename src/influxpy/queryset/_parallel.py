"""Time-sliced reads: one query split into time slices fetched concurrently.

``to_dataframe(parallel=N)``, ``to_arrow(parallel=N)``, ``iterator(parallel=N)``
and their async forms split the query's time range into *N* slices, run
one query per slice at the same time (threads on the HTTP backend, tasks on
the event loop in the async forms), and hand the series on in the order one
query gives them: slices in time order, and with ``GROUP BY`` tags each
series' pieces from every slice before the next series. Only queries whose
answer is the union of their slices' answers are split: raw selects, and
aggregates grouped by ``time()`` whose windows the slice edges never cut.
Slices that do not add up to the answer (different columns, or a filled
aggregate whose slices do not all hold the same series) are read again as
one query (see ``slices_agree()``).
An ungrouped raw select is handed on as it streams in: the first slice's
rows while the later slices are read in their threads (``_streamed_slices()``).
The embedded engine runs the slices one after another (its connection
answers one query at a time), with the same answer.
"""

from __future__ import annotations

import asyncio
import dataclasses
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from influxpy._utils import gc_paused
from influxpy.expressions import Col, Q, TimeValue, WhereNode
from influxpy.functions import Func
from influxpy.lookups import Lookup, TimeGreaterThanOrEqual, TimeLessThan
from influxpy.query import Query, Source
from influxpy.results import Series

if TYPE_CHECKING:
    from influxpy.queryset._base import QuerySetBase, _Steps

_T = TypeVar("_T")
_A = TypeVar("_A")

__all__ = [
    "adrive_sliced",
    "check_parallel",
    "drive_sliced",
    "frames_agree",
    "frames_by_slice",
    "ordered_series",
    "slice_queries",
    "sliced_series",
    "slices_agree",
    "time_bounds",
]

_LOWER = {"gte": 0, "gt": 1}
_UPPER = {"lt": 0, "lte": 1}
_NEGATED = {"gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt"}
#: Functions that keep to one ``GROUP BY time()`` window.
_WINDOWED_KINDS = ("aggregate", "selector")


def check_parallel(parallel: Any) -> int:
    """Return *parallel* as a count of slices, or raise ``ValueError``."""
    if isinstance(parallel, bool) or not isinstance(parallel, int) or parallel < 1:
        msg = (
            f"parallel takes a whole number of slices of at least 1; got {parallel!r}."
        )
        raise ValueError(msg)
    return parallel


def _refuse(reason: str) -> ValueError:
    return ValueError(
        f"parallel= splits a query into time slices, which cannot give this "
        f"query's answer: {reason}"
    )


def _bound_lookups(node: Any) -> Iterator[Lookup]:
    """The time lookups every row must meet: those under AND nodes only."""
    if isinstance(node, WhereNode):
        if node.connector == Q.AND or len(node.children) == 1:
            for child in node.children:
                yield from _bound_lookups(child)
    elif isinstance(node, Lookup) and node.lhs.role == "time":
        yield node


def time_bounds(query: Query) -> tuple[int, int]:
    """The query's time range as ``[start, end)`` integer nanoseconds.

    Raises ``ValueError`` unless ``filter()`` gives both ends as absolute times.
    """
    start: int | None = None
    end: int | None = None
    for lookup in _bound_lookups(query.where):
        name = lookup.lookup_name
        if lookup.negated:
            name = _NEGATED.get(name, "")
        pairs: list[tuple[str, Any]] = [(name, lookup.rhs)]
        if name in ("range", "between") and not lookup.negated:
            pairs = [("gte", lookup.rhs[0]), ("lte", lookup.rhs[1])]
        elif name == "exact" and not lookup.negated:
            pairs = [("gte", lookup.rhs), ("lte", lookup.rhs)]
        for op, value in pairs:
            if op not in _LOWER and op not in _UPPER:
                continue
            if not isinstance(value, TimeValue):
                msg = (
                    "its time bounds must be absolute times, not relative to "
                    "now(); filter(time__gte=start, time__lt=end) with datetimes "
                    "or integer nanoseconds."
                )
                raise _refuse(msg)
            if op in _LOWER:
                low = value.ns + _LOWER[op]
                start = low if start is None else max(start, low)
            else:
                high = value.ns + _UPPER[op]
                end = high if end is None else min(end, high)
    if start is None or end is None:
        msg = (
            "it needs both time bounds; add filter(time__gte=start, time__lt=end) "
            "(first() and last() give the range of the data)."
        )
        raise _refuse(msg)
    return start, end


def _check_query(query: Query) -> None:
    if not isinstance(query.source, Source) or query.extra_sources:
        raise _refuse("it reads a subquery or several sources.")
    if query.into is not None:
        raise _refuse("it writes INTO a measurement.")
    if query.limit is not None or query.offset is not None:
        raise _refuse("LIMIT and OFFSET count rows over the whole range.")
    if query.series_limit is not None or query.series_offset is not None:
        raise _refuse("SLIMIT and SOFFSET count series over the whole range.")
    if query.group_by_patterns:
        raise _refuse("it groups by tag patterns.")
    if query.descending and (query.group_by or query.group_by_time):
        raise _refuse("it is grouped and ordered by time descending.")
    if not query.is_aggregate:
        return
    if query.group_by_time is None:
        raise _refuse("it aggregates over the whole range without GROUP BY time().")
    for func in query.functions:
        if func.kind not in _WINDOWED_KINDS:
            msg = (
                f"{func.name}() reads across GROUP BY time() windows; only "
                "aggregates and selectors are allowed."
            )
            raise _refuse(msg)
    for item in query.select:
        if not isinstance(item.expression, (Func, Col)):
            raise _refuse("its select list computes on aggregates.")
    if query.fill is not None and query.fill.mode in ("previous", "linear"):
        msg = f"fill({query.fill.mode}) reads across windows."
        raise _refuse(msg)
    offset = query.group_by_time.offset
    if offset is not None and not hasattr(offset, "nanoseconds"):
        raise _refuse("its GROUP BY time() offset is relative to now().")
    if query.timezone is not None:
        raise _refuse("tz() moves GROUP BY time() windows by the zone's offsets.")


def slice_queries(query: Query, parallel: int) -> list[Query]:
    """*query* split into at most *parallel* queries over consecutive time slices.

    Raises ``ValueError`` naming why when the slices cannot give the answer.
    """
    _check_query(query)
    start, end = time_bounds(query)
    if end <= start or parallel == 1:
        return [query]
    step = (end - start) // parallel
    edges = [start + i * step for i in range(1, parallel)]
    grouping = query.group_by_time
    if query.is_aggregate and grouping is not None:
        interval = grouping.interval.nanoseconds
        offset = getattr(grouping.offset, "nanoseconds", 0)
        edges = [e - (e - offset) % interval for e in edges]
    edges = sorted({e for e in edges if start < e < end})
    bounds = list(zip([start, *edges], [*edges, end], strict=True))
    time = Col("time", "time", None, "time")
    out = []
    for low, high in bounds:
        node = WhereNode(
            Q.AND,
            (
                TimeGreaterThanOrEqual(time, TimeValue(low)),
                TimeLessThan(time, TimeValue(high)),
            ),
        )
        where = node if query.where is None else query.where & node
        out.append(dataclasses.replace(query, where=where))
    if query.descending:
        out.reverse()
    return out


def slices_agree(query: Query, slices: Sequence[list[Series]]) -> bool:
    """Whether the slices add up to the answer of one query over the range.

    ``SELECT *`` gives the columns of the fields of every shard the range
    reaches, so slices reaching different shards may give fewer columns: they
    must all give the same. With a fill other than ``none``, one query gives
    every window of the range for each series with a point anywhere in it; a
    slice gives the windows of its own range only for the series with a point
    in that slice, so every slice must hold the same series. When not, the
    caller reads the query whole instead.
    """
    columns = {tuple(piece.columns) for pieces in slices for piece in pieces}
    if len(columns) > 1:
        # SELECT * gives the fields of the shards a range reaches.
        return False
    if not query.is_aggregate or (query.fill is not None and query.fill.mode == "none"):
        return True
    keys = [
        {(piece.name, tuple(sorted(piece.tags.items()))) for piece in pieces}
        for pieces in slices
    ]
    return all(key == keys[0] for key in keys) and bool(keys[0])


def fetch_concurrently(
    fetch: Callable[[_A], _T], items: Sequence[_A], *, concurrent: bool
) -> list[_T]:
    """``fetch(item)`` of each item in order, run in threads when *concurrent*."""
    if not concurrent or len(items) == 1:
        return [fetch(item) for item in items]
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(fetch, items))


def ordered_series(
    slices: Iterable[list[Series]], *, grouped: bool
) -> Iterator[Series]:
    """The slices' series in the order one query over the whole range gives.

    Ungrouped, the slices follow each other. Grouped by tags, each series'
    pieces from every slice come together, series in InfluxDB's order (by
    measurement, then tag values); every piece but a series' last is marked
    ``partial`` so that joining pieces gives whole series.
    """
    if not grouped:
        for pieces in slices:
            yield from pieces
        return
    by_key: dict[tuple[str, tuple[tuple[str, str], ...]], list[Series]] = {}
    for pieces in slices:
        for piece in pieces:
            key = (piece.name, tuple(sorted(piece.tags.items())))
            by_key.setdefault(key, []).append(piece)
    for key in sorted(by_key):
        pieces = by_key[key]
        for piece in pieces[:-1]:
            piece.partial = True
        yield from pieces


def sliced_series(
    qs: QuerySetBase[Any], query: Query, parallel: int, chunk_size: int | None = None
) -> Iterator[Series]:
    """The series of *query* read as *parallel* time slices, in one query's order."""
    queries = slice_queries(query, parallel)
    if len(queries) == 1:
        return qs._run(queries[0], chunk_size=chunk_size, merge=False)

    def fetch(part: Query) -> list[Series]:
        return list(qs._run(part, chunk_size=chunk_size, merge=False))

    concurrent = qs._backend().vendor == "influxdb"
    if concurrent and not query.is_aggregate and not query.group_by:
        return _streamed_slices(qs, query, queries, chunk_size)
    # The slices are decoded here, before the caller builds its result: the
    # collector is paused for the whole interpreter meanwhile, as it is while
    # one stream is decoded (see ``gc_paused``).
    with gc_paused():
        slices = fetch_concurrently(fetch, queries, concurrent=concurrent)
    if not slices_agree(query, slices):
        return qs._run(query, chunk_size=chunk_size, merge=False)
    return ordered_series(slices, grouped=bool(query.group_by))


class _SliceStream:
    """One time slice read in a thread of its own, its pieces handed over
    through a queue as they are decoded (an error raised where they are taken)."""

    _END = object()

    def __init__(self, pieces: Callable[[], Iterator[Series]]) -> None:
        self._pieces = pieces
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._head: list[Any] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            pieces = self._pieces()
            try:
                for piece in pieces:
                    self._queue.put(piece)
                    if self._stop.is_set():
                        break
            finally:
                close = getattr(pieces, "close", None)
                if close is not None:
                    close()  # the answer's socket is closed or given back
        except BaseException as exc:  # raised where the pieces are taken
            self._queue.put(_Failure(exc))
        finally:
            self._queue.put(self._END)

    def _take(self) -> Any:
        item = self._queue.get()
        if isinstance(item, _Failure):
            self._queue.put(self._END)
            raise item.error
        return item

    def first(self) -> Series | None:
        """The slice's first piece (kept for ``pieces()``), None when it has none."""
        if not self._head:
            self._head.append(self._take())
        head = self._head[0]
        return None if head is self._END else head

    def pieces(self) -> Iterator[Series]:
        """The slice's pieces in order, as they arrive."""
        item = self._head.pop() if self._head else self._take()
        while item is not self._END:
            yield item
            item = self._take()

    def stop(self) -> None:
        """Ask the reader to stop after its next piece; drop what it holds."""
        self._stop.set()
        self._head.clear()


@dataclasses.dataclass
class _Failure:
    error: BaseException


def _streamed_slices(
    qs: QuerySetBase[Any],
    query: Query,
    queries: Sequence[Query],
    chunk_size: int | None,
) -> Iterator[Series]:
    """The series of an ungrouped raw select read as time slices, each in a
    thread of its own, handed on as they arrive: the first slice's rows as
    they stream in while the next ones are read, never every slice held
    whole before the first row is given.

    The columns of a raw select are the same in every series of an answer,
    so the slices agree (``slices_agree()``) when their first pieces do;
    when not, the query is read whole instead, before any row is handed on.
    """

    def reader(part: Query) -> Callable[[], Iterator[Series]]:
        return lambda: qs._run(part, chunk_size=chunk_size, merge=False)

    streams = [_SliceStream(reader(part)) for part in queries]
    try:
        firsts = [stream.first() for stream in streams]
        columns = {tuple(first.columns) for first in firsts if first is not None}
        if len(columns) > 1:
            for stream in streams:
                stream.stop()
            yield from qs._run(query, chunk_size=chunk_size, merge=False)
            return
        for stream in streams:
            yield from stream.pieces()
    finally:
        for stream in streams:
            stream.stop()


async def asliced_series(
    qs: QuerySetBase[Any], query: Query, parallel: int
) -> list[Series]:
    """Async form of ``sliced_series()``: the slices run as tasks on the loop."""
    queries = slice_queries(query, parallel)
    slices = await asyncio.gather(*(qs._afetch(part) for part in queries))
    if not slices_agree(query, slices):
        return await qs._afetch(query)
    return list(ordered_series(slices, grouped=bool(query.group_by)))


def drive_sliced(qs: QuerySetBase[Any], steps: _Steps[_T], parallel: int) -> _T:
    """``_drive()`` with each query read as *parallel* time slices."""
    try:
        statement = next(steps)
        while True:
            if isinstance(statement, Query):
                series = sliced_series(qs, statement, parallel)
            else:
                series = qs._run(statement, merge=False)
            statement = steps.send(series)
    except StopIteration as stop:
        result: _T = stop.value
        return result


async def adrive_sliced(qs: QuerySetBase[Any], steps: _Steps[_T], parallel: int) -> _T:
    """Async form of ``drive_sliced()``."""
    try:
        statement = next(steps)
        while True:
            if isinstance(statement, Query):
                series = await asliced_series(qs, statement, parallel)
            else:
                series = await qs._afetch(statement)
            statement = steps.send(series)
    except StopIteration as stop:
        result: _T = stop.value
        return result


def frames_by_slice(
    qs: QuerySetBase[Any], parallel: int, build: Callable[[Any], Any]
) -> list[Any] | None:
    """``build(part)`` for a QuerySet of each time slice, run at the same time.

    For an ungrouped query only (a grouped one stacks each series' rows from
    every slice); None when the query is grouped, empty or one slice.
    """
    query = qs._state.query
    if qs._state.empty or query.group_by:
        return None
    parts = slice_queries(query, parallel)
    if len(parts) == 1:
        return None
    clones = [qs._chain(query=part) for part in parts]
    concurrent = qs._backend().vendor == "influxdb"
    # Paused here for the whole interpreter: each build's own pause then
    # leaves it paused until every slice is built.
    with gc_paused():
        return fetch_concurrently(build, clones, concurrent=concurrent)


def frames_agree(query: Query, frames: Sequence[Any]) -> bool:
    """Whether the frames (or tables) of ungrouped slices stack into the answer:
    the same columns in each (``SELECT *`` over shards with other fields
    gives fewer), and rows in each for a filled aggregate."""
    names = [
        list(frame.columns if hasattr(frame, "index") else frame.column_names)
        for frame in frames
    ]
    if any(n != names[0] for n in names):
        return False
    filled = query.is_aggregate and (query.fill is None or query.fill.mode != "none")
    return not filled or all(len(frame) for frame in frames)
