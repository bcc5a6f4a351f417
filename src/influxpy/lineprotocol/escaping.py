"""Escaping and validation of line protocol: pure functions, no I/O.

Escaping follows what InfluxDB 1.6.7 actually parses (the reference's §1.2):
measurements escape comma and space; tag keys, tag values and field keys
escape comma, equals sign and space; string field values escape backslash
and double quote. Anything the protocol cannot carry (a name ending in a
backslash, a newline in a name, NaN, infinities, times outside 1677-2262,
integers outside int64) is refused with a ``LineProtocolError`` instead of
being altered. ``encode_point`` encodes one point given as mappings.
"""

from __future__ import annotations

import math
import re
import time as _time
from collections.abc import Iterable, Mapping
from operator import attrgetter
from typing import Any, Literal

from influxpy.constants import (
    MAX_KEY_BYTES,
    MAX_STRING_FIELD_BYTES,
    MAX_TIME_NS,
    MIN_TIME_NS,
    RESERVED_KEYS,
)
from influxpy.exceptions import LineProtocolError

__all__ = [
    "FieldKind",
    "check_tag_set",
    "check_tag_value",
    "encode_point",
    "escape_field_key",
    "escape_measurement",
    "escape_tag",
    "format_field_value",
    "format_string",
]

#: How a field's values are written: ``float``, ``integer`` (``i`` suffix),
#: ``boolean``, ``string``, or ``any`` (bool, str, or any number as float).
FieldKind = Literal["float", "integer", "boolean", "string", "any"]

_MEASUREMENT_TABLE = str.maketrans({",": r"\,", " ": r"\ "})
_KEY_TABLE = str.maketrans({",": r"\,", "=": r"\=", " ": r"\ "})
_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1
_BACKSLASH_BEFORE_DELIMITER = re.compile(r'\\[,= "]')
# Found by writing every value of up to four escapable pieces to 1.6.7: a
# backslash-space, then a backslash-equals, then a double quote breaks the
# line (the server rejects it, and a batch's next line with it). The three
# may be spread over the tags and the field keys that follow them.
_MISREAD_TAG_VALUE = re.compile(r'\\ .*\\=.*"', re.DOTALL)
_MISREAD_WHY = (
    "InfluxDB misreads a backslash-space in a tag followed, later in the tags "
    "or the field keys, by a backslash-equals and then a double quote"
)
# Keys InfluxDB 1.6.7 misreads, whatever the escaping (found by round trips):
# field keys with an odd run of backslashes before a comma, an equals sign or
# a space, or any backslash before a double quote; tag keys with an odd run
# before a space (the server's line splitter then merges the next line).
_MISREAD_KEYS = {
    "field key": re.compile(r'(?<!\\)\\(?:\\\\)*[,= ]|\\"'),
    "tag key": re.compile(r"(?<!\\)\\(?:\\\\)*[ ]"),
}
_vars = attrgetter("__dict__")
_ARTICLES = {"integer": "an integer", "any": "an untyped"}


def _a(kind: str) -> str:
    return _ARTICLES.get(kind, f"a {kind}")


def _is_bool(value: Any) -> bool:
    """A Python bool or a numpy bool (``bool_``, renamed ``bool`` in numpy 2)."""
    cls = value.__class__
    return cls is bool or (
        cls.__name__ in ("bool_", "bool") and cls.__module__ == "numpy"
    )


def _refuse(
    what: str, measurement: str, key: str | None, value: object, why: str
) -> LineProtocolError:
    where = f"{what} of measurement {measurement!r}" if key is None else what
    if key is not None:
        where = f"{what} {key!r} of measurement {measurement!r}"
    msg = f"Cannot write {where}: {why} (got {value!r})."
    return LineProtocolError(msg, measurement=measurement, key=key, value=value)


def _check_name(what: str, measurement: str, key: str | None, text: object) -> str:
    if not isinstance(text, str):
        type_name = type(text).__name__
        why = f"it must be a str, not {type_name}"
        raise _refuse(what, measurement, key, text, why)
    if not text:
        raise _refuse(what, measurement, key, text, "it is empty")
    if text[-1] == "\\":
        why = "it ends with a backslash, which the line protocol cannot carry"
        raise _refuse(what, measurement, key, text, why)
    if "\n" in text or "\r" in text:
        why = "it contains a line break, which the line protocol cannot carry"
        raise _refuse(what, measurement, key, text, why)
    if "\x00" in text:
        why = "it contains a NUL character, which InfluxDB cannot store or quote"
        raise _refuse(what, measurement, key, text, why)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            why = "it contains a lone surrogate, which is not valid UTF-8"
            raise _refuse(what, measurement, key, text, why) from None
    return text


