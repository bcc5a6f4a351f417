"""Render ``StatementResult`` objects as InfluxDB 1.6.7's ``/query`` answers.

Three formats, each byte for byte as ``influxd`` writes them where a client
can tell (reference §2.5):

- JSON (the default): ``{"results":[...]}``; floats as Go's ``encoding/json``
  prints them (``1``, ``-0``, ``1e-7``, ``1e+21``); times as RFC 3339 strings
  with trailing zeros removed, or integers in the ``epoch`` unit;
  ``pretty=true`` indents by four spaces.
- CSV (``Accept: application/csv`` or ``text/csv``): ``name,tags,<columns>``
  headers, tags as a series key, times as integers, a blank line between
  statements, quoting as Go's ``encoding/csv``.
- msgpack (``Accept: application/x-msgpack``): the JSON shape with typed
  numbers and times as extension type 5 (big-endian seconds and nanoseconds).

Each function works on one response document (a list of results) or on one
chunk of a chunked response; ``influxpy.server.app`` decides which.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
import struct
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import msgpack
import orjson

from influxpy._utils import format_rfc3339
from influxpy.results import Series

__all__ = [
    "EPOCH_UNITS",
    "Result",
    "chunk_results",
    "csv_document",
    "csv_error",
    "epoch_divisor",
    "json_document",
    "json_error",
    "msgpack_document",
    "pretty",
]

#: Nanoseconds per unit of each ``epoch`` value InfluxDB 1.6.7 knows; any
#: other non-empty value means nanoseconds (``µ`` too, on 1.6.7).
EPOCH_UNITS: dict[str, int] = {
    "h": 3_600_000_000_000,
    "m": 60_000_000_000,
    "s": 1_000_000_000,
    "ms": 1_000_000,
    "u": 1_000,
    "ns": 1,
}


def epoch_divisor(epoch: str | None) -> int | None:
    """The divisor of nanosecond times for an ``epoch`` parameter.

    ``None`` (no parameter, or an empty one) keeps RFC 3339 strings; an
    unknown unit is nanoseconds, as on InfluxDB 1.6.7.
    """
    if not epoch:
        return None
    return EPOCH_UNITS.get(epoch, 1)


@dataclasses.dataclass
class Result:
    """One result object of a response: a statement's series, or a part of
    them in a chunked response (``partial`` when more of it follows).

    ``timezone`` is the statement's ``tz()``: JSON times without ``epoch``
    are then local times with their offset, as influxd writes them.
    """

    statement_id: int
    series: list[Series] = dataclasses.field(default_factory=list)
    error: str | None = None
    partial: bool = False
    messages: list[dict[str, str]] = dataclasses.field(default_factory=list)
    timezone: str | None = None


# -- values ------------------------------------------------------------------


def go_float(value: float) -> str:
    """A float as Go's ``encoding/json`` writes it (``strconv`` shortest
    digits; exponent form below 1e-6 and from 1e21, ``e-7`` not ``e-07``)."""
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    size = abs(value)
    text = repr(value)
    if size < 1e-6 or size >= 1e21:
        mantissa, _, exponent = text.partition("e")
        sign, digits = exponent[0], exponent[1:].lstrip("0")
        if sign == "+" and len(digits) < 2:
            digits = digits.rjust(2, "0")
        return f"{mantissa}e{sign}{digits}"
    if "e" in text:
        text = format(Decimal(text), "f")
    if text.endswith(".0"):
        text = text[:-2]
    return text


def _go_float_plain(value: float) -> str:
    """A float as ``strconv.FormatFloat(v, 'f', -1, 64)`` (CSV): no exponent."""
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


_HTML_UNSAFE = re.compile(rb"[<>&]|\xe2\x80[\xa8\xa9]")
_HTML_ESCAPES = {
    b"<": b"\\u003c",
    b">": b"\\u003e",
    b"&": b"\\u0026",
    b"\xe2\x80\xa8": b"\\u2028",
    b"\xe2\x80\xa9": b"\\u2029",
}


def _json_string(text: str) -> bytes:
    """A JSON string as Go escapes it (``<``, ``>``, ``&`` as ``\\u00XX``)."""
    out = orjson.dumps(text)
    if _HTML_UNSAFE.search(out):
        out = _HTML_UNSAFE.sub(lambda m: _HTML_ESCAPES[m.group()], out)
    return out


def _json_value(value: Any) -> bytes:
    kind = value.__class__
    if kind is str:
        return _json_string(value)
    if kind is float:
        if math.isfinite(value):
            return go_float(value).encode()
        return b"null"
    if value is None:
        return b"null"
    if kind is bool:
        return b"true" if value else b"false"
    if kind is int:
        return str(value).encode()
    return orjson.dumps(value, default=str)


class _RFC3339:
    """RFC 3339 UTC times with trailing zeros removed, as influxd writes
    them; the date and clock of each second are formatted once."""

    def __init__(self) -> None:
        self.seconds: dict[int, str] = {}

    def __call__(self, ns: Any) -> Any:
        if ns.__class__ is not int:
            return ns
        second, frac = divmod(ns, 1_000_000_000)
        base = self.seconds.get(second)
        if base is None:
            if len(self.seconds) > _SECONDS_CACHED:
                self.seconds.clear()
            base = self.seconds[second] = format_rfc3339(second * 1_000_000_000)[:-1]
        if frac:
            return f"{base}.{frac:09d}".rstrip("0") + "Z"
        return base + "Z"


#: Seconds whose formatted date and clock a converter keeps.
_SECONDS_CACHED = 100_000


class _LocalRFC3339:
    """Times in a ``tz()`` zone as Go's ``RFC3339Nano`` writes them: local
    date and clock, trailing zeros removed, then ``Z`` or ``±hh:mm``."""

    def __init__(self, zone: str) -> None:
        self.zone = ZoneInfo(zone)

    def __call__(self, ns: Any) -> Any:
        if ns.__class__ is not int:
            return ns
        second, frac = divmod(ns, 1_000_000_000)
        local = dt.datetime.fromtimestamp(second, tz=self.zone)
        text = local.strftime("%Y-%m-%dT%H:%M:%S")
        if frac:
            text = f"{text}.{frac:09d}".rstrip("0")
        offset = local.utcoffset()
        minutes = int(offset.total_seconds()) // 60 if offset else 0
        if minutes == 0:
            return text + "Z"
        sign = "-" if minutes < 0 else "+"
        hours, minutes = divmod(abs(minutes), 60)
        return f"{text}{sign}{hours:02d}:{minutes:02d}"


def _time_maker(divisor: int | None) -> Callable[[Any], Any]:
    """Convert one nanosecond time as ``epoch`` asks (RFC 3339 without)."""
    if divisor is None:
        return _RFC3339()
    if divisor == 1:
        return lambda ns: ns

    def truncated(ns: Any) -> Any:
        if ns.__class__ is not int:
            return ns
        # Go's integer division truncates toward zero.
        whole = abs(ns) // divisor
        return -whole if ns < 0 else whole

    return truncated


def _has_time(series: Series) -> bool:
    # ``time_first``: a time column named otherwise (``SELECT time AS t``).
    if not series.columns:
        return False
    return series.columns[0] == "time" or getattr(series, "time_first", False)


# -- JSON --------------------------------------------------------------------


def _json_column(values: Iterable[Any]) -> Iterable[bytes]:
    """The JSON of one column's values."""
    column = list(values)
    kinds = set(map(type, column))
    if kinds == {float}:
        return [go_float(v).encode() if math.isfinite(v) else b"null" for v in column]
    if kinds == {int}:
        return [str(v).encode() for v in column]
    return map(_json_value, column)


