"""Whole request bodies of line protocol from columns, joined in C.

``encode_columns()`` makes a Python string per value and per line, which
the writer then joins into a body. Here a batch's columns (a DataFrame's,
as pyarrow arrays from ``frame_arrays()``) become pyarrow string arrays:
floats formatted by orjson (the digits and notation of ``repr()``, else
``repr()`` itself), integers and times by pyarrow's casts, series keys
escaped once per distinct tag set. ``binary_join_element_wise`` joins them
into lines that each end with a newline, so the body is the data buffer of
the joined array: no Python object per value or line. The bytes are those
of ``"\\n".join(encode_columns(...))``; a batch the columns cannot take
(a value to check or convert one by one, a row without a field) is left to
``encode_columns()``, which gives its lines or raises its error.

Measured on model instances, whose values are Python objects already, the
same join costs as much as ``Encoder.encode_many()``'s (reading the
values out of the instances is most of the work), so instances keep that
path. Pure: no I/O.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from influxpy.lineprotocol._compiled import join_columns
from influxpy.lineprotocol.body_lines import BodyLines
from influxpy.lineprotocol.escaping import (
    _INT64_MAX,
    _INT64_MIN,
    _series_key,
    escape_measurement,
)

__all__ = [
    "EMPTY",
    "FULL",
    "GAPS",
    "BodyLines",
    "check_column",
    "columns_body",
    "compiled_body",
    "series_index",
    "series_keys",
]

_NONE = type(None)
#: The largest string value the fast path takes (as the encoders' fast path).
_MAX_FAST_STRING = 262144
# orjson writes floats with the shortest digits, as repr() does, in the same
# notation except where it writes an exponent or a value below 1e-4: such
# columns are formatted with repr(). Checked once, in case a release changes.
_SAMPLE = [0.0, -0.0, 1.0, 57.123, 0.0001, 123456789.125, 1e15, -2.5, 0.5]
_ORJSON_REPR = orjson.dumps(_SAMPLE).decode() == f"[{','.join(map(repr, _SAMPLE))}]"


#: What ``check_column()`` finds: no value at all, a value in every row,
#: or values and gaps.
EMPTY, FULL, GAPS = 0, 1, 2


def check_column(kind: str, values: list[Any]) -> int | None:
    """``EMPTY``, ``FULL`` or ``GAPS`` when ``columns_body()`` formats *values*
    (``None`` for no value) as the object-by-object encoder's fast path
    does: exact ``float`` (finite) for ``float`` and ``any`` fields, exact
    ``int`` in the int64 range, exact ``bool``, or exact ASCII ``str`` under
    256 KiB; None when a value needs the old path.
    """
    classes = set(map(type, values))
    gaps = _NONE in classes
    classes.discard(_NONE)
    if not classes:
        return EMPTY
    state = GAPS if gaps else FULL
    if len(classes) > 1:
        return None
    if kind in ("float", "any"):
        if float not in classes:
            return None
        # Zeros and None are left out of the sum: only infinities and NaN,
        # or a sum past the largest float, make it not finite.
        present = list(filter(None, values)) if gaps else values
        if math.isfinite(sum(present)) or all(map(math.isfinite, present)):
            return state
        return None
    if kind == "integer":
        if int not in classes:
            return None
        present = list(filter(None, values)) if gaps else values
        if not present or (min(present) >= _INT64_MIN and max(present) <= _INT64_MAX):
            return state
        return None
    if kind == "boolean":
        return state if bool in classes else None
    if kind == "string" and str in classes:
        strings = [value for value in values if value is not None] if gaps else values
        if all(map(str.isascii, strings)) and max(map(len, strings)) < _MAX_FAST_STRING:
            return state
    return None


def _json_texts(values: list[Any] | pa.Array, blob: bytes, gaps: bool) -> pa.Array:
    """The values of orjson's *blob* of *values* (numbers, a list or a
    pyarrow array) as a string array, nulls where *values* has them."""
    raw = np.frombuffer(blob, dtype=np.uint8)[1:-1]
    commas = raw == 44  # b","
    ends = np.flatnonzero(commas)
    count = len(values)
    offsets = np.empty(count + 1, dtype=np.int32)
    offsets[0] = 0
    offsets[1:-1] = ends - np.arange(count - 1, dtype=np.int64)
    data = raw[~commas]
    offsets[-1] = len(data)
    texts = pa.StringArray.from_buffers(
        count, pa.py_buffer(offsets), pa.py_buffer(data)
    )
    if gaps:
        valid = values if isinstance(values, pa.Array) else pa.array(values)
        texts = pc.if_else(valid.is_valid(), texts, None)
    return texts


def _texts(kind: str, values: list[Any], gaps: bool) -> pa.Array:
    """A column that passed ``check_column()`` as the text of each value
    (null for None; *gaps* says whether there is one)."""
    if kind in ("float", "any"):
        blob = orjson.dumps(values)
        if _ORJSON_REPR and b"e" not in blob and b"0.0000" not in blob:
            return _json_texts(values, blob, gaps)
        if gaps:
            return pa.array(
                [None if v is None else repr(v) for v in values], pa.string()
            )
        return pa.array(list(map(repr, values)), pa.string())
    if kind == "integer":
        return pc.cast(pa.array(values, pa.int64()), pa.string())
    if kind == "boolean":
        return pc.cast(pa.array(values, pa.bool_()), pa.string())
    texts = pa.array(values, pa.string())
    texts = pc.replace_substring(texts, "\\", "\\\\")
    return pc.replace_substring(texts, '"', '\\"')


def _array_texts(kind: str, values: pa.Array) -> pa.Array | None:
    """A pyarrow column (nulls for no value) as the text of each value;
    None where the old path must format it."""
    if kind == "float" and pa.types.is_float64(values.type):
        numbers = values.to_numpy(zero_copy_only=False)
        if not np.isfinite(
            numbers[values.is_valid().to_numpy(zero_copy_only=False)]
        ).all():
            return None
        blob = orjson.dumps(numbers, option=orjson.OPT_SERIALIZE_NUMPY)
        if _ORJSON_REPR and b"e" not in blob and b"0.0000" not in blob:
            return _json_texts(values, blob, values.null_count > 0)
        return _texts(kind, values.to_pylist(), values.null_count > 0)
    if kind == "integer" and pa.types.is_int64(values.type):
        return pc.cast(values, pa.string())
    return None


_SUFFIX = {"integer": "i", "string": '"'}
#: The compiled extension's codes of the kinds it joins (_speedups.h).
_KIND_CODES = {"float": 0, "integer": 2}


def columns_body(
    keys: pa.Array,
    columns: Sequence[tuple[str, str, pa.Array | list[Any]]],
    times: pa.Array,
) -> bytes | None:
    """The body of a batch of columns: each row's line, in order, joined
    by newlines, as ``"\\n".join(encode_columns(...))`` gives it.

    *keys* are the rows' series keys (``series_keys()``), *columns*
    ``(escaped field key, kind, values)`` in order, values a pyarrow array
    with nulls for no value (or a list, checked here with
    ``check_column()``), *times* int64 nanoseconds in InfluxDB's range.
    None when a value or a row needs the old path (which formats it or
    raises its error).
    """
    pieces: list[tuple[str, pa.Array, str]] = []
    for key, kind, values in columns:
        if isinstance(values, list):
            state = check_column(kind, values)
            if state is None:
                return None
            if state == EMPTY:
                continue
            texts = _texts(kind, values, state == GAPS)
        else:
            if values.null_count == len(values):
                continue
            found = _array_texts(kind, values)
            if found is None:
                return None
            texts = found
        pieces.append(_piece(key, kind, texts))
    return _join(keys, pieces, pc.cast(times, pa.string()))


def series_keys(
    measurement: str,
    tags: dict[str, pa.Array],
    field_keys: Sequence[str],
    cache: dict[tuple[Any, ...], str],
    count: int,
) -> pa.Array:
    """The series key of each of *count* rows whose tags are string arrays
    without nulls (``''`` for no tag), each distinct tag set escaped once
    (and once for all batches given the same *cache*), as
    ``encode_columns()`` escapes it; raises its errors, for the tag sets
    in sorted order (not necessarily the first row's).
    """
    found, index = series_index(measurement, tags, field_keys, cache, count)
    return pa.array(found, pa.string()).take(pa.array(index))


def series_index(
    measurement: str,
    tags: dict[str, pa.Array],
    field_keys: Sequence[str],
    cache: dict[tuple[Any, ...], str],
    count: int,
) -> tuple[list[str], np.ndarray]:
    """``series_keys()`` as the distinct keys and each row's position among
    them (an int64 array)."""
    tag_keys = sorted(tags)
    if not tag_keys:
        key = cache.get(())
        if key is None:
            escaped = escape_measurement(measurement)
            key = cache[()] = _series_key(measurement, escaped, (), field_keys)
        return [key], np.zeros(count, dtype=np.int64)
    codes: Any = None
    span = 1
    for name in tag_keys:
        encoded = tags[name].dictionary_encode()
        indices = encoded.indices.to_numpy().astype(np.int64)
        size = max(len(encoded.dictionary), 1)
        if codes is None:
            codes = indices
        elif span * size < 2**62:
            codes = codes * size + indices
        else:  # renumber before the codes would overflow
            _, codes = np.unique(codes, return_inverse=True)
            codes = codes.ravel().astype(np.int64) * size + indices
            span = int(codes.max()) + 1
            continue
        span *= size
    _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
    taken = pa.array(first)
    sets = zip(*(tags[name].take(taken).to_pylist() for name in tag_keys), strict=True)
    escaped = escape_measurement(measurement)
    found = []
    for values in sets:
        key = cache.get(values)
        if key is None:
            pairs = zip(tag_keys, values, strict=True)
            key = cache[values] = _series_key(measurement, escaped, pairs, field_keys)
        found.append(key)
    return found, inverse.ravel().astype(np.int64)


def compiled_body(
    keys: list[str],
    index: np.ndarray,
    columns: Sequence[tuple[str, str, pa.Array | list[Any]]],
    times: np.ndarray,
) -> bytes | None:
    """``columns_body()``'s body joined by the compiled extension from the
    distinct series *keys* and each row's *index* among them (from
    ``series_index()``); None without the extension, or when a column is
    not a float64 array of a float field or an int64 array of an integer
    one, or a row needs the Python path.
    """
    if join_columns is None:
        return None
    specs = []
    for key, kind, values in columns:
        if isinstance(values, list):
            return None
        if values.null_count == len(values):
            continue
        if kind == "float" and pa.types.is_float64(values.type):
            dtype: Any = np.float64
        elif kind == "integer" and pa.types.is_int64(values.type):
            dtype = np.int64
        else:
            return None
        data = np.frombuffer(values.buffers()[1], dtype=dtype)
        data = data[values.offset : values.offset + len(values)]
        valid = None
        if values.null_count:
            valid = values.is_valid().to_numpy(zero_copy_only=False).view(np.uint8)
        specs.append(((key + "=").encode(), _KIND_CODES[kind], data, valid))
    if not specs:
        return None
    encoded = [key.encode("utf-8", "surrogatepass") for key in keys]
    stamps = np.ascontiguousarray(times, dtype=np.int64)
    body: bytes | None = join_columns(index, encoded, specs, stamps)
    return body


def _piece(key: str, kind: str, texts: pa.Array) -> tuple[str, pa.Array, str]:
    """What goes before a field's text and after it."""
    prefix = f'{key}="' if kind == "string" else f"{key}="
    return prefix, texts, _SUFFIX.get(kind, "")


