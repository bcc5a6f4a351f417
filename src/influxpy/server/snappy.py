"""Snappy's block format, as Prometheus' remote read and write send it.

Prometheus compresses each remote read and write body with Snappy's block
format (not its framing format) and influxd 1.6.7 answers a remote read the
same way. Decoding follows the format's description: the decoded length as
a varint, then elements, each a literal or a copy of earlier output. A
malformed block is refused with Go's ``snappy.Decode`` text
(``snappy: corrupt input``), as influxd answers it. Encoding writes the data
as literals of at most 64 KiB, a valid block that any decoder reads (the
answers are a few kilobytes; finding copies would save bytes on the
loopback only).
"""

from __future__ import annotations

__all__ = ["SnappyError", "snappy_decode", "snappy_encode"]

#: The largest literal written by ``snappy_encode``.
_BLOCK = 65_536
#: Go's ``snappy`` refuses blocks decoding to more than this.
_MAX_DECODED = 0xFFFFFFFF


class SnappyError(ValueError):
    """A body that is not a Snappy block; the text is Go's."""


def _corrupt() -> SnappyError:
    return SnappyError("snappy: corrupt input")


def _varint(data: bytes, at: int) -> tuple[int, int]:
    """The unsigned varint at *at* of *data* (at most 32 bits) and where it ends."""
    value = shift = 0
    while at < len(data) and shift < 35:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            if value > _MAX_DECODED:
                raise _corrupt()
            return value, at
        shift += 7
    raise _corrupt()


def snappy_decode(data: bytes) -> bytes:
    """The bytes Snappy block *data* holds; ``SnappyError`` if it is malformed."""
    length, at = _varint(data, 0)
    out = bytearray()
    end = len(data)
    while at < end:
        tag = data[at]
        kind = tag & 3
        if kind == 0:
            size = tag >> 2
            at += 1
            if size >= 60:
                extra = size - 59
                if at + extra > end:
                    raise _corrupt()
                size = int.from_bytes(data[at : at + extra], "little")
                at += extra
            size += 1
            if at + size > end:
                raise _corrupt()
            out += data[at : at + size]
            at += size
            continue
        if kind == 1:
            if at + 2 > end:
                raise _corrupt()
            size = 4 + ((tag >> 2) & 7)
            offset = ((tag >> 5) << 8) | data[at + 1]
            at += 2
        else:
            width = 2 if kind == 2 else 4
            if at + 1 + width > end:
                raise _corrupt()
            size = 1 + (tag >> 2)
            offset = int.from_bytes(data[at + 1 : at + 1 + width], "little")
            at += 1 + width
        start = len(out) - offset
        if offset == 0 or start < 0:
            raise _corrupt()
        if offset >= size:
            out += out[start : start + size]
        else:
            # An overlapping copy repeats the last *offset* bytes.
            for i in range(size):
                out.append(out[start + i])
        if len(out) > length:
            raise _corrupt()
    if len(out) != length:
        raise _corrupt()
    return bytes(out)


def snappy_encode(data: bytes) -> bytes:
    """*data* as a Snappy block of literals."""
    out = bytearray()
    length = len(data)
    while True:
        byte = length & 0x7F
        length >>= 7
        if length:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            break
    for at in range(0, len(data), _BLOCK):
        piece = data[at : at + _BLOCK]
        size = len(piece) - 1
        if size < 60:
            out.append(size << 2)
        elif size < 0x100:
            out += bytes((60 << 2, size))
        elif size < 0x10000:
            out.append(61 << 2)
            out += size.to_bytes(2, "little")
        else:
            out.append(62 << 2)
            out += size.to_bytes(3, "little")
        out += piece
    return bytes(out)
