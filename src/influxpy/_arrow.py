"""Arrow tables from query results, straight from the stream.

A result arrives as ``Series`` pieces (several per series when the server
streams a chunked response). Each piece's rows are transposed once and each
column becomes an Arrow array inferred in C; the pieces' arrays are joined
into one table with no pandas in between. ``time`` is
``timestamp[ns, <tz>]`` (UTC unless the query names a time zone), tags are
string columns and fields keep their InfluxDB types (``float`` as
``double``, ``integer`` as ``int64``, ``boolean`` as ``bool``, ``string`` as
``string``). A result without rows still has the columns the query would
have, typed from the model (``expected``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from influxpy.exceptions import ImproperlyConfigured
from influxpy.results import Series, piece_columns

__all__ = ["arrow_type", "empty_table", "series_to_arrow"]

#: An expected result column: its output name and its kind (a field kind,
#: ``tag`` or ``any``).
Expected = Sequence[tuple[str, str]]


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError:
        msg = "to_arrow() needs pyarrow: install it with pip install pyarrow."
        raise ImproperlyConfigured(msg) from None
    return pyarrow


def arrow_type(kind: str) -> Any:
    """The Arrow type of a column of *kind* (``null`` when unknown)."""
    pa = _pyarrow()
    return {
        "float": pa.float64(),
        "integer": pa.int64(),
        "boolean": pa.bool_(),
        "string": pa.string(),
        "tag": pa.string(),
    }.get(kind, pa.null())


def _time_type(tz: str | None, epoch: str | None) -> Any:
    pa = _pyarrow()
    if epoch is not None:
        return pa.int64()
    return pa.timestamp("ns", tz=tz or "UTC")


def empty_table(
    expected: Expected, *, tz: str | None = None, epoch: str | None = None
) -> Any:
    """A table without rows with ``time`` and the *expected* columns."""
    pa = _pyarrow()
    fields = [pa.field("time", _time_type(tz, epoch))]
    fields += [pa.field(name, arrow_type(kind)) for name, kind in expected]
    return pa.schema(fields).empty_table()


def series_to_arrow(
    series: Iterable[Series],
    *,
    names: Mapping[str, str] | None = None,
    tz: str | None = None,
    epoch: str | None = None,
    expected: Expected = (),
) -> Any:
    """Return one ``pyarrow.Table``: ``time``, then value and tag columns.

    *series* may be whole series or the pieces of a chunked response, in
    order; tags of grouped series become columns, as in ``to_dataframe()``.
    *names* maps stored keys to attribute names; *tz* names the time zone
    of the ``time`` column; ``epoch='ns'`` keeps it as integer nanoseconds.
    *expected* gives the columns (and their kinds) of a result without
    rows, and the type of a column whose values are all null.
    """
    pa = _pyarrow()
    import numpy as np

    names = dict(names or {})
    columns: dict[str, _Chunks] = {}
    times: list[Any] = []
    total = 0
    for piece in series:
        rows = piece.values
        count = len(rows)
        if not count:
            continue
        firsts, values, tags = piece_columns(piece, names)
        if firsts is not None:
            times.append(np.fromiter(firsts, dtype=np.int64, count=count))
        for name, cells in values:
            _chunks(columns, name, total).add(_array(cells))
        for name, value in tags:
            _chunks(columns, name, total).add(pa.repeat(value, count))
        total += count
        for chunks in columns.values():
            chunks.pad(total)
    if not total:
        return empty_table(expected, tz=tz, epoch=epoch)
    hints = {name: arrow_type(kind) for name, kind in expected}
    stamps = pa.array(np.concatenate(times), type=pa.int64())
    arrays: dict[str, Any] = {"time": stamps.cast(_time_type(tz, epoch))}
    for name, chunks in columns.items():
        arrays[name] = _finish(chunks.chunks, hints.get(name))
    return pa.table(arrays)


class _Chunks:
    """The arrays (or value lists) of one column, piece by piece."""

    __slots__ = ("chunks", "length")

    def __init__(self, nulls: int) -> None:
        self.chunks: list[Any] = []
        self.length = 0
        self.pad(nulls)

    def add(self, chunk: Any) -> None:
        self.chunks.append(chunk)
        self.length += len(chunk)

    def absorb(self, other: _Chunks) -> None:
        """Append the chunks of *other* (the same column's next rows)."""
        self.chunks.extend(other.chunks)
        self.length += other.length

    def pad(self, length: int) -> None:
        """Fill the rows of pieces without this column with nulls."""
        if self.length < length:
            self.add(_pyarrow().nulls(length - self.length))


def _chunks(columns: dict[str, _Chunks], name: str, length: int) -> _Chunks:
    chunks = columns.get(name)
    if chunks is None:
        chunks = columns[name] = _Chunks(length)
    return chunks


def _array(values: Sequence[Any]) -> Any:
    """*values* as an Arrow array, or as they are when Arrow refuses them."""
    pa = _pyarrow()
    try:
        return pa.array(values)
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        # Mixed kinds, integers beyond int64, text UTF-8 cannot carry.
        return values


def _finish(chunks: list[Any], hint: Any) -> Any:
    """One column from its pieces: integers and floats mixed become floats;
    a column of nulls takes the type of its field (*hint*); values of mixed
    kinds (a field written with different types) become text."""
    pa = _pyarrow()
    if all(isinstance(chunk, pa.Array) for chunk in chunks):
        kinds = {chunk.type for chunk in chunks} - {pa.null()}
        target = None
        if not kinds:
            target = hint if hint is not None else pa.null()
        elif kinds <= {pa.int64(), pa.float64()}:
            floats = pa.float64() in kinds or hint == pa.float64()
            target = pa.float64() if floats else pa.int64()
        elif len(kinds) == 1:
            target = kinds.pop()
        if target is not None:
            return pa.chunked_array([chunk.cast(target) for chunk in chunks], target)
    values: list[Any] = []
    for chunk in chunks:
        values.extend(chunk.to_pylist() if isinstance(chunk, pa.Array) else chunk)
    try:
        return pa.chunked_array([pa.array(values)])
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        text = [None if v is None else str(v) for v in values]
        return pa.chunked_array([pa.array(text, type=pa.string())])