def _json_rows(series: Series, convert: Callable[[Any], Any]) -> list[bytes]:
    """Each row of *series* as a JSON array, built a column at a time."""
    columns = list(zip(*series.values, strict=True))
    if _has_time(series) and columns:
        columns[0] = tuple(map(convert, columns[0]))
    cells = [_json_column(column) for column in columns]
    return [b"[" + b",".join(row) + b"]" for row in zip(*cells, strict=True)]


def _json_series(series: Series, convert: Callable[[Any], Any]) -> bytes:
    # Every key is left out when empty, as Go's ``omitempty`` does.
    parts = [b'"name":' + _json_string(series.name)] if series.name else []
    if series.tags:
        tags = b",".join(
            _json_string(k) + b":" + _json_string(v) for k, v in series.tags.items()
        )
        parts.append(b'"tags":{' + tags + b"}")
    if series.columns:
        columns = b",".join(map(_json_string, series.columns))
        parts.append(b'"columns":[' + columns + b"]")
    if series.values:
        parts.append(b'"values":[' + b",".join(_json_rows(series, convert)) + b"]")
    if series.partial:
        parts.append(b'"partial":true')
    return b"{" + b",".join(parts) + b"}"


def _json_result(result: Result, convert: Callable[[Any], Any]) -> bytes:
    if result.timezone and isinstance(convert, _RFC3339):
        convert = _LocalRFC3339(result.timezone)
    parts = [b'{"statement_id":', str(result.statement_id).encode()]
    if result.series:
        body = b",".join(_json_series(s, convert) for s in result.series)
        parts += [b',"series":[', body, b"]"]
    if result.messages:
        parts += [b',"messages":', orjson.dumps(result.messages)]
    if result.partial:
        parts.append(b',"partial":true')
    if result.error:
        parts += [b',"error":', _json_string(result.error)]
    parts.append(b"}")
    return b"".join(parts)


