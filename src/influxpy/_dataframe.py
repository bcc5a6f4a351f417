"""DataFrames in and out (the ``pandas`` extra).

Results: one frame assembled piece by piece as a chunked response streams
in, each piece's values transposed once and turned into Arrow arrays in C,
so no Python work is done per value and one frame is built whatever the
number of series; the dtypes are those pandas infers from lists. Writes: a
frame is split into checked columns that each backend encodes its own way
(line protocol or Arrow).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from influxpy._arrow import _Chunks
from influxpy._types import options_of
from influxpy.exceptions import FieldError, ImproperlyConfigured
from influxpy.results import Series, piece_columns

if TYPE_CHECKING:
    from influxpy._types import Measurement

__all__ = ["FrameParts", "frame_columns", "series_to_dataframe", "wide_frame"]


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        msg = (
            "to_dataframe() needs pandas: install it with "
            "pip install 'influxpy-orm[pandas]'."
        )
        raise ImproperlyConfigured(msg) from None
    return pandas


def series_to_dataframe(
    series: Iterable[Series],
    *,
    names: Mapping[str, str] | None = None,
    tz: dt.tzinfo | None = None,
    epoch: str | None = None,
    expected: Sequence[tuple[str, str]] = (),
) -> Any:
    """Return one DataFrame indexed by time, with tag and value columns.

    Tags of grouped series become columns; the index is named ``time`` and
    is UTC (or *tz*), or integer nanoseconds with ``epoch='ns'``. *series*
    may be whole series or the pieces of a chunked response, in order.
    *expected* (output name and kind of each column the query would give)
    are the columns of a result without rows.
    """
    parts = FrameParts(names, expected)
    parts.add(series)
    return parts.frame(tz=tz, epoch=epoch)


class FrameParts:
    """The columns of a result, gathered piece by piece before its frame is built.

    ``add()`` takes series (or the pieces of a chunked response) in order;
    ``extend()`` appends the rows of another ``FrameParts`` (the next time
    slice of the same query); ``frame()`` builds the DataFrame once, as
    ``series_to_dataframe()`` would from all the pieces in one stream.
    *names* maps stored keys to attribute names; *expected* (output name and
    kind) are the columns of a result without rows.
    """

    __slots__ = ("_columns", "_expected", "_measurements", "_names", "_times", "total")

    def __init__(
        self,
        names: Mapping[str, str] | None = None,
        expected: Sequence[tuple[str, str]] = (),
    ) -> None:
        self._names = dict(names or {})
        self._expected = list(expected)
        self._columns: dict[str, _Column] = {}
        self._times: list[Any] = []
        self._measurements: set[str] = set()
        self.total = 0

    def __len__(self) -> int:
        return self.total

    @property
    def column_names(self) -> list[str]:
        """The frame's columns: those of the rows, or the expected ones."""
        if self.total:
            return list(self._columns)
        return [name for name, _kind in self._expected]

    def add(self, series: Iterable[Series]) -> None:
        """Gather the rows of *series*, each piece's columns as Arrow arrays."""
        import numpy as np

        columns, names = self._columns, self._names
        total = self.total
        for piece in series:
            rows = piece.values
            count = len(rows)
            if not count:
                continue
            self._measurements.add(piece.name)
            firsts, values, tags = piece_columns(piece, names)
            if firsts is not None:
                self._times.append(np.fromiter(firsts, dtype=np.int64, count=count))
            for name, cells in values:
                _column(columns, name, total).add(_piece_array(cells))
            for name, value in tags:
                _column(columns, name, total).add(_repeat(value, count))
            total += count
            for column in columns.values():
                column.pad(total)
        self.total = total

    def extend(self, other: FrameParts) -> None:
        """Append the rows *other* gathered after these ones."""
        if not other.total:
            return
        total = self.total + other.total
        for name, column in other._columns.items():
            _column(self._columns, name, self.total).absorb(column)
        for column in self._columns.values():
            column.pad(total)
        self._times.extend(other._times)
        self._measurements |= other._measurements
        self.total = total

    def frame(self, *, tz: dt.tzinfo | None = None, epoch: str | None = None) -> Any:
        """The DataFrame of the rows gathered (built once; the parts are spent)."""
        pd = _pandas()
        import numpy as np

        times = self._times
        stamps = np.concatenate(times) if times else np.empty(0, dtype=np.int64)
        if epoch is not None:
            index = pd.Index(stamps, name="time")
        else:
            index = pd.DatetimeIndex(
                pd.to_datetime(stamps, unit="ns", utc=True), name="time"
            )
            if tz is not None:
                index = index.tz_convert(tz)
        text = pd.Series(["", None]).dtype
        columns, self._columns, self._times = self._columns, {}, []
        data = {name: column.finish(text) for name, column in columns.items()}
        if not self.total:
            data = {name: _empty(kind, text) for name, kind in self._expected}
        # The columns are the frame's own arrays: not copied again into
        # blocks of one dtype (pandas joins them when an operation needs it).
        frame = pd.DataFrame(data, index=index, copy=False)
        if len(self._measurements) > 1:
            frame.attrs["measurements"] = sorted(self._measurements)
        return frame


