"""A fault-injecting TCP proxy on 127.0.0.1 for HTTP/1.1 requests.

``CuttingProxy`` forwards requests to a real server, one at a time per
connection, and after ``allow`` requests cuts the connections: the request
that comes next is never forwarded, its connection is reset, and every new
connection is reset as soon as it is accepted. The server behind it is
real; only the loss of the connection is made up.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from types import TracebackType

_HEAD_END = b"\r\n\r\n"


def _reset(sock: socket.socket) -> None:
    """Close *sock* with a TCP reset rather than an orderly shutdown."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


class _Reader:
    """Buffered reads from a socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        self.buffer += data
        return bool(data)

    def until(self, marker: bytes) -> bytes | None:
        while marker not in self.buffer:
            if not self._fill():
                return None
        end = self.buffer.index(marker) + len(marker)
        data, self.buffer = self.buffer[:end], self.buffer[end:]
        return data

    def exactly(self, count: int) -> bytes | None:
        while len(self.buffer) < count:
            if not self._fill():
                return None
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data


def _length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value.strip())
    return 0


def _chunked(head: bytes) -> bool:
    return b"transfer-encoding: chunked" in head.lower()


def _message(reader: _Reader) -> bytes | None:
    """One whole HTTP/1.1 message (head and body), or None at EOF."""
    head = reader.until(_HEAD_END)
    if head is None:
        return None
    if not _chunked(head):
        body = reader.exactly(_length(head))
        return None if body is None else head + body
    parts = [head]
    while True:
        size_line = reader.until(b"\r\n")
        if size_line is None:
            return None
        size = int(size_line.split(b";")[0], 16)
        chunk = reader.exactly(size + 2)
        if chunk is None:
            return None
        parts += [size_line, chunk]
        if size == 0:
            return b"".join(parts)


class CuttingProxy:
    """Forward ``allow`` requests to ``127.0.0.1:upstream_port``, then cut."""

    def __init__(self, upstream_port: int, allow: int) -> None:
        self.upstream_port = upstream_port
        self.allow = allow
        self.forwarded = 0
        self.refused = 0
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.port: int = self._listener.getsockname()[1]
        self._closed = False
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, daemon=True)
        self._accepter.start()

    def __enter__(self) -> CuttingProxy:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._listener.close()
        self._accepter.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)

    def _cut(self) -> bool:
        """Count one more request; whether it must be cut instead."""
        with self._lock:
            if self.forwarded >= self.allow:
                self.refused += 1
                return True
            self.forwarded += 1
            return False

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            with self._lock:
                cut = self.forwarded >= self.allow
            if cut:
                _reset(client)
                continue
            thread = threading.Thread(target=self._serve, args=(client,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        except OSError:
            _reset(client)
            return
        requests, answers = _Reader(client), _Reader(upstream)
        try:
            while True:
                request = _message(requests)
                if request is None or self._cut():
                    _reset(client)
                    return
                upstream.sendall(request)
                answer = _message(answers)
                if answer is None:
                    _reset(client)
                    return
                client.sendall(answer)
        except OSError:
            _reset(client)
        finally:
            with contextlib.suppress(OSError):
                upstream.close()
