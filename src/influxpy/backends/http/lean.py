"""A lean sync POST for writes: ``http.client``'s parser on pooled sockets.

A write is the hot path of the client: each 5,000-point request through
``httpx`` costs about twice the client CPU of ``http.client`` (its layers
copy and check the body and the answer several times over). The request
is still built by ``httpx`` (its URL, headers and authentication), and the
answer becomes an ``httpx.Response``, so retries, the errors naming the
server's message and credential scrubbing (``sending.py``) see what they
see from ``httpx``. Failures on the wire are raised as the ``httpx``
errors ``httpcore`` raises for them (``ConnectError``, ``ReadTimeout``,
``RemoteProtocolError``…), with the same text.

Used only for plain ``http://`` URLs, without a custom transport and
without proxies; anything else goes through ``httpx``.
"""

from __future__ import annotations

import http.client
import logging
import select
import socket
import threading
from collections.abc import Callable
from typing import Any

import httpx

__all__ = ["LeanPool"]

logger = logging.getLogger("httpx")


def _readable(sock: socket.socket) -> bool:
    """Whether *sock* has something to read (or was closed) right now.

    ``poll()`` where the system has it: ``select()`` refuses descriptors
    past 1023, which a program with many files open gives out.
    """
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([sock], [], [], 0)[0])


def log_exchange(request: httpx.Request, url: Any, answer: httpx.Response) -> None:
    """Log the exchange on httpx's logger, as httpx's own client logs it."""
    if logger.isEnabledFor(logging.INFO):
        logger.info(
            'HTTP Request: %s %s "HTTP/1.1 %d %s"',
            request.method,
            url,
            answer.status_code,
            answer.reason_phrase,
        )


class LeanPool:
    """Keep-alive sockets to one ``host:port`` and the POSTs sent on them.

    Each ``post()`` takes an idle socket (one the server closed meanwhile
    is dropped) or opens one, and gives it back once the answer is read
    unless either side asked to close it. Safe to use from several threads:
    each request has its own socket.
    """

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host = host
        self.port = port
        self.timeout = timeout
        self._idle: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False

    def close(self) -> None:
        """Close the idle sockets; those in use close when their request ends."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for sock in idle:
            sock.close()

    def _checkout(self) -> socket.socket:
        while True:
            with self._lock:
                sock = self._idle.pop() if self._idle else None
            if sock is None:
                return self._connect()
            # An idle keep-alive socket that is readable was closed by the
            # server (or holds junk): drop it, as httpcore does.
            if _readable(sock):
                sock.close()
                continue
            return sock

    def _connect(self) -> socket.socket:
        try:
            sock = socket.create_connection((self.host, self.port), self.timeout)
        except TimeoutError as exc:
            raise httpx.ConnectTimeout(str(exc)) from None
        except OSError as exc:
            raise httpx.ConnectError(str(exc)) from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock

    def _checkin(self, sock: socket.socket) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(sock)
                return
        sock.close()

    def post(
        self,
        request: httpx.Request,
        trace: Callable[[str, dict[str, Any]], None] | None = None,
    ) -> httpx.Response:
        """Send *request* (a POST with its content read) and return the
        answer, read whole. *trace* hears ``http11.send_request_body.complete``
        once the body is out, as with ``httpx``'s trace extension.
        """
        url = request.url
        head = [f"{request.method} {url.raw_path.decode('ascii')} HTTP/1.1"]
        head.extend(
            f"{name.decode('latin-1')}: {value.decode('latin-1')}"
            for name, value in request.headers.raw
        )
        head.append("\r\n")
        head_bytes = "\r\n".join(head).encode("latin-1")
        body = request.content
        sock = self._checkout()
        try:
            response = self._exchange(sock, head_bytes, body, trace)
        except BaseException:
            sock.close()
            raise
        if response.will_close:
            sock.close()
        else:
            self._checkin(sock)
        answer = httpx.Response(
            response.status,
            headers=response.getheaders(),
            stream=httpx.ByteStream(response.data),
            request=request,
        )
        answer.read()
        log_exchange(request, url, answer)
        return answer

    @staticmethod
    def _exchange(
        sock: socket.socket,
        head: bytes,
        body: bytes,
        trace: Callable[[str, dict[str, Any]], None] | None,
    ) -> _Answer:
        try:
            # One write of head and body: with the head sent on its own,
            # writes to influxd measured slower here (noisy runs, but every
            # one of four), and the copy of the body costs next to nothing.
            sock.sendall(head + body)
        except TimeoutError as exc:
            raise httpx.WriteTimeout(str(exc)) from None
        except OSError as exc:
            raise httpx.WriteError(str(exc)) from None
        if trace is not None:
            trace("http11.send_request_body.complete", {})
        response = http.client.HTTPResponse(sock, method="POST")
        try:
            response.begin()
            data = response.read()
        except TimeoutError as exc:
            raise httpx.ReadTimeout(str(exc)) from None
        except http.client.RemoteDisconnected:
            msg = "Server disconnected without sending a response."
            raise httpx.RemoteProtocolError(msg) from None
        except (http.client.HTTPException, ValueError) as exc:
            raise httpx.RemoteProtocolError(str(exc) or type(exc).__name__) from None
        except OSError as exc:
            raise httpx.ReadError(str(exc)) from None
        finally:
            response.close()
        return _Answer(response.status, response.getheaders(), data, response)


class _Answer:
    """What ``_exchange()`` read: status, headers, body, and whether the
    socket must be closed."""

    __slots__ = ("data", "headers", "status", "will_close")

    def __init__(
        self,
        status: int,
        headers: list[tuple[str, str]],
        data: bytes,
        response: http.client.HTTPResponse,
    ) -> None:
        self.status = status
        self.headers = headers
        self.data = data
        self.will_close = bool(response.will_close)

    def getheaders(self) -> list[tuple[str, str]]:
        """The answer's headers, in order."""
        return self.headers