def _empty(kind: str, text: Any) -> Any:
    """An empty column of the dtype a column of *kind* has with rows."""
    import numpy as np

    pd = _pandas()
    dtype = {"float": "float64", "integer": "int64", "boolean": "bool"}.get(kind)
    if dtype is not None:
        return np.empty(0, dtype=dtype)
    if kind in ("string", "tag"):
        return pd.Series([], dtype=text).array
    return np.empty(0, dtype=object)


def wide_frame(frame: Any, tags: Sequence[str]) -> Any:
    """One column per series and value column, for charting.

    *frame* is a result frame (``series_to_dataframe``); rows are told
    apart by the *tags* columns it has. A column is named after the value
    column alone when there are no tags, else ``name{tag=value,...}``
    (tags without a value left out), as series are written in InfluxDB's
    line protocol. Times of one series missing from another are NaN; a
    time repeated within one column (series the *tags* do not tell apart)
    keeps its last value.
    """
    pd = _pandas()
    keys = [tag for tag in tags if tag in frame.columns]
    values = [column for column in frame.columns if column not in keys]
    if not keys or not len(frame):
        return frame[values].copy()
    labels = frame[keys].astype(object).where(frame[keys].notna(), "")
    parts = [
        labels[key].map(lambda v, key=key: f"{key}={v}" if v != "" else "")
        for key in keys
    ]
    names = parts[0]
    for part in parts[1:]:
        names = names.str.cat(part, sep=",")
    names = names.str.replace(r",+", ",", regex=True).str.strip(",")
    pieces = []
    for series_name, rows in frame[values].groupby(names.to_numpy(), sort=True):
        suffix = f"{{{series_name}}}" if series_name else ""
        rows = rows[~rows.index.duplicated(keep="last")]
        pieces.append(rows.rename(columns=lambda c, s=suffix: f"{c}{s}"))
    wide = pd.concat(pieces, axis=1, sort=True)
    wide.index.name = frame.index.name
    wide.attrs.update(frame.attrs)
    return wide


class _Column(_Chunks):
    """One result column, gathered piece by piece with no Python work per value.

    Each piece's values become one Arrow array, inferred in C; values Arrow
    would not take as they are (mixed kinds, integers beyond int64) are kept
    as the Python values. ``finish`` gives the column pandas would infer
    from the same values in one list, which is what it is handed when
    nothing faster gives the same result.
    """

    __slots__ = ()

    def finish(self, text: Any) -> Any:
        """The column's values, typed as pandas infers them from a list.

        *text* is the dtype pandas gives a list of strings (``str`` from
        pandas 3, ``object`` before).
        """
        import pyarrow as pa

        chunks, self.chunks = self.chunks, []
        if all(isinstance(chunk, pa.Array) for chunk in chunks):
            kinds = {chunk.type for chunk in chunks} - {pa.null()}
            nulls = any(chunk.null_count for chunk in chunks)
            target = None
            if kinds == {pa.int64()} and not nulls:
                target = pa.int64()
            elif kinds and kinds <= {pa.int64(), pa.float64()}:
                target = pa.float64()
            elif kinds == {pa.bool_()} and not nulls:
                target = pa.bool_()
            elif kinds == {pa.string()}:
                target = pa.string()
            if target is not None:
                joined = pa.chunked_array(
                    [chunk.cast(target, safe=False) for chunk in chunks], target
                )
                if hasattr(text, "__from_arrow__") and target == pa.string():
                    return text.__from_arrow__(joined)
                array = joined.to_numpy()
                # One chunk gives a view of Arrow's memory, which is read-only.
                return array if array.flags.writeable else array.copy()
        values: list[Any] = []
        for chunk in chunks:
            values.extend(chunk.to_pylist() if isinstance(chunk, pa.Array) else chunk)
        return values


