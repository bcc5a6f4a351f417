"""The QuerySet methods that run a query: iteration, counts, reads, DELETE.

Each is written once, as steps; the sync form runs them with ``_drive()``,
the async form (named as in Django's async ORM) with ``_adrive()``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, overload

from influxpy._utils import gc_paused
from influxpy.exceptions import FieldError
from influxpy.expressions import Col, Expression, Q
from influxpy.functions import Count, Func
from influxpy.models import ModelT
from influxpy.query import Delete, SelectItem, Source
from influxpy.queryset._base import DEFAULT_CHUNK_SIZE, ItemT, RowT
from influxpy.queryset._chaining import ChainingMixin

if TYPE_CHECKING:
    from typing import Self

    from influxpy.queryset._base import _Steps

__all__ = ["ReadsMixin"]


class ReadsMixin(ChainingMixin[ModelT, ItemT, RowT]):
    """Iteration, indexing and the methods that run a query."""

    # -- Python protocol -------------------------------------------------------

    def __iter__(self) -> Iterator[ItemT]:
        return iter(self._fetch_all())

    def __len__(self) -> int:
        return len(self._fetch_all())

    def __bool__(self) -> bool:
        return bool(self._fetch_all())

    def __aiter__(self) -> AsyncIterator[ItemT]:
        async def results() -> AsyncIterator[ItemT]:
            for item in await self._adrive(self._fill_cache()):
                yield item

        return results()

    @overload
    def __getitem__(self, key: int) -> ItemT: ...

    @overload
    def __getitem__(self, key: slice) -> Self: ...

    def __getitem__(self, key: int | slice) -> ItemT | Self:
        if self._result_cache is not None:
            # A filled cache answers from the list, slices included.
            return self._result_cache[key]  # type: ignore[return-value]
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
        item: ItemT = items[0]
        return item

    # -- methods that run a query ------------------------------------------------

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

    def first(self) -> RowT | None:
        """Return the earliest point, or ``None`` (an instance for raw queries)."""
        row: RowT | None = self._drive(self._edge(descending=False))
        return row

    async def afirst(self) -> RowT | None:
        """Async form of ``first()``."""
        return await self._adrive(self._edge(descending=False))

    def last(self) -> RowT | None:
        """Return the latest point, or ``None`` (an instance for raw queries)."""
        row: RowT | None = self._drive(self._edge(descending=True))
        return row

    async def alast(self) -> RowT | None:
        """Async form of ``last()``."""
        return await self._adrive(self._edge(descending=True))

    def latest(self, *fields: str) -> RowT:
        """Return the latest point, raising ``Model.DoesNotExist`` when none.

        Points are ordered by time, the only order InfluxDB has; field names
        narrow the search to the latest point with a value for one of them
        (selecting those fields and the tags, as ``only()`` does). ``'time'``
        is accepted and ``'-time'`` asks for the earliest, as in Django.
        """
        row: RowT = self._drive(self._latest("latest", fields, descending=True))
        return row

    async def alatest(self, *fields: str) -> RowT:
        """Async form of ``latest()``."""
        row: RowT = await self._adrive(self._latest("latest", fields, descending=True))
        return row

    def earliest(self, *fields: str) -> RowT:
        """Return the earliest point, raising ``Model.DoesNotExist`` when none.

        The counterpart of ``latest()``, with the same field names.
        """
        row: RowT = self._drive(self._latest("earliest", fields, descending=False))
        return row

    async def aearliest(self, *fields: str) -> RowT:
        """Async form of ``earliest()``."""
        row: RowT = await self._adrive(
            self._latest("earliest", fields, descending=False)
        )
        return row

    def _latest(
        self, method: str, fields: tuple[str, ...], *, descending: bool
    ) -> _Steps[Any]:
        names: list[str] = []
        for name in fields:
            if name in ("time", "-time"):
                descending = descending != (name == "-time")
            elif isinstance(name, str) and not name.startswith("-"):
                names.append(name)
            else:
                msg = (
                    f"{method}() takes field names, 'time' or '-time'; InfluxDB "
                    f"orders points by time only, got {name!r}."
                )
                raise FieldError(msg, field=str(name))
        qs = self
        if names:
            if self._state.query.select:
                msg = (
                    f"{method}({', '.join(map(repr, names))}) selects those fields; "
                    f"this QuerySet already selects with annotate() or only(), so "
                    f"call {method}() without names."
                )
                raise TypeError(msg)
            tags = [n for n in names if self.model._meta.get_field(n).is_tag]
            if tags:
                msg = (
                    f"{method}() takes value fields, whose values a point may "
                    f"lack; {tags[0]!r} is a tag, so filter on it instead: "
                    f"filter({tags[0]}=...).{method}()."
                )
                raise FieldError(msg, field=tags[0])
            # The tags come along, so the point says which series it is.
            qs = self.only(*names, *(f.name for f in self.model._meta.tags))
        row = yield from qs._edge(descending=descending)
        if row is None:
            model = self.model.__name__
            other = "last()" if method == "latest" else "first()"
            msg = (
                f"{model} matching the query has no points, so {method}() has "
                f"nothing to return ({other} returns None instead)."
            )
            raise self.model.DoesNotExist(msg)
        return row

    def get(self, *args: Q, **kwargs: Any) -> RowT:
        """Return the one point matching the filters.

        Raises ``Model.DoesNotExist`` when none matches and
        ``Model.MultipleObjectsReturned`` when several do.
        """
        return self._drive(self._get(args, kwargs))

    async def aget(self, *args: Q, **kwargs: Any) -> RowT:
        """Async form of ``get()``."""
        return await self._adrive(self._get(args, kwargs))

    def _get(self, args: tuple[Q, ...], kwargs: dict[str, Any]) -> _Steps[RowT]:
        qs = self.filter(*args, **kwargs) if args or kwargs else self
        rows = yield from qs._items(dataclasses.replace(qs._state.query, limit=2))
        name = self.model.__name__
        if not rows:
            msg = f"{name} matching the query does not exist."
            raise self.model.DoesNotExist(msg)
        if len(rows) > 1:
            msg = f"get() returned more than one {name}; narrow the filters."
            raise self.model.MultipleObjectsReturned(msg)
        row: RowT = rows[0]
        return row

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

    def iterator(
        self, chunk_size: int = DEFAULT_CHUNK_SIZE, *, parallel: int | None = None
    ) -> Iterator[ItemT]:
        """Stream the results in chunks of *chunk_size* rows, in constant memory.

        Yields the same kind of items as iteration; a long series arrives as
        several consecutive ``InfluxResult`` pieces with the same tags.
        ``parallel=N`` reads *N* time slices at the same time (see
        ``to_dataframe()``) and yields the same items in the same order; the
        slices are held in memory until yielded.
        """
        if self._state.empty:
            return
        self._check_columns(self._state.query)
        converter = self._converter()
        shape = self._state.shape
        if parallel is not None:
            from influxpy.queryset._parallel import check_parallel, sliced_series

            count = check_parallel(parallel)
            pieces = sliced_series(self, self._state.query, count, chunk_size)
        else:
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
                # Its rows die here, paused, before a pass could walk them.
                del series
            yield from items

    async def aiterator(
        self, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> AsyncIterator[ItemT]:
        """Async form of ``iterator()``: streams chunks in constant memory."""
        if self._state.empty:
            return
        self._check_columns(self._state.query)
        converter = self._converter()
        shape = self._state.shape
        backend, compiled, database = self._prepare(self._state.query)
        pieces = backend.aexecute(compiled, database=database, chunk_size=chunk_size)
        async with aclosing(pieces):
            async for series in pieces:
                with gc_paused():
                    items = self._shape(series, converter, shape)
                    del series
                for item in items:
                    yield item

    async def alist(self) -> list[ItemT]:
        """Return the results as a list: the async form of ``list(qs)``."""
        return list(await self._adrive(self._fill_cache()))
