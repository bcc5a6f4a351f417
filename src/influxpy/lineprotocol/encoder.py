"""The compiled line-protocol encoder of a model.

``make_encoder`` takes plain descriptions of tags and fields and returns a
compiled encoder that the model layer feeds with instances;
``encode_columns`` (from ``columns.py``) encodes row-aligned columns (the
DataFrame path). Pure: no I/O, nothing about models or the network.
"""

from __future__ import annotations

import functools
import time as _time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice, repeat
from typing import Any

from influxpy.constants import (
    MAX_TIME_NS,
    MIN_TIME_NS,
    RESERVED_KEYS,
)
from influxpy.exceptions import FieldError, LineProtocolError
from influxpy.lineprotocol._compiled import RowEncoder
from influxpy.lineprotocol.body_lines import BodyLines
from influxpy.lineprotocol.columns import (
    _ORJSON_FLOATS,
    _dumped,
    _format_fast_column,
    _only,
    encode_columns,
)
from influxpy.lineprotocol.escaping import (
    FieldKind,
    _check_key,
    _check_time,
    _refuse,
    _series_key,
    _vars,
    escape_field_key,
    escape_measurement,
    format_field_value,
    format_string,
)

__all__ = [
    "Encoder",
    "FieldSpec",
    "Piece",
    "TagSpec",
    "encode_columns",
    "joined",
    "make_encoder",
]


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
#: The compiled encoder's code of each field kind (_speedups.c).
_KIND_CODES: dict[str, int] = {
    "float": 0,
    "any": 1,
    "integer": 2,
    "boolean": 3,
    "string": 4,
}
#: Batches smaller than this are encoded object by object.
_MIN_COLUMNAR = 8
#: Objects ``Encoder.lines()`` encodes at a time: their instances and
#: ``__dict__``s stay under the garbage collector's first threshold (700).
_LINES_CHUNK = 256


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
        *,
        compiled: bool = True,
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
        #: The compiled encoder (None without the extension): it writes the
        #: objects whose values all take their fast path and hands every other
        #: to the generated Python encoder, so both give the same lines and
        #: raise the same errors.
        self._compiled = self._compile_c() if compiled else None
        if self._compiled is not None:
            self.encode = self._compiled.one

    @property
    def compiled(self) -> bool:
        """Whether this encoder writes through the compiled extension."""
        return self._compiled is not None

    @property
    def row_encoder(self) -> Any:
        """The compiled encoder's ``RowEncoder``, or None without it."""
        return self._compiled

    def _compile_c(self) -> Any:
        if RowEncoder is None:
            return None
        try:
            prefixes = tuple(prefix.encode() for prefix in self._prefixes)
        except UnicodeEncodeError:  # a lone surrogate: left to Python
            return None
        return RowEncoder(
            tuple(spec.attname for spec in self.tags),
            self._cache,
            tuple(spec.attname for spec in self.fields),
            prefixes,
            bytes(_KIND_CODES[spec.kind] for spec in self.fields),
            self.time_attname,
            self.encode,
        )

    def encode_many(self, objs: Iterable[Any]) -> list[str]:
        """Encode a batch of objects as lines, in order.

        With the compiled extension, each object whose values all take their
        fast path (exact ``float``, ``int``, ``bool`` or ASCII ``str`` values
        or None, integer times) is written in C and any other by the Python
        encoder. Without it, such a batch (each field present in every object
        or in none) is encoded column by column, which costs about half as
        much as object by object. Every way gives the same lines and raises
        the same errors.
        """
        batch = objs if isinstance(objs, list) else list(objs)
        if self._compiled is not None:
            written: list[str] = self._compiled(batch)
            return written
        if len(batch) >= _MIN_COLUMNAR:
            try:
                lines = self._encode_columns(batch)
            except Exception:  # the object-by-object encoder raises it
                lines = None
            if lines is not None:
                return lines
        return self._encode_rows(batch)

    def lines(self, objs: Iterable[Any], batch_size: int = 0) -> Iterator[str]:
        """Encode *objs* lazily, ``_LINES_CHUNK`` objects at a time, as lines
        in order: the lines and errors of ``encode_many()``.

        Holding a few hundred objects at a time lets the instances a
        generator builds die young. A whole 5,000-point batch outlives the
        garbage collector's young generations: its objects reach the oldest
        one, whose collections then scan every object of the process, which
        costs over a microsecond per point in a large program. With a
        *batch_size*, no piece straddles a multiple of it: the objects of a
        batch are taken from *objs* only once every line of the batch before
        has been taken (so it can be sent before an error in a later one).
        """
        return chain.from_iterable(map(self.encode_many, _pieces(objs, batch_size)))

    def bodies(
        self, objs: Iterable[Any], batch_size: int
    ) -> Iterator[tuple[bytes, BodyLines]]:
        """The request bodies of *objs*, *batch_size* lines each: the bytes of
        each batch of ``lines()`` joined by newlines, made by the compiled
        extension without a string per line, with the batch's lines (made
        from the body only when asked for). The errors of ``lines()``, and
        *objs* taken as it takes them. Only with the extension
        (``compiled``).
        """
        if isinstance(objs, list | tuple) and batch_size > 0:
            # The objects of a sequence are alive anyway: a batch at a time,
            # one call and no join.
            for start in range(0, len(objs), batch_size):
                batch = objs[start : start + batch_size]
                listed = batch if isinstance(batch, list) else list(batch)
                yield joined([self.piece(listed)])
            return
        pieces: list[Piece] = []
        count = 0
        for piece in _pieces(objs, batch_size):
            pieces.append(self.piece(piece))
            count += len(piece)
            if count == batch_size:
                yield joined(pieces)
                pieces, count = [], 0
        if count:
            yield joined(pieces)

    def piece(self, objs: list[Any]) -> Piece:
        """The lines of *objs* joined by newlines as UTF-8 by the compiled
        extension, each line's start offset (native int64s) when a line holds
        a newline of its own (else None), and their count: a piece of a body
        (``joined()``). The errors of ``lines()``."""
        if self._compiled is None:
            msg = "Encoder.piece() needs the compiled extension (compiled())"
            raise RuntimeError(msg)
        data, starts = self._compiled.body(objs)
        return data, starts, len(objs)

    def lanes(self, objs: list[Any], count: int) -> list[Piece]:
        """The lines of *objs* routed to *count* lanes by series key, for
        parallel writes: for each lane, in order, a piece of a body
        (``piece()``) of its lines. Every line of one series goes to one
        lane (``hash(series key) % count``), in the order given. The errors
        of ``lines()``."""
        if self._compiled is None:
            msg = "Encoder.lanes() needs the compiled extension (compiled())"
            raise RuntimeError(msg)
        routed: list[Piece] = self._compiled.lanes(objs, count)
        return routed

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


