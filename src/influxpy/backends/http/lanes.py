"""Parallel writes over the HTTP API: lines routed by series key to lanes,
each a thread with its own connection posting its batches in order."""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from itertools import compress, repeat
from operator import itemgetter
from typing import Any, Protocol

__all__ = ["WriteLanes"]

#: What encodes a batch: its lines, or its body and lines.
_Encode = Callable[[Any], "list[str] | tuple[bytes, Sequence[str]]"]


class _Sender(Protocol):
    """What a lane needs of the HTTP backend (``HTTPWrites``)."""

    def _encode_body(
        self, encode: _Encode, batch: Any
    ) -> tuple[bytes, Sequence[str]]: ...

    def _post_body(
        self,
        body: bytes,
        lines: Sequence[str],
        database: str,
        retention_policy: str | None,
        written: int,
        sent: threading.Event,
    ) -> None: ...


_ESCAPED_SERIES = re.compile(r"(?:[^ \\]|\\.)*")


def _series_of(line: str) -> str:
    """The series key of a line: all before the first unescaped space."""
    key = line.partition(" ")[0]
    if key.endswith("\\"):
        match = _ESCAPED_SERIES.match(line)
        key = match.group() if match else key
    return key


def _route(lines: list[str], count: int) -> list[list[str]]:
    """Split *lines* into *count* lists by series key, keeping their order
    (every line of one series lands in the same list). The work runs in C
    but for keys ending in an escaped space, which are read again."""
    keys = list(map(itemgetter(0), map(str.partition, lines, repeat(" "))))
    if any(map(str.endswith, keys, repeat("\\"))):
        keys = list(map(_series_of, lines))
    lanes = list(map(int.__mod__, map(hash, keys), repeat(count)))
    return [
        list(compress(lines, map(int.__eq__, lanes, repeat(i)))) for i in range(count)
    ]


#: What a lane receives: a body, its lines and the event set once it is
#: sent (or skipped); ``None`` to stop.
_Inbox = queue.Queue[tuple[bytes, Sequence[str], threading.Event] | None]


class WriteLanes:
    """Parallel writes: *concurrency* lanes, each a thread with its own
    connection posting its batches in order.

    Each line goes to the lane of its series key, so the points of one
    series reach the server in the order given (a later duplicate still
    wins), while the lanes' requests are in flight together. A lane sends
    *batch_size* lines a request. After a failure anywhere, or an error of
    the caller's iterable, no lane sends another batch; those in flight
    finish, and the count of points written stays exact.
    """

    def __init__(
        self,
        backend: _Sender,
        database: str,
        retention_policy: str | None,
        concurrency: int,
        batch_size: int,
    ) -> None:
        self.backend = backend
        self.database = database
        self.retention_policy = retention_policy
        self.concurrency = concurrency
        self.batch_size = batch_size
        self._lock = threading.Lock()
        self._errors: list[BaseException] = []

    def run(
        self,
        batches: Iterable[Any],
        encode: _Encode,
        state: dict[str, Any],
    ) -> int:
        """Encode *batches*, route their lines and write them; counts into
        *state* (``written``, ``failed``) and returns the count."""
        count = self.concurrency
        inboxes: list[_Inbox] = [queue.Queue(maxsize=1) for _ in range(count)]
        threads = [
            threading.Thread(
                target=self._lane,
                args=(inbox, state),
                name=f"influxpy-write-lane-{index}",
                daemon=True,
            )
            for index, inbox in enumerate(inboxes)
        ]
        for thread in threads:
            thread.start()
        buffers: list[list[str]] = [[] for _ in range(count)]
        size = self.batch_size
        try:
            for batch in batches:
                lines = encode(batch)
                if isinstance(lines, tuple):  # a body: WriteLanes takes lines
                    lines = list(lines[1])
                for buffer, routed in zip(buffers, _route(lines, count), strict=True):
                    buffer.extend(routed)
                for inbox, buffer in zip(inboxes, buffers, strict=True):
                    while len(buffer) >= size and not state["failed"]:
                        self._hand_over(inbox, buffer[:size])
                        del buffer[:size]
                if state["failed"]:
                    break
            for inbox, buffer in zip(inboxes, buffers, strict=True):
                if buffer and not state["failed"]:
                    self._hand_over(inbox, buffer)
        except BaseException:
            # The caller's iterable or the encoder failed: nothing more is sent.
            state["failed"] = True
            raise
        finally:
            for inbox in inboxes:
                inbox.put(None)
            for thread in threads:
                thread.join()
        if self._errors:
            raise self._errors[0]
        return int(state["written"])

    def _hand_over(self, inbox: _Inbox, lines: list[str]) -> None:
        """Give a lane its next batch, and return once the body is out.

        As in ``_write_batches()``: encoding on while a lane sends would
        hold the GIL its thread needs at each step of the request, so the
        calling thread encodes while the server works instead.
        """
        body, made = self.backend._encode_body(list, lines)
        sent = threading.Event()
        inbox.put((body, made, sent))
        sent.wait()

    def _lane(self, inbox: _Inbox, state: dict[str, Any]) -> None:
        """One lane: post each batch received, in order, until told to stop."""
        backend = self.backend
        while True:
            request = inbox.get()
            if request is None:
                return
            body, lines, sent = request
            if state["failed"]:
                sent.set()
                continue
            try:
                with self._lock:
                    written = int(state["written"])
                backend._post_body(
                    body, lines, self.database, self.retention_policy, written, sent
                )
            except BaseException as error:  # handed to the calling thread
                state["failed"] = True
                with self._lock:
                    self._errors.append(error)
                continue
            finally:
                sent.set()
            with self._lock:
                state["written"] += len(lines)
