"""``POST /write``: a request body into the engine, answered as InfluxDB 1.6.7.

``write_request`` checks a request as influxd does, in its order (the
database, the body, lines that all fail to parse, ``consistency``). The
body is decompressed (``Content-Encoding: gzip``) and handed whole to
the engine's ``write_line_protocol`` with the request's ``db``, ``rp`` and
``precision``: it reads the lines, stores the good points and raises
``PartialWriteError`` carrying the server's text (``unable to parse
'<line>': <why>``, ``partial write: … dropped=N``) for the others. This
module turns that into the HTTP answer: 204, or a status and InfluxDB's
error text.
"""

from __future__ import annotations

import dataclasses
import zlib
from typing import TYPE_CHECKING, Any, Protocol, cast

from influxpy.exceptions import (
    DatabaseNotFoundError,
    PartialWriteError,
    RetentionPolicyNotFoundError,
)

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = [
    "BodyError",
    "LineProtocolStore",
    "WriteAnswer",
    "decode_body",
    "write_body",
    "write_request",
]


class LineProtocolStore(Protocol):
    """A backend that writes a whole ``/write`` body (the embedded engine)."""

    def write_line_protocol(
        self,
        body: bytes | str,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        precision: str | None = None,
    ) -> Any:
        """Store *body*'s points; raise ``PartialWriteError`` for the others."""


@dataclasses.dataclass(frozen=True)
class WriteAnswer:
    """The HTTP answer to a write: 204, or a status and InfluxDB's error text."""

    status: int = 204
    error: str | None = None


class BodyError(ValueError):
    """A request body that cannot be decompressed."""


#: Bits of a gzip header's flags (RFC 1952): extra field, name, comment,
#: header CRC.
_FHCRC, _FEXTRA, _FNAME, _FCOMMENT = 2, 4, 8, 16
#: Compressed bytes fed to zlib at a time when looking for where a
#: corrupt stream breaks.
_PROBE = 65_536


def decode_body(body: bytes, content_encoding: str | None) -> bytes:
    """The raw line protocol of a body sent with *content_encoding*.

    Only ``gzip`` exactly is decompressed, as influxd compares the header;
    a broken body raises ``BodyError`` with the text Go's reader gives
    (``EOF``, ``unexpected EOF``, ``gzip: invalid header``, ``gzip:
    invalid checksum``, ``flate: corrupt input before offset N``).
    """
    if content_encoding == "gzip":
        return gunzip(body)
    return body


def gunzip(body: bytes) -> bytes:
    """Decompress every gzip member of *body*, failing as Go's
    ``compress/gzip`` reader does (influxd 1.6.7 answers its text)."""
    if not body:
        raise BodyError("EOF")
    out: list[bytes] = []
    at = 0
    while at < len(body):
        at = _skip_header(body, at)
        data, at = _inflate(body, at)
        if len(body) - at < 8:
            raise BodyError("unexpected EOF")
        crc = int.from_bytes(body[at : at + 4], "little")
        size = int.from_bytes(body[at + 4 : at + 8], "little")
        if crc != zlib.crc32(data) or size != len(data) & 0xFFFFFFFF:
            raise BodyError("gzip: invalid checksum")
        out.append(data)
        at += 8
    return b"".join(out)


def _skip_header(body: bytes, at: int) -> int:
    """The offset past the gzip member header starting at *at*."""
    start = at
    if len(body) - at < 10:
        raise BodyError("unexpected EOF")
    if body[at : at + 3] != b"\x1f\x8b\x08":
        raise BodyError("gzip: invalid header")
    flags = body[at + 3]
    at += 10
    if flags & _FEXTRA:
        if len(body) - at < 2:
            raise BodyError("unexpected EOF")
        at += 2 + int.from_bytes(body[at : at + 2], "little")
        if at > len(body):
            raise BodyError("unexpected EOF")
    for flag in (_FNAME, _FCOMMENT):
        if flags & flag:
            end = body.find(b"\x00", at)
            if end < 0:
                raise BodyError("unexpected EOF")
            at = end + 1
    if flags & _FHCRC:
        if len(body) - at < 2:
            raise BodyError("unexpected EOF")
        if (
            int.from_bytes(body[at : at + 2], "little")
            != zlib.crc32(body[start:at]) & 0xFFFF
        ):
            raise BodyError("gzip: invalid header")
        at += 2
    return at