#: A piece of a body (``Encoder.piece()``): its bytes, each line's start
#: offset when a line holds a newline of its own, its count of lines.
Piece = tuple[bytes, bytes | None, int]


def joined(pieces: list[Piece]) -> tuple[bytes, BodyLines]:
    """One body of the compiled encoder's pieces, with its lines."""
    body = (
        pieces[0][0]
        if len(pieces) == 1
        else b"\n".join([data for data, _starts, _count in pieces])
    )
    count = sum(size for _data, _starts, size in pieces)
    if all(starts is None for _data, starts, _count in pieces):
        return body, BodyLines(body, count)
    # A line holds a newline of its own: the lines start where the pieces say.
    found: list[int] = []
    base = 0
    for data, starts, size in pieces:
        if starts is None:
            offsets = [0] + [i + 1 for i in range(len(data)) if data[i] == 10]
        else:
            offsets = list(memoryview(starts).cast("q"))
        found += [base + offset for offset in offsets[:size]]
        base += len(data) + 1
    return body, BodyLines(body, count, found)


def _pieces(objs: Iterable[Any], batch_size: int) -> Iterator[list[Any]]:
    """Lists of at most ``_LINES_CHUNK`` of *objs*, none straddling a multiple
    of *batch_size* (when it is above 0)."""
    if isinstance(objs, list | tuple):
        # Slices of a sequence: its objects are alive anyway.
        size = len(objs)
        batch = batch_size or size or 1
        for start in range(0, size, batch):
            end = min(start + batch, size)
            for first in range(start, end, _LINES_CHUNK):
                yield list(objs[first : min(first + _LINES_CHUNK, end)])
        return
    iterator = iter(objs)
    left = batch_size
    while piece := list(islice(iterator, min(_LINES_CHUNK, left or _LINES_CHUNK))):
        yield piece
        left = max(0, left - len(piece)) or batch_size


def make_encoder(
    measurement: str,
    tags: Sequence[TagSpec],
    fields: Sequence[FieldSpec],
    time_attname: str = "time",
) -> Encoder:
    """Build an ``Encoder`` for one measurement (see ``Encoder``)."""
    return Encoder(measurement, tags, fields, time_attname)
