"""The state of a QuerySet and the machinery every part of it shares.

``QuerySetBase`` holds the model and the immutable ``_State``, makes new
QuerySets from changed states, resolves names against the model, and runs
statements: a method that runs queries is written once, as steps (a
generator that yields the statements it needs and is sent their series),
which ``_drive()`` answers with the backend's ``execute()`` and
``_adrive()`` with ``aexecute()``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zoneinfo
from collections.abc import Generator, Iterable, Iterator, Mapping
from contextlib import aclosing
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from influxpy._utils import gc_paused, suggest
from influxpy.connection import get_connection
from influxpy.exceptions import FieldError
from influxpy.expressions import Col, Expression, F, Q, Resolver
from influxpy.fields import Field
from influxpy.filters import build_lookup
from influxpy.models import ModelT
from influxpy.query import Delete, Query, SelectItem, Source
from influxpy.results import Converter, Series, merge_pieces

_T = TypeVar("_T")

if TYPE_CHECKING:
    from typing import Self

    from typing_extensions import TypeVar as DefaultTypeVar

    from influxpy.results import InfluxResult

    #: What iterating a QuerySet yields: ``InfluxResult`` series by default,
    #: dicts after ``points()``, instances after ``instances()``.
    ItemT = DefaultTypeVar("ItemT", default=InfluxResult)
    #: What ``first()``, ``last()``, ``get()`` and ``latest()`` return: an
    #: instance by default, a dict after ``points()`` or ``annotate()``.
    RowT = DefaultTypeVar("RowT", default=ModelT)

    from influxpy.backends.base import Backend
    from influxpy.compilers.base import Compiled
    from influxpy.models import InfluxMeasurement

    #: What a method runs: a query, or a DELETE statement.
    _Statement = Query | Delete
    #: A method as steps: yields statements, is sent their series, returns.
    _Steps = Generator[_Statement, Iterable[Series], _T]
else:
    ItemT = TypeVar("ItemT")
    RowT = TypeVar("RowT")

__all__ = ["DEFAULT_CHUNK_SIZE", "ItemT", "QuerySetBase", "RowT"]

_SHAPES = ("series", "points", "instances", "values", "values_list", "flat")
#: Shapes built from points and then narrowed to ``_State.columns``.
_PROJECTIONS = ("values", "values_list", "flat")
_FILL_WORDS = ("null", "none", "previous", "linear")
#: Rows per chunk when the server streams a result.
DEFAULT_CHUNK_SIZE = 10_000


class _ModelResolver(Resolver):
    """Resolve names against a model's fields (or a subquery's outputs)."""

    def __init__(
        self,
        model: type[InfluxMeasurement],
        aliases: dict[str, Col] | None = None,
        annotations: dict[str, Expression] | None = None,
    ) -> None:
        self.model = model
        self.aliases = aliases or {}
        self.annotations = annotations or {}

    def annotation(self, name: str) -> Expression | None:
        if name in self.aliases or name in self.model._meta.fields:
            return None
        return self.annotations.get(name)

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
    #: ``annotate()`` was called: single rows come back as dicts.
    annotated: bool = False
    #: The names ``values()`` and ``values_list()`` keep, in order.
    columns: tuple[str, ...] = ()


class QuerySetBase(Generic[ModelT]):
    """The model and state of a QuerySet, and the helpers its parts share."""

    def __init__(self, model: type[ModelT], state: _State | None = None) -> None:
        self.model = model
        if state is None:
            meta = model._meta
            source = Source(meta.measurement, None, meta.retention_policy)
            state = _State(Query(source), alias=None, database=meta.database)
        self._state = state
        self._result_cache: list[Any] | None = None

    # -- new QuerySets and names -----------------------------------------------

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
        annotations = {
            item.alias: item.expression
            for item in self._state.query.select
            if item.alias is not None
        }
        return _ModelResolver(self.model, dict(self._state.aliases), annotations)

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
        self,
        args: tuple[Expression | str, ...],
        kwargs: Mapping[str, Expression | str],
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
        from influxpy.downsampling import downsampled_source

        source = downsampled_source(self.model, query.group_by_time)
        return query if source is None else dataclasses.replace(query, source=source)

    # -- running statements ------------------------------------------------------

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

    def _shape(
        self, series: Series, converter: Converter, shape: str, *, project: bool = True
    ) -> list[Any]:
        if shape == "points":
            return converter.points(series)
        if shape in _PROJECTIONS:
            points = converter.points(series)
            return self._project(points, shape) if project else points
        if shape == "instances":
            if self._state.query.is_aggregate:
                msg = (
                    "instances() builds model instances from raw points; this "
                    "query aggregates, so use iteration or points() instead."
                )
                raise TypeError(msg)
            return converter.instances(series, self.model)
        return [converter.result(series)]

    def _project(self, points: list[dict[str, Any]], shape: str) -> list[Any]:
        """Narrow *points* to the names ``values()``/``values_list()`` keep."""
        names = self._state.columns
        if shape == "values":
            if not names:
                return points
            return [{name: p.get(name) for name in names} for p in points]
        if shape == "flat":
            name = names[0]
            return [p.get(name) for p in points]
        if not names:
            return [tuple(p.values()) for p in points]
        return [tuple([p.get(name) for name in names]) for p in points]

    def _check_columns(self, query: Query) -> None:
        """Raise ``FieldError`` when ``values()`` names a column *query* lacks."""
        state = self._state
        if state.shape not in _PROJECTIONS or not state.columns:
            return
        meta = self.model._meta
        known: set[str] = {"time"}
        if not query.select:
            if state.aliases:
                known.update(name for name, _ in state.aliases)
            else:
                known.update(meta.fields)
        else:
            renames = self._column_names()
            for item in query.select:
                name = item.output_name
                if name:
                    known.update((name, renames.get(name, name)))
            if "*" in query.group_by:
                known.update(f.name for f in meta.tags)
            else:
                known.update(renames.get(key, key) for key in query.group_by)
        for name in state.columns:
            if name not in known:
                method = "values()" if state.shape == "values" else "values_list()"
                choices = sorted(known)
                hint = suggest(name, choices)
                msg = (
                    f"{method} names {name!r}, which this query does not return; "
                    f"it returns: {', '.join(choices)}.{hint}"
                )
                raise FieldError(msg, field=name)

    def _items(self, query: Query, *, project: bool = True) -> _Steps[list[Any]]:
        if self._state.empty:
            return []
        self._check_columns(query)
        shape = self._state.shape
        if shape == "series":
            aggregate = query.is_aggregate or self._state.annotated
            shape = "points" if aggregate else "instances"
        converter = self._converter()
        out: list[Any] = []
        for series in (yield query):
            out.extend(self._shape(series, converter, shape, project=project))
        return out

    def _edge(self, *, descending: bool) -> _Steps[Any]:
        query = dataclasses.replace(self._state.query, descending=descending, limit=1)
        rows = yield from self._items(query, project=False)
        if not rows:
            return None

        def when(row: Any) -> Any:
            return row["time"] if isinstance(row, dict) else row.time_ns

        row = max(rows, key=when) if descending else min(rows, key=when)
        shape = self._state.shape
        return self._project([row], shape)[0] if shape in _PROJECTIONS else row

    def _fetch_all(self) -> list[Any]:
        # Only InfluxResult series need a long series' chunks joined; points
        # and instances are built chunk by chunk as the response streams in.
        return self._drive(self._fill_cache(), merge=self._state.shape == "series")

    def _fill_cache(self) -> _Steps[list[Any]]:
        if self._result_cache is None:
            items: list[Any] = []
            if not self._state.empty:
                self._check_columns(self._state.query)
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
