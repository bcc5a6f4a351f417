"""Row-aligned columns to lines (the DataFrame write path), and the fast
formatting of a whole column of plain values that the encoder's batches
share: every value of a column formatted in C (orjson, with the digits of
``repr()``) when each takes its fast path.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any, cast

import orjson

from influxpy.constants import MAX_TIME_NS, MIN_TIME_NS, RESERVED_KEYS
from influxpy.lineprotocol.escaping import (
    _INT64_MAX,
    _INT64_MIN,
    _check_key,
    _check_time,
    _refuse,
    _series_key,
    escape_field_key,
    escape_measurement,
    format_field_value,
    format_string,
)

__all__ = ["encode_columns"]

# orjson writes ints as str() does, and floats with the same shortest digits
# as repr(), in the same notation except where it writes an exponent ("e")
# or a value below 1e-4 in fixed notation ("0.0000..."): such columns are
# formatted with repr(). Checked once here, in case a release changes that.
_ORJSON_SAMPLE = [0.0, -0.0, 1.0, 57.123, 0.0001, 123456789.125, 1e15, -2.5]
_ORJSON_FLOATS = (
    orjson.dumps(_ORJSON_SAMPLE).decode() == f"[{','.join(map(repr, _ORJSON_SAMPLE))}]"
    and orjson.dumps([-(2**63), 2**63 - 1, 0]) == f"[{-(2**63)},{2**63 - 1},0]".encode()
)


def _only(values: list[Any], cls: type) -> bool:
    """Whether every value's class is exactly *cls* (not a subclass)."""
    return set(map(type, values)) == {cls}


def _dumped(values: list[Any]) -> list[str]:
    """Each number or bool of *values* as orjson writes it."""
    texts = orjson.dumps(values).decode().split(",")
    texts[0] = texts[0][1:]
    texts[-1] = texts[-1][:-1]
    return texts


def _format_fast_column(kind: str, values: list[Any]) -> list[str] | None:
    """Format a column whose values all take the fast path of *kind*, as the
    object-by-object encoder does; None when one does not.
    """
    if kind in ("float", "any"):
        if not _only(values, float):
            return None
        if not _ORJSON_FLOATS:
            return list(map(repr, values)) if math.isfinite(sum(values)) else None
        blob = orjson.dumps(values)
        if b"n" in blob:  # orjson writes NaN and infinities as null
            return None
        if b"e" in blob or b"0.0000" in blob:
            return list(map(repr, values))
        texts = blob.decode().split(",")
        texts[0] = texts[0][1:]
        texts[-1] = texts[-1][:-1]
        return texts
    if kind == "integer":
        if not _only(values, int) or min(values) < _INT64_MIN:
            return None
        if max(values) > _INT64_MAX:
            return None
        return _dumped(values) if _ORJSON_FLOATS else list(map(str, values))
    if kind == "boolean":
        return _dumped(values) if _only(values, bool) else None
    if (
        _only(values, str)
        and all(map(str.isascii, values))
        and max(map(len, values)) < 262144
    ):
        return list(map(format_string, values))
    return None


def _format_column(
    measurement: str, key: str, kind: str, values: Sequence[Any]
) -> list[str | None]:
    prefix = escape_field_key(key) + "="
    if len(values):
        # A whole column of plain values is formatted in C, as in a batch of
        # objects; any other goes value by value (and raises for bad ones).
        texts = _format_fast_column(kind, list(values))
        if texts is not None:
            if kind == "integer":
                return list(map(f"{prefix}{{}}i".format, texts))
            return [prefix + text for text in texts]
    if kind == "float":
        out: list[str | None] = []
        for value in values:
            if value is None:
                out.append(None)
            elif value.__class__ is float and value - value == 0.0:
                out.append(prefix + repr(value))
            else:
                formatted = format_field_value(
                    value, "float", measurement=measurement, key=key
                )
                out.append(prefix + formatted)
        return out
    return [
        None
        if value is None
        else prefix
        + format_field_value(
            value,
            kind,  # type: ignore[arg-type]
            measurement=measurement,
            key=key,
        )
        for value in values
    ]


