"""Streamed ``/query`` answers on the lean path: ``http.client``'s parser
on the pooled sockets of ``lean.py``.

influxd streams a ``chunked=true`` answer as thousands of small HTTP chunks
(one about every 2 KB). ``httpx`` turns each into an event through ``h11``
and ``httpcore``, about a third of the client CPU of a raw read (0.34 s of
CPU against 0.22 s per 300,000 rows of msgpack on one machine). Here
``http.client`` reads the answer's head; a chunked body is read from the
socket in pieces of up to ``PIECE`` bytes and its chunks are joined by
``_Dechunker``, a few slices per chunk (``http.client`` itself costs two
buffered reads and four Python calls per 2 KB chunk, about a fifth of a
read's client CPU); any other body is read by ``http.client``.

The answer is an ``httpx.Response`` whose stream reads the socket as it is
iterated, so the readers, the retries and the errors (``sending.py``,
``errors.py``) see what they see from ``httpx``: failures on the wire raise
the ``httpx`` errors ``httpcore`` raises for them, with the same text. The
socket goes back to the pool once the body has been read to its end, and is
closed when the answer is closed before that or the server asked to close.
"""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from typing import BinaryIO

import httpx

from influxpy.backends.http.lean import LeanPool, log_exchange

__all__ = ["PIECE", "send_streamed"]

#: The most bytes one piece of a streamed body holds.
PIECE = 1 << 18


def send_streamed(pool: LeanPool, request: httpx.Request) -> httpx.Response:
    """Send *request* (built and authenticated by ``httpx``) on a pooled
    socket; return the answer with its head read and its body unread."""
    url = request.url
    head = [f"{request.method} {url.raw_path.decode('ascii')} HTTP/1.1"]
    head.extend(
        f"{name.decode('latin-1')}: {value.decode('latin-1')}"
        for name, value in request.headers.raw
    )
    head.append("\r\n")
    sock = pool._checkout()
    try:
        _send_head(sock, "\r\n".join(head).encode("latin-1") + request.content)
        response = http.client.HTTPResponse(sock, method=request.method)
        try:
            response.begin()
        except Exception as exc:
            raise _httpx_error(exc, response) from None
    except BaseException:
        sock.close()
        raise
    answer = httpx.Response(
        response.status,
        headers=response.getheaders(),
        stream=_SocketStream(pool, sock, response),
        request=request,
    )
    log_exchange(request, url, answer)
    return answer


def _send_head(sock: socket.socket, data: bytes) -> None:
    try:
        sock.sendall(data)
    except TimeoutError as exc:
        raise httpx.WriteTimeout(str(exc)) from None
    except OSError as exc:
        raise httpx.WriteError(str(exc)) from None


def _httpx_error(exc: Exception, response: http.client.HTTPResponse) -> Exception:
    """The ``httpx`` error for a failure reading an answer (*exc* itself if
    it is one already)."""
    if isinstance(exc, httpx.TransportError):
        return exc
    if isinstance(exc, TimeoutError):
        return httpx.ReadTimeout(str(exc))
    if isinstance(exc, http.client.RemoteDisconnected):
        return httpx.RemoteProtocolError(
            "Server disconnected without sending a response."
        )
    if isinstance(exc, http.client.IncompleteRead):
        cut = "incomplete chunked read" if response.chunked else "body cut short"
        return httpx.RemoteProtocolError(
            f"peer closed connection without sending complete message body: {cut}"
        )
    if isinstance(exc, http.client.HTTPException | ValueError):
        return httpx.RemoteProtocolError(str(exc) or type(exc).__name__)
    if isinstance(exc, OSError):
        return httpx.ReadError(str(exc))
    return exc