#: Bodies past this size are joined with 64-bit offsets.
_LARGE = 2**31 - 2**24


def _join(
    keys: pa.Array, pieces: list[tuple[str, pa.Array, str]], times: pa.Array
) -> bytes | None:
    """Join the series keys, fields and times into lines; None when there
    is no field, or a row has none."""
    if not pieces:
        return None
    arrays = [keys, times, *(texts for _prefix, texts, _suffix in pieces)]
    width = sum(len(p) + len(s) + 1 for p, _t, s in pieces) + 3
    if sum(a.nbytes for a in arrays) + width * len(keys) > _LARGE:
        keys, times = keys.cast(pa.large_string()), times.cast(pa.large_string())
        pieces = [(p, t.cast(pa.large_string()), s) for p, t, s in pieces]
    if any(texts.null_count for _prefix, texts, _suffix in pieces):
        # Each field as its own "key=value" (null where the row has none),
        # joined with commas skipping the nulls.
        parts = [
            pc.binary_join_element_wise(prefix, texts, suffix, "")
            for prefix, texts, suffix in pieces
        ]
        fields = pc.binary_join_element_wise(*parts, ",", null_handling="skip")
        if not pc.all(pc.greater(pc.binary_length(fields), 0)).as_py():
            return None
        joined: list[Any] = [fields]
    else:
        joined = []
        separator = ""
        for prefix, texts, suffix in pieces:
            joined.append(separator + prefix)
            joined.append(texts)
            separator = suffix + ","
        joined.append(separator[:-1])
    lines = pc.binary_join_element_wise(keys, " ", *joined, " ", times, "\n", "")
    return _data(lines)


def _data(lines: pa.Array) -> bytes:
    """The bytes of a string array's values, less the last newline."""
    _validity, offsets, data = lines.buffers()
    width = np.int64 if pa.types.is_large_string(lines.type) else np.int32
    bounds = np.frombuffer(offsets, dtype=width)[lines.offset :][: len(lines) + 1]
    start, stop = int(bounds[0]), int(bounds[-1]) - 1
    if data is None or stop <= start:
        return b""
    return bytes(data.slice(start, stop - start).to_pybytes())
