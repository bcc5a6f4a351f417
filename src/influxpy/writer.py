"""Batch writers: take points one at a time, write them in batches, lose none.

``Model.series.batch_writer()`` returns a ``BatchWriter``, whose background
thread writes the batches; ``Model.series.abatch_writer()`` returns an
``AsyncBatchWriter``, whose background task does. Both writers:

- encode each point in ``add()``, so a point the line protocol cannot carry
  is refused there and then. An accepted point is a line of text that later
  changes to the instance do not affect; a point without a time gets the
  current time in its line, so sending it again writes the very same point;
- send a batch when it is full, when its oldest point has waited
  ``flush_interval`` seconds, on ``flush()``, on ``close()`` (the end of a
  ``with`` block) and at interpreter exit;
- write the batches in order, one at a time. A batch that fails for a
  reason that may pass (the store cannot be reached, answers 5xx or 429, or
  times out) is sent again after a backoff with jitter, for up to
  ``retry_timeout`` seconds, on top of the backend's own retries. Writing a
  point twice is harmless: InfluxDB keeps one point per series and time;
- make ``add()`` wait while ``max_pending`` full batches wait, so memory
  stays bounded when the store is slower than the producer;
- never drop a point silently: each batch given up on goes to
  ``on_error(exc, lines)``, and ``BatchWriteError`` is raised by the next
  ``add()``, ``flush()`` or ``close()``, or logged at interpreter exit.

The writers know nothing of HTTP or DuckDB: they send line protocol through
the backend's ``write_lines()`` and ``awrite_lines()``. What they share
(batching, bookkeeping, retries, writing out at exit) is ``_Writer`` in
``influxpy._writer_base``; here each only waits and sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Awaitable, Sequence, Sized
from typing import TYPE_CHECKING, Any

from influxpy._types import PointT
from influxpy._writer_base import (
    ErrorCallback,
    WriterOptions,
    _give_turn,
    _Writer,
)
from influxpy.exceptions import InterfaceError
from influxpy.lineprotocol.line_buffer import ATTENTION, PAUSE, PUSHED, REFUSED

if TYPE_CHECKING:
    from types import TracebackType
    from typing import Self

__all__ = ["AsyncBatchWriter", "BatchWriter", "ErrorCallback", "WriterOptions"]


class BatchWriter(_Writer[PointT]):
    """Write points in batches from a background thread.

    Get one from ``Model.series.batch_writer()``, use it as a context
    manager and ``add()`` points; see the module documentation for what
    it guarantees. ``written``, ``retried``, ``failed`` and ``pending``
    count points. ``add()`` may be called from several threads.
    """

    def _start(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        # add() is the buffer's own: a point's line goes in without a call
        # of Python code when nothing else is due (see line_buffer.py).
        self.__dict__["add"] = self._buffer.add
        self._thread = threading.Thread(
            target=self._work, name="influxpy-batch-writer", daemon=True
        )
        self._thread.start()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._leaving(exc):
            self.close()

    def add(self, point: PointT) -> None:
        """Accept *point* for writing, waiting while ``max_pending`` batches wait.

        Raises ``BatchWriteError`` for points given up on since the last
        call (before taking *point*), and ``FieldError`` or
        ``LineProtocolError`` when *point* cannot be written at all.
        """
        # The instance's add is the buffer's (see _start()): this runs only
        # when called through the class.
        self._buffer.add(point)

    def _attention(self) -> None:
        """The rare steps after a line went in, under the lock: the interval
        starts with the buffer's first line, and a full batch is queued. No
        lock for the common case."""
        with self._lock:
            buffer = self._buffer
            if self._closed:
                # Sealed with the buffer, or refused: the buffer takes no
                # line once closed.
                self._changed.notify_all()
                return
            self._started()
            if len(buffer) >= self.batch_size:
                while len(self._queue) >= self.max_pending:
                    self._changed.wait()
                if len(buffer) >= self.batch_size:
                    self._queue.append(self._cut(self.batch_size))
                self._changed.notify_all()

    def flush(self) -> None:
        """Send every accepted point and wait until each is written or given up on.

        Raises ``BatchWriteError`` for the points given up on.
        """
        with self._lock:
            self._seal()
            self._changed.notify_all()
            while self._queue or self._current is not None:
                self._changed.wait()
            self._raise_failures()

    def close(self) -> None:
        """Write every accepted point, stop the thread, and raise for failures.

        Closing twice is harmless.
        """
        with self._lock:
            self._closed = True
            self._gate()
            self._seal()
            self._changed.notify_all()
        if self._thread is not threading.current_thread():
            self._thread.join()
        self._forget()
        with self._lock:
            self._raise_failures()

    def _guard(self) -> contextlib.AbstractContextManager[Any]:
        return self._lock

    def _notify(self) -> None:
        self._changed.notify_all()

    def _close_at_exit(self) -> None:
        self.close()

    def close_for_backend(self) -> None:
        """Write out every accepted point because the backend closes."""
        self.close()

    async def aclose_for_backend(self) -> None:
        """Write out every accepted point because the backend closes (async)."""
        await asyncio.to_thread(self.close)

    def _work(self) -> None:
        while True:
            with self._lock:
                while (batch := self._take()) is None:
                    if self._finished():
                        return
                    self._changed.wait(self._idle_timeout())
            self._send(batch)


class AsyncBatchWriter(_Writer[PointT]):
    """Write points in batches from a background task (asyncio).

    Get one from ``Model.series.abatch_writer()``, use it with ``async
    with`` and ``await add()`` points; see the module documentation for
    what it guarantees. Use it from one event loop. If the loop ends
    without ``aclose()``, the task writes what is left as the loop shuts
    down (``asyncio.run()`` cancels it), and what is still left at
    interpreter exit is written with the sync API.
    """

    def _start(self) -> None:
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        #: The loop's callbacks ready to run (asyncio's own loop shows
        #: them; another loop gets its turns every YIELD_EVERY points).
        self._ready: Sized = ()
        #: What add() returns when nothing is due: a future of the loop,
        #: done already (awaiting one costs less than a coroutine); made
        #: with the task, which the buffer's first line starts.
        self._done: Awaitable[None] | None = None

    async def __aenter__(self) -> Self:
        self._running()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._leaving(exc):
            await self.aclose()

    def add(self, point: PointT) -> Awaitable[None]:
        """Accept *point* for writing, waiting while ``max_pending`` batches
        wait; await what it returns.

        Raises ``BatchWriteError`` for points given up on since the last
        call (before taking *point*), and ``FieldError`` or
        ``LineProtocolError`` when *point* cannot be written at all.
        """
        due = self._buffer.push(point)
        done = self._done
        if due == PUSHED and not self._ready and done is not None:
            return done
        return self._add(point, due)

    async def _add(self, point: PointT, due: int) -> None:
        """What add() does when the buffer says something is due."""
        task = self._task
        if task is None or task.done():
            self._running()
        buffer = self._buffer
        while due == REFUSED:
            self._refuse(point)  # raises, unless the gate was stale
            due = buffer.push(point)
        if due == ATTENTION:
            if self._idle:
                self._started()
            if len(buffer) >= self.batch_size:
                while len(self._queue) >= self.max_pending:
                    await self._wait()
                if len(buffer) >= self.batch_size:
                    self._queue.append(self._cut(self.batch_size))
                self._notify()
                await asyncio.sleep(0)
        elif self._ready or due == PAUSE:
            if due == PAUSE:
                _give_turn()
            # add() rarely has to wait, so it gives the loop a turn now and
            # then: the task sending the batch in flight goes on meanwhile.
            # At once when a callback is ready to run: a request takes many
            # short turns (each lock and write of the HTTP client is one), so
            # waiting 512 points before each would keep the server idle.
            await asyncio.sleep(0)

    def _attention(self) -> None:
        """Not called: add() pushes lines and acts on what is due itself."""

    async def flush(self) -> None:
        """Send every accepted point and wait until each is written or given up on.

        Raises ``BatchWriteError`` for the points given up on.
        """
        self._running()
        self._seal()
        self._notify()
        while self._queue or self._current is not None:
            await self._wait()
        self._raise_failures()

    async def aclose(self) -> None:
        """Write every accepted point, stop the task, and raise for failures.

        Closing twice is harmless.
        """
        self._closed = True
        self._gate()
        self._seal()
        if self._queue or self._current is not None:
            self._running()
        if self._task is not None and not self._task.done():
            self._notify()
            await asyncio.shield(self._task)
        self._forget()
        self._raise_failures()

    def check_closable(self) -> None:
        """Its task cannot be waited for from sync code while its event loop
        runs: then ``InterfaceError`` says to ``aclose()`` instead.
        """
        task = self._task
        if task is not None and not task.done() and not task.get_loop().is_closed():
            msg = (
                f"The connection {self.backend.alias!r} cannot close while the "
                f"async batch writer for {self.model.__name__} still runs "
                f"({self.pending} points pending): await writer.aclose(), or "
                "await backend.aclose(), in its event loop first."
            )
            raise InterfaceError(msg)

    def close_for_backend(self) -> None:
        """Write out every accepted point because the backend closes."""
        self.check_closable()
        self._close_at_exit()

    async def aclose_for_backend(self) -> None:
        """Write out every accepted point because the backend closes (async)."""
        await self.aclose()

    def _running(self) -> None:
        """Start the background task in the running loop, unless it runs."""
        if self._task is None or self._task.done():
            self._changed = asyncio.Event()
            loop = asyncio.get_running_loop()
            self._ready = getattr(loop, "_ready", ())
            done = loop.create_future()
            done.set_result(None)
            self._done = done
            self._task = loop.create_task(self._work(), name="influxpy-batch-writer")
            _TASKS.add(self._task)
            self._task.add_done_callback(_TASKS.discard)

    def _notify(self) -> None:
        self._changed.set()

    async def _wait(self, timeout: float | None = None) -> None:
        self._changed.clear()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    async def _asend(self, batch: Sequence[str]) -> None:
        wait: float | None = 0.0
        while wait is not None:
            await asyncio.sleep(wait)
            try:
                await self.backend.awrite_lines(
                    batch,
                    database=self.database,
                    retention_policy=self.retention_policy,
                    batch_size=len(batch),
                )
            except Exception as exc:
                wait = self._after(batch, exc)
            else:
                wait = self._after(batch, None)

    async def _work(self) -> None:
        try:
            while True:
                while (batch := self._take()) is None:
                    if self._finished():
                        return
                    await self._wait(self._idle_timeout())
                await self._asend(batch)
        except asyncio.CancelledError:
            # The loop is ending (asyncio.run() cancels the tasks left):
            # write what was accepted first. A batch cut off mid-request is
            # sent again, which is harmless.
            self._seal()
            while (batch := self._take()) is not None:
                await self._asend(batch)
            raise

    def _close_at_exit(self) -> None:
        # The event loop is gone: write what is left with the sync API.
        self._changed = asyncio.Event()
        self._closed = True
        self._gate()
        self._seal()
        while (batch := self._take()) is not None:
            self._send(batch)
        self._forget()
        self._raise_failures()


#: Running tasks of async writers (the event loop keeps only weak ones).
_TASKS: set[asyncio.Task[None]] = set()
