"""Encode points as InfluxDB line protocol: pure functions, no I/O.

Escaping follows what InfluxDB 1.6.7 actually parses (the reference's §1.2):
measurements escape comma and space; tag keys, tag values and field keys
escape comma, equals sign and space; string field values escape backslash
and double quote. Anything the protocol cannot carry (a name ending in a
backslash, a newline in a name, NaN, infinities, times outside 1677-2262,
integers outside int64) is refused with a ``LineProtocolError`` instead of
being altered.

This module knows nothing about models or the network: ``make_encoder``
takes plain descriptions of tags and fields and returns a compiled encoder
that the model layer feeds with instances.
"""

from __future__ import annotations

import functools
import math
import re
import time as _time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter
from typing import Any, Literal

import orjson

from influxpy.constants import (
    MAX_KEY_BYTES,
    MAX_STRING_FIELD_BYTES,
    MAX_TIME_NS,
    MIN_TIME_NS,
    RESERVED_KEYS,
)
from influxpy.exceptions import FieldError, LineProtocolError

__all__ = [
    "Encoder",
    "FieldKind",
    "FieldSpec",
    "TagSpec",
    "check_tag_set",
    "check_tag_value",
    "encode_columns",
    "encode_point",
    "escape_field_key",
    "escape_measurement",
    "escape_tag",
    "field_types_of",
    "format_field_value",
    "format_string",
    "make_encoder",
    "parse_line",
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


@dataclass(frozen=True)
class TagSpec:
    """How one tag is read from an object: attribute, stored key, required."""

    attname: str
    key: str
    required: bool = True


@dataclass(frozen=True)
class FieldSpec:
    """How one field is read from an object and written.

    ``coerce`` turns an unusual value (a numpy scalar, an int for a float
    field) into the canonical Python type or raises ``FieldError``.
    """

    attname: str
    key: str
    kind: FieldKind
    coerce: Callable[[Any], Any] | None = None


# The fast paths test the exact class, so subclasses and numpy scalars take
# the slow path through the field's own validation.
_FAST_PATHS: dict[str, str] = {
    "float": "{v}.__class__ is float and {v} - {v} == 0.0",
    "any": "{v}.__class__ is float and {v} - {v} == 0.0",
    "integer": "{v}.__class__ is int and -9223372036854775808 <= {v} "
    "<= 9223372036854775807",
    "boolean": "{v}.__class__ is bool",
    "string": "{v}.__class__ is str and len({v}) < 262144 and {v}.isascii()",
}
_FAST_FORMAT: dict[str, str] = {
    "float": "repr({v})",
    "any": "repr({v})",
    "integer": "str({v}) + 'i'",
    "boolean": "('true' if {v} else 'false')",
    "string": "fmt_str({v})",
}
# The same formats as replacement fields of an f-string, for the line of an
# object whose values all take their fast path.
_FAST_FIELD: dict[str, str] = {
    "float": "{{{v}!r}}",
    "any": "{{{v}!r}}",
    "integer": "{{{v}}}i",
    "boolean": "{{'true' if {v} else 'false'}}",
    "string": "{{fmt_str({v})}}",
}
#: Batches smaller than this are encoded object by object.
_MIN_COLUMNAR = 8
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


class Encoder:
    """A line-protocol encoder compiled for one measurement's tags and fields.

    ``encode(obj)`` writes one object; ``encode_many(objs)`` a batch. Values
    are read from ``obj.__dict__`` by attribute name; time from the
    ``time_attname`` entry as integer nanoseconds (``None`` stamps now).
    Series keys are escaped once per distinct tag set and cached.
    """

    def __init__(
        self,
        measurement: str,
        tags: Sequence[TagSpec],
        fields: Sequence[FieldSpec],
        time_attname: str = "time",
        cache_size: int = 100_000,
    ) -> None:
        self.measurement = measurement
        self.escaped_measurement = escape_measurement(measurement)
        self.tags = tuple(tags)
        self.fields = tuple(fields)
        self.time_attname = time_attname
        self._cache: dict[tuple[Any, ...], str] = {}
        self._cache_size = cache_size
        for spec in self.tags:
            if spec.key in RESERVED_KEYS:
                why = "InfluxDB rejects a tag named 'time'"
                raise _refuse("tag", measurement, spec.key, spec.key, why)
            _check_key("tag key", measurement, spec.key)
        for fspec in self.fields:
            if fspec.key in RESERVED_KEYS:
                why = "InfluxDB drops a field named 'time'"
                raise _refuse("field", measurement, fspec.key, fspec.key, why)
            _check_key("field key", measurement, fspec.key)
        keys = [s.key for s in self.tags]
        duplicated = sorted({k for k in keys if keys.count(k) > 1})
        if duplicated:
            why = "two tags are stored under the same key"
            raise _refuse("tag key", measurement, duplicated[0], duplicated[0], why)
        self._prefixes = [escape_field_key(spec.key) + "=" for spec in self.fields]
        #: Encode one object as a line.
        self.encode: Callable[[Any], str]
        self._encode_rows: Callable[[Iterable[Any]], list[str]]
        self._encode_rows, self.encode = self._compile()

    def encode_many(self, objs: Iterable[Any]) -> list[str]:
        """Encode a batch of objects as lines, in order.

        A batch whose values all take their fast path (exact ``float``,
        ``int``, ``bool`` or ``str`` values, each field present in every
        object or in none, integer times) is encoded column by column, which
        costs about half as much; any other goes object by object. Both give
        the same lines and raise the same errors.
        """
        batch = objs if isinstance(objs, list) else list(objs)
        if len(batch) >= _MIN_COLUMNAR:
            try:
                lines = self._encode_columns(batch)
            except Exception:  # the object-by-object encoder raises it
                lines = None
            if lines is not None:
                return lines
        return self._encode_rows(batch)

    def _encode_columns(self, batch: list[Any]) -> list[str] | None:
        """Encode *batch* column by column, or return None to leave it to the
        object-by-object encoder (which then raises any error).

        The per-value work (type checks, range checks, number formatting,
        joining) runs in C over whole columns.
        """
        count = len(batch)
        dicts = list(map(_vars, batch))
        get = dict.get
        cache_get = self._cache.get
        if self.tags:
            tag_columns = [map(get, dicts, repeat(s.attname, count)) for s in self.tags]
            keys: list[Any] = list(map(cache_get, zip(*tag_columns, strict=True)))
            if None in keys:
                names = [s.attname for s in self.tags]
                for index, key in enumerate(keys):
                    if key is None:
                        values = tuple([dicts[index].get(name) for name in names])
                        keys[index] = cache_get(values) or self._series(values)
        else:
            keys = [cache_get(()) or self._series(())] * count
        parts: list[Iterable[str]] = [keys]
        separator = " "
        for spec, prefix in zip(self.fields, self._prefixes, strict=True):
            column = list(map(get, dicts, repeat(spec.attname, count)))
            texts = _format_fast_column(spec.kind, column)
            if texts is None:
                if column.count(None) == count:
                    continue  # a field no object has is left out, as it is one by one
                return None
            parts.append(repeat(separator + prefix, count))
            parts.append(texts)
            separator = "i," if spec.kind == "integer" else ","
        if len(parts) == 1:
            return None
        times: list[Any] = list(map(get, dicts, repeat(self.time_attname, count)))
        if not _only(times, int) or min(times) < MIN_TIME_NS:
            return None
        if max(times) > MAX_TIME_NS:
            return None
        parts.append(repeat(separator[:-1] + " ", count))
        parts.append(_dumped(times) if _ORJSON_FLOATS else list(map(str, times)))
        return list(map("".join, zip(*parts, strict=True)))

    def _series(self, values: tuple[Any, ...]) -> str:
        for spec, value in zip(self.tags, values, strict=True):
            if spec.required and (value is None or value == ""):
                msg = (
                    f"Cannot write measurement {self.measurement!r}: the tag "
                    f"{spec.attname!r} is required and was {value!r}; give it a "
                    "value or declare it InfluxTag(null=True)."
                )
                raise FieldError(msg, field=spec.attname)
        pairs = [(s.key, v) for s, v in zip(self.tags, values, strict=True)]
        keys = [spec.key for spec in self.fields]
        series = _series_key(self.measurement, self.escaped_measurement, pairs, keys)
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[values] = series
        return series

    def _slow(self, index: int, value: Any) -> str:
        spec = self.fields[index]
        if spec.coerce is not None:
            value = spec.coerce(value)
        return format_field_value(
            value, spec.kind, measurement=self.measurement, key=spec.key
        )

    def _no_fields(self, obj: Any) -> LineProtocolError:
        names = ", ".join(repr(f.attname) for f in self.fields)
        why = f"a point needs at least one field value that is not None ({names})"
        return _refuse("the point", self.measurement, None, obj, why)

    def _compile(
        self,
    ) -> tuple[Callable[[Iterable[Any]], list[str]], Callable[[Any], str]]:
        """Generate a batch encoder with one inlined branch per field, and
        the same code for one object (the batch writer encodes one at a time).

        Code generation (as attrs does for ``__init__``) removes the
        per-field loop and dictionary traffic from the hot path. An object
        whose values all take their fast path is written by one f-string.
        """
        body = ["d = obj.__dict__"]
        tag_reads = ", ".join(f"d.get({t.attname!r})" for t in self.tags)
        body.append(f"tk = ({tag_reads}{',' if len(self.tags) == 1 else ''})")
        body.append("s = cache_get(tk)")
        body.append("if s is None:")
        body.append("    s = series(tk)")
        namespace: dict[str, Any] = {
            "cache_get": self._cache.get,
            "series": self._series,
            "slow": self._slow,
            "no_fields": self._no_fields,
            "now": _time.time_ns,
            "fmt_str": format_string,
            "check_time": functools.partial(_check_time, self.measurement),
        }
        conditions = []
        line = "{s}"
        separator = " "
        for index, spec in enumerate(self.fields):
            var = f"v{index}"
            body.append(f"{var} = d.get({spec.attname!r})")
            conditions.append(_FAST_PATHS[spec.kind].format(v=var))
            # Keys go in as names, so no key needs escaping in the source.
            namespace[f"k{index}"] = separator + self._prefixes[index]
            line += f"{{k{index}}}" + _FAST_FIELD[spec.kind].format(v=var)
            separator = ","
        body.append(f"t = d.get({self.time_attname!r})")
        conditions.append(f"t.__class__ is int and {MIN_TIME_NS} <= t <= {MAX_TIME_NS}")
        body.append(f"if {' and '.join(f'({c})' for c in conditions)}:")
        body.append(f"    line = f{line + ' {t}'!r}")
        body.append("else:")
        body.append("    p = []")
        for index, spec in enumerate(self.fields):
            var = f"v{index}"
            prefix = self._prefixes[index]
            fast = _FAST_PATHS[spec.kind].format(v=var)
            fmt = _FAST_FORMAT[spec.kind].format(v=var)
            body.append(f"    if {var} is not None:")
            body.append(f"        if {fast}:")
            body.append(f"            p.append({prefix!r} + {fmt})")
            body.append("        else:")
            body.append(f"            p.append({prefix!r} + slow({index}, {var}))")
        body.append("    if not p:")
        body.append("        raise no_fields(obj)")
        body.append("    if t is None:")
        body.append("        t = now()")
        in_range = f"{MIN_TIME_NS} <= t <= {MAX_TIME_NS}"
        body.append(f"    elif t.__class__ is not int or not {in_range}:")
        body.append("        t = check_time(t)")
        body.append("    line = s + ' ' + ','.join(p) + ' ' + str(t)")
        lines = ["def encode_many(objs):", "    out = []", "    append = out.append"]
        lines.append("    for obj in objs:")
        lines.extend(f"        {statement}" for statement in body)
        lines.append("        append(line)")
        lines.append("    return out")
        lines.append("def encode_one(obj):")
        lines.extend(f"    {statement}" for statement in body)
        lines.append("    return line")
        source = "\n".join(lines)
        filename = f"<influxpy encoder for {self.measurement!r}>"
        exec(compile(source, filename, "exec"), namespace)
        encode_many: Callable[[Iterable[Any]], list[str]] = namespace["encode_many"]
        encode_one: Callable[[Any], str] = namespace["encode_one"]
        return encode_many, encode_one


def make_encoder(
    measurement: str,
    tags: Sequence[TagSpec],
    fields: Sequence[FieldSpec],
    time_attname: str = "time",
) -> Encoder:
    """Build an ``Encoder`` for one measurement (see ``Encoder``)."""
    return Encoder(measurement, tags, fields, time_attname)


def _read(line: str, start: int, stops: str, escapable: str) -> tuple[str, int]:
    """Read up to the first unescaped character of *stops*; unescape *escapable*.

    A backslash before any other character is kept, as InfluxDB keeps it.
    """
    out: list[str] = []
    index = start
    size = len(line)
    while index < size:
        char = line[index]
        if char == "\\" and index + 1 < size and line[index + 1] in escapable:
            out.append(line[index + 1])
            index += 2
            continue
        if char in stops:
            break
        out.append(char)
        index += 1
    return "".join(out), index


def _read_string(line: str, start: int) -> tuple[str, int]:
    """Read a quoted string value starting at its opening quote."""
    out: list[str] = []
    index = start + 1
    size = len(line)
    while index < size:
        char = line[index]
        if char == "\\" and index + 1 < size and line[index + 1] in '"\\':
            out.append(line[index + 1])
            index += 2
            continue
        if char == '"':
            return "".join(out), index + 1
        out.append(char)
        index += 1
    msg = "unterminated string"
    raise ValueError(msg)


def _parse_value(raw: str) -> Any:
    if raw.endswith("i"):
        return int(raw[:-1])
    if raw in ("t", "T", "true", "True", "TRUE"):
        return True
    if raw in ("f", "F", "false", "False", "FALSE"):
        return False
    if not raw or raw[0] == "+":
        msg = f"invalid number {raw!r}"
        raise ValueError(msg)
    value = float(raw)
    if not math.isfinite(value):
        msg = f"invalid number {raw!r}"
        raise ValueError(msg)
    return value


def _expect(line: str, index: int, char: str) -> int:
    if index >= len(line) or line[index] != char:
        msg = f"expected {char!r} at {index}"
        raise ValueError(msg)
    return index + 1


def parse_line(
    line: str,
) -> tuple[str, dict[str, str], dict[str, Any], int | None]:
    """Parse one line into ``(measurement, tags, fields, time_ns)``.

    The inverse of ``encode_point`` for the lines it writes, with the
    server's unescaping rules (reference §1.2): measurements unescape comma
    and space, keys and tag values comma, equals sign and space (field keys
    also double quote), string values backslash and double quote. Values
    come back as ``int`` (``i`` suffix), ``float``, ``bool`` or ``str``.
    Raises ``LineProtocolError`` for a line it cannot read.
    """
    try:
        measurement, index = _read(line, 0, ", ", ", ")
        if not measurement:
            msg = "missing measurement"
            raise ValueError(msg)
        tags: dict[str, str] = {}
        while index < len(line) and line[index] == ",":
            key, index = _read(line, index + 1, "=", ",= ")
            index = _expect(line, index, "=")
            value, index = _read(line, index, ", ", ",= ")
            tags[key] = value
        index = _expect(line, index, " ")
        while index < len(line) and line[index] == " ":
            index += 1
        fields: dict[str, Any] = {}
        while True:
            key, index = _read(line, index, "=", ',= "')
            index = _expect(line, index, "=")
            if index < len(line) and line[index] == '"':
                fields[key], index = _read_string(line, index)
            else:
                raw, index = _read(line, index, ", ", "")
                fields[key] = _parse_value(raw)
            if index < len(line) and line[index] == ",":
                index += 1
                continue
            break
        stamp = line[index:].strip()
        return measurement, tags, fields, int(stamp) if stamp else None
    except (ValueError, IndexError):
        msg = f"Cannot parse the line-protocol line {line[:200]!r}."
        raise LineProtocolError(msg, value=line) from None


_KIND_OF = {bool: "boolean", int: "integer", float: "float", str: "string"}


def field_types_of(line: str, measurement: str | None = None) -> dict[str, str]:
    """Return ``{field key: InfluxDB type}`` of a line, or ``{}`` if unreadable.

    With *measurement*, lines of other measurements give ``{}``.
    """
    try:
        name, _tags, fields, _time = parse_line(line)
    except LineProtocolError:
        return {}
    if measurement is not None and name != measurement:
        return {}
    return {key: _KIND_OF[type(value)] for key, value in fields.items()}


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
    prefixes: list[str] = []
    rows: Iterable[tuple[Any, ...]] = (
        zip(*(tags[k] for k in tag_keys), strict=True) if tag_keys else [()] * count
    )
    for values in rows:
        prefix = cache.get(values)
        if prefix is None:
            prefix = cache[values] = _series_key(
                measurement, escaped, zip(tag_keys, values, strict=True), fields
            )
        prefixes.append(prefix)
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
