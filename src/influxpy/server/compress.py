"""gzip answers for clients that accept them, as influxd 1.6.7 sends them.

influxd compresses an answer when the request's ``Accept-Encoding`` header
contains ``gzip`` (spelled so: ``GZIP`` does not count, and a ``q=0``
weight is not read) and the answer's status is 200: ``/query`` results,
chunked ones included; errors, ``/ping`` and ``/write`` answers and CORS
preflights go out as they are. The level is Go's default (6).
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping

__all__ = ["GzipStream", "accepts_gzip", "gzip_body"]

#: Go's ``gzip.DefaultCompression`` (zlib's level 6).
LEVEL = 6
#: A gzip header and trailer around the deflate stream.
_GZIP_WBITS = 16 + zlib.MAX_WBITS


def accepts_gzip(headers: Mapping[str, str]) -> bool:
    """Whether influxd would compress a 200 answer to a request with
    *headers* (lower-case names)."""
    return "gzip" in headers.get("accept-encoding", "")


def gzip_body(data: bytes) -> bytes:
    """*data* as one gzip member."""
    compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, _GZIP_WBITS)
    return compressor.compress(data) + compressor.flush()


class GzipStream:
    """One gzip member sent in pieces: each piece is flushed whole, so a
    client reading a chunked answer gets every chunk as it is sent."""

    def __init__(self) -> None:
        self._compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, _GZIP_WBITS)

    def piece(self, data: bytes) -> bytes:
        """The compressed bytes of *data*, flushed."""
        return self._compressor.compress(data) + self._compressor.flush(
            zlib.Z_SYNC_FLUSH
        )

    def end(self) -> bytes:
        """The end of the member (its trailer)."""
        return self._compressor.flush()
