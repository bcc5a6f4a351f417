"""Writing batches of line protocol to InfluxDB's HTTP API, sync and async.

Writes send nanosecond line protocol without a ``precision`` parameter,
gzip-compressed unless ``gzip=false``, and overlap encoding the next batch
with the request in flight; the server sees the batches one at a time, in
order.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import importlib
import threading
import time
from collections import deque
from collections.abc import (
    AsyncIterable,
    AsyncIterator,
    Callable,
    Iterable,
    Sequence,
)
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Protocol, cast

from influxpy._logging import note_batch
from influxpy._utils import achunks, chunks
from influxpy.backends.http.frame_bodies import frame_bodies, frame_lane_bodies
from influxpy.backends.http.lanes import WriteLanes
from influxpy.backends.http.lanes import made as _made
from influxpy.backends.http.sending import HTTPRequests
from influxpy.backends.written import (
    DEFAULT_BATCH_SIZE,
    counting_written,
    frame_line_batches,
    lines_of,
    note_written,
)
from influxpy.lineprotocol.body_lines import BodyLines
from influxpy.lineprotocol.encoder import Encoder, Piece, joined

if TYPE_CHECKING:
    from influxpy._types import Measurement

__all__ = ["GZIP_ENGINES", "HTTPWrites", "WriteLanes", "gzip_compressor"]


#: Deflate engines for write bodies, fastest first: python-isal (the
#: ``gzip`` extra) and zlib-ng where installed, else the standard library.
GZIP_ENGINES = ("isal", "zlib-ng", "zlib")
#: Compression level by engine, chosen with ``benchmarks/write.py``'s table:
#: on a shared CPU, level 1 costs the least client time per point sent for
#: every engine (isal's level 1 also compresses better than zlib's level 6).
GZIP_LEVELS = {"isal": 1, "zlib-ng": 1, "zlib": 1}


def gzip_compressor(engine: str | None = None) -> Callable[[bytes], bytes]:
    """A function gzip-compressing a write body with *engine*.

    ``None`` picks the fastest installed engine in ``GZIP_ENGINES``. Each
    gives a standard gzip member InfluxDB reads; only speed and size differ.
    Raises ``ValueError`` for an unknown or uninstalled engine.
    """
    if engine is None:
        for name in GZIP_ENGINES:
            with contextlib.suppress(ValueError):
                return gzip_compressor(name)
    level = GZIP_LEVELS.get(engine or "")
    if engine == "zlib" and level is not None:
        return functools.partial(gzip.compress, compresslevel=level)
    module = {"isal": "isal.igzip", "zlib-ng": "zlib_ng.gzip_ng"}.get(engine or "")
    if module is None or level is None:
        names = ", ".join(GZIP_ENGINES)
        msg = f"Unknown gzip engine {engine!r}; engines are: {names}."
        raise ValueError(msg)
    try:
        compress = importlib.import_module(module).compress
    except ImportError:
        msg = (
            f"The gzip engine {engine!r} is not installed; install it with "
            f"pip install influxpy-orm[gzip] (python-isal) or use 'zlib'."
        )
        raise ValueError(msg) from None
    return cast(
        "Callable[[bytes], bytes]", functools.partial(compress, compresslevel=level)
    )


def _setting(event: threading.Event | asyncio.Event) -> Callable[[Any], None]:
    """A callback that sets *event* when a future is done, whatever its end."""

    def set_event(_future: Any) -> None:
        event.set()

    return set_event


class _Signal(Protocol):
    """What is told that a request's body is out: ``set()``."""

    def set(self) -> None:
        """Say the body is out."""


class _LoopSignal:
    """Sets an ``asyncio.Event`` of *loop* from another thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
        self._loop = loop
        self._event = event

    def set(self) -> None:
        """Set the event in its loop's thread."""
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            self._loop.call_soon_threadsafe(self._event.set)


#: What encodes a batch: its lines, or its body and lines.
_Encode = Callable[[Any], "list[str] | tuple[bytes, Sequence[str]]"]