def _check_key(what: str, measurement: str, key: str) -> str:
    """Check a tag or field key: a name, and nothing the server misreads.

    InfluxDB 1.6.7 mangles some backslashes before delimiters in keys (the
    key is renamed, rejected, or the next line of the batch is merged into
    it) and strips a leading tab; such keys are refused.
    """
    _check_name(what, measurement, key, key)
    if key in RESERVED_KEYS:
        verb = "rejects" if what == "tag key" else "drops"
        why = f"InfluxDB {verb} a {what.split()[0]} named 'time'"
        raise _refuse(what, measurement, key, key, why)
    if _MISREAD_KEYS[what].search(key):
        why = "InfluxDB misreads a backslash right before a delimiter in a key"
        raise _refuse(what, measurement, key, key, why)
    if key[0] == "\t":
        why = "InfluxDB strips a leading tab"
        raise _refuse(what, measurement, key, key, why)
    return key


def check_tag_value(measurement: str, key: str, value: object) -> str:
    """Check a tag value can be written and read back unchanged.

    Besides what any name needs, InfluxDB 1.6.7 misreads a value holding a
    backslash-space, then a backslash-equals, then a double quote: it
    rejects the line and the batch's next line with it.
    """
    text = _check_name("tag", measurement, key, value)
    if "\\" in text and _MISREAD_TAG_VALUE.search(text):
        raise _refuse("tag", measurement, key, text, _MISREAD_WHY)
    return text


def check_tag_set(
    measurement: str,
    tags: Iterable[tuple[str, str]],
    field_keys: Iterable[str] = (),
) -> None:
    """Check a whole tag set, with the field keys written after it.

    ``tags`` are the (key, value) pairs in the order they are written
    (sorted by key). The pattern :func:`check_tag_value` refuses inside one
    value breaks the line too when its pieces are spread over several tags
    and the field keys; this names the tag where it starts.
    """
    pairs = list(tags)
    starts = [k for k, v in pairs if "\\ " in k or "\\ " in v]
    if not starts:
        return
    text = ",".join(f"{k}={v}" for k, v in pairs) + " " + " ".join(field_keys)
    if _MISREAD_TAG_VALUE.search(text):
        key = starts[0]
        raise _refuse("tag", measurement, key, dict(pairs)[key], _MISREAD_WHY)


def escape_measurement(name: str) -> str:
    """Escape a measurement name: comma and space (reference §1.2)."""
    _check_name("the name", name if isinstance(name, str) else "?", None, name)
    if name[0] == "#":
        why = "a line starting with '#' is a comment, so it would be dropped"
        raise _refuse("the name", name, None, name, why)
    if name[0] == "\t":
        why = "InfluxDB strips a leading tab"
        raise _refuse("the name", name, None, name, why)
    if _BACKSLASH_BEFORE_DELIMITER.search(name):
        why = (
            "a backslash right before a comma, an equals sign, a space or a "
            "double quote cannot be stored in a measurement name"
        )
        raise _refuse("the name", name, None, name, why)
    return name.translate(_MEASUREMENT_TABLE)


def escape_tag(text: str) -> str:
    """Escape a tag key or tag value: comma, equals sign and space (§1.2)."""
    return text.translate(_KEY_TABLE)


def escape_field_key(text: str) -> str:
    """Escape a field key: comma, equals sign and space (§1.2)."""
    return text.translate(_KEY_TABLE)


def _string_too_long(text: str) -> bool:
    # Encoding is only needed when the text could exceed the limit.
    return len(text) * 4 > MAX_STRING_FIELD_BYTES and (
        len(text.encode("utf-8", "surrogatepass")) > MAX_STRING_FIELD_BYTES
    )


def format_string(value: str) -> str:
    """Quote a string field value, escaping backslash then double quote."""
    if "\\" in value or '"' in value:
        value = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{value}"'


def format_field_value(
    value: Any, kind: FieldKind = "any", *, measurement: str = "?", key: str = "?"
) -> str:
    """Format one field value for the line protocol.

    ``kind`` decides the written type; ``any`` writes bools as booleans,
    strings as strings and every number as a float.
    """
    if _is_bool(value):
        if kind not in ("boolean", "any"):
            why = f"a bool cannot be written to {_a(kind)} field"
            raise _refuse("field", measurement, key, value, why)
        return "true" if value else "false"
    if isinstance(value, str):
        if kind not in ("string", "any"):
            why = f"a str cannot be written to {_a(kind)} field"
            raise _refuse("field", measurement, key, value, why)
        if _string_too_long(value):
            why = f"string values are limited to {MAX_STRING_FIELD_BYTES} bytes"
            raise _refuse("field", measurement, key, f"<{len(value)} chars>", why)
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                why = "it contains a lone surrogate, which is not valid UTF-8"
                raise _refuse("field", measurement, key, value, why) from None
        return format_string(value)
    if kind == "integer":
        number = _as_integer(value)
        if number is None:
            why = "an integer field takes a whole number"
            raise _refuse("field", measurement, key, value, why)
        if not _INT64_MIN <= number <= _INT64_MAX:
            why = "integers must fit in 64 bits"
            raise _refuse("field", measurement, key, value, why)
        return f"{number}i"
    if kind in ("float", "any"):
        if isinstance(value, (bytes, bytearray)):
            why = f"{_a(kind)} field takes a number"
            raise _refuse("field", measurement, key, value, why)
        try:
            number_f = float(value)
        except (TypeError, ValueError):
            why = f"{_a(kind)} field takes a number"
            raise _refuse("field", measurement, key, value, why) from None
        except OverflowError:
            why = "the number is too large for a float"
            raise _refuse("field", measurement, key, value, why) from None
        if not math.isfinite(number_f):
            why = "InfluxDB cannot store NaN or infinite values"
            raise _refuse("field", measurement, key, value, why)
        return repr(number_f)
    why = f"a {type(value).__name__} cannot be written to {_a(kind)} field"
    raise _refuse("field", measurement, key, value, why)


