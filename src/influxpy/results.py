"""Query results: raw ``Series`` from backends and the shapes users get.

Backends turn their payloads into ``Series(name, tags, columns, values)``
with the time column as integer nanoseconds. This module turns those into
``InfluxResult`` series, flat dicts, model instances or DataFrames. It never
imports httpx or duckdb.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import operator
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import repeat
from typing import Any

from influxpy._types import PointT, options_of

__all__ = [
    "Converter",
    "InfluxResult",
    "Series",
    "StatementResult",
    "merge_pieces",
    "piece_columns",
]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
#: Distinct timestamps a converter remembers before it starts afresh.
_CACHE_SIZE = 100_000
_FIRST = operator.itemgetter(0)


def _exhaust(iterator: Iterator[Any]) -> None:
    """Run *iterator* for its effects, in C."""
    deque(iterator, maxlen=0)


@dataclasses.dataclass(slots=True)
class Series:
    """One series of one statement's result, as a backend returns it.

    ``values`` rows follow ``columns``; ``time`` is integer nanoseconds.
    ``partial`` marks a piece of a series that continues in the next chunk.
    """

    name: str
    tags: dict[str, str]
    columns: list[str]
    values: list[list[Any]]
    partial: bool = False


@dataclasses.dataclass
class StatementResult:
    """The answer to one statement of an InfluxQL request, as InfluxDB gives it.

    ``statement_id`` counts from 0 in the order of the text. ``series`` yields
    the statement's ``Series`` (several pieces per series when streamed in
    chunks); ``error`` is the server's message when the statement failed
    (``series`` is then empty), e.g. ``database not found: x``.
    """

    statement_id: int
    series: Iterable[Series] = ()
    error: str | None = None
    #: The error left the next statements to run (influxd sent it as the
    #: statement's result and went on).
    goes_on: bool = False


@dataclasses.dataclass
class InfluxResult:
    """One series of a query result: its measurement, tag set and points.

    ``points`` is a list of dicts, one per row, ``time`` first.
    """

    name: str = ""
    tags: dict[str, str] = dataclasses.field(default_factory=dict)
    points: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def __iter__(self) -> Any:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    def _repr_html_(self) -> str:
        """The series' name, tags and first points as HTML, for notebooks."""
        from influxpy._html import result_html

        return result_html(self.name, self.tags, self.points)


