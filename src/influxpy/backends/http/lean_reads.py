"""Streamed ``/query`` answers on the lean path: ``http.client``'s parser
on the pooled sockets of ``lean.py``.

influxd streams a ``chunked=true`` answer as thousands of small HTTP chunks
(one about every 2 KB). ``httpx`` turns each into an event through ``h11``
and ``httpcore``, about a third of the client CPU of a raw read (0.34 s of
CPU against 0.22 s per 300,000 rows of msgpack on one machine). Here the
body is read in pieces of up to ``PIECE`` bytes by ``http.client``, which
joins the chunks itself.

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