def json_document(
    results: Iterable[Result], epoch: str | None = None, error: str | None = None
) -> bytes:
    """One JSON response document (no trailing newline).

    As influxd's, it leaves out an empty ``results`` list (``{}`` for text
    of no statements) and an empty error.
    """
    convert = _time_maker(epoch_divisor(epoch))
    body = b",".join(_json_result(r, convert) for r in results)
    parts = [b'"results":[' + body + b"]"] if body else []
    if error:
        parts.append(b'"error":' + _json_string(error))
    return b"{" + b",".join(parts) + b"}"


def json_error(error: str) -> bytes:
    """A request error's JSON document, ``{"error": ...}``."""
    return b'{"error":' + _json_string(error) + b"}"


_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[{}\[\],:]|[^{}\[\],:"]+')


def pretty(document: bytes) -> bytes:
    """Indent a compact JSON document as Go's ``json.MarshalIndent`` with
    four spaces."""
    out: list[bytes] = []
    depth = 0
    tokens = _TOKEN.findall(document)
    for index, token in enumerate(tokens):
        if token in (b"{", b"["):
            closer = b"}" if token == b"{" else b"]"
            nxt = tokens[index + 1] if index + 1 < len(tokens) else b""
            if nxt == closer:
                out.append(token)
                continue
            depth += 1
            out.append(token + b"\n" + b"    " * depth)
        elif token in (b"}", b"]"):
            prev = tokens[index - 1] if index else b""
            if prev in (b"{", b"["):
                out.append(token)
                continue
            depth -= 1
            out.append(b"\n" + b"    " * depth + token)
        elif token == b",":
            out.append(b",\n" + b"    " * depth)
        elif token == b":":
            out.append(b": ")
        else:
            out.append(token)
    return b"".join(out)


# -- msgpack -----------------------------------------------------------------

_TIME_EXT = 5
_SECONDS_NANOS = struct.Struct(">qI")


def _msgpack_time(ns: Any) -> Any:
    if ns.__class__ is not int:
        return ns
    seconds, nanos = divmod(ns, 1_000_000_000)
    return msgpack.ExtType(_TIME_EXT, _SECONDS_NANOS.pack(seconds, nanos))


def _msgpack_result(result: Result, divisor: int | None) -> dict[str, Any]:
    if result.error:
        # InfluxDB 1.6.7 leaves the statement id out of a failed result.
        return {"error": result.error}
    out: dict[str, Any] = {"statement_id": result.statement_id}
    convert = _msgpack_time if divisor is None else _time_maker(divisor)
    # Unlike JSON, msgpack always carries the (maybe empty) series list.
    series_out: list[dict[str, Any]] = []
    if result.series:
        for series in result.series:
            item: dict[str, Any] = {"name": series.name} if series.name else {}
            if series.tags:
                item["tags"] = series.tags
            if series.columns:
                item["columns"] = series.columns
            if series.values:
                values = series.values
                if _has_time(series):
                    values = [[convert(r[0]), *r[1:]] if r else r for r in values]
                item["values"] = values
            if series.partial:
                item["partial"] = True
            series_out.append(item)
    out["series"] = series_out
    if result.messages:
        out["messages"] = result.messages
    if result.partial:
        out["partial"] = True
    return out


def msgpack_document(
    results: Iterable[Result], epoch: str | None = None, error: str | None = None
) -> bytes:
    """One msgpack response document."""
    divisor = epoch_divisor(epoch)
    doc: dict[str, Any] = {}
    answers = [_msgpack_result(r, divisor) for r in results]
    if answers or not error:
        doc["results"] = answers
    if error:
        doc["error"] = error
    packed: bytes = msgpack.packb(doc, use_bin_type=True)
    return packed


# -- CSV ---------------------------------------------------------------------


def _csv_field(text: str) -> str:
    """Quote a field as Go's ``encoding/csv`` does."""
    if text == "":
        return text
    if text == r"\." or any(c in text for c in ',"\r\n') or text[0].isspace():
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    kind = value.__class__
    if kind is str:
        return str(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        if math.isfinite(value):
            return _go_float_plain(value)
        # strconv's infinities; NaN never gets here (answered as null).
        return "+Inf" if value > 0 else "-Inf" if value < 0 else ""
    return str(value)


_KEY_ESCAPES = str.maketrans({",": r"\,", " ": r"\ ", "=": r"\="})


def _csv_tags(tags: dict[str, str]) -> str:
    """The tag set as a series key (sorted, escaped, empty values left out)."""
    return ",".join(
        f"{k.translate(_KEY_ESCAPES)}={v.translate(_KEY_ESCAPES)}"
        for k, v in sorted(tags.items())
        if v != ""
    )


class CSVWriter:
    """Write results as CSV across the chunks of one response.

    A new statement starts a block (a blank line after the first) with a
    header from its first series; a series with other columns starts a new
    block too. Failed and empty results write nothing.
    """

    def __init__(self, epoch: str | None = None) -> None:
        divisor = epoch_divisor(epoch)
        self.convert = _time_maker(divisor if divisor is not None else 1)
        self.statement_id = -1
        self.columns: list[str] = []

    def _line(self, fields: Iterable[str]) -> str:
        return ",".join(map(_csv_field, fields)) + "\n"

    def write(self, results: Iterable[Result]) -> str:
        """The CSV text of *results*."""
        out: list[str] = []
        for result in results:
            if result.statement_id != self.statement_id:
                if not result.series:
                    continue
                if self.statement_id >= 0:
                    out.append("\n")
                self.statement_id = result.statement_id
                self.columns = list(result.series[0].columns)
                out.append(self._line(["name", "tags", *self.columns]))
            for series in result.series:
                # Other columns start a block, also in a later chunk.
                if series.columns != self.columns:
                    out.append("\n")
                    self.columns = list(series.columns)
                    out.append(self._line(["name", "tags", *self.columns]))
                head = [series.name, _csv_tags(series.tags)]
                timed = _has_time(series)
                for row in series.values:
                    cells = [_csv_value(v) for v in row]
                    if timed and row:
                        cells[0] = _csv_value(self.convert(row[0]))
                    out.append(self._line(head + cells))
        return "".join(out)


def csv_document(results: Iterable[Result], epoch: str | None = None) -> bytes:
    """One CSV response (every statement of a request)."""
    return CSVWriter(epoch).write(results).encode()


def csv_error(error: str) -> bytes:
    """The CSV body of a request-level error (an ``error`` column)."""
    return ("error\n" + _csv_field(error) + "\n").encode()


def chunk_results(
    statement_id: int, pieces: Iterable[Series]
) -> Iterator[tuple[Result, bool]]:
    """The chunks of one statement in a chunked response, one per piece.

    Yields ``(result, last)``: every result but the statement's last carries
    ``partial``. A statement without series yields one empty result.
    """
    iterator = iter(pieces)
    current = next(iterator, None)
    if current is None:
        yield Result(statement_id), True
        return
    for following in iterator:
        yield Result(statement_id, [current], partial=True), False
        current = following
    yield Result(statement_id, [current]), True