def _column(columns: dict[str, _Column], name: str, length: int) -> _Column:
    column = columns.get(name)
    if column is None:
        column = columns[name] = _Column(length)
    return column


#: The Arrow types a piece's values are kept as. Arrow infers them strictly
#: except ``double``, which it also gives integers and booleans mixed with
#: floats: those are checked.
_KEPT = ("int64", "double", "bool", "string", "null")
_FLOATS = frozenset({float, type(None)})


def _piece_array(values: Any) -> Any:
    """*values* as an Arrow array, or as they are if Arrow would change them."""
    import pyarrow as pa

    try:
        array = pa.array(values)
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        # Mixed kinds, integers beyond int64, text UTF-8 cannot carry.
        return values
    kind = str(array.type)
    if kind not in _KEPT or (
        kind == "double" and not _FLOATS.issuperset(map(type, values))
    ):
        return values
    return array


def _repeat(value: Any, count: int) -> Any:
    import pyarrow as pa

    if isinstance(value, str):
        return pa.repeat(value, count)
    return (value,) * count


def frame_columns(
    model: type[Measurement], frame: Any
) -> tuple[list[int], dict[str, list[Any]], dict[str, tuple[str, list[Any]]]]:
    """Split a DataFrame into checked columns for writing *model*'s points.

    The time comes from a ``time`` column or the index (datetimes, taken as
    UTC when naive, or integer nanoseconds); other columns are matched to
    the model's attributes. NaN and None mean "no value" (the field is not
    written for that row); infinities are refused like everywhere else.
    Returns ``(times, tags, fields)`` keyed by stored keys.
    """
    times, tags, fields = _columns(model, frame, arrays=False)
    return times.tolist(), tags, fields


def frame_arrays(
    model: type[Measurement], frame: Any
) -> tuple[Any, dict[str, Any], dict[str, tuple[str, Any]]]:
    """The columns of :func:`frame_columns`, kept vectorized where possible.

    The times are a numpy ``int64`` array; a tag or field column is a
    pyarrow array (nulls for "no value"; tag values are checked like the
    line protocol's) when its dtype allows it, else a list as from
    :func:`frame_columns`. The checks and refusals are the same.
    """
    return _columns(model, frame, arrays=True)


def frame_batches(
    times: Any,
    tags: Mapping[str, Any],
    fields: Mapping[str, tuple[str, Any]],
    batch_size: int,
) -> Iterator[tuple[Any, dict[str, Any], dict[str, tuple[str, Any]]]]:
    """Cut the columns of :func:`frame_columns` or :func:`frame_arrays` into
    row-aligned batches of at most *batch_size* rows."""
    for start in range(0, len(times), batch_size):
        stop = start + batch_size
        yield (
            times[start:stop],
            {k: v[start:stop] for k, v in tags.items()},
            {k: (kind, v[start:stop]) for k, (kind, v) in fields.items()},
        )