def _as_integer(value: Any) -> int | None:
    """The exact int a value stands for, or None (no truncation, no bytes)."""
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (str, bytes, bytearray)) or not hasattr(value, "__float__"):
        return None
    if hasattr(value, "is_integer") and not value.is_integer():
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    try:
        exact = value == number
    except (TypeError, ValueError):
        return None
    return number if exact else None


def _check_time(measurement: str, time_ns: Any) -> int:
    if time_ns.__class__ is not int or not MIN_TIME_NS <= time_ns <= MAX_TIME_NS:
        why = (
            "times are integer nanoseconds between 1677-09-21T00:12:43.145224194Z "
            "and 2262-04-11T23:47:16.854775806Z"
        )
        raise _refuse("the time", measurement, None, time_ns, why)
    return int(time_ns)


def _series_key(
    measurement: str,
    escaped_measurement: str,
    tags: Iterable[tuple[str, Any]],
    field_keys: Iterable[str] = (),
) -> str:
    parts = [escaped_measurement]
    written: list[tuple[str, str]] = []
    field_keys = list(field_keys)
    for key, value in sorted(tags):
        if value is None or value == "":
            continue
        if key in RESERVED_KEYS:
            why = "InfluxDB rejects a tag named 'time'"
            raise _refuse("tag", measurement, key, value, why)
        _check_key("tag key", measurement, key)
        written.append((key, check_tag_value(measurement, key, value)))
        parts.append(f"{escape_tag(key)}={escape_tag(value)}")
    check_tag_set(measurement, written, field_keys)
    series = ",".join(parts)
    size = len(series.encode("utf-8", "surrogatepass"))
    if size > MAX_KEY_BYTES:
        why = f"measurement and tags together exceed {MAX_KEY_BYTES} bytes"
        raise _refuse("the series key", measurement, None, series[:80] + "...", why)
    # InfluxDB refuses a point whose series key, 4 bytes and the escaped key
    # of one of its fields take more than MAX_KEY_BYTES ("max key length").
    for key in field_keys:
        total = size + 4 + len(escape_field_key(key).encode("utf-8", "surrogatepass"))
        if total > MAX_KEY_BYTES:
            why = (
                f"the series key and the field key {key!r} take {total} bytes, over "
                f"InfluxDB's limit of {MAX_KEY_BYTES} bytes for both together"
            )
            raise _refuse("the series key", measurement, None, series[:80] + "...", why)
    return series


def encode_point(
    measurement: str,
    fields: Mapping[str, Any],
    tags: Mapping[str, Any] | None = None,
    time_ns: int | None = None,
) -> str:
    """Encode one point given as plain mappings; ``None`` values are skipped.

    Field values are written by their Python type: bool as boolean, int as
    integer, float as float, str as string. A missing ``time_ns`` is stamped
    with the current time in nanoseconds.
    """
    escaped = escape_measurement(measurement)
    keys = [key for key, value in fields.items() if value is not None]
    series = _series_key(measurement, escaped, (tags or {}).items(), keys)
    parts = []
    for key, value in fields.items():
        if value is None:
            continue
        if key in RESERVED_KEYS:
            why = "InfluxDB drops a field named 'time'"
            raise _refuse("field", measurement, key, value, why)
        _check_key("field key", measurement, key)
        whole = isinstance(value, int) or type(value).__name__.startswith(
            ("int", "uint")
        )
        kind: FieldKind = "integer" if whole and not _is_bool(value) else "any"
        formatted = format_field_value(value, kind, measurement=measurement, key=key)
        parts.append(f"{escape_field_key(key)}={formatted}")
    if not parts:
        why = "a point needs at least one field value that is not None"
        raise _refuse("the point", measurement, None, dict(fields), why)
    stamp = _time.time_ns() if time_ns is None else _check_time(measurement, time_ns)
    return f"{series} {','.join(parts)} {stamp}"