def _inflate(body: bytes, at: int) -> tuple[bytes, int]:
    """The deflate stream starting at *at*: its data and the offset past it."""
    stream = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        data = stream.decompress(body[at:])
    except zlib.error:
        offset = _break_offset(body[at:])
        msg = f"flate: corrupt input before offset {offset}"
        raise BodyError(msg) from None
    if not stream.eof:
        raise BodyError("unexpected EOF")
    return data, len(body) - len(stream.unused_data)


def _break_offset(stream: bytes) -> int:
    """How many bytes of a corrupt deflate *stream* are read when it breaks
    (Go's ``CorruptInputError`` offset): fed a piece at a time, then,
    within the piece that fails, a byte at a time."""
    good = zlib.decompressobj(-zlib.MAX_WBITS)
    at = 0
    while at < len(stream):
        trial = good.copy()
        try:
            trial.decompress(stream[at : at + _PROBE])
        except zlib.error:
            break
        good = trial
        at += _PROBE
    for end in range(at, min(at + _PROBE, len(stream))):
        try:
            good.decompress(stream[end : end + 1])
        except zlib.error:
            return end + 1
    return len(stream)


#: The consistency levels influxd takes (in any case).
CONSISTENCY = ("any", "one", "quorum", "all")


def write_request(
    backend: Backend,
    raw: bytes,
    *,
    database: str,
    content_encoding: str | None = None,
    consistency: str = "",
    retention_policy: str | None = None,
    precision: str | None = None,
) -> tuple[WriteAnswer, bytes | None]:
    """Answer a ``/write`` request's *raw* body in influxd's order: the
    database, then the body (gzip), then a body whose every line fails to
    parse, then the ``consistency`` level, then the store. Returns the
    answer and the body stored from (None when nothing was)."""
    if database not in backend.list_databases():
        return WriteAnswer(404, f'database not found: "{database}"'), None
    try:
        body = decode_body(raw, content_encoding)
    except BodyError as exc:
        return WriteAnswer(400, str(exc)), None
    if consistency and consistency.lower() not in CONSISTENCY:
        unparsed = _unparsed(body, precision)
        return WriteAnswer(400, unparsed or "invalid consistency level"), None
    return _stored(backend, body, database, retention_policy, precision), body


def _unparsed(body: bytes, precision: str | None) -> str | None:
    """The error of a body none of whose lines parse, else None."""
    from influxpy.lineprotocol.reader import read_body

    read = read_body(body, precision)
    if read.points or read.dropped or not read.rejected:
        return None
    return "\n".join(rejected.error for rejected in read.rejected)


def write_body(
    backend: Backend,
    body: bytes,
    *,
    database: str,
    retention_policy: str | None = None,
    precision: str | None = None,
) -> WriteAnswer:
    """Store a ``/write`` body in *database*; answer as InfluxDB does."""
    if database not in backend.list_databases():
        return WriteAnswer(404, f'database not found: "{database}"')
    return _stored(backend, body, database, retention_policy, precision)


def _stored(
    backend: Backend,
    body: bytes,
    database: str,
    retention_policy: str | None,
    precision: str | None,
) -> WriteAnswer:
    """``write_body`` once *database* is found to exist."""
    if retention_policy:
        try:
            policies = backend.introspection(database).retention_policies()
            names = [policy.name for policy in policies]
        except DatabaseNotFoundError:
            names = []
        if retention_policy not in names:
            # A body whose every line fails to parse is refused first.
            unparsed = _unparsed(body, precision)
            if unparsed is not None:
                return WriteAnswer(400, unparsed)
            text = RetentionPolicyNotFoundError.server_text(retention_policy)
            return WriteAnswer(500, text)
    store = cast("LineProtocolStore", backend)
    try:
        store.write_line_protocol(
            body,
            database=database,
            retention_policy=retention_policy,
            precision=precision,
        )
    except DatabaseNotFoundError:
        # Dropped since the check above.
        return WriteAnswer(404, f'database not found: "{database}"')
    except PartialWriteError as exc:
        return WriteAnswer(400, exc.reason or str(exc))
    except RetentionPolicyNotFoundError as exc:
        # The default policy was dropped (or a named one since the check).
        return WriteAnswer(500, exc.reason)
    return WriteAnswer()