def _join_fast_columns(
    prefixes: list[str],
    times: Sequence[int],
    fields: Mapping[str, tuple[str, Sequence[Any]]],
) -> list[str] | None:
    """The lines of a batch whose values all take their fast path (no None,
    valid integer times), joined a whole column at a time; None otherwise."""
    count = len(prefixes)
    stamps = times if isinstance(times, list) else list(times)
    if not count or not fields or not _only(stamps, int):
        return None
    if min(stamps) < MIN_TIME_NS or max(stamps) > MAX_TIME_NS:
        return None
    parts: list[Iterable[str]] = [prefixes]
    separator = " "
    for key, (kind, values) in fields.items():
        texts = _format_fast_column(
            kind, values if isinstance(values, list) else list(values)
        )
        if texts is None:
            return None
        parts.append(repeat(separator + escape_field_key(key) + "=", count))
        parts.append(texts)
        separator = "i," if kind == "integer" else ","
    parts.append(repeat(separator[:-1] + " ", count))
    parts.append(_dumped(stamps) if _ORJSON_FLOATS else list(map(str, stamps)))
    return list(map("".join, zip(*parts, strict=True)))


def encode_columns(
    measurement: str,
    times: Sequence[int],
    tags: Mapping[str, Sequence[Any]],
    fields: Mapping[str, tuple[str, Sequence[Any]]],
    cache: dict[tuple[Any, ...], str] | None = None,
) -> list[str]:
    """Encode row-aligned columns as lines (the DataFrame write path).

    ``tags`` maps tag keys to values (``None`` or ``''`` omit the tag);
    ``fields`` maps field keys to ``(kind, values)`` with ``None`` for no
    value. Series keys are escaped once per distinct tag set, and once for
    all batches when the same ``cache`` dict is passed with each (the same
    tag keys and field keys every time).
    """
    escaped = escape_measurement(measurement)
    tag_keys = sorted(tags)
    count = len(times)
    for key in fields:
        if key in RESERVED_KEYS:
            why = "InfluxDB drops a field named 'time'"
            raise _refuse("field", measurement, key, key, why)
        _check_key("field key", measurement, key)
    if cache is None:
        cache = {}
    rows: list[tuple[Any, ...]] = (
        list(zip(*(tags[k] for k in tag_keys), strict=True))
        if tag_keys
        else [()] * count
    )
    # Each tag set is looked up in C; only new ones are escaped, in order.
    found: list[str | None] = list(map(cache.get, rows))
    if None in found:
        for index, prefix in enumerate(found):
            if prefix is None:
                values = rows[index]
                prefix = cache.get(values)
                if prefix is None:
                    prefix = cache[values] = _series_key(
                        measurement, escaped, zip(tag_keys, values, strict=True), fields
                    )
                found[index] = prefix
    prefixes = cast("list[str]", found)
    fast = _join_fast_columns(prefixes, times, fields)
    if fast is not None:
        return fast
    columns = [
        _format_column(measurement, k, kind, v) for k, (kind, v) in fields.items()
    ]
    lines: list[str] = []
    if columns and not any(None in column for column in columns):
        stamps = times if isinstance(times, list) else list(times)
        if (
            count
            and _only(stamps, int)
            and min(stamps) >= MIN_TIME_NS
            and max(stamps) <= MAX_TIME_NS
        ):
            # Every row has a field and a valid time: join whole columns.
            texts = _dumped(stamps) if _ORJSON_FLOATS else list(map(str, stamps))
            joined = map(",".join, zip(*columns, strict=True))
            return list(map(" ".join, zip(prefixes, joined, texts, strict=True)))
        for prefix, stamp, *parts in zip(prefixes, stamps, *columns, strict=True):
            checked = _check_time(measurement, stamp)
            lines.append(f"{prefix} {','.join(parts)} {checked}")
        return lines
    for index in range(count):
        parts = [c[index] for c in columns if c[index] is not None]
        if not parts:
            why = "a point needs at least one field value that is not None"
            raise _refuse("the point", measurement, None, f"row {index}", why)
        stamp = _check_time(measurement, times[index])
        lines.append(f"{prefixes[index]} {','.join(p for p in parts if p)} {stamp}")
    return lines