class _SocketStream(httpx.SyncByteStream):
    """The body of one answer, read from its socket as it is iterated."""

    def __init__(
        self, pool: LeanPool, sock: socket.socket, response: http.client.HTTPResponse
    ) -> None:
        self._pool = pool
        self._sock: socket.socket | None = sock
        self._response = response

    def __iter__(self) -> Iterator[bytes]:
        response = self._response
        if response.chunked and response.fp is not None:
            yield from self._chunked(response.fp)
            return
        while self._sock is not None:
            try:
                piece = response.read(PIECE)
            except Exception as exc:
                self._drop()
                raise _httpx_error(exc, response) from None
            if not piece:
                self._finish()
                return
            yield piece

    def _chunked(self, fp: BinaryIO) -> Iterator[bytes]:
        """The payload of a chunked body, a piece per read of the socket."""
        dechunker = _Dechunker()
        while self._sock is not None:
            try:
                data = fp.read1(PIECE)  # type: ignore[attr-defined]
                if not data and not dechunker.at_trailer:
                    raise http.client.IncompleteRead(b"")
                payload = dechunker.feed(data)
            except Exception as exc:
                self._drop()
                raise _httpx_error(exc, self._response) from None
            if dechunker.done or not data:
                # Given back before the last piece is handed on: a caller
                # that stops at it still leaves a reusable socket.
                self._finish()
            if payload:
                yield payload

    def close(self) -> None:
        """Give the socket back if the body was read whole, else close it."""
        if self._sock is not None:
            if self._response.isclosed():
                self._finish()
            else:
                self._drop()

    def _finish(self) -> None:
        sock, self._sock = self._sock, None
        if sock is None:
            return
        will_close = bool(self._response.will_close)
        self._response.close()
        if will_close:
            sock.close()
        else:
            self._pool._checkin(sock)

    def _drop(self) -> None:
        sock, self._sock = self._sock, None
        self._response.close()
        if sock is not None:
            sock.close()


#: The longest chunk-size or trailer line accepted (as ``http.client``).
_MAXLINE = 65536


class _Dechunker:
    """Join the chunks of a ``Transfer-Encoding: chunked`` body.

    ``feed()`` takes the bytes read so far, in any pieces, and returns the
    payload they complete; ``done`` tells when the last chunk and its
    trailer have been read. Chunk extensions and trailer lines are skipped.
    A malformed size line raises ``http.client.IncompleteRead``, as
    ``http.client`` does for it.
    """

    __slots__ = ("_expect_crlf", "_left", "_rest", "at_trailer", "done")

    def __init__(self) -> None:
        self._rest = b""
        self._left = 0  # payload bytes of the current chunk still to come
        self._expect_crlf = False  # the CRLF that ends a chunk's payload
        self.at_trailer = False  # the last chunk's size line has been read
        self.done = False

    def feed(self, data: bytes) -> bytes:
        """The payload *data* completes (empty at the end of the body)."""
        if self.done:
            return b""
        buf = self._rest + data if self._rest else data
        view = memoryview(buf)
        size = len(buf)
        pos = 0
        out: list[memoryview] = []
        while pos < size:
            left = self._left
            if left:
                end = min(size, pos + left)
                out.append(view[pos:end])
                self._left = left - (end - pos)
                pos = end
                continue
            if self._expect_crlf:
                if size - pos < 2:
                    break
                if buf[pos : pos + 2] != b"\r\n":
                    raise http.client.IncompleteRead(b"")
                self._expect_crlf = False
                pos += 2
                continue
            end = buf.find(b"\n", pos, pos + _MAXLINE + 1)
            if end < 0:
                if size - pos > _MAXLINE:
                    what = "trailer line" if self.at_trailer else "chunk size"
                    raise http.client.LineTooLong(what)
                break
            line = buf[pos:end]
            pos = end + 1
            if self.at_trailer:
                if line in (b"", b"\r"):
                    self.done = True
                    break
                continue
            self._start_chunk(line)
        payload = b"".join(out)
        out.clear()
        view.release()
        self._rest = b"" if self.done else buf[pos:]
        if not data:
            # The server closed after the last chunk, without its trailer
            # (``http.client`` accepts that too).
            self.done = self.at_trailer
        return payload

    def _start_chunk(self, line: bytes) -> None:
        semicolon = line.find(b";")
        if semicolon >= 0:
            line = line[:semicolon]
        try:
            length = int(line, 16)
        except ValueError:
            raise http.client.IncompleteRead(b"") from None
        if length < 0:
            raise http.client.IncompleteRead(b"")
        if length:
            self._left = length
            self._expect_crlf = True
        else:
            self.at_trailer = True
