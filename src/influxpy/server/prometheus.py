"""Prometheus' remote write and read (``/api/v1/prom/write``, ``/api/v1/prom/read``)
answered as influxd 1.6.7 answers them.

Both bodies are Snappy blocks of Protocol Buffers messages
(``prometheus/remote/remote.proto`` in InfluxDB's source)::

    WriteRequest { repeated TimeSeries timeseries = 1; }
    ReadRequest  { repeated Query queries = 1; }
    ReadResponse { repeated QueryResult results = 1; }
    Query        { int64 start_timestamp_ms = 1; int64 end_timestamp_ms = 2;
                   repeated LabelMatcher matchers = 3; }
    LabelMatcher { MatchType type = 1; string name = 2; string value = 3; }
    QueryResult  { repeated TimeSeries timeseries = 1; }
    TimeSeries   { repeated LabelPair labels = 1; repeated Sample samples = 2; }
    LabelPair    { string name = 1; string value = 2; }
    Sample       { double value = 1; int64 timestamp_ms = 2; }

A written series becomes points of the measurement its ``__name__`` label
names (``prom_metric_not_specified`` without one), every label a tag (the
name too), each sample a float field ``value`` at its millisecond; NaN
samples are dropped, an infinite one refuses the whole request (``+/-Inf is
an unsupported value for field value``). The points go through the same
write as a ``/write`` body, so type conflicts and missing policies answer
alike.

A read takes one query: the points of field ``value`` between its two
times (both included; a time of 0 or less is open) of the series its
matchers select, ANDed: ``__name__`` matches the measurement, any other
name a tag (a series without it has the empty value), regular expressions
match anywhere in the value (unanchored, as influxd runs them). Each
series with float values of ``value`` in range is answered with its
non-empty tags as labels (no ``__name__`` unless a tag is so named), in
series key order.

Label text that the line protocol cannot carry (a line break, a backslash
before a delimiter, …: ``lineprotocol.escaping``'s checks) is refused with
an error naming it, instead of being stored altered.
"""

from __future__ import annotations

import dataclasses
import math
import struct
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from influxpy.exceptions import LineProtocolError
from influxpy.influxql.regex import go_search
from influxpy.lineprotocol.escaping import encode_point, escape_tag
from influxpy.server.snappy import SnappyError, snappy_decode, snappy_encode
from influxpy.server.writes import WriteAnswer, write_body

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = [
    "PrometheusError",
    "Query",
    "decode_read",
    "read_answer",
    "write_answer",
    "write_lines",
]

#: The measurement of a series without a ``__name__`` label.
UNNAMED = "prom_metric_not_specified"
#: The field every sample is written to and read from.
FIELD = "value"
_NAME = "__name__"
#: influxd's time limits (``models.MinNanoTime``, ``models.MaxNanoTime``).
_MIN_NS = -(2**63) + 2
_MAX_NS = 2**63 - 2
_MATCH_TYPES = ("EQUAL", "NOT_EQUAL", "REGEX_MATCH", "REGEX_NO_MATCH")


class PrometheusError(ValueError):
    """A request influxd refuses with a 400; the text is influxd's."""


@dataclasses.dataclass(frozen=True)
class Matcher:
    """One label matcher of a read query."""

    kind: str
    name: str
    value: str

    def matches(self, text: str) -> bool:
        """Whether a label valued *text* ('' when absent) passes."""
        if self.kind == "EQUAL":
            return text == self.value
        if self.kind == "NOT_EQUAL":
            return text != self.value
        found = go_search(self.value, text)
        return found if self.kind == "REGEX_MATCH" else not found


@dataclasses.dataclass(frozen=True)
class Query:
    """A remote read query: its times (ms) and matchers."""

    start_ms: int
    end_ms: int
    matchers: tuple[Matcher, ...]


# -- Protocol Buffers ---------------------------------------------------------


def _eof() -> PrometheusError:
    return PrometheusError("unexpected EOF")


