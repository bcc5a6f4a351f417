"""Parallel writes over the HTTP API: lines routed by series key to lanes,
each a thread with its own connection posting its batches in order."""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from itertools import compress, islice, repeat
from operator import itemgetter
from typing import Any, Protocol

from influxpy.lineprotocol.encoder import Piece, joined

__all__ = ["WriteLanes", "made"]

#: Objects of a generator taken at a time (as ``Encoder.lines()`` does).
_CHUNK = 256

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


#: Hands lane N a batch's body and lines (``WriteLanes._run()``).
_Hand = Callable[[int, tuple[bytes, Sequence[str]]], None]


def made(batch: tuple[bytes, Sequence[str]]) -> tuple[bytes, Sequence[str]]:
    """A batch made by ``frame_bodies()``, ``Encoder.bodies()`` or
    ``joined()``: its body and lines as they are (the encode of
    ``_encode_body()`` for batches made already)."""
    return batch


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

        def feed(hand: _Hand) -> None:
            count = self.concurrency
            size = self.batch_size
            buffers: list[list[str]] = [[] for _ in range(count)]
            for batch in batches:
                lines = encode(batch)
                if isinstance(lines, tuple):  # a body: WriteLanes takes lines
                    lines = list(lines[1])
                for buffer, routed in zip(buffers, _route(lines, count), strict=True):
                    buffer.extend(routed)
                for lane, buffer in enumerate(buffers):
                    while len(buffer) >= size and not state["failed"]:
                        hand(lane, self.backend._encode_body(list, buffer[:size]))
                        del buffer[:size]
                if state["failed"]:
                    return
            for lane, buffer in enumerate(buffers):
                if buffer and not state["failed"]:
                    hand(lane, self.backend._encode_body(list, buffer))

        return self._run(feed, state)

    def run_objects(
        self,
        objs: Iterable[Any],
        lanes_of: Callable[[list[Any], int], list[Piece]],
        state: dict[str, Any],
    ) -> int:
        """Like ``run()``, for model instances the compiled encoder routes
        itself (``Encoder.lanes()``): no string per line. Each lane's lines
        are cut into bodies of exactly *batch_size* lines (the last fewer),
        so the objects are taken a piece at a time, never more than the
        fullest lane has room for."""

        def body(lane_pieces: list[Piece]) -> tuple[bytes, Sequence[str]]:
            return self.backend._encode_body(made, joined(lane_pieces))

        def feed(hand: _Hand) -> None:
            count = self.concurrency
            size = self.batch_size
            pieces: list[list[Piece]] = [[] for _ in range(count)]
            filled = [0] * count
            listed = objs if isinstance(objs, list | tuple) else None
            iterator = iter(objs)
            taken = 0
            while not state["failed"]:
                room = size - max(filled)
                if listed is not None:
                    chunk = list(listed[taken : taken + room])
                    taken += len(chunk)
                else:
                    # A generator's objects die young (see Encoder.lines()).
                    chunk = list(islice(iterator, min(room, _CHUNK)))
                if not chunk:
                    break
                for lane, piece in enumerate(lanes_of(chunk, count)):
                    if not piece[2]:
                        continue
                    pieces[lane].append(piece)
                    filled[lane] += piece[2]
                    if filled[lane] == size:
                        hand(lane, body(pieces[lane]))
                        pieces[lane], filled[lane] = [], 0
            for lane in range(count):
                if pieces[lane] and not state["failed"]:
                    hand(lane, body(pieces[lane]))

        return self._run(feed, state)

    def run_bodies(
        self,
        bodies: Iterable[tuple[int, tuple[bytes, Sequence[str]]]],
        state: dict[str, Any],
    ) -> int:
        """Like ``run()``, for bodies made and routed already: each with the
        lane that posts it (``frame_lane_bodies()``)."""

        def feed(hand: _Hand) -> None:
            for lane, body in bodies:
                if state["failed"]:
                    return
                hand(lane, self.backend._encode_body(made, body))

        return self._run(feed, state)

    def _run(self, feed: Callable[[_Hand], None], state: dict[str, Any]) -> int:
        """Start the lanes, let *feed* hand them their bodies, and wait for
        them; raise the first error a lane met."""
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

        def hand(lane: int, made: tuple[bytes, Sequence[str]]) -> None:
            self._hand_over(inboxes[lane], made)

        try:
            feed(hand)
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

    def _hand_over(self, inbox: _Inbox, made: tuple[bytes, Sequence[str]]) -> None:
        """Give a lane its next batch (its body and lines), and return once
        the body is out.

        As in ``_write_batches()``: encoding on while a lane sends would
        hold the GIL its thread needs at each step of the request, so the
        calling thread encodes while the server works instead.
        """
        body, lines = made
        sent = threading.Event()
        inbox.put((body, lines, sent))
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
