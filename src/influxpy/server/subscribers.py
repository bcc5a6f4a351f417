"""Subscriptions served: copies of the writes ``influxpy serve`` takes, sent to
the destinations of the subscriptions on their database and policy, as
influxd 1.6.7's subscriber service sends them.

Each ``/write`` (and Prometheus remote write) body the engine took is
queued; a thread of its own sends it to every destination of a
subscription in ``ALL`` mode and to the next one in turn in ``ANY`` mode.
An ``http``/``https`` destination gets ``POST <url>/write`` with the
request's ``db``, ``rp`` (the policy written to) and ``precision``; a
``udp`` one gets the lines in datagrams of at most 64 KB, split between
lines, when their times are nanoseconds (a UDP listener has no precision
parameter: a body of another precision is counted as a failed write). As
on influxd, sending is best effort: a full queue (100 bodies) or a failed
send loses that copy and counts a write failure; the write itself is
never held up nor refused. ``SHOW STATS`` reports the counts in the
``subscriber`` series (``pointsWritten``, ``writeFailures``).

Writes made to the engine by other means than the server (the library in
another process holding the file, which the server's lock prevents) are
not copied.
"""

from __future__ import annotations

import queue
import socket
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from influxpy.backends.base import Backend

__all__ = ["Subscribers"]

#: Bodies waiting to be sent (influxd's channel holds 100 requests).
QUEUE_SIZE = 100
#: The largest UDP datagram sent.
_DATAGRAM = 64_000
#: Seconds an HTTP destination has to answer (influxd's default: 30 s).
HTTP_TIMEOUT = 30.0
_NANOSECONDS = ("", "n", "ns")


class _Copy:
    """One write to send: its database, policy, body and precision."""

    def __init__(self, database: str, rp: str, body: bytes, precision: str) -> None:
        self.database = database
        self.rp = rp
        self.body = body
        self.precision = precision
        self.points = sum(
            1
            for line in body.split(b"\n")
            if line.strip() and not line.lstrip().startswith(b"#")
        )


class Subscribers:
    """The subscriber service of ``influxpy serve`` (module docstring)."""

    def __init__(self, backend: Backend, *, timeout: float = HTTP_TIMEOUT) -> None:
        self._backend = backend
        self._timeout = timeout
        self._queue: queue.Queue[_Copy | None] = queue.Queue(QUEUE_SIZE)
        self._lock = threading.Lock()
        self._points_written = 0
        self._write_failures = 0
        #: The next destination of each ``ANY`` subscription.
        self._turns: dict[tuple[str, str, str], int] = {}
        #: The stored subscriptions, read again after a statement that may
        #: change them (``changed()``).
        self._known: list[tuple[str, str, str, str, list[str]]] | None = None
        self._client: Any = None
        self._thread = threading.Thread(
            target=self._run, name="influxpy-subscribers", daemon=True
        )
        self._thread.start()

    def statistics(self) -> tuple[int, int]:
        """``(pointsWritten, writeFailures)`` since the server started."""
        with self._lock:
            return self._points_written, self._write_failures

    def changed(self) -> None:
        """Read the subscriptions again before the next write (a statement
        that may have changed them ran)."""
        with self._lock:
            self._known = None

    def _subscriptions(self) -> list[tuple[str, str, str, str, list[str]]]:
        with self._lock:
            known = self._known
        if known is None:
            read = getattr(self._backend, "subscriptions", None)
            known = list(read()) if read is not None else []
            with self._lock:
                self._known = known
        return known

    def offer(
        self, database: str, rp: str | None, body: bytes, precision: str | None
    ) -> None:
        """Queue a copy of a write the engine took (dropped when the queue
        is full or no subscription names its database)."""
        if not any(db == database for db, *_rest in self._subscriptions()):
            return
        # The engine's default policy comes from its catalog state, with no
        # statement run (this is on every write to a subscribed database).
        engine: Any = self._backend
        policy = rp or engine.default_retention_policy(database)
        try:
            self._queue.put_nowait(_Copy(database, policy, body, precision or ""))
        except queue.Full:
            self._failed()

    def close(self, wait: float = 5.0) -> None:
        """Send what is queued (for at most *wait* seconds), then stop."""
        try:
            self._queue.put(None, timeout=wait)
        except queue.Full:
            pass
        self._thread.join(wait)
        if self._client is not None:
            self._client.close()

    # -- the sending thread ----------------------------------------------------

    def _run(self) -> None:
        while True:
            copy = self._queue.get()
            if copy is None:
                return
            try:
                self._send_all(copy)
            except Exception:  # best effort, as influxd: never stop sending
                self._failed()

    def _send_all(self, copy: _Copy) -> None:
        for db, rp, name, mode, destinations in self._subscriptions():
            if db != copy.database or rp != copy.rp or not destinations:
                continue
            if mode == "ANY":
                key = (db, rp, name)
                turn = self._turns.get(key, 0) % len(destinations)
                self._turns[key] = turn + 1
                destinations = [destinations[turn]]
            for url in destinations:
                if self._send(url, copy):
                    with self._lock:
                        self._points_written += copy.points
                else:
                    self._failed()

    def _failed(self) -> None:
        with self._lock:
            self._write_failures += 1

    def _send(self, url: str, copy: _Copy) -> bool:
        parts = urlsplit(url)
        if parts.scheme == "udp":
            return self._send_udp(parts.netloc, copy)
        import httpx

        if self._client is None:
            self._client = httpx.Client(timeout=self._timeout)
        path = parts.path.rstrip("/") + "/write"
        target = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        params = {"db": copy.database, "rp": copy.rp}
        if copy.precision:
            params["precision"] = copy.precision
        try:
            response = self._client.post(target, params=params, content=copy.body)
        except httpx.HTTPError:
            return False
        return bool(response.status_code == 204)

    def _send_udp(self, netloc: str, copy: _Copy) -> bool:
        if copy.precision not in _NANOSECONDS:
            return False
        host, _colon, port = netloc.rpartition(":")
        host = host.strip("[]")
        try:
            family = socket.getaddrinfo(host, int(port), type=socket.SOCK_DGRAM)[0]
            with socket.socket(family[0], socket.SOCK_DGRAM) as sock:
                for datagram in _datagrams(copy.body):
                    sock.sendto(datagram, family[4])
        except OSError:
            return False
        return True


def _datagrams(body: bytes) -> list[bytes]:
    """*body*'s lines in pieces of at most ``_DATAGRAM`` bytes (a longer line
    alone)."""
    out: list[bytes] = []
    piece = bytearray()
    for line in body.split(b"\n"):
        if not line:
            continue
        if piece and len(piece) + 1 + len(line) > _DATAGRAM:
            out.append(bytes(piece))
            piece = bytearray()
        if piece:
            piece += b"\n"
        piece += line
    if piece:
        out.append(bytes(piece))
    return out