def _uvarint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while at < len(data):
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value & 0xFFFFFFFFFFFFFFFF, at
        shift += 7
        if shift >= 70:
            raise PrometheusError("proto: integer overflow")
    raise _eof()


def _int64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _fields(data: bytes, message: str) -> Iterator[tuple[int, int, Any]]:
    """``(field number, wire type, value)`` of each field of *data*."""
    at = 0
    while at < len(data):
        key, at = _uvarint(data, at)
        number, wire = key >> 3, key & 7
        if number == 0 or wire in (3, 4, 6, 7):
            msg = f"proto: {message}: illegal tag {number} (wire type {wire})"
            raise PrometheusError(msg)
        value: Any
        if wire == 0:
            value, at = _uvarint(data, at)
        elif wire == 2:
            size, at = _uvarint(data, at)
            if at + size > len(data):
                raise _eof()
            value = data[at : at + size]
            at += size
        else:
            width = 8 if wire == 1 else 4
            if at + width > len(data):
                raise _eof()
            value = data[at : at + width]
            at += width
        yield number, wire, value


def _want(wire: int, expected: int, field: str) -> None:
    if wire != expected:
        msg = f"proto: wrong wireType = {wire} for field {field}"
        raise PrometheusError(msg)


def _text(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        raise PrometheusError("proto: invalid UTF-8 in a string field") from None


def _double(raw: bytes) -> float:
    return float(struct.unpack("<d", raw)[0])


#: What each message's fields are: number -> (Go's field name, wire type,
#: how the raw value reads). Fields of other numbers are skipped, as
#: proto3 readers skip unknown fields.
_SCHEMAS: dict[str, dict[int, tuple[str, int, Callable[[Any], Any]]]] = {
    "LabelPair": {1: ("Name", 2, _text), 2: ("Value", 2, _text)},
    "Sample": {1: ("Value", 1, _double), 2: ("TimestampMs", 0, _int64)},
    "TimeSeries": {
        1: ("Labels", 2, lambda raw: _message(raw, "LabelPair")),
        2: ("Samples", 2, lambda raw: _message(raw, "Sample")),
    },
    "LabelMatcher": {
        1: ("Type", 0, _int64),
        2: ("Name", 2, _text),
        3: ("Value", 2, _text),
    },
    "Query": {
        1: ("StartTimestampMs", 0, _int64),
        2: ("EndTimestampMs", 0, _int64),
        3: ("Matchers", 2, lambda raw: _message(raw, "LabelMatcher")),
    },
    "WriteRequest": {1: ("Timeseries", 2, lambda raw: _message(raw, "TimeSeries"))},
    "ReadRequest": {1: ("Queries", 2, bytes)},
}
#: The repeated fields (each read into a list).
_REPEATED = frozenset({"Labels", "Samples", "Matchers", "Timeseries", "Queries"})


def _message(data: bytes, name: str) -> dict[str, Any]:
    """The fields of message *name* in *data* (``_SCHEMAS``), by Go's names."""
    schema = _SCHEMAS[name]
    out: dict[str, Any] = {
        field: [] for field, _w, _c in schema.values() if field in _REPEATED
    }
    for number, wire, raw in _fields(data, name):
        spec = schema.get(number)
        if spec is None:
            continue
        field, expected, read = spec
        _want(wire, expected, field)
        if field in _REPEATED:
            out[field].append(read(raw))
        else:
            out[field] = read(raw)
    return out


def _query(data: bytes) -> Query:
    fields = _message(data, "Query")
    matchers = []
    for matcher in fields["Matchers"]:
        kind = matcher.get("Type", 0)
        if not 0 <= kind < len(_MATCH_TYPES):
            msg = f"unknown match type {kind}"
            raise PrometheusError(msg)
        matchers.append(
            Matcher(
                _MATCH_TYPES[kind], matcher.get("Name", ""), matcher.get("Value", "")
            )
        )
    return Query(
        fields.get("StartTimestampMs", 0),
        fields.get("EndTimestampMs", 0),
        tuple(matchers),
    )


def _key(number: int, wire: int) -> bytes:
    return _varint_bytes(number << 3 | wire)


def _varint_bytes(value: int) -> bytes:
    value &= 0xFFFFFFFFFFFFFFFF
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _bytes_field(number: int, payload: bytes) -> bytes:
    return _key(number, 2) + _varint_bytes(len(payload)) + payload


def _series_bytes(
    labels: list[tuple[str, str]], samples: list[tuple[float, int]]
) -> bytes:
    out = bytearray()
    for name, text in labels:
        pair = b""
        if name:
            pair += _bytes_field(1, name.encode())
        if text:
            pair += _bytes_field(2, text.encode())
        out += _bytes_field(1, pair)
    for value, stamp in samples:
        sample = b""
        packed = struct.pack("<d", value)
        if packed != bytes(8):  # proto3 leaves +0.0 out
            sample += _key(1, 1) + packed
        if stamp:
            sample += _key(2, 0) + _varint_bytes(stamp)
        out += _bytes_field(2, sample)
    return bytes(out)


# -- write --------------------------------------------------------------------


def _decoded(body: bytes) -> bytes:
    try:
        return snappy_decode(body)
    except SnappyError as exc:
        raise PrometheusError(str(exc)) from None


def write_lines(body: bytes) -> bytes:
    """The line protocol of a remote write *body* (a Snappy ``WriteRequest``).

    Raises ``PrometheusError`` with influxd's text for a body that does not
    decode or a sample it refuses; nothing of such a request is written.
    """
    lines = []
    for series in _message(_decoded(body), "WriteRequest")["Timeseries"]:
        labels = [(p.get("Name", ""), p.get("Value", "")) for p in series["Labels"]]
        samples = [
            (p.get("Value", 0.0), p.get("TimestampMs", 0)) for p in series["Samples"]
        ]
        tags: dict[str, str] = {}
        measurement = UNNAMED
        for name, text in labels:
            tags[name] = text
            if name == _NAME:
                measurement = text
        for value, stamp in samples:
            if math.isnan(value):
                continue  # influxd drops them: InfluxDB stores no NaN
            if math.isinf(value):
                msg = f"+/-Inf is an unsupported value for field {FIELD}"
                raise PrometheusError(msg)
            ns = _int64((stamp * 1_000_000) & 0xFFFFFFFFFFFFFFFF)
            if not _MIN_NS <= ns <= _MAX_NS:
                msg = f"time outside range {_MIN_NS} - {_MAX_NS}"
                raise PrometheusError(msg)
            try:
                lines.append(encode_point(measurement, {FIELD: value}, tags, ns))
            except LineProtocolError as exc:
                # What the line protocol cannot carry, named (never altered).
                raise PrometheusError(str(exc)) from None
    return "\n".join(lines).encode()


def write_answer(
    backend: Backend,
    body: bytes,
    params: Mapping[str, str],
    stored: Callable[[bytes], None] | None = None,
) -> WriteAnswer:
    """Store a remote write *body* with the request's ``db``, ``rp`` and
    ``consistency``; answer as influxd does (204, or a status and text).
    *stored* gets the lines once they reached the store."""
    database = params.get("db", "")
    if not database:
        return WriteAnswer(400, "database is required")
    if database not in backend.list_databases():
        return WriteAnswer(404, f'database not found: "{database}"')
    try:
        lines = write_lines(body)
    except PrometheusError as exc:
        return WriteAnswer(400, str(exc))
    consistency = params.get("consistency", "")
    if consistency and consistency not in ("any", "one", "quorum", "all"):
        return WriteAnswer(400, "invalid consistency level")
    answer = write_body(
        backend, lines, database=database, retention_policy=params.get("rp") or None
    )
    if stored is not None and answer.status in (204, 400):
        stored(lines)
    return answer


# -- read ---------------------------------------------------------------------


def decode_read(body: bytes) -> Query:
    """The one query of a remote read *body* (a Snappy ``ReadRequest``)."""
    queries = _message(_decoded(body), "ReadRequest")["Queries"]
    if len(queries) != 1:
        raise PrometheusError(
            "Prometheus read endpoint currently only supports one query at a time"
        )
    return _query(queries[0])


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _condition(matcher: Matcher) -> str:
    column = _quoted(matcher.name)
    if matcher.kind in ("EQUAL", "NOT_EQUAL"):
        op = "=" if matcher.kind == "EQUAL" else "!="
        return f"{column} {op} {_string(matcher.value)}"
    op = "=~" if matcher.kind == "REGEX_MATCH" else "!~"
    return f"{column} {op} /{matcher.value.replace('/', chr(92) + '/')}/"


def _rows(backend: Backend, text: str, database: str) -> list[Any]:
    (result,) = list(backend.statements(text, database=database))
    if result.error is not None:
        raise PrometheusError(result.error)
    return list(result.series)


def _ms(ns: int) -> int:
    """Nanoseconds to milliseconds, truncated toward zero as Go divides."""
    return ns // 1_000_000 if ns >= 0 else -((-ns) // 1_000_000)


def _series_key(measurement: str, labels: list[tuple[str, str]]) -> str:
    tags = "".join(f",{escape_tag(k)}={escape_tag(v)}" for k, v in labels)
    return measurement.replace(",", "\\,").replace(" ", "\\ ") + tags


def read_answer(backend: Backend, query: Query, database: str, rp: str | None) -> bytes:
    """The Snappy ``ReadResponse`` to *query* on *database* (policy *rp*)."""
    if not query.matchers:
        raise PrometheusError("expected matcher")
    if database not in backend.list_databases():
        raise PrometheusError("no database")
    introspection = backend.introspection(database)
    policies = [p.name for p in introspection.retention_policies()]
    policy = rp or introspection.default_retention_policy() or ""
    if policy not in policies:
        raise PrometheusError("invalid retention policy")
    start = query.start_ms * 1_000_000 if query.start_ms > 0 else _MIN_NS
    end = query.end_ms * 1_000_000 if query.end_ms > 0 else _MAX_NS
    named = [m for m in query.matchers if m.name in (_NAME, "_measurement")]
    fields = [m for m in query.matchers if m.name == "_field"]
    tagged = [m for m in query.matchers if m not in named and m not in fields]
    if not all(m.matches(FIELD) for m in fields):
        return snappy_encode(_bytes_field(1, b""))
    found: list[tuple[str, bytes]] = []
    for (name,) in (
        row for s in _rows(backend, "SHOW MEASUREMENTS", database) for row in s.values
    ):
        if not all(m.matches(name) for m in named):
            continue
        source = f"{_quoted(database)}.{_quoted(policy)}.{_quoted(name)}"
        keys = {
            row[0]
            for s in _rows(backend, f"SHOW TAG KEYS FROM {source}", database)
            for row in s.values
        }
        # A matcher of a label no series of the measurement has compares ''.
        if not all(m.matches("") for m in tagged if m.name not in keys):
            continue
        where = [f"time >= {start}", f"time <= {end}"]
        where += [_condition(m) for m in tagged if m.name in keys]
        text = (
            f"SELECT {_quoted(FIELD)} FROM {source} WHERE {' AND '.join(where)} "
            "GROUP BY *"
        )
        for series in _rows(backend, text, database):
            values = [row[1] for row in series.values]
            if not values or not all(isinstance(v, float) for v in values):
                continue  # influxd reads only float values for Prometheus
            labels = sorted((k, v) for k, v in (series.tags or {}).items() if v)
            samples = [(row[1], _ms(row[0])) for row in series.values]
            found.append((_series_key(name, labels), _series_bytes(labels, samples)))
    result = b"".join(_bytes_field(1, payload) for _key_, payload in sorted(found))
    return snappy_encode(_bytes_field(1, result))
