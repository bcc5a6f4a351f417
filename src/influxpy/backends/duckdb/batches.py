"""Batches of points for the embedded engine, built and checked before storing.

A ``Batch`` holds the columns of one write (times, tags, typed fields),
row-aligned, built from model instances, a DataFrame's columns or parsed
line-protocol lines. Building one refuses what InfluxDB (or the library's
own line-protocol encoder on the way to it) refuses: the same checks, the
same ``LineProtocolError`` and ``FieldError``, so both backends accept and
refuse the same points. Nothing here touches a database.
"""

from __future__ import annotations

import math
import time as _time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from influxpy.constants import (
    MAX_KEY_BYTES,
    MAX_STRING_FIELD_BYTES,
    MAX_TIME_NS,
    MIN_TIME_NS,
    RESERVED_KEYS,
)
from influxpy.exceptions import FieldError, ImproperlyConfigured, LineProtocolError
from influxpy.lineprotocol import check_tag_set, check_tag_value, encode_point

if TYPE_CHECKING:
    from influxpy._types import Measurement

__all__ = [
    "MIXED",
    "PY_KINDS",
    "Batch",
    "batch_from_columns",
    "batch_from_objects",
    "batch_from_points",
    "pyarrow",
]

#: The kind of an untyped field whose values in a batch have several types;
#: the ingest keeps the stored type (or the first) and refuses the others.
MIXED = "mixed"
#: The field type of each Python value type.
PY_KINDS = {float: "float", int: "integer", bool: "boolean", str: "string"}
#: Bytes InfluxDB adds between a series key and a field key (``#!~#``).
_FIELD_SEPARATOR_BYTES = 4


def pyarrow() -> Any:
    """The pyarrow module, or a clear error naming how to install it."""
    try:
        import pyarrow as pa
    except ImportError:
        msg = (
            "The embedded engine ingests through Arrow, and pyarrow (a core "
            "dependency of influxpy-orm) is not installed: pip install pyarrow."
        )
        raise ImproperlyConfigured(msg) from None
    return pa


def as_list(values: Any) -> list[Any]:
    """A column (a list, a numpy or an Arrow array) as a list."""
    if isinstance(values, list):
        return values
    return list(values.tolist() if hasattr(values, "tolist") else values.to_pylist())


class Batch:
    """Columns of one write: times, tags and typed fields, row-aligned."""

    def __init__(self, measurement: str, count: int) -> None:
        self.measurement = measurement
        self.count = count
        # Lists, or numpy / Arrow arrays for a DataFrame's columns.
        self.times: Any = []
        self.tags: dict[str, Any] = {}
        #: ``key -> (kind, values)``; kind ``MIXED`` until the ingest resolves it.
        self.fields: dict[str, tuple[str, Any]] = {}
        #: The line-protocol lines the rows came from, when written as lines
        #: (a list, or an Arrow array from the line-protocol reader).
        self.lines: Any = None
        #: True when no two rows share tags and time (None: not known).
        self.distinct: bool | None = None
        #: The line number of each row, when written as lines.
        self.numbers: list[int] | None = None

    @property
    def vectorized(self) -> bool:
        """Whether some columns are arrays (from a DataFrame), not lists."""
        columns = [self.times, *self.tags.values()]
        columns += [values for _kind, values in self.fields.values()]
        return any(not isinstance(c, list) for c in columns)

    def materialize(self) -> None:
        """Turn array columns into lists, for the row-by-row paths."""
        self.times = as_list(self.times)
        self.tags = {key: as_list(vals) for key, vals in self.tags.items()}
        self.fields = {
            key: (kind, as_list(vals)) for key, (kind, vals) in self.fields.items()
        }
        if self.lines is not None:
            self.lines = as_list(self.lines)

    def drop_rows(self, keep: list[bool]) -> None:
        """Keep only the rows whose flag is true."""
        self.materialize()

        def kept(values: list[Any]) -> list[Any]:
            return [v for v, k in zip(values, keep, strict=True) if k]

        self.times = kept(self.times)
        self.tags = {key: kept(vals) for key, vals in self.tags.items()}
        self.fields = {
            key: (kind, kept(vals)) for key, (kind, vals) in self.fields.items()
        }
        if self.lines is not None:
            self.lines = kept(self.lines)
        if self.numbers is not None:
            self.numbers = kept(self.numbers)
        self.count = len(self.times)
        if self.distinct is False:
            self.distinct = None

    def row_lines(self, rows: Sequence[int]) -> list[str]:
        """The rows at *rows* as line-protocol lines (as they were given)."""
        if self.lines is not None:
            lines = as_list(self.lines)
            return [lines[i] for i in rows]
        self.materialize()
        out = []
        for i in rows:
            tags = {k: v[i] for k, v in self.tags.items() if v[i]}
            fields = {k: v[i] for k, (_kind, v) in self.fields.items()}
            out.append(encode_point(self.measurement, fields, tags, self.times[i]))
        return out