def _tag_array(meta: Any, key: str, series: Any) -> Any:
    """A string column of tag values as a pyarrow array; None if not one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from influxpy.lineprotocol import check_tag_value

    if series.dtype != object and str(series.dtype) not in ("string", "str"):
        return None
    try:
        array = pa.array(series, type=pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = array.fill_null("")
    # Only values with a backslash or a character outside printable ASCII
    # need the line protocol's check; each distinct value is looked at once.
    distinct = pc.unique(array)
    odd = pc.match_substring_regex(distinct, "[^\\x20-\\x5b\\x5d-\\x7e]")
    if pc.any(odd).as_py():
        for value in distinct.filter(odd).to_pylist():
            check_tag_value(meta.measurement, key, value)
    return array


def _columns(
    model: type[Measurement], frame: Any, *, arrays: bool
) -> tuple[Any, dict[str, Any], dict[str, tuple[str, Any]]]:
    pd = _pandas()
    import numpy as np

    frame = _as_pandas(frame)
    meta = options_of(model)
    known = set(meta.fields) | {"time"}
    unknown = [str(c) for c in frame.columns if c not in known]
    if unknown:
        names = ", ".join(sorted(known))
        msg = (
            f"The DataFrame has columns {model.__name__} does not declare: "
            f"{', '.join(unknown)}; its fields are: {names}."
        )
        raise FieldError(msg, field=unknown[0])
    stamps = frame["time"] if "time" in frame.columns else frame.index
    if pd.api.types.is_integer_dtype(stamps):
        times = np.asarray(stamps, dtype="int64")
    else:
        index = pd.DatetimeIndex(stamps)
        if index.tz is None:
            index = index.tz_localize("UTC")
        times = index.tz_convert("UTC").as_unit("ns").asi8
        if index.hasnans:
            msg = f"The DataFrame for {model.__name__} has rows without a time (NaT)."
            raise FieldError(msg, field="time")
    times = np.ascontiguousarray(times, dtype="int64")
    if len(times):
        for stamp in (int(times.min()), int(times.max())):
            meta.time_field.to_python(stamp)
    else:
        meta.time_field.to_python(0)
    tags: dict[str, Any] = {}
    for field in meta.tags:
        if field.name not in frame.columns:
            if not field.null and len(frame):
                msg = (
                    f"Cannot write measurement {meta.measurement!r}: the DataFrame "
                    f"has no column for the required tag {field.name!r}."
                )
                raise FieldError(msg, field=field.name)
            continue
        if arrays:
            array = _tag_array(meta, field.db_name, frame[field.name])
            if array is not None:
                tags[field.db_name] = array
                continue
        column = frame[field.name].astype(object).where(frame[field.name].notna(), None)
        values = column.tolist()
        tags[field.db_name] = values
    fields: dict[str, tuple[str, Any]] = {}
    for field in meta.values:
        if field.name not in frame.columns:
            continue
        series = frame[field.name]
        kind: str = field.kind
        if kind in ("float", "any") and pd.api.types.is_numeric_dtype(series):
            if pd.api.types.is_bool_dtype(series) and kind == "any":
                kind = "boolean"
            else:
                kind = "float"
                array = series.to_numpy(dtype="float64", na_value=np.nan)
                if np.isinf(array).any():
                    field.to_python(float("inf"))
                if arrays:
                    fields[field.db_name] = (kind, _arrow(array, nan_null=True))
                    continue
                values = [None if v != v else v for v in array.tolist()]
                fields[field.db_name] = (kind, values)
                continue
        if (
            arrays
            and kind == "integer"
            and isinstance(series.dtype, np.dtype)
            and series.dtype.kind in "iu"
            and (
                series.dtype.kind == "i"
                or series.dtype.itemsize < 8
                or not len(series)
                or int(series.max()) <= np.iinfo("int64").max
            )
        ):
            numbers = series.to_numpy(dtype="int64")
            fields[field.db_name] = (kind, _arrow(numbers, nan_null=False))
            continue
        if (
            kind == "integer"
            and isinstance(series.dtype, np.dtype)
            and series.dtype.kind in "iu"
            and (not len(series) or int(series.max()) <= np.iinfo("int64").max)
        ):
            # Whole numbers without gaps and in range: nothing to convert.
            fields[field.db_name] = (kind, series.to_numpy(dtype="int64").tolist())
            continue
        raw = series.astype(object).where(series.notna(), None).tolist()
        values = [None if v is None else field.to_python(v) for v in raw]
        if kind == "any":
            present = [v for v in values if v is not None]
            first = type(present[0]) if present else float
            kind = {bool: "boolean", str: "string"}.get(first, "float")
        fields[field.db_name] = (kind, values)
    return times, tags, fields


def _as_pandas(frame: Any) -> Any:
    """*frame* as a pandas DataFrame: a ``pyarrow.Table`` or a
    ``polars.DataFrame`` is converted (times keep their zone), a pandas
    frame is returned as it is."""
    module = type(frame).__module__.split(".", 1)[0]
    if module == "polars":
        frame = frame.to_arrow()
        module = "pyarrow"
    if module == "pyarrow" and hasattr(frame, "to_pandas"):
        return frame.to_pandas()
    if not hasattr(frame, "columns"):
        type_name = type(frame).__name__
        msg = (
            "write_dataframe() takes a pandas DataFrame, a pyarrow.Table or a "
            f"polars.DataFrame; got {type_name}."
        )
        raise TypeError(msg)
    return frame


def _arrow(values: Any, *, nan_null: bool) -> Any:
    import pyarrow as pa

    return pa.array(values, from_pandas=nan_null)