class _TimeConverter:
    """Turn epoch nanoseconds into datetimes, caching repeated timestamps."""

    def __init__(self, tz: dt.tzinfo | None, epoch: str | None) -> None:
        self.tz = tz
        self.epoch = epoch
        self.cache: dict[int, Any] = {}

    def __call__(self, ns: Any) -> Any:
        if self.epoch is not None or ns is None or ns.__class__ is not int:
            return ns
        value = self.cache.get(ns)
        if value is None:
            value = self._datetime(ns)
            if len(self.cache) > _CACHE_SIZE:
                self.cache.clear()
            self.cache[ns] = value
        return value

    def many(self, stamps: list[Any]) -> Iterator[Any]:
        """Convert *stamps* in bulk, computing each distinct one once.

        The loops run in C; only new timestamps cost Python work.
        """
        if self.epoch is not None:
            return iter(stamps)
        cache = self.cache
        missing = set(stamps).difference(cache)
        if len(cache) + len(missing) > _CACHE_SIZE:
            cache.clear()
            missing = set(stamps)
        for ns in missing:
            cache[ns] = (
                ns if ns is None or ns.__class__ is not int else self._datetime(ns)
            )
        return map(cache.__getitem__, stamps)

    def _datetime(self, ns: int) -> dt.datetime:
        value = _EPOCH + dt.timedelta(microseconds=ns // 1_000)
        return value if self.tz is None else value.astimezone(self.tz)


def _compiled_row_dicts() -> Any:
    """The compiled builder of rows as dicts (``_rowdicts.c``), where it is
    built (not with ``INFLUXPY_PURE_PYTHON=1``), else None: the dict
    displays of ``_dict_builder`` then make the same dicts."""
    if os.environ.get("INFLUXPY_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from influxpy._rowdicts import row_dicts
    except ImportError:  # not built here
        return None
    return row_dicts


_ROW_DICTS: Any = _compiled_row_dicts()


@functools.lru_cache(maxsize=256)
def _dict_builder(
    columns: tuple[str, ...], extra: tuple[str, ...]
) -> Callable[[list[list[Any]], tuple[Any, ...]], list[dict[str, Any]]]:
    """A function making a dict of each row: ``columns`` from the row, then
    ``extra`` keys from a tuple of values shared by every row.

    Like the classes ``namedtuple`` writes, its source spells the keys as
    literals (``repr`` of each string): a dict display per row is about
    twice as fast as ``dict(zip(columns, row))``. A repeated column keeps
    its last value, as ``dict()`` does.
    """
    items = [f"{key!r}: r[{i}]" for i, key in enumerate(columns)]
    items += [f"{key!r}: e[{j}]" for j, key in enumerate(extra)]
    source = f"lambda rows, e: [{{{', '.join(items)}}} for r in rows]"
    built: Callable[[list[list[Any]], tuple[Any, ...]], list[dict[str, Any]]]
    built = eval(source, {"__builtins__": {}})
    return built


def piece_columns(
    piece: Series, names: Mapping[str, str]
) -> tuple[Iterator[Any] | None, list[tuple[str, list[Any]]], list[tuple[str, str]]]:
    """Split a non-empty *piece* into the columns of a table.

    Returns an iterator over its times, read once (None when the first
    column is not ``time``; made into an array without a list between),
    one list of values per named column (the first of a repeated name), and
    the tags whose names no column took; *names* maps stored keys to
    attribute names. Lists are read by index: about twice as fast as
    transposing the rows with ``zip(*rows)``.
    """
    rows = piece.values
    times: Iterator[Any] | None = None
    done: set[str] = set()
    values: list[tuple[str, list[Any]]] = []
    for index, key in enumerate(piece.columns[: len(rows[0])]):
        name = names.get(key, key)
        if name == "time" and index == 0:
            times = map(_FIRST, rows)
        elif name not in done:
            done.add(name)
            values.append((name, [row[index] for row in rows]))
    tags = []
    for key, value in piece.tags.items():
        name = names.get(key, key)
        if name not in done:
            done.add(name)
            tags.append((name, value))
    return times, values, tags


def merge_pieces(pieces: Iterable[Series]) -> Iterator[Series]:
    """Join consecutive pieces of one series (chunked responses) into one."""
    current: Series | None = None
    for piece in pieces:
        if (
            current is not None
            and current.partial
            and current.name == piece.name
            and current.tags == piece.tags
            and current.columns == piece.columns
        ):
            current.values.extend(piece.values)
            current.partial = piece.partial
            continue
        if current is not None:
            yield current
        current = piece
    if current is not None:
        yield current


class Converter:
    """Build the user-facing shapes from ``Series`` for one query.

    ``names`` maps stored keys to attribute names (``db_name`` fields);
    ``tz`` gives local datetimes; ``epoch='ns'`` keeps integer times.
    """

    def __init__(
        self,
        *,
        names: Mapping[str, str] | None = None,
        tz: dt.tzinfo | None = None,
        epoch: str | None = None,
    ) -> None:
        self.names = dict(names or {})
        self.time = _TimeConverter(tz, epoch)
        #: One string of each distinct string value met, which the compiled
        #: builder stores in the rows instead of equal copies (bounded).
        self.strings: dict[str, str] = {}

    def columns(self, series: Series) -> list[str]:
        """The output names of a series' columns."""
        names = self.names
        return [names.get(c, c) for c in series.columns]

    def rows(
        self,
        series: Series,
        extra: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Rows as dicts, ``time`` converted; *extra* items (keys not among
        the columns) end every row."""
        columns = self.columns(series)
        convert = self.time
        values = series.values
        extra = extra or {}
        convert_first = columns[:1] == ["time"] and convert.epoch is None
        # A repeated time column keeps its last value, converted row by row.
        repeated = convert_first and columns.count("time") > 1
        if _ROW_DICTS is not None and values.__class__ is list and not repeated:
            template = dict.fromkeys(columns)
            template.update(extra)
            keys = tuple(
                None if key in extra and (index or not convert_first) else key
                for index, key in enumerate(columns)
            )
            first = (convert.cache, convert) if convert_first else None
            made: list[dict[str, Any]] = _ROW_DICTS(
                template, keys, values, first, self.strings
            )
            return made
        build = _dict_builder(tuple(columns), tuple(extra))
        rows = build(values, tuple(extra.values()))
        if repeated:
            for row in rows:
                row["time"] = convert(row["time"])
        elif convert_first:
            times = convert.many(list(map(_FIRST, values)))
            _exhaust(map(operator.setitem, rows, repeat("time"), times))
        return rows

    def result(self, series: Series) -> InfluxResult:
        """One ``InfluxResult``."""
        return InfluxResult(series.name, dict(series.tags), self.rows(series))

    def points(self, series: Series) -> list[dict[str, Any]]:
        """Flat dicts with the series' tags merged into every row."""
        if not series.tags:
            return self.rows(series)
        # A column wins over a tag of the same name.
        columns = set(self.columns(series))
        names = self.names
        tags = {
            key: value
            for key, value in ((names.get(k, k), v) for k, v in series.tags.items())
            if key not in columns
        }
        return self.rows(series, tags)

    def instances(self, series: Series, model: type[PointT]) -> list[PointT]:
        """Model instances built without validation from stored values.

        Times stay exact: the instance keeps the integer nanoseconds.
        """
        known = set(options_of(model).field_names)
        columns = self.columns(series)
        picks = [(i, c) for i, c in enumerate(columns) if c in known]
        tags = {
            self.names.get(k, k): v
            for k, v in series.tags.items()
            if self.names.get(k, k) in known and v
        }
        from_db = model.from_db
        out = []
        for row in series.values:
            values = dict(tags)
            for index, name in picks:
                value = row[index]
                if value is not None:
                    values[name] = value
            out.append(from_db(values))
        return out
