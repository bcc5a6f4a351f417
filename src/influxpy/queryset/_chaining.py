"""The QuerySet methods that return a new QuerySet, and its ``query``."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import zoneinfo
from typing import TYPE_CHECKING, Any, Generic, Literal, NoReturn, cast, overload

from influxpy._utils import suggest
from influxpy.connection import get_connection
from influxpy.durations import Duration, as_duration
from influxpy.exceptions import FieldError
from influxpy.expressions import Col, Expression, F, Now, Q
from influxpy.models import ModelT
from influxpy.query import Fill, GroupByTime, Query, SelectItem, Source
from influxpy.queryset._base import (
    _FILL_WORDS,
    ItemT,
    QuerySetBase,
    RowT,
    _count,
)

if TYPE_CHECKING:
    from typing import Self

    from influxpy.compilers.base import Compiled
    from influxpy.models import InfluxMeasurement
    from influxpy.queryset import QuerySet
    from influxpy.results import InfluxResult

__all__ = ["ChainingMixin"]


class ChainingMixin(QuerySetBase[ModelT], Generic[ModelT, ItemT, RowT]):
    """Methods that return a new QuerySet; ``query`` and ``compile()``.

    Besides the model, a QuerySet's type names what iterating it yields
    (``ItemT``) and what ``first()``, ``get()`` and the like return
    (``RowT``); ``points()``, ``instances()``, ``values()`` and
    ``annotate()`` change them.
    """

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

    @overload
    def annotate(
        self: ChainingMixin[ModelT, InfluxResult, RowT],
        *args: Expression | str,
        **kwargs: Expression | str,
    ) -> QuerySet[ModelT, InfluxResult, dict[str, Any]]: ...

    @overload
    def annotate(self, *args: Expression | str, **kwargs: Expression | str) -> Self: ...

    def annotate(
        self, *args: Expression | str, **kwargs: Expression | str
    ) -> QuerySet[ModelT, InfluxResult, dict[str, Any]] | Self:
        """Return a new QuerySet selecting functions or expressions.

        Keyword arguments give the output names: ``annotate(cpu_m=Mean('cpu'))``.
        A field's name adds its column beside a function (``Max('cpu'),
        'host'``), never alone. ``first()``, ``last()``, ``get()`` and the
        like then return dicts, which keep the new columns.
        """
        given = [*args, *kwargs.values()]
        names = [value for value in given if isinstance(value, str)]
        if names and len(names) == len(given) and not self._state.query.select:
            name = names[0]
            msg = (
                f"annotate() takes functions and expressions such as Mean('cpu') "
                f"or F('cpu') * 2, not the bare string {name!r}; a name only adds "
                f"a column beside one (Max('cpu'), {name!r}). To pick fields use "
                f"only({name!r}) or values({name!r})."
            )
            raise TypeError(msg)
        items = self._select_items(args, kwargs)
        query = self._state.query
        return self._replace(select=query.select + items)._chain(annotated=True)

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

    def group_by(
        self, *tags: str | F, time: Duration | dt.timedelta | None = None
    ) -> Self:
        """Return a new QuerySet with one series per value of *tags*.

        ``'*'`` groups by every tag; ``time=`` is ``resolution()``.
        ``F('k', cast='tag')`` groups by the tag ``k`` of a key that is a tag
        in some series and a field in others (declared as the field).
        """
        qs = self.resolution(time) if time is not None else self
        keys = list(qs._state.query.group_by)
        meta = self.model._meta
        for tag in tags:
            if isinstance(tag, F):
                if tag.cast != "tag":
                    msg = (
                        f"group_by() takes tag names, '*' or F(name, cast='tag'); "
                        f"got {tag!r}: InfluxDB groups by tags only."
                    )
                    raise FieldError(msg, field=tag.name)
                known = meta.fields.get(tag.name) or meta.by_db_name.get(tag.name)
                key = known.db_name if known is not None else tag.name
            elif tag == "*":
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

    def into(
        self, target: type[InfluxMeasurement] | str, *, keep_tags: bool = True
    ) -> Self:
        """Return a new QuerySet that writes its results into *target*.

        *target* is a model or a measurement name. Tags are kept (GROUP BY
        ``*``) unless ``group_by()`` names them; that makes an aggregate or a
        selector one per series. ``keep_tags=False`` writes the query as it
        stands (``Mean('v')`` over every series: one point, without tags).
        Run it with ``execute()``.
        """
        if isinstance(target, str):
            source = Source(target)
        else:
            meta = target._meta
            source = Source(meta.measurement, meta.database, meta.retention_policy)
        group_by = self._state.query.group_by
        if keep_tags and not group_by:
            group_by = ("*",)
        return self._replace(into=source, group_by=group_by)

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

    def points(self) -> QuerySet[ModelT, dict[str, Any], dict[str, Any]]:
        """Return a new QuerySet yielding flat dicts, tags merged into each."""
        qs = self._chain(shape="points", columns=())
        return cast("QuerySet[ModelT, dict[str, Any], dict[str, Any]]", qs)

    def instances(self) -> QuerySet[ModelT, ModelT, ModelT]:
        """Return a new QuerySet yielding model instances (raw queries only)."""
        qs = self._chain(shape="instances", columns=())
        return cast("QuerySet[ModelT, ModelT, ModelT]", qs)

    def values(self, *names: str) -> QuerySet[ModelT, dict[str, Any], dict[str, Any]]:
        """Return a new QuerySet yielding a dict per point, keyed by *names*.

        ``'time'`` is a name like the others; with no names each dict has
        every column, as with ``points()``. Every point of the query is a
        row (a field without a value is ``None``); ``only()`` first keeps
        the points that have a value.
        """
        qs = self._chain(shape="values", columns=_names("values", names))
        return cast("QuerySet[ModelT, dict[str, Any], dict[str, Any]]", qs)

    @overload
    def values_list(
        self, *names: str, flat: Literal[False] = False
    ) -> QuerySet[ModelT, tuple[Any, ...], tuple[Any, ...]]: ...

    @overload
    def values_list(
        self, *names: str, flat: Literal[True]
    ) -> QuerySet[ModelT, Any, Any]: ...

    @overload
    def values_list(self, *names: str, flat: bool) -> QuerySet[ModelT, Any, Any]: ...

    def values_list(
        self, *names: str, flat: bool = False
    ) -> QuerySet[ModelT, Any, Any]:
        """Return a new QuerySet yielding a tuple per point, in the order of *names*.

        With ``flat=True`` and one name, each row is that value alone. With no
        names, the tuples hold every column in the order of ``values()``.
        """
        columns = _names("values_list", names)
        if flat and len(columns) != 1:
            msg = (
                f"values_list(flat=True) takes exactly one name, got {len(columns)}; "
                f"drop flat=True to get tuples."
            )
            raise TypeError(msg)
        shape = "flat" if flat else "values_list"
        qs = self._chain(shape=shape, columns=columns)
        return cast("QuerySet[ModelT, Any, Any]", qs)

    def epoch(self, unit: str = "ns") -> Self:
        """Return a new QuerySet giving times as integer epoch nanoseconds."""
        if unit != "ns":
            msg = f"epoch() gives integer nanoseconds; unit must be 'ns', got {unit!r}."
            raise ValueError(msg)
        return self._chain(epoch="ns")

    def update(self, **values: Any) -> NoReturn:
        """Raise ``TypeError``: InfluxDB cannot change stored points.

        Write the point again with the same time and tags instead: its fields
        are merged into the stored point.
        """
        model = self.model.__name__
        msg = (
            f"InfluxDB has no UPDATE, so a QuerySet has no update(); write the "
            f"point again with the same time and tags ({model}(time=..., ...)"
            f".save() or {model}.series.bulk_create([...])) and its fields are "
            f"merged into the stored point."
        )
        raise TypeError(msg)

    async def aupdate(self, **values: Any) -> NoReturn:
        """Async form of ``update()``: raises ``TypeError`` likewise."""
        self.update(**values)

    # -- introspection ---------------------------------------------------------

    @property
    def query(self) -> Query:
        """The ``Query`` this QuerySet runs; ``str(qs.query)`` is its InfluxQL."""
        return self._downsample(self._state.query)

    def compile(self, alias: str | None = None) -> Compiled:
        """Compile for the connection *alias* (or this QuerySet's)."""
        backend = get_connection(alias or self._alias())
        return self.query.compile(backend.get_compiler(self._state.database))


def _names(method: str, names: tuple[Any, ...]) -> tuple[str, ...]:
    """Check that *names* are strings, once each; return them."""
    for name in names:
        if not isinstance(name, str):
            type_name = type(name).__name__
            msg = (
                f"{method}() takes names of fields, tags or 'time' as str; "
                f"got {name!r} ({type_name})."
            )
            raise TypeError(msg)
    if len(set(names)) != len(names):
        msg = f"{method}() takes each name once; got {', '.join(map(repr, names))}."
        raise ValueError(msg)
    return names
