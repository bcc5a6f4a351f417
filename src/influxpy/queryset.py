"""QuerySet: the lazy, chainable, immutable query API (``Model.series``).

Each chaining method returns a new QuerySet around a ``Query`` changed with
``dataclasses.replace``; nothing touches a backend until the QuerySet is
iterated or a method that runs a query is called. Results are cached on the
QuerySet, as in Django; the cache is never copied into a new QuerySet.

The QuerySet reaches compilers and backends only through the backend bound
to its alias.

Every method that runs queries has an async form named as in Django's async
ORM (``acount()``, ``aget()``, ``async for``…). Each such method is written
once, as steps: a generator that yields the statements it needs and
receives their series. The sync method answers the steps with the backend's
``execute()``, the async one with ``aexecute()``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import time
import zoneinfo
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Generator,
    Iterable,
    Iterator,
)
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from influxpy._types import ModelT
from influxpy._utils import amap, gc_paused, suggest
from influxpy.connection import get_connection
from influxpy.durations import Duration, as_duration
from influxpy.exceptions import CompileError, FieldError
from influxpy.expressions import Col, Expression, F, Now, Q, Resolver
from influxpy.fields import Field
from influxpy.functions import Count, Func
from influxpy.lookups import build_lookup
from influxpy.query import Delete, Fill, GroupByTime, Query, SelectItem, Source
from influxpy.results import Converter, Series, merge_pieces
from influxpy.writer import AsyncBatchWriter, BatchWriter

_T = TypeVar("_T")

if TYPE_CHECKING:
    from typing import Self, Unpack

    from influxpy.backends.base import Backend
    from influxpy.compilers.base import Compiled
    from influxpy.models import InfluxMeasurement
    from influxpy.schema import ContinuousQuery
    from influxpy.writer import WriterOptions

    #: What a method runs: a query, or a DELETE statement.
    _Statement = Query | Delete
    #: A method as steps: yields statements, is sent their series, returns.
    _Steps = Generator[_Statement, Iterable[Series], _T]

__all__ = ["QuerySet"]

_SHAPES = ("series", "points", "instances")
_FILL_WORDS = ("null", "none", "previous", "linear")
#: Rows per chunk when the server streams a result.
DEFAULT_CHUNK_SIZE = 10_000


class _ModelResolver(Resolver):
    """Resolve names against a model's fields (or a subquery's outputs)."""

    def __init__(
        self, model: type[InfluxMeasurement], aliases: dict[str, Col] | None = None
    ) -> None:
        self.model = model
        self.aliases = aliases or {}

    def column(self, name: str) -> Col:
        if name in self.aliases:
            return self.aliases[name]
        meta = self.model._meta
        if self.aliases and name != "time" and name not in meta.fields:
            choices = sorted({"time", *self.aliases})
            hint = suggest(name, choices)
            msg = (
                f"The subquery has no column {name!r}; columns are: "
                f"{', '.join(choices)}.{hint}"
            )
            raise FieldError(msg, field=name)
        field = meta.get_field(name)
        if name == "time":
            return Col("time", "time", None, "time")
        role = "tag" if field.is_tag else "field"
        return Col(field.db_name, role, field.kind, field.name)

    def field(self, name: str) -> Field[Any] | None:
        if name in self.aliases:
            alias = self.aliases[name]
            if alias.role == "tag":
                return self.model._meta.fields.get(name)
            return None
        return self.model._meta.get_field(name)


@dataclasses.dataclass(frozen=True)
class _State:
    """Everything a QuerySet is besides its model: replaced, never mutated."""

    query: Query
    alias: str | None = None
    database: str | None = None
    shape: str = "series"
    epoch: str | None = None
    empty: bool = False
    aliases: tuple[tuple[str, Col], ...] = ()
    sliced: bool = False
    downsampled: bool = False


class QuerySet(Generic[ModelT]):
    """A lazy query over one measurement (``Model.series``).

    Iterating yields one ``InfluxResult`` per series; ``points()`` and
    ``instances()`` switch to flat dicts or model instances.
    """

    def __init__(self, model: type[ModelT], state: _State | None = None) -> None:
        self.model = model
        if state is None:
            meta = model._meta
            source = Source(meta.measurement, None, meta.retention_policy)
            state = _State(Query(source), alias=None, database=meta.database)
        self._state = state
        self._result_cache: list[Any] | None = None

    # -- Python protocol -------------------------------------------------------

    def __iter__(self) -> Iterator[Any]:
        return iter(self._fetch_all())

    def __len__(self) -> int:
        return len(self._fetch_all())

    def __bool__(self) -> bool:
        return bool(self._fetch_all())

    def __aiter__(self) -> AsyncIterator[Any]:
        async def results() -> AsyncIterator[Any]:
            for item in await self._adrive(self._fill_cache()):
                yield item

        return results()

    def __repr__(self) -> str:
        try:
            text = str(self.query)
        except CompileError as exc:
            text = f"(cannot compile: {exc})"
        return f"<QuerySet {self.model.__name__} {self._state.shape}: {text}>"

    @overload
    def __getitem__(self, key: int) -> Any: ...

    @overload
    def __getitem__(self, key: slice) -> Self: ...

    def __getitem__(self, key: int | slice) -> Any:
        if self._result_cache is not None:
            return self._result_cache[key]
        if isinstance(key, slice):
            if key.step is not None:
                msg = "QuerySet slicing does not support steps."
                raise ValueError(msg)
            start, stop = key.start or 0, key.stop
            if start < 0 or (stop is not None and stop < 0):
                msg = "Negative indexing is not supported."
                raise ValueError(msg)
            return self._slice(start, stop)
        if not isinstance(key, int) or isinstance(key, bool):
            type_name = type(key).__name__
            msg = f"QuerySet indices must be integers or slices, not {type_name}."
            raise TypeError(msg)
        if key < 0:
            msg = "Negative indexing is not supported."
            raise ValueError(msg)
        items = list(self._slice(key, key + 1))
        if not items:
            msg = "QuerySet index out of range."
            raise IndexError(msg)
        return items[0]

    # -- methods that run a query ------------------------------------------------

    def create(self, **values: Any) -> ModelT:
        """Build an instance from *values*, save it and return it."""
        obj = self.model(**values)
        self.bulk_create([obj], stamp=True)
        return obj

    async def acreate(self, **values: Any) -> ModelT:
        """Async form of ``create()``."""
        obj = self.model(**values)
        await self.abulk_create([obj], stamp=True)
        return obj

    def bulk_create(
        self,
        objs: Iterable[ModelT],
        batch_size: int = 5_000,
        *,
        stamp: bool = False,
    ) -> int:
        """Write many instances in batches; return how many were written.

        *objs* may be any iterable, a generator included: it is consumed
        batch by batch, so memory stays constant. Points without a time are
        stamped with the current time in nanoseconds (kept on the instance
        when *stamp* is true, as ``save()`` does).
        """
        check = self._bulk_check(batch_size, stamp=stamp)
        backend = self._backend()
        return backend.write(
            self.model, map(check, objs), **self._write_options(backend, batch_size)
        )

    async def abulk_create(
        self,
        objs: Iterable[ModelT] | AsyncIterable[ModelT],
        batch_size: int = 5_000,
        *,
        stamp: bool = False,
    ) -> int:
        """Async form of ``bulk_create()``; *objs* may be an async iterable."""
        check = self._bulk_check(batch_size, stamp=stamp)
        backend = self._backend()
        checked = (
            amap(check, objs) if isinstance(objs, AsyncIterable) else map(check, objs)
        )
        return await backend.awrite(
            self.model, checked, **self._write_options(backend, batch_size)
        )

    def _bulk_check(self, batch_size: int, *, stamp: bool) -> Callable[[Any], ModelT]:
        """Check *batch_size*; return the check each object passes on its way."""
        if isinstance(batch_size, bool) or not isinstance(batch_size, int):
            msg = f"batch_size must be a positive int, got {batch_size!r}."
            raise TypeError(msg)
        if batch_size < 1:
            msg = f"batch_size must be a positive int, got {batch_size!r}."
            raise ValueError(msg)
        model = self.model

        def check(obj: Any) -> ModelT:
            if type(obj) is not model:
                type_name = type(obj).__name__
                msg = (
                    f"{model.__name__}.series.bulk_create() takes "
                    f"{model.__name__} instances; got {obj!r} ({type_name})."
                )
                raise TypeError(msg)
            if stamp and obj.__dict__.get("time") is None:
                obj.__dict__["time"] = time.time_ns()
            return obj

        return check

    def _write_options(self, backend: Backend, batch_size: int) -> dict[str, Any]:
        return {
            "database": self._database(backend),
            "retention_policy": self.model._meta.retention_policy,
            "batch_size": batch_size,
        }

    def batch_writer(self, **options: Unpack[WriterOptions]) -> BatchWriter[ModelT]:
        """Return a writer that takes points one at a time and writes them in
        batches from a background thread, losing none.

        Options: ``batch_size`` (5,000), ``flush_interval`` (1.0 seconds),
        ``max_pending`` full batches before ``add()`` waits (4),
        ``retry_timeout`` (180 seconds) and ``on_error(exc, lines)``; see
        ``influxpy.writer``. Use it as a context manager.
        """
        backend = self._backend()
        return BatchWriter(
            self.model,
            backend,
            database=self._database(backend),
            retention_policy=self.model._meta.retention_policy,
            **options,
        )

    def abatch_writer(
        self, **options: Unpack[WriterOptions]
    ) -> AsyncBatchWriter[ModelT]:
        """Async form of ``batch_writer()``: ``async with`` it, ``await add()``."""
        backend = self._backend()
        return AsyncBatchWriter(
            self.model,
            backend,
            database=self._database(backend),
            retention_policy=self.model._meta.retention_policy,
            **options,
        )

    def write_dataframe(self, frame: Any, batch_size: int = 5_000) -> int:
        """Write the rows of a pandas DataFrame as points; return how many.

        Columns are the model's attribute names; the time is the index or a
        ``time`` column. NaN and None mean "no value" for that row.
        """
        backend = self._backend()
        return backend.write_frame(
            self.model,
            frame,
            database=self._database(backend),
            retention_policy=self.model._meta.retention_policy,
            batch_size=batch_size,
        )

    def count(self) -> int:
        """Return the number of points (or of rows, for aggregate queries).

        For a raw query this is the largest count of the selected fields (all
        the model's fields by default) in each series, summed over series:
        exact whenever every point has a value for one field in common, as
        points written from one model usually do.
        """
        return self._drive(self._tally())

    async def acount(self) -> int:
        """Async form of ``count()``."""
        return await self._adrive(self._tally())

    def _tally(self) -> _Steps[int]:
        if self._result_cache is not None and self._state.shape != "series":
            return len(self._result_cache)
        state = self._state
        if state.empty:
            return 0
        query = state.query
        if query.is_aggregate or query.limit is not None or query.offset is not None:
            return sum(len(s.values) for s in (yield query))
        columns = [
            node
            for item in query.select
            for node in item.expression.walk()
            if isinstance(node, Col) and node.role in ("field", "alias")
        ]
        if not query.select:
            resolver = self._resolver()
            names = [n for n, c in state.aliases if c.role == "alias"] or [
                f.name for f in self.model._meta.values
            ]
            columns = [resolver.column(name) for name in names]
        counts = tuple(
            SelectItem(Count(col), f"count_{i}") for i, col in enumerate(columns)
        )
        counting = dataclasses.replace(query, select=counts, descending=False)
        total = 0
        for series in (yield counting):
            for row in series.values:
                total += max((v for v in row[1:] if v is not None), default=0)
        return total

    def exists(self) -> bool:
        """Return whether the query finds at least one row."""
        return self._drive(self._exists())

    async def aexists(self) -> bool:
        """Async form of ``exists()``."""
        return await self._adrive(self._exists())

    def _exists(self) -> _Steps[bool]:
        if self._state.empty:
            return False
        query = dataclasses.replace(self._state.query, limit=1)
        return any(series.values for series in (yield query))

    def first(self) -> Any:
        """Return the earliest point, or ``None`` (an instance for raw queries)."""
        return self._drive(self._edge(descending=False))

    async def afirst(self) -> Any:
        """Async form of ``first()``."""
        return await self._adrive(self._edge(descending=False))

    def last(self) -> Any:
        """Return the latest point, or ``None`` (an instance for raw queries)."""
        return self._drive(self._edge(descending=True))

    async def alast(self) -> Any:
        """Async form of ``last()``."""
        return await self._adrive(self._edge(descending=True))

    def get(self, *args: Q, **kwargs: Any) -> Any:
        """Return the one point matching the filters.

        Raises ``Model.DoesNotExist`` when none matches and
        ``Model.MultipleObjectsReturned`` when several do.
        """
        return self._drive(self._get(args, kwargs))

    async def aget(self, *args: Q, **kwargs: Any) -> Any:
        """Async form of ``get()``."""
        return await self._adrive(self._get(args, kwargs))

    def _get(self, args: tuple[Q, ...], kwargs: dict[str, Any]) -> _Steps[Any]:
        qs = self.filter(*args, **kwargs) if args or kwargs else self
        rows = yield from qs._items(dataclasses.replace(qs._state.query, limit=2))
        name = self.model.__name__
        if not rows:
            msg = f"{name} matching the query does not exist."
            raise self.model.DoesNotExist(msg)
        if len(rows) > 1:
            msg = f"get() returned more than one {name}; narrow the filters."
            raise self.model.MultipleObjectsReturned(msg)
        return rows[0]

    def aggregate(self, *args: Func, **kwargs: Expression) -> dict[str, Any]:
        """Return ``{alias: value}`` for functions over all matching points.

        Positional functions are named after the function (``mean``).
        """
        return self._drive(self._aggregate(args, kwargs))

    async def aaggregate(self, *args: Func, **kwargs: Expression) -> dict[str, Any]:
        """Async form of ``aggregate()``."""
        return await self._adrive(self._aggregate(args, kwargs))

    def _aggregate(
        self, args: tuple[Func, ...], kwargs: dict[str, Expression]
    ) -> _Steps[dict[str, Any]]:
        items = self._select_items(args, kwargs)
        query = dataclasses.replace(
            self._state.query,
            select=items,
            group_by=(),
            group_by_time=None,
            fill=None,
            limit=None,
            offset=None,
            descending=False,
        )
        names = [i.output_name or f"expr{n}" for n, i in enumerate(items)]
        out: dict[str, Any] = dict.fromkeys(names)
        if self._state.empty:
            return out
        for series in (yield query):
            for row in series.values[:1]:
                out.update(zip(series.columns[1:], row[1:], strict=False))
        return out

    def delete(self) -> None:
        """Delete the matching points (conditions on tags and time only)."""
        self._drive(self._delete())

    async def adelete(self) -> None:
        """Async form of ``delete()``."""
        await self._adrive(self._delete())

    def _delete(self) -> _Steps[None]:
        state = self._state
        query = state.query
        if query.select or query.group_by or query.group_by_time or state.sliced:
            msg = (
                "delete() removes the points a filter matches; call it on a "
                "QuerySet without annotate(), group_by(), resolution() or slicing."
            )
            raise TypeError(msg)
        if query.where is not None:
            for lookup in query.where.walk():
                if lookup.lhs.role not in ("tag", "time"):
                    name = lookup.lhs.attname or lookup.lhs.key
                    msg = (
                        f"delete() can filter on tags and time only; InfluxDB's "
                        f"DELETE cannot test the field {name!r}."
                    )
                    raise FieldError(msg, field=name)
        if state.empty:
            return
        assert isinstance(query.source, Source)
        list((yield Delete(query.source, query.where)))

    def execute(self) -> int:
        """Run an ``into()`` query and return how many points it wrote."""
        return self._drive(self._execute())

    async def aexecute(self) -> int:
        """Async form of ``execute()``."""
        return await self._adrive(self._execute())

    def _execute(self) -> _Steps[int]:
        if self._state.query.into is None:
            msg = "execute() runs INTO queries; call into(target) first."
            raise TypeError(msg)
        written = 0
        for series in (yield self._state.query):
            index = series.columns.index("written") if series.columns else -1
            for row in series.values:
                written += int(row[index] or 0)
        return written

    def drop(self) -> None:
        """Drop the whole measurement, in every retention policy.

        ``DROP MEASUREMENT``: every point and every series goes. Call it on
        ``Model.series`` itself; ``delete()`` and ``drop_series()`` remove
        only the points or series a filter matches.
        """
        state = self._state
        query = state.query
        if (
            query.where is not None
            or query.select
            or query.group_by
            or query.group_by_time
            or query.into
            or state.sliced
            or not isinstance(query.source, Source)
        ):
            msg = (
                "drop() removes the whole measurement, so it takes no filters: "
                "call it on Model.series, or use delete() or drop_series() to "
                "remove what a filter matches."
            )
            raise TypeError(msg)
        if state.empty:
            return
        from influxpy.schema import get_schema_editor

        backend = self._backend()
        get_schema_editor(backend).drop_measurement(
            query.source.measurement, self._database(backend)
        )

    def drop_series(self) -> None:
        """Drop the series whose tags match the filters (``DROP SERIES``).

        Filters may test tags only; without any, every series of the
        measurement goes. Series are dropped in every retention policy. Use
        ``delete()`` to remove a time range.
        """
        state = self._state
        query = state.query
        if (
            query.select
            or query.group_by
            or query.group_by_time
            or query.into
            or state.sliced
            or not isinstance(query.source, Source)
        ):
            msg = (
                "drop_series() drops the series a filter matches; call it on a "
                "QuerySet without annotate(), group_by(), resolution(), into() "
                "or slicing."
            )
            raise TypeError(msg)
        if query.where is not None:
            for lookup in query.where.walk():
                if lookup.lhs.role != "tag":
                    name = lookup.lhs.attname or lookup.lhs.key
                    what = (
                        "time" if lookup.lhs.role == "time" else f"the field {name!r}"
                    )
                    msg = (
                        f"drop_series() can filter on tags only; InfluxDB's DROP "
                        f"SERIES cannot test {what}. Use delete() for time ranges."
                    )
                    raise FieldError(msg, field=name)
        if state.empty:
            return
        from influxpy.schema import get_schema_editor

        backend = self._backend()
        get_schema_editor(backend).drop_series(
            query.source, query.where, self._database(backend)
        )

    def ensure_schema(self) -> list[str]:
        """Create the model's database and declared retention policies.

        Missing ones are created and changed policies altered; running it
        again changes nothing. Returns one sentence per change made.
        """
        from influxpy.schema import ensure_schema

        return ensure_schema(
            [self.model], using=self._state.alias, database=self._state.database
        )

    def iterator(self, chunk_size: int = DEFAULT_CHUNK_SIZE) -> Iterator[Any]:
        """Stream the results in chunks of *chunk_size* rows, in constant memory.

        Yields the same kind of items as iteration; a long series arrives as
        several consecutive ``InfluxResult`` pieces with the same tags.
        """
        if self._state.empty:
            return
        converter = self._converter()
        shape = self._state.shape
        pieces = self._run(self._state.query, chunk_size=chunk_size, merge=False)
        while True:
            # A chunk's rows outlive many collector passes while they are
            # decoded and converted, which pushes it into full passes over
            # everything alive (about 1 s per million rows); it is paused
            # while a chunk is built and runs between chunks.
            with gc_paused():
                series = next(pieces, None)
                if series is None:
                    return
                items = self._shape(series, converter, shape)
            yield from items

    async def aiterator(
        self, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> AsyncIterator[Any]:
        """Async form of ``iterator()``: streams chunks in constant memory."""
        if self._state.empty:
            return
        converter = self._converter()
        shape = self._state.shape
        backend, compiled, database = self._prepare(self._state.query)
        pieces = backend.aexecute(compiled, database=database, chunk_size=chunk_size)
        async with aclosing(pieces):
            async for series in pieces:
                with gc_paused():
                    items = self._shape(series, converter, shape)
                for item in items:
                    yield item

    async def alist(self) -> list[Any]:
        """Return the results as a list: the async form of ``list(qs)``."""
        return list(await self._adrive(self._fill_cache()))

    def to_dataframe(self) -> Any:
        """Return one pandas DataFrame: a UTC time index, tag and value columns.

        Grouped results are stacked into the same frame with their tags as
        columns. Needs the ``pandas`` extra.
        """
        # The frame stacks rows whatever the series, so the chunks of a long
        # one need not be joined first.
        return self._drive(self._to_dataframe(), merge=False)

    async def ato_dataframe(self) -> Any:
        """Async form of ``to_dataframe()``."""
        return await self._adrive(self._to_dataframe())

    def _to_dataframe(self) -> _Steps[Any]:
        from influxpy._dataframe import series_to_dataframe

        empty = self._state.empty
        series: Iterable[Series] = () if empty else (yield self._state.query)
        with gc_paused():
            return series_to_dataframe(
                series,
                names=self._column_names(),
                tz=self._tzinfo(),
                epoch=self._state.epoch,
            )

    # -- methods that return a new QuerySet ----------------------------------

    def all(self) -> Self:
        """Return a new QuerySet equal to this one (with an empty cache)."""
        return self._chain()

    def none(self) -> Self:
        """Return a new QuerySet that finds nothing and never queries."""
        return self._chain(empty=True)

    def using(self, alias: str) -> Self:
        """Return a new QuerySet that runs on the connection named *alias*."""
        return self._chain(alias=alias)

    def database(self, name: str) -> Self:
        """Return a new QuerySet that reads and writes database *name*."""
        return self._chain(database=name)

    def filter(self, *args: Q, **kwargs: Any) -> Self:
        """Return a new QuerySet with the conditions ANDed to the current ones."""
        return self._filter_or_exclude(False, args, kwargs)

    def exclude(self, *args: Q, **kwargs: Any) -> Self:
        """Return a new QuerySet without the points matching the conditions."""
        return self._filter_or_exclude(True, args, kwargs)

    def annotate(self, *args: Expression, **kwargs: Expression) -> Self:
        """Return a new QuerySet selecting functions or expressions.

        Keyword arguments give the output names: ``annotate(cpu_m=Mean('cpu'))``.
        """
        items = self._select_items(args, kwargs)
        query = self._state.query
        return self._replace(select=query.select + items)

    def only(self, *names: str) -> Self:
        """Return a new QuerySet selecting only these fields (and time)."""
        resolver = self._resolver()
        items = []
        for name in names:
            col = resolver.column(name)
            if col.role == "time":
                continue
            alias = name if col.attname and col.attname != col.key else None
            items.append(SelectItem(col, alias))
        return self._replace(select=self._state.query.select + tuple(items))

    def resolution(self, interval: Duration | dt.timedelta, offset: Any = None) -> Self:
        """Return a new QuerySet grouped into windows of *interval*.

        ``offset`` shifts the windows (a duration, or ``Now()``).
        """
        duration = as_duration(interval, "resolution()")
        if duration.value <= 0:
            msg = f"resolution() takes a positive duration; got {duration!r}."
            raise ValueError(msg)
        shift: Duration | Now | None = None
        if isinstance(offset, Now):
            if offset.offset_ns:
                msg = (
                    "resolution()'s offset is a duration or Now() itself; InfluxDB "
                    "refuses a shifted Now() such as Now() - Minute(1)."
                )
                raise ValueError(msg)
            shift = offset
        elif offset is not None:
            shift = as_duration(offset, "resolution()'s offset")
        return self._replace(group_by_time=GroupByTime(duration, shift))

    def group_by(self, *tags: str, time: Duration | dt.timedelta | None = None) -> Self:
        """Return a new QuerySet with one series per value of *tags*.

        ``'*'`` groups by every tag; ``time=`` is ``resolution()``.
        """
        qs = self.resolution(time) if time is not None else self
        keys = list(qs._state.query.group_by)
        meta = self.model._meta
        for tag in tags:
            if tag == "*":
                key = "*"
            else:
                field = meta.fields.get(tag) or meta.by_db_name.get(tag)
                if field is None or not field.is_tag:
                    names = ", ".join(sorted(f.name for f in meta.tags)) or "none"
                    hint = suggest(tag, [f.name for f in meta.tags])
                    msg = (
                        f"group_by() takes tags of {self.model.__name__} ({names}) "
                        f"or '*'; InfluxDB cannot group by {tag!r}.{hint}"
                    )
                    raise FieldError(msg, field=tag)
                key = field.db_name
            if key not in keys:
                keys.append(key)
        if "*" in keys:
            keys = ["*"]
        return qs._replace(group_by=tuple(keys))

    def fill(self, value: Any) -> Self:
        """Return a new QuerySet filling empty windows.

        ``None`` or ``'null'`` (the default), ``'none'`` (drop them),
        ``'previous'``, ``'linear'`` or a number.
        """
        if value is None or value == "null":
            fill = Fill("null")
        elif isinstance(value, str) and value in _FILL_WORDS:
            fill = Fill(value)
        elif (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
        ):
            fill = Fill("value", value)
        else:
            choices = "None, 'null', 'none', 'previous', 'linear' or a finite number"
            msg = f"fill() takes {choices}; got {value!r}."
            raise ValueError(msg)
        return self._replace(fill=fill)

    def order_by(self, *fields: str) -> Self:
        """Return a new QuerySet ordered by ``'time'`` or ``'-time'``."""
        descending = self._state.query.descending
        for name in fields:
            if name not in ("time", "-time"):
                msg = (
                    f"order_by() takes 'time' or '-time'; InfluxDB orders by time "
                    f"only, got {name!r}."
                )
                raise FieldError(msg, field=name)
            descending = name == "-time"
        return self._replace(descending=descending)

    def reverse(self) -> Self:
        """Return a new QuerySet in the opposite time order."""
        return self._replace(descending=not self._state.query.descending)

    def series_limit(self, count: int) -> Self:
        """Return a new QuerySet with at most *count* series (SLIMIT)."""
        limit = _count("series_limit", count)
        if limit == 0:
            return self.none()
        return self._replace(series_limit=limit)

    def series_offset(self, count: int) -> Self:
        """Return a new QuerySet skipping the first *count* series (SOFFSET)."""
        return self._replace(series_offset=_count("series_offset", count))

    def tz(self, name: str) -> Self:
        """Return a new QuerySet whose times and windows use the zone *name*."""
        try:
            zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
            msg = (
                f"tz() takes an IANA time zone name such as 'Europe/Paris'; "
                f"{name!r} is not one."
            )
            raise ValueError(msg) from None
        return self._replace(timezone=name)

    def into(self, target: type[InfluxMeasurement] | str) -> Self:
        """Return a new QuerySet that writes its results into *target*.

        *target* is a model or a measurement name. Tags are kept (GROUP BY
        ``*``) unless ``group_by()`` names them. Run it with ``execute()``.
        """
        if isinstance(target, str):
            source = Source(target)
        else:
            meta = target._meta
            source = Source(meta.measurement, meta.database, meta.retention_policy)
        group_by = self._state.query.group_by or ("*",)
        return self._replace(into=source, group_by=group_by)

    def continuous_query(
        self,
        name: str,
        *,
        resample_every: Duration | dt.timedelta | None = None,
        resample_for: Duration | dt.timedelta | None = None,
        database: str | None = None,
    ) -> ContinuousQuery:
        """Return a continuous query that runs this ``into()`` QuerySet.

        Nothing is sent: call ``create()``, ``replace()`` or ``drop()`` on
        the result. The QuerySet needs ``into()`` and ``resolution()``.
        """
        from influxpy.schema import ContinuousQuery

        return ContinuousQuery(self, name, database, resample_every, resample_for)

    def use_downsampled(self) -> Self:
        """Return a new QuerySet that reads a downsampled measurement if one fits.

        ``Meta.aggregated_measurements`` maps windows to downsampled
        measurements. The coarsest one whose window divides the requested
        ``resolution()`` (and its offset) exactly is read; otherwise, or
        without a resolution, the raw measurement is.
        """
        return self._chain(downsampled=True)

    def subquery(self) -> Self:
        """Return a new QuerySet that selects from this one (a subquery).

        Its columns are this query's output names plus the tags.
        """
        inner = self._state.query
        aliases: dict[str, Col] = {}
        for item in inner.select:
            name = item.output_name
            if name:
                col = item.expression
                kind = col.dtype if isinstance(col, Col) else None
                aliases[name] = Col(name, "alias", kind, name)
        for field in self.model._meta.tags:
            aliases.setdefault(
                field.name, Col(field.db_name, "tag", "string", field.name)
            )
        state = dataclasses.replace(
            self._state,
            query=Query(inner),
            aliases=tuple(aliases.items()),
            sliced=False,
        )
        return self._chain_state(state)

    def points(self) -> Self:
        """Return a new QuerySet yielding flat dicts, tags merged into each."""
        return self._chain(shape="points")

    def instances(self) -> Self:
        """Return a new QuerySet yielding model instances (raw queries only)."""
        return self._chain(shape="instances")

    def epoch(self, unit: str = "ns") -> Self:
        """Return a new QuerySet giving times as integer epoch nanoseconds."""
        if unit != "ns":
            msg = f"epoch() gives integer nanoseconds; unit must be 'ns', got {unit!r}."
            raise ValueError(msg)
        return self._chain(epoch="ns")

    # -- introspection ---------------------------------------------------------

    @property
    def query(self) -> Query:
        """The ``Query`` this QuerySet runs; ``str(qs.query)`` is its InfluxQL."""
        return self._downsample(self._state.query)

    def compile(self, alias: str | None = None) -> Compiled:
        """Compile for the connection *alias* (or this QuerySet's)."""
        backend = get_connection(alias or self._alias())
        return self.query.compile(backend.get_compiler(self._state.database))

    # -- private helpers -------------------------------------------------------

    def _chain_state(self, state: _State) -> Self:
        return type(self)(self.model, state)

    def _chain(self, **changes: Any) -> Self:
        return self._chain_state(dataclasses.replace(self._state, **changes))

    def _replace(self, **changes: Any) -> Self:
        if self._state.sliced:
            msg = (
                "Cannot change a QuerySet once a slice has been taken: LIMIT and "
                "OFFSET apply last, so filter, order and annotate first."
            )
            raise TypeError(msg)
        query = dataclasses.replace(self._state.query, **changes)
        return self._chain(query=query)

    def _slice(self, start: int, stop: int | None) -> Self:
        query = self._state.query
        old_offset = query.offset or 0
        old_limit = query.limit
        new_offset = old_offset + start
        if stop is None:
            new_limit = None if old_limit is None else max(old_limit - start, 0)
        else:
            new_limit = max(stop - start, 0)
            if old_limit is not None:
                new_limit = min(new_limit, max(old_limit - start, 0))
        query = dataclasses.replace(query, offset=new_offset or None, limit=new_limit)
        # InfluxQL reads LIMIT 0 as "no limit": an empty slice finds nothing.
        return self._chain(
            query=query, sliced=True, empty=self._state.empty or new_limit == 0
        )

    def _resolver(self) -> _ModelResolver:
        return _ModelResolver(self.model, dict(self._state.aliases))

    def _filter_or_exclude(
        self, negate: bool, args: tuple[object, ...], kwargs: dict[str, Any]
    ) -> Self:
        conditions: list[Q] = []
        for arg in args:
            if not isinstance(arg, Q):
                type_name = type(arg).__name__
                msg = f"filter() takes Q objects and keyword lookups, not {type_name}."
                raise TypeError(msg)
            conditions.append(arg)
        condition = Q(*conditions, **kwargs)
        if not condition.children:
            return self._chain()
        resolver = self._resolver()
        node = condition.resolve(lambda key, value: build_lookup(resolver, key, value))
        if negate:
            node = node.negate()
        where = self._state.query.where
        return self._replace(where=node if where is None else where & node)

    def _select_items(
        self, args: tuple[Expression, ...], kwargs: dict[str, Expression]
    ) -> tuple[SelectItem, ...]:
        resolver = self._resolver()
        items = []
        pairs: list[tuple[str | None, Any]] = [(None, a) for a in args]
        pairs.extend(kwargs.items())
        for alias, expression in pairs:
            if isinstance(expression, str):
                expression = F(expression)
            if not isinstance(expression, Expression):
                type_name = type(expression).__name__
                msg = (
                    f"annotate() takes functions and expressions such as "
                    f"Mean('cpu') or F('a') * 2; got {expression!r} ({type_name})."
                )
                raise TypeError(msg)
            items.append(SelectItem(expression.resolve(resolver), alias))
        return tuple(items)

    def _alias(self) -> str:
        return self._state.alias or self.model._meta.using

    def _backend(self) -> Backend:
        return get_connection(self._alias())

    def _database(self, backend: Backend) -> str:
        return backend.resolve_database(self._state.database)

    def _downsample(self, query: Query) -> Query:
        if (
            not self._state.downsampled
            or query.group_by_time is None
            or not isinstance(query.source, Source)
        ):
            return query
        from influxpy.schema import downsampled_source

        source = downsampled_source(self.model, query.group_by_time)
        return query if source is None else dataclasses.replace(query, source=source)

    def _prepare(self, statement: _Statement) -> tuple[Backend, Compiled, str]:
        """The backend, compiled statement and database to run *statement*."""
        if isinstance(statement, Query):
            statement = self._downsample(statement)
            statement.check_runnable()
        backend = self._backend()
        compiled = statement.compile(backend.get_compiler(self._state.database))
        return backend, compiled, self._database(backend)

    def _run(
        self,
        statement: _Statement,
        chunk_size: int | None = None,
        *,
        merge: bool = True,
    ) -> Iterator[Series]:
        """The series of *statement* as they stream in; with ``merge=False``,
        a long series arrives as the pieces of the chunked response."""
        backend, compiled, database = self._prepare(statement)
        pieces = backend.execute(
            compiled, database=database, chunk_size=chunk_size or _chunks(statement)
        )
        return merge_pieces(pieces) if merge else iter(pieces)

    async def _afetch(self, statement: _Statement) -> list[Series]:
        """Async form of ``_run()``: the series of *statement*, merged."""
        backend, compiled, database = self._prepare(statement)
        pieces = backend.aexecute(
            compiled, database=database, chunk_size=_chunks(statement)
        )
        async with aclosing(pieces):
            received = [series async for series in pieces]
        return list(merge_pieces(received))

    def _drive(self, steps: _Steps[_T], *, merge: bool = True) -> _T:
        """Run *steps*, sending each statement's series as they stream in."""
        try:
            statement = next(steps)
            while True:
                statement = steps.send(self._run(statement, merge=merge))
        except StopIteration as stop:
            result: _T = stop.value
            return result

    async def _adrive(self, steps: _Steps[_T]) -> _T:
        """Run *steps* on the event loop, with the backend's ``aexecute()``."""
        try:
            statement = next(steps)
            while True:
                statement = steps.send(await self._afetch(statement))
        except StopIteration as stop:
            result: _T = stop.value
            return result

    def _tzinfo(self) -> dt.tzinfo | None:
        name = self._state.query.timezone
        return zoneinfo.ZoneInfo(name) if name else None

    def _column_names(self) -> dict[str, str]:
        return {
            f.db_name: f.name
            for f in self.model._meta.fields.values()
            if f.db_name != f.name
        }

    def _converter(self) -> Converter:
        return Converter(
            names=self._column_names(), tz=self._tzinfo(), epoch=self._state.epoch
        )

    def _shape(self, series: Series, converter: Converter, shape: str) -> list[Any]:
        if shape == "points":
            return converter.points(series)
        if shape == "instances":
            if self._state.query.is_aggregate:
                msg = (
                    "instances() builds model instances from raw points; this "
                    "query aggregates, so use iteration or points() instead."
                )
                raise TypeError(msg)
            return converter.instances(series, self.model)
        return [converter.result(series)]

    def _items(self, query: Query) -> _Steps[list[Any]]:
        if self._state.empty:
            return []
        shape = self._state.shape
        if shape == "series":
            shape = "points" if query.is_aggregate else "instances"
        converter = self._converter()
        out: list[Any] = []
        for series in (yield query):
            out.extend(self._shape(series, converter, shape))
        return out

    def _edge(self, *, descending: bool) -> _Steps[Any]:
        query = dataclasses.replace(self._state.query, descending=descending, limit=1)
        rows = yield from self._items(query)
        if not rows:
            return None

        def when(row: Any) -> Any:
            return row["time"] if isinstance(row, dict) else row.time_ns

        return max(rows, key=when) if descending else min(rows, key=when)

    def _fetch_all(self) -> list[Any]:
        # Only InfluxResult series need a long series' chunks joined; points
        # and instances are built chunk by chunk as the response streams in.
        return self._drive(self._fill_cache(), merge=self._state.shape == "series")

    def _fill_cache(self) -> _Steps[list[Any]]:
        if self._result_cache is None:
            items: list[Any] = []
            if not self._state.empty:
                converter = self._converter()
                shape = self._state.shape
                rows = yield self._state.query
                with gc_paused():
                    for series in rows:
                        items.extend(self._shape(series, converter, shape))
            self._result_cache = items
        return self._result_cache


def _chunks(statement: _Statement) -> int | None:
    """Rows per chunk for *statement*: queries stream, a DELETE has no rows."""
    return DEFAULT_CHUNK_SIZE if isinstance(statement, Query) else None


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        msg = f"{name}() takes a whole number of at least 0; got {value!r}."
        raise ValueError(msg)
    return value