# -- checks ------------------------------------------------------------------


def _refuse(measurement: str, what: str, value: object, why: str) -> LineProtocolError:
    msg = f"Cannot write {what} of measurement {measurement!r}: {why} (got {value!r})."
    return LineProtocolError(msg, measurement=measurement, value=value)


def _has_surrogate(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_strings(
    measurement: str, key: str, values: Any, *, limit: bool = True
) -> None:
    """Refuse string field values the line protocol cannot carry.

    A lone surrogate is not valid UTF-8; with *limit*, a value over
    ``MAX_STRING_FIELD_BYTES`` is refused as the line-protocol encoder
    refuses it (InfluxDB 1.6.7 itself stores longer ones).
    """
    texts = [v for v in values if v.__class__ is str]
    if not texts:
        return
    longest = max(map(len, texts))
    if all(map(str.isascii, texts)) and longest <= MAX_STRING_FIELD_BYTES:
        return
    for text in texts:
        if _has_surrogate(text):
            why = "it contains a lone surrogate, which is not valid UTF-8"
            msg = (
                f"Cannot write field {key!r} of measurement {measurement!r}: {why} "
                f"(got {text!r})."
            )
            raise LineProtocolError(msg, measurement=measurement, key=key, value=text)
        size = len(text.encode("utf-8"))
        if limit and size > MAX_STRING_FIELD_BYTES:
            why = f"string values are limited to {MAX_STRING_FIELD_BYTES} bytes"
            shown = f"<{len(text)} chars>"
            msg = (
                f"Cannot write field {key!r} of measurement {measurement!r}: {why} "
                f"(got {shown})."
            )
            raise LineProtocolError(msg, measurement=measurement, key=key, value=shown)


def check_names(measurement: str, tags: dict[str, str], fields: dict[str, Any]) -> None:
    """Refuse a parsed point whose names or strings hold a lone surrogate."""
    why = "it contains a lone surrogate, which is not valid UTF-8"
    if _has_surrogate(measurement):
        raise _refuse(measurement, "the name", measurement, why)
    for key, value in tags.items():
        for text in (key, value):
            if _has_surrogate(text):
                raise _refuse(measurement, f"tag {key!r}", text, why)
    for key, value in fields.items():
        if _has_surrogate(key):
            raise _refuse(measurement, f"field {key!r}", key, why)
        if value.__class__ is str:
            check_strings(measurement, key, [value], limit=False)


def check_tag_values(measurement: str, key: str, values: list[str]) -> None:
    """Refuse tag values the line protocol refuses (``check_tag_value``).

    Only a value with a backslash or a character outside printable ASCII
    can be refused; each distinct value is looked at once.
    """
    for value in set(values):
        if value and ("\\" in value or not (value.isascii() and value.isprintable())):
            check_tag_value(measurement, key, value)


def _has_backslash_space(values: Any) -> bool:
    """Whether a tag column (a list or an Arrow array) holds a backslash-space."""
    pa = pyarrow()
    if isinstance(values, pa.Array | pa.ChunkedArray):
        import pyarrow.compute as pc

        return bool(pc.any(pc.match_substring(values, "\\ ")).as_py())
    # Values cannot hold a NUL (refused), so joining cannot make a match.
    return "\\ " in "\x00".join(map(str, filter(None, values)))


def check_tag_sets(batch: Batch) -> None:
    """Refuse what the line protocol refuses across a whole tag set.

    InfluxDB misreads a backslash-space in one tag followed by a
    backslash-equals and a double quote in later tags or the field keys
    (``check_tag_set``); the engine refuses the same points. Only a batch
    with a backslash-space in some tag is checked row by row.
    """
    if not any(_has_backslash_space(values) for values in batch.tags.values()):
        return
    pa = pyarrow()
    columns = {
        key: values.to_pylist()
        if isinstance(values, pa.Array | pa.ChunkedArray)
        else list(values)
        for key, values in batch.tags.items()
    }
    keys = sorted(columns)
    field_keys = list(batch.fields)
    for row in range(batch.count):
        pairs = [(k, str(columns[k][row])) for k in keys if columns[k][row]]
        check_tag_set(batch.measurement, pairs, field_keys)


def _escaped_bytes(text: str, escaped: str) -> int:
    """Bytes of *text* in line protocol, escaping each character of *escaped*."""
    size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
    return size + sum(map(text.count, escaped))


def _longest_value(values: Any) -> int:
    """An upper bound of the escaped bytes of a tag column's longest value."""
    pa = pyarrow()
    if isinstance(values, pa.Array | pa.ChunkedArray):
        import pyarrow.compute as pc

        longest = pc.max(pc.binary_length(values)).as_py()
        return 2 * int(longest or 0)  # each byte escaped at most
    return max((_escaped_bytes(v, ",= ") for v in set(values) if v), default=0)


def check_key_lengths(batch: Batch) -> None:
    """Refuse a point whose series key and a field key exceed InfluxDB's limit.

    InfluxDB 1.6.7 refuses a point when the escaped measurement and tag set
    plus 4 bytes plus the escaped key of any of its fields take more than
    65535 bytes (``max key length exceeded``). The bound over the longest
    values is checked first; rows are looked at only when it is over.
    """
    if not batch.count or not batch.fields:
        return
    field_bytes = {k: _escaped_bytes(k, ",= ") for k in batch.fields}
    base = _escaped_bytes(batch.measurement, ", ") + _FIELD_SEPARATOR_BYTES
    bound = base + max(field_bytes.values())
    for key, values in batch.tags.items():
        bound += 2 + _escaped_bytes(key, ",= ") + _longest_value(values)
    if bound <= MAX_KEY_BYTES:
        return
    batch.materialize()
    tag_bytes = {
        key: (_escaped_bytes(key, ",= "), values) for key, values in batch.tags.items()
    }
    sizes: dict[str, int] = {}
    for row in range(batch.count):
        size = base
        for key_bytes, values in tag_bytes.values():
            value = values[row]
            if value:
                if value not in sizes:
                    sizes[value] = _escaped_bytes(value, ",= ")
                size += 2 + key_bytes + sizes[value]
        present = [k for k, (_kind, v) in batch.fields.items() if v[row] is not None]
        longest = max(present, key=field_bytes.__getitem__, default=None)
        if longest is not None and size + field_bytes[longest] > MAX_KEY_BYTES:
            total = size + field_bytes[longest]
            tags = {k: v[row] for k, (_b, v) in tag_bytes.items() if v[row]}
            shown = f"{batch.measurement[:40]}, {len(tags)} tag(s), field {longest!r}"
            why = (
                f"its measurement, tags and the field key {longest!r} take {total} "
                f"bytes escaped, over InfluxDB's limit of {MAX_KEY_BYTES} bytes for "
                "a series key and a field key together"
            )
            raise _refuse(batch.measurement, "the point", shown, why)


def clean_values(field: Any, values: list[Any]) -> list[Any]:
    """Validate values like the line-protocol encoder does."""
    kind = field.kind
    expected = {"float": float, "integer": int, "boolean": bool, "string": str}.get(
        kind
    )
    if expected is not None and set(map(type, values)) <= {expected, type(None)}:
        # All of the field's type (or None): only a float can be refused (NaN
        # and infinities), found here without a loop in Python.
        present = [v for v in values if v is not None] if None in values else values
        if expected is not float or not present:
            return values
        try:
            if math.isfinite(math.fsum(present)):
                return values
        except OverflowError:  # finite values whose sum overflows
            pass
    out = values
    for index, value in enumerate(values):
        if value is None:
            continue
        cls = value.__class__
        if cls is expected or (kind == "any" and cls in (float, bool, str)):
            if cls is float and not math.isfinite(value):
                field.to_python(value)
            continue
        if out is values:
            out = list(values)
        out[index] = field.to_python(value)
    return out


def untyped(values: list[Any]) -> tuple[str, list[Any]]:
    """An untyped field's column: its kind, or ``MIXED`` for several types.

    The ingest keeps the points of the stored type (or, for a new field, of
    the batch's first type) and refuses the others, as InfluxDB does.
    """
    kinds = {v.__class__ for v in values if v is not None}
    if len(kinds) == 1:
        return PY_KINDS[kinds.pop()], values
    return MIXED, values


# -- builders ----------------------------------------------------------------


def batch_from_points(
    measurement: str, points: list[tuple[dict[str, str], dict[str, Any], int | None]]
) -> Batch:
    """A batch of parsed line-protocol points of one measurement."""
    batch = Batch(measurement, len(points))
    tag_keys: dict[str, None] = {}
    field_keys: dict[str, None] = {}
    for tags, fields, _stamp in points:
        for key in tags:
            tag_keys.setdefault(key, None)
        for key in fields:
            field_keys.setdefault(key, None)
    for key in list(tag_keys) + list(field_keys):
        if key in RESERVED_KEYS:
            msg = (
                f"Cannot write {key!r} of measurement {measurement!r}: it is reserved."
            )
            raise LineProtocolError(msg, measurement=measurement, key=key)
    now = _time.time_ns()
    batch.times = [now if stamp is None else stamp for _t, _f, stamp in points]
    for key in tag_keys:
        batch.tags[key] = [tags.get(key, "") for tags, _f, _s in points]
    for key in field_keys:
        values = [fields.get(key) for _t, fields, _s in points]
        # The stored type (or the first) wins; the others are refused.
        batch.fields[key] = untyped(values)
    check_key_lengths(batch)
    return batch


def batch_from_objects(model: type[Measurement], objs: Sequence[Measurement]) -> Batch:
    """A batch of model instances, checked as the line-protocol encoder checks."""
    meta = model._meta
    batch = Batch(meta.measurement, len(objs))
    dicts = [o.__dict__ for o in objs]
    times: list[Any] = [d.get("time") for d in dicts]
    if None in times:
        times = [_time.time_ns() if t is None else t for t in times]
    if set(map(type, times)) != {int} or not (
        min(times) >= MIN_TIME_NS and max(times) <= MAX_TIME_NS
    ):
        for t in times:
            if t.__class__ is not int or not MIN_TIME_NS <= t <= MAX_TIME_NS:
                meta.time_field.to_python(t)  # raises a FieldError naming time
    batch.times = times
    for field in meta.tags:
        values = [d.get(field.name) for d in dicts]
        if not field.null and (None in values or "" in values):
            bad = next(v for v in values if v is None or v == "")
            msg = (
                f"Cannot write measurement {meta.measurement!r}: the tag "
                f"{field.name!r} is required and was {bad!r}; give it a value "
                "or declare it InfluxTag(null=True)."
            )
            raise FieldError(msg, field=field.name)
        if any(v is not None and v.__class__ is not str for v in values):
            for v in values:
                if v is not None:
                    field.to_python(v)
        clean = ["" if v is None else v for v in values]
        if not any(clean):
            # Like the line protocol, a tag nobody gives is not written.
            continue
        check_tag_values(meta.measurement, field.db_name, clean)
        batch.tags[field.db_name] = clean
    present = [False] * len(objs)
    for field in meta.values:
        values = [d.get(field.name) for d in dicts]
        if all(v is None for v in values):
            continue
        values = clean_values(field, values)
        kind: str = field.kind
        if kind in ("string", "any"):
            check_strings(meta.measurement, field.db_name, values)
        if kind == "any":
            kind, values = untyped(values)
        batch.fields[field.db_name] = (kind, values)
        if None not in values:
            present = [True] * len(objs)
            continue
        for index, value in enumerate(values):
            if value is not None:
                present[index] = True
    if not all(present):
        index = present.index(False)
        names = ", ".join(repr(f.name) for f in meta.values)
        msg = (
            f"Cannot write the point of measurement {meta.measurement!r}: a "
            f"point needs at least one field value that is not None ({names}) "
            f"(got {objs[index]!r})."
        )
        raise LineProtocolError(msg, measurement=meta.measurement, value=objs[index])
    check_tag_sets(batch)
    check_key_lengths(batch)
    return batch


def batch_from_columns(
    model: type[Measurement],
    times: Any,
    tags: dict[str, Any],
    fields: dict[str, tuple[str, Any]],
) -> Batch:
    """A batch of a frame's columns: lists, or arrays already checked."""
    import numpy as np

    meta = model._meta
    batch = Batch(meta.measurement, len(times))
    batch.times = times
    for field in meta.tags:
        values = tags.get(field.db_name)
        if values is None:
            continue
        if not isinstance(values, list):
            batch.tags[field.db_name] = values
            continue
        clean = ["" if v is None else str(v) for v in values]
        check_tag_values(meta.measurement, field.db_name, clean)
        batch.tags[field.db_name] = clean
    present = np.zeros(len(times), dtype=bool)
    declared = {f.db_name: f.kind for f in meta.values}
    for key, (kind, values) in fields.items():
        if not isinstance(values, list):
            # A typed array: one type, nulls for "no value".
            if values.null_count == len(values):
                continue
            batch.fields[key] = (kind, values)
            present |= values.is_valid().to_numpy(zero_copy_only=False)
            continue
        if all(v is None for v in values):
            continue
        if kind == "string" or declared.get(key) == "any":
            check_strings(meta.measurement, key, values)
        if declared.get(key) == "any":
            kind, values = untyped(values)
        batch.fields[key] = (kind, values)
        present |= np.fromiter(
            (v is not None for v in values), dtype=bool, count=len(values)
        )
    if not present.all():
        index = int(np.argmin(present))
        msg = (
            f"Cannot write the point of measurement {meta.measurement!r} at "
            f"{times[index]}: a point needs at least one field value."
        )
        raise LineProtocolError(msg, measurement=meta.measurement)
    check_tag_sets(batch)
    check_key_lengths(batch)
    return batch