class HTTPWrites(HTTPRequests):
    """Writes of ``HTTPBackend``: batches posted to ``/write`` by one writer
    thread (or task), one in flight while the next is encoded.
    """

    _pool: ThreadPoolExecutor | None
    #: ``write()`` and ``write_frame()`` take ``concurrency``.
    parallel_writes = True
    #: Compresses write bodies when gzip is on (``gzip_compressor()``).
    gzip_compress: Callable[[bytes], bytes] = staticmethod(gzip_compressor())

    def _executor(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="influxpy-write")
            return self._pool

    def _write_request(
        self, body: bytes, database: str, retention_policy: str | None
    ) -> dict[str, Any]:
        """The parameters, body and headers of a ``/write`` request; *body*
        comes from ``_encode_body()``, compressed already when gzip is on."""
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if self._gzip:
            headers["Content-Encoding"] = "gzip"
        params = {"db": database}
        rp = retention_policy or self.options.rp
        if rp:
            params["rp"] = rp
        return {"params": params, "content": body, "headers": headers}

    def _encode_body(self, encode: _Encode, batch: Any) -> tuple[bytes, Sequence[str]]:
        """The body of a batch's request (gzip-compressed when gzip is on)
        and its lines.

        *encode* gives the batch's lines, or its body already joined and
        its lines (``frame_bodies()``). Called where the batch is encoded,
        while the server works on the batch before: compressing in the
        thread that sends would leave the server idle meanwhile.
        """
        made = encode(batch)
        if isinstance(made, tuple):
            body, lines = made
        else:
            lines = made
            body = "\n".join(made).encode("utf-8", "surrogatepass")
        note_batch(len(body))
        if self._gzip:
            body = self.gzip_compress(body)
        return body, lines

    def _post_body(
        self,
        body: bytes,
        lines: Sequence[str],
        database: str,
        retention_policy: str | None,
        written: int,
        sent: _Signal | None = None,
    ) -> None:
        request = self._write_request(body, database, retention_policy)
        if sent is not None:

            def trace(event: str, _info: object) -> None:
                if event == "http11.send_request_body.complete":
                    sent.set()

            request["extensions"] = {"trace": trace}
        self._send(
            "POST", "/write", **request, database=database, lines=lines, written=written
        )

    async def _apost_body(
        self,
        body: bytes,
        lines: Sequence[str],
        database: str,
        retention_policy: str | None,
        written: int,
        sent: asyncio.Event | None = None,
    ) -> int:
        """Post a body from the event loop and return its count of lines.

        Where writes take the lean path (``lean.py``: a plain URL, no custom
        transport), the sync request runs in a worker thread: the loop then
        spends one turn on it instead of the many short ones of ``httpx``'s
        async client (each a wait behind whatever else the loop runs).
        """
        if self._async_transport is None and self._lean_pool() is not None:
            loop = asyncio.get_running_loop()
            signal = None if sent is None else _LoopSignal(loop, sent)
            await asyncio.to_thread(
                self._post_body,
                body,
                lines,
                database,
                retention_policy,
                written,
                signal,
            )
            return len(lines)
        request = self._write_request(body, database, retention_policy)
        if sent is not None:

            async def trace(event: str, _info: object) -> None:
                if event == "http11.send_request_body.complete":
                    sent.set()

            request["extensions"] = {"trace": trace}
        await self._asend(
            "POST", "/write", **request, database=database, lines=lines, written=written
        )
        return len(lines)

    def _write_batches(
        self,
        batches: Iterable[Any],
        encode: _Encode,
        database: str | None,
        retention_policy: str | None,
        concurrency: int = 1,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Encode the next batch while the server works on the one in flight.

        One writer thread sends the batches in order, so the server sees them
        one at a time, as written; at most two encoded batches wait, so
        memory stays flat. After a failure no later batch is sent, and the
        count of points written is exact: any error leaving carries it
        (``note_written()``). The first batch, often the only one
        (``save()``, the batch writer), is sent from the calling thread: no
        hand-over, and no executor, which refuses work once the interpreter
        is exiting. With *concurrency* above 1 the lines go to that many
        lanes by series (``_write_lanes()``).
        """
        db = self.resolve_database(database)
        self.check_open()
        state = {"written": 0, "failed": False}
        with counting_written(lambda: int(state["written"])):
            if concurrency > 1:
                lanes = WriteLanes(self, db, retention_policy, concurrency, batch_size)
                return lanes.run(batches, encode, state)
            return self._write_each(batches, encode, db, retention_policy, state)

    def _write_lanes(
        self,
        objs: Iterable[Any],
        lanes_of: Callable[[list[Any], int], list[Piece]] | None,
        database: str | None,
        retention_policy: str | None,
        concurrency: int,
        batch_size: int,
    ) -> int:
        """``_write_batches()`` with *concurrency* lanes, for model instances
        the compiled encoder routes (``WriteLanes.run_objects()``) or, with
        no *lanes_of*, bodies routed already (``WriteLanes.run_bodies()``)."""
        db = self.resolve_database(database)
        self.check_open()
        state = {"written": 0, "failed": False}
        with counting_written(lambda: int(state["written"])):
            lanes = WriteLanes(self, db, retention_policy, concurrency, batch_size)
            if lanes_of is None:
                return lanes.run_bodies(objs, state)
            return lanes.run_objects(objs, lanes_of, state)

    def _write_each(
        self,
        batches: Iterable[Any],
        encode: _Encode,
        db: str,
        retention_policy: str | None,
        state: dict[str, Any],
    ) -> int:
        """The body of ``_write_batches()``, which counts into *state*."""

        def post(
            body: bytes, lines: Sequence[str], sent: threading.Event | None = None
        ) -> None:
            if state["failed"]:
                return
            try:
                self._post_body(
                    body, lines, db, retention_policy, int(state["written"]), sent
                )
            except BaseException:
                state["failed"] = True
                raise
            state["written"] += len(lines)

        pending: deque[tuple[Future[None], threading.Event]] = deque()
        try:
            for number, batch in enumerate(batches):
                body, lines = self._encode_body(encode, batch)
                if number == 0:
                    post(body, lines)
                    continue
                sent = threading.Event()
                future = self._executor().submit(post, body, lines, sent)
                future.add_done_callback(_setting(sent))
                pending.append((future, sent))
                while len(pending) > 1:
                    pending.popleft()[0].result()
                # Encode the next batch once this one's body is out, while the
                # server works on it: encoding during the send would hold the
                # GIL the writer thread needs to send it.
                pending[0][1].wait()
            while pending:
                pending.popleft()[0].result()
        finally:
            # An error while encoding or sending: no new batch is sent, and the
            # one in flight finishes so the count of written points is true.
            state["failed"] = state["failed"] or bool(pending)
            wait([future for future, _sent in pending])
        return int(state["written"])

    def write(
        self,
        model: type[Measurement],
        objs: Iterable[Measurement],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        concurrency: int = 1,
    ) -> int:
        """Encode and write model instances; return how many were written.

        *concurrency* above 1 keeps that many requests in flight, on as many
        connections; the points of one series go through one of them, in
        order (see ``WriteLanes``).
        """
        # Encoded a few hundred at a time (Encoder.lines()): a generator's
        # instances then die young instead of burdening the garbage collector.
        encoder = model._meta.encoder
        if encoder.compiled and concurrency > 1:
            # Lines routed to the lanes by the compiled encoder, in bodies.
            return self._write_lanes(
                objs, encoder.lanes, database, retention_policy, concurrency, batch_size
            )
        if encoder.compiled:
            # Bodies joined by the compiled encoder, without a string per line.
            return self._write_batches(
                encoder.bodies(objs, batch_size),
                _made,
                database,
                retention_policy,
                concurrency,
                batch_size,
            )
        return self._write_batches(
            chunks(encoder.lines(objs, batch_size), batch_size),
            list,
            database,
            retention_policy,
            concurrency,
            batch_size,
        )

    def write_lines(
        self,
        lines: Iterable[str] | str,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        concurrency: int = 1,
    ) -> int:
        """Write ready-made line-protocol lines; return how many were written.

        Lines a batch writer cut as one body (``BodyLines``) are sent as
        that body when they fit in one batch.
        """
        lines = lines_of(lines)
        if isinstance(lines, BodyLines) and len(lines) <= batch_size:
            return self._write_batches(
                [(lines.body, lines)],
                _made,
                database,
                retention_policy,
                concurrency,
                batch_size,
            )
        return self._write_batches(
            chunks(lines, batch_size),
            list,
            database,
            retention_policy,
            concurrency,
            batch_size,
        )

    def write_frame(
        self,
        model: type[Measurement],
        frame: Any,
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        concurrency: int = 1,
    ) -> int:
        """Write a pandas DataFrame of *model*'s points; return how many.

        As the default, with *concurrency* as in ``write()``. With one lane,
        a frame whose tags are strings is written as bodies joined in C
        (``frame_bodies.py``).
        """
        if concurrency > 1:
            routed = frame_lane_bodies(model, frame, batch_size, concurrency)
            if routed is not None:
                return self._write_lanes(
                    routed, None, database, retention_policy, concurrency, batch_size
                )
        bodies = frame_bodies(model, frame, batch_size) if concurrency <= 1 else None
        if bodies is not None:
            return self._write_batches(
                bodies, _made, database, retention_policy, concurrency, batch_size
            )
        return self._write_batches(
            frame_line_batches(model, frame, batch_size),
            list,
            database,
            retention_policy,
            concurrency,
            batch_size,
        )

    async def _awrite_batches(
        self,
        batches: AsyncIterator[Any],
        encode: _AEncode,
        database: str | None,
        retention_policy: str | None,
    ) -> int:
        """Async form of ``_write_batches()``: in order, one batch in flight.

        Batches are encoded on the event loop, ``_AENCODE_PIECE`` objects
        at a time with a turn of the loop between pieces, so the loop stays
        free and the batch in flight goes on meanwhile (a worker thread
        would hold the GIL the loop needs at each step of the request).
        Gzip compression, one call on a whole body, runs in a worker
        thread. Any error leaving carries the count of points written
        (``note_written()``).
        """
        db = self.resolve_database(database)
        self.check_open()
        written = 0
        in_flight: asyncio.Task[int] | None = None
        try:
            async for batch in batches:
                ready = await _aencode(encode, batch)
                how = _made if isinstance(ready, tuple) else list
                if self._gzip:
                    body, lines = await asyncio.to_thread(self._encode_body, how, ready)
                else:
                    # Ready lines only need joining, which is quick: no thread.
                    body, lines = self._encode_body(how, ready)
                if in_flight is not None:
                    task, in_flight = in_flight, None
                    written += await task
                sent = asyncio.Event()
                in_flight = asyncio.ensure_future(
                    self._apost_body(body, lines, db, retention_policy, written, sent)
                )
                in_flight.add_done_callback(_setting(sent))
                # As in _write_batches(): the next batch is encoded in a thread
                # once this one's body is out, not while the loop sends it.
                await sent.wait()
            if in_flight is not None:
                task, in_flight = in_flight, None
                written += await task
        except BaseException as error:
            if in_flight is not None:
                # An error while encoding: the batch in flight still finishes,
                # and counts if it was written.
                await asyncio.wait([in_flight])
                if not in_flight.cancelled() and in_flight.exception() is None:
                    written += in_flight.result()
            note_written(error, written)
            raise
        return written

    async def awrite(
        self,
        model: type[Measurement],
        objs: Iterable[Measurement] | AsyncIterable[Measurement],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Async form of ``write()``; *objs* may also be an async iterable.

        With the compiled encoder each batch is a body made without a string
        per line, as in ``write()``."""
        encoder = model._meta.encoder
        return await self._awrite_batches(
            achunks(objs, batch_size),
            encoder if encoder.compiled else encoder.encode_many,
            database,
            retention_policy,
        )

    async def awrite_lines(
        self,
        lines: Iterable[str] | AsyncIterable[str],
        *,
        database: str | None = None,
        retention_policy: str | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> int:
        """Async form of ``write_lines()``; *lines* may be an async iterable."""
        if isinstance(lines, BodyLines) and len(lines) <= batch_size:
            return await self._awrite_batches(
                _one((lines.body, lines)), _made, database, retention_policy
            )
        return await self._awrite_batches(
            achunks(lines, batch_size), list, database, retention_policy
        )


#: How ``_awrite_batches()`` encodes a batch (see ``_aencode()``).
_AEncode = Callable[[Any], Any] | Encoder


async def _one(item: Any) -> AsyncIterator[Any]:
    """*item* as the only batch of an async iterator."""
    yield item


#: Objects ``_awrite_batches()`` encodes between two turns of the loop
#: (about a third of a millisecond of encoding).
_AENCODE_PIECE = 512


async def _aencode(encode: _AEncode, batch: list[Any]) -> Any:
    """*batch* as ``_awrite_batches()`` takes it: lines as they are (*encode*
    is ``list``), or encoded ``_AENCODE_PIECE`` objects at a time with a turn
    of the event loop between pieces: lines by a function of a piece, or,
    with the compiled ``Encoder``, a body and its lines (the bytes and errors
    of the lines joined)."""
    if encode is list or encode is _made:
        return batch
    if isinstance(encode, Encoder):
        pieces = []
        for start in range(0, len(batch), _AENCODE_PIECE):
            if start:
                # The thread sending the batch before takes the GIL if it
                # waits for it, then the loop has a turn.
                time.sleep(0)
                await asyncio.sleep(0)
            pieces.append(encode.piece(batch[start : start + _AENCODE_PIECE]))
        return joined(pieces)
    if len(batch) <= _AENCODE_PIECE:
        return encode(batch)
    lines: list[str] = []
    for start in range(0, len(batch), _AENCODE_PIECE):
        if start:
            await asyncio.sleep(0)
        lines.extend(encode(batch[start : start + _AENCODE_PIECE]))
    return lines
